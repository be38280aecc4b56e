//! The office dashboard's numbers, with a throw-away PostgreSQL, 20 real
//! kiosk processes each deciding once a second, and 10 open event streams
//! (what 10 open browser pages hold):
//!
//! 1. event-stream latency: a kiosk's decision (its record's time) to the
//!    record arriving on each of the 10 streams, p50/p95/max;
//! 2. page load: each page fetched over HTTP (server time, 20 loads each),
//!    and loaded in headless Chromium (navigation duration, 10 each);
//! 3. the dashboard's memory (RSS, peak);
//! 4. database statements per page and the hub's a second (counted in the
//!    server's own statement log, by application name).
//!
//! The venue database first holds `BADGEGATE_BENCH_RECORDS` (default
//! 1,000,000) earlier records of 20 other kiosks (inserted in bulk, with
//! 2 % revoked-badge alarms and 5,000 people inside, then vacuumed as the
//! server's autovacuum would have), so the pages' queries run against a
//! venue's record of two busy days, not an empty one.
//!
//! `cargo bench --bench dashboard` (`BADGEGATE_BENCH_SECONDS`, default 60)

#[allow(dead_code)]
#[path = "../tests/it/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::pg::Pg;

const KIOSKS: usize = 20;
const STREAMS: usize = 10;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_badgegate")
}

fn run(dir: &Path, args: &[&str], stdin: &str) -> String {
    let mut c = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = c.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .build(),
    )
}

