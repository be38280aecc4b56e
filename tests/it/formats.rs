//! Formats are contracts. `tests/fixtures/v1/` was written by an earlier
//! build (release binary of commit ca42fab): two kiosks' journals over the
//! same frames, merged, with what each command printed. This build must
//! read those files as they are, and, fed the same frames, write the same
//! records hash for hash and print the same lines.

use crate::common;

use std::path::{Path, PathBuf};

use common::bg;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v1")
}

/// A private copy of the fixture folder (SQLite may write beside a file it
/// opens).
fn copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), dir.path());
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn expected(name: &str) -> String {
    std::fs::read_to_string(fixture().join(name)).unwrap()
}

/// The head lines of `audit head` output, without its dated comment.
fn heads(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn journals_written_by_an_earlier_build_verify_with_the_same_heads() {
    let dir = copy();
    for j in ["north.db", "exit.db", "merged.db"] {
        let r = bg(dir.path(), &["audit", "verify", "--journal", j]);
        assert_eq!(r.code, 0, "{j}: {}{}", r.stdout, r.stderr);
    }
    let r = bg(
        dir.path(),
        &[
            "audit",
            "verify",
            "--journal",
            "merged.db",
            "--heads",
            "merged.head",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = bg(dir.path(), &["audit", "head", "--journal", "merged.db"]);
    assert_eq!(heads(&r.stdout), heads(&expected("merged.head")));
}

#[test]
fn an_earlier_builds_journal_exports_counts_and_musters_the_same() {
    let dir = copy();
    let run = |args: &[&str]| {
        let r = bg(dir.path(), args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        r.stdout
    };
    let export = ["audit", "export", "--journal", "merged.db", "--with-starts"];
    // Schema 2 added five columns at the end: the earlier 24 are unchanged,
    // and the new ones say "format 1, unsigned".
    let csv = run(&[&export[..], &["--format", "csv"]].concat());
    let old = expected("merged.csv");
    assert_eq!(csv.lines().count(), old.lines().count());
    for (new, old) in csv.lines().zip(old.lines()) {
        let new: Vec<&str> = new.split(',').collect();
        let old: Vec<&str> = old.split(',').collect();
        assert_eq!(&new[..new.len() - 5], &old[..], "the first 24 columns");
    }
    let jsonl = run(&[&export[..], &["--format", "jsonl"]].concat());
    for (new, old) in jsonl.lines().zip(expected("merged.jsonl").lines()) {
        let new: serde_json::Value = serde_json::from_str(new).unwrap();
        let old: serde_json::Value = serde_json::from_str(old).unwrap();
        for (k, v) in old.as_object().unwrap() {
            assert_eq!(&new[k], v, "{k}");
        }
        assert_eq!(new["format"], 1);
        assert!(new["sig"].is_null() && new["signer"].is_null());
    }
    assert_eq!(
        run(&["audit", "stats", "--journal", "merged.db", "--json"]),
        expected("stats.json")
    );
    assert_eq!(
        run(&[
            "audit",
            "inside",
            "--journal",
            "merged.db",
            "--at",
            "2026-12-01T12:00:00Z",
            "--json"
        ]),
        expected("inside.jsonl")
    );
}

/// What this build writes, pinned: `tests/fixtures/v2/` holds the JSON
/// lines, export and heads that the kiosks below must produce (journal
/// schema 2, record format 2, the north kiosk signing with a key made from a
/// fixed seed). `BADGEGATE_WRITE_FIXTURES=1` writes them anew, for a format
/// change made on purpose.
fn expected_v2(name: &str, got: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/v2")
        .join(name);
    if std::env::var_os("BADGEGATE_WRITE_FIXTURES").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
    }
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The fixture's frames, trust folder and list in a fresh folder, and the
/// north kiosk's key (seed 0x42...; test only, never a real key).
fn kiosk_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for sub in ["trust", "frames-in", "frames-out"] {
        std::fs::create_dir_all(d.join(sub)).unwrap();
        copy_dir(&fixture().join(sub), &d.join(sub));
    }
    std::fs::copy(fixture().join("revoked.txt"), d.join("revoked.txt")).unwrap();
    let key = badgegate::format::keys::SecretKey::from_seed(&[0x42; 32]);
    std::fs::write(
        d.join("fixture-north.key.pem"),
        key.to_pem().unwrap().as_bytes(),
    )
    .unwrap();
    std::fs::create_dir_all(d.join("kiosk-keys")).unwrap();
    std::fs::write(
        d.join("kiosk-keys/fixture-north.pub.pem"),
        key.public().to_pem().unwrap(),
    )
    .unwrap();
    dir
}

/// Runs a kiosk over a fixture frame folder at a fixed time.
fn kiosk(d: &Path, journal: &str, gate: &str, frames: &str, at: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "kiosk",
        "--trust",
        "trust",
        "--revocations",
        "revoked.txt",
        "--journal",
        journal,
        "--gate",
        gate,
        "--images",
        frames,
        "--frame-interval",
        "5000",
        "--at",
        at,
        "--headless",
    ];
    args.extend_from_slice(extra);
    let r = bg(d, &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

#[test]
fn the_same_frames_give_the_same_records_hash_for_hash() {
    let dir = kiosk_folder();
    let d = dir.path();
    let north = kiosk(
        d,
        "north.db",
        "north",
        "frames-in",
        "2026-12-01T09:00:00+01:00",
        &[
            "--zone",
            "plenary",
            "--kiosk-id",
            "fixture-north",
            "--signing-key",
            "fixture-north.key.pem",
        ],
    );
    assert_eq!(north, expected_v2("north.jsonl", &north));
    let exit = kiosk(
        d,
        "exit.db",
        "exit-1",
        "frames-out",
        "2026-12-01T18:00:00+01:00",
        &["--direction", "out", "--kiosk-id", "fixture-exit"],
    );
    assert_eq!(exit, expected_v2("exit.jsonl", &exit));
    let r = bg(
        d,
        &[
            "audit",
            "merge",
            "--journal",
            "merged.db",
            "north.db",
            "exit.db",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = bg(
        d,
        &[
            "audit",
            "export",
            "--journal",
            "merged.db",
            "--with-starts",
            "--format",
            "jsonl",
        ],
    );
    assert_eq!(r.stdout, expected_v2("merged.jsonl", &r.stdout));
    let r = bg(d, &["audit", "head", "--journal", "merged.db"]);
    let got = heads(&r.stdout).join("\n") + "\n";
    assert_eq!(got, expected_v2("merged.head", &got));
    // The merged file keeps the signatures: the north kiosk is proven by
    // its enrolled key; the unsigned exit kiosk, which has no enrolled key,
    // fails the check with enrolled keys (its records are unproven) and is
    // said to be unsigned.
    let r = bg(
        d,
        &[
            "audit",
            "verify",
            "--journal",
            "merged.db",
            "--kiosk-keys",
            "kiosk-keys",
        ],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("kiosk fixture-north: 9 record(s) signed by its enrolled key")
            && r.stdout.contains("kiosk fixture-exit: not signed")
            && r.stdout.contains("BROKEN kiosk fixture-exit")
            && r.stdout.contains("no enrolled key"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_kiosk_upgraded_in_place_goes_on_with_the_journal_an_earlier_build_wrote() {
    let dir = kiosk_folder();
    let d = dir.path();
    std::fs::copy(fixture().join("north.db"), d.join("north.db")).unwrap();
    let out = kiosk(
        d,
        "north.db",
        "north",
        "frames-in",
        "2026-12-01T10:00:00+01:00",
        &["--zone", "plenary", "--kiosk-id", "fixture-north"],
    );
    let first = out.lines().next().expect("decisions");
    let v: serde_json::Value = serde_json::from_str(first).unwrap();
    assert_eq!(
        v["seq"], 10,
        "after the 8 old records, a start and a list record"
    );
    assert_eq!(
        v["reason"], "already_inside",
        "anti-passback remembers what the old journal holds"
    );
    let r = bg(d, &["audit", "verify", "--journal", "north.db"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("intact"), "{}", r.stdout);
}

#[test]
fn verify_prints_the_same_json_lines() {
    let dir = copy();
    let r = bg(
        dir.path(),
        &[
            "verify",
            "--trust",
            "trust",
            "--revocations",
            "revoked.txt",
            "--zone",
            "plenary",
            "--at",
            "2026-12-01T09:00:00+01:00",
            "--json",
            "frames-in",
        ],
    );
    assert_eq!(r.code, 1, "some are denied: {}", r.stderr);
    assert_eq!(r.stdout, expected("verify.jsonl"));
}
