//! The gate runtime: what turns a frame source into journalled decisions,
//! the same for the headless loop and the guard's screen.
//!
//! - [`Feed`] takes frames from a [`SourceSpec`]'s source and stamps each
//!   with the kiosk's time (simulated for replays and `--at`), paces replays
//!   like a camera when asked, and reopens a lost camera when asked.
//! - [`Gate`] reads the codes in a frame, decides and journals each one
//!   ([`Kiosk`]), and starts the admit hook after each committed admit.
//!
//! - [`Gate::run`] is the one runtime loop both drive: frames and guard's
//!   actions in, lists refreshed, hooks journalled, the gate finished; what
//!   came of it goes to a [`Sink`] (JSON lines, or the screen).
//!
//! The life of a frame: `Feed::next_fed` → `Gate::step` (reader → engine →
//! journal commit → hook) → the sink shows or prints each outcome.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::gate::engine::{
    GateNotice, GuardAction, GuardError, Kiosk, ListChange, Outcome, ShiftOutcome, LIST_CHECK_EVERY,
};
use crate::gate::hook::{self, HookRun};
use badgegate_core::clock;
use badgegate_core::journal::{Entry, JournalError};
use badgegate_core::notice::Notices;
use badgegate_core::vocab::EntryDecision;
use badgegate_read::read::TrackingReader;
use badgegate_read::source::{Frame, FrameSource, OpenError, Payload, SourceError, SourceSpec};

/// Time between attempts to reopen a lost camera, unless the mode says.
pub const RECONNECT_EVERY: Duration = Duration::from_secs(2);

/// The kiosk's notion of now: the wall clock, or (with `--at`, or replaying
/// images) simulated time running on from the start.
#[derive(Clone, Copy, Debug)]
pub struct KioskClock {
    pub base_ms: u64,
    pub simulated: bool,
    pub started: Instant,
}

impl KioskClock {
    /// The wall clock, or simulated time from `at_ms` when given (or when
    /// `simulated` for a replay).
    pub fn new(at_ms: Option<u64>, simulated: bool) -> KioskClock {
        KioskClock {
            base_ms: at_ms.unwrap_or_else(clock::now_ms),
            simulated: simulated || at_ms.is_some(),
            started: Instant::now(),
        }
    }

    /// Now, by this kiosk's clock: simulated time, or the gate's own time
    /// (the wall clock, never set back: [`timekeeper`]).
    ///
    /// [`timekeeper`]: crate::gate::timekeeper
    pub fn now_ms(&self) -> u64 {
        if self.simulated {
            self.base_ms + self.started.elapsed().as_millis() as u64
        } else {
            crate::gate::timekeeper::now_ms()
        }
    }

    /// The gate holds something dated `at_ms` (its last record, a list's
    /// signature): a live clock never reads earlier from now on.
    pub fn hold_from(&self, at_ms: u64) {
        if !self.simulated {
            crate::gate::timekeeper::hold_from(at_ms);
        }
    }
}

/// What the feed has for the caller.
#[derive(Debug)]
pub enum Fed {
    /// A frame, at this kiosk time.
    Frame { frame: Frame, now_ms: u64 },
    /// One frame could not be read; the source goes on.
    Skipped(String),
    /// The camera is lost; the feed tries again every [`RECONNECT_EVERY`].
    Reconnecting { why: String, attempt: u32 },
    /// The camera is back.
    Reconnected,
    /// A finite source (a replay, stdin) has no more frames.
    Ended,
    /// The source is gone for good.
    Lost(String),
}

/// How the feed treats time and a lost camera.
#[derive(Clone, Copy, Debug, Default)]
pub struct FeedMode {
    /// Replays wait between frames as a camera would (the screen).
    pub pace: bool,
    /// A lost camera is reopened this often instead of ending the feed.
    pub reconnect_every: Option<Duration>,
}

/// Opens the source again after it was lost.
pub type Reopen = Box<dyn FnMut() -> Result<Box<dyn FrameSource>, OpenError>>;

