//! Reading a card carried past the camera without stopping. Every frame is
//! smeared by the motion (a module or two at 720p) and carries fresh sensor
//! noise: too much for any one frame to read. So the frames are read
//! together: the code's region is found in each frame (where the picture
//! is busiest), aligned to the frames before it (phase correlation) and
//! averaged, which lowers the noise; the smear's length is measured on the
//! average (its cepstrum: a smear of L pixels leaves a dip at L) and undone
//! along the smear (Wiener deconvolution) before rxing reads the result.
//! A text read this way passes the same error correction as any other, and
//! the badge's signature after that: a wrong average reads as nothing.

use std::sync::Arc;
use std::time::Instant;

use image::GrayImage;
use rustfft::num_complex::Complex32;
use rustfft::{Fft, FftPlanner};

use super::curl::{read_unrolled, unread_quads, TURNS};
use super::enhance::{halve, smear_axis, Axis};
use super::rxing::{rxing_decode_until, Binarizer};
use super::{FoundCode, LARGE_FRAME};

/// The side of the square cut around the code (pixels of a 720p-sized
/// frame; a larger frame is halved first): a badge's code held up or
/// carried past at arm's length, its quiet zone and its smear.
const SIDE: usize = 320;
/// The side of the middle patch two frames are aligned on.
const PATCH: usize = 128;
/// Blocks the busiest region is looked for in.
const BLOCK: usize = 16;
/// The average weighs about this many recent frames (older ones fade).
const DEPTH: f32 = 12.0;
/// Columns added at each end of a row before it is deconvolved (the row's
/// end values repeated), so the row's ends do not wrap into each other.
const PAD: usize = 32;
/// The length of the rows deconvolved: a power of two above SIDE + 2 PAD.
const ROW: usize = 512;
/// Smears measured: from this many pixels...
const MIN_SMEAR: usize = 3;
/// ...to this many.
const MAX_SMEAR: usize = 24;
/// Noise-to-signal of the Wiener filter: higher keeps the noise down,
/// lower undoes more of the smear.
const NSR: f32 = 0.01;
/// The side of the square a held card is looked for curled in.
const UNROLL_SIDE: usize = 480;
/// Frames a card is held still and unread before the frames are read
/// together (as a curled card).
const HELD: u32 = 3;
/// Smear lengths tried, from the one measured (pixels).
const LENGTHS: [f32; 3] = [0.0, -0.5, 0.5];
/// The weakest alignment peak taken as the same card (phase correlation's
/// peak is 1 for identical pictures, about 0.03 for unrelated ones).
const MIN_PEAK: f32 = 0.06;

/// Frames of one card, aligned and summed.
pub(super) struct Stack {
    /// Sum of the aligned frames, `side` x `side`, and how much of each
    /// pixel was covered.
    sum: Vec<f32>,
    weight: Vec<f32>,
    side: usize,
    frames: u32,
    /// The card in hand is smeared along one axis (it is being carried
    /// past): the frames are worth the time to read together.
    smeared: bool,
    /// Which smear length this frame tries (one a frame, in turn).
    turn: usize,
    patch_fft: Arc<dyn Fft<f32>>,
    patch_ifft: Arc<dyn Fft<f32>>,
    row_fft: Arc<dyn Fft<f32>>,
    row_ifft: Arc<dyn Fft<f32>>,
}

impl std::fmt::Debug for Stack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stack")
            .field("side", &self.side)
            .field("frames", &self.frames)
            .finish()
    }
}

impl Default for Stack {
    fn default() -> Stack {
        let mut planner = FftPlanner::new();
        Stack {
            sum: Vec::new(),
            weight: Vec::new(),
            side: 0,
            frames: 0,
            smeared: false,
            turn: 0,
            patch_fft: planner.plan_fft_forward(PATCH),
            patch_ifft: planner.plan_fft_inverse(PATCH),
            row_fft: planner.plan_fft_forward(ROW),
            row_ifft: planner.plan_fft_inverse(ROW),
        }
    }
}

impl Stack {
    /// Frames in the average now.
    #[cfg(test)]
    fn frames(&self) -> u32 {
        self.frames
    }

