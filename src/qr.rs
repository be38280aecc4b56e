//! Text ↔ QR images: render a badge's text as PNG pixels or SVG, and read
//! every code in a grey image (rqrr). No camera here.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use image::{GrayImage, Luma};
use qrcode::{Color, EcLevel, QrCode};
use serde::Serialize;

use crate::constants::{MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE};

/// Modules of white border around a rendered code (the QR standard's quiet zone).
pub const QUIET_ZONE: u32 = 4;

/// Failures making or reading QR images.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("text does not fit in a QR code: {0}")]
    Encode(String),
    #[error("cannot read image {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a readable PNG or JPEG image ({why})")]
    Decode { path: PathBuf, why: String },
    #[error("{path}: image is {width}x{height} pixels, larger than this reader accepts ({MAX_IMAGE_SIDE} px a side, {MAX_IMAGE_PIXELS} pixels)")]
    TooLarge {
        path: PathBuf,
        width: u32,
        height: u32,
    },
    #[error("{path}: image is empty (zero pixels)")]
    Empty { path: PathBuf },
}

/// A QR code for `text` at error-correction level M, in the smallest version
/// that holds it (alphanumeric mode for badge text).
pub fn encode(text: &str) -> Result<QrCode, QrError> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| QrError::Encode(e.to_string()))
}

/// The QR version number (1..=40) of a code.
pub fn version_number(code: &QrCode) -> i16 {
    match code.version() {
        qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
    }
}

/// Renders a code as a grey image: `module_px` pixels a module, with the
/// quiet zone.
pub fn render(code: &QrCode, module_px: u32) -> GrayImage {
    let n = code.width() as u32;
    let side = (n + 2 * QUIET_ZONE) * module_px;
    let colors = code.to_colors();
    GrayImage::from_fn(side, side, |x, y| {
        let mx = (x / module_px).checked_sub(QUIET_ZONE);
        let my = (y / module_px).checked_sub(QUIET_ZONE);
        let dark = match (mx, my) {
            (Some(mx), Some(my)) if mx < n && my < n => {
                colors.get((my * n + mx) as usize) == Some(&Color::Dark)
            }
            _ => false,
        };
        Luma([if dark { 0 } else { 255 }])
    })
}

/// Renders a code as an SVG document (scales to any print size).
pub fn render_svg(code: &QrCode) -> String {
    code.render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build()
}

/// One code found in an image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FoundCode {
    /// The code's raw content.
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// Corners in image pixels: top-left, top-right, bottom-right, bottom-left
    /// of the code as printed.
    pub corners: [[i32; 2]; 4],
}

