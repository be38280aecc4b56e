//! Step 4: the plenary gate reads every printed card from its pixels and
//! decides it, offline.

use std::path::{Path, PathBuf};

use badgegate::format::keys::TrustStore;
use badgegate::format::revocation::RevocationList;
use badgegate::gate::decide::{decide_bytes, Checks, Decision, GatePolicy};
use badgegate::gate::lists::RevocationSet;
use badgegate::read;
use badgegate::text::printable_short;
use badgegate::vocab::Reason;

use super::Story;

/// Each card, what it is, and the reason the gate must give.
fn cases(s: &Story) -> Vec<(&'static str, PathBuf, Reason)> {
    let card = |serial: &str| s.badges_dir.join(format!("{serial}-card.png"));
    let odd = |name: &str| s.odd_dir.join(name);
    vec![
        ("head of delegation", card("HD-0001"), Reason::Ok),
        ("delegate (Cyrillic name)", card("D-0002"), Reason::Ok),
        (
            "press badge at the plenary",
            card("P-0003"),
            Reason::WrongZone,
        ),
        ("lost badge", card("D-0004"), Reason::Revoked),
        ("yesterday's badge", card("S-0005"), Reason::Expired),
        ("tomorrow's badge", card("D-0006"), Reason::NotYetValid),
        (
            "stranger's key",
            odd("stranger-key.png"),
            Reason::UnknownKey,
        ),
        (
            "name edited after signing",
            odd("tampered.png"),
            Reason::BadSignature,
        ),
        (
            "restaurant menu",
            odd("restaurant-menu.png"),
            Reason::NotABadge,
        ),
    ]
}

/// Returns how many decisions differed from the script.
pub fn run(s: &Story) -> anyhow::Result<usize> {
    let trust = TrustStore::load(&s.trust_dir)?;
    let lists = RevocationSet::of([RevocationList::load_verified(&s.list_path, &trust)?]);
    let policy = badgegate::format::policy::VenuePolicy::load_verified(&s.policy_path, &trust)?;
    let gate = GatePolicy {
        zone: Some("plenary".into()),
        time: policy.body.venue_time(),
        ..GatePolicy::default()
    };
    let checks = Checks {
        trust: &trust,
        revocations: Some(&lists),
        gate: &gate,
        now: s.now,
    };
    println!(
        "4. verify at gate 'plenary' ({}), each card decoded from its PNG pixels:\n",
        gate.time.format(s.now)
    );
    println!(
        "   {:<27} {:<6} {:<14} {} why",
        "badge",
        "",
        "reason",
        badgegate::text::column("holder", HOLDER)
    );
    let mut surprises = 0;
    for (what, file, expect) in cases(s) {
        let d = decide_file(&file, &checks)?;
        let holder = match &d.badge {
            Some(b) if d.authentic => b.name.clone(),
            // What a forgery claims, marked as every view marks it.
            Some(b) => badgegate::rules::claimed(&[Some(&printable_short(&b.name, 16))], false),
            None => "-".into(),
        };
        let mark = if d.reason == expect {
            ""
        } else {
            "   << UNEXPECTED"
        };
        surprises += usize::from(d.reason != expect);
        println!(
            "   {:<27} {:<6} {:<14} {} {}{mark}",
            what,
            d.verdict.code().to_uppercase(),
            d.reason.code(),
            badgegate::text::column(&holder, HOLDER),
            printable_short(&d.detail, 60)
        );
    }
    Ok(surprises)
}

/// The holder column's width, in terminal columns: a forgery's marked
/// claim fits whole.
const HOLDER: usize = 41;

fn decide_file(path: &Path, checks: &Checks<'_>) -> anyhow::Result<Decision> {
    let img = read::load_gray(path)?;
    let codes = read::decode(&img);
    Ok(match codes.first() {
        Some(code) => decide_bytes(&code.bytes, checks),
        None => Decision::not_a_badge("no readable QR code in the image"),
    })
}
