//! The guard's screen's look in one place: its colours, and its layout as
//! proportions of the area each part is drawn in (so the screen scales
//! from a 1280x720 monitor to a wall display). Verdict colours come from
//! the library (`screen::Tone`) so tests can check screenshots against them.

use eframe::egui::Color32;

/// sRGB triple as an egui colour.
pub fn rgb(c: [u8; 3]) -> Color32 {
    Color32::from_rgb(c[0], c[1], c[2])
}

// Colours.
pub const BACKGROUND: Color32 = Color32::from_rgb(16, 18, 22);
pub const CAMERA_BACKGROUND: Color32 = Color32::from_rgb(8, 8, 10);
pub const CAMERA_NOTE: Color32 = Color32::GRAY;
/// A found code's outline on the live picture, before it is decided.
pub const OUTLINE: Color32 = Color32::from_rgb(0, 230, 120);
pub const NOTICE_BACKGROUND: Color32 = Color32::from_rgb(40, 40, 40);
pub const NOTICE_TEXT: Color32 = Color32::YELLOW;
pub const READY_FIELD: Color32 = Color32::from_rgb(38, 44, 52);
pub const READY_TEXT: Color32 = Color32::WHITE;
pub const READY_LINE: Color32 = Color32::from_gray(200);
pub const KEY_HINTS: Color32 = Color32::from_gray(170);
pub const CATEGORY_EDGE: Color32 = Color32::WHITE;
pub const PHOTO_FRAME: Color32 = Color32::WHITE;
pub const CATEGORY_TEXT: Color32 = Color32::WHITE;
pub const NOTE_TITLE: Color32 = Color32::WHITE;
pub const NOTE_PROMPT: Color32 = Color32::from_gray(220);
pub const NOTE_BOX: Color32 = Color32::WHITE;
pub const NOTE_TEXT: Color32 = Color32::BLACK;
pub const NOTE_ERROR: Color32 = Color32::YELLOW;
/// The diagonal stripes that say "not a verdict".
pub const OUT_OF_SERVICE_STRIPE: Color32 = Color32::from_rgb(120, 10, 10);
pub const OUT_OF_SERVICE_TEXT: Color32 = Color32::WHITE;
pub const OUT_OF_SERVICE_LINE: Color32 = Color32::from_gray(230);
pub const STATUS_BAR: Color32 = Color32::from_rgb(28, 30, 36);
pub const STATUS_TEXT: Color32 = Color32::WHITE;
pub const STATUS_DIM: Color32 = Color32::from_gray(210);
/// Text on the amber "stale revocation list" label.
pub const STATUS_WARN_TEXT: Color32 = Color32::BLACK;

// The whole screen.
/// Status bar height: this share of the screen, at least `STATUS_BAR_MIN` px.
pub const STATUS_BAR_SHARE: f32 = 0.12;
pub const STATUS_BAR_MIN: f32 = 64.0;
/// The live picture's share of the width; the verdict field takes the rest.
pub const CAMERA_SHARE: f32 = 0.42;
/// Space around each panel, px.
pub const PANEL_GAP: f32 = 8.0;
pub const CAMERA_CORNER: f32 = 6.0;
pub const FIELD_CORNER: f32 = 10.0;
/// Outline width, px, and how long an outline stays after its picture.
pub const OUTLINE_WIDTH: f32 = 4.0;
pub const OUTLINE_MS: u128 = 600;
/// The holder's name beside an outline, px.
pub const OUTLINE_LABEL: f32 = 18.0;
pub const OUTLINE_LABEL_PAD: f32 = 4.0;
/// A notice at the foot of the field, px.
pub const NOTICE_HEIGHT: f32 = 44.0;
pub const NOTICE_SIZE: f32 = 22.0;
pub const NOTICE_INDENT: f32 = 12.0;
/// "No picture" in the camera panel, px.
pub const CAMERA_NOTE_SIZE: f32 = 20.0;
/// Text never shrinks below this size to fit, px.
pub const MIN_TEXT: f32 = 12.0;
/// Each shrinking step while fitting text.
pub const SHRINK: f32 = 0.9;

