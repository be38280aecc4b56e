//! Raw camera buffers to grey pictures: only the luma is kept, which is all
//! QR reading needs. A buffer of the wrong size is an error, never a panic.

use std::path::Path;

use image::GrayImage;

use crate::read;

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
        .filter(|p| *p > 0 && *p as u64 <= badgegate_core::format::constants::MAX_IMAGE_PIXELS)
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
            let img = read::read_gray_bytes(data, Path::new("camera frame"))
                .map_err(|e| e.to_string())?;
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
}
