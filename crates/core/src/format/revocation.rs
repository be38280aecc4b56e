//! Revocation lists: badges the desk has withdrawn (lost, stolen, cancelled),
//! as a small line-based text file signed by the registration key and
//! carrying a sequence number so a kiosk can refuse a roll-back.
//!
//! Format (every line ends with `\n`; specified in `docs/badge-format.md`):
//! ```text
//! badgegate-revocations v1
//! key-id: 1a2b3c4d
//! sequence: 3
//! issued-at: 2026-11-27T08:00:00Z
//! revoke: D-00042 2026-11-27T07:59:00Z reported lost
//! reinstate: HD-0001 2026-11-27T07:10:00Z 2026-11-27T07:30:00Z revoked by mistake
//! signature: <128 lowercase hex digits>
//! ```
//! A `reinstate:` line undoes the revocation made at its first time, at its
//! second: the badge is valid again, and a merge with another desk's older
//! copy of the list does not bring the revocation back.

use std::collections::BTreeSet;
#[cfg(feature = "host")]
use std::path::Path;
use std::path::PathBuf;

use crate::clock::{format_utc, parse_utc_z};
use crate::format::badge::is_valid_serial;
use crate::format::constants::*;
use crate::format::keys::{KeyError, KeyId, KeyStatus, SecretKey, TrustStore};
use crate::text::{has_visible_char, hex, is_forbidden_char, is_hidden_char};

/// One withdrawn badge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revocation {
    pub serial: String,
    /// When it was revoked, Unix seconds.
    pub revoked_at: u64,
    /// Why, in plain words (may be empty).
    pub reason: String,
}

/// A revocation undone: the badge is valid again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reinstatement {
    pub serial: String,
    /// When the revocation it undoes was made, Unix seconds.
    pub revoked_at: u64,
    /// When it was undone, Unix seconds.
    pub reinstated_at: u64,
    /// Why, in plain words (never empty).
    pub reason: String,
}

/// A revocation list's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevocationList {
    pub key_id: KeyId,
    /// Grows by one with every new list; a kiosk refuses a lower one.
    pub sequence: u64,
    /// When the list was signed, Unix seconds.
    pub issued_at: u64,
    pub entries: Vec<Revocation>,
    /// Revocations undone (a serial is in `entries` or here, never both).
    pub reinstated: Vec<Reinstatement>,
}

/// Failures loading, checking or writing a revocation list.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RevocationError {
    #[error("cannot read revocation list {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("revocation list {path} is larger than {MAX_REVOCATION_FILE_BYTES} bytes")]
    TooLarge { path: PathBuf },
    #[error("revocation list line {line}: {what}")]
    Malformed { line: usize, what: String },
    #[error("revocation list is signed by key {0}, which is not in the trust folder; copy the registration public key there")]
    UnknownKey(KeyId),
    #[error("revocation list is signed by retired key {0}; ask the desk for a list signed with the current key")]
    RetiredKey(KeyId),
    #[error("revocation list is signed by key {0}, which the root's key list withdrew; ask the accreditation centre for one signed with a current key")]
    WithdrawnKey(KeyId),
    #[error("revocation list signature does not verify: the file was altered or forged; get a fresh copy from the desk")]
    BadSignature,
    #[error("the existing list is signed by key {list}, but this key is {key}; sign with the key that signed the list")]
    WrongKey { list: KeyId, key: KeyId },
    #[error("revocation list sequence {got} is older than sequence {seen} already seen here; refusing a roll-back")]
    RolledBack { seen: u64, got: u64 },
    #[error("{0:?} is not a valid serial (1 to {MAX_SERIAL_LEN} characters of A-Z a-z 0-9 . _ -)")]
    BadSerial(String),
    #[error("reason is longer than {MAX_REVOCATION_REASON_CHARS} characters, or holds a control, text-direction or invisible character")]
    BadReason,
    #[error("{0} is not revoked on this list: nothing to reinstate")]
    NotRevoked(String),
    #[error("reinstating a badge needs a reason (--reason), kept in the signed list")]
    ReasonNeeded,
    #[error(
        "the list's sequence number is at its largest ({0}); start a new list signed by a new key"
    )]
    SequenceExhausted(u64),
    #[error(transparent)]
    Key(#[from] KeyError),
}

