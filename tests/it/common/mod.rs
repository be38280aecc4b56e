//! Helpers shared by the integration tests: a temp folder per test, running
//! the real binary, and external tools that CI installs.

pub mod browser;
pub mod pg;
pub mod photos;
pub mod proxy;
pub mod xvfb;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The JSON objects printed one per line.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect()
    }

    pub fn reasons(&self) -> Vec<String> {
        self.json_lines()
            .iter()
            .map(|j| j["reason"].as_str().unwrap_or("?").to_owned())
            .collect()
    }
}

fn finish(out: Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `badgegate ARGS` in `dir`.
pub fn bg(dir: &Path, args: &[&str]) -> Run {
    bg_stdin(dir, args, b"")
}

/// Runs `badgegate ARGS` in `dir` with `input` on stdin, with no display
/// (a test that wants the screen starts its own Xvfb).
pub fn bg_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_badgegate"))
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run badgegate");
    // Fed from a thread of its own: a command writing more than a pipe
    // holds to stdout before it has read all of stdin must not deadlock.
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        // A command that does not read stdin may close it early.
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait");
    let _ = writer.join();
    finish(out)
}

/// A fresh folder with a registration key in `keys/` and a trust folder
/// `trust/` holding its public key.
pub struct Desk {
    pub dir: tempfile::TempDir,
}

