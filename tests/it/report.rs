//! The audit report's alarms, from real kiosk runs: every kind of event a
//! security officer must see is listed with its time, gate, name and why.

use crate::common;

use std::fs;

use badgegate::format::badge::SignedBadge;
use common::{Desk, LiveKiosk};

const AT: &str = "2026-12-01T09:00:00Z";

fn issue_with(desk: &Desk, key: &str, serial: &str, name: &str) -> String {
    let r = desk.run(&[
        "issue",
        "--key",
        key,
        "--name",
        name,
        "--zones",
        "plenary",
        "--serial",
        serial,
        "--out",
        "badges",
        "--valid-from",
        "2026-12-01T00:00:00Z",
        "--valid-until",
        "2026-12-02T23:00:00Z",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    fs::read_to_string(desk.p(&format!("badges/{serial}.txt")))
        .unwrap()
        .trim()
        .to_owned()
}

fn kiosk_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "kiosk",
        "--trust",
        "trust",
        "--journal",
        "north.db",
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
        "--revocations",
        "lists",
    ];
    v.extend_from_slice(extra);
    v
}

#[test]
fn the_report_lists_every_kind_of_alarm_from_real_kiosk_runs() {
    let desk = Desk::new();
    // A stranger's key, and an old key now retired.
    assert_eq!(desk.run(&["keygen", "--dir", "stranger"]).code, 0);
    assert_eq!(
        desk.run(&["keygen", "--dir", "keys", "--name", "old"]).code,
        0
    );
    fs::create_dir(desk.p("trust/retired")).unwrap();
    fs::copy(
        desk.p("keys/old.pub.pem"),
        desk.p("trust/retired/old.pub.pem"),
    )
    .unwrap();

    let good = issue_with(&desk, "keys/registration.key.pem", "A-1", "Amina Diallo");
    let lost = issue_with(&desk, "keys/registration.key.pem", "L-1", "Jean Dupont");
    let eve = issue_with(
        &desk,
        "stranger/registration.key.pem",
        "E-1",
        "Eve Stranger",
    );
    let old = issue_with(&desk, "keys/old.key.pem", "O-1", "Olga Old");
    let signed = SignedBadge::parse(&issue_with(
        &desk,
        "keys/registration.key.pem",
        "M-1",
        "Mallory",
    ))
    .unwrap();
    let mut b = signed.badge.clone();
    b.name = "Mallory Forged".into();
    let mut raw = b.to_payload();
    raw.extend_from_slice(signed.signature());
    let forged = format!("BG1:{}", base45::encode(&raw));

    fs::create_dir(desk.p("lists")).unwrap();
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "lists/rl.txt",
        "L-1",
        "--reason",
        "reported lost",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Run 1: a door command that fails, every kind of bad badge, a forged
    // list dropped into the lists folder, then the kiosk is killed.
    let mut k = LiveKiosk::start(desk.path(), &kiosk_args(&["--on-admit", "turnstile-pulse"]));
    for (text, reason) in [
        (&good, "ok"),
        (&lost, "revoked"),
        (&eve, "unknown_key"),
        (&old, "retired_key"),
        (&forged, "bad_signature"),
    ] {
        k.send(text);
        assert_eq!(k.decision()["reason"], reason);
    }
    let list = fs::read_to_string(desk.p("lists/rl.txt")).unwrap();
    fs::write(desk.p("lists/rl-forged.txt"), list.replace("L-1", "A-1")).unwrap();
    let start = std::time::Instant::now();
    while !k.stderr().contains("refused revocation list") {
        assert!(
            start.elapsed().as_secs() < 10,
            "list not refused: {}",
            k.stderr()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    while !k.stderr().contains("on-admit command for record") {
        assert!(
            start.elapsed().as_secs() < 10,
            "hook not reported: {}",
            k.stderr()
        );
        k.send("junk");
        k.decision();
    }
    fs::remove_file(desk.p("lists/rl-forged.txt")).unwrap();
    k.kill();

    // Run 2: the kiosk comes back; its start record says the previous run
    // never closed the journal.
    let r = desk.run_stdin(&kiosk_args(&[]), &format!("{good}\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);

    let r = desk.run(&[
        "audit",
        "report",
        "--journal",
        "north.db",
        "--out",
        "report.html",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = fs::read_to_string(desk.p("report.html")).unwrap();
    let section = html
        .split("<h2 id=alarms>")
        .nth(1)
        .expect("an alarms section");
    let section = section.split("<h2>").next().unwrap();
    let rows: Vec<&str> = section.split("<tr class=").skip(1).collect();
    let kinds: Vec<&str> = rows
        .iter()
        .map(|r| {
            r.split("data-kind='")
                .nth(1)
                .unwrap()
                .split('\'')
                .next()
                .unwrap()
        })
        .collect();
    for kind in [
        "kiosk_start",
        "revoked",
        "unknown_key",
        "retired_key",
        "forged",
        "list_refused",
        "hook_failed",
        "out_of_service",
    ] {
        assert!(kinds.contains(&kind), "no {kind} alarm in {kinds:?}");
    }
    let row = |kind: &str| {
        *rows
            .iter()
            .find(|r| r.contains(&format!("data-kind='{kind}'")))
            .unwrap()
    };
    assert!(row("revoked").contains("Jean Dupont") && row("revoked").contains("reported lost"));
    assert!(row("revoked").contains(">north <"), "{}", row("revoked"));
    // A name from a badge that failed its signature is never shown as fact.
    assert!(
        row("forged").contains("<s>Mallory Forged</s> <em>(not verified)</em>"),
        "{}",
        row("forged")
    );
    assert!(row("unknown_key").contains("(not verified)"));
    assert!(
        row("hook_failed").contains("Amina Diallo") && row("hook_failed").contains("not found")
    );
    assert!(
        row("out_of_service").contains("did not close the journal")
            && row("out_of_service").contains("down from")
    );
    // The summary card counts the trouble (the two starts are timeline).
    assert!(
        html.contains("Alarms<b>7</b>"),
        "{}",
        html.split("Alarms<b>")
            .nth(1)
            .unwrap_or("")
            .get(..20)
            .unwrap_or("")
    );
}
