//! badgegate: offline Ed25519-signed QR badges for venue entrances.
//!
//! The library holds the formats, the crypto, the reading pipeline, the
//! gate (decision, kiosk engine and runtime), the journal and the audit; the
//! `badgegate` binary parses arguments, prints, and draws the guard's
//! window. `ARCHITECTURE.md` maps the folders and which way they depend.
//!
//! ```
//! use badgegate::format::badge::{Badge, SignedBadge};
//! use badgegate::gate::decide::{decide, Checks, GatePolicy};
//! use badgegate::vocab::Reason;
//! use badgegate::format::keys::{KeyId, SecretKey, TrustStore};
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
//!     photo: None, // Some(PhotoDigest::of(&jpeg)) makes a BG2: badge
//! };
//! let signed = SignedBadge::sign(badge, &key).unwrap();
//! assert!(signed.text().starts_with("BG1:"));
//!
//! let trust = TrustStore::from_keys(&[key.public()], &[]);
//! let gate = GatePolicy { zone: Some("plenary".into()), ..GatePolicy::default() };
//! let checks = Checks { trust: &trust, revocations: None, gate: &gate, now: 1_790_000_100 };
//! assert_eq!(decide(signed.text(), &checks).reason, Reason::Ok);
//! ```

// Bottom layer: values and their rules, no I/O.
pub mod clock;
pub mod files;
pub mod fonts;
pub mod format;
pub mod shape;
pub mod text;
pub mod vocab;
// Reading codes and the sources frames come from.
pub mod read;
pub mod source;
// The record of what happened.
pub mod journal;
// The gate: decision, engine, runtime, hook.
pub mod gate;
// What the security office and the desk do with it.
pub mod audit;
pub mod issue;
// The venue network: every kiosk and the office on one PostgreSQL.
pub mod office;
// What the guard's screen shows (the window that draws it is in the binary).
pub mod screen;
// Camera-like test frames made from real badge cards (demo, tests, benches).
#[cfg(feature = "synth")]
pub mod synth;
