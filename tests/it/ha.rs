//! The venue office on a Patroni cluster (etcd, two PostgreSQL servers in
//! synchronous replication, on loopback ports): kiosks, the desk and the
//! office commands find the writable server by themselves through
//! connection files that list every member, and losing the primary's
//! machine under load loses, doubles or reorders no record.

use crate::common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use badgegate::journal::Journal;
use badgegate::rehearse::ha::{missing, Cluster};
use common::{eventually, Desk, LiveKiosk};

/// A two-server cluster for this test, or `None` (with a printed reason)
/// where Patroni or etcd is not installed; under CI that fails.
fn cluster() -> Option<(tempfile::TempDir, Cluster)> {
    if let Some(why) = missing() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{why}, and CI must run this test (.ci/run installs them)"
        );
        eprintln!("SKIPPED: {why}");
        return None;
    }
    common::pg::use_pgpass();
    let dir = tempfile::Builder::new().prefix("bg-ha-").tempdir().unwrap();
    let c = Cluster::start_with(&dir.path().join("venue"), 2, common::pg::ADMIN_PASSWORD)
        .unwrap_or_else(|e| panic!("{e}"));
    Some((dir, c))
}

fn office(desk: &Desk, c: &Cluster, args: &[&str]) -> common::Run {
    let url = c.admin_url();
    let mut v = vec!["office", args[0], "--db", url.as_str()];
    v.extend_from_slice(&args[1..]);
    desk.run(&v)
}

