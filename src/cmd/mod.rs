//! One module per subcommand: each turns its flags into library calls and
//! prints what came of them. `window/` is the guard's screen.

use std::process::ExitCode;

use badgegate::text::shown_path;

use crate::cli::Command;

mod audit;
pub mod config;
mod decode;
#[cfg(feature = "demo")]
mod demo;
mod doctor;
#[cfg(feature = "desk")]
mod issue;
mod keygen;
mod kiosk;
#[cfg(feature = "office")]
mod office;
#[cfg(feature = "desk")]
mod policy;
#[cfg(feature = "desk")]
mod publish;
#[cfg(feature = "rehearse")]
mod rehearse;
#[cfg(feature = "desk")]
mod revoke;
mod say;
mod verify;

/// Loads a secret key, and warns when others than its owner may read the
/// file (it should be 0600, as keygen writes it).
pub fn load_secret_key(
    path: &std::path::Path,
) -> anyhow::Result<badgegate::format::keys::SecretKey> {
    use badgegate::format::keys::SecretKey;
    let key = SecretKey::load(path)?;
    if let Some(mode) = SecretKey::exposed_mode(path) {
        say!(
            "warning: secret key {} has mode {mode:04o}: others on this computer can read it; make it private with `chmod 600 {}`",
            shown_path(path),
            shown_path(path)
        );
    }
    Ok(key)
}

/// The exit codes scripts rely on (the README's table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Success: every input admitted, a chain intact, a code found.
    Ok = 0,
    /// Done, but something is wrong: a badge denied, a chain broken, a
    /// record refused, no code found.
    Problem = 1,
    /// Usage, input/output or start-up error.
    Error = 2,
    /// The kiosk's journal cannot be written: out of service.
    OutOfService = 3,
    /// The kiosk's frame source was lost (camera unplugged, stdin broken).
    SourceLost = 4,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// Loads the trust folder (printing its warnings) and every revocation
/// list the `--revocations` paths hold, each verified against it. A list
/// that does not verify stops the command: it might be the one that
/// revokes the badge at the gate.
pub fn load_trust(
    dir: &std::path::Path,
    revocations: &[std::path::PathBuf],
) -> anyhow::Result<(
    badgegate::format::keys::TrustStore,
    badgegate::gate::lists::RevocationSet,
    badgegate::gate::lists::ListWatch,
)> {
    use anyhow::Context;
    let trust = badgegate::format::keys::TrustStore::load(dir)?;
    for w in &trust.warnings {
        say!("warning: {}", badgegate::text::printable(w));
    }
    for p in revocations {
        if !p.exists() {
            anyhow::bail!(
                "revocation list {} does not exist; give the list the desk wrote (badgegate revoke --list)",
                shown_path(p)
            );
        }
    }
    let mut watch = badgegate::gate::lists::ListWatch::new(revocations.to_vec());
    let mut lists = Vec::new();
    for found in watch.read_all(&trust) {
        // A list from a key since retired decides nothing (that key's
        // badges are refused as retired): skipped, not a reason to stop.
        if let Err(badgegate::format::revocation::RevocationError::RetiredKey(key)) = &found.list {
            say!(
                "warning: revocation list {} is signed by retired key {key}: not used (badges of that key are refused as retired)",
                shown_path(&found.path)
            );
            continue;
        }
        let list = found
            .list
            .with_context(|| format!("refusing revocation list {}", shown_path(&found.path)))?;
        lists.push(list);
    }
    Ok((
        trust,
        badgegate::gate::lists::RevocationSet::of(lists),
        watch,
    ))
}

/// The venue office's address, read from a private connection file.
pub fn office_url(path: &std::path::Path) -> anyhow::Result<String> {
    use anyhow::Context;
    badgegate::net::connect::read_connection_file(path)
        .with_context(|| "the venue office".to_string())
}

/// What a command missing from this build says: the gate PC's package
/// carries the kiosk, the audit and the doctor, not the desk or the office
/// (the desk's build has the office's commands: it publishes through them).
#[cfg(not(feature = "desk"))]
fn not_in_this_build(what: &str, feature: &str) -> anyhow::Result<ExitCode> {
    anyhow::bail!(
        "this badgegate is the gate PC's build, without {what}: run the command on the desk's or the office's PC, from the full build (`cargo install --path .`, which has feature `{feature}`)"
    )
}

/// Runs a command. `Err` is printed as one line and exits 2.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Keygen(a) => keygen::run(a),
        #[cfg(feature = "desk")]
        Command::Issue(a) => issue::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Kiosk(a) => kiosk::run(*a),
        Command::Audit(a) => audit::run(a),
        #[cfg(feature = "desk")]
        Command::Revoke(a) => revoke::run(a),
        #[cfg(feature = "desk")]
        Command::Policy(a) => policy::run(a),
        #[cfg(not(feature = "desk"))]
        Command::Issue(_) | Command::Revoke(_) | Command::Policy(_) => {
            not_in_this_build("the accreditation desk", "desk")
        }
        #[cfg(feature = "office")]
        Command::Office(a) => office::run(a),
        #[cfg(not(feature = "office"))]
        Command::Office(_) => not_in_this_build("the venue office's commands", "office"),
        Command::Decode(a) => decode::run(a),
        Command::Doctor(a) => doctor::run(*a),
        #[cfg(feature = "demo")]
        Command::Demo(a) => demo::run(a),
        #[cfg(feature = "rehearse")]
        Command::Rehearse(a) => rehearse::run(a),
    }
}

/// Notices the library says (the venue link, an admit command, the
/// office's log), on stderr one line each: the journal under systemd.
pub fn stderr_notices() -> badgegate::notice::Notices {
    badgegate::notice::Notices::to(|l| say!("{l}"))
}
