//! What the dashboard's pages ask the venue database. Each page is a few
//! queries, each answered from an index: gates from the kiosks table, the
//! alarms from the alarms table and the records that are alarms (a partial
//! index), a badge's story by serial, the muster list from presence.

use std::collections::HashMap;

use postgres::Client;
use serde::Serialize;

use crate::office::views::{row_to_entry, CLOCK_TOLERANCE_MS, OFFLINE_AFTER_SECS, RECORD_COLUMNS};
use crate::office::OfficeError;
use badgegate_audit::audit::alarms::{kind_of, AlarmKind};
use badgegate_core::journal::Entry;
use badgegate_core::vocab::{Direction, OfficeAlarm};

use super::words::DashWords;
use super::WebClock;

/// The SQL condition of the records that are alarms the dashboard lists:
/// the core's rule as office init writes it (`badgegate.alarming`), the
/// predicate of its partial index.
const ALARMING: &str = "badgegate.alarming(kind, reason, flagged)";

/// How many alarms and records a page shows at most.
pub const PAGE_ROWS: i64 = 500;

/// How a gate stands, worst first (the tiles' order and colour).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GateState {
    Offline,
    NeverSeen,
    Trouble,
    /// Stopped on purpose (the kiosk said goodbye): not an outage.
    Stopped,
    Online,
}

impl GateState {
    /// The state in the pages' words.
    pub fn words_in(self, w: &DashWords) -> &'static str {
        match self {
            GateState::Offline => w.offline,
            GateState::NeverSeen => w.never_seen,
            GateState::Trouble => w.trouble,
            GateState::Stopped => w.stopped,
            GateState::Online => w.online,
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            GateState::Offline => "OFFLINE",
            GateState::NeverSeen => "NEVER SEEN",
            GateState::Trouble => "ONLINE, TROUBLE",
            GateState::Stopped => "STOPPED",
            GateState::Online => "ONLINE",
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            GateState::Offline => "offline",
            GateState::NeverSeen => "never",
            GateState::Trouble => "trouble",
            GateState::Stopped => "stopped",
            GateState::Online => "online",
        }
    }
}

/// One gate's tile.
#[derive(Clone, Debug, Serialize)]
pub struct GateTile {
    pub kiosk_id: String,
    /// The venue the kiosk belongs to (at the centre of a games; empty at
    /// a venue's own office).
    pub venue: String,
    pub gate: String,
    pub state: GateState,
    /// `since 14:03:07` for an offline gate, `last seen …` otherwise.
    pub since: String,
    pub silent_secs: Option<f64>,
    pub last_contact_ms: Option<i64>,
    pub records: i64,
    pub backlog: Option<i64>,
    pub lists: String,
    pub clock: String,
    pub signed: bool,
    /// What is wrong, in words.
    pub troubles: Vec<String>,
    /// The last decision: time, decision, reason, name.
    pub last: Option<String>,
    pub last_decision: String,
}

/// A signed list the office holds (the newest of each kind and key).
#[derive(Clone, Debug, Serialize)]
pub struct ListInfo {
    pub kind: String,
    pub key_id: String,
    pub sequence: i64,
    pub published: String,
    pub age: String,
    pub published_by: String,
    /// A revocation list signed longer ago than the venue's freeze bound:
    /// gates cannot tell a frozen feed from a quiet desk (re-sign it).
    pub stale: Option<String>,
}

/// A line's value in a list's header (`issued-at`), as its body says;
/// the first 20 lines are looked at.
fn header_value<'a>(body: &'a str, key: &str) -> Option<&'a str> {
    body.lines()
        .take(20)
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(": "))
}

