//! The printable badge card: A6 portrait at 300 dpi with a category colour
//! band, the holder's name and organisation, the QR code, serial, zones and
//! validity. Text is shaped (`shape`): the embedded DejaVu Sans for Latin,
//! Greek and Cyrillic, the system's Noto fonts for CJK, Arabic, Persian,
//! Devanagari and the rest.

use image::{Rgb, RgbImage};
use qrcode::QrCode;

use badgegate_core::clock::VenueTime;
use badgegate_core::format::badge::Badge;
use badgegate_core::format::policy::PolicyBody;
use badgegate_read::read::{self, QUIET_ZONE};
use badgegate_shape::shape::{self, Mask};

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

/// How cards look at this venue: the policy's names and colours, and the
/// time zone (or fixed offset) their validity is printed in.
#[derive(Clone, Copy, Debug)]
pub struct Look<'a> {
    pub policy: Option<&'a PolicyBody>,
    pub time: &'a VenueTime,
}

/// What a card is made of, in card pixels (300 dpi, y down): the PNG draws
/// it, the print sheet (`sheet`) draws the same marks as vectors.
#[derive(Clone, Debug, PartialEq)]
pub enum Mark {
    /// A filled rectangle.
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        colour: [u8; 3],
    },
    /// One line of shaped text, centred on `cx`, its baseline at `baseline`.
    Text {
        text: String,
        bold: bool,
        size: f32,
        cx: f32,
        baseline: f32,
        colour: [u8; 3],
    },
    /// The holder's photo.
    Photo { x: f32, y: f32, w: f32, h: f32 },
    /// The QR code, quiet zone included, `module` pixels a module.
    Qr { x: f32, y: f32, module: f32 },
}

/// One line of text centred across the card with its baseline at `y`, as
/// large as fits between `sizes` (largest, smallest).
fn line(bold: bool, sizes: (f32, f32), y: f32, colour: [u8; 3], text: &str) -> Mark {
    let inner = (CARD_WIDTH - 2 * MARGIN) as f32;
    let width = shape::with_shaper(|s| s.measure(text, sizes.0, bold).width);
    let size = if width > inner {
        (sizes.0 * inner / width).floor().max(sizes.1)
    } else {
        sizes.0
    };
    Mark::Text {
        text: text.to_owned(),
        bold,
        size,
        cx: CARD_WIDTH as f32 / 2.0,
        baseline: y,
        colour,
    }
}

/// Largest and smallest type for the holder's name, in card pixels.
const NAME_SIZES: (f32, f32) = (96.0, 36.0);
/// Smallest type a name broken over two lines may take: below it, one line
/// reads better.
const NAME_TWO_LINES_MIN: f32 = 64.0;

/// The holder's name: one line as large as fits, or — when one line would
/// have to shrink below [`NAME_TWO_LINES_MIN`] — two lines broken at the
/// space nearest the middle, larger. Returns the organisation's baseline.
fn name_marks(marks: &mut Vec<Mark>, name: &str) -> f32 {
    let inner = (CARD_WIDTH - 2 * MARGIN) as f32;
    let (max, min) = NAME_SIZES;
    let width = |t: &str| shape::with_shaper(|s| s.measure(t, max, true).width);
    let one_line = (max * inner / width(name)).floor().min(max);
    if one_line >= NAME_TWO_LINES_MIN {
        marks.push(line(true, (max, min), 400.0, [0, 0, 0], name));
        return 490.0;
    }
    // Break after a space or a hyphen (the hyphen stays on the first line).
    let middle = name.len() / 2;
    let split = name
        .char_indices()
        .filter(|(_, c)| matches!(c, ' ' | '-'))
        .map(|(i, c)| i + c.len_utf8())
        .filter(|i| *i < name.len())
        .min_by_key(|i| i.abs_diff(middle));
    let Some(at) = split else {
        marks.push(line(true, (max, min), 400.0, [0, 0, 0], name));
        return 490.0;
    };
    let (first, second) = (name[..at].trim_end(), name[at..].trim_start());
    let size = (max * inner / width(first).max(width(second)))
        .floor()
        .min(max);
    if size <= one_line {
        marks.push(line(true, (max, min), 400.0, [0, 0, 0], name));
        return 490.0;
    }
    marks.push(line(true, (size, size), 340.0, [0, 0, 0], first));
    marks.push(line(
        true,
        (size, size),
        340.0 + size * 1.1,
        [0, 0, 0],
        second,
    ));
    340.0 + size * 1.1 + 72.0
}

/// The code at `top`, centred on `centre`, at most `target` pixels wide,
/// whole pixels a module; and its bottom.
fn qr_mark(code: &QrCode, top: u32, centre: u32, target: u32) -> (Mark, u32) {
    let modules = code.width() as u32 + 2 * QUIET_ZONE;
    let module = (target / modules).max(1);
    let side = modules * module;
    let left = centre.saturating_sub(side / 2);
    (
        Mark::Qr {
            x: left as f32,
            y: top as f32,
            module: module as f32,
        },
        top + side,
    )
}

