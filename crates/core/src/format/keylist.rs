//! The key list: which issuing keys may sign badges, when, and for what —
//! signed by an offline **root key** and sequenced like a revocation list,
//! so a kiosk that trusts only the root takes up new issuing keys, their
//! scopes and their withdrawals without anyone touching its trust folder
//! (the pattern of ISO 18013-5's IACA root over document-signer keys, and
//! of TUF's delegations).
//!
//! Format (every line ends with `\n`; specified in `docs/badge-format.md`):
//! ```text
//! badgegate-keys v1
//! key-id: 0c1d2e3f
//! sequence: 2
//! issued-at: 2027-07-01T08:00:00Z
//! grant: 1a2b3c4d <64 hex: the raw public key> 2027-07-01T00:00:00Z 2027-08-31T23:59:59Z venues=stadium,arena zones=* categories=athlete,staff Venue desk A
//! withdraw: 5e6f7a8b 2027-07-20T10:00:00Z laptop stolen at the Arena desk
//! signature: <128 lowercase hex digits>
//! ```
//! `key-id` names the root key that signed the list. A `grant:` line lets an
//! issuing key sign badges from its first time to its second, for badges
//! whose every zone and whose category are in its scope, at gates of the
//! venues in its scope (`*`: any). A `withdraw:` line takes a key back for
//! good: its badges are refused everywhere, whatever else the trust folder
//! holds. A key is granted or withdrawn, never both.

use std::collections::BTreeSet;
use std::fmt;
#[cfg(feature = "host")]
use std::path::Path;
use std::path::PathBuf;

use crate::clock::{format_utc, parse_utc_z};
use crate::format::constants::{ALL_ZONES, MAX_CATEGORY_LEN, MAX_LIST_SEQUENCE, MAX_ZONE_LEN};
use crate::format::keys::{KeyError, KeyId, PublicKey, SecretKey};
use crate::format::revocation::split_signed;
use crate::text::{has_visible_char, hex, is_forbidden_char, is_hidden_char};

/// First line of a key list.
pub const KEYLIST_HEADER_V1: &str = "badgegate-keys v1";
/// Prefix of the signed message (domain separation from badges, lists and
/// policies).
pub const KEYLIST_SIGNING_CONTEXT: &[u8] = b"badgegate/keys/v1\0";
/// Largest key list file read.
pub const MAX_KEYLIST_FILE_BYTES: u64 = 1024 * 1024;
/// At most this many keys granted and withdrawn, together.
pub const MAX_KEYLIST_ITEMS: usize = 2000;
/// Longest label of a granted key, or reason of a withdrawal, in characters.
pub const MAX_KEYLIST_WORDS_CHARS: usize = 200;
/// Longest venue code.
pub const MAX_VENUE_LEN: usize = 24;
/// At most this many codes in one scope.
pub const MAX_SCOPE_ITEMS: usize = 64;

/// What a scope covers: everything (`*`), or these codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    Only(BTreeSet<String>),
}

impl Scope {
    /// True if `code` is in the scope.
    pub fn covers(&self, code: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Only(codes) => codes.contains(code),
        }
    }

    /// A scope as the list writes it (`*`, or sorted distinct codes,
    /// comma-separated), for `what` it covers.
    pub fn parse_as(text: &str, what: ScopeOf) -> Option<Scope> {
        Scope::parse(
            text,
            match what {
                ScopeOf::Venues => is_valid_venue,
                ScopeOf::Zones => is_valid_zone_code,
                ScopeOf::Categories => is_valid_category_code,
            },
        )
    }

    fn parse(text: &str, valid: fn(&str) -> bool) -> Option<Scope> {
        if text == ALL_ZONES {
            return Some(Scope::All);
        }
        let codes: Vec<&str> = text.split(',').collect();
        if codes.is_empty() || codes.len() > MAX_SCOPE_ITEMS || !codes.iter().all(|c| valid(c)) {
            return None;
        }
        let set: BTreeSet<String> = codes.iter().map(|c| (*c).to_owned()).collect();
        // Canonical: sorted, each once.
        (set.iter().map(String::as_str).collect::<Vec<_>>() == codes).then_some(Scope::Only(set))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::All => f.write_str(ALL_ZONES),
            Scope::Only(codes) => f.write_str(&codes.iter().cloned().collect::<Vec<_>>().join(",")),
        }
    }
}

