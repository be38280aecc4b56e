//! `badgegate audit`: the security office's view of the journals, one file
//! a subcommand.

use std::path::Path;
use std::process::ExitCode;

use anyhow::anyhow;
use badgegate::audit::Filter;
use badgegate::clock;
use badgegate::journal::{verify_chain, ChainReport, Journal};
use badgegate::text::printable;
use badgegate::vocab::{EntryDecision, EntryReason};

use super::Exit;
use crate::cli::{AuditArgs, AuditCommand, AuditFilterArgs, DecisionArg};

mod export;
mod head;
mod inside;
mod log;
mod merge;
mod report;
mod snapshot;
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
        AuditCommand::Snapshot(a) => snapshot::run(a),
    }
}

/// How this journal's times are shown: `--time-zone`, else the venue's as
/// its gates recorded it, else UTC.
fn venue_time(j: &Journal, asked: Option<&str>) -> anyhow::Result<clock::VenueTime> {
    let recorded = badgegate::audit::recorded_venue_time(j)?;
    clock::VenueTime::chosen(asked, recorded).map_err(|e| anyhow!("--time-zone: {e}"))
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
    let decision = f.decision.map(|d| match d {
        DecisionArg::Admit => EntryDecision::Admit,
        DecisionArg::Deny => EntryDecision::Deny,
    });
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

/// A journal opened for reading; what is doubtful about the file itself
/// (a copy missing its log) said on stderr.
fn open(path: &Path) -> anyhow::Result<Journal> {
    let j = Journal::open_readonly(path)?;
    for w in j.warnings() {
        say!("warning: {}", printable(w));
    }
    Ok(j)
}

/// A journal opened for reading, and its chain checked: every command that
/// reads records says on stderr when they cannot be trusted.
fn open_checked(path: &Path) -> anyhow::Result<(Journal, ChainReport)> {
    let j = open(path)?;
    let chain = verify_chain(&j)?;
    if let Some(first) = chain.problems.first() {
        say!(
            "warning: the journal's chain is BROKEN ({}{}); what follows cannot be trusted: run `badgegate audit verify`",
            printable(&first.to_string()),
            if chain.problems.len() > 1 {
                format!(", and {} more", chain.problems.len() - 1)
            } else {
                String::new()
            }
        );
    }
    Ok((j, chain))
}

/// Success, unless the chain was broken.
fn done(chain: &ChainReport) -> ExitCode {
    if chain.is_intact() {
        Exit::Ok.into()
    } else {
        Exit::Problem.into()
    }
}
