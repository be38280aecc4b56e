//! The trust model against someone who can touch the files: revocation
//! lists taken up while a kiosk runs and kept in the chain, signed
//! journals that a rewrite cannot pass, one writer a journal, live copies.

use crate::common;

use std::fs;
use std::time::Duration;

use badgegate::journal::{record_hash, Journal};
use common::{Desk, LiveKiosk};

const AT: &str = "2026-12-01T09:00:00Z";

fn badge(desk: &Desk, serial: &str) -> String {
    desk.issue(
        "badges",
        serial,
        &[
            "--valid-from",
            "2026-12-01T07:00:00Z",
            "--valid-until",
            "2026-12-02T21:00:00Z",
        ],
    )
}

fn revoke(desk: &Desk, list: &str, serial: &str) -> common::Run {
    desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        list,
        serial,
        "--reason",
        "reported lost",
        // Placeholder serials too: lists that revoke someone else.
        "--force",
    ])
}

fn kiosk_args<'a>(journal: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "kiosk",
        "--trust",
        "trust",
        "--journal",
        journal,
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
    ];
    args.extend_from_slice(extra);
    args
}

/// The journal's records of kind `list`, as (reason, list sequence).
fn list_records(desk: &Desk, journal: &str) -> Vec<(String, Option<u64>)> {
    Journal::open_readonly(&desk.p(journal))
        .unwrap()
        .entries()
        .unwrap()
        .into_iter()
        .filter(|e| e.body.kind.code() == "list")
        .map(|e| (e.body.reason.code().to_owned(), e.body.list_seq))
        .collect()
}

#[test]
fn a_badge_revoked_while_the_kiosk_runs_is_refused_within_seconds() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1");
    assert_eq!(revoke(&desk, "revoked.txt", "X-9").code, 0);
    let mut k = LiveKiosk::start(
        desk.path(),
        &kiosk_args("j.db", &["--revocations", "revoked.txt"]),
    );
    k.send(&a);
    assert_eq!(k.decision()["reason"], "ok");
    assert_eq!(revoke(&desk, "revoked.txt", "A-1").code, 0);
    // Taken up within a second or two, with nobody scanning meanwhile.
    std::thread::sleep(Duration::from_millis(2500));
    k.send(&a);
    let d = k.decision();
    assert_eq!(d["reason"], "revoked", "{d}");
    assert!(d["detail"].as_str().unwrap().contains("reported lost"));
    assert!(k.stderr().contains("sequence 2"), "{}", k.stderr());
    assert_eq!(k.finish(), 0);
    assert_eq!(
        list_records(&desk, "j.db"),
        [
            ("list_accepted".to_owned(), Some(1)),
            ("list_accepted".to_owned(), Some(2))
        ]
    );
}