/// What a scope holds codes of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeOf {
    Venues,
    Zones,
    Categories,
}

/// A venue code: 1 to [`MAX_VENUE_LEN`] characters of `a-z 0-9 _ -`.
pub fn is_valid_venue(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= MAX_VENUE_LEN
        && v.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'))
}

fn is_valid_zone_code(z: &str) -> bool {
    !z.is_empty()
        && z.len() <= MAX_ZONE_LEN
        && z.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'))
}

fn is_valid_category_code(c: &str) -> bool {
    !c.is_empty()
        && c.len() <= MAX_CATEGORY_LEN
        && c.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// An issuing key the root lets sign badges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub key: PublicKey,
    /// First and last moment (Unix seconds, inclusive) gates accept its
    /// badges.
    pub from: u64,
    pub until: u64,
    pub venues: Scope,
    pub zones: Scope,
    pub categories: Scope,
    /// Which desk holds it, in plain words (may be empty).
    pub label: String,
}

/// Why an authentic badge of a granted key is outside that key's scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutOfScope {
    /// The gate's venue is not among the key's (`None`: the gate names no
    /// venue, and the key is not for every venue).
    Venue(Option<String>),
    /// A zone the badge opens (perhaps `*`) is not among the key's.
    Zone(String),
    Category(String),
}

impl fmt::Display for OutOfScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutOfScope::Venue(Some(v)) => write!(f, "venue {v}"),
            OutOfScope::Venue(None) => {
                f.write_str("a gate without a venue (the kiosk's --venue is not set)")
            }
            OutOfScope::Zone(z) if z == ALL_ZONES => f.write_str("every zone (*)"),
            OutOfScope::Zone(z) => write!(f, "zone {z}"),
            OutOfScope::Category(c) => write!(f, "category {c}"),
        }
    }
}

impl Grant {
    /// What of a badge with these zones and category, shown at a gate of
    /// `venue`, the key may not grant (the first thing found).
    pub fn out_of_scope(
        &self,
        venue: Option<&str>,
        zones: &[String],
        category: &str,
    ) -> Option<OutOfScope> {
        if self.venues != Scope::All && !venue.is_some_and(|v| self.venues.covers(v)) {
            return Some(OutOfScope::Venue(venue.map(str::to_owned)));
        }
        for z in zones {
            let covered = match &self.zones {
                Scope::All => true,
                Scope::Only(codes) => z != ALL_ZONES && codes.contains(z),
            };
            if !covered {
                return Some(OutOfScope::Zone(z.clone()));
            }
        }
        if !self.categories.covers(category) {
            return Some(OutOfScope::Category(category.to_owned()));
        }
        None
    }
}

/// A key taken back for good.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Withdrawal {
    pub key_id: KeyId,
    /// When, Unix seconds.
    pub at: u64,
    /// Why, in plain words (never empty).
    pub reason: String,
}

/// A key list's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyList {
    /// The root key that signs it.
    pub root_id: KeyId,
    /// One sequence for the venue's key lists, across root keys: a kiosk
    /// refuses a lower one than it has taken up.
    pub sequence: u64,
    /// When the root signed it, Unix seconds.
    pub issued_at: u64,
    pub grants: Vec<Grant>,
    pub withdrawn: Vec<Withdrawal>,
}

