//! The admit hook: a command run for each admit (a turnstile relay, a door
//! strike, a light), with the decision in its environment. It runs beside
//! the kiosk, never blocking the next scan, and is killed after a timeout.

use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::format::badge::Badge;
use crate::gate::engine::{Kiosk, Outcome};

/// How a hook run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookEnd {
    Exited(i32),
    Killed,
    Failed(String),
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
pub fn spawn(command: &str, env: Vec<(String, String)>, timeout: Duration) -> JoinHandle<HookEnd> {
    let command = command.to_owned();
    std::thread::spawn(move || {
        use std::os::unix::process::CommandExt;
        let child = Command::new("sh")
            .process_group(0)
            .arg("-c")
            .arg(&command)
            .envs(env)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => return HookEnd::Failed(e.to_string()),
        };
        let start = Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(status)) => return HookEnd::Exited(status.code().unwrap_or(-1)),
                Ok(None) if start.elapsed() >= timeout => {
                    // The hook runs in its own process group: end all of it,
                    // not just the shell.
                    let _ = Command::new("kill")
                        .args(["-KILL", "--", &format!("-{}", child.id())])
                        .stderr(Stdio::null())
                        .status();
                    let _ = child.kill();
                    let _ = child.wait();
                    return HookEnd::Killed;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => return HookEnd::Failed(e.to_string()),
            }
        }
    })
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
        )
        .join()
        .unwrap();
        assert_eq!(end, HookEnd::Exited(0));
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "D-1");

        let start = Instant::now();
        let end = spawn("sleep 30", vec![], Duration::from_millis(200))
            .join()
            .unwrap();
        assert_eq!(end, HookEnd::Killed);
        assert!(start.elapsed() < Duration::from_secs(5));
    }
}
