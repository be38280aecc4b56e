//! What a verdict looks like to the guard: its colour, headline and the
//! reason in plain words, from a journalled outcome.

use super::lang::{fill, Lang, Words};
use super::model::ScreenConfig;
use badgegate_core::clock::format_relative;
use badgegate_core::format::policy::PolicyBody;
use badgegate_core::text::printable_short;
use badgegate_core::vocab::{
    Direction, EntryDecision, EntryReason, GuardReason, KioskEvent, Reason,
};
use badgegate_gate::gate::decide::Decision;
use badgegate_gate::gate::engine::{GuardError, Outcome, SignInRefusal};

/// The colour of the verdict field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Green.
    Admit,
    /// Amber: admitted, but look (soft anti-passback).
    Warn,
    /// Red.
    Deny,
    /// Blue: the guard must act (confirm the ID check).
    Ask,
    /// Dark red with stripes: nobody is admitted.
    OutOfService,
}

impl Tone {
    /// The field's colour (sRGB).
    pub fn rgb(self) -> [u8; 3] {
        match self {
            Tone::Admit => [0, 138, 62],
            Tone::Warn => [232, 160, 0],
            Tone::Deny => [200, 16, 32],
            Tone::Ask => [20, 90, 200],
            Tone::OutOfService => [90, 0, 0],
        }
    }

    /// Text colour that reads on the field.
    pub fn ink(self) -> [u8; 3] {
        match self {
            Tone::Warn => [20, 20, 20],
            _ => [255, 255, 255],
        }
    }
}

/// One verdict as the guard sees it: already escaped for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Card {
    pub tone: Tone,
    /// `ADMIT`, `ADMIT — CHECK`, `DENY`, `CHECK ID`.
    pub headline: String,
    /// The reason in plain words.
    pub reason: String,
    /// The holder's name, or `NAME NOT VERIFIED` when the signature did not
    /// check out: a forged name is never shown as fact.
    pub name: String,
    pub org: String,
    /// For an unverified badge, what it claims, in small type and marked:
    /// `badge claims “Eve Stranger” (Acme): do not trust it`.
    pub claimed: String,
    pub category: String,
    pub category_colour: [u8; 3],
    pub serial: String,
    /// `badge HD-0001`, in the screen's language (empty without a serial).
    pub serial_line: String,
    /// False when the signature did not check out: what the badge says is
    /// not to be believed.
    pub verified: bool,
    /// What the guard may do now.
    pub hint: String,
    pub seq: u64,
}

/// The colour of a journalled outcome: what the card shows and which cue
/// sounds.
pub fn tone_for(o: &Outcome) -> Tone {
    let admit = o.entry.body.decision == EntryDecision::Admit;
    if o.awaiting_confirmation {
        Tone::Ask
    } else if admit && o.entry.body.flagged {
        Tone::Warn
    } else if admit {
        Tone::Admit
    } else {
        Tone::Deny
    }
}

/// The verdict card for a journalled outcome.
pub fn card_for(o: &Outcome, cfg: &ScreenConfig) -> Card {
    let d = &o.decision;
    let b = d.badge.as_ref();
    let tone = tone_for(o);
    let w = cfg.lang.words();
    let headline = match tone {
        Tone::Ask => w.check_id,
        Tone::Warn => w.admit_check,
        Tone::Admit => w.admit,
        Tone::Deny => w.deny,
        Tone::OutOfService => w.out_of_service,
    }
    .to_owned();
    let category = b.map(|b| b.category.clone()).unwrap_or_default();
    let hint = if o.awaiting_confirmation {
        fill(
            w.hint_confirm,
            &[("secs", &(cfg.confirm_timeout_ms / 1000).to_string())],
        )
    } else {
        w.hint_verdict.to_owned()
    };
    let verified = d.authentic;
    let (name, org, claimed, category) = match b {
        Some(b) if verified => (
            printable_short(&b.name, 60),
            printable_short(&b.org, 60),
            String::new(),
            category,
        ),
        Some(b) => (
            w.name_not_verified.to_owned(),
            String::new(),
            fill(
                w.claims,
                &[
                    ("name", &printable_short(&b.name, 40)),
                    (
                        "org",
                        &if b.org.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", printable_short(&b.org, 30))
                        },
                    ),
                ],
            ),
            String::new(),
        ),
        None => Default::default(),
    };
    Card {
        tone,
        headline,
        reason: plain_reason(o, cfg),
        name,
        org,
        claimed,
        category_colour: if category.is_empty() {
            [90, 90, 90]
        } else {
            PolicyBody::category_look(cfg.policy.as_ref(), &category).1
        },
        category: if category.is_empty() {
            String::new()
        } else {
            printable_short(
                &PolicyBody::category_look(cfg.policy.as_ref(), &category)
                    .0
                    .to_uppercase(),
                40,
            )
        },
        serial: b
            .map(|b| printable_short(&b.serial, 40))
            .unwrap_or_default(),
        serial_line: b
            .map(|b| fill(w.badge, &[("serial", &printable_short(&b.serial, 40))]))
            .unwrap_or_default(),
        verified,
        hint,
        seq: o.entry.seq,
    }
}

