//! The scenario file (TOML): the venue, its people, the day's arrival
//! curve and the events at times. `scenarios/` holds ready ones;
//! `docs/rehearsal.md` explains every key.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::RehearseError;

/// A whole rehearsal as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    /// The venue's IANA time zone (the policy's; the report's times).
    #[serde(default = "utc")]
    pub time_zone: String,
    /// The same seed gives the same people, routes and events.
    #[serde(default = "one")]
    pub seed: u64,
    /// Scenario seconds a wall-clock second: 60 runs an hour in a minute.
    #[serde(default = "sixty")]
    pub time_scale: f64,
    /// A real PostgreSQL office (venue-wide anti-passback, records pushed);
    /// `false`: each gate alone.
    #[serde(default)]
    pub office: bool,
    /// The office's database servers: 1, or 2 and more for a Patroni
    /// cluster in synchronous replication (`kill_office` then loses the
    /// primary's machine and the office fails over).
    #[serde(default = "one_server")]
    pub office_servers: usize,
    /// What an entrance does with a badge already inside: `hard` or `soft`.
    #[serde(default = "hard")]
    pub anti_passback: String,
    /// Wall seconds within which every gate must refuse a badge after its
    /// revocation is published.
    #[serde(default = "three")]
    pub propagation_bound_s: f64,
    /// Categories whose entries wait for an ID check (admitted flagged by
    /// headless gates).
    #[serde(default)]
    pub id_check: Vec<String>,
    /// Seconds one person takes to pass a gate besides the decision
    /// (showing the card, the door): the report's queue estimates.
    #[serde(default = "four")]
    pub service_s: f64,
    /// Every badge carries its holder's photo (format 2): the gates look
    /// it up in their photo folders and refuse a file that is not it.
    #[serde(default)]
    pub photos: bool,
    /// Times (`HH:MM`) the day pauses to compare who is inside by the
    /// truth with the views; none given: the opening, and halfway from
    /// there to the end.
    #[serde(default)]
    pub checkpoints: Vec<String>,
    pub day: Day,
    #[serde(rename = "zone")]
    pub zones: Vec<Zone>,
    #[serde(rename = "gate")]
    pub gates: Vec<Gate>,
    pub people: People,
    #[serde(default, rename = "event")]
    pub events: Vec<Event>,
}

