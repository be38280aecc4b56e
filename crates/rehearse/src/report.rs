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
    /// The queue at this gate, estimated from when people reached it and
    /// how long each took (the scenario's `service_s` plus the decision):
    /// seconds waited, 95th percentile and longest; most people waiting.
    pub wait_p95_s: f64,
    pub wait_max_s: f64,
    pub queue_max: usize,
    /// At a camera gate, the frames it was shown (one a showing when each
    /// is read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub camera_frames: Option<u64>,
}

/// Waits at one door, first come first served (Lindley's recursion):
/// `arrivals` in order, each with its service time; each one's wait, and
/// the longest queue an arrival found.
pub fn queue(arrivals: &[(f64, f64)]) -> (Vec<f64>, usize) {
    let mut waits = Vec::with_capacity(arrivals.len());
    let mut done_at: Vec<f64> = Vec::with_capacity(arrivals.len());
    let mut longest = 0;
    let mut free_at = f64::MIN;
    for &(t, service) in arrivals {
        let start = free_at.max(t);
        waits.push(start - t);
        // Those still waiting or passing when this one arrives.
        let ahead = done_at.iter().rev().take_while(|d| **d > t).count();
        longest = longest.max(ahead);
        free_at = start + service;
        done_at.push(free_at);
    }
    (waits, longest)
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
    /// People planned to arrive, per ten scenario minutes: the scenario's
    /// arrival curve, for the entries to be read against.
    pub planned_arrivals_per_10_min: Vec<u32>,
    /// Seconds from each revocation to each entrance's first refusal of it.
    pub refused_after: Vec<(String, String, f64)>,
    /// Decision to receipt at the office, ms: p50, p95, max.
    pub office_lag_ms: Option<[f64; 3]>,
    #[serde(skip)]
    pub scans: Vec<Scan>,
}

/// Seconds since midnight of a scan's `HH:MM:SS`.
fn scan_secs(at: &str) -> Option<f64> {
    let mut parts = at.split(':').map(|p| p.parse::<u32>().ok());
    let (h, m, s) = (parts.next()??, parts.next()??, parts.next()??);
    Some(f64::from(h * 3600 + m * 60 + s))
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
        let mut arrivals: Vec<(f64, f64)> = scans
            .iter()
            .filter_map(|s| {
                let t = scan_secs(&s.at)?;
                Some((t, day.scenario.service_s + s.latency_ms / 1000.0))
            })
            .collect();
        arrivals.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (mut waits, queue_max) = queue(&arrivals);
        waits.sort_by(f64::total_cmp);
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
            wait_p95_s: percentile(&waits, 0.95),
            wait_max_s: waits.last().copied().unwrap_or(0.0),
            queue_max,
            camera_frames: day
                .camera_frames
                .iter()
                .find(|(id, _)| *id == g.id)
                .map(|(_, n)| *n),
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
    let mut arrivals = vec![0u32; buckets];
    for t in &day.planned_arrivals {
        let i = (((t - start) / 600.0).max(0.0) as usize).min(buckets - 1);
        arrivals[i] += 1;
    }
    Report {
        planned_arrivals_per_10_min: arrivals,
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
        h.push_str("</table><h2>Gates</h2><table><tr><th>Gate</th><th>Decisions</th><th>Camera frames</th><th>Admits</th><th>Denies</th><th>Latency p50</th><th>p95</th><th>max</th><th>Peak memory</th><th>Queue: wait p95</th><th>longest wait</th><th>most waiting</th></tr>");
        for g in &self.per_gate {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1} ms</td><td>{:.1} ms</td><td>{:.1} ms</td><td>{}</td><td>{:.0} s</td><td>{:.0} s</td><td>{}</td></tr>",
                esc(&g.gate),
                g.decisions,
                g.camera_frames
                    .map_or("scanner".to_owned(), |n| n.to_string()),
                g.admits,
                g.denies,
                g.p50_ms,
                g.p95_ms,
                g.max_ms,
                g.peak_rss_mib.map_or("?".to_owned(), |m| format!("{m:.0} MiB")),
                g.wait_p95_s,
                g.wait_max_s,
                g.queue_max
            ));
        }
        h.push_str("</table><p><small>Queues are estimated from when people reached each gate, each taking the scenario's service time plus the gate's decision: first come, first served.</small></p>");
        if let Some([p50, p95, max]) = self.office_lag_ms {
            h.push_str(&format!(
                "<p>Decisions reached the office after {p50:.0} ms (median), {p95:.0} ms (95th percentile), {max:.0} ms at most.</p>"
            ));
        }
        h.push_str("<h2>Entries per ten minutes, against the arrival curve</h2>");
        let max = self
            .entries_per_10_min
            .values()
            .flatten()
            .chain(&self.planned_arrivals_per_10_min)
            .copied()
            .max()
            .unwrap_or(1)
            .max(1);
        {
            let v = &self.planned_arrivals_per_10_min;
            let w = 10 * v.len().max(1);
            h.push_str(&format!("<p><small>planned first arrivals, all gates</small><br><svg width={w} height=60 role=img aria-label='planned arrivals'>"));
            for (i, n) in v.iter().enumerate() {
                let bh = (f64::from(*n) / f64::from(max) * 58.0).round();
                h.push_str(&format!(
                    "<rect x={} y={} width=9 height={bh} fill=#999><title>{n}</title></rect>",
                    i * 10,
                    60.0 - bh
                ));
            }
            h.push_str("</svg></p>");
        }
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

#[cfg(test)]
mod tests {
    use super::queue;

    #[test]
    fn a_queue_builds_when_people_come_faster_than_the_door() {
        // Three at once at a 4 s door, then one who finds it free.
        let (waits, longest) = queue(&[(0.0, 4.0), (0.0, 4.0), (0.0, 4.0), (20.0, 4.0)]);
        assert_eq!(waits, [0.0, 4.0, 8.0, 0.0]);
        assert_eq!(longest, 2);
    }
}
