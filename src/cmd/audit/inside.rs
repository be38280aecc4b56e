//! `badgegate audit inside`: Who is inside, per zone: the muster list.

use std::process::ExitCode;

use badgegate::audit::inside;
use badgegate::clock::VenueTime;
use badgegate::text::{column, json_line, printable, printable_short};

use super::{done, ms, open_checked, venue_time};
use crate::cli::AuditInsideArgs;

pub fn run(a: AuditInsideArgs) -> anyhow::Result<ExitCode> {
    let (j, chain) = open_checked(&a.journal)?;
    let at = ms(&a.at, "--at")?;
    let mut zones = inside::inside(&j, at)?;
    let venue = venue_time(&j, a.time_zone.as_deref())?;
    inside::mark_broken(&mut zones, &chain);
    if a.json {
        for (zone, people) in &zones {
            for p in people {
                let mut v = serde_json::to_value(p)?;
                if let Some(m) = v.as_object_mut() {
                    m.insert("zone".into(), zone.clone().into());
                }
                println!("{}", json_line(&v));
            }
        }
        return Ok(done(&chain));
    }
    let total: usize = zones.values().map(Vec::len).sum();
    println!(
        "inside {}: {total} person(s)",
        at.map(|t| venue.at_ms(t))
            .unwrap_or_else(|| "at the end of the journal".into())
    );
    for (zone, people) in &zones {
        println!("\nzone {} — {} inside", printable(zone), people.len());
        for p in people {
            println!(
                "  {} {} {} {} since {} via {}{}{}",
                column(&p.serial, 10),
                column(&p.name, 32),
                column(&p.org, 28),
                column(&p.category, 12),
                venue.at_ms(p.since_ms),
                printable_short(&p.gate, 16),
                if p.chain_broken {
                    "  UNTRUSTED: this gate's journal is broken"
                } else {
                    ""
                },
                marks(p, &venue)
            );
        }
    }
    Ok(done(&chain))
}

/// A person's marks, after their line (empty: none).
fn marks(p: &inside::Present, venue: &VenueTime) -> String {
    let mut out: String = p.marks().iter().map(|m| format!("  {m}")).collect();
    if let Some(v) = &p.revoked {
        out.push_str(&format!(
            " (refused as revoked at gate {} {})",
            printable_short(&v.gate, 16),
            venue.at_ms(v.at_ms)
        ));
    }
    out
}
