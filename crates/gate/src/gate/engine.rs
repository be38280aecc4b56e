//! The kiosk engine: codes read from frames in, decisions out, each one
//! committed to the journal before anyone sees it. One person held in front
//! of the camera for many frames is one decision (debounce); a badge that is
//! already inside is handled by anti-passback; revocation lists are taken
//! up while the kiosk runs, each acceptance a record in the chain, so that
//! nothing outside the chain can roll them back.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::gate::decide::{
    apply_anti_passback, apply_venue_passback, decide_bytes, AntiPassback, Checks, Decision,
    DecisionLine, GatePolicy, OfflinePassback, VenueAnswer,
};
use crate::gate::hook::HookRun;
use crate::gate::lists::{Found, KeyListWatch, ListWatch, RevocationSet};
use crate::gate::photo::{self, PhotoCheck};
use crate::gate::venue::{judge, PolicyStep, PolicyWatch};
use badgegate_core::clock::{format_human, format_utc_ms};
use badgegate_core::format::keylist::KeyList;
use badgegate_core::format::keys::{KeyId, TrustStore};
use badgegate_core::format::policy::VenuePolicy;
use badgegate_core::format::revocation::{RevocationError, RevocationList};
use badgegate_core::journal::{Entry, Journal, JournalError, NewEntry, Presence};
use badgegate_core::vocab::{
    Direction, EntryDecision, EntryKind, EntryReason, GuardReason, KioskEvent, Verdict,
};

mod shift;
pub use shift::{ShiftOutcome, SignInRefusal};

/// How often the kiosk looks for new revocation lists.
pub const LIST_CHECK_EVERY: Duration = Duration::from_millis(100);

/// Default time the same code is ignored after it was last seen (ms).
pub const DEFAULT_COOLDOWN_MS: u64 = 3000;
/// Most distinct codes the debouncer remembers at once.
const DEBOUNCE_CAPACITY: usize = 4096;

/// How this gate works.
#[derive(Clone, Debug)]
pub struct KioskConfig {
    pub gate: String,
    pub zone: Option<String>,
    pub direction: Direction,
    pub anti_passback: AntiPassback,
    pub skew_secs: u64,
    /// A code seen again within this many ms of its last sighting is the
    /// same person still standing there.
    pub cooldown_ms: u64,
    /// Categories whose admits count only once the guard confirms (an ID
    /// check for heads of delegation, say). Empty: none.
    pub confirm_categories: Vec<String>,
    /// A guard watches a screen at this kiosk and can answer ID checks:
    /// the venue policy's ID-check categories then wait for them. Without
    /// one (headless), such admits are flagged instead, for whoever
    /// controls the gate.
    pub guard_present: bool,
    /// Categories whose badges sign a guard in when there is no venue
    /// policy (with one, its `staff` categories).
    pub staff_categories: Vec<String>,
    /// The folder of holders' photos (`SERIAL-photo.jpg`). A badge that
    /// carries a photo digest is admitted at an entry only with a matching
    /// photo, or after an ID check when none is here.
    pub photos: Option<PathBuf>,
    /// The venue this gate is at (a code of the key list's scopes); a
    /// badge whose signing key is for some venues only is refused at a
    /// gate that names none.
    pub venue: Option<String>,
}

/// The venue-wide anti-passback check (the office), as the engine asks
/// it. It answers within its own timeout, whatever the network does.
pub trait VenueCheck: Send {
    fn claim_entry(&mut self, claim: &EntryClaim) -> VenueAnswer;
}

/// An entry the gate would admit, to be claimed venue-wide.
#[derive(Clone, Debug)]
pub struct EntryClaim {
    pub serial: String,
    /// The gate's zone (`*`: any).
    pub zone: String,
    /// The sequence number the decision's record will have.
    pub seq: u64,
    pub gate: String,
    pub at_ms: u64,
    pub holder: String,
}

/// Longest note a guard can type, in characters.
pub const MAX_NOTE_CHARS: usize = 200;

/// Failures starting a kiosk.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KioskError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Revocations(#[from] RevocationError),
    #[error("this journal has taken up revocation list sequence {seen} from key {key_id}; start the kiosk with that key's current list")]
    RevocationsMissing { seen: u64, key_id: String },
    #[error("revocation list from key {key_id} has sequence {got}, older than sequence {seen} this journal has taken up; refusing a roll-back")]
    RolledBack { key_id: String, seen: u64, got: u64 },
    #[error("this journal has taken up venue policy sequence {seen} from key {key_id}; start the kiosk with --policy and the current policy")]
    PolicyMissing { seen: u64, key_id: String },
    #[error("{0}")]
    PolicyRefused(String),
    #[error("this journal has taken up key list sequence {seen}, but the trust folder {} ; refusing a roll-back: copy the current key list (badgegate-keys) into the trust folder", match .got { Some(g) => format!("holds only sequence {g}"), None => "holds no key list".to_owned() })]
    KeysRolledBack { seen: u64, got: Option<u64> },
}

/// A revocation list or venue policy taken up or refused while the kiosk
/// ran.
#[derive(Clone, Debug)]
pub struct ListChange {
    /// Its record in the journal.
    pub entry: Entry,
    pub accepted: bool,
    /// The venue policy taken up (`None` for a revocation list, or a
    /// refusal).
    pub policy: Option<VenuePolicy>,
}

/// Remembers which codes were seen when, so a badge held up for many frames
/// (or scanned twice) is decided once.
#[derive(Debug, Default)]
pub struct Debouncer {
    cooldown_ms: u64,
    last_seen: HashMap<Vec<u8>, u64>,
}

impl Debouncer {
    pub fn new(cooldown_ms: u64) -> Debouncer {
        Debouncer {
            cooldown_ms,
            last_seen: HashMap::new(),
        }
    }

