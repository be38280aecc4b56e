//! Who is inside, venue-wide, and what security must know about them: the
//! one definition of presence that the audit's muster list, the report and
//! the venue office share. The office keeps the same state in SQL
//! (`badgegate.presence_take`, fed each record as it commits); a test runs
//! generated records through both and compares them row for row.
//!
//! - A record the core's rule moves ([`rules::moves_presence`]) moves its
//!   badge into the gate's zone (`*` for a gate of no zone), or out of it
//!   (out of every zone at a gate of no zone).
//! - An entry admitted flagged leaves its holder inside with a check
//!   pending ([`rules::admitted_pending_check`]) until they leave.
//! - A gate refusing the genuine badge as revoked marks its serial revoked
//!   ([`rules::shows_revocation`]); a gate admitting it by its own decision
//!   clears the mark ([`rules::clears_revocation`]). Someone inside whose
//!   serial is marked is "revoked while inside": the person security must
//!   find. The first sighting while they are inside is an alarm.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::journal::NewEntry;
use crate::rules;
use crate::vocab::Direction;

/// The mark on someone inside whose badge a gate has refused as revoked,
/// wherever presence is shown.
pub const REVOKED_INSIDE: &str = "REVOKED WHILE INSIDE";

/// The mark on someone admitted flagged, wherever presence is shown.
pub const CHECK_PENDING: &str = "CHECK PENDING";

/// The marks a muster list shows for someone inside, in words (empty:
/// none): every list that shows presence says them the same way.
pub fn marks(revoked: bool, check_pending: bool) -> Vec<&'static str> {
    let mut marks = Vec::new();
    if revoked {
        marks.push(REVOKED_INSIDE);
    }
    if check_pending {
        marks.push(CHECK_PENDING);
    }
    marks
}

/// The zone of a gate that names none.
pub const ANY_ZONE: &str = "*";

/// A badge's presence in one zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stay {
    pub serial: String,
    /// The zone, or [`ANY_ZONE`].
    pub zone: String,
    pub inside: bool,
    /// The record that put the badge here (or took it out).
    pub kiosk_id: String,
    pub seq: u64,
    pub gate: String,
    /// When, by that kiosk's clock (Unix ms).
    pub at_ms: u64,
    /// What the admitting badge says (its signature verified: presence
    /// moves only for authentic badges).
    pub holder: Option<String>,
    pub org: Option<String>,
    pub category: Option<String>,
    /// Admitted flagged: a check is still owed.
    pub check_pending: bool,
}

/// Where and when a gate refused a badge as revoked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sighting {
    pub kiosk_id: String,
    pub seq: u64,
    pub gate: String,
    pub at_ms: u64,
    /// Its one alarm was raised.
    #[serde(skip)]
    pub alarmed: bool,
}

/// Someone inside whose badge a gate has just refused as revoked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RevokedInside {
    pub serial: String,
    /// Every zone the holder is inside.
    pub stays: Vec<Stay>,
    pub seen: Sighting,
}

/// A person inside, with what the muster list must say about them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Present<'a> {
    pub stay: &'a Stay,
    /// Their badge is revoked: a gate refused it after (or before) they
    /// came in.
    pub revoked: Option<&'a Sighting>,
}

/// Presence, venue-wide: fed records in the order they are taken (the
/// office's commit order; for merged journals, time order).
#[derive(Clone, Debug, Default)]
pub struct Muster {
    stays: BTreeMap<(String, String), Stay>,
    revoked: BTreeMap<String, Sighting>,
    clock_offsets: BTreeMap<String, i64>,
}

impl Muster {
    pub fn new() -> Muster {
        Muster::default()
    }

    /// How far `kiosk_id`'s clock runs behind the office's, as the office
    /// measured it (0 when unknown): entries are compared with the last
    /// movement on the office's clock.
    pub fn set_clock_offset(&mut self, kiosk_id: &str, offset_ms: i64) {
        self.clock_offsets.insert(kiosk_id.to_owned(), offset_ms);
    }

    /// `at_ms` of a record of `kiosk_id` on the office's clock.
    fn office_time(&self, kiosk_id: &str, at_ms: u64) -> i64 {
        (at_ms as i64).saturating_add(self.clock_offsets.get(kiosk_id).copied().unwrap_or(0))
    }

