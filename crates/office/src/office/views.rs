//! What the security office asks the venue database: every kiosk's state,
//! who is inside, decisions as they arrive, and the whole record as a
//! journal file every `audit` command reads.

use std::path::Path;

use postgres::Client;
use serde::Serialize;

use super::admin::check_schema;
use super::OfficeError;
use badgegate_core::clock::VenueTime;
use badgegate_core::format::keys::PublicKey;
use badgegate_core::journal::{Entry, Journal, NewEntry};
use badgegate_core::vocab::{Direction, EntryDecision, EntryKind, EntryReason};

/// A kiosk further than this from the office's clock is flagged.
pub const CLOCK_TOLERANCE_MS: i64 = 5_000;
/// A kiosk not heard from for this long is offline.
pub const OFFLINE_AFTER_SECS: f64 = 10.0;

/// One kiosk as the office sees it.
#[derive(Clone, Debug, Serialize)]
pub struct KioskStatus {
    pub kiosk_id: String,
    pub gate: Option<String>,
    pub online: bool,
    /// The kiosk stopped on purpose (it said goodbye) and has not run
    /// since: not an outage.
    pub stopped: bool,
    /// Seconds since the kiosk was last heard from (`None`: never).
    pub silent_secs: Option<f64>,
    /// RFC 3339, UTC.
    pub last_contact: Option<String>,
    /// The same, Unix ms.
    pub last_contact_ms: Option<i64>,
    pub records: i64,
    /// The last record of the kiosk's chain the office holds.
    pub head_seq: i64,
    /// The kiosk's own last record, as it last said; the backlog is the
    /// difference.
    pub kiosk_head: Option<i64>,
    pub backlog: Option<i64>,
    pub lists_in_use: Option<String>,
    pub clock_offset_ms: Option<i64>,
    pub clock_off: bool,
    pub signed: bool,
    /// Alarms raised about this kiosk (refused records, passback
    /// conflicts, bad signatures).
    pub alarms: Vec<String>,
}

/// Every kiosk, stale ones first; and checks the signatures of records
/// that arrived since the last look (where the kiosk's key is enrolled),
/// raising an alarm for each bad one.
pub fn status(db: &mut Client, venue: &VenueTime) -> Result<Vec<KioskStatus>, OfficeError> {
    check_schema(db)?;
    verify_new_signatures(db)?;
    let open = open_alarms_condition(db)?;
    let stopped = stopped_expr(db)?;
    let rows = db.query(
        &format!("SELECT k.kiosk_id, k.gate, extract(epoch FROM now() - k.last_contact)::float8,
                (extract(epoch FROM k.last_contact) * 1000)::int8,
                (SELECT count(*) FROM badgegate.records r WHERE r.kiosk_id = k.kiosk_id),
                COALESCE((SELECT max(r.seq) FROM badgegate.records r WHERE r.kiosk_id = k.kiosk_id), 0),
                k.lists_in_use, k.clock_offset_ms, k.key_pub IS NOT NULL, k.kiosk_head,
                ARRAY(SELECT (extract(epoch FROM a.at) * 1000)::int8
                      FROM badgegate.alarms a WHERE a.kiosk_id = k.kiosk_id AND {open} ORDER BY a.id),
                ARRAY(SELECT a.kind || ': ' || a.detail
                      FROM badgegate.alarms a WHERE a.kiosk_id = k.kiosk_id AND {open} ORDER BY a.id),
                {stopped}
         FROM badgegate.kiosks k"),
        &[],
    )?;
    let mut out: Vec<KioskStatus> = rows
        .iter()
        .map(|r| {
            let silent: Option<f64> = r.get(2);
            let offset: Option<i64> = r.get(7);
            let head: i64 = r.get(5);
            let kiosk_head: Option<i64> = r.get(9);
            KioskStatus {
                kiosk_id: r.get(0),
                gate: r.get(1),
                online: silent.is_some_and(|s| s < OFFLINE_AFTER_SECS) && !r.get::<_, bool>(12),
                stopped: r.get(12),
                silent_secs: silent,
                last_contact: r.get::<_, Option<i64>>(3).map(|t| {
                    badgegate_core::clock::format_utc(u64::try_from(t / 1000).unwrap_or(0))
                }),
                last_contact_ms: r.get(3),
                records: r.get(4),
                head_seq: head,
                kiosk_head,
                backlog: kiosk_head.map(|k| (k - head).max(0)),
                lists_in_use: r.get(6),
                clock_offset_ms: offset,
                clock_off: offset.is_some_and(|o| o.abs() > CLOCK_TOLERANCE_MS),
                signed: r.get(8),
                alarms: alarm_lines(venue, r.get(10), r.get(11)),
            }
        })
        .collect();
    // Stale gates first: never heard from, then longest silent.
    out.sort_by(|a, b| {
        let key = |k: &KioskStatus| k.silent_secs.unwrap_or(f64::INFINITY);
        key(b)
            .partial_cmp(&key(a))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.kiosk_id.cmp(&b.kiosk_id))
    });
    Ok(out)
}