    /// True if `code` should be decided now; false if it is the same
    /// sighting continuing (seen within the cooldown). Every sighting
    /// extends the cooldown.
    pub fn fresh(&mut self, code: &[u8], now_ms: u64) -> bool {
        let cooldown = self.cooldown_ms;
        if cooldown == 0 {
            return true;
        }
        if self.last_seen.len() >= DEBOUNCE_CAPACITY {
            self.last_seen
                .retain(|_, t| now_ms.saturating_sub(*t) <= cooldown);
        }
        match self.last_seen.insert(code.to_vec(), now_ms) {
            Some(t) => now_ms.saturating_sub(t) > cooldown,
            None => true,
        }
    }
}

/// One decision as committed.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub decision: Decision,
    pub entry: Entry,
    /// The engine admitted the badge, but its category needs the guard's
    /// confirmation: the record says `none` and nobody is admitted until
    /// [`Kiosk::confirm`] journals the guard's answer.
    pub awaiting_confirmation: bool,
    /// The holder's photo, as the photo folder has it.
    pub photo: PhotoCheck,
}

/// How the guard answered a confirmation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Confirmed,
    Refused,
    /// Nobody answered within the time allowed: not admitted.
    TimedOut,
}

/// What a guard asks of the engine from the screen.
#[derive(Clone, Debug)]
pub enum GuardAction {
    /// Journal the guard's answer to a confirmation.
    Confirm { pending: Outcome, answer: Answer },
    /// Journal a manual decision.
    Override {
        admit: bool,
        about: Option<Outcome>,
        note: String,
    },
    /// Decide a line typed by a keyboard-wedge scanner.
    Scan { text: String },
    /// The next badge shown (camera or scanner) signs a guard in, instead
    /// of being decided as an entry.
    SignIn,
    /// The guard changed their mind: the next badge is an entry again.
    CancelSignIn,
    /// The guard signs out.
    SignOut,
}

/// Today's numbers for the status bar.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    pub admitted: u64,
    pub denied: u64,
    /// Badges whose last admitted record in this journal is an entry.
    pub inside: u64,
}

/// Failures of a guard's action.
#[derive(Debug, thiserror::Error)]
pub enum GuardError {
    #[error("an override needs a note saying why (at most {MAX_NOTE_CHARS} characters)")]
    NoteNeeded,
    #[error("this decision does not wait for a confirmation")]
    NothingToConfirm,
    #[error("the ID check of record {0} was already settled: nothing to confirm")]
    AlreadySettled(u64),
    #[error("nobody is signed in: press F4 and show your staff badge first; a decision by hand names the guard")]
    NobodySignedIn,
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// Cleans a guard's typed note: control characters blanked, trimmed, capped;
/// `None` when nothing is left.
pub fn clean_note(note: &str) -> Option<String> {
    let kept: String = note
        .chars()
        .map(|c| {
            if badgegate_core::text::is_hidden_char(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    let cleaned: String = kept.trim().chars().take(MAX_NOTE_CHARS).collect();
    (!cleaned.is_empty()).then_some(cleaned)
}

/// A running kiosk.
pub struct Kiosk {
    cfg: KioskConfig,
    trust: TrustStore,
    revocations: RevocationSet,
    journal: Journal,
    debounce: Debouncer,
    presence: Presence,
    watch: Option<ListWatch>,
    lists_checked: Option<Instant>,
    /// The guard signed in at this kiosk, as records name them.
    guard: Option<String>,
    /// The venue policy in use, and where new ones are looked for.
    policy: Option<VenuePolicy>,
    policy_watch: Option<PolicyWatch>,
    /// Where newer key lists are looked for.
    keys_watch: Option<KeyListWatch>,
    /// The venue's office, asked before an entry is admitted.
    venue: Option<(Box<dyn VenueCheck>, OfflinePassback)>,
    /// ID checks waiting for the guard: serial → (its record, when).
    awaiting: HashMap<String, (u64, u64)>,
    /// What the guard should be told that is not a decision (a badge
    /// shown again while its ID check waits), taken by the gate's loop.
    notices: Vec<GateNotice>,
}

/// Something the gate tells the guard that is not a decision: the screen
/// words it in the guard's language; `Display` is the English (headless).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GateNotice {
    /// A badge shown again while its ID check (record `seq`) waits.
    AlreadyWaiting { serial: String, seq: u64 },
    /// The gate PC's clock jumped by `by_ms` (negative: set back); the gate
    /// keeps its own time `held_ms` ahead of it.
    ClockStepped { by_ms: i64, held_ms: u64 },
}

impl std::fmt::Display for GateNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GateNotice::AlreadyWaiting { serial, seq } => write!(
                f,
                "{serial} already waits for its ID check (record {seq}): answer that one"
            ),
            GateNotice::ClockStepped { by_ms, held_ms } => {
                let secs = by_ms.unsigned_abs() as f64 / 1000.0;
                if *by_ms < 0 {
                    write!(
                        f,
                        "CLOCK SET BACK {secs:.0} s: this gate keeps its own time ({:.0} s ahead of the clock); tell the security office",
                        *held_ms as f64 / 1000.0
                    )
                } else {
                    write!(f, "the clock jumped forward {secs:.0} s")
                }
            }
        }
    }
}

/// How long a waiting ID check holds its badge against a second check at
/// this gate (as long as the office holds its reservation): a second
/// showing meanwhile is the same person, not a new entry.
pub const AWAIT_CHECK_MS: u64 = 150_000;

/// The legacy (schema 1) place a journal kept the highest list sequence
/// seen from a key.
fn legacy_meta_key(key_id: &KeyId) -> String {
    format!("revocations.{key_id}.sequence")
}

