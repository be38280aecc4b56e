//! A venue office that survives losing its server, on one machine: etcd
//! and PostgreSQL servers managed by Patroni (streaming replication,
//! `synchronous_mode`), each on its own loopback ports, started the way
//! `docs/venue-ha.md` lays out the three machines, and stopped when
//! dropped. The tests, the failover benchmark and the demo script use it.
//!
//! Patroni's timings are shortened (`ttl` 10 s, `loop_wait` 2 s,
//! `retry_timeout` 3 s) so a failover takes seconds, not half a minute;
//! the docs say what that costs.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::pg::{bin_dir, free_port};
use crate::RehearseError;

/// One PostgreSQL server and the Patroni that manages it.
pub struct Member {
    pub name: String,
    /// PostgreSQL's port on 127.0.0.1.
    pub port: u16,
    /// Patroni's REST API port on 127.0.0.1.
    pub rest_port: u16,
    dir: PathBuf,
    config: PathBuf,
    patroni: Option<Child>,
}

impl Member {
    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The postmaster's process id, from its pid file.
    pub fn postmaster_pid(&self) -> Option<i32> {
        let text = std::fs::read_to_string(self.data().join("postmaster.pid")).ok()?;
        text.lines().next()?.trim().parse().ok()
    }
}

/// etcd and the PostgreSQL servers of one venue office.
pub struct Cluster {
    dir: PathBuf,
    etcd: Option<Child>,
    pub etcd_port: u16,
    pub members: Vec<Member>,
    password: String,
    passfile: PathBuf,
    as_postgres: bool,
}

/// What this machine lacks to run a cluster, if anything.
pub fn missing() -> Option<String> {
    let on_path = |tool: &str| {
        std::env::var_os("PATH")
            .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join(tool).is_file()))
    };
    let mut lacking = Vec::new();
    for tool in ["patroni", "patronictl", "etcd"] {
        if !on_path(tool) {
            lacking.push(tool);
        }
    }
    if bin_dir().is_none() {
        lacking.push("postgresql");
    }
    (!lacking.is_empty()).then(|| {
        format!(
            "{} not installed (Debian: apt install patroni etcd-server postgresql)",
            lacking.join(", ")
        )
    })
}

impl Cluster {
    /// Starts etcd and `members` PostgreSQL servers under Patroni in
    /// `dir` (made), and waits until one is the primary and, with two or
    /// more, another is its synchronous standby.
    pub fn start(dir: &Path, members: usize) -> Result<Cluster, RehearseError> {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos() as u64
            ^ u64::from(std::process::id());
        Cluster::start_with(dir, members, &format!("venue-{seed:016x}"))
    }

    /// [`Self::start`] with the superuser's (and replication's) password.
    pub fn start_with(
        dir: &Path,
        members: usize,
        password: &str,
    ) -> Result<Cluster, RehearseError> {
        Cluster::start_tls(dir, members, password, None)
    }

