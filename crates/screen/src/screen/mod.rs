//! What the guard's screen shows and what the guard's keys do: a pure state
//! model, driven by decisions from the kiosk engine, key presses and the
//! clock, so it can be tested without a display. The window only draws it.
//!
//! Keys (a guard never needs a mouse):
//! - Enter: confirm the ID check the screen asks for; Escape: refuse it.
//! - F2: admit by hand, F3: deny by hand; both ask for a typed note, Enter
//!   saves it, Escape cancels. They concern the newest deny on screen (or
//!   else the newest verdict); admitting a revoked, forged or foreign badge
//!   takes a second Enter. Escape clears the verdicts first for a badge that
//!   would not read at all.
//!
//! Verdicts are held for their full hold time each: two people at once see
//! two verdicts, the newest largest, and no deny is replaced early.
//! - Anything else typed and ended with Enter is a scanned line: USB
//!   keyboard-wedge scanners type into the focused window.

mod cues;
pub mod lang;
mod model;
mod wording;

pub use cues::{cue_samples, Cue, CUE_RATE};
pub use lang::{Lang, Words};
pub use model::{
    Key, ScreenConfig, ScreenModel, Shown, SourceState, View, DEFAULT_CONFIRM_TIMEOUT_SECS,
    DEFAULT_HOLD_MS, DEFAULT_REVOCATION_MAX_AGE_HOURS,
};
pub use wording::{card_for, plain_reason, tone_for, Card, Tone};
