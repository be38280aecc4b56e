//! The revocation lists a kiosk holds, and where it finds new ones while it
//! runs. A kiosk keeps at most one list per trusted key, the newest it has
//! accepted; a badge is revoked if any of them names it. `--revocations`
//! names files (one list each) or folders (every file in them that starts
//! like a list); they are read again every second, and a new list is taken
//! up, or refused, at once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use badgegate_core::format::constants::REVOCATION_HEADER_V1;
use badgegate_core::format::keylist::{looks_like_keylist, read_keylist, KeyList, KeyListError};
use badgegate_core::format::keys::{PublicKey, TrustStore};
use badgegate_core::format::revocation::{read_list, RevocationError, RevocationList};

pub use badgegate_core::format::revocation::RevocationSet;

/// A list file as found: verified, or why not.
#[derive(Debug)]
pub struct Found {
    pub path: PathBuf,
    pub list: Result<RevocationList, RevocationError>,
}

/// The files `--revocations` names, read again when they change.
#[derive(Debug, Default)]
pub struct ListWatch {
    sources: Vec<PathBuf>,
    /// What each file held when last read: the digest of its bytes, or the
    /// error reading it (each reported once, until it changes).
    seen: BTreeMap<PathBuf, Result<[u8; 32], String>>,
    /// Each file's stamp when last read: an unchanged stamp is not read
    /// again until the next full read.
    stamps: BTreeMap<PathBuf, badgegate_core::files::FileStamp>,
    /// When every file was last read whatever its stamp.
    full_read: Option<std::time::Instant>,
}

/// A file that does not read as a good list and changed less than this
/// ago may still be being written: it is refused only once it has been
/// still this long.
pub const SETTLE: std::time::Duration = std::time::Duration::from_secs(1);

/// Every file is read again this often even when its stamp has not
/// changed (a file rewritten in place within one clock tick).
pub const FULL_READ_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

