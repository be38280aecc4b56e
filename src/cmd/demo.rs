//! `badgegate demo`: the whole story in a temporary folder, no webcam needed.
//! A registration key, a handful of badges (good and bad in every way that
//! matters), printed cards, a revocation list, then every card read back
//! from its pixels and decided at the plenary gate.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use badgegate::badge::SignedBadge;
use badgegate::clock::{self, format_human};
use badgegate::decide::{decide_bytes, Checks, Decision, GatePolicy, Reason};
use badgegate::issue::{self, BadgeRequest, Defaults, IssuedBadge};
use badgegate::keys::{self, SecretKey, TrustStore};
use badgegate::qr;
use badgegate::revocation::RevocationList;
use badgegate::text::printable_short;

use crate::cli::DemoArgs;

const HOUR: u64 = 3600;

struct Case {
    what: &'static str,
    file: PathBuf,
    expect: Reason,
}

pub fn run(a: DemoArgs) -> anyhow::Result<ExitCode> {
    let temp;
    let root: PathBuf = match &a.keep {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            dir.clone()
        }
        None => {
            temp = tempfile::Builder::new()
                .prefix("badgegate-demo-")
                .tempdir()?;
            temp.path().to_owned()
        }
    };
    println!("badgegate demo in {}\n", root.display());

    // 1. The desk makes its registration key; the kiosk trusts only the public half.
    let desk = root.join("desk");
    let generated = keys::generate_files(&desk, "registration", a.keep.is_some())?;
    let key = SecretKey::load(&generated.secret_path)?;
    let trust_dir = root.join("kiosk-trust");
    std::fs::create_dir_all(&trust_dir)?;
    std::fs::copy(
        &generated.public_path,
        trust_dir.join("registration.pub.pem"),
    )?;
    println!(
        "1. keygen: registration key {} (secret key mode 0600 in {})",
        key.key_id(),
        desk.display()
    );
    println!(
        "   the kiosk's trust folder holds only the public key: {}",
        trust_dir.display()
    );

    // 2. The desk issues badges.
    let now = clock::now();
    let d = Defaults {
        org: String::new(),
        category: "delegate".into(),
        zones: "plenary".into(),
        valid_from: now - 2 * HOUR,
        valid_until: now + 36 * HOUR,
        issued_at: now - 3 * HOUR,
    };
    let req = |serial: &str, name: &str, org: &str, cat: &str, zones: &str| BadgeRequest {
        serial: Some(serial.into()),
        name: name.into(),
        org: Some(org.into()),
        category: Some(cat.into()),
        zones: Some(zones.into()),
        ..BadgeRequest::default()
    };
    let mut requests = vec![
        req(
            "HD-0001",
            "Amina Diallo",
            "Republic of Senegal",
            "head-of-delegation",
            "plenary,bilateral",
        ),
        req(
            "D-0002",
            "Фарҳод Раҳимов",
            "Тоҷикистон",
            "delegate",
            "plenary",
        ),
        req("P-0003", "李明", "中国 新闻社", "press", "press"),
        req(
            "D-0004",
            "Jean Dupont",
            "République française",
            "delegate",
            "plenary",
        ),
        req("S-0005", "Lars Eriksson", "Venue security", "security", "*"),
        req(
            "D-0006",
            "María José Núñez",
            "República de Chile",
            "delegate",
            "plenary",
        ),
    ];
    requests[4].valid_from = Some(clock::format_utc(now - 72 * HOUR));
    requests[4].valid_until = Some(clock::format_utc(now - 20 * HOUR));
    requests[5].valid_from = Some(clock::format_utc(now + 20 * HOUR));
    let mut issued: Vec<IssuedBadge> = Vec::new();
    for r in &requests {
        let badge = issue::build_badge(r, &d).map_err(anyhow::Error::msg)?;
        issued.push(issue::produce(badge, &key)?);
    }
    let badges_dir = root.join("badges");
    issue::write_badges(&badges_dir, &issued, true, a.keep.is_some())?;
    println!(
        "2. issue: {} badges with QR PNG, SVG and a 300 dpi card each in {}",
        issued.len(),
        badges_dir.display()
    );

    // A stranger's key signs a perfect-looking badge; someone edits a genuine one.
    let stranger = SecretKey::generate();
    let forged = issue::build_badge(
        &req(
            "HD-0099",
            "Impostor Person",
            "Republic of Senegal",
            "head-of-delegation",
            "*",
        ),
        &d,
    )
    .map_err(anyhow::Error::msg)?;
    let forged = SignedBadge::sign(forged, &stranger)?;
    let tampered = tamper(&issued[1].signed)?;
    let odd_dir = root.join("odd");
    std::fs::create_dir_all(&odd_dir)?;
    write_qr(&odd_dir.join("stranger-key.png"), forged.text())?;
    write_qr(&odd_dir.join("tampered.png"), &tampered)?;
    write_qr(
        &odd_dir.join("restaurant-menu.png"),
        "https://menu.example.org/lunch",
    )?;
    println!("   plus: a badge signed by a stranger's key, a genuine badge with its name edited, and a restaurant-menu QR code");

    // 3. Jean Dupont reports his badge lost: the desk revokes it.
    let list_path = root.join("revoked.txt");
    let mut list = RevocationList::empty(key.key_id());
    let (text, _) = list.add_and_sign(&key, &["D-0004".into()], "reported lost", now - HOUR)?;
    keys::write_file_atomic(&list_path, text.as_bytes(), 0o644, true)?;
    println!(
        "3. revoke: D-0004 revoked (reported lost), list sequence {} signed by {}",
        list.sequence, list.key_id
    );

    // 4. The plenary gate reads every printed card from its pixels.
    let trust = TrustStore::load(&trust_dir)?;
    let list = RevocationList::load_verified(&list_path, &trust)?;
    let gate = GatePolicy {
        zone: Some("plenary".into()),
        ..GatePolicy::default()
    };
    let checks = Checks {
        trust: &trust,
        revocations: Some(&list),
        gate: &gate,
        now,
    };
    let card = |serial: &str| badges_dir.join(format!("{serial}-card.png"));
    let cases = [
        Case {
            what: "head of delegation",
            file: card("HD-0001"),
            expect: Reason::Ok,
        },
        Case {
            what: "delegate (Cyrillic name)",
            file: card("D-0002"),
            expect: Reason::Ok,
        },
        Case {
            what: "press badge at the plenary",
            file: card("P-0003"),
            expect: Reason::WrongZone,
        },
        Case {
            what: "lost badge",
            file: card("D-0004"),
            expect: Reason::Revoked,
        },
        Case {
            what: "yesterday's badge",
            file: card("S-0005"),
            expect: Reason::Expired,
        },
        Case {
            what: "tomorrow's badge",
            file: card("D-0006"),
            expect: Reason::NotYetValid,
        },
        Case {
            what: "stranger's key",
            file: odd_dir.join("stranger-key.png"),
            expect: Reason::UnknownKey,
        },
        Case {
            what: "name edited after signing",
            file: odd_dir.join("tampered.png"),
            expect: Reason::BadSignature,
        },
        Case {
            what: "restaurant menu",
            file: odd_dir.join("restaurant-menu.png"),
            expect: Reason::NotABadge,
        },
    ];
    println!(
        "4. verify at gate 'plenary' ({}), each card decoded from its PNG pixels:\n",
        format_human(now)
    );
    println!(
        "   {:<27} {:<6} {:<14} {:<28} why",
        "badge", "", "reason", "holder"
    );
    let mut surprises = 0;
    for c in &cases {
        let d = decide_file(&c.file, &checks)?;
        let holder = match &d.badge {
            Some(b) if d.authentic => printable_short(&b.name, 28),
            Some(b) => format!("{} (unverified)", printable_short(&b.name, 16)),
            None => "-".into(),
        };
        let mark = if d.reason == c.expect {
            ""
        } else {
            "   << UNEXPECTED"
        };
        surprises += usize::from(d.reason != c.expect);
        println!(
            "   {:<27} {:<6} {:<14} {:<28} {}{mark}",
            c.what,
            d.verdict.as_str().to_uppercase(),
            d.reason.code(),
            holder,
            printable_short(&d.detail, 60)
        );
    }
    surprises += kiosk_story(&root, &badges_dir, &trust_dir, &list_path, now)?;

    println!("\n7. try it yourself:");
    println!(
        "   badgegate verify --trust {} --revocations {} --zone plenary {}",
        trust_dir.display(),
        list_path.display(),
        badges_dir.display()
    );
    println!(
        "   badgegate kiosk --trust {} --revocations {} --journal {} --gate plenary-north --zone plenary --images {} --frame-interval 100 --headless",
        trust_dir.display(),
        list_path.display(),
        root.join("plenary-north.db").display(),
        root.join("frames").display()
    );
    println!(
        "   badgegate kiosk --trust {} --revocations {} --journal {} --gate plenary-north --zone plenary --images {} --frame-interval 500 --windowed\n     (the same frames on the guard's screen; needs a display)",
        trust_dir.display(),
        list_path.display(),
        root.join("screen.db").display(),
        root.join("frames").display()
    );
    println!(
        "   badgegate audit report --journal {} --out report.html",
        root.join("plenary-north.db").display()
    );
    if a.keep.is_none() {
        println!(
            "   (pass --keep DIR to keep the demo's files; this temporary folder is removed now)"
        );
    }
    if surprises > 0 {
        bail!("{surprises} decision(s) differed from what the demo expects");
    }
    Ok(ExitCode::SUCCESS)
}