    /// Forgets the frames (the card was read, or left).
    pub(super) fn reset(&mut self) {
        self.frames = 0;
        self.turn = 0;
        self.smeared = false;
    }

    /// A smeared card is in hand, or a card held still that the cascade
    /// has not read for [`HELD`] frames: the next frame should keep time
    /// for reading the frames together.
    pub(super) fn engaged(&self) -> bool {
        self.frames > 0 && (self.smeared || self.frames >= HELD)
    }

    /// A card held still (not smeared) is in hand that the cascade has
    /// not read for [`HELD`] frames.
    pub(super) fn held(&self) -> bool {
        self.frames >= HELD && !self.smeared
    }

    /// Adds a frame and, when two or more are in the average and time is
    /// left before `deadline`, reads the average: with its smear undone,
    /// or, held still, unrolled as a curled card if a code's corners are
    /// found in it that do not decode flat.
    pub(super) fn read(&mut self, img: &GrayImage, deadline: Instant) -> Vec<FoundCode> {
        let large = u64::from(img.width()) * u64::from(img.height()) >= LARGE_FRAME;
        let halved;
        let (work, scale) = if large {
            halved = halve(img);
            (&halved, 2)
        } else {
            (img, 1)
        };
        let Some((x0, y0, crop, side)) = cut(work) else {
            self.reset();
            return Vec::new();
        };
        let (dx, dy) = if self.frames == 0 || self.side != side {
            self.start(crop, side);
            (0, 0)
        } else {
            let mean = self.mean();
            match self.align(&mean, &crop) {
                Some(d) => {
                    self.add(&crop, d);
                    d
                }
                None => {
                    self.start(crop, side);
                    (0, 0)
                }
            }
        };
        if self.frames < 2 || Instant::now() >= deadline {
            return Vec::new();
        }
        let mean = self.mean();
        let grey = to_grey(&mean, side);
        let axis = smear_axis(&grey);
        self.smeared = axis.is_some();
        let place = |found: &mut Vec<FoundCode>| {
            // The average is in the first frame's place; the card is now
            // (dx, dy) further on.
            for corner in found.iter_mut().flat_map(|c| c.corners.iter_mut()) {
                corner[0] = (corner[0] + dx + x0 as i32) * scale + scale / 2;
                corner[1] = (corner[1] + dy + y0 as i32) * scale + scale / 2;
            }
        };
        let Some(axis) = axis else {
            let middle = (x0 + side / 2, y0 + side / 2);
            let mut found = self.unroll(work, middle, deadline);
            for corner in found.iter_mut().flat_map(|c| c.corners.iter_mut()) {
                corner[0] = corner[0] * scale + scale / 2;
                corner[1] = corner[1] * scale + scale / 2;
            }
            if !found.is_empty() {
                self.reset();
            }
            return found;
        };
        let rows = match axis {
            Axis::Rows => mean,
            Axis::Columns => transpose(&mean, side),
        };
        let length = self.smear_length(&rows, side);
        // The length measured, then half a pixel either side: as many as
        // the frame's time allows, starting where the last frame stopped.
        let mut found = Vec::new();
        for _ in 0..LENGTHS.len() {
            if !found.is_empty() || Instant::now() >= deadline {
                break;
            }
            let tried = length + LENGTHS[self.turn % LENGTHS.len()];
            self.turn += 1;
            let mut sharp = self.deconvolve(&rows, side, tried);
            if axis == Axis::Columns {
                sharp = transpose(&sharp, side);
            }
            found = rxing_decode_until(&to_grey(&sharp, side), Binarizer::Hybrid, false, deadline);
        }
        place(&mut found);
        if !found.is_empty() {
            self.reset();
        }
        found
    }

