//! Camera-like frames made from printed badges, for the demo, tests and
//! benchmarks: a card held up in front of a webcam, with uneven light and
//! sensor noise. Deterministic for a given seed.

use image::{imageops, GrayImage, Luma};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_deterministic() {
        let card = GrayImage::from_pixel(100, 140, Luma([255]));
        let a = camera_frame(&[&card], 320, 240, 200, 7);
        let b = camera_frame(&[&card], 320, 240, 200, 7);
        assert_eq!(a, b);
        assert_ne!(a, camera_frame(&[&card], 320, 240, 200, 8));
    }
}
