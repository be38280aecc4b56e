//! Frame sources behind one trait: a webcam (feature `camera`, V4L2 through
//! nokhwa), image files replayed as if they were camera frames, and text
//! lines from a USB keyboard-wedge scanner. The only hardware code lives here.

use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use image::GrayImage;

use crate::constants::MAX_STDIN_LINE;
use crate::qr;

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
}

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
            let found = qr::image_paths(input)
                .map_err(|e| SourceError::Lost(format!("{}: {e}", input.display())))?;
            if found.is_empty() {
                return Err(SourceError::Lost(format!(
                    "{}: no .png or .jpg images",
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
        let img = qr::load_gray(path).map_err(|e| SourceError::BadFrame(e.to_string()))?;
        Ok(Some(Frame {
            payload: Payload::Image(img),
            label: path.display().to_string(),
        }))
    }

    fn replay_interval_ms(&self) -> Option<u64> {
        Some(self.interval_ms)
    }
}

/// Lines of text, as a USB keyboard-wedge scanner types them.
pub struct TextLines<R: BufRead> {
    reader: R,
    line: u64,
    name: String,
}

impl<R: BufRead> TextLines<R> {
    pub fn new(reader: R, name: &str) -> TextLines<R> {
        TextLines {
            reader,
            line: 0,
            name: name.to_owned(),
        }
    }
}

impl<R: BufRead> FrameSource for TextLines<R> {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        loop {
            let mut buf = Vec::new();
            let n = (&mut self.reader)
                .take(MAX_STDIN_LINE as u64 + 1)
                .read_until(b'\n', &mut buf)
                .map_err(|e| SourceError::Lost(format!("reading {}: {e}", self.name)))?;
            if n == 0 {
                return Ok(None);
            }
            self.line += 1;
            let label = format!("{}:{}", self.name, self.line);
            if buf.len() > MAX_STDIN_LINE && !buf.ends_with(b"\n") {
                let mut rest = Vec::new();
                self.reader
                    .read_until(b'\n', &mut rest)
                    .map_err(|e| SourceError::Lost(format!("reading {}: {e}", self.name)))?;
                return Err(SourceError::BadFrame(format!(
                    "{label}: line longer than {MAX_STDIN_LINE} bytes, ignored"
                )));
            }
            while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                buf.pop();
            }
            if buf.is_empty() {
                continue;
            }
            return Ok(Some(Frame {
                payload: Payload::Text(buf),
                label,
            }));
        }
    }

    fn replay_interval_ms(&self) -> Option<u64> {
        None
    }
}

/// Camera pixel formats the kiosk converts to grey.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelFormat {
    /// Motion JPEG: each frame a JPEG image.
    Mjpeg,
    /// YUYV 4:2:2: Y0 U Y1 V, two pixels in four bytes.
    Yuyv,
    /// NV12: a full-resolution Y plane, then interleaved UV at quarter size.
    Nv12,
    /// 8-bit grey.
    Gray,
    /// 8-bit RGB, three bytes a pixel.
    Rgb,
    /// 8-bit BGR, three bytes a pixel.
    Bgr,
}

