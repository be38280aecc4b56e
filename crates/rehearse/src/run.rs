//! The day, run: the venue set up (keys, badges, lists, the office, the
//! gates), then every movement and event at its time, each scan's decision
//! checked against what the rules say it must be, given the ground truth
//! the rehearsal alone knows (who really walked through which door, whose
//! badge was revoked when, who holds which card).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use badgegate_core::format::badge::{
    floor_minute, photo_file_name, Badge, PhotoDigest, SignedBadge,
};
use badgegate_core::format::keys::SecretKey;
use badgegate_core::format::revocation::RevocationList;

mod oracle;

use crate::camera::Camera;
use crate::gates::{run_tool, GateProcess, GateSetup};
use crate::guard::Hand;
use crate::office::Office;
use crate::plan::{self, Move, Person, Rng};
use crate::scenario::{clock_secs, clock_text, Event, Scenario};
use crate::RehearseError;
use oracle::{scan, Shown};

/// What the rehearsal needs besides the scenario.
#[derive(Clone, Debug)]
pub struct Options {
    /// The `badgegate` program the gates and tools run as.
    pub exe: PathBuf,
    /// An empty (or new) folder for everything the day writes.
    pub dir: PathBuf,
    /// Overrides the scenario's `time_scale`.
    pub time_scale: Option<f64>,
    /// Serve the office's dashboard on this address during the day (a
    /// user `watcher` is made; its password is said in the progress).
    pub dashboard: Option<String>,
}

/// One badge shown at a gate, and what came of it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Scan {
    /// Scenario time, `HH:MM:SS`.
    pub at: String,
    pub gate: String,
    pub serial: String,
    /// Who really held the card.
    pub who: String,
    /// Why the card was shown: `enter`, `exit`, `probe`, `forged`, …
    pub why: String,
    pub decision: String,
    pub reason: String,
    pub flagged: bool,
    /// What the rules allow here (`decision reason`), and why.
    pub allowed: Vec<String>,
    pub rule: String,
    /// When the decision is allowed only by a documented limit, which.
    pub limit: Option<String>,
    pub ok: bool,
    pub latency_ms: f64,
    /// The gate's record of it: its number and hash, as printed.
    pub seq: Option<u64>,
    pub hash: Option<String>,
}

/// A gate that stopped by itself during the day.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Stop {
    pub at: String,
    pub gate: String,
    pub code: i32,
    /// Its disk was full: going out of service is what it must do.
    pub expected: bool,
    /// The last lines of its log.
    pub log: String,
}

/// Something the day did besides a scan.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Happened {
    pub at: String,
    pub what: String,
}

/// The day as it went: for the checks and the report.
pub struct Day {
    pub scenario: Scenario,
    pub dir: PathBuf,
    pub exe: PathBuf,
    pub scans: Vec<Scan>,
    pub timeline: Vec<Happened>,
    /// Badge serials inside each zone by the ground truth.
    pub truth_inside: BTreeSet<(String, String)>,
    /// Each person's planned first arrival (scenario seconds): the arrival
    /// curve.
    pub planned_arrivals: Vec<f64>,
    /// The people physically inside who are not the holder of the badge
    /// the system has inside (a finder, a follower), with the limit.
    pub limits: Vec<String>,
    /// Seconds from each revocation to each entrance's first refusal.
    pub propagation: Vec<(String, String, f64)>,
    pub journals: Vec<(String, PathBuf)>,
    pub gate_exit_codes: Vec<(String, i32)>,
    /// Gates that stopped by themselves during the day.
    pub stops: Vec<Stop>,
    /// Each gate's peak resident memory (KiB) at the day's end.
    pub gate_peak_rss_kib: Vec<(String, Option<u64>)>,
    /// Camera frames each camera gate was shown (all its runs).
    pub camera_frames: Vec<(String, u64)>,
    /// The muster compared during the day.
    pub checkpoints: Vec<crate::checkpoint::Checkpoint>,
    pub office: Option<Office>,
    pub office_on: bool,
    /// Serials a gate refused as revoked while their holder was inside:
    /// each should raise one `revoked_inside` alarm at the office.
    pub revoked_inside: BTreeSet<String>,
    /// The office's server was down at some moment of the day.
    pub office_outage: bool,
    /// Primaries of a cluster office lost (each one failover).
    pub failovers: usize,
    /// Each revocation list the desk published: its sequence and when
    /// (Unix ms).
    pub published: Vec<(u64, u64)>,
    /// Each gate PC clock set by an event: the gate, by how much (s).
    pub clock_steps: Vec<(String, f64)>,
    pub wall_secs: f64,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Act {
    Move {
        person: usize,
        step: usize,
    },
    Event(usize),
    Probe {
        serial: String,
        gate: usize,
        revoked_no: usize,
    },
    GateBack(usize),
    OfficeBack,
    Heal(usize),
    Checkpoint,
}

/// How soon a gate's record is at the office (docs/venue-network.md: within
/// a second; twice that under load).
const PUSH_BOUND: Duration = Duration::from_secs(2);

/// How soon every gate is back at the office after its server returns:
/// the link retries at most every 5 s, then pushes its backlog.
const RECONNECT_BOUND: Duration = Duration::from_secs(7);

/// How long a claim the office granted to a gate that then stopped holds
/// the badge (the office's 30 s, and a margin).
const RESERVATION_BOUND: Duration = Duration::from_secs(32);

/// A timeline item: scenario seconds (as integer ms), order of insertion.
type Item = Reverse<(u64, u64, Act)>;

struct Venue {
    gates: Vec<GateProcess>,
    /// The network between each gate and the office (with an office).
    proxies: Vec<crate::proxy::Links>,
    specs: Vec<crate::scenario::Gate>,
    down_until: Vec<Option<f64>>,
}

/// The state the rules see, from the ground truth.
#[derive(Default)]
struct Truth {
    /// Badges inside, by (serial, zone).
    inside: BTreeSet<(String, String)>,
    /// What each gate alone knows: (gate, serial) it admitted in, not
    /// since seen out there.
    local: BTreeSet<(usize, String)>,
    /// Revoked serials: when (wall) and the revocation's number.
    revoked: BTreeMap<String, (Instant, usize)>,
    /// Each badge's last movement through a door: when (wall), at which
    /// gate.
    moved: BTreeMap<String, (Instant, usize)>,
    /// People denied at the door who went home.
    gave_up: BTreeSet<usize>,
    /// The office is down now.
    office_down: bool,
    /// The office's outages: down at, back at (wall).
    outages: Vec<(Instant, Option<Instant>)>,
    /// Each gate's cuts from the office: cut at, healed at (wall).
    cuts: BTreeMap<usize, Vec<(Instant, Option<Instant>)>>,
    /// The categories whose entries wait for an ID check, by policy: the
    /// first from the start, each later one from when it was published.
    id_checks: Vec<(Option<Instant>, BTreeSet<String>)>,
    /// Gates whose disk is full now.
    disk_full: BTreeSet<usize>,
    /// (gate, serial): the photo in that gate's folder was swapped.
    swapped: BTreeSet<(usize, String)>,
    /// Badges whose entry a gate claimed at the office and then stopped
    /// before recording: since when (wall).
    reserved: BTreeMap<String, Instant>,
}

/// True when one of `windows` (from, to) caught a record made at `at`
/// before it was pushed, and the gate has not surely reconnected since.
fn caught(windows: &[(Instant, Option<Instant>)], at: Instant) -> bool {
    windows.iter().any(|(down, back)| {
        *down <= at + PUSH_BOUND && back.is_none_or(|b| b >= at && b.elapsed() < RECONNECT_BOUND)
    })
}

/// True while a window is open or closed less than the reconnect bound ago.
fn away(windows: &[(Instant, Option<Instant>)]) -> bool {
    windows
        .last()
        .is_some_and(|(_, b)| b.is_none_or(|b| b.elapsed() < RECONNECT_BOUND))
}

impl Truth {
    /// Whether an entry of `category` must be flagged for an ID check:
    /// `None` while a policy changing that is within the bound of its
    /// publication (a gate may still hold the one before).
    fn id_check_expected(&self, category: &str, bound: Duration) -> Option<bool> {
        let now = self.id_checks.last()?;
        let wanted = now.1.contains(category);
        let settled = now.0.is_none_or(|t| t.elapsed() >= bound);
        let before = self
            .id_checks
            .len()
            .checked_sub(2)
            .map(|i| self.id_checks[i].1.contains(category));
        if settled || before.is_none_or(|b| b == wanted) {
            Some(wanted)
        } else {
            None
        }
    }