/// The day's clock, as `HH:MM` on the scenario's day.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Day {
    /// The doors open.
    pub start: String,
    /// The opening session: the peak of arrivals ends here.
    pub opening: String,
    /// The day ends: whoever leaves, leaves by then.
    pub end: String,
    /// Share of people arriving in the `peak_minutes` before the opening.
    #[serde(default = "peak_share")]
    pub peak_share: f64,
    #[serde(default = "peak_minutes")]
    pub peak_minutes: f64,
    /// Share who step out once during the day and come back.
    #[serde(default = "step_out_share")]
    pub step_out_share: f64,
    /// Share who leave before the end (the rest are inside at the end).
    #[serde(default = "leave_share")]
    pub leave_share: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    pub code: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gate {
    pub id: String,
    pub zone: String,
    /// `in` or `out`.
    pub direction: String,
    /// Breaks this gate on purpose, to show the oracle catches it:
    /// `stale_lists` (never takes up a new revocation list),
    /// `no_passback` (anti-passback off), `no_office` (never reaches the
    /// venue's office).
    #[serde(default)]
    pub sabotage: Option<String>,
    /// The gate reads badges with a camera: each showing is a camera
    /// frame of the printed card (JPEG on its stdin, as an IP camera's
    /// stream), not the scanner's line of text.
    #[serde(default)]
    pub camera: bool,
    /// A guard works this gate: the kiosk runs with the guard's screen
    /// (its real window, on a private Xvfb display; `xvfb` and `xdotool`
    /// installed), the guard signs in with a staff badge, confirms ID
    /// checks with Enter and acts when an event says so. An entrance only.
    #[serde(default)]
    pub guard: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct People {
    pub count: usize,
    /// Category and its weight, e.g. `{ delegate = 30, press = 8, hod = 2 }`.
    pub categories: BTreeMap<String, u32>,
}

/// Something that happens at a time of the day.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Event {
    /// The desk revokes someone's badge (`person`: a number from 1, else
    /// someone inside at that moment); every entrance is then probed with
    /// it once the propagation bound has passed.
    Revoke { at: String, person: Option<usize> },
    /// A badge signed by a stranger's key, claiming someone's name and
    /// serial, shown at `gate`.
    Forged { at: String, gate: String },
    /// Two people, one badge: a holder goes in and hands the badge back
    /// over the barrier.
    Tailgate { at: String, gate: String },
    /// Someone finds a lost badge and walks in with it before its holder
    /// arrives.
    LostBadge { at: String, gate: String },
    /// The gate PC is killed and started again `down_s` scenario seconds
    /// later; its people use another gate meanwhile.
    KillGate {
        at: String,
        gate: String,
        down_s: f64,
    },
    /// Someone replaces a holder's photo in `gate`'s photo folder with
    /// their own face and walks up with a copy of the badge (needs
    /// `photos = true`; `gate` an entrance).
    PhotoSwap { at: String, gate: String },
    /// At a staffed entrance, the photo the gate holds for someone
    /// arriving is not theirs (an old one loaded by mistake): the gate
    /// refuses the badge (photo_mismatch); the guard checks the passport
    /// and admits them by hand with a note (needs `photos = true`).
    HandAdmit { at: String, gate: String },
    /// At a staffed entrance, someone of a category checked by ID arrives;
    /// the passport does not match and the guard refuses them at the ID
    /// check (Escape).
    HandRefuse { at: String, gate: String },
    /// The gate PC's disk fills: the gate must go out of service at its
    /// next record, admitting nobody and losing nothing; `down_s`
    /// scenario seconds later space is freed and it is started again.
    DiskFull {
        at: String,
        gate: String,
        down_s: f64,
    },
    /// Someone (or something) sets `gate`'s PC clock by `step_s` real
    /// seconds: negative sets it back (the gate must keep its own time, so
    /// no badge comes back to life and none turns not-yet-valid), positive
    /// forward. The gate runs under libfaketime from the start (the
    /// `faketime` package), only its wall clock moved.
    ClockStep {
        at: String,
        gate: String,
        step_s: f64,
    },
    /// The office's server is killed and started again `down_s` scenario
    /// seconds later.
    KillOffice { at: String, down_s: f64 },
    /// The desk signs the venue's next policy: from now these categories'
    /// entries wait for an ID check (every gate takes it up within the
    /// propagation bound).
    PolicyChange { at: String, id_check: Vec<String> },
    /// The network between `gate` and the office is cut for `down_s`
    /// scenario seconds: `refuse` (connections reset and refused) or
    /// `blackhole` (nothing answers, nothing fails).
    Partition {
        at: String,
        gate: String,
        down_s: f64,
        #[serde(default = "refuse")]
        mode: String,
    },
}

impl Event {
    pub fn at(&self) -> &str {
        match self {
            Event::Revoke { at, .. }
            | Event::Forged { at, .. }
            | Event::Tailgate { at, .. }
            | Event::LostBadge { at, .. }
            | Event::KillGate { at, .. }
            | Event::DiskFull { at, .. }
            | Event::PhotoSwap { at, .. }
            | Event::HandAdmit { at, .. }
            | Event::HandRefuse { at, .. }
            | Event::KillOffice { at, .. }
            | Event::PolicyChange { at, .. }
            | Event::ClockStep { at, .. }
            | Event::Partition { at, .. } => at,
        }
    }
}

