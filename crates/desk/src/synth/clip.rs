//! Short camera clips of badges being shown to a gate, for the sequence
//! benchmark and tests: a card carried into view, held and taken away,
//! with the motion blur of a half-frame exposure, a lanyard's swing, a
//! card bent like a cylinder or rippled like cloth, glare sweeping across,
//! the blur of a card held too close to a fixed-focus webcam, two people at
//! once, and photo badges. Each frame carries fresh sensor noise.
//! Deterministic for a seed.

use image::{GrayImage, Luma};

use super::{Homography, Lcg};

/// A printed card and where its code is on it.
#[derive(Clone, Debug)]
pub struct Card {
    /// The badge text in its code.
    pub text: String,
    /// The card, grey, at print resolution.
    pub image: GrayImage,
    /// The code on the card, quiet zone included: left, top, side, and
    /// the side of one module, in card pixels.
    pub code: [f64; 4],
}

/// How a badge is shown: one scene per kind of presentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scene {
    /// Carried in quickly (blurred), held still for a third of a second,
    /// taken away.
    WalkUp,
    /// Carried past the camera without stopping: every frame smeared by
    /// the motion (4-10 px at 720p).
    WalkBy,
    /// Hanging from a lanyard, swinging and turning.
    Swing,
    /// Held bent like a cylinder (a card curling on its lanyard).
    Bent,
    /// Curled tightly (a cylinder a third to half the card's width across,
    /// a soft card squeezed in a hand): the code's edges turn 40-50 degrees
    /// away from the camera, half a module and more off any flat grid.
    Curled,
    /// Rippled like cloth (a code printed on a sleeve or a soft pass).
    Cloth,
    /// Held still while a reflection sweeps across the code.
    Glare,
    /// Brought from arm's length to too close: small, then blurred by the
    /// webcam's fixed focus.
    Approach,
    /// Two people at once: one holding a card, the other walking up.
    TwoPeople,
    /// Carried in and held, a photo badge (format 2, a larger code).
    PhotoBadge,
}

impl Scene {
    pub const ALL: [Scene; 10] = [
        Scene::WalkUp,
        Scene::WalkBy,
        Scene::Swing,
        Scene::Bent,
        Scene::Curled,
        Scene::Cloth,
        Scene::Glare,
        Scene::Approach,
        Scene::TwoPeople,
        Scene::PhotoBadge,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scene::WalkUp => "walk-up",
            Scene::WalkBy => "walk-by",
            Scene::Swing => "swing",
            Scene::Bent => "bent",
            Scene::Curled => "curled",
            Scene::Cloth => "cloth",
            Scene::Glare => "glare",
            Scene::Approach => "approach",
            Scene::TwoPeople => "two-people",
            Scene::PhotoBadge => "photo-badge",
        }
    }

    /// How many cards the scene shows.
    pub fn cards(self) -> usize {
        if self == Scene::TwoPeople {
            2
        } else {
            1
        }
    }
}

/// A clip: its frames, and for each frame and card whether the card's
/// whole code is inside the frame.
#[derive(Clone, Debug)]
pub struct Clip {
    pub frames: Vec<GrayImage>,
    /// `in_view[frame][card]`.
    pub in_view: Vec<Vec<bool>>,
    /// The texts shown, one a card.
    pub texts: Vec<String>,
}

/// Frames a second, as a webcam delivers them.
pub const FPS: f64 = 30.0;

/// Where a card is in one instant: its centre and height in frame pixels,
/// its turn (radians), how far its top leans back (a fraction of its
/// width), its bend (cylinder radius in card widths, 0 for flat), its
/// ripple (amplitude in modules) and its brightness.
#[derive(Clone, Copy, Debug, Default)]
struct Pose {
    cx: f64,
    cy: f64,
    height: f64,
    angle: f64,
    lean: f64,
    bend: f64,
    ripple: f64,
    ripple_phase: f64,
    gain: f64,
}

impl Pose {
    fn lerp(a: Pose, b: Pose, t: f64) -> Pose {
        let l = |x: f64, y: f64| x + (y - x) * t;
        Pose {
            cx: l(a.cx, b.cx),
            cy: l(a.cy, b.cy),
            height: l(a.height, b.height),
            angle: l(a.angle, b.angle),
            lean: l(a.lean, b.lean),
            bend: l(a.bend, b.bend),
            ripple: l(a.ripple, b.ripple),
            ripple_phase: l(a.ripple_phase, b.ripple_phase),
            gain: l(a.gain, b.gain),
        }
    }
}

