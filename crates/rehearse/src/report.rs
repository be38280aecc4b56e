//! The rehearsal's report: a verdict per check, the timeline of events,
//! entries per ten minutes per gate against the arrival curve, decision
//! latency at each gate, how fast revocations travelled, and every
//! discrepancy with what shows it. JSON for CI, HTML for people.

use std::collections::BTreeMap;

use badgegate_audit::audit::report::esc;
use serde::Serialize;

use crate::check::Check;
use crate::run::{Day, Happened, Scan};

/// One gate's numbers.
#[derive(Clone, Debug, Serialize)]
pub struct GateStats {
    pub gate: String,
    pub decisions: usize,
    pub admits: usize,
    pub denies: usize,
    /// Decision latency (card shown to decision read), ms.
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
    /// Peak resident memory of the kiosk process (its last run), MiB.
    pub peak_rss_mib: Option<f64>,
}

/// Everything the rehearsal found.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub scenario: String,
    pub passed: bool,
    pub people: usize,
    pub gates: usize,
    pub office: bool,
    pub time_scale: f64,
    pub wall_secs: f64,
    pub decisions: usize,
    pub decisions_per_sec: f64,
    pub checks: Vec<Check>,
    /// Admits the documented limits allow, each with its clause.
    pub limits: Vec<String>,
    pub timeline: Vec<Happened>,
    pub per_gate: Vec<GateStats>,
    /// Admitted entries per ten scenario minutes, per gate (from the
    /// day's start).
    pub entries_per_10_min: BTreeMap<String, Vec<u32>>,
    /// Seconds from each revocation to each entrance's first refusal of it.
    pub refused_after: Vec<(String, String, f64)>,
    /// Decision to receipt at the office, ms: p50, p95, max.
    pub office_lag_ms: Option<[f64; 3]>,
    #[serde(skip)]
    pub scans: Vec<Scan>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The report of a day and its checks.
pub fn build(
    day: &Day,
    checks: Vec<Check>,
    people: usize,
    office_lag_ms: Option<[f64; 3]>,
) -> Report {
    let mut per_gate = Vec::new();
    for g in &day.scenario.gates {
        let scans: Vec<&Scan> = day.scans.iter().filter(|s| s.gate == g.id).collect();
        let mut lat: Vec<f64> = scans.iter().map(|s| s.latency_ms).collect();
        lat.sort_by(f64::total_cmp);
        per_gate.push(GateStats {
            gate: g.id.clone(),
            decisions: scans.len(),
            admits: scans.iter().filter(|s| s.decision == "admit").count(),
            denies: scans.iter().filter(|s| s.decision == "deny").count(),
            p50_ms: percentile(&lat, 0.5),
            p95_ms: percentile(&lat, 0.95),
            max_ms: lat.last().copied().unwrap_or(0.0),
            peak_rss_mib: day
                .gate_peak_rss_kib
                .iter()
                .find(|(id, _)| *id == g.id)
                .and_then(|(_, k)| *k)
                .map(|k| k as f64 / 1024.0),
        });
    }
    let start = crate::scenario::clock_secs(&day.scenario.day.start).unwrap_or(0.0);
    let end = crate::scenario::clock_secs(&day.scenario.day.end).unwrap_or(start);
    let buckets = ((end - start) / 600.0).ceil().max(1.0) as usize;
    let mut entries: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for g in day.scenario.gates.iter().filter(|g| g.direction == "in") {
        entries.insert(g.id.clone(), vec![0; buckets]);
    }
    for s in day.scans.iter().filter(|s| s.decision == "admit") {
        if let (Some(v), Ok(t)) = (
            entries.get_mut(&s.gate),
            crate::scenario::clock_secs(&s.at[..5]),
        ) {
            let i = (((t - start) / 600.0).max(0.0) as usize).min(buckets - 1);
            v[i] += 1;
        }
    }
    Report {
        scenario: day.scenario.name.clone(),
        passed: checks.iter().all(|c| c.passed),
        people,
        gates: day.scenario.gates.len(),
        office: day.scenario.office,
        time_scale: day.scenario.time_scale,
        wall_secs: day.wall_secs,
        decisions: day.scans.len(),
        decisions_per_sec: day.scans.len() as f64 / day.wall_secs.max(0.001),
        checks,
        limits: day.limits.clone(),
        timeline: day.timeline.clone(),
        per_gate,
        entries_per_10_min: entries,
        refused_after: day.propagation.clone(),
        office_lag_ms,
        scans: day.scans.clone(),
    }
}

