//! The QR decoders every reader shares, each caught if it panics: rqrr
//! and quirc (quircs). rxing, the kiosk's first decoder, is in `rxing`.

use image::GrayImage;

use super::FoundCode;

thread_local! {
    static IN_DECODER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// True while this thread runs a third-party decoder whose panics are
/// caught (and count as "nothing found"): a panic hook stays quiet then.
pub fn decoder_running() -> bool {
    IN_DECODER.with(|f| f.get())
}

/// Runs a decoder with its panics caught.
pub(super) fn guarded<R>(f: impl FnOnce() -> R + std::panic::UnwindSafe) -> std::thread::Result<R> {
    let outer = IN_DECODER.with(|flag| flag.replace(true));
    let r = std::panic::catch_unwind(f);
    IN_DECODER.with(|flag| flag.set(outer));
    r
}

/// quirc (quircs) on a grey picture: every code it finds and can decode
/// (its Reed-Solomon check refuses a code it cannot correct).
pub(super) fn decode_quirc(img: &GrayImage) -> Vec<FoundCode> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w == 0 || h == 0 {
        return Vec::new();
    }
    let found = guarded(|| {
        let mut q = quircs::Quirc::default();
        let mut out = Vec::new();
        for code in q.identify(w, h, img.as_raw()).flatten() {
            if let Ok(data) = code.decode() {
                let c = code.corners;
                out.push(FoundCode {
                    bytes: data.payload,
                    corners: [
                        [c[0].x, c[0].y],
                        [c[1].x, c[1].y],
                        [c[2].x, c[2].y],
                        [c[3].x, c[3].y],
                    ],
                });
            }
        }
        out
    });
    found.unwrap_or_default()
}

/// rqrr on a grey picture: every grid it finds and can decode.
pub(super) fn decode_once(img: &GrayImage) -> Vec<FoundCode> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w == 0 || h == 0 {
        return Vec::new();
    }
    // rqrr has no known panics on images, but a frame must never take the
    // kiosk down: a panic here counts as "nothing found".
    let found = guarded(|| {
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| img.as_raw()[y * w + x]);
        let mut out = Vec::new();
        for grid in prepared.detect_grids() {
            let mut bytes = Vec::new();
            if grid.decode_to(&mut bytes).is_ok() {
                let b = grid.bounds;
                out.push(FoundCode {
                    bytes,
                    corners: [
                        [b[0].x, b[0].y],
                        [b[1].x, b[1].y],
                        [b[2].x, b[2].y],
                        [b[3].x, b[3].y],
                    ],
                });
            }
        }
        out
    });
    let mut codes = found.unwrap_or_default();
    // The same code can be found twice by overlapping finder groups.
    codes.dedup_by(|a, b| a.bytes == b.bytes && a.corners == b.corners);
    codes
}
