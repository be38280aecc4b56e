//! The rules every place applies to the same records, written once. The
//! kiosk's local anti-passback, the audit's muster list and the venue
//! office's presence (in SQL, generated from here by [`presence_sql`]) all
//! answer "who is inside" with [`moves_presence`]; the audit's report, the
//! dashboard's alarms page and its index (in SQL, from [`alarm_sql`]) all
//! answer "is this record an alarm" with [`alarm_of`]; every view marks
//! a claim the signature does not vouch for with [`claimed`].

use serde::Serialize;

use crate::vocab::{EntryDecision, EntryKind, EntryReason, GuardReason, KioskEvent, Reason};

/// True when a record moves its badge's holder in or out (its direction
/// says which): an admit, by a decision, a guard's override or a guard's
/// confirmation, of a badge whose signature verified. A denied or pending
/// record moves no one; an admit of a badge the signature does not vouch
/// for (a guard letting in someone whose card is forged or unknown) never
/// moves the genuine holder of the serial it claims: a forgery must not
/// lock the real person out, nor put them on the muster list.
pub fn moves_presence(kind: EntryKind, decision: EntryDecision, authentic: bool) -> bool {
    matches!(
        kind,
        EntryKind::Decision | EntryKind::Override | EntryKind::Confirm
    ) && decision == EntryDecision::Admit
        && authentic
}

/// [`moves_presence`] as the office's SQL function
/// `badgegate.moves_presence(kind, decision, authentic)`: every combination
/// of the vocabulary's codes the rule admits, written out, so the
/// database's presence follows this very definition (anything else,
/// unknown codes included, moves no one).
pub fn presence_sql() -> String {
    let mut moving = Vec::new();
    for kind in EntryKind::ALL {
        for decision in EntryDecision::ALL {
            for authentic in [false, true] {
                if moves_presence(*kind, *decision, authentic) {
                    moving.push(format!(
                        "('{}', '{}', {authentic})",
                        kind.code(),
                        decision.code()
                    ));
                }
            }
        }
    }
    format!(
        "CREATE OR REPLACE FUNCTION badgegate.moves_presence(p_kind text, p_decision text, p_authentic boolean) RETURNS boolean
         LANGUAGE sql IMMUTABLE AS $$
             SELECT (p_kind, p_decision, p_authentic) IN ({})
         $$;",
        moving.join(", ")
    )
}

/// True when a record shows that the badge it names is revoked: a gate's
/// decision or a patrol's check on the genuine badge (its signature verified) refused because
/// a signed revocation list names its serial. Someone inside whose badge a
/// gate has since refused this way is "revoked while inside" (see
/// [`crate::muster`]).
pub fn shows_revocation(kind: EntryKind, reason: EntryReason, authentic: bool) -> bool {
    matches!(kind, EntryKind::Decision | EntryKind::Check)
        && reason == EntryReason::Badge(Reason::Revoked)
        && authentic
}

/// True when a record shows that the badge it names is not revoked (any
/// more): a gate's own decision admitted the genuine badge, so the lists
/// that gate holds do not name it (a reinstated badge). A guard's admit by
/// hand proves nothing about the lists, and neither does a patrol phone's
/// check (its lists may be older than the gates').
pub fn clears_revocation(kind: EntryKind, decision: EntryDecision, authentic: bool) -> bool {
    kind == EntryKind::Decision && decision == EntryDecision::Admit && authentic
}

/// True when an entry that moved its holder inside was admitted flagged:
/// a check is still owed (the ID check of a category the venue checks, at
/// a gate with no guard to ask; a photo that could not be shown; a
/// warning of anti-passback; the office not answering). Such a person is
/// listed as "check pending" wherever presence is shown.
pub fn admitted_pending_check(
    kind: EntryKind,
    decision: EntryDecision,
    authentic: bool,
    flagged: bool,
) -> bool {
    moves_presence(kind, decision, authentic) && flagged
}

