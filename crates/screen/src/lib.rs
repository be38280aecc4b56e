//! What the guard's screen shows, as a model any window (or a test) draws:
//! verdict cards, the status line, the ID-check queue, the words for each
//! reason.

pub mod screen;
