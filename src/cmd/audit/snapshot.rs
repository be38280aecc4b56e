//! `badgegate audit snapshot`: a consistent copy of a journal a kiosk is
//! writing (SQLite's online backup), where a plain copy of the main file
//! can miss the records still in its `-wal`.

use std::process::ExitCode;

use badgegate::journal::snapshot;
use badgegate::text::shown_path;

use crate::cli::AuditSnapshotArgs;
use crate::cmd::Exit;

pub fn run(a: AuditSnapshotArgs) -> anyhow::Result<ExitCode> {
    let records = snapshot(&a.journal, &a.out, a.force)?;
    println!(
        "copied {} to {}: {records} record(s), consistent as of now",
        shown_path(&a.journal),
        shown_path(&a.out)
    );
    Ok(Exit::Ok.into())
}
