//! Many venues, one accreditation centre (docs/multi-venue.md): each
//! venue's office database and a central one, joined by PostgreSQL's own
//! logical replication, one direction per table so nothing loops:
//!
//! - venue → centre: `badgegate.kiosks` and `badgegate.records` (publication
//!   `badgegate_up` on each venue, a subscription `badgegate_from_VENUE` on
//!   the centre). Kiosk ids are unique across venues: a venue office named
//!   with `office init --venue V` enrols only kiosks `V-…`.
//! - centre → venues: `badgegate.lists` (publication `badgegate_down` on the
//!   centre, a subscription `badgegate_from_centre` on each venue): key
//!   lists, revocation lists and policies published once at the centre
//!   reach every venue, and every running gate from there. A venue keeps
//!   its own lists while cut off, and catches up by itself. With them,
//!   `badgegate.photos` rows for that venue (or every venue) only
//!   (publication `badgegate_photos_VENUE`, filtered by row).
//!
//! The centre is an office database like any other (`office init`) that
//! kiosks do not log into; its records are copies, checked when they were
//! first stored at their venue.

use std::time::Duration;

use postgres::Client;

use badgegate_core::format::keylist::is_valid_venue;
use badgegate_core::muster::Muster;

use crate::office::admin::{self, random_password};
use crate::office::views::{row_to_entry, Inside, RevokedSeen, RECORD_COLUMNS};
use crate::office::OfficeError;

/// The publication of each venue's records and kiosks.
pub const UP: &str = "badgegate_up";
/// The publication of the centre's lists.
pub const DOWN: &str = "badgegate_down";
/// The role the centre's subscriptions log into each venue with.
const CENTRE_ROLE: &str = "badgegate_centre";

fn refused(why: impl Into<String>) -> OfficeError {
    OfficeError::Refused(why.into())
}

/// Names this office database's venue: `meta.venue`, the venue column of
/// its kiosks, and the rule that its kiosk ids start with `VENUE-`. A venue
/// is named once.
pub fn name_venue(db: &mut Client, venue: &str) -> Result<(), OfficeError> {
    if !is_valid_venue(venue) {
        return Err(refused(format!(
            "--venue {venue:?}: a venue code is 1 to 24 characters of a-z 0-9 _ - (as the key list names it)"
        )));
    }
    let mut tx = db.transaction()?;
    let named: Option<String> = tx
        .query_opt("SELECT value FROM badgegate.meta WHERE key = 'venue'", &[])?
        .map(|r| r.get(0));
    match named {
        Some(v) if v == venue => return Ok(()),
        Some(v) => {
            return Err(refused(format!(
                "this office database is venue {v}; a venue keeps its name (its kiosks' ids start with it)"
            )))
        }
        None => {}
    }
    let strays: Vec<String> = tx
        .query(
            "SELECT kiosk_id FROM badgegate.kiosks WHERE kiosk_id NOT LIKE $1 || '-%' ORDER BY 1",
            &[&venue],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    if !strays.is_empty() {
        return Err(refused(format!(
            "kiosk(s) {} are enrolled without the venue's prefix {venue}-: kiosk ids must be unique across venues; name the venue before enrolling kiosks",
            strays.join(", ")
        )));
    }
    tx.execute(
        "INSERT INTO badgegate.meta (key, value) VALUES ('venue', $1)",
        &[&venue],
    )?;
    tx.batch_execute(&format!(
        "ALTER TABLE badgegate.kiosks ALTER COLUMN venue SET DEFAULT '{venue}';
         UPDATE badgegate.kiosks SET venue = '{venue}' WHERE venue IS NULL;"
    ))?;
    tx.commit()?;
    Ok(())
}

/// The venue this office database is, if named.
pub fn venue_of(db: &mut Client) -> Result<Option<String>, OfficeError> {
    Ok(db
        .query_opt("SELECT value FROM badgegate.meta WHERE key = 'venue'", &[])?
        .map(|r| r.get(0)))
}

/// Makes a database the accreditation centre: the office schema, marked as
/// the centre, and the publication of its lists.
pub fn init(db: &mut Client) -> Result<(), OfficeError> {
    admin::init(db)?;
    if let Some(v) = venue_of(db)? {
        return Err(refused(format!(
            "this database is venue {v}'s office; the centre is a database of its own"
        )));
    }
    db.batch_execute(
        "INSERT INTO badgegate.meta (key, value) VALUES ('centre', 'yes') ON CONFLICT (key) DO NOTHING;
         CREATE TABLE IF NOT EXISTS badgegate.venues (
             venue    text PRIMARY KEY,
             added_at timestamptz NOT NULL DEFAULT now()
         );",
    )?;
    let published: bool = db
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = $1)",
            &[&DOWN],
        )?
        .get(0);
    if !published {
        db.batch_execute(&format!(
            "CREATE PUBLICATION {DOWN} FOR TABLE badgegate.lists"
        ))?;
    }
    Ok(())
}

