//! `badgegate kiosk`: a gate. Frames in, decisions journalled, then shown.
// Without the screen, what only the screen drives (guard actions, the
// kiosk clock, camera reconnection) is compiled but unused.
#![cfg_attr(not(feature = "screen"), allow(dead_code, unused_variables))]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use badgegate::camera::{FrameSource, ImageReplay, Payload, SourceError, TextLines};
use badgegate::clock::{self, format_human, format_span};
use badgegate::decide::AntiPassback;
use badgegate::hook;
use badgegate::journal::{Direction, Journal, JournalError};
use badgegate::kiosk::{GuardError, Kiosk, KioskConfig, Outcome};
use badgegate::qr;
use badgegate::screen::Action;
use badgegate::text::printable;

use crate::cli::KioskArgs;

/// Exit code when the journal cannot be written: out of service.
pub const EXIT_OUT_OF_SERVICE: u8 = 3;
/// Exit code when the frame source is lost (camera unplugged, stdin broken).
const EXIT_SOURCE_LOST: u8 = 4;

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "kiosk".into())
}

/// How to open the frame source; opened where it is read (the window mode
/// reads it on its own thread).
#[derive(Clone, Debug)]
pub enum SourceSpec {
    Stdin,
    Images {
        paths: Vec<PathBuf>,
        interval_ms: u64,
        /// Replayed like a camera: frames the reader is too busy for are
        /// skipped (the screen only).
        live: bool,
    },
    Camera {
        index: u32,
        resolution: String,
        fps: u32,
        exposure: Option<i64>,
    },
}

impl SourceSpec {
    fn from_args(a: &KioskArgs) -> anyhow::Result<SourceSpec> {
        if a.stdin {
            return Ok(SourceSpec::Stdin);
        }
        if !a.images.is_empty() {
            return Ok(SourceSpec::Images {
                paths: a.images.clone(),
                interval_ms: a.frame_interval,
                live: a.replay_live,
            });
        }
        match a.camera {
            Some(index) => Ok(SourceSpec::Camera {
                index,
                resolution: a.resolution.clone(),
                fps: a.fps,
                exposure: a.exposure,
            }),
            None => bail!("give a frame source: --camera N, --images PATH... or --stdin"),
        }
    }

    pub fn open(&self) -> anyhow::Result<Box<dyn FrameSource>> {
        match self {
            SourceSpec::Stdin => Ok(Box::new(TextLines::new(std::io::stdin().lock(), "stdin"))),
            SourceSpec::Images {
                paths, interval_ms, ..
            } => {
                let replay = ImageReplay::new(paths, *interval_ms).map_err(|e| anyhow!("{e}"))?;
                Ok(Box::new(replay))
            }
            SourceSpec::Camera {
                index,
                resolution,
                fps,
                exposure,
            } => open_camera(*index, resolution, *fps, *exposure),
        }
    }

    /// A camera can come back after it is lost; a replay or stdin cannot.
    pub fn can_reconnect(&self) -> bool {
        matches!(self, SourceSpec::Camera { .. })
    }

    /// A live source drops the frames the reader cannot keep up with; any
    /// other is read frame by frame, so a replay journals what --headless
    /// journals.
    pub fn is_live(&self) -> bool {
        matches!(
            self,
            SourceSpec::Camera { .. } | SourceSpec::Images { live: true, .. }
        )
    }
}

/// The kiosk engine with its reader and admit hook: what the headless loop
/// and the screen both drive, so both decide and journal alike.
pub struct Gate {
    pub kiosk: Kiosk,
    reader: qr::TrackingReader,
    on_admit: Option<String>,
    hook_timeout: u64,
    hooks: Vec<std::thread::JoinHandle<hook::HookEnd>>,
}

impl Gate {
    pub fn new(kiosk: Kiosk, on_admit: Option<String>, hook_timeout: u64) -> Gate {
        Gate {
            kiosk,
            reader: qr::TrackingReader::new(),
            on_admit,
            hook_timeout,
            hooks: Vec::new(),
        }
    }

    /// Every code in a camera frame, with its position.
    pub fn read(&mut self, img: &image::GrayImage) -> Vec<qr::FoundCode> {
        self.reader.read(img)
    }

    /// Decides one code and journals it; runs the admit hook after the commit.
    pub fn decide(
        &mut self,
        code: &[u8],
        input: &str,
        now_ms: u64,
    ) -> Result<Option<Outcome>, JournalError> {
        let outcome = self.kiosk.scan(code, input, now_ms)?;
        if let Some(o) = &outcome {
            self.after_commit(o);
        }
        Ok(outcome)
    }

