//! badgegate's core: what every place the software runs shares. The
//! formats (badges, keys, revocation lists, policies) and their crypto, the
//! vocabulary of outcomes and reasons, the kiosk's journal, and the small
//! rules of text, time and files. No network, no pictures, no screen.

pub mod clock;
pub mod decide;
#[cfg(feature = "host")]
pub mod files;
pub mod format;
pub mod journal;
pub mod muster;
pub mod notice;
pub mod rules;
pub mod text;
pub mod vocab;
