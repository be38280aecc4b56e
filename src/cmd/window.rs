//! The guard's screen: an egui window drawing [`badgegate::screen`]'s state.
//! Three threads: capture (the frame source, paced for replays, reopened
//! when a camera is lost), engine (reading codes, deciding, journalling:
//! the same [`Gate`] the headless mode drives) and this UI thread, which
//! only draws and forwards the guard's keys, so the picture never waits for
//! a decode or a disk write.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail};
use badgegate::camera::{Payload, SourceError};
use badgegate::clock::{format_clock, local_day_start_ms};
use badgegate::journal::JournalError;
use badgegate::kiosk::{GuardError, Outcome};
use badgegate::screen::{Action, Card, Key, ScreenConfig, ScreenModel, SourceState, Tone, View};
use badgegate::text::{printable, printable_short};
use eframe::egui::{
    self, Align2, Color32, FontData, FontDefinitions, FontFamily, FontId, Pos2, Rect, Stroke,
    TextureHandle, TextureOptions, Vec2,
};
use image::GrayImage;

use super::kiosk::{out_of_service_line, Gate, KioskClock, SourceSpec};
use super::sound::{Cue, Speaker};

/// Time between attempts to reopen a lost camera.
const RECONNECT_EVERY: Duration = Duration::from_secs(2);
/// Width of the live picture handed to the screen.
const PREVIEW_WIDTH: u32 = 640;
/// How long a found code's outline stays drawn.
const OUTLINE_MS: u128 = 600;

/// Fails with one line when there is no display to open the screen on.
pub fn display_available() -> anyhow::Result<()> {
    let hint = "run the kiosk in the gate PC's desktop session, or add --headless for JSON lines";
    let Some(display) = std::env::var_os("DISPLAY").filter(|d| !d.is_empty()) else {
        bail!("no display for the guard's screen (DISPLAY is not set); {hint}");
    };
    let display = display.to_string_lossy().into_owned();
    if let Some(rest) = display.strip_prefix(':') {
        let number = rest.split('.').next().unwrap_or_default();
        let socket = format!("/tmp/.X11-unix/X{number}");
        if !number.is_empty() && !Path::new(&socket).exists() {
            bail!(
                "no X display is running at DISPLAY={}; {hint}",
                printable(&display)
            );
        }
    }
    Ok(())
}

/// A frame (or scanned line) from the capture thread.
enum Captured {
    Image {
        img: Arc<GrayImage>,
        label: String,
        now_ms: u64,
    },
    Text {
        bytes: Vec<u8>,
        label: String,
        now_ms: u64,
    },
    State(SourceState),
}

/// What the engine tells the screen.
enum EngineEvent {
    Outcome(Box<Outcome>),
    Counters(badgegate::kiosk::Counters),
    Source(SourceState),
    Seen {
        corners: Vec<[[i32; 2]; 4]>,
        size: [u32; 2],
    },
    ActionFailed(String),
    OutOfService(String),
}

/// The latest picture for the live view.
#[derive(Default)]
struct Picture {
    seq: u64,
    img: Option<Arc<GrayImage>>,
}

/// The capture thread, started before the kiosk so a source that cannot
/// open stops the start with one line.
pub struct Capture {
    frames: Receiver<Captured>,
    picture: Arc<Mutex<Picture>>,
    repaint: Arc<OnceLock<egui::Context>>,
    stop: Arc<AtomicBool>,
}

impl Capture {
    pub fn start(spec: SourceSpec, clock: KioskClock) -> anyhow::Result<Capture> {
        let live = spec.is_live();
        // A replay must not lose a frame (the same frames give the same
        // journal as --headless); a camera's stale frames are dropped.
        let (tx, frames) = mpsc::sync_channel::<Captured>(if live { 1 } else { 2 });
        let picture = Arc::new(Mutex::new(Picture::default()));
        let repaint: Arc<OnceLock<egui::Context>> = Arc::new(OnceLock::new());
        let stop = Arc::new(AtomicBool::new(false));
        let (opened_tx, opened) = mpsc::channel::<Result<(), String>>();
        let (p, r, s) = (picture.clone(), repaint.clone(), stop.clone());
        std::thread::Builder::new()
            .name("capture".into())
            .spawn(move || capture_loop(spec, clock, tx, p, r, s, opened_tx))
            .map_err(|e| anyhow!("cannot start the capture thread: {e}"))?;
        match opened.recv() {
            Ok(Ok(())) => Ok(Capture {
                frames,
                picture,
                repaint,
                stop,
            }),
            Ok(Err(why)) => Err(anyhow!(why)),
            Err(_) => bail!("the frame source stopped while opening"),
        }
    }
}

