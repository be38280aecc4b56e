//! A real headless Chromium driven over W3C WebDriver (Debian's
//! `chromium` and `chromium-driver`), at 1920x1080, for the office
//! dashboard's tests. Skipped with a printed reason where they are not
//! installed; under CI a missing browser fails the test.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The WebDriver element key.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A static folder served over HTTP on `port` at 127.0.0.1 (Python's
/// `http.server`, as any plain web host would), until the child is killed.
pub fn serve_static(dir: &Path, port: u16) -> Child {
    Command::new("python3")
        .args([
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            &port.to_string(),
        ])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 -m http.server")
}

pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
}

fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build(),
    )
}

impl Browser {
    /// Starts chromedriver and a headless Chromium window of 1920x1080.
    pub fn start() -> Option<Browser> {
        Browser::start_with(&[], None)
    }

    /// As [`Browser::start`], with more Chromium flags (a fake camera) and
    /// a profile folder of the caller's (kept across browsers: a phone's
    /// storage and service worker).
    pub fn start_with(extra: &[String], profile: Option<&Path>) -> Option<Browser> {
        let (Some(driver), Some(chromium)) = (super::tool("chromedriver"), super::tool("chromium"))
        else {
            if std::env::var_os("CI").is_some() {
                panic!("chromium and chromium-driver are not installed, and CI must run this test (.ci/run installs them)");
            }
            eprintln!("SKIPPED: chromium and chromium-driver are not installed");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let agent = agent();
        let start = Instant::now();
        while agent.get(format!("{base}/status")).call().is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = profile.map(Path::to_path_buf).unwrap_or_else(|| {
            std::env::temp_dir().join(format!("bg-chromium-{}-{port}", std::process::id()))
        });
        let mut args: Vec<String> = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1920,1080",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ]
        .iter()
        .map(|a| (*a).to_owned())
        .collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.extend_from_slice(extra);
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "acceptInsecureCerts": false,
            "goog:chromeOptions": {
                "binary": chromium.display().to_string(),
                "args": args
            }
        }}});
        let mut b = Browser {
            driver: child,
            base,
            session: String::new(),
            agent,
        };
        let v = b.post("/session", caps);
        b.session = v["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {v}"))
            .to_owned();
        // The page itself 1920x1080, as on a wall screen: the window is
        // grown by whatever the browser's own frame takes.
        let frame = b.run(
            "return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight]",
            json!([]),
        );
        let (fw, fh) = (
            frame[0].as_i64().unwrap_or(0),
            frame[1].as_i64().unwrap_or(0),
        );
        b.post(
            &b.s("/window/rect"),
            json!({"width": 1920 + fw, "height": 1080 + fh}),
        );
        Some(b)
    }

    fn answer(mut r: ureq::http::Response<ureq::Body>, what: &str) -> Value {
        let v: Value = r.body_mut().read_json().unwrap_or(Value::Null);
        assert!(
            r.status().is_success(),
            "WebDriver {what}: {} {}",
            r.status(),
            v
        );
        v["value"].clone()
    }

    fn post(&self, path: &str, body: Value) -> Value {
        let r = self
            .agent
            .post(format!("{}{}", self.base, path))
            .send_json(&body)
            .expect("WebDriver request");
        Self::answer(r, path)
    }

    fn get(&self, path: &str) -> Value {
        let r = self
            .agent
            .get(format!("{}{}", self.base, path))
            .call()
            .expect("WebDriver request");
        Self::answer(r, path)
    }

    fn s(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    pub fn goto(&self, url: &str) {
        self.post(&self.s("/url"), json!({ "url": url }));
    }

    pub fn url(&self) -> String {
        self.get(&self.s("/url"))
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The element matching a CSS selector, if any.
    pub fn find(&self, css: &str) -> Option<String> {
        let r = self
            .agent
            .post(format!("{}{}", self.base, self.s("/element")))
            .send_json(json!({"using": "css selector", "value": css}))
            .expect("WebDriver request");
        if !r.status().is_success() {
            return None;
        }
        let v = Self::answer(r, "element");
        v[ELEMENT].as_str().map(str::to_owned)
    }

    fn must(&self, css: &str) -> String {
        self.find(css)
            .unwrap_or_else(|| panic!("no {css} on {}:\n{}", self.url(), self.text("body")))
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let e = self.must(css);
        self.post(&self.s(&format!("/element/{e}/clear")), json!({}));
        self.post(
            &self.s(&format!("/element/{e}/value")),
            json!({ "text": text }),
        );
    }

    pub fn click(&self, css: &str) {
        let e = self.must(css);
        self.post(&self.s(&format!("/element/{e}/click")), json!({}));
    }

    /// The visible text of the first element matching `css` ("" if none).
    pub fn text(&self, css: &str) -> String {
        let v = self.run(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';",
            json!([css]),
        );
        v.as_str().unwrap_or_default().to_owned()
    }

    /// Runs JavaScript in the page and returns its value.
    pub fn run(&self, script: &str, args: Value) -> Value {
        self.post(
            &self.s("/execute/sync"),
            json!({ "script": script, "args": args }),
        )
    }

    /// Waits up to `limit` for `f` to hold; returns how long it took.
    pub fn wait_for(
        &self,
        what: &str,
        limit: Duration,
        mut f: impl FnMut(&Browser) -> bool,
    ) -> Duration {
        let start = Instant::now();
        loop {
            if f(self) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < limit,
                "never within {limit:?}: {what}\npage {}:\n{}",
                self.url(),
                self.text("body")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Saves a PNG of the window.
    pub fn screenshot(&self, out: &Path) {
        use base64::Engine;
        let v = self.get(&self.s("/screenshot"));
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .expect("a base64 screenshot");
        if let Some(dir) = out.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(out, png).unwrap();
    }
}

impl Browser {
    /// Makes the page itself `w`x`h` (the window grown by whatever the
    /// browser's own frame takes).
    pub fn resize(&self, w: i64, h: i64) {
        let frame = self.run(
            "return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight]",
            json!([]),
        );
        let (fw, fh) = (
            frame[0].as_i64().unwrap_or(0),
            frame[1].as_i64().unwrap_or(0),
        );
        self.post(
            &self.s("/window/rect"),
            json!({"width": w + fw, "height": h + fh}),
        );
    }

    /// Prints the page as the browser would on paper (its print styles),
    /// A4, to `out`; returns `out`.
    pub fn print_pdf(&self, out: &Path) -> std::path::PathBuf {
        use base64::Engine;
        let v = self.post(
            &self.s("/print"),
            json!({"page": {"width": 21.0, "height": 29.7}, "background": false}),
        );
        let pdf = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .expect("a base64 PDF");
        if let Some(dir) = out.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(out, pdf).unwrap();
        out.to_path_buf()
    }

    /// A phone: Chromium whose camera shows the Y4M clip `clip` in a loop
    /// (a fake camera, allowed without asking), with its storage in
    /// `profile`.
    pub fn with_camera(clip: &Path, profile: &Path) -> Option<Browser> {
        Browser::start_with(
            &[
                "--use-fake-device-for-media-stream".into(),
                "--use-fake-ui-for-media-stream".into(),
                format!("--use-file-for-fake-video-capture={}", clip.display()),
            ],
            Some(profile),
        )
    }

    /// Cuts the page off the network (Chromium's network emulation), or
    /// puts it back.
    pub fn offline(&self, offline: bool) {
        self.post(
            &self.s("/chromium/network_conditions"),
            json!({"network_conditions": {
                "offline": offline, "latency": 0,
                "download_throughput": 1_000_000, "upload_throughput": 1_000_000
            }}),
        );
    }

    /// A cookie's value (also an HttpOnly one).
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.get(&self.s(&format!("/cookie/{name}")))["value"]
            .as_str()
            .map(str::to_owned)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self
                .agent
                .delete(format!("{}/session/{}", self.base, self.session))
                .call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