    /// Takes one record into account. Returns the alarm it raises, if any:
    /// someone inside whose badge is marked revoked, raised once a
    /// sighting, whichever of the refusal and the entry is taken first
    /// (records may arrive out of their time order: an admit clears only a
    /// refusal made before it).
    pub fn take(&mut self, kiosk_id: &str, seq: u64, r: &NewEntry) -> Option<RevokedInside> {
        let serial = r.serial.as_deref()?;
        if rules::shows_revocation(r.kind, r.reason, r.authentic) {
            self.revoked
                .entry(serial.to_owned())
                .or_insert_with(|| Sighting {
                    kiosk_id: kiosk_id.to_owned(),
                    seq,
                    gate: r.gate.clone(),
                    at_ms: r.at_ms,
                    alarmed: false,
                });
        } else if rules::clears_revocation(r.kind, r.decision, r.authentic)
            && self.revoked.get(serial).is_some_and(|v| v.at_ms < r.at_ms)
        {
            self.revoked.remove(serial);
        }
        if rules::moves_presence(r.kind, r.decision, r.authentic) {
            self.move_presence(kiosk_id, seq, serial, r);
        }
        let stays: Vec<Stay> = self
            .stays_of(serial)
            .filter(|s| s.inside)
            .cloned()
            .collect();
        let seen = self.revoked.get_mut(serial).filter(|v| !v.alarmed)?;
        if stays.is_empty() {
            return None;
        }
        seen.alarmed = true;
        Some(RevokedInside {
            serial: serial.to_owned(),
            stays,
            seen: seen.clone(),
        })
    }

    fn move_presence(&mut self, kiosk_id: &str, seq: u64, serial: &str, r: &NewEntry) {
        let zone = r.zone.clone().unwrap_or_else(|| ANY_ZONE.to_owned());
        // The stay this record makes where none is kept yet.
        let stay = |zone: String, inside: bool| Stay {
            serial: serial.to_owned(),
            zone,
            inside,
            kiosk_id: kiosk_id.to_owned(),
            seq,
            gate: r.gate.clone(),
            at_ms: r.at_ms,
            holder: r.holder.clone(),
            org: r.org.clone(),
            category: r.category.clone(),
            check_pending: inside
                && rules::admitted_pending_check(r.kind, r.decision, r.authentic, r.flagged),
        };
        if r.direction == Direction::In {
            // An entry that reaches the office after a later movement of
            // the same badge in the same zone (a gate that was offline
            // pushing its backlog) is history: the later movement stands.
            let key = (serial.to_owned(), zone.clone());
            if let Some(last) = self.stays.get(&key) {
                if self.office_time(&last.kiosk_id, last.at_ms)
                    > self.office_time(kiosk_id, r.at_ms)
                {
                    return;
                }
            }
            self.stays.insert(key, stay(zone, true));
            return;
        }
        // An exit: from its zone, or from every zone at a gate of none.
        let mut found = false;
        for ((s, z), stay) in self.stays.range_mut((serial.to_owned(), String::new())..) {
            if s != serial {
                break;
            }
            if *z == zone || zone == ANY_ZONE {
                found = true;
                stay.inside = false;
                stay.kiosk_id = kiosk_id.to_owned();
                stay.seq = seq;
                stay.gate = r.gate.clone();
                stay.at_ms = r.at_ms;
                stay.check_pending = false;
            }
        }
        if !found && zone != ANY_ZONE {
            self.stays
                .insert((serial.to_owned(), zone.clone()), stay(zone, false));
        }
    }

