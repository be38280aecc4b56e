//! The badge: its fields, their limits, its canonical bytes, its signed text
//! form (`BG1:` + base45, or `BG2:` for a badge that carries its holder's
//! photo digest), and parsing of that text back, strictly.
//!
//! The byte layout is specified in `docs/badge-format.md`.

use serde::{Deserialize, Serialize};

use crate::format::constants::*;
use crate::format::keys::{KeyId, PublicKey, SecretKey};
use crate::text::{has_visible_char, is_forbidden_char, is_hidden_char};

impl Serialize for KeyId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for KeyId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <[u8; KEY_ID_LEN]>::deserialize(d).map(KeyId)
    }
}

/// What a badge says. Every field is inside the signed bytes. Times are whole
/// minutes (Unix seconds divisible by 60); see [`Wire`] for the byte layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Badge {
    /// Id of the key that signed the badge.
    pub key_id: KeyId,
    /// Badge serial, unique per event (`A-Z a-z 0-9 . _ -`).
    pub serial: String,
    /// Holder's name as printed.
    pub name: String,
    /// Organisation or delegation (may be empty).
    pub org: String,
    /// Category (lowercase), e.g. `delegate`, `press`, `staff`.
    pub category: String,
    /// Zones the badge opens (lowercase), or `*` for every zone.
    pub zones: Vec<String>,
    /// Start of validity, Unix seconds (UTC).
    pub valid_from: u64,
    /// End of validity, Unix seconds (UTC), inclusive.
    pub valid_until: u64,
    /// When the desk signed it, Unix seconds (UTC).
    pub issued_at: u64,
    /// The digest of the holder's photo file (`SERIAL-photo.jpg`), if the
    /// badge has one: such a badge is written in format version 2.
    pub photo: Option<PhotoDigest>,
}

/// The first [`PHOTO_DIGEST_LEN`] bytes of SHA-256 over a photo file's
/// exact bytes: a kiosk shows a photo only when its digest matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PhotoDigest(pub [u8; PHOTO_DIGEST_LEN]);

impl PhotoDigest {
    /// The digest of these file bytes.
    pub fn of(bytes: &[u8]) -> PhotoDigest {
        use sha2::Digest;
        let full = sha2::Sha256::digest(bytes);
        let mut d = [0u8; PHOTO_DIGEST_LEN];
        d.copy_from_slice(&full[..PHOTO_DIGEST_LEN]);
        PhotoDigest(d)
    }
}

impl std::fmt::Display for PhotoDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::text::hex(&self.0))
    }
}

/// The payload as it travels, in wire order (postcard). Times are minutes:
/// `issued_at` since [`BADGE_EPOCH`], `valid_from` relative to `issued_at`
/// (may be negative: a replacement badge valid since yesterday), and the
/// validity window's length.
#[derive(Serialize, Deserialize)]
struct Wire<'a> {
    key_id: KeyId,
    serial: &'a str,
    name: &'a str,
    org: &'a str,
    category: &'a str,
    zones: Vec<&'a str>,
    issued_at_min: u32,
    valid_from_offset_min: i32,
    validity_min: u32,
}

/// Whole minutes since the badge epoch for a Unix time, if it fits.
fn to_minutes(unix: u64) -> Option<u32> {
    if !unix.is_multiple_of(60) || unix < BADGE_EPOCH {
        return None;
    }
    u32::try_from((unix - BADGE_EPOCH) / 60).ok()
}

/// Drops the seconds of a Unix time: badges carry whole minutes.
pub fn floor_minute(unix: u64) -> u64 {
    unix - unix % 60
}

