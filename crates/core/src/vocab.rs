//! The typed vocabulary every layer shares: which way a gate lets people
//! through, the verdict, why, and what a journal record is. Each enum maps
//! to its code (the word stored in the journal and printed in JSON lines and
//! CSV) here and nowhere else; the words a guard reads are in
//! `screen::wording`. A new variant is flagged by the compiler in both.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Declares a fieldless enum with its codes: `code()`, `from_code()`, `ALL`
/// (in declaration order), `Display`, and `Serialize` and `Deserialize` as
/// the code (any other text does not deserialize).
macro_rules! coded {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The code as the journal, JSON lines and CSV carry it.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// The value for a code; `None` for any other text.
            pub fn from_code(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.code())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let code = std::borrow::Cow::<'de, str>::deserialize(d)?;
                $name::from_code(&code).ok_or_else(|| {
                    serde::de::Error::custom(format!("{code:?} is not a {} code", stringify!($name)))
                })
            }
        }
    };
}

coded! {
    /// Which signed list a row of the office's list table, a publish or a
    /// kiosk's kept file is: the code is the office's `kind` column.
    pub enum ListKind {
        /// A revocation list, one series per signing key.
        Revocations = "revocations",
        /// The venue policy, one series for the venue across keys.
        Policy = "policy",
        /// The root's key list of issuing keys, one series across root keys.
        Keys = "keys",
    }
}

coded! {
    /// An alarm the venue office raises itself (a row of its `alarms`
    /// table), as opposed to a record that is an alarm
    /// ([`crate::rules::AlarmKind`]). The code is the table's `kind`.
    #[non_exhaustive]
    pub enum OfficeAlarm {
        /// A gate stopped reporting to the office.
        Offline = "offline",
        /// Two gates let the same badge in, found once both reported.
        Passback = "passback",
        /// A gate's records disagree with the venue's presence.
        Presence = "presence",
        /// A record whose kiosk signature does not verify.
        Signature = "signature",
        /// A record that does not follow its kiosk's previous one.
        Chain = "chain",
        /// A record whose hash is not what its fields make.
        Hash = "hash",
        /// Records missing in a kiosk's sequence.
        Gap = "gap",
        /// Two different records with the same kiosk and sequence number.
        Fork = "fork",
        /// A record outside the vocabulary, kept out of the venue record.
        Quarantine = "quarantine",
        /// A kiosk's journal started again behind what the office holds.
        CutBack = "cut_back",
        /// A kiosk refused a list or policy the office served it.
        List = "list",
        /// Someone inside whose badge a gate has since refused as revoked.
        RevokedInside = "revoked_inside",
        /// The office's database moved to another server (a new timeline).
        Failover = "failover",
        /// The office had a standby server and has none streaming now.
        NoStandby = "no_standby",
    }
}

impl OfficeAlarm {
    /// Words for the dashboard and `office watch`.
    pub fn words(self) -> &'static str {
        match self {
            OfficeAlarm::Offline => "gate offline",
            OfficeAlarm::Passback => "passback conflict found after the fact",
            OfficeAlarm::Presence => "presence conflict between gates",
            OfficeAlarm::Signature => "record signature bad",
            OfficeAlarm::Chain | OfficeAlarm::Hash | OfficeAlarm::Gap | OfficeAlarm::Fork => {
                "kiosk chain broken"
            }
            OfficeAlarm::Quarantine => "record outside the vocabulary quarantined",
            OfficeAlarm::CutBack => "kiosk journal cut back",
            OfficeAlarm::List => "gate refused a list the office served",
            OfficeAlarm::RevokedInside => "revoked badge holder inside",
            OfficeAlarm::Failover => "office database moved to another server",
            OfficeAlarm::NoStandby => "office running without a standby",
        }
    }
}

coded! {
    /// Which way a gate lets people through.
    pub enum Direction {
        In = "in",
        Out = "out",
    }
}

coded! {
    /// Admit or deny.
    pub enum Verdict {
        Admit = "admit",
        Deny = "deny",
    }
}

coded! {
    /// Why a badge was admitted or denied. The codes are part of the
    /// interface contract; the order is the order the checks run.
    pub enum Reason {
        Ok = "ok",
        NotABadge = "not_a_badge",
        Malformed = "malformed",
        UnsupportedVersion = "unsupported_version",
        UnknownKey = "unknown_key",
        RetiredKey = "retired_key",
        BadSignature = "bad_signature",
        NotYetValid = "not_yet_valid",
        Expired = "expired",
        Revoked = "revoked",
        WrongZone = "wrong_zone",
        AlreadyInside = "already_inside",
        /// The badge carries a photo digest and the kiosk's photo folder
        /// holds another photo under its serial.
        PhotoMismatch = "photo_mismatch",
        /// Venue-wide anti-passback could not be checked (the office did
        /// not answer in time) and this zone admits only verified entries.
        PassbackUnverified = "passback_unverified",
        /// The root's key list withdrew the key that signed the badge.
        KeyWithdrawn = "key_withdrawn",
        /// The key list lets the signing key sign only within a window,
        /// and now is outside it.
        KeyNotValid = "key_not_valid",
        /// The badge claims a venue, zone or category its signing key may
        /// not grant.
        KeyOutOfScope = "key_out_of_scope",
    }
}

