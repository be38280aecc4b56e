//! The dashboard's routes: sign-in, the five pages (gates, live, alarms,
//! muster, a badge's story), acknowledging an alarm, and the event stream.
//! Every route but the sign-in page and the static files needs a signed-in
//! office user: pages send a browser to sign in, the event stream and
//! forms answer 401.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Query, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use tokio::sync::broadcast;

use super::data::{self, AlarmRow, GateTile, ListInfo, LiveRecord, MusterRow};
use super::hub::{Push, Snapshot};
use super::users::{Session, Sessions, SignInRefused};
use super::words::DashWords;
use super::{Db, ServeConfig, WebClock};
use crate::office::OfficeError;

/// The session cookie's name.
const COOKIE: &str = "bg_session";
/// Records the live page starts with.
const LIVE_ROWS: i64 = 100;
/// Minutes the live page's chart spans.
const CHART_MINUTES: i64 = 60;

/// What every handler shares.
pub struct App {
    pub db_url: String,
    pub db: Arc<Db>,
    pub clock: WebClock,
    pub sessions: Sessions,
    pub session_life: Duration,
    pub events: broadcast::Sender<Arc<Push>>,
    pub snapshot: RwLock<Snapshot>,
    pub tls: bool,
    /// Password checks running at once.
    pub hashing: tokio::sync::Semaphore,
    /// The office's log.
    pub log: badgegate_core::notice::Notices,
    /// The event's name (empty: no gate has recorded a policy yet).
    pub venue: String,
    /// The trust the patrol page hands phones to pin (`--patrol-trust`);
    /// `None`: no patrol page is served.
    pub patrol: Option<crate::office::patrol::PatrolTrust>,
    /// This office's venue (`office init --venue`), for phones' keys
    /// granted to some venues only; empty: none named.
    pub patrol_venue: String,
}

impl App {
    pub fn new(cfg: &ServeConfig, clock: WebClock, tls: bool) -> App {
        App {
            db_url: cfg.db_url.clone(),
            db: Arc::new(Db::new(&cfg.db_url)),
            clock,
            sessions: Sessions::new(cfg.session),
            session_life: cfg.session,
            events: broadcast::channel(4096).0,
            snapshot: RwLock::new(Snapshot::default()),
            tls,
            hashing: tokio::sync::Semaphore::new(2),
            log: cfg.log.clone(),
            venue: String::new(),
            patrol: None,
            patrol_venue: String::new(),
        }
    }

    fn snapshot(&self) -> Snapshot {
        self.snapshot
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

type Shared = Arc<App>;

/// The routes.
pub fn router(app: Shared) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/gates") }))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/session", get(session_check))
        .route("/gates", get(gates_page))
        .route("/live", get(live_page))
        .route("/alarms", get(alarms_page))
        .route("/alarms/list", get(alarms_list))
        .route("/alarms/ack", post(acknowledge))
        .route("/alarms/ack-many", post(acknowledge_many))
        .route("/muster", get(muster_page))
        .route("/muster/list", get(muster_list))
        .route("/badge", get(badge_search))
        .route("/badge/{serial}", get(badge_page))
        .route("/events", get(events))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .merge(super::patrol::routes())
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(app)
}

/// Headers on every answer: no framing, no sniffing, no referrer, scripts
/// and styles only from the dashboard itself, nothing cached.
async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// A signed-in request: the user's session and its cookie's token.
pub struct Signed {
    pub session: Session,
    pub token: String,
}

/// A request without a valid sign-in.
pub enum Anonymous {
    /// A page: go and sign in.
    Page,
    /// The event stream, a form, a fragment: 401.
    Other,
}

impl IntoResponse for Anonymous {
    fn into_response(self) -> Response {
        match self {
            Anonymous::Page => Redirect::to("/login").into_response(),
            Anonymous::Other => (
                StatusCode::UNAUTHORIZED,
                "sign in to the badgegate office dashboard first\n",
            )
                .into_response(),
        }
    }
}

/// The session cookie's value, if sent.
fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

impl FromRequestParts<Shared> for Signed {
    type Rejection = Anonymous;

