//! The venue office driven with random rows from each login it gives out
//! (a publisher's, a kiosk's), against a real PostgreSQL: whatever they
//! send, no list is taken that the registration key did not sign as the
//! newest, no record is stored outside a kiosk's chain or the vocabulary,
//! and the office's own questions (status, export, the dashboard's pages)
//! keep answering. docs/threat-model.md names what this covers.

use crate::common;

use std::time::Duration;

use badgegate::office::connect::{connect, read_connection_file};
use common::pg::Pg;
use common::{office, Desk};
use postgres::Client;
use proptest::prelude::*;

const AT: &str = "2026-12-01T09:00:00Z";

/// One thing a login tries.
#[derive(Clone, Debug)]
enum Try {
    /// The publisher inserts a list row.
    List {
        kind: String,
        key: String,
        seq: i64,
        body: String,
    },
    /// The kiosk login inserts a record of its own.
    Record {
        seq: i64,
        kind: String,
        reason: String,
        decision: String,
        link: bool,
    },
    /// The kiosk login says hello with any numbers.
    Hello { now: i64, head: i64, lists: String },
    /// The kiosk login raises an alarm with any words.
    Alarm { kind: String, detail: String },
}

fn any_try(key: String, genuine: String) -> impl Strategy<Value = Try> {
    let kinds = prop_oneof![
        Just("revocations".to_owned()),
        Just("policy".to_owned()),
        "[a-z]{0,12}"
    ];
    let keys = prop_oneof![Just(key.clone()), "[0-9a-f]{8}", ".{0,12}"];
    let seqs = prop_oneof![
        Just(1i64),
        Just(2i64),
        Just(999i64),
        Just(i64::MAX),
        any::<i64>()
    ];
    let bodies = prop_oneof![
        Just(genuine.clone()),
        Just(genuine.replace("sequence: 1\n", "sequence: 2\n")),
        Just(genuine.replace("sequence: 1\n", "sequence: 999\n")),
        Just(format!(
            "badgegate-revocations v1\nkey-id: {key}\nsequence: 9223372036854775807\nissued-at: 2026-12-01T00:00:00Z\nsignature: {}\n",
            "00".repeat(64)
        )),
        ".{0,200}"
    ];
    let list = (kinds, keys, seqs, bodies).prop_map(|(kind, key, seq, body)| Try::List {
        kind,
        key,
        seq,
        body,
    });
    let record = (
        prop_oneof![Just(3i64), Just(4i64), any::<i64>()],
        prop_oneof![
            Just("decision".to_owned()),
            Just("list".to_owned()),
            "[a-z_]{0,10}"
        ],
        prop_oneof![
            Just("ok".to_owned()),
            Just("pwned".to_owned()),
            "[a-z_]{0,14}"
        ],
        prop_oneof![Just("admit".to_owned()), Just("deny".to_owned())],
        any::<bool>(),
    )
        .prop_map(|(seq, kind, reason, decision, link)| Try::Record {
            seq,
            kind,
            reason,
            decision,
            link,
        });
    let hello = (any::<i64>(), any::<i64>(), ".{0,300}")
        .prop_map(|(now, head, lists)| Try::Hello { now, head, lists });
    let alarm = ("[a-z]{0,8}", ".{0,600}").prop_map(|(kind, detail)| Try::Alarm { kind, detail });
    prop_oneof![4 => list, 3 => record, 1 => hello, 1 => alarm]
}

fn login(desk: &Desk, file: &str) -> Client {
    let url = read_connection_file(&desk.p(file)).unwrap();
    connect(&url, Duration::from_secs(5)).unwrap()
}

/// Runs one try; what the database said does not matter, only what holds
/// afterwards.
fn attempt(publisher: &mut Client, kiosk: &mut Client, t: &Try) {
    match t {
        Try::List {
            kind,
            key,
            seq,
            body,
        } => {
            let _ = publisher.execute(
                "INSERT INTO badgegate.lists (kind, key_id, sequence, body) VALUES ($1, $2, $3, $4)",
                &[kind, key, seq, body],
            );
        }
        Try::Record {
            seq,
            kind,
            reason,
            decision,
            link,
        } => {
            let prev: Vec<u8> = if *link { vec![1; 32] } else { vec![0; 32] };
            let _ = kiosk.execute(
                "INSERT INTO badgegate.records (kiosk_id, seq, at_ms, kind, gate, direction, serial, decision, reason, \
                 flagged, authentic, detail, input, format, prev_hash, hash) \
                 VALUES ('north', $1, 0, $2, 'north', 'in', 'A-1', $3, $4, false, true, '', '', 2, $5, $6)",
                &[seq, kind, decision, reason, &prev, &vec![2u8; 32]],
            );
        }
        Try::Hello { now, head, lists } => {
            let _ = kiosk.query(
                "SELECT * FROM badgegate.hello($1, $2, $3)",
                &[now, lists, head],
            );
        }
        Try::Alarm { kind, detail } => {
            let _ = kiosk.execute("SELECT badgegate.kiosk_alarm($1, $2)", &[kind, detail]);
        }
    }
}