impl ListWatch {
    pub fn new(sources: Vec<PathBuf>) -> ListWatch {
        ListWatch {
            sources,
            seen: BTreeMap::new(),
            stamps: BTreeMap::new(),
            full_read: None,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// The list files the sources hold now: files as named, and in folders
    /// every file (name order) whose first line is a revocation list's.
    fn files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for s in &self.sources {
            if s.is_dir() {
                let mut inside: Vec<PathBuf> = std::fs::read_dir(s)
                    .map(|d| d.flatten().map(|e| e.path()).collect())
                    .unwrap_or_default();
                inside.sort();
                out.extend(inside.into_iter().filter(|p| looks_like_list(p)));
            } else {
                out.push(s.clone());
            }
        }
        out
    }

    /// Every list file, read and verified, whether it changed or not.
    pub fn read_all(&mut self, trust: &TrustStore) -> Vec<Found> {
        self.seen.clear();
        self.full_read = None;
        self.scan(trust, false)
    }

    /// The list files that changed since they were last read (or appeared,
    /// or could not be read in a new way).
    pub fn changed(&mut self, trust: &TrustStore) -> Vec<Found> {
        self.scan(trust, true)
    }

    /// The files whose stamp changed (every file, on a full read); with
    /// `settle`, a file that does not read as a good list and changed just
    /// now is left for the next look (a copy in progress), not refused.
    fn scan(&mut self, trust: &TrustStore, settle: bool) -> Vec<Found> {
        let mut out = Vec::new();
        let full = self
            .full_read
            .is_none_or(|t| t.elapsed() >= FULL_READ_EVERY);
        if full {
            self.full_read = Some(std::time::Instant::now());
        }
        for path in self.files() {
            let stamp = badgegate_core::files::stamp(&path);
            if !full && stamp.is_some() && self.stamps.get(&path) == stamp.as_ref() {
                continue;
            }
            if let Some(s) = stamp {
                self.stamps.insert(path.clone(), s);
            }
            let text = read_list(&path);
            let now = match &text {
                Ok(t) => Ok(digest(t.as_bytes())),
                Err(e) => Err(e.to_string()),
            };
            if self.seen.get(&path) == Some(&now) {
                continue;
            }
            let list = text.and_then(|t| RevocationList::parse_verified(&t, trust));
            if settle && list.is_err() && badgegate_core::files::changed_within(&path, SETTLE) {
                // Perhaps a copy still being written: look again next time.
                self.stamps.remove(&path);
                continue;
            }
            self.seen.insert(path.clone(), now);
            out.push(Found { path, list });
        }
        out
    }
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// True if the file's first line is a revocation list's header.
fn looks_like_list(path: &Path) -> bool {
    badgegate_core::files::starts_with_line(path, REVOCATION_HEADER_V1)
}

/// Where a kiosk looks for the root's key list while it runs: the key list
/// files in its trust folder and the one the office delivers. Each file is
/// reported when its content changes, verified under the trust folder's
/// root keys (or why not).
#[derive(Debug, Default)]
pub struct KeyListWatch {
    sources: Vec<PathBuf>,
    seen: BTreeMap<PathBuf, Result<[u8; 32], String>>,
}

impl KeyListWatch {
    /// Watches these files and folders (a folder: every file in it whose
    /// first line is a key list's). What they hold now counts as seen.
    pub fn new(sources: Vec<PathBuf>, roots: &[PublicKey]) -> KeyListWatch {
        let mut w = KeyListWatch {
            sources,
            seen: BTreeMap::new(),
        };
        w.scan(roots, false);
        w
    }

    fn files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for s in &self.sources {
            if s.is_dir() {
                let mut inside: Vec<PathBuf> = std::fs::read_dir(s)
                    .map(|d| d.flatten().map(|e| e.path()).collect())
                    .unwrap_or_default();
                inside.sort();
                out.extend(inside.into_iter().filter(|p| looks_like_keylist(p)));
            } else if s.exists() {
                out.push(s.clone());
            }
        }
        out
    }

    /// The key list files whose content changed since last looked at.
    pub fn changed(
        &mut self,
        roots: &[PublicKey],
    ) -> Vec<(PathBuf, Result<KeyList, KeyListError>)> {
        self.scan(roots, true)
    }

    fn scan(
        &mut self,
        roots: &[PublicKey],
        settle: bool,
    ) -> Vec<(PathBuf, Result<KeyList, KeyListError>)> {
        let mut out = Vec::new();
        for path in self.files() {
            let text = read_keylist(&path);
            let now = match &text {
                Ok(t) => Ok(digest(t.as_bytes())),
                Err(e) => Err(e.to_string()),
            };
            if self.seen.get(&path) == Some(&now) {
                continue;
            }
            let list = text.and_then(|t| KeyList::parse_verified(&t, roots));
            if settle && list.is_err() && badgegate_core::files::changed_within(&path, SETTLE) {
                // Perhaps a copy still being written: look again next time.
                continue;
            }
            self.seen.insert(path.clone(), now);
            out.push((path, list));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use badgegate_core::format::keys::SecretKey;
    use badgegate_core::format::revocation::Revocation;

    #[test]
    fn a_set_finds_a_serial_in_any_list_in_any_case_and_forgets_a_replaced_one() {
        let (a, b) = (
            SecretKey::from_seed(&[1; 32]),
            SecretKey::from_seed(&[2; 32]),
        );
        let list = |k: &SecretKey, serials: &[&str], seq| {
            let mut l = RevocationList::empty(k.key_id());
            for s in serials {
                l.entries.push(Revocation {
                    serial: (*s).into(),
                    revoked_at: 1,
                    reason: format!("lost {s}"),
                });
            }
            l.sequence = seq;
            l
        };
        let mut set = RevocationSet::of([list(&a, &["D-1", "d-2"], 1), list(&b, &["P-9"], 1)]);
        assert_eq!(set.find("d-1").unwrap().reason, "lost D-1");
        assert_eq!(set.find("D-2").unwrap().reason, "lost d-2");
        assert_eq!(set.find("p-9").unwrap().reason, "lost P-9");
        assert!(set.find("D-3").is_none());
        // A newer list from key a without D-1 (reinstated): D-1 is valid.
        set.put(list(&a, &["d-2"], 2));
        assert!(set.find("D-1").is_none());
        assert_eq!(set.find("d-2").unwrap().reason, "lost d-2");
        assert!(set.find("P-9").is_some());
    }
}
