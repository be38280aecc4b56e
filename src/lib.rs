//! badgegate: offline Ed25519-signed QR badges for venue entrances.
//!
//! The library holds the formats, the crypto and the decision logic; the
//! `badgegate` binary only parses arguments and prints.
//!
//! ```
//! use badgegate::badge::{Badge, SignedBadge};
//! use badgegate::decide::{decide, Checks, GatePolicy, Reason};
//! use badgegate::keys::{KeyId, SecretKey, TrustStore};
//!
//! let key = SecretKey::from_seed(&[7; 32]);
//! let badge = Badge {
//!     key_id: KeyId([0; 4]), // set by signing
//!     serial: "D-0001".into(),
//!     name: "Amina Diallo".into(),
//!     org: "Republic of Senegal".into(),
//!     category: "hod".into(),
//!     zones: vec!["plenary".into()],
//!     valid_from: 1_790_000_040,
//!     valid_until: 1_790_086_440,
//!     issued_at: 1_789_990_020,
//! };
//! let signed = SignedBadge::sign(badge, &key).unwrap();
//! assert!(signed.text().starts_with("BG1:"));
//!
//! let trust = TrustStore::from_keys(&[key.public()], &[]);
//! let gate = GatePolicy { zone: Some("plenary".into()), ..GatePolicy::default() };
//! let checks = Checks { trust: &trust, revocations: None, gate: &gate, now: 1_790_000_100 };
//! assert_eq!(decide(signed.text(), &checks).reason, Reason::Ok);
//! ```

pub mod audit;
pub mod badge;
pub mod camera;
pub mod card;
pub mod clock;
pub mod constants;
pub mod decide;
pub mod hook;
pub mod issue;
pub mod journal;
pub mod keys;
pub mod kiosk;
pub mod qr;
pub mod report;
pub mod revocation;
pub mod screen;
pub mod synth;
pub mod text;
