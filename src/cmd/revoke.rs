//! `badgegate revoke`: create or extend the signed revocation list.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};
use badgegate::clock;
use badgegate::files::{write_atomic, Lock};
use badgegate::format::keys::{SecretKey, TrustStore};
use badgegate::format::revocation::{read_list, RevocationList};
use badgegate::text::shown_path;

use super::Exit;
use crate::cli::RevokeArgs;

/// How long a second `revoke` waits for the first to finish.
const LOCK_WAIT: Duration = Duration::from_secs(10);

pub fn run(a: RevokeArgs) -> anyhow::Result<ExitCode> {
    let key = super::load_secret_key(&a.key)?;
    if let Some(dir) = a.list.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            bail!(
                "folder {} does not exist; create it or give --list a path in an existing folder",
                shown_path(dir)
            );
        }
    }
    if !a.reinstate {
        check_issued(&a)?;
    }
    // Two desks revoking at once: the second waits for the first and then
    // extends the list the first wrote, never the one it read before. The
    // lock covers reading, signing and writing the file, never the office.
    let lock = Lock::acquire(
        &a.list,
        LOCK_WAIT,
        "wait for it to finish and run revoke again",
    )?;
    let mut list = if a.list.exists() {
        existing(&a.list, &key)?
    } else {
        RevocationList::empty(key.key_id())
    };
    if a.sync {
        let office = a.office.as_deref().context("--sync needs --office")?;
        if let Some(theirs) = office_list(office, &key)? {
            for s in &list.merge_from(&theirs) {
                println!("from the office's list #{}: {s}", theirs.sequence);
            }
        }
    }
    let now = clock::now();
    let (text, skipped) = if a.serials.is_empty() {
        (None, Vec::new())
    } else if a.reinstate {
        let text = list.reinstate_and_sign(&key, &a.serials, a.reason.trim(), now)?;
        for s in &a.serials {
            println!(
                "{s}: reinstated ({}), valid again once the gates take this list up",
                a.reason.trim()
            );
        }
        (Some(text), Vec::new())
    } else {
        list.add_and_sign(&key, &a.serials, a.reason.trim(), now)?
    };
    for s in &skipped {
        say!("note: {s} was already revoked; left as it was");
    }
    // Another desk's revocations taken in are new content: signed as the
    // next number even when nothing of ours was new.
    let text = match text {
        Some(t) => Some(t),
        None if a.sync => Some(list.sign_next(&key, now)?),
        None => None,
    };
    let Some(text) = text else {
        drop(lock);
        println!(
            "revocation list {}: unchanged (sequence {}); nothing new to revoke",
            shown_path(&a.list),
            list.sequence
        );
        if let Some(office) = &a.office {
            let current = read_list(&a.list)?;
            return Ok(super::publish::publish_within(
                office,
                badgegate::vocab::ListKind::Revocations,
                &list.key_id.to_string(),
                list.sequence,
                &current,
            ));
        }
        return Ok(Exit::Ok.into());
    };
    write_atomic(&a.list, text.as_bytes(), 0o644, true)?;
    drop(lock);
    println!(
        "revocation list {}: sequence {}, {} serial(s) revoked{}, signed by key {}",
        shown_path(&a.list),
        list.sequence,
        list.entries.len(),
        if list.reinstated.is_empty() {
            String::new()
        } else {
            format!(", {} reinstated", list.reinstated.len())
        },
        list.key_id
    );
    if let Some(office) = &a.office {
        return Ok(super::publish::publish_within(
            office,
            badgegate::vocab::ListKind::Revocations,
            &list.key_id.to_string(),
            list.sequence,
            &text,
        ));
    }
    println!("copy it to every kiosk (a kiosk refuses an older sequence than one it has seen)");
    Ok(Exit::Ok.into())
}

/// Refuses (without --force) a serial the register of badges issued with
/// this key does not hold, naming the nearest one it does: a typo would
/// revoke nobody and leave the real badge valid.
fn check_issued(a: &RevokeArgs) -> anyhow::Result<()> {
    use badgegate::issue::register;
    if a.serials.is_empty() {
        return Ok(());
    }
    let path = register::register_path(&a.key);
    let known = match register::serials(&path) {
        Ok(Some(k)) => k,
        Ok(None) => {
            say!(
                "note: no register of issued badges beside the key ({}): the serials are not checked against what this desk issued",
                shown_path(&path)
            );
            return Ok(());
        }
        Err(e) => bail!(
            "cannot read the register of issued badges {}: {e}; fix it, or revoke with --force",
            shown_path(&path)
        ),
    };
    // A serial is one badge whatever its case.
    let known_upper: std::collections::BTreeSet<String> =
        known.iter().map(|s| s.to_uppercase()).collect();
    let unknown: Vec<String> = a
        .serials
        .iter()
        .filter(|s| !known_upper.contains(&s.to_uppercase()))
        .map(|s| {
            let mean = badgegate::text::nearest(s, known.iter().map(String::as_str))
                .map(|n| format!("; did you mean {n}?"))
                .unwrap_or_default();
            format!(
                "{} was never issued with this key{mean}",
                badgegate::text::printable(s)
            )
        })
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    if a.force {
        for u in &unknown {
            say!("warning: {u} (revoked anyway: --force)");
        }
        return Ok(());
    }
    bail!(
        "{} (register {}); nothing was revoked: check the serial, or revoke with --force a badge this desk's register does not hold",
        unknown.join("; "),
        shown_path(&path)
    )
}

/// The office's newest list from this key, verified with it.
fn office_list(
    office: &std::path::Path,
    key: &SecretKey,
) -> anyhow::Result<Option<RevocationList>> {
    let url = super::office_url(office)?;
    let mut db = badgegate::net::connect::connect(&url, super::publish::PUBLISH_WAIT)?;
    let Some(body) = badgegate::office::admin::newest_list(
        &mut db,
        badgegate::vocab::ListKind::Revocations,
        &key.key_id().to_string(),
    )?
    else {
        return Ok(None);
    };
    let trust = TrustStore::from_keys(&[key.public()], &[]);
    let theirs = RevocationList::parse_verified(&body, &trust)
        .context("the office's newest list from this key does not verify with it; ask the office what was published")?;
    Ok(Some(theirs))
}

/// The list already on disk, which must be signed by this very key: never
/// extend a list someone else wrote.
fn existing(path: &std::path::Path, key: &SecretKey) -> anyhow::Result<RevocationList> {
    let text = read_list(path)?;
    let context = || format!("existing list {}", shown_path(path));
    let (unchecked, _) = RevocationList::parse(&text).with_context(context)?;
    if unchecked.key_id != key.key_id() {
        bail!(
            "{} is signed by key {}, but --key is key {}; revoke with the key that signed the list",
            shown_path(path),
            unchecked.key_id,
            key.key_id()
        );
    }
    let trust = TrustStore::from_keys(&[key.public()], &[]);
    RevocationList::parse_verified(&text, &trust).with_context(context)
}