fn uniform(rng: &mut Lcg, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * f64::from(rng.below(10_000)) / 10_000.0
}

/// A clip of `scene` at `width` x `height`, showing `cards[0]` (and
/// `cards[1]` for two people). Deterministic for a seed.
pub fn clip(cards: &[&Card], scene: Scene, width: u32, height: u32, seed: u64) -> Clip {
    let mut rng = Lcg::new(seed ^ 0x00c1_1f5e);
    let (w, h) = (f64::from(width), f64::from(height));
    let shown: Vec<&Card> = cards.iter().copied().take(scene.cards()).collect();
    // The size of a card held up to the camera, a fraction of the frame's
    // height: about 40-60 cm from a webcam.
    let held = h * uniform(&mut rng, 0.55, 0.78);
    let speed = w / 1280.0;
    let frames = match scene {
        Scene::WalkBy => 20,
        Scene::Bent | Scene::Curled | Scene::Cloth => 16,
        _ => 24,
    };
    // Poses at each frame's start (index n is the frame after the last).
    let side = if rng.below(2) == 0 { -1.0 } else { 1.0 };
    let hx = w / 2.0 + uniform(&mut rng, -0.12, 0.12) * w;
    let hy = h / 2.0 + uniform(&mut rng, -0.04, 0.04) * h;
    let base = Pose {
        cx: hx,
        cy: hy,
        height: held,
        angle: uniform(&mut rng, -0.08, 0.08),
        lean: uniform(&mut rng, 0.0, 0.05),
        gain: uniform(&mut rng, 0.7, 0.9),
        ..Pose::default()
    };
    let jitter = |rng: &mut Lcg, p: Pose| Pose {
        cx: p.cx + uniform(rng, -1.5, 1.5) * speed,
        cy: p.cy + uniform(rng, -1.5, 1.5) * speed,
        angle: p.angle + uniform(rng, -0.004, 0.004),
        ..p
    };
    let mut tracks: Vec<Vec<Pose>> = Vec::new();
    match scene {
        Scene::WalkUp | Scene::PhotoBadge | Scene::TwoPeople => {
            // In over 8 frames (ease-out from off-screen), held for 10,
            // out over 6 (ease-in).
            let start = hx + side * (w * 0.5 + held * 0.5);
            let end = hx - side * (w * 0.5 + held * 0.5);
            let mut track = Vec::new();
            for i in 0..=frames {
                let t = f64::from(i);
                let cx = if t < 8.0 {
                    let s = 1.0 - (1.0 - t / 8.0).powi(3);
                    start + (hx - start) * s
                } else if t <= 18.0 {
                    hx
                } else {
                    let s = ((t - 18.0) / 6.0).powi(3);
                    hx + (end - hx) * s
                };
                let rise = if t < 8.0 {
                    (8.0 - t) * 6.0 * speed
                } else {
                    0.0
                };
                track.push(jitter(
                    &mut rng,
                    Pose {
                        cx,
                        cy: hy + rise,
                        ..base
                    },
                ));
            }
            if scene == Scene::TwoPeople {
                // The first person already holds a card on the left; the
                // one walking up comes in on the right.
                let left = Pose {
                    cx: w * 0.27,
                    height: held * 0.85,
                    ..base
                };
                let first = (0..=frames).map(|_| jitter(&mut rng, left)).collect();
                let shift = w * 0.73 - hx;
                let second = track
                    .into_iter()
                    .map(|p| Pose {
                        cx: p.cx + shift,
                        height: held * 0.85,
                        ..p
                    })
                    .collect();
                tracks.push(first);
                tracks.push(second);
            } else {
                tracks.push(track);
            }
        }
        Scene::WalkBy => {
            let v = uniform(&mut rng, 8.0, 20.0) * speed;
            let start = hx + side * v * f64::from(frames) / 2.0;
            tracks.push(
                (0..=frames)
                    .map(|i| {
                        let t = f64::from(i);
                        Pose {
                            cx: start - side * v * t,
                            cy: hy + (t * 0.6).sin() * 4.0 * speed,
                            ..base
                        }
                    })
                    .collect(),
            );
        }
        Scene::Swing => {
            let amplitude = uniform(&mut rng, 0.15, 0.4);
            let period = uniform(&mut rng, 18.0, 28.0);
            let phase = uniform(&mut rng, 0.0, std::f64::consts::TAU);
            let length = held * 1.3;
            tracks.push(
                (0..=frames)
                    .map(|i| {
                        let a = amplitude
                            * (std::f64::consts::TAU * f64::from(i) / period + phase).sin();
                        Pose {
                            cx: hx + length * a.sin(),
                            cy: hy + length * (1.0 - a.cos()),
                            angle: base.angle + a,
                            ..base
                        }
                    })
                    .collect(),
            );
        }
        Scene::Bent | Scene::Curled | Scene::Cloth | Scene::Glare => {
            let bend = match scene {
                Scene::Bent => uniform(&mut rng, 0.55, 1.2),
                Scene::Curled => uniform(&mut rng, 0.35, 0.5),
                _ => 0.0,
            };
            let ripple = if scene == Scene::Cloth {
                uniform(&mut rng, 0.4, 0.8)
            } else {
                0.0
            };
            let phase = uniform(&mut rng, 0.0, std::f64::consts::TAU);
            tracks.push(
                (0..=frames)
                    .map(|i| {
                        let t = f64::from(i);
                        jitter(
                            &mut rng,
                            Pose {
                                cx: hx + (t * 0.3).sin() * 6.0 * speed,
                                bend,
                                ripple,
                                ripple_phase: phase + t * 0.15,
                                ..base
                            },
                        )
                    })
                    .collect(),
            );
        }
        Scene::Approach => {
            let (far, near) = (
                h * uniform(&mut rng, 0.3, 0.38),
                h * uniform(&mut rng, 1.0, 1.15),
            );
            tracks.push(
                (0..=frames)
                    .map(|i| {
                        let t = f64::from(i) / f64::from(frames);
                        jitter(
                            &mut rng,
                            Pose {
                                height: far + (near - far) * t,
                                ..base
                            },
                        )
                    })
                    .collect(),
            );
        }
    }
    // The glare's path: across the code's middle, left to right.
    let glare_from = (hx - held * 0.5, hy + held * 0.05);
    let glare_to = (hx + held * 0.5, hy + held * 0.15);

    let mut out = Clip {
        frames: Vec::with_capacity(frames as usize),
        in_view: Vec::with_capacity(frames as usize),
        texts: shown.iter().map(|c| c.text.clone()).collect(),
    };
    let background = GrayImage::from_fn(width, height, |x, y| {
        Luma([(55 + 70 * x / width.max(1) + 25 * y / height.max(1)) as u8])
    });
    for i in 0..frames as usize {
        let mut val = vec![0f32; (width * height) as usize];
        let mut cov = vec![0f32; (width * height) as usize];
        let mut view = Vec::new();
        let mut blur_box: Option<[u32; 4]> = None;
        for (card, track) in shown.iter().zip(&tracks) {
            let (a, b) = (track[i], track[i + 1]);
            // A half-frame exposure: the card moves through the first half
            // of the way to its next pose while the shutter is open.
            let travel = ((b.cx - a.cx).hypot(b.cy - a.cy)
                + (b.angle - a.angle).abs() * a.height * 0.5)
                * 0.5;
            let steps = (travel / 1.2).ceil().clamp(1.0, 12.0) as usize;
            for s in 0..steps {
                let t = 0.5 * (s as f64 + 0.5) / steps as f64;
                draw(
                    &mut val,
                    &mut cov,
                    width,
                    height,
                    card,
                    Pose::lerp(a, b, t),
                    1.0 / steps as f32,
                );
            }
            view.push(code_in_view(card, a, width, height));
            if scene == Scene::Approach {
                blur_box = Some([0, 0, width, height]);
            }
        }
        let mut frame: Vec<f32> = background
            .as_raw()
            .iter()
            .zip(val.iter().zip(&cov))
            .map(|(&bg, (&v, &c))| f32::from(bg) * (1.0 - c.min(1.0)) + v)
            .collect();
        if scene == Scene::Approach {
            // A fixed-focus webcam is sharp from about 40 cm out: a card
            // nearer than that (larger than 80% of the frame's height)
            // blurs more the nearer it comes.
            let size = tracks[0][i].height / h;
            let sigma = ((size - 0.8) * 10.0 * speed).max(0.0);
            if sigma > 0.3 {
                if let Some(region) = blur_box {
                    gaussian_like(&mut frame, width, height, region, sigma);
                }
            }
        }
        if scene == Scene::Glare {
            let t = i as f64 / f64::from(frames - 1);
            let (gx, gy) = (
                glare_from.0 + (glare_to.0 - glare_from.0) * t,
                glare_from.1 + (glare_to.1 - glare_from.1) * t,
            );
            let r = held * 0.09;
            add_glare(&mut frame, width, height, (gx, gy), r, 230.0);
        }
        let mut pixels = Vec::with_capacity(frame.len());
        for v in frame {
            // Sensor noise, new every frame: roughly Gaussian, sd about 5.
            let n = (rng.below(11) + rng.below(11) + rng.below(11)) as f32 - 15.0;
            pixels.push((v + n).round().clamp(0.0, 255.0) as u8);
        }
        out.frames
            .push(GrayImage::from_raw(width, height, pixels).unwrap_or_default());
        out.in_view.push(view);
    }
    out
}