    /// True while the office may answer from a view that lacks the
    /// record of a movement made at `at`: within the push bound of it, or
    /// when an outage caught that record before it was pushed and the
    /// gates have not all reconnected since.
    fn record_may_lag(&self, at: Instant, gate: usize) -> bool {
        at.elapsed() < PUSH_BOUND
            || caught(&self.outages, at)
            || self.cuts.get(&gate).is_some_and(|c| caught(c, at))
    }

    /// True while gate `g` may not reach the office: the office away, or
    /// this gate cut off (or healed less than the reconnect bound ago).
    fn unreachable_from(&self, g: usize) -> bool {
        self.office_may_be_away() || self.cuts.get(&g).is_some_and(|c| away(c))
    }

    /// True while the office may be unreachable for a gate: down, or back
    /// less than the reconnect bound ago.
    fn office_may_be_away(&self) -> bool {
        self.office_down
            || self
                .outages
                .last()
                .and_then(|(_, b)| *b)
                .is_some_and(|b| b.elapsed() < RECONNECT_BOUND)
    }
}

/// Runs a scenario's day to its end.
pub fn run(
    scenario: &Scenario,
    opts: &Options,
    progress: &mut dyn FnMut(&str),
) -> Result<Day, RehearseError> {
    let started = Instant::now();
    let dir = &opts.dir;
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(RehearseError::Setup(format!(
            "{} is not empty: give a new folder for the rehearsal",
            dir.display()
        )));
    }
    if opts.dashboard.is_some() && !scenario.office {
        return Err(RehearseError::Setup(
            "--dashboard needs a scenario with office = true".into(),
        ));
    }
    for sub in ["trust", "lists", "lists-stale"] {
        std::fs::create_dir_all(dir.join(sub))?;
    }
    let desk = Desk::prepare(scenario, dir, progress)?;
    let office = start_office(scenario, opts, progress)?;
    let _dashboard = match (&opts.dashboard, &office) {
        (Some(listen), Some(o)) => {
            let d = crate::office::Dashboard::start(
                o,
                &opts.exe,
                dir,
                listen,
                Some(&scenario.time_zone),
                "watcher",
            )?;
            progress(&format!(
                "dashboard on {}: user watcher, password {}",
                d.base, d.password
            ));
            Some(d)
        }
        _ => None,
    };
    let proxies = match &office {
        Some(o) => link_through_proxies(scenario, dir, o)?,
        None => Vec::new(),
    };
    let camera = Camera {
        policy: Some(desk.policy.body.clone()),
        time: badgegate_core::clock::VenueTime::zone(&scenario.time_zone),
        photos: scenario.photos.then(|| dir.join("photos")),
        made: 0,
        shown: 0,
    };
    let staff = if scenario.gates.iter().any(|g| g.guard) {
        Some(desk.staff_badge()?)
    } else {
        None
    };
    let (gates, journals) = start_gates(scenario, opts, office.as_ref(), &camera, staff)?;
    progress(&format!("{} gates running", gates.len()));
    let mut rehearsal = Rehearsal::new(scenario, opts, desk, office, gates, proxies, journals)?;
    rehearsal.live(progress)?;
    let mut day = rehearsal.finish(progress)?;
    day.wall_secs = started.elapsed().as_secs_f64();
    Ok(day)
}

/// The desk's side of the day: the registration key (kept in memory
/// only), a stranger's key for forgeries, the people and their signed
/// badges, the revocation list and the venue policy.
struct Desk {
    key: SecretKey,
    stranger: SecretKey,
    people: Vec<Person>,
    zones: Vec<String>,
    digests: Vec<Option<PhotoDigest>>,
    texts: Vec<String>,
    list: RevocationList,
    policy: badgegate_core::format::policy::VenuePolicy,
    first_checks: BTreeSet<String>,
    now: u64,
}

