//! The guard's screen, run for real: a window under Xvfb over replayed
//! frames (or scanner lines), screenshots taken from the X server with
//! `xwd`, keys pressed with `xdotool`. Skipped with a printed reason where
//! Xvfb, xwd or xdotool are missing; CI installs them.

#![cfg(feature = "screen")]

use crate::common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use badgegate::journal::{verify_chain, Entry, Journal};
use badgegate::screen::Tone;
use badgegate::vocab::EntryKind;
use common::xvfb::Xvfb;
use common::{eventually, tool, Desk};
use image::{GrayImage, Luma, RgbImage};

const AT: &str = "2026-12-01T09:00:00Z";

/// The whole X screen, as the guard would see it.
fn screenshot(x: &Xvfb) -> RgbImage {
    let out = Command::new("xwd")
        .args(["-root", "-silent", "-display", &x.display])
        .output()
        .expect("run xwd");
    assert!(out.status.success(), "xwd failed");
    parse_xwd(&out.stdout)
}

/// Reads an X window dump (ZPixmap, 24/32 bits a pixel) into RGB.
fn parse_xwd(d: &[u8]) -> RgbImage {
    let field = |i: usize| u32::from_be_bytes(d[i * 4..i * 4 + 4].try_into().unwrap()) as usize;
    let (header, width, height) = (field(0), field(4), field(5));
    let (byte_order, bits, line) = (field(7), field(11), field(12));
    let (red, green, blue) = (field(14), field(15), field(16));
    let colours = field(19);
    // 32 bits a pixel, or packed 24 (xwd writes that for some screen
    // sizes), each line `line` bytes long either way.
    assert!(
        matches!(bits, 24 | 32),
        "expected a 24-bit Xvfb screen ({bits} bits a pixel)"
    );
    let step = bits / 8;
    let pixels = &d[header + colours * 12..];
    let shift = |mask: usize| mask.trailing_zeros();
    RgbImage::from_fn(width as u32, height as u32, |x, y| {
        let at = y as usize * line + x as usize * step;
        let mut b = [0u8; 4];
        if byte_order == 0 {
            b[..step].copy_from_slice(&pixels[at..at + step]);
        } else {
            b[4 - step..].copy_from_slice(&pixels[at..at + step]);
        }
        let v = if byte_order == 0 {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        } as usize;
        let c = |mask: usize| ((v & mask) >> shift(mask)) as u8;
        image::Rgb([c(red), c(green), c(blue)])
    })
}

/// Share of the screen's pixels in this colour (within 2 levels a
/// channel: the renderer may round).
fn share(img: &RgbImage, rgb: [u8; 3]) -> f64 {
    let n = img
        .pixels()
        .filter(|p| p.0.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 2))
        .count();
    n as f64 / (img.width() * img.height()) as f64
}

/// The live picture's panel (the left part of the screen above the
/// status bar).
fn camera(img: &RgbImage) -> RgbImage {
    let (w, h) = (img.width() * 42 / 100, img.height() * 88 / 100);
    image::imageops::crop_imm(img, 0, 0, w, h).to_image()
}

/// The verdict field (right of the live picture, above the status bar).
fn field(img: &RgbImage) -> RgbImage {
    let (x, h) = (img.width() * 42 / 100, img.height() * 88 / 100);
    image::imageops::crop_imm(img, x, 0, img.width() - x, h).to_image()
}