/// Frames from a source, each stamped with the kiosk's time.
pub struct Feed {
    source: Box<dyn FrameSource>,
    reopen: Option<Reopen>,
    clock: KioskClock,
    mode: FeedMode,
    frame_no: u64,
    paced_from: Instant,
    lost: Option<(String, u32)>,
}

impl Feed {
    /// Opens the configured source; a camera is reopened when lost if the
    /// mode asks for it.
    pub fn open(spec: SourceSpec, clock: KioskClock, mode: FeedMode) -> Result<Feed, OpenError> {
        let source = spec.open()?;
        let reopen: Option<Reopen> = spec
            .can_reconnect()
            .then(|| Box::new(move || spec.open()) as Reopen);
        Ok(Feed::new(source, reopen, clock, mode))
    }

    /// A feed over any source; `reopen` brings it back after it is lost.
    pub fn new(
        source: Box<dyn FrameSource>,
        reopen: Option<Reopen>,
        clock: KioskClock,
        mode: FeedMode,
    ) -> Feed {
        Feed {
            source,
            reopen,
            clock,
            mode,
            frame_no: 0,
            paced_from: Instant::now(),
            lost: None,
        }
    }

    /// What the source says it delivers (a camera's format and size).
    pub fn describe(&self) -> Option<String> {
        self.source.describe()
    }

    /// The next frame or event. While the source is lost, each call waits
    /// the mode's reconnect interval and tries to reopen it once.
    pub fn next_fed(&mut self) -> Fed {
        if let Some((why, attempt)) = self.lost.take() {
            std::thread::sleep(self.mode.reconnect_every.unwrap_or(RECONNECT_EVERY));
            let reopened = match &mut self.reopen {
                Some(reopen) => reopen(),
                None => return Fed::Lost(why),
            };
            return match reopened {
                Ok(s) => {
                    self.source = s;
                    Fed::Reconnected
                }
                Err(_) => {
                    self.lost = Some((why.clone(), attempt + 1));
                    Fed::Reconnecting {
                        why,
                        attempt: attempt + 1,
                    }
                }
            };
        }
        let frame = match self.source.next_frame() {
            Ok(Some(f)) => f,
            Ok(None) => return Fed::Ended,
            Err(SourceError::BadFrame(why)) => {
                self.frame_no += 1;
                return Fed::Skipped(why);
            }
            Err(SourceError::Lost(why))
                if self.reopen.is_some() && self.mode.reconnect_every.is_some() =>
            {
                self.lost = Some((why.clone(), 1));
                return Fed::Reconnecting { why, attempt: 1 };
            }
            Err(SourceError::Lost(why)) => return Fed::Lost(why),
            // A failure this build does not know: the source is not to be
            // trusted any more.
            Err(e) => return Fed::Lost(e.to_string()),
        };
        let now_ms = match self.source.replay_interval_ms() {
            Some(interval) => {
                // Replays run at their frame rate on the screen; their
                // decisions use the same simulated time as --headless.
                if self.mode.pace {
                    let due = self.paced_from + Duration::from_millis(self.frame_no * interval);
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                }
                self.clock.base_ms + self.frame_no * interval
            }
            None => self.clock.now_ms(),
        };
        self.frame_no += 1;
        Fed::Frame { frame, now_ms }
    }
}