impl Desk {
    /// Keys, photos, badges, an empty signed list and the first policy,
    /// written where the gates read them.
    fn prepare(
        scenario: &Scenario,
        dir: &Path,
        progress: &mut dyn FnMut(&str),
    ) -> Result<Desk, RehearseError> {
        let now = badgegate_core::clock::now_ms() / 1000;
        let key = SecretKey::generate();
        let pem = key
            .public()
            .to_pem()
            .map_err(|e| RehearseError::Setup(e.to_string()))?;
        std::fs::write(dir.join("trust/registration.pub.pem"), pem)?;
        let people = plan::people(scenario)?;
        let digests = photos(scenario, dir, &people, progress)?;
        let list = RevocationList::empty(key.key_id());
        let first_checks: BTreeSet<String> = scenario.id_check.iter().cloned().collect();
        let (policy, text) = venue_policy(scenario, &first_checks, None, &key, now)?;
        std::fs::write(dir.join("policy.txt"), text)?;
        let mut desk = Desk {
            key,
            stranger: SecretKey::generate(),
            zones: scenario.zones.iter().map(|z| z.code.clone()).collect(),
            people,
            digests,
            texts: Vec::new(),
            list,
            policy,
            first_checks,
            now,
        };
        desk.texts = desk
            .people
            .iter()
            .map(|p| desk.sign(&desk.key, p))
            .collect::<Result<_, _>>()?;
        progress(&format!("{} badges signed", desk.people.len()));
        let first = desk
            .list
            .sign_next(&desk.key, now)
            .map_err(|e| RehearseError::Setup(e.to_string()))?;
        std::fs::write(dir.join("lists/rl.txt"), &first)?;
        std::fs::write(dir.join("lists-stale/rl.txt"), &first)?;
        Ok(desk)
    }

    /// The badge the guards of staffed gates sign in with: a category the
    /// venue policy names as staff.
    fn staff_badge(&self) -> Result<String, RehearseError> {
        let guard = Person {
            // Number 0: no one of the crowd, no photo.
            number: 0,
            serial: "GUARD-1".into(),
            name: "Rehearsal Guard".into(),
            org: "Venue security".into(),
            category: STAFF_CATEGORY.into(),
            zone: String::new(),
            moves: Vec::new(),
        };
        self.sign(&self.key, &guard)
    }

    /// Person `p`'s badge, signed by `key` (the stranger's for a forgery).
    fn sign(&self, key: &SecretKey, p: &Person) -> Result<String, RehearseError> {
        let now = self.now;
        let badge = Badge {
            key_id: key.key_id(),
            serial: p.serial.clone(),
            name: p.name.clone(),
            org: p.org.clone(),
            category: p.category.clone(),
            zones: self.zones.clone(),
            valid_from: floor_minute(now.saturating_sub(3600)),
            valid_until: floor_minute(now + 2 * 86_400),
            issued_at: floor_minute(now),
            photo: p
                .number
                .checked_sub(1)
                .and_then(|i| self.digests.get(i).copied().flatten()),
        };
        SignedBadge::sign(badge, key)
            .map(|b| b.text().to_owned())
            .map_err(|e| RehearseError::Setup(format!("badge {}: {e}", p.serial)))
    }
}

