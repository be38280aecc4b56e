//! `badgegate rehearse`: a whole event rehearsed before it happens. A
//! scenario file describes the venue, its people, the day's arrival curve
//! and events at times (revocations, forgeries, tailgating, a lost badge,
//! a gate PC or the office's server killed); the real kiosk processes and
//! a real PostgreSQL office run the day, time compressed; an oracle that
//! knows the ground truth checks every decision, the chains, the muster
//! list in every view, the office's copy of every record and how fast
//! revocations travelled; a report says what held and what did not.
//!
//! - [`scenario`]: the file.
//! - [`plan`]: the people and their day, from the seed.
//! - [`run`]: the day, run, each decision checked as it comes.
//! - [`check`]: the checks after the day.
//! - [`report`]: JSON and HTML.
//! - [`pg`], [`gates`], [`proxy`]: the real parts, and the network between
//!   each gate and the office.

pub mod check;
pub mod gates;
pub mod ha;
pub mod office;
pub mod pg;
pub mod photos;
pub mod plan;
pub mod proxy;
pub mod report;
pub mod run;
pub mod scenario;

use std::path::Path;

pub use report::Report;
pub use run::Options;
pub use scenario::Scenario;

/// What can stop a rehearsal (a failed check is not an error: it is in
/// the report).
#[derive(Debug, thiserror::Error)]
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
