//! `badgegate doctor`: the self-check a technician runs on a gate PC before
//! the doors open (and attaches to a bug report). Each line is PASS, WARN
//! or FAIL with what was found; every FAIL says what to do. It reads the
//! same flags and `--config` file as the kiosk, and checks what that kiosk
//! would need: its camera (or other source), the reading pipeline's speed,
//! the display and sound for the guard's screen, fonts, the journal folder,
//! the clock, the trust folder, lists and policy, the office.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use badgegate::clock;
use badgegate::text::{printable, shown_path};
use serde::Serialize;

use super::Exit;
use crate::cli::DoctorArgs;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
enum Status {
    Pass,
    Warn,
    Fail,
}

#[derive(Debug, Serialize)]
struct Check {
    check: &'static str,
    status: Status,
    detail: String,
    /// What to do about a WARN or FAIL.
    #[serde(skip_serializing_if = "Option::is_none")]
    advice: Option<String>,
}

fn pass(check: &'static str, detail: impl Into<String>) -> Check {
    Check {
        check,
        status: Status::Pass,
        detail: detail.into(),
        advice: None,
    }
}

fn warn(check: &'static str, detail: impl Into<String>, advice: impl Into<String>) -> Check {
    Check {
        check,
        status: Status::Warn,
        detail: detail.into(),
        advice: Some(advice.into()),
    }
}

fn fail(check: &'static str, detail: impl Into<String>, advice: impl Into<String>) -> Check {
    Check {
        check,
        status: Status::Fail,
        detail: detail.into(),
        advice: Some(advice.into()),
    }
}

pub fn run(a: DoctorArgs) -> anyhow::Result<ExitCode> {
    let k = &a.kiosk;
    let mut checks = vec![pass(
        "badgegate",
        format!(
            "version {}, camera support {}, guard's screen {}",
            env!("CARGO_PKG_VERSION"),
            if cfg!(feature = "camera") {
                "yes"
            } else {
                "no"
            },
            if cfg!(feature = "screen") {
                "yes"
            } else {
                "no"
            }
        ),
    )];
    checks.extend(cameras(&a));
    checks.push(reading());
    checks.push(display(k.headless));
    checks.push(sound(k.headless || k.silent));
    checks.push(fonts());
    checks.extend(journal_folder(k.journal.as_deref()));
    checks.push(clock_sync());
    let (trust_check, trust) = trust_folder(k.trust.as_deref());
    checks.push(trust_check);
    if let Some(trust) = &trust {
        checks.extend(lists(k, trust));
        checks.extend(policy(k, trust));
    }
    checks.extend(office(k));
    let failed = checks.iter().any(|c| c.status == Status::Fail);
    if a.json {
        for c in &checks {
            println!("{}", badgegate::text::json_line(&serde_json::to_value(c)?));
        }
    } else {
        print_table(&checks);
    }
    Ok(if failed { Exit::Problem } else { Exit::Ok }.into())
}

/// The checks as a table, and a count of each kind.
fn print_table(checks: &[Check]) {
    for c in checks {
        let word = match c.status {
            Status::Pass => "PASS",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        };
        println!("{word}  {:<12} {}", c.check, printable(&c.detail));
        if let Some(advice) = &c.advice {
            println!("      {:<12} → {}", "", printable(advice));
        }
    }
    let count = |s| checks.iter().filter(|c| c.status == s).count();
    let failed = count(Status::Fail) > 0;
    println!(
        "\n{} pass, {} warn, {} fail{}",
        count(Status::Pass),
        count(Status::Warn),
        count(Status::Fail),
        if failed {
            ": fix each FAIL before the doors open"
        } else {
            ""
        }
    );
}