/// Runs a feed on a thread of its own and hands over what it gets, so the
/// caller can do other work (take up a new revocation list) while no frame
/// comes, e.g. while a scanner is idle. The source is opened on that thread;
/// an error opening it is returned here. Returns the receiver and what the
/// source says it delivers.
pub fn spawn_feed(
    spec: SourceSpec,
    clock: KioskClock,
    mode: FeedMode,
) -> Result<(std::sync::mpsc::Receiver<Fed>, Option<String>), OpenError> {
    use std::sync::mpsc;
    // A replay must not lose a frame; a slow reader holds the feed back.
    let (tx, rx) = mpsc::sync_channel::<Fed>(2);
    let (opened_tx, opened) = mpsc::channel::<Result<Option<String>, OpenError>>();
    let spawned = std::thread::Builder::new()
        .name("feed".into())
        .spawn(move || {
            let mut feed = match Feed::open(spec, clock, mode) {
                Ok(f) => {
                    let _ = opened_tx.send(Ok(f.describe()));
                    f
                }
                Err(e) => {
                    let _ = opened_tx.send(Err(e));
                    return;
                }
            };
            loop {
                let fed = feed.next_fed();
                let last = matches!(fed, Fed::Ended | Fed::Lost(_));
                if tx.send(fed).is_err() || last {
                    return;
                }
            }
        });
    if let Err(e) = spawned {
        return Err(OpenError::Images(format!(
            "cannot start the frame thread: {e}"
        )));
    }
    match opened.recv() {
        Ok(Ok(describe)) => Ok((rx, describe)),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(OpenError::Images(
            "the frame source stopped while opening".into(),
        )),
    }
}

/// The command run on each admit, and how long it may take.
#[derive(Clone, Debug)]
pub struct AdmitHook {
    pub command: String,
    pub timeout: Duration,
    /// Where the command's complaints (its stderr) are said.
    pub notices: Notices,
}

/// What one frame came to.
#[derive(Debug, Default)]
pub struct FrameStep {
    /// Where codes were found and what was decided for each: for outlines
    /// on the live picture, in the verdict's colour.
    pub found: Vec<Sighting>,
    pub size: [u32; 2],
    /// Each decision made, committed to the journal, in order.
    pub outcomes: Vec<Outcome>,
    /// Revocation lists taken up or refused before the frame was decided.
    pub lists: Vec<ListChange>,
    /// Admit hooks that finished since the last step, as journalled.
    pub hooks: Vec<HookReport>,
    /// A guard's sign-in with a badge in this frame, as journalled.
    pub shifts: Vec<ShiftOutcome>,
    /// What the guard should be told that is not a decision (a badge shown
    /// again while its ID check waits).
    pub notices: Vec<GateNotice>,
    /// The journal failed on a later code of this frame: what came before
    /// is committed; nothing more may be decided.
    pub failed: Option<JournalError>,
}

/// How long the screen waits for the staff badge after F4 (ms).
pub const SIGN_IN_WAIT_MS: u64 = 30_000;

/// What a guard's action came to.
#[derive(Clone, Debug)]
pub enum Acted {
    /// Nothing journalled (a sign-in armed or cancelled, nobody to sign out).
    Nothing,
    /// A confirmation, a decision by hand, or a scanned line's decision.
    Outcome(Outcome),
    /// A guard signed in, was refused, or signed out.
    Shift(ShiftOutcome),
}

/// A code's four corners in frame pixels.
pub type Corners = [[i32; 2]; 4];

/// A code found in a frame: its corners (frame pixels) and the outcome
/// it had — decided in this frame, or earlier while the same badge stayed
/// in view (`None`: nothing decided for it yet).
#[derive(Clone, Debug)]
pub struct Sighting {
    pub corners: Corners,
    pub outcome: Option<Outcome>,
}

/// How many codes' last outcomes are remembered for outlines.
const REMEMBERED_OUTCOMES: usize = 256;

/// An admit hook's run as journalled: its `hook` record, and whether it
/// failed (the door may not have opened: the guard must be told).
#[derive(Clone, Debug)]
pub struct HookReport {
    pub entry: Entry,
    pub failed: bool,
}

impl HookReport {
    /// The line said of a failed admit hook, for the gate's log: what
    /// failed, for whom, in which record.
    pub fn failure_line(&self) -> String {
        use badgegate_core::text::printable;
        format!(
            "warning: {} ({}; record {})",
            printable(&self.entry.body.detail),
            printable(self.entry.body.holder.as_deref().unwrap_or("no name")),
            self.entry.seq
        )
    }
}

