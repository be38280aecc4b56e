//! The chain check: every kiosk's records in sequence, each linked to the
//! one before, matching its own hash, and signed by its kiosk from the
//! first signed record on. With the enrolled kiosks' keys, a journal
//! rewritten by anyone without a kiosk's secret key is caught; without
//! them, only against the keys the journal names itself.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::Serialize;

use super::record::{genesis_hash, signed_message, Entry};
use super::store::Journal;
use super::JournalError;
use crate::format::keys::{KeyError, PublicKey};
use crate::text::serialize_hex32;
use crate::vocab::EntryKind;

/// One break in a kiosk's chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainProblem {
    pub kiosk_id: String,
    /// The sequence number where the break shows.
    pub seq: u64,
    /// Storage row id of that record (0 if the record is missing).
    pub id: i64,
    /// What is wrong, in plain words.
    pub what: String,
}

impl fmt::Display for ChainProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "kiosk {} record {} (row {}): {}",
            self.kiosk_id, self.seq, self.id, self.what
        )
    }
}

/// A kiosk's chain as found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainHead {
    pub kiosk_id: String,
    pub records: u64,
    pub last_seq: u64,
    #[serde(serialize_with = "serialize_hex32")]
    pub head_hash: [u8; 32],
}

/// How a kiosk's records were checked for its signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureCheck {
    /// Against the kiosk's enrolled key (`--kiosk-keys`).
    Enrolled,
    /// Only against the key the journal names itself: proves the records
    /// were not changed by someone without *a* key, not which key.
    SelfNamed,
    /// No record of this kiosk is signed.
    Unsigned,
}

/// A kiosk's signatures as found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KioskSigning {
    pub kiosk_id: String,
    pub check: SignatureCheck,
    /// Records signed, and unsigned records before the first signed one
    /// (written before the kiosk had its key; the signed records after
    /// them cover them through the chain).
    pub signed: u64,
    pub unsigned_before: u64,
    /// Key id of the last signing key.
    pub key_id: Option<String>,
}

/// The chain check's findings.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ChainReport {
    pub heads: Vec<ChainHead>,
    /// The first problem found in each kiosk's chain.
    pub problems: Vec<ChainProblem>,
    /// How each kiosk's signatures were checked.
    pub signing: Vec<KioskSigning>,
}

impl ChainReport {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The enrolled kiosks' public keys: a folder of `KIOSK.pub.pem` (or
/// `KIOSK.pem`) files, each named after the kiosk id whose records it signs
/// (`badgegate keygen --kiosk KIOSK` writes both halves so named).
#[derive(Clone, Debug, Default)]
pub struct KioskKeys {
    keys: BTreeMap<String, PublicKey>,
}

impl KioskKeys {
    pub fn load(dir: &Path) -> Result<KioskKeys, KeyError> {
        let dir_err = |source| KeyError::TrustDir {
            path: dir.to_owned(),
            source,
        };
        let mut keys = BTreeMap::new();
        for entry in std::fs::read_dir(dir).map_err(dir_err)?.flatten() {
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let Some(stem) = name.strip_suffix(".pem") else {
                continue;
            };
            if stem.ends_with(".key") || !path.is_file() {
                continue;
            }
            let kiosk = stem.strip_suffix(".pub").unwrap_or(stem);
            keys.insert(kiosk.to_owned(), PublicKey::load(&path)?);
        }
        if keys.is_empty() {
            return Err(KeyError::NoTrustedKeys {
                path: dir.to_owned(),
            });
        }
        Ok(KioskKeys { keys })
    }

    /// A folder's worth of keys built in memory (tests).
    pub fn from_keys(keys: impl IntoIterator<Item = (String, PublicKey)>) -> KioskKeys {
        KioskKeys {
            keys: keys.into_iter().collect(),
        }
    }