fn capture_loop(
    spec: SourceSpec,
    clock: KioskClock,
    tx: SyncSender<Captured>,
    picture: Arc<Mutex<Picture>>,
    repaint: Arc<OnceLock<egui::Context>>,
    stop: Arc<AtomicBool>,
    opened: Sender<Result<(), String>>,
) {
    let mut source = match spec.open() {
        Ok(s) => {
            let _ = opened.send(Ok(()));
            s
        }
        Err(e) => {
            let _ = opened.send(Err(format!("{e:#}")));
            return;
        }
    };
    let live = spec.is_live();
    let reconnect = spec.can_reconnect();
    let replay = source.replay_interval_ms();
    let paced_from = Instant::now();
    let mut frame_no: u64 = 0;
    let mut shown: u64 = 0;
    let poke = |r: &OnceLock<egui::Context>| {
        if let Some(ctx) = r.get() {
            ctx.request_repaint();
        }
    };
    while !stop.load(Ordering::Relaxed) {
        let frame = match source.next_frame() {
            Ok(Some(f)) => f,
            Ok(None) => {
                eprintln!("the frame source ended; the screen stays open (Ctrl+Q closes it)");
                let _ = tx.send(Captured::State(SourceState::Ended));
                poke(&repaint);
                return;
            }
            Err(SourceError::BadFrame(why)) => {
                frame_no += 1;
                eprintln!("warning: {}", printable(&why));
                continue;
            }
            Err(SourceError::Lost(why)) => {
                if !reconnect {
                    eprintln!("error: {}", printable(&why));
                    let _ = tx.send(Captured::State(SourceState::Ended));
                    return;
                }
                let mut attempt = 0;
                loop {
                    attempt += 1;
                    let state = SourceState::Reconnecting {
                        why: why.clone(),
                        attempt,
                    };
                    if tx.send(Captured::State(state)).is_err() {
                        return;
                    }
                    poke(&repaint);
                    std::thread::sleep(RECONNECT_EVERY);
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    if let Ok(s) = spec.open() {
                        source = s;
                        break;
                    }
                }
                let _ = tx.send(Captured::State(SourceState::Running));
                continue;
            }
        };
        let now_ms = match replay {
            Some(interval) => {
                // Replays run at their frame rate on the screen; their
                // decisions use the same simulated time as --headless.
                let due = paced_from + Duration::from_millis(frame_no * interval);
                if let Some(wait) = due.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
                clock.base_ms + frame_no * interval
            }
            None => clock.now_ms(),
        };
        frame_no += 1;
        let msg = match frame.payload {
            Payload::Image(img) => {
                let img = Arc::new(img);
                // The view needs no more than its panel's pixels: a smaller
                // picture costs the screen a sixth of the upload.
                let preview = if img.width() > PREVIEW_WIDTH {
                    let h = (u64::from(img.height()) * u64::from(PREVIEW_WIDTH)
                        / u64::from(img.width().max(1))) as u32;
                    Arc::new(image::imageops::thumbnail(&*img, PREVIEW_WIDTH, h.max(1)))
                } else {
                    img.clone()
                };
                if let Ok(mut p) = picture.lock() {
                    shown += 1;
                    p.seq = shown;
                    p.img = Some(preview);
                }
                poke(&repaint);
                Captured::Image {
                    img,
                    label: frame.label,
                    now_ms,
                }
            }
            Payload::Text(bytes) => Captured::Text {
                bytes,
                label: frame.label,
                now_ms,
            },
        };
        let sent = if live {
            match tx.try_send(msg) {
                Ok(()) | Err(TrySendError::Full(_)) => Ok(()),
                Err(TrySendError::Disconnected(_)) => Err(()),
            }
        } else {
            tx.send(msg).map_err(|_| ())
        };
        if sent.is_err() {
            return;
        }
    }
}

struct Engine {
    gate: Gate,
    events: Sender<EngineEvent>,
    repaint: Arc<OnceLock<egui::Context>>,
    clock: KioskClock,
    utc_offset: i32,
}

impl Engine {
    fn send(&self, e: EngineEvent) {
        let _ = self.events.send(e);
        if let Some(ctx) = self.repaint.get() {
            ctx.request_repaint();
        }
    }

