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

/// `publish-photos`: every `SERIAL-photo.jpg` named or in the folders
/// named, published for the gates of `--venues`.
pub fn photos(a: crate::cli::PublishPhotosArgs) -> anyhow::Result<ExitCode> {
    use badgegate::text::shown_path;
    let venues: Vec<String> = if a.venues.trim() == "*" {
        vec!["*".to_owned()]
    } else {
        let mut v = Vec::new();
        for code in a.venues.split(',').map(|c| c.trim().to_lowercase()) {
            if !badgegate::format::keylist::is_valid_venue(&code) {
                anyhow::bail!("--venues {code:?}: a venue code is 1 to 24 characters of a-z 0-9 _ -, or give * for every venue");
            }
            v.push(code);
        }
        v
    };
    let mut files = Vec::new();
    for p in &a.paths {
        if p.is_dir() {
            let mut inside: Vec<_> = std::fs::read_dir(p)?
                .flatten()
                .map(|e| e.path())
                .filter(|f| serial_of(f).is_some())
                .collect();
            inside.sort();
            files.extend(inside);
        } else if serial_of(p).is_some() {
            files.push(p.clone());
        } else {
            anyhow::bail!(
                "{}: not a holder's photo as issue writes it (SERIAL-photo.jpg)",
                shown_path(p)
            );
        }
    }
    if files.is_empty() {
        anyhow::bail!("no SERIAL-photo.jpg file in what was given");
    }
    let url = super::office_url(&a.office)?;
    let mut db = badgegate::net::connect::connect(&url, PUBLISH_WAIT)?;
    let (mut new, mut held) = (0, 0);
    for f in &files {
        let serial = serial_of(f).unwrap_or_default();
        let bytes = std::fs::read(f)?;
        if badgegate::office::admin::publish_photo(&mut db, &serial, &bytes, &venues)? {
            new += 1;
        } else {
            held += 1;
        }
    }
    println!(
        "{new} photo(s) published to the office for venue(s) {}, {held} already there; online gates fetch them within seconds",
        venues.join(",")
    );
    Ok(super::Exit::Ok.into())
}

/// The serial of a file named `SERIAL-photo.jpg`.
fn serial_of(p: &std::path::Path) -> Option<String> {
    let name = p.file_name()?.to_str()?;
    let serial = name.strip_suffix("-photo.jpg")?;
    badgegate::format::badge::is_valid_serial(serial).then(|| serial.to_owned())
}
