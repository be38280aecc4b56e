//! The two QR decoders the pipeline cascades over, each caught if it
//! panics: rxing (ZXing's detector and binarisers) and rqrr.

use image::GrayImage;

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

fn rxing_decode(img: &GrayImage, binarizer: Binarizer, try_harder: bool) -> Vec<FoundCode> {
    use rxing::common::{GlobalHistogramBinarizer, HybridBinarizer};
    use rxing::multi::{GenericMultipleBarcodeReader, MultipleBarcodeReader};
    use rxing::{
        BarcodeFormat, BinaryBitmap, DecodeHints, Luma8LuminanceSource, MultiUseMultiFormatReader,
    };
    if img.width() == 0 || img.height() == 0 {
        return Vec::new();
    }
    let hints = DecodeHints {
        PossibleFormats: Some([BarcodeFormat::QR_CODE].into_iter().collect()),
        TryHarder: Some(try_harder),
        ..DecodeHints::default()
    };
    let found = guarded(std::panic::AssertUnwindSafe(move || {
        let source =
            Luma8LuminanceSource::new(img.as_raw().clone(), img.width(), img.height()).ok()?;
        let mut scanner = GenericMultipleBarcodeReader::new(MultiUseMultiFormatReader::default());
        let results = match binarizer {
            Binarizer::Hybrid => scanner.decode_multiple_with_hints(
                &mut BinaryBitmap::new(HybridBinarizer::new(source)),
                &hints,
            ),
            Binarizer::GlobalHistogram => scanner.decode_multiple_with_hints(
                &mut BinaryBitmap::new(GlobalHistogramBinarizer::new(source)),
                &hints,
            ),
        };
        results.ok()
    }));
    let Ok(Some(results)) = found else {
        return Vec::new();
    };
    results
        .into_iter()
        .filter(|r| *r.getBarcodeFormat() == BarcodeFormat::QR_CODE)
        .map(|r| {
            let p: Vec<(f64, f64)> = r
                .getPoints()
                .iter()
                .map(|q| (f64::from(q.x), f64::from(q.y)))
                .collect();
            FoundCode {
                bytes: r.getText().as_bytes().to_vec(),
                corners: corners_from_finders(&p),
            }
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

thread_local! {
    static IN_DECODER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// True while this thread runs a third-party decoder whose panics are
/// caught (and count as "nothing found"): a panic hook stays quiet then.
pub fn decoder_running() -> bool {
    IN_DECODER.with(|f| f.get())
}

/// Runs a decoder with its panics caught.
fn guarded<R>(f: impl FnOnce() -> R + std::panic::UnwindSafe) -> std::thread::Result<R> {
    let outer = IN_DECODER.with(|flag| flag.replace(true));
    let r = std::panic::catch_unwind(f);
    IN_DECODER.with(|flag| flag.set(outer));
    r
}

/// rqrr on a grey picture: every grid it finds and can decode.
pub(super) fn decode_once(img: &GrayImage) -> Vec<FoundCode> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w == 0 || h == 0 {
        return Vec::new();
    }
    // rqrr has no known panics on images, but a frame must never take the
    // kiosk down: a panic here counts as "nothing found".
    let found = guarded(|| {
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| img.as_raw()[y * w + x]);
        let mut out = Vec::new();
        for grid in prepared.detect_grids() {
            let mut bytes = Vec::new();
            if grid.decode_to(&mut bytes).is_ok() {
                let b = grid.bounds;
                out.push(FoundCode {
                    bytes,
                    corners: [
                        [b[0].x, b[0].y],
                        [b[1].x, b[1].y],
                        [b[2].x, b[2].y],
                        [b[3].x, b[3].y],
                    ],
                });
            }
        }
        out
    });
    let mut codes = found.unwrap_or_default();
    // The same code can be found twice by overlapping finder groups.
    codes.dedup_by(|a, b| a.bytes == b.bytes && a.corners == b.corners);
    codes
}