/// The trust folder: loaded, holding at least one key.
fn trust_folder(dir: Option<&Path>) -> (Check, Option<badgegate::format::keys::TrustStore>) {
    let Some(dir) = dir else {
        return (
            warn(
                "trust",
                "no trust folder given",
                "give --trust DIR or --config FILE to check the kiosk's keys, lists and policy",
            ),
            None,
        );
    };
    match badgegate::format::keys::TrustStore::load(dir) {
        Ok(t) if t.keys().count() == 0 && !t.roots().is_empty() => (
            fail(
                "trust",
                format!(
                    "{} holds the root key but no key list: every badge would be refused",
                    shown_path(dir)
                ),
                "copy the current key list (a file starting `badgegate-keys v1`) into it, or join the office that publishes it",
            ),
            Some(t),
        ),
        Ok(t) if t.keys().count() == 0 => (
            fail(
                "trust",
                format!("{} holds no public key", shown_path(dir)),
                "copy the registration public key (registration.pub.pem) into it",
            ),
            Some(t),
        ),
        Ok(t) => (
            pass(
                "trust",
                match t.keylist() {
                    Some(l) => format!(
                        "{} key(s) in {}, from key list #{} of root {} ({} withdrawn)",
                        t.keys().count(),
                        shown_path(dir),
                        l.sequence,
                        l.root_id,
                        l.withdrawn.len()
                    ),
                    None => format!("{} key(s) in {}", t.keys().count(), shown_path(dir)),
                },
            ),
            Some(t),
        ),
        Err(e) => (
            fail(
                "trust",
                printable(&e.to_string()),
                "give --trust the folder holding the registration public key",
            ),
            None,
        ),
    }
}

