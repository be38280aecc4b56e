//! The real kiosk processes of a rehearsal: headless, badges fed as
//! scanner lines on stdin, decisions read back as JSON lines.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use crate::camera::Camera;
use crate::guard::{as_line, Hand, Screen, HAND_ADMIT_NOTE};
use crate::RehearseError;
use badgegate_core::vocab::EntryKind;

/// How a gate's process is started.
#[derive(Clone, Debug)]
pub struct GateSetup {
    pub exe: PathBuf,
    pub dir: PathBuf,
    pub args: Vec<String>,
    /// `PGPASSFILE` for a gate with an office.
    pub passfile: Option<PathBuf>,
    pub id: String,
    /// The gate's wall clock runs under libfaketime, offset by what this
    /// file says (`+0`, `-7200`): its clock can be stepped while it runs.
    pub clock_file: Option<PathBuf>,
    /// A camera gate: badges are shown as frames of their cards
    /// (`kiosk --frames-stdin`), not typed as scanner lines.
    pub camera: Option<Camera>,
    /// A staffed gate: the guard's screen runs (on a private display) and
    /// a guard signs in with this staff badge.
    pub guard: Option<String>,
}

/// What waiting for a gate's decision came to.
enum Waited {
    /// The decision, and how long it took.
    Decided(serde_json::Value, Duration),
    /// The process ended instead (out of service).
    Ended,
    TimedOut,
}

/// Frames of one card a camera gate is shown before the rehearsal gives
/// up on it (each read or not within 5 s).
const FRAMES_PER_SHOWING: usize = 4;

/// libfaketime (the `faketime` package), for gates whose clock is stepped.
pub const FAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";

/// One running kiosk.
pub struct GateProcess {
    setup: GateSetup,
    child: Child,
    stdin: Option<ChildStdin>,
    decisions: Receiver<serde_json::Value>,
    logger: Option<std::thread::JoinHandle<()>>,
    /// Runs so far (a restart is a new run on the same journal).
    pub runs: u32,
    stopped: Option<i32>,
    /// A staffed gate's screen.
    screen: Option<Screen>,
}

impl GateProcess {
    pub fn start(setup: GateSetup) -> Result<GateProcess, RehearseError> {
        let mut screen = match &setup.guard {
            Some(_) => Some(Screen::start(
                &setup.dir.join(format!("{}.db", setup.id)),
                &setup.id,
            )?),
            None => None,
        };
        let s = spawn(&setup, 1, screen.as_ref().map(|s| s.display.as_str()))?;
        if let (Some(screen), Some(staff)) = (screen.as_mut(), setup.guard.as_deref()) {
            screen.sign_in(&setup.id, staff)?;
        }
        Ok(GateProcess {
            setup,
            child: s.child,
            stdin: Some(s.stdin),
            decisions: s.decisions,
            logger: s.logger,
            runs: 1,
            stopped: None,
            screen,
        })
    }

    /// True when a guard works this gate's screen.
    pub fn staffed(&self) -> bool {
        self.screen.is_some()
    }

    /// Shows a badge at a staffed gate as a scanner types it; the guard
    /// does `hand` where it applies. The gate's final word on it (the
    /// guard's answer or hand decision when there was one), and how long
    /// the gate itself took to decide.
    fn scan_staffed(
        &mut self,
        text: &str,
        hand: Hand,
    ) -> Result<Option<(serde_json::Value, Duration)>, RehearseError> {
        if !self.show(text.as_bytes(), true)? {
            return Ok(None);
        }
        let started = Instant::now();
        let id = self.setup.id.clone();
        let screen = self
            .screen
            .as_mut()
            .ok_or_else(|| RehearseError::Gate(format!("gate {id} has no guard")))?;
        let Some(first) = screen.next_record(&[EntryKind::Decision], Duration::from_secs(20))?
        else {
            return Err(RehearseError::Gate(format!(
                "gate {id} gave no decision in 20 s; its log: {}",
                self.log_tail()
            )));
        };
        let took = started.elapsed();
        let answer = match (first.body.decision.code(), hand) {
            // An ID check waits on the screen for the guard.
            ("none", Hand::RefuseId) => Some((&["Escape"][..], EntryKind::Confirm)),
            ("none", _) => Some((&["Return"][..], EntryKind::Confirm)),
            ("deny", Hand::Admit) => Some((&["F2"][..], EntryKind::Override)),
            _ => None,
        };
        let Some((keys, kind)) = answer else {
            return Ok(Some((as_line(&first), took)));
        };
        for k in keys {
            screen.key(k)?;
        }
        if kind == EntryKind::Override {
            screen.type_text(HAND_ADMIT_NOTE)?;
            screen.key("Return")?;
        }
        match screen.next_record(&[kind], Duration::from_secs(20))? {
            Some(last) => Ok(Some((as_line(&last), took))),
            None => Err(RehearseError::Gate(format!(
                "gate {id}: the guard's answer on {} was not journalled within 20 s",
                first.body.serial.as_deref().unwrap_or("?")
            ))),
        }
    }

