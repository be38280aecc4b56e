//! Command-line definitions (clap). Raw flags are turned into resolved
//! options by each command; nothing here touches files.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "badgegate",
    version,
    about = "Offline Ed25519-signed QR badges for venue entrances: issue, verify, revoke",
    long_about = "badgegate issues Ed25519-signed QR badges at the accreditation desk and verifies \
them offline at the entrances against the registration public key.\n\n\
Start with `badgegate demo` to see the whole story in a temporary folder.",
    after_help = "Examples:\n  badgegate demo\n  badgegate keygen --dir keys\n  \
badgegate issue --key keys/registration.key.pem --name 'Amina Diallo' --org Senegal \\\n      \
--category delegate --zones plenary,press --out badges\n  \
badgegate verify --trust trust --zone plenary badges/\n\n\
Exit codes: verify: 0 all admitted, 1 any denied, 2 usage or I/O error; other commands: 0 success, non-zero on error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a key pair: the venue's registration key, or a kiosk's own journal key (secret key PKCS#8 PEM 0600, public key SPKI PEM)
    #[command(
        after_help = "Examples:\n  badgegate keygen\n  badgegate keygen --dir /secure/usb --name registration-2026\n  badgegate keygen --kiosk north-1\n\n\
Registration key: copy NAME.pub.pem into every kiosk's trust folder; keep NAME.key.pem on the desk machine only.\n\
Kiosk key: keep KIOSK.key.pem on that gate PC only (--signing-key); enrol KIOSK.pub.pem at the office (office add-kiosk --kiosk-key); never in a trust folder."
    )]
    Keygen(KeygenArgs),
    /// Issue signed badges: QR PNG and SVG, printable card, badge text
    #[command(
        after_help = "Examples:\n  badgegate issue --key keys/registration.key.pem --name 'Amina Diallo' \\\n      \
--org 'Republic of Senegal' --category head-of-delegation --zones plenary,bilateral \\\n      \
--valid-from 2026-12-01T07:00:00+01:00 --valid-until 2026-12-02T22:00:00+01:00 --out badges\n  \
badgegate issue --key keys/registration.key.pem --csv registrations.csv --zones plenary --out badges\n\n\
CSV columns (header row required): name (required), serial, org, category, zones, valid_from, valid_until.\n\
Empty cells take the value of the matching flag. Zones are separated by commas, semicolons or spaces;\n\
`*` opens every zone. Times are RFC 3339."
    )]
    Issue(IssueArgs),
    /// Verify badges offline: admit or deny each, with the reason
    #[command(
        after_help = "Examples:\n  badgegate verify --trust keys --zone plenary badges/\n  \
badgegate verify --trust keys --revocations revoked.txt --json photo.jpg\n  \
cat scans.txt | badgegate verify --trust keys -\n\n\
Exit codes: 0 every input admitted, 1 at least one denied, 2 usage or I/O error."
    )]
    Verify(VerifyArgs),
    /// Run a gate: read badges from a camera, images or a scanner, decide, journal
    #[command(
        after_help = "Examples:\n  badgegate kiosk --trust trust --journal north-gate.db --gate north --zone plenary --camera 0\n  \
badgegate kiosk --trust trust --journal gate.db --gate north --zone plenary --stdin --headless\n  \
badgegate kiosk --trust trust --journal gate.db --gate exit-1 --direction out --images frames/ --headless\n  \
badgegate kiosk --trust trust --journal gate.db --gate north --stdin --headless --on-admit 'relay-pulse 1'\n  \
badgegate kiosk --trust trust --journal gate.db --gate vip --zone plenary --camera 0 --confirm hos,hod --utc-offset +01:00\n\n\
Without --headless the kiosk opens the guard's screen (needs a display): the camera picture, a large\n\
ADMIT / DENY field with the reason, the holder, today's counters and the revocation list's age.\n\
Guard's keys: Enter confirms an ID check, Esc refuses it (or clears a verdict); F2 admits and F3\n\
denies by hand (a typed note is required and journalled); Ctrl+Q closes the screen. A USB\nscanner types into the screen.\n\n\
Every decision is committed to the journal (SQLite, WAL, synchronous FULL) before it is printed or the\n\
--on-admit command runs. If the journal cannot be written the kiosk admits no one and exits with code 3.\n\
The --on-admit command gets BADGEGATE_DECISION, _REASON, _SERIAL, _NAME, _ORG, _CATEGORY, _GATE,\n\
_DIRECTION, _KIOSK_ID, _SEQ and _FLAGGED in its environment.\n\n\
Exit codes: 0 input ended, 2 usage or start-up error, 3 journal failure (out of service), 4 frame source lost."
    )]
    Kiosk(Box<KioskArgs>),
    /// Check a gate PC before the doors open: camera, reading speed, display, sound, fonts, journal disk, clock, keys, lists, policy, office
    #[command(
        after_help = "Examples:\n  badgegate doctor\n  badgegate doctor --config /etc/badgegate/north.toml\n  badgegate doctor --config north.toml --json > doctor.jsonl\n\n\
Takes the same flags and --config file as the kiosk and checks what that kiosk needs.\n\
Each line is PASS, WARN or FAIL; each FAIL says what to do. Exit 0 without a FAIL, 1 with one."
    )]
    Doctor(Box<DoctorArgs>),
    /// Read, check, export, count, merge and report entry journals
    Audit(AuditArgs),
    /// The venue office: every kiosk and the security office on one PostgreSQL
    #[command(
        after_help = "Examples:\n  badgegate office init --db postgresql://admin@office:5432/venue\n  \
badgegate office add-kiosk --db postgresql://admin@office:5432/venue --kiosk-id north-1 --out north-1.office\n  \
badgegate kiosk --trust trust --journal north-1.db --gate north --stdin --headless --office north-1.office\n  \
badgegate office status --db postgresql://admin@office:5432/venue\n\n\
URL is a libpq connection URI. Its password comes from libpq's password file (PGPASSFILE or ~/.pgpass), never the command line."
    )]
    Office(OfficeArgs),
    /// The accreditation centre over many venues' offices (PostgreSQL logical replication)
    #[command(
        after_help = "Examples:\n  badgegate central init --db postgresql://admin@centre:5432/games\n  \
badgegate office init --db postgresql://admin@arena:5432/venue --venue arena\n  \
badgegate central add-venue --db postgresql://admin@centre:5432/games --venue-db postgresql://admin@arena:5432/venue\n  \
badgegate central status --db postgresql://admin@centre:5432/games\n\n\
Both servers need wal_level = logical. Lists published at the centre (revoke, policy, keylist with --office) reach every venue; each venue's records reach the centre. docs/multi-venue.md."
    )]
    Central(CentralArgs),
    /// The patrol page for guards' phones: the kiosks' verifier in the browser, offline (see also office serve --patrol-trust)
    #[command(
        after_help = "Examples:\n  badgegate patrol bundle --trust trust --lists lists/ --photos badges/ --out patrol-site\n\n\
The folder is a static web site: serve it over HTTPS (or from localhost) and open it on a phone. \
Each phone makes its own signing key and keeps its checks on the phone (Export checks in its settings). \
With an office network, serve the page from the office instead: badgegate office serve --patrol-trust trust. docs/patrol.md."
    )]
    Patrol(PatrolArgs),
    /// Revoke badges by serial in a signed revocation list (created or extended)
    #[command(
        after_help = "Examples:\n  badgegate revoke --key keys/registration.key.pem --list revoked.txt D-00042 --reason 'reported lost'\n\n\
The list is signed by the registration key and its sequence number grows with every change."
    )]
    Revoke(RevokeArgs),
    /// Sign the venue policy (zones, categories, gates, time zone) from a draft
    #[command(
        after_help = "Examples:\n  badgegate policy --key keys/registration.key.pem --draft venue.txt --out policy.txt\n\n\
The draft lists, one a line (# starts a comment):\n\
  venue: Geneva Summit 2026\n\
  time-zone: Europe/Zurich\n\
  zone: plenary Plenary hall\n\
  category: hod #801020 id-check Head of delegation\n\
  category: delegate #00529b - Delegate\n\
  category: staff #008050 staff Security staff\n\
  gate: north plenary in North entrance\n\n\
Category flags: - (none), id-check (the guard checks an ID), staff (guards sign in with it), or id-check,staff.\n\
Optional, after time-zone: lists-max-age: 12h (lists older are stale) and language: ru (the guards' screens: en, ru or tg).\n\
The signed policy's sequence number grows with every change; kiosks refuse an older one. Give it to `issue --policy` and `kiosk --policy`."
    )]
    Policy(PolicyArgs),
    /// Sign the root's key list: which issuing keys may sign badges, when, for which venues, zones and categories; or withdraw one
    #[command(
        after_help = "Examples:\n  badgegate keygen --name root --out /media/offline      (once, on a machine kept off the network)\n  badgegate keylist grant --root /media/offline/root.key.pem --list keys.txt \\\n      --key keys/arena-desk.pub.pem --until 2027-08-31T23:59:59Z --venues arena --zones field,stands --label 'Arena desk'\n  badgegate keylist withdraw --root /media/offline/root.key.pem --list keys.txt --key-id 1a2b3c4d --reason 'laptop stolen'\n  badgegate keylist show --list keys.txt\n\n\
Kiosks trust the root: put root.pub.pem in the trust folder's root/ subfolder and the key list beside it (or publish it with --office). \
A badge signed by a key outside its window or scope is denied key_not_valid or key_out_of_scope; a withdrawn key's badges are denied key_withdrawn everywhere once the list arrives. \
The sequence number grows with every change; kiosks refuse an older list."
    )]
    Keylist(KeylistArgs),
    /// Publish holders' photos (SERIAL-photo.jpg, as issue writes them) through the office: every gate of the venues named fetches them into its photo folder
    #[command(
        after_help = "Examples:\n  badgegate publish-photos --office desk.office badges/\n  badgegate publish-photos --office desk.office --venues arena,pool badges/ARENA-1-photo.jpg\n\n\
A photo is named by its serial and its content's digest: a gate shows it only for a badge whose signed digest matches, so a wrong or swapped photo is refused at the gate (photo_mismatch), never shown."
    )]
    PublishPhotos(PublishPhotosArgs),
    /// Print the raw text and position of every QR code in images, ours or not
    #[command(
        after_help = "Examples:\n  badgegate decode photo.jpg\n  badgegate decode --json frames/"
    )]
    Decode(DecodeArgs),
    /// Run the whole story in a temporary folder: keys, badges, verification
    #[cfg(feature = "demo")]
    Demo(DemoArgs),
    /// Rehearse a whole event: real kiosks and a real office run a scenario's day, checked by an oracle
    #[cfg(feature = "rehearse")]
    #[command(
        after_help = "Examples:\n  badgegate rehearse scenarios/ci.toml --out rehearsal\n  badgegate rehearse scenarios/summit.toml --out summit --time-scale 120\n\n\
The scenario file (TOML) names the venue's zones and gates, the people and their categories, the day's arrival curve and the events at times (docs/rehearsal.md). The rehearsal starts the real kiosk processes (and, with office = true, a throw-away PostgreSQL office: initdb and pg_ctl must be installed), runs the day compressed, and checks every decision, the chains, the muster list in every view, the office's records and how fast revocations travelled. It writes report.html, report.json and scans.jsonl into --out. Exit 0 when every check holds, 1 when one does not, 2 when the rehearsal could not run."
    )]
    Rehearse(RehearseArgs),
}

