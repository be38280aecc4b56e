//! The patrol page's numbers:
//!
//! 1. its size: wasm, JS, CSS and HTML gzipped (goal ≤ 1 MB);
//! 2. the in-browser reader (`phone.wasm`'s light reader, run under Node's
//!    V8, the engine Chromium runs it in) beside the native kiosk pipeline
//!    and the native light reader, on the project's own generated frames of
//!    signed badge cards (1280x720, every condition): frames read, a wrong
//!    text never, and time a frame;
//! 3. in headless Chromium (Debian's, with a fake camera of a badge held
//!    up, the page written by `patrol bundle` and served from localhost):
//!    the first verdict after the frame holding the code (goal ≤ 300 ms),
//!    the time to load the page offline from its service worker, and the
//!    page's memory (JS heap and the module's memory).
//!
//! `cargo bench --bench patrol` (`BADGEGATE_BENCH_FRAMES`, frames per
//! condition, default 8; `BADGEGATE_BENCH_RUNS`, offline page loads,
//! default 5).

#[allow(dead_code)]
#[path = "../tests/it/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use badgegate::read;
use badgegate::synth::{condition_frame, Condition};
use serde_json::{json, Value};

const NOW: u64 = 1_790_000_040;
const SEED: [u8; 32] = [9; 32];

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn cards() -> Vec<(String, image::GrayImage)> {
    let org = "Delegation of the Test Republic";
    badgegate::synth::signed_cards(
        SEED,
        &[
            ("T-00000", "Ada Lovelace-Byron", org),
            ("T-00001", "Фарҳод Раҳимов", org),
            ("T-00002", "Amina Diallo", org),
        ],
        NOW,
    )
}

/// The node script: the page's own phone.js over phone.wasm, reading each
/// frame of a file of RGBA frames.
const NODE_READER: &str = r#"
const fs = require('fs');
const vm = require('vm');
vm.runInThisContext(fs.readFileSync(process.argv[2], 'utf8'));
(async () => {
  const phone = await globalThis.BadgegatePhone.instantiate(fs.readFileSync(process.argv[3]));
  const frames = JSON.parse(fs.readFileSync(process.argv[4], 'utf8'));
  const raw = fs.readFileSync(process.argv[5]);
  const out = [];
  let at = 0;
  for (const f of frames) {
    const n = f.width * f.height * 4;
    const rgba = new Uint8Array(raw.buffer, raw.byteOffset + at, n);
    at += n;
    const t0 = performance.now();
    const r = phone.call('read', { width: f.width, height: f.height }, rgba);
    out.push({ ms: performance.now() - t0, texts: r.codes.map((c) => c.text) });
  }
  process.stdout.write(JSON.stringify(out));
})();
"#;

#[derive(Default)]
struct Tally {
    read: usize,
    wrong: usize,
    ms: Vec<f64>,
}

