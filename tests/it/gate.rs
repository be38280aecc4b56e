//! The gate runtime as a library user drives it, without a display, a
//! camera or the binary: frames in, committed decisions out.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

use badgegate::format::badge::{Badge, SignedBadge};
use badgegate::format::keys::{KeyId, SecretKey, TrustStore};
use badgegate::gate::decide::AntiPassback;
use badgegate::gate::engine::{Kiosk, KioskConfig};
use badgegate::gate::lists::RevocationSet;
use badgegate::gate::runtime::{AdmitHook, Fed, Feed, FeedMode, Gate, KioskClock};
use badgegate::journal::{verify_chain, Journal};
use badgegate::read;
use badgegate::source::{Frame, FrameSource, OpenError, Payload, SourceError};
use badgegate::vocab::{Direction, Reason};
use image::{GrayImage, Luma};

/// 2026-12-01T08:00:00Z.
const NOW: u64 = 1_796_112_000;

fn key() -> SecretKey {
    SecretKey::from_seed(&[9; 32])
}

fn badge(serial: &str, zones: &[&str]) -> String {
    let b = Badge {
        key_id: KeyId([0; 4]),
        serial: serial.into(),
        name: format!("Holder {serial}"),
        org: "Delegation".into(),
        category: "delegate".into(),
        zones: zones.iter().map(|z| (*z).to_owned()).collect(),
        valid_from: NOW - 3600,
        valid_until: NOW + 36_000,
        issued_at: NOW - 7200,
        photo: None,
    };
    SignedBadge::sign(b, &key()).unwrap().text().to_owned()
}

/// A 1280x720 grey frame with each code printed side by side.
fn frame_with(texts: &[&str]) -> GrayImage {
    let mut f = GrayImage::from_pixel(1280, 720, Luma([190]));
    for (i, t) in texts.iter().enumerate() {
        let qr = read::render(&read::encode(t).unwrap(), 4);
        image::imageops::replace(&mut f, &qr, 60 + i as i64 * 620, 120);
    }
    f
}

fn gate(journal: Journal, hook: Option<AdmitHook>) -> Gate {
    let cfg = KioskConfig {
        gate: "north".into(),
        zone: Some("plenary".into()),
        direction: Direction::In,
        anti_passback: AntiPassback::Hard,
        skew_secs: 60,
        cooldown_ms: 3000,
        confirm_categories: vec![],
        guard_present: false,
        staff_categories: vec!["staff".into()],
        photos: None,
        venue: None,
    };
    let trust = TrustStore::from_keys(&[key().public()], &[]);
    let kiosk = Kiosk::start(cfg, trust, RevocationSet::new(), journal, NOW * 1000).unwrap();
    Gate::new(kiosk, hook)
}

fn image_frame(img: GrayImage, label: &str) -> Frame {
    Frame {
        payload: Payload::Image(img),
        label: label.into(),
    }
}

#[test]
fn two_badges_in_one_frame_are_two_committed_decisions_with_their_outlines() {
    let mut g = gate(Journal::open_in_memory("k1").unwrap(), None);
    let (a, b) = (badge("D-1", &["plenary"]), badge("P-2", &["press"]));
    let step = g.step(&image_frame(frame_with(&[&a, &b]), "f1"), NOW * 1000);
    assert!(step.failed.is_none());
    assert_eq!(step.size, [1280, 720]);
    assert_eq!(step.found.len(), 2, "both codes outlined");
    let mut reasons: Vec<Reason> = step.outcomes.iter().map(|o| o.decision.reason).collect();
    reasons.sort();
    assert_eq!(reasons, [Reason::Ok, Reason::WrongZone]);
    // Each outcome is what the journal holds, in order.
    let stored = g.kiosk().journal().entries().unwrap();
    let seqs: Vec<u64> = step.outcomes.iter().map(|o| o.entry.seq).collect();
    assert_eq!(seqs, [2, 3], "after the start record");
    assert_eq!(stored.len(), 3);
    assert!(verify_chain(g.kiosk().journal()).unwrap().is_intact());
    // Each outline carries its own code's verdict, in this frame and in the
    // next ones while the cards stay up (debounced, not decided again).
    let step = g.step(&image_frame(frame_with(&[&a, &b]), "f2"), NOW * 1000 + 100);
    assert!(step.outcomes.is_empty(), "still the same sighting");
    let mut seen: Vec<(String, Reason)> = step
        .found
        .iter()
        .map(|s| {
            let o = s.outcome.as_ref().expect("an outline knows its verdict");
            (o.entry.body.serial.clone().unwrap(), o.decision.reason)
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("D-1".into(), Reason::Ok),
            ("P-2".into(), Reason::WrongZone)
        ]
    );
}