    /// Journals a guard's action from the screen.
    pub fn act(&mut self, action: Action, now_ms: u64) -> Result<Option<Outcome>, GuardError> {
        let outcome = match action {
            Action::Confirm { pending, answer } => {
                Some(self.kiosk.confirm(&pending, answer, None, now_ms)?)
            }
            Action::Override { admit, about, note } => {
                Some(
                    self.kiosk
                        .override_decision(admit, about.as_ref(), &note, now_ms)?,
                )
            }
            Action::Scan { text } => {
                let input = format!("keyboard:{now_ms}");
                self.kiosk.scan(text.trim().as_bytes(), &input, now_ms)?
            }
        };
        if let Some(o) = &outcome {
            self.after_commit(o);
        }
        Ok(outcome)
    }

    fn after_commit(&mut self, o: &Outcome) {
        if o.entry.body.decision != "admit" {
            return;
        }
        if let Some(cmd) = &self.on_admit {
            self.hooks.retain(|h| !h.is_finished());
            self.hooks.push(hook::spawn(
                cmd,
                hook_env(&self.kiosk, o),
                Duration::from_secs(self.hook_timeout),
            ));
        }
    }

    /// Waits for running hooks; says which were killed.
    pub fn finish(self) {
        for h in self.hooks {
            if let Ok(hook::HookEnd::Killed) = h.join() {
                eprintln!(
                    "warning: an --on-admit command was killed after {} s",
                    self.hook_timeout
                );
            }
        }
    }
}

pub fn run(a: KioskArgs) -> anyhow::Result<ExitCode> {
    if a.list_cameras {
        return list_cameras();
    }
    let (Some(trust_dir), Some(journal_path), Some(gate)) = (&a.trust, &a.journal, &a.gate) else {
        bail!("--trust, --journal and --gate are required");
    };
    let direction = Direction::parse(&a.direction)
        .ok_or_else(|| anyhow!("--direction must be `in` or `out`"))?;
    let anti_passback = AntiPassback::parse(&a.anti_passback)
        .ok_or_else(|| anyhow!("--anti-passback must be off, soft or hard"))?;
    if gate.trim().is_empty() {
        bail!("--gate needs a name, e.g. --gate north-entrance");
    }
    let confirm: Vec<String> = a
        .confirm
        .iter()
        .map(|c| c.trim().to_lowercase())
        .filter(|c| !c.is_empty())
        .collect();
    if a.headless && !confirm.is_empty() {
        bail!("--confirm needs the guard's screen: a headless kiosk has nobody to check IDs; drop --headless or --confirm");
    }
    let utc_offset = clock::parse_offset(&a.utc_offset)
        .ok_or_else(|| anyhow!("--utc-offset must look like +01:00 or -05:00"))?;
    let zone_names = zone_names(&a.zone_name)?;
    if !a.headless {
        screen_available()?;
    }
    let spec = SourceSpec::from_args(&a)?;
    let base_ms = match &a.at {
        Some(t) => clock::parse_rfc3339(t).map_err(|e| anyhow!("--at: {e}"))? * 1000,
        None => clock::now_ms(),
    };
    let kiosk_clock = KioskClock {
        base_ms,
        simulated: a.at.is_some() || matches!(spec, SourceSpec::Images { .. }),
        started: Instant::now(),
    };
    // The screen reads its source on a thread of its own, where it is opened.
    let source = if a.headless {
        Source::Here(spec.open()?)
    } else {
        open_for_screen(spec, kiosk_clock)?
    };

    let (trust, revocations) = super::load_trust(trust_dir, a.revocations.as_deref())?;
    let default_id = format!("{}-{}", host_name(), gate.trim());
    let journal = Journal::open(journal_path, a.kiosk_id.as_deref(), &default_id)?;
    let cfg = KioskConfig {
        gate: gate.trim().to_owned(),
        zone: a.zone.as_ref().map(|z| z.trim().to_lowercase()),
        direction,
        anti_passback,
        skew_secs: a.skew,
        cooldown_ms: a.cooldown,
        confirm_categories: confirm,
    };
    let kiosk = Kiosk::start(cfg, trust, revocations, journal, base_ms)
        .context("the kiosk cannot start and admits no one")?;
    announce(&kiosk, base_ms);
    let gate = Gate::new(kiosk, a.on_admit.clone(), a.hook_timeout);
    match source {
        Source::Here(source) => run_headless(gate, source, base_ms, a.at.is_some()),
        #[cfg(feature = "screen")]
        Source::Screen(capture) => {
            run_screen(gate, capture, &a, kiosk_clock, utc_offset, zone_names)
        }
    }
}

