//! `badgegate audit log`: List records, filtered, as a table or JSON lines.

use std::io::Write;
use std::process::ExitCode;

use badgegate::audit;
use badgegate::text::{column, json_line, printable, printable_short};

use super::{done, filter, open_checked, venue_time};
use crate::cli::AuditLogArgs;

pub fn run(a: AuditLogArgs) -> anyhow::Result<ExitCode> {
    let (j, chain) = open_checked(&a.journal)?;
    let venue = venue_time(&j, a.time_zone.as_deref())?;
    let rows = audit::select(&j, &filter(&a.filter)?, a.newest_first, a.limit)?;
    let mut out = std::io::stdout().lock();
    for e in &rows {
        if a.json {
            writeln!(out, "{}", json_line(e))?;
        } else {
            let b = &e.body;
            let shown = badgegate::rules::shown_claims(b);
            writeln!(
                out,
                "{}  {} {} {:<3} {:<8} {:<6} {:<15} {} {}{}",
                venue.at_ms(b.at_ms),
                column(&format!("{}#{}", e.kiosk_id, e.seq), 14),
                column(&b.gate, 12),
                b.direction,
                b.kind,
                b.decision,
                b.reason,
                column(shown.serial.as_deref().unwrap_or("-"), 10),
                match (shown.holder.is_empty(), shown.verified) {
                    (true, _) => "-".to_owned(),
                    (false, true) => printable_short(&shown.holder, 30),
                    // A forger's claims in full, marked: never cut to
                    // look like a name.
                    (false, false) => printable(&shown.holder),
                },
                b.note
                    .as_deref()
                    .map(|n| format!("  note: {}", printable_short(n, 60)))
                    .unwrap_or_default()
            )?;
        }
    }
    if !a.json {
        say!("{} record(s)", rows.len());
    }
    Ok(done(&chain))
}
