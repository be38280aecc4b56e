//! `badgegate audit`: the security office's view of the journals, one file
//! a subcommand.

use std::path::Path;
use std::process::ExitCode;

use anyhow::anyhow;
use badgegate::audit::Filter;
use badgegate::clock;
use badgegate::journal::Journal;
use badgegate::vocab::{EntryDecision, EntryReason};

use crate::cli::{AuditArgs, AuditCommand, AuditFilterArgs};

mod export;
mod head;
mod inside;
mod log;
mod merge;
mod report;
mod stats;
mod verify;

pub fn run(a: AuditArgs) -> anyhow::Result<ExitCode> {
    match a.command {
        AuditCommand::Log(a) => log::run(a),
        AuditCommand::Export(a) => export::run(a),
        AuditCommand::Verify(a) => verify::run(a),
        AuditCommand::Head(a) => head::run(a),
        AuditCommand::Stats(a) => stats::run(a),
        AuditCommand::Inside(a) => inside::run(a),
        AuditCommand::Merge(a) => merge::run(a),
        AuditCommand::Report(a) => report::run(a),
    }
}

/// An RFC 3339 flag as Unix milliseconds.
fn ms(t: &Option<String>, flag: &str) -> anyhow::Result<Option<u64>> {
    t.as_ref()
        .map(|t| {
            clock::parse_rfc3339(t)
                .map(|s| s * 1000)
                .map_err(|e| anyhow!("{flag}: {e}"))
        })
        .transpose()
}

/// The filter flags, checked.
fn filter(f: &AuditFilterArgs) -> anyhow::Result<Filter> {
    let decision = f
        .decision
        .as_deref()
        .map(|d| match EntryDecision::from_code(d) {
            Some(d @ (EntryDecision::Admit | EntryDecision::Deny)) => Ok(d),
            _ => Err(anyhow!("--decision must be admit or deny, not {d:?}")),
        })
        .transpose()?;
    let reason = f
        .reason
        .as_deref()
        .map(|r| {
            EntryReason::from_code(r).ok_or_else(|| {
                anyhow!("--reason {r:?} is not a reason code (e.g. ok, expired, revoked, wrong_zone, override)")
            })
        })
        .transpose()?;
    Ok(Filter {
        from_ms: ms(&f.from, "--from")?,
        to_ms: ms(&f.to, "--to")?.map(|t| t + 999),
        gate: f.gate.clone(),
        zone: f.zone.clone(),
        serial: f.serial.clone(),
        name: f.name.clone(),
        decision,
        reason,
        kiosk: f.kiosk.clone(),
        with_starts: f.with_starts,
    })
}

/// A journal opened for reading.
fn open(path: &Path) -> anyhow::Result<Journal> {
    Ok(Journal::open_readonly(path)?)
}