/// The newest list of each kind and key, each revocation list checked
/// against the freeze bound of the newest venue policy the office holds
/// (its `lists-max-age`, else the kiosks' default).
pub fn lists(db: &mut Client, clock: &WebClock) -> Result<Vec<ListInfo>, OfficeError> {
    let rows = db.query(
        "SELECT DISTINCT ON (kind, key_id) kind, key_id, sequence,
                (extract(epoch FROM published_at) * 1000)::int8, published_by,
                CASE WHEN kind = 'policy' THEN body ELSE left(body, 2000) END
         FROM badgegate.lists ORDER BY kind, key_id, sequence DESC",
        &[],
    )?;
    // The policy as its newest row says (shown, not trusted: the gates
    // verify what they take).
    let policy = rows
        .iter()
        .filter(|r| r.get::<_, String>(0) == "policy")
        .max_by_key(|r| r.get::<_, i64>(2))
        .and_then(|r| {
            badgegate_core::format::policy::VenuePolicy::parse(&r.get::<_, String>(5)).ok()
        })
        .map(|(p, _)| p.body);
    let bound = badgegate_gate::gate::venue::lists_max_age_secs(
        policy.as_ref(),
        badgegate_screen::screen::DEFAULT_REVOCATION_MAX_AGE_HOURS * 3600,
    );
    let now = badgegate_core::clock::now();
    Ok(rows
        .iter()
        .map(|r| {
            let at: i64 = r.get(3);
            let kind: String = r.get(0);
            let body: String = r.get(5);
            let signed = header_value(&body, "issued-at").and_then(badgegate_core::clock::parse_utc_z);
            let stale = signed
                .filter(|t| kind == "revocations" && now.saturating_sub(*t) > bound)
                .map(|t| {
                    format!(
                        "signed {} ago, past the venue's {} bound: gates cannot tell a frozen feed from a quiet desk; re-sign it (revoke --sync --office)",
                        badgegate_core::clock::format_span(now.saturating_sub(t)),
                        badgegate_core::clock::format_span(bound)
                    )
                });
            ListInfo {
                kind,
                key_id: r.get(1),
                sequence: r.get(2),
                published: clock.when(at),
                age: clock.ago(at),
                published_by: r.get(4),
                stale,
            }
        })
        .collect())
}

/// The sequences a kiosk said it holds (`revocations KEY #3, policy KEY #1`).
fn lists_held(said: &str) -> HashMap<(String, String), i64> {
    said.split(", ")
        .filter_map(|part| {
            let mut w = part.split(' ');
            let (kind, key, seq) = (w.next()?, w.next()?, w.next()?);
            Some((
                (kind.to_owned(), key.to_owned()),
                seq.strip_prefix('#')?.parse().ok()?,
            ))
        })
        .collect()
}