/// [`shows_revocation`] and [`clears_revocation`] as the office's SQL
/// functions of the same names, written out from the Rust rules.
pub fn revocation_sql() -> String {
    let mut shows = Vec::new();
    let mut clears = Vec::new();
    for kind in EntryKind::ALL {
        for authentic in [false, true] {
            for reason in EntryReason::all() {
                if shows_revocation(*kind, reason, authentic) {
                    shows.push(format!(
                        "('{}', '{}', {authentic})",
                        kind.code(),
                        reason.code()
                    ));
                }
            }
            for decision in EntryDecision::ALL {
                if clears_revocation(*kind, *decision, authentic) {
                    clears.push(format!(
                        "('{}', '{}', {authentic})",
                        kind.code(),
                        decision.code()
                    ));
                }
            }
        }
    }
    format!(
        "CREATE OR REPLACE FUNCTION badgegate.shows_revocation(p_kind text, p_reason text, p_authentic boolean) RETURNS boolean
         LANGUAGE sql IMMUTABLE AS $$
             SELECT (p_kind, p_reason, p_authentic) IN ({})
         $$;
         CREATE OR REPLACE FUNCTION badgegate.clears_revocation(p_kind text, p_decision text, p_authentic boolean) RETURNS boolean
         LANGUAGE sql IMMUTABLE AS $$
             SELECT (p_kind, p_decision, p_authentic) IN ({})
         $$;",
        shows.join(", "),
        clears.join(", ")
    )
}

/// The mark every place puts on what a badge claims (name, organisation,
/// serial) when its signature does not vouch for it: a forged, altered or
/// unknown-key badge says what it likes.
pub const UNVERIFIED: &str = "NOT VERIFIED";

/// What a record says about its holder, for a line of text: the claims
/// themselves when the signature vouches for them, or the claims marked
/// [`UNVERIFIED`] and quoted, so that no screen, table or log shows a
/// forger's words as fact. Empty claims are left out; none at all is
/// empty.
pub fn claimed(parts: &[Option<&str>], authentic: bool) -> String {
    let said: Vec<&str> = parts
        .iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if said.is_empty() {
        return String::new();
    }
    if authentic {
        said.join(" ")
    } else {
        format!("[{UNVERIFIED}: claims \"{}\"]", said.join(" "))
    }
}

/// What a view may show of the badge a record names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ShownClaims {
    /// The holder's name; for a badge the signature does not vouch for,
    /// everything it claims (name, organisation, serial), marked
    /// [`UNVERIFIED`] by [`claimed`].
    pub holder: String,
    /// The organisation (empty for an unverified badge: it is in
    /// `holder`, marked).
    pub org: String,
    /// The serial to file the record under (a badge's story, a link);
    /// `None` for an unverified badge: a forgery is never filed as the
    /// genuine holder's.
    pub serial: Option<String>,
    pub verified: bool,
}

/// What every view shows of a record's badge ([`ShownClaims`]).
pub fn shown_claims(e: &crate::journal::NewEntry) -> ShownClaims {
    let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
    if e.authentic {
        return ShownClaims {
            holder: e.holder.clone().unwrap_or_default(),
            org: e.org.clone().unwrap_or_default(),
            serial: nonempty(&e.serial),
            verified: true,
        };
    }
    ShownClaims {
        holder: claimed(
            &[e.holder.as_deref(), e.org.as_deref(), e.serial.as_deref()],
            false,
        ),
        org: String::new(),
        serial: None,
        verified: false,
    }
}

