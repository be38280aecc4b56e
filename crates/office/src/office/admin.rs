//! Setting the office up: the venue schema, a login for each kiosk and for
//! the desk, and publishing signed lists.

use std::path::Path;

use postgres::Client;

use super::{OfficeError, OFFICE_SCHEMA_VERSION};
use badgegate_core::vocab::ListKind;

/// The schema, version 1.
const SCHEMA_V1: &str = include_str!("schema.sql");
/// The dashboard's tables, added to version 1 (idempotent).
const DASHBOARD_V1: &str = include_str!("dashboard.sql");
/// Only signed content is authority: list rows checked against their
/// bodies, records against the vocabulary, grouped alarms (idempotent).
const AUTHORITY_V1: &str = include_str!("authority.sql");

/// `badgegate.known_record(kind, reason)`: true for a kind and a reason
/// code the vocabulary has. Written from the Rust vocabulary itself
/// (`vocab`), so the office and the kiosks know the same words; and
/// `badgegate.moves_presence`, the core's rule of who is inside
/// (`rules::presence_sql`), with its marks (`rules::revocation_sql`).
pub fn vocabulary_sql() -> String {
    use badgegate_core::vocab::{EntryKind, EntryReason};
    let quote = |codes: Vec<&str>| {
        codes
            .iter()
            .map(|c| format!("'{c}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let kinds = quote(EntryKind::ALL.iter().map(|k| k.code()).collect());
    let reasons = quote(EntryReason::all().map(|r| r.code()).collect());
    let headers: Vec<String> = ListKind::ALL
        .iter()
        .map(|k| {
            format!(
                "WHEN '{}' THEN '{}'",
                k.code(),
                badgegate_core::format::list_header(*k)
            )
        })
        .collect();
    format!(
        "CREATE OR REPLACE FUNCTION badgegate.known_record(p_kind text, p_reason text) RETURNS boolean
         LANGUAGE sql IMMUTABLE AS $$
             SELECT p_kind IN ({kinds}) AND p_reason IN ({reasons})
         $$;
         CREATE OR REPLACE FUNCTION badgegate.list_header(p_kind text) RETURNS text
         LANGUAGE sql IMMUTABLE AS $$
             SELECT CASE p_kind {} END
         $$;
         {}
         {}
         {}",
        headers.join(" "),
        badgegate_core::rules::presence_sql(),
        badgegate_core::rules::revocation_sql(),
        badgegate_core::rules::alarm_sql()
    )
}

/// The body of the office's alarm rule as the database holds it now.
fn alarm_rule_in_db(tx: &mut postgres::Transaction<'_>) -> Result<Option<String>, OfficeError> {
    Ok(tx
        .query_opt(
            "SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname = 'badgegate' AND p.proname = 'record_alarm'",
            &[],
        )?
        .map(|r| r.get(0)))
}

/// Writes the vocabulary and the rules, then (re)builds the index of the
/// records that are alarms when the alarm rule changed: an index over a
/// function keeps the answers of the function it was built with.
fn write_rules(tx: &mut postgres::Transaction<'_>) -> Result<(), OfficeError> {
    let before = alarm_rule_in_db(tx)?;
    tx.batch_execute(&vocabulary_sql())?;
    let after = alarm_rule_in_db(tx)?;
    let indexed: Option<String> = tx
        .query_opt(
            "SELECT pg_get_expr(i.indpred, i.indrelid) FROM pg_index i
             WHERE i.indexrelid = to_regclass('badgegate.records_alarming')",
            &[],
        )?
        .and_then(|r| r.get(0));
    let by_rule = indexed.is_some_and(|p| p.contains("alarming("));
    if before != after || !by_rule {
        tx.batch_execute(
            "DROP INDEX IF EXISTS badgegate.records_alarming;
             CREATE INDEX records_alarming ON badgegate.records (received_at)
                 WHERE badgegate.alarming(kind, reason, flagged);",
        )?;
    }
    Ok(())
}

/// True when the authority additions are there.
fn has_authority(db: &mut Client) -> Result<bool, OfficeError> {
    Ok(db
        .query_opt(
            "SELECT 1 FROM badgegate.meta WHERE key = 'authority_version'",
            &[],
        )?
        .is_some())
}

/// The venue schema version of the database, if it has one.
pub fn schema_version(db: &mut Client) -> Result<Option<i32>, OfficeError> {
    let exists: bool = db
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'badgegate')",
            &[],
        )?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let v: Option<String> = db
        .query_opt(
            "SELECT value FROM badgegate.meta WHERE key = 'schema_version'",
            &[],
        )?
        .map(|r| r.get(0));
    Ok(v.and_then(|v| v.parse().ok()))
}

/// Refuses a database without the venue schema or with a newer one.
pub fn check_schema(db: &mut Client) -> Result<(), OfficeError> {
    match schema_version(db)? {
        None => Err(OfficeError::NotInitialised),
        Some(v) if v > OFFICE_SCHEMA_VERSION => Err(OfficeError::TooNew {
            found: v,
            max: OFFICE_SCHEMA_VERSION,
        }),
        Some(_) => Ok(()),
    }
}

/// Refuses a database without the dashboard's tables.
pub fn check_dashboard(db: &mut Client) -> Result<(), OfficeError> {
    check_schema(db)?;
    if has_dashboard(db)? {
        Ok(())
    } else {
        Err(OfficeError::Refused(
            "the office database has no dashboard tables yet: run `badgegate office init --db URL` (it adds them, nothing else changes)".into(),
        ))
    }
}

/// What `init` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Initialised {
    Created,
    /// A venue schema of an earlier build got the dashboard's tables (and
    /// the checks that make only signed content authority).
    DashboardAdded,
    /// A venue schema of an earlier build got the checks that make only
    /// signed content authority (list rows against their bodies, records
    /// against the vocabulary, grouped alarms).
    AuthorityAdded,
    AlreadyCurrent,
}