#[test]
fn a_badge_held_up_for_many_frames_is_one_decision_and_a_second_try_is_caught() {
    let mut g = gate(Journal::open_in_memory("k1").unwrap(), None);
    let a = badge("D-1", &["plenary"]);
    let mut decided = Vec::new();
    // Ten frames 100 ms apart, then gone for 5 s, then back.
    for i in 0..10 {
        let step = g.step(&image_frame(frame_with(&[&a]), "f"), NOW * 1000 + i * 100);
        decided.extend(step.outcomes);
    }
    let step = g.step(&image_frame(frame_with(&[&a]), "g"), NOW * 1000 + 6000);
    decided.extend(step.outcomes);
    let reasons: Vec<Reason> = decided.iter().map(|o| o.decision.reason).collect();
    assert_eq!(reasons, [Reason::Ok, Reason::AlreadyInside]);
}

#[test]
fn scanned_lines_are_decided_like_codes_in_pictures() {
    let mut g = gate(Journal::open_in_memory("k1").unwrap(), None);
    let line = Frame {
        payload: Payload::Text(badge("D-7", &["plenary"]).into_bytes()),
        label: "stdin:1".into(),
    };
    let step = g.step(&line, NOW * 1000);
    assert!(step.found.is_empty(), "no picture, no outline");
    assert_eq!(step.outcomes[0].decision.reason, Reason::Ok);
    assert_eq!(step.outcomes[0].entry.body.input, "stdin:1");
    let junk = Frame {
        payload: Payload::Text(b"\xff\xfe not text".to_vec()),
        label: "stdin:2".into(),
    };
    assert_eq!(
        g.step(&junk, NOW * 1000 + 10).outcomes[0].decision.reason,
        Reason::NotABadge
    );
}

#[test]
fn the_admit_hook_runs_for_admits_only_after_their_record_is_committed() {
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("j.db");
    let seen = dir.path().join("seen.txt");
    // The hook reads the journal itself: its record must already be there.
    let command = format!(
        "n=$('{}' audit log --journal '{}' --json | grep -c \"\\\"seq\\\":$BADGEGATE_SEQ,\"); echo \"$BADGEGATE_SERIAL $BADGEGATE_SEQ $n\" >> '{}'",
        env!("CARGO_BIN_EXE_badgegate"),
        journal_path.display(),
        seen.display()
    );
    let hook = AdmitHook {
        command,
        timeout: Duration::from_secs(5),
        notices: badgegate::notice::Notices::silent(),
    };
    let mut g = gate(
        Journal::open(&journal_path, Some("k1"), "k1").unwrap(),
        Some(hook),
    );
    let (a, press) = (badge("D-1", &["plenary"]), badge("P-2", &["press"]));
    // A hook that ends while a later frame is decided is reported by that
    // step; the rest by finish.
    let mut hooks = g
        .step(&image_frame(frame_with(&[&a]), "f1"), NOW * 1000)
        .hooks;
    hooks.extend(
        g.step(&image_frame(frame_with(&[&press]), "f2"), NOW * 1000 + 100)
            .hooks,
    );
    hooks.extend(g.finish(NOW * 1000 + 200).unwrap());
    assert_eq!(hooks.len(), 1, "one admit, one hook record");
    assert!(!hooks[0].failed, "{}", hooks[0].entry.body.detail);
    assert_eq!(hooks[0].entry.body.serial.as_deref(), Some("D-1"));
    let lines = std::fs::read_to_string(&seen).unwrap();
    assert_eq!(
        lines, "D-1 2 1\n",
        "one admit, one hook run, record present"
    );
}

