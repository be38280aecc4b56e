//! `badgegate verify`: decide every badge in images or stdin lines, offline.

use std::path::Path;
use std::process::ExitCode;

use anyhow::anyhow;
use badgegate::clock;
use badgegate::format::constants::MAX_STDIN_LINE;
use badgegate::gate::decide::{decide_bytes, Checks, Decision, GatePolicy};
use badgegate::gate::photo;
use badgegate::read;
use badgegate::source::{Frame, FrameSource, Payload, SourceError, TextLines};
use badgegate::text::{json_line, printable, shown_path};

use super::Exit;
use crate::cli::VerifyArgs;

pub fn run(a: VerifyArgs) -> anyhow::Result<ExitCode> {
    let (trust, revocations, _) = super::load_trust(&a.trust, &a.revocations)?;
    let now = match &a.at {
        Some(t) => clock::parse_rfc3339(t).map_err(|e| anyhow!("--at: {e}"))?,
        None => clock::now(),
    };
    let gate = GatePolicy {
        zone: a.zone.as_ref().map(|z| z.trim().to_lowercase()),
        skew_secs: a.skew,
        time: clock::VenueTime::chosen(a.time_zone.as_deref(), None)
            .map_err(|e| anyhow!("--time-zone: {e}"))?,
        venue: super::venue_flag(a.venue.as_deref())?,
        ..GatePolicy::default()
    };
    let checks = Checks {
        trust: &trust,
        revocations: Some(&revocations),
        gate: &gate,
        now,
    };
    if let Some(p) = &a.photos {
        if !p.is_dir() {
            anyhow::bail!(
                "--photos {}: not a folder; give the folder holding SERIAL-photo.jpg files",
                shown_path(p)
            );
        }
    }
    let checks = Verifier {
        checks,
        photos: a.photos.as_deref(),
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
        say!(
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
        Exit::Error.into()
    } else if out.any_deny || out.count == 0 {
        Exit::Problem.into()
    } else {
        Exit::Ok.into()
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
            println!("{}", json_line(&d.line(input)));
            return;
        }
        let who = d.holder_summary();
        println!(
            "{:<5}  {:<19}  {}  {}: {}",
            d.verdict.code().to_uppercase(),
            d.reason.code(),
            who,
            printable(input),
            printable(&d.detail)
        );
    }

    fn error(&mut self, msg: &str) {
        self.any_error = true;
        say!("error: {}", printable(msg));
    }
}

/// The checks `verify` runs on a code: the badge, then its photo.
struct Verifier<'a> {
    checks: Checks<'a>,
    photos: Option<&'a Path>,
}

impl Verifier<'_> {
    fn decide(&self, code: &[u8]) -> Decision {
        let d = decide_bytes(code, &self.checks);
        let Some(b) = &d.badge else {
            return d;
        };
        let found = photo::check(b, self.photos);
        photo::apply(d, &found, self.checks.gate.direction, false)
    }
}

fn verify_path(input: &Path, checks: &Verifier<'_>, out: &mut Printer) {
    let paths = match read::image_paths(input) {
        Ok(p) => p,
        Err(e) => return out.error(&format!("{}: {e}", shown_path(input))),
    };
    if paths.is_empty() {
        out.error(&format!(
            "{}: no .png or .jpg pictures in this folder or the folders in it",
            shown_path(input)
        ));
    }
    // A batch folder holds each badge twice, as `SERIAL-card.png` and
    // `SERIAL.png`: the second of such a pair is not decided again. Any
    // other repeat (the same badge in two frames) is its own decision.
    let mut seen: std::collections::HashMap<Vec<u8>, std::path::PathBuf> = Default::default();
    let mut repeats = 0usize;
    let walked = paths.len() > 1 || input.is_dir();
    for path in paths {
        // A holder's photo beside the badges in an issued folder holds no
        // code: it is not a picture to decide.
        if walked && is_holder_photo(&path) {
            continue;
        }
        // Raw here: each output escapes it its own way.
        let name = path.display().to_string();
        match read::load_gray(&path) {
            Ok(img) => {
                let codes = read::decode_picture(&img);
                if codes.is_empty() {
                    out.decision(
                        &Decision::not_a_badge("no readable QR code in the image"),
                        &name,
                    );
                }
                for code in codes {
                    if seen
                        .get(&code.bytes)
                        .is_some_and(|first| card_and_qr(first, &path))
                    {
                        repeats += 1;
                        continue;
                    }
                    seen.entry(code.bytes.clone())
                        .or_insert_with(|| path.clone());
                    out.decision(&checks.decide(&code.bytes), &name);
                }
            }
            Err(e) => out.error(&e.to_string()),
        }
    }
    if repeats > 0 && !out.json {
        say!(
            "{}: {repeats} badge(s) found both on a card and in its QR picture: each decided once",
            shown_path(input)
        );
    }
}

/// True for a holder's photo as `issue` writes it: `SERIAL-photo.jpg`.
fn is_holder_photo(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with("-photo.jpg"))
}

/// True for a badge's card and QR picture as `issue` writes them:
/// `DIR/S-card.png` and `DIR/S.png`, either way round.
fn card_and_qr(a: &Path, b: &Path) -> bool {
    let stem = |p: &Path| p.file_stem().map(|s| s.to_string_lossy().into_owned());
    let (Some(sa), Some(sb)) = (stem(a), stem(b)) else {
        return false;
    };
    a.parent() == b.parent()
        && (sa.strip_suffix("-card") == Some(sb.as_str())
            || sb.strip_suffix("-card") == Some(sa.as_str()))
}

/// Badge text lines on stdin (a keyboard-wedge scanner, a file of scans):
/// the same reader as the kiosk's `--stdin`.
fn read_stdin(checks: &Verifier<'_>, out: &mut Printer) {
    let mut lines = TextLines::new(std::io::stdin().lock(), "stdin");
    loop {
        match lines.next_frame() {
            Ok(Some(Frame {
                payload: Payload::Text(t),
                label,
            })) => out.decision(&checks.decide(&t), &label),
            Ok(Some(_)) => {}
            Ok(None) => return,
            // An over-long line: not a badge, and the next line is read.
            Err(SourceError::BadFrame(_)) => out.decision(
                &Decision::not_a_badge(format!("line longer than {MAX_STDIN_LINE} bytes")),
                &format!("stdin:{}", lines.line()),
            ),
            Err(SourceError::Lost(why)) => return out.error(&why),
            Err(e) => return out.error(&e.to_string()),
        }
    }
}