/// The venue's (event's) name as a kiosk recorded taking up its signed
/// policy: the detail of a `policy_accepted` record reads `venue policy key
/// K sequence N issued T (NAME: Z zone(s), …`. Shown in the headers of the
/// report and the dashboard.
pub fn venue_named_in_policy_record(detail: &str) -> Option<String> {
    let after = &detail[detail.find(" issued ")?..];
    let open = after.find(" (")? + 2;
    let counts = after.find(" zone(s), ")?;
    let (name, _) = after.get(open..counts)?.rsplit_once(": ")?;
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// How a policy record names the guards' language, after the time zone.
pub const POLICY_LANGUAGE: &str = ", guards' language ";

/// The guards' language a kiosk's policy record names (`en`, `ru`, `tg`),
/// if the policy named one.
pub fn language_named_in_policy_record(detail: &str) -> Option<String> {
    let rest = &detail[detail.rfind(POLICY_LANGUAGE)? + POLICY_LANGUAGE.len()..];
    let code = rest.split([')', ' ', ',']).next()?;
    crate::format::policy::GUARD_LANGUAGES
        .contains(&code)
        .then(|| code.to_owned())
}

/// Which alarm a record is, in the order the report explains them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AlarmKind {
    /// A revoked badge was presented.
    Revoked,
    /// A badge whose signature does not match: altered or forged.
    Forged,
    /// A badge signed by a key nobody trusts here.
    UnknownKey,
    /// A badge signed by a retired key.
    RetiredKey,
    /// The photo on file is not the one the badge was issued with.
    PhotoMismatch,
    /// A guard admitted or refused by hand.
    Override,
    /// The guard refused the holder at the ID check, or nobody answered.
    IdCheckFailed,
    /// The admit hook failed: the door may not have opened.
    HookFailed,
    /// A revocation list, venue policy or key list was refused.
    ListRefused,
    /// A badge signed by a key the root's key list withdrew, or used
    /// beyond the key's window or scope.
    KeyRefused,
    /// The kiosk started after a run that did not close its journal: it was
    /// out of service, killed or without power in between.
    OutOfService,
    /// The kiosk started.
    KioskStart,
    /// The gate PC's clock jumped: set back (the gate kept its own time) or
    /// forward.
    ClockStep,
}

impl AlarmKind {
    /// Every kind, in the report's order.
    pub const ALL: &'static [AlarmKind] = &[
        AlarmKind::Revoked,
        AlarmKind::Forged,
        AlarmKind::UnknownKey,
        AlarmKind::RetiredKey,
        AlarmKind::KeyRefused,
        AlarmKind::PhotoMismatch,
        AlarmKind::Override,
        AlarmKind::IdCheckFailed,
        AlarmKind::HookFailed,
        AlarmKind::ListRefused,
        AlarmKind::ClockStep,
        AlarmKind::OutOfService,
        AlarmKind::KioskStart,
    ];

    /// The code, as JSON and the office's SQL carry it.
    pub fn code(self) -> &'static str {
        match self {
            AlarmKind::Revoked => "revoked",
            AlarmKind::Forged => "forged",
            AlarmKind::UnknownKey => "unknown_key",
            AlarmKind::RetiredKey => "retired_key",
            AlarmKind::KeyRefused => "key_refused",
            AlarmKind::PhotoMismatch => "photo_mismatch",
            AlarmKind::Override => "override",
            AlarmKind::IdCheckFailed => "id_check_failed",
            AlarmKind::HookFailed => "hook_failed",
            AlarmKind::ListRefused => "list_refused",
            AlarmKind::OutOfService => "out_of_service",
            AlarmKind::KioskStart => "kiosk_start",
            AlarmKind::ClockStep => "clock_step",
        }
    }

    /// Words for the report's table and the dashboard.
    pub fn words(self) -> &'static str {
        match self {
            AlarmKind::Revoked => "revoked badge presented",
            AlarmKind::Forged => "forged or altered badge",
            AlarmKind::UnknownKey => "badge from an unknown key",
            AlarmKind::RetiredKey => "badge from a retired key",
            AlarmKind::KeyRefused => "badge from a withdrawn or out-of-scope key",
            AlarmKind::PhotoMismatch => "photo does not match the badge",
            AlarmKind::Override => "decided by hand",
            AlarmKind::IdCheckFailed => "ID check failed",
            AlarmKind::HookFailed => "door command failed",
            AlarmKind::ListRefused => "list or policy refused",
            AlarmKind::OutOfService => "out of service",
            AlarmKind::KioskStart => "kiosk started",
            AlarmKind::ClockStep => "gate clock jumped",
        }
    }

    /// True for the kinds that need someone to look into them (a start is
    /// listed for the timeline, not as trouble).
    pub fn is_trouble(self) -> bool {
        self != AlarmKind::KioskStart
    }
}

