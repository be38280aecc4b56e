//! A real, throw-away PostgreSQL for one test: `initdb` in a temporary
//! folder (as the `postgres` user when the tests run as root), a free port,
//! a private socket folder; stopped and deleted at the end. Skipped with a
//! printed reason where PostgreSQL is not installed; under CI a missing
//! server fails the test.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The test servers' superuser password: only ever in a password file.
pub const ADMIN_PASSWORD: &str = "office-admin-test";

/// Points libpq's password file (for every badgegate this test process
/// starts) at one holding the test superuser's password.
pub fn use_pgpass() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let path = std::env::temp_dir().join(format!("bg-pgpass-{}", std::process::id()));
        std::fs::write(&path, format!("127.0.0.1:*:*:postgres:{ADMIN_PASSWORD}\n")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        // SAFETY: set once, before any badgegate child reads it.
        unsafe { std::env::set_var("PGPASSFILE", &path) };
    });
}

pub struct Pg {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    as_postgres: bool,
}

/// The folder holding `initdb` and `pg_ctl`: found as the rehearsal
/// finds it.
fn bin_dir() -> Option<PathBuf> {
    badgegate::rehearse::pg::bin_dir()
}

fn free_port() -> u16 {
    badgegate::rehearse::pg::free_port().expect("a free port")
}

impl Pg {
    /// Starts a server, or `None` (with a printed reason) without one.
    pub fn start() -> Option<Pg> {
        let Some(bin) = bin_dir() else {
            if std::env::var_os("CI").is_some() {
                panic!(
                    "PostgreSQL is not installed, and CI must run this test (.ci/run installs it)"
                );
            }
            eprintln!("SKIPPED: PostgreSQL (initdb, pg_ctl) is not installed");
            return None;
        };
        let as_postgres = unsafe { libc::geteuid() } == 0;
        let dir = tempfile::Builder::new()
            .prefix("bg-pg-")
            .tempdir()
            .expect("temp dir");
        if as_postgres {
            let ok = Command::new("chown")
                .args(["-R", "postgres:", &dir.path().display().to_string()])
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            assert!(ok, "chown the test database folder to postgres");
        }
        let pg = Pg {
            port: free_port(),
            dir,
            bin,
            as_postgres,
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
        );
        pg.pg_ctl_start();
        pg.sql(&format!("ALTER ROLE postgres PASSWORD '{ADMIN_PASSWORD}'"));
        use_pgpass();
        Some(pg)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// The server's log file.
    pub fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    pub fn socket_dir(&self) -> &Path {
        self.dir.path()
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

    fn run(&self, tool: &str, args: &[&str]) {
        let out = self
            .command(tool)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("run {tool}: {e}"));
        assert!(
            out.status.success(),
            "{tool} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn pg_ctl_start(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 \
             -c wal_level=logical -c max_replication_slots=16 -c max_wal_senders=16 \
             -c wal_retrieve_retry_interval=500ms -c max_logical_replication_workers=12 \
             -c max_worker_processes=24",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log").display().to_string();
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-o", &opts, "-l", &log, "-w", "start"],
        );
    }

    /// Stops the server (immediately, as a crash would).
    pub fn stop(&self) {
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        );
    }

    /// Starts it again after [`Pg::stop`].
    pub fn restart(&self) {
        self.pg_ctl_start();
    }

    /// The server's process id.
    pub fn pid(&self) -> i32 {
        self.running_pid().expect("the server is running")
    }

    fn running_pid(&self) -> Option<i32> {
        let text = std::fs::read_to_string(self.dir.path().join("data/postmaster.pid")).ok()?;
        text.lines().next()?.trim().parse().ok()
    }

    /// SIGSTOP / SIGCONT to the server and all its backends: a hung office.
    pub fn freeze(&self, frozen: bool) {
        let sig = if frozen { "-STOP" } else { "-CONT" };
        let Some(pid) = self.running_pid() else {
            return;
        };
        let _ = Command::new("pkill")
            .args([sig, "-P", &pid.to_string()])
            .status();
        let _ = Command::new("kill").args([sig, &pid.to_string()]).status();
    }

    /// The admin URL, over TCP as a venue's would be; the password comes
    /// from the password file set up here, never the command line.
    pub fn admin_url(&self) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Turns TLS on and makes it the only way in over TCP: a CA and a
    /// server certificate for `127.0.0.1`/`localhost` made with the
    /// `openssl` tool, `hostssl` lines only in `pg_hba.conf`. Returns the
    /// CA certificate's path (for `sslrootcert`), or `None` without
    /// `openssl`.
    pub fn enable_tls(&self) -> Option<PathBuf> {
        let d = self.dir.path().join("tls");
        super::make_certificates(&d)?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(d.join("server.key"), std::fs::Permissions::from_mode(0o600))
            .unwrap();
        if self.as_postgres {
            let _ = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(&d)
                .status();
        }
        std::fs::write(
            self.dir.path().join("data/pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\nhostnossl all all 127.0.0.1/32 reject\n",
        )
        .unwrap();
        if self.as_postgres {
            let _ = Command::new("chown")
                .args(["postgres:"])
                .arg(self.dir.path().join("data/pg_hba.conf"))
                .status();
        }
        self.sql(&format!(
            "ALTER SYSTEM SET ssl_cert_file = '{}'",
            d.join("server.pem").display()
        ));
        self.sql(&format!(
            "ALTER SYSTEM SET ssl_key_file = '{}'",
            d.join("server.key").display()
        ));
        self.sql("ALTER SYSTEM SET ssl = on");
        self.sql("SELECT pg_reload_conf()");
        std::thread::sleep(std::time::Duration::from_millis(500));
        Some(d.join("ca.pem"))
    }

    /// Runs SQL as the superuser, returning psql's output. A long text
    /// (more than a command line holds) goes to psql on its stdin.
    pub fn sql(&self, sql: &str) -> String {
        use std::io::Write;
        let long = sql.len() > 64 * 1024;
        let mut psql = Command::new("psql");
        psql.args(PSQL_QUIET).args([
            "-h",
            &self.dir.path().display().to_string(),
            "-p",
            &self.port.to_string(),
            "-U",
            "postgres",
            "-d",
            "postgres",
        ]);
        if long {
            psql.args(["-f", "-"]).stdin(std::process::Stdio::piped());
        } else {
            psql.args(["-c", sql]);
        }
        psql.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = psql.spawn().expect("run psql");
        if long {
            let mut stdin = child.stdin.take().expect("psql's stdin");
            stdin.write_all(sql.as_bytes()).expect("write to psql");
        }
        let out = child.wait_with_output().expect("run psql");
        assert!(
            out.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Runs SQL with a connection file's own login (what a kiosk may do);
    /// returns psql's success and its error text.
    pub fn sql_as(&self, connection_file: &Path, sql: &str) -> (bool, String) {
        let uri = std::fs::read_to_string(connection_file)
            .unwrap()
            .lines()
            .find(|l| !l.starts_with('#') && !l.trim().is_empty())
            .unwrap()
            .to_owned();
        let out = Command::new("psql")
            .args(PSQL_QUIET)
            .args([&uri, "-c", sql])
            .output()
            .expect("run psql");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// psql without its start-up file, banners or alignment, stopping at the
/// first error.
const PSQL_QUIET: [&str; 6] = ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"];

impl Drop for Pg {
    fn drop(&mut self) {
        self.freeze(false);
        let _ = self
            .command("pg_ctl")
            .args(["-D", &self.data(), "-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
