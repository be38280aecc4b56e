//! Image files to grey pictures, with every size checked before decoding.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use image::GrayImage;

use super::QrError;
use badgegate_core::format::constants::{MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE};

/// Largest image file read (bytes).
pub const MAX_IMAGE_FILE_BYTES: u64 = 256 << 20;

/// Reads a PNG or JPEG as a grey image, refusing oversized or empty ones
/// before decoding their pixels.
pub fn load_gray(path: &Path) -> Result<GrayImage, QrError> {
    let read_err = |source| QrError::Read {
        path: path.to_owned(),
        source,
    };
    // A FIFO, socket or device is refused at once: reading one could wait
    // forever.
    let file = badgegate_core::files::open_regular(path).map_err(read_err)?;
    let mut bytes = Vec::new();
    file.take(MAX_IMAGE_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_IMAGE_FILE_BYTES {
        return Err(QrError::Decode {
            path: path.to_owned(),
            why: format!("file is larger than {} MiB", MAX_IMAGE_FILE_BYTES >> 20),
        });
    }
    read_gray_bytes(&bytes, path)
}

/// Like [`load_gray`] for bytes in memory (`path` only names them in errors).
pub fn read_gray_bytes(bytes: &[u8], path: &Path) -> Result<GrayImage, QrError> {
    let decode_err = |why: String| QrError::Decode {
        path: path.to_owned(),
        why,
    };
    if bytes.is_empty() {
        return Err(QrError::EmptyFile {
            path: path.to_owned(),
        });
    }
    let format = image::guess_format(bytes).map_err(|e| decode_err(e.to_string()))?;
    if !matches!(format, image::ImageFormat::Png | image::ImageFormat::Jpeg) {
        return Err(decode_err(format!("{format:?} images are not supported")));
    }
    let (width, height) = image::ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|e| decode_err(e.to_string()))?;
    if width == 0 || height == 0 {
        return Err(QrError::Empty {
            path: path.to_owned(),
        });
    }
    if width > MAX_IMAGE_SIDE
        || height > MAX_IMAGE_SIDE
        || u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS
    {
        return Err(QrError::TooLarge {
            path: path.to_owned(),
            width,
            height,
        });
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_IMAGE_PIXELS * 4 + (64 << 20));
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| decode_err(e.to_string()))?;
    Ok(img.into_luma8())
}

/// True for file names the image readers take (`.png`, `.jpg`, `.jpeg`).
pub fn is_image_path(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg"))
}

/// The pictures an input names: the file itself, or every `.png`,
/// `.jpg` and `.jpeg` file in a folder and in the folders inside it, in name
/// order, each folder's files before its subfolders (links to folders are
/// not followed). A path that is neither a folder nor a regular file (a
/// FIFO, a socket, a device) is an error.
pub fn image_paths(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        let mut out = Vec::new();
        collect_images(path, &mut out, 0)?;
        Ok(out)
    } else if meta.is_file() {
        Ok(vec![path.to_owned()])
    } else {
        badgegate_core::files::open_regular(path)?;
        Ok(vec![path.to_owned()])
    }
}

/// Folders deeper than this are not searched (a loop of bind mounts).
const MAX_FOLDER_DEPTH: usize = 16;

fn collect_images(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> std::io::Result<()> {
    let mut entries: Vec<(PathBuf, std::fs::FileType)> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_type().ok().map(|t| (e.path(), t)))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (p, t) in &entries {
        // A link to a file counts as the file; a FIFO or socket does not.
        let is_file = t.is_file() || (t.is_symlink() && p.is_file());
        if is_file && is_image_path(p) {
            out.push(p.clone());
        }
    }
    if depth < MAX_FOLDER_DEPTH {
        for (p, t) in &entries {
            if t.is_dir() {
                collect_images(p, out, depth + 1)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_bytes_are_an_error_not_a_panic() {
        let p = Path::new("x.png");
        assert!(read_gray_bytes(b"\x89PNG\r\n\x1a\nnonsense", p).is_err());
        assert!(read_gray_bytes(b"", p).is_err());
        assert!(read_gray_bytes(&[0xff, 0xd8, 0xff, 0x00, 0x13], p).is_err());
    }
}
