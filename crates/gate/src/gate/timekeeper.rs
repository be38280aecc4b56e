//! The gate's own time. A gate decides a badge's validity by its clock,
//! so setting that clock back would bring an expired badge back to life.
//! The gate therefore never dates a record before one it has already made
//! (nor before the newest list it holds was signed): when the wall clock
//! jumps back, the gate holds its lead and keeps counting; when it jumps
//! forward (a slow clock corrected), the gate follows, which can only make
//! it stricter. Every jump of more than [`STEP_MS`] against the elapsed
//! time is a [`ClockStep`], journalled by the runtime (a `clock` record),
//! said on the guard's screen and raised as an alarm at the office.
//!
//! One keeper serves the process (a gate PC runs one gate); simulated
//! clocks (`--at`, replays) never reach it.

use std::sync::Mutex;
use std::time::Instant;

/// A jump of the wall clock against the elapsed time larger than this is
/// a step (NTP slews smaller corrections; a step is someone or something
/// setting the clock).
pub const STEP_MS: i64 = 2_000;

/// The wall clock jumped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClockStep {
    /// How far the wall clock jumped against the time that passed, in ms:
    /// negative when it went back.
    pub by_ms: i64,
    /// The wall clock after the jump (Unix ms).
    pub wall_ms: u64,
    /// The time the gate keeps from now on (Unix ms).
    pub kept_ms: u64,
    /// True when the gate found its clock behind its own last record or
    /// newest list (at start, say), rather than seeing it jump.
    pub behind_records: bool,
}

impl ClockStep {
    /// The step in words, for the record's detail and the gate's log.
    pub fn words(&self) -> String {
        let secs = self.by_ms.unsigned_abs() as f64 / 1000.0;
        let held = self.kept_ms.saturating_sub(self.wall_ms) as f64 / 1000.0;
        match (self.by_ms < 0, self.behind_records) {
            (true, true) => format!(
                "this gate's clock is {secs:.1} s behind its own last record or newest list: it keeps its own time, {held:.1} s ahead of the clock, and never dates a decision earlier; set the gate PC's clock right"
            ),
            (true, false) => format!(
                "this gate's clock was set back {secs:.1} s: it keeps its own time, {held:.1} s ahead of the clock, and never dates a decision earlier; find out who set it"
            ),
            (false, _) if held > 0.0 => format!(
                "this gate's clock jumped forward {secs:.1} s; it keeps its own time, {held:.1} s ahead of the clock"
            ),
            (false, _) => format!(
                "this gate's clock jumped forward {secs:.1} s; the gate follows it (badges near their end expire that much sooner)"
            ),
        }
    }
}

/// The keeper's state.
#[derive(Debug)]
struct Keeper {
    /// The last reading: the wall clock, the time kept, when (monotonic).
    last: Option<(u64, u64, Instant)>,
    /// How far the kept time runs ahead of the wall clock (a clock set
    /// back), ms.
    hold_ms: u64,
    /// Never before this (Unix ms): the gate's last record, its lists.
    floor_ms: u64,
    /// Steps not yet journalled.
    steps: Vec<ClockStep>,
}

impl Keeper {
    const fn new() -> Keeper {
        Keeper {
            last: None,
            hold_ms: 0,
            floor_ms: 0,
            steps: Vec::new(),
        }
    }

    /// The time to date things by, given the wall clock read at `now`.
    fn read(&mut self, wall: u64, now: Instant) -> u64 {
        let mut kept_before = 0;
        if let Some((w0, k0, i0)) = self.last {
            let elapsed = now.saturating_duration_since(i0).as_millis() as i64;
            let jump = (wall as i64 - w0 as i64) - elapsed;
            if jump < -STEP_MS {
                self.hold_ms += jump.unsigned_abs();
            } else if jump > STEP_MS {
                self.hold_ms = self.hold_ms.saturating_sub(jump as u64);
            }
            let kept = (wall + self.hold_ms).max(k0);
            if jump.abs() > STEP_MS {
                self.steps.push(ClockStep {
                    by_ms: jump,
                    wall_ms: wall,
                    kept_ms: kept.max(self.floor_ms),
                    behind_records: false,
                });
            }
            kept_before = k0;
        }
        let mut kept = (wall + self.hold_ms).max(kept_before);
        if kept + (STEP_MS as u64) < self.floor_ms {
            // Behind what the gate has already seen: hold from there.
            let behind = self.floor_ms - kept;
            self.hold_ms += behind;
            kept = self.floor_ms;
            self.steps.push(ClockStep {
                by_ms: -(behind as i64),
                wall_ms: wall,
                kept_ms: kept,
                behind_records: true,
            });
        }
        let kept = kept.max(self.floor_ms);
        self.last = Some((wall, kept, now));
        kept
    }
}

