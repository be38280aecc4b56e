//! The headless gate: the runtime's one loop with a sink that writes one
//! JSON line per decision (after its record is committed) for the gate's
//! controller, and says lists, hooks and trouble to [`Notices`]; at the
//! end the office is handed the last records and told the gate stopped.

use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::Duration;

use badgegate_core::clock::format_span;
use badgegate_core::journal::JournalError;
use badgegate_core::notice::Notices;
use badgegate_core::text::{json_line, printable};

use crate::gate::engine::{GateNotice, ListChange, Outcome};
use crate::gate::runtime::{
    list_change_line, out_of_service_line, Fed, Gate, HookReport, KioskClock, LoopEnd, Sink,
};
use crate::net::link::{self, SharedState};

/// Says when the revocation lists grow older than the freeze bound (the
/// venue policy's, else the gate's own), and when they are current again:
/// once each.
struct Freeze {
    default_secs: u64,
    said: bool,
}

impl Freeze {
    fn look(&mut self, gate: &Gate, now_ms: u64, notices: &Notices) {
        let k = gate.kiosk();
        let bound =
            crate::gate::venue::lists_max_age_secs(k.policy().map(|p| &p.body), self.default_secs);
        let Some(signed) = k.revocations().oldest_issued_at() else {
            return;
        };
        let age = (now_ms / 1000).saturating_sub(signed);
        let stale = age > bound;
        if stale && !self.said {
            notices.say(format!(
                "warning: revocation lists FROZEN? the oldest in use was signed {} ago, past the {} bound: this gate may not be receiving lists; get the current list",
                format_span(age),
                format_span(bound)
            ));
        } else if !stale && self.said {
            notices.say("revocation lists current again");
        }
        self.said = stale;
    }
}

/// The headless sink: one JSON line per decision on `out`, each after its
/// record is committed; lists, hooks and trouble to the notices.
struct JsonLines<W: Write> {
    out: W,
    notices: Notices,
    freeze: Freeze,
    hooks_failed: usize,
}

impl<W: Write> Sink for JsonLines<W> {
    fn outcomes(&mut self, gate: &Gate, outcomes: Vec<Outcome>, _now_ms: u64) {
        for outcome in &outcomes {
            let line = json_line(&gate.kiosk().outcome_line(outcome));
            // A closed output (the controller went away) must not stop
            // the journal; the decision is already committed.
            let _ = writeln!(self.out, "{line}");
            let _ = self.out.flush();
        }
    }

    fn lists(&mut self, _gate: &Gate, changes: &[ListChange]) {
        for c in changes {
            self.notices.say(list_change_line(c));
        }
    }

    fn hooks(&mut self, hooks: &[HookReport]) {
        for h in hooks.iter().filter(|h| h.failed) {
            self.hooks_failed += 1;
            self.notices.say(h.failure_line());
        }
    }

    fn out_of_service(&mut self, e: &JournalError) {
        self.notices.say(out_of_service_line(e));
    }

    fn fed(&mut self, fed: &Fed) {
        match fed {
            Fed::Skipped(why) => self.notices.say(format!("warning: {}", printable(why))),
            Fed::Lost(why) | Fed::Reconnecting { why, .. } => self
                .notices
                .say(format!("error: {}; the kiosk stopped", printable(why))),
            _ => {}
        }
    }

    fn tick(&mut self, gate: &Gate, now_ms: u64) {
        self.freeze.look(gate, now_ms, &self.notices);
    }

    fn notice(&mut self, notice: GateNotice) {
        self.notices
            .say(format!("notice: {}", printable(&notice.to_string())));
    }
}

/// How a headless run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ended {
    /// The input ended or the gate was stopped on purpose, every hook
    /// succeeded.
    Done,
    /// Done, but this many admit hooks failed: those doors may not have
    /// opened.
    HooksFailed(usize),
    /// The frame source was lost.
    SourceLost,
    /// The journal could not be written.
    OutOfService,
}

/// Runs the gate's loop over the feed, a JSON line per decision to `out`,
/// until the feed ends or `stop` is set; then hands the office the last
/// records. `lists_max_age_secs`: the freeze bound when the venue policy
/// gives none.
#[allow(clippy::too_many_arguments)]
pub fn run(
    mut gate: Gate,
    frames: Receiver<Fed>,
    clock: KioskClock,
    office: Option<&SharedState>,
    lists_max_age_secs: u64,
    out: impl Write,
    notices: Notices,
    stop: &Arc<AtomicBool>,
) -> Ended {
    let mut sink = JsonLines {
        out,
        notices: notices.clone(),
        freeze: Freeze {
            default_secs: lists_max_age_secs,
            said: false,
        },
        hooks_failed: 0,
    };
    match gate.run(frames, None, &clock, &mut sink, stop) {
        LoopEnd::Ended => {}
        LoopEnd::SourceLost(_) => return Ended::SourceLost,
        LoopEnd::OutOfService => return Ended::OutOfService,
    }
    if let Some(state) = office {
        hand_over(state, gate.kiosk().journal().next_seq() - 1, &notices);
    }
    if sink.hooks_failed > 0 {
        notices.say(format!(
            "warning: the --on-admit command failed {} time(s): those admits may not have opened the door (hook_failed records in the journal)",
            sink.hooks_failed
        ));
        return Ended::HooksFailed(sink.hooks_failed);
    }
    Ended::Done
}

/// The gate stops on purpose: hands the office the last records while it
/// is there (what it does not get waits for the next run), then says
/// goodbye, so the office shows the gate STOPPED, not OFFLINE.
pub fn hand_over(state: &SharedState, last: u64, notices: &Notices) {
    if !link::wait_flushed(state, last, Duration::from_secs(10)) {
        notices.say(format!(
            "office: records up to {last} are not all at the office yet; they are sent when this kiosk next runs"
        ));
    } else if let Err(e) = link::say_goodbye(state, last) {
        notices.say(format!(
            "office: could not say this gate stops on purpose ({}); the office shows it OFFLINE until it runs again",
            printable(&e.to_string())
        ));
    } else {
        notices.say(format!(
            "office: all records up to {last} are at the office; it shows this gate STOPPED"
        ));
    }
}
