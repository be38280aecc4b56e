//! Steps 1-3: the accreditation desk makes its key, issues badges and
//! revokes a lost one; a stranger forges one and someone edits another.

use std::path::{Path, PathBuf};

use badgegate::clock;
use badgegate::format::badge::SignedBadge;
use badgegate::format::keys::{self, SecretKey};
use badgegate::format::revocation::RevocationList;
use badgegate::issue::{self, BadgeRequest, Defaults, IssuedBadge};
use badgegate::read;
use badgegate::text::shown_path;

use super::{Story, HOUR};

pub fn run(root: &Path, now: u64, kept: bool) -> anyhow::Result<Story> {
    let (key, trust_dir) = make_key(root, kept)?;
    let policy_path = root.join("policy.txt");
    let policy = write_policy(&key, root, &policy_path, now)?;
    let d = Defaults {
        policy: Some(policy),
        ..defaults(now)
    };
    let badges_dir = root.join("badges");
    let issued = issue_badges(&key, &d, now, &badges_dir, kept)?;
    let odd_dir = root.join("odd");
    odd_codes(&odd_dir, &d, &issued)?;
    let list_path = root.join("revoked.txt");
    revoke(&key, &list_path, now)?;
    Ok(Story {
        root: root.to_owned(),
        trust_dir,
        badges_dir,
        odd_dir,
        list_path,
        policy_path,
        journal_path: root.join("plenary-north.db"),
        now,
        kept,
    })
}

/// 1. The desk makes its registration key; the kiosk trusts only the
///    public half.
fn make_key(root: &Path, kept: bool) -> anyhow::Result<(SecretKey, PathBuf)> {
    let desk = root.join("desk");
    let generated = keys::generate_files(&desk, "registration", kept)?;
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
        shown_path(&desk)
    );
    println!(
        "   the kiosk's trust folder holds only the public key: {}",
        shown_path(&trust_dir)
    );
    Ok((key, trust_dir))
}

/// The venue's draft: its zones, categories and the demo's gate.
const DRAFT: &str = "# The demo summit: what badges may say, and how people see it.
venue: Demo Summit
time-zone: Europe/Zurich
zone: plenary Plenary hall
zone: bilateral Bilateral rooms
zone: press Press centre
category: head-of-delegation #801020 - Head of delegation
category: delegate #00529b - Delegate
category: press #e67e00 - Press
category: security #1e1e1e staff Security
gate: plenary-north plenary in Plenary north entrance
";

/// 1b. The desk signs the venue policy from its draft.
fn write_policy(
    key: &SecretKey,
    root: &Path,
    path: &Path,
    now: u64,
) -> anyhow::Result<badgegate::format::policy::PolicyBody> {
    use badgegate::format::policy::{PolicyBody, VenuePolicy};
    let draft = root.join("desk").join("venue.txt");
    std::fs::write(&draft, DRAFT)?;
    let body = PolicyBody::parse_lines(DRAFT, 1, true)?;
    let (policy, text) = VenuePolicy::next(None, body, key, now - 4 * HOUR)?
        .ok_or_else(|| anyhow::anyhow!("the demo's policy was not signed"))?;
    std::fs::write(path, text)?;
    println!(
        "   policy: {} ({}): {} zones, {} categories, signed as {} from the draft {}",
        policy.body.venue,
        policy.body.time_zone,
        policy.body.zones.len(),
        policy.body.categories.len(),
        shown_path(path),
        shown_path(&draft)
    );
    Ok(policy.body)
}

fn defaults(now: u64) -> Defaults {
    Defaults {
        org: String::new(),
        category: "delegate".into(),
        category_defaulted: false,
        zones: "plenary".into(),
        valid_from: now - 2 * HOUR,
        valid_until: now + 36 * HOUR,
        issued_at: now - 3 * HOUR,
        policy: None,
        utc_offset: None,
    }
}

fn request(serial: &str, name: &str, org: &str, category: &str, zones: &str) -> BadgeRequest {
    BadgeRequest {
        serial: Some(serial.into()),
        name: name.into(),
        org: Some(org.into()),
        category: Some(category.into()),
        zones: Some(zones.into()),
        ..BadgeRequest::default()
    }
}

/// The press badge, in Chinese where this machine has a font for it (the
/// desk refuses a name it would print as boxes), else in Pinyin.
fn press_badge() -> BadgeRequest {
    let (name, org) = ("李明", "中国 新闻社");
    let missing = badgegate::issue::card::missing_glyphs(&format!("{name}{org}"));
    if missing.is_empty() {
        return request("P-0003", name, org, "press", "press");
    }
    println!(
        "   (no Chinese font here: the press badge is issued as Li Ming; {})",
        badgegate::shape::missing_words(&missing)
    );
    request("P-0003", "Li Ming", "Zhongguo Xinwenshe", "press", "press")
}

