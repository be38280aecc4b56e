//! The badge as an identity document: the holder's photo bound to the badge
//! at the desk, and checked at the gate (match, missing, mismatch), each
//! decision journalled with its reason.

use crate::common;

use std::fs;

use badgegate::journal::Journal;
use badgegate::synth::portrait;
use common::photos::{jpeg, jpeg_with_orientation};
use common::Desk;

const AT: &str = "2026-12-01T09:00:00Z";
const VALID: [&str; 4] = [
    "--valid-from",
    "2026-12-01T07:00:00Z",
    "--valid-until",
    "2026-12-02T21:00:00Z",
];

/// A badge issued with a photo made from `seed`'s portrait.
fn pictured(desk: &Desk, serial: &str, seed: u8) -> String {
    let src = desk.p(&format!("{serial}-src.jpg"));
    fs::write(&src, jpeg(&portrait(900, 1200, seed))).unwrap();
    let mut extra = VALID.to_vec();
    let src = src.to_string_lossy().into_owned();
    extra.extend(["--photo", src.as_str()]);
    desk.issue("badges", serial, &extra)
}

fn verify(desk: &Desk, extra: &[&str], text: &str) -> common::Run {
    let mut args = vec![
        "verify", "--trust", "trust", "--zone", "plenary", "--at", AT, "--json",
    ];
    args.extend_from_slice(extra);
    args.push("-");
    desk.run_stdin(&args, &format!("{text}\n"))
}

