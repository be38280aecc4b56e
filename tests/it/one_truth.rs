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
    let r = desk.run(&[
        "policy",
        "--key",
        "keys/registration.key.pem",
        "--draft",
        "venue.txt",
        "--out",
        "policy.txt",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
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
