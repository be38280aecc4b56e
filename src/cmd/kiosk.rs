//! `badgegate kiosk`: a gate. Flags become a kiosk engine and a frame feed;
//! the headless loop prints one JSON line per decision, or the guard's
//! screen opens (`window/`).

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail};
use badgegate::clock;
use badgegate::gate::decide::{AntiPassback, OfflinePassback};
use badgegate::gate::engine::KioskConfig;
use badgegate::gate::headless;
use badgegate::gate::runtime::{spawn_feed, AdmitHook, Fed, FeedMode, Gate, KioskClock};
use badgegate::gate::start::{start, Setup, Started, Venue};
use badgegate::source::SourceSpec;
use badgegate::text::printable;
use badgegate::vocab::Direction;

use super::say::open_error;
use super::Exit;
use crate::cli::KioskArgs;

/// The frame source the flags ask for.
pub(super) fn source_spec(a: &KioskArgs) -> anyhow::Result<SourceSpec> {
    if a.stdin {
        return Ok(SourceSpec::Stdin);
    }
    if a.frames_stdin {
        return Ok(SourceSpec::StdinFrames);
    }
    if !a.images.is_empty() {
        return Ok(SourceSpec::Images {
            paths: a.images.clone(),
            interval_ms: a.frame_interval,
            live: a.replay_live,
        });
    }
    let Some(index) = a.camera else {
        bail!("give a frame source: --camera N, --images PATH..., --stdin or --frames-stdin");
    };
    let (width, height) = a
        .resolution
        .split_once(['x', 'X'])
        .and_then(|(w, h)| Some((w.trim().parse().ok()?, h.trim().parse().ok()?)))
        .ok_or_else(|| anyhow!("--resolution must look like 1280x720"))?;
    Ok(SourceSpec::Camera {
        index,
        width,
        height,
        fps: a.fps,
        exposure: a.exposure,
    })
}

/// The engine's settings from the flags, checked.
fn kiosk_config(a: &KioskArgs, gate: &str) -> anyhow::Result<KioskConfig> {
    let direction = a.direction.map_or(Direction::In, Direction::from);
    let anti_passback = AntiPassback::from(a.anti_passback);
    if gate.trim().is_empty() {
        bail!("--gate needs a name, e.g. --gate north-entrance");
    }
    let confirm_categories: Vec<String> = a
        .confirm
        .iter()
        .map(|c| c.trim().to_lowercase())
        .filter(|c| !c.is_empty())
        .collect();
    if let Some(p) = &a.photos {
        if !p.is_dir() {
            bail!(
                "--photos {}: not a folder; give the folder holding the holders' SERIAL-photo.jpg files",
                badgegate::text::shown_path(p)
            );
        }
    }
    if a.headless && !confirm_categories.is_empty() {
        bail!("--confirm needs the guard's screen: a headless kiosk has nobody to check IDs; drop --headless or --confirm");
    }
    Ok(KioskConfig {
        gate: gate.trim().to_owned(),
        zone: a.zone.as_ref().map(|z| z.trim().to_lowercase()),
        direction,
        anti_passback,
        skew_secs: a.skew,
        cooldown_ms: a.cooldown,
        confirm_categories,
        guard_present: !a.headless,
        staff_categories: a
            .staff
            .iter()
            .map(|c| c.trim().to_lowercase())
            .filter(|c| !c.is_empty())
            .collect(),
        photos: a.photos.clone(),
        venue: super::venue_flag(a.venue.as_deref())?,
    })
}

