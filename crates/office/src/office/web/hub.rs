//! Two threads watch the venue database for every open browser: one sends
//! new records the moment the office is told of them (LISTEN); the other
//! looks at the gates, users, lists and alarms each second, raises a gate
//! gone silent as an alarm and checks signatures — on its own connection,
//! so a slow look at a large venue record never holds up a decision on its
//! way to the pages. What changed goes out to the pages' event streams; a
//! page opened later starts from the last snapshot.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use postgres::Client;
use serde_json::json;

use super::data::{self, LiveRecord};
use super::pages::{App, ListsTemplate, TilesTemplate};
use crate::office::OfficeError;

/// How often the gates and alarms are looked at.
const TICK: Duration = Duration::from_secs(1);
/// How often record signatures are checked.
const SIGNATURES_EVERY: Duration = Duration::from_secs(5);

/// One event for the pages: its name and its JSON.
#[derive(Clone, Debug)]
pub struct Push {
    pub event: &'static str,
    pub data: String,
}

/// What a newly opened page is sent first.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub gates: Vec<data::GateTile>,
    pub gates_push: Option<Push>,
    pub lists: Vec<data::ListInfo>,
    /// The office's servers in a line, and whether it warns.
    pub cluster: Option<(String, bool)>,
    pub alarms_push: Option<Push>,
    pub unacked: i64,
    pub office_push: Option<Push>,
    /// When the hub last read the database (`HH:MM:SS`).
    pub as_of: String,
    /// Everyone inside at the last look: what the muster list answers
    /// from while the database does not.
    pub muster: Vec<data::MusterRow>,
    pub zones: Vec<String>,
    /// When the last look succeeded.
    pub looked_at: Option<Instant>,
    /// How far the live feed has sent each kiosk's chain: kept across a
    /// lost connection, so records that reached the office while the hub
    /// was reconnecting (a gate back on the new primary first) are sent.
    pub sent_heads: Option<HashMap<String, i64>>,
}

/// The database counts as not answering once the hub's look has not
/// succeeded for this long (a hung server answers nothing and raises no
/// error).
pub const NOT_ANSWERING_AFTER: Duration = Duration::from_millis(2500);

/// Starts the hub's two threads, and the watch that tells the pages when
/// the database stops answering however its connections are stuck.
pub fn start(app: Arc<App>) {
    let records = Arc::clone(&app);
    spawn("dashboard-records", records, follow_records);
    let watched = Arc::clone(&app);
    spawn("dashboard-look", app, look_each_second);
    std::thread::Builder::new()
        .name("dashboard-watch".into())
        .spawn(move || loop {
            std::thread::sleep(Duration::from_millis(250));
            watch(&watched);
        })
        .ok();
}

/// Says once that the database is not answering when the last good look
/// is older than [`NOT_ANSWERING_AFTER`] (the look says it answers again).
fn watch(app: &App) {
    let (looked, as_of, said_down) = {
        let s = app.snapshot.read().unwrap_or_else(|p| p.into_inner());
        (
            s.looked_at,
            s.as_of.clone(),
            s.office_push
                .as_ref()
                .is_some_and(|p| p.data.contains("\"ok\":false")),
        )
    };
    let Some(looked) = looked else { return };
    if looked.elapsed() > NOT_ANSWERING_AFTER && !said_down {
        app.log.say(format!(
            "{} office database not answering since {as_of}",
            app.clock.now()
        ));
        publish(
            app,
            Push {
                event: "office",
                data: json!({"ok": false, "why": format!("not answering since {as_of}"), "since": as_of})
                    .to_string(),
            },
        );
    }
}

/// A thread running `work` on its own connection, again after each failure
/// (the pages are told the database is unreachable meanwhile).
fn spawn(name: &str, app: Arc<App>, work: fn(&App, &mut Client) -> Result<(), OfficeError>) {
    let name = name.to_owned();
    std::thread::Builder::new()
        .name(name.clone())
        .spawn(move || {
            // An office on several servers that stops answering is first
            // taken to be switching servers, as the gates take it.
            let cluster = crate::office::link::lists_servers(&app.db_url);
            let mut lost_since: Option<std::time::Instant> = None;
            loop {
                let result = match crate::office::connect::connect_named(
                    &app.db_url,
                    Duration::from_secs(5),
                    super::HUB_APP_NAME,
                ) {
                    Ok(mut db) => {
                        lost_since = None;
                        work(&app, &mut db)
                    }
                    Err(e) => Err(e),
                };
                let why = match result {
                    Ok(()) => continue,
                    Err(e) => e.to_string(),
                };
                app.log.say(format!(
                    "{} office database unreachable ({name}): {why}; trying again",
                    app.clock.now()
                ));
                let since = *lost_since.get_or_insert_with(std::time::Instant::now);
                let switching = cluster && since.elapsed() < crate::office::link::SWITCH_GRACE;
                publish(
                    &app,
                    Push {
                        event: "office",
                        data: json!({"ok": false, "why": why, "switching": switching}).to_string(),
                    },
                );
                std::thread::sleep(Duration::from_secs(1));
            }
        })
        .ok();
}

/// Tells the pages the database answers, unless they know.
fn office_answers(app: &App) {
    let known = app
        .snapshot
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .office_push
        .as_ref()
        .is_some_and(|p| p.data.contains("\"ok\":true"));
    if !known {
        publish(
            app,
            Push {
                event: "office",
                data: json!({"ok": true}).to_string(),
            },
        );
    }
}

