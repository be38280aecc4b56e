//! The engine thread: each captured frame through the gate runtime (read,
//! decide, journal, hook), each guard's action journalled, and what came of
//! it sent to the screen. Nothing here draws.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use badgegate::clock::local_day_start_ms;
use badgegate::gate::engine::{
    Counters, GuardAction, GuardError, ListChange, Outcome, ShiftOutcome,
};
use badgegate::gate::runtime::{Acted, Gate, HookReport, KioskClock, Sighting};
use badgegate::journal::JournalError;
use badgegate::screen::{tone_for, SourceState, Tone};
use badgegate::text::printable_short;
use eframe::egui;

use super::capture::Captured;
use crate::cmd::kiosk::out_of_service_line;

/// What the engine tells the screen.
pub enum EngineEvent {
    Outcome(Box<Outcome>),
    Counters(Counters),
    /// The revocation lists in use ("#4 (1a2b3c4d)", stalest signing time),
    /// and, when a list changed, `Some(None)` for taken up or
    /// `Some(Some(why))` for refused.
    Lists {
        state: Option<(String, u64)>,
        refused: Option<Option<String>>,
    },
    Source(SourceState),
    /// A guard signed in (or was refused), or signed out.
    Shift {
        guard: Option<String>,
        refused: Option<String>,
    },
    /// A newer venue policy was taken up.
    Policy(Box<badgegate::format::policy::PolicyBody>),
    Seen {
        codes: Vec<Outline>,
        size: [u32; 2],
    },
    ActionFailed(String),
    /// The admit hook failed for an admit: the door may not have opened.
    HookFailed(String),
    OutOfService(String),
}

/// A code's outline on the live picture: where, in which verdict's colour
/// (`None`: not decided yet), and the words beside it.
pub struct Outline {
    pub corners: [[i32; 2]; 4],
    pub tone: Option<Tone>,
    pub label: String,
}

impl Outline {
    fn of(s: Sighting) -> Outline {
        let Some(o) = s.outcome else {
            return Outline {
                corners: s.corners,
                tone: None,
                label: String::new(),
            };
        };
        let label = match o.decision.badge.as_ref() {
            Some(b) if o.decision.authentic => printable_short(&b.name, 28),
            Some(_) => "NAME NOT VERIFIED".to_owned(),
            None => "not a badge".to_owned(),
        };
        Outline {
            corners: s.corners,
            tone: Some(tone_for(&o)),
            label,
        }
    }
}

/// The engine thread's state: the gate and where its news goes.
pub struct Engine {
    pub gate: Gate,
    pub events: Sender<EngineEvent>,
    pub repaint: Arc<OnceLock<egui::Context>>,
    pub clock: KioskClock,
    pub utc_offset: i32,
}

impl Engine {
    fn send(&self, e: EngineEvent) {
        let _ = self.events.send(e);
        if let Some(ctx) = self.repaint.get() {
            ctx.request_repaint();
        }
    }

    fn counters(&self, now_ms: u64) {
        match self
            .gate
            .kiosk()
            .counters(local_day_start_ms(now_ms, self.offset_at(now_ms)))
        {
            Ok(c) => self.send(EngineEvent::Counters(c)),
            Err(e) => eprintln!("warning: cannot count today's decisions: {e}"),
        }
    }

    /// Seconds east of UTC at the venue: from its policy, or the flag.
    fn offset_at(&self, now_ms: u64) -> i32 {
        match self.gate.kiosk().policy() {
            Some(p) => p.body.utc_offset_at(now_ms / 1000),
            None => self.utc_offset,
        }
    }

    /// Tells the screen about the lists in use, and what changed.
    fn lists(&self, changes: &[ListChange]) {
        for p in changes.iter().filter_map(|c| c.policy.as_ref()) {
            self.send(EngineEvent::Policy(Box::new(p.body.clone())));
        }
        let set = self.gate.kiosk().revocations();
        let state = set.oldest_issued_at().map(|t| (set.summary(), t));
        let refused = changes
            .last()
            .map(|c| (!c.accepted).then(|| printable_short(&c.entry.body.detail, 160)));
        crate::cmd::kiosk::say_lists(changes);
        self.send(EngineEvent::Lists { state, refused });
    }

