//! `badgegate audit head`: Print each kiosk's chain head to keep away from the kiosk.

use std::process::ExitCode;

use anyhow::bail;
use badgegate::audit::heads;
use badgegate::clock::{self, format_utc_ms};
use badgegate::files::write_atomic;
use badgegate::text::shown_path;

use super::open;
use crate::cli::AuditHeadArgs;
use crate::cmd::Exit;

pub fn run(a: AuditHeadArgs) -> anyhow::Result<ExitCode> {
    let j = open(&a.journal)?;
    let report = badgegate::journal::verify_chain(&j)?;
    if !report.is_intact() {
        bail!(
            "the journal's chain is broken ({}); run `badgegate audit verify` and do not export a head from it",
            report.problems[0]
        );
    }
    let text = format!(
        "# badgegate chain heads of {} at {}\n{}",
        shown_path(&a.journal),
        format_utc_ms(clock::now_ms()),
        heads::format_heads(&report)
    );
    match &a.out {
        Some(p) => {
            write_atomic(p, text.as_bytes(), 0o644, true)?;
            say!(
                "chain heads written to {}: keep this file away from the kiosk",
                shown_path(p)
            );
        }
        None => print!("{text}"),
    }
    Ok(Exit::Ok.into())
}