#[cfg(feature = "rehearse")]
#[derive(Debug, Args)]
pub struct RehearseArgs {
    /// The scenario file (TOML); scenarios/ holds ready ones
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// A new (or empty) folder for the day's journals, the office and the report
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Scenario seconds a wall-clock second (overrides the scenario's time_scale)
    #[arg(long, value_name = "N")]
    pub time_scale: Option<f64>,
    /// Print the report as JSON on stdout instead of a summary
    #[arg(long)]
    pub json: bool,
    /// Serve the office's dashboard during the day on this address (e.g. 127.0.0.1:8443) to watch the rehearsal live; a user "watcher" is made and its password printed (scenarios with office = true)
    #[arg(long, value_name = "ADDR")]
    pub dashboard: Option<String>,
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Folder for the key files [default: keys for the registration key, kiosk-keys for a kiosk's]
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// The registration key's base name: writes NAME.key.pem (secret: signs badges, lists and the policy) and NAME.pub.pem (public: every kiosk's trust folder)
    #[arg(long, default_value = "registration", conflicts_with = "kiosk")]
    pub name: String,
    /// A kiosk's own key instead, named after its kiosk id: the secret signs that gate's journal (--signing-key), the public key is enrolled at the office; never put in a trust folder
    #[arg(long, value_name = "KIOSK")]
    pub kiosk: Option<String>,
    /// Replace existing key files (the old secret key is lost)
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["name", "csv"]))]
pub struct IssueArgs {
    /// Registration secret key (PKCS#8 PEM)
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Holder's name, for a single badge
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Registration CSV, for a batch
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Output folder (created if missing)
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Organisation or delegation
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
    /// Category (colour band), e.g. delegate, press, staff, head-of-delegation
    #[arg(long, value_name = "CAT")]
    pub category: Option<String>,
    /// Zones the badge opens, comma-separated; * for every zone
    #[arg(long, value_name = "Z1,Z2")]
    pub zones: Option<String>,
    /// Start of validity: RFC 3339, or venue time (2026-12-01 08:00) when a policy is given (default: now)
    #[arg(long, value_name = "TIME")]
    pub valid_from: Option<String>,
    /// End of validity, like --valid-from (default: 48 hours after valid-from)
    #[arg(long, value_name = "TIME")]
    pub valid_until: Option<String>,
    /// Serial for a single badge (default: random)
    #[arg(long, value_name = "S", conflicts_with = "csv")]
    pub serial: Option<String>,
    /// Without a venue policy: the venue's offset from UTC (+01:00), for the validity printed on cards and times typed without an offset
    #[arg(long, value_name = "+HH:MM", allow_hyphen_values = true)]
    pub utc_offset: Option<String>,
    /// Also write the batch as one print-ready PDF: a4 (four A6 cards a page, with crop marks), a6 (one card a page) or cr80 (PVC card printers, 54 x 85.6 mm); QR codes and names as vectors
    #[arg(long, value_enum, ignore_case = true)]
    pub sheet: Option<SheetArg>,
    /// Holder's photo for a single badge (JPEG or PNG): cropped to a 3:4 portrait, written as SERIAL-photo.jpg and bound to the badge by its digest (a CSV batch takes a photo column instead)
    #[arg(long, value_name = "FILE", conflicts_with = "csv")]
    pub photo: Option<PathBuf>,
    /// Replace existing badge files in the output folder
    #[arg(long)]
    pub force: bool,
    /// The signed venue policy (badgegate policy): unknown zones and categories are refused, cards use its names, colours and time zone
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The kiosk's flags (or its --config file), to check what that kiosk needs
    #[command(flatten)]
    pub kiosk: KioskArgs,
    /// One JSON object a line: check, status (PASS, WARN, FAIL), detail, advice
    #[arg(long)]
    pub json: bool,
    /// Seconds to measure the camera for (with --camera)
    #[arg(long, value_name = "S", default_value_t = 3)]
    pub seconds: u64,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Folder of trusted public keys (*.pem; retired keys in its retired/ subfolder)
    #[arg(long, value_name = "DIR")]
    pub trust: PathBuf,
    /// Signed revocation list, or a folder of them (repeatable: one list a trusted key)
    #[arg(long, value_name = "PATH")]
    pub revocations: Vec<PathBuf>,
    /// Folder of holders' photos (SERIAL-photo.jpg): a badge with a photo digest is checked against its photo there (photo_mismatch when another photo is there; an admit flagged "check an ID" when none is)
    #[arg(long, value_name = "DIR")]
    pub photos: Option<PathBuf>,
    /// Zone of this gate: badges must open it
    #[arg(long, value_name = "Z")]
    pub zone: Option<String>,
    /// Venue this gate is at (a code of the key list, e.g. arena): a badge whose signing key is granted for other venues only is denied key_out_of_scope
    #[arg(long, value_name = "CODE")]
    pub venue: Option<String>,
    /// Decide as of this time (RFC 3339) instead of now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Clock-skew tolerance around the validity window, in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = crate_constants::DEFAULT_SKEW_SECS)]
    pub skew: u64,
    /// Say times in this IANA time zone (the venue's, e.g. Asia/Tashkent) instead of UTC; JSON times stay RFC 3339 UTC
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,
    /// One JSON object per decision, one per line
    #[arg(long)]
    pub json: bool,
    /// Image files, folders of images, or - for badge text lines on stdin
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("frames").args(["camera", "images", "stdin", "frames_stdin", "list_cameras"]))]
pub struct KioskArgs {
    /// A TOML file holding any of these flags (gate = "north", revocations = ["lists"], headless = true); flags given here win over it; paths in it are relative to its folder
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Folder of trusted public keys
    #[arg(long, value_name = "DIR")]
    pub trust: Option<PathBuf>,
    /// Journal file (SQLite; created if missing)
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    /// Name of this gate, e.g. north-entrance
    #[arg(long, value_name = "NAME")]
    pub gate: Option<String>,
    /// Zone this gate opens: badges must list it (or *)
    #[arg(long, value_name = "Z")]
    pub zone: Option<String>,
    /// Venue this gate is at (a code of the root's key list, e.g. arena): a badge whose signing key is granted for other venues only is denied key_out_of_scope
    #[arg(long, value_name = "CODE")]
    pub venue: Option<String>,
    /// Folder of holders' photos (SERIAL-photo.jpg, as issue writes them): a badge with a photo is shown with it when it matches, denied photo_mismatch when another photo is there, and needs an ID check when none is
    #[arg(long, value_name = "DIR")]
    pub photos: Option<PathBuf>,
    /// Which way this gate lets people through (default: the venue policy's direction for this gate, else in)
    #[arg(long, value_enum)]
    pub direction: Option<DirectionArg>,
    /// What to do with a badge already inside
    #[arg(long, value_enum, default_value = "hard")]
    pub anti_passback: AntiPassbackArg,
    /// Signed revocation list, or a folder of them (repeatable: one list a trusted key); re-read every second, a newer list taken up at once, an older one refused
    #[arg(long, value_name = "PATH")]
    pub revocations: Vec<PathBuf>,
    /// Categories whose badges sign a guard in at the screen (F4), when there is no --policy (with one: its staff categories)
    #[arg(
        long,
        value_name = "CAT,...",
        value_delimiter = ',',
        default_value = "staff,security"
    )]
    pub staff: Vec<String>,
    /// The signed venue policy (badgegate policy): zone and category names, colours, ID-check categories, staff, time zone; re-read every second like the lists
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Join the venue office: a connection file from `office add-kiosk` (records pushed, lists fetched, venue-wide anti-passback)
    #[arg(long, value_name = "FILE")]
    pub office: Option<PathBuf>,
    /// How long the venue-wide passback check may take before the gate decides alone (ms)
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub passback_timeout: u64,
    /// When the office does not answer in time: soft admits flagged "passback unverified", hard denies; give every gate of a zone the same
    #[arg(long, value_enum, default_value = "soft")]
    pub offline_passback: OfflinePassbackArg,
    /// This kiosk's own secret key (from `badgegate keygen --kiosk KIOSK`): every record is signed with it
    #[arg(long, value_name = "FILE")]
    pub signing_key: Option<PathBuf>,
    /// Command to run on each admit (sh -c), e.g. a turnstile relay
    #[arg(long, value_name = "CMD")]
    pub on_admit: Option<String>,
    /// Seconds before an --on-admit command is killed
    #[arg(long, value_name = "SECS", default_value_t = 5)]
    pub hook_timeout: u64,
    /// Read frames from webcam N (build with --features camera)
    #[arg(long, value_name = "N")]
    pub camera: Option<u32>,
    /// Replay image files or folders of images as camera frames, in name order
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub images: Vec<PathBuf>,
    /// Read badge text lines from stdin (USB keyboard-wedge scanner)
    #[arg(long)]
    pub stdin: bool,
    /// Read camera frames from stdin: JPEG or PNG images one after another, e.g. an IP camera through `ffmpeg -i rtsp://CAMERA -f image2pipe -c:v mjpeg -`
    #[arg(long)]
    pub frames_stdin: bool,
    /// List the cameras this machine has and exit
    #[arg(long)]
    pub list_cameras: bool,
    /// Camera resolution
    #[arg(long, value_name = "WxH", default_value = "1280x720")]
    pub resolution: String,
    /// Camera frame rate
    #[arg(long, value_name = "FPS", default_value_t = 30)]
    pub fps: u32,
    /// Manual camera exposure (driver units, often 100 µs); short stops motion blur
    #[arg(long, value_name = "N")]
    pub exposure: Option<i64>,
    /// One JSON line per decision on stdout (for scripts and turnstile controllers)
    #[arg(long)]
    pub headless: bool,
    /// Decide as of this time (RFC 3339) instead of now; time then runs on from it
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Clock-skew tolerance around the validity window, in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = crate_constants::DEFAULT_SKEW_SECS)]
    pub skew: u64,
    /// The same code seen again within this many ms is the same person still in view
    #[arg(long, value_name = "MS", default_value_t = badgegate::gate::engine::DEFAULT_COOLDOWN_MS)]
    pub cooldown: u64,
    /// On the screen, replay --images like a live camera: frames the reader is busy for are skipped
    #[arg(long, requires = "images", conflicts_with = "headless")]
    pub replay_live: bool,
    /// Time between replayed --images frames, in ms (a 30 fps camera: 33)
    #[arg(long, value_name = "MS", default_value_t = 33)]
    pub frame_interval: u64,
    /// Kiosk id recorded in every journal record (default: the journal's, or this host's name)
    #[arg(long, value_name = "ID")]
    pub kiosk_id: Option<String>,
    /// Categories whose admits wait for the guard's ID check on the screen, e.g. hos,hod
    #[arg(long, value_name = "CAT,...", value_delimiter = ',')]
    pub confirm: Vec<String>,
    /// Seconds the screen waits for that check before refusing
    #[arg(long, value_name = "SECS", default_value_t = badgegate::screen::DEFAULT_CONFIRM_TIMEOUT_SECS)]
    pub confirm_timeout: u64,
    /// How long a verdict stays on the screen, in ms
    #[arg(long, value_name = "MS", default_value_t = badgegate::screen::DEFAULT_HOLD_MS)]
    pub hold: u64,
    /// Warn on the screen when the revocation list is older than this many hours
    #[arg(long, value_name = "HOURS", default_value_t = badgegate::screen::DEFAULT_REVOCATION_MAX_AGE_HOURS)]
    pub revocations_max_age: u64,
    /// Local time of the venue for the screen's clock and words, e.g. +01:00
    #[arg(
        long,
        value_name = "+HH:MM",
        default_value = "+00:00",
        allow_hyphen_values = true
    )]
    pub utc_offset: String,
    /// What the screen calls a zone, e.g. --zone-name "press=the press centre" (repeatable)
    #[arg(long, value_name = "CODE=WORDS")]
    pub zone_name: Vec<String>,
    /// Open the screen as a normal window instead of full screen (for setting up)
    #[arg(long)]
    pub windowed: bool,
    /// No admit/deny sounds on the screen
    #[arg(long)]
    pub silent: bool,
    /// The language the guard's screen speaks: en (English), ru (Russian) or tg (Tajik) [default: the venue policy's `language:`, else English]; records and reason codes stay as they are
    #[arg(long, value_enum)]
    pub language: Option<LanguageArg>,
}