/// The plenary gate's kiosk watching a stream of camera frames: people
/// holding their cards up for several frames, a pause, someone trying to
/// come in twice. Returns how many decisions differed from the script.
fn kiosk_story(
    root: &Path,
    badges: &Path,
    trust_dir: &Path,
    list_path: &Path,
    now: u64,
) -> anyhow::Result<usize> {
    let card = |serial: &str| -> anyhow::Result<image::GrayImage> {
        Ok(image::open(badges.join(format!("{serial}-card.png")))?.into_luma8())
    };
    let (amina, farhod, jean, lars) = (
        card("HD-0001")?,
        card("D-0002")?,
        card("D-0004")?,
        card("S-0005")?,
    );
    let empty = image::GrayImage::new(1, 1);
    // (cards in view, how many consecutive frames)
    let script: [(&[&image::GrayImage], u32); 7] = [
        (&[&amina], 4),
        (&[], 6),
        (&[&farhod, &jean], 5),
        (&[], 6),
        (&[&amina], 3),
        (&[&lars], 3),
        (&[], 2),
    ];
    let frames_dir = root.join("frames");
    std::fs::create_dir_all(&frames_dir)?;
    let mut n = 0u64;
    for (cards, count) in script {
        for _ in 0..count {
            let frame = if cards.is_empty() {
                badgegate::synth::camera_frame(&[&empty], 1280, 720, 1, n)
            } else {
                badgegate::synth::camera_frame(cards, 1280, 720, 640, n)
            };
            frame.save(frames_dir.join(format!("frame-{n:04}.png")))?;
            n += 1;
        }
    }
    println!("\n5. kiosk: gate plenary-north replays {n} camera frames (1280x720, 100 ms apart, people hold cards up for several frames):\n");
    let trust = TrustStore::load(trust_dir)?;
    let list = RevocationList::load_verified(list_path, &trust)?;
    let journal_path = root.join("plenary-north.db");
    let journal =
        badgegate::journal::Journal::open(&journal_path, Some("demo-kiosk-1"), "demo-kiosk-1")?;
    let cfg = badgegate::kiosk::KioskConfig {
        gate: "plenary-north".into(),
        zone: Some("plenary".into()),
        direction: badgegate::journal::Direction::In,
        anti_passback: badgegate::decide::AntiPassback::Hard,
        skew_secs: badgegate::constants::DEFAULT_SKEW_SECS,
        cooldown_ms: 1000,
        confirm_categories: Vec::new(),
    };
    let start_ms = now * 1000;
    let mut kiosk = badgegate::kiosk::Kiosk::start(cfg, trust, Some(list), journal, start_ms)?;
    let mut reasons = Vec::new();
    for i in 0..n {
        let path = frames_dir.join(format!("frame-{i:04}.png"));
        let label = format!("frames/frame-{i:04}.png");
        for code in qr::decode(&qr::load_gray(&path)?) {
            if let Some(o) = kiosk.scan(&code.bytes, &label, start_ms + i * 100)? {
                let d = &o.decision;
                let who = d
                    .badge
                    .as_ref()
                    .map(|b| printable_short(&b.name, 24))
                    .unwrap_or_default();
                println!(
                    "   #{:<3} {}  {:<6} {:<15} {:<25} {}",
                    o.entry.seq,
                    label,
                    d.verdict.as_str().to_uppercase(),
                    d.reason.code(),
                    who,
                    printable_short(&d.detail, 50)
                );
                reasons.push(d.reason);
            }
        }
    }
    let expected = [
        Reason::Ok,
        Reason::Ok,
        Reason::Revoked,
        Reason::AlreadyInside,
        Reason::Expired,
    ];
    let mut sorted_got = reasons.clone();
    let mut sorted_want = expected.to_vec();
    sorted_got.sort_by_key(|r| r.code());
    sorted_want.sort_by_key(|r| r.code());
    let surprises = usize::from(sorted_got != sorted_want);
    if surprises > 0 {
        println!(
            "   << UNEXPECTED: decided {:?}, the script expects {:?}",
            reasons, expected
        );
    }
    let report = badgegate::journal::verify_chain(kiosk.journal())?;
    let records: u64 = report.heads.iter().map(|h| h.records).sum();
    println!(
        "\n6. journal {}: {} records ({} decisions + 1 start record), hash chain {}",
        journal_path.display(),
        records,
        reasons.len(),
        if report.is_intact() {
            "intact"
        } else {
            "BROKEN"
        }
    );
    println!(
        "   {n} frames, {} decisions: a card held up for several frames is decided once",
        reasons.len()
    );
    let journal_ok = report.is_intact();
    drop(kiosk);
    Ok(surprises + usize::from(!journal_ok) + audit_story(root, &journal_path)?)
}

