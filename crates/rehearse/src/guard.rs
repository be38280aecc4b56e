//! Staffed gates: the kiosk runs with the guard's screen (its real window,
//! on a private Xvfb display), and the rehearsal's guard works it as a
//! guard would — the keyboard, through `xdotool`: F4 and the staff badge to
//! sign in, Enter or Escape to answer an ID check, F2 and a note to admit
//! by hand. The screen prints nothing: what the gate decided is read from
//! its journal as each record commits.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use badgegate_core::journal::{Entry, Journal};
use badgegate_core::vocab::EntryKind;

use crate::RehearseError;

/// What the guard does with the badge shown at a staffed gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hand {
    /// Confirms an ID check, as the passport matches (the usual case).
    Confirm,
    /// Refuses at the ID check: the passport does not match.
    RefuseId,
    /// The gate refuses the badge; the guard checks the passport and
    /// admits by hand, with a note.
    Admit,
}

/// The note a guard types with a hand admit.
pub const HAND_ADMIT_NOTE: &str = "passport checked: the photo on file is not current";

/// A staffed gate's display and what it has read of the journal.
pub struct Screen {
    xvfb: Child,
    pub display: String,
    journal: PathBuf,
    kiosk_id: String,
    /// The last record read.
    seen: u64,
}

impl Screen {
    /// A private X server for the gate's window.
    pub fn start(journal: &Path, kiosk_id: &str) -> Result<Screen, RehearseError> {
        let mut xvfb = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x720x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                RehearseError::Setup(format!(
                    "a staffed gate needs Xvfb and xdotool (apt-get install xvfb xdotool): {e}"
                ))
            })?;
        // Xvfb writes its display's number once it accepts connections.
        let mut line = String::new();
        if let Some(out) = xvfb.stdout.take() {
            let _ = std::io::BufReader::new(out).read_line(&mut line);
        }
        let Ok(number) = line.trim().parse::<u32>() else {
            let _ = xvfb.kill();
            let _ = xvfb.wait();
            return Err(RehearseError::Setup(format!(
                "Xvfb did not start (said {line:?})"
            )));
        };
        Ok(Screen {
            xvfb,
            display: format!(":{number}"),
            journal: journal.to_owned(),
            kiosk_id: kiosk_id.to_owned(),
            seen: 0,
        })
    }

    /// Runs `xdotool` on this display.
    fn xdotool(&self, args: &[&str]) -> Result<bool, RehearseError> {
        let status = Command::new("xdotool")
            .args(args)
            .env("DISPLAY", &self.display)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| {
                RehearseError::Setup(format!(
                    "a staffed gate needs xdotool (apt-get install xdotool): {e}"
                ))
            })?;
        Ok(status.success())
    }

    /// Runs `xdotool args`, which must succeed.
    fn act(&self, args: &[&str]) -> Result<(), RehearseError> {
        if self.xdotool(args)? {
            Ok(())
        } else {
            Err(RehearseError::Gate(format!("xdotool {} failed", args[0])))
        }
    }

    /// Presses keys (`Return`, `Escape`, `F2`).
    pub fn key(&self, key: &str) -> Result<(), RehearseError> {
        self.act(&["key", key])
    }

    /// Types text on the keyboard.
    pub fn type_text(&self, text: &str) -> Result<(), RehearseError> {
        self.act(&["type", "--delay", "1", text])
    }

    /// Waits for the gate's window to show.
    pub fn wait_for_window(&self, gate: &str) -> Result<(), RehearseError> {
        let until = Instant::now() + Duration::from_secs(30);
        while Instant::now() < until {
            if self.xdotool(&["search", "--onlyvisible", "--name", "badgegate kiosk"])? {
                // The first frame drawn, the keyboard taken.
                std::thread::sleep(Duration::from_millis(300));
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(RehearseError::Gate(format!(
            "gate {gate}'s screen did not show within 30 s"
        )))
    }

    /// Signs the guard in: F4, then the staff badge typed as a
    /// keyboard-wedge scanner types it; done once the journal says so.
    pub fn sign_in(&mut self, gate: &str, staff_badge: &str) -> Result<(), RehearseError> {
        self.wait_for_window(gate)?;
        self.key("F4")?;
        self.type_text(staff_badge)?;
        self.key("Return")?;
        let shift = self.next_record(&[EntryKind::Shift], Duration::from_secs(20))?;
        match shift {
            Some(e) if e.body.reason.code() == "guard_signed_in" => Ok(()),
            Some(e) => Err(RehearseError::Gate(format!(
                "gate {gate}: the guard was not signed in: {}",
                e.body.detail
            ))),
            None => Err(RehearseError::Gate(format!(
                "gate {gate}: the guard's sign-in was not journalled within 20 s"
            ))),
        }
    }

    /// The next record of one of `kinds` the gate journals (records of
    /// other kinds — lists taken up, clock steps — are passed over), within
    /// `limit`; `None` when none came.
    pub fn next_record(
        &mut self,
        kinds: &[EntryKind],
        limit: Duration,
    ) -> Result<Option<Entry>, RehearseError> {
        let until = Instant::now() + limit;
        loop {
            if self.journal.exists() {
                let journal = Journal::open_readonly(&self.journal)
                    .map_err(|e| RehearseError::Gate(format!("reading the journal: {e}")))?;
                let fresh = journal
                    .entries_after(&self.kiosk_id, self.seen, 1000)
                    .map_err(|e| RehearseError::Gate(format!("reading the journal: {e}")))?;
                for e in fresh {
                    self.seen = e.seq;
                    if kinds.contains(&e.body.kind) {
                        return Ok(Some(e));
                    }
                }
            }
            if Instant::now() >= until {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

/// A journal record as the headless kiosk's JSON line says it (the fields
/// the rehearsal reads).
pub fn as_line(e: &Entry) -> serde_json::Value {
    serde_json::json!({
        "decision": e.body.decision.code(),
        "reason": e.body.reason.code(),
        "flagged": e.body.flagged,
        "detail": e.body.detail,
        "serial": e.body.serial,
        "input": e.body.input,
        "seq": e.seq,
        "hash": crate::check::hex(&e.hash),
    })
}