/// The words on the screen, as an OCR engine reads them (tesseract; each
/// region made dark-on-light first). `None` where tesseract is missing.
fn read_words(img: &RgbImage) -> Option<String> {
    let tesseract = tool("tesseract")?;
    Some(
        ocr(&tesseract, img, "eng", &["11"])
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// What tesseract reads in `img` with the model `lang`, once for each page
/// segmentation mode in `psms`: light text on coloured fields made dark on
/// light first, scaled up for small type.
fn ocr(tesseract: &Path, img: &RgbImage, lang: &str, psms: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let gray = image::GrayImage::from_fn(img.width(), img.height(), |x, y| {
        let p = img.get_pixel(x, y).0;
        let lum = (p[0] as u32 * 3 + p[1] as u32 * 6 + p[2] as u32) / 10;
        Luma([if lum > 200 { 0 } else { 255 }])
    });
    let big = image::imageops::resize(
        &gray,
        gray.width() * 2,
        gray.height() * 2,
        image::imageops::FilterType::Triangle,
    );
    let path = dir.path().join("screen.png");
    big.save(&path).unwrap();
    let mut all = String::new();
    for psm in psms {
        let out = Command::new(tesseract)
            .arg(&path)
            .arg("stdout")
            .args(["-l", lang, "--psm", psm])
            .stderr(Stdio::null())
            .output()
            .expect("run tesseract");
        all.push_str(&String::from_utf8_lossy(&out.stdout));
        all.push(' ');
    }
    all
}

/// The most common colours, for failure messages.
fn palette(img: &RgbImage) -> String {
    let mut counts = std::collections::HashMap::new();
    for p in img.pixels() {
        *counts.entry(p.0).or_insert(0u32) += 1;
    }
    let mut v: Vec<_> = counts.into_iter().collect();
    v.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    format!("{:?}", &v[..v.len().min(4)])
}

/// The running screen.
struct Screen {
    child: Child,
    stderr: PathBuf,
}

impl Screen {
    /// The screen reading scanner lines the test writes, one at a time.
    fn start_fed(desk: &Desk, x: &Xvfb, args: &[&str]) -> (Screen, std::process::ChildStdin) {
        let mut screen = Screen::spawn(desk, x, args, Stdio::piped());
        let feed = screen.child.stdin.take().expect("piped");
        (screen, feed)
    }

    fn start(desk: &Desk, x: &Xvfb, args: &[&str], stdin: Option<&Path>) -> Screen {
        let stdin = match stdin {
            Some(p) => Stdio::from(fs::File::open(p).unwrap()),
            None => Stdio::null(),
        };
        Screen::spawn(desk, x, args, stdin)
    }

    fn spawn(desk: &Desk, x: &Xvfb, args: &[&str], stdin: Stdio) -> Screen {
        let stderr = desk.p(&format!("screen-{}.err", args.len()));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_badgegate"));
        cmd.arg("kiosk")
            .args(args)
            .current_dir(desk.path())
            .env("DISPLAY", &x.display)
            .env("MESA_SHADER_CACHE_DISABLE", "true")
            .stdout(Stdio::null())
            .stderr(fs::File::create(&stderr).unwrap())
            .stdin(stdin);
        Screen {
            child: cmd.spawn().expect("start the kiosk"),
            stderr,
        }
    }

    fn stderr(&self) -> String {
        fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Waits until the journal holds `n` records after the start record,
    /// then gives the screen a moment to draw them.
    fn wait_for_records(&mut self, journal: &Path, n: usize) -> Vec<Entry> {
        self.wait_for_records_drawn(journal, n, Duration::from_millis(1500))
    }

    /// As `wait_for_records`, giving the screen `draw` to show them.
    fn wait_for_records_drawn(&mut self, journal: &Path, n: usize, draw: Duration) -> Vec<Entry> {
        let until = Instant::now() + Duration::from_secs(90);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the screen ended early ({status}): {}", self.stderr());
            }
            let rows = records(journal);
            if rows.len() >= n {
                std::thread::sleep(draw);
                return rows;
            }
            assert!(
                Instant::now() < until,
                "only {} of {n} records: {}",
                rows.len(),
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The journal's records after the start record (empty if not there yet).
fn records(journal: &Path) -> Vec<Entry> {
    Journal::open_readonly(journal)
        .and_then(|j| j.entries())
        .map(|rows| {
            rows.into_iter()
                .filter(|e| !matches!(e.body.kind, EntryKind::Start | EntryKind::List))
                .collect()
        })
        .unwrap_or_default()
}

fn badge(desk: &Desk, serial: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "--valid-from",
        "2026-12-01T07:00:00Z",
        "--valid-until",
        "2026-12-02T21:00:00Z",
    ];
    args.extend_from_slice(extra);
    desk.issue("badges", serial, &args)
}

/// A 1280x720 camera frame with the badge's QR code pasted in.
fn frame(desk: &Desk, serial: Option<&str>) -> GrayImage {
    let mut f = GrayImage::from_pixel(1280, 720, Luma([170]));
    if let Some(serial) = serial {
        let code = image::open(desk.p(&format!("badges/{serial}.png")))
            .unwrap()
            .into_luma8();
        let code = image::imageops::resize(
            &code,
            code.width() / 2,
            code.height() / 2,
            image::imageops::FilterType::Triangle,
        );
        image::imageops::overlay(&mut f, &code, 380, 100);
    }
    f
}

/// A 1280x720 frame with two people's codes side by side.
fn frame_of_two(desk: &Desk, a: &str, b: &str) -> GrayImage {
    let mut f = GrayImage::from_pixel(1280, 720, Luma([170]));
    for (serial, x) in [(a, 120), (b, 700)] {
        let code = image::open(desk.p(&format!("badges/{serial}.png")))
            .unwrap()
            .into_luma8();
        let code = image::imageops::resize(
            &code,
            code.width() / 2,
            code.height() / 2,
            image::imageops::FilterType::Triangle,
        );
        image::imageops::overlay(&mut f, &code, x, 160);
    }
    f
}

fn write_frames(desk: &Desk, dir: &str, serials: &[Option<&str>]) {
    fs::create_dir_all(desk.p(dir)).unwrap();
    for (i, s) in serials.iter().enumerate() {
        frame(desk, *s)
            .save(desk.p(&format!("{dir}/{i:03}.png")))
            .unwrap();
    }
}

fn kiosk_args<'a>(journal: &'a str, frames: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "--trust",
        "trust",
        "--journal",
        journal,
        "--gate",
        "north",
        "--zone",
        "plenary",
        "--images",
        frames,
        "--at",
        AT,
        "--kiosk-id",
        "k-north",
        "--frame-interval",
        "200",
        "--hold",
        "600000",
        "--silent",
    ];
    a.extend_from_slice(extra);
    a
}

/// The flags of a screen fed scanner lines on stdin at gate `gate` of the
/// plenary, verdicts held until the next, silent; then `extra`.
fn scanner_args<'a>(journal: &'a str, gate: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "--trust",
        "trust",
        "--journal",
        journal,
        "--gate",
        gate,
        "--zone",
        "plenary",
        "--stdin",
        "--at",
        AT,
        "--hold",
        "600000",
        "--silent",
    ];
    a.extend_from_slice(extra);
    a
}

/// One replay on the screen: the screenshot once `n` decisions are in.
fn shot(
    desk: &Desk,
    frames: &str,
    journal: &str,
    extra: &[&str],
    n: usize,
) -> (RgbImage, Vec<Entry>) {
    let x = Xvfb::start("1280x720x24").expect("checked by the caller");
    let mut screen = Screen::start(desk, &x, &kiosk_args(journal, frames, extra), None);
    let rows = screen.wait_for_records(&desk.p(journal), n);
    let img = screenshot(&x);
    keep(&img, &format!("{}.png", journal.trim_end_matches(".db")));
    (img, rows)
}

/// Keeps a screenshot where `BADGEGATE_SCREENSHOT_DIR` says (to look at).
fn keep(img: &RgbImage, name: &str) {
    if let Some(dir) = std::env::var_os("BADGEGATE_SCREENSHOT_DIR") {
        let _ = fs::create_dir_all(&dir);
        img.save(Path::new(&dir).join(name)).unwrap();
    }
}

fn have_tools() -> bool {
    tool("Xvfb").is_some() && tool("xwd").is_some() && tool("xdotool").is_some()
}

