//! The accreditation desk: badges issued from a registration list, cards
//! and print sheets, photos; and (feature `synth`) camera-like frames made
//! from real cards for the demo, tests and benches.

pub mod issue;
#[cfg(feature = "synth")]
pub mod synth;
