//! The security office's side: filter and export journals, check their
//! chains against exported heads, count, list who is inside, merge several
//! kiosks' journals into one, and draw the report.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use serde::Serialize;

use crate::clock::{format_human, format_utc_ms};
use crate::journal::{
    hex, verify_chain, ChainHead, ChainProblem, ChainReport, Direction, Entry, EntryKind, Journal,
    JournalError,
};

/// Failures of audit commands.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("writing output: {0}")]
    Write(#[from] std::io::Error),
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("chain head line {line}: {why}")]
    BadHead { line: usize, why: String },
}

/// Which records to look at.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub from_ms: Option<u64>,
    pub to_ms: Option<u64>,
    pub gate: Option<String>,
    pub zone: Option<String>,
    pub serial: Option<String>,
    /// Case-insensitive substring of the holder's name.
    pub name: Option<String>,
    pub decision: Option<String>,
    pub reason: Option<String>,
    pub kiosk: Option<String>,
    /// Include kiosk start records.
    pub with_starts: bool,
}

impl Filter {
    pub fn matches(&self, e: &Entry) -> bool {
        let b = &e.body;
        let eq = |want: &Option<String>, have: Option<&str>| {
            want.as_deref().is_none_or(|w| Some(w) == have)
        };
        (self.with_starts || b.kind != EntryKind::Start)
            && self.from_ms.is_none_or(|t| b.at_ms >= t)
            && self.to_ms.is_none_or(|t| b.at_ms <= t)
            && eq(&self.gate, Some(&b.gate))
            && eq(&self.zone, b.zone.as_deref())
            && eq(&self.serial, b.serial.as_deref())
            && eq(&self.decision, Some(&b.decision))
            && eq(&self.reason, Some(&b.reason))
            && eq(&self.kiosk, Some(&e.kiosk_id))
            && self.name.as_ref().is_none_or(|n| {
                b.holder
                    .as_deref()
                    .is_some_and(|h| h.to_lowercase().contains(&n.to_lowercase()))
            })
    }
}

/// Records matching `filter` in time order (or newest first), at most `limit`.
pub fn select(
    j: &Journal,
    filter: &Filter,
    newest_first: bool,
    limit: Option<usize>,
) -> Result<Vec<Entry>, AuditError> {
    let mut out = Vec::new();
    j.for_each_in_time_order(|e| {
        if filter.matches(&e) {
            out.push(e);
            // Oldest first: stop early at the limit.
            if !newest_first && limit.is_some_and(|l| out.len() >= l) {
                return Err(());
            }
        }
        Ok(())
    })?
    .ok();
    if newest_first {
        out.reverse();
        if let Some(l) = limit {
            out.truncate(l);
        }
    }
    Ok(out)
}

/// The export columns, in their stable order.
pub const EXPORT_COLUMNS: [&str; 24] = [
    "kiosk_id",
    "seq",
    "at",
    "at_ms",
    "kind",
    "gate",
    "zone",
    "direction",
    "serial",
    "holder",
    "org",
    "category",
    "key_id",
    "decision",
    "reason",
    "flagged",
    "authentic",
    "detail",
    "note",
    "input",
    "prev_hash",
    "hash",
    "id",
    "journal",
];

/// A CSV cell a spreadsheet will not run: a cell starting with `=`, `+`,
/// `-`, `@`, tab, CR or `'` gets one leading `'`. [`csv_cell_value`] undoes
/// it exactly.
pub fn csv_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// The value of an exported cell (removes the one escaping apostrophe).
pub fn csv_cell_value(s: &str) -> &str {
    s.strip_prefix('\'').unwrap_or(s)
}

fn row(e: &Entry, journal_name: &str) -> [String; 24] {
    let b = &e.body;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        e.kiosk_id.clone(),
        e.seq.to_string(),
        format_utc_ms(b.at_ms),
        b.at_ms.to_string(),
        b.kind.as_str().into(),
        b.gate.clone(),
        opt(&b.zone),
        b.direction.as_str().into(),
        opt(&b.serial),
        opt(&b.holder),
        opt(&b.org),
        opt(&b.category),
        opt(&b.key_id),
        b.decision.clone(),
        b.reason.clone(),
        u8::from(b.flagged).to_string(),
        u8::from(b.authentic).to_string(),
        b.detail.clone(),
        opt(&b.note),
        b.input.clone(),
        hex(&e.prev_hash),
        hex(&e.hash),
        e.id.to_string(),
        journal_name.to_owned(),
    ]
}

