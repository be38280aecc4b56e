//! The screen's state: what fills it, how long a verdict holds, what the
//! guard's keys do, and what is asked of the engine.

use std::collections::VecDeque;

use super::wording::{card_for, Card, Tone};
use badgegate_core::format::policy::PolicyBody;
use badgegate_core::text::printable_short;
use badgegate_core::vocab::EntryKind;
use badgegate_gate::gate::engine::{
    Answer, Counters, GuardAction, GuardError, Outcome, SignInRefusal,
};

/// Default time a verdict stays on screen (ms).
pub const DEFAULT_HOLD_MS: u64 = 4000;
/// Default time the screen waits for the guard to confirm an ID check (s).
pub const DEFAULT_CONFIRM_TIMEOUT_SECS: u64 = 120;
/// Default age after which the revocation list is shown as stale (hours).
pub const DEFAULT_REVOCATION_MAX_AGE_HOURS: u64 = 12;
/// A scanner types a whole line within this; older loose keys are dropped.
const SCAN_LINE_IDLE_MS: u64 = 1500;
/// Longest line a keyboard-wedge scanner may type.
const MAX_SCAN_LINE: usize = 4096;

/// Screen settings.
#[derive(Clone, Debug)]
pub struct ScreenConfig {
    pub hold_ms: u64,
    pub confirm_timeout_ms: u64,
    pub revocation_max_age_secs: u64,
    /// Local time, seconds east of UTC, for the clock and plain words.
    pub utc_offset: i32,
    /// Words for zone codes, e.g. `press` → `the press centre` (flags;
    /// they win over the policy's names).
    pub zone_names: std::collections::BTreeMap<String, String>,
    /// The venue policy in use: zone and category names, colours and the
    /// venue's time zone (which wins over `utc_offset`).
    pub policy: Option<PolicyBody>,
    /// The language the screen speaks to the guard.
    pub lang: crate::screen::lang::Lang,
    /// The language was chosen on the command line: a new policy does not
    /// change it.
    pub lang_pinned: bool,
}

impl ScreenConfig {
    /// A zone as the guard calls it: its name, or its code.
    pub fn zone_words(&self, code: &str) -> String {
        let from_policy = self
            .policy
            .as_ref()
            .and_then(|p| p.zone(code))
            .map(|z| &z.name);
        match self.zone_names.get(code).or(from_policy) {
            Some(name) => printable_short(name, 60),
            None if code == badgegate_core::format::constants::ALL_ZONES => {
                self.lang.words().every_zone.into()
            }
            None => printable_short(code, 40),
        }
    }

    /// The freeze bound: revocation lists older than this are stale. The
    /// venue policy's `lists-max-age` when it sets one, else the kiosk's
    /// own setting.
    pub fn lists_max_age_secs(&self) -> u64 {
        badgegate_gate::gate::venue::lists_max_age_secs(
            self.policy.as_ref(),
            self.revocation_max_age_secs,
        )
    }

    /// Seconds east of UTC on the guard's clock at Unix time `secs`.
    pub fn offset_at(&self, secs: u64) -> i32 {
        match &self.policy {
            Some(p) => p.utc_offset_at(secs),
            None => self.utc_offset,
        }
    }
}

impl Default for ScreenConfig {
    fn default() -> Self {
        ScreenConfig {
            hold_ms: DEFAULT_HOLD_MS,
            confirm_timeout_ms: DEFAULT_CONFIRM_TIMEOUT_SECS * 1000,
            revocation_max_age_secs: DEFAULT_REVOCATION_MAX_AGE_HOURS * 3600,
            utc_offset: 0,
            zone_names: Default::default(),
            policy: None,
            lang: Default::default(),
            lang_pinned: false,
        }
    }
}

/// At most this many verdicts are held on screen at once; beyond it the
/// oldest admit gives way (a deny is never dropped before its hold).
pub const MAX_SHOWN: usize = 4;

/// Reasons serious enough that admitting by hand takes a second Enter.
fn needs_second_confirmation(o: &Outcome) -> bool {
    use badgegate_core::vocab::{EntryReason, Reason};
    matches!(
        o.entry.body.reason,
        EntryReason::Badge(
            Reason::Revoked
                | Reason::BadSignature
                | Reason::UnknownKey
                | Reason::RetiredKey
                | Reason::KeyWithdrawn
                | Reason::KeyOutOfScope
        )
    )
}

/// A verdict on screen, held until `until_ms`.
#[derive(Clone, Debug)]
pub struct Shown {
    pub card: Card,
    pub outcome: Outcome,
    pub until_ms: u64,
}

/// What the guard is asked to do, if anything; the verdicts in their hold
/// time are shown beside it ([`ScreenModel::verdicts`]).
#[derive(Clone, Debug)]
pub enum View {
    /// Nothing asked of the guard: the verdicts held, or READY.
    Ready,
    /// An admit waiting for the guard's ID check.
    Confirm {
        card: Card,
        outcome: Outcome,
        deadline_ms: u64,
        /// The answer went to the engine; waiting for it to be journalled.
        answered: bool,
    },
    /// The guard types the note for a manual decision.
    Note {
        admit: bool,
        about: Option<Outcome>,
        text: String,
        error: Option<String>,
        /// Admitting a revoked, forged or foreign badge: the first Enter
        /// only arms, a second one saves.
        armed: bool,
    },
    /// Waiting for the guard's staff badge to sign them in.
    SignIn { deadline_ms: u64 },
    /// The journal cannot be written: nobody is admitted.
    OutOfService { why: String },
}

/// A guard's key, as the window reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    Enter,
    Escape,
    Backspace,
    /// F2.
    OverrideAdmit,
    /// F3.
    OverrideDeny,
    /// F4: sign in (show the staff badge), or sign out.
    Shift,
    /// Typed text (a guard's note or a keyboard-wedge scanner).
    Text(String),
}

/// The camera (or other frame source) as the status bar shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceState {
    Running,
    /// Lost; the engine is trying to reopen it.
    Reconnecting {
        why: String,
        attempt: u32,
    },
    /// A replay or stdin ran out: no more badges will come from it.
    Ended,
}

/// The whole screen state.
#[derive(Debug)]
pub struct ScreenModel {
    cfg: ScreenConfig,
    view: View,
    /// Verdicts in their hold time, newest first: two people at once both
    /// see theirs, and no deny is replaced before its time.
    shown: Vec<Shown>,
    /// Admits awaiting the guard's ID check that arrived while another was
    /// being checked: shown in turn.
    queue: VecDeque<Outcome>,
    counters: Counters,
    source: SourceState,
    scan_line: String,
    scan_line_at: u64,
    /// A message for the guard in the status line (an action that failed).
    notice: Option<(String, u64)>,
    /// The revocation lists in use: "#4 (key 1a2b3c4d)", and when the
    /// stalest was signed; `None` without any list.
    lists: Option<(String, u64)>,
    /// The last list refused since one was taken up, and why.
    list_refused: Option<String>,
    /// The guard signed in, as records name them.
    guard: Option<String>,
}

