//! The events a security officer must see, not count: a revoked badge
//! presented, a forged or foreign one, a guard's override, a door that did
//! not open, a list refused, a kiosk that started (and whether it had been
//! down without closing its journal).

use serde::Serialize;

use super::{AuditError, Filter};
use badgegate_core::journal::{Entry, Journal};
use badgegate_core::vocab::EntryDecision;

pub use badgegate_core::rules::AlarmKind;

/// One alarm: when, where, who, and what happened.
#[derive(Clone, Debug, Serialize)]
pub struct Alarm {
    pub kind: AlarmKind,
    pub at_ms: u64,
    pub kiosk_id: String,
    pub seq: u64,
    pub gate: String,
    pub guard: Option<String>,
    pub serial: Option<String>,
    /// The name on the badge, when one was read (`authentic` says whether
    /// it can be believed).
    pub name: Option<String>,
    pub authentic: bool,
    pub decision: EntryDecision,
    pub reason: String,
    pub detail: String,
    pub note: Option<String>,
    /// For an out-of-service period: when the kiosk's previous record was
    /// made (the period runs from then to `at_ms`).
    pub since_ms: Option<u64>,
}

/// Which alarm a record is, if any: the core's rule.
pub fn kind_of(e: &Entry) -> Option<AlarmKind> {
    badgegate_core::rules::alarm_of(e.body.kind, e.body.reason, e.body.flagged)
}

/// Every alarm among the records matching `filter` (start records are
/// always looked at), in time order.
pub fn alarms(j: &Journal, filter: &Filter) -> Result<Vec<Alarm>, AuditError> {
    let filter = Filter {
        with_starts: true,
        ..filter.clone()
    };
    let mut out = Vec::new();
    // Each kiosk's previous record: where an out-of-service period began.
    let mut last_at: std::collections::HashMap<String, u64> = Default::default();
    j.for_each_in_time_order(|e| {
        let previous = last_at.insert(e.kiosk_id.clone(), e.body.at_ms);
        if !filter.matches(&e) {
            return Ok::<(), ()>(());
        }
        let Some(kind) = kind_of(&e) else {
            return Ok(());
        };
        let b = e.body;
        out.push(Alarm {
            kind,
            at_ms: b.at_ms,
            kiosk_id: e.kiosk_id,
            seq: e.seq,
            gate: b.gate,
            guard: b.guard,
            serial: b.serial,
            name: b.holder,
            authentic: b.authentic,
            decision: b.decision,
            reason: b.reason.code().to_owned(),
            detail: b.detail,
            note: b.note,
            since_ms: if kind == AlarmKind::OutOfService {
                previous
            } else {
                None
            },
        });
        Ok(())
    })?
    .ok();
    Ok(out)
}
