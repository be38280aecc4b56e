//! Frame sources behind one trait: a webcam (feature `camera`, V4L2 through
//! nokhwa), image files replayed as if they were camera frames, and text
//! lines from a USB keyboard-wedge scanner. The only hardware code lives here.

use image::GrayImage;

mod files;
mod lines;
mod pixels;
mod spec;
mod stream;
#[cfg(feature = "camera")]
mod webcam;

pub use files::ImageReplay;
pub use lines::TextLines;
pub use pixels::{to_gray, PixelFormat};
pub use spec::{OpenError, SourceSpec};
pub use stream::{ImageStream, MAX_FRAME_BYTES};
#[cfg(feature = "camera")]
pub use webcam::{list_cameras, CameraSettings, Webcam};

/// What a source delivers.
#[derive(Debug)]
pub enum Payload {
    /// A grey picture to look for codes in.
    Image(GrayImage),
    /// Text a scanner typed (one badge a line, line end stripped).
    Text(Vec<u8>),
}

/// One frame with a label for the journal (`file.png`, `stdin:3`, `camera:0#120`).
#[derive(Debug)]
pub struct Frame {
    pub payload: Payload,
    pub label: String,
}

/// Failures of a frame source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// One frame was unreadable; the source can go on.
    #[error("{0}")]
    BadFrame(String),
    /// The source is gone (camera unplugged, stdin broken).
    #[error("{0}")]
    Lost(String),
}

/// Anything that yields frames: `Ok(None)` at the end of a finite source.
pub trait FrameSource {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError>;
    /// Milliseconds between frames if the source is a replay (time is then
    /// simulated), or `None` for live sources (time is the clock's).
    fn replay_interval_ms(&self) -> Option<u64>;
    /// What the source actually delivers (a camera's format, size and
    /// rate), for the log.
    fn describe(&self) -> Option<String> {
        None
    }
}
