//! One rule for hostile text: what can make one name look like another, or
//! show nothing, is refused when a badge is issued, and escaped wherever it
//! reaches a terminal or a JSON line, whoever wrote it. And reading is
//! exact: one line ending, one spelling of the version, one rule for case.

use crate::common;

use std::fs;

use badgegate::format::badge::{signed_message, Badge};
use badgegate::format::keys::{KeyId, SecretKey};
use common::{bg_stdin, Desk};

/// Every hidden character a name must not hold: the bidi marks a desk
/// clerk might paste, a Hangul filler, tag characters.
const HIDDEN: [(&str, &str); 6] = [
    ("Amina\u{200E} Diallo", "U+200E"),
    ("Amina\u{200F} Diallo", "U+200F"),
    ("\u{061C}Amina Diallo", "U+061C"),
    ("Amina \u{E0041}Diallo", "U+E0041"),
    ("Amina\u{200B}Diallo", "U+200B"),
    ("Amina \u{202E}ollaiD", "U+202E"),
];

#[test]
fn issue_refuses_hidden_characters_and_names_that_show_nothing() {
    let desk = Desk::new();
    for (name, code) in HIDDEN {
        let r = desk.run(&[
            "issue",
            "--key",
            "keys/registration.key.pem",
            "--name",
            name,
            "--zones",
            "plenary",
            "--out",
            "out",
        ]);
        assert_ne!(r.code, 0, "{name:?} was issued");
        assert!(r.stderr.contains(code), "{code}: {}", r.stderr);
        let errors = r.stderr.lines().filter(|l| !l.starts_with("warning:"));
        assert_eq!(errors.count(), 1, "{}", r.stderr);
        assert!(!r.stderr.contains(name), "the name is never echoed raw");
    }
    for name in ["\u{3164}", "\u{115F}\u{1160}", "\u{3164} \u{3164}"] {
        let r = desk.run(&[
            "issue",
            "--key",
            "keys/registration.key.pem",
            "--name",
            name,
            "--zones",
            "plenary",
            "--out",
            "out",
        ]);
        assert_ne!(r.code, 0, "{name:?} was issued");
        assert!(r.stderr.contains("shows nothing"), "{}", r.stderr);
    }
    // In a CSV the row is named by its line.
    fs::write(
        desk.p("reg.csv"),
        "name,org\nAmina Diallo,Senegal\nLars Eriksson,Swe\u{200F}den\n",
    )
    .unwrap();
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
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("line 3") && r.stderr.contains("U+200F"),
        "{}",
        r.stderr
    );
    assert!(
        !desk.p("batch/manifest.csv").exists(),
        "nothing half-written"
    );
    // Persian needs its zero-width non-joiner: still issued.
    desk.issue("out", "F-1", &["--name", "فرشته می\u{200C}خواهد"]);
    // A revocation reason follows the same rule.
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "r.txt",
        "F-1",
        "--reason",
        "lost\u{200F}",
    ]);
    assert_ne!(r.code, 0);
    assert!(!desk.p("r.txt").exists());
}

/// A badge an earlier build could have issued: the issuer's new rule
/// bypassed, signed directly.
fn old_badge_with(name: &str) -> (SecretKey, String) {
    let key = SecretKey::from_seed(&[11; 32]);
    let mut b = Badge {
        key_id: key.key_id(),
        serial: "OLD-1".into(),
        name: name.into(),
        org: "Org".into(),
        category: "delegate".into(),
        zones: vec!["plenary".into()],
        valid_from: 1_796_108_400,
        valid_until: 1_796_194_800,
        issued_at: 1_796_100_000,
        photo: None,
    };
    b.key_id = key.key_id();
    let _ = KeyId([0; 4]);
    let payload = b.to_payload();
    let mut raw = payload.clone();
    raw.extend_from_slice(&key.sign(&signed_message(&payload)));
    (key, format!("BG1:{}", base45::encode(&raw)))
}

#[test]
fn every_output_escapes_hidden_characters_whoever_wrote_them() {
    let desk = Desk::new();
    let (key, text) = old_badge_with("Eve\u{200E} \u{200F}Wang");
    fs::write(desk.p("trust/old.pub.pem"), key.public().to_pem().unwrap()).unwrap();
    let at = ["--at", "2026-12-01T09:00:00Z"];
    let input = format!("{text}\n");
    for json in [false, true] {
        let mut args = vec!["verify", "--trust", "trust", "-"];
        args.extend(at);
        if json {
            args.push("--json");
        }
        let r = desk.run_stdin(&args, &input);
        assert_eq!(r.code, 0, "an earlier badge still reads: {}", r.stderr);
        for raw in ['\u{200E}', '\u{200F}'] {
            assert!(!r.stdout.contains(raw), "raw {raw:?} in {}", r.stdout);
        }
        if json {
            let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
            assert_eq!(
                v["name"], "Eve\u{200E} \u{200F}Wang",
                "JSON escapes, losing nothing"
            );
        }
    }
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
            "2026-12-01T09:00:00Z",
        ],
        &input,
    );
    assert_eq!(r.reasons(), ["ok"]);
    assert!(
        !r.stdout.contains('\u{200F}') && r.stdout.contains("\\u200f"),
        "{}",
        r.stdout
    );
    let r = desk.run(&["audit", "log", "--journal", "j.db"]);
    assert!(!r.stdout.contains('\u{200F}'), "{}", r.stdout);
}