/// Every gate, worst first, with what is wrong with each.
pub fn gates(
    db: &mut Client,
    clock: &WebClock,
    lists: &[ListInfo],
) -> Result<Vec<GateTile>, OfficeError> {
    let stopped = crate::office::views::stopped_expr(db)?;
    let rows = db.query(
        &format!("SELECT k.kiosk_id, COALESCE(k.gate, ''), extract(epoch FROM now() - k.last_contact)::float8,
                (extract(epoch FROM k.last_contact) * 1000)::int8, COALESCE(h.seq, 0), k.kiosk_head,
                COALESCE(k.lists_in_use, ''), k.clock_offset_ms, k.key_pub IS NOT NULL,
                d.at_ms, d.decision, d.reason, d.holder, d.org, d.serial, d.authentic,
                (SELECT count(*) FROM badgegate.alarms a WHERE a.kiosk_id = k.kiosk_id AND a.kind <> 'offline'
                    AND NOT EXISTS (SELECT 1 FROM badgegate.acks x WHERE x.subject = 'alarm:' || a.id)),
                {stopped}, COALESCE(k.venue, '')
         FROM badgegate.kiosks k
         LEFT JOIN LATERAL (SELECT max(r.seq) AS seq FROM badgegate.records r WHERE r.kiosk_id = k.kiosk_id) h ON true
         LEFT JOIN LATERAL (SELECT r.at_ms, r.decision, r.reason, r.holder, r.org, r.serial, r.authentic FROM badgegate.records r
                            WHERE r.kiosk_id = k.kiosk_id AND r.kind IN ('decision', 'override', 'confirm')
                            ORDER BY r.seq DESC LIMIT 1) d ON true"),
        &[],
    )?;
    let newest: HashMap<(String, String), i64> = lists
        .iter()
        .map(|l| ((l.kind.clone(), l.key_id.clone()), l.sequence))
        .collect();
    let mut out: Vec<GateTile> = rows
        .iter()
        .map(|r| {
            let silent: Option<f64> = r.get(2);
            let contact: Option<i64> = r.get(3);
            let head: i64 = r.get(4);
            let kiosk_head: Option<i64> = r.get(5);
            let said: String = r.get(6);
            let offset: Option<i64> = r.get(7);
            let unacked: i64 = r.get(16);
            let w = clock.words();
            let mut troubles = Vec::new();
            let backlog = kiosk_head.map(|k| (k - head).max(0));
            if let Some(b) = backlog.filter(|b| *b > 0) {
                troubles.push(DashWords::fill(w.not_at_office, &[("n", &b.to_string())]));
            }
            if offset.is_some_and(|o| o.abs() > CLOCK_TOLERANCE_MS) {
                troubles.push(w.clock_off.to_owned());
            }
            let held = lists_held(&said);
            for l in lists.iter().filter(|l| l.stale.is_some()) {
                if held.contains_key(&(l.kind.clone(), l.key_id.clone())) {
                    troubles.push(format!(
                        "{} list #{} {}",
                        l.kind,
                        l.sequence,
                        l.stale.as_deref().unwrap_or_default()
                    ));
                }
            }
            for ((kind, key), seq) in &newest {
                match held.get(&(kind.clone(), key.clone())) {
                    Some(h) if h >= seq => {}
                    Some(h) => troubles.push(DashWords::fill(
                        w.behind_office,
                        &[
                            ("kind", kind),
                            ("held", &h.to_string()),
                            ("newest", &seq.to_string()),
                        ],
                    )),
                    None if contact.is_some() => troubles.push(DashWords::fill(
                        w.no_list_of_key,
                        &[("kind", kind), ("key", key)],
                    )),
                    None => {}
                }
            }
            if unacked > 0 {
                troubles.push(DashWords::fill(
                    w.unacked_alarms,
                    &[("n", &unacked.to_string())],
                ));
            }
            let stopped: bool = r.get(17);
            let state = match silent {
                Some(_) if stopped => GateState::Stopped,
                None => GateState::NeverSeen,
                Some(s) if s >= OFFLINE_AFTER_SECS => GateState::Offline,
                Some(_) if !troubles.is_empty() => GateState::Trouble,
                Some(_) => GateState::Online,
            };
            let since = match (state, contact) {
                (GateState::Offline, Some(at)) => DashWords::fill(
                    w.since_ago,
                    &[("when", &clock.when(at)), ("ago", &clock.ago(at))],
                ),
                (GateState::NeverSeen, _) => w.no_contact.to_owned(),
                (GateState::Stopped, Some(at)) => {
                    DashWords::fill(w.stopped_at, &[("when", &clock.when(at))])
                }
                (_, Some(at)) => DashWords::fill(w.last_contact, &[("when", &clock.when(at))]),
                _ => String::new(),
            };
            let d_at: Option<i64> = r.get(9);
            let d_decision: Option<String> = r.get(10);
            let d_reason: Option<String> = r.get(11);
            let d_holder: Option<String> = r.get(12);
            let d_org: Option<String> = r.get(13);
            let d_serial: Option<String> = r.get(14);
            let d_authentic: Option<bool> = r.get(15);
            let d_who = if d_authentic == Some(true) {
                d_holder.unwrap_or_default()
            } else {
                badgegate_core::rules::claimed(
                    &[d_holder.as_deref(), d_org.as_deref(), d_serial.as_deref()],
                    false,
                )
            };
            GateTile {
                kiosk_id: r.get(0),
                venue: r.get(18),
                gate: r.get(1),
                state,
                since,
                silent_secs: silent,
                last_contact_ms: contact,
                records: head,
                backlog,
                lists: if said.is_empty() { w.none.into() } else { said },
                clock: match offset {
                    Some(o) => format!("{:+.1} s", o as f64 / 1000.0),
                    None => "?".into(),
                },
                signed: r.get(8),
                troubles,
                last: d_at.map(|at| {
                    format!(
                        "{} {} {}",
                        clock.when(at),
                        d_reason
                            .as_deref()
                            .map(|r| badgegate_core::vocab::EntryReason::from_code(r)
                                .map_or(r, |r| w.reason(r)))
                            .unwrap_or_default(),
                        d_who
                    )
                }),
                last_decision: d_decision.unwrap_or_default(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        a.state.cmp(&b.state).then(
            b.silent_secs
                .unwrap_or(0.0)
                .total_cmp(&a.silent_secs.unwrap_or(0.0))
                .then(a.kiosk_id.cmp(&b.kiosk_id)),
        )
    });
    Ok(out)
}

/// Raises one `offline` alarm for each gate newly offline (one an
/// outage: the alarm names the last contact).
pub fn raise_offline(db: &mut Client, tiles: &[GateTile]) -> Result<usize, OfficeError> {
    let mut raised = 0;
    for t in tiles.iter().filter(|t| t.state == GateState::Offline) {
        let Some(at) = t.last_contact_ms else {
            continue;
        };
        let detail = format!(
            "gate {} (kiosk {}) went offline: not heard from since {}",
            if t.gate.is_empty() { "?" } else { &t.gate },
            t.kiosk_id,
            badgegate_core::clock::format_utc_ms(u64::try_from(at).unwrap_or(0))
        );
        raised += db.execute(
            "INSERT INTO badgegate.alarms (kiosk_id, kind, detail)
             SELECT $1, 'offline', $2 WHERE NOT EXISTS
                (SELECT 1 FROM badgegate.alarms WHERE kiosk_id = $1 AND kind = 'offline' AND detail = $2)",
            &[&t.kiosk_id, &detail],
        )? as usize;
    }
    Ok(raised)
}

/// What an acknowledgement names, as the `acks` table stores it:
/// `alarm:ID` (a row of the alarms table) or `record:KIOSK:SEQ` (a record
/// that is an alarm).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AckSubject {
    /// A row of `badgegate.alarms`.
    Alarm(i64),
    /// A record of a kiosk's chain.
    Record { kiosk_id: String, seq: i64 },
}

impl std::fmt::Display for AckSubject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AckSubject::Alarm(id) => write!(f, "alarm:{id}"),
            AckSubject::Record { kiosk_id, seq } => write!(f, "record:{kiosk_id}:{seq}"),
        }
    }
}