    async fn from_request_parts(parts: &mut Parts, app: &Shared) -> Result<Self, Self::Rejection> {
        let page = parts.method == Method::GET
            && !matches!(
                parts.uri.path(),
                "/events" | "/alarms/list" | "/muster/list" | "/session"
            );
        let reject = if page {
            Anonymous::Page
        } else {
            Anonymous::Other
        };
        let token = cookie_token(&parts.headers).ok_or(reject)?;
        let reject = if page {
            Anonymous::Page
        } else {
            Anonymous::Other
        };
        let session = app.sessions.get(&token, Instant::now()).ok_or(reject)?;
        Ok(Signed { session, token })
    }
}

/// A page's failure: the database could not answer.
pub struct PageError(OfficeError);

impl From<OfficeError> for PageError {
    fn from(e: OfficeError) -> PageError {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let text = match &self.0 {
            OfficeError::Refused(w) => w.clone(),
            e => format!(
                "the office database did not answer: {e}. The page will work again when it does."
            ),
        };
        let status = match &self.0 {
            OfficeError::Refused(_) => StatusCode::BAD_REQUEST,
            _ => StatusCode::SERVICE_UNAVAILABLE,
        };
        (status, Html(format!("<!doctype html><meta charset=utf-8><link rel=stylesheet href=/static/app.css><main><p class=error>{}</p><p><a href=\"javascript:history.back()\">Back</a></p></main>", badgegate_audit::audit::report::esc(&text)))).into_response()
    }
}

/// What the header of every page shows.
pub struct Head {
    pub user: String,
    pub csrf: String,
    pub zone: String,
    pub unacked: i64,
    pub nav: &'static str,
    pub as_of: String,
    pub venue: String,
    pub w: &'static DashWords,
}

fn head(app: &App, s: &Session, nav: &'static str) -> Head {
    let snap = app.snapshot.read().unwrap_or_else(|p| p.into_inner());
    Head {
        user: s.user.clone(),
        csrf: s.csrf.clone(),
        zone: app.clock.zone_name().to_owned(),
        unacked: snap.unacked,
        nav,
        as_of: snap.as_of.clone(),
        venue: app.venue.clone(),
        w: app.clock.words(),
    }
}

/// Renders a template, or says why it could not.
fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot draw the page: {e}\n"),
        )
            .into_response(),
    }
}

#[derive(Template)]
#[template(path = "office/login.html")]
struct LoginTemplate {
    message: String,
    user: String,
    w: &'static DashWords,
}

async fn login_page(State(app): State<Shared>) -> Response {
    render(&LoginTemplate {
        message: String::new(),
        user: String::new(),
        w: app.clock.words(),
    })
}

#[derive(Deserialize)]
struct LoginForm {
    user: String,
    password: String,
}

async fn login(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(f): Form<LoginForm>,
) -> Response {
    let refuse = |status: StatusCode, message: String, user: &str| {
        let mut r = render(&LoginTemplate {
            message,
            user: user.chars().take(40).collect(),
            w: app.clock.words(),
        });
        *r.status_mut() = status;
        r
    };
    if let Some(wait) = app.sessions.held_back(&f.user, Instant::now()) {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many failed sign-ins for this name: try again in {} s.",
                wait.as_secs() + 1
            ),
            &f.user,
        );
    }
    let checker = Arc::clone(&app);
    let user = f.user.clone();
    // Two password checks at a time: each takes 19 MiB (Argon2id), and a
    // burst of sign-ins must not grow the dashboard without bound.
    let Ok(_permit) = app.hashing.acquire().await else {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "The dashboard is stopping.".into(),
            &f.user,
        );
    };
    let signed = tokio::task::spawn_blocking(move || {
        let s = checker.sessions.sign_in(&user, &f.password, Instant::now());
        // Hand the hash's memory back to the system at once.
        // SAFETY: malloc_trim only releases free heap pages.
        unsafe { libc::malloc_trim(0) };
        s
    })
    .await
    .unwrap_or(Err(SignInRefused::Wrong));
    let token = match signed {
        Ok((token, _)) => token,
        Err(why) => {
            app.log.say(format!(
                "{} sign-in refused for {:?} from {}",
                app.clock.now(),
                badgegate_core::text::printable_short(&f.user, 60),
                peer.ip()
            ));
            return match why {
                SignInRefused::HeldBack(wait) => refuse(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!(
                        "Too many failed sign-ins for this name: try again in {} s.",
                        wait.as_secs() + 1
                    ),
                    &f.user,
                ),
                SignInRefused::Wrong => refuse(
                    StatusCode::UNAUTHORIZED,
                    "Wrong name or password. Office users are made with `badgegate office add-user`; kiosk and desk logins cannot sign in here.".into(),
                    &f.user,
                ),
            };
        }
    };
    app.log.say(format!(
        "{} {} signed in from {}",
        app.clock.now(),
        f.user,
        peer.ip()
    ));
    let cookie = format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        app.session_life.as_secs(),
        if app.tls { "; Secure" } else { "" }
    );
    let mut r = Redirect::to("/gates").into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(State(app): State<Shared>, s: Signed, Form(f): Form<CsrfForm>) -> Response {
    if !Sessions::csrf_ok(&s.session, &f.csrf) {
        return (StatusCode::FORBIDDEN, "stale form: reload the page\n").into_response();
    }
    app.sessions.sign_out(&s.token);
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("bg_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    r
}

async fn session_check(_s: Signed) -> StatusCode {
    StatusCode::NO_CONTENT
}

/// The gate tiles (the gates page, and the hub's pushes).
#[derive(Template)]
#[template(path = "office/tiles.html")]
pub struct TilesTemplate<'a> {
    pub tiles: &'a [GateTile],
    pub w: &'static DashWords,
}