pub fn run(a: KioskArgs) -> anyhow::Result<ExitCode> {
    if a.list_cameras {
        return list_cameras();
    }
    let (Some(trust_dir), Some(journal_path), Some(gate)) = (&a.trust, &a.journal, &a.gate) else {
        let missing: Vec<&str> = [
            ("--trust DIR", a.trust.is_none()),
            ("--journal FILE", a.journal.is_none()),
            ("--gate NAME", a.gate.is_none()),
        ]
        .iter()
        .filter(|(_, m)| *m)
        .map(|(f, _)| *f)
        .collect();
        bail!(
            "a kiosk needs {} (on the command line or in its --config file)",
            missing.join(", ")
        );
    };
    let cfg = kiosk_config(&a, gate)?;
    let utc_offset = clock::parse_offset(&a.utc_offset)
        .ok_or_else(|| anyhow!("--utc-offset must look like +01:00 or -05:00"))?;
    let zone_names = zone_names(&a.zone_name)?;
    if !a.headless {
        screen_available()?;
    }
    let spec = source_spec(&a)?;
    let at_ms = match &a.at {
        Some(t) => Some(clock::parse_rfc3339(t).map_err(|e| anyhow!("--at: {e}"))? * 1000),
        None => None,
    };
    let replay = spec.is_replay();
    let kiosk_clock = KioskClock::new(at_ms, replay);
    // The screen reads its source on a thread of its own, where it is
    // opened; either way a source that cannot open stops the start here.
    let source = if a.headless {
        let (frames, describe) =
            spawn_feed(spec, kiosk_clock, FeedMode::default()).map_err(open_error)?;
        if let Some(d) = describe {
            say!("{}", printable(&d));
        }
        Source::Here(frames)
    } else {
        open_for_screen(spec, kiosk_clock)?
    };

    let setup = Setup {
        trust: trust_dir.clone(),
        journal: journal_path.clone(),
        revocations: a.revocations.clone(),
        policy: a.policy.clone(),
        venue: a.office.as_ref().map(|file| Venue {
            connection_file: file.clone(),
            passback_timeout: Duration::from_millis(a.passback_timeout),
            offline: OfflinePassback::from(a.offline_passback),
        }),
        signing_key: a.signing_key.clone(),
        kiosk_id: a.kiosk_id.clone(),
        zone_given: a.zone.is_some(),
        direction_given: a.direction.is_some(),
        headless: a.headless,
        notices: super::stderr_notices(),
    };
    let Started { kiosk, office } = start(&setup, cfg, kiosk_clock)?;
    let hook = a.on_admit.clone().map(|command| AdmitHook {
        command,
        timeout: Duration::from_secs(a.hook_timeout),
        notices: super::stderr_notices(),
    });
    let mut gate = Gate::new(kiosk, hook);
    if replay {
        gate.set_frame_budget(badgegate::read::REPLAY_BUDGET);
    }
    match source {
        Source::Here(frames) => {
            let stop = Arc::new(AtomicBool::new(false));
            stop_on_signals(&stop)?;
            let ended = headless::run(
                gate,
                frames,
                kiosk_clock,
                office.as_ref(),
                a.revocations_max_age.saturating_mul(3600),
                std::io::stdout(),
                super::stderr_notices(),
                &stop,
            );
            Ok(match ended {
                headless::Ended::SourceLost => Exit::SourceLost,
                headless::Ended::OutOfService => Exit::OutOfService,
                headless::Ended::HooksFailed(_) => Exit::Problem,
                _ => Exit::Ok,
            }
            .into())
        }
        #[cfg(feature = "screen")]
        Source::Screen(capture) => {
            let screen = badgegate::screen::ScreenConfig {
                zone_names,
                hold_ms: a.hold,
                confirm_timeout_ms: a.confirm_timeout.saturating_mul(1000),
                revocation_max_age_secs: a.revocations_max_age.saturating_mul(3600),
                utc_offset,
                policy: gate.kiosk().policy().map(|p| p.body.clone()),
                // The flag, else the venue policy's (and its next one's).
                lang: a.language.map(Into::into).unwrap_or_else(|| {
                    badgegate::screen::Lang::of_policy(gate.kiosk().policy().map(|p| &p.body))
                }),
                lang_pinned: a.language.is_some(),
            };
            let options = badgegate::window::Options {
                fullscreen: !a.windowed,
                sound: !a.silent,
                office,
                notices: super::stderr_notices(),
            };
            stop_on_signals(&capture.stop)?;
            let office = options.office.clone();
            let end = badgegate::window::run(gate, capture, screen, kiosk_clock, options)
                .map_err(super::say::window_error)?;
            if let (Some(state), Some(last)) = (&office, end.stopped_at) {
                headless::hand_over(state, last, &super::stderr_notices());
            }
            Ok(if end.out_of_service {
                Exit::OutOfService.into()
            } else {
                Exit::Ok.into()
            })
        }
        #[cfg(not(feature = "screen"))]
        Source::Screen(never) => {
            let _ = (zone_names, utc_offset, office);
            match never {}
        }
    }
}

/// Where frames come from: read in the headless loop, or by the screen's
/// capture thread.
enum Source {
    Here(Receiver<Fed>),
    #[cfg(feature = "screen")]
    Screen(badgegate::window::Capture),
    #[cfg(not(feature = "screen"))]
    #[allow(dead_code)]
    Screen(std::convert::Infallible),
}

#[cfg(feature = "screen")]
fn open_for_screen(spec: SourceSpec, clock: KioskClock) -> anyhow::Result<Source> {
    badgegate::window::Capture::start(spec, clock, super::stderr_notices())
        .map(Source::Screen)
        .map_err(super::say::window_error)
}

#[cfg(not(feature = "screen"))]
fn open_for_screen(_spec: SourceSpec, _clock: KioskClock) -> anyhow::Result<Source> {
    screen_available()?;
    bail!("this badgegate was built without the guard's screen; add --headless")
}

#[cfg(feature = "screen")]
fn screen_available() -> anyhow::Result<()> {
    badgegate::window::display_available().map_err(super::say::window_error)
}

#[cfg(not(feature = "screen"))]
fn screen_available() -> anyhow::Result<()> {
    bail!("this badgegate was built without the guard's screen (feature `screen`); add --headless, or rebuild with `cargo build --release`")
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

/// A stop on purpose: SIGTERM (`systemctl stop`) or Ctrl+C ends the loop
/// as the end of its input does (the guard signed out, the last records
/// handed to the office, goodbye said); a second one ends the kiosk at once.
pub(super) fn stop_on_signals(stop: &Arc<AtomicBool>) -> anyhow::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    for (signal, status) in [(SIGINT, 130), (SIGTERM, 143)] {
        signal_hook::flag::register_conditional_shutdown(signal, status, stop.clone())
            .and_then(|_| signal_hook::flag::register(signal, stop.clone()))
            .map_err(|e| anyhow!("cannot listen for the stop signals: {e}"))?;
    }
    Ok(())
}

#[cfg(feature = "camera")]
fn list_cameras() -> anyhow::Result<ExitCode> {
    let cams =
        badgegate::source::list_cameras().map_err(|e| anyhow!("cannot list cameras: {e}"))?;
    if cams.is_empty() {
        say!("no camera found; {}", super::say::SOURCE_ADVICE);
        return Ok(Exit::Problem.into());
    }
    for (index, name) in cams {
        println!("{index}\t{}", printable(&name));
    }
    Ok(Exit::Ok.into())
}

#[cfg(not(feature = "camera"))]
fn list_cameras() -> anyhow::Result<ExitCode> {
    Err(open_error(badgegate::source::OpenError::NoCameraSupport))
}
