//! badgegate's reading: QR codes found and decoded from pixels ([`read`]),
//! and the sources frames and texts come from ([`source`]: files, lines,
//! raw pixels, a webcam behind the `camera` feature).

pub mod read;
#[cfg(feature = "host")]
pub mod source;
