//! Badge text to QR images: PNG pixels and SVG.

use image::{GrayImage, Luma};
use qrcode::{Color, EcLevel, QrCode};

use super::QrError;

/// Modules of white border around a rendered code (the QR standard's quiet zone).
pub const QUIET_ZONE: u32 = 4;

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
