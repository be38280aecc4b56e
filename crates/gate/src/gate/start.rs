//! A gate, wired: the trust folder, the revocation lists, the journal
//! (signed with the kiosk's key), the venue policy and the venue office's
//! link, loaded, checked against each other and started, as one call the
//! kiosk command, tests and tools make alike. What a person should read on
//! the way goes to [`Notices`]; what stops the start is a [`StartError`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use badgegate_core::clock::{format_human, format_span};
use badgegate_core::format::keylist::KeyList;
use badgegate_core::format::keys::{KeyError, SecretKey, TrustStore};
use badgegate_core::format::policy::{GateFinding, PolicyError, VenuePolicy};
use badgegate_core::format::revocation::RevocationError;
use badgegate_core::journal::{Journal, JournalError};
use badgegate_core::notice::Notices;
use badgegate_core::text::{printable, shown_path};

use crate::gate::decide::OfflinePassback;
use crate::gate::engine::{Kiosk, KioskConfig, KioskError};
use crate::gate::lists::{KeyListWatch, ListWatch, RevocationSet};
use crate::gate::runtime::{list_change_line, KioskClock};
use crate::gate::venue::PolicyWatch;
use crate::net::link::{self, LinkConfig, Passback, SharedState};
use crate::net::OfficeError;

