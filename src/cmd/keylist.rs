//! `badgegate keylist`: the root's signed list of issuing keys — grant a
//! key (its window and scope), withdraw one, show a list.

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{anyhow, bail};
use badgegate::clock;
use badgegate::files::{write_atomic, Lock};
use badgegate::format::keylist::{read_keylist, Grant, KeyList, Scope, ScopeOf};
use badgegate::format::keys::{KeyId, PublicKey, TrustStore};
use badgegate::text::{printable, shown_path};

use super::Exit;
use crate::cli::{KeylistArgs, KeylistCommand, KeylistShowArgs, KeylistSign};

/// How long a second `keylist` waits for the first to finish.
const LOCK_WAIT: Duration = Duration::from_secs(10);

pub fn run(a: KeylistArgs) -> anyhow::Result<ExitCode> {
    match a.command {
        KeylistCommand::Grant(g) => {
            let key = PublicKey::load(&g.key)?;
            let now = clock::now();
            let from = match &g.from {
                Some(t) => clock::parse_rfc3339(t).map_err(|e| anyhow!("--from: {e}"))?,
                None => now,
            };
            let until = clock::parse_rfc3339(&g.until).map_err(|e| anyhow!("--until: {e}"))?;
            let grant = Grant {
                key,
                from,
                until,
                venues: scope("--venues", &g.venues, ScopeOf::Venues)?,
                zones: scope("--zones", &g.zones, ScopeOf::Zones)?,
                categories: scope("--categories", &g.categories, ScopeOf::Categories)?,
                label: g.label.trim().to_owned(),
            };
            let id = grant.key.id;
            sign(
                &g.sign,
                now,
                |list| list.put_grant(grant.clone()),
                &format!("granted key {id}"),
            )
        }
        KeylistCommand::Withdraw(w) => {
            let id = KeyId::from_hex(&w.key_id).ok_or_else(|| {
                anyhow!(
                    "--key-id {:?}: a key id is 8 hex digits, as keygen and `keylist show` print it",
                    printable(&w.key_id)
                )
            })?;
            let now = clock::now();
            sign(
                &w.sign,
                now,
                |list| list.withdraw(id, now, w.reason.trim()),
                &format!("withdrew key {id}"),
            )
        }
        KeylistCommand::Show(s) => show(&s),
    }
}

/// `*` or codes (any order, any case, repeats dropped).
fn scope(flag: &str, text: &str, what: ScopeOf) -> anyhow::Result<Scope> {
    let codes: BTreeSet<String> = text
        .split(',')
        .map(|c| c.trim().to_lowercase())
        .filter(|c| !c.is_empty())
        .collect();
    let canonical = codes.into_iter().collect::<Vec<_>>().join(",");
    Scope::parse_as(&canonical, what).ok_or_else(|| {
        anyhow!(
            "{flag} {:?}: give * for all, or codes, comma-separated (lowercase a-z 0-9 _ -; categories a-z 0-9 -; at most 64)",
            printable(text)
        )
    })
}

/// Reads the list (or starts one), changes it, signs the next sequence,
/// writes it whole, and publishes it when asked.
fn sign(
    s: &KeylistSign,
    now: u64,
    change: impl FnOnce(&mut KeyList) -> Result<(), badgegate::format::keylist::KeyListError>,
    what: &str,
) -> anyhow::Result<ExitCode> {
    let root = super::load_secret_key(&s.root)?;
    if let Some(dir) = s.list.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            bail!(
                "folder {} does not exist; create it or give --list a path in an existing folder",
                shown_path(dir)
            );
        }
    }
    let lock = Lock::acquire(
        &s.list,
        LOCK_WAIT,
        "wait for it to finish and run keylist again",
    )?;
    let mut list = if s.list.exists() {
        let text = read_keylist(&s.list)?;
        KeyList::parse_verified(&text, &[root.public()]).map_err(|e| {
            anyhow!(
                "{}: {e}; give the root key that signed it (--root)",
                shown_path(&s.list)
            )
        })?
    } else {
        KeyList::empty(root.key_id())
    };
    change(&mut list)?;
    let text = list.sign_next(&root, now)?;
    write_atomic(&s.list, text.as_bytes(), 0o644, true)?;
    drop(lock);
    println!(
        "key list {}: {what}; sequence {}, signed by root {} · {} key(s) granted, {} withdrawn",
        shown_path(&s.list),
        list.sequence,
        list.root_id,
        list.grants.len(),
        list.withdrawn.len()
    );
    if let Some(office) = &s.office {
        return Ok(super::publish::publish_within(
            office,
            badgegate::vocab::ListKind::Keys,
            &list.root_id.to_string(),
            list.sequence,
            &text,
        ));
    }
    Ok(Exit::Ok.into())
}

fn show(s: &KeylistShowArgs) -> anyhow::Result<ExitCode> {
    let text = read_keylist(&s.list)?;
    let (list, verified) = match &s.trust {
        Some(dir) => {
            let trust = TrustStore::load(dir)?;
            (KeyList::parse_verified(&text, trust.roots())?, true)
        }
        None => (KeyList::parse(&text)?.0, false),
    };
    println!(
        "key list {}: root {} · sequence {} · signed {}{}",
        shown_path(&s.list),
        list.root_id,
        list.sequence,
        clock::format_human(list.issued_at),
        if verified {
            " · signature checked against the trust folder's root"
        } else {
            " · signature NOT checked (give --trust DIR)"
        }
    );
    for g in &list.grants {
        println!(
            "  granted  {}  {} → {}  venues {}  zones {}  categories {}{}",
            g.key.id,
            clock::format_human(g.from),
            clock::format_human(g.until),
            g.venues,
            g.zones,
            g.categories,
            if g.label.is_empty() {
                String::new()
            } else {
                format!("  ({})", printable(&g.label))
            }
        );
    }
    for w in &list.withdrawn {
        println!(
            "  WITHDRAWN {}  at {}: {}",
            w.key_id,
            clock::format_human(w.at),
            printable(&w.reason)
        );
    }
    Ok(Exit::Ok.into())
}
