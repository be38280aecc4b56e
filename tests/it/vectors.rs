//! The test vectors in docs/badge-format.md are checked here: a reader
//! written from the document alone must reach the same results.
//!
//! `BADGEGATE_PRINT_VECTORS=1 cargo test --test vectors -- --nocapture`
//! prints the vectors as computed, to paste into the document after a
//! deliberate format change.

use badgegate::clock::parse_rfc3339;
use badgegate::format::badge::{signed_message, Badge, PhotoDigest, SignedBadge};
use badgegate::format::keys::{KeyId, SecretKey, TrustStore};
use badgegate::format::policy::{PolicyBody, VenuePolicy};
use badgegate::format::revocation::RevocationList;
use badgegate::gate::decide::{decide_bytes, Checks, GatePolicy};
use badgegate::gate::lists::RevocationSet;
use badgegate::vocab::{Direction, Reason};

use crate::common;

pub(crate) const DOC: &str = include_str!("../../docs/badge-format.md");

/// The photo files the photo vectors name, in `docs/vectors/`.
pub(crate) fn vector_photo(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/vectors")
        .join(name);
    if !path.exists() && std::env::var_os("BADGEGATE_PRINT_VECTORS").is_some() {
        // Made once, then kept: the digest is of these exact bytes.
        let seed = if name.starts_with("D-") { 1 } else { 2 };
        let raw = common::photos::jpeg(&badgegate::synth::portrait(600, 800, seed));
        let photo = badgegate::issue::photo::normalise(&raw).unwrap();
        std::fs::write(&path, &photo.jpeg).unwrap();
    }
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

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

pub(crate) fn registration_key() -> SecretKey {
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
        photo: None,
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

pub(crate) struct Vector {
    pub(crate) name: String,
    pub(crate) fields: Vec<(String, String)>,
}

impl Vector {
    pub(crate) fn get(&self, k: &str) -> &str {
        self.opt(k)
            .unwrap_or_else(|| panic!("vector {} has no {k}", self.name))
    }

    pub(crate) fn opt(&self, k: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }

    /// The input as bytes: `text` (with `\r` and `\n` written as such) or
    /// `bytes` in hex.
    pub(crate) fn input(&self) -> Vec<u8> {
        match self.opt("bytes") {
            Some(h) => unhex(h),
            None => self
                .get("text")
                .replace("\\r", "\r")
                .replace("\\n", "\n")
                .into_bytes(),
        }
    }
}

/// The revocation lists the vectors use: ```revocations blocks, each
/// `list: NAME`, `expect: ok` or `expect: refused`, then the file's lines.
pub(crate) fn lists() -> Vec<(String, String, String)> {
    blocks("```revocations")
}

/// The venue policies the document shows: ```policy blocks, like lists.
fn policies() -> Vec<(String, String, String)> {
    blocks("```policy")
}

pub(crate) fn blocks(fence: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut lines = DOC.lines();
    while let Some(l) = lines.next() {
        if l.trim() != fence {
            continue;
        }
        let name = lines
            .next()
            .and_then(|l| l.strip_prefix("list: "))
            .expect("list: NAME");
        let expect = lines
            .next()
            .and_then(|l| l.strip_prefix("expect: "))
            .expect("expect: ...");
        let mut text = String::new();
        for l in lines.by_ref() {
            if l.trim() == "```" {
                break;
            }
            text.push_str(l);
            text.push('\n');
        }
        out.push((name.to_owned(), expect.to_owned(), text));
    }
    out
}

pub(crate) fn vectors() -> Vec<Vector> {
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

/// A vector as this implementation computes it.
struct Computed {
    name: &'static str,
    /// The scanned text, or raw bytes (hex in the document).
    text: Option<String>,
    bytes: Option<Vec<u8>>,
    expect: &'static str,
    at: &'static str,
    zone: &'static str,
    /// `retired`: the registration key sits in the trust folder's retired/.
    trust: Option<&'static str>,
    /// The name of a revocation list vector in use.
    revocations: Option<&'static str>,
    /// The file in `docs/vectors/` the kiosk's photo folder holds for the
    /// badge's serial, or `none`.
    photo: Option<&'static str>,
}

fn vector(name: &'static str, text: String, expect: &'static str) -> Computed {
    Computed {
        name,
        text: Some(text),
        bytes: None,
        expect,
        at: "2026-12-01T09:00:00Z",
        zone: "plenary",
        trust: None,
        revocations: None,
        photo: None,
    }
}

/// `BG1:` and base45 of a payload signed by `key` (whatever the payload).
fn signed_text(payload: &[u8], key: &SecretKey) -> String {
    let mut raw = payload.to_vec();
    raw.extend_from_slice(&key.sign(&signed_message(payload)));
    format!("BG1:{}", base45::encode(&raw))
}

/// The revocation lists, as this implementation signs them: (name,
/// expected outcome, file text).
fn computed_lists() -> Vec<(&'static str, &'static str, String)> {
    let k = registration_key();
    let list = |serial: &str, reason: &str| {
        let mut l = RevocationList::empty(k.key_id());
        let (text, _) = l
            .add_and_sign(
                &k,
                &[serial.into()],
                reason,
                parse_rfc3339("2026-11-30T18:00:00Z").unwrap(),
            )
            .unwrap();
        text.unwrap()
    };
    let one = list("D-000123", "reported lost");
    let lower = list("d-000123", "");
    // Numbered 0 and re-signed: well signed, but no list the desk writes.
    let zero_body = one
        .replace("sequence: 1\n", "sequence: 0\n")
        .split("signature: ")
        .next()
        .unwrap()
        .to_owned();
    let mut m = b"badgegate/revocations/v1\0".to_vec();
    m.extend_from_slice(zero_body.as_bytes());
    let zero = format!("{zero_body}signature: {}\n", hex(&k.sign(&m)));
    let edited = one.replace("reported lost", "reported found");
    // Numbered 2^63 and well signed: past the largest sequence a reader
    // accepts (2^63 − 1, so every store keeps it exactly).
    let huge_body = one
        .replace("sequence: 1\n", "sequence: 9223372036854775808\n")
        .split("signature: ")
        .next()
        .unwrap()
        .to_owned();
    let mut m = b"badgegate/revocations/v1\0".to_vec();
    m.extend_from_slice(huge_body.as_bytes());
    let huge = format!("{huge_body}signature: {}\n", hex(&k.sign(&m)));
    let largest_body = huge_body.replace("9223372036854775808", "9223372036854775807");
    let mut m = b"badgegate/revocations/v1\0".to_vec();
    m.extend_from_slice(largest_body.as_bytes());
    let largest = format!("{largest_body}signature: {}\n", hex(&k.sign(&m)));
    // The lost badge reinstated an hour later (revoked by mistake).
    let reinstated = {
        let mut l = RevocationList::parse(&one).unwrap().0;
        l.reinstate_and_sign(
            &k,
            &["D-000123".into()],
            "revoked by mistake",
            parse_rfc3339("2026-11-30T19:00:00Z").unwrap(),
        )
        .unwrap()
    };
    vec![
        ("lost", "ok", one),
        ("lower-case", "ok", lower),
        ("reinstated", "ok", reinstated),
        ("sequence-zero", "refused", zero),
        ("edited", "refused", edited),
        ("sequence-largest", "ok", largest),
        ("sequence-past-largest", "refused", huge),
    ]
}

/// Every vector, as this implementation computes it.
fn computed() -> Vec<Computed> {
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
    // One byte inserted between payload and signature: the payload has a
    // stray byte.
    let mut raw = good.payload().to_vec();
    raw.extend_from_slice(good.signature());
    raw.insert(good.payload().len(), 0);
    let stray = format!("BG1:{}", base45::encode(&raw));
    // One byte after a good signature: the last 64 bytes are no longer it.
    let mut raw = good.payload().to_vec();
    raw.extend_from_slice(good.signature());
    raw.push(0);
    let trailing = format!("BG1:{}", base45::encode(&raw));
    let v3 = good.text().replacen("BG1:", "BG3:", 1);
    let v1_as_v2 = good.text().replacen("BG1:", "BG2:", 1);
    let mut with_photo = typical();
    with_photo.photo = Some(PhotoDigest::of(&vector_photo("D-000123-photo.jpg")));
    let pictured = SignedBadge::sign(with_photo, &k).unwrap();
    let v2_as_v1 = pictured.text().replacen("BG2:", "BG1:", 1);
    // The version-2 payload signed as if it were version 1.
    let mut raw = pictured.payload().to_vec();
    raw.extend_from_slice(&k.sign(&signed_message(pictured.payload())));
    let cross_context = format!("BG2:{}", base45::encode(&raw));
    let lower = good.text().to_lowercase().replacen("bg1:", "BG1:", 1);
    // The serial's length (8) written in two bytes, 0x88 0x00, and signed:
    // a valid signature over a payload that is not the shortest encoding.
    let p = good.payload();
    let mut long_varint = p[..4].to_vec();
    long_varint.extend_from_slice(&[0x88, 0x00]);
    long_varint.extend_from_slice(&p[5..]);
    // issued 2020-01-01T00:00Z, valid from one minute before: before the
    // badge epoch, signed.
    let mut early = p.to_vec();
    let tail = early.len() - 9; // d68add01 9cf401 e811
    early.truncate(tail);
    early.extend_from_slice(&[0x00, 0x01, 0xe8, 0x11]);
    let retired = Computed {
        trust: Some("retired"),
        ..vector("retired-key", good.text().to_owned(), "retired_key")
    };
    vec![
        vector("typical", good.text().to_owned(), "ok"),
        Computed {
            at: "2026-12-02T20:59:00Z",
            zone: "bilateral",
            ..vector("cyrillic-all-zones", cyr.text().to_owned(), "ok")
        },
        Computed {
            zone: "bilateral",
            ..vector("wrong-zone", good.text().to_owned(), "wrong_zone")
        },
        Computed {
            at: "2026-12-01T06:57:59Z",
            ..vector("not-yet-valid", good.text().to_owned(), "not_yet_valid")
        },
        Computed {
            at: "2026-12-02T21:02:01Z",
            ..vector("expired", good.text().to_owned(), "expired")
        },
        vector("unknown-key", foreign.text().to_owned(), "unknown_key"),
        vector("tampered-name", tampered, "bad_signature"),
        vector("stray-byte", stray, "malformed"),
        vector("lowercase", lower, "malformed"),
        vector("version-3", v3, "unsupported_version"),
        Computed {
            photo: Some("D-000123-photo.jpg"),
            ..vector("with-photo", pictured.text().to_owned(), "ok")
        },
        Computed {
            photo: Some("other-photo.jpg"),
            ..vector(
                "photo-mismatch",
                pictured.text().to_owned(),
                "photo_mismatch",
            )
        },
        Computed {
            photo: Some("none"),
            ..vector("photo-missing", pictured.text().to_owned(), "ok")
        },
        vector("version-1-body-as-2", v1_as_v2, "malformed"),
        vector("version-2-body-as-1", v2_as_v1, "malformed"),
        vector("version-2-signed-as-1", cross_context, "bad_signature"),
        vector(
            "not-ours",
            "HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH".into(),
            "not_a_badge",
        ),
        retired,
        Computed {
            revocations: Some("lost"),
            ..vector("revoked", good.text().to_owned(), "revoked")
        },
        Computed {
            revocations: Some("reinstated"),
            ..vector("reinstated", good.text().to_owned(), "ok")
        },
        Computed {
            revocations: Some("lower-case"),
            ..vector("revoked-any-case", good.text().to_owned(), "revoked")
        },
        vector("crlf", format!("{}\\r\\n", good.text()), "ok"),
        vector(
            "three-crs",
            format!("{}\\r\\r\\r", good.text()),
            "malformed",
        ),
        vector(
            "version-01",
            good.text().replacen("BG1:", "BG01:", 1),
            "unsupported_version",
        ),
        vector("trailing-byte", trailing, "malformed"),
        vector("long-varint", signed_text(&long_varint, &k), "malformed"),
        vector("before-the-epoch", signed_text(&early, &k), "malformed"),
        vector(
            "final-group-over-255",
            format!("{}ZZ", good.text()),
            "malformed",
        ),
        vector(
            "signature-only",
            format!("BG1:{}", base45::encode(good.signature())),
            "malformed",
        ),
        Computed {
            text: None,
            bytes: Some(b"BG1:\xff\xfe".to_vec()),
            ..vector("not-utf-8", String::new(), "not_a_badge")
        },
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
        for (name, expect, text) in computed_lists() {
            println!(
                "\n```revocations\nlist: {name}\nexpect: {expect}\n{}```",
                text
            );
        }
        for c in computed() {
            println!(
                "\n```vector\nvector: {}\nexpect: {}\nat: {}\nzone: {}",
                c.name, c.expect, c.at, c.zone
            );
            if let Some(t) = c.trust {
                println!("trust: {t}");
            }
            if let Some(r) = c.revocations {
                println!("revocations: {r}");
            }
            if let Some(p) = c.photo {
                println!("photo: {p}");
            }
            match (&c.text, &c.bytes) {
                (Some(t), _) => println!("text: {t}"),
                (_, Some(b)) => println!("bytes: {}", hex(b)),
                _ => {}
            }
            println!("```");
        }
    }
    let doc_lists = lists();
    let want_lists = computed_lists();
    assert_eq!(
        doc_lists.len(),
        want_lists.len(),
        "list count in the document"
    );
    for ((name, expect, text), (wname, wexpect, wtext)) in doc_lists.iter().zip(&want_lists) {
        assert_eq!((name.as_str(), expect.as_str()), (*wname, *wexpect));
        assert_eq!(text, wtext, "list {name}");
    }
    let doc = vectors();
    let want = computed();
    assert_eq!(doc.len(), want.len(), "vector count in the document");
    for (v, c) in doc.iter().zip(want) {
        assert_eq!(v.name, c.name);
        assert_eq!(v.opt("text"), c.text.as_deref(), "vector {}: text", c.name);
        assert_eq!(
            v.opt("bytes").map(unhex),
            c.bytes,
            "vector {}: bytes",
            c.name
        );
        assert_eq!(
            v.get("expect"),
            c.expect,
            "vector {}: expected reason",
            c.name
        );
        assert_eq!(v.get("at"), c.at);
        assert_eq!(v.get("zone"), c.zone);
        assert_eq!(v.opt("trust"), c.trust);
        assert_eq!(v.opt("revocations"), c.revocations);
        assert_eq!(v.opt("photo"), c.photo);
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

/// The venue policies, as this implementation signs them.
fn computed_policies() -> Vec<(&'static str, &'static str, String)> {
    let k = registration_key();
    let draft = "venue: Geneva Summit 2026\n\
                 time-zone: Europe/Zurich\n\
                 zone: plenary Plenary hall\n\
                 zone: press Press centre\n\
                 category: hod #801020 id-check Head of delegation\n\
                 category: delegate #00529b - Delegate\n\
                 category: staff #008050 staff Security staff\n\
                 gate: north plenary in North entrance\n";
    let body = PolicyBody::parse_lines(draft, 1, true).unwrap();
    let at = parse_rfc3339("2026-11-30T18:00:00Z").unwrap();
    let (_, summit) = VenuePolicy::next(None, body, &k, at).unwrap().unwrap();
    let edited = summit.replace("Plenary hall", "Plenary hal1");
    // Well signed, but not canonical: upper-case colour digits.
    let upper_body = summit
        .replace("#801020", "#80102A")
        .split("signature: ")
        .next()
        .unwrap()
        .to_owned();
    let mut m = b"badgegate/policy/v1\0".to_vec();
    m.extend_from_slice(upper_body.as_bytes());
    let upper = format!("{upper_body}signature: {}\n", hex(&k.sign(&m)));
    // The guards' screens in Tajik: the optional `language:` line.
    let tajik_draft = draft.replace(
        "time-zone: Europe/Zurich\n",
        "time-zone: Asia/Dushanbe\nlanguage: tg\n",
    );
    let body = PolicyBody::parse_lines(&tajik_draft, 1, true).unwrap();
    let (_, tajik) = VenuePolicy::next(None, body, &k, at).unwrap().unwrap();
    vec![
        ("summit", "ok", summit),
        ("edited", "refused", edited),
        ("upper-case-colour", "refused", upper),
        ("tajik-screens", "ok", tajik),
    ]
}

#[test]
fn document_policies_match_and_read_as_stated() {
    let k = registration_key();
    let trust = TrustStore::from_keys(&[k.public()], &[]);
    let doc = policies();
    let computed = computed_policies();
    for (name, expect, text) in &computed {
        let found = doc.iter().find(|(n, _, _)| n == name);
        if found.is_none_or(|(_, e, t)| e != expect || t != text) {
            println!("\n```policy\nlist: {name}\nexpect: {expect}\n{text}```");
        }
    }
    assert_eq!(
        doc.iter()
            .map(|(n, e, t)| (n.as_str(), e.as_str(), t.clone()))
            .collect::<Vec<_>>(),
        computed,
        "the document's policy vectors differ from this implementation (new blocks printed above)"
    );
    for (name, expect, text) in doc {
        let got = VenuePolicy::parse_verified(&text, &trust);
        assert_eq!(
            got.is_ok(),
            expect == "ok",
            "policy {name}: {:?}",
            got.err()
        );
    }
}

#[test]
fn document_lists_read_as_stated() {
    let k = registration_key();
    let trust = TrustStore::from_keys(&[k.public()], &[]);
    for (name, expect, text) in lists() {
        let got = RevocationList::parse_verified(&text, &trust);
        assert_eq!(got.is_ok(), expect == "ok", "list {name}: {:?}", got.err());
    }
}

#[test]
fn document_vectors_decide_as_stated() {
    let k = registration_key();
    let lists = lists();
    for v in vectors() {
        let trust = match v.opt("trust") {
            Some("retired") => TrustStore::from_keys(&[], &[k.public()]),
            _ => TrustStore::from_keys(&[k.public()], &[]),
        };
        let set = v.opt("revocations").map(|name| {
            let (_, _, text) = lists
                .iter()
                .find(|(n, _, _)| n == name)
                .unwrap_or_else(|| panic!("list {name}"));
            RevocationSet::of([RevocationList::parse_verified(text, &trust).unwrap()])
        });
        let gate = GatePolicy {
            zone: Some(v.get("zone").to_owned()),
            skew_secs: 120,
            ..GatePolicy::default()
        };
        let checks = Checks {
            trust: &trust,
            revocations: set.as_ref(),
            gate: &gate,
            now: parse_rfc3339(v.get("at")).unwrap(),
        };
        let mut d = decide_bytes(&v.input(), &checks);
        if let (Some(photo), Some(b)) = (v.opt("photo"), d.badge.clone()) {
            let folder = tempfile::tempdir().unwrap();
            if photo != "none" {
                std::fs::write(
                    folder.path().join(format!("{}-photo.jpg", b.serial)),
                    vector_photo(photo),
                )
                .unwrap();
            }
            let found = badgegate::gate::photo::check(&b, Some(folder.path()));
            d = badgegate::gate::photo::apply(d, &found, Direction::In, false);
            if photo == "none" {
                assert!(d.flagged, "vector {}: no photo: flagged", v.name);
            }
        }
        assert_eq!(
            Some(d.reason),
            Reason::from_code(v.get("expect")),
            "vector {}: {}",
            v.name,
            d.detail
        );
    }
}

const JOURNAL_DOC: &str = include_str!("../../docs/journal-format.md");

/// The journal record vector: a format-2 decision record, first of its
/// kiosk, signed by the kiosk key of seed 0x42 0x43 …
fn journal_record() -> (badgegate::journal::Entry, SecretKey) {
    use badgegate::journal::{genesis_hash, record_hash, sign_record, Entry, NewEntry};
    use badgegate::vocab::{Direction, EntryDecision, EntryKind};
    let key = SecretKey::from_seed(&seed(0x42));
    let body = NewEntry {
        at_ms: 1_796_115_600_000,
        kind: EntryKind::Decision,
        gate: "north".into(),
        zone: Some("plenary".into()),
        direction: Direction::In,
        serial: Some("D-000123".into()),
        holder: Some("Maximilian Alexander von Hohenberg-Ruiz".into()),
        org: Some("Federal Ministry for European Affairs".into()),
        category: Some("delegate".into()),
        key_id: Some("56475aa7".into()),
        decision: EntryDecision::Admit,
        reason: Reason::Ok.into(),
        flagged: false,
        authentic: true,
        detail: "valid until 2026-12-02 21:00 UTC".into(),
        note: None,
        input: "camera:0#1234".into(),
        list_seq: None,
        guard: None,
    };
    let signer = hex(key.public().key.as_bytes());
    let prev = genesis_hash("north-1");
    let hash = record_hash(&prev, "north-1", 1, 2, &body, Some(&signer));
    let entry = Entry {
        id: 1,
        kiosk_id: "north-1".into(),
        seq: 1,
        body,
        prev_hash: prev,
        hash,
        format: 2,
        signer: Some(signer),
        sig: Some(sign_record(&key, &hash)),
    };
    (entry, key)
}

#[test]
fn the_journal_documents_record_vector_matches() {
    let (e, _) = journal_record();
    let field = |label: &str| {
        JOURNAL_DOC
            .lines()
            .find_map(|l| l.strip_prefix(label))
            .unwrap_or_else(|| panic!("{label} in the journal document"))
            .trim()
            .trim_matches('`')
            .to_owned()
    };
    if std::env::var_os("BADGEGATE_PRINT_VECTORS").is_some() {
        println!("genesis: {}", hex(&e.prev_hash));
        println!("signer: {}", e.signer.clone().unwrap());
        println!("hash: {}", hex(&e.hash));
        println!("sig: {}", hex(&e.sig.unwrap()));
    }
    assert_eq!(field("- kiosk public key:"), e.signer.clone().unwrap());
    assert_eq!(
        field("- genesis (prev_hash of record 1):"),
        hex(&e.prev_hash)
    );
    assert_eq!(field("- record hash:"), hex(&e.hash));
    assert_eq!(field("- signature:"), hex(&e.sig.unwrap()));
    assert_eq!(e.expected_hash(), e.hash);
}

/// The root key of the key list vectors: seed 0x20, 0x21, …
/// The document's ```key-vector blocks, each as its `key: value` fields.
pub(crate) fn key_vectors() -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut lines = DOC.lines();
    while let Some(l) = lines.next() {
        if l.trim() != "```key-vector" {
            continue;
        }
        let mut fields = Vec::new();
        for l in lines.by_ref() {
            if l.trim() == "```" {
                break;
            }
            let (k, v) = l.split_once(": ").expect("key: value");
            fields.push((k.to_owned(), v.to_owned()));
        }
        out.push(fields);
    }
    out
}

pub(crate) fn root_key() -> SecretKey {
    SecretKey::from_seed(&seed(0x20))
}

/// The key lists, as this implementation signs them: (name, expected
/// outcome, file text).
fn computed_keylists() -> Vec<(&'static str, &'static str, String)> {
    use badgegate::format::keylist::{Grant, KeyList, Scope};
    let root = root_key();
    let k = registration_key();
    let set = |codes: &[&str]| Scope::Only(codes.iter().map(|c| (*c).to_owned()).collect());
    let mut list = KeyList::empty(root.key_id());
    list.put_grant(Grant {
        key: k.public(),
        from: parse_rfc3339("2026-11-01T00:00:00Z").unwrap(),
        until: parse_rfc3339("2026-12-31T23:59:59Z").unwrap(),
        venues: set(&["arena"]),
        zones: set(&["lounge", "plenary", "press"]),
        categories: set(&["delegate", "press"]),
        label: "Arena accreditation desk".into(),
    })
    .unwrap();
    let arena = list
        .sign_next(&root, parse_rfc3339("2026-11-30T18:00:00Z").unwrap())
        .unwrap();
    list.withdraw(
        k.key_id(),
        parse_rfc3339("2026-12-01T12:00:00Z").unwrap(),
        "desk laptop stolen",
    )
    .unwrap();
    let withdrawn = list
        .sign_next(&root, parse_rfc3339("2026-12-01T12:05:00Z").unwrap())
        .unwrap();
    // The same grants, signed by the issuing key instead of the root.
    let mut by_issuer = KeyList::parse(&arena).unwrap().0;
    by_issuer.root_id = k.key_id();
    by_issuer.grants.clear();
    by_issuer.grants.push(Grant {
        key: root.public(),
        from: 0,
        until: parse_rfc3339("2030-01-01T00:00:00Z").unwrap(),
        venues: Scope::All,
        zones: Scope::All,
        categories: Scope::All,
        label: String::new(),
    });
    let not_root = by_issuer.sign(&k);
    let edited = arena.replace("venues=arena", "venues=*");
    vec![
        ("arena-desk", "ok", arena),
        ("withdrawn", "ok", withdrawn),
        ("signed-by-issuer", "refused", not_root),
        ("edited", "refused", edited),
    ]
}

/// (name, expect, at, zone, venue, key list, text) of each key list
/// decision vector.
type KeyVector = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    String,
);

fn computed_key_vectors() -> Vec<KeyVector> {
    let k = registration_key();
    let good = SignedBadge::sign(typical(), &k).unwrap().text().to_owned();
    let stranger = SignedBadge::sign(typical(), &SecretKey::from_seed(&seed(100)))
        .unwrap()
        .text()
        .to_owned();
    let by_root = SignedBadge::sign(typical(), &root_key())
        .unwrap()
        .text()
        .to_owned();
    let at = "2026-12-01T09:00:00Z";
    vec![
        (
            "key-in-scope",
            "ok",
            at,
            "plenary",
            "arena",
            "arena-desk",
            good.clone(),
        ),
        (
            "key-other-venue",
            "key_out_of_scope",
            at,
            "plenary",
            "stadium",
            "arena-desk",
            good.clone(),
        ),
        (
            "key-gate-without-venue",
            "key_out_of_scope",
            at,
            "plenary",
            "none",
            "arena-desk",
            good.clone(),
        ),
        (
            "key-after-its-window",
            "key_not_valid",
            "2027-01-01T00:10:00Z",
            "plenary",
            "arena",
            "arena-desk",
            good.clone(),
        ),
        (
            "key-withdrawn",
            "key_withdrawn",
            "2026-12-01T13:00:00Z",
            "plenary",
            "arena",
            "withdrawn",
            good,
        ),
        (
            "key-not-in-list",
            "unknown_key",
            at,
            "plenary",
            "arena",
            "arena-desk",
            stranger,
        ),
        (
            "signed-by-the-root",
            "unknown_key",
            at,
            "plenary",
            "arena",
            "arena-desk",
            by_root,
        ),
    ]
}

#[test]
fn document_key_lists_match_and_decide_as_stated() {
    let root = root_key();
    let doc_lists = blocks("```keys");
    let want = computed_keylists();
    let mut printed = false;
    for (name, expect, text) in &want {
        if !doc_lists
            .iter()
            .any(|(n, e, t)| n == name && e == expect && t == text)
        {
            printed = true;
            println!("\n```keys\nlist: {name}\nexpect: {expect}\n{text}```");
        }
    }
    let doc_vectors = key_vectors();
    let want_vectors = computed_key_vectors();
    let field = |v: &[(String, String)], k: &str| {
        v.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("key vector field {k}"))
    };
    for (name, expect, at, zone, venue, keys, text) in &want_vectors {
        let same = doc_vectors.iter().any(|v| {
            [
                ("vector", *name),
                ("expect", *expect),
                ("at", *at),
                ("zone", *zone),
                ("venue", *venue),
                ("keys", *keys),
                ("text", text.as_str()),
            ]
            .iter()
            .all(|(k, want)| field(v, k) == *want)
        });
        if !same {
            printed = true;
            println!(
                "\n```key-vector\nvector: {name}\nexpect: {expect}\nat: {at}\nzone: {zone}\nvenue: {venue}\nkeys: {keys}\ntext: {text}\n```"
            );
        }
    }
    assert!(
        !printed && doc_lists.len() == want.len() && doc_vectors.len() == want_vectors.len(),
        "the document's key list vectors differ from this implementation (blocks printed above)"
    );
    // What the document says, read by the reader as stated.
    for (name, expect, text) in &doc_lists {
        let got = badgegate::format::keylist::KeyList::parse_verified(text, &[root.public()]);
        assert_eq!(
            got.is_ok(),
            expect == "ok",
            "key list {name}: {:?}",
            got.err()
        );
    }
    for v in &doc_vectors {
        let list = doc_lists
            .iter()
            .find(|(n, _, _)| *n == field(v, "keys"))
            .map(|(_, _, t)| {
                badgegate::format::keylist::KeyList::parse_verified(t, &[root.public()]).unwrap()
            });
        let trust = TrustStore::from_roots(&[root.public()], list);
        let venue = field(v, "venue");
        let gate = GatePolicy {
            zone: Some(field(v, "zone")),
            skew_secs: 120,
            venue: (venue != "none").then_some(venue),
            ..GatePolicy::default()
        };
        let checks = Checks {
            trust: &trust,
            revocations: None,
            gate: &gate,
            now: parse_rfc3339(&field(v, "at")).unwrap(),
        };
        let d = decide_bytes(field(v, "text").as_bytes(), &checks);
        assert_eq!(
            Some(d.reason),
            Reason::from_code(&field(v, "expect")),
            "key vector {}: {}",
            field(v, "vector"),
            d.detail
        );
    }
}
