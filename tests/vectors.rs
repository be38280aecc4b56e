//! The test vectors in docs/badge-format.md are checked here: a reader
//! written from the document alone must reach the same results.
//!
//! `BADGEGATE_PRINT_VECTORS=1 cargo test --test vectors -- --nocapture`
//! prints the vectors as computed, to paste into the document after a
//! deliberate format change.

use badgegate::clock::parse_rfc3339;
use badgegate::format::badge::{signed_message, Badge, SignedBadge};
use badgegate::format::keys::{KeyId, SecretKey, TrustStore};
use badgegate::gate::decide::{decide, Checks, GatePolicy};
use badgegate::vocab::Reason;

const DOC: &str = include_str!("../docs/badge-format.md");

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex in the document"))
        .collect()
}

fn seed(n: u8) -> [u8; 32] {
    let mut s = [0u8; 32];
    for (i, b) in s.iter_mut().enumerate() {
        *b = n.wrapping_add(i as u8);
    }
    s
}

fn registration_key() -> SecretKey {
    SecretKey::from_seed(&seed(0))
}

fn typical() -> Badge {
    Badge {
        key_id: KeyId([0; 4]),
        serial: "D-000123".into(),
        name: "Maximilian Alexander von Hohenberg-Ruiz".into(),
        org: "Federal Ministry for European Affairs".into(),
        category: "delegate".into(),
        zones: vec!["plenary".into(), "press".into(), "lounge".into()],
        valid_from: parse_rfc3339("2026-12-01T07:00:00Z").unwrap(),
        valid_until: parse_rfc3339("2026-12-02T21:00:00Z").unwrap(),
        issued_at: parse_rfc3339("2026-11-20T10:30:00Z").unwrap(),
    }
}

fn cyrillic() -> Badge {
    Badge {
        serial: "D-000124".into(),
        name: "Фарҳод Раҳимов".into(),
        org: "Ҷумҳурии Тоҷикистон".into(),
        zones: vec!["*".into()],
        ..typical()
    }
}

struct Vector {
    name: String,
    fields: Vec<(String, String)>,
}

impl Vector {
    fn get(&self, k: &str) -> &str {
        self.fields
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("vector {} has no {k}", self.name))
    }
}

fn vectors() -> Vec<Vector> {
    let mut out = Vec::new();
    let mut lines = DOC.lines();
    while let Some(l) = lines.next() {
        if l.trim() != "```vector" {
            continue;
        }
        let mut fields = Vec::new();
        for l in lines.by_ref() {
            if l.trim() == "```" {
                break;
            }
            let (k, v) = l.split_once(": ").expect("key: value lines");
            fields.push((k.trim().to_owned(), v.to_owned()));
        }
        let name = fields
            .iter()
            .find(|(k, _)| k == "vector")
            .unwrap()
            .1
            .clone();
        out.push(Vector { name, fields });
    }
    out
}

