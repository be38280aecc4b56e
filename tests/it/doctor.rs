//! `badgegate doctor` on this machine (no camera; a display or none; a
//! journal folder that is read-only or full, where this machine lets a
//! test mount one; a stale revocation list), and `kiosk --config`.

use crate::common;

use std::fs;
use std::process::{Command, Stdio};

use common::Desk;

/// `doctor --json` lines as (check, status) and the exit code.
fn doctor(desk: &Desk, args: &[&str], env: &[(&str, &str)]) -> (i32, Vec<serde_json::Value>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_badgegate"));
    cmd.arg("doctor")
        .arg("--json")
        .args(args)
        .current_dir(desk.path())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (out.status.code().unwrap_or(-1), lines)
}

fn status<'a>(lines: &'a [serde_json::Value], check: &str) -> Vec<&'a str> {
    lines
        .iter()
        .filter(|l| l["check"] == check)
        .map(|l| l["status"].as_str().unwrap())
        .collect()
}

fn detail(lines: &[serde_json::Value], check: &str) -> String {
    lines
        .iter()
        .filter(|l| l["check"] == check)
        .map(|l| format!("{} {}", l["detail"], l["advice"]))
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn a_headless_gate_on_this_machine() {
    let desk = Desk::new();
    fs::create_dir(desk.p("journals")).unwrap();
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "revoked.txt",
        "X-1",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (code, lines) = doctor(
        &desk,
        &[
            "--headless",
            "--trust",
            "trust",
            "--journal",
            "journals/north.db",
            "--revocations",
            "revoked.txt",
        ],
        &[],
    );
    assert_eq!(code, 0, "{lines:#?}");
    // No camera here: reported cleanly, with how to get one.
    let cam = status(&lines, "camera");
    assert_eq!(cam.len(), 1);
    assert_ne!(cam[0], "FAIL", "no camera was asked for");
    assert_eq!(status(&lines, "display"), vec!["PASS"], "headless");
    assert_eq!(status(&lines, "trust"), vec!["PASS"]);
    assert_eq!(status(&lines, "revocations"), vec!["PASS"]);
    assert_eq!(status(&lines, "journal"), vec!["PASS"]);
    assert!(detail(&lines, "journal").contains("fsync p95"));
    assert!(detail(&lines, "disk").contains("MiB free"));
    assert_eq!(status(&lines, "fonts").len(), 1);
    assert_eq!(status(&lines, "reading").len(), 1);
    assert!(detail(&lines, "reading").contains("1920x1080"));
    // Asking for a camera this machine cannot give is a FAIL that says what
    // to do.
    let (code, lines) = doctor(&desk, &["--headless", "--camera", "0"], &[]);
    assert_eq!(code, 1);
    assert!(status(&lines, "camera").contains(&"FAIL"), "{lines:#?}");
    assert!(lines
        .iter()
        .filter(|l| l["status"] == "FAIL")
        .all(|l| l["advice"].as_str().is_some_and(|a| !a.is_empty())));
}

#[test]
fn the_screen_needs_a_display() {
    let desk = Desk::new();
    let (code, lines) = doctor(&desk, &[], &[]);
    assert_eq!(code, 1);
    assert_eq!(status(&lines, "display"), vec!["FAIL"]);
    assert!(detail(&lines, "display").contains("no display"));
    // A DISPLAY nobody answers on.
    let (_, lines) = doctor(&desk, &[], &[("DISPLAY", ":97")]);
    assert_eq!(status(&lines, "display"), vec!["FAIL"]);
    assert!(detail(&lines, "display").contains("no X server"));
    // A real X server (Xvfb).
    let Some(x) = common::xvfb::Xvfb::start("1280x720x24") else {
        return;
    };
    let (_, lines) = doctor(&desk, &[], &[("DISPLAY", x.display.as_str())]);
    drop(x);
    assert_eq!(status(&lines, "display"), vec!["PASS"], "{lines:#?}");
}

#[test]
fn a_stale_list_warns_and_a_forged_one_fails() {
    let desk = Desk::new();
    let key =
        badgegate::format::keys::SecretKey::load(&desk.p("keys/registration.key.pem")).unwrap();
    let mut list = badgegate::format::revocation::RevocationList::empty(key.key_id());
    let three_days_ago = badgegate::clock::now() - 3 * 86_400;
    let (text, _) = list
        .add_and_sign(&key, &["X-1".into()], "lost", three_days_ago)
        .unwrap();
    fs::write(desk.p("old.txt"), text.unwrap()).unwrap();
    let (_, lines) = doctor(
        &desk,
        &["--headless", "--trust", "trust", "--revocations", "old.txt"],
        &[],
    );
    assert_eq!(status(&lines, "revocations"), vec!["WARN"], "{lines:#?}");
    assert!(detail(&lines, "revocations").contains("3 days ago"));
    let forged = fs::read_to_string(desk.p("old.txt"))
        .unwrap()
        .replace("lost", "found");
    fs::write(desk.p("forged.txt"), forged).unwrap();
    let (code, lines) = doctor(
        &desk,
        &[
            "--headless",
            "--trust",
            "trust",
            "--revocations",
            "forged.txt",
        ],
        &[],
    );
    assert_eq!(code, 1);
    assert_eq!(status(&lines, "revocations"), vec!["FAIL"]);
}

/// Mounts a small tmpfs (read-only or not) at `dir`; `None` where this
/// machine does not let the test mount (not root).
fn mount(dir: &std::path::Path, opts: &str) -> Option<()> {
    fs::create_dir_all(dir).unwrap();
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", opts, "tmpfs"])
        .arg(dir)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("SKIPPED: cannot mount a tmpfs here (needs root)");
    }
    ok.then_some(())
}