impl std::str::FromStr for AckSubject {
    type Err = OfficeError;

    fn from_str(s: &str) -> Result<AckSubject, OfficeError> {
        let bad =
            || OfficeError::Refused(format!("no alarm {}", badgegate_core::text::printable(s)));
        if let Some(id) = s.strip_prefix("alarm:") {
            return id.parse().map(AckSubject::Alarm).map_err(|_| bad());
        }
        let (kiosk_id, seq) = s
            .strip_prefix("record:")
            .and_then(|r| r.rsplit_once(':'))
            .ok_or_else(bad)?;
        Ok(AckSubject::Record {
            kiosk_id: kiosk_id.to_owned(),
            seq: seq.parse().map_err(|_| bad())?,
        })
    }
}

/// One alarm on the alarms page.
#[derive(Clone, Debug, Serialize)]
pub struct AlarmRow {
    /// What an acknowledgement names: `alarm:ID` or `record:KIOSK:SEQ`.
    pub subject: String,
    pub at_ms: i64,
    pub at: String,
    pub kiosk_id: String,
    pub gate: String,
    /// The kind's code and words.
    pub kind: String,
    pub words: String,
    pub detail: String,
    pub serial: Option<String>,
    pub holder: Option<String>,
    pub acked_by: Option<String>,
    pub acked_at: Option<String>,
    pub ack_note: Option<String>,
}

/// Words for the office's own alarms; a kind this build does not know
/// (written by a newer office) is still shown, as its code.
fn office_alarm_words(kind: &str, w: &DashWords) -> String {
    match OfficeAlarm::from_code(kind) {
        Some(k) => w.office_alarm(k).to_owned(),
        None => format!("office alarm ({kind})"),
    }
}

/// The alarms a record is, in the audit report's words.
pub fn record_alarm(e: &Entry) -> Option<AlarmKind> {
    kind_of(e).filter(|k| k.is_trouble())
}

