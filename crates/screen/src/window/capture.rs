//! The capture thread: takes frames from the feed (paced for replays, a
//! lost camera reopened), hands each to the engine thread and a small copy
//! to the live picture, so the picture never waits for a decode.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock};

use badgegate_core::notice::Notices;
use badgegate_core::text::printable;
use badgegate_gate::gate::runtime::{Fed, Feed, FeedMode, KioskClock, RECONNECT_EVERY};
use badgegate_read::source::OpenError;
use badgegate_read::source::{Payload, SourceSpec};

use super::WindowError;
use eframe::egui;
use image::GrayImage;

/// Width of the live picture handed to the screen.
const PREVIEW_WIDTH: u32 = 640;

/// The latest picture for the live view.
#[derive(Default)]
pub struct Picture {
    pub seq: u64,
    pub img: Option<Arc<GrayImage>>,
}

/// The capture thread, started before the kiosk so a source that cannot
/// open stops the start with one line.
pub struct Capture {
    pub frames: Receiver<Fed>,
    pub picture: Arc<Mutex<Picture>>,
    pub repaint: Arc<OnceLock<egui::Context>>,
    pub stop: Arc<AtomicBool>,
}

impl Capture {
    /// Opens the source on the capture thread; a source that cannot be
    /// opened is the error. What the source says of itself goes to
    /// `notices`.
    pub fn start(
        spec: SourceSpec,
        clock: KioskClock,
        notices: Notices,
    ) -> Result<Capture, WindowError> {
        let live = spec.is_live();
        // A replay must not lose a frame (the same frames give the same
        // journal as --headless); a camera's stale frames are dropped.
        let (tx, frames) = mpsc::sync_channel::<Fed>(if live { 1 } else { 2 });
        let picture = Arc::new(Mutex::new(Picture::default()));
        let repaint: Arc<OnceLock<egui::Context>> = Arc::new(OnceLock::new());
        let stop = Arc::new(AtomicBool::new(false));
        let (opened_tx, opened) = mpsc::channel::<Result<(), OpenError>>();
        let shared = Shared {
            tx,
            picture: picture.clone(),
            repaint: repaint.clone(),
            stop: stop.clone(),
            live,
        };
        super::spawn("capture", move || {
            capture_loop(spec, clock, shared, opened_tx, notices)
        })?;
        match opened.recv() {
            Ok(Ok(())) => Ok(Capture {
                frames,
                picture,
                repaint,
                stop,
            }),
            Ok(Err(why)) => Err(WindowError::Source(why)),
            Err(_) => Err(WindowError::SourceStopped),
        }
    }
}

/// What the capture thread shares with the others.
struct Shared {
    tx: SyncSender<Fed>,
    picture: Arc<Mutex<Picture>>,
    repaint: Arc<OnceLock<egui::Context>>,
    stop: Arc<AtomicBool>,
    live: bool,
}

impl Shared {
    fn poke(&self) {
        if let Some(ctx) = self.repaint.get() {
            ctx.request_repaint();
        }
    }

    /// Hands a frame to the engine: a live source drops it when the
    /// engine is busy. False once the engine is gone.
    fn send(&self, msg: Fed) -> bool {
        if self.live {
            !matches!(self.tx.try_send(msg), Err(TrySendError::Disconnected(_)))
        } else {
            self.tx.send(msg).is_ok()
        }
    }

    /// Hands news of the source to the engine (never dropped).
    fn news(&self, fed: Fed) -> bool {
        let sent = self.tx.send(fed).is_ok();
        self.poke();
        sent
    }

    /// A smaller copy of a picture for the live view: it needs no more
    /// than its panel's pixels.
    fn show(&self, img: &GrayImage, shown: &mut u64) {
        let preview = if img.width() > PREVIEW_WIDTH {
            let h = (u64::from(img.height()) * u64::from(PREVIEW_WIDTH)
                / u64::from(img.width().max(1))) as u32;
            Arc::new(image::imageops::thumbnail(img, PREVIEW_WIDTH, h.max(1)))
        } else {
            Arc::new(img.clone())
        };
        if let Ok(mut p) = self.picture.lock() {
            *shown += 1;
            p.seq = *shown;
            p.img = Some(preview);
        }
        self.poke();
    }
}

fn capture_loop(
    spec: SourceSpec,
    clock: KioskClock,
    shared: Shared,
    opened: Sender<Result<(), OpenError>>,
    notices: Notices,
) {
    let mode = FeedMode {
        pace: true,
        reconnect_every: Some(RECONNECT_EVERY),
    };
    let mut feed = match Feed::open(spec, clock, mode) {
        Ok(f) => {
            if let Some(d) = f.describe() {
                notices.say(printable(&d));
            }
            let _ = opened.send(Ok(()));
            f
        }
        Err(e) => {
            let _ = opened.send(Err(e));
            return;
        }
    };
    let mut shown: u64 = 0;
    while !shared.stop.load(Ordering::Relaxed) {
        let fed = feed.next_fed();
        let last = matches!(fed, Fed::Ended | Fed::Lost(_));
        let alive = match fed {
            Fed::Frame { frame, now_ms } => {
                if let Payload::Image(img) = &frame.payload {
                    shared.show(img, &mut shown);
                }
                shared.send(Fed::Frame { frame, now_ms })
            }
            news => shared.news(news),
        };
        if !alive || last {
            return;
        }
    }
}
