//! The patrol page: the kiosks' verifier built to WebAssembly, checked
//! against every vector of the documents under Node beside the native
//! decision; and the whole page in headless Chromium with a fake camera
//! (enrol, go offline, check real badge cards, come back, records at the
//! office).

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use badgegate::clock::parse_rfc3339;
use badgegate::format::keys::TrustStore;
use badgegate::format::revocation::RevocationList;
use badgegate::gate::decide::{decide_bytes, Checks, GatePolicy};
use badgegate::gate::lists::RevocationSet;
use badgegate::vocab::Direction;

use badgegate::format::badge::SignedBadge;

use crate::common::browser::Browser;
use crate::common::{office, photos, Desk, LiveKiosk};
use crate::vectors;

/// True when this build carries the patrol verifier (built with the
/// wasm32 target) and `tools` are installed; otherwise says SKIPPED (under
/// CI, which installs them, it fails instead).
fn patrol_ready(tools: &[&str]) -> bool {
    let mut missing: Vec<String> = tools
        .iter()
        .filter(|t| crate::common::tool(t).is_none())
        .map(|t| (*t).to_owned())
        .collect();
    if badgegate_office::office::patrol::WASM.is_empty() {
        missing.push(
            "the wasm32-unknown-unknown target (rustup target add wasm32-unknown-unknown)".into(),
        );
    }
    if missing.is_empty() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "CI must run this test, but {} is missing (.ci/run installs them)",
            missing.join(", ")
        );
    }
    eprintln!("SKIPPED: {} not installed", missing.join(", "));
    false
}

/// The verifier as this build carries it, written where Node can read it.
fn wasm_file(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("phone.wasm");
    std::fs::write(&path, badgegate_office::office::patrol::WASM).unwrap();
    path
}

