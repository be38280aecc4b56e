//! A kiosk's link to the office, beside the decision path, never in it:
//!
//! - the **pusher** (a thread of its own) reads committed records from the
//!   kiosk's journal and sends them in order, idempotently, resuming from
//!   the office's head for this kiosk after any break; it fetches signed
//!   lists the desk published, verifies them against the kiosk's trust
//!   folder and keeps them in a local folder the kiosk's list watch reads
//!   (so a kiosk restarted offline still has them);
//! - the **passback check** asks the office to claim an entry, on a worker
//!   thread, and gives up after its timeout: a hung office costs one
//!   timeout, then the check answers "unanswered" at once until the office
//!   is back.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use postgres::Client;

use super::connect::connect;
use super::OfficeError;
use crate::gate::decide::VenueAnswer;
use crate::gate::engine::{EntryClaim, VenueCheck};
use badgegate_core::format::keylist::KeyList;
use badgegate_core::format::keys::{KeyId, TrustStore};
use badgegate_core::format::policy::VenuePolicy;
use badgegate_core::format::revocation::RevocationList;
use badgegate_core::journal::{Entry, Journal};
use badgegate_core::notice::Notices;
use badgegate_core::vocab::ListKind;

/// How long to wait for a connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Records sent in one transaction.
const PUSH_BATCH: usize = 500;
/// List rows looked at in one round (a flood of rows is worked through a
/// round at a time, newest first; verifying one takes well under a
/// millisecond).
const LIST_ROWS_A_ROUND: usize = 256;
/// First pause between attempts while the office is unreachable; it
/// doubles with each failure up to [`RETRY_MAX`].
const RETRY_EVERY: Duration = Duration::from_millis(500);
/// Longest pause between attempts.
const RETRY_MAX: Duration = Duration::from_secs(5);

/// The pause after `failures` failed attempts in a row: doubling from
/// [`RETRY_EVERY`] to [`RETRY_MAX`], each between half and all of it
/// (jitter), so that twenty gates do not all knock at once when the office
/// comes back.
fn retry_pause(failures: u32) -> Duration {
    use rand_core::RngCore;
    let full = RETRY_EVERY
        .saturating_mul(1u32 << failures.min(8))
        .min(RETRY_MAX);
    let half = full / 2;
    let spread = u64::try_from(half.as_millis()).unwrap_or(0).max(1);
    half + Duration::from_millis(u64::from(rand_core::OsRng.next_u32()) % spread)
}
/// After an unanswered passback check, how long the check answers
/// "unanswered" at once before asking again.
const PASSBACK_BACKOFF: Duration = Duration::from_secs(3);

/// What the link knows, for the status bar and the log.
#[derive(Clone, Debug, Default)]
pub struct LinkState {
    pub online: bool,
    /// When the link last went online or offline (Unix ms).
    pub since_ms: u64,
    /// Records committed here that the office does not hold yet.
    pub backlog: u64,
    /// Why the link is offline, or what the office refused.
    pub problem: Option<String>,
    /// The last time the office answered (Unix ms).
    pub last_contact_ms: Option<u64>,
    /// The office's head of this kiosk's chain, as last heard.
    pub office_head: u64,
    /// Pushing stopped for good: the office's chain of this kiosk is ahead
    /// of this journal or differs from it (`problem` says which).
    pub stopped: bool,
    /// What the link's watch last said, if anything.
    pub said: Option<Said>,
    /// The office lists more than one server (a Patroni cluster): a lost
    /// connection is first taken for a switch to another server.
    pub cluster: bool,
    /// Lost for less than [`SWITCH_GRACE`] with a cluster office: the
    /// office is switching servers (deciding alone meanwhile), not yet
    /// OFFLINE.
    pub switching: bool,
    /// The office's connection URI, for the goodbye.
    url: Uri,
}

/// A connection URI that debug output does not show (it may carry a
/// password).
#[derive(Clone, Default)]
struct Uri(String);

impl std::fmt::Debug for Uri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Uri(…)")
    }
}

/// The shared view of the link.
pub type SharedState = Arc<Mutex<LinkState>>;

/// What the pusher needs.
pub struct LinkConfig {
    pub url: String,
    pub journal: PathBuf,
    pub kiosk_id: String,
    /// Where verified lists from the office are kept (the kiosk reads them
    /// like any `--revocations` folder).
    pub lists_dir: PathBuf,
    /// The verified venue policy from the office, if one is published.
    pub policy_file: PathBuf,
    /// The verified key list from the office (issuing keys, signed by a
    /// root key of the trust folder), if one is published.
    pub keys_file: PathBuf,
    /// What lists are verified with; a newer key list from the office
    /// replaces its key list.
    pub trust: TrustStore,
    /// The gate's photo folder, filled with the holders' photos the
    /// office publishes (each checked against the digest it is named by).
    pub photos_dir: Option<PathBuf>,
    /// Where state changes are said (ONLINE, OFFLINE, a list refused).
    pub notices: Notices,
    /// The kiosk's clock (Unix ms), reported to the office, which measures
    /// the kiosk's offset from its own.
    pub clock: Box<dyn Fn() -> u64 + Send>,
}

/// What the link's watch says of the office.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Said {
    Online,
    /// A cluster office lost for less than [`SWITCH_GRACE`].
    Switching,
    Offline,
}

/// With an office on several servers, how long a lost office is said to be
/// switching servers before it is said OFFLINE: a failover takes about
/// 10 s with the tested Patroni settings (docs/venue-ha.md), a switchover
/// a few.
pub const SWITCH_GRACE: Duration = Duration::from_secs(20);

