//! `badgegate rehearse`: the scenario read, the day run and checked, the
//! verdict said.

use std::process::ExitCode;

use anyhow::Context;
use badgegate_rehearse::{rehearse, Options, Scenario};

use crate::cli::RehearseArgs;

pub fn run(a: RehearseArgs) -> anyhow::Result<ExitCode> {
    // A gate that dies mid-day must be an error in the report, not the
    // end of the rehearsal: writing to its closed stdin says EPIPE.
    // SAFETY: setting a signal's disposition to ignore, before any thread.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
    let text = std::fs::read_to_string(&a.scenario)
        .with_context(|| format!("cannot read the scenario {}", a.scenario.display()))?;
    let scenario = Scenario::parse(&text).with_context(|| a.scenario.display().to_string())?;
    let opts = Options {
        exe: std::env::current_exe().context("cannot find this program's own file")?,
        dir: a.out.clone(),
        time_scale: a.time_scale,
        dashboard: a.dashboard.clone(),
    };
    let started = std::time::Instant::now();
    let mut progress = |line: &str| {
        say!("[{:>5.0} s] {line}", started.elapsed().as_secs_f64());
    };
    let report = rehearse(&scenario, &opts, &mut progress)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "rehearsal {:?}: {}",
            report.scenario,
            if report.passed { "PASSED" } else { "FAILED" }
        );
        for c in &report.checks {
            println!(
                "  {} {}: {}",
                if c.passed { "pass" } else { "FAIL" },
                c.name,
                c.summary
            );
            for d in c.discrepancies.iter().take(10) {
                println!("       {d}");
            }
            if c.discrepancies.len() > 10 {
                println!("       … {} more in the report", c.discrepancies.len() - 10);
            }
        }
        println!(
            "  {} decisions in {:.0} s ({:.1} a second); {} allowed only by a documented limit",
            report.decisions,
            report.wall_secs,
            report.decisions_per_sec,
            report.limits.len()
        );
        for g in &report.per_gate {
            println!(
                "  gate {}: {} decisions{}, latency p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms{}; queue: wait p95 {:.0} s, longest {:.0} s, {} waiting at most",
                g.gate,
                g.decisions,
                g.camera_frames
                    .map(|n| format!(" from {n} camera frames"))
                    .unwrap_or_default(),
                g.p50_ms,
                g.p95_ms,
                g.max_ms,
                g.peak_rss_mib
                    .map(|m| format!(", peak memory {m:.0} MiB"))
                    .unwrap_or_default(),
                g.wait_p95_s,
                g.wait_max_s,
                g.queue_max
            );
        }
        if let Some([p50, p95, max]) = report.office_lag_ms {
            println!("  records at the office after {p50:.0} ms (p50), {p95:.0} ms (p95), {max:.0} ms (max)");
        }
        println!("report: {}", a.out.join("report.html").display());
    }
    Ok(if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
