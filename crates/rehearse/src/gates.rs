//! The real kiosk processes of a rehearsal: headless, badges fed as
//! scanner lines on stdin, decisions read back as JSON lines.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use crate::RehearseError;

/// How a gate's process is started.
#[derive(Clone, Debug)]
pub struct GateSetup {
    pub exe: PathBuf,
    pub dir: PathBuf,
    pub args: Vec<String>,
    /// `PGPASSFILE` for a gate with an office.
    pub passfile: Option<PathBuf>,
    pub id: String,
}

/// One running kiosk.
pub struct GateProcess {
    setup: GateSetup,
    child: Child,
    stdin: Option<ChildStdin>,
    decisions: Receiver<serde_json::Value>,
    /// Runs so far (a restart is a new run on the same journal).
    pub runs: u32,
}

impl GateProcess {
    pub fn start(setup: GateSetup) -> Result<GateProcess, RehearseError> {
        let (child, stdin, decisions) = spawn(&setup, 1)?;
        Ok(GateProcess {
            setup,
            child,
            stdin: Some(stdin),
            decisions,
            runs: 1,
        })
    }

    /// Shows a badge's text; the decision, and how long it took.
    pub fn scan(&mut self, text: &str) -> Result<(serde_json::Value, Duration), RehearseError> {
        let started = Instant::now();
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| RehearseError::Gate(format!("gate {} is not running", self.setup.id)))?;
        writeln!(stdin, "{text}")
            .and_then(|_| stdin.flush())
            .map_err(|e| RehearseError::Gate(format!("gate {}: {e}", self.setup.id)))?;
        // A decision never takes this long; an entry claim waits for the
        // office at most its passback timeout.
        match self.decisions.recv_timeout(Duration::from_secs(20)) {
            Ok(d) => Ok((d, started.elapsed())),
            Err(_) => Err(RehearseError::Gate(format!(
                "gate {} gave no decision in 20 s; its log: {}",
                self.setup.id,
                self.log_tail()
            ))),
        }
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
        let (child, stdin, decisions) = spawn(&self.setup, self.runs)?;
        self.child = child;
        self.stdin = Some(stdin);
        self.decisions = decisions;
        Ok(())
    }

    /// Ends the day: the scanner unplugged, the kiosk finishes its work
    /// and hands its records over. The exit code.
    pub fn finish(&mut self) -> Result<i32, RehearseError> {
        self.stdin = None;
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

#[allow(clippy::type_complexity)]
fn spawn(
    setup: &GateSetup,
    run: u32,
) -> Result<(Child, ChildStdin, Receiver<serde_json::Value>), RehearseError> {
    let mut cmd = Command::new(&setup.exe);
    cmd.args(&setup.args)
        .current_dir(&setup.dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log_path(setup, run))?);
    if let Some(p) = &setup.passfile {
        cmd.env("PGPASSFILE", p);
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
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
                let scanned = v
                    .get("input")
                    .and_then(|i| i.as_str())
                    .is_some_and(|i| i.starts_with("stdin:"));
                if scanned && v.get("decision").is_some() && tx.send(v).is_err() {
                    return;
                }
            }
        }
    });
    Ok((child, stdin, rx))
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
