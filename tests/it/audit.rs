//! The audit commands on journals written by real kiosk runs.

use crate::common;

use std::fs;

use badgegate::audit::export::csv_cell_value;
use common::Desk;

/// Two kiosks' journals: `north.db` (entry, plenary) and `south.db` (exit).
fn event(desk: &Desk) {
    let people = [
        ("A-1", "Zoë \"Zee\" O'Neil, Jr."),
        ("B-2", "Фарҳод Раҳимов"),
        ("C-3", "<b>Ли Мин</b> & co"),
        ("D-4", "=HYPERLINK(\"x\")"),
    ];
    for (serial, name) in people {
        desk.issue(
            "badges",
            serial,
            &[
                "--name",
                name,
                "--org",
                "Org, with \"quotes\"",
                "--valid-from",
                "2026-12-01T00:00:00Z",
                "--valid-until",
                "2026-12-02T23:00:00Z",
            ],
        );
    }
    let text = |s: &str| fs::read_to_string(desk.p(&format!("badges/{s}.txt"))).unwrap();
    let run = |journal: &str, gate: &str, dir: &str, at: &str, lines: &[String]| {
        let args = [
            "kiosk",
            "--trust",
            "trust",
            "--journal",
            journal,
            "--gate",
            gate,
            "--zone",
            "plenary",
            "--direction",
            dir,
            "--stdin",
            "--headless",
            "--at",
            at,
            "--cooldown",
            "0",
            "--kiosk-id",
            gate,
        ];
        let r = desk.run_stdin(&args, &lines.concat());
        assert_eq!(r.code, 0, "{}", r.stderr);
    };
    // 09:00 everyone but D comes in through north; A tries twice; junk once.
    run(
        "north.db",
        "north",
        "in",
        "2026-12-01T09:00:00Z",
        &[
            text("A-1"),
            text("B-2"),
            text("C-3"),
            text("A-1"),
            "junk\n".into(),
        ],
    );
    // 10:30 A and C leave through south.
    run(
        "south.db",
        "south",
        "out",
        "2026-12-01T10:30:00Z",
        &[text("A-1"), text("C-3")],
    );
    // 11:00 D comes in through north.
    run(
        "north.db",
        "north",
        "in",
        "2026-12-01T11:00:00Z",
        &[text("D-4")],
    );
}