/// The highest list sequence this journal has taken up from each trusted
/// key: from its `list` records, or for a journal written before lists
/// were recorded there, from its meta table. A retired key's lists are not
/// asked for (its badges are refused as `retired_key` whatever its list
/// says, and its lists are refused as retired): a journal that took one up
/// before the key was retired still starts.
fn list_floors(
    journal: &Journal,
    trust: &TrustStore,
    presence: &Presence,
) -> Result<BTreeMap<KeyId, u64>, JournalError> {
    let mut floors = BTreeMap::new();
    for k in trust
        .keys()
        .filter(|k| k.status != badgegate_core::format::keys::KeyStatus::Retired)
    {
        let id = k.key.id;
        let from_chain = presence.list_floor(&id.to_string());
        let from_meta = match from_chain {
            Some(_) => None,
            None => journal
                .meta(&legacy_meta_key(&id))?
                .and_then(|v| v.parse::<u64>().ok()),
        };
        if let Some(seq) = from_chain.or(from_meta).filter(|s| *s > 0) {
            floors.insert(id, seq);
        }
    }
    Ok(floors)
}

/// Refuses to start without, for every key this journal has taken a list
/// from, a list at least as new; returns the lists newer than the journal
/// has recorded.
fn check_lists<'a>(
    floors: &BTreeMap<KeyId, u64>,
    lists: &'a RevocationSet,
) -> Result<Vec<&'a RevocationList>, KioskError> {
    for (key, seen) in floors {
        match lists.get(key) {
            None => {
                return Err(KioskError::RevocationsMissing {
                    seen: *seen,
                    key_id: key.to_string(),
                })
            }
            Some(l) if l.sequence < *seen => {
                return Err(KioskError::RolledBack {
                    key_id: key.to_string(),
                    seen: *seen,
                    got: l.sequence,
                })
            }
            Some(_) => {}
        }
    }
    Ok(lists
        .lists()
        .filter(|l| floors.get(&l.key_id).is_none_or(|seen| l.sequence > *seen))
        .collect())
}

/// The start record's settings: what this kiosk decided with.
fn start_detail(cfg: &KioskConfig, trust: &TrustStore, lists: &RevocationSet) -> String {
    let keys: Vec<String> = trust
        .keys()
        .map(|k| {
            let retired = k.status == badgegate_core::format::keys::KeyStatus::Retired;
            format!("{}{}", k.key.id, if retired { " (retired)" } else { "" })
        })
        .collect();
    let mut detail = format!(
        "gate {} zone {} direction {} anti-passback {} skew {} s cooldown {} ms; trusted keys {}",
        cfg.gate,
        cfg.zone.as_deref().unwrap_or("(any)"),
        cfg.direction,
        cfg.anti_passback.as_str(),
        cfg.skew_secs,
        cfg.cooldown_ms,
        keys.join(", ")
    );
    if !cfg.confirm_categories.is_empty() {
        detail.push_str(&format!(
            "; guard confirms categories {}",
            cfg.confirm_categories.join(", ")
        ));
    }
    if lists.is_empty() {
        detail.push_str("; no revocation list");
    }
    for l in lists.lists() {
        detail.push_str(&format!(
            "; revocation list key {} sequence {} issued {} with {} serial(s)",
            l.key_id,
            l.sequence,
            format_human(l.issued_at),
            l.entries.len()
        ));
    }
    detail
}

impl Kiosk {
    /// Starts a kiosk: refuses a rolled-back (or missing) revocation list
    /// from any key the journal has taken one from, journals a start record
    /// and a `list` record for each list newer than the journal knows — so
    /// a journal that cannot be written stops the kiosk before any scan.
    pub fn start(
        cfg: KioskConfig,
        trust: TrustStore,
        revocations: RevocationSet,
        mut journal: Journal,
        now_ms: u64,
    ) -> Result<Kiosk, KioskError> {
        let presence = journal.presence()?;
        let keys_in_use = trust.keylist().map(|l| l.sequence);
        if let Some(seen) = presence.keys_floor() {
            if keys_in_use.is_none_or(|got| got < seen) {
                return Err(KioskError::KeysRolledBack {
                    seen,
                    got: keys_in_use,
                });
            }
        }
        let new_keys = trust
            .keylist()
            .filter(|l| presence.keys_floor().is_none_or(|seen| l.sequence > seen))
            .cloned();
        let floors = list_floors(&journal, &trust, &presence)?;
        let new_lists: Vec<RevocationList> = check_lists(&floors, &revocations)?
            .into_iter()
            .cloned()
            .collect();
        let mut detail = start_detail(&cfg, &trust, &revocations);
        // A run that did not close its journal (killed, crashed, power lost,
        // out of service): the start record says so, flagged, with the
        // time of the last record before the gap.
        let unclosed = journal.previous_run_unclosed()?;
        if let Some((who, last)) = &unclosed {
            detail.push_str(&format!(
                "; the previous run ({who}) did not close the journal: stopped out of service, killed or without power{}",
                last.map(|t| format!(", last record at {}", format_human(t / 1000)))
                    .unwrap_or_default()
            ));
        }
        journal.append(&NewEntry {
            at_ms: now_ms,
            kind: EntryKind::Start,
            gate: cfg.gate.clone(),
            zone: cfg.zone.clone(),
            direction: cfg.direction,
            decision: EntryDecision::None,
            reason: EntryReason::Start,
            flagged: unclosed.is_some(),
            detail,
            ..NewEntry::default()
        })?;
        let mut kiosk = Kiosk {
            debounce: Debouncer::new(cfg.cooldown_ms),
            cfg,
            trust,
            revocations,
            journal,
            presence,
            watch: None,
            lists_checked: None,
            guard: None,
            policy: None,
            policy_watch: None,
            keys_watch: None,
            venue: None,
            awaiting: HashMap::new(),
            notices: Vec::new(),
        };
        if let Some(l) = &new_keys {
            kiosk.record_keys(Ok(l), "", "taken up at start", now_ms)?;
        }
        for l in &new_lists {
            kiosk.record_list(l, "", "taken up at start", now_ms)?;
        }
        Ok(kiosk)
    }

    /// Looks for newer key lists in these places while the kiosk runs
    /// ([`Kiosk::refresh_lists`]).
    pub fn watch_keys(&mut self, watch: KeyListWatch) {
        self.keys_watch = Some(watch);
        self.lists_checked.get_or_insert_with(Instant::now);
        if self.watch.is_none() {
            self.watch = Some(ListWatch::default());
        }
    }

