//! Issuing: registration rows (flags or CSV) → validated badges → signed,
//! rendered (QR PNG, SVG, printable card) and re-read from their own pixels
//! before anything is written; then written all at once, beside a manifest.

use std::path::PathBuf;

use badgegate_core::clock::VenueTime;
use badgegate_core::format::badge::{floor_minute, Badge, FieldError};
use badgegate_core::format::keys::KeyId;
use badgegate_core::format::policy::PolicyBody;

mod batch;
pub mod card;
pub mod photo;
pub mod register;
mod registration;
pub mod sheet;

pub use batch::{
    badge_file_names, issue_batch, manifest_csv, produce, remove_unfinished, write_badges,
    BatchOptions, IssuedBadge, IssuedSummary, SheetRequest, MANIFEST,
};
pub use photo::{photo_file_name, Photo};
pub use registration::{parse_registration_csv, read_registration_csv};

/// Most rows one CSV batch may hold.
pub const MAX_CSV_ROWS: usize = 100_000;
/// Pixels a module in the plain QR PNG.
pub const QR_PNG_MODULE_PX: u32 = 8;

/// Failures while issuing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssueError {
    #[error("{0}")]
    Field(#[from] FieldError),
    #[error("{} bad row(s) in {path}; nothing was written:\n{}", rows.len(), rows.iter().map(|r| format!("  line {}: {}", r.line, r.message)).collect::<Vec<_>>().join("\n"))]
    Rows { path: PathBuf, rows: Vec<RowError> },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {why}")]
    Csv { path: PathBuf, why: String },
    #[error("badge {serial}: {why}")]
    Render { serial: String, why: String },
    #[error(
        "badge {serial}: photo {}: {why}",
        badgegate_core::text::shown_path(path)
    )]
    Photo {
        serial: String,
        path: PathBuf,
        why: String,
    },
    #[error("{path} already exists; pass --force to replace it, or choose another --out folder")]
    Exists { path: PathBuf },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A bad registration row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line number in the file.
    pub line: u64,
    pub message: String,
}

/// One registration checked and ready to sign: the badge, and the
/// holder's photo file if there is one (read, normalised and bound to the
/// badge when it is signed).
#[derive(Debug, Clone)]
pub struct Registration {
    pub badge: Badge,
    pub photo: Option<PathBuf>,
}

impl Registration {
    /// The photo, normalised (`None` without one).
    pub fn load_photo(&self) -> Result<Option<photo::Photo>, IssueError> {
        let Some(path) = &self.photo else {
            return Ok(None);
        };
        photo::load_photo(path)
            .map(Some)
            .map_err(|why| IssueError::Photo {
                serial: self.badge.serial.clone(),
                path: path.clone(),
                why,
            })
    }
}

/// What one registration asks for, as typed (flags or a CSV row).
#[derive(Debug, Clone, Default)]
pub struct BadgeRequest {
    pub serial: Option<String>,
    pub name: String,
    pub org: Option<String>,
    pub category: Option<String>,
    pub zones: Option<String>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    /// The holder's photo file (a CSV's `photo` column is relative to the
    /// CSV's folder).
    pub photo: Option<String>,
}

/// Values for fields a request leaves out, and the venue's rules.
#[derive(Debug, Clone)]
pub struct Defaults {
    pub org: String,
    pub category: String,
    /// The category above is the desk's built-in default, not one the
    /// user gave (`--category`).
    pub category_defaulted: bool,
    pub zones: String,
    pub valid_from: u64,
    pub valid_until: u64,
    pub issued_at: u64,
    /// The venue policy: a zone or category it does not name is refused,
    /// and typed times without an offset are the venue's local time.
    pub policy: Option<PolicyBody>,
    /// Without a policy: the venue's offset from UTC in seconds
    /// (`--utc-offset`), for the times printed on cards and typed times.
    pub utc_offset: Option<i32>,
}