/// The line said of a revocation list or policy taken up or refused.
pub fn list_change_line(c: &ListChange) -> String {
    let what = badgegate_core::text::printable(&c.entry.body.detail);
    if c.accepted {
        format!("{what} (record {})", c.entry.seq)
    } else {
        format!("warning: {what} (record {})", c.entry.seq)
    }
}

/// The one line said when the journal cannot be written.
pub fn out_of_service_line(e: &dyn std::fmt::Display) -> String {
    format!(
        "error: {}; OUT OF SERVICE: this kiosk admits no one until the journal can be written",
        badgegate_core::text::printable(&e.to_string())
    )
}

/// A hook still running, and the admit it runs for.
struct RunningHook {
    admit: Entry,
    handle: JoinHandle<HookRun>,
}

/// The kiosk engine with its reader and admit hook: what the headless loop
/// and the screen both drive, so both decide and journal alike.
pub struct Gate {
    kiosk: Kiosk,
    reader: TrackingReader,
    hook: Option<AdmitHook>,
    hooks: Vec<RunningHook>,
    /// Until when (kiosk ms) the next badge signs a guard in.
    sign_in_until: Option<u64>,
    /// Each code's latest outcome, so a badge held up for many frames keeps
    /// its verdict's colour (and an ID check's answer replaces it).
    outcomes: std::collections::HashMap<Vec<u8>, Outcome>,
}

impl Gate {
    pub fn new(kiosk: Kiosk, hook: Option<AdmitHook>) -> Gate {
        Gate {
            kiosk,
            reader: TrackingReader::new(),
            hook,
            hooks: Vec::new(),
            outcomes: Default::default(),
            sign_in_until: None,
        }
    }

    pub fn kiosk(&self) -> &Kiosk {
        &self.kiosk
    }

    /// Frames read with `budget` each instead of a live camera's
    /// [`badgegate_read::read::FRAME_BUDGET`] (recorded frames replayed on
    /// simulated time: [`badgegate_read::read::REPLAY_BUDGET`]).
    pub fn set_frame_budget(&mut self, budget: std::time::Duration) {
        self.reader = TrackingReader::with_budget(budget);
    }

    /// The engine, to configure before the first frame.
    pub fn kiosk_mut(&mut self) -> &mut Kiosk {
        &mut self.kiosk
    }

    /// Reads every code in a frame (or takes a scanned line), decides and
    /// journals each, and starts the admit hook after each committed admit.
    pub fn step(&mut self, frame: &Frame, now_ms: u64) -> FrameStep {
        let step = self.decide_frame(frame, now_ms);
        self.committed(&step);
        step
    }

    /// [`Gate::step`] without starting the admit hooks: within a batch,
    /// they wait for its commit.
    fn decide_frame(&mut self, frame: &Frame, now_ms: u64) -> FrameStep {
        let mut step = FrameStep::default();
        // A list written a moment ago counts for this very frame.
        let ready = self
            .kiosk
            .refresh_lists(now_ms)
            .map(|changes| step.lists = changes)
            .and_then(|()| self.finished_hooks(now_ms, false))
            .map(|hooks| step.hooks = hooks);
        if let Err(e) = ready {
            step.failed = Some(e);
            return step;
        }
        let codes: Vec<(Vec<u8>, Option<Corners>)> = match &frame.payload {
            Payload::Image(img) => {
                step.size = [img.width(), img.height()];
                self.reader
                    .read(img)
                    .into_iter()
                    .map(|c| (c.bytes, Some(c.corners)))
                    .collect()
            }
            Payload::Text(t) => vec![(t.clone(), None)],
        };
        let mut failed = false;
        for (code, corners) in codes {
            if !failed && self.take_sign_in(now_ms) {
                match self.kiosk.sign_in_with_badge(&code, &frame.label, now_ms) {
                    Ok(s) => step.shifts.push(s),
                    Err(e) => {
                        step.failed = Some(e);
                        failed = true;
                    }
                }
                continue;
            }
            if !failed {
                match self.kiosk.scan(&code, &frame.label, now_ms) {
                    Ok(Some(o)) => {
                        // Its admit hook starts once the record is
                        // committed: see `committed`.
                        self.remember(&code, &o);
                        step.outcomes.push(o);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        step.failed = Some(e);
                        failed = true;
                    }
                }
            }
            step.notices.extend(self.kiosk.take_notices());
            if let Some(corners) = corners {
                step.found.push(Sighting {
                    corners,
                    outcome: if failed {
                        None
                    } else {
                        self.outcomes.get(&code).cloned()
                    },
                });
            }
        }
        step
    }

