//! Guards on shift: a guard signs in at a kiosk with their own staff badge
//! (a category the venue policy marks as staff, or one `--staff` names),
//! and every record the kiosk writes until they sign out names them.

use super::{Kiosk, KioskEvent};
use crate::gate::decide::{decide_bytes, Checks, Decision, GatePolicy};
use badgegate_core::journal::{Entry, JournalError, NewEntry};
use badgegate_core::text::printable_short;
use badgegate_core::vocab::{Direction, EntryDecision, EntryKind};

/// How a sign-in or sign-out went, as journalled.
#[derive(Clone, Debug)]
pub struct ShiftOutcome {
    pub entry: Entry,
    /// The guard now signed in (`None`: nobody).
    pub guard: Option<String>,
    /// A sign-in that was refused, and why.
    pub refused: Option<SignInRefusal>,
}

/// Why a guard's sign-in was refused: the screen says it in the guard's
/// language; the record keeps the English words ([`std::fmt::Display`]).
#[derive(Clone, Debug)]
pub enum SignInRefusal {
    /// The badge itself was refused, as a gate of any zone would.
    Badge(Box<Decision>),
    /// A genuine, valid badge of a category that is not staff.
    NotStaff { name: String, category: String },
    /// Nothing readable as a badge.
    NoBadge,
}

impl std::fmt::Display for SignInRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignInRefusal::Badge(d) => write!(f, "sign-in refused: {}", d.detail),
            SignInRefusal::NotStaff { name, category } => write!(
                f,
                "sign-in refused: {} is a {category} badge, not a staff badge",
                printable_short(name, 40)
            ),
            SignInRefusal::NoBadge => f.write_str("sign-in refused: no badge read"),
        }
    }
}

impl Kiosk {
    /// The guard signed in, as records name them.
    pub fn guard(&self) -> Option<&str> {
        self.guard.as_deref()
    }

    /// True for a category whose badges sign guards in.
    fn is_staff(&self, category: &str) -> bool {
        match self.policy.as_ref() {
            Some(p) => p.body.category(category).is_some_and(|c| c.staff),
            None => self
                .cfg
                .staff_categories
                .iter()
                .any(|c| c.eq_ignore_ascii_case(category)),
        }
    }

    /// Signs a guard in with the badge code just scanned: it must be a
    /// genuine, valid, unrevoked staff badge (any zone). The sign-in, or
    /// its refusal, is a `shift` record; the code counts as seen, so the
    /// badge still in front of the camera is not then decided as an entry.
    pub fn sign_in_with_badge(
        &mut self,
        code: &[u8],
        input: &str,
        now_ms: u64,
    ) -> Result<ShiftOutcome, JournalError> {
        self.debounce.fresh(code, now_ms);
        let gate = GatePolicy {
            zone: None,
            skew_secs: self.cfg.skew_secs,
            direction: Direction::In,
            time: self.venue_time(),
            venue: self.cfg.venue.clone(),
        };
        let checks = Checks {
            trust: &self.trust,
            revocations: Some(&self.revocations),
            gate: &gate,
            now: now_ms / 1000,
        };
        let d = decide_bytes(code, &checks);
        let refused = match &d.badge {
            _ if !d.is_admit() => Some(SignInRefusal::Badge(Box::new(d.clone()))),
            Some(b) if !self.is_staff(&b.category) => Some(SignInRefusal::NotStaff {
                name: b.name.clone(),
                category: b.category.clone(),
            }),
            Some(_) => None,
            None => Some(SignInRefusal::NoBadge),
        };
        let b = d.badge.as_ref();
        let signed_in = match (&refused, b) {
            (None, Some(b)) => Some(format!("{} ({})", b.name, b.serial)),
            _ => None,
        };
        let record = NewEntry {
            at_ms: now_ms,
            kind: EntryKind::Shift,
            gate: self.cfg.gate.clone(),
            zone: self.cfg.zone.clone(),
            direction: self.cfg.direction,
            serial: b.map(|b| b.serial.clone()),
            holder: b.map(|b| b.name.clone()),
            org: b.map(|b| b.org.clone()),
            category: b.map(|b| b.category.clone()),
            key_id: b.map(|b| b.key_id.to_string()),
            decision: EntryDecision::None,
            reason: if signed_in.is_some() {
                KioskEvent::GuardSignedIn.into()
            } else {
                KioskEvent::GuardSignInRefused.into()
            },
            authentic: d.authentic,
            detail: refused.as_ref().map_or_else(
                || "signed in with a staff badge".into(),
                ToString::to_string,
            ),
            input: input.to_owned(),
            // A refused attempt leaves whoever was signed in (if anyone).
            guard: signed_in.clone().or_else(|| self.guard.clone()),
            ..NewEntry::default()
        };
        let entry = self.commit(&record)?;
        if signed_in.is_some() {
            self.guard = signed_in;
        }
        Ok(ShiftOutcome {
            entry,
            guard: self.guard.clone(),
            refused,
        })
    }

    /// Signs the guard out (`why`: "signed out", "the kiosk stopped").
    /// `None` when nobody was signed in.
    pub fn sign_out(
        &mut self,
        why: &str,
        now_ms: u64,
    ) -> Result<Option<ShiftOutcome>, JournalError> {
        let Some(guard) = self.guard.clone() else {
            return Ok(None);
        };
        let record = NewEntry {
            at_ms: now_ms,
            kind: EntryKind::Shift,
            gate: self.cfg.gate.clone(),
            zone: self.cfg.zone.clone(),
            direction: self.cfg.direction,
            decision: EntryDecision::None,
            reason: KioskEvent::GuardSignedOut.into(),
            detail: why.to_owned(),
            input: "guard".into(),
            guard: Some(guard),
            ..NewEntry::default()
        };
        let entry = self.commit(&record)?;
        self.guard = None;
        Ok(Some(ShiftOutcome {
            entry,
            guard: None,
            refused: None,
        }))
    }
}