/// The marks of a badge's card: the category's name and colour, zone names
/// and local times from the venue policy when there is one, and the
/// holder's photo (`photo`: its size in pixels) beside the code when the
/// badge has one.
pub fn layout(
    badge: &Badge,
    code: &QrCode,
    look: Look<'_>,
    photo: Option<(u32, u32)>,
) -> Vec<Mark> {
    let policy = look.policy;
    let (label, band) = PolicyBody::category_look(policy, &badge.category);
    let (w, h) = (CARD_WIDTH as f32, CARD_HEIGHT as f32);
    let mut marks = vec![
        Mark::Fill {
            x: 0.0,
            y: 0.0,
            w,
            h: BAND_HEIGHT as f32,
            colour: band,
        },
        Mark::Fill {
            x: 0.0,
            y: h - 60.0,
            w,
            h: 60.0,
            colour: band,
        },
    ];
    let (bold, regular) = (true, false);
    marks.push(line(
        bold,
        (130.0, 40.0),
        175.0,
        [255, 255, 255],
        &label.to_uppercase(),
    ));
    let org_baseline = name_marks(&mut marks, &badge.name);
    if !badge.org.is_empty() {
        marks.push(line(
            regular,
            (60.0, 28.0),
            org_baseline,
            [60, 60, 60],
            &badge.org,
        ));
    }
    let qr_bottom = match photo {
        Some((pw, ph)) => {
            // A thin frame, so a pale photo still has an edge.
            let (fx, fy) = ((MARGIN - 3) as f32, 557.0);
            marks.push(Mark::Fill {
                x: fx,
                y: fy,
                w: (pw + 6) as f32,
                h: (ph + 6) as f32,
                colour: [120, 120, 120],
            });
            marks.push(Mark::Photo {
                x: MARGIN as f32,
                y: 560.0,
                w: pw as f32,
                h: ph as f32,
            });
            let right = MARGIN + pw + 30;
            let centre = right + (CARD_WIDTH - MARGIN - right) / 2;
            let (qr, bottom) = qr_mark(code, 540, centre, CARD_WIDTH - MARGIN - right);
            marks.push(qr);
            bottom.max(560 + ph + 20) as f32
        }
        None => {
            let (qr, bottom) = qr_mark(code, 540, CARD_WIDTH / 2, QR_TARGET_PX);
            marks.push(qr);
            bottom as f32
        }
    };
    marks.extend(footer(badge, look, qr_bottom));
    // The event's name, as its signed policy gives it, in the lower band.
    if let Some(p) = policy {
        marks.push(line(
            bold,
            (40.0, 22.0),
            h - 16.0,
            [255, 255, 255],
            &p.venue,
        ));
    }
    marks
}

/// The lines under the code: zones (by name where the policy has them),
/// validity in the venue's time, serial and key.
fn footer(badge: &Badge, look: Look<'_>, qr_bottom: f32) -> Vec<Mark> {
    let (policy, time) = (look.policy, look.time);
    let (bold, regular) = (true, false);
    let mut marks = Vec::new();
    let zone_names: Vec<String> = badge
        .zones
        .iter()
        .map(|z| match policy.and_then(|p| p.zone(z)) {
            Some(def) => def.name.clone(),
            None if z == badgegate_core::format::constants::ALL_ZONES => "ALL".into(),
            None => z.clone(),
        })
        .collect();
    let zones = format!("Zones: {}", zone_names.join(" · "));
    marks.push(line(
        bold,
        (52.0, 24.0),
        qr_bottom + 80.0,
        [0, 0, 0],
        &zones,
    ));
    let valid = format!(
        "Valid {} – {}",
        time.format(badge.valid_from),
        time.format(badge.valid_until)
    );
    marks.push(line(
        regular,
        (38.0, 20.0),
        qr_bottom + 145.0,
        [60, 60, 60],
        &valid,
    ));
    let serial = format!("No. {}   key {}", badge.serial, badge.key_id);
    marks.push(line(
        regular,
        (34.0, 20.0),
        qr_bottom + 200.0,
        [90, 90, 90],
        &serial,
    ));
    marks
}