fn bad(line: usize, what: impl Into<String>) -> RevocationError {
    RevocationError::Malformed {
        line,
        what: what.into(),
    }
}

/// A reason as a list written by any build may hold (what a reader accepts).
fn check_reason(reason: &str) -> bool {
    reason.chars().count() <= MAX_REVOCATION_REASON_CHARS
        && !reason.chars().any(is_forbidden_char)
        && reason.trim() == reason
}

/// A reason the desk may write now: no hidden characters at all, and
/// something visible if anything.
fn check_new_reason(reason: &str) -> bool {
    check_reason(reason)
        && !reason.chars().any(is_hidden_char)
        && (reason.is_empty() || has_visible_char(reason))
}

impl RevocationList {
    /// An empty list, sequence 0 (the first signed list has sequence 1).
    pub fn empty(key_id: KeyId) -> RevocationList {
        RevocationList {
            key_id,
            sequence: 0,
            issued_at: 0,
            entries: Vec::new(),
            reinstated: Vec::new(),
        }
    }

    /// The entry for `serial`, if revoked. Serials compare without regard
    /// to ASCII case: revoking `rev-1` withdraws the badge `REV-1`.
    pub fn find(&self, serial: &str) -> Option<&Revocation> {
        self.entries
            .iter()
            .find(|r| r.serial.eq_ignore_ascii_case(serial))
    }

    /// The signed part of the file: everything before the signature line.
    pub fn body(&self) -> String {
        let mut s = format!(
            "{REVOCATION_HEADER_V1}\nkey-id: {}\nsequence: {}\nissued-at: {}\n",
            self.key_id,
            self.sequence,
            format_utc(self.issued_at)
        );
        for r in &self.entries {
            s.push_str(&format!(
                "revoke: {} {}",
                r.serial,
                format_utc(r.revoked_at)
            ));
            if !r.reason.is_empty() {
                s.push(' ');
                s.push_str(&r.reason);
            }
            s.push('\n');
        }
        for r in &self.reinstated {
            s.push_str(&format!(
                "reinstate: {} {} {} {}\n",
                r.serial,
                format_utc(r.revoked_at),
                format_utc(r.reinstated_at),
                r.reason
            ));
        }
        s
    }

    /// Adds serials (already-listed ones, in any case, are skipped and
    /// returned), bumps the sequence, stamps the time and signs: returns the
    /// file text, or `None` when every serial was already listed (the list
    /// is left as it was, sequence unchanged).
    pub fn add_and_sign(
        &mut self,
        key: &SecretKey,
        serials: &[String],
        reason: &str,
        now: u64,
    ) -> Result<(Option<String>, Vec<String>), RevocationError> {
        if key.key_id() != self.key_id {
            return Err(RevocationError::WrongKey {
                list: self.key_id,
                key: key.key_id(),
            });
        }
        if !check_new_reason(reason) {
            return Err(RevocationError::BadReason);
        }
        let mut skipped = Vec::new();
        for s in serials {
            if !is_valid_serial(s) {
                return Err(RevocationError::BadSerial(s.clone()));
            }
        }
        let sequence = self
            .sequence
            .checked_add(1)
            .filter(|s| *s <= MAX_LIST_SEQUENCE)
            .ok_or(RevocationError::SequenceExhausted(self.sequence))?;
        let before = self.entries.len();
        for s in serials {
            if self.find(s).is_some() {
                skipped.push(s.clone());
            } else {
                // Revoked again after a reinstatement: the revocation stands.
                self.reinstated
                    .retain(|r| !r.serial.eq_ignore_ascii_case(s));
                self.entries.push(Revocation {
                    serial: s.clone(),
                    revoked_at: now,
                    reason: reason.to_owned(),
                });
            }
        }
        if self.entries.len() == before {
            return Ok((None, skipped));
        }
        self.sequence = sequence;
        self.issued_at = now;
        Ok((Some(self.sign(key)), skipped))
    }