/// The SQL for "kiosk `k` said goodbye and has not run since" (false in a
/// venue database of an earlier build, before `office init`).
pub(crate) fn stopped_expr(db: &mut Client) -> Result<&'static str, OfficeError> {
    let has: bool = db
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns
                            WHERE table_schema = 'badgegate' AND table_name = 'kiosks'
                              AND column_name = 'stopped_at')",
            &[],
        )?
        .get(0);
    Ok(if has {
        "k.stopped_at IS NOT NULL"
    } else {
        "false"
    })
}

/// Alarms as lines: when (in venue time), kind, detail.
fn alarm_lines(venue: &VenueTime, at: Vec<i64>, said: Vec<String>) -> Vec<String> {
    at.into_iter()
        .zip(said)
        .map(|(t, s)| {
            format!(
                "{} {}",
                venue.at_ms(u64::try_from(t).unwrap_or(0)),
                venue.restamp(&s)
            )
        })
        .collect()
}

/// The office's own servers, as the one in charge sees them.
#[derive(Clone, Debug, Serialize)]
pub struct ClusterView {
    /// The server answering (address:port), and its timeline (it grows
    /// with each failover or switchover).
    pub server: String,
    pub timeline: i32,
    pub standbys: Vec<Standby>,
    /// The office had a standby once (so it should have one now).
    pub replicated: bool,
    /// The last failover or switchover the office noticed (Unix ms).
    pub failover_at_ms: Option<i64>,
}

/// A standby server streaming from the one in charge.
#[derive(Clone, Debug, Serialize)]
pub struct Standby {
    pub name: String,
    pub state: String,
    /// `sync`, `potential`, `quorum` or `async`.
    pub sync_state: String,
    pub replay_lag_ms: Option<i64>,
}

/// The office's servers; `None` for a lone server that never had a
/// standby (and an office database from before this view).
pub fn cluster(db: &mut Client) -> Result<Option<ClusterView>, OfficeError> {
    let exists: bool = db
        .query_one(
            "SELECT to_regprocedure('badgegate.cluster_state()') IS NOT NULL",
            &[],
        )?
        .get(0);
    if !exists {
        return Ok(None);
    }
    let rows = db.query("SELECT * FROM badgegate.cluster_state()", &[])?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let standbys: Vec<Standby> = rows
        .iter()
        .filter_map(|r| {
            Some(Standby {
                name: r.get::<_, Option<String>>(2)?,
                state: r.get::<_, Option<String>>(3).unwrap_or_default(),
                sync_state: r.get::<_, Option<String>>(4).unwrap_or_default(),
                replay_lag_ms: r.get(5),
            })
        })
        .collect();
    let meta = |db: &mut Client, key: &str| -> Result<Option<String>, OfficeError> {
        Ok(db
            .query_opt("SELECT value FROM badgegate.meta WHERE key = $1", &[&key])?
            .map(|r| r.get(0)))
    };
    let replicated = meta(db, "replicated")?.as_deref() == Some("yes");
    if standbys.is_empty() && !replicated {
        return Ok(None);
    }
    let failover_at_ms = match meta(db, "failover_at")? {
        Some(t) => db
            .query_one(
                "SELECT (extract(epoch FROM $1::text::timestamptz) * 1000)::int8",
                &[&t],
            )?
            .get(0),
        None => None,
    };
    Ok(Some(ClusterView {
        server: first.get(0),
        timeline: first.get(1),
        standbys,
        replicated,
        failover_at_ms,
    }))
}

