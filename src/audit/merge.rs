//! Merging kiosks' journals into one audit file, each chain kept whole.

use std::collections::HashMap;

use serde::Serialize;

use super::AuditError;
use crate::journal::{chain_break, genesis_hash, Entry, Journal};

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
    let mut report = MergeReport::default();
    let mut target_heads: HashMap<String, (u64, [u8; 32])> = target
        .kiosk_heads()?
        .into_iter()
        .map(|(k, s, h)| (k, (s, h)))
        .collect();
    let mut batch: Vec<Entry> = Vec::new();
    let mut current: Option<String> = None;
    let mut prev = [0u8; 32];
    let mut expected_seq = 1u64;
    let mut broken = false;
    // Kiosks whose source ends before the target's head: (last seq, hash)
    // still to compare with the target's record there.
    let mut pending: HashMap<String, (u64, [u8; 32])> = HashMap::new();
    const BATCH: usize = 20_000;
    let res = source.for_each_in_chain_order(|e| {
        if current.as_deref() != Some(e.kiosk_id.as_str()) {
            current = Some(e.kiosk_id.clone());
            prev = genesis_hash(&e.kiosk_id);
            expected_seq = 1;
            broken = false;
        }
        if broken {
            return Ok::<(), AuditError>(());
        }
        if let Some(why) = chain_break(&e, expected_seq, &prev) {
            broken = true;
            report.refused.push(format!(
                "kiosk {} from record {} on: the source's chain breaks there ({why}); not merged",
                e.kiosk_id, e.seq
            ));
            return Ok(());
        }
        prev = e.hash;
        expected_seq += 1;
        let head = target_heads.get(&e.kiosk_id).copied();
        match head {
            Some((last, _)) if e.seq < last => {
                // Already held, if the target's record at its head matches
                // the source's (checked there): a chain hash commits to
                // every record before it, so one comparison covers them all.
                pending.insert(e.kiosk_id.clone(), (e.seq, e.hash));
                report.already_present += 1;
            }
            Some((last, last_hash)) if e.seq == last => {
                pending.remove(&e.kiosk_id);
                if last_hash == e.hash {
                    report.already_present += 1;
                } else {
                    broken = true;
                    report.already_present -= report.already_present.min(e.seq - 1);
                    report.refused.push(format!(
                        "kiosk {} record {}: conflicts with the record the target already holds; this kiosk's records were not merged",
                        e.kiosk_id, e.seq
                    ));
                }
            }
            Some((last, last_hash)) if e.seq == last + 1 && e.prev_hash != last_hash => {
                broken = true;
                report.refused.push(format!(
                    "kiosk {} record {}: does not continue the target's chain (a fork); not merged",
                    e.kiosk_id, e.seq
                ));
            }
            _ => {
                target_heads.insert(e.kiosk_id.clone(), (e.seq, e.hash));
                batch.push(e);
                report.added += 1;
                if batch.len() >= BATCH {
                    target.import(&batch)?;
                    batch.clear();
                }
            }
        }
        Ok(())
    })?;
    res?;
    if !batch.is_empty() {
        target.import(&batch)?;
    }
    for (kiosk, (seq, hash)) in pending {
        if target.hash_of(&kiosk, seq)? != Some(hash) {
            report.already_present -= report.already_present.min(seq);
            report.refused.push(format!(
                "kiosk {kiosk} record {seq}: conflicts with the record the target already holds; this kiosk's records were not merged"
            ));
        }
    }
    Ok(report)
}