    /// Takes in every revocation of `other` (another desk's list from the
    /// same key) this list lacks, and the higher of the two sequences, so
    /// that the next list signed follows both. Returns the serials taken
    /// in.
    pub fn merge_from(&mut self, other: &RevocationList) -> Vec<String> {
        let mut taken = Vec::new();
        for r in &other.entries {
            // A revocation this list undid (at or after it) stays undone.
            let undone = self.reinstated.iter().any(|x| {
                x.serial.eq_ignore_ascii_case(&r.serial) && x.reinstated_at >= r.revoked_at
            });
            if self.find(&r.serial).is_none() && !undone {
                self.reinstated
                    .retain(|x| !x.serial.eq_ignore_ascii_case(&r.serial));
                self.entries.push(r.clone());
                taken.push(r.serial.clone());
            }
        }
        // The other desk's reinstatements of revocations made before them.
        for x in &other.reinstated {
            let ours = self.find(&x.serial).map(|r| r.revoked_at);
            if ours.is_some_and(|at| at <= x.reinstated_at) {
                self.entries
                    .retain(|r| !r.serial.eq_ignore_ascii_case(&x.serial));
            }
            let known = self.find(&x.serial).is_some()
                || self
                    .reinstated
                    .iter()
                    .any(|y| y.serial.eq_ignore_ascii_case(&x.serial));
            if !known {
                self.reinstated.push(x.clone());
                taken.push(x.serial.clone());
            }
        }
        self.sequence = self.sequence.max(other.sequence);
        taken
    }

    /// Undoes the revocations of `serials`, bumps the sequence, stamps the
    /// time and signs: the badges are valid again at every gate that takes
    /// the list up. `reason` is required.
    pub fn reinstate_and_sign(
        &mut self,
        key: &SecretKey,
        serials: &[String],
        reason: &str,
        now: u64,
    ) -> Result<String, RevocationError> {
        if key.key_id() != self.key_id {
            return Err(RevocationError::WrongKey {
                list: self.key_id,
                key: key.key_id(),
            });
        }
        if reason.trim().is_empty() {
            return Err(RevocationError::ReasonNeeded);
        }
        if !check_new_reason(reason) {
            return Err(RevocationError::BadReason);
        }
        for s in serials {
            if self.find(s).is_none() {
                return Err(RevocationError::NotRevoked(s.clone()));
            }
        }
        let sequence = self
            .sequence
            .checked_add(1)
            .filter(|s| *s <= MAX_LIST_SEQUENCE)
            .ok_or(RevocationError::SequenceExhausted(self.sequence))?;
        for s in serials {
            if let Some(i) = self
                .entries
                .iter()
                .position(|r| r.serial.eq_ignore_ascii_case(s))
            {
                let r = self.entries.remove(i);
                self.reinstated.push(Reinstatement {
                    serial: r.serial,
                    revoked_at: r.revoked_at,
                    reinstated_at: now.max(r.revoked_at),
                    reason: reason.to_owned(),
                });
            }
        }
        self.sequence = sequence;
        self.issued_at = now;
        Ok(self.sign(key))
    }

    /// Signs this list as the next sequence at `now`, whether or not
    /// anything was added (a merged list is new content).
    pub fn sign_next(&mut self, key: &SecretKey, now: u64) -> Result<String, RevocationError> {
        if key.key_id() != self.key_id {
            return Err(RevocationError::WrongKey {
                list: self.key_id,
                key: key.key_id(),
            });
        }
        self.sequence = self
            .sequence
            .checked_add(1)
            .filter(|s| *s <= MAX_LIST_SEQUENCE)
            .ok_or(RevocationError::SequenceExhausted(self.sequence))?;
        self.issued_at = now;
        Ok(self.sign(key))
    }

    /// The whole file text, signed with `key`.
    pub fn sign(&self, key: &SecretKey) -> String {
        let body = self.body();
        let sig = key.sign(&signed_message(&body));
        format!("{body}signature: {}\n", hex(&sig))
    }

