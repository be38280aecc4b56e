//! Who is inside: the evacuation muster list, per zone.

use std::collections::BTreeMap;

use serde::Serialize;

use super::AuditError;
use badgegate_core::clock::format_utc_ms;
use badgegate_core::journal::{ChainReport, Journal};
use badgegate_core::muster::{self, Muster, Sighting};

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
    /// Admitted flagged: a check is still owed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub check_pending: bool,
    /// A gate refused this badge as revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked: Option<Sighting>,
}

impl Present {
    /// The marks every muster list shows, in words (empty: none).
    pub fn marks(&self) -> Vec<&'static str> {
        muster::marks(self.revoked.is_some(), self.check_pending)
    }
}

/// Marks everyone seen by a kiosk whose chain is broken.
pub fn mark_broken(zones: &mut BTreeMap<String, Vec<Present>>, chain: &ChainReport) {
    for p in zones.values_mut().flatten() {
        p.chain_broken = chain.problems.iter().any(|x| x.kiosk_id == p.kiosk_id);
    }
}

/// The zone heading of a gate without one.
pub const ANY_ZONE: &str = "(any)";

/// Who is inside at `at_ms` (or at the end of the journal), per zone, by
/// the core's presence (`muster::Muster`, the office's definition too),
/// records taken in time order. A gate without a zone lists under
/// [`ANY_ZONE`].
pub fn inside(
    j: &Journal,
    at_ms: Option<u64>,
) -> Result<BTreeMap<String, Vec<Present>>, AuditError> {
    let mut m = Muster::new();
    j.for_each_in_time_order(|e| {
        if at_ms.is_some_and(|t| e.body.at_ms > t) {
            return Err(());
        }
        m.take(&e.kiosk_id, e.seq, &e.body);
        Ok(())
    })?
    .ok();
    let mut zones: BTreeMap<String, Vec<Present>> = BTreeMap::new();
    for p in m.inside() {
        let s = p.stay;
        let zone = if s.zone == muster::ANY_ZONE {
            ANY_ZONE.to_owned()
        } else {
            s.zone.clone()
        };
        zones.entry(zone).or_default().push(Present {
            serial: s.serial.clone(),
            name: s.holder.clone().unwrap_or_default(),
            org: s.org.clone().unwrap_or_default(),
            category: s.category.clone().unwrap_or_default(),
            gate: s.gate.clone(),
            kiosk_id: s.kiosk_id.clone(),
            since_ms: s.at_ms,
            since: format_utc_ms(s.at_ms),
            chain_broken: false,
            check_pending: s.check_pending,
            revoked: p.revoked.cloned(),
        });
    }
    for list in zones.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name).then(a.serial.cmp(&b.serial)));
    }
    Ok(zones)
}
