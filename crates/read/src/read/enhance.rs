//! Preparing a hard picture for the decoders: unsharp masks (both ways, or
//! along a motion smear), the smear's direction, halving.

use image::GrayImage;
#[cfg(test)]
use image::Luma;

/// Unsharp mask with a fast blur: `img + amount x (img - blur(img))`,
/// the blur being a box filter of `radius` applied twice (close to a
/// Gaussian, in time proportional to the pixels). Restores the edges of
/// defocused or motion-blurred modules.
pub(super) fn sharpen(img: &GrayImage, radius: u32, amount: f32) -> GrayImage {
    let blurred = box_blur(&box_blur(img, radius), radius);
    unsharp(img, &blurred, amount)
}

/// A separable box blur (window 2r+1, edges clamped), row-major throughout.
fn box_blur(img: &GrayImage, radius: u32) -> GrayImage {
    let once = blur_pass(img, radius, Axis::Rows);
    blur_pass(&once, radius, Axis::Columns)
}

/// A direction in the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Axis {
    /// Along each row (x): horizontal.
    Rows,
    /// Along each column (y): vertical.
    Columns,
}

/// One box-blur pass (window 2r+1, edges clamped) along `axis`, with
/// running sums: O(1) a pixel whatever the radius.
fn blur_pass(img: &GrayImage, radius: u32, axis: Axis) -> GrayImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let r = radius as usize;
    if w == 0 || h == 0 || r == 0 || r > 100 || w <= 2 * r + 1 || h <= 2 * r + 1 {
        return img.clone();
    }
    let window = (2 * r + 1) as u32;
    // Division by the window as a multiply and shift (sums stay < 2^16 for
    // windows up to 255 pixels).
    let inv = (1u32 << 16).div_ceil(window);
    let div = |sum: u32| ((sum * inv) >> 16).min(255) as u8;
    let src = img.as_raw();
    let mut out = vec![0u8; w * h];
    match axis {
        Axis::Rows => {
            for (row, dst) in src.chunks_exact(w).zip(out.chunks_exact_mut(w)) {
                let first = u32::from(row[0]);
                let last = u32::from(row[w - 1]);
                let mut sum =
                    first * (r as u32 + 1) + row[1..=r].iter().map(|&v| u32::from(v)).sum::<u32>();
                for x in 0..w {
                    dst[x] = div(sum);
                    let add = if x + r + 1 < w {
                        u32::from(row[x + r + 1])
                    } else {
                        last
                    };
                    let sub = if x >= r { u32::from(row[x - r]) } else { first };
                    sum = sum + add - sub;
                }
            }
        }
        Axis::Columns => {
            // One running sum a column, advanced row by row.
            let mut sums: Vec<u32> = (0..w)
                .map(|x| {
                    u32::from(src[x]) * (r as u32 + 1)
                        + (1..=r).map(|y| u32::from(src[y * w + x])).sum::<u32>()
                })
                .collect();
            for y in 0..h {
                let add_row = (y + r + 1).min(h - 1) * w;
                let sub_row = y.saturating_sub(r) * w;
                let dst = &mut out[y * w..(y + 1) * w];
                for x in 0..w {
                    dst[x] = div(sums[x]);
                    sums[x] = sums[x] + u32::from(src[add_row + x]) - u32::from(src[sub_row + x]);
                }
            }
        }
    }
    GrayImage::from_raw(img.width(), img.height(), out).unwrap_or_else(|| img.clone())
}

/// Unsharp mask along one axis only: undoes part of a motion blur in that
/// direction without raising the noise across it.
pub(super) fn sharpen_along(img: &GrayImage, axis: Axis, radius: u32, amount: f32) -> GrayImage {
    let blurred = blur_pass(&blur_pass(img, radius, axis), radius, axis);
    unsharp(img, &blurred, amount)
}

fn unsharp(img: &GrayImage, blurred: &GrayImage, amount: f32) -> GrayImage {
    // Fixed point: amount in 1/256ths.
    let k = (amount * 256.0).round() as i32;
    let out: Vec<u8> = img
        .as_raw()
        .iter()
        .zip(blurred.as_raw())
        .map(|(&v, &b)| {
            let v = i32::from(v);
            (v + ((k * (v - i32::from(b)) + 128) >> 8)).clamp(0, 255) as u8
        })
        .collect();
    GrayImage::from_raw(img.width(), img.height(), out).unwrap_or_else(|| img.clone())
}

