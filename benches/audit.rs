//! `cargo bench --bench audit`: the security office's commands on
//! 1,000,000 journal records (20 kiosks x 50,000), run as the real binary;
//! prints wall time and peak memory of each. Not a criterion bench: each
//! command runs once on data generated here.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use badgegate::journal::{genesis_hash, record_hash, Entry, Journal, NewEntry};
use badgegate::vocab::{Direction, EntryDecision, EntryKind, Reason};

const KIOSKS: usize = 20;
const PER_KIOSK: u64 = 50_000;
const START_MS: u64 = 1_796_108_400_000; // 2026-12-01T07:00:00Z

fn generate(dir: &Path) {
    for k in 0..KIOSKS {
        let kiosk = format!("kiosk-{k:02}");
        let mut j = Journal::open(&dir.join(format!("{kiosk}.db")), Some(&kiosk), &kiosk).unwrap();
        let mut prev = genesis_hash(&kiosk);
        let mut batch = Vec::with_capacity(10_000);
        for seq in 1..=PER_KIOSK {
            let person = (seq * 7 + k as u64 * 1000) % 20_000;
            let deny = seq % 17 == 0;
            let body = NewEntry {
                at_ms: START_MS + seq * 2_000 + k as u64 * 37,
                kind: EntryKind::Decision,
                gate: format!("gate-{:02}", k % 12),
                zone: Some(if k % 3 == 0 { "press" } else { "plenary" }.into()),
                direction: if k % 2 == 0 {
                    Direction::In
                } else {
                    Direction::Out
                },
                serial: Some(format!("D-{person:06}")),
                holder: Some(format!("Delegate Number {person} Example-Name")),
                org: Some(format!("Delegation of Country {}", person % 190)),
                category: Some("delegate".into()),
                key_id: Some("56475aa7".into()),
                decision: if deny {
                    EntryDecision::Deny
                } else {
                    EntryDecision::Admit
                },
                reason: if deny { Reason::Expired } else { Reason::Ok }.into(),
                flagged: false,
                authentic: true,
                detail: "valid until 2026-12-02 21:00 UTC".into(),
                note: None,
                input: format!("camera:0#{seq}"),
                ..NewEntry::default()
            };
            let hash = record_hash(&prev, &kiosk, seq, 2, &body, None);
            batch.push(Entry {
                id: 0,
                kiosk_id: kiosk.clone(),
                seq,
                body,
                prev_hash: prev,
                hash,
                format: 2,
                signer: None,
                sig: None,
            });
            prev = hash;
            if batch.len() == 10_000 {
                j.import(&batch).unwrap();
                batch.clear();
            }
        }
        j.import(&batch).unwrap();
    }
}

fn run(dir: &Path, what: &str, args: &[&str]) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_badgegate"))
        .args(args)
        .current_dir(dir)
        .env("BADGEGATE_REPORT_PEAK_RSS", "1")
        .output()
        .unwrap();
    let secs = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let peak = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak-rss: "))
        .unwrap_or("?");
    println!(
        "{what:<44} {secs:>7.2} s   peak {peak:>10}   exit {}",
        out.status.code().unwrap_or(-1)
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return; // `cargo test --benches` runs nothing heavy
    }
    let dir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    generate(dir.path());
    println!(
        "generated {} records ({KIOSKS} kiosks x {PER_KIOSK}) in {:.1} s",
        KIOSKS as u64 * PER_KIOSK,
        start.elapsed().as_secs_f64()
    );
    let sources: Vec<String> = (0..KIOSKS).map(|k| format!("kiosk-{k:02}.db")).collect();
    let mut merge = vec!["audit", "merge", "--journal", "all.db"];
    merge.extend(sources.iter().map(String::as_str));
    run(dir.path(), "audit merge (20 journals into one)", &merge);
    run(
        dir.path(),
        "audit merge again (idempotent, adds nothing)",
        &merge,
    );
    run(
        dir.path(),
        "audit verify (1M records)",
        &["audit", "verify", "--journal", "all.db"],
    );
    run(
        dir.path(),
        "audit export --format csv",
        &[
            "audit",
            "export",
            "--journal",
            "all.db",
            "--format",
            "csv",
            "--out",
            "all.csv",
        ],
    );
    run(
        dir.path(),
        "audit export --format jsonl",
        &[
            "audit",
            "export",
            "--journal",
            "all.db",
            "--format",
            "jsonl",
            "--out",
            "all.jsonl",
        ],
    );
    run(
        dir.path(),
        "audit stats",
        &["audit", "stats", "--journal", "all.db"],
    );
    run(
        dir.path(),
        "audit inside",
        &["audit", "inside", "--journal", "all.db"],
    );
    run(
        dir.path(),
        "audit report",
        &["audit", "report", "--journal", "all.db", "--out", "r.html"],
    );
    let size = |f: &str| {
        std::fs::metadata(dir.path().join(f))
            .map(|m| m.len() >> 20)
            .unwrap_or(0)
    };
    println!(
        "sizes: all.db {} MiB, all.csv {} MiB, all.jsonl {} MiB",
        size("all.db"),
        size("all.csv"),
        size("all.jsonl")
    );
}
