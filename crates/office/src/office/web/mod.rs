//! `badgegate office serve`: the security office's web dashboard over the
//! venue database — gates, live decisions, alarms with acknowledgements,
//! the muster list, a badge's story. axum serves it (HTTPS through the
//! system's OpenSSL when given a certificate); askama renders the pages;
//! one hub thread reads the database once for every open browser and
//! pushes what changed as server-sent events.
//!
//! - [`users`]: office users (Argon2id) and sign-ins.
//! - [`data`]: the queries the pages make.
//! - [`hub`]: the thread that watches the database and pushes events.
//! - [`pages`]: routes, handlers and templates.
//! - [`words`]: what the pages say, in each language.

pub mod data;
mod hub;
mod pages;
mod patrol;
pub mod users;
mod words;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use postgres::Client;

use super::OfficeError;

/// How long the dashboard waits to reach the database.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The application names the server shows for the pages' connections and
/// the hub's.
pub const PAGES_APP_NAME: &str = "badgegate-dashboard";
pub const HUB_APP_NAME: &str = "badgegate-dashboard-hub";
/// Database connections the pages use at most at once.
const POOL_SIZE: usize = 8;

/// How the dashboard shows times: in the office's time zone.
#[derive(Clone, Debug)]
pub struct WebClock {
    tz: jiff::tz::TimeZone,
    name: String,
    words: &'static words::DashWords,
}

impl WebClock {
    /// This computer's zone, or a named IANA zone.
    pub fn new(zone: Option<&str>) -> Result<WebClock, OfficeError> {
        match zone {
            Some(z) => Ok(WebClock {
                tz: jiff::tz::TimeZone::get(z).map_err(|_| {
                    OfficeError::Refused(format!(
                        "time zone {z:?} is not known; give an IANA name like Europe/Geneva"
                    ))
                })?,
                name: z.to_owned(),
                words: &words::EN,
            }),
            None => {
                let tz = jiff::tz::TimeZone::system();
                let name = tz.iana_name().unwrap_or("local time").to_owned();
                Ok(WebClock {
                    tz,
                    name,
                    words: &words::EN,
                })
            }
        }
    }

    /// This clock speaking another language.
    pub fn speaking(mut self, words: &'static words::DashWords) -> WebClock {
        self.words = words;
        self
    }

    /// The words the pages say.
    pub fn words(&self) -> &'static words::DashWords {
        self.words
    }

    /// The zone's name.
    pub fn zone_name(&self) -> &str {
        &self.name
    }

    /// `text` (an alarm's words, stored with UTC moments) with each moment
    /// in this clock's zone, to the second, with the zone's abbreviation.
    pub fn restamp(&self, text: &str) -> String {
        badgegate_core::clock::restamp_with(text, |ms| {
            match jiff::Timestamp::from_millisecond(ms.min(i64::MAX as u64) as i64) {
                Ok(ts) => ts
                    .to_zoned_datetime(self.tz.clone())
                    .strftime("%Y-%m-%d %H:%M:%S %Z")
                    .to_string(),
                Err(_) => format!("@{ms}"),
            }
        })
    }

    /// `14:03:07` today, `Thu 26 14:03:07` this month, else the full date.
    pub fn when(&self, at_ms: i64) -> String {
        let Ok(ts) = jiff::Timestamp::from_millisecond(at_ms) else {
            return "?".into();
        };
        let t = ts.to_zoned_datetime(self.tz.clone());
        let now = jiff::Timestamp::now().to_zoned_datetime(self.tz.clone());
        if t.date() == now.date() {
            t.strftime("%H:%M:%S").to_string()
        } else if t.year() == now.year() && t.month() == now.month() {
            t.strftime("%a %d %H:%M:%S").to_string()
        } else {
            t.strftime("%Y-%m-%d %H:%M:%S").to_string()
        }
    }

    /// How long ago, in plain words.
    pub fn ago(&self, at_ms: i64) -> String {
        let now = jiff::Timestamp::now().as_millisecond();
        self.words
            .span(u64::try_from((now - at_ms).max(0) / 1000).unwrap_or(0))
    }

    /// The date and time now with the zone, for a page that may be
    /// printed: `2026-12-06 09:06:50 +05 (Asia/Tashkent)`.
    pub fn stamp(&self) -> String {
        let t = jiff::Timestamp::now().to_zoned_datetime(self.tz.clone());
        format!("{} ({})", t.strftime("%Y-%m-%d %H:%M:%S %Z"), self.name)
    }

    /// The time now, `HH:MM:SS`.
    pub fn now(&self) -> String {
        self.when(jiff::Timestamp::now().as_millisecond())
    }
}

