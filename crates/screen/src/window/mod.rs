//! The guard's screen: an egui window drawing [`crate::screen`]'s state.
//! Three threads: `capture` (the frame feed, paced for replays, a lost
//! camera reopened), `engine` (the gate runtime the headless mode drives
//! too: read, decide, journal) and the UI thread (`app`, `draw`), which only
//! draws and forwards the guard's keys, so the picture never waits for a
//! decode or a disk write. `theme` holds every colour and proportion.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::screen::{ScreenConfig, ScreenModel};
use badgegate_core::notice::Notices;
use badgegate_core::text::{printable, printable_short};
use badgegate_core::vocab::Direction;
use badgegate_gate::gate::runtime::{Gate, KioskClock, LoopEnd};
use badgegate_read::source::OpenError;
use eframe::egui::{self, FontData, FontDefinitions, FontFamily};

mod app;
mod capture;
mod draw;
mod engine;
mod sound;
mod theme;

pub use capture::Capture;

use app::{App, Fixed};
use engine::ScreenSink;
use sound::Speaker;

/// The screen's size when it is not full screen.
const WINDOW_SIZE: [f32; 2] = [1280.0, 720.0];

/// How the window opens.
pub struct Options {
    pub fullscreen: bool,
    pub sound: bool,
    /// The venue office link, for ONLINE / OFFLINE on the status bar.
    pub office: Option<badgegate_gate::net::link::SharedState>,
    /// Where the lines for the gate's log go (the window never prints).
    pub notices: Notices,
}

