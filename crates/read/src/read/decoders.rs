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

/// A grid rqrr found: its bytes if it decodes, and its corners.
pub(super) type Grid = (Option<Vec<u8>>, [[i32; 2]; 4]);

/// rqrr on a grey picture: every grid it finds, with its bytes if it
/// decodes and its corners (top-left, top-right, bottom-right,
/// bottom-left). rqrr has no known panics on images, but a frame must
/// never take the kiosk down: a panic here counts as "nothing found".
pub(super) fn rqrr_grids(img: &GrayImage) -> Vec<Grid> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w == 0 || h == 0 {
        return Vec::new();
    }
    let found = guarded(|| {
        let mut prepared =
            rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| img.as_raw()[y * w + x]);
        prepared
            .detect_grids()
            .into_iter()
            .map(|grid| {
                let mut bytes = Vec::new();
                let decoded = grid.decode_to(&mut bytes).is_ok().then_some(bytes);
                (decoded, grid.bounds.map(|p| [p.x, p.y]))
            })
            .collect::<Vec<_>>()
    });
    found.unwrap_or_default()
}

/// rqrr on a grey picture: every grid it finds and can decode.
pub(super) fn decode_once(img: &GrayImage) -> Vec<FoundCode> {
    let mut codes: Vec<FoundCode> = rqrr_grids(img)
        .into_iter()
        .filter_map(|(bytes, corners)| {
            Some(FoundCode {
                bytes: bytes?,
                corners,
            })
        })
        .collect();
    // The same code can be found twice by overlapping finder groups.
    codes.dedup_by(|a, b| a.bytes == b.bytes && a.corners == b.corners);
    codes
}
