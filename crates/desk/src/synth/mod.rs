//! Camera-like frames made from printed badges, for the demo, tests and
//! benchmarks: a card held up in front of a webcam, with uneven light and
//! sensor noise. Deterministic for a given seed.

use image::{imageops, GrayImage, Luma};

mod clip;
pub use clip::{clip, play, Card, Clip, Played, Scene, CI_SEEDS, FPS, TUNING_SEEDS};

/// A tiny deterministic random source (64-bit LCG), so frames are repeatable.
#[derive(Clone, Debug)]
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407))
    }

    pub fn next_u32(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u32) -> u32 {
        self.next_u32() % n.max(1)
    }
}

/// A `width` x `height` frame with each card scaled to `card_height` pixels
/// tall and placed side by side, lit from one side, with sensor noise.
pub fn camera_frame(
    cards: &[&GrayImage],
    width: u32,
    height: u32,
    card_height: u32,
    seed: u64,
) -> GrayImage {
    let mut rng = Lcg::new(seed);
    let mut frame = GrayImage::from_fn(width, height, |x, _| {
        // A dim room, brighter towards the right.
        Luma([(70 + 50 * x / width.max(1)) as u8])
    });
    let slot = width / (cards.len() as u32).max(1);
    for (i, card) in cards.iter().enumerate() {
        let scale = card_height as f32 / card.height().max(1) as f32;
        let w = ((card.width() as f32 * scale) as u32).clamp(1, slot);
        let h = ((card.height() as f32 * scale) as u32).clamp(1, height);
        let scaled = imageops::resize(*card, w, h, imageops::FilterType::Triangle);
        let x0 = i as u32 * slot + (slot - w) / 2 + rng.below(20);
        let y0 = (height.saturating_sub(h)) / 2 + rng.below(20);
        for (x, y, p) in scaled.enumerate_pixels() {
            let (fx, fy) = (x0 + x, y0 + y);
            if fx < width && fy < height {
                // The card is a little darker than its white print: ambient light.
                let v = u32::from(p.0[0]) * (200 + 40 * fx / width) / 255;
                frame.put_pixel(fx, fy, Luma([v.min(255) as u8]));
            }
        }
    }
    for p in frame.pixels_mut() {
        let noise = rng.below(17) as i32 - 8;
        p.0[0] = (i32::from(p.0[0]) + noise).clamp(0, 255) as u8;
    }
    frame
}

/// The four cards the read-rate benchmark and its probes use (long Latin,
/// Cyrillic and accented names), so their numbers are about the same frames.
pub fn benchmark_cards() -> Vec<(String, GrayImage)> {
    signed_cards([3; 32], &BENCHMARK_PEOPLE, 1_790_000_040)
}

/// The people on the benchmarks' cards: long Latin, Cyrillic and
/// accented names (QR versions 9-10; 9-11 with photos).
pub const BENCHMARK_PEOPLE: [(&str, &str, &str); 4] = [
    (
        "D-000101",
        "Maximilian Alexander von Hohenberg-Ruiz",
        "Federal Ministry for European Affairs",
    ),
    ("P-000202", "Фарҳод Раҳимов", "Ҷумҳурии Тоҷикистон"),
    ("S-000303", "Amina Diallo", "Republic of Senegal"),
    ("H-000404", "María José Núñez", "República de Chile"),
];

/// Printed badge cards (grey) with their badge texts, signed with the
/// test key from `seed`: one per `(serial, name, org)`, category
/// `delegate`, zones plenary/press/lounge, valid for a day from `now`.
pub fn signed_cards(
    seed: [u8; 32],
    people: &[(&str, &str, &str)],
    now: u64,
) -> Vec<(String, GrayImage)> {
    cards(seed, people, now, false)
        .into_iter()
        .map(|c| (c.text, c.image))
        .collect()
}