    /// Keeps a code's latest outcome for its outline.
    fn remember(&mut self, code: &[u8], o: &Outcome) {
        if self.outcomes.len() >= REMEMBERED_OUTCOMES && !self.outcomes.contains_key(code) {
            self.outcomes.clear();
        }
        self.outcomes.insert(code.to_vec(), o.clone());
    }

    /// Looks for new revocation lists now and then, and journals the admit
    /// hooks that finished (the loop calls this while no frame comes, so a
    /// list is taken up with nobody at the gate).
    pub fn refresh(
        &mut self,
        now_ms: u64,
    ) -> Result<(Vec<ListChange>, Vec<HookReport>), JournalError> {
        let lists = self.kiosk.refresh_lists(now_ms)?;
        let hooks = self.finished_hooks(now_ms, false)?;
        Ok((lists, hooks))
    }

    /// Journals each admit hook that has finished (with `wait`, waits for
    /// all of them first).
    fn finished_hooks(&mut self, now_ms: u64, wait: bool) -> Result<Vec<HookReport>, JournalError> {
        let Some(h) = &self.hook else {
            return Ok(Vec::new());
        };
        let timeout = h.timeout;
        let mut reports = Vec::new();
        let mut i = 0;
        while i < self.hooks.len() {
            if !wait && !self.hooks[i].handle.is_finished() {
                i += 1;
                continue;
            }
            let running = self.hooks.remove(i);
            let run = running.handle.join().unwrap_or_else(|_| HookRun {
                end: hook::HookEnd::Failed("the hook's watcher thread panicked".into()),
                last_error: None,
                millis: 0,
            });
            let entry = self
                .kiosk
                .record_hook(&running.admit, &run, timeout, now_ms)?;
            reports.push(HookReport {
                entry,
                failed: !run.end.is_success(),
            });
        }
        Ok(reports)
    }

    /// Journals a guard's action from the screen.
    pub fn act(&mut self, action: GuardAction, now_ms: u64) -> Result<Acted, GuardError> {
        let outcome =
            match action {
                GuardAction::Confirm { pending, answer } => {
                    Some(self.kiosk.confirm(&pending, answer, None, now_ms)?)
                }
                GuardAction::Override { admit, about, note } => Some(
                    self.kiosk
                        .override_decision(admit, about.as_ref(), &note, now_ms)?,
                ),
                GuardAction::Scan { text } => {
                    let input = format!("keyboard:{now_ms}");
                    // The scanner's Enter ended the line; the text is read as
                    // typed (a space is a badge character, not padding).
                    if self.take_sign_in(now_ms) {
                        let s = self
                            .kiosk
                            .sign_in_with_badge(text.as_bytes(), &input, now_ms)?;
                        return Ok(Acted::Shift(s));
                    }
                    self.kiosk.scan(text.as_bytes(), &input, now_ms)?
                }
                GuardAction::SignIn => {
                    self.sign_in_until = Some(now_ms + SIGN_IN_WAIT_MS);
                    return Ok(Acted::Nothing);
                }
                GuardAction::CancelSignIn => {
                    self.sign_in_until = None;
                    return Ok(Acted::Nothing);
                }
                GuardAction::SignOut => {
                    return Ok(match self.kiosk.sign_out("signed out", now_ms)? {
                        Some(s) => Acted::Shift(s),
                        None => Acted::Nothing,
                    })
                }
            };
        if let Some(o) = &outcome {
            self.after_commit(o);
            // The code an ID check's answer is about now shows the answer.
            if o.entry.body.kind == badgegate_core::vocab::EntryKind::Confirm {
                for seen in self.outcomes.values_mut() {
                    if seen.awaiting_confirmation && seen.entry.body.serial == o.entry.body.serial {
                        *seen = o.clone();
                    }
                }
            }
        }
        Ok(match outcome {
            Some(o) => Acted::Outcome(o),
            None => Acted::Nothing,
        })
    }

