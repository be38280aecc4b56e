//! The oracle at each showing of a card: what the rules allow given the
//! truth at that moment, the gate's answer judged against it, and the
//! truth moved by what the door did.

use std::time::{Duration, Instant};

use super::{clock_text, Day, Happened, Scan, Stop, Truth, Venue, RESERVATION_BOUND};
use crate::guard::Hand;
use crate::RehearseError;

/// A card shown at a gate.
pub(super) struct Shown<'a> {
    pub serial: &'a str,
    pub text: &'a str,
    /// Who really holds it.
    pub who: &'a str,
    /// `enter`, `exit`, `probe`, `forged`, `tailgate`, `lost_badge`.
    pub why: &'a str,
    pub category: &'a str,
    /// Signed by a stranger's key.
    pub forged: bool,
    /// What the guard of a staffed gate does with it.
    pub hand: Hand,
}

/// What the rules allow for one showing, and why.
struct Expected {
    /// Each `(decision, reason)` the rules allow here.
    allowed: Vec<(&'static str, &'static str)>,
    /// What the gate would say knowing everything the venue knows.
    primary: Option<(&'static str, &'static str)>,
    /// The documented limit that allows an answer other than `primary`.
    limit: Option<String>,
    rule: String,
    /// Whether an admit must be flagged for an ID check (`None`: either,
    /// a new policy still travelling).
    flag_expected: Option<bool>,
}

/// Shows a card at gate `g`; checks the decision against the rules given
/// the truth, and moves the truth by what the door did. True when the
/// door opened; `None` when the gate went out of service instead.
pub(super) fn scan(
    venue: &mut Venue,
    truth: &mut Truth,
    day: &mut Day,
    g: usize,
    at: f64,
    shown: Shown<'_>,
) -> Result<Option<bool>, RehearseError> {
    let expected = rules_allow(venue, truth, day, g, &shown);
    let Some((d, latency)) = venue.gates[g].scan(shown.text, shown.hand)? else {
        out_of_service(venue, truth, day, g, at, &shown);
        return Ok(None);
    };
    Ok(Some(judge(
        truth,
        day,
        &venue.specs[g],
        (g, at),
        &shown,
        expected,
        (&d, latency),
    )))
}