fn reader_comparison(dir: &Path, wasm: &Path, phone_js: &Path) {
    let cards = cards();
    let per = env_usize("BADGEGATE_BENCH_FRAMES", 8);
    let mut frames = Vec::new();
    for cond in Condition::ALL {
        for i in 0..per as u64 {
            let (a, b) = (&cards[i as usize % 3], &cards[(i as usize + 1) % 3]);
            let frame = condition_frame(&[&a.1, &b.1], cond, 1280, 720, 5000 + i * 11);
            let expected: Vec<String> = match cond {
                Condition::NoBadge => vec![],
                Condition::TwoBadges => vec![a.0.clone(), b.0.clone()],
                _ => vec![a.0.clone()],
            };
            frames.push((cond, frame, expected));
        }
    }
    // The frames as the page hands them over: RGBA.
    let mut raw = Vec::new();
    let mut dims = Vec::new();
    for (_, f, _) in &frames {
        for p in f.pixels() {
            raw.extend_from_slice(&[p.0[0], p.0[0], p.0[0], 255]);
        }
        dims.push(json!({ "width": f.width(), "height": f.height() }));
    }
    std::fs::write(dir.join("frames.rgba"), &raw).unwrap();
    std::fs::write(dir.join("frames.json"), serde_json::to_vec(&dims).unwrap()).unwrap();
    std::fs::write(dir.join("reader.cjs"), NODE_READER).unwrap();
    let out = Command::new("node")
        .arg(dir.join("reader.cjs"))
        .arg(phone_js)
        .arg(wasm)
        .arg(dir.join("frames.json"))
        .arg(dir.join("frames.rgba"))
        .output()
        .expect("node");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wasm_results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();

    let score = |found: &[String], expected: &[String], t: &mut Tally| {
        if found.iter().any(|f| !expected.contains(f)) {
            t.wrong += 1;
        }
        if !expected.is_empty() && expected.iter().all(|e| found.contains(e)) {
            t.read += 1;
        }
        if expected.is_empty() && found.is_empty() {
            t.read += 1;
        }
    };
    println!("\nreader on generated 1280x720 frames ({per} a condition), frames read:");
    println!(
        "{:<12} {:>14} {:>14} {:>14}",
        "condition", "native kiosk", "native light", "wasm light"
    );
    let mut totals = <[Tally; 3]>::default();
    for cond in Condition::ALL {
        let mut row = <[Tally; 3]>::default();
        for (i, (c, frame, expected)) in frames.iter().enumerate() {
            if *c != cond {
                continue;
            }
            let t0 = Instant::now();
            let found: Vec<String> = read::decode(frame).iter().map(|c| c.text()).collect();
            row[0].ms.push(t0.elapsed().as_secs_f64() * 1000.0);
            score(&found, expected, &mut row[0]);
            let t0 = Instant::now();
            let found: Vec<String> = read::decode_light(frame).iter().map(|c| c.text()).collect();
            row[1].ms.push(t0.elapsed().as_secs_f64() * 1000.0);
            score(&found, expected, &mut row[1]);
            let w = &wasm_results[i];
            let found: Vec<String> = w["texts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_owned())
                .collect();
            row[2].ms.push(w["ms"].as_f64().unwrap());
            score(&found, expected, &mut row[2]);
        }
        println!(
            "{:<12} {:>14} {:>14} {:>14}",
            cond.name(),
            format!("{}/{per}", row[0].read),
            format!("{}/{per}", row[1].read),
            format!("{}/{per}", row[2].read)
        );
        for (t, r) in totals.iter_mut().zip(row) {
            t.read += r.read;
            t.wrong += r.wrong;
            t.ms.extend(r.ms);
        }
    }
    let n = frames.len();
    for (name, t) in [
        "native kiosk pipeline",
        "native light reader",
        "wasm light reader (Node V8)",
    ]
    .iter()
    .zip(totals.iter_mut())
    {
        println!(
            "{name:<28} read {:>3}/{n} ({:.0} %), wrong texts {}, ms a frame p50 {:.1} p95 {:.1} max {:.1}",
            t.read,
            100.0 * t.read as f64 / n as f64,
            t.wrong,
            percentile(&mut t.ms.clone(), 0.5),
            percentile(&mut t.ms.clone(), 0.95),
            percentile(&mut t.ms, 1.0)
        );
    }
}

/// A Y4M clip of one grey frame (Chromium's fake camera plays it looped).
fn y4m(frame: &image::GrayImage, out: &Path) {
    let (w, h) = (frame.width(), frame.height());
    let mut bytes = format!("YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\n").into_bytes();
    let mut one = b"FRAME\n".to_vec();
    one.extend_from_slice(frame.as_raw());
    one.extend(std::iter::repeat_n(128u8, (w * h / 2) as usize));
    for _ in 0..3 {
        bytes.extend_from_slice(&one);
    }
    std::fs::write(out, bytes).unwrap();
}

fn browser_numbers(dir: &Path) {
    use common::browser::Browser;
    if common::tool("chromium").is_none() || common::tool("chromedriver").is_none() {
        println!("\nChromium: SKIPPED (chromium and chromium-driver are not installed)");
        return;
    }
    // The page as `patrol bundle` writes it, trusting the cards' key.
    let key = badgegate::format::keys::SecretKey::from_seed(&SEED);
    let trust = dir.join("trust");
    std::fs::create_dir_all(&trust).unwrap();
    std::fs::write(
        trust.join("registration.pub.pem"),
        key.public().to_pem().unwrap(),
    )
    .unwrap();
    let site = dir.join("site");
    badgegate_office::office::patrol::bundle(&site, &trust, &[], None, None).unwrap();
    let port = badgegate::rehearse::pg::free_port().expect("a free port");
    let serve = || common::browser::serve_static(&site, port);
    let mut server = serve();
    std::thread::sleep(Duration::from_millis(500));
    // A card valid now (the reader's cards are dated for a fixed day).
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let cards = badgegate::synth::signed_cards(SEED, &[("T-00009", "Amina Diallo", "Mali")], now);
    let frame = condition_frame(&[&cards[0].1], Condition::Clean, 1280, 720, 77);
    let clip = dir.join("badge.y4m");
    y4m(&frame, &clip);
    let profile = dir.join("profile");
    let phone = || Browser::with_camera(&clip, &profile).expect("chromium");
    let url = format!("http://127.0.0.1:{port}/");
    let stats = |b: &Browser| {
        b.run(
            "const s = window.__patrol.stats; return { verdict: s.lastVerdictMs, ready: s.readyMs, read: s.readMs,
               wasm: s.wasmBytes, heap: performance.memory ? performance.memory.usedJSHeapSize : null,
               shown: document.getElementById('verdict').dataset.reason || null };",
            json!([]),
        )
    };
    let verdict = |b: &Browser| {
        b.wait_for("a verdict", Duration::from_secs(30), |b| {
            b.run(
                "return window.__patrol && window.__patrol.stats.verdicts > 0",
                json!([]),
            ) == json!(true)
        });
    };
    // First visit, online: enrol (a bundle has no office).
    let b = phone();
    b.resize(390, 844);
    b.goto(&url);
    b.wait_for("the enrol form", Duration::from_secs(20), |b| {
        b.run(
            "return !!document.getElementById('enrol') && !document.getElementById('enrol').hidden",
            json!([]),
        ) == json!(true)
    });
    b.click("#enrol-form button");
    verdict(&b);
    let first = stats(&b);
    b.wait_for("the service worker", Duration::from_secs(20), |b| {
        b.run("return !!navigator.serviceWorker.controller", json!([])) == json!(true)
    });
    drop(b);
    // Offline: the server gone, the network cut.
    let _ = server.kill();
    let _ = server.wait();
    let runs = env_usize("BADGEGATE_BENCH_RUNS", 5);
    let (mut verdicts, mut readies, mut reads, mut heaps, mut wasms) =
        (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..runs {
        let b = phone();
        b.offline(true);
        b.resize(390, 844);
        b.goto(&url);
        verdict(&b);
        let s = stats(&b);
        assert_eq!(s["shown"], json!("ok"), "{s}");
        verdicts.push(s["verdict"].as_f64().unwrap());
        readies.push(s["ready"].as_f64().unwrap());
        reads.push(s["read"].as_f64().unwrap_or(f64::NAN));
        heaps.push(s["heap"].as_f64().unwrap_or(f64::NAN) / 1_048_576.0);
        wasms.push(s["wasm"].as_f64().unwrap_or(f64::NAN) / 1_048_576.0);
    }
    println!("\nChromium (headless, fake camera 1280x720, {runs} offline loads):");
    println!(
        "first visit online: verdict {:.0} ms after its frame; page ready {:.0} ms after navigation",
        first["verdict"].as_f64().unwrap_or(f64::NAN),
        first["ready"].as_f64().unwrap_or(f64::NAN)
    );
    println!(
        "offline: verdict after its frame p50 {:.0} ms, max {:.0} ms; page ready (service worker) p50 {:.0} ms, max {:.0} ms; one frame read {:.0} ms p50",
        percentile(&mut verdicts.clone(), 0.5),
        percentile(&mut verdicts, 1.0),
        percentile(&mut readies.clone(), 0.5),
        percentile(&mut readies, 1.0),
        percentile(&mut reads, 0.5)
    );
    println!(
        "memory: JS heap p50 {:.1} MB, the module's memory p50 {:.1} MB",
        percentile(&mut heaps, 0.5),
        percentile(&mut wasms, 0.5)
    );
}

fn main() {
    let wasm_bytes = badgegate_office::office::patrol::WASM;
    if wasm_bytes.is_empty() {
        println!(
            "SKIPPED: this build has no patrol verifier (rustup target add wasm32-unknown-unknown)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    println!(
        "patrol page: phone.wasm {} KiB ({} KiB gzipped with the page's JS, CSS and HTML; goal 1024 KiB)",
        wasm_bytes.len() / 1024,
        badgegate_office::office::patrol::gzipped_code_bytes() / 1024
    );
    let wasm = dir.path().join("phone.wasm");
    std::fs::write(&wasm, wasm_bytes).unwrap();
    let phone_js = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/phone/web/phone.js");
    if common::tool("node").is_some() {
        reader_comparison(dir.path(), &wasm, &phone_js);
    } else {
        println!("reader comparison: SKIPPED (node is not installed)");
    }
    browser_numbers(dir.path());
}
