//! The venue network under faults, with a throw-away PostgreSQL, real kiosk
//! processes and the tests' fault proxy on loopback (`tests/common/proxy.rs`):
//!
//! 1. phantoms per 10,000 decisions under each fault (closed connections, a
//!    hang, a black hole, a 1.5 s delay, a SIGSTOPped server): people the
//!    office has inside that no gate's journal has inside;
//! 2. a 60 s hang: decision latency p50/p95/p99/max at a hard gate, the
//!    kiosk's threads and connections through it, and when it said OFFLINE;
//! 3. 20 gates cut off for 10 s: connections the office receives in the
//!    first second after the network returns;
//! 4. `revoke --office` wall time with the office hung;
//! 5. a revocation's reach to 20 running gates, from the desk's command to
//!    each gate's record: p50, p95, max.
//!
//! `cargo bench --bench faults`

#[allow(dead_code)]
#[path = "../tests/it/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use badgegate::format::badge::{Badge, SignedBadge};
use badgegate::format::keys::{KeyId, SecretKey};
use common::pg::Pg;
use common::proxy::{Fault, Proxy};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_badgegate")
}

fn run(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v.get(i).copied().unwrap_or(f64::NAN)
}

/// A running kiosk: its stdin, its decisions, what it says on stderr.
struct Gate {
    child: Child,
    input: std::process::ChildStdin,
    output: BufReader<std::process::ChildStdout>,
    said: Receiver<(Instant, String)>,
}

impl Gate {
    fn start(dir: &Path, id: &str, extra: &[&str]) -> Gate {
        let mut child = Command::new(bin())
            .current_dir(dir)
            .args(common::venue_kiosk_args(id, "plenary", extra))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, said) = std::sync::mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send((Instant::now(), line));
            }
        });
        Gate {
            input: child.stdin.take().unwrap(),
            output: BufReader::new(child.stdout.take().unwrap()),
            child,
            said,
        }
    }

    /// Decides one line; the decision's reason and how long it took.
    fn decide(&mut self, line: &str) -> (String, f64) {
        let t = Instant::now();
        writeln!(self.input, "{line}").unwrap();
        self.input.flush().unwrap();
        let mut out = String::new();
        self.output.read_line(&mut out).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
        (
            v["reason"].as_str().unwrap_or("?").to_owned(),
            t.elapsed().as_secs_f64() * 1000.0,
        )
    }

    /// Waits for a stderr line containing `words`; when it was said.
    fn wait_for(&self, words: &str, limit: Duration) -> Option<Instant> {
        let end = Instant::now() + limit;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.said.recv_timeout(left) {
                Ok((at, line)) if line.contains(words) => return Some(at),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    }

    fn threads(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/task", self.child.id()))
            .map(|d| d.count())
            .unwrap_or(0)
    }

    fn stop(mut self) {
        drop(self.input);
        let _ = self.child.wait();
    }
}

/// The serials of `inside --json` lines.
fn serials_inside(out: &str) -> std::collections::BTreeSet<String> {
    out.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["serial"].as_str().map(str::to_owned))
        .collect()
}