/// The newest alarms (at most [`PAGE_ROWS`] of each source), unacknowledged
/// first, then newest first.
pub fn alarms(db: &mut Client, clock: &WebClock) -> Result<Vec<AlarmRow>, OfficeError> {
    let mut out = Vec::new();
    for r in db.query(
        "SELECT a.id, (extract(epoch FROM a.at) * 1000)::int8, COALESCE(a.kiosk_id, ''), a.kind, a.detail,
                COALESCE(k.gate, ''), x.by_user, (extract(epoch FROM x.at) * 1000)::int8, x.note
         FROM (SELECT * FROM badgegate.alarms ORDER BY id DESC LIMIT $1) a
         LEFT JOIN badgegate.kiosks k ON k.kiosk_id = a.kiosk_id
         LEFT JOIN badgegate.acks x ON x.subject = 'alarm:' || a.id",
        &[&PAGE_ROWS],
    )? {
        let id: i64 = r.get(0);
        let at: i64 = r.get(1);
        let kind: String = r.get(3);
        let acked_at: Option<i64> = r.get(7);
        out.push(AlarmRow {
            subject: AckSubject::Alarm(id).to_string(),
            at_ms: at,
            at: clock.when(at),
            kiosk_id: r.get(2),
            gate: r.get(5),
            words: office_alarm_words(&kind, clock.words()),
            kind,
            detail: clock.restamp(r.get(4)),
            serial: None,
            holder: None,
            acked_by: r.get(6),
            acked_at: acked_at.map(|t| clock.when(t)),
            ack_note: r.get(8),
        });
    }
    let rows = db.query(
        &format!(
            "SELECT rr.*, x.by_user, (extract(epoch FROM x.at) * 1000)::int8, x.note
             FROM (SELECT {RECORD_COLUMNS}, received_at FROM badgegate.records WHERE {ALARMING}
                   ORDER BY received_at DESC LIMIT $1) rr
             LEFT JOIN badgegate.acks x ON x.subject = 'record:' || rr.kiosk_id || ':' || rr.seq"
        ),
        &[&PAGE_ROWS],
    )?;
    for r in &rows {
        let e = row_to_entry(r)?;
        let Some(kind) = record_alarm(&e) else {
            continue;
        };
        let at = i64::try_from(e.body.at_ms).unwrap_or(i64::MAX);
        let acked_at: Option<i64> = r.get(28);
        let shown = badgegate_core::rules::shown_claims(&e.body);
        let b = e.body;
        out.push(AlarmRow {
            subject: AckSubject::Record {
                kiosk_id: e.kiosk_id.clone(),
                seq: i64::try_from(e.seq).unwrap_or(i64::MAX),
            }
            .to_string(),
            at_ms: at,
            at: clock.when(at),
            kiosk_id: e.kiosk_id,
            gate: b.gate,
            kind: kind.code().to_owned(),
            words: clock.words().record_alarm(kind).to_owned(),
            // The kind's words say what it is; the reason only where it
            // adds to them, then the guard's note and the kiosk's detail.
            detail: [
                Some(clock.words().reason(b.reason).to_owned())
                    .filter(|w| !kind.words().contains(b.reason.words()) && !w.is_empty()),
                b.note,
                Some(b.detail),
            ]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" — "),
            serial: shown.serial,
            holder: Some(shown.holder).filter(|h| !h.is_empty()),
            acked_by: r.get(27),
            acked_at: acked_at.map(|t| clock.when(t)),
            ack_note: r.get(29),
        });
    }
    out.sort_by(|a, b| {
        a.acked_by
            .is_some()
            .cmp(&b.acked_by.is_some())
            .then(b.at_ms.cmp(&a.at_ms))
    });
    Ok(out)
}

