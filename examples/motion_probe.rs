//! Probe for the directional sharpen stage: how often each corpus
//! condition looks smeared (`qr::smear_axis`), and how many motion-blurred
//! frames the pipeline misses that a sharpen along the smear then reads.
//! `cargo run --release --example motion_probe` (N=frames a condition).

use badgegate::qr;
use badgegate::synth::{condition_frame, Condition};
use std::time::{Duration, Instant};

fn main() {
    let cards = badgegate::synth::benchmark_cards();
    let n: u64 = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let (w, h) = (1280u32, 720u32);
    for cond in Condition::ALL {
        let (mut smeared, mut missed, mut rescued, mut ms) = (0, 0, 0, 0.0);
        for i in 0..n {
            let a = &cards[(i % 4) as usize];
            let b = &cards[((i + 1) % 4) as usize];
            let f = condition_frame(&[&a.1, &b.1], cond, w, h, i * 31 + w as u64);
            let crop = image::imageops::crop_imm(&f, w * 3 / 20, h / 10, w * 7 / 10, h * 8 / 10)
                .to_image();
            let t = Instant::now();
            let axis = qr::smear_axis(&crop);
            ms += t.elapsed().as_secs_f64() * 1000.0;
            smeared += u32::from(axis.is_some());
            if cond != Condition::MotionBlur {
                continue;
            }
            let ok = |found: &[qr::FoundCode]| found.iter().any(|c| c.bytes == a.0.as_bytes());
            if ok(&qr::decode_within(&f, Duration::from_millis(30))) {
                continue;
            }
            missed += 1;
            let sharp = qr::sharpen_along(&crop, axis.unwrap_or(qr::Axis::Rows), 3, 2.0);
            let fast = ok(&qr::decode_rxing_fast(&sharp));
            let full = ok(&qr::decode_rxing(&sharp));
            println!(
                "  missed frame {i}: smear {axis:?}, sharpened read: fast {fast}, full {full}"
            );
            rescued += u32::from(axis.is_some() && (fast || full));
        }
        println!(
            "{:<12} smeared {smeared}/{n} (test {:.2} ms){}",
            cond.name(),
            ms / n as f64,
            if cond == Condition::MotionBlur {
                format!("; pipeline missed {missed}, sharpen along the smear read {rescued}")
            } else {
                String::new()
            }
        );
    }
}
