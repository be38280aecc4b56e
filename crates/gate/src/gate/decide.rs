//! The decision is the venue's one rule, written once in
//! `badgegate_core::decide` so that the kiosk and the patrol phone (the
//! same code built to WebAssembly) decide alike; the gate uses it from here.

pub use badgegate_core::decide::*;