impl ScreenModel {
    pub fn new(cfg: ScreenConfig) -> ScreenModel {
        ScreenModel {
            cfg,
            view: View::Ready,
            shown: Vec::new(),
            queue: VecDeque::new(),
            counters: Counters::default(),
            source: SourceState::Running,
            scan_line: String::new(),
            scan_line_at: 0,
            notice: None,
            lists: None,
            list_refused: None,
            guard: None,
        }
    }

    /// The guard signed in (`None`: nobody; the status bar says so).
    pub fn guard(&self) -> Option<&str> {
        self.guard.as_deref()
    }

    /// A sign-in or sign-out as journalled: who is on shift now; a refused
    /// sign-in is said on the status line.
    pub fn on_shift(
        &mut self,
        guard: Option<String>,
        refused: Option<&SignInRefusal>,
        now_ms: u64,
    ) {
        if matches!(self.view, View::SignIn { .. }) {
            self.view = View::Ready;
        }
        if let Some(why) = refused {
            let words = crate::screen::wording::sign_in_refusal_words(why, now_ms, &self.cfg);
            self.notice = Some((words, now_ms + 8000));
        } else {
            self.notice = Some((
                match &guard {
                    Some(g) => crate::screen::lang::fill(
                        self.cfg.lang.words().signed_in,
                        &[("guard", &printable_short(g, 60))],
                    ),
                    None => self.cfg.lang.words().signed_out_notice.into(),
                },
                now_ms + 5000,
            ));
        }
        self.guard = guard;
    }

    pub fn view(&self) -> &View {
        &self.view
    }

    /// The verdicts in their hold time, newest first.
    pub fn verdicts(&self) -> &[Shown] {
        &self.shown
    }

    pub fn config(&self) -> &ScreenConfig {
        &self.cfg
    }

    pub fn counters(&self) -> Counters {
        self.counters
    }

    pub fn source(&self) -> &SourceState {
        &self.source
    }

    /// ID checks waiting their turn.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// A short message for the status line, while it is fresh.
    pub fn notice(&self, now_ms: u64) -> Option<&str> {
        self.notice
            .as_ref()
            .filter(|(_, until)| now_ms < *until)
            .map(|(m, _)| m.as_str())
    }

    pub fn is_out_of_service(&self) -> bool {
        matches!(self.view, View::OutOfService { .. })
    }

    pub fn set_counters(&mut self, c: Counters) {
        self.counters = c;
    }

    pub fn set_source(&mut self, s: SourceState) {
        self.source = s;
    }

    /// The journal failed: nothing else is shown until the kiosk restarts.
    pub fn out_of_service(&mut self, why: impl Into<String>) {
        self.view = View::OutOfService { why: why.into() };
        self.queue.clear();
        self.shown.clear();
    }

    /// Something for the guard that is not a decision (a badge shown again
    /// while its ID check waits), for a few seconds.
    pub fn tell(&mut self, words: impl Into<String>, now_ms: u64) {
        self.notice = Some((words.into(), now_ms + 8000));
    }

    /// What the gate tells the guard, in the guard's language.
    pub fn tell_notice(&mut self, notice: &badgegate_gate::gate::engine::GateNotice, now_ms: u64) {
        use badgegate_gate::gate::engine::GateNotice;
        let w = self.cfg.lang.words();
        let words = match notice {
            GateNotice::AlreadyWaiting { serial, seq } => crate::screen::lang::fill(
                w.already_waits,
                &[("serial", serial), ("seq", &seq.to_string())],
            ),
            GateNotice::ClockStepped { by_ms, held_ms } => {
                let secs = format!("{:.0}", by_ms.unsigned_abs() as f64 / 1000.0);
                let held = format!("{:.0}", *held_ms as f64 / 1000.0);
                let words = if *by_ms < 0 {
                    w.clock_set_back
                } else {
                    w.clock_forward
                };
                crate::screen::lang::fill(words, &[("secs", &secs), ("held", &held)])
            }
        };
        self.tell(words, now_ms);
    }

    /// The ID check of record `seq` was settled elsewhere (its badge
    /// admitted or refused by hand): its question goes, the next comes up.
    pub fn check_settled(&mut self, seq: u64, now_ms: u64) {
        if matches!(&self.view, View::Confirm { outcome, .. } if outcome.entry.seq == seq) {
            self.view = View::Ready;
        }
        self.queue.retain(|o| o.entry.seq != seq);
        let w = self.cfg.lang.words();
        let words = crate::screen::lang::fill(w.check_settled, &[("seq", &seq.to_string())]);
        self.notice = Some((words, now_ms + 8000));
    }

    /// A guard's action the engine could not carry out (e.g. an empty note).
    pub fn action_failed(&mut self, e: &GuardError, now_ms: u64) {
        if let View::Confirm { answered, .. } = &mut self.view {
            *answered = false;
        }
        let words = crate::screen::wording::guard_error_words(e, &self.cfg);
        self.notice = Some((words, now_ms + 8000));
    }

    /// A journalled outcome from the engine: a decision, a confirmation or
    /// an override.
    pub fn on_outcome(&mut self, o: Outcome, now_ms: u64) {
        if self.is_out_of_service() {
            return;
        }
        let kind = o.entry.body.kind;
        if kind == EntryKind::Confirm && matches!(self.view, View::Confirm { .. }) {
            self.view = View::Ready;
        }
        if kind == EntryKind::Override && matches!(self.view, View::Note { .. }) {
            self.view = View::Ready;
        }
        if o.awaiting_confirmation {
            if !matches!(self.view, View::Ready) {
                self.queue.push_back(o);
            } else {
                self.ask(o, now_ms);
            }
            return;
        }
        self.hold(o, now_ms);
    }

    fn ask(&mut self, o: Outcome, now_ms: u64) {
        self.view = View::Confirm {
            card: card_for(&o, &self.cfg),
            outcome: o,
            deadline_ms: now_ms + self.cfg.confirm_timeout_ms,
            answered: false,
        };
    }

    /// Puts a verdict on top of those held, for its full hold time.
    fn hold(&mut self, o: Outcome, now_ms: u64) {
        self.shown.insert(
            0,
            Shown {
                card: card_for(&o, &self.cfg),
                outcome: o,
                until_ms: now_ms + self.cfg.hold_ms,
            },
        );
        while self.shown.len() > MAX_SHOWN {
            // The oldest admit gives way; denies stay their full time.
            match self.shown.iter().rposition(|s| s.card.tone != Tone::Deny) {
                Some(i) => {
                    self.shown.remove(i);
                }
                None => break,
            }
        }
    }