    pub fn get(&self, kiosk_id: &str) -> Option<&PublicKey> {
        self.keys.get(kiosk_id)
    }
}

/// What is wrong with record `e` as the next link of its kiosk's chain,
/// which should carry `expected_seq` and point at `prev`; `None` if it is
/// a sound link. The one rule both the chain check and merging apply.
pub fn chain_break(e: &Entry, expected_seq: u64, prev: &[u8; 32]) -> Option<String> {
    if e.seq > expected_seq {
        Some(if expected_seq + 1 == e.seq {
            format!("record {expected_seq} is missing (deleted?)")
        } else {
            format!(
                "records {expected_seq} to {} are missing (deleted?)",
                e.seq - 1
            )
        })
    } else if e.seq < expected_seq {
        Some(format!(
            "sequence number {} repeats or goes backwards",
            e.seq
        ))
    } else if e.prev_hash != *prev {
        Some("does not link to the record before it (inserted, reordered or spliced in)".into())
    } else if e.expected_hash() != e.hash {
        Some("content does not match its hash (edited)".into())
    } else if e.format == 1 && (e.signer.is_some() || e.sig.is_some()) {
        Some("a format-1 record cannot carry a signature".into())
    } else {
        None
    }
}

/// One kiosk's chain being walked.
struct Walk {
    head: ChainHead,
    prev: [u8; 32],
    broken: bool,
    signing: KioskSigning,
    /// The key of the last signed record (hex, as the record names it).
    signer: Option<String>,
    enrolled: Option<PublicKey>,
}

impl Walk {
    fn new(kiosk_id: &str, enrolled: Option<PublicKey>) -> Walk {
        Walk {
            head: ChainHead {
                kiosk_id: kiosk_id.to_owned(),
                records: 0,
                last_seq: 0,
                head_hash: genesis_hash(kiosk_id),
            },
            prev: genesis_hash(kiosk_id),
            broken: false,
            signing: KioskSigning {
                kiosk_id: kiosk_id.to_owned(),
                check: if enrolled.is_some() {
                    SignatureCheck::Enrolled
                } else {
                    SignatureCheck::Unsigned
                },
                signed: 0,
                unsigned_before: 0,
                key_id: None,
            },
            signer: None,
            enrolled,
        }
    }

    /// What is wrong with the record's signature, if anything. A kiosk
    /// signs every record from its first signed one on; it may change key
    /// (or stop signing) only where it starts again, and with an enrolled
    /// key never.
    fn signature_break(&mut self, e: &Entry) -> Option<String> {
        let restart = e.body.kind == EntryKind::Start;
        let Some(sig) = &e.sig else {
            // A journal that was signed stays signed, across restarts too:
            // records after the last signed one replaced by unsigned ones
            // (a forged start record among them) are caught without keys.
            if self.signing.signed > 0 {
                return Some(
                    "not signed, though this kiosk signed its records before (added without its key?)"
                        .into(),
                );
            }
            self.signer = None;
            if self.signing.signed == 0 {
                self.signing.unsigned_before += 1;
            }
            return None;
        };
        let Some(key) = e.signer_key() else {
            return Some("names no valid signing key".into());
        };
        if let Some(enrolled) = &self.enrolled {
            if key != *enrolled {
                return Some(format!(
                    "signed by key {}, not by this kiosk's enrolled key {}",
                    key.id, enrolled.id
                ));
            }
        } else if self
            .signer
            .as_ref()
            .is_some_and(|s| Some(s) != e.signer.as_ref())
            && !restart
        {
            return Some(format!(
                "signed by key {}, not the key of the records before it",
                key.id
            ));
        }
        if !key.verify(&signed_message(&e.hash), sig) {
            return Some("signature does not verify (record forged or altered)".into());
        }
        self.signer = e.signer.clone();
        self.signing.signed += 1;
        self.signing.key_id = Some(key.id.to_string());
        if self.signing.check == SignatureCheck::Unsigned {
            self.signing.check = SignatureCheck::SelfNamed;
        }
        None
    }