    /// True (once) if the guard asked that the next badge sign them in.
    fn take_sign_in(&mut self, now_ms: u64) -> bool {
        self.sign_in_until
            .take()
            .is_some_and(|until| now_ms <= until)
    }

    /// Starts the admit hooks of a step's outcomes: called once their
    /// records are committed (at once, or when their batch commits).
    fn committed(&mut self, step: &FrameStep) {
        for o in &step.outcomes {
            self.after_commit(o);
        }
    }

    fn after_commit(&mut self, o: &Outcome) {
        if o.entry.body.decision != EntryDecision::Admit {
            return;
        }
        if let Some(h) = &self.hook {
            self.hooks.push(RunningHook {
                admit: o.entry.clone(),
                handle: hook::spawn(
                    &h.command,
                    hook::admit_env(&self.kiosk, o),
                    h.timeout,
                    h.notices.clone(),
                ),
            });
        }
    }

    /// Waits for the hooks still running and journals how each ended; the
    /// guard on shift, if any, is signed out.
    pub fn finish(&mut self, now_ms: u64) -> Result<Vec<HookReport>, JournalError> {
        let hooks = self.finished_hooks(now_ms, true)?;
        self.kiosk.sign_out("the kiosk stopped", now_ms)?;
        Ok(hooks)
    }
}

/// The most scanner lines journalled in one commit.
const BATCH_MAX: usize = 64;

/// Where the runtime loop's news goes: JSON lines for a controller
/// (headless) or the guard's screen. The loop decides and journals; a
/// sink only shows. Each method has a default that shows nothing, but for
/// what every sink must show.
pub trait Sink {
    /// Decisions and answers committed to the journal, in order.
    fn outcomes(&mut self, gate: &Gate, outcomes: Vec<Outcome>, now_ms: u64);
    /// Revocation lists or a policy taken up or refused (empty: the loop
    /// started, show the lists in use).
    fn lists(&mut self, gate: &Gate, changes: &[ListChange]);
    /// Admit hooks that ended, as journalled.
    fn hooks(&mut self, hooks: &[HookReport]);
    /// The journal cannot be written: the gate is out of service.
    fn out_of_service(&mut self, e: &JournalError);
    /// A guard signed in, was refused, or signed out.
    fn shift(&mut self, _s: ShiftOutcome) {}
    /// Where codes are in the frame just read.
    fn seen(&mut self, _found: Vec<Sighting>, _size: [u32; 2]) {}
    /// What the feed said besides a frame: a frame skipped, the camera
    /// lost or back, the source ended.
    fn fed(&mut self, _fed: &Fed) {}
    /// A guard's action that could not be done (nothing journalled).
    fn action_failed(&mut self, _e: GuardError) {}
    /// Something to tell the guard that is not a decision.
    fn notice(&mut self, _notice: GateNotice) {}
    /// The ID check of record `seq` was already settled: its question goes.
    fn check_settled(&mut self, seq: u64) {
        self.action_failed(GuardError::AlreadySettled(seq))
    }
    /// Once a turn of the loop, at least every [`LIST_CHECK_EVERY`].
    fn tick(&mut self, _gate: &Gate, _now_ms: u64) {}
}

