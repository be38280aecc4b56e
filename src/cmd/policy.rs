//! `badgegate policy`: sign the venue policy from the desk's draft.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};
use badgegate::clock;
use badgegate::files::{write_atomic, Lock};
use badgegate::format::keys::{SecretKey, TrustStore};
use badgegate::format::policy::{read_policy, PolicyBody, VenuePolicy};
use badgegate::text::{printable, shown_path};

use super::Exit;
use crate::cli::PolicyArgs;

/// How long a second `policy` waits for the first to finish.
const LOCK_WAIT: Duration = Duration::from_secs(10);

pub fn run(a: PolicyArgs) -> anyhow::Result<ExitCode> {
    let key = super::load_secret_key(&a.key)?;
    let draft = read_policy(&a.draft)?;
    let body = PolicyBody::parse_lines(&draft, 1, true)
        .with_context(|| format!("draft {}", shown_path(&a.draft)))?;
    if let Some(dir) = a.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            bail!(
                "folder {} does not exist; create it or give --out a path in an existing folder",
                shown_path(dir)
            );
        }
    }
    let lock = Lock::acquire(
        &a.out,
        LOCK_WAIT,
        "wait for it to finish and run policy again",
    )?;
    let previous = if a.out.exists() {
        Some(existing(&a.out, &key)?)
    } else {
        None
    };
    let now = clock::now();
    let Some((policy, text)) = VenuePolicy::next(previous.as_ref(), body, &key, now)? else {
        println!(
            "venue policy {}: unchanged (sequence {}); the draft says what it already says",
            shown_path(&a.out),
            previous.as_ref().map(|p| p.sequence).unwrap_or_default()
        );
        if let (Some(office), Some(p)) = (&a.office, &previous) {
            let current = read_policy(&a.out)?;
            drop(lock);
            return Ok(super::publish::publish_within(
                office,
                badgegate::vocab::ListKind::Policy,
                &p.key_id.to_string(),
                p.sequence,
                &current,
            ));
        }
        return Ok(Exit::Ok.into());
    };
    write_atomic(&a.out, text.as_bytes(), 0o644, true)?;
    drop(lock);
    let mut published = ExitCode::SUCCESS;
    if let Some(office) = &a.office {
        published = super::publish::publish_within(
            office,
            badgegate::vocab::ListKind::Policy,
            &policy.key_id.to_string(),
            policy.sequence,
            &text,
        );
    }
    let b = &policy.body;
    let offset = b.utc_offset_at(now);
    println!(
        "venue policy {}: sequence {}, signed by key {}: {} · time zone {} (now {} there) · {} zone(s), {} categor{}, {} gate(s)",
        shown_path(&a.out),
        policy.sequence,
        policy.key_id,
        printable(&b.venue),
        b.time_zone,
        clock::format_clock(now * 1000, offset),
        b.zones.len(),
        b.categories.len(),
        if b.categories.len() == 1 { "y" } else { "ies" },
        b.gates.len()
    );
    let checks: Vec<&str> = b
        .categories
        .iter()
        .filter(|c| c.id_check)
        .map(|c| c.code.as_str())
        .collect();
    let staff: Vec<&str> = b
        .categories
        .iter()
        .filter(|c| c.staff)
        .map(|c| c.code.as_str())
        .collect();
    if !checks.is_empty() {
        println!("  ID checked at the gate: {}", checks.join(", "));
    }
    if staff.is_empty() {
        println!("  no staff category: guards cannot sign in at a kiosk with a badge");
    } else {
        println!("  guards sign in with a badge of: {}", staff.join(", "));
    }
    println!("copy it to the desk's issue --policy and to every kiosk's --policy (a kiosk refuses an older sequence than one it has seen)");
    Ok(published)
}

/// The policy already on disk. Signed by this key, it must verify; signed
/// by another (a key rotation), its number is where the venue's one series
/// of policy numbers goes on (kiosks refuse a policy numbered below one
/// they took up, whichever key signed it).
fn existing(path: &std::path::Path, key: &SecretKey) -> anyhow::Result<VenuePolicy> {
    let text = read_policy(path)?;
    let context = || format!("existing policy {}", shown_path(path));
    let (unchecked, _) = VenuePolicy::parse(&text).with_context(context)?;
    if unchecked.key_id != key.key_id() {
        println!(
            "{} is signed by key {} (sequence {}); the policy signed now by key {} goes on from there",
            shown_path(path),
            unchecked.key_id,
            unchecked.sequence,
            key.key_id()
        );
        return Ok(unchecked);
    }
    let trust = TrustStore::from_keys(&[key.public()], &[]);
    VenuePolicy::parse_verified(&text, &trust).with_context(context)
}