/// The cameras the system reports, and the configured one opened and
/// measured.
fn cameras(a: &DoctorArgs) -> Vec<Check> {
    let k = &a.kiosk;
    let wanted = k.camera.is_some();
    let mut out = Vec::new();
    #[cfg(feature = "camera")]
    {
        match badgegate::source::list_cameras() {
            Ok(cams) if cams.is_empty() => out.push(if wanted {
                fail(
                    "camera",
                    "no camera found",
                    "plug a USB webcam in (check `dmesg` and /dev/video*), or read badges with --stdin",
                )
            } else {
                warn(
                    "camera",
                    "no camera found",
                    "plug a USB webcam in, or read badges with a USB scanner (--stdin)",
                )
            }),
            Ok(cams) => out.push(pass(
                "camera",
                cams.iter()
                    .map(|(i, n)| format!("{i}: {n}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            )),
            Err(e) => out.push(warn(
                "camera",
                format!("cannot list cameras ({e})"),
                "check that this user may open /dev/video* (group video)",
            )),
        }
    }
    #[cfg(not(feature = "camera"))]
    {
        let advice = "install the kiosk build: the badgegate .deb, or `cargo install --path . --features camera,sound` (needs libclang-dev)";
        out.push(if wanted {
            fail("camera", "this badgegate has no camera support", advice)
        } else {
            warn("camera", "this badgegate has no camera support", advice)
        });
    }
    if wanted {
        out.push(measure_camera(k, a.seconds));
    }
    out
}

/// Opens the configured camera and measures what it delivers for a few
/// seconds: frames a second, the interval between them, the reading time.
fn measure_camera(k: &crate::cli::KioskArgs, seconds: u64) -> Check {
    let spec = match super::kiosk::source_spec(k) {
        Ok(s) => s,
        Err(e) => return fail("camera run", e.to_string(), "fix the camera flags"),
    };
    let mut source = match spec.open() {
        Ok(s) => s,
        Err(e) => {
            return fail(
                "camera run",
                super::say::open_error(e).to_string(),
                "check the camera index with `badgegate kiosk --list-cameras`",
            )
        }
    };
    let described = source.describe().unwrap_or_default();
    let start = Instant::now();
    let (mut frames, mut last, mut gaps, mut reads) =
        (0u32, None::<Instant>, Vec::new(), Vec::new());
    while start.elapsed() < Duration::from_secs(seconds.max(1)) {
        match source.next_frame() {
            Ok(Some(f)) => {
                let now = Instant::now();
                if let Some(l) = last {
                    gaps.push(now.duration_since(l).as_secs_f64() * 1000.0);
                }
                last = Some(now);
                frames += 1;
                if let badgegate::source::Payload::Image(img) = f.payload {
                    let t = Instant::now();
                    let _ = badgegate::read::decode(&img);
                    reads.push(t.elapsed().as_secs_f64() * 1000.0);
                }
            }
            Ok(None) => break,
            Err(e) => {
                return fail(
                    "camera run",
                    format!("{described}: {e}"),
                    "try another resolution (--resolution 1280x720) or another camera",
                )
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let fps = f64::from(frames) / secs;
    let detail = format!(
        "{described}: {fps:.1} frames/s measured over {secs:.1} s, interval p95 {:.0} ms, reading p95 {:.1} ms",
        p95(&mut gaps),
        p95(&mut reads)
    );
    if fps < 10.0 {
        warn(
            "camera run",
            detail,
            "below 10 frames/s: more light (auto exposure lengthens frames in the dark) or a lower --resolution",
        )
    } else {
        pass("camera run", detail)
    }
}

fn p95(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * 0.95).round() as usize]
}

/// The reading pipeline's time on a 1280x720 and a 1920x1080 frame with a
/// badge-sized code in it.
fn reading() -> Check {
    let text = "BG1:".to_owned() + &"0123456789ABCDEFGHIJ".repeat(14);
    let Ok(code) = badgegate::read::encode(&text) else {
        return warn("reading", "could not make a test code", "report this");
    };
    let qr = badgegate::read::render(&code, 4);
    let mut parts = Vec::new();
    let mut worst = 0.0f64;
    for (w, h) in [(1280u32, 720u32), (1920, 1080)] {
        let mut frame = image::GrayImage::from_pixel(w, h, image::Luma([150]));
        image::imageops::overlay(&mut frame, &qr, i64::from(w / 3), i64::from(h / 5));
        let mut times = Vec::new();
        let mut ok = true;
        for _ in 0..10 {
            let t = Instant::now();
            ok &= badgegate::read::decode(&frame).len() == 1;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let p = p95(&mut times);
        worst = worst.max(p);
        parts.push(format!(
            "{w}x{h} p95 {p:.1} ms{}",
            if ok { "" } else { " (code NOT read)" }
        ));
    }
    let detail = parts.join(", ");
    if detail.contains("NOT read") {
        fail(
            "reading",
            detail,
            "report this: the reading pipeline is broken on this machine",
        )
    } else if worst > 33.0 {
        warn(
            "reading",
            detail,
            "slower than a 30 frames/s camera: use --resolution 1280x720, or a faster PC",
        )
    } else {
        pass("reading", detail)
    }
}

/// A display for the guard's screen: X11 (DISPLAY and its socket) or
/// Wayland.
fn display(headless: bool) -> Check {
    if headless {
        return pass("display", "headless kiosk: no screen needed");
    }
    if !cfg!(feature = "screen") {
        return fail(
            "display",
            "this badgegate has no guard's screen",
            "install the default build, or run the kiosk --headless",
        );
    }
    if let Some(d) = std::env::var_os("DISPLAY") {
        let d = d.to_string_lossy().into_owned();
        let n = d
            .rsplit(':')
            .next()
            .and_then(|s| s.split('.').next())
            .unwrap_or("");
        let socket = format!("/tmp/.X11-unix/X{n}");
        if d.starts_with(':') && std::os::unix::net::UnixStream::connect(&socket).is_err() {
            return fail(
                "display",
                format!("DISPLAY={d}, but no X server answers at {socket}"),
                "start the kiosk inside the kiosk user's graphical session (see README: setting up a gate)",
            );
        }
        return pass("display", format!("X11 display {d}"));
    }
    if let Some(w) = std::env::var_os("WAYLAND_DISPLAY") {
        return pass(
            "display",
            format!("Wayland display {}", w.to_string_lossy()),
        );
    }
    fail(
        "display",
        "no display (neither DISPLAY nor WAYLAND_DISPLAY is set)",
        "run the guard's screen in the kiosk user's graphical session, or the kiosk --headless",
    )
}

/// A sound card for the guard's cues.
fn sound(quiet: bool) -> Check {
    if quiet {
        return pass("sound", "not needed (headless or --silent)");
    }
    match std::fs::read_to_string("/proc/asound/cards") {
        Ok(cards) if !cards.contains("no soundcards") && !cards.trim().is_empty() => {
            let first = cards.lines().next().unwrap_or("").trim().to_owned();
            pass("sound", format!("sound card: {first}"))
        }
        _ => warn(
            "sound",
            "no sound card found",
            "plug in speakers or a USB sound card; without one the guard hears no admit/deny cues",
        ),
    }
}

/// Fonts for names in every script a summit's delegations write in.
fn fonts() -> Check {
    let samples = [
        ("Latin", "Ana María Núñez"),
        ("Cyrillic", "Фарҳод Раҳимов"),
        ("Greek", "Γιώργος"),
        ("Arabic and Persian", "محمدرضا شجریان"),
        ("Devanagari", "अमित शाह"),
        ("Chinese", "李明"),
        ("Japanese", "やまだ"),
        ("Korean", "김민준"),
    ];
    let missing: Vec<&str> = samples
        .iter()
        .filter(|(_, s)| !badgegate::shape::missing_glyphs(s).is_empty())
        .map(|(name, _)| *name)
        .collect();
    let faces = badgegate::shape::with_shaper(|s| s.face_count());
    if missing.is_empty() {
        pass("fonts", format!("every script drawn ({faces} font faces)"))
    } else {
        warn(
            "fonts",
            format!("no font for: {}", missing.join(", ")),
            "sudo apt-get install fonts-noto-core fonts-noto-cjk (names in these scripts show as code points)",
        )
    }
}

/// The journal's folder: writable, its free space, how long a write and
/// fsync takes.
fn journal_folder(journal: Option<&Path>) -> Vec<Check> {
    let Some(journal) = journal else {
        return vec![warn(
            "journal",
            "no journal given",
            "give --journal FILE or --config FILE to check its folder",
        )];
    };
    let dir = badgegate::files::folder_of(journal);
    let mut out = Vec::new();
    if !dir.is_dir() {
        return vec![fail(
            "journal",
            format!("folder {} does not exist", shown_path(dir)),
            "create it, owned by the kiosk's user",
        )];
    }
    // Write and fsync a scratch file a few times, as the journal does each
    // decision.
    let probe = dir.join(format!(".badgegate-doctor-{}", std::process::id()));
    let mut times = Vec::new();
    let written = (|| -> std::io::Result<()> {
        use std::io::Write;
        let mut f = std::fs::File::create(&probe)?;
        for _ in 0..20 {
            let t = Instant::now();
            f.write_all(&[0u8; 4096])?;
            f.sync_all()?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        Ok(())
    })();
    let _ = std::fs::remove_file(&probe);
    match written {
        Err(e) => out.push(fail(
            "journal",
            format!("cannot write in {} ({e})", shown_path(dir)),
            "give the kiosk's user a writable folder on a disk with room (not read-only, not full)",
        )),
        Ok(()) => {
            let p = p95(&mut times);
            let detail = format!("{} writable, fsync p95 {p:.1} ms", shown_path(dir));
            out.push(if p > 50.0 {
                warn(
                    "journal",
                    detail,
                    "slow disk: each decision waits for it; use local SSD storage, not a network or SD card",
                )
            } else {
                pass("journal", detail)
            });
        }
    }
    if let Some(free) = free_bytes(dir) {
        let mib = free / (1 << 20);
        let detail = format!("{mib} MiB free in {}", shown_path(dir));
        out.push(if mib < 100 {
            fail(
                "disk",
                detail,
                "free space: a full disk stops the kiosk (a journal grows ~1 KiB a decision)",
            )
        } else if mib < 1024 {
            warn(
                "disk",
                detail,
                "less than 1 GiB free; make room before a long event",
            )
        } else {
            pass("disk", detail)
        });
    }
    out
}

fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: a valid C string and a zeroed struct for the call to fill.
    let r = unsafe { libc::statvfs(c.as_ptr(), &mut s) };
    #[allow(clippy::unnecessary_cast)] // the field types differ between platforms
    (r == 0).then(|| s.f_bavail as u64 * s.f_frsize as u64)
}

/// Whether the system says its clock is synchronised (systemd's view).
fn clock_sync() -> Check {
    let out = Command::new("timedatectl")
        .args(["show", "-p", "NTPSynchronized", "--value"])
        .output();
    let now = clock::format_utc(clock::now());
    match out {
        Ok(o) if o.status.success() => {
            let v = String::from_utf8_lossy(&o.stdout).trim().to_owned();
            if v == "yes" {
                pass("clock", format!("synchronised (NTP); now {now}"))
            } else {
                warn(
                    "clock",
                    format!("not synchronised; now {now}"),
                    "enable time sync (sudo timedatectl set-ntp true, or chrony) — badges' validity and the journal's times depend on it",
                )
            }
        }
        _ => {
            if Path::new("/run/systemd/timesync/synchronized").exists() {
                pass(
                    "clock",
                    format!("synchronised (systemd-timesyncd); now {now}"),
                )
            } else {
                warn(
                    "clock",
                    format!("cannot tell whether the clock is synchronised; now {now}"),
                    "check the time against a reliable clock, and run chrony or systemd-timesyncd",
                )
            }
        }
    }
}

/// The revocation lists: each verified, with its age.
fn lists(k: &crate::cli::KioskArgs, trust: &badgegate::format::keys::TrustStore) -> Vec<Check> {
    if k.revocations.is_empty() && k.office.is_none() {
        return vec![warn(
            "revocations",
            "no revocation list",
            "give --revocations with the desk's list: without one a revoked badge is admitted",
        )];
    }
    let now = clock::now();
    let mut out = Vec::new();
    let mut watch = badgegate::gate::lists::ListWatch::new(k.revocations.clone());
    for found in watch.read_all(trust) {
        match found.list {
            Ok(l) => {
                let age = now.saturating_sub(l.issued_at);
                let detail = format!(
                    "{}: sequence {} from key {}, {} revocation(s), signed {} ({} ago)",
                    shown_path(&found.path),
                    l.sequence,
                    l.key_id,
                    l.entries.len(),
                    clock::format_utc(l.issued_at),
                    clock::format_span(age)
                );
                out.push(if age > k.revocations_max_age * 3600 {
                    warn(
                        "revocations",
                        detail,
                        format!(
                            "older than {} hours: get the desk's current list (or check the office link)",
                            k.revocations_max_age
                        ),
                    )
                } else {
                    pass("revocations", detail)
                });
            }
            Err(e) => out.push(fail(
                "revocations",
                format!("{}: {}", shown_path(&found.path), printable(&e.to_string())),
                "copy the desk's current signed list again",
            )),
        }
    }
    out
}

/// The venue policy: verified, with its age.
fn policy(k: &crate::cli::KioskArgs, trust: &badgegate::format::keys::TrustStore) -> Vec<Check> {
    let Some(path) = &k.policy else {
        return Vec::new();
    };
    match badgegate::format::policy::VenuePolicy::load_verified(path, trust) {
        Ok(p) => {
            let mut out = vec![pass(
                "policy",
                format!(
                    "{}: {} ({}), sequence {}, signed {}",
                    shown_path(path),
                    printable(&p.body.venue),
                    p.body.time_zone,
                    p.sequence,
                    clock::format_utc(p.issued_at)
                ),
            )];
            // This gate as the policy knows it: the kiosk's own rule.
            if let Some(gate) = &k.gate {
                use badgegate::format::policy::GateFinding;
                let findings =
                    p.body
                        .judge_gate(gate, k.zone.as_deref(), k.direction.map(Into::into));
                for f in &findings {
                    let words = printable(&f.words(gate));
                    out.push(match f {
                        GateFinding::Unknown { .. } => fail(
                            "gate",
                            words,
                            "set the gate to its name in the venue policy (gate = \"...\" in the gate file, or --gate)",
                        ),
                        _ => warn(
                            "gate",
                            words,
                            "check the gate file against the venue policy: this gate may admit people to the wrong zone",
                        ),
                    });
                }
                if findings.is_empty() {
                    out.push(pass(
                        "gate",
                        format!("gate {} as the venue policy names it", printable(gate)),
                    ));
                }
            }
            out
        }
        Err(e) => vec![fail(
            "policy",
            format!("{}: {}", shown_path(path), printable(&e.to_string())),
            "copy the desk's current signed policy again",
        )],
    }
}

/// The venue office: reachable, the kiosk's login accepted, the clocks
/// compared.
fn office(k: &crate::cli::KioskArgs) -> Vec<Check> {
    let Some(file) = k.office.as_deref() else {
        return Vec::new();
    };
    let url = match badgegate::net::connect::read_connection_file(file) {
        Ok(u) => u,
        Err(e) => {
            return vec![fail(
                "office",
                printable(&e.to_string()),
                "give --office the connection file `office add-kiosk` wrote",
            )]
        }
    };
    let shown = badgegate::net::connect::shown_url(&url);
    let mut db = match badgegate::net::connect::connect(&url, Duration::from_secs(5)) {
        Ok(db) => db,
        Err(e) => {
            return vec![fail(
                "office",
                format!("{shown}: {}", printable(&e.to_string())),
                "check the network to the office and that its PostgreSQL is up; the kiosk still decides on its own",
            )]
        }
    };
    let before = clock::now_ms();
    let row = db.query_one(
        "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint",
        &[],
    );
    let after = clock::now_ms();
    match row {
        Ok(r) => {
            let office_ms: i64 = r.get(0);
            let local = (before + after) as i64 / 2;
            let offset = (local - office_ms) as f64 / 1000.0;
            let detail = format!("{shown}: login accepted, clock {offset:+.1} s from the office's");
            let mut out = vec![if offset.abs() > 5.0 {
                warn(
                    "office",
                    detail,
                    "the clocks differ by more than 5 s: synchronise both with the same NTP server",
                )
            } else {
                pass("office", detail)
            }];
            out.extend(enrolment(&mut db, k));
            out
        }
        Err(e) => vec![fail(
            "office",
            format!("{shown}: {}", printable(&e.to_string())),
            "check the kiosk's login (office add-kiosk again writes a new connection file)",
        )],
    }
}

/// The kiosk as the office enrolled it: the same kiosk id, and the journal
/// signed with the key the office checks records against.
fn enrolment(db: &mut postgres::Client, k: &crate::cli::KioskArgs) -> Vec<Check> {
    let row = match db.query_opt(
        "SELECT kiosk_id, key_pub FROM badgegate.my_enrolment()",
        &[],
    ) {
        Ok(Some(r)) => r,
        Ok(None) => {
            return vec![fail(
                "enrolment",
                "this login is not a kiosk's at the office",
                "give --office the connection file `office add-kiosk` wrote for this gate",
            )]
        }
        Err(e) => {
            return vec![warn(
                "enrolment",
                format!("cannot ask the office ({})", printable(&e.to_string())),
                "run `badgegate office init` with this build at the office",
            )]
        }
    };
    let (kiosk_id, enrolled): (String, Option<String>) = (row.get(0), row.get(1));
    let mut out = Vec::new();
    if let Some(id) = k.kiosk_id.as_deref().filter(|id| *id != kiosk_id) {
        out.push(fail(
            "enrolment",
            format!(
                "the connection file is kiosk {}'s, but this kiosk is {}",
                printable(&kiosk_id),
                printable(id)
            ),
            "use this gate's own connection file (office add-kiosk --kiosk-id ID)",
        ));
    }
    let mine = match k.signing_key.as_deref().map(super::load_secret_key) {
        None => None,
        Some(Ok(key)) => Some(key.public()),
        Some(Err(e)) => {
            out.push(fail(
                "enrolment",
                printable(&e.to_string()),
                "give --signing-key this kiosk's own secret key",
            ));
            return out;
        }
    };
    let hex_of = |p: &badgegate::format::keys::PublicKey| badgegate::text::hex(p.key.as_bytes());
    out.push(match (&mine, &enrolled) {
        (Some(m), Some(e)) if hex_of(m) == *e => pass(
            "enrolment",
            format!("kiosk {}: journal key {} is the one enrolled", printable(&kiosk_id), m.id),
        ),
        (Some(m), Some(_)) => fail(
            "enrolment",
            format!(
                "this kiosk signs with key {}, which is not the key the office enrolled for kiosk {}: every record would be raised as an alarm",
                m.id,
                printable(&kiosk_id)
            ),
            format!("give --signing-key kiosk-keys/{}.key.pem (this gate's own), or enrol this key", printable(&kiosk_id)),
        ),
        (None, Some(_)) => fail(
            "enrolment",
            format!("the office checks kiosk {}'s records against an enrolled key, but this kiosk signs none", printable(&kiosk_id)),
            format!("give --signing-key kiosk-keys/{}.key.pem", printable(&kiosk_id)),
        ),
        (Some(m), None) => warn(
            "enrolment",
            format!("the office has no key enrolled for kiosk {}: its records are not signature-checked", printable(&kiosk_id)),
            format!("enrol key {} at the office (office add-kiosk --kiosk-key)", m.id),
        ),
        (None, None) => warn(
            "enrolment",
            format!("kiosk {}: journal not signed, no key enrolled", printable(&kiosk_id)),
            "give the kiosk its own key (keygen --kiosk) and enrol it",
        ),
    });
    out
}