impl Report {
    /// A self-contained HTML page.
    pub fn html(&self) -> String {
        let mut h = String::new();
        h.push_str("<!doctype html><html lang=en><meta charset=utf-8><title>Rehearsal — ");
        h.push_str(&esc(&self.scenario));
        h.push_str("</title><style>body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}table{border-collapse:collapse;width:100%;margin:1em 0}td,th{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}.pass{color:#0a6b2d;font-weight:bold}.fail{color:#b00020;font-weight:bold}.bar{fill:#2f6db5}small{color:#666}</style>");
        h.push_str(&format!(
            "<h1>Rehearsal — {}</h1><p class={}>{}</p><p>{} people, {} gates, {}; {} decisions in {:.0} s ({:.1} a second), the day at {}× speed.</p>",
            esc(&self.scenario),
            if self.passed { "pass" } else { "fail" },
            if self.passed { "PASSED: every check holds" } else { "FAILED: see the discrepancies below" },
            self.people,
            self.gates,
            if self.office { "a PostgreSQL office" } else { "no office (each gate alone)" },
            self.decisions,
            self.wall_secs,
            self.decisions_per_sec,
            self.time_scale
        ));
        h.push_str("<h2>Checks</h2><table><tr><th>Check</th><th>Verdict</th><th>What</th></tr>");
        for c in &self.checks {
            h.push_str(&format!(
                "<tr><td>{}</td><td class={}>{}</td><td>{}</td></tr>",
                esc(&c.name),
                if c.passed { "pass" } else { "fail" },
                if c.passed { "pass" } else { "FAIL" },
                esc(&c.summary)
            ));
        }
        h.push_str("</table>");
        let bad: Vec<&String> = self.checks.iter().flat_map(|c| &c.discrepancies).collect();
        if !bad.is_empty() {
            h.push_str(&format!(
                "<h2 id=discrepancies>Discrepancies — {}</h2><ul>",
                bad.len()
            ));
            for d in bad {
                h.push_str(&format!("<li>{}</li>", esc(d)));
            }
            h.push_str("</ul>");
        }
        h.push_str(&format!(
            "<h2>Allowed by a documented limit — {}</h2>",
            self.limits.len()
        ));
        if self.limits.is_empty() {
            h.push_str("<p>None.</p>");
        } else {
            h.push_str("<ul>");
            for l in &self.limits {
                h.push_str(&format!("<li>{}</li>", esc(l)));
            }
            h.push_str("</ul>");
        }
        h.push_str("<h2>Timeline</h2><table><tr><th>Time</th><th>Event</th></tr>");
        for e in &self.timeline {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td></tr>",
                esc(&e.at),
                esc(&e.what)
            ));
        }
        h.push_str("</table><h2>Gates</h2><table><tr><th>Gate</th><th>Decisions</th><th>Admits</th><th>Denies</th><th>Latency p50</th><th>p95</th><th>max</th><th>Peak memory</th></tr>");
        for g in &self.per_gate {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1} ms</td><td>{:.1} ms</td><td>{:.1} ms</td><td>{}</td></tr>",
                esc(&g.gate),
                g.decisions,
                g.admits,
                g.denies,
                g.p50_ms,
                g.p95_ms,
                g.max_ms,
                g.peak_rss_mib.map_or("?".to_owned(), |m| format!("{m:.0} MiB"))
            ));
        }
        h.push_str("</table>");
        if let Some([p50, p95, max]) = self.office_lag_ms {
            h.push_str(&format!(
                "<p>Decisions reached the office after {p50:.0} ms (median), {p95:.0} ms (95th percentile), {max:.0} ms at most.</p>"
            ));
        }
        h.push_str("<h2>Entries per ten minutes</h2>");
        let max = self
            .entries_per_10_min
            .values()
            .flatten()
            .copied()
            .max()
            .unwrap_or(1)
            .max(1);
        for (gate, v) in &self.entries_per_10_min {
            let w = 10 * v.len().max(1);
            h.push_str(&format!("<p><small>gate {}</small><br><svg width={w} height=60 role=img aria-label='entries at gate {}'>", esc(gate), esc(gate)));
            for (i, n) in v.iter().enumerate() {
                let bh = (f64::from(*n) / f64::from(max) * 58.0).round();
                h.push_str(&format!(
                    "<rect class=bar x={} y={} width=9 height={bh}><title>{n}</title></rect>",
                    i * 10,
                    60.0 - bh
                ));
            }
            h.push_str("</svg></p>");
        }
        if !self.refused_after.is_empty() {
            h.push_str("<h2>Revocations refused</h2><table><tr><th>Badge</th><th>Gate</th><th>First refused after</th></tr>");
            for (s, g, t) in &self.refused_after {
                h.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{t:.1} s</td></tr>",
                    esc(s),
                    esc(g)
                ));
            }
            h.push_str("</table>");
        }
        h.push_str("</html>\n");
        h
    }
}