/// Alarms not tied to a kiosk, and the count of all.
pub fn venue_alarms(db: &mut Client, venue: &VenueTime) -> Result<Vec<String>, OfficeError> {
    let open = open_alarms_condition(db)?;
    let rows = db.query(
        &format!(
            "SELECT (extract(epoch FROM a.at) * 1000)::int8, a.kind || ': ' || a.detail
         FROM badgegate.alarms a WHERE a.kiosk_id IS NULL AND {open} ORDER BY a.id"
        ),
        &[],
    )?;
    Ok(alarm_lines(
        venue,
        rows.iter().map(|r| r.get(0)).collect(),
        rows.iter().map(|r| r.get(1)).collect(),
    ))
}

/// The venue's time zone as its gates recorded it: the zone of the newest
/// venue policy a kiosk recorded taking up (a signed record of a signed
/// policy), if any.
pub fn recorded_venue_time(db: &mut Client) -> Result<Option<VenueTime>, OfficeError> {
    Ok(recorded_policy(db)?.and_then(|d| VenueTime::named_in_policy_record(&d)))
}

/// The detail of the newest `policy_accepted` record a kiosk sent: what
/// the gates recorded of the venue's signed policy (its name, its zone).
pub fn recorded_policy(db: &mut Client) -> Result<Option<String>, OfficeError> {
    check_schema(db)?;
    Ok(db
        .query_opt(
            "SELECT detail FROM badgegate.records WHERE kind = 'list' AND reason = 'policy_accepted'
             ORDER BY at_ms DESC LIMIT 1",
            &[],
        )?
        .map(|r| r.get(0)))
}

/// The SQL condition on alarm `a` for alarms still open: not acknowledged
/// on the dashboard (every alarm, in a venue database without the
/// dashboard's tables).
fn open_alarms_condition(db: &mut Client) -> Result<&'static str, OfficeError> {
    Ok(if super::admin::has_dashboard(db)? {
        "NOT EXISTS (SELECT 1 FROM badgegate.acks x WHERE x.subject = 'alarm:' || a.id)"
    } else {
        "true"
    })
}

/// Checks the signature of every record that arrived since the last check
/// from kiosks whose key is enrolled; a bad or missing one is an alarm.
pub(crate) fn verify_new_signatures(db: &mut Client) -> Result<(), OfficeError> {
    let kiosks = db.query(
        "SELECT k.kiosk_id, k.key_pub, k.verified_seq,
                COALESCE((SELECT max(r.seq) FROM badgegate.records r WHERE r.kiosk_id = k.kiosk_id), 0) AS head
         FROM badgegate.kiosks k WHERE k.key_pub IS NOT NULL",
        &[],
    )?;
    for k in kiosks {
        let (id, key_hex, from, to): (String, String, i64, i64) =
            (k.get(0), k.get(1), k.get(2), k.get(3));
        let Some(key) = badgegate_core::text::unhex(&key_hex).and_then(|b| PublicKey::from_raw(&b))
        else {
            continue;
        };
        let rows = db.query(
            "SELECT seq, hash, sig FROM badgegate.records WHERE kiosk_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq",
            &[&id, &from, &to],
        )?;
        let mut tx = db.transaction()?;
        for r in rows {
            let (seq, hash, sig): (i64, Vec<u8>, Option<Vec<u8>>) = (r.get(0), r.get(1), r.get(2));
            let hash: [u8; 32] = hash.try_into().unwrap_or([0; 32]);
            let good = sig
                .and_then(|s| <[u8; 64]>::try_from(s).ok())
                .is_some_and(|s| key.verify(&badgegate_core::journal::signed_message(&hash), &s));
            if !good {
                tx.execute(
                    "SELECT badgegate.raise_alarm($1, 'signature', $2)",
                    &[
                        &id,
                        &format!("record {seq} is not signed by this kiosk's enrolled key"),
                    ],
                )?;
            }
        }
        tx.execute(
            "UPDATE badgegate.kiosks SET verified_seq = $2 WHERE kiosk_id = $1",
            &[&id, &to],
        )?;
        tx.commit()?;
    }
    Ok(())
}

