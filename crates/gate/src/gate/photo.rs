//! The holder's photo at the gate: a badge that carries a photo digest is
//! shown with the photo from the kiosk's photo folder only when the file's
//! digest matches the signed one. A file that does not match is a forged or
//! swapped photo (deny `photo_mismatch`); no file leaves the guard nothing
//! to compare, so the guard checks an ID instead.

pub use badgegate_core::decide::photo::{apply, judge, PhotoCheck, MAX_PHOTO_FILE_BYTES};
use badgegate_core::format::badge::Badge;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The file a badge's photo is looked up under in a photo folder.
pub fn photo_path(dir: &Path, serial: &str) -> PathBuf {
    dir.join(badgegate_core::format::badge::photo_file_name(serial))
}

/// Looks the badge's photo up in `dir` (none given: missing) and compares
/// digests. Reading never blocks on a FIFO and never takes more than
/// [`MAX_PHOTO_FILE_BYTES`].
pub fn check(badge: &Badge, dir: Option<&Path>) -> PhotoCheck {
    if badge.photo.is_none() {
        return PhotoCheck::NotOnBadge;
    }
    let Some(dir) = dir else {
        return judge(badge, None, "this kiosk has no photo folder (--photos)");
    };
    let path = photo_path(dir, &badge.serial);
    let file = match badgegate_core::files::open_regular(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let why = format!(
                "no photo {} in the photo folder",
                badgegate_core::format::badge::photo_file_name(&badge.serial)
            );
            return judge(badge, None, &why);
        }
        Err(e) => return judge(badge, None, &format!("the photo cannot be read ({e})")),
    };
    let mut bytes = Vec::new();
    if let Err(e) = file.take(MAX_PHOTO_FILE_BYTES + 1).read_to_end(&mut bytes) {
        return judge(badge, None, &format!("the photo cannot be read ({e})"));
    }
    judge(badge, Some(bytes), "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use badgegate_core::format::badge::PhotoDigest;
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
