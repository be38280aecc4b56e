//! The journal's tables, triggers and migrations, and the checks that a
//! file is a badgegate journal this build can write.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::store::sql_err;
use super::JournalError;

/// `PRAGMA application_id` of a badgegate journal ("BGJ1").
pub const APPLICATION_ID: i32 = 0x4247_4A31;
/// The schema this build writes; a newer journal is refused.
pub const SCHEMA_VERSION: i32 = 1;

const MIGRATION_1: &str = "
CREATE TABLE journal_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
CREATE TABLE entries (
    id        INTEGER PRIMARY KEY,
    kiosk_id  TEXT NOT NULL,
    seq       INTEGER NOT NULL CHECK (seq >= 1),
    at_ms     INTEGER NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('start', 'decision', 'override', 'confirm')),
    gate      TEXT NOT NULL,
    zone      TEXT,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    serial    TEXT,
    holder    TEXT,
    org       TEXT,
    category  TEXT,
    key_id    TEXT,
    decision  TEXT NOT NULL CHECK (decision IN ('admit', 'deny', 'none')),
    reason    TEXT NOT NULL,
    flagged   INTEGER NOT NULL CHECK (flagged IN (0, 1)),
    authentic INTEGER NOT NULL CHECK (authentic IN (0, 1)),
    detail    TEXT NOT NULL,
    note      TEXT,
    input     TEXT NOT NULL,
    prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash      BLOB NOT NULL CHECK (length(hash) = 32),
    UNIQUE (kiosk_id, seq)
) STRICT;
CREATE INDEX entries_serial ON entries (serial, id);
CREATE INDEX entries_at ON entries (at_ms);
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'the journal is append-only: records cannot be changed'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'the journal is append-only: records cannot be deleted'); END;
";

pub(super) fn check_identity(conn: &Connection, path: &Path) -> Result<(), JournalError> {
    let e = sql_err(path);
    let app: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(&e)?;
    let tables: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(&e)?;
    if app != APPLICATION_ID && (app != 0 || tables > 0) {
        return Err(JournalError::NotAJournal {
            path: path.to_owned(),
        });
    }
    Ok(())
}

/// Brings the schema to [`SCHEMA_VERSION`] in one transaction; refuses a
/// journal from a newer badgegate.
pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), JournalError> {
    let e = sql_err(path);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(&e)?;
    let version: i32 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(&e)?;
    if version > SCHEMA_VERSION {
        return Err(JournalError::TooNew {
            path: path.to_owned(),
            version,
            max: SCHEMA_VERSION,
        });
    }
    if version < 1 {
        tx.execute_batch(MIGRATION_1).map_err(&e)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(&e)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(&e)?;
    tx.commit().map_err(&e)
}