/// What kept the guard's screen from opening or running.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WindowError {
    #[error("no display for the guard's screen (DISPLAY is not set)")]
    NoDisplay,
    #[error("no X display is running at DISPLAY={0}")]
    DisplayGone(String),
    /// The frame source could not be opened.
    #[error(transparent)]
    Source(#[from] OpenError),
    #[error("the frame source stopped while opening")]
    SourceStopped,
    #[error("cannot start the {what} thread: {source}")]
    Thread {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the guard's screen: {0}")]
    Open(#[source] eframe::Error),
}

/// Whether there is a display to open the screen on.
pub fn display_available() -> Result<(), WindowError> {
    let Some(display) = std::env::var_os("DISPLAY").filter(|d| !d.is_empty()) else {
        return Err(WindowError::NoDisplay);
    };
    let display = display.to_string_lossy().into_owned();
    if let Some(rest) = display.strip_prefix(':') {
        let number = rest.split('.').next().unwrap_or_default();
        let socket = format!("/tmp/.X11-unix/X{number}");
        if !number.is_empty() && !Path::new(&socket).exists() {
            return Err(WindowError::DisplayGone(printable(&display)));
        }
    }
    Ok(())
}

/// Starts a named thread, or says which could not be started.
fn spawn<T: Send + 'static>(
    what: &'static str,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<std::thread::JoinHandle<T>, WindowError> {
    std::thread::Builder::new()
        .name(what.into())
        .spawn(f)
        .map_err(|source| WindowError::Thread { what, source })
}

/// What the status bar shows of a gate that does not change while running.
fn fixed(gate: &Gate, screen: &ScreenConfig) -> Fixed {
    let kiosk = gate.kiosk();
    let cfg = kiosk.config();
    Fixed {
        gate: printable_short(&cfg.gate, 40),
        zone: cfg.zone.as_deref().map_or_else(
            || screen.lang.words().any_zone.into(),
            |z| screen.zone_words(z),
        ),
        direction: match cfg.direction {
            Direction::In => screen.lang.words().entry.into(),
            Direction::Out => screen.lang.words().exit.into(),
        },
        kiosk_id: printable_short(kiosk.journal().kiosk_id(), 40),
        signed: kiosk.journal().signer_id().is_some(),
    }
}

/// How the screen ended.
pub struct Ended {
    /// The kiosk went out of service (the journal could not be written).
    pub out_of_service: bool,
    /// The gate stopped on purpose (Ctrl+Q, or a stop signal): its
    /// journal's last record, to hand the office. `None` when it did not
    /// (out of service, the camera lost for good).
    pub stopped_at: Option<u64>,
}

/// Opens the screen and runs until the guard closes it (Ctrl+Q) or a stop
/// signal sets `capture.stop`.
pub fn run(
    gate: Gate,
    capture: Capture,
    screen: ScreenConfig,
    clock: KioskClock,
    options: Options,
) -> Result<Ended, WindowError> {
    let fixed = fixed(&gate, &screen);
    let (events_tx, events) = mpsc::channel();
    let (actions, actions_rx) = mpsc::channel();
    let stop = capture.stop.clone();
    let mut sink = ScreenSink {
        events: events_tx,
        repaint: capture.repaint.clone(),
        utc_offset: screen.utc_offset,
        notices: options.notices.clone(),
    };
    let engine_stop = stop.clone();
    let frames = capture.frames;
    let mut gate = gate;
    let engine = spawn("engine", move || {
        let end = gate.run(frames, Some(&actions_rx), &clock, &mut sink, &engine_stop);
        (end == LoopEnd::Ended).then(|| gate.kiosk().journal().next_seq() - 1)
    })?;
    let engine = Arc::new(Mutex::new(Some(engine)));

    let out_of_service = Arc::new(AtomicBool::new(false));
    let app = App {
        model: ScreenModel::new(screen),
        fixed,
        events,
        actions,
        picture: capture.picture,
        texture: None,
        texture_seq: 0,
        photos: Default::default(),
        seen: None,
        clock,
        speaker: if options.sound {
            Speaker::open(&options.notices)
        } else {
            None
        },
        out_of_service: out_of_service.clone(),
        stop: stop.clone(),
        engine: engine.clone(),
        started: Instant::now(),
        drawn: 0,
        pictures: 0,
        picture_span: None,
        office: options.office.clone(),
        notices: options.notices.clone(),
        fullscreen: options.fullscreen,
        fit_tries: 0,
    };
    let repaint = capture.repaint;
    // A stop signal closes the window even when nothing else wakes it.
    {
        let (stop, repaint) = (stop.clone(), repaint.clone());
        spawn("stop-watch", move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            if let Some(ctx) = repaint.get() {
                ctx.request_repaint();
            }
        })?;
    }
    let viewport = egui::ViewportBuilder::default()
        .with_title("badgegate kiosk")
        .with_inner_size(WINDOW_SIZE)
        .with_fullscreen(options.fullscreen)
        .with_decorations(!options.fullscreen);
    let native = eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Glow,
        vsync: false,
        ..Default::default()
    };
    let result = eframe::run_native(
        "badgegate kiosk",
        native,
        Box::new(move |cc| {
            cc.egui_ctx.set_fonts(fonts());
            let _ = repaint.set(cc.egui_ctx.clone());
            Ok(Box::new(app))
        }),
    );
    stop.store(true, Ordering::Relaxed);
    let stopped_at = engine
        .lock()
        .ok()
        .and_then(|mut e| e.take())
        .and_then(|h| h.join().ok())
        .flatten();
    result.map_err(WindowError::Open)?;
    let out_of_service = out_of_service.load(Ordering::Relaxed);
    Ok(Ended {
        out_of_service,
        stopped_at: stopped_at.filter(|_| !out_of_service),
    })
}

/// The embedded fonts, regular as the proportional family and bold as a
/// family of its own, egui's own fonts behind them.
pub(crate) fn fonts() -> FontDefinitions {
    let mut f = FontDefinitions::default();
    let (regular, bold) = badgegate_shape::fonts::font_bytes();
    f.font_data
        .insert("dejavu".into(), Arc::new(FontData::from_static(regular)));
    f.font_data
        .insert("dejavu-bold".into(), Arc::new(FontData::from_static(bold)));
    let fallback = f
        .families
        .get(&FontFamily::Proportional)
        .cloned()
        .unwrap_or_default();
    if let Some(p) = f.families.get_mut(&FontFamily::Proportional) {
        p.insert(0, "dejavu".into());
    }
    let mut b = vec!["dejavu-bold".to_owned()];
    b.extend(fallback);
    f.families.insert(FontFamily::Name("bold".into()), b);
    f
}