fn pem(k: &badgegate::format::keys::PublicKey) -> String {
    k.to_pem().unwrap()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The native outcome, decided as the phone decides (no gate's skew or
/// direction beyond the default entry; a guard holds the phone).
fn native(
    input: &[u8],
    trust: &TrustStore,
    set: Option<&RevocationSet>,
    zone: Option<String>,
    venue: Option<String>,
    now: u64,
    photo: Option<Vec<u8>>,
) -> Value {
    let gate = GatePolicy {
        zone,
        venue,
        ..GatePolicy::default()
    };
    let checks = Checks {
        trust,
        revocations: set,
        gate: &gate,
        now,
    };
    let d = decide_bytes(input, &checks);
    let found = match (&d.badge, d.authentic) {
        (Some(b), true) => badgegate_core::decide::photo::judge(b, photo, "none on the phone"),
        _ => badgegate_core::decide::photo::PhotoCheck::NotOnBadge,
    };
    let d = badgegate_core::decide::photo::apply(d, &found, Direction::In, true);
    json!({
        "decision": d.verdict.code(),
        "reason": d.reason.code(),
        "authentic": d.authentic,
        "photo": found.code(),
        "flagged": d.flagged,
    })
}

/// Every badge and key-list vector of docs/badge-format.md as a case for
/// the Node test: what to load, what to decide, and the native outcome.
fn cases() -> Vec<Value> {
    let k = vectors::registration_key();
    let lists = vectors::lists();
    let mut out = Vec::new();
    for v in vectors::vectors() {
        let retired = v.opt("trust") == Some("retired");
        let trust = if retired {
            TrustStore::from_keys(&[], &[k.public()])
        } else {
            TrustStore::from_keys(&[k.public()], &[])
        };
        let list_text = v.opt("revocations").map(|name| {
            lists
                .iter()
                .find(|(n, _, _)| n == name)
                .unwrap_or_else(|| panic!("list {name}"))
                .2
                .clone()
        });
        let set = list_text
            .as_ref()
            .map(|t| RevocationSet::of([RevocationList::parse_verified(t, &trust).unwrap()]));
        let photo = v
            .opt("photo")
            .filter(|p| *p != "none")
            .map(vectors::vector_photo);
        let input = v.input();
        let now = parse_rfc3339(v.get("at")).unwrap();
        let zone = Some(v.get("zone").to_owned());
        let expect = native(
            &input,
            &trust,
            set.as_ref(),
            zone.clone(),
            None,
            now,
            photo.clone(),
        );
        let (text, input_hex) = match std::str::from_utf8(&input) {
            Ok(t) => (t.to_owned(), None),
            Err(_) => (
                String::from_utf8_lossy(&input).into_owned(),
                Some(hex(&input)),
            ),
        };
        out.push(json!({
            "name": v.name,
            "load": {
                "trust": if retired {
                    json!({ "retired": [pem(&k.public())] })
                } else {
                    json!({ "keys": [pem(&k.public())] })
                },
                "lists": list_text.into_iter().collect::<Vec<_>>(),
                "now": now,
            },
            "decide": {
                "text": text,
                "input_hex": input_hex,
                "now_ms": now * 1000,
                "zone": zone,
                "photo_given": photo.is_some(),
            },
            "photo_hex": photo.as_deref().map(hex),
            "expect": expect,
        }));
    }
    let root = vectors::root_key();
    let keylists = vectors::blocks("```keys");
    for v in vectors::key_vectors() {
        let field = |k: &str| {
            v.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        let list_text = keylists
            .iter()
            .find(|(n, _, _)| *n == field("keys"))
            .map(|(_, _, t)| t.clone());
        let list = list_text.as_ref().map(|t| {
            badgegate::format::keylist::KeyList::parse_verified(t, &[root.public()]).unwrap()
        });
        let trust = TrustStore::from_roots(&[root.public()], list);
        let venue = Some(field("venue")).filter(|v| v != "none");
        let now = parse_rfc3339(&field("at")).unwrap();
        let zone = Some(field("zone"));
        let text = field("text");
        let expect = native(
            text.as_bytes(),
            &trust,
            None,
            zone.clone(),
            venue.clone(),
            now,
            None,
        );
        out.push(json!({
            "name": format!("key list {}", field("vector")),
            "load": {
                "trust": { "roots": [pem(&root.public())] },
                "lists": list_text.into_iter().collect::<Vec<_>>(),
                "now": now,
            },
            "decide": { "text": text, "now_ms": now * 1000, "zone": zone, "venue": venue },
            "expect": expect,
        }));
    }
    out
}

#[test]
fn the_phone_verifier_decides_every_document_vector_as_the_kiosks_do() {
    if !patrol_ready(&["node"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wasm = wasm_file(dir.path());
    let cases = cases();
    assert!(cases.len() >= 20, "{} cases", cases.len());
    let cases_file = dir.path().join("cases.json");
    std::fs::write(&cases_file, serde_json::to_vec(&cases).unwrap()).unwrap();
    let test = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/phone/tests/vectors.test.mjs");
    let out = Command::new("node")
        .arg("--test")
        .arg("--test-reporter=tap")
        .arg(&test)
        .env("PHONE_WASM", &wasm)
        .env("PHONE_CASES", &cases_file)
        .output()
        .expect("node runs (Debian's nodejs)");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "node --test failed:\n{said}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every case ran: one test each, and the five others.
    let passed = said
        .lines()
        .find_map(|l| l.strip_prefix("# pass "))
        .and_then(|n| n.trim().parse::<usize>().ok())
        .unwrap_or(0);
    assert_eq!(passed, cases.len() + 5, "{said}");
}

/// A Y4M clip (Chromium's fake camera file) of `picture` held up in a
/// 1280x720 frame: the picture scaled to 680 px high on a dim background,
/// a few identical frames (Chromium plays the file in a loop).
fn y4m(picture: &image::RgbImage, out: &Path) {
    let (w, h) = (1280u32, 720u32);
    let scale = 680.0 / picture.height() as f32;
    let pw = (picture.width() as f32 * scale) as u32;
    let scaled = image::imageops::resize(picture, pw, 680, image::imageops::FilterType::Triangle);
    let mut frame = image::RgbImage::from_pixel(w, h, image::Rgb([70, 74, 80]));
    image::imageops::overlay(&mut frame, &scaled, i64::from((w - pw) / 2), 20);
    // BT.601 full range (C420jpeg), chroma averaged over 2x2.
    let mut bytes = format!("YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\n").into_bytes();
    let px = |x: u32, y: u32| {
        let p = frame.get_pixel(x, y).0;
        (f32::from(p[0]), f32::from(p[1]), f32::from(p[2]))
    };
    let mut one = Vec::new();
    one.extend_from_slice(b"FRAME\n");
    for y in 0..h {
        for x in 0..w {
            let (r, g, b) = px(x, y);
            one.push(
                (0.299 * r + 0.587 * g + 0.114 * b)
                    .round()
                    .clamp(0.0, 255.0) as u8,
            );
        }
    }
    for plane in 0..2 {
        for y in (0..h).step_by(2) {
            for x in (0..w).step_by(2) {
                let mut sum = 0.0;
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let (r, g, b) = px(x + dx, y + dy);
                    sum += if plane == 0 {
                        -0.168_736 * r - 0.331_264 * g + 0.5 * b + 128.0
                    } else {
                        0.5 * r - 0.418_688 * g - 0.081_312 * b + 128.0
                    };
                }
                one.push((sum / 4.0).round().clamp(0.0, 255.0) as u8);
            }
        }
    }
    for _ in 0..3 {
        bytes.extend_from_slice(&one);
    }
    std::fs::write(out, bytes).unwrap();
}

/// A port nobody listens on now.
fn free_port() -> u16 {
    badgegate::rehearse::pg::free_port().expect("a free port")
}

/// `office serve` with the patrol page on a fixed port (it is stopped and
/// started again on the same address: the phone's office).
fn serve_patrol(desk: &Desk, db: &str, port: u16) -> LiveKiosk {
    let listen = format!("127.0.0.1:{port}");
    let args = [
        "office",
        "serve",
        "--db",
        db,
        "--listen",
        &listen,
        "--time-zone",
        "Europe/Zurich",
        "--patrol-trust",
        "trust",
    ];
    let server = LiveKiosk::start(desk.path(), &args);
    crate::common::eventually("office serve with the patrol page", || {
        server.stderr().contains("office dashboard on ")
    });
    server
}

/// What the verdict screen shows: (shown, reason, headline, name line).
fn verdict(b: &Browser) -> (String, String, String, String) {
    let v = b.run(
        "const v = document.getElementById('verdict');
         return v.hidden ? null : [v.dataset.shown, v.dataset.reason,
             document.getElementById('verdict-head').innerText,
             document.getElementById('verdict-name').innerText + ' | ' + document.getElementById('verdict-org').innerText];",
        json!([]),
    );
    if v.is_null() {
        return Default::default();
    }
    let s = |i: usize| v[i].as_str().unwrap_or_default().to_owned();
    (s(0), s(1), s(2), s(3))
}

fn screenshots() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tmp/patrol-screenshots")
}

#[test]
fn a_phone_enrols_checks_four_badges_offline_and_its_records_reach_the_office() {
    let Some(pg) = crate::common::pg::Pg::start() else {
        return;
    };
    if !patrol_ready(&["chromium", "chromedriver"]) {
        return;
    }
    let desk = Desk::new();
    let r = office(&desk, &pg, &["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = office(
        &desk,
        &pg,
        &["add-publisher", "--name", "desk", "--out", "desk.office"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let password = crate::common::office_user(&desk, &pg, "anna");

    // Four badges: a delegate with her photo, a revoked one, a forgery of
    // the first with another name, and one whose photo at the office was
    // swapped for someone else's.
    std::fs::write(
        desk.p("a.jpg"),
        photos::jpeg(&badgegate::synth::portrait(900, 1200, 5)),
    )
    .unwrap();
    std::fs::write(
        desk.p("b.jpg"),
        photos::jpeg(&badgegate::synth::portrait(900, 1200, 6)),
    )
    .unwrap();
    let valid = desk.issue(
        "b",
        "D-1",
        &[
            "--name",
            "Amina Rahimova",
            "--org",
            "Tajikistan",
            "--photo",
            "a.jpg",
        ],
    );
    desk.issue(
        "b",
        "R-1",
        &["--name", "Oleg Petrov", "--org", "Press pool"],
    );
    desk.issue("b", "P-1", &["--name", "Li Ming", "--photo", "b.jpg"]);
    fs::copy(desk.p("b/D-1-photo.jpg"), desk.p("b/P-1-photo.jpg")).unwrap();
    let r = desk.run(&["publish-photos", "--office", "desk.office", "b"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "revoked.txt",
        "R-1",
        "--reason",
        "reported lost",
        "--office",
        "desk.office",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let signed = SignedBadge::parse(&valid).unwrap();
    let mut forged_badge = signed.badge.clone();
    forged_badge.name = "Head of Delegation".into();
    let mut raw = forged_badge.to_payload();
    raw.extend_from_slice(signed.signature());
    let forged = format!("BG2:{}", base45::encode(&raw));
    let forged_card = badgegate::read::render(&badgegate::read::encode(&forged).unwrap(), 10);
    let card = |serial: &str| {
        image::open(desk.p(&format!("b/{serial}-card.png")))
            .unwrap()
            .to_rgb8()
    };
    let clips = [
        ("valid", card("D-1"), "admit", "ok"),
        ("revoked", card("R-1"), "deny", "revoked"),
        (
            "forged",
            image::DynamicImage::ImageLuma8(forged_card).to_rgb8(),
            "deny",
            "bad_signature",
        ),
        ("photo-mismatch", card("P-1"), "deny", "photo_mismatch"),
    ];
    for (name, picture, _, _) in &clips {
        y4m(picture, &desk.p(&format!("{name}.y4m")));
    }
    y4m(
        &image::RgbImage::from_pixel(640, 480, image::Rgb([90, 90, 90])),
        &desk.p("blank.y4m"),
    );

    let port = free_port();
    let db = pg.admin_url();
    let server = serve_patrol(&desk, &db, port);
    let base = format!("http://127.0.0.1:{port}");
    let profile = desk.p("phone-profile");
    let phone = |clip: &str| Browser::with_camera(&desk.p(clip), &profile).expect("chromium");
    let shots = screenshots();

    // Enrol while the office is there; the lists and photos come with it.
    let b = phone("blank.y4m");
    b.resize(390, 844);
    b.goto(&format!("{base}/patrol/"));
    b.wait_for("the enrol form", Duration::from_secs(20), |b| {
        b.run("return !document.getElementById('enrol').hidden", json!([])) == json!(true)
    });
    b.screenshot(&shots.join("enrol-390x844.png"));
    b.type_into("#enrol-user", "anna");
    b.type_into("#enrol-password", &password);
    b.click("#enrol-form button");
    b.wait_for(
        "enrolled, lists verified and the office online",
        Duration::from_secs(30),
        |b| {
            b.run(
                "return document.getElementById('trust-line').dataset.state === 'ok'
                && document.getElementById('sync-line').dataset.unsent === '0'
                && !!navigator.serviceWorker.controller",
                json!([]),
            ) == json!(true)
        },
    );
    b.screenshot(&shots.join("ready-390x844.png"));
    let kiosk = pg.sql("SELECT kiosk_id FROM badgegate.kiosks WHERE gate = 'patrol'");
    assert_eq!(kiosk.trim(), "patrol-anna-1");
    drop(b);

    // The office goes away: the phone works from what it holds.
    server.kill();
    for (i, (clip, _, shown, reason)) in clips.iter().enumerate() {
        let b = phone(&format!("{clip}.y4m"));
        b.offline(true);
        b.resize(390, 844);
        b.goto(&format!("{base}/patrol/"));
        b.wait_for(
            &format!("the verdict on the {clip} badge"),
            Duration::from_secs(30),
            |b| !verdict(b).0.is_empty(),
        );
        let (got_shown, got_reason, head, who) = verdict(&b);
        assert_eq!(
            (got_shown.as_str(), got_reason.as_str()),
            (*shown, *reason),
            "{clip}: {head} {who}"
        );
        match *clip {
            "valid" => {
                assert_eq!(head, "ADMIT");
                assert!(who.contains("Amina Rahimova"), "{who}");
                let photo = b.run(
                    "const i = document.getElementById('verdict-photo'); return !i.hidden && i.naturalWidth > 0;",
                    json!([]),
                );
                assert_eq!(photo, json!(true), "the matching photo is shown");
            }
            "forged" => {
                assert_eq!(head, "DENY");
                assert!(who.contains("NAME NOT VERIFIED"), "{who}");
                assert!(!who.starts_with("Head of Delegation"), "{who}");
            }
            "photo-mismatch" => {
                let photo = b.run(
                    "return document.getElementById('verdict-photo').hidden;",
                    json!([]),
                );
                assert_eq!(photo, json!(true), "a swapped photo is never shown");
            }
            _ => assert_eq!(head, "DENY"),
        }
        let unsent = b.run(
            "return document.getElementById('sync-line').dataset.unsent",
            json!([]),
        );
        assert_eq!(
            unsent,
            json!((i + 1).to_string()),
            "{clip}: checks kept on the phone"
        );
        b.screenshot(&shots.join(format!("{clip}-390x844.png")));
        if *clip == "valid" {
            b.resize(1366, 768);
            b.screenshot(&shots.join("valid-1366x768.png"));
        }
    }

    // Back online: the four checks reach the office, signed by the phone.
    let server = serve_patrol(&desk, &db, port);
    let b = phone("blank.y4m");
    b.resize(390, 844);
    b.goto(&format!("{base}/patrol/"));
    b.wait_for("every check sent", Duration::from_secs(40), |b| {
        b.run(
            "return document.getElementById('sync-line').dataset.unsent",
            json!([]),
        ) == json!("0")
    });
    drop(b);
    let rows = pg.sql(
        "SELECT seq, kind, reason, decision, authentic, encode(hash, 'hex'), encode(sig, 'hex'), signer
           FROM badgegate.records WHERE kiosk_id = 'patrol-anna-1' ORDER BY seq",
    );
    let rows: Vec<Vec<&str>> = rows.lines().map(|l| l.split('|').collect()).collect();
    let kinds: Vec<(&str, &str)> = rows.iter().map(|r| (r[1], r[2])).collect();
    assert_eq!(
        kinds,
        [
            ("start", "start"),
            ("check", "ok"),
            ("check", "revoked"),
            ("check", "bad_signature"),
            ("check", "photo_mismatch")
        ]
    );
    let key_pub = pg.sql("SELECT key_pub FROM badgegate.kiosks WHERE kiosk_id = 'patrol-anna-1'");
    let key = badgegate::format::keys::PublicKey::from_raw(&unhex(key_pub.trim())).unwrap();
    for r in &rows {
        let hash: [u8; 32] = unhex(r[5]).try_into().unwrap();
        let sig: [u8; 64] = unhex(r[6]).try_into().unwrap();
        assert_eq!(r[7], key_pub.trim());
        assert!(
            key.verify(&badgegate::journal::signed_message(&hash), &sig),
            "record {} is signed by the phone's key",
            r[0]
        );
    }
    // The revoked badge seen on patrol is an alarm; nobody was moved inside.
    let alarming = pg.sql(
        "SELECT string_agg(badgegate.record_alarm(kind, reason, flagged), ',' ORDER BY seq)
           FROM badgegate.records WHERE kiosk_id = 'patrol-anna-1'",
    );
    assert_eq!(alarming.trim(), "kiosk_start,revoked,forged,photo_mismatch");
    assert_eq!(
        pg.sql("SELECT count(*) FROM badgegate.presence WHERE inside")
            .trim(),
        "0"
    );

    // Whoever holds the office database offers a newer list of its own
    // making (the revoked badge dropped, the signature not the desk's):
    // the phone refuses it, says so in red, and still denies the badge.
    let list = fs::read_to_string(desk.p("revoked.txt")).unwrap();
    let forged_list = list
        .replace("sequence: 1\n", "sequence: 2\n")
        .lines()
        .filter(|l| !l.starts_with("revoke: R-1"))
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    let key_id = list
        .lines()
        .find_map(|l| l.strip_prefix("key-id: "))
        .unwrap()
        .to_owned();
    pg.sql(&format!(
        "INSERT INTO badgegate.lists (kind, key_id, sequence, body) VALUES ('revocations', '{key_id}', 2, $${forged_list}$$)"
    ));
    let b = phone("revoked.y4m");
    b.resize(390, 844);
    b.goto(&format!("{base}/patrol/"));
    b.wait_for("the forged list refused, in red", Duration::from_secs(30), |b| {
        b.run(
            "const t = document.getElementById('trust-line'); return t.dataset.state === 'bad' && /REFUSED/.test(t.innerText);",
            json!([]),
        ) == json!(true)
    });
    b.wait_for(
        "the revoked badge still refused",
        Duration::from_secs(30),
        |b| verdict(b).1 == "revoked",
    );
    b.screenshot(&shots.join("forged-list-refused-390x844.png"));
    drop(b);

    // The dashboard shows them: the live page and the badge's story.
    let b = Browser::start().expect("chromium");
    crate::dashboard::sign_in(&b, &base, "anna", &password);
    b.goto(&format!("{base}/live"));
    b.wait_for("the patrol checks on the live page", Duration::from_secs(20), |b| {
        b.run(
            "return document.querySelectorAll('tr[data-key^=\"patrol-anna-1:\"][data-gate=\"patrol\"]').length",
            json!([]),
        ).as_i64().unwrap_or(0) >= 5
    });
    b.screenshot(&shots.join("dashboard-live.png"));
    b.goto(&format!("{base}/badge/R-1"));
    b.wait_for(
        "the patrol check in R-1's story",
        Duration::from_secs(20),
        |b| {
            let t = b.text("body");
            t.contains("patrol") && t.contains("Oleg Petrov")
        },
    );
    b.screenshot(&shots.join("dashboard-badge-R-1.png"));
    drop(server);
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn http() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(20)))
            .build(),
    )
}

/// (status, body) of a JSON request to the patrol API.
fn call_api(method: &str, url: &str, token: Option<&str>, body: Option<Value>) -> (u16, String) {
    let agent = http();
    let mut r = match (method, body) {
        ("POST", Some(b)) => {
            let mut req = agent.post(url);
            if let Some(t) = token {
                req = req.header("Authorization", format!("Bearer {t}"));
            }
            req.send_json(&b).expect("an answer")
        }
        _ => {
            let mut req = agent.get(url);
            if let Some(t) = token {
                req = req.header("Authorization", format!("Bearer {t}"));
            }
            req.call().expect("an answer")
        }
    };
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().unwrap_or_default())
}

/// A phone's record made by the phone's own code (natively here): a
/// check of `text`, or the start record when `text` is `None`.
fn phone_record(
    seed: &str,
    kiosk: &str,
    seq: u64,
    prev: Option<&str>,
    text: Option<&str>,
) -> Value {
    let chain = json!({ "kiosk_id": kiosk, "seq": seq, "prev_hash": prev, "seed": seed });
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let v = match text {
        None => badgegate_phone::call(
            "event",
            json!({ "kind": "start", "reason": "start", "detail": "enrolled", "now_ms": now_ms, "chain": chain })
                .to_string()
                .as_bytes(),
            None,
        ),
        Some(t) => badgegate_phone::call(
            "decide",
            json!({ "text": t, "now_ms": now_ms, "chain": chain })
                .to_string()
                .as_bytes(),
            None,
        ),
    };
    match text {
        None => v["ok"].clone(),
        Some(_) => v["ok"]["record"].clone(),
    }
}

#[test]
fn the_patrol_api_refuses_strangers_forgeries_and_another_phones_records() {
    let Some(pg) = crate::common::pg::Pg::start() else {
        return;
    };
    let desk = Desk::new();
    assert_eq!(office(&desk, &pg, &["init"]).code, 0);
    let password = crate::common::office_user(&desk, &pg, "anna");
    let badge = desk.issue("b", "D-7", &[]);
    let port = free_port();
    let _server = serve_patrol(&desk, &pg.admin_url(), port);
    let api = |p: &str| format!("http://127.0.0.1:{port}/patrol/api/{p}");
    let pem = fs::read_to_string(desk.p("trust/registration.pub.pem")).unwrap();
    let load = json!({ "trust": { "keys": [pem] }, "lists": [], "now": 1_800_000_000u64 });
    badgegate_phone::call("load", load.to_string().as_bytes(), None);

    let seed = "22".repeat(32);
    let key = badgegate_phone::call("key", json!({ "seed": seed }).to_string().as_bytes(), None)
        ["ok"]["public"]
        .as_str()
        .unwrap()
        .to_owned();
    // A wrong password enrols nothing; nor does a key that is not one.
    let (s, said) = call_api(
        "POST",
        &api("enrol"),
        None,
        Some(json!({ "user": "anna", "password": "not her password", "public": key })),
    );
    assert_eq!(s, 401, "{said}");
    let (s, said) = call_api(
        "POST",
        &api("enrol"),
        None,
        Some(json!({ "user": "anna", "password": password, "public": "00".repeat(31) })),
    );
    assert_eq!(s, 400, "{said}");
    assert_eq!(pg.sql("SELECT count(*) FROM badgegate.kiosks").trim(), "0");
    // Without a token, or with a made-up one: nothing.
    for token in [None, Some("ab".repeat(32))] {
        let (s, said) = call_api("GET", &api("data"), token.as_deref(), None);
        assert_eq!(s, 401, "{said}");
        let (s, _) = call_api("GET", &api("photo/D-7"), token.as_deref(), None);
        assert_eq!(s, 401);
        let (s, _) = call_api(
            "POST",
            &api("records"),
            token.as_deref(),
            Some(json!({ "records": [] })),
        );
        assert_eq!(s, 401);
    }

    // Two phones enrolled properly.
    let enrol = |public: &str| {
        let (s, said) = call_api(
            "POST",
            &api("enrol"),
            None,
            Some(json!({ "user": "anna", "password": password, "public": public })),
        );
        assert_eq!(s, 200, "{said}");
        let v: Value = serde_json::from_str(&said).unwrap();
        (
            v["kiosk_id"].as_str().unwrap().to_owned(),
            v["token"].as_str().unwrap().to_owned(),
        )
    };
    let (one, one_token) = enrol(&key);
    let (s, said) = call_api(
        "POST",
        &api("enrol"),
        None,
        Some(json!({ "user": "anna", "password": password, "public": key })),
    );
    assert_eq!(s, 400, "a key enrols once: {said}");
    let other_seed = "33".repeat(32);
    let other_key = badgegate_phone::call(
        "key",
        json!({ "seed": other_seed }).to_string().as_bytes(),
        None,
    )["ok"]["public"]
        .as_str()
        .unwrap()
        .to_owned();
    let (two, two_token) = enrol(&other_key);
    assert_eq!(
        (one.as_str(), two.as_str()),
        ("patrol-anna-1", "patrol-anna-2")
    );

    let start = phone_record(&seed, &one, 1, None, None);
    let check = phone_record(&seed, &one, 2, start["hash"].as_str(), Some(&badge));
    let count = || {
        pg.sql("SELECT count(*) FROM badgegate.records")
            .trim()
            .to_owned()
    };
    // Phone two sends phone one's records: refused, whatever they say.
    let (s, said) = call_api(
        "POST",
        &api("records"),
        Some(&two_token),
        Some(json!({ "records": [start] })),
    );
    assert_eq!(s, 400, "{said}");
    // Records signed by another key under phone one's id: refused.
    let stranger = phone_record(&other_seed, &one, 1, None, None);
    let (s, said) = call_api(
        "POST",
        &api("records"),
        Some(&one_token),
        Some(json!({ "records": [stranger] })),
    );
    assert_eq!(s, 400, "{said}");
    assert!(said.contains("another key"), "{said}");
    // A record edited after signing (another holder's name): refused.
    let mut edited = check.clone();
    edited["holder"] = json!("Someone Else");
    let (s, said) = call_api(
        "POST",
        &api("records"),
        Some(&one_token),
        Some(json!({ "records": [start, edited] })),
    );
    assert_eq!(s, 400, "{said}");
    assert!(said.contains("does not match its hash"), "{said}");
    // A signature from someone else over the right hash: refused.
    let mut resigned = start.clone();
    resigned["sig"] = json!("00".repeat(64));
    let (s, said) = call_api(
        "POST",
        &api("records"),
        Some(&one_token),
        Some(json!({ "records": [resigned] })),
    );
    assert_eq!(s, 400, "{said}");
    assert_eq!(count(), "0", "nothing refused was stored");

    // The genuine records, twice (a phone that lost the answer sends them
    // again): stored once, in its chain.
    for _ in 0..2 {
        let (s, said) = call_api(
            "POST",
            &api("records"),
            Some(&one_token),
            Some(json!({ "records": [start, check] })),
        );
        assert_eq!((s, said.trim()), (200, r#"{"head":2}"#));
    }
    assert_eq!(count(), "2");
    assert_eq!(
        pg.sql("SELECT kind || ' ' || reason || ' ' || gate FROM badgegate.records WHERE kiosk_id = 'patrol-anna-1' AND seq = 2").trim(),
        "check ok patrol"
    );
    // The office's export keeps them as a journal the audit checks.
    let r = office(&desk, &pg, &["export", "--journal", "venue.db"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = desk.run(&["audit", "verify", "--journal", "venue.db", "--json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("patrol-anna-1"), "{}", r.stdout);
    // A phone's data: the lists and photo index, with its token only.
    let (s, said) = call_api("GET", &api("data"), Some(&one_token), None);
    assert_eq!(s, 200, "{said}");
    assert!(said.contains("\"lists\""), "{said}");
    // The page itself needs no sign-in, and says so when not served.
    let (s, page) = call_api(
        "GET",
        &format!("http://127.0.0.1:{port}/patrol/"),
        None,
        None,
    );
    assert_eq!(s, 200);
    assert!(page.contains("patrol.js"), "{page}");
}

#[test]
fn every_word_the_patrol_page_says_is_there_in_english_russian_and_tajik() {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/phone/web");
    let js = fs::read_to_string(web.join("patrol.js")).unwrap();
    let html = fs::read_to_string(web.join("index.html")).unwrap();
    let mut keys = std::collections::BTreeSet::new();
    for (text, open) in [(&js, "w('"), (&html, "data-w=\"")] {
        for (at, _) in text.match_indices(open) {
            // `w('…')` itself, not `show('…')`.
            let before = text[..at].chars().last().unwrap_or(' ');
            if before.is_ascii_alphanumeric() || before == '_' {
                continue;
            }
            let key: String = text[at + open.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !key.is_empty() {
                keys.insert(key);
            }
        }
    }
    // Words picked by a reason code: every badge reason a phone can show.
    for r in badgegate::vocab::Reason::ALL {
        keys.insert(r.code().to_owned());
    }
    // Those the verdict names by the shown word.
    for k in [
        "admit",
        "deny",
        "check_id",
        "valid_until",
        "check_photo_missing",
    ] {
        keys.insert(k.to_owned());
    }
    assert!(keys.len() > 40, "{keys:?}");
    for lang in badgegate::screen::lang::Lang::ALL {
        let page: Value = serde_json::from_str(
            &fs::read_to_string(web.join(format!("words/{}.json", lang.code()))).unwrap(),
        )
        .unwrap();
        let screen = serde_json::to_value(lang.words()).unwrap();
        let missing: Vec<&String> = keys
            .iter()
            // `ok` is said as "valid until"; a phone keeps no presence, so
            // never says `already_inside`.
            .filter(|k| !["ok", "already_inside"].contains(&k.as_str()))
            .filter(|k| page.get(k.as_str()).is_none() && screen.get(k.as_str()).is_none())
            .collect();
        assert!(
            missing.is_empty(),
            "{}: no words for {missing:?}",
            lang.code()
        );
        // The page's own words: the same keys in every language, none empty.
        let en: Value =
            serde_json::from_str(&fs::read_to_string(web.join("words/en.json")).unwrap()).unwrap();
        let en_keys: Vec<&String> = en.as_object().unwrap().keys().collect();
        let these: Vec<&String> = page.as_object().unwrap().keys().collect();
        assert_eq!(these, en_keys, "{}", lang.code());
        assert!(page.as_object().unwrap().values().all(|v| !v
            .as_str()
            .unwrap_or("")
            .trim()
            .is_empty()));
    }
}

#[test]
fn a_patrol_bundle_is_a_static_site_that_checks_badges_without_an_office() {
    let desk = Desk::new();
    std::fs::write(
        desk.p("a.jpg"),
        photos::jpeg(&badgegate::synth::portrait(900, 1200, 7)),
    )
    .unwrap();
    desk.issue(
        "b",
        "D-2",
        &["--name", "Nodira Karimova", "--photo", "a.jpg"],
    );
    desk.issue("b", "R-2", &["--name", "Ivan Sidorov"]);
    desk.issue(
        "b",
        "S-2",
        &["--name", "Sara Usmonova", "--category", "staff"],
    );
    fs::create_dir_all(desk.p("lists")).unwrap();
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "lists/revoked.txt",
        "R-2",
        "--reason",
        "reported stolen",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    // Not a list: refused, nothing written.
    let r = desk.run(&[
        "patrol",
        "bundle",
        "--trust",
        "trust",
        "--lists",
        "b/D-2.txt",
        "--out",
        "bad",
    ]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("not a signed revocation list"),
        "{}",
        r.stderr
    );
    // A trust folder holding a secret key: refused as a kiosk refuses it.
    fs::create_dir_all(desk.p("leaky")).unwrap();
    fs::copy(
        desk.p("keys/registration.key.pem"),
        desk.p("leaky/registration.key.pem"),
    )
    .unwrap();
    fs::copy(
        desk.p("trust/registration.pub.pem"),
        desk.p("leaky/registration.pub.pem"),
    )
    .unwrap();
    let r = desk.run(&[
        "patrol",
        "bundle",
        "--trust",
        "leaky",
        "--out",
        "leaky-site",
    ]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let r = desk.run(&[
        "patrol", "bundle", "--trust", "trust", "--lists", "lists", "--photos", "b", "--out",
        "site",
    ]);
    if !patrol_ready(&[]) {
        assert_eq!(r.code, 2);
        return;
    }
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("1 signed list(s), 1 photo(s)"),
        "{}",
        r.stdout
    );
    for f in [
        "index.html",
        "phone.js",
        "patrol.js",
        "sw.js",
        "phone.wasm",
        "config.json",
        "data.json",
        "words/tg.json",
        "screen-words/ru.json",
        "photos/D-2-photo.jpg",
    ] {
        assert!(desk.p(&format!("site/{f}")).is_file(), "{f}");
    }
    let sw = fs::read_to_string(desk.p("site/sw.js")).unwrap();
    assert!(
        !sw.contains("__VERSION__"),
        "the service worker names its build"
    );
    let config: Value =
        serde_json::from_str(&fs::read_to_string(desk.p("site/config.json")).unwrap()).unwrap();
    assert_eq!(config["mode"], json!("bundle"));
    assert_eq!(config["trust"]["keys"].as_array().unwrap().len(), 1);
    // Written once: a second bundle into the same folder is refused.
    let r = desk.run(&["patrol", "bundle", "--trust", "trust", "--out", "site"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);

    // Served from localhost as any static site, on a phone with no office.
    if !patrol_ready(&["chromium", "chromedriver", "python3"]) {
        return;
    }
    let port = free_port();
    let mut server = crate::common::browser::serve_static(&desk.p("site"), port);
    let card = image::open(desk.p("b/R-2-card.png")).unwrap().to_rgb8();
    y4m(&card, &desk.p("r2.y4m"));
    let b = Browser::with_camera(&desk.p("r2.y4m"), &desk.p("profile")).expect("chromium");
    b.resize(390, 844);
    crate::common::eventually("the static site up", || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    b.goto(&format!("http://127.0.0.1:{port}/"));
    b.wait_for("the enrol form", Duration::from_secs(20), |b| {
        b.run("return !document.getElementById('enrol').hidden", json!([])) == json!(true)
    });
    b.click("#enrol-form button");
    b.wait_for("the revoked badge refused", Duration::from_secs(30), |b| {
        verdict(b).1 == "revoked"
    });
    let line = b.text("#sync-line");
    assert!(line.contains("no office"), "{line}");
    b.screenshot(&screenshots().join("bundle-revoked-390x844.png"));
    drop(b);
    // A guard signs in on the phone with a staff badge, never a guest's.
    let shown_phone = |clip: &str| {
        let b = Browser::with_camera(&desk.p(clip), &desk.p("profile")).expect("chromium");
        b.resize(390, 844);
        b.goto(&format!("http://127.0.0.1:{port}/"));
        b.wait_for("a verdict", Duration::from_secs(30), |b| {
            !verdict(b).0.is_empty()
        });
        b.click("#guard-button");
        b
    };
    let guest = image::open(desk.p("b/D-2-card.png")).unwrap().to_rgb8();
    y4m(&guest, &desk.p("guest.y4m"));
    let b = shown_phone("guest.y4m");
    b.wait_for(
        "a guest badge refused for sign-in",
        Duration::from_secs(20),
        |b| b.text("#guard-note").contains("not a staff badge"),
    );
    drop(b);
    let staff = image::open(desk.p("b/S-2-card.png")).unwrap().to_rgb8();
    y4m(&staff, &desk.p("staff.y4m"));
    let b = shown_phone("staff.y4m");
    b.wait_for(
        "the staff badge's holder signed in",
        Duration::from_secs(20),
        |b| b.text("#guard-button").contains("Sara Usmonova"),
    );
    b.screenshot(&screenshots().join("bundle-signed-in-390x844.png"));
    let kept = b.run(
        "return new Promise((ok) => { const r = indexedDB.open('badgegate-patrol');
           r.onsuccess = () => { const q = r.result.transaction('outbox').objectStore('outbox').getAll();
             q.onsuccess = () => ok(q.result.map((x) => x.kind + ' ' + x.reason + ' ' + (x.guard || ''))); }; });",
        json!([]),
    );
    let kept: Vec<String> = serde_json::from_value(kept).unwrap();
    assert_eq!(
        kept.first().map(String::as_str),
        Some("start start "),
        "{kept:?}"
    );
    assert_eq!(
        kept.last().map(String::as_str),
        Some("shift guard_signed_in Sara Usmonova"),
        "{kept:?}"
    );
    let _ = server.kill();
    let _ = server.wait();
}