/// What stops a gate from starting. Each says what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("revocation list {0} does not exist; give the list the desk wrote (badgegate revoke --list)")]
    MissingList(String),
    #[error("refusing revocation list {path}: {source}")]
    List {
        path: String,
        #[source]
        source: RevocationError,
    },
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("journal {path} is signed by this kiosk's key {key}: a signed journal stays signed; start the kiosk with --signing-key (its KIOSK.key.pem)")]
    SignedJournal { path: String, key: String },
    #[error("the kiosk cannot start and admits no one")]
    Policy(#[source] PolicyError),
    #[error("{0}; the kiosk cannot start and admits no one: give the policy's gate name (--gate), or --zone")]
    UnknownGate(String),
    #[error("the kiosk cannot start and admits no one")]
    Kiosk(#[source] KioskError),
    #[error("the venue office")]
    Office(#[source] OfficeError),
    #[error("{what} {path}: {source}")]
    Files {
        what: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// How a gate joins the venue office.
pub struct Venue {
    /// The private connection file (`add-kiosk` wrote it).
    pub connection_file: PathBuf,
    /// How long an entrance waits for the office's answer.
    pub passback_timeout: Duration,
    /// What an entrance does when the office cannot answer.
    pub offline: OfflinePassback,
}

/// Where a gate's parts are, and what its command line already settled.
pub struct Setup {
    pub trust: PathBuf,
    pub journal: PathBuf,
    /// Revocation list files or folders, each verified against `trust`.
    pub revocations: Vec<PathBuf>,
    /// The signed venue policy (a file watched while running).
    pub policy: Option<PathBuf>,
    pub venue: Option<Venue>,
    /// The kiosk's own key: the journal is signed with it.
    pub signing_key: Option<PathBuf>,
    /// The journal's kiosk id when it is new (else the key's name, else
    /// this machine's name and the gate's).
    pub kiosk_id: Option<String>,
    /// The zone and direction were given (they win over the policy's).
    pub zone_given: bool,
    pub direction_given: bool,
    /// No screen: nobody to ask for an ID check.
    pub headless: bool,
    /// Where the lines for the gate's log go.
    pub notices: Notices,
}

/// A started gate: the engine, and the office's link when it joined one.
pub struct Started {
    pub kiosk: Kiosk,
    pub office: Option<SharedState>,
}

/// Loads a secret key, and warns when others than its owner may read the
/// file (it should be 0600, as keygen writes it).
pub fn load_secret_key(path: &Path, notices: &Notices) -> Result<SecretKey, KeyError> {
    let key = SecretKey::load(path)?;
    if let Some(mode) = SecretKey::exposed_mode(path) {
        notices.say(format!(
            "warning: secret key {} has mode {mode:04o}: others on this computer can read it; make it private with `chmod 600 {}`",
            shown_path(path),
            shown_path(path)
        ));
    }
    Ok(key)
}

/// Loads the trust folder (its warnings said) and every revocation list
/// the `revocations` paths hold, each verified against it. A list that
/// does not verify stops the start: it might be the one that revokes the
/// badge at the gate.
pub fn load_trust(
    dir: &Path,
    revocations: &[PathBuf],
    notices: &Notices,
) -> Result<(TrustStore, RevocationSet, ListWatch), StartError> {
    load_trust_with(dir, None, revocations, notices)
}

/// [`load_trust`], with the key list the office delivered (`keys_file`)
/// taken up first when it is newer than the trust folder's and verifies
/// under the folder's root keys (one that does not is said and left
/// unused: the office is not trusted for it).
pub fn load_trust_with(
    dir: &Path,
    keys_file: Option<&Path>,
    revocations: &[PathBuf],
    notices: &Notices,
) -> Result<(TrustStore, RevocationSet, ListWatch), StartError> {
    let mut trust = TrustStore::load(dir)?;
    for w in &trust.warnings {
        notices.say(format!("warning: {}", printable(w)));
    }
    if let Some(path) = keys_file.filter(|p| p.exists()) {
        match KeyList::load_verified(path, trust.roots()) {
            Ok(l) if trust.keylist().is_none_or(|k| l.sequence > k.sequence) => {
                trust = trust.with_keylist(l);
            }
            Ok(_) => {}
            Err(e) => notices.say(format!(
                "warning: the office's key list {} is not used: {e}",
                shown_path(path)
            )),
        }
    }
    if let Some(p) = revocations.iter().find(|p| !p.exists()) {
        return Err(StartError::MissingList(shown_path(p)));
    }
    let mut watch = ListWatch::new(revocations.to_vec());
    let mut lists = Vec::new();
    for found in watch.read_all(&trust) {
        // A list from a key since retired decides nothing (that key's
        // badges are refused as retired): skipped, not a reason to stop.
        if let Err(RevocationError::RetiredKey(key)) = &found.list {
            notices.say(format!(
                "warning: revocation list {} is signed by retired key {key}: not used (badges of that key are refused as retired)",
                shown_path(&found.path)
            ));
            continue;
        }
        if let Err(RevocationError::WithdrawnKey(key)) = &found.list {
            notices.say(format!(
                "warning: revocation list {} is signed by key {key}, which the key list withdrew: not used (badges of that key are refused as withdrawn)",
                shown_path(&found.path)
            ));
            continue;
        }
        let list = found.list.map_err(|source| StartError::List {
            path: shown_path(&found.path),
            source,
        })?;
        lists.push(list);
    }
    Ok((trust, RevocationSet::of(lists), watch))
}

/// The kiosk engine, started: trust, lists, journal and venue policy
/// loaded and checked against the journal, the start recorded, the office
/// joined.
pub fn start(
    setup: &Setup,
    mut cfg: KioskConfig,
    clock: KioskClock,
) -> Result<Started, StartError> {
    let notices = &setup.notices;
    // With the venue office, lists and the policy it delivers are kept in a
    // folder beside the journal, read like any other.
    let office = match &setup.venue {
        Some(v) => Some(OfficeFiles::prepare(
            &v.connection_file,
            &setup.journal,
            setup.policy.as_deref(),
        )?),
        None => None,
    };
    let mut sources = setup.revocations.clone();
    sources.extend(office.as_ref().map(|o| o.lists_dir.clone()));
    // With the office, holders' photos come from it: into `--photos`, or
    // a folder beside the journal the gate then reads them from.
    if let Some(o) = &office {
        if cfg.photos.is_none() {
            let dir = o.lists_dir.with_file_name("photos");
            std::fs::create_dir_all(&dir).map_err(|source| StartError::Files {
                what: "creating",
                path: shown_path(&dir),
                source,
            })?;
            cfg.photos = Some(dir);
        }
    }
    let keys_file = office.as_ref().map(|o| o.keys_file.clone());
    let (trust, revocations, watch) =
        load_trust_with(&setup.trust, keys_file.as_deref(), &sources, notices)?;
    let keys_watch = (!trust.roots().is_empty()).then(|| {
        let mut sources = vec![setup.trust.clone()];
        sources.extend(keys_file.clone());
        KeyListWatch::new(sources, trust.roots())
    });
    let journal = open_journal(setup, &cfg.gate)?;
    let policy_path = office
        .as_ref()
        .map(|o| o.policy_file.clone())
        .or_else(|| setup.policy.clone());
    if let Some(path) = policy_path.as_ref().filter(|p| p.exists()) {
        first_policy(path, &trust, &mut cfg, setup, notices)?;
    }
    // The gate's time never goes below what it already holds: its last
    // record, the newest list's signature.
    let newest_list = revocations.lists().map(|l| l.issued_at * 1000).max();
    clock.hold_from(last_record_at(&journal)?.max(newest_list.unwrap_or(0)));
    let now_ms = if clock.simulated {
        clock.base_ms
    } else {
        clock.now_ms()
    };
    // Nothing after the start record is dated before it (a line read
    // while the gate started, say).
    clock.hold_from(now_ms);
    let office_trust = trust.clone();
    let mut kiosk =
        Kiosk::start(cfg, trust, revocations, journal, now_ms).map_err(StartError::Kiosk)?;
    kiosk.watch_lists(watch);
    if let Some(w) = keys_watch {
        kiosk.watch_keys(w);
    }
    // With the office, its deliveries, and the `--policy` file too: a
    // newer policy copied onto the gate PC is taken up while the office
    // cannot be reached.
    let policy_watch = match (&office, policy_path) {
        (Some(_), Some(p)) => Some(match &setup.policy {
            Some(given) => PolicyWatch::optional(p).also(given.clone()),
            None => PolicyWatch::optional(p),
        }),
        (None, Some(p)) => Some(PolicyWatch::new(p)),
        _ => None,
    };
    let taken = kiosk
        .run_under_policy(policy_watch, now_ms)
        .map_err(StartError::Kiosk)?;
    let link = match (office, &setup.venue) {
        (Some(o), Some(v)) => Some(o.join(v, &mut kiosk, office_trust, setup, clock)),
        _ => None,
    };
    for c in taken.as_slice() {
        notices.say(list_change_line(c));
    }
    if let Some(p) = kiosk.policy() {
        say_policy(p, setup.headless, notices);
    }
    announce(&kiosk, now_ms, notices);
    Ok(Started {
        kiosk,
        office: link,
    })
}

/// Where the office's deliveries are kept for this kiosk.
struct OfficeFiles {
    url: String,
    lists_dir: PathBuf,
    policy_file: PathBuf,
    keys_file: PathBuf,
}

impl OfficeFiles {
    /// Reads the connection file and makes the local folder; a `--policy`
    /// given as well seeds the office's policy file the first time.
    fn prepare(
        file: &Path,
        journal: &Path,
        policy: Option<&Path>,
    ) -> Result<OfficeFiles, StartError> {
        let url = crate::net::connect::read_connection_file(file).map_err(StartError::Office)?;
        let dir = link::cache_dir(journal);
        let lists_dir = dir.join("lists");
        std::fs::create_dir_all(&lists_dir).map_err(|source| StartError::Files {
            what: "creating",
            path: shown_path(&lists_dir),
            source,
        })?;
        let policy_file = dir.join("policy.txt");
        if let (Some(given), false) = (policy, policy_file.exists()) {
            std::fs::copy(given, &policy_file).map_err(|source| StartError::Files {
                what: "copying the venue policy into",
                path: shown_path(&dir),
                source,
            })?;
        }
        Ok(OfficeFiles {
            url,
            lists_dir,
            policy_file,
            keys_file: dir.join("keys.txt"),
        })
    }

    /// Starts pushing records and fetching lists, and asks the office
    /// before each entry.
    fn join(
        self,
        venue: &Venue,
        kiosk: &mut Kiosk,
        trust: TrustStore,
        setup: &Setup,
        clock: KioskClock,
    ) -> SharedState {
        let state = link::start_pusher(LinkConfig {
            url: self.url.clone(),
            journal: setup.journal.clone(),
            kiosk_id: kiosk.journal().kiosk_id().to_owned(),
            lists_dir: self.lists_dir,
            policy_file: self.policy_file,
            keys_file: self.keys_file,
            photos_dir: kiosk.config().photos.clone(),
            trust,
            notices: setup.notices.clone(),
            clock: Box::new(move || clock.now_ms()),
        });
        let timeout = venue.passback_timeout.max(Duration::from_millis(1));
        let check = Passback::new(self.url, timeout, state.clone());
        kiosk.join_venue(Box::new(check), venue.offline);
        setup.notices.say(format!(
            "joined the venue office: records pushed in the background, entries checked venue-wide (timeout {} ms, offline: {})",
            timeout.as_millis(),
            venue.offline.code()
        ));
        state
    }
}

/// Reads the venue policy before the kiosk starts, to take this gate's
/// zone from it when `--zone` does not say (the kiosk engine reads and
/// judges it again, against the journal).
fn first_policy(
    path: &Path,
    trust: &TrustStore,
    cfg: &mut KioskConfig,
    setup: &Setup,
    notices: &Notices,
) -> Result<VenuePolicy, StartError> {
    let p = VenuePolicy::load_verified(path, trust).map_err(StartError::Policy)?;
    let given = if setup.zone_given {
        cfg.zone.clone()
    } else {
        None
    };
    for finding in p.body.judge_gate(
        &cfg.gate,
        given.as_deref(),
        setup.direction_given.then_some(cfg.direction),
    ) {
        let words = finding.words(&cfg.gate);
        match finding {
            // A misspelt gate without a zone of its own would check no
            // zone at all: fail closed.
            GateFinding::Unknown { .. } if !setup.zone_given => {
                return Err(StartError::UnknownGate(words))
            }
            GateFinding::ZoneDiffers { .. } => {
                notices.say(format!("warning: {words}; --zone wins"))
            }
            _ => notices.say(format!("warning: {words}")),
        }
    }
    if let (Some(g), false) = (p.body.gate(&cfg.gate), setup.zone_given) {
        cfg.zone = (g.zone != badgegate_core::format::constants::ALL_ZONES).then(|| g.zone.clone());
    }
    if let (Some(g), false) = (p.body.gate(&cfg.gate), setup.direction_given) {
        cfg.direction = g.direction;
    }
    Ok(p)
}

/// What the venue policy changes at this kiosk.
fn say_policy(p: &VenuePolicy, headless: bool, notices: &Notices) {
    let checks: Vec<&str> = p
        .body
        .categories
        .iter()
        .filter(|c| c.id_check)
        .map(|c| c.code.as_str())
        .collect();
    notices.say(format!(
        "venue policy #{}: {} ({})",
        p.sequence,
        printable(&p.body.venue),
        p.body.time_zone
    ));
    if headless && !checks.is_empty() {
        notices.say(format!(
            "warning: the venue checks IDs for {}; a headless kiosk has nobody to ask, so their admits are flagged (\"flagged\": true) for the gate's controller",
            checks.join(", ")
        ));
    }
}

/// The journal, opened for this kiosk alone, signing with the kiosk's key
/// when it has one.
fn open_journal(setup: &Setup, gate: &str) -> Result<Journal, StartError> {
    let notices = &setup.notices;
    let path = &setup.journal;
    let key = match &setup.signing_key {
        Some(p) => Some((load_secret_key(p, notices)?, key_name(p))),
        None => None,
    };
    // A kiosk's key is named after it (keygen --kiosk KIOSK): a new journal
    // takes that name as its kiosk id unless --kiosk-id says otherwise.
    let default_id = match &key {
        Some((_, Some(name))) => name.clone(),
        _ => format!("{}-{}", host_name(), gate.trim()),
    };
    let mut journal = Journal::open(path, setup.kiosk_id.as_deref(), &default_id)?;
    match key {
        Some((key, name)) => {
            // With the office, the link compares the key with the office's
            // enrolment itself and speaks only when they differ.
            if setup.venue.is_some() {
                notices.say(format!(
                    "journal signed by this kiosk's key {}",
                    key.key_id()
                ));
            } else {
                notices.say(format!(
                    "journal signed by this kiosk's key {} (for the audit, its public key goes in the --kiosk-keys folder as {}.pub.pem)",
                    key.key_id(),
                    printable(journal.kiosk_id())
                ));
            }
            if name.as_deref().is_some_and(|n| n != journal.kiosk_id()) {
                notices.say(format!(
                    "warning: the key file is named {}, but the journal belongs to kiosk {}; `audit verify --kiosk-keys` looks the key up by the kiosk id",
                    printable(name.as_deref().unwrap_or_default()),
                    printable(journal.kiosk_id())
                ));
            }
            journal.sign_with(key);
        }
        None => {
            // A journal that was signed stays signed: records after signed
            // ones without a signature fail `audit verify`.
            let id = journal.kiosk_id().to_owned();
            let head = journal.head_seq(&id)?.unwrap_or(0);
            let signed_by = match head {
                0 => None,
                n => journal
                    .entries_after(&id, n - 1, 1)?
                    .into_iter()
                    .next()
                    .and_then(|e| e.signer_key())
                    .map(|k| k.id),
            };
            if let Some(key) = signed_by {
                return Err(StartError::SignedJournal {
                    path: shown_path(path),
                    key: key.to_string(),
                });
            }
            notices.say(
                "warning: this journal is not signed: anyone who can write the file can rewrite it without a trace; give the kiosk its own key (badgegate keygen --kiosk KIOSK, then --signing-key kiosk-keys/KIOSK.key.pem)",
            )
        }
    }
    Ok(journal)
}

/// When the journal's last record was made (Unix ms; 0 for a new one).
fn last_record_at(journal: &Journal) -> Result<u64, JournalError> {
    let id = journal.kiosk_id().to_owned();
    Ok(match journal.head_seq(&id)? {
        None | Some(0) => 0,
        Some(n) => journal
            .entries_after(&id, n - 1, 1)?
            .first()
            .map_or(0, |e| e.body.at_ms),
    })
}

/// This machine's name, for a new journal's kiosk id.
fn host_name() -> String {
    badgegate_core::files::machine_name().unwrap_or_else(|| "kiosk".into())
}

/// `north-1` for `keys/north-1.key.pem`.
fn key_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let stem = name.strip_suffix(".pem").unwrap_or(name);
    let stem = stem.strip_suffix(".key").unwrap_or(stem);
    (!stem.is_empty()).then(|| stem.to_owned())
}

/// The kiosk's first lines: what it is, and the lists it holds.
fn announce(kiosk: &Kiosk, now_ms: u64, notices: &Notices) {
    let c = kiosk.config();
    notices.say(format!(
        "kiosk {} ready: gate {}, zone {}, direction {}, anti-passback {}, journal {}",
        kiosk.journal().kiosk_id(),
        c.gate,
        c.zone.as_deref().unwrap_or("(any)"),
        c.direction,
        c.anti_passback.as_str(),
        shown_path(kiosk.journal().path())
    ));
    if kiosk.revocations().is_empty() {
        notices.say("warning: no revocation list: revoked badges are not refused");
    }
    for l in kiosk.revocations().lists() {
        notices.say(format!(
            "revocation list key {} sequence {}, {} serial(s), issued {} ({} old)",
            l.key_id,
            l.sequence,
            l.entries.len(),
            format_human(l.issued_at),
            format_span((now_ms / 1000).saturating_sub(l.issued_at))
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::key_name;
    use std::path::Path;

    #[test]
    fn a_key_file_names_its_kiosk() {
        assert_eq!(
            key_name(Path::new("keys/north-1.key.pem")).as_deref(),
            Some("north-1")
        );
        assert_eq!(
            key_name(Path::new("north-1.pem")).as_deref(),
            Some("north-1")
        );
        assert_eq!(key_name(Path::new(".key.pem")), None);
    }
}