    fn counters(&self, now_ms: u64) {
        match self
            .gate
            .kiosk
            .counters(local_day_start_ms(now_ms, self.utc_offset))
        {
            Ok(c) => self.send(EngineEvent::Counters(c)),
            Err(e) => eprintln!("warning: cannot count today's decisions: {e}"),
        }
    }

    /// Journals and shows one outcome; false once the journal failed.
    fn committed(&self, r: Result<Option<Outcome>, JournalError>, now_ms: u64) -> bool {
        match r {
            Ok(Some(o)) => {
                self.send(EngineEvent::Outcome(Box::new(o)));
                self.counters(now_ms);
                true
            }
            Ok(None) => true,
            Err(e) => {
                eprintln!("{}", out_of_service_line(&e));
                self.send(EngineEvent::OutOfService(format!(
                    "the journal cannot be written: {}",
                    printable_short(&e.to_string(), 160)
                )));
                false
            }
        }
    }

    /// Journals a guard's action; false once the journal failed.
    fn act(&mut self, action: Action) -> bool {
        let now_ms = self.clock.now_ms();
        let r = match self.gate.act(action, now_ms) {
            Err(GuardError::Journal(e)) => Err(e),
            Err(e) => {
                self.send(EngineEvent::ActionFailed(e.to_string()));
                return true;
            }
            Ok(o) => Ok(o),
        };
        self.committed(r, now_ms)
    }