impl Defaults {
    /// How the desk's typed times are read and cards print them: the
    /// venue's time zone, else its fixed offset, else UTC.
    pub fn venue_time(&self) -> VenueTime {
        match (&self.policy, self.utc_offset) {
            (Some(p), _) => p.venue_time(),
            (None, Some(o)) => VenueTime::fixed(o),
            (None, None) => VenueTime::utc(),
        }
    }
}

/// Refuses a zone or category the venue policy does not name, with the
/// nearest code it does.
/// `defaulted`: the category was not given (the desk's default was used),
/// which the refusal says, naming the policy's categories.
fn check_against_policy(badge: &Badge, policy: &PolicyBody, defaulted: bool) -> Result<(), String> {
    if policy.category(&badge.category).is_none() {
        let codes: Vec<&str> = policy.categories.iter().map(|c| c.code.as_str()).collect();
        if defaulted {
            return Err(format!(
                "no category given, and the default, {:?}, is not in the venue policy; give one of: {}",
                badge.category,
                codes.join(", ")
            ));
        }
        return Err(format!(
            "category {:?} is not in the venue policy{}",
            badge.category,
            match policy.nearest_category(&badge.category) {
                Some(n) => format!("; did you mean {n:?}?"),
                None => format!("; its categories: {}", codes.join(", ")),
            }
        ));
    }
    for z in &badge.zones {
        if z != badgegate_core::format::constants::ALL_ZONES && policy.zone(z).is_none() {
            return Err(format!(
                "zone {z:?} is not in the venue policy{}",
                policy
                    .nearest_zone(z)
                    .map(|n| format!("; did you mean {n:?}?"))
                    .unwrap_or_default()
            ));
        }
    }
    Ok(())
}

/// Splits a zone list (`plenary,press`, `plenary; press`, `plenary press`)
/// into lowercase zone names.
pub fn parse_zones(s: &str) -> Vec<String> {
    s.split([',', ';', ' ', '|'])
        .map(str::trim)
        .filter(|z| !z.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// A category as stored: trimmed, lowercase, spaces as dashes.
pub fn normalise_category(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
}

/// A fresh random serial: 8 characters of Crockford base32 (40 bits).
pub fn generate_serial() -> String {
    use rand_core::RngCore;
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bytes = [0u8; 8];
    rand_core::OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect()
}

/// Turns a request into a badge (not yet signed: key id left zero).
pub fn build_badge(req: &BadgeRequest, d: &Defaults) -> Result<Badge, String> {
    let venue_time = d.venue_time();
    let time = |v: &Option<String>, default: u64| match v.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => venue_time.parse(t),
        _ => Ok(default),
    };
    let pick = |v: &Option<String>, default: &str| match v.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() => t.to_owned(),
        _ => default.to_owned(),
    };
    let serial = match req.serial.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => s.to_owned(),
        _ => generate_serial(),
    };
    let badge = Badge {
        key_id: KeyId([0; badgegate_core::format::constants::KEY_ID_LEN]),
        serial,
        name: req.name.trim().to_owned(),
        org: pick(&req.org, &d.org),
        category: normalise_category(&pick(&req.category, &d.category)),
        zones: parse_zones(&pick(&req.zones, &d.zones)),
        valid_from: floor_minute(time(&req.valid_from, d.valid_from)?),
        valid_until: floor_minute(time(&req.valid_until, d.valid_until)?),
        issued_at: floor_minute(d.issued_at),
        photo: None,
    };
    badge.validate_for_issue().map_err(|e| e.to_string())?;
    // A name the card would print as boxes is refused, naming the script.
    for (field, value) in [("name", &badge.name), ("organisation", &badge.org)] {
        let missing = card::missing_glyphs(value);
        if !missing.is_empty() {
            return Err(format!(
                "{field}: {}",
                badgegate_shape::shape::missing_words(&missing)
            ));
        }
    }
    if let Some(policy) = &d.policy {
        let defaulted =
            d.category_defaulted && req.category.as_deref().is_none_or(|c| c.trim().is_empty());
        check_against_policy(&badge, policy, defaulted)?;
    }
    Ok(badge)
}
