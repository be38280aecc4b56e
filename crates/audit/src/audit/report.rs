//! The audit report: one self-contained HTML file (inline SVG charts, no
//! scripts, nothing fetched) that a security chief would rather look at
//! than read.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::alarms::{alarms, Alarm, AlarmKind};
use super::inside::{inside, mark_broken, Present};
use super::stats::{stats, Stats};
use super::{AuditError, Filter};
use badgegate_core::clock::VenueTime;
use badgegate_core::journal::{ChainReport, Journal};
use badgegate_core::vocab::{EntryDecision, EntryKind};

/// HTML-escapes text (all of `& < > " '`).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if badgegate_core::text::is_forbidden_char(c) => {
                let _ = write!(out, "\\u{{{:04X}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

const PALETTE: [&str; 8] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
];

fn entries_chart(s: &Stats) -> String {
    let hours: Vec<(&String, &BTreeMap<String, u64>)> = s.entries_per_hour.iter().collect();
    if hours.is_empty() {
        return "<p class=muted>No entries admitted.</p>".into();
    }
    let gates: Vec<&String> = {
        let mut g: Vec<&String> = hours.iter().flat_map(|(_, m)| m.keys()).collect();
        g.sort();
        g.dedup();
        g
    };
    let highest = hours
        .iter()
        .map(|(_, m)| m.values().sum::<u64>())
        .max()
        .unwrap_or(1)
        .max(1);
    // Four whole-number steps on the axis.
    let step = highest.div_ceil(4);
    let max = step * 4;
    // Fitted to the hours with traffic: bars up to 60 wide, the chart no
    // wider than its bars (a two-hour event is not a sliver in a field).
    let (h, left, bottom) = (320.0, 50.0, 70.0);
    let bar_w = (840.0 / hours.len() as f64).min(60.0);
    let w = left + 10.0 + bar_w * hours.len() as f64;
    let mut svg = format!(
        "<svg viewBox='0 0 {w:.0} {h}' width='{w:.0}' style='max-width:100%' role='img' aria-label='Entries per hour per gate'>"
    );
    let plot_h = h - bottom - 10.0;
    for i in 0..=4 {
        let v = step * i;
        let y = 10.0 + plot_h - plot_h * i as f64 / 4.0;
        let _ = write!(
            svg,
            "<line x1='{left}' x2='{w}' y1='{y:.1}' y2='{y:.1}' stroke='#ddd'/><text x='{}' y='{:.1}' font-size='11' text-anchor='end'>{}</text>",
            left - 4.0,
            y + 4.0,
            v
        );
    }
    for (i, (hour, per_gate)) in hours.iter().enumerate() {
        let x = left + i as f64 * bar_w + 2.0;
        let mut y = 10.0 + plot_h;
        for (gi, g) in gates.iter().enumerate() {
            let n = per_gate.get(*g).copied().unwrap_or(0);
            if n == 0 {
                continue;
            }
            let bh = plot_h * n as f64 / max as f64;
            y -= bh;
            let _ = write!(
                svg,
                "<rect x='{x:.1}' y='{y:.1}' width='{:.1}' height='{bh:.1}' fill='{}'><title>{} {}: {n}</title></rect>",
                bar_w - 4.0,
                PALETTE[gi % PALETTE.len()],
                esc(hour),
                esc(g)
            );
        }
        if hours.len() <= 24 || i % (hours.len() / 24 + 1) == 0 {
            let _ = write!(
                svg,
                "<text x='{:.1}' y='{:.1}' font-size='10' transform='rotate(-45 {:.1} {:.1})' text-anchor='end'>{}</text>",
                x + bar_w / 2.0,
                h - bottom + 14.0,
                x + bar_w / 2.0,
                h - bottom + 14.0,
                esc(hour.get(5..).unwrap_or(hour))
            );
        }
    }
    svg.push_str("</svg><p class=legend>");
    for (gi, g) in gates.iter().enumerate() {
        let _ = write!(
            svg,
            "<span><i style='background:{}'></i>{}</span> ",
            PALETTE[gi % PALETTE.len()],
            esc(g)
        );
    }
    svg.push_str("</p>");
    svg
}