#[test]
fn admit_deny_and_warning_fill_the_screen_in_their_colours() {
    if !have_tools() {
        return;
    }
    let desk = Desk::new();
    badge(&desk, "A-1", &["--name", "Ines Ferreira"]);
    badge(&desk, "C-3", &["--valid-until", "2026-12-01T08:00:00Z"]);
    // Held up for three frames: one decision, and the picture stays with
    // the code in it.
    write_frames(&desk, "admit", &[Some("A-1"), Some("A-1"), Some("A-1")]);
    write_frames(&desk, "deny", &[Some("C-3"), None]);
    write_frames(
        &desk,
        "warn",
        &[Some("A-1"), None, None, None, Some("A-1"), None],
    );

    let (img, rows) = shot(&desk, "admit", "admit.db", &[], 1);
    assert_eq!(rows[0].body.decision.code(), "admit");
    let green = share(&img, Tone::Admit.rgb());
    assert!(
        green > 0.30,
        "ADMIT: {:.0}% of the screen green; {}",
        green * 100.0,
        palette(&img)
    );
    assert!(share(&img, Tone::Deny.rgb()) < 0.01);
    // The live picture (the frame's grey) with the code outlined in it, in
    // the verdict's green.
    assert!(share(&img, [170, 170, 170]) > 0.05, "{}", palette(&img));
    let outline = share(&camera(&img), Tone::Admit.rgb());
    assert!(outline > 0.002, "outline: {:.3}%", outline * 100.0);

    let (img, rows) = shot(&desk, "deny", "deny.db", &[], 1);
    assert_eq!(rows[0].body.reason.code(), "expired");
    let red = share(&img, Tone::Deny.rgb());
    assert!(red > 0.30, "DENY: {:.0}% of the screen red", red * 100.0);
    assert!(share(&img, Tone::Admit.rgb()) < 0.01);

    let soft = ["--anti-passback", "soft", "--cooldown", "300"];
    let (img, rows) = shot(&desk, "warn", "warn.db", &soft, 2);
    assert_eq!(rows[1].body.reason.code(), "already_inside");
    assert!(rows[1].body.flagged);
    // The first admit is still held (a long hold here): the warning, newest,
    // takes the larger top of the field.
    let amber = share(&field(&img), Tone::Warn.rgb());
    assert!(
        amber > 0.35,
        "warning: {:.0}% of the screen amber",
        amber * 100.0
    );
}

#[test]
fn the_screen_and_headless_journal_the_same_records_for_the_same_frames() {
    if !have_tools() {
        return;
    }
    let desk = Desk::new();
    badge(&desk, "A-1", &[]);
    badge(&desk, "B-2", &["--zones", "press"]);
    badge(&desk, "C-3", &["--valid-until", "2026-12-01T08:00:00Z"]);
    let serials = [
        Some("A-1"),
        Some("A-1"),
        None,
        Some("B-2"),
        None,
        None,
        None,
        Some("A-1"),
        Some("C-3"),
        None,
    ];
    write_frames(&desk, "frames", &serials);
    let extra = ["--cooldown", "300"];
    let (_, screen_rows) = shot(&desk, "frames", "screen.db", &extra, 4);

    let mut args = vec!["kiosk"];
    args.extend(kiosk_args("headless.db", "frames", &extra));
    args.push("--headless");
    let r = desk.run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let headless_rows = records(&desk.p("headless.db"));
    let reasons: Vec<&str> = headless_rows.iter().map(|e| e.body.reason.code()).collect();
    assert_eq!(reasons, ["ok", "wrong_zone", "already_inside", "expired"]);
    // Same kiosk id, same simulated times, same decisions: the same chain,
    // hash for hash.
    let key = |rows: &[Entry]| -> Vec<(u64, String, Vec<u8>)> {
        rows.iter()
            .map(|e| (e.seq, e.body.reason.code().to_owned(), e.hash.to_vec()))
            .collect()
    };
    assert_eq!(key(&screen_rows), key(&headless_rows));
    let j = Journal::open_readonly(&desk.p("screen.db")).unwrap();
    assert!(verify_chain(&j).unwrap().is_intact());
}

fn xdotool(x: &Xvfb, args: &[&str]) {
    let ok = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", &x.display)
        .status()
        .expect("run xdotool")
        .success();
    assert!(ok, "xdotool {args:?}");
}

#[test]
fn the_guard_confirms_an_id_check_and_overrides_with_a_note_from_the_keyboard() {
    if !have_tools() {
        return;
    }
    let desk = Desk::new();
    let hod = badge(
        &desk,
        "H-1",
        &["--category", "hod", "--name", "Amara Okafor"],
    );
    let staff = badge(
        &desk,
        "S-1",
        &["--category", "staff", "--name", "Sam Okoro"],
    );
    fs::write(desk.p("scans.txt"), format!("{hod}\n")).unwrap();
    let x = Xvfb::start("1280x720x24").expect("checked");
    let args = scanner_args("j.db", "vip", &["--confirm", "hod"]);
    let journal = desk.p("j.db");
    let mut screen = Screen::start(&desk, &x, &args, Some(&desk.p("scans.txt")));
    let rows = screen.wait_for_records(&journal, 1);
    assert_eq!(
        (rows[0].body.decision.code(), rows[0].body.reason.code()),
        ("none", "ok"),
        "nobody admitted before the guard's check"
    );
    let img = screenshot(&x);
    keep(&img, "confirm.png");
    let blue = share(&img, Tone::Ask.rgb());
    assert!(
        blue > 0.30,
        "CHECK ID: {:.0}% of the screen blue",
        blue * 100.0
    );
    if let Some(words) = read_words(&img) {
        assert!(words.contains("NOBODY SIGNED IN"), "{words}");
    }

    // Enter with nobody signed in decides nothing; the guard signs in with
    // their staff badge (F4, then the scanner types it), and the check
    // comes back.
    xdotool(&x, &["key", "Return"]);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(records(&journal).len(), 1, "no answer without a guard");
    xdotool(&x, &["key", "F4"]);
    std::thread::sleep(Duration::from_millis(300));
    xdotool(&x, &["type", "--delay", "2", &staff]);
    xdotool(&x, &["key", "Return"]);
    let rows = screen.wait_for_records(&journal, 2);
    assert_eq!(rows[1].body.kind, EntryKind::Shift);
    assert_eq!(rows[1].body.reason.code(), "guard_signed_in");
    assert_eq!(rows[1].body.guard.as_deref(), Some("Sam Okoro (S-1)"));
    std::thread::sleep(Duration::from_millis(500));
    let img = screenshot(&x);
    keep(&img, "signed-in.png");
    assert!(share(&img, Tone::Ask.rgb()) > 0.30, "the ID check is back");
    if let Some(words) = read_words(&img) {
        assert!(
            words.contains("Sam Okoro"),
            "the guard on the status bar: {words}"
        );
    }

    xdotool(&x, &["key", "Return"]);
    let rows = screen.wait_for_records(&journal, 3);
    let rows: Vec<Entry> = rows
        .into_iter()
        .filter(|e| e.body.kind != EntryKind::Shift)
        .collect();
    assert_eq!(rows[1].body.kind, EntryKind::Confirm);
    assert_eq!(
        (rows[1].body.decision.code(), rows[1].body.reason.code()),
        ("admit", "confirmed")
    );
    assert_eq!(rows[1].body.serial.as_deref(), Some("H-1"));
    assert_eq!(rows[1].body.guard.as_deref(), Some("Sam Okoro (S-1)"));
    let img = screenshot(&x);
    keep(&img, "confirmed.png");
    assert!(share(&img, Tone::Admit.rgb()) > 0.30, "confirmed: green");

    // The guard refuses by hand after all, with a note.
    xdotool(&x, &["key", "F3"]);
    std::thread::sleep(Duration::from_millis(500));
    xdotool(&x, &["type", "--delay", "20", "passport name differs"]);
    xdotool(&x, &["key", "Return"]);
    let rows = screen.wait_for_records(&journal, 4);
    assert_eq!(rows[3].body.kind, EntryKind::Override);
    assert_eq!(
        (rows[3].body.decision.code(), rows[3].body.reason.code()),
        ("deny", "override")
    );
    assert_eq!(rows[3].body.note.as_deref(), Some("passport name differs"));
    assert_eq!(rows[3].body.serial.as_deref(), Some("H-1"));
    assert_eq!(
        rows[3].body.guard.as_deref(),
        Some("Sam Okoro (S-1)"),
        "the override names the guard"
    );
    let img = screenshot(&x);
    keep(&img, "override.png");
    // Newest on top, the confirmed admit still held below it.
    assert!(
        share(&field(&img), Tone::Deny.rgb()) > 0.35,
        "refused by hand: red"
    );
    drop(screen);
    let j = Journal::open_readonly(&journal).unwrap();
    assert!(verify_chain(&j).unwrap().is_intact());
}