    /// A card held still, unrolled as curled (one curl a frame or more, in
    /// turn, as time allows) where rqrr finds a code's corners but cannot
    /// decode it, in a square of [`UNROLL_SIDE`] around `middle` of the
    /// frame (rqrr's threshold wants the card's surroundings). Corners in
    /// `img`'s pixels.
    fn unroll(
        &mut self,
        img: &GrayImage,
        middle: (usize, usize),
        deadline: Instant,
    ) -> Vec<FoundCode> {
        if Instant::now() >= deadline {
            return Vec::new();
        }
        let (w, h) = (img.width() as usize, img.height() as usize);
        let side = UNROLL_SIDE.min(w).min(h);
        let x0 = middle.0.saturating_sub(side / 2).min(w - side);
        let y0 = middle.1.saturating_sub(side / 2).min(h - side);
        let square = image::imageops::crop_imm(img, x0 as u32, y0 as u32, side as u32, side as u32)
            .to_image();
        let quads = unread_quads(&square);
        let mut found = Vec::new();
        for _ in 0..TURNS {
            if quads.is_empty() || !found.is_empty() || Instant::now() >= deadline {
                break;
            }
            let turn = self.turn;
            self.turn += 1;
            for quad in &quads {
                found.extend(read_unrolled(&square, quad, turn, deadline));
            }
        }
        for corner in found.iter_mut().flat_map(|c| c.corners.iter_mut()) {
            corner[0] += x0 as i32;
            corner[1] += y0 as i32;
        }
        found
    }

    fn start(&mut self, crop: Vec<f32>, side: usize) {
        self.smeared = smear_axis(&to_grey(&crop, side)).is_some();
        self.side = side;
        self.weight = vec![1.0; side * side];
        self.sum = crop;
        self.frames = 1;
        self.turn = 0;
    }

    fn mean(&self) -> Vec<f32> {
        self.sum
            .iter()
            .zip(&self.weight)
            .map(|(s, w)| if *w > 0.0 { s / w } else { 0.0 })
            .collect()
    }

    /// Adds `crop` moved back by `(dx, dy)` (the card moved that far since
    /// the first frame), fading the older frames once the average holds
    /// [`DEPTH`] of them.
    fn add(&mut self, crop: &[f32], (dx, dy): (i32, i32)) {
        let side = self.side as i32;
        if self.frames as f32 >= DEPTH {
            let keep = (DEPTH - 1.0) / DEPTH;
            self.sum.iter_mut().for_each(|v| *v *= keep);
            self.weight.iter_mut().for_each(|v| *v *= keep);
        }
        for y in 0..side {
            let sy = y + dy;
            if !(0..side).contains(&sy) {
                continue;
            }
            for x in 0..side {
                let sx = x + dx;
                if !(0..side).contains(&sx) {
                    continue;
                }
                let i = (y * side + x) as usize;
                self.sum[i] += crop[(sy * side + sx) as usize];
                self.weight[i] += 1.0;
            }
        }
        self.frames += 1;
    }

    /// How far `crop` has moved from `mean` (phase correlation of their
    /// middle patches): `crop[p + d]` shows what `mean[p]` does. `None`
    /// when no clear peak says they show the same thing.
    fn align(&self, mean: &[f32], crop: &[f32]) -> Option<(i32, i32)> {
        let side = self.side;
        if side < PATCH {
            return None;
        }
        let a = self.patch_spectrum(mean, side);
        let b = self.patch_spectrum(crop, side);
        let mut cross: Vec<Complex32> = a
            .iter()
            .zip(&b)
            .map(|(a, b)| {
                let c = a.conj() * b;
                let n = c.norm();
                if n > 1e-9 {
                    c / n
                } else {
                    Complex32::new(0.0, 0.0)
                }
            })
            .collect();
        fft2(&mut cross, PATCH, &self.patch_ifft);
        let (mut best, mut at) = (f32::MIN, 0);
        for (i, c) in cross.iter().enumerate() {
            if c.re > best {
                best = c.re;
                at = i;
            }
        }
        let peak = best / (PATCH * PATCH) as f32;
        let wrap = |v: usize| {
            if v < PATCH / 2 {
                v as i32
            } else {
                v as i32 - PATCH as i32
            }
        };
        let (dx, dy) = (wrap(at % PATCH), wrap(at / PATCH));
        let far = (PATCH / 4) as i32;
        (peak >= MIN_PEAK && dx.abs() < far && dy.abs() < far).then_some((dx, dy))
    }

