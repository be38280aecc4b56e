//! `badgegate audit verify`: Check every kiosk's chain, and exported heads if given.

use std::process::ExitCode;

use anyhow::Context;
use badgegate::audit::heads;
use badgegate::text::{hex, json_line, printable, shown_path};

use super::open;
use crate::cli::AuditVerifyArgs;
use crate::cmd::Exit;

pub fn run(a: AuditVerifyArgs) -> anyhow::Result<ExitCode> {
    let j = open(&a.journal)?;
    let heads = match &a.heads {
        Some(p) => Some(heads::parse_heads(
            &std::fs::read_to_string(p).with_context(|| format!("reading {}", shown_path(p)))?,
        )?),
        None => None,
    };
    let report = heads::verify(&j, heads.as_deref())?;
    if a.json {
        println!("{}", json_line(&report));
    } else {
        for h in &report.heads {
            println!(
                "kiosk {}: {} record(s), last {} head {}",
                printable(&h.kiosk_id),
                h.records,
                h.last_seq,
                hex(&h.head_hash)
            );
        }
        for p in &report.problems {
            println!("BROKEN {}", printable(&p.to_string()));
        }
        if report.is_intact() {
            println!(
                "intact: {} record(s) in {} kiosk chain(s){}",
                heads::record_count(&report.heads),
                report.heads.len(),
                if heads.is_some() {
                    ", every exported head present"
                } else {
                    ""
                }
            );
        }
    }
    Ok(if report.is_intact() {
        Exit::Ok.into()
    } else {
        Exit::Problem.into()
    })
}