#[test]
fn a_journal_that_cannot_be_written_puts_the_screen_out_of_service() {
    if !have_tools() {
        return;
    }
    let desk = Desk::new();
    let a = badge(&desk, "A-1", &[]);
    let b = badge(&desk, "B-2", &[]);
    common::alternating_scans(&desk, "scans.txt", &a, &b, 400);
    let x = Xvfb::start("1280x720x24").expect("checked");
    // The file-size limit makes the journal's writes fail part-way, as a
    // full disk would.
    let script = format!(
        "trap '' XFSZ; ulimit -f 2000; exec '{}' kiosk --trust trust --journal j.db --gate north --stdin \
         --cooldown 0 --anti-passback off --at {AT} --silent < scans.txt",
        env!("CARGO_BIN_EXE_badgegate")
    );
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(desk.path())
        .env("DISPLAY", &x.display)
        .env("MESA_SHADER_CACHE_DISABLE", "true")
        .stdout(Stdio::null())
        .stderr(fs::File::create(desk.p("err.txt")).unwrap())
        .spawn()
        .unwrap();
    let until = Instant::now() + Duration::from_secs(90);
    while !fs::read_to_string(desk.p("err.txt"))
        .unwrap_or_default()
        .contains("OUT OF SERVICE")
    {
        assert!(Instant::now() < until, "never out of service");
        assert!(child.try_wait().unwrap().is_none(), "the screen closed");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(1500));
    let img = screenshot(&x);
    keep(&img, "out-of-service.png");
    let _ = child.kill();
    let _ = child.wait();
    let dark_red = share(&img, Tone::OutOfService.rgb()) + share(&img, [120, 10, 10]);
    assert!(
        dark_red > 0.30,
        "OUT OF SERVICE: {:.0}% of the screen",
        dark_red * 100.0
    );
    assert!(
        share(&img, Tone::Admit.rgb()) < 0.01,
        "no green while out of service"
    );
    let j = Journal::open_readonly(&desk.p("j.db")).unwrap();
    assert!(verify_chain(&j).unwrap().is_intact());
}

#[test]
fn two_people_at_once_both_verdicts_stay_on_screen_and_each_outline_takes_its_colour() {
    if !have_tools() {
        return;
    }
    let desk = Desk::new();
    badge(&desk, "A-1", &["--name", "Ines Ferreira"]);
    badge(
        &desk,
        "C-3",
        &[
            "--name",
            "Lars Eriksson",
            "--valid-until",
            "2026-12-01T08:00:00Z",
        ],
    );
    fs::create_dir_all(desk.p("two")).unwrap();
    for i in 0..4 {
        frame_of_two(&desk, "A-1", "C-3")
            .save(desk.p(&format!("two/{i:03}.png")))
            .unwrap();
    }
    let (img, rows) = shot(&desk, "two", "two.db", &[], 2);
    let mut reasons: Vec<&str> = rows.iter().map(|e| e.body.reason.code()).collect();
    reasons.sort();
    assert_eq!(reasons, ["expired", "ok"]);
    // Both verdicts in the field at once, each a real share of it.
    let f = field(&img);
    let (green, red) = (share(&f, Tone::Admit.rgb()), share(&f, Tone::Deny.rgb()));
    assert!(
        green > 0.10 && red > 0.10,
        "field: {:.0}% green, {:.0}% red; {}",
        green * 100.0,
        red * 100.0,
        palette(&f)
    );
    // Each outline in its own verdict's colour on the live picture.
    let cam = camera(&img);
    let (g, r) = (
        share(&cam, Tone::Admit.rgb()),
        share(&cam, Tone::Deny.rgb()),
    );
    assert!(
        g > 0.002 && r > 0.002,
        "outlines: {:.3}% green, {:.3}% red",
        g * 100.0,
        r * 100.0
    );
    if let Some(words) = read_words(&img) {
        assert!(
            words.contains("Ines") && words.contains("Lars"),
            "both holders named: {words}"
        );
    }
}

