//! Print-ready sheets: one PDF of a batch, each card drawn from the same
//! marks as its PNG (`card::layout`) but as vectors — QR modules as
//! rectangles, names as the shaped glyphs' outlines — with the photo's
//! JPEG embedded as it is.
//!
//! - `a4`: A4 portrait pages, four cards a page (each A6 at 95 %, 99.75 x
//!   140.6 mm, so crop marks and a printer's unprintable edge fit around
//!   them);
//! - `a6`: one card a page, A6 (105 x 148 mm);
//! - `cr80`: one card a page at the PVC card size, 54 x 85.6 mm portrait.

use miniz_oxide::deflate::{compress_to_vec_zlib, CompressionLevel};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, TextStr};
use qrcode::QrCode;

use super::card::{self, Look, Mark, CARD_HEIGHT, CARD_WIDTH};
use badgegate_core::format::badge::SignedBadge;
use badgegate_read::read::QUIET_ZONE;
use badgegate_shape::shape::{self, PathOp};

/// Points a millimetre.
const PT_PER_MM: f32 = 72.0 / 25.4;

/// The sheet a batch is printed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SheetKind {
    A4,
    A6,
    Cr80,
}

impl SheetKind {
    /// `a4`, `a6` or `cr80`.
    pub fn parse(s: &str) -> Option<SheetKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "a4" => Some(SheetKind::A4),
            "a6" => Some(SheetKind::A6),
            "cr80" => Some(SheetKind::Cr80),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            SheetKind::A4 => "a4",
            SheetKind::A6 => "a6",
            SheetKind::Cr80 => "cr80",
        }
    }

    /// Page size in millimetres (width, height).
    pub fn page_mm(self) -> (f32, f32) {
        match self {
            SheetKind::A4 => (210.0, 297.0),
            SheetKind::A6 => (105.0, 148.0),
            SheetKind::Cr80 => (54.0, 85.6),
        }
    }

    /// Cards on a page.
    pub fn per_page(self) -> usize {
        match self {
            SheetKind::A4 => 4,
            _ => 1,
        }
    }

    /// Where each card of a page goes: its top-left corner (mm from the
    /// page's top-left) and its scale against A6.
    fn slots(self) -> Vec<(f32, f32, f32)> {
        match self {
            SheetKind::A6 => vec![(0.0, 0.0, 1.0)],
            SheetKind::Cr80 => {
                let scale = (54.0 / 105.0f32).min(85.6 / 148.0);
                let h = 148.0 * scale;
                vec![(0.0, (85.6 - h) / 2.0, scale)]
            }
            SheetKind::A4 => {
                let scale = 0.95;
                let (w, h) = (105.0 * scale, 148.0 * scale);
                let (mx, my) = ((105.0 - w) / 2.0, (148.5 - h) / 2.0);
                vec![
                    (mx, my, scale),
                    (105.0 + mx, my, scale),
                    (mx, 148.5 + my, scale),
                    (105.0 + mx, 148.5 + my, scale),
                ]
            }
        }
    }
}

/// One card to print: the badge and its photo's JPEG bytes.
pub struct SheetCard<'a> {
    pub badge: &'a SignedBadge,
    pub photo: Option<&'a [u8]>,
}

/// Allocates object numbers.
struct Refs(i32);

impl Refs {
    fn next(&mut self) -> Ref {
        self.0 += 1;
        Ref::new(self.0)
    }
}