    /// The 2-D spectrum of the middle patch, its mean taken off and its
    /// edges faded (a Hann window), so the patch's borders do not align.
    fn patch_spectrum(&self, img: &[f32], side: usize) -> Vec<Complex32> {
        let o = (side - PATCH) / 2;
        let mut sum = 0.0;
        for y in 0..PATCH {
            sum += img[(o + y) * side + o..(o + y) * side + o + PATCH]
                .iter()
                .sum::<f32>();
        }
        let mean = sum / (PATCH * PATCH) as f32;
        let hann: Vec<f32> = (0..PATCH)
            .map(|i| 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / PATCH as f32).cos())
            .collect();
        let mut out = Vec::with_capacity(PATCH * PATCH);
        for y in 0..PATCH {
            for x in 0..PATCH {
                let v = (img[(o + y) * side + o + x] - mean) * hann[x] * hann[y];
                out.push(Complex32::new(v, 0.0));
            }
        }
        fft2(&mut out, PATCH, &self.patch_fft);
        out
    }

    /// The smear's length along the rows, in pixels: where the cepstrum of
    /// the rows' mean power spectrum dips (a box of L pixels has spectral
    /// zeros every 1/L, which the cepstrum turns into a dip at L).
    fn smear_length(&self, rows: &[f32], side: usize) -> f32 {
        let mut power = vec![0f32; ROW];
        let mut buf = vec![Complex32::new(0.0, 0.0); ROW];
        let hann: Vec<f32> = (0..side)
            .map(|i| 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / side as f32).cos())
            .collect();
        // Every other row: the smear is the same in all of them.
        for row in rows.chunks_exact(side).step_by(2) {
            let mean = row.iter().sum::<f32>() / side as f32;
            buf.iter_mut().for_each(|c| *c = Complex32::new(0.0, 0.0));
            for (i, v) in row.iter().enumerate() {
                buf[i] = Complex32::new((v - mean) * hann[i], 0.0);
            }
            self.row_fft.process(&mut buf);
            for (p, c) in power.iter_mut().zip(&buf) {
                *p += c.norm_sqr();
            }
        }
        let mut cep: Vec<Complex32> = power
            .iter()
            .map(|p| Complex32::new((p + 1e-6).ln(), 0.0))
            .collect();
        self.row_ifft.process(&mut cep);
        let (mut best, mut at) = (f32::MAX, MIN_SMEAR);
        for (q, c) in cep.iter().enumerate().take(MAX_SMEAR + 1).skip(MIN_SMEAR) {
            if c.re < best {
                best = c.re;
                at = q;
            }
        }
        at as f32
    }

    /// Each row deconvolved of a smear `length` pixels long (a box with
    /// fractional ends) by a Wiener filter.
    fn deconvolve(&self, rows: &[f32], side: usize, length: f32) -> Vec<f32> {
        let length = length.max(1.0);
        let mut kernel = vec![Complex32::new(0.0, 0.0); ROW];
        let whole = length.floor() as usize;
        for k in kernel.iter_mut().take(whole) {
            k.re = 1.0 / length;
        }
        if length > whole as f32 {
            kernel[whole].re = (length - whole as f32) / length;
        }
        // Centred: the smear spreads both ways from where the card was.
        kernel.rotate_left(whole / 2);
        self.row_fft.process(&mut kernel);
        let filter: Vec<Complex32> = kernel
            .iter()
            .map(|k| k.conj() / (k.norm_sqr() + NSR) / ROW as f32)
            .collect();
        let mut out = Vec::with_capacity(side * side);
        let mut buf = vec![Complex32::new(0.0, 0.0); ROW];
        for row in rows.chunks_exact(side) {
            let (first, last) = (row[0], row[side - 1]);
            for (i, c) in buf.iter_mut().enumerate() {
                let v = if i < PAD {
                    first
                } else if i < PAD + side {
                    row[i - PAD]
                } else {
                    last
                };
                *c = Complex32::new(v, 0.0);
            }
            self.row_fft.process(&mut buf);
            for (c, f) in buf.iter_mut().zip(&filter) {
                *c *= f;
            }
            self.row_ifft.process(&mut buf);
            out.extend(buf[PAD..PAD + side].iter().map(|c| c.re));
        }
        out
    }
}