    fn run(mut self, frames: Receiver<Captured>, actions: Receiver<Action>, stop: &AtomicBool) {
        self.counters(self.clock.now_ms());
        let mut frames = Some(frames);
        while !stop.load(Ordering::Relaxed) {
            while let Ok(action) = actions.try_recv() {
                if !self.act(action) {
                    return;
                }
            }
            let Some(rx) = &frames else {
                // The source ended: only the guard's keys remain.
                match actions.recv_timeout(Duration::from_millis(100)) {
                    Ok(action) => {
                        if !self.act(action) {
                            return;
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
                continue;
            };
            match rx.recv_timeout(Duration::from_millis(15)) {
                Ok(Captured::Image { img, label, now_ms }) => {
                    let found = self.gate.read(&img);
                    if !found.is_empty() {
                        self.send(EngineEvent::Seen {
                            corners: found.iter().map(|c| c.corners).collect(),
                            size: [img.width(), img.height()],
                        });
                    }
                    for code in found {
                        let r = self.gate.decide(&code.bytes, &label, now_ms);
                        if !self.committed(r, now_ms) {
                            return;
                        }
                    }
                }
                Ok(Captured::Text {
                    bytes,
                    label,
                    now_ms,
                }) => {
                    let r = self.gate.decide(&bytes, &label, now_ms);
                    if !self.committed(r, now_ms) {
                        return;
                    }
                }
                Ok(Captured::State(s)) => self.send(EngineEvent::Source(s)),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => frames = None,
            }
        }
        self.gate.finish();
    }
}

/// What the status bar shows that does not change while running.
struct Fixed {
    gate: String,
    zone: String,
    direction: String,
    kiosk_id: String,
    revocations: Option<(u64, u64)>,
}

/// Codes found in the last read frame: corners, frame size, when, and how
/// many pictures had been shown then.
type Seen = (Vec<[[i32; 2]; 4]>, [u32; 2], Instant, u64);

struct App {
    model: ScreenModel,
    fixed: Fixed,
    events: Receiver<EngineEvent>,
    actions: Sender<Action>,
    picture: Arc<Mutex<Picture>>,
    texture: Option<TextureHandle>,
    texture_seq: u64,
    seen: Option<Seen>,
    clock: KioskClock,
    speaker: Option<Speaker>,
    out_of_service: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    /// The engine thread: if it ends while the screen runs, nothing is
    /// decided any more and the screen must say so.
    engine: Arc<Mutex<Option<std::thread::JoinHandle<()>>>>,
    started: Instant,
    drawn: u64,
    pictures: u64,
    /// When the first and the latest camera picture were shown.
    picture_span: Option<(Instant, Instant)>,
}

/// Opens the screen and runs until the guard closes it (Ctrl+Q). Returns
/// true if the kiosk went out of service.
pub fn run(
    gate: Gate,
    capture: Capture,
    screen: ScreenConfig,
    clock: KioskClock,
    fullscreen: bool,
    sound: bool,
) -> anyhow::Result<bool> {
    let kiosk = &gate.kiosk;
    let cfg = kiosk.config();
    let fixed = Fixed {
        gate: printable_short(&cfg.gate, 40),
        zone: cfg
            .zone
            .as_deref()
            .map_or_else(|| "any zone".into(), |z| screen.zone_words(z)),
        direction: match cfg.direction {
            badgegate::journal::Direction::In => "ENTRY".into(),
            badgegate::journal::Direction::Out => "EXIT".into(),
        },
        kiosk_id: printable_short(kiosk.journal().kiosk_id(), 40),
        revocations: kiosk.revocations().map(|l| (l.sequence, l.issued_at)),
    };
    let utc_offset = screen.utc_offset;
    let (events_tx, events) = mpsc::channel();
    let (actions, actions_rx) = mpsc::channel();
    let stop = capture.stop.clone();
    let engine = Engine {
        gate,
        events: events_tx,
        repaint: capture.repaint.clone(),
        clock,
        utc_offset,
    };
    let engine_stop = stop.clone();
    let frames = capture.frames;
    let engine = std::thread::Builder::new()
        .name("engine".into())
        .spawn(move || engine.run(frames, actions_rx, &engine_stop))
        .map_err(|e| anyhow!("cannot start the engine thread: {e}"))?;
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
        seen: None,
        clock,
        speaker: if sound { Speaker::open() } else { None },
        out_of_service: out_of_service.clone(),
        stop: stop.clone(),
        engine: engine.clone(),
        started: Instant::now(),
        drawn: 0,
        pictures: 0,
        picture_span: None,
    };
    let repaint = capture.repaint;
    let viewport = egui::ViewportBuilder::default()
        .with_title("badgegate kiosk")
        .with_inner_size([1280.0, 720.0])
        .with_fullscreen(fullscreen)
        .with_decorations(!fullscreen);
    let options = eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Glow,
        vsync: false,
        ..Default::default()
    };
    let result = eframe::run_native(
        "badgegate kiosk",
        options,
        Box::new(move |cc| {
            cc.egui_ctx.set_fonts(fonts());
            let _ = repaint.set(cc.egui_ctx.clone());
            Ok(Box::new(app))
        }),
    );
    stop.store(true, Ordering::Relaxed);
    if let Some(h) = engine.lock().ok().and_then(|mut e| e.take()) {
        let _ = h.join();
    }
    result.map_err(|e| {
        anyhow!("cannot open the guard's screen: {e}; check the display, or add --headless for JSON lines")
    })?;
    Ok(out_of_service.load(Ordering::Relaxed))
}

fn fonts() -> FontDefinitions {
    let mut f = FontDefinitions::default();
    let (regular, bold) = badgegate::card::font_bytes();
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

fn bold(size: f32) -> FontId {
    FontId::new(size, FontFamily::Name("bold".into()))
}

fn regular(size: f32) -> FontId {
    FontId::proportional(size)
}

fn rgb(c: [u8; 3]) -> Color32 {
    Color32::from_rgb(c[0], c[1], c[2])
}

impl App {
    fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    fn drain_events(&mut self, now_ms: u64) {
        while let Ok(e) = self.events.try_recv() {
            match e {
                EngineEvent::Outcome(o) => {
                    let admit = o.entry.body.decision == "admit";
                    let cue = if o.awaiting_confirmation {
                        Some(Cue::Attention)
                    } else if o.entry.body.decision == "none" {
                        None
                    } else if admit && !o.entry.body.flagged {
                        Some(Cue::Admit)
                    } else if admit {
                        Some(Cue::Attention)
                    } else {
                        Some(Cue::Deny)
                    };
                    if let (Some(s), Some(cue)) = (&self.speaker, cue) {
                        s.play(cue);
                    }
                    self.model.on_outcome(*o, now_ms);
                }
                EngineEvent::Counters(c) => self.model.set_counters(c),
                EngineEvent::Source(s) => self.model.set_source(s),
                EngineEvent::Seen { corners, size } => {
                    self.seen = Some((corners, size, Instant::now(), self.pictures));
                }
                EngineEvent::ActionFailed(why) => self.model.action_failed(why, now_ms),
                EngineEvent::OutOfService(why) => {
                    self.out_of_service.store(true, Ordering::Relaxed);
                    if let Some(s) = &self.speaker {
                        s.play(Cue::Deny);
                    }
                    self.model.out_of_service(why);
                }
            }
        }
    }

    fn engine_stopped(&self) -> bool {
        self.engine
            .lock()
            .map(|e| e.as_ref().is_none_or(|h| h.is_finished()))
            .unwrap_or(true)
    }

    fn keys(&mut self, ctx: &egui::Context, now_ms: u64) {
        let events = ctx.input(|i| i.events.clone());
        for e in events {
            let key = match e {
                egui::Event::Text(t) => Some(Key::Text(t)),
                egui::Event::Key {
                    key,
                    pressed: true,
                    modifiers,
                    ..
                } => match key {
                    egui::Key::Q if modifiers.ctrl => {
                        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                        None
                    }
                    egui::Key::Enter => Some(Key::Enter),
                    egui::Key::Escape => Some(Key::Escape),
                    egui::Key::Backspace => Some(Key::Backspace),
                    egui::Key::F2 => Some(Key::OverrideAdmit),
                    egui::Key::F3 => Some(Key::OverrideDeny),
                    _ => None,
                },
                _ => None,
            };
            if let Some(action) = key.and_then(|k| self.model.key(k, now_ms)) {
                let _ = self.actions.send(action);
            }
        }
    }

    fn update_texture(&mut self, ctx: &egui::Context) {
        let latest = match self.picture.lock() {
            Ok(p) if p.seq != self.texture_seq => p.img.clone().map(|i| (p.seq, i)),
            _ => None,
        };
        let Some((seq, img)) = latest else {
            return;
        };
        self.texture_seq = seq;
        self.pictures += 1;
        let now = Instant::now();
        self.picture_span = Some((self.picture_span.map_or(now, |(first, _)| first), now));
        let size = [img.width() as usize, img.height() as usize];
        let colour = egui::ColorImage::from_gray(size, img.as_raw());
        match &mut self.texture {
            Some(t) => t.set(colour, TextureOptions::LINEAR),
            None => self.texture = Some(ctx.load_texture("camera", colour, TextureOptions::LINEAR)),
        }
    }
}

impl eframe::App for App {
    fn update(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        let now_ms = self.now_ms();
        self.drain_events(now_ms);
        if !self.model.is_out_of_service() && self.engine_stopped() {
            // Its last words (an out-of-service event) come before it ends.
            self.drain_events(now_ms);
            if !self.model.is_out_of_service() {
                self.out_of_service.store(true, Ordering::Relaxed);
                self.model
                    .out_of_service("the kiosk engine stopped unexpectedly: restart the kiosk");
            }
        }
        self.keys(ctx, now_ms);
        if let Some(action) = self.model.tick(now_ms) {
            let _ = self.actions.send(action);
        }
        self.update_texture(ctx);
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE.fill(Color32::from_rgb(16, 18, 22)))
            .show(ctx, |ui| {
                let painter = ui.painter();
                draw(self, painter, ui.max_rect(), now_ms);
            });
        self.drawn += 1;
        // Idle: sleep until the clock's next minute or the model's next
        // change (frames, decisions and keys wake the screen themselves).
        let next_minute = now_ms - now_ms % 60_000 + 60_000;
        let wake = self
            .model
            .next_deadline()
            .map_or(next_minute, |d| d.min(next_minute));
        ctx.request_repaint_after(Duration::from_millis(wake.saturating_sub(now_ms).max(20)));
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.stop.store(true, Ordering::Relaxed);
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        let live = self
            .picture_span
            .map_or(0.0, |(first, last)| (last - first).as_secs_f64());
        eprintln!(
            "screen: {} frames drawn in {:.1} s; {} camera pictures shown in {:.1} s ({:.1} a second)",
            self.drawn,
            secs,
            self.pictures,
            live,
            self.pictures.saturating_sub(1) as f64 / live.max(0.001)
        );
    }
}

fn draw(app: &App, p: &egui::Painter, area: Rect, now_ms: u64) {
    let bar_h = (area.height() * 0.12).max(64.0);
    let main = Rect::from_min_max(area.min, Pos2::new(area.max.x, area.max.y - bar_h));
    let bar = Rect::from_min_max(Pos2::new(area.min.x, main.max.y), area.max);
    draw_status(app, p, bar, now_ms);
    if let View::OutOfService { why } = app.model.view() {
        draw_out_of_service(
            p,
            main,
            why,
            "this kiosk admits no one: call the security office",
        );
        return;
    }
    let split = main.min.x + main.width() * 0.42;
    let cam = Rect::from_min_max(main.min, Pos2::new(split, main.max.y)).shrink(8.0);
    let field = Rect::from_min_max(Pos2::new(split, main.min.y), main.max).shrink(8.0);
    draw_camera(app, p, cam);
    let reconnecting = match app.model.source() {
        SourceState::Reconnecting { why, attempt } => Some(format!(
            "camera lost ({}); reconnecting, attempt {attempt}",
            printable_short(why, 80)
        )),
        _ => None,
    };
    match app.model.view() {
        View::Ready => match &reconnecting {
            Some(why) => {
                draw_out_of_service(p, field, why, "badges from a USB scanner are still decided")
            }
            None => draw_ready(app, p, field),
        },
        View::Verdict { card, .. } => draw_card(p, field, card),
        View::Confirm { card, .. } => draw_card(p, field, card),
        View::Note {
            admit,
            about,
            text,
            error,
        } => draw_note(p, field, *admit, about.as_ref(), text, error.as_deref()),
        View::OutOfService { .. } => {}
    }
    if let Some(notice) = app.model.notice(now_ms) {
        let r = Rect::from_min_size(
            Pos2::new(field.min.x, field.max.y - 44.0),
            Vec2::new(field.width(), 44.0),
        );
        p.rect_filled(r, 0.0, Color32::from_rgb(40, 40, 40));
        p.text(
            r.left_center() + Vec2::new(12.0, 0.0),
            Align2::LEFT_CENTER,
            notice,
            regular(22.0),
            Color32::YELLOW,
        );
    }
}

fn draw_camera(app: &App, p: &egui::Painter, r: Rect) {
    p.rect_filled(r, 6.0, Color32::from_rgb(8, 8, 10));
    let Some(tex) = &app.texture else {
        let what = if app.model.source() == &SourceState::Ended {
            "no picture: the frame source ended"
        } else {
            "no camera picture: badges come from the scanner"
        };
        p.text(
            r.center(),
            Align2::CENTER_CENTER,
            what,
            regular(20.0),
            Color32::GRAY,
        );
        return;
    };
    let [w, h] = tex.size();
    let scale = (r.width() / w as f32).min(r.height() / h as f32);
    let size = Vec2::new(w as f32 * scale, h as f32 * scale);
    let img = Rect::from_center_size(r.center(), size);
    p.image(
        tex.id(),
        img,
        Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)),
        Color32::WHITE,
    );
    if let Some((corners, [fw, fh], at, pictures)) = &app.seen {
        // Drawn for a moment, or for as long as no newer picture replaced
        // the one the codes were found in.
        let current = app.pictures <= pictures + 1;
        if (current || at.elapsed().as_millis() < OUTLINE_MS) && *fw > 0 && *fh > 0 {
            let sx = size.x / *fw as f32;
            let sy = size.y / *fh as f32;
            for quad in corners {
                let pts: Vec<Pos2> = quad
                    .iter()
                    .map(|[x, y]| Pos2::new(img.min.x + *x as f32 * sx, img.min.y + *y as f32 * sy))
                    .collect();
                p.add(egui::Shape::closed_line(
                    pts,
                    Stroke::new(4.0, Color32::from_rgb(0, 230, 120)),
                ));
            }
        }
    }
}

