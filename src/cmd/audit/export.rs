//! `badgegate audit export`: every field as CSV (spreadsheet-safe) or JSON
//! lines, to a file (placed whole) or to stdout.

use std::io::Write;
use std::process::ExitCode;

use badgegate::audit::{export, AuditError, Filter};
use badgegate::files::write_atomic_with;
use badgegate::journal::Journal;
use badgegate::text::shown_path;

use super::{done, filter, open_checked};
use crate::cli::AuditExportArgs;

pub fn run(a: AuditExportArgs) -> anyhow::Result<ExitCode> {
    let (j, chain) = open_checked(&a.journal)?;
    let f = filter(&a.filter)?;
    let csv = a.format == crate::cli::ExportFormat::Csv;
    match &a.out {
        Some(p) => {
            // An export that fails leaves no half file behind.
            let n = write_atomic_with(p, 0o600, a.force, |w| {
                write(&j, &f, csv, w).map_err(std::io::Error::other)
            })?;
            say!("exported {n} record(s) to {}", shown_path(p));
        }
        None => {
            let mut w = std::io::BufWriter::new(std::io::stdout().lock());
            write(&j, &f, csv, &mut w)?;
            w.flush()?;
        }
    }
    Ok(done(&chain))
}

fn write(j: &Journal, f: &Filter, csv: bool, w: &mut dyn Write) -> Result<u64, AuditError> {
    if csv {
        export::export_csv(j, f, w)
    } else {
        export::export_jsonl(j, f, w)
    }
}