/// Renders the printable card (see [`layout`]) as pixels; `photo` is the
/// normalised JPEG.
pub fn render(badge: &Badge, code: &QrCode, look: Look<'_>, photo: Option<&[u8]>) -> RgbImage {
    let photo = photo
        .and_then(|p| image::load_from_memory(p).ok())
        .map(|p| p.into_rgb8());
    let mut img = RgbImage::from_pixel(CARD_WIDTH, CARD_HEIGHT, Rgb([255, 255, 255]));
    let size = photo.as_ref().map(|p| p.dimensions());
    for mark in layout(badge, code, look, size) {
        match mark {
            Mark::Fill { x, y, w, h, colour } => {
                fill(&mut img, x as u32, y as u32, w as u32, h as u32, colour);
            }
            Mark::Text {
                text,
                bold,
                size,
                cx,
                baseline,
                colour,
            } => {
                let mask = shape::with_shaper(|s| s.render(&text, size, bold));
                draw_mask(&mut img, &mask, cx, baseline, colour);
            }
            Mark::Photo { x, y, .. } => {
                if let Some(p) = &photo {
                    image::imageops::overlay(&mut img, p, x as i64, y as i64);
                }
            }
            Mark::Qr { x, y, module } => {
                let grey = read::render(code, module as u32);
                image::imageops::overlay(
                    &mut img,
                    &image::DynamicImage::ImageLuma8(grey).into_rgb8(),
                    x as i64,
                    y as i64,
                );
            }
        }
    }
    img
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

pub use shape::missing_glyphs;

#[cfg(test)]
mod tests {
    use super::*;
    use badgegate_core::format::category::category_colour;

    #[test]
    fn latin_and_cyrillic_need_only_the_embedded_font() {
        assert!(missing_glyphs("Ana María Núñez").is_empty());
        assert!(missing_glyphs("Тоҷикистон").is_empty());
        // A private-use character: no font anywhere draws it.
        assert_eq!(missing_glyphs("A\u{10FFFD}"), vec!['\u{10FFFD}']);
    }

    /// Every card, long names and organisations included, with and
    /// without a photo: no two marks overlap and none leaves the card; a
    /// 45-character name breaks over two lines in large type rather than
    /// shrinking to the smallest.
    #[test]
    fn no_two_marks_on_a_card_overlap_and_long_names_take_two_lines() {
        use badgegate_core::clock::VenueTime;
        use badgegate_core::format::badge::{Badge, SignedBadge};
        use badgegate_core::format::keys::{KeyId, SecretKey};
        let k = SecretKey::from_seed(&[9; 32]);
        let time = VenueTime::zone("Asia/Tashkent");
        let look = Look {
            policy: None,
            time: &time,
        };
        let names = [
            ("Li Ming", ""),
            (
                "Maximilian Alexander von Hohenberg-Ruiz Castellanos",
                "Federal Ministry for European and International Affairs",
            ),
            ("Bartholomew-Christophersen-Vandenberghe-Okonkwo", "UN"),
            ("王小明", "中华人民共和国外交部"),
        ];
        for (name, org) in names {
            let badge = Badge {
                key_id: KeyId([0; 4]),
                serial: "HD-0001".into(),
                name: name.into(),
                org: org.into(),
                category: "hod".into(),
                zones: vec!["plenary".into(), "press".into()],
                valid_from: 1_796_000_400,
                valid_until: 1_796_200_800,
                issued_at: 1_796_000_400,
                photo: None,
            };
            let signed = SignedBadge::sign(badge.clone(), &k).unwrap();
            let code = qrcode::QrCode::with_error_correction_level(
                signed.text().as_bytes(),
                qrcode::EcLevel::M,
            )
            .unwrap();
            for photo in [None, Some((300, 400))] {
                let marks = layout(&badge, &code, look, photo);
                let mut boxes: Vec<(String, [f32; 4])> = Vec::new();
                for m in &marks {
                    match m {
                        Mark::Text {
                            text,
                            bold,
                            size,
                            cx,
                            baseline,
                            ..
                        } => {
                            let w = shape::with_shaper(|s| s.measure(text, *size, *bold).width);
                            let b = [
                                cx - w / 2.0,
                                baseline - size * 0.8,
                                cx + w / 2.0,
                                baseline + size * 0.25,
                            ];
                            assert!(
                                b[0] >= 0.0 && b[2] <= CARD_WIDTH as f32,
                                "{text:?} leaves the card: {b:?}"
                            );
                            boxes.push((text.clone(), b));
                        }
                        Mark::Qr { x, y, module } => {
                            let side = (code.width() as f32 + 2.0 * QUIET_ZONE as f32) * module;
                            boxes.push(("QR".into(), [*x, *y, x + side, y + side]));
                        }
                        Mark::Photo { x, y, w, h } => {
                            boxes.push(("photo".into(), [*x, *y, x + w, y + h]))
                        }
                        Mark::Fill { .. } => {}
                    }
                }
                for (i, (a, ab)) in boxes.iter().enumerate() {
                    for (b, bb) in &boxes[i + 1..] {
                        let overlap =
                            ab[0] < bb[2] && bb[0] < ab[2] && ab[1] < bb[3] && bb[1] < ab[3];
                        assert!(!overlap, "{name}: {a:?} {ab:?} overlaps {b:?} {bb:?}");
                    }
                }
                if name.chars().count() >= 45 {
                    let lines: Vec<f32> = marks
                        .iter()
                        .filter_map(|m| match m {
                            Mark::Text { text, size, .. }
                                if name.contains(text.as_str()) && text != name =>
                            {
                                Some(*size)
                            }
                            _ => None,
                        })
                        .collect();
                    assert_eq!(lines.len(), 2, "{name}: two lines");
                    assert!(
                        lines.iter().all(|s| *s >= NAME_TWO_LINES_MIN),
                        "{name}: {lines:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn category_colours_are_stable_and_distinct() {
        assert_eq!(category_colour("press"), [230, 126, 0]);
        assert_eq!(category_colour("catering"), category_colour("catering"));
        assert_ne!(category_colour("delegate"), category_colour("press"));
    }
}