    /// Shows a badge's text (as a scanner line, at a camera gate as
    /// frames of its card, at a staffed gate to a guard who does `hand`
    /// where it applies); the decision, and how long the gate took from
    /// the line or first frame; `None` when the gate stopped instead of
    /// deciding (out of service: its exit code is then `stopped()`).
    pub fn scan(
        &mut self,
        text: &str,
        hand: Hand,
    ) -> Result<Option<(serde_json::Value, Duration)>, RehearseError> {
        if self.screen.is_some() {
            return self.scan_staffed(text, hand);
        }
        if self.setup.camera.is_none() {
            if !self.show(text.as_bytes(), true)? {
                return Ok(None);
            }
            // A decision never takes this long; an entry claim waits for
            // the office at most its passback timeout.
            let limit = Duration::from_secs(20);
            let started = Instant::now();
            return match self.decision(started, started + limit)? {
                Waited::Decided(d, took) => Ok(Some((d, took))),
                Waited::Ended => Ok(None),
                Waited::TimedOut => Err(self.no_decision(limit)),
            };
        }
        // A camera gate: a frame, and another while none is read (a real
        // camera sends a dozen a second; these are sent one at a time so
        // no card is decided twice).
        let limit = Duration::from_secs(5);
        let mut started = None;
        for _ in 0..FRAMES_PER_SHOWING {
            let frame = match self.setup.camera.as_mut() {
                Some(camera) => {
                    camera.shown += 1;
                    camera.frame(text)?
                }
                None => break,
            };
            let first = *started.get_or_insert_with(Instant::now);
            if !self.show(&frame, false)? {
                return Ok(None);
            }
            match self.decision(first, Instant::now() + limit)? {
                Waited::Decided(d, took) => return Ok(Some((d, took))),
                Waited::Ended => return Ok(None),
                // Not read: the camera's next frame.
                Waited::TimedOut => {}
            }
        }
        Err(self.no_decision(limit * FRAMES_PER_SHOWING as u32))
    }