/// The verdict card, as shares of the field's height (sizes) or width (pad).
pub mod card {
    pub const PAD: f32 = 0.05;
    pub const TOP: f32 = 0.04;
    pub const HEADLINE: f32 = 0.19;
    pub const REASON: f32 = 0.06;
    pub const AFTER_REASON: f32 = 0.03;
    pub const NAME: f32 = 0.085;
    pub const ORG: f32 = 0.055;
    pub const BEFORE_BAND: f32 = 0.02;
    pub const BAND: f32 = 0.1;
    /// The holder's photo: its height as a share of the card's, and its
    /// width at most this share of the card's width.
    pub const PHOTO_HEIGHT: f32 = 0.72;
    pub const PHOTO_WIDTH_MAX: f32 = 0.4;
    /// The white frame around the photo, px.
    pub const PHOTO_FRAME: f32 = 4.0;
    pub const BAND_EDGE: f32 = 2.0;
    pub const BAND_TEXT_TOP: f32 = 0.012;
    pub const CATEGORY: f32 = 0.07;
    pub const AFTER_BAND: f32 = 0.02;
    pub const SERIAL: f32 = 0.045;
    pub const HINT: f32 = 0.035;
    /// Hint text never smaller than this, px.
    pub const HINT_MIN: f32 = 14.0;
    pub const BOTTOM: f32 = 0.04;
    /// Space between the hint and the record number, px.
    pub const HINT_GAP: f32 = 16.0;
    /// Room kept between the category's name and the band's right end, px.
    pub const BAND_INSET: f32 = 12.0;
    /// Long texts shrink the content as a whole down to this share, at most.
    pub const SMALLEST_SCALE: f32 = 0.45;
}

/// Several verdicts at once.
pub mod stack {
    /// The newest verdict's share of the field when others are held.
    pub const NEWEST: f32 = 0.58;
    /// The share of the field an ID check or a note takes above the
    /// verdicts held.
    pub const ASKING: f32 = 0.62;
    /// Space between rows, px.
    pub const GAP: f32 = 3.0;
    /// Sizes in a row, as shares of its height, within bounds (px).
    pub const ROW_HEADLINE: f32 = 0.5;
    pub const ROW_HEADLINE_MAX: f32 = 56.0;
    pub const ROW_TEXT: f32 = 0.26;
    pub const ROW_TEXT_MAX: f32 = 26.0;
    pub const ROW_GAP: f32 = 18.0;
}

/// The READY field.
pub mod ready {
    pub const PAD: f32 = 0.05;
    pub const TOP: f32 = 0.06;
    pub const HEADLINE: f32 = 0.16;
    pub const LINE: f32 = 0.055;
}

/// The note a guard types for a decision by hand.
pub mod note {
    pub const TOP: f32 = 0.05;
    pub const TITLE: f32 = 0.12;
    pub const WHO: f32 = 0.05;
    pub const AFTER_WHO: f32 = 0.04;
    pub const PROMPT: f32 = 0.045;
    pub const BOX: f32 = 0.2;
    pub const BOX_GAP: f32 = 8.0;
    pub const BOX_INSET: [f32; 2] = [10.0, 8.0];
    pub const TEXT: f32 = 0.05;
    pub const ERROR: f32 = 0.045;
    pub const ERROR_GAP: f32 = 10.0;
}

/// OUT OF SERVICE.
pub mod out_of_service {
    pub const STRIPE_STEP: f32 = 60.0;
    pub const STRIPE_WIDTH: f32 = 14.0;
    pub const TOP: f32 = 0.08;
    pub const HEADLINE: f32 = 0.16;
    pub const WHY: f32 = 0.055;
    pub const AFTER_WHY: f32 = 0.03;
    pub const THEN: f32 = 0.05;
}

/// The status bar (shares of its height unless said otherwise).
pub mod status {
    pub const PAD: f32 = 14.0;
    /// Text size as a share of one of the bar's two rows, within bounds.
    pub const TEXT: f32 = 0.62;
    pub const TEXT_MIN: f32 = 12.0;
    pub const TEXT_MAX: f32 = 28.0;
    pub const CLOCK: f32 = 0.55;
    pub const CLOCK_MIN: f32 = 16.0;
    pub const CLOCK_MAX: f32 = 56.0;
    pub const TOP_ROW: f32 = 0.18;
    pub const BOTTOM_ROW: f32 = 1.1;
    /// Shares of the width left of the clock for the left texts and the
    /// revocation label.
    pub const LEFT_SHARE: f32 = 0.55;
    pub const RIGHT_SHARE: f32 = 0.42;
    pub const WARN_PAD: [f32; 2] = [8.0, 6.0];
    pub const WARN_CORNER: f32 = 4.0;
    pub const MIN_TEXT: f32 = 10.0;
}
