//! The venue policy from the desk to the gate: signed from a draft, checked
//! at issue (misspelt zones and categories refused with the nearest code,
//! local times), taken up by kiosks at start and while running, each
//! acceptance and refusal in the chain, roll-backs refused.

use crate::common;

use std::fs;

use badgegate::journal::Journal;
use badgegate::vocab::EntryKind;
use common::{Desk, LiveKiosk};

const DRAFT: &str = "# Geneva summit, v1\n\
venue: Geneva Summit 2026\n\
time-zone: Europe/Zurich\n\
zone: plenary Plenary hall\n\
zone: press Press centre\n\
category: hod #801020 id-check Head of delegation\n\
category: delegate #00529b - Delegate\n\
category: staff #008050 staff Security staff\n\
gate: north plenary in North entrance\n";

fn sign(desk: &Desk, draft: &str, out: &str) -> common::Run {
    fs::write(desk.p("venue.txt"), draft).unwrap();
    desk.run(&[
        "policy",
        "--key",
        "keys/registration.key.pem",
        "--draft",
        "venue.txt",
        "--out",
        out,
    ])
}

/// (reason, list_seq) of each policy record in a journal.
fn policy_records(desk: &Desk, journal: &str) -> Vec<(String, Option<u64>)> {
    Journal::open_readonly(&desk.p(journal))
        .unwrap()
        .entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.body.kind == EntryKind::List && e.body.reason.code().starts_with("policy"))
        .map(|e| (e.body.reason.code().to_owned(), e.body.list_seq))
        .collect()
}

#[test]
fn the_desk_signs_a_draft_and_only_a_change_makes_a_new_sequence() {
    let desk = Desk::new();
    let r = sign(&desk, DRAFT, "policy.txt");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("sequence 1"), "{}", r.stdout);
    assert!(
        r.stdout.contains("ID checked at the gate: hod"),
        "{}",
        r.stdout
    );
    let text = fs::read_to_string(desk.p("policy.txt")).unwrap();
    assert!(text.starts_with("badgegate-policy v1\nkey-id: "));
    assert!(
        !text.contains('#') || text.contains("#801020"),
        "comments are not signed"
    );

    let r = sign(&desk, DRAFT, "policy.txt");
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("unchanged (sequence 1)"), "{}", r.stdout);
    assert_eq!(
        fs::read_to_string(desk.p("policy.txt")).unwrap(),
        text,
        "file untouched"
    );

    let r = sign(
        &desk,
        &DRAFT.replace("Press centre", "Press centre, level 2"),
        "policy.txt",
    );
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("sequence 2"), "{}", r.stdout);

    // A bad draft names its line and writes nothing.
    let before = fs::read_to_string(desk.p("policy.txt")).unwrap();
    let r = sign(&desk, &DRAFT.replace("#00529b", "blue"), "policy.txt");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("line 7") && r.stderr.contains("colour"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    let r = sign(
        &desk,
        &DRAFT.replace("Europe/Zurich", "Europe/Geneva-ish"),
        "policy.txt",
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("line 3") && r.stderr.contains("unknown time zone"),
        "{}",
        r.stderr
    );
    assert_eq!(fs::read_to_string(desk.p("policy.txt")).unwrap(), before);

    // A new key (a rotation) goes on with the venue's one series of
    // policy numbers, and says so.
    let before: String = fs::read_to_string(desk.p("policy.txt")).unwrap();
    let seq_before: u64 = before
        .lines()
        .find_map(|l| l.strip_prefix("sequence: "))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(desk.run(&["keygen", "--dir", "other"]).code, 0);
    fs::write(desk.p("venue.txt"), DRAFT).unwrap();
    let r = desk.run(&[
        "policy",
        "--key",
        "other/registration.key.pem",
        "--draft",
        "venue.txt",
        "--out",
        "policy.txt",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("goes on from there"), "{}", r.stdout);
    let after = fs::read_to_string(desk.p("policy.txt")).unwrap();
    assert!(
        after.contains(&format!("sequence: {}\n", seq_before + 1)),
        "{after}"
    );
}

/// A draft's colours may be typed in either case (signed in lowercase),
/// and every problem in a draft is reported at once, by line.
#[test]
fn a_draft_takes_colours_in_any_case_and_names_every_problem_at_once() {
    let desk = Desk::new();
    let r = sign(&desk, &DRAFT.replace("#801020", "#80A0fF"), "policy.txt");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = fs::read_to_string(desk.p("policy.txt")).unwrap();
    assert!(text.contains("category: hod #80a0ff id-check"), "{text}");
    let broken = DRAFT
        .replace("zone: press Press centre", "zone: Press Press centre")
        .replace("#00529b", "#00529")
        .replace("gate: north plenary in", "gate: north plenary sideways");
    let r = sign(&desk, &broken, "broken.txt");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("3 problem(s) in the venue policy draft; nothing was signed"),
        "{}",
        r.stderr
    );
    for line in [
        "line 5: zone code \"Press\"",
        "line 7: category colour \"#00529\"",
        "line 9: gate direction",
    ] {
        assert!(r.stderr.contains(line), "{line}: {}", r.stderr);
    }
    assert!(!desk.p("broken.txt").exists());
}