/// A head of delegation revoked by mistake: the desk reinstates her in a
/// new signed list, the running gate takes it up, journals who is valid
/// again and why, and admits her.
#[test]
fn a_badge_revoked_by_mistake_is_reinstated_and_admitted_again() {
    let desk = Desk::new();
    let a = badge(&desk, "HD-0001");
    assert_eq!(revoke(&desk, "revoked.txt", "HD-0001").code, 0);
    let mut k = LiveKiosk::start(
        desk.path(),
        &kiosk_args("j.db", &["--revocations", "revoked.txt"]),
    );
    k.send(&a);
    assert_eq!(k.decision()["reason"], "revoked");
    let reinstate = |reason: &str| {
        desk.run(&[
            "revoke",
            "--key",
            "keys/registration.key.pem",
            "--list",
            "revoked.txt",
            "--reinstate",
            "HD-0001",
            "--reason",
            reason,
        ])
    };
    let r = reinstate("");
    assert_eq!(r.code, 2, "a reason is required: {}", r.stderr);
    let r = reinstate("revoked by mistake");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("HD-0001: reinstated (revoked by mistake)"),
        "{}",
        r.stdout
    );
    let list = fs::read_to_string(desk.p("revoked.txt")).unwrap();
    assert!(list.contains("\nreinstate: HD-0001 "), "{list}");
    std::thread::sleep(Duration::from_millis(2500));
    k.send(&a);
    assert_eq!(k.decision()["reason"], "ok");
    assert_eq!(k.finish(), 0);
    let rows = Journal::open_readonly(&desk.p("j.db"))
        .unwrap()
        .entries()
        .unwrap();
    let taken = rows
        .iter()
        .rfind(|e| e.body.reason.code() == "list_accepted")
        .unwrap();
    assert!(
        taken
            .body
            .detail
            .contains("reinstated: HD-0001 (revoked by mistake)"),
        "{}",
        taken.body.detail
    );
    // Reinstating a badge that is not revoked says so.
    let r = reinstate("again");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("HD-0001 is not revoked on this list"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_forged_or_older_list_written_while_running_is_refused_journalled_and_the_list_kept() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1");
    assert_eq!(revoke(&desk, "revoked.txt", "X-9").code, 0);
    fs::copy(desk.p("revoked.txt"), desk.p("seq1.txt")).unwrap();
    assert_eq!(revoke(&desk, "revoked.txt", "A-1").code, 0);
    let mut k = LiveKiosk::start(
        desk.path(),
        &kiosk_args("j.db", &["--revocations", "revoked.txt"]),
    );
    k.send(&a);
    assert_eq!(k.decision()["reason"], "revoked");
    // Someone puts the older list back, then a forged one.
    fs::copy(desk.p("seq1.txt"), desk.p("old.tmp")).unwrap();
    fs::rename(desk.p("old.tmp"), desk.p("revoked.txt")).unwrap();
    std::thread::sleep(Duration::from_millis(2000));
    let forged = fs::read_to_string(desk.p("seq1.txt"))
        .unwrap()
        .replace("X-9", "X-8");
    // Written as the desk writes lists: whole, then renamed into place.
    fs::write(desk.p("forged.tmp"), forged).unwrap();
    fs::rename(desk.p("forged.tmp"), desk.p("revoked.txt")).unwrap();
    std::thread::sleep(Duration::from_millis(2000));
    k.send(&a);
    assert_eq!(k.decision()["reason"], "revoked", "the newest list is kept");
    let (code, err) = k.finish_with_stderr();
    assert!(
        err.contains("roll-back") && err.contains("does not verify"),
        "{err}"
    );
    assert_eq!(code, 0);
    let reasons: Vec<String> = list_records(&desk, "j.db")
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(reasons, ["list_accepted", "list_refused", "list_refused"]);
}

