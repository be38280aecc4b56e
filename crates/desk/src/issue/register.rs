//! The desk's register of the badges it issued with a key: one CSV line a
//! badge, kept beside the secret key (`keys/registration.key.pem` →
//! `keys/registration.issued.csv`), appended by `issue` once the badges are
//! written, read by `revoke`, which refuses a serial that was never issued
//! (a typo would revoke nobody and leave the real badge valid).
//!
//! Columns: `serial,name,org,category,issued_at,out` (`issued_at` RFC 3339
//! UTC; `out` the folder the badge files went to).

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use badgegate_core::clock::format_utc;
use badgegate_core::format::badge::Badge;

const HEADER: &str = "serial,name,org,category,issued_at,out\n";

/// Where the register of badges issued with the key at `key_path` is.
pub fn register_path(key_path: &Path) -> PathBuf {
    let name = key_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name
        .strip_suffix(".key.pem")
        .or_else(|| name.strip_suffix(".pem"))
        .unwrap_or(&name);
    key_path.with_file_name(format!("{stem}.issued.csv"))
}

/// Adds `badges` (written to `out`) to the register at `path`, creating it
/// with its header; one append, synced.
pub fn append<'a>(
    path: &Path,
    badges: impl IntoIterator<Item = &'a Badge>,
    out: &Path,
) -> io::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let out = out.to_string_lossy();
    for b in badges {
        w.write_record([
            b.serial.as_str(),
            b.name.as_str(),
            b.org.as_str(),
            b.category.as_str(),
            &format_utc(b.issued_at),
            &out,
        ])
        .map_err(io::Error::other)?;
    }
    let lines = w
        .into_inner()
        .map_err(|e| io::Error::other(e.to_string()))?;
    let mut f = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let mut text = Vec::new();
    if f.metadata()?.len() == 0 {
        text.extend_from_slice(HEADER.as_bytes());
    }
    text.extend_from_slice(&lines);
    f.write_all(&text)?;
    f.sync_all()
}

/// The serials in the register at `path`; `None` when there is none yet.
pub fn serials(path: &Path) -> io::Result<Option<BTreeSet<String>>> {
    let text = match fs::read(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_slice());
    let mut out = BTreeSet::new();
    for row in r.records() {
        let row = row.map_err(io::Error::other)?;
        if let Some(s) = row.get(0).map(str::trim).filter(|s| !s.is_empty()) {
            out.insert(s.to_owned());
        }
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_register_sits_beside_the_key_and_keeps_every_serial() {
        assert_eq!(
            register_path(Path::new("keys/registration.key.pem")),
            Path::new("keys/registration.issued.csv")
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.issued.csv");
        assert_eq!(serials(&path).unwrap(), None);
        let badge = |serial: &str, name: &str| Badge {
            key_id: badgegate_core::format::keys::KeyId([0; 4]),
            serial: serial.into(),
            name: name.into(),
            org: "Republic of Senegal".into(),
            category: "hod".into(),
            zones: vec!["plenary".into()],
            valid_from: 1_796_000_000,
            valid_until: 1_796_100_000,
            issued_at: 1_796_000_000,
            photo: None,
        };
        append(
            &path,
            [&badge("HD-0001", "Amina, \"Diallo\"")],
            Path::new("out"),
        )
        .unwrap();
        append(&path, [&badge("D-0002", "Jean Dupont")], Path::new("out")).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches("serial,name").count(), 1, "{text}");
        let got = serials(&path).unwrap().unwrap();
        assert_eq!(got.into_iter().collect::<Vec<_>>(), ["D-0002", "HD-0001"]);
    }
}
