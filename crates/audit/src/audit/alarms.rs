//! The events a security officer must see, not count: a revoked badge
//! presented, a forged or foreign one, a guard's override, a door that did
//! not open, a list refused, a kiosk that started (and whether it had been
//! down without closing its journal).

use serde::Serialize;

use super::{AuditError, Filter};
use badgegate_core::journal::{Entry, Journal};
use badgegate_core::vocab::{
    EntryDecision, EntryKind, EntryReason, GuardReason, KioskEvent, Reason,
};

/// What kind of alarm, in the order the report explains them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmKind {
    /// A revoked badge was presented.
    Revoked,
    /// A badge whose signature does not match: altered or forged.
    Forged,
    /// A badge signed by a key nobody trusts here.
    UnknownKey,
    /// A badge signed by a retired key.
    RetiredKey,
    /// The photo on file is not the one the badge was issued with.
    PhotoMismatch,
    /// A guard admitted or refused by hand.
    Override,
    /// The guard refused the holder at the ID check, or nobody answered.
    IdCheckFailed,
    /// The admit hook failed: the door may not have opened.
    HookFailed,
    /// A revocation list or venue policy was refused.
    ListRefused,
    /// The kiosk started after a run that did not close its journal: it was
    /// out of service, killed or without power in between.
    OutOfService,
    /// The kiosk started.
    KioskStart,
}

impl AlarmKind {
    /// Words for the report's table.
    pub fn words(self) -> &'static str {
        match self {
            AlarmKind::Revoked => "revoked badge presented",
            AlarmKind::Forged => "forged or altered badge",
            AlarmKind::UnknownKey => "badge from an unknown key",
            AlarmKind::RetiredKey => "badge from a retired key",
            AlarmKind::PhotoMismatch => "photo does not match the badge",
            AlarmKind::Override => "decided by hand",
            AlarmKind::IdCheckFailed => "ID check failed",
            AlarmKind::HookFailed => "door command failed",
            AlarmKind::ListRefused => "list or policy refused",
            AlarmKind::OutOfService => "out of service",
            AlarmKind::KioskStart => "kiosk started",
        }
    }

    /// True for the kinds that need someone to look into them (a start is
    /// listed for the timeline, not as trouble).
    pub fn is_trouble(self) -> bool {
        self != AlarmKind::KioskStart
    }
}

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

/// Which alarm a record is, if any.
pub fn kind_of(e: &Entry) -> Option<AlarmKind> {
    let b = &e.body;
    match (b.kind, b.reason) {
        (EntryKind::Start, _) if b.flagged => Some(AlarmKind::OutOfService),
        (EntryKind::Start, _) => Some(AlarmKind::KioskStart),
        (EntryKind::Override, _) => Some(AlarmKind::Override),
        (EntryKind::Confirm, EntryReason::Guard(GuardReason::Refused))
        | (EntryKind::Confirm, EntryReason::Guard(GuardReason::NotConfirmed)) => {
            Some(AlarmKind::IdCheckFailed)
        }
        (EntryKind::Hook, EntryReason::Event(KioskEvent::HookFailed)) => {
            Some(AlarmKind::HookFailed)
        }
        (EntryKind::List, EntryReason::Event(KioskEvent::ListRefused))
        | (EntryKind::List, EntryReason::Event(KioskEvent::PolicyRefused)) => {
            Some(AlarmKind::ListRefused)
        }
        (EntryKind::Decision, EntryReason::Badge(r)) => match r {
            Reason::Revoked => Some(AlarmKind::Revoked),
            Reason::BadSignature => Some(AlarmKind::Forged),
            Reason::UnknownKey => Some(AlarmKind::UnknownKey),
            Reason::RetiredKey => Some(AlarmKind::RetiredKey),
            Reason::PhotoMismatch => Some(AlarmKind::PhotoMismatch),
            _ => None,
        },
        _ => None,
    }
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
