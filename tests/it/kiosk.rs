//! The kiosk engine as a gate meets it: frames in, decisions out, every
//! decision in the journal before it is printed.

use crate::common;

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use badgegate::journal::{verify_chain, Journal};
use common::Desk;
use image::{GrayImage, Luma};

const AT: &str = "2026-12-01T09:00:00Z";

fn badge(desk: &Desk, serial: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "--valid-from",
        "2026-12-01T07:00:00Z",
        "--valid-until",
        "2026-12-02T21:00:00Z",
    ];
    args.extend_from_slice(extra);
    desk.issue("badges", serial, &args)
}

fn kiosk_stdin(desk: &Desk, journal: &str, extra: &[&str], lines: &[&str]) -> common::Run {
    let mut args = vec![
        "kiosk",
        "--trust",
        "trust",
        "--journal",
        journal,
        "--gate",
        "north",
        "--zone",
        "plenary",
        "--stdin",
        "--headless",
        "--at",
        AT,
        "--cooldown",
        "0",
    ];
    args.extend_from_slice(extra);
    let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
    desk.run_stdin(&args, &input)
}

fn decisions(r: &common::Run) -> Vec<(String, String)> {
    r.json_lines()
        .iter()
        .map(|j| {
            (
                j["serial"].as_str().unwrap_or("-").to_owned(),
                j["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// A 1280x720 grey "camera frame" with the given QR images pasted in.
fn frame(codes: &[&GrayImage]) -> GrayImage {
    let mut f = GrayImage::from_pixel(1280, 720, Luma([180]));
    for (i, code) in codes.iter().enumerate() {
        let x0 = 60 + i as u32 * 640;
        for (x, y, p) in code.enumerate_pixels() {
            if x0 + x < 1280 && 80 + y < 720 {
                f.put_pixel(x0 + x, 80 + y, *p);
            }
        }
    }
    f
}

fn qr_image(desk: &Desk, serial: &str) -> GrayImage {
    let img = image::open(desk.p(&format!("badges/{serial}.png")))
        .unwrap()
        .into_luma8();
    // Camera-sized: about 4 px a module.
    image::imageops::resize(
        &img,
        img.width() / 2,
        img.height() / 2,
        image::imageops::FilterType::Triangle,
    )
}

#[test]
fn replayed_frames_yield_exactly_the_expected_decisions() {
    let desk = Desk::new();
    badge(&desk, "A-1", &[]);
    badge(&desk, "B-2", &[]);
    badge(&desk, "C-3", &["--valid-until", "2026-12-01T08:00:00Z"]);
    let (a, b, c) = (
        qr_image(&desk, "A-1"),
        qr_image(&desk, "B-2"),
        qr_image(&desk, "C-3"),
    );
    let blank = frame(&[]);
    let frames: Vec<GrayImage> = vec![
        frame(&[&a]),     // t=0    A decided: ok
        frame(&[&a]),     // t=100  A still in view
        frame(&[&a, &b]), // t=200  A still in view, B decided at once: ok
        blank.clone(),    // t=300
        blank.clone(),    // t=400
        blank,            // t=500
        frame(&[&a]),     // t=600  A gone 400 ms > cooldown: decided again, already inside
        frame(&[&c]),     // t=700  C: expired
        frame(&[&c]),     // t=800  C still in view
    ];
    fs::create_dir(desk.p("frames")).unwrap();
    for (i, f) in frames.iter().enumerate() {
        f.save(desk.p(&format!("frames/{i:03}.png"))).unwrap();
    }
    let r = desk.run(&[
        "kiosk",
        "--trust",
        "trust",
        "--journal",
        "j.db",
        "--gate",
        "north",
        "--zone",
        "plenary",
        "--images",
        "frames",
        "--headless",
        "--at",
        AT,
        "--frame-interval",
        "100",
        "--cooldown",
        "250",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        decisions(&r),
        pairs(&[
            ("A-1", "ok"),
            ("B-2", "ok"),
            ("A-1", "already_inside"),
            ("C-3", "expired")
        ])
    );
    let inputs: Vec<String> = r
        .json_lines()
        .iter()
        .map(|j| j["input"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        inputs,
        [
            "frames/000.png",
            "frames/002.png",
            "frames/006.png",
            "frames/007.png"
        ]
    );
    let at: Vec<String> = r
        .json_lines()
        .iter()
        .map(|j| j["at"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(at[2], "2026-12-01T09:00:00.600Z");
}

#[test]
fn anti_passback_hard_soft_off_and_exits() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1", &[]);
    let r = kiosk_stdin(&desk, "hard.db", &[], &[&a, &a]);
    assert_eq!(
        decisions(&r),
        pairs(&[("A-1", "ok"), ("A-1", "already_inside")])
    );
    assert_eq!(r.json_lines()[1]["decision"], "deny");

    let r = kiosk_stdin(&desk, "soft.db", &["--anti-passback", "soft"], &[&a, &a]);
    assert_eq!(
        decisions(&r),
        pairs(&[("A-1", "ok"), ("A-1", "already_inside")])
    );
    assert_eq!(r.json_lines()[1]["decision"], "admit");
    assert_eq!(r.json_lines()[1]["flagged"], true);
    assert_eq!(r.code, 0);

    let r = kiosk_stdin(&desk, "off.db", &["--anti-passback", "off"], &[&a, &a]);
    assert_eq!(decisions(&r), pairs(&[("A-1", "ok"), ("A-1", "ok")]));

    // Hard: an exit clears it; the next entry is admitted again.
    let r = kiosk_stdin(&desk, "hard.db", &["--direction", "out"], &[&a]);
    assert_eq!(decisions(&r), pairs(&[("A-1", "ok")]));
    assert_eq!(r.json_lines()[0]["direction"], "out");
    let r = kiosk_stdin(&desk, "hard.db", &[], &[&a, &a]);
    assert_eq!(
        decisions(&r),
        pairs(&[("A-1", "ok"), ("A-1", "already_inside")])
    );
}

#[test]
fn a_scanner_reading_twice_within_the_cooldown_is_one_decision() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1", &[]);
    let b = badge(&desk, "B-2", &[]);
    let args = vec![
        "kiosk",
        "--trust",
        "trust",
        "--journal",
        "j.db",
        "--gate",
        "north",
        "--stdin",
        "--headless",
        "--at",
        AT,
        "--cooldown",
        "60000",
    ];
    let r = desk.run_stdin(&args, &format!("{a}\n{a}\n{b}\n{a}\n"));
    assert_eq!(decisions(&r), pairs(&[("A-1", "ok"), ("B-2", "ok")]));
}

#[test]
fn without_a_display_the_screen_says_so_and_suggests_headless() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1", &[]);
    let args = [
        "kiosk",
        "--trust",
        "trust",
        "--journal",
        "j.db",
        "--gate",
        "north",
        "--stdin",
    ];
    let r = desk.run_stdin(&args, &format!("{a}\n"));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("no display") && r.stderr.contains("--headless"),
        "{}",
        r.stderr
    );
    assert!(
        !desk.p("j.db").exists(),
        "nothing journalled by a kiosk that did not start"
    );
    assert!(r.stdout.is_empty());
}

#[test]
fn a_zone_name_without_its_code_is_refused_in_one_line() {
    let desk = Desk::new();
    let r = desk.run(&[
        "kiosk",
        "--trust",
        "trust",
        "--journal",
        "j.db",
        "--gate",
        "g",
        "--stdin",
        "--headless",
        "--zone-name",
        "the press centre",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--zone-name must look like"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1);
    assert!(!desk.p("j.db").exists());
}

#[test]
fn confirmation_needs_the_screen() {
    let desk = Desk::new();
    let r = desk.run(&[
        "kiosk",
        "--trust",
        "trust",
        "--journal",
        "j.db",
        "--gate",
        "vip",
        "--stdin",
        "--headless",
        "--confirm",
        "hod",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--confirm needs the guard's screen"),
        "{}",
        r.stderr
    );
    assert!(!desk.p("j.db").exists());
}

#[test]
fn journal_rows_match_printed_decisions_and_the_chain_verifies() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1", &[]);
    let b = badge(&desk, "B-2", &["--zones", "press"]);
    let r = kiosk_stdin(&desk, "j.db", &[], &[&a, "hello", &b, &a]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let printed = r.json_lines();
    assert_eq!(printed.len(), 4);
    let j = Journal::open_readonly(&desk.p("j.db")).unwrap();
    let rows: Vec<_> = j
        .entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.body.kind.code() == "decision")
        .collect();
    assert_eq!(rows.len(), printed.len());
    for (row, p) in rows.iter().zip(&printed) {
        assert_eq!(p["seq"], row.seq);
        assert_eq!(p["decision"], row.body.decision.code());
        assert_eq!(p["reason"], row.body.reason.code());
        assert_eq!(p["serial"].as_str(), row.body.serial.as_deref());
        assert_eq!(p["name"].as_str(), row.body.holder.as_deref());
        assert_eq!(p["input"], row.body.input.as_str());
        assert_eq!(row.body.gate, "north");
        assert_eq!(row.body.zone.as_deref(), Some("plenary"));
    }
    let report = verify_chain(&j).unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    assert_eq!(report.heads[0].records, 5, "start record + 4 decisions");
}

#[test]
fn edits_and_deletions_are_refused_and_if_forced_are_found_by_the_chain_check() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1", &[]);
    let b = badge(&desk, "B-2", &[]);
    let r = kiosk_stdin(&desk, "j.db", &[], &[&a, &b, "junk", &a]);
    assert_eq!(r.code, 0);
    let path = desk.p("j.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let e = conn
        .execute("UPDATE entries SET decision = 'admit' WHERE seq = 4", [])
        .unwrap_err();
    assert!(e.to_string().contains("append-only"));
    let e = conn
        .execute("DELETE FROM entries WHERE seq = 3", [])
        .unwrap_err();
    assert!(e.to_string().contains("append-only"));

    // An attacker with the file drops the triggers and edits record 4.
    let edited = desk.p("edited.db");
    fs::copy(&path, &edited).unwrap();
    let c = rusqlite::Connection::open(&edited).unwrap();
    c.execute_batch(
        "DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete;
         UPDATE entries SET decision = 'admit', reason = 'ok' WHERE seq = 4;",
    )
    .unwrap();
    drop(c);
    let report = verify_chain(&Journal::open_readonly(&edited).unwrap()).unwrap();
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].seq, 4);
    assert!(
        report.problems[0].what.contains("edited"),
        "{}",
        report.problems[0]
    );

    // ... or deletes record 3.
    let deleted = desk.p("deleted.db");
    fs::copy(&path, &deleted).unwrap();
    let c = rusqlite::Connection::open(&deleted).unwrap();
    c.execute_batch("DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE seq = 3;")
        .unwrap();
    drop(c);
    let report = verify_chain(&Journal::open_readonly(&deleted).unwrap()).unwrap();
    assert_eq!(report.problems[0].seq, 4);
    assert!(
        report.problems[0].what.contains("record 3 is missing"),
        "{}",
        report.problems[0]
    );
}

#[test]
fn sigkill_mid_stream_leaves_a_journal_that_opens_verifies_and_holds_every_printed_decision() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1", &[]);
    let b = badge(&desk, "B-2", &[]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_badgegate"))
        .args([
            "kiosk",
            "--trust",
            "trust",
            "--journal",
            "j.db",
            "--gate",
            "north",
            "--stdin",
            "--headless",
            "--cooldown",
            "0",
            "--anti-passback",
            "off",
            "--at",
            AT,
        ])
        .current_dir(desk.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        for i in 0..100_000 {
            let line = if i % 3 == 2 {
                "not a badge".to_owned()
            } else if i % 2 == 0 {
                a.clone()
            } else {
                b.clone()
            };
            if writeln!(stdin, "{line}").is_err() {
                break;
            }
        }
    });
    let mut printed = Vec::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while printed.len() < 150 {
        line.clear();
        if out.read_line(&mut line).unwrap() == 0 {
            break;
        }
        printed.push(serde_json::from_str::<serde_json::Value>(&line).unwrap());
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // Whatever was in the pipe but not yet read also counts as printed.
    for l in out.lines() {
        let Ok(l) = l else { break };
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&l) {
            printed.push(v);
        }
    }
    writer.join().unwrap();
    assert!(printed.len() >= 150);

    let j = Journal::open_readonly(&desk.p("j.db")).unwrap();
    let report = verify_chain(&j).unwrap();
    assert!(report.is_intact(), "{:?}", report.problems);
    let rows = j.entries().unwrap();
    for p in &printed {
        let seq = p["seq"].as_u64().unwrap();
        let row = rows
            .iter()
            .find(|r| r.seq == seq)
            .unwrap_or_else(|| panic!("printed seq {seq} not in journal"));
        assert_eq!(p["decision"], row.body.decision.code());
        assert_eq!(p["reason"], row.body.reason.code());
    }
    // And the kiosk starts again on it, carrying on the sequence.
    let r = kiosk_stdin(&desk, "j.db", &["--anti-passback", "off"], &["x"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let next = r.json_lines()[0]["seq"].as_u64().unwrap();
    assert_eq!(
        next,
        rows.last().unwrap().seq + 2,
        "a start record, then this decision"
    );
}

#[test]
fn no_admit_without_a_writable_journal() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1", &[]);
    // Missing folder.
    let r = kiosk_stdin(&desk, "no/such/folder/j.db", &[], &[&a]);
    assert_ne!(r.code, 0);
    assert!(r.stdout.is_empty(), "nothing printed: {}", r.stdout);
    assert!(r.stderr.contains("does not exist"), "{}", r.stderr);
    // The journal path is a folder.
    fs::create_dir(desk.p("adir")).unwrap();
    let r = kiosk_stdin(&desk, "adir", &[], &[&a]);
    assert_ne!(r.code, 0);
    assert!(r.stdout.is_empty());
    // Not a journal: random bytes, or someone else's SQLite database.
    fs::write(
        desk.p("random.db"),
        (0..8192u32)
            .map(|i| (i * 31 % 253) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let r = kiosk_stdin(&desk, "random.db", &[], &[&a]);
    assert_ne!(r.code, 0);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("not a badgegate journal"), "{}", r.stderr);
    assert_eq!(
        r.stderr.lines().filter(|l| l.starts_with("error")).count(),
        1
    );
    let other = rusqlite::Connection::open(desk.p("other.db")).unwrap();
    other
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(other);
    let r = kiosk_stdin(&desk, "other.db", &[], &[&a]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("not a badgegate journal"));
    let c = rusqlite::Connection::open(desk.p("other.db")).unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1, "someone else's database is left untouched");
}

/// A headless kiosk fed `scans.txt` whose writes fail once a file would
/// pass 2000 blocks, as on a full disk (SIGXFSZ ignored, so writes return
/// EFBIG); `redirect` is added to its shell line (e.g. where stderr goes).
fn run_on_a_filling_disk(desk: &Desk, redirect: &str) -> std::process::Output {
    let script = format!(
        "trap '' XFSZ; ulimit -f 2000; exec '{}' kiosk --trust trust --journal j.db --gate north --stdin --headless \
         --cooldown 0 --anti-passback off --at {AT} < scans.txt {redirect}",
        env!("CARGO_BIN_EXE_badgegate")
    );
    Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(desk.path())
        .output()
        .unwrap()
}

/// Regression (found by `badgegate rehearse`: a gate whose log was on the
/// disk that filled died on a signal): a log that cannot be written
/// (stderr appending to a file past the size the process may write) does
/// not stop the kiosk deciding, nor going out of service cleanly (exit 3)
/// once its journal cannot grow either.
#[test]
fn a_log_that_cannot_be_written_does_not_stop_the_kiosk() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1", &[]);
    let b = badge(&desk, "B-2", &[]);
    common::alternating_scans(&desk, "scans.txt", &a, &b, 4000);
    fs::write(desk.p("log.txt"), vec![b'x'; 3_000_000]).unwrap();
    let out = run_on_a_filling_disk(&desk, "2>> log.txt");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "stdout:{stdout}");
    let printed = stdout.lines().count();
    assert!(printed > 0 && printed < 4000, "printed {printed}");
    // Nothing reached the log: every write to it failed.
    assert_eq!(fs::metadata(desk.p("log.txt")).unwrap().len(), 3_000_000);
    let j = Journal::open_readonly(&desk.p("j.db")).unwrap();
    assert!(verify_chain(&j).unwrap().is_intact());
}

#[test]
fn disk_full_mid_stream_stops_admitting_and_keeps_what_was_journalled() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1", &[]);
    let b = badge(&desk, "B-2", &[]);
    // Enough lines to fill the limit even when waiting lines share one
    // commit (group commit writes far less log per record).
    common::alternating_scans(&desk, "scans.txt", &a, &b, 4000);
    // The journal's writes fail part-way, as on a full disk.
    let out = run_on_a_filling_disk(&desk, "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(3),
        "stdout:{stdout}\nstderr:{stderr}"
    );
    assert!(stderr.contains("OUT OF SERVICE"), "{stderr}");
    let printed: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        !printed.is_empty() && printed.len() < 4000,
        "printed {}",
        printed.len()
    );

    let j = Journal::open_readonly(&desk.p("j.db")).unwrap();
    assert!(verify_chain(&j).unwrap().is_intact());
    let rows = j.entries().unwrap();
    for p in &printed {
        let seq = p["seq"].as_u64().unwrap();
        assert!(rows
            .iter()
            .any(|r| r.seq == seq && r.body.decision.code() == p["decision"].as_str().unwrap()));
    }
}

#[test]
fn forged_rolled_back_or_missing_revocation_lists_stop_the_kiosk() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1", &[]);
    let rv = |serial: &str| {
        desk.run(&[
            "revoke",
            "--key",
            "keys/registration.key.pem",
            "--list",
            "rl.txt",
            serial,
            "--force",
        ])
    };
    assert_eq!(rv("X-1").code, 0);
    fs::copy(desk.p("rl.txt"), desk.p("rl-seq1.txt")).unwrap();
    assert_eq!(rv("A-1").code, 0);

    let r = kiosk_stdin(&desk, "j.db", &["--revocations", "rl.txt"], &[&a]);
    assert_eq!(decisions(&r), pairs(&[("A-1", "revoked")]));

    let r = kiosk_stdin(&desk, "j.db", &["--revocations", "rl-seq1.txt"], &[&a]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("roll-back"), "{}", r.stderr);

    let r = kiosk_stdin(&desk, "j.db", &[], &[&a]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("that key's current list"), "{}", r.stderr);

    let forged = fs::read_to_string(desk.p("rl.txt"))
        .unwrap()
        .replace("A-1", "A-2");
    fs::write(desk.p("forged.txt"), forged).unwrap();
    let r = kiosk_stdin(&desk, "j.db", &["--revocations", "forged.txt"], &[&a]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("signature does not verify"));
}