fn umount(dir: &std::path::Path) {
    let _ = Command::new("umount").arg(dir).status();
}

#[test]
fn a_read_only_or_full_journal_folder_fails() {
    let desk = Desk::new();
    let ro = desk.p("ro");
    if mount(&ro, "ro,size=1m").is_none() {
        return;
    }
    let (code, lines) = doctor(&desk, &["--headless", "--journal", "ro/j.db"], &[]);
    umount(&ro);
    assert_eq!(code, 1);
    assert_eq!(status(&lines, "journal"), vec!["FAIL"], "{lines:#?}");
    assert!(
        detail(&lines, "journal").contains("Read-only"),
        "{lines:#?}"
    );

    let small = desk.p("small");
    if mount(&small, "size=2m").is_none() {
        return;
    }
    let (code, lines) = doctor(&desk, &["--headless", "--journal", "small/j.db"], &[]);
    umount(&small);
    assert_eq!(code, 1);
    assert_eq!(status(&lines, "disk"), vec!["FAIL"], "{lines:#?}");
}

// ---- kiosk --config --------------------------------------------------------

#[test]
fn a_kiosk_runs_from_its_config_file_and_the_command_line_wins() {
    let desk = Desk::new();
    let text = desk.issue(
        "badges",
        "C-1",
        &[
            "--valid-from",
            "2026-12-01T07:00:00Z",
            "--valid-until",
            "2026-12-02T21:00:00Z",
        ],
    );
    fs::create_dir(desk.p("gate")).unwrap();
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "revoked.txt",
        "X-1",
        "--force",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Every kind of value: strings, numbers, switches, lists; paths relative
    // to the file's folder.
    fs::write(
        desk.p("gate/north.toml"),
        r#"# The north entrance
trust = "../trust"
journal = "north.db"
gate = "north"
zone = "plenary"
direction = "in"
anti-passback = "hard"
revocations = ["../revoked.txt"]
stdin = true
headless = true
at = "2026-12-01T09:00:00Z"
skew = 120
cooldown = 0
kiosk_id = "k-north"
staff = ["staff", "security"]
silent = true
"#,
    )
    .unwrap();
    let r = desk.run_stdin(
        &["kiosk", "--config", "gate/north.toml"],
        &format!("{text}\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = &r.json_lines()[0];
    assert_eq!(j["gate"], "north");
    assert_eq!(j["kiosk_id"], "k-north");
    assert_eq!(j["reason"], "ok");
    assert!(desk.p("gate/north.db").exists(), "journal beside the file");
    // The command line wins: another gate, zone and journal.
    let r = desk.run_stdin(
        &[
            "kiosk",
            "--config",
            "gate/north.toml",
            "--gate",
            "south",
            "--zone",
            "press",
            "--journal",
            "south.db",
        ],
        &format!("{text}\n"),
    );
    let j = &r.json_lines()[0];
    assert_eq!(j["gate"], "south");
    assert_eq!(j["reason"], "wrong_zone");
    assert!(desk.p("south.db").exists());
    // A frame source on the command line replaces the file's (a gate file
    // with a camera, tried with a scanner on stdin).
    let with_camera = fs::read_to_string(desk.p("gate/north.toml"))
        .unwrap()
        .replace("stdin = true\n", "camera = 0\n");
    fs::write(desk.p("gate/camera.toml"), with_camera).unwrap();
    let r = desk.run_stdin(
        &[
            "kiosk",
            "--config",
            "gate/camera.toml",
            "--stdin",
            "--journal",
            "cam.db",
        ],
        &format!("{text}\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json_lines()[0]["reason"], "ok");
    // doctor checks the same file.
    let (_, lines) = doctor(&desk, &["--config", "gate/north.toml"], &[]);
    assert_eq!(status(&lines, "trust"), vec!["PASS"], "{lines:#?}");
    assert_eq!(status(&lines, "revocations"), vec!["PASS"]);
    assert_eq!(
        status(&lines, "display"),
        vec!["PASS"],
        "headless in the file"
    );
}

#[test]
fn config_mistakes_are_refused_with_their_line() {
    let desk = Desk::new();
    let cases = [
        (
            "gate = \"north\"\ngaet = \"x\"\n",
            "line 2: unknown key \"gaet\"; did you mean \"gate\"?",
        ),
        (
            "gate = \"north\"\n\n[office]\nurl = \"x\"\n",
            "line 3: office must be a value",
        ),
        ("headless = \"yes\"\n", "line 1: headless is a switch"),
        ("zone = [\"a\", \"b\"]\n", "line 1: zone takes one value"),
        (
            "gate = \"north\"\nanti-passback = \"strict\"\n",
            "line 2: anti-passback must be one of off, soft, hard (not \"strict\")",
        ),
        ("gate = \"north\n", "not valid TOML"),
    ];
    for (text, want) in cases {
        fs::write(desk.p("bad.toml"), text).unwrap();
        let r = desk.run(&["kiosk", "--config", "bad.toml"]);
        assert_eq!(r.code, 2, "{text}");
        assert!(r.stderr.contains(want), "{text}: {}", r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    }
    let r = desk.run(&["kiosk", "--config", "missing.toml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
    // A value only the command line's parser refuses, and two sources in
    // one file: the error names the file and line, in one line, without a
    // usage line of every key as if typed.
    for (file, text, words, line) in [
        (
            "skew.toml",
            "trust = \"trust\"\nheadless = true\nskew = \"lots\"\nstdin = true\n",
            "invalid value 'lots' for '--skew",
            3,
        ),
        (
            "two.toml",
            "trust = \"trust\"\ncamera = 0\nstdin = true\n",
            "cannot be used with",
            2,
        ),
    ] {
        fs::write(desk.p(file), text).unwrap();
        let r = desk.run(&["kiosk", "--config", file]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains(words), "{}", r.stderr);
        assert!(
            r.stderr
                .contains(&format!("it comes from --config {file} line {line}")),
            "{}",
            r.stderr
        );
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    }
}

/// The misconfigured gate of a real set-up: a gate name the policy does not
/// know, a zone the policy does not give that gate, another gate's journal
/// key. `doctor` fails or warns on each, and the kiosk itself refuses to
/// start at a gate the policy does not know without a zone of its own.
#[test]
fn doctor_catches_a_misnamed_gate_a_wrong_zone_and_another_gates_key() {
    let Some(pg) = common::pg::Pg::start() else {
        return;
    };
    let desk = Desk::new();
    fs::write(
        desk.p("venue.txt"),
        "venue: Geneva Summit 2026\ntime-zone: Europe/Zurich\nzone: plenary Plenary hall\nzone: press Press centre\n\
         category: delegate #00529b - Delegate\ngate: north-1 plenary in North entrance\ngate: press-1 press in Press door\n",
    )
    .unwrap();
    desk.sign_policy("venue.txt", "policy.txt");
    for k in ["north-1", "press-1"] {
        assert_eq!(desk.run(&["keygen", "--kiosk", k]).code, 0);
    }
    let url = pg.admin_url();
    let r = desk.run(&["office", "init", "--db", &url]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = desk.run(&[
        "office",
        "add-kiosk",
        "--db",
        &url,
        "--kiosk-id",
        "north-1",
        "--kiosk-key",
        "kiosk-keys/north-1.pub.pem",
        "--out",
        "north-1.office",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let base = [
        "--headless",
        "--trust",
        "trust",
        "--policy",
        "policy.txt",
        "--office",
        "north-1.office",
    ];
    let run = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        doctor(&desk, &a, &[])
    };

    // As it should be: the policy's gate, its own key.
    let (code, lines) = run(&[
        "--gate",
        "north-1",
        "--signing-key",
        "kiosk-keys/north-1.key.pem",
    ]);
    assert_eq!(status(&lines, "gate"), vec!["PASS"], "{lines:#?}");
    assert_eq!(status(&lines, "enrolment"), vec!["PASS"], "{lines:#?}");
    assert_eq!(code, 0, "{lines:#?}");

    // A misspelt gate: FAIL, with the policy's nearest name.
    let (code, lines) = run(&[
        "--gate",
        "nort-1",
        "--signing-key",
        "kiosk-keys/north-1.key.pem",
    ]);
    assert_eq!(code, 1);
    assert_eq!(status(&lines, "gate"), vec!["FAIL"]);
    assert!(
        detail(&lines, "gate").contains("did you mean \\\"north-1\\\""),
        "{}",
        detail(&lines, "gate")
    );

    // The press zone at the plenary entrance: WARN.
    let (_, lines) = run(&[
        "--gate",
        "north-1",
        "--zone",
        "press",
        "--signing-key",
        "kiosk-keys/north-1.key.pem",
    ]);
    assert_eq!(status(&lines, "gate"), vec!["WARN"]);
    assert!(
        detail(&lines, "gate").contains("opens zone plenary"),
        "{}",
        detail(&lines, "gate")
    );

    // Another gate's key: FAIL, naming the key to use.
    let (code, lines) = run(&[
        "--gate",
        "north-1",
        "--signing-key",
        "kiosk-keys/press-1.key.pem",
    ]);
    assert_eq!(code, 1);
    assert_eq!(status(&lines, "enrolment"), vec!["FAIL"], "{lines:#?}");
    assert!(
        detail(&lines, "enrolment").contains("kiosk-keys/north-1.key.pem"),
        "{}",
        detail(&lines, "enrolment")
    );

    // The kiosk itself will not start at a gate the policy does not know
    // unless it is given a zone (it would check no zone at all).
    let kiosk = |extra: &[&str]| {
        let mut a = vec![
            "kiosk",
            "--trust",
            "trust",
            "--policy",
            "policy.txt",
            "--journal",
            "j.db",
            "--stdin",
            "--headless",
        ];
        a.extend_from_slice(extra);
        desk.run_stdin(&a, "")
    };
    let r = kiosk(&["--gate", "nort-1"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("gate \"nort-1\" is not in the venue policy; did you mean \"north-1\"?"),
        "{}",
        r.stderr
    );
    let r = kiosk(&["--gate", "nort-1", "--zone", "plenary"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("warning: gate \"nort-1\" is not in the venue policy"),
        "{}",
        r.stderr
    );
}