impl TilesTemplate<'_> {
    pub fn html(&self) -> String {
        self.render().unwrap_or_default()
    }
}

/// The signed lists the office holds, with their age (the gates page,
/// and the hub's pushes).
#[derive(Template)]
#[template(path = "office/lists.html")]
pub struct ListsTemplate<'a> {
    pub lists: &'a [ListInfo],
    /// The office's servers in a line, and whether it warns (no standby).
    pub cluster: &'a Option<(String, bool)>,
    pub w: &'static DashWords,
}

impl ListsTemplate<'_> {
    pub fn html(&self) -> String {
        self.render().unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "office/gates.html")]
struct GatesTemplate {
    head: Head,
    tiles_html: String,
    lists_html: String,
    /// The venues of the gates (at the centre of a games), for the filter.
    venues: Vec<String>,
}

async fn gates_page(State(app): State<Shared>, s: Signed) -> Response {
    let snap = app.snapshot();
    render(&GatesTemplate {
        head: head(&app, &s.session, "gates"),
        tiles_html: TilesTemplate {
            tiles: &snap.gates,
            w: app.clock.words(),
        }
        .html(),
        lists_html: ListsTemplate {
            lists: &snap.lists,
            cluster: &snap.cluster,
            w: app.clock.words(),
        }
        .html(),
        venues: {
            let mut v: Vec<String> = snap
                .gates
                .iter()
                .map(|t| t.venue.clone())
                .filter(|v| !v.is_empty())
                .collect();
            v.sort();
            v.dedup();
            v
        },
    })
}

#[derive(Template)]
#[template(path = "office/live.html")]
struct LiveTemplate {
    head: Head,
    records: Vec<LiveRecord>,
    /// The venues (at the centre of a games): a column and a filter.
    venues: Vec<String>,
    gates: Vec<String>,
    zones: Vec<String>,
    chart_json: String,
}

async fn live_page(State(app): State<Shared>, s: Signed) -> Result<Response, PageError> {
    let clock = app.clock.clone();
    let (records, rates) = app
        .db
        .run(move |db| {
            Ok((
                data::recent(db, &clock, LIVE_ROWS)?,
                data::entries_per_minute(db, CHART_MINUTES)?,
            ))
        })
        .await?;
    let snap = app.snapshot();
    let venue_of: std::collections::HashMap<&str, &str> = snap
        .gates
        .iter()
        .map(|t| (t.kiosk_id.as_str(), t.venue.as_str()))
        .collect();
    let mut records = records;
    for r in &mut records {
        r.venue = venue_of
            .get(r.kiosk_id.as_str())
            .map(|v| v.to_string())
            .unwrap_or_default();
    }
    let mut venues: Vec<String> = venue_of
        .values()
        .filter(|v| !v.is_empty())
        .map(|v| v.to_string())
        .collect();
    venues.sort();
    venues.dedup();
    let mut gates: Vec<String> = snap
        .gates
        .iter()
        .map(|g| g.gate.clone())
        .chain(records.iter().map(|r| r.gate.clone()))
        .filter(|g| !g.is_empty())
        .collect();
    gates.sort();
    gates.dedup();
    let mut zones: Vec<String> = records
        .iter()
        .map(|r| r.zone.clone())
        .filter(|z| !z.is_empty())
        .collect();
    zones.sort();
    zones.dedup();
    let chart: Vec<serde_json::Value> = rates
        .iter()
        .map(|(g, m, n)| serde_json::json!([g, m, n]))
        .collect();
    Ok(render(&LiveTemplate {
        head: head(&app, &s.session, "live"),
        records,
        venues,
        gates,
        zones,
        chart_json: serde_json::to_string(&serde_json::json!({
            "minutes": CHART_MINUTES,
            "now_minute": jiff::Timestamp::now().as_millisecond() / 60_000,
            "counts": chart,
        }))
        .unwrap_or_default()
        .replace('<', "\\u003c"),
    }))
}

