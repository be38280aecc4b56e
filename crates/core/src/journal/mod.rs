//! The entry journal: one SQLite file per kiosk, append-only and
//! hash-chained, durable before a decision is shown. `store` owns the
//! `Connection` (pragmas, appends, queries), `schema` its tables and
//! migrations, `record` what a record holds and how it is hashed, `chain`
//! the check of every kiosk's chain. Format in `docs/journal-format.md`.

#[cfg(feature = "host")]
use std::path::PathBuf;

#[cfg(feature = "host")]
mod chain;
mod record;
#[cfg(feature = "host")]
mod schema;
#[cfg(feature = "host")]
mod store;
#[cfg(feature = "host")]
mod watch;

#[cfg(feature = "host")]
pub use chain::{
    chain_break, verify_chain, verify_signatures, ChainHead, ChainProblem, ChainReport, KioskKeys,
    KioskSigning, SignatureCheck,
};
pub use record::{
    genesis_hash, record_hash, sign_record, signed_message, Entry, NewEntry, GENESIS_CONTEXT,
    HASH_CONTEXT, HASH_CONTEXT_V2, RECORD_FORMAT, SIGNATURE_CONTEXT,
};
#[cfg(feature = "host")]
pub use schema::{APPLICATION_ID, SCHEMA_VERSION};
#[cfg(feature = "host")]
pub use store::{snapshot, Journal, Presence};

/// Failures opening, writing or reading a journal.
#[cfg(feature = "host")]
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    #[error("cannot open journal {path}: {why}")]
    Open { path: PathBuf, why: String },
    #[error("{path} is not a badgegate journal")]
    NotAJournal { path: PathBuf },
    #[error("journal {path} has schema version {version}, newer than this badgegate ({max}); use a newer badgegate")]
    TooNew {
        path: PathBuf,
        version: i32,
        max: i32,
    },
    #[error("journal {path} belongs to kiosk {found:?}, not {given:?}; give a new journal file for this kiosk")]
    KioskIdMismatch {
        path: PathBuf,
        found: String,
        given: String,
    },
    #[error("journal {path}: {why}")]
    Sqlite { path: PathBuf, why: String },
    #[error(transparent)]
    InUse(#[from] crate::files::LockError),
    #[error("journal {path} was deleted or replaced while this kiosk was writing it ({why}); records are no longer kept: restore the file or start the kiosk again")]
    Vanished { path: PathBuf, why: String },
    #[error("journal {path} was opened for reading only")]
    ReadOnly { path: PathBuf },
}