/// As [`signed_cards`], with where the code is on each card; with
/// `photos`, each badge carries a portrait's digest (format 2) and its
/// card the portrait beside the code, as the desk prints them.
pub fn cards(seed: [u8; 32], people: &[(&str, &str, &str)], now: u64, photos: bool) -> Vec<Card> {
    use badgegate_core::format::badge::{Badge, PhotoDigest, SignedBadge};
    let key = badgegate_core::format::keys::SecretKey::from_seed(&seed);
    people
        .iter()
        .enumerate()
        .filter_map(|(i, (serial, name, org))| {
            let photo = photos
                .then(|| {
                    let mut jpeg = Vec::new();
                    image::DynamicImage::ImageRgb8(portrait(
                        crate::issue::photo::PHOTO_WIDTH,
                        crate::issue::photo::PHOTO_HEIGHT,
                        i as u8 * 41 + 3,
                    ))
                    .write_to(
                        &mut std::io::Cursor::new(&mut jpeg),
                        image::ImageFormat::Jpeg,
                    )
                    .ok()?;
                    Some(jpeg)
                })
                .flatten();
            let badge = Badge {
                key_id: badgegate_core::format::keys::KeyId(
                    [0; badgegate_core::format::constants::KEY_ID_LEN],
                ),
                serial: (*serial).into(),
                name: (*name).into(),
                org: (*org).into(),
                category: "delegate".into(),
                zones: vec!["plenary".into(), "press".into(), "lounge".into()],
                valid_from: badgegate_core::format::badge::floor_minute(now),
                valid_until: badgegate_core::format::badge::floor_minute(now) + 86_400,
                issued_at: badgegate_core::format::badge::floor_minute(now),
                photo: photo.as_deref().map(PhotoDigest::of),
            };
            let signed = SignedBadge::sign(badge, &key).ok()?;
            let code = badgegate_read::read::encode(signed.text()).ok()?;
            let time = badgegate_core::clock::VenueTime::utc();
            let look = || crate::issue::card::Look {
                policy: None,
                time: &time,
            };
            let image = image::DynamicImage::ImageRgb8(crate::issue::card::render(
                &signed.badge,
                &code,
                look(),
                photo.as_deref(),
            ))
            .into_luma8();
            let size = photo.as_ref().map(|_| {
                (
                    crate::issue::photo::PHOTO_WIDTH,
                    crate::issue::photo::PHOTO_HEIGHT,
                )
            });
            let modules = f64::from(code.width() as u32 + 2 * badgegate_read::read::QUIET_ZONE);
            let placed = crate::issue::card::layout(&signed.badge, &code, look(), size)
                .into_iter()
                .find_map(|m| match m {
                    crate::issue::card::Mark::Qr { x, y, module } => {
                        let module = f64::from(module);
                        Some([f64::from(x), f64::from(y), module * modules, module])
                    }
                    _ => None,
                })?;
            Some(Card {
                text: signed.text().to_owned(),
                image,
                code: placed,
            })
        })
        .collect()
}

/// A projective map (3x3, last entry 1) from frame pixels to card pixels.
#[derive(Clone, Copy, Debug)]
struct Homography([f64; 8]);