/// What the rules allow for `shown` at gate `g`, in the order the gate
/// checks them.
fn rules_allow(venue: &Venue, truth: &Truth, day: &Day, g: usize, shown: &Shown<'_>) -> Expected {
    let scenario = &day.scenario;
    let with_office = day.office_on;
    let &Shown {
        serial,
        category,
        forged,
        hand,
        ..
    } = shown;
    let spec = &venue.specs[g];
    let bound = scenario.propagation_bound_s;
    let apb = scenario.anti_passback.clone();
    let entry = spec.direction == "in";
    let key = (serial.to_owned(), spec.zone.clone());
    // What the rules say, in the order the gate checks them.
    let mut allowed: Vec<(&str, &str)> = Vec::new();
    let mut limit = None;
    let mut primary: Option<(&str, &str)> = None;
    let mut rule;
    let bound_d = Duration::from_secs_f64(bound.max(0.0));
    let flag_expected = if entry {
        truth.id_check_expected(category, bound_d)
    } else {
        Some(false)
    };
    let office_answers = with_office && !truth.unreachable_from(g);
    if forged {
        allowed.push(("deny", "unknown_key"));
        rule = "a badge not signed by the venue's key is refused".to_owned();
    } else {
        let revoked = truth
            .revoked
            .get(serial)
            .map(|(t, _)| t.elapsed().as_secs_f64());
        let normal: Vec<(&str, &str)> = if entry {
            // What the gate can know of the badge being inside: the
            // venue's record when the office answers, its own journal
            // alone when it does not (or while the office comes back).
            let venue_view = truth.inside.contains(&key);
            let local_view = truth.local.contains(&(g, serial.to_owned()));
            let views: Vec<bool> = if !with_office {
                vec![local_view]
            } else if office_answers
                && truth
                    .moved
                    .get(serial)
                    .is_some_and(|(t, at)| *at != g && truth.record_may_lag(*t, *at))
            {
                // A movement at another gate whose record may not be at
                // the office yet (a moment ago, or caught by an outage).
                limit = Some(
                    "the badge's last movement was at another gate whose record may not have reached the office yet (a moment ago, or held there through an office outage)"
                        .to_owned(),
                );
                vec![true, false]
            } else if office_answers
                && !venue_view
                && truth
                    .reserved
                    .get(serial)
                    .is_some_and(|t| t.elapsed() < RESERVATION_BOUND)
            {
                limit = Some(
                    "a gate went out of service between its claim for this badge and the record: the office holds the badge for that gate until the reservation expires (30 s)"
                        .to_owned(),
                );
                vec![false, true]
            } else if office_answers || venue_view == local_view {
                vec![venue_view]
            } else {
                limit = Some(
                    "office unreachable: the gate decides on its own journal, which does not see other gates (zone offline policy: soft)"
                        .to_owned(),
                );
                vec![venue_view, local_view]
            };
            // What the gate would say knowing everything the venue knows.
            let known = if with_office { venue_view } else { local_view };
            primary = Some(match (known, apb.as_str()) {
                (true, "hard") => ("deny", "already_inside"),
                (true, _) => ("admit", "already_inside"),
                (false, _) => ("admit", "ok"),
            });
            let mut outcomes = Vec::new();
            for inside in views {
                outcomes.push(match (inside, apb.as_str()) {
                    (true, "hard") => ("deny", "already_inside"),
                    (true, _) => ("admit", "already_inside"),
                    (false, _) => ("admit", "ok"),
                });
            }
            outcomes
        } else {
            vec![("admit", "ok")]
        };
        // A photo on file that is not the badge's: refused at an entrance
        // (checked after the revocation, before presence).
        let swapped_here = entry && truth.swapped.contains(&(g, serial.to_owned()));
        let normal = if swapped_here {
            primary = Some(("deny", "photo_mismatch"));
            limit = None;
            vec![("deny", "photo_mismatch")]
        } else {
            normal
        };
        match revoked {
            Some(secs) if secs >= scenario.propagation_bound_s => {
                allowed.push(("deny", "revoked"));
                rule = format!(
                    "revoked {secs:.1} s ago, past the {} s bound: refused at every gate",
                    bound
                );
            }
            Some(secs) => {
                allowed.extend(normal);
                allowed.push(("deny", "revoked"));
                rule = format!("revoked {secs:.1} s ago, within the {} s bound", bound);
            }
            None => {
                allowed.extend(normal);
                rule = if swapped_here {
                    "the photo in this gate's folder is not the badge's: refused".into()
                } else if entry {
                    "a valid badge: admitted unless already inside".into()
                } else {
                    "a valid badge: let out".into()
                };
            }
        }
    }
    // A staffed entrance: the guard answers the ID check the gate asks for
    // (Enter, or Escape when the passport does not match), or admits by
    // hand a badge the gate refuses for a photo on file that is not theirs.
    let staffed = venue.gates[g].staffed();
    if staffed && entry && !forged {
        let answered = if hand == Hand::RefuseId {
            ("deny", "refused")
        } else {
            ("admit", "confirmed")
        };
        if allowed.contains(&("admit", "ok")) && flag_expected != Some(false) {
            if flag_expected == Some(true) {
                allowed.retain(|a| *a != ("admit", "ok"));
            }
            allowed.push(answered);
            if primary == Some(("admit", "ok")) && flag_expected == Some(true) {
                primary = Some(answered);
            }
            if hand == Hand::RefuseId {
                rule = format!("{rule}; its category is checked by ID and the passport does not match: the guard refuses");
            }
        }
        if hand == Hand::Admit && allowed.contains(&("deny", "photo_mismatch")) {
            allowed = vec![("admit", "override")];
            primary = Some(("admit", "override"));
            rule = "the photo on file is not the holder's: the gate refuses, the guard checks the passport and admits by hand with a note".into();
        }
    }
    Expected {
        allowed,
        primary,
        limit,
        rule,
        flag_expected,
    }
}

