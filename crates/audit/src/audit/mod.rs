//! The security office's side: filter and export journals, check their
//! chains against exported heads, count, list who is inside, merge several
//! kiosks' journals into one, and draw the report. One file a question.

use badgegate_core::journal::{Entry, Journal, JournalError};
use badgegate_core::vocab::{EntryDecision, EntryKind, EntryReason};

pub mod alarms;
pub mod export;
pub mod heads;
pub mod inside;
pub mod merge;
pub mod report;
pub mod stats;

/// What the journal recorded of the venue's policy: the detail of the
/// newest `policy_accepted` record (a kiosk took up a signed policy), if
/// any.
pub fn recorded_policy(j: &Journal) -> Result<Option<String>, AuditError> {
    use badgegate_core::vocab::KioskEvent;
    let mut newest: Option<(u64, String)> = None;
    j.for_each_entry(|e| {
        let b = e.body;
        if b.kind == EntryKind::List
            && b.reason == EntryReason::Event(KioskEvent::PolicyAccepted)
            && newest.as_ref().is_none_or(|(t, _)| b.at_ms >= *t)
        {
            newest = Some((b.at_ms, b.detail));
        }
        Ok::<(), ()>(())
    })?
    .ok();
    Ok(newest.map(|(_, d)| d))
}

/// The venue's time zone as the journal recorded it: the zone named by the
/// newest venue policy a kiosk took up, if any.
pub fn recorded_venue_time(
    j: &Journal,
) -> Result<Option<badgegate_core::clock::VenueTime>, AuditError> {
    Ok(recorded_policy(j)?
        .and_then(|d| badgegate_core::clock::VenueTime::named_in_policy_record(&d)))
}

/// Failures of audit commands.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("writing output: {0}")]
    Write(#[from] std::io::Error),
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("chain head line {line}: {why}")]
    BadHead { line: usize, why: String },
}

/// Which records to look at.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub from_ms: Option<u64>,
    pub to_ms: Option<u64>,
    pub gate: Option<String>,
    pub zone: Option<String>,
    pub serial: Option<String>,
    /// Case-insensitive substring of the holder's name.
    pub name: Option<String>,
    pub decision: Option<EntryDecision>,
    pub reason: Option<EntryReason>,
    pub kiosk: Option<String>,
    /// Include kiosk start records.
    pub with_starts: bool,
}

impl Filter {
    pub fn matches(&self, e: &Entry) -> bool {
        let b = &e.body;
        let eq = |want: &Option<String>, have: Option<&str>| {
            want.as_deref().is_none_or(|w| Some(w) == have)
        };
        (self.with_starts || b.kind != EntryKind::Start)
            && self.from_ms.is_none_or(|t| b.at_ms >= t)
            && self.to_ms.is_none_or(|t| b.at_ms <= t)
            && eq(&self.gate, Some(&b.gate))
            && eq(&self.zone, b.zone.as_deref())
            && eq(&self.serial, b.serial.as_deref())
            && self.decision.is_none_or(|d| d == b.decision)
            && self.reason.is_none_or(|r| r == b.reason)
            && eq(&self.kiosk, Some(&e.kiosk_id))
            && self.name.as_ref().is_none_or(|n| {
                b.holder
                    .as_deref()
                    .is_some_and(|h| h.to_lowercase().contains(&n.to_lowercase()))
            })
    }
}

/// Records matching `filter` in time order (or newest first), at most `limit`.
pub fn select(
    j: &Journal,
    filter: &Filter,
    newest_first: bool,
    limit: Option<usize>,
) -> Result<Vec<Entry>, AuditError> {
    let mut out = Vec::new();
    j.for_each_in_time_order(|e| {
        if filter.matches(&e) {
            out.push(e);
            // Oldest first: stop early at the limit.
            if !newest_first && limit.is_some_and(|l| out.len() >= l) {
                return Err(());
            }
        }
        Ok(())
    })?
    .ok();
    if newest_first {
        out.reverse();
        if let Some(l) = limit {
            out.truncate(l);
        }
    }
    Ok(out)
}
