//! `badgegate audit`: the security office's view of the journals.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context};
use badgegate::audit::{self, Filter};
use badgegate::clock::{self, format_human, format_utc_ms};
use badgegate::journal::{hex, Journal};
use badgegate::keys::write_file_atomic;
use badgegate::text::{printable, printable_short};

use crate::cli::{AuditArgs, AuditCommand, AuditFilterArgs};

fn ms(t: &Option<String>, flag: &str) -> anyhow::Result<Option<u64>> {
    t.as_ref()
        .map(|t| {
            clock::parse_rfc3339(t)
                .map(|s| s * 1000)
                .map_err(|e| anyhow!("{flag}: {e}"))
        })
        .transpose()
}

fn filter(f: &AuditFilterArgs) -> anyhow::Result<Filter> {
    Ok(Filter {
        from_ms: ms(&f.from, "--from")?,
        to_ms: ms(&f.to, "--to")?.map(|t| t + 999),
        gate: f.gate.clone(),
        zone: f.zone.clone(),
        serial: f.serial.clone(),
        name: f.name.clone(),
        decision: f.decision.clone(),
        reason: f.reason.clone(),
        kiosk: f.kiosk.clone(),
        with_starts: f.with_starts,
    })
}

fn open(path: &Path) -> anyhow::Result<Journal> {
    Ok(Journal::open_readonly(path)?)
}

