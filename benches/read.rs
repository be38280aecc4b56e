//! `cargo bench --bench read`: the reading pipeline's read rate per frame
//! condition and its time per frame at 1280x720 and 1920x1080, on the
//! generated corpus (`synth::condition_frame`) of real signed badge cards.
//!
//! `BADGEGATE_CORPUS_DIR=DIR` also writes the frames (PNG) and a
//! `manifest.tsv` (file, condition, expected texts) so other decoders
//! (`zbarimg`, ZXing-C++ through `pip install zxing-cpp`) can be run on the
//! very same frames: see `scripts/compare-decoders.py`.

use std::time::Instant;

use badgegate::read;
use badgegate::synth::{condition_frame, Condition};

fn percentile(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let per_condition: u64 = std::env::var("BADGEGATE_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let corpus_dir = std::env::var_os("BADGEGATE_CORPUS_DIR").map(std::path::PathBuf::from);
    let decoder = match std::env::var("BADGEGATE_DECODER").as_deref() {
        Ok("rqrr") => read::Decoder::Rqrr,
        Ok("rxing") => read::Decoder::Rxing,
        _ => read::Decoder::Pipeline,
    };
    println!("decoder: {decoder:?}");
    let mut manifest = String::from("file\tcondition\tresolution\texpected\n");
    let cards = badgegate::synth::benchmark_cards();
    for (w, h) in [(1280u32, 720u32), (1920, 1080)] {
        println!("\n{w}x{h}, {per_condition} frames a condition: condition, read %, median ms, p95 ms, wrong texts");
        let mut all_times = Vec::new();
        let (mut read_all, mut total_all) = (0u64, 0u64);
        for cond in Condition::ALL {
            let mut times = Vec::new();
            let (mut ok, mut wrong) = (0u64, 0u64);
            for i in 0..per_condition {
                let a = &cards[(i % 4) as usize];
                let b = &cards[((i + 1) % 4) as usize];
                let frame = condition_frame(&[&a.1, &b.1], cond, w, h, i * 31 + w as u64);
                let expected: Vec<&str> = match cond {
                    Condition::NoBadge => vec![],
                    Condition::TwoBadges => vec![&a.0, &b.0],
                    _ => vec![&a.0],
                };
                if let Some(dir) = &corpus_dir {
                    let name = format!("{w}x{h}-{}-{i:03}.png", cond.name());
                    std::fs::create_dir_all(dir).unwrap();
                    frame.save(dir.join(&name)).unwrap();
                    manifest.push_str(&format!(
                        "{name}\t{}\t{w}x{h}\t{}\n",
                        cond.name(),
                        expected.join("|")
                    ));
                }
                let start = Instant::now();
                let found = read::decode_with(decoder, &frame);
                let ms = start.elapsed().as_secs_f64() * 1000.0;
                times.push(ms);
                all_times.push(ms);
                let texts: Vec<Vec<u8>> = found.iter().map(|f| f.bytes.clone()).collect();
                wrong += texts
                    .iter()
                    .filter(|t| !expected.iter().any(|e| e.as_bytes() == t.as_slice()))
                    .count() as u64;
                let all_found = expected
                    .iter()
                    .all(|e| texts.iter().any(|t| t.as_slice() == e.as_bytes()));
                if cond == Condition::NoBadge {
                    ok += u64::from(texts.is_empty());
                } else {
                    ok += u64::from(all_found);
                    read_all += u64::from(all_found);
                    total_all += 1;
                }
            }
            println!(
                "  {:<12} {:>5.0}%  {:>7.1}  {:>7.1}  {}",
                cond.name(),
                100.0 * ok as f64 / per_condition as f64,
                percentile(&mut times, 0.5),
                percentile(&mut times, 0.95),
                wrong
            );
        }
        println!(
            "  overall (frames with badges) {:.0}% read; all frames median {:.1} ms, p95 {:.1} ms",
            100.0 * read_all as f64 / total_all.max(1) as f64,
            percentile(&mut all_times, 0.5),
            percentile(&mut all_times, 0.95)
        );
    }
    if let Some(dir) = &corpus_dir {
        std::fs::write(dir.join("manifest.tsv"), manifest).unwrap();
        println!("\ncorpus written to {}", dir.display());
    }
    photos(decoder);
}

/// The real photographs in `tests/photos/` (ZXing's corpus): read %, wrong
/// texts, median and p95 ms a photo (decoding only: the image is in memory).
fn photos(decoder: read::Decoder) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/photos");
    let norm = |s: &str| {
        s.replace("\r\n", "\n")
            .replace('\r', "\n")
            .trim()
            .to_owned()
    };
    let (mut ok, mut n, mut wrong) = (0, 0, 0);
    let mut times = Vec::new();
    let mut missed = Vec::new();
    for set in ["qrcode-1", "qrcode-3", "qrcode-4", "qrcode-5"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(set))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "png"))
            .collect();
        files.sort();
        for png in files {
            let want = norm(&std::fs::read_to_string(png.with_extension("txt")).unwrap());
            let img = read::load_gray(&png).unwrap();
            let start = Instant::now();
            let found = match decoder {
                read::Decoder::Pipeline => read::decode_picture(&img),
                other => read::decode_with(other, &img),
            };
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            let texts: Vec<String> = found.iter().map(|c| norm(&c.text())).collect();
            n += 1;
            if texts.contains(&want) {
                ok += 1;
            } else {
                missed.push(format!(
                    "{set}/{}",
                    png.file_name().unwrap().to_string_lossy()
                ));
            }
            wrong += texts.iter().filter(|t| **t != want).count();
        }
    }
    println!(
        "\nreal photographs (tests/photos): read {ok} of {n} ({:.1}%), {wrong} wrong texts, median {:.1} ms, p95 {:.1} ms\n  missed: {}",
        100.0 * ok as f64 / n as f64,
        percentile(&mut times.clone(), 0.5),
        percentile(&mut times, 0.95),
        missed.join(" ")
    );
}