fn is_centre(db: &mut Client) -> Result<bool, OfficeError> {
    Ok(db
        .query_opt("SELECT 1 FROM badgegate.meta WHERE key = 'centre'", &[])
        .ok()
        .flatten()
        .is_some())
}

/// A replication login on `db`'s server: created, or given a new password.
fn replication_login(db: &mut Client, role: &str, tables: &str) -> Result<String, OfficeError> {
    let password = random_password();
    let exists: bool = db
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
            &[&role],
        )?
        .get(0);
    let verb = if exists { "ALTER" } else { "CREATE" };
    // BYPASSRLS: the first copy of a table is a SELECT by this login, and
    // row-level security (the venue's records admit only each kiosk's own
    // inserts) would otherwise hide every row already there.
    db.batch_execute(&format!(
        "{verb} ROLE {role} LOGIN REPLICATION BYPASSRLS PASSWORD '{password}';
         GRANT USAGE ON SCHEMA badgegate TO {role};
         GRANT SELECT ON {tables} TO {role};"
    ))?;
    Ok(password)
}

/// A libpq key/value connection string to the server of `url` as `login`
/// (what a subscription on the other server connects with).
fn conninfo(url: &str, login: &str, password: &str) -> Result<String, OfficeError> {
    let cfg = crate::office::connect::config(url)?;
    let host = cfg
        .get_hosts()
        .first()
        .map(|h| match h {
            postgres::config::Host::Tcp(h) => h.clone(),
            postgres::config::Host::Unix(p) => p.display().to_string(),
        })
        .ok_or_else(|| refused("the database URL names no host"))?;
    let port = cfg.get_ports().first().copied().unwrap_or(5432);
    let dbname = cfg.get_dbname().unwrap_or("postgres");
    let quote = |s: &str| format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"));
    Ok(format!(
        "host={} port={port} dbname={} user={} password={}",
        quote(&host),
        quote(dbname),
        quote(login),
        quote(password)
    ))
}