/// What a reader made of a clip, frame by frame as a camera delivers it.
#[derive(Clone, Debug, Default)]
pub struct Played {
    /// For each card: the frame its text was first read on.
    pub decided: Vec<Option<usize>>,
    /// For each card: the first frame its whole code was in view.
    pub first_in_view: Vec<Option<usize>>,
    /// For each card: frames its text was read on, and frames it was in
    /// view.
    pub frames_read: Vec<(usize, usize)>,
    /// Texts read that the clip does not show (must stay empty).
    pub wrong: Vec<String>,
    /// Milliseconds the reader took on each frame.
    pub frame_ms: Vec<f64>,
}

impl Played {
    /// For each decided card, milliseconds from the start of the first
    /// frame its code was wholly in view to the verdict: the frames in
    /// between at [`FPS`], plus the time spent reading the deciding frame.
    pub fn latency_ms(&self) -> Vec<f64> {
        self.decided
            .iter()
            .zip(&self.first_in_view)
            .filter_map(|(d, v)| {
                let d = (*d)?;
                let frames = d.saturating_sub(v.unwrap_or(d));
                Some(frames as f64 * 1000.0 / FPS + self.frame_ms[d])
            })
            .collect()
    }
}

/// Plays `clip` to `read` (one call a frame, as a live camera does) and
/// tallies what it read against what the clip shows.
pub fn play(clip: &Clip, mut read: impl FnMut(&GrayImage) -> Vec<Vec<u8>>) -> Played {
    let n = clip.texts.len();
    let mut p = Played {
        decided: vec![None; n],
        first_in_view: vec![None; n],
        frames_read: vec![(0, 0); n],
        ..Played::default()
    };
    for (i, (frame, view)) in clip.frames.iter().zip(&clip.in_view).enumerate() {
        let start = std::time::Instant::now();
        let texts = read(frame);
        p.frame_ms.push(start.elapsed().as_secs_f64() * 1000.0);
        for (card, text) in clip.texts.iter().enumerate() {
            let seen = texts.iter().any(|t| t.as_slice() == text.as_bytes());
            if view[card] {
                p.first_in_view[card].get_or_insert(i);
                p.frames_read[card].1 += 1;
                p.frames_read[card].0 += usize::from(seen);
            }
            if seen {
                p.decided[card].get_or_insert(i);
            }
        }
        for t in texts {
            if !clip.texts.iter().any(|e| e.as_bytes() == t.as_slice()) {
                p.wrong.push(String::from_utf8_lossy(&t).into_owned());
            }
        }
    }
    p
}

