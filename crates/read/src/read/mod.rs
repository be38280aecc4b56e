//! Reading codes: badge text to QR images (`encode`) and every QR code in a
//! grey picture back to bytes (the budgeted cascade here, over the decoders
//! in `decoders`, helped by `enhance`; `track` for a live camera), and image
//! files to grey pictures (`image_file`). No camera here.

use std::path::PathBuf;

use image::GrayImage;
use serde::Serialize;

use badgegate_core::format::constants::{MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE};

#[cfg(feature = "host")]
mod curl;
mod decoders;
#[cfg(feature = "host")]
mod encode;
#[cfg_attr(not(feature = "host"), allow(dead_code))]
mod enhance;
#[cfg(feature = "host")]
mod image_file;
#[cfg(feature = "host")]
mod rxing;
#[cfg(feature = "host")]
mod stack;
#[cfg(feature = "host")]
mod track;

pub use decoders::decoder_running;
#[cfg(feature = "host")]
pub use encode::{encode, render, render_svg, version_number, QUIET_ZONE};
#[cfg(feature = "host")]
pub use image_file::{
    image_paths, is_image_path, load_gray, read_gray_bytes, MAX_IMAGE_FILE_BYTES,
};
#[cfg(feature = "host")]
pub use track::TrackingReader;

use decoders::{decode_once, decode_quirc};
use enhance::halve;
#[cfg(feature = "host")]
use enhance::{sharpen, sharpen_along, smear_axis};
#[cfg(feature = "host")]
use rxing::{decode_rxing, decode_rxing_fast, decode_rxing_with, rxing_decode_until, Binarizer};

/// Failures making or reading QR images.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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
    #[error("{path}: the file is empty (0 bytes), not an image")]
    EmptyFile { path: PathBuf },
    #[error("{path}: the image has no pixels (width or height 0)")]
    Empty { path: PathBuf },
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

/// Time a recorded frame (images replayed on simulated time, the demo) may
/// take: no camera is waiting, so each is read as fully as a still picture
/// and a replay decides the same on a slow or busy machine as on a fast one.
pub const REPLAY_BUDGET: std::time::Duration = std::time::Duration::from_secs(3);

#[cfg(feature = "host")]
/// The longest the search for codes in one picture may go on, whatever it
/// holds: four frame budgets for a camera frame, 40 ms a megapixel for a
/// larger picture (a photo), never more than 3 s. A picture tiled with
/// thousands of codes costs this, not minutes.
pub fn hard_limit(img: &GrayImage) -> std::time::Duration {
    let megapixels = u64::from(img.width()) * u64::from(img.height()) / 1_000_000;
    let by_size = std::time::Duration::from_millis(40 * megapixels);
    (FRAME_BUDGET * 4)
        .max(by_size)
        .min(std::time::Duration::from_secs(3))
}

#[cfg(feature = "host")]
/// Every QR code found and decoded in a grey image, within
/// [`FRAME_BUDGET`] where possible. Codes that are found but do not decode
/// (damaged, cut off) are left out: no wrong text is ever returned (both
/// decoders check every block's error correction).
pub fn decode(img: &GrayImage) -> Vec<FoundCode> {
    decode_within(img, FRAME_BUDGET)
}

#[cfg(feature = "host")]
/// Every QR code in a still picture (a file given to `decode` or
/// `verify`, a photo): the whole pipeline, with up to [`hard_limit`] for it
/// instead of one camera frame's time.
pub fn decode_picture(img: &GrayImage) -> Vec<FoundCode> {
    decode_within(img, hard_limit(img))
}

#[cfg(feature = "host")]
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
///    module or more, which then read at 1-3 px);
/// 6. quirc on the frame (another detector: reads some bent codes);
/// 7. a small picture (a photo, at most [`SMALL_PICTURE`] pixels) enlarged
///    2x, then 4x, and read by rxing and quirc again (codes of 2-3 px a
///    module, blurred).
///
/// A frame of [`LARGE_FRAME`] pixels or more is first read by rxing at half
/// size (stage 0). Stage 1 always runs when that finds nothing, so every
/// frame gets at least one full look.
pub fn decode_within(img: &GrayImage, budget: std::time::Duration) -> Vec<FoundCode> {
    decode_stages(img, budget, true)
}