/// Writes every record matching `filter` as CSV (header + one row each,
/// spreadsheet-safe) in time order. Returns the number of rows.
pub fn export_csv<W: Write>(j: &Journal, filter: &Filter, out: W) -> Result<u64, AuditError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(EXPORT_COLUMNS)?;
    let name = j.path().display().to_string();
    let mut n = 0u64;
    let res = j.for_each_in_time_order(|e| {
        if filter.matches(&e) {
            n += 1;
            let cells = row(&e, &name);
            w.write_record(cells.iter().map(|c| csv_cell(c).into_owned()))?;
        }
        Ok::<(), csv::Error>(())
    })?;
    res?;
    w.flush()?;
    Ok(n)
}

/// Writes every record matching `filter` as JSON lines in time order.
pub fn export_jsonl<W: Write>(j: &Journal, filter: &Filter, mut out: W) -> Result<u64, AuditError> {
    let name = j.path().display().to_string();
    let mut n = 0u64;
    let res = j.for_each_in_time_order(|e| {
        if filter.matches(&e) {
            n += 1;
            let cells = row(&e, &name);
            let mut map = serde_json::Map::new();
            for (k, v) in EXPORT_COLUMNS.iter().zip(cells) {
                let value = match *k {
                    "seq" | "at_ms" | "id" => {
                        serde_json::Value::from(v.parse::<u64>().unwrap_or(0))
                    }
                    "flagged" | "authentic" => serde_json::Value::from(v == "1"),
                    "zone" | "serial" | "holder" | "org" | "category" | "key_id" | "note"
                        if v.is_empty() =>
                    {
                        serde_json::Value::Null
                    }
                    _ => serde_json::Value::from(v),
                };
                map.insert((*k).to_owned(), value);
            }
            writeln!(out, "{}", serde_json::Value::Object(map))?;
        }
        Ok::<(), std::io::Error>(())
    })?;
    res?;
    out.flush()?;
    Ok(n)
}

/// One line of an exported chain head: `kiosk seq hash` (hash in hex).
pub fn format_heads(report: &ChainReport) -> String {
    report
        .heads
        .iter()
        .map(|h| format!("{} {} {}\n", h.kiosk_id, h.last_seq, hex(&h.head_hash)))
        .collect()
}

/// Parses exported chain heads.
pub fn parse_heads(text: &str) -> Result<Vec<(String, u64, String)>, AuditError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |why: &str| AuditError::BadHead {
            line: i + 1,
            why: why.into(),
        };
        let mut parts = line.split_whitespace();
        let (Some(k), Some(s), Some(h), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad("expected `KIOSK SEQ HASH`"));
        };
        let seq = s
            .parse::<u64>()
            .map_err(|_| bad("sequence is not a number"))?;
        if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("hash is not 64 hex digits"));
        }
        out.push((k.to_owned(), seq, h.to_ascii_lowercase()));
    }
    Ok(out)
}

/// Checks exported heads against a journal: each kiosk's record at the
/// head's sequence must exist with that very hash. A missing one means the
/// journal was cut back (tail truncated) or replaced.
pub fn check_heads(
    j: &Journal,
    heads: &[(String, u64, String)],
) -> Result<Vec<ChainProblem>, AuditError> {
    let mut problems = Vec::new();
    for (kiosk, seq, hash) in heads {
        match j.hash_of(kiosk, *seq)? {
            Some(h) if hex(&h) == *hash => {}
            Some(_) => problems.push(ChainProblem {
                kiosk_id: kiosk.clone(),
                seq: *seq,
                id: 0,
                what: "differs from the exported chain head (records replaced)".into(),
            }),
            None => problems.push(ChainProblem {
                kiosk_id: kiosk.clone(),
                seq: *seq,
                id: 0,
                what: "is missing although the exported chain head names it (journal cut back: tail truncated)".into(),
            }),
        }
    }
    Ok(problems)
}

/// Counts for the security office.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Stats {
    pub decisions: u64,
    pub admits: u64,
    pub denies: u64,
    pub flagged: u64,
    /// Admits at entry gates per hour (`YYYY-MM-DD HH:00` UTC) and gate.
    pub entries_per_hour: BTreeMap<String, BTreeMap<String, u64>>,
    /// Per gate: (admits, denies).
    pub per_gate: BTreeMap<String, (u64, u64)>,
    /// Denies per reason.
    pub denies_by_reason: BTreeMap<String, u64>,
    /// Every reason's count, admits and denies.
    pub per_reason: BTreeMap<String, u64>,
    /// Highest number of entry admits in one minute, and that minute.
    pub peak_entries_per_minute: u64,
    pub peak_minute: Option<String>,
    pub first_ms: Option<u64>,
    pub last_ms: Option<u64>,
}