/// The text of every vector, as this implementation computes it.
fn computed() -> Vec<(
    &'static str,
    String,
    &'static str,
    &'static str,
    &'static str,
)> {
    let k = registration_key();
    let stranger = SecretKey::from_seed(&seed(100));
    let good = SignedBadge::sign(typical(), &k).unwrap();
    let cyr = SignedBadge::sign(cyrillic(), &k).unwrap();
    let foreign = SignedBadge::sign(typical(), &stranger).unwrap();
    // The name changed after signing: same signature, different payload.
    let mut edited = good.badge.clone();
    edited.name = "Maximilian Alexander von Hohenberg-Ruis".into();
    let mut raw = edited.to_payload();
    raw.extend_from_slice(good.signature());
    let tampered = format!("BG1:{}", base45::encode(&raw));
    // One byte appended after the signature: the signature now covers the
    // wrong bytes and the payload has a stray byte.
    let mut raw = good.payload().to_vec();
    raw.extend_from_slice(good.signature());
    raw.insert(good.payload().len(), 0);
    let stray = format!("BG1:{}", base45::encode(&raw));
    let v2 = good.text().replacen("BG1:", "BG2:", 1);
    let lower = good.text().to_lowercase().replacen("bg1:", "BG1:", 1);
    vec![
        (
            "typical",
            good.text().to_owned(),
            "ok",
            "2026-12-01T09:00:00Z",
            "plenary",
        ),
        (
            "cyrillic-all-zones",
            cyr.text().to_owned(),
            "ok",
            "2026-12-02T20:59:00Z",
            "bilateral",
        ),
        (
            "wrong-zone",
            good.text().to_owned(),
            "wrong_zone",
            "2026-12-01T09:00:00Z",
            "bilateral",
        ),
        (
            "not-yet-valid",
            good.text().to_owned(),
            "not_yet_valid",
            "2026-12-01T06:57:59Z",
            "plenary",
        ),
        (
            "expired",
            good.text().to_owned(),
            "expired",
            "2026-12-02T21:02:01Z",
            "plenary",
        ),
        (
            "unknown-key",
            foreign.text().to_owned(),
            "unknown_key",
            "2026-12-01T09:00:00Z",
            "plenary",
        ),
        (
            "tampered-name",
            tampered,
            "bad_signature",
            "2026-12-01T09:00:00Z",
            "plenary",
        ),
        (
            "stray-byte",
            stray,
            "malformed",
            "2026-12-01T09:00:00Z",
            "plenary",
        ),
        (
            "lowercase",
            lower,
            "malformed",
            "2026-12-01T09:00:00Z",
            "plenary",
        ),
        (
            "version-2",
            v2,
            "unsupported_version",
            "2026-12-01T09:00:00Z",
            "plenary",
        ),
        (
            "not-ours",
            "HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH".into(),
            "not_a_badge",
            "2026-12-01T09:00:00Z",
            "plenary",
        ),
    ]
}

#[test]
fn document_vectors_match_this_implementation() {
    let k = registration_key();
    let good = SignedBadge::sign(typical(), &k).unwrap();
    if std::env::var_os("BADGEGATE_PRINT_VECTORS").is_some() {
        println!("public key: {}", hex(k.public().key.as_bytes()));
        println!("key id: {}", k.key_id());
        println!("payload: {}", hex(good.payload()));
        println!("signed message: {}", hex(&signed_message(good.payload())));
        println!("signature: {}", hex(good.signature()));
        println!("text length: {}", good.text().len());
        for (name, text, expect, at, zone) in computed() {
            println!("\n```vector\nvector: {name}\nexpect: {expect}\nat: {at}\nzone: {zone}\ntext: {text}\n```");
        }
    }
    let doc = vectors();
    let want = computed();
    assert_eq!(doc.len(), want.len(), "vector count in the document");
    for (v, (name, text, expect, at, zone)) in doc.iter().zip(want) {
        assert_eq!(v.name, name);
        assert_eq!(v.get("text"), text, "vector {name}: text");
        assert_eq!(v.get("expect"), expect, "vector {name}: expected reason");
        assert_eq!(v.get("at"), at);
        assert_eq!(v.get("zone"), zone);
    }
    // The worked example's bytes, as printed in the document.
    let field = |label: &str| {
        DOC.lines()
            .find_map(|l| l.strip_prefix(label))
            .unwrap_or_else(|| panic!("{label} in the document"))
            .trim()
            .trim_matches('`')
            .to_owned()
    };
    assert_eq!(field("- secret key seed:"), hex(&seed(0)));
    assert_eq!(field("- public key:"), hex(k.public().key.as_bytes()));
    assert_eq!(field("- key id:"), k.key_id().to_string());
    assert_eq!(unhex(&field("- payload:")), good.payload());
    assert_eq!(unhex(&field("- signature:")), good.signature());
}

#[test]
fn document_vectors_decide_as_stated() {
    let k = registration_key();
    let trust = TrustStore::from_keys(&[k.public()], &[]);
    for v in vectors() {
        let gate = GatePolicy {
            zone: Some(v.get("zone").to_owned()),
            skew_secs: 120,
            ..GatePolicy::default()
        };
        let checks = Checks {
            trust: &trust,
            revocations: None,
            gate: &gate,
            now: parse_rfc3339(v.get("at")).unwrap(),
        };
        let d = decide(v.get("text"), &checks);
        assert_eq!(
            Some(d.reason),
            Reason::from_code(v.get("expect")),
            "vector {}: {}",
            v.name,
            d.detail
        );
    }
}