/// Draws `text` in `font`, shrunk until it fits `max_w`; returns its height.
fn fit_text(
    p: &egui::Painter,
    pos: Pos2,
    text: &str,
    font: FontId,
    colour: Color32,
    max_w: f32,
) -> f32 {
    let mut font = font;
    loop {
        let g = p.layout_no_wrap(text.to_owned(), font.clone(), colour);
        if g.size().x <= max_w || font.size <= 12.0 {
            let h = g.size().y;
            p.galley(pos, g, colour);
            return h;
        }
        font.size *= 0.9;
    }
}

fn wrapped(
    p: &egui::Painter,
    pos: Pos2,
    text: &str,
    font: FontId,
    colour: Color32,
    max_w: f32,
) -> f32 {
    let g = p.layout(text.to_owned(), font, colour, max_w);
    let h = g.size().y;
    p.galley(pos, g, colour);
    h
}

fn draw_card(p: &egui::Painter, r: Rect, card: &Card) {
    let tone = card.tone;
    p.rect_filled(r, 10.0, rgb(tone.rgb()));
    let ink = rgb(tone.ink());
    let h = r.height();
    let pad = r.width() * 0.05;
    let w = r.width() - 2.0 * pad;
    let mut y = r.min.y + h * 0.04;
    let x = r.min.x + pad;
    y += fit_text(p, Pos2::new(x, y), &card.headline, bold(h * 0.19), ink, w);
    y += wrapped(p, Pos2::new(x, y), &card.reason, bold(h * 0.06), ink, w) + h * 0.03;
    if !card.name.is_empty() {
        y += fit_text(p, Pos2::new(x, y), &card.name, bold(h * 0.085), ink, w);
        if !card.org.is_empty() {
            y += fit_text(p, Pos2::new(x, y), &card.org, regular(h * 0.055), ink, w);
        }
        y += h * 0.02;
        let band = Rect::from_min_size(Pos2::new(r.min.x, y), Vec2::new(r.width(), h * 0.1));
        p.rect_filled(band, 0.0, rgb(card.category_colour));
        p.rect_stroke(
            band,
            0.0,
            Stroke::new(2.0, Color32::WHITE),
            egui::StrokeKind::Inside,
        );
        fit_text(
            p,
            Pos2::new(x, y + h * 0.012),
            &card.category,
            bold(h * 0.07),
            Color32::WHITE,
            w,
        );
        y += band.height() + h * 0.02;
        let serial = if card.verified {
            format!("badge {}", card.serial)
        } else {
            format!(
                "badge {} — NOT VERIFIED: do not trust the name",
                card.serial
            )
        };
        fit_text(p, Pos2::new(x, y), &serial, regular(h * 0.045), ink, w);
    }
    let small = regular((h * 0.035).max(14.0));
    let seq = p.layout_no_wrap(format!("#{}", card.seq), small.clone(), ink);
    let seq_w = seq.size().x;
    let hint_y = r.max.y - h * 0.04 - seq.size().y;
    p.galley(Pos2::new(r.max.x - pad - seq_w, hint_y), seq, ink);
    fit_text(
        p,
        Pos2::new(x, hint_y),
        &card.hint,
        small,
        ink,
        w - seq_w - 16.0,
    );
}

