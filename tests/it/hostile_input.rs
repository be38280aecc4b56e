//! Hostile input to the parsers: random bytes and mutations of real badges
//! and revocation lists never panic and never admit. Each property reports
//! how many cases it ran (`cargo test --test hostile_input -- --nocapture`).

use std::sync::atomic::{AtomicUsize, Ordering};

use badgegate::format::badge::{Badge, SignedBadge};
use badgegate::format::keys::{KeyId, SecretKey, TrustStore};
use badgegate::format::revocation::RevocationList;
use badgegate::gate::decide::{decide, decide_bytes, Checks, GatePolicy};
use proptest::prelude::*;

const NOW: u64 = 1_790_000_040;
const BASE45: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

fn key() -> SecretKey {
    SecretKey::from_seed(&[42; 32])
}

fn genuine() -> SignedBadge {
    let b = Badge {
        key_id: KeyId([0; 4]),
        serial: "D-000123".into(),
        name: "Ana María Núñez-Тоҷикистон".into(),
        org: "Delegation of Chile".into(),
        category: "delegate".into(),
        zones: vec!["plenary".into(), "press".into()],
        valid_from: NOW - 3600,
        valid_until: NOW + 3600,
        issued_at: NOW - 7200,
        photo: None,
    };
    SignedBadge::sign(b, &key()).unwrap()
}

fn trust() -> TrustStore {
    TrustStore::from_keys(&[key().public()], &[])
}

fn admits(text: &str) -> bool {
    let trust = trust();
    let gate = GatePolicy::default();
    decide(
        text,
        &Checks {
            trust: &trust,
            revocations: None,
            gate: &gate,
            now: NOW,
        },
    )
    .is_admit()
}

#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, char),
    Insert(usize, char),
    Delete(usize),
    Truncate(usize),
    Swap(usize, usize),
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    let ch = prop_oneof![
        proptest::sample::select(BASE45.chars().collect::<Vec<_>>()),
        any::<char>(),
    ];
    prop_oneof![
        (any::<usize>(), ch.clone()).prop_map(|(i, c)| Edit::Replace(i, c)),
        (any::<usize>(), ch).prop_map(|(i, c)| Edit::Insert(i, c)),
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Edit::Swap(i, j)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for e in edits {
        let n = chars.len().max(1);
        match *e {
            Edit::Replace(i, c) if !chars.is_empty() => chars[i % n] = c,
            Edit::Insert(i, c) => chars.insert(i % (chars.len() + 1), c),
            Edit::Delete(i) if !chars.is_empty() => {
                chars.remove(i % n);
            }
            Edit::Truncate(i) => chars.truncate(i % (chars.len() + 1)),
            Edit::Swap(i, j) if !chars.is_empty() => chars.swap(i % n, j % n),
            _ => {}
        }
    }
    chars.into_iter().collect()
}

const CASES: u32 = 20_000;