pub fn run(a: AuditArgs) -> anyhow::Result<ExitCode> {
    match a.command {
        AuditCommand::Log(a) => {
            let j = open(&a.journal)?;
            let rows = audit::select(&j, &filter(&a.filter)?, a.newest_first, a.limit)?;
            let mut out = std::io::stdout().lock();
            for e in &rows {
                if a.json {
                    writeln!(out, "{}", serde_json::to_string(e)?)?;
                } else {
                    let b = &e.body;
                    writeln!(
                        out,
                        "{}  {:<14} {:<12} {:<3} {:<8} {:<6} {:<15} {:<10} {}{}",
                        format_utc_ms(b.at_ms),
                        printable_short(&format!("{}#{}", e.kiosk_id, e.seq), 14),
                        printable_short(&b.gate, 12),
                        b.direction.as_str(),
                        b.kind.as_str(),
                        b.decision,
                        b.reason,
                        printable_short(b.serial.as_deref().unwrap_or("-"), 10),
                        printable_short(b.holder.as_deref().unwrap_or("-"), 30),
                        b.note
                            .as_deref()
                            .map(|n| format!("  note: {}", printable_short(n, 60)))
                            .unwrap_or_default()
                    )?;
                }
            }
            if !a.json {
                eprintln!("{} record(s)", rows.len());
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Export(a) => {
            let j = open(&a.journal)?;
            let f = filter(&a.filter)?;
            let csv = match a.format.as_str() {
                "csv" => true,
                "jsonl" => false,
                other => bail!("--format must be csv or jsonl, not {other:?}"),
            };
            let export = |w: &mut dyn Write| -> anyhow::Result<u64> {
                Ok(if csv {
                    audit::export_csv(&j, &f, w)?
                } else {
                    audit::export_jsonl(&j, &f, w)?
                })
            };
            match &a.out {
                Some(p) => {
                    if p.exists() && !a.force {
                        bail!("{} already exists; pass --force to replace it", p.display());
                    }
                    // Streamed to a temporary file beside the target, then
                    // renamed: a failed export leaves no half file.
                    let dir = p
                        .parent()
                        .filter(|d| !d.as_os_str().is_empty())
                        .unwrap_or(Path::new("."));
                    let tmp = tempfile::NamedTempFile::new_in(dir)
                        .with_context(|| format!("writing in {}", dir.display()))?;
                    let mut w = std::io::BufWriter::new(tmp.as_file());
                    let n = export(&mut w)?;
                    w.flush()?;
                    drop(w);
                    tmp.as_file().sync_all()?;
                    tmp.persist(p)
                        .map_err(|e| anyhow!("writing {}: {}", p.display(), e.error))?;
                    eprintln!("exported {n} record(s) to {}", p.display());
                }
                None => {
                    let mut w = std::io::BufWriter::new(std::io::stdout().lock());
                    export(&mut w)?;
                    w.flush()?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Verify(a) => {
            let j = open(&a.journal)?;
            let heads = match &a.heads {
                Some(p) => Some(audit::parse_heads(
                    &std::fs::read_to_string(p)
                        .with_context(|| format!("reading {}", p.display()))?,
                )?),
                None => None,
            };
            let report = audit::verify(&j, heads.as_deref())?;
            if a.json {
                println!("{}", serde_json::to_string(&report)?);
            } else {
                for h in &report.heads {
                    println!(
                        "kiosk {}: {} record(s), last {} head {}",
                        printable(&h.kiosk_id),
                        h.records,
                        h.last_seq,
                        hex(&h.head_hash)
                    );
                }
                for p in &report.problems {
                    println!("BROKEN {}", printable(&p.to_string()));
                }
                if report.is_intact() {
                    println!(
                        "intact: {} record(s) in {} kiosk chain(s){}",
                        audit::record_count(&report.heads),
                        report.heads.len(),
                        if heads.is_some() {
                            ", every exported head present"
                        } else {
                            ""
                        }
                    );
                }
            }
            Ok(if report.is_intact() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        AuditCommand::Head(a) => {
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
                a.journal.display(),
                format_utc_ms(clock::now_ms()),
                audit::format_heads(&report)
            );
            match &a.out {
                Some(p) => {
                    write_file_atomic(p, text.as_bytes(), 0o644, true)?;
                    eprintln!(
                        "chain heads written to {}: keep this file away from the kiosk",
                        p.display()
                    );
                }
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Stats(a) => {
            let j = open(&a.journal)?;
            let s = audit::stats(&j, &filter(&a.filter)?)?;
            if a.json {
                println!("{}", serde_json::to_string(&s)?);
                return Ok(ExitCode::SUCCESS);
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
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Inside(a) => {
            let j = open(&a.journal)?;
            let at = ms(&a.at, "--at")?;
            let zones = audit::inside(&j, at)?;
            if a.json {
                for (zone, people) in &zones {
                    for p in people {
                        let mut v = serde_json::to_value(p)?;
                        if let Some(m) = v.as_object_mut() {
                            m.insert("zone".into(), zone.clone().into());
                        }
                        println!("{v}");
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            let total: usize = zones.values().map(Vec::len).sum();
            println!(
                "inside {}: {total} person(s)",
                at.map(format_utc_ms)
                    .unwrap_or_else(|| "at the end of the journal".into())
            );
            for (zone, people) in &zones {
                println!("\nzone {} — {} inside", printable(zone), people.len());
                for p in people {
                    println!(
                        "  {:<10} {:<32} {:<28} {:<12} since {} via {}",
                        printable_short(&p.serial, 10),
                        printable_short(&p.name, 32),
                        printable_short(&p.org, 28),
                        printable_short(&p.category, 12),
                        format_human(p.since_ms / 1000),
                        printable_short(&p.gate, 16)
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Merge(a) => {
            let mut target = Journal::open(&a.journal, None, "audit-merge")?;
            let mut all_ok = true;
            for src in &a.sources {
                if std::fs::canonicalize(src).ok() == std::fs::canonicalize(&a.journal).ok() {
                    bail!("{} is the target itself", src.display());
                }
                let source = open(src)?;
                let r = audit::merge(&mut target, &source)?;
                println!(
                    "{}: {} record(s) added, {} already present{}",
                    src.display(),
                    r.added,
                    r.already_present,
                    if r.refused.is_empty() {
                        String::new()
                    } else {
                        format!(", {} refused", r.refused.len())
                    }
                );
                for why in &r.refused {
                    println!("  REFUSED {}", printable(why));
                    all_ok = false;
                }
            }
            Ok(if all_ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        AuditCommand::Report(a) => {
            let j = open(&a.journal)?;
            let chain = badgegate::journal::verify_chain(&j)?;
            let html = audit::report_html(&j, &chain, ms(&a.at, "--at")?)?;
            write_file_atomic(&a.out, html.as_bytes(), 0o644, a.force)?;
            println!(
                "report written to {} (chain {})",
                a.out.display(),
                if chain.is_intact() {
                    "intact"
                } else {
                    "BROKEN"
                }
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
