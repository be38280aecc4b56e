//! The venue office: every kiosk and the security office joined on one
//! PostgreSQL, while each kiosk keeps deciding on its own. The kiosk's
//! SQLite journal stays the authority for its decisions; the office is the
//! venue's shared record (every kiosk's chain, checked on arrival), the
//! channel for signed lists, and the judge of venue-wide anti-passback.
//! `docs/venue-network.md` has the design and the failure table.
//!
//! - [`connect`]: connection URIs, connection files, `.pgpass`.
//! - [`admin`]: `office init`, `add-kiosk`, `add-publisher`, publishing lists.
//! - [`link`]: the kiosk's side (pushing records, fetching lists, the
//!   passback check with its timeout).
//! - [`views`]: what the security office asks (status, inside, watch,
//!   export).

pub mod admin;
pub mod connect;
pub mod link;
pub mod views;
pub mod web;

/// The schema version this build creates and reads.
pub const OFFICE_SCHEMA_VERSION: i32 = 1;

/// Failures talking to the office.
#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    #[error("cannot reach the office database: {0}")]
    Connect(String),
    #[error("office database: {0}")]
    Db(String),
    #[error("the office database has venue schema version {found}; this badgegate knows up to {max}: upgrade badgegate")]
    TooNew { found: i32, max: i32 },
    #[error("the office database has no venue schema: run `badgegate office init --db URL` first")]
    NotInitialised,
    #[error("connection file {path}: {why}")]
    ConnectionFile { path: String, why: String },
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Journal(#[from] crate::journal::JournalError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl From<postgres::Error> for OfficeError {
    fn from(e: postgres::Error) -> OfficeError {
        // The server's own words where it said something.
        match e.as_db_error() {
            // Two admins at once (`init` twice, `add-kiosk` with one id
            // twice): the database kept one; say so in words.
            Some(db) if *db.code() == postgres::error::SqlState::UNIQUE_VIOLATION => {
                OfficeError::Refused(format!(
                    "another command did this at the same moment and the office kept its result ({}); run `badgegate office status` to see where things stand",
                    db.constraint().unwrap_or("one of a kind")
                ))
            }
            Some(db) if *db.code() == postgres::error::SqlState::QUERY_CANCELED => OfficeError::Db(
                format!("the office took too long and the statement was cancelled ({}); try again, and check the office PC's load and disk", db.message()),
            ),
            Some(db) => OfficeError::Db(db.message().to_owned()),
            None => OfficeError::Db(e.to_string()),
        }
    }
}