/// Which alarm a record of this kind, reason and flag is, if any.
pub fn alarm_of(kind: EntryKind, reason: EntryReason, flagged: bool) -> Option<AlarmKind> {
    match (kind, reason) {
        (EntryKind::Start, _) if flagged => Some(AlarmKind::OutOfService),
        (EntryKind::Start, _) => Some(AlarmKind::KioskStart),
        (EntryKind::Override, _) => Some(AlarmKind::Override),
        (
            EntryKind::Confirm,
            EntryReason::Guard(GuardReason::Refused | GuardReason::NotConfirmed),
        ) => Some(AlarmKind::IdCheckFailed),
        (EntryKind::Hook, EntryReason::Event(KioskEvent::HookFailed)) => {
            Some(AlarmKind::HookFailed)
        }
        (
            EntryKind::List,
            EntryReason::Event(
                KioskEvent::ListRefused | KioskEvent::PolicyRefused | KioskEvent::KeysRefused,
            ),
        ) => Some(AlarmKind::ListRefused),
        (EntryKind::Clock, EntryReason::Event(KioskEvent::ClockStep)) => Some(AlarmKind::ClockStep),
        (EntryKind::Decision | EntryKind::Check, EntryReason::Badge(r)) => match r {
            Reason::Revoked => Some(AlarmKind::Revoked),
            Reason::BadSignature => Some(AlarmKind::Forged),
            Reason::UnknownKey => Some(AlarmKind::UnknownKey),
            Reason::RetiredKey => Some(AlarmKind::RetiredKey),
            Reason::KeyWithdrawn | Reason::KeyNotValid | Reason::KeyOutOfScope => {
                Some(AlarmKind::KeyRefused)
            }
            Reason::PhotoMismatch => Some(AlarmKind::PhotoMismatch),
            _ => None,
        },
        _ => None,
    }
}

