//! The venue policy: the venue's name and time zone, its zones, its badge
//! categories (display name, card colour, whether the guard checks an ID,
//! whether it is staff) and optionally its gates — one small line-based
//! text file signed by the registration key, sequenced like a revocation
//! list so a kiosk can refuse a roll-back.
//!
//! Format (every line ends with `\n`; specified in `docs/badge-format.md`):
//! ```text
//! badgegate-policy v1
//! key-id: 1a2b3c4d
//! sequence: 2
//! issued-at: 2026-11-27T08:00:00Z
//! venue: Geneva Summit 2026
//! time-zone: Europe/Zurich
//! zone: plenary Plenary hall
//! category: hod #801020 id-check Head of delegation
//! category: staff #008050 staff Security staff
//! gate: north plenary in North entrance
//! signature: <128 lowercase hex digits>
//! ```
//!
//! The desk writes a draft (the lines from `venue:` on, with `#` comments
//! and blank lines allowed) and `badgegate policy` signs it.

use std::collections::BTreeSet;
#[cfg(feature = "host")]
use std::path::Path;
use std::path::PathBuf;

use crate::clock::{format_utc, parse_utc_z};
use crate::format::constants::{ALL_ZONES, MAX_CATEGORY_LEN, MAX_LIST_SEQUENCE, MAX_ZONE_LEN};
use crate::format::keys::{KeyError, KeyId, KeyStatus, SecretKey, TrustStore};
use crate::format::revocation::split_signed;
use crate::text::{has_visible_char, hex, is_forbidden_char, is_hidden_char};
use crate::vocab::Direction;

/// First line of a venue policy.
pub const POLICY_HEADER_V1: &str = "badgegate-policy v1";
/// Prefix of the signed message (domain separation from badges and lists).
pub const POLICY_SIGNING_CONTEXT: &[u8] = b"badgegate/policy/v1\0";
/// Longest venue, zone, category or gate name, in characters.
pub const MAX_POLICY_NAME_CHARS: usize = 60;
/// Largest policy file read.
pub const MAX_POLICY_FILE_BYTES: u64 = 1024 * 1024;
/// The longest freeze bound a policy may set (30 days).
pub const MAX_LISTS_MAX_AGE_HOURS: u32 = 720;
/// At most this many zones, categories and gates each.
pub const MAX_POLICY_ITEMS: usize = 500;

/// A zone: its code on badges and its name for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZoneDef {
    pub code: String,
    pub name: String,
}

/// A badge category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryDef {
    pub code: String,
    /// The card's and the screen's colour band (sRGB).
    pub colour: [u8; 3],
    /// The guard checks an ID before the holder is admitted.
    pub id_check: bool,
    /// Staff: a guard signs in at a kiosk with a badge of this category.
    pub staff: bool,
    pub name: String,
}

/// A gate: its name, the zone it opens (`*`: every zone) and its direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GateDef {
    pub code: String,
    pub zone: String,
    pub direction: Direction,
    pub name: String,
}

/// The languages a guard's screen speaks, as a policy's `language:` line
/// names them (ISO 639-1).
pub const GUARD_LANGUAGES: [&str; 3] = ["en", "ru", "tg"];

/// A disagreement between a kiosk's set-up and the venue policy
/// ([`PolicyBody::judge_gate`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GateFinding {
    /// The policy names gates, and not this one.
    Unknown {
        nearest: Option<String>,
        gates: Vec<String>,
    },
    /// The kiosk was given another zone than the policy gives its gate.
    ZoneDiffers { policy: String, given: String },
    /// The kiosk's direction is not its gate's.
    DirectionDiffers { policy: Direction },
    /// The kiosk's zone is not one the policy names.
    ZoneUnknown {
        zone: String,
        nearest: Option<String>,
    },
}

impl GateFinding {
    /// In words, for `gate`.
    pub fn words(&self, gate: &str) -> String {
        let mean = |n: &Option<String>| {
            n.as_ref()
                .map(|n| format!("; did you mean {n:?}?"))
                .unwrap_or_default()
        };
        match self {
            GateFinding::Unknown { nearest, gates } => format!(
                "gate {gate:?} is not in the venue policy{} (its gates: {})",
                mean(nearest),
                gates.join(", ")
            ),
            GateFinding::ZoneDiffers { policy, given } => format!(
                "the venue policy says gate {gate} opens zone {policy}, but this kiosk is set to zone {given}"
            ),
            GateFinding::DirectionDiffers { policy } => format!(
                "the venue policy says gate {gate} is an {} gate, but this kiosk is set as an {} gate",
                if *policy == Direction::In { "entry" } else { "exit" },
                if *policy == Direction::In { "exit" } else { "entry" },
            ),
            GateFinding::ZoneUnknown { zone, nearest } => {
                format!("zone {zone:?} is not in the venue policy{}", mean(nearest))
            }
        }
    }
}

