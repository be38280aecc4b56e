//! The chain check: every kiosk's records in sequence, each linked to the
//! one before and matching its own hash.

use std::fmt;

use serde::Serialize;

use super::record::{genesis_hash, record_hash, Entry};
use super::store::Journal;
use super::JournalError;
use crate::text::serialize_hex32;

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

/// The chain check's findings.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ChainReport {
    pub heads: Vec<ChainHead>,
    /// The first problem found in each kiosk's chain.
    pub problems: Vec<ChainProblem>,
}

impl ChainReport {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

struct Walk {
    head: ChainHead,
    prev: [u8; 32],
    broken: bool,
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
    } else if record_hash(&e.prev_hash, &e.kiosk_id, e.seq, &e.body) != e.hash {
        Some("content does not match its hash (edited)".into())
    } else {
        None
    }
}

/// Checks every kiosk's chain in the journal: per kiosk, sequence numbers
/// 1, 2, 3… with no gap or repeat, each record's `prev_hash` equal to the
/// previous record's hash, and each record's hash recomputed from its
/// content. Reports the first problem of each kiosk.
pub fn verify_chain(journal: &Journal) -> Result<ChainReport, JournalError> {
    let mut report = ChainReport::default();
    let mut walk: Option<Walk> = None;
    let finish = |w: Walk, report: &mut ChainReport| report.heads.push(w.head);
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
                finish(w, &mut report);
            }
            walk = Some(Walk {
                head: ChainHead {
                    kiosk_id: e.kiosk_id.clone(),
                    records: 0,
                    last_seq: 0,
                    head_hash: genesis_hash(&e.kiosk_id),
                },
                prev: genesis_hash(&e.kiosk_id),
                broken: false,
            });
        }
        let Some(w) = walk.as_mut() else { return };
        let expected_seq = w.head.last_seq + 1;
        let problem = chain_break(&e, expected_seq, &w.prev);
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
        finish(w, &mut report);
    }
    Ok(report)
}