#[test]
fn log_filters_and_orders() {
    let desk = Desk::new();
    event(&desk);
    let r = desk.run(&[
        "audit",
        "log",
        "--journal",
        "north.db",
        "--decision",
        "deny",
        "--json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let reasons = r.reasons();
    assert_eq!(reasons, ["already_inside", "not_a_badge"]);
    let r = desk.run(&[
        "audit",
        "log",
        "--journal",
        "north.db",
        "--name",
        "фарҳод",
        "--json",
    ]);
    assert_eq!(r.json_lines().len(), 1);
    assert_eq!(r.json_lines()[0]["serial"], "B-2");
    let r = desk.run(&[
        "audit",
        "log",
        "--journal",
        "north.db",
        "--newest-first",
        "--limit",
        "1",
        "--json",
    ]);
    assert_eq!(r.json_lines()[0]["serial"], "D-4");
    let r = desk.run(&[
        "audit",
        "log",
        "--journal",
        "north.db",
        "--to",
        "2026-12-01T10:00:00Z",
        "--json",
    ]);
    assert_eq!(r.json_lines().len(), 5);
    let r = desk.run(&["audit", "log", "--journal", "north.db"]);
    assert!(r.stdout.contains("already_inside") && !r.stdout.contains('\x1b'));
}

#[test]
fn export_csv_round_trips_every_field_and_is_spreadsheet_safe() {
    let desk = Desk::new();
    event(&desk);
    // A frame whose file name holds a comma, a quote and a newline.
    fs::create_dir(desk.p("odd")).unwrap();
    fs::copy(desk.p("badges/B-2.png"), desk.p("odd/we\"ird,\nname.png")).unwrap();
    let r = desk.run(&[
        "kiosk",
        "--trust",
        "trust",
        "--journal",
        "north.db",
        "--gate",
        "north",
        "--zone",
        "plenary",
        "--direction",
        "out",
        "--images",
        "odd",
        "--headless",
        "--at",
        "2026-12-01T12:00:00Z",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let r = desk.run(&[
        "audit",
        "export",
        "--journal",
        "north.db",
        "--format",
        "csv",
        "--out",
        "north.csv",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let again = desk.run(&[
        "audit",
        "export",
        "--journal",
        "north.db",
        "--format",
        "csv",
        "--out",
        "north.csv",
    ]);
    assert_ne!(again.code, 0, "never overwritten without --force");
    let jsonl = desk.run(&[
        "audit",
        "export",
        "--journal",
        "north.db",
        "--format",
        "jsonl",
    ]);
    let lines = jsonl.json_lines();

    let bytes = fs::read(desk.p("north.csv")).unwrap();
    assert!(
        String::from_utf8_lossy(&bytes).contains("'=HYPERLINK"),
        "formula cells escaped"
    );
    let mut rdr = csv::Reader::from_reader(bytes.as_slice());
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), lines.len());
    for (row, json) in rows.iter().zip(&lines) {
        for (h, cell) in headers.iter().zip(row.iter()) {
            let value = csv_cell_value(cell);
            let expected = match &json[h.as_str()] {
                serde_json::Value::Null => String::new(),
                serde_json::Value::Bool(b) => {
                    if *b {
                        "1".into()
                    } else {
                        "0".into()
                    }
                }
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert_eq!(value, expected, "column {h}");
        }
    }
    let names: Vec<&str> = lines.iter().filter_map(|j| j["holder"].as_str()).collect();
    for n in [
        "Zoë \"Zee\" O'Neil, Jr.",
        "Фарҳод Раҳимов",
        "<b>Ли Мин</b> & co",
        "=HYPERLINK(\"x\")",
    ] {
        assert!(names.contains(&n), "{n} exported exactly");
    }
    assert!(lines.iter().any(|j| j["input"]
        .as_str()
        .is_some_and(|i| i.contains("we\"ird,\nname.png"))));
    assert!(lines
        .iter()
        .all(|j| j["org"].is_null() || j["org"] == "Org, with \"quotes\""));
}

#[test]
fn stats_and_inside() {
    let desk = Desk::new();
    event(&desk);
    assert_eq!(
        desk.run(&[
            "audit",
            "merge",
            "--journal",
            "all.db",
            "north.db",
            "south.db"
        ])
        .code,
        0
    );
    let r = desk.run(&["audit", "stats", "--journal", "all.db", "--json"]);
    assert_eq!(r.code, 0);
    let s = &r.json_lines()[0];
    assert_eq!(s["decisions"], 8);
    assert_eq!(s["admits"], 6);
    assert_eq!(s["denies"], 2);
    assert_eq!(s["denies_by_reason"]["already_inside"], 1);
    assert_eq!(s["per_gate"]["south"], serde_json::json!([2, 0]));
    assert_eq!(s["entries_per_hour"]["2026-12-01 09:00"]["north"], 3);
    assert_eq!(s["peak_entries_per_minute"], 3);

    let inside = |at: Option<&str>| {
        let mut args = vec!["audit", "inside", "--journal", "all.db", "--json"];
        if let Some(t) = at {
            args.extend(["--at", t]);
        }
        let r = desk.run(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let mut serials: Vec<String> = r
            .json_lines()
            .iter()
            .map(|j| j["serial"].as_str().unwrap().to_owned())
            .collect();
        serials.sort();
        serials
    };
    assert_eq!(inside(Some("2026-12-01T10:00:00Z")), ["A-1", "B-2", "C-3"]);
    assert_eq!(inside(None), ["B-2", "D-4"]);
    let r = desk.run(&["audit", "inside", "--journal", "all.db"]);
    assert!(r.stdout.contains("zone plenary — 2 inside"), "{}", r.stdout);
}

#[test]
fn merge_twice_equals_merge_once_and_chains_stay_verifiable() {
    let desk = Desk::new();
    event(&desk);
    let r = desk.run(&[
        "audit",
        "merge",
        "--journal",
        "all.db",
        "north.db",
        "south.db",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let once = desk
        .run(&[
            "audit",
            "export",
            "--journal",
            "all.db",
            "--format",
            "jsonl",
        ])
        .stdout;
    let r = desk.run(&[
        "audit",
        "merge",
        "--journal",
        "all.db",
        "north.db",
        "south.db",
        "all.db",
    ]);
    assert_ne!(r.code, 0, "merging the target into itself is refused");
    let r = desk.run(&[
        "audit",
        "merge",
        "--journal",
        "all.db",
        "south.db",
        "north.db",
    ]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("0 record(s) added"));
    let twice = desk
        .run(&[
            "audit",
            "export",
            "--journal",
            "all.db",
            "--format",
            "jsonl",
        ])
        .stdout;
    let strip = |s: &str| -> Vec<serde_json::Value> {
        s.lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                v.as_object_mut().unwrap().remove("journal");
                v
            })
            .collect()
    };
    assert_eq!(strip(&once), strip(&twice));
    let r = desk.run(&["audit", "verify", "--journal", "all.db"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.stdout.contains("kiosk north") && r.stdout.contains("kiosk south"));

    // A missing source stops the merge before anything is merged.
    let r = desk.run(&[
        "audit",
        "merge",
        "--journal",
        "fresh.db",
        "north.db",
        "gone.db",
    ]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("gone.db"), "{}", r.stderr);
    assert!(
        !desk.p("fresh.db").exists(),
        "the target was made before the sources were checked"
    );

    // A forged journal claiming to be kiosk "north" conflicts: reported, not kept.
    let r = desk.run_stdin(
        &[
            "kiosk",
            "--trust",
            "trust",
            "--journal",
            "fake.db",
            "--gate",
            "north",
            "--kiosk-id",
            "north",
            "--stdin",
            "--headless",
        ],
        "junk\n",
    );
    assert_eq!(r.code, 0);
    let before = desk
        .run(&[
            "audit",
            "export",
            "--journal",
            "all.db",
            "--format",
            "jsonl",
        ])
        .stdout;
    let r = desk.run(&["audit", "merge", "--journal", "all.db", "fake.db"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("REFUSED") && r.stdout.contains("conflicts"),
        "{}",
        r.stdout
    );
    let after = desk
        .run(&[
            "audit",
            "export",
            "--journal",
            "all.db",
            "--format",
            "jsonl",
        ])
        .stdout;
    assert_eq!(before, after);
}

fn tamper(desk: &Desk, name: &str, sql: &str) -> common::Run {
    fs::copy(desk.p("north.db"), desk.p(name)).unwrap();
    let c = rusqlite::Connection::open(desk.p(name)).unwrap();
    c.execute_batch(&format!(
        "DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete; {sql}"
    ))
    .unwrap();
    drop(c);
    desk.run(&["audit", "verify", "--journal", name])
}

#[test]
fn verify_names_edits_deletions_reorders_splices_and_truncation() {
    let desk = Desk::new();
    event(&desk);
    let r = desk.run(&["audit", "verify", "--journal", "north.db"]);
    assert_eq!(r.code, 0, "{}", r.stdout);

    let r = tamper(
        &desk,
        "edit.db",
        "UPDATE entries SET holder = 'Someone Else' WHERE seq = 3;",
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("BROKEN kiosk north record 3") && r.stdout.contains("edited"),
        "{}",
        r.stdout
    );

    let r = tamper(&desk, "delete.db", "DELETE FROM entries WHERE seq = 4;");
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("record 4 is missing"), "{}", r.stdout);

    let r = tamper(
        &desk,
        "reorder.db",
        "UPDATE entries SET seq = 1000 WHERE seq = 3; UPDATE entries SET seq = 3 WHERE seq = 4; UPDATE entries SET seq = 4 WHERE seq = 1000;",
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("record 3") && r.stdout.contains("does not link"),
        "{}",
        r.stdout
    );

    // A record from the south kiosk spliced into north's chain.
    let south = rusqlite::Connection::open(desk.p("south.db")).unwrap();
    let (at, prev, hash): (i64, Vec<u8>, Vec<u8>) = south
        .query_row(
            "SELECT at_ms, prev_hash, hash FROM entries WHERE seq = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    drop(south);
    fs::copy(desk.p("north.db"), desk.p("splice.db")).unwrap();
    let c = rusqlite::Connection::open(desk.p("splice.db")).unwrap();
    let last: i64 = c
        .query_row("SELECT max(seq) FROM entries", [], |r| r.get(0))
        .unwrap();
    c.execute(
        "INSERT INTO entries (kiosk_id, seq, at_ms, kind, gate, zone, direction, serial, holder, org, category, key_id,
          decision, reason, flagged, authentic, detail, note, input, format, prev_hash, hash)
         VALUES ('north', ?1, ?2, 'decision', 'south', 'plenary', 'out', 'A-1', 'x', 'x', 'x', 'x', 'admit', 'ok', 0, 1, 'x', NULL, 'x', 2, ?3, ?4)",
        rusqlite::params![last + 1, at, prev, hash],
    )
    .unwrap();
    drop(c);
    let r = desk.run(&["audit", "verify", "--journal", "splice.db"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains(&format!("record {}", last + 1)) && r.stdout.contains("does not link"),
        "{}",
        r.stdout
    );

    // Tail truncation: invisible to the chain alone, caught by an exported head.
    let r = desk.run(&[
        "audit",
        "head",
        "--journal",
        "north.db",
        "--out",
        "north.head",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = tamper(
        &desk,
        "cut.db",
        &format!("DELETE FROM entries WHERE seq = {last};"),
    );
    assert_eq!(r.code, 0, "the cut-back chain on its own still links");
    let r = desk.run(&[
        "audit",
        "verify",
        "--journal",
        "cut.db",
        "--heads",
        "north.head",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains(&format!("kiosk north record {last}"))
            && r.stdout.contains("tail truncated"),
        "{}",
        r.stdout
    );
    let r = desk.run(&[
        "audit",
        "verify",
        "--journal",
        "north.db",
        "--heads",
        "north.head",
    ]);
    assert_eq!(r.code, 0);
}

#[test]
fn corrupted_or_foreign_files_get_a_one_line_error() {
    let desk = Desk::new();
    event(&desk);
    let bytes = fs::read(desk.p("north.db")).unwrap();
    fs::write(desk.p("half.db"), &bytes[..bytes.len() / 2]).unwrap();
    fs::write(
        desk.p("random.db"),
        (0..10_000u32)
            .map(|i| (i * 7 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    fs::write(desk.p("empty.db"), b"").unwrap();
    let other = rusqlite::Connection::open(desk.p("other.db")).unwrap();
    other.execute_batch("CREATE TABLE t (x);").unwrap();
    drop(other);
    for f in ["half.db", "random.db", "empty.db", "other.db", "missing.db"] {
        for sub in ["verify", "log", "stats", "inside", "export", "report"] {
            let r = desk.run(&["audit", sub, "--journal", f]);
            assert!(r.code == 2 || r.code == 1, "{sub} {f}: code {}", r.code);
            let errors: Vec<&str> = r
                .stderr
                .lines()
                .filter(|l| l.starts_with("error:"))
                .collect();
            if r.code == 2 {
                assert_eq!(errors.len(), 1, "{sub} {f}: {}", r.stderr);
                assert!(!r.stderr.contains("panicked"));
            }
        }
    }
    assert!(
        !desk.p("missing.db").exists(),
        "auditing never creates a journal"
    );
}

#[test]
fn report_is_self_contained_html_with_charts_and_escaped_names() {
    let desk = Desk::new();
    event(&desk);
    assert_eq!(
        desk.run(&[
            "audit",
            "merge",
            "--journal",
            "all.db",
            "north.db",
            "south.db"
        ])
        .code,
        0
    );
    let r = desk.run(&[
        "audit",
        "report",
        "--journal",
        "all.db",
        "--out",
        "report.html",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = fs::read_to_string(desk.p("report.html")).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(
        html.matches("<svg").count() >= 2,
        "entries chart and denies chart"
    );
    assert!(html.contains("Intact: 11 records in 2 kiosk chain(s)"));
    assert!(html.contains("already_inside"));
    assert!(
        html.contains("&lt;b&gt;Ли Мин&lt;/b&gt; &amp; co") || !html.contains("Ли Мин"),
        "names escaped"
    );
    assert!(!html.contains("<b>Ли Мин"));
    assert!(
        html.contains("Фарҳод Раҳимов"),
        "muster list shows who is inside"
    );
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"));
}