    /// [`Self::start_with`], each server speaking TLS with the certificate
    /// and key in `tls` (`server.pem`, `server.key`).
    pub fn start_tls(
        dir: &Path,
        members: usize,
        password: &str,
        tls: Option<&Path>,
    ) -> Result<Cluster, RehearseError> {
        if let Some(why) = missing() {
            return Err(RehearseError::Setup(why));
        }
        let bin = server_bin_dir().ok_or_else(|| RehearseError::Setup("no PostgreSQL".into()))?;
        std::fs::create_dir_all(dir)?;
        use std::os::unix::fs::PermissionsExt;
        // The servers run as the postgres user: it must reach its folders.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755))?;
        // SAFETY: geteuid has no preconditions.
        let as_postgres = unsafe { libc::geteuid() } == 0;
        let password = password.to_owned();
        let passfile = dir.join("admin.pgpass");
        std::fs::write(&passfile, format!("127.0.0.1:*:*:postgres:{password}\n"))?;
        std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o600))?;

        let etcd_port = free_port()?;
        let peer_port = free_port()?;
        let etcd_log = std::fs::File::create(dir.join("etcd.log"))?;
        let etcd = Command::new("etcd")
            .args([
                "--name",
                "e1",
                "--data-dir",
                &dir.join("etcd").display().to_string(),
                "--listen-client-urls",
                &format!("http://127.0.0.1:{etcd_port}"),
                "--advertise-client-urls",
                &format!("http://127.0.0.1:{etcd_port}"),
                "--listen-peer-urls",
                &format!("http://127.0.0.1:{peer_port}"),
                "--initial-advertise-peer-urls",
                &format!("http://127.0.0.1:{peer_port}"),
                "--initial-cluster",
                &format!("e1=http://127.0.0.1:{peer_port}"),
            ])
            .stdin(Stdio::null())
            .stdout(etcd_log.try_clone()?)
            .stderr(etcd_log)
            .spawn()
            .map_err(|e| RehearseError::Setup(format!("cannot start etcd: {e}")))?;
        let mut cluster = Cluster {
            dir: dir.to_owned(),
            etcd: Some(etcd),
            etcd_port,
            members: Vec::new(),
            password: password.clone(),
            passfile,
            as_postgres,
        };
        wait_for(Duration::from_secs(20), "etcd to answer", || {
            http_get(etcd_port, "/health").is_some_and(|(code, _)| code == 200)
        })?;
        for i in 1..=members {
            let name = format!("pg{i}");
            let mdir = dir.join(&name);
            std::fs::create_dir_all(&mdir)?;
            let port = free_port()?;
            let rest_port = free_port()?;
            let config = mdir.join("patroni.yml");
            let mut text = patroni_config(&PatroniSetup {
                name: &name,
                dir: &mdir,
                bin: &bin,
                port,
                rest_port,
                etcd_port,
                password: &password,
            });
            if let Some(tls) = tls {
                for f in ["server.pem", "server.key"] {
                    std::fs::copy(tls.join(f), mdir.join(f))?;
                }
                std::fs::set_permissions(
                    mdir.join("server.key"),
                    std::fs::Permissions::from_mode(0o600),
                )?;
                let socket = format!("    unix_socket_directories: {}\n", mdir.display());
                text = text.replace(
                    &socket,
                    &format!(
                        "{socket}    ssl: \"on\"\n    ssl_cert_file: {}\n    ssl_key_file: {}\n",
                        mdir.join("server.pem").display(),
                        mdir.join("server.key").display()
                    ),
                );
            }
            std::fs::write(&config, text)?;
            if as_postgres {
                chown_postgres(&mdir)?;
            }
            cluster.members.push(Member {
                name,
                port,
                rest_port,
                dir: mdir,
                config,
                patroni: None,
            });
            let last = cluster.members.len() - 1;
            cluster.start_member(last)?;
            if i == 1 {
                // The first bootstraps the venue: wait for it to lead, so
                // the others join as its standbys.
                wait_for(Duration::from_secs(60), "the first server to lead", || {
                    cluster.primary() == Some(0)
                })
                .map_err(|e| cluster.with_log(e, 0))?;
            }
        }
        if members > 1 {
            cluster
                .wait_synchronous(Duration::from_secs(90))
                .map_err(|e| cluster.with_log(e, members - 1))?;
        }
        Ok(cluster)
    }

    /// Starts (again) member `i`'s Patroni, which starts its PostgreSQL.
    pub fn start_member(&mut self, i: usize) -> Result<(), RehearseError> {
        let m = &self.members[i];
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(m.dir.join("patroni.log"))?;
        let mut cmd = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--", "patroni"]);
            c
        } else {
            Command::new("patroni")
        };
        let child = cmd
            .arg(&m.config)
            .current_dir(&m.dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .map_err(|e| RehearseError::Setup(format!("cannot start patroni: {e}")))?;
        self.members[i].patroni = Some(child);
        Ok(())
    }

    /// The member that is primary now, by Patroni's REST API.
    pub fn primary(&self) -> Option<usize> {
        self.members
            .iter()
            .position(|m| http_get(m.rest_port, "/primary").is_some_and(|(c, _)| c == 200))
    }

    /// The member that is the primary's synchronous standby now.
    pub fn synchronous_standby(&self) -> Option<usize> {
        self.members
            .iter()
            .position(|m| http_get(m.rest_port, "/sync").is_some_and(|(c, _)| c == 200))
    }

    /// Waits until there is a primary and a synchronous standby.
    pub fn wait_synchronous(&self, within: Duration) -> Result<(usize, usize), RehearseError> {
        let mut found = None;
        wait_for(within, "a primary and its synchronous standby", || {
            found = self.primary().zip(self.synchronous_standby());
            found.is_some()
        })?;
        found.ok_or_else(|| RehearseError::Setup("no synchronous standby".into()))
    }

    /// Waits until a member other than `old` is primary; which.
    pub fn wait_new_primary(&self, old: usize, within: Duration) -> Result<usize, RehearseError> {
        let mut found = None;
        wait_for(within, "a new primary", || {
            found = self.primary().filter(|p| *p != old);
            found.is_some()
        })?;
        found.ok_or_else(|| RehearseError::Setup("no new primary".into()))
    }

    /// Loses member `i`'s machine: Patroni and PostgreSQL killed at once
    /// (SIGKILL), as a power cut would.
    pub fn kill_member(&mut self, i: usize) {
        let pid = self.members[i].postmaster_pid();
        if let Some(mut p) = self.members[i].patroni.take() {
            let _ = p.kill();
            let _ = p.wait();
        }
        // runuser's child: Patroni itself, then the postmaster and its
        // children (each in its own session).
        kill_matching(&self.members[i].config.display().to_string());
        if let Some(pid) = pid {
            kill9(pid);
        }
        let data = self.members[i].data().display().to_string();
        kill_matching(&data);
    }

    /// Kills only member `i`'s postmaster (SIGKILL); its Patroni stays.
    pub fn kill_postmaster(&self, i: usize) -> Option<i32> {
        let pid = self.members[i].postmaster_pid()?;
        kill9(pid);
        Some(pid)
    }

    /// A planned switchover to `candidate` (`patronictl switchover`).
    pub fn switchover(&self, candidate: usize) -> Result<(), RehearseError> {
        let leader = self
            .primary()
            .ok_or_else(|| RehearseError::Setup("no primary to switch from".into()))?;
        let out = Command::new("patronictl")
            .arg("-c")
            .arg(&self.members[leader].config)
            .args([
                "switchover",
                "--leader",
                &self.members[leader].name,
                "--candidate",
                &self.members[candidate].name,
                "--force",
            ])
            .stdin(Stdio::null())
            .output()?;
        if !out.status.success() {
            return Err(RehearseError::Setup(format!(
                "patronictl switchover: {}{}",
                String::from_utf8_lossy(&out.stdout).trim(),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(())
    }

    /// The admin's connection URL: every member, the writable one chosen
    /// (its password is in [`Self::passfile`]).
    pub fn admin_url(&self) -> String {
        let hosts: Vec<String> = self
            .members
            .iter()
            .map(|m| format!("127.0.0.1:{}", m.port))
            .collect();
        format!(
            "postgresql://postgres@{}/postgres?target_session_attrs=read-write",
            hosts.join(",")
        )
    }

    /// The password file for [`Self::admin_url`] (`PGPASSFILE`).
    pub fn passfile(&self) -> &Path {
        &self.passfile
    }

    /// A connection as the admin to member `i` itself (primary or not).
    pub fn connect_member(&self, i: usize) -> Result<postgres::Client, RehearseError> {
        postgres::Client::connect(
            &format!(
                "host=127.0.0.1 port={} user=postgres password={} dbname=postgres connect_timeout=5",
                self.members[i].port, self.password
            ),
            postgres::NoTls,
        )
        .map_err(|e| RehearseError::Check(format!("member {}: {e}", self.members[i].name)))
    }

    /// `e`, with the last lines of member `i`'s Patroni log.
    fn with_log(&self, e: RehearseError, i: usize) -> RehearseError {
        let log =
            std::fs::read_to_string(self.members[i].dir.join("patroni.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        RehearseError::Setup(format!(
            "{e}; {}'s Patroni log ends: {}",
            self.members[i].name,
            lines[lines.len().saturating_sub(8)..].join(" | ")
        ))
    }

    /// The folder the cluster lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for i in 0..self.members.len() {
            self.kill_member(i);
        }
        if let Some(mut e) = self.etcd.take() {
            let _ = e.kill();
            let _ = e.wait();
        }
    }
}

/// The folder of PostgreSQL's own programs (Patroni runs `pg_controldata`,
/// `pg_rewind`, `pg_basebackup` from it): where `initdb` really is, links
/// followed.
fn server_bin_dir() -> Option<PathBuf> {
    let dir = bin_dir()?;
    let initdb = std::fs::canonicalize(dir.join("initdb")).ok()?;
    let real = initdb.parent()?.to_owned();
    real.join("pg_controldata").is_file().then_some(real)
}

struct PatroniSetup<'a> {
    name: &'a str,
    dir: &'a Path,
    bin: &'a Path,
    port: u16,
    rest_port: u16,
    etcd_port: u16,
    password: &'a str,
}

