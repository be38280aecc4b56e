//! The patrol page's routes (`/patrol/`): its files, `config.json` with
//! the trust phones pin, and its small API — enrolment with an office
//! user's name and password, the signed lists and photos a phone takes
//! (with its token), and the records it sends. The page itself and its
//! verifier are in `crates/phone`; what they take and send is checked in
//! [`crate::office::patrol`].

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::pages::App;
use super::users::SignInRefused;
use crate::office::patrol;
use crate::office::OfficeError;

type Shared = Arc<App>;

/// The page's content security policy: its own files only, WebAssembly
/// compiled from them, photos and the camera as blobs and streams.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// Largest request body the API takes (a batch of records).
const MAX_BODY: usize = 4 << 20;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/patrol", get(|| async { Redirect::permanent("/patrol/") }))
        .route("/patrol/", get(|s| file(s, Path(String::new()))))
        .route("/patrol/config.json", get(config))
        .route("/patrol/api/enrol", post(enrol))
        .route("/patrol/api/data", get(data))
        .route("/patrol/api/photo/{serial}", get(photo))
        .route("/patrol/api/records", post(records))
        .route("/patrol/{*name}", get(file))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
}

fn with_headers(mut r: Response, cache: &'static str) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(self), microphone=(), geolocation=()"),
    );
    r
}

fn text(status: StatusCode, what: impl Into<String>) -> Response {
    with_headers(
        (status, format!("{}\n", what.into())).into_response(),
        "no-store",
    )
}

fn failed(e: OfficeError) -> Response {
    match e {
        OfficeError::Refused(w) => text(StatusCode::BAD_REQUEST, w),
        e => text(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the office database did not answer: {e}; the phone keeps its records and tries again"),
        ),
    }
}

fn not_served() -> Response {
    text(
        StatusCode::NOT_FOUND,
        "this office serves no patrol page: start `badgegate office serve` with --patrol-trust DIR (the kiosks' trust folder)",
    )
}

async fn file(State(app): State<Shared>, Path(name): Path<String>) -> Response {
    if app.patrol.is_none() {
        return not_served();
    }
    if name == "phone.wasm" {
        if let Err(e) = patrol::ready() {
            return failed(e);
        }
    }
    match patrol::asset(&name) {
        Some(bytes) => {
            let r = (
                [(
                    header::CONTENT_TYPE,
                    patrol::content_type(if name.is_empty() { "index.html" } else { &name }),
                )],
                bytes.into_owned(),
            )
                .into_response();
            with_headers(r, "no-cache")
        }
        None => text(StatusCode::NOT_FOUND, "no such file in the patrol page"),
    }
}

async fn config(State(app): State<Shared>) -> Response {
    let Some(trust) = &app.patrol else {
        return not_served();
    };
    let venue = (!app.patrol_venue.is_empty()).then_some(app.patrol_venue.as_str());
    let r = (
        [(header::CONTENT_TYPE, "application/json")],
        patrol::config_json(trust, false, venue),
    )
        .into_response();
    with_headers(r, "no-cache")
}

#[derive(Deserialize)]
struct EnrolRequest {
    user: String,
    password: String,
    /// The phone's Ed25519 public key, 64 hex digits.
    public: String,
}

/// Enrols a phone: the office user's password is checked as the
/// dashboard's sign-in checks it (same hold-back after failures).
async fn enrol(
    State(app): State<Shared>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    Json(req): Json<EnrolRequest>,
) -> Response {
    if app.patrol.is_none() {
        return not_served();
    }
    let Ok(_permit) = app.hashing.acquire().await else {
        return text(StatusCode::SERVICE_UNAVAILABLE, "the office is stopping");
    };
    let checker = Arc::clone(&app);
    let (user, password) = (req.user.clone(), req.password);
    let signed = tokio::task::spawn_blocking(move || {
        let s = checker.sessions.sign_in(&user, &password, Instant::now());
        if let Ok((token, _)) = &s {
            // The phone gets a token of its own, not a dashboard session.
            checker.sessions.sign_out(token);
        }
        s
    })
    .await
    .unwrap_or(Err(SignInRefused::Wrong));
    match signed {
        Ok(_) => {}
        Err(SignInRefused::HeldBack(wait)) => {
            return text(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "too many failed sign-ins for this name: try again in {} s",
                    wait.as_secs() + 1
                ),
            )
        }
        Err(_) => {
            app.log.say(format!(
                "{} patrol enrolment refused for {:?} from {}",
                app.clock.now(),
                badgegate_core::text::printable_short(&req.user, 60),
                peer.ip()
            ));
            return text(StatusCode::UNAUTHORIZED, "wrong user name or password");
        }
    }
    let user = req.user.clone();
    let key = req.public.clone();
    match app.db.run(move |db| patrol::enrol(db, &user, &key)).await {
        Ok((kiosk_id, token)) => {
            app.log.say(format!(
                "{} {} enrolled patrol phone {kiosk_id} from {}",
                app.clock.now(),
                req.user,
                peer.ip()
            ));
            with_headers(
                Json(json!({ "kiosk_id": kiosk_id, "token": token })).into_response(),
                "no-store",
            )
        }
        Err(e) => failed(e),
    }
}

/// The phone a request's token names.
async fn phone(app: &Shared, headers: &HeaderMap) -> Result<String, Response> {
    if app.patrol.is_none() {
        return Err(not_served());
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
        .to_owned();
    match app.db.run(move |db| patrol::phone_of(db, &token)).await {
        Ok(Some(k)) => Ok(k),
        Ok(None) => Err(text(
            StatusCode::UNAUTHORIZED,
            "this phone is not enrolled here (or was retired): enrol it again",
        )),
        Err(e) => Err(failed(e)),
    }
}

async fn data(State(app): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(r) = phone(&app, &headers).await {
        return r;
    }
    match app.db.run(patrol::data).await {
        Ok(v) => with_headers(Json(v).into_response(), "no-store"),
        Err(e) => failed(e),
    }
}

async fn photo(
    State(app): State<Shared>,
    headers: HeaderMap,
    Path(serial): Path<String>,
) -> Response {
    if let Err(r) = phone(&app, &headers).await {
        return r;
    }
    match app.db.run(move |db| patrol::photo(db, &serial)).await {
        Ok(Some(bytes)) => with_headers(
            ([(header::CONTENT_TYPE, "image/jpeg")], bytes).into_response(),
            "no-store",
        ),
        Ok(None) => text(StatusCode::NOT_FOUND, "no photo for this serial"),
        Err(e) => failed(e),
    }
}

#[derive(Deserialize)]
struct RecordsRequest {
    records: Vec<Value>,
}

async fn records(
    State(app): State<Shared>,
    headers: HeaderMap,
    Json(req): Json<RecordsRequest>,
) -> Response {
    let kiosk = match phone(&app, &headers).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    let who = kiosk.clone();
    match app
        .db
        .run(move |db| patrol::take_records(db, &who, &req.records))
        .await
    {
        Ok(head) => with_headers(Json(json!({ "head": head })).into_response(), "no-store"),
        Err(e) => {
            app.log.say(format!(
                "{} records from patrol phone {kiosk} refused: {e}",
                app.clock.now()
            ));
            failed(e)
        }
    }
}
