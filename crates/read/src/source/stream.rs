//! Camera frames as a stream of JPEG or PNG images one after another, as
//! `ffmpeg -i rtsp://camera/… -f image2pipe -c:v mjpeg -` writes them from
//! an IP camera, or any program that has pictures to show the gate. Each
//! image is found by its own structure (JPEG segments and scan data up to
//! its end marker, PNG chunks up to `IEND`), never by guessing, so a JPEG
//! that carries a thumbnail is one frame. Bytes that are no image are
//! skipped up to the next image's start and said once; an image larger
//! than [`MAX_FRAME_BYTES`] is skipped the same way.

use std::io::BufRead;
use std::path::Path;

use super::{Frame, FrameSource, Payload, SourceError};
use crate::read::read_gray_bytes;

/// Largest encoded frame taken (bytes): a 4K PNG is about 25 MiB.
pub const MAX_FRAME_BYTES: usize = 64 << 20;

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// What the stream held next.
enum Next {
    End,
    Image(Vec<u8>),
    /// Something that is not a whole image, and why; what it was is gone.
    Skipped(String),
}

/// Why an image could not be taken whole.
enum Broken {
    Io(std::io::Error),
    /// The stream ended inside an image.
    CutOff,
    /// Not what the format says comes next.
    Garbled(&'static str),
    TooLarge,
}

impl From<std::io::Error> for Broken {
    fn from(e: std::io::Error) -> Broken {
        Broken::Io(e)
    }
}

/// JPEG or PNG frames, one after another, from any reader.
pub struct ImageStream<R: BufRead> {
    reader: R,
    name: String,
    count: u64,
    /// The byte read ahead while looking for an image's start.
    held: Option<u8>,
    /// An image found after skipped bytes, for the next call.
    pending: Option<Vec<u8>>,
}

impl<R: BufRead> ImageStream<R> {
    pub fn new(reader: R, name: &str) -> ImageStream<R> {
        ImageStream {
            reader,
            name: name.to_owned(),
            count: 0,
            held: None,
            pending: None,
        }
    }

