//! rxing (ZXing's detector and binarisers) over a grey picture: the first
//! stages of the kiosk's cascade. Not in the phone's light reader.

use std::time::Instant;

use image::GrayImage;

use super::decoders::guarded;
use super::FoundCode;
/// Which rxing binariser turns grey into black and white.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Binarizer {
    /// ZXing's local (hybrid) threshold: uneven light, glare, shadows.
    Hybrid,
    /// One threshold from the frame's histogram: soft, blurred edges.
    GlobalHistogram,
}

/// rxing on a grey image with ZXing's hybrid binariser, QR codes only,
/// trying harder (rotations, inverted).
pub(super) fn decode_rxing(img: &GrayImage) -> Vec<FoundCode> {
    decode_rxing_with(img, Binarizer::Hybrid)
}

/// rxing with the hybrid binariser, without trying harder (no rotations or
/// inverted images): the cheap pass.
pub(super) fn decode_rxing_fast(img: &GrayImage) -> Vec<FoundCode> {
    rxing_decode(img, Binarizer::Hybrid, false)
}

/// rxing with the given binariser. Corners are estimated from the three
/// finder patterns (ZXing reports their centres, not the code's corners).
pub(super) fn decode_rxing_with(img: &GrayImage, binarizer: Binarizer) -> Vec<FoundCode> {
    rxing_decode(img, binarizer, true)
}

/// Most codes read from one picture: a gate sees a person or two at a
/// time; a picture tiled with thousands of codes is not a badge.
const MAX_CODES: usize = 64;
/// How deep the search for further codes goes (as ZXing's multiple reader).
const MAX_DEPTH: u32 = 4;
/// Regions narrower than this are not searched for further codes.
const MIN_REGION: f32 = 100.0;

/// One search for every code in a picture: the first found with ZXing's
/// reader, then the regions left, above, right and below it searched in
/// turn (as ZXing's multiple-barcode reader does), stopping at
/// [`MAX_CODES`] codes or at the deadline.
struct Search<'a> {
    reader: rxing::MultiUseMultiFormatReader,
    hints: &'a rxing::DecodeHints,
    deadline: Instant,
    found: Vec<(String, Vec<(f64, f64)>)>,
}

impl Search<'_> {
    fn run<B: rxing::Binarizer>(
        &mut self,
        image: &mut rxing::BinaryBitmap<B>,
        offset: (f32, f32),
        depth: u32,
    ) {
        use rxing::Reader;
        // The first look is always taken; the search for more stops at the
        // deadline.
        let late = depth > 0 && Instant::now() >= self.deadline;
        if depth > MAX_DEPTH || self.found.len() >= MAX_CODES || late {
            return;
        }
        let Ok(result) = self.reader.decode_with_hints(image, self.hints) else {
            return;
        };
        if *result.getBarcodeFormat() != rxing::BarcodeFormat::QR_CODE {
            return;
        }
        let points = result.getPoints().to_vec();
        let text = result.getText().to_owned();
        if !self.found.iter().any(|(t, _)| *t == text) {
            let shifted = points
                .iter()
                .map(|p| (f64::from(p.x + offset.0), f64::from(p.y + offset.1)))
                .collect();
            self.found.push((text, shifted));
        }
        if points.is_empty() {
            return;
        }
        let (w, h) = (image.get_width() as f32, image.get_height() as f32);
        let min_x = points.iter().map(|p| p.x).fold(w, f32::min);
        let min_y = points.iter().map(|p| p.y).fold(h, f32::min);
        let max_x = points.iter().map(|p| p.x).fold(0.0, f32::max);
        let max_y = points.iter().map(|p| p.y).fold(0.0, f32::max);
        let (wu, hu) = (w as usize, h as usize);
        if min_x > MIN_REGION {
            self.run(&mut image.crop(0, 0, min_x as usize, hu), offset, depth + 1);
        }
        if min_y > MIN_REGION {
            self.run(&mut image.crop(0, 0, wu, min_y as usize), offset, depth + 1);
        }
        if max_x < w - MIN_REGION {
            let right = (offset.0 + max_x.floor(), offset.1);
            let cropped = &mut image.crop(max_x as usize, 0, wu - max_x as usize, hu);
            self.run(cropped, right, depth + 1);
        }
        if max_y < h - MIN_REGION {
            let below = (offset.0, offset.1 + max_y.floor());
            let cropped = &mut image.crop(0, max_y as usize, wu, hu - max_y as usize);
            self.run(cropped, below, depth + 1);
        }
    }
}

