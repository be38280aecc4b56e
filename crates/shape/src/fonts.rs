//! The fonts built into the binary, for the printed card and the guard's
//! screen alike.

/// DejaVu Sans.
pub static FONT_REGULAR: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold.
pub static FONT_BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");

/// The embedded fonts (DejaVu Sans, regular and bold), for the card and the
/// kiosk screen alike.
pub fn font_bytes() -> (&'static [u8], &'static [u8]) {
    (FONT_REGULAR, FONT_BOLD)
}
