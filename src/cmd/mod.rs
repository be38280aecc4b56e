//! One module per subcommand: each turns its flags into library calls and
//! prints what came of them. `window/` is the guard's screen.

use std::process::ExitCode;

use crate::cli::Command;

mod audit;
#[cfg(feature = "office")]
mod central;
pub mod config;
mod decode;
#[cfg(feature = "demo")]
mod demo;
mod doctor;
#[cfg(feature = "desk")]
mod issue;
mod keygen;
#[cfg(feature = "desk")]
mod keylist;
mod kiosk;
#[cfg(feature = "office")]
mod office;
#[cfg(feature = "office")]
mod patrol;
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
    Ok(badgegate::gate::start::load_secret_key(
        path,
        &stderr_notices(),
    )?)
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
    Ok(badgegate::gate::start::load_trust(
        dir,
        revocations,
        &stderr_notices(),
    )?)
}

/// `--venue CODE`, checked: a code of the key list's venue scopes.
pub fn venue_flag(v: Option<&str>) -> anyhow::Result<Option<String>> {
    let Some(v) = v.map(|v| v.trim().to_lowercase()) else {
        return Ok(None);
    };
    if !badgegate::format::keylist::is_valid_venue(&v) {
        anyhow::bail!(
            "--venue {v:?}: a venue code is 1 to {} characters of a-z 0-9 _ - (as the key list names it)",
            badgegate::format::keylist::MAX_VENUE_LEN
        );
    }
    Ok(Some(v))
}

/// The venue office's address, read from a private connection file.
#[cfg(feature = "desk")]
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
        #[cfg(feature = "desk")]
        Command::Keylist(a) => keylist::run(a),
        #[cfg(feature = "desk")]
        Command::PublishPhotos(a) => publish::photos(a),
        #[cfg(not(feature = "desk"))]
        Command::Issue(_)
        | Command::Revoke(_)
        | Command::Policy(_)
        | Command::Keylist(_)
        | Command::PublishPhotos(_) => not_in_this_build("the accreditation desk", "desk"),
        #[cfg(feature = "office")]
        Command::Office(a) => office::run(a),
        #[cfg(not(feature = "office"))]
        Command::Office(_) => not_in_this_build("the venue office's commands", "office"),
        #[cfg(feature = "office")]
        Command::Central(a) => central::run(a),
        #[cfg(not(feature = "office"))]
        Command::Central(_) => not_in_this_build("the accreditation centre's commands", "office"),
        #[cfg(feature = "office")]
        Command::Patrol(a) => patrol::run(a),
        #[cfg(not(feature = "office"))]
        Command::Patrol(_) => not_in_this_build("the patrol page", "office"),
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