    /// Time passes: verdicts expire, a queued ID check comes up, an
    /// unanswered confirmation times out (returned as the action to
    /// journal).
    pub fn tick(&mut self, now_ms: u64) -> Option<GuardAction> {
        if !self.scan_line.is_empty() && now_ms > self.scan_line_at + SCAN_LINE_IDLE_MS {
            self.scan_line.clear();
        }
        self.shown.retain(|s| now_ms < s.until_ms);
        if let View::Confirm {
            outcome,
            deadline_ms,
            answered,
            ..
        } = &mut self.view
        {
            if now_ms >= *deadline_ms && !*answered {
                *answered = true;
                return Some(GuardAction::Confirm {
                    pending: outcome.clone(),
                    answer: Answer::TimedOut,
                });
            }
        }
        if let View::SignIn { deadline_ms } = self.view {
            if now_ms >= deadline_ms {
                self.view = View::Ready;
                self.notice = Some((self.cfg.lang.words().no_staff_badge.into(), now_ms + 5000));
                return Some(GuardAction::CancelSignIn);
            }
        }
        if matches!(self.view, View::Ready) {
            if let Some(o) = self.queue.pop_front() {
                self.ask(o, now_ms);
            }
        }
        None
    }

    /// The next time (ms) the screen changes by itself — a verdict ends, a
    /// confirmation times out, a notice fades — so the window can sleep
    /// until then.
    pub fn next_deadline(&self) -> Option<u64> {
        let verdict = self.shown.iter().map(|s| s.until_ms).min();
        let confirm = match &self.view {
            View::Confirm { deadline_ms, .. } | View::SignIn { deadline_ms } => Some(*deadline_ms),
            _ => None,
        };
        let notice = self.notice.as_ref().map(|(_, until)| *until);
        let line = (!self.scan_line.is_empty()).then(|| self.scan_line_at + SCAN_LINE_IDLE_MS + 1);
        [verdict, confirm, notice, line].into_iter().flatten().min()
    }

    /// The verdict a hand decision is about: the newest deny held, or else
    /// the newest verdict.
    fn disputed(&self) -> Option<Outcome> {
        self.shown
            .iter()
            .find(|s| s.card.tone == Tone::Deny)
            .or_else(|| self.shown.first())
            .map(|s| s.outcome.clone())
    }

    /// A key from the guard (or a keyboard-wedge scanner).
    pub fn key(&mut self, key: Key, now_ms: u64) -> Option<GuardAction> {
        if self.is_out_of_service() {
            return None;
        }
        if matches!(self.view, View::Note { .. }) {
            return self.note_key(key);
        }
        if matches!(self.view, View::SignIn { .. }) {
            return self.sign_in_key(key, now_ms);
        }
        let confirming = matches!(self.view, View::Confirm { .. });
        if self.wants_guard(&key, confirming, now_ms) {
            return None;
        }
        match key {
            Key::Text(t) => {
                if self.scan_line.len() + t.len() <= MAX_SCAN_LINE {
                    self.scan_line.push_str(&t);
                }
                self.scan_line_at = now_ms;
                None
            }
            Key::Backspace => {
                self.scan_line.pop();
                None
            }
            Key::Enter if !self.scan_line.is_empty() => {
                let text = std::mem::take(&mut self.scan_line);
                Some(GuardAction::Scan { text })
            }
            Key::Escape if !confirming => {
                // Clears the verdicts: a hand decision after it is then
                // about no badge (the one that would not read).
                self.shown.clear();
                None
            }
            Key::Enter => self.answer(Answer::Confirmed),
            Key::Escape => self.answer(Answer::Refused),
            Key::Shift if self.guard.is_some() => {
                if confirming {
                    // Signing out mid-check: finish the check first.
                    return None;
                }
                Some(GuardAction::SignOut)
            }
            Key::Shift => {
                // An ID check waiting with nobody signed in: it comes back
                // (with its full time) once the guard has signed in.
                if let View::Confirm {
                    outcome,
                    answered: false,
                    ..
                } = &self.view
                {
                    self.queue.push_front(outcome.clone());
                } else if confirming {
                    return None;
                }
                self.view = View::SignIn {
                    deadline_ms: now_ms + badgegate_gate::gate::runtime::SIGN_IN_WAIT_MS,
                };
                Some(GuardAction::SignIn)
            }
            Key::OverrideAdmit | Key::OverrideDeny => {
                if confirming {
                    // The ID check is answered with Enter or Escape first.
                    return None;
                }
                self.view = View::Note {
                    admit: key == Key::OverrideAdmit,
                    about: self.disputed(),
                    text: String::new(),
                    error: None,
                    armed: false,
                };
                None
            }
        }
    }

    /// The guard's answer to the ID check on screen, once.
    fn answer(&mut self, answer: Answer) -> Option<GuardAction> {
        let View::Confirm {
            outcome, answered, ..
        } = &mut self.view
        else {
            return None;
        };
        if *answered {
            return None;
        }
        *answered = true;
        Some(GuardAction::Confirm {
            pending: outcome.clone(),
            answer,
        })
    }

    /// What a guard decides names the guard: with nobody signed in, a hand
    /// decision or an ID-check answer is refused with a notice (the check
    /// then times out: not admitted). True when `key` was refused so.
    fn wants_guard(&mut self, key: &Key, confirming: bool, now_ms: u64) -> bool {
        let by_hand = matches!(key, Key::OverrideAdmit | Key::OverrideDeny)
            || (confirming && matches!(key, Key::Enter | Key::Escape) && self.scan_line.is_empty());
        if by_hand && self.guard.is_none() {
            self.notice = Some((self.cfg.lang.words().sign_in_first.into(), now_ms + 8000));
            return true;
        }
        false
    }

    /// Keys while the screen waits for a staff badge: a scanner's line is
    /// the badge; Escape (or F4) cancels.
    fn sign_in_key(&mut self, key: Key, now_ms: u64) -> Option<GuardAction> {
        match key {
            Key::Escape | Key::Shift => {
                self.view = View::Ready;
                Some(GuardAction::CancelSignIn)
            }
            Key::Text(t) => {
                if self.scan_line.len() + t.len() <= MAX_SCAN_LINE {
                    self.scan_line.push_str(&t);
                }
                self.scan_line_at = now_ms;
                None
            }
            Key::Backspace => {
                self.scan_line.pop();
                None
            }
            Key::Enter if !self.scan_line.is_empty() => Some(GuardAction::Scan {
                text: std::mem::take(&mut self.scan_line),
            }),
            _ => None,
        }
    }

    /// Keys while the guard types the note of a decision by hand.
    fn note_key(&mut self, key: Key) -> Option<GuardAction> {
        let words = self.cfg.lang.words();
        let View::Note {
            admit,
            about,
            text,
            error,
            armed,
        } = &mut self.view
        else {
            return None;
        };
        match key {
            Key::Text(t) => {
                text.extend(
                    t.chars()
                        .filter(|c| !badgegate_core::text::is_forbidden_char(*c)),
                );
                *error = None;
                *armed = false;
            }
            Key::Backspace => {
                text.pop();
                *armed = false;
            }
            Key::Escape => self.view = View::Ready,
            Key::Enter => {
                if badgegate_gate::gate::engine::clean_note(text).is_none() {
                    *error = Some(words.note_needed.into());
                    return None;
                }
                let serious = *admit && about.as_ref().is_some_and(needs_second_confirmation);
                if serious && !*armed {
                    *armed = true;
                    *error = Some(words.admit_anyway.into());
                    return None;
                }
                return Some(GuardAction::Override {
                    admit: *admit,
                    about: about.clone(),
                    note: text.clone(),
                });
            }
            Key::OverrideAdmit | Key::OverrideDeny | Key::Shift => {}
        }
        None
    }