impl Desk {
    pub fn new() -> Desk {
        let dir = tempfile::tempdir().expect("temp dir");
        let r = bg(dir.path(), &["keygen", "--dir", "keys"]);
        assert_eq!(r.code, 0, "keygen: {}", r.stderr);
        std::fs::create_dir(dir.path().join("trust")).unwrap();
        std::fs::copy(
            dir.path().join("keys/registration.pub.pem"),
            dir.path().join("trust/registration.pub.pem"),
        )
        .unwrap();
        Desk { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn run(&self, args: &[&str]) -> Run {
        bg(self.path(), args)
    }

    pub fn run_stdin(&self, args: &[&str], input: &str) -> Run {
        bg_stdin(self.path(), args, input.as_bytes())
    }

    /// Signs the venue policy `draft` into `out` with the registration key.
    pub fn sign_policy(&self, draft: &str, out: &str) {
        let r = self.run(&[
            "policy",
            "--key",
            "keys/registration.key.pem",
            "--draft",
            draft,
            "--out",
            out,
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }

    /// Issues one badge into `out/` and returns its text. `extra` flags
    /// replace the defaults (`--key keys/registration.key.pem --name "Test
    /// Holder" --zones plenary`) and any earlier copy of themselves.
    pub fn issue(&self, out: &str, serial: &str, extra: &[&str]) -> String {
        let mut args = vec!["issue", "--serial", serial, "--out", out];
        let mut flags: Vec<(&str, Option<&str>)> = vec![
            ("--key", Some("keys/registration.key.pem")),
            ("--name", Some("Test Holder")),
            ("--zones", Some("plenary")),
        ];
        let mut i = 0;
        while i < extra.len() {
            let value = extra.get(i + 1).copied().filter(|v| !v.starts_with("--"));
            flags.retain(|(f, _)| *f != extra[i]);
            flags.push((extra[i], value));
            i += if value.is_some() { 2 } else { 1 };
        }
        for (f, v) in flags {
            args.push(f);
            args.extend(v);
        }
        let r = self.run(&args);
        assert_eq!(r.code, 0, "issue failed: {}", r.stderr);
        std::fs::read_to_string(self.p(&format!("{out}/{serial}.txt")))
            .unwrap()
            .trim_end()
            .to_owned()
    }
}

impl Desk {
    /// `keylist grant` of public key `key` (a path) in `keys.txt`, signed
    /// by `offline/root.key.pem`, valid 2026–2030, with `scope` flags;
    /// published through `office` when given (its outcome returned, not
    /// asserted).
    pub fn grant_key(&self, key: &str, scope: &[&str], office: Option<&str>) -> Run {
        let mut args = vec![
            "keylist",
            "grant",
            "--root",
            "offline/root.key.pem",
            "--list",
            "keys.txt",
            "--key",
            key,
            "--from",
            "2026-01-01T00:00:00Z",
            "--until",
            "2030-01-01T00:00:00Z",
        ];
        args.extend_from_slice(scope);
        if let Some(o) = office {
            args.extend(["--office", o]);
        }
        let r = self.run(&args);
        if office.is_none() {
            assert_eq!(r.code, 0, "keylist grant: {}{}", r.stdout, r.stderr);
        }
        r
    }

    /// A trust folder `folder` holding only the root public key (in
    /// `root/`) and the key list `keys.txt` beside it.
    pub fn root_trust(&self, folder: &str) {
        let root = self.p(&format!("{folder}/root"));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::copy(self.p("offline/root.pub.pem"), root.join("root.pub.pem")).unwrap();
        std::fs::copy(self.p("keys.txt"), self.p(&format!("{folder}/keys.txt"))).unwrap();
    }
}

/// The flags of a venue kiosk `id`: gate `id` in `zone`, its journal
/// `ID.db` and connection file `ID.office`, scanner lines on stdin,
/// headless, no cooldown; then `extra`.
pub fn venue_kiosk_args(id: &str, zone: &str, extra: &[&str]) -> Vec<String> {
    let journal = format!("{id}.db");
    let office = format!("{id}.office");
    let mut v: Vec<String> = [
        "kiosk",
        "--trust",
        "trust",
        "--journal",
        &journal,
        "--kiosk-id",
        id,
        "--gate",
        id,
        "--zone",
        zone,
        "--stdin",
        "--headless",
        "--cooldown",
        "0",
        "--office",
        &office,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

/// Test certificates made with the `openssl` tool in `d`: a CA
/// (`ca.pem`), a server certificate it signed for `localhost` and
/// `127.0.0.1` (`server.pem`, `server.key`), and a second CA nobody trusts
/// (`other.pem`). `None` without `openssl`.
pub fn make_certificates(d: &Path) -> Option<()> {
    let openssl = tool("openssl")?;
    std::fs::create_dir_all(d).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(&openssl)
            .args(args)
            .current_dir(d)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=badgegate test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(
        d.join("san.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.ext",
        "-out",
        "server.pem",
    ]);
    // A second CA nobody trusts, for the test of a wrong sslrootcert.
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=stranger CA",
        "-keyout",
        "other.key",
        "-out",
        "other.pem",
    ]);
    Some(())
}

/// `badgegate office COMMAND --db ADMIN_URL ARGS…` in the desk's folder.
pub fn office(desk: &Desk, pg: &pg::Pg, args: &[&str]) -> Run {
    let url = pg.admin_url();
    let mut v = vec!["office", args[0], "--db", url.as_str()];
    v.extend_from_slice(&args[1..]);
    desk.run(&v)
}

/// Adds a dashboard user `name` at the office; the password it printed
/// once.
pub fn office_user(desk: &Desk, pg: &pg::Pg, name: &str) -> String {
    let r = office(desk, pg, &["add-user", "--name", name]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .expect("a password shown once")
        .to_owned()
}

/// Waits until `f` holds (up to 20 s), checking every 100 ms.
pub fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !f() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "never: {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Waits (up to 20 s) until `f` finds something, and returns it.
pub fn eventually_some<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = std::time::Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "never: {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The path of an external tool, or `None` (with a printed reason) when it
/// is absent. Under CI (`CI` set) a missing tool fails the test: CI installs
/// them, so a skip there would hide a broken install.
pub fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var_os("CI").is_some() {
            panic!("{name} is not installed, and CI must run this test (.ci/run installs it)");
        }
        eprintln!("SKIPPED: {name} is not installed (apt-get install it to run this test)");
    }
    found
}

/// True when this machine has fonts that draw `text` (the desk refuses a
/// name it would print as boxes). Without them a test leaves such names
/// out, saying so; CI installs the fonts, so there it is a failure.
pub fn fonts_draw(text: &str) -> bool {
    let missing = badgegate::issue::card::missing_glyphs(text);
    if missing.is_empty() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("no font draws {text:?}; .ci/run installs fonts-noto-core and fonts-noto-cjk");
    }
    eprintln!(
        "SKIPPED {text:?}: no font draws it (apt-get install fonts-noto-core fonts-noto-cjk)"
    );
    false
}

/// Writes `n` scanner lines alternating between two badge texts to `name`
/// (a stream long enough to fill a size-limited journal).
pub fn alternating_scans(desk: &Desk, name: &str, a: &str, b: &str, n: usize) {
    let lines: String = (0..n)
        .map(|i| {
            if i % 2 == 0 {
                format!("{a}\n")
            } else {
                format!("{b}\n")
            }
        })
        .collect();
    std::fs::write(desk.p(name), lines).unwrap();
}

/// A kiosk process running with its stdin and stdout open: lines are sent
/// as a scanner would, and its JSON decision lines read as they come.
pub struct LiveKiosk {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    lines: std::sync::mpsc::Receiver<String>,
    pub stderr: std::sync::Arc<std::sync::Mutex<String>>,
    stderr_reader: Option<std::thread::JoinHandle<()>>,
}

impl LiveKiosk {
    /// `badgegate kiosk ARGS` in `dir`, headless on stdin (the caller's
    /// args say so).
    pub fn start(dir: &Path, args: &[&str]) -> LiveKiosk {
        LiveKiosk::start_with_env(dir, args, &[])
    }

    /// As [`LiveKiosk::start`], with these environment variables set.
    pub fn start_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> LiveKiosk {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_badgegate"))
            .args(args)
            .envs(env.iter().copied())
            .env_remove("DISPLAY")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run badgegate");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let err = child.stderr.take().expect("stderr");
        let sink = stderr.clone();
        let stderr_reader = std::thread::spawn(move || {
            for line in std::io::BufReader::new(err).lines().map_while(Result::ok) {
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&line);
                    s.push('\n');
                }
            }
        });
        let stdin = child.stdin.take();
        LiveKiosk {
            child,
            stdin,
            lines,
            stderr,
            stderr_reader: Some(stderr_reader),
        }
    }

