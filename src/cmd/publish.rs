//! Publishing what the desk signed (revocation lists, policies) through the
//! venue office, never holding the desk longer than [`PUBLISH_WAIT`].

use std::process::ExitCode;

use badgegate::vocab::ListKind;

use super::Exit;

/// Publishes a signed list through the venue office (`--office FILE`).
fn publish(
    office: &std::path::Path,
    kind: ListKind,
    key_id: &str,
    sequence: u64,
    text: &str,
) -> anyhow::Result<()> {
    let url = super::office_url(office)?;
    let mut db = badgegate::net::connect::connect(&url, PUBLISH_WAIT)?;
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
    kind: ListKind,
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