/// True when a connection URI lists more than one server.
pub fn lists_servers(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    let hosts = rest.split(['/', '?']).next().unwrap_or("");
    hosts.contains(',')
}

/// The office counts as OFFLINE once it has not answered for this long
/// (refused, unreachable, or hung: a stopped server answers nothing).
pub const OFFLINE_AFTER: Duration = Duration::from_millis(2500);
/// How often the link's watch looks.
const WATCH_EVERY: Duration = Duration::from_millis(250);

/// Starts the pusher, and the watch that says ONLINE or OFFLINE by how
/// long ago the office last answered; returns the state they keep.
pub fn start_pusher(cfg: LinkConfig) -> SharedState {
    let state: SharedState = Arc::new(Mutex::new(LinkState {
        since_ms: badgegate_core::clock::now_ms(),
        cluster: lists_servers(&cfg.url),
        url: Uri(cfg.url.clone()),
        ..LinkState::default()
    }));
    let say = cfg.notices.clone();
    let shared = state.clone();
    std::thread::Builder::new()
        .name("office-push".into())
        .spawn(move || Pusher::new(cfg, shared).run())
        .ok();
    let watched = state.clone();
    std::thread::Builder::new()
        .name("office-watch".into())
        .spawn(move || loop {
            watch_link(&watched, badgegate_core::clock::now_ms(), &say);
            std::thread::sleep(WATCH_EVERY);
        })
        .ok();
    state
}

/// One look of the link's watch at `now_ms`: ONLINE while the office
/// answered within [`OFFLINE_AFTER`], OFFLINE after; each change said once
/// (on stderr with `say`). However the pusher is stuck, this flips within
/// the bound: a hung office shows as OFFLINE like a dead one.
pub fn watch_link(state: &SharedState, now_ms: u64, say: &Notices) {
    let Ok(mut s) = state.lock() else { return };
    let bound = u64::try_from(OFFLINE_AFTER.as_millis()).unwrap_or(u64::MAX);
    let grace = u64::try_from(SWITCH_GRACE.as_millis()).unwrap_or(u64::MAX);
    let silent = s.last_contact_ms.map(|t| now_ms.saturating_sub(t));
    let now = match silent {
        Some(q) if q <= bound => Said::Online,
        // Once online, a cluster office that stops answering is first
        // taken to be switching servers.
        Some(q) if s.cluster && q <= grace && s.said != Some(Said::Offline) => Said::Switching,
        _ => Said::Offline,
    };
    if s.said == Some(now) {
        return;
    }
    // Not heard from yet and not failed yet: the first try is under way.
    if now != Said::Online && s.said.is_none() && s.problem.is_none() {
        return;
    }
    s.said = Some(now);
    s.online = now == Said::Online;
    s.switching = now == Said::Switching;
    match now {
        Said::Online => {
            s.since_ms = now_ms;
            say.say(format!("office: ONLINE (backlog {} record(s))", s.backlog));
        }
        Said::Switching => {
            s.since_ms = s.last_contact_ms.unwrap_or(s.since_ms);
            say.say(format!(
                "office: SWITCHING since {}: finding the office's server in charge ({}); deciding alone meanwhile, records kept for later",
                badgegate_core::clock::format_utc_ms(s.since_ms),
                badgegate_core::text::printable_short(
                    s.problem.as_deref().unwrap_or("no answer"),
                    200
                )
            ));
        }
        Said::Offline => {
            s.since_ms = s.last_contact_ms.unwrap_or(s.since_ms);
            if say.heard() {
                say.say(format!(
                    "office: OFFLINE since {} ({}); deciding alone, records kept for later",
                    badgegate_core::clock::format_utc_ms(s.since_ms),
                    badgegate_core::text::printable_short(
                        s.problem.as_deref().unwrap_or("no answer"),
                        200
                    )
                ));
            }
        }
    }
}

struct Pusher {
    cfg: LinkConfig,
    state: SharedState,
    journal: Option<Journal>,
    /// The office's head of this kiosk's chain.
    office_head: u64,
    /// Rows of the office's list table already looked at, by their
    /// columns (which only name a row: what a list is comes from its
    /// signed content).
    rows_seen: HashSet<(String, String, i64)>,
    /// The newest revocation list kept from each key, by signed content.
    revocations_kept: HashMap<KeyId, u64>,
    /// The venue policy kept (its key and sequence, by signed content).
    policy_kept: Option<(KeyId, u64)>,
    /// The key list kept (its root and sequence, by signed content).
    keys_kept: Option<(KeyId, u64)>,
    /// Photo rows taken (serial, digest), where the next look starts, and
    /// when the last few seconds were looked at again.
    photos_seen: HashSet<(String, String)>,
    photos_cursor: (f64, String, String),
    photos_rescanned: Option<Instant>,
    /// When the office was found without a photos table.
    photos_absent: Option<Instant>,
    /// Why pushing stopped for good in this run: the office's chain of
    /// this kiosk is ahead of this journal or differs from it. Lists are
    /// still fetched.
    stopped: Option<String>,
    /// The journal's key was compared with the office's enrolment.
    enrolment_checked: bool,
}

impl Pusher {
    fn new(cfg: LinkConfig, state: SharedState) -> Pusher {
        let mut p = Pusher {
            cfg,
            state,
            journal: None,
            office_head: 0,
            rows_seen: HashSet::new(),
            revocations_kept: HashMap::new(),
            policy_kept: None,
            keys_kept: None,
            photos_seen: HashSet::new(),
            photos_cursor: (f64::MIN, String::new(), String::new()),
            photos_rescanned: None,
            photos_absent: None,
            stopped: None,
            enrolment_checked: false,
        };
        p.read_kept();
        p
    }

