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

// The library is a façade over the workspace's crates, one for each place
// the software runs, so the binary, the tests and the benches name things
// by what they are (`badgegate::gate::decide`) wherever they live.

// Values and their rules, the journal: every build.
pub use badgegate_core::{clock, files, format, journal, muster, notice, rules, text, vocab};
// Reading codes and the sources frames come from.
pub use badgegate_read::{read, source};
// The gate: decision, engine, runtime, hook, and its link to the office.
pub use badgegate_gate::{gate, net};
// What the guard's screen shows, and (feature `screen`) the window that
// draws it.
pub use badgegate_screen::screen;
#[cfg(feature = "screen")]
pub use badgegate_screen::window;
// Names in every script.
pub use badgegate_shape::{fonts, shape};
// The security office's audit of journals.
pub use badgegate_audit::audit;
// The accreditation desk.
#[cfg(feature = "desk")]
pub use badgegate_desk::issue;
// Camera-like test frames made from real badge cards (demo, tests, benches).
#[cfg(feature = "synth")]
pub use badgegate_desk::synth;
// The venue office's database, views and (feature `dashboard`) web pages.
#[cfg(feature = "office")]
pub use badgegate_office::office;
// A whole event rehearsed: real kiosks, a real office, an oracle.
#[cfg(feature = "rehearse")]
pub use badgegate_rehearse as rehearse;
