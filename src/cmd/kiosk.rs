//! `badgegate kiosk`: a gate. Frames in, decisions journalled, then shown.

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use badgegate::camera::{FrameSource, ImageReplay, Payload, SourceError, TextLines};
use badgegate::clock::{self, format_human, format_span};
use badgegate::decide::AntiPassback;
use badgegate::hook;
use badgegate::journal::{Direction, Journal};
use badgegate::kiosk::{Kiosk, KioskConfig, Outcome};
use badgegate::qr;
use badgegate::text::printable;

use crate::cli::KioskArgs;

/// Exit code when the journal cannot be written: out of service.
const EXIT_OUT_OF_SERVICE: u8 = 3;
/// Exit code when the frame source is lost (camera unplugged, stdin broken).
const EXIT_SOURCE_LOST: u8 = 4;

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "kiosk".into())
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
    let mut source = open_source(&a)?;

    let (trust, revocations) = super::load_trust(trust_dir, a.revocations.as_deref())?;
    let base_ms = match &a.at {
        Some(t) => clock::parse_rfc3339(t).map_err(|e| anyhow!("--at: {e}"))? * 1000,
        None => clock::now_ms(),
    };
    let default_id = format!("{}-{}", host_name(), gate.trim());
    let journal = Journal::open(journal_path, a.kiosk_id.as_deref(), &default_id)?;
    let cfg = KioskConfig {
        gate: gate.trim().to_owned(),
        zone: a.zone.as_ref().map(|z| z.trim().to_lowercase()),
        direction,
        anti_passback,
        skew_secs: a.skew,
        cooldown_ms: a.cooldown,
    };
    let mut kiosk = Kiosk::start(cfg, trust, revocations, journal, base_ms)
        .context("the kiosk cannot start and admits no one")?;
    announce(&kiosk, base_ms);

    let started = Instant::now();
    let replay = source.replay_interval_ms();
    let mut frame_no: u64 = 0;
    let mut hooks = Vec::new();
    let mut reader = qr::TrackingReader::new();
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
            None if a.at.is_some() => base_ms + started.elapsed().as_millis() as u64,
            None => clock::now_ms(),
        };
        frame_no += 1;
        let codes: Vec<Vec<u8>> = match frame.payload {
            Payload::Image(img) => reader.read(&img).into_iter().map(|c| c.bytes).collect(),
            Payload::Text(t) => vec![t],
        };
        for code in codes {
            match kiosk.scan(&code, &frame.label, now_ms) {
                Ok(Some(outcome)) => {
                    let mut out = stdout.lock();
                    let line = if a.headless {
                        kiosk.outcome_json(&outcome).to_string()
                    } else {
                        human_line(&outcome)
                    };
                    // A closed stdout (the controller went away) must not
                    // stop the journal; the decision is already committed.
                    let _ = writeln!(out, "{line}");
                    let _ = out.flush();
                    if outcome.decision.is_admit() {
                        if let Some(cmd) = &a.on_admit {
                            hooks.retain(|h: &std::thread::JoinHandle<hook::HookEnd>| {
                                !h.is_finished()
                            });
                            hooks.push(hook::spawn(
                                cmd,
                                hook_env(&kiosk, &outcome),
                                Duration::from_secs(a.hook_timeout),
                            ));
                        }
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    eprintln!(
                        "error: {}; OUT OF SERVICE: this kiosk admits no one until the journal can be written",
                        printable(&e.to_string())
                    );
                    return Ok(ExitCode::from(EXIT_OUT_OF_SERVICE));
                }
            }
        }
    }
    for h in hooks {
        if let Ok(hook::HookEnd::Killed) = h.join() {
            eprintln!(
                "warning: an --on-admit command was killed after {} s",
                a.hook_timeout
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn open_source(a: &KioskArgs) -> anyhow::Result<Box<dyn FrameSource>> {
    if a.stdin {
        return Ok(Box::new(TextLines::new(std::io::stdin().lock(), "stdin")));
    }
    if !a.images.is_empty() {
        let replay = ImageReplay::new(&a.images, a.frame_interval).map_err(|e| anyhow!("{e}"))?;
        return Ok(Box::new(replay));
    }
    match a.camera {
        Some(index) => open_camera(a, index),
        None => bail!("give a frame source: --camera N, --images PATH... or --stdin"),
    }
}

#[cfg(feature = "camera")]
fn open_camera(a: &KioskArgs, index: u32) -> anyhow::Result<Box<dyn FrameSource>> {
    let (width, height) = parse_resolution(&a.resolution)?;
    let settings = badgegate::camera::CameraSettings {
        index,
        width,
        height,
        fps: a.fps,
        exposure: a.exposure,
    };
    let cam = badgegate::camera::Webcam::open(&settings).map_err(|e| {
        anyhow!("{e}; check `badgegate kiosk --list-cameras`, or read badges with --stdin (USB scanner) or --images PATH")
    })?;
    eprintln!("{}", cam.describe());
    Ok(Box::new(cam))
}

#[cfg(not(feature = "camera"))]
fn open_camera(a: &KioskArgs, _index: u32) -> anyhow::Result<Box<dyn FrameSource>> {
    let _ = (&a.resolution, a.fps, a.exposure);
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

fn human_line(o: &Outcome) -> String {
    let d = &o.decision;
    let verdict = match (d.is_admit(), d.flagged) {
        (true, true) => "ADMIT!",
        (true, false) => "ADMIT",
        (false, _) => "DENY",
    };
    let who = d.holder_summary();
    format!(
        "#{:<5} {:<6} {:<15} {}: {}",
        o.entry.seq,
        verdict,
        d.reason.code(),
        who,
        printable(&d.detail)
    )
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
