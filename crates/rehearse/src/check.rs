//! The oracle's checks after the day: every decision as the rules say;
//! every chain intact; the muster list equal to the truth in the core's
//! own model fed the journals, in `audit inside` on the merged journals
//! and at the office; the office holding exactly the gates' records; each
//! revocation taken up within the bound.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use badgegate_core::journal::{Entry, Journal};
use badgegate_core::muster::Muster;
use badgegate_core::vocab::{EntryKind, EntryReason, KioskEvent};

use crate::gates::run_tool;
use crate::run::Day;
use crate::RehearseError;

/// One check's verdict.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Check {
    pub name: String,
    pub passed: bool,
    /// In a line: what was checked, and how many.
    pub summary: String,
    /// Every disagreement, with the records that show it.
    pub discrepancies: Vec<String>,
}

impl Check {
    fn new(name: &str, summary: String, discrepancies: Vec<String>) -> Check {
        Check {
            name: name.to_owned(),
            passed: discrepancies.is_empty(),
            summary,
            discrepancies,
        }
    }
}

/// All the checks, in order.
pub fn all(day: &Day, progress: &mut dyn FnMut(&str)) -> Result<Vec<Check>, RehearseError> {
    let mut out = vec![decisions(day), finished(day)];
    progress("checking the chains");
    out.push(chains(day)?);
    let entries = read_journals(&day.journals)?;
    out.push(journalled(day, &entries));
    progress("checking the muster lists");
    out.push(muster(day, &entries)?);
    if day.office.is_some() {
        progress("checking the office's records");
        out.push(office_records(day, &entries)?);
        out.push(alarms(day)?);
    }
    out.push(propagation(day, &entries));
    if !day.checkpoints.is_empty() {
        out.push(checkpoints(day));
    }
    if !day.clock_steps.is_empty() {
        out.push(clock_steps(day, &entries)?);
    }
    Ok(out)
}

/// After the day, the office is waited for while what it shows still
/// changes; this long unchanged, it has all it will get.
const STALLED: Duration = Duration::from_secs(5);