/// What the venue policy says (the signed header aside).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PolicyBody {
    pub venue: String,
    /// An IANA time zone name (`Europe/Zurich`, `UTC`).
    pub time_zone: String,
    /// The venue's freeze bound: revocation lists older than this many
    /// hours are stale, and gates and the office say so (`None`: the
    /// kiosk's own default).
    pub lists_max_age_hours: Option<u32>,
    /// The language the guard's screens speak (`en`, `ru`, `tg`; `None`:
    /// each kiosk's own `--language`, English by default).
    pub language: Option<String>,
    pub zones: Vec<ZoneDef>,
    pub categories: Vec<CategoryDef>,
    pub gates: Vec<GateDef>,
}

/// A signed venue policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VenuePolicy {
    pub key_id: KeyId,
    /// Grows by one with every new policy; a kiosk refuses a lower one.
    pub sequence: u64,
    /// When the desk signed it, Unix seconds.
    pub issued_at: u64,
    pub body: PolicyBody,
}

/// Failures reading, checking or writing a venue policy.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    #[error("cannot read venue policy {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("venue policy {path} is larger than {MAX_POLICY_FILE_BYTES} bytes")]
    TooLarge { path: PathBuf },
    #[error("venue policy line {line}: {what}")]
    Malformed { line: usize, what: String },
    #[error("{} problem(s) in the venue policy draft; nothing was signed:\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Draft(Vec<PolicyError>),
    #[error("venue policy is signed by key {0}, which is not in the trust folder; copy the registration public key there")]
    UnknownKey(KeyId),
    #[error("venue policy is signed by retired key {0}; ask the desk for a policy signed with the current key")]
    RetiredKey(KeyId),
    #[error("venue policy is signed by key {0}, which the root's key list withdrew; ask the accreditation centre for one signed with a current key")]
    WithdrawnKey(KeyId),
    #[error("venue policy signature does not verify: the file was altered or forged; get a fresh copy from the desk")]
    BadSignature,
    #[error("the policy's sequence number is at its largest ({0}); start again with a new key")]
    SequenceExhausted(u64),
    #[error(transparent)]
    Key(#[from] KeyError),
}

fn bad(line: usize, what: impl Into<String>) -> PolicyError {
    PolicyError::Malformed {
        line,
        what: what.into(),
    }
}

/// A zone or gate code: lowercase letters, digits, `_` and `-`.
fn is_code(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'))
}

/// A category code, as badges carry it.
fn is_category_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_CATEGORY_LEN
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A name people read: visible, trimmed, short, no hidden characters.
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars().count() <= MAX_POLICY_NAME_CHARS
        && s.trim() == s
        && has_visible_char(s)
        && !s.chars().any(|c| is_forbidden_char(c) || is_hidden_char(c))
}

fn parse_colour(s: &str) -> Option<[u8; 3]> {
    let h = s.strip_prefix('#')?;
    if h.len() != 6
        || !h
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    let c = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some([c(0)?, c(2)?, c(4)?])
}

fn colour_hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// True if `name` is a time zone this build knows (IANA database, built in).
pub fn is_time_zone(name: &str) -> bool {
    jiff::tz::TimeZone::get(name).is_ok()
}

