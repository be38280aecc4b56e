//! The venue office: every kiosk and the security office joined on one
//! PostgreSQL, while each kiosk keeps deciding on its own. The kiosk's
//! SQLite journal stays the authority for its decisions; the office is the
//! venue's shared record (every kiosk's chain, checked on arrival), the
//! channel for signed lists, and the judge of venue-wide anti-passback.
//! `docs/venue-network.md` has the design and the failure table.
//!
//! - [`connect`]: connection URIs, connection files, `.pgpass`.
//! - [`admin`]: `office init`, `add-kiosk`, `add-publisher`, publishing lists.
//! - [`link`]: the kiosk's side (pushing records, fetching lists, the
//!   passback check with its timeout).
//! - [`views`]: what the security office asks (status, inside, watch,
//!   export).

pub mod admin;
pub mod central;
#[cfg(feature = "web")]
pub mod patrol;
pub mod views;
#[cfg(feature = "web")]
pub mod web;

// The kiosk's side and the connection rules live with the gate (a gate PC
// builds without the office); the office uses the same ones.
pub use badgegate_gate::net::{connect, link, OfficeError, OFFICE_SCHEMA_VERSION};