/// A field that breaks the badge rules, at issue time or inside a scanned badge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("serial must be 1 to {MAX_SERIAL_LEN} characters of A-Z a-z 0-9 . _ - (got {0:?})")]
    Serial(String),
    #[error("name is empty")]
    NameEmpty,
    #[error("{field} is too long: {chars} characters / {bytes} bytes (at most {max_chars} characters and {MAX_TEXT_FIELD_BYTES} bytes)")]
    TooLong {
        field: &'static str,
        chars: usize,
        bytes: usize,
        max_chars: usize,
    },
    #[error("{field} holds a control or text-direction character (U+{code:04X}); remove it")]
    ForbiddenChar { field: &'static str, code: u32 },
    #[error("{field} shows nothing: it is made only of spaces or invisible characters")]
    Invisible { field: &'static str },
    #[error("{field} has leading or trailing spaces")]
    Untrimmed { field: &'static str },
    #[error("category must be 1 to {MAX_CATEGORY_LEN} characters of a-z 0-9 - (got {0:?})")]
    Category(String),
    #[error("a badge needs 1 to {MAX_ZONES} zones (got {0})")]
    ZoneCount(usize),
    #[error("zone must be 1 to {MAX_ZONE_LEN} characters of a-z 0-9 _ -, or * for all zones (got {0:?})")]
    Zone(String),
    #[error("zone {0:?} is listed twice")]
    DuplicateZone(String),
    #[error("time {0} is not a whole minute after 2020-01-01 that a badge can carry")]
    Time(u64),
    #[error("valid-from is more than 4000 years from the issue time")]
    IssuedTooFar,
    #[error("valid-from is after valid-until")]
    ValidityOrder,
    #[error("validity window is longer than {} days", MAX_VALIDITY_SECS / 86_400)]
    ValidityTooLong,
    #[error("the badge just signed did not parse and verify again; nothing was written (check the key file)")]
    SelfCheck,
    #[error("badge is too large for a reliably readable QR code ({chars} characters, QR version {version} > {MAX_QR_VERSION}); shorten the name, organisation or zones")]
    TooLarge { chars: usize, version: i16 },
}

fn check_text(
    field: &'static str,
    value: &str,
    max_chars: usize,
    allow_empty: bool,
) -> Result<(), FieldError> {
    if value.is_empty() {
        return if allow_empty {
            Ok(())
        } else {
            Err(FieldError::NameEmpty)
        };
    }
    if let Some(c) = value.chars().find(|c| is_forbidden_char(*c)) {
        return Err(FieldError::ForbiddenChar {
            field,
            code: c as u32,
        });
    }
    let chars = value.chars().count();
    if chars > max_chars || value.len() > MAX_TEXT_FIELD_BYTES {
        return Err(FieldError::TooLong {
            field,
            chars,
            bytes: value.len(),
            max_chars,
        });
    }
    if value.trim() != value {
        return Err(FieldError::Untrimmed { field });
    }
    Ok(())
}

/// True if `s` is a valid serial.
pub fn is_valid_serial(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_SERIAL_LEN
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn is_valid_zone(z: &str) -> bool {
    z == ALL_ZONES
        || (!z.is_empty()
            && z.len() <= MAX_ZONE_LEN
            && z.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-')))
}

impl Badge {
    /// Checks every field against the format's rules.
    pub fn validate(&self) -> Result<(), FieldError> {
        if !is_valid_serial(&self.serial) {
            return Err(FieldError::Serial(self.serial.clone()));
        }
        check_text("name", &self.name, MAX_NAME_CHARS, false)?;
        check_text("organisation", &self.org, MAX_ORG_CHARS, true)?;
        if self.category.is_empty()
            || self.category.len() > MAX_CATEGORY_LEN
            || !self
                .category
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(FieldError::Category(self.category.clone()));
        }
        if self.zones.is_empty() || self.zones.len() > MAX_ZONES {
            return Err(FieldError::ZoneCount(self.zones.len()));
        }
        for (i, z) in self.zones.iter().enumerate() {
            if !is_valid_zone(z) {
                return Err(FieldError::Zone(z.clone()));
            }
            if self.zones[..i].contains(z) {
                return Err(FieldError::DuplicateZone(z.clone()));
            }
        }
        if self.valid_from > self.valid_until {
            return Err(FieldError::ValidityOrder);
        }
        for t in [self.valid_from, self.valid_until, self.issued_at] {
            if to_minutes(t).is_none() {
                return Err(FieldError::Time(t));
            }
        }
        let offset = (self.valid_from as i128 - self.issued_at as i128) / 60;
        if i32::try_from(offset).is_err() {
            return Err(FieldError::IssuedTooFar);
        }
        if self.valid_until - self.valid_from > MAX_VALIDITY_SECS {
            return Err(FieldError::ValidityTooLong);
        }
        Ok(())
    }

    /// What the issuer checks on top of [`Badge::validate`]: no hidden
    /// characters at all (every bidirectional mark, zero-width space or tag
    /// character; `text::is_hidden_char`), and a name and organisation that
    /// show something. A reader does not refuse these, so badges issued
    /// before still read; every output escapes them.
    pub fn validate_for_issue(&self) -> Result<(), FieldError> {
        self.validate()?;
        for (field, value) in [("name", &self.name), ("organisation", &self.org)] {
            if let Some(c) = value.chars().find(|c| is_hidden_char(*c)) {
                return Err(FieldError::ForbiddenChar {
                    field,
                    code: c as u32,
                });
            }
            if !value.is_empty() && !has_visible_char(value) {
                return Err(FieldError::Invisible { field });
            }
        }
        Ok(())
    }

    /// The canonical payload bytes (postcard of [`Wire`]). Call on a
    /// validated badge: out-of-range times are clamped.
    pub fn to_payload(&self) -> Vec<u8> {
        let issued = to_minutes(self.issued_at).unwrap_or(0);
        let offset = (self.valid_from as i128 - self.issued_at as i128) / 60;
        let wire = Wire {
            key_id: self.key_id,
            serial: &self.serial,
            name: &self.name,
            org: &self.org,
            category: &self.category,
            zones: self.zones.iter().map(String::as_str).collect(),
            issued_at_min: issued,
            valid_from_offset_min: i32::try_from(offset).unwrap_or(0),
            validity_min: u32::try_from(self.valid_until.saturating_sub(self.valid_from) / 60)
                .unwrap_or(0),
        };
        // Serialising plain strings, integers and byte arrays into a Vec cannot fail.
        let mut bytes = postcard::to_allocvec(&wire).unwrap_or_default();
        // Version 2: the photo digest, raw, after the version-1 fields.
        if let Some(photo) = &self.photo {
            bytes.extend_from_slice(&photo.0);
        }
        bytes
    }

    /// The format version this badge is written in: 2 with a photo, else 1.
    pub fn version(&self) -> u32 {
        if self.photo.is_some() {
            2
        } else {
            1
        }
    }

    /// Decodes the payload bytes of a badge of format `version`; returns
    /// the badge and the bytes left over.
    fn from_payload(payload: &[u8], version: u32) -> Result<(Badge, &[u8]), String> {
        let (w, mut rest) =
            postcard::take_from_bytes::<Wire<'_>>(payload).map_err(|e| e.to_string())?;
        let mut photo = None;
        if version == 2 {
            let Some((digest, after)) = rest.split_first_chunk::<PHOTO_DIGEST_LEN>() else {
                return Err("the photo digest is cut short".into());
            };
            photo = Some(PhotoDigest(*digest));
            rest = after;
        }
        let issued_at = BADGE_EPOCH + u64::from(w.issued_at_min) * 60;
        let valid_from = i128::from(issued_at) + i128::from(w.valid_from_offset_min) * 60;
        let valid_from = u64::try_from(valid_from)
            .ok()
            .filter(|t| *t >= BADGE_EPOCH)
            .ok_or("valid-from is before the badge epoch")?;
        let valid_until = valid_from + u64::from(w.validity_min) * 60;
        let badge = Badge {
            key_id: w.key_id,
            serial: w.serial.to_owned(),
            name: w.name.to_owned(),
            org: w.org.to_owned(),
            category: w.category.to_owned(),
            zones: w.zones.into_iter().map(str::to_owned).collect(),
            issued_at,
            valid_from,
            valid_until,
            photo,
        };
        Ok((badge, rest))
    }

    /// True if the badge opens `zone` (case-insensitive; `*` opens all).
    pub fn opens_zone(&self, zone: &str) -> bool {
        let zone = zone.to_ascii_lowercase();
        self.zones.iter().any(|z| z == ALL_ZONES || *z == zone)
    }
}

/// The bytes an Ed25519 signature of a version-1 badge covers: context,
/// then payload.
pub fn signed_message(payload: &[u8]) -> Vec<u8> {
    signed_message_for(1, payload)
}

/// The bytes an Ed25519 signature of a badge of format `version` covers:
/// that version's context, then the payload.
pub fn signed_message_for(version: u32, payload: &[u8]) -> Vec<u8> {
    let context = if version == 2 {
        BADGE_V2_SIGNING_CONTEXT
    } else {
        BADGE_SIGNING_CONTEXT
    };
    let mut m = Vec::with_capacity(context.len() + payload.len());
    m.extend_from_slice(context);
    m.extend_from_slice(payload);
    m
}

/// Why a text is not a readable badge. Maps one to one onto the reason codes
/// `not_a_badge`, `unsupported_version` and `malformed`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("not a badgegate badge")]
    NotABadge,
    #[error("badge format version {0} is not supported by this build")]
    /// The version as written (`2`, `01`).
    UnsupportedVersion(String),
    #[error("malformed badge: {0}")]
    Malformed(String),
}

/// A badge with its signature and canonical text, as printed or scanned.
/// Holding one says nothing about trust: see `decide`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedBadge {
    pub badge: Badge,
    payload: Vec<u8>,
    signature: [u8; SIGNATURE_LEN],
    text: String,
}

impl SignedBadge {
    /// Signs a badge with the registration key (setting its key id), then
    /// re-parses and re-verifies what it produced.
    pub fn sign(mut badge: Badge, key: &SecretKey) -> Result<SignedBadge, FieldError> {
        badge.key_id = key.key_id();
        badge.validate_for_issue()?;
        let payload = badge.to_payload();
        let signature = key.sign(&signed_message_for(badge.version(), &payload));
        let mut raw = payload.clone();
        raw.extend_from_slice(&signature);
        let prefix = if badge.photo.is_some() {
            BADGE_PREFIX_V2
        } else {
            BADGE_PREFIX_V1
        };
        let text = format!("{prefix}{}", base45::encode(&raw));
        let signed = SignedBadge {
            badge,
            payload,
            signature,
            text,
        };
        // The signer re-reads what it wrote: a badge that would not parse or
        // verify is never handed out.
        let reparsed = SignedBadge::parse(&signed.text).ok();
        if reparsed.as_ref() != Some(&signed) || !signed.verify_with(&key.public()) {
            return Err(FieldError::SelfCheck);
        }
        Ok(signed)
    }

    /// Parses scanned text strictly. A trailing CR/LF (keyboard-wedge
    /// scanners) is ignored; anything else that is not the canonical text of
    /// a well-formed badge is refused.
    pub fn parse(input: &str) -> Result<SignedBadge, ParseError> {
        // One line ending, as scanners add it; nothing more.
        let text = input
            .strip_suffix("\r\n")
            .or_else(|| input.strip_suffix('\n'))
            .or_else(|| input.strip_suffix('\r'))
            .unwrap_or(input);
        let Some(rest) = text.strip_prefix(BADGE_MAGIC) else {
            return Err(ParseError::NotABadge);
        };
        let digits_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits_len == 0 || digits_len > 4 || rest.as_bytes().get(digits_len) != Some(&b':') {
            return Err(ParseError::NotABadge);
        }
        let version = match &rest[..digits_len] {
            "1" => 1,
            "2" => 2,
            other => return Err(ParseError::UnsupportedVersion(other.to_owned())),
        };
        if text.len() > MAX_BADGE_TEXT_LEN {
            return Err(ParseError::Malformed(format!(
                "text is {} characters long (at most {MAX_BADGE_TEXT_LEN})",
                text.len()
            )));
        }
        let body = &rest[digits_len + 1..];
        let raw = base45::decode(body)
            .map_err(|_| ParseError::Malformed("not valid base45 text".into()))?;
        if base45::encode(&raw) != body {
            return Err(ParseError::Malformed("non-canonical base45 text".into()));
        }
        if raw.len() <= SIGNATURE_LEN {
            return Err(ParseError::Malformed(
                "too short to hold a signature".into(),
            ));
        }
        let (payload, sig) = raw.split_at(raw.len() - SIGNATURE_LEN);
        let mut signature = [0u8; SIGNATURE_LEN];
        signature.copy_from_slice(sig);
        let (badge, rest) = Badge::from_payload(payload, version)
            .map_err(|e| ParseError::Malformed(format!("payload does not decode ({e})")))?;
        if !rest.is_empty() {
            return Err(ParseError::Malformed(format!(
                "{} stray bytes after the payload",
                rest.len()
            )));
        }
        if badge.to_payload() != payload {
            return Err(ParseError::Malformed(
                "non-canonical payload encoding".into(),
            ));
        }
        badge
            .validate()
            .map_err(|e| ParseError::Malformed(e.to_string()))?;
        Ok(SignedBadge {
            badge,
            payload: payload.to_vec(),
            signature,
            text: text.to_owned(),
        })
    }

    /// The canonical text form, e.g. `BG1:…` (`BG2:…` with a photo digest).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The payload bytes (postcard).
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The 64-byte Ed25519 signature.
    pub fn signature(&self) -> &[u8; SIGNATURE_LEN] {
        &self.signature
    }

    /// True if `key` made the signature (strict verification).
    pub fn verify_with(&self, key: &PublicKey) -> bool {
        key.id == self.badge.key_id
            && key.verify(
                &signed_message_for(self.badge.version(), &self.payload),
                &self.signature,
            )
    }
}

/// The file a photo is written to beside a badge's other files, and looked
/// up under in a kiosk's `--photos` folder.
pub fn photo_file_name(serial: &str) -> String {
    format!("{serial}-photo.jpg")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Badge {
        Badge {
            key_id: KeyId([0; KEY_ID_LEN]),
            serial: "D-00042".into(),
            name: "Amina Diallo".into(),
            org: "Republic of Senegal".into(),
            category: "delegate".into(),
            zones: vec!["plenary".into(), "press".into()],
            valid_from: 1_790_000_040,
            valid_until: 1_790_172_840,
            issued_at: 1_789_990_020,
            photo: None,
        }
    }

    #[test]
    fn sign_parse_verify_round_trip() {
        let key = SecretKey::from_seed(&[1; 32]);
        let signed = SignedBadge::sign(sample(), &key).unwrap();
        assert!(signed.text().starts_with("BG1:"));
        let parsed = SignedBadge::parse(&format!("{}\r\n", signed.text())).unwrap();
        assert_eq!(parsed, signed);
        assert!(parsed.verify_with(&key.public()));
        let other = SecretKey::from_seed(&[2; 32]);
        assert!(!parsed.verify_with(&other.public()));
    }

    #[test]
    fn a_photo_digest_makes_a_version_2_badge_that_binds_the_photo() {
        let key = SecretKey::from_seed(&[1; 32]);
        let mut b = sample();
        b.photo = Some(PhotoDigest::of(b"a photo"));
        let signed = SignedBadge::sign(b.clone(), &key).unwrap();
        assert!(signed.text().starts_with("BG2:"));
        let parsed = SignedBadge::parse(signed.text()).unwrap();
        assert_eq!(parsed.badge.photo, Some(PhotoDigest::of(b"a photo")));
        assert!(parsed.verify_with(&key.public()));
        // The same bytes presented as version 1 are not a badge anyone signed.
        let v1 = signed.text().replacen("BG2:", "BG1:", 1);
        assert!(matches!(
            SignedBadge::parse(&v1),
            Err(ParseError::Malformed(_))
        ));
        // Another photo digest: the signature no longer holds.
        let mut other = parsed.badge.clone();
        other.photo = Some(PhotoDigest::of(b"another photo"));
        let mut raw = other.to_payload();
        raw.extend_from_slice(signed.signature());
        let forged = SignedBadge::parse(&format!("BG2:{}", base45::encode(&raw))).unwrap();
        assert!(!forged.verify_with(&key.public()));
        // A version-1 signature over the same payload does not pass as v2.
        let payload = parsed.payload().to_vec();
        let mut raw = payload.clone();
        raw.extend_from_slice(&key.sign(&signed_message(&payload)));
        let cross = SignedBadge::parse(&format!("BG2:{}", base45::encode(&raw))).unwrap();
        assert!(!cross.verify_with(&key.public()));
    }

    #[test]
    fn prefixes_classify() {
        assert_eq!(SignedBadge::parse("hello"), Err(ParseError::NotABadge));
        assert_eq!(SignedBadge::parse("BGX:AAA"), Err(ParseError::NotABadge));
        assert_eq!(
            SignedBadge::parse("BG3:AAA"),
            Err(ParseError::UnsupportedVersion("3".into()))
        );
        assert!(matches!(
            SignedBadge::parse("BG2:AAA"),
            Err(ParseError::Malformed(_))
        ));
        assert_eq!(
            SignedBadge::parse("BG01:AAA"),
            Err(ParseError::UnsupportedVersion("01".into()))
        );
        assert!(matches!(
            SignedBadge::parse("BG1:AAA"),
            Err(ParseError::Malformed(_))
        ));
    }

    #[test]
    fn issue_time_rules() {
        let mut b = sample();
        b.name = "Eve\u{1b}[31m".into();
        assert!(matches!(
            b.validate(),
            Err(FieldError::ForbiddenChar { code: 0x1b, .. })
        ));
        let mut b = sample();
        b.org = "x".repeat(65);
        assert!(matches!(b.validate(), Err(FieldError::TooLong { .. })));
        let mut b = sample();
        b.zones = vec!["Plenary".into()];
        assert!(matches!(b.validate(), Err(FieldError::Zone(_))));
        let mut b = sample();
        b.valid_until = b.valid_from - 1;
        assert_eq!(b.validate(), Err(FieldError::ValidityOrder));
    }

    #[test]
    fn all_zones_opens_everything() {
        let mut b = sample();
        assert!(b.opens_zone("PLENARY"));
        assert!(!b.opens_zone("vip"));
        b.zones = vec!["*".into()];
        assert!(b.opens_zone("vip"));
    }
}
