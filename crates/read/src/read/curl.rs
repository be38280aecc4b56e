//! Reading a code on a card curled like a cylinder (a soft card squeezed in
//! a hand, curling on its lanyard): its edges turn away from the camera,
//! so its modules narrow towards two sides and no flat grid lands on
//! them. When a detector finds the code's corners but cannot decode it,
//! the code is unrolled: each column (or row) of the corners' quad is
//! moved to where it lies on a cylinder of a given curl (a point at arc
//! `s` from the middle is seen at `sin(s k) / sin(k)` of the half-width,
//! `k` the half-angle the code spans), and the unrolled picture is read
//! again. One curl and axis a frame, in turn, so the frame's time holds.

use std::time::Instant;

use image::GrayImage;

use super::decoders::rqrr_grids;
use super::rxing::{rxing_decode_until, Binarizer};
use super::FoundCode;

/// The half-angles (radians) a code is unrolled for, each along the rows
/// and then the columns: from a gentle curl to a tight one.
const CURLS: [f32; 5] = [0.5, 0.7, 0.9, 1.1, 1.3];

/// The corners (top-left, top-right, bottom-right, bottom-left) of codes
/// rqrr finds in `img` but cannot decode.
pub(super) fn unread_quads(img: &GrayImage) -> Vec<[[f32; 2]; 4]> {
    rqrr_grids(img)
        .into_iter()
        .filter(|(bytes, _)| bytes.is_none())
        .map(|(_, corners)| corners.map(|p| [p[0] as f32, p[1] as f32]))
        .collect()
}

/// The code inside `quad` unrolled for curl number `turn` (see [`CURLS`];
/// even turns along the rows, odd along the columns), with a quiet zone,
/// read by rxing. Corners are in `img`'s pixels.
pub(super) fn read_unrolled(
    img: &GrayImage,
    quad: &[[f32; 2]; 4],
    turn: usize,
    deadline: Instant,
) -> Vec<FoundCode> {
    let k = CURLS[(turn / 2) % CURLS.len()];
    let along_rows = turn.is_multiple_of(2);
    let side = quad
        .iter()
        .zip(quad.iter().cycle().skip(1))
        .map(|(a, b)| (a[0] - b[0]).hypot(a[1] - b[1]))
        .fold(0.0, f32::max);
    // Unrolled, the code is wider than its projection: by 1/sinc(k) at
    // most; a fifth more is enough for every curl tried.
    let s = (side * 1.2).clamp(32.0, 1200.0);
    let margin = s * 0.2;
    let out_side = (s + 2.0 * margin) as u32;
    let unroll = |u: f32| {
        // u in [0, 1] across the code; outside it (the quiet zone) the
        // surface is taken as flat.
        if (0.0..=1.0).contains(&u) {
            0.5 + 0.5 * (k * (2.0 * u - 1.0)).sin() / k.sin()
        } else {
            u
        }
    };
    let [tl, tr, br, bl] = *quad;
    let at = |u: f32, v: f32| {
        let top = [tl[0] + (tr[0] - tl[0]) * u, tl[1] + (tr[1] - tl[1]) * u];
        let bottom = [bl[0] + (br[0] - bl[0]) * u, bl[1] + (br[1] - bl[1]) * u];
        [
            top[0] + (bottom[0] - top[0]) * v,
            top[1] + (bottom[1] - top[1]) * v,
        ]
    };
    let (w, h) = (img.width() as f32, img.height() as f32);
    let px = img.as_raw();
    let stride = img.width() as usize;
    let sample = |x: f32, y: f32| -> u8 {
        if x < 0.0 || y < 0.0 || x >= w - 1.0 || y >= h - 1.0 {
            return 255;
        }
        let (x0, y0) = (x as usize, y as usize);
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let p = |dx: usize, dy: usize| f32::from(px[(y0 + dy) * stride + x0 + dx]);
        let v = (p(0, 0) * (1.0 - fx) + p(1, 0) * fx) * (1.0 - fy)
            + (p(0, 1) * (1.0 - fx) + p(1, 1) * fx) * fy;
        v.round() as u8
    };
    let flat = GrayImage::from_fn(out_side, out_side, |x, y| {
        let u = (x as f32 - margin) / s;
        let v = (y as f32 - margin) / s;
        let (u, v) = if along_rows {
            (unroll(u), v)
        } else {
            (u, unroll(v))
        };
        let [fx, fy] = at(u, v);
        image::Luma([sample(fx, fy)])
    });
    // Where the unrolled code's corners are in `img`: the quad's own.
    let corners = quad.map(|p| [p[0].round() as i32, p[1].round() as i32]);
    rxing_decode_until(&flat, Binarizer::Hybrid, false, deadline)
        .into_iter()
        .map(|f| FoundCode {
            bytes: f.bytes,
            corners,
        })
        .collect()
}

/// How many unrollings there are to try (curls times axes).
pub(super) const TURNS: usize = CURLS.len() * 2;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{encode, render};

    /// `flat` wrapped round a cylinder seen from the front, the code
    /// spanning `k` radians either side of the middle, along the rows.
    fn curl(flat: &GrayImage, k: f32) -> GrayImage {
        let (w, h) = (flat.width() as f32, flat.height() as f32);
        GrayImage::from_fn(flat.width(), flat.height(), |x, y| {
            // Projected position p in [-1, 1] is sin(a)/sin(k) for arc a.
            let p = (2.0 * x as f32 / w - 1.0) * k.sin();
            let a = p.clamp(-1.0, 1.0).asin();
            let u = ((a / k + 1.0) / 2.0 * w).clamp(0.0, w - 1.0);
            *flat.get_pixel(u as u32, (y as f32).min(h - 1.0) as u32)
        })
    }

    #[test]
    fn a_curled_code_is_found_unrolled_and_read() {
        let text = "BG1:CURLED IN A HAND, ITS EDGES TURNED AWAY FROM THE CAMERA";
        let flat = render(&encode(text).unwrap(), 4);
        let curled = curl(&flat, 1.1);
        let mut frame = GrayImage::from_pixel(640, 480, image::Luma([255]));
        image::imageops::replace(&mut frame, &curled, 100, 40);
        let deadline = Instant::now() + std::time::Duration::from_secs(10);
        // The premise: the whole cascade does not read it flat.
        assert!(crate::read::decode_within(&frame, std::time::Duration::from_secs(10)).is_empty());
        let quads = unread_quads(&frame);
        assert!(!quads.is_empty(), "the code's corners are found");
        let mut read = Vec::new();
        for turn in 0..TURNS {
            for quad in &quads {
                read.extend(read_unrolled(&frame, quad, turn, deadline));
            }
        }
        assert!(read.iter().any(|f| f.text() == text), "read unrolled");
        assert!(read.iter().all(|f| f.text() == text));
    }
}
