//! A throw-away PostgreSQL for one rehearsal, started the way the tests
//! start theirs: `initdb` in the rehearsal's folder (as the `postgres`
//! user when run as root), a free port on 127.0.0.1, a private socket
//! folder, the superuser's password only in a password file; stopped when
//! dropped.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::RehearseError;

/// A running server.
pub struct Postgres {
    dir: PathBuf,
    /// More server settings (`-c name=value …`).
    extra: String,
    bin: PathBuf,
    pub port: u16,
    as_postgres: bool,
    passfile: PathBuf,
    password: String,
    running: bool,
}

/// The folder holding `initdb` and `pg_ctl`: on `PATH`, else Debian's
/// newest under `/usr/lib/postgresql`.
pub fn bin_dir() -> Option<PathBuf> {
    if let Some(paths) = std::env::var_os("PATH") {
        for p in std::env::split_paths(&paths) {
            if p.join("initdb").is_file() && p.join("pg_ctl").is_file() {
                return Some(p);
            }
        }
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").is_file())
        .collect();
    found.sort();
    found.pop()
}

/// A port nobody listens on now.
pub fn free_port() -> std::io::Result<u16> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
}

impl Postgres {
    /// Creates and starts a server in `dir` (made; must not exist).
    pub fn start(dir: &Path) -> Result<Postgres, RehearseError> {
        Postgres::start_with(dir, "")
    }

    /// As [`Postgres::start`], with more settings (`-c name=value …`), e.g.
    /// `wal_level=logical` for a games' centre and venues.
    pub fn start_with(dir: &Path, extra: &str) -> Result<Postgres, RehearseError> {
        let bin = bin_dir().ok_or_else(|| {
            RehearseError::Setup(
                "PostgreSQL (initdb, pg_ctl) is not installed: install postgresql, or set office = false in the scenario".into(),
            )
        })?;
        std::fs::create_dir_all(dir)?;
        // SAFETY: geteuid has no preconditions.
        let as_postgres = unsafe { libc::geteuid() } == 0;
        if as_postgres {
            let ok = Command::new("chown")
                .arg("-R")
                .arg("postgres:")
                .arg(dir)
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                return Err(RehearseError::Setup(format!(
                    "cannot hand {} to the postgres user",
                    dir.display()
                )));
            }
        }
        let password = format!("rehearse-{:016x}", seed_from_time());
        let passfile = dir.with_extension("pgpass");
        std::fs::write(&passfile, format!("127.0.0.1:*:*:postgres:{password}\n"))?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&passfile, std::fs::Permissions::from_mode(0o600))?;
        let mut pg = Postgres {
            dir: dir.to_owned(),
            extra: extra.to_owned(),
            bin,
            port: free_port()?,
            as_postgres,
            passfile,
            password: password.clone(),
            running: false,
        };
        let data = pg.data();
        pg.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "-N",
            ],
        )?;
        pg.start_server()?;
        pg.running = true;
        let sock = pg.dir.display().to_string();
        let port = pg.port.to_string();
        let psql = if pg.bin.join("psql").is_file() {
            pg.bin.join("psql")
        } else {
            PathBuf::from("psql")
        };
        let out = Command::new(psql)
            .args(["-X", "-q", "-h", &sock, "-p", &port, "-U", "postgres", "-c"])
            .arg(format!("ALTER ROLE postgres PASSWORD '{password}'"))
            .stdin(Stdio::null())
            .output()?;
        if !out.status.success() {
            return Err(RehearseError::Setup(format!(
                "cannot set the office's admin password: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(pg)
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    /// The admin's connection URL (its password is in [`Self::passfile`]).
    pub fn admin_url(&self) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// A connection as the admin.
    pub fn connect(&self) -> Result<postgres::Client, RehearseError> {
        postgres::Client::connect(
            &format!(
                "host=127.0.0.1 port={} user=postgres password={} dbname=postgres connect_timeout=5",
                self.port, self.password
            ),
            postgres::NoTls,
        )
        .map_err(|e| RehearseError::Check(format!("the office's database: {e}")))
    }

    /// The password file every process given this office needs
    /// (`PGPASSFILE`).
    pub fn passfile(&self) -> &Path {
        &self.passfile
    }

    fn command(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn run(&self, tool: &str, args: &[&str]) -> Result<(), RehearseError> {
        let out = self
            .command(tool)
            .args(args)
            .stdin(Stdio::null())
            .output()?;
        if out.status.success() {
            Ok(())
        } else {
            Err(RehearseError::Setup(format!(
                "{tool} failed: {}{}",
                String::from_utf8_lossy(&out.stdout).trim(),
                String::from_utf8_lossy(&out.stderr).trim()
            )))
        }
    }

    fn start_server(&self) -> Result<(), RehearseError> {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 {}",
            self.port,
            self.dir.display(),
            self.extra
        );
        let log = self.dir.join("server.log").display().to_string();
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-o", &opts, "-l", &log, "-w", "start"],
        )
    }

    /// Stops the server at once, as a crash would.
    pub fn kill(&mut self) -> Result<(), RehearseError> {
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        )?;
        self.running = false;
        Ok(())
    }

    /// Starts it again after [`Self::kill`].
    pub fn restart(&mut self) -> Result<(), RehearseError> {
        self.start_server()?;
        self.running = true;
        Ok(())
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if self.running {
            let _ = self.run(
                "pg_ctl",
                &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
            );
        }
    }
}

/// Some bits that differ from run to run.
fn seed_from_time() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (t.as_nanos() as u64) ^ u64::from(std::process::id()).rotate_left(32)
}
