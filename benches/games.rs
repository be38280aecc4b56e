//! `cargo bench --bench games --features rehearse`: a simulated games on
//! one machine. The centre and every venue are real PostgreSQL servers
//! (`wal_level = logical`, `fsync = off`, joined by `central::add_venue`
//! exactly as `central add-venue` does); each gate is the kiosk engine
//! (`Kiosk::scan`: decide, journal in its own SQLite file) and the
//! library's push client (`link::start_pusher`, the thread a kiosk
//! process runs), in threads of this process — not 480 kiosk processes.
//!
//! Arrivals follow a morning peak (the rate rises to its top halfway
//! through `GAMES_PEAK_SECS` and falls back), spread over every gate. Then
//! a 2 % revocation list of the badges is published at the centre and
//! timed to every gate; then venue 0 is cut off from the centre for
//! `GAMES_CUT_SECS` while its gates keep deciding, and its catch-up timed.
//!
//! Sizes: `GAMES_VENUES` (40), `GAMES_GATES` (12 a venue), `GAMES_BADGES`
//! (300,000), `GAMES_ARRIVALS` (100,000), `GAMES_PEAK_SECS` (300),
//! `GAMES_CUT_SECS` (600). Each gate's journal watches its folder (one
//! inotify instance): 480 gates in one process need
//! `sysctl fs.inotify.max_user_instances=1024` or more (Linux's default is 128).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use badgegate::format::badge::{Badge, SignedBadge};
use badgegate::format::keys::{SecretKey, TrustStore};
use badgegate::format::revocation::RevocationList;
use badgegate::gate::decide::AntiPassback;
use badgegate::gate::engine::{Kiosk, KioskConfig};
use badgegate::gate::lists::RevocationSet;
use badgegate::journal::Journal;
use badgegate::net::link::{self, LinkConfig};
use badgegate::office::{admin, central};
use badgegate::rehearse::pg::Postgres;
use badgegate::rehearse::proxy::{Link, Proxy};
use badgegate::vocab::{Direction, ListKind};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn now_ms() -> u64 {
    badgegate::clock::now_ms()
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

/// Proportional memory (PSS: shared pages divided among their sharers) of
/// the processes whose command line contains `needle`, kB.
fn rss_of(needle: &str) -> (u64, usize) {
    let mut total = 0;
    let mut n = 0;
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let p = e.path();
        let Ok(cmd) = std::fs::read(p.join("cmdline")) else {
            continue;
        };
        if !String::from_utf8_lossy(&cmd).contains(needle) {
            continue;
        }
        if let Ok(s) = std::fs::read_to_string(p.join("smaps_rollup")) {
            if let Some(kb) = s
                .lines()
                .find_map(|l| l.strip_prefix("Pss:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
            {
                total += kb;
                n += 1;
            }
        }
    }
    (total, n)
}

fn self_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

struct Gate {
    venue: usize,
    lists_dir: PathBuf,
    tx: mpsc::Sender<String>,
}

fn count(db: &mut postgres::Client, sql: &str) -> i64 {
    db.query_one(sql, &[]).map(|r| r.get(0)).unwrap_or(-1)
}

fn main() {
    let venues = env("GAMES_VENUES", 40) as usize;
    let per_venue = env("GAMES_GATES", 12) as usize;
    let badges = env("GAMES_BADGES", 300_000) as usize;
    let arrivals = env("GAMES_ARRIVALS", 100_000) as usize;
    let peak = env("GAMES_PEAK_SECS", 300);
    let cut = env("GAMES_CUT_SECS", 600);
    let dir = tempfile::Builder::new()
        .prefix("bg-games-")
        .tempdir()
        .unwrap();
    let root = dir.path();
    println!(
        "games: {venues} venues x {per_venue} gates, {badges} badges, {arrivals} arrivals over a {peak} s morning peak, venue 0 cut off {cut} s"
    );

    // The servers.
    let t = Instant::now();
    let centre_opts = format!(
        "-c wal_level=logical -c max_logical_replication_workers={} -c max_worker_processes={} \
         -c max_replication_slots={} -c max_wal_senders={} -c wal_retrieve_retry_interval=200ms -c shared_buffers=64MB",
        venues + 8,
        venues + 16,
        venues + 8,
        venues + 8
    );
    let venue_opts = "-c wal_level=logical -c max_replication_slots=8 -c max_wal_senders=8 \
                      -c wal_retrieve_retry_interval=200ms -c shared_buffers=16MB";
    let centre = Postgres::start_with(&root.join("centre"), &centre_opts).unwrap();
    let pgs: Vec<Postgres> = (0..venues)
        .map(|v| Postgres::start_with(&root.join(format!("venue-{v:02}")), venue_opts).unwrap())
        .collect();
    // One password file for all (kiosks' connection files carry their own).
    let passfile = root.join("all.pgpass");
    let mut all = std::fs::read_to_string(centre.passfile()).unwrap();
    for p in &pgs {
        all.push_str(
            &std::fs::read_to_string(p.passfile())
                .unwrap()
                .replace("127.0.0.1:*:*:", &format!("127.0.0.1:{}:*:", p.port)),
        );
    }
    let all = all.replacen(
        "127.0.0.1:*:*:",
        &format!("127.0.0.1:{}:*:", centre.port),
        1,
    );
    std::fs::write(&passfile, all).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::env::set_var("PGPASSFILE", &passfile);
    println!(
        "{} servers started in {:.0} s",
        venues + 1,
        t.elapsed().as_secs_f64()
    );

    // The centre, the venues and their kiosks; venue 0 through proxies.
    let t = Instant::now();
    let mut c = centre.connect().unwrap();
    central::init(&mut c).unwrap();
    let to_centre = Proxy::start(centre.port).unwrap();
    let to_v0 = Proxy::start(pgs[0].port).unwrap();
    let key = SecretKey::from_seed(&[7; 32]);
    let trust = TrustStore::from_keys(&[key.public()], &[]);
    let mut gates: Vec<Gate> = Vec::new();
    let mut workers = Vec::new();
    let decided = Arc::new(AtomicU64::new(0));
    for (v, pg) in pgs.iter().enumerate() {
        let name = format!("v{v:02}");
        let mut db = pg.connect().unwrap();
        admin::init(&mut db).unwrap();
        central::name_venue(&mut db, &name).unwrap();
        let (centre_url, venue_url) = if v == 0 {
            (
                format!(
                    "postgresql://postgres@127.0.0.1:{}/postgres",
                    to_centre.port
                ),
                format!("postgresql://postgres@127.0.0.1:{}/postgres", to_v0.port),
            )
        } else {
            (centre.admin_url(), pg.admin_url())
        };
        for g in 0..per_venue {
            let id = format!("{name}-g{g:02}");
            let file = root.join(format!("{id}.office"));
            admin::add_kiosk(&mut db, &pg.admin_url(), &id, None, &file).unwrap();
            let journal_path = root.join(format!("{id}.db"));
            let cache = link::cache_dir(&journal_path);
            let lists_dir = cache.join("lists");
            std::fs::create_dir_all(&lists_dir).unwrap();
            let journal = Journal::open(&journal_path, Some(&id), &id).unwrap();
            let cfg = KioskConfig {
                gate: id.clone(),
                zone: Some("plenary".into()),
                direction: Direction::In,
                anti_passback: AntiPassback::Off,
                skew_secs: 120,
                cooldown_ms: 0,
                confirm_categories: Vec::new(),
                guard_present: false,
                staff_categories: Vec::new(),
                photos: None,
                venue: Some(name.clone()),
            };
            let mut kiosk =
                Kiosk::start(cfg, trust.clone(), RevocationSet::new(), journal, now_ms()).unwrap();
            link::start_pusher(LinkConfig {
                url: badgegate::net::connect::read_connection_file(&file).unwrap(),
                journal: journal_path,
                kiosk_id: id,
                lists_dir: lists_dir.clone(),
                policy_file: cache.join("policy.txt"),
                keys_file: cache.join("keys.txt"),
                photos_dir: None,
                trust: trust.clone(),
                notices: badgegate::notice::Notices::silent(),
                clock: Box::new(now_ms),
            });
            let (tx, rx) = mpsc::channel::<String>();
            let done = Arc::clone(&decided);
            workers.push(std::thread::spawn(move || {
                for text in rx {
                    let _ = kiosk.scan(text.as_bytes(), "bench", now_ms());
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }));
            gates.push(Gate {
                venue: v,
                lists_dir,
                tx,
            });
        }
        central::add_venue(&mut c, &centre_url, &mut db, &venue_url).unwrap();
    }
    println!(
        "centre, {venues} venues and {} gates joined in {:.0} s",
        gates.len(),
        t.elapsed().as_secs_f64()
    );
    std::thread::sleep(Duration::from_secs(3));

    // The badges of the arrivals.
    let t = Instant::now();
    // Badge times are whole minutes.
    let base = badgegate::clock::now() / 60 * 60;
    let texts: Vec<String> = (0..arrivals)
        .map(|i| {
            SignedBadge::sign(
                Badge {
                    key_id: key.key_id(),
                    serial: format!("G-{i:06}"),
                    name: format!("Athlete {i}"),
                    org: "Team".into(),
                    category: "athlete".into(),
                    zones: vec!["plenary".into()],
                    valid_from: base - 3600,
                    valid_until: base + 86_400,
                    issued_at: base - 7200,
                    photo: None,
                },
                &key,
            )
            .unwrap()
            .text()
            .to_owned()
        })
        .collect();
    println!(
        "{arrivals} badges signed in {:.0} s",
        t.elapsed().as_secs_f64()
    );

    // The morning peak, with the centre watched every second.
    let watching = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let centre_url = centre.admin_url();
    let watch = {
        let watching = Arc::clone(&watching);
        let centre_pw = std::fs::read_to_string(centre.passfile()).unwrap();
        let password = centre_pw.trim().rsplit(':').next().unwrap().to_owned();
        let port = centre.port;
        std::thread::spawn(move || {
            let mut db = postgres::Client::connect(
                &format!(
                    "host=127.0.0.1 port={port} user=postgres password={password} dbname=postgres"
                ),
                postgres::NoTls,
            )
            .unwrap();
            let mut lags = Vec::new();
            let mut counts = Vec::new();
            while watching.load(Ordering::Relaxed) {
                let t = Instant::now();
                for r in db
                    .query(
                        "SELECT (extract(epoch FROM last_msg_receipt_time - last_msg_send_time) * 1000)::float8
                         FROM pg_stat_subscription WHERE relid IS NULL AND last_msg_send_time IS NOT NULL",
                        &[],
                    )
                    .unwrap_or_default()
                {
                    lags.push(r.get::<_, f64>(0));
                }
                counts.push((
                    Instant::now(),
                    count(&mut db, "SELECT count(*) FROM badgegate.records"),
                ));
                std::thread::sleep(Duration::from_secs(1).saturating_sub(t.elapsed()));
            }
            (lags, counts)
        })
    };
    let _ = centre_url;
    let t0 = Instant::now();
    let peak_rate = 2.0 * arrivals as f64 / peak as f64;
    let mut sent = 0usize;
    let mut next_gate = 0usize;
    while sent < arrivals {
        let s = t0.elapsed().as_secs_f64();
        // Arrivals due by now: the integral of the triangular rate.
        let half = peak as f64 / 2.0;
        let due = if s <= half {
            peak_rate * s * s / (2.0 * half)
        } else if s < peak as f64 {
            arrivals as f64 - peak_rate * (peak as f64 - s).powi(2) / (2.0 * half)
        } else {
            arrivals as f64
        };
        while (sent as f64) < due && sent < arrivals {
            let _ = gates[next_gate % gates.len()].tx.send(texts[sent].clone());
            next_gate += 1;
            sent += 1;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // Every decision made and at the centre.
    let mut v_dbs: Vec<postgres::Client> = pgs.iter().map(|p| p.connect().unwrap()).collect();
    let total_at_venues = |dbs: &mut [postgres::Client]| -> i64 {
        dbs.iter_mut()
            .map(|d| count(d, "SELECT count(*) FROM badgegate.records"))
            .sum()
    };
    while decided.load(Ordering::Relaxed) < arrivals as u64 {
        std::thread::sleep(Duration::from_millis(100));
    }
    let decided_in = t0.elapsed().as_secs_f64();
    loop {
        let at_venues = total_at_venues(&mut v_dbs);
        let at_centre = count(&mut c, "SELECT count(*) FROM badgegate.records");
        if at_centre >= at_venues && at_venues >= arrivals as i64 {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let settled_in = t0.elapsed().as_secs_f64();
    watching.store(false, Ordering::Relaxed);
    let (mut lags, counts) = watch.join().unwrap();
    let mut rates: Vec<f64> = counts
        .windows(2)
        .map(|w| (w[1].1 - w[0].1) as f64 / (w[1].0 - w[0].0).as_secs_f64())
        .collect();
    let total_centre = count(&mut c, "SELECT count(*) FROM badgegate.records");
    println!(
        "peak: {arrivals} decided by {decided_in:.0} s (top offered rate {peak_rate:.0}/s), all {total_centre} records at the centre by {settled_in:.0} s; central ingest {:.0} records/s on average, {:.0}/s at its best second",
        total_centre as f64 / settled_in,
        pct(&mut rates, 1.0)
    );
    println!(
        "replication lag (a venue's last message, sent to received at the centre, sampled each second): p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms over {} samples",
        pct(&mut lags, 0.5),
        pct(&mut lags, 0.95),
        pct(&mut lags, 1.0),
        lags.len()
    );

    // A revocation of 2 % of the badges, published at the centre.
    let serials: Vec<String> = (0..badges)
        .step_by(50)
        .map(|i| format!("G-{i:06}"))
        .collect();
    let mut list = RevocationList::empty(key.key_id());
    let (text, _) = list
        .add_and_sign(&key, &serials, "withdrawn", badgegate::clock::now())
        .unwrap();
    let text = text.unwrap();
    let file = format!("revocations-{}.txt", key.key_id());
    let time_to_every_gate =
        |c: &mut postgres::Client, seq: u64, text: &str, only: Option<usize>| {
            let t = Instant::now();
            admin::publish(
                c,
                ListKind::Revocations,
                &key.key_id().to_string(),
                seq,
                text,
            )
            .unwrap();
            let mut took: Vec<Option<f64>> = vec![None; gates.len()];
            let want: Vec<usize> = (0..gates.len())
                .filter(|i| only.is_none_or(|v| gates[*i].venue == v))
                .collect();
            while want.iter().any(|i| took[*i].is_none()) && t.elapsed() < Duration::from_secs(120)
            {
                for i in &want {
                    if took[*i].is_none() {
                        let p: &Path = &gates[*i].lists_dir.join(&file);
                        let has = std::fs::read_to_string(p)
                            .ok()
                            .is_some_and(|s| s.contains(&format!("\nsequence: {seq}\n")));
                        if has {
                            took[*i] = Some(t.elapsed().as_secs_f64() * 1e3);
                        }
                    }
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            let missing = want.iter().filter(|i| took[**i].is_none()).count();
            let mut ms: Vec<f64> = took.into_iter().flatten().collect();
            (
                ms.len(),
                missing,
                pct(&mut ms, 0.5),
                pct(&mut ms, 0.95),
                pct(&mut ms, 1.0),
            )
        };
    let (n, missing, p50, p95, max) = time_to_every_gate(&mut c, 1, &text, None);
    println!(
        "revocation list of {} serials ({} bytes) from the centre to {n} gates ({missing} not within 120 s): p50 {p50:.0} ms, p95 {p95:.0} ms, max {max:.0} ms",
        serials.len(),
        text.len()
    );

    // Venue 0 cut off from the centre; its gates keep deciding.
    let v0_gates: Vec<usize> = (0..gates.len()).filter(|i| gates[*i].venue == 0).collect();
    to_centre.set(Link::Refuse);
    to_v0.set(Link::Refuse);
    let cut_start = Instant::now();
    let mut extra = arrivals;
    let mut published_during = false;
    let mut text2 = String::new();
    while cut_start.elapsed() < Duration::from_secs(cut) {
        for i in &v0_gates {
            let b = SignedBadge::sign(
                Badge {
                    key_id: key.key_id(),
                    serial: format!("C-{extra:06}"),
                    name: "Late arrival".into(),
                    org: String::new(),
                    category: "athlete".into(),
                    zones: vec!["plenary".into()],
                    valid_from: base - 3600,
                    valid_until: base + 86_400,
                    issued_at: base - 7200,
                    photo: None,
                },
                &key,
            )
            .unwrap();
            let _ = gates[*i].tx.send(b.text().to_owned());
            extra += 1;
        }
        if !published_during && cut_start.elapsed() > Duration::from_secs(cut / 2) {
            // A revocation published while the venue is cut off.
            let (t2, _) = list
                .add_and_sign(
                    &key,
                    &["C-999999".into()],
                    "stolen",
                    badgegate::clock::now(),
                )
                .unwrap();
            text2 = t2.unwrap();
            admin::publish(
                &mut c,
                ListKind::Revocations,
                &key.key_id().to_string(),
                2,
                &text2,
            )
            .unwrap();
            published_during = true;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let during = extra - arrivals;
    while decided.load(Ordering::Relaxed) < extra as u64 {
        std::thread::sleep(Duration::from_millis(50));
    }
    let v0_count = count(&mut v_dbs[0], "SELECT count(*) FROM badgegate.records");
    let behind = v0_count
        - count(
            &mut c,
            "SELECT count(*) FROM badgegate.records WHERE kiosk_id LIKE 'v00-%'",
        );
    to_centre.set(Link::Open);
    to_v0.set(Link::Open);
    let healed = Instant::now();
    let mut records_back = None;
    let mut list_back: Vec<Option<f64>> = vec![None; v0_gates.len()];
    while (records_back.is_none() || list_back.iter().any(Option::is_none))
        && healed.elapsed() < Duration::from_secs(120)
    {
        if records_back.is_none()
            && count(
                &mut c,
                "SELECT count(*) FROM badgegate.records WHERE kiosk_id LIKE 'v00-%'",
            ) >= v0_count
        {
            records_back = Some(healed.elapsed().as_secs_f64());
        }
        for (k, i) in v0_gates.iter().enumerate() {
            if list_back[k].is_none()
                && std::fs::read_to_string(gates[*i].lists_dir.join(&file))
                    .ok()
                    .is_some_and(|s| s.contains("\nsequence: 2\n"))
            {
                list_back[k] = Some(healed.elapsed().as_secs_f64());
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let dupes = count(
        &mut c,
        "SELECT count(*) - count(DISTINCT (kiosk_id, seq)) FROM badgegate.records",
    );
    println!(
        "venue 0 cut off {cut} s: its {} gates decided {during} more; {behind} records behind at the centre, all there {:.1} s after reconnecting ({} duplicated); the revocation published meanwhile reached its gates {:.1} s after (slowest)",
        v0_gates.len(),
        records_back.unwrap_or(f64::NAN),
        dupes,
        list_back.iter().flatten().cloned().fold(f64::NAN, f64::max)
    );

    // Sizes and memory.
    let (bytes, rows): (i64, i64) = c
        .query_one(
            "SELECT pg_total_relation_size('badgegate.records'), count(*) FROM badgegate.records",
            &[],
        )
        .map(|r| (r.get(0), r.get(1)))
        .unwrap();
    println!(
        "centre database: records table {:.1} MB for {rows} records: {:.0} MB per million records",
        bytes as f64 / 1e6,
        bytes as f64 / rows as f64 * 1e6 / 1e6
    );
    let (pg_kb, pg_procs) = rss_of("postgres");
    println!(
        "memory (PSS): PostgreSQL {} MB in {pg_procs} processes ({:.0} MB per server, {} servers); this process (every gate's engine and push client, {} gates) {} MB ({:.1} MB per gate)",
        pg_kb / 1024,
        pg_kb as f64 / 1024.0 / (venues + 1) as f64,
        venues + 1,
        gates.len(),
        self_rss_kb() / 1024,
        self_rss_kb() as f64 / 1024.0 / gates.len() as f64
    );
    let _ = text2;
    drop(gates);
    // Every server stopped and its folder removed before leaving (the
    // push clients' threads are simply ended with the process).
    drop(v_dbs);
    drop(c);
    drop(pgs);
    drop(centre);
    drop(dir);
    std::process::exit(0);
}
