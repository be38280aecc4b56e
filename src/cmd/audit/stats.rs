//! `badgegate audit stats`: Counts per hour, gate and reason.

use std::process::ExitCode;

use badgegate::audit::stats;
use badgegate::clock::format_human;
use badgegate::text::{json_line, printable_short};

use super::{done, filter, open_checked};
use crate::cli::AuditStatsArgs;

pub fn run(a: AuditStatsArgs) -> anyhow::Result<ExitCode> {
    let (j, chain) = open_checked(&a.journal)?;
    let s = stats::stats(&j, &filter(&a.filter)?)?;
    if a.json {
        println!("{}", json_line(&s));
        return Ok(done(&chain));
    }
    println!(
        "decisions {}   admitted {} ({} flagged)   denied {}",
        s.decisions, s.admits, s.flagged, s.denies
    );
    if let (Some(f), Some(l)) = (s.first_ms, s.last_ms) {
        println!(
            "from {} to {}",
            format_human(f / 1000),
            format_human(l / 1000)
        );
    }
    println!(
        "peak entry rate: {} per minute{}",
        s.peak_entries_per_minute,
        s.peak_minute
            .as_ref()
            .map(|m| format!(" at {m}"))
            .unwrap_or_default()
    );
    println!("\nper gate           admitted   denied");
    for (g, (ad, de)) in &s.per_gate {
        println!("  {:<16} {:>8} {:>8}", printable_short(g, 16), ad, de);
    }
    println!("\ndenied by reason");
    let mut denies: Vec<_> = s.denies_by_reason.iter().collect();
    denies.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (r, n) in denies {
        println!("  {:<16} {:>8}", r, n);
    }
    println!("\nentries per hour (UTC)");
    for (hour, gates) in &s.entries_per_hour {
        let parts: Vec<String> = gates
            .iter()
            .map(|(g, n)| format!("{}={n}", printable_short(g, 16)))
            .collect();
        println!(
            "  {hour}  {:>6}  {}",
            gates.values().sum::<u64>(),
            parts.join(" ")
        );
    }
    Ok(done(&chain))
}