/// Sends to every open page, and keeps it for pages opened later.
fn publish(app: &App, p: Push) {
    {
        let mut s = app.snapshot.write().unwrap_or_else(|p| p.into_inner());
        match p.event {
            "gates" => s.gates_push = Some(p.clone()),
            "alarms" => s.alarms_push = Some(p.clone()),
            "office" => s.office_push = Some(p.clone()),
            _ => {}
        }
    }
    // Nobody listening is not an error.
    let _ = app.events.send(Arc::new(p));
}

/// New records to every page, as the office is told of them.
fn follow_records(app: &App, db: &mut Client) -> Result<(), OfficeError> {
    db.batch_execute("LISTEN badgegate_records")?;
    let kept = app
        .snapshot
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .sent_heads
        .clone();
    let (mut heads, mut keep) = match kept {
        Some(heads) => (heads, false),
        None => (data::heads(db)?, true),
    };
    loop {
        office_answers(app);
        let new = data::records_after(db, &mut heads)?;
        if keep || !new.is_empty() {
            app.snapshot
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .sent_heads = Some(heads.clone());
            keep = false;
        }
        // Each record's venue, as the gate tiles name it (the centre).
        let venues: std::collections::HashMap<String, String> = if new.is_empty() {
            Default::default()
        } else {
            app.snapshot
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .gates
                .iter()
                .map(|t| (t.kiosk_id.clone(), t.venue.clone()))
                .collect()
        };
        for (e, _) in new {
            let mut r = LiveRecord::from_entry(e, &app.clock);
            r.venue = venues.get(&r.kiosk_id).cloned().unwrap_or_default();
            publish(
                app,
                Push {
                    event: "record",
                    data: serde_json::to_string(&r).unwrap_or_default(),
                },
            );
        }
        use postgres::fallible_iterator::FallibleIterator;
        db.notifications().timeout_iter(TICK).next()?;
        // Several notifications may be queued: one read takes them all.
        while db.notifications().iter().next()?.is_some() {}
    }
}

/// The gates, users, lists and alarms once a second; signatures every
/// five.
fn look_each_second(app: &App, db: &mut Client) -> Result<(), OfficeError> {
    let mut last_signatures = Instant::now() - SIGNATURES_EVERY;
    let mut last_counts = (-1, -1);
    loop {
        let started = Instant::now();
        if last_signatures.elapsed() >= SIGNATURES_EVERY {
            last_signatures = Instant::now();
            crate::office::views::verify_new_signatures(db)?;
        }
        tick(app, db, &mut last_counts)?;
        office_answers(app);
        std::thread::sleep(TICK.saturating_sub(started.elapsed()));
    }
}

/// The office's servers in the venue's words, and whether to warn.
fn cluster_line(c: &crate::office::views::ClusterView, clock: &super::WebClock) -> (String, bool) {
    let w = clock.words();
    let standbys: Vec<String> = c
        .standbys
        .iter()
        .map(|s| {
            w.standby
                .replace("{name}", &s.name)
                .replace("{state}", &s.state)
                .replace("{sync}", &s.sync_state)
                .replace(
                    "{lag}",
                    &format!("{:.1}", s.replay_lag_ms.unwrap_or(0) as f64 / 1000.0),
                )
        })
        .collect();
    let mut line = w
        .cluster
        .replace("{server}", &c.server)
        .replace("{timeline}", &c.timeline.to_string())
        .replace(
            "{standbys}",
            &if standbys.is_empty() {
                w.no_standby.to_owned()
            } else {
                standbys.join("; ")
            },
        );
    if let Some(t) = c.failover_at_ms {
        line.push_str("; ");
        line.push_str(&w.last_failover.replace("{when}", &clock.when(t)));
    }
    (line, c.standbys.is_empty())
}

/// The gates, the users, the lists and the alarms, once a second.
fn tick(app: &App, db: &mut Client, last_counts: &mut (i64, i64)) -> Result<(), OfficeError> {
    app.sessions.set_users(super::users::enabled_users(db)?);
    let lists = data::lists(db, &app.clock)?;
    let gates = data::gates(db, &app.clock, &lists)?;
    data::raise_offline(db, &gates)?;
    let counts = data::alarm_counts(db)?;
    let muster = data::muster(db, &app.clock, None, None)?;
    let zones = data::zones(db)?;
    let as_of = app.clock.now();
    let w = app.clock.words();
    let html = TilesTemplate { tiles: &gates, w }.html();
    let cluster = crate::office::views::cluster(db)?.map(|c| cluster_line(&c, &app.clock));
    let lists_html = ListsTemplate {
        lists: &lists,
        cluster: &cluster,
        w,
    }
    .html();
    let summary: HashMap<&str, usize> = gates.iter().fold(HashMap::new(), |mut m, t| {
        *m.entry(t.state.class()).or_default() += 1;
        m
    });
    {
        let mut s = app.snapshot.write().unwrap_or_else(|p| p.into_inner());
        s.gates = gates;
        s.lists = lists;
        s.cluster = cluster;
        s.unacked = counts.1;
        s.as_of = as_of.clone();
        s.muster = muster;
        s.zones = zones;
        s.looked_at = Some(Instant::now());
    }
    publish(
        app,
        Push {
            event: "gates",
            data: json!({"html": html, "lists": lists_html, "as_of": as_of, "states": summary})
                .to_string(),
        },
    );
    if counts != *last_counts {
        *last_counts = counts;
        publish(
            app,
            Push {
                event: "alarms",
                data: json!({"total": counts.0, "unacked": counts.1}).to_string(),
            },
        );
    }
    Ok(())
}
