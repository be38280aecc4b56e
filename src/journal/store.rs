//! The open journal: the one owner of its SQLite connection. Appends chain
//! and commit each record durably; queries answer the gate and the audit.

use std::fmt;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use super::record::{genesis_hash, record_hash, Entry, NewEntry};
use super::schema::{check_identity, migrate};
use super::JournalError;
use crate::vocab::{Direction, EntryDecision, EntryKind, EntryReason};

/// A stored row that does not read as a record (a value outside the
/// vocabulary, a hash of the wrong length).
pub(super) struct UnreadableRow {
    pub id: i64,
    pub kiosk_id: String,
    pub why: String,
}

/// An open journal.
pub struct Journal {
    conn: Connection,
    path: PathBuf,
    kiosk_id: String,
}

impl fmt::Debug for Journal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Journal({}, kiosk {})",
            self.path.display(),
            self.kiosk_id
        )
    }
}

pub(super) fn sql_err(path: &Path) -> impl Fn(rusqlite::Error) -> JournalError + '_ {
    move |e| {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            if f.code == rusqlite::ErrorCode::NotADatabase {
                return JournalError::NotAJournal {
                    path: path.to_owned(),
                };
            }
        }
        JournalError::Sqlite {
            path: path.to_owned(),
            why: e.to_string(),
        }
    }
}

const COLUMNS: &str =
    "id, kiosk_id, seq, at_ms, kind, gate, zone, direction, serial, holder, org, \
     category, key_id, decision, reason, flagged, authentic, detail, note, input, prev_hash, hash";

fn row_to_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    let kind: String = r.get(4)?;
    let direction: String = r.get(7)?;
    let decision: String = r.get(13)?;
    let reason: String = r.get(14)?;
    let blob32 = |i: usize| -> rusqlite::Result<[u8; 32]> {
        let v: Vec<u8> = r.get(i)?;
        v.try_into().map_err(|_| {
            rusqlite::Error::FromSqlConversionFailure(
                i,
                rusqlite::types::Type::Blob,
                "hash is not 32 bytes".into(),
            )
        })
    };
    let bad = |i: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            what.to_owned().into(),
        )
    };
    Ok(Entry {
        id: r.get(0)?,
        kiosk_id: r.get(1)?,
        seq: u64::try_from(r.get::<_, i64>(2)?).map_err(|_| bad(2, "negative seq"))?,
        body: NewEntry {
            at_ms: u64::try_from(r.get::<_, i64>(3)?).map_err(|_| bad(3, "negative time"))?,
            kind: EntryKind::from_code(&kind).ok_or_else(|| bad(4, "unknown kind"))?,
            gate: r.get(5)?,
            zone: r.get(6)?,
            direction: Direction::from_code(&direction)
                .ok_or_else(|| bad(7, "unknown direction"))?,
            serial: r.get(8)?,
            holder: r.get(9)?,
            org: r.get(10)?,
            category: r.get(11)?,
            key_id: r.get(12)?,
            decision: EntryDecision::from_code(&decision)
                .ok_or_else(|| bad(13, "unknown decision"))?,
            reason: EntryReason::from_code(&reason).ok_or_else(|| bad(14, "unknown reason"))?,
            flagged: r.get::<_, i64>(15)? != 0,
            authentic: r.get::<_, i64>(16)? != 0,
            detail: r.get(17)?,
            note: r.get(18)?,
            input: r.get(19)?,
        },
        prev_hash: blob32(20)?,
        hash: blob32(21)?,
    })
}

impl Journal {
    /// Opens (creating if needed) the journal of kiosk `kiosk_id` for
    /// writing: WAL, `synchronous=FULL`, schema migrated in one transaction.
    /// With `kiosk_id` `None`, an existing journal keeps its id and a new one
    /// gets `default_id`.
    pub fn open(
        path: &Path,
        kiosk_id: Option<&str>,
        default_id: &str,
    ) -> Result<Journal, JournalError> {
        let open_err = |e: rusqlite::Error| JournalError::Open {
            path: path.to_owned(),
            why: e.to_string(),
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !parent.is_dir() {
                return Err(JournalError::Open {
                    path: path.to_owned(),
                    why: format!("folder {} does not exist", parent.display()),
                });
            }
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_err)?;
        Self::setup(conn, path, kiosk_id, default_id)
    }