/// The holders' photos, when the scenario has them: one file each in the
/// desk's folder, and each gate's own folder of links to them (a swap at
/// one gate touches only that gate's copy). Each person's digest.
fn photos(
    scenario: &Scenario,
    dir: &Path,
    people: &[Person],
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<Option<PhotoDigest>>, RehearseError> {
    if !scenario.photos {
        return Ok(vec![None; people.len()]);
    }
    std::fs::create_dir_all(dir.join("photos"))?;
    let mut digests = Vec::with_capacity(people.len());
    for p in people {
        let bytes = crate::photos::portrait_jpeg(p.number as u64)?;
        std::fs::write(dir.join("photos").join(photo_file_name(&p.serial)), &bytes)?;
        digests.push(Some(PhotoDigest::of(&bytes)));
    }
    for g in &scenario.gates {
        let own = dir.join(format!("photos-{}", g.id));
        std::fs::create_dir_all(&own)?;
        for p in people {
            let name = photo_file_name(&p.serial);
            std::fs::hard_link(dir.join("photos").join(&name), own.join(&name))?;
        }
    }
    progress(&format!("{} photos, a folder for each gate", people.len()));
    Ok(digests)
}

/// The office, when the scenario has one: started, initialised, a kiosk
/// login for each gate (`GATE.office`).
fn start_office(
    scenario: &Scenario,
    opts: &Options,
    progress: &mut dyn FnMut(&str),
) -> Result<Option<Office>, RehearseError> {
    if !scenario.office {
        return Ok(None);
    }
    let dir = &opts.dir;
    let pg = Office::start(&dir.join("office-db"), scenario.office_servers)?;
    let url = pg.admin_url();
    let tool = |args: &[&str], what: String| -> Result<(), RehearseError> {
        let (code, _, err) = run_tool(&opts.exe, dir, args, Some(pg.passfile()))?;
        match code {
            0 => Ok(()),
            _ => Err(RehearseError::Setup(format!("{what}: {}", err.trim()))),
        }
    };
    tool(&["office", "init", "--db", &url], "office init".into())?;
    for g in &scenario.gates {
        let out = format!("{}.office", g.id);
        tool(
            &[
                "office",
                "add-kiosk",
                "--db",
                &url,
                "--kiosk-id",
                &g.id,
                "--out",
                &out,
            ],
            format!("office add-kiosk {}", g.id),
        )?;
    }
    progress(&pg.describe());
    Ok(Some(pg))
}

/// The network between each gate and the office: a proxy each (one for
/// each of the office's servers), so a gate can be cut off. Each gate's
/// connection file is pointed at its proxies.
fn link_through_proxies(
    scenario: &Scenario,
    dir: &Path,
    office: &Office,
) -> Result<Vec<crate::proxy::Links>, RehearseError> {
    let mut proxies = Vec::new();
    for g in &scenario.gates {
        let path = dir.join(format!("{}.office", g.id));
        let mut text = std::fs::read_to_string(&path)?;
        let mut link = Vec::new();
        for port in office.ports() {
            let proxy = crate::proxy::Proxy::start(port)?;
            let mut found = false;
            for end in [",", "/"] {
                let direct = format!("127.0.0.1:{port}{end}");
                if text.contains(&direct) {
                    text = text.replace(&direct, &format!("127.0.0.1:{}{end}", proxy.port));
                    found = true;
                }
            }
            if !found {
                return Err(RehearseError::Setup(format!(
                    "{} does not name the office's server 127.0.0.1:{port}",
                    path.display()
                )));
            }
            link.push(proxy);
        }
        std::fs::write(&path, text)?;
        proxies.push(crate::proxy::Links(link));
    }
    Ok(proxies)
}

/// Every gate's kiosk process, started; and where each journal is.
#[allow(clippy::type_complexity)]
fn start_gates(
    scenario: &Scenario,
    opts: &Options,
    office: Option<&Office>,
    camera: &Camera,
    staff: Option<String>,
) -> Result<(Vec<GateProcess>, Vec<(String, PathBuf)>), RehearseError> {
    let mut gates = Vec::new();
    let mut journals = Vec::new();
    for g in &scenario.gates {
        journals.push((g.id.clone(), opts.dir.join(format!("{}.db", g.id))));
        let stepped = scenario
            .events
            .iter()
            .any(|e| matches!(e, Event::ClockStep { gate, .. } if *gate == g.id));
        let clock_file = if stepped {
            if !Path::new(crate::gates::FAKETIME).exists() {
                return Err(RehearseError::Setup(format!(
                    "the clock_step event at gate {} needs libfaketime: apt-get install faketime",
                    g.id
                )));
            }
            let f = opts.dir.join(format!("{}.clock", g.id));
            std::fs::write(&f, "+0\n")?;
            Some(f)
        } else {
            None
        };
        gates.push(GateProcess::start(GateSetup {
            exe: opts.exe.clone(),
            dir: opts.dir.clone(),
            args: gate_args(scenario, g, office.is_some()),
            passfile: office.map(|p| p.passfile().to_owned()),
            id: g.id.clone(),
            clock_file,
            camera: g.camera.then(|| Camera {
                // Each gate's frames differ from every other's.
                made: (gates.len() as u64) << 40,
                ..camera.clone()
            }),
            guard: staff.clone().filter(|_| g.guard),
        })?);
    }
    Ok((gates, journals))
}

/// A gate's `badgegate kiosk` command line: headless, badges on stdin, its
/// sabotage (if the scenario gives one) applied.
fn gate_args(scenario: &Scenario, g: &crate::scenario::Gate, with_office: bool) -> Vec<String> {
    let apb = match g.sabotage.as_deref() {
        Some("no_passback") => "off",
        _ => scenario.anti_passback.as_str(),
    };
    let lists = match g.sabotage.as_deref() {
        Some("stale_lists") => "lists-stale",
        _ => "lists",
    };
    let journal = format!("{}.db", g.id);
    let mut args: Vec<String> = [
        "kiosk",
        "--trust",
        "trust",
        "--journal",
        &journal,
        "--kiosk-id",
        &g.id,
        "--gate",
        &g.id,
        "--zone",
        &g.zone,
        "--direction",
        &g.direction,
        if g.camera {
            "--frames-stdin"
        } else {
            "--stdin"
        },
        // A staffed gate shows the guard's screen (without its sounds).
        if g.guard { "--silent" } else { "--headless" },
        "--cooldown",
        "0",
        "--revocations",
        lists,
        "--anti-passback",
        apb,
        "--policy",
        "policy.txt",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if scenario.photos {
        args.push("--photos".into());
        args.push(format!("photos-{}", g.id));
    }
    if with_office && g.sabotage.as_deref() != Some("no_office") {
        args.push("--office".into());
        args.push(format!("{}.office", g.id));
    }
    args
}

/// What happens next, in scenario time; ties in the order they were added.
#[derive(Default)]
struct Timeline {
    queue: BinaryHeap<Item>,
    order: u64,
}

impl Timeline {
    fn push(&mut self, at: f64, act: Act) {
        self.order += 1;
        self.queue
            .push(Reverse(((at.max(0.0) * 1000.0) as u64, self.order, act)));
    }

    /// The next act and its time (scenario seconds).
    fn pop(&mut self) -> Option<(f64, Act)> {
        self.queue
            .pop()
            .map(|Reverse((at_ms, _, act))| (at_ms as f64 / 1000.0, act))
    }
}

/// The day under way: the desk, the venue's processes, the ground truth,
/// what happened so far and what comes next.
struct Rehearsal<'a> {
    scenario: &'a Scenario,
    dir: PathBuf,
    scale: f64,
    desk: Desk,
    venue: Venue,
    truth: Truth,
    day: Day,
    office: Option<Office>,
    timeline: Timeline,
    rng: Rng,
    /// Numbers for the day's extra cards and faces.
    extra: usize,
    revocations: usize,
    done_moves: usize,
    /// How far each gate's PC clock has been set (real seconds).
    clock_offsets_s: Vec<f64>,
}

impl<'a> Rehearsal<'a> {
    fn new(
        scenario: &'a Scenario,
        opts: &Options,
        desk: Desk,
        office: Option<Office>,
        gates: Vec<GateProcess>,
        proxies: Vec<crate::proxy::Links>,
        journals: Vec<(String, PathBuf)>,
    ) -> Result<Rehearsal<'a>, RehearseError> {
        let mut timeline = Timeline::default();
        for (i, p) in desk.people.iter().enumerate() {
            timeline.push(p.moves[0].0, Act::Move { person: i, step: 0 });
        }
        for (i, e) in scenario.events.iter().enumerate() {
            timeline.push(clock_secs(e.at())?, Act::Event(i));
        }
        for at in checkpoint_times(scenario)? {
            timeline.push(at, Act::Checkpoint);
        }
        let day = Day {
            scenario: scenario.clone(),
            dir: opts.dir.clone(),
            exe: opts.exe.clone(),
            scans: Vec::new(),
            timeline: Vec::new(),
            truth_inside: BTreeSet::new(),
            planned_arrivals: desk.people.iter().map(|p| p.moves[0].0).collect(),
            limits: Vec::new(),
            propagation: Vec::new(),
            journals,
            gate_exit_codes: Vec::new(),
            stops: Vec::new(),
            gate_peak_rss_kib: Vec::new(),
            camera_frames: Vec::new(),
            checkpoints: Vec::new(),
            office: None,
            office_on: scenario.office,
            revoked_inside: BTreeSet::new(),
            office_outage: false,
            failovers: 0,
            published: Vec::new(),
            clock_steps: Vec::new(),
            wall_secs: 0.0,
        };
        Ok(Rehearsal {
            scenario,
            dir: opts.dir.clone(),
            scale: opts.time_scale.unwrap_or(scenario.time_scale),
            venue: Venue {
                gates,
                proxies,
                specs: scenario.gates.clone(),
                down_until: vec![None; scenario.gates.len()],
            },
            truth: Truth {
                id_checks: vec![(None, desk.first_checks.clone())],
                ..Truth::default()
            },
            desk,
            day,
            office,
            timeline,
            rng: Rng::new(scenario.seed.wrapping_add(17)),
            extra: 0,
            revocations: 0,
            done_moves: 0,
            clock_offsets_s: vec![0.0; scenario.gates.len()],
        })
    }

    /// Every act at its moment, on the compressed clock.
    fn live(&mut self, progress: &mut dyn FnMut(&str)) -> Result<(), RehearseError> {
        let day_start = clock_secs(&self.scenario.day.start)?;
        let wall0 = Instant::now();
        let mut last_report = Instant::now();
        let total_moves: usize = self.desk.people.iter().map(|p| p.moves.len()).sum();
        while let Some((at, act)) = self.timeline.pop() {
            let due = wall0 + Duration::from_secs_f64(((at - day_start) / self.scale).max(0.0));
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            if last_report.elapsed() > Duration::from_secs(5) {
                progress(&format!(
                    "{} · {} of {total_moves} movements · {} scans",
                    clock_text(at),
                    self.done_moves,
                    self.day.scans.len()
                ));
                last_report = Instant::now();
            }
            self.notice_failover(at);
            match act {
                Act::Move { person, step } => self.walk(at, person, step)?,
                Act::Event(i) => self.event(at, i)?,
                Act::Probe { serial, gate, .. } => self.probe(at, &serial, gate)?,
                Act::GateBack(g) => {
                    self.venue.gates[g].restart()?;
                    self.venue.down_until[g] = None;
                    self.truth.disk_full.remove(&g);
                    let what = format!(
                        "gate {} started again on its journal",
                        self.venue.specs[g].id
                    );
                    self.happened(at, what);
                }
                Act::Heal(g) => {
                    if let Some(p) = self.venue.proxies.get(g) {
                        p.set(crate::proxy::Link::Open);
                    }
                    if let Some(c) = self.truth.cuts.get_mut(&g).and_then(|c| c.last_mut()) {
                        c.1 = Some(Instant::now());
                    }
                    let what = format!("gate {} reaches the office again", self.venue.specs[g].id);
                    self.happened(at, what);
                }
                Act::Checkpoint => self.checkpoint(at)?,
                Act::OfficeBack => {
                    if let Some(pg) = self.office.as_mut() {
                        let what = pg.restart()?;
                        self.office_back();
                        self.happened(at, what);
                    }
                }
            }
        }
        Ok(())
    }

    /// A checkpoint: who is inside by the truth against the core's model
    /// over the journals as they stand and, when every gate reaches the
    /// office, against `office inside` once the office holds every record.
    fn checkpoint(&mut self, at: f64) -> Result<(), RehearseError> {
        use crate::checkpoint::{journals_inside, office_catches_up, office_inside, Checkpoint};
        let truth = self.truth.inside.clone();
        let mut views = vec!["the core's model over the journals".to_owned()];
        let mut bad = crate::check::differences(
            "the core's model over the journals",
            &journals_inside(&self.day.journals)?,
            &truth,
        );
        let cut = self
            .truth
            .cuts
            .iter()
            .find(|(_, c)| c.iter().any(|(_, healed)| healed.is_none()))
            .map(|(g, _)| *g);
        let down = self.venue.down_until.iter().position(Option::is_some);
        let mut office_skipped = None;
        if let Some(office) = self.office.as_ref() {
            office_skipped = if self.truth.office_down {
                Some("the office is down".to_owned())
            } else if let Some(g) = cut {
                Some(format!(
                    "gate {} is cut off from the office",
                    self.venue.specs[g].id
                ))
            } else if let Some(g) = down {
                Some(format!("gate {} is down", self.venue.specs[g].id))
            } else {
                None
            };
            if office_skipped.is_none() {
                views.push("office inside".into());
                let behind =
                    office_catches_up(office, &self.day.journals, Duration::from_secs(30))?;
                bad.extend(
                    behind
                        .into_iter()
                        .map(|b| format!("the office did not receive every record: {b}")),
                );
                match office_inside(office, &self.day.exe, &self.dir)? {
                    Ok(listed) => {
                        bad.extend(crate::check::differences("office inside", &listed, &truth))
                    }
                    Err(e) => bad.push(e),
                }
            }
        }
        let what = format!(
            "checkpoint: {} inside by the truth; {}{}",
            truth.len(),
            if bad.is_empty() {
                "every view agrees"
            } else {
                "views disagree"
            },
            office_skipped
                .as_ref()
                .map(|s| format!(" (office not compared: {s})"))
                .unwrap_or_default()
        );
        self.happened(at, what);
        self.day.checkpoints.push(Checkpoint {
            at: clock_text(at),
            inside: truth.len(),
            views,
            office_skipped,
            discrepancies: bad
                .iter()
                .map(|b| format!("{}: {b}", clock_text(at)))
                .collect(),
        });
        Ok(())
    }

    /// The day is over: each gate hands over its records and stops.
    fn finish(mut self, progress: &mut dyn FnMut(&str)) -> Result<Day, RehearseError> {
        progress("the day is over: the gates hand over their records");
        for (i, g) in self.venue.gates.iter_mut().enumerate() {
            let id = self.venue.specs[i].id.clone();
            self.day
                .gate_peak_rss_kib
                .push((id.clone(), g.peak_rss_kib()));
            if let Some(frames) = g.camera_frames() {
                self.day.camera_frames.push((id.clone(), frames));
            }
            let code = if self.venue.down_until[i].is_some() {
                -1
            } else {
                g.finish()?
            };
            self.day.gate_exit_codes.push((id, code));
        }
        self.day.truth_inside = self.truth.inside;
        self.day.office = self.office;
        Ok(self.day)
    }

    fn happened(&mut self, at: f64, what: String) {
        self.day.timeline.push(Happened {
            at: clock_text(at),
            what,
        });
    }

    /// The office is back (restarted, or another server took over).
    fn office_back(&mut self) {
        if self.truth.office_down {
            self.truth.office_down = false;
            if let Some(o) = self.truth.outages.last_mut() {
                o.1 = Some(Instant::now());
            }
        }
    }

    /// A cluster fails over by itself: the office is back once another
    /// server is primary.
    fn notice_failover(&mut self, at: f64) {
        if !self.truth.office_down {
            return;
        }
        let Some(name) = self.office.as_ref().and_then(Office::serving) else {
            return;
        };
        let lost = self
            .truth
            .outages
            .last()
            .map_or(0.0, |o| o.0.elapsed().as_secs_f64());
        self.office_back();
        self.happened(
            at,
            format!("the office failed over: {name} is the primary, {lost:.1} s after the loss"),
        );
    }

    /// Shows person `i`'s own card (or a copy of it) at gate `g`.
    fn show_card(
        &mut self,
        g: usize,
        at: f64,
        i: usize,
        who: Option<&str>,
        why: &str,
    ) -> Result<Option<bool>, RehearseError> {
        self.show_card_by(g, at, i, who, why, Hand::Confirm)
    }

    /// [`Self::show_card`], the guard of a staffed gate doing `hand`.
    fn show_card_by(
        &mut self,
        g: usize,
        at: f64,
        i: usize,
        who: Option<&str>,
        why: &str,
        hand: Hand,
    ) -> Result<Option<bool>, RehearseError> {
        let p = &self.desk.people[i];
        scan(
            &mut self.venue,
            &mut self.truth,
            &mut self.day,
            g,
            at,
            Shown {
                serial: &p.serial,
                text: &self.desk.texts[i],
                who: who.unwrap_or(&p.name),
                why,
                category: &p.category,
                forged: false,
                hand,
            },
        )
    }

    /// A person's next movement through a door of their zone.
    fn walk(&mut self, at: f64, person: usize, step: usize) -> Result<(), RehearseError> {
        self.done_moves += 1;
        if self.truth.gave_up.contains(&person) {
            return Ok(());
        }
        let p = &self.desk.people[person];
        let (_, mv) = p.moves[step];
        let direction = if mv == Move::Enter { "in" } else { "out" };
        let Some(g) = pick_gate(&self.venue, direction, Some(&p.zone), &mut self.rng) else {
            // Every such gate is down: come back in a minute.
            self.timeline.push(at + 60.0, Act::Move { person, step });
            return Ok(());
        };
        let why = if mv == Move::Enter { "enter" } else { "exit" };
        let Some(admitted) = self.show_card(g, at, person, None, why)? else {
            // The gate went out of service: another gate, soon.
            self.timeline.push(at + 60.0, Act::Move { person, step });
            return Ok(());
        };
        if admitted {
            if let Some((next, _)) = self.desk.people[person].moves.get(step + 1) {
                let next = *next;
                self.timeline.push(
                    next,
                    Act::Move {
                        person,
                        step: step + 1,
                    },
                );
            }
        } else {
            // Refused at an entrance: off to the desk. Refused at an exit:
            // security comes to them.
            self.truth.gave_up.insert(person);
        }
        Ok(())
    }

    /// A revoked badge tried again at an entrance once the bound passed.
    fn probe(&mut self, at: f64, serial: &str, gate: usize) -> Result<(), RehearseError> {
        let Some(i) = self.desk.people.iter().position(|p| p.serial == serial) else {
            return Ok(());
        };
        if self.venue.down_until[gate].is_none() {
            self.show_card(gate, at, i, None, "probe")?;
        }
        Ok(())
    }

    /// The scenario's event `i`.
    fn event(&mut self, at: f64, i: usize) -> Result<(), RehearseError> {
        let scenario = self.scenario;
        match &scenario.events[i] {
            Event::Revoke { person, .. } => self.revoke(at, *person),
            Event::Forged { gate, .. } => self.forged(at, gate),
            Event::Tailgate { gate, .. } => self.tailgate(at, gate),
            Event::LostBadge { gate, .. } => self.lost_badge(at, gate),
            Event::KillGate { gate, down_s, .. } => {
                let g = gate_index(&self.venue, gate);
                self.venue.gates[g].kill();
                self.venue.down_until[g] = Some(at + down_s);
                let back = (down_s / 60.0).round();
                self.happened(
                    at,
                    format!("gate {gate} killed (power cut), back in {back} min"),
                );
                self.timeline.push(at + down_s, Act::GateBack(g));
                Ok(())
            }
            Event::Partition {
                gate, down_s, mode, ..
            } => {
                let g = gate_index(&self.venue, gate);
                if let Some(p) = self.venue.proxies.get(g) {
                    p.set(if mode == "blackhole" {
                        crate::proxy::Link::Blackhole
                    } else {
                        crate::proxy::Link::Refuse
                    });
                    let cut = (Instant::now(), None);
                    self.truth.cuts.entry(g).or_default().push(cut);
                    let back = (down_s / 60.0).round();
                    self.happened(
                        at,
                        format!("gate {gate} cut off from the office ({mode}), for {back} min"),
                    );
                    self.timeline.push(at + down_s, Act::Heal(g));
                }
                Ok(())
            }
            Event::PhotoSwap { gate, .. } => self.photo_swap(at, gate),
            Event::HandAdmit { gate, .. } => self.by_hand(at, gate, Hand::Admit),
            Event::HandRefuse { gate, .. } => self.by_hand(at, gate, Hand::RefuseId),
            Event::DiskFull { gate, down_s, .. } => {
                let g = gate_index(&self.venue, gate);
                if self.venue.down_until[g].is_none() {
                    self.venue.gates[g].fill_disk()?;
                    self.truth.disk_full.insert(g);
                    let back = (down_s / 60.0).round();
                    self.happened(
                        at,
                        format!("gate {gate}'s disk is full; space freed and the gate started again in {back} min"),
                    );
                    self.timeline.push(at + down_s, Act::GateBack(g));
                }
                Ok(())
            }
            Event::PolicyChange { id_check, .. } => self.policy_change(at, id_check),
            Event::ClockStep { gate, step_s, .. } => {
                let g = gate_index(&self.venue, gate);
                if self.venue.down_until[g].is_some() {
                    return Ok(());
                }
                self.clock_offsets_s[g] += step_s;
                let offset = self.clock_offsets_s[g].round() as i64;
                write_atomic(
                    &self.dir.join(format!("{gate}.clock")),
                    format!("{offset:+}\n"),
                )?;
                self.day.clock_steps.push((gate.clone(), *step_s));
                let way = if *step_s < 0.0 { "back" } else { "forward" };
                self.happened(
                    at,
                    format!("gate {gate}'s PC clock set {way} {:.0} s", step_s.abs()),
                );
                Ok(())
            }
            Event::KillOffice { down_s, .. } => {
                if let Some(pg) = self.office.as_mut() {
                    let what = pg.kill()?;
                    let cluster = pg.is_cluster();
                    self.truth.office_down = true;
                    self.truth.outages.push((Instant::now(), None));
                    self.day.office_outage = true;
                    if cluster {
                        self.day.failovers += 1;
                    }
                    let back = (down_s / 60.0).round();
                    self.happened(at, format!("{what}, back in {back} min"));
                    self.timeline.push(at + down_s, Act::OfficeBack);
                }
                Ok(())
            }
        }
    }

    /// A named person's badge revoked (or someone inside, at random); every
    /// entrance tries it once the propagation bound has passed.
    fn revoke(&mut self, at: f64, person: Option<usize>) -> Result<(), RehearseError> {
        let people = &self.desk.people;
        let inside: Vec<usize> = (0..people.len())
            .filter(|i| {
                self.truth
                    .inside
                    .iter()
                    .any(|(s, _)| *s == people[*i].serial)
            })
            .filter(|i| !self.truth.revoked.contains_key(&people[*i].serial))
            .collect();
        let who = match person {
            Some(n) => n - 1,
            None if !inside.is_empty() => inside[self.rng.below(inside.len())],
            None => self.rng.below(people.len()),
        };
        let serial = people[who].serial.clone();
        let name = people[who].name.clone();
        let (text, _) = self
            .desk
            .list
            .add_and_sign(
                &self.desk.key,
                std::slice::from_ref(&serial),
                "reported lost (rehearsal)",
                badgegate_core::clock::now_ms() / 1000,
            )
            .map_err(|e| RehearseError::Setup(e.to_string()))?;
        let text = text.ok_or_else(|| RehearseError::Setup("the list did not change".into()))?;
        write_atomic(&self.dir.join("lists/rl.txt"), &text)?;
        self.day
            .published
            .push((self.desk.list.sequence, badgegate_core::clock::now_ms()));
        self.revocations += 1;
        let number = self.revocations;
        self.truth
            .revoked
            .insert(serial.clone(), (Instant::now(), number));
        let where_ = if inside.contains(&who) {
            ", who is inside"
        } else {
            ""
        };
        self.happened(at, format!("revoked {serial} ({name}){where_}"));
        let probe_at = at + (self.scenario.propagation_bound_s + 0.5) * self.scale;
        for (gi, g) in self.scenario.gates.iter().enumerate() {
            if g.direction == "in" {
                self.timeline.push(
                    probe_at,
                    Act::Probe {
                        serial: serial.clone(),
                        gate: gi,
                        revoked_no: number,
                    },
                );
            }
        }
        Ok(())
    }

    /// A stranger-signed card claiming someone's name at a gate.
    fn forged(&mut self, at: f64, gate: &str) -> Result<(), RehearseError> {
        let g = gate_index(&self.venue, gate);
        let victim = self.rng.below(self.desk.people.len());
        let v = &self.desk.people[victim];
        let text = self.desk.sign(&self.desk.stranger, v)?;
        let (serial, name, category) = (v.serial.clone(), v.name.clone(), v.category.clone());
        self.happened(
            at,
            format!("a forged badge claiming {serial} ({name}) at gate {gate}"),
        );
        if self.venue.down_until[g].is_none() {
            scan(
                &mut self.venue,
                &mut self.truth,
                &mut self.day,
                g,
                at,
                Shown {
                    serial: &serial,
                    text: &text,
                    who: "a forger",
                    why: "forged",
                    category: &category,
                    forged: true,
                    hand: Hand::Confirm,
                },
            )?;
        }
        Ok(())
    }

    /// A holder goes in and hands the badge back over the barrier; a
    /// follower shows it.
    fn tailgate(&mut self, at: f64, gate: &str) -> Result<(), RehearseError> {
        let g = gate_index(&self.venue, gate);
        self.extra += 1;
        let extra = self.extra;
        let holder = Person {
            number: 0,
            serial: format!("TG-{extra:04}"),
            name: format!("Tailgate holder {extra}"),
            org: String::new(),
            category: self
                .scenario
                .people
                .categories
                .keys()
                .next()
                .cloned()
                .unwrap_or_else(|| "guest".into()),
            zone: self.venue.specs[g].zone.clone(),
            moves: Vec::new(),
        };
        let text = self.desk.sign(&self.desk.key, &holder)?;
        self.happened(
            at,
            format!(
                "tailgating at gate {gate}: {} goes in and hands the badge back",
                holder.serial
            ),
        );
        if self.venue.down_until[g].is_none() {
            for (who, why) in [(holder.name.as_str(), "enter"), ("a follower", "tailgate")] {
                scan(
                    &mut self.venue,
                    &mut self.truth,
                    &mut self.day,
                    g,
                    at,
                    Shown {
                        serial: &holder.serial,
                        text: &text,
                        who,
                        why,
                        category: &holder.category,
                        forged: false,
                        hand: Hand::Confirm,
                    },
                )?;
            }
        }
        Ok(())
    }

    /// Someone who has not arrived yet lost their badge; a finder uses it.
    fn lost_badge(&mut self, at: f64, gate: &str) -> Result<(), RehearseError> {
        let g = gate_index(&self.venue, gate);
        let people = &self.desk.people;
        let not_yet: Vec<usize> = (0..people.len())
            .filter(|i| {
                people[*i].moves[0].0 > at && !self.truth.revoked.contains_key(&people[*i].serial)
            })
            .collect();
        let pick = not_yet.get(self.rng.below(not_yet.len().max(1))).copied();
        let (Some(victim), true) = (pick, self.venue.down_until[g].is_none()) else {
            return Ok(());
        };
        let (serial, name) = (people[victim].serial.clone(), people[victim].name.clone());
        self.happened(
            at,
            format!("{serial} ({name}) lost their badge; a finder uses it at gate {gate}"),
        );
        if self.show_card(g, at, victim, Some("a finder"), "lost_badge")? == Some(true) {
            self.day.limits.push(format!(
                "{}: a finder walked in on {name}'s lost badge {serial} at gate {gate}: a badge without a photo is not bound to a face until it is revoked; its holder may then be refused as already inside",
                clock_text(at)
            ));
        }
        Ok(())
    }

    /// Another face put in place of `serial`'s photo in gate `g`'s folder.
    fn swap_photo(&mut self, g: usize, serial: &str) -> Result<(), RehearseError> {
        self.extra += 1;
        let face = crate::photos::portrait_jpeg(1_000_000 + self.extra as u64)?;
        let photo = self
            .dir
            .join(format!("photos-{}", self.venue.specs[g].id))
            .join(photo_file_name(serial));
        write_atomic(&photo, &face)?;
        self.truth.swapped.insert((g, serial.to_owned()));
        Ok(())
    }

    /// An impostor's face put in place of someone's photo at one gate; the
    /// impostor shows a copy of the badge there.
    fn photo_swap(&mut self, at: f64, gate: &str) -> Result<(), RehearseError> {
        let g = gate_index(&self.venue, gate);
        let people = &self.desk.people;
        let candidates: Vec<usize> = (0..people.len())
            .filter(|i| !self.truth.revoked.contains_key(&people[*i].serial))
            .filter(|i| !self.truth.swapped.contains(&(g, people[*i].serial.clone())))
            .collect();
        if candidates.is_empty() || self.venue.down_until[g].is_some() {
            return Ok(());
        }
        let victim = candidates[self.rng.below(candidates.len())];
        let (serial, name) = (people[victim].serial.clone(), people[victim].name.clone());
        self.swap_photo(g, &serial)?;
        self.happened(
            at,
            format!("{name}'s photo ({serial}) replaced at gate {gate} by an impostor's, who shows a copy of the badge"),
        );
        self.show_card(g, at, victim, Some("an impostor"), "photo_swap")?;
        Ok(())
    }

    /// Someone arriving at a staffed entrance whom the guard decides for
    /// by hand: a photo on file that is not theirs (the gate refuses, the
    /// guard admits after the passport), or a passport that does not match
    /// at an ID check (the guard refuses). They arrive now, not as planned,
    /// and stay where the guard's decision leaves them.
    fn by_hand(&mut self, at: f64, gate: &str, hand: Hand) -> Result<(), RehearseError> {
        let g = gate_index(&self.venue, gate);
        let checked = self
            .truth
            .id_checks
            .last()
            .map(|c| c.1.clone())
            .unwrap_or_default();
        let people = &self.desk.people;
        let candidates: Vec<usize> = (0..people.len())
            .filter(|i| people[*i].moves[0].0 > at)
            .filter(|i| !self.truth.revoked.contains_key(&people[*i].serial))
            .filter(|i| !self.truth.gave_up.contains(i))
            .filter(|i| hand != Hand::RefuseId || checked.contains(&people[*i].category))
            .collect();
        if candidates.is_empty() || self.venue.down_until[g].is_some() {
            return Ok(());
        }
        let person = candidates[self.rng.below(candidates.len())];
        let (serial, name) = (people[person].serial.clone(), people[person].name.clone());
        if hand == Hand::Admit {
            self.swap_photo(g, &serial)?;
            self.happened(
                at,
                format!("{name} ({serial}) arrives at gate {gate}, whose photo of them is an old one: the guard checks the passport and admits them by hand"),
            );
        } else {
            self.happened(
                at,
                format!("{serial}'s badge is shown at gate {gate} by someone whose passport does not match: the guard refuses them at the ID check"),
            );
        }
        let who = (hand == Hand::RefuseId).then_some("someone with another's passport");
        self.show_card_by(g, at, person, who, "by_hand", hand)?;
        // Their plan is over: inside by the guard's hand, or sent away.
        self.truth.gave_up.insert(person);
        Ok(())
    }

    /// A newer venue policy with other ID-check categories, published.
    fn policy_change(&mut self, at: f64, id_check: &[String]) -> Result<(), RehearseError> {
        let checks: BTreeSet<String> = id_check.iter().cloned().collect();
        let (next, text) = venue_policy(
            self.scenario,
            &checks,
            Some(&self.desk.policy),
            &self.desk.key,
            badgegate_core::clock::now_ms() / 1000,
        )?;
        write_atomic(&self.dir.join("policy.txt"), &text)?;
        let who = if checks.is_empty() {
            "nobody".to_owned()
        } else {
            checks.iter().cloned().collect::<Vec<_>>().join(", ")
        };
        self.happened(
            at,
            format!("policy {} published: ID checks for {who}", next.sequence),
        );
        self.desk.policy = next;
        self.truth.id_checks.push((Some(Instant::now()), checks));
        Ok(())
    }
}