    /// Sends one scanner line.
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}").expect("write to the kiosk");
        stdin.flush().expect("flush");
    }

    /// The next decision, waiting up to 10 s.
    pub fn decision(&self) -> serde_json::Value {
        let line = self
            .lines
            .recv_timeout(std::time::Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("no decision in 10 s; stderr: {}", self.stderr()));
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The kiosk's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Closes stdin and waits for the kiosk to end; its exit code, and
    /// everything it said on stderr.
    pub fn finish_with_stderr(mut self) -> (i32, String) {
        drop(self.stdin.take());
        let code = self
            .child
            .wait()
            .map(|s| s.code().unwrap_or(-1))
            .unwrap_or(-1);
        if let Some(h) = self.stderr_reader.take() {
            let _ = h.join();
        }
        (code, self.stderr())
    }

    /// Kills the kiosk outright (SIGKILL: no chance to close anything), as
    /// a power cut or an OOM kill would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops the kiosk as `systemctl stop` does (SIGTERM, its input still
    /// open) and waits for it to end; its exit code and stderr.
    pub fn terminate(mut self) -> (i32, String) {
        // SAFETY: a signal to our own child, which has not been waited for.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let code = self
            .child
            .wait()
            .map(|s| s.code().unwrap_or(-1))
            .unwrap_or(-1);
        if let Some(h) = self.stderr_reader.take() {
            let _ = h.join();
        }
        (code, self.stderr())
    }

    /// Closes stdin and waits for the kiosk to end; its exit code.
    pub fn finish(self) -> i32 {
        self.finish_with_stderr().0
    }
}

impl Drop for LiveKiosk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The text tesseract reads on one line of a picture (`psm` 7: a line;
/// 13: a raw line, which its Persian model needs).
pub fn ocr_line(tesseract: &Path, img: &image::RgbImage, lang: &str, psm: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("line.png");
    img.save(&path).unwrap();
    let out = Command::new(tesseract)
        .arg(&path)
        .arg("stdout")
        .args(["-l", lang, "--psm", psm])
        .stderr(Stdio::null())
        .output()
        .expect("run tesseract");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A seeded generator for test walks and scattered records (a 64-bit
/// LCG): the same seed gives the same day every run.
pub fn seeded(seed: u64) -> impl Fn(usize) -> usize {
    let state = std::cell::Cell::new(seed);
    move |n: usize| {
        let s = state
            .get()
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state.set(s);
        ((s >> 33) as usize) % n
    }
}