/// True when the dashboard's tables are there.
pub fn has_dashboard(db: &mut Client) -> Result<bool, OfficeError> {
    Ok(db
        .query_opt(
            "SELECT 1 FROM badgegate.meta WHERE key = 'dashboard_version'",
            &[],
        )?
        .is_some())
}

/// Creates the venue schema in one transaction (the roles kiosks and
/// publishers are members of first: roles belong to the whole server).
/// A database already at this version is left alone; a newer is refused.
pub fn init(db: &mut Client) -> Result<Initialised, OfficeError> {
    let encoding: String = db.query_one("SHOW server_encoding", &[])?.get(0);
    if encoding != "UTF8" {
        return Err(OfficeError::Refused(format!(
            "the office database's encoding is {encoding}; create it with ENCODING 'UTF8'"
        )));
    }
    match schema_version(db)? {
        Some(v) if v > OFFICE_SCHEMA_VERSION => {
            return Err(OfficeError::TooNew {
                found: v,
                max: OFFICE_SCHEMA_VERSION,
            })
        }
        Some(_) => {
            let dashboard = has_dashboard(db)?;
            let authority = has_authority(db)?;
            // The vocabulary is written again every time: a newer build
            // may know more words.
            let mut tx = db.transaction()?;
            // Recomputing presence from a large venue record takes time.
            tx.batch_execute("SET LOCAL statement_timeout = 0")?;
            write_rules(&mut tx)?;
            if !dashboard {
                tx.batch_execute(DASHBOARD_V1)?;
            }
            // Every statement of the authority additions may run again;
            // a newer build's are written over an older build's.
            tx.batch_execute(AUTHORITY_V1)?;
            tx.commit()?;
            return Ok(match (dashboard, authority) {
                (true, true) => Initialised::AlreadyCurrent,
                (false, _) => Initialised::DashboardAdded,
                (true, false) => Initialised::AuthorityAdded,
            });
        }
        None => {}
    }
    let mut tx = db.transaction()?;
    for role in ["badgegate_kiosk", "badgegate_publisher"] {
        let exists: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
                &[&role],
            )?
            .get(0);
        if !exists {
            tx.batch_execute(&format!("CREATE ROLE {role} NOLOGIN"))?;
        }
    }
    tx.batch_execute(SCHEMA_V1)?;
    tx.batch_execute(DASHBOARD_V1)?;
    write_rules(&mut tx)?;
    tx.batch_execute(AUTHORITY_V1)?;
    tx.execute(
        "INSERT INTO badgegate.meta (key, value) VALUES ('schema_version', $1)",
        &[&OFFICE_SCHEMA_VERSION.to_string()],
    )?;
    tx.commit()?;
    Ok(Initialised::Created)
}