impl PolicyBody {
    /// Parses the body lines (from `venue:` on). `first_line` is the line
    /// number of the first; with `draft`, blank lines and `#` comments are
    /// skipped and surrounding white space is trimmed.
    pub fn parse_lines(
        text: &str,
        first_line: usize,
        draft: bool,
    ) -> Result<PolicyBody, PolicyError> {
        let mut body = PolicyBody::default();
        let mut venue = None;
        let mut tz = None;
        let mut stage = 0;
        // A draft's problems are all reported at once.
        let mut problems = Vec::new();
        for (i, raw) in text.split_inclusive('\n').enumerate() {
            let n = first_line + i;
            let mut one = || -> Result<(), PolicyError> {
                let line = match raw.strip_suffix('\n') {
                    Some(l) => l,
                    None if draft => raw,
                    None => return Err(bad(n, "line does not end with a newline")),
                };
                let line = if draft {
                    let t = line.trim();
                    if t.is_empty() || t.starts_with('#') {
                        return Ok(());
                    }
                    t
                } else {
                    line
                };
                let (key, value) = line
                    .split_once(": ")
                    .ok_or_else(|| bad(n, "expected `key: value`"))?;
                // The order: venue, time-zone, lists-max-age, language,
                // zones, categories, gates.
                let order = match key {
                    "venue" => 0,
                    "time-zone" => 1,
                    "lists-max-age" => 2,
                    "language" => 3,
                    "zone" => 4,
                    "category" => 5,
                    "gate" => 6,
                    other => {
                        return Err(bad(
                            n,
                            format!(
                                "unknown line `{}:` (venue, time-zone, lists-max-age, language, zone, category, gate)",
                                crate::text::printable_short(other, 30)
                            ),
                        ))
                    }
                };
                let repeated = (order == 0 && venue.is_some())
                    || (order == 1 && tz.is_some())
                    || (order == 2 && body.lists_max_age_hours.is_some())
                    || (order == 3 && body.language.is_some());
                if order < stage || repeated {
                    return Err(bad(
                        n,
                        "lines go in this order: venue, time-zone, lists-max-age and language (if any), then zones, categories, gates",
                    ));
                }
                stage = order;
                match key {
                    "venue" => {
                        if !is_name(value) {
                            return Err(bad(n, format!("the venue's name must be 1 to {MAX_POLICY_NAME_CHARS} visible characters")));
                        }
                        venue = Some(value.to_owned());
                    }
                    "time-zone" => {
                        if !is_time_zone(value) {
                            return Err(bad(n, format!("unknown time zone {:?}: use an IANA name such as Europe/Zurich or UTC", crate::text::printable_short(value, 40))));
                        }
                        tz = Some(value.to_owned());
                    }
                    "lists-max-age" => {
                        let hours = value
                            .strip_suffix('h')
                            .filter(|h| !h.starts_with('0'))
                            .and_then(|h| h.parse::<u32>().ok())
                            .filter(|h| (1..=MAX_LISTS_MAX_AGE_HOURS).contains(h))
                            .ok_or_else(|| {
                                bad(
                                    n,
                                    format!("expected `lists-max-age: <hours>h`, 1h to {MAX_LISTS_MAX_AGE_HOURS}h (say 6h)"),
                                )
                            })?;
                        body.lists_max_age_hours = Some(hours);
                    }
                    "language" => {
                        if !GUARD_LANGUAGES.contains(&value) {
                            return Err(bad(
                                n,
                                format!(
                                    "language {:?}: one of {} (the guard's screen)",
                                    crate::text::printable_short(value, 20),
                                    GUARD_LANGUAGES.join(", ")
                                ),
                            ));
                        }
                        body.language = Some(value.to_owned());
                    }
                    "zone" => body.zones.push(parse_zone(n, value)?),
                    "category" => body.categories.push(parse_category(n, value, draft)?),
                    _ => body.gates.push(parse_gate(n, value)?),
                }
                Ok(())
            };
            if let Err(e) = one() {
                if !draft {
                    return Err(e);
                }
                problems.push(e);
            }
        }
        if problems.len() == 1 {
            return Err(problems.remove(0));
        }
        if !problems.is_empty() {
            return Err(PolicyError::Draft(problems));
        }
        body.venue = venue.ok_or_else(|| bad(first_line, "missing `venue:` line"))?;
        body.time_zone = tz.ok_or_else(|| bad(first_line, "missing `time-zone:` line"))?;
        body.check(first_line)?;
        Ok(body)
    }

