//! The holder's photo as the desk prints it and the kiosk shows it: the
//! camera's orientation applied, cropped to a 3:4 portrait, resized, and
//! re-encoded as a baseline JPEG with no metadata (no EXIF, no location, no
//! camera serial). The digest of exactly these bytes goes into the badge.

use std::io::{Cursor, Read};
use std::path::Path;

use image::{DynamicImage, ImageDecoder};

use badgegate_core::format::badge::PhotoDigest;
use badgegate_core::format::constants::{MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE};

/// Width of a normalised photo, pixels.
pub const PHOTO_WIDTH: u32 = 360;
/// Height of a normalised photo, pixels (3:4 portrait).
pub const PHOTO_HEIGHT: u32 = 480;
/// JPEG quality of a normalised photo.
const PHOTO_QUALITY: u8 = 85;
/// Largest photo file the desk reads.
pub const MAX_PHOTO_INPUT_BYTES: u64 = 40 << 20;
/// A photo smaller than this on either side shows nobody recognisably.
const MIN_PHOTO_SIDE: u32 = 96;

/// A photo ready to print and to hand to the kiosks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Photo {
    /// The JPEG file's bytes (`SERIAL-photo.jpg`).
    pub jpeg: Vec<u8>,
    /// Their digest, as the badge carries it.
    pub digest: PhotoDigest,
}

pub use badgegate_core::format::badge::photo_file_name;

/// Reads a photo file (JPEG or PNG) and normalises it.
pub fn load_photo(path: &Path) -> Result<Photo, String> {
    let file =
        badgegate_core::files::open_regular(path).map_err(|e| format!("cannot read it: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_PHOTO_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.len() as u64 > MAX_PHOTO_INPUT_BYTES {
        return Err(format!(
            "larger than {} MiB; export a smaller JPEG",
            MAX_PHOTO_INPUT_BYTES >> 20
        ));
    }
    normalise(&bytes)
}

/// Normalises photo bytes (JPEG or PNG): orientation applied, a 3:4
/// portrait cut from the centre (a little above it, where faces are),
/// resized to [`PHOTO_WIDTH`] x [`PHOTO_HEIGHT`], re-encoded as JPEG.
pub fn normalise(bytes: &[u8]) -> Result<Photo, String> {
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    let format = image::guess_format(bytes)
        .map_err(|_| "not a picture this build reads; give a JPEG or PNG".to_string())?;
    if !matches!(format, image::ImageFormat::Png | image::ImageFormat::Jpeg) {
        return Err(format!(
            "{format:?} pictures are not read; give a JPEG or PNG"
        ));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_IMAGE_PIXELS * 4 + (64 << 20));
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| format!("not a readable picture ({e})"))?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_IMAGE_PIXELS {
        return Err(format!("{w}x{h} pixels is too large a picture"));
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img =
        DynamicImage::from_decoder(decoder).map_err(|e| format!("not a readable picture ({e})"))?;
    img.apply_orientation(orientation);
    let (w, h) = (img.width(), img.height());
    if w < MIN_PHOTO_SIDE || h < MIN_PHOTO_SIDE {
        return Err(format!(
            "{w}x{h} pixels is too small to recognise anyone (at least {MIN_PHOTO_SIDE} on each side)"
        ));
    }
    let portrait = crop_portrait(&img);
    let small = portrait
        .resize_exact(
            PHOTO_WIDTH,
            PHOTO_HEIGHT,
            image::imageops::FilterType::Lanczos3,
        )
        .into_rgb8();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, PHOTO_QUALITY)
        .encode_image(&small)
        .map_err(|e| format!("cannot encode the photo ({e})"))?;
    let digest = PhotoDigest::of(&jpeg);
    Ok(Photo { jpeg, digest })
}

/// The largest 3:4 portrait inside the picture: centred across, and a
/// third of the way down the spare height (heads sit above the middle).
fn crop_portrait(img: &DynamicImage) -> DynamicImage {
    let (w, h) = (u64::from(img.width()), u64::from(img.height()));
    // Width:height = 3:4.
    let (cw, ch) = if w * 4 > h * 3 {
        (h * 3 / 4, h)
    } else {
        (w, w * 4 / 3)
    };
    let x = (w - cw) / 2;
    let y = (h - ch) / 3;
    // Every value fits: they are at most the picture's own sides.
    img.crop_imm(x as u32, y as u32, cw.max(1) as u32, ch.max(1) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg_of(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
            .encode_image(&img)
            .unwrap();
        out
    }

    #[test]
    fn any_shape_becomes_a_3_by_4_portrait_jpeg_with_its_digest() {
        for (w, h) in [(1200, 800), (600, 1200), (480, 640), (100, 100)] {
            let p = normalise(&jpeg_of(w, h)).unwrap();
            let back = image::load_from_memory(&p.jpeg).unwrap();
            assert_eq!((back.width(), back.height()), (PHOTO_WIDTH, PHOTO_HEIGHT));
            assert_eq!(p.digest, PhotoDigest::of(&p.jpeg));
            assert!(p.jpeg.starts_with(&[0xff, 0xd8]));
        }
    }

    #[test]
    fn refuses_what_shows_nobody() {
        assert!(normalise(b"").unwrap_err().contains("empty"));
        assert!(normalise(b"GIF89a....")
            .unwrap_err()
            .contains("JPEG or PNG"));
        assert!(normalise(&jpeg_of(60, 80))
            .unwrap_err()
            .contains("too small"));
        let mut cut = jpeg_of(400, 400);
        cut.truncate(300);
        assert!(normalise(&cut).is_err());
    }
}