    /// Writes what is shown to the gate's stdin; false when the process
    /// has ended (it is then waited for).
    fn show(&mut self, bytes: &[u8], line: bool) -> Result<bool, RehearseError> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| RehearseError::Gate(format!("gate {} is not running", self.setup.id)))?;
        let written = stdin
            .write_all(bytes)
            .and_then(|_| if line { stdin.write_all(b"\n") } else { Ok(()) })
            .and_then(|_| stdin.flush());
        if written.is_err() {
            // Nobody reads the scanner's lines: the process has ended.
            self.ended()?;
            return Ok(false);
        }
        Ok(true)
    }

    /// The gate's next decision, if it comes by `until`; how long it took
    /// counted from `started`.
    fn decision(&mut self, started: Instant, until: Instant) -> Result<Waited, RehearseError> {
        loop {
            match self.decisions.recv_timeout(Duration::from_millis(100)) {
                Ok(d) => return Ok(Waited::Decided(d, started.elapsed())),
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    // Its output ended: the process is ending.
                    return self.ended().map(|()| Waited::Ended);
                }
                Err(mpsc::RecvTimeoutError::Timeout) if Instant::now() < until => {}
                Err(mpsc::RecvTimeoutError::Timeout) => return Ok(Waited::TimedOut),
            }
        }
    }

    /// The gate gave no decision within `limit`.
    fn no_decision(&self, limit: Duration) -> RehearseError {
        RehearseError::Gate(format!(
            "gate {} gave no decision in {} s; its log: {}",
            self.setup.id,
            limit.as_secs(),
            self.log_tail()
        ))
    }

    /// Waits for a process that is ending by itself, keeps its exit code
    /// and the whole of its log.
    fn ended(&mut self) -> Result<(), RehearseError> {
        let status = self.child.wait()?;
        self.stdin = None;
        if let Some(l) = self.logger.take() {
            let _ = l.join();
        }
        self.stopped = Some(status.code().unwrap_or(-1));
        Ok(())
    }

    /// Frames shown so far, at a camera gate.
    pub fn camera_frames(&self) -> Option<u64> {
        self.setup.camera.as_ref().map(|c| c.shown)
    }

    /// The exit code of a run that stopped by itself during the day.
    pub fn stopped(&self) -> Option<i32> {
        self.stopped
    }

    /// The last lines the current run wrote to its log.
    pub fn log(&self) -> String {
        self.log_tail()
    }

    /// Fills the gate's disk, as far as the process can tell: from now
    /// every write that would grow a file fails (`EFBIG`, as `ENOSPC`
    /// would; the signal it would raise is ignored).
    pub fn fill_disk(&mut self) -> Result<(), RehearseError> {
        let pid = libc::pid_t::try_from(self.child.id())
            .map_err(|_| RehearseError::Gate("pid out of range".into()))?;
        let limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: libc::RLIM_INFINITY,
        };
        // SAFETY: prlimit reads `limit` and writes nothing (no old limit
        // asked for); both pointers are valid for the call.
        let rc = unsafe { libc::prlimit(pid, libc::RLIMIT_FSIZE, &limit, std::ptr::null_mut()) };
        if rc != 0 {
            return Err(RehearseError::Gate(format!(
                "gate {}: cannot limit its writes: {}",
                self.setup.id,
                std::io::Error::last_os_error()
            )));
        }
        Ok(())
    }

    /// Kills the process at once, as a power cut would.
    pub fn kill(&mut self) {
        self.stdin = None;
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the gate again on its journal.
    pub fn restart(&mut self) -> Result<(), RehearseError> {
        self.kill();
        self.runs += 1;
        let s = spawn(
            &self.setup,
            self.runs,
            self.screen.as_ref().map(|s| s.display.as_str()),
        )?;
        self.child = s.child;
        self.stdin = Some(s.stdin);
        self.decisions = s.decisions;
        self.logger = s.logger;
        self.stopped = None;
        Ok(())
    }

    /// Ends the day: the scanner unplugged, the kiosk finishes its work
    /// and hands its records over. The exit code.
    pub fn finish(&mut self) -> Result<i32, RehearseError> {
        self.stdin = None;
        if self.screen.is_some() {
            // The screen stays up after its scanner is gone: the guard
            // closes it at the end of the shift.
            if let Ok(pid) = i32::try_from(self.child.id()) {
                // SAFETY: a signal to our own child process.
                unsafe { libc::kill(pid, libc::SIGTERM) };
            }
        }
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status.code().unwrap_or(-1));
            }
            if Instant::now() > until {
                let _ = self.child.kill();
                return Err(RehearseError::Gate(format!(
                    "gate {} did not finish within 60 s of the day's end; its log: {}",
                    self.setup.id,
                    self.log_tail()
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The process's peak resident memory so far (KiB), from
    /// `/proc/PID/status` (`VmHWM`); `None` where there is no such file.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(log_path(&self.setup, self.runs)).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(5)..].join(" | ")
    }
}

impl Drop for GateProcess {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn log_path(setup: &GateSetup, run: u32) -> PathBuf {
    setup.dir.join(format!("{}.run{run}.log", setup.id))
}

fn spawn(setup: &GateSetup, run: u32, display: Option<&str>) -> Result<Spawned, RehearseError> {
    // Through the shell only to ignore SIGXFSZ, so a full disk (see
    // `fill_disk`) fails the write instead of killing the gate.
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("trap '' XFSZ; exec \"$0\" \"$@\"")
        .arg(&setup.exe)
        .args(&setup.args)
        .current_dir(&setup.dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(p) = &setup.passfile {
        cmd.env("PGPASSFILE", p);
    }
    if let Some(d) = display {
        cmd.env("DISPLAY", d)
            .env("MESA_SHADER_CACHE_DISABLE", "true");
    }
    if let Some(f) = &setup.clock_file {
        // Only the wall clock moves; the monotonic clock the gate measures
        // steps against stays true.
        cmd.env("LD_PRELOAD", FAKETIME)
            .env("FAKETIME_TIMESTAMP_FILE", f)
            .env("FAKETIME_NO_CACHE", "1")
            .env("FAKETIME_DONT_FAKE_MONOTONIC", "1");
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| RehearseError::Setup(format!("cannot start {}: {e}", setup.exe.display())))?;
    let stdin = child
        .stdin
        .take()
        .ok_or_else(|| RehearseError::Gate("no stdin".into()))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| RehearseError::Gate("no stdout".into()))?;
    // The gate's log through a pipe, as journald takes a service's: it
    // is written even when the gate's own disk is full.
    let mut log = std::fs::File::create(log_path(setup, run))?;
    let logger = child.stderr.take().map(|stderr| {
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = writeln!(log, "{line}");
            }
        })
    });
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
                let scanned = v
                    .get("input")
                    .and_then(|i| i.as_str())
                    .is_some_and(|i| i.starts_with("stdin"));
                if scanned && v.get("decision").is_some() && tx.send(v).is_err() {
                    return;
                }
            }
        }
    });
    Ok(Spawned {
        child,
        stdin,
        decisions: rx,
        logger,
    })
}

/// A gate process just started, and the ends the rehearsal holds.
struct Spawned {
    child: Child,
    stdin: ChildStdin,
    decisions: Receiver<serde_json::Value>,
    /// Copies its stderr to the run's log; ends when the process does.
    logger: Option<std::thread::JoinHandle<()>>,
}

/// Runs `exe args` in `dir` to its end: exit code, stdout, stderr.
pub fn run_tool(
    exe: &Path,
    dir: &Path,
    args: &[&str],
    passfile: Option<&Path>,
) -> Result<(i32, String, String), RehearseError> {
    let mut cmd = Command::new(exe);
    cmd.args(args).current_dir(dir).stdin(Stdio::null());
    if let Some(p) = passfile {
        cmd.env("PGPASSFILE", p);
    }
    let out = cmd.output()?;
    Ok((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}