#[derive(Template)]
#[template(path = "office/alarm_list.html")]
struct AlarmListTemplate {
    alarms: Vec<AlarmRow>,
    csrf: String,
    w: &'static DashWords,
}

#[derive(Template)]
#[template(path = "office/alarms.html")]
struct AlarmsTemplate {
    head: Head,
    list_html: String,
}

async fn alarm_rows(app: &App) -> Result<Vec<AlarmRow>, PageError> {
    let clock = app.clock.clone();
    Ok(app.db.run(move |db| data::alarms(db, &clock)).await?)
}

async fn alarms_page(State(app): State<Shared>, s: Signed) -> Result<Response, PageError> {
    let alarms = alarm_rows(&app).await?;
    let list_html = AlarmListTemplate {
        alarms,
        csrf: s.session.csrf.clone(),
        w: app.clock.words(),
    }
    .render()
    .unwrap_or_default();
    Ok(render(&AlarmsTemplate {
        head: head(&app, &s.session, "alarms"),
        list_html,
    }))
}

async fn alarms_list(State(app): State<Shared>, s: Signed) -> Result<Response, PageError> {
    let alarms = alarm_rows(&app).await?;
    Ok(render(&AlarmListTemplate {
        alarms,
        csrf: s.session.csrf,
        w: app.clock.words(),
    }))
}

#[derive(Deserialize)]
struct AckForm {
    csrf: String,
    subject: String,
    #[serde(default)]
    note: String,
}

async fn acknowledge(
    State(app): State<Shared>,
    s: Signed,
    Form(f): Form<AckForm>,
) -> Result<Response, PageError> {
    if !Sessions::csrf_ok(&s.session, &f.csrf) {
        return Ok((StatusCode::FORBIDDEN, "stale form: reload the page\n").into_response());
    }
    let user = s.session.user.clone();
    let subject: data::AckSubject = f.subject.parse()?;
    let note = f.note.chars().take(500).collect::<String>();
    let stored = app
        .db
        .run(move |db| data::acknowledge(db, &subject, &user, Some(&note)))
        .await?;
    app.log.say(format!(
        "{} {} acknowledged {}{}",
        app.clock.now(),
        s.session.user,
        badgegate_core::text::printable(&f.subject),
        if stored {
            ""
        } else {
            " (already acknowledged)"
        }
    ));
    Ok(Redirect::to("/alarms").into_response())
}

/// The most alarms one form acknowledges at once (a page shows at most
/// [`data::PAGE_ROWS`] of each source).
const ACK_MANY_MAX: usize = 1000;

/// Acknowledges every alarm ticked on the alarms page, with one note: the
/// form sends `csrf`, `note` and a `subject` for each ticked row.
async fn acknowledge_many(
    State(app): State<Shared>,
    s: Signed,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let mut csrf = String::new();
    let mut note = String::new();
    let mut subjects = Vec::new();
    for (k, v) in form_urlencoded::parse(&body) {
        match &*k {
            "csrf" => csrf = v.into_owned(),
            "note" => note = v.chars().take(500).collect(),
            "subject" if subjects.len() < ACK_MANY_MAX => subjects.push(v.into_owned()),
            "subject" => {
                return Ok((
                    StatusCode::BAD_REQUEST,
                    format!("at most {ACK_MANY_MAX} alarms at once\n"),
                )
                    .into_response())
            }
            _ => {}
        }
    }
    if !Sessions::csrf_ok(&s.session, &csrf) {
        return Ok((StatusCode::FORBIDDEN, "stale form: reload the page\n").into_response());
    }
    // Every subject is read before any is stored: one that is not an
    // alarm's name refuses the whole form.
    let parsed = subjects
        .iter()
        .map(|x| x.parse::<data::AckSubject>())
        .collect::<Result<Vec<_>, _>>()?;
    let user = s.session.user.clone();
    let n = parsed.len();
    let stored = app
        .db
        .run(move |db| {
            // All or none: one that names no alarm stores nothing.
            let mut tx = db.transaction()?;
            let mut stored = 0;
            for subject in &parsed {
                stored += usize::from(data::acknowledge(&mut tx, subject, &user, Some(&note))?);
            }
            tx.commit()?;
            Ok(stored)
        })
        .await?;
    app.log.say(format!(
        "{} {} acknowledged {stored} alarm(s) at once ({} already acknowledged)",
        app.clock.now(),
        s.session.user,
        n - stored
    ));
    Ok(Redirect::to("/alarms").into_response())
}