    /// What earlier runs kept from the office: never replaced by an older
    /// list, whatever the office serves later.
    fn read_kept(&mut self) {
        if let Some(l) = self.cfg.trust.keylist() {
            self.keys_kept = Some((l.root_id, l.sequence));
        }
        if let Ok(text) = badgegate_core::format::keylist::read_keylist(&self.cfg.keys_file) {
            if let Ok(l) = KeyList::parse_verified(&text, self.cfg.trust.roots()) {
                if self.keys_kept.is_none_or(|(_, kept)| l.sequence > kept) {
                    self.keys_kept = Some((l.root_id, l.sequence));
                    self.cfg.trust = self.cfg.trust.with_keylist(l);
                }
            }
        }
        let files = std::fs::read_dir(&self.cfg.lists_dir)
            .map(|d| d.flatten().map(|e| e.path()).collect::<Vec<_>>())
            .unwrap_or_default();
        for path in files {
            let Ok(text) = badgegate_core::format::revocation::read_list(&path) else {
                continue;
            };
            if let Ok(l) = RevocationList::parse_verified(&text, &self.cfg.trust) {
                let kept = self.revocations_kept.entry(l.key_id).or_default();
                *kept = (*kept).max(l.sequence);
            }
        }
        if let Ok(text) = badgegate_core::format::policy::read_policy(&self.cfg.policy_file) {
            if let Ok(p) = VenuePolicy::parse_verified(&text, &self.cfg.trust) {
                self.policy_kept = Some((p.key_id, p.sequence));
            }
        }
    }

    fn run(mut self) {
        let mut failures = 0u32;
        loop {
            let began = Instant::now();
            match self.session() {
                Ok(()) => {}
                Err(e) => self.offline(&e.to_string()),
            }
            // A session that lasted was a success: start the backoff again.
            if began.elapsed() > RETRY_MAX {
                failures = 0;
            }
            std::thread::sleep(retry_pause(failures));
            failures = failures.saturating_add(1);
        }
    }

    fn set(&self, f: impl FnOnce(&mut LinkState)) {
        if let Ok(mut s) = self.state.lock() {
            f(&mut s);
        }
    }

    /// The office could not be reached or refused something: why, for the
    /// status line. Whether the link counts as offline is the watch's
    /// call ([`watch_link`]): by how long the office has not answered.
    fn offline(&self, why: &str) {
        self.set(|s| {
            s.problem = Some(why.to_owned());
        });
        watch_link(
            &self.state,
            badgegate_core::clock::now_ms(),
            &self.cfg.notices,
        );
    }

    /// The office answered.
    fn online(&self, backlog: u64) {
        self.set(|s| {
            s.backlog = backlog;
            s.problem = None;
            s.last_contact_ms = Some(badgegate_core::clock::now_ms());
        });
        watch_link(
            &self.state,
            badgegate_core::clock::now_ms(),
            &self.cfg.notices,
        );
    }

    /// One connection's life: hello, then push and fetch until it breaks.
    fn session(&mut self) -> Result<(), OfficeError> {
        let mut db = connect(&self.cfg.url, CONNECT_TIMEOUT)?;
        db.batch_execute("LISTEN badgegate_lists")?;
        self.hello(&mut db)?;
        self.check_enrolment(&mut db);
        loop {
            self.fetch_lists(&mut db)?;
            self.fetch_photos(&mut db)?;
            let sent = self.push(&mut db)?;
            self.hello(&mut db)?;
            if sent == 0 {
                // Wake at once for a published list; look for new records
                // a few times a second.
                use postgres::fallible_iterator::FallibleIterator;
                db.notifications()
                    .timeout_iter(Duration::from_millis(200))
                    .next()?;
            }
        }
    }

    fn journal(&mut self) -> Result<&Journal, OfficeError> {
        if self.journal.is_none() {
            self.journal = Some(Journal::open_readonly(&self.cfg.journal)?);
        }
        self.journal
            .as_ref()
            .ok_or_else(|| OfficeError::Refused("journal not open".into()))
    }

    fn local_head(&mut self) -> Result<u64, OfficeError> {
        let id = self.cfg.kiosk_id.clone();
        Ok(self.journal()?.head_seq(&id)?.unwrap_or(0))
    }

    /// Tells the office this kiosk's clock and lists; learns its head.
    fn hello(&mut self, db: &mut Client) -> Result<(), OfficeError> {
        let lists = self.lists_summary();
        let now = i64::try_from((self.cfg.clock)()).unwrap_or(i64::MAX);
        let mine = i64::try_from(self.local_head()?).unwrap_or(i64::MAX);
        let row = db.query_one(
            "SELECT head_seq, head_hash FROM badgegate.hello($1, $2, $3)",
            &[&now, &lists, &mine],
        )?;
        let head: Option<i64> = row.get(0);
        let head_hash: Option<Vec<u8>> = row.get(1);
        let head = head.ok_or_else(|| {
            OfficeError::Refused(format!(
                "the office does not know kiosk {}; enrol it with `badgegate office add-kiosk`",
                self.cfg.kiosk_id
            ))
        })?;
        self.office_head = u64::try_from(head).unwrap_or(0);
        let office_head = self.office_head;
        self.set(|s| s.office_head = office_head);
        let local = self.local_head()?;
        if self.stopped.is_none() {
            let why = if self.office_head > local {
                Some(format!(
                    "the office holds records of kiosk {} up to {}, but this journal ends at {}: records {} to {} are gone here (a lost disk, a replaced or cut journal, or another kiosk with this id); nothing more is pushed: re-enrol this gate under a new kiosk id with a new journal (docs/venue-network.md)",
                    self.cfg.kiosk_id,
                    self.office_head,
                    local,
                    local + 1,
                    self.office_head
                ))
            } else if self.office_head > 0
                && !self.same_record(self.office_head, head_hash.as_deref())?
            {
                Some(format!(
                    "the office's record {} of kiosk {} differs from this journal's: two chains for one id; nothing more is pushed: re-enrol this gate under a new kiosk id with a new journal (docs/venue-network.md)",
                    self.office_head, self.cfg.kiosk_id
                ))
            } else {
                None
            };
            if let Some(why) = why {
                self.cfg
                    .notices
                    .say(format!("office: PUSHING STOPPED: {why}"));
                if self.office_head <= local {
                    db.execute("SELECT badgegate.kiosk_alarm('fork', $1)", &[&why])
                        .ok();
                }
                self.stopped = Some(why);
            }
        }
        if let Some(why) = &self.stopped {
            let why = why.clone();
            self.set(|s| {
                s.stopped = true;
                s.problem = Some(why);
                s.last_contact_ms = Some(badgegate_core::clock::now_ms());
                s.backlog = local.saturating_sub(s.office_head);
            });
            return Ok(());
        }
        self.online(local - self.office_head);
        Ok(())
    }

