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
    // Two desks revoking at once: the second waits for the first and then
    // extends the list the first wrote, never the one it read before.
    let _lock = Lock::acquire(
        &a.list,
        LOCK_WAIT,
        "wait for it to finish and run revoke again",
    )?;
    let mut list = if a.list.exists() {
        existing(&a.list, &key)?
    } else {
        RevocationList::empty(key.key_id())
    };
    let (text, skipped) = list.add_and_sign(&key, &a.serials, a.reason.trim(), clock::now())?;
    for s in &skipped {
        eprintln!("note: {s} was already revoked; left as it was");
    }
    let Some(text) = text else {
        println!(
            "revocation list {}: unchanged (sequence {}); nothing new to revoke",
            shown_path(&a.list),
            list.sequence
        );
        if let Some(office) = &a.office {
            let current = read_list(&a.list)?;
            super::publish(
                office,
                "revocations",
                &list.key_id.to_string(),
                list.sequence,
                &current,
            )?;
        }
        return Ok(Exit::Ok.into());
    };
    write_atomic(&a.list, text.as_bytes(), 0o644, true)?;
    if let Some(office) = &a.office {
        super::publish(
            office,
            "revocations",
            &list.key_id.to_string(),
            list.sequence,
            &text,
        )?;
    }
    println!(
        "revocation list {}: sequence {}, {} serial(s) revoked, signed by key {}",
        shown_path(&a.list),
        list.sequence,
        list.entries.len(),
        list.key_id
    );
    println!("copy it to every kiosk (a kiosk refuses an older sequence than one it has seen)");
    Ok(Exit::Ok.into())
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
