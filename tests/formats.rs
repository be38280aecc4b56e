//! Formats are contracts. `tests/fixtures/v1/` was written by an earlier
//! build (release binary of commit ca42fab): two kiosks' journals over the
//! same frames, merged, with what each command printed. This build must
//! read those files as they are, and, fed the same frames, write the same
//! records hash for hash and print the same lines.

mod common;

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
    assert_eq!(
        run(&[&export[..], &["--format", "csv"]].concat()),
        expected("merged.csv")
    );
    assert_eq!(
        run(&[&export[..], &["--format", "jsonl"]].concat()),
        expected("merged.jsonl")
    );
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

#[test]
fn the_same_frames_give_the_same_records_hash_for_hash() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for sub in ["trust", "frames-in", "frames-out"] {
        std::fs::create_dir_all(d.join(sub)).unwrap();
        copy_dir(&fixture().join(sub), &d.join(sub));
    }
    std::fs::copy(fixture().join("revoked.txt"), d.join("revoked.txt")).unwrap();
    let kiosk = |journal: &str, gate: &str, id: &str, frames: &str, at: &str, extra: &[&str]| {
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
            "--kiosk-id",
            id,
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
    };
    let north = kiosk(
        "north.db",
        "north",
        "fixture-north",
        "frames-in",
        "2026-12-01T09:00:00+01:00",
        &["--zone", "plenary"],
    );
    assert_eq!(north, expected("north.jsonl"));
    let exit = kiosk(
        "exit.db",
        "exit-1",
        "fixture-exit",
        "frames-out",
        "2026-12-01T18:00:00+01:00",
        &["--direction", "out"],
    );
    assert_eq!(exit, expected("exit.jsonl"));
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
            "csv",
        ],
    );
    assert_eq!(r.stdout, expected("merged.csv"));
    let r = bg(d, &["audit", "head", "--journal", "merged.db"]);
    assert_eq!(heads(&r.stdout), heads(&expected("merged.head")));
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
