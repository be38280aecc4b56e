//! The root key and its key list of issuing keys, with real kiosk
//! processes: a gate that trusts only the root admits what a granted key
//! signs within its scope, denies the rest by name, takes a withdrawal or
//! a new key while it runs (from its trust folder, or published at the
//! venue office), refuses a key list the root did not sign, and will not
//! start on a key list older than one it has taken up.

use crate::common;

use std::fs;
use std::path::Path;

use common::pg::Pg;
use common::{eventually, office, Desk, LiveKiosk};

/// A root key kept apart (`offline/root.*.pem`), a key list granting the
/// registration key venue `arena`, zones `plenary` and `lounge`, and a
/// trust folder `rooted/` holding only the root public key and that list.
fn rooted(desk: &Desk) {
    let r = desk.run(&["keygen", "--dir", "offline", "--name", "root"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    desk.grant_key(
        "keys/registration.pub.pem",
        &["--venues", "arena", "--zones", "plenary,lounge"],
        None,
    );
    desk.root_trust("rooted");
}

/// Replaces `to` with `from` in one step (as a copy tool that writes a
/// temporary file and renames it does).
fn put(from: &Path, to: &Path) {
    let tmp = to.with_extension("part");
    fs::copy(from, &tmp).unwrap();
    fs::rename(&tmp, to).unwrap();
}

fn kiosk(desk: &Desk, journal: &str, extra: &[&str]) -> LiveKiosk {
    let mut args = vec![
        "kiosk",
        "--trust",
        "rooted",
        "--journal",
        journal,
        "--gate",
        "north",
        "--zone",
        "plenary",
        "--stdin",
        "--headless",
        "--cooldown",
        "0",
        "--anti-passback",
        "off",
    ];
    args.extend_from_slice(extra);
    LiveKiosk::start(desk.path(), &args)
}

fn reason(k: &mut LiveKiosk, text: &str) -> String {
    k.send(text);
    k.decision()["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn a_gate_trusting_only_the_root_decides_by_the_key_list_and_takes_a_withdrawal_while_running() {
    let desk = Desk::new();
    rooted(&desk);
    let ok = desk.issue("b", "D-1", &["--zones", "plenary"]);
    let press = desk.issue("b", "D-2", &["--zones", "plenary,press"]);
    let every = desk.issue("b", "D-3", &["--zones", "*"]);
    let r = desk.run(&["keygen", "--dir", "keys", "--name", "stranger"]);
    assert_eq!(r.code, 0);
    let stranger = desk.issue("b", "S-1", &["--key", "keys/stranger.key.pem"]);

    let mut gate = kiosk(&desk, "north.db", &["--venue", "arena"]);
    assert_eq!(reason(&mut gate, &ok), "ok");
    assert_eq!(reason(&mut gate, &press), "key_out_of_scope");
    let d = {
        gate.send(&every);
        gate.decision()
    };
    assert_eq!(d["reason"], "key_out_of_scope");
    assert!(d["detail"].as_str().unwrap().contains("every zone"), "{d}");
    assert_eq!(reason(&mut gate, &stranger), "unknown_key");

    // A key list signed by an issuing key, not the root, dropped into the
    // trust folder: refused, journalled, and the list in use kept.
    let r = desk.run(&[
        "keylist",
        "grant",
        "--root",
        "keys/registration.key.pem",
        "--list",
        "forged.txt",
        "--key",
        "keys/stranger.pub.pem",
        "--until",
        "2030-01-01T00:00:00Z",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    put(&desk.p("forged.txt"), &desk.p("rooted/forged.txt"));
    eventually("the forged key list refused", || {
        gate.stderr().contains("key list refused")
    });
    assert_eq!(reason(&mut gate, &stranger), "unknown_key");
    assert_eq!(reason(&mut gate, &ok), "ok");

    // The root withdraws the registration key: the next list, copied in.
    let r = desk.run(&[
        "keylist",
        "withdraw",
        "--root",
        "offline/root.key.pem",
        "--list",
        "keys.txt",
        "--key-id",
        &key_id(&desk, "keys/registration.pub.pem"),
        "--reason",
        "desk laptop stolen",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    fs::copy(desk.p("rooted/keys.txt"), desk.p("keys-1.txt")).unwrap();
    put(&desk.p("keys.txt"), &desk.p("rooted/keys.txt"));
    eventually("the withdrawal taken up", || {
        reason(&mut gate, &ok) == "key_withdrawn"
    });
    gate.send(&ok);
    let d = gate.decision();
    assert_eq!(d["reason"], "key_withdrawn");
    assert!(
        d["detail"].as_str().unwrap().contains("desk laptop stolen"),
        "{d}"
    );
    assert_eq!(d["authentic"], false, "{d}");
    let (code, _) = gate.finish_with_stderr();
    assert_eq!(code, 0, "a kiosk stopped at the end of its input ends 0");

    // The journal holds each key list taken up and the one refused.
    let r = desk.run(&["audit", "log", "--journal", "north.db", "--json"]);
    let reasons = r.reasons();
    assert_eq!(
        reasons.iter().filter(|r| *r == "keys_accepted").count(),
        2,
        "{reasons:?}"
    );
    assert_eq!(reasons.iter().filter(|r| *r == "keys_refused").count(), 1);

    // Started again on the older list: refused, a roll-back.
    fs::remove_file(desk.p("rooted/forged.txt")).unwrap();
    put(&desk.p("keys-1.txt"), &desk.p("rooted/keys.txt"));
    let gate = kiosk(&desk, "north.db", &["--venue", "arena"]);
    let (code, stderr) = gate.finish_with_stderr();
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("roll-back"), "{stderr}");
    // And with no key list at all.
    fs::remove_file(desk.p("rooted/keys.txt")).unwrap();
    let (code, stderr) = kiosk(&desk, "north.db", &[]).finish_with_stderr();
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("holds no key list"), "{stderr}");
}

/// The 8-hex id `keygen` printed for a public key, read back from the file.
fn key_id(desk: &Desk, public: &str) -> String {
    badgegate::format::keys::PublicKey::load(&desk.p(public))
        .unwrap()
        .id
        .to_string()
}

#[test]
fn a_gate_without_a_venue_and_the_keylist_command_refuse_in_words() {
    let desk = Desk::new();
    rooted(&desk);
    let ok = desk.issue("b", "D-1", &["--zones", "plenary"]);
    // No --venue: a key for arena only is not trusted here.
    let mut gate = kiosk(&desk, "north.db", &[]);
    gate.send(&ok);
    let d = gate.decision();
    assert_eq!(d["reason"], "key_out_of_scope");
    assert!(d["detail"].as_str().unwrap().contains("--venue"), "{d}");
    drop(gate);
    // Another root cannot extend the list; a bad scope or venue is named.
    let r = desk.run(&["keygen", "--dir", "fake", "--name", "root"]);
    assert_eq!(r.code, 0);
    let r = desk.run(&[
        "keylist",
        "grant",
        "--root",
        "fake/root.key.pem",
        "--list",
        "keys.txt",
        "--key",
        "keys/registration.pub.pem",
        "--until",
        "2030-01-01T00:00:00Z",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("root key that signed it"), "{}", r.stderr);
    let r = desk.run(&[
        "keylist",
        "grant",
        "--root",
        "offline/root.key.pem",
        "--list",
        "keys.txt",
        "--key",
        "keys/registration.pub.pem",
        "--until",
        "2030-01-01T00:00:00Z",
        "--zones",
        "Plenary Hall",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--zones"), "{}", r.stderr);
    let r = desk.run(&[
        "kiosk",
        "--trust",
        "rooted",
        "--journal",
        "x.db",
        "--gate",
        "n",
        "--stdin",
        "--headless",
        "--venue",
        "Main Arena",
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--venue"), "{}", r.stderr);
    // The root is never a badge key, even copied beside the badge keys.
    fs::copy(
        desk.p("offline/root.pub.pem"),
        desk.p("rooted/root.pub.pem"),
    )
    .unwrap();
    let r = desk.run(&[
        "verify",
        "--trust",
        "rooted",
        "--venue",
        "arena",
        "b/D-1.txt",
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("root key"), "{}", r.stderr);
}

#[test]
fn a_key_list_published_at_the_office_reaches_a_running_gate() {
    let Some(pg) = Pg::start() else { return };
    let desk = Desk::new();
    rooted(&desk);
    // The gate's trust folder holds only the root and the first list.
    fs::remove_dir_all(desk.p("trust")).unwrap();
    fs::rename(desk.p("rooted"), desk.p("trust")).unwrap();
    let r = office(&desk, &pg, &["init"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = office(
        &desk,
        &pg,
        &["add-kiosk", "--kiosk-id", "n1", "--out", "n1.office"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = office(
        &desk,
        &pg,
        &["add-publisher", "--name", "desk", "--out", "desk.office"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ok = desk.issue("b", "D-1", &["--zones", "plenary"]);
    let r = desk.run(&["keygen", "--dir", "keys", "--name", "arena2"]);
    assert_eq!(r.code, 0);
    let second = desk.issue("b", "A-1", &["--key", "keys/arena2.key.pem"]);

    let args = common::venue_kiosk_args(
        "n1",
        "plenary",
        &["--venue", "arena", "--anti-passback", "off"],
    );
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut gate = LiveKiosk::start(desk.path(), &refs);
    assert_eq!(reason(&mut gate, &ok), "ok");
    assert_eq!(reason(&mut gate, &second), "unknown_key");

    // A second desk's key granted at the centre: the running gate trusts it.
    let r = desk.grant_key(
        "keys/arena2.pub.pem",
        &["--venues", "arena"],
        Some("desk.office"),
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    eventually("the new key taken up from the office", || {
        reason(&mut gate, &second) == "ok"
    });

    // A key list the root did not sign, put at the office by its admin:
    // refused by the gate, which raises an alarm and keeps its list.
    let forged = {
        let r = desk.run(&[
            "keylist",
            "grant",
            "--root",
            "keys/registration.key.pem",
            "--list",
            "forged.txt",
            "--key",
            "keys/arena2.pub.pem",
            "--until",
            "2030-01-01T00:00:00Z",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        fs::read_to_string(desk.p("forged.txt")).unwrap()
    };
    let reg = key_id(&desk, "keys/registration.pub.pem");
    // Its sequence is 1: a row that names itself sequence 99 is refused by
    // the office; one that tells the truth is stored and refused by gates.
    pg.sql(&format!(
        "INSERT INTO badgegate.lists (kind, key_id, sequence, body) VALUES ('keys', '{reg}', 1, $${forged}$$)"
    ));
    eventually("the forged key list raised at the office", || {
        pg.sql("SELECT count(*) FROM badgegate.alarms WHERE kind = 'list' AND detail LIKE '%keys%'")
            != "0"
    });
    assert_eq!(reason(&mut gate, &ok), "ok");

    // The root withdraws the registration key, published: denied at once.
    let r = desk.run(&[
        "keylist",
        "withdraw",
        "--root",
        "offline/root.key.pem",
        "--list",
        "keys.txt",
        "--key-id",
        &reg,
        "--reason",
        "desk laptop stolen",
        "--office",
        "desk.office",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    eventually("the withdrawal taken up from the office", || {
        reason(&mut gate, &ok) == "key_withdrawn"
    });
    assert_eq!(reason(&mut gate, &second), "ok");
    // The office saw each list taken up, and shows the lists in use.
    eventually("the office told of the key list in use", || {
        pg.sql("SELECT lists_in_use FROM badgegate.kiosks WHERE kiosk_id = 'n1'")
            .contains("#3")
    });
    drop(gate);
}
