//! `badgegate audit report`: The HTML report with charts, chain status and the muster list.

use std::process::ExitCode;

use badgegate::audit::report;
use badgegate::files::write_atomic;
use badgegate::text::shown_path;

use super::{done, ms, open_checked, venue_time};
use crate::cli::AuditReportArgs;

pub fn run(a: AuditReportArgs) -> anyhow::Result<ExitCode> {
    let (j, chain) = open_checked(&a.journal)?;
    let venue = venue_time(&j, a.time_zone.as_deref())?;
    let html = report::report_html(&j, &chain, ms(&a.at, "--at")?, &venue)?;
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
    Ok(done(&chain))
}
