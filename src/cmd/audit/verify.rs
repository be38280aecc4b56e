//! `badgegate audit verify`: Check every kiosk's chain, and exported heads if given.

use std::process::ExitCode;

use anyhow::Context;
use badgegate::audit::heads;
use badgegate::journal::{KioskKeys, KioskSigning, SignatureCheck};
use badgegate::text::{hex, json_line, printable, shown_path};

use super::open;
use crate::cli::AuditVerifyArgs;
use crate::cmd::Exit;

/// How a kiosk's records were proven, in words.
fn signing_line(s: &KioskSigning) -> String {
    let kiosk = printable(&s.kiosk_id);
    let key = s.key_id.as_deref().unwrap_or("-");
    let before = if s.unsigned_before > 0 {
        format!(
            "; its first {} record(s) were written before it signed, and are covered by the signed ones after them",
            s.unsigned_before
        )
    } else {
        String::new()
    };
    match s.check {
        SignatureCheck::Enrolled => format!(
            "kiosk {kiosk}: {} record(s) signed by its enrolled key {key}{before}",
            s.signed
        ),
        SignatureCheck::SelfNamed => format!(
            "kiosk {kiosk}: {} record(s) signed by key {key}, checked only against the key the journal names itself; give --kiosk-keys DIR to check it is this kiosk's enrolled key{before}",
            s.signed
        ),
        SignatureCheck::Unsigned => format!(
            "kiosk {kiosk}: not signed: its chain proves order, not who wrote it (anyone able to write the file could rebuild it)"
        ),
    }
}

pub fn run(a: AuditVerifyArgs) -> anyhow::Result<ExitCode> {
    let j = open(&a.journal)?;
    let heads = match &a.heads {
        Some(p) => Some(heads::parse_heads(
            &std::fs::read_to_string(p).with_context(|| format!("reading {}", shown_path(p)))?,
        )?),
        None => None,
    };
    let keys = match &a.kiosk_keys {
        Some(dir) => Some(KioskKeys::load(dir)?),
        None => None,
    };
    let report = heads::verify(&j, heads.as_deref(), keys.as_ref())?;
    if a.json {
        println!("{}", json_line(&report));
    } else {
        for s in &report.signing {
            println!("{}", signing_line(s));
        }
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