/// How `office serve` was asked to run.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    pub db_url: String,
    pub listen: Option<SocketAddr>,
    pub tls: Option<(PathBuf, PathBuf)>,
    pub insecure_http: bool,
    pub session: Duration,
    pub time_zone: Option<String>,
    /// The pages' language (`en`, `ru`, `tg`); `None`: the venue policy's.
    pub language: Option<String>,
    /// The office's log: sign-ins, acknowledgements, the database lost
    /// and found (each line starts with the venue's time).
    pub log: badgegate_core::notice::Notices,
    /// The kiosks' trust folder, for the patrol page at `/patrol/`
    /// (`None`: no patrol page).
    pub patrol_trust: Option<PathBuf>,
}

/// Connections to the office database for the pages, reused.
pub struct Db {
    url: String,
    idle: Mutex<Vec<Client>>,
    permits: tokio::sync::Semaphore,
}

impl Db {
    fn new(url: &str) -> Db {
        Db {
            url: url.to_owned(),
            idle: Mutex::new(Vec::new()),
            permits: tokio::sync::Semaphore::new(POOL_SIZE),
        }
    }

    /// Runs `f` on a connection, on a thread that may block.
    pub async fn run<T, F>(self: &Arc<Self>, f: F) -> Result<T, OfficeError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Client) -> Result<T, OfficeError> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| OfficeError::Refused("the dashboard is stopping".into()))?;
        let db = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let held = db.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let mut client = match held {
                Some(c) if !c.is_closed() => c,
                _ => super::connect::connect_named(&db.url, CONNECT_TIMEOUT, PAGES_APP_NAME)?,
            };
            let out = f(&mut client);
            if !client.is_closed() {
                db.idle
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(client);
            }
            out
        })
        .await
        .map_err(|e| OfficeError::Refused(format!("a page's database work failed: {e}")))?
    }
}

/// Checks the database before serving: reachable, the venue schema with
/// the dashboard's tables, and a login that can read the venue record (a
/// kiosk's or a desk's cannot).
pub fn check_database(url: &str) -> Result<Client, OfficeError> {
    let mut db = super::connect::connect(url, CONNECT_TIMEOUT)?;
    super::admin::check_dashboard(&mut db)?;
    let readable = db
        .query_one(
            "SELECT has_table_privilege('badgegate.records', 'SELECT')
                AND has_table_privilege('badgegate.acks', 'INSERT')
                AND has_table_privilege('badgegate.office_users', 'SELECT')",
            &[],
        )?
        .get::<_, bool>(0);
    if !readable {
        return Err(OfficeError::Refused(
            "this login cannot read the venue record: serve the dashboard with the office's admin URL (a kiosk's or a desk's connection cannot)".into(),
        ));
    }
    Ok(db)
}