    /// Parses a list's text strictly, without checking the signature.
    /// Returns the list and its signature.
    pub fn parse(text: &str) -> Result<(RevocationList, [u8; 64]), RevocationError> {
        let (body, signature) = split_signature(text)?;
        let mut lines = body.split_inclusive('\n').enumerate();
        let mut next = |what: &str| -> Result<(usize, &str), RevocationError> {
            match lines.next() {
                Some((i, l)) => match l.strip_suffix('\n') {
                    Some(l) => Ok((i + 1, l)),
                    None => Err(bad(i + 1, "line does not end with a newline")),
                },
                None => Err(bad(0, format!("missing {what} line"))),
            }
        };
        let (n, header) = next("header")?;
        if header != REVOCATION_HEADER_V1 {
            return Err(bad(n, format!("expected {REVOCATION_HEADER_V1:?}")));
        }
        let (n, l) = next("key-id")?;
        let key_id = l
            .strip_prefix("key-id: ")
            .and_then(KeyId::from_hex)
            .ok_or_else(|| bad(n, "expected `key-id: <hex>`"))?;
        let (n, l) = next("sequence")?;
        let sequence = l
            .strip_prefix("sequence: ")
            .filter(|s| !s.starts_with('0'))
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|s| *s <= MAX_LIST_SEQUENCE)
            .ok_or_else(|| {
                bad(
                    n,
                    "expected `sequence: <number>`, a whole number from 1 to 9223372036854775807 without leading zeros",
                )
            })?;
        let (n, l) = next("issued-at")?;
        let issued_at = l
            .strip_prefix("issued-at: ")
            .and_then(parse_utc_z)
            .ok_or_else(|| bad(n, "expected `issued-at: YYYY-MM-DDTHH:MM:SSZ`"))?;
        let mut list = RevocationList {
            key_id,
            sequence,
            issued_at,
            entries: Vec::new(),
            reinstated: Vec::new(),
        };
        let mut seen = BTreeSet::new();
        for (i, l) in body.split_inclusive('\n').enumerate().skip(4) {
            let serial = if l.starts_with("reinstate: ") {
                let r = parse_reinstatement(i + 1, l)?;
                let serial = r.serial.clone();
                list.reinstated.push(r);
                serial
            } else {
                if !list.reinstated.is_empty() {
                    return Err(bad(i + 1, "`revoke:` lines come before `reinstate:` lines"));
                }
                let entry = parse_entry(i + 1, l)?;
                let serial = entry.serial.clone();
                list.entries.push(entry);
                serial
            };
            if !seen.insert(serial.clone()) {
                return Err(bad(i + 1, format!("serial {serial} is listed twice")));
            }
        }
        if list.body() != body {
            return Err(bad(0, "not in canonical form"));
        }
        Ok((list, signature))
    }

    /// Parses a list and checks its signature against the trust store: the
    /// signing key must be trusted and not retired.
    pub fn parse_verified(
        text: &str,
        trust: &TrustStore,
    ) -> Result<RevocationList, RevocationError> {
        let (list, signature) = Self::parse(text)?;
        if trust.withdrawal(&list.key_id).is_some() {
            return Err(RevocationError::WithdrawnKey(list.key_id));
        }
        let trusted = trust
            .get(&list.key_id)
            .ok_or(RevocationError::UnknownKey(list.key_id))?;
        if !trusted
            .key
            .verify(&signed_message(&list.body()), &signature)
        {
            return Err(RevocationError::BadSignature);
        }
        if trusted.status == KeyStatus::Retired {
            return Err(RevocationError::RetiredKey(list.key_id));
        }
        Ok(list)
    }

    #[cfg(feature = "host")]
    /// Reads and verifies a list file.
    pub fn load_verified(
        path: &Path,
        trust: &TrustStore,
    ) -> Result<RevocationList, RevocationError> {
        Self::parse_verified(&read_list(path)?, trust)
    }
}

#[cfg(feature = "host")]
/// Reads a list file's text, with a size cap.
pub fn read_list(path: &Path) -> Result<String, RevocationError> {
    use crate::files::{read_small_text, SmallTextError};
    read_small_text(path, MAX_REVOCATION_FILE_BYTES).map_err(|e| match e {
        SmallTextError::Io(source) => RevocationError::Read {
            path: path.to_owned(),
            source,
        },
        SmallTextError::TooLarge => RevocationError::TooLarge {
            path: path.to_owned(),
        },
        SmallTextError::NotUtf8 => bad(0, "file is not UTF-8 text"),
    })
}

/// The signed body and the signature of the last line.
fn split_signature(text: &str) -> Result<(&str, [u8; 64]), RevocationError> {
    split_signed(text).map_err(|(line, what)| bad(line, what))
}