/// Failures reading, checking or writing a key list.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyListError {
    #[error("cannot read key list {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("key list {path} is larger than {MAX_KEYLIST_FILE_BYTES} bytes")]
    TooLarge { path: PathBuf },
    #[error("key list line {line}: {what}")]
    Malformed { line: usize, what: String },
    #[error("key list is signed by key {0}, which is not a root key in the trust folder's root/ folder; only the root key signs key lists")]
    NotRoot(KeyId),
    #[error("key list signature does not verify: the file was altered or forged; get a fresh copy from the accreditation centre")]
    BadSignature,
    #[error("key list sequence {got} is older than sequence {seen} already taken up here; refusing a roll-back")]
    RolledBack { seen: u64, got: u64 },
    #[error("the existing key list is signed by root {list}, but this key is {key}; sign with the root key that signed the list, or start a new list")]
    WrongRoot { list: KeyId, key: KeyId },
    #[error("{0} is the root key itself: a root key signs key lists, never badges")]
    RootAsIssuer(KeyId),
    #[error(
        "key {0} is withdrawn in this list and cannot be granted again; make a new issuing key"
    )]
    Withdrawn(KeyId),
    #[error("key {0} is not in this list: nothing to withdraw")]
    NotListed(KeyId),
    #[error("{0}")]
    Bad(String),
    #[error("the key list's sequence number is at its largest ({0}); start a new list signed by a new root key")]
    SequenceExhausted(u64),
    #[error(transparent)]
    Key(#[from] KeyError),
}

fn bad(line: usize, what: impl Into<String>) -> KeyListError {
    KeyListError::Malformed {
        line,
        what: what.into(),
    }
}

/// Words (a label or a reason) as any build may have written them.
fn check_words(words: &str) -> bool {
    words.chars().count() <= MAX_KEYLIST_WORDS_CHARS
        && !words.chars().any(is_forbidden_char)
        && words.trim() == words
}

/// Words the desk may write now: nothing hidden, something visible if any.
fn check_new_words(words: &str) -> bool {
    check_words(words)
        && !words.chars().any(is_hidden_char)
        && (words.is_empty() || has_visible_char(words))
}

fn signed_message(body: &str) -> Vec<u8> {
    let mut m = KEYLIST_SIGNING_CONTEXT.to_vec();
    m.extend_from_slice(body.as_bytes());
    m
}

impl KeyList {
    /// An empty list of this root, sequence 0 (the first signed has 1).
    pub fn empty(root_id: KeyId) -> KeyList {
        KeyList {
            root_id,
            sequence: 0,
            issued_at: 0,
            grants: Vec::new(),
            withdrawn: Vec::new(),
        }
    }

    /// The grant of key `id`, if granted.
    pub fn grant(&self, id: &KeyId) -> Option<&Grant> {
        self.grants.iter().find(|g| g.key.id == *id)
    }

    /// The withdrawal of key `id`, if withdrawn.
    pub fn withdrawal(&self, id: &KeyId) -> Option<&Withdrawal> {
        self.withdrawn.iter().find(|w| w.key_id == *id)
    }

    /// The signed part of the file: everything before the signature line.
    pub fn body(&self) -> String {
        let mut s = format!(
            "{KEYLIST_HEADER_V1}\nkey-id: {}\nsequence: {}\nissued-at: {}\n",
            self.root_id,
            self.sequence,
            format_utc(self.issued_at)
        );
        for g in &self.grants {
            s.push_str(&format!(
                "grant: {} {} {} {} venues={} zones={} categories={}",
                g.key.id,
                hex(g.key.key.as_bytes()),
                format_utc(g.from),
                format_utc(g.until),
                g.venues,
                g.zones,
                g.categories
            ));
            if !g.label.is_empty() {
                s.push(' ');
                s.push_str(&g.label);
            }
            s.push('\n');
        }
        for w in &self.withdrawn {
            s.push_str(&format!(
                "withdraw: {} {} {}\n",
                w.key_id,
                format_utc(w.at),
                w.reason
            ));
        }
        s
    }