    fn stays_of<'a>(&'a self, serial: &'a str) -> impl Iterator<Item = &'a Stay> + 'a {
        self.stays
            .range((serial.to_owned(), String::new())..)
            .take_while(move |((s, _), _)| s == serial)
            .map(|(_, stay)| stay)
    }

    /// Every badge's presence in every zone it was seen in, inside or not
    /// (by serial, then zone).
    pub fn stays(&self) -> impl Iterator<Item = &Stay> {
        self.stays.values()
    }

    /// The serials marked revoked, with the gate that refused each first.
    pub fn revoked(&self) -> &BTreeMap<String, Sighting> {
        &self.revoked
    }

    /// Everyone inside, with their marks (by serial, then zone).
    pub fn inside(&self) -> impl Iterator<Item = Present<'_>> {
        self.stays
            .values()
            .filter(|s| s.inside)
            .map(|stay| Present {
                stay,
                revoked: self.revoked.get(&stay.serial),
            })
    }

    /// True when `serial` is inside some zone.
    pub fn is_inside(&self, serial: &str) -> bool {
        self.stays_of(serial).any(|s| s.inside)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::{EntryDecision, EntryKind, Reason};

    fn rec(
        kind: EntryKind,
        decision: EntryDecision,
        reason: Reason,
        dir: Direction,
        zone: Option<&str>,
    ) -> NewEntry {
        NewEntry {
            at_ms: 1000,
            kind,
            gate: "north".into(),
            zone: zone.map(Into::into),
            direction: dir,
            serial: Some("HD-0001".into()),
            holder: Some("Amina Diallo".into()),
            decision,
            reason: reason.into(),
            authentic: true,
            ..NewEntry::default()
        }
    }

    #[test]
    fn a_revocation_seen_while_inside_is_marked_and_raised_once() {
        use EntryDecision::{Admit, Deny};
        use EntryKind::Decision;
        let mut m = Muster::new();
        let admit = rec(Decision, Admit, Reason::Ok, Direction::In, Some("plenary"));
        assert_eq!(m.take("k1", 1, &admit), None);
        let revoked = rec(
            Decision,
            Deny,
            Reason::Revoked,
            Direction::In,
            Some("plenary"),
        );
        let alarm = m.take("k2", 1, &revoked).expect("an alarm");
        assert_eq!(alarm.stays.len(), 1);
        assert_eq!(alarm.seen.gate, "north");
        assert_eq!(m.take("k2", 2, &revoked), None, "raised once");
        let inside: Vec<_> = m.inside().collect();
        assert_eq!(inside.len(), 1);
        assert!(inside[0].revoked.is_some());
        // Leaving (let out by hand) takes them off the list; the mark
        // stays with the serial until a gate's own decision admits it.
        let exit = rec(
            EntryKind::Override,
            Admit,
            Reason::Ok,
            Direction::Out,
            Some("plenary"),
        );
        m.take("k1", 2, &exit);
        assert_eq!(m.inside().count(), 0);
        assert!(m.revoked().contains_key("HD-0001"));
        let mut reinstated = rec(Decision, Admit, Reason::Ok, Direction::In, Some("plenary"));
        reinstated.at_ms = 2000;
        m.take("k1", 3, &reinstated);
        assert!(m.revoked().is_empty());
    }

    #[test]
    fn a_refusal_that_arrives_before_the_earlier_entry_still_marks_and_raises() {
        use EntryDecision::{Admit, Deny};
        use EntryKind::Decision;
        let mut m = Muster::new();
        let mut revoked = rec(
            Decision,
            Deny,
            Reason::Revoked,
            Direction::In,
            Some("plenary"),
        );
        revoked.at_ms = 5000;
        assert_eq!(m.take("east", 1, &revoked), None, "nobody inside yet");
        let admit = rec(Decision, Admit, Reason::Ok, Direction::In, Some("plenary"));
        let alarm = m
            .take("north", 1, &admit)
            .expect("raised on the late entry");
        assert_eq!(alarm.seen.kiosk_id, "east");
        assert!(m.inside().next().unwrap().revoked.is_some());
        // A later admit by a gate's own decision clears it (reinstated).
        let mut later = admit.clone();
        later.at_ms = 9000;
        m.take("north", 2, &later);
        assert!(m.revoked().is_empty());
    }

    #[test]
    fn a_flagged_admit_is_inside_with_a_check_pending_until_they_leave() {
        let mut m = Muster::new();
        let mut admit = rec(
            EntryKind::Decision,
            EntryDecision::Admit,
            Reason::Ok,
            Direction::In,
            None,
        );
        admit.flagged = true;
        m.take("k1", 1, &admit);
        assert!(m.inside().next().unwrap().stay.check_pending);
        let mut forged = admit.clone();
        forged.authentic = false;
        forged.serial = Some("HD-0002".into());
        m.take("k1", 2, &forged);
        assert!(!m.is_inside("HD-0002"), "a forgery puts no one inside");
    }

    #[test]
    fn an_entry_that_arrives_after_a_later_exit_does_not_put_them_back_inside() {
        use EntryDecision::Admit;
        use EntryKind::Decision;
        let mut m = Muster::new();
        let mut exit = rec(Decision, Admit, Reason::Ok, Direction::Out, Some("plenary"));
        exit.at_ms = 5000;
        m.take("south", 1, &exit);
        // The entry north made before that exit, pushed late.
        let mut entry = rec(Decision, Admit, Reason::Ok, Direction::In, Some("plenary"));
        entry.at_ms = 4000;
        m.take("north", 1, &entry);
        assert!(!m.is_inside("HD-0001"), "the later exit stands");
        // On the office's clock: north's clock ran 2 s slow, so its entry
        // was in fact after the exit.
        let mut m = Muster::new();
        m.set_clock_offset("north", 2000);
        m.take("south", 1, &exit);
        m.take("north", 1, &entry);
        assert!(m.is_inside("HD-0001"));
        // A new entry after the exit puts them inside again.
        let mut m = Muster::new();
        m.take("south", 1, &exit);
        entry.at_ms = 6000;
        m.take("north", 1, &entry);
        assert!(m.is_inside("HD-0001"));
    }
}