    /// The admit hook failed for record `seq` (of `holder`): the door may
    /// not have opened. Said longer than other notices: the guard must let
    /// the person through by hand.
    pub fn hook_failed(&mut self, holder: Option<&str>, seq: u64, now_ms: u64) {
        let w = self.cfg.lang.words();
        let words = crate::screen::lang::fill(
            w.door_not_opened,
            &[
                (
                    "holder",
                    &printable_short(holder.unwrap_or(w.the_last_admit), 40),
                ),
                ("seq", &seq.to_string()),
            ],
        );
        self.notice = Some((words, now_ms + 15_000));
    }

    /// The journal cannot be written: nobody is admitted until it can.
    pub fn journal_failed(&mut self, detail: &str) {
        let w = self.cfg.lang.words();
        let why = crate::screen::lang::fill(
            w.journal_fails,
            &[("detail", &printable_short(detail, 160))],
        );
        self.out_of_service(why);
    }

    /// The engine behind the screen stopped: nobody is admitted.
    pub fn engine_stopped(&mut self) {
        let why = self.cfg.lang.words().engine_stopped;
        self.out_of_service(why);
    }

    /// A venue policy was taken up: names, colours and time from it on.
    pub fn set_policy(&mut self, policy: PolicyBody) {
        if !self.cfg.lang_pinned {
            self.cfg.lang = crate::screen::lang::Lang::of_policy(Some(&policy));
        }
        self.cfg.policy = Some(policy);
    }

    /// The revocation lists in use: their numbers and when the stalest
    /// was signed.
    pub fn set_lists(&mut self, lists: Option<(String, u64)>) {
        self.lists = lists;
    }

    /// A list was taken up (`None`) or refused (why): a refusal stays on
    /// the status bar until the next list is taken up.
    pub fn list_changed(&mut self, refused: Option<String>, now_ms: u64) {
        if let Some(why) = &refused {
            let words = crate::screen::lang::fill(
                self.cfg.lang.words().list_refused_event,
                &[("detail", &printable_short(why, 140))],
            );
            self.notice = Some((words, now_ms + 8000));
        }
        self.list_refused = refused;
    }

