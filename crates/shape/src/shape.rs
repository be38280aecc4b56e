//! Names in every script: text shaped (joined Arabic and Persian,
//! right-to-left; Devanagari conjuncts; CJK), laid out with font fallback
//! across the embedded DejaVu Sans and the system's fonts (Debian's
//! `fonts-noto-core` and `fonts-noto-cjk`), and rasterised to a coverage
//! mask the card and the guard's screen draw in their own colours.
//!
//! A character no font draws is reported (with its script), never drawn
//! as a box: `issue` refuses such a name, the screen shows its code point.

use std::sync::{Mutex, OnceLock};

use cosmic_text::{
    fontdb, Attrs, Buffer, Color, Family, FontSystem, Metrics, Shaping, SwashCache, Weight, Wrap,
};

use crate::fonts::{FONT_BOLD, FONT_REGULAR};

/// Extra fonts for a machine where the system's cannot be changed: every
/// font file in this folder is used too.
pub const FONT_DIR_ENV: &str = "BADGEGATE_FONT_DIR";
/// Set to `1`: the system's fonts are not used, only the embedded DejaVu
/// Sans (and [`FONT_DIR_ENV`]) — a machine with no fonts installed.
pub const NO_SYSTEM_FONTS_ENV: &str = "BADGEGATE_NO_SYSTEM_FONTS";

/// Text shaping and rasterising with the fonts found on this machine.
pub struct Shaper {
    fonts: FontSystem,
    cache: SwashCache,
}

impl std::fmt::Debug for Shaper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shaper")
            .field("faces", &self.fonts.db().len())
            .finish()
    }
}

/// One line of text, shaped and rasterised: `alpha` is the coverage of
/// each pixel (row by row), `baseline` the row the text sits on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mask {
    pub width: u32,
    pub height: u32,
    pub baseline: u32,
    /// Pixels left of the first glyph's pen position (room for glyphs that
    /// reach left of it).
    pub left: u32,
    /// Pixels above the line's top (room for marks above it).
    pub top: u32,
    /// The line's own height (without the room around it).
    pub line_height: u32,
    pub alpha: Vec<u8>,
}

/// How a line measures.
#[derive(Clone, Debug, PartialEq)]
pub struct Measure {
    /// Advance width in pixels.
    pub width: f32,
    /// Characters no available font draws.
    pub missing: Vec<char>,
}

static SHARED: OnceLock<Mutex<Shaper>> = OnceLock::new();

/// Runs `f` with the process's shaper (made on first use: finding the
/// system's fonts takes a moment, once).
pub fn with_shaper<R>(f: impl FnOnce(&mut Shaper) -> R) -> R {
    let m = SHARED.get_or_init(|| Mutex::new(Shaper::new()));
    let mut s = m.lock().unwrap_or_else(|e| e.into_inner());
    f(&mut s)
}

impl Default for Shaper {
    fn default() -> Self {
        Shaper::new()
    }
}

impl Shaper {
    /// The embedded DejaVu Sans first, then the system's fonts (and those
    /// in [`FONT_DIR_ENV`]) for what it does not draw.
    pub fn new() -> Shaper {
        let mut db = fontdb::Database::new();
        db.load_font_data(FONT_REGULAR.to_vec());
        db.load_font_data(FONT_BOLD.to_vec());
        if std::env::var_os(NO_SYSTEM_FONTS_ENV).is_none_or(|v| v != "1") {
            db.load_system_fonts();
        }
        if let Some(dir) = std::env::var_os(FONT_DIR_ENV) {
            db.load_fonts_dir(dir);
        }
        db.set_sans_serif_family("DejaVu Sans");
        // Han characters fall back to Simplified Chinese forms; names are
        // recognisable in any of the CJK variants.
        let fonts = FontSystem::new_with_locale_and_db("en-US".into(), db);
        Shaper {
            fonts,
            cache: SwashCache::new(),
        }
    }

