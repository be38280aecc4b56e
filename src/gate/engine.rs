//! The kiosk engine: codes read from frames in, decisions out, each one
//! committed to the journal before anyone sees it. One person held in front
//! of the camera for many frames is one decision (debounce); a badge that is
//! already inside is handled by anti-passback; a revocation list older than
//! one this kiosk has seen is refused.

use std::collections::HashMap;

use crate::clock::{format_human, format_utc_ms};
use crate::format::keys::TrustStore;
use crate::format::revocation::{RevocationError, RevocationList};
use crate::gate::decide::{
    apply_anti_passback, decide_bytes, AntiPassback, Checks, Decision, GatePolicy,
};
use crate::journal::{Entry, Journal, JournalError, NewEntry};
use crate::vocab::{Direction, EntryDecision, EntryKind, EntryReason, GuardReason, Verdict};

/// Default time the same code is ignored after it was last seen (ms).
pub const DEFAULT_COOLDOWN_MS: u64 = 3000;
/// Most distinct codes the debouncer remembers at once.
const DEBOUNCE_CAPACITY: usize = 4096;

/// How this gate works.
#[derive(Clone, Debug)]
pub struct KioskConfig {
    pub gate: String,
    pub zone: Option<String>,
    pub direction: Direction,
    pub anti_passback: AntiPassback,
    pub skew_secs: u64,
    /// A code seen again within this many ms of its last sighting is the
    /// same person still standing there.
    pub cooldown_ms: u64,
    /// Categories whose admits count only once the guard confirms (an ID
    /// check for heads of delegation, say). Empty: none.
    pub confirm_categories: Vec<String>,
}

/// Longest note a guard can type, in characters.
pub const MAX_NOTE_CHARS: usize = 200;

/// Failures starting a kiosk.
#[derive(Debug, thiserror::Error)]
pub enum KioskError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Revocations(#[from] RevocationError),
    #[error("this journal has seen revocation list sequence {seen} (key {key_id}); start the kiosk with --revocations and the current list")]
    RevocationsMissing { seen: u64, key_id: String },
}

/// Remembers which codes were seen when, so a badge held up for many frames
/// (or scanned twice) is decided once.
#[derive(Debug, Default)]
pub struct Debouncer {
    cooldown_ms: u64,
    last_seen: HashMap<Vec<u8>, u64>,
}

impl Debouncer {
    pub fn new(cooldown_ms: u64) -> Debouncer {
        Debouncer {
            cooldown_ms,
            last_seen: HashMap::new(),
        }
    }

    /// True if `code` should be decided now; false if it is the same
    /// sighting continuing (seen within the cooldown). Every sighting
    /// extends the cooldown.
    pub fn fresh(&mut self, code: &[u8], now_ms: u64) -> bool {
        let cooldown = self.cooldown_ms;
        if cooldown == 0 {
            return true;
        }
        if self.last_seen.len() >= DEBOUNCE_CAPACITY {
            self.last_seen
                .retain(|_, t| now_ms.saturating_sub(*t) <= cooldown);
        }
        match self.last_seen.insert(code.to_vec(), now_ms) {
            Some(t) => now_ms.saturating_sub(t) > cooldown,
            None => true,
        }
    }
}

/// One decision as committed.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub decision: Decision,
    pub entry: Entry,
    /// The engine admitted the badge, but its category needs the guard's
    /// confirmation: the record says `none` and nobody is admitted until
    /// [`Kiosk::confirm`] journals the guard's answer.
    pub awaiting_confirmation: bool,
}

/// How the guard answered a confirmation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Confirmed,
    Refused,
    /// Nobody answered within the time allowed: not admitted.
    TimedOut,
}

/// What a guard asks of the engine from the screen.
#[derive(Clone, Debug)]
pub enum GuardAction {
    /// Journal the guard's answer to a confirmation.
    Confirm { pending: Outcome, answer: Answer },
    /// Journal a manual decision.
    Override {
        admit: bool,
        about: Option<Outcome>,
        note: String,
    },
    /// Decide a line typed by a keyboard-wedge scanner.
    Scan { text: String },
}

