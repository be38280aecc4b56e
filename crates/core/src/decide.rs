//! The decision: scanned text, trust, revocations, the gate's policy and the
//! time in; admit or deny with exactly one reason out. Pure: no camera, no
//! screen, no disk. Anything not proven good is denied.

use crate::clock::{format_span, format_utc, VenueTime};
use crate::format::badge::{Badge, ParseError, SignedBadge};
use crate::format::keylist::Grant;
use crate::format::keys::{KeyStatus, TrustStore};
use crate::format::revocation::RevocationSet;
use crate::journal::NewEntry;
use crate::vocab::{Direction, EntryKind, Reason, Verdict};
use serde::Serialize;

pub mod photo;

/// What this gate checks beyond the badge itself.
#[derive(Clone, Debug)]
pub struct GatePolicy {
    /// The zone this gate opens; `None` skips the zone check.
    pub zone: Option<String>,
    /// Tolerance around the validity window, in seconds, for kiosk clocks
    /// that drift.
    pub skew_secs: u64,
    /// Entry or exit. At an exit the validity window and the zone are not
    /// checked (nobody is held inside because their badge expired or is for
    /// another hall); the format, the signature and revocation still are.
    pub direction: Direction,
    /// The venue's time, for the times a decision's detail names (validity,
    /// revocation): from its policy, or UTC.
    pub time: VenueTime,
    /// The venue this gate is at (`--venue`), for keys the key list lets
    /// sign for some venues only.
    pub venue: Option<String>,
}

impl Default for GatePolicy {
    fn default() -> Self {
        GatePolicy {
            zone: None,
            skew_secs: crate::format::constants::DEFAULT_SKEW_SECS,
            direction: Direction::In,
            time: VenueTime::utc(),
            venue: None,
        }
    }
}

/// Anti-passback: what to do with a badge that is already inside.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AntiPassback {
    /// Not checked.
    Off,
    /// Admitted, flagged `already_inside` for the guard.
    Soft,
    /// Denied `already_inside`.
    #[default]
    Hard,
}

impl AntiPassback {
    pub fn parse(s: &str) -> Option<AntiPassback> {
        match s {
            "off" => Some(AntiPassback::Off),
            "soft" => Some(AntiPassback::Soft),
            "hard" => Some(AntiPassback::Hard),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AntiPassback::Off => "off",
            AntiPassback::Soft => "soft",
            AntiPassback::Hard => "hard",
        }
    }
}

/// Applies anti-passback to an entry decision. `inside` says whether the
/// badge's last admitted record was an entry. Only an admit at an entry gate
/// can change: hard mode denies it, soft mode keeps the admit but flags it.
pub fn apply_anti_passback(
    mut d: Decision,
    mode: AntiPassback,
    direction: Direction,
    inside: bool,
) -> Decision {
    if !d.is_admit() || direction != Direction::In || !inside || mode == AntiPassback::Off {
        return d;
    }
    d.reason = Reason::AlreadyInside;
    match mode {
        AntiPassback::Hard => {
            d.verdict = Verdict::Deny;
            d.detail = "already inside: this badge entered and has not exited".into();
        }
        _ => {
            d.flagged = true;
            d.detail = "admitted with warning: this badge entered and has not exited".into();
        }
    }
    d
}

/// What the venue's office answered when asked whether a badge may enter
/// (venue-wide anti-passback).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VenueAnswer {
    /// Not inside anywhere in this zone: the entry is claimed.
    Clear,
    /// Inside by another gate's admit, at this gate and time (Unix ms).
    Inside { gate: String, at_ms: u64 },
    /// No answer in time (office down, hung or unreachable), and why.
    Unanswered(String),
}

/// What a gate does when the office cannot say whether a badge is already
/// inside: admit flagged "passback unverified" (`Soft`), or deny (`Hard`).
/// Every gate of a zone should make the same choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfflinePassback {
    Soft,
    Hard,
}

impl OfflinePassback {
    /// `soft` or `hard`, as the flag and the policy write it.
    pub fn code(self) -> &'static str {
        match self {
            OfflinePassback::Soft => "soft",
            OfflinePassback::Hard => "hard",
        }
    }

    pub fn parse(s: &str) -> Option<OfflinePassback> {
        match s {
            "soft" => Some(OfflinePassback::Soft),
            "hard" => Some(OfflinePassback::Hard),
            _ => None,
        }
    }
}