    /// How many font faces were found (for `doctor`-style reports).
    pub fn face_count(&self) -> usize {
        self.fonts.db().len()
    }

    fn layout(&mut self, text: &str, size: f32, bold: bool) -> Buffer {
        let mut b = Buffer::new(&mut self.fonts, Metrics::new(size, (size * 1.3).ceil()));
        b.set_wrap(Wrap::None);
        b.set_size(None, None);
        let attrs = Attrs::new().family(Family::SansSerif).weight(if bold {
            Weight::BOLD
        } else {
            Weight::NORMAL
        });
        b.set_text(text, &attrs, Shaping::Advanced, None);
        b.shape_until_scroll(&mut self.fonts, false);
        b
    }

    /// The width of `text` at `size` px, and the characters no font draws.
    pub fn measure(&mut self, text: &str, size: f32, bold: bool) -> Measure {
        let b = self.layout(text, size, bold);
        let mut width: f32 = 0.0;
        let mut missing = Vec::new();
        for run in b.layout_runs() {
            width = width.max(run.line_w);
            for g in run.glyphs {
                if g.glyph_id == 0 {
                    for c in text[g.start..g.end].chars() {
                        if !c.is_whitespace() && !is_invisible(c) && !missing.contains(&c) {
                            missing.push(c);
                        }
                    }
                }
            }
        }
        Measure { width, missing }
    }

    /// The characters of `text` no available font draws.
    pub fn missing(&mut self, text: &str) -> Vec<char> {
        self.measure(text, 32.0, false).missing
    }

    /// `text` at `size` px as a coverage mask.
    pub fn render(&mut self, text: &str, size: f32, bold: bool) -> Mask {
        let mut b = self.layout(text, size, bold);
        let mut width: f32 = 0.0;
        let mut baseline: f32 = size;
        let mut line_h: f32 = size * 1.3;
        for run in b.layout_runs() {
            width = width.max(run.line_w);
            baseline = run.line_y;
            line_h = run.line_height;
        }
        // Room for marks above and below the line and glyphs overhanging
        // their advance.
        let pad_y = (size * 0.35).ceil();
        let pad_x = (size * 0.25).ceil();
        let w = (width + 2.0 * pad_x).ceil().max(1.0) as u32;
        let h = (line_h + 2.0 * pad_y).ceil().max(1.0) as u32;
        let mut alpha = vec![0u8; (w * h) as usize];
        b.draw(
            &mut self.fonts,
            &mut self.cache,
            Color::rgb(0, 0, 0),
            |x, y, cw, ch, colour| {
                let a = colour.a();
                if a == 0 {
                    return;
                }
                for yy in 0..ch as i32 {
                    for xx in 0..cw as i32 {
                        let px = x + xx + pad_x as i32;
                        let py = y + yy + pad_y as i32;
                        if px < 0 || py < 0 || px >= w as i32 || py >= h as i32 {
                            continue;
                        }
                        let i = (py as u32 * w + px as u32) as usize;
                        alpha[i] = alpha[i].max(a);
                    }
                }
            },
        );
        Mask {
            width: w,
            height: h,
            baseline: (baseline + pad_y).round() as u32,
            left: pad_x as u32,
            top: pad_y as u32,
            line_height: line_h.ceil() as u32,
            alpha,
        }
    }
}

/// One step of a glyph outline, in pixels at the size asked, x to the
/// right and y up from the start of the line's baseline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PathOp {
    Move(f32, f32),
    Line(f32, f32),
    /// Control point, end point.
    Quad(f32, f32, f32, f32),
    /// Two control points, end point.
    Cubic(f32, f32, f32, f32, f32, f32),
    Close,
}

/// A line of text as filled outlines (nonzero winding): what a printer
/// draws at any resolution.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outline {
    /// Advance width in pixels.
    pub width: f32,
    pub ops: Vec<PathOp>,
}