    fn byte(&mut self) -> std::io::Result<Option<u8>> {
        if let Some(b) = self.held.take() {
            return Ok(Some(b));
        }
        loop {
            match self.reader.fill_buf() {
                Ok([]) => return Ok(None),
                Ok(buf) => {
                    let b = buf[0];
                    self.reader.consume(1);
                    return Ok(Some(b));
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// The next byte of an image being read: the stream may not end here.
    fn need(&mut self, out: &mut Vec<u8>) -> Result<u8, Broken> {
        let b = self.byte()?.ok_or(Broken::CutOff)?;
        if out.len() >= MAX_FRAME_BYTES {
            return Err(Broken::TooLarge);
        }
        out.push(b);
        Ok(b)
    }

    fn take(&mut self, n: usize, out: &mut Vec<u8>) -> Result<(), Broken> {
        if out.len() + n > MAX_FRAME_BYTES {
            return Err(Broken::TooLarge);
        }
        for _ in 0..n {
            self.need(out)?;
        }
        Ok(())
    }

    /// Skips to the start of the next image (`FF D8 FF`, or PNG's first
    /// byte followed by `PNG`), counting what it skips.
    fn next(&mut self) -> Result<Next, std::io::Error> {
        let mut skipped: u64 = 0;
        loop {
            let Some(b) = self.byte()? else {
                return Ok(match skipped {
                    0 => Next::End,
                    n => Next::Skipped(format!("{n} bytes at the end that are not an image")),
                });
            };
            let started = match b {
                0xFF => self.jpeg(),
                0x89 => self.png(),
                _ => {
                    skipped += 1;
                    continue;
                }
            };
            match started {
                // Not an image's start after all: skip on.
                Err(Broken::Garbled("not a start")) => skipped += 1,
                Err(_) if skipped > 0 => {
                    return Ok(Next::Skipped(format!(
                        "{skipped} bytes that are not a JPEG or PNG image, then a broken one"
                    )))
                }
                Err(Broken::Io(e)) => return Err(e),
                Err(Broken::CutOff) => {
                    return Ok(Next::Skipped("the last image was cut off".into()))
                }
                Err(Broken::TooLarge) => {
                    return Ok(Next::Skipped(format!(
                        "an image larger than {} MiB",
                        MAX_FRAME_BYTES >> 20
                    )))
                }
                Err(Broken::Garbled(why)) => {
                    return Ok(Next::Skipped(format!("a broken image ({why})")))
                }
                Ok(bytes) if skipped > 0 => {
                    // Say the junk now; the image after it is the next
                    // frame.
                    self.pending = Some(bytes);
                    return Ok(Next::Skipped(format!(
                        "{skipped} bytes that are not a JPEG or PNG image"
                    )));
                }
                Ok(bytes) => return Ok(Next::Image(bytes)),
            }
        }
    }

    /// A JPEG whose `FF` was read: segments up to the scan, the scan's
    /// data up to the next marker (`FF 00` and restart markers belong to
    /// the data), and so on to the end marker `FF D9`.
    fn jpeg(&mut self) -> Result<Vec<u8>, Broken> {
        let mut out = vec![0xFF];
        if self.need(&mut out)? != 0xD8 {
            self.held = out.pop();
            return Err(Broken::Garbled("not a start"));
        }
        let mut marker: Option<u8> = None;
        loop {
            let m = match marker.take() {
                Some(m) => m,
                None => {
                    if self.need(&mut out)? != 0xFF {
                        return Err(Broken::Garbled("a JPEG segment does not start with FF"));
                    }
                    let mut m = self.need(&mut out)?;
                    while m == 0xFF {
                        m = self.need(&mut out)?;
                    }
                    m
                }
            };
            match m {
                0xD9 => return Ok(out),
                0x01 | 0xD0..=0xD7 => {}
                0x00 => return Err(Broken::Garbled("a JPEG marker is 00")),
                _ => {
                    let hi = self.need(&mut out)?;
                    let lo = self.need(&mut out)?;
                    let len = usize::from(u16::from_be_bytes([hi, lo]));
                    if len < 2 {
                        return Err(Broken::Garbled("a JPEG segment shorter than its length"));
                    }
                    self.take(len - 2, &mut out)?;
                    if m == 0xDA {
                        // The scan's data: to the first marker that is not
                        // a stuffed FF 00 or a restart marker.
                        loop {
                            if self.need(&mut out)? != 0xFF {
                                continue;
                            }
                            let mut n = self.need(&mut out)?;
                            while n == 0xFF {
                                n = self.need(&mut out)?;
                            }
                            if n != 0x00 && !(0xD0..=0xD7).contains(&n) {
                                marker = Some(n);
                                break;
                            }
                        }
                    }
                }
            }
        }
    }

    /// A PNG whose first byte was read: its signature, then chunks (length,
    /// type, data, CRC) up to `IEND`.
    fn png(&mut self) -> Result<Vec<u8>, Broken> {
        let mut out = vec![0x89];
        for want in &PNG_SIGNATURE[1..4] {
            if self.need(&mut out)? != *want {
                self.held = out.pop();
                return Err(Broken::Garbled("not a start"));
            }
        }
        for want in &PNG_SIGNATURE[4..] {
            if self.need(&mut out)? != *want {
                return Err(Broken::Garbled("a PNG signature broken"));
            }
        }
        loop {
            let mut head = Vec::with_capacity(8);
            for _ in 0..8 {
                head.push(self.need(&mut out)?);
            }
            let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
            if len > MAX_FRAME_BYTES {
                return Err(Broken::TooLarge);
            }
            self.take(len + 4, &mut out)?;
            if &head[4..] == b"IEND" {
                return Ok(out);
            }
        }
    }
}

impl<R: BufRead> FrameSource for ImageStream<R> {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        let next = match self.pending.take() {
            Some(bytes) => Next::Image(bytes),
            None => self
                .next()
                .map_err(|e| SourceError::Lost(format!("{}: {e}", self.name)))?,
        };
        match next {
            Next::End => Ok(None),
            Next::Skipped(why) => Err(SourceError::BadFrame(format!("{}: {why}", self.name))),
            Next::Image(bytes) => {
                self.count += 1;
                let label = format!("{}#{}", self.name, self.count);
                match read_gray_bytes(&bytes, Path::new(&label)) {
                    Ok(img) => Ok(Some(Frame {
                        payload: Payload::Image(img),
                        label,
                    })),
                    Err(e) => Err(SourceError::BadFrame(e.to_string())),
                }
            }
        }
    }

    fn replay_interval_ms(&self) -> Option<u64> {
        None
    }

    fn describe(&self) -> Option<String> {
        Some(format!(
            "reading JPEG or PNG frames one after another from {}",
            self.name
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, Luma};

    fn picture(w: u32, shade: u8) -> GrayImage {
        GrayImage::from_fn(w, 20, |x, _| Luma([shade.wrapping_add(x as u8)]))
    }

    fn encoded(img: &GrayImage, format: image::ImageFormat) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    /// A JPEG carrying another whole JPEG (a thumbnail) in an APP1 segment.
    fn with_thumbnail(jpeg: &[u8], thumb: &[u8]) -> Vec<u8> {
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(thumb);
        let len = (app1.len() + 2) as u16;
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    fn frames(bytes: Vec<u8>) -> Vec<Result<u32, String>> {
        let mut s = ImageStream::new(std::io::Cursor::new(bytes), "stdin");
        let mut out = Vec::new();
        loop {
            match s.next_frame() {
                Ok(None) => return out,
                Ok(Some(Frame {
                    payload: Payload::Image(img),
                    ..
                })) => out.push(Ok(img.width())),
                Ok(Some(_)) => panic!("text from an image stream"),
                Err(e) => out.push(Err(e.to_string())),
            }
        }
    }

    #[test]
    fn jpeg_and_png_frames_one_after_another_are_each_one_frame() {
        use image::ImageFormat::{Jpeg, Png};
        let a = encoded(&picture(30, 10), Png);
        let b = encoded(&picture(40, 60), Jpeg);
        let thumb = encoded(&picture(8, 0), Jpeg);
        let c = with_thumbnail(&encoded(&picture(50, 90), Jpeg), &thumb);
        let mut stream = [a.clone(), b.clone(), c].concat();
        stream.extend_from_slice(b"junk between frames \xFF\x00\x89PN");
        stream.extend_from_slice(&a);
        stream.extend_from_slice(&b[..b.len() / 2]);
        let got = frames(stream);
        assert_eq!(got[..3], [Ok(30), Ok(40), Ok(50)], "{got:?}");
        assert!(
            matches!(&got[3], Err(e) if e.contains("bytes that are not a JPEG or PNG image")),
            "{got:?}"
        );
        assert_eq!(got[4], Ok(30));
        assert!(
            matches!(&got[5], Err(e) if e.contains("cut off")),
            "{got:?}"
        );
        assert_eq!(got.len(), 6);
    }

    #[test]
    fn an_image_that_is_not_a_picture_is_one_bad_frame_and_the_next_is_read() {
        use image::ImageFormat::Png;
        // A PNG whose chunks are whole but whose pixels are not.
        let mut bad = PNG_SIGNATURE.to_vec();
        for (kind, data) in [(b"IHDR", vec![0u8; 3]), (b"IEND", vec![])] {
            bad.extend_from_slice(&(data.len() as u32).to_be_bytes());
            bad.extend_from_slice(kind);
            bad.extend_from_slice(&data);
            bad.extend_from_slice(&[0; 4]);
        }
        let good = encoded(&picture(30, 10), Png);
        let got = frames([bad, good].concat());
        assert!(
            matches!(&got[0], Err(e) if e.contains("stdin#1")),
            "{got:?}"
        );
        assert_eq!(got[1], Ok(30));
    }
}
