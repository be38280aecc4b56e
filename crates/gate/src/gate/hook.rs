//! The admit hook: a command run for each admit (a turnstile relay, a door
//! strike, a light), with the decision in its environment. It runs beside
//! the kiosk, never blocking the next scan, and is killed after a timeout.
//! How each run ended is journalled as a `hook` record of its own.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::gate::engine::{Kiosk, Outcome};
use badgegate_core::format::badge::Badge;
use badgegate_core::notice::Notices;
use badgegate_core::text::printable_short;

/// How a hook run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookEnd {
    /// The command exited with this status (0: the door opened).
    Exited(i32),
    /// Ended by a signal it did not ask for (this number).
    Signalled(i32),
    /// Still running at the timeout: killed, with its process group.
    Killed,
    /// Could not be started at all.
    Failed(String),
}

impl HookEnd {
    pub fn is_success(&self) -> bool {
        *self == HookEnd::Exited(0)
    }
}

/// A finished hook run: how it ended, its last words on stderr, how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookRun {
    pub end: HookEnd,
    /// The last line the command wrote to stderr (escaped, short), if any:
    /// what a guard or technician needs to see why the door did not open.
    pub last_error: Option<String>,
    pub millis: u64,
}

impl HookRun {
    /// How it ended, in words for a record or a screen.
    pub fn describe(&self, timeout: Duration) -> String {
        let mut s = match &self.end {
            HookEnd::Exited(0) => format!("exited 0 after {} ms", self.millis),
            HookEnd::Exited(c) => format!("FAILED: exit status {c}"),
            HookEnd::Signalled(sig) => format!("FAILED: ended by signal {sig}"),
            HookEnd::Killed => format!(
                "FAILED: still running after {} s, killed",
                timeout.as_secs()
            ),
            HookEnd::Failed(why) => format!("FAILED: could not start: {why}"),
        };
        if let Some(e) = &self.last_error {
            if !self.end.is_success() {
                s.push_str(": ");
                s.push_str(e);
            }
        }
        s
    }
}

/// The environment an admit hook gets: the decision and where it was made.
pub fn admit_env(kiosk: &Kiosk, o: &Outcome) -> Vec<(String, String)> {
    let d = &o.decision;
    let b = d.badge.as_ref();
    let field = |f: fn(&Badge) -> String| b.map(f).unwrap_or_default();
    vec![
        ("BADGEGATE_DECISION".into(), d.verdict.code().into()),
        ("BADGEGATE_REASON".into(), d.reason.code().into()),
        ("BADGEGATE_SERIAL".into(), field(|b| b.serial.clone())),
        ("BADGEGATE_NAME".into(), field(|b| b.name.clone())),
        ("BADGEGATE_ORG".into(), field(|b| b.org.clone())),
        ("BADGEGATE_CATEGORY".into(), field(|b| b.category.clone())),
        ("BADGEGATE_GATE".into(), kiosk.config().gate.clone()),
        (
            "BADGEGATE_DIRECTION".into(),
            kiosk.config().direction.code().into(),
        ),
        ("BADGEGATE_KIOSK_ID".into(), o.entry.kiosk_id.clone()),
        ("BADGEGATE_SEQ".into(), o.entry.seq.to_string()),
        ("BADGEGATE_FLAGGED".into(), u8::from(d.flagged).to_string()),
    ]
}

/// Starts `sh -c command` with `env` added; a background thread waits for
/// it and kills it after `timeout`. The returned handle yields how it ended.
/// What the command writes to stderr is said to `notices`, each line
/// marked, and its last line is kept for the record.
pub fn spawn(
    command: &str,
    env: Vec<(String, String)>,
    timeout: Duration,
    notices: Notices,
) -> JoinHandle<HookRun> {
    let command = command.to_owned();
    std::thread::spawn(move || {
        let start = Instant::now();
        let mut stderr_tail = None;
        let end = run(&command, env, timeout, &mut stderr_tail, notices);
        HookRun {
            end,
            last_error: stderr_tail
                .and_then(|t: JoinHandle<Option<String>>| t.join().ok().flatten()),
            millis: start.elapsed().as_millis() as u64,
        }
    })
}

fn run(
    command: &str,
    env: Vec<(String, String)>,
    timeout: Duration,
    stderr_tail: &mut Option<JoinHandle<Option<String>>>,
    notices: Notices,
) -> HookEnd {
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    let child = Command::new("sh")
        .process_group(0)
        .arg("-c")
        .arg(command)
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return HookEnd::Failed(e.to_string()),
    };
    if let Some(err) = child.stderr.take() {
        *stderr_tail = Some(std::thread::spawn(move || {
            let mut last = None;
            for line in BufReader::new(err).split(b'\n').map_while(Result::ok) {
                let line = String::from_utf8_lossy(&line);
                let line = printable_short(line.trim_end(), 200);
                if !line.trim().is_empty() {
                    notices.say(format!("on-admit: {line}"));
                    last = Some(line);
                }
            }
            last
        }));
    }
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                return match (status.code(), status.signal()) {
                    (Some(c), _) => HookEnd::Exited(c),
                    (None, Some(sig)) => HookEnd::Signalled(sig),
                    (None, None) => HookEnd::Exited(-1),
                }
            }
            Ok(None) if start.elapsed() >= timeout => {
                // The hook runs in its own process group: end all of it,
                // not just the shell.
                // SAFETY: a signal to a process group this kiosk created.
                unsafe {
                    libc::kill(-(child.id() as i32), libc::SIGKILL);
                }
                let _ = child.kill();
                let _ = child.wait();
                return HookEnd::Killed;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return HookEnd::Failed(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hook_sees_its_environment_and_is_killed_after_the_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.txt");
        let cmd = format!("printf '%s' \"$BADGEGATE_SERIAL\" > '{}'", out.display());
        let end = spawn(
            &cmd,
            vec![("BADGEGATE_SERIAL".into(), "D-1".into())],
            Duration::from_secs(5),
            Notices::silent(),
        )
        .join()
        .unwrap();
        assert_eq!(end.end, HookEnd::Exited(0));
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "D-1");

        let start = Instant::now();
        let end = spawn(
            "sleep 30",
            vec![],
            Duration::from_millis(200),
            Notices::silent(),
        )
        .join()
        .unwrap();
        assert_eq!(end.end, HookEnd::Killed);
        assert!(start.elapsed() < Duration::from_secs(5));

        let heard = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let h = heard.clone();
        let end = spawn(
            "no-such-relay-command",
            vec![],
            Duration::from_secs(5),
            Notices::to(move |l| h.lock().unwrap().push(l.to_owned())),
        )
        .join()
        .unwrap();
        assert!(
            heard.lock().unwrap()[0].starts_with("on-admit: "),
            "the command's complaint is said, marked"
        );
        assert_eq!(end.end, HookEnd::Exited(127));
        let said = end.last_error.clone().unwrap();
        assert!(said.contains("no-such-relay-command"), "{said}");
        assert!(end
            .describe(Duration::from_secs(5))
            .starts_with("FAILED: exit status 127: "));
    }
}