/// The PDF of `cards` on `kind` sheets.
pub fn write_pdf(
    kind: SheetKind,
    cards: &[SheetCard<'_>],
    look: Look<'_>,
) -> Result<Vec<u8>, String> {
    let mut pdf = Pdf::new();
    let mut refs = Refs(0);
    let catalog = refs.next();
    let tree = refs.next();
    let info = refs.next();
    pdf.catalog(catalog).pages(tree);
    pdf.document_info(info)
        .title(TextStr("badgegate badges"))
        .creator(TextStr("badgegate"));
    let (pw, ph) = kind.page_mm();
    let (pw, ph) = (pw * PT_PER_MM, ph * PT_PER_MM);
    let mut pages = Vec::new();
    for chunk in cards.chunks(kind.per_page()) {
        let page = refs.next();
        let content_id = refs.next();
        let mut content = Content::new();
        let mut images = Vec::new();
        for (card, (x_mm, y_mm, scale)) in chunk.iter().zip(kind.slots()) {
            let image = match card.photo {
                Some(jpeg) => {
                    let (w, h) = jpeg_size(jpeg).ok_or_else(|| {
                        format!("badge {}: its photo does not read", card.badge.badge.serial)
                    })?;
                    let id = refs.next();
                    let mut x = pdf.image_xobject(id, jpeg);
                    x.filter(Filter::DctDecode);
                    x.width(w as i32);
                    x.height(h as i32);
                    x.color_space().device_rgb();
                    x.bits_per_component(8);
                    x.finish();
                    let name = format!("Im{}", images.len());
                    images.push((name.clone(), id));
                    Some((name, (w, h)))
                }
                None => None,
            };
            let code =
                badgegate_read::read::encode(card.badge.text()).map_err(|e| e.to_string())?;
            // Card pixels (300 dpi, y down) to page points (y up).
            let s = scale * 105.0 * PT_PER_MM / CARD_WIDTH as f32;
            let left = x_mm * PT_PER_MM;
            let top = ph - y_mm * PT_PER_MM;
            content.save_state();
            content.transform([s, 0.0, 0.0, -s, left, top]);
            draw_card(&mut content, card.badge, &code, look, image.as_ref());
            content.restore_state();
            if kind == SheetKind::A4 {
                crop_marks(
                    &mut content,
                    left,
                    top,
                    CARD_WIDTH as f32 * s,
                    CARD_HEIGHT as f32 * s,
                );
            }
        }
        let data = compress_to_vec_zlib(&content.finish(), CompressionLevel::DefaultLevel as u8);
        pdf.stream(content_id, &data).filter(Filter::FlateDecode);
        let mut p = pdf.page(page);
        p.media_box(Rect::new(0.0, 0.0, pw, ph));
        p.parent(tree);
        p.contents(content_id);
        let mut resources = p.resources();
        let mut x_objects = resources.x_objects();
        for (name, id) in &images {
            x_objects.pair(Name(name.as_bytes()), *id);
        }
        x_objects.finish();
        resources.finish();
        p.finish();
        pages.push(page);
    }
    pdf.pages(tree)
        .kids(pages.iter().copied())
        .count(pages.len() as i32);
    Ok(pdf.finish())
}

/// The pixel size a JPEG says it has.
fn jpeg_size(jpeg: &[u8]) -> Option<(u32, u32)> {
    image::ImageReader::with_format(std::io::Cursor::new(jpeg), image::ImageFormat::Jpeg)
        .into_dimensions()
        .ok()
}

fn fill_colour(c: &mut Content, rgb: [u8; 3]) {
    c.set_fill_rgb(
        f32::from(rgb[0]) / 255.0,
        f32::from(rgb[1]) / 255.0,
        f32::from(rgb[2]) / 255.0,
    );
}

/// One card's marks, in card pixels.
fn draw_card(
    c: &mut Content,
    badge: &SignedBadge,
    code: &QrCode,
    look: Look<'_>,
    photo: Option<&(String, (u32, u32))>,
) {
    // The card's white (a sheet may be printed on tinted stock).
    fill_colour(c, [255, 255, 255]);
    c.rect(0.0, 0.0, CARD_WIDTH as f32, CARD_HEIGHT as f32);
    c.fill_nonzero();
    for mark in card::layout(&badge.badge, code, look, photo.map(|p| p.1)) {
        match mark {
            Mark::Fill { x, y, w, h, colour } => {
                fill_colour(c, colour);
                c.rect(x, y, w, h);
                c.fill_nonzero();
            }
            Mark::Text {
                text,
                bold,
                size,
                cx,
                baseline,
                colour,
            } => {
                let outline = shape::with_shaper(|s| s.outline(&text, size, bold));
                let x0 = cx - outline.width / 2.0;
                fill_colour(c, colour);
                glyphs(c, &outline.ops, x0, baseline);
            }
            Mark::Photo { x, y, w, h } => {
                if let Some((name, _)) = photo {
                    c.save_state();
                    // The image's unit square, upright in y-down card space.
                    c.transform([w, 0.0, 0.0, -h, x, y + h]);
                    c.x_object(Name(name.as_bytes()));
                    c.restore_state();
                }
            }
            Mark::Qr { x, y, module } => qr_modules(c, code, x, y, module),
        }
    }
}

/// Glyph outlines (y up from the baseline) placed at `x0`, `baseline` in
/// y-down card space, filled.
fn glyphs(c: &mut Content, ops: &[PathOp], x0: f32, baseline: f32) {
    if ops.is_empty() {
        return;
    }
    let (mut cx, mut cy) = (0.0f32, 0.0f32);
    let p = |x: f32, y: f32| (x0 + x, baseline - y);
    for op in ops {
        match *op {
            PathOp::Move(x, y) => {
                let (a, b) = p(x, y);
                c.move_to(a, b);
                (cx, cy) = (x, y);
            }
            PathOp::Line(x, y) => {
                let (a, b) = p(x, y);
                c.line_to(a, b);
                (cx, cy) = (x, y);
            }
            PathOp::Quad(qx, qy, x, y) => {
                // The same curve as a cubic: control points two thirds of
                // the way to the quadratic's.
                let c1 = (cx + 2.0 / 3.0 * (qx - cx), cy + 2.0 / 3.0 * (qy - cy));
                let c2 = (x + 2.0 / 3.0 * (qx - x), y + 2.0 / 3.0 * (qy - y));
                let (a1, b1) = p(c1.0, c1.1);
                let (a2, b2) = p(c2.0, c2.1);
                let (a3, b3) = p(x, y);
                c.cubic_to(a1, b1, a2, b2, a3, b3);
                (cx, cy) = (x, y);
            }
            PathOp::Cubic(x1, y1, x2, y2, x, y) => {
                let (a1, b1) = p(x1, y1);
                let (a2, b2) = p(x2, y2);
                let (a3, b3) = p(x, y);
                c.cubic_to(a1, b1, a2, b2, a3, b3);
                (cx, cy) = (x, y);
            }
            PathOp::Close => {
                c.close_path();
            }
        }
    }
    c.fill_nonzero();
}

/// The code's dark modules as rectangles (a row's run of modules as one),
/// on the white quiet zone.
fn qr_modules(c: &mut Content, code: &QrCode, x: f32, y: f32, module: f32) {
    let n = code.width();
    let side = (n as f32 + 2.0 * QUIET_ZONE as f32) * module;
    fill_colour(c, [255, 255, 255]);
    c.rect(x, y, side, side);
    c.fill_nonzero();
    fill_colour(c, [0, 0, 0]);
    let colours = code.to_colors();
    let q = QUIET_ZONE as f32;
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colours[row * n + col] != qrcode::Color::Dark {
                col += 1;
                continue;
            }
            let start = col;
            while col < n && colours[row * n + col] == qrcode::Color::Dark {
                col += 1;
            }
            c.rect(
                x + (q + start as f32) * module,
                y + (q + row as f32) * module,
                (col - start) as f32 * module,
                module,
            );
        }
    }
    c.fill_nonzero();
}

