//! Steps 5-6: the plenary gate's kiosk watches camera-like frames (people
//! holding their cards up for several frames, a pause, someone trying to
//! come in twice) through the same gate runtime a real kiosk runs, and
//! journals each person once.

use std::path::Path;

use badgegate::format::constants::DEFAULT_SKEW_SECS;
use badgegate::format::keys::TrustStore;
use badgegate::format::revocation::RevocationList;
use badgegate::gate::decide::AntiPassback;
use badgegate::gate::engine::{Kiosk, KioskConfig};
use badgegate::gate::runtime::Gate;
use badgegate::journal::{verify_chain, Journal};
use badgegate::read;
use badgegate::source::{Frame, Payload};
use badgegate::text::{printable_short, shown_path};
use badgegate::vocab::{Direction, Reason};
use image::GrayImage;

use super::Story;

/// Time between frames, ms.
const FRAME_MS: u64 = 100;

/// Writes the frames: (cards in view, for how many frames). Returns how
/// many were written.
fn make_frames(s: &Story, dir: &Path) -> anyhow::Result<u64> {
    let card = |serial: &str| -> anyhow::Result<GrayImage> {
        Ok(image::open(s.badges_dir.join(format!("{serial}-card.png")))?.into_luma8())
    };
    let (amina, farhod, jean, lars) = (
        card("HD-0001")?,
        card("D-0002")?,
        card("D-0004")?,
        card("S-0005")?,
    );
    let empty = GrayImage::new(1, 1);
    let script: [(&[&GrayImage], u32); 7] = [
        (&[&amina], 4),
        (&[], 6),
        (&[&farhod, &jean], 5),
        (&[], 6),
        (&[&amina], 3),
        (&[&lars], 3),
        (&[], 2),
    ];
    std::fs::create_dir_all(dir)?;
    let mut n = 0u64;
    for (cards, count) in script {
        for _ in 0..count {
            let frame = if cards.is_empty() {
                badgegate::synth::camera_frame(&[&empty], 1280, 720, 1, n)
            } else {
                badgegate::synth::camera_frame(cards, 1280, 720, 640, n)
            };
            frame.save(dir.join(format!("frame-{n:04}.png")))?;
            n += 1;
        }
    }
    Ok(n)
}

fn start_kiosk(s: &Story) -> anyhow::Result<Kiosk> {
    let trust = TrustStore::load(&s.trust_dir)?;
    let list = RevocationList::load_verified(&s.list_path, &trust)?;
    let journal = Journal::open(&s.journal_path, Some("demo-kiosk-1"), "demo-kiosk-1")?;
    let cfg = KioskConfig {
        gate: "plenary-north".into(),
        zone: Some("plenary".into()),
        direction: Direction::In,
        anti_passback: AntiPassback::Hard,
        skew_secs: DEFAULT_SKEW_SECS,
        cooldown_ms: 1000,
        confirm_categories: Vec::new(),
        guard_present: false,
        staff_categories: vec!["staff".into()],
        photos: Some(s.badges_dir.clone()),
        venue: None,
    };
    let lists = badgegate::gate::lists::RevocationSet::of([list]);
    let mut kiosk = Kiosk::start(cfg, trust, lists, journal, s.now * 1000)?;
    let watch = badgegate::gate::venue::PolicyWatch::new(s.policy_path.clone());
    kiosk.run_under_policy(Some(watch), s.now * 1000)?;
    Ok(kiosk)
}

/// Returns how many decisions differed from the script.
pub fn run(s: &Story) -> anyhow::Result<usize> {
    let frames_dir = s.root.join("frames");
    let n = make_frames(s, &frames_dir)?;
    println!("\n5. kiosk: gate plenary-north replays {n} camera frames (1280x720, {FRAME_MS} ms apart, people hold cards up for several frames):\n");
    let mut gate = Gate::new(start_kiosk(s)?, None);
    // Recorded frames: each read fully, so the demo decides the same on any
    // machine.
    gate.set_frame_budget(read::REPLAY_BUDGET);
    let start_ms = s.now * 1000;
    let mut reasons = Vec::new();
    for i in 0..n {
        let label = format!("frames/frame-{i:04}.png");
        let frame = Frame {
            payload: Payload::Image(read::load_gray(&s.root.join(&label))?),
            label,
        };
        let step = gate.step(&frame, start_ms + i * FRAME_MS);
        for o in &step.outcomes {
            let d = &o.decision;
            let who = d
                .badge
                .as_ref()
                .map(|b| printable_short(&b.name, 24))
                .unwrap_or_default();
            println!(
                "   #{:<3} {}  {:<6} {:<15} {:<25} {}",
                o.entry.seq,
                frame.label,
                d.verdict.code().to_uppercase(),
                d.reason.code(),
                who,
                printable_short(&d.detail, 50)
            );
            reasons.push(d.reason);
        }
        if let Some(e) = step.failed {
            return Err(e.into());
        }
    }
    let mut surprises = usize::from(!as_scripted(&reasons));
    let report = verify_chain(gate.kiosk().journal())?;
    let records: u64 = report.heads.iter().map(|h| h.records).sum();
    println!(
        "\n6. journal {}: {} records ({} decisions; the kiosk's start, and the revocation list and venue policy it took up), hash chain {}",
        shown_path(&s.journal_path),
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
    surprises += usize::from(!report.is_intact());
    Ok(surprises)
}

/// The script's five decisions, in any order (two people in one frame are
/// decided in the order their codes are found).
fn as_scripted(got: &[Reason]) -> bool {
    let expected = [
        Reason::Ok,
        Reason::Ok,
        Reason::Revoked,
        Reason::AlreadyInside,
        Reason::Expired,
    ];
    let mut got = got.to_vec();
    let mut want = expected.to_vec();
    got.sort();
    want.sort();
    if got != want {
        println!("   << UNEXPECTED: decided {got:?}, the script expects {expected:?}");
    }
    got == want
}