/// The gate stopped instead of deciding: out of service. Expected only of
/// a gate whose disk is full; it admitted nobody, and its claim for this
/// entry may hold the badge at the office until the reservation expires.
fn out_of_service(
    venue: &mut Venue,
    truth: &mut Truth,
    day: &mut Day,
    g: usize,
    at: f64,
    shown: &Shown<'_>,
) {
    let &Shown {
        serial, who, why, ..
    } = shown;
    let spec = venue.specs[g].clone();
    let entry = spec.direction == "in";
    let with_office = day.office_on;
    let code = venue.gates[g].stopped().unwrap_or(-1);
    let expected = truth.disk_full.contains(&g);
    venue.down_until[g] = Some(at);
    if entry && with_office {
        truth.reserved.insert(serial.to_owned(), Instant::now());
    }
    day.stops.push(Stop {
        at: clock_text(at),
        gate: spec.id.clone(),
        code,
        expected,
        log: venue.gates[g].log(),
    });
    day.timeline.push(Happened {
        at: clock_text(at),
        what: format!(
            "gate {} went out of service on {serial} (exit {code}){}",
            spec.id,
            if expected { ": its disk is full" } else { "" }
        ),
    });
    day.scans.push(Scan {
        at: clock_text(at),
        gate: spec.id,
        serial: serial.to_owned(),
        who: who.to_owned(),
        why: why.to_owned(),
        decision: "none".into(),
        reason: "out_of_service".into(),
        flagged: false,
        allowed: vec!["none out_of_service".into()],
        rule: "a gate that cannot journal admits nobody and goes out of service".into(),
        limit: None,
        ok: expected,
        latency_ms: 0.0,
        seq: None,
        hash: None,
    });
}

/// The gate's answer `d` judged against what the rules allow; the truth
/// moved by what the door did. True when the door opened.
fn judge(
    truth: &mut Truth,
    day: &mut Day,
    spec: &crate::scenario::Gate,
    (g, at): (usize, f64),
    shown: &Shown<'_>,
    expected: Expected,
    (d, latency): (&serde_json::Value, Duration),
) -> bool {
    let &Shown {
        serial,
        who,
        why,
        forged,
        ..
    } = shown;
    let Expected {
        allowed,
        primary,
        mut limit,
        rule,
        flag_expected,
    } = expected;
    let entry = spec.direction == "in";
    let key = (serial.to_owned(), spec.zone.clone());
    let decision = d["decision"].as_str().unwrap_or("?").to_owned();
    let reason = d["reason"].as_str().unwrap_or("?").to_owned();
    let flagged = d["flagged"].as_bool().unwrap_or(false);
    let mut ok = allowed.iter().any(|(a, b)| *a == decision && *b == reason);
    // An entry admitted as it should is flagged exactly when the policy in
    // force asks for an ID check (or the office could not vouch for it).
    let unverified = d["detail"]
        .as_str()
        .is_some_and(|t| t.contains("passback unverified"));
    if ok && decision == "admit" && reason == "ok" {
        match flag_expected {
            Some(true) if !flagged => ok = false,
            Some(false) if flagged && !unverified => ok = false,
            _ => {}
        }
    }
    let admitted = decision == "admit";
    // The door did what it did.
    if admitted && !forged {
        truth.moved.insert(serial.to_owned(), (Instant::now(), g));
        if entry {
            truth.inside.insert(key.clone());
            truth.local.insert((g, serial.to_owned()));
        } else {
            truth.inside.remove(&key);
            truth.local.remove(&(g, serial.to_owned()));
        }
    }
    if admitted && why == "tailgate" {
        day.limits.push(format!(
            "{}: a follower passed gate {} on a badge already inside (soft anti-passback admits flagged)",
            clock_text(at),
            spec.id
        ));
    }
    if decision == "deny" && reason == "revoked" && truth.inside.iter().any(|(s, _)| s == serial) {
        day.revoked_inside.insert(serial.to_owned());
    }
    if decision == "deny" && reason == "revoked" {
        if let Some((t, n)) = truth.revoked.get(serial) {
            let _ = n;
            if !day
                .propagation
                .iter()
                .any(|(s, gate, _)| s == serial && *gate == spec.id)
            {
                day.propagation.push((
                    serial.to_owned(),
                    spec.id.clone(),
                    t.elapsed().as_secs_f64(),
                ));
            }
        }
    }
    let (ref dec, ref rea) = (decision.clone(), reason.clone());
    let as_known = primary.is_none_or(|(a, b)| a == dec && b == rea);
    if as_known {
        limit = None;
    }
    if let (true, Some(l)) = (ok, &limit) {
        day.limits.push(format!(
            "{}: {serial} at gate {}: {decision} {reason}: {l}",
            clock_text(at),
            spec.id
        ));
    }
    day.scans.push(Scan {
        at: clock_text(at),
        gate: spec.id.clone(),
        serial: serial.to_owned(),
        who: who.to_owned(),
        why: why.to_owned(),
        decision,
        reason,
        flagged,
        allowed: allowed.iter().map(|(a, b)| format!("{a} {b}")).collect(),
        rule,
        limit,
        ok,
        latency_ms: latency.as_secs_f64() * 1000.0,
        seq: d["seq"].as_u64(),
        hash: d["hash"].as_str().map(str::to_owned),
    });
    admitted
}
