//! `badgegate verify`: decide every badge in images or stdin lines, offline.

use std::io::{BufRead, Read};
use std::path::Path;
use std::process::ExitCode;

use anyhow::anyhow;
use badgegate::clock;
use badgegate::constants::MAX_STDIN_LINE;
use badgegate::decide::{decide, decide_bytes, Checks, Decision, GatePolicy};
use badgegate::qr;
use badgegate::text::printable;

use crate::cli::VerifyArgs;

pub fn run(a: VerifyArgs) -> anyhow::Result<ExitCode> {
    let (trust, revocations) = super::load_trust(&a.trust, a.revocations.as_deref())?;
    let now = match &a.at {
        Some(t) => clock::parse_rfc3339(t).map_err(|e| anyhow!("--at: {e}"))?,
        None => clock::now(),
    };
    let gate = GatePolicy {
        zone: a.zone.as_ref().map(|z| z.trim().to_lowercase()),
        skew_secs: a.skew,
        ..GatePolicy::default()
    };
    let checks = Checks {
        trust: &trust,
        revocations: revocations.as_ref(),
        gate: &gate,
        now,
    };
    let mut out = Printer {
        json: a.json,
        any_deny: false,
        any_error: false,
        count: 0,
    };
    let mut stdin_used = false;
    for input in &a.inputs {
        if input.as_os_str() == "-" {
            if stdin_used {
                continue;
            }
            stdin_used = true;
            read_stdin(&checks, &mut out);
        } else {
            verify_path(input, &checks, &mut out);
        }
    }
    if !a.json && out.count > 1 {
        eprintln!(
            "{} decision(s){}",
            out.count,
            if out.any_deny {
                ", at least one denied"
            } else {
                ", all admitted"
            }
        );
    }
    Ok(if out.any_error {
        ExitCode::from(2)
    } else if out.any_deny || out.count == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

struct Printer {
    json: bool,
    any_deny: bool,
    any_error: bool,
    count: usize,
}

impl Printer {
    fn decision(&mut self, d: &Decision, input: &str) {
        self.count += 1;
        self.any_deny |= !d.is_admit();
        if self.json {
            println!("{}", d.to_json(input));
            return;
        }
        let who = d.holder_summary();
        println!(
            "{:<5}  {:<19}  {}  {}: {}",
            d.verdict.as_str().to_uppercase(),
            d.reason.code(),
            who,
            printable(input),
            printable(&d.detail)
        );
    }

    fn error(&mut self, msg: &str) {
        self.any_error = true;
        eprintln!("error: {}", printable(msg));
    }
}

fn verify_path(input: &Path, checks: &Checks<'_>, out: &mut Printer) {
    let paths = match qr::image_paths(input) {
        Ok(p) => p,
        Err(e) => return out.error(&format!("{}: {e}", input.display())),
    };
    if paths.is_empty() {
        out.error(&format!(
            "{}: no .png or .jpg images in this folder",
            input.display()
        ));
    }
    for path in paths {
        let name = path.display().to_string();
        match qr::load_gray(&path) {
            Ok(img) => {
                let codes = qr::decode(&img);
                if codes.is_empty() {
                    out.decision(
                        &Decision::not_a_badge("no readable QR code in the image"),
                        &name,
                    );
                }
                for code in codes {
                    out.decision(&decide_bytes(&code.bytes, checks), &name);
                }
            }
            Err(e) => out.error(&e.to_string()),
        }
    }
}

fn read_stdin(checks: &Checks<'_>, out: &mut Printer) {
    let stdin = std::io::stdin();
    let mut reader = stdin.lock();
    let mut line_no = 0usize;
    loop {
        let mut buf = Vec::new();
        // Cap each line: a scanner never sends more than a badge.
        match (&mut reader)
            .take(MAX_STDIN_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)
        {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => return out.error(&format!("reading stdin: {e}")),
        }
        line_no += 1;
        let input = format!("stdin:{line_no}");
        if buf.len() > MAX_STDIN_LINE && !buf.ends_with(b"\n") {
            // Skip the rest of an over-long line.
            let mut rest = Vec::new();
            if let Err(e) = reader.read_until(b'\n', &mut rest) {
                return out.error(&format!("reading stdin: {e}"));
            }
            out.decision(
                &Decision::not_a_badge(format!("line longer than {MAX_STDIN_LINE} bytes")),
                &input,
            );
            continue;
        }
        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            buf.pop();
        }
        if buf.is_empty() {
            continue;
        }
        let d = match std::str::from_utf8(&buf) {
            Ok(t) => decide(t, checks),
            Err(_) => decide_bytes(&buf, checks),
        };
        out.decision(&d, &input);
    }
}
