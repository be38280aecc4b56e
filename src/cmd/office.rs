//! `badgegate office`: set up the venue database and ask it questions.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use badgegate::clock::VenueTime;
use badgegate::format::keys::PublicKey;
use badgegate::net::connect::{connect, shown_url};
use badgegate::office::admin::{self, Initialised};
use badgegate::office::views;
use badgegate::text::{column, hex, json_line, printable, shown_path};
use postgres::Client;

use super::Exit;
use crate::cli::{OfficeArgs, OfficeCommand};

/// How long a command waits to reach the office.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub fn run(a: OfficeArgs) -> anyhow::Result<ExitCode> {
    match a.command {
        OfficeCommand::Init(o) => {
            let mut db = open(&o.db)?;
            let done = admin::init(&mut db)?;
            if let Some(v) = &o.venue {
                badgegate::office::central::name_venue(&mut db, &v.trim().to_lowercase())?;
                println!(
                    "{}: venue {}; its kiosks are enrolled as {}-…",
                    shown_url(&o.db),
                    v.trim().to_lowercase(),
                    v.trim().to_lowercase()
                );
            }
            match done {
                Initialised::Created => println!(
                    "venue schema version {} created in {}",
                    badgegate::net::OFFICE_SCHEMA_VERSION,
                    shown_url(&o.db)
                ),
                Initialised::DashboardAdded => println!(
                    "{}: the office dashboard's tables added (venue schema stays at version {})",
                    shown_url(&o.db),
                    badgegate::net::OFFICE_SCHEMA_VERSION
                ),
                Initialised::AuthorityAdded => println!(
                    "{}: list rows now checked against their signed bodies, records against the vocabulary, repeated alarms grouped (venue schema stays at version {})",
                    shown_url(&o.db),
                    badgegate::net::OFFICE_SCHEMA_VERSION
                ),
                Initialised::AlreadyCurrent => println!(
                    "{}: venue schema already at version {}; nothing to do",
                    shown_url(&o.db),
                    badgegate::net::OFFICE_SCHEMA_VERSION
                ),
            }
            Ok(Exit::Ok.into())
        }
        OfficeCommand::AddKiosk(o) => {
            let key = match &o.kiosk_key {
                Some(p) => Some(hex(PublicKey::load(p)?.key.as_bytes())),
                None => None,
            };
            let mut db = open(&o.db)?;
            let login = admin::add_kiosk(&mut db, &o.db, &o.kiosk_id, key.as_deref(), &o.out)?;
            println!(
                "kiosk {} enrolled (login {login}{}); its connection file is {} (mode 0600): give it to `badgegate kiosk --office`",
                o.kiosk_id,
                if key.is_some() { ", records signature-checked" } else { "" },
                shown_path(&o.out)
            );
            Ok(Exit::Ok.into())
        }
        OfficeCommand::AddPublisher(o) => {
            let mut db = open(&o.db)?;
            let login = admin::add_publisher(&mut db, &o.db, &o.name, &o.out)?;
            println!(
                "publisher {} (login {login}); its connection file is {} (mode 0600): give it to `badgegate revoke --office` and `badgegate policy --office`",
                o.name,
                shown_path(&o.out)
            );
            Ok(Exit::Ok.into())
        }
        OfficeCommand::AddUser(o) => add_user(o),
        OfficeCommand::Serve(o) => serve(o),
        OfficeCommand::Status(o) => {
            answer_within(QUESTION_DEADLINE, "office status");
            status(&o.db, o.time_zone.as_deref(), o.json)
        }
        OfficeCommand::Inside(o) => {
            answer_within(QUESTION_DEADLINE, "office inside");
            inside(&o.db, o.zone.as_deref(), o.time_zone.as_deref(), o.json)
        }
        OfficeCommand::Watch(o) => watch(&o.db, o.time_zone.as_deref(), o.json),
        OfficeCommand::Export(o) => {
            let mut db = open(&o.db)?;
            let r = views::export(&mut db, &o.journal)?;
            println!(
                "{}: {} record(s) added, {} already present{}",
                shown_path(&o.journal),
                r.added,
                r.already_present,
                if r.refused.is_empty() {
                    String::new()
                } else {
                    format!(", {} refused", r.refused.len())
                }
            );
            for why in &r.refused {
                println!("  REFUSED {}", printable(why));
            }
            Ok(if r.refused.is_empty() {
                Exit::Ok.into()
            } else {
                Exit::Problem.into()
            })
        }
    }
}

