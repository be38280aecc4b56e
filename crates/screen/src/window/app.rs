//! The egui app on the UI thread: takes the engine's events into the
//! screen model, forwards the guard's keys, keeps the live picture's
//! texture, and sleeps until something changes. Drawing is in `draw`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::screen::{tone_for, Cue, Key, ScreenModel, View};
use badgegate_gate::gate::engine::GuardAction;
use badgegate_gate::gate::runtime::KioskClock;
use eframe::egui::{self, TextureHandle, TextureOptions};

use super::capture::Picture;
use super::draw::draw;
use super::engine::{EngineEvent, Outline};
use super::sound::Speaker;
use super::theme;

/// What the status bar shows that does not change while running.
pub struct Fixed {
    pub gate: String,
    pub zone: String,
    pub direction: String,
    pub kiosk_id: String,
    /// False: the journal is not signed, and the status bar says so.
    pub signed: bool,
}

/// Codes found in the last read frame.
pub struct Seen {
    pub codes: Vec<Outline>,
    /// The frame's size, to scale the corners to the picture.
    pub size: [u32; 2],
    pub at: Instant,
    /// How many pictures had been shown when they were found.
    pub pictures: u64,
}

pub struct App {
    pub model: ScreenModel,
    pub fixed: Fixed,
    pub events: Receiver<EngineEvent>,
    pub actions: Sender<GuardAction>,
    pub picture: Arc<Mutex<Picture>>,
    pub texture: Option<TextureHandle>,
    pub texture_seq: u64,
    /// Holders' photos on screen, by the record number of their verdict.
    pub photos: HashMap<u64, TextureHandle>,
    pub seen: Option<Seen>,
    pub clock: KioskClock,
    pub speaker: Option<Speaker>,
    pub out_of_service: Arc<AtomicBool>,
    pub stop: Arc<AtomicBool>,
    /// The engine thread: if it ends while the screen runs, nothing is
    /// decided any more and the screen must say so.
    pub engine: Arc<Mutex<Option<std::thread::JoinHandle<Option<u64>>>>>,
    pub started: Instant,
    pub drawn: u64,
    pub pictures: u64,
    /// When the first and the latest camera picture were shown.
    pub picture_span: Option<(Instant, Instant)>,
    /// The venue office link (`None`: the kiosk works alone).
    pub office: Option<badgegate_gate::net::link::SharedState>,
    /// Full screen: the window is made the monitor's size itself, for an X
    /// server with no window manager to honour a full-screen request.
    pub fullscreen: bool,
    /// How many times it asked to be resized to the monitor.
    pub fit_tries: u32,
    /// Where the lines for the gate's log go.
    pub notices: badgegate_core::notice::Notices,
}

impl App {
    fn play(&self, cue: Cue) {
        if let Some(s) = &self.speaker {
            s.play(cue);
        }
    }

    fn drain_events(&mut self, now_ms: u64) {
        while let Ok(e) = self.events.try_recv() {
            match e {
                EngineEvent::Outcome(o) => {
                    self.play(Cue::for_tone(tone_for(&o)));
                    self.model.on_outcome(*o, now_ms);
                }
                EngineEvent::Counters(c) => self.model.set_counters(c),
                EngineEvent::Lists { state, refused } => {
                    self.model.set_lists(state);
                    if let Some(refused) = refused {
                        self.model.list_changed(refused, now_ms);
                    }
                }
                EngineEvent::Source(s) => self.model.set_source(s),
                EngineEvent::Policy(p) => self.model.set_policy(*p),
                EngineEvent::Shift { guard, refused } => {
                    if refused.is_some() {
                        self.play(Cue::Deny);
                    }
                    self.model.on_shift(guard, refused.as_ref(), now_ms);
                }
                EngineEvent::Seen { codes, size } => {
                    self.seen = Some(Seen {
                        codes,
                        size,
                        at: Instant::now(),
                        pictures: self.pictures,
                    });
                }
                EngineEvent::ActionFailed(e) => self.model.action_failed(&e, now_ms),
                EngineEvent::Notice(notice) => self.model.tell_notice(&notice, now_ms),
                EngineEvent::CheckSettled(seq) => self.model.check_settled(seq, now_ms),
                EngineEvent::HookFailed(holder, seq) => {
                    self.play(Cue::Deny);
                    self.model.hook_failed(holder.as_deref(), seq, now_ms);
                }
                EngineEvent::OutOfService(why) => {
                    self.out_of_service.store(true, Ordering::Relaxed);
                    self.play(Cue::Deny);
                    self.model.journal_failed(&why);
                }
            }
        }
    }