#[derive(Debug, Args)]
pub struct OfficeArgs {
    #[command(subcommand)]
    pub command: OfficeCommand,
}

#[derive(Debug, Subcommand)]
pub enum OfficeCommand {
    /// Create the venue schema in the office database (or say it is current); --venue names the venue of a games
    Init(OfficeInitArgs),
    /// Enrol a kiosk: its own login (append its records, read lists) and a connection file
    AddKiosk(OfficeAddKioskArgs),
    /// A login for the desk to publish signed lists, and its connection file
    AddPublisher(OfficeAddPublisherArgs),
    /// Every kiosk: online or offline since when, records, backlog, lists, clock, alarms
    Status(OfficeViewArgs),
    /// The live muster list across all gates, with how fresh each gate's data is
    Inside(OfficeInsideArgs),
    /// Decisions as they arrive at the office (Ctrl+C stops)
    Watch(OfficeViewArgs),
    /// The venue's records as one journal file every `audit` command reads
    Export(OfficeExportArgs),
    /// A security office user of the web dashboard (`office serve`); prints a new password once
    AddUser(OfficeAddUserArgs),
    /// The security office's web dashboard: gates, live decisions, alarms, muster, a badge's story
    #[command(
        after_help = "Examples:\n  badgegate office add-user --db postgresql://admin@office/venue --name alice\n  \
badgegate office serve --db postgresql://admin@office/venue --tls-cert office.crt --tls-key office.key\n  \
badgegate office serve --db postgresql://admin@office/venue            (this computer only: http://127.0.0.1:8080)\n\n\
Without a certificate the dashboard listens on localhost only; --listen on another address \
without TLS needs --insecure-http."
    )]
    Serve(OfficeServeArgs),
}

