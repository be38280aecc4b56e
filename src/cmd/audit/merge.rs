//! `badgegate audit merge`: Merge kiosks' journals into one audit file.

use std::process::ExitCode;

use anyhow::bail;
use badgegate::audit::merge;
use badgegate::journal::Journal;
use badgegate::text::{printable, shown_path};

use super::open;
use crate::cli::AuditMergeArgs;
use crate::cmd::Exit;

pub fn run(a: AuditMergeArgs) -> anyhow::Result<ExitCode> {
    // Every source is opened before anything is merged: a missing or
    // unreadable one stops the merge with the target untouched, rather
    // than half way through.
    let mut sources = Vec::with_capacity(a.sources.len());
    for src in &a.sources {
        if std::fs::canonicalize(src).ok() == std::fs::canonicalize(&a.journal).ok() {
            bail!("{} is the target itself", shown_path(src));
        }
        sources.push((src, open(src)?));
    }
    let mut target = Journal::open(&a.journal, None, "audit-merge")?;
    let mut all_ok = true;
    for (src, source) in &sources {
        let r = merge::merge(&mut target, source)?;
        println!(
            "{}: {} record(s) added, {} already present{}",
            shown_path(src),
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
        Exit::Ok.into()
    } else {
        Exit::Problem.into()
    })
}
