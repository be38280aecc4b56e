//! badgegate's gate: a text or a frame in, a decision journalled and shown
//! out. The decision ([`gate::decide`]), the kiosk engine and runtime, the
//! photo check, the hook, and the kiosk's link to the venue office
//! ([`net`]). Everything a gate PC runs, and nothing the office or the desk
//! alone needs.

pub mod gate;
pub mod net;
