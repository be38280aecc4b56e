//! `badgegate rehearse`: the CI scenario's day run by real kiosk
//! processes and a real PostgreSQL office, checked by the oracle; and
//! each check shown to fail when the venue is broken on purpose (a checker
//! that cannot fail is not a checker).

use crate::common;

use std::path::{Path, PathBuf};

use badgegate::rehearse::{check_day, run_day, Options, Scenario};
use common::Desk;

/// The repository's `scenarios/` folder.
fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// PostgreSQL for the office, or a printed reason to skip (CI installs it).
fn have_postgres() -> bool {
    if badgegate::rehearse::pg::bin_dir().is_some() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "PostgreSQL is not installed, and CI must run this test"
    );
    eprintln!("SKIPPED: PostgreSQL (initdb, pg_ctl) is not installed");
    false
}

/// A short day without an office: 24 people, 08:00 to 10:30, a
/// revocation, tailgating and a forgery.
const SHORT: &str = r#"
name = "short day"
seed = 3
time_scale = 900
office = false
propagation_bound_s = 3

[day]
start = "08:00"
opening = "09:00"
end = "10:30"
step_out_share = 0.0
leave_share = 0.3

[[zone]]
code = "plenary"

[[gate]]
id = "north"
zone = "plenary"
direction = "in"

[[gate]]
id = "east"
zone = "plenary"
direction = "in"

[[gate]]
id = "south"
zone = "plenary"
direction = "out"

[people]
count = 24
categories = { delegate = 1 }

[[event]]
kind = "revoke"
at = "09:10"

[[event]]
kind = "tailgate"
at = "09:30"
gate = "east"

[[event]]
kind = "forged"
at = "09:40"
gate = "north"
"#;

fn rehearse_cli(desk: &Desk, scenario: &Path) -> (i32, serde_json::Value, String) {
    let out = desk.p("rehearsal");
    let r = desk.run(&[
        "rehearse",
        &scenario.display().to_string(),
        "--out",
        &out.display().to_string(),
        "--json",
    ]);
    let report = serde_json::from_str(&r.stdout).unwrap_or(serde_json::Value::Null);
    (r.code, report, r.stderr)
}

/// The short day with `gate` broken on purpose (`sabotage`): its report,
/// after the rehearsal said it failed (exit 1).
fn sabotaged_day(desk: &Desk, gate: &str, sabotage: &str) -> serde_json::Value {
    let plain = format!("id = \"{gate}\"\nzone = \"plenary\"\ndirection = \"in\"");
    let text = SHORT.replacen(&plain, &format!("{plain}\nsabotage = \"{sabotage}\""), 1);
    assert_ne!(text, SHORT, "no gate {gate} in the short day");
    std::fs::write(desk.p("sabotaged.toml"), text).unwrap();
    let (code, report, err) = rehearse_cli(desk, &desk.p("sabotaged.toml"));
    assert_eq!(code, 1, "{report}\n{err}");
    report
}

/// True when one of a check's discrepancies says all of `words`.
fn says(check: &serde_json::Value, words: &[&str]) -> bool {
    check["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| words.iter().all(|w| d.as_str().unwrap().contains(w)))
}

fn check_of<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no check {name}: {report}"))
}