fn hour_label(ms: u64) -> String {
    let s = format_human(ms / 1000);
    format!("{}:00", &s[..s.len().min(13)])
}

/// Statistics over the records matching `filter`.
pub fn stats(j: &Journal, filter: &Filter) -> Result<Stats, AuditError> {
    let mut s = Stats::default();
    let mut per_minute: HashMap<u64, u64> = HashMap::new();
    j.for_each_entry(|e| {
        // Start records and decisions still awaiting the guard's ID check
        // (`none`; their answer is its own record) are not decisions.
        if e.body.kind == EntryKind::Start || e.body.decision == "none" || !filter.matches(&e) {
            return Ok::<(), ()>(());
        }
        let b = &e.body;
        s.decisions += 1;
        s.first_ms = Some(s.first_ms.map_or(b.at_ms, |t| t.min(b.at_ms)));
        s.last_ms = Some(s.last_ms.map_or(b.at_ms, |t| t.max(b.at_ms)));
        *s.per_reason.entry(b.reason.clone()).or_default() += 1;
        let gate = s.per_gate.entry(b.gate.clone()).or_default();
        if b.decision == "admit" {
            s.admits += 1;
            gate.0 += 1;
            s.flagged += u64::from(b.flagged);
            if b.direction == Direction::In {
                *s.entries_per_hour
                    .entry(hour_label(b.at_ms))
                    .or_default()
                    .entry(b.gate.clone())
                    .or_default() += 1;
                *per_minute.entry(b.at_ms / 60_000).or_default() += 1;
            }
        } else {
            s.denies += 1;
            gate.1 += 1;
            *s.denies_by_reason.entry(b.reason.clone()).or_default() += 1;
        }
        Ok(())
    })?
    .ok();
    if let Some((minute, n)) = per_minute
        .into_iter()
        .max_by_key(|(m, n)| (*n, std::cmp::Reverse(*m)))
    {
        s.peak_entries_per_minute = n;
        s.peak_minute = Some(format_human(minute * 60));
    }
    Ok(s)
}

/// Someone inside, for the muster list.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Present {
    pub serial: String,
    pub name: String,
    pub org: String,
    pub category: String,
    pub gate: String,
    pub kiosk_id: String,
    pub since_ms: u64,
    pub since: String,
}

/// Who is inside at `at_ms` (or at the end of the journal), per zone: a
/// badge whose last admitted record up to then is an entry. Zone is the
/// entry gate's zone (`(any)` for a gate without one).
pub fn inside(
    j: &Journal,
    at_ms: Option<u64>,
) -> Result<BTreeMap<String, Vec<Present>>, AuditError> {
    let mut last: HashMap<String, (Direction, Option<String>, Present)> = HashMap::new();
    j.for_each_in_time_order(|e| {
        let b = &e.body;
        if at_ms.is_some_and(|t| b.at_ms > t) {
            return Err(());
        }
        if b.kind == EntryKind::Start || b.decision != "admit" || !b.authentic {
            return Ok(());
        }
        let Some(serial) = &b.serial else {
            return Ok(());
        };
        let present = Present {
            serial: serial.clone(),
            name: b.holder.clone().unwrap_or_default(),
            org: b.org.clone().unwrap_or_default(),
            category: b.category.clone().unwrap_or_default(),
            gate: b.gate.clone(),
            kiosk_id: e.kiosk_id.clone(),
            since_ms: b.at_ms,
            since: format_utc_ms(b.at_ms),
        };
        last.insert(serial.clone(), (b.direction, b.zone.clone(), present));
        Ok(())
    })?
    .ok();
    let mut zones: BTreeMap<String, Vec<Present>> = BTreeMap::new();
    for (_, (dir, zone, p)) in last {
        if dir == Direction::In {
            zones
                .entry(zone.unwrap_or_else(|| "(any)".into()))
                .or_default()
                .push(p);
        }
    }
    for list in zones.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name).then(a.serial.cmp(&b.serial)));
    }
    Ok(zones)
}