/// Runs a property over `CASES` generated values and reports the count.
fn check<S: Strategy>(
    name: &str,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let config = ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let ran = AtomicUsize::new(0);
    let result = runner.run(&strategy, |v| {
        ran.fetch_add(1, Ordering::Relaxed);
        test(v)
    });
    println!(
        "{name}: {} cases, no panic, no admit",
        ran.load(Ordering::Relaxed)
    );
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

#[test]
fn random_bytes_never_admit() {
    check(
        "random bytes",
        proptest::collection::vec(any::<u8>(), 0..600),
        |bytes| {
            let trust = trust();
            let gate = GatePolicy::default();
            let checks = Checks {
                trust: &trust,
                revocations: None,
                gate: &gate,
                now: NOW,
            };
            prop_assert!(!decide_bytes(&bytes, &checks).is_admit());
            // The same bytes behind our prefix reach the deeper parsers.
            let mut prefixed = b"BG1:".to_vec();
            prefixed.extend_from_slice(&bytes);
            prop_assert!(!decide_bytes(&prefixed, &checks).is_admit());
            // And as base45 of a random payload + "signature".
            let text = format!("BG1:{}", base45::encode(&bytes));
            prop_assert!(!admits(&text));
            Ok(())
        },
    );
}

#[test]
fn mutated_badges_never_admit() {
    let good = genuine();
    check(
        "badge mutations",
        proptest::collection::vec(edit_strategy(), 1..4),
        |edits| {
            let text = apply(good.text(), &edits);
            // Only the exact text (or it with a line ending) may admit.
            let canonical = text.trim_end_matches(['\r', '\n']) == good.text();
            prop_assert!(canonical || !admits(&text), "mutant admitted: {:?}", text);
            Ok(())
        },
    );
}

#[test]
fn revocation_parser_survives_bytes_and_mutations() {
    let k = key();
    let trust = trust();
    let mut list = RevocationList::empty(k.key_id());
    let (text, _) = list
        .add_and_sign(&k, &["D-000123".into(), "P-7".into()], "reported lost", NOW)
        .unwrap();
    let text = text.expect("a new list");
    let strategy = (
        proptest::collection::vec(any::<u8>(), 0..400),
        proptest::collection::vec(edit_strategy(), 1..4),
    );
    check("revocation lists", strategy, |(bytes, edits)| {
        let _ = RevocationList::parse(&String::from_utf8_lossy(&bytes));
        let mutated = apply(&text, &edits);
        if let Ok(back) = RevocationList::parse_verified(&mutated, &trust) {
            // A mutation that still verifies must be the very same list.
            prop_assert_eq!(&back, &list);
        }
        Ok(())
    });
}

#[test]
fn image_reader_survives_random_and_damaged_files() {
    let strategy = (
        proptest::collection::vec(any::<u8>(), 0..2000),
        any::<usize>(),
        any::<usize>(),
    );
    check("image files", strategy, |(bytes, cut, flip)| {
        let p = std::path::Path::new("fuzz.png");
        let _ = badgegate::read::read_gray_bytes(&bytes, p);
        let mut png = tiny_png().to_vec();
        let i = flip % png.len();
        png[i] ^= 0x5a;
        png.truncate(cut % (png.len() + 1));
        if let Ok(img) = badgegate::read::read_gray_bytes(&png, p) {
            let _ = badgegate::read::decode(&img);
        }
        Ok(())
    });
}

fn tiny_png() -> &'static [u8] {
    use std::sync::OnceLock;
    static PNG: OnceLock<Vec<u8>> = OnceLock::new();
    PNG.get_or_init(|| {
        let code = badgegate::read::encode(genuine().text()).unwrap();
        let img = badgegate::read::render(&code, 2);
        let mut out = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    })
}

/// Every single-character change of a genuine badge text, to every base45
/// character and a few others, is refused. Exhaustive, not sampled.
#[test]
fn every_single_character_change_is_refused() {
    let good = genuine();
    assert!(admits(good.text()));
    let extra = ['a', 'z', '#', '\u{0}', 'é', '\n'];
    let chars: Vec<char> = good.text().chars().collect();
    let mut tried = 0;
    for i in 0..chars.len() {
        for c in BASE45.chars().chain(extra) {
            if c == chars[i] {
                continue;
            }
            let mut m = chars.clone();
            m[i] = c;
            let text: String = m.into_iter().collect();
            if text.trim_end_matches(['\r', '\n']) == good.text() {
                continue;
            }
            tried += 1;
            assert!(!admits(&text), "position {i} -> {c:?} admitted");
        }
    }
    println!("single-character changes tried: {tried}, admitted: 0");
}

#[test]
fn non_canonical_encodings_of_the_same_bytes_are_refused() {
    let good = genuine();
    // A varint with a redundant continuation byte: the payload's first
    // length byte (serial, 8) written as 0x88 0x00.
    let mut payload = good.payload().to_vec();
    payload.splice(4..5, [0x88, 0x00]);
    let mut raw = payload;
    raw.extend_from_slice(good.signature());
    let text = format!("BG1:{}", base45::encode(&raw));
    assert!(!admits(&text));
    // Trailing white space, a BOM or a leading space are not ours to strip.
    for t in [
        format!("{} ", good.text()),
        format!(" {}", good.text()),
        format!("\u{feff}{}", good.text()),
    ] {
        assert!(!admits(&t), "{t:?}");
    }
    // But a scanner's CR LF is.
    assert!(admits(&format!("{}\r\n", good.text())));
}