fn hbar_chart(items: &[(String, u64)], colour: &str, label: &str) -> String {
    if items.is_empty() {
        return "<p class=muted>None.</p>".into();
    }
    let max = items.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    let row_h = 26.0;
    let h = row_h * items.len() as f64 + 10.0;
    let mut svg = format!(
        "<svg viewBox='0 0 900 {h}' width='100%' role='img' aria-label='{}'>",
        esc(label)
    );
    for (i, (name, n)) in items.iter().enumerate() {
        let y = 5.0 + i as f64 * row_h;
        let bw = 600.0 * *n as f64 / max as f64;
        let _ = write!(
            svg,
            "<text x='190' y='{:.1}' font-size='13' text-anchor='end'>{}</text><rect x='200' y='{y:.1}' width='{bw:.1}' height='{:.1}' fill='{colour}'/><text x='{:.1}' y='{:.1}' font-size='13'>{n}</text>",
            y + 17.0,
            esc(name),
            row_h - 6.0,
            205.0 + bw,
            y + 17.0
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A person's marks on the muster list: revoked while inside (with the
/// gate that refused the badge), check pending.
fn muster_marks(p: &Present, venue: &VenueTime) -> String {
    let mut out = String::new();
    for m in p.marks() {
        let _ = write!(out, "<b>{}</b> ", esc(m));
    }
    if let Some(v) = &p.revoked {
        let _ = write!(
            out,
            "(refused as revoked at gate {} {})",
            esc(&v.gate),
            esc(&venue.at_ms(v.at_ms))
        );
    }
    out
}

fn muster_table(zones: &BTreeMap<String, Vec<Present>>, venue: &VenueTime) -> String {
    if zones.is_empty() {
        return "<p class=muted>Nobody is inside.</p>".into();
    }
    let mut out = String::new();
    for (zone, people) in zones {
        let _ = write!(out, "<h3>{} — {} inside</h3><table><tr><th>Name</th><th>Organisation</th><th>Category</th><th>Serial</th><th>Entered</th><th>Gate</th><th>Marks</th></tr>", esc(zone), people.len());
        for p in people {
            let _ = write!(
                out,
                "<tr{}><td>{}</td><td>{}</td><td>{}</td><td class=serial>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                if p.chain_broken {
                    " class=bad title='this gate&#39;s journal is broken: not to be trusted'"
                } else if p.revoked.is_some() {
                    " class=bad"
                } else {
                    ""
                },
                esc(&p.name),
                esc(&p.org),
                esc(&p.category),
                esc(&p.serial),
                esc(&venue.at_ms(p.since_ms)),
                esc(&p.gate),
                muster_marks(p, venue)
            );
        }
        out.push_str("</table>");
    }
    out
}

/// The report's style sheet.
const STYLE: &str = "td.serial{white-space:nowrap}body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222}\
h1{margin-bottom:0}.muted{color:#777}.cards{display:flex;gap:1em;flex-wrap:wrap}\
.card{border:1px solid #ddd;border-radius:8px;padding:.8em 1.2em;min-width:9em}.card b{display:block;font-size:2em}\
.ok{background:#e8f5e9;border-color:#2e7d32}.bad{background:#ffebee;border-color:#c62828}\
table{border-collapse:collapse;width:100%;margin-bottom:1em}td,th{border-bottom:1px solid #eee;padding:4px 8px;text-align:left}\
.legend span{margin-right:1em}.alarmcounts span{margin-right:1.2em;padding:2px 6px;border-radius:4px}\
tr.alarm td{background:#fff5f5}tr.muted td{color:#777}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}";

/// The whole report for a journal, its chain check result, and the muster
/// list at `at_ms` (end of the journal if `None`).
pub fn report_html(
    j: &Journal,
    chain: &ChainReport,
    at_ms: Option<u64>,
    venue: &VenueTime,
) -> Result<String, AuditError> {
    let s = stats(j, &Filter::default())?;
    let mut zones = inside(j, at_ms)?;
    mark_broken(&mut zones, chain);
    let mut html = format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>badgegate audit report</title><style>{STYLE}</style></head><body>"
    );
    let _ = write!(
        html,
        "<h1>Entry audit{}</h1><p class=muted>Journal {} · {} · times in {} · generated by badgegate {}</p>",
        super::recorded_policy(j)?
            .and_then(|d| badgegate_core::rules::venue_named_in_policy_record(&d))
            .map(|v| format!(" — {}", esc(&v)))
            .unwrap_or_default(),
        esc(&j.path().display().to_string()),
        match (s.first_ms, s.last_ms) {
            (Some(a), Some(b)) => format!(
                "{} to {}",
                esc(&venue.at_ms(a)),
                esc(&venue.at_ms(b))
            ),
            _ => "no decisions".into(),
        },
        esc(&venue.name()),
        env!("CARGO_PKG_VERSION")
    );
    if !chain.is_intact() {
        html.push_str("<p class='card bad'><b>This journal's chain is BROKEN.</b> Records of the kiosks named under Chain problems may have been altered, added or removed: their counts and muster entries (marked in red) cannot be trusted.</p>");
    }
    let alarms = alarms(j, &Filter::default())?;
    html.push_str(&summary_cards(&s, chain, &zones, at_ms, &alarms, venue));
    if !chain.is_intact() {
        html.push_str("<h2>Chain problems</h2><ul>");
        for p in &chain.problems {
            let _ = write!(html, "<li>{}</li>", esc(&p.to_string()));
        }
        html.push_str("</ul>");
    }
    html.push_str(&alarms_section(&alarms, venue));
    html.push_str(&flagged_section(j, venue)?);
    html.push_str("<h2>Entries per hour, by gate</h2>");
    html.push_str(&entries_chart(&s));
    html.push_str("<h2>Denied, by reason</h2>");
    let mut denies: Vec<(String, u64)> = s
        .denies_by_reason
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    denies.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    html.push_str(&hbar_chart(&denies, "#c62828", "Denies by reason"));
    html.push_str(&gates_table(&s));
    html.push_str("<h2>Muster list</h2>");
    html.push_str(&muster_table(&zones, venue));
    html.push_str(&chains_table(chain));
    html.push_str("</body></html>\n");
    Ok(html)
}

/// Every admit made flagged (the card's count), who and why: an ID check
/// a gate without a guard could not ask for, a photo it could not show, a
/// passback warning, the office not answering.
fn flagged_section(j: &Journal, venue: &VenueTime) -> Result<String, AuditError> {
    let mut rows = Vec::new();
    j.for_each_in_time_order(|e| {
        let b = &e.body;
        if b.kind != EntryKind::Start && b.decision == EntryDecision::Admit && b.flagged {
            let shown = badgegate_core::rules::shown_claims(b);
            rows.push(format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=serial>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&venue.at_ms(b.at_ms)),
                esc(&b.gate),
                esc(&shown.holder),
                esc(shown.serial.as_deref().unwrap_or("")),
                esc(b.category.as_deref().unwrap_or("")),
                esc(&b.detail)
            ));
        }
        Ok::<(), ()>(())
    })?
    .ok();
    let mut out = format!(
        "<h2 id=flagged>Admitted flagged — {} to look into</h2>",
        rows.len()
    );
    if rows.is_empty() {
        out.push_str("<p class=muted>No admit was flagged.</p>");
        return Ok(out);
    }
    out.push_str("<table><tr><th>Time</th><th>Gate</th><th>Name</th><th>Serial</th><th>Category</th><th>Why</th></tr>");
    for r in &rows {
        out.push_str(r);
    }
    out.push_str("</table>");
    Ok(out)
}