#[test]
fn a_list_from_a_second_key_does_not_replace_the_first_keys() {
    let desk = Desk::new();
    let r = desk.run(&["keygen", "--dir", "keys", "--name", "second"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    fs::copy(
        desk.p("keys/second.pub.pem"),
        desk.p("trust/second.pub.pem"),
    )
    .unwrap();
    let rev1 = badge(&desk, "REV-1");
    assert_eq!(revoke(&desk, "a.txt", "REV-1").code, 0);
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/second.key.pem",
        "--list",
        "b.txt",
        "OTHER-1",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let run = |lists: &[&str]| {
        let mut extra = Vec::new();
        for l in lists {
            extra.extend(["--revocations", l]);
        }
        desk.run_stdin(&kiosk_args("j.db", &extra), &format!("{rev1}\n"))
    };
    let r = run(&["a.txt"]);
    assert_eq!(r.reasons(), ["revoked"]);
    // Key B's list instead of key A's: refused, not a way round REV-1.
    let r = run(&["b.txt"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("current list"), "{}", r.stderr);
    let r = run(&["a.txt", "b.txt"]);
    assert_eq!(r.reasons(), ["revoked"]);
}

#[test]
fn editing_journal_meta_does_not_roll_a_list_back() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1");
    assert_eq!(revoke(&desk, "revoked.txt", "X-9").code, 0);
    fs::copy(desk.p("revoked.txt"), desk.p("seq1.txt")).unwrap();
    assert_eq!(revoke(&desk, "revoked.txt", "A-1").code, 0);
    let r = desk.run_stdin(
        &kiosk_args("j.db", &["--revocations", "revoked.txt"]),
        &format!("{a}\n"),
    );
    assert_eq!(r.reasons(), ["revoked"]);
    // What an earlier build kept outside the chain, forged low.
    let c = rusqlite::Connection::open(desk.p("j.db")).unwrap();
    c.execute(
        "INSERT INTO journal_meta (key, value) VALUES ('revocations.zzz.sequence', '0')
         ON CONFLICT (key) DO UPDATE SET value = '0'",
        [],
    )
    .unwrap();
    c.execute(
        "UPDATE journal_meta SET value = '0' WHERE key LIKE 'revocations.%'",
        [],
    )
    .unwrap();
    drop(c);
    let r = desk.run_stdin(
        &kiosk_args("j.db", &["--revocations", "seq1.txt"]),
        &format!("{a}\n"),
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("roll-back"), "{}", r.stderr);
    assert_eq!(desk.run(&["audit", "verify", "--journal", "j.db"]).code, 0);
}

/// A signed kiosk's journal with a few decisions, and the enrolled keys.
fn signed_journal(desk: &Desk) {
    let r = desk.run(&["keygen", "--dir", "kiosk", "--name", "north-1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    fs::create_dir_all(desk.p("enrolled")).unwrap();
    fs::copy(
        desk.p("kiosk/north-1.pub.pem"),
        desk.p("enrolled/north-1.pub.pem"),
    )
    .unwrap();
    let a = badge(desk, "A-1");
    let b = badge(desk, "B-2");
    let input = format!("{a}\n{b}\n{a}\nnot a badge\n");
    let r = desk.run_stdin(
        &kiosk_args("j.db", &["--signing-key", "kiosk/north-1.key.pem"]),
        &input,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.reasons(), ["ok", "ok", "already_inside", "not_a_badge"]);
    assert!(r.json_lines().iter().all(|j| j["kiosk_id"] == "north-1"));
}

fn verify_with_keys(desk: &Desk, journal: &str) -> common::Run {
    desk.run(&[
        "audit",
        "verify",
        "--journal",
        journal,
        "--kiosk-keys",
        "enrolled",
    ])
}

/// Rewrites the journal as someone with the file but not the kiosk's key
/// would: triggers dropped, record `seq` edited by `edit`, every hash from
/// there on recomputed so the chain links again; signatures kept or
/// stripped.
fn rewrite(desk: &Desk, name: &str, seq: u64, edit: &str, strip_signatures: bool) {
    fs::copy(desk.p("j.db"), desk.p(name)).unwrap();
    let c = rusqlite::Connection::open(desk.p(name)).unwrap();
    c.execute_batch("DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete;")
        .unwrap();
    c.execute(
        &format!("UPDATE entries SET {edit} WHERE seq = ?1"),
        [seq as i64],
    )
    .unwrap();
    if strip_signatures {
        c.execute("UPDATE entries SET sig = NULL, signer = NULL", [])
            .unwrap();
    }
    drop(c);
    let entries = Journal::open_readonly(&desk.p(name))
        .unwrap()
        .entries()
        .unwrap();
    let c = rusqlite::Connection::open(desk.p(name)).unwrap();
    let mut prev = entries[0].prev_hash;
    for e in &entries {
        let hash = record_hash(
            &prev,
            &e.kiosk_id,
            e.seq,
            e.format,
            &e.body,
            e.signer.as_deref(),
        );
        c.execute(
            "UPDATE entries SET prev_hash = ?1, hash = ?2 WHERE id = ?3",
            rusqlite::params![prev.to_vec(), hash.to_vec(), e.id],
        )
        .unwrap();
        prev = hash;
    }
}

#[test]
fn a_journal_rewritten_without_the_kiosks_key_is_caught_naming_the_record() {
    let desk = Desk::new();
    signed_journal(&desk);
    let r = verify_with_keys(&desk, "j.db");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("kiosk north-1: 5 record(s) signed by its enrolled key"),
        "{}",
        r.stdout
    );

    // The already_inside deny (record 4) turned into an admit, every hash
    // after it recomputed: the chain links, the signatures do not.
    rewrite(
        &desk,
        "edited.db",
        4,
        "decision = 'admit', reason = 'ok'",
        false,
    );
    let r = desk.run(&["audit", "verify", "--journal", "edited.db"]);
    assert_eq!(
        r.code, 1,
        "even the journal's own keys catch it: {}",
        r.stdout
    );
    let r = verify_with_keys(&desk, "edited.db");
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("BROKEN kiosk north-1 record 4")
            && r.stdout.contains("signature does not verify"),
        "{}",
        r.stdout
    );

    // The same with every signature stripped: intact to the journal alone
    // (it says so: not signed), broken against the enrolled key.
    rewrite(
        &desk,
        "stripped.db",
        4,
        "decision = 'admit', reason = 'ok'",
        true,
    );
    let r = desk.run(&["audit", "verify", "--journal", "stripped.db"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("kiosk north-1: not signed"),
        "{}",
        r.stdout
    );
    let r = verify_with_keys(&desk, "stripped.db");
    assert_eq!(r.code, 1);
    assert!(
        r.stdout
            .contains("enrolled key, but none of its records is signed"),
        "{}",
        r.stdout
    );

    // A record added after the last signature, with a correct hash.
    fs::copy(desk.p("j.db"), desk.p("appended.db")).unwrap();
    let last = Journal::open_readonly(&desk.p("appended.db"))
        .unwrap()
        .entries()
        .unwrap()
        .pop()
        .unwrap();
    let mut body = last.body.clone();
    body.serial = Some("EVE-1".into());
    body.decision = badgegate::vocab::EntryDecision::Admit;
    let hash = record_hash(&last.hash, &last.kiosk_id, last.seq + 1, 2, &body, None);
    let c = rusqlite::Connection::open(desk.p("appended.db")).unwrap();
    c.execute(
        "INSERT INTO entries (kiosk_id, seq, at_ms, kind, gate, zone, direction, serial, holder, org,
          category, key_id, decision, reason, flagged, authentic, detail, note, input, format,
          prev_hash, hash)
         SELECT kiosk_id, seq + 1, at_ms, kind, gate, zone, direction, 'EVE-1', holder, org,
          category, key_id, 'admit', reason, flagged, authentic, detail, note, input, 2, ?1, ?2
         FROM entries WHERE seq = ?3",
        rusqlite::params![last.hash.to_vec(), hash.to_vec(), last.seq as i64],
    )
    .unwrap();
    drop(c);
    let r = verify_with_keys(&desk, "appended.db");
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains(&format!("record {}", last.seq + 1)) && r.stdout.contains("not signed"),
        "{}",
        r.stdout
    );
}

#[test]
fn merging_keeps_the_signatures() {
    let desk = Desk::new();
    signed_journal(&desk);
    let r = desk.run(&["audit", "merge", "--journal", "all.db", "j.db"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = verify_with_keys(&desk, "all.db");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("signed by its enrolled key"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_kiosk_without_a_key_says_its_journal_is_unsigned() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1");
    let r = desk.run_stdin(&kiosk_args("j.db", &[]), &format!("{a}\n"));
    assert_eq!(r.code, 0);
    assert!(
        r.stderr.contains("this journal is not signed"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_second_kiosk_on_a_journal_in_use_is_refused_and_a_live_copy_is_consistent() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1");
    let mut k = LiveKiosk::start(desk.path(), &kiosk_args("j.db", &[]));
    k.send(&a);
    assert_eq!(k.decision()["reason"], "ok");
    let r = desk.run_stdin(&kiosk_args("j.db", &[]), &format!("{a}\n"));
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty(), "nothing decided: {}", r.stdout);
    let line: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(line.len(), 1, "{}", r.stderr);
    assert!(
        line[0].contains("in use by another badgegate"),
        "{}",
        line[0]
    );

    // A plain copy of the main file taken now misses what is in the log,
    // and says so; a snapshot holds everything.
    fs::copy(desk.p("j.db"), desk.p("cp.db")).unwrap();
    let r = desk.run(&["audit", "log", "--journal", "cp.db"]);
    assert!(r.stderr.contains("without its -wal"), "{}", r.stderr);
    let r = desk.run(&["audit", "snapshot", "--journal", "j.db", "--out", "snap.db"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = desk.run(&["audit", "log", "--journal", "snap.db", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    assert_eq!(r.json_lines().len(), 1, "the decision is in the copy");
    assert_eq!(
        desk.run(&["audit", "verify", "--journal", "snap.db"]).code,
        0
    );
    assert_eq!(k.finish(), 0);
}

#[test]
fn one_kiosks_records_are_in_sequence_order_even_when_its_clock_stepped_back() {
    use badgegate::journal::NewEntry;
    use badgegate::vocab::{Direction, EntryDecision, EntryKind, Reason};
    let desk = Desk::new();
    let mut j = Journal::open(&desk.p("clock.db"), Some("k1"), "k1").unwrap();
    let rec = |at_ms: u64, direction: Direction| NewEntry {
        at_ms,
        kind: EntryKind::Decision,
        gate: "main".into(),
        zone: Some("plenary".into()),
        direction,
        serial: Some("A-1".into()),
        holder: Some("Amina Diallo".into()),
        decision: EntryDecision::Admit,
        reason: Reason::Ok.into(),
        authentic: true,
        ..NewEntry::default()
    };
    // In at 10:00; out one second later by the kiosk's reckoning, but its
    // clock was corrected back two minutes in between.
    j.append(&rec(1_796_119_200_000, Direction::In)).unwrap();
    j.append(&rec(1_796_119_081_000, Direction::Out)).unwrap();
    drop(j);
    let r = desk.run(&["audit", "inside", "--journal", "clock.db", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "A-1 left: {}", r.stdout);
}

#[test]
fn every_audit_command_on_a_broken_chain_says_so_and_exits_non_zero() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1");
    let r = desk.run_stdin(&kiosk_args("j.db", &[]), &format!("{a}\n"));
    assert_eq!(r.code, 0);
    let c = rusqlite::Connection::open(desk.p("j.db")).unwrap();
    c.execute_batch(
        "DROP TRIGGER entries_no_update; UPDATE entries SET holder = 'Someone Else' WHERE seq = 2;",
    )
    .unwrap();
    drop(c);
    for args in [
        vec!["audit", "log", "--journal", "j.db"],
        vec!["audit", "export", "--journal", "j.db"],
        vec!["audit", "stats", "--journal", "j.db"],
        vec!["audit", "inside", "--journal", "j.db"],
        vec!["audit", "report", "--journal", "j.db", "--out", "r.html"],
    ] {
        let r = desk.run(&args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("chain is BROKEN"),
            "{args:?}: {}",
            r.stderr
        );
    }
    let r = desk.run(&["audit", "inside", "--journal", "j.db"]);
    assert!(r.stdout.contains("UNTRUSTED"), "{}", r.stdout);
    let html = fs::read_to_string(desk.p("r.html")).unwrap();
    assert!(html.contains("chain is BROKEN") && html.contains("class=bad"));
}

/// Regression: everything after the last start record replaced by
/// unsigned forged records (a forged start record first) passed plain
/// `audit verify` as intact. A journal that was signed stays signed, and a
/// kiosk will not go on writing it unsigned.
#[test]
fn unsigned_records_after_signed_ones_fail_verify_even_after_a_start_record() {
    let desk = Desk::new();
    signed_journal(&desk);
    // The kiosk itself refuses to go on unsigned.
    let a = fs::read_to_string(desk.p("badges/A-1.txt"))
        .unwrap()
        .trim_end()
        .to_owned();
    let r = desk.run_stdin(&kiosk_args("j.db", &[]), &format!("{a}\n"));
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("stays signed"), "{}", r.stderr);

    // A forger appends a start record and an admit, unsigned, chained.
    fs::copy(desk.p("j.db"), desk.p("forged.db")).unwrap();
    let entries = Journal::open_readonly(&desk.p("forged.db"))
        .unwrap()
        .entries()
        .unwrap();
    let first = entries.first().unwrap().clone();
    let last = entries.last().unwrap().clone();
    let c = rusqlite::Connection::open(desk.p("forged.db")).unwrap();
    let mut prev = last.hash;
    for (i, template) in [&first, &entries[1]].iter().enumerate() {
        let seq = last.seq + 1 + i as u64;
        let hash = record_hash(&prev, &last.kiosk_id, seq, 2, &template.body, None);
        c.execute(
            "INSERT INTO entries (kiosk_id, seq, at_ms, kind, gate, zone, direction, serial, holder, org,
              category, key_id, decision, reason, flagged, authentic, detail, note, input, format,
              list_seq, guard, prev_hash, hash)
             SELECT kiosk_id, ?1, at_ms, kind, gate, zone, direction, serial, holder, org,
              category, key_id, decision, reason, flagged, authentic, detail, note, input, 2,
              list_seq, guard, ?2, ?3
             FROM entries WHERE seq = ?4",
            rusqlite::params![seq as i64, prev.to_vec(), hash.to_vec(), template.seq as i64],
        )
        .unwrap();
        prev = hash;
    }
    drop(c);
    let r = desk.run(&["audit", "verify", "--journal", "forged.db"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!("record {}", last.seq + 1)) && r.stdout.contains("not signed"),
        "{}",
        r.stdout
    );
}

/// Regression: with `--kiosk-keys DIR`, an unsigned chain of a kiosk not
/// in DIR passed (forged exits shrank the muster list), and an enrolled
/// kiosk with no record at all passed.
#[test]
fn with_enrolled_keys_an_unenrolled_kiosk_or_an_enrolled_one_without_records_fails() {
    let desk = Desk::new();
    signed_journal(&desk);
    let a = fs::read_to_string(desk.p("badges/A-1.txt"))
        .unwrap()
        .trim_end()
        .to_owned();
    // Another kiosk's unsigned journal merged in.
    let mut args = kiosk_args("other.db", &["--kiosk-id", "stranger"]);
    args.extend(["--direction", "out"]);
    let r = desk.run_stdin(&args, &format!("{a}\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = desk.run(&["audit", "merge", "--journal", "all.db", "j.db", "other.db"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = verify_with_keys(&desk, "all.db");
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("stranger") && r.stdout.contains("no enrolled key"),
        "{}",
        r.stdout
    );
    // An enrolled kiosk with no record in the journal.
    assert_eq!(
        desk.run(&["keygen", "--dir", "kiosk", "--name", "south-1"])
            .code,
        0
    );
    fs::copy(
        desk.p("kiosk/south-1.pub.pem"),
        desk.p("enrolled/south-1.pub.pem"),
    )
    .unwrap();
    let r = verify_with_keys(&desk, "j.db");
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("south-1") && r.stdout.contains("no record in this journal"),
        "{}",
        r.stdout
    );
}

/// Regression: after the registration key was moved to `retired/`, a
/// journal that had taken a list from it could never start again.
#[test]
fn a_journal_that_took_a_list_from_a_key_since_retired_still_starts() {
    let desk = Desk::new();
    let a = badge(&desk, "A-1");
    assert_eq!(revoke(&desk, "rl.txt", "B-9").code, 0);
    let r = desk.run_stdin(
        &kiosk_args("j.db", &["--revocations", "rl.txt"]),
        &format!("{a}\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(list_records(&desk, "j.db").len(), 1);
    // The key is retired; a new one takes over.
    fs::create_dir_all(desk.p("trust/retired")).unwrap();
    fs::rename(
        desk.p("trust/registration.pub.pem"),
        desk.p("trust/retired/registration.pub.pem"),
    )
    .unwrap();
    assert_eq!(desk.run(&["keygen", "--dir", "new"]).code, 0);
    fs::copy(
        desk.p("new/registration.pub.pem"),
        desk.p("trust/new.pub.pem"),
    )
    .unwrap();
    let r = desk.run_stdin(
        &kiosk_args("j.db", &["--revocations", "rl.txt"]),
        &format!("{a}\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.reasons(), ["retired_key"]);
}

/// Regression: secret keys readable by others were used without a word,
/// and journals were created readable by everyone.
#[test]
fn a_secret_key_others_can_read_is_named_and_a_new_journal_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let desk = Desk::new();
    fs::set_permissions(
        desk.p("keys/registration.key.pem"),
        fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let r = revoke(&desk, "rl.txt", "B-9");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("mode 0644") && r.stderr.contains("chmod 600"),
        "{}",
        r.stderr
    );
    let a = badge(&desk, "A-1");
    assert!(a.starts_with("BG"));
    let r = desk.run_stdin(&kiosk_args("j.db", &[]), &format!("{a}\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mode = fs::metadata(desk.p("j.db")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode & 0o007, 0, "not world-readable: {mode:o}");
    assert_eq!(mode & 0o020, 0, "not group-writable: {mode:o}");
}