impl FoundCode {
    /// The content as text (invalid UTF-8 shown with replacement characters).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// Time the reading pipeline spends on one frame before it gives up on
/// the remaining stages: a webcam delivers a frame every 33 ms.
pub const FRAME_BUDGET: std::time::Duration = std::time::Duration::from_millis(30);

/// Every QR code found and decoded in a grey image, within
/// [`FRAME_BUDGET`] where possible. Codes that are found but do not decode
/// (damaged, cut off) are left out: no wrong text is ever returned (both
/// decoders check every block's error correction).
pub fn decode(img: &GrayImage) -> Vec<FoundCode> {
    decode_within(img, FRAME_BUDGET)
}

/// The reading pipeline with a time budget. Stages, each only if nothing
/// was found yet and the budget is not spent:
/// 1. rxing (ZXing's hybrid binariser and detector) on the frame;
/// 2. rxing with a global-histogram threshold (soft, blurred edges);
/// 3. rxing on the middle of the frame sharpened (unsharp mask): along the
///    smear first when the picture is smeared one way (motion blur,
///    [`smear_axis`]), then in both directions (defocus);
/// 4. rqrr on the frame;
/// 5. rqrr on the frame halved, then halved again (codes with large or
///    noisy modules; rqrr mis-samples about 1 in 2,000 clean codes at 4 px a
///    module or more, which then read at 1-3 px).
///
/// Stage 1 always runs, so every frame gets at least one full look.
pub fn decode_within(img: &GrayImage, budget: std::time::Duration) -> Vec<FoundCode> {
    let start = std::time::Instant::now();
    let in_budget = || start.elapsed() < budget;
    // rqrr costs about 28 ns a pixel here: a stage that would overrun the
    // budget is skipped rather than started.
    let fits_ns = |ns: u64| start.elapsed() + std::time::Duration::from_nanos(ns) <= budget;
    let fits = |pixels: u64| fits_ns(pixels * 28);
    let pixels = u64::from(img.width()) * u64::from(img.height());
    let mut found = decode_rxing(img);
    if found.is_empty() && in_budget() {
        found = decode_rxing_with(img, Binarizer::GlobalHistogram);
    }
    // The middle of the frame (where a badge is held up) sharpened, for
    // defocus and motion blur: about 20 ns a pixel of the crop.
    let (cx, cy, cw, ch) = (
        img.width() * 3 / 20,
        img.height() / 10,
        img.width() * 7 / 10,
        img.height() * 8 / 10,
    );
    let crop_ns = u64::from(cw) * u64::from(ch) * 20;
    if found.is_empty() && cw >= 64 && ch >= 64 && fits_ns(crop_ns) {
        let crop = image::imageops::crop_imm(img, cx, cy, cw, ch).to_image();
        // A smeared picture (a card moved while the shutter was open) is
        // sharpened along the smear first; anything else in both directions.
        if let Some(axis) = smear_axis(&crop) {
            found = decode_rxing_fast(&sharpen_along(&crop, axis, 3, 2.0));
        }
        if found.is_empty() && fits_ns(crop_ns) {
            found = decode_rxing_fast(&sharpen(&crop, 2, 2.0));
        }
        to_frame(&mut found, 1, cx as i32, cy as i32);
    }
    if found.is_empty() && fits(pixels) {
        found = decode_once(img);
    }
    let mut current = std::borrow::Cow::Borrowed(img);
    let mut factor = 1;
    while found.is_empty()
        && current.width() >= 160
        && current.height() >= 160
        && fits(u64::from(current.width()) * u64::from(current.height()) / 4)
    {
        current = std::borrow::Cow::Owned(halve(&current));
        factor *= 2;
        found = decode_once(&current);
        to_frame(&mut found, factor, 0, 0);
    }
    found
}

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
        if let Some(region) = self.region.filter(|_| self.frame % FULL_PASS_EVERY != 0) {
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

/// Maps corners found in a scaled-down (by `scale`) or cropped (at
/// `dx`, `dy`) copy back to the frame's pixels.
fn to_frame(found: &mut [FoundCode], scale: i32, dx: i32, dy: i32) {
    for corner in found.iter_mut().flat_map(|c| c.corners.iter_mut()) {
        corner[0] = corner[0] * scale + scale / 2 + dx;
        corner[1] = corner[1] * scale + scale / 2 + dy;
    }
}

/// One decoder of the cascade, for measuring them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoder {
    /// rqrr on the frame as it is.
    Rqrr,
    /// rxing (the Rust port of ZXing) with its hybrid binariser, QR only.
    Rxing,
    /// The whole pipeline, as `decode` runs it.
    Pipeline,
}

/// A [`TrackingReader`] over a sequence of frames (for benchmarks): how
/// long each frame took and what it found.
pub fn track_sequence(frames: &[GrayImage]) -> Vec<(std::time::Duration, Vec<FoundCode>)> {
    let mut reader = TrackingReader::new();
    frames
        .iter()
        .map(|f| {
            let start = std::time::Instant::now();
            let found = reader.read(f);
            (start.elapsed(), found)
        })
        .collect()
}

/// Runs one decoder (see [`Decoder`]).
pub fn decode_with(decoder: Decoder, img: &GrayImage) -> Vec<FoundCode> {
    match decoder {
        Decoder::Rqrr => decode_once(img),
        Decoder::Rxing => decode_rxing(img),
        Decoder::Pipeline => decode(img),
    }
}

/// Which rxing binariser turns grey into black and white.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binarizer {
    /// ZXing's local (hybrid) threshold: uneven light, glare, shadows.
    Hybrid,
    /// One threshold from the frame's histogram: soft, blurred edges.
    GlobalHistogram,
}