/// Where frames come from: read in this loop, or by the screen's thread.
enum Source {
    Here(Box<dyn FrameSource>),
    #[cfg(feature = "screen")]
    Screen(super::window::Capture),
}

#[cfg(feature = "screen")]
fn open_for_screen(spec: SourceSpec, clock: KioskClock) -> anyhow::Result<Source> {
    Ok(Source::Screen(super::window::Capture::start(spec, clock)?))
}

#[cfg(not(feature = "screen"))]
fn open_for_screen(_spec: SourceSpec, _clock: KioskClock) -> anyhow::Result<Source> {
    screen_available()?;
    bail!("this badgegate was built without the guard's screen; add --headless")
}

#[cfg(feature = "screen")]
fn screen_available() -> anyhow::Result<()> {
    super::window::display_available()
}

#[cfg(not(feature = "screen"))]
fn screen_available() -> anyhow::Result<()> {
    bail!("this badgegate was built without the guard's screen (feature `screen`); add --headless, or rebuild with `cargo build --release`")
}

#[cfg(feature = "screen")]
fn run_screen(
    gate: Gate,
    capture: super::window::Capture,
    a: &KioskArgs,
    clock: KioskClock,
    utc_offset: i32,
    zone_names: BTreeMap<String, String>,
) -> anyhow::Result<ExitCode> {
    let screen = badgegate::screen::ScreenConfig {
        zone_names,
        hold_ms: a.hold,
        confirm_timeout_ms: a.confirm_timeout.saturating_mul(1000),
        revocation_max_age_secs: a.revocations_max_age.saturating_mul(3600),
        utc_offset,
    };
    let out_of_service = super::window::run(gate, capture, screen, clock, !a.windowed, !a.silent)?;
    Ok(if out_of_service {
        ExitCode::from(EXIT_OUT_OF_SERVICE)
    } else {
        ExitCode::SUCCESS
    })
}

/// `--zone-name CODE=WORDS` flags as a table.
fn zone_names(flags: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    flags
        .iter()
        .map(|f| match f.split_once('=') {
            Some((code, words)) if !code.trim().is_empty() && !words.trim().is_empty() => {
                Ok((code.trim().to_lowercase(), words.trim().to_owned()))
            }
            _ => bail!("--zone-name must look like press=\"the press centre\", not {f:?}"),
        })
        .collect()
}

/// The kiosk's notion of now: the wall clock, or (with --at, or replaying
/// images) simulated time running on from the start.
#[derive(Clone, Copy, Debug)]
pub struct KioskClock {
    pub base_ms: u64,
    pub simulated: bool,
    pub started: Instant,
}

impl KioskClock {
    pub fn now_ms(&self) -> u64 {
        if self.simulated {
            self.base_ms + self.started.elapsed().as_millis() as u64
        } else {
            clock::now_ms()
        }
    }
}

fn run_headless(
    mut gate: Gate,
    mut source: Box<dyn FrameSource>,
    base_ms: u64,
    fixed_clock: bool,
) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let replay = source.replay_interval_ms();
    let mut frame_no: u64 = 0;
    let stdout = std::io::stdout();
    loop {
        let frame = match source.next_frame() {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(SourceError::BadFrame(why)) => {
                frame_no += 1;
                eprintln!("warning: {}", printable(&why));
                continue;
            }
            Err(SourceError::Lost(why)) => {
                eprintln!("error: {}; the kiosk stopped", printable(&why));
                return Ok(ExitCode::from(EXIT_SOURCE_LOST));
            }
        };
        let now_ms = match replay {
            Some(interval) => base_ms + frame_no * interval,
            None if fixed_clock => base_ms + started.elapsed().as_millis() as u64,
            None => clock::now_ms(),
        };
        frame_no += 1;
        let codes: Vec<Vec<u8>> = match frame.payload {
            Payload::Image(img) => gate.read(&img).into_iter().map(|c| c.bytes).collect(),
            Payload::Text(t) => vec![t],
        };
        for code in codes {
            match gate.decide(&code, &frame.label, now_ms) {
                Ok(Some(outcome)) => {
                    let mut out = stdout.lock();
                    let line = gate.kiosk.outcome_json(&outcome).to_string();
                    // A closed stdout (the controller went away) must not
                    // stop the journal; the decision is already committed.
                    let _ = writeln!(out, "{line}");
                    let _ = out.flush();
                }
                Ok(None) => {}
                Err(e) => {
                    eprintln!("{}", out_of_service_line(&e));
                    return Ok(ExitCode::from(EXIT_OUT_OF_SERVICE));
                }
            }
        }
    }
    gate.finish();
    Ok(ExitCode::SUCCESS)
}