#[test]
fn random_rows_from_each_login_change_nothing_the_threat_model_rules_out() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    assert_eq!(office(&desk, &pg, &["init"]).code, 0);
    let r = office(
        &desk,
        &pg,
        &["add-kiosk", "--kiosk-id", "north", "--out", "north.office"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = office(
        &desk,
        &pg,
        &["add-publisher", "--name", "desk", "--out", "desk.office"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let a = desk.issue("badges", "A-1", &["--valid-from", "2026-12-01T00:00:00Z"]);
    let args = [
        "kiosk",
        "--trust",
        "trust",
        "--journal",
        "north.db",
        "--gate",
        "north",
        "--zone",
        "plenary",
        "--stdin",
        "--headless",
        "--at",
        AT,
        "--cooldown",
        "0",
        "--anti-passback",
        "off",
        "--kiosk-id",
        "north",
        "--office",
        "north.office",
    ];
    let r = desk.run_stdin(&args, &format!("{a}\n"));
    assert_eq!(r.reasons(), ["ok"], "{}", r.stderr);
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "rl.txt",
        "A-1",
        "--office",
        "desk.office",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let genuine = std::fs::read_to_string(desk.p("rl.txt")).unwrap();
    let key = genuine
        .lines()
        .nth(1)
        .and_then(|l| l.strip_prefix("key-id: "))
        .unwrap()
        .to_owned();

    let mut admin = connect(&pg.admin_url(), Duration::from_secs(5)).unwrap();
    let publisher = login(&desk, "desk.office");
    let kiosk = login(&desk, "north.office");
    let records_before: i64 = admin
        .query_one("SELECT count(*) FROM badgegate.records", &[])
        .unwrap()
        .get(0);
    let presence_before: i64 = admin
        .query_one("SELECT count(*) FROM badgegate.presence", &[])
        .unwrap()
        .get(0);
    let clock = badgegate::office::web::WebClock::new(Some("UTC")).unwrap();

    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let tries = proptest::collection::vec(any_try(key.clone(), genuine.clone()), 1..6);
    // The runner takes a closure it may call again: the connections are
    // borrowed inside it.
    let cell = std::cell::RefCell::new((admin, publisher, kiosk));
    runner
        .run(&tries, |tries| {
            let mut guard = cell.borrow_mut();
            let (admin, publisher, kiosk) = &mut *guard;
            for t in &tries {
                attempt(publisher, kiosk, t);
            }
            // Every stored list row is what its body's header says.
            for r in admin
                .query("SELECT kind, key_id, sequence, body FROM badgegate.lists", &[])
                .unwrap()
            {
                let (kind, k, seq, body): (String, String, i64, String) =
                    (r.get(0), r.get(1), r.get(2), r.get(3));
                let header = if kind == "revocations" {
                    "badgegate-revocations v1"
                } else {
                    "badgegate-policy v1"
                };
                let mut lines = body.lines();
                prop_assert_eq!(lines.next(), Some(header));
                let (key_line, seq_line) = (format!("key-id: {k}"), format!("sequence: {seq}"));
                prop_assert_eq!(lines.next(), Some(key_line.as_str()));
                prop_assert_eq!(lines.next(), Some(seq_line.as_str()));
            }
            // No record stored outside north's chain, no presence changed.
            let (records, presence): (i64, i64) = {
                let r = admin
                    .query_one(
                        "SELECT (SELECT count(*) FROM badgegate.records), (SELECT count(*) FROM badgegate.presence)",
                        &[],
                    )
                    .unwrap();
                (r.get(0), r.get(1))
            };
            prop_assert_eq!(records, records_before);
            prop_assert_eq!(presence, presence_before);
            // The office's questions answer.
            prop_assert!(badgegate::office::views::status(admin, &badgegate::clock::VenueTime::utc()).is_ok());
            prop_assert!(badgegate::office::views::newest(admin, 100).is_ok());
            prop_assert!(badgegate::office::web::data::alarms(admin, &clock).is_ok());
            prop_assert!(badgegate::office::web::data::lists(admin, &clock).is_ok());
            Ok(())
        })
        .unwrap();
    let (mut admin, _, _) = cell.into_inner();

    // Every list row published by the publisher's own login, whatever it
    // sent.
    let others: i64 = admin
        .query_one(
            "SELECT count(*) FROM badgegate.lists WHERE published_by <> 'bg_desk_desk'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(others, 0);
    // The kiosk, run again, takes the genuine list and nothing else: the
    // revoked badge is refused, and it holds list #1.
    let mut k = common::LiveKiosk::start(desk.path(), &args);
    let start = std::time::Instant::now();
    while !k.stderr().contains("taken up") {
        assert!(start.elapsed().as_secs() < 20, "{}", k.stderr());
        std::thread::sleep(Duration::from_millis(100));
    }
    k.send(&a);
    assert_eq!(k.decision()["reason"], "revoked", "{}", k.stderr());
    assert!(
        k.stderr().contains("sequence 1") && !k.stderr().contains("sequence 2 "),
        "{}",
        k.stderr()
    );
    assert_eq!(k.finish(), 0);
    let held: String = admin
        .query_one(
            "SELECT COALESCE(lists_in_use, '') FROM badgegate.kiosks WHERE kiosk_id = 'north'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(held, format!("revocations {key} #1"));
    let r = office(&desk, &pg, &["export", "--journal", "venue.db"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}