    /// Grants `grant.key` (or replaces its grant: a new window or scope),
    /// checked as the desk may write it. The list is not signed yet.
    pub fn put_grant(&mut self, grant: Grant) -> Result<(), KeyListError> {
        if grant.key.id == self.root_id {
            return Err(KeyListError::RootAsIssuer(grant.key.id));
        }
        if self.withdrawal(&grant.key.id).is_some() {
            return Err(KeyListError::Withdrawn(grant.key.id));
        }
        if grant.key.key.is_weak() {
            return Err(KeyListError::Bad(format!(
                "key {} is a small-order (weak) Ed25519 key: signatures under it prove nothing",
                grant.key.id
            )));
        }
        if grant.until < grant.from {
            return Err(KeyListError::Bad(
                "the key's last moment is before its first (--until before --from)".into(),
            ));
        }
        if !check_new_words(&grant.label) {
            return Err(KeyListError::Bad(format!(
                "the label is longer than {MAX_KEYLIST_WORDS_CHARS} characters, or holds a control, text-direction or invisible character"
            )));
        }
        if self
            .grants
            .iter()
            .any(|g| g.key.id == grant.key.id && g.key != grant.key)
        {
            return Err(KeyListError::Bad(format!(
                "another key with id {} is already granted; make a new issuing key",
                grant.key.id
            )));
        }
        if self.grants.len() + self.withdrawn.len() >= MAX_KEYLIST_ITEMS
            && self.grant(&grant.key.id).is_none()
        {
            return Err(KeyListError::Bad(format!(
                "a key list holds at most {MAX_KEYLIST_ITEMS} keys"
            )));
        }
        match self.grants.iter_mut().find(|g| g.key.id == grant.key.id) {
            Some(g) => *g = grant,
            None => self.grants.push(grant),
        }
        Ok(())
    }

    /// Withdraws key `id` for good at `at`, saying why. Not signed yet.
    pub fn withdraw(&mut self, id: KeyId, at: u64, reason: &str) -> Result<(), KeyListError> {
        if reason.trim().is_empty() {
            return Err(KeyListError::Bad(
                "withdrawing a key needs a reason (--reason), kept in the signed list".into(),
            ));
        }
        if !check_new_words(reason) {
            return Err(KeyListError::Bad(format!(
                "the reason is longer than {MAX_KEYLIST_WORDS_CHARS} characters, or holds a control, text-direction or invisible character"
            )));
        }
        let Some(i) = self.grants.iter().position(|g| g.key.id == id) else {
            return Err(if self.withdrawal(&id).is_some() {
                KeyListError::Bad(format!("key {id} is already withdrawn"))
            } else {
                KeyListError::NotListed(id)
            });
        };
        self.grants.remove(i);
        self.withdrawn.push(Withdrawal {
            key_id: id,
            at,
            reason: reason.to_owned(),
        });
        Ok(())
    }

    /// Signs this list as the next sequence at `now` with the root key.
    pub fn sign_next(&mut self, root: &SecretKey, now: u64) -> Result<String, KeyListError> {
        if root.key_id() != self.root_id {
            return Err(KeyListError::WrongRoot {
                list: self.root_id,
                key: root.key_id(),
            });
        }
        self.sequence = self
            .sequence
            .checked_add(1)
            .filter(|s| *s <= MAX_LIST_SEQUENCE)
            .ok_or(KeyListError::SequenceExhausted(self.sequence))?;
        self.issued_at = now;
        Ok(self.sign(root))
    }

    /// The whole file text, signed with `root`.
    pub fn sign(&self, root: &SecretKey) -> String {
        let body = self.body();
        let sig = root.sign(&signed_message(&body));
        format!("{body}signature: {}\n", hex(&sig))
    }