/// What a merge did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MergeReport {
    pub added: u64,
    pub already_present: u64,
    /// Records not merged, and why (conflicts with the target, or a broken
    /// chain in the source).
    pub refused: Vec<String>,
}

/// Merges every kiosk chain of `source` into `target`. A record the target
/// already has (same kiosk, sequence and hash) is skipped; a record whose
/// chain does not verify in the source, or that contradicts the target
/// (same kiosk and sequence, different hash; or not linking to the target's
/// last record), is refused and reported with everything after it in that
/// kiosk's chain. Idempotent: merging the same journal twice adds nothing.
pub fn merge(target: &mut Journal, source: &Journal) -> Result<MergeReport, AuditError> {
    let mut report = MergeReport::default();
    let mut target_heads: HashMap<String, (u64, [u8; 32])> = target
        .kiosk_heads()?
        .into_iter()
        .map(|(k, s, h)| (k, (s, h)))
        .collect();
    let mut batch: Vec<Entry> = Vec::new();
    let mut current: Option<String> = None;
    let mut prev = [0u8; 32];
    let mut expected_seq = 1u64;
    let mut broken = false;
    // Kiosks whose source ends before the target's head: (last seq, hash)
    // still to compare with the target's record there.
    let mut pending: HashMap<String, (u64, [u8; 32])> = HashMap::new();
    const BATCH: usize = 20_000;
    let res = source.for_each_in_chain_order(|e| {
        if current.as_deref() != Some(e.kiosk_id.as_str()) {
            current = Some(e.kiosk_id.clone());
            prev = crate::journal::genesis_hash(&e.kiosk_id);
            expected_seq = 1;
            broken = false;
        }
        if broken {
            return Ok::<(), AuditError>(());
        }
        if let Some(why) = crate::journal::chain_break(&e, expected_seq, &prev) {
            broken = true;
            report.refused.push(format!(
                "kiosk {} from record {} on: the source's chain breaks there ({why}); not merged",
                e.kiosk_id, e.seq
            ));
            return Ok(());
        }
        prev = e.hash;
        expected_seq += 1;
        let head = target_heads.get(&e.kiosk_id).copied();
        match head {
            Some((last, _)) if e.seq < last => {
                // Already held, if the target's record at its head matches
                // the source's (checked there): a chain hash commits to
                // every record before it, so one comparison covers them all.
                pending.insert(e.kiosk_id.clone(), (e.seq, e.hash));
                report.already_present += 1;
            }
            Some((last, last_hash)) if e.seq == last => {
                pending.remove(&e.kiosk_id);
                if last_hash == e.hash {
                    report.already_present += 1;
                } else {
                    broken = true;
                    report.already_present -= report.already_present.min(e.seq - 1);
                    report.refused.push(format!(
                        "kiosk {} record {}: conflicts with the record the target already holds; this kiosk's records were not merged",
                        e.kiosk_id, e.seq
                    ));
                }
            }
            Some((last, last_hash)) if e.seq == last + 1 && e.prev_hash != last_hash => {
                broken = true;
                report.refused.push(format!(
                    "kiosk {} record {}: does not continue the target's chain (a fork); not merged",
                    e.kiosk_id, e.seq
                ));
            }
            _ => {
                target_heads.insert(e.kiosk_id.clone(), (e.seq, e.hash));
                batch.push(e);
                report.added += 1;
                if batch.len() >= BATCH {
                    target.import(&batch)?;
                    batch.clear();
                }
            }
        }
        Ok(())
    })?;
    res?;
    if !batch.is_empty() {
        target.import(&batch)?;
    }
    for (kiosk, (seq, hash)) in pending {
        if target.hash_of(&kiosk, seq)? != Some(hash) {
            report.already_present -= report.already_present.min(seq);
            report.refused.push(format!(
                "kiosk {kiosk} record {seq}: conflicts with the record the target already holds; this kiosk's records were not merged"
            ));
        }
    }
    Ok(report)
}

/// The chain check, plus exported heads if given.
pub fn verify(
    j: &Journal,
    heads: Option<&[(String, u64, String)]>,
) -> Result<ChainReport, AuditError> {
    let mut report = verify_chain(j)?;
    if let Some(h) = heads {
        report.problems.extend(check_heads(j, h)?);
    }
    Ok(report)
}

/// Total records across kiosks in a report.
pub fn record_count(heads: &[ChainHead]) -> u64 {
    heads.iter().map(|h| h.records).sum()
}

pub use crate::report::report_html;
