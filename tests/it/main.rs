//! The integration tests, one binary built and linked once (as ripgrep's
//! `tests/tests.rs`): one module per area, the shared helpers in `common`.
//! Each module runs the real `badgegate` binary, real SQLite files, a real
//! PostgreSQL, a real window or browser as its tests say.

mod common;

mod audit;
#[cfg(feature = "rehearse")]
mod central;
mod cli;
mod dashboard;
mod doctor;
mod faults;
mod formats;
mod gate;
#[cfg(feature = "rehearse")]
mod ha;
mod hostile_input;
mod hostile_text;
mod identity;
mod keylist;
mod kiosk;
mod office;
mod office_props;
mod one_truth;
mod patrol;
mod photos;
mod policy;
#[cfg(feature = "synth")]
mod read;
#[cfg(feature = "rehearse")]
mod rehearse;
mod report;
#[cfg(feature = "screen")]
mod screen;
mod scripts;
mod sheets;
mod trust;
mod vectors;