impl Homography {
    /// The map taking each `from[i]` to `to[i]`, if the points are in
    /// general position.
    fn solve(from: [(f64, f64); 4], to: [(f64, f64); 4]) -> Option<Homography> {
        let mut m = [[0f64; 9]; 8];
        for i in 0..4 {
            let (x, y) = from[i];
            let (u, v) = to[i];
            m[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
            m[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
        }
        for col in 0..8 {
            let pivot = (col..8).max_by(|a, b| m[*a][col].abs().total_cmp(&m[*b][col].abs()))?;
            if m[pivot][col].abs() < 1e-12 {
                return None;
            }
            m.swap(col, pivot);
            let pivot_row = m[col];
            for (row, r) in m.iter_mut().enumerate() {
                if row != col {
                    let f = r[col] / pivot_row[col];
                    for (x, p) in r.iter_mut().zip(pivot_row).skip(col) {
                        *x -= f * p;
                    }
                }
            }
        }
        let mut h = [0f64; 8];
        for i in 0..8 {
            h[i] = m[i][8] / m[i][i];
        }
        Some(Homography(h))
    }

    fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let h = &self.0;
        let w = h[6] * x + h[7] * y + 1.0;
        (
            (h[0] * x + h[1] * y + h[2]) / w,
            (h[3] * x + h[4] * y + h[5]) / w,
        )
    }
}

/// Draws `card` into `frame` so that its corners land on `quad` (top-left,
/// top-right, bottom-right, bottom-left), bilinear-sampled, scaled by
/// `gain` (lighting on the card).
pub fn place(frame: &mut GrayImage, card: &GrayImage, quad: [(f64, f64); 4], gain: f64) {
    let (cw, ch) = (f64::from(card.width()), f64::from(card.height()));
    let corners = [(0.0, 0.0), (cw, 0.0), (cw, ch), (0.0, ch)];
    let Some(h) = Homography::solve(quad, corners) else {
        return;
    };
    let min_x = quad
        .iter()
        .map(|p| p.0)
        .fold(f64::MAX, f64::min)
        .floor()
        .max(0.0) as u32;
    let max_x = quad
        .iter()
        .map(|p| p.0)
        .fold(f64::MIN, f64::max)
        .ceil()
        .min(f64::from(frame.width())) as u32;
    let min_y = quad
        .iter()
        .map(|p| p.1)
        .fold(f64::MAX, f64::min)
        .floor()
        .max(0.0) as u32;
    let max_y = quad
        .iter()
        .map(|p| p.1)
        .fold(f64::MIN, f64::max)
        .ceil()
        .min(f64::from(frame.height())) as u32;
    for y in min_y..max_y {
        for x in min_x..max_x {
            let (u, v) = h.apply(f64::from(x) + 0.5, f64::from(y) + 0.5);
            if u < 0.0 || v < 0.0 || u >= cw - 1.0 || v >= ch - 1.0 {
                continue;
            }
            let (x0, y0) = (u.floor() as u32, v.floor() as u32);
            let (fx, fy) = (u - u.floor(), v - v.floor());
            let p = |dx: u32, dy: u32| f64::from(card.get_pixel(x0 + dx, y0 + dy).0[0]);
            let value = (p(0, 0) * (1.0 - fx) + p(1, 0) * fx) * (1.0 - fy)
                + (p(0, 1) * (1.0 - fx) + p(1, 1) * fx) * fy;
            frame.put_pixel(x, y, Luma([(value * gain).clamp(0.0, 255.0) as u8]));
        }
    }
}

/// The ways a webcam frame goes wrong, one category each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Condition {
    Clean,
    Tilted,
    Rotated,
    Defocused,
    MotionBlur,
    Dim,
    Glare,
    Small,
    Thumb,
    Mixed,
    TwoBadges,
    NoBadge,
}

impl Condition {
    pub const ALL: [Condition; 12] = [
        Condition::Clean,
        Condition::Tilted,
        Condition::Rotated,
        Condition::Defocused,
        Condition::MotionBlur,
        Condition::Dim,
        Condition::Glare,
        Condition::Small,
        Condition::Thumb,
        Condition::Mixed,
        Condition::TwoBadges,
        Condition::NoBadge,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Condition::Clean => "clean",
            Condition::Tilted => "tilted",
            Condition::Rotated => "rotated",
            Condition::Defocused => "defocused",
            Condition::MotionBlur => "motion-blur",
            Condition::Dim => "dim",
            Condition::Glare => "glare",
            Condition::Small => "small",
            Condition::Thumb => "thumb",
            Condition::Mixed => "mixed",
            Condition::TwoBadges => "two-badges",
            Condition::NoBadge => "no-badge",
        }
    }
}