/// Today's numbers for the status bar.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub admitted: u64,
    pub denied: u64,
    /// Badges whose last admitted record in this journal is an entry.
    pub inside: u64,
}

/// Failures of a guard's action.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    #[error("an override needs a note saying why (at most {MAX_NOTE_CHARS} characters)")]
    NoteNeeded,
    #[error("this decision does not wait for a confirmation")]
    NothingToConfirm,
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// Cleans a guard's typed note: control characters blanked, trimmed, capped;
/// `None` when nothing is left.
pub fn clean_note(note: &str) -> Option<String> {
    let kept: String = note
        .chars()
        .map(|c| {
            if crate::text::is_forbidden_char(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    let cleaned: String = kept.trim().chars().take(MAX_NOTE_CHARS).collect();
    (!cleaned.is_empty()).then_some(cleaned)
}

/// A running kiosk.
pub struct Kiosk {
    cfg: KioskConfig,
    trust: TrustStore,
    revocations: Option<RevocationList>,
    journal: Journal,
    debounce: Debouncer,
}

fn meta_key(key_id: &str) -> String {
    format!("revocations.{key_id}.sequence")
}

/// Refuses a revocation list older than one this journal has accepted
/// from the same key (or none when one was), then records it as seen.
fn accept_revocations(
    journal: &mut Journal,
    trust: &TrustStore,
    revocations: Option<&RevocationList>,
) -> Result<(), KioskError> {
    let mut seen_lists = Vec::new();
    for k in trust.keys() {
        let key_id = k.key.id.to_string();
        if let Some(v) = journal.meta(&meta_key(&key_id))? {
            seen_lists.push((key_id, v.parse::<u64>().unwrap_or(0)));
        }
    }
    match revocations {
        Some(list) => {
            let key_id = list.key_id.to_string();
            if let Some((_, seen)) = seen_lists.iter().find(|(k, _)| *k == key_id) {
                if list.sequence < *seen {
                    return Err(RevocationError::RolledBack {
                        seen: *seen,
                        got: list.sequence,
                    }
                    .into());
                }
            }
            journal.set_meta(&meta_key(&key_id), &list.sequence.to_string())?;
        }
        None => {
            if let Some((key_id, seen)) = seen_lists.into_iter().find(|(_, s)| *s > 0) {
                return Err(KioskError::RevocationsMissing { seen, key_id });
            }
        }
    }
    Ok(())
}

/// The start record's settings: what this kiosk decided with.
fn start_detail(
    cfg: &KioskConfig,
    trust: &TrustStore,
    revocations: Option<&RevocationList>,
) -> String {
    let mut detail = format!(
        "gate {} zone {} direction {} anti-passback {} skew {} s cooldown {} ms; trusted keys {}",
        cfg.gate,
        cfg.zone.as_deref().unwrap_or("(any)"),
        cfg.direction,
        cfg.anti_passback.as_str(),
        cfg.skew_secs,
        cfg.cooldown_ms,
        trust
            .keys()
            .map(|k| format!(
                "{}{}",
                k.key.id,
                if k.status == crate::format::keys::KeyStatus::Retired {
                    " (retired)"
                } else {
                    ""
                }
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !cfg.confirm_categories.is_empty() {
        detail.push_str(&format!(
            "; guard confirms categories {}",
            cfg.confirm_categories.join(", ")
        ));
    }
    match revocations {
        Some(l) => detail.push_str(&format!(
            "; revocation list key {} sequence {} issued {} with {} serial(s)",
            l.key_id,
            l.sequence,
            format_human(l.issued_at),
            l.entries.len()
        )),
        None => detail.push_str("; no revocation list"),
    }
    detail
}

impl Kiosk {
    /// Starts a kiosk: refuses a rolled-back (or missing) revocation list,
    /// records the list's sequence as seen, and journals a start record —
    /// so a journal that cannot be written stops the kiosk before any scan.
    pub fn start(
        cfg: KioskConfig,
        trust: TrustStore,
        revocations: Option<RevocationList>,
        mut journal: Journal,
        now_ms: u64,
    ) -> Result<Kiosk, KioskError> {
        accept_revocations(&mut journal, &trust, revocations.as_ref())?;
        let detail = start_detail(&cfg, &trust, revocations.as_ref());
        journal.append(&NewEntry {
            at_ms: now_ms,
            kind: EntryKind::Start,
            gate: cfg.gate.clone(),
            zone: cfg.zone.clone(),
            direction: cfg.direction,
            serial: None,
            holder: None,
            org: None,
            category: None,
            key_id: None,
            decision: EntryDecision::None,
            reason: EntryReason::Start,
            flagged: false,
            authentic: false,
            detail,
            note: None,
            input: String::new(),
        })?;
        Ok(Kiosk {
            debounce: Debouncer::new(cfg.cooldown_ms),
            cfg,
            trust,
            revocations,
            journal,
        })
    }

    pub fn config(&self) -> &KioskConfig {
        &self.cfg
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    pub fn revocations(&self) -> Option<&RevocationList> {
        self.revocations.as_ref()
    }

    /// Decides one code read at `now_ms` (Unix ms) and journals it.
    /// `Ok(None)`: the same code is still in view (debounced). `Err`: the
    /// journal could not be written — the decision must not be shown and
    /// the kiosk must stop admitting.
    pub fn scan(
        &mut self,
        code: &[u8],
        input: &str,
        now_ms: u64,
    ) -> Result<Option<Outcome>, JournalError> {
        if !self.debounce.fresh(code, now_ms) {
            return Ok(None);
        }
        let gate = GatePolicy {
            zone: self.cfg.zone.clone(),
            skew_secs: self.cfg.skew_secs,
            direction: self.cfg.direction,
        };
        let checks = Checks {
            trust: &self.trust,
            revocations: self.revocations.as_ref(),
            gate: &gate,
            now: now_ms / 1000,
        };
        let mut d = decide_bytes(code, &checks);
        if d.is_admit()
            && self.cfg.direction == Direction::In
            && self.cfg.anti_passback != AntiPassback::Off
        {
            if let Some(b) = &d.badge {
                let inside = self.journal.is_inside(&b.serial)?;
                d = apply_anti_passback(d, self.cfg.anti_passback, self.cfg.direction, inside);
            }
        }
        let awaiting_confirmation = d.is_admit() && self.needs_confirmation(&d);
        let mut record = self.entry_for(&d, input, now_ms, EntryKind::Decision, None);
        if awaiting_confirmation {
            record.decision = EntryDecision::None;
            record.detail = format!("{}; awaiting the guard's ID check", d.detail);
        }
        let entry = self.journal.append(&record)?;
        Ok(Some(Outcome {
            decision: d,
            entry,
            awaiting_confirmation,
        }))
    }

    /// True when this admitted badge's category needs the guard to confirm.
    fn needs_confirmation(&self, d: &Decision) -> bool {
        d.badge.as_ref().is_some_and(|b| {
            self.cfg
                .confirm_categories
                .iter()
                .any(|c| c.eq_ignore_ascii_case(&b.category))
        })
    }

    /// Journals the guard's answer to a decision awaiting confirmation.
    /// Only a confirmed answer admits; the returned outcome is what to show.
    pub fn confirm(
        &mut self,
        pending: &Outcome,
        answer: Answer,
        note: Option<&str>,
        now_ms: u64,
    ) -> Result<Outcome, GuardError> {
        if !pending.awaiting_confirmation {
            return Err(GuardError::NothingToConfirm);
        }
        let mut d = pending.decision.clone();
        let (reason, detail) = match answer {
            Answer::Confirmed => (
                GuardReason::Confirmed,
                "the guard confirmed the ID check".to_owned(),
            ),
            Answer::Refused => {
                d.verdict = Verdict::Deny;
                (
                    GuardReason::Refused,
                    "the guard refused the holder at the ID check".to_owned(),
                )
            }
            Answer::TimedOut => {
                d.verdict = Verdict::Deny;
                (
                    GuardReason::NotConfirmed,
                    "not confirmed by the guard in time: not admitted".to_owned(),
                )
            }
        };
        d.detail = detail;
        let mut record = self.entry_for(
            &d,
            &pending.entry.body.input,
            now_ms,
            EntryKind::Confirm,
            note.and_then(clean_note),
        );
        record.reason = reason.into();
        let entry = self.journal.append(&record)?;
        Ok(Outcome {
            decision: d,
            entry,
            awaiting_confirmation: false,
        })
    }

    /// Journals a guard's manual decision with the note saying why. `about`
    /// is the decision shown when the guard acted (the disputed case), or
    /// `None` for a badge that would not read at all.
    pub fn override_decision(
        &mut self,
        admit: bool,
        about: Option<&Outcome>,
        note: &str,
        now_ms: u64,
    ) -> Result<Outcome, GuardError> {
        let note = clean_note(note).ok_or(GuardError::NoteNeeded)?;
        let mut d = match about {
            Some(o) => o.decision.clone(),
            None => Decision::not_a_badge(""),
        };
        d.verdict = if admit { Verdict::Admit } else { Verdict::Deny };
        d.flagged = false;
        d.detail = if admit {
            "admitted by hand by the guard".into()
        } else {
            "refused by hand by the guard".into()
        };
        let input = about.map_or("guard", |o| o.entry.body.input.as_str());
        let mut record = self.entry_for(&d, input, now_ms, EntryKind::Override, Some(note));
        record.reason = GuardReason::Override.into();
        let entry = self.journal.append(&record)?;
        Ok(Outcome {
            decision: d,
            entry,
            awaiting_confirmation: false,
        })
    }

    /// Admits, denies (since `since_ms`) and people inside, from the journal.
    pub fn counters(&self, since_ms: u64) -> Result<Counters, JournalError> {
        let (admitted, denied) = self.journal.decision_counts(since_ms)?;
        Ok(Counters {
            admitted,
            denied,
            inside: self.journal.inside_count()?,
        })
    }

    fn entry_for(
        &self,
        d: &Decision,
        input: &str,
        now_ms: u64,
        kind: EntryKind,
        note: Option<String>,
    ) -> NewEntry {
        let b = d.badge.as_ref();
        NewEntry {
            at_ms: now_ms,
            kind,
            gate: self.cfg.gate.clone(),
            zone: self.cfg.zone.clone(),
            direction: self.cfg.direction,
            serial: b.map(|b| b.serial.clone()),
            holder: b.map(|b| b.name.clone()),
            org: b.map(|b| b.org.clone()),
            category: b.map(|b| b.category.clone()),
            key_id: b.map(|b| b.key_id.to_string()),
            decision: d.verdict.into(),
            reason: d.reason.into(),
            flagged: d.flagged,
            authentic: d.authentic,
            detail: d.detail.clone(),
            note,
            input: input.to_owned(),
        }
    }

    /// The JSON line for an outcome: the decision fields of the interface
    /// contract plus where and when it was journalled.
    pub fn outcome_json(&self, o: &Outcome) -> serde_json::Value {
        let mut j = o.decision.to_json(&o.entry.body.input);
        if let Some(map) = j.as_object_mut() {
            map.insert("kiosk_id".into(), o.entry.kiosk_id.clone().into());
            map.insert("seq".into(), o.entry.seq.into());
            // The chain head after this record: a log collector that keeps
            // these lines can later prove the journal was not cut back.
            map.insert("hash".into(), crate::text::hex(&o.entry.hash).into());
            map.insert("at".into(), format_utc_ms(o.entry.body.at_ms).into());
            map.insert("gate".into(), self.cfg.gate.clone().into());
            map.insert("zone".into(), self.cfg.zone.clone().into());
            map.insert("direction".into(), self.cfg.direction.code().into());
        }
        j
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debouncer_merges_a_continuous_sighting_and_lets_a_new_one_through() {
        let mut d = Debouncer::new(1000);
        assert!(d.fresh(b"A", 0));
        assert!(!d.fresh(b"A", 500));
        assert!(
            !d.fresh(b"A", 1400),
            "still in view: each sighting extends the cooldown"
        );
        assert!(d.fresh(b"B", 1450), "a different badge is decided at once");
        assert!(
            d.fresh(b"A", 2401),
            "gone for longer than the cooldown: a new decision"
        );
        let mut off = Debouncer::new(0);
        assert!(off.fresh(b"A", 0) && off.fresh(b"A", 0));
    }
}