#[test]
fn issue_refuses_a_misspelt_zone_or_category_with_the_nearest_code_and_reads_local_times() {
    let desk = Desk::new();
    assert_eq!(sign(&desk, DRAFT, "policy.txt").code, 0);
    let csv = "name,category,zones\n\
               Amina Diallo,hod,plenary\n\
               Lars Eriksson,delgate,plenary\n\
               Li Ming,delegate,plenray;press\n\
               Ana Núñez,delegate,*\n";
    fs::write(desk.p("reg.csv"), csv).unwrap();
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--csv",
        "reg.csv",
        "--out",
        "batch",
        "--policy",
        "policy.txt",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains(
            "line 3: category \"delgate\" is not in the venue policy; did you mean \"delegate\"?"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "line 4: zone \"plenray\" is not in the venue policy; did you mean \"plenary\"?"
        ),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("line 2") && !r.stderr.contains("line 5"),
        "{}",
        r.stderr
    );
    assert!(!desk.p("batch/manifest.csv").exists());
    // No category typed: the refusal says the default was used and names
    // the policy's categories.
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--name",
        "Ana",
        "--zones",
        "plenary",
        "--out",
        "nocat",
        "--policy",
        "policy.txt",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("no category given, and the default, \"guest\", is not in the venue policy; give one of: hod, delegate, staff"),
        "{}",
        r.stderr
    );

    // Without a policy it is allowed, with one warning.
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--csv",
        "reg.csv",
        "--out",
        "loose",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("warning: no venue policy").count(),
        1,
        "{}",
        r.stderr
    );

    // Venue time: 08:00 in Geneva in December is 07:00 UTC; printed as CET.
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--name",
        "Amina Diallo",
        "--zones",
        "plenary",
        "--category",
        "hod",
        "--serial",
        "HD-1",
        "--out",
        "one",
        "--policy",
        "policy.txt",
        "--valid-from",
        "2026-12-01 08:00",
        "--valid-until",
        "2026-12-02 22:00",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("valid       2026-12-01 08:00 CET – 2026-12-02 22:00 CET"),
        "{}",
        r.stdout
    );
    // The event's name in the card's lower band, from the signed policy.
    if let Some(tesseract) = common::tool("tesseract") {
        let card = image::open(desk.p("one/HD-1-card.png"))
            .unwrap()
            .into_rgb8();
        let (w, h) = card.dimensions();
        let mut band = image::imageops::crop_imm(&card, 0, h - 60, w, 60).to_image();
        image::imageops::invert(&mut band);
        let read = common::ocr_line(&tesseract, &band, "eng", "7");
        assert!(read.contains("Geneva Summit 2026"), "{read:?}");
    }
    let text = fs::read_to_string(desk.p("one/HD-1.txt")).unwrap();
    let r = desk.run_stdin(
        &[
            "verify",
            "--trust",
            "trust",
            "--at",
            "2026-12-01T09:00:00Z",
            "--json",
            "-",
        ],
        &text,
    );
    let j = &r.json_lines()[0];
    assert_eq!(j["valid_from"], "2026-12-01T07:00:00Z");
    assert_eq!(j["valid_until"], "2026-12-02T21:00:00Z");
    // A local time without a policy has no zone to mean: refused with advice.
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--name",
        "X",
        "--zones",
        "plenary",
        "--out",
        "two",
        "--valid-from",
        "2026-12-01 08:00",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--valid-from") && r.stderr.contains("RFC 3339"),
        "{}",
        r.stderr
    );
}

fn kiosk_args<'a>(journal: &'a str, policy: Option<&'a str>) -> Vec<&'a str> {
    let mut v = vec![
        "kiosk",
        "--trust",
        "trust",
        "--journal",
        journal,
        "--gate",
        "north",
        "--stdin",
        "--headless",
        "--at",
        "2026-12-01T09:00:00Z",
        "--cooldown",
        "0",
    ];
    if let Some(p) = policy {
        v.extend(["--policy", p]);
    }
    v
}

