//! Image files (and folders of them) replayed as camera frames.

use std::path::PathBuf;

use super::{Frame, FrameSource, Payload, SourceError};
use crate::read;

/// Image files (and folders of images, in name order) replayed as frames.
pub struct ImageReplay {
    paths: Vec<PathBuf>,
    next: usize,
    interval_ms: u64,
}

impl ImageReplay {
    /// Expands folders into their images, in name order. A missing input is
    /// an error; a folder with no images is an error.
    pub fn new(inputs: &[PathBuf], interval_ms: u64) -> Result<ImageReplay, SourceError> {
        let mut paths = Vec::new();
        for input in inputs {
            let found = read::image_paths(input)
                .map_err(|e| SourceError::Lost(format!("{}: {e}", input.display())))?;
            if found.is_empty() {
                return Err(SourceError::Lost(format!(
                    "{}: no .png or .jpg pictures in this folder or the folders in it",
                    input.display()
                )));
            }
            paths.extend(found);
        }
        Ok(ImageReplay {
            paths,
            next: 0,
            interval_ms,
        })
    }

    pub fn len(&self) -> usize {
        self.paths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

impl FrameSource for ImageReplay {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        let Some(path) = self.paths.get(self.next) else {
            return Ok(None);
        };
        self.next += 1;
        let img = read::load_gray(path).map_err(|e| SourceError::BadFrame(e.to_string()))?;
        Ok(Some(Frame {
            payload: Payload::Image(img),
            label: path.display().to_string(),
        }))
    }

    fn replay_interval_ms(&self) -> Option<u64> {
        Some(self.interval_ms)
    }
}
