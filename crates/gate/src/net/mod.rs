//! The kiosk's side of the venue office: connection URIs, files and
//! deadlines ([`connect`]), and the link that pushes records, takes signed
//! lists and asks the venue-wide passback question ([`link`]). The office
//! itself (schema, logins, views, dashboard) is the `badgegate-office`
//! crate, which uses these same rules.

pub mod connect;
pub mod link;

/// The schema version this build creates and reads.
pub const OFFICE_SCHEMA_VERSION: i32 = 1;

/// The columns of a venue record (`badgegate.records`) a kiosk sends and
/// the office reads back, in this order.
pub const RECORD_COLUMNS: [&str; 26] = [
    "kiosk_id",
    "seq",
    "at_ms",
    "kind",
    "gate",
    "zone",
    "direction",
    "serial",
    "holder",
    "org",
    "category",
    "key_id",
    "decision",
    "reason",
    "flagged",
    "authentic",
    "detail",
    "note",
    "input",
    "list_seq",
    "guard",
    "format",
    "signer",
    "prev_hash",
    "hash",
    "sig",
];

/// Failures talking to the office.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OfficeError {
    /// `why` is the useful part of `source`, said in the message; the
    /// driver's own error stays as the source.
    #[error("cannot reach the office database: {why}")]
    Connect {
        why: String,
        #[source]
        source: Option<postgres::Error>,
    },
    #[error("office database: {why}")]
    Db {
        why: String,
        #[source]
        source: Option<postgres::Error>,
    },
    #[error("the office database has venue schema version {found}; this badgegate knows up to {max}: upgrade badgegate")]
    TooNew { found: i32, max: i32 },
    #[error("the office database has no venue schema: run `badgegate office init --db URL` first")]
    NotInitialised,
    #[error("connection file {path}: {why}")]
    ConnectionFile { path: String, why: String },
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Journal(#[from] badgegate_core::journal::JournalError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl OfficeError {
    /// The office could not be reached, for a reason of our own words.
    pub fn connect(why: impl Into<String>) -> OfficeError {
        OfficeError::Connect {
            why: why.into(),
            source: None,
        }
    }

    /// The office's database said no, in our own words.
    pub fn db(why: impl Into<String>) -> OfficeError {
        OfficeError::Db {
            why: why.into(),
            source: None,
        }
    }
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
            Some(db) if *db.code() == postgres::error::SqlState::QUERY_CANCELED => {
                let why = format!("the office took too long and the statement was cancelled ({}); try again, and check the office PC's load and disk", db.message());
                OfficeError::Db { why, source: Some(e) }
            }
            Some(db) => OfficeError::Db {
                why: db.message().to_owned(),
                source: Some(e),
            },
            None => OfficeError::Db {
                why: e.to_string(),
                source: Some(e),
            },
        }
    }
}
