//! The venue policy a kiosk runs under: read from its file at start and
//! again every second, a newer signed policy taken up at once, a forged or
//! older one refused — each recorded in the chain like a revocation list.

use std::collections::HashMap;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use badgegate_core::format::keys::TrustStore;
use badgegate_core::format::policy::{read_policy, PolicyError, VenuePolicy};

/// One policy file, read again when it changes.
#[derive(Debug)]
struct PolicyFile {
    path: PathBuf,
    /// What the file held when last read: its digest, or the error.
    seen: Option<Result<[u8; 32], String>>,
    /// A file that may not exist yet (the venue office delivers it): until
    /// it does, there is no policy and nothing to refuse.
    optional: bool,
    /// The file's stamp when last read, and when it was last read whatever
    /// its stamp (as [`crate::gate::lists::ListWatch`] does).
    stamp: Option<badgegate_core::files::FileStamp>,
    full_read: Option<std::time::Instant>,
}

impl PolicyFile {
    fn new(path: PathBuf) -> PolicyFile {
        PolicyFile {
            path,
            seen: None,
            optional: false,
            stamp: None,
            full_read: None,
        }
    }

    /// A policy file the office will deliver, perhaps later.
    fn optional(path: PathBuf) -> PolicyFile {
        PolicyFile {
            path,
            seen: None,
            optional: true,
            stamp: None,
            full_read: None,
        }
    }

    /// The policy file, read and verified, if it changed since it was last
    /// read (or could not be read in a new way).
    fn changed(&mut self, trust: &TrustStore) -> Option<Result<VenuePolicy, PolicyError>> {
        if self.optional && !self.path.exists() {
            return None;
        }
        let full = self
            .full_read
            .is_none_or(|t| t.elapsed() >= crate::gate::lists::FULL_READ_EVERY);
        let stamp = badgegate_core::files::stamp(&self.path);
        if !full && stamp.is_some() && stamp == self.stamp {
            return None;
        }
        if full {
            self.full_read = Some(std::time::Instant::now());
        }
        self.stamp = stamp;
        let text = read_policy(&self.path);
        let now = match &text {
            Ok(t) => Ok(Sha256::digest(t.as_bytes()).into()),
            Err(e) => Err(e.to_string()),
        };
        if self.seen.as_ref() == Some(&now) {
            return None;
        }
        let read = text.and_then(|t| VenuePolicy::parse_verified(&t, trust));
        // While running, a file that does not read as a good policy and
        // changed just now may be a copy in progress: look again later.
        if self.seen.is_some()
            && read.is_err()
            && badgegate_core::files::changed_within(&self.path, crate::gate::lists::SETTLE)
        {
            self.stamp = None;
            return None;
        }
        self.seen = Some(now);
        Some(read)
    }
}

/// The venue policy's files: the one named by `--policy`, and with a
/// venue office the one it delivers. Each is read again when it changes;
/// the newest good policy among those that changed is offered.
#[derive(Debug)]
pub struct PolicyWatch {
    files: Vec<PolicyFile>,
}

impl PolicyWatch {
    /// The policy file named by `--policy`.
    pub fn new(path: PathBuf) -> PolicyWatch {
        PolicyWatch {
            files: vec![PolicyFile::new(path)],
        }
    }

    /// A policy file the office will deliver, perhaps later.
    pub fn optional(path: PathBuf) -> PolicyWatch {
        PolicyWatch {
            files: vec![PolicyFile::optional(path)],
        }
    }

    /// Watches `path` too (a file an operator copies onto the gate PC
    /// beside the office's deliveries: taken up when newer).
    pub fn also(mut self, path: PathBuf) -> PolicyWatch {
        if !self.files.iter().any(|f| f.path == path) {
            self.files.push(PolicyFile::new(path));
        }
        self
    }

    /// The file the policy is first looked for in.
    pub fn path(&self) -> &std::path::Path {
        &self.files[0].path
    }

    /// A changed file's policy, read and verified, and which file: one that
    /// does not read as a good policy first (to be refused), else the
    /// newest of those that changed.
    pub fn changed(
        &mut self,
        trust: &TrustStore,
    ) -> Option<(PathBuf, Result<VenuePolicy, PolicyError>)> {
        let mut best: Option<(PathBuf, Result<VenuePolicy, PolicyError>)> = None;
        for f in &mut self.files {
            let Some(read) = f.changed(trust) else {
                continue;
            };
            let better = match (&best, &read) {
                (None, _) => true,
                (Some((_, Err(_))), _) => false,
                (Some(_), Err(_)) => true,
                (Some((_, Ok(b))), Ok(r)) => r.sequence > b.sequence,
            };
            if better {
                best = Some((f.path.clone(), read));
            }
        }
        best
    }
}

/// What to do with a policy as read.
#[derive(Debug)]
pub enum PolicyStep {
    /// Newer than the one in use (or the first): take it up.
    Take(VenuePolicy),
    /// The very policy in use: nothing to do.
    Same,
    /// Refused, and why; the policy in use is kept. The policy itself when
    /// it could be read (its key and number go in the record).
    Refuse(String, Option<VenuePolicy>),
}

/// Judges a policy read while running (or at start) against the one in use
/// and the policies this journal took up. The venue has one policy in
/// force and one series of policy numbers, whichever trusted key signed
/// them: a policy older than the newest taken up from *any* key is a
/// roll-back (a second trusted key cannot bring back an older policy), and
/// one of the same number is refused unless it is that very policy. At
/// start (nothing in use) the policy the journal last took up is taken
/// again.
pub fn judge(
    current: Option<&VenuePolicy>,
    floors: &HashMap<String, u64>,
    read: Result<VenuePolicy, PolicyError>,
) -> PolicyStep {
    let p = match read {
        Ok(p) => p,
        Err(e) => {
            return PolicyStep::Refuse(
                format!("refused venue policy: {e}; the policy in use is kept"),
                None,
            )
        }
    };
    if current == Some(&p) {
        return PolicyStep::Same;
    }
    let newest = floors
        .values()
        .copied()
        .max()
        .max(current.map(|c| c.sequence));
    // Which key's policy holds that number (in use, or as recorded).
    let holder_of_newest = match (current, newest) {
        (Some(c), Some(n)) if c.sequence == n => Some(c.key_id.to_string()),
        (_, Some(n)) => floors
            .iter()
            .filter(|(_, s)| **s == n)
            .map(|(k, _)| k.clone())
            .min(),
        _ => None,
    };
    match newest {
        Some(f) if p.sequence < f => PolicyStep::Refuse(
            format!(
                "refused venue policy key {} sequence {}: older than sequence {f} already taken up{} (a roll-back); the policy in use is kept",
                p.key_id,
                p.sequence,
                holder_of_newest
                    .filter(|k| *k != p.key_id.to_string())
                    .map(|k| format!(" from key {k}"))
                    .unwrap_or_default()
            ),
            Some(p),
        ),
        Some(f)
            if p.sequence == f
                && (current.is_some()
                    || holder_of_newest.as_deref() != Some(p.key_id.to_string().as_str())) =>
        {
            PolicyStep::Refuse(
                format!(
                    "refused venue policy key {} sequence {}: it differs from the policy of the same number taken up before",
                    p.key_id, p.sequence
                ),
                Some(p),
            )
        }
        _ => PolicyStep::Take(p),
    }
}

pub use badgegate_core::format::policy::lists_max_age_secs;
