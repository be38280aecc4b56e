//! `cargo bench --bench lists`: the revocation list of a games — 300,000
//! badges, 2 % revoked (6,000 serials) — its file size, how long a kiosk
//! takes to read and verify it, what it holds in memory, and a decision
//! with it against one without; and a key list of 40 venue desks.
//! Sizes and load times are printed once; decisions are criterion runs.

use std::hint::black_box;
use std::time::Instant;

use badgegate::format::badge::{Badge, SignedBadge};
use badgegate::format::keylist::{Grant, KeyList, Scope};
use badgegate::format::keys::{KeyId, SecretKey, TrustStore};
use badgegate::format::revocation::RevocationList;
use badgegate::gate::decide::{decide, Checks, GatePolicy};
use badgegate::gate::lists::RevocationSet;
use criterion::{criterion_group, Criterion};

const NOW: u64 = 1_790_000_040;
const BADGES: usize = 300_000;
const REVOKED: usize = 6_000;

fn badge(serial: String) -> Badge {
    Badge {
        key_id: KeyId([0; 4]),
        serial,
        name: "Maximilian Alexander von Hohenberg-Ruiz".into(),
        org: "Federal Ministry for European Affairs".into(),
        category: "delegate".into(),
        zones: vec!["plenary".into(), "press".into()],
        valid_from: NOW - 3600,
        valid_until: NOW + 86_400,
        issued_at: NOW - 7200,
        photo: None,
    }
}

/// Resident memory of this process, kB (Linux).
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn benches(c: &mut Criterion) {
    let key = SecretKey::from_seed(&[1; 32]);
    let trust = TrustStore::from_keys(&[key.public()], &[]);
    // Every 50th badge of 300,000 revoked, a short reason each.
    let serials: Vec<String> = (0..BADGES)
        .step_by(BADGES / REVOKED)
        .map(|i| format!("G-{i:06}"))
        .collect();
    let mut list = RevocationList::empty(key.key_id());
    let t = Instant::now();
    let (text, _) = list
        .add_and_sign(&key, &serials, "withdrawn by the organiser", NOW)
        .unwrap();
    let text = text.unwrap();
    let sign_ms = t.elapsed().as_secs_f64() * 1e3;
    // What it weighs compressed for the wire (the system's gzip -9).
    let gz = {
        use std::io::Write;
        let mut child = std::process::Command::new("gzip")
            .arg("-9c")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("gzip");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap().stdout.len()
    };
    let before = rss_kb();
    let t = Instant::now();
    let parsed = RevocationList::parse_verified(&text, &trust).unwrap();
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let set = RevocationSet::of([parsed]);
    let held_kb = rss_kb().saturating_sub(before);
    println!(
        "revocation list of {REVOKED} serials ({BADGES} badges, 2 %): {} bytes ({:.0} KB; gzip {:.0} KB), signed in {sign_ms:.0} ms, read and verified in {load_ms:.1} ms, ~{held_kb} kB resident once held",
        text.len(),
        text.len() as f64 / 1024.0,
        gz as f64 / 1024.0
    );

    let gate = GatePolicy {
        zone: Some("plenary".into()),
        ..GatePolicy::default()
    };
    let valid = SignedBadge::sign(badge("G-000001".into()), &key).unwrap();
    let revoked = SignedBadge::sign(badge(serials[REVOKED - 1].clone()), &key).unwrap();
    let empty = RevocationSet::new();
    let with = |set| Checks {
        trust: &trust,
        revocations: Some(set),
        gate: &gate,
        now: NOW,
    };
    c.bench_function("decide a valid badge, no revocation list", |b| {
        b.iter(|| decide(black_box(valid.text()), &with(&empty)))
    });
    c.bench_function("decide a valid badge, 6,000 revoked serials", |b| {
        b.iter(|| decide(black_box(valid.text()), &with(&set)))
    });
    c.bench_function("decide a badge revoked last in a 6,000-serial list", |b| {
        b.iter(|| decide(black_box(revoked.text()), &with(&set)))
    });

    // A key list of 40 venue desks, each scoped to its venue.
    let root = SecretKey::from_seed(&[9; 32]);
    let mut keys = KeyList::empty(root.key_id());
    for v in 0..40u8 {
        let desk = SecretKey::from_seed(&[v + 10; 32]);
        keys.put_grant(Grant {
            key: desk.public(),
            from: NOW - 86_400,
            until: NOW + 40 * 86_400,
            venues: Scope::Only([format!("venue-{v:02}")].into()),
            zones: Scope::All,
            categories: Scope::All,
            label: format!("Venue {v:02} accreditation desk"),
        })
        .unwrap();
    }
    let keys_text = keys.sign_next(&root, NOW).unwrap();
    let t = Instant::now();
    let parsed = KeyList::parse_verified(&keys_text, &[root.public()]).unwrap();
    let keys_ms = t.elapsed().as_secs_f64() * 1e3;
    println!(
        "key list of 40 desks: {} bytes, read and verified in {keys_ms:.2} ms",
        keys_text.len()
    );
    let scoped = TrustStore::from_roots(&[root.public()], Some(parsed));
    let desk = SecretKey::from_seed(&[17; 32]);
    let mut b7 = badge("V7-000001".into());
    b7.key_id = desk.key_id();
    let v7 = SignedBadge::sign(b7, &desk).unwrap();
    let venue_gate = GatePolicy {
        zone: Some("plenary".into()),
        venue: Some("venue-07".into()),
        ..GatePolicy::default()
    };
    let checks = Checks {
        trust: &scoped,
        revocations: Some(&set),
        gate: &venue_gate,
        now: NOW,
    };
    assert_eq!(decide(v7.text(), &checks).reason.code(), "ok");
    c.bench_function(
        "decide a scoped desk's badge, 40-desk key list, 6,000 revoked",
        |b| b.iter(|| decide(black_box(v7.text()), &checks)),
    );
}

criterion_group!(lists, benches);

fn main() {
    lists();
    Criterion::default().configure_from_args().final_summary();
}