/// Seeds the generator's numbers are tuned on (the benchmark's default).
pub const TUNING_SEEDS: u64 = 0;
/// Seeds the tests and CI use: never tuned on.
pub const CI_SEEDS: u64 = 7_000_000;

/// The projected card: its width on the frame plane (card pixels) when
/// bent, and the map from that plane to the card's own pixels.
fn card_point(card: &Card, pose: &Pose, px: f64, py: f64) -> (f64, f64) {
    let (cw, ch) = (
        f64::from(card.image.width()),
        f64::from(card.image.height()),
    );
    let (mut u, mut v) = (px, py);
    if pose.bend > 0.0 {
        let r = pose.bend * cw;
        let projected = 2.0 * r * (cw / (2.0 * r)).sin();
        let x = (px - projected / 2.0).clamp(-r, r);
        let arc = r * (x / r).asin();
        // The card's edges curl towards the camera and look taller.
        let depth = r * (1.0 - (arc / r).cos());
        let scale = 1.0 + depth / (cw * 4.0);
        u = arc + cw / 2.0;
        v = (py - ch / 2.0) / scale + ch / 2.0;
    }
    if pose.ripple > 0.0 {
        let module = card.code[3];
        let wave = module * 9.0;
        let a = pose.ripple * module;
        let (u0, v0) = (u, v);
        u += a * (std::f64::consts::TAU * v0 / wave + pose.ripple_phase).sin();
        v += a * (std::f64::consts::TAU * u0 / (wave * 1.3) + pose.ripple_phase * 0.7).sin();
    }
    (u, v)
}