fn rxing_decode(img: &GrayImage, binarizer: Binarizer, try_harder: bool) -> Vec<FoundCode> {
    rxing_decode_until(
        img,
        binarizer,
        try_harder,
        Instant::now() + super::hard_limit(img),
    )
}

/// rxing on a picture, searching for more codes until `deadline`.
pub(super) fn rxing_decode_until(
    img: &GrayImage,
    binarizer: Binarizer,
    try_harder: bool,
    deadline: Instant,
) -> Vec<FoundCode> {
    use rxing::common::{GlobalHistogramBinarizer, HybridBinarizer};
    use rxing::{BarcodeFormat, BinaryBitmap, DecodeHints, Luma8LuminanceSource};
    if img.width() == 0 || img.height() == 0 {
        return Vec::new();
    }
    let hints = DecodeHints {
        PossibleFormats: Some([BarcodeFormat::QR_CODE].into_iter().collect()),
        TryHarder: Some(try_harder),
        ..DecodeHints::default()
    };
    let found = guarded(std::panic::AssertUnwindSafe(|| {
        let source =
            Luma8LuminanceSource::new(img.as_raw().clone(), img.width(), img.height()).ok()?;
        let mut search = Search {
            reader: rxing::MultiUseMultiFormatReader::default(),
            hints: &hints,
            deadline,
            found: Vec::new(),
        };
        match binarizer {
            Binarizer::Hybrid => search.run(
                &mut BinaryBitmap::new(HybridBinarizer::new(source)),
                (0.0, 0.0),
                0,
            ),
            Binarizer::GlobalHistogram => search.run(
                &mut BinaryBitmap::new(GlobalHistogramBinarizer::new(source)),
                (0.0, 0.0),
                0,
            ),
        }
        Some(search.found)
    }));
    let Ok(Some(found)) = found else {
        return Vec::new();
    };
    found
        .into_iter()
        .map(|(text, points)| FoundCode {
            bytes: text.into_bytes(),
            corners: corners_from_finders(&points),
        })
        .collect()
}

/// The code's corners (top-left, top-right, bottom-right, bottom-left)
/// estimated from its three finder-pattern centres, in whatever order they
/// come: the centre at the right angle is the top-left; the fourth corner
/// completes the parallelogram; the corners lie about a fifth further out
/// from the middle than the finder centres.
fn corners_from_finders(p: &[(f64, f64)]) -> [[i32; 2]; 4] {
    let (Some(&a), Some(&b), Some(&c)) = (p.first(), p.get(1), p.get(2)) else {
        return [[0, 0]; 4];
    };
    let d2 = |u: (f64, f64), v: (f64, f64)| (u.0 - v.0).powi(2) + (u.1 - v.1).powi(2);
    // The top-left finder is the one opposite the longest side.
    let (tl, mut tr, mut bl) = if d2(b, c) >= d2(a, b).max(d2(a, c)) {
        (a, b, c)
    } else if d2(a, c) >= d2(a, b) {
        (b, a, c)
    } else {
        (c, a, b)
    };
    // In image coordinates (y down), top-left → top-right → bottom-left turns clockwise.
    let cross = (tr.0 - tl.0) * (bl.1 - tl.1) - (tr.1 - tl.1) * (bl.0 - tl.0);
    if cross < 0.0 {
        std::mem::swap(&mut tr, &mut bl);
    }
    let br = (tr.0 + bl.0 - tl.0, tr.1 + bl.1 - tl.1);
    let mid = ((tr.0 + bl.0) / 2.0, (tr.1 + bl.1) / 2.0);
    let out = |q: (f64, f64)| {
        let x = mid.0 + (q.0 - mid.0) * 1.2;
        let y = mid.1 + (q.1 - mid.1) * 1.2;
        [x.round() as i32, y.round() as i32]
    };
    [out(tl), out(tr), out(br), out(bl)]
}