#[test]
fn a_kiosk_takes_up_a_newer_policy_while_running_and_refuses_an_older_one() {
    let desk = Desk::new();
    assert_eq!(sign(&desk, DRAFT, "p1.txt").code, 0);
    fs::copy(desk.p("p1.txt"), desk.p("p2.txt")).unwrap();
    assert_eq!(
        sign(
            &desk,
            &DRAFT.replace("Plenary hall", "Plenary hall A"),
            "p2.txt"
        )
        .code,
        0
    );
    fs::copy(desk.p("p1.txt"), desk.p("policy.txt")).unwrap();
    let hod = desk.issue(
        "badges",
        "HD-1",
        &["--category", "hod", "--valid-from", "2026-12-01T00:00:00Z"],
    );
    let press = desk.issue(
        "badges",
        "P-1",
        &["--zones", "press", "--valid-from", "2026-12-01T00:00:00Z"],
    );

    let mut k = LiveKiosk::start(desk.path(), &kiosk_args("j.db", Some("policy.txt")));
    // The gate's zone comes from the policy (gate north opens plenary).
    k.send(&press);
    let d = k.decision();
    assert_eq!(d["reason"], "wrong_zone");
    assert_eq!(d["zone"], "plenary");
    // An ID-check category at a headless kiosk: admitted, flagged.
    k.send(&hod);
    let d = k.decision();
    assert_eq!(
        (d["reason"].as_str(), d["flagged"].as_bool()),
        (Some("ok"), Some(true))
    );

    // Sequence 2 arrives: taken up within a second or two.
    fs::copy(desk.p("p2.txt"), desk.p("policy.txt")).unwrap();
    let wait = |k: &LiveKiosk, words: &str| {
        let start = std::time::Instant::now();
        while !k.stderr().contains(words) {
            assert!(
                start.elapsed().as_secs() < 10,
                "no {words:?}: {}",
                k.stderr()
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    };
    wait(&k, "sequence 2");
    // Sequence 1 put back: a roll-back, refused; the kiosk goes on.
    fs::copy(desk.p("p1.txt"), desk.p("policy.txt")).unwrap();
    wait(&k, "refused venue policy");
    k.send(&press);
    assert_eq!(k.decision()["reason"], "wrong_zone");
    assert_eq!(k.finish(), 0);
    assert_eq!(
        policy_records(&desk, "j.db"),
        [
            ("policy_accepted".to_owned(), Some(1)),
            ("policy_accepted".to_owned(), Some(2)),
            ("policy_refused".to_owned(), Some(1)),
        ]
    );

    // Restarted with the old policy: refused at start, nobody admitted.
    let r = desk.run_stdin(&kiosk_args("j.db", Some("p1.txt")), &format!("{hod}\n"));
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("roll-back"), "{}", r.stderr);
    // Restarted with no policy at all: refused too.
    let r = desk.run_stdin(&kiosk_args("j.db", None), &format!("{hod}\n"));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--policy"), "{}", r.stderr);
    // With the current one: runs, and records nothing new about it.
    let r = desk.run_stdin(&kiosk_args("j.db", Some("p2.txt")), &format!("{hod}\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(policy_records(&desk, "j.db").len(), 3);
    // A forged policy at start: refused.
    let forged = fs::read_to_string(desk.p("p2.txt"))
        .unwrap()
        .replace("Press centre", "Press centrE");
    fs::write(desk.p("forged.txt"), forged).unwrap();
    let r = desk.run_stdin(&kiosk_args("k.db", Some("forged.txt")), &format!("{hod}\n"));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("signature does not verify"),
        "{}",
        r.stderr
    );
    let r = desk.run(&["audit", "verify", "--journal", "j.db"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

/// Regression (found by `badgegate rehearse`: heads of delegation leaving
/// were flagged for an ID check, and a guard's exit would have held them
/// for one): the ID check is on the way in; an exit is never held back.
#[test]
fn an_id_check_category_is_checked_on_the_way_in_only() {
    let desk = Desk::new();
    let draft = DRAFT.to_owned() + "gate: south plenary out South exit\n";
    assert_eq!(sign(&desk, &draft, "policy.txt").code, 0);
    let hod = desk.issue(
        "badges",
        "HD-1",
        &["--category", "hod", "--valid-from", "2026-12-01T00:00:00Z"],
    );
    let lines = format!("{hod}\n");
    let r = desk.run_stdin(&kiosk_args("in.db", Some("policy.txt")), &lines);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(
        (d["reason"].as_str(), d["flagged"].as_bool()),
        (Some("ok"), Some(true))
    );
    let mut out = kiosk_args("out.db", Some("policy.txt"));
    out[6] = "south";
    let r = desk.run_stdin(&out, &lines);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(d["direction"], "out", "{d}");
    assert_eq!(
        (d["decision"].as_str(), d["flagged"].as_bool()),
        (Some("admit"), Some(false)),
        "{d}"
    );
}

/// Regression (an older policy signed by a second trusted key replaced the
/// newer one from the first: zones widened, a press badge admitted at the
/// plenary gate): the venue has one series of policy numbers across keys.
#[test]
fn a_second_trusted_key_cannot_roll_the_venue_policy_back() {
    let desk = Desk::new();
    assert_eq!(sign(&desk, DRAFT, "p2.txt").code, 0);
    assert_eq!(
        sign(
            &desk,
            &DRAFT.replace("Plenary hall", "Plenary hall A"),
            "p2.txt"
        )
        .code,
        0
    );
    // A second trusted key signs an older, wider policy: its number 1.
    assert_eq!(desk.run(&["keygen", "--dir", "other"]).code, 0);
    fs::copy(
        desk.p("other/registration.pub.pem"),
        desk.p("trust/other.pub.pem"),
    )
    .unwrap();
    fs::write(
        desk.p("wide.txt"),
        DRAFT.replace("gate: north plenary in", "gate: north * in"),
    )
    .unwrap();
    let r = desk.run(&[
        "policy",
        "--key",
        "other/registration.key.pem",
        "--draft",
        "wide.txt",
        "--out",
        "old-wide.txt",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(fs::read_to_string(desk.p("old-wide.txt"))
        .unwrap()
        .contains("sequence: 1\n"));
    let press = desk.issue(
        "badges",
        "P-1",
        &["--zones", "press", "--valid-from", "2026-12-01T00:00:00Z"],
    );

    fs::copy(desk.p("p2.txt"), desk.p("policy.txt")).unwrap();
    let mut k = LiveKiosk::start(desk.path(), &kiosk_args("j.db", Some("policy.txt")));
    k.send(&press);
    assert_eq!(k.decision()["reason"], "wrong_zone");
    fs::copy(desk.p("old-wide.txt"), desk.p("policy.txt")).unwrap();
    let start = std::time::Instant::now();
    while !k.stderr().contains("refused venue policy") {
        assert!(start.elapsed().as_secs() < 10, "{}", k.stderr());
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(k.stderr().contains("roll-back"), "{}", k.stderr());
    k.send(&press);
    assert_eq!(
        k.decision()["reason"],
        "wrong_zone",
        "the newer policy stays"
    );
    assert_eq!(k.finish(), 0);
    assert_eq!(
        policy_records(&desk, "j.db"),
        [
            ("policy_accepted".to_owned(), Some(2)),
            ("policy_refused".to_owned(), Some(1)),
        ]
    );
    // Restarted with the other key's older policy: refused, nobody admitted.
    let r = desk.run_stdin(
        &kiosk_args("j.db", Some("old-wide.txt")),
        &format!("{press}\n"),
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("roll-back"), "{}", r.stderr);

    // The other key going on from the venue's newest number is taken up.
    fs::copy(desk.p("p2.txt"), desk.p("rotated.txt")).unwrap();
    let r = desk.run(&[
        "policy",
        "--key",
        "other/registration.key.pem",
        "--draft",
        "wide.txt",
        "--out",
        "rotated.txt",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = desk.run_stdin(
        &kiosk_args("j.db", Some("rotated.txt")),
        &format!("{press}\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.reasons(), ["ok"]);
}

/// A gate whose revocation lists stop arriving says so (a freeze): past
/// the venue policy's `lists-max-age`, headless on stderr, once.
#[test]
fn a_gate_says_frozen_once_its_lists_are_older_than_the_policys_bound() {
    let desk = Desk::new();
    let with_bound = DRAFT.replace(
        "time-zone: Europe/Zurich\n",
        "time-zone: Europe/Zurich\nlists-max-age: 6h\n",
    );
    assert_eq!(sign(&desk, &with_bound, "policy.txt").code, 0);
    assert!(fs::read_to_string(desk.p("policy.txt"))
        .unwrap()
        .contains("lists-max-age: 6h\n"));
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "rl.txt",
        "X-9",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let signed = fs::read_to_string(desk.p("rl.txt")).unwrap();
    let issued = signed
        .lines()
        .find_map(|l| l.strip_prefix("issued-at: "))
        .unwrap()
        .to_owned();
    let issued = badgegate::clock::parse_utc_z(&issued).unwrap();
    let at = |hours: u64| badgegate::clock::format_utc(issued + hours * 3600);
    let badge = desk.issue(
        "badges",
        "A-1",
        &["--valid-from", &at(0), "--valid-until", &at(48)],
    );
    let run = |hours: u64| {
        let when = at(hours);
        let mut args = kiosk_args("j.db", Some("policy.txt"));
        let i = args.iter().position(|a| *a == "--at").unwrap() + 1;
        args[i] = when.as_str();
        args.extend(["--revocations", "rl.txt", "--anti-passback", "off"]);
        desk.run_stdin(&args, &format!("{badge}\n"))
    };
    let r = run(5);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("FROZEN"), "{}", r.stderr);
    let r = run(7);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.reasons(), ["ok"]);
    assert_eq!(r.stderr.matches("FROZEN?").count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("6 hours bound") || r.stderr.contains("6 h"),
        "{}",
        r.stderr
    );
}