/// The row of cards at the top: chain, admitted, denied, inside, peak.
fn summary_cards(
    s: &Stats,
    chain: &ChainReport,
    zones: &BTreeMap<String, Vec<Present>>,
    at_ms: Option<u64>,
    alarms: &[Alarm],
    venue: &VenueTime,
) -> String {
    let inside_n: usize = zones.values().map(Vec::len).sum();
    let trouble = alarms.iter().filter(|a| a.kind.is_trouble()).count();
    let records: u64 = chain.heads.iter().map(|h| h.records).sum();
    let chain_class = if chain.is_intact() { "ok" } else { "bad" };
    let chain_text = if chain.is_intact() {
        format!(
            "Intact: {} records in {} kiosk chain(s)",
            records,
            chain.heads.len()
        )
    } else {
        format!("BROKEN: {} problem(s)", chain.problems.len())
    };
    format!(
        "<div class=cards><div class='card {chain_class}'>Journal chain<b>{}</b>{}</div>\
<div class=card>Admitted<b>{}</b><a href='#flagged'>{} flagged</a></div><div class=card>Denied<b>{}</b>of {} decisions</div>\
<div class=card>Inside {}<b>{inside_n}</b>muster list below</div><div class=card>Peak entries<b>{}</b>per minute{}</div>\
<div class='card {}'>Alarms<b>{trouble}</b><a href='#alarms'>listed below</a></div></div>",
        if chain.is_intact() { "✔" } else { "✘" },
        esc(&chain_text),
        s.admits,
        s.flagged,
        s.denies,
        s.decisions,
        match at_ms {
            Some(t) => format!("at {}", esc(&venue.at_ms(t))),
            None => "at end".into(),
        },
        s.peak_entries_per_minute,
        s.peak_minute
            .as_ref()
            .map(|m| format!(" ({})", esc(m)))
            .unwrap_or_default(),
        if trouble > 0 { "bad" } else { "ok" }
    )
}