fn gate_index(venue: &Venue, id: &str) -> usize {
    venue.specs.iter().position(|g| g.id == id).unwrap_or(0)
}

/// A running gate of `direction`, at random.
fn pick_gate(venue: &Venue, direction: &str, zone: Option<&str>, rng: &mut Rng) -> Option<usize> {
    let up: Vec<usize> = (0..venue.specs.len())
        .filter(|i| venue.specs[*i].direction == direction && venue.down_until[*i].is_none())
        .filter(|i| zone.is_none_or(|z| venue.specs[*i].zone == z))
        .collect();
    (!up.is_empty()).then(|| up[rng.below(up.len())])
}

/// When the day pauses for a checkpoint (scenario seconds): the
/// scenario's times, or the opening and halfway from it to the end.
fn checkpoint_times(scenario: &Scenario) -> Result<Vec<f64>, RehearseError> {
    if !scenario.checkpoints.is_empty() {
        return scenario.checkpoints.iter().map(|c| clock_secs(c)).collect();
    }
    let opening = clock_secs(&scenario.day.opening)?;
    let end = clock_secs(&scenario.day.end)?;
    Ok(vec![opening, (opening + end) / 2.0])
}

/// The category of the staffed gates' guards, staff in the venue policy.
const STAFF_CATEGORY: &str = "guard";

