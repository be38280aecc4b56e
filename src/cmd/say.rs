//! What the kiosk's failures say on stderr, in the words of its flags: a
//! source that cannot be had, a window that cannot open.

use anyhow::anyhow;
use badgegate::source::OpenError;

/// What to do when a source cannot be had, in the words of the flags.
pub const SOURCE_ADVICE: &str = "read badges with --stdin (USB scanner) or --images PATH instead";

/// A source that cannot be opened, as one line saying what to do.
pub fn open_error(e: OpenError) -> anyhow::Error {
    match e {
        OpenError::NoCameraSupport => anyhow!(
            "this badgegate was built without camera support; rebuild with \
             `cargo build --release --features camera` (needs libclang-dev), or {SOURCE_ADVICE}"
        ),
        OpenError::Camera(why) => {
            anyhow!("{why}; check `badgegate kiosk --list-cameras`, or {SOURCE_ADVICE}")
        }
        OpenError::Images(why) => anyhow!("{why}"),
        e => anyhow!("{e}; {SOURCE_ADVICE}"),
    }
}

/// What the guard's window failed at, as one line saying what to do.
#[cfg(feature = "screen")]
pub fn window_error(e: badgegate::window::WindowError) -> anyhow::Error {
    use badgegate::window::WindowError;
    const HEADLESS: &str = "or add --headless for JSON lines";
    match e {
        WindowError::Source(o) => open_error(o),
        e @ (WindowError::NoDisplay | WindowError::DisplayGone(_)) => {
            anyhow!("{e}; run the kiosk in the gate PC's desktop session, {HEADLESS}")
        }
        e @ WindowError::Open(_) => anyhow!("{e}; check the display, {HEADLESS}"),
        e => anyhow!("{e}"),
    }
}
