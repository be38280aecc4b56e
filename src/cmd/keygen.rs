//! `badgegate keygen`: a new registration key pair.

use std::process::ExitCode;

use anyhow::bail;
use badgegate::format::keys;
use badgegate::text::shown_path;

use super::Exit;
use crate::cli::KeygenArgs;

pub fn run(a: KeygenArgs) -> anyhow::Result<ExitCode> {
    if a.name.is_empty()
        || !a
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        bail!("--name must be letters, digits, '-', '_' or '.' (it becomes a file name)");
    }
    let k = keys::generate_files(&a.dir, &a.name, a.force)?;
    println!("key id      {}", k.id);
    println!(
        "secret key  {}  (mode 0600: keep it on the desk machine only)",
        shown_path(&k.secret_path)
    );
    println!(
        "public key  {}  (copy it into every kiosk's trust folder)",
        shown_path(&k.public_path)
    );
    Ok(Exit::Ok.into())
}
