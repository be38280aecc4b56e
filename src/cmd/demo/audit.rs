//! Step 6b: the security office audits the gate's journal (chain, counts,
//! who is inside, the HTML report), then catches an edited copy.

use std::path::Path;

use badgegate::audit::{heads, inside, report, stats, Filter};
use badgegate::journal::Journal;
use badgegate::text::{printable_short, shown_path};

use super::Story;

/// Returns how many checks came out other than they must.
pub fn run(s: &Story) -> anyhow::Result<usize> {
    let j = Journal::open_readonly(&s.journal_path)?;
    let chain = heads::verify(&j, None, None)?;
    let counts = stats::stats(&j, &Filter::default())?;
    let inside = inside::inside(&j, None)?;
    let report_path = s.root.join("audit-report.html");
    let html = report::report_html(
        &j,
        &chain,
        None,
        &badgegate::clock::VenueTime::chosen(None, badgegate::audit::recorded_venue_time(&j)?)
            .map_err(anyhow::Error::msg)?,
    )?;
    badgegate::files::write_atomic(&report_path, html.as_bytes(), 0o644, true)?;
    let denies: Vec<String> = counts
        .denies_by_reason
        .iter()
        .map(|(r, n)| format!("{r} {n}"))
        .collect();
    let muster: Vec<String> = inside
        .iter()
        .map(|(z, people)| {
            let names: Vec<String> = people
                .iter()
                .map(|p| printable_short(&p.name, 24))
                .collect();
            format!("{z}: {}", names.join(", "))
        })
        .collect();
    println!(
        "\n6b. audit: chain {}, {} admitted, {} denied ({}); inside now: {}",
        if chain.is_intact() {
            "intact"
        } else {
            "BROKEN"
        },
        counts.admits,
        counts.denies,
        denies.join(", "),
        muster.join("; ")
    );
    if s.kept {
        println!(
            "    report with charts and the muster list: {}",
            shown_path(&report_path)
        );
    } else {
        println!(
            "    report with charts and the muster list written (the demo's temporary folder is removed when it ends: `badgegate demo --keep demo` keeps it as demo/{})",
            report_path.file_name().map(|f| f.to_string_lossy()).unwrap_or_default()
        );
    }
    let caught = edited_copy_is_caught(&s.root, &s.journal_path)?;
    Ok(usize::from(!chain.is_intact()) + usize::from(!caught))
}

/// Someone edits a copy of the journal behind the kiosk's back: the denied
/// revoked badge becomes an admit. The chain check must name the record.
fn edited_copy_is_caught(root: &Path, journal: &Path) -> anyhow::Result<bool> {
    let forged = root.join("plenary-north-edited.db");
    std::fs::copy(journal, &forged)?;
    {
        let c = rusqlite::Connection::open(&forged)?;
        c.execute_batch(
            "DROP TRIGGER entries_no_update; UPDATE entries SET decision = 'admit', reason = 'ok' WHERE reason = 'revoked';",
        )?;
    }
    let edited = heads::verify(&Journal::open_readonly(&forged)?, None, None)?;
    let caught = edited
        .problems
        .first()
        .map(|p| p.to_string())
        .unwrap_or_else(|| "NOT CAUGHT".into());
    println!(
        "    an edited copy (the revoked badge turned into an admit) is caught: {}",
        printable_short(&caught, 90)
    );
    Ok(!edited.is_intact())
}