/// The quad (top-left, top-right, bottom-right, bottom-left) a card's
/// projected plane covers on the frame, and that plane's width.
fn quad(card: &Card, pose: &Pose) -> ([(f64, f64); 4], f64) {
    let (cw, ch) = (
        f64::from(card.image.width()),
        f64::from(card.image.height()),
    );
    let projected = if pose.bend > 0.0 {
        let r = pose.bend * cw;
        2.0 * r * (cw / (2.0 * r)).sin()
    } else {
        cw
    };
    let scale = pose.height / ch;
    let (w, h) = (projected * scale, pose.height);
    let (s, c) = pose.angle.sin_cos();
    let mut pts = [
        (-w / 2.0 + w * pose.lean, -h / 2.0 + h * pose.lean * 0.5),
        (w / 2.0 - w * pose.lean, -h / 2.0 + h * pose.lean * 0.5),
        (w / 2.0, h / 2.0),
        (-w / 2.0, h / 2.0),
    ];
    for p in &mut pts {
        *p = (pose.cx + p.0 * c - p.1 * s, pose.cy + p.0 * s + p.1 * c);
    }
    (pts, projected)
}

/// Adds one exposure instant of `card` at `pose`, weighted, into the
/// frame's value and coverage buffers.
fn draw(
    val: &mut [f32],
    cov: &mut [f32],
    width: u32,
    height: u32,
    card: &Card,
    pose: Pose,
    weight: f32,
) {
    let (q, projected) = quad(card, &pose);
    let ch = f64::from(card.image.height());
    let plane = [(0.0, 0.0), (projected, 0.0), (projected, ch), (0.0, ch)];
    let Some(to_plane) = Homography::solve(q, plane) else {
        return;
    };
    let (cw_i, ch_i) = (card.image.width(), card.image.height());
    let (cw, chh) = (f64::from(cw_i), f64::from(ch_i));
    let xs = q.iter().map(|p| p.0);
    let ys = q.iter().map(|p| p.1);
    let x0 = xs.clone().fold(f64::MAX, f64::min).floor().max(0.0) as u32;
    let x1 = xs.fold(f64::MIN, f64::max).ceil().min(f64::from(width)) as u32;
    let y0 = ys.clone().fold(f64::MAX, f64::min).floor().max(0.0) as u32;
    let y1 = ys.fold(f64::MIN, f64::max).ceil().min(f64::from(height)) as u32;
    let raw = card.image.as_raw();
    let light = |x: u32| (0.85 + 0.25 * f64::from(x) / f64::from(width)) * pose.gain;
    for y in y0..y1 {
        for x in x0..x1 {
            let (px, py) = to_plane.apply(f64::from(x) + 0.5, f64::from(y) + 0.5);
            if px < 0.0 || py < 0.0 || px >= projected || py >= chh {
                continue;
            }
            let (u, v) = card_point(card, &pose, px, py);
            if u < 0.0 || v < 0.0 || u >= cw - 1.0 || v >= chh - 1.0 {
                continue;
            }
            let (ux, vy) = (u.floor() as usize, v.floor() as usize);
            let (fx, fy) = ((u - u.floor()) as f32, (v - v.floor()) as f32);
            let at = |dx: usize, dy: usize| f32::from(raw[(vy + dy) * cw_i as usize + ux + dx]);
            let value = (at(0, 0) * (1.0 - fx) + at(1, 0) * fx) * (1.0 - fy)
                + (at(0, 1) * (1.0 - fx) + at(1, 1) * fx) * fy;
            let i = (y * width + x) as usize;
            val[i] += weight * value * light(x) as f32;
            cov[i] += weight;
        }
    }
}