static KEEPER: Mutex<Keeper> = Mutex::new(Keeper::new());

fn keeper() -> std::sync::MutexGuard<'static, Keeper> {
    KEEPER
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The gate's time now (Unix ms): the wall clock, held ahead after it was
/// set back, never before the floor.
pub fn now_ms() -> u64 {
    keeper().read(badgegate_core::clock::now_ms(), Instant::now())
}

/// The gate has a record or a list dated `at_ms`: its time never goes
/// below it.
pub fn hold_from(at_ms: u64) {
    let mut k = keeper();
    k.floor_ms = k.floor_ms.max(at_ms);
}

/// The earliest time the gate may date anything by (0 until it holds
/// something): a frame read before the gate started is decided no earlier.
pub fn floor_ms() -> u64 {
    keeper().floor_ms
}

/// The steps seen since the last call, to be journalled.
pub fn take_steps() -> Vec<ClockStep> {
    std::mem::take(&mut keeper().steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A keeper read at `t0 + elapsed` with the wall clock at `wall`.
    fn at(k: &mut Keeper, t0: Instant, elapsed_ms: u64, wall: u64) -> u64 {
        k.read(wall, t0 + Duration::from_millis(elapsed_ms))
    }

    #[test]
    fn a_clock_set_back_is_held_and_a_forward_jump_followed() {
        let t0 = Instant::now();
        let mut k = Keeper::new();
        let day = 1_800_000_000_000;
        assert_eq!(at(&mut k, t0, 0, day), day);
        assert_eq!(at(&mut k, t0, 1_000, day + 1_000), day + 1_000);
        assert!(k.steps.is_empty(), "a clock that runs is no step");
        // Set back an hour: the gate keeps counting from where it was.
        assert_eq!(at(&mut k, t0, 2_000, day + 2_000 - 3_600_000), day + 2_000);
        assert_eq!(at(&mut k, t0, 5_000, day + 5_000 - 3_600_000), day + 5_000);
        let steps = std::mem::take(&mut k.steps);
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].by_ms, -3_600_000);
        assert_eq!(steps[0].kept_ms, day + 2_000);
        assert!(
            steps[0].words().contains("set back 3600.0 s"),
            "{}",
            steps[0].words()
        );
        // Set right again: the hold is gone, no jump in the kept time.
        assert_eq!(at(&mut k, t0, 6_000, day + 6_000), day + 6_000);
        assert_eq!(k.steps.len(), 1);
        assert_eq!(k.hold_ms, 0);
        // Forward 90 s: followed.
        assert_eq!(at(&mut k, t0, 7_000, day + 97_000), day + 97_000);
        assert_eq!(k.steps[1].by_ms, 90_000);
        // Small slews are no step, and the kept time never runs back.
        assert_eq!(at(&mut k, t0, 8_000, day + 97_500), day + 97_500);
        assert_eq!(k.steps.len(), 2);
    }

    #[test]
    fn a_clock_behind_the_last_record_at_start_is_held_from_it() {
        let t0 = Instant::now();
        let mut k = Keeper::new();
        let day = 1_800_000_000_000;
        k.floor_ms = day;
        assert_eq!(at(&mut k, t0, 0, day - 86_400_000), day);
        assert_eq!(at(&mut k, t0, 1_000, day - 86_400_000 + 1_000), day + 1_000);
        assert_eq!(k.steps.len(), 1);
        assert!(k.steps[0].behind_records);
        assert_eq!(k.steps[0].by_ms, -86_400_000);
        // A clock a second behind its last record (a restart within the
        // same second, a slewed clock) is no step.
        let mut k = Keeper::new();
        k.floor_ms = day;
        assert_eq!(at(&mut k, t0, 0, day - 1_000), day);
        assert!(k.steps.is_empty());
    }
}
