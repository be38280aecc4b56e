//! Chain heads kept away from the kiosk: written at shift end, checked
//! later so that a cut-back tail is found.

use super::AuditError;
use badgegate_core::journal::{
    verify_signatures, ChainHead, ChainProblem, ChainReport, Journal, KioskKeys,
};
use badgegate_core::text::hex;

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

/// The chain check with the enrolled kiosks' keys if given, plus exported
/// heads if given.
pub fn verify(
    j: &Journal,
    heads: Option<&[(String, u64, String)]>,
    kiosk_keys: Option<&KioskKeys>,
) -> Result<ChainReport, AuditError> {
    let mut report = verify_signatures(j, kiosk_keys)?;
    if let Some(h) = heads {
        report.problems.extend(check_heads(j, h)?);
    }
    Ok(report)
}

/// Total records across kiosks in a report.
pub fn record_count(heads: &[ChainHead]) -> u64 {
    heads.iter().map(|h| h.records).sum()
}