#[test]
fn paths_and_qr_text_reach_the_terminal_escaped() {
    let desk = Desk::new();
    let a = desk.issue(
        "badges",
        "A-1",
        &[
            "--valid-from",
            "2026-12-01T07:00:00Z",
            "--valid-until",
            "2026-12-02T21:00:00Z",
        ],
    );
    // A file name carrying a terminal escape sequence.
    let evil = "frame-\u{1b}[2J\u{1b}]0;owned\u{7}.png";
    fs::create_dir(desk.p("frames")).unwrap();
    fs::copy(desk.p("badges/A-1.png"), desk.p("frames").join(evil)).unwrap();
    let r = desk.run(&["decode", &format!("frames/{evil}")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stdout.contains('\u{1b}') && r.stdout.contains("\\u{001B}"),
        "{}",
        r.stdout
    );
    // A QR code holding a C1 control sequence (CSI).
    let code = badgegate::read::encode("hi \u{9b}31m there").unwrap();
    badgegate::read::render(&code, 6)
        .save(desk.p("c1.png"))
        .unwrap();
    let r = desk.run(&["decode", "--json", "c1.png"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stdout.contains('\u{9b}') && r.stdout.contains("\\u009b"),
        "{}",
        r.stdout
    );
    // The escape sequence journalled as the input path, exported to stdout.
    let r = desk.run(&[
        "kiosk",
        "--trust",
        "trust",
        "--journal",
        "j.db",
        "--gate",
        "g",
        "--images",
        "frames",
        "--headless",
        "--at",
        "2026-12-01T09:00:00Z",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.reasons(), ["ok"], "{a}");
    for format in ["csv", "jsonl"] {
        let r = desk.run(&["audit", "export", "--journal", "j.db", "--format", format]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(!r.stdout.contains('\u{1b}'), "{format}: {}", r.stdout);
    }
}

fn verify_line(desk: &Desk, line: &str) -> serde_json::Value {
    let r = bg_stdin(
        desk.path(),
        &[
            "verify",
            "--trust",
            "trust",
            "--json",
            "-",
            "--at",
            "2026-12-01T09:00:00Z",
        ],
        line.as_bytes(),
    );
    serde_json::from_str(r.stdout.lines().next().unwrap_or("null")).unwrap()
}

#[test]
fn reading_is_exact_about_line_ends_versions_case_and_keys() {
    let desk = Desk::new();
    let a = desk.issue(
        "badges",
        "REV-1",
        &[
            "--valid-from",
            "2026-12-01T07:00:00Z",
            "--valid-until",
            "2026-12-02T21:00:00Z",
        ],
    );
    assert_eq!(verify_line(&desk, &format!("{a}\r\n"))["reason"], "ok");
    // One line ending is stripped; three CRs are not a line ending.
    assert_eq!(
        verify_line(&desk, &format!("{a}\r\r\r\n"))["reason"],
        "malformed"
    );
    // Regression: `\r\r\n` was two line endings stripped (the line's CR LF,
    // then the badge's CR) and admitted. Exactly one line ending.
    assert_eq!(
        verify_line(&desk, &format!("{a}\r\r\n"))["reason"],
        "malformed"
    );
    assert_eq!(verify_line(&desk, &format!("{a}\n"))["reason"], "ok");
    assert_eq!(verify_line(&desk, &format!("{a}\r"))["reason"], "ok");
    // The version is written one way only.
    let v = verify_line(&desk, &a.replacen("BG1:", "BG01:", 1));
    assert_eq!(v["reason"], "unsupported_version");
    assert!(v["detail"].as_str().unwrap().contains("version 01"), "{v}");

    // Serials are one badge whatever their case; a repeat is no new list.
    let revoke = |serial: &str| {
        desk.run(&[
            "revoke",
            "--key",
            "keys/registration.key.pem",
            "--list",
            "r.txt",
            serial,
        ])
    };
    assert_eq!(revoke("rev-1").code, 0);
    let r = desk.run_stdin(
        &[
            "verify",
            "--trust",
            "trust",
            "--revocations",
            "r.txt",
            "--json",
            "-",
            "--at",
            "2026-12-01T09:00:00Z",
        ],
        &format!("{a}\n"),
    );
    assert_eq!(r.reasons(), ["revoked"]);
    let before = fs::read_to_string(desk.p("r.txt")).unwrap();
    let r = revoke("REV-1");
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("unchanged (sequence 1)"), "{}", r.stdout);
    assert_eq!(fs::read_to_string(desk.p("r.txt")).unwrap(), before);

    // A list numbered 0 is refused, naming its line.
    let zero = before.replace("sequence: 1\n", "sequence: 0\n");
    fs::write(desk.p("zero.txt"), zero).unwrap();
    let r = desk.run_stdin(
        &[
            "verify",
            "--trust",
            "trust",
            "--revocations",
            "zero.txt",
            "-",
        ],
        &format!("{a}\n"),
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("line 3"), "{}", r.stderr);

    // A small-order public key in the trust folder: one line, not silence.
    let weak = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n-----END PUBLIC KEY-----\n";
    fs::write(desk.p("trust/weak.pem"), weak).unwrap();
    let r = desk.run_stdin(&["verify", "--trust", "trust", "-"], &format!("{a}\n"));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("small-order"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
}