#[test]
fn issue_binds_a_normalised_photo_and_writes_it_beside_the_badge() {
    let desk = Desk::new();
    // A phone picture stored sideways: the left fifth is red, and the EXIF
    // tag says to turn it 90° clockwise, which puts the red on top.
    let mut sideways = portrait(1000, 750, 3);
    for y in 0..750 {
        for x in 0..200 {
            sideways.put_pixel(x, y, image::Rgb([220, 20, 20]));
        }
    }
    fs::write(desk.p("phone.jpg"), jpeg_with_orientation(&sideways, 6)).unwrap();
    let mut extra = VALID.to_vec();
    extra.extend(["--photo", "phone.jpg", "--name", "李明"]);
    let r = desk.run(
        &[
            &["issue", "--key", "keys/registration.key.pem"],
            &["--serial", "P-1", "--out", "badges", "--zones", "plenary"][..],
            &extra[..],
        ]
        .concat(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("badge format version 2"), "{}", r.stdout);
    assert!(r.stdout.contains("P-1-photo.jpg"), "{}", r.stdout);
    let text = fs::read_to_string(desk.p("badges/P-1.txt")).unwrap();
    assert!(text.starts_with("BG2:"), "{text}");
    let bytes = fs::read(desk.p("badges/P-1-photo.jpg")).unwrap();
    // No metadata survives: no EXIF segment, no camera words.
    assert!(!bytes.windows(4).any(|w| w == b"Exif"));
    let img = image::load_from_memory(&bytes).unwrap().into_rgb8();
    assert_eq!(img.dimensions(), (360, 480));
    let top = img.get_pixel(180, 20);
    let bottom = img.get_pixel(180, 460);
    assert!(
        top[0] > 180 && top[1] < 80,
        "turned upright: red on top {top:?}"
    );
    assert!(bottom[0] < 180 || bottom[1] > 80, "{bottom:?}");
    // The badge names exactly these bytes.
    let badge = badgegate::format::badge::SignedBadge::parse(text.trim_end()).unwrap();
    assert_eq!(
        badge.badge.photo,
        Some(badgegate::format::badge::PhotoDigest::of(&bytes))
    );
    // The card prints the photo: the red of its top edge is on the card.
    let card = image::open(desk.p("badges/P-1-card.png"))
        .unwrap()
        .into_rgb8();
    let red = card
        .pixels()
        .filter(|p| p[0] > 180 && p[1] < 80 && p[2] < 80)
        .count();
    assert!(red > 2000, "the photo is on the card ({red} red pixels)");
    // A badge with a photo still fits a webcam-friendly code.
    let version: i16 = r
        .stdout
        .split("QR version ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    assert!(version <= 11, "QR version {version}");
}

#[test]
fn a_photo_that_is_not_a_picture_is_refused_with_nothing_written() {
    let desk = Desk::new();
    fs::write(desk.p("notes.jpg"), b"this is not a picture").unwrap();
    let mut extra = VALID.to_vec();
    extra.extend(["--photo", "notes.jpg"]);
    let r = desk.run(
        &[
            &[
                "issue",
                "--key",
                "keys/registration.key.pem",
                "--name",
                "A B",
            ][..],
            &["--serial", "P-2", "--out", "badges", "--zones", "plenary"][..],
            &extra[..],
        ]
        .concat(),
    );
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("notes.jpg"), "{}", r.stderr);
    assert!(r.stderr.contains("JPEG or PNG"), "{}", r.stderr);
    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", r.stderr);
    assert!(!desk.p("badges/P-2.txt").exists());
}

#[test]
fn a_csv_batch_takes_photos_relative_to_the_csv_and_checks_every_one_first() {
    let desk = Desk::new();
    fs::create_dir(desk.p("reg")).unwrap();
    fs::create_dir(desk.p("reg/pics")).unwrap();
    fs::write(desk.p("reg/pics/a.jpg"), jpeg(&portrait(600, 800, 1))).unwrap();
    fs::write(desk.p("reg/pics/b.png"), {
        let mut out = Vec::new();
        portrait(500, 500, 2)
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    })
    .unwrap();
    let csv = "serial,name,zones,valid_from,valid_until,photo\n\
               A-1,Фарҳод Раҳимов,plenary,2026-12-01T07:00:00Z,2026-12-02T21:00:00Z,pics/a.jpg\n\
               B-1,Ana Núñez,plenary,2026-12-01T07:00:00Z,2026-12-02T21:00:00Z,pics/b.png\n\
               C-1,No Photo,plenary,2026-12-01T07:00:00Z,2026-12-02T21:00:00Z,\n";
    fs::write(desk.p("reg/people.csv"), csv).unwrap();
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--csv",
        "reg/people.csv",
        "--out",
        "out",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(desk.p("out/A-1-photo.jpg").exists());
    assert!(desk.p("out/B-1-photo.jpg").exists());
    assert!(!desk.p("out/C-1-photo.jpg").exists());
    let text = |s: &str| fs::read_to_string(desk.p(&format!("out/{s}.txt"))).unwrap();
    assert!(text("A-1").starts_with("BG2:"));
    assert!(
        text("C-1").starts_with("BG1:"),
        "no photo: version 1 as before"
    );
    // Verifying the whole folder decides each badge once; the photos
    // beside them are not pictures of codes.
    let r = desk.run(&[
        "verify", "--trust", "trust", "--at", AT, "--photos", "out", "--json", "out",
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.reasons(), vec!["ok", "ok", "ok"]);

    // A photo that is not there fails the batch on its line, before
    // anything is signed.
    let bad = csv.replace("pics/b.png", "pics/missing.jpg");
    fs::write(desk.p("reg/bad.csv"), bad).unwrap();
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--csv",
        "reg/bad.csv",
        "--out",
        "out2",
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("line 3"), "{}", r.stderr);
    assert!(r.stderr.contains("missing.jpg"), "{}", r.stderr);
    assert!(!desk.p("out2/A-1.txt").exists());
}

#[test]
fn verify_checks_the_photo_folder() {
    let desk = Desk::new();
    let text = pictured(&desk, "V-1", 1);
    let other = pictured(&desk, "V-2", 2);
    let _ = other;
    // Matching photo.
    let r = verify(&desk, &["--photos", "badges"], &text);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.reasons(), vec!["ok"]);
    assert!(r.stdout.contains("matches"), "{}", r.stdout);
    // Someone else's photo under this serial: denied.
    fs::create_dir(desk.p("swapped")).unwrap();
    fs::copy(
        desk.p("badges/V-2-photo.jpg"),
        desk.p("swapped/V-1-photo.jpg"),
    )
    .unwrap();
    let r = verify(&desk, &["--photos", "swapped"], &text);
    assert_eq!(r.code, 1);
    assert_eq!(r.reasons(), vec!["photo_mismatch"]);
    // No photo at all: admitted, flagged for an ID check.
    fs::create_dir(desk.p("empty")).unwrap();
    let r = verify(&desk, &["--photos", "empty"], &text);
    assert_eq!(r.reasons(), vec!["ok"]);
    let j = &r.json_lines()[0];
    assert_eq!(j["flagged"], true, "{j}");
    assert!(j["detail"].as_str().unwrap().contains("check an ID"), "{j}");
    // Not a folder: one line saying what to give.
    let r = verify(&desk, &["--photos", "badges/V-1.txt"], &text);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a folder"), "{}", r.stderr);
}