fn add_user(o: crate::cli::OfficeAddUserArgs) -> anyhow::Result<ExitCode> {
    use badgegate::office::web::users::{change_user, UserChange};
    let mut db = open(&o.db)?;
    let (password, made) = if o.disable {
        (None, false)
    } else if o.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        let p = line.trim_end_matches(['\n', '\r']).to_owned();
        (Some(p), false)
    } else {
        (Some(badgegate::office::admin::random_password()), true)
    };
    let change = change_user(&mut db, &o.name, password.as_deref(), o.reset)?;
    match change {
        UserChange::Disabled => println!(
            "office user {} disabled: they cannot sign in, and any open dashboard of theirs signs out within a second",
            o.name
        ),
        UserChange::Added | UserChange::Reset => {
            let what = if change == UserChange::Added {
                "added"
            } else {
                "given a new password (open sessions end)"
            };
            println!("office user {} {what}", o.name);
            if made {
                println!(
                    "password: {}\n(shown once: give it to {} by hand; it is stored only as an Argon2id hash)",
                    password.unwrap_or_default(),
                    o.name
                );
            }
        }
    }
    Ok(Exit::Ok.into())
}

fn serve(o: crate::cli::OfficeServeArgs) -> anyhow::Result<ExitCode> {
    use badgegate::office::web::{serve, ServeConfig};
    let cfg = ServeConfig {
        db_url: o.db.clone(),
        listen: o.listen,
        tls: o.tls_cert.zip(o.tls_key),
        insecure_http: o.insecure_http,
        session: Duration::from_secs(u64::from(o.session_minutes) * 60),
        time_zone: o.time_zone,
        language: o.language.map(|l| l.code().to_owned()),
        log: super::stderr_notices(),
        patrol_trust: o.patrol_trust,
    };
    let tls = cfg.tls.is_some();
    let db = shown_url(&o.db);
    serve(cfg, move |url| {
        let how = if tls {
            "HTTPS"
        } else if url.contains("://127.") || url.contains("://[::1]") {
            "plain HTTP, this computer only: give --tls-cert and --tls-key to serve the office network"
        } else {
            "PLAIN HTTP on the network: passwords and names are not encrypted"
        };
        say!("office dashboard on {url} ({how}), reading {db}; Ctrl+C stops");
    })?;
    say!("office dashboard stopped");
    Ok(Exit::Ok.into())
}

/// Connects with a URL given on the command line.
/// How long `office status` and `office inside` wait for the office.
const QUESTION_DEADLINE: Duration = Duration::from_secs(15);

/// Ends the process with a one-line error (exit 2) if the command has not
/// finished within `deadline`: a hung office database (stopped, or behind
/// a network that holds its packets) answers no query and raises no error,
/// and a question asked in an emergency must not hang with it.
fn answer_within(deadline: Duration, what: &'static str) {
    std::thread::spawn(move || {
        std::thread::sleep(deadline);
        say!(
            "error: {what}: the office database did not answer within {} s (hung, or the network holds its traffic); the dashboard's last look and the gates' journals still hold the muster list",
            deadline.as_secs()
        );
        std::process::exit(Exit::Error as i32);
    });
}

fn open(url: &str) -> anyhow::Result<Client> {
    Ok(connect(url, CONNECT_TIMEOUT)?)
}

/// How the office's times are shown: `--time-zone`, else the venue's as
/// its gates recorded it, else UTC.
fn venue_time(db: &mut Client, asked: Option<&str>) -> anyhow::Result<VenueTime> {
    let recorded = views::recorded_venue_time(db)?;
    VenueTime::chosen(asked, recorded).map_err(|e| anyhow::anyhow!("--time-zone: {e}"))
}

fn status(url: &str, zone: Option<&str>, json: bool) -> anyhow::Result<ExitCode> {
    let mut db = open(url)?;
    let time = venue_time(&mut db, zone)?;
    let kiosks = views::status(&mut db, &time)?;
    let venue = views::venue_alarms(&mut db, &time)?;
    let mut trouble = !venue.is_empty();
    if let (Some(c), false) = (views::cluster(&mut db)?, json) {
        let standbys: Vec<String> = c
            .standbys
            .iter()
            .map(|s| {
                format!(
                    "standby {} {} {}{}",
                    printable(&s.name),
                    s.state,
                    s.sync_state,
                    s.replay_lag_ms
                        .map(|l| format!(", replay lag {:.1} s", l as f64 / 1000.0))
                        .unwrap_or_default()
                )
            })
            .collect();
        println!(
            "office database: {} (primary, timeline {}); {}{}",
            printable(&c.server),
            c.timeline,
            if standbys.is_empty() {
                "NO STANDBY: a record committed now is on this server only".to_owned()
            } else {
                standbys.join("; ")
            },
            c.failover_at_ms
                .map(|t| format!(
                    "; last failover or switchover {}",
                    time.at_ms(u64::try_from(t).unwrap_or(0))
                ))
                .unwrap_or_default()
        );
        trouble |= c.standbys.is_empty();
    }
    for k in &kiosks {
        trouble |= !(k.online || k.stopped) || k.clock_off || !k.alarms.is_empty();
        if json {
            println!("{}", json_line(&serde_json::to_value(k)?));
            continue;
        }
        let since = match (k.online, k.silent_secs, &k.last_contact_ms) {
            (true, _, _) => "ONLINE ".to_owned(),
            (false, _, Some(at)) if k.stopped => format!(
                "STOPPED at {} (on purpose)",
                time.at_ms(u64::try_from(*at).unwrap_or(0))
            ),
            (false, Some(s), Some(at)) => format!(
                "OFFLINE since {} ({:.0} s)",
                time.at_ms(u64::try_from(*at).unwrap_or(0)),
                s
            ),
            _ => "NEVER SEEN".to_owned(),
        };
        println!(
            "{:<16} {:<12} {:<36} {:>8} records  head #{:<8} backlog {:<6} clock {}  lists: {}",
            printable(&k.kiosk_id),
            printable(k.gate.as_deref().unwrap_or("-")),
            since,
            k.records,
            k.head_seq,
            k.backlog.map_or("?".to_owned(), |b| b.to_string()),
            match k.clock_offset_ms {
                Some(o) if k.clock_off => format!("{:+.1} s OFF", o as f64 / 1000.0),
                Some(o) => format!("{:+.1} s", o as f64 / 1000.0),
                None => "?".into(),
            },
            printable(
                k.lists_in_use
                    .as_deref()
                    .filter(|l| !l.is_empty())
                    .unwrap_or("none")
            ),
        );
        for a in &k.alarms {
            println!("    ALARM {}", printable(a));
        }
    }
    for a in &venue {
        println!("ALARM {}", printable(a));
    }
    if kiosks.is_empty() && !json {
        println!(
            "no kiosk enrolled yet: badgegate office add-kiosk --db URL --kiosk-id ID --out FILE"
        );
    }
    Ok(if trouble {
        Exit::Problem.into()
    } else {
        Exit::Ok.into()
    })
}