    /// The kiosk's last word: an enrolled kiosk with nothing signed is
    /// unproven (a journal rewritten, or cut back, to before its first
    /// signature); so is, when enrolled keys are given, a kiosk that has
    /// none (its records could have been written by anyone).
    fn finish(self, report: &mut ChainReport, keys_given: bool) {
        if self.enrolled.is_some() && self.signing.signed == 0 && !self.broken {
            report.problems.push(ChainProblem {
                kiosk_id: self.head.kiosk_id.clone(),
                seq: self.head.last_seq,
                id: 0,
                what: "this kiosk has an enrolled key, but none of its records is signed".into(),
            });
        } else if keys_given && self.enrolled.is_none() && !self.broken {
            report.problems.push(ChainProblem {
                kiosk_id: self.head.kiosk_id.clone(),
                seq: self.head.last_seq,
                id: 0,
                what: "this kiosk has no enrolled key in the kiosk keys folder: its records are unproven (add its KIOSK.pub.pem, or find out who wrote them)".into(),
            });
        }
        report.heads.push(self.head);
        report.signing.push(self.signing);
    }
}

/// Checks every kiosk's chain in the journal: per kiosk, sequence numbers
/// 1, 2, 3… with no gap or repeat, each record's `prev_hash` equal to the
/// previous record's hash, each record's hash recomputed from its content,
/// and its signatures. Reports the first problem of each kiosk.
pub fn verify_chain(journal: &Journal) -> Result<ChainReport, JournalError> {
    verify_signatures(journal, None)
}

/// [`verify_chain`] with the enrolled kiosks' keys: every record of an
/// enrolled kiosk, from its first signed one on, must be signed by that
/// kiosk's key.
pub fn verify_signatures(
    journal: &Journal,
    keys: Option<&KioskKeys>,
) -> Result<ChainReport, JournalError> {
    let mut report = ChainReport::default();
    let mut walk: Option<Walk> = None;
    let mut seen = std::collections::BTreeSet::new();
    journal.for_each_row_in_chain_order(|row| {
        let e = match row {
            Ok(e) => e,
            Err(bad) => {
                report.problems.push(ChainProblem {
                    kiosk_id: bad.kiosk_id,
                    seq: 0,
                    id: bad.id,
                    what: format!("unreadable record ({})", bad.why),
                });
                return;
            }
        };
        if walk.as_ref().is_none_or(|w| w.head.kiosk_id != e.kiosk_id) {
            if let Some(w) = walk.take() {
                w.finish(&mut report, keys.is_some());
            }
            seen.insert(e.kiosk_id.clone());
            let enrolled = keys.and_then(|k| k.get(&e.kiosk_id)).cloned();
            walk = Some(Walk::new(&e.kiosk_id, enrolled));
        }
        let Some(w) = walk.as_mut() else { return };
        let expected_seq = w.head.last_seq + 1;
        let problem = chain_break(&e, expected_seq, &w.prev).or_else(|| w.signature_break(&e));
        if let Some(what) = problem {
            if !w.broken {
                report.problems.push(ChainProblem {
                    kiosk_id: e.kiosk_id.clone(),
                    seq: e.seq,
                    id: e.id,
                    what,
                });
                w.broken = true;
            }
        }
        w.head.records += 1;
        w.head.last_seq = e.seq;
        w.head.head_hash = e.hash;
        w.prev = e.hash;
    })?;
    if let Some(w) = walk.take() {
        w.finish(&mut report, keys.is_some());
    }
    // Every enrolled kiosk must have records here: a kiosk's whole chain
    // removed leaves no record to find broken.
    for kiosk in keys.iter().flat_map(|k| k.keys.keys()) {
        if !seen.contains(kiosk) {
            report.problems.push(ChainProblem {
                kiosk_id: kiosk.clone(),
                seq: 0,
                id: 0,
                what: "this kiosk has an enrolled key, but no record in this journal (removed, or the journal of another venue?)".into(),
            });
        }
    }
    Ok(report)
}