    /// Parses a key list's text strictly, without checking the signature.
    pub fn parse(text: &str) -> Result<(KeyList, [u8; 64]), KeyListError> {
        let (body, signature) = split_signed(text).map_err(|(line, what)| bad(line, what))?;
        let lines: Vec<&str> = body.split_inclusive('\n').collect();
        for (i, l) in lines.iter().enumerate() {
            if !l.ends_with('\n') {
                return Err(bad(i + 1, "line does not end with a newline"));
            }
        }
        let line = |i: usize, what: &str| -> Result<&str, KeyListError> {
            lines
                .get(i)
                .map(|l| l.trim_end_matches('\n'))
                .ok_or_else(|| bad(0, format!("missing {what} line")))
        };
        if line(0, "header")? != KEYLIST_HEADER_V1 {
            return Err(bad(1, format!("expected {KEYLIST_HEADER_V1:?}")));
        }
        let root_id = line(1, "key-id")?
            .strip_prefix("key-id: ")
            .and_then(KeyId::from_hex)
            .ok_or_else(|| bad(2, "expected `key-id: <hex>`"))?;
        let sequence = line(2, "sequence")?
            .strip_prefix("sequence: ")
            .filter(|s| !s.starts_with('0'))
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|s| *s <= MAX_LIST_SEQUENCE)
            .ok_or_else(|| {
                bad(
                    3,
                    "expected `sequence: <number>`, a whole number from 1 to 9223372036854775807 without leading zeros",
                )
            })?;
        let issued_at = line(3, "issued-at")?
            .strip_prefix("issued-at: ")
            .and_then(parse_utc_z)
            .ok_or_else(|| bad(4, "expected `issued-at: YYYY-MM-DDTHH:MM:SSZ`"))?;
        let mut list = KeyList {
            root_id,
            sequence,
            issued_at,
            grants: Vec::new(),
            withdrawn: Vec::new(),
        };
        if lines.len() - 4 > MAX_KEYLIST_ITEMS {
            return Err(bad(0, format!("more than {MAX_KEYLIST_ITEMS} keys")));
        }
        let mut seen = BTreeSet::new();
        for (i, l) in lines.iter().enumerate().skip(4) {
            let n = i + 1;
            let l = l.trim_end_matches('\n');
            let id = if let Some(rest) = l.strip_prefix("grant: ") {
                if !list.withdrawn.is_empty() {
                    return Err(bad(n, "`grant:` lines come before `withdraw:` lines"));
                }
                let g = parse_grant(n, rest)?;
                if g.key.id == root_id {
                    return Err(bad(n, "the root key cannot be granted as an issuing key"));
                }
                let id = g.key.id;
                list.grants.push(g);
                id
            } else if let Some(rest) = l.strip_prefix("withdraw: ") {
                let w = parse_withdrawal(n, rest)?;
                let id = w.key_id;
                list.withdrawn.push(w);
                id
            } else {
                return Err(bad(n, "expected a `grant:` or `withdraw:` line"));
            };
            if !seen.insert(id) {
                return Err(bad(n, format!("key {id} is listed twice")));
            }
        }
        if list.body() != body {
            return Err(bad(0, "not in canonical form"));
        }
        Ok((list, signature))
    }

    /// Parses a key list and checks it is signed by one of `roots`.
    pub fn parse_verified(text: &str, roots: &[PublicKey]) -> Result<KeyList, KeyListError> {
        let (list, signature) = Self::parse(text)?;
        let root = roots
            .iter()
            .find(|r| r.id == list.root_id)
            .ok_or(KeyListError::NotRoot(list.root_id))?;
        if !root.verify(&signed_message(&list.body()), &signature) {
            return Err(KeyListError::BadSignature);
        }
        Ok(list)
    }

    #[cfg(feature = "host")]
    /// Reads and verifies a key list file.
    pub fn load_verified(path: &Path, roots: &[PublicKey]) -> Result<KeyList, KeyListError> {
        Self::parse_verified(&read_keylist(path)?, roots)
    }
}