fn main() {
    let Some(pg) = Pg::start() else { return };
    let desk = common::Desk::new();
    let dir = desk.path().to_owned();
    let url = pg.admin_url();
    let port = pg.port;
    assert!(run(&dir, &["office", "init", "--db", &url]).0);
    let proxy = Proxy::start(port);
    let through = proxy.url(&url, port);
    let enrol = |id: &str| {
        let out = format!("{id}.office");
        let (ok, said) = run(
            &dir,
            &[
                "office",
                "add-kiosk",
                "--db",
                &through,
                "--kiosk-id",
                id,
                "--out",
                &out,
            ],
        );
        assert!(ok, "{said}");
    };
    let key = SecretKey::load(&dir.join("keys/registration.key.pem")).unwrap();
    let now = badgegate::clock::now() / 60 * 60;
    let badge = |serial: &str| {
        let b = Badge {
            key_id: KeyId([0; 4]),
            serial: serial.into(),
            name: "Fault Holder".into(),
            org: String::new(),
            category: "delegate".into(),
            zones: vec!["plenary".into()],
            valid_from: now - 3600,
            valid_until: now + 86_400,
            issued_at: now - 7200,
            photo: None,
        };
        SignedBadge::sign(b, &key).unwrap().text().to_owned()
    };

    // 1. Phantoms under each fault.
    enrol("ph");
    let hard = ["--offline-passback", "hard", "--passback-timeout", "300"];
    let mut gate = Gate::start(&dir, "ph", &hard);
    gate.decide("junk");
    let faults: [(&str, Option<Fault>); 5] = [
        ("closed", Some(Fault::Close)),
        ("hung", Some(Fault::Hang)),
        ("black hole", Some(Fault::BlackHole)),
        (
            "1.5 s delay",
            Some(Fault::Delay(Duration::from_millis(1500))),
        ),
        ("server SIGSTOP", None),
    ];
    const PER_FAULT: usize = 400;
    let mut decided = 0;
    for (n, (name, fault)) in faults.into_iter().enumerate() {
        // Longer than the check's 3 s quiet time after an unanswered one,
        // so each fault starts by really asking.
        std::thread::sleep(Duration::from_secs(4));
        match fault {
            Some(f) => proxy.set(f),
            None => pg.freeze(true),
        }
        let mut latencies = Vec::new();
        for i in 0..PER_FAULT {
            // Half the people are new, half were seen at this gate before.
            let (_, ms) = gate.decide(&badge(&format!("F{n}-{}", i % (PER_FAULT / 2))));
            latencies.push(ms);
            decided += 1;
        }
        std::thread::sleep(Duration::from_secs(2));
        match fault {
            Some(_) => proxy.set(Fault::Pass),
            None => pg.freeze(false),
        }
        // Every record at the office, every reservation settled.
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(40) {
            let left: i64 = pg
                .sql("SELECT count(*) FROM badgegate.reservations")
                .parse()
                .unwrap_or(1);
            if left == 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        println!(
            "{name}: {PER_FAULT} decisions at a hard gate, p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
            percentile(&mut latencies, 0.5),
            percentile(&mut latencies, 0.99),
            percentile(&mut latencies, 1.0)
        );
    }
    std::thread::sleep(Duration::from_secs(3));
    let office_inside = serials_inside(&run(&dir, &["office", "inside", "--db", &url, "--json"]).1);
    let (ok, said) = run(&dir, &["audit", "inside", "--journal", "ph.db", "--json"]);
    assert!(ok, "{said}");
    let journal_inside = serials_inside(&said);
    let phantoms = office_inside.difference(&journal_inside).count();
    println!(
        "phantoms: {phantoms} in {decided} decisions under five faults = {:.1} per 10,000 (office inside {}, the gate's journal {})",
        phantoms as f64 * 10_000.0 / decided as f64,
        office_inside.len(),
        journal_inside.len()
    );
    gate.stop();

    // 2. A 60 s hang at a hard gate.
    enrol("hang");
    let mut gate = Gate::start(&dir, "hang", &hard);
    gate.decide("junk");
    gate.wait_for("office: ONLINE", Duration::from_secs(10));
    gate.decide(&badge("H-warm"));
    let accepted = proxy.accepted();
    let threads_before = gate.threads();
    proxy.set(Fault::Hang);
    let hung = Instant::now();
    let mut latencies = Vec::new();
    let mut max_threads = threads_before;
    let mut i = 0;
    while hung.elapsed() < Duration::from_secs(60) {
        let (_, ms) = gate.decide(&badge(&format!("H-{i}")));
        latencies.push(ms);
        max_threads = max_threads.max(gate.threads());
        i += 1;
        std::thread::sleep(Duration::from_millis(200));
    }
    let offline = gate
        .wait_for("OFFLINE", Duration::from_millis(1))
        .map(|t| t.duration_since(hung).as_secs_f64() * 1000.0);
    let connections = proxy.accepted() - accepted;
    proxy.set(Fault::Pass);
    println!(
        "60 s hang: {} decisions, p50 {:.0} ms, p95 {:.0} ms, p99 {:.0} ms, max {:.0} ms (passback timeout 300 ms); threads {threads_before} before, at most {max_threads}; new connections during the hang {connections}; OFFLINE said after {}",
        latencies.len(),
        percentile(&mut latencies, 0.5),
        percentile(&mut latencies, 0.95),
        percentile(&mut latencies, 0.99),
        percentile(&mut latencies, 1.0),
        offline.map_or("never".to_owned(), |ms| format!("{ms:.0} ms"))
    );
    gate.stop();

    // 3 and 5. Twenty gates: cut off, back; then revocations.
    let ids: Vec<String> = (0..20).map(|i| format!("g{i:02}")).collect();
    for id in &ids {
        enrol(id);
    }
    let (ok, said) = run(
        &dir,
        &[
            "office",
            "add-publisher",
            "--db",
            &through,
            "--name",
            "desk",
            "--out",
            "desk.office",
        ],
    );
    assert!(ok, "{said}");
    let mut gates: Vec<Gate> = ids
        .iter()
        .map(|id| Gate::start(&dir, id, &["--anti-passback", "off"]))
        .collect();
    for g in &gates {
        g.wait_for("office: ONLINE", Duration::from_secs(20));
    }
    proxy.set(Fault::Close);
    std::thread::sleep(Duration::from_secs(10));
    let before = proxy.accepted();
    proxy.set(Fault::Pass);
    std::thread::sleep(Duration::from_secs(1));
    let first_second = proxy.accepted() - before;
    std::thread::sleep(Duration::from_secs(6));
    println!(
        "20 gates cut off 10 s: {first_second} connections reached the office in the first second after (at most 2 a gate: its pusher and its passback check)"
    );
    for g in &mut gates {
        // Drain what they said while cut off.
        while g.said.try_recv().is_ok() {}
    }
    // The desk revokes one serial and publishes through the office.
    let revoke = |serial: &str| {
        run(
            &dir,
            &[
                "revoke",
                "--key",
                "keys/registration.key.pem",
                "--list",
                "rl.txt",
                serial,
                "--office",
                "desk.office",
            ],
        )
    };
    let mut reach = Vec::new();
    let mut desk_ms = Vec::new();
    for round in 0..10 {
        let t = Instant::now();
        let (ok, said) = revoke(&format!("R-{round}"));
        assert!(ok, "{said}");
        desk_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        for g in &gates {
            let at = g
                .wait_for("taken up", Duration::from_secs(30))
                .expect("taken up");
            reach.push(at.duration_since(t).as_secs_f64() * 1000.0);
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    println!(
        "revocation to 20 gates ({} samples, from the desk's command to each gate's record): p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms; the revoke command itself (sign, write, publish) p50 {:.0} ms",
        reach.len(),
        percentile(&mut reach, 0.5),
        percentile(&mut reach, 0.95),
        percentile(&mut reach, 1.0),
        percentile(&mut desk_ms, 0.5)
    );

    // 4. revoke --office with the office hung.
    pg.freeze(true);
    let t = Instant::now();
    let (ok, said) = revoke("R-hung");
    let took = t.elapsed();
    pg.freeze(false);
    println!(
        "revoke --office with the office hung: {} ms, exit {}, said: {}",
        took.as_millis(),
        if ok { 0 } else { 1 },
        said.lines()
            .find(|l| l.contains("PUBLISHED"))
            .unwrap_or("?")
    );
    for g in gates {
        g.stop();
    }
}