/// Someone inside a zone, venue-wide, with what the muster list must say
/// about them (the core's presence, `muster::Muster`, kept in SQL).
#[derive(Clone, Debug, Serialize)]
pub struct Inside {
    pub zone: String,
    pub serial: String,
    pub holder: Option<String>,
    pub org: Option<String>,
    pub category: Option<String>,
    pub gate: String,
    pub kiosk_id: String,
    pub since_ms: i64,
    /// Seconds since that gate's kiosk was last heard from: how fresh this
    /// line is.
    pub gate_silent_secs: Option<f64>,
    /// Admitted flagged: a check (an ID, a photo, a passback warning) is
    /// still owed.
    pub check_pending: bool,
    /// A gate has refused this badge as revoked: where and when (kiosk
    /// time, Unix ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked: Option<RevokedSeen>,
}

/// Where a gate refused a badge as revoked.
#[derive(Clone, Debug, Serialize)]
pub struct RevokedSeen {
    pub gate: String,
    pub kiosk_id: String,
    pub at_ms: i64,
}

impl Inside {
    /// The marks every muster list shows, in words (empty: none).
    pub fn marks(&self) -> Vec<&'static str> {
        badgegate_core::muster::marks(self.revoked.is_some(), self.check_pending)
    }
}

/// The live muster list: everyone the venue's record has inside (in
/// `zone`; matching `q` — an ILIKE pattern — in serial, name or
/// organisation), by zone then entry time. `office inside` and the
/// dashboard's muster page both list these rows.
pub fn inside(
    db: &mut Client,
    zone: Option<&str>,
    q: Option<&str>,
) -> Result<Vec<Inside>, OfficeError> {
    check_schema(db)?;
    // At the centre of a games: every venue's, from the centre's copies.
    if crate::office::central::is_the_centre(db)? {
        return crate::office::central::inside(db, zone, q);
    }
    // A venue database of an earlier build (before `office init` upgrades
    // it) has presence without its marks: listed as it is, unmarked.
    let marked: bool = db
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM badgegate.meta WHERE key = 'presence_version' AND value::int >= 2)",
            &[],
        )?
        .get(0);
    let (marks, revoked) = if marked {
        (
            "p.org, p.category, p.check_pending, v.gate AS revoked_gate, v.kiosk_id AS revoked_kiosk, v.at_ms AS revoked_at",
            "LEFT JOIN badgegate.revoked_seen v ON v.serial = p.serial",
        )
    } else {
        (
            "NULL::text AS org, NULL::text AS category, false AS check_pending, NULL::text AS revoked_gate,
             NULL::text AS revoked_kiosk, NULL::int8 AS revoked_at",
            "",
        )
    };
    let rows = db.query(
        &format!(
            "SELECT p.zone, p.serial, p.holder, p.gate, p.kiosk_id, p.at_ms,
                extract(epoch FROM now() - k.last_contact)::float8 AS silent, {marks}
         FROM badgegate.presence p
         LEFT JOIN badgegate.kiosks k ON k.kiosk_id = p.kiosk_id
         {revoked}
         WHERE p.inside AND ($1::text IS NULL OR p.zone = $1)
           AND ($2::text IS NULL OR p.serial ILIKE $2 OR p.holder ILIKE $2 OR {org} ILIKE $2)
         ORDER BY p.zone, p.at_ms, p.kiosk_id, p.seq",
            org = if marked { "p.org" } else { "NULL::text" }
        ),
        &[&zone, &q],
    )?;
    Ok(rows
        .iter()
        .map(|r| Inside {
            zone: r.get("zone"),
            serial: r.get("serial"),
            holder: r.get("holder"),
            org: r.get("org"),
            category: r.get("category"),
            gate: r.get("gate"),
            kiosk_id: r.get("kiosk_id"),
            since_ms: r.get("at_ms"),
            gate_silent_secs: r.get("silent"),
            check_pending: r.get("check_pending"),
            revoked: r
                .get::<_, Option<String>>("revoked_gate")
                .map(|gate| RevokedSeen {
                    gate,
                    kiosk_id: r.get("revoked_kiosk"),
                    at_ms: r.get("revoked_at"),
                }),
        })
        .collect())
}

/// The columns of a record ([`row_to_entry`] reads them by name): the
/// kiosk's list, `net::RECORD_COLUMNS`, written out for `format!`.
pub(crate) const RECORD_COLUMNS: &str = "kiosk_id, seq, at_ms, kind, gate, zone, direction, serial, holder, org, \
    category, key_id, decision, reason, flagged, authentic, detail, note, input, list_seq, guard, format, \
    signer, prev_hash, hash, sig";