/// The reason in the words a guard would use: "badge expired yesterday
/// 20:00", "not valid for zone press", "revoked: reported lost". Every
/// reason has its words here: a new one does not compile until it does.
pub fn plain_reason(o: &Outcome, cfg: &ScreenConfig) -> String {
    let body = &o.entry.body;
    let w = cfg.lang.words();
    let detail = |n: usize| printable_short(&body.detail, n);
    let guard = || printable_short(body.guard.as_deref().unwrap_or("—"), 60);
    match body.reason {
        EntryReason::Guard(g) => guard_words(w, g, body.decision, body.note.as_deref()),
        EntryReason::Badge(r) => badge_words(r, o, cfg),
        EntryReason::Start => w.kiosk_started.into(),
        EntryReason::Event(KioskEvent::ListAccepted) => {
            fill(w.list_taken_up, &[("detail", &detail(120))])
        }
        EntryReason::Event(KioskEvent::PolicyAccepted) => {
            fill(w.policy_taken_up, &[("detail", &detail(120))])
        }
        EntryReason::Event(KioskEvent::ListRefused) => {
            fill(w.list_refused_event, &[("detail", &detail(140))])
        }
        EntryReason::Event(KioskEvent::PolicyRefused) => {
            fill(w.policy_refused_event, &[("detail", &detail(140))])
        }
        EntryReason::Event(KioskEvent::KeysAccepted) => {
            fill(w.keys_taken_up, &[("detail", &detail(120))])
        }
        EntryReason::Event(KioskEvent::KeysRefused) => {
            fill(w.keys_refused_event, &[("detail", &detail(140))])
        }
        EntryReason::Event(KioskEvent::GuardSignInRefused) => {
            let why = body
                .detail
                .strip_prefix("sign-in refused: ")
                .unwrap_or(&body.detail);
            fill(w.sign_in_refused, &[("why", &printable_short(why, 140))])
        }
        EntryReason::Event(KioskEvent::HookFailed | KioskEvent::ClockStep) => detail(160),
        EntryReason::Event(KioskEvent::HookOk) => w.door_opened.into(),
        EntryReason::Event(KioskEvent::GuardSignedIn) => fill(w.signed_in, &[("guard", &guard())]),
        EntryReason::Event(KioskEvent::GuardSignedOut) => {
            fill(w.signed_out, &[("guard", &guard())])
        }
    }
}

fn guard_words(
    w: &Words,
    reason: GuardReason,
    decision: EntryDecision,
    note: Option<&str>,
) -> String {
    let note = note
        .map(|n| format!(": “{}”", printable_short(n, 120)))
        .unwrap_or_default();
    match reason {
        GuardReason::Override if decision == EntryDecision::Admit => {
            fill(w.admitted_by_hand, &[("note", &note)])
        }
        GuardReason::Override => fill(w.refused_by_hand, &[("note", &note)]),
        GuardReason::Confirmed => w.id_confirmed.into(),
        GuardReason::Refused => w.id_refused.into(),
        GuardReason::NotConfirmed => w.id_not_answered.into(),
    }
}

/// A moment as the guard says it, in the screen's language: `today
/// 21:00`, `tomorrow 09:00`, else the date (`Sat 5 Dec 21:00` in English,
/// `05.12 21:00` otherwise).
fn when_words(t: u64, now: u64, offset: i32, lang: Lang) -> String {
    let english = format_relative(t, now, offset);
    if lang == Lang::En {
        return english;
    }
    let w = lang.words();
    for (en, said) in [
        ("today ", w.today),
        ("yesterday ", w.yesterday),
        ("tomorrow ", w.tomorrow),
    ] {
        if let Some(hm) = english.strip_prefix(en) {
            return format!("{said} {hm}");
        }
    }
    let local = t.saturating_add_signed(i64::from(offset));
    let day = badgegate_core::clock::format_utc(local);
    // YYYY-MM-DDTHH:MM:SSZ → DD.MM.YYYY HH:MM
    format!(
        "{}.{}.{} {}",
        &day[8..10],
        &day[5..7],
        &day[0..4],
        &day[11..16]
    )
}

