//! Checkpoints during the day: the day pauses at the scenario's times and
//! who is inside by the truth is compared, person by person, with the core's
//! muster model over the gates' journals as they stand and — once every
//! record the gates hold has reached the office — with `office inside`,
//! the view a security officer would open at that moment. The end of the
//! day's muster check does the same with every view; a checkpoint catches a
//! view that is wrong for a while and right again by the evening.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::gates::run_tool;
use crate::office::Office;
use crate::RehearseError;

/// One checkpoint's outcome.
#[derive(Clone, Debug, Serialize)]
pub struct Checkpoint {
    /// Scenario time (`HH:MM:SS`).
    pub at: String,
    /// People inside by the truth.
    pub inside: usize,
    /// The views compared.
    pub views: Vec<String>,
    /// Why the office's view was not compared (a gate cut off or down, the
    /// office down: the office cannot know yet, by design).
    pub office_skipped: Option<String>,
    pub discrepancies: Vec<String>,
}

/// Who is inside by the core's muster model fed every journal as it
/// stands.
pub fn journals_inside(
    journals: &[(String, PathBuf)],
) -> Result<BTreeSet<(String, String)>, RehearseError> {
    Ok(crate::check::core_inside(&crate::check::read_journals(
        journals,
    )?))
}

/// Each gate's last record, from its journal.
fn journal_heads(journals: &[(String, PathBuf)]) -> Result<BTreeMap<String, u64>, RehearseError> {
    let mut heads = BTreeMap::new();
    for e in crate::check::read_journals(journals)? {
        let head = heads.entry(e.kiosk_id).or_insert(0);
        *head = e.seq.max(*head);
    }
    Ok(heads)
}

/// Waits (at most `limit`, and no longer than 10 s without progress: a
/// gate just started again or healed reconnects within 7 s) until
/// the office holds every record the gates' journals do; the gates still
/// behind when it gives up.
pub fn office_catches_up(
    office: &Office,
    journals: &[(String, PathBuf)],
    limit: Duration,
) -> Result<Vec<String>, RehearseError> {
    let until = Instant::now() + limit;
    let want = journal_heads(journals)?;
    let mut db = office.connect()?;
    let mut last: Vec<String> = Vec::new();
    let mut changed = Instant::now();
    loop {
        let rows = db
            .query(
                "SELECT kiosk_id, max(seq) FROM badgegate.records GROUP BY kiosk_id",
                &[],
            )
            .map_err(|e| RehearseError::Check(format!("the office's records: {e}")))?;
        let held: BTreeMap<String, i64> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        let behind: Vec<String> = want
            .iter()
            .filter(|(id, seq)| held.get(*id).copied().unwrap_or(0) < **seq as i64)
            .map(|(id, seq)| {
                format!(
                    "gate {id}: journal at record {seq}, office at {}",
                    held.get(id).copied().unwrap_or(0)
                )
            })
            .collect();
        if behind != last {
            changed = Instant::now();
        }
        // Nothing more arriving for 10 s: what is missing will not come.
        if behind.is_empty()
            || Instant::now() >= until
            || changed.elapsed() > Duration::from_secs(10)
        {
            return Ok(behind);
        }
        last = behind;
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `office inside --json`, as a security officer runs it.
pub fn office_inside(
    office: &Office,
    exe: &std::path::Path,
    dir: &std::path::Path,
) -> Result<Result<BTreeSet<(String, String)>, String>, RehearseError> {
    let (code, out, err) = run_tool(
        exe,
        dir,
        &["office", "inside", "--db", &office.admin_url(), "--json"],
        Some(office.passfile()),
    )?;
    Ok(if code == 0 {
        Ok(crate::check::json_people(&out))
    } else {
        Err(format!("office inside failed: {}", err.trim()))
    })
}
