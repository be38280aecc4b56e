//! `badgegate kiosk`: a gate. Flags become a kiosk engine and a frame feed;
//! the headless loop prints one JSON line per decision, or the guard's
//! screen opens (`window/`).

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use badgegate::clock::{self, format_human, format_span};
use badgegate::format::policy::VenuePolicy;
use badgegate::gate::decide::AntiPassback;
use badgegate::gate::engine::{Kiosk, KioskConfig, ListChange, Outcome};
use badgegate::gate::runtime::{
    spawn_feed, AdmitHook, Fed, FeedMode, Gate, HookReport, KioskClock, LoopEnd, Sink,
};
use badgegate::gate::venue::PolicyWatch;
use badgegate::journal::{Journal, JournalError};
use badgegate::source::SourceSpec;
use badgegate::text::{json_line, printable, shown_path};
use badgegate::vocab::Direction;

use super::say::{open_error, say_hooks, say_lists};
use super::Exit;
use crate::cli::KioskArgs;
use badgegate::gate::runtime::out_of_service_line;

fn host_name() -> String {
    badgegate::files::machine_name().unwrap_or_else(|| "kiosk".into())
}

/// The frame source the flags ask for.
pub(super) fn source_spec(a: &KioskArgs) -> anyhow::Result<SourceSpec> {
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
    let Some(index) = a.camera else {
        bail!("give a frame source: --camera N, --images PATH... or --stdin");
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
    let kiosk_clock = KioskClock::new(at_ms, spec.is_replay());
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

    let (kiosk, office) = start_kiosk(&a, cfg, trust_dir, journal_path, kiosk_clock)?;
    let hook = a.on_admit.clone().map(|command| AdmitHook {
        command,
        timeout: Duration::from_secs(a.hook_timeout),
        notices: super::stderr_notices(),
    });
    let gate = Gate::new(kiosk, hook);
    match source {
        Source::Here(frames) => {
            let head = |g: &Gate| g.kiosk().journal().next_seq() - 1;
            let freeze = Freeze::new(a.revocations_max_age.saturating_mul(3600));
            let code = run_headless(gate, frames, kiosk_clock, office.as_ref(), head, freeze)?;
            Ok(code)
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
                hand_over(state, last);
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

/// Says on stderr when the revocation lists grow older than the freeze
/// bound (the venue policy's, else `--revocations-max-age`), and when they
/// are current again: once each.
struct Freeze {
    default_secs: u64,
    said: bool,
}

impl Freeze {
    fn new(default_secs: u64) -> Freeze {
        Freeze {
            default_secs,
            said: false,
        }
    }

    fn look(&mut self, gate: &Gate, now_ms: u64) {
        let k = gate.kiosk();
        let bound = badgegate::gate::venue::lists_max_age_secs(
            k.policy().map(|p| &p.body),
            self.default_secs,
        );
        let Some(signed) = k.revocations().oldest_issued_at() else {
            return;
        };
        let age = (now_ms / 1000).saturating_sub(signed);
        let stale = age > bound;
        if stale && !self.said {
            say!(
                "warning: revocation lists FROZEN? the oldest in use was signed {} ago, past the {} bound: this gate may not be receiving lists; get the current list",
                format_span(age),
                format_span(bound)
            );
        } else if !stale && self.said {
            say!("revocation lists current again");
        }
        self.said = stale;
    }
}

/// The headless kiosk's sink: one JSON line per decision on stdout, each
/// after its record is committed; lists, hooks and trouble on stderr.
struct JsonLines {
    freeze: Freeze,
    hooks_failed: usize,
}

impl Sink for JsonLines {
    fn outcomes(&mut self, gate: &Gate, outcomes: Vec<Outcome>, _now_ms: u64) {
        let stdout = std::io::stdout();
        for outcome in &outcomes {
            let mut out = stdout.lock();
            let line = json_line(&gate.kiosk().outcome_line(outcome));
            // A closed stdout (the controller went away) must not stop
            // the journal; the decision is already committed.
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    }

    fn lists(&mut self, _gate: &Gate, changes: &[ListChange]) {
        say_lists(changes);
    }

    fn hooks(&mut self, hooks: &[HookReport]) {
        self.hooks_failed += say_hooks(hooks);
    }

    fn out_of_service(&mut self, e: &JournalError) {
        say!("{}", out_of_service_line(e));
    }

    fn fed(&mut self, fed: &Fed) {
        match fed {
            Fed::Skipped(why) => say!("warning: {}", printable(why)),
            Fed::Lost(why) | Fed::Reconnecting { why, .. } => {
                say!("error: {}; the kiosk stopped", printable(why))
            }
            _ => {}
        }
    }

    fn tick(&mut self, gate: &Gate, now_ms: u64) {
        self.freeze.look(gate, now_ms);
    }

    fn notice(&mut self, notice: badgegate::gate::engine::GateNotice) {
        say!("notice: {}", printable(&notice.to_string()));
    }
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

/// The gate stops on purpose: hands the office the last records while it
/// is there (what it does not get waits for the next run), then says
/// goodbye, so the office shows the gate STOPPED, not OFFLINE.
fn hand_over(state: &badgegate::net::link::SharedState, last: u64) {
    if !badgegate::net::link::wait_flushed(state, last, Duration::from_secs(10)) {
        say!(
            "office: records up to {last} are not all at the office yet; they are sent when this kiosk next runs"
        );
    } else if let Err(e) = badgegate::net::link::say_goodbye(state, last) {
        say!(
            "office: could not say this gate stops on purpose ({}); the office shows it OFFLINE until it runs again",
            printable(&e.to_string())
        );
    } else {
        say!("office: all records up to {last} are at the office; it shows this gate STOPPED");
    }
}

/// Runs the gate's loop over the feed with the JSON-lines sink, then hands
/// the office the last records.
fn run_headless(
    mut gate: Gate,
    frames: Receiver<Fed>,
    clock: KioskClock,
    office: Option<&badgegate::net::link::SharedState>,
    head: impl Fn(&Gate) -> u64,
    freeze: Freeze,
) -> anyhow::Result<ExitCode> {
    let mut sink = JsonLines {
        freeze,
        hooks_failed: 0,
    };
    let stop = Arc::new(AtomicBool::new(false));
    stop_on_signals(&stop)?;
    match gate.run(frames, None, &clock, &mut sink, &stop) {
        LoopEnd::Ended => {}
        LoopEnd::SourceLost(_) => return Ok(Exit::SourceLost.into()),
        LoopEnd::OutOfService => return Ok(Exit::OutOfService.into()),
    }
    if let Some(state) = office {
        hand_over(state, head(&gate));
    }
    if sink.hooks_failed > 0 {
        say!(
            "warning: the --on-admit command failed {} time(s): those admits may not have opened the door (hook_failed records in the journal)",
            sink.hooks_failed
        );
        return Ok(Exit::Problem.into());
    }
    Ok(Exit::Ok.into())
}

/// The kiosk engine, started: trust, lists, journal and venue policy
/// loaded and checked against the journal, the start recorded.
fn start_kiosk(
    a: &KioskArgs,
    mut cfg: KioskConfig,
    trust_dir: &std::path::Path,
    journal_path: &std::path::Path,
    clock: KioskClock,
) -> anyhow::Result<(Kiosk, Option<badgegate::net::link::SharedState>)> {
    let now_ms = clock.base_ms;
    // With the venue office, lists and the policy it delivers are kept in a
    // folder beside the journal, read like any other.
    let office = match &a.office {
        Some(file) => Some(OfficeFiles::prepare(
            file,
            journal_path,
            a.policy.as_deref(),
        )?),
        None => None,
    };
    let mut sources = a.revocations.clone();
    sources.extend(office.as_ref().map(|o| o.lists_dir.clone()));
    let (trust, revocations, watch) = super::load_trust(trust_dir, &sources)?;
    let gate = cfg.gate.clone();
    let journal = open_journal(a, journal_path, &gate)?;
    let policy_path = office
        .as_ref()
        .map(|o| o.policy_file.clone())
        .or_else(|| a.policy.clone());
    if let Some(path) = policy_path.as_ref().filter(|p| p.exists()) {
        first_policy(
            path,
            &trust,
            &mut cfg,
            a.zone.is_some(),
            a.direction.is_some(),
        )?;
    }
    let office_trust = trust.clone();
    let mut kiosk = Kiosk::start(cfg, trust, revocations, journal, now_ms)
        .context("the kiosk cannot start and admits no one")?;
    kiosk.watch_lists(watch);
    // With the office, its deliveries, and the `--policy` file too: a
    // newer policy copied onto the gate PC is taken up while the office
    // cannot be reached.
    let policy_watch = match (&office, policy_path) {
        (Some(_), Some(p)) => Some(match &a.policy {
            Some(given) => PolicyWatch::optional(p).also(given.clone()),
            None => PolicyWatch::optional(p),
        }),
        (None, Some(p)) => Some(PolicyWatch::new(p)),
        _ => None,
    };
    let taken = kiosk
        .run_under_policy(policy_watch, now_ms)
        .context("the kiosk cannot start and admits no one")?;
    let link = match office {
        Some(o) => Some(o.join(a, &mut kiosk, office_trust, journal_path, clock)?),
        None => None,
    };
    say_lists(taken.as_slice());
    if let Some(p) = kiosk.policy() {
        say_policy(p, a.headless);
    }
    announce(&kiosk, now_ms);
    Ok((kiosk, link))
}

/// Where the office's deliveries are kept for this kiosk.
struct OfficeFiles {
    url: String,
    lists_dir: std::path::PathBuf,
    policy_file: std::path::PathBuf,
}

impl OfficeFiles {
    /// Reads the connection file and makes the local folder; a `--policy`
    /// given as well seeds the office's policy file the first time.
    fn prepare(
        file: &std::path::Path,
        journal: &std::path::Path,
        policy: Option<&std::path::Path>,
    ) -> anyhow::Result<OfficeFiles> {
        let url = super::office_url(file)?;
        let dir = badgegate::net::link::cache_dir(journal);
        let lists_dir = dir.join("lists");
        std::fs::create_dir_all(&lists_dir)
            .with_context(|| format!("creating {}", shown_path(&lists_dir)))?;
        let policy_file = dir.join("policy.txt");
        if let (Some(given), false) = (policy, policy_file.exists()) {
            std::fs::copy(given, &policy_file).with_context(|| {
                format!("copying {} into {}", shown_path(given), shown_path(&dir))
            })?;
        }
        Ok(OfficeFiles {
            url,
            lists_dir,
            policy_file,
        })
    }

    /// Starts pushing records and fetching lists, and asks the office
    /// before each entry.
    fn join(
        self,
        a: &KioskArgs,
        kiosk: &mut Kiosk,
        trust: badgegate::format::keys::TrustStore,
        journal: &std::path::Path,
        clock: KioskClock,
    ) -> anyhow::Result<badgegate::net::link::SharedState> {
        use badgegate::gate::decide::OfflinePassback;
        use badgegate::net::link::{start_pusher, LinkConfig, Passback};
        let offline = OfflinePassback::from(a.offline_passback);
        let state = start_pusher(LinkConfig {
            url: self.url.clone(),
            journal: journal.to_owned(),
            kiosk_id: kiosk.journal().kiosk_id().to_owned(),
            lists_dir: self.lists_dir,
            policy_file: self.policy_file,
            trust,
            notices: super::stderr_notices(),
            clock: Box::new(move || clock.now_ms()),
        });
        let check = Passback::new(
            self.url,
            Duration::from_millis(a.passback_timeout.max(1)),
            state.clone(),
        );
        kiosk.join_venue(Box::new(check), offline);
        say!(
            "joined the venue office: records pushed in the background, entries checked venue-wide (timeout {} ms, offline: {})",
            a.passback_timeout,
            offline.code()
        );
        Ok(state)
    }
}

/// Reads the venue policy before the kiosk starts, to take this gate's
/// zone from it when `--zone` does not say (the kiosk engine reads and
/// judges it again, against the journal).
fn first_policy(
    path: &std::path::Path,
    trust: &badgegate::format::keys::TrustStore,
    cfg: &mut KioskConfig,
    zone_given: bool,
    direction_given: bool,
) -> anyhow::Result<VenuePolicy> {
    use badgegate::format::policy::GateFinding;
    let p = VenuePolicy::load_verified(path, trust)
        .context("the kiosk cannot start and admits no one")?;
    let given = if zone_given { cfg.zone.clone() } else { None };
    for finding in p.body.judge_gate(
        &cfg.gate,
        given.as_deref(),
        direction_given.then_some(cfg.direction),
    ) {
        let words = finding.words(&cfg.gate);
        match finding {
            // A misspelt gate without a zone of its own would check no
            // zone at all: fail closed.
            GateFinding::Unknown { .. } if !zone_given => bail!(
                "{words}; the kiosk cannot start and admits no one: give the policy's gate name (--gate), or --zone"
            ),
            GateFinding::ZoneDiffers { .. } => say!("warning: {words}; --zone wins"),
            _ => say!("warning: {words}"),
        }
    }
    if let (Some(g), false) = (p.body.gate(&cfg.gate), zone_given) {
        cfg.zone = (g.zone != badgegate::format::constants::ALL_ZONES).then(|| g.zone.clone());
    }
    if let (Some(g), false) = (p.body.gate(&cfg.gate), direction_given) {
        cfg.direction = g.direction;
    }
    Ok(p)
}

/// What the venue policy changes at this kiosk, on stderr.
fn say_policy(p: &VenuePolicy, headless: bool) {
    let checks: Vec<&str> = p
        .body
        .categories
        .iter()
        .filter(|c| c.id_check)
        .map(|c| c.code.as_str())
        .collect();
    say!(
        "venue policy #{}: {} ({})",
        p.sequence,
        printable(&p.body.venue),
        p.body.time_zone
    );
    if headless && !checks.is_empty() {
        say!(
            "warning: the venue checks IDs for {}; a headless kiosk has nobody to ask, so their admits are flagged (\"flagged\": true) for the gate's controller",
            checks.join(", ")
        );
    }
}

/// The journal, opened for this kiosk alone, signing with the kiosk's key
/// when it has one.
fn open_journal(a: &KioskArgs, path: &std::path::Path, gate: &str) -> anyhow::Result<Journal> {
    let key = match &a.signing_key {
        Some(p) => Some((super::load_secret_key(p)?, key_name(p))),
        None => None,
    };
    // A kiosk's key is named after it (keygen --kiosk KIOSK): a new journal
    // takes that name as its kiosk id unless --kiosk-id says otherwise.
    let default_id = match &key {
        Some((_, Some(name))) => name.clone(),
        _ => format!("{}-{}", host_name(), gate.trim()),
    };
    let mut journal = Journal::open(path, a.kiosk_id.as_deref(), &default_id)?;
    match key {
        Some((key, name)) => {
            // With the office, the link compares the key with the office's
            // enrolment itself and speaks only when they differ.
            if a.office.is_some() {
                say!("journal signed by this kiosk's key {}", key.key_id());
            } else {
                say!(
                    "journal signed by this kiosk's key {} (for the audit, its public key goes in the --kiosk-keys folder as {}.pub.pem)",
                    key.key_id(),
                    printable(journal.kiosk_id())
                );
            }
            if name.as_deref().is_some_and(|n| n != journal.kiosk_id()) {
                say!(
                    "warning: the key file is named {}, but the journal belongs to kiosk {}; `audit verify --kiosk-keys` looks the key up by the kiosk id",
                    printable(name.as_deref().unwrap_or_default()),
                    printable(journal.kiosk_id())
                );
            }
            journal.sign_with(key);
        }
        None => {
            // A journal that was signed stays signed: records after signed
            // ones without a signature fail `audit verify`.
            let id = journal.kiosk_id().to_owned();
            let head = journal.head_seq(&id)?.unwrap_or(0);
            let signed_by = match head {
                0 => None,
                n => journal
                    .entries_after(&id, n - 1, 1)?
                    .into_iter()
                    .next()
                    .and_then(|e| e.signer_key())
                    .map(|k| k.id),
            };
            if let Some(key) = signed_by {
                anyhow::bail!(
                    "journal {} is signed by this kiosk's key {key}: a signed journal stays signed; start the kiosk with --signing-key (its KIOSK.key.pem)",
                    shown_path(path)
                );
            }
            say!(
                "warning: this journal is not signed: anyone who can write the file can rewrite it without a trace; give the kiosk its own key (badgegate keygen --kiosk KIOSK, then --signing-key kiosk-keys/KIOSK.key.pem)"
            )
        }
    }
    Ok(journal)
}

/// `north-1` for `keys/north-1.key.pem`.
fn key_name(path: &std::path::Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let stem = name.strip_suffix(".pem").unwrap_or(name);
    let stem = stem.strip_suffix(".key").unwrap_or(stem);
    (!stem.is_empty()).then(|| stem.to_owned())
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

fn announce(kiosk: &Kiosk, now_ms: u64) {
    let c = kiosk.config();
    say!(
        "kiosk {} ready: gate {}, zone {}, direction {}, anti-passback {}, journal {}",
        kiosk.journal().kiosk_id(),
        c.gate,
        c.zone.as_deref().unwrap_or("(any)"),
        c.direction,
        c.anti_passback.as_str(),
        shown_path(kiosk.journal().path())
    );
    if kiosk.revocations().is_empty() {
        say!("warning: no revocation list: revoked badges are not refused");
    }
    for l in kiosk.revocations().lists() {
        say!(
            "revocation list key {} sequence {}, {} serial(s), issued {} ({} old)",
            l.key_id,
            l.sequence,
            l.entries.len(),
            format_human(l.issued_at),
            format_span((now_ms / 1000).saturating_sub(l.issued_at))
        );
    }
}