/// Applies the office's venue-wide answer to an entry the gate would admit.
pub fn apply_venue_passback(
    mut d: Decision,
    answer: &VenueAnswer,
    mode: AntiPassback,
    offline: OfflinePassback,
    at: impl Fn(u64) -> String,
) -> Decision {
    if !d.is_admit() || mode == AntiPassback::Off {
        return d;
    }
    match answer {
        VenueAnswer::Clear => d,
        VenueAnswer::Inside { gate, at_ms } => {
            d.reason = Reason::AlreadyInside;
            let seen = format!(
                "entered at gate {gate} at {} and has not exited",
                at(*at_ms)
            );
            if mode == AntiPassback::Hard {
                d.verdict = Verdict::Deny;
                d.detail = format!("already inside: {seen}");
            } else {
                d.flagged = true;
                d.detail = format!("admitted with warning: {seen}");
            }
            d
        }
        VenueAnswer::Unanswered(_) if offline == OfflinePassback::Hard => {
            d.verdict = Verdict::Deny;
            d.reason = Reason::PassbackUnverified;
            d.detail = "passback unverified: the office did not answer in time, and this zone admits only verified entries".into();
            d
        }
        VenueAnswer::Unanswered(_) => {
            d.flagged = true;
            d.detail = format!(
                "{}; passback unverified: the office did not answer",
                d.detail
            );
            d
        }
    }
}

/// The outcome for one scanned code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub verdict: Verdict,
    pub reason: Reason,
    /// What the badge says, if it parsed. Only trustworthy when `authentic`.
    pub badge: Option<Badge>,
    /// True when the signature was checked against a trusted key.
    pub authentic: bool,
    /// The reason in plain words, for the guard.
    pub detail: String,
    /// An admit the guard should look at (soft anti-passback).
    pub flagged: bool,
}

impl Decision {
    fn deny(reason: Reason, badge: Option<Badge>, authentic: bool, detail: String) -> Decision {
        Decision {
            verdict: Verdict::Deny,
            reason,
            badge,
            authentic,
            detail,
            flagged: false,
        }
    }

    /// A deny for input that holds no code of ours at all (binary QR content,
    /// an image without a code).
    pub fn not_a_badge(detail: impl Into<String>) -> Decision {
        Decision::deny(Reason::NotABadge, None, false, detail.into())
    }

    pub fn is_admit(&self) -> bool {
        self.verdict == Verdict::Admit
    }

    /// Who the badge says it is, escaped for a terminal: `serial  name
    /// (org) [category]`, marked UNVERIFIED when the signature did not
    /// check out; `-` when nothing could be read.
    pub fn holder_summary(&self) -> String {
        use crate::text::printable_short;
        let Some(b) = &self.badge else {
            return "-".to_owned();
        };
        if !self.authentic {
            // A forger's claims, marked as every view marks them.
            return crate::rules::claimed(
                &[
                    Some(b.serial.as_str()),
                    Some(&printable_short(&b.name, 40)),
                    Some(&printable_short(&b.org, 40)),
                ],
                false,
            );
        }
        let mut s = format!("{}  {}", b.serial, printable_short(&b.name, 40));
        if !b.org.is_empty() {
            s.push_str(&format!(" ({})", printable_short(&b.org, 40)));
        }
        s.push_str(&format!(" [{}]", b.category));
        s
    }

    /// The decision as one JSON line's fields: those of the interface
    /// contract (`decision`, `reason`, `serial`, `name`, `org`, `category`,
    /// `zones`, `key_id`, `input`) and more. A kiosk fills in where and
    /// when it journalled it ([`DecisionLine::journalled`]).
    pub fn line<'a>(&'a self, input: &'a str) -> DecisionLine<'a> {
        let b = self.badge.as_ref();
        DecisionLine {
            at: None,
            authentic: self.authentic,
            category: b.map(|b| b.category.as_str()),
            decision: self.verdict.code(),
            detail: &self.detail,
            direction: None,
            flagged: self.flagged,
            gate: None,
            hash: None,
            input,
            issued_at: b.map(|b| format_utc(b.issued_at)),
            key_id: b.map(|b| b.key_id.to_string()),
            kiosk_id: None,
            name: b.map(|b| b.name.as_str()),
            org: b.map(|b| b.org.as_str()),
            photo: None,
            reason: self.reason.code(),
            seq: None,
            serial: b.map(|b| b.serial.as_str()),
            valid_from: b.map(|b| format_utc(b.valid_from)),
            valid_until: b.map(|b| format_utc(b.valid_until)),
            zone: None,
            zones: b.map(|b| b.zones.as_slice()),
        }
    }
}