#[test]
fn the_kiosk_journals_match_missing_and_mismatch_with_their_reasons() {
    let desk = Desk::new();
    let a = pictured(&desk, "K-1", 1);
    let b = pictured(&desk, "K-2", 2);
    let c = pictured(&desk, "K-3", 3);
    fs::create_dir(desk.p("photos")).unwrap();
    fs::copy(
        desk.p("badges/K-1-photo.jpg"),
        desk.p("photos/K-1-photo.jpg"),
    )
    .unwrap();
    // K-2's photo slot holds K-3's face; K-3 has none.
    fs::copy(
        desk.p("badges/K-3-photo.jpg"),
        desk.p("photos/K-2-photo.jpg"),
    )
    .unwrap();
    let input = format!("{a}\n{b}\n{c}\n");
    let r = desk.run_stdin(
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
            "--stdin",
            "--headless",
            "--at",
            AT,
            "--photos",
            "photos",
        ],
        &input,
    );
    let lines = r.json_lines();
    assert_eq!(lines.len(), 3, "{}\n{}", r.stdout, r.stderr);
    let got: Vec<(String, String, bool)> = lines
        .iter()
        .map(|j| {
            (
                j["decision"].as_str().unwrap().to_owned(),
                j["reason"].as_str().unwrap().to_owned(),
                j["flagged"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("admit".into(), "ok".into(), false),
            ("deny".into(), "photo_mismatch".into(), false),
            ("admit".into(), "ok".into(), true),
        ]
    );
    let photos: Vec<&str> = lines.iter().map(|j| j["photo"].as_str().unwrap()).collect();
    assert_eq!(photos, vec!["match", "mismatch", "missing"]);
    // The journal says the same, with the reason code.
    let j = Journal::open_readonly(&desk.p("j.db")).unwrap();
    let rows = j.entries().unwrap();
    let decided: Vec<(String, String)> = rows
        .iter()
        .filter(|e| e.body.serial.is_some())
        .map(|e| {
            (
                e.body.serial.clone().unwrap(),
                e.body.reason.code().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        decided,
        vec![
            ("K-1".to_owned(), "ok".to_owned()),
            ("K-2".to_owned(), "photo_mismatch".to_owned()),
            ("K-3".to_owned(), "ok".to_owned()),
        ]
    );
    // The audit counts the mismatch, and the report lists it as an alarm.
    let r = desk.run(&["audit", "stats", "--journal", "j.db"]);
    assert!(r.stdout.contains("photo_mismatch"), "{}", r.stdout);
    let r = desk.run(&["audit", "report", "--journal", "j.db", "--out", "r.html"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = fs::read_to_string(desk.p("r.html")).unwrap();
    assert!(
        html.contains("photo does not match the badge"),
        "report alarms"
    );
}

#[test]
fn without_a_policy_cards_print_validity_at_the_venues_utc_offset() {
    let desk = Desk::new();
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--name",
        "Ana",
        "--zones",
        "*",
        "--out",
        "cards",
        "--utc-offset",
        "+04:00",
        "--valid-from",
        "2026-12-01 07:00",
        "--valid-until",
        "2026-12-02T21:00:00Z",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Typed without an offset: venue time. Printed in venue time.
    assert!(
        r.stdout
            .contains("2026-12-01 07:00 UTC+04:00 – 2026-12-03 01:00 UTC+04:00"),
        "{}",
        r.stdout
    );
    assert!(
        desk.p("cards/Ana-card.png").exists()
            || fs::read_dir(desk.p("cards")).unwrap().count() >= 4
    );
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--name",
        "Ana",
        "--zones",
        "*",
        "--out",
        "cards2",
        "--utc-offset",
        "4",
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("+01:00"), "{}", r.stderr);
}