fn inside(
    url: &str,
    zone: Option<&str>,
    time_zone: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let mut db = open(url)?;
    let time = venue_time(&mut db, time_zone)?;
    let people = views::inside(&mut db, zone, None)?;
    for p in &people {
        if json {
            println!("{}", json_line(&serde_json::to_value(p)?));
            continue;
        }
        let fresh = match p.gate_silent_secs {
            Some(s) if s < views::OFFLINE_AFTER_SECS => "live".to_owned(),
            Some(s) => format!("gate silent {:.0} s", s),
            None => "gate never seen".to_owned(),
        };
        let mut marks = p.marks().join(" · ");
        if let Some(v) = &p.revoked {
            marks = format!(
                "{marks} (refused as revoked at gate {} {})",
                printable(&v.gate),
                time.at_ms(u64::try_from(v.at_ms).unwrap_or(0))
            );
        }
        println!(
            "{} {} {} since {} at {} ({fresh}){}",
            column(&p.zone, 12),
            column(&p.serial, 12),
            column(p.holder.as_deref().unwrap_or("-"), 30),
            time.at_ms(u64::try_from(p.since_ms).unwrap_or(0)),
            printable(&p.gate),
            if marks.is_empty() {
                String::new()
            } else {
                format!("  {marks}")
            }
        );
    }
    if !json {
        say!("{} inside", people.len());
    }
    Ok(Exit::Ok.into())
}

fn watch(url: &str, time_zone: Option<&str>, json: bool) -> anyhow::Result<ExitCode> {
    use badgegate::office::web::data;
    let mut db = open(url)?;
    let time = venue_time(&mut db, time_zone)?;
    db.batch_execute("LISTEN badgegate_records")?;
    // Each kiosk's chain followed from where it was: a transaction that
    // commits after a later one is not skipped.
    let mut heads = data::heads(&mut db)?;
    // The newest records up to those heads; what arrives after them (even
    // between these two questions) is printed once, by the loop below.
    for (e, received) in views::newest(&mut db, 20)? {
        let head = heads.get(&e.kiosk_id).copied().unwrap_or(0);
        if i64::try_from(e.seq).unwrap_or(i64::MAX) <= head {
            print_record(&e, Some(received), &time, json)?;
        }
    }
    loop {
        for (e, received) in data::records_after(&mut db, &mut heads)? {
            print_record(&e, Some(received), &time, json)?;
        }
        use postgres::fallible_iterator::FallibleIterator;
        db.notifications()
            .timeout_iter(Duration::from_secs(1))
            .next()?;
    }
}

/// One record as `watch` prints it.
fn print_record(
    e: &badgegate::journal::Entry,
    received: Option<String>,
    time: &VenueTime,
    json: bool,
) -> anyhow::Result<()> {
    if json {
        let mut v = serde_json::to_value(e)?;
        if let (Some(m), Some(r)) = (v.as_object_mut(), received) {
            m.insert("received_at".into(), r.into());
        }
        println!("{}", json_line(&v));
        return Ok(());
    }
    let b = &e.body;
    let shown = badgegate::rules::shown_claims(b);
    println!(
        "{}  {:<14} #{:<6} {:<10} {:<8} {:<6} {:<15} {:<10} {}",
        time.at_ms(b.at_ms),
        printable(&e.kiosk_id),
        e.seq,
        printable(&b.gate),
        b.kind.code(),
        b.decision.code(),
        b.reason.code(),
        printable(shown.serial.as_deref().unwrap_or("-")),
        printable(if shown.holder.is_empty() {
            "-"
        } else {
            &shown.holder
        })
    );
    Ok(())
}