/// Where and by whom a decision was made, for its record.
#[derive(Clone, Copy, Debug)]
pub struct Place<'a> {
    pub gate: &'a str,
    pub zone: Option<&'a str>,
    pub direction: Direction,
    /// The guard signed in, if any.
    pub guard: Option<&'a str>,
}

impl Decision {
    /// The journal record of this decision on `input`, made at `at_ms`
    /// (a kiosk's `decision`, `override` or `confirm`, a patrol phone's
    /// `check`): one mapping from a decision to a record for every place.
    pub fn entry(
        &self,
        input: &str,
        at_ms: u64,
        kind: EntryKind,
        note: Option<String>,
        place: &Place<'_>,
    ) -> NewEntry {
        let b = self.badge.as_ref();
        NewEntry {
            at_ms,
            kind,
            gate: place.gate.to_owned(),
            zone: place.zone.map(str::to_owned),
            direction: place.direction,
            serial: b.map(|b| b.serial.clone()),
            holder: b.map(|b| b.name.clone()),
            org: b.map(|b| b.org.clone()),
            category: b.map(|b| b.category.clone()),
            key_id: b.map(|b| b.key_id.to_string()),
            decision: self.verdict.into(),
            reason: self.reason.into(),
            flagged: self.flagged,
            authentic: self.authentic,
            detail: self.detail.clone(),
            note,
            input: input.to_owned(),
            guard: place.guard.map(str::to_owned),
            ..NewEntry::default()
        }
    }
}

/// One decision as a JSON line (`verify --json`, `kiosk --headless`): the
/// interface contract's fields. Its fields are in the order of their
/// names, as every earlier build wrote them; the kiosk's own (`at`,
/// `direction`, `gate`, `hash`, `kiosk_id`, `photo`, `seq`, `zone`) are
/// left out of `verify`'s lines.
#[derive(Clone, Debug, Serialize)]
pub struct DecisionLine<'a> {
    /// When the kiosk journalled it (UTC, milliseconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    pub authentic: bool,
    pub category: Option<&'a str>,
    pub decision: &'static str,
    pub detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direction: Option<&'static str>,
    pub flagged: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<&'a str>,
    /// The kiosk's chain head after this record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    pub input: &'a str,
    pub issued_at: Option<String>,
    pub key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kiosk_id: Option<&'a str>,
    pub name: Option<&'a str>,
    pub org: Option<&'a str>,
    /// Only where the badge carries a photo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo: Option<&'static str>,
    pub reason: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    pub serial: Option<&'a str>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    /// The gate's zone: present (perhaps null) in every kiosk line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<Option<&'a str>>,
    pub zones: Option<&'a [String]>,
}

/// Everything the checks read, besides the scanned text.
#[derive(Clone, Copy)]
pub struct Checks<'a> {
    pub trust: &'a TrustStore,
    pub revocations: Option<&'a RevocationSet>,
    pub gate: &'a GatePolicy,
    /// Unix seconds the decision is made at.
    pub now: u64,
}