#[test]
fn a_forged_badge_name_is_marked_as_not_verified_on_screen() {
    if !have_tools() {
        return;
    }
    let desk = Desk::new();
    assert_eq!(desk.run(&["keygen", "--dir", "stranger"]).code, 0);
    let r = desk.run(&[
        "issue",
        "--key",
        "stranger/registration.key.pem",
        "--name",
        "Eve Stranger",
        "--zones",
        "plenary",
        "--serial",
        "E-1",
        "--out",
        "badges",
        "--valid-from",
        "2026-12-01T00:00:00Z",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    write_frames(&desk, "eve", &[Some("E-1"), Some("E-1")]);
    let (img, rows) = shot(&desk, "eve", "eve.db", &[], 1);
    assert_eq!(rows[0].body.reason.code(), "unknown_key");
    assert!(share(&field(&img), Tone::Deny.rgb()) > 0.30);
    let Some(words) = read_words(&img) else {
        return;
    };
    assert!(words.contains("NOT VERIFIED"), "{words}");
    assert!(
        words.contains("claims"),
        "the claimed name only in a marked line: {words}"
    );
}

#[test]
fn the_venue_policy_names_zones_and_asks_for_id_checks_on_screen() {
    if !have_tools() {
        return;
    }
    let desk = Desk::new();
    fs::write(
        desk.p("venue.txt"),
        "venue: Geneva Summit 2026\n\
         time-zone: Europe/Zurich\n\
         zone: plenary Plenary hall\n\
         zone: press Press centre\n\
         category: hod #801020 id-check Head of delegation\n\
         category: guest #00529b - Guest\n\
         category: staff #008050 staff Security staff\n\
         gate: north plenary in North entrance\n",
    )
    .unwrap();
    desk.sign_policy("venue.txt", "policy.txt");
    badge(&desk, "P-1", &["--zones", "press", "--name", "Li Ming"]);
    badge(
        &desk,
        "H-1",
        &["--category", "hod", "--name", "Amara Okafor"],
    );
    write_frames(&desk, "press", &[Some("P-1"), Some("P-1")]);
    write_frames(&desk, "hod", &[Some("H-1"), Some("H-1")]);

    // The press badge at the plenary gate: the reason names the hall as
    // the policy calls it (no --zone: the gate's zone comes from it too).
    let policy = ["--policy", "policy.txt"];
    let (img, rows) = shot(&desk, "press", "press.db", &policy, 1);
    assert_eq!(
        rows.iter()
            .find(|e| e.body.kind == EntryKind::Decision)
            .unwrap()
            .body
            .reason
            .code(),
        "wrong_zone"
    );
    assert!(share(&field(&img), Tone::Deny.rgb()) > 0.30);
    if let Some(words) = read_words(&img) {
        assert!(words.contains("Plenary hall"), "{words}");
    }
    // A head of delegation: the policy's ID check, without any --confirm.
    let (img, rows) = shot(&desk, "hod", "hod.db", &policy, 1);
    let d = rows
        .iter()
        .find(|e| e.body.kind == EntryKind::Decision)
        .unwrap();
    assert_eq!(
        (d.body.decision.code(), d.body.reason.code()),
        ("none", "ok")
    );
    assert!(
        share(&field(&img), Tone::Ask.rgb()) > 0.30,
        "CHECK ID in blue"
    );
    // The category band in the policy's colour.
    assert!(
        share(&field(&img), [0x80, 0x10, 0x20]) > 0.03,
        "{}",
        palette(&field(&img))
    );
    if let Some(words) = read_words(&img) {
        assert!(words.contains("CHECK ID"), "{words}");
        // The event's name on the status bar, from the signed policy.
        assert!(words.contains("Geneva Summit 2026"), "{words}");
        // The clock in venue time: 09:00 UTC is 10:00 in Geneva.
        assert!(words.contains("10:00"), "{words}");
    }
}

#[test]
fn a_replay_that_has_ended_says_so_instead_of_ready() {
    if !have_tools() {
        return;
    }
    let desk = Desk::new();
    badge(&desk, "A-1", &[]);
    write_frames(&desk, "short", &[Some("A-1"), None]);
    let x = Xvfb::start("1280x720x24").expect("checked");
    let args = [
        "--trust",
        "trust",
        "--journal",
        "j.db",
        "--gate",
        "north",
        "--zone",
        "plenary",
        "--images",
        "short",
        "--at",
        AT,
        "--frame-interval",
        "100",
        "--hold",
        "800",
        "--silent",
    ];
    let mut screen = Screen::start(&desk, &x, &args, None);
    screen.wait_for_records(&desk.p("j.db"), 1);
    // The verdict's hold ends; the replay has no more frames.
    std::thread::sleep(Duration::from_millis(2500));
    let img = screenshot(&x);
    keep(&img, "ended.png");
    assert!(
        share(&field(&img), Tone::Admit.rgb()) < 0.01,
        "the verdict's hold is over"
    );
    if let Some(words) = read_words(&img) {
        assert!(words.contains("NO MORE FRAMES"), "{words}");
        assert!(!words.contains("READY"), "{words}");
    }
}

#[test]
fn the_status_bar_says_when_the_venue_office_is_offline() {
    if !have_tools() {
        return;
    }
    let Some(pg) = common::pg::Pg::start() else {
        return;
    };
    let desk = Desk::new();
    let url = pg.admin_url();
    for args in [
        vec!["office", "init", "--db", url.as_str()],
        vec![
            "office",
            "add-kiosk",
            "--db",
            url.as_str(),
            "--kiosk-id",
            "k-north",
            "--out",
            "k.office",
        ],
    ] {
        let r = desk.run(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    badge(&desk, "A-1", &[]);
    write_frames(&desk, "one", &[Some("A-1"), Some("A-1")]);
    pg.stop();
    let (img, rows) = shot(&desk, "one", "j.db", &["--office", "k.office"], 1);
    assert_eq!(rows[0].body.reason.code(), "ok");
    if let Some(words) = read_words(&img) {
        assert!(words.contains("OFFLINE since"), "{words}");
    }
}

/// A gate stopped on purpose tells the office so, from the guard's screen
/// too: the guard's Ctrl+Q and a stop signal (`systemctl stop`) each hand
/// the office the last records and say goodbye, so the office shows the
/// gate STOPPED, not OFFLINE; a screen killed outright does not.
#[test]
fn closing_the_screen_tells_the_office_the_gate_stopped_on_purpose() {
    if !have_tools() {
        return;
    }
    let Some(pg) = common::pg::Pg::start() else {
        return;
    };
    let desk = Desk::new();
    let url = pg.admin_url();
    for args in [
        vec!["office", "init", "--db", url.as_str()],
        vec![
            "office",
            "add-kiosk",
            "--db",
            url.as_str(),
            "--kiosk-id",
            "k-north",
            "--out",
            "k.office",
        ],
    ] {
        let r = desk.run(&args);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    badge(&desk, "A-1", &[]);
    write_frames(&desk, "one", &[Some("A-1"), None]);
    let stopped = || {
        pg.sql("SELECT concat_ws(' ', stopped_at IS NOT NULL, stopped_head) FROM badgegate.kiosks WHERE kiosk_id = 'k-north'")
    };
    let x = Xvfb::start("1280x720x24").expect("checked");
    let args = kiosk_args("j.db", "one", &["--office", "k.office"]);
    // Each run decides one more admit (the same replay, a new day's start).
    let run = |how: &str, n: usize| -> (i32, String) {
        let mut screen = Screen::start(&desk, &x, &args, None);
        let rows = screen.wait_for_records(&desk.p("j.db"), n);
        assert_eq!(rows.len(), n);
        match how {
            "keys" => xdotool(&x, &["key", "ctrl+q"]),
            "signal" => unsafe {
                libc::kill(screen.child.id() as i32, libc::SIGTERM);
            },
            _ => {
                let _ = screen.child.kill();
            }
        }
        let until = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = screen.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < until, "still running: {}", screen.stderr());
            std::thread::sleep(Duration::from_millis(100));
        };
        (status.code().unwrap_or(-1), screen.stderr())
    };
    let head = |db: &str| {
        Journal::open_readonly(&desk.p(db))
            .unwrap()
            .entries()
            .unwrap()
            .last()
            .unwrap()
            .seq
    };

    let (code, err) = run("keys", 1);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("it shows this gate STOPPED"), "{err}");
    assert_eq!(stopped(), format!("t {}", head("j.db")), "{err}");

    // Started again (the office clears the stop), then a stop signal.
    let (code, err) = run("signal", 2);
    assert_eq!(code, 0, "{err}");
    assert_eq!(stopped(), format!("t {}", head("j.db")), "{err}");

    // Killed outright: started again, no goodbye; the office is left to
    // call it an outage.
    let (code, err) = run("kill", 3);
    assert_ne!(code, 0, "{err}");
    eventually("the restart cleared the stop at the office", || {
        stopped().starts_with("f")
    });
}

/// Deployed as docs/deployment.md says, the X server runs the kiosk alone,
/// with no window manager: the guard's screen must still fill the whole
/// display, whatever its size.
#[test]
fn the_screen_fills_the_display_without_a_window_manager() {
    if !have_tools() {
        return;
    }
    let desk = Desk::new();
    badge(&desk, "A-1", &[]);
    write_frames(&desk, "admit", &[Some("A-1"), Some("A-1")]);
    for size in ["1920x1080", "1366x768"] {
        let x = Xvfb::start(&format!("{size}x24")).expect("checked");
        let journal = format!("j-{size}.db");
        let mut screen = Screen::start(&desk, &x, &kiosk_args(&journal, "admit", &[]), None);
        screen.wait_for_records(&desk.p(&journal), 1);
        let img = screenshot(&x);
        keep(&img, &format!("full-{size}.png"));
        let (w, h) = img.dimensions();
        assert_eq!(format!("{w}x{h}"), size);
        // Nothing of the screen is left black: the status bar reaches the
        // bottom right corner, the verdict the right edge.
        let black = |x0: u32, y0: u32| {
            let c = image::imageops::crop_imm(&img, x0, y0, 40, 40).to_image();
            share(&c, [0, 0, 0])
        };
        assert!(
            black(w - 40, h - 40) < 0.5,
            "{size}: bottom right corner black"
        );
        assert!(black(w - 40, h / 3) < 0.5, "{size}: right edge black");
        let green = share(&field(&img), Tone::Admit.rgb());
        assert!(
            green > 0.30,
            "{size}: ADMIT covers {:.0}% of the field",
            green * 100.0
        );
    }
}

/// Two heads of delegation at a gate with an ID check, and the first one's
/// card shown again while hers waits: two checks, not three; the screen
/// says one more waits and that the card shown again already waits.
#[test]
fn a_card_shown_again_while_its_check_waits_is_said_and_not_queued() {
    if !have_tools() {
        return;
    }
    let desk = Desk::new();
    let first = badge(
        &desk,
        "H-1",
        &["--category", "hod", "--name", "Amara Okafor"],
    );
    let second = badge(
        &desk,
        "H-2",
        &["--category", "hod", "--name", "Lars Eriksson"],
    );
    fs::write(desk.p("scans.txt"), format!("{first}\n{second}\n{first}\n")).unwrap();
    let x = Xvfb::start("1280x720x24").expect("checked");
    let args = scanner_args("j.db", "vip", &["--confirm", "hod", "--cooldown", "0"]);
    let journal = desk.p("j.db");
    let mut screen = Screen::start(&desk, &x, &args, Some(&desk.p("scans.txt")));
    let rows = screen.wait_for_records(&journal, 2);
    std::thread::sleep(Duration::from_millis(1000));
    let rows_now = records(&journal);
    assert_eq!(
        rows_now.len(),
        2,
        "two checks, not three: {:?}",
        rows_now
            .iter()
            .map(|e| e.body.serial.clone())
            .collect::<Vec<_>>()
    );
    assert!(rows.iter().all(|e| e.body.decision.code() == "none"));
    let img = screenshot(&x);
    keep(&img, "two-checks.png");
    if let Some(words) = read_words(&img) {
        assert!(words.contains("1 more waiting"), "{words}");
        assert!(words.contains("already waits for its ID check"), "{words}");
    }
}

/// Every reason the gate gives, on the guard's screen in English, Russian
/// (`--language ru`) and Tajik (named by the venue policy), read back by
/// OCR in that language: the headline and the reason's own words, and no
/// English left on a translated screen. Records and reason codes stay the
/// same in every language.
#[test]
fn every_reason_reads_back_in_english_russian_and_tajik() {
    use badgegate::screen::lang::{fill, Lang};
    if !have_tools() {
        return;
    }
    let desk = Desk::new();
    let ok = badge(&desk, "A-1", &[]);
    let expired = badge(&desk, "C-3", &["--valid-until", "2026-12-01T08:00:00Z"]);
    let early = badge(&desk, "F-1", &["--valid-from", "2026-12-02T07:00:00Z"]);
    let revoked = badge(&desk, "R-1", &[]);
    let elsewhere = badge(&desk, "Z-1", &["--zones", "press"]);
    let hod = badge(&desk, "H-1", &["--category", "hod"]);
    assert_eq!(desk.run(&["keygen", "--dir", "stranger"]).code, 0);
    let stranger = desk.issue(
        "forged",
        "U-1",
        &[
            "--key",
            "stranger/registration.key.pem",
            "--valid-from",
            "2026-12-01T07:00:00Z",
        ],
    );
    let altered = {
        use badgegate::format::badge::SignedBadge;
        let signed = SignedBadge::parse(&ok).unwrap();
        let mut b = signed.badge.clone();
        b.zones = vec!["*".into()];
        let mut raw = b.to_payload();
        raw.extend_from_slice(signed.signature());
        format!("BG1:{}", base45::encode(&raw))
    };
    fs::create_dir(desk.p("lists")).unwrap();
    let r = desk.run(&[
        "revoke",
        "--key",
        "keys/registration.key.pem",
        "--list",
        "lists/rl.txt",
        "R-1",
        "--reason",
        "reported stolen",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    fs::write(
        desk.p("venue.txt"),
        "venue: Dushanbe Summit 2026\ntime-zone: Asia/Dushanbe\nlanguage: tg\n\
         zone: plenary Plenary hall\nzone: press Press centre\n\
         category: guest #00529b - Guest\ncategory: hod #7a1f2b - Head of delegation\n",
    )
    .unwrap();
    desk.sign_policy("venue.txt", "policy.txt");

    // What is shown, in order; the reason's words in the screen's table.
    type Pick = fn(&badgegate::screen::Words) -> (&'static str, &'static str);
    let shown: [(&str, &str, Pick); 11] = [
        (&ok, "ok", |w| (w.admit, w.valid_until)),
        (&expired, "expired", |w| (w.deny, w.expired)),
        (&early, "not_yet_valid", |w| (w.deny, w.not_yet_valid)),
        (&revoked, "revoked", |w| (w.deny, w.revoked_why)),
        (&elsewhere, "wrong_zone", |w| (w.deny, w.wrong_zone)),
        (&stranger, "unknown_key", |w| (w.deny, w.unknown_key)),
        (&altered, "bad_signature", |w| (w.deny, w.bad_signature)),
        ("BG1:THIS IS NOT A BADGE", "malformed", |w| {
            (w.deny, w.malformed)
        }),
        ("https://example.org/menu", "not_a_badge", |w| {
            (w.deny, w.not_a_badge)
        }),
        (&ok, "already_inside", |w| (w.deny, w.inside_deny)),
        (&hod, "id_check", |w| (w.check_id, w.check_category)),
    ];
    let runs = [
        (Lang::En, vec![], "eng"),
        (Lang::Ru, vec!["--language", "ru"], "rus"),
        (Lang::Tg, vec!["--policy", "policy.txt"], "tgk"),
    ];
    let mut pictures = Vec::new();
    for (lang, flags, ocr_lang) in &runs {
        let journal = format!("{}.db", lang.code());
        let x = Xvfb::start("1280x720x24").expect("checked");
        let mut args = scanner_args(
            &journal,
            "north",
            &[
                "--revocations",
                "lists",
                "--anti-passback",
                "hard",
                "--confirm",
                "hod",
                "--cooldown",
                "0",
            ],
        );
        args.extend(flags.iter().copied());
        let (mut screen, mut feed) = Screen::start_fed(&desk, &x, &args);
        for (i, (text, code, pick)) in shown.iter().enumerate() {
            use std::io::Write;
            writeln!(feed, "{text}").unwrap();
            let rows =
                screen.wait_for_records_drawn(&desk.p(&journal), i + 1, Duration::from_millis(300));
            let row = &rows[i];
            let got = match row.body.kind {
                EntryKind::Decision if row.body.decision.code() == "none" => "id_check",
                _ => row.body.reason.code(),
            };
            assert_eq!(got, *code, "{}: the record is the same", lang.code());
            // The window's first verdict may be drawn a moment late (its
            // first frame, fonts): wait for the first one's green.
            let mut shot = screenshot(&x);
            let until = Instant::now() + Duration::from_secs(10);
            while i == 0 && share(&field(&shot), Tone::Admit.rgb()) < 0.3 && Instant::now() < until
            {
                std::thread::sleep(Duration::from_millis(200));
                shot = screenshot(&x);
            }
            let img = top_card(&field(&shot));
            keep(&img, &format!("reason-{}-{code}.png", lang.code()));
            let (headline, reason) = pick(lang.words());
            pictures.push((*lang, *ocr_lang, *code, img, headline, reason));
        }
    }
    // The OCR, two at a time.
    let fails = std::sync::Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((lang, ocr_lang, code, img, headline, reason)) = pictures.get(i) else {
                    return;
                };
                let Some(read) = read_line_words(img, ocr_lang) else {
                    return;
                };
                let reason = fill(
                    reason,
                    &[("when", ""), ("zone", ""), ("zones", ""), ("why", "")],
                );
                let mut missing = Vec::new();
                for (what, expect, share) in
                    [("headline", *headline, 1.0), ("reason", &reason[..], 0.6)]
                {
                    let (found, of) = words_found(expect, &read);
                    if (found as f64) < share * of as f64 {
                        missing.push(format!("{what} {found}/{of} of {expect:?}"));
                    }
                }
                if *lang != Lang::En {
                    let english: Vec<_> = words_of(Lang::En.words().deny)
                        .into_iter()
                        .chain(words_of(&fill(pick_en(code), &[])))
                        .filter(|w| w.chars().count() >= 5 && read.contains(w))
                        .collect();
                    if !english.is_empty() {
                        missing.push(format!("English left: {english:?}"));
                    }
                }
                if !missing.is_empty() {
                    fails.lock().unwrap().push(format!(
                        "{} {code}: {}; read {read:?}",
                        lang.code(),
                        missing.join(", ")
                    ));
                }
            });
        }
    });
    let fails = fails.into_inner().unwrap();
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