/// A fresh password: 32 random characters of [A-Za-z0-9].
pub fn random_password() -> String {
    use rand_core::RngCore;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

/// True for a name usable as a kiosk id or publisher name in a login.
fn is_login_part(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The login's role name for a kiosk or a publisher.
fn login_name(prefix: &str, name: &str) -> String {
    format!(
        "{prefix}_{}",
        name.to_ascii_lowercase().replace(['-', '.'], "_")
    )
}

/// The admin URI with another login and password, for a connection file:
/// the same host, port, database and options (`sslmode`, a socket folder).
fn uri_for(admin_url: &str, login: &str, password: &str) -> Result<String, OfficeError> {
    super::connect::config(admin_url)?;
    let (scheme, rest) = admin_url
        .split_once("://")
        .ok_or_else(|| OfficeError::connect("the office URL must start with postgresql://"))?;
    let rest = match rest.split_once('@') {
        Some((_, after)) if !rest[..rest.find('@').unwrap_or(0)].contains('/') => after,
        _ => rest,
    };
    Ok(format!("{scheme}://{login}:{password}@{rest}"))
}

/// Writes a connection file (mode 0600, never over an existing one).
fn write_connection_file(out: &Path, comment: &str, uri: &str) -> Result<(), OfficeError> {
    let text =
        format!("# {comment}\n# Keep it like a key: whoever holds it logs in as this.\n{uri}\n");
    badgegate_core::files::write_atomic(out, text.as_bytes(), 0o600, false).map_err(|e| {
        OfficeError::ConnectionFile {
            path: out.display().to_string(),
            why: e.to_string(),
        }
    })
}

/// Enrols a kiosk: its own login (a member of `badgegate_kiosk`, nothing
/// more), its public key if it signs its journal, and a connection file.
pub fn add_kiosk(
    db: &mut Client,
    admin_url: &str,
    kiosk_id: &str,
    key_pub_hex: Option<&str>,
    out: &Path,
) -> Result<String, OfficeError> {
    check_schema(db)?;
    if !is_login_part(kiosk_id) {
        return Err(OfficeError::Refused(format!(
            "kiosk id {kiosk_id:?}: 1 to 40 of A-Z a-z 0-9 - _ ."
        )));
    }
    if out.exists() {
        return Err(OfficeError::Refused(format!(
            "{} exists; give another --out (a connection file is never overwritten)",
            out.display()
        )));
    }
    if let Some(venue) = crate::office::central::venue_of(db)? {
        if !kiosk_id.starts_with(&format!("{venue}-")) {
            return Err(OfficeError::Refused(format!(
                "kiosk id {kiosk_id:?}: this office is venue {venue}, and kiosk ids are unique across venues: name it {venue}-{kiosk_id}"
            )));
        }
    }
    let login = login_name("bg_kiosk", kiosk_id);
    let password = random_password();
    let mut tx = db.transaction()?;
    let known: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM badgegate.kiosks WHERE kiosk_id = $1)",
            &[&kiosk_id],
        )?
        .get(0);
    if known {
        return Err(OfficeError::Refused(format!(
            "kiosk {kiosk_id} is already enrolled; a kiosk keeps its id and its chain"
        )));
    }
    tx.batch_execute(&format!(
        "CREATE ROLE {login} LOGIN PASSWORD '{password}' IN ROLE badgegate_kiosk"
    ))?;
    tx.execute(
        "INSERT INTO badgegate.kiosks (kiosk_id, login, key_pub) VALUES ($1, $2, $3)",
        &[&kiosk_id, &login, &key_pub_hex],
    )?;
    let uri = uri_for(admin_url, &login, &password)?;
    write_connection_file(
        out,
        &format!("badgegate kiosk {kiosk_id}: give it to `badgegate kiosk --office FILE`"),
        &uri,
    )?;
    if let Err(e) = tx.commit() {
        let _ = std::fs::remove_file(out);
        return Err(e.into());
    }
    Ok(login)
}