#[derive(Debug, Args)]
pub struct OfficeAddUserArgs {
    /// The office database (admin login)
    #[arg(long, value_name = "URL")]
    pub db: String,
    /// The user's name, as acknowledgements record it: 1 to 40 of A-Z a-z 0-9 . _ -
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// Read the password from the first line of standard input (12 characters or more) instead of making one
    #[arg(long)]
    pub password_stdin: bool,
    /// Give an existing user a new password (their open sessions end)
    #[arg(long)]
    pub reset: bool,
    /// Disable an existing user: they can no longer sign in, their open sessions end
    #[arg(long, conflicts_with_all = ["reset", "password_stdin"])]
    pub disable: bool,
}

#[derive(Debug, Args)]
pub struct OfficeServeArgs {
    /// The office database (admin login; not a kiosk's or desk's connection)
    #[arg(long, value_name = "URL")]
    pub db: String,
    /// Address and port to listen on [default: 127.0.0.1:8080, or 0.0.0.0:8443 with a certificate]
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<std::net::SocketAddr>,
    /// TLS certificate chain (PEM) to serve HTTPS with
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM) of the certificate
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve plain HTTP on an address other than localhost (passwords and names cross the network unencrypted)
    #[arg(long)]
    pub insecure_http: bool,
    /// Minutes a sign-in lasts
    #[arg(long, value_name = "MIN", default_value_t = 720, value_parser = clap::value_parser!(u32).range(1..=10080))]
    pub session_minutes: u32,
    /// Show times in this IANA time zone, e.g. Europe/Geneva [default: the venue's, from the policy its gates took up; else this computer's]
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,
    /// The language the pages speak: en (English), ru (Russian) or tg (Tajik) [default: the venue policy's `language:`, as its gates took it up; else English]; what gates recorded is shown as recorded
    #[arg(long, value_enum)]
    pub language: Option<LanguageArg>,
    /// Serve the patrol page for guards' phones at /patrol/, handing them this trust folder (the kiosks') to pin; phones enrol with an office user's name and password
    #[arg(long, value_name = "DIR")]
    pub patrol_trust: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PatrolArgs {
    #[command(subcommand)]
    pub command: PatrolCommand,
}