/// One `grant:` line after its prefix.
fn parse_grant(n: usize, rest: &str) -> Result<Grant, KeyListError> {
    let mut parts = rest.splitn(8, ' ');
    let mut next = |what: &str| {
        parts
            .next()
            .filter(|p| !p.is_empty())
            .ok_or_else(|| bad(n, format!("missing {what}")))
    };
    let id = KeyId::from_hex(next("key id")?).ok_or_else(|| bad(n, "invalid key id"))?;
    let raw = next("public key")?;
    let key = crate::text::unhex(raw)
        .and_then(|b| PublicKey::from_raw(&b))
        .ok_or_else(|| bad(n, "the public key is not 64 lowercase hex digits of an Ed25519 key (or is a weak key)"))?;
    if key.id != id {
        return Err(bad(n, "the key id does not match the public key"));
    }
    let from = parse_utc_z(next("first time")?).ok_or_else(|| bad(n, "invalid first time"))?;
    let until = parse_utc_z(next("last time")?).ok_or_else(|| bad(n, "invalid last time"))?;
    if until < from {
        return Err(bad(n, "the last time is before the first"));
    }
    let mut scope = |name: &str, valid: fn(&str) -> bool| {
        next(name)?
            .strip_prefix(name)
            .and_then(|s| s.strip_prefix('='))
            .and_then(|s| Scope::parse(s, valid))
            .ok_or_else(|| {
                bad(
                    n,
                    format!("expected `{name}=*` or `{name}=` with codes, sorted, comma-separated"),
                )
            })
    };
    let venues = scope("venues", is_valid_venue)?;
    let zones = scope("zones", is_valid_zone_code)?;
    let categories = scope("categories", is_valid_category_code)?;
    let label = parts.next().unwrap_or_default();
    if (rest.matches(' ').count() >= 7 && label.is_empty()) || !check_words(label) {
        return Err(bad(n, "invalid label text"));
    }
    Ok(Grant {
        key,
        from,
        until,
        venues,
        zones,
        categories,
        label: label.to_owned(),
    })
}

/// One `withdraw:` line after its prefix.
fn parse_withdrawal(n: usize, rest: &str) -> Result<Withdrawal, KeyListError> {
    let mut parts = rest.splitn(3, ' ');
    let key_id = parts
        .next()
        .and_then(KeyId::from_hex)
        .ok_or_else(|| bad(n, "invalid key id"))?;
    let at = parts
        .next()
        .and_then(parse_utc_z)
        .ok_or_else(|| bad(n, "invalid withdrawal time"))?;
    let reason = parts.next().unwrap_or_default();
    if reason.is_empty() || !check_words(reason) {
        return Err(bad(n, "invalid reason text (a withdrawal says why)"));
    }
    Ok(Withdrawal {
        key_id,
        at,
        reason: reason.to_owned(),
    })
}

#[cfg(feature = "host")]
/// Reads a key list file's text, with a size cap.
pub fn read_keylist(path: &Path) -> Result<String, KeyListError> {
    use crate::files::{read_small_text, SmallTextError};
    read_small_text(path, MAX_KEYLIST_FILE_BYTES).map_err(|e| match e {
        SmallTextError::Io(source) => KeyListError::Read {
            path: path.to_owned(),
            source,
        },
        SmallTextError::TooLarge => KeyListError::TooLarge {
            path: path.to_owned(),
        },
        SmallTextError::NotUtf8 => bad(0, "file is not UTF-8 text"),
    })
}

