//! The gate: the pure decision, the kiosk engine that journals each one,
//! the revocation lists it holds and watches, the runtime that feeds it
//! frames (shared by the headless loop and the guard's screen), and the
//! admit hook, and the venue policy it runs under; a gate wired and
//! started from its files (`start`), and run headless (`headless`).

pub mod decide;
pub mod engine;
pub mod headless;
mod hook;
pub mod lists;
pub mod photo;
pub mod runtime;
pub mod start;
pub mod timekeeper;
pub mod venue;
