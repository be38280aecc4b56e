//! The venue network's numbers, with a throw-away PostgreSQL on this
//! machine and real kiosk processes:
//!
//! 1. records pushed a second into the office by 20 kiosk processes
//!    (`BADGEGATE_BENCH_RECORDS`, default 1,000,000 in all), office memory
//!    while they push, database size per million records;
//! 2. catch-up: a kiosk that was offline for an hour at one decision a
//!    second (3,600 records) hands them over;
//! 3. revocation propagation to 20 running kiosks, p50 and p95;
//! 4. decision latency at a kiosk with the office up, down and hung.
//!
//! `cargo bench --bench office`

#[allow(dead_code)]
#[path = "../tests/it/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use badgegate::format::badge::{Badge, SignedBadge};
use badgegate::format::keys::{KeyId, SecretKey};
use badgegate::journal::{genesis_hash, record_hash, Entry, Journal, NewEntry, RECORD_FORMAT};
use badgegate::vocab::{Direction, EntryDecision, EntryKind, Reason};
use common::pg::Pg;

const KIOSKS: usize = 20;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_badgegate")
}

fn run(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A kiosk journal of `n` decision records, written directly (a real chain,
/// hashed as a kiosk hashes it; one transaction a batch).
fn fill_journal(path: &Path, kiosk: &str, n: u64) {
    let mut j = Journal::open(path, Some(kiosk), kiosk).unwrap();
    let mut prev = genesis_hash(kiosk);
    let mut batch = Vec::with_capacity(10_000);
    for seq in 1..=n {
        let body = NewEntry {
            at_ms: 1_796_205_600_000 + seq * 1000,
            kind: EntryKind::Decision,
            gate: format!("gate-{kiosk}"),
            zone: Some("plenary".into()),
            direction: Direction::In,
            serial: Some(format!("S-{seq}")),
            holder: Some("Bench Holder".into()),
            org: Some("Bench Org".into()),
            category: Some("delegate".into()),
            key_id: Some("56475aa7".into()),
            decision: EntryDecision::Deny,
            reason: Reason::Expired.into(),
            authentic: true,
            detail: "expired 2026-11-26 12:00 UTC".into(),
            input: format!("camera:0#{seq}"),
            ..NewEntry::default()
        };
        let hash = record_hash(&prev, kiosk, seq, RECORD_FORMAT, &body, None);
        batch.push(Entry {
            id: 0,
            kiosk_id: kiosk.into(),
            seq,
            body,
            prev_hash: prev,
            hash,
            format: RECORD_FORMAT,
            signer: None,
            sig: None,
        });
        prev = hash;
        if batch.len() == 10_000 {
            j.import(&batch).unwrap();
            batch.clear();
        }
    }
    if !batch.is_empty() {
        j.import(&batch).unwrap();
    }
}

fn kiosk_cmd(dir: &Path, id: &str, extra: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.current_dir(dir)
        .args(common::venue_kiosk_args(id, "plenary", extra));
    c
}

/// The PostgreSQL server's memory (KiB): the proportional set size of its
/// processes, so shared buffers are counted once.
fn office_rss_kib(pg: &Pg) -> u64 {
    let parent = pg.pid();
    let mut total = 0;
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let pss = std::fs::read_to_string(entry.path().join("smaps_rollup"))
            .ok()
            .and_then(|t| {
                t.lines()
                    .find(|l| l.starts_with("Pss:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse::<u64>().ok())
            });
        let field = |k: &str| {
            status
                .lines()
                .find(|l| l.starts_with(k))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        };
        let pid = field("Pid:").unwrap_or(0) as i32;
        if pid == parent || field("PPid:") == Some(parent as u64) {
            total += pss.unwrap_or(0);
        }
    }
    total
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let Some(pg) = Pg::start() else { return };
    let desk = common::Desk::new();
    let dir = desk.path().to_owned();
    let url = pg.admin_url();
    run(&dir, &["office", "init", "--db", &url]);
    let total: u64 = std::env::var("BADGEGATE_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let per = total / KIOSKS as u64;
    let ids: Vec<String> = (0..KIOSKS).map(|i| format!("k{i:02}")).collect();
    for id in &ids {
        run(
            &dir,
            &[
                "office",
                "add-kiosk",
                "--db",
                &url,
                "--kiosk-id",
                id,
                "--out",
                &format!("{id}.office"),
            ],
        );
    }
    run(
        &dir,
        &[
            "office",
            "add-publisher",
            "--db",
            &url,
            "--name",
            "desk",
            "--out",
            "desk.office",
        ],
    );

    // 1. 20 kiosks hand over their journals at once.
    let t = Instant::now();
    std::thread::scope(|s| {
        for chunk in ids.chunks(KIOSKS / 2) {
            let dir = &dir;
            s.spawn(move || {
                for id in chunk {
                    fill_journal(&dir.join(format!("{id}.db")), id, per);
                }
            });
        }
    });
    eprintln!(
        "built {KIOSKS} journals of {per} records in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let mut children: Vec<_> = ids
        .iter()
        .map(|id| {
            kiosk_cmd(&dir, id, &[])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut peak_rss = 0;
    while children.iter_mut().any(|c| c.try_wait().unwrap().is_none()) {
        peak_rss = peak_rss.max(office_rss_kib(&pg));
        std::thread::sleep(Duration::from_millis(500));
    }
    let secs = t.elapsed().as_secs_f64();
    let held: i64 = pg
        .sql("SELECT count(*) FROM badgegate.records")
        .parse()
        .unwrap();
    let table: i64 = pg
        .sql("SELECT pg_total_relation_size('badgegate.records')")
        .parse()
        .unwrap();
    let db: i64 = pg
        .sql("SELECT pg_database_size('postgres')")
        .parse()
        .unwrap();
    println!(
        "push: {held} records from {KIOSKS} kiosk processes in {secs:.1} s = {:.0} records/s; office peak memory (PSS) {:.0} MiB; \
         records table {:.0} MiB ({:.0} bytes a record, {:.0} MiB a million); database {:.0} MiB",
        held as f64 / secs,
        peak_rss as f64 / 1024.0,
        table as f64 / 1048576.0,
        table as f64 / held.max(1) as f64,
        table as f64 / held.max(1) as f64,
        db as f64 / 1048576.0
    );

    // 2. Catch-up after an hour offline at one decision a second.
    run(
        &dir,
        &[
            "office",
            "add-kiosk",
            "--db",
            &url,
            "--kiosk-id",
            "late",
            "--out",
            "late.office",
        ],
    );
    fill_journal(&dir.join("late.db"), "late", 3600);
    let t = Instant::now();
    let ok = kiosk_cmd(&dir, "late", &[])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(ok.status.success());
    let held: i64 = pg
        .sql("SELECT count(*) FROM badgegate.records WHERE kiosk_id = 'late'")
        .parse()
        .unwrap();
    println!(
        "catch-up: {held} records (an hour at one a second) at the office {:.2} s after the kiosk started (including its start)",
        t.elapsed().as_secs_f64()
    );

    // 3. Revocation propagation to 20 running kiosks.
    let mut running: Vec<_> = ids
        .iter()
        .map(|id| {
            let mut c = kiosk_cmd(&dir, id, &["--anti-passback", "off"])
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let (tx, rx) = std::sync::mpsc::channel::<Instant>();
            let err = c.stderr.take().unwrap();
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines().map_while(Result::ok) {
                    if line.contains("revocation list") && line.contains("taken up") {
                        let _ = tx.send(Instant::now());
                    }
                }
            });
            (c, rx)
        })
        .collect();
    std::thread::sleep(Duration::from_secs(3));
    let mut delays = Vec::new();
    for round in 0..5 {
        let t = Instant::now();
        run(
            &dir,
            &[
                "revoke",
                "--key",
                "keys/registration.key.pem",
                "--list",
                "rl.txt",
                &format!("R-{round}"),
                "--office",
                "desk.office",
            ],
        );
        for (_, rx) in &running {
            let at = rx.recv_timeout(Duration::from_secs(30)).expect("taken up");
            delays.push((at - t).as_secs_f64() * 1000.0);
        }
    }
    println!(
        "revocation to {KIOSKS} kiosks ({} samples, from the desk's command to each kiosk's record): p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        delays.len(),
        percentile(&mut delays, 0.5),
        percentile(&mut delays, 0.95),
        percentile(&mut delays, 1.0)
    );
    for (c, _) in &mut running {
        drop(c.stdin.take());
        let _ = c.wait();
    }

    // 4. Decision latency with the office up, down and hung.
    let key = SecretKey::load(&dir.join("keys/registration.key.pem")).unwrap();
    let minute = |t: u64| t / 60 * 60;
    let badge = |i: usize| {
        let now = minute(badgegate::clock::now());
        let b = Badge {
            key_id: KeyId([0; 4]),
            serial: format!("L-{i}"),
            name: "Latency Holder".into(),
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
    run(
        &dir,
        &[
            "office",
            "add-kiosk",
            "--db",
            &url,
            "--kiosk-id",
            "lat",
            "--out",
            "lat.office",
        ],
    );
    let mut k = kiosk_cmd(&dir, "lat", &["--offline-passback", "soft"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = k.stdin.take().unwrap();
    let mut output = BufReader::new(k.stdout.take().unwrap());
    let mut n = 0;
    let mut measure = |label: &str| {
        let mut v = Vec::new();
        for _ in 0..40 {
            n += 1;
            let t = Instant::now();
            writeln!(input, "{}", badge(n)).unwrap();
            input.flush().unwrap();
            let mut line = String::new();
            output.read_line(&mut line).unwrap();
            v.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        println!(
            "decision latency, office {label}: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms (40 entry admits, passback timeout 1000 ms)",
            percentile(&mut v, 0.5),
            percentile(&mut v, 0.95),
            percentile(&mut v, 1.0)
        );
    };
    // Between phases, longer than the check's 3 s quiet time after an
    // unanswered claim, so each phase starts by really asking.
    let settle = || std::thread::sleep(Duration::from_secs(4));
    settle();
    measure("up");
    pg.stop();
    settle();
    measure("down");
    pg.restart();
    settle();
    measure("up again");
    pg.freeze(true);
    settle();
    measure("hung (SIGSTOP)");
    pg.freeze(false);
    drop(input);
    let _ = k.wait();
}