/// The newest verdict's card: the field down to the first gap between
/// cards (the older verdicts below it are not read).
fn top_card(field: &RgbImage) -> RgbImage {
    let x = field.width() / 2;
    let gap = (20..field.height())
        .find(|&y| field.get_pixel(x, y).0.iter().all(|&c| c < 40))
        .unwrap_or(field.height());
    image::imageops::crop_imm(field, 0, 0, field.width(), gap).to_image()
}

/// The English reason for a code, to see none of it on a translated screen.
fn pick_en(code: &str) -> &'static str {
    let w = badgegate::screen::lang::Lang::En.words();
    match code {
        "ok" => w.valid_until,
        "expired" => w.expired,
        "not_yet_valid" => w.not_yet_valid,
        "revoked" => w.revoked,
        "wrong_zone" => w.wrong_zone,
        "unknown_key" => w.unknown_key,
        "bad_signature" => w.bad_signature,
        "malformed" => w.malformed,
        "not_a_badge" => w.not_a_badge,
        "already_inside" => w.inside_deny,
        _ => w.check_category,
    }
}

/// The words of a text (letters only, lower case, placeholders dropped),
/// four letters or longer.
fn words_of(text: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            c if depth == 0 && c.is_alphabetic() => plain.extend(c.to_lowercase()),
            _ if depth == 0 => plain.push(' '),
            _ => {}
        }
    }
    plain
        .split_whitespace()
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_owned)
        .collect()
}