/// Stores an acknowledgement by `user`. Returns false when the alarm was
/// acknowledged already (the first acknowledgement stands); refuses a
/// subject that names no alarm.
pub fn acknowledge(
    db: &mut impl postgres::GenericClient,
    subject: &AckSubject,
    user: &str,
    note: Option<&str>,
) -> Result<bool, OfficeError> {
    let exists = match subject {
        AckSubject::Alarm(id) => db
            .query_opt("SELECT 1 FROM badgegate.alarms WHERE id = $1", &[id])?
            .is_some(),
        AckSubject::Record { kiosk_id, seq } => db
            .query_opt(
                &format!(
                    "SELECT 1 FROM badgegate.records WHERE kiosk_id = $1 AND seq = $2 AND {ALARMING}"
                ),
                &[kiosk_id, seq],
            )?
            .is_some(),
    };
    if !exists {
        return Err(OfficeError::Refused(format!("no alarm {subject}")));
    }
    let subject = subject.to_string();
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    Ok(db.execute(
        "INSERT INTO badgegate.acks (subject, by_user, note) VALUES ($1, $2, $3) ON CONFLICT (subject) DO NOTHING",
        &[&subject, &user, &note],
    )? == 1)
}

/// How many alarms there are and how many are not acknowledged: the
/// hub's cheap look at whether the alarms page changed. Every
/// acknowledgement names an alarm that exists (checked when stored) and
/// neither alarms nor acknowledgements are ever removed, so the open ones
/// are the alarms less the acknowledgements.
pub fn alarm_counts(db: &mut Client) -> Result<(i64, i64), OfficeError> {
    let r = db.query_one(
        &format!(
            "SELECT (SELECT count(*) FROM badgegate.alarms)
                  + (SELECT count(*) FROM badgegate.records WHERE {ALARMING}),
                    (SELECT count(*) FROM badgegate.acks)"
        ),
        &[],
    )?;
    let (total, acks): (i64, i64) = (r.get(0), r.get(1));
    Ok((total, (total - acks).max(0)))
}

/// A venue record as the live page and a badge's story show it.
#[derive(Clone, Debug, Serialize)]
pub struct LiveRecord {
    pub kiosk_id: String,
    /// The kiosk's venue (at the centre of a games; empty at a venue's own
    /// office), filled in by whoever knows the kiosks.
    pub venue: String,
    pub seq: i64,
    pub at_ms: i64,
    pub time: String,
    pub gate: String,
    pub zone: String,
    pub direction: String,
    pub kind: String,
    pub decision: String,
    pub reason: String,
    pub serial: String,
    pub holder: String,
    pub org: String,
    pub category: String,
    pub guard: String,
    pub note: String,
    /// The alarm this record is, in words (empty: none).
    pub alarm: String,
    /// True for an admit into a zone (the per-minute chart counts them).
    pub entry: bool,
    /// The reason in words (`reason` is its code).
    pub reason_words: String,
    /// An admit that left a check owed (`muster::CHECK_PENDING`).
    pub check_pending: bool,
    /// False when the badge's signature did not vouch for what it says:
    /// `holder` then holds its claims, marked, and `serial` is empty.
    pub verified: bool,
}

impl LiveRecord {
    pub fn from_entry(e: Entry, clock: &WebClock) -> LiveRecord {
        let w = clock.words();
        let alarm = record_alarm(&e).map(|k| w.record_alarm(k).to_owned());
        let shown = badgegate_core::rules::shown_claims(&e.body);
        let b = e.body;
        let at = i64::try_from(b.at_ms).unwrap_or(i64::MAX);
        let entry = badgegate_core::rules::moves_presence(b.kind, b.decision, b.authentic)
            && b.direction == Direction::In;
        let check_pending = entry
            && badgegate_core::rules::admitted_pending_check(
                b.kind,
                b.decision,
                b.authentic,
                b.flagged,
            );
        LiveRecord {
            venue: String::new(),
            kiosk_id: e.kiosk_id,
            seq: i64::try_from(e.seq).unwrap_or(i64::MAX),
            at_ms: at,
            time: clock.when(at),
            gate: b.gate,
            zone: b.zone.unwrap_or_default(),
            direction: b.direction.code().to_owned(),
            kind: b.kind.code().to_owned(),
            decision: b.decision.code().to_owned(),
            reason: b.reason.code().to_owned(),
            serial: shown.serial.unwrap_or_default(),
            holder: shown.holder,
            org: shown.org,
            category: b.category.unwrap_or_default(),
            guard: b.guard.unwrap_or_default(),
            note: b.note.unwrap_or_default(),
            alarm: alarm.unwrap_or_default(),
            entry,
            reason_words: w.reason(b.reason).to_owned(),
            check_pending,
            verified: shown.verified,
        }
    }
}

