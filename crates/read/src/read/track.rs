//! Reading a live camera: the region of the last code seen is read first.

use image::GrayImage;

use super::enhance::halve;
use std::time::Instant;

use super::rxing::{rxing_decode_until, Binarizer};
use super::stack::Stack;
use super::{decode_stages, decode_within, to_frame, FoundCode, FRAME_BUDGET, LARGE_FRAME};

/// The reading pipeline for a live camera: a large frame is searched at
/// half and full size on alternate frames; after a code is seen, the next
/// frames are read in that region first (a small crop reads in a fraction
/// of the time and survives blur the full frame does not), then the whole
/// frame gets one quick pass for anyone else, and every few frames the full
/// cascade runs regardless; the region is forgotten after a few frames
/// without a code.
#[derive(Debug)]
pub struct TrackingReader {
    /// The time one frame may take ([`FRAME_BUDGET`] for a camera).
    budget: std::time::Duration,
    /// (left, top, right, bottom) of the last codes seen, in frame pixels.
    region: Option<[i32; 4]>,
    frames_without: u32,
    frame: u64,
    /// The last search of a large frame was at half size and found
    /// nothing: the next one is at full size.
    half_missed: bool,
    /// The frames since the last code read, aligned and averaged (a card
    /// carried past, smeared in every frame).
    stack: Stack,
}

/// Frames the region is kept after the code was last seen.
const REGION_TTL: u32 = 10;
/// The share of a frame's time (percent) kept for reading the frames
/// together while a smeared card is in hand.
const STACK_SHARE: u32 = 25;
/// A full-frame pass every this many frames, even while tracking.
const FULL_PASS_EVERY: u64 = 4;

impl Default for TrackingReader {
    fn default() -> TrackingReader {
        TrackingReader::with_budget(FRAME_BUDGET)
    }
}

impl TrackingReader {
    /// A reader for a 30 fps camera: each frame within [`FRAME_BUDGET`].
    pub fn new() -> TrackingReader {
        TrackingReader::default()
    }

    /// A reader giving each frame `budget` (a slower camera, or a test that
    /// checks what is read whatever the machine's load).
    pub fn with_budget(budget: std::time::Duration) -> TrackingReader {
        TrackingReader {
            budget,
            region: None,
            frames_without: 0,
            frame: 0,
            half_missed: false,
            stack: Stack::default(),
        }
    }

    /// Reads one frame.
    pub fn read(&mut self, img: &GrayImage) -> Vec<FoundCode> {
        let start = std::time::Instant::now();
        self.frame += 1;
        let mut found = Vec::new();
        if let Some(region) = self
            .region
            .filter(|_| !self.frame.is_multiple_of(FULL_PASS_EVERY))
        {
            found = read_region(img, region, start + self.budget);
            // The person tracked is read; one quick look at the whole frame
            // for anyone else, so a second badge is decided at once, when
            // the region's read left half the frame's time (otherwise the
            // full pass, every few frames, finds them).
            if !found.is_empty() && start.elapsed() < self.budget / 2 {
                for other in quick_look(img, start + self.budget) {
                    if !found.iter().any(|f| f.bytes == other.bytes) {
                        found.push(other);
                    }
                }
            }
        }
        if found.is_empty() {
            // What the region's look took comes off this frame's time, and
            // while a smeared card is in hand the stack's share is kept
            // for reading the frames together.
            // A card held still that the cascade has missed for frames is
            // unrolled first (curled), in half the frame's time.
            let held = self.stack.held();
            if held {
                found = self.stack.read(img, start + self.budget / 2);
            }
            let mut budget = self.budget.saturating_sub(start.elapsed());
            if self.stack.engaged() && !held {
                budget = budget.saturating_sub(self.budget * STACK_SHARE / 100);
            }
            if found.is_empty() {
                found = self.search(img, budget);
            }
            if !found.is_empty() {
                self.stack.reset();
            } else if !held {
                found = self.stack.read(img, start + self.budget);
            }
        } else {
            self.stack.reset();
        }
        if found.is_empty() {
            self.frames_without += 1;
            if self.frames_without >= REGION_TTL {
                self.region = None;
            }
        } else {
            self.frames_without = 0;
            self.region = bounding_box(&found);
        }
        found
    }

    /// The whole frame searched. A large frame (1080p) is searched at half
    /// size (the whole cascade, where a badge held up has 2-3 px a module);
    /// after a frame where that found nothing, the middle of the next is
    /// searched at full size. Both in one frame would take longer than a 30 fps camera
    /// gives; in turns every frame keeps within its time, and a code is
    /// looked at both ways within 67 ms.
    fn search(&mut self, img: &GrayImage, budget: std::time::Duration) -> Vec<FoundCode> {
        let start = Instant::now();
        if u64::from(img.width()) * u64::from(img.height()) < LARGE_FRAME {
            return decode_within(img, budget);
        }
        // A full-size look takes about a frame's time: only with the whole
        // frame's time left.
        if self.half_missed && budget >= self.budget * 9 / 10 {
            // The middle of the frame, where a badge is held up: 56% of
            // its pixels, so the full-size look fits in a frame's time.
            self.half_missed = false;
            let (x, y, w, h) = (
                img.width() * 3 / 20,
                img.height() / 10,
                img.width() * 7 / 10,
                img.height() * 8 / 10,
            );
            let middle = image::imageops::crop_imm(img, x, y, w, h).to_image();
            let mut found = decode_stages(&middle, budget.saturating_sub(start.elapsed()), false);
            to_frame(&mut found, 1, x as i32, y as i32);
            found
        } else {
            let half = halve(img);
            let mut found = decode_within(&half, budget.saturating_sub(start.elapsed()));
            to_frame(&mut found, 2, 0, 0);
            self.half_missed = found.is_empty();
            found
        }
    }