/// The venue's signed policy: its zones, gates and categories (those in
/// `id_check` marked so), in its time zone; the next after `previous`.
fn venue_policy(
    s: &Scenario,
    id_check: &BTreeSet<String>,
    previous: Option<&badgegate_core::format::policy::VenuePolicy>,
    key: &SecretKey,
    now: u64,
) -> Result<(badgegate_core::format::policy::VenuePolicy, String), RehearseError> {
    use badgegate_core::format::policy::{PolicyBody, VenuePolicy};
    let mut draft = format!("venue: {}\ntime-zone: {}\n", s.name, s.time_zone);
    for z in &s.zones {
        let name = if z.name.is_empty() { &z.code } else { &z.name };
        draft.push_str(&format!("zone: {} {name}\n", z.code));
    }
    let mut categories: BTreeSet<&String> = s.people.categories.keys().collect();
    categories.extend(s.id_check.iter());
    categories.extend(id_check.iter());
    for c in categories {
        let flag = if id_check.contains(c) {
            "id-check"
        } else {
            "-"
        };
        let [r, g, b] = badgegate_core::format::category::category_colour(c);
        draft.push_str(&format!(
            "category: {c} #{r:02x}{g:02x}{b:02x} {flag} {c}\n"
        ));
    }
    if s.gates.iter().any(|g| g.guard) {
        draft.push_str(&format!(
            "category: {STAFF_CATEGORY} #008050 staff Venue security\n"
        ));
    }
    for g in &s.gates {
        draft.push_str(&format!(
            "gate: {} {} {} Gate {}\n",
            g.id, g.zone, g.direction, g.id
        ));
    }
    let body = PolicyBody::parse_lines(&draft, 1, true)
        .map_err(|e| RehearseError::Scenario(format!("the venue's policy: {e}")))?;
    VenuePolicy::next(previous, body, key, now)
        .map_err(|e| RehearseError::Setup(e.to_string()))?
        .ok_or_else(|| RehearseError::Setup("the policy did not change".into()))
}

/// Writes a file a gate may read at any moment (a list, a photo): whole
/// or not at all, through the core's atomic write.
fn write_atomic(path: &Path, bytes: impl AsRef<[u8]>) -> Result<(), RehearseError> {
    badgegate_core::files::write_atomic(path, bytes.as_ref(), 0o644, true)
        .map_err(|e| RehearseError::Setup(format!("{}: {e}", path.display())))
}
