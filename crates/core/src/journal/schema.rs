//! The journal's tables, triggers and migrations, and the checks that a
//! file is a badgegate journal this build can write.

use std::path::Path;

use rusqlite::{Connection, TransactionBehavior};

use super::store::sql_err;
use super::JournalError;

/// `PRAGMA application_id` of a badgegate journal ("BGJ1").
pub const APPLICATION_ID: i32 = 0x4247_4A31;
/// The schema this build writes; a newer journal is refused, an older one
/// is brought up to it when opened for writing and read as it is otherwise.
pub const SCHEMA_VERSION: i32 = 4;

/// The record kinds schema 2 stored.
const KINDS_2: &str = "'start', 'decision', 'override', 'confirm', 'list', 'hook', 'shift'";

/// The record kinds this build stores (schema 3 and on): the vocabulary's.
fn kinds() -> String {
    crate::vocab::EntryKind::ALL
        .iter()
        .map(|k| format!("'{}'", k.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Schema 1, as the first builds wrote it (kept so a new file goes
/// through the same steps as an old one).
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

/// Schema 2: records may be signed by their kiosk (`signer`, `sig`), carry
/// the record format they were hashed with (`format`), the sequence of the
/// signed list a `list` record is about, and the guard on shift; kinds for
/// lists, hook outcomes and shifts. The table is rebuilt (SQLite cannot
/// change a CHECK constraint); every record keeps its id, content and
/// hashes. Only the chain's own index is kept: the kiosk answers
/// anti-passback and its counters from memory, and every append writes one
/// index page instead of three.
const MIGRATION_2: &str = "
CREATE TABLE entries_v2 (
    id        INTEGER PRIMARY KEY,
    kiosk_id  TEXT NOT NULL,
    seq       INTEGER NOT NULL CHECK (seq >= 1),
    at_ms     INTEGER NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN (KINDS)),
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
    list_seq  INTEGER CHECK (list_seq IS NULL OR list_seq >= 1),
    guard     TEXT,
    format    INTEGER NOT NULL CHECK (format IN (1, 2)),
    signer    TEXT CHECK (signer IS NULL OR length(signer) = 64),
    prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash      BLOB NOT NULL CHECK (length(hash) = 32),
    sig       BLOB CHECK (sig IS NULL OR length(sig) = 64),
    UNIQUE (kiosk_id, seq)
) STRICT;
INSERT INTO entries_v2 (id, kiosk_id, seq, at_ms, kind, gate, zone, direction, serial, holder,
    org, category, key_id, decision, reason, flagged, authentic, detail, note, input,
    format, prev_hash, hash)
SELECT id, kiosk_id, seq, at_ms, kind, gate, zone, direction, serial, holder,
    org, category, key_id, decision, reason, flagged, authentic, detail, note, input,
    1, prev_hash, hash FROM entries;
DROP TABLE entries;
ALTER TABLE entries_v2 RENAME TO entries;
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'the journal is append-only: records cannot be changed'); END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'the journal is append-only: records cannot be deleted'); END;
";

/// Schema 3: the `clock` kind (the gate PC's clock jumped); schema 4: the
/// `check` kind (a patrol phone's check, kept in an office export or an
/// `audit merge`). The table is rebuilt with the vocabulary's kinds, every
/// record kept as it was; a file below 4 is rebuilt once.
const MIGRATION_3: &str = "
CREATE TABLE entries_v3 (
    id        INTEGER PRIMARY KEY,
    kiosk_id  TEXT NOT NULL,
    seq       INTEGER NOT NULL CHECK (seq >= 1),
    at_ms     INTEGER NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN (KINDS)),
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
    list_seq  INTEGER CHECK (list_seq IS NULL OR list_seq >= 1),
    guard     TEXT,
    format    INTEGER NOT NULL CHECK (format IN (1, 2)),
    signer    TEXT CHECK (signer IS NULL OR length(signer) = 64),
    prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash      BLOB NOT NULL CHECK (length(hash) = 32),
    sig       BLOB CHECK (sig IS NULL OR length(sig) = 64),
    UNIQUE (kiosk_id, seq)
) STRICT;
INSERT INTO entries_v3 (id, kiosk_id, seq, at_ms, kind, gate, zone, direction, serial, holder,
    org, category, key_id, decision, reason, flagged, authentic, detail, note, input,
    list_seq, guard, format, signer, prev_hash, hash, sig)
SELECT id, kiosk_id, seq, at_ms, kind, gate, zone, direction, serial, holder,
    org, category, key_id, decision, reason, flagged, authentic, detail, note, input,
    list_seq, guard, format, signer, prev_hash, hash, sig FROM entries;
DROP TABLE entries;
ALTER TABLE entries_v3 RENAME TO entries;
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
    if version < 2 {
        tx.execute_batch(&MIGRATION_2.replace("KINDS", KINDS_2))
            .map_err(&e)?;
    }
    if version < 4 {
        tx.execute_batch(&MIGRATION_3.replace("KINDS", &kinds()))
            .map_err(&e)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(&e)?;
    tx.commit().map_err(&e)
}
