//! One module per subcommand; each wires library calls together and prints.

use std::process::ExitCode;

use crate::cli::Command;

mod audit;
mod decode;
mod demo;
mod issue;
mod keygen;
mod kiosk;
mod revoke;
#[cfg(feature = "screen")]
mod sound;
mod verify;
#[cfg(feature = "screen")]
mod window;

/// Loads the trust folder (printing its warnings) and, if given, the
/// revocation list, which must verify against it.
pub fn load_trust(
    dir: &std::path::Path,
    revocations: Option<&std::path::Path>,
) -> anyhow::Result<(
    badgegate::keys::TrustStore,
    Option<badgegate::revocation::RevocationList>,
)> {
    use anyhow::Context;
    let trust = badgegate::keys::TrustStore::load(dir)?;
    for w in &trust.warnings {
        eprintln!("warning: {w}");
    }
    let list = match revocations {
        Some(p) => Some(
            badgegate::revocation::RevocationList::load_verified(p, &trust)
                .with_context(|| format!("refusing revocation list {}", p.display()))?,
        ),
        None => None,
    };
    Ok((trust, list))
}

/// Runs a command. `Err` is printed as one line and exits 2.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Keygen(a) => keygen::run(a),
        Command::Issue(a) => issue::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Kiosk(a) => kiosk::run(a),
        Command::Audit(a) => audit::run(a),
        Command::Revoke(a) => revoke::run(a),
        Command::Decode(a) => decode::run(a),
        Command::Demo(a) => demo::run(a),
    }
}