/// The busiest square of the frame (the code: many sharp steps close
/// together), as its top-left corner, its pixels and its side; `None` when
/// nothing in the frame is busy enough to be a code.
fn cut(img: &GrayImage) -> Option<(usize, usize, Vec<f32>, usize)> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let side = SIDE.min(w).min(h) & !1;
    if side < PATCH {
        return None;
    }
    let (bw, bh) = (w / BLOCK, h / BLOCK);
    let px = img.as_raw();
    let mut energy = vec![0u32; bw * bh];
    // Every other row and column, each with the step to the pixel two
    // on (right and below), so no edge between samples is missed.
    for y in (0..bh * BLOCK).step_by(2) {
        let row = &px[y * w..y * w + w];
        let below = &px[(y + 2).min(h - 1) * w..(y + 2).min(h - 1) * w + w];
        for x in (0..bw * BLOCK).step_by(2) {
            let step = u32::from(row[x].abs_diff(row[(x + 2).min(w - 1)]))
                + u32::from(row[x].abs_diff(below[x]));
            energy[(y / BLOCK) * bw + x / BLOCK] += step;
        }
    }
    // Per pixel sampled: a block of sensor noise alone scores about 11.
    let per = |e: u32| e as f32 / ((BLOCK / 2) * (BLOCK / 2)) as f32;
    let mut sorted: Vec<f32> = energy.iter().map(|&e| per(e)).collect();
    sorted.sort_by(f32::total_cmp);
    let top = sorted[sorted.len() * 97 / 100];
    let threshold = (top * 0.6).max(30.0);
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for (i, &e) in energy.iter().enumerate() {
        if per(e) > threshold {
            xs.push(i % bw);
            ys.push(i / bw);
        }
    }
    if xs.len() < 8 {
        return None;
    }
    xs.sort_unstable();
    ys.sort_unstable();
    let (cx, cy) = (
        xs[xs.len() / 2] * BLOCK + BLOCK / 2,
        ys[ys.len() / 2] * BLOCK + BLOCK / 2,
    );
    let x0 = cx.saturating_sub(side / 2).min(w - side);
    let y0 = cy.saturating_sub(side / 2).min(h - side);
    let mut crop = Vec::with_capacity(side * side);
    for y in y0..y0 + side {
        crop.extend(
            px[y * w + x0..y * w + x0 + side]
                .iter()
                .map(|&v| f32::from(v)),
        );
    }
    Some((x0, y0, crop, side))
}

fn to_grey(v: &[f32], side: usize) -> GrayImage {
    let px = v
        .iter()
        .map(|x| x.round().clamp(0.0, 255.0) as u8)
        .collect();
    GrayImage::from_raw(side as u32, side as u32, px).unwrap_or_default()
}

fn transpose(v: &[f32], side: usize) -> Vec<f32> {
    let mut out = vec![0.0; side * side];
    for y in 0..side {
        for x in 0..side {
            out[x * side + y] = v[y * side + x];
        }
    }
    out
}

