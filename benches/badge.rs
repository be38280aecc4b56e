//! `cargo bench --bench badge`: badge sign and verify (with and without the
//! photo check), QR render to PNG, QR decode from a clean badge PNG, the
//! printable card per script, and a 1,000-row CSV batch (wall time, one
//! run, printed at the end). The 1,000-badge print sheet is measured by
//! `scripts/bench-sheet.sh` (wall time and memory of the real command).

use std::hint::black_box;
use std::time::Instant;

use badgegate::format::badge::{Badge, SignedBadge};
use badgegate::format::keys::{KeyId, SecretKey, TrustStore};
use badgegate::gate::decide::{decide, Checks, GatePolicy};
use badgegate::issue::{self, Defaults};
use badgegate::read;
use criterion::{criterion_group, Criterion};

const NOW: u64 = 1_790_000_040;

fn typical() -> Badge {
    Badge {
        key_id: KeyId([0; 4]),
        serial: "D-000123".into(),
        name: "Maximilian Alexander von Hohenberg-Ruiz".into(),
        org: "Federal Ministry for European Affairs".into(),
        category: "delegate".into(),
        zones: vec!["plenary".into(), "press".into(), "lounge".into()],
        valid_from: NOW - 3600,
        valid_until: NOW + 86_400,
        issued_at: NOW - 7200,
        photo: None,
    }
}

fn benches(c: &mut Criterion) {
    let key = SecretKey::from_seed(&[1; 32]);
    let signed = SignedBadge::sign(typical(), &key).unwrap();
    let trust = TrustStore::from_keys(&[key.public()], &[]);
    let gate = GatePolicy {
        zone: Some("plenary".into()),
        ..GatePolicy::default()
    };
    let checks = Checks {
        trust: &trust,
        revocations: None,
        gate: &gate,
        now: NOW,
    };

    c.bench_function("badge sign (incl. re-parse and re-verify)", |b| {
        b.iter(|| SignedBadge::sign(black_box(typical()), &key).unwrap())
    });
    c.bench_function("badge verify (parse + verify_strict + decide)", |b| {
        b.iter(|| decide(black_box(signed.text()), &checks))
    });
    let code = read::encode(signed.text()).unwrap();
    c.bench_function("QR render to PNG bytes (8 px/module)", |b| {
        b.iter(|| {
            let img = read::render(&code, 8);
            let mut out = Vec::new();
            img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
                .unwrap();
            out
        })
    });
    let img = read::render(&code, 8);
    println!(
        "clean badge PNG: {}x{} px, QR version {}",
        img.width(),
        img.height(),
        read::version_number(&code)
    );
    c.bench_function("QR decode from clean badge PNG pixels", |b| {
        b.iter(|| {
            let found = read::decode(black_box(&img));
            assert_eq!(found.len(), 1);
            found
        })
    });

    // A badge with a photo, checked against a photo folder.
    let photos = tempfile::tempdir().unwrap();
    let jpeg = {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&image::RgbImage::from_fn(600, 800, |x, y| {
                image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
            }))
            .unwrap();
        badgegate::issue::photo::normalise(&out).unwrap()
    };
    std::fs::write(photos.path().join("D-000123-photo.jpg"), &jpeg.jpeg).unwrap();
    let mut pictured = typical();
    pictured.photo = Some(jpeg.digest);
    let pictured = SignedBadge::sign(pictured, &key).unwrap();
    c.bench_function(
        "badge verify with the photo check (read + SHA-256 of a 360x480 JPEG)",
        |b| {
            b.iter(|| {
                let d = decide(black_box(pictured.text()), &checks);
                let found =
                    badgegate::gate::photo::check(d.badge.as_ref().unwrap(), Some(photos.path()));
                badgegate::gate::photo::apply(d, &found, badgegate::vocab::Direction::In, false)
            })
        },
    );

    // The printable card, per script (shaping, fallback, rasterising).
    for (script, name, org) in [
        ("Latin", "Ana María Núñez", "República de Chile"),
        ("Cyrillic (Tajik)", "Фарҳод Раҳимов", "Ҷумҳурии Тоҷикистон"),
        ("Greek", "Γιώργος Παπαδόπουλος", "Ελληνική Δημοκρατία"),
        ("Chinese", "李明", "中国新闻社"),
        ("Japanese", "山田太郎", "日本国外務省"),
        ("Korean", "김민준", "대한민국 외교부"),
        ("Arabic", "محمد العلي", "المملكة العربية"),
        ("Persian", "محمدرضا شجریان", "جمهوری اسلامی ایران"),
        ("Devanagari", "अमित शाह", "भारत सरकार"),
    ] {
        if !badgegate::issue::card::missing_glyphs(&format!("{name}{org}")).is_empty() {
            println!("card render, {script}: no font for it here; skipped");
            continue;
        }
        let mut b = typical();
        b.name = name.into();
        b.org = org.into();
        let s = SignedBadge::sign(b, &key).unwrap();
        let code = read::encode(s.text()).unwrap();
        c.bench_function(&format!("card render, {script}"), |bench| {
            let utc = badgegate::clock::VenueTime::utc();
            let look = badgegate::issue::card::Look {
                policy: None,
                time: &utc,
            };
            bench.iter(|| badgegate::issue::card::render(&s.badge, &code, look, None))
        });
    }
}

/// Issues a 1,000-row registration CSV end to end (parse, validate, sign,
/// render QR PNG + SVG + card, read back, write) and prints the wall time.
fn batch_1000() {
    let key = SecretKey::from_seed(&[1; 32]);
    let mut csv = String::from("serial,name,org,category,zones\n");
    for i in 0..1000 {
        csv.push_str(&format!(
            "D-{i:06},Delegate Number {i} Example-Name,Delegation of Country {i},delegate,plenary;press\n"
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("reg.csv");
    std::fs::write(&csv_path, csv).unwrap();
    let d = Defaults {
        org: String::new(),
        category: "guest".into(),
        category_defaulted: true,
        zones: String::new(),
        valid_from: NOW,
        valid_until: NOW + 86_400,
        issued_at: NOW,
        policy: None,
        utc_offset: None,
    };
    let start = Instant::now();
    let badges = issue::read_registration_csv(&csv_path, &d).unwrap();
    let options = issue::BatchOptions::default();
    issue::issue_batch(
        &dir.path().join("out"),
        badges,
        &key,
        badgegate::issue::card::Look {
            policy: None,
            time: &badgegate::clock::VenueTime::utc(),
        },
        &options,
        &|| {},
    )
    .unwrap();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "issue --csv of 1000 rows (library path, all cores): {secs:.1} s wall, {:.1} ms per badge",
        secs * 1000.0 / 1000.0
    );
}

criterion_group!(group, benches);

fn main() {
    group();
    Criterion::default().configure_from_args().final_summary();
    if std::env::args().any(|a| a == "--bench") {
        batch_1000();
    }
}