/// A signed text file's body and the signature of its last line
/// (`signature: <128 hex>\n`), or the line number and what is wrong. The
/// revocation list and the venue policy share this shape.
pub(crate) fn split_signed(text: &str) -> Result<(&str, [u8; 64]), (usize, &'static str)> {
    let sig_at = text
        .rfind("signature: ")
        .filter(|i| *i == 0 || text.as_bytes().get(i - 1) == Some(&b'\n'))
        .ok_or((text.lines().count().max(1), "no signature line"))?;
    let body = &text[..sig_at];
    let sig_line_no = body.lines().count() + 1;
    let sig_hex = text[sig_at..]
        .strip_prefix("signature: ")
        .and_then(|s| s.strip_suffix('\n'))
        .ok_or((
            sig_line_no,
            "signature line must end the file with a newline",
        ))?;
    let signature =
        unhex64(sig_hex).ok_or((sig_line_no, "signature is not 128 lowercase hex digits"))?;
    Ok((body, signature))
}

/// One `revoke: SERIAL TIME [REASON]` line (line number `n`).
fn parse_entry(n: usize, line: &str) -> Result<Revocation, RevocationError> {
    let l = line
        .strip_suffix('\n')
        .ok_or_else(|| bad(n, "line does not end with a newline"))?;
    let rest = l
        .strip_prefix("revoke: ")
        .ok_or_else(|| bad(n, "expected `revoke: SERIAL TIME [REASON]`"))?;
    let mut parts = rest.splitn(3, ' ');
    let serial = parts.next().unwrap_or_default();
    if !is_valid_serial(serial) {
        return Err(bad(n, "invalid serial"));
    }
    let revoked_at = parts
        .next()
        .and_then(parse_utc_z)
        .ok_or_else(|| bad(n, "invalid revocation time"))?;
    let reason = parts.next().unwrap_or_default();
    if (rest.matches(' ').count() >= 2 && reason.is_empty()) || !check_reason(reason) {
        return Err(bad(n, "invalid reason text"));
    }
    Ok(Revocation {
        serial: serial.to_owned(),
        revoked_at,
        reason: reason.to_owned(),
    })
}

fn parse_reinstatement(n: usize, line: &str) -> Result<Reinstatement, RevocationError> {
    let l = line
        .strip_suffix('\n')
        .ok_or_else(|| bad(n, "line does not end with a newline"))?;
    let rest = l
        .strip_prefix("reinstate: ")
        .ok_or_else(|| bad(n, "expected `reinstate: SERIAL REVOKED REINSTATED REASON`"))?;
    let mut parts = rest.splitn(4, ' ');
    let serial = parts.next().unwrap_or_default();
    if !is_valid_serial(serial) {
        return Err(bad(n, "invalid serial"));
    }
    let mut time = |what: &str| {
        parts
            .next()
            .and_then(parse_utc_z)
            .ok_or_else(|| bad(n, format!("invalid {what} time")))
    };
    let revoked_at = time("revocation")?;
    let reinstated_at = time("reinstatement")?;
    if reinstated_at < revoked_at {
        return Err(bad(n, "reinstated before it was revoked"));
    }
    let reason = parts.next().unwrap_or_default();
    if reason.is_empty() || !check_reason(reason) {
        return Err(bad(n, "invalid reason text (a reinstatement says why)"));
    }
    Ok(Reinstatement {
        serial: serial.to_owned(),
        revoked_at,
        reinstated_at,
        reason: reason.to_owned(),
    })
}

fn signed_message(body: &str) -> Vec<u8> {
    let mut m = REVOCATION_SIGNING_CONTEXT.to_vec();
    m.extend_from_slice(body.as_bytes());
    m
}

fn unhex64(s: &str) -> Option<[u8; 64]> {
    if s.len() != 128
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    let mut out = [0u8; 64];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// The lists a kiosk decides with: the newest accepted from each key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RevocationSet {
    lists: std::collections::BTreeMap<KeyId, RevocationList>,
    /// Every revoked serial, ASCII-lowercased, to its list and entry: a
    /// decision looks it up in one step however long the lists are (a
    /// games revokes thousands).
    index: std::collections::HashMap<String, (KeyId, usize)>,
}

