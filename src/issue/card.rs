//! The printable badge card: A6 portrait at 300 dpi with a category colour
//! band, the holder's name and organisation, the QR code, serial, zones and
//! validity. Text is shaped (`shape`): the embedded DejaVu Sans for Latin,
//! Greek and Cyrillic, the system's Noto fonts for CJK, Arabic, Persian,
//! Devanagari and the rest.

use image::{Rgb, RgbImage};
use qrcode::QrCode;

use crate::clock::VenueTime;
use crate::format::badge::Badge;
use crate::format::policy::PolicyBody;
use crate::read::{self, QUIET_ZONE};
use crate::shape::{self, Mask};

/// Card width in pixels: 105 mm at 300 dpi.
pub const CARD_WIDTH: u32 = 1240;
/// Card height in pixels: 148 mm at 300 dpi.
pub const CARD_HEIGHT: u32 = 1748;
/// Print resolution written into the PNG (dots per inch).
pub const CARD_DPI: u32 = 300;

const MARGIN: u32 = 70;
const BAND_HEIGHT: u32 = 260;
const QR_TARGET_PX: u32 = 760;

/// Draws a shaped line of text with its baseline at `baseline`, centred on
/// `cx`, blending `colour` in by coverage.
fn draw_mask(img: &mut RgbImage, mask: &Mask, cx: f32, baseline: f32, colour: [u8; 3]) {
    let ink_w = mask.width.saturating_sub(2 * mask.left) as f32;
    let x0 = (cx - ink_w / 2.0).round() as i64 - i64::from(mask.left);
    let y0 = baseline.round() as i64 - i64::from(mask.baseline);
    for my in 0..mask.height {
        for mx in 0..mask.width {
            let a = mask.alpha[(my * mask.width + mx) as usize];
            if a == 0 {
                continue;
            }
            let (px, py) = (x0 + i64::from(mx), y0 + i64::from(my));
            if px < 0 || py < 0 || px >= i64::from(img.width()) || py >= i64::from(img.height()) {
                continue;
            }
            let p = img.get_pixel_mut(px as u32, py as u32);
            let a = f32::from(a) / 255.0;
            for (channel, target) in p.0.iter_mut().zip(colour) {
                *channel = (f32::from(*channel) * (1.0 - a) + f32::from(target) * a).round() as u8;
            }
        }
    }
}

fn fill(img: &mut RgbImage, x: u32, y: u32, w: u32, h: u32, colour: [u8; 3]) {
    for yy in y..(y + h).min(img.height()) {
        for xx in x..(x + w).min(img.width()) {
            img.put_pixel(xx, yy, Rgb(colour));
        }
    }
}

/// One line of text centred across the card with its baseline at `y`,
/// shaped in any script (right-to-left, joined, with font fallback), as
/// large as fits between `sizes` (largest, smallest).
fn line(img: &mut RgbImage, bold: bool, sizes: (f32, f32), y: f32, colour: [u8; 3], text: &str) {
    let inner = (CARD_WIDTH - 2 * MARGIN) as f32;
    let mask = shape::with_shaper(|s| {
        let width = s.measure(text, sizes.0, bold).width;
        let size = if width > inner {
            (sizes.0 * inner / width).floor().max(sizes.1)
        } else {
            sizes.0
        };
        s.render(text, size, bold)
    });
    draw_mask(img, &mask, CARD_WIDTH as f32 / 2.0, y, colour);
}