/// 2. The desk issues six badges: two good, one for another zone, one to
///    be revoked, one expired yesterday, one valid from tomorrow.
fn issue_badges(
    key: &SecretKey,
    d: &Defaults,
    now: u64,
    dir: &Path,
    kept: bool,
) -> anyhow::Result<Vec<IssuedBadge>> {
    let mut requests = [
        request(
            "HD-0001",
            "Amina Diallo",
            "Republic of Senegal",
            "head-of-delegation",
            "plenary,bilateral",
        ),
        request(
            "D-0002",
            "Фарҳод Раҳимов",
            "Тоҷикистон",
            "delegate",
            "plenary",
        ),
        press_badge(),
        request(
            "D-0004",
            "Jean Dupont",
            "République française",
            "delegate",
            "plenary",
        ),
        request("S-0005", "Lars Eriksson", "Venue security", "security", "*"),
        request(
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
    let time = d.venue_time();
    let look = issue::card::Look {
        policy: d.policy.as_ref(),
        time: &time,
    };
    let mut issued = Vec::new();
    for (i, r) in requests.iter().enumerate() {
        let badge = issue::build_badge(r, d).map_err(anyhow::Error::msg)?;
        // Each holder's photo, as the desk's camera would give it.
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
            .encode_image(&badgegate::synth::portrait(600, 800, i as u8 * 3 + 1))?;
        let photo = issue::photo::normalise(&jpeg).map_err(anyhow::Error::msg)?;
        issued.push(issue::produce(badge, key, look, Some(photo))?);
    }
    let options = issue::BatchOptions {
        force: kept,
        sheet: None,
    };
    issue::write_badges(dir, &issued, true, &options, look)?;
    println!(
        "2. issue: {} badges with photo, QR PNG, SVG and a 300 dpi card each in {}",
        issued.len(),
        shown_path(dir)
    );
    Ok(issued)
}

/// A stranger's key signs a perfect-looking badge; someone edits a genuine
/// one; a restaurant's QR code.
fn odd_codes(dir: &Path, d: &Defaults, issued: &[IssuedBadge]) -> anyhow::Result<()> {
    let stranger = SecretKey::generate();
    let forged = issue::build_badge(
        &request(
            "HD-0099",
            "Impostor Person",
            "Republic of Senegal",
            "head-of-delegation",
            "*",
        ),
        d,
    )
    .map_err(anyhow::Error::msg)?;
    let forged = SignedBadge::sign(forged, &stranger)?;
    let genuine = issued
        .get(1)
        .ok_or_else(|| anyhow::anyhow!("the demo issued too few badges"))?;
    std::fs::create_dir_all(dir)?;
    write_qr(&dir.join("stranger-key.png"), forged.text())?;
    write_qr(&dir.join("tampered.png"), &tamper(&genuine.signed))?;
    write_qr(
        &dir.join("restaurant-menu.png"),
        "https://menu.example.org/lunch",
    )?;
    println!("   plus: a badge signed by a stranger's key, a genuine badge with its name edited, and a restaurant-menu QR code");
    Ok(())
}

/// 3. Jean Dupont reports his badge lost: the desk revokes it.
fn revoke(key: &SecretKey, path: &Path, now: u64) -> anyhow::Result<()> {
    let mut list = RevocationList::empty(key.key_id());
    let (text, _) = list.add_and_sign(key, &["D-0004".into()], "reported lost", now - HOUR)?;
    let text = text.ok_or_else(|| anyhow::anyhow!("the demo's revocation list stayed empty"))?;
    badgegate::files::write_atomic(path, text.as_bytes(), 0o644, true)?;
    println!(
        "3. revoke: D-0004 revoked (reported lost), list sequence {} signed by {}",
        list.sequence, list.key_id
    );
    Ok(())
}

fn write_qr(path: &Path, text: &str) -> anyhow::Result<()> {
    let code = read::encode(text)?;
    read::render(&code, issue::QR_PNG_MODULE_PX).save(path)?;
    Ok(())
}

/// The genuine badge with its holder's name changed, signature kept.
fn tamper(genuine: &SignedBadge) -> String {
    let mut badge = genuine.badge.clone();
    badge.name = "Mallory Intruder".into();
    let mut raw = badge.to_payload();
    raw.extend_from_slice(genuine.signature());
    // The prefix of the genuine badge's own version (with a photo: BG2:).
    let prefix = genuine.text().split(':').next().unwrap_or("BG1");
    format!("{prefix}:{}", base45::encode(&raw))
}