/// Decides one scanned text. The checks run in this order and the first
/// failure is the reason: format, version, key known, signature, key not
/// retired, validity window, revocation, zone.
pub fn decide(text: &str, checks: &Checks<'_>) -> Decision {
    let signed = match SignedBadge::parse(text) {
        Ok(s) => s,
        Err(e) => return unreadable(e),
    };
    let badge = signed.badge.clone();
    let key_id = badge.key_id;
    if let Some(w) = checks.trust.withdrawal(&key_id) {
        return Decision::deny(
            Reason::KeyWithdrawn,
            Some(badge),
            false,
            format!(
                "signed by key {key_id}, withdrawn {}: {}",
                checks.gate.time.format(w.at),
                w.reason
            ),
        );
    }
    let Some(trusted) = checks.trust.get(&key_id) else {
        return Decision::deny(
            Reason::UnknownKey,
            Some(badge),
            false,
            format!("signed by key {key_id}, which this kiosk does not trust"),
        );
    };
    if !signed.verify_with(&trusted.key) {
        return Decision::deny(
            Reason::BadSignature,
            Some(badge),
            false,
            "signature does not match: badge altered or forged".into(),
        );
    }
    if trusted.status == KeyStatus::Retired {
        return Decision::deny(
            Reason::RetiredKey,
            Some(badge),
            true,
            format!("signed by retired key {key_id}; the holder needs a new badge"),
        );
    }
    if let Some(grant) = &trusted.grant {
        if let Some((reason, detail)) = beyond_grant(&badge, grant, checks) {
            return Decision::deny(reason, Some(badge), false, detail);
        }
    }
    // The signature checked out under a key allowed to sign this badge:
    // from here on, what the badge says is true.
    if let Some((reason, detail)) = refusal(&badge, checks) {
        return Decision::deny(reason, Some(badge), true, detail);
    }
    let detail = if checks.gate.direction == Direction::In {
        format!("valid until {}", checks.gate.time.format(badge.valid_until))
    } else {
        "exit recorded".to_owned()
    };
    Decision {
        verdict: Verdict::Admit,
        reason: Reason::Ok,
        badge: Some(badge),
        authentic: true,
        detail,
        flagged: false,
    }
}

/// Why a badge signed by a key the root's key list granted is beyond that
/// grant, if it is: outside the key's window (entries only, as a badge's
/// own window), or claiming a venue, zone or category the key may not
/// grant (at exits too: such a badge was never the key's to sign).
fn beyond_grant(badge: &Badge, grant: &Grant, checks: &Checks<'_>) -> Option<(Reason, String)> {
    let (now, skew) = (checks.now, checks.gate.skew_secs);
    let key_id = badge.key_id;
    if checks.gate.direction == Direction::In
        && (now.saturating_add(skew) < grant.from || now > grant.until.saturating_add(skew))
    {
        let detail = format!(
            "signed by key {key_id}, which may sign badges from {} to {} only",
            checks.gate.time.format(grant.from),
            checks.gate.time.format(grant.until)
        );
        return Some((Reason::KeyNotValid, detail));
    }
    grant
        .out_of_scope(checks.gate.venue.as_deref(), &badge.zones, &badge.category)
        .map(|what| {
            (
                Reason::KeyOutOfScope,
                format!("signed by key {key_id}, which may not grant {what}"),
            )
        })
}

/// The deny for text that does not parse as a badge of ours.
fn unreadable(e: ParseError) -> Decision {
    match e {
        ParseError::NotABadge => Decision::not_a_badge("this code is not a badgegate badge"),
        ParseError::UnsupportedVersion(v) => Decision::deny(
            Reason::UnsupportedVersion,
            None,
            false,
            format!("badge format version {v} is not supported by this kiosk"),
        ),
        ParseError::Malformed(why) => Decision::deny(
            Reason::Malformed,
            None,
            false,
            format!("damaged or altered badge: {why}"),
        ),
    }
}

/// Why an authentic badge is refused here and now, if it is: the validity
/// window (entries only), the revocation list, the zone (entries only).
fn refusal(badge: &Badge, checks: &Checks<'_>) -> Option<(Reason, String)> {
    let now = checks.now;
    let skew = checks.gate.skew_secs;
    let entering = checks.gate.direction == Direction::In;
    if entering && now.saturating_add(skew) < badge.valid_from {
        let detail = format!(
            "not valid before {} (in {})",
            checks.gate.time.format(badge.valid_from),
            format_span(badge.valid_from - now)
        );
        return Some((Reason::NotYetValid, detail));
    }
    if entering && now > badge.valid_until.saturating_add(skew) {
        let detail = format!(
            "expired {} ({} ago)",
            checks.gate.time.format(badge.valid_until),
            format_span(now - badge.valid_until)
        );
        return Some((Reason::Expired, detail));
    }
    if let Some(entry) = checks.revocations.and_then(|l| l.find(&badge.serial)) {
        let detail = if entry.reason.is_empty() {
            format!("revoked {}", checks.gate.time.format(entry.revoked_at))
        } else {
            format!(
                "revoked: {} ({})",
                entry.reason,
                checks.gate.time.format(entry.revoked_at)
            )
        };
        return Some((Reason::Revoked, detail));
    }
    if let Some(zone) = checks.gate.zone.as_ref().filter(|_| entering) {
        if !badge.opens_zone(zone) {
            let detail = format!(
                "not valid for zone {zone} (valid for: {})",
                badge.zones.join(", ")
            );
            return Some((Reason::WrongZone, detail));
        }
    }
    None
}