    /// The trust in use: the folder's keys, and the key list's.
    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }

    /// Takes up a newer key list, or refuses a changed one that is
    /// forged, not the root's, or older (or the same number with other
    /// content); journalled either way.
    fn refresh_keys(&mut self, now_ms: u64) -> Result<Vec<ListChange>, JournalError> {
        let Some(watch) = self.keys_watch.as_mut() else {
            return Ok(Vec::new());
        };
        let found = watch.changed(self.trust.roots());
        let mut changes = Vec::new();
        for (path, read) in found {
            let input = path.display().to_string();
            let in_use = self.trust.keylist();
            let outcome = match read {
                Err(e) => Err(e.to_string()),
                Ok(l) => match in_use.map(|u| (u.sequence, u == &l)) {
                    Some((_, true)) => continue,
                    Some((seq, false)) if l.sequence == seq => Err(format!(
                        "key list sequence {seq} from root {} differs from the sequence {seq} in use: two lists with one number, refused",
                        l.root_id
                    )),
                    Some((seq, false)) if l.sequence < seq => Err(format!(
                        "key list sequence {} is older than sequence {seq} in use; refusing a roll-back",
                        l.sequence
                    )),
                    _ => Ok(l),
                },
            };
            match outcome {
                Ok(l) => {
                    changes.push(self.record_keys(Ok(&l), &input, "taken up", now_ms)?);
                    self.trust = self.trust.with_keylist(l);
                }
                Err(why) => changes.push(self.record_keys(Err(&why), &input, "", now_ms)?),
            }
        }
        Ok(changes)
    }

    /// Journals a key list taken up, or refused (why).
    fn record_keys(
        &mut self,
        outcome: Result<&KeyList, &str>,
        input: &str,
        how: &str,
        now_ms: u64,
    ) -> Result<ListChange, JournalError> {
        let (reason, detail, key_id, seq) = match outcome {
            Ok(l) => (
                KioskEvent::KeysAccepted,
                format!(
                    "key list root {} sequence {} issued {}: {} issuing key(s) granted{} {how}",
                    l.root_id,
                    l.sequence,
                    format_human(l.issued_at),
                    l.grants.len(),
                    if l.withdrawn.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; withdrawn: {}",
                            l.withdrawn
                                .iter()
                                .map(|w| format!("{} ({})", w.key_id, w.reason))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                ),
                Some(l.root_id.to_string()),
                Some(l.sequence),
            ),
            Err(why) => (
                KioskEvent::KeysRefused,
                format!("key list refused: {why}; the key list in use is kept"),
                None,
                None,
            ),
        };
        let record = NewEntry {
            at_ms: now_ms,
            kind: EntryKind::List,
            gate: self.cfg.gate.clone(),
            zone: self.cfg.zone.clone(),
            direction: self.cfg.direction,
            key_id,
            decision: EntryDecision::None,
            reason: reason.into(),
            flagged: outcome.is_err(),
            detail: detail.trim_end().to_owned(),
            input: input.to_owned(),
            list_seq: seq,
            ..NewEntry::default()
        };
        let entry = self.journal.append(&record)?;
        self.presence.note(&entry.body);
        Ok(ListChange {
            entry,
            accepted: outcome.is_ok(),
            policy: None,
        })
    }

    /// Looks for new revocation lists in these files and folders while the
    /// kiosk runs ([`Kiosk::refresh_lists`]).
    pub fn watch_lists(&mut self, watch: ListWatch) {
        self.watch = Some(watch);
    }

    /// Takes up new revocation lists, at most every [`LIST_CHECK_EVERY`]:
    /// a newer list from a trusted key is used from the next decision on;
    /// a forged, unreadable or older one is refused and the one in use
    /// kept. Each is journalled; what was journalled is returned.
    pub fn refresh_lists(&mut self, now_ms: u64) -> Result<Vec<ListChange>, JournalError> {
        if self
            .lists_checked
            .is_some_and(|t| t.elapsed() < LIST_CHECK_EVERY)
        {
            return Ok(Vec::new());
        }
        self.lists_checked = Some(Instant::now());
        // Key lists first: the lists after them may be signed by a key
        // they grant.
        let mut changes = self.refresh_keys(now_ms)?;
        let Some(watch) = self.watch.as_mut() else {
            return Ok(changes);
        };
        let found = watch.changed(&self.trust);
        for f in found {
            if let Some(c) = self.take_list(f, now_ms)? {
                changes.push(c);
            }
        }
        if let Some(c) = self.refresh_policy(now_ms)? {
            changes.push(c);
        }
        Ok(changes)
    }

    /// Runs under the venue policy in `watch`'s file from now on: reads it
    /// now (a missing, forged or rolled-back policy stops the start), and
    /// again whenever [`Kiosk::refresh_lists`] looks. Without a policy
    /// file, a journal that took one up before refuses to start.
    pub fn run_under_policy(
        &mut self,
        watch: Option<PolicyWatch>,
        now_ms: u64,
    ) -> Result<Option<ListChange>, KioskError> {
        let floors = self.presence.policy_floors().clone();
        let Some(mut watch) = watch else {
            if let Some((key_id, seen)) = floors.iter().max_by_key(|(_, s)| **s) {
                return Err(KioskError::PolicyMissing {
                    seen: *seen,
                    key_id: key_id.clone(),
                });
            }
            return Ok(None);
        };
        let Some((source, read)) = watch.changed(&self.trust) else {
            // An office's policy file not delivered yet: none so far, unless
            // this journal took one up before.
            if let Some((key_id, seen)) = floors.iter().max_by_key(|(_, s)| **s) {
                return Err(KioskError::PolicyMissing {
                    seen: *seen,
                    key_id: key_id.clone(),
                });
            }
            self.policy_watch = Some(watch);
            self.lists_checked.get_or_insert_with(Instant::now);
            if self.watch.is_none() {
                self.watch = Some(ListWatch::default());
            }
            return Ok(None);
        };
        let change = match judge(None, &floors, read) {
            PolicyStep::Take(p) => {
                let known = floors.get(&p.key_id.to_string()) == Some(&p.sequence);
                let change = if known {
                    None
                } else {
                    Some(self.record_policy(
                        Ok(&p),
                        &source.display().to_string(),
                        "taken up at start",
                        now_ms,
                    )?)
                };
                self.policy = Some(p);
                change
            }
            PolicyStep::Same => None,
            PolicyStep::Refuse(why, _) => return Err(KioskError::PolicyRefused(why)),
        };
        self.policy_watch = Some(watch);
        // Changes from here on are taken up at the same pace as lists.
        self.lists_checked.get_or_insert_with(Instant::now);
        if self.watch.is_none() {
            self.watch = Some(ListWatch::default());
        }
        Ok(change)
    }

    /// The venue policy in use.
    /// What the guard should be told that is not a decision, since last
    /// asked.
    pub fn take_notices(&mut self) -> Vec<GateNotice> {
        std::mem::take(&mut self.notices)
    }

    pub fn policy(&self) -> Option<&VenuePolicy> {
        self.policy.as_ref()
    }

    /// The venue's time as its policy names it (UTC without one): the
    /// times in a decision's words.
    pub fn venue_time(&self) -> badgegate_core::clock::VenueTime {
        self.policy
            .as_ref()
            .map(|p| p.body.venue_time())
            .unwrap_or_default()
    }

    /// Takes up a changed policy file, or refuses it; journalled either way.
    fn refresh_policy(&mut self, now_ms: u64) -> Result<Option<ListChange>, JournalError> {
        let Some(watch) = self.policy_watch.as_mut() else {
            return Ok(None);
        };
        let Some((source, read)) = watch.changed(&self.trust) else {
            return Ok(None);
        };
        let input = source.display().to_string();
        let floors = self.presence.policy_floors().clone();
        match judge(self.policy.as_ref(), &floors, read) {
            PolicyStep::Same => Ok(None),
            PolicyStep::Take(p) => {
                let change = self.record_policy(Ok(&p), &input, "taken up", now_ms)?;
                self.policy = Some(p);
                Ok(Some(change))
            }
            PolicyStep::Refuse(why, p) => {
                let change =
                    self.record_policy(Err((why.as_str(), p.as_ref())), &input, "", now_ms)?;
                Ok(Some(change))
            }
        }
    }

    /// Journals a policy taken up (`Ok`) or refused (`Err((why, policy if
    /// it could be read))`).
    fn record_policy(
        &mut self,
        outcome: Result<&VenuePolicy, (&str, Option<&VenuePolicy>)>,
        input: &str,
        how: &str,
        now_ms: u64,
    ) -> Result<ListChange, JournalError> {
        let (p, reason, detail) = match outcome {
            Ok(p) => (
                Some(p),
                KioskEvent::PolicyAccepted,
                format!(
                    "venue policy key {} sequence {} issued {} ({}: {} zone(s), {} categories, {} gate(s), {}{}{}) {how}",
                    p.key_id,
                    p.sequence,
                    format_human(p.issued_at),
                    p.body.venue,
                    p.body.zones.len(),
                    p.body.categories.len(),
                    p.body.gates.len(),
                    badgegate_core::clock::POLICY_ZONE,
                    p.body.time_zone,
                    p.body
                        .language
                        .as_deref()
                        .map(|l| format!("{}{l}", badgegate_core::rules::POLICY_LANGUAGE))
                        .unwrap_or_default()
                ),
            ),
            Err((why, p)) => (p, KioskEvent::PolicyRefused, why.to_owned()),
        };
        let record = NewEntry {
            at_ms: now_ms,
            kind: EntryKind::List,
            gate: self.cfg.gate.clone(),
            zone: self.cfg.zone.clone(),
            direction: self.cfg.direction,
            key_id: p.map(|p| p.key_id.to_string()),
            decision: EntryDecision::None,
            reason: reason.into(),
            detail,
            input: input.to_owned(),
            list_seq: p.map(|p| p.sequence),
            guard: self.guard.clone(),
            ..NewEntry::default()
        };
        let entry = self.commit(&record)?;
        let accepted = reason == KioskEvent::PolicyAccepted;
        Ok(ListChange {
            entry,
            accepted,
            policy: if accepted { p.cloned() } else { None },
        })
    }

    /// One list file as read: taken up if newer than the one in use from
    /// its key, otherwise refused (unless it is the very list in use).
    fn take_list(&mut self, found: Found, now_ms: u64) -> Result<Option<ListChange>, JournalError> {
        let input = found.path.display().to_string();
        let list = match found.list {
            Ok(l) => l,
            Err(e) => {
                let why = format!("refused revocation list: {e}; the list in use is kept");
                return self.record_refusal(None, &input, &why, now_ms).map(Some);
            }
        };
        let current = self.revocations.get(&list.key_id).map(|c| c.sequence);
        match current {
            Some(seq) if seq == list.sequence => {
                if self.revocations.get(&list.key_id) == Some(&list) {
                    return Ok(None);
                }
                let why = format!(
                    "refused revocation list key {} sequence {}: it differs from the list of the same number in use",
                    list.key_id, list.sequence
                );
                self.record_refusal(Some(&list), &input, &why, now_ms)
                    .map(Some)
            }
            Some(seq) if seq > list.sequence => {
                let why = format!(
                    "refused revocation list key {} sequence {}: older than sequence {seq} in use (a roll-back)",
                    list.key_id, list.sequence
                );
                self.record_refusal(Some(&list), &input, &why, now_ms)
                    .map(Some)
            }
            _ => {
                let change = self.record_list(&list, &input, "taken up", now_ms)?;
                self.revocations.put(list);
                Ok(Some(change))
            }
        }
    }

    fn record_refusal(
        &mut self,
        list: Option<&RevocationList>,
        input: &str,
        why: &str,
        now_ms: u64,
    ) -> Result<ListChange, JournalError> {
        let record = NewEntry {
            at_ms: now_ms,
            kind: EntryKind::List,
            gate: self.cfg.gate.clone(),
            zone: self.cfg.zone.clone(),
            direction: self.cfg.direction,
            key_id: list.map(|l| l.key_id.to_string()),
            decision: EntryDecision::None,
            reason: KioskEvent::ListRefused.into(),
            detail: why.to_owned(),
            input: input.to_owned(),
            list_seq: list.map(|l| l.sequence).filter(|s| *s > 0),
            ..NewEntry::default()
        };
        let entry = self.journal.append(&record)?;
        Ok(ListChange {
            entry,
            accepted: false,
            policy: None,
        })
    }

    /// Journals a list taken up: its key and sequence, in the chain.
    fn record_list(
        &mut self,
        l: &RevocationList,
        input: &str,
        how: &str,
        now_ms: u64,
    ) -> Result<ListChange, JournalError> {
        let record = NewEntry {
            at_ms: now_ms,
            kind: EntryKind::List,
            gate: self.cfg.gate.clone(),
            zone: self.cfg.zone.clone(),
            direction: self.cfg.direction,
            key_id: Some(l.key_id.to_string()),
            decision: EntryDecision::None,
            reason: KioskEvent::ListAccepted.into(),
            detail: format!(
                "revocation list key {} sequence {} issued {} with {} serial(s){} {how}",
                l.key_id,
                l.sequence,
                format_human(l.issued_at),
                l.entries.len(),
                if l.reinstated.is_empty() {
                    String::new()
                } else {
                    // Who is valid again, and why: named in the journal.
                    format!(
                        "; reinstated: {}",
                        l.reinstated
                            .iter()
                            .map(|r| format!("{} ({})", r.serial, r.reason))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ),
            input: input.to_owned(),
            list_seq: Some(l.sequence),
            ..NewEntry::default()
        };
        let entry = self.journal.append(&record)?;
        self.presence.note(&entry.body);
        Ok(ListChange {
            entry,
            accepted: true,
            policy: None,
        })
    }

    pub fn config(&self) -> &KioskConfig {
        &self.cfg
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// Decisions from here to [`Kiosk::commit_batch`] are journalled in
    /// one transaction, made durable together (codes that were already
    /// waiting share one fsync). None may be shown or acted on before the
    /// batch commits.
    pub fn begin_batch(&mut self) -> Result<(), JournalError> {
        self.journal.begin_batch()
    }

    /// Makes the batch's records durable; `Err`: none was kept, and the
    /// kiosk is out of service.
    pub fn commit_batch(&mut self) -> Result<(), JournalError> {
        self.journal.commit_batch()
    }

    /// Drops the batch after a failure: none of its records is kept.
    pub fn abandon_batch(&mut self) {
        self.journal.abandon_batch()
    }

    /// The revocation lists in use, one per key.
    pub fn revocations(&self) -> &RevocationSet {
        &self.revocations
    }

    /// Decides one code read at `now_ms` (Unix ms) and journals it.
    /// `Ok(None)`: the same code is still in view (debounced). `Err`: the
    /// journal could not be written — the decision must not be shown and
    /// the kiosk must stop admitting.
    pub fn scan(
        &mut self,
        code: &[u8],
        input: &str,
        now_ms: u64,
    ) -> Result<Option<Outcome>, JournalError> {
        if !self.debounce.fresh(code, now_ms) {
            return Ok(None);
        }
        let gate = GatePolicy {
            zone: self.cfg.zone.clone(),
            skew_secs: self.cfg.skew_secs,
            direction: self.cfg.direction,
            time: self.venue_time(),
            venue: self.cfg.venue.clone(),
        };
        let checks = Checks {
            trust: &self.trust,
            revocations: Some(&self.revocations),
            gate: &gate,
            now: now_ms / 1000,
        };
        let mut d = decide_bytes(code, &checks);
        // Shown again while its ID check waits: the same person at the same
        // gate, not a second entry to check (nor to admit twice).
        if let Some(b) = d.badge.as_ref().filter(|_| d.authentic) {
            if let Some((seq, at)) = self.awaiting.get(&b.serial) {
                if now_ms.saturating_sub(*at) < AWAIT_CHECK_MS {
                    self.notices.push(GateNotice::AlreadyWaiting {
                        serial: badgegate_core::text::printable_short(&b.serial, 40),
                        seq: *seq,
                    });
                    return Ok(None);
                }
            }
        }
        let passback =
            self.cfg.direction == Direction::In && self.cfg.anti_passback != AntiPassback::Off;
        // In the venue the office, which hears every gate's exits, judges
        // presence; this gate's own record (it never sees people leave by
        // another gate) only when the office does not answer.
        if d.is_admit() && passback && self.venue.is_none() {
            if let Some(b) = &d.badge {
                let inside = self.presence.is_inside(&b.serial);
                d = apply_anti_passback(d, self.cfg.anti_passback, self.cfg.direction, inside);
            }
        }
        let photo = d.badge.as_ref().map_or(PhotoCheck::NotOnBadge, |b| {
            photo::check(b, self.cfg.photos.as_deref())
        });
        d = photo::apply(d, &photo, self.cfg.direction, self.cfg.guard_present);
        // The venue-wide reservation last, after every local check: a
        // badge this gate refuses reserves nothing.
        if d.is_admit() && passback {
            d = self.venue_passback(d, now_ms);
        }
        let awaiting_confirmation = d.is_admit()
            && (self.needs_confirmation(&d)
                || (self.cfg.guard_present
                    && self.cfg.direction == Direction::In
                    && photo.code() == "missing"));
        // No guard to ask: an ID-check category is admitted flagged at an
        // entrance, so the controller (or whoever reads the lines) knows
        // to look.
        if d.is_admit() && !awaiting_confirmation && self.cfg.direction == Direction::In {
            if let Some(b) = &d.badge {
                if self.policy_checks_id(&b.category) {
                    d.flagged = true;
                    d.detail = format!("{}; the venue checks this category's ID", d.detail);
                }
            }
        }
        let mut record = self.entry_for(&d, input, now_ms, EntryKind::Decision, None);
        if awaiting_confirmation {
            record.decision = EntryDecision::None;
            record.detail = format!("{}; awaiting the guard's ID check", d.detail);
        }
        let entry = self.commit(&record)?;
        if awaiting_confirmation {
            if let Some(b) = &d.badge {
                self.awaiting.insert(b.serial.clone(), (entry.seq, now_ms));
            }
        }
        Ok(Some(Outcome {
            decision: d,
            entry,
            awaiting_confirmation,
            photo,
        }))
    }

    /// Joins the venue: entries are claimed at the office first; when it
    /// does not answer in time, `offline` decides.
    pub fn join_venue(&mut self, check: Box<dyn VenueCheck>, offline: OfflinePassback) {
        self.venue = Some((check, offline));
    }

    /// Asks the office whether an entry this gate would admit is already
    /// inside elsewhere in the zone (only when the gate is in the venue).
    fn venue_passback(&mut self, d: Decision, now_ms: u64) -> Decision {
        let Some((check, offline)) = self.venue.as_mut() else {
            return d;
        };
        let (Some(b), true) = (d.badge.as_ref(), d.is_admit()) else {
            return d;
        };
        let claim = EntryClaim {
            serial: b.serial.clone(),
            zone: self.cfg.zone.clone().unwrap_or_else(|| "*".into()),
            seq: self.journal.next_seq(),
            gate: self.cfg.gate.clone(),
            at_ms: now_ms,
            holder: b.name.clone(),
        };
        let answer = check.claim_entry(&claim);
        let offline = *offline;
        let mut d = d;
        if matches!(answer, VenueAnswer::Unanswered(_)) {
            // Offline: what this gate itself saw first.
            let inside = self.presence.is_inside(&claim.serial);
            d = apply_anti_passback(d, self.cfg.anti_passback, self.cfg.direction, inside);
            if !d.is_admit() {
                return d;
            }
        }
        let time = self.venue_time();
        apply_venue_passback(d, &answer, self.cfg.anti_passback, offline, |ms| {
            time.format(ms / 1000)
        })
    }

    /// True when this admitted badge's category needs the guard to confirm:
    /// at an entrance only (an exit is never held back for an ID check,
    /// as it is never held back for a photo).
    fn needs_confirmation(&self, d: &Decision) -> bool {
        self.cfg.direction == Direction::In
            && d.badge.as_ref().is_some_and(|b| {
                self.cfg
                    .confirm_categories
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(&b.category))
                    || (self.cfg.guard_present && self.policy_checks_id(&b.category))
            })
    }

    /// True when the venue policy says a guard checks this category's ID.
    fn policy_checks_id(&self, category: &str) -> bool {
        self.policy
            .as_ref()
            .and_then(|p| p.body.category(category))
            .is_some_and(|c| c.id_check)
    }

    /// Journals the guard's answer to a decision awaiting confirmation.
    /// Only a confirmed answer admits; the returned outcome is what to show.
    pub fn confirm(
        &mut self,
        pending: &Outcome,
        answer: Answer,
        note: Option<&str>,
        now_ms: u64,
    ) -> Result<Outcome, GuardError> {
        if !pending.awaiting_confirmation {
            return Err(GuardError::NothingToConfirm);
        }
        // Only the check still waiting: one settled meanwhile (answered,
        // or its badge admitted or refused by hand) admits no one again.
        let serial = pending.decision.badge.as_ref().map(|b| b.serial.clone());
        let waiting = serial
            .as_ref()
            .and_then(|s| self.awaiting.get(s))
            .is_some_and(|(seq, _)| *seq == pending.entry.seq);
        if !waiting {
            return Err(GuardError::AlreadySettled(pending.entry.seq));
        }
        // A guard's answer names the guard; only the timeout (nobody
        // answered: not admitted) is journalled without one.
        if answer != Answer::TimedOut && self.cfg.guard_present && self.guard.is_none() {
            return Err(GuardError::NobodySignedIn);
        }
        let mut d = pending.decision.clone();
        let (reason, detail) = match answer {
            Answer::Confirmed => (
                GuardReason::Confirmed,
                "the guard confirmed the ID check".to_owned(),
            ),
            Answer::Refused => {
                d.verdict = Verdict::Deny;
                (
                    GuardReason::Refused,
                    "the guard refused the holder at the ID check".to_owned(),
                )
            }
            Answer::TimedOut => {
                d.verdict = Verdict::Deny;
                (
                    GuardReason::NotConfirmed,
                    "not confirmed by the guard in time: not admitted".to_owned(),
                )
            }
        };
        d.detail = detail;
        let mut record = self.entry_for(
            &d,
            &pending.entry.body.input,
            now_ms,
            EntryKind::Confirm,
            note.and_then(clean_note),
        );
        record.reason = reason.into();
        let entry = self.commit(&record)?;
        if let Some(s) = &serial {
            self.awaiting.remove(s);
        }
        Ok(Outcome {
            decision: d,
            entry,
            awaiting_confirmation: false,
            photo: pending.photo.clone(),
        })
    }

    /// Journals a guard's manual decision with the note saying why. `about`
    /// is the decision shown when the guard acted (the disputed case), or
    /// `None` for a badge that would not read at all.
    pub fn override_decision(
        &mut self,
        admit: bool,
        about: Option<&Outcome>,
        note: &str,
        now_ms: u64,
    ) -> Result<Outcome, GuardError> {
        if self.cfg.guard_present && self.guard.is_none() {
            return Err(GuardError::NobodySignedIn);
        }
        let note = clean_note(note).ok_or(GuardError::NoteNeeded)?;
        let mut d = match about {
            Some(o) => o.decision.clone(),
            None => Decision::not_a_badge(""),
        };
        d.verdict = if admit { Verdict::Admit } else { Verdict::Deny };
        d.flagged = false;
        d.detail = if admit {
            "admitted by hand by the guard".into()
        } else {
            "refused by hand by the guard".into()
        };
        let input = about.map_or("guard", |o| o.entry.body.input.as_str());
        let mut record = self.entry_for(&d, input, now_ms, EntryKind::Override, Some(note));
        record.reason = GuardReason::Override.into();
        let entry = self.commit(&record)?;
        // A hand decision settles the badge's waiting ID check.
        if let Some(b) = about.and_then(|o| o.decision.badge.as_ref()) {
            self.awaiting.remove(&b.serial);
        }
        Ok(Outcome {
            decision: d,
            entry,
            awaiting_confirmation: false,
            photo: about.map_or(PhotoCheck::NotOnBadge, |o| o.photo.clone()),
        })
    }

    /// Journals how the admit hook ran for the admit `admit`: a `hook`
    /// record naming the holder and the admit's record number, `hook_ok` or
    /// `hook_failed` with the command's last words.
    pub fn record_hook(
        &mut self,
        admit: &Entry,
        run: &HookRun,
        timeout: std::time::Duration,
        now_ms: u64,
    ) -> Result<Entry, JournalError> {
        let a = &admit.body;
        let record = NewEntry {
            at_ms: now_ms.max(a.at_ms),
            kind: EntryKind::Hook,
            gate: self.cfg.gate.clone(),
            zone: self.cfg.zone.clone(),
            direction: self.cfg.direction,
            serial: a.serial.clone(),
            holder: a.holder.clone(),
            org: a.org.clone(),
            category: a.category.clone(),
            key_id: a.key_id.clone(),
            decision: EntryDecision::None,
            reason: if run.end.is_success() {
                KioskEvent::HookOk.into()
            } else {
                KioskEvent::HookFailed.into()
            },
            authentic: a.authentic,
            detail: format!(
                "on-admit command for record {}: {}",
                admit.seq,
                run.describe(timeout)
            ),
            input: a.input.clone(),
            guard: self.guard.clone(),
            ..NewEntry::default()
        };
        self.commit(&record)
    }

    /// Journals a jump of the gate PC's clock (a `clock` record, an alarm at
    /// the office), dated by the time the gate keeps.
    pub fn record_clock_step(
        &mut self,
        step: &crate::gate::timekeeper::ClockStep,
    ) -> Result<Entry, JournalError> {
        let record = NewEntry {
            at_ms: step.kept_ms,
            kind: EntryKind::Clock,
            gate: self.cfg.gate.clone(),
            zone: self.cfg.zone.clone(),
            direction: self.cfg.direction,
            decision: EntryDecision::None,
            reason: KioskEvent::ClockStep.into(),
            detail: format!(
                "{} (clock read {}, time kept {})",
                step.words(),
                badgegate_core::clock::format_utc_ms(step.wall_ms),
                badgegate_core::clock::format_utc_ms(step.kept_ms)
            ),
            guard: self.guard.clone(),
            ..NewEntry::default()
        };
        self.commit(&record)
    }

    /// Admits, denies (since `since_ms`) and people inside, as the journal
    /// says.
    pub fn counters(&self, since_ms: u64) -> Result<Counters, JournalError> {
        let (admitted, denied) = self.presence.decision_counts(since_ms);
        Ok(Counters {
            admitted,
            denied,
            inside: self.presence.inside_count(),
        })
    }

    /// Appends a record and takes it into the kiosk's view of who is inside.
    fn commit(&mut self, record: &NewEntry) -> Result<Entry, JournalError> {
        let entry = self.journal.append(record)?;
        self.presence.note(&entry.body);
        Ok(entry)
    }

    fn entry_for(
        &self,
        d: &Decision,
        input: &str,
        now_ms: u64,
        kind: EntryKind,
        note: Option<String>,
    ) -> NewEntry {
        let place = badgegate_core::decide::Place {
            gate: &self.cfg.gate,
            zone: self.cfg.zone.as_deref(),
            direction: self.cfg.direction,
            guard: self.guard.as_deref(),
        };
        d.entry(input, now_ms, kind, note, &place)
    }

    /// The JSON line for an outcome: the decision fields of the interface
    /// contract plus where and when it was journalled.
    pub fn outcome_line<'a>(&'a self, o: &'a Outcome) -> DecisionLine<'a> {
        DecisionLine {
            kiosk_id: Some(&o.entry.kiosk_id),
            seq: Some(o.entry.seq),
            // The chain head after this record: a log collector that keeps
            // these lines can later prove the journal was not cut back.
            hash: Some(badgegate_core::text::hex(&o.entry.hash)),
            at: Some(format_utc_ms(o.entry.body.at_ms)),
            gate: Some(&self.cfg.gate),
            zone: Some(self.cfg.zone.as_deref()),
            direction: Some(self.cfg.direction.code()),
            photo: (o.photo != PhotoCheck::NotOnBadge).then(|| o.photo.code()),
            ..o.decision.line(&o.entry.body.input)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debouncer_merges_a_continuous_sighting_and_lets_a_new_one_through() {
        let mut d = Debouncer::new(1000);
        assert!(d.fresh(b"A", 0));
        assert!(!d.fresh(b"A", 500));
        assert!(
            !d.fresh(b"A", 1400),
            "still in view: each sighting extends the cooldown"
        );
        assert!(d.fresh(b"B", 1450), "a different badge is decided at once");
        assert!(
            d.fresh(b"A", 2401),
            "gone for longer than the cooldown: a new decision"
        );
        let mut off = Debouncer::new(0);
        assert!(off.fresh(b"A", 0) && off.fresh(b"A", 0));
    }
}