/// Joins a venue's office to the centre: the venue publishes its kiosks
/// and records, the centre subscribes; the centre's lists are subscribed
/// to by the venue (its list triggers fire for replicated rows too, so
/// gates hear of them at once). Both databases are reached with admin
/// (superuser) logins, and each server with the host and port of its URL.
pub fn add_venue(
    centre: &mut Client,
    centre_url: &str,
    venue_db: &mut Client,
    venue_url: &str,
) -> Result<String, OfficeError> {
    if !is_centre(centre)? {
        return Err(refused(
            "the --db database is not the centre: run `central init` on it first",
        ));
    }
    let Some(venue) = venue_of(venue_db)? else {
        return Err(refused(
            "the venue's office is not named: run `office init --venue NAME` on it first",
        ));
    };
    let already: bool = centre
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM badgegate.venues WHERE venue = $1)",
            &[&venue],
        )?
        .get(0);
    if already {
        return Err(refused(format!(
            "venue {venue} is already joined to the centre"
        )));
    }
    // Each venue takes one apply worker at the centre for good, and up to
    // two more while its tables are first copied: a centre short of
    // workers would leave a venue silently unreplicated.
    let workers: i64 = centre
        .query_one(
            "SELECT current_setting('max_logical_replication_workers')::int8",
            &[],
        )?
        .get(0);
    let subscriptions: i64 = centre
        .query_one("SELECT count(*) FROM pg_subscription", &[])?
        .get(0);
    if subscriptions + 3 > workers {
        return Err(refused(format!(
            "the centre's server allows {workers} logical replication workers and has {subscriptions} venue(s): set max_logical_replication_workers to at least {} (and max_worker_processes above it) in its postgresql.conf and restart it",
            subscriptions + 3
        )));
    }
    // The venue publishes its records and kiosks to the centre.
    let up_password =
        replication_login(venue_db, CENTRE_ROLE, "badgegate.kiosks, badgegate.records")?;
    let up: bool = venue_db
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = $1)",
            &[&UP],
        )?
        .get(0);
    if !up {
        venue_db.batch_execute(&format!(
            "CREATE PUBLICATION {UP} FOR TABLE badgegate.kiosks, badgegate.records"
        ))?;
    }
    // Lists that arrive by replication are checked and announced as if
    // published at the venue.
    venue_db.batch_execute(
        "ALTER TABLE badgegate.lists ENABLE ALWAYS TRIGGER lists_arrive;
         ALTER TABLE badgegate.lists ENABLE ALWAYS TRIGGER lists_published;
         ALTER TABLE badgegate.photos ENABLE ALWAYS TRIGGER photos_arrive;",
    )?;
    // The photos of badges for this venue (or every venue) only.
    let photos_pub = format!("badgegate_photos_{}", venue.replace('-', "_"));
    let has_photos: bool = centre
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = $1)",
            &[&photos_pub],
        )?
        .get(0);
    if !has_photos {
        centre.batch_execute(&format!(
            "CREATE PUBLICATION {photos_pub} FOR TABLE badgegate.photos
             WHERE ('{venue}' = ANY (venues) OR '*' = ANY (venues))"
        ))?;
    }
    let down_role = format!("badgegate_venue_{}", venue.replace('-', "_"));
    let down_password = replication_login(centre, &down_role, "badgegate.lists, badgegate.photos")?;
    let sub_up = format!("badgegate_from_{}", venue.replace('-', "_"));
    centre.batch_execute(&format!(
        "CREATE SUBSCRIPTION {sub_up} CONNECTION {} PUBLICATION {UP}",
        sql_literal(&conninfo(venue_url, CENTRE_ROLE, &up_password)?)
    ))?;
    // Its slot on the centre's server is named for the venue: every
    // venue's subscription has a slot there.
    let joined = venue_db.batch_execute(&format!(
        "CREATE SUBSCRIPTION badgegate_from_centre CONNECTION {} PUBLICATION {DOWN}, {photos_pub}
         WITH (slot_name = 'badgegate_to_{}')",
        sql_literal(&conninfo(centre_url, &down_role, &down_password)?),
        venue.replace('-', "_")
    ));
    if let Err(e) = joined {
        // Undone, so that the venue can be added again.
        let _ = centre.batch_execute(&format!("DROP SUBSCRIPTION IF EXISTS {sub_up}"));
        return Err(e.into());
    }
    centre.execute(
        "INSERT INTO badgegate.venues (venue) VALUES ($1)",
        &[&venue],
    )?;
    Ok(venue)
}

fn sql_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// One venue as the centre sees it.
#[derive(Clone, Debug)]
pub struct VenueStatus {
    pub venue: String,
    /// The centre's subscription to the venue is running (its worker is
    /// connected).
    pub connected: bool,
    /// Seconds since the centre last heard from the venue's server.
    pub last_contact_secs: Option<f64>,
    /// How long the venue's last message took to arrive, ms (sent to
    /// received, by the two servers' clocks): the replication lag.
    pub lag_ms: Option<f64>,
    pub kiosks: i64,
    pub records: i64,
    /// The newest record's time (Unix ms, the kiosk's clock).
    pub newest_record_ms: Option<i64>,
}

/// Each venue joined to the centre: whether its replication is connected,
/// when the centre last heard from it, its kiosks and records.
pub fn status(centre: &mut Client) -> Result<Vec<VenueStatus>, OfficeError> {
    if !is_centre(centre)? {
        return Err(refused(
            "this database is not the centre: give the centre's --db (`central init` made it)",
        ));
    }
    let rows = centre.query(
        "SELECT v.venue,
                st.pid IS NOT NULL,
                extract(epoch FROM now() - st.last_msg_receipt_time)::float8,
                (extract(epoch FROM st.last_msg_receipt_time - st.last_msg_send_time) * 1000)::float8,
                (SELECT count(*) FROM badgegate.kiosks k WHERE k.venue = v.venue),
                (SELECT count(*) FROM badgegate.records r JOIN badgegate.kiosks k USING (kiosk_id)
                  WHERE k.venue = v.venue),
                (SELECT max(r.at_ms) FROM badgegate.records r JOIN badgegate.kiosks k USING (kiosk_id)
                  WHERE k.venue = v.venue)
         FROM badgegate.venues v
         LEFT JOIN pg_subscription s ON s.subname = 'badgegate_from_' || replace(v.venue, '-', '_')
         LEFT JOIN pg_stat_subscription st ON st.subid = s.oid AND st.relid IS NULL
         ORDER BY v.venue",
        &[],
    )?;
    Ok(rows
        .iter()
        .map(|r| VenueStatus {
            venue: r.get(0),
            connected: r.get::<_, Option<bool>>(1).unwrap_or(false),
            last_contact_secs: r.get(2),
            lag_ms: r.get(3),
            kiosks: r.get(4),
            records: r.get(5),
            newest_record_ms: r.get(6),
        })
        .collect())
}