/// How many of `expect`'s words the OCR read, allowing a letter wrong in
/// four and two in eight or more; and how many there are.
fn words_found(expect: &str, read: &str) -> (usize, usize) {
    let read = words_of(read);
    let expect = words_of(expect);
    let found = expect
        .iter()
        .filter(|w| {
            let allowed = w.chars().count() / 4;
            read.iter()
                .any(|r| strsim::levenshtein(w, r) <= allowed.min(2))
        })
        .count();
    (found, expect.len())
}

/// The words tesseract reads in `img` with the language model `lang`, as
/// lines; `None` without tesseract or the model.
fn read_line_words(img: &RgbImage, lang: &str) -> Option<String> {
    let tesseract = tool("tesseract")?;
    let langs = Command::new(&tesseract).arg("--list-langs").output().ok()?;
    if !String::from_utf8_lossy(&langs.stdout)
        .lines()
        .any(|l| l.trim() == lang)
    {
        assert!(std::env::var_os("CI").is_none(), "tesseract-ocr-{lang}");
        return None;
    }
    Some(ocr(&tesseract, img, lang, &["11"]).to_lowercase())
}

/// The photo file's most common colour (its background).
fn dominant(img: &RgbImage) -> [u8; 3] {
    let mut counts = std::collections::HashMap::new();
    for p in img.pixels() {
        // Quantised: JPEG wobbles a level or two.
        *counts.entry(p.0.map(|c| c / 8)).or_insert(0u32) += 1;
    }
    let (q, _) = counts.into_iter().max_by_key(|(_, n)| *n).unwrap();
    q.map(|c| c * 8 + 4)
}