/// The security office audits the gate's journal: chain check, who is
/// inside, denies by reason, the HTML report; then shows that an edited
/// record is caught.
fn audit_story(root: &Path, journal_path: &Path) -> anyhow::Result<usize> {
    use badgegate::audit;
    let j = badgegate::journal::Journal::open_readonly(journal_path)?;
    let chain = audit::verify(&j, None)?;
    let s = audit::stats(&j, &audit::Filter::default())?;
    let inside = audit::inside(&j, None)?;
    let report_path = root.join("audit-report.html");
    let html = audit::report_html(&j, &chain, None)?;
    keys::write_file_atomic(&report_path, html.as_bytes(), 0o644, true)?;
    let denies: Vec<String> = s
        .denies_by_reason
        .iter()
        .map(|(r, n)| format!("{r} {n}"))
        .collect();
    let muster: Vec<String> = inside
        .iter()
        .map(|(z, people)| {
            let names: Vec<String> = people
                .iter()
                .map(|p| printable_short(&p.name, 24))
                .collect();
            format!("{z}: {}", names.join(", "))
        })
        .collect();
    println!(
        "\n6b. audit: chain {}, {} admitted, {} denied ({}); inside now: {}",
        if chain.is_intact() {
            "intact"
        } else {
            "BROKEN"
        },
        s.admits,
        s.denies,
        denies.join(", "),
        muster.join("; ")
    );
    println!(
        "    report with charts and the muster list: {}",
        report_path.display()
    );
    // Someone edits the journal behind the kiosk's back: the denied revoked
    // badge becomes an admit.
    let forged = root.join("plenary-north-edited.db");
    std::fs::copy(journal_path, &forged)?;
    {
        let c = rusqlite::Connection::open(&forged)?;
        c.execute_batch(
            "DROP TRIGGER entries_no_update; UPDATE entries SET decision = 'admit', reason = 'ok' WHERE reason = 'revoked';",
        )?;
    }
    let edited = audit::verify(&badgegate::journal::Journal::open_readonly(&forged)?, None)?;
    let caught = edited
        .problems
        .first()
        .map(|p| p.to_string())
        .unwrap_or_else(|| "NOT CAUGHT".into());
    println!(
        "    an edited copy (the revoked badge turned into an admit) is caught: {}",
        printable_short(&caught, 90)
    );
    Ok(usize::from(!chain.is_intact()) + usize::from(edited.is_intact()))
}

fn decide_file(path: &Path, checks: &Checks<'_>) -> anyhow::Result<Decision> {
    let img = qr::load_gray(path)?;
    let codes = qr::decode(&img);
    Ok(match codes.first() {
        Some(code) => decide_bytes(&code.bytes, checks),
        None => Decision::not_a_badge("no readable QR code in the image"),
    })
}

fn write_qr(path: &Path, text: &str) -> anyhow::Result<()> {
    let code = qr::encode(text)?;
    qr::render(&code, issue::QR_PNG_MODULE_PX).save(path)?;
    Ok(())
}

/// The genuine badge with its holder's name changed, signature kept.
fn tamper(genuine: &SignedBadge) -> anyhow::Result<String> {
    let mut badge = genuine.badge.clone();
    badge.name = "Mallory Intruder".into();
    let mut raw = badge.to_payload();
    raw.extend_from_slice(genuine.signature());
    Ok(format!("BG1:{}", base45::encode(&raw)))
}