/// Decides raw code bytes (a QR code may hold anything): text that is not
/// UTF-8 cannot be a badge.
pub fn decide_bytes(bytes: &[u8], checks: &Checks<'_>) -> Decision {
    match std::str::from_utf8(bytes) {
        Ok(text) => decide(text, checks),
        Err(_) => Decision::not_a_badge("this code holds binary data, not a badgegate badge"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::keys::{KeyId, SecretKey};
    use crate::format::revocation::RevocationList;

    const T0: u64 = 1_790_000_040;

    fn badge() -> Badge {
        Badge {
            key_id: KeyId([0; 4]),
            serial: "S-1".into(),
            name: "Ines Ferreira".into(),
            org: "Portugal".into(),
            category: "delegate".into(),
            zones: vec!["plenary".into()],
            valid_from: T0,
            valid_until: T0 + 86_400,
            issued_at: T0 - 960,
            photo: None,
        }
    }

    fn run(
        text: &str,
        trust: &TrustStore,
        revs: Option<&RevocationSet>,
        zone: Option<&str>,
        now: u64,
    ) -> Decision {
        let gate = GatePolicy {
            zone: zone.map(String::from),
            skew_secs: 60,
            direction: Direction::In,
            ..GatePolicy::default()
        };
        decide(
            text,
            &Checks {
                trust,
                revocations: revs,
                gate: &gate,
                now,
            },
        )
    }

    #[test]
    fn every_check_in_order() {
        let k = SecretKey::from_seed(&[4; 32]);
        let stranger = SecretKey::from_seed(&[5; 32]);
        let trust = TrustStore::from_keys(&[k.public()], &[]);
        let good = SignedBadge::sign(badge(), &k).unwrap();
        let t = good.text();

        assert_eq!(
            run(t, &trust, None, Some("plenary"), T0 + 10).reason,
            Reason::Ok
        );
        assert_eq!(
            run("hello", &trust, None, None, T0).reason,
            Reason::NotABadge
        );
        assert_eq!(
            run("BG9:X", &trust, None, None, T0).reason,
            Reason::UnsupportedVersion
        );
        assert_eq!(
            run("BG1:%%%", &trust, None, None, T0).reason,
            Reason::Malformed
        );
        let foreign = SignedBadge::sign(badge(), &stranger).unwrap();
        assert_eq!(
            run(foreign.text(), &trust, None, None, T0).reason,
            Reason::UnknownKey
        );
        let retired = TrustStore::from_keys(&[], &[k.public()]);
        assert_eq!(run(t, &retired, None, None, T0).reason, Reason::RetiredKey);
        // within skew: admitted; beyond: denied
        assert_eq!(run(t, &trust, None, None, T0 - 60).reason, Reason::Ok);
        assert_eq!(
            run(t, &trust, None, None, T0 - 61).reason,
            Reason::NotYetValid
        );
        assert_eq!(
            run(t, &trust, None, None, T0 + 86_400 + 60).reason,
            Reason::Ok
        );
        assert_eq!(
            run(t, &trust, None, None, T0 + 86_400 + 61).reason,
            Reason::Expired
        );
        let mut list = RevocationList::empty(k.key_id());
        list.add_and_sign(&k, &["S-1".into()], "reported lost", T0)
            .unwrap();
        let d = run(
            t,
            &trust,
            Some(&RevocationSet::of([list.clone()])),
            None,
            T0,
        );
        assert_eq!(d.reason, Reason::Revoked);
        assert!(d.detail.contains("reported lost"));
        assert_eq!(
            run(t, &trust, None, Some("press"), T0).reason,
            Reason::WrongZone
        );
    }

    #[test]
    fn forged_signature_is_bad_signature() {
        let k = SecretKey::from_seed(&[4; 32]);
        let stranger = SecretKey::from_seed(&[5; 32]);
        let trust = TrustStore::from_keys(&[k.public()], &[]);
        // A stranger's signature over a payload that claims the trusted key id.
        let mut b = badge();
        b.key_id = k.key_id();
        let payload = b.to_payload();
        let sig = stranger.sign(&crate::format::badge::signed_message(&payload));
        let mut raw = payload;
        raw.extend_from_slice(&sig);
        let text = format!("BG1:{}", base45::encode(&raw));
        let d = run(&text, &trust, None, None, T0);
        assert_eq!(d.reason, Reason::BadSignature);
        assert!(!d.authentic);
    }

    #[test]
    fn anti_passback_modes() {
        let k = SecretKey::from_seed(&[4; 32]);
        let trust = TrustStore::from_keys(&[k.public()], &[]);
        let good = SignedBadge::sign(badge(), &k).unwrap();
        let admit = run(good.text(), &trust, None, None, T0);
        let hard = apply_anti_passback(admit.clone(), AntiPassback::Hard, Direction::In, true);
        assert_eq!(
            (hard.verdict, hard.reason),
            (Verdict::Deny, Reason::AlreadyInside)
        );
        let soft = apply_anti_passback(admit.clone(), AntiPassback::Soft, Direction::In, true);
        assert_eq!(
            (soft.verdict, soft.reason, soft.flagged),
            (Verdict::Admit, Reason::AlreadyInside, true)
        );
        let off = apply_anti_passback(admit.clone(), AntiPassback::Off, Direction::In, true);
        assert_eq!(off.reason, Reason::Ok);
        let out = apply_anti_passback(admit.clone(), AntiPassback::Hard, Direction::Out, true);
        assert_eq!(out.reason, Reason::Ok);
        let not_inside = apply_anti_passback(admit, AntiPassback::Hard, Direction::In, false);
        assert_eq!(not_inside.reason, Reason::Ok);
    }

    #[test]
    fn exit_gates_let_expired_and_other_zone_badges_out_but_not_forged_or_revoked() {
        let k = SecretKey::from_seed(&[4; 32]);
        let trust = TrustStore::from_keys(&[k.public()], &[]);
        let good = SignedBadge::sign(badge(), &k).unwrap();
        let gate = GatePolicy {
            zone: Some("press".into()),
            skew_secs: 60,
            direction: Direction::Out,
            ..GatePolicy::default()
        };
        let late = T0 + 10 * 86_400;
        let d = decide(
            good.text(),
            &Checks {
                trust: &trust,
                revocations: None,
                gate: &gate,
                now: late,
            },
        );
        assert_eq!(d.reason, Reason::Ok);
        assert_eq!(d.detail, "exit recorded");
        let mut list = RevocationList::empty(k.key_id());
        list.add_and_sign(&k, &["S-1".into()], "stolen", T0)
            .unwrap();
        let set = RevocationSet::of([list]);
        let d = decide(
            good.text(),
            &Checks {
                trust: &trust,
                revocations: Some(&set),
                gate: &gate,
                now: late,
            },
        );
        assert_eq!(d.reason, Reason::Revoked);
        // The times in its words are the venue's, as its policy names them.
        let tashkent = GatePolicy {
            time: VenueTime::zone("Asia/Tashkent"),
            ..gate
        };
        let d = decide(
            good.text(),
            &Checks {
                trust: &trust,
                revocations: Some(&set),
                gate: &tashkent,
                now: late,
            },
        );
        assert_eq!(
            d.detail,
            format!(
                "revoked: stolen ({})",
                VenueTime::zone("Asia/Tashkent").format(T0)
            )
        );
        assert!(d.detail.ends_with(" +05)"), "{}", d.detail);
    }

    #[test]
    fn reason_codes_round_trip() {
        for r in Reason::ALL {
            assert_eq!(Reason::from_code(r.code()), Some(*r));
        }
    }
}
