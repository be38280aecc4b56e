//! A live webcam through V4L2 (nokhwa; feature `camera`). The only code
//! that talks to camera hardware.

use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{
    ApiBackend, CameraFormat, CameraIndex, ControlValueSetter, FrameFormat, KnownCameraControl,
    RequestedFormat, RequestedFormatType, Resolution,
};
use nokhwa::Camera;

use super::pixels::{to_gray, PixelFormat};
use super::{Frame, FrameSource, Payload, SourceError};

fn backend() -> ApiBackend {
    nokhwa::native_api_backend().unwrap_or(ApiBackend::Auto)
}

/// The cameras the operating system reports: (index, name).
pub fn list_cameras() -> Result<Vec<(String, String)>, String> {
    let cams = nokhwa::query(backend()).map_err(|e| e.to_string())?;
    Ok(cams
        .into_iter()
        .map(|c| (c.index().to_string(), c.human_name()))
        .collect())
}

/// A live webcam.
pub struct Webcam {
    camera: Camera,
    index: u32,
    frames: u64,
}

impl Webcam {
    pub fn open(s: &CameraSettings) -> Result<Webcam, String> {
        let wanted = CameraFormat::new(
            Resolution::new(s.width, s.height),
            FrameFormat::MJPEG,
            s.fps,
        );
        let request = RequestedFormat::new::<RgbFormat>(RequestedFormatType::Closest(wanted));
        let mut camera = Camera::new(CameraIndex::Index(s.index), request)
            .map_err(|e| format!("camera {}: {e}", s.index))?;
        if let Some(exposure) = s.exposure {
            // Manual exposure where the driver allows it; a camera
            // without the control keeps its automatic exposure.
            let _ = camera.set_camera_control(
                KnownCameraControl::Exposure,
                ControlValueSetter::Integer(exposure),
            );
        }
        camera
            .open_stream()
            .map_err(|e| format!("camera {}: {e}", s.index))?;
        Ok(Webcam {
            camera,
            index: s.index,
            frames: 0,
        })
    }

    /// What the camera actually delivers (format, size, rate).
    pub fn describe(&self) -> String {
        let f = self.camera.camera_format();
        format!(
            "camera {}: {} {}x{} at {} fps",
            self.index,
            f.format(),
            f.width(),
            f.height(),
            f.frame_rate()
        )
    }
}

impl FrameSource for Webcam {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        let buffer = self
            .camera
            .frame()
            .map_err(|e| SourceError::Lost(format!("camera {}: {e}", self.index)))?;
        self.frames += 1;
        let format = match buffer.source_frame_format() {
            FrameFormat::MJPEG => PixelFormat::Mjpeg,
            FrameFormat::YUYV => PixelFormat::Yuyv,
            FrameFormat::NV12 => PixelFormat::Nv12,
            FrameFormat::GRAY => PixelFormat::Gray,
            FrameFormat::RAWRGB => PixelFormat::Rgb,
            FrameFormat::RAWBGR => PixelFormat::Bgr,
        };
        let res = buffer.resolution();
        let img = to_gray(format, res.width(), res.height(), buffer.buffer()).map_err(|e| {
            SourceError::BadFrame(format!("camera {} frame {}: {e}", self.index, self.frames))
        })?;
        Ok(Some(Frame {
            payload: Payload::Image(img),
            label: format!("camera:{}#{}", self.index, self.frames),
        }))
    }

    fn replay_interval_ms(&self) -> Option<u64> {
        None
    }

    fn describe(&self) -> Option<String> {
        Some(Webcam::describe(self))
    }
}

/// Settings for opening a webcam.
#[derive(Clone, Debug)]
pub struct CameraSettings {
    pub index: u32,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// Absolute exposure to ask for (driver units, often 100 µs), if any:
    /// short exposures stop motion blur, which defeats every decoder.
    pub exposure: Option<i64>,
}
