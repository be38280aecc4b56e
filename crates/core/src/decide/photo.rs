//! The holder's photo beside a decision: a badge that carries a photo
//! digest is shown with a photo only when the photo's bytes have the signed
//! digest. Bytes that do not match are a forged or swapped photo (deny
//! `photo_mismatch`); no photo leaves the guard nothing to compare, so the
//! guard checks an ID instead. Where the bytes come from (a kiosk's photo
//! folder, a phone's store) is the caller's business.

use std::sync::Arc;

use crate::decide::Decision;
use crate::format::badge::{Badge, PhotoDigest};
use crate::vocab::{Direction, Reason, Verdict};

/// Largest photo a kiosk or a phone takes (normalised photos are ~30 KiB).
pub const MAX_PHOTO_FILE_BYTES: u64 = 4 << 20;

/// What the photo folder says about a badge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PhotoCheck {
    /// The badge carries no photo digest (format version 1).
    NotOnBadge,
    /// The file's digest matches the badge: these are the JPEG bytes.
    Matches(Arc<Vec<u8>>),
    /// No photo folder, or no readable file for this serial in it.
    Missing(String),
    /// A file is there, but it is not the photo the badge was issued with.
    Mismatch { found: PhotoDigest },
}

impl PhotoCheck {
    /// A word for JSON lines and reports: `none`, `match`, `missing`,
    /// `mismatch`.
    pub fn code(&self) -> &'static str {
        match self {
            PhotoCheck::NotOnBadge => "none",
            PhotoCheck::Matches(_) => "match",
            PhotoCheck::Missing(_) => "missing",
            PhotoCheck::Mismatch { .. } => "mismatch",
        }
    }

    /// The matching photo's bytes, if any.
    pub fn jpeg(&self) -> Option<&Arc<Vec<u8>>> {
        match self {
            PhotoCheck::Matches(b) => Some(b),
            _ => None,
        }
    }
}

/// Compares `bytes` (the photo held for this badge's serial, if any) with
/// the badge's signed digest. `missing` says why there is none, for the
/// guard.
pub fn judge(badge: &Badge, bytes: Option<Vec<u8>>, missing: &str) -> PhotoCheck {
    let Some(expected) = badge.photo else {
        return PhotoCheck::NotOnBadge;
    };
    let Some(bytes) = bytes else {
        return PhotoCheck::Missing(missing.to_owned());
    };
    let found = PhotoDigest::of(&bytes);
    if found == expected && bytes.len() as u64 <= MAX_PHOTO_FILE_BYTES {
        PhotoCheck::Matches(Arc::new(bytes))
    } else {
        PhotoCheck::Mismatch { found }
    }
}

/// What the photo folder does to a decision: at an entry, a photo that is
/// not the badge's denies (`photo_mismatch`); none to compare asks for an
/// ID check (a guard at the screen answers it; with nobody to ask, the
/// admit is flagged); a match is noted. An exit is never held back by a
/// photo.
pub fn apply(
    mut d: Decision,
    photo: &PhotoCheck,
    direction: Direction,
    guard_present: bool,
) -> Decision {
    if !d.is_admit() || direction != Direction::In {
        return d;
    }
    match photo {
        PhotoCheck::Mismatch { found } => {
            d.verdict = Verdict::Deny;
            d.reason = Reason::PhotoMismatch;
            d.flagged = false;
            d.detail = format!(
                "the photo file for this serial (digest {found}) is not the photo the badge was issued with"
            );
        }
        PhotoCheck::Missing(why) if !guard_present => {
            d.flagged = true;
            d.detail = format!("{}; {why}: check an ID", d.detail);
        }
        PhotoCheck::Missing(why) => {
            d.detail = format!("{}; {why}", d.detail);
        }
        PhotoCheck::Matches(_) => {
            d.detail = format!("{}; the photo on file matches", d.detail);
        }
        PhotoCheck::NotOnBadge => {}
    }
    d
}
