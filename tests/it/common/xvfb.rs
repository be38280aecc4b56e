//! A private X server for one test, on a display number Xvfb picks itself.

use std::process::{Child, Command, Stdio};

use super::tool;

/// An Xvfb running for as long as this value lives.
pub struct Xvfb {
    child: Child,
    /// The value for `DISPLAY`, e.g. `:3`.
    pub display: String,
}

impl Xvfb {
    /// Starts an X server with one screen of `size` (e.g. `1280x720x24`);
    /// `None` (with a printed SKIPPED) where Xvfb is not installed.
    pub fn start(size: &str) -> Option<Xvfb> {
        let xvfb = tool("Xvfb")?;
        // Xvfb picks a free display itself and writes its number on stdout
        // once it accepts connections: no race with parallel tests, and no
        // window between the socket appearing and the server listening.
        let mut child = Command::new(&xvfb)
            .args(["-displayfd", "1", "-screen", "0", size, "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("Xvfb stdout");
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
            .expect("read Xvfb's display number");
        let number: u32 = line.trim().parse().unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("Xvfb did not start (said {line:?})")
        });
        Some(Xvfb {
            child,
            display: format!(":{number}"),
        })
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