fn refuse() -> String {
    "refuse".into()
}
fn utc() -> String {
    "UTC".into()
}
fn one() -> u64 {
    1
}
fn sixty() -> f64 {
    60.0
}
fn three() -> f64 {
    3.0
}
fn one_server() -> usize {
    1
}
fn four() -> f64 {
    4.0
}
fn hard() -> String {
    "hard".into()
}
fn peak_share() -> f64 {
    0.65
}
fn peak_minutes() -> f64 {
    45.0
}
fn step_out_share() -> f64 {
    0.2
}
fn leave_share() -> f64 {
    0.6
}

/// Seconds since midnight of `HH:MM`.
pub fn clock_secs(s: &str) -> Result<f64, RehearseError> {
    let bad = || RehearseError::Scenario(format!("{s:?} is not a time of day (HH:MM)"));
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(f64::from(h * 3600 + m * 60))
}

/// `HH:MM:SS` of seconds since midnight.
pub fn clock_text(secs: f64) -> String {
    let s = secs.max(0.0) as u64;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

impl Scenario {
    /// Reads and checks a scenario file's text.
    pub fn parse(text: &str) -> Result<Scenario, RehearseError> {
        let s: Scenario =
            toml::from_str(text).map_err(|e| RehearseError::Scenario(e.to_string()))?;
        s.check()?;
        Ok(s)
    }

    fn check(&self) -> Result<(), RehearseError> {
        let bad = |what: String| Err(RehearseError::Scenario(what));
        if !(self.time_scale > 0.0 && self.time_scale <= 100_000.0) {
            return bad(format!(
                "time_scale {} is not between 0 and 100000",
                self.time_scale
            ));
        }
        if !matches!(self.anti_passback.as_str(), "hard" | "soft") {
            return bad(format!(
                "anti_passback {:?}: hard or soft",
                self.anti_passback
            ));
        }
        if self.people.count == 0 || self.people.count > 100_000 {
            return bad(format!(
                "people.count {} is not 1 to 100000",
                self.people.count
            ));
        }
        if self.people.categories.values().all(|w| *w == 0) {
            return bad("people.categories needs a category with a weight above 0".into());
        }
        let (start, opening, end) = (
            clock_secs(&self.day.start)?,
            clock_secs(&self.day.opening)?,
            clock_secs(&self.day.end)?,
        );
        if !(start < opening && opening < end) {
            return bad("the day's start, opening and end must come in that order".into());
        }
        for share in [
            self.day.peak_share,
            self.day.step_out_share,
            self.day.leave_share,
        ] {
            if !(0.0..=1.0).contains(&share) {
                return bad(format!("share {share} is not between 0 and 1"));
            }
        }
        let mut ids = std::collections::BTreeSet::new();
        for g in &self.gates {
            if !ids.insert(g.id.as_str()) {
                return bad(format!("gate {:?} is named twice", g.id));
            }
            if !self.zones.iter().any(|z| z.code == g.zone) {
                return bad(format!(
                    "gate {:?}: zone {:?} is not a [[zone]]",
                    g.id, g.zone
                ));
            }
            if !matches!(g.direction.as_str(), "in" | "out") {
                return bad(format!(
                    "gate {:?}: direction {:?}: in or out",
                    g.id, g.direction
                ));
            }
            if g.guard && (g.direction != "in" || g.camera) {
                return bad(format!(
                    "gate {:?}: a staffed gate is an entrance reading scanner lines (guard = true, direction \"in\", no camera)",
                    g.id
                ));
            }
            if let Some(s) = &g.sabotage {
                if !matches!(s.as_str(), "stale_lists" | "no_passback" | "no_office") {
                    return bad(format!(
                        "gate {:?}: sabotage {s:?}: stale_lists, no_passback or no_office",
                        g.id
                    ));
                }
            }
        }
        if !self.gates.iter().any(|g| g.direction == "in") {
            return bad("the venue needs an entrance (a gate with direction \"in\")".into());
        }
        for c in &self.checkpoints {
            let t = clock_secs(c)?;
            if t < start || t > end {
                return bad(format!("checkpoint {c} is outside the day"));
            }
        }
        for e in &self.events {
            let t = clock_secs(e.at())?;
            if t < start || t > end {
                return bad(format!("event at {} is outside the day", e.at()));
            }
            let gate = match e {
                Event::Forged { gate, .. }
                | Event::Tailgate { gate, .. }
                | Event::LostBadge { gate, .. }
                | Event::KillGate { gate, .. }
                | Event::DiskFull { gate, .. }
                | Event::PhotoSwap { gate, .. }
                | Event::HandAdmit { gate, .. }
                | Event::HandRefuse { gate, .. }
                | Event::ClockStep { gate, .. }
                | Event::Partition { gate, .. } => Some(gate),
                _ => None,
            };
            if let Some(g) = gate {
                if !self.gates.iter().any(|x| &x.id == g) {
                    return bad(format!("event at {}: no gate {g:?}", e.at()));
                }
            }
            if let Event::Revoke {
                person: Some(p), ..
            } = e
            {
                if *p == 0 || *p > self.people.count {
                    return bad(format!("event at {}: no person {p}", e.at()));
                }
            }
            if matches!(e, Event::KillOffice { .. } | Event::Partition { .. }) && !self.office {
                return bad(format!(
                    "event at {}: kill_office and partition need office = true",
                    e.at()
                ));
            }
            if let Event::PhotoSwap { gate, .. } = e {
                if !self.photos {
                    return bad(format!(
                        "event at {}: photo_swap needs photos = true",
                        e.at()
                    ));
                }
                if self
                    .gates
                    .iter()
                    .any(|g| &g.id == gate && g.direction != "in")
                {
                    return bad(format!(
                        "event at {}: photo_swap at gate {gate:?}, which is not an entrance",
                        e.at()
                    ));
                }
            }
            if let Event::HandAdmit { gate, .. } | Event::HandRefuse { gate, .. } = e {
                if !self.gates.iter().any(|g| &g.id == gate && g.guard) {
                    return bad(format!(
                        "event at {}: a guard's hand decision at gate {gate:?}, which is not staffed (guard = true)",
                        e.at()
                    ));
                }
                if matches!(e, Event::HandAdmit { .. }) && !self.photos {
                    return bad(format!(
                        "event at {}: hand_admit needs photos = true",
                        e.at()
                    ));
                }
            }
            // A staffed gate's guard signs in once, at the start.
            if let Event::KillGate { gate, .. }
            | Event::DiskFull { gate, .. }
            | Event::ClockStep { gate, .. } = e
            {
                if self.gates.iter().any(|g| &g.id == gate && g.guard) {
                    return bad(format!(
                        "event at {}: gate {gate:?} is staffed: kill_gate, disk_full and clock_step are rehearsed at headless gates",
                        e.at()
                    ));
                }
            }
            if let Event::PolicyChange { id_check, .. } = e {
                for c in id_check {
                    if !self.people.categories.contains_key(c) && !self.id_check.contains(c) {
                        return bad(format!(
                            "event at {}: policy_change names category {c:?}, which nobody has",
                            e.at()
                        ));
                    }
                }
            }
            if let Event::ClockStep { step_s, .. } = e {
                if step_s.abs() < 3.0 || !step_s.is_finite() {
                    return bad(format!(
                        "event at {}: clock_step of {step_s} s: a step is 3 s or more either way (smaller ones are slewed, not stepped)",
                        e.at()
                    ));
                }
            }
            if let Event::Partition { mode, .. } = e {
                if !matches!(mode.as_str(), "refuse" | "blackhole") {
                    return bad(format!(
                        "event at {}: partition mode {mode:?}: refuse or blackhole",
                        e.at()
                    ));
                }
            }
        }
        Ok(())
    }
}