/// [`alarm_of`] as the office's SQL functions
/// `badgegate.record_alarm(kind, reason, flagged)` (the alarm's code, or
/// NULL) and `badgegate.alarming(kind, reason, flagged)` (an alarm that is
/// trouble: what the dashboard lists and its partial index holds). Every
/// combination of the vocabulary's codes is written out from the Rust
/// rule; any other text is no alarm (the office quarantines it).
pub fn alarm_sql() -> String {
    let mut cases = Vec::new();
    for alarm in AlarmKind::ALL {
        let mut rows = Vec::new();
        for kind in EntryKind::ALL {
            for reason in EntryReason::all() {
                for flagged in [false, true] {
                    if alarm_of(*kind, reason, flagged) == Some(*alarm) {
                        rows.push(format!(
                            "('{}', '{}', {flagged})",
                            kind.code(),
                            reason.code()
                        ));
                    }
                }
            }
        }
        if !rows.is_empty() {
            cases.push(format!(
                "WHEN (p_kind, p_reason, p_flagged) IN ({}) THEN '{}'",
                rows.join(", "),
                alarm.code()
            ));
        }
    }
    let trouble: Vec<String> = AlarmKind::ALL
        .iter()
        .filter(|a| a.is_trouble())
        .map(|a| format!("'{}'", a.code()))
        .collect();
    format!(
        "CREATE OR REPLACE FUNCTION badgegate.record_alarm(p_kind text, p_reason text, p_flagged boolean) RETURNS text
         LANGUAGE sql IMMUTABLE AS $$
             SELECT CASE {} ELSE NULL END
         $$;
         CREATE OR REPLACE FUNCTION badgegate.alarming(p_kind text, p_reason text, p_flagged boolean) RETURNS boolean
         LANGUAGE sql IMMUTABLE AS $$
             SELECT COALESCE(badgegate.record_alarm(p_kind, p_reason, p_flagged) IN ({}), false)
         $$;",
        cases.join(" "),
        trouble.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alarm_rule_and_its_sql_name_the_same_records() {
        // Every kind but a plain start is trouble, and each kind is some
        // record's alarm.
        for alarm in AlarmKind::ALL {
            assert_eq!(
                serde_json::to_value(alarm).unwrap().as_str(),
                Some(alarm.code())
            );
            assert!(alarm_sql().contains(&format!("THEN '{}'", alarm.code())));
        }
        assert_eq!(
            alarm_of(EntryKind::Decision, Reason::Revoked.into(), false),
            Some(AlarmKind::Revoked)
        );
        assert_eq!(
            alarm_of(EntryKind::Decision, Reason::Ok.into(), true),
            None,
            "an admit flagged for an ID check is no alarm by itself"
        );
        assert_eq!(
            alarm_of(EntryKind::Start, EntryReason::Start, true),
            Some(AlarmKind::OutOfService)
        );
        assert!(!AlarmKind::KioskStart.is_trouble());
    }

    #[test]
    fn the_venue_is_named_as_the_kiosk_recorded_its_policy() {
        let d = "venue policy key ab12 sequence 3 issued 2026-12-01 08:00 UTC (Summit: Geneva (2026): 2 zone(s), 3 categories, 4 gate(s), time zone Europe/Zurich) from the office";
        assert_eq!(
            venue_named_in_policy_record(d).as_deref(),
            Some("Summit: Geneva (2026)")
        );
        assert_eq!(venue_named_in_policy_record("list taken up"), None);
    }

    #[test]
    fn a_forgers_claims_are_never_shown_plain() {
        let parts = [Some("Amina Diallo"), None, Some(" "), Some("HD-0001")];
        assert_eq!(claimed(&parts, true), "Amina Diallo HD-0001");
        assert_eq!(
            claimed(&parts, false),
            "[NOT VERIFIED: claims \"Amina Diallo HD-0001\"]"
        );
        assert_eq!(claimed(&[None, Some("")], false), "");
    }

    #[test]
    fn only_a_gates_own_decisions_show_or_clear_a_revocation() {
        let revoked: EntryReason = Reason::Revoked.into();
        assert!(shows_revocation(EntryKind::Decision, revoked, true));
        assert!(!shows_revocation(EntryKind::Decision, revoked, false));
        assert!(!shows_revocation(EntryKind::Override, revoked, true));
        assert!(clears_revocation(
            EntryKind::Decision,
            EntryDecision::Admit,
            true
        ));
        assert!(!clears_revocation(
            EntryKind::Override,
            EntryDecision::Admit,
            true
        ));
        assert!(!clears_revocation(
            EntryKind::Decision,
            EntryDecision::Admit,
            false
        ));
        let sql = revocation_sql();
        assert!(sql.contains("('decision', 'revoked', true)"));
        assert!(sql.contains("('decision', 'admit', true)"));
        assert!(admitted_pending_check(
            EntryKind::Decision,
            EntryDecision::Admit,
            true,
            true
        ));
        assert!(!admitted_pending_check(
            EntryKind::Decision,
            EntryDecision::None,
            true,
            true
        ));
    }

    #[test]
    fn only_authentic_admits_move_presence() {
        for kind in EntryKind::ALL {
            for decision in EntryDecision::ALL {
                let moves = moves_presence(*kind, *decision, true);
                assert_eq!(
                    moves,
                    *decision == EntryDecision::Admit
                        && matches!(
                            kind,
                            EntryKind::Decision | EntryKind::Override | EntryKind::Confirm
                        ),
                    "{kind:?} {decision:?}"
                );
                assert!(!moves_presence(*kind, *decision, false));
            }
        }
        assert!(presence_sql().contains("('override', 'admit', true)"));
        assert!(!presence_sql().contains("false)"));
    }
}
