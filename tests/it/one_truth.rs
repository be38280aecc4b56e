//! One truth on every screen: a forged badge, a revocation of someone
//! inside, an ID-check admit at a gate with no guard, and the venue's time
//! zone, run through real kiosks and a real office, then read back from
//! every place that shows them — `office inside`/`status`, the dashboard's
//! data, the office's export through `audit log`/`inside`/`report`. Each
//! must say the same thing.

use crate::common;

use std::fs;
use std::time::Duration;

use badgegate::net::connect::connect;
use badgegate::office::web::{data, WebClock};
use common::pg::Pg;
use common::{eventually, office, venue_kiosk_args, Desk, LiveKiosk};

const POLICY: &str = "venue: Tashkent Summit 2026\n\
time-zone: Asia/Tashkent\n\
zone: plenary Plenary hall\n\
category: hod #801020 id-check Head of delegation\n\
category: delegate #00529b - Delegate\n\
gate: north plenary in North entrance\n\
gate: east plenary in East entrance\n";

fn issue(desk: &Desk, key: &str, out: &str, serial: &str, name: &str, category: &str) -> String {
    let r = desk.run(&[
        "issue",
        "--key",
        key,
        "--serial",
        serial,
        "--name",
        name,
        "--org",
        "Republic of Senegal",
        "--category",
        category,
        "--zones",
        "plenary",
        "--out",
        out,
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    fs::read_to_string(desk.p(&format!("{out}/{serial}.txt")))
        .unwrap()
        .trim_end()
        .to_owned()
}

/// The line of `text` that mentions `needle`.
fn line_of<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}"))
}

