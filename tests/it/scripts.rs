//! Names in every script on the printed card: each card is read back by an
//! independent OCR engine (tesseract, with the script's language model) —
//! a box, an unjoined Arabic word or a broken Devanagari cluster does not
//! read back as the name. A name no installed font draws is refused.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::{ocr_line, tool, Desk};

/// (name, organisation, tesseract language).
const SCRIPTS: &[(&str, &str, &str)] = &[
    ("Ana María Núñez", "República de Chile", "eng"),
    ("Фарҳод Раҳимов", "Ҷумҳурии Тоҷикистон", "tgk"),
    ("Γιώργος Παπαδόπουλος", "Ελληνική Δημοκρατία", "ell"),
    ("李明", "中国新闻社", "chi_sim"),
    ("山田太郎", "日本国外務省", "jpn"),
    ("김민준", "대한민국 외교부", "kor"),
    ("محمد العلي", "المملكة العربية", "ara"),
    ("محمدرضا شجریان", "جمهوری اسلامی ایران", "fas"),
    ("अमित शाह", "भारत सरकार", "hin"),
];

/// Whether tesseract has this language's model installed.
fn has_language(tesseract: &Path, lang: &str) -> bool {
    Command::new(tesseract)
        .arg("--list-langs")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim() == lang)
        })
        .unwrap_or(false)
}

/// Letters only: OCR spacing and punctuation vary.
fn letters(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

#[test]
fn every_script_prints_shaped_and_reads_back() {
    let Some(tesseract) = tool("tesseract") else {
        return;
    };
    let desk = Desk::new();
    let mut failures = Vec::new();
    for (i, (name, org, lang)) in SCRIPTS.iter().enumerate() {
        if !has_language(&tesseract, lang) {
            assert!(
                std::env::var_os("CI").is_none(),
                "tesseract-ocr-{lang} is not installed"
            );
            eprintln!("skipping {name}: no tesseract model {lang}");
            continue;
        }
        let serial = format!("S-{i}");
        desk.issue(
            "cards",
            &serial,
            &["--name", name, "--org", org, "--zones", "*"],
        );
        let card = image::open(desk.p(&format!("cards/{serial}-card.png")))
            .unwrap()
            .into_rgb8();
        // The name's line on the A6 card (its baseline at 400 px).
        let line = image::imageops::crop_imm(&card, 0, 290, card.width(), 140).to_image();
        if let Some(dir) = std::env::var_os("BADGEGATE_SCREENSHOT_DIR") {
            let _ = std::fs::create_dir_all(&dir);
            line.save(Path::new(&dir).join(format!("name-{lang}.png")))
                .unwrap();
        }
        let want = letters(name);
        let (score, read) = ["7", "13"]
            .iter()
            .map(|psm| {
                let read = ocr_line(&tesseract, &line, lang, psm);
                (strsim::normalized_levenshtein(&want, &letters(&read)), read)
            })
            .fold((0.0, String::new()), |a, b| if b.0 > a.0 { b } else { a });
        if score < 0.75 {
            failures.push(format!(
                "{lang}: printed {name:?}, read {read:?} ({score:.2})"
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_name_no_font_draws_is_refused_naming_its_script() {
    let desk = Desk::new();
    // Tangut: a real script no font on a venue's desk PC covers.
    let name = "Test \u{17000}\u{17001}";
    let missing = badgegate::issue::card::missing_glyphs(name);
    if missing.is_empty() {
        eprintln!("a font for Tangut is installed here; nothing to refuse");
        return;
    }
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--name",
        name,
        "--zones",
        "*",
        "--out",
        "cards",
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("Tangut"), "{}", r.stderr);
    assert!(r.stderr.contains("fonts-noto"), "{}", r.stderr);
    assert!(!desk.p("cards").join("manifest.csv").exists());
    // In a CSV batch the row is named by its line.
    std::fs::write(desk.p("reg.csv"), format!("name,zones\nAna,*\n{name},*\n")).unwrap();
    let r = desk.run(&[
        "issue",
        "--key",
        "keys/registration.key.pem",
        "--csv",
        "reg.csv",
        "--out",
        "batch",
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("line 3"), "{}", r.stderr);
    assert!(r.stderr.contains("Tangut"), "{}", r.stderr);
}

#[test]
fn the_demo_runs_on_a_machine_without_fonts() {
    // Only the embedded DejaVu Sans: no Chinese font. The demo still tells
    // the whole story, issuing its press badge in Pinyin, and says why.
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_badgegate"))
        .arg("demo")
        .current_dir(dir.path())
        .env(badgegate::shape::NO_SYSTEM_FONTS_ENV, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Li Ming"), "{stdout}");
    assert!(stdout.contains("fonts-noto-cjk"), "{stdout}");
    // And without fonts the desk refuses the Chinese name, naming the script.
    let desk = Desk::new();
    let r = Command::new(env!("CARGO_BIN_EXE_badgegate"))
        .args([
            "issue",
            "--key",
            "keys/registration.key.pem",
            "--name",
            "李明",
            "--zones",
            "*",
            "--out",
            "cards",
        ])
        .current_dir(desk.path())
        .env(badgegate::shape::NO_SYSTEM_FONTS_ENV, "1")
        .output()
        .unwrap();
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("Han"), "{err}");
}