/// The venue's schema on the cluster and a login for each kiosk, as the
/// operator sets it up (`office init`, `office add-kiosk`).
fn venue(desk: &Desk, c: &Cluster, kiosks: &[&str]) {
    let r = office(desk, c, &["init"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for k in kiosks {
        let r = office(
            desk,
            c,
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
}

/// Each kiosk running headless on its connection file, with `extra` flags.
fn start_kiosks(desk: &Desk, kiosks: &[&str], extra: &[&str]) -> Vec<LiveKiosk> {
    kiosks
        .iter()
        .map(|k| {
            let args = common::venue_kiosk_args(k, "plenary", extra);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            LiveKiosk::start(desk.path(), &args)
        })
        .collect()
}

/// `(kiosk, seq, hash)` of every record a set of journals holds.
fn journal_rows(desk: &Desk, kiosks: &[&str]) -> BTreeSet<(String, i64, String)> {
    let mut out = BTreeSet::new();
    for k in kiosks {
        let j = Journal::open_readonly(&desk.p(&format!("{k}.db"))).unwrap();
        for e in j.entries().unwrap() {
            let hash: String = e.hash.iter().map(|b| format!("{b:02x}")).collect();
            out.insert((e.kiosk_id.clone(), e.seq as i64, hash));
        }
    }
    out
}

/// The same, as the office holds them (on the member that is primary).
fn office_rows(c: &Cluster, primary: usize) -> BTreeSet<(String, i64, String)> {
    let mut db = c.connect_member(primary).unwrap();
    db.query(
        "SELECT kiosk_id, seq, encode(hash, 'hex') FROM badgegate.records",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect()
}

/// The primary's machine lost while three kiosks decide as fast as people
/// come, a revocation published a moment before: Patroni promotes the
/// synchronous standby; the kiosks decide on alone meanwhile (no decision
/// slower than their offline path), find the new primary by themselves
/// and hand over the rest; the office then holds every kiosk's chain
/// complete, each record once, equal to the journals, raises nothing about
/// the chains, and still holds the revocation, which every gate enforces.
#[test]
fn losing_the_primary_under_load_loses_and_doubles_nothing() {
    let Some((_dir, mut c)) = cluster() else {
        return;
    };
    let desk = Desk::new();
    let kiosks = ["k1", "k2", "k3"];
    venue(&desk, &c, &kiosks);
    for k in kiosks {
        let file = std::fs::read_to_string(desk.p(&format!("{k}.office"))).unwrap();
        // Every member, and only the writable one will do.
        for m in &c.members {
            assert!(file.contains(&format!("127.0.0.1:{}", m.port)), "{file}");
        }
        assert!(file.contains("target_session_attrs=read-write"), "{file}");
    }
    let r = office(
        &desk,
        &c,
        &["add-publisher", "--name", "desk", "--out", "desk.office"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let badges: Vec<String> = (0..60)
        .map(|i| desk.issue("badges", &format!("D-{i:03}"), &[]))
        .collect();
    let timeout_ms = 1000u64;
    let mut live = start_kiosks(
        &desk,
        &kiosks,
        &["--passback-timeout", &timeout_ms.to_string()],
    );
    let (old, _) = c.wait_synchronous(Duration::from_secs(30)).unwrap();

    let started = Instant::now();
    let mut killed_at = None;
    let mut revoked = false;
    let mut slowest = Duration::ZERO;
    let mut n = 0usize;
    while started.elapsed() < Duration::from_secs(30) {
        for k in live.iter_mut() {
            let t = Instant::now();
            k.send(&badges[n % badges.len()]);
            let d = k.decision();
            slowest = slowest.max(t.elapsed());
            assert!(d["decision"] == "admit" || d["decision"] == "deny", "{d}");
            n += 1;
        }
        if !revoked && started.elapsed() > Duration::from_secs(4) {
            // The desk publishes a revocation; the machine dies at once.
            let r = desk.run(&[
                "revoke",
                "--key",
                "keys/registration.key.pem",
                "--list",
                "rl.txt",
                "D-059",
                "--reason",
                "reported stolen",
                "--office",
                "desk.office",
            ]);
            assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
            c.kill_member(old);
            killed_at = Some(Instant::now());
            revoked = true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed_at = killed_at.unwrap();
    let new = c.wait_new_primary(old, Duration::from_secs(60)).unwrap();
    // No decision waited longer than the gate's offline path: its passback
    // check gives up after the timeout.
    assert!(
        slowest < Duration::from_millis(timeout_ms + 1500),
        "a decision took {slowest:?}"
    );
    // Every gate refuses the revoked badge from the new primary's lists.
    for k in live.iter_mut() {
        let t = Instant::now();
        loop {
            k.send(&badges[59]);
            let d = k.decision();
            if d["reason"] == "revoked" {
                break;
            }
            assert!(
                t.elapsed() < Duration::from_secs(30),
                "the revocation never taken up from the new primary: {d}\n{}",
                k.stderr()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    // The desk publishes through the new primary, found by itself.
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "rl.txt",
        "D-058",
        "--reason",
        "reported lost",
        "--office",
        "desk.office",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for k in live.iter_mut() {
        let t = Instant::now();
        loop {
            k.send(&badges[58]);
            if k.decision()["reason"] == "revoked" {
                break;
            }
            assert!(t.elapsed() < Duration::from_secs(30), "{}", k.stderr());
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    for k in live {
        assert_eq!(k.finish(), 0);
    }
    let journals = journal_rows(&desk, &kiosks);
    eventually("every record at the new primary", || {
        office_rows(&c, new) == journals
    });
    let mut db = c.connect_member(new).unwrap();
    let bad: i64 = db
        .query_one(
            "SELECT count(*) FROM badgegate.alarms WHERE kind IN ('gap', 'chain', 'fork', 'hash', 'quarantine', 'cut_back')",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(bad, 0, "alarms about the chains after the failover");
    let lists: i64 = db
        .query_one(
            "SELECT count(*) FROM badgegate.lists WHERE kind = 'revocations'",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(lists >= 1, "the list published before the failover is kept");
    // The office says what happened: moved to another server, and now
    // without a standby.
    let r = office(&desk, &c, &["status"]);
    assert_eq!(r.code, 1, "trouble: {}", r.stdout);
    assert!(
        r.stdout.contains(&format!(
            "office database: 127.0.0.1:{} (primary, timeline 2); NO STANDBY",
            c.members[new].port
        )),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("failover: the office's database is now served by"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("no_standby: the office runs on"),
        "{}",
        r.stdout
    );
    // The lost machine back: it rejoins as the new primary's synchronous
    // standby.
    c.start_member(old).unwrap();
    c.wait_synchronous(Duration::from_secs(60)).unwrap();
    eventually("the old primary streaming again", || {
        let r = office(&desk, &c, &["status"]);
        r.stdout.contains(&format!(
            "standby {} (127.0.0.1) streaming sync",
            c.members[old].name
        ))
    });
    // The failover as the kiosks saw it: from the machine's death to the
    // first record the new primary took.
    let seen: f64 = db
        .query_one(
            "SELECT extract(epoch FROM min(received_at))::float8 FROM badgegate.records
             WHERE received_at > now() - $1::float8 * interval '1 second'",
            &[&killed_at.elapsed().as_secs_f64()],
        )
        .unwrap()
        .get(0);
    let now: f64 = db
        .query_one("SELECT extract(epoch FROM now())::float8", &[])
        .unwrap()
        .get(0);
    let failover = killed_at.elapsed().as_secs_f64() - (now - seen);
    eprintln!(
        "failover seen by the kiosks: {failover:.1} s; {n} decisions, {} records, slowest decision {slowest:?}",
        journals.len()
    );
}

/// A planned switchover (`patronictl switchover`) while three kiosks
/// decide, then the new primary's postmaster killed (-9) with its Patroni
/// alive: no record lost or doubled, no decision slower than the offline
/// path, no gate saying OFFLINE (SWITCHING for a moment at most), a
/// `failover` alarm saying the database moved.
#[test]
fn a_switchover_under_load_loses_nothing() {
    let Some((_dir, c)) = cluster() else {
        return;
    };
    let desk = Desk::new();
    let kiosks = ["s1", "s2", "s3"];
    venue(&desk, &c, &kiosks);
    let badges: Vec<String> = (0..40)
        .map(|i| desk.issue("badges", &format!("S-{i:03}"), &[]))
        .collect();
    let mut live = start_kiosks(&desk, &kiosks, &["--passback-timeout", "1000"]);
    let (_, standby) = c.wait_synchronous(Duration::from_secs(30)).unwrap();
    let started = Instant::now();
    let mut switched_at = None;
    let mut postmaster_killed = false;
    let mut slowest = Duration::ZERO;
    let mut n = 0usize;
    while started.elapsed() < Duration::from_secs(28) {
        for k in live.iter_mut() {
            let t = Instant::now();
            k.send(&badges[n % badges.len()]);
            let d = k.decision();
            slowest = slowest.max(t.elapsed());
            assert!(d["decision"] == "admit" || d["decision"] == "deny", "{d}");
            n += 1;
        }
        if switched_at.is_none() && started.elapsed() > Duration::from_secs(4) {
            c.switchover(standby).unwrap();
            switched_at = Some(Instant::now());
        }
        if !postmaster_killed && started.elapsed() > Duration::from_secs(12) {
            // Then the new primary's postmaster killed (-9), its Patroni
            // alive: Patroni starts it again, or the other server leads.
            if let Some(p) = c.primary() {
                postmaster_killed = c.kill_postmaster(p).is_some();
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(postmaster_killed);
    let new = common::eventually_some("a primary after the postmaster's death", || c.primary());
    assert!(
        slowest < Duration::from_millis(2500),
        "a decision took {slowest:?}"
    );
    let mut said = Vec::new();
    for k in live {
        let (code, err) = k.finish_with_stderr();
        assert_eq!(code, 0, "{err}");
        said.push(err);
    }
    let journals = journal_rows(&desk, &kiosks);
    eventually("every record at the new primary", || {
        office_rows(&c, new) == journals
    });
    let r = office(&desk, &c, &["status"]);
    assert!(
        r.stdout
            .contains("failover: the office's database is now served by"),
        "{}",
        r.stdout
    );
    // No gate told its guard the office was lost: a moment of switching
    // servers at most.
    for e in &said {
        assert!(!e.contains("OFFLINE"), "{e}");
    }
    let switching = said
        .iter()
        .filter(|e| e.contains("office: SWITCHING"))
        .count();
    eprintln!(
        "switchover: {n} decisions, slowest {slowest:?}, {switching} of 3 kiosks said SWITCHING"
    );
}

/// The dashboard open on the live page while the office loses its
/// primary: the banner says the office is switching servers, then goes,
/// and a decision made after the failover appears — all without a reload.
#[test]
fn the_dashboard_says_switching_and_carries_on_without_a_reload() {
    use common::browser::Browser;
    let Some((_dir, mut c)) = cluster() else {
        return;
    };
    let Some(b) = Browser::start() else { return };
    let desk = Desk::new();
    venue(&desk, &c, &["k1"]);
    let r = office(&desk, &c, &["add-user", "--name", "alice"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let password = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .expect("a password shown once")
        .to_owned();
    let (_server, base) = crate::dashboard::serve(&desk, &c.admin_url(), &[]);
    crate::dashboard::sign_in(&b, &base, "alice", &password);
    b.goto(&format!("{base}/live"));
    let args = common::venue_kiosk_args("k1", "plenary", &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut k1 = LiveKiosk::start(desk.path(), &args);
    let before = desk.issue("badges", "BEFORE-1", &[]);
    let after = desk.issue("badges", "AFTER-1", &[]);
    k1.send(&before);
    assert_eq!(k1.decision()["decision"], "admit");
    b.wait_for("the first decision live", Duration::from_secs(20), |b| {
        b.text("body").contains("BEFORE-1")
    });
    // A mark a reload would wipe.
    b.run("window.__stayed = true; return true", serde_json::json!([]));
    let (old, _) = c.wait_synchronous(Duration::from_secs(30)).unwrap();
    c.kill_member(old);
    b.wait_for("the switching banner", Duration::from_secs(20), |b| {
        b.text("#office-down")
            .contains("switching to its other server")
    });
    c.wait_new_primary(old, Duration::from_secs(60)).unwrap();
    k1.send(&after);
    assert_eq!(k1.decision()["decision"], "admit");
    b.wait_for(
        "the banner gone and the decision after the failover live",
        Duration::from_secs(40),
        |b| {
            b.run(
                "return document.getElementById('office-down').hidden",
                serde_json::json!([]),
            ) == serde_json::json!(true)
                && b.text("body").contains("AFTER-1")
        },
    );
    assert_eq!(
        b.run("return window.__stayed === true", serde_json::json!([])),
        serde_json::json!(true),
        "the page was reloaded"
    );
    // The gates page shows the office's servers: the new primary alone.
    b.goto(&format!("{base}/gates"));
    b.wait_for(
        "the servers on the gates page",
        Duration::from_secs(20),
        |b| {
            let t = b.text("#cluster");
            t.contains("(primary, timeline 2)") && t.contains("NO STANDBY")
        },
    );
    assert_eq!(k1.finish(), 0);
}

/// Both servers lost (the standby first, then the primary): the office is
/// down and the gates decide alone; the last primary back: every gate
/// hands over what it decided meanwhile, each record once.
#[test]
fn both_servers_lost_then_one_back_catches_up_exactly_once() {
    let Some((_dir, mut c)) = cluster() else {
        return;
    };
    let desk = Desk::new();
    let kiosks = ["b1", "b2"];
    venue(&desk, &c, &kiosks);
    let badges: Vec<String> = (0..30)
        .map(|i| desk.issue("badges", &format!("B-{i:03}"), &[]))
        .collect();
    let mut live = start_kiosks(&desk, &kiosks, &["--passback-timeout", "1000"]);
    let (primary, standby) = c.wait_synchronous(Duration::from_secs(30)).unwrap();
    let mut n = 0usize;
    let mut decide = |live: &mut Vec<LiveKiosk>, rounds: usize| {
        for _ in 0..rounds {
            for k in live.iter_mut() {
                k.send(&badges[n % badges.len()]);
                let d = k.decision();
                assert!(d["decision"] == "admit" || d["decision"] == "deny", "{d}");
                n += 1;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    decide(&mut live, 50);
    c.kill_member(standby);
    decide(&mut live, 50);
    c.kill_member(primary);
    // The office is gone: the gates go on alone.
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(8) {
        decide(&mut live, 5);
    }
    c.start_member(primary).unwrap();
    let t = Instant::now();
    let back = loop {
        if let Some(p) = c.primary().filter(|p| *p == primary) {
            break p;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "the last primary never led again"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    decide(&mut live, 50);
    for k in live {
        assert_eq!(k.finish(), 0);
    }
    let journals = journal_rows(&desk, &kiosks);
    let t = Instant::now();
    while office_rows(&c, back) != journals {
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "the office never caught up: {} records there, {} in the journals",
            office_rows(&c, back).len(),
            journals.len()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut db = c.connect_member(back).unwrap();
    let bad: i64 = db
        .query_one(
            "SELECT count(*) FROM badgegate.alarms WHERE kind IN ('gap', 'chain', 'fork', 'hash', 'quarantine', 'cut_back')",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(bad, 0);
}

/// Benchmark (run by hand: `cargo test --release --test it -- --ignored
/// ha::replication_under_twenty_gates --nocapture`): 20 kiosks deciding
/// 20 times a second each for 30 s against the two-server office; prints
/// the standby's replay lag and the gates' decision latency.
#[test]
#[ignore = "a benchmark: about a minute of 20 kiosks at 20 decisions a second"]
fn replication_under_twenty_gates_at_twenty_decisions_a_second() {
    let Some((_dir, c)) = cluster() else {
        return;
    };
    let desk = Desk::new();
    let kiosks: Vec<String> = (1..=20).map(|i| format!("r{i:02}")).collect();
    venue(
        &desk,
        &c,
        &kiosks.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let badges: Vec<String> = (0..200)
        .map(|i| desk.issue("badges", &format!("R-{i:03}"), &[]))
        .collect();
    let (primary, _) = c.wait_synchronous(Duration::from_secs(30)).unwrap();
    let run_for = Duration::from_secs(30);
    let threads: Vec<_> = kiosks
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let args = common::venue_kiosk_args(k, "plenary", &[]);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let mut live = LiveKiosk::start(desk.path(), &args);
            let badges = badges.clone();
            std::thread::spawn(move || {
                let start = Instant::now();
                let mut lat = Vec::new();
                let mut n = i * 7;
                while start.elapsed() < run_for {
                    let due = start + Duration::from_millis(50 * lat.len() as u64);
                    if let Some(w) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(w);
                    }
                    let t = Instant::now();
                    live.send(&badges[n % badges.len()]);
                    live.decision();
                    lat.push(t.elapsed().as_secs_f64() * 1000.0);
                    n += 1;
                }
                assert_eq!(live.finish(), 0);
                lat
            })
        })
        .collect();
    let mut db = c.connect_member(primary).unwrap();
    let mut lags = Vec::new();
    let start = Instant::now();
    while start.elapsed() < run_for {
        if let Some(row) = db
            .query_opt(
                "SELECT (extract(epoch FROM replay_lag) * 1000)::float8 FROM pg_stat_replication WHERE state = 'streaming'",
                &[],
            )
            .unwrap()
        {
            lags.push(row.get::<_, Option<f64>>(0).unwrap_or(0.0));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut lat: Vec<f64> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let pct = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(f64::total_cmp);
        v.get(((v.len().max(1) - 1) as f64 * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    eprintln!(
        "20 kiosks x 20/s for {} s: {} decisions ({:.0}/s); decision latency p50 {:.1} ms p95 {:.1} ms max {:.1} ms; standby replay lag p50 {:.1} ms p95 {:.1} ms max {:.1} ms ({} samples)",
        run_for.as_secs(),
        lat.len(),
        lat.len() as f64 / run_for.as_secs_f64(),
        pct(&mut lat, 0.5),
        pct(&mut lat, 0.95),
        pct(&mut lat, 1.0),
        pct(&mut lags, 0.5),
        pct(&mut lags, 0.95),
        pct(&mut lags, 1.0),
        lags.len()
    );
}

/// Each server speaking TLS: the connection files carry `verify-full`
/// with every server listed; a kiosk reaches the primary, and after a
/// failover the new one, each checked against the venue's CA.
#[test]
fn the_office_on_two_servers_is_reached_over_verified_tls() {
    if let Some(why) = missing() {
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("SKIPPED: {why}");
        return;
    }
    common::pg::use_pgpass();
    let dir = tempfile::Builder::new().prefix("bg-ha-").tempdir().unwrap();
    let tls = dir.path().join("tls");
    if common::make_certificates(&tls).is_none() {
        return;
    }
    let mut c = Cluster::start_tls(
        &dir.path().join("venue"),
        2,
        common::pg::ADMIN_PASSWORD,
        Some(&tls),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let url = format!(
        "{}&sslmode=verify-full&sslrootcert={}",
        c.admin_url(),
        tls.join("ca.pem").display()
    );
    let desk = Desk::new();
    let r = desk.run(&["office", "init", "--db", &url]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = desk.run(&[
        "office",
        "add-kiosk",
        "--db",
        &url,
        "--kiosk-id",
        "t1",
        "--out",
        "t1.office",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let file = std::fs::read_to_string(desk.p("t1.office")).unwrap();
    assert!(
        file.contains("sslmode=verify-full") && file.contains("target_session_attrs=read-write"),
        "{file}"
    );
    // A CA the venue does not use: refused, whichever server answers.
    let other = format!(
        "{}&sslmode=verify-full&sslrootcert={}",
        c.admin_url(),
        tls.join("other.pem").display()
    );
    let r = desk.run(&["office", "status", "--db", &other]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    let args = common::venue_kiosk_args("t1", "plenary", &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut t1 = LiveKiosk::start(desk.path(), &args);
    let a = desk.issue("badges", "T-1", &[]);
    let b = desk.issue("badges", "T-2", &[]);
    t1.send(&a);
    assert_eq!(t1.decision()["decision"], "admit");
    let (old, _) = c.wait_synchronous(Duration::from_secs(30)).unwrap();
    let encrypted = |c: &Cluster, m: usize| -> bool {
        let mut db = c.connect_member(m).unwrap();
        db.query_one(
            "SELECT COALESCE(bool_and(s.ssl), false) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.usename = 'bg_kiosk_t1'",
            &[],
        )
        .unwrap()
        .get(0)
    };
    eventually("the kiosk's connection encrypted", || encrypted(&c, old));
    c.kill_member(old);
    let new = c.wait_new_primary(old, Duration::from_secs(60)).unwrap();
    t1.send(&b);
    assert_eq!(t1.decision()["decision"], "admit");
    let journals = journal_rows(&desk, &["t1"]);
    let t = Instant::now();
    while office_rows(&c, new) != journals {
        assert!(
            t.elapsed() < Duration::from_secs(40),
            "never at the new primary"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(
        encrypted(&c, new),
        "the kiosk reached the new primary over TLS"
    );
    assert_eq!(t1.finish(), 0);
}

/// The Patroni configuration the package ships (`packaging/ha/patroni.yml`)
/// is the one these tests run, with each machine's values left to fill in.
#[test]
fn the_shipped_patroni_configuration_is_the_tested_one() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/ha/patroni.yml");
    let shipped = std::fs::read_to_string(&path).unwrap_or_default();
    let tested = badgegate::rehearse::ha::patroni_template();
    if shipped != tested {
        let fresh = std::env::temp_dir().join("patroni.yml.tested");
        std::fs::write(&fresh, &tested).unwrap();
        panic!(
            "{} differs from the configuration the tests run; the tested one is in {}",
            path.display(),
            fresh.display()
        );
    }
}