/// A source that delivers its frames, then is lost `losses` times before
/// it comes back: a camera unplugged and plugged in again.
struct Flaky {
    frames: Vec<GrayImage>,
    lost_after: usize,
}

impl FrameSource for Flaky {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        if self.lost_after == 0 {
            return Err(SourceError::Lost("camera 0: No such device".into()));
        }
        self.lost_after -= 1;
        Ok(self.frames.pop().map(|f| image_frame(f, "camera:0")))
    }
    fn replay_interval_ms(&self) -> Option<u64> {
        None
    }
}

#[test]
fn a_lost_camera_is_reported_and_reopened_and_the_feed_goes_on() {
    let a = badge("D-1", &["plenary"]);
    let attempts = Rc::new(RefCell::new(0));
    let tries = attempts.clone();
    let make = move || Flaky {
        frames: vec![frame_with(&[&a])],
        lost_after: 1,
    };
    let first = make();
    let reopen = Box::new(move || {
        *tries.borrow_mut() += 1;
        if *tries.borrow() < 3 {
            Err(OpenError::Camera(
                "camera 0: No such file or directory".into(),
            ))
        } else {
            Ok(Box::new(make()) as Box<dyn FrameSource>)
        }
    });
    let mode = FeedMode {
        pace: false,
        reconnect_every: Some(Duration::from_millis(5)),
    };
    let mut feed = Feed::new(
        Box::new(first),
        Some(reopen),
        KioskClock::new(None, false),
        mode,
    );
    assert!(matches!(feed.next_fed(), Fed::Frame { .. }));
    assert!(matches!(
        feed.next_fed(),
        Fed::Reconnecting { attempt: 1, .. }
    ));
    assert!(matches!(
        feed.next_fed(),
        Fed::Reconnecting { attempt: 2, .. }
    ));
    assert!(matches!(
        feed.next_fed(),
        Fed::Reconnecting { attempt: 3, .. }
    ));
    assert!(matches!(feed.next_fed(), Fed::Reconnected));
    assert!(matches!(feed.next_fed(), Fed::Frame { .. }), "frames again");
    assert_eq!(*attempts.borrow(), 3);
    // Without a reconnect interval the same loss ends the feed.
    let mut once = Feed::new(
        Box::new(Flaky {
            frames: vec![],
            lost_after: 0,
        }),
        None,
        KioskClock::new(None, false),
        FeedMode::default(),
    );
    assert!(matches!(once.next_fed(), Fed::Lost(why) if why.contains("No such device")));
}

#[test]
fn replayed_images_run_on_simulated_time_from_at() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3 {
        frame_with(&[])
            .save(dir.path().join(format!("f{i}.png")))
            .unwrap();
    }
    std::fs::write(dir.path().join("notes.txt"), "not a picture").unwrap();
    let spec = badgegate::source::SourceSpec::Images {
        paths: vec![dir.path().to_owned()],
        interval_ms: 250,
        live: false,
    };
    let clock = KioskClock::new(Some(NOW * 1000), true);
    let mut feed = Feed::open(spec, clock, FeedMode::default()).unwrap();
    let mut times = Vec::new();
    loop {
        match feed.next_fed() {
            Fed::Frame { frame, now_ms } => {
                assert!(Path::new(&frame.label).starts_with(dir.path()));
                times.push(now_ms - NOW * 1000);
            }
            Fed::Ended => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(times, [0, 250, 500], "only the pictures, 250 ms apart");
}