impl RevocationSet {
    pub fn new() -> RevocationSet {
        RevocationSet::default()
    }

    /// A set of these lists (the newest of each key kept).
    pub fn of(lists: impl IntoIterator<Item = RevocationList>) -> RevocationSet {
        let mut set = RevocationSet::new();
        for l in lists {
            if set
                .get(&l.key_id)
                .is_none_or(|old| old.sequence < l.sequence)
            {
                set.put(l);
            }
        }
        set
    }

    /// The revocation of `serial` in any list, if revoked (serials
    /// compare without regard to ASCII case, as [`RevocationList::find`]).
    pub fn find(&self, serial: &str) -> Option<&Revocation> {
        let (key, i) = self.index.get(&serial.to_ascii_lowercase())?;
        self.lists.get(key)?.entries.get(*i)
    }

    pub fn get(&self, key: &KeyId) -> Option<&RevocationList> {
        self.lists.get(key)
    }

    /// Keeps `list` as its key's list.
    pub fn put(&mut self, list: RevocationList) {
        self.lists.insert(list.key_id, list);
        self.index.clear();
        for (key, l) in &self.lists {
            for (i, r) in l.entries.iter().enumerate() {
                self.index
                    .entry(r.serial.to_ascii_lowercase())
                    .or_insert((*key, i));
            }
        }
    }

    pub fn lists(&self) -> impl Iterator<Item = &RevocationList> {
        self.lists.values()
    }

    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// When the stalest list was signed: what the guard's "revocations N
    /// hours old" speaks of.
    pub fn oldest_issued_at(&self) -> Option<u64> {
        self.lists.values().map(|l| l.issued_at).min()
    }