/// The CI day: three gates on a real office, 60 people, a forgery, two
/// revocations, tailgating, a lost badge, a gate PC killed and started
/// again, the office's server killed and started again, one gate cut off
/// from the office (connections reset) and another (a black hole). Every check holds;
/// the lost badge is listed as a documented limit, not hidden.
#[test]
fn the_ci_day_passes_every_check() {
    if !have_postgres() {
        return;
    }
    let desk = Desk::new();
    let (code, report, err) = rehearse_cli(&desk, &scenarios().join("ci.toml"));
    let failed: Vec<&serde_json::Value> = report["checks"]
        .as_array()
        .map(|c| c.iter().filter(|c| c["passed"] != true).collect())
        .unwrap_or_default();
    assert_eq!(code, 0, "failed checks: {failed:#?}\n{err}");
    assert_eq!(report["passed"], true);
    assert!(report["decisions"].as_u64().unwrap() > 100, "{report}");
    for name in [
        "decisions",
        "gates finished",
        "chains",
        "muster",
        "office records",
        "alarms",
        "revocations taken up",
        "decisions journalled",
    ] {
        assert_eq!(check_of(&report, name)["passed"], true, "{name}");
    }
    let timeline = report["timeline"].to_string();
    for what in [
        "revoked",
        "forged",
        "tailgating",
        "lost their badge",
        "killed",
        "office's server",
        "cut off from the office (refuse)",
        "cut off from the office (blackhole)",
        "disk is full",
        "went out of service",
        "policy 2 published: ID checks for hod, press",
        "photo",
        "the guard checks the passport and admits them by hand",
        "the guard refuses them at the ID check",
    ] {
        assert!(timeline.contains(what), "{what}: {timeline}");
    }
    // What those events must have done at the doors.
    let scans: Vec<serde_json::Value> = std::fs::read_to_string(desk.p("rehearsal/scans.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let swaps: Vec<&serde_json::Value> =
        scans.iter().filter(|s| s["why"] == "photo_swap").collect();
    assert_eq!(swaps.len(), 1);
    assert_eq!(swaps[0]["reason"], "photo_mismatch", "{}", swaps[0]);
    assert!(scans
        .iter()
        .any(|s| s["reason"] == "out_of_service" && s["gate"] == "east"));
    // The press flagged for an ID check once the new policy is in force
    // (the bound is 35 scenario minutes at this scale).
    let press_late: Vec<&serde_json::Value> = scans
        .iter()
        .filter(|s| s["why"] == "enter" && s["reason"] == "ok")
        .filter(|s| s["serial"].as_str().unwrap().starts_with("PRE-"))
        .filter(|s| s["at"].as_str().unwrap() > "09:06")
        .collect();
    assert!(!press_late.is_empty());
    assert!(press_late.iter().all(|s| s["flagged"] == true));
    // East reads camera frames of the cards: every showing there was
    // decided from the pixels, each from its first frame (the disk-full
    // stop ends one showing with no decision).
    let east = report["per_gate"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["gate"] == "east")
        .unwrap();
    let (frames, decided) = (
        east["camera_frames"]
            .as_u64()
            .expect("east is a camera gate"),
        east["decisions"].as_u64().unwrap(),
    );
    assert!(
        decided > 20 && frames >= decided && frames <= decided + 2,
        "{east}"
    );
    let journal = badgegate::journal::Journal::open_readonly(&desk.p("rehearsal/east.db")).unwrap();
    let inputs: Vec<String> = journal
        .entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.body.kind == badgegate::vocab::EntryKind::Decision)
        .map(|e| e.body.input.clone())
        .collect();
    assert!(inputs.len() as u64 >= decided - 2, "{inputs:?}");
    assert!(inputs.iter().all(|i| i.starts_with("stdin#")), "{inputs:?}");
    // West is staffed: its guard signed in with a staff badge, answered
    // every ID check there from the keyboard, admitted one person by hand
    // (with the note) and refused one at the ID check; its journal says so.
    let by_hand: Vec<(&str, &str)> = scans
        .iter()
        .filter(|s| s["why"] == "by_hand")
        .map(|s| {
            (
                s["decision"].as_str().unwrap(),
                s["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(by_hand, [("admit", "override"), ("deny", "refused")]);
    let west: Vec<&serde_json::Value> = scans.iter().filter(|s| s["gate"] == "west").collect();
    assert!(west.iter().any(|s| s["reason"] == "confirmed"), "{west:?}");
    assert!(
        west.iter().all(|s| s["flagged"] == false),
        "nobody waits flagged at a staffed gate"
    );
    let journal = badgegate::journal::Journal::open_readonly(&desk.p("rehearsal/west.db")).unwrap();
    let records = journal.entries().unwrap();
    use badgegate::vocab::EntryKind;
    let signed_in = records
        .iter()
        .find(|e| e.body.kind == EntryKind::Shift)
        .unwrap();
    assert_eq!(signed_in.body.reason.code(), "guard_signed_in");
    let hand = records
        .iter()
        .find(|e| e.body.kind == EntryKind::Override)
        .unwrap();
    assert_eq!(
        hand.body.guard.as_deref(),
        Some("Rehearsal Guard (GUARD-1)")
    );
    assert!(hand
        .body
        .note
        .as_deref()
        .unwrap()
        .contains("passport checked"));
    let html = std::fs::read_to_string(desk.p("rehearsal/report.html")).unwrap();
    assert!(html.contains("PASSED: every check holds"));
    let scans = std::fs::read_to_string(desk.p("rehearsal/scans.jsonl")).unwrap();
    assert_eq!(
        scans.lines().count() as u64,
        report["decisions"].as_u64().unwrap()
    );
}

/// A gate that never takes up a new revocation list: the revoked badge's
/// probe admitted there is a wrong decision, and the list never taken up
/// is named.
#[test]
fn a_gate_that_never_takes_up_a_list_is_caught() {
    let desk = Desk::new();
    let report = sabotaged_day(&desk, "north", "stale_lists");
    let decisions = check_of(&report, "decisions");
    assert_eq!(decisions["passed"], false);
    assert!(
        says(decisions, &["gate north", "(probe)", "deny revoked"]),
        "{decisions}"
    );
    let taken = check_of(&report, "revocations taken up");
    assert_eq!(taken["passed"], false);
    assert!(
        taken["discrepancies"]
            .to_string()
            .contains("gate north never took up"),
        "{taken}"
    );
    // The healthy gates are not blamed.
    assert!(!taken["discrepancies"].to_string().contains("gate east"));
}

/// A gate with anti-passback off: the follower who shows the holder's
/// card again is admitted, and the oracle says it should not have been.
#[test]
fn a_gate_without_anti_passback_is_caught() {
    let desk = Desk::new();
    let report = sabotaged_day(&desk, "east", "no_passback");
    let decisions = check_of(&report, "decisions");
    assert!(
        says(
            decisions,
            &["gate east", "(tailgate)", "deny already_inside"]
        ),
        "{decisions}"
    );
}

/// The day's records tampered with after the day: the entry of someone
/// still inside deleted from north's journal, an alarm the day never
/// raised written into the office, and another person struck from the
/// office's presence, and east's last record dated by its clock set back.
/// The chain, office-records, muster (the core's model, `office inside`,
/// the dashboard's list), alarms, decisions-journalled and clock-steps
/// checks each say so.
#[test]
fn records_lost_or_changed_after_the_day_are_caught() {
    if !have_postgres() {
        return;
    }
    let desk = Desk::new();
    // East's PC clock is set back two hours during the day.
    let text = SHORT.replacen("office = false", "office = true", 1)
        + "\n[[event]]\nkind = \"clock_step\"\nat = \"09:00\"\ngate = \"east\"\nstep_s = -7200\n";
    let scenario = Scenario::parse(&text).unwrap();
    let opts = Options {
        exe: PathBuf::from(env!("CARGO_BIN_EXE_badgegate")),
        dir: desk.p("day"),
        time_scale: None,
        dashboard: None,
    };
    let day = run_day(&scenario, &opts, &mut |_| {}).unwrap();
    let clean = check_day(&day, &mut |_| {}).unwrap();
    assert!(clean.iter().all(|c| c.passed), "{clean:#?}");

    // East's last record dated by the clock set back, as a gate that did
    // not keep its own time would have dated it.
    let east = rusqlite::Connection::open(desk.p("day/east.db")).unwrap();
    drop_triggers(&east);
    let last: i64 = east
        .query_row("SELECT max(seq) FROM entries", [], |r| r.get(0))
        .unwrap();
    east.execute(
        "UPDATE entries SET at_ms = at_ms - 7200000 WHERE seq = ?1",
        [last],
    )
    .unwrap();
    drop(east);

    // The entry of someone still inside, gone from north's journal (as
    // if its disk lost it).
    let db = rusqlite::Connection::open(desk.p("day/north.db")).unwrap();
    let admits: Vec<(i64, String)> = db
        .prepare("SELECT seq, serial FROM entries WHERE decision = 'admit' AND kind = 'decision' ORDER BY seq DESC")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let victim = admits
        .into_iter()
        .find(|(_, s)| day.truth_inside.iter().any(|(t, _)| t == s))
        .expect("someone north let in is still inside");
    drop_triggers(&db);
    db.execute("DELETE FROM entries WHERE seq = ?1", [victim.0])
        .unwrap();
    drop(db);
    let mut office = day.office.as_ref().unwrap().connect().unwrap();
    office
        .execute(
            "INSERT INTO badgegate.alarms (kiosk_id, kind, detail) VALUES ('east', 'hash', 'planted')",
            &[],
        )
        .unwrap();
    // And someone else inside struck from the office's presence (as a
    // bad upgrade could): the office's and the dashboard's lists miss them.
    let struck = day
        .truth_inside
        .iter()
        .map(|(s, _)| s.clone())
        .find(|s| *s != victim.1)
        .expect("a second person inside");
    office
        .execute(
            "DELETE FROM badgegate.presence WHERE serial = $1",
            &[&struck],
        )
        .unwrap();
    let broken = check_day(&day, &mut |_| {}).unwrap();
    let by = |n: &str| broken.iter().find(|c| c.name == n).unwrap();
    assert!(!by("chains").passed, "{:#?}", by("chains"));
    let office = by("office records");
    assert!(
        office
            .discrepancies
            .iter()
            .any(|d| d.contains(&format!("kiosk north record {}", victim.0))
                && d.contains("no journal has")),
        "{office:#?}"
    );
    let muster = by("muster");
    assert!(
        muster
            .discrepancies
            .iter()
            .any(|d| d.contains("the core's muster model misses") && d.contains(&victim.1)),
        "{muster:#?}"
    );
    for view in ["office inside misses", "the dashboard's muster list misses"] {
        assert!(
            muster
                .discrepancies
                .iter()
                .any(|d| d.contains(view) && d.contains(&struck)),
            "{view}: {muster:#?}"
        );
    }
    let alarms = by("alarms");
    assert!(
        alarms
            .discrepancies
            .iter()
            .any(|d| d.contains("hash: planted")),
        "{alarms:#?}"
    );
    let clock = by("clock steps");
    assert!(
        clock.discrepancies.iter().any(|d| d
            .starts_with(&format!("gate east: record {last} is dated "))
            && d.ends_with(&format!(" ms before record {}, made before it", last - 1))),
        "{clock:#?}"
    );
    let journalled = by("decisions journalled");
    assert!(
        journalled.discrepancies.iter().any(|d| d.contains(&format!(
            "gate north: record {} (admit ok on {}) is not in its journal",
            victim.0, victim.1
        ))),
        "{journalled:#?}"
    );
}

/// A journal's triggers dropped, so a test can change what they guard.
fn drop_triggers(db: &rusqlite::Connection) {
    let triggers: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for t in triggers {
        db.execute_batch(&format!("DROP TRIGGER \"{t}\"")).unwrap();
    }
}

/// A gate killed from outside during the day (the kernel's OOM killer, an
/// operator's `kill -9`), not by the scenario: "gates finished" names it.
#[test]
fn a_gate_that_stops_by_itself_is_caught() {
    let desk = Desk::new();
    let scenario =
        Scenario::parse(&SHORT.replacen("time_scale = 900", "time_scale = 400", 1)).unwrap();
    let dir = desk.p("day");
    let opts = Options {
        exe: PathBuf::from(env!("CARGO_BIN_EXE_badgegate")),
        dir: dir.clone(),
        time_scale: None,
        dashboard: None,
    };
    let day = std::thread::spawn(move || run_day(&scenario, &opts, &mut |_| {}).unwrap());
    // North's kiosk, found by its working folder and journal.
    let north = common::eventually_some("north's kiosk running", || {
        std::fs::read_dir("/proc").ok()?.find_map(|p| {
            let p = p.ok()?.path();
            let cwd = std::fs::read_link(p.join("cwd")).ok()?;
            let cmd = std::fs::read(p.join("cmdline")).ok()?;
            let cmd = String::from_utf8_lossy(&cmd);
            (cwd == dir && cmd.contains("kiosk\0") && cmd.contains("north.db"))
                .then(|| p.file_name()?.to_str()?.parse::<i32>().ok())
                .flatten()
        })
    });
    std::thread::sleep(std::time::Duration::from_secs(2));
    let killed = std::process::Command::new("kill")
        .args(["-9", &north.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let day = day.join().unwrap();
    let checks = check_day(&day, &mut |_| {}).unwrap();
    let finished = checks.iter().find(|c| c.name == "gates finished").unwrap();
    assert!(!finished.passed, "{finished:#?}");
    assert!(
        finished
            .discrepancies
            .iter()
            .any(|d| d.contains("gate north stopped by itself (exit -1)")),
        "{finished:#?}"
    );
}

/// The failover scenario: the office on a Patroni cluster losing its
/// primary's machine twice at the peak; every check holds and the office
/// raised one failover alarm each time. About two and a half minutes:
/// `cargo test --test it -- --ignored rehearse::the_failover_day`.
#[test]
#[ignore = "two and a half minutes; CI runs ha::losing_the_primary_under_load_loses_and_doubles_nothing"]
fn the_failover_day_passes_every_check() {
    if badgegate::rehearse::ha::missing().is_some() || !have_postgres() {
        return;
    }
    let desk = Desk::new();
    let (code, report, err) = rehearse_cli(&desk, &scenarios().join("failover.toml"));
    assert_eq!(code, 0, "{report}\n{err}");
    let timeline = report["timeline"].to_string();
    assert_eq!(
        timeline.matches("the office failed over").count(),
        2,
        "{timeline}"
    );
}

/// A scenario asking for what a staffed gate cannot rehearse is refused
/// before anything starts, naming the gate and what to change (exit 2).
#[test]
fn a_staffed_gate_the_rehearsal_cannot_run_is_refused_by_name() {
    let ci = std::fs::read_to_string(scenarios().join("ci.toml")).unwrap();
    let cases = [
        (
            ci.replace(
                "id = \"south\"\nzone = \"plenary\"\ndirection = \"out\"",
                "id = \"south\"\nzone = \"plenary\"\ndirection = \"out\"\nguard = true",
            ),
            "gate \"south\": a staffed gate is an entrance",
        ),
        (
            ci.replace(
                "kind = \"hand_admit\"\nat = \"08:10\"\ngate = \"west\"",
                "kind = \"hand_admit\"\nat = \"08:10\"\ngate = \"north\"",
            ),
            "at gate \"north\", which is not staffed",
        ),
        (
            ci + "\n[[event]]\nkind = \"kill_gate\"\nat = \"10:00\"\ngate = \"west\"\ndown_s = 60\n",
            "gate \"west\" is staffed: kill_gate",
        ),
    ];
    for (text, says) in cases {
        let desk = Desk::new();
        std::fs::write(desk.p("day.toml"), text).unwrap();
        let (code, _, err) = rehearse_cli(&desk, &desk.p("day.toml"));
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(says), "{says}: {err}");
        assert!(!desk.p("rehearsal").exists(), "nothing started");
    }
}

/// A gate that never reaches the office: at the day's checkpoint the
/// office has not received its records and `office inside` lacks the
/// people who came in through it — the checkpoint says so, mid-day.
#[test]
fn a_gate_the_office_never_hears_from_is_caught_at_the_checkpoint() {
    if !have_postgres() {
        return;
    }
    let desk = Desk::new();
    let text = SHORT
        .replacen(
            "office = false",
            "office = true\ncheckpoints = [\"09:20\"]",
            1,
        )
        .replacen(
            "id = \"north\"\nzone = \"plenary\"\ndirection = \"in\"",
            "id = \"north\"\nzone = \"plenary\"\ndirection = \"in\"\nsabotage = \"no_office\"",
            1,
        );
    std::fs::write(desk.p("day.toml"), text).unwrap();
    let (code, report, err) = rehearse_cli(&desk, &desk.p("day.toml"));
    assert_eq!(code, 1, "{report}\n{err}");
    let checkpoints = check_of(&report, "checkpoints");
    assert_eq!(checkpoints["passed"], false, "{checkpoints}");
    assert!(
        says(checkpoints, &["09:20", "gate north", "office at 0"]),
        "{checkpoints}"
    );
    assert!(
        says(
            checkpoints,
            &["09:20", "office inside misses", "inside plenary"]
        ),
        "{checkpoints}"
    );
    // The journals themselves agree with the truth: only the office is wrong.
    assert!(!says(checkpoints, &["the core's model"]), "{checkpoints}");
}

/// `--dashboard`: the office's dashboard served while the day runs; a
/// security lead signs in with the password said in the progress and sees
/// people on the muster list and the gates, live.
#[test]
fn the_day_can_be_watched_on_the_dashboard_while_it_runs() {
    if !have_postgres() {
        return;
    }
    let desk = Desk::new();
    let text = SHORT
        .replacen("office = false", "office = true", 1)
        .replacen("time_scale = 900", "time_scale = 600", 1);
    let scenario = Scenario::parse(&text).unwrap();
    let opts = Options {
        exe: PathBuf::from(env!("CARGO_BIN_EXE_badgegate")),
        dir: desk.p("day"),
        time_scale: None,
        dashboard: Some("127.0.0.1:0".into()),
    };
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let day = std::thread::spawn(move || {
        run_day(&scenario, &opts, &mut |line| {
            let _ = tx.send(line.to_owned());
        })
    });
    let said = rx
        .iter()
        .find(|l| l.starts_with("dashboard on "))
        .expect("the dashboard's address said");
    let (base, password) = said
        .strip_prefix("dashboard on ")
        .and_then(|l| l.split_once(": user watcher, password "))
        .expect("address, user and password");
    let cookie = crate::dashboard::sign_in_http(base, "watcher", password).expect("signed in");
    common::eventually("people on the muster list during the day", || {
        let (status, _, body) =
            crate::dashboard::get(&format!("{base}/muster/list"), Some(&cookie));
        status == 200 && body.contains("data-serial=\"DEL-")
    });
    let (status, _, gates) = crate::dashboard::get(&format!("{base}/gates"), Some(&cookie));
    assert_eq!(status, 200);
    for g in ["north", "east", "south"] {
        assert!(gates.contains(g), "{g}: {gates}");
    }
    let day = day.join().unwrap().expect("the day ran");
    assert!(check_day(&day, &mut |_| {})
        .unwrap()
        .iter()
        .all(|c| c.passed));
    // The dashboard stopped with the day.
    assert!(ureq::get(format!("{base}/login")).call().is_err());
}

/// A checkpoint outside the day, and `--dashboard` for a day without an
/// office, are refused before anything starts, saying what is wrong
/// (exit 2).
#[test]
fn a_checkpoint_outside_the_day_or_a_dashboard_without_an_office_is_refused() {
    let desk = Desk::new();
    let late = SHORT.replacen(
        "office = false",
        "office = false\ncheckpoints = [\"23:00\"]",
        1,
    );
    std::fs::write(desk.p("late.toml"), late).unwrap();
    let (code, _, err) = rehearse_cli(&desk, &desk.p("late.toml"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("checkpoint 23:00 is outside the day"), "{err}");
    assert!(!desk.p("rehearsal").exists(), "nothing started");

    std::fs::write(desk.p("short.toml"), SHORT).unwrap();
    let out = desk.p("watched");
    let r = desk.run(&[
        "rehearse",
        &desk.p("short.toml").display().to_string(),
        "--out",
        &out.display().to_string(),
        "--dashboard",
        "127.0.0.1:0",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("--dashboard needs a scenario with office = true"),
        "{}",
        r.stderr
    );
    assert!(!out.join("trust").exists(), "nothing started");
}
