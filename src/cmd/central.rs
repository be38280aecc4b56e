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
                            "lag_ms": v.lag_ms,
                            "kiosks": v.kiosks,
                            "records": v.records,
                            "newest_record": v.newest_record_ms.map(|t| badgegate::clock::format_utc_ms(t.max(0) as u64)),
                        })
                    );
                } else {
                    println!(
                        "{:<16} {:<13} {:>8} kiosk(s) {:>10} record(s)  newest {}  heard from {}{}",
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
                            .unwrap_or_else(|| "never".into()),
                        v.lag_ms
                            .map(|l| format!(" (lag {l:.0} ms)"))
                            .unwrap_or_default()
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
            if !central::is_the_centre(&mut db)? {
                anyhow::bail!("this database is not the centre: give the centre's --db (`central init` made it), or ask a venue with `office inside`");
            }
            let people = central::inside(&mut db, o.venue.as_deref(), None)?;
            for p in &people {
                let since = badgegate::clock::format_utc_ms(p.since_ms.max(0) as u64);
                if o.json {
                    println!(
                        "{}",
                        serde_json::json!({
                            "venue": p.zone.split('/').next().unwrap_or_default(),
                            "zone": p.zone,
                            "serial": p.serial,
                            "holder": p.holder,
                            "org": p.org,
                            "gate": p.gate,
                            "kiosk_id": p.kiosk_id,
                            "since": since,
                            "marks": p.marks(),
                        })
                    );
                } else {
                    let marks = p.marks().join(" · ");
                    println!(
                        "{:<24} {:<16} {:<40} {} via {}{}",
                        p.zone,
                        p.serial,
                        printable_short(p.holder.as_deref().unwrap_or("—"), 40),
                        time.at_ms(p.since_ms.max(0) as u64),
                        p.gate,
                        if marks.is_empty() {
                            String::new()
                        } else {
                            format!("  {marks}")
                        }
                    );
                }
            }
            if !o.json {
                let mut venues: Vec<&str> = people
                    .iter()
                    .map(|p| p.zone.split('/').next().unwrap_or_default())
                    .collect();
                venues.dedup();
                println!("{} inside across {} venue(s)", people.len(), venues.len());
            }
            Ok(Exit::Ok.into())
        }
    }
}
