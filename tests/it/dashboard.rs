//! The security office's web dashboard (`office serve`) in a real headless
//! Chromium, against a real throw-away PostgreSQL and real kiosk
//! processes: signing in, decisions pushed to the live page, a stopped
//! kiosk's tile going OFFLINE, a revoked badge's alarm acknowledged and
//! stored with the user, the muster list equal to `office inside`, and
//! anonymous requests and kiosk logins refused. Screenshots of every page
//! at 1920x1080 are kept in `target/tmp/dashboard-screenshots/`.

use crate::common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::browser::Browser;
use common::pg::Pg;
use common::{office, Desk, LiveKiosk};

fn kiosk(desk: &Desk, id: &str, zone: &str, direction: &str) -> LiveKiosk {
    let args = common::venue_kiosk_args(id, zone, &["--direction", direction]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    LiveKiosk::start(desk.path(), &refs)
}

/// `office serve` on a free localhost port; its base URL.
pub(crate) fn serve(desk: &Desk, db: &str, extra: &[&str]) -> (LiveKiosk, String) {
    let mut args = vec![
        "office",
        "serve",
        "--db",
        db,
        "--listen",
        "127.0.0.1:0",
        "--time-zone",
        "Europe/Zurich",
    ];
    args.extend_from_slice(extra);
    let server = LiveKiosk::start(desk.path(), &args);
    let start = Instant::now();
    loop {
        let said = server.stderr();
        if let Some(url) = said
            .lines()
            .find_map(|l| l.strip_prefix("office dashboard on "))
            .and_then(|l| l.split_whitespace().next())
        {
            return (server, url.to_owned());
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the dashboard did not start: {said}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn shots() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dashboard-screenshots")
}

/// A plain HTTP client that follows no redirects and takes any status.
fn http() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build(),
    )
}

/// Status, Location header and body of a GET (with a cookie, if given).
pub(crate) fn get(url: &str, cookie: Option<&str>) -> (u16, String, String) {
    let mut req = http().get(url);
    if let Some(c) = cookie {
        req = req.header("Cookie", format!("bg_session={c}"));
    }
    let mut r = req.call().expect("an answer");
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let status = r.status().as_u16();
    // An event stream would never end: read only its first bytes.
    let body = if url.ends_with("/events") && status == 200 {
        String::new()
    } else {
        r.body_mut().read_to_string().unwrap_or_default()
    };
    (status, location, body)
}

fn post_form(url: &str, form: &[(&str, &str)], cookie: Option<&str>) -> (u16, String) {
    let mut req = http().post(url);
    if let Some(c) = cookie {
        req = req.header("Cookie", format!("bg_session={c}"));
    }
    let mut r = req.send_form(form.iter().copied()).expect("an answer");
    (
        r.status().as_u16(),
        r.body_mut().read_to_string().unwrap_or_default(),
    )
}

/// The login and password in a connection file's URI.
fn login_of(file: &std::path::Path) -> (String, String) {
    let text = std::fs::read_to_string(file).unwrap();
    let uri = text
        .lines()
        .find(|l| l.starts_with("postgresql://"))
        .unwrap();
    let creds = uri
        .trim_start_matches("postgresql://")
        .split('@')
        .next()
        .unwrap();
    let (user, password) = creds.split_once(':').unwrap();
    (user.to_owned(), password.to_owned())
}

/// The subject of the open alarm whose row says `words`, on the alarms page.
fn open_alarm(b: &Browser, words: &str) -> String {
    b.run(
        "const r = [...document.querySelectorAll('#alarm-list tr.open')].find(r => r.innerText.includes(arguments[0])); return r ? r.dataset.subject : null",
        serde_json::json!([words]),
    )
    .as_str()
    .unwrap_or_else(|| panic!("no open alarm saying {words}:\n{}", b.text("#alarm-list")))
    .to_owned()
}

pub(crate) fn sign_in(b: &Browser, base: &str, user: &str, password: &str) {
    b.goto(&format!("{base}/login"));
    b.type_into("#user", user);
    b.type_into("#password", password);
    b.click("#sign-in");
    b.wait_for(
        "the gates page after signing in",
        Duration::from_secs(10),
        |b| b.url().ends_with("/gates"),
    );
}

/// The `office inside` list as (zone, serial) pairs.
fn inside_by_cli(desk: &Desk, pg: &Pg) -> Vec<(String, String)> {
    let r = office(desk, pg, &["inside", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json_lines()
        .iter()
        .map(|v| {
            (
                v["zone"].as_str().unwrap().to_owned(),
                v["serial"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_office_dashboard_in_a_real_browser() {
    let Some(pg) = Pg::start() else { return };
    let Some(b) = Browser::start() else { return };
    let desk = Desk::new();
    let r = office(&desk, &pg, &["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for k in ["north", "south"] {
        let r = office(
            &desk,
            &pg,
            &[
                "add-kiosk",
                "--kiosk-id",
                k,
                "--out",
                &format!("{k}.office"),
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let r = office(
        &desk,
        &pg,
        &["add-publisher", "--name", "desk", "--out", "desk.office"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let password = common::office_user(&desk, &pg, "alice");
    assert_eq!(
        pg.sql("SELECT left(password_hash, 10) FROM badgegate.office_users WHERE name = 'alice'"),
        "$argon2id$",
        "stored as an Argon2id hash"
    );
    assert!(!pg
        .sql("SELECT password_hash FROM badgegate.office_users")
        .contains(&password));

    // A kiosk's database login cannot serve the dashboard.
    let (north_login, north_password) = login_of(&desk.p("north.office"));
    let kiosk_url = std::fs::read_to_string(desk.p("north.office"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with("postgresql://"))
        .unwrap()
        .to_owned();
    let r = desk.run(&[
        "office",
        "serve",
        "--db",
        &kiosk_url,
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("cannot read the venue record"),
        "{}",
        r.stderr
    );
    // Plain HTTP beyond localhost is refused unless asked for.
    let r = desk.run(&[
        "office",
        "serve",
        "--db",
        &pg.admin_url(),
        "--listen",
        "0.0.0.0:0",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--insecure-http"), "{}", r.stderr);

    let (server, base) = serve(&desk, &pg.admin_url(), &[]);
    assert!(
        server.stderr().contains("this computer only"),
        "{}",
        server.stderr()
    );
    let mut north = kiosk(&desk, "north", "plenary", "in");
    let mut south = kiosk(&desk, "south", "plenary", "in");

    // Anonymous requests see nothing.
    for page in ["/gates", "/live", "/alarms", "/muster", "/badge/A-1"] {
        let (status, location, body) = get(&format!("{base}{page}"), None);
        assert_eq!((status, location.as_str()), (303, "/login"), "{page}");
        assert!(!body.contains("north"), "{page}: {body}");
    }
    for page in ["/events", "/alarms/list", "/muster/list"] {
        assert_eq!(get(&format!("{base}{page}"), None).0, 401, "{page}");
        assert_eq!(
            get(&format!("{base}{page}"), Some("forged-token")).0,
            401,
            "{page}"
        );
    }
    let (status, _) = post_form(
        &format!("{base}/alarms/ack"),
        &[("subject", "alarm:1"), ("csrf", "x")],
        None,
    );
    assert_eq!(status, 401);
    // A kiosk's login and password are not an office user's.
    let (status, body) = post_form(
        &format!("{base}/login"),
        &[("user", &north_login), ("password", &north_password)],
        None,
    );
    assert_eq!(status, 401);
    assert!(
        body.contains("kiosk and desk logins cannot sign in"),
        "{body}"
    );
    let (status, _) = post_form(
        &format!("{base}/login"),
        &[("user", "alice"), ("password", "not her password")],
        None,
    );
    assert_eq!(status, 401);

    // Signing in; both gates online.
    sign_in(&b, &base, "alice", &password);
    b.wait_for("both gates ONLINE", Duration::from_secs(15), |b| {
        b.run(
            "return document.querySelectorAll('.tile[data-state=online]').length",
            serde_json::json!([]),
        ) == 2
    });
    b.screenshot(&shots().join("gates.png"));

    // A decision at a kiosk appears on the live page without a reload.
    b.goto(&format!("{base}/live"));
    b.wait_for("the event stream open", Duration::from_secs(10), |b| {
        b.text("#conn") == "live"
    });
    b.run("window.notReloaded = true; return 1", serde_json::json!([]));
    let a1 = desk.issue(
        "badges",
        "A-1",
        &["--name", "Amélie Laurent", "--org", "Délégation"],
    );
    north.send(&a1);
    assert_eq!(north.decision()["reason"], "ok");
    let sent = Instant::now();
    b.wait_for(
        "the decision on the live page",
        Duration::from_secs(10),
        |b| b.text("#feed").contains("Amélie Laurent"),
    );
    let took = sent.elapsed();
    eprintln!(
        "decision on the live page {} ms after the kiosk decided",
        took.as_millis()
    );
    assert!(took < Duration::from_secs(2), "took {took:?}");
    assert_eq!(
        b.run("return window.notReloaded === true", serde_json::json!([])),
        true
    );
    let row = b.text("#feed tr");
    assert!(
        row.contains("ADMIT") && row.contains("north") && row.contains("Délégation"),
        "{row}"
    );
    // The filter hides other gates' rows.
    b.run(
        "const s = document.getElementById('f-gate'); s.value = 'south'; s.dispatchEvent(new Event('change')); return 1",
        serde_json::json!([]),
    );
    assert!(!b.text("#feed").contains("Amélie"));
    b.run(
        "const s = document.getElementById('f-gate'); s.value = ''; s.dispatchEvent(new Event('change')); return 1",
        serde_json::json!([]),
    );
    let b2 = desk.issue(
        "badges",
        "B-2",
        &["--name", "Bashir Rahimi", "--org", "Press pool"],
    );
    south.send(&b2);
    assert_eq!(south.decision()["reason"], "ok");
    b.wait_for("the second decision", Duration::from_secs(5), |b| {
        b.text("#feed").contains("Bashir")
    });
    b.wait_for(
        "both gates' entries on the chart",
        Duration::from_secs(5),
        |b| {
            b.run(
                "return document.getElementById('chart').dataset.gates",
                serde_json::json!([]),
            ) == "north,south"
                && b.run(
                    "return document.querySelectorAll('#chart polyline').length",
                    serde_json::json!([]),
                ) == 2
        },
    );
    b.screenshot(&shots().join("live.png"));

    // A revoked badge presented raises an alarm; alice acknowledges it.
    let c3 = desk.issue("badges", "C-3", &["--name", "Carl Stolen"]);
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "rl.txt",
        "C-3",
        "--reason",
        "reported stolen",
        "--office",
        "desk.office",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let start = Instant::now();
    while !south.stderr().contains("taken up") {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "list never taken up: {}",
            south.stderr()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    b.goto(&format!("{base}/alarms"));
    b.wait_for("the event stream open", Duration::from_secs(10), |b| {
        b.text("#conn") == "live"
    });
    south.send(&c3);
    assert_eq!(south.decision()["reason"], "revoked");
    b.wait_for(
        "the revoked badge's alarm, pushed",
        Duration::from_secs(10),
        |b| b.text("#alarm-list").contains("revoked badge presented"),
    );
    assert!(b.text("#alarm-count").parse::<i64>().unwrap_or(0) >= 1);
    b.screenshot(&shots().join("alarms.png"));
    let subject = open_alarm(&b, "revoked badge presented");
    assert!(subject.starts_with("record:south:"), "{subject}");
    b.type_into(
        &format!("tr[data-subject='{subject}'] input[name=note]"),
        "called the desk",
    );
    b.click(&format!("tr[data-subject='{subject}'] button"));
    b.wait_for("the acknowledgement shown", Duration::from_secs(10), |b| {
        b.text(&format!("tr[data-subject='{subject}']"))
            .contains("acknowledged by alice")
    });
    assert_eq!(
        pg.sql(&format!(
            "SELECT by_user || ' ' || note FROM badgegate.acks WHERE subject = '{subject}'"
        )),
        "alice called the desk"
    );
    b.screenshot(&shots().join("alarms-acknowledged.png"));

    // The muster list is `office inside`'s; it prints without the page's controls.
    b.goto(&format!("{base}/muster"));
    let mut cli = inside_by_cli(&desk, &pg);
    cli.sort();
    assert_eq!(cli.len(), 2, "{cli:?}");
    let page: Vec<(String, String)> = b
        .run(
            "return [...document.querySelectorAll('#muster-rows tr')].map(r => [r.dataset.zone, r.dataset.serial])",
            serde_json::json!([]),
        )
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().to_owned(), p[1].as_str().unwrap().to_owned()))
        .collect();
    let mut sorted = page.clone();
    sorted.sort();
    assert_eq!(sorted, cli);
    assert!(b.text("#muster-list").contains("2 inside"));
    b.screenshot(&shots().join("muster.png"));
    b.goto(&format!("{base}/muster?q=press"));
    assert!(
        b.text("#muster-rows").contains("Bashir") && !b.text("#muster-rows").contains("Amélie")
    );
    let pdf = b.print_pdf(&shots().join("muster-printed.pdf"));
    if let Some(pdftotext) = common::tool("pdftotext") {
        let out = std::process::Command::new(pdftotext)
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Bashir Rahimi") && text.contains("Muster list"),
            "{text}"
        );
        assert!(
            !text.contains("Sign out") && !text.contains("Print"),
            "{text}"
        );
    }

    // A badge's story: every record of the serial, in order.
    north.send(&a1);
    assert_eq!(north.decision()["reason"], "already_inside");
    b.goto(&format!("{base}/badge/a-1"));
    b.wait_for("both records of A-1", Duration::from_secs(10), |b| {
        b.goto(&format!("{base}/badge/a-1"));
        b.run(
            "return document.querySelectorAll('#story tr').length",
            serde_json::json!([]),
        ) == 2
    });
    assert!(b.text("h1").contains("Badge A-1"), "{}", b.text("h1"));
    let story = b.text("#story");
    // Reasons in words, as the guard's screen says them.
    assert!(
        story.find("ok").unwrap() < story.find("already inside").unwrap(),
        "{story}"
    );
    b.screenshot(&shots().join("badge.png"));

    // A kiosk that dies (killed: no goodbye) turns its tile OFFLINE, on
    // the open page.
    b.goto(&format!("{base}/gates"));
    north.kill();
    b.wait_for("north OFFLINE", Duration::from_secs(30), |b| {
        b.run(
            "const t = document.querySelector('.tile[data-kiosk=north]'); return t ? t.dataset.state : null",
            serde_json::json!([]),
        ) == "offline"
    });
    assert!(b.text(".tile[data-kiosk=north]").contains("OFFLINE"));
    let lists = b.text("#lists");
    assert!(
        lists.contains("revocations") && lists.contains("#1") && lists.contains("bg_desk_desk"),
        "{lists}"
    );
    let first = b.run(
        "return document.querySelector('.tile').dataset.kiosk",
        serde_json::json!([]),
    );
    assert_eq!(first, "north", "the offline gate comes first");
    b.screenshot(&shots().join("gates-offline.png"));
    // A laptop's screen: the tiles reflow, nothing is cut off sideways.
    b.resize(1366, 768);
    let wide = b.run(
        "return document.documentElement.scrollWidth <= window.innerWidth",
        serde_json::json!([]),
    );
    assert_eq!(wide, true, "the gates page scrolls sideways on a laptop");
    b.screenshot(&shots().join("gates-laptop.png"));
    b.resize(1920, 1080);
    assert!(
        pg.sql(
            "SELECT count(*) FROM badgegate.alarms WHERE kind = 'offline' AND kiosk_id = 'north'"
        ) == "1"
    );

    // The offline alarm, acknowledged, leaves `office status`'s alarms.
    let r = office(&desk, &pg, &["status"]);
    assert!(r.stdout.contains("went offline"), "{}", r.stdout);
    b.goto(&format!("{base}/alarms"));
    let subject = open_alarm(&b, "gate offline");
    b.click(&format!("tr[data-subject='{subject}'] button"));
    b.wait_for(
        "the offline alarm acknowledged",
        Duration::from_secs(10),
        |b| {
            b.text(&format!("tr[data-subject='{subject}']"))
                .contains("acknowledged by alice")
        },
    );
    b.wait_for("no alarm left open", Duration::from_secs(5), |b| {
        b.text("#alarm-count") == "0"
    });
    let r = office(&desk, &pg, &["status"]);
    assert!(!r.stdout.contains("went offline"), "{}", r.stdout);
    assert!(r.stdout.contains("OFFLINE since"), "{}", r.stdout);

    // Signing out ends the session: its cookie no longer opens anything.
    let cookie = b.cookie("bg_session").expect("a session cookie");
    assert_eq!(get(&format!("{base}/session"), Some(&cookie)).0, 204);
    b.click("form.out button");
    b.wait_for("the sign-in page", Duration::from_secs(10), |b| {
        b.url().ends_with("/login")
    });
    assert_eq!(get(&format!("{base}/events"), Some(&cookie)).0, 401);
    assert_eq!(get(&format!("{base}/gates"), Some(&cookie)).0, 303);

    // A kiosk stopped on purpose says goodbye: its tile says STOPPED.
    sign_in(&b, &base, "alice", &password);
    b.goto(&format!("{base}/gates"));
    assert_eq!(south.finish(), 0);
    b.wait_for("south STOPPED", Duration::from_secs(30), |b| {
        b.run(
            "const t = document.querySelector('.tile[data-kiosk=south]'); return t ? t.dataset.state : null",
            serde_json::json!([]),
        ) == "stopped"
    });
    assert!(b
        .text(".tile[data-kiosk=south]")
        .contains("stopped on purpose"));
    server.kill();
    eprintln!("screenshots in {}", shots().display());
}

/// Signs in over plain HTTP; the session cookie's value.
pub(crate) fn sign_in_http(base: &str, user: &str, password: &str) -> Option<String> {
    let mut r = http()
        .post(format!("{base}/login"))
        .send_form([("user", user), ("password", password)])
        .expect("an answer");
    let _ = r.body_mut().read_to_string();
    r.headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.strip_prefix("bg_session="))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
}

#[test]
fn office_users_an_earlier_venue_database_tls_and_a_lost_database() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    let r = office(&desk, &pg, &["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // A venue database made by a build before the dashboard: the serve
    // command says what to do; init adds the tables and nothing else.
    pg.sql(
        "DROP TABLE badgegate.patrol_phones, badgegate.acks, badgegate.office_users; DROP INDEX badgegate.records_serial, badgegate.records_alarming;
         DELETE FROM badgegate.meta WHERE key = 'dashboard_version'",
    );
    let r = office(&desk, &pg, &["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("run `badgegate office init"),
        "{}",
        r.stderr
    );
    let r = office(&desk, &pg, &["add-user", "--name", "bob"]);
    assert_eq!(r.code, 2);
    let r = office(&desk, &pg, &["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("dashboard's tables added"),
        "{}",
        r.stdout
    );
    assert_eq!(
        pg.sql("SELECT value FROM badgegate.meta WHERE key = 'schema_version'"),
        "1"
    );
    let r = office(&desk, &pg, &["init"]);
    assert!(r.stdout.contains("already at version 1"), "{}", r.stdout);

    // Users: a chosen password of 12 characters or more; no duplicates;
    // reset and disable.
    let run = |args: &[&str], stdin: &str| {
        let url = pg.admin_url();
        let mut v = vec!["office", "add-user", "--db", url.as_str()];
        v.extend_from_slice(args);
        desk.run_stdin(&v, stdin)
    };
    let r = run(&["--name", "bob", "--password-stdin"], "short\n");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("shorter than 12"), "{}", r.stderr);
    let r = run(
        &["--name", "bob", "--password-stdin"],
        "a long enough passphrase\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stdout.contains("password:"),
        "a chosen password is not printed"
    );
    let r = run(
        &["--name", "bob", "--password-stdin"],
        "another long passphrase\n",
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--reset"), "{}", r.stderr);
    let r = run(&["--name", "no body"], "");
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("1 to 40"), "{}", r.stderr);
    assert_eq!(run(&["--name", "carol"], "").code, 0);

    let (server, base) = serve(&desk, &pg.admin_url(), &[]);
    let cookie = sign_in_http(&base, "bob", "a long enough passphrase").expect("bob signs in");
    assert_eq!(get(&format!("{base}/alarms"), Some(&cookie)).0, 200);
    // A reset password ends bob's open session within a second or two.
    let r = run(
        &["--name", "bob", "--reset", "--password-stdin"],
        "the new passphrase\n",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let start = Instant::now();
    while get(&format!("{base}/session"), Some(&cookie)).0 != 401 {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the old session still open"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(sign_in_http(&base, "bob", "a long enough passphrase").is_none());
    let cookie = sign_in_http(&base, "bob", "the new passphrase").expect("the new password");
    // Disabled: cannot sign in, the open session ends.
    assert_eq!(run(&["--name", "bob", "--disable"], "").code, 0);
    let start = Instant::now();
    while get(&format!("{base}/session"), Some(&cookie)).0 != 401 {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "a disabled user still signed in"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(sign_in_http(&base, "bob", "the new passphrase").is_none());
    // Five wrong passwords hold a name back.
    for _ in 0..5 {
        assert!(sign_in_http(&base, "carol", "wrong wrong wrong").is_none());
    }
    let (status, body) = post_form(
        &format!("{base}/login"),
        &[("user", "carol"), ("password", "wrong again!")],
        None,
    );
    assert_eq!(status, 429);
    assert!(body.contains("try again in"), "{body}");

    // The database lost: pages say so and the dashboard stays up; back, they work.
    let r = run(
        &["--name", "dave", "--password-stdin"],
        "dave's passphrase\n",
    );
    assert_eq!(r.code, 0);
    std::thread::sleep(Duration::from_millis(1500));
    let cookie = sign_in_http(&base, "dave", "dave's passphrase").expect("dave signs in");
    // A form without the session's token, and an alarm that does not exist,
    // are refused; nothing is stored.
    let ack = format!("{base}/alarms/ack");
    let (status, body) = post_form(
        &ack,
        &[("subject", "alarm:1"), ("csrf", "x")],
        Some(&cookie),
    );
    assert_eq!(status, 403, "{body}");
    let page = get(&format!("{base}/alarms"), Some(&cookie)).2;
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the page's form token")
        .to_owned();
    for subject in ["alarm:999999", "record:nobody:1", "anything"] {
        let (status, body) = post_form(
            &ack,
            &[("subject", subject), ("csrf", &csrf)],
            Some(&cookie),
        );
        assert_eq!(status, 400, "{subject}: {body}");
        assert!(
            body.contains("no alarm") || body.contains("no such alarm"),
            "{body}"
        );
    }
    assert_eq!(pg.sql("SELECT count(*) FROM badgegate.acks"), "0");
    // Several alarms ticked and acknowledged at once, with one note; one
    // subject that names no alarm refuses the whole form.
    let ids = pg.sql(
        "WITH a AS (INSERT INTO badgegate.alarms (kind, detail) VALUES
             ('passback', 'one'), ('passback', 'two'), ('presence', 'three') RETURNING id)
         SELECT string_agg(id::text, ',' ORDER BY id) FROM a",
    );
    let subjects: Vec<String> = ids.split(',').map(|id| format!("alarm:{id}")).collect();
    let many = format!("{base}/alarms/ack-many");
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("note", "all three seen on camera")];
    form.extend(subjects.iter().map(|s| ("subject", s.as_str())));
    let stale: Vec<(&str, &str)> = [("csrf", "x")]
        .into_iter()
        .chain(subjects.iter().map(|s| ("subject", s.as_str())))
        .collect();
    assert_eq!(post_form(&many, &stale, Some(&cookie)).0, 403);
    assert_eq!(post_form(&many, &form, None).0, 401);
    let mut bad = form.clone();
    bad.push(("subject", "alarm:999999"));
    assert_eq!(post_form(&many, &bad, Some(&cookie)).0, 400);
    assert_eq!(pg.sql("SELECT count(*) FROM badgegate.acks"), "0");
    let (status, body) = post_form(&many, &form[..2], Some(&cookie));
    assert_eq!(status, 303, "nothing ticked: nothing stored, {body}");
    assert_eq!(pg.sql("SELECT count(*) FROM badgegate.acks"), "0");
    let (status, body) = post_form(&many, &form, Some(&cookie));
    assert_eq!(status, 303, "back to the alarms page: {body}");
    assert_eq!(
        pg.sql("SELECT count(*) || ' ' || min(by_user) || ' ' || min(note) FROM badgegate.acks"),
        "3 dave all three seen on camera"
    );
    // Regression (a hung PostgreSQL: every gate green from the last look,
    // no banner, and /muster/list hung over 10 s): within 3 s the pages
    // are told, and the muster list prints from the last good look, marked
    // with its time.
    pg.freeze(true);
    let frozen = Instant::now();
    while !server.stderr().contains("not answering since") {
        assert!(
            frozen.elapsed() < Duration::from_secs(4),
            "no word of the hang: {}",
            server.stderr()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let told = frozen.elapsed();
    let asked = Instant::now();
    let (status, _, body) = get(&format!("{base}/muster/list"), Some(&cookie));
    let answered = asked.elapsed();
    pg.freeze(false);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("not answering: this list is as of"), "{body}");
    assert!(answered < Duration::from_secs(5), "{answered:?}");
    eprintln!(
        "hung database: pages told after {} ms, muster list from the last look in {} ms",
        told.as_millis(),
        answered.as_millis()
    );
    pg.stop();
    let (status, _, body) = get(&format!("{base}/alarms"), Some(&cookie));
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("did not answer"), "{body}");
    assert!(
        server.stderr().contains("office database unreachable") || {
            std::thread::sleep(Duration::from_secs(2));
            server.stderr().contains("office database unreachable")
        }
    );
    pg.restart();
    let start = Instant::now();
    while get(&format!("{base}/alarms"), Some(&cookie)).0 != 200 {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the dashboard never came back"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    server.kill();

    // Over TLS: a certificate for 127.0.0.1 from a test CA; the cookie is
    // Secure; plain HTTP on that port gets nowhere.
    let Some(curl) = common::tool("curl") else {
        return;
    };
    if common::make_certificates(&desk.p("tls")).is_none() {
        return;
    }
    let (server, base) = serve(
        &desk,
        &pg.admin_url(),
        &[
            "--tls-cert",
            "tls/server.pem",
            "--tls-key",
            "tls/server.key",
        ],
    );
    assert!(base.starts_with("https://"), "{base}");
    assert!(server.stderr().contains("(HTTPS)"), "{}", server.stderr());
    let out = std::process::Command::new(&curl)
        .args([
            "-s",
            "-i",
            "--cacert",
            "tls/ca.pem",
            "--data",
            "user=dave&password=dave%27s+passphrase",
        ])
        .arg(format!("{base}/login"))
        .current_dir(desk.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.starts_with("HTTP/2 303") || said.starts_with("HTTP/1.1 303"),
        "{said}"
    );
    let cookie_line = said
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("set-cookie:"))
        .unwrap();
    assert!(
        cookie_line.contains("; Secure") && cookie_line.contains("HttpOnly"),
        "{cookie_line}"
    );
    let plain = base.replacen("https://", "http://", 1);
    let out = std::process::Command::new(&curl)
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--max-time",
            "5",
        ])
        .arg(format!("{plain}/login"))
        .output()
        .unwrap();
    assert_ne!(String::from_utf8_lossy(&out.stdout), "200");
    // A certificate from nobody the client trusts is refused by it.
    let out = std::process::Command::new(&curl)
        .args(["-s", "-o", "/dev/null", "--max-time", "5"])
        .arg(format!("{base}/login"))
        .status()
        .unwrap();
    assert!(!out.success());
    server.kill();
}

/// An office with one gate, north, enrolled and a user alice: her password.
fn office_with_north(desk: &Desk, pg: &Pg) -> String {
    let r = office(desk, pg, &["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = office(
        desk,
        pg,
        &["add-kiosk", "--kiosk-id", "north", "--out", "north.office"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    common::office_user(desk, pg, "alice")
}

/// The dashboard speaks the language the venue policy names for its
/// guards (as its gates took the policy up), or the one `--language` asks
/// for: the sign-in page, headings, gate states, reasons, the muster
/// list's heading and the live page's own words. Names and what gates
/// recorded stay as recorded.
#[test]
fn the_dashboard_speaks_the_venues_language() {
    let Some(pg) = Pg::start() else { return };
    let Some(b) = Browser::start() else { return };
    let desk = Desk::new();
    let password = office_with_north(&desk, &pg);
    std::fs::write(
        desk.p("venue.txt"),
        "venue: Dushanbe Summit 2026\ntime-zone: Asia/Dushanbe\nlanguage: ru\n\
         zone: plenary Plenary hall\ncategory: guest #00529b - Guest\n\
         gate: north plenary in North entrance\n",
    )
    .unwrap();
    desk.sign_policy("venue.txt", "policy.txt");
    let a = desk.issue(
        "badges",
        "A-1",
        &[
            "--valid-from",
            "2026-12-01T00:00:00Z",
            "--valid-until",
            "2027-06-01T00:00:00Z",
            "--name",
            "Иван Петров",
        ],
    );
    let args = common::venue_kiosk_args("north", "plenary", &["--policy", "policy.txt"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut north = LiveKiosk::start(desk.path(), &refs);
    north.send(&a);
    let d = north.decision();
    assert_eq!(d["reason"], "ok", "{d}");
    common::eventually("the admit at the office", || {
        pg.sql("SELECT count(*) FROM badgegate.records WHERE serial = 'A-1'") == "1"
    });

    let (server, base) = serve(&desk, &pg.admin_url(), &[]);
    b.goto(&format!("{base}/login"));
    assert!(b.text("main").contains("Войдите под своим пользователем"));
    sign_in(&b, &base, "alice", &password);
    assert_eq!(
        b.run(
            "return document.documentElement.lang",
            serde_json::json!([])
        ),
        "ru"
    );
    b.wait_for("the gate's tile in Russian", Duration::from_secs(10), |b| {
        b.text("#tiles").contains("НА СВЯЗИ")
    });
    let gates = b.text("body");
    for w in [
        "Проходы",
        "Тревоги",
        "Кто внутри",
        "Последнее решение",
        "в порядке Иван Петров",
    ] {
        assert!(gates.contains(w), "{w:?} not in {gates}");
    }
    b.goto(&format!("{base}/live"));
    b.wait_for("the live page connected", Duration::from_secs(10), |b| {
        b.text("#conn") == "на связи"
    });
    let live = b.text("main");
    assert!(
        live.contains("Проходы в минуту") && live.contains("в порядке"),
        "{live}"
    );
    b.goto(&format!("{base}/muster"));
    let muster = b.text("#muster-list");
    assert!(
        muster.contains("Кто внутри на") && muster.contains("1 чел."),
        "{muster}"
    );
    assert!(
        muster.contains("Иван Петров") && muster.contains("актуально"),
        "{muster}"
    );
    b.goto(&format!("{base}/badge/A-1"));
    let story = b.text("main");
    assert!(story.contains("Сейчас внутри:"), "{story}");
    drop(server);

    // --language wins over the policy's.
    let (_server, base) = serve(&desk, &pg.admin_url(), &["--language", "tg"]);
    let (code, _, page) = get(&format!("{base}/login"), None);
    assert_eq!(code, 200);
    assert!(
        page.contains("lang=\"tg\"") && page.contains("Ворид шудан"),
        "{page}"
    );
    assert_eq!(north.finish(), 0);
}

/// The live page open while the dashboard loses its database connection:
/// a decision that reaches the office before the dashboard is back (the
/// gate reconnecting first) still appears, without a reload. Before, the
/// dashboard took up the feed from wherever the records stood when it
/// came back, and such a record was never shown.
#[test]
fn a_record_that_arrives_while_the_dashboard_reconnects_still_appears_live() {
    let Some(pg) = Pg::start() else { return };
    let Some(b) = Browser::start() else { return };
    let desk = Desk::new();
    let password = office_with_north(&desk, &pg);
    let (_server, base) = serve(&desk, &pg.admin_url(), &[]);
    sign_in(&b, &base, "alice", &password);
    b.goto(&format!("{base}/live"));
    let mut north = kiosk(&desk, "north", "plenary", "in");
    let first = desk.issue("badges", "FIRST-1", &[]);
    let meanwhile = desk.issue("badges", "MEANWHILE-1", &[]);
    north.send(&first);
    assert_eq!(north.decision()["decision"], "admit");
    b.wait_for("the first decision live", Duration::from_secs(20), |b| {
        b.text("body").contains("FIRST-1")
    });
    b.run("window.__stayed = true; return true", serde_json::json!([]));
    // The dashboard's connections cut, again and again, until the gate's
    // next record is at the office.
    let cutting = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let cutter = {
        let cutting = cutting.clone();
        let url = pg.admin_url();
        std::thread::spawn(move || {
            let mut db = badgegate::office::connect::connect(&url, Duration::from_secs(5)).unwrap();
            let mut cuts = 0;
            while cutting.load(std::sync::atomic::Ordering::SeqCst) {
                cuts += db
                    .query(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                         WHERE application_name = 'badgegate-dashboard-hub'",
                        &[],
                    )
                    .unwrap()
                    .len();
                std::thread::sleep(Duration::from_millis(20));
            }
            cuts
        })
    };
    common::eventually("the dashboard cut off", || {
        b.text("#office-down").contains("not answering")
            || b.text("#office-down").contains("unreachable")
    });
    north.send(&meanwhile);
    assert_eq!(north.decision()["decision"], "admit");
    common::eventually("the decision at the office", || {
        pg.sql("SELECT count(*) FROM badgegate.records WHERE serial = 'MEANWHILE-1'") == "1"
    });
    cutting.store(false, std::sync::atomic::Ordering::SeqCst);
    assert!(
        cutter.join().unwrap() > 0,
        "the dashboard's connections were cut"
    );
    b.wait_for(
        "the banner gone and the decision made meanwhile live",
        Duration::from_secs(30),
        |b| {
            b.run(
                "return document.getElementById('office-down').hidden",
                serde_json::json!([]),
            ) == serde_json::json!(true)
                && b.text("body").contains("MEANWHILE-1")
        },
    );
    assert_eq!(
        b.run("return window.__stayed === true", serde_json::json!([])),
        serde_json::json!(true),
        "the page was reloaded"
    );
}