    /// Rules across lines: at least one zone and category, codes unique,
    /// gates open declared zones, not too many of anything.
    fn check(&self, line: usize) -> Result<(), PolicyError> {
        if self.zones.is_empty() || self.categories.is_empty() {
            return Err(bad(
                line,
                "a policy names at least one zone and one category",
            ));
        }
        if [self.zones.len(), self.categories.len(), self.gates.len()]
            .iter()
            .any(|n| *n > MAX_POLICY_ITEMS)
        {
            return Err(bad(
                line,
                format!("at most {MAX_POLICY_ITEMS} zones, categories and gates each"),
            ));
        }
        let unique = |codes: Vec<&str>, what: &str| -> Result<(), PolicyError> {
            let mut seen = BTreeSet::new();
            for c in codes {
                if !seen.insert(c) {
                    return Err(bad(line, format!("{what} {c} is named twice")));
                }
            }
            Ok(())
        };
        unique(self.zones.iter().map(|z| z.code.as_str()).collect(), "zone")?;
        unique(
            self.categories.iter().map(|c| c.code.as_str()).collect(),
            "category",
        )?;
        unique(self.gates.iter().map(|g| g.code.as_str()).collect(), "gate")?;
        for g in &self.gates {
            if g.zone != ALL_ZONES && self.zone(&g.zone).is_none() {
                return Err(bad(
                    line,
                    format!(
                        "gate {} opens zone {}, which the policy does not name",
                        g.code, g.zone
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The body lines, canonical.
    pub fn render(&self) -> String {
        let mut s = format!("venue: {}\ntime-zone: {}\n", self.venue, self.time_zone);
        if let Some(h) = self.lists_max_age_hours {
            s.push_str(&format!("lists-max-age: {h}h\n"));
        }
        if let Some(l) = &self.language {
            s.push_str(&format!("language: {l}\n"));
        }
        for z in &self.zones {
            s.push_str(&format!("zone: {} {}\n", z.code, z.name));
        }
        for c in &self.categories {
            let flags = match (c.id_check, c.staff) {
                (false, false) => "-",
                (true, false) => "id-check",
                (false, true) => "staff",
                (true, true) => "id-check,staff",
            };
            s.push_str(&format!(
                "category: {} {} {flags} {}\n",
                c.code,
                colour_hex(c.colour),
                c.name
            ));
        }
        for g in &self.gates {
            s.push_str(&format!(
                "gate: {} {} {} {}\n",
                g.code, g.zone, g.direction, g.name
            ));
        }
        s
    }

    pub fn zone(&self, code: &str) -> Option<&ZoneDef> {
        self.zones.iter().find(|z| z.code == code)
    }

    pub fn category(&self, code: &str) -> Option<&CategoryDef> {
        self.categories.iter().find(|c| c.code == code)
    }

    pub fn gate(&self, code: &str) -> Option<&GateDef> {
        self.gates.iter().find(|g| g.code == code)
    }

    /// The known zone code nearest to `code` (for "did you mean …?").
    pub fn nearest_zone(&self, code: &str) -> Option<&str> {
        nearest(code, self.zones.iter().map(|z| z.code.as_str()))
    }

    /// What this policy says of a kiosk set up as gate `gate`, with the
    /// zone and direction it was given (`None`: none given, the policy's
    /// is taken): every disagreement, worst first. The kiosk refuses to
    /// start on [`GateFinding::Unknown`] without a zone of its own, and
    /// `doctor` fails it; the rest are warnings.
    pub fn judge_gate(
        &self,
        gate: &str,
        zone: Option<&str>,
        direction: Option<Direction>,
    ) -> Vec<GateFinding> {
        let mut out = Vec::new();
        match self.gate(gate) {
            None if !self.gates.is_empty() => out.push(GateFinding::Unknown {
                nearest: self.nearest_gate(gate).map(str::to_owned),
                gates: self.gates.iter().map(|g| g.code.clone()).collect(),
            }),
            None => {}
            Some(g) => {
                if let Some(z) = zone.filter(|z| *z != g.zone) {
                    out.push(GateFinding::ZoneDiffers {
                        policy: g.zone.clone(),
                        given: z.to_owned(),
                    });
                }
                if direction.is_some_and(|d| d != g.direction) {
                    out.push(GateFinding::DirectionDiffers {
                        policy: g.direction,
                    });
                }
            }
        }
        if let Some(z) = zone.filter(|z| *z != ALL_ZONES && self.zone(z).is_none()) {
            out.push(GateFinding::ZoneUnknown {
                zone: z.to_owned(),
                nearest: self.nearest_zone(z).map(str::to_owned),
            });
        }
        out
    }

    /// The known gate code nearest to `code`.
    pub fn nearest_gate(&self, code: &str) -> Option<&str> {
        nearest(code, self.gates.iter().map(|g| g.code.as_str()))
    }

    /// The known category code nearest to `code`.
    pub fn nearest_category(&self, code: &str) -> Option<&str> {
        nearest(code, self.categories.iter().map(|c| c.code.as_str()))
    }

    /// Seconds east of UTC at the venue at Unix time `secs`.
    pub fn utc_offset_at(&self, secs: u64) -> i32 {
        self.venue_time().offset_at(secs)
    }

    /// How the venue reads times.
    pub fn venue_time(&self) -> crate::clock::VenueTime {
        crate::clock::VenueTime::zone(&self.time_zone)
    }

    /// A category's display name and colour: the policy's, or the built-in
    /// look for a code it does not name.
    pub fn category_look(policy: Option<&PolicyBody>, code: &str) -> (String, [u8; 3]) {
        match policy.and_then(|p| p.category(code)) {
            Some(c) => (c.name.clone(), c.colour),
            None => (
                crate::format::category::category_label(code),
                crate::format::category::category_colour(code),
            ),
        }
    }
}

/// The candidate closest to `code` by edit distance (ties: the first).
fn nearest<'a>(code: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    crate::text::nearest(code, candidates)
}

fn parse_zone(n: usize, value: &str) -> Result<ZoneDef, PolicyError> {
    let (code, name) = value
        .split_once(' ')
        .ok_or_else(|| bad(n, "expected `zone: CODE NAME`"))?;
    if !is_code(code, MAX_ZONE_LEN) {
        return Err(bad(
            n,
            format!(
                "zone code {:?}: 1 to {MAX_ZONE_LEN} of a-z 0-9 _ -",
                crate::text::printable_short(code, 30)
            ),
        ));
    }
    if !is_name(name) {
        return Err(bad(
            n,
            format!("zone name: 1 to {MAX_POLICY_NAME_CHARS} visible characters"),
        ));
    }
    Ok(ZoneDef {
        code: code.to_owned(),
        name: name.to_owned(),
    })
}

/// A category line; a draft's colour may be in either case (the signed
/// policy writes it in lowercase).
fn parse_category(n: usize, value: &str, draft: bool) -> Result<CategoryDef, PolicyError> {
    let mut parts = value.splitn(4, ' ');
    let (code, colour, flags, name) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    if !is_category_code(code) {
        return Err(bad(n, format!("category code {:?}: 1 to {MAX_CATEGORY_LEN} of a-z 0-9 -; expected `category: CODE #RRGGBB FLAGS NAME`", crate::text::printable_short(code, 30))));
    }
    let colour = if draft {
        parse_colour(&colour.to_ascii_lowercase())
    } else {
        parse_colour(colour)
    }
    .ok_or_else(|| {
        bad(
            n,
            format!(
                "category colour {:?}: `#rrggbb`, six hex digits (say #801020)",
                crate::text::printable_short(colour, 20)
            ),
        )
    })?;
    let (id_check, staff) = match flags {
        "-" => (false, false),
        "id-check" => (true, false),
        "staff" => (false, true),
        "id-check,staff" => (true, true),
        _ => {
            return Err(bad(
                n,
                "category flags: `-`, `id-check`, `staff` or `id-check,staff`",
            ))
        }
    };
    if !is_name(name) {
        return Err(bad(
            n,
            format!("category name: 1 to {MAX_POLICY_NAME_CHARS} visible characters"),
        ));
    }
    Ok(CategoryDef {
        code: code.to_owned(),
        colour,
        id_check,
        staff,
        name: name.to_owned(),
    })
}

fn parse_gate(n: usize, value: &str) -> Result<GateDef, PolicyError> {
    let mut parts = value.splitn(4, ' ');
    let (code, zone, direction, name) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    if !is_code(code, MAX_ZONE_LEN) {
        return Err(bad(
            n,
            "gate code: 1 to 24 of a-z 0-9 _ -; expected `gate: CODE ZONE in|out NAME`",
        ));
    }
    if zone != ALL_ZONES && !is_code(zone, MAX_ZONE_LEN) {
        return Err(bad(n, "gate zone: a zone code, or * for every zone"));
    }
    let direction =
        Direction::from_code(direction).ok_or_else(|| bad(n, "gate direction: in or out"))?;
    if !is_name(name) {
        return Err(bad(
            n,
            format!("gate name: 1 to {MAX_POLICY_NAME_CHARS} visible characters"),
        ));
    }
    Ok(GateDef {
        code: code.to_owned(),
        zone: zone.to_owned(),
        direction,
        name: name.to_owned(),
    })
}

fn signed_message(body: &str) -> Vec<u8> {
    let mut m = POLICY_SIGNING_CONTEXT.to_vec();
    m.extend_from_slice(body.as_bytes());
    m
}

impl VenuePolicy {
    /// The signed part of the file: everything before the signature line.
    pub fn signed_body(&self) -> String {
        format!(
            "{POLICY_HEADER_V1}\nkey-id: {}\nsequence: {}\nissued-at: {}\n{}",
            self.key_id,
            self.sequence,
            format_utc(self.issued_at),
            self.body.render()
        )
    }

    /// The whole file, signed with `key`.
    pub fn sign(&self, key: &SecretKey) -> String {
        let body = self.signed_body();
        let sig = key.sign(&signed_message(&body));
        format!("{body}signature: {}\n", hex(&sig))
    }

    /// The next policy after `previous` (if any) with this body, signed by
    /// `key` at `now`: sequence one higher, whichever key signed `previous`
    /// (the venue has one series of policy numbers). `None` when the body
    /// is the one already signed by this key (nothing to change).
    pub fn next(
        previous: Option<&VenuePolicy>,
        body: PolicyBody,
        key: &SecretKey,
        now: u64,
    ) -> Result<Option<(VenuePolicy, String)>, PolicyError> {
        let sequence = match previous {
            // The same body under the same key: nothing new. Under another
            // key (a rotation) the venue's one series of policy numbers
            // goes on: kiosks order policies by number across keys.
            Some(p) if p.body == body && p.key_id == key.key_id() => return Ok(None),
            Some(p) => p
                .sequence
                .checked_add(1)
                .filter(|s| *s <= MAX_LIST_SEQUENCE)
                .ok_or(PolicyError::SequenceExhausted(p.sequence))?,
            None => 1,
        };
        let policy = VenuePolicy {
            key_id: key.key_id(),
            sequence,
            issued_at: now,
            body,
        };
        let text = policy.sign(key);
        Ok(Some((policy, text)))
    }

    /// Parses a policy's text strictly, without checking the signature.
    pub fn parse(text: &str) -> Result<(VenuePolicy, [u8; 64]), PolicyError> {
        let (body, signature) = split_signed(text).map_err(|(l, w)| bad(l, w))?;
        let mut lines = body.split_inclusive('\n');
        let mut header = |n: usize, prefix: &str, what: &str| -> Result<String, PolicyError> {
            lines
                .next()
                .and_then(|l| l.strip_suffix('\n'))
                .and_then(|l| l.strip_prefix(prefix))
                .map(str::to_owned)
                .ok_or_else(|| bad(n, format!("expected {what}")))
        };
        header(1, POLICY_HEADER_V1, &format!("{POLICY_HEADER_V1:?}")).and_then(|rest| {
            if rest.is_empty() {
                Ok(())
            } else {
                Err(bad(1, format!("expected {POLICY_HEADER_V1:?}")))
            }
        })?;
        let key_id = KeyId::from_hex(&header(2, "key-id: ", "`key-id: <hex>`")?)
            .ok_or_else(|| bad(2, "expected `key-id: <hex>`"))?;
        let sequence = header(3, "sequence: ", "`sequence: <number>`")?;
        let sequence = Some(sequence.as_str())
            .filter(|s| !s.starts_with('0'))
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|s| *s <= MAX_LIST_SEQUENCE)
            .ok_or_else(|| {
                bad(
                    3,
                    "expected `sequence: <number>`, a whole number from 1 to 9223372036854775807 without leading zeros",
                )
            })?;
        let issued_at = parse_utc_z(&header(
            4,
            "issued-at: ",
            "`issued-at: YYYY-MM-DDTHH:MM:SSZ`",
        )?)
        .ok_or_else(|| bad(4, "expected `issued-at: YYYY-MM-DDTHH:MM:SSZ`"))?;
        let rest: String = lines.collect();
        let policy = VenuePolicy {
            key_id,
            sequence,
            issued_at,
            body: PolicyBody::parse_lines(&rest, 5, false)?,
        };
        if policy.signed_body() != body {
            return Err(bad(0, "not in canonical form"));
        }
        Ok((policy, signature))
    }

    /// Parses a policy and checks its signature against the trust store:
    /// the signing key must be trusted and not retired.
    pub fn parse_verified(text: &str, trust: &TrustStore) -> Result<VenuePolicy, PolicyError> {
        let (policy, signature) = Self::parse(text)?;
        if trust.withdrawal(&policy.key_id).is_some() {
            return Err(PolicyError::WithdrawnKey(policy.key_id));
        }
        let trusted = trust
            .get(&policy.key_id)
            .ok_or(PolicyError::UnknownKey(policy.key_id))?;
        if !trusted
            .key
            .verify(&signed_message(&policy.signed_body()), &signature)
        {
            return Err(PolicyError::BadSignature);
        }
        if trusted.status == KeyStatus::Retired {
            return Err(PolicyError::RetiredKey(policy.key_id));
        }
        Ok(policy)
    }

    #[cfg(feature = "host")]
    /// Reads and verifies a policy file.
    pub fn load_verified(path: &Path, trust: &TrustStore) -> Result<VenuePolicy, PolicyError> {
        Self::parse_verified(&read_policy(path)?, trust)
    }
}

#[cfg(feature = "host")]
/// Reads a policy (or draft) file's text, with a size cap.
pub fn read_policy(path: &Path) -> Result<String, PolicyError> {
    use crate::files::{read_small_text, SmallTextError};
    let text = read_small_text(path, MAX_POLICY_FILE_BYTES).map_err(|e| match e {
        SmallTextError::Io(source) => PolicyError::Read {
            path: path.to_owned(),
            source,
        },
        SmallTextError::TooLarge => PolicyError::TooLarge {
            path: path.to_owned(),
        },
        SmallTextError::NotUtf8 => bad(0, "file is not UTF-8 text"),
    })?;
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text))
}

/// The freeze bound, in seconds: revocation lists signed longer ago than
/// this are stale (a feed that stopped, or a desk that stopped re-signing).
/// The venue policy's `lists-max-age` when it sets one, else `default_secs`
/// (the kiosk's `--revocations-max-age`). The one rule the screen, the
/// headless kiosk and the office's pages use.
pub fn lists_max_age_secs(policy: Option<&PolicyBody>, default_secs: u64) -> u64 {
    policy
        .and_then(|p| p.lists_max_age_hours)
        .map_or(default_secs, |h| u64::from(h) * 3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DRAFT: &str = "# Geneva summit\n\
        venue: Geneva Summit 2026\n\
        time-zone: Europe/Zurich\n\
        \n\
        zone: plenary Plenary hall\n\
        zone: press Press centre\n\
        category: hod #801020 id-check Head of delegation\n\
        category: delegate #00529b - Delegate\n\
        category: staff #008050 staff Security staff\n\
        gate: north plenary in North entrance\n";

    #[test]
    fn a_draft_signs_parses_and_verifies_and_only_changes_bump_the_sequence() {
        let k = SecretKey::from_seed(&[3; 32]);
        let body = PolicyBody::parse_lines(DRAFT, 1, true).unwrap();
        assert_eq!(body.zones.len(), 2);
        assert!(body.category("hod").unwrap().id_check);
        assert!(body.category("staff").unwrap().staff);
        let (p1, text) = VenuePolicy::next(None, body.clone(), &k, 1_796_205_600)
            .unwrap()
            .unwrap();
        assert_eq!(p1.sequence, 1);
        let trust = TrustStore::from_keys(&[k.public()], &[]);
        assert_eq!(VenuePolicy::parse_verified(&text, &trust).unwrap(), p1);
        assert!(
            VenuePolicy::next(Some(&p1), body.clone(), &k, 1_796_205_700)
                .unwrap()
                .is_none()
        );
        let mut changed = body;
        changed.zones[1].name = "Press centre (level 2)".into();
        let (p2, _) = VenuePolicy::next(Some(&p1), changed, &k, 1_796_205_700)
            .unwrap()
            .unwrap();
        assert_eq!(p2.sequence, 2);
        // One changed byte: refused.
        let forged = text.replace("Plenary hall", "Plenary hal1");
        assert!(matches!(
            VenuePolicy::parse_verified(&forged, &trust),
            Err(PolicyError::BadSignature)
        ));
    }

    #[test]
    fn a_freeze_bound_is_one_optional_line_after_the_time_zone() {
        let with = DRAFT.replace(
            "time-zone: Europe/Zurich\n",
            "time-zone: Europe/Zurich\nlists-max-age: 6h\n",
        );
        let body = PolicyBody::parse_lines(&with, 1, true).unwrap();
        assert_eq!(body.lists_max_age_hours, Some(6));
        assert!(body
            .render()
            .contains("time-zone: Europe/Zurich\nlists-max-age: 6h\nzone:"));
        let again = PolicyBody::parse_lines(&body.render(), 1, false).unwrap();
        assert_eq!(again, body);
        // Without it, nothing changes in the file.
        let without = PolicyBody::parse_lines(DRAFT, 1, true).unwrap();
        assert!(!without.render().contains("lists-max-age"));
        for bad in ["0h", "6", "06h", "721h", "6 h", "-1h"] {
            let text = DRAFT.replace(
                "time-zone: Europe/Zurich\n",
                &format!("time-zone: Europe/Zurich\nlists-max-age: {bad}\n"),
            );
            let e = PolicyBody::parse_lines(&text, 1, true)
                .unwrap_err()
                .to_string();
            assert!(e.contains("lists-max-age"), "{bad}: {e}");
        }
        let late = DRAFT.replace(
            "gate: north plenary in North entrance\n",
            "gate: north plenary in North entrance\nlists-max-age: 6h\n",
        );
        assert!(
            PolicyBody::parse_lines(&late, 1, true).is_err(),
            "in its place only"
        );
        assert_eq!(lists_max_age_secs(Some(&body), 99), 6 * 3600);
        assert_eq!(lists_max_age_secs(Some(&without), 99), 99);
    }

    #[test]
    fn the_guards_language_is_one_optional_line_after_the_freeze_bound() {
        let with = DRAFT.replace(
            "time-zone: Europe/Zurich\n",
            "time-zone: Europe/Zurich\nlists-max-age: 6h\nlanguage: ru\n",
        );
        let body = PolicyBody::parse_lines(&with, 1, true).unwrap();
        assert_eq!(body.language.as_deref(), Some("ru"));
        assert!(body
            .render()
            .contains("lists-max-age: 6h\nlanguage: ru\nzone:"));
        assert_eq!(
            PolicyBody::parse_lines(&body.render(), 1, false).unwrap(),
            body
        );
        let e = PolicyBody::parse_lines(&with.replace("language: ru", "language: fr"), 1, true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("one of en, ru, tg"), "{e}");
        let early = DRAFT.replace(
            "time-zone: Europe/Zurich\n",
            "language: ru\ntime-zone: Europe/Zurich\n",
        );
        assert!(
            PolicyBody::parse_lines(&early, 1, true).is_err(),
            "in its place only"
        );
        assert!(PolicyBody::parse_lines(DRAFT, 1, true)
            .unwrap()
            .language
            .is_none());
    }

    #[test]
    fn bad_lines_are_named() {
        let cases = [
            (
                "venue: V\ntime-zone: Mars/Olympus\nzone: a A\ncategory: c #000000 - C\n",
                2,
                "time zone",
            ),
            (
                "venue: V\ntime-zone: UTC\nzone: A A\ncategory: c #000000 - C\n",
                3,
                "zone code",
            ),
            (
                "venue: V\ntime-zone: UTC\nzone: a A\ncategory: c #00000 - C\n",
                4,
                "colour",
            ),
            (
                "venue: V\ntime-zone: UTC\nzone: a A\ncategory: c #000000 vip C\n",
                4,
                "flags",
            ),
            (
                "venue: V\ntime-zone: UTC\ncategory: c #000000 - C\nzone: a A\n",
                4,
                "order",
            ),
            (
                "venue: V\ntime-zone: UTC\nzone: a A\ncategory: c #000000 - C\ngate: g b in G\n",
                1,
                "does not name",
            ),
            (
                "venue: V\ntime-zone: UTC\nzone: a A\nzone: a B\ncategory: c #000000 - C\n",
                1,
                "twice",
            ),
            (
                "venue: V\ntime-zone: UTC\nzone: a A\u{202e}B\ncategory: c #000000 - C\n",
                3,
                "zone name",
            ),
        ];
        for (text, line, words) in cases {
            match PolicyBody::parse_lines(text, 1, true) {
                Err(PolicyError::Malformed { line: l, what }) => {
                    assert_eq!(l, line, "{text:?}: {what}");
                    assert!(what.contains(words), "{text:?}: {what}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn nearest_codes_and_local_time() {
        let body = PolicyBody::parse_lines(DRAFT, 1, true).unwrap();
        assert_eq!(body.nearest_zone("plenray"), Some("plenary"));
        assert_eq!(body.nearest_category("delgate"), Some("delegate"));
        // 2026-11-27 (winter): one hour east; 2026-07-01: two.
        assert_eq!(body.utc_offset_at(1_796_205_600), 3600);
        assert_eq!(body.utc_offset_at(1_782_864_000), 7200);
    }
}
