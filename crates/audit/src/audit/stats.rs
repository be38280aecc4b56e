//! Counts for the security office: per hour, gate and reason.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::{AuditError, Filter};
use badgegate_core::clock::format_human;
use badgegate_core::journal::Journal;
use badgegate_core::vocab::{Direction, EntryDecision, EntryKind};

/// Counts for the security office.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Stats {
    pub decisions: u64,
    pub admits: u64,
    pub denies: u64,
    pub flagged: u64,
    /// Admits at entry gates per hour (`YYYY-MM-DD HH:00` UTC) and gate.
    pub entries_per_hour: BTreeMap<String, BTreeMap<String, u64>>,
    /// Per gate: (admits, denies).
    pub per_gate: BTreeMap<String, (u64, u64)>,
    /// Denies per reason.
    pub denies_by_reason: BTreeMap<String, u64>,
    /// Every reason's count, admits and denies.
    pub per_reason: BTreeMap<String, u64>,
    /// Highest number of entry admits in one minute, and that minute.
    pub peak_entries_per_minute: u64,
    pub peak_minute: Option<String>,
    pub first_ms: Option<u64>,
    pub last_ms: Option<u64>,
}

fn hour_label(ms: u64) -> String {
    let s = format_human(ms / 1000);
    format!("{}:00", &s[..s.len().min(13)])
}

/// Statistics over the records matching `filter`.
pub fn stats(j: &Journal, filter: &Filter) -> Result<Stats, AuditError> {
    let mut s = Stats::default();
    let mut per_minute: HashMap<u64, u64> = HashMap::new();
    j.for_each_entry(|e| {
        // Start records and decisions still awaiting the guard's ID check
        // (`none`; their answer is its own record) are not decisions.
        if e.body.kind == EntryKind::Start
            || e.body.decision == EntryDecision::None
            || !filter.matches(&e)
        {
            return Ok::<(), ()>(());
        }
        let b = &e.body;
        s.decisions += 1;
        s.first_ms = Some(s.first_ms.map_or(b.at_ms, |t| t.min(b.at_ms)));
        s.last_ms = Some(s.last_ms.map_or(b.at_ms, |t| t.max(b.at_ms)));
        *s.per_reason.entry(b.reason.code().to_owned()).or_default() += 1;
        let gate = s.per_gate.entry(b.gate.clone()).or_default();
        if b.decision == EntryDecision::Admit {
            s.admits += 1;
            gate.0 += 1;
            s.flagged += u64::from(b.flagged);
            if b.direction == Direction::In {
                *s.entries_per_hour
                    .entry(hour_label(b.at_ms))
                    .or_default()
                    .entry(b.gate.clone())
                    .or_default() += 1;
                *per_minute.entry(b.at_ms / 60_000).or_default() += 1;
            }
        } else {
            s.denies += 1;
            gate.1 += 1;
            *s.denies_by_reason
                .entry(b.reason.code().to_owned())
                .or_default() += 1;
        }
        Ok(())
    })?
    .ok();
    if let Some((minute, n)) = per_minute
        .into_iter()
        .max_by_key(|(m, n)| (*n, std::cmp::Reverse(*m)))
    {
        s.peak_entries_per_minute = n;
        s.peak_minute = Some(format_human(minute * 60));
    }
    Ok(s)
}
