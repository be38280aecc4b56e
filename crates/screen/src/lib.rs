//! What the guard's screen shows, as a model any window (or a test) draws:
//! verdict cards, the status line, the ID-check queue, the words for each
//! reason; and (feature `window`) the full-screen window that draws it,
//! running the gate's one loop on an engine thread.

pub mod screen;
#[cfg(feature = "window")]
pub mod window;