#[derive(Debug, Subcommand)]
pub enum PatrolCommand {
    /// Write the patrol page as a static folder, with the trust it pins, signed lists and photos, for a venue without the office network
    Bundle(PatrolBundleArgs),
}

#[derive(Debug, Args)]
pub struct PatrolBundleArgs {
    /// The kiosks' trust folder: the public keys (and root keys, key lists) every phone pins
    #[arg(long, value_name = "DIR")]
    pub trust: PathBuf,
    /// Signed revocation lists, venue policies or key lists to include: files, or folders of them (repeat the flag)
    #[arg(long, value_name = "PATH")]
    pub lists: Vec<PathBuf>,
    /// A folder of holders' photos (SERIAL-photo.jpg, as issue writes them); a phone shows one only when its digest matches the badge's
    #[arg(long, value_name = "DIR")]
    pub photos: Option<PathBuf>,
    /// The venue the phones check for, for keys the key list grants to some venues only
    #[arg(long, value_name = "CODE")]
    pub venue: Option<String>,
    /// The folder to write (new, or empty)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct OfficeDb {
    /// The office database: a libpq URI, postgresql://user@host:port/db (password from ~/.pgpass or PGPASSFILE)
    #[arg(long, value_name = "URL")]
    pub db: String,
}

#[derive(Debug, Args)]
pub struct OfficeInitArgs {
    /// The office database: a libpq URI, postgresql://user@host:port/db (password from ~/.pgpass or PGPASSFILE)
    #[arg(long, value_name = "URL")]
    pub db: String,
    /// This office's venue, for an accreditation centre over many venues (a code of the key list, e.g. arena): named once; its kiosk ids then start with VENUE-
    #[arg(long, value_name = "CODE")]
    pub venue: Option<String>,
}

#[derive(Debug, Args)]
pub struct CentralArgs {
    #[command(subcommand)]
    pub command: CentralCommand,
}

#[derive(Debug, Subcommand)]
pub enum CentralCommand {
    /// Make a database the accreditation centre: the office schema and the publication of its lists
    Init(OfficeDb),
    /// Join a venue's office to the centre by logical replication: its kiosks and records up, the centre's lists down
    AddVenue(CentralAddVenueArgs),
    /// Each venue: replication connected, last contact, kiosks, records, newest record
    Status(CentralViewArgs),
    /// Who is inside, every venue and zone (VENUE/ZONE), from the centre's copies of the venues' records
    Inside(CentralInsideArgs),
}

#[derive(Debug, Args)]
pub struct CentralAddVenueArgs {
    /// The centre's database (admin login, a superuser: subscriptions need one)
    #[arg(long, value_name = "URL")]
    pub db: String,
    /// The venue office's database (admin login, a superuser), named with `office init --venue`; its host and port must be reachable from the centre's server, and the centre's from it
    #[arg(long, value_name = "URL")]
    pub venue_db: String,
}