coded! {
    /// Why a guard's own record says what it says.
    pub enum GuardReason {
        /// The guard checked the ID and confirmed the holder.
        Confirmed = "confirmed",
        /// The guard refused the holder at the ID check.
        Refused = "refused",
        /// Nobody answered the ID check in time: not admitted.
        NotConfirmed = "not_confirmed",
        /// The guard admitted or denied by hand, with a note.
        Override = "override",
    }
}

coded! {
    /// What a journal record is.
    pub enum EntryKind {
        /// The kiosk started (its settings are in `detail`).
        Start = "start",
        /// An automatic decision on a scanned code.
        Decision = "decision",
        /// A guard's manual admit or deny, with a note.
        Override = "override",
        /// A guard's confirmation or refusal of a decision that needed one.
        Confirm = "confirm",
        /// A signed list (revocations, or the venue policy) taken up or
        /// refused.
        List = "list",
        /// How the admit hook ran for an admit (`hook_ok`, `hook_failed`).
        Hook = "hook",
        /// A guard signed in or out at this kiosk.
        Shift = "shift",
        /// The gate PC's clock jumped (set back, or forward); `detail` says
        /// how far and what time the gate keeps.
        Clock = "clock",
        /// A patrol guard's check of a badge on a phone, away from any
        /// gate: the same decision, but it lets no one in or out.
        Check = "check",
    }
}

coded! {
    /// What a kiosk records about itself.
    pub enum KioskEvent {
        /// A newer signed list was taken up.
        ListAccepted = "list_accepted",
        /// A list was refused: forged, unreadable, or older than one taken.
        ListRefused = "list_refused",
        /// A newer signed venue policy was taken up.
        PolicyAccepted = "policy_accepted",
        /// A venue policy was refused: forged, unreadable, or older.
        PolicyRefused = "policy_refused",
        /// The admit hook (a turnstile, a door) ran and exited 0.
        HookOk = "hook_ok",
        /// The admit hook failed: a non-zero exit, killed at its timeout,
        /// or not started. The door may not have opened.
        HookFailed = "hook_failed",
        /// A guard signed in at this kiosk (`guard` names them).
        GuardSignedIn = "guard_signed_in",
        /// A sign-in was refused: not a genuine, valid staff badge.
        GuardSignInRefused = "guard_sign_in_refused",
        /// The guard signed out (or the kiosk stopped with them signed in).
        GuardSignedOut = "guard_signed_out",
        /// The clock jumped by more than two seconds against the time that
        /// passed (a `clock` record).
        ClockStep = "clock_step",
        /// A newer key list (issuing keys, signed by the root) was taken up.
        KeysAccepted = "keys_accepted",
        /// A key list was refused: not signed by a root key, unreadable,
        /// or older than one taken.
        KeysRefused = "keys_refused",
    }
}

coded! {
    /// The decision a journal record carries.
    pub enum EntryDecision {
        Admit = "admit",
        Deny = "deny",
        /// No decision: a start record, or an admit waiting for the guard's
        /// ID check (the `confirm` record after it carries the answer).
        None = "none",
    }
}

// Defaults for building records field by field (`..NewEntry::default()`).
// Written out: the enums come from `coded!`, which derives no Default.
#[allow(clippy::derivable_impls)]
impl Default for Direction {
    fn default() -> Direction {
        Direction::In
    }
}

#[allow(clippy::derivable_impls)]
impl Default for EntryKind {
    fn default() -> EntryKind {
        EntryKind::Decision
    }
}

#[allow(clippy::derivable_impls)]
impl Default for EntryDecision {
    fn default() -> EntryDecision {
        EntryDecision::None
    }
}

#[allow(clippy::derivable_impls)]
impl Default for EntryReason {
    fn default() -> EntryReason {
        EntryReason::Start
    }
}

impl From<Verdict> for EntryDecision {
    fn from(v: Verdict) -> EntryDecision {
        match v {
            Verdict::Admit => EntryDecision::Admit,
            Verdict::Deny => EntryDecision::Deny,
        }
    }
}

/// The reason a journal record carries: a badge's, a guard's, or the start
/// of a kiosk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntryReason {
    /// A kiosk start record.
    Start,
    /// The decision's reason.
    Badge(Reason),
    /// A guard's confirmation or override.
    Guard(GuardReason),
    /// Something the kiosk records about itself.
    Event(KioskEvent),
}

/// The code of a start record's reason.
const START_CODE: &str = "start";