/// Who is inside, every venue, by the core's rule (`muster::Muster`, the
/// rule each venue's office applies), folded per venue from the centre's
/// copies of the records in the order their venue stored them. Zones are
/// named `VENUE/ZONE`. `zone` keeps one zone (`VENUE/ZONE`) or one venue
/// (`VENUE`); `q` is an ILIKE pattern on serial, name or organisation, as
/// [`crate::office::views::inside`] takes it (which calls this at the
/// centre: `office inside` and the dashboard's muster list there show
/// these rows).
pub fn inside(
    centre: &mut Client,
    zone: Option<&str>,
    q: Option<&str>,
) -> Result<Vec<Inside>, OfficeError> {
    let mut musters: std::collections::BTreeMap<String, Muster> = Default::default();
    let mut silent: std::collections::HashMap<String, Option<f64>> = Default::default();
    for r in centre.query(
        "SELECT kiosk_id, coalesce(venue, ''), coalesce(clock_offset_ms, 0),
                extract(epoch FROM now() - last_contact)::float8
         FROM badgegate.kiosks",
        &[],
    )? {
        let (kiosk, venue, offset): (String, String, i64) = (r.get(0), r.get(1), r.get(2));
        musters
            .entry(venue)
            .or_default()
            .set_clock_offset(&kiosk, offset);
        silent.insert(kiosk, r.get(3));
    }
    let mut tx = centre.transaction()?;
    tx.batch_execute(&format!(
        "DECLARE everyone NO SCROLL CURSOR FOR
         SELECT {cols}, coalesce(k.venue, '') FROM badgegate.records r
         JOIN badgegate.kiosks k USING (kiosk_id)
         ORDER BY r.received_at, r.kiosk_id, r.seq",
        cols = RECORD_COLUMNS
            .split(", ")
            .map(|c| format!("r.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    ))?;
    loop {
        let rows = tx.query("FETCH 10000 FROM everyone", &[])?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let venue: String = r.get(r.len() - 1);
            let e = row_to_entry(r)?;
            musters
                .entry(venue)
                .or_default()
                .take(&e.kiosk_id, e.seq, &e.body);
        }
    }
    tx.commit()?;
    let wanted = q.map(ilike_text);
    let mut out = Vec::new();
    for (venue, m) in &musters {
        for p in m.inside() {
            let st = p.stay;
            let zone_name = format!("{venue}/{}", st.zone);
            if zone.is_some_and(|z| z != zone_name && z != venue) {
                continue;
            }
            if let Some(w) = &wanted {
                let hit = [Some(&st.serial), st.holder.as_ref(), st.org.as_ref()]
                    .iter()
                    .flatten()
                    .any(|t| t.to_lowercase().contains(w.as_str()));
                if !hit {
                    continue;
                }
            }
            out.push(Inside {
                zone: zone_name,
                serial: st.serial.clone(),
                holder: st.holder.clone(),
                org: st.org.clone(),
                category: st.category.clone(),
                gate: st.gate.clone(),
                kiosk_id: st.kiosk_id.clone(),
                since_ms: st.at_ms as i64,
                gate_silent_secs: silent.get(&st.kiosk_id).copied().flatten(),
                check_pending: st.check_pending,
                revoked: p.revoked.map(|v| RevokedSeen {
                    gate: v.gate.clone(),
                    kiosk_id: v.kiosk_id.clone(),
                    at_ms: v.at_ms as i64,
                }),
            });
        }
    }
    out.sort_by(|a, b| (&a.zone, a.since_ms, &a.kiosk_id).cmp(&(&b.zone, b.since_ms, &b.kiosk_id)));
    Ok(out)
}

/// The text an ILIKE pattern (as `like_pattern` makes it: `%text%`, with
/// `%`, `_` and `\` escaped) looks for, lowercased.
fn ilike_text(pattern: &str) -> String {
    let inner = pattern.strip_prefix('%').unwrap_or(pattern);
    let inner = inner.strip_suffix('%').unwrap_or(inner);
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.extend(chars.next());
        } else {
            out.push(c);
        }
    }
    out.to_lowercase()
}

/// True if this office database is the centre.
pub fn is_the_centre(db: &mut Client) -> Result<bool, OfficeError> {
    is_centre(db)
}

/// How long `central` waits for a database.
pub const CONNECT_WAIT: Duration = Duration::from_secs(10);
