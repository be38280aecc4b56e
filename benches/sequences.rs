//! `cargo bench --bench sequences`: badges shown to a live camera, as
//! clips (`synth::clip`: carried in, held, swung, bent, curled, rippled, glared,
//! brought too close, two people, photo badges) at 1280x720 and 1920x1080,
//! read frame by frame by the kiosk's reader as the camera delivers them.
//!
//! Per scene: presentations decided (the badge's text read on any frame),
//! frames read of the frames its code was wholly in view, the time from
//! the first such frame to the verdict (median and p95), the reader's time
//! a frame (p95, one thread), and wrong texts (must be 0).
//!
//! `BADGEGATE_CLIPS=N` clips a scene (default 12); `BADGEGATE_SIZES=
//! 1280x720` only that size; `BADGEGATE_SEEDS=ci`
//! plays the seeds the tests use instead of the ones tuned on;
//! `BADGEGATE_READER=still` reads each frame alone (no history), to see
//! what reading across frames adds; `BADGEGATE_CORPUS_DIR=DIR` also writes
//! every frame (PNG) and a `clips.tsv` for `scripts/compare-sequences.py`
//! (ZXing-C++ and zbar on the same frames).

use badgegate::read;
use badgegate::synth::{self, Scene};

fn percentile(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let clips: u64 = std::env::var("BADGEGATE_CLIPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let seeds = match std::env::var("BADGEGATE_SEEDS").as_deref() {
        Ok("ci") => synth::CI_SEEDS,
        _ => synth::TUNING_SEEDS,
    };
    let still = std::env::var("BADGEGATE_READER").as_deref() == Ok("still");
    let corpus = std::env::var_os("BADGEGATE_CORPUS_DIR").map(std::path::PathBuf::from);
    let plain = synth::cards([3; 32], &synth::BENCHMARK_PEOPLE, 1_790_000_040, false);
    let photo = synth::cards([3; 32], &synth::BENCHMARK_PEOPLE, 1_790_000_040, true);
    let version = |c: &synth::Card| {
        read::encode(&c.text)
            .map(|q| read::version_number(&q))
            .unwrap_or(0)
    };
    println!(
        "reader: {}; seeds from {seeds}; {clips} clips a scene; QR versions: badges {:?}, photo badges {:?}",
        if still { "each frame alone" } else { "tracking, across frames" },
        plain.iter().map(version).collect::<Vec<_>>(),
        photo.iter().map(version).collect::<Vec<_>>()
    );
    let mut manifest = String::from("clip\tscene\tresolution\tframe\tfile\tin_view\texpected\n");
    let sizes: Vec<(u32, u32)> = std::env::var("BADGEGATE_SIZES")
        .unwrap_or_else(|_| "1280x720,1920x1080".into())
        .split(',')
        .filter_map(|s| {
            let (w, h) = s.split_once('x')?;
            Some((w.trim().parse().ok()?, h.trim().parse().ok()?))
        })
        .collect();
    for (w, h) in sizes {
        println!(
            "\n{w}x{h}: scene, presentations decided, frames read / in view, in view to verdict median / p95 ms, frame p95 ms, wrong"
        );
        let (mut decided_all, mut shown_all) = (0usize, 0usize);
        let mut all_latency = Vec::new();
        let mut all_frames = Vec::new();
        for scene in Scene::ALL {
            let (mut decided, mut shown, mut read_frames, mut view_frames) = (0, 0, 0, 0);
            let mut latency = Vec::new();
            let mut frame_ms = Vec::new();
            let mut wrong = 0;
            for i in 0..clips {
                let deck = if scene == Scene::PhotoBadge {
                    &photo
                } else {
                    &plain
                };
                let a = &deck[i as usize % deck.len()];
                let b = &deck[(i as usize + 1) % deck.len()];
                let seed = seeds + i * 101 + u64::from(w);
                let clip = synth::clip(&[a, b], scene, w, h, seed);
                if let Some(dir) = &corpus {
                    let id = format!("{w}x{h}-{}-{i:03}", scene.name());
                    std::fs::create_dir_all(dir).unwrap();
                    for (f, frame) in clip.frames.iter().enumerate() {
                        let file = format!("{id}-{f:02}.png");
                        frame.save(dir.join(&file)).unwrap();
                        let view: Vec<&str> = clip.in_view[f]
                            .iter()
                            .map(|&v| if v { "1" } else { "0" })
                            .collect();
                        manifest.push_str(&format!(
                            "{id}\t{}\t{w}x{h}\t{f}\t{file}\t{}\t{}\n",
                            scene.name(),
                            view.join("|"),
                            clip.texts.join("|")
                        ));
                    }
                }
                let mut tracker = read::TrackingReader::new();
                let played = synth::play(&clip, |frame| {
                    let found = if still {
                        read::decode(frame)
                    } else {
                        tracker.read(frame)
                    };
                    found.into_iter().map(|f| f.bytes).collect()
                });
                shown += clip.texts.len();
                decided += played.decided.iter().filter(|d| d.is_some()).count();
                for (r, v) in &played.frames_read {
                    read_frames += r;
                    view_frames += v;
                }
                latency.extend(played.latency_ms());
                frame_ms.extend(&played.frame_ms);
                wrong += played.wrong.len();
            }
            println!(
                "  {:<12} {:>3}/{:<3} {:>5.1}%   {:>4}/{:<4} {:>5.1}%   {:>6.0} / {:<6.0} {:>6.1}   {}",
                scene.name(),
                decided,
                shown,
                100.0 * decided as f64 / shown as f64,
                read_frames,
                view_frames,
                100.0 * read_frames as f64 / view_frames.max(1) as f64,
                percentile(&mut latency.clone(), 0.5),
                percentile(&mut latency.clone(), 0.95),
                percentile(&mut frame_ms.clone(), 0.95),
                wrong
            );
            decided_all += decided;
            shown_all += shown;
            all_latency.extend(latency);
            all_frames.extend(frame_ms);
        }
        println!(
            "  overall: {decided_all}/{shown_all} decided ({:.1}%), in view to verdict median {:.0} ms, p95 {:.0} ms; frame median {:.1} ms, p95 {:.1} ms",
            100.0 * decided_all as f64 / shown_all as f64,
            percentile(&mut all_latency.clone(), 0.5),
            percentile(&mut all_latency, 0.95),
            percentile(&mut all_frames.clone(), 0.5),
            percentile(&mut all_frames, 0.95)
        );
    }
    if let Some(dir) = &corpus {
        std::fs::write(dir.join("clips.tsv"), manifest).unwrap();
        println!("\nframes written to {}", dir.display());
    }
    distance(seeds);
}

