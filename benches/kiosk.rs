//! `cargo bench --bench kiosk`: what one camera frame costs the kiosk —
//! decode + verify + decide + durable journal commit — at 1280x720 and
//! 1920x1080, a frame with no badge, and a durable journal commit alone.

use std::hint::black_box;

use badgegate::format::badge::{Badge, SignedBadge};
use badgegate::format::keys::{KeyId, SecretKey, TrustStore};
use badgegate::gate::decide::AntiPassback;
use badgegate::gate::engine::{Kiosk, KioskConfig};
use badgegate::issue::card;
use badgegate::journal::{Journal, NewEntry};
use badgegate::vocab::{Direction, EntryDecision, EntryKind, Reason};
use badgegate::{read, synth};
use criterion::{criterion_group, Criterion};

const NOW: u64 = 1_790_000_040;

fn setup(dir: &std::path::Path, name: &str, key: &SecretKey) -> Kiosk {
    let journal = Journal::open(&dir.join(name), Some("bench"), "bench").unwrap();
    let cfg = KioskConfig {
        gate: "north".into(),
        zone: Some("plenary".into()),
        direction: Direction::In,
        anti_passback: AntiPassback::Off,
        skew_secs: 120,
        cooldown_ms: 0,
        confirm_categories: Vec::new(),
        guard_present: false,
        staff_categories: vec!["staff".into()],
        photos: None,
        venue: None,
    };
    Kiosk::start(
        cfg,
        TrustStore::from_keys(&[key.public()], &[]),
        badgegate::gate::lists::RevocationSet::new(),
        journal,
        NOW * 1000,
    )
    .unwrap()
}

fn benches(c: &mut Criterion) {
    let key = SecretKey::from_seed(&[1; 32]);
    let badge = Badge {
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
    };
    let signed = SignedBadge::sign(badge, &key).unwrap();
    let code = read::encode(signed.text()).unwrap();
    let card_img = image::DynamicImage::ImageRgb8(card::render(
        &signed.badge,
        &code,
        card::Look {
            policy: None,
            time: &badgegate::clock::VenueTime::utc(),
        },
        None,
    ))
    .into_luma8();
    let dir = tempfile::tempdir().unwrap();

    for (w, h, card_h) in [(1280u32, 720u32, 640u32), (1920, 1080, 900)] {
        let frame = synth::camera_frame(&[&card_img], w, h, card_h, 1);
        assert_eq!(
            read::decode(&frame).len(),
            1,
            "bench frame {w}x{h} must read"
        );
        let mut kiosk = setup(dir.path(), &format!("j{w}.db"), &key);
        let mut t = NOW * 1000;
        c.bench_function(
            &format!("kiosk frame {w}x{h} with a badge: decode + decide + durable commit"),
            |b| {
                b.iter(|| {
                    t += 1000;
                    let codes = read::decode(black_box(&frame));
                    for code in codes {
                        kiosk.scan(&code.bytes, "bench", t).unwrap().unwrap();
                    }
                })
            },
        );
        let empty = synth::camera_frame(&[], w, h, 1, 2);
        c.bench_function(
            &format!("kiosk frame {w}x{h} without a badge: decode"),
            |b| b.iter(|| read::decode(black_box(&empty))),
        );
    }

    let mut journal =
        Journal::open(&dir.path().join("commits.db"), Some("bench"), "bench").unwrap();
    let entry = NewEntry {
        at_ms: NOW * 1000,
        kind: EntryKind::Decision,
        gate: "north".into(),
        zone: Some("plenary".into()),
        direction: Direction::In,
        serial: Some("D-000123".into()),
        holder: Some("Maximilian Alexander von Hohenberg-Ruiz".into()),
        org: Some("Federal Ministry for European Affairs".into()),
        category: Some("delegate".into()),
        key_id: Some("01020304".into()),
        decision: EntryDecision::Admit,
        reason: Reason::Ok.into(),
        flagged: false,
        authentic: true,
        detail: "valid until 2026-12-02 21:00 UTC".into(),
        note: None,
        input: "camera:0#1".into(),
        ..NewEntry::default()
    };
    c.bench_function("journal: one durable commit (WAL, synchronous FULL)", |b| {
        b.iter(|| journal.append(black_box(&entry)).unwrap())
    });
}

/// Peak resident memory of this process so far (Linux `VmHWM`).
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

criterion_group! {
    name = group;
    config = Criterion::default().sample_size(30);
    targets = benches
}

fn main() {
    group();
    Criterion::default().configure_from_args().final_summary();
    println!(
        "peak resident memory of the bench process (all frames incl. 1920x1080): {}",
        peak_rss()
    );
}
