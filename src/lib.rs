//! badgegate: offline Ed25519-signed QR badges for venue entrances.
//!
//! The library holds the formats, the crypto and the decision logic; the
//! `badgegate` binary only parses arguments and prints.

pub mod badge;
pub mod card;
pub mod clock;
pub mod constants;
pub mod decide;
pub mod issue;
pub mod keys;
pub mod qr;
pub mod revocation;
pub mod text;