/// How the loop ended.
#[derive(Debug, PartialEq, Eq)]
pub enum LoopEnd {
    /// The feed ran out (headless) or the loop was asked to stop.
    Ended,
    /// The frame source is gone for good (headless; the screen stays open
    /// and says so).
    SourceLost(String),
    /// The journal could not be written: nothing more may be decided.
    OutOfService,
}

impl Gate {
    /// The gate's one runtime loop, for the headless kiosk and the screen
    /// alike: each frame decided and journalled, each guard's action
    /// journalled, new lists taken up at least every [`LIST_CHECK_EVERY`]
    /// whether frames come or not, finished hooks journalled, and on the
    /// way out the hooks still running waited for and the guard signed
    /// out. With `actions` (a screen), a source that ends or is lost
    /// leaves the loop running for the guard's keys until `stop`; without,
    /// the loop ends with the feed.
    pub fn run(
        &mut self,
        frames: Receiver<Fed>,
        actions: Option<&Receiver<GuardAction>>,
        clock: &KioskClock,
        sink: &mut dyn Sink,
        stop: &AtomicBool,
    ) -> LoopEnd {
        // A screen also listens for keys: frames are waited for briefly.
        let wait = if actions.is_some() {
            Duration::from_millis(15)
        } else {
            LIST_CHECK_EVERY
        };
        sink.lists(self, &[]);
        let mut frames = Some(frames);
        let mut refreshed = Instant::now();
        let end = 'turns: loop {
            if stop.load(Ordering::Relaxed) {
                break LoopEnd::Ended;
            }
            let now_ms = clock.now_ms();
            if let Err(e) = self.journal_clock_steps(clock, sink) {
                sink.out_of_service(&e);
                return LoopEnd::OutOfService;
            }
            sink.tick(self, now_ms);
            if refreshed.elapsed() >= LIST_CHECK_EVERY {
                refreshed = Instant::now();
                match self.refresh(now_ms) {
                    Ok((changes, hooks)) => {
                        if !changes.is_empty() {
                            sink.lists(self, &changes);
                        }
                        sink.hooks(&hooks);
                    }
                    Err(e) => {
                        sink.out_of_service(&e);
                        return LoopEnd::OutOfService;
                    }
                }
            }
            if let Some(actions) = actions {
                let mut failed = None;
                while let Ok(action) = actions.try_recv() {
                    failed = self.act_into(action, clock, sink).err();
                    if failed.is_some() {
                        break;
                    }
                }
                if let Some(e) = failed {
                    sink.out_of_service(&e);
                    return LoopEnd::OutOfService;
                }
            }
            let Some(rx) = &frames else {
                // The source ended: only the guard's keys remain.
                std::thread::sleep(wait);
                continue;
            };
            let mut next = Some(rx.recv_timeout(wait));
            let mut source_done = false;
            while let Some(got) = next.take() {
                match got {
                    Ok(Fed::Frame { frame, now_ms }) => {
                        // Scanner lines already waiting (a burst, a replayed
                        // folder) are decided in turn and journalled in one
                        // commit; none is shown or acted on before it.
                        // A frame read before the gate started is decided
                        // no earlier than what the gate already holds.
                        let floor = crate::gate::timekeeper::floor_ms();
                        let mut batch = vec![(frame, now_ms.max(floor))];
                        if actions.is_none() {
                            while batch.len() < BATCH_MAX {
                                match rx.try_recv() {
                                    Ok(Fed::Frame { frame, now_ms }) => {
                                        batch.push((frame, now_ms.max(floor)))
                                    }
                                    Ok(other) => {
                                        next = Some(Ok(other));
                                        break;
                                    }
                                    Err(_) => break,
                                }
                            }
                        }
                        if let Some(end) = self.run_batch(batch, sink) {
                            return end;
                        }
                    }
                    Ok(fed) => {
                        sink.fed(&fed);
                        match fed {
                            Fed::Ended if actions.is_none() => break 'turns LoopEnd::Ended,
                            Fed::Lost(why) | Fed::Reconnecting { why, .. } if actions.is_none() => {
                                break 'turns LoopEnd::SourceLost(why)
                            }
                            Fed::Ended | Fed::Lost(_) => source_done = true,
                            _ => {}
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) if actions.is_none() => {
                        break 'turns LoopEnd::Ended
                    }
                    Err(RecvTimeoutError::Disconnected) => source_done = true,
                }
            }
            if source_done {
                frames = None;
            }
        };
        match self.finish(clock.now_ms()) {
            Ok(hooks) => sink.hooks(&hooks),
            Err(e) => {
                sink.out_of_service(&e);
                return LoopEnd::OutOfService;
            }
        }
        end
    }

