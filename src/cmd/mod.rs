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
mod issue;
mod keygen;
mod kiosk;
mod office;
mod policy;
mod revoke;
mod verify;
#[cfg(feature = "screen")]
mod window;

/// Loads a secret key, and warns when others than its owner may read the
/// file (it should be 0600, as keygen writes it).
pub fn load_secret_key(
    path: &std::path::Path,
) -> anyhow::Result<badgegate::format::keys::SecretKey> {
    use badgegate::format::keys::SecretKey;
    let key = SecretKey::load(path)?;
    if let Some(mode) = SecretKey::exposed_mode(path) {
        eprintln!(
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
/// Publishes a signed list through the venue office (`--office FILE`).
pub fn publish(
    office: &std::path::Path,
    kind: &str,
    key_id: &str,
    sequence: u64,
    text: &str,
) -> anyhow::Result<()> {
    let url = office::office_url(office)?;
    let mut db = badgegate::office::connect::connect(&url, PUBLISH_WAIT)?;
    let new = badgegate::office::admin::publish(&mut db, kind, key_id, sequence, text)?;
    println!(
        "{} the venue office: {kind} list sequence {sequence} from key {key_id}; online gates take it up within seconds",
        if new { "published to" } else { "already at" }
    );
    Ok(())
}

/// The longest the desk waits for the venue office.
pub const PUBLISH_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Publishes a signed list or policy, waiting at most [`PUBLISH_WAIT`]: a
/// hung or unreachable office never holds the desk (the file is signed,
/// written and its lock released before). The words say whether the gates
/// have it from the office; not yet published is exit 1.
pub fn publish_within(
    office: &std::path::Path,
    kind: &'static str,
    key_id: &str,
    sequence: u64,
    text: &str,
) -> ExitCode {
    let (tx, rx) = std::sync::mpsc::channel();
    let (office, key, body) = (office.to_owned(), key_id.to_owned(), text.to_owned());
    std::thread::spawn(move || {
        let _ = tx.send(publish(&office, kind, &key, sequence, &body));
    });
    let why = match rx.recv_timeout(PUBLISH_WAIT) {
        Ok(Ok(())) => return Exit::Ok.into(),
        Ok(Err(e)) => format!("{e:#}"),
        Err(_) => format!(
            "the venue office did not answer within {} s",
            PUBLISH_WAIT.as_secs()
        ),
    };
    println!(
        "signed #{sequence} but NOT YET PUBLISHED to the venue office ({}); gates given the file take it now; publish it with the same command once the office answers",
        badgegate::text::printable_short(&why, 400)
    );
    Exit::Problem.into()
}

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
        eprintln!("warning: {}", badgegate::text::printable(w));
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
            eprintln!(
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

/// Runs a command. `Err` is printed as one line and exits 2.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Keygen(a) => keygen::run(a),
        Command::Issue(a) => issue::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Kiosk(a) => kiosk::run(*a),
        Command::Audit(a) => audit::run(a),
        Command::Revoke(a) => revoke::run(a),
        Command::Policy(a) => policy::run(a),
        Command::Office(a) => office::run(a),
        Command::Decode(a) => decode::run(a),
        Command::Doctor(a) => doctor::run(*a),
        #[cfg(feature = "demo")]
        Command::Demo(a) => demo::run(a),
    }
}