    /// Makes the window cover the whole monitor: with a window manager the
    /// full-screen request does it; without one (a gate PC's bare X
    /// server) the window places and sizes itself. A few tries at most.
    fn fit_to_monitor(&mut self, ctx: &egui::Context) {
        if !self.fullscreen || self.fit_tries >= 20 {
            return;
        }
        let (monitor, inner) = ctx.input(|i| (i.viewport().monitor_size, i.viewport().inner_rect));
        let (Some(monitor), Some(inner)) = (monitor, inner) else {
            ctx.request_repaint_after(Duration::from_millis(50));
            return;
        };
        let fits = (inner.size() - monitor).length() < 1.0 && inner.min.to_vec2().length() < 1.0;
        if fits {
            self.fit_tries = u32::MAX;
            return;
        }
        self.fit_tries += 1;
        ctx.send_viewport_cmd(egui::ViewportCommand::OuterPosition(egui::Pos2::ZERO));
        ctx.send_viewport_cmd(egui::ViewportCommand::InnerSize(monitor));
        ctx.request_repaint_after(Duration::from_millis(100));
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
                    egui::Key::F4 => Some(Key::Shift),
                    _ => None,
                },
                _ => None,
            };
            if let Some(action) = key.and_then(|k| self.model.key(k, now_ms)) {
                let _ = self.actions.send(action);
            }
        }
    }

    /// Keeps a texture for each matching photo of a verdict on screen (and
    /// of the ID check asked), and drops the others.
    fn update_photos(&mut self, ctx: &egui::Context) {
        let mut wanted: Vec<&badgegate_gate::gate::engine::Outcome> =
            self.model.verdicts().iter().map(|s| &s.outcome).collect();
        if let View::Confirm { outcome, .. } = self.model.view() {
            wanted.push(outcome);
        }
        let keep: Vec<u64> = wanted
            .iter()
            .filter(|o| o.photo.jpeg().is_some())
            .map(|o| o.entry.seq)
            .collect();
        self.photos.retain(|seq, _| keep.contains(seq));
        for o in wanted {
            let Some(jpeg) = o.photo.jpeg() else {
                continue;
            };
            if self.photos.contains_key(&o.entry.seq) {
                continue;
            }
            // The digest matched, so these are the desk's own bytes; a
            // photo that still does not decode is simply not shown.
            let Ok(img) = image::load_from_memory(jpeg) else {
                continue;
            };
            let rgb = img.into_rgb8();
            let size = [rgb.width() as usize, rgb.height() as usize];
            let colour = egui::ColorImage::from_rgb(size, rgb.as_raw());
            let t = ctx.load_texture(
                format!("photo-{}", o.entry.seq),
                colour,
                TextureOptions::LINEAR,
            );
            self.photos.insert(o.entry.seq, t);
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
        let now_ms = self.clock.now_ms();
        self.fit_to_monitor(ctx);
        self.drain_events(now_ms);
        if self.stop.load(Ordering::Relaxed) {
            // A stop signal: the engine ends on its own; close the window.
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        } else if !self.model.is_out_of_service() && self.engine_stopped() {
            // Its last words (an out-of-service event) come before it ends.
            self.drain_events(now_ms);
            if !self.model.is_out_of_service() {
                self.out_of_service.store(true, Ordering::Relaxed);
                self.model.engine_stopped();
            }
        }
        self.keys(ctx, now_ms);
        if let Some(action) = self.model.tick(now_ms) {
            let _ = self.actions.send(action);
        }
        self.update_texture(ctx);
        self.update_photos(ctx);
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE.fill(theme::BACKGROUND))
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
        self.notices.say(format!(
            "screen: {} frames drawn in {:.1} s; {} camera pictures shown in {:.1} s ({:.1} a second)",
            self.drawn,
            secs,
            self.pictures,
            live,
            self.pictures.saturating_sub(1) as f64 / live.max(0.001)
        ));
    }
}
