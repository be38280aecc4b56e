//! `cargo bench --bench badge`: badge sign and verify, QR render to PNG,
//! QR decode from a clean badge PNG, and a 1,000-row CSV batch (wall time,
//! one run, printed at the end).

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
        zones: String::new(),
        valid_from: NOW,
        valid_until: NOW + 86_400,
        issued_at: NOW,
        policy: None,
    };
    let start = Instant::now();
    let badges = issue::read_registration_csv(&csv_path, &d).unwrap();
    let options = issue::BatchOptions::default();
    issue::issue_batch(
        &dir.path().join("out"),
        badges,
        &key,
        None,
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