/// rxing on a grey image with ZXing's hybrid binariser, QR codes only,
/// trying harder (rotations, inverted).
pub fn decode_rxing(img: &GrayImage) -> Vec<FoundCode> {
    decode_rxing_with(img, Binarizer::Hybrid)
}

/// rxing with the hybrid binariser, without trying harder (no rotations or
/// inverted images): the cheap pass.
pub fn decode_rxing_fast(img: &GrayImage) -> Vec<FoundCode> {
    rxing_decode(img, Binarizer::Hybrid, false)
}

/// rxing with the given binariser. Corners are estimated from the three
/// finder patterns (ZXing reports their centres, not the code's corners).
pub fn decode_rxing_with(img: &GrayImage, binarizer: Binarizer) -> Vec<FoundCode> {
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

/// Unsharp mask with a fast blur: `img + amount x (img - blur(img))`,
/// the blur being a box filter of `radius` applied twice (close to a
/// Gaussian, in time proportional to the pixels). Restores the edges of
/// defocused or motion-blurred modules.
pub fn sharpen(img: &GrayImage, radius: u32, amount: f32) -> GrayImage {
    let blurred = box_blur(&box_blur(img, radius), radius);
    unsharp(img, &blurred, amount)
}

/// A separable box blur (window 2r+1, edges clamped), row-major throughout.
fn box_blur(img: &GrayImage, radius: u32) -> GrayImage {
    let once = blur_pass(img, radius, Axis::Rows);
    blur_pass(&once, radius, Axis::Columns)
}

/// A direction in the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axis {
    /// Along each row (x): horizontal.
    Rows,
    /// Along each column (y): vertical.
    Columns,
}

/// One box-blur pass (window 2r+1, edges clamped) along `axis`, with
/// running sums: O(1) a pixel whatever the radius.
fn blur_pass(img: &GrayImage, radius: u32, axis: Axis) -> GrayImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let r = radius as usize;
    if w == 0 || h == 0 || r == 0 || r > 100 || w <= 2 * r + 1 || h <= 2 * r + 1 {
        return img.clone();
    }
    let window = (2 * r + 1) as u32;
    // Division by the window as a multiply and shift (sums stay < 2^16 for
    // windows up to 255 pixels).
    let inv = (1u32 << 16).div_ceil(window);
    let div = |sum: u32| ((sum * inv) >> 16).min(255) as u8;
    let src = img.as_raw();
    let mut out = vec![0u8; w * h];
    match axis {
        Axis::Rows => {
            for (row, dst) in src.chunks_exact(w).zip(out.chunks_exact_mut(w)) {
                let first = u32::from(row[0]);
                let last = u32::from(row[w - 1]);
                let mut sum =
                    first * (r as u32 + 1) + row[1..=r].iter().map(|&v| u32::from(v)).sum::<u32>();
                for x in 0..w {
                    dst[x] = div(sum);
                    let add = if x + r + 1 < w {
                        u32::from(row[x + r + 1])
                    } else {
                        last
                    };
                    let sub = if x >= r { u32::from(row[x - r]) } else { first };
                    sum = sum + add - sub;
                }
            }
        }
        Axis::Columns => {
            // One running sum a column, advanced row by row.
            let mut sums: Vec<u32> = (0..w)
                .map(|x| {
                    u32::from(src[x]) * (r as u32 + 1)
                        + (1..=r).map(|y| u32::from(src[y * w + x])).sum::<u32>()
                })
                .collect();
            for y in 0..h {
                let add_row = (y + r + 1).min(h - 1) * w;
                let sub_row = y.saturating_sub(r) * w;
                let dst = &mut out[y * w..(y + 1) * w];
                for x in 0..w {
                    dst[x] = div(sums[x]);
                    sums[x] = sums[x] + u32::from(src[add_row + x]) - u32::from(src[sub_row + x]);
                }
            }
        }
    }
    GrayImage::from_raw(img.width(), img.height(), out).unwrap_or_else(|| img.clone())
}