/// A 2-D FFT of a square `n` x `n` in place: every row, then every column.
fn fft2(data: &mut [Complex32], n: usize, fft: &Arc<dyn Fft<f32>>) {
    for row in data.chunks_exact_mut(n) {
        fft.process(row);
    }
    let mut col = vec![Complex32::new(0.0, 0.0); n];
    for x in 0..n {
        for y in 0..n {
            col[y] = data[y * n + x];
        }
        fft.process(&mut col);
        for y in 0..n {
            data[y * n + x] = col[y];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{encode, render};

    /// A code of 4 px modules on a grey card, `side` square, its middle at
    /// `(cx, cy)`.
    fn card_at(text: &str, w: u32, h: u32, cx: i64, cy: i64) -> GrayImage {
        let qr = render(&encode(text).unwrap(), 4);
        let mut f = GrayImage::from_pixel(w, h, image::Luma([120]));
        let (qw, qh) = (i64::from(qr.width()), i64::from(qr.height()));
        image::imageops::replace(&mut f, &qr, cx - qw / 2, cy - qh / 2);
        f
    }

    /// `img` smeared along its rows by a box `length` pixels long, with
    /// noise (sd about 5) from `seed`.
    fn smear(img: &GrayImage, length: usize, seed: u64) -> GrayImage {
        let (w, h) = (img.width() as usize, img.height() as usize);
        let px = img.as_raw();
        let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let mut noise = || {
            let mut n = 0i32;
            for _ in 0..3 {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                n += ((state >> 33) % 11) as i32;
            }
            n - 15
        };
        let mut out = Vec::with_capacity(w * h);
        for y in 0..h {
            for x in 0..w {
                let sum: u32 = (0..length)
                    .map(|k| u32::from(px[y * w + (x + k).saturating_sub(length / 2).min(w - 1)]))
                    .sum();
                let v = sum as i32 / length as i32 + noise();
                out.push(v.clamp(0, 255) as u8);
            }
        }
        GrayImage::from_raw(w as u32, h as u32, out).unwrap()
    }

    #[test]
    fn a_smear_is_measured_and_the_frames_aligned() {
        let stack = Stack::default();
        let text = "BG1:STACK MEASURES THE SMEAR";
        for length in [5, 8, 11] {
            let img = smear(&card_at(text, 320, 320, 160, 160), length, 1);
            let (_, _, crop, side) = cut(&img).expect("the code is found");
            assert_eq!(stack.smear_length(&crop, side), length as f32);
        }
        let a = smear(&card_at(text, 640, 480, 300, 240), 7, 2);
        let b = smear(&card_at(text, 640, 480, 309, 236), 7, 3);
        let (ax, ay, crop_a, side) = cut(&a).unwrap();
        let (bx, by, crop_b, _) = cut(&b).unwrap();
        let mut stack = Stack::default();
        stack.start(crop_a, side);
        let (dx, dy) = stack.align(&stack.mean(), &crop_b).expect("aligned");
        // Where the card is in frame b, less where it was in frame a.
        assert_eq!(
            (dx + bx as i32 - ax as i32, dy + by as i32 - ay as i32),
            (9, -4)
        );
        // Something else entirely does not align.
        let other = smear(&card_at("BG1:SOMEONE ELSE", 640, 480, 300, 240), 2, 4);
        let (_, _, crop_o, _) = cut(&other).unwrap();
        let mut noise_only = crop_o.clone();
        noise_only.reverse();
        assert!(stack.align(&stack.mean(), &noise_only).is_none());
    }

    #[test]
    fn frames_too_smeared_alone_are_read_together() {
        let text = "BG1:CARRIED PAST THE CAMERA WITHOUT STOPPING, SMEARED";
        let deadline = || Instant::now() + std::time::Duration::from_secs(10);
        let frames: Vec<GrayImage> = (0..8)
            .map(|i| smear(&card_at(text, 640, 480, 200 + 14 * i, 240), 9, i as u64))
            .collect();
        // The premise: no frame reads alone, by the whole cascade.
        for f in &frames {
            assert!(crate::read::decode_within(f, std::time::Duration::from_secs(10)).is_empty());
        }
        let mut stack = Stack::default();
        let mut read_at = None;
        for (i, f) in frames.iter().enumerate() {
            let found = stack.read(f, deadline());
            if let Some(code) = found.first() {
                assert_eq!(code.text(), text);
                // The corners are where the card is in this frame.
                let x = 200 + 14 * i as i32;
                let mid = code.corners.iter().map(|c| c[0]).sum::<i32>() / 4;
                assert!((mid - x).abs() < 12, "middle {mid}, card at {x}");
                read_at = Some(i);
                break;
            }
        }
        assert!(read_at.is_some(), "read from the frames together");
        // Nothing busy: nothing kept.
        let blank = GrayImage::from_pixel(640, 480, image::Luma([120]));
        assert!(stack.read(&blank, deadline()).is_empty());
        assert_eq!(stack.frames(), 0);
    }
}