    /// Once a run: says so when the key this journal is signed with is not
    /// the one the office enrolled for this kiosk (every record would be
    /// raised as an alarm), or when the office checks no key for it.
    /// Silent when they agree, or on an office too old to say.
    fn check_enrolment(&mut self, db: &mut Client) {
        if self.enrolment_checked {
            return;
        }
        self.enrolment_checked = true;
        let Ok(Some(row)) = db.query_opt(
            "SELECT kiosk_id, key_pub FROM badgegate.my_enrolment()",
            &[],
        ) else {
            return;
        };
        let enrolled: Option<String> = row.get(1);
        let id = self.cfg.kiosk_id.clone();
        let signer = self
            .journal()
            .ok()
            .and_then(|j| j.head_seq(&id).ok().flatten().map(|seq| (j, seq)))
            .and_then(|(j, seq)| j.entries_after(&id, seq - 1, 1).ok())
            .and_then(|e| e.first().and_then(|e| e.signer.clone()));
        let said = match (signer, enrolled) {
            (Some(mine), Some(theirs)) if mine != theirs => Some(format!(
                "office: this gate signs its journal with a key the office did not enrol for kiosk {id}: the office raises every record as an alarm; give the kiosk its own key (--signing-key kiosk-keys/{id}.key.pem)"
            )),
            (Some(_), None) => Some(format!(
                "office: no key is enrolled for kiosk {id}, so the office does not check this gate's signatures; enrol kiosk-keys/{id}.pub.pem (office add-kiosk --kiosk-key)"
            )),
            _ => None,
        };
        if let Some(said) = said {
            self.cfg.notices.say(said);
        }
    }

    /// True when this journal's record `seq` has the hash the office holds.
    fn same_record(&mut self, seq: u64, office_hash: Option<&[u8]>) -> Result<bool, OfficeError> {
        let id = self.cfg.kiosk_id.clone();
        let mine = self.journal()?.entries_after(&id, seq - 1, 1)?;
        Ok(mine
            .first()
            .is_some_and(|e| e.seq == seq && Some(&e.hash[..]) == office_hash))
    }

    /// Sends the next batch of records; how many were sent (none once
    /// pushing has stopped: the office's chain and this journal differ).
    fn push(&mut self, db: &mut Client) -> Result<usize, OfficeError> {
        if self.stopped.is_some() {
            return Ok(0);
        }
        let id = self.cfg.kiosk_id.clone();
        let after = self.office_head;
        let batch = self.journal()?.entries_after(&id, after, PUSH_BATCH)?;
        if batch.is_empty() {
            return Ok(0);
        }
        // One statement for the whole batch: one round trip, one
        // transaction; the office's trigger still checks record by record.
        let params: Vec<RecordParams> = batch.iter().map(record_params).collect();
        let values: Vec<&(dyn postgres::types::ToSql + Sync)> =
            params.iter().flat_map(RecordParams::as_params).collect();
        db.execute(&insert_statement(batch.len()), &values)?;
        let last = batch.last().map_or(after, |e| e.seq);
        self.hello(db)?;
        if self.office_head < last {
            let refused = self.office_head + 1;
            let why = format!(
                "the office refused record {refused} of this kiosk (see `badgegate office status`); records from it on are kept here"
            );
            self.set(|s| s.problem = Some(why.clone()));
            return Err(OfficeError::Refused(why));
        }
        Ok(batch.len())
    }

    /// The lists in use, for the office's status page: what their signed
    /// content says.
    fn lists_summary(&self) -> String {
        let mut v: Vec<String> = self
            .revocations_kept
            .iter()
            .map(|(key, seq)| format!("revocations {key} #{seq}"))
            .chain(
                self.policy_kept
                    .iter()
                    .map(|(key, seq)| format!("policy {key} #{seq}")),
            )
            .chain(
                self.keys_kept
                    .iter()
                    .map(|(root, seq)| format!("keys {root} #{seq}")),
            )
            .collect();
        v.sort();
        v.join(", ")
    }