#[cfg(feature = "host")]
/// True if the file's first line is a key list's header.
pub fn looks_like_keylist(path: &Path) -> bool {
    crate::files::starts_with_line(path, KEYLIST_HEADER_V1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: u64 = 1_814_000_000;

    fn scoped(key: &SecretKey) -> Grant {
        Grant {
            key: key.public(),
            from: T,
            until: T + 86_400,
            venues: Scope::Only(["arena".to_owned()].into()),
            zones: Scope::Only(["field".to_owned(), "stands".to_owned()].into()),
            categories: Scope::All,
            label: "Arena desk".into(),
        }
    }

    #[test]
    fn a_signed_list_reads_back_verified_and_only_under_its_root() {
        let root = SecretKey::from_seed(&[1; 32]);
        let issuer = SecretKey::from_seed(&[2; 32]);
        let mut list = KeyList::empty(root.key_id());
        list.put_grant(scoped(&issuer)).unwrap();
        let text = list.sign_next(&root, T).unwrap();
        let back = KeyList::parse_verified(&text, &[root.public()]).unwrap();
        assert_eq!(back, list);
        assert_eq!(back.sequence, 1);
        let other = SecretKey::from_seed(&[3; 32]);
        assert!(matches!(
            KeyList::parse_verified(&text, &[other.public()]),
            Err(KeyListError::NotRoot(_))
        ));
        let altered = text.replace("venues=arena", "venues=*");
        assert!(matches!(
            KeyList::parse_verified(&altered, &[root.public()]),
            Err(KeyListError::BadSignature)
        ));
    }

    #[test]
    fn scope_checks_venue_zones_and_category() {
        let g = scoped(&SecretKey::from_seed(&[2; 32]));
        let z = |zs: &[&str]| zs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(g.out_of_scope(Some("arena"), &z(&["field"]), "press"), None);
        assert_eq!(
            g.out_of_scope(Some("stadium"), &z(&["field"]), "press"),
            Some(OutOfScope::Venue(Some("stadium".into())))
        );
        assert_eq!(
            g.out_of_scope(None, &z(&["field"]), "press"),
            Some(OutOfScope::Venue(None))
        );
        assert_eq!(
            g.out_of_scope(Some("arena"), &z(&["*"]), "press"),
            Some(OutOfScope::Zone("*".into()))
        );
        assert_eq!(
            g.out_of_scope(Some("arena"), &z(&["field", "vip"]), "press"),
            Some(OutOfScope::Zone("vip".into()))
        );
    }

    #[test]
    fn a_withdrawn_key_cannot_come_back_and_the_root_is_no_issuer() {
        let root = SecretKey::from_seed(&[1; 32]);
        let issuer = SecretKey::from_seed(&[2; 32]);
        let mut list = KeyList::empty(root.key_id());
        list.put_grant(scoped(&issuer)).unwrap();
        list.withdraw(issuer.key_id(), T + 10, "laptop stolen")
            .unwrap();
        assert!(list.grant(&issuer.key_id()).is_none());
        assert!(matches!(
            list.put_grant(scoped(&issuer)),
            Err(KeyListError::Withdrawn(_))
        ));
        assert!(matches!(
            list.put_grant(scoped(&root)),
            Err(KeyListError::RootAsIssuer(_))
        ));
        assert!(list.withdraw(issuer.key_id(), T, "again").is_err());
        let text = list.sign_next(&root, T + 20).unwrap();
        let back = KeyList::parse_verified(&text, &[root.public()]).unwrap();
        assert_eq!(
            back.withdrawal(&issuer.key_id()).unwrap().reason,
            "laptop stolen"
        );
    }

    #[test]
    fn non_canonical_or_doubled_lines_are_refused() {
        let root = SecretKey::from_seed(&[1; 32]);
        let issuer = SecretKey::from_seed(&[2; 32]);
        let mut list = KeyList::empty(root.key_id());
        list.put_grant(scoped(&issuer)).unwrap();
        list.sequence = 1;
        let body = list.body();
        let grant_line = body.lines().nth(4).unwrap().to_owned();
        for broken in [
            body.replace("zones=field,stands", "zones=stands,field"),
            format!("{body}{grant_line}\n"),
            body.replace("sequence: 1", "sequence: 01"),
            body.replace("grant: ", "grant:  "),
        ] {
            let text = format!("{broken}signature: {}\n", hex(&[0u8; 64]));
            assert!(KeyList::parse(&text).is_err(), "{broken}");
        }
    }
}
