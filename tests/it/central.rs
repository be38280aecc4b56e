//! Many venues and one accreditation centre, each a real PostgreSQL server
//! on its own loopback port, joined by logical replication, with real
//! kiosk processes at the venues: a key list and a revocation published
//! once at the centre reach a gate in every venue; a badge of a key scoped
//! to one venue is refused at another; a venue cut off from the centre
//! keeps deciding, and afterwards its records reach the centre exactly
//! once and the lists published meanwhile reach its gates.

use crate::common;

use std::fs;

use badgegate::rehearse::proxy::{Link, Proxy};
use common::pg::Pg;
use common::{eventually, Desk, LiveKiosk};

/// `badgegate COMMAND --db URL ARGS…` against one server.
fn on(desk: &Desk, pg: &Pg, cmd: &[&str], args: &[&str]) -> common::Run {
    let url = pg.admin_url();
    let mut v: Vec<&str> = cmd.to_vec();
    v.extend(["--db", url.as_str()]);
    v.extend_from_slice(args);
    desk.run(&v)
}

fn ok(r: common::Run, what: &str) -> common::Run {
    assert_eq!(r.code, 0, "{what}: {}{}", r.stdout, r.stderr);
    r
}

/// A root key, its key list granting the registration key venues `arena`
/// and `stadium`, and a `pool` desk key venue `pool` only; the trust folder
/// holds only the root and the list.
fn keys(desk: &Desk) {
    ok(
        desk.run(&["keygen", "--dir", "offline", "--name", "root"]),
        "root",
    );
    ok(
        desk.run(&["keygen", "--dir", "keys", "--name", "pool"]),
        "pool key",
    );
    desk.grant_key(
        "keys/registration.pub.pem",
        &["--venues", "arena,stadium"],
        None,
    );
    desk.grant_key("keys/pool.pub.pem", &["--venues", "pool"], None);
    fs::remove_dir_all(desk.p("trust")).unwrap();
    desk.root_trust("trust");
}

/// A venue office on `pg` named `venue`, with kiosk `VENUE-n1`.
fn venue(desk: &Desk, pg: &Pg, venue: &str) {
    ok(
        on(desk, pg, &["office", "init"], &["--venue", venue]),
        "office init",
    );
    let id = format!("{venue}-n1");
    let out = format!("{id}.office");
    ok(
        on(
            desk,
            pg,
            &["office", "add-kiosk"],
            &["--kiosk-id", &id, "--out", &out],
        ),
        "add-kiosk",
    );
}

fn gate(desk: &Desk, venue: &str) -> LiveKiosk {
    let id = format!("{venue}-n1");
    let args = common::venue_kiosk_args(
        &id,
        "plenary",
        &["--venue", venue, "--anti-passback", "off"],
    );
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    LiveKiosk::start(desk.path(), &refs)
}

