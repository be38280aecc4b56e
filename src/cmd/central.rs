//! `badgegate central`: the accreditation centre over many venues' offices.

use std::process::ExitCode;

use badgegate::clock::VenueTime;
use badgegate::net::connect::{connect, shown_url};
use badgegate::office::central::{self, CONNECT_WAIT};
use badgegate::text::printable_short;

use super::Exit;
use crate::cli::{CentralArgs, CentralCommand};

pub fn run(a: CentralArgs) -> anyhow::Result<ExitCode> {
    match a.command {
        CentralCommand::Init(o) => {
            let mut db = connect(&o.db, CONNECT_WAIT)?;
            central::init(&mut db)?;
            println!(
                "{}: the accreditation centre (office schema version {}, lists published to the venues as `{}`); join venues with `central add-venue`",
                shown_url(&o.db),
                badgegate::net::OFFICE_SCHEMA_VERSION,
                central::DOWN
            );
            Ok(Exit::Ok.into())
        }
        CentralCommand::AddVenue(o) => {
            let mut centre = connect(&o.db, CONNECT_WAIT)?;
            let mut venue = connect(&o.venue_db, CONNECT_WAIT)?;
            let name = central::add_venue(&mut centre, &o.db, &mut venue, &o.venue_db)?;
            println!(
                "venue {name} joined: its kiosks and records replicate to {}, the centre's lists to {}; `central status` shows it",
                shown_url(&o.db),
                shown_url(&o.venue_db)
            );
            Ok(Exit::Ok.into())
        }
        CentralCommand::Status(o) => {
            let mut db = connect(&o.db, CONNECT_WAIT)?;
            let time = VenueTime::chosen(o.time_zone.as_deref(), None)
                .map_err(|e| anyhow::anyhow!("--time-zone: {e}"))?;
            let venues = central::status(&mut db)?;
            let mut trouble = false;
            for v in &venues {
                trouble |= !v.connected;
                if o.json {
                    println!(
                        "{}",
                        serde_json::json!({
                            "venue": v.venue,
                            "connected": v.connected,
                            "last_contact_secs": v.last_contact_secs,
                            "kiosks": v.kiosks,
                            "records": v.records,
                            "newest_record": v.newest_record_ms.map(|t| badgegate::clock::format_utc_ms(t.max(0) as u64)),
                        })
                    );
                } else {
                    println!(
                        "{:<16} {:<13} {:>8} kiosk(s) {:>10} record(s)  newest {}  heard from {}",
                        v.venue,
                        if v.connected {
                            "REPLICATING"
                        } else {
                            "CUT OFF"
                        },
                        v.kiosks,
                        v.records,
                        v.newest_record_ms
                            .map(|t| time.at_ms(t.max(0) as u64))
                            .unwrap_or_else(|| "—".into()),
                        v.last_contact_secs
                            .map(|s| format!("{s:.0} s ago"))
                            .unwrap_or_else(|| "never".into())
                    );
                }
            }
            if venues.is_empty() && !o.json {
                println!("no venue joined yet: `central add-venue --venue-db URL`");
            }
            Ok(if trouble { Exit::Problem } else { Exit::Ok }.into())
        }
        CentralCommand::Inside(o) => {
            let mut db = connect(&o.db, CONNECT_WAIT)?;
            let time = VenueTime::chosen(o.time_zone.as_deref(), None)
                .map_err(|e| anyhow::anyhow!("--time-zone: {e}"))?;
            let people = central::inside(&mut db)?;
            for p in &people {
                if o.json {
                    println!(
                        "{}",
                        serde_json::json!({
                            "venue": p.venue,
                            "zone": p.zone,
                            "serial": p.serial,
                            "holder": p.holder,
                            "gate": p.gate,
                            "since": badgegate::clock::format_utc_ms(p.at_ms),
                            "revoked": p.revoked,
                        })
                    );
                } else {
                    println!(
                        "{:<12} {:<12} {:<16} {:<40} {} via {}{}",
                        p.venue,
                        p.zone,
                        p.serial,
                        printable_short(p.holder.as_deref().unwrap_or("—"), 40),
                        time.at_ms(p.at_ms),
                        p.gate,
                        if p.revoked { "  REVOKED" } else { "" }
                    );
                }
            }
            if !o.json {
                println!("{} inside across {} venue(s)", people.len(), {
                    let mut v: Vec<&str> = people.iter().map(|p| p.venue.as_str()).collect();
                    v.dedup();
                    v.len()
                });
            }
            Ok(Exit::Ok.into())
        }
    }
}