#[test]
fn every_view_marks_forgeries_revoked_people_inside_pending_checks_in_venue_time() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    fs::write(desk.p("venue.txt"), POLICY).unwrap();
    desk.sign_policy("venue.txt", "policy.txt");
    assert_eq!(desk.run(&["keygen", "--dir", "stranger"]).code, 0);
    let amina = issue(
        &desk,
        "keys/registration.key.pem",
        "out",
        "HD-0001",
        "Amina Diallo",
        "hod",
    );
    let jean = issue(
        &desk,
        "keys/registration.key.pem",
        "out",
        "D-0002",
        "Jean Dupont",
        "delegate",
    );
    let forged = issue(
        &desk,
        "stranger/registration.key.pem",
        "forged",
        "HD-0001",
        "Amina Diallo",
        "hod",
    );
    for (r, args) in [
        (office(&desk, &pg, &["init"]), "init"),
        (
            office(
                &desk,
                &pg,
                &["add-kiosk", "--kiosk-id", "north", "--out", "north.office"],
            ),
            "north",
        ),
        (
            office(
                &desk,
                &pg,
                &["add-kiosk", "--kiosk-id", "east", "--out", "east.office"],
            ),
            "east",
        ),
    ] {
        assert_eq!(r.code, 0, "{args}: {}", r.stderr);
    }

    // North admits Amina (head of delegation: no guard here to check her
    // ID, so admitted flagged) and Jean, and refuses the forgery.
    let args = venue_kiosk_args("north", "plenary", &["--policy", "policy.txt"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut north = LiveKiosk::start(desk.path(), &args);
    north.send(&amina);
    let d = north.decision();
    assert_eq!(
        (d["reason"].as_str(), d["flagged"].as_bool()),
        (Some("ok"), Some(true)),
        "{d}"
    );
    north.send(&jean);
    assert_eq!(north.decision()["reason"], "ok");
    north.send(&forged);
    assert_eq!(north.decision()["reason"], "unknown_key");

    // Jean's badge is revoked while he is inside; east refuses it.
    fs::create_dir(desk.p("lists")).unwrap();
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "lists/rl.txt",
        "D-0002",
        "--reason",
        "reported stolen",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let args = venue_kiosk_args(
        "east",
        "plenary",
        &["--policy", "policy.txt", "--revocations", "lists"],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut east = LiveKiosk::start(desk.path(), &args);
    east.send(&jean);
    assert_eq!(east.decision()["reason"], "revoked");
    eventually("every record at the office", || {
        pg.sql("SELECT count(*) FROM badgegate.records WHERE kind = 'decision'") == "4"
    });

    // office inside: Amina with her check pending, Jean revoked while
    // inside, both in the venue's time (+05).
    let r = office(&desk, &pg, &["inside"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let a = line_of(&r.stdout, "HD-0001");
    assert!(a.contains("CHECK PENDING") && !a.contains("REVOKED"), "{a}");
    assert!(a.contains(" +05"), "venue time: {a}");
    let j = line_of(&r.stdout, "D-0002");
    assert!(
        j.contains("REVOKED WHILE INSIDE") && j.contains("gate east"),
        "{j}"
    );
    assert_eq!(r.stdout.lines().count(), 2, "the forgery put no one inside");
    // office status: one alarm for the person, in the venue's time.
    let r = office(&desk, &pg, &["status"]);
    let alarm = line_of(&r.stdout, "revoked_inside");
    assert!(
        alarm.contains("D-0002") && alarm.contains("Jean Dupont") && alarm.contains(" +05"),
        "{alarm}"
    );
    assert_eq!(
        pg.sql("SELECT count(*) FROM badgegate.alarms WHERE kind = 'revoked_inside'"),
        "1"
    );
    // Its words name the moment of entry exactly in the table (UTC) and in
    // the venue's time wherever people read them.
    let since_n = |s: &str, n: usize| -> String {
        let at = s.find("since ").unwrap_or_else(|| panic!("{s}")) + 6;
        s[at..].chars().take(n).collect()
    };
    let since = |s: &str| since_n(s, 23);
    let stored = pg.sql("SELECT detail FROM badgegate.alarms WHERE kind = 'revoked_inside'");
    assert!(since_n(&stored, 24).ends_with('Z'), "{stored}");
    assert!(since(alarm).ends_with(" +05"), "{alarm}");

    // The dashboard's data: the same marks; the forgery marked and apart.
    let mut db = connect(&pg.admin_url(), Duration::from_secs(5)).unwrap();
    let clock = WebClock::new(Some("Asia/Tashkent")).unwrap();
    let muster = data::muster(&mut db, &clock, None, None).unwrap();
    let marks: Vec<(&str, &str)> = muster
        .iter()
        .map(|p| (p.serial.as_str(), p.marks.as_str()))
        .collect();
    assert_eq!(
        marks,
        [
            ("HD-0001", "CHECK PENDING"),
            ("D-0002", "REVOKED WHILE INSIDE")
        ]
    );
    let story = data::story(&mut db, &clock, "hd-0001").unwrap();
    assert_eq!(story.serial.as_deref(), Some("HD-0001"));
    assert!(
        story.records.iter().all(|r| r.reason == "ok"),
        "her own entry only"
    );
    assert_eq!(story.forgeries.len(), 1);
    let f = &story.forgeries[0];
    assert_eq!(
        (
            f.holder.as_str(),
            f.org.as_str(),
            f.serial.as_str(),
            f.verified
        ),
        (
            "[NOT VERIFIED: claims \"Amina Diallo Republic of Senegal HD-0001\"]",
            "",
            "",
            false
        )
    );
    let live = data::recent(&mut db, &clock, 50).unwrap();
    let fake = live.iter().find(|r| r.reason == "unknown_key").unwrap();
    assert!(fake.holder.starts_with("[NOT VERIFIED") && fake.serial.is_empty());
    assert_eq!(fake.reason_words, "not signed by this venue's key");
    let hers = live.iter().find(|r| r.serial == "HD-0001").unwrap();
    assert!(hers.check_pending, "her admit shows its check pending");
    assert!(!live.iter().any(|r| r.serial == "D-0002" && r.check_pending));
    let alarms = data::alarms(&mut db, &clock).unwrap();
    let inside = alarms.iter().find(|a| a.kind == "revoked_inside").unwrap();
    assert!(since(&inside.detail).ends_with(" +05"), "{}", inside.detail);
    // The gate's own words, in the venue's time too (its policy's zone).
    let refused = alarms.iter().find(|a| a.kind == "revoked").unwrap();
    assert!(refused.detail.contains(" +05)"), "{}", refused.detail);
    let fake = alarms.iter().find(|a| a.kind == "unknown_key").unwrap();
    assert!(fake.holder.as_deref().unwrap().starts_with("[NOT VERIFIED") && fake.serial.is_none());

    // The office's record as a journal, through the audit: the same.
    let r = office(&desk, &pg, &["export", "--journal", "venue.db"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = desk.run(&["audit", "inside", "--journal", "venue.db"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let a = line_of(&r.stdout, "HD-0001");
    assert!(a.contains("CHECK PENDING") && a.contains(" +05"), "{a}");
    let j = line_of(&r.stdout, "D-0002");
    assert!(
        j.contains("REVOKED WHILE INSIDE") && j.contains("gate east"),
        "{j}"
    );
    let r = desk.run(&["audit", "log", "--journal", "venue.db"]);
    let fake = line_of(&r.stdout, "unknown_key");
    assert!(
        fake.contains("[NOT VERIFIED: claims \"Amina Diallo Republic of Senegal HD-0001\"]")
            && !fake.contains(" HD-0001 "),
        "{fake}"
    );
    assert!(fake.contains(" +05 "), "venue time: {fake}");
    // --time-zone wins over the venue's.
    let r = desk.run(&[
        "audit",
        "log",
        "--journal",
        "venue.db",
        "--time-zone",
        "UTC",
    ]);
    assert!(
        line_of(&r.stdout, "unknown_key").contains(" UTC "),
        "{}",
        r.stdout
    );
    let r = desk.run(&[
        "audit",
        "log",
        "--journal",
        "venue.db",
        "--time-zone",
        "Mars/Olympus",
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("not known"), "{}", r.stderr);
    let r = desk.run(&[
        "audit",
        "report",
        "--journal",
        "venue.db",
        "--out",
        "r.html",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = fs::read_to_string(desk.p("r.html")).unwrap();
    assert!(html.contains("times in Asia/Tashkent"));
    assert!(html.contains("<h1>Entry audit — Tashkent Summit 2026</h1>"));
    assert!(html.contains("<b>REVOKED WHILE INSIDE</b>") && html.contains("<b>CHECK PENDING</b>"));
    // The report's flagged admits are named, as many as its card counts.
    let flagged = &html[html.find("<h2 id=flagged>").unwrap()..];
    let flagged = &flagged[..flagged.find("</table>").unwrap()];
    assert!(
        flagged.contains("Admitted flagged — 1 to look into"),
        "{flagged}"
    );
    assert!(flagged.contains("Amina Diallo") && flagged.contains("HD-0001"));
    assert!(html.contains("<a href='#flagged'>1 flagged</a>"));
    // The alarms card counts what the chips add up to; starts are apart.
    let number_after = |s: &str, tag: &str| -> usize {
        let rest = &s[s.find(tag).unwrap() + tag.len()..];
        rest[..rest.find('<').unwrap()].parse().unwrap()
    };
    let card = number_after(&html, "Alarms<b>");
    let chips: usize = html
        .split("<span class=bad>")
        .skip(1)
        .map(|c| number_after(c, "<b>"))
        .sum();
    assert_eq!((card, chips), (2, 2), "unknown key and revoked");
    assert!(
        html.contains("<h3 id=starts>Kiosk starts — 2</h3>"),
        "one a kiosk"
    );

    // A planned stop (`systemctl stop`: SIGTERM, the scanner still
    // plugged in) says goodbye: STOPPED, not an outage; a killed gate does
    // not.
    let (code, err) = east.terminate();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("it shows this gate STOPPED"), "{err}");
    north.kill();
    let r = office(&desk, &pg, &["status"]);
    let e = line_of(&r.stdout, "east ");
    assert!(
        e.contains("STOPPED at") && e.contains("(on purpose)"),
        "{e}"
    );
    assert!(
        !line_of(&r.stdout, "north ").contains("STOPPED"),
        "{}",
        r.stdout
    );
    let tiles = data::gates(&mut db, &clock, &[]).unwrap();
    let east_tile = tiles.iter().find(|t| t.kiosk_id == "east").unwrap();
    assert_eq!(east_tile.state, data::GateState::Stopped);
    assert_eq!(data::raise_offline(&mut db, &tiles).unwrap(), 0);

    // The gates' own journals, merged, give the audit the same muster list
    // as the office, person by person, with the same marks.
    let r = desk.run(&[
        "audit",
        "merge",
        "--journal",
        "merged.db",
        "north.db",
        "east.db",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let people = |r: &common::Run| -> Vec<(String, String, bool, bool)> {
        let mut v: Vec<_> = r
            .json_lines()
            .iter()
            .map(|p| {
                (
                    p["serial"].as_str().unwrap().to_owned(),
                    p["zone"].as_str().unwrap().to_owned(),
                    p["check_pending"].as_bool().unwrap_or(false),
                    p.get("revoked").is_some_and(|x| !x.is_null()),
                )
            })
            .collect();
        v.sort();
        v
    };
    let audit = desk.run(&["audit", "inside", "--journal", "merged.db", "--json"]);
    let at_office = office(&desk, &pg, &["inside", "--json"]);
    assert_eq!(people(&audit), people(&at_office));
    assert_eq!(
        people(&audit),
        [
            ("D-0002".to_owned(), "plenary".to_owned(), false, true),
            ("HD-0001".to_owned(), "plenary".to_owned(), true, false)
        ]
    );
}

/// One generated day, run through real kiosks and a real office, read
/// back everywhere presence, alarms and a badge's story are shown: the
/// core's `Muster` fed the gates' own journals is the oracle; `audit
/// inside` on the merged journals, `office inside`, `office status` and
/// the dashboard's pages in headless Chromium must each say the same,
/// person by person. The day: two entrances and an exit, people coming
/// and going (re-entries refused venue-wide), an ID-check admit with no
/// guard, forged badges, a revocation of someone inside, a planned stop,
/// a crash, and a gate restarted on a replaced journal.
#[test]
fn a_generated_day_reads_the_same_in_the_audit_the_office_and_the_browser() {
    use badgegate::journal::Journal;
    use badgegate::muster::Muster;
    use common::browser::Browser;

    let Some(pg) = Pg::start() else { return };
    let Some(b) = Browser::start() else { return };
    let desk = Desk::new();
    fs::write(
        desk.p("venue.txt"),
        POLICY.to_owned() + "gate: south plenary out South exit\n",
    )
    .unwrap();
    desk.sign_policy("venue.txt", "policy.txt");
    assert_eq!(desk.run(&["keygen", "--dir", "stranger"]).code, 0);
    let mut people: Vec<(String, String)> = (1..=10)
        .map(|i| {
            let serial = format!("D-{i:04}");
            let text = issue(
                &desk,
                "keys/registration.key.pem",
                "out",
                &serial,
                &format!("Delegate {i}"),
                "delegate",
            );
            (serial, text)
        })
        .collect();
    people.push((
        "HD-0001".into(),
        issue(
            &desk,
            "keys/registration.key.pem",
            "out",
            "HD-0001",
            "Amina Diallo",
            "hod",
        ),
    ));
    let forged = issue(
        &desk,
        "stranger/registration.key.pem",
        "forged",
        "D-0003",
        "Delegate 3",
        "delegate",
    );
    let r = office(&desk, &pg, &["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for k in ["north", "east", "south"] {
        let r = office(
            &desk,
            &pg,
            &[
                "add-kiosk",
                "--kiosk-id",
                k,
                "--out",
                &format!("{k}.office"),
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let password = common::office_user(&desk, &pg, "alice");
    fs::create_dir(desk.p("lists")).unwrap();
    let start = |id: &str, direction: &str| {
        let args = venue_kiosk_args(
            id,
            "plenary",
            &[
                "--policy",
                "policy.txt",
                "--revocations",
                "lists",
                "--direction",
                direction,
            ],
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        LiveKiosk::start(desk.path(), &args)
    };
    let mut north = start("north", "in");
    let mut east = start("east", "in");
    let mut south = start("south", "out");

    // People come and go: a seeded walk, each decision awaited.
    let next = common::seeded(0x9E37_79B9_7F4A_7C15u64);
    let mut inside = std::collections::BTreeSet::new();
    let (mut refused_again, mut exits) = (0, 0);
    for step in 0..40 {
        let (serial, text) = &people[next(people.len())];
        if inside.contains(serial) && next(10) < 7 {
            south.send(text);
            let d = south.decision();
            assert_eq!(d["decision"], "admit");
            // Out of the door before they come back: the exit at the office,
            // and the entry's record too (until it arrives, the entrance's
            // reservation holds the badge, as it should).
            let seq = d["seq"].to_string();
            eventually("the exit and the entry at the office", || {
                pg.sql("SELECT max(seq) FROM badgegate.records WHERE kiosk_id = 'south'") == seq
                    && pg.sql(&format!(
                        "SELECT count(*) FROM badgegate.reservations WHERE serial = '{serial}'"
                    )) == "0"
            });
            inside.remove(serial);
            exits += 1;
            continue;
        }
        let gate = if next(2) == 0 { &mut north } else { &mut east };
        gate.send(text);
        let d = gate.decision();
        if inside.contains(serial) {
            assert_eq!(d["reason"], "already_inside", "step {step}: {d}");
            refused_again += 1;
        } else {
            assert_eq!(d["decision"], "admit", "step {step}: {d}");
            assert_eq!(d["flagged"].as_bool(), Some(serial == "HD-0001"), "{d}");
            inside.insert(serial.clone());
        }
        if step == 20 {
            north.send(&forged);
            assert_eq!(north.decision()["reason"], "unknown_key");
        }
    }
    assert!(
        refused_again > 0 && exits > 0,
        "the walk refuses re-entries ({refused_again}) and lets people out ({exits})"
    );
    // The revocation of someone inside: east refuses the badge as soon
    // as it has taken the list up.
    let revoked = inside.iter().next().expect("someone inside").clone();
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "lists/rl.txt",
        &revoked,
        "--reason",
        "reported stolen",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = &people.iter().find(|(s, _)| *s == revoked).unwrap().1;
    eventually("east refuses the revoked badge", || {
        east.send(text);
        east.decision()["reason"] == "revoked"
    });
    east.send(&forged);
    assert_eq!(east.decision()["reason"], "unknown_key");

    // South stops on purpose; north crashes once the office has all its
    // records; east stops, and starts again on a replaced journal.
    let (code, err) = south.terminate();
    assert_eq!(code, 0, "{err}");
    let journal_head = |db: &str| {
        Journal::open_readonly(&desk.p(db))
            .unwrap()
            .entries()
            .unwrap()
            .last()
            .unwrap()
            .seq
    };
    let north_head = journal_head("north.db");
    eventually("north's records at the office", || {
        pg.sql("SELECT max(seq) FROM badgegate.records WHERE kiosk_id = 'north'")
            == north_head.to_string()
    });
    north.kill();
    assert_eq!(east.finish(), 0);
    for suffix in ["", "-wal", "-shm"] {
        let from = desk.p(&format!("east.db{suffix}"));
        if from.exists() {
            fs::rename(from, desk.p(&format!("east-old.db{suffix}"))).unwrap();
        }
    }
    let mut east = start("east", "in");
    eventually("the office raises the replaced journal", || {
        pg.sql(
            "SELECT count(*) FROM badgegate.alarms WHERE kind = 'cut_back' AND kiosk_id = 'east'",
        ) == "1"
    });
    let (out_serial, out_text) = people.iter().find(|(s, _)| !inside.contains(s)).unwrap();
    east.send(out_text);
    assert_eq!(east.decision()["decision"], "admit", "{out_serial}");
    assert_eq!(east.finish(), 0);

    // The oracle: the gates' own journals (east's first one: the office
    // refuses the replaced one's records), in time order.
    let mut records = Vec::new();
    for db in ["north.db", "south.db", "east-old.db"] {
        records.extend(
            Journal::open_readonly(&desk.p(db))
                .unwrap()
                .entries()
                .unwrap(),
        );
    }
    records.sort_by(|a, b| {
        (a.body.at_ms, &a.kiosk_id, a.seq).cmp(&(b.body.at_ms, &b.kiosk_id, b.seq))
    });
    let mut oracle = Muster::new();
    for e in &records {
        oracle.take(&e.kiosk_id, e.seq, &e.body);
    }
    let expected: Vec<(String, String, bool, bool)> = oracle
        .inside()
        .map(|p| {
            (
                p.stay.serial.clone(),
                p.stay.zone.clone(),
                p.stay.check_pending,
                p.revoked.is_some(),
            )
        })
        .collect();
    let mut walked: Vec<&String> = inside.iter().collect();
    walked.sort();
    assert_eq!(
        expected.iter().map(|p| &p.0).collect::<Vec<_>>(),
        walked,
        "the oracle agrees with the walk"
    );
    assert!(
        expected.iter().any(|p| p.0 == revoked && p.3),
        "{expected:?}"
    );
    let office_records = pg
        .sql("SELECT count(*) FROM badgegate.records WHERE kiosk_id IN ('north', 'south', 'east')");
    assert_eq!(
        office_records,
        records.len().to_string(),
        "every record of the three journals at the office"
    );

    let people_of = |r: &common::Run| -> Vec<(String, String, bool, bool)> {
        assert_eq!(r.code, 0, "{}", r.stderr);
        let mut v: Vec<_> = r
            .json_lines()
            .iter()
            .map(|p| {
                (
                    p["serial"].as_str().unwrap().to_owned(),
                    p["zone"].as_str().unwrap().to_owned(),
                    p["check_pending"].as_bool().unwrap_or(false),
                    p.get("revoked").is_some_and(|x| !x.is_null()),
                )
            })
            .collect();
        v.sort();
        v
    };
    let r = desk.run(&[
        "audit",
        "merge",
        "--journal",
        "merged.db",
        "north.db",
        "south.db",
        "east-old.db",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        people_of(&desk.run(&["audit", "inside", "--journal", "merged.db", "--json"])),
        expected,
        "audit inside"
    );
    let office_people = people_of(&office(&desk, &pg, &["inside", "--json"]));
    if office_people != expected {
        // What the office holds of each badge the two disagree on.
        let differ: Vec<String> = office_people
            .iter()
            .filter(|p| !expected.contains(p))
            .chain(expected.iter().filter(|p| !office_people.contains(p)))
            .map(|p| format!("'{}'", p.0))
            .collect();
        let records = pg.sql(&format!(
            "SELECT string_agg(concat_ws(' ', serial, kiosk_id, seq, kind, decision, reason, direction, flagged, at_ms, received_at), E'\\n' ORDER BY received_at, kiosk_id, seq) FROM badgegate.records WHERE serial IN ({})",
            differ.join(",")
        ));
        let presence = pg.sql(&format!(
            "SELECT string_agg(concat_ws(' ', serial, inside, kiosk_id, seq, at_ms, office_ms), E'\\n') FROM badgegate.presence WHERE serial IN ({})",
            differ.join(",")
        ));
        let offsets = pg.sql(
            "SELECT string_agg(concat_ws(' ', kiosk_id, clock_offset_ms), ', ') FROM badgegate.kiosks",
        );
        panic!(
            "office inside: {office_people:?}\nexpected {expected:?}\nrecords:\n{records}\npresence:\n{presence}\noffsets: {offsets}"
        );
    }

    // office status: east's replaced journal and the revoked person inside
    // are alarms; south stopped on purpose; north is not.
    let r = office(&desk, &pg, &["status"]);
    assert!(
        line_of(&r.stdout, "cut_back").contains("east"),
        "{}",
        r.stdout
    );
    assert!(
        line_of(&r.stdout, "revoked_inside").contains(&revoked),
        "{}",
        r.stdout
    );
    assert!(
        line_of(&r.stdout, "south ").contains("STOPPED"),
        "{}",
        r.stdout
    );
    assert!(
        !line_of(&r.stdout, "north ").contains("STOPPED"),
        "{}",
        r.stdout
    );

    // The dashboard, in a real browser: the same muster list, the same
    // marks; the same alarms; the stories apart from the forgeries.
    let server_args = [
        "office",
        "serve",
        "--db",
        &pg.admin_url(),
        "--listen",
        "127.0.0.1:0",
    ];
    let server = LiveKiosk::start(desk.path(), &server_args);
    let mut base = String::new();
    eventually("the dashboard is up", || {
        if let Some(url) = server
            .stderr()
            .lines()
            .find_map(|l| l.strip_prefix("office dashboard on "))
            .and_then(|l| l.split_whitespace().next())
        {
            base = url.to_owned();
        }
        !base.is_empty()
    });
    b.goto(&format!("{base}/login"));
    b.type_into("#user", "alice");
    b.type_into("#password", &password);
    b.click("#sign-in");
    b.wait_for("signed in", Duration::from_secs(10), |b| {
        b.url().ends_with("/gates")
    });
    b.goto(&format!("{base}/muster"));
    let rows = b.run(
        "return [...document.querySelectorAll('#muster-rows tr')].map(r => [r.dataset.serial, r.dataset.zone, r.querySelector('.marks').innerText])",
        serde_json::json!([]),
    );
    let mut page: Vec<(String, String, bool, bool)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let marks = r[2].as_str().unwrap();
            (
                r[0].as_str().unwrap().to_owned(),
                r[1].as_str().unwrap().to_owned(),
                marks.contains("CHECK PENDING"),
                marks.contains("REVOKED WHILE INSIDE"),
            )
        })
        .collect();
    page.sort();
    assert_eq!(page, expected, "the dashboard's muster list");
    b.goto(&format!("{base}/alarms"));
    let alarms = b.text("#alarm-list");
    assert!(
        alarms.contains(&revoked) && alarms.contains("journal ends at record"),
        "{alarms}"
    );
    // Each badge's story: its own records at the gates, forgeries apart.
    for (serial, _) in &people {
        let own = records
            .iter()
            .filter(|e| e.body.serial.as_deref() == Some(serial) && e.body.authentic)
            .count();
        let forgeries = records
            .iter()
            .filter(|e| e.body.serial.as_deref() == Some(serial) && !e.body.authentic)
            .count();
        b.goto(&format!("{base}/badge/{serial}"));
        let n = |css: &str| {
            b.run(
                &format!("return document.querySelectorAll('{css}').length"),
                serde_json::json!([]),
            )
            .as_u64()
            .unwrap() as usize
        };
        assert_eq!(
            (n("#story tr"), n("table.forgeries tbody tr")),
            (own, forgeries),
            "{serial}"
        );
        let now_inside = b.find(".inside-now").is_some();
        assert_eq!(
            now_inside,
            expected.iter().any(|p| &p.0 == serial),
            "{serial}"
        );
    }
}