/// Who was inside at each checkpoint of the day, in every view compared
/// then, equal to the truth.
fn checkpoints(day: &Day) -> Check {
    let bad: Vec<String> = day
        .checkpoints
        .iter()
        .flat_map(|c| c.discrepancies.iter().cloned())
        .collect();
    let list: Vec<String> = day
        .checkpoints
        .iter()
        .map(|c| {
            format!(
                "{} ({} inside, {} view{}{})",
                c.at,
                c.inside,
                c.views.len(),
                if c.views.len() == 1 { "" } else { "s" },
                c.office_skipped
                    .as_ref()
                    .map(|s| format!("; office not compared: {s}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    Check::new(
        "checkpoints",
        format!(
            "during the day, who is inside by the truth equals each view at {}",
            list.join(", ")
        ),
        bad,
    )
}

/// Each gate PC clock set by an event is one `clock` record in that gate's
/// journal (and, with an office, one clock alarm there); no gate dates a
/// record before the one it made before it, whatever its clock did.
fn clock_steps(day: &Day, entries: &[Entry]) -> Result<Check, RehearseError> {
    let mut bad = Vec::new();
    let mut by_gate: BTreeMap<&str, Vec<&Entry>> = BTreeMap::new();
    for e in entries {
        by_gate.entry(e.kiosk_id.as_str()).or_default().push(e);
    }
    let mut office_counts: BTreeMap<String, i64> = BTreeMap::new();
    if let Some(pg) = &day.office {
        let mut db = pg.connect()?;
        for r in db
            .query(
                "SELECT kiosk_id, count(*) FROM badgegate.records
                 WHERE badgegate.record_alarm(kind, reason, flagged) = 'clock_step'
                 GROUP BY kiosk_id",
                &[],
            )
            .map_err(|e| RehearseError::Check(format!("the office's clock alarms: {e}")))?
        {
            office_counts.insert(r.get(0), r.get(1));
        }
    }
    let stepped: BTreeSet<&str> = day.clock_steps.iter().map(|(g, _)| g.as_str()).collect();
    for gate in &stepped {
        let steps = day.clock_steps.iter().filter(|(g, _)| g == gate).count();
        let mut records = by_gate.remove(gate).unwrap_or_default();
        records.sort_by_key(|e| e.seq);
        let clocks = records
            .iter()
            .filter(|e| e.body.kind.code() == "clock")
            .count();
        if clocks != steps {
            bad.push(format!(
                "gate {gate}: its PC clock was set {steps} time(s), its journal has {clocks} clock record(s)"
            ));
        }
        if day.office.is_some() {
            let raised = office_counts.get(*gate).copied().unwrap_or(0);
            if raised != clocks as i64 {
                bad.push(format!(
                    "gate {gate}: {clocks} clock record(s) in its journal, {raised} clock alarm(s) at the office"
                ));
            }
        }
        for w in records.windows(2) {
            if w[1].body.at_ms < w[0].body.at_ms {
                bad.push(format!(
                    "gate {gate}: record {} is dated {} ms before record {}, made before it",
                    w[1].seq,
                    w[0].body.at_ms - w[1].body.at_ms,
                    w[0].seq
                ));
            }
        }
    }
    Ok(Check::new(
        "clock steps",
        format!(
            "{} clock step(s) at {} gate(s): each journalled and raised, no record dated before the one made before it",
            day.clock_steps.len(),
            stepped.len()
        ),
        bad,
    ))
}

fn decisions(day: &Day) -> Check {
    let wrong: Vec<String> = day
        .scans
        .iter()
        .filter(|s| !s.ok)
        .map(|s| {
            format!(
                "{} gate {}: {} shown by {} ({}): got {} {}{}, the rules allow {} ({})",
                s.at,
                s.gate,
                s.serial,
                s.who,
                s.why,
                s.decision,
                s.reason,
                if s.flagged { " flagged" } else { "" },
                s.allowed.join(" or "),
                s.rule
            )
        })
        .collect();
    Check::new(
        "decisions",
        format!(
            "{} decisions, each against the rules given the truth",
            day.scans.len()
        ),
        wrong,
    )
}

/// Each gate ended the day cleanly; a gate that stopped during the day
/// did so only when its disk was full, out of service (exit 3) and saying
/// so.
fn finished(day: &Day) -> Check {
    let mut bad: Vec<String> = day
        .gate_exit_codes
        .iter()
        .filter(|(_, c)| *c != 0)
        .map(|(g, c)| format!("gate {g} ended with exit code {c}"))
        .collect();
    for s in &day.stops {
        if !s.expected {
            bad.push(format!(
                "{} gate {} stopped by itself (exit {}): {}",
                s.at, s.gate, s.code, s.log
            ));
        } else if s.code != 3 || !s.log.contains("OUT OF SERVICE") {
            bad.push(format!(
                "{} gate {} with a full disk ended with exit {} instead of going out of service (exit 3, saying OUT OF SERVICE): {}",
                s.at, s.gate, s.code, s.log
            ));
        }
    }
    Check::new(
        "gates finished",
        format!(
            "{} gates handed over and ended cleanly; {} out of service on a full disk as they must",
            day.gate_exit_codes.len(),
            day.stops.iter().filter(|s| s.expected).count()
        ),
        bad,
    )
}

fn chains(day: &Day) -> Result<Check, RehearseError> {
    let mut bad = Vec::new();
    for (gate, path) in &day.journals {
        let p = path.display().to_string();
        let (code, out, err) = run_tool(
            &day.exe,
            &day.dir,
            &["audit", "verify", "--journal", &p],
            None,
        )?;
        if code != 0 {
            bad.push(format!(
                "gate {gate}: audit verify exit {code}: {}{}",
                out.trim(),
                err.trim()
            ));
        }
    }
    Ok(Check::new(
        "chains",
        format!(
            "{} journals verified with `audit verify`",
            day.journals.len()
        ),
        bad,
    ))
}

/// Every decision a gate gave is in its journal, as it said: the number
/// and hash it printed, the same decision (nothing shown at a door and
/// then lost, by a full disk, a kill or a restart).
fn journalled(day: &Day, entries: &[Entry]) -> Check {
    let held: BTreeMap<(&str, u64), &Entry> = entries
        .iter()
        .map(|e| ((e.kiosk_id.as_str(), e.seq), e))
        .collect();
    let mut bad = Vec::new();
    let mut n = 0;
    for s in day.scans.iter().filter(|s| s.decision != "none") {
        n += 1;
        let (Some(seq), Some(hash)) = (s.seq, s.hash.as_deref()) else {
            bad.push(format!(
                "{} gate {}: the decision on {} ({} {}) printed no record number or hash",
                s.at, s.gate, s.serial, s.decision, s.reason
            ));
            continue;
        };
        match held.get(&(s.gate.as_str(), seq)) {
            None => bad.push(format!(
                "{} gate {}: record {seq} ({} {} on {}) is not in its journal",
                s.at, s.gate, s.decision, s.reason, s.serial
            )),
            Some(e) if hex(&e.hash) != hash || e.body.decision.code() != s.decision => {
                bad.push(format!(
                    "{} gate {}: record {seq} in the journal is {} {}, hash {}, but the gate said {} {} on {}, hash {hash}",
                    s.at,
                    s.gate,
                    e.body.decision.code(),
                    e.body.serial.as_deref().unwrap_or("-"),
                    hex(&e.hash),
                    s.decision,
                    s.reason,
                    s.serial
                ))
            }
            Some(_) => {}
        }
    }
    Check::new(
        "decisions journalled",
        format!("{n} decisions given at the doors, each found in its gate's journal as given"),
        bad,
    )
}

/// Every gate's records, in time order (as the merged audit takes them).
pub(crate) fn read_journals(
    journals: &[(String, std::path::PathBuf)],
) -> Result<Vec<Entry>, RehearseError> {
    let mut all = Vec::new();
    for (_, path) in journals {
        let j = Journal::open_readonly(path)
            .map_err(|e| RehearseError::Check(format!("{}: {e}", path.display())))?;
        all.extend(
            j.entries()
                .map_err(|e| RehearseError::Check(e.to_string()))?,
        );
    }
    all.sort_by(|a, b| (a.body.at_ms, &a.kiosk_id, a.seq).cmp(&(b.body.at_ms, &b.kiosk_id, b.seq)));
    Ok(all)
}

/// Who is inside by the core's muster model fed `entries` in order.
pub(crate) fn core_inside(entries: &[Entry]) -> BTreeSet<(String, String)> {
    let mut model = Muster::new();
    for e in entries {
        model.take(&e.kiosk_id, e.seq, &e.body);
    }
    model
        .inside()
        .map(|p| (p.stay.serial.clone(), p.stay.zone.clone()))
        .collect()
}

pub(crate) fn differences(
    name: &str,
    got: &BTreeSet<(String, String)>,
    truth: &BTreeSet<(String, String)>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (s, z) in got.difference(truth) {
        out.push(format!("{name} lists {s} inside {z}, but they are not"));
    }
    for (s, z) in truth.difference(got) {
        out.push(format!("{name} misses {s}, who is inside {z}"));
    }
    out
}

pub(crate) fn json_people(text: &str) -> BTreeSet<(String, String)> {
    text.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            Some((
                v["serial"].as_str()?.to_owned(),
                v["zone"].as_str()?.to_owned(),
            ))
        })
        .collect()
}

fn muster(day: &Day, entries: &[Entry]) -> Result<Check, RehearseError> {
    let mut bad = differences(
        "the core's muster model",
        &core_inside(entries),
        &day.truth_inside,
    );
    // The checks may run again on the same day: a fresh merge each time.
    for suffix in ["", "-wal", "-shm", ".lock"] {
        let _ = std::fs::remove_file(day.dir.join(format!("merged.db{suffix}")));
    }
    let merged = day.dir.join("merged.db").display().to_string();
    let mut args = vec![
        "audit".to_owned(),
        "merge".into(),
        "--journal".into(),
        merged.clone(),
    ];
    args.extend(day.journals.iter().map(|(_, p)| p.display().to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = run_tool(&day.exe, &day.dir, &refs, None)?;
    if code != 0 {
        bad.push(format!(
            "audit merge refused the journals: {}",
            format!("{} {}", out.trim(), err.trim()).trim()
        ));
    } else {
        let (code, out, err) = run_tool(
            &day.exe,
            &day.dir,
            &["audit", "inside", "--journal", &merged, "--json"],
            None,
        )?;
        if code != 0 {
            bad.push(format!("audit inside failed: {}", err.trim()));
        }
        bad.extend(differences(
            "audit inside",
            &json_people(&out),
            &day.truth_inside,
        ));
    }
    let mut views = 3;
    if let Some(pg) = &day.office {
        views += 1;
        // The office takes the last records a moment after the gates end.
        let until = Instant::now() + Duration::from_secs(20);
        let mut last: Vec<String> = Vec::new();
        let mut changed = Instant::now();
        loop {
            let before = last.clone();
            let (code, out, err) = run_tool(
                &day.exe,
                &day.dir,
                &["office", "inside", "--db", &pg.admin_url(), "--json"],
                Some(pg.passfile()),
            )?;
            last = if code == 0 {
                differences("office inside", &json_people(&out), &day.truth_inside)
            } else {
                vec![format!("office inside failed: {}", err.trim())]
            };
            if last != before {
                changed = Instant::now();
            }
            if last.is_empty() || Instant::now() > until || changed.elapsed() > STALLED {
                break;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        bad.extend(last);
        views += 1;
        bad.extend(match dashboard_muster(day, pg) {
            Ok(listed) => differences("the dashboard's muster list", &listed, &day.truth_inside),
            Err(e) => vec![format!(
                "the dashboard's muster list could not be read: {e}"
            )],
        });
    }
    Ok(Check::new(
        "muster",
        format!(
            "{} badges inside by the truth; the same in the core's model, audit inside{} ({views} views)",
            day.truth_inside.len(),
            if day.office.is_some() {
                ", office inside, the dashboard's muster list"
            } else {
                ""
            }
        ),
        bad,
    ))
}

/// The dashboard's muster list as a security officer opens it: `office
/// serve` started on a free port, a user added, signed in over HTTP, the
/// list's rows read (each says its serial and zone).
fn dashboard_muster(
    day: &Day,
    pg: &crate::office::Office,
) -> Result<BTreeSet<(String, String)>, RehearseError> {
    use std::io::{Read, Write};
    let dashboard =
        crate::office::Dashboard::start(pg, &day.exe, &day.dir, "127.0.0.1:0", None, "rehearsal")
            .map_err(|e| RehearseError::Check(e.to_string()))?;
    let password = dashboard.password.clone();
    let result = (|| {
        let addr = dashboard
            .base
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let ask = |request: String| -> Result<String, RehearseError> {
            let mut s = std::net::TcpStream::connect(&addr)?;
            s.set_read_timeout(Some(Duration::from_secs(10)))?;
            s.write_all(request.as_bytes())?;
            let mut text = String::new();
            s.read_to_string(&mut text)?;
            Ok(text)
        };
        let form = format!("user=rehearsal&password={password}");
        let answer = ask(format!(
            "POST /login HTTP/1.0\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        ))?;
        let cookie = answer
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("set-cookie")
                    .then(|| value.trim().to_owned())
            })
            .and_then(|c| c.split(';').next().map(str::to_owned))
            .ok_or_else(|| {
                RehearseError::Check("signing in to the dashboard gave no session".into())
            })?;
        // The dashboard looks at the office once a second: its list is
        // the office's once it has looked after the day.
        std::thread::sleep(Duration::from_millis(2500));
        let page = ask(format!(
            "GET /muster/list HTTP/1.0\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n"
        ))?;
        if !page.starts_with("HTTP/1.1 200") && !page.starts_with("HTTP/1.0 200") {
            return Err(RehearseError::Check(format!(
                "the muster list answered {}",
                page.lines().next().unwrap_or("nothing")
            )));
        }
        let mut listed = BTreeSet::new();
        for row in page.split("data-serial=\"").skip(1) {
            let serial = row.split('"').next().unwrap_or("");
            let zone = row
                .split_once("data-zone=\"")
                .and_then(|(_, z)| z.split('"').next())
                .unwrap_or("");
            listed.insert((unescape(serial), unescape(zone)));
        }
        Ok(listed)
    })();
    drop(dashboard);
    result
}

/// The few HTML escapes a serial or zone code can carry.
fn unescape(s: &str) -> String {
    s.replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn office_records(day: &Day, entries: &[Entry]) -> Result<Check, RehearseError> {
    let pg = day
        .office
        .as_ref()
        .ok_or_else(|| RehearseError::Check("no office".into()))?;
    let want: BTreeSet<(String, u64, String)> = entries
        .iter()
        .map(|e| (e.kiosk_id.clone(), e.seq, hex(&e.hash)))
        .collect();
    let until = Instant::now() + Duration::from_secs(30);
    let mut got = BTreeSet::new();
    let mut changed = Instant::now();
    loop {
        let now = office_rows(pg)?;
        if now != got {
            changed = Instant::now();
        }
        got = now;
        // Still arriving only while the office holds part of the journals
        // and takes more of them.
        if got == want
            || !got.is_subset(&want)
            || Instant::now() > until
            || changed.elapsed() > STALLED
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let mut bad = Vec::new();
    for (k, s, h) in want.difference(&got).take(50) {
        if got.iter().any(|(k2, s2, _)| k2 == k && s2 == s) {
            bad.push(format!(
                "kiosk {k} record {s}: the office holds another record (hash differs from {h})"
            ));
        } else {
            bad.push(format!("kiosk {k} record {s} never reached the office"));
        }
    }
    for (k, s, _) in got.difference(&want).take(50) {
        if !want.iter().any(|(k2, s2, _)| k2 == k && s2 == s) {
            bad.push(format!(
                "the office holds kiosk {k} record {s}, which no journal has"
            ));
        }
    }
    Ok(Check::new(
        "office records",
        format!(
            "{} records in the journals, each once at the office with the same hash",
            want.len()
        ),
        bad,
    ))
}

fn office_rows(
    pg: &crate::office::Office,
) -> Result<BTreeSet<(String, u64, String)>, RehearseError> {
    let mut db = pg.connect()?;
    let rows = db
        .query(
            "SELECT kiosk_id, seq, encode(hash, 'hex') FROM badgegate.records",
            &[],
        )
        .map_err(|e| RehearseError::Check(format!("the office's records: {e}")))?;
    Ok(rows
        .iter()
        .map(|r| {
            let seq: i64 = r.get(1);
            (r.get(0), u64::try_from(seq).unwrap_or(0), r.get(2))
        })
        .collect())
}

/// The office's alarms: one `revoked_inside` for each revoked badge a
/// gate refused while its holder was inside, and no alarm that says the
/// records are damaged (chain, hash, gap, fork, signature, quarantine, cut
/// back) or that a gate refused a list. Passback and presence conflicts
/// only where the office was down (gates deciding alone); gate outages
/// may or may not be raised (it depends how long they lasted).
fn alarms(day: &Day) -> Result<Check, RehearseError> {
    let pg = day
        .office
        .as_ref()
        .ok_or_else(|| RehearseError::Check("no office".into()))?;
    let mut db = pg.connect()?;
    let rows = db
        .query("SELECT kind, detail FROM badgegate.alarms ORDER BY id", &[])
        .map_err(|e| RehearseError::Check(format!("the office's alarms: {e}")))?;
    let mut bad = Vec::new();
    let mut raised: BTreeMap<String, usize> = BTreeMap::new();
    let mut counted = 0;
    let mut failovers = 0;
    for r in &rows {
        let kind: String = r.get(0);
        let detail: String = r.get(1);
        match kind.as_str() {
            "revoked_inside" => {
                counted += 1;
                let serial = detail
                    .strip_prefix("revoked badge holder inside: ")
                    .and_then(|d| d.split_whitespace().next())
                    .unwrap_or("?")
                    .trim_end_matches(',')
                    .to_owned();
                *raised.entry(serial).or_default() += 1;
            }
            "offline" => {}
            "passback" | "presence" if day.office_outage => {}
            "failover" => {
                failovers += 1;
            }
            "no_standby" if day.failovers > 0 => {}
            _ => bad.push(format!("an alarm nothing should raise: {kind}: {detail}")),
        }
    }
    for s in &day.revoked_inside {
        match raised.get(s) {
            None => bad.push(format!(
                "{s} was refused as revoked while inside, but no revoked_inside alarm was raised"
            )),
            Some(1) => {}
            Some(n) => bad.push(format!("{s}: {n} revoked_inside alarms, one expected")),
        }
    }
    if failovers != day.failovers {
        bad.push(format!(
            "{failovers} failover alarm(s) at the office; the day lost the primary {} time(s)",
            day.failovers
        ));
    }
    for s in raised.keys().filter(|s| !day.revoked_inside.contains(*s)) {
        bad.push(format!(
            "a revoked_inside alarm for {s}, who was not refused as revoked while inside"
        ));
    }
    Ok(Check::new(
        "alarms",
        format!(
            "{} alarms at the office; {} revoked holders found inside, each raised once",
            rows.len(),
            counted
        ),
        bad,
    ))
}

/// How long decisions took to reach the office (its receipt time minus
/// the gate's decision time, one clock on one machine): p50, p95, max ms.
pub fn office_lag(day: &Day) -> Result<Option<[f64; 3]>, RehearseError> {
    let Some(pg) = &day.office else {
        return Ok(None);
    };
    let mut db = pg.connect()?;
    let row = db
        .query_one(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY lag), percentile_cont(0.95) WITHIN GROUP (ORDER BY lag), max(lag)
               FROM (SELECT (extract(epoch FROM received_at) * 1000 - at_ms)::float8 AS lag
                       FROM badgegate.records WHERE kind = 'decision') x",
            &[],
        )
        .map_err(|e| RehearseError::Check(format!("the office's lag: {e}")))?;
    let get = |i: usize| -> f64 { row.get::<_, Option<f64>>(i).unwrap_or(0.0) };
    Ok(Some([get(0), get(1), get(2)]))
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Each published list taken up by every gate still running, within the
/// bound: from the gates' own "list taken up" records.
fn propagation(day: &Day, entries: &[Entry]) -> Check {
    let bound_ms = (day.scenario.propagation_bound_s * 1000.0) as u64;
    let mut bad = Vec::new();
    let mut worst = 0u64;
    for (sequence, published_ms) in &day.published {
        for (gate, _) in &day.journals {
            let sabotaged = day
                .scenario
                .gates
                .iter()
                .any(|g| &g.id == gate && g.sabotage.as_deref() == Some("stale_lists"));
            let _ = sabotaged;
            let taken = entries.iter().find(|e| {
                &e.kiosk_id == gate
                    && e.body.kind == EntryKind::List
                    && e.body.reason == EntryReason::Event(KioskEvent::ListAccepted)
                    && e.body.detail.contains(&format!("sequence {sequence} "))
            });
            match taken {
                Some(e) => {
                    let took = e.body.at_ms.saturating_sub(*published_ms);
                    worst = worst.max(took);
                    if took > bound_ms {
                        bad.push(format!(
                            "gate {gate} took up list #{sequence} after {:.1} s (bound {} s)",
                            took as f64 / 1000.0,
                            day.scenario.propagation_bound_s
                        ));
                    }
                }
                None => bad.push(format!(
                    "gate {gate} never took up revocation list #{sequence}"
                )),
            }
        }
    }
    Check::new(
        "revocations taken up",
        format!(
            "{} lists published; each at every gate within {} s (slowest {:.2} s)",
            day.published.len(),
            day.scenario.propagation_bound_s,
            worst as f64 / 1000.0
        ),
        bad,
    )
}
