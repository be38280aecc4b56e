//! Which source a kiosk reads, as configured: opened where it is read (the
//! guard's screen reads on a thread of its own), and reopened when a camera
//! comes back.

use std::path::PathBuf;

use super::{FrameSource, ImageReplay, ImageStream, SourceError, TextLines};

/// How to open a kiosk's frame source.
#[derive(Clone, Debug)]
pub enum SourceSpec {
    /// Badge text lines on stdin (a USB keyboard-wedge scanner).
    Stdin,
    /// JPEG or PNG camera frames one after another on stdin (an IP camera
    /// through ffmpeg).
    StdinFrames,
    /// Image files or folders replayed as camera frames.
    Images {
        paths: Vec<PathBuf>,
        interval_ms: u64,
        /// Replayed like a camera: frames the reader is too busy for are
        /// skipped (the screen only).
        live: bool,
    },
    /// A webcam.
    Camera {
        index: u32,
        width: u32,
        height: u32,
        fps: u32,
        exposure: Option<i64>,
    },
}

/// Failures opening a source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// This build has no webcam support.
    #[error("this badgegate was built without camera support")]
    NoCameraSupport,
    #[error("{0}")]
    Camera(String),
    #[error("{0}")]
    Images(String),
}

impl SourceSpec {
    pub fn open(&self) -> Result<Box<dyn FrameSource>, OpenError> {
        match self {
            SourceSpec::Stdin => Ok(Box::new(TextLines::new(std::io::stdin().lock(), "stdin"))),
            SourceSpec::StdinFrames => Ok(Box::new(ImageStream::new(
                std::io::BufReader::with_capacity(1 << 20, std::io::stdin()),
                "stdin",
            ))),
            SourceSpec::Images {
                paths, interval_ms, ..
            } => match ImageReplay::new(paths, *interval_ms) {
                Ok(replay) => Ok(Box::new(replay)),
                Err(SourceError::BadFrame(why) | SourceError::Lost(why)) => {
                    Err(OpenError::Images(why))
                }
            },
            SourceSpec::Camera { .. } => self.open_camera(),
        }
    }

    #[cfg(feature = "camera")]
    fn open_camera(&self) -> Result<Box<dyn FrameSource>, OpenError> {
        let SourceSpec::Camera {
            index,
            width,
            height,
            fps,
            exposure,
        } = self
        else {
            return Err(OpenError::Camera("not a camera".into()));
        };
        let settings = super::CameraSettings {
            index: *index,
            width: *width,
            height: *height,
            fps: *fps,
            exposure: *exposure,
        };
        let cam = super::Webcam::open(&settings).map_err(OpenError::Camera)?;
        Ok(Box::new(cam))
    }

    #[cfg(not(feature = "camera"))]
    fn open_camera(&self) -> Result<Box<dyn FrameSource>, OpenError> {
        Err(OpenError::NoCameraSupport)
    }

    /// A camera can come back after it is lost; a replay or stdin cannot.
    pub fn can_reconnect(&self) -> bool {
        matches!(self, SourceSpec::Camera { .. })
    }

    /// A live source drops the frames the reader cannot keep up with; any
    /// other is read frame by frame, so a replay journals what --headless
    /// journals.
    pub fn is_live(&self) -> bool {
        matches!(
            self,
            SourceSpec::Camera { .. }
                | SourceSpec::StdinFrames
                | SourceSpec::Images { live: true, .. }
        )
    }

    /// Replayed images run on simulated time.
    pub fn is_replay(&self) -> bool {
        matches!(self, SourceSpec::Images { .. })
    }
}