/// Share of pixels within `tol` levels a channel of `rgb`.
fn near(img: &RgbImage, rgb: [u8; 3], tol: u8) -> f64 {
    let n = img
        .pixels()
        .filter(|p| p.0.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= tol))
        .count();
    n as f64 / (img.width() * img.height()) as f64
}

#[test]
fn the_holders_photo_is_shown_large_only_when_it_matches() {
    if !have_tools() {
        return;
    }
    let desk = Desk::new();
    for (serial, seed) in [("F-1", 1u8), ("F-2", 5)] {
        let src = format!("{serial}-src.jpg");
        fs::write(
            desk.p(&src),
            common::photos::jpeg(&badgegate::synth::portrait(900, 1200, seed)),
        )
        .unwrap();
        badge(&desk, serial, &["--photo", &src, "--name", "Li Ming"]);
    }
    let photo = image::open(desk.p("badges/F-1-photo.jpg"))
        .unwrap()
        .into_rgb8();
    let bg = dominant(&photo);
    write_frames(&desk, "f1", &[Some("F-1"), None]);
    write_frames(&desk, "f2", &[Some("F-2"), None]);

    // Matching: ADMIT, with the photo filling a good part of the field.
    let (img, rows) = shot(&desk, "f1", "match.db", &["--photos", "badges"], 1);
    assert_eq!(rows[0].body.reason.code(), "ok");
    let shown = near(&field(&img), bg, 14);
    assert!(
        shown > 0.05,
        "the photo's background covers {:.1}% of the field; {}",
        shown * 100.0,
        palette(&field(&img))
    );

    // F-2's slot holds F-1's photo: DENY photo_mismatch, and no photo.
    fs::create_dir(desk.p("swapped")).unwrap();
    fs::copy(
        desk.p("badges/F-1-photo.jpg"),
        desk.p("swapped/F-2-photo.jpg"),
    )
    .unwrap();
    let (img, rows) = shot(&desk, "f2", "mismatch.db", &["--photos", "swapped"], 1);
    assert_eq!(rows[0].body.reason.code(), "photo_mismatch");
    assert!(share(&img, Tone::Deny.rgb()) > 0.30);
    assert!(
        near(&field(&img), bg, 14) < 0.01,
        "a photo that does not match is never shown"
    );
    if let Some(words) = read_words(&img) {
        assert!(words.contains("photo"), "{words}");
    }

    // No photo on this kiosk: the guard is asked to check an ID.
    fs::create_dir(desk.p("none")).unwrap();
    let (img, rows) = shot(&desk, "f1", "missing.db", &["--photos", "none"], 1);
    assert_eq!(rows[0].body.decision.code(), "none", "awaiting the guard");
    if let Some(words) = read_words(&img) {
        assert!(words.contains("CHECK ID"), "{words}");
    }
}

/// The words tesseract reads in `img` with the language model `lang`
/// (sparse text, then a raw line); `None` without tesseract or the model.
fn read_words_in(img: &RgbImage, lang: &str) -> Option<String> {
    let tesseract = tool("tesseract")?;
    let langs = Command::new(&tesseract).arg("--list-langs").output().ok()?;
    if !String::from_utf8_lossy(&langs.stdout)
        .lines()
        .any(|l| l.trim() == lang)
    {
        assert!(std::env::var_os("CI").is_none(), "tesseract-ocr-{lang}");
        return None;
    }
    let all = ocr(&tesseract, img, lang, &["11", "13"]);
    Some(all.chars().filter(|c| c.is_alphanumeric()).collect())
}

#[test]
fn chinese_and_persian_names_show_shaped_on_the_verdict() {
    if !have_tools() {
        return;
    }
    let desk = Desk::new();
    badge(&desk, "Z-1", &["--name", "李明", "--org", "中国新闻社"]);
    badge(&desk, "P-1", &["--name", "محمدرضا شجریان"]);
    write_frames(&desk, "zh", &[Some("Z-1"), None]);
    write_frames(&desk, "fa", &[Some("P-1"), None]);
    for (frames, journal, lang, name) in [
        ("zh", "zh.db", "chi_sim", "李明"),
        ("fa", "fa.db", "fas", "محمدرضاشجریان"),
    ] {
        let (img, rows) = shot(&desk, frames, journal, &[], 1);
        assert_eq!(rows[0].body.reason.code(), "ok");
        let f = field(&img);
        // The name's line: below the headline and reason, above the band.
        let line = image::imageops::crop_imm(
            &f,
            0,
            f.height() * 34 / 100,
            f.width(),
            f.height() * 22 / 100,
        )
        .to_image();
        keep(&line, &format!("name-{lang}.png"));
        if let Some(words) = read_words_in(&line, lang) {
            assert!(words.contains(name), "{lang}: read {words:?}");
        }
    }
}
