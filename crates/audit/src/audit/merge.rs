//! Merging kiosks' journals into one audit file, each chain kept whole.

use std::collections::HashMap;

use serde::Serialize;

use super::AuditError;
use badgegate_core::journal::{chain_break, genesis_hash, Entry, Journal};

/// What a merge did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MergeReport {
    pub added: u64,
    pub already_present: u64,
    /// Records not merged, and why (conflicts with the target, or a broken
    /// chain in the source).
    pub refused: Vec<String>,
}

/// Merges every kiosk chain of `source` into `target`. A record the target
/// already has (same kiosk, sequence and hash) is skipped; a record whose
/// chain does not verify in the source, or that contradicts the target
/// (same kiosk and sequence, different hash; or not linking to the target's
/// last record), is refused and reported with everything after it in that
/// kiosk's chain. Idempotent: merging the same journal twice adds nothing.
pub fn merge(target: &mut Journal, source: &Journal) -> Result<MergeReport, AuditError> {
    let mut m = Merger::new(target)?;
    source.for_each_in_chain_order(|e| m.take(e, target))??;
    m.finish(target)
}

/// [`merge`] from records in chain order (kiosk id, then sequence) from
/// elsewhere (the venue office), in batches: feed each batch with
/// [`Merger::take`] and end with [`Merger::finish`].
pub fn merger(target: &Journal) -> Result<Merger, AuditError> {
    Merger::new(target)
}

impl Merger {
    fn new(target: &Journal) -> Result<Merger, AuditError> {
        Ok(Merger {
            target_heads: target
                .kiosk_heads()?
                .into_iter()
                .map(|(k, s, h)| (k, (s, h)))
                .collect(),
            batch: Vec::new(),
            current: None,
            prev: [0; 32],
            expected_seq: 1,
            broken: false,
            pending: HashMap::new(),
            report: MergeReport::default(),
        })
    }

    /// Imports what is left and compares the chains that end early.
    pub fn finish(mut self, target: &mut Journal) -> Result<MergeReport, AuditError> {
        if !self.batch.is_empty() {
            target.import(&self.batch)?;
        }
        for (kiosk, (seq, hash)) in std::mem::take(&mut self.pending) {
            if target.hash_of(&kiosk, seq)? != Some(hash) {
                self.conflict(&kiosk, seq, seq);
            }
        }
        Ok(self.report)
    }
}

/// Records imported in one transaction.
const BATCH: usize = 20_000;

/// A merge under way: the source's records arrive in chain order.
pub struct Merger {
    /// Each kiosk's last (sequence, hash) in the target.
    target_heads: HashMap<String, (u64, [u8; 32])>,
    batch: Vec<Entry>,
    /// The kiosk whose chain is being read, where it should go on, and
    /// whether it broke.
    current: Option<String>,
    prev: [u8; 32],
    expected_seq: u64,
    broken: bool,
    /// Kiosks whose source ends before the target's head: (last seq, hash)
    /// still to compare with the target's record there.
    pending: HashMap<String, (u64, [u8; 32])>,
    report: MergeReport,
}

impl Merger {
    /// Takes the next record in chain order.
    pub fn take(&mut self, e: Entry, target: &mut Journal) -> Result<(), AuditError> {
        if self.current.as_deref() != Some(e.kiosk_id.as_str()) {
            self.current = Some(e.kiosk_id.clone());
            self.prev = genesis_hash(&e.kiosk_id);
            self.expected_seq = 1;
            self.broken = false;
        }
        if self.broken {
            return Ok(());
        }
        if let Some(why) = chain_break(&e, self.expected_seq, &self.prev) {
            self.broken = true;
            self.report.refused.push(format!(
                "kiosk {} from record {} on: the source's chain breaks there ({why}); not merged",
                e.kiosk_id, e.seq
            ));
            return Ok(());
        }
        self.prev = e.hash;
        self.expected_seq += 1;
        match self.target_heads.get(&e.kiosk_id).copied() {
            Some((last, _)) if e.seq < last => {
                // Already held, if the target's record at its head matches
                // the source's (checked there): a chain hash commits to
                // every record before it, so one comparison covers them all.
                self.pending.insert(e.kiosk_id.clone(), (e.seq, e.hash));
                self.report.already_present += 1;
            }
            Some((last, last_hash)) if e.seq == last => {
                self.pending.remove(&e.kiosk_id);
                if last_hash == e.hash {
                    self.report.already_present += 1;
                } else {
                    self.broken = true;
                    self.conflict(&e.kiosk_id, e.seq, e.seq - 1);
                }
            }
            Some((last, last_hash)) if e.seq == last + 1 && e.prev_hash != last_hash => {
                self.broken = true;
                self.report.refused.push(format!(
                    "kiosk {} record {}: does not continue the target's chain (a fork); not merged",
                    e.kiosk_id, e.seq
                ));
            }
            _ => {
                self.target_heads
                    .insert(e.kiosk_id.clone(), (e.seq, e.hash));
                self.batch.push(e);
                self.report.added += 1;
                if self.batch.len() >= BATCH {
                    target.import(&self.batch)?;
                    self.batch.clear();
                }
            }
        }
        Ok(())
    }

    /// A record that contradicts the target: the kiosk's records counted as
    /// present (up to `counted`) were not, and nothing of it is merged.
    fn conflict(&mut self, kiosk: &str, seq: u64, counted: u64) {
        self.report.already_present -= self.report.already_present.min(counted);
        self.report.refused.push(format!(
            "kiosk {kiosk} record {seq}: conflicts with the record the target already holds; this kiosk's records were not merged"
        ));
    }
}