    /// The region being tracked, if any.
    pub fn region(&self) -> Option<[i32; 4]> {
        self.region
    }
}

/// One rxing pass over the whole frame, at half size for a large frame
/// (1080p): a second badge held up has 2-3 px a module there, and a full
/// 1080p pass alone would take a 30 fps camera's whole frame time.
fn quick_look(img: &GrayImage, deadline: Instant) -> Vec<FoundCode> {
    if u64::from(img.width()) * u64::from(img.height()) >= LARGE_FRAME {
        let mut found = rxing_decode_until(&halve(img), Binarizer::Hybrid, true, deadline);
        to_frame(&mut found, 2, 0, 0);
        found
    } else {
        rxing_decode_until(img, Binarizer::Hybrid, true, deadline)
    }
}

fn bounding_box(codes: &[FoundCode]) -> Option<[i32; 4]> {
    let xs = codes.iter().flat_map(|c| c.corners.iter().map(|p| p[0]));
    let ys = codes.iter().flat_map(|c| c.corners.iter().map(|p| p[1]));
    let (l, r) = (xs.clone().min()?, xs.max()?);
    let (t, b) = (ys.clone().min()?, ys.max()?);
    Some([l, t, r, b])
}

/// Reads the region grown by 60% on each side (the person moves; ZXing's
/// corners are finder centres), cropped from the frame.
fn read_region(img: &GrayImage, [l, t, r, b]: [i32; 4], deadline: Instant) -> Vec<FoundCode> {
    let (w, h) = (r - l, b - t);
    let x0 = (l - w * 6 / 10).clamp(0, img.width() as i32);
    let y0 = (t - h * 6 / 10).clamp(0, img.height() as i32);
    let x1 = (r + w * 6 / 10).clamp(0, img.width() as i32);
    let y1 = (b + h * 6 / 10).clamp(0, img.height() as i32);
    if x1 - x0 < 32 || y1 - y0 < 32 {
        return Vec::new();
    }
    let crop = image::imageops::crop_imm(
        img,
        x0 as u32,
        y0 as u32,
        (x1 - x0) as u32,
        (y1 - y0) as u32,
    )
    .to_image();
    // A region of a large frame as large as a 720p frame holds a code of
    // many pixels a module: read at half size, as the frame is.
    if u64::from(crop.width()) * u64::from(crop.height()) >= REGION_HALVED {
        let mut found = rxing_decode_until(&halve(&crop), Binarizer::Hybrid, true, deadline);
        to_frame(&mut found, 2, x0, y0);
        if !found.is_empty() {
            return found;
        }
    }
    let mut found = rxing_decode_until(&crop, Binarizer::Hybrid, true, deadline);
    to_frame(&mut found, 1, x0, y0);
    found
}

/// Regions of at least this many pixels are read at half size first.
const REGION_HALVED: u64 = 700_000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{encode, render};
    use image::Luma;
    #[test]
    fn tracking_follows_a_code_and_forgets_it() {
        let code = encode("BG1:TRACK ME").unwrap();
        let qr = render(&code, 3);
        let frame_at = |x: u32| {
            let mut f = GrayImage::from_pixel(640, 480, Luma([200]));
            image::imageops::replace(&mut f, &qr, i64::from(x), 100);
            f
        };
        let mut reader = TrackingReader::new();
        assert!(reader.region().is_none());
        for x in [100, 110, 125, 140, 150] {
            let found = reader.read(&frame_at(x));
            assert_eq!(found.len(), 1, "at x={x}");
            assert_eq!(found[0].text(), "BG1:TRACK ME");
            let [l, _, r, _] = reader.region().unwrap();
            assert!(
                l >= x as i32 && r <= (x + qr.width()) as i32,
                "region follows the code: {l} {r} x={x} w={}",
                qr.width()
            );
        }
        let blank = GrayImage::from_pixel(640, 480, Luma([200]));
        for _ in 0..REGION_TTL {
            assert!(reader.read(&blank).is_empty());
        }
        assert!(
            reader.region().is_none(),
            "forgotten after {REGION_TTL} empty frames"
        );
    }

    #[test]
    fn a_large_frame_is_searched_at_full_size_when_half_size_finds_nothing() {
        // 1.7 px a module: at half size less than a pixel, too fine to
        // read; the frame after is searched at full size.
        let code = encode("BG1:SMALL AND FAR AWAY FROM THE CAMERA AT 1080P").unwrap();
        let one = render(&code, 1);
        let side = one.width() * 17 / 10;
        let qr = image::imageops::resize(&one, side, side, image::imageops::FilterType::Triangle);
        let mut frame = GrayImage::from_pixel(1920, 1080, Luma([190]));
        image::imageops::replace(&mut frame, &qr, 901, 501);
        let mut reader = TrackingReader::new();
        let found: Vec<_> = (0..2).flat_map(|_| reader.read(&frame)).collect();
        assert!(
            found
                .iter()
                .any(|f| f.text() == "BG1:SMALL AND FAR AWAY FROM THE CAMERA AT 1080P"),
            "read within two frames"
        );
        // The premise: half size alone does not read it.
        assert!(decode_within(&halve(&frame), FRAME_BUDGET * 10).is_empty());
    }
}