#[cfg(feature = "host")]
/// The cascade of [`decode_within`]; `half_first: false` leaves out the
/// half-size look at a large frame (a live camera took it on the frame
/// before: see [`TrackingReader`]).
pub(crate) fn decode_stages(
    img: &GrayImage,
    budget: std::time::Duration,
    half_first: bool,
) -> Vec<FoundCode> {
    let start = std::time::Instant::now();
    let in_budget = || start.elapsed() < budget;
    // rqrr costs about 28 ns a pixel here: a stage that would overrun the
    // budget is skipped rather than started.
    let fits_ns = |ns: u64| start.elapsed() + std::time::Duration::from_nanos(ns) <= budget;
    let fits = |pixels: u64| fits_ns(pixels * 28);
    let pixels = u64::from(img.width()) * u64::from(img.height());
    // A large frame (1080p and up) is read at half size first: a badge held
    // up to the camera still has 2-3 px a module there, and reading a
    // quarter of the pixels keeps a 1080p camera inside its frame time.
    let mut found = Vec::new();
    // rxing's search for further codes in the frame (a second badge) stops
    // at the end of the budget; its first look always runs.
    let deadline = start + budget;
    if pixels >= LARGE_FRAME && half_first {
        let half = halve(img);
        found = rxing_decode_until(&half, Binarizer::Hybrid, true, deadline);
        to_frame(&mut found, 2, 0, 0);
    }
    if found.is_empty() {
        found = rxing_decode_until(img, Binarizer::Hybrid, true, deadline);
    }
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
    // quirc costs about 10 ns a pixel.
    if found.is_empty() && fits_ns(pixels * 10) {
        found = decode_quirc(img);
    }
    if found.is_empty() && pixels <= SMALL_PICTURE {
        for scale in [2u32, 4] {
            // Enlarging and reading cost about 60 ns a pixel of the result.
            let big = pixels * u64::from(scale * scale);
            if !found.is_empty() || !fits_ns(big * 60) {
                break;
            }
            let up = image::imageops::resize(
                img,
                img.width() * scale,
                img.height() * scale,
                image::imageops::FilterType::CatmullRom,
            );
            found = decode_rxing(&up);
            if found.is_empty() {
                found = decode_quirc(&up);
            }
            for corner in found.iter_mut().flat_map(|c| c.corners.iter_mut()) {
                corner[0] /= scale as i32;
                corner[1] /= scale as i32;
            }
        }
    }
    found
}

/// The light reader a phone runs (the patrol page's WebAssembly build):
/// the cascade's later stages, which need neither rxing nor a clock. rqrr
/// on the picture, then on the picture halved while it is at least 160 px
/// a side (large or noisy modules), then quirc (another detector: some
/// bent codes). As in [`decode`], a code found but not decoded is left out
/// and both decoders check every block's error correction.
pub fn decode_light(img: &GrayImage) -> Vec<FoundCode> {
    let mut found = decode_once(img);
    let mut current = std::borrow::Cow::Borrowed(img);
    let mut factor = 1;
    while found.is_empty() && current.width() >= 320 && current.height() >= 320 {
        current = std::borrow::Cow::Owned(halve(&current));
        factor *= 2;
        found = decode_once(&current);
        to_frame(&mut found, factor, 0, 0);
    }
    if found.is_empty() {
        found = decode_quirc(img);
    }
    found
}

/// Frames of at least this many pixels (1920x1080 is 2.07 million) are
/// read at half size first.
pub const LARGE_FRAME: u64 = 1_500_000;

/// Pictures of at most this many pixels (a cropped photo, a thumbnail) are
/// also read enlarged: a camera frame is never this small.
pub const SMALL_PICTURE: u64 = 400_000;

/// Maps corners found in a scaled-down (by `scale`) or cropped (at
/// `dx`, `dy`) copy back to the frame's pixels.
pub(crate) fn to_frame(found: &mut [FoundCode], scale: i32, dx: i32, dy: i32) {
    for corner in found.iter_mut().flat_map(|c| c.corners.iter_mut()) {
        corner[0] = corner[0] * scale + scale / 2 + dx;
        corner[1] = corner[1] * scale + scale / 2 + dy;
    }
}

#[cfg(feature = "host")]
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

#[cfg(feature = "host")]
/// Runs one decoder (see [`Decoder`]).
pub fn decode_with(decoder: Decoder, img: &GrayImage) -> Vec<FoundCode> {
    match decoder {
        Decoder::Rqrr => decode_once(img),
        Decoder::Rxing => decode_rxing(img),
        Decoder::Pipeline => decode(img),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{encode, render};
    use image::Luma;
    #[test]
    fn render_then_decode_round_trip() {
        let code = encode("BG1:HELLO WORLD").unwrap();
        let img = render(&code, 4);
        let found = decode(&img);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].text(), "BG1:HELLO WORLD");
    }

    #[test]
    fn blank_and_empty_images_find_nothing() {
        assert!(decode(&GrayImage::new(0, 0)).is_empty());
        assert!(decode(&GrayImage::from_pixel(640, 480, Luma([255]))).is_empty());
    }
}