    /// A journal in memory (tests).
    pub fn open_in_memory(kiosk_id: &str) -> Result<Journal, JournalError> {
        let path = Path::new(":memory:");
        let conn = Connection::open_in_memory().map_err(sql_err(path))?;
        Self::setup(conn, path, Some(kiosk_id), kiosk_id)
    }

    fn setup(
        mut conn: Connection,
        path: &Path,
        kiosk_id: Option<&str>,
        default_id: &str,
    ) -> Result<Journal, JournalError> {
        let e = sql_err(path);
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(&e)?;
        check_identity(&conn, path)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(&e)?;
        if path != Path::new(":memory:") && !mode.eq_ignore_ascii_case("wal") {
            return Err(JournalError::Open {
                path: path.to_owned(),
                why: format!("cannot switch to WAL mode (got {mode})"),
            });
        }
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(&e)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(&e)?;
        // 32 MiB of page cache: merges of a million records insert into
        // several indexes at once.
        conn.pragma_update(None, "cache_size", -32_768)
            .map_err(&e)?;
        migrate(&mut conn, path)?;
        let stored: Option<String> = conn
            .query_row(
                "SELECT value FROM journal_meta WHERE key = 'kiosk_id'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(&e)?;
        let id = match (stored, kiosk_id) {
            (Some(found), Some(given)) if found != given => {
                return Err(JournalError::KioskIdMismatch {
                    path: path.to_owned(),
                    found,
                    given: given.to_owned(),
                })
            }
            (Some(found), _) => found,
            (None, given) => {
                let id = given.unwrap_or(default_id).to_owned();
                conn.execute(
                    "INSERT INTO journal_meta (key, value) VALUES ('kiosk_id', ?1)",
                    params![id],
                )
                .map_err(&e)?;
                id
            }
        };
        Ok(Journal {
            conn,
            path: path.to_owned(),
            kiosk_id: id,
        })
    }

    /// Opens an existing journal for reading only (audit).
    pub fn open_readonly(path: &Path) -> Result<Journal, JournalError> {
        if !path.is_file() {
            return Err(JournalError::Open {
                path: path.to_owned(),
                why: "no such file".into(),
            });
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| JournalError::Open {
            path: path.to_owned(),
            why: e.to_string(),
        })?;
        let e = sql_err(path);
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(&e)?;
        check_identity(&conn, path)?;
        let version: i32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(&e)?;
        if version == 0 {
            return Err(JournalError::NotAJournal {
                path: path.to_owned(),
            });
        }
        let kiosk_id: String = conn
            .query_row(
                "SELECT value FROM journal_meta WHERE key = 'kiosk_id'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(&e)?
            .unwrap_or_default();
        Ok(Journal {
            conn,
            path: path.to_owned(),
            kiosk_id,
        })
    }

    pub fn kiosk_id(&self) -> &str {
        &self.kiosk_id
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends a record for this kiosk, chained to its previous one, and
    /// commits it durably. Only when this returns `Ok` may the decision be
    /// shown or acted on.
    pub fn append(&mut self, e: &NewEntry) -> Result<Entry, JournalError> {
        let err = sql_err(&self.path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        // The head is read inside the write transaction: a second process
        // writing the same journal is serialised, never forked.
        let head: Option<(i64, Vec<u8>)> = tx
            .query_row(
                "SELECT seq, hash FROM entries WHERE kiosk_id = ?1 ORDER BY seq DESC LIMIT 1",
                params![self.kiosk_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(&err)?;
        let (seq, prev) = match head {
            Some((s, h)) => (
                u64::try_from(s).unwrap_or(0) + 1,
                h.try_into().unwrap_or([0; 32]),
            ),
            None => (1, genesis_hash(&self.kiosk_id)),
        };
        let hash = record_hash(&prev, &self.kiosk_id, seq, e);
        insert_entry(&tx, &self.kiosk_id, seq, e, &prev, &hash).map_err(&err)?;
        let id = tx.last_insert_rowid();
        tx.commit().map_err(&err)?;
        Ok(Entry {
            id,
            kiosk_id: self.kiosk_id.clone(),
            seq,
            body: e.clone(),
            prev_hash: prev,
            hash,
        })
    }

    /// True if `serial`'s last admitted record here was an entry (`in`).
    pub fn is_inside(&self, serial: &str) -> Result<bool, JournalError> {
        let dir: Option<String> = self
            .conn
            .query_row(
                "SELECT direction FROM entries WHERE serial = ?1 AND decision = 'admit'
                 AND kind IN ('decision', 'override', 'confirm') ORDER BY id DESC LIMIT 1",
                params![serial],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql_err(&self.path))?;
        Ok(dir.as_deref() == Some("in"))
    }

    /// Admits and denies (automatic, confirmed and by hand) since `since_ms`.
    /// Records awaiting a confirmation (`none`) count once answered.
    pub fn decision_counts(&self, since_ms: u64) -> Result<(u64, u64), JournalError> {
        let since = i64::try_from(since_ms).unwrap_or(i64::MAX);
        self.conn
            .query_row(
                "SELECT COALESCE(SUM(decision = 'admit'), 0), COALESCE(SUM(decision = 'deny'), 0)
                 FROM entries WHERE at_ms >= ?1 AND kind != 'start'",
                params![since],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )
            .map(|(a, d)| (a.max(0) as u64, d.max(0) as u64))
            .map_err(sql_err(&self.path))
    }

    /// How many badges' last admitted, authentic record here is an entry:
    /// the people this journal saw come in and not go out.
    pub fn inside_count(&self) -> Result<u64, JournalError> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM (
                     SELECT serial, direction, MAX(id) FROM entries
                     WHERE decision = 'admit' AND authentic = 1 AND serial IS NOT NULL
                       AND kind != 'start'
                     GROUP BY serial)
                 WHERE direction = 'in'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n.max(0) as u64)
            .map_err(sql_err(&self.path))
    }

    /// A value from the journal's meta table.
    pub fn meta(&self, key: &str) -> Result<Option<String>, JournalError> {
        self.conn
            .query_row(
                "SELECT value FROM journal_meta WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql_err(&self.path))
    }

    /// Sets a value in the journal's meta table.
    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<(), JournalError> {
        self.conn
            .execute(
                "INSERT INTO journal_meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map(|_| ())
            .map_err(sql_err(&self.path))
    }

    /// Every record in storage order (`id`), streamed to `f`; stops at the
    /// first error `f` returns.
    pub fn for_each_entry<E>(
        &self,
        f: impl FnMut(Entry) -> Result<(), E>,
    ) -> Result<Result<(), E>, JournalError> {
        self.for_each_ordered("id", f)
    }

    /// Every record in chain order (kiosk id, then sequence), streamed to `f`.
    pub fn for_each_in_chain_order<E>(
        &self,
        f: impl FnMut(Entry) -> Result<(), E>,
    ) -> Result<Result<(), E>, JournalError> {
        self.for_each_ordered("kiosk_id, seq", f)
    }

    /// Every record in time order (then storage order), streamed to `f`.
    pub fn for_each_in_time_order<E>(
        &self,
        f: impl FnMut(Entry) -> Result<(), E>,
    ) -> Result<Result<(), E>, JournalError> {
        self.for_each_ordered("at_ms, id", f)
    }

    /// `order` is one of the fixed orderings above, never user input.
    fn for_each_ordered<E>(
        &self,
        order: &'static str,
        mut f: impl FnMut(Entry) -> Result<(), E>,
    ) -> Result<Result<(), E>, JournalError> {
        let err = sql_err(&self.path);
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM entries ORDER BY {order}"))
            .map_err(&err)?;
        let mut rows = stmt.query([]).map_err(&err)?;
        while let Some(row) = rows.next().map_err(&err)? {
            let entry = row_to_entry(row).map_err(&err)?;
            if let Err(e) = f(entry) {
                return Ok(Err(e));
            }
        }
        Ok(Ok(()))
    }

    /// Every record in chain order (kiosk id, then sequence); a row that
    /// does not read as a record is handed over as [`UnreadableRow`].
    pub(super) fn for_each_row_in_chain_order(
        &self,
        mut f: impl FnMut(Result<Entry, UnreadableRow>),
    ) -> Result<(), JournalError> {
        let err = sql_err(&self.path);
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {COLUMNS} FROM entries ORDER BY kiosk_id, seq"
            ))
            .map_err(&err)?;
        let mut rows = stmt.query([]).map_err(&err)?;
        while let Some(row) = rows.next().map_err(&err)? {
            f(row_to_entry(row).map_err(|x| UnreadableRow {
                id: row.get(0).unwrap_or(0),
                kiosk_id: row.get(1).unwrap_or_default(),
                why: x.to_string(),
            }));
        }
        Ok(())
    }

    /// The stored hash of a kiosk's record `seq`, if present.
    pub fn hash_of(&self, kiosk_id: &str, seq: u64) -> Result<Option<[u8; 32]>, JournalError> {
        let h: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT hash FROM entries WHERE kiosk_id = ?1 AND seq = ?2",
                params![kiosk_id, seq as i64],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql_err(&self.path))?;
        Ok(h.and_then(|h| h.try_into().ok()))
    }

    /// The last (seq, hash) of every kiosk in the file.
    pub fn kiosk_heads(&self) -> Result<Vec<(String, u64, [u8; 32])>, JournalError> {
        let err = sql_err(&self.path);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT e.kiosk_id, e.seq, e.hash FROM entries e
                 JOIN (SELECT kiosk_id, max(seq) AS m FROM entries GROUP BY kiosk_id) t
                 ON e.kiosk_id = t.kiosk_id AND e.seq = t.m ORDER BY e.kiosk_id",
            )
            .map_err(&err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                ))
            })
            .map_err(&err)?;
        let mut out = Vec::new();
        for row in rows {
            let (k, s, h) = row.map_err(&err)?;
            out.push((
                k,
                u64::try_from(s).unwrap_or(0),
                h.try_into().unwrap_or([0; 32]),
            ));
        }
        Ok(out)
    }

    /// Inserts records exactly as they are (merging journals), in one
    /// transaction. The caller has checked that they extend their chains.
    pub fn import(&mut self, entries: &[Entry]) -> Result<(), JournalError> {
        let err = sql_err(&self.path);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        for x in entries {
            insert_entry(&tx, &x.kiosk_id, x.seq, &x.body, &x.prev_hash, &x.hash).map_err(&err)?;
        }
        tx.commit().map_err(&err)
    }

    /// Every record, in storage order.
    pub fn entries(&self) -> Result<Vec<Entry>, JournalError> {
        let mut all = Vec::new();
        self.for_each_entry(|e| {
            all.push(e);
            Ok::<(), ()>(())
        })?
        .ok();
        Ok(all)
    }

    /// The raw connection, for tests that play the attacker.
    #[doc(hidden)]
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// Inserts one record exactly as given (chaining is the caller's job).
fn insert_entry(
    conn: &Connection,
    kiosk_id: &str,
    seq: u64,
    e: &NewEntry,
    prev: &[u8; 32],
    hash: &[u8; 32],
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO entries (kiosk_id, seq, at_ms, kind, gate, zone, direction, serial, holder, org,
             category, key_id, decision, reason, flagged, authentic, detail, note, input, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
    )?;
    stmt.execute(params![
        kiosk_id,
        seq as i64,
        e.at_ms as i64,
        e.kind.code(),
        e.gate,
        e.zone,
        e.direction.code(),
        e.serial,
        e.holder,
        e.org,
        e.category,
        e.key_id,
        e.decision.code(),
        e.reason.code(),
        i64::from(e.flagged),
        i64::from(e.authentic),
        e.detail,
        e.note,
        e.input,
        prev.to_vec(),
        hash.to_vec(),
    ])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::verify_chain;
    use crate::vocab::Reason;

    pub(crate) fn entry(serial: &str, decision: &str, direction: Direction) -> NewEntry {
        NewEntry {
            at_ms: 1_790_000_000_000,
            kind: EntryKind::Decision,
            gate: "north".into(),
            zone: Some("plenary".into()),
            direction,
            serial: Some(serial.into()),
            holder: Some("Holder".into()),
            org: Some("Org".into()),
            category: Some("delegate".into()),
            key_id: Some("01020304".into()),
            decision: if decision == "admit" {
                EntryDecision::Admit
            } else {
                EntryDecision::Deny
            },
            reason: if decision == "admit" {
                Reason::Ok
            } else {
                Reason::Expired
            }
            .into(),
            flagged: false,
            authentic: true,
            detail: String::new(),
            note: None,
            input: "test".into(),
        }
    }

    #[test]
    fn append_chains_and_verifies() {
        let mut j = Journal::open_in_memory("k1").unwrap();
        for i in 0..5 {
            j.append(&entry(&format!("S-{i}"), "admit", Direction::In))
                .unwrap();
        }
        let r = verify_chain(&j).unwrap();
        assert!(r.is_intact(), "{:?}", r.problems);
        assert_eq!(r.heads[0].records, 5);
    }

    #[test]
    fn updates_and_deletes_are_refused() {
        let mut j = Journal::open_in_memory("k1").unwrap();
        j.append(&entry("S-1", "admit", Direction::In)).unwrap();
        let e = j
            .connection()
            .execute("UPDATE entries SET decision = 'deny'", []);
        assert!(e.unwrap_err().to_string().contains("append-only"));
        let e = j.connection().execute("DELETE FROM entries", []);
        assert!(e.unwrap_err().to_string().contains("append-only"));
    }

    #[test]
    fn a_journal_from_a_newer_badgegate_is_refused_and_the_kiosk_id_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.db");
        drop(Journal::open(&path, Some("k1"), "k1").unwrap());
        let again = Journal::open(&path, None, "other").unwrap();
        assert_eq!(again.kiosk_id(), "k1");
        drop(again);
        assert!(matches!(
            Journal::open(&path, Some("k2"), "k2"),
            Err(JournalError::KioskIdMismatch { .. })
        ));
        let c = Connection::open(&path).unwrap();
        c.pragma_update(None, "user_version", 2).unwrap();
        drop(c);
        let e = Journal::open(&path, None, "k1").unwrap_err();
        assert!(matches!(e, JournalError::TooNew { version: 2, .. }), "{e}");
        assert!(e.to_string().contains("newer"));
    }

    #[test]
    fn two_writers_on_one_journal_are_serialised_not_forked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.db");
        let mut a = Journal::open(&path, Some("k1"), "k1").unwrap();
        let mut b = Journal::open(&path, Some("k1"), "k1").unwrap();
        for i in 0..6 {
            let j = if i % 2 == 0 { &mut a } else { &mut b };
            let e = j
                .append(&entry(&format!("S-{i}"), "admit", Direction::In))
                .unwrap();
            assert_eq!(e.seq, i + 1);
        }
        let r = verify_chain(&a).unwrap();
        assert!(r.is_intact(), "{:?}", r.problems);
        assert_eq!(r.heads[0].records, 6);
    }

    #[test]
    fn inside_follows_last_admitted_direction() {
        let mut j = Journal::open_in_memory("k1").unwrap();
        assert!(!j.is_inside("S-1").unwrap());
        j.append(&entry("S-1", "admit", Direction::In)).unwrap();
        assert!(j.is_inside("S-1").unwrap());
        j.append(&entry("S-1", "deny", Direction::Out)).unwrap();
        assert!(j.is_inside("S-1").unwrap(), "a denied exit does not count");
        j.append(&entry("S-1", "admit", Direction::Out)).unwrap();
        assert!(!j.is_inside("S-1").unwrap());
    }
}
