//! The holder's photo at the gate: a badge that carries a photo digest is
//! shown with the photo from the kiosk's photo folder only when the file's
//! digest matches the signed one. A file that does not match is a forged or
//! swapped photo (deny `photo_mismatch`); no file leaves the guard nothing
//! to compare, so the guard checks an ID instead.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::gate::decide::Decision;
use badgegate_core::format::badge::{Badge, PhotoDigest};
use badgegate_core::vocab::{Direction, Reason, Verdict};

/// Largest photo file a kiosk reads (normalised photos are ~30 KiB).
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

/// The file a badge's photo is looked up under in a photo folder.
pub fn photo_path(dir: &Path, serial: &str) -> PathBuf {
    dir.join(badgegate_core::format::badge::photo_file_name(serial))
}

/// Looks the badge's photo up in `dir` (none given: missing) and compares
/// digests. Reading never blocks on a FIFO and never takes more than
/// [`MAX_PHOTO_FILE_BYTES`].
pub fn check(badge: &Badge, dir: Option<&Path>) -> PhotoCheck {
    let Some(expected) = badge.photo else {
        return PhotoCheck::NotOnBadge;
    };
    let Some(dir) = dir else {
        return PhotoCheck::Missing("this kiosk has no photo folder (--photos)".into());
    };
    let path = photo_path(dir, &badge.serial);
    let file = match badgegate_core::files::open_regular(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return PhotoCheck::Missing(format!(
                "no photo {} in the photo folder",
                badgegate_core::format::badge::photo_file_name(&badge.serial)
            ))
        }
        Err(e) => return PhotoCheck::Missing(format!("the photo cannot be read ({e})")),
    };
    let mut bytes = Vec::new();
    if let Err(e) = file.take(MAX_PHOTO_FILE_BYTES + 1).read_to_end(&mut bytes) {
        return PhotoCheck::Missing(format!("the photo cannot be read ({e})"));
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use badgegate_core::format::keys::KeyId;

    fn badge(photo: Option<&[u8]>) -> Badge {
        Badge {
            key_id: KeyId([0; 4]),
            serial: "D-1".into(),
            name: "Li Ming".into(),
            org: String::new(),
            category: "delegate".into(),
            zones: vec!["*".into()],
            valid_from: 1_790_000_040,
            valid_until: 1_790_172_840,
            issued_at: 1_789_990_020,
            photo: photo.map(PhotoDigest::of),
        }
    }

    #[test]
    fn match_missing_and_mismatch() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            check(&badge(None), Some(dir.path())),
            PhotoCheck::NotOnBadge
        );
        let b = badge(Some(b"jpeg bytes"));
        assert_eq!(check(&b, None).code(), "missing");
        assert_eq!(check(&b, Some(dir.path())).code(), "missing");
        std::fs::write(dir.path().join("D-1-photo.jpg"), b"jpeg bytes").unwrap();
        assert_eq!(
            check(&b, Some(dir.path())).jpeg().map(|j| j.as_slice()),
            Some(&b"jpeg bytes"[..])
        );
        std::fs::write(dir.path().join("D-1-photo.jpg"), b"someone else").unwrap();
        assert_eq!(check(&b, Some(dir.path())).code(), "mismatch");
    }
}