#[test]
fn on_admit_hook_runs_for_admits_only_with_the_decision_in_its_environment() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1", &[]);
    let hook = format!(
        "echo \"$BADGEGATE_DECISION $BADGEGATE_SERIAL $BADGEGATE_GATE $BADGEGATE_SEQ\" >> '{}'",
        desk.p("hook.log").display()
    );
    let r = kiosk_stdin(&desk, "j.db", &["--on-admit", &hook], &[&a, "junk", &a]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let log = fs::read_to_string(desk.p("hook.log")).unwrap();
    assert_eq!(log, "admit A-1 north 2\n");
    // Its run is a record of its own, naming the admit it ran for.
    let hooks = hook_records(&desk, "j.db");
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].0, "hook_ok");
    assert!(
        hooks[0]
            .1
            .starts_with("on-admit command for record 2: exited 0"),
        "{}",
        hooks[0].1
    );
    assert_eq!(hooks[0].2.as_deref(), Some("A-1"));

    // A hook that hangs is killed; the kiosk goes on, ends, and says so.
    let r = kiosk_stdin(
        &desk,
        "j2.db",
        &["--on-admit", "sleep 60", "--hook-timeout", "1"],
        &[&a],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("killed"), "{}", r.stderr);
    let hooks = hook_records(&desk, "j2.db");
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].0, "hook_failed");
    assert!(
        hooks[0].1.contains("still running after 1 s, killed"),
        "{}",
        hooks[0].1
    );
}