/// Where to listen, refusing plain HTTP beyond this computer unless asked.
pub fn listen_address(cfg: &ServeConfig) -> Result<SocketAddr, OfficeError> {
    let default: SocketAddr = if cfg.tls.is_some() {
        SocketAddr::from(([0, 0, 0, 0], 8443))
    } else {
        SocketAddr::from(([127, 0, 0, 1], 8080))
    };
    let addr = cfg.listen.unwrap_or(default);
    if cfg.tls.is_none() && !addr.ip().is_loopback() && !cfg.insecure_http {
        return Err(OfficeError::Refused(format!(
            "without --tls-cert and --tls-key the dashboard serves this computer only; --listen {addr} would send passwords and names unencrypted: give a certificate, or add --insecure-http"
        )));
    }
    Ok(addr)
}

/// Runs the dashboard until Ctrl+C or SIGTERM. `ready` is told the address
/// it listens on.
pub fn serve(
    cfg: ServeConfig,
    ready: impl FnOnce(&str) + Send + 'static,
) -> Result<(), OfficeError> {
    let addr = listen_address(&cfg)?;
    let mut db = check_database(&cfg.db_url)?;
    // The zone asked for, else the venue's as its gates recorded it, else
    // this computer's.
    let policy = super::views::recorded_policy(&mut db)?;
    let recorded = match cfg.time_zone {
        Some(_) => None,
        None => policy
            .as_deref()
            .and_then(badgegate_core::clock::VenueTime::named_in_policy_record)
            .map(|v| v.name()),
    };
    // The language asked for, else the one the venue's policy names.
    let language = cfg.language.clone().or_else(|| {
        policy
            .as_deref()
            .and_then(badgegate_core::rules::language_named_in_policy_record)
    });
    let clock = WebClock::new(cfg.time_zone.as_deref().or(recorded.as_deref()))?
        .speaking(words::words_for(language.as_deref()));
    // The event's name, as the gates recorded its signed policy.
    let venue = policy
        .as_deref()
        .and_then(badgegate_core::rules::venue_named_in_policy_record)
        .unwrap_or_default();
    let users = users::enabled_users(&mut db)?;
    let patrol_venue = super::central::venue_of(&mut db)?.unwrap_or_default();
    drop(db);
    let patrol = match &cfg.patrol_trust {
        Some(dir) => {
            super::patrol::ready()?;
            Some(super::patrol::read_trust(dir)?)
        }
        None => None,
    };
    let tls = match &cfg.tls {
        Some((cert, key)) => Some(
            axum_server::tls_openssl::OpenSSLConfig::from_pem_file(cert, key).map_err(|e| {
                OfficeError::Refused(format!(
                    "cannot use the certificate {} with the key {}: {e}",
                    cert.display(),
                    key.display()
                ))
            })?,
        ),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mut app = pages::App::new(&cfg, clock, tls.is_some());
    app.venue = venue;
    app.patrol = patrol;
    app.patrol_venue = patrol_venue;
    let app = Arc::new(app);
    // Users known before the first request, not a second later.
    app.sessions.set_users(users);
    hub::start(Arc::clone(&app));
    let router = pages::router(Arc::clone(&app));
    runtime.block_on(async move {
        let handle = axum_server::Handle::new();
        let stopper = handle.clone();
        tokio::spawn(async move {
            stop_signal().await;
            stopper.graceful_shutdown(Some(Duration::from_secs(2)));
        });
        let announce = handle.clone();
        let scheme = if tls.is_some() { "https" } else { "http" };
        tokio::spawn(async move {
            if let Some(a) = announce.listening().await {
                ready(&format!("{scheme}://{a}"));
            }
        });
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        match tls {
            Some(t) => {
                axum_server::bind_openssl(addr, t)
                    .handle(handle)
                    .serve(service)
                    .await
            }
            None => axum_server::bind(addr).handle(handle).serve(service).await,
        }
        .map_err(|e| OfficeError::Refused(format!("cannot listen on {addr}: {e}")))
    })
}

/// Ctrl+C or SIGTERM.
async fn stop_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async {
            match term.as_mut() {
                Some(t) => { t.recv().await; }
                None => std::future::pending::<()>().await,
            }
        } => {}
    }
}