#[derive(Debug, Args)]
pub struct CentralInsideArgs {
    /// The centre's database
    #[arg(long, value_name = "URL")]
    pub db: String,
    /// Only this venue, or one zone of it (VENUE/ZONE)
    #[arg(long, value_name = "VENUE")]
    pub venue: Option<String>,
    /// One JSON object per line
    #[arg(long)]
    pub json: bool,
    /// Show times in this zone (IANA name or +HH:MM; default UTC)
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,
}

#[derive(Debug, Args)]
pub struct CentralViewArgs {
    /// The centre's database
    #[arg(long, value_name = "URL")]
    pub db: String,
    /// One JSON object per line
    #[arg(long)]
    pub json: bool,
    /// Show times in this zone (IANA name or +HH:MM; default UTC)
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,
}

#[derive(Debug, Args)]
pub struct OfficeAddKioskArgs {
    /// The office database (admin login)
    #[arg(long, value_name = "URL")]
    pub db: String,
    /// The kiosk's id, as its journal names it
    #[arg(long, value_name = "ID")]
    pub kiosk_id: String,
    /// The kiosk's public key (keygen --kiosk KIOSK): the office checks each record's signature
    #[arg(long, value_name = "PUB.pem")]
    pub kiosk_key: Option<PathBuf>,
    /// The connection file to write (mode 0600; never overwritten)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct OfficeAddPublisherArgs {
    /// The office database (admin login)
    #[arg(long, value_name = "URL")]
    pub db: String,
    /// A name for the desk's login, e.g. accreditation
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// The connection file to write (mode 0600; never overwritten)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct OfficeViewArgs {
    /// The office database
    #[arg(long, value_name = "URL")]
    pub db: String,
    /// One JSON object per line
    #[arg(long)]
    pub json: bool,
    /// Show times in this IANA time zone (e.g. Asia/Tashkent), or UTC [default: the venue's, from the policy its gates took up; else UTC]
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,
}

#[derive(Debug, Args)]
pub struct OfficeInsideArgs {
    /// The office database
    #[arg(long, value_name = "URL")]
    pub db: String,
    /// Only this zone
    #[arg(long, value_name = "Z")]
    pub zone: Option<String>,
    /// One JSON object per line
    #[arg(long)]
    pub json: bool,
    /// Show times in this IANA time zone (e.g. Asia/Tashkent), or UTC [default: the venue's, from the policy its gates took up; else UTC]
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,
}

#[derive(Debug, Args)]
pub struct OfficeExportArgs {
    /// The office database
    #[arg(long, value_name = "URL")]
    pub db: String,
    /// The journal file to write (created, or merged into)
    #[arg(long, value_name = "FILE")]
    pub journal: PathBuf,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// List records, filtered, as a table or JSON lines
    #[command(
        after_help = "Examples:\n  badgegate audit log --journal north.db --decision deny --newest-first --limit 20\n  \
badgegate audit log --journal merged.db --name dupont --from 2026-12-01T00:00:00Z --json"
    )]
    Log(AuditLogArgs),
    /// Export every field as CSV (spreadsheet-safe) or JSON lines
    #[command(
        after_help = "Examples:\n  badgegate audit export --journal merged.db --format csv --out entries.csv\n  \
badgegate audit export --journal north.db --format jsonl --gate north > north.jsonl\n\n\
Cells starting with = + - @ tab CR or ' get one leading ' so spreadsheets do not run them; remove exactly one to get the value."
    )]
    Export(AuditExportArgs),
    /// Check every kiosk's hash chain (and exported chain heads): exit 0 only if intact
    #[command(
        after_help = "Examples:\n  badgegate audit verify --journal north.db\n  \
badgegate audit head --journal north.db --out north.head    # at shift end, keep it elsewhere\n  \
badgegate audit verify --journal north.db --heads north.head  # later: also catches a cut-back tail\n\n\
Exit codes: 0 intact, 1 a problem was found (the first bad record of each kiosk is named), 2 error."
    )]
    Verify(AuditVerifyArgs),
    /// Print each kiosk's chain head (last sequence number and hash) to keep for later checks
    Head(AuditHeadArgs),
    /// Counts per hour, gate and reason; peak entry rate; denies by reason
    Stats(AuditStatsArgs),
    /// Who is inside now (or at --at), per zone: the evacuation muster list
    Inside(AuditInsideArgs),
    /// Merge kiosks' journals into one audit file: --journal TARGET SOURCE...
    #[command(
        after_help = "Examples:\n  badgegate audit merge --journal all-gates.db north.db south.db press.db\n\n\
Idempotent: records already present are skipped. Records that conflict with the target or whose chain does not\n\
verify are reported and not merged (exit 1)."
    )]
    Merge(AuditMergeArgs),
    /// A self-contained HTML report with charts, chain status and the muster list
    #[command(
        after_help = "Examples:\n  badgegate audit report --journal all-gates.db --out report.html"
    )]
    Report(AuditReportArgs),
    /// Copy a journal a kiosk is writing, consistently (a plain `cp` can miss its -wal)
    #[command(
        after_help = "Examples:\n  badgegate audit snapshot --journal /var/lib/badgegate/north.db --out north-copy.db"
    )]
    Snapshot(AuditSnapshotArgs),
}

#[derive(Debug, Args)]
pub struct AuditFilterArgs {
    /// Only records at or after this time (RFC 3339)
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Only records at or before this time (RFC 3339)
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,
    /// Only records of this gate
    #[arg(long, value_name = "NAME")]
    pub gate: Option<String>,
    /// Only records of this zone
    #[arg(long, value_name = "Z")]
    pub zone: Option<String>,
    /// Only records of this badge serial
    #[arg(long, value_name = "S")]
    pub serial: Option<String>,
    /// Holder name contains this (case-insensitive)
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,
    /// Only admits or only denials
    #[arg(long, value_enum)]
    pub decision: Option<DecisionArg>,
    /// A reason code, e.g. expired
    #[arg(long, value_name = "CODE")]
    pub reason: Option<String>,
    /// Only records of this kiosk id
    #[arg(long, value_name = "ID")]
    pub kiosk: Option<String>,
    /// Include kiosk start records
    #[arg(long)]
    pub with_starts: bool,
}