/// `packaging/ha/patroni.yml`: the configuration every member runs, with
/// its machine's values as `{placeholders}` (a test keeps the file equal
/// to this).
pub fn patroni_template() -> String {
    patroni_text(&[
        ("name", "{name}"),
        ("rest", "{this_machine}:8008"),
        ("etcd", "{etcd_1}:2379,{etcd_2}:2379,{etcd_3}:2379"),
        ("listen", "0.0.0.0:5432"),
        ("connect", "{this_machine}:5432"),
        ("data", "/var/lib/postgresql/15/venue"),
        ("bin", "/usr/lib/postgresql/15/bin"),
        ("dir", "/var/run/postgresql"),
        ("pw", "{password}"),
        ("net", "{office_network}"),
    ])
}

/// One member's Patroni configuration on this machine (loopback ports,
/// folders in the cluster's).
fn patroni_config(s: &PatroniSetup<'_>) -> String {
    let rest = format!("127.0.0.1:{}", s.rest_port);
    let etcd = format!("127.0.0.1:{}", s.etcd_port);
    let listen = format!("127.0.0.1:{}", s.port);
    let data = s.dir.join("data").display().to_string();
    let bin = s.bin.display().to_string();
    let dir = s.dir.display().to_string();
    patroni_text(&[
        ("name", s.name),
        ("rest", &rest),
        ("etcd", &etcd),
        ("listen", &listen),
        ("connect", &listen),
        ("data", &data),
        ("bin", &bin),
        ("dir", &dir),
        ("pw", s.password),
        ("net", "127.0.0.1/32"),
    ])
}

