//! The open journal: the one owner of its SQLite connection. A journal
//! opened for writing holds the journal's lock (one writer), keeps its
//! chain head in memory, signs each record when the kiosk has a key, and
//! checks after every commit that the file it wrote is still the journal.
//! A journal opened for reading reads schema 1 and 2 files as they are.

use std::collections::{BinaryHeap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};

use super::record::{genesis_hash, record_hash, sign_record, Entry, NewEntry, RECORD_FORMAT};
use super::schema::{check_identity, migrate, SCHEMA_VERSION};
use super::watch::VanishWatch;
use super::JournalError;
use crate::files::Lock;
use crate::format::keys::SecretKey;
use crate::vocab::{Direction, EntryDecision, EntryKind, EntryReason, KioskEvent};

/// Pages the write-ahead log may grow to before SQLite copies it into the
/// main file (SQLite's default is 1000): fewer checkpoints, each an fsync of
/// the main file, between a kiosk's commits.
const WAL_AUTOCHECKPOINT_PAGES: i64 = 1000;
/// Bytes a page of a new journal.
const PAGE_SIZE: i64 = 1024;
/// The `journal_meta` key naming the process writing the journal; set while
/// a kiosk runs, so a copy of the main file taken without its `-wal` can be
/// told apart from a journal closed cleanly.
const WRITER_META: &str = "writer";
/// Mode of a new journal file: its kiosk's user writes, its group (the
/// security office's auditors) reads, nobody else.
const JOURNAL_MODE: u32 = 0o640;

/// A stored row that does not read as a record (a value outside the
/// vocabulary, a hash of the wrong length).
pub(super) struct UnreadableRow {
    pub id: i64,
    pub kiosk_id: String,
    pub why: String,
}

/// What only a journal opened for writing has.
struct Writer {
    /// One writer a journal (`None` in memory).
    _lock: Option<Lock>,
    /// The journal's folder, watched for its file or log going away.
    vanish: Option<VanishWatch>,
    /// This kiosk's last (sequence, hash).
    head: Option<(u64, [u8; 32])>,
    /// The kiosk's signing key and its public key in hex.
    signer: Option<(SecretKey, String)>,
    /// An append failed: the kiosk is out of service, and its journal is
    /// left marked as not closed cleanly.
    failed: bool,
    /// The writer's note found at open: the previous run did not close
    /// the journal (killed, crashed, power lost, out of service).
    unclosed: Option<String>,
    /// Appends are gathered in an open transaction until
    /// [`Journal::commit_batch`]; the head before it, restored if it fails.
    batch: Option<Option<(u64, [u8; 32])>>,
}

/// An open journal.
pub struct Journal {
    conn: Connection,
    path: PathBuf,
    kiosk_id: String,
    /// The file's schema (a file opened for writing is brought to the
    /// current one).
    schema: i32,
    writer: Option<Writer>,
    warnings: Vec<String>,
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

/// The columns a record is read from, in [`row_to_entry`]'s order.
const COLUMNS: &str =
    "id, kiosk_id, seq, at_ms, kind, gate, zone, direction, serial, holder, org, \
     category, key_id, decision, reason, flagged, authentic, detail, note, input, \
     list_seq, guard, format, signer, prev_hash, hash, sig";
/// The same from a schema-1 file: what it lacks, as format-1 records have it.
const COLUMNS_SCHEMA_1: &str =
    "id, kiosk_id, seq, at_ms, kind, gate, zone, direction, serial, holder, org, \
     category, key_id, decision, reason, flagged, authentic, detail, note, input, \
     NULL, NULL, 1, NULL, prev_hash, hash, NULL";

fn row_to_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    let bad = |i: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            what.to_owned().into(),
        )
    };
    let code = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    let blob = |i: usize| -> rusqlite::Result<Vec<u8>> { r.get(i) };
    let hash = |i: usize| -> rusqlite::Result<[u8; 32]> {
        blob(i)?
            .try_into()
            .map_err(|_| bad(i, "hash is not 32 bytes"))
    };
    let sig: Option<Vec<u8>> = r.get(26)?;
    let sig = match sig {
        Some(s) => Some(
            <[u8; 64]>::try_from(s.as_slice()).map_err(|_| bad(26, "signature is not 64 bytes"))?,
        ),
        None => None,
    };
    let list_seq: Option<i64> = r.get(20)?;
    Ok(Entry {
        id: r.get(0)?,
        kiosk_id: r.get(1)?,
        seq: u64::try_from(r.get::<_, i64>(2)?).map_err(|_| bad(2, "negative seq"))?,
        body: NewEntry {
            at_ms: u64::try_from(r.get::<_, i64>(3)?).map_err(|_| bad(3, "negative time"))?,
            kind: EntryKind::from_code(&code(4)?).ok_or_else(|| bad(4, "unknown kind"))?,
            gate: r.get(5)?,
            zone: r.get(6)?,
            direction: Direction::from_code(&code(7)?)
                .ok_or_else(|| bad(7, "unknown direction"))?,
            serial: r.get(8)?,
            holder: r.get(9)?,
            org: r.get(10)?,
            category: r.get(11)?,
            key_id: r.get(12)?,
            decision: EntryDecision::from_code(&code(13)?)
                .ok_or_else(|| bad(13, "unknown decision"))?,
            reason: EntryReason::from_code(&code(14)?).ok_or_else(|| bad(14, "unknown reason"))?,
            flagged: r.get::<_, i64>(15)? != 0,
            authentic: r.get::<_, i64>(16)? != 0,
            detail: r.get(17)?,
            note: r.get(18)?,
            input: r.get(19)?,
            list_seq: list_seq
                .map(|n| u64::try_from(n).map_err(|_| bad(20, "negative list sequence")))
                .transpose()?,
            guard: r.get(21)?,
        },
        format: u8::try_from(r.get::<_, i64>(22)?).map_err(|_| bad(22, "unknown format"))?,
        signer: r.get(23)?,
        prev_hash: hash(24)?,
        hash: hash(25)?,
        sig,
    })
}

