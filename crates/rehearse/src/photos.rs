//! The holders' photos of a rehearsal: a portrait per person (a head and
//! shoulders whose colours and proportions come from the person's number),
//! saved as JPEG the way the desk keeps them, so each badge carries the
//! digest of its own file and each gate looks it up in its own folder.

use image::{Rgb, RgbImage};

use crate::RehearseError;

/// Portrait size: what the desk's normalised photos are, roughly.
const W: u32 = 240;
const H: u32 = 320;

/// Person `n`'s portrait as JPEG bytes; two numbers give two people.
pub fn portrait_jpeg(n: u64) -> Result<Vec<u8>, RehearseError> {
    let mut rng = crate::plan::Rng::new(n.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let mut channel =
        |lo: u8, span: u8| lo.saturating_add((rng.next_u64() % u64::from(span)) as u8);
    let bg = Rgb([channel(60, 150), channel(80, 120), channel(100, 140)]);
    let skin = Rgb([channel(110, 120), channel(80, 100), channel(60, 80)]);
    let coat = Rgb([channel(10, 170), channel(10, 120), channel(20, 140)]);
    let hair = Rgb([channel(10, 90), channel(5, 60), channel(0, 40)]);
    let head_w = 0.14 + (rng.next_u64() % 60) as f32 / 1000.0;
    let head_h = 0.17 + (rng.next_u64() % 60) as f32 / 1000.0;
    let img = RgbImage::from_fn(W, H, |x, y| {
        let (fx, fy) = (x as f32 / W as f32, y as f32 / H as f32);
        let head = ((fx - 0.5) / head_w).powi(2) + ((fy - 0.38) / head_h).powi(2);
        let body = fy > 0.62 && ((fx - 0.5) / 0.42).powi(2) + ((fy - 1.05) / 0.45).powi(2) <= 1.0;
        if head <= 1.0 && fy < 0.38 - head_h * 0.55 {
            hair
        } else if head <= 1.0 {
            skin
        } else if body {
            coat
        } else {
            bg
        }
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .map_err(|e| RehearseError::Setup(format!("portrait {n}: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_people_two_photos_and_each_the_same_every_time() {
        let a = portrait_jpeg(1).unwrap();
        assert_eq!(a, portrait_jpeg(1).unwrap());
        assert_ne!(a, portrait_jpeg(2).unwrap());
        let img = image::load_from_memory(&a).unwrap();
        assert_eq!((img.width(), img.height()), (W, H));
    }
}