/// Unsharp mask along one axis only: undoes part of a motion blur in that
/// direction without raising the noise across it.
pub fn sharpen_along(img: &GrayImage, axis: Axis, radius: u32, amount: f32) -> GrayImage {
    let blurred = blur_pass(&blur_pass(img, radius, axis), radius, axis);
    unsharp(img, &blurred, amount)
}

fn unsharp(img: &GrayImage, blurred: &GrayImage, amount: f32) -> GrayImage {
    // Fixed point: amount in 1/256ths.
    let k = (amount * 256.0).round() as i32;
    let out: Vec<u8> = img
        .as_raw()
        .iter()
        .zip(blurred.as_raw())
        .map(|(&v, &b)| {
            let v = i32::from(v);
            (v + ((k * (v - i32::from(b)) + 128) >> 8)).clamp(0, 255) as u8
        })
        .collect();
    GrayImage::from_raw(img.width(), img.height(), out).unwrap_or_else(|| img.clone())
}

/// The direction a picture is smeared in, if it clearly is: motion blur
/// flattens the brightness steps along the motion and keeps those across
/// it. Compares the energy of the steps between neighbours (sum of
/// squares) along rows and along columns of the half-size picture; `None`
/// unless one is under two thirds of the other.
pub fn smear_axis(img: &GrayImage) -> Option<Axis> {
    // At half size sensor noise is halved, while the edges a smear leaves
    // sharp stay sharp.
    let img = &halve(img);
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w < 3 || h < 3 {
        return None;
    }
    let px = img.as_raw();
    let (mut along_rows, mut along_cols) = (0u64, 0u64);
    for y in 0..h - 1 {
        let row = &px[y * w..(y + 1) * w];
        let next = &px[(y + 1) * w..(y + 2) * w];
        for x in 0..w - 1 {
            // Squared steps: one sharp edge outweighs the same rise spread
            // over a smear, and sensor noise adds the same both ways.
            along_rows += u64::from(row[x].abs_diff(row[x + 1])).pow(2);
            along_cols += u64::from(row[x].abs_diff(next[x])).pow(2);
        }
    }
    if along_rows * 3 < along_cols * 2 {
        Some(Axis::Rows)
    } else if along_cols * 3 < along_rows * 2 {
        Some(Axis::Columns)
    } else {
        None
    }
}