    /// Journals each jump of the gate PC's clock seen since the last turn,
    /// and tells the guard.
    fn journal_clock_steps(
        &mut self,
        clock: &KioskClock,
        sink: &mut dyn Sink,
    ) -> Result<(), JournalError> {
        if clock.simulated {
            return Ok(());
        }
        for step in crate::gate::timekeeper::take_steps() {
            self.kiosk.record_clock_step(&step)?;
            sink.notice(GateNotice::ClockStepped {
                by_ms: step.by_ms,
                held_ms: step.kept_ms.saturating_sub(step.wall_ms),
            });
        }
        Ok(())
    }

    /// Decides a batch of frames, commits their records once (a single
    /// frame commits as it goes), then starts their hooks and shows them.
    /// `Some`: the journal failed and the loop ends out of service; a batch
    /// that failed keeps and shows nothing.
    fn run_batch(&mut self, batch: Vec<(Frame, u64)>, sink: &mut dyn Sink) -> Option<LoopEnd> {
        let grouped = batch.len() > 1;
        if grouped {
            if let Err(e) = self.kiosk.begin_batch() {
                sink.out_of_service(&e);
                return Some(LoopEnd::OutOfService);
            }
        }
        let mut steps = Vec::with_capacity(batch.len());
        let mut failed = None;
        for (frame, now_ms) in batch {
            let mut step = self.decide_frame(&frame, now_ms);
            failed = step.failed.take();
            steps.push((step, now_ms));
            if failed.is_some() {
                break;
            }
        }
        if grouped {
            match failed {
                None => failed = self.kiosk.commit_batch().err(),
                Some(_) => self.kiosk.abandon_batch(),
            }
            if let Some(e) = failed {
                sink.out_of_service(&e);
                return Some(LoopEnd::OutOfService);
            }
        }
        for (step, now_ms) in steps {
            self.committed(&step);
            if !step.lists.is_empty() {
                sink.lists(self, &step.lists);
            }
            sink.hooks(&step.hooks);
            for s in step.shifts {
                sink.shift(s);
            }
            for n in step.notices {
                sink.notice(n);
            }
            if !step.found.is_empty() {
                sink.seen(step.found, step.size);
            }
            if !step.outcomes.is_empty() {
                sink.outcomes(self, step.outcomes, now_ms);
            }
        }
        if let Some(e) = failed {
            sink.out_of_service(&e);
            return Some(LoopEnd::OutOfService);
        }
        None
    }

    /// A guard's action, journalled and shown; `Err` once the journal
    /// failed.
    fn act_into(
        &mut self,
        action: GuardAction,
        clock: &KioskClock,
        sink: &mut dyn Sink,
    ) -> Result<(), JournalError> {
        let now_ms = clock.now_ms();
        let acted = self.act(action, now_ms);
        for n in self.kiosk.take_notices() {
            sink.notice(n);
        }
        match acted {
            Ok(Acted::Outcome(o)) => sink.outcomes(self, vec![o], now_ms),
            Ok(Acted::Shift(s)) => sink.shift(s),
            Ok(Acted::Nothing) => {}
            Err(GuardError::Journal(e)) => return Err(e),
            Err(GuardError::AlreadySettled(seq)) => sink.check_settled(seq),
            Err(e) => sink.action_failed(e),
        }
        Ok(())
    }
}
