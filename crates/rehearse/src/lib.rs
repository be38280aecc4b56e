//! `badgegate rehearse`: a whole event rehearsed before it happens. A
//! scenario file describes the venue, its people, the day's arrival curve
//! and events at times (revocations, forgeries, tailgating, a lost badge,
//! a gate PC or the office's server killed); the real kiosk processes and
//! a real PostgreSQL office run the day, time compressed; an oracle that
//! knows the ground truth checks every decision, the chains, the muster
//! list in every view, the office's copy of every record and how fast
//! revocations travelled; a report says what held and what did not.
//!
//! Inside: `scenario` (the file), `plan` (the people and their day, from
//! the seed), `run` (the day, run, each decision checked as it comes),
//! `check` (the checks after the day), `report` (JSON and HTML), `gates`
//! and `office` (the real parts). Public: [`rehearse`], [`run_day`] and
//! [`check_day`]; [`pg`] (a throw-away PostgreSQL), [`ha`] (etcd and
//! Patroni) and [`proxy`] (the network between each gate and the office),
//! which the tests use too.

mod camera;
mod check;
mod checkpoint;
mod gates;
mod guard;
pub mod ha;
mod office;
pub mod pg;
mod photos;
mod plan;
pub mod proxy;
mod report;
mod run;
mod scenario;

use std::path::Path;

pub use check::Check;
pub use report::{GateStats, Report};
pub use run::{Day, Options, Scan};
pub use scenario::Scenario;

/// What can stop a rehearsal (a failed check is not an error: it is in
/// the report).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RehearseError {
    #[error("scenario: {0}")]
    Scenario(String),
    #[error("{0}")]
    Setup(String),
    #[error("{0}")]
    Gate(String),
    #[error("checking: {0}")]
    Check(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Runs a scenario's day (each decision checked as it comes) without the
/// checks after it: for a test that changes what the day left behind.
pub fn run_day(
    scenario: &Scenario,
    opts: &Options,
    progress: &mut dyn FnMut(&str),
) -> Result<Day, RehearseError> {
    run::run(scenario, opts, progress)
}

/// The checks after a day: chains, muster in every view, the office's
/// copy of every record, alarms, lists taken up.
pub fn check_day(day: &Day, progress: &mut dyn FnMut(&str)) -> Result<Vec<Check>, RehearseError> {
    check::all(day, progress)
}

/// Runs a scenario and checks it; writes `report.json` and `report.html`
/// into the rehearsal's folder.
pub fn rehearse(
    scenario: &Scenario,
    opts: &Options,
    progress: &mut dyn FnMut(&str),
) -> Result<Report, RehearseError> {
    let people = plan::people(scenario)?.len();
    let day = run::run(scenario, opts, progress)?;
    let checks = check::all(&day, progress)?;
    let lag = check::office_lag(&day)?;
    let report = report::build(&day, checks, people, lag);
    write(
        &opts.dir.join("report.json"),
        &serde_json::to_string_pretty(&report).unwrap_or_default(),
    )?;
    write(&opts.dir.join("report.html"), &report.html())?;
    let scans: String = report
        .scans
        .iter()
        .filter_map(|s| serde_json::to_string(s).ok())
        .map(|l| l + "\n")
        .collect();
    write(&opts.dir.join("scans.jsonl"), &scans)?;
    Ok(report)
}

fn write(path: &Path, text: &str) -> Result<(), RehearseError> {
    std::fs::write(path, text)?;
    Ok(())
}
