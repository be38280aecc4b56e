//! Reading a live camera: the region of the last code seen is read first.

use image::GrayImage;

use super::decoders::decode_rxing;
use super::{decode, to_frame, FoundCode};

/// The reading pipeline for a live camera: after a code is seen, the next
/// frames are read in that region first (a small crop reads in a fraction
/// of the time and survives blur the full frame does not), then the whole
/// frame gets one quick pass for anyone else, and every few frames the full
/// cascade runs regardless; the region is forgotten after a few frames
/// without a code.
#[derive(Debug, Default)]
pub struct TrackingReader {
    /// (left, top, right, bottom) of the last codes seen, in frame pixels.
    region: Option<[i32; 4]>,
    frames_without: u32,
    frame: u64,
}

/// Frames the region is kept after the code was last seen.
const REGION_TTL: u32 = 10;
/// A full-frame pass every this many frames, even while tracking.
const FULL_PASS_EVERY: u64 = 4;

impl TrackingReader {
    pub fn new() -> TrackingReader {
        TrackingReader::default()
    }

    /// Reads one frame.
    pub fn read(&mut self, img: &GrayImage) -> Vec<FoundCode> {
        self.frame += 1;
        let mut found = Vec::new();
        if let Some(region) = self
            .region
            .filter(|_| !self.frame.is_multiple_of(FULL_PASS_EVERY))
        {
            found = read_region(img, region);
            // The person tracked is read; one quick look at the whole frame
            // for anyone else, so a second badge is decided at once.
            if !found.is_empty() {
                for other in decode_rxing(img) {
                    if !found.iter().any(|f| f.bytes == other.bytes) {
                        found.push(other);
                    }
                }
            }
        }
        if found.is_empty() {
            found = decode(img);
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

    /// The region being tracked, if any.
    pub fn region(&self) -> Option<[i32; 4]> {
        self.region
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
fn read_region(img: &GrayImage, [l, t, r, b]: [i32; 4]) -> Vec<FoundCode> {
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
    let mut found = decode_rxing(&crop);
    to_frame(&mut found, 1, x0, y0);
    found
}

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
}