/// A venue record as a journal entry (what the kiosk's own file holds).
pub(crate) fn row_to_entry(r: &postgres::Row) -> Result<Entry, OfficeError> {
    let bad = |what: &str| OfficeError::db(format!("a record holds an unknown {what}"));
    let kind: String = r.get("kind");
    let direction: String = r.get("direction");
    let decision: String = r.get("decision");
    let reason: String = r.get("reason");
    let seq: i64 = r.get("seq");
    let at: i64 = r.get("at_ms");
    let list_seq: Option<i64> = r.get("list_seq");
    let format: i16 = r.get("format");
    let prev: Vec<u8> = r.get("prev_hash");
    let hash: Vec<u8> = r.get("hash");
    let sig: Option<Vec<u8>> = r.get("sig");
    Ok(Entry {
        id: 0,
        kiosk_id: r.get("kiosk_id"),
        seq: u64::try_from(seq).unwrap_or(0),
        body: NewEntry {
            at_ms: u64::try_from(at).unwrap_or(0),
            kind: EntryKind::from_code(&kind).ok_or_else(|| bad("kind"))?,
            gate: r.get("gate"),
            zone: r.get("zone"),
            direction: Direction::from_code(&direction).ok_or_else(|| bad("direction"))?,
            serial: r.get("serial"),
            holder: r.get("holder"),
            org: r.get("org"),
            category: r.get("category"),
            key_id: r.get("key_id"),
            decision: EntryDecision::from_code(&decision).ok_or_else(|| bad("decision"))?,
            reason: EntryReason::from_code(&reason).ok_or_else(|| bad("reason"))?,
            flagged: r.get("flagged"),
            authentic: r.get("authentic"),
            detail: r.get("detail"),
            note: r.get("note"),
            input: r.get("input"),
            list_seq: list_seq.map(|s| u64::try_from(s).unwrap_or(0)),
            guard: r.get("guard"),
        },
        prev_hash: prev.try_into().map_err(|_| bad("hash length"))?,
        hash: hash.try_into().map_err(|_| bad("hash length"))?,
        format: u8::try_from(format).unwrap_or(0),
        signer: r.get("signer"),
        sig: sig
            .map(|s| s.try_into())
            .transpose()
            .map_err(|_| bad("signature length"))?,
    })
}

/// The `limit` records the office received last, oldest first, each with
/// when it was received (RFC 3339, UTC): where `watch` and the live page
/// start.
pub fn newest(db: &mut Client, limit: i64) -> Result<Vec<(Entry, String)>, OfficeError> {
    let rows = db.query(
        &format!(
            "SELECT {RECORD_COLUMNS}, to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')
             FROM badgegate.records ORDER BY received_at DESC, kiosk_id, seq DESC LIMIT $1"
        ),
        &[&limit],
    )?;
    let mut out = rows
        .iter()
        .map(|r| Ok((row_to_entry(r)?, r.get::<_, String>(26))))
        .collect::<Result<Vec<_>, OfficeError>>()?;
    out.reverse();
    Ok(out)
}

/// Writes every venue record into the journal file `out` (created, or
/// merged into), each kiosk's chain whole: the same as `audit merge` of the
/// kiosks' own files. Returns (records added, already present, refused).
pub fn export(
    db: &mut Client,
    out: &Path,
) -> Result<badgegate_audit::audit::merge::MergeReport, OfficeError> {
    check_schema(db)?;
    let mut target = Journal::open(out, None, "venue-office")?;
    let mut merger = badgegate_audit::audit::merge::merger(&target).map_err(audit_err)?;
    let mut tx = db.transaction()?;
    tx.batch_execute(&format!(
        "DECLARE venue NO SCROLL CURSOR FOR SELECT {RECORD_COLUMNS} FROM badgegate.records ORDER BY kiosk_id, seq"
    ))?;
    loop {
        let rows = tx.query("FETCH 10000 FROM venue", &[])?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            merger
                .take(row_to_entry(r)?, &mut target)
                .map_err(audit_err)?;
        }
    }
    tx.commit()?;
    merger.finish(&mut target).map_err(audit_err)
}

fn audit_err(e: badgegate_audit::audit::AuditError) -> OfficeError {
    OfficeError::Refused(e.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_office_reads_the_columns_the_kiosk_sends() {
        assert_eq!(
            super::RECORD_COLUMNS,
            badgegate_gate::net::RECORD_COLUMNS.join(", ")
        );
    }
}