/// Every alarm, newest last, with a count of each kind first (the chips
/// add up to the card's count); kiosk starts apart, as a timeline.
fn alarms_section(alarms: &[Alarm], venue: &VenueTime) -> String {
    let mut html = String::from("<h2 id=alarms>Alarms</h2>");
    let (trouble, starts): (Vec<&Alarm>, Vec<&Alarm>) =
        alarms.iter().partition(|a| a.kind.is_trouble());
    let mut counts: BTreeMap<AlarmKind, usize> = BTreeMap::new();
    for a in &trouble {
        *counts.entry(a.kind).or_default() += 1;
    }
    if trouble.is_empty() {
        html.push_str("<p class=muted>None: no revoked, forged or unknown badges, no overrides, no failed doors, no refused lists, no gate out of service.</p>");
    } else {
        html.push_str("<p class=alarmcounts>");
        for (kind, n) in &counts {
            let _ = write!(
                html,
                "<span class=bad>{}: <b>{n}</b></span> ",
                esc(kind.words())
            );
        }
        html.push_str("</p>");
        html.push_str(&alarm_table(&trouble, venue));
    }
    let _ = write!(html, "<h3 id=starts>Kiosk starts — {}</h3>", starts.len());
    if starts.is_empty() {
        html.push_str("<p class=muted>No kiosk start recorded.</p>");
    } else {
        html.push_str(&alarm_table(&starts, venue));
    }
    html
}

/// Alarms as table rows.
fn alarm_table(alarms: &[&Alarm], venue: &VenueTime) -> String {
    let mut html = String::from("<table class=alarms><tr><th>Time</th><th>Gate</th><th>What</th><th>Name</th><th>Serial</th><th>Guard</th><th>Details</th></tr>");
    for a in alarms {
        let name = match (&a.name, a.authentic) {
            (Some(n), true) => esc(n),
            (Some(n), false) => format!("<s>{}</s> <em>(not verified)</em>", esc(n)),
            (None, _) => String::from("—"),
        };
        let mut detail = esc(&a.detail);
        if let Some(n) = &a.note {
            let _ = write!(detail, " — note: “{}”", esc(n));
        }
        if let Some(since) = a.since_ms {
            let _ = write!(
                detail,
                " — down from {} ({})",
                esc(&venue.at_ms(since)),
                esc(&badgegate_core::clock::format_span(
                    a.at_ms.saturating_sub(since) / 1000
                ))
            );
        }
        let _ = write!(
            html,
            "<tr class='{}' data-kind='{}'><td>{}</td><td>{} <span class=muted>{} #{}</span></td><td>{}</td><td>{name}</td><td class=serial>{}</td><td>{}</td><td>{detail}</td></tr>",
            if a.kind.is_trouble() { "alarm" } else { "muted" },
            serde_json::to_value(a.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
            esc(&venue.at_ms(a.at_ms)),
            esc(&a.gate),
            esc(&a.kiosk_id),
            a.seq,
            esc(a.kind.words()),
            // A serial the signature does not vouch for is a claim too.
            match (&a.serial, a.authentic) {
                (Some(s), true) => esc(s),
                (Some(s), false) => format!("<s>{}</s>", esc(s)),
                (None, _) => "—".to_owned(),
            },
            esc(a.guard.as_deref().unwrap_or("—")),
        );
    }
    html.push_str("</table>");
    html
}

/// Gates by traffic, with their deny rate.
fn gates_table(s: &Stats) -> String {
    let mut html = String::from(
        "<h2>Busiest gates</h2><table><tr><th>Gate</th><th>Admitted</th><th>Denied</th><th>Deny rate</th></tr>",
    );
    let mut gates: Vec<(&String, &(u64, u64))> = s.per_gate.iter().collect();
    gates.sort_by(|a, b| (b.1 .0 + b.1 .1).cmp(&(a.1 .0 + a.1 .1)).then(a.0.cmp(b.0)));
    for (g, (a, d)) in gates {
        let rate = if a + d > 0 {
            100.0 * *d as f64 / (*a + *d) as f64
        } else {
            0.0
        };
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{a}</td><td>{d}</td><td>{rate:.1}%</td></tr>",
            esc(g)
        );
    }
    html.push_str("</table>");
    html
}

/// Each kiosk's chain: records, last sequence, head hash.
fn chains_table(chain: &ChainReport) -> String {
    let mut html = String::from(
        "<h2>Kiosk chains</h2><table><tr><th>Kiosk</th><th>Records</th><th>Last record</th><th>Chain head (SHA-256)</th></tr>",
    );
    for h in &chain.heads {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(&h.kiosk_id),
            h.records,
            h.last_seq,
            badgegate_core::text::hex(&h.head_hash)
        );
    }
    html.push_str("</table>");
    html
}