    /// The status bar's revocation text and whether it needs attention.
    pub fn revocation_status(&self, now_secs: u64) -> (String, bool) {
        use crate::screen::lang::fill;
        let w = self.cfg.lang.words();
        let (mut text, mut warn) = match &self.lists {
            None => (w.no_list.into(), true),
            Some((numbers, issued_at)) => {
                let age = now_secs.saturating_sub(*issued_at);
                let bound = self.cfg.lists_max_age_secs();
                let stale = age > bound;
                let mut s = fill(
                    w.lists,
                    &[("numbers", numbers), ("age", &self.cfg.lang.span(age))],
                );
                if stale {
                    s.push_str(&fill(
                        w.lists_frozen,
                        &[("bound", &self.cfg.lang.span(bound))],
                    ));
                }
                (s, stale)
            }
        };
        if self.list_refused.is_some() {
            text.push_str(w.list_refused);
            warn = true;
        }
        (text, warn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::screen::{Lang, Tone};
    use badgegate_core::format::badge::{Badge, SignedBadge};
    use badgegate_core::format::keys::{KeyId, SecretKey, TrustStore};
    use badgegate_core::journal::Journal;
    use badgegate_core::vocab::{Direction, EntryDecision, EntryReason, GuardReason, Reason};
    use badgegate_gate::gate::decide::AntiPassback;
    use badgegate_gate::gate::engine::{GuardError, Kiosk, KioskConfig};
    use badgegate_gate::gate::lists::RevocationSet;

    /// 2026-11-27T10:00:00Z.
    const NOW: u64 = 1_796_205_600;

    fn start_kiosk(anti_passback: AntiPassback) -> (Kiosk, SecretKey) {
        let k = SecretKey::from_seed(&[7; 32]);
        let cfg = KioskConfig {
            gate: "north".into(),
            zone: Some("plenary".into()),
            direction: Direction::In,
            anti_passback,
            skew_secs: 60,
            cooldown_ms: 0,
            confirm_categories: vec!["hod".into()],
            guard_present: true,
            staff_categories: vec!["staff".into()],
            photos: None,
            venue: None,
        };
        let trust = TrustStore::from_keys(&[k.public()], &[]);
        let j = Journal::open_in_memory("k1").unwrap();
        let mut kiosk = Kiosk::start(cfg, trust, RevocationSet::new(), j, NOW * 1000).unwrap();
        // The guard on shift signs in with a staff badge first.
        let staff = badge(&k, "S-1", "staff", NOW + 36_000);
        let shift = kiosk
            .sign_in_with_badge(staff.as_bytes(), "test", NOW * 1000 - 1)
            .unwrap();
        assert_eq!(shift.guard.as_deref(), Some("Ines Ferreira (S-1)"));
        (kiosk, k)
    }

    fn badge(k: &SecretKey, serial: &str, category: &str, until: u64) -> String {
        let b = Badge {
            key_id: KeyId([0; 4]),
            serial: serial.into(),
            name: "Ines Ferreira".into(),
            org: "Portugal".into(),
            category: category.into(),
            zones: vec!["plenary".into()],
            valid_from: NOW - 86_400,
            valid_until: until,
            issued_at: NOW - 90_000,
            photo: None,
        };
        SignedBadge::sign(b, k).unwrap().text().to_owned()
    }

    fn scan(kiosk: &mut Kiosk, text: &str, at_ms: u64) -> Outcome {
        kiosk.scan(text.as_bytes(), "test", at_ms).unwrap().unwrap()
    }

    /// A screen with the guard of [`start_kiosk`] signed in.
    fn screen(cfg: ScreenConfig) -> ScreenModel {
        let mut m = ScreenModel::new(cfg);
        m.on_shift(Some("Ines Ferreira (S-1)".into()), None, 0);
        m.notice = None;
        m
    }

    /// The card an ID check shows, or else the newest verdict held.
    fn card(m: &ScreenModel) -> &Card {
        match m.view() {
            View::Confirm { card, .. } => card,
            _ => &m.verdicts().first().expect("a verdict is shown").card,
        }
    }

    #[test]
    fn a_verdict_shows_then_returns_to_ready_after_the_hold_time() {
        let (mut kiosk, k) = start_kiosk(AntiPassback::Hard);
        let mut m = screen(ScreenConfig::default());
        let t = NOW * 1000;
        m.on_outcome(
            scan(&mut kiosk, &badge(&k, "D-1", "delegate", NOW + 36_000), t),
            t,
        );
        let c = card(&m);
        assert_eq!((c.tone, c.headline.as_str()), (Tone::Admit, "ADMIT"));
        assert_eq!(c.reason, "valid until today 20:00");
        assert_eq!(
            (c.name.as_str(), c.org.as_str()),
            ("Ines Ferreira", "Portugal")
        );
        assert_eq!(
            (c.category.as_str(), c.serial.as_str()),
            ("DELEGATE", "D-1")
        );
        assert!(c.verified);
        assert!(m.tick(t + DEFAULT_HOLD_MS - 1).is_none());
        assert_eq!(m.verdicts().len(), 1);
        assert_eq!(m.next_deadline(), Some(t + DEFAULT_HOLD_MS));
        m.tick(t + DEFAULT_HOLD_MS);
        assert!(matches!(m.view(), View::Ready));
        assert!(m.verdicts().is_empty());
        assert_eq!(m.next_deadline(), None, "nothing to wake up for");
    }

    #[test]
    fn two_people_at_once_each_see_their_verdict_for_its_full_hold() {
        let (mut kiosk, k) = start_kiosk(AntiPassback::Hard);
        let mut m = screen(ScreenConfig::default());
        let t = NOW * 1000;
        let first = badge(&k, "D-1", "delegate", NOW + 36_000);
        let second = badge(&k, "D-2", "delegate", NOW - 3600);
        m.on_outcome(scan(&mut kiosk, &first, t), t);
        m.on_outcome(scan(&mut kiosk, &second, t + 200), t + 200);
        let tones: Vec<Tone> = m.verdicts().iter().map(|s| s.card.tone).collect();
        assert_eq!(tones, [Tone::Deny, Tone::Admit], "newest first, both shown");
        // The admit stays its own 4 s, not cut short by the deny.
        m.tick(t + DEFAULT_HOLD_MS - 1);
        assert_eq!(m.verdicts().len(), 2);
        m.tick(t + DEFAULT_HOLD_MS);
        assert_eq!(m.verdicts().len(), 1);
        assert_eq!(m.verdicts()[0].card.tone, Tone::Deny);
        m.tick(t + 200 + DEFAULT_HOLD_MS);
        assert!(m.verdicts().is_empty());
    }

    #[test]
    fn a_crowd_never_pushes_a_deny_off_the_screen_before_its_time() {
        let (mut kiosk, k) = start_kiosk(AntiPassback::Off);
        let mut m = screen(ScreenConfig::default());
        let t = NOW * 1000;
        m.on_outcome(scan(&mut kiosk, "not a badge", t), t);
        for i in 1..=6u64 {
            let b = badge(&k, &format!("D-{i}"), "delegate", NOW + 3600);
            m.on_outcome(scan(&mut kiosk, &b, t + i * 10), t + i * 10);
        }
        let shown = m.verdicts();
        assert_eq!(shown.len(), MAX_SHOWN);
        assert!(
            shown.iter().any(|s| s.card.tone == Tone::Deny),
            "the deny stays while admits give way"
        );
        // Five denies: all five held.
        let mut m = screen(ScreenConfig::default());
        for i in 0..5u64 {
            m.on_outcome(scan(&mut kiosk, "junk", t + i), t + i);
        }
        assert_eq!(m.verdicts().len(), 5);
    }

    #[test]
    fn a_forged_name_is_never_shown_as_fact() {
        let (mut kiosk, _) = start_kiosk(AntiPassback::Hard);
        let stranger = SecretKey::from_seed(&[9; 32]);
        let mut m = screen(ScreenConfig::default());
        let t = NOW * 1000;
        let eve = Badge {
            key_id: KeyId([0; 4]),
            serial: "E-1".into(),
            name: "Eve Stranger".into(),
            org: "Nowhere".into(),
            category: "hod".into(),
            zones: vec!["plenary".into()],
            valid_from: NOW - 60,
            valid_until: NOW + 3600,
            issued_at: NOW - 120,
            photo: None,
        };
        let text = SignedBadge::sign(eve, &stranger).unwrap().text().to_owned();
        m.on_outcome(scan(&mut kiosk, &text, t), t);
        let c = card(&m);
        assert_eq!(c.tone, Tone::Deny);
        assert!(!c.verified);
        assert_eq!(c.name, "NAME NOT VERIFIED");
        assert_eq!(
            c.claimed,
            "badge claims “Eve Stranger” (Nowhere): do not trust it"
        );
        assert!(
            c.category.is_empty() && c.org.is_empty(),
            "no claimed category band"
        );
    }

    #[test]
    fn admitting_a_revoked_or_forged_badge_by_hand_takes_a_second_enter() {
        let (mut kiosk, _) = start_kiosk(AntiPassback::Hard);
        let stranger = SecretKey::from_seed(&[9; 32]);
        let mut m = screen(ScreenConfig::default());
        let t = NOW * 1000;
        let text = badge(&stranger, "E-2", "delegate", NOW + 3600);
        let o = scan(&mut kiosk, &text, t);
        assert_eq!(o.decision.reason, badgegate_core::vocab::Reason::UnknownKey);
        m.on_outcome(o, t);
        m.key(Key::OverrideAdmit, t + 1);
        m.key(Key::Text("known to the desk".into()), t + 2);
        assert!(
            m.key(Key::Enter, t + 3).is_none(),
            "the first Enter only arms"
        );
        assert!(matches!(
            m.view(),
            View::Note {
                armed: true,
                error: Some(_),
                ..
            }
        ));
        let Some(GuardAction::Override { admit: true, .. }) = m.key(Key::Enter, t + 4) else {
            panic!("the second Enter saves");
        };
        // Typing again disarms.
        m.key(Key::Escape, t + 5);
        m.key(Key::OverrideAdmit, t + 6);
        m.key(Key::Text("x".into()), t + 7);
        m.key(Key::Enter, t + 8);
        m.key(Key::Text("y".into()), t + 9);
        assert!(
            m.key(Key::Enter, t + 10).is_none(),
            "armed again from the start"
        );
    }

    #[test]
    fn deny_and_warning_read_in_plain_words() {
        let (mut kiosk, k) = start_kiosk(AntiPassback::Hard);
        let mut m = screen(ScreenConfig::default());
        let t = NOW * 1000;
        let expired = badge(&k, "D-2", "delegate", NOW - 14 * 3600);
        m.on_outcome(scan(&mut kiosk, &expired, t), t);
        assert_eq!(card(&m).tone, Tone::Deny);
        assert_eq!(card(&m).headline, "DENY");
        assert_eq!(card(&m).reason, "badge expired yesterday 20:00");
        m.on_outcome(scan(&mut kiosk, "hello", t + 10), t + 10);
        assert_eq!(card(&m).reason, "not a badge of this venue");
        assert!(!card(&m).verified);

        let (mut soft, k) = start_kiosk(AntiPassback::Soft);
        let good = badge(&k, "D-3", "delegate", NOW + 3600);
        scan(&mut soft, &good, t);
        m.on_outcome(scan(&mut soft, &good, t + 1), t + 1);
        assert_eq!(card(&m).tone, Tone::Warn);
        assert_eq!(card(&m).headline, "ADMIT — CHECK");
        assert!(card(&m).reason.starts_with("already inside"));
    }

    #[test]
    fn a_confirmation_waits_for_the_guard_and_only_then_admits() {
        let (mut kiosk, k) = start_kiosk(AntiPassback::Hard);
        let mut m = screen(ScreenConfig::default());
        let t = NOW * 1000;
        let hod = badge(&k, "H-1", "hod", NOW + 36_000);
        let o = scan(&mut kiosk, &hod, t);
        assert!(o.awaiting_confirmation);
        assert_eq!(
            o.entry.body.decision,
            EntryDecision::None,
            "not admitted before the guard says so"
        );
        m.on_outcome(o, t);
        assert_eq!(card(&m).tone, Tone::Ask);
        assert_eq!(card(&m).headline, "CHECK ID");
        // It does not time out on the hold timer.
        m.tick(t + DEFAULT_HOLD_MS * 3);
        assert!(matches!(m.view(), View::Confirm { .. }));
        // Another badge meanwhile is shown below the question.
        m.on_outcome(scan(&mut kiosk, "hello", t + 100), t + 100);
        assert_eq!(m.verdicts().len(), 1);
        assert!(matches!(m.view(), View::Confirm { .. }));
        let Some(GuardAction::Confirm { pending, answer }) = m.key(Key::Enter, t + 5000) else {
            panic!("Enter confirms");
        };
        assert_eq!(answer, Answer::Confirmed);
        assert!(m.key(Key::Enter, t + 5001).is_none(), "one answer only");
        let done = kiosk.confirm(&pending, answer, None, t + 5002).unwrap();
        assert_eq!(done.entry.body.decision, EntryDecision::Admit);
        assert_eq!(done.entry.body.kind, EntryKind::Confirm);
        m.on_outcome(done, t + 5002);
        assert_eq!(card(&m).tone, Tone::Admit);
        assert_eq!(card(&m).reason, "ID checked and confirmed by the guard");
        assert_eq!(kiosk.counters(0).unwrap().admitted, 1);
        assert_eq!(kiosk.counters(0).unwrap().inside, 1);
        assert!(matches!(m.view(), View::Ready));
        // A second ID check while one is asked waits its turn.
        m.on_outcome(
            scan(&mut kiosk, &badge(&k, "H-9", "hod", NOW + 36_000), t + 6000),
            t + 6000,
        );
        assert!(matches!(m.view(), View::Confirm { .. }));
        m.on_outcome(
            scan(&mut kiosk, &badge(&k, "H-8", "hod", NOW + 36_000), t + 6001),
            t + 6001,
        );
        assert_eq!(m.queued(), 1);
    }

    /// A head of delegation's card comes round again while her ID check
    /// waits: no second check is queued (two Enters once admitted her
    /// twice); the guard is told; one answer admits her once; a check
    /// settled by hand meanwhile admits no one when answered.
    #[test]
    fn a_badge_shown_again_while_its_id_check_waits_is_not_checked_twice() {
        let (mut kiosk, k) = start_kiosk(AntiPassback::Hard);
        let mut m = screen(ScreenConfig::default());
        let t = NOW * 1000;
        let hod = badge(&k, "HD-0001", "hod", NOW + 36_000);
        m.on_outcome(scan(&mut kiosk, &hod, t), t);
        assert_eq!(card(&m).headline, "CHECK ID");
        for later in [2_000, 30_000] {
            assert!(kiosk
                .scan(hod.as_bytes(), "test", t + later)
                .unwrap()
                .is_none());
            let said = kiosk.take_notices();
            assert_eq!(said.len(), 1);
            assert!(
                said[0]
                    .to_string()
                    .contains("HD-0001 already waits for its ID check (record"),
                "{said:?}"
            );
            m.tell_notice(&said[0], t + later);
        }
        assert_eq!(m.queued(), 0, "no second check");
        assert!(m.notice(t + 30_001).unwrap().contains("already waits"));
        let Some(GuardAction::Confirm { pending, answer }) = m.key(Key::Enter, t + 31_000) else {
            panic!("Enter confirms");
        };
        let done = kiosk.confirm(&pending, answer, None, t + 31_001).unwrap();
        assert_eq!(done.entry.body.decision, EntryDecision::Admit);
        m.on_outcome(done, t + 31_001);
        // Answering the same check again admits no one.
        assert!(matches!(
            kiosk.confirm(&pending, Answer::Confirmed, None, t + 31_002),
            Err(GuardError::AlreadySettled(_))
        ));
        assert_eq!(kiosk.counters(0).unwrap().admitted, 1);
        // Once answered, her next showing is decided afresh: inside.
        let again = scan(&mut kiosk, &hod, t + 40_000);
        assert_eq!(
            again.entry.body.reason,
            EntryReason::Badge(Reason::AlreadyInside)
        );

        // A check settled by hand (refused) while it waits: its question
        // goes from the screen, and answering it admits no one.
        let other = badge(&k, "HD-0002", "hod", NOW + 36_000);
        let waiting = scan(&mut kiosk, &other, t + 50_000);
        m.on_outcome(waiting.clone(), t + 50_000);
        assert!(matches!(m.view(), View::Confirm { .. }));
        kiosk
            .override_decision(false, Some(&waiting), "wrong person", t + 51_000)
            .unwrap();
        let err = kiosk
            .confirm(&waiting, Answer::Confirmed, None, t + 52_000)
            .unwrap_err();
        let GuardError::AlreadySettled(seq) = err else {
            panic!("{err}");
        };
        m.check_settled(seq, t + 52_000);
        assert!(!matches!(m.view(), View::Confirm { .. }));
        assert_eq!(kiosk.counters(0).unwrap().admitted, 1);
        // A check nobody answers stops holding the badge after a while.
        let third = badge(&k, "HD-0003", "hod", NOW + 36_000);
        scan(&mut kiosk, &third, t + 60_000);
        let later = t + 60_000 + badgegate_gate::gate::engine::AWAIT_CHECK_MS;
        assert!(kiosk
            .scan(third.as_bytes(), "test", later)
            .unwrap()
            .is_some());
    }

    /// The gate's notices are said in the guard's language.
    #[test]
    fn the_gates_notices_are_said_in_the_screens_language() {
        use badgegate_gate::gate::engine::GateNotice;
        let notice = GateNotice::AlreadyWaiting {
            serial: "HD-0001".into(),
            seq: 7,
        };
        for (lang, words) in [
            (
                Lang::En,
                "HD-0001 already waits for its ID check (record 7)",
            ),
            (Lang::Ru, "HD-0001 уже ждёт проверки документа (запись 7)"),
            (
                Lang::Tg,
                "HD-0001 аллакай интизори санҷиши ҳуҷҷат аст (сабти 7)",
            ),
        ] {
            let mut m = screen(ScreenConfig {
                lang,
                ..ScreenConfig::default()
            });
            m.tell_notice(&notice, 1);
            assert!(m.notice(2).unwrap().starts_with(words), "{:?}", m.notice(2));
            let back = GateNotice::ClockStepped {
                by_ms: -3_600_000,
                held_ms: 3_600_000,
            };
            m.tell_notice(&back, 1);
            let said = m.notice(2).unwrap().to_owned();
            assert!(said.contains("3600") && !said.contains('{'), "{said}");
            assert!(said.chars().next().unwrap().is_uppercase(), "{said}");
            m.check_settled(7, 3);
            assert!(m.notice(4).unwrap().contains('7'));
        }
        assert_eq!(
            notice.to_string(),
            "HD-0001 already waits for its ID check (record 7): answer that one"
        );
    }

    #[test]
    fn refusing_or_ignoring_a_confirmation_admits_nobody() {
        let (mut kiosk, k) = start_kiosk(AntiPassback::Hard);
        let cfg = ScreenConfig {
            confirm_timeout_ms: 30_000,
            ..ScreenConfig::default()
        };
        let mut m = screen(cfg);
        let t = NOW * 1000;
        m.on_outcome(scan(&mut kiosk, &badge(&k, "H-2", "hod", NOW + 3600), t), t);
        let Some(GuardAction::Confirm { pending, answer }) = m.key(Key::Escape, t + 10) else {
            panic!("Escape refuses");
        };
        assert_eq!(answer, Answer::Refused);
        let refused = kiosk.confirm(&pending, answer, None, t + 11).unwrap();
        assert_eq!(refused.entry.body.decision, EntryDecision::Deny);
        assert_eq!(
            refused.entry.body.reason,
            EntryReason::Guard(GuardReason::Refused)
        );
        m.on_outcome(refused, t + 11);
        assert_eq!(card(&m).tone, Tone::Deny);

        m.on_outcome(
            scan(&mut kiosk, &badge(&k, "H-3", "hod", NOW + 3600), t + 20),
            t + 20,
        );
        assert!(m.tick(t + 20 + 29_999).is_none());
        let Some(GuardAction::Confirm { pending, answer }) = m.tick(t + 20 + 30_000) else {
            panic!("the wait ends");
        };
        assert_eq!(answer, Answer::TimedOut);
        let late = kiosk.confirm(&pending, answer, None, t + 30_020).unwrap();
        assert_eq!(
            late.entry.body.reason,
            EntryReason::Guard(GuardReason::NotConfirmed)
        );
        let c = kiosk.counters(0).unwrap();
        assert_eq!((c.admitted, c.denied, c.inside), (0, 2, 0));
    }

    #[test]
    fn an_override_needs_a_typed_note_and_is_journalled_with_it() {
        let (mut kiosk, k) = start_kiosk(AntiPassback::Hard);
        let mut m = screen(ScreenConfig::default());
        let t = NOW * 1000;
        let expired = badge(&k, "D-9", "delegate", NOW - 600);
        m.on_outcome(scan(&mut kiosk, &expired, t), t);
        assert!(m.key(Key::OverrideAdmit, t + 1).is_none());
        assert!(matches!(
            m.view(),
            View::Note {
                admit: true,
                about: Some(_),
                ..
            }
        ));
        assert!(m.key(Key::Enter, t + 2).is_none(), "no empty note");
        assert!(matches!(m.view(), View::Note { error: Some(_), .. }));
        m.key(Key::Text("extension ".into()), t + 3);
        m.key(Key::Text("signed by desk\u{7}x".into()), t + 4);
        m.key(Key::Backspace, t + 5);
        let Some(GuardAction::Override { admit, about, note }) = m.key(Key::Enter, t + 6) else {
            panic!("Enter saves the note");
        };
        assert!(admit);
        assert_eq!(note, "extension signed by desk");
        let o = kiosk
            .override_decision(admit, about.as_ref(), &note, t + 7)
            .unwrap();
        assert_eq!(o.entry.body.kind, EntryKind::Override);
        assert_eq!(o.entry.body.serial.as_deref(), Some("D-9"));
        assert_eq!(o.entry.body.guard.as_deref(), Some("Ines Ferreira (S-1)"));
        assert_eq!(
            o.entry.body.note.as_deref(),
            Some("extension signed by desk")
        );
        m.on_outcome(o, t + 7);
        assert_eq!(card(&m).tone, Tone::Admit);
        assert_eq!(
            card(&m).reason,
            "admitted by hand: “extension signed by desk”"
        );

        // An unreadable badge: Escape clears the verdict, then deny by hand
        // about no badge.
        m.key(Key::Escape, t + 8);
        assert!(matches!(m.view(), View::Ready));
        assert!(m.verdicts().is_empty());
        m.key(Key::OverrideDeny, t + 60_001);
        assert!(matches!(
            m.view(),
            View::Note {
                admit: false,
                about: None,
                ..
            }
        ));
        m.key(Key::Escape, t + 60_002);
        assert!(matches!(m.view(), View::Ready), "Escape cancels");
        assert!(matches!(
            kiosk.override_decision(false, None, "  \u{1b} ", t),
            Err(badgegate_gate::gate::engine::GuardError::NoteNeeded)
        ));
    }

    /// What the engine could not do, a refused sign-in, a refused list, a
    /// door that did not open, a journal that fails and a list's age are
    /// said in the guard's language, not in the engine's English.
    #[test]
    fn notices_and_refusals_speak_the_screens_language() {
        let (mut kiosk, k) = start_kiosk(AntiPassback::Hard);
        let t = NOW * 1000;
        let mut m = ScreenModel::new(ScreenConfig {
            lang: Lang::Ru,
            ..ScreenConfig::default()
        });
        let expired = badge(&k, "S-2", "staff", NOW - 3600);
        let s = kiosk
            .sign_in_with_badge(expired.as_bytes(), "test", t)
            .unwrap();
        m.on_shift(s.guard.clone(), s.refused.as_ref(), t);
        let said = m.notice(t).unwrap().to_owned();
        assert!(
            said.starts_with("вход в смену отклонён: срок пропуска истёк: сегодня"),
            "{said}"
        );
        let delegate = badge(&k, "D-2", "delegate", NOW + 3600);
        let s = kiosk
            .sign_in_with_badge(delegate.as_bytes(), "test", t)
            .unwrap();
        m.on_shift(s.guard.clone(), s.refused.as_ref(), t);
        assert!(
            m.notice(t)
                .unwrap()
                .contains("пропуск категории delegate, а не сотрудника"),
            "{:?}",
            m.notice(t)
        );
        m.action_failed(&badgegate_gate::gate::engine::GuardError::NoteNeeded, t);
        assert_eq!(m.notice(t), Some(Lang::Ru.words().note_needed));
        m.hook_failed(Some("Amina Diallo"), 12, t);
        assert!(m
            .notice(t)
            .unwrap()
            .starts_with("ДВЕРЬ НЕ ОТКРЫЛАСЬ для Amina Diallo?"));
        m.list_changed(Some("an older list: refused".into()), t);
        assert!(m
            .notice(t)
            .unwrap()
            .starts_with("новый список отзыва ОТКЛОНЁН: "));
        m.set_lists(Some(("#4".into(), NOW - 3 * 3600)));
        let (bar, _) = m.revocation_status(NOW);
        assert!(bar.contains("возраст 3 часа"), "{bar}");
        m.journal_failed("No space left on device");
        match m.view() {
            View::OutOfService { why } => {
                assert_eq!(why, "журнал не записывается: No space left on device")
            }
            v => panic!("{v:?}"),
        }
        for lang in Lang::ALL {
            for w in [lang.words().seconds, lang.words().days] {
                assert!(w.iter().all(|f| !f.is_empty()));
            }
        }
    }

    #[test]
    fn only_a_genuine_valid_staff_badge_signs_a_guard_in_and_hand_decisions_need_one() {
        let (mut kiosk, k) = start_kiosk(AntiPassback::Hard);
        let t = NOW * 1000;
        kiosk.sign_out("end of shift", t).unwrap().unwrap();
        assert_eq!(kiosk.guard(), None);
        let expired = badge(&k, "D-1", "delegate", NOW - 3600);
        assert!(matches!(
            kiosk.override_decision(true, None, "known to me", t),
            Err(badgegate_gate::gate::engine::GuardError::NobodySignedIn)
        ));
        // A delegate's badge, an expired staff badge, a stranger's staff
        // badge: each refused, on the record.
        let stranger = SecretKey::from_seed(&[9; 32]);
        for (text, why) in [
            (
                badge(&k, "D-2", "delegate", NOW + 3600),
                "not a staff badge",
            ),
            (badge(&k, "S-2", "staff", NOW - 3600), "expired"),
            (
                badge(&stranger, "S-3", "staff", NOW + 3600),
                "does not trust",
            ),
        ] {
            let s = kiosk
                .sign_in_with_badge(text.as_bytes(), "test", t)
                .unwrap();
            let refused = s.refused.expect("refused").to_string();
            assert!(refused.contains(why), "{refused}");
            assert_eq!(s.guard, None);
            assert_eq!(s.entry.body.reason.code(), "guard_sign_in_refused");
        }
        let s = kiosk
            .sign_in_with_badge(badge(&k, "S-4", "staff", NOW + 3600).as_bytes(), "test", t)
            .unwrap();
        assert_eq!(s.guard.as_deref(), Some("Ines Ferreira (S-4)"));
        assert_eq!(s.entry.body.kind, EntryKind::Shift);
        let o = kiosk
            .scan(expired.as_bytes(), "test", t + 200)
            .unwrap()
            .unwrap();
        assert_eq!(o.entry.body.guard.as_deref(), Some("Ines Ferreira (S-4)"));
        let o = kiosk
            .override_decision(true, Some(&o), "desk extended it", t + 300)
            .unwrap();
        assert_eq!(o.entry.body.guard.as_deref(), Some("Ines Ferreira (S-4)"));
    }

    #[test]
    fn f4_waits_for_a_staff_badge_and_hand_decisions_wait_for_a_guard() {
        let mut m = ScreenModel::new(ScreenConfig::default());
        assert_eq!(m.guard(), None);
        assert!(m.key(Key::OverrideAdmit, 0).is_none());
        assert!(matches!(m.view(), View::Ready), "no note without a guard");
        assert!(m.notice(1).unwrap().contains("F4"));
        assert!(matches!(m.key(Key::Shift, 10), Some(GuardAction::SignIn)));
        assert!(matches!(m.view(), View::SignIn { .. }));
        // A scanner line while waiting is the staff badge.
        m.key(Key::Text("BG1:X".into()), 20);
        assert!(matches!(
            m.key(Key::Enter, 30),
            Some(GuardAction::Scan { .. })
        ));
        m.on_shift(Some("Sam Guard (S-9)".into()), None, 40);
        assert_eq!(m.guard(), Some("Sam Guard (S-9)"));
        assert!(matches!(m.view(), View::Ready));
        assert!(matches!(m.key(Key::Shift, 50), Some(GuardAction::SignOut)));
        // Nobody shows a badge: the wait ends by itself.
        m.on_shift(None, None, 60);
        m.key(Key::Shift, 100);
        let until = 100 + badgegate_gate::gate::runtime::SIGN_IN_WAIT_MS;
        assert!(m.tick(until - 1).is_none());
        assert!(matches!(m.tick(until), Some(GuardAction::CancelSignIn)));
        assert!(matches!(m.view(), View::Ready));
    }

    #[test]
    fn a_keyboard_wedge_line_becomes_a_scan_and_stray_keys_fade() {
        let mut m = screen(ScreenConfig::default());
        m.key(Key::Text("BG1:".into()), 0);
        m.key(Key::Text("ABC".into()), 10);
        let Some(GuardAction::Scan { text }) = m.key(Key::Enter, 20) else {
            panic!("a line");
        };
        assert_eq!(text, "BG1:ABC");
        m.key(Key::Text("x".into()), 100);
        m.tick(100 + SCAN_LINE_IDLE_MS + 1);
        assert!(m.key(Key::Enter, 100 + SCAN_LINE_IDLE_MS + 2).is_none());
    }

    #[test]
    fn out_of_service_overrides_everything() {
        let (mut kiosk, k) = start_kiosk(AntiPassback::Hard);
        let mut m = screen(ScreenConfig::default());
        m.out_of_service("disk full");
        m.on_outcome(
            scan(&mut kiosk, &badge(&k, "D-1", "delegate", NOW + 60), 0),
            0,
        );
        assert!(m.is_out_of_service());
        assert!(m.key(Key::OverrideAdmit, 1).is_none());
        assert!(
            m.is_out_of_service(),
            "no hand admits while the journal is down"
        );
    }

    #[test]
    fn zones_read_by_their_names_where_the_venue_gave_them() {
        let (mut kiosk, k) = start_kiosk(AntiPassback::Hard);
        let mut cfg = ScreenConfig::default();
        cfg.zone_names
            .insert("plenary".into(), "the plenary hall".into());
        let mut m = screen(cfg);
        let t = NOW * 1000;
        let b = Badge {
            key_id: KeyId([0; 4]),
            serial: "P-7".into(),
            name: "Li Ming".into(),
            org: "Xinhua".into(),
            category: "press".into(),
            zones: vec!["press".into()],
            valid_from: NOW - 60,
            valid_until: NOW + 3600,
            issued_at: NOW - 120,
            photo: None,
        };
        let text = SignedBadge::sign(b, &k).unwrap().text().to_owned();
        m.on_outcome(scan(&mut kiosk, &text, t), t);
        assert_eq!(
            card(&m).reason,
            "not valid for the plenary hall; valid for press"
        );
    }

    #[test]
    fn a_stale_or_refused_revocation_list_is_flagged() {
        let mut m = screen(ScreenConfig::default());
        assert!(m.revocation_status(NOW).1, "no list at all");
        m.set_lists(Some(("#4".into(), NOW - 3 * 3600)));
        let (text, warn) = m.revocation_status(NOW);
        assert_eq!(
            (text.as_str(), warn),
            ("revocations #4, 3 hours old", false)
        );
        m.set_lists(Some(("#4".into(), NOW - 13 * 3600)));
        assert!(m.revocation_status(NOW).1);
        m.set_lists(Some(("#4".into(), NOW - 60)));
        m.list_changed(Some("refused: a roll-back".into()), NOW * 1000);
        let (text, warn) = m.revocation_status(NOW);
        assert!(warn && text.contains("REFUSED"), "{text}");
        m.list_changed(None, NOW * 1000);
        assert!(!m.revocation_status(NOW).1);
    }
}
