//! `badgegate keygen`: a new key pair: the venue's registration key, or a
//! kiosk's own journal key. The two go to opposite places, and the advice
//! printed says where.

use std::process::ExitCode;

use anyhow::bail;
use badgegate::format::keys;
use badgegate::text::shown_path;

use super::Exit;
use crate::cli::KeygenArgs;

pub fn run(a: KeygenArgs) -> anyhow::Result<ExitCode> {
    let (name, kiosk) = match &a.kiosk {
        Some(k) => (k.as_str(), true),
        None => (a.name.as_str(), false),
    };
    let flag = if kiosk { "--kiosk" } else { "--name" };
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        bail!("{flag} must be letters, digits, '-', '_' or '.' (it becomes a file name)");
    }
    let dir = a
        .dir
        .clone()
        .unwrap_or_else(|| if kiosk { "kiosk-keys" } else { "keys" }.into());
    let k = keys::generate_files(&dir, name, a.force)?;
    let (secret, public) = (shown_path(&k.secret_path), shown_path(&k.public_path));
    println!("key id      {}", k.id);
    if kiosk {
        println!(
            "secret key  {secret}  (mode 0600: on gate PC {name} only, readable by the kiosk's user; the kiosk signs its journal with it: --signing-key {secret})"
        );
        println!(
            "public key  {public}  (enrol it at the security office: office add-kiosk --kiosk-id {name} --kiosk-key {public}; and for audits, in the --kiosk-keys folder)"
        );
        println!(
            "never copy this public key into a trust folder: kiosks would accept badges signed with this gate's key"
        );
    } else {
        println!(
            "secret key  {secret}  (mode 0600: on the accreditation desk machine only; it signs badges, revocation lists and the venue policy)"
        );
        println!("public key  {public}  (copy it into every kiosk's trust folder)");
    }
    Ok(Exit::Ok.into())
}