/// How far away a badge still reads: a card held square to the camera at
/// 1280x720, its height a fraction of the frame's, 8 frames each; the
/// smallest size at which at least 7 of 8 read, for a short badge (QR
/// version 7), long names (9-10) and photo badges (9-11, the code beside
/// the photo).
fn distance(seeds: u64) {
    let short = synth::cards([5; 32], &[("A-1", "Li Na", "")], 1_790_000_040, false);
    let long = synth::cards([5; 32], &synth::BENCHMARK_PEOPLE[..1], 1_790_000_040, false);
    let photo = synth::cards([5; 32], &synth::BENCHMARK_PEOPLE[..1], 1_790_000_040, true);
    println!("\ndistance at 1280x720: badge, QR version, module on the card (px of 1748 tall), frames read per card height (% of the frame), smallest size read 7/8");
    for (name, deck) in [("short", &short), ("long names", &long), ("photo", &photo)] {
        let card = &deck[0];
        let version = read::encode(&card.text)
            .map(|q| read::version_number(&q))
            .unwrap_or(0);
        let mut row = Vec::new();
        let mut smallest = None;
        for pct in (16..=60).step_by(4) {
            let height = 720 * pct / 100;
            let ok = (0..8u64)
                .filter(|i| {
                    let frame = synth::camera_frame(&[&card.image], 1280, 720, height, seeds + i);
                    read::decode_within(&frame, std::time::Duration::from_secs(5))
                        .iter()
                        .any(|f| f.bytes == card.text.as_bytes())
                })
                .count();
            row.push(format!("{pct}%:{ok}"));
            if ok >= 7 && smallest.is_none() {
                smallest = Some(pct);
            }
        }
        println!(
            "  {name:<11} v{version:<3} {:>4.1} px  {}  smallest {}",
            card.code[3],
            row.join(" "),
            smallest.map_or("none".into(), |p| format!("{p}%"))
        );
    }
}