impl EntryReason {
    pub fn code(self) -> &'static str {
        match self {
            EntryReason::Start => START_CODE,
            EntryReason::Badge(r) => r.code(),
            EntryReason::Guard(g) => g.code(),
            EntryReason::Event(k) => k.code(),
        }
    }

    pub fn from_code(code: &str) -> Option<EntryReason> {
        if code == START_CODE {
            return Some(EntryReason::Start);
        }
        Reason::from_code(code)
            .map(EntryReason::Badge)
            .or_else(|| GuardReason::from_code(code).map(EntryReason::Guard))
            .or_else(|| KioskEvent::from_code(code).map(EntryReason::Event))
    }

    /// A reason in a few plain words, for tables and lists (the dashboard,
    /// the office's terminal views); the guard's screen says more, from
    /// the whole outcome.
    pub fn words(self) -> &'static str {
        match self {
            EntryReason::Start => "kiosk started",
            EntryReason::Badge(r) => match r {
                Reason::Ok => "ok",
                Reason::NotABadge => "not a badge of this venue",
                Reason::Malformed => "damaged or altered badge",
                Reason::UnsupportedVersion => "badge format too new",
                Reason::UnknownKey => "not signed by this venue's key",
                Reason::RetiredKey => "signed by a retired key",
                Reason::BadSignature => "forged or altered: signature does not match",
                Reason::NotYetValid => "not valid yet",
                Reason::Expired => "expired",
                Reason::Revoked => "revoked",
                Reason::WrongZone => "not valid for this zone",
                Reason::AlreadyInside => "already inside",
                Reason::PhotoMismatch => "photo does not match the badge",
                Reason::PassbackUnverified => "passback unverified: office did not answer",
                Reason::KeyWithdrawn => "signed by a withdrawn key",
                Reason::KeyNotValid => "signing key not valid now",
                Reason::KeyOutOfScope => "beyond what its signing key may grant",
            },
            EntryReason::Guard(g) => match g {
                GuardReason::Confirmed => "ID checked and confirmed",
                GuardReason::Refused => "refused at the ID check",
                GuardReason::NotConfirmed => "ID check not answered in time",
                GuardReason::Override => "decided by hand",
            },
            EntryReason::Event(k) => match k {
                KioskEvent::ListAccepted => "revocation list taken up",
                KioskEvent::ListRefused => "revocation list refused",
                KioskEvent::PolicyAccepted => "venue policy taken up",
                KioskEvent::PolicyRefused => "venue policy refused",
                KioskEvent::HookOk => "door opened",
                KioskEvent::HookFailed => "door command failed",
                KioskEvent::GuardSignedIn => "guard signed in",
                KioskEvent::GuardSignInRefused => "guard sign-in refused",
                KioskEvent::GuardSignedOut => "guard signed out",
                KioskEvent::ClockStep => "the gate's clock jumped",
                KioskEvent::KeysAccepted => "key list taken up",
                KioskEvent::KeysRefused => "key list refused",
            },
        }
    }

    /// Every reason a record can carry: start, then the badge's, the
    /// guard's and the kiosk's own, each in declaration order.
    pub fn all() -> impl Iterator<Item = EntryReason> {
        std::iter::once(EntryReason::Start)
            .chain(Reason::ALL.iter().map(|r| EntryReason::Badge(*r)))
            .chain(GuardReason::ALL.iter().map(|g| EntryReason::Guard(*g)))
            .chain(KioskEvent::ALL.iter().map(|k| EntryReason::Event(*k)))
    }

    /// The badge reason, when the record is about a scanned badge.
    pub fn badge(self) -> Option<Reason> {
        match self {
            EntryReason::Badge(r) => Some(r),
            _ => None,
        }
    }
}

impl From<Reason> for EntryReason {
    fn from(r: Reason) -> EntryReason {
        EntryReason::Badge(r)
    }
}

impl From<KioskEvent> for EntryReason {
    fn from(k: KioskEvent) -> EntryReason {
        EntryReason::Event(k)
    }
}

impl From<GuardReason> for EntryReason {
    fn from(g: GuardReason) -> EntryReason {
        EntryReason::Guard(g)
    }
}

impl fmt::Display for EntryReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.code())
    }
}

impl Serialize for EntryReason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for EntryReason {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<EntryReason, D::Error> {
        let code = std::borrow::Cow::<'de, str>::deserialize(d)?;
        EntryReason::from_code(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("{code:?} is not a record reason")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_to_its_value_and_no_two_share_a_code() {
        let mut seen = std::collections::BTreeSet::new();
        assert_eq!(
            EntryReason::all().count(),
            1 + Reason::ALL.len() + GuardReason::ALL.len() + KioskEvent::ALL.len()
        );
        for r in EntryReason::all() {
            assert_eq!(EntryReason::from_code(r.code()), Some(r));
            assert!(seen.insert(r.code()), "{} twice", r.code());
        }
        for d in EntryDecision::ALL {
            assert_eq!(EntryDecision::from_code(d.code()), Some(*d));
        }
        for k in EntryKind::ALL {
            assert_eq!(EntryKind::from_code(k.code()), Some(*k));
        }
        assert_eq!(Direction::from_code("in"), Some(Direction::In));
        assert_eq!(Reason::from_code("OK"), None, "codes are exact");
        assert_eq!(
            serde_json::to_string(&Reason::NotYetValid).unwrap(),
            "\"not_yet_valid\""
        );
    }
}