fn sign_in(base: &str) -> String {
    let r = agent()
        .post(format!("{base}/login"))
        .send_form([("user", "bench"), ("password", "bench passphrase")])
        .unwrap();
    r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .trim_start_matches("bg_session=")
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// Statements logged for an application name since `from` (bytes).
fn statements(log: &Path, from: u64, app: &str) -> (usize, u64) {
    let text = std::fs::read(log).unwrap();
    let slice = String::from_utf8_lossy(&text[from as usize..]);
    let prefix = format!("{app}|");
    let n = slice
        .lines()
        .filter(|l| l.starts_with(&prefix) && (l.contains("statement: ") || l.contains("execute ")))
        .count();
    (n, text.len() as u64)
}

fn vm(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let seconds: u64 = std::env::var("BADGEGATE_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let Some(pg) = Pg::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = pg.admin_url();
    run(d, &["keygen", "--dir", "keys"], "");
    std::fs::create_dir(d.join("trust")).unwrap();
    std::fs::copy(
        d.join("keys/registration.pub.pem"),
        d.join("trust/registration.pub.pem"),
    )
    .unwrap();
    run(d, &["office", "init", "--db", &url], "");
    run(
        d,
        &[
            "office",
            "add-user",
            "--db",
            &url,
            "--name",
            "bench",
            "--password-stdin",
        ],
        "bench passphrase\n",
    );
    let mut badges = Vec::new();
    for i in 0..100 {
        let serial = format!("B-{i:03}");
        run(
            d,
            &[
                "issue",
                "--key",
                "keys/registration.key.pem",
                "--serial",
                &serial,
                "--out",
                "badges",
                "--name",
                &format!("Delegate {i}"),
                "--org",
                "Bench Delegation",
                "--zones",
                "plenary",
            ],
            "",
        );
        badges.push(
            std::fs::read_to_string(d.join(format!("badges/{serial}.txt")))
                .unwrap()
                .trim()
                .to_owned(),
        );
    }
    let bulk: i64 = std::env::var("BADGEGATE_BENCH_RECORDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let t = Instant::now();
    pg.sql(&format!(
        "INSERT INTO badgegate.kiosks (kiosk_id, login) SELECT 'bulk-' || i, 'bulk_login_' || i FROM generate_series(0, 19) i;
         ALTER TABLE badgegate.records DISABLE TRIGGER records_arrive;
         INSERT INTO badgegate.records (kiosk_id, seq, at_ms, kind, gate, zone, direction, serial, holder, org, category,
                key_id, decision, reason, flagged, authentic, detail, input, format, prev_hash, hash, received_at)
         SELECT 'bulk-' || (n % 20), n / 20 + 1, (extract(epoch FROM now()) * 1000)::int8 - ({bulk} - n) * 150,
                'decision', 'bulk-' || (n % 20), 'plenary', 'in', 'S-' || (n % 5000), 'Holder ' || (n % 5000),
                'Delegation ' || (n % 97), 'delegate', 'abcd1234',
                CASE WHEN n % 50 = 0 OR n % 20 = 0 THEN 'deny' ELSE 'admit' END,
                CASE WHEN n % 50 = 0 THEN 'revoked' WHEN n % 20 = 0 THEN 'expired' ELSE 'ok' END,
                false, true, '', 'bench', 2, sha256(('p' || n)::bytea), sha256(('h' || n)::bytea),
                now() - ({bulk} - n) * interval '150 ms'
         FROM generate_series(0, {bulk} - 1) n;
         ALTER TABLE badgegate.records ENABLE TRIGGER records_arrive;
         INSERT INTO badgegate.presence (serial, zone, inside, kiosk_id, seq, gate, at_ms, holder)
         SELECT 'S-' || i, 'plenary', true, 'bulk-' || (i % 20), i / 20 + 1, 'bulk-' || (i % 20),
                (extract(epoch FROM now()) * 1000)::int8 - 3600000, 'Holder ' || i
         FROM generate_series(0, 4999) i;
"
    ));
    pg.sql("VACUUM ANALYZE badgegate.records");
    pg.sql("VACUUM ANALYZE badgegate.presence");
    eprintln!(
        "{bulk} earlier records in the venue database ({:.0} s)",
        t.elapsed().as_secs_f64()
    );
    let mut kiosks: Vec<Child> = Vec::new();
    for k in 0..KIOSKS {
        let id = format!("k{k:02}");
        run(
            d,
            &[
                "office",
                "add-kiosk",
                "--db",
                &url,
                "--kiosk-id",
                &id,
                "--out",
                &format!("{id}.office"),
            ],
            "",
        );
        kiosks.push(
            Command::new(bin())
                .current_dir(d)
                .args(common::venue_kiosk_args(
                    &id,
                    "plenary",
                    &["--anti-passback", "off"],
                ))
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
    }

    // The server's statement log, by application name.
    pg.sql("ALTER SYSTEM SET log_statement = 'all'");
    pg.sql("ALTER SYSTEM SET log_line_prefix = '%a|%p|'");
    pg.sql("ALTER SYSTEM SET log_min_duration_statement = 30");
    pg.sql("SELECT pg_reload_conf()");

    let mut server = Command::new(bin())
        .current_dir(d)
        .args(["office", "serve", "--db", &url, "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(server.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let base = line
        .strip_prefix("office dashboard on ")
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address: {line}"))
        .to_owned();
    std::thread::spawn(move || for _ in err.lines() {});
    let server_pid = server.id();

    // 20 kiosks, one decision a second each, spread over the second.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut feeders = Vec::new();
    for (k, child) in kiosks.iter_mut().enumerate() {
        let mut stdin = child.stdin.take().unwrap();
        let badges = badges.clone();
        let stop = stop.clone();
        feeders.push(std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50 * k as u64));
            let mut i = k;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let t = Instant::now();
                if writeln!(stdin, "{}", badges[i % badges.len()]).is_err() {
                    return;
                }
                i += KIOSKS;
                std::thread::sleep(Duration::from_secs(1).saturating_sub(t.elapsed()));
            }
        }));
    }

    // 10 open event streams, each timing every record's arrival.
    let latencies: Arc<Mutex<Vec<f64>>> = Arc::default();
    let received: Arc<Mutex<HashMap<usize, usize>>> = Arc::default();
    for s in 0..STREAMS {
        let cookie = sign_in(&base);
        let base = base.clone();
        let latencies = latencies.clone();
        let received = received.clone();
        std::thread::spawn(move || {
            let r = agent()
                .get(format!("{base}/events"))
                .header("Cookie", format!("bg_session={cookie}"))
                .call()
                .unwrap();
            let mut event = String::new();
            for line in BufReader::new(r.into_body().into_reader()).lines() {
                let Ok(line) = line else { return };
                if let Some(e) = line
                    .strip_prefix("event: ")
                    .or_else(|| line.strip_prefix("event:"))
                {
                    event = e.trim().to_owned();
                } else if let Some(data) = line
                    .strip_prefix("data: ")
                    .or_else(|| line.strip_prefix("data:"))
                {
                    if event == "record" {
                        let v: serde_json::Value = serde_json::from_str(data).unwrap();
                        if v["kind"] == "decision" {
                            let lag = (now_ms() - v["at_ms"].as_i64().unwrap()) as f64;
                            latencies.lock().unwrap().push(lag);
                            *received.lock().unwrap().entry(s).or_default() += 1;
                        }
                    }
                }
            }
        });
    }
    eprintln!("20 kiosks deciding once a second, {STREAMS} event streams open; warming up 10 s");
    std::thread::sleep(Duration::from_secs(10));
    latencies.lock().unwrap().clear();
    received.lock().unwrap().clear();
    let log = pg.log_path();
    let (_, hub_from) = statements(&log, 0, "badgegate-dashboard-hub");
    let hub_started = Instant::now();

    // Page loads over HTTP, one page at a time, statements counted.
    let cookie = sign_in(&base);
    let pages = ["/gates", "/live", "/alarms", "/muster", "/badge/B-007"];
    let mut report = Vec::new();
    for page in pages {
        let mut times = Vec::new();
        let mut counts = Vec::new();
        for _ in 0..20 {
            std::thread::sleep(Duration::from_millis(150));
            let (_, from) = statements(&log, 0, "badgegate-dashboard");
            let t = Instant::now();
            let mut r = agent()
                .get(format!("{base}{page}"))
                .header("Cookie", format!("bg_session={cookie}"))
                .call()
                .unwrap();
            let body = r.body_mut().read_to_string().unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(r.status(), 200, "{page}: {body}");
            std::thread::sleep(Duration::from_millis(150));
            counts.push(statements(&log, from, "badgegate-dashboard").0);
        }
        counts.sort();
        report.push(format!(
            "  {page:<13} HTTP p50 {:>6.1} ms  p95 {:>6.1} ms   statements {}",
            percentile(&mut times.clone(), 0.5),
            percentile(&mut times, 0.95),
            if counts[0] == counts[counts.len() - 1] {
                counts[0].to_string()
            } else {
                format!("{}-{}", counts[0], counts[counts.len() - 1])
            }
        ));
    }

    // The same pages in a real browser.
    let mut browser_lines = Vec::new();
    if let Some(b) = common::browser::Browser::start() {
        b.goto(&format!("{base}/login"));
        b.type_into("#user", "bench");
        b.type_into("#password", "bench passphrase");
        b.click("#sign-in");
        for page in pages {
            let mut times = Vec::new();
            for _ in 0..10 {
                b.goto(&format!("{base}{page}"));
                let v = b.run(
                    "return performance.getEntriesByType('navigation')[0].duration",
                    serde_json::json!([]),
                );
                times.push(v.as_f64().unwrap_or(f64::NAN));
            }
            browser_lines.push(format!(
                "  {page:<13} Chromium load p50 {:>6.1} ms  p95 {:>6.1} ms",
                percentile(&mut times.clone(), 0.5),
                percentile(&mut times, 0.95)
            ));
        }
    }

    let rest = Duration::from_secs(seconds).saturating_sub(hub_started.elapsed());
    std::thread::sleep(rest);
    let (hub_statements, _) = statements(&log, hub_from, "badgegate-dashboard-hub");
    let hub_secs = hub_started.elapsed().as_secs_f64();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let rss = vm(server_pid, "VmRSS:");
    let peak = vm(server_pid, "VmHWM:");
    let mut lat = latencies.lock().unwrap().clone();
    let per_stream: Vec<usize> = received.lock().unwrap().values().copied().collect();
    let n = lat.len();

    println!("office dashboard, {KIOSKS} kiosks x 1 decision/s, {STREAMS} event streams, {bulk} earlier records, {hub_secs:.0} s measured:");
    println!(
        "  event stream: {n} arrivals ({} to {} a stream); decision to stream p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        per_stream.iter().min().unwrap_or(&0),
        per_stream.iter().max().unwrap_or(&0),
        percentile(&mut lat.clone(), 0.5),
        percentile(&mut lat.clone(), 0.95),
        percentile(&mut lat, 1.0)
    );
    for l in report.iter().chain(browser_lines.iter()) {
        println!("{l}");
    }
    println!(
        "  hub: {:.1} statements a second for all pages together",
        hub_statements as f64 / hub_secs
    );
    println!(
        "  dashboard memory: RSS {} MiB, peak {} MiB",
        rss / 1024,
        peak / 1024
    );
    // The dashboard's slowest statements (30 ms or more), by the server's
    // log: each duration line after its process's statement line.
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let mut last: HashMap<String, String> = HashMap::new();
    let mut slow: Vec<(f64, String, String)> = Vec::new();
    for l in text
        .lines()
        .filter(|l| l.starts_with("badgegate-dashboard"))
    {
        let mut parts = l.splitn(3, '|');
        let (app, pid, rest) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        if let Some(d) = rest.split("duration: ").nth(1) {
            let ms: f64 = d
                .split(' ')
                .next()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0.0);
            let stmt = last.get(pid).cloned().unwrap_or_default();
            slow.push((ms, app.to_owned(), stmt));
        } else if rest.contains("statement: ") || rest.contains("execute ") {
            last.insert(
                pid.to_owned(),
                rest.split(": ")
                    .skip(2)
                    .collect::<Vec<_>>()
                    .join(": ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
    }
    slow.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("  statements of 30 ms or more: {}", slow.len());
    let mut shown = std::collections::HashSet::new();
    for (ms, app, stmt) in &slow {
        let key: String = stmt.chars().take(90).collect();
        if shown.insert(key.clone()) && shown.len() <= 6 {
            println!("    {ms:.0} ms {app}: {key}");
        }
    }
    let _ = server.kill();
    let _ = server.wait();
    for mut k in kiosks {
        let _ = k.kill();
        let _ = k.wait();
    }
    for f in feeders {
        let _ = f.join();
    }
}
