//! The admit hook: a command run for each admit (a turnstile relay, a door
//! strike, a light), with the decision in its environment. It runs beside
//! the kiosk, never blocking the next scan, and is killed after a timeout.

use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How a hook run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookEnd {
    Exited(i32),
    Killed,
    Failed(String),
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
