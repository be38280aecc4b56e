//! The rehearsal's venue office: one throw-away PostgreSQL, or (with
//! `office_servers` of 2 or more) a Patroni cluster whose primary's machine
//! the `kill_office` event loses, so the day shows what a failover does at
//! every gate.

use std::path::Path;

use crate::ha::Cluster;
use crate::pg::Postgres;
use crate::RehearseError;

/// The office's database servers.
pub enum Office {
    Single(Postgres),
    Cluster {
        cluster: Cluster,
        /// The member whose machine was lost and is not back yet.
        lost: Option<usize>,
    },
}

impl Office {
    /// Starts `servers` servers in `dir`: one plain PostgreSQL, or a
    /// Patroni cluster.
    pub fn start(dir: &Path, servers: usize) -> Result<Office, RehearseError> {
        if servers <= 1 {
            Ok(Office::Single(Postgres::start(dir)?))
        } else {
            Ok(Office::Cluster {
                cluster: Cluster::start(dir, servers)?,
                lost: None,
            })
        }
    }

    /// The admin's connection URL (every server, the writable one chosen).
    pub fn admin_url(&self) -> String {
        match self {
            Office::Single(pg) => pg.admin_url(),
            Office::Cluster { cluster, .. } => cluster.admin_url(),
        }
    }

    /// The password file for [`Self::admin_url`].
    pub fn passfile(&self) -> &Path {
        match self {
            Office::Single(pg) => pg.passfile(),
            Office::Cluster { cluster, .. } => cluster.passfile(),
        }
    }

    /// Each server's port on 127.0.0.1.
    pub fn ports(&self) -> Vec<u16> {
        match self {
            Office::Single(pg) => vec![pg.port],
            Office::Cluster { cluster, .. } => cluster.members.iter().map(|m| m.port).collect(),
        }
    }

    /// A connection as the admin to the server in charge.
    pub fn connect(&self) -> Result<postgres::Client, RehearseError> {
        match self {
            Office::Single(pg) => pg.connect(),
            Office::Cluster { cluster, .. } => {
                let p = cluster
                    .primary()
                    .ok_or_else(|| RehearseError::Check("the office has no primary".into()))?;
                cluster.connect_member(p)
            }
        }
    }

    /// In words, for the progress lines.
    pub fn describe(&self) -> String {
        match self {
            Office::Single(pg) => format!("office on PostgreSQL, port {}", pg.port),
            Office::Cluster { cluster, .. } => format!(
                "office on a Patroni cluster of {} PostgreSQL servers (ports {}), synchronous replication",
                cluster.members.len(),
                self.ports()
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// Kills the server in charge at once: the only server (a crash), or
    /// the primary's machine (Patroni and PostgreSQL, as a power cut).
    /// What was lost, in words.
    pub fn kill(&mut self) -> Result<String, RehearseError> {
        match self {
            Office::Single(pg) => {
                pg.kill()?;
                Ok("the office's server killed".into())
            }
            Office::Cluster { cluster, lost } => {
                let p = cluster.primary().ok_or_else(|| {
                    RehearseError::Setup("the office has no primary to lose".into())
                })?;
                cluster.kill_member(p);
                *lost = Some(p);
                Ok(format!(
                    "the office's primary ({}) lost with its machine",
                    cluster.members[p].name
                ))
            }
        }
    }

    /// True when the office answers writes again after [`Self::kill`]:
    /// for a cluster, once another member is primary (Patroni's failover).
    pub fn serving(&self) -> Option<String> {
        match self {
            Office::Single(_) => None,
            Office::Cluster { cluster, lost } => {
                let p = cluster.primary()?;
                (Some(p) != *lost).then(|| cluster.members[p].name.clone())
            }
        }
    }

    /// Brings back what [`Self::kill`] took: the server started again, or
    /// the lost machine rejoining as a standby. What came back, in words.
    pub fn restart(&mut self) -> Result<String, RehearseError> {
        match self {
            Office::Single(pg) => {
                pg.restart()?;
                Ok("the office's server started again".into())
            }
            Office::Cluster { cluster, lost } => {
                let Some(m) = lost.take() else {
                    return Ok("nothing to bring back".into());
                };
                cluster.start_member(m)?;
                Ok(format!(
                    "{}'s machine back: it rejoins as a standby",
                    cluster.members[m].name
                ))
            }
        }
    }

    /// True for a Patroni cluster.
    pub fn is_cluster(&self) -> bool {
        matches!(self, Office::Cluster { .. })
    }
}

/// The office's dashboard (`office serve`) on this rehearsal's office,
/// with a user of its own; stopped when dropped.
pub struct Dashboard {
    server: std::process::Child,
    /// Where it answers (`http://127.0.0.1:PORT`).
    pub base: String,
    /// The user's password, made when it started.
    pub password: String,
}

impl Dashboard {
    /// Makes (or resets) the dashboard user `user` and starts `office
    /// serve` on `listen` (in `time_zone`, when given); its log goes to
    /// `DIR/dashboard.log`.
    pub fn start(
        office: &Office,
        exe: &Path,
        dir: &Path,
        listen: &str,
        time_zone: Option<&str>,
        user: &str,
    ) -> Result<Dashboard, RehearseError> {
        use std::io::{BufRead, BufReader};
        let url = office.admin_url();
        let add = |again: bool| {
            let mut args = vec!["office", "add-user", "--db", &url, "--name", user];
            if again {
                args.push("--reset");
            }
            crate::gates::run_tool(exe, dir, &args, Some(office.passfile()))
        };
        // A user made before (the checks run again on the same day): a new
        // password for it.
        let (mut code, mut out, mut err) = add(false)?;
        if code != 0 && err.contains("exists") {
            (code, out, err) = add(true)?;
        }
        let password = out
            .lines()
            .find_map(|l| l.strip_prefix("password: "))
            .filter(|_| code == 0)
            .ok_or_else(|| RehearseError::Setup(format!("office add-user: {}", err.trim())))?
            .to_owned();
        let mut cmd = std::process::Command::new(exe);
        cmd.args(["office", "serve", "--db", &url, "--listen", listen]);
        if let Some(zone) = time_zone {
            cmd.args(["--time-zone", zone]);
        }
        let mut server = cmd
            .current_dir(dir)
            .env("PGPASSFILE", office.passfile())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()?;
        let stderr = server
            .stderr
            .take()
            .ok_or_else(|| RehearseError::Setup("office serve: no stderr".into()))?;
        let (tx, rx) = std::sync::mpsc::channel();
        let log = dir.join("dashboard.log");
        std::thread::spawn(move || {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
                .ok();
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.strip_prefix("office dashboard on ") {
                    let _ = tx.send(at.split_whitespace().next().unwrap_or("").to_owned());
                }
                if let Some(f) = file.as_mut() {
                    let _ = std::io::Write::write_all(f, format!("{line}\n").as_bytes());
                }
            }
        });
        let mut dashboard = Dashboard {
            server,
            base: String::new(),
            password,
        };
        match rx.recv_timeout(std::time::Duration::from_secs(20)) {
            Ok(base) => dashboard.base = base,
            Err(_) => {
                return Err(RehearseError::Setup(format!(
                    "office serve did not start on {listen} (its log: dashboard.log)"
                )))
            }
        }
        Ok(dashboard)
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}