    /// Looks at list rows not looked at before, verifies each against the
    /// trust folder, and keeps those newer than what is kept. A row is
    /// what its signed body says: its columns only name the row, and a row
    /// whose columns differ from its body is refused and raised as an
    /// alarm (the office is not trusted for authenticity or order). A row
    /// that does not verify is skipped and never blocks a later one.
    fn fetch_lists(&mut self, db: &mut Client) -> Result<(), OfficeError> {
        let rows = db.query("SELECT kind, key_id, sequence FROM badgegate.lists", &[])?;
        let mut fresh: Vec<(String, String, i64)> = rows
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .filter(|k| !self.rows_seen.contains(k))
            .collect();
        // Key lists first (the lists after them may be signed by a key
        // they grant), then newest first, so a flood of rows cannot hold a
        // real list back for long.
        fresh.sort_by_key(|f| (f.0 != ListKind::Keys.code(), std::cmp::Reverse(f.2)));
        fresh.truncate(LIST_ROWS_A_ROUND);
        if fresh.is_empty() {
            return Ok(());
        }
        // Their bodies in one round trip.
        let kinds: Vec<&str> = fresh.iter().map(|f| f.0.as_str()).collect();
        let keys: Vec<&str> = fresh.iter().map(|f| f.1.as_str()).collect();
        let seqs: Vec<i64> = fresh.iter().map(|f| f.2).collect();
        let bodies = db.query(
            "SELECT l.kind, l.key_id, l.sequence, l.body FROM badgegate.lists l              JOIN unnest($1::text[], $2::text[], $3::int8[]) AS f(kind, key_id, sequence)              USING (kind, key_id, sequence)",
            &[&kinds, &keys, &seqs],
        )?;
        for r in bodies {
            let (kind, key, seq, body): (String, String, i64, String) =
                (r.get(0), r.get(1), r.get(2), r.get(3));
            match self.take_row(&kind, &key, seq, &body)? {
                Ok(()) => {
                    self.rows_seen.insert((kind, key, seq));
                }
                Err(why) => {
                    self.rows_seen.insert((kind, key, seq));
                    self.cfg.notices.say(format!("warning: {why}"));
                    self.set(|s| s.problem = Some(why.clone()));
                    db.execute("SELECT badgegate.kiosk_alarm('list', $1)", &[&why])
                        .ok();
                }
            }
        }
        Ok(())
    }

    /// Takes the holders' photos published since the last look into the
    /// photo folder, a page at a time. Rows are taken in the order the
    /// office stored them; every [`PHOTO_RESCAN`] the last
    /// [`PHOTO_OVERLAP`] is looked at again, for a row whose transaction
    /// committed after a later one. A photo whose bytes are not the
    /// digest it is named by is not written, and raised as an alarm.
    fn fetch_photos(&mut self, db: &mut Client) -> Result<(), OfficeError> {
        let Some(dir) = self.cfg.photos_dir.clone() else {
            return Ok(());
        };
        if self
            .photos_absent
            .is_some_and(|t| t.elapsed() < PHOTO_TABLE_RETRY)
        {
            return Ok(());
        }
        match self.fetch_photo_pages(db, &dir) {
            // An office of an earlier build has no photos (or no grant on
            // them): nothing to fetch, records still pushed; looked for
            // again now and then (an `office init` adds them).
            Err(OfficeError::Db {
                source: Some(e), ..
            }) if e.code().is_some_and(|c| {
                *c == postgres::error::SqlState::UNDEFINED_TABLE
                    || *c == postgres::error::SqlState::INSUFFICIENT_PRIVILEGE
            }) =>
            {
                self.photos_absent = Some(Instant::now());
                Ok(())
            }
            other => other,
        }
    }

    fn fetch_photo_pages(&mut self, db: &mut Client, dir: &Path) -> Result<(), OfficeError> {
        if self
            .photos_rescanned
            .is_none_or(|t| t.elapsed() >= PHOTO_RESCAN)
        {
            self.photos_rescanned = Some(Instant::now());
            let back = self.photos_cursor.0 - PHOTO_OVERLAP.as_secs_f64();
            self.photos_cursor = (back, String::new(), String::new());
        }
        for _ in 0..PHOTO_PAGES_A_ROUND {
            let (at, serial, digest) = self.photos_cursor.clone();
            let keys = db.query(
                "SELECT extract(epoch FROM published_at)::float8, serial, digest FROM badgegate.photos
                 WHERE (extract(epoch FROM published_at)::float8, serial, digest) > ($1, $2, $3)
                 ORDER BY 1, 2, 3 LIMIT $4",
                &[&at, &serial, &digest, &(PHOTO_PAGE as i64)],
            )?;
            let Some(last) = keys.last() else {
                return Ok(());
            };
            self.photos_cursor = (last.get(0), last.get(1), last.get(2));
            let fresh: Vec<(String, String)> = keys
                .iter()
                .map(|r| (r.get(1), r.get(2)))
                .filter(|k| !self.photos_seen.contains(k))
                .collect();
            if !fresh.is_empty() {
                let serials: Vec<&str> = fresh.iter().map(|f| f.0.as_str()).collect();
                let digests: Vec<&str> = fresh.iter().map(|f| f.1.as_str()).collect();
                let rows = db.query(
                    "SELECT p.serial, p.digest, p.photo FROM badgegate.photos p
                     JOIN unnest($1::text[], $2::text[]) AS f(serial, digest) USING (serial, digest)
                     ORDER BY p.published_at, p.serial, p.digest",
                    &[&serials, &digests],
                )?;
                for r in rows {
                    let (serial, digest, photo): (String, String, Vec<u8>) =
                        (r.get(0), r.get(1), r.get(2));
                    self.take_photo(db, dir, &serial, &digest, &photo)?;
                    self.photos_seen.insert((serial, digest));
                }
            }
            if keys.len() < PHOTO_PAGE {
                return Ok(());
            }
        }
        Ok(())
    }