impl Shaper {
    /// `text` at `size` px as glyph outlines, shaped exactly as
    /// [`Shaper::render`] draws it (unhinted: for print).
    pub fn outline(&mut self, text: &str, size: f32, bold: bool) -> Outline {
        use cosmic_text::{CacheKey, CacheKeyFlags, Command};
        let b = self.layout(text, size, bold);
        let mut out = Outline::default();
        for run in b.layout_runs() {
            out.width = out.width.max(run.line_w);
            for g in run.glyphs {
                let (key, _, _) = CacheKey::new(
                    g.font_id,
                    g.glyph_id,
                    g.font_size,
                    (0.0, 0.0),
                    g.font_weight,
                    g.cache_key_flags | CacheKeyFlags::DISABLE_HINTING,
                );
                // The glyph's pen position: layout y runs down from the
                // baseline, outlines run up.
                let ox = g.x + g.font_size * g.x_offset;
                let oy = -(g.y - g.font_size * g.y_offset);
                let Some(cmds) = self.cache.get_outline_commands(&mut self.fonts, key) else {
                    continue;
                };
                for c in cmds {
                    out.ops.push(match *c {
                        Command::MoveTo(p) => PathOp::Move(ox + p.x, oy + p.y),
                        Command::LineTo(p) => PathOp::Line(ox + p.x, oy + p.y),
                        Command::QuadTo(c1, p) => {
                            PathOp::Quad(ox + c1.x, oy + c1.y, ox + p.x, oy + p.y)
                        }
                        Command::CurveTo(c1, c2, p) => PathOp::Cubic(
                            ox + c1.x,
                            oy + c1.y,
                            ox + c2.x,
                            oy + c2.y,
                            ox + p.x,
                            oy + p.y,
                        ),
                        Command::Close => PathOp::Close,
                    });
                }
            }
        }
        out
    }
}

/// Characters that draw nothing by design (joiners, marks of direction):
/// a font need not have a glyph for them.
fn is_invisible(c: char) -> bool {
    badgegate_core::text::is_hidden_char(c) || matches!(c, '\u{200C}' | '\u{200D}')
}

/// The script a character is written in, in words (`Han`, `Arabic`).
pub fn script_name(c: char) -> String {
    use unicode_script::UnicodeScript;
    c.script().full_name().replace('_', " ")
}

/// `text` with every character in `missing` written as its code point
/// (`U+4E2D`), for a screen that has no font for it: never a box.
pub fn with_code_points(text: &str, missing: &[char]) -> String {
    text.chars()
        .map(|c| {
            if missing.contains(&c) {
                format!("⟨U+{:04X}⟩", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A one-line explanation of characters no font draws: the scripts and
/// what to install.
pub fn missing_words(missing: &[char]) -> String {
    let mut scripts: Vec<String> = missing.iter().map(|c| script_name(*c)).collect();
    scripts.dedup();
    let sample: String = missing
        .iter()
        .take(4)
        .map(|c| format!("{c} U+{:04X}", *c as u32))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "no installed font draws its {} characters ({sample}); install fonts-noto-core and fonts-noto-cjk, or put a font for it in ${FONT_DIR_ENV}",
        scripts.join(", ")
    )
}

/// The characters of `text` no font on this machine draws (they would
/// print as boxes).
pub fn missing_glyphs(text: &str) -> Vec<char> {
    with_shaper(|s| {
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

    #[test]
    fn latin_needs_nothing_but_the_embedded_font() {
        let mut s = Shaper::new();
        let m = s.measure("Ana María Núñez", 40.0, true);
        assert!(m.missing.is_empty(), "{m:?}");
        assert!(m.width > 200.0);
        let mask = s.render("Ana", 40.0, false);
        assert!(mask.alpha.iter().filter(|a| **a > 128).count() > 100);
        assert!(mask.baseline > 0 && mask.baseline < mask.height);
    }

    #[test]
    fn code_points_instead_of_boxes() {
        assert_eq!(with_code_points("a中b", &['中']), "a⟨U+4E2D⟩b");
        assert!(missing_words(&['中']).contains("Han"));
    }
}