/// The write-ahead log beside a journal.
fn wal_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push("-wal");
    path.with_file_name(name)
}

impl Journal {
    /// Opens (creating if needed) the journal of kiosk `kiosk_id` for
    /// writing: its lock taken (a second writer is refused), WAL,
    /// `synchronous=FULL`, schema migrated in one transaction. With
    /// `kiosk_id` `None`, an existing journal keeps its id and a new one
    /// gets `default_id`.
    pub fn open(
        path: &Path,
        kiosk_id: Option<&str>,
        default_id: &str,
    ) -> Result<Journal, JournalError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !parent.is_dir() {
                return Err(JournalError::Open {
                    path: path.to_owned(),
                    why: format!("folder {} does not exist", parent.display()),
                });
            }
        }
        let lock = Lock::acquire(
            path,
            Duration::ZERO,
            "one kiosk writes a journal: stop the other one, or give this kiosk its own --journal",
        )?;
        // A new journal is private to its kiosk's user and group (0640,
        // whatever the umask); SQLite gives its WAL the same mode.
        if !path.exists() {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(JOURNAL_MODE)
                .open(path)
                .map_err(|e| JournalError::Open {
                    path: path.to_owned(),
                    why: e.to_string(),
                })?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| JournalError::Open {
            path: path.to_owned(),
            why: e.to_string(),
        })?;
        let mut j = Self::setup(conn, path, kiosk_id, default_id, Some(lock))?;
        let unclosed = j.meta(WRITER_META)?;
        if let Some(w) = j.writer.as_mut() {
            w.unclosed = unclosed;
        }
        j.mark_writer()?;
        let vanish = VanishWatch::new(path, &wal_path(path)).map_err(|e| JournalError::Open {
            path: path.to_owned(),
            why: format!("cannot watch its folder: {e}"),
        })?;
        if let Some(w) = j.writer.as_mut() {
            w.vanish = Some(vanish);
        }
        Ok(j)
    }

    /// A journal in memory (tests).
    pub fn open_in_memory(kiosk_id: &str) -> Result<Journal, JournalError> {
        let path = Path::new(":memory:");
        let conn = Connection::open_in_memory().map_err(sql_err(path))?;
        Self::setup(conn, path, Some(kiosk_id), kiosk_id, None)
    }

    fn setup(
        mut conn: Connection,
        path: &Path,
        kiosk_id: Option<&str>,
        default_id: &str,
        lock: Option<Lock>,
    ) -> Result<Journal, JournalError> {
        let e = sql_err(path);
        conn.busy_timeout(Duration::from_secs(5)).map_err(&e)?;
        check_identity(&conn, path)?;
        // A new journal gets small pages: a commit writes two of them (the
        // record and its place in the chain's index), and fewer bytes to
        // the log make each durable commit cheaper. An existing file keeps
        // its page size.
        conn.pragma_update(None, "page_size", PAGE_SIZE)
            .map_err(&e)?;
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
        conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)
            .map_err(&e)?;
        // 32 MiB of page cache: merges of a million records at once.
        conn.pragma_update(None, "cache_size", -32_768)
            .map_err(&e)?;
        migrate(&mut conn, path)?;
        let id = Self::kiosk_id_of(&conn, path, kiosk_id, default_id)?;
        let mut j = Journal {
            conn,
            path: path.to_owned(),
            kiosk_id: id,
            schema: SCHEMA_VERSION,
            writer: Some(Writer {
                _lock: lock,
                vanish: None,
                head: None,
                signer: None,
                failed: false,
                unclosed: None,
                batch: None,
            }),
            warnings: Vec::new(),
        };
        let head = j.head_of(&j.kiosk_id.clone())?;
        if let Some(w) = j.writer.as_mut() {
            w.head = head;
        }
        Ok(j)
    }

    /// The journal's kiosk id: the one stored, which `given` must match;
    /// or, for a new journal, `given` or `default_id`, stored now.
    fn kiosk_id_of(
        conn: &Connection,
        path: &Path,
        given: Option<&str>,
        default_id: &str,
    ) -> Result<String, JournalError> {
        let e = sql_err(path);
        let stored: Option<String> = conn
            .query_row(
                "SELECT value FROM journal_meta WHERE key = 'kiosk_id'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(&e)?;
        match (stored, given) {
            (Some(found), Some(given)) if found != given => Err(JournalError::KioskIdMismatch {
                path: path.to_owned(),
                found,
                given: given.to_owned(),
            }),
            (Some(found), _) => Ok(found),
            (None, given) => {
                let id = given.unwrap_or(default_id).to_owned();
                conn.execute(
                    "INSERT INTO journal_meta (key, value) VALUES ('kiosk_id', ?1)",
                    params![id],
                )
                .map_err(&e)?;
                Ok(id)
            }
        }
    }

    /// Notes who writes the journal, and copies the log into the main file
    /// so that the file alone has the schema, the header and the note.
    fn mark_writer(&mut self) -> Result<(), JournalError> {
        let who = format!(
            "kiosk {} (process {} on {})",
            self.kiosk_id,
            std::process::id(),
            crate::files::host_name()
        );
        self.set_meta(WRITER_META, &who)?;
        self.checkpoint()
    }

    /// Copies the write-ahead log into the main file and empties it.
    fn checkpoint(&self) -> Result<(), JournalError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(sql_err(&self.path))
    }

    /// Signs every record appended from now on with the kiosk's own key.
    pub fn sign_with(&mut self, key: SecretKey) {
        let hex = crate::text::hex(key.public().key.as_bytes());
        if let Some(w) = self.writer.as_mut() {
            w.signer = Some((key, hex));
        }
    }

    /// The kiosk key records are signed with, if any (its key id).
    pub fn signer_id(&self) -> Option<String> {
        self.writer
            .as_ref()
            .and_then(|w| w.signer.as_ref())
            .map(|(k, _)| k.key_id().to_string())
    }

    /// Opens an existing journal for reading only (audit), as it is:
    /// nothing is migrated or written.
    pub fn open_readonly(path: &Path) -> Result<Journal, JournalError> {
        if !path.is_file() {
            return Err(JournalError::Open {
                path: path.to_owned(),
                why: "no such file".into(),
            });
        }
        // Before SQLite opens the file, which makes a new, empty -wal.
        let had_wal = wal_path(path).exists();
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| JournalError::Open {
            path: path.to_owned(),
            why: e.to_string(),
        })?;
        let e = sql_err(path);
        conn.busy_timeout(Duration::from_secs(5)).map_err(&e)?;
        check_identity(&conn, path)?;
        let schema: i32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(&e)?;
        if schema == 0 {
            return Err(JournalError::NotAJournal {
                path: path.to_owned(),
            });
        }
        if schema > SCHEMA_VERSION {
            return Err(JournalError::TooNew {
                path: path.to_owned(),
                version: schema,
                max: SCHEMA_VERSION,
            });
        }
        let meta = |key: &str| -> Result<Option<String>, JournalError> {
            conn.query_row(
                "SELECT value FROM journal_meta WHERE key = ?1",
                params![key],
                |r| r.get(0),
            )
            .optional()
            .map_err(&e)
        };
        let kiosk_id = meta("kiosk_id")?.unwrap_or_default();
        let mut warnings = Vec::new();
        if let Some(writer) = meta(WRITER_META)? {
            if !had_wal {
                warnings.push(format!(
                    "{} was copied while {} was writing it, without its -wal file: records written since the last checkpoint are missing; copy a live journal with `badgegate audit snapshot`",
                    path.display(),
                    writer
                ));
            }
        }
        Ok(Journal {
            conn,
            path: path.to_owned(),
            kiosk_id,
            schema,
            writer: None,
            warnings,
        })
    }

    pub fn kiosk_id(&self) -> &str {
        &self.kiosk_id
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What is doubtful about the file itself (a copy missing its log).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    fn columns(&self) -> &'static str {
        if self.schema >= 2 {
            COLUMNS
        } else {
            COLUMNS_SCHEMA_1
        }
    }

    /// Gathers the appends that follow into one transaction, made durable
    /// at once by [`Journal::commit_batch`] (group commit: scanner lines
    /// already waiting share one fsync). Until then none of them may be
    /// shown or acted on.
    pub fn begin_batch(&mut self) -> Result<(), JournalError> {
        let Some(w) = self.writer.as_mut() else {
            return Err(JournalError::ReadOnly {
                path: self.path.clone(),
            });
        };
        if w.batch.is_some() {
            return Ok(());
        }
        if let Err(e) = self.conn.execute_batch("BEGIN IMMEDIATE") {
            w.failed = true;
            return Err(sql_err(&self.path)(e));
        }
        w.batch = Some(w.head);
        Ok(())
    }

    /// Commits the appends since [`Journal::begin_batch`] durably (WAL,
    /// fsync). Only when this returns `Ok` may their decisions be shown or
    /// acted on; on `Err` none was kept, and the journal takes no more.
    pub fn commit_batch(&mut self) -> Result<(), JournalError> {
        let Some(w) = self.writer.as_mut() else {
            return Ok(());
        };
        let Some(before) = w.batch.take() else {
            return Ok(());
        };
        if let Err(e) = self.conn.execute_batch("COMMIT") {
            // None of the batch was kept: the chain goes on from before it.
            w.failed = true;
            w.head = before;
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(sql_err(&self.path)(e));
        }
        if let Err(e) = self.check_still_there() {
            if let Some(w) = self.writer.as_mut() {
                w.failed = true;
            }
            return Err(e);
        }
        Ok(())
    }

    /// Drops the appends since [`Journal::begin_batch`]: none is kept, the
    /// chain goes on from before them, and the journal takes no more (the
    /// kiosk is out of service).
    pub fn abandon_batch(&mut self) {
        let Some(w) = self.writer.as_mut() else {
            return;
        };
        if let Some(before) = w.batch.take() {
            w.failed = true;
            w.head = before;
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }

    /// Appends a record for this kiosk, chained to its previous one, signed
    /// when the kiosk has a key, and commits it durably (within a batch:
    /// when the batch commits). Only when the record is committed may the
    /// decision be shown or acted on.
    pub fn append(&mut self, e: &NewEntry) -> Result<Entry, JournalError> {
        let Some(w) = self.writer.as_mut() else {
            return Err(JournalError::ReadOnly {
                path: self.path.clone(),
            });
        };
        let (seq, prev) = match w.head {
            Some((s, h)) => (s + 1, h),
            None => (1, genesis_hash(&self.kiosk_id)),
        };
        let signer = w.signer.as_ref().map(|(_, hex)| hex.clone());
        let hash = record_hash(
            &prev,
            &self.kiosk_id,
            seq,
            RECORD_FORMAT,
            e,
            signer.as_deref(),
        );
        let entry = Entry {
            id: 0,
            kiosk_id: self.kiosk_id.clone(),
            seq,
            body: e.clone(),
            prev_hash: prev,
            hash,
            format: RECORD_FORMAT,
            signer,
            sig: w.signer.as_ref().map(|(key, _)| sign_record(key, &hash)),
        };
        // One statement, one transaction, committed (WAL, fsync) on return.
        if let Err(e) = insert_entry(&self.conn, &entry) {
            w.failed = true;
            return Err(sql_err(&self.path)(e));
        }
        w.head = Some((seq, hash));
        let id = self.conn.last_insert_rowid();
        if let Err(e) = self.check_still_there() {
            if let Some(w) = self.writer.as_mut() {
                w.failed = true;
            }
            return Err(e);
        }
        Ok(Entry { id, ..entry })
    }

    /// When the previous run of this kiosk did not close the journal
    /// (killed, crashed, power lost, or out of service): who wrote it, and
    /// the time of its last record. `None` for a clean stop or a new file.
    pub fn previous_run_unclosed(&self) -> Result<Option<(String, Option<u64>)>, JournalError> {
        let Some(who) = self.writer.as_ref().and_then(|w| w.unclosed.clone()) else {
            return Ok(None);
        };
        Ok(Some((who, self.last_record_ms()?)))
    }

    /// The time of this kiosk's last record (`None` in an empty journal).
    pub fn last_record_ms(&self) -> Result<Option<u64>, JournalError> {
        let at: Option<i64> = self
            .conn
            .query_row(
                "SELECT at_ms FROM entries WHERE kiosk_id = ?1 ORDER BY seq DESC LIMIT 1",
                params![self.kiosk_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql_err(&self.path))?;
        Ok(at.map(|t| u64::try_from(t).unwrap_or(0)))
    }

    /// Fails if the journal this kiosk opened was deleted, moved or
    /// replaced, or its log deleted: the record just committed went where
    /// nobody will find it.
    fn check_still_there(&mut self) -> Result<(), JournalError> {
        let Some(vanish) = self.writer.as_mut().and_then(|w| w.vanish.as_mut()) else {
            return Ok(());
        };
        match vanish.gone() {
            Some(why) => Err(JournalError::Vanished {
                path: self.path.clone(),
                why,
            }),
            None => Ok(()),
        }
    }

    /// The last (sequence, hash) of a kiosk's chain in this file.
    fn head_of(&self, kiosk_id: &str) -> Result<Option<(u64, [u8; 32])>, JournalError> {
        let head: Option<(i64, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT seq, hash FROM entries WHERE kiosk_id = ?1 ORDER BY seq DESC LIMIT 1",
                params![kiosk_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(sql_err(&self.path))?;
        Ok(head.map(|(s, h)| {
            (
                u64::try_from(s).unwrap_or(0),
                h.try_into().unwrap_or([0; 32]),
            )
        }))
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

    /// Sets a value in the journal's meta table (outside the chain: nothing
    /// a decision depends on lives there).
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
        mut f: impl FnMut(Entry) -> Result<(), E>,
    ) -> Result<Result<(), E>, JournalError> {
        let err = sql_err(&self.path);
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {} FROM entries ORDER BY id",
                self.columns()
            ))
            .map_err(&err)?;
        let mut rows = stmt.query([]).map_err(&err)?;
        while let Some(row) = rows.next().map_err(&err)? {
            if let Err(e) = f(row_to_entry(row).map_err(&err)?) {
                return Ok(Err(e));
            }
        }
        Ok(Ok(()))
    }

    /// Up to `limit` records of `kiosk_id` after sequence `after`, in
    /// sequence order: what a kiosk sends the office next.
    pub fn entries_after(
        &self,
        kiosk_id: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Entry>, JournalError> {
        let err = sql_err(&self.path);
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {} FROM entries WHERE kiosk_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                self.columns()
            ))
            .map_err(&err)?;
        let rows = stmt
            .query_map(
                params![
                    kiosk_id,
                    i64::try_from(after).unwrap_or(i64::MAX),
                    limit as i64
                ],
                row_to_entry,
            )
            .map_err(&err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(&err)
    }

    /// The last sequence number of a kiosk's chain in this file.
    pub fn head_seq(&self, kiosk_id: &str) -> Result<Option<u64>, JournalError> {
        Ok(self.head_of(kiosk_id)?.map(|(s, _)| s))
    }

    /// The sequence number this kiosk's next record will have.
    pub fn next_seq(&self) -> u64 {
        self.writer
            .as_ref()
            .and_then(|w| w.head)
            .map_or(1, |(s, _)| s + 1)
    }

    /// Every record in chain order (kiosk id, then sequence), streamed to `f`.
    pub fn for_each_in_chain_order<E>(
        &self,
        mut f: impl FnMut(Entry) -> Result<(), E>,
    ) -> Result<Result<(), E>, JournalError> {
        let mut failed = None;
        let mut stop = None;
        self.for_each_row_in_chain_order(|row| {
            if failed.is_some() || stop.is_some() {
                return;
            }
            match row {
                Ok(e) => {
                    if let Err(x) = f(e) {
                        stop = Some(x);
                    }
                }
                Err(bad) => failed = Some(bad),
            }
        })?;
        if let Some(bad) = failed {
            return Err(JournalError::Sqlite {
                path: self.path.clone(),
                why: format!("record at row {} does not read: {}", bad.id, bad.why),
            });
        }
        Ok(stop.map_or(Ok(()), Err))
    }

    /// Every record in time order, each kiosk's own records in sequence
    /// order: the kiosks' chains merged by time, so a kiosk whose clock
    /// stepped back still has its records in the order it made them.
    pub fn for_each_in_time_order<E>(
        &self,
        mut f: impl FnMut(Entry) -> Result<(), E>,
    ) -> Result<Result<(), E>, JournalError> {
        let err = sql_err(&self.path);
        let kiosks: Vec<String> = {
            let mut stmt = self
                .conn
                .prepare("SELECT DISTINCT kiosk_id FROM entries ORDER BY kiosk_id")
                .map_err(&err)?;
            let rows = stmt.query_map([], |r| r.get(0)).map_err(&err)?;
            rows.collect::<Result<_, _>>().map_err(&err)?
        };
        let sql = format!(
            "SELECT {} FROM entries WHERE kiosk_id = ?1 ORDER BY seq",
            self.columns()
        );
        let mut stmts = Vec::with_capacity(kiosks.len());
        for _ in &kiosks {
            stmts.push(self.conn.prepare(&sql).map_err(&err)?);
        }
        let mut cursors = Vec::with_capacity(kiosks.len());
        for (stmt, kiosk) in stmts.iter_mut().zip(&kiosks) {
            cursors.push(stmt.query(params![kiosk]).map_err(&err)?);
        }
        // The next record of each kiosk, earliest first (then by kiosk).
        let mut next: BinaryHeap<std::cmp::Reverse<(u64, usize, i64)>> = BinaryHeap::new();
        let mut pending: HashMap<usize, Entry> = HashMap::new();
        let advance = |i: usize,
                       cursors: &mut Vec<rusqlite::Rows<'_>>,
                       next: &mut BinaryHeap<_>,
                       pending: &mut HashMap<usize, Entry>|
         -> Result<(), JournalError> {
            if let Some(row) = cursors[i].next().map_err(&err)? {
                let e = row_to_entry(row).map_err(&err)?;
                next.push(std::cmp::Reverse((e.body.at_ms, i, e.id)));
                pending.insert(i, e);
            }
            Ok(())
        };
        for i in 0..cursors.len() {
            advance(i, &mut cursors, &mut next, &mut pending)?;
        }
        while let Some(std::cmp::Reverse((_, i, _))) = next.pop() {
            let Some(e) = pending.remove(&i) else {
                continue;
            };
            if let Err(x) = f(e) {
                return Ok(Err(x));
            }
            advance(i, &mut cursors, &mut next, &mut pending)?;
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
                "SELECT {} FROM entries ORDER BY kiosk_id, seq",
                self.columns()
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

    /// Inserts records exactly as they are, signatures included (merging
    /// journals), in one transaction. The caller has checked that they
    /// extend their chains.
    pub fn import(&mut self, entries: &[Entry]) -> Result<(), JournalError> {
        let err = sql_err(&self.path);
        if self.writer.is_none() {
            return Err(JournalError::ReadOnly {
                path: self.path.clone(),
            });
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(&err)?;
        for x in entries {
            insert_entry(&tx, x).map_err(&err)?;
        }
        tx.commit().map_err(&err)?;
        let head = self.head_of(&self.kiosk_id.clone())?;
        if let Some(w) = self.writer.as_mut() {
            w.head = head;
        }
        Ok(())
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

    /// Who is inside and today's numbers, as this file's records say: read
    /// once when a kiosk starts, then kept up to date by the kiosk.
    pub fn presence(&self) -> Result<Presence, JournalError> {
        let mut p = Presence::default();
        self.for_each_entry(|e| {
            p.note(&e.body);
            Ok::<(), ()>(())
        })?
        .ok();
        Ok(p)
    }

    /// The raw connection, for this crate's tests that play the attacker.
    #[cfg(test)]
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }
}

impl Drop for Journal {
    /// A kiosk that stops cleanly leaves a journal whose main file holds
    /// every record and no writer's note.
    fn drop(&mut self) {
        // A kiosk that went out of service leaves its note: its next start
        // records that this run did not end cleanly.
        let clean = self.writer.as_ref().is_some_and(|w| !w.failed);
        if clean && self.path != Path::new(":memory:") {
            let _ = self.conn.execute(
                "DELETE FROM journal_meta WHERE key = ?1",
                params![WRITER_META],
            );
            let _ = self.checkpoint();
        }
    }
}

/// The journal's answer to anti-passback and the guard's counters, kept in
/// memory: for each serial the direction of its last admitted record (and
/// whether that badge's signature checked out), and every admit and deny
/// with its time.
#[derive(Clone, Debug, Default)]
pub struct Presence {
    last: HashMap<String, (Direction, bool)>,
    decided: Vec<(u64, EntryDecision)>,
    /// The highest list sequence taken up from each key (key id in hex).
    lists: HashMap<String, u64>,
    /// The highest venue policy sequence taken up from each key.
    policies: HashMap<String, u64>,
    /// The highest key list sequence taken up (one series across roots).
    keys: Option<u64>,
}

impl Presence {
    /// Takes a record into account (in the order they were made).
    pub fn note(&mut self, e: &NewEntry) {
        if e.kind == EntryKind::List {
            if e.reason == EntryReason::Event(KioskEvent::KeysAccepted) {
                if let Some(seq) = e.list_seq {
                    self.keys = Some(self.keys.unwrap_or(0).max(seq));
                }
                return;
            }
            let floors = match e.reason {
                EntryReason::Event(KioskEvent::ListAccepted) => &mut self.lists,
                EntryReason::Event(KioskEvent::PolicyAccepted) => &mut self.policies,
                _ => return,
            };
            if let (Some(key), Some(seq)) = (&e.key_id, e.list_seq) {
                let floor = floors.entry(key.clone()).or_default();
                *floor = (*floor).max(seq);
            }
            return;
        }
        let decides = matches!(
            e.kind,
            EntryKind::Decision | EntryKind::Override | EntryKind::Confirm
        );
        if !decides {
            return;
        }
        if e.decision != EntryDecision::None {
            self.decided.push((e.at_ms, e.decision));
        }
        if crate::rules::moves_presence(e.kind, e.decision, e.authentic) {
            if let Some(serial) = &e.serial {
                self.last.insert(serial.clone(), (e.direction, e.authentic));
            }
        }
    }

    /// True if `serial`'s last admitted record was an entry (`in`).
    pub fn is_inside(&self, serial: &str) -> bool {
        self.last
            .get(serial)
            .is_some_and(|(d, _)| *d == Direction::In)
    }

    /// Admits and denies (automatic, confirmed and by hand) since
    /// `since_ms`; records awaiting a confirmation count once answered.
    pub fn decision_counts(&self, since_ms: u64) -> (u64, u64) {
        self.decided
            .iter()
            .filter(|(t, _)| *t >= since_ms)
            .fold((0, 0), |(a, d), (_, x)| match x {
                EntryDecision::Admit => (a + 1, d),
                EntryDecision::Deny => (a, d + 1),
                EntryDecision::None => (a, d),
            })
    }

    /// The highest sequence of a list from this key the journal records
    /// taking up.
    pub fn list_floor(&self, key_id: &str) -> Option<u64> {
        self.lists.get(key_id).copied()
    }

    /// The highest key list sequence this journal took up.
    pub fn keys_floor(&self) -> Option<u64> {
        self.keys
    }

    /// The highest venue policy sequence this journal took up from each
    /// key (key id in hex).
    pub fn policy_floors(&self) -> &HashMap<String, u64> {
        &self.policies
    }

    /// Badges whose last admitted, authentic record is an entry: the
    /// people this journal saw come in and not go out.
    pub fn inside_count(&self) -> u64 {
        self.last
            .values()
            .filter(|(d, authentic)| *d == Direction::In && *authentic)
            .count() as u64
    }
}

/// Copies a journal consistently, even while its kiosk writes it (SQLite's
/// online backup), to `out`, placed whole; the copy is marked as no longer
/// written.
pub fn snapshot(live: &Path, out: &Path, replace: bool) -> Result<u64, JournalError> {
    let source = Journal::open_readonly(live)?;
    let folder = crate::files::folder_of(out);
    crate::files::remove_stale(folder, crate::files::TEMP_PREFIX);
    let tmp = folder.join(crate::files::temp_name(crate::files::TEMP_PREFIX));
    let err = sql_err(out);
    let copied = (|| -> Result<u64, JournalError> {
        {
            let mut copy = Connection::open(&tmp).map_err(&err)?;
            let backup = rusqlite::backup::Backup::new(&source.conn, &mut copy).map_err(&err)?;
            backup
                .run_to_completion(256, Duration::from_millis(5), None)
                .map_err(&err)?;
            drop(backup);
            copy.execute(
                "DELETE FROM journal_meta WHERE key = ?1",
                params![WRITER_META],
            )
            .map_err(&err)?;
            copy.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .map_err(&err)?;
            copy.pragma_update(None, "journal_mode", "DELETE")
                .map_err(&err)?;
        }
        let records =
            Journal::open_readonly(&tmp).and_then(|j| j.entries().map(|e| e.len() as u64))?;
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| JournalError::Open {
                path: out.to_owned(),
                why: e.to_string(),
            })?;
        let placed = if replace {
            std::fs::rename(&tmp, out)
        } else {
            std::fs::hard_link(&tmp, out).and_then(|()| std::fs::remove_file(&tmp))
        };
        placed.map_err(|e| JournalError::Open {
            path: out.to_owned(),
            why: if e.kind() == std::io::ErrorKind::AlreadyExists {
                "it already exists; pass --force to replace it".into()
            } else {
                e.to_string()
            },
        })?;
        Ok(records)
    })();
    for leftover in ["", "-wal", "-shm", "-journal"] {
        let mut name = tmp.clone().into_os_string();
        name.push(leftover);
        let _ = std::fs::remove_file(name);
    }
    copied
}

/// Inserts one record exactly as given (chaining is the caller's job).
fn insert_entry(conn: &Connection, x: &Entry) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO entries (kiosk_id, seq, at_ms, kind, gate, zone, direction, serial, holder,
             org, category, key_id, decision, reason, flagged, authentic, detail, note, input,
             list_seq, guard, format, signer, prev_hash, hash, sig)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
             ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)",
    )?;
    let e = &x.body;
    stmt.execute(params![
        x.kiosk_id,
        x.seq as i64,
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
        e.list_seq.map(|n| n as i64),
        e.guard,
        i64::from(x.format),
        x.signer,
        x.prev_hash.to_vec(),
        x.hash.to_vec(),
        x.sig.map(|s| s.to_vec()),
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
            ..NewEntry::default()
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
    fn a_batch_is_kept_whole_when_it_commits_and_not_at_all_when_abandoned() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.db");
        let mut j = Journal::open(&path, Some("k1"), "k1").unwrap();
        j.append(&entry("S-0", "admit", Direction::In)).unwrap();
        j.begin_batch().unwrap();
        for i in 1..4 {
            j.append(&entry(&format!("S-{i}"), "admit", Direction::In))
                .unwrap();
        }
        // Not visible to another reader until the batch commits.
        let other = Journal::open_readonly(&path).unwrap();
        assert_eq!(other.entries().unwrap().len(), 1);
        j.commit_batch().unwrap();
        assert_eq!(other.entries().unwrap().len(), 4);
        j.begin_batch().unwrap();
        j.append(&entry("S-9", "admit", Direction::In)).unwrap();
        j.abandon_batch();
        assert_eq!(other.entries().unwrap().len(), 4);
        assert_eq!(j.next_seq(), 5, "the chain goes on from before the batch");
        let r = verify_chain(&other).unwrap();
        assert!(r.is_intact(), "{:?}", r.problems);
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
        c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(c);
        let e = Journal::open(&path, None, "k1").unwrap_err();
        assert!(matches!(e, JournalError::TooNew { version: 5, .. }), "{e}");
        assert!(e.to_string().contains("newer"));
    }

    #[test]
    fn a_second_writer_is_refused_and_a_reader_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.db");
        let mut a = Journal::open(&path, Some("k1"), "k1").unwrap();
        a.append(&entry("S-1", "admit", Direction::In)).unwrap();
        let e = Journal::open(&path, Some("k1"), "k1")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("in use by another badgegate") && e.contains("one kiosk writes a journal"),
            "{e}"
        );
        let r = Journal::open_readonly(&path).unwrap();
        assert_eq!(r.entries().unwrap().len(), 1);
        assert!(
            r.warnings().is_empty(),
            "a live journal with its log is fine"
        );
        drop(a);
        let mut again = Journal::open(&path, Some("k1"), "k1").unwrap();
        assert_eq!(
            again
                .append(&entry("S-2", "admit", Direction::In))
                .unwrap()
                .seq,
            2
        );
    }

    #[test]
    fn a_signed_record_verifies_and_a_forged_one_does_not() {
        let mut j = Journal::open_in_memory("k1").unwrap();
        let key = SecretKey::from_seed(&[3; 32]);
        j.sign_with(key);
        let e = j.append(&entry("S-1", "admit", Direction::In)).unwrap();
        assert_eq!(e.format, 2);
        let signer = e.signer_key().unwrap();
        let sig = e.sig.unwrap();
        assert!(signer.verify(&crate::journal::signed_message(&e.hash), &sig));
        assert!(!signer.verify(&crate::journal::signed_message(&e.prev_hash), &sig));
        let back = j.entries().unwrap();
        assert_eq!(back[0], e, "read back as written, signature included");
    }

    #[test]
    fn inside_follows_last_admitted_direction() {
        let mut j = Journal::open_in_memory("k1").unwrap();
        let inside = |j: &Journal| j.presence().unwrap().is_inside("S-1");
        assert!(!inside(&j));
        j.append(&entry("S-1", "admit", Direction::In)).unwrap();
        assert!(inside(&j));
        j.append(&entry("S-1", "deny", Direction::Out)).unwrap();
        assert!(inside(&j), "a denied exit does not count");
        j.append(&entry("S-1", "admit", Direction::Out)).unwrap();
        assert!(!inside(&j));
        let p = j.presence().unwrap();
        assert_eq!(p.decision_counts(0), (2, 1));
        assert_eq!(p.inside_count(), 0);
    }

    /// A guard's hand admit of a card the signature does not vouch for
    /// (forged, unknown key) does not put the serial it claims inside: the
    /// genuine holder is not locked out by local anti-passback.
    #[test]
    fn an_unverified_admit_puts_no_one_inside() {
        let mut j = Journal::open_in_memory("k1").unwrap();
        let mut forged = entry("S-1", "admit", Direction::In);
        forged.authentic = false;
        forged.kind = EntryKind::Override;
        j.append(&forged).unwrap();
        let p = j.presence().unwrap();
        assert!(!p.is_inside("S-1"));
        assert_eq!(p.inside_count(), 0);
        assert_eq!(p.decision_counts(0), (1, 0), "still counted as an admit");
    }
}