#[derive(Deserialize, Default)]
struct MusterQuery {
    #[serde(default)]
    zone: String,
    #[serde(default)]
    q: String,
}

/// The muster list's zones and counts, for the page and its list.
struct ZoneCount {
    zone: String,
    count: usize,
}

#[derive(Template)]
#[template(path = "office/muster_list.html")]
struct MusterListTemplate {
    people: Vec<MusterRow>,
    counts: Vec<ZoneCount>,
    /// How many of `people` are revoked while inside; admitted with a
    /// check pending.
    revoked_inside: usize,
    pending: usize,
    w: &'static DashWords,
    stale_gates: Vec<GateTile>,
    printed: String,
    /// Answered from the dashboard's last good look (the database did not
    /// answer): as of this time.
    stale_as_of: Option<String>,
}

/// How long a page waits for the database before answering from the last
/// good look.
const PAGE_DB_WAIT: Duration = Duration::from_secs(2);

#[derive(Template)]
#[template(path = "office/muster.html")]
struct MusterTemplate {
    head: Head,
    zones: Vec<String>,
    zone: String,
    q: String,
    list_html: String,
}

async fn muster_data(
    app: &App,
    m: &MusterQuery,
) -> Result<(MusterListTemplate, Vec<String>), PageError> {
    let clock = app.clock.clone();
    let zone = Some(m.zone.clone()).filter(|z| !z.is_empty());
    let q = Some(m.q.clone()).filter(|q| !q.trim().is_empty());
    let (zone_wanted, q_wanted) = (zone.clone(), q.clone());
    let asked = app.db.run(move |db| {
        Ok((
            data::muster(db, &clock, zone.as_deref(), q.as_deref())?,
            data::zones(db)?,
        ))
    });
    // The muster list is needed most when the office may be in trouble:
    // a database that does not answer in time gets the last good look,
    // marked with its time.
    let (people, zones, stale_as_of) = match tokio::time::timeout(PAGE_DB_WAIT, asked).await {
        Ok(Ok((people, zones))) => (people, zones, None),
        answered => {
            let snap = app.snapshot();
            if snap.looked_at.is_none() {
                return Err(match answered {
                    Ok(Err(e)) => e.into(),
                    _ => OfficeError::Refused("the office database is not answering".into()).into(),
                });
            }
            let wanted = q_wanted.as_deref().map(|q| q.trim().to_lowercase());
            let people = snap
                .muster
                .into_iter()
                .filter(|p| zone_wanted.as_deref().is_none_or(|z| p.zone == z))
                .filter(|p| {
                    wanted.as_deref().is_none_or(|q| {
                        [&p.serial, &p.holder, &p.org]
                            .iter()
                            .any(|f| f.to_lowercase().contains(q))
                    })
                })
                .collect();
            (people, snap.zones, Some(snap.as_of))
        }
    };
    let mut counts: Vec<ZoneCount> = Vec::new();
    for p in &people {
        match counts.last_mut() {
            Some(c) if c.zone == p.zone => c.count += 1,
            _ => counts.push(ZoneCount {
                zone: p.zone.clone(),
                count: 1,
            }),
        }
    }
    let stale_gates = app
        .snapshot()
        .gates
        .into_iter()
        .filter(|g| g.state == data::GateState::Offline || g.state == data::GateState::NeverSeen)
        .collect();
    let revoked_inside = people.iter().filter(|p| p.revoked.is_some()).count();
    let pending = people.iter().filter(|p| p.check_pending).count();
    Ok((
        MusterListTemplate {
            people,
            counts,
            revoked_inside,
            pending,
            stale_gates,
            printed: app.clock.stamp(),
            stale_as_of,
            w: app.clock.words(),
        },
        zones,
    ))
}