/// The configuration text with `values` put in.
fn patroni_text(values: &[(&str, &str)]) -> String {
    let v = |k: &str| {
        values
            .iter()
            .find(|(key, _)| *key == k)
            .map_or("", |(_, val)| *val)
    };
    format!(
        r#"scope: venue-office
name: {name}
restapi:
  listen: {rest}
  connect_address: {rest}
etcd3:
  hosts: {etcd}
bootstrap:
  dcs:
    ttl: 10
    loop_wait: 2
    retry_timeout: 3
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters:
        max_connections: 200
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_wal_senders: 10
        max_replication_slots: 10
  initdb:
    - encoding: UTF8
    - locale: C
    - auth-local: trust
    - auth-host: scram-sha-256
  pg_hba:
    - local all postgres peer
    - host replication replicator {net} scram-sha-256
    - host all all {net} scram-sha-256
postgresql:
  listen: {listen}
  connect_address: {connect}
  data_dir: {data}
  bin_dir: {bin}
  pgpass: {dir}/patroni.pgpass
  authentication:
    superuser:
      username: postgres
      password: {pw}
    replication:
      username: replicator
      password: {pw}
    rewind:
      username: postgres
      password: {pw}
  parameters:
    unix_socket_directories: {dir}
tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
"#,
        name = v("name"),
        rest = v("rest"),
        etcd = v("etcd"),
        listen = v("listen"),
        connect = v("connect"),
        data = v("data"),
        bin = v("bin"),
        dir = v("dir"),
        pw = v("pw"),
        net = v("net"),
    )
}

fn chown_postgres(dir: &Path) -> Result<(), RehearseError> {
    let ok = Command::new("chown")
        .arg("-R")
        .arg("postgres:")
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Ok(())
    } else {
        Err(RehearseError::Setup(format!(
            "cannot hand {} to the postgres user",
            dir.display()
        )))
    }
}

fn kill9(pid: i32) {
    // SAFETY: kill has no memory preconditions; a stale pid is harmless
    // here (the test machine's own throw-away processes).
    unsafe {
        libc::kill(pid, libc::SIGKILL);
    }
}

/// SIGKILLs every process whose command line contains `needle`.
fn kill_matching(needle: &str) {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        if pid == std::process::id() as i32 {
            continue;
        }
        let Ok(cmd) = std::fs::read(e.path().join("cmdline")) else {
            continue;
        };
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        if cmd.contains(needle) {
            kill9(pid);
        }
    }
}

/// A plain HTTP GET on 127.0.0.1: the status code and body.
fn http_get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_secs(2),
    )
    .ok()?;
    s.set_read_timeout(Some(Duration::from_secs(3))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let code = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
    Some((code, body))
}

fn wait_for(
    within: Duration,
    what: &str,
    mut f: impl FnMut() -> bool,
) -> Result<(), RehearseError> {
    let until = Instant::now() + within;
    while !f() {
        if Instant::now() > until {
            return Err(RehearseError::Setup(format!(
                "waited {} s for {what}",
                within.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(())
}