/// Converts a raw camera buffer to a grey image. Only the luma is kept:
/// QR reading needs nothing else. A buffer of the wrong size is an error,
/// never a panic.
pub fn to_gray(
    format: PixelFormat,
    width: u32,
    height: u32,
    data: &[u8],
) -> Result<GrayImage, String> {
    let pixels = (width as usize)
        .checked_mul(height as usize)
        .filter(|p| *p > 0 && *p as u64 <= crate::constants::MAX_IMAGE_PIXELS)
        .ok_or_else(|| format!("bad frame size {width}x{height}"))?;
    let need = |n: usize| -> Result<(), String> {
        if data.len() < n {
            Err(format!(
                "{format:?} frame {width}x{height} needs {n} bytes, got {}",
                data.len()
            ))
        } else {
            Ok(())
        }
    };
    let img = match format {
        PixelFormat::Mjpeg => {
            let img =
                qr::read_gray_bytes(data, Path::new("camera frame")).map_err(|e| e.to_string())?;
            if img.dimensions() != (width, height) {
                // Trust the JPEG's own size: some cameras report another.
                return Ok(img);
            }
            img
        }
        PixelFormat::Yuyv => {
            need(pixels * 2)?;
            let luma: Vec<u8> = data[..pixels * 2].iter().step_by(2).copied().collect();
            GrayImage::from_raw(width, height, luma).ok_or("YUYV size mismatch")?
        }
        PixelFormat::Nv12 => {
            need(pixels + pixels / 2)?;
            GrayImage::from_raw(width, height, data[..pixels].to_vec())
                .ok_or("NV12 size mismatch")?
        }
        PixelFormat::Gray => {
            need(pixels)?;
            GrayImage::from_raw(width, height, data[..pixels].to_vec())
                .ok_or("grey size mismatch")?
        }
        PixelFormat::Rgb | PixelFormat::Bgr => {
            need(pixels * 3)?;
            let (ri, bi) = if format == PixelFormat::Rgb {
                (0, 2)
            } else {
                (2, 0)
            };
            let luma: Vec<u8> = data[..pixels * 3]
                .chunks_exact(3)
                .map(|p| {
                    // ITU-R BT.601 luma, integer weights summing to 1024.
                    let y = 306 * u32::from(p[ri]) + 601 * u32::from(p[1]) + 117 * u32::from(p[bi]);
                    ((y + 512) >> 10) as u8
                })
                .collect();
            GrayImage::from_raw(width, height, luma).ok_or("RGB size mismatch")?
        }
    };
    Ok(img)
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

#[cfg(feature = "camera")]
pub use webcam::{list_cameras, Webcam};

#[cfg(feature = "camera")]
mod webcam {
    use nokhwa::pixel_format::RgbFormat;
    use nokhwa::utils::{
        ApiBackend, CameraFormat, CameraIndex, ControlValueSetter, FrameFormat, KnownCameraControl,
        RequestedFormat, RequestedFormatType, Resolution,
    };
    use nokhwa::Camera;

    use super::{to_gray, CameraSettings, Frame, FrameSource, Payload, PixelFormat, SourceError};

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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuyv_keeps_the_luma_bytes() {
        // 4x2 pixels: Y U Y V per two pixels.
        let data = [
            10, 128, 20, 128, 30, 128, 40, 128, 50, 0, 60, 0, 70, 255, 80, 255,
        ];
        let img = to_gray(PixelFormat::Yuyv, 4, 2, &data).unwrap();
        assert_eq!(img.as_raw(), &vec![10, 20, 30, 40, 50, 60, 70, 80]);
    }

    #[test]
    fn nv12_uses_the_y_plane() {
        let mut data = vec![1, 2, 3, 4, 5, 6, 7, 8];
        data.extend([128; 4]);
        let img = to_gray(PixelFormat::Nv12, 4, 2, &data).unwrap();
        assert_eq!(img.as_raw(), &vec![1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn rgb_and_bgr_weigh_channels_like_bt601() {
        let white = to_gray(PixelFormat::Rgb, 1, 1, &[255, 255, 255]).unwrap();
        assert_eq!(white.as_raw(), &vec![255]);
        let red = to_gray(PixelFormat::Rgb, 1, 1, &[255, 0, 0]).unwrap();
        let red_bgr = to_gray(PixelFormat::Bgr, 1, 1, &[0, 0, 255]).unwrap();
        assert_eq!(red.as_raw(), red_bgr.as_raw());
        assert_eq!(red.as_raw()[0], 76);
    }

    #[test]
    fn mjpeg_frames_decode_to_grey() {
        let img = GrayImage::from_fn(64, 48, |x, _| image::Luma([(x * 4) as u8]));
        let mut jpeg = Vec::new();
        img.write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
        let back = to_gray(PixelFormat::Mjpeg, 64, 48, &jpeg).unwrap();
        assert_eq!(back.dimensions(), (64, 48));
        assert!((i32::from(back.get_pixel(40, 10).0[0]) - 160).abs() < 8);
    }

    #[test]
    fn short_or_garbage_buffers_are_errors() {
        assert!(to_gray(PixelFormat::Yuyv, 640, 480, &[0; 100]).is_err());
        assert!(to_gray(PixelFormat::Gray, 0, 480, &[]).is_err());
        assert!(to_gray(PixelFormat::Mjpeg, 640, 480, &[0xff, 0xd8, 0xff, 0, 1, 2]).is_err());
        assert!(to_gray(PixelFormat::Rgb, u32::MAX, u32::MAX, &[]).is_err());
    }

    #[test]
    fn text_lines_strip_line_ends_skip_blanks_and_cap_length() {
        let long = "x".repeat(MAX_STDIN_LINE + 10);
        let input = format!("BG1:A\r\n\n{long}\nBG1:B");
        let mut src = TextLines::new(std::io::Cursor::new(input.into_bytes()), "stdin");
        let f = src.next_frame().unwrap().unwrap();
        assert!(matches!(&f.payload, Payload::Text(t) if t == b"BG1:A"));
        assert_eq!(f.label, "stdin:1");
        assert!(matches!(src.next_frame(), Err(SourceError::BadFrame(_))));
        let f = src.next_frame().unwrap().unwrap();
        assert!(matches!(&f.payload, Payload::Text(t) if t == b"BG1:B"));
        assert_eq!(f.label, "stdin:4");
        assert!(src.next_frame().unwrap().is_none());
    }
}