/// Whether the card's whole code (quiet zone included) is inside the
/// frame at `pose`.
fn code_in_view(card: &Card, pose: Pose, width: u32, height: u32) -> bool {
    let (q, projected) = quad(card, &pose);
    let ch = f64::from(card.image.height());
    let plane = [(0.0, 0.0), (projected, 0.0), (projected, ch), (0.0, ch)];
    let Some(to_frame) = Homography::solve(plane, q) else {
        return false;
    };
    let cw = f64::from(card.image.width());
    let [left, top, side, _] = card.code;
    // The code's corners on the plane (the bend moves x inwards).
    let flat_x = |u: f64| {
        if pose.bend > 0.0 {
            let r = pose.bend * cw;
            r * ((u - cw / 2.0) / r).sin() + projected / 2.0
        } else {
            u
        }
    };
    [
        (left, top),
        (left + side, top),
        (left + side, top + side),
        (left, top + side),
    ]
    .iter()
    .all(|&(u, v)| {
        let (x, y) = to_frame.apply(flat_x(u), v);
        x >= 0.0 && y >= 0.0 && x < f64::from(width) && y < f64::from(height)
    })
}

/// A blur close to a Gaussian of `sigma` (three box passes each way) over
/// a region of a float frame.
fn gaussian_like(frame: &mut [f32], width: u32, height: u32, region: [u32; 4], sigma: f64) {
    // Three boxes of width 2r+1 have a variance of r(r+1).
    let r = ((sigma * sigma).sqrt().round() as usize).max(1);
    let [x0, y0, x1, y1] = region;
    let w = width as usize;
    for _ in 0..3 {
        for y in y0 as usize..y1.min(height) as usize {
            let row: Vec<f32> = frame[y * w + x0 as usize..y * w + x1 as usize].to_vec();
            box_1d(&row, r, |i, v| frame[y * w + x0 as usize + i] = v);
        }
        for x in x0 as usize..x1.min(width) as usize {
            let col: Vec<f32> = (y0 as usize..y1 as usize)
                .map(|y| frame[y * w + x])
                .collect();
            box_1d(&col, r, |i, v| frame[(y0 as usize + i) * w + x] = v);
        }
    }
}

fn box_1d(src: &[f32], r: usize, mut put: impl FnMut(usize, f32)) {
    let n = src.len();
    if n == 0 {
        return;
    }
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0f64);
    for &v in src {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + f64::from(v));
    }
    for i in 0..n {
        let (a, b) = (i.saturating_sub(r), (i + r + 1).min(n));
        put(i, ((prefix[b] - prefix[a]) / (b - a) as f64) as f32);
    }
}

/// A bright reflection: an elongated soft spot that saturates the print.
fn add_glare(frame: &mut [f32], width: u32, height: u32, at: (f64, f64), r: f64, peak: f64) {
    let (x0, x1) = (
        (at.0 - r * 4.0).max(0.0) as u32,
        ((at.0 + r * 4.0).max(0.0) as u32).min(width),
    );
    let (y0, y1) = (
        (at.1 - r * 3.0).max(0.0) as u32,
        ((at.1 + r * 3.0).max(0.0) as u32).min(height),
    );
    for y in y0..y1 {
        for x in x0..x1 {
            let d2 =
                ((f64::from(x) - at.0) / (r * 1.6)).powi(2) + ((f64::from(y) - at.1) / r).powi(2);
            let i = (y * width + x) as usize;
            frame[i] += (peak * (-d2).exp()) as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> Card {
        let image = GrayImage::from_fn(124, 175, |x, y| {
            Luma([if (x / 6 + y / 6) % 2 == 0 { 20 } else { 240 }])
        });
        Card {
            text: "X".into(),
            image,
            code: [20.0, 50.0, 84.0, 4.0],
        }
    }

    #[test]
    fn clips_are_deterministic_and_the_code_comes_into_view() {
        let c = card();
        for scene in Scene::ALL {
            let a = clip(&[&c, &c], scene, 320, 180, 5);
            let b = clip(&[&c, &c], scene, 320, 180, 5);
            assert_eq!(a.frames, b.frames, "{}", scene.name());
            assert!(a.frames.len() >= 10 && a.frames.len() <= 30);
            assert_eq!(a.texts.len(), scene.cards());
            assert!(
                a.in_view.iter().any(|v| v.iter().all(|&x| x)),
                "{}: the code is in view at some point",
                scene.name()
            );
            assert_ne!(a.frames[0], clip(&[&c, &c], scene, 320, 180, 6).frames[0]);
        }
    }
}
