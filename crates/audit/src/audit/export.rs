//! Every field of the selected records as CSV (safe to open in a
//! spreadsheet) or JSON lines, streamed.

use std::io::Write;

use super::{AuditError, Filter};
use badgegate_core::clock::format_utc_ms;
use badgegate_core::journal::{Entry, Journal};
use badgegate_core::text::{hex, is_hidden_char, json_line, printable};

/// The export columns, in their stable order (the last five came with
/// journal schema 2; a format-1 record has them empty, `format` 1).
pub const EXPORT_COLUMNS: [&str; 29] = [
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
    "list_seq",
    "guard",
    "format",
    "signer",
    "sig",
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

/// A cell's text as CSV carries it: hidden characters (ESC, other
/// controls, bidi marks) written as `\u{XXXX}`, as everywhere a terminal
/// may show them; tab, CR and LF kept (CSV quotes them), so a cell without
/// hidden characters round-trips exactly. The JSON lines export keeps
/// every character (JSON escapes them).
fn csv_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars()
        .any(|c| is_hidden_char(c) && !matches!(c, '\t' | '\n' | '\r'))
    {
        s.split(['\t', '\n', '\r'])
            .map(printable)
            .zip(
                s.matches(['\t', '\n', '\r'])
                    .map(Some)
                    .chain(std::iter::once(None)),
            )
            .map(|(part, sep)| part + sep.unwrap_or(""))
            .collect::<String>()
            .into()
    } else {
        s.into()
    }
}

fn row(e: &Entry, journal_name: &str) -> [String; 29] {
    let b = &e.body;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        e.kiosk_id.clone(),
        e.seq.to_string(),
        format_utc_ms(b.at_ms),
        b.at_ms.to_string(),
        b.kind.code().into(),
        b.gate.clone(),
        opt(&b.zone),
        b.direction.code().into(),
        opt(&b.serial),
        opt(&b.holder),
        opt(&b.org),
        opt(&b.category),
        opt(&b.key_id),
        b.decision.code().into(),
        b.reason.code().into(),
        u8::from(b.flagged).to_string(),
        u8::from(b.authentic).to_string(),
        b.detail.clone(),
        opt(&b.note),
        b.input.clone(),
        hex(&e.prev_hash),
        hex(&e.hash),
        e.id.to_string(),
        journal_name.to_owned(),
        b.list_seq.map(|n| n.to_string()).unwrap_or_default(),
        opt(&b.guard),
        e.format.to_string(),
        opt(&e.signer),
        e.sig.map(|s| hex(&s)).unwrap_or_default(),
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
            w.write_record(cells.iter().map(|c| csv_cell(&csv_text(c)).into_owned()))?;
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
                    "seq" | "at_ms" | "id" | "format" => {
                        serde_json::Value::from(v.parse::<u64>().unwrap_or(0))
                    }
                    "list_seq" => v
                        .parse::<u64>()
                        .map_or(serde_json::Value::Null, serde_json::Value::from),
                    "flagged" | "authentic" => serde_json::Value::from(v == "1"),
                    "zone" | "serial" | "holder" | "org" | "category" | "key_id" | "note"
                    | "guard" | "signer" | "sig"
                        if v.is_empty() =>
                    {
                        serde_json::Value::Null
                    }
                    _ => serde_json::Value::from(v),
                };
                map.insert((*k).to_owned(), value);
            }
            writeln!(out, "{}", json_line(&serde_json::Value::Object(map)))?;
        }
        Ok::<(), std::io::Error>(())
    })?;
    res?;
    out.flush()?;
    Ok(n)
}
