//! Who is inside: the evacuation muster list, per zone.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::AuditError;
use badgegate_core::clock::format_utc_ms;
use badgegate_core::journal::{ChainReport, Journal};
use badgegate_core::rules::moves_presence;
use badgegate_core::vocab::Direction;

/// Someone inside, for the muster list.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Present {
    pub serial: String,
    pub name: String,
    pub org: String,
    pub category: String,
    pub gate: String,
    pub kiosk_id: String,
    pub since_ms: u64,
    pub since: String,
    /// This kiosk's chain is broken: its records cannot be trusted.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub chain_broken: bool,
}

/// Marks everyone seen by a kiosk whose chain is broken.
pub fn mark_broken(zones: &mut BTreeMap<String, Vec<Present>>, chain: &ChainReport) {
    for p in zones.values_mut().flatten() {
        p.chain_broken = chain.problems.iter().any(|x| x.kiosk_id == p.kiosk_id);
    }
}

/// Who is inside at `at_ms` (or at the end of the journal), per zone: a
/// badge whose last admitted record up to then is an entry. Zone is the
/// entry gate's zone (`(any)` for a gate without one).
pub fn inside(
    j: &Journal,
    at_ms: Option<u64>,
) -> Result<BTreeMap<String, Vec<Present>>, AuditError> {
    let mut last: HashMap<String, (Direction, Option<String>, Present)> = HashMap::new();
    j.for_each_in_time_order(|e| {
        let b = &e.body;
        if at_ms.is_some_and(|t| b.at_ms > t) {
            return Err(());
        }
        if !moves_presence(b.kind, b.decision, b.authentic) {
            return Ok(());
        }
        let Some(serial) = &b.serial else {
            return Ok(());
        };
        let present = Present {
            serial: serial.clone(),
            name: b.holder.clone().unwrap_or_default(),
            org: b.org.clone().unwrap_or_default(),
            category: b.category.clone().unwrap_or_default(),
            gate: b.gate.clone(),
            kiosk_id: e.kiosk_id.clone(),
            since_ms: b.at_ms,
            since: format_utc_ms(b.at_ms),
            chain_broken: false,
        };
        last.insert(serial.clone(), (b.direction, b.zone.clone(), present));
        Ok(())
    })?
    .ok();
    let mut zones: BTreeMap<String, Vec<Present>> = BTreeMap::new();
    for (_, (dir, zone, p)) in last {
        if dir == Direction::In {
            zones
                .entry(zone.unwrap_or_else(|| "(any)".into()))
                .or_default()
                .push(p);
        }
    }
    for list in zones.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name).then(a.serial.cmp(&b.serial)));
    }
    Ok(zones)
}