#[derive(Debug, Args)]
pub struct AuditLogArgs {
    /// The journal file (SQLite), as a kiosk wrote it or merged
    #[arg(long, value_name = "FILE")]
    pub journal: PathBuf,
    #[command(flatten)]
    pub filter: AuditFilterArgs,
    /// Newest records first
    #[arg(long)]
    pub newest_first: bool,
    /// At most this many records
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// One JSON object per record
    #[arg(long)]
    pub json: bool,
    /// Show times in this IANA time zone (e.g. Asia/Tashkent), or UTC [default: the venue's, from the policy its gates took up; else UTC]
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,
}

#[derive(Debug, Args)]
pub struct AuditExportArgs {
    /// The journal file (SQLite), as a kiosk wrote it or merged
    #[arg(long, value_name = "FILE")]
    pub journal: PathBuf,
    #[command(flatten)]
    pub filter: AuditFilterArgs,
    /// The file's format
    #[arg(long, value_enum, default_value = "csv")]
    pub format: ExportFormat,
    /// Output file (default: stdout); never overwritten without --force
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace the output file if it exists
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// The journal to check (SQLite)
    #[arg(long, value_name = "FILE")]
    pub journal: PathBuf,
    /// Chain heads exported earlier (`audit head`): catches a cut-back tail
    #[arg(long, value_name = "FILE")]
    pub heads: Option<PathBuf>,
    /// Folder of the enrolled kiosks' public keys (KIOSK.pub.pem): each kiosk's records must be signed by its own key
    #[arg(long, value_name = "DIR")]
    pub kiosk_keys: Option<PathBuf>,
    /// One JSON object with every chain, head and signature found
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AuditSnapshotArgs {
    /// The live journal a kiosk is writing
    #[arg(long, value_name = "LIVE")]
    pub journal: PathBuf,
    /// Where the consistent copy goes
    #[arg(long, value_name = "COPY")]
    pub out: PathBuf,
    /// Replace COPY if it exists
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct AuditHeadArgs {
    /// The journal file (SQLite), as a kiosk wrote it or merged
    #[arg(long, value_name = "FILE")]
    pub journal: PathBuf,
    /// Write to this file instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AuditStatsArgs {
    /// The journal file (SQLite), as a kiosk wrote it or merged
    #[arg(long, value_name = "FILE")]
    pub journal: PathBuf,
    #[command(flatten)]
    pub filter: AuditFilterArgs,
    /// One JSON object per line instead of a table
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AuditInsideArgs {
    /// The journal file (SQLite), as a kiosk wrote it or merged
    #[arg(long, value_name = "FILE")]
    pub journal: PathBuf,
    /// As of this time (RFC 3339); default: the end of the journal
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// One JSON object per line instead of a table
    #[arg(long)]
    pub json: bool,
    /// Show times in this IANA time zone (e.g. Asia/Tashkent), or UTC [default: the venue's, from the policy its gates took up; else UTC]
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,
}

#[derive(Debug, Args)]
pub struct AuditMergeArgs {
    /// The audit file to merge into (created if missing)
    #[arg(long, value_name = "TARGET")]
    pub journal: PathBuf,
    /// Kiosk journals to merge in
    #[arg(value_name = "SOURCE", required = true)]
    pub sources: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AuditReportArgs {
    /// The journal file (SQLite), as a kiosk wrote it or merged
    #[arg(long, value_name = "FILE")]
    pub journal: PathBuf,
    /// The HTML file to write
    #[arg(long, value_name = "FILE.html", default_value = "report.html")]
    pub out: PathBuf,
    /// Muster list as of this time (RFC 3339); default: the end of the journal
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Replace an existing report
    #[arg(long)]
    pub force: bool,
    /// Show times in this IANA time zone (e.g. Asia/Tashkent), or UTC [default: the venue's, from the policy its gates took up; else UTC]
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// Registration secret key (PKCS#8 PEM)
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Revocation list file (created if missing); --revocations, as the kiosk and verify call it, works too
    #[arg(long, value_name = "FILE", visible_alias = "revocations")]
    pub list: PathBuf,
    /// Why, in plain words (shown to the guard)
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub reason: String,
    /// Also publish the signed list to every gate through the venue office (a connection file from `office add-publisher`); waits at most 5 s for the office, and says when the list is signed but not yet published
    #[arg(long, value_name = "FILE")]
    pub office: Option<PathBuf>,
    /// With --office: first take the office's newest list from this key (another desk's revocations), add the serials, and sign the next number (two desks that signed the same number)
    #[arg(long, requires = "office")]
    pub sync: bool,
    /// Undo the revocation of the SERIALs instead (revoked by mistake, a lost badge found): a new signed list where they are valid again, with --reason saying why; every gate takes it up and journals who was reinstated
    #[arg(long)]
    pub reinstate: bool,
    /// Revoke serials the register of badges issued with this key (KEY.issued.csv beside it) does not hold: badges issued by another desk, or before the register was kept
    #[arg(long)]
    pub force: bool,
    /// Serials to revoke (none: with --office, publish the list as it is, or with --sync, merge and publish)
    #[arg(value_name = "SERIAL", required_unless_present_any = ["office"])]
    pub serials: Vec<String>,
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// Registration secret key (PKCS#8 PEM)
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The draft: venue, time zone, zones, categories, gates (see below)
    #[arg(long, value_name = "FILE")]
    pub draft: PathBuf,
    /// The signed policy file (created, or replaced with the next sequence)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Also publish the signed policy to every gate through the venue office (a connection file from `office add-publisher`)
    #[arg(long, value_name = "FILE")]
    pub office: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PublishPhotosArgs {
    /// A publisher's connection file (`office add-publisher`), at the venue's office or the centre's
    #[arg(long, value_name = "FILE")]
    pub office: PathBuf,
    /// The venues whose gates get them: codes, comma-separated, or * for every venue
    #[arg(long, value_name = "CODES", default_value = "*")]
    pub venues: String,
    /// Photo files (SERIAL-photo.jpg) or folders holding them
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct KeylistArgs {
    #[command(subcommand)]
    pub command: KeylistCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeylistCommand {
    /// Let an issuing key sign badges (or change its window or scope), and sign the next list
    Grant(KeylistGrantArgs),
    /// Take an issuing key back for good (lost, stolen, its desk closed), and sign the next list
    Withdraw(KeylistWithdrawArgs),
    /// Print a key list: its root, sequence, keys granted and withdrawn
    Show(KeylistShowArgs),
}

#[derive(Debug, Args)]
pub struct KeylistSign {
    /// The root secret key (PKCS#8 PEM), kept off the network
    #[arg(long, value_name = "FILE")]
    pub root: PathBuf,
    /// The key list file (created if missing, else replaced by the next sequence)
    #[arg(long, value_name = "FILE")]
    pub list: PathBuf,
    /// Also publish the signed list to every gate through the venue office (a connection file from `office add-publisher`)
    #[arg(long, value_name = "FILE")]
    pub office: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct KeylistGrantArgs {
    #[command(flatten)]
    pub sign: KeylistSign,
    /// The issuing key's public key (SPKI PEM, as keygen wrote it)
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// First moment gates accept its badges (RFC 3339; default now)
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// Last moment gates accept its badges (RFC 3339)
    #[arg(long, value_name = "TIME")]
    pub until: String,
    /// Venues at whose gates its badges count: codes, comma-separated, or * for every venue
    #[arg(long, value_name = "CODES", default_value = "*")]
    pub venues: String,
    /// Zones its badges may open: codes, comma-separated, or * (then it may also sign badges for every zone)
    #[arg(long, value_name = "CODES", default_value = "*")]
    pub zones: String,
    /// Categories its badges may carry: codes, comma-separated, or *
    #[arg(long, value_name = "CODES", default_value = "*")]
    pub categories: String,
    /// Which desk holds the key, in plain words (kept in the signed list)
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub label: String,
}

#[derive(Debug, Args)]
pub struct KeylistWithdrawArgs {
    #[command(flatten)]
    pub sign: KeylistSign,
    /// The id of the key to withdraw (8 hex digits, as keygen and the list print it)
    #[arg(long, value_name = "ID")]
    pub key_id: String,
    /// Why, in plain words (kept in the signed list and shown at the office)
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
}

#[derive(Debug, Args)]
pub struct KeylistShowArgs {
    /// The key list file
    #[arg(long, value_name = "FILE")]
    pub list: PathBuf,
    /// Check its signature against this trust folder's root/ keys (without: parsed, not verified)
    #[arg(long, value_name = "DIR")]
    pub trust: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// One JSON object per code found: input, text, corners
    #[arg(long)]
    pub json: bool,
    /// Image files or folders of images
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the demo's files in this folder instead of a temporary one
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
}

use badgegate::format::constants as crate_constants;

/// `--language`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LanguageArg {
    /// English
    En,
    /// Russian (русский)
    Ru,
    /// Tajik (тоҷикӣ)
    Tg,
}

impl LanguageArg {
    /// `en`, `ru` or `tg`, as a venue policy writes it.
    pub fn code(self) -> &'static str {
        match self {
            LanguageArg::En => "en",
            LanguageArg::Ru => "ru",
            LanguageArg::Tg => "tg",
        }
    }
}

impl From<LanguageArg> for badgegate::screen::Lang {
    fn from(l: LanguageArg) -> Self {
        match l {
            LanguageArg::En => badgegate::screen::Lang::En,
            LanguageArg::Ru => badgegate::screen::Lang::Ru,
            LanguageArg::Tg => badgegate::screen::Lang::Tg,
        }
    }
}

/// `--direction`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DirectionArg {
    /// Entry: an admit puts the holder inside
    In,
    /// Exit: an admit lets the holder out
    Out,
}

impl From<DirectionArg> for badgegate::vocab::Direction {
    fn from(d: DirectionArg) -> Self {
        match d {
            DirectionArg::In => badgegate::vocab::Direction::In,
            DirectionArg::Out => badgegate::vocab::Direction::Out,
        }
    }
}

/// `--anti-passback`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AntiPassbackArg {
    /// Not checked
    Off,
    /// Admitted, flagged already_inside for the guard
    Soft,
    /// Denied already_inside
    Hard,
}

impl From<AntiPassbackArg> for badgegate::gate::decide::AntiPassback {
    fn from(a: AntiPassbackArg) -> Self {
        use badgegate::gate::decide::AntiPassback;
        match a {
            AntiPassbackArg::Off => AntiPassback::Off,
            AntiPassbackArg::Soft => AntiPassback::Soft,
            AntiPassbackArg::Hard => AntiPassback::Hard,
        }
    }
}

/// `--offline-passback`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OfflinePassbackArg {
    /// Admit, flagged passback unverified
    Soft,
    /// Deny until the office answers
    Hard,
}

impl From<OfflinePassbackArg> for badgegate::gate::decide::OfflinePassback {
    fn from(a: OfflinePassbackArg) -> Self {
        use badgegate::gate::decide::OfflinePassback;
        match a {
            OfflinePassbackArg::Soft => OfflinePassback::Soft,
            OfflinePassbackArg::Hard => OfflinePassback::Hard,
        }
    }
}

/// `audit --decision`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DecisionArg {
    /// Admits only
    Admit,
    /// Denials only
    Deny,
}

/// `audit export --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Comma-separated values with a header row
    Csv,
    /// One JSON object a line
    Jsonl,
}

/// `issue --sheet`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SheetArg {
    /// Four A6 cards a page, with crop marks
    A4,
    /// One card a page
    A6,
    /// PVC card printers, 54 x 85.6 mm
    Cr80,
}

#[cfg(feature = "desk")]
impl From<SheetArg> for badgegate::issue::sheet::SheetKind {
    fn from(s: SheetArg) -> Self {
        use badgegate::issue::sheet::SheetKind;
        match s {
            SheetArg::A4 => SheetKind::A4,
            SheetArg::A6 => SheetKind::A6,
            SheetArg::Cr80 => SheetKind::Cr80,
        }
    }
}