    /// `key NNNN #SEQ` for each list, for a status line.
    pub fn summary(&self) -> String {
        self.lists
            .values()
            .map(|l| format!("#{} ({})", l.sequence, l.key_id))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretKey {
        SecretKey::from_seed(&[3; 32])
    }

    /// A head of delegation revoked by mistake is reinstated in the signed
    /// list; another desk's older copy merged in does not revoke her
    /// again, a later revocation does, and the lines read back exactly.
    #[test]
    fn a_reinstatement_is_signed_read_back_and_survives_a_merge() {
        let k = key();
        let trust = TrustStore::from_keys(&[k.public()], &[]);
        let t = 1_790_000_000;
        let mut ours = RevocationList::empty(k.key_id());
        ours.add_and_sign(&k, &["HD-0001".into(), "D-2".into()], "reported lost", t)
            .unwrap();
        let theirs = ours.clone();
        assert!(matches!(
            ours.reinstate_and_sign(&k, &["HD-0001".into()], " ", t + 60),
            Err(RevocationError::ReasonNeeded)
        ));
        assert!(matches!(
            ours.reinstate_and_sign(&k, &["X-9".into()], "mistake", t + 60),
            Err(RevocationError::NotRevoked(_))
        ));
        let text = ours
            .reinstate_and_sign(&k, &["hd-0001".into()], "revoked by mistake", t + 60)
            .unwrap();
        assert!(text.contains(
            "revoke: D-2 2026-09-21T14:13:20Z reported lost\nreinstate: HD-0001 2026-09-21T14:13:20Z 2026-09-21T14:14:20Z revoked by mistake\n"
        ), "{text}");
        let back = RevocationList::parse_verified(&text, &trust).unwrap();
        assert_eq!(back, ours);
        assert!(back.find("HD-0001").is_none());
        assert_eq!(back.sequence, 2);
        // The other desk's copy, still revoking her, merged in: undone.
        let mut merged = back.clone();
        merged.merge_from(&theirs);
        assert!(merged.find("HD-0001").is_none());
        // And the other way round: the other desk takes the reinstatement.
        let mut other = theirs.clone();
        other.merge_from(&back);
        assert!(other.find("HD-0001").is_none(), "{other:?}");
        assert_eq!(other.reinstated.len(), 1);
        // Revoked again later: the revocation stands, its reinstatement goes.
        let (text, _) = merged
            .add_and_sign(&k, &["HD-0001".into()], "stolen", t + 3600)
            .unwrap();
        let again = RevocationList::parse_verified(&text.unwrap(), &trust).unwrap();
        assert!(again.find("HD-0001").is_some() && again.reinstated.is_empty());
        // A reinstate line before a revoke line, or undone before it was
        // made, is refused.
        for bad_body in [
            "reinstate: A-1 2026-09-21T14:13:20Z 2026-09-21T14:14:20Z x\nrevoke: B-1 2026-09-21T14:13:20Z\n",
            "reinstate: A-1 2026-09-21T14:13:20Z 2026-09-21T14:00:00Z x\n",
            "reinstate: A-1 2026-09-21T14:13:20Z 2026-09-21T14:14:20Z\n",
        ] {
            let body = format!(
                "badgegate-revocations v1\nkey-id: {}\nsequence: 3\nissued-at: 2026-09-21T15:00:00Z\n{bad_body}",
                k.key_id()
            );
            let sig = k.sign(&signed_message(&body));
            let text = format!("{body}signature: {}\n", hex(&sig));
            assert!(RevocationList::parse_verified(&text, &trust).is_err(), "{bad_body}");
        }
    }

    #[test]
    fn sign_parse_round_trip() {
        let k = key();
        let mut list = RevocationList::empty(k.key_id());
        let (text, skipped) = list
            .add_and_sign(
                &k,
                &["D-1".into(), "P-2".into()],
                "reported lost",
                1_790_000_000,
            )
            .unwrap();
        let text = text.unwrap();
        assert!(skipped.is_empty());
        let trust = TrustStore::from_keys(&[k.public()], &[]);
        let back = RevocationList::parse_verified(&text, &trust).unwrap();
        assert_eq!(back, list);
        assert_eq!(back.sequence, 1);
        assert_eq!(back.find("P-2").unwrap().reason, "reported lost");
    }

    #[test]
    fn any_edit_breaks_it() {
        let k = key();
        let mut list = RevocationList::empty(k.key_id());
        let (text, _) = list
            .add_and_sign(&k, &["D-1".into()], "", 1_790_000_000)
            .unwrap();
        let text = text.unwrap();
        let trust = TrustStore::from_keys(&[k.public()], &[]);
        let edited = text.replace("D-1", "D-2");
        assert!(matches!(
            RevocationList::parse_verified(&edited, &trust),
            Err(RevocationError::BadSignature)
        ));
        let line = format!("revoke: D-1 {}\n", format_utc(1_790_000_000));
        assert!(text.contains(&line));
        let dropped = text.replace(&line, "");
        assert!(matches!(
            RevocationList::parse_verified(&dropped, &trust),
            Err(RevocationError::BadSignature)
        ));
    }

    #[test]
    fn exact_rules_for_sequence_case_reasons_and_repeats() {
        let k = key();
        let mut list = RevocationList::empty(k.key_id());
        let (text, _) = list
            .add_and_sign(&k, &["REV-1".into()], "", 1_790_000_000)
            .unwrap();
        let text = text.unwrap();
        // A list numbered 0 is not a list the desk ever wrote.
        let zero = text.replace("sequence: 1\n", "sequence: 0\n");
        let e = RevocationList::parse(&zero).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("from 1"), "{e}");
        // Serials match without regard to case; a repeat changes nothing.
        assert!(list.find("rev-1").is_some());
        let (again, skipped) = list
            .add_and_sign(&k, &["rev-1".into()], "", 1_790_000_100)
            .unwrap();
        assert!(again.is_none() && skipped == ["rev-1"]);
        assert_eq!(list.sequence, 1, "no new list for nothing new");
        // Hidden characters in a new reason are refused.
        for reason in ["lost\u{200E}", "\u{200F}", "\u{061C}x", "\u{3164}"] {
            assert!(matches!(
                list.add_and_sign(&k, &["D-9".into()], reason, 1_790_000_200),
                Err(RevocationError::BadReason)
            ));
        }
        // The sequence never wraps round.
        list.sequence = MAX_LIST_SEQUENCE;
        assert!(matches!(
            list.add_and_sign(&k, &["D-8".into()], "", 1_790_000_300),
            Err(RevocationError::SequenceExhausted(MAX_LIST_SEQUENCE))
        ));
    }
}
