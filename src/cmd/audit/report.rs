//! `badgegate audit report`: The HTML report with charts, chain status and the muster list.

use std::process::ExitCode;

use badgegate::audit::report;
use badgegate::files::write_atomic;
use badgegate::text::shown_path;

use super::{ms, open};
use crate::cli::AuditReportArgs;
use crate::cmd::Exit;

pub fn run(a: AuditReportArgs) -> anyhow::Result<ExitCode> {
    let j = open(&a.journal)?;
    let chain = badgegate::journal::verify_chain(&j)?;
    let html = report::report_html(&j, &chain, ms(&a.at, "--at")?)?;
    write_atomic(&a.out, html.as_bytes(), 0o644, a.force)?;
    println!(
        "report written to {} (chain {})",
        shown_path(&a.out),
        if chain.is_intact() {
            "intact"
        } else {
            "BROKEN"
        }
    );
    Ok(Exit::Ok.into())
}