/// The newest records, oldest first.
pub fn recent(
    db: &mut Client,
    clock: &WebClock,
    limit: i64,
) -> Result<Vec<LiveRecord>, OfficeError> {
    Ok(crate::office::views::newest(db, limit)?
        .into_iter()
        .map(|(e, _)| LiveRecord::from_entry(e, clock))
        .collect())
}

/// Each kiosk's newest record the office holds: where the live stream
/// starts.
pub fn heads(db: &mut Client) -> Result<HashMap<String, i64>, OfficeError> {
    Ok(db
        .query(
            "SELECT k.kiosk_id, COALESCE((SELECT max(r.seq) FROM badgegate.records r WHERE r.kiosk_id = k.kiosk_id), 0)
             FROM badgegate.kiosks k",
            &[],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}

/// Records past `heads` (each kiosk's chain read from where it was left,
/// so a transaction that commits late is not skipped), in arrival order,
/// each with when the office received it (RFC 3339, UTC); `heads` moves on.
pub fn records_after(
    db: &mut Client,
    heads: &mut HashMap<String, i64>,
) -> Result<Vec<(Entry, String)>, OfficeError> {
    let (ids, seqs): (Vec<String>, Vec<i64>) = heads.iter().map(|(k, s)| (k.clone(), *s)).unzip();
    let rows = db.query(
        &format!(
            "SELECT r.* FROM badgegate.kiosks k
             LEFT JOIN unnest($1::text[], $2::int8[]) AS h(kiosk_id, seq) ON h.kiosk_id = k.kiosk_id
             CROSS JOIN LATERAL (SELECT {RECORD_COLUMNS},
                                        to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS received,
                                        received_at FROM badgegate.records x
                                 WHERE x.kiosk_id = k.kiosk_id AND x.seq > COALESCE(h.seq, 0)
                                 ORDER BY x.seq LIMIT 1000) r
             ORDER BY r.received_at, r.kiosk_id, r.seq"
        ),
        &[&ids, &seqs],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let e = row_to_entry(r)?;
        let seq = i64::try_from(e.seq).unwrap_or(i64::MAX);
        let h = heads.entry(e.kiosk_id.clone()).or_insert(0);
        *h = (*h).max(seq);
        out.push((e, r.get::<_, String>(26)));
    }
    Ok(out)
}

/// Entries a minute, per gate, over the last `minutes` minutes (by the
/// kiosks' clocks): `(gate, minute since the epoch, count)`.
pub fn entries_per_minute(
    db: &mut Client,
    minutes: i64,
) -> Result<Vec<(String, i64, i64)>, OfficeError> {
    Ok(db
        .query(
            "SELECT gate, at_ms / 60000, count(*) FROM badgegate.records
             WHERE received_at > now() - make_interval(mins => $1::int)
               AND at_ms >= (extract(epoch FROM now()) * 1000)::int8 - $2::int8 * 60000
               AND decision = 'admit' AND direction = 'in' AND kind IN ('decision', 'override', 'confirm')
             GROUP BY 1, 2 ORDER BY 1, 2",
            &[&i32::try_from(minutes + 5).unwrap_or(65), &minutes],
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect())
}

/// Someone inside, for the muster list.
#[derive(Clone, Debug, Serialize)]
pub struct MusterRow {
    pub zone: String,
    pub serial: String,
    pub holder: String,
    pub org: String,
    pub category: String,
    pub gate: String,
    pub kiosk_id: String,
    pub since: String,
    /// `live`, or how long the gate has been silent.
    pub fresh: String,
    pub stale: bool,
    /// `REVOKED WHILE INSIDE`, `CHECK PENDING` (joined), or empty.
    pub marks: String,
    pub check_pending: bool,
    /// Where and when a gate refused the badge as revoked.
    pub revoked: Option<String>,
}

/// A search text as an ILIKE pattern (its own `%`, `_` and `\` literal).
fn like_pattern(q: &str) -> String {
    let mut p = String::from("%");
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Everyone inside (in `zone`, matching `q` in name, serial or
/// organisation), by zone then entry time — the rows `office inside` lists
/// (`views::inside`), with their marks.
pub fn muster(
    db: &mut Client,
    clock: &WebClock,
    zone: Option<&str>,
    q: Option<&str>,
) -> Result<Vec<MusterRow>, OfficeError> {
    let pattern = q.map(str::trim).filter(|q| !q.is_empty()).map(like_pattern);
    let people = super::super::views::inside(db, zone, pattern.as_deref())?;
    Ok(people
        .into_iter()
        .map(|p| {
            let silent = p.gate_silent_secs;
            let w = clock.words();
            let marks = p
                .marks()
                .into_iter()
                .map(|m| match m {
                    badgegate_core::muster::REVOKED_INSIDE => w.revoked_inside,
                    badgegate_core::muster::CHECK_PENDING => w.check_pending,
                    other => other,
                })
                .collect::<Vec<_>>()
                .join(" · ");
            let check_pending = p.check_pending;
            let revoked = p.revoked.as_ref().map(|v| {
                DashWords::fill(
                    w.refused_revoked_at,
                    &[("gate", &v.gate), ("when", &clock.when(v.at_ms))],
                )
            });
            MusterRow {
                since: clock.when(p.since_ms),
                zone: p.zone,
                serial: p.serial,
                holder: p.holder.unwrap_or_default(),
                org: p.org.unwrap_or_default(),
                category: p.category.unwrap_or_default(),
                gate: p.gate,
                kiosk_id: p.kiosk_id,
                fresh: match silent {
                    Some(s) if s < OFFLINE_AFTER_SECS => w.fresh_live.to_owned(),
                    Some(s) => DashWords::fill(w.gate_silent, &[("ago", &w.span(s as u64))]),
                    None => w.gate_never_seen.to_owned(),
                },
                stale: silent.is_none_or(|s| s >= OFFLINE_AFTER_SECS),
                marks,
                check_pending,
                revoked,
            }
        })
        .collect())
}

/// The zones anyone is inside of, for the muster page's choice.
pub fn zones(db: &mut Client) -> Result<Vec<String>, OfficeError> {
    if crate::office::central::is_the_centre(db)? {
        let mut z: Vec<String> = crate::office::central::inside(db, None, None)?
            .into_iter()
            .map(|p| p.zone)
            .collect();
        z.dedup();
        return Ok(z);
    }
    Ok(db
        .query(
            "SELECT DISTINCT zone FROM badgegate.presence ORDER BY zone",
            &[],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// A badge's story: its genuine records, and apart from them the badges
/// presented under its serial whose signature did not verify (forged,
/// altered, from an unknown or retired key) — never mixed into the
/// holder's own entries.
pub struct Story {
    pub records: Vec<LiveRecord>,
    pub forgeries: Vec<LiveRecord>,
    /// The serial as the badges carry it (the first genuine record's).
    pub serial: Option<String>,
}

/// Every record of one serial (any case) across all gates, in time order.
pub fn story(db: &mut Client, clock: &WebClock, serial: &str) -> Result<Story, OfficeError> {
    let rows = db.query(
        &format!(
            "SELECT {RECORD_COLUMNS} FROM badgegate.records WHERE lower(serial) = lower($1)
             ORDER BY at_ms, kiosk_id, seq LIMIT 5000"
        ),
        &[&serial],
    )?;
    let mut story = Story {
        records: Vec::new(),
        forgeries: Vec::new(),
        serial: None,
    };
    for r in &rows {
        let e = row_to_entry(r)?;
        if e.body.authentic {
            story.serial = story.serial.or_else(|| e.body.serial.clone());
            story.records.push(LiveRecord::from_entry(e, clock));
        } else {
            story.forgeries.push(LiveRecord::from_entry(e, clock));
        }
    }
    Ok(story)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_a_kiosk_holds_are_read_from_its_words() {
        let h = lists_held("policy abc #2, revocations abc #7");
        assert_eq!(h.get(&("revocations".into(), "abc".into())), Some(&7));
        assert_eq!(h.get(&("policy".into(), "abc".into())), Some(&2));
        assert!(lists_held("").is_empty());
    }

    #[test]
    fn search_text_is_literal() {
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
