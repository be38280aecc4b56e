//! `cargo bench --bench journal`: durable journal appends against a bare
//! SQLite loop on the same disk in the same run, and where a kiosk's
//! decision time goes.
//!
//! - bare: one INSERT and COMMIT a row into a table with the journal's
//!   columns (STRICT, no index, no trigger), WAL, `synchronous=FULL`;
//! - append: `Journal::append` (chain head, hash, signature when a kiosk
//!   key is given, the journal's indexes), each committed durably;
//! - the stages of one `kiosk --stdin --headless` decision, timed apart;
//! - the release binary on N scanner lines, end to end.
//!
//! `BADGEGATE_BENCH_N` (default 3000) rows a run; three alternating rounds,
//! the median round reported.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

use badgegate::format::badge::{Badge, SignedBadge};
use badgegate::format::keys::{KeyId, SecretKey, TrustStore};
use badgegate::gate::decide::{decide_bytes, AntiPassback, Checks, GatePolicy};
use badgegate::gate::engine::{Kiosk, KioskConfig};
use badgegate::gate::lists::RevocationSet;
use badgegate::journal::{Journal, NewEntry};
use badgegate::vocab::{Direction, EntryDecision, EntryKind, Reason};

const NOW: u64 = 1_790_000_040;

fn entry(i: u64) -> NewEntry {
    NewEntry {
        at_ms: NOW * 1000 + i,
        kind: EntryKind::Decision,
        gate: "north".into(),
        zone: Some("plenary".into()),
        direction: Direction::In,
        serial: Some(format!("D-{i:06}")),
        holder: Some("Maximilian Alexander von Hohenberg-Ruiz".into()),
        org: Some("Federal Ministry for European Affairs".into()),
        category: Some("delegate".into()),
        key_id: Some("01020304".into()),
        decision: EntryDecision::Admit,
        reason: Reason::Ok.into(),
        flagged: false,
        authentic: true,
        detail: "valid until 2026-12-02 21:00 UTC".into(),
        note: None,
        input: format!("stdin:{i}"),
        ..NewEntry::default()
    }
}

/// A bare table with the journal's columns (STRICT, no index, no
/// trigger), WAL, `synchronous=FULL`: the floor any journal is held to.
struct Bare {
    conn: rusqlite::Connection,
}

impl Bare {
    fn open(dir: &std::path::Path) -> Bare {
        let conn = rusqlite::Connection::open(dir.join("bare.db")).unwrap();
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
            .unwrap();
        conn.pragma_update(None, "synchronous", "FULL").unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, kiosk_id TEXT NOT NULL, seq INTEGER NOT NULL,
             at_ms INTEGER NOT NULL, kind TEXT NOT NULL, gate TEXT NOT NULL, zone TEXT,
             direction TEXT NOT NULL, serial TEXT, holder TEXT, org TEXT, category TEXT, key_id TEXT,
             decision TEXT NOT NULL, reason TEXT NOT NULL, flagged INTEGER NOT NULL,
             authentic INTEGER NOT NULL, detail TEXT NOT NULL, note TEXT, input TEXT NOT NULL,
             prev_hash BLOB NOT NULL, hash BLOB NOT NULL) STRICT",
        )
        .unwrap();
        Bare { conn }
    }

    /// One INSERT, committed (autocommit: one transaction a row).
    fn commit(&self, i: u64) {
        let e = entry(i);
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT INTO t (kiosk_id, seq, at_ms, kind, gate, zone, direction, serial, holder,
                 org, category, key_id, decision, reason, flagged, authentic, detail, note, input,
                 prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
                 ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
            )
            .unwrap();
        stmt.execute(rusqlite::params![
            "bench",
            (i + 1) as i64,
            e.at_ms as i64,
            e.kind.code(),
            e.gate,
            e.zone,
            e.direction.code(),
            e.serial,
            e.holder,
            e.org,
            e.category,
            e.key_id,
            e.decision.code(),
            e.reason.code(),
            0,
            1,
            e.detail,
            e.note,
            e.input,
            vec![0u8; 32],
            vec![1u8; 32],
        ])
        .unwrap();
    }
}

