//! Faults and hostile input: nothing lost, nothing hangs, nothing left
//! behind. Each test reproduces something that once went wrong.

use crate::common;

use std::fs;
use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Desk, LiveKiosk};

const AT: &str = "2026-12-01T09:00:00Z";

fn badge(desk: &Desk, serial: &str) -> String {
    desk.issue(
        "badges",
        serial,
        &[
            "--valid-from",
            "2026-12-01T07:00:00Z",
            "--valid-until",
            "2026-12-02T21:00:00Z",
        ],
    )
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_badgegate"));
    c.env_remove("DISPLAY");
    c
}

#[test]
fn two_revokes_at_once_keep_both_serials() {
    let desk = Desk::new();
    for round in 0..5 {
        let list = format!("r{round}.txt");
        let children: Vec<_> = ["A-1", "B-2"]
            .iter()
            .map(|serial| {
                bin()
                    .current_dir(desk.path())
                    .args([
                        "revoke",
                        "--key",
                        "keys/registration.key.pem",
                        "--list",
                        &list,
                        serial,
                    ])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outs: Vec<_> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        for o in &outs {
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        let text = fs::read_to_string(desk.p(&list)).unwrap();
        assert!(
            text.contains("revoke: A-1 ") && text.contains("revoke: B-2 "),
            "round {round}: {text}"
        );
        assert!(text.contains("sequence: 2\n"), "round {round}: {text}");
    }
}

#[test]
fn a_journal_deleted_or_replaced_under_a_running_kiosk_stops_it_before_the_next_decision() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1");
    let b = badge(&desk, "B-2");
    let args = |j: &'static str| {
        vec![
            "kiosk",
            "--trust",
            "trust",
            "--journal",
            j,
            "--gate",
            "north",
            "--stdin",
            "--headless",
            "--at",
            AT,
            "--cooldown",
            "0",
        ]
    };
    // Deleted.
    let mut k = LiveKiosk::start(desk.path(), &args("gone.db"));
    k.send(&a);
    assert_eq!(k.decision()["reason"], "ok");
    fs::remove_file(desk.p("gone.db")).unwrap();
    k.send(&b);
    assert_eq!(k.finish(), 3, "out of service");
    // Replaced by another file (renamed over it).
    let mut k = LiveKiosk::start(desk.path(), &args("swap.db"));
    k.send(&a);
    assert_eq!(k.decision()["reason"], "ok");
    fs::write(desk.p("other.db"), b"not a journal").unwrap();
    fs::rename(desk.p("other.db"), desk.p("swap.db")).unwrap();
    k.send(&b);
    let (code, err) = k.finish_with_stderr();
    assert_eq!(code, 3);
    assert!(
        err.contains("OUT OF SERVICE") && err.contains("replaced"),
        "{err}"
    );
}

#[test]
fn the_decision_after_a_vanished_journal_is_never_printed() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1");
    let b = badge(&desk, "B-2");
    let mut child = bin()
        .current_dir(desk.path())
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
            "--at",
            AT,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{a}").unwrap();
    std::thread::sleep(Duration::from_millis(800));
    fs::remove_file(desk.p("j.db-wal")).unwrap();
    writeln!(stdin, "{b}").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "only A-1 was shown: {stdout}");
    assert!(stdout.contains("A-1") && !stdout.contains("B-2"));
}

/// Writes `len` bytes without a newline, then a newline and `then`.
fn endless_line(mut to: impl Write, len: usize, then: &str) {
    let chunk = vec![b'x'; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len());
        if to.write_all(&chunk[..n]).is_err() {
            return;
        }
        left -= n;
    }
    let _ = writeln!(to);
    let _ = writeln!(to, "{then}");
}

/// Peak memory a command reports (`BADGEGATE_REPORT_PEAK_RSS`), in kB.
fn peak_kb(stderr: &str) -> u64 {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak-rss: "))
        .and_then(|v| v.trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak-rss line in {stderr}"))
}

#[test]
fn an_over_long_scanner_line_streams_past_without_being_held() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1");
    for args in [
        vec![
            "kiosk",
            "--trust",
            "trust",
            "--journal",
            "j.db",
            "--gate",
            "g",
            "--stdin",
            "--headless",
            "--at",
            AT,
        ],
        vec!["verify", "--trust", "trust", "--at", AT, "--json", "-"],
    ] {
        let mut child = bin()
            .current_dir(desk.path())
            .args(&args)
            .env("BADGEGATE_REPORT_PEAK_RSS", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let a = a.clone();
        let writer = std::thread::spawn(move || endless_line(stdin, 300 << 20, &a));
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stdout.contains("\"reason\":\"ok\""),
            "{args:?}: the next line is decided: {stdout}"
        );
        let peak = peak_kb(&stderr);
        assert!(peak < 100_000, "{args:?}: {peak} kB for a 300 MB line");
    }
}

#[test]
fn a_fifo_given_as_a_picture_is_refused_at_once() {
    let desk = Desk::new();
    let fifo = desk.p("f.png");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    for args in [
        vec!["decode", "f.png"],
        vec!["verify", "--trust", "trust", "f.png"],
        vec![
            "kiosk",
            "--trust",
            "trust",
            "--journal",
            "j.db",
            "--gate",
            "g",
            "--images",
            "f.png",
            "--headless",
        ],
    ] {
        let mut child = bin()
            .current_dir(desk.path())
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Nothing writes to the FIFO: a reader that opened it would wait
        // forever. Give it a generous while, then call it hung.
        let start = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            if start.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                panic!("{args:?} hangs on a FIFO");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert_eq!(status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("named pipe"), "{args:?}: {err}");
    }
}

