//! What a verdict looks like to the guard: its colour, headline and the
//! reason in plain words, from a journalled outcome.

use super::model::ScreenConfig;
use badgegate_core::clock::format_relative;
use badgegate_core::format::policy::PolicyBody;
use badgegate_core::text::printable_short;
use badgegate_core::vocab::{
    Direction, EntryDecision, EntryReason, GuardReason, KioskEvent, Reason,
};
use badgegate_gate::gate::engine::Outcome;

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
    let headline = match tone {
        Tone::Ask => "CHECK ID",
        Tone::Warn => "ADMIT — CHECK",
        Tone::Admit => "ADMIT",
        Tone::Deny => "DENY",
        Tone::OutOfService => "OUT OF SERVICE",
    }
    .to_owned();
    let category = b.map(|b| b.category.clone()).unwrap_or_default();
    let hint = if o.awaiting_confirmation {
        format!(
            "check the ID · Enter: admit · Esc: refuse · refused in {} s",
            cfg.confirm_timeout_ms / 1000
        )
    } else {
        "F2: admit by hand · F3: deny by hand · Esc: clear".to_owned()
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
            "NAME NOT VERIFIED".to_owned(),
            String::new(),
            format!(
                "badge claims “{}”{}: do not trust it",
                printable_short(&b.name, 40),
                if b.org.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", printable_short(&b.org, 30))
                }
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
    match body.reason {
        EntryReason::Guard(g) => guard_words(g, body.decision, body.note.as_deref()),
        EntryReason::Badge(r) => badge_words(r, o, cfg),
        EntryReason::Start => "the kiosk started".into(),
        EntryReason::Event(KioskEvent::ListAccepted) => {
            format!(
                "new revocation list taken up: {}",
                printable_short(&body.detail, 120)
            )
        }
        EntryReason::Event(KioskEvent::PolicyAccepted) => {
            format!(
                "new venue policy taken up: {}",
                printable_short(&body.detail, 120)
            )
        }
        EntryReason::Event(
            KioskEvent::ListRefused
            | KioskEvent::PolicyRefused
            | KioskEvent::HookFailed
            | KioskEvent::GuardSignInRefused,
        ) => printable_short(&body.detail, 160),
        EntryReason::Event(KioskEvent::HookOk) => "the door opened".into(),
        EntryReason::Event(KioskEvent::GuardSignedIn) => format!(
            "{} signed in",
            printable_short(body.guard.as_deref().unwrap_or("a guard"), 60)
        ),
        EntryReason::Event(KioskEvent::GuardSignedOut) => format!(
            "{} signed out",
            printable_short(body.guard.as_deref().unwrap_or("the guard"), 60)
        ),
    }
}

fn guard_words(reason: GuardReason, decision: EntryDecision, note: Option<&str>) -> String {
    let note = note
        .map(|n| format!(": “{}”", printable_short(n, 120)))
        .unwrap_or_default();
    match reason {
        GuardReason::Override if decision == EntryDecision::Admit => {
            format!("admitted by hand{note}")
        }
        GuardReason::Override => format!("refused by hand{note}"),
        GuardReason::Confirmed => "ID checked and confirmed by the guard".into(),
        GuardReason::Refused => "refused by the guard at the ID check".into(),
        GuardReason::NotConfirmed => "ID check not answered in time: not admitted".into(),
    }
}

fn badge_words(reason: Reason, o: &Outcome, cfg: &ScreenConfig) -> String {
    let d = &o.decision;
    let body = &o.entry.body;
    let now = body.at_ms / 1000;
    let when = |t: u64| format_relative(t, now, cfg.offset_at(now));
    // What the engine journalled, for the cases that need the badge's
    // fields when none could be read.
    let detail = || printable_short(&d.detail, 160);
    let b = d.badge.as_ref();
    match reason {
        Reason::Ok => match b {
            Some(b) if o.awaiting_confirmation && o.photo.code() == "missing" => format!(
                "valid badge; its photo is not on this kiosk: check an ID (valid until {})",
                when(b.valid_until)
            ),
            Some(b) if o.awaiting_confirmation => format!(
                "valid badge; this category needs an ID check (valid until {})",
                when(b.valid_until)
            ),
            _ if body.direction == Direction::Out => "exit recorded".into(),
            Some(b) => format!("valid until {}", when(b.valid_until)),
            None => detail(),
        },
        Reason::AlreadyInside if d.is_admit() => {
            "already inside: entered and has not exited — look, then let through".into()
        }
        Reason::AlreadyInside => "already inside: this badge entered and has not exited".into(),
        Reason::PassbackUnverified => {
            "office not answering: this zone admits only entries it can check venue-wide".into()
        }
        Reason::Expired => {
            b.map_or_else(detail, |b| format!("badge expired {}", when(b.valid_until)))
        }
        Reason::NotYetValid => b.map_or_else(detail, |b| {
            format!("badge not valid before {}", when(b.valid_from))
        }),
        // "revoked: reported lost (2026-11-27 10:48 UTC)": the why, not the when.
        Reason::Revoked => {
            let why = d.detail.split(" (").next().unwrap_or(&d.detail);
            printable_short(why, 160)
        }
        Reason::WrongZone => b.map_or_else(detail, |b| {
            format!(
                "not valid for {}; valid for {}",
                body.zone
                    .as_deref()
                    .map_or_else(|| "this zone".into(), |z| cfg.zone_words(z)),
                b.zones
                    .iter()
                    .map(|z| cfg.zone_words(z))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }),
        Reason::UnknownKey => "not signed by this venue's registration key".into(),
        Reason::RetiredKey => {
            "signed with a retired key: send the holder to the accreditation desk".into()
        }
        Reason::BadSignature => "forged or altered badge: the signature does not match".into(),
        Reason::Malformed => "damaged or altered badge: cannot be read".into(),
        Reason::UnsupportedVersion => "badge format too new for this kiosk".into(),
        Reason::NotABadge => "not a badge of this venue".into(),
        Reason::PhotoMismatch => {
            "the photo on file is not the one this badge was issued with: do not admit; call the supervisor".into()
        }
    }
}
