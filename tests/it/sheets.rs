//! Print-ready sheets, checked with poppler (`pdfinfo` for the page size and
//! count, `pdftoppm` to rasterise) and every badge read back from the
//! printed pages by zbar, an independent QR reader.

use crate::common;

use std::collections::BTreeSet;
use std::fs;
use std::process::Command;

use badgegate::synth::portrait;
use common::photos::jpeg;
use common::{tool, Desk};

const ROWS: &str = "serial,name,org,zones,valid_from,valid_until,photo\n\
    S-1,李明,中国新闻社,plenary,2026-12-01T07:00:00Z,2026-12-02T21:00:00Z,face.jpg\n\
    S-2,محمدرضا شجریان,جمهوری اسلامی ایران,plenary,2026-12-01T07:00:00Z,2026-12-02T21:00:00Z,\n\
    S-3,अमित शाह,भारत सरकार,plenary,2026-12-01T07:00:00Z,2026-12-02T21:00:00Z,\n\
    S-4,Ana María Núñez,República de Chile,plenary,2026-12-01T07:00:00Z,2026-12-02T21:00:00Z,\n\
    S-5,Фарҳод Раҳимов,Ҷумҳурии Тоҷикистон,plenary,2026-12-01T07:00:00Z,2026-12-02T21:00:00Z,\n";

fn pdfinfo(desk: &Desk, pdf: &str) -> (usize, String) {
    let out = Command::new(tool("pdfinfo").unwrap())
        .arg(desk.p(pdf))
        .output()
        .unwrap();
    assert!(out.status.success(), "pdfinfo: {:?}", out);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    (field("Pages:").parse().unwrap(), field("Page size:"))
}

/// Every code zbar reads on the PDF's pages rendered at `dpi`.
fn codes_on_pages(desk: &Desk, pdf: &str, dpi: u32) -> BTreeSet<String> {
    let dir = desk.p(&format!("{pdf}-pages"));
    fs::create_dir_all(&dir).unwrap();
    let st = Command::new(tool("pdftoppm").unwrap())
        .args(["-r", &dpi.to_string(), "-gray", "-png"])
        .arg(desk.p(pdf))
        .arg(dir.join("page"))
        .status()
        .unwrap();
    assert!(st.success());
    let mut found = BTreeSet::new();
    let mut pages: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    pages.sort();
    for page in pages {
        let out = Command::new(tool("zbarimg").unwrap())
            .args(["-q", "--raw"])
            .arg(&page)
            .output()
            .unwrap();
        for l in String::from_utf8_lossy(&out.stdout).lines() {
            found.insert(l.trim().to_owned());
        }
    }
    found
}

#[test]
fn every_sheet_kind_prints_every_badge_readably() {
    if ["pdfinfo", "pdftoppm", "zbarimg"]
        .iter()
        .any(|t| tool(t).is_none())
    {
        return;
    }
    let desk = Desk::new();
    fs::write(desk.p("face.jpg"), jpeg(&portrait(600, 800, 4))).unwrap();
    fs::write(desk.p("people.csv"), ROWS).unwrap();
    // (kind, pages for 5 badges, page size, dpi to read it back at)
    for (kind, pages, size, dpi) in [
        ("a4", 2, "595.276 x 841.89 pts (A4)", 150),
        ("a6", 5, "297.638 x 419.528 pts", 200),
        ("cr80", 5, "153.071 x 242.646 pts", 400),
    ] {
        let out = format!("out-{kind}");
        let r = desk.run(&[
            "issue",
            "--key",
            "keys/registration.key.pem",
            "--csv",
            "people.csv",
            "--out",
            &out,
            "--sheet",
            kind,
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let pdf = format!("{out}/people-{kind}.pdf");
        assert!(
            r.stdout.contains(&format!("people-{kind}.pdf")),
            "{}",
            r.stdout
        );
        let (n, page_size) = pdfinfo(&desk, &pdf);
        assert_eq!(n, pages, "{kind}: pages");
        assert!(page_size.starts_with(size), "{kind}: {page_size}");
        let want: BTreeSet<String> = (1..=5)
            .map(|i| {
                fs::read_to_string(desk.p(&format!("{out}/S-{i}.txt")))
                    .unwrap()
                    .trim_end()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            codes_on_pages(&desk, &pdf, dpi),
            want,
            "{kind}: codes read back"
        );
        // The photo is embedded as the desk's own JPEG, byte for byte.
        let photo = fs::read(desk.p(&format!("{out}/S-1-photo.jpg"))).unwrap();
        let bytes = fs::read(desk.p(&pdf)).unwrap();
        assert!(
            bytes.windows(photo.len()).any(|w| w == photo.as_slice()),
            "{kind}: photo embedded"
        );
    }
}

#[test]
fn a_sheet_is_never_written_over_and_bad_kinds_are_refused() {
    let desk = Desk::new();
    fs::write(desk.p("face.jpg"), jpeg(&portrait(600, 800, 4))).unwrap();
    fs::write(desk.p("people.csv"), ROWS).unwrap();
    let args = |kind: &'static str| {
        vec![
            "issue",
            "--key",
            "keys/registration.key.pem",
            "--csv",
            "people.csv",
            "--out",
            "out",
            "--sheet",
            kind,
        ]
    };
    let r = desk.run(&args("letter"));
    assert_ne!(r.code, 0);
    assert_eq!(r.code, 2, "a usage error");
    assert!(
        r.stderr.contains("[possible values: a4, a6, cr80]"),
        "{}",
        r.stderr
    );
    assert!(!desk.p("out/S-1.txt").exists(), "nothing issued");
    let r = desk.run(&args("a6"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let first = fs::read(desk.p("out/people-a6.pdf")).unwrap();
    assert!(first.starts_with(b"%PDF-"));
    // The same batch again: refused (the serials are taken), and the
    // sheet printed first is untouched.
    let r = desk.run(&args("a6"));
    assert_ne!(r.code, 0);
    assert_eq!(fs::read(desk.p("out/people-a6.pdf")).unwrap(), first);
}