/// Commits a second for the bare loop, unsigned appends and signed
/// appends, measured together: one commit of each in turn, in rotating
/// order, so the disk's drift from second to second falls on all three.
fn commits(dir: &std::path::Path, n: u64) -> [f64; 3] {
    let bare = Bare::open(dir);
    let mut unsigned = Journal::open(&dir.join("unsigned.db"), Some("bench"), "bench").unwrap();
    let mut signed = Journal::open(&dir.join("signed.db"), Some("bench"), "bench").unwrap();
    signed.sign_with(SecretKey::from_seed(&[9; 32]));
    let mut spent = [std::time::Duration::ZERO; 3];
    for i in 0..n {
        for k in 0..3 {
            let which = (i as usize + k) % 3;
            let t = Instant::now();
            match which {
                0 => bare.commit(i),
                1 => {
                    unsigned.append(&entry(i)).unwrap();
                }
                _ => {
                    signed.append(&entry(i)).unwrap();
                }
            }
            spent[which] += t.elapsed();
        }
    }
    spent.map(|d| n as f64 / d.as_secs_f64())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn badge_text(key: &SecretKey, i: u64) -> String {
    let b = Badge {
        key_id: KeyId([0; 4]),
        serial: format!("D-{i:06}"),
        name: "Maximilian Alexander von Hohenberg-Ruiz".into(),
        org: "Federal Ministry for European Affairs".into(),
        category: "delegate".into(),
        zones: vec!["plenary".into(), "press".into(), "lounge".into()],
        valid_from: NOW - 3600,
        valid_until: NOW + 86_400,
        issued_at: NOW - 7200,
        photo: None,
    };
    SignedBadge::sign(b, key).unwrap().text().to_owned()
}

/// Microseconds a decision for each stage of the kiosk's decision path,
/// each decision followed by one bare commit on the same disk, so the
/// stages and the floor are timed under the same conditions.
fn stages(dir: &std::path::Path, n: u64) {
    let key = SecretKey::from_seed(&[1; 32]);
    let texts: Vec<String> = (0..n).map(|i| badge_text(&key, i)).collect();
    let trust = TrustStore::from_keys(&[key.public()], &[]);
    let gate = GatePolicy {
        zone: Some("plenary".into()),
        ..GatePolicy::default()
    };
    let checks = Checks {
        trust: &trust,
        revocations: None,
        gate: &gate,
        now: NOW,
    };
    let cfg = KioskConfig {
        gate: "north".into(),
        zone: Some("plenary".into()),
        direction: Direction::In,
        anti_passback: AntiPassback::Hard,
        skew_secs: 120,
        cooldown_ms: 0,
        confirm_categories: Vec::new(),
        guard_present: false,
        staff_categories: vec!["staff".into()],
        photos: None,
        venue: None,
    };
    let mut journal = Journal::open(&dir.join("stages.db"), Some("k"), "k").unwrap();
    journal.sign_with(SecretKey::from_seed(&[9; 32]));
    let mut kiosk = Kiosk::start(
        cfg,
        trust.clone(),
        RevocationSet::new(),
        journal,
        NOW * 1000,
    )
    .unwrap();
    let bare = Bare::open(dir);
    let mut spent = [0f64; 4];
    let mut lap = |k: usize, t: &mut Instant| {
        spent[k] += t.elapsed().as_secs_f64() * 1e6;
        *t = Instant::now();
    };
    let mut sink = std::io::sink();
    for (i, s) in texts.iter().enumerate() {
        let mut t = Instant::now();
        std::hint::black_box(decide_bytes(s.as_bytes(), &checks));
        lap(0, &mut t);
        // The engine decides again (the same check) and appends, signed.
        let o = kiosk
            .scan(s.as_bytes(), "stdin", NOW * 1000 + i as u64)
            .unwrap()
            .unwrap();
        lap(1, &mut t);
        writeln!(
            sink,
            "{}",
            badgegate::text::json_line(&kiosk.outcome_line(&o))
        )
        .unwrap();
        lap(2, &mut t);
        bare.commit(i as u64);
        lap(3, &mut t);
    }
    let per = |k: usize| spent[k] / n as f64;
    println!("\nstages of one decision, µs (N = {n}), each followed by a bare commit:");
    println!(
        "  parse + verify_strict + decide                    {:8.1}",
        per(0)
    );
    println!(
        "  Kiosk::scan: decide + anti-passback + signed append {:6.1}   (so the append: {:.1})",
        per(1),
        per(1) - per(0)
    );
    println!(
        "  JSON line                                         {:8.1}",
        per(2)
    );
    println!(
        "  the bare commit beside it                         {:8.1}",
        per(3)
    );
}

/// The release binary deciding N scanner lines, end to end.
/// Lines piped at once arrive faster than one fsync each: the kiosk
/// decides those already waiting in turn and commits them together (group
/// commit); a gate fed one badge at a time commits each alone (the stages
/// above).
fn end_to_end(dir: &std::path::Path, n: u64, bare: f64) {
    let key = SecretKey::from_seed(&[1; 32]);
    let trust = dir.join("trust");
    std::fs::create_dir_all(&trust).unwrap();
    std::fs::write(
        trust.join("registration.pub.pem"),
        key.public().to_pem().unwrap(),
    )
    .unwrap();
    let mut input = String::new();
    for i in 0..n {
        input.push_str(&badge_text(&key, i));
        input.push('\n');
    }
    let journal = dir.join("e2e.db");
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_badgegate"))
        .args(["kiosk", "--trust"])
        .arg(&trust)
        .arg("--journal")
        .arg(&journal)
        .args([
            "--gate",
            "north",
            "--zone",
            "plenary",
            "--stdin",
            "--headless",
            "--at",
            "2026-09-21T12:00:00Z",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success());
    let secs = start.elapsed().as_secs_f64();
    println!(
        "\nkiosk --stdin --headless, release binary, {n} lines piped at once: {:.0} durable decisions a second ({:.0} µs each, start-up included), {:.2}x the bare loop's commits",
        n as f64 / secs,
        secs * 1e6 / n as f64,
        n as f64 / secs / bare
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n: u64 = std::env::var("BADGEGATE_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    // On the project's own disk, not a memory-backed /tmp.
    let dir = tempfile::tempdir_in(env!("CARGO_MANIFEST_DIR")).unwrap();
    let rates: Vec<[f64; 3]> = (0..3)
        .map(|r| {
            let round = dir.path().join(format!("round-{r}"));
            std::fs::create_dir_all(&round).unwrap();
            commits(&round, n)
        })
        .collect();
    let col = |k: usize| median(rates.iter().map(|r| r[k]).collect());
    let (b, a, s) = (col(0), col(1), col(2));
    println!(
        "durable commits a second, {n} of each a round, interleaved one by one, median of 3 rounds:"
    );
    println!("  bare SQLite loop (WAL, synchronous=FULL)   {b:8.0}");
    println!(
        "  Journal::append, unsigned                  {a:8.0}   ({:.2}x the bare loop)",
        a / b
    );
    println!(
        "  Journal::append, signed by the kiosk key   {s:8.0}   ({:.2}x the bare loop)",
        s / b
    );
    let key = SecretKey::from_seed(&[9; 32]);
    let t = Instant::now();
    for i in 0..n {
        std::hint::black_box(key.sign(&i.to_be_bytes()));
    }
    println!(
        "  (one Ed25519 signature: {:.1} µs)",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
    stages(dir.path(), n.min(2000));
    end_to_end(dir.path(), n, b);
}