/// The direction a picture is smeared in, if it clearly is: motion blur
/// flattens the brightness steps along the motion and keeps those across
/// it. Compares the energy of the steps between neighbours (sum of
/// squares) along rows and along columns of the half-size picture; `None`
/// unless one is under two thirds of the other.
pub(super) fn smear_axis(img: &GrayImage) -> Option<Axis> {
    // At half size sensor noise is halved, while the edges a smear leaves
    // sharp stay sharp.
    let img = &halve(img);
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w < 3 || h < 3 {
        return None;
    }
    let px = img.as_raw();
    let (mut along_rows, mut along_cols) = (0u64, 0u64);
    for y in 0..h - 1 {
        let row = &px[y * w..(y + 1) * w];
        let next = &px[(y + 1) * w..(y + 2) * w];
        for x in 0..w - 1 {
            // Squared steps: one sharp edge outweighs the same rise spread
            // over a smear, and sensor noise adds the same both ways.
            along_rows += u64::from(row[x].abs_diff(row[x + 1])).pow(2);
            along_cols += u64::from(row[x].abs_diff(next[x])).pow(2);
        }
    }
    if along_rows * 3 < along_cols * 2 {
        Some(Axis::Rows)
    } else if along_cols * 3 < along_rows * 2 {
        Some(Axis::Columns)
    } else {
        None
    }
}

/// The image at half width and height, each pixel the mean of a 2x2 block.
pub(super) fn halve(img: &GrayImage) -> GrayImage {
    let (w, h) = (img.width() as usize / 2, img.height() as usize / 2);
    let stride = img.width() as usize;
    let src = img.as_raw();
    let mut out = Vec::with_capacity(w * h);
    for y in 0..h {
        let top = &src[2 * y * stride..];
        let bottom = &src[(2 * y + 1) * stride..];
        out.extend((0..w).map(|x| {
            let sum = u32::from(top[2 * x])
                + u32::from(top[2 * x + 1])
                + u32::from(bottom[2 * x])
                + u32::from(bottom[2 * x + 1]);
            ((sum + 2) / 4) as u8
        }));
    }
    GrayImage::from_raw(w as u32, h as u32, out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checks() -> GrayImage {
        GrayImage::from_fn(320, 240, |x, y| {
            let base = if (x / 8 + y / 8) % 2 == 0 { 40 } else { 210 };
            Luma([(base + (x * 7 + y * 13) % 9) as u8])
        })
    }

    #[test]
    fn a_smear_is_found_in_its_direction_and_sharpened_along_it() {
        let img = checks();
        assert_eq!(smear_axis(&img), None, "sharp both ways");
        let smeared_x = blur_pass(&img, 3, Axis::Rows);
        let smeared_y = blur_pass(&img, 3, Axis::Columns);
        assert_eq!(smear_axis(&smeared_x), Some(Axis::Rows));
        assert_eq!(smear_axis(&smeared_y), Some(Axis::Columns));
        assert_eq!(
            smear_axis(&box_blur(&img, 3)),
            None,
            "defocus is not a smear"
        );
        // Sharpening along the smear brings the edges across it back.
        let step = |g: &GrayImage| -> u32 {
            (0..g.width() - 1)
                .map(|x| u32::from(g.get_pixel(x, 100).0[0].abs_diff(g.get_pixel(x + 1, 100).0[0])))
                .max()
                .unwrap_or(0)
        };
        let mended = sharpen_along(&smeared_x, Axis::Rows, 3, 2.0);
        assert!(
            step(&mended) > step(&smeared_x) + 20,
            "{} vs {}",
            step(&mended),
            step(&smeared_x)
        );
        assert_eq!(smear_axis(&GrayImage::new(2, 2)), None);
    }

    #[test]
    fn sharpen_keeps_flat_areas_and_steepens_edges() {
        let flat = GrayImage::from_pixel(20, 10, Luma([120]));
        assert_eq!(sharpen(&flat, 2, 2.0), flat);
        let edge = GrayImage::from_fn(20, 10, |x, _| Luma([if x < 10 { 100 } else { 150 }]));
        let s = sharpen(&edge, 2, 2.0);
        assert!(s.get_pixel(9, 5).0[0] < 100 && s.get_pixel(10, 5).0[0] > 150);
        assert_eq!(s.get_pixel(0, 5).0[0], 100);
    }
}