/// Renders the printable card for a badge and its QR code: the category's
/// name and colour, zone names and local times from the venue policy when
/// there is one, and the holder's photo (normalised JPEG) beside the code
/// when the badge has one.
pub fn render(
    badge: &Badge,
    code: &QrCode,
    policy: Option<&PolicyBody>,
    photo: Option<&[u8]>,
) -> RgbImage {
    let mut img = RgbImage::from_pixel(CARD_WIDTH, CARD_HEIGHT, Rgb([255, 255, 255]));
    let (label, band) = PolicyBody::category_look(policy, &badge.category);
    let time = policy.map_or_else(VenueTime::utc, PolicyBody::venue_time);
    fill(&mut img, 0, 0, CARD_WIDTH, BAND_HEIGHT, band);
    fill(&mut img, 0, CARD_HEIGHT - 60, CARD_WIDTH, 60, band);
    let (bold, regular) = (true, false);
    line(
        &mut img,
        bold,
        (130.0, 40.0),
        175.0,
        [255, 255, 255],
        &label.to_uppercase(),
    );
    line(&mut img, bold, (96.0, 36.0), 400.0, [0, 0, 0], &badge.name);
    if !badge.org.is_empty() {
        line(
            &mut img,
            regular,
            (60.0, 28.0),
            490.0,
            [60, 60, 60],
            &badge.org,
        );
    }
    let photo = photo.and_then(|p| image::load_from_memory(p).ok());
    let qr_bottom = match photo {
        Some(p) => {
            let p = p.into_rgb8();
            image::imageops::overlay(&mut img, &p, i64::from(MARGIN), 560);
            // A thin frame, so a pale photo still has an edge.
            frame(
                &mut img,
                MARGIN,
                560,
                p.width(),
                p.height(),
                [120, 120, 120],
            );
            let right = MARGIN + p.width() + 30;
            let centre = right + (CARD_WIDTH - MARGIN - right) / 2;
            let qr = draw_qr(&mut img, code, 540, centre, CARD_WIDTH - MARGIN - right);
            qr.max(560 + p.height() + 20) as f32
        }
        None => draw_qr(&mut img, code, 540, CARD_WIDTH / 2, QR_TARGET_PX) as f32,
    };
    let zone_names: Vec<String> = badge
        .zones
        .iter()
        .map(|z| match policy.and_then(|p| p.zone(z)) {
            Some(def) => def.name.clone(),
            None if z == crate::format::constants::ALL_ZONES => "ALL".into(),
            None => z.clone(),
        })
        .collect();
    let zones = format!("Zones: {}", zone_names.join(" · "));
    line(
        &mut img,
        bold,
        (52.0, 24.0),
        qr_bottom + 80.0,
        [0, 0, 0],
        &zones,
    );
    let valid = format!(
        "Valid {} – {}",
        time.format(badge.valid_from),
        time.format(badge.valid_until)
    );
    line(
        &mut img,
        regular,
        (38.0, 20.0),
        qr_bottom + 145.0,
        [60, 60, 60],
        &valid,
    );
    let serial = format!("No. {}   key {}", badge.serial, badge.key_id);
    line(
        &mut img,
        regular,
        (34.0, 20.0),
        qr_bottom + 200.0,
        [90, 90, 90],
        &serial,
    );
    img
}

/// A three-pixel frame just outside a rectangle.
fn frame(img: &mut RgbImage, x: u32, y: u32, w: u32, h: u32, colour: [u8; 3]) {
    let (x0, y0) = (x.saturating_sub(3), y.saturating_sub(3));
    fill(img, x0, y0, w + 6, 3, colour);
    fill(img, x0, y + h, w + 6, 3, colour);
    fill(img, x0, y0, 3, h + 6, colour);
    fill(img, x + w, y0, 3, h + 6, colour);
}

/// Draws the code at `top`, centred on `centre`, at most `target` pixels
/// wide, whole pixels a module; returns its bottom.
fn draw_qr(img: &mut RgbImage, code: &QrCode, top: u32, centre: u32, target: u32) -> u32 {
    let modules = code.width() as u32 + 2 * QUIET_ZONE;
    let module_px = (target / modules).max(1);
    let grey = read::render(code, module_px);
    let left = centre.saturating_sub(grey.width() / 2);
    for (x, y, p) in grey.enumerate_pixels() {
        if x + left < img.width() && y + top < img.height() {
            img.put_pixel(x + left, y + top, Rgb([p.0[0]; 3]));
        }
    }
    top + grey.height()
}

/// Encodes the card as PNG with its 300 dpi print resolution recorded.
pub fn encode_png(img: &RgbImage) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, img.width(), img.height());
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        // 300 dots per inch = 11811 per metre.
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: 11_811,
            yppu: 11_811,
            unit: png::Unit::Meter,
        }));
        let mut writer = enc.write_header()?;
        writer.write_image_data(img.as_raw())?;
        writer.finish()?;
    }
    Ok(out)
}

/// The characters of `text` no font on this machine draws (they would
/// print as boxes).
pub fn missing_glyphs(text: &str) -> Vec<char> {
    shape::with_shaper(|s| {
        let mut m = s.measure(text, 40.0, true).missing;
        for c in s.measure(text, 40.0, false).missing {
            if !m.contains(&c) {
                m.push(c);
            }
        }
        m
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::category::category_colour;

    #[test]
    fn latin_and_cyrillic_need_only_the_embedded_font() {
        assert!(missing_glyphs("Ana María Núñez").is_empty());
        assert!(missing_glyphs("Тоҷикистон").is_empty());
        // A private-use character: no font anywhere draws it.
        assert_eq!(missing_glyphs("A\u{10FFFD}"), vec!['\u{10FFFD}']);
    }

    #[test]
    fn category_colours_are_stable_and_distinct() {
        assert_eq!(category_colour("press"), [230, 126, 0]);
        assert_eq!(category_colour("catering"), category_colour("catering"));
        assert_ne!(category_colour("delegate"), category_colour("press"));
    }
}