/// The image at half width and height, each pixel the mean of a 2x2 block.
pub fn halve(img: &GrayImage) -> GrayImage {
    let (w, h) = (img.width() / 2, img.height() / 2);
    GrayImage::from_fn(w, h, |x, y| {
        let p = |dx, dy| u32::from(img.get_pixel(2 * x + dx, 2 * y + dy).0[0]);
        Luma([((p(0, 0) + p(1, 0) + p(0, 1) + p(1, 1) + 2) / 4) as u8])
    })
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

fn decode_once(img: &GrayImage) -> Vec<FoundCode> {
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

/// Largest image file read (bytes).
pub const MAX_IMAGE_FILE_BYTES: u64 = 256 << 20;

/// Reads a PNG or JPEG as a grey image, refusing oversized or empty ones
/// before decoding their pixels.
pub fn load_gray(path: &Path) -> Result<GrayImage, QrError> {
    let read_err = |source| QrError::Read {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let mut bytes = Vec::new();
    file.take(MAX_IMAGE_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_IMAGE_FILE_BYTES {
        return Err(QrError::Decode {
            path: path.to_owned(),
            why: format!("file is larger than {} MiB", MAX_IMAGE_FILE_BYTES >> 20),
        });
    }
    read_gray_bytes(&bytes, path)
}

/// Like [`load_gray`] for bytes in memory (`path` only names them in errors).
pub fn read_gray_bytes(bytes: &[u8], path: &Path) -> Result<GrayImage, QrError> {
    let decode_err = |why: String| QrError::Decode {
        path: path.to_owned(),
        why,
    };
    if bytes.is_empty() {
        return Err(QrError::Empty {
            path: path.to_owned(),
        });
    }
    let format = image::guess_format(bytes).map_err(|e| decode_err(e.to_string()))?;
    if !matches!(format, image::ImageFormat::Png | image::ImageFormat::Jpeg) {
        return Err(decode_err(format!("{format:?} images are not supported")));
    }
    let (width, height) = image::ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|e| decode_err(e.to_string()))?;
    if width == 0 || height == 0 {
        return Err(QrError::Empty {
            path: path.to_owned(),
        });
    }
    if width > MAX_IMAGE_SIDE
        || height > MAX_IMAGE_SIDE
        || u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS
    {
        return Err(QrError::TooLarge {
            path: path.to_owned(),
            width,
            height,
        });
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_IMAGE_PIXELS * 4 + (64 << 20));
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| decode_err(e.to_string()))?;
    Ok(img.into_luma8())
}

/// True for file names the image readers take (`.png`, `.jpg`, `.jpeg`).
pub fn is_image_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg"))
}

/// The images of a folder in name order (not recursive), or the path itself
/// if it is a file.
pub fn image_paths(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if path.is_dir() {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && is_image_path(p))
            .collect();
        paths.sort();
        Ok(paths)
    } else {
        std::fs::metadata(path)?;
        Ok(vec![path.to_owned()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 8-pixel checks, black and white, with a little deterministic noise.
    fn checks() -> GrayImage {
        GrayImage::from_fn(320, 240, |x, y| {
            let base = if (x / 8 + y / 8) % 2 == 0 { 40 } else { 210 };
            Luma([(base + (x * 7 + y * 13) % 9) as u8])
        })
    }

    #[test]
    fn a_smear_is_found_in_its_direction_and_sharpened_along_it() {
        let img = checks();
        assert_eq!(smear_axis(&img), None, "sharp both ways");
        let smeared_x = blur_pass(&img, 3, Axis::Rows);
        let smeared_y = blur_pass(&img, 3, Axis::Columns);
        assert_eq!(smear_axis(&smeared_x), Some(Axis::Rows));
        assert_eq!(smear_axis(&smeared_y), Some(Axis::Columns));
        assert_eq!(
            smear_axis(&box_blur(&img, 3)),
            None,
            "defocus is not a smear"
        );
        // Sharpening along the smear brings the edges across it back.
        let step = |g: &GrayImage| -> u32 {
            (0..g.width() - 1)
                .map(|x| u32::from(g.get_pixel(x, 100).0[0].abs_diff(g.get_pixel(x + 1, 100).0[0])))
                .max()
                .unwrap_or(0)
        };
        let mended = sharpen_along(&smeared_x, Axis::Rows, 3, 2.0);
        assert!(
            step(&mended) > step(&smeared_x) + 20,
            "{} vs {}",
            step(&mended),
            step(&smeared_x)
        );
        assert_eq!(smear_axis(&GrayImage::new(2, 2)), None);
    }

    #[test]
    fn render_then_decode_round_trip() {
        let code = encode("BG1:HELLO WORLD").unwrap();
        let img = render(&code, 4);
        let found = decode(&img);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].text(), "BG1:HELLO WORLD");
    }

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
    fn sharpen_keeps_flat_areas_and_steepens_edges() {
        let flat = GrayImage::from_pixel(20, 10, Luma([120]));
        assert_eq!(sharpen(&flat, 2, 2.0), flat);
        let edge = GrayImage::from_fn(20, 10, |x, _| Luma([if x < 10 { 100 } else { 150 }]));
        let s = sharpen(&edge, 2, 2.0);
        assert!(s.get_pixel(9, 5).0[0] < 100 && s.get_pixel(10, 5).0[0] > 150);
        assert_eq!(s.get_pixel(0, 5).0[0], 100);
    }

    #[test]
    fn blank_and_empty_images_find_nothing() {
        assert!(decode(&GrayImage::new(0, 0)).is_empty());
        assert!(decode(&GrayImage::from_pixel(640, 480, Luma([255]))).is_empty());
    }

    #[test]
    fn garbage_bytes_are_an_error_not_a_panic() {
        let p = Path::new("x.png");
        assert!(read_gray_bytes(b"\x89PNG\r\n\x1a\nnonsense", p).is_err());
        assert!(read_gray_bytes(b"", p).is_err());
        assert!(read_gray_bytes(&[0xff, 0xd8, 0xff, 0x00, 0x13], p).is_err());
    }
}