async fn muster_page(
    State(app): State<Shared>,
    s: Signed,
    Query(m): Query<MusterQuery>,
) -> Result<Response, PageError> {
    let (list, zones) = muster_data(&app, &m).await?;
    Ok(render(&MusterTemplate {
        head: head(&app, &s.session, "muster"),
        zones,
        zone: m.zone,
        q: m.q,
        list_html: list.render().unwrap_or_default(),
    }))
}

async fn muster_list(
    State(app): State<Shared>,
    _s: Signed,
    Query(m): Query<MusterQuery>,
) -> Result<Response, PageError> {
    let (list, _) = muster_data(&app, &m).await?;
    Ok(render(&list))
}

#[derive(Deserialize)]
struct BadgeQuery {
    #[serde(default)]
    serial: String,
}

async fn badge_search(_s: Signed, Query(b): Query<BadgeQuery>) -> Response {
    let serial = b.serial.trim();
    if serial.is_empty() {
        return Redirect::to("/muster").into_response();
    }
    let encoded = percent_encoding::utf8_percent_encode(serial, percent_encoding::NON_ALPHANUMERIC);
    Redirect::to(&format!("/badge/{encoded}")).into_response()
}

#[derive(Template)]
#[template(path = "office/badge.html")]
struct BadgeTemplate {
    head: Head,
    serial: String,
    records: Vec<LiveRecord>,
    /// Badges presented under this serial that the signature did not
    /// vouch for: shown apart, never as the holder's.
    forgeries: Vec<LiveRecord>,
    inside: Vec<MusterRow>,
}

async fn badge_page(
    State(app): State<Shared>,
    s: Signed,
    Path(serial): Path<String>,
) -> Result<Response, PageError> {
    let clock = app.clock.clone();
    let wanted = serial.clone();
    let (story, inside) = app
        .db
        .run(move |db| {
            let story = data::story(db, &clock, &wanted)?;
            let inside = data::muster(db, &clock, None, Some(&wanted))?
                .into_iter()
                .filter(|p| p.serial.eq_ignore_ascii_case(&wanted))
                .collect();
            Ok((story, inside))
        })
        .await?;
    // The serial as the badges carry it, whatever case was typed.
    let serial = story.serial.unwrap_or(serial);
    Ok(render(&BadgeTemplate {
        head: head(&app, &s.session, "badge"),
        serial,
        records: story.records,
        forgeries: story.forgeries,
        inside,
    }))
}

/// The event stream: the snapshot, then every push, until the sign-in
/// ends (then `bye`).
async fn events(
    State(app): State<Shared>,
    s: Signed,
) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let snap = app.snapshot();
    let first: Vec<Arc<Push>> = [snap.office_push, snap.gates_push, snap.alarms_push]
        .into_iter()
        .flatten()
        .map(Arc::new)
        .collect();
    let rx = app.events.subscribe();
    struct St {
        first: std::vec::IntoIter<Arc<Push>>,
        rx: broadcast::Receiver<Arc<Push>>,
        app: Shared,
        token: String,
        done: bool,
    }
    let st = St {
        first: first.into_iter(),
        rx,
        app,
        token: s.token,
        done: false,
    };
    let stream = futures_util::stream::unfold(st, |mut st| async move {
        if st.done {
            return None;
        }
        if let Some(p) = st.first.next() {
            let e = Event::default().event(p.event).data(p.data.clone());
            return Some((Ok(e), st));
        }
        let p = match st.rx.recv().await {
            Ok(p) => p,
            Err(broadcast::error::RecvError::Lagged(n)) => Arc::new(Push {
                event: "lagged",
                data: n.to_string(),
            }),
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        if st.app.sessions.get(&st.token, Instant::now()).is_none() {
            st.done = true;
            return Some((Ok(Event::default().event("bye").data("signed out")), st));
        }
        let e = Event::default().event(p.event).data(p.data.clone());
        Some((Ok(e), st))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        include_str!("../../../assets/web/app.css"),
    )
        .into_response()
}

async fn js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        include_str!("../../../assets/web/app.js"),
    )
        .into_response()
}