fn draw_ready(app: &App, p: &egui::Painter, r: Rect) {
    p.rect_filled(r, 10.0, Color32::from_rgb(38, 44, 52));
    let h = r.height();
    let x = r.min.x + r.width() * 0.05;
    let w = r.width() * 0.9;
    let mut y = r.min.y + h * 0.06;
    y += fit_text(
        p,
        Pos2::new(x, y),
        "READY",
        bold(h * 0.16),
        Color32::WHITE,
        w,
    );
    let line = match app.model.source() {
        SourceState::Ended => "no more frames from this source; Ctrl+Q closes the screen",
        _ => "show the badge's code to the camera",
    };
    wrapped(
        p,
        Pos2::new(x, y),
        line,
        regular(h * 0.055),
        Color32::from_gray(200),
        w,
    );
    p.text(
        Pos2::new(x, r.max.y - h * 0.04),
        Align2::LEFT_BOTTOM,
        "F2: admit by hand · F3: deny by hand · Ctrl+Q: close",
        regular((h * 0.035).max(14.0)),
        Color32::from_gray(170),
    );
}

fn draw_note(
    p: &egui::Painter,
    r: Rect,
    admit: bool,
    about: Option<&Outcome>,
    text: &str,
    error: Option<&str>,
) {
    p.rect_filled(r, 10.0, rgb(Tone::Ask.rgb()));
    let h = r.height();
    let x = r.min.x + r.width() * 0.05;
    let w = r.width() * 0.9;
    let mut y = r.min.y + h * 0.05;
    let title = if admit {
        "ADMIT BY HAND"
    } else {
        "DENY BY HAND"
    };
    y += fit_text(p, Pos2::new(x, y), title, bold(h * 0.12), Color32::WHITE, w);
    let who = match about.and_then(|o| o.decision.badge.as_ref()) {
        Some(b) => format!(
            "badge {} · {}",
            printable_short(&b.serial, 30),
            printable_short(&b.name, 50)
        ),
        None => "no badge read: write the holder's name in the note".into(),
    };
    y += wrapped(
        p,
        Pos2::new(x, y),
        &who,
        regular(h * 0.05),
        Color32::WHITE,
        w,
    ) + h * 0.04;
    y += wrapped(
        p,
        Pos2::new(x, y),
        "why? (saved in the journal)",
        regular(h * 0.045),
        Color32::from_gray(220),
        w,
    );
    let boxr = Rect::from_min_size(Pos2::new(x, y + 8.0), Vec2::new(w, h * 0.2));
    p.rect_filled(boxr, 6.0, Color32::WHITE);
    wrapped(
        p,
        boxr.min + Vec2::new(10.0, 8.0),
        &format!("{text}▏"),
        regular(h * 0.05),
        Color32::BLACK,
        w - 20.0,
    );
    if let Some(e) = error {
        wrapped(
            p,
            Pos2::new(x, boxr.max.y + 10.0),
            e,
            bold(h * 0.045),
            Color32::YELLOW,
            w,
        );
    }
    p.text(
        Pos2::new(x, r.max.y - h * 0.04),
        Align2::LEFT_BOTTOM,
        "Enter: save to the journal · Esc: cancel",
        regular((h * 0.035).max(14.0)),
        Color32::WHITE,
    );
}