    fn take_photo(
        &mut self,
        db: &mut Client,
        dir: &Path,
        serial: &str,
        digest: &str,
        photo: &[u8],
    ) -> Result<(), OfficeError> {
        let named = badgegate_core::format::badge::is_valid_serial(serial);
        let digest_ok = badgegate_core::format::badge::PhotoDigest::of(photo).to_string() == digest;
        if !named || !digest_ok {
            let why = format!(
                "the office's photo for {} is not the photo of digest {}: not used",
                badgegate_core::text::printable_short(serial, 30),
                badgegate_core::text::printable_short(digest, 40)
            );
            self.cfg.notices.say(format!("warning: {why}"));
            db.execute("SELECT badgegate.kiosk_alarm('list', $1)", &[&why])
                .ok();
            return Ok(());
        }
        let path = dir.join(badgegate_core::format::badge::photo_file_name(serial));
        badgegate_core::files::write_atomic(&path, photo, 0o644, true)
            .map_err(|e| OfficeError::Refused(format!("keeping a photo from the office: {e}")))
    }

    /// One list row: verified, matched against its columns, and kept if
    /// newer than what is kept. `Err` says why it is not used.
    fn take_row(
        &mut self,
        kind: &str,
        key: &str,
        seq: i64,
        body: &str,
    ) -> Result<Result<(), String>, OfficeError> {
        let row = format!(
            "the office's {kind} row for key {key} #{seq}",
            kind = badgegate_core::text::printable_short(kind, 20),
            key = badgegate_core::text::printable_short(key, 20)
        );
        let unused = |e: &dyn std::fmt::Display| {
            Ok(Err(format!("{row} does not verify here ({e}); not used")))
        };
        let Some(list_kind) = ListKind::from_code(kind) else {
            return Ok(Err(format!(
                "{row} is of no kind this kiosk knows; not used"
            )));
        };
        let (signed_key, signed_seq, path) = match list_kind {
            ListKind::Revocations => match RevocationList::parse_verified(body, &self.cfg.trust) {
                Ok(l) => {
                    let path = self
                        .cfg
                        .lists_dir
                        .join(format!("revocations-{}.txt", l.key_id));
                    (l.key_id, l.sequence, path)
                }
                Err(e) => return unused(&e),
            },
            ListKind::Policy => match VenuePolicy::parse_verified(body, &self.cfg.trust) {
                Ok(p) => (p.key_id, p.sequence, self.cfg.policy_file.clone()),
                Err(e) => return unused(&e),
            },
            ListKind::Keys => match KeyList::parse_verified(body, self.cfg.trust.roots()) {
                Ok(l) => (l.root_id, l.sequence, self.cfg.keys_file.clone()),
                Err(e) => return unused(&e),
            },
        };
        if signed_key.to_string() != key || i64::try_from(signed_seq).ok() != Some(seq) {
            return Ok(Err(format!(
                "{row} holds a {kind} list signed as key {signed_key} #{signed_seq}: its columns lie about it; not used"
            )));
        }
        let newer = match list_kind {
            ListKind::Revocations => self
                .revocations_kept
                .get(&signed_key)
                .is_none_or(|kept| signed_seq > *kept),
            // One policy for the venue, numbered across keys.
            ListKind::Policy => self.policy_kept.is_none_or(|(_, kept)| signed_seq > kept),
            // One key list for the venue, numbered across root keys.
            ListKind::Keys => self.keys_kept.is_none_or(|(_, kept)| signed_seq > kept),
        };
        if !newer {
            return Ok(Ok(()));
        }
        badgegate_core::files::write_atomic(&path, body.as_bytes(), 0o644, true)
            .map_err(|e| OfficeError::Refused(format!("keeping a list from the office: {e}")))?;
        match list_kind {
            ListKind::Revocations => {
                self.revocations_kept.insert(signed_key, signed_seq);
            }
            ListKind::Policy => self.policy_kept = Some((signed_key, signed_seq)),
            ListKind::Keys => {
                self.keys_kept = Some((signed_key, signed_seq));
                if let Ok(l) = KeyList::parse_verified(body, self.cfg.trust.roots()) {
                    self.cfg.trust = self.cfg.trust.with_keylist(l);
                }
            }
        }
        Ok(Ok(()))
    }
}

/// Photo rows looked at in one query, and at most this many queries a
/// round (the rest next round: records keep being pushed meanwhile).
const PHOTO_PAGE: usize = 200;
const PHOTO_PAGES_A_ROUND: usize = 5;
/// How often the last [`PHOTO_OVERLAP`] of photos is looked at again.
const PHOTO_RESCAN: Duration = Duration::from_secs(10);
const PHOTO_OVERLAP: Duration = Duration::from_secs(30);
/// How long an office without a photos table is left before looking again.
const PHOTO_TABLE_RETRY: Duration = Duration::from_secs(60);

/// Columns a record is sent with.
const RECORD_FIELDS: usize = super::RECORD_COLUMNS.len();

/// `INSERT … VALUES (…), (…)` for `n` records, in order.
fn insert_statement(n: usize) -> String {
    let mut sql = format!(
        "INSERT INTO badgegate.records ({}) VALUES ",
        super::RECORD_COLUMNS.join(", ")
    );
    for r in 0..n {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for f in 0..RECORD_FIELDS {
            if f > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", r * RECORD_FIELDS + f + 1));
        }
        sql.push(')');
    }
    sql
}

/// A record's values in the order of [`insert_statement`].
struct RecordParams {
    text: Vec<Option<String>>,
    seq: i64,
    at_ms: i64,
    list_seq: Option<i64>,
    flags: [bool; 2],
    format: i16,
    hashes: [Vec<u8>; 2],
    sig: Option<Vec<u8>>,
}