/// Crop marks at a card's four corners, in the gutter around it (page
/// points).
fn crop_marks(c: &mut Content, left: f32, top: f32, w: f32, h: f32) {
    let (gap, len) = (1.0 * PT_PER_MM, 2.0 * PT_PER_MM);
    c.save_state();
    c.set_line_width(0.3);
    c.set_stroke_rgb(0.0, 0.0, 0.0);
    let bottom = top - h;
    for (x, dx) in [(left, -1.0f32), (left + w, 1.0)] {
        for (y, dy) in [(top, 1.0f32), (bottom, -1.0)] {
            // Along the horizontal edge, then the vertical one, each
            // starting a little away from the corner.
            c.move_to(x + dx * gap, y);
            c.line_to(x + dx * (gap + len), y);
            c.move_to(x, y + dy * gap);
            c.line_to(x, y + dy * (gap + len));
        }
    }
    c.stroke();
    c.restore_state();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_and_lay_out() {
        assert_eq!(SheetKind::parse("A4"), Some(SheetKind::A4));
        assert_eq!(SheetKind::parse("cr80"), Some(SheetKind::Cr80));
        assert_eq!(SheetKind::parse("letter"), None);
        assert_eq!(SheetKind::A4.slots().len(), 4);
        // Every card inside its page.
        for kind in [SheetKind::A4, SheetKind::A6, SheetKind::Cr80] {
            let (pw, ph) = kind.page_mm();
            for (x, y, s) in kind.slots() {
                assert!(x >= 0.0 && y >= 0.0);
                assert!(x + 105.0 * s <= pw + 0.01, "{kind:?}");
                assert!(y + 148.0 * s <= ph + 0.01, "{kind:?}");
            }
        }
    }
}