/// A login for the desk, allowed to publish signed lists and nothing else.
pub fn add_publisher(
    db: &mut Client,
    admin_url: &str,
    name: &str,
    out: &Path,
) -> Result<String, OfficeError> {
    check_schema(db)?;
    if !is_login_part(name) {
        return Err(OfficeError::Refused(format!(
            "publisher name {name:?}: 1 to 40 of A-Z a-z 0-9 - _ ."
        )));
    }
    if out.exists() {
        return Err(OfficeError::Refused(format!(
            "{} exists; give another --out (a connection file is never overwritten)",
            out.display()
        )));
    }
    let login = login_name("bg_desk", name);
    let password = random_password();
    let mut tx = db.transaction()?;
    tx.batch_execute(&format!(
        "CREATE ROLE {login} LOGIN PASSWORD '{password}' IN ROLE badgegate_publisher"
    ))?;
    let uri = uri_for(admin_url, &login, &password)?;
    write_connection_file(
        out,
        &format!("badgegate desk {name}: give it to `badgegate revoke --office FILE` and `badgegate policy --office FILE`"),
        &uri,
    )?;
    if let Err(e) = tx.commit() {
        let _ = std::fs::remove_file(out);
        return Err(e.into());
    }
    Ok(login)
}

/// Publishes a signed list (`revocations` or `policy`) to every gate.
/// Publishing the same list again is a no-op.
/// The body of the newest list of `kind` from `key_id` the office holds,
/// as its rows say (the caller verifies it: the office is not trusted).
pub fn newest_list(
    db: &mut Client,
    kind: ListKind,
    key_id: &str,
) -> Result<Option<String>, OfficeError> {
    check_schema(db)?;
    Ok(db
        .query_opt(
            "SELECT body FROM badgegate.lists WHERE kind = $1 AND key_id = $2 ORDER BY sequence DESC LIMIT 1",
            &[&kind.code(), &key_id],
        )?
        .map(|r| r.get(0)))
}

pub fn publish(
    db: &mut Client,
    kind: ListKind,
    key_id: &str,
    sequence: u64,
    body: &str,
) -> Result<bool, OfficeError> {
    check_schema(db)?;
    let seq =
        i64::try_from(sequence).map_err(|_| OfficeError::Refused("sequence too large".into()))?;
    let held: Option<String> = db
        .query_opt(
            "SELECT body FROM badgegate.lists WHERE kind = $1 AND key_id = $2 AND sequence = $3",
            &[&kind.code(), &key_id, &seq],
        )?
        .map(|r| r.get(0));
    match held {
        Some(b) if b == body => Ok(false),
        Some(_) => Err(OfficeError::Refused(format!(
            "the office already holds a different {kind} list with sequence {sequence} from key {key_id}: another desk signed its own; run the same command with --sync (it takes the office's newest list, adds yours and signs the next number)"
        ))),
        None => {
            db.execute(
                "INSERT INTO badgegate.lists (kind, key_id, sequence, body) VALUES ($1, $2, $3, $4)",
                &[&kind.code(), &key_id, &seq, &body],
            )?;
            Ok(true)
        }
    }
}

/// Publishes a holder's photo for the gates of `venues` (`*`: every
/// venue), named by its serial and its content's digest. The same photo
/// again is a no-op (`false`).
pub fn publish_photo(
    db: &mut Client,
    serial: &str,
    photo: &[u8],
    venues: &[String],
) -> Result<bool, OfficeError> {
    check_schema(db)?;
    let digest = badgegate_core::format::badge::PhotoDigest::of(photo).to_string();
    let n = db.execute(
        "INSERT INTO badgegate.photos (serial, digest, venues, photo) VALUES ($1, $2, $3, $4)
         ON CONFLICT (serial, digest) DO NOTHING",
        &[&serial, &digest, &venues, &photo],
    )?;
    Ok(n == 1)
}