fn draw_out_of_service(p: &egui::Painter, r: Rect, why: &str, then: &str) {
    p.rect_filled(r, 10.0, rgb(Tone::OutOfService.rgb()));
    // Diagonal stripes: this is not a verdict.
    let stripe = Color32::from_rgb(120, 10, 10);
    let step = 60.0;
    let mut x = r.min.x - r.height();
    while x < r.max.x {
        let a = Pos2::new(x.max(r.min.x), r.max.y - (x.max(r.min.x) - x));
        let b_x = (x + r.height()).min(r.max.x);
        let b = Pos2::new(b_x, r.max.y - (b_x - x));
        p.line_segment([a, b], Stroke::new(14.0, stripe));
        x += step;
    }
    let h = r.height();
    let pad = r.width() * 0.05;
    let w = r.width() - 2.0 * pad;
    let mut y = r.min.y + h * 0.08;
    y += fit_text(
        p,
        Pos2::new(r.min.x + pad, y),
        "OUT OF SERVICE",
        bold(h * 0.16),
        Color32::WHITE,
        w,
    );
    y += wrapped(
        p,
        Pos2::new(r.min.x + pad, y),
        why,
        bold(h * 0.055),
        Color32::WHITE,
        w,
    ) + h * 0.03;
    wrapped(
        p,
        Pos2::new(r.min.x + pad, y),
        then,
        regular(h * 0.05),
        Color32::from_gray(230),
        w,
    );
}

