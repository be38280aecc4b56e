//! `badgegate revoke`: create or extend the signed revocation list.

use std::process::ExitCode;

use anyhow::Context;
use badgegate::clock;
use badgegate::format::keys::{SecretKey, TrustStore};
use badgegate::format::revocation::{read_list, RevocationList};

use super::Exit;
use crate::cli::RevokeArgs;

pub fn run(a: RevokeArgs) -> anyhow::Result<ExitCode> {
    let key = SecretKey::load(&a.key)?;
    let mut list = if a.list.exists() {
        let text = read_list(&a.list)?;
        // The existing list must verify under this very key: never extend a
        // list someone else wrote.
        let trust = TrustStore::from_keys(&[key.public()], &[]);
        RevocationList::parse_verified(&text, &trust)
            .with_context(|| format!("existing list {}", a.list.display()))?
    } else {
        RevocationList::empty(key.key_id())
    };
    let (text, skipped) = list.add_and_sign(&key, &a.serials, a.reason.trim(), clock::now())?;
    badgegate::files::write_atomic(&a.list, text.as_bytes(), 0o644, true)?;
    for s in &skipped {
        eprintln!("note: {s} was already revoked; left as it was");
    }
    println!(
        "revocation list {}: sequence {}, {} serial(s) revoked, signed by key {}",
        a.list.display(),
        list.sequence,
        list.entries.len(),
        list.key_id
    );
    println!("copy it to every kiosk (a kiosk refuses an older sequence than one it has seen)");
    Ok(Exit::Ok.into())
}