/// A failing turnstile command: the admit stands (it is journalled first),
/// the failure is journalled with the shell's words, said on stderr, and
/// the kiosk's exit status says something went wrong.
#[test]
fn a_failing_hook_is_journalled_with_its_words_and_the_exit_status_says_so() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1", &[]);
    let b = badge(&desk, "B-2", &[]);
    let r = kiosk_stdin(
        &desk,
        "j.db",
        &["--on-admit", "turnstile-pulse --door 3"],
        &[&a, &b],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.reasons(), ["ok", "ok"]);
    assert!(
        r.stderr.contains("turnstile-pulse: not found"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("failed 2 time(s)"), "{}", r.stderr);
    let hooks = hook_records(&desk, "j.db");
    assert_eq!(hooks.len(), 2);
    for (reason, detail, _) in &hooks {
        assert_eq!(reason, "hook_failed");
        assert!(detail.contains("FAILED: exit status 127"), "{detail}");
        assert!(detail.contains("turnstile-pulse: not found"), "{detail}");
    }
    let serials: Vec<_> = hooks.iter().map(|h| h.2.clone().unwrap()).collect();
    assert_eq!(serials, ["A-1", "B-2"]);
    // The chain holds with the hook records in it.
    let r = desk.run(&["audit", "verify", "--journal", "j.db"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

/// (reason, detail, serial) of each `hook` record, in order.
fn hook_records(desk: &Desk, journal: &str) -> Vec<(String, String, Option<String>)> {
    let j = Journal::open_readonly(&desk.p(journal)).unwrap();
    j.entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.body.kind == badgegate::vocab::EntryKind::Hook)
        .map(|e| {
            (
                e.body.reason.code().to_owned(),
                e.body.detail,
                e.body.serial,
            )
        })
        .collect()
}

#[test]
fn camera_without_the_feature_says_how_to_get_it() {
    if cfg!(feature = "camera") {
        return;
    }
    let desk = Desk::new();
    let r = desk.run(&[
        "kiosk",
        "--trust",
        "trust",
        "--journal",
        "j.db",
        "--gate",
        "g",
        "--camera",
        "0",
        "--headless",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--features camera") && r.stderr.contains("--stdin"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1);
    assert!(
        !desk.p("j.db").exists(),
        "no journal made for a kiosk that cannot run"
    );
}

/// libfaketime, to move one process's wall clock (and not its monotonic
/// one) while it runs.
fn faketime_library() -> Option<&'static str> {
    let lib = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";
    if std::path::Path::new(lib).exists() {
        return Some(lib);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "libfaketime is missing: .ci/run installs the faketime package"
    );
    eprintln!("SKIPPED: libfaketime is not installed (apt-get install faketime)");
    None
}

/// Setting a gate PC's clock back does not bring an expired badge back:
/// the gate keeps its own time, never dating a decision before one it
/// already made, journals the step (a `clock` record the office raises as
/// an alarm) and tells the guard; after a restart on the set-back clock it
/// still counts from its last record. A clock jumping forward is followed.
#[test]
fn a_clock_set_back_does_not_bring_an_expired_badge_back() {
    let Some(lib) = faketime_library() else {
        return;
    };
    let desk = Desk::new();
    let now = badgegate::clock::now_ms() / 1000;
    let until = badgegate::clock::format_utc(now - 3600);
    let from = badgegate::clock::format_utc(now - 3 * 86_400);
    let text = desk.issue(
        "badges",
        "EXP-1",
        &["--valid-from", &from, "--valid-until", &until],
    );
    let offset = desk.p("clock-offset");
    fs::write(&offset, "+0\n").unwrap();
    let offset_path = offset.to_string_lossy().into_owned();
    let env = [
        ("LD_PRELOAD", lib),
        ("FAKETIME_TIMESTAMP_FILE", offset_path.as_str()),
        ("FAKETIME_NO_CACHE", "1"),
        ("FAKETIME_DONT_FAKE_MONOTONIC", "1"),
    ];
    let args = [
        "kiosk",
        "--trust",
        "trust",
        "--journal",
        "j.db",
        "--gate",
        "north",
        "--zone",
        "plenary",
        "--stdin",
        "--headless",
        "--cooldown",
        "0",
    ];
    let mut k = common::LiveKiosk::start_with_env(desk.path(), &args, &env);
    k.send(&text);
    assert_eq!(k.decision()["reason"], "expired");
    // A day back: by the wall clock the badge is valid again.
    fs::write(&offset, "-1d\n").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    k.send(&text);
    let d = k.decision();
    assert_eq!(d["decision"], "deny", "{d}");
    assert_eq!(d["reason"], "expired", "{d}");
    common::eventually("the guard is told", || {
        k.stderr().contains("notice: CLOCK SET BACK 86400 s")
    });
    assert_eq!(k.finish(), 0);
    // Restarted with the clock still a day back: still the gate's time.
    let mut k = common::LiveKiosk::start_with_env(desk.path(), &args, &env);
    k.send(&text);
    assert_eq!(k.decision()["reason"], "expired");
    // Set right, then 90 s ahead: followed.
    fs::write(&offset, "+90\n").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    k.send(&text);
    assert_eq!(k.decision()["reason"], "expired");
    let (code, err) = k.finish_with_stderr();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("notice: CLOCK SET BACK"), "{err}");

    let j = Journal::open_readonly(&desk.p("j.db")).unwrap();
    assert!(verify_chain(&j).unwrap().is_intact());
    let entries = j.entries().unwrap();
    let clocks: Vec<&str> = entries
        .iter()
        .filter(|e| e.body.kind.code() == "clock")
        .map(|e| e.body.detail.as_str())
        .collect();
    assert_eq!(clocks.len(), 3, "{clocks:#?}");
    assert!(
        clocks[0].contains("was set back 86400.0 s"),
        "{}",
        clocks[0]
    );
    assert!(
        clocks[1].contains("behind its own last record"),
        "{}",
        clocks[1]
    );
    assert!(clocks[2].contains("jumped forward"), "{}", clocks[2]);
    for e in &entries {
        if e.body.kind.code() == "clock" {
            assert_eq!(e.body.reason.code(), "clock_step");
        }
    }
    // No record is dated before the one made before it.
    let times: Vec<u64> = entries.iter().map(|e| e.body.at_ms).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    // The audit's report lists the steps among its alarms.
    let r = desk.run(&["audit", "report", "--journal", "j.db", "--out", "r.html"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = fs::read_to_string(desk.p("r.html")).unwrap();
    assert!(
        html.contains("gate clock jumped"),
        "no clock alarm in the report"
    );
}

/// An IP camera through ffmpeg (`-f image2pipe`) writes JPEG or PNG frames
/// one after another: `--frames-stdin` reads each as a camera frame, says
/// and skips bytes that are no image and a last frame cut off, and decides
/// the badges in the pictures as a camera would.
#[test]
fn camera_frames_piped_one_after_another_are_read_like_a_camera() {
    use badgegate::synth::camera_frame;
    let desk = Desk::new();
    badge(&desk, "A-1", &["--name", "Amina Diallo"]);
    badge(&desk, "B-2", &["--name", "Ли Вэй"]);
    let card = |serial: &str| {
        image::open(desk.p(&format!("badges/{serial}-card.png")))
            .unwrap()
            .into_luma8()
    };
    let (a, b) = (card("A-1"), card("B-2"));
    let encode = |img: &GrayImage, format: image::ImageFormat| {
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    };
    let jpeg_a = encode(
        &camera_frame(&[&a], 1280, 720, 600, 1),
        image::ImageFormat::Jpeg,
    );
    let empty = encode(
        &camera_frame(&[], 1280, 720, 600, 2),
        image::ImageFormat::Jpeg,
    );
    let png_b = encode(
        &camera_frame(&[&b], 1280, 720, 600, 3),
        image::ImageFormat::Png,
    );
    let mut stream = [jpeg_a.clone(), empty, b"not a picture".to_vec(), png_b].concat();
    stream.extend_from_slice(&jpeg_a[..jpeg_a.len() / 3]);
    let r = common::bg_stdin(
        desk.path(),
        &[
            "kiosk",
            "--trust",
            "trust",
            "--journal",
            "j.db",
            "--gate",
            "north",
            "--zone",
            "plenary",
            "--frames-stdin",
            "--headless",
            "--at",
            AT,
        ],
        &stream,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(decisions(&r), pairs(&[("A-1", "ok"), ("B-2", "ok")]));
    assert!(
        r.stderr
            .contains("warning: stdin: 13 bytes that are not a JPEG or PNG image"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("stdin: the last image was cut off"),
        "{}",
        r.stderr
    );
    let inputs: Vec<String> = r
        .json_lines()
        .iter()
        .map(|j| j["input"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(inputs, ["stdin#1", "stdin#3"], "the empty frame was #2");
    let j = Journal::open_readonly(&desk.p("j.db")).unwrap();
    assert!(verify_chain(&j).unwrap().is_intact());
}