fn rect_quad(cx: f64, cy: f64, w: f64, h: f64, angle: f64) -> [(f64, f64); 4] {
    let (s, c) = angle.sin_cos();
    let pts = [
        (-w / 2.0, -h / 2.0),
        (w / 2.0, -h / 2.0),
        (w / 2.0, h / 2.0),
        (-w / 2.0, h / 2.0),
    ];
    pts.map(|(x, y)| (cx + x * c - y * s, cy + x * s + y * c))
}

fn box_blur_horizontal(img: &GrayImage, len: u32) -> GrayImage {
    let len = len.max(1);
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        let mut sum = 0u32;
        let mut n = 0u32;
        for dx in 0..len {
            let xx = (x + dx).saturating_sub(len / 2);
            if xx < img.width() {
                sum += u32::from(img.get_pixel(xx, y).0[0]);
                n += 1;
            }
        }
        Luma([(sum / n.max(1)) as u8])
    })
}

/// One test frame: a `width` x `height` picture of `cards` (the first one,
/// or two for [`Condition::TwoBadges`], none for [`Condition::NoBadge`])
/// under `condition`. Deterministic for a seed.
pub fn condition_frame(
    cards: &[&GrayImage],
    condition: Condition,
    width: u32,
    height: u32,
    seed: u64,
) -> GrayImage {
    let mut rng = Lcg::new(seed ^ 0x5eed);
    let (w, h) = (f64::from(width), f64::from(height));
    let mut frame = GrayImage::from_fn(width, height, |x, y| {
        Luma([(60 + 60 * x / width.max(1) + 20 * y / height.max(1)) as u8])
    });
    let jitter =
        |rng: &mut Lcg, amount: f64| (f64::from(rng.below(1000)) / 1000.0 - 0.5) * 2.0 * amount;
    let card_h = |rng: &mut Lcg, lo: f64, hi: f64| {
        h * (lo + (hi - lo) * f64::from(rng.below(1000)) / 1000.0)
    };
    let Some(first) = cards.first() else {
        return frame;
    };
    let aspect = f64::from(first.width()) / f64::from(first.height().max(1));
    let mut gain = 0.85;
    match condition {
        Condition::NoBadge => {}
        Condition::TwoBadges => {
            let second = cards.get(1).unwrap_or(first);
            for (i, card) in [first, second].into_iter().enumerate() {
                let ch = card_h(&mut rng, 0.75, 0.9);
                let cx = w * (0.27 + 0.46 * i as f64) + jitter(&mut rng, w * 0.03);
                place(
                    &mut frame,
                    card,
                    rect_quad(cx, h / 2.0, ch * aspect, ch, jitter(&mut rng, 0.08)),
                    gain,
                );
            }
        }
        _ => {
            let (lo, hi) = match condition {
                Condition::Small => (0.38, 0.5),
                _ => (0.75, 0.95),
            };
            let ch = card_h(&mut rng, lo, hi);
            let cw = ch * aspect;
            let (cx, cy) = (
                w / 2.0 + jitter(&mut rng, w * 0.15),
                h / 2.0 + jitter(&mut rng, h * 0.04),
            );
            let angle = match condition {
                Condition::Rotated => 0.3 + jitter(&mut rng, 0.5).abs() * 2.0,
                Condition::Mixed => jitter(&mut rng, 0.35),
                _ => jitter(&mut rng, 0.05),
            };
            let mut quad = rect_quad(cx, cy, cw, ch, angle);
            if matches!(condition, Condition::Tilted | Condition::Mixed) {
                // The card leans back: its top edge is narrower and lower.
                let k = if condition == Condition::Tilted {
                    0.12 + jitter(&mut rng, 0.06).abs()
                } else {
                    0.08
                };
                quad[0].0 += cw * k;
                quad[1].0 -= cw * k;
                quad[0].1 += ch * k * 0.5;
                quad[1].1 += ch * k * 0.5;
            }
            if matches!(condition, Condition::Dim | Condition::Mixed) {
                gain = if condition == Condition::Dim {
                    0.35
                } else {
                    0.6
                };
            }
            place(&mut frame, first, quad, gain);
        }
    }
    match condition {
        Condition::Defocused => frame = imageops::blur(&frame, 2.2 + jitter(&mut rng, 0.6) as f32),
        Condition::MotionBlur => frame = box_blur_horizontal(&frame, 5 + rng.below(4)),
        Condition::Mixed => frame = imageops::blur(&frame, 1.2),
        Condition::Glare => {
            // A bright reflection over part of the code.
            let (gx, gy) = (
                w / 2.0 + jitter(&mut rng, w * 0.05),
                h * 0.55 + jitter(&mut rng, h * 0.05),
            );
            let r = h * 0.09;
            for p in 0..width * height {
                let (x, y) = (f64::from(p % width), f64::from(p / width));
                let d2 = ((x - gx) / (r * 1.6)).powi(2) + ((y - gy) / r).powi(2);
                if d2 < 4.0 {
                    let px = frame.get_pixel_mut(p % width, p / width);
                    let add = 200.0 * (-d2).exp();
                    px.0[0] = (f64::from(px.0[0]) + add).min(255.0) as u8;
                }
            }
        }
        Condition::Thumb => {
            // A thumb (dark, soft blob) over the lower-left of the code.
            let (tx, ty) = (
                w / 2.0 - h * 0.12 + jitter(&mut rng, 10.0),
                h * 0.72 + jitter(&mut rng, 10.0),
            );
            let r = h * 0.06;
            for p in 0..width * height {
                let (x, y) = (f64::from(p % width), f64::from(p / width));
                let d = (((x - tx) / (r * 1.4)).powi(2) + ((y - ty) / r).powi(2)).sqrt();
                if d < 1.0 {
                    frame.put_pixel(p % width, p / width, Luma([(90.0 + 30.0 * d) as u8]));
                }
            }
        }
        _ => {}
    }
    let noise = if condition == Condition::Dim { 7 } else { 11 };
    for p in frame.pixels_mut() {
        let n = rng.below(noise * 2 + 1) as i32 - noise as i32;
        p.0[0] = (i32::from(p.0[0]) + n).clamp(0, 255) as u8;
    }
    frame
}

