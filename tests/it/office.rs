//! The venue network against a real PostgreSQL started by each test:
//! several kiosk processes, one office; records pushed and checked,
//! logins that can do only their part, revocations published, venue-wide
//! anti-passback, and every gate deciding on while the office is gone.

use crate::common;

use std::fs;
use std::time::{Duration, Instant};

use common::pg::Pg;
use common::{eventually, office, Desk, LiveKiosk};

const AT: &str = "2026-12-01T09:00:00Z";

/// An office with the venue schema and these kiosks enrolled
/// (`ID.office` connection files).
fn venue(desk: &Desk, pg: &Pg, kiosks: &[&str]) {
    let r = office(desk, pg, &["init"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for k in kiosks {
        let out = format!("{k}.office");
        let r = office(desk, pg, &["add-kiosk", "--kiosk-id", k, "--out", &out]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
}

fn kiosk_args<'a>(
    id: &'a str,
    gate: &'a str,
    direction: &'a str,
    extra: &[&'a str],
) -> Vec<String> {
    let mut v: Vec<String> = [
        "kiosk",
        "--trust",
        "trust",
        "--journal",
        &format!("{id}.db"),
        "--gate",
        gate,
        "--zone",
        "plenary",
        "--direction",
        direction,
        "--stdin",
        "--headless",
        "--at",
        AT,
        "--cooldown",
        "0",
        "--kiosk-id",
        id,
        "--office",
        &format!("{id}.office"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

fn live(desk: &Desk, args: &[String]) -> LiveKiosk {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    LiveKiosk::start(desk.path(), &refs)
}

fn count(pg: &Pg, sql: &str) -> i64 {
    pg.sql(sql).parse().unwrap_or(-1)
}

#[test]
fn kiosks_push_their_records_and_the_office_export_equals_a_merge_of_their_journals() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["north", "south"]);
    // Init twice: nothing to do.
    let r = office(&desk, &pg, &["init"]);
    assert!(r.stdout.contains("already at version 1"), "{}", r.stdout);
    let a = desk.issue("badges", "A-1", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let b = desk.issue("badges", "B-2", &["--valid-from", "2026-12-01T00:00:00Z"]);

    let mut north = live(&desk, &kiosk_args("north", "north", "in", &[]));
    let mut south = live(&desk, &kiosk_args("south", "south", "out", &[]));
    north.send(&a);
    assert_eq!(north.decision()["reason"], "ok");
    north.send("junk");
    north.decision();
    south.send(&b);
    south.decision();
    eventually("both kiosks' records at the office", || {
        count(&pg, "SELECT count(*) FROM badgegate.records") == 3 + 2
    });
    assert_eq!(north.finish(), 0);
    assert_eq!(south.finish(), 0);

    let r = office(&desk, &pg, &["status"]);
    assert!(
        r.stdout.contains("north") && r.stdout.contains("south"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("ALARM"), "{}", r.stdout);

    // The office's record as a journal equals a merge of the kiosks' files.
    let r = office(&desk, &pg, &["export", "--journal", "venue.db"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = desk.run(&[
        "audit",
        "merge",
        "--journal",
        "merged.db",
        "north.db",
        "south.db",
    ]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let export = |j: &str| {
        desk.run(&["audit", "export", "--journal", j, "--format", "jsonl"])
            .stdout
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v.as_object_mut().unwrap().remove("journal");
                v
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(export("venue.db"), export("merged.db"));
    let r = desk.run(&["audit", "verify", "--journal", "venue.db"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn a_kiosk_login_appends_only_its_own_records_and_changes_nothing_else() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["north", "south"]);
    let r = office(
        &desk,
        &pg,
        &["add-publisher", "--name", "desk", "--out", "desk.office"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let a = desk.issue("badges", "A-1", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let mut north = live(&desk, &kiosk_args("north", "north", "in", &[]));
    north.send(&a);
    north.decision();
    eventually("north's records", || {
        count(&pg, "SELECT count(*) FROM badgegate.records") == 2
    });
    assert_eq!(north.finish(), 0);

    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(desk.p("north.office"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "a connection file is private");
    let text = fs::read_to_string(desk.p("north.office")).unwrap();
    assert!(text
        .lines()
        .any(|l| l.starts_with("postgresql://bg_kiosk_north:")));

    let file = desk.p("north.office");
    let insert_as = |kiosk: &str, seq: i64| {
        format!(
            "INSERT INTO badgegate.records (kiosk_id, seq, at_ms, kind, gate, direction, decision, reason, \
             flagged, authentic, detail, input, format, prev_hash, hash) VALUES ('{kiosk}', {seq}, 0, 'decision', \
             'x', 'in', 'admit', 'ok', false, true, '', '', 2, '\\x{z}', '\\x{z}')",
            z = "00".repeat(32)
        )
    };
    for (sql, why) in [
        (insert_as("south", 1), "another kiosk's record"),
        ("UPDATE badgegate.records SET holder = 'X' WHERE kiosk_id = 'north'".to_owned(), "an update"),
        ("DELETE FROM badgegate.records".to_owned(), "a delete"),
        (
            "INSERT INTO badgegate.lists (kind, key_id, sequence, body) VALUES ('revocations', 'aaaaaaaa', 9, 'x')".to_owned(),
            "publishing a list",
        ),
        ("SELECT * FROM badgegate.records".to_owned(), "reading the venue's records"),
        ("UPDATE badgegate.presence SET inside = false".to_owned(), "clearing presence"),
    ] {
        let (ok, err) = pg.sql_as(&file, &sql);
        assert!(!ok, "a kiosk login could do {why}");
        assert!(err.contains("permission denied") || err.contains("only its own"), "{why}: {err}");
    }
    // Its own record out of chain: not stored, an alarm.
    let (ok, _) = pg.sql_as(&file, &insert_as("north", 9));
    assert!(ok, "an out-of-chain insert is skipped, not an error");
    assert_eq!(count(&pg, "SELECT count(*) FROM badgegate.records"), 2);
    let r = office(&desk, &pg, &["status"]);
    assert_eq!(r.code, 1, "an alarm makes status exit 1");
    assert!(
        r.stdout.contains("ALARM") && r.stdout.contains("gap"),
        "{}",
        r.stdout
    );
    // The desk's login publishes, and cannot touch records.
    let (ok, _) = pg.sql_as(&desk.p("desk.office"), "DELETE FROM badgegate.records");
    assert!(!ok);
}

#[test]
fn a_revocation_reaches_every_online_gate_and_stays_when_the_office_is_gone() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["north", "south"]);
    let r = office(
        &desk,
        &pg,
        &["add-publisher", "--name", "desk", "--out", "desk.office"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let a = desk.issue("badges", "A-1", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let mut north = live(&desk, &kiosk_args("north", "north", "in", &[]));
    let mut south = live(
        &desk,
        &kiosk_args("south", "south", "in", &["--anti-passback", "off"]),
    );
    north.send(&a);
    assert_eq!(north.decision()["reason"], "ok");

    let published = Instant::now();
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "rl.txt",
        "A-1",
        "--reason",
        "reported stolen",
        "--office",
        "desk.office",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("published to the venue office"),
        "{}",
        r.stdout
    );
    for k in [&north, &south] {
        eventually("the list taken up", || {
            k.stderr().contains("sequence 1") && k.stderr().contains("taken up")
        });
    }
    let took = published.elapsed();
    eprintln!("revocation reached both gates in {} ms", took.as_millis());
    south.send(&a);
    let d = south.decision();
    assert_eq!(d["reason"], "revoked");
    assert!(d["detail"].as_str().unwrap().contains("reported stolen"));
    assert_eq!(north.finish(), 0);
    assert_eq!(south.finish(), 0);

    // The office is gone; north restarts with no list of its own: the list
    // it kept from the office still refuses the badge.
    pg.stop();
    let args = kiosk_args("north", "north", "in", &[]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = desk.run_stdin(&refs, &format!("{a}\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.reasons(), ["revoked"]);
    assert!(r.stderr.contains("OFFLINE"), "{}", r.stderr);

    // A forged list in the office is not used: the kiosk verifies.
    pg.restart();
    let forged = fs::read_to_string(desk.p("rl.txt"))
        .unwrap()
        .replace("sequence: 1", "sequence: 2");
    pg.sql(&format!(
        "INSERT INTO badgegate.lists (kind, key_id, sequence, body) VALUES ('revocations', '{}', 2, $${forged}$$)",
        forged.lines().nth(1).unwrap().trim_start_matches("key-id: ")
    ));
    let mut north = live(&desk, &kiosk_args("north", "north", "in", &[]));
    eventually("the forged list skipped", || {
        north.stderr().contains("does not verify here")
    });
    north.send(&a);
    assert_eq!(
        north.decision()["reason"],
        "revoked",
        "the good list stays in force"
    );
    assert_eq!(north.finish(), 0);
}

#[test]
fn a_badge_inside_by_one_gate_is_refused_at_every_other_entry_of_the_zone_until_it_exits() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["n1", "n2", "s1"]);
    let badges: Vec<String> = (0..12)
        .map(|i| {
            desk.issue(
                "badges",
                &format!("P-{i}"),
                &["--valid-from", "2026-12-01T00:00:00Z"],
            )
        })
        .collect();
    // A generous timeout: on a loaded machine a late answer would admit
    // under the offline choice, which is not what this test is about.
    let slow_ok = ["--passback-timeout", "5000"];
    let mut n1 = live(&desk, &kiosk_args("n1", "north", "in", &slow_ok));
    let mut n2 = live(&desk, &kiosk_args("n2", "north-2", "in", &slow_ok));
    let mut s1 = live(&desk, &kiosk_args("s1", "south", "out", &[]));

    n1.send(&badges[0]);
    assert_eq!(n1.decision()["reason"], "ok");
    n2.send(&badges[0]);
    let d = n2.decision();
    assert_eq!(
        (d["decision"].as_str(), d["reason"].as_str()),
        (Some("deny"), Some("already_inside"))
    );
    assert!(d["detail"].as_str().unwrap().contains("gate north"), "{d}");
    // It leaves by the south exit; the office hears of it; it may enter again.
    s1.send(&badges[0]);
    assert_eq!(s1.decision()["reason"], "ok");
    // Both records must have reached the office, in whichever order the
    // two gates pushed them: the entry's (which settles north's
    // reservation) and the exit's (a late entry does not undo it).
    let start = Instant::now();
    while pg.sql(
        "SELECT (SELECT inside FROM badgegate.presence WHERE serial = 'P-0') IS FALSE
                AND NOT EXISTS (SELECT 1 FROM badgegate.reservations WHERE serial = 'P-0')",
    ) != "t"
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "never: the exit at the office\npresence: {}\nrecords: {}\nalarms: {}\ns1: {}",
            pg.sql("SELECT string_agg(concat_ws(' ', serial, zone, inside, kiosk_id, seq), '; ') FROM badgegate.presence"),
            pg.sql("SELECT string_agg(concat_ws(' ', kiosk_id, seq, kind, serial, direction, decision, reason, at_ms), '; ' ORDER BY received_at) FROM badgegate.records"),
            pg.sql("SELECT string_agg(kind || ': ' || detail, '; ') FROM badgegate.alarms"),
            s1.stderr()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Back in by the gate that first let it in, which never saw it leave
    // (the office did): admitted; then refused at the other entrance.
    n1.send(&badges[0]);
    let d = n1.decision();
    assert_eq!(
        d["reason"],
        "ok",
        "{d}\npresence: {}\nreservations: {}",
        pg.sql("SELECT string_agg(concat_ws(' ', serial, zone, inside, kiosk_id, seq), '; ') FROM badgegate.presence"),
        pg.sql("SELECT string_agg(concat_ws(' ', serial, zone, kiosk_id, seq, expires_at), '; ') FROM badgegate.reservations"),
    );
    n2.send(&badges[0]);
    assert_eq!(n2.decision()["reason"], "already_inside");

    // Two gates, the same badges, the same moment: exactly one admits each.
    for b in &badges[1..] {
        n1.send(b);
        n2.send(b);
    }
    let mut admits = std::collections::HashMap::new();
    for _ in 1..badges.len() {
        for k in [&n1, &n2] {
            let d = k.decision();
            if d["decision"] == "admit" {
                *admits
                    .entry(d["serial"].as_str().unwrap().to_owned())
                    .or_insert(0) += 1;
            } else {
                assert_eq!(d["reason"], "already_inside", "{d}");
            }
        }
    }
    assert_eq!(admits.len(), badges.len() - 1, "{admits:?}");
    assert!(admits.values().all(|n| *n == 1), "{admits:?}");
    for k in [n1, n2, s1] {
        assert_eq!(k.finish(), 0);
    }
}

#[test]
fn when_the_office_cannot_answer_each_zone_decides_by_its_choice_and_the_screen_line_says_offline()
{
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["soft", "hard"]);
    let a = desk.issue("badges", "A-1", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let b = desk.issue("badges", "B-2", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let mut soft = live(
        &desk,
        &kiosk_args("soft", "north", "in", &["--offline-passback", "soft"]),
    );
    let mut hard = live(
        &desk,
        &kiosk_args(
            "hard",
            "east",
            "in",
            &["--offline-passback", "hard", "--passback-timeout", "300"],
        ),
    );
    // A hung office (every server process stopped): each gate still decides,
    // within its timeout.
    soft.send("junk");
    soft.decision();
    pg.freeze(true);
    let t = Instant::now();
    soft.send(&a);
    let d = soft.decision();
    assert_eq!(
        (d["reason"].as_str(), d["flagged"].as_bool()),
        (Some("ok"), Some(true)),
        "{d}"
    );
    assert!(
        d["detail"]
            .as_str()
            .unwrap()
            .contains("passback unverified"),
        "{d}"
    );
    // Unanswered, the gate still knows whom it let in itself.
    soft.send(&a);
    let d = soft.decision();
    assert_eq!(
        (d["decision"].as_str(), d["reason"].as_str()),
        (Some("deny"), Some("already_inside")),
        "{d}"
    );
    hard.send(&b);
    let d = hard.decision();
    // Its own reason, apart from real passback.
    assert_eq!(
        (d["decision"].as_str(), d["reason"].as_str()),
        (Some("deny"), Some("passback_unverified")),
        "{d}"
    );
    assert!(
        d["detail"]
            .as_str()
            .unwrap()
            .contains("passback unverified"),
        "{d}"
    );
    eprintln!(
        "two decisions with the office hung: {} ms",
        t.elapsed().as_millis()
    );
    // Back: every record reaches the office exactly once.
    pg.freeze(false);
    soft.send("junk");
    soft.decision();
    assert_eq!(soft.finish(), 0);
    assert_eq!(hard.finish(), 0);
    eventually("every record at the office", || {
        count(
            &pg,
            "SELECT count(*) FROM badgegate.records WHERE kiosk_id = 'soft'",
        ) == 5
            && count(
                &pg,
                "SELECT count(*) FROM badgegate.records WHERE kiosk_id = 'hard'",
            ) == 2
    });
}

#[test]
fn every_record_reaches_the_office_exactly_once_through_outages_kills_and_restarts() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["k1", "k2"]);
    let a = desk.issue("badges", "A-1", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let b = desk.issue("badges", "B-2", &["--valid-from", "2026-12-01T00:00:00Z"]);
    common::alternating_scans(&desk, "stream.txt", &a, &b, 300);
    let stream = fs::read_to_string(desk.p("stream.txt")).unwrap();
    let lines: Vec<&str> = stream.lines().collect();

    // The office is down when k1 starts: it decides anyway.
    pg.stop();
    let no_passback = ["--anti-passback", "off"];
    let mut k1 = live(&desk, &kiosk_args("k1", "north", "in", &no_passback));
    for l in &lines[..100] {
        k1.send(l);
        k1.decision();
    }
    assert!(k1.stderr().contains("OFFLINE"), "{}", k1.stderr());
    // Back, and stopped again in the middle of the stream.
    pg.restart();
    for l in &lines[100..200] {
        k1.send(l);
        k1.decision();
    }
    pg.stop();
    pg.restart();
    for l in &lines[200..] {
        k1.send(l);
        k1.decision();
    }
    let (code, said) = k1.finish_with_stderr();
    assert_eq!(code, 0, "{said}");
    eventually("k1's 301 records", || {
        count(
            &pg,
            "SELECT count(*) FROM badgegate.records WHERE kiosk_id = 'k1'",
        ) == 301
    });

    // k2 is killed (SIGKILL) while it pushes; restarted, it resumes from
    // the office's head.
    let mut k2 = live(&desk, &kiosk_args("k2", "south", "out", &no_passback));
    for l in &lines {
        k2.send(l);
    }
    for _ in &lines {
        k2.decision();
    }
    k2.kill();
    let args = kiosk_args("k2", "south", "out", &no_passback);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = desk.run_stdin(&refs, "junk\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    eventually("k2's records", || {
        // 300 scans and two starts, a junk line: 303, and the start of a
        // run that did not close its journal is flagged, not extra.
        count(
            &pg,
            "SELECT count(*) FROM badgegate.records WHERE kiosk_id = 'k2'",
        ) == 303
    });
    // Exactly once, chains intact at the office and in the export.
    assert_eq!(
        pg.sql("SELECT count(*) FROM (SELECT kiosk_id, seq FROM badgegate.records GROUP BY 1, 2 HAVING count(*) > 1) d"),
        "0"
    );
    let r = office(&desk, &pg, &["export", "--journal", "venue.db"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = desk.run(&["audit", "verify", "--journal", "venue.db"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let status = office(&desk, &pg, &["status", "--json"]);
    for line in status.stdout.lines() {
        let k: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(k["alarms"].as_array().unwrap().is_empty(), "{k}");
    }
}

#[test]
fn admits_made_while_apart_are_reported_as_conflicts_and_a_far_clock_is_flagged() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["n1", "n2"]);
    let a = desk.issue("badges", "A-1", &["--valid-from", "2026-12-01T00:00:00Z"]);
    // Both gates admit A while the office is away (soft: admitted, flagged).
    pg.stop();
    let first = kiosk_args("n1", "north", "in", &["--passback-timeout", "200"]);
    let refs: Vec<&str> = first.iter().map(String::as_str).collect();
    let r = desk.run_stdin(&refs, &format!("{a}\n"));
    assert_eq!(r.reasons(), ["ok"]);
    let second = kiosk_args("n2", "north-2", "in", &["--passback-timeout", "200"]);
    let refs2: Vec<&str> = second.iter().map(String::as_str).collect();
    let r = desk.run_stdin(&refs2, &format!("{a}\n"));
    assert_eq!(r.reasons(), ["ok"]);
    pg.restart();
    // Each hands its records over when it next runs.
    for refs in [&refs, &refs2] {
        let r = desk.run_stdin(refs, "junk\n");
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let r = office(&desk, &pg, &["status"]);
    assert!(
        r.stdout.contains("passback"),
        "a conflict is an alarm: {}",
        r.stdout
    );
    // Nothing rewritten: both admits are on the record.
    assert_eq!(
        count(
            &pg,
            "SELECT count(*) FROM badgegate.records WHERE serial = 'A-1' AND decision = 'admit'"
        ),
        2
    );
    // The kiosks ran with --at, days from the office's clock: flagged.
    assert!(r.stdout.contains("OFF"), "{}", r.stdout);
    let r = office(&desk, &pg, &["inside", "--json"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout.lines().count(),
        1,
        "one person inside: {}",
        r.stdout
    );
}

#[test]
fn the_office_checks_each_record_against_the_kiosks_enrolled_key() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    let r = office(&desk, &pg, &["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for k in ["gate-a", "gate-b", "impostor"] {
        assert_eq!(desk.run(&["keygen", "--kiosk", k]).code, 0);
    }
    for k in ["gate-a", "gate-b"] {
        let key = format!("kiosk-keys/{k}.pub.pem");
        let out = format!("{k}.office");
        let r = office(
            &desk,
            &pg,
            &[
                "add-kiosk",
                "--kiosk-id",
                k,
                "--kiosk-key",
                &key,
                "--out",
                &out,
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(r.stdout.contains("signature-checked"), "{}", r.stdout);
    }
    let a = desk.issue("badges", "A-1", &["--valid-from", "2026-12-01T00:00:00Z"]);
    // gate-a signs with its own key; gate-b's journal is signed by another.
    for (id, key) in [("gate-a", "gate-a"), ("gate-b", "impostor")] {
        let signing = format!("kiosk-keys/{key}.key.pem");
        let args = kiosk_args(id, id, "out", &["--signing-key", &signing]);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = desk.run_stdin(&refs, &format!("{a}\n"));
        assert_eq!(r.code, 0, "{}", r.stderr);
        // The gate itself says when its key is not the one enrolled.
        let warned = r.stderr.contains(&format!(
            "signs its journal with a key the office did not enrol for kiosk {id}"
        ));
        assert_eq!(warned, key == "impostor", "{id}: {}", r.stderr);
        assert!(!r.stderr.contains("enrol its public key"), "{}", r.stderr);
    }
    let r = office(&desk, &pg, &["status", "--json"]);
    let kiosks: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let alarms = |id: &str| {
        kiosks.iter().find(|k| k["kiosk_id"] == id).unwrap()["alarms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert!(alarms("gate-a").is_empty(), "{:?}", alarms("gate-a"));
    // Both of gate-b's records, as one alarm that counts them.
    let b = alarms("gate-b");
    assert_eq!(b.len(), 1, "{b:?}");
    assert!(
        b[0].contains("not signed by this kiosk's enrolled key") && b[0].contains("2 times"),
        "{b:?}"
    );
}

#[test]
fn the_office_can_be_reached_only_over_verified_tls() {
    let Some(pg) = Pg::start() else {
        return;
    };
    let Some(ca) = pg.enable_tls() else {
        return;
    };
    let desk = Desk::new();
    let plain = pg.admin_url();
    let tls = format!("{plain}?sslmode=verify-full&sslrootcert={}", ca.display());
    // Without TLS the server turns the login away.
    let r = desk.run(&["office", "init", "--db", &plain]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("no encryption") || r.stderr.contains("rejects"),
        "{}",
        r.stderr
    );
    // A mode that does not check who answers is refused before connecting.
    let r = desk.run(&[
        "office",
        "init",
        "--db",
        &format!("{plain}?sslmode=require"),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("sslmode=verify-full"), "{}", r.stderr);
    // A certificate from a CA the kiosk does not trust: refused.
    let other = ca.with_file_name("other.pem");
    let r = desk.run(&[
        "office",
        "init",
        "--db",
        &format!(
            "{plain}?sslmode=verify-full&sslrootcert={}",
            other.display()
        ),
    ]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.to_lowercase().contains("certificate"),
        "{}",
        r.stderr
    );
    // The right CA: the venue is set up, and a kiosk's connection file
    // keeps the TLS settings, so its records arrive over TLS.
    let r = desk.run(&["office", "init", "--db", &tls]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = desk.run(&[
        "office",
        "add-kiosk",
        "--db",
        &tls,
        "--kiosk-id",
        "k-tls",
        "--out",
        "k-tls.office",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let file = fs::read_to_string(desk.p("k-tls.office")).unwrap();
    assert!(file.contains("sslmode=verify-full"), "{file}");
    let text = desk.issue(
        "badges",
        "T-1",
        &[
            "--valid-from",
            "2026-12-01T07:00:00Z",
            "--valid-until",
            "2026-12-02T21:00:00Z",
        ],
    );
    let args = kiosk_args("k-tls", "north", "in", &[]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = desk.run_stdin(&refs, &format!("{text}\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    eventually("the record reached the office over TLS", || {
        count(
            &pg,
            "SELECT count(*) FROM badgegate.records WHERE kiosk_id = 'k-tls'",
        ) >= 2
    });
    // Every client connection the server holds is encrypted.
    assert_eq!(
        count(&pg, "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.client_addr IS NOT NULL AND NOT s.ssl"),
        0
    );
}

#[test]
fn office_watch_follows_every_kiosk_as_records_arrive() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["north", "south"]);
    let a = desk.issue("badges", "A-9", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let url = pg.admin_url();
    let watch = LiveKiosk::start(desk.path(), &["office", "watch", "--db", &url, "--json"]);
    let mut north = live(&desk, &kiosk_args("north", "north", "in", &[]));
    let mut south = live(
        &desk,
        &kiosk_args("south", "south", "in", &["--anti-passback", "off"]),
    );
    north.send(&a);
    assert_eq!(north.decision()["reason"], "ok");
    south.send(&a);
    assert_eq!(south.decision()["reason"], "ok");
    // Each kiosk's start record and its decision, each once.
    let mut seen = Vec::new();
    while seen.len() < 4 {
        let v = watch.decision();
        assert!(
            v["received_at"].as_str().is_some_and(|r| r.ends_with('Z')),
            "{v}"
        );
        seen.push(format!("{} {}", v["kiosk_id"].as_str().unwrap(), v["seq"]));
    }
    seen.sort();
    assert_eq!(seen, ["north 1", "north 2", "south 1", "south 2"]);
    assert_eq!(north.finish(), 0);
    assert_eq!(south.finish(), 0);
    watch.kill();
}

/// The key id a signed list names (its second line).
fn list_key(text: &str) -> String {
    text.lines()
        .nth(1)
        .and_then(|l| l.strip_prefix("key-id: "))
        .unwrap()
        .to_owned()
}

fn revoke_at_office(desk: &Desk, serial: &str) {
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "rl.txt",
        serial,
        "--office",
        "desk.office",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

/// As the database's owner, with the office's check of list rows turned
/// off: what a hostile database administrator (or a restored dump) serves.
fn insert_list_unchecked(pg: &Pg, kind: &str, key: &str, seq: &str, body: &str) {
    pg.sql(&format!(
        "BEGIN; ALTER TABLE badgegate.lists DISABLE TRIGGER lists_arrive; \
         INSERT INTO badgegate.lists (kind, key_id, sequence, body) VALUES ('{kind}', '{key}', {seq}, $${body}$$); \
         ALTER TABLE badgegate.lists ENABLE TRIGGER lists_arrive; COMMIT;"
    ));
}

/// Regression (a publisher row `('revocations', KEY, 2^63−1, 'x')` made
/// every kiosk ignore all later lists from that key, so the next
/// revocation never applied; an old signed list replayed under a higher
/// sequence was taken by a fresh kiosk): a list is what its signed content
/// says, whatever its row's columns.
#[test]
fn only_a_lists_signed_content_decides_which_list_a_kiosk_takes() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["north", "south"]);
    let r = office(
        &desk,
        &pg,
        &["add-publisher", "--name", "desk", "--out", "desk.office"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let a = desk.issue("badges", "A-1", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let b = desk.issue("badges", "B-2", &["--valid-from", "2026-12-01T00:00:00Z"]);
    revoke_at_office(&desk, "A-1");
    let first = fs::read_to_string(desk.p("rl.txt")).unwrap();
    let key = list_key(&first);

    // The publisher's login: a row whose columns are not its body is
    // refused, and who published it and when are the session's.
    let publisher = desk.p("desk.office");
    let (ok, err) = pg.sql_as(
        &publisher,
        &format!("INSERT INTO badgegate.lists (kind, key_id, sequence, body) VALUES ('revocations', '{key}', 9223372036854775807, 'x')"),
    );
    assert!(!ok, "a row that is not its body is refused");
    assert!(err.contains("signed content"), "{err}");
    let (ok, err) = pg.sql_as(
        &publisher,
        &format!(
            "INSERT INTO badgegate.lists (kind, key_id, sequence, body) VALUES ('revocations', '{key}', 999, $${first}$$)"
        ),
    );
    assert!(
        !ok && err.contains("signed content"),
        "a replay under another number: {err}"
    );
    let forged_body = first.replace("sequence: 1\n", "sequence: 7\n");
    let (ok, err) = pg.sql_as(
        &publisher,
        &format!(
            "INSERT INTO badgegate.lists (kind, key_id, sequence, body, published_by, published_at) \
             VALUES ('revocations', '{key}', 7, $${forged_body}$$, 'the-desk', '2020-01-01')"
        ),
    );
    assert!(
        ok,
        "a well-formed header is stored (kiosks check the signature): {err}"
    );
    assert_eq!(
        pg.sql("SELECT published_by || ' ' || (published_at > now() - interval '1 hour') FROM badgegate.lists WHERE sequence = 7"),
        "bg_desk_desk true",
        "publisher and time are the session's"
    );

    // Past the office's check (its owner, or a restored dump): the same
    // rows reach the kiosks, which go by the signed content.
    insert_list_unchecked(&pg, "revocations", &key, "9223372036854775807", "x");
    insert_list_unchecked(&pg, "revocations", &key, "999", &first);
    let mut north = live(&desk, &kiosk_args("north", "north", "in", &[]));
    eventually("list #1 taken up", || {
        north.stderr().contains("sequence 1") && north.stderr().contains("taken up")
    });
    eventually("the lying row refused", || {
        north.stderr().contains("its columns lie")
    });
    // The next revocation still arrives and applies.
    revoke_at_office(&desk, "B-2");
    eventually("list #2 taken up", || north.stderr().contains("sequence 2"));
    north.send(&b);
    assert_eq!(north.decision()["reason"], "revoked");
    north.send(&a);
    assert_eq!(north.decision()["reason"], "revoked");
    assert_eq!(north.finish(), 0);

    // A fresh kiosk takes #2, never the replayed #1.
    let mut south = live(&desk, &kiosk_args("south", "south", "in", &[]));
    eventually("south takes #2", || south.stderr().contains("sequence 2"));
    south.send(&b);
    assert_eq!(south.decision()["reason"], "revoked");
    assert_eq!(south.finish(), 0);
    // Restarted, north starts (no roll-back from the replay).
    let args = kiosk_args("north", "north", "in", &[]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = desk.run_stdin(&refs, &format!("{b}\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.reasons(), ["revoked"]);

    // The office shows what the kiosks hold by signed content, and an
    // alarm for the lying rows.
    let r = office(&desk, &pg, &["status"]);
    assert!(
        r.stdout.contains(&format!("revocations {key} #2")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .lines()
            .filter_map(|l| l.split_once("lists: "))
            .all(|(_, held)| !held.contains("#9223372036854775807")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("ALARM") && r.stdout.contains("list: kiosk north says"),
        "{}",
        r.stdout
    );
}

/// A goodbye marks only the kiosk whose login says it: no kiosk login can
/// make another gate look STOPPED (hiding its outage), and a desk's login
/// cannot say goodbye at all.
#[test]
fn a_goodbye_marks_only_the_kiosk_that_says_it() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["north", "south"]);
    let r = office(
        &desk,
        &pg,
        &["add-publisher", "--name", "desk", "--out", "desk.office"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (ok, err) = pg.sql_as(&desk.p("north.office"), "SELECT badgegate.goodbye(7)");
    assert!(ok, "{err}");
    let (ok, _) = pg.sql_as(&desk.p("desk.office"), "SELECT badgegate.goodbye(7)");
    assert!(!ok, "a desk's login cannot say goodbye");
    let (ok, _) = pg.sql_as(
        &desk.p("north.office"),
        "UPDATE badgegate.kiosks SET stopped_at = now() WHERE kiosk_id = 'south'",
    );
    assert!(!ok, "nor write the kiosks table");
    assert_eq!(
        pg.sql(
            "SELECT string_agg(kiosk_id || ':' || (stopped_at IS NOT NULL), ',' ORDER BY kiosk_id)
             FROM badgegate.kiosks"
        ),
        "north:true,south:false"
    );
}

/// Who is inside is one rule (`rules::moves_presence`): the office's SQL
/// gives the same answer as the Rust for every kind, decision and
/// signature state the vocabulary has, and moves no one for codes it lacks.
#[test]
fn the_office_moves_presence_by_the_cores_rule_row_for_row() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["north"]);
    use badgegate::rules::moves_presence;
    use badgegate::vocab::{EntryDecision, EntryKind};
    let mut moving = 0;
    for k in EntryKind::ALL {
        for d in EntryDecision::ALL {
            for authentic in [false, true] {
                let rust = moves_presence(*k, *d, authentic);
                moving += usize::from(rust);
                let sql = pg.sql(&format!(
                    "SELECT badgegate.moves_presence('{}', '{}', {authentic})",
                    k.code(),
                    d.code()
                ));
                assert_eq!(sql, if rust { "t" } else { "f" }, "{k:?} {d:?} {authentic}");
            }
        }
    }
    assert_eq!(moving, 3, "decision, override and confirm admits");
    for (k, d) in [("hook", "admit"), ("decision", "ADMIT"), ("", "admit")] {
        assert_eq!(
            pg.sql(&format!(
                "SELECT badgegate.moves_presence('{k}', '{d}', true)"
            )),
            "f"
        );
    }
}

/// Presence is one definition (`muster::Muster`): the office's SQL
/// (`badgegate.presence_take`, fed each record as it commits) and the
/// core's Rust, fed the same 800 generated records (three gates, entries
/// and exits, zones and none, admits by decision, hand and confirmation,
/// flagged admits, revoked refusals of people inside, forgeries), end with
/// the same people inside, the same checks pending, the same revoked
/// marks, and one `revoked_inside` alarm for each the Rust raises.
#[test]
fn the_office_keeps_presence_by_the_cores_muster_row_for_row() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["north"]);
    use badgegate::journal::NewEntry;
    use badgegate::muster::Muster;
    use badgegate::vocab::{Direction, EntryDecision, EntryKind, EntryReason, GuardReason, Reason};
    let next = common::seeded(0x2545_F491_4F6C_DD1Du64);
    let quote = |s: Option<&str>| match s {
        None => "NULL".to_owned(),
        Some(s) => format!("'{}'", s.replace('\'', "''")),
    };
    let kinds = [
        EntryKind::Decision,
        EntryKind::Decision,
        EntryKind::Decision,
        EntryKind::Override,
        EntryKind::Confirm,
        EntryKind::Hook,
    ];
    let reasons: [EntryReason; 6] = [
        Reason::Ok.into(),
        Reason::Ok.into(),
        Reason::Revoked.into(),
        Reason::AlreadyInside.into(),
        Reason::BadSignature.into(),
        GuardReason::Confirmed.into(),
    ];
    let zones = [Some("plenary"), Some("press"), None];
    let names = ["Amina Diallo", "Фарҳод Раҳимов", "O'Brien", "习近平"];
    let compare = |muster: &Muster| -> (usize, usize) {
        let rust: Vec<String> = muster
            .stays()
            .map(|s| {
                format!(
                    "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
                    s.serial,
                    if s.zone == badgegate::muster::ANY_ZONE {
                        "*"
                    } else {
                        &s.zone
                    },
                    if s.inside { "t" } else { "f" },
                    s.kiosk_id,
                    s.seq,
                    s.gate,
                    s.at_ms,
                    s.holder.as_deref().unwrap_or(""),
                    s.org.as_deref().unwrap_or(""),
                    s.category.as_deref().unwrap_or(""),
                    if s.check_pending { "t" } else { "f" },
                )
            })
            .collect();
        let sql = pg.sql(
        "SELECT string_agg(concat_ws('|', serial, zone, inside, kiosk_id, seq, gate, at_ms, COALESCE(holder, ''),
                                     COALESCE(org, ''), COALESCE(category, ''), check_pending), E'\\n'
                           ORDER BY serial COLLATE \"C\", zone COLLATE \"C\") FROM badgegate.presence",
    );
        let sql: Vec<&str> = sql.lines().collect();
        assert_eq!(sql.len(), rust.len(), "{sql:#?}\n{rust:#?}");
        for (s, r) in sql.iter().zip(&rust) {
            assert_eq!(s, r);
        }
        let inside = rust
            .iter()
            .filter(|r| r.split('|').nth(2) == Some("t"))
            .count();
        let pending = rust.iter().filter(|r| r.ends_with("|t")).count();
        let revoked_rust: Vec<String> = muster
            .revoked()
            .iter()
            .map(|(serial, v)| {
                format!(
                    "{serial}|{}|{}|{}|{}|{}",
                    v.kiosk_id,
                    v.seq,
                    v.gate,
                    v.at_ms,
                    if v.alarmed { "t" } else { "f" }
                )
            })
            .collect();
        let revoked_sql = pg.sql(
        "SELECT string_agg(concat_ws('|', serial, kiosk_id, seq, gate, at_ms, alarmed), E'\\n' ORDER BY serial COLLATE \"C\")
         FROM badgegate.revoked_seen",
    );
        assert_eq!(revoked_sql.lines().collect::<Vec<_>>(), revoked_rust);
        (inside, pending)
    };
    let (mut seen_inside, mut seen_pending) = (0, 0);
    let mut muster = Muster::new();
    let mut raised = 0;
    let mut statements = Vec::new();
    let mut seqs = [0u64; 3];
    for i in 0..800u64 {
        let k = next(3);
        seqs[k] += 1;
        let kiosk = ["north", "east", "press"][k];
        let who = next(8);
        let e = NewEntry {
            // Out of time order by up to 30 s: gates report late.
            at_ms: 1_790_000_000_000 + i * 1000 + next(30_000) as u64,
            kind: kinds[next(kinds.len())],
            gate: format!("gate-{kiosk}"),
            zone: zones[next(3)].map(Into::into),
            direction: [Direction::In, Direction::In, Direction::Out][next(3)],
            serial: Some(format!("HD-{who:04}")),
            holder: Some(names[who % names.len()].to_owned()),
            org: [None, Some("Republic of Senegal")][next(2)].map(Into::into),
            category: Some("hd".into()),
            decision: EntryDecision::ALL[next(EntryDecision::ALL.len())],
            reason: reasons[next(reasons.len())],
            flagged: next(3) == 0,
            authentic: next(6) != 0,
            ..NewEntry::default()
        };
        if muster.take(kiosk, seqs[k], &e).is_some() {
            raised += 1;
        }
        statements.push(format!(
            "SELECT badgegate.presence_take(ROW('{kiosk}', {}, {}, '{}', {}, {}, '{}', {}, {}, {}, {}, NULL, '{}', '{}', {}, {}, '', NULL, '', NULL, NULL, 2, NULL, '\\x00'::bytea, '\\x00'::bytea, NULL, now())::badgegate.records, true, NULL);",
            seqs[k],
            e.at_ms,
            e.kind.code(),
            quote(Some(&e.gate)),
            quote(e.zone.as_deref()),
            e.direction.code(),
            quote(e.serial.as_deref()),
            quote(e.holder.as_deref()),
            quote(e.org.as_deref()),
            quote(e.category.as_deref()),
            e.decision.code(),
            e.reason.code(),
            e.flagged,
            e.authentic,
        ));
        // Compared at eight points of the day, not only at its end.
        if i % 100 == 99 {
            pg.sql(&statements.join("\n"));
            statements.clear();
            let (inside, pending) = compare(&muster);
            seen_inside = seen_inside.max(inside);
            seen_pending = seen_pending.max(pending);
        }
    }
    assert!(
        seen_inside >= 3,
        "the generated day leaves people inside: {seen_inside}"
    );
    assert!(seen_pending >= 1, "some checks pending");
    assert!(
        raised >= 1,
        "some revocation is seen while its holder is inside"
    );
    assert_eq!(
        pg.sql("SELECT count(*) FROM badgegate.alarms WHERE kind = 'revoked_inside'"),
        raised.to_string()
    );
}

/// "Is this record an alarm" is the core's rule
/// (`rules::alarm_of`); the office's SQL (`badgegate.record_alarm`,
/// `badgegate.alarming`, written by office init) answers the same for every
/// kind, reason and flag the vocabulary has, and the dashboard's query of
/// the records that are alarms is answered from the index built over it.
#[test]
fn the_office_classifies_alarms_by_the_cores_rule_row_for_row() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["north"]);
    use badgegate::rules::alarm_of;
    use badgegate::vocab::{EntryKind, EntryReason};
    let mut rows = Vec::new();
    let mut expected = Vec::new();
    for k in EntryKind::ALL {
        for r in EntryReason::all() {
            for flagged in [false, true] {
                rows.push(format!("('{}', '{}', {flagged})", k.code(), r.code()));
                let alarm = alarm_of(*k, r, flagged);
                expected.push(format!(
                    "{}/{}/{flagged}={}/{}",
                    k.code(),
                    r.code(),
                    alarm.map_or("-", |a| a.code()),
                    if alarm.is_some_and(|a| a.is_trouble()) {
                        "t"
                    } else {
                        "f"
                    }
                ));
            }
        }
    }
    // Text outside the vocabulary is no alarm.
    for (k, r) in [("decision", "REVOKED"), ("pwned", "revoked"), ("start", "")] {
        rows.push(format!("('{k}', '{r}', true)"));
        expected.push(format!("{k}/{r}/true=-/f"));
    }
    let got = pg.sql(&format!(
        "SELECT string_agg(k || '/' || r || '/' || f || '=' || COALESCE(badgegate.record_alarm(k, r, f), '-')
                           || '/' || CASE WHEN badgegate.alarming(k, r, f) THEN 't' ELSE 'f' END, E'\\n' ORDER BY n)
         FROM (SELECT k, r, f, row_number() OVER () AS n FROM (VALUES {}) v(k, r, f)) w",
        rows.join(", ")
    ));
    let got: Vec<&str> = got.lines().collect();
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g, e);
    }
    assert!(expected.iter().filter(|e| e.ends_with("/t")).count() >= 10);
    // The dashboard's alarms query finds its rows through the index.
    let plan = pg.sql(
        "SET enable_seqscan = off;
         EXPLAIN SELECT * FROM badgegate.records WHERE badgegate.alarming(kind, reason, flagged)
         ORDER BY received_at DESC LIMIT 500",
    );
    assert!(plan.contains("records_alarming"), "{plan}");
}

/// The record hash is written twice, by necessity: the kiosk's Rust
/// (`journal::record_hash`) and the office's SQL (`badgegate.record_hash`,
/// which refuses a record whose hash it does not make). Both are run over
/// the same 400 generated records (both formats, every kind, reason and
/// decision, absent fields, names in many scripts, quotes, long text) and
/// must agree on every one.
#[test]
fn the_office_hashes_records_as_the_kiosk_does_row_for_row() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["north"]);
    use badgegate::journal::{genesis_hash, record_hash, NewEntry};
    use badgegate::vocab::{Direction, EntryDecision, EntryKind, EntryReason};
    let long = "x".repeat(700);
    let texts: [&str; 10] = [
        "",
        "north",
        "Amina Diallo",
        "Фарҳод Раҳимов",
        "习近平",
        "محمد رضا",
        "O'Brien \\ \"q\"",
        "🙂 e\u{301}",
        "a\tb\nc",
        &long,
    ];
    let reasons: Vec<EntryReason> = EntryReason::all().collect();
    let next = common::seeded(0x9E37_79B9_7F4A_7C15u64);
    let quote = |s: Option<&str>| match s {
        None => "NULL".to_owned(),
        Some(s) => format!("'{}'", s.replace('\'', "''")),
    };
    let mut rows = Vec::new();
    let mut expected = Vec::new();
    let mut prev = genesis_hash("north");
    for seq in 1..=400u64 {
        let pick = |none: bool| -> Option<String> {
            let i = next(texts.len() + usize::from(none));
            texts.get(i).map(|t| (*t).to_owned())
        };
        let e = NewEntry {
            at_ms: 1_790_000_000_000 + seq * 997,
            kind: EntryKind::ALL[next(EntryKind::ALL.len())],
            gate: pick(false).unwrap(),
            zone: pick(true),
            direction: [Direction::In, Direction::Out][next(2)],
            serial: pick(true),
            holder: pick(true),
            org: pick(true),
            category: pick(true),
            key_id: pick(true),
            decision: EntryDecision::ALL[next(EntryDecision::ALL.len())],
            reason: reasons[next(reasons.len())],
            flagged: next(2) == 1,
            authentic: next(2) == 1,
            detail: pick(false).unwrap(),
            note: pick(true),
            input: pick(false).unwrap(),
            list_seq: [None, Some(0), Some(7), Some(u64::from(u32::MAX) + 5)][next(4)],
            guard: pick(true),
        };
        let format = [1u8, 2][next(2)];
        let signer = pick(true);
        let (list_seq, guard, signer) = if format == 1 {
            (None, None, None)
        } else {
            (e.list_seq, e.guard.clone(), signer)
        };
        let e = NewEntry {
            list_seq,
            guard: guard.clone(),
            ..e
        };
        let hash = record_hash(&prev, "north", seq, format, &e, signer.as_deref());
        rows.push(format!(
            "({seq}, ROW('north', {seq}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {format}, {}, '\\x{}'::bytea, '\\x00'::bytea, NULL, now())::badgegate.records)",
            e.at_ms,
            quote(Some(e.kind.code())),
            quote(Some(&e.gate)),
            quote(e.zone.as_deref()),
            quote(Some(e.direction.code())),
            quote(e.serial.as_deref()),
            quote(e.holder.as_deref()),
            quote(e.org.as_deref()),
            quote(e.category.as_deref()),
            quote(e.key_id.as_deref()),
            quote(Some(e.decision.code())),
            quote(Some(e.reason.code())),
            e.flagged,
            e.authentic,
            quote(Some(&e.detail)),
            quote(e.note.as_deref()),
            quote(Some(&e.input)),
            e.list_seq.map_or("NULL".to_owned(), |n| n.to_string()),
            quote(guard.as_deref()),
            quote(signer.as_deref()),
            badgegate::text::hex(&prev),
        ));
        expected.push(badgegate::text::hex(&hash));
        prev = hash;
    }
    let got = pg.sql(&format!(
        "SELECT string_agg(encode(badgegate.record_hash(r), 'hex'), ',' ORDER BY n)
         FROM (VALUES {}) AS v(n, r)",
        rows.join(", ")
    ));
    let got: Vec<&str> = got.trim().split(',').collect();
    assert_eq!(got.len(), expected.len());
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(g, e, "record {} of 400", i + 1);
    }
    assert_eq!(
        pg.sql("SELECT encode(badgegate.genesis_hash('north'), 'hex')"),
        badgegate::text::hex(&genesis_hash("north"))
    );
}

/// Regression (one kiosk login stored records with `reason = 'pwned'`,
/// and the dashboard's pages and `office export` failed for good; 2,000
/// refused records made 2,000 alarms): a record outside the vocabulary is
/// quarantined, and a flood is one alarm with a count.
#[test]
fn a_record_outside_the_vocabulary_is_quarantined_and_a_flood_is_one_alarm() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["north"]);
    // Every kind and reason the Rust vocabulary has is known to the
    // office's SQL, and nothing else.
    use badgegate::vocab::{EntryKind, GuardReason, KioskEvent, Reason};
    let reasons: Vec<&str> = Reason::ALL
        .iter()
        .map(|r| r.code())
        .chain(GuardReason::ALL.iter().map(|g| g.code()))
        .chain(KioskEvent::ALL.iter().map(|e| e.code()))
        .chain(["start"])
        .collect();
    for k in EntryKind::ALL {
        for r in &reasons {
            assert_eq!(
                pg.sql(&format!(
                    "SELECT badgegate.known_record('{}', '{r}')",
                    k.code()
                )),
                "t"
            );
        }
    }
    for (k, r) in [
        ("decision", "pwned"),
        ("pwned", "ok"),
        ("decision", "OK"),
        ("decision", ""),
    ] {
        assert_eq!(
            pg.sql(&format!("SELECT badgegate.known_record('{k}', '{r}')")),
            "f"
        );
    }

    // A well-chained record with an unknown reason from north's login.
    let a = desk.issue("badges", "A-1", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let args = kiosk_args("north", "north", "in", &[]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = desk.run_stdin(&refs, &format!("{a}\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let held = count(&pg, "SELECT count(*) FROM badgegate.records");
    assert_eq!(held, 2);
    let file = desk.p("north.office");
    // The record's own hash, computed by the office's function, so that
    // only the vocabulary can refuse it.
    let prev = pg.sql(
        "SELECT encode(hash, 'hex') FROM badgegate.records WHERE kiosk_id = 'north' AND seq = 2",
    );
    let hash = pg.sql(&format!(
        "SELECT encode(badgegate.record_hash(ROW('north', 3, 0, 'decision', 'north', NULL, 'in', NULL, NULL, NULL, NULL, NULL, \
         'deny', 'pwned', false, false, '', NULL, '', NULL, NULL, 2, NULL, '\\x{prev}'::bytea, '\\x00'::bytea, NULL, now())::badgegate.records), 'hex')"
    ));
    let insert = |seq: i64, reason: &str, prev: &str, hash: &str| {
        format!(
            "INSERT INTO badgegate.records (kiosk_id, seq, at_ms, kind, gate, direction, decision, reason, flagged, authentic, detail, input, format, prev_hash, hash) \
             VALUES ('north', {seq}, 0, 'decision', 'north', 'in', 'deny', '{reason}', false, false, '', '', 2, '\\x{prev}', '\\x{hash}')"
        )
    };
    for _ in 0..50 {
        let (ok, err) = pg.sql_as(&file, &insert(3, "pwned", &prev, &hash));
        assert!(ok, "{err}");
    }
    assert_eq!(
        count(&pg, "SELECT count(*) FROM badgegate.records"),
        held,
        "nothing stored"
    );
    assert_eq!(
        pg.sql(
            "SELECT count(*) || ' ' || max(count) FROM badgegate.alarms WHERE kind = 'quarantine'"
        ),
        "1 50",
        "one alarm, counting"
    );
    // The office's own questions still answer.
    let r = office(&desk, &pg, &["export", "--journal", "venue.db"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = office(&desk, &pg, &["status"]);
    assert!(
        r.stdout.contains("quarantined") && r.stdout.contains("50 times"),
        "{}",
        r.stdout
    );
}

/// Regression (a pushed journal cut back from 7 records to 4 and the
/// kiosk restarted: shown ONLINE with no alarm, then chain alarms every
/// 0.5 s for ever): one alarm at once naming the missing range, and the
/// kiosk stops pushing and says so.
#[test]
fn a_journal_cut_back_below_what_the_office_holds_is_one_alarm_and_pushing_stops() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["north"]);
    let a = desk.issue("badges", "A-1", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let args = kiosk_args("north", "north", "in", &["--anti-passback", "off"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = desk.run_stdin(&refs, &format!("{a}\n{a}\n{a}\n{a}\n{a}\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(count(&pg, "SELECT count(*) FROM badgegate.records"), 6);
    // The gate PC's disk is replaced: an older copy with 3 records.
    fs::copy(desk.p("north.db"), desk.p("full.db")).unwrap();
    let conn = rusqlite::Connection::open(desk.p("north.db")).unwrap();
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS entries_no_delete; DELETE FROM entries WHERE seq > 3;",
    )
    .ok();
    drop(conn);
    let j = badgegate::journal::Journal::open_readonly(&desk.p("north.db")).unwrap();
    let left = j.head_seq("north").unwrap().unwrap_or(0);
    drop(j);
    assert!(left < 6, "the journal was cut back (to {left})");
    let mut k = live(&desk, &args);
    eventually("the kiosk says it stopped pushing", || {
        k.stderr().contains("PUSHING STOPPED")
    });
    // Its new records stay here; the office holds what it held.
    k.send(&a);
    k.decision();
    k.send(&a);
    k.decision();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(count(&pg, "SELECT count(*) FROM badgegate.records"), 6);
    assert_eq!(
        pg.sql("SELECT count(*) FROM badgegate.alarms WHERE kind = 'cut_back'"),
        "1"
    );
    assert_eq!(
        count(
            &pg,
            "SELECT count(*) FROM badgegate.alarms WHERE kind IN ('chain', 'gap', 'fork', 'hash')"
        ),
        0,
        "no flood of chain alarms"
    );
    let r = office(&desk, &pg, &["status"]);
    assert!(r.stdout.contains("to 6 are gone"), "{}", r.stdout);
    assert_eq!(k.finish(), 0);
}

/// Serials inside as the office says (`office inside --json`).
fn office_inside(desk: &Desk, pg: &Pg) -> Vec<String> {
    let r = office(desk, pg, &["inside", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut v: Vec<String> = r
        .stdout
        .lines()
        .map(|l| {
            let j: serde_json::Value = serde_json::from_str(l).unwrap();
            j["serial"].as_str().unwrap().to_owned()
        })
        .collect();
    v.sort();
    v
}

/// The office's presence is what the kiosks' own journals say.
fn office_matches_journals(desk: &Desk, pg: &Pg, journals: &[&str]) {
    assert_eq!(office_inside(desk, pg), journals_inside(desk, journals));
}

/// Serials inside as the kiosks' own journals say (merged, `audit inside`).
fn journals_inside(desk: &Desk, journals: &[&str]) -> Vec<String> {
    let _ = fs::remove_file(desk.p("all.db"));
    let mut args = vec!["audit", "merge", "--journal", "all.db"];
    args.extend_from_slice(journals);
    let r = desk.run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = desk.run(&["audit", "inside", "--journal", "all.db", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut v: Vec<String> = r
        .stdout
        .lines()
        .filter_map(|l| {
            let j: serde_json::Value = serde_json::from_str(l).ok()?;
            j["serial"].as_str().map(str::to_owned)
        })
        .collect();
    v.sort();
    v
}

/// Regression (a claim made before the decision was final stayed when the
/// answer came after the timeout and the hard gate had denied: the person
/// was then refused "already inside" everywhere and on the muster list):
/// presence comes from committed admits only.
#[test]
fn a_late_answer_from_a_slow_office_leaves_no_phantom() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["n1", "n2"]);
    let a = desk.issue("badges", "A-1", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let hard = ["--offline-passback", "hard", "--passback-timeout", "300"];
    let mut n1 = live(&desk, &kiosk_args("n1", "north", "in", &hard));
    let mut n2 = live(&desk, &kiosk_args("n2", "north-2", "in", &hard));
    n1.send("junk");
    n1.decision();
    n2.send("junk");
    n2.decision();
    // The office answers only after 1.5 s: the hard gate has denied.
    pg.freeze(true);
    n1.send(&a);
    let d = n1.decision();
    assert_eq!(d["reason"], "passback_unverified", "{d}");
    std::thread::sleep(Duration::from_millis(1500));
    pg.freeze(false);
    eventually("n1's deny at the office", || {
        count(
            &pg,
            "SELECT count(*) FROM badgegate.records WHERE kiosk_id = 'n1' AND reason = 'passback_unverified'",
        ) == 1
    });
    eventually("no reservation left", || {
        count(&pg, "SELECT count(*) FROM badgegate.reservations") == 0
    });
    assert!(office_inside(&desk, &pg).is_empty(), "nobody inside");
    // Not refused anywhere: n2 admits A, and only then is A inside.
    n2.send(&a);
    assert_eq!(n2.decision()["reason"], "ok");
    eventually("A inside by n2's admit", || {
        office_inside(&desk, &pg) == ["A-1"]
    });
    assert_eq!(n1.finish(), 0);
    assert_eq!(n2.finish(), 0);
    office_matches_journals(&desk, &pg, &["n1.db", "n2.db"]);
}

/// Regression (a kiosk killed between its claim and its record left the
/// badge inside for good; a third kiosk's login cleared or set anyone's
/// presence): a claim is a reservation for the kiosk's own next record
/// and its own zone, released by that record or after its expiry, and a
/// login touches only its own.
#[test]
fn a_claim_is_a_short_reservation_only_its_own_kiosk_can_make() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["n1", "n2", "k3"]);
    let a = desk.issue("badges", "A-1", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let b = desk.issue("badges", "B-2", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let c = desk.issue("badges", "C-3", &["--valid-from", "2026-12-01T00:00:00Z"]);
    // Each kiosk has started once (its zone is on record at the office).
    for (id, gate) in [("n1", "north"), ("n2", "north-2"), ("k3", "east")] {
        let args = kiosk_args(id, gate, "in", &[]);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_eq!(desk.run_stdin(&refs, "junk\n").code, 0);
    }
    let head = |id: &str| {
        count(
            &pg,
            &format!("SELECT max(seq) FROM badgegate.records WHERE kiosk_id = '{id}'"),
        )
    };
    // n1 claims A and is killed before its record: A is held for others.
    let claim = |file: &str, serial: &str, zone: &str, dir: &str, seq: i64| {
        pg.sql_as(
            &desk.p(file),
            &format!(
                "SELECT badgegate.claim('{serial}', '{zone}', '{dir}', {seq}, 'north', 0, 'x')"
            ),
        )
    };
    let (ok, err) = claim("n1.office", "A-1", "plenary", "in", head("n1") + 1);
    assert!(ok, "{err}");
    let mut n2 = live(&desk, &kiosk_args("n2", "north-2", "in", &[]));
    n2.send(&a);
    assert_eq!(
        n2.decision()["reason"],
        "already_inside",
        "held while n1 decides"
    );
    assert!(
        office_inside(&desk, &pg).is_empty(),
        "a reservation is not presence"
    );
    // n1 restarts: its next record (a start) takes that number: released.
    let args = kiosk_args("n1", "north", "in", &[]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(desk.run_stdin(&refs, "junk\n").code, 0);
    eventually("released", || {
        count(&pg, "SELECT count(*) FROM badgegate.reservations") == 0
    });
    n2.send(&a);
    assert_eq!(n2.decision()["reason"], "ok");
    // A reservation nobody settles expires.
    let (ok, err) = claim("n1.office", "B-2", "plenary", "in", head("n1") + 1);
    assert!(ok, "{err}");
    pg.sql("UPDATE badgegate.reservations SET expires_at = now() - interval '1 second'");
    n2.send(&b);
    assert_eq!(n2.decision()["reason"], "ok", "after its expiry");
    eventually("A and B inside", || {
        office_inside(&desk, &pg) == ["A-1", "B-2"]
    });

    // A third kiosk's login: no exit claims, no past records, no other
    // zone, no write to presence.
    let (ok, _) = claim("k3.office", "A-1", "*", "out", head("k3") + 1);
    assert!(ok, "an exit claim is answered, and does nothing");
    assert_eq!(office_inside(&desk, &pg), ["A-1", "B-2"]);
    let (ok, err) = claim("k3.office", "C-3", "plenary", "in", 1);
    assert!(!ok && err.contains("next record"), "{err}");
    let (ok, err) = claim("k3.office", "C-3", "press", "in", head("k3") + 1);
    assert!(!ok && err.contains("opens zone"), "{err}");
    for sql in [
        "UPDATE badgegate.presence SET inside = false",
        "DELETE FROM badgegate.reservations",
        "INSERT INTO badgegate.presence (serial, zone, inside, kiosk_id, seq, gate, at_ms) VALUES ('C-3', 'plenary', true, 'k3', 9, 'x', 0)",
    ] {
        let (ok, err) = pg.sql_as(&desk.p("k3.office"), sql);
        assert!(!ok && err.contains("permission denied"), "{sql}: {err}");
    }
    n2.send(&c);
    assert_eq!(n2.decision()["reason"], "ok");
    assert_eq!(n2.finish(), 0);
    eventually("C inside", || {
        office_inside(&desk, &pg) == ["A-1", "B-2", "C-3"]
    });
    office_matches_journals(&desk, &pg, &["n1.db", "n2.db", "k3.db"]);
}

/// Regression (an exit at a gate whose clock was 10 minutes behind was
/// dropped, and the person was locked out everywhere): exits are taken in
/// the office's order, never dropped for a clock.
#[test]
fn an_exit_at_a_gate_with_a_slow_clock_is_applied() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["n1", "n2", "s1"]);
    let a = desk.issue("badges", "A-1", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let n1_args = kiosk_args("n1", "north", "in", &[]);
    let refs: Vec<&str> = n1_args.iter().map(String::as_str).collect();
    let r = desk.run_stdin(&refs, &format!("{a}\n"));
    assert_eq!(r.reasons(), ["ok"], "{}", r.stderr);
    eventually("A inside", || office_inside(&desk, &pg) == ["A-1"]);
    // The exit gate's clock is 10 minutes behind.
    let mut s1_args = kiosk_args("s1", "south", "out", &[]);
    let at = s1_args.iter().position(|a| a == "--at").unwrap() + 1;
    s1_args[at] = "2026-12-01T08:50:00Z".into();
    let refs: Vec<&str> = s1_args.iter().map(String::as_str).collect();
    let r = desk.run_stdin(&refs, &format!("{a}\n"));
    assert_eq!(r.reasons(), ["ok"], "{}", r.stderr);
    eventually("the exit applied", || office_inside(&desk, &pg).is_empty());
    // Not locked out: another entry gate admits A.
    let n2_args = kiosk_args("n2", "north-2", "in", &[]);
    let refs: Vec<&str> = n2_args.iter().map(String::as_str).collect();
    let r = desk.run_stdin(&refs, &format!("{a}\n"));
    assert_eq!(r.reasons(), ["ok"], "{}", r.stderr);
    eventually("A inside again", || office_inside(&desk, &pg) == ["A-1"]);
    office_matches_journals(&desk, &pg, &["n1.db", "s1.db", "n2.db"]);
}

/// Regression (a slow hello under load measured a gate's clock a second
/// ahead, and an entry that reached the office after the exit that
/// followed it put the person back inside): a late hello does not move
/// the gate's measured clock; a clock stepped forward shows at once.
#[test]
fn a_slow_hello_does_not_move_a_gates_measured_clock() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["n1"]);
    let hello = |delay_ms: i64| {
        let sql = format!(
            "SELECT * FROM badgegate.hello((extract(epoch FROM clock_timestamp()) * 1000)::bigint - {delay_ms}, '', 0)"
        );
        let (ok, err) = pg.sql_as(&desk.p("n1.office"), &sql);
        assert!(ok, "{err}");
        pg.sql("SELECT clock_offset_ms FROM badgegate.kiosks WHERE kiosk_id = 'n1'")
            .parse::<i64>()
            .unwrap()
    };
    let first = hello(0);
    assert!(first.abs() < 500, "{first}");
    // Hellos that took 3 s and 10 s to arrive.
    assert!(hello(3000).abs() < 500);
    assert!(hello(10_000).abs() < 500);
    // The gate's clock stepped a minute forward: its records are earlier
    // on the office's clock than they say, at once.
    let stepped = hello(-60_000);
    assert!((stepped + 60_000).abs() < 500, "{stepped}");
}

/// Regression (found by `badgegate rehearse`: with an office, a newer
/// policy copied onto the gate PC was never taken up, though the desk's
/// words say gates given the file take it): the `--policy` file is
/// watched beside the office's deliveries, and the newest of the two is
/// in force.
#[test]
fn a_newer_policy_copied_onto_a_gate_with_an_office_is_taken_up() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["n1"]);
    let draft = "venue: Summit\ntime-zone: UTC\nzone: plenary Plenary\n\
                 category: hod #801020 id-check Head of delegation\n\
                 category: delegate #00529b - Delegate\n\
                 gate: north plenary in North\n";
    fs::write(desk.p("v1.txt"), draft).unwrap();
    desk.sign_policy("v1.txt", "p1.txt");
    fs::write(
        desk.p("v2.txt"),
        draft.replace(
            "delegate #00529b - Delegate",
            "delegate #00529b id-check Delegate",
        ),
    )
    .unwrap();
    fs::copy(desk.p("p1.txt"), desk.p("p2.txt")).unwrap();
    desk.sign_policy("v2.txt", "p2.txt");
    fs::copy(desk.p("p1.txt"), desk.p("policy.txt")).unwrap();
    let a = desk.issue(
        "badges",
        "D-1",
        &[
            "--category",
            "delegate",
            "--valid-from",
            "2026-12-01T00:00:00Z",
        ],
    );
    let mut n1 = live(
        &desk,
        &kiosk_args("n1", "north", "in", &["--policy", "policy.txt"]),
    );
    n1.send(&a);
    assert_eq!(n1.decision()["flagged"], false);
    fs::copy(desk.p("p2.txt"), desk.p("policy.txt")).unwrap();
    eventually("policy 2 taken up", || n1.stderr().contains("sequence 2"));
    n1.send(&a);
    let d = n1.decision();
    assert_eq!(
        (d["reason"].as_str(), d["flagged"].as_bool()),
        (Some("already_inside"), Some(false)),
        "{d}"
    );
    assert_eq!(n1.finish(), 0);
    // Started again: the office's copy (policy 1, as seeded) beside the
    // newer file: the newer is in force, and the older is not a refusal.
    let b = desk.issue(
        "badges",
        "D-2",
        &[
            "--category",
            "delegate",
            "--valid-from",
            "2026-12-01T00:00:00Z",
        ],
    );
    let mut n1 = live(
        &desk,
        &kiosk_args("n1", "north", "in", &["--policy", "policy.txt"]),
    );
    n1.send(&b);
    let d = n1.decision();
    assert_eq!(
        (d["reason"].as_str(), d["flagged"].as_bool()),
        (Some("ok"), Some(true)),
        "{d}"
    );
    let (code, err) = n1.finish_with_stderr();
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("refused venue policy"), "{err}");
}

/// Regression (CI, a loaded machine): the office measured an entrance's
/// clock late (its hellos were slow to arrive; here a trigger adds 30 s to
/// every measurement) and, over a slow link, that entrance's record
/// arrived after the exit that followed it at another gate. The entry's
/// time is its claim on the office's own clock, so the exit stands: the
/// holder is outside, no alarm, and comes back in.
#[test]
fn an_entrance_measured_late_does_not_undo_the_exit_after_it() {
    use badgegate::rehearse::proxy::{Link, Proxy};
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["n1", "s1"]);
    pg.sql(
        "CREATE FUNCTION public.late_clock() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.kiosk_id = 'n1' THEN NEW.clock_offset_ms := NEW.clock_offset_ms + 30000; END IF;
         RETURN NEW; END $$;
         CREATE TRIGGER late_clock BEFORE UPDATE ON badgegate.kiosks
             FOR EACH ROW EXECUTE FUNCTION public.late_clock();",
    );
    let proxy = Proxy::start(pg.port).unwrap();
    let path = desk.p("n1.office");
    let text = fs::read_to_string(&path).unwrap();
    let direct = format!("@127.0.0.1:{}/", pg.port);
    assert!(text.contains(&direct), "{text}");
    fs::write(
        &path,
        text.replace(&direct, &format!("@127.0.0.1:{}/", proxy.port)),
    )
    .unwrap();
    let a = desk.issue("badges", "A-1", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let mut n1 = live(
        &desk,
        &kiosk_args("n1", "north", "in", &["--passback-timeout", "6000"]),
    );
    let mut s1 = live(&desk, &kiosk_args("s1", "south", "out", &[]));
    eventually("the entrance's clock measured late", || {
        count(
            &pg,
            "SELECT clock_offset_ms FROM badgegate.kiosks WHERE kiosk_id = 'n1'",
        ) >= 25_000
            && count(
                &pg,
                "SELECT count(*) FROM badgegate.kiosks WHERE last_contact IS NOT NULL",
            ) == 2
    });
    proxy.set(Link::Slow(Duration::from_millis(1000)));
    n1.send(&a);
    let d = n1.decision();
    assert_eq!(d["decision"], "admit", "{d}");
    s1.send(&a);
    let d = s1.decision();
    assert_eq!(d["decision"], "admit", "{d}");
    eventually("both records at the office", || {
        count(
            &pg,
            "SELECT count(*) FROM badgegate.records WHERE serial = 'A-1'",
        ) == 2
    });
    proxy.set(Link::Open);
    assert_eq!(
        pg.sql(
            "SELECT kiosk_id FROM badgegate.records WHERE serial = 'A-1' ORDER BY received_at DESC LIMIT 1"
        ),
        "n1",
        "the entry arrived last"
    );
    assert!(office_inside(&desk, &pg).is_empty());
    assert_eq!(
        pg.sql("SELECT count(*) FROM badgegate.alarms WHERE kind IN ('presence', 'passback')"),
        "0"
    );
    n1.send(&a);
    let d = n1.decision();
    assert_eq!(d["decision"], "admit", "back in after the exit: {d}");
    eventually("inside again", || office_inside(&desk, &pg) == ["A-1"]);
    assert_eq!(n1.finish(), 0);
    assert_eq!(s1.finish(), 0);
}

/// Regression (found by `badgegate rehearse`: a card handed back over the
/// barrier before the first admit's record reached the office was
/// admitted again at the same gate): a kiosk's own unsettled reservation
/// holds the badge against its next claim.
#[test]
fn a_card_handed_back_before_its_record_arrives_is_refused_at_the_same_gate() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["n1"]);
    for i in 0..5 {
        let serial = format!("T-{i}");
        let a = desk.issue("badges", &serial, &["--valid-from", "2026-12-01T00:00:00Z"]);
        let mut n1 = live(&desk, &kiosk_args("n1", "north", "in", &[]));
        n1.send(&a);
        assert_eq!(n1.decision()["reason"], "ok");
        // At once: the admit's record is at most on its way.
        n1.send(&a);
        let d = n1.decision();
        assert_eq!(d["decision"], "deny", "{d}");
        assert_eq!(d["reason"], "already_inside", "{d}");
        assert_eq!(n1.finish(), 0);
    }
    eventually("each inside once", || office_inside(&desk, &pg).len() == 5);
}

/// Regression: a badge refused at this gate for its photo reserved its
/// entry venue-wide first. The reservation is made last.
#[test]
fn a_photo_mismatch_reserves_nothing() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["n1", "n2"]);
    use badgegate::synth::portrait;
    use common::photos::jpeg;
    fs::write(desk.p("face.jpg"), jpeg(&portrait(600, 800, 1))).unwrap();
    let a = desk.issue(
        "badges",
        "A-1",
        &[
            "--valid-from",
            "2026-12-01T00:00:00Z",
            "--photo",
            "face.jpg",
        ],
    );
    fs::create_dir_all(desk.p("swapped")).unwrap();
    fs::write(
        desk.p("swapped/A-1-photo.jpg"),
        jpeg(&portrait(600, 800, 7)),
    )
    .unwrap();
    let mut n1 = live(
        &desk,
        &kiosk_args("n1", "north", "in", &["--photos", "swapped"]),
    );
    n1.send(&a);
    assert_eq!(n1.decision()["reason"], "photo_mismatch");
    assert_eq!(count(&pg, "SELECT count(*) FROM badgegate.reservations"), 0);
    let mut n2 = live(
        &desk,
        &kiosk_args("n2", "north-2", "in", &["--photos", "badges"]),
    );
    n2.send(&a);
    assert_eq!(n2.decision()["reason"], "ok");
    assert_eq!(n1.finish(), 0);
    assert_eq!(n2.finish(), 0);
}

/// Regression (a hung office: each kiosk leaked a thread and a connection
/// every ~4 s, and its screen said ONLINE throughout): a hang shows as
/// OFFLINE within 3 s, decisions keep their deadline, and the kiosk's
/// threads stay flat.
#[test]
fn a_hung_office_is_offline_within_three_seconds_and_costs_no_threads() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["n1"]);
    let badges: Vec<String> = (0..8)
        .map(|i| {
            desk.issue(
                "badges",
                &format!("H-{i}"),
                &["--valid-from", "2026-12-01T00:00:00Z"],
            )
        })
        .collect();
    let hard = ["--offline-passback", "hard", "--passback-timeout", "300"];
    let mut n1 = live(&desk, &kiosk_args("n1", "north", "in", &hard));
    n1.send("junk");
    n1.decision();
    eventually("online", || n1.stderr().contains("office: ONLINE"));
    let pid = n1.pid();
    let threads = || fs::read_dir(format!("/proc/{pid}/task")).unwrap().count();
    pg.freeze(true);
    let frozen = Instant::now();
    // The office's own question does not hang with it either.
    let status = {
        let url = pg.admin_url();
        let dir = desk.path().to_owned();
        std::thread::spawn(move || {
            let t = Instant::now();
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_badgegate"))
                .args(["office", "status", "--db", &url])
                .current_dir(dir)
                .output()
                .unwrap();
            (out, t.elapsed())
        })
    };
    let mut worst = Duration::ZERO;
    let mut before = 0;
    let mut offline_after = None;
    for (i, b) in badges.iter().enumerate() {
        let t = Instant::now();
        n1.send(b);
        let d = n1.decision();
        worst = worst.max(t.elapsed());
        assert_eq!(d["reason"], "passback_unverified", "{d}");
        if i == 0 {
            // The passback worker exists from the first check on.
            before = threads();
        }
        for _ in 0..7 {
            if offline_after.is_none() && n1.stderr().contains("OFFLINE") {
                offline_after = Some(frozen.elapsed());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    let offline_after = offline_after.expect("OFFLINE said");
    assert!(offline_after <= Duration::from_secs(4), "{offline_after:?}");
    let after = threads();
    let (out, took) = status.join().unwrap();
    pg.freeze(false);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("did not answer within 15 s"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(took < Duration::from_secs(20), "{took:?}");
    eprintln!(
        "hung office: OFFLINE after {} ms; slowest decision {} ms; threads {before} before, {after} after {} s",
        offline_after.as_millis(),
        worst.as_millis(),
        frozen.elapsed().as_secs()
    );
    assert!(worst < Duration::from_millis(300 + 700), "{worst:?}");
    assert!(after <= before, "threads grew from {before} to {after}");
    eventually("online again", || {
        n1.stderr().matches("office: ONLINE").count() >= 2
    });
    assert_eq!(n1.finish(), 0);
}

/// Regression (`revoke --office` never returned while the office hung and
/// kept the list's lock, so an urgent second revoke was refused; a list
/// signed while the office was down never reached the gates until someone
/// revoked again): the desk signs and writes first, waits at most 5 s for
/// the office, says what it did, and publishes later on request.
#[test]
fn the_desk_never_blocks_on_a_hung_office_and_publishes_when_it_is_back() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["north"]);
    let r = office(
        &desk,
        &pg,
        &["add-publisher", "--name", "desk", "--out", "desk.office"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let revoke = |serials: &[&str]| {
        let mut args = vec![
            "revoke",
            "--key",
            "keys/registration.key.pem",
            "--list",
            "rl.txt",
            "--office",
            "desk.office",
        ];
        args.extend_from_slice(serials);
        desk.run(&args)
    };
    pg.freeze(true);
    let t = Instant::now();
    let r = revoke(&["A-1"]);
    let took = t.elapsed();
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("signed #1 but NOT YET PUBLISHED"),
        "{}",
        r.stdout
    );
    assert!(took < Duration::from_secs(8), "{took:?}");
    // A second, urgent revoke is not held by the first.
    let r = revoke(&["B-2"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("signed #2"), "{}", r.stdout);
    eprintln!(
        "revoke --office with the office hung: {} ms",
        took.as_millis()
    );
    pg.freeze(false);
    // Back: the same command without a serial publishes the list as it is.
    let r = revoke(&[]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("published to the venue office"),
        "{}",
        r.stdout
    );
    assert_eq!(pg.sql("SELECT max(sequence) FROM badgegate.lists"), "2");
}

/// Regression (two desks revoking from their own copies: the loser got a
/// raw `duplicate key` and then "already holds a different list" with no
/// way forward): `revoke --sync` takes the office's newest list, adds its
/// own and signs the next number.
#[test]
fn two_desks_that_signed_the_same_number_merge_with_sync() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["north"]);
    let r = office(
        &desk,
        &pg,
        &["add-publisher", "--name", "desk", "--out", "desk.office"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let x = desk.issue("badges", "X-1", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let y = desk.issue("badges", "Y-2", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let revoke = |list: &str, extra: &[&str]| {
        let mut args = vec![
            "revoke",
            "--key",
            "keys/registration.key.pem",
            "--list",
            list,
            "--office",
            "desk.office",
            "--force",
        ];
        args.extend_from_slice(extra);
        desk.run(&args)
    };
    assert_eq!(revoke("a.txt", &["Z-0"]).code, 0);
    fs::copy(desk.p("a.txt"), desk.p("b.txt")).unwrap();
    // Each desk signs #2 from its own copy; the first publishes.
    assert_eq!(revoke("a.txt", &["X-1"]).code, 0);
    let r = revoke("b.txt", &["Y-2"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("NOT YET PUBLISHED") && r.stdout.contains("--sync"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("duplicate key"), "{}", r.stdout);
    let r = revoke("b.txt", &["--sync"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("X-1") && r.stdout.contains("sequence 3"),
        "{}",
        r.stdout
    );
    let mut k = live(&desk, &kiosk_args("north", "north", "in", &[]));
    eventually("#3 taken up", || k.stderr().contains("sequence 3"));
    k.send(&x);
    assert_eq!(k.decision()["reason"], "revoked");
    k.send(&y);
    assert_eq!(k.decision()["reason"], "revoked");
    assert_eq!(k.finish(), 0);
}

/// Regression: two `office init` or two `add-kiosk` of one id at once
/// answered with a raw `duplicate key … pg_namespace_nspname_index`.
#[test]
fn two_admins_at_once_get_words_not_database_errors() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    let url = pg.admin_url();
    for round in 0..2 {
        let outs: Vec<std::process::Output> = std::thread::scope(|s| {
            let runs: Vec<_> = (0..2)
                .map(|i| {
                    let args: Vec<String> = if round == 0 {
                        vec!["office".into(), "init".into(), "--db".into(), url.clone()]
                    } else {
                        vec![
                            "office".into(),
                            "add-kiosk".into(),
                            "--db".into(),
                            url.clone(),
                            "--kiosk-id".into(),
                            "twin".into(),
                            "--out".into(),
                            format!("twin-{i}.office"),
                        ]
                    };
                    let dir = desk.path().to_owned();
                    s.spawn(move || {
                        std::process::Command::new(env!("CARGO_BIN_EXE_badgegate"))
                            .args(args)
                            .current_dir(dir)
                            .output()
                            .unwrap()
                    })
                })
                .collect();
            runs.into_iter().map(|r| r.join().unwrap()).collect()
        });
        let ok = outs.iter().filter(|o| o.status.success()).count();
        assert!(ok >= 1, "one of them did it");
        for out in &outs {
            let err = String::from_utf8_lossy(&out.stderr);
            eprintln!("round {round}: {}", err.trim());
            assert!(!err.contains("duplicate key"), "{err}");
            assert!(err.lines().count() <= 2, "{err}");
        }
    }
    let r = office(&desk, &pg, &["status"]);
    assert!(r.stdout.contains("twin"), "{}", r.stdout);
}

/// Regression (75 phantoms in a 60 s partition, 24 in a 32 s freeze, and a
/// merely slow office at 1.5 s was enough: people refused "already inside"
/// at every gate and on the muster list): through a proxy that closes,
/// hangs, black-holes and delays the network, a hard gate refuses what it
/// cannot check, and afterwards nobody is held inside who is not.
#[test]
fn presence_holds_through_every_kind_of_partition() {
    use common::proxy::{Fault, Proxy};
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    assert_eq!(office(&desk, &pg, &["init"]).code, 0);
    let url = pg.admin_url();
    let port = pg.port;
    let proxy = Proxy::start(port);
    let through = proxy.url(&url, port);
    for id in ["n1", "n2"] {
        let out = format!("{id}.office");
        let r = desk.run(&[
            "office",
            "add-kiosk",
            "--db",
            &through,
            "--kiosk-id",
            id,
            "--out",
            &out,
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let faults = [
        Fault::Close,
        Fault::Hang,
        Fault::BlackHole,
        Fault::Delay(Duration::from_millis(1500)),
    ];
    let people: Vec<Vec<String>> = (0..faults.len())
        .map(|f| {
            (0..3)
                .map(|i| {
                    desk.issue(
                        "badges",
                        &format!("P-{f}-{i}"),
                        &["--valid-from", "2026-12-01T00:00:00Z"],
                    )
                })
                .collect()
        })
        .collect();
    let hard = ["--offline-passback", "hard", "--passback-timeout", "300"];
    let mut n1 = live(&desk, &kiosk_args("n1", "north", "in", &hard));
    let mut n2 = live(&desk, &kiosk_args("n2", "north-2", "in", &hard));
    for k in [&mut n1, &mut n2] {
        k.send("junk");
        k.decision();
    }
    let mut refused = 0;
    let mut admitted = 0;
    for (fault, batch) in faults.iter().zip(&people) {
        proxy.set(*fault);
        for p in batch {
            n1.send(p);
            let d = n1.decision();
            assert_eq!(d["decision"], "deny", "{fault:?}: {d}");
            assert_eq!(d["reason"], "passback_unverified", "{fault:?}: {d}");
            refused += 1;
        }
        std::thread::sleep(Duration::from_millis(1600));
        proxy.set(Fault::Pass);
        let head = badgegate::journal::Journal::open_readonly(&desk.p("n1.db"))
            .unwrap()
            .head_seq("n1")
            .unwrap()
            .unwrap_or(0);
        eventually(&format!("n1's records after {fault:?}"), || {
            count(
                &pg,
                "SELECT COALESCE(max(seq), 0) FROM badgegate.records WHERE kiosk_id = 'n1'",
            ) == head as i64
        });
        eventually(&format!("no reservation left after {fault:?}"), || {
            let left = count(&pg, "SELECT count(*) FROM badgegate.reservations");
            if left > 0 {
                eprintln!(
                    "{fault:?}: {} | {}",
                    pg.sql("SELECT string_agg(serial || ' seq ' || seq || ' exp ' || (expires_at - now()), '; ') FROM badgegate.reservations"),
                    pg.sql("SELECT string_agg(seq || ' ' || kind || ' ' || COALESCE(serial, '-') || ' ' || reason, '; ' ORDER BY seq) FROM badgegate.records WHERE kiosk_id = 'n1'")
                );
            }
            left == 0
        });
        assert_eq!(
            office_inside(&desk, &pg).len(),
            admitted,
            "{fault:?}: phantoms"
        );
        // Refused at north; not held anywhere: north-2 admits each.
        for p in batch {
            n2.send(p);
            let d = n2.decision();
            assert_eq!(d["reason"], "ok", "{fault:?}: {d}");
        }
        admitted += batch.len();
        eventually(&format!("{fault:?}: n2's admits inside"), || {
            office_inside(&desk, &pg).len() == admitted
        });
    }
    eprintln!("{refused} entries refused as unverified through four faults; no phantom; connections accepted by the proxy: {}", proxy.accepted());
    assert_eq!(n1.finish(), 0);
    assert_eq!(n2.finish(), 0);
    office_matches_journals(&desk, &pg, &["n1.db", "n2.db"]);
}

/// Regression (a journal that could not be written after a claim left the
/// person inside venue-wide): a full disk after the reservation leaves only
/// a reservation, which expires; presence is what was committed.
#[test]
fn a_full_disk_after_a_claim_leaves_no_one_inside_who_is_not() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["n1", "n2"]);
    let people: Vec<String> = (0..40).map(|i| format!("D-{i}")).collect();
    let mut lines = String::new();
    let mut texts = Vec::new();
    for p in &people {
        let t = desk.issue("badges", p, &["--valid-from", "2026-12-01T00:00:00Z"]);
        lines.push_str(&t);
        lines.push('\n');
        texts.push(t);
    }
    fs::write(desk.p("scans.txt"), &lines).unwrap();
    let args = kiosk_args("n1", "north", "in", &[]).join("' '");
    // The journal's writes fail part-way, as on a full disk. Lines come
    // one at a time, as people reach a gate (lines already waiting would
    // share a commit and fill the disk far more slowly).
    let script = format!(
        "trap '' XFSZ; ulimit -f 200; while read -r l; do echo \"$l\"; sleep 0.05; done < scans.txt | '{}' '{args}'",
        env!("CARGO_BIN_EXE_badgegate")
    );
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(desk.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    let admitted = String::from_utf8_lossy(&out.stdout).lines().count();
    assert!(admitted < 40, "the disk filled part-way: {admitted}");
    // The same gate, its disk freed, hands over what it committed.
    let refs_owned = kiosk_args("n1", "north", "in", &[]);
    let refs: Vec<&str> = refs_owned.iter().map(String::as_str).collect();
    let r = desk.run_stdin(&refs, "junk\n");
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Whoever was being decided when the disk filled is at most reserved,
    // never inside; once the reservation expires another gate admits them.
    pg.sql("UPDATE badgegate.reservations SET expires_at = now() - interval '1 second'");
    let mut n2 = live(&desk, &kiosk_args("n2", "north-2", "in", &[]));
    let mut n2_admits = 0;
    for t in &texts[admitted..] {
        n2.send(t);
        let d = n2.decision();
        assert_eq!(d["reason"], "ok", "{d}");
        n2_admits += 1;
    }
    assert_eq!(n2.finish(), 0);
    eventually("everyone admitted is inside, and no one else", || {
        office_inside(&desk, &pg).len() == admitted + n2_admits
    });
    office_matches_journals(&desk, &pg, &["n1.db", "n2.db"]);
}

/// The office's pages say when the newest revocation list is older than
/// the venue policy's freeze bound: gates cannot tell a frozen feed from a
/// desk that stopped re-signing.
#[test]
fn the_office_names_a_revocation_list_older_than_the_freeze_bound() {
    use badgegate::format::keys::SecretKey;
    use badgegate::format::revocation::RevocationList;
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["north"]);
    let r = office(
        &desk,
        &pg,
        &["add-publisher", "--name", "desk", "--out", "desk.office"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let key = SecretKey::load(&desk.p("keys/registration.key.pem")).unwrap();
    let now = badgegate::clock::now();
    let mut list = RevocationList::empty(key.key_id());
    let (text, _) = list
        .add_and_sign(&key, &["OLD-1".into()], "", now - 8 * 3600)
        .unwrap();
    let text = text.unwrap();
    let mut db =
        badgegate::office::connect::connect(&pg.admin_url(), Duration::from_secs(5)).unwrap();
    badgegate::office::admin::publish(
        &mut db,
        badgegate::vocab::ListKind::Revocations,
        &key.key_id().to_string(),
        1,
        &text,
    )
    .unwrap();
    let clock = badgegate::office::web::WebClock::new(Some("UTC")).unwrap();
    // The kiosks' default bound (12 h): not stale.
    let lists = badgegate::office::web::data::lists(&mut db, &clock).unwrap();
    assert!(lists.iter().all(|l| l.stale.is_none()), "{lists:?}");
    // A policy with a 6 h bound: stale, with words.
    let draft = "venue: V\ntime-zone: UTC\nlists-max-age: 6h\nzone: plenary Plenary\ncategory: delegate #00529b - Delegate\n";
    fs::write(desk.p("draft.txt"), draft).unwrap();
    let r = desk.run(&[
        "policy",
        "--key",
        "keys/registration.key.pem",
        "--draft",
        "draft.txt",
        "--out",
        "policy.txt",
        "--office",
        "desk.office",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let lists = badgegate::office::web::data::lists(&mut db, &clock).unwrap();
    let stale = lists
        .iter()
        .find(|l| l.kind == "revocations")
        .and_then(|l| l.stale.clone())
        .expect("stale");
    assert!(
        stale.contains("re-sign") && stale.contains("6 hours"),
        "{stale}"
    );
}

/// A venue database made by an earlier build (claims written as presence):
/// this build's gates work against it, and `office init` upgrades it in
/// place — presence recomputed from the committed records, the checks of
/// list rows and records added, nothing else changed.
#[test]
fn a_venue_database_of_an_earlier_build_is_upgraded_in_place() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    pg.sql("CREATE ROLE badgegate_kiosk NOLOGIN; CREATE ROLE badgegate_publisher NOLOGIN;");
    pg.sql(include_str!("../fixtures/office-v1/venue.sql"));
    for k in ["n1", "n2"] {
        let out = format!("{k}.office");
        let r = office(&desk, &pg, &["add-kiosk", "--kiosk-id", k, "--out", &out]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let a = desk.issue("badges", "A-1", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let b = desk.issue("badges", "B-2", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let n1 = kiosk_args("n1", "north", "in", &[]);
    let refs: Vec<&str> = n1.iter().map(String::as_str).collect();
    let r = desk.run_stdin(&refs, &format!("{a}\n{b}\n"));
    assert_eq!(r.reasons(), ["ok", "ok"], "{}", r.stderr);
    // An earlier build's claim that never became a record: a phantom.
    pg.sql("INSERT INTO badgegate.presence VALUES ('GHOST-1', 'plenary', true, 'n2', 99, 'north-2', 0, 'Nobody')");
    assert_eq!(office_inside(&desk, &pg), ["A-1", "B-2", "GHOST-1"]);

    let r = office(&desk, &pg, &["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("signed bodies"), "{}", r.stdout);
    assert_eq!(
        office_inside(&desk, &pg),
        ["A-1", "B-2"],
        "presence recomputed from the records"
    );
    office_matches_journals(&desk, &pg, &["n1.db"]);
    // Gates go on against it; presence holds venue-wide.
    let n2 = kiosk_args("n2", "north-2", "in", &[]);
    let refs: Vec<&str> = n2.iter().map(String::as_str).collect();
    let r = desk.run_stdin(&refs, &format!("{a}\n"));
    assert_eq!(r.reasons(), ["already_inside"], "{}", r.stderr);
    let r = office(&desk, &pg, &["init"]);
    assert!(r.stdout.contains("already at version 1"), "{}", r.stdout);
    // A kiosk login still cannot read or touch presence.
    let (ok, err) = pg.sql_as(&desk.p("n1.office"), "SELECT * FROM badgegate.reservations");
    assert!(!ok && err.contains("permission denied"), "{err}");
}

/// Regression (the guard refused the holder at the ID check, and the
/// claim made before it kept the person inside venue-wide): a decision
/// waiting for the guard keeps its reservation; the guard's refusal
/// releases it, and presence never held the person.
#[test]
fn a_refused_id_check_releases_its_reservation() {
    use badgegate::gate::decide::{AntiPassback, OfflinePassback};
    use badgegate::gate::engine::{Answer, Kiosk, KioskConfig};
    use badgegate::office::link::{start_pusher, LinkConfig, Passback};
    use badgegate::vocab::Direction;
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["n1", "n2"]);
    let hod = desk.issue(
        "badges",
        "HD-1",
        &["--category", "hod", "--valid-from", "2026-12-01T00:00:00Z"],
    );
    // Gate n1, in this process: the real engine, journal, pusher and check.
    let url = badgegate::office::connect::read_connection_file(&desk.p("n1.office")).unwrap();
    let trust = badgegate::format::keys::TrustStore::load(&desk.p("trust")).unwrap();
    let journal = badgegate::journal::Journal::open(&desk.p("n1.db"), Some("n1"), "n1").unwrap();
    let at = badgegate::clock::parse_rfc3339(AT).unwrap() * 1000;
    let cfg = KioskConfig {
        gate: "north".into(),
        zone: Some("plenary".into()),
        direction: Direction::In,
        anti_passback: AntiPassback::Hard,
        skew_secs: 120,
        cooldown_ms: 0,
        confirm_categories: vec!["hod".into()],
        guard_present: false,
        staff_categories: Vec::new(),
        photos: None,
        venue: None,
    };
    let mut kiosk = Kiosk::start(
        cfg,
        trust.clone(),
        badgegate::gate::lists::RevocationSet::new(),
        journal,
        at,
    )
    .unwrap();
    let cache = badgegate::office::link::cache_dir(&desk.p("n1.db"));
    fs::create_dir_all(cache.join("lists")).unwrap();
    let state = start_pusher(LinkConfig {
        url: url.clone(),
        journal: desk.p("n1.db"),
        kiosk_id: "n1".into(),
        lists_dir: cache.join("lists"),
        policy_file: cache.join("policy.txt"),
        keys_file: cache.join("keys.txt"),
        photos_dir: None,
        trust,
        notices: badgegate::notice::Notices::silent(),
        clock: Box::new(move || at),
    });
    eventually("n1's start at the office", || {
        count(
            &pg,
            "SELECT count(*) FROM badgegate.records WHERE kiosk_id = 'n1'",
        ) == 1
    });
    kiosk.join_venue(
        Box::new(Passback::new(url, Duration::from_secs(2), state)),
        OfflinePassback::Hard,
    );
    let pending = kiosk
        .scan(hod.as_bytes(), "test", at + 1000)
        .unwrap()
        .unwrap();
    assert!(pending.awaiting_confirmation);
    eventually("the waiting decision at the office", || {
        count(
            &pg,
            "SELECT count(*) FROM badgegate.records WHERE kiosk_id = 'n1'",
        ) == 2
    });
    // While the guard checks the ID, the badge is held at other gates...
    let mut n2 = live(&desk, &kiosk_args("n2", "north-2", "in", &[]));
    n2.send(&hod);
    assert_eq!(n2.decision()["reason"], "already_inside");
    assert!(office_inside(&desk, &pg).is_empty(), "held, not inside");
    // ...and the guard's refusal releases it.
    let refused = kiosk
        .confirm(&pending, Answer::Refused, None, at + 5000)
        .unwrap();
    assert!(!refused.decision.is_admit());
    eventually("released", || {
        count(&pg, "SELECT count(*) FROM badgegate.reservations") == 0
    });
    n2.send(&hod);
    assert_eq!(n2.decision()["reason"], "ok");
    assert_eq!(n2.finish(), 0);
    eventually("HD-1 inside by n2 only", || {
        office_inside(&desk, &pg) == ["HD-1"]
    });
}

/// An entry and its exit reaching the office at the same moment from two
/// gates (the entrance pushing its admit while the exit pushes the
/// holder's way out, their first movements in the zone): whichever
/// commits first, the one that waits weighs it and the badge ends
/// outside, as the core's rule says. Before, an entry that found no row
/// when it looked overwrote the exit committed meanwhile, and the next
/// entry anywhere was refused as "already inside".
#[test]
fn an_entry_and_its_exit_arriving_together_leave_the_badge_outside() {
    use badgegate::office::connect::connect;
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    venue(&desk, &pg, &["east", "south"]);
    let take = |kiosk: &str, serial: &str, direction: &str, at_ms: u64, claimed: &str| {
        format!(
            "SELECT badgegate.presence_take(ROW('{kiosk}', 1, {at_ms}, 'decision', 'gate-{kiosk}', 'plenary', '{direction}', '{serial}', 'Delegate', NULL, 'delegate', NULL, 'admit', 'ok', false, true, '', NULL, '', NULL, NULL, 2, NULL, '\\x00'::bytea, '\\x00'::bytea, NULL, now())::badgegate.records, true, {claimed})"
        )
    };
    for (first_exit, serial) in [(true, "D-0002"), (false, "D-0003")] {
        // The entry was claimed (the office's clock) before the exit happened.
        let claimed =
            pg.sql("SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint - 500");
        let t0: u64 = claimed.parse().unwrap();
        let entry = take("east", serial, "in", t0, &claimed);
        let exit = take("south", serial, "out", t0 + 400, "NULL");
        let (first, second) = if first_exit {
            (exit, entry)
        } else {
            (entry, exit)
        };
        let mut a = connect(&pg.admin_url(), Duration::from_secs(5)).unwrap();
        let mut ta = a.transaction().unwrap();
        ta.batch_execute(&first).unwrap();
        let url = pg.admin_url();
        let waiting = std::thread::spawn(move || {
            let mut b = connect(&url, Duration::from_secs(5)).unwrap();
            let mut tb = b.transaction().unwrap();
            tb.batch_execute(&second).map_err(|e| e.to_string())?;
            tb.commit().map_err(|e| e.to_string())
        });
        eventually("the second movement waits for the first", || {
            pg.sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") == "1"
        });
        ta.commit().unwrap();
        waiting
            .join()
            .unwrap()
            .unwrap_or_else(|e| panic!("the second movement is taken, not refused: {e}"));
        assert_eq!(
            pg.sql(&format!(
                "SELECT inside, gate FROM badgegate.presence WHERE serial = '{serial}'"
            )),
            "f|gate-south",
            "exit committed first: {first_exit}"
        );
    }
}