#[test]
fn a_closed_stdout_ends_a_command_quietly() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1");
    let r = desk.run_stdin(
        &[
            "kiosk",
            "--trust",
            "trust",
            "--journal",
            "j.db",
            "--gate",
            "g",
            "--stdin",
            "--headless",
            "--at",
            AT,
            "--cooldown",
            "0",
        ],
        &format!("{a}\n").repeat(3000),
    );
    assert_eq!(r.code, 0);
    for args in [
        vec!["verify", "--trust", "trust", "--at", AT, "-"],
        vec!["audit", "export", "--journal", "j.db"],
        vec!["audit", "log", "--journal", "j.db"],
        vec!["decode", "badges"],
    ] {
        let mut child = bin()
            .current_dir(desk.path())
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let input = format!("{a}\n").repeat(3000);
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(input.as_bytes());
        });
        // Read one line, then stop reading, as `| head -1` does.
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 64];
        let _ = stdout.read(&mut first);
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        writer.join().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !err.contains("internal error") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
        assert!(
            out.status.success() || out.status.signal() == Some(libc_sigpipe()),
            "{args:?}: {:?} {err}",
            out.status
        );
    }
}

/// SIGPIPE's number on Linux.
fn libc_sigpipe() -> i32 {
    13
}

#[test]
fn a_picture_tiled_with_thousands_of_codes_costs_seconds_not_minutes() {
    use image::{GrayImage, Luma};
    let desk = Desk::new();
    let code = badgegate::read::encode("BG1:CRAFTED TILE").unwrap();
    let tile = badgegate::read::render(&code, 3);
    let side = 6000u32;
    let step = tile.width() + 10;
    let mut img = GrayImage::from_pixel(side, side, Luma([255]));
    let mut y = 5;
    while y + tile.height() < side {
        let mut x = 5;
        while x + tile.width() < side {
            image::imageops::replace(&mut img, &tile, i64::from(x), i64::from(y));
            x += step;
        }
        y += step;
    }
    img.save(desk.p("tiled.png")).unwrap();
    let mut child = bin()
        .current_dir(desk.path())
        .args(["decode", "--json", "tiled.png"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        // A hang guard, not a speed target (the bench reports the time).
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("decode of a tiled picture did not end in 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let lines = String::from_utf8_lossy(&out.stdout).lines().count();
    assert!(lines <= 64, "{lines} codes reported");
}

#[test]
fn a_killed_batch_or_export_leaves_nothing_behind() {
    let desk = Desk::new();
    let mut rows = String::from("name\n");
    for i in 0..400 {
        rows.push_str(&format!("Delegate Number {i}\n"));
    }
    fs::write(desk.p("reg.csv"), rows).unwrap();
    let issue = || {
        bin()
            .current_dir(desk.path())
            .args([
                "issue",
                "--key",
                "keys/registration.key.pem",
                "--csv",
                "reg.csv",
                "--zones",
                "plenary",
                "--out",
                "batch",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut child = issue();
    std::thread::sleep(Duration::from_millis(1500));
    child.kill().unwrap();
    child.wait().unwrap();
    let hidden = |dir: &str| -> Vec<String> {
        fs::read_dir(desk.p(dir))
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.starts_with(".badgegate-"))
                    .collect()
            })
            .unwrap_or_default()
    };
    let left = hidden("batch");
    // The next batch removes what the killed one left, and says so.
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--csv",
        "reg.csv",
        "--zones",
        "plenary",
        "--out",
        "batch",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    if !left.is_empty() {
        assert!(r.stderr.contains("unfinished batch"), "{}", r.stderr);
    }
    assert!(hidden("batch").is_empty(), "{:?}", hidden("batch"));
    let placed = fs::read_dir(desk.p("batch")).unwrap().count();
    assert_eq!(
        placed,
        400 * 4 + 2,
        "every badge in the manifest, and the lock"
    );

    // An export killed while writing leaves no file, named or hidden.
    let a = badge(&desk, "A-1");
    let r = desk.run_stdin(
        &[
            "kiosk",
            "--trust",
            "trust",
            "--journal",
            "j.db",
            "--gate",
            "g",
            "--stdin",
            "--headless",
            "--at",
            AT,
            "--cooldown",
            "0",
        ],
        &format!("{a}\n").repeat(20_000),
    );
    assert_eq!(r.code, 0);
    fs::create_dir(desk.p("exports")).unwrap();
    for _ in 0..3 {
        let mut child = bin()
            .current_dir(desk.path())
            .args([
                "audit",
                "export",
                "--journal",
                "j.db",
                "--out",
                "exports/all.csv",
            ])
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(150));
        let _ = child.kill();
        child.wait().unwrap();
        let names: Vec<String> = fs::read_dir(desk.p("exports"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.is_empty() || names == ["all.csv"],
            "a killed export left {names:?}"
        );
        let _ = fs::remove_file(desk.p("exports/all.csv"));
    }
}

#[test]
fn words_say_what_happened_once() {
    let desk = Desk::new();
    fs::write(desk.p("empty.png"), b"").unwrap();
    let r = desk.run(&["decode", "empty.png"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("empty (0 bytes)"), "{}", r.stderr);
    let r = desk.run(&["decode", "missing.png"]);
    assert_eq!(r.stderr.matches("No such file").count(), 1, "{}", r.stderr);
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "nowhere/r.txt",
        "A-1",
    ]);
    assert_ne!(r.code, 0);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("does not exist"), "{}", r.stderr);
    // The list is signed by another key: say so, not "copy a key".
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "r.txt",
        "A-1",
    ]);
    assert_eq!(r.code, 0);
    assert_eq!(
        desk.run(&["keygen", "--dir", "keys", "--name", "other"])
            .code,
        0
    );
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/other.key.pem",
        "--list",
        "r.txt",
        "B-1",
    ]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("revoke with the key that signed the list"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("copy"), "{}", r.stderr);
}