fn record_params(e: &Entry) -> RecordParams {
    let b = &e.body;
    RecordParams {
        text: vec![
            Some(e.kiosk_id.clone()),
            Some(b.kind.code().to_owned()),
            Some(b.gate.clone()),
            b.zone.clone(),
            Some(b.direction.code().to_owned()),
            b.serial.clone(),
            b.holder.clone(),
            b.org.clone(),
            b.category.clone(),
            b.key_id.clone(),
            Some(b.decision.code().to_owned()),
            Some(b.reason.code().to_owned()),
            Some(b.detail.clone()),
            b.note.clone(),
            Some(b.input.clone()),
            b.guard.clone(),
            e.signer.clone(),
        ],
        seq: i64::try_from(e.seq).unwrap_or(i64::MAX),
        at_ms: i64::try_from(b.at_ms).unwrap_or(i64::MAX),
        list_seq: b.list_seq.map(|s| i64::try_from(s).unwrap_or(i64::MAX)),
        flags: [b.flagged, b.authentic],
        format: i16::from(e.format),
        hashes: [e.prev_hash.to_vec(), e.hash.to_vec()],
        sig: e.sig.map(|s| s.to_vec()),
    }
}

impl RecordParams {
    fn as_params(&self) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
        let t = &self.text;
        vec![
            &t[0],
            &self.seq,
            &self.at_ms,
            &t[1],
            &t[2],
            &t[3],
            &t[4],
            &t[5],
            &t[6],
            &t[7],
            &t[8],
            &t[9],
            &t[10],
            &t[11],
            &self.flags[0],
            &self.flags[1],
            &t[12],
            &t[13],
            &t[14],
            &self.list_seq,
            &t[15],
            &self.format,
            &t[16],
            &self.hashes[0],
            &self.hashes[1],
            &self.sig,
        ]
    }
}

/// The passback check: claims an entry at the office within `timeout`.
/// One worker thread with one connection, for the kiosk's whole run: a
/// worker stuck on a hung office is waited for, never replaced, so a hang
/// costs no threads and no connections.
pub struct Passback {
    url: String,
    timeout: Duration,
    worker: Option<Sender<(EntryClaim, Sender<VenueAnswer>)>>,
    /// The answer to a claim that timed out, still awaited: while it has
    /// not come, the worker is stuck and every check answers at once.
    stuck: Option<Receiver<VenueAnswer>>,
    /// Until when the check answers "unanswered" without asking.
    quiet_until: Option<Instant>,
    state: SharedState,
}

impl Passback {
    pub fn new(url: String, timeout: Duration, state: SharedState) -> Passback {
        Passback {
            url,
            timeout,
            worker: None,
            stuck: None,
            quiet_until: None,
            state,
        }
    }

    /// A worker thread with its own connection, answering claims in turn.
    fn spawn_worker(&self) -> Sender<(EntryClaim, Sender<VenueAnswer>)> {
        let (tx, rx): (Sender<(EntryClaim, Sender<VenueAnswer>)>, Receiver<_>) = mpsc::channel();
        let url = self.url.clone();
        std::thread::Builder::new()
            .name("office-passback".into())
            .spawn(move || {
                let mut db: Option<Client> = None;
                for (claim, reply) in rx {
                    let answer = ask(&mut db, &url, &claim);
                    if matches!(answer, VenueAnswer::Unanswered(_)) {
                        db = None;
                    }
                    let _ = reply.send(answer);
                }
            })
            .ok();
        tx
    }
}

/// One claim on a (re)opened connection.
fn ask(db: &mut Option<Client>, url: &str, c: &EntryClaim) -> VenueAnswer {
    if db.is_none() {
        match connect(url, CONNECT_TIMEOUT) {
            Ok(c) => *db = Some(c),
            Err(e) => return VenueAnswer::Unanswered(e.to_string()),
        }
    }
    let Some(client) = db.as_mut() else {
        return VenueAnswer::Unanswered("no connection".into());
    };
    let seq = i64::try_from(c.seq).unwrap_or(i64::MAX);
    let at = i64::try_from(c.at_ms).unwrap_or(i64::MAX);
    match client.query_one(
        "SELECT badgegate.claim($1, $2, 'in', $3, $4, $5, $6)",
        &[&c.serial, &c.zone, &seq, &c.gate, &at, &c.holder],
    ) {
        Ok(row) => {
            let said: String = row.get(0);
            match said.strip_prefix("inside ") {
                None => VenueAnswer::Clear,
                Some(rest) => {
                    let (gate, at) = rest.rsplit_once(' ').unwrap_or((rest, "0"));
                    VenueAnswer::Inside {
                        gate: gate.to_owned(),
                        at_ms: at.parse().unwrap_or(0),
                    }
                }
            }
        }
        Err(e) => VenueAnswer::Unanswered(OfficeError::from(e).to_string()),
    }
}

impl VenueCheck for Passback {
    fn claim_entry(&mut self, claim: &EntryClaim) -> VenueAnswer {
        if self.quiet_until.is_some_and(|t| Instant::now() < t) {
            return VenueAnswer::Unanswered("the office did not answer a moment ago".into());
        }
        if let Some(pending) = &self.stuck {
            match pending.try_recv() {
                // The late answer came: the worker is free again.
                Ok(_) => self.stuck = None,
                Err(mpsc::TryRecvError::Empty) => {
                    return VenueAnswer::Unanswered(
                        "the office has not answered the last check yet".into(),
                    )
                }
                Err(mpsc::TryRecvError::Disconnected) => {
                    self.stuck = None;
                    self.worker = None;
                }
            }
        }
        let worker = match &self.worker {
            Some(w) => w.clone(),
            None => {
                let w = self.spawn_worker();
                self.worker = Some(w.clone());
                w
            }
        };
        let (reply_tx, reply_rx) = mpsc::channel();
        if worker.send((claim.clone(), reply_tx)).is_err() {
            self.worker = None;
            return VenueAnswer::Unanswered("the office link stopped".into());
        }
        let answer = match reply_rx.recv_timeout(self.timeout) {
            Ok(a) => a,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // The worker is stuck on a slow or hung office: its answer
                // is awaited before it is asked again.
                self.stuck = Some(reply_rx);
                VenueAnswer::Unanswered(format!("no answer within {} ms", self.timeout.as_millis()))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                self.worker = None;
                VenueAnswer::Unanswered("the office link stopped".into())
            }
        };
        if let VenueAnswer::Unanswered(why) = &answer {
            self.quiet_until = Some(Instant::now() + PASSBACK_BACKOFF);
            if let Ok(mut s) = self.state.lock() {
                s.problem = Some(format!("passback check: {why}"));
            }
        }
        answer
    }
}