fn reason(k: &mut LiveKiosk, text: &str) -> String {
    k.send(text);
    k.decision()["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn count(pg: &Pg, sql: &str) -> i64 {
    pg.sql(sql).trim().parse().unwrap_or(-1)
}

#[test]
fn lists_published_at_the_centre_reach_a_gate_in_every_venue() {
    let (Some(centre), Some(arena), Some(stadium), Some(pool)) =
        (Pg::start(), Pg::start(), Pg::start(), Pg::start())
    else {
        return;
    };
    let desk = Desk::new();
    keys(&desk);
    let r = ok(
        on(&desk, &centre, &["central", "init"], &[]),
        "central init",
    );
    assert!(r.stdout.contains("accreditation centre"), "{}", r.stdout);
    ok(
        on(
            &desk,
            &centre,
            &["office", "add-publisher"],
            &["--name", "desk", "--out", "desk.office"],
        ),
        "publisher at the centre",
    );
    for (pg, name) in [(&arena, "arena"), (&stadium, "stadium"), (&pool, "pool")] {
        venue(&desk, pg, name);
        let url = pg.admin_url();
        let r = ok(
            on(
                &desk,
                &centre,
                &["central", "add-venue"],
                &["--venue-db", &url],
            ),
            "add-venue",
        );
        assert!(
            r.stdout.contains(&format!("venue {name} joined")),
            "{}",
            r.stdout
        );
    }
    // A venue joins once; a kiosk id without the venue's prefix is refused.
    let r = on(
        &desk,
        &centre,
        &["central", "add-venue"],
        &["--venue-db", &arena.admin_url()],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("already joined"), "{}", r.stderr);
    let r = on(
        &desk,
        &arena,
        &["office", "add-kiosk"],
        &["--kiosk-id", "n2", "--out", "n2.office"],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("arena-n2"), "{}", r.stderr);

    let delegate = desk.issue("b", "D-1", &["--zones", "plenary"]);
    let swimmer = desk.issue("b", "P-1", &["--key", "keys/pool.key.pem"]);
    let mut gates: Vec<(&str, LiveKiosk)> = ["arena", "stadium", "pool"]
        .into_iter()
        .map(|v| (v, gate(&desk, v)))
        .collect();
    for (v, g) in &mut gates {
        let want = if *v == "pool" {
            ("key_out_of_scope", "ok")
        } else {
            ("ok", "key_out_of_scope")
        };
        assert_eq!(reason(g, &delegate), want.0, "the delegate at {v}");
        assert_eq!(reason(g, &swimmer), want.1, "the swimmer at {v}");
    }

    // Holders' photos published once at the centre, for the arena only:
    // the arena's gate shows the right one and refuses a swapped one; the
    // stadium's gate has none (an ID check instead).
    let src = desk.p("portrait.jpg");
    fs::write(
        &src,
        common::photos::jpeg(&badgegate::synth::portrait(900, 1200, 3)),
    )
    .unwrap();
    let src = src.to_string_lossy().into_owned();
    let pictured = desk.issue("pics", "D-P", &["--zones", "plenary", "--photo", &src]);
    let other = desk.p("other.jpg");
    fs::write(
        &other,
        common::photos::jpeg(&badgegate::synth::portrait(900, 1200, 4)),
    )
    .unwrap();
    let other = other.to_string_lossy().into_owned();
    let swapped = desk.issue("pics", "D-Q", &["--zones", "plenary", "--photo", &other]);
    // D-Q's file replaced by D-P's photo before publishing: a swap.
    fs::copy(desk.p("pics/D-P-photo.jpg"), desk.p("pics/D-Q-photo.jpg")).unwrap();
    let r = ok(
        desk.run(&[
            "publish-photos",
            "--office",
            "desk.office",
            "--venues",
            "arena",
            "pics",
        ]),
        "publish-photos",
    );
    assert!(r.stdout.contains("2 photo(s) published"), "{}", r.stdout);
    // A row that names a photo by another photo's digest is refused.
    let (done, said) = centre.sql_as(
        &desk.p("desk.office"),
        &format!(
            "INSERT INTO badgegate.photos (serial, digest, photo) VALUES ('D-Q', '{}', '\\x00ff')",
            "0".repeat(32)
        ),
    );
    assert!(
        !done && said.contains("is not the photo of digest"),
        "{said}"
    );
    let photo_at = |g: &mut LiveKiosk, text: &str| {
        g.send(text);
        let d = g.decision();
        (
            d["reason"].as_str().unwrap_or_default().to_owned(),
            d["photo"].as_str().unwrap_or_default().to_owned(),
        )
    };
    let (_, arena_gate) = &mut gates[0];
    eventually("the photos at the arena's gate", || {
        photo_at(arena_gate, &pictured) == ("ok".into(), "match".into())
    });
    assert_eq!(
        photo_at(arena_gate, &swapped),
        ("photo_mismatch".into(), "mismatch".into())
    );
    let (_, stadium_gate) = &mut gates[1];
    assert_eq!(photo_at(stadium_gate, &pictured).1, "missing");
    assert_eq!(
        count(&stadium, "SELECT count(*) FROM badgegate.photos"),
        0,
        "the arena's photos are not sent to the stadium"
    );

    // One revocation, published once at the centre.
    ok(
        desk.run(&[
            "revoke",
            "--key",
            "keys/registration.key.pem",
            "--list",
            "revoked.txt",
            "D-1",
            "--reason",
            "reported lost",
            "--office",
            "desk.office",
        ]),
        "revoke at the centre",
    );
    for (v, g) in &mut gates {
        if *v == "pool" {
            continue;
        }
        eventually(&format!("the revocation at {v}'s gate"), || {
            reason(g, &delegate) == "revoked"
        });
    }
    // The pool desk's key withdrawn at the centre: refused at the pool.
    let pool_id = badgegate::format::keys::PublicKey::load(&desk.p("keys/pool.pub.pem"))
        .unwrap()
        .id
        .to_string();
    ok(
        desk.run(&[
            "keylist",
            "withdraw",
            "--root",
            "offline/root.key.pem",
            "--list",
            "keys.txt",
            "--key-id",
            &pool_id,
            "--reason",
            "pool desk closed",
            "--office",
            "desk.office",
        ]),
        "withdraw at the centre",
    );
    let (_, pool_gate) = &mut gates[2];
    eventually("the withdrawal at the pool's gate", || {
        reason(pool_gate, &swimmer) == "key_withdrawn"
    });

    // Every venue's records at the centre, and its status.
    for (pg, name) in [(&arena, "arena"), (&stadium, "stadium"), (&pool, "pool")] {
        let at_venue = count(pg, "SELECT count(*) FROM badgegate.records");
        assert!(at_venue > 0);
        eventually(&format!("{name}'s records at the centre"), || {
            count(
                &centre,
                &format!("SELECT count(*) FROM badgegate.records WHERE kiosk_id = '{name}-n1'"),
            ) >= at_venue
        });
    }
    let r = ok(
        on(&desk, &centre, &["central", "status"], &["--json"]),
        "status",
    );
    let lines = r.json_lines();
    assert_eq!(lines.len(), 3, "{}", r.stdout);
    for l in &lines {
        assert_eq!(l["connected"], true, "{l}");
        assert_eq!(l["kiosks"], 1, "{l}");
        assert!(l["records"].as_i64().unwrap() > 3, "{l}");
    }
    // The delegate and the pictured holder were admitted at arena and
    // stadium, the swimmer at the pool, before the lists turned them away.
    let r = ok(
        on(&desk, &centre, &["central", "inside"], &["--json"]),
        "inside",
    );
    let mut seen: Vec<(String, String)> = r
        .json_lines()
        .iter()
        .map(|l| {
            (
                l["venue"].as_str().unwrap().to_owned(),
                l["serial"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("arena", "D-1"),
            ("arena", "D-P"),
            ("pool", "P-1"),
            ("stadium", "D-1"),
            ("stadium", "D-P")
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
    // The centre's dashboard: every venue's gates, one venue at a time,
    // and the muster list across venues.
    if let Some(b) = common::browser::Browser::start() {
        let url = centre.admin_url();
        let r = ok(
            desk.run(&["office", "add-user", "--db", &url, "--name", "chief"]),
            "add-user",
        );
        let password = r
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("password: "))
            .expect("a password")
            .to_owned();
        let (_server, base) = crate::dashboard::serve(&desk, &url, &[]);
        crate::dashboard::sign_in(&b, &base, "chief", &password);
        b.goto(&format!("{base}/gates?venue=pool"));
        b.wait_for(
            "only the pool's gate shown",
            std::time::Duration::from_secs(10),
            |b| {
                b.run(
                    "return [...document.querySelectorAll('.tile')].filter(t => !t.hidden).map(t => t.dataset.venue).join(',')",
                    serde_json::json!([]),
                ) == "pool"
            },
        );
        assert_eq!(
            b.run(
                "return document.querySelectorAll('.tile').length",
                serde_json::json!([])
            ),
            3
        );
        b.goto(&format!("{base}/muster"));
        let text = b.text("main");
        for zone in ["arena/plenary", "stadium/plenary"] {
            assert!(text.contains(zone), "{zone} in the muster list: {text}");
        }
        let shots =
            std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dashboard-screenshots");
        fs::create_dir_all(&shots).unwrap();
        b.screenshot(&shots.join("centre-muster.png"));
        b.goto(&format!("{base}/gates?venue=arena"));
        b.wait_for(
            "the arena's gate shown",
            std::time::Duration::from_secs(10),
            |b| b.find(".tile[data-venue=arena]:not([hidden])").is_some(),
        );
        b.screenshot(&shots.join("centre-gates-arena.png"));
        // The live feed at the centre: a venue column and filter, and a
        // record of the pool's gate arriving live under it.
        b.goto(&format!("{base}/live"));
        b.wait_for("the feed", std::time::Duration::from_secs(10), |b| {
            b.find("#feed tr").is_some()
        });
        b.run(
            "const s = document.getElementById('f-venue'); s.value = 'pool'; s.dispatchEvent(new Event('change')); return 1",
            serde_json::json!([]),
        );
        let visible = "return [...document.querySelectorAll('#feed tr')].filter(t => !t.hidden).map(t => t.dataset.venue)";
        let before = b.run(visible, serde_json::json!([]));
        let before = before.as_array().unwrap().clone();
        assert!(
            !before.is_empty() && before.iter().all(|v| v == "pool"),
            "{before:?}"
        );
        let (_, pool_gate) = &mut gates[2];
        pool_gate.send(&swimmer);
        pool_gate.decision();
        b.wait_for(
            "the pool's new record shown live under its venue",
            std::time::Duration::from_secs(10),
            |b| {
                let now = b.run(visible, serde_json::json!([]));
                now.as_array()
                    .is_some_and(|v| v.len() > before.len() && v.iter().all(|x| x == "pool"))
            },
        );
        // The venues' replication is not taken for standbys of the centre.
        let lists = b.text("#lists");
        assert!(!lists.contains("standby"), "{lists}");
    }
    drop(gates);
}

#[test]
fn a_venue_cut_off_from_the_centre_keeps_deciding_and_catches_up_exactly_once() {
    let (Some(centre), Some(arena)) = (Pg::start(), Pg::start()) else {
        return;
    };
    let desk = Desk::new();
    keys(&desk);
    ok(
        on(&desk, &centre, &["central", "init"], &[]),
        "central init",
    );
    ok(
        on(
            &desk,
            &centre,
            &["office", "add-publisher"],
            &["--name", "desk", "--out", "desk.office"],
        ),
        "publisher",
    );
    venue(&desk, &arena, "arena");
    // Each server reaches the other through a link the test can cut.
    let to_centre = Proxy::start(centre.port).unwrap();
    let to_arena = Proxy::start(arena.port).unwrap();
    let via = |pg: &Pg, p: &Proxy| {
        pg.admin_url()
            .replace(&format!(":{}/", pg.port), &format!(":{}/", p.port))
    };
    let centre_url = via(&centre, &to_centre);
    let arena_url = via(&arena, &to_arena);
    // The venue ran before it joined: what it holds is copied first.
    let badges: Vec<String> = (0..6)
        .map(|i| desk.issue("b", &format!("D-{i}"), &["--zones", "plenary"]))
        .collect();
    let mut g = gate(&desk, "arena");
    assert_eq!(reason(&mut g, &badges[0]), "ok");
    eventually("the first record at the venue's office", || {
        count(
            &arena,
            "SELECT count(*) FROM badgegate.records WHERE serial = 'D-0'",
        ) == 1
    });
    ok(
        desk.run(&[
            "central",
            "add-venue",
            "--db",
            &centre_url,
            "--venue-db",
            &arena_url,
        ]),
        "add-venue",
    );
    eventually("the record made before joining at the centre", || {
        count(
            &centre,
            "SELECT count(*) FROM badgegate.records WHERE serial = 'D-0'",
        ) == 1
    });

    // Cut off: the venue keeps deciding; the centre publishes meanwhile.
    to_centre.set(Link::Refuse);
    to_arena.set(Link::Refuse);
    for b in &badges[1..5] {
        assert_eq!(reason(&mut g, b), "ok");
    }
    ok(
        desk.run(&[
            "revoke",
            "--key",
            "keys/registration.key.pem",
            "--list",
            "revoked.txt",
            "D-5",
            "--reason",
            "reported stolen",
            "--office",
            "desk.office",
        ]),
        "revoke while the venue is cut off",
    );
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert_eq!(
        reason(&mut g, &badges[5]),
        "ok",
        "the list cannot have arrived"
    );
    assert_eq!(
        count(
            &centre,
            "SELECT count(*) FROM badgegate.records WHERE serial IN ('D-1','D-2','D-3','D-4')"
        ),
        0,
        "the centre cannot have the records made while cut off"
    );
    let r = on(&desk, &centre, &["central", "status"], &["--json"]);
    eventually("the centre says the venue is cut off", || {
        let r = on(&desk, &centre, &["central", "status"], &["--json"]);
        r.json_lines()
            .first()
            .is_some_and(|l| l["connected"] == false)
            && r.code == 1
    });
    drop(r);

    // The centre's replication is no standby of the venue's office: its
    // loss is no `no_standby` alarm there.
    assert_eq!(
        count(
            &arena,
            "SELECT count(*) FROM badgegate.alarms WHERE kind = 'no_standby'"
        ),
        0
    );
    // Healed: the venue catches up by itself.
    to_centre.set(Link::Open);
    to_arena.set(Link::Open);
    eventually("the revocation reaches the venue's gate", || {
        reason(&mut g, &badges[5]) == "revoked"
    });
    // The gate stopped, its last records at its office: the centre holds
    // the same records, each once, with the same hashes.
    assert_eq!(g.finish(), 0);
    let hashes = |pg: &Pg| {
        pg.sql(
            "SELECT count(*), string_agg(encode(hash, 'hex'), ',' ORDER BY seq) FROM badgegate.records",
        )
    };
    eventually("every record at the centre", || {
        hashes(&centre) == hashes(&arena)
    });
    assert_eq!(
        count(
            &centre,
            "SELECT count(DISTINCT (kiosk_id, seq)) FROM badgegate.records"
        ),
        count(&arena, "SELECT count(*) FROM badgegate.records"),
        "each record once"
    );

    // The replication logins read the published tables and nothing else,
    // and write nothing anywhere.
    let as_role = |pg: &Pg, role: &str, stmt: &str| {
        let out = std::process::Command::new("psql")
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h"])
            .arg(pg.socket_dir())
            .args([
                "-p",
                &pg.port.to_string(),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-c",
            ])
            .arg(format!("SET ROLE {role}; {stmt}"))
            .output()
            .expect("run psql");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    assert!(
        as_role(
            &arena,
            "badgegate_centre",
            "SELECT count(*) FROM badgegate.records"
        )
        .0
    );
    assert!(
        as_role(
            &centre,
            "badgegate_venue_arena",
            "SELECT count(*) FROM badgegate.lists"
        )
        .0
    );
    for (pg, role, stmt) in [
        (&arena, "badgegate_centre", "DELETE FROM badgegate.records"),
        (&arena, "badgegate_centre", "UPDATE badgegate.kiosks SET gate = 'x'"),
        (&arena, "badgegate_centre", "INSERT INTO badgegate.lists (kind, key_id, sequence, body) VALUES ('keys', 'aaaaaaaa', 9, 'x')"),
        (&arena, "badgegate_centre", "SELECT count(*) FROM badgegate.alarms"),
        (&arena, "badgegate_centre", "SELECT count(*) FROM badgegate.presence"),
        (&centre, "badgegate_venue_arena", "SELECT count(*) FROM badgegate.records"),
        (&centre, "badgegate_venue_arena", "INSERT INTO badgegate.lists (kind, key_id, sequence, body) VALUES ('keys', 'aaaaaaaa', 9, 'x')"),
        (&centre, "badgegate_venue_arena", "DELETE FROM badgegate.photos"),
    ] {
        let (done, said) = as_role(pg, role, stmt);
        assert!(!done && said.contains("permission denied"), "{role}: {stmt}: {said}");
    }
}