/// A portrait `w` x `h` for a demo badge: a plain background, shoulders
/// and a head, their colours varying with `seed` (two seeds, two people).
pub fn portrait(w: u32, h: u32, seed: u8) -> image::RgbImage {
    let bg = image::Rgb([70 + seed.wrapping_mul(37) % 120, 110, 160]);
    let skin = image::Rgb([200 - seed % 60, 150 + seed % 40, 120]);
    let coat = image::Rgb([30 + seed.wrapping_mul(53) % 150, 40, 60]);
    image::RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
        let head = ((fx - 0.5) / 0.17).powi(2) + ((fy - 0.38) / 0.2).powi(2) <= 1.0;
        let body = fy > 0.62 && ((fx - 0.5) / 0.42).powi(2) + ((fy - 1.05) / 0.45).powi(2) <= 1.0;
        if head {
            skin
        } else if body {
            coat
        } else {
            bg
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homography_maps_corners() {
        let from = [(10.0, 10.0), (110.0, 20.0), (100.0, 120.0), (5.0, 100.0)];
        let to = [(0.0, 0.0), (50.0, 0.0), (50.0, 70.0), (0.0, 70.0)];
        let h = Homography::solve(from, to).unwrap();
        for (f, t) in from.iter().zip(to) {
            let (u, v) = h.apply(f.0, f.1);
            assert!((u - t.0).abs() < 1e-6 && (v - t.1).abs() < 1e-6);
        }
    }

    #[test]
    fn frames_are_deterministic() {
        let card = GrayImage::from_pixel(100, 140, Luma([255]));
        let a = camera_frame(&[&card], 320, 240, 200, 7);
        let b = camera_frame(&[&card], 320, 240, 200, 7);
        assert_eq!(a, b);
        assert_ne!(a, camera_frame(&[&card], 320, 240, 200, 8));
    }
}