fn draw_status(app: &App, p: &egui::Painter, r: Rect, now_ms: u64) {
    p.rect_filled(r, 0.0, Color32::from_rgb(28, 30, 36));
    let f = &app.fixed;
    let c = app.model.counters();
    let row = r.height() / 2.0;
    let size = (row * 0.62).clamp(12.0, 28.0);
    let pad = 14.0;
    // The clock, large, on the right across both rows.
    let clock = format_clock(now_ms, app.model.config().utc_offset);
    let clock_g = p.layout_no_wrap(
        clock,
        bold((r.height() * 0.55).clamp(16.0, 56.0)),
        Color32::WHITE,
    );
    let clock_w = clock_g.size().x;
    p.galley(
        Pos2::new(
            r.max.x - pad - clock_w,
            r.center().y - clock_g.size().y / 2.0,
        ),
        clock_g,
        Color32::WHITE,
    );
    let w = r.width() - clock_w - 3.0 * pad;
    let top = format!(
        "{} · {} · {} · kiosk {}",
        f.gate, f.zone, f.direction, f.kiosk_id
    );
    fit_text(
        p,
        Pos2::new(r.min.x + pad, r.min.y + row * 0.18),
        &top,
        bold(size),
        Color32::WHITE,
        w * 0.55,
    );
    let counts = format!(
        "today: admitted {} · denied {} · inside {}",
        c.admitted, c.denied, c.inside
    );
    fit_text(
        p,
        Pos2::new(r.min.x + pad, r.min.y + row * 1.1),
        &counts,
        regular(size),
        Color32::WHITE,
        w * 0.55,
    );
    let (revs, stale) = app.model.revocation_status(f.revocations, now_ms / 1000);
    let ink = if stale {
        Color32::BLACK
    } else {
        Color32::from_gray(210)
    };
    let mut font = regular(size);
    let mut g = p.layout_no_wrap(revs.clone(), font.clone(), ink);
    while g.size().x > w * 0.42 && font.size > 10.0 {
        font.size *= 0.9;
        g = p.layout_no_wrap(revs.clone(), font.clone(), ink);
    }
    let pos = Pos2::new(
        r.max.x - 2.0 * pad - clock_w - g.size().x,
        r.center().y - g.size().y / 2.0,
    );
    if stale {
        p.rect_filled(
            Rect::from_min_size(pos - Vec2::new(8.0, 6.0), g.size() + Vec2::new(16.0, 12.0)),
            4.0,
            rgb(Tone::Warn.rgb()),
        );
    }
    p.galley(pos, g, ink);
}