/// Waits for the office to hold every record up to `head` (a kiosk that
/// stops hands over its last records first), for as long as the office
/// keeps taking them; gives up after `stall` without progress. True when
/// the office holds them all.
pub fn wait_flushed(state: &SharedState, head: u64, stall: Duration) -> bool {
    let mut last = (Instant::now(), 0u64);
    loop {
        let at = state.lock().map(|s| s.office_head).unwrap_or(0);
        if at >= head {
            return true;
        }
        if at > last.1 {
            last = (Instant::now(), at);
        }
        // An office that is away may be back in a moment: wait it out.
        if last.0.elapsed() >= stall {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Tells the office this kiosk stops on purpose, its journal ending at
/// `head`: the office shows the gate STOPPED, not OFFLINE, and raises no
/// outage for it until it runs again. An office of an earlier build has no
/// goodbye: the error says so, and the gate shows OFFLINE there as before.
pub fn say_goodbye(state: &SharedState, head: u64) -> Result<(), OfficeError> {
    let url = state.lock().map(|s| s.url.0.clone()).unwrap_or_default();
    let mut db = connect(&url, CONNECT_TIMEOUT)?;
    let head = i64::try_from(head).unwrap_or(i64::MAX);
    db.execute("SELECT badgegate.goodbye($1)", &[&head])?;
    Ok(())
}

/// The local folder for what the office delivers, beside the journal.
pub fn cache_dir(journal: &Path) -> PathBuf {
    let mut name = journal.file_name().unwrap_or_default().to_owned();
    name.push(".office");
    journal.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_with_jitter_up_to_their_bound() {
        for failures in 0..20 {
            let p = retry_pause(failures);
            assert!(p <= RETRY_MAX, "{p:?}");
            assert!(p >= RETRY_EVERY / 2, "{p:?}");
        }
        assert!(retry_pause(10) >= RETRY_MAX / 2);
        let spread: std::collections::BTreeSet<_> = (0..20).map(|_| retry_pause(6)).collect();
        assert!(spread.len() > 1, "jittered");
    }

    #[test]
    fn the_watch_says_offline_once_the_office_has_been_silent_past_the_bound() {
        let state: SharedState = Arc::new(Mutex::new(LinkState::default()));
        watch_link(&state, 1_000, &Notices::silent());
        assert!(state.lock().unwrap().said.is_none(), "nothing tried yet");
        state.lock().unwrap().last_contact_ms = Some(1_000);
        watch_link(&state, 1_100, &Notices::silent());
        assert!(state.lock().unwrap().online);
        let bound = OFFLINE_AFTER.as_millis() as u64;
        watch_link(&state, 1_000 + bound, &Notices::silent());
        assert!(state.lock().unwrap().online, "at the bound, still online");
        watch_link(&state, 1_001 + bound, &Notices::silent());
        let s = state.lock().unwrap().clone();
        assert!(!s.online);
        assert!(!s.switching, "one server: OFFLINE at once");
        assert_eq!(s.since_ms, 1_000, "offline since the last answer");
    }

    #[test]
    fn a_cluster_office_is_switching_for_the_grace_then_offline() {
        let state: SharedState = Arc::new(Mutex::new(LinkState {
            cluster: true,
            last_contact_ms: Some(1_000),
            ..LinkState::default()
        }));
        watch_link(&state, 1_100, &Notices::silent());
        assert_eq!(state.lock().unwrap().said, Some(Said::Online));
        let bound = OFFLINE_AFTER.as_millis() as u64;
        let grace = SWITCH_GRACE.as_millis() as u64;
        watch_link(&state, 1_001 + bound, &Notices::silent());
        let s = state.lock().unwrap().clone();
        assert!(!s.online && s.switching, "{s:?}");
        assert_eq!(s.since_ms, 1_000);
        watch_link(&state, 1_001 + grace, &Notices::silent());
        let s = state.lock().unwrap().clone();
        assert!(!s.online && !s.switching, "OFFLINE after the grace: {s:?}");
        // Back: ONLINE; lost again: switching again.
        state.lock().unwrap().last_contact_ms = Some(50_000);
        watch_link(&state, 50_100, &Notices::silent());
        assert!(state.lock().unwrap().online);
        watch_link(&state, 51_000 + bound, &Notices::silent());
        assert!(state.lock().unwrap().switching);
    }

    #[test]
    fn a_uri_listing_servers_is_a_cluster() {
        assert!(lists_servers(
            "postgresql://k:pw@10.0.0.1:5432,10.0.0.2:5432/venue?target_session_attrs=read-write"
        ));
        assert!(lists_servers("postgresql://k@a,b/venue"));
        assert!(!lists_servers(
            "postgresql://k:p,w@10.0.0.1:5432/venue?x=a,b"
        ));
        assert!(!lists_servers("postgresql://k@office:5432/venue"));
    }
}
