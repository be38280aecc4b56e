//! The screen's side of the gate's one runtime loop (`Gate::run` on the
//! engine thread): what each frame, guard's action and list change came to,
//! sent to the screen as [`EngineEvent`]s. Nothing here decides or draws.

use std::sync::mpsc::Sender;
use std::sync::{Arc, OnceLock};

use crate::screen::{tone_for, SourceState, Tone};
use badgegate_core::clock::local_day_start_ms;
use badgegate_core::journal::JournalError;
use badgegate_core::text::{printable, printable_short};
use badgegate_gate::gate::engine::{Counters, ListChange, Outcome, ShiftOutcome};
use badgegate_gate::gate::runtime::{Fed, Gate, HookReport, Sighting, Sink};
use eframe::egui;

use badgegate_core::notice::Notices;
use badgegate_gate::gate::runtime::{list_change_line, out_of_service_line};

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
        refused: Option<badgegate_gate::gate::engine::SignInRefusal>,
    },
    /// A newer venue policy was taken up.
    Policy(Box<badgegate_core::format::policy::PolicyBody>),
    Seen {
        codes: Vec<Outline>,
        size: [u32; 2],
    },
    ActionFailed(badgegate_gate::gate::engine::GuardError),
    /// Something for the guard that is not a decision.
    Notice(badgegate_gate::gate::engine::GateNotice),
    /// An ID check settled elsewhere: its record.
    CheckSettled(u64),
    /// The admit hook failed for an admit (its holder and record): the
    /// door may not have opened.
    HookFailed(Option<String>, u64),
    /// The journal cannot be written, and why.
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

/// The screen's sink: what the gate's loop came to, sent to the screen
/// (and the guard's ear).
pub struct ScreenSink {
    pub events: Sender<EngineEvent>,
    pub repaint: Arc<OnceLock<egui::Context>>,
    pub utc_offset: i32,
    pub notices: Notices,
}

impl ScreenSink {
    fn send(&self, e: EngineEvent) {
        let _ = self.events.send(e);
        if let Some(ctx) = self.repaint.get() {
            ctx.request_repaint();
        }
    }

    fn counters(&self, gate: &Gate, now_ms: u64) {
        // Seconds east of UTC at the venue: from its policy, or the flag.
        let offset = match gate.kiosk().policy() {
            Some(p) => p.body.utc_offset_at(now_ms / 1000),
            None => self.utc_offset,
        };
        match gate.kiosk().counters(local_day_start_ms(now_ms, offset)) {
            Ok(c) => self.send(EngineEvent::Counters(c)),
            Err(e) => self
                .notices
                .say(format!("warning: cannot count today's decisions: {e}")),
        }
    }
}

impl Sink for ScreenSink {
    fn outcomes(&mut self, gate: &Gate, outcomes: Vec<Outcome>, now_ms: u64) {
        for o in outcomes {
            self.send(EngineEvent::Outcome(Box::new(o)));
        }
        self.counters(gate, now_ms);
    }

    /// Tells the screen about the lists in use, and what changed.
    fn lists(&mut self, gate: &Gate, changes: &[ListChange]) {
        if changes.is_empty() {
            // The loop started: today's numbers too.
            self.counters(gate, badgegate_core::clock::now_ms());
        }
        for p in changes.iter().filter_map(|c| c.policy.as_ref()) {
            self.send(EngineEvent::Policy(Box::new(p.body.clone())));
        }
        let set = gate.kiosk().revocations();
        let state = set.oldest_issued_at().map(|t| (set.summary(), t));
        let refused = changes
            .last()
            .map(|c| (!c.accepted).then(|| printable_short(&c.entry.body.detail, 160)));
        for c in changes {
            self.notices.say(list_change_line(c));
        }
        self.send(EngineEvent::Lists { state, refused });
    }

    /// Tells the guard of each failed admit hook, by name.
    fn hooks(&mut self, hooks: &[HookReport]) {
        for h in hooks.iter().filter(|h| h.failed) {
            self.notices.say(h.failure_line());
            self.send(EngineEvent::HookFailed(
                h.entry.body.holder.clone(),
                h.entry.seq,
            ));
        }
    }

    fn out_of_service(&mut self, e: &JournalError) {
        self.notices.say(out_of_service_line(e));
        self.send(EngineEvent::OutOfService(e.to_string()));
    }

    /// Tells the screen who is on shift now.
    fn shift(&mut self, s: ShiftOutcome) {
        self.send(EngineEvent::Shift {
            guard: s.guard,
            refused: s.refused,
        });
    }

    fn seen(&mut self, found: Vec<Sighting>, size: [u32; 2]) {
        self.send(EngineEvent::Seen {
            codes: found.into_iter().map(Outline::of).collect(),
            size,
        });
    }

    fn fed(&mut self, fed: &Fed) {
        match fed {
            Fed::Frame { .. } => {}
            Fed::Skipped(why) => self.notices.say(format!("warning: {}", printable(why))),
            Fed::Ended => {
                self.notices
                    .say("the frame source ended; the screen stays open (Ctrl+Q closes it)");
                self.send(EngineEvent::Source(SourceState::Ended));
            }
            Fed::Lost(why) => {
                self.notices.say(format!("error: {}", printable(why)));
                self.send(EngineEvent::Source(SourceState::Ended));
            }
            Fed::Reconnecting { why, attempt } => {
                self.send(EngineEvent::Source(SourceState::Reconnecting {
                    why: why.clone(),
                    attempt: *attempt,
                }))
            }
            Fed::Reconnected => self.send(EngineEvent::Source(SourceState::Running)),
        }
    }

    fn action_failed(&mut self, e: badgegate_gate::gate::engine::GuardError) {
        self.send(EngineEvent::ActionFailed(e));
    }

    fn notice(&mut self, notice: badgegate_gate::gate::engine::GateNotice) {
        self.send(EngineEvent::Notice(notice));
    }

    fn check_settled(&mut self, seq: u64) {
        self.send(EngineEvent::CheckSettled(seq));
    }
}