fn badge_words(reason: Reason, o: &Outcome, cfg: &ScreenConfig) -> String {
    let d = &o.decision;
    let body = &o.entry.body;
    let now = body.at_ms / 1000;
    let w = cfg.lang.words();
    let when = |t: u64| when_words(t, now, cfg.offset_at(now), cfg.lang);
    // What the engine journalled, for the cases that need the badge's
    // fields when none could be read.
    let detail = || printable_short(&d.detail, 160);
    let b = d.badge.as_ref();
    let one = |template: &str, t: u64| fill(template, &[("when", &when(t))]);
    match reason {
        Reason::Ok => match b {
            Some(b) if o.awaiting_confirmation && o.photo.code() == "missing" => {
                one(w.check_photo_missing, b.valid_until)
            }
            Some(b) if o.awaiting_confirmation => one(w.check_category, b.valid_until),
            _ if body.direction == Direction::Out => w.exit_recorded.into(),
            Some(b) => one(w.valid_until, b.valid_until),
            None => detail(),
        },
        Reason::AlreadyInside if d.is_admit() => w.inside_look.into(),
        Reason::AlreadyInside => w.inside_deny.into(),
        Reason::WrongZone => b.map_or_else(detail, |b| {
            fill(
                w.wrong_zone,
                &[
                    (
                        "zone",
                        &body
                            .zone
                            .as_deref()
                            .map_or_else(|| w.this_zone.into(), |z| cfg.zone_words(z)),
                    ),
                    (
                        "zones",
                        &b.zones
                            .iter()
                            .map(|z| cfg.zone_words(z))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                ],
            )
        }),
        _ => decision_words(d, now, cfg),
    }
}

/// The words of a refusal that needs nothing of the gate: the badge's own
/// times, its revocation, its signature, what was read.
fn decision_words(d: &Decision, now: u64, cfg: &ScreenConfig) -> String {
    let w = cfg.lang.words();
    let when = |t: u64| when_words(t, now, cfg.offset_at(now), cfg.lang);
    let detail = || printable_short(&d.detail, 160);
    let b = d.badge.as_ref();
    let one = |template: &str, t: u64| fill(template, &[("when", &when(t))]);
    match d.reason {
        Reason::PassbackUnverified => w.passback_unverified.into(),
        Reason::Expired => b.map_or_else(detail, |b| one(w.expired, b.valid_until)),
        Reason::NotYetValid => b.map_or_else(detail, |b| one(w.not_yet_valid, b.valid_from)),
        // "revoked: reported lost (2026-11-27 10:48 UTC)": the why, not the when.
        Reason::Revoked => match d.detail.strip_prefix("revoked: ") {
            Some(rest) => {
                let why = rest.split(" (").next().unwrap_or(rest);
                fill(w.revoked_why, &[("why", &printable_short(why, 150))])
            }
            None => w.revoked.into(),
        },
        Reason::UnknownKey => w.unknown_key.into(),
        Reason::RetiredKey => w.retired_key.into(),
        Reason::KeyWithdrawn => w.key_withdrawn.into(),
        Reason::KeyNotValid => w.key_not_valid.into(),
        // "signed by key 1a2b3c4d, which may not grant venue stadium"
        Reason::KeyOutOfScope => match d.detail.split_once("may not grant ") {
            Some((_, what)) => fill(w.key_out_of_scope, &[("what", &printable_short(what, 80))]),
            None => detail(),
        },
        Reason::BadSignature => w.bad_signature.into(),
        Reason::Malformed => w.malformed.into(),
        Reason::UnsupportedVersion => w.unsupported_version.into(),
        Reason::NotABadge => w.not_a_badge.into(),
        Reason::PhotoMismatch => w.photo_mismatch.into(),
        Reason::Ok | Reason::AlreadyInside | Reason::WrongZone => detail(),
    }
}

/// A refused sign-in in the guard's words.
pub fn sign_in_refusal_words(r: &SignInRefusal, now_ms: u64, cfg: &ScreenConfig) -> String {
    let w = cfg.lang.words();
    let why = match r {
        SignInRefusal::Badge(d) => decision_words(d, now_ms / 1000, cfg),
        SignInRefusal::NotStaff { name, category } => fill(
            w.not_staff,
            &[
                ("name", &printable_short(name, 40)),
                ("category", &printable_short(category, 40)),
            ],
        ),
        SignInRefusal::NoBadge => w.no_badge_read.into(),
    };
    fill(w.sign_in_refused, &[("why", &why)])
}

/// A guard's action that could not be done, in the guard's words.
pub fn guard_error_words(e: &GuardError, cfg: &ScreenConfig) -> String {
    let w = cfg.lang.words();
    match e {
        GuardError::NoteNeeded => w.note_needed.into(),
        GuardError::NothingToConfirm => w.nothing_to_confirm.into(),
        GuardError::AlreadySettled(seq) => fill(w.check_settled, &[("seq", &seq.to_string())]),
        GuardError::NobodySignedIn => w.sign_in_first.into(),
        GuardError::Journal(e) => fill(
            w.journal_fails,
            &[("detail", &printable_short(&e.to_string(), 160))],
        ),
    }
}