    /// Looks for new revocation lists; false once the journal failed.
    fn refresh(&mut self) -> bool {
        let now_ms = self.clock.now_ms();
        match self.gate.refresh(now_ms) {
            Ok((changes, hooks)) => {
                if !changes.is_empty() {
                    self.lists(&changes);
                }
                self.hooks(&hooks);
                true
            }
            Err(e) => self.committed(Vec::new(), Some(e), now_ms),
        }
    }

    /// Tells the screen who is on shift now.
    fn shift(&self, s: ShiftOutcome) {
        self.send(EngineEvent::Shift {
            guard: s.guard,
            refused: s.refused.map(|r| printable_short(&r, 160)),
        });
    }

    /// Tells the guard of each failed admit hook, by name.
    fn hooks(&self, hooks: &[HookReport]) {
        crate::cmd::kiosk::say_hooks(hooks);
        for h in hooks.iter().filter(|h| h.failed) {
            self.send(EngineEvent::HookFailed(format!(
                "DOOR NOT OPENED for {}? the turnstile command failed (record {}): let them through by hand",
                printable_short(h.entry.body.holder.as_deref().unwrap_or("the last admit"), 40),
                h.entry.seq
            )));
        }
    }

    /// Shows committed outcomes; false once the journal failed.
    fn committed(&self, outcomes: Vec<Outcome>, failed: Option<JournalError>, now_ms: u64) -> bool {
        let any = !outcomes.is_empty();
        for o in outcomes {
            self.send(EngineEvent::Outcome(Box::new(o)));
        }
        if any {
            self.counters(now_ms);
        }
        match failed {
            None => true,
            Some(e) => {
                eprintln!("{}", out_of_service_line(&e));
                self.send(EngineEvent::OutOfService(format!(
                    "the journal cannot be written: {}",
                    printable_short(&e.to_string(), 160)
                )));
                false
            }
        }
    }

    /// Journals a guard's action; false once the journal failed.
    fn act(&mut self, action: GuardAction) -> bool {
        let now_ms = self.clock.now_ms();
        match self.gate.act(action, now_ms) {
            Ok(Acted::Outcome(o)) => self.committed(vec![o], None, now_ms),
            Ok(Acted::Shift(s)) => {
                self.shift(s);
                true
            }
            Ok(Acted::Nothing) => true,
            Err(GuardError::Journal(e)) => self.committed(Vec::new(), Some(e), now_ms),
            Err(e) => {
                self.send(EngineEvent::ActionFailed(e.to_string()));
                true
            }
        }
    }

    pub fn run(
        mut self,
        frames: Receiver<Captured>,
        actions: Receiver<GuardAction>,
        stop: &AtomicBool,
    ) {
        self.counters(self.clock.now_ms());
        self.lists(&[]);
        let mut frames = Some(frames);
        while !stop.load(Ordering::Relaxed) {
            if !self.refresh() {
                return;
            }
            while let Ok(action) = actions.try_recv() {
                if !self.act(action) {
                    return;
                }
            }
            let Some(rx) = &frames else {
                // The source ended: only the guard's keys remain.
                match actions.recv_timeout(Duration::from_millis(100)) {
                    Ok(action) => {
                        if !self.act(action) {
                            return;
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
                continue;
            };
            match rx.recv_timeout(Duration::from_millis(15)) {
                Ok(Captured::Frame { frame, now_ms }) => {
                    let step = self.gate.step(&frame, now_ms);
                    if !step.lists.is_empty() {
                        self.lists(&step.lists);
                    }
                    self.hooks(&step.hooks);
                    for s in step.shifts.iter().cloned() {
                        self.shift(s);
                    }
                    if !step.found.is_empty() {
                        self.send(EngineEvent::Seen {
                            codes: step.found.into_iter().map(Outline::of).collect(),
                            size: step.size,
                        });
                    }
                    if !self.committed(step.outcomes, step.failed, now_ms) {
                        return;
                    }
                }
                Ok(Captured::State(s)) => self.send(EngineEvent::Source(s)),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => frames = None,
            }
        }
        match self.gate.finish(self.clock.now_ms()) {
            Ok(hooks) => {
                crate::cmd::kiosk::say_hooks(&hooks);
            }
            Err(e) => eprintln!("{}", out_of_service_line(&e)),
        }
    }
}