/// The one line printed when the journal fails.
pub fn out_of_service_line(e: &dyn std::fmt::Display) -> String {
    format!(
        "error: {}; OUT OF SERVICE: this kiosk admits no one until the journal can be written",
        printable(&e.to_string())
    )
}

#[cfg(feature = "camera")]
fn open_camera(
    index: u32,
    resolution: &str,
    fps: u32,
    exposure: Option<i64>,
) -> anyhow::Result<Box<dyn FrameSource>> {
    let (width, height) = parse_resolution(resolution)?;
    let settings = badgegate::camera::CameraSettings {
        index,
        width,
        height,
        fps,
        exposure,
    };
    let cam = badgegate::camera::Webcam::open(&settings).map_err(|e| {
        anyhow!("{e}; check `badgegate kiosk --list-cameras`, or read badges with --stdin (USB scanner) or --images PATH")
    })?;
    eprintln!("{}", cam.describe());
    Ok(Box::new(cam))
}

#[cfg(not(feature = "camera"))]
fn open_camera(
    _index: u32,
    _resolution: &str,
    _fps: u32,
    _exposure: Option<i64>,
) -> anyhow::Result<Box<dyn FrameSource>> {
    bail!(
        "this badgegate was built without camera support; rebuild with `cargo build --release --features camera` \
         (needs libclang-dev), or read badges with --stdin (USB scanner) or --images PATH"
    )
}

#[cfg(feature = "camera")]
fn parse_resolution(s: &str) -> anyhow::Result<(u32, u32)> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| anyhow!("--resolution must look like 1280x720"))?;
    Ok((w.trim().parse()?, h.trim().parse()?))
}

#[cfg(feature = "camera")]
fn list_cameras() -> anyhow::Result<ExitCode> {
    let cams =
        badgegate::camera::list_cameras().map_err(|e| anyhow!("cannot list cameras: {e}"))?;
    if cams.is_empty() {
        eprintln!("no camera found; read badges with --stdin (USB scanner) or --images PATH");
        return Ok(ExitCode::from(1));
    }
    for (index, name) in cams {
        println!("{index}\t{}", printable(&name));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "camera"))]
fn list_cameras() -> anyhow::Result<ExitCode> {
    bail!(
        "this badgegate was built without camera support; rebuild with `cargo build --release --features camera` \
         (needs libclang-dev)"
    )
}

fn announce(kiosk: &Kiosk, now_ms: u64) {
    let c = kiosk.config();
    eprintln!(
        "kiosk {} ready: gate {}, zone {}, direction {}, anti-passback {}, journal {}",
        kiosk.journal().kiosk_id(),
        c.gate,
        c.zone.as_deref().unwrap_or("(any)"),
        c.direction,
        c.anti_passback.as_str(),
        kiosk.journal().path().display()
    );
    match kiosk.revocations() {
        Some(l) => eprintln!(
            "revocation list sequence {}, {} serial(s), issued {} ({} old)",
            l.sequence,
            l.entries.len(),
            format_human(l.issued_at),
            format_span((now_ms / 1000).saturating_sub(l.issued_at))
        ),
        None => eprintln!("warning: no revocation list: revoked badges are not refused"),
    }
}

fn hook_env(kiosk: &Kiosk, o: &Outcome) -> Vec<(String, String)> {
    let d = &o.decision;
    let b = d.badge.as_ref();
    let field = |f: fn(&badgegate::badge::Badge) -> String| b.map(f).unwrap_or_default();
    vec![
        ("BADGEGATE_DECISION".into(), d.verdict.as_str().into()),
        ("BADGEGATE_REASON".into(), d.reason.code().into()),
        ("BADGEGATE_SERIAL".into(), field(|b| b.serial.clone())),
        ("BADGEGATE_NAME".into(), field(|b| b.name.clone())),
        ("BADGEGATE_ORG".into(), field(|b| b.org.clone())),
        ("BADGEGATE_CATEGORY".into(), field(|b| b.category.clone())),
        ("BADGEGATE_GATE".into(), kiosk.config().gate.clone()),
        (
            "BADGEGATE_DIRECTION".into(),
            kiosk.config().direction.as_str().into(),
        ),
        ("BADGEGATE_KIOSK_ID".into(), o.entry.kiosk_id.clone()),
        ("BADGEGATE_SEQ".into(), o.entry.seq.to_string()),
        ("BADGEGATE_FLAGGED".into(), u8::from(d.flagged).to_string()),
    ]
}
