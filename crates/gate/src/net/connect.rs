//! Reaching the office: libpq connection URIs (`postgresql://user@host:port/db`),
//! connection files (`#` comments and one URI line, mode 0600, as
//! `office add-kiosk` writes them) and libpq's password file, so a password
//! never has to go on a command line.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use postgres::{Client, Config, NoTls};

use super::OfficeError;

/// The URI in a connection file: the first line that is neither blank nor
/// a `#` comment.
pub fn read_connection_file(path: &Path) -> Result<String, OfficeError> {
    let bad = |why: String| OfficeError::ConnectionFile {
        path: path.display().to_string(),
        why,
    };
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .ok_or_else(|| bad("no connection line (postgresql://…)".into()))
}

/// A URI with its password replaced by `***`, for messages.
pub fn shown_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (auth, tail) = match rest.find('@') {
        Some(at) if rest[..at].find('/').is_none() => (&rest[..at], &rest[at..]),
        _ => return url.to_owned(),
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***{tail}"),
        None => url.to_owned(),
    }
}

/// How the connection is protected, from the URI's `sslmode` and
/// `sslrootcert`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tls {
    /// No TLS (`sslmode=disable`, or none given): for a closed office LAN
    /// or a VPN.
    Off,
    /// `sslmode=verify-full`: TLS, the server's certificate checked against
    /// `sslrootcert` (a CA file; `system` for the system's CAs) and its
    /// host name against the URI's host.
    VerifyFull { root: Option<std::path::PathBuf> },
}

/// Splits the TLS parameters off a URI (they are checked here, not by the
/// PostgreSQL driver): the URI without them, and the mode. `sslmode` values
/// that do not check who answers (`allow`, `prefer`, `require`,
/// `verify-ca`) are refused.
pub fn split_tls(url: &str) -> Result<(String, Tls), OfficeError> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), Tls::Off));
    };
    let mut keep = Vec::new();
    let (mut mode, mut root) = (None, None);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", v)) => mode = Some(v.to_owned()),
            Some(("sslrootcert", v)) => root = Some(v.to_owned()),
            _ => keep.push(pair),
        }
    }
    let base = if keep.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", keep.join("&"))
    };
    let tls = match mode.as_deref() {
        None | Some("disable") => Tls::Off,
        Some("verify-full") => Tls::VerifyFull {
            root: root
                .filter(|r| r != "system")
                .map(|r| std::path::PathBuf::from(percent_decode(&r))),
        },
        Some(other) => {
            return Err(OfficeError::connect(format!(
                "{}: sslmode={other} does not check who answers; use sslmode=verify-full&sslrootcert=CA.pem (or sslmode=disable on a closed network)",
                shown_url(url)
            )))
        }
    };
    Ok((base, tls))
}

/// `%2F` and the like in a URI parameter, decoded.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The TLS connector for `verify-full`: the system's CAs, or only the CA
/// in `root`.
fn tls_connector(
    root: Option<&Path>,
    url: &str,
) -> Result<postgres_native_tls::MakeTlsConnector, OfficeError> {
    let bad = |why: String| OfficeError::connect(format!("{}: {why}", shown_url(url)));
    let mut b = native_tls::TlsConnector::builder();
    if let Some(root) = root {
        let pem =
            std::fs::read(root).map_err(|e| bad(format!("sslrootcert {}: {e}", root.display())))?;
        let cert = native_tls::Certificate::from_pem(&pem).map_err(|e| {
            bad(format!(
                "sslrootcert {}: not a PEM certificate ({e})",
                root.display()
            ))
        })?;
        b.disable_built_in_roots(true);
        b.add_root_certificate(cert);
    }
    b.min_protocol_version(Some(native_tls::Protocol::Tlsv12));
    let c = b.build().map_err(|e| bad(format!("TLS: {e}")))?;
    Ok(postgres_native_tls::MakeTlsConnector::new(c))
}

/// The connection settings of a URI, with the password from libpq's
/// password file (`PGPASSFILE`, or `~/.pgpass`) when the URI has none.
pub fn config(url: &str) -> Result<Config, OfficeError> {
    let (url_plain, tls) = split_tls(url)?;
    let mut cfg = Config::from_str(&url_plain).map_err(|e| {
        OfficeError::connect(format!(
            "{}: {e}; write it like postgresql://user@host:5432/venue",
            shown_url(url)
        ))
    })?;
    if cfg.get_password().is_none() {
        if let Some(pw) = pgpass_lookup(&cfg) {
            cfg.password(pw);
        }
    }
    cfg.application_name("badgegate");
    if tls != Tls::Off {
        cfg.ssl_mode(postgres::config::SslMode::Require);
    }
    Ok(cfg)
}

/// The longest a statement of ours may run at the server.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(10);

/// Connects within `timeout` (TCP keepalives on, so a dead peer is
/// noticed).
pub fn connect(url: &str, timeout: Duration) -> Result<Client, OfficeError> {
    connect_named(url, timeout, "badgegate")
}

/// [`connect`], with the application name the server shows for the
/// connection (`pg_stat_activity`, the server's log).
pub fn connect_named(url: &str, timeout: Duration, name: &str) -> Result<Client, OfficeError> {
    let mut cfg = config(url)?;
    cfg.application_name(name);
    // Every query of ours reads a few rows by an index; the server's JIT
    // compiler, woken by row estimates of a large venue record, spent
    // ~190 ms compiling each (measured) for <1 ms of work.
    // Every statement has a deadline at the server too (a lock held by a
    // hung transaction, a slow disk): a kiosk, the desk or the dashboard
    // hears "canceled" instead of waiting. Setting up a database lifts it
    // for its own long transaction.
    let settings = format!(
        "-c jit=off -c statement_timeout={} -c idle_in_transaction_session_timeout=60000",
        STATEMENT_TIMEOUT.as_millis()
    );
    let options = match cfg.get_options() {
        Some(o) if !o.is_empty() => format!("{o} {settings}"),
        _ => settings,
    };
    cfg.options(&options);
    cfg.connect_timeout(timeout);
    cfg.keepalives(true);
    cfg.keepalives_idle(Duration::from_secs(5));
    cfg.keepalives_interval(Duration::from_secs(2));
    cfg.keepalives_retries(3);
    // Data sent and not acknowledged for this long: the peer is gone.
    cfg.tcp_user_timeout(Duration::from_secs(10));
    let fail = |e: postgres::Error| OfficeError::Connect {
        why: format!("{}: {}", shown_url(url), reason(&e)),
        source: Some(e),
    };
    match split_tls(url)?.1 {
        Tls::Off => cfg.connect(NoTls).map_err(fail),
        Tls::VerifyFull { root } => cfg
            .connect(tls_connector(root.as_deref(), url)?)
            .map_err(fail),
    }
}

/// The useful part of a connection error.
fn reason(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.message().to_owned(),
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(inner) = src {
                let m = inner.to_string();
                if !s.contains(&m) {
                    s.push_str(": ");
                    s.push_str(&m);
                }
                src = inner.source();
            }
            s
        }
    }
}

/// The password for these settings in libpq's password file, if any:
/// for a URI listing several servers (a Patroni cluster), the first line
/// matching any of them, in the URI's order (one password serves them all:
/// logins are replicated).
fn pgpass_lookup(cfg: &Config) -> Option<String> {
    let path = std::env::var_os("PGPASSFILE")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pgpass")))?;
    let text = std::fs::read_to_string(path).ok()?;
    let mut servers: Vec<(String, String)> = cfg
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let host = match h {
                postgres::config::Host::Tcp(name) => name.clone(),
                postgres::config::Host::Unix(p) => p.display().to_string(),
            };
            // One port for all, or one each (libpq's rule).
            let ports = cfg.get_ports();
            let port = ports
                .get(i)
                .or_else(|| (ports.len() == 1).then(|| &ports[0]))
                .copied()
                .unwrap_or(5432);
            (host, port.to_string())
        })
        .collect();
    if servers.is_empty() {
        servers.push(("localhost".into(), "5432".into()));
    }
    let db = cfg
        .get_dbname()
        .or(cfg.get_user())
        .unwrap_or_default()
        .to_owned();
    let user = cfg.get_user().unwrap_or_default().to_owned();
    servers.iter().find_map(|(host, port)| {
        text.lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .find_map(|line| {
                let fields = split_pgpass(line);
                if fields.len() != 5 {
                    return None;
                }
                let matches = |pattern: &str, value: &str| pattern == "*" || pattern == value;
                (matches(&fields[0], host)
                    && matches(&fields[1], port)
                    && matches(&fields[2], &db)
                    && matches(&fields[3], &user))
                .then(|| fields[4].clone())
            })
    })
}

/// A password-file line's fields (`:` separates, `\` escapes).
fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(n), Some(f)) = (chars.next(), fields.last_mut()) {
                    f.push(n);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => {
                if let Some(f) = fields.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show_and_pgpass_lines_split() {
        assert_eq!(
            shown_url("postgresql://k1:s3cret@office:5432/venue?sslmode=require"),
            "postgresql://k1:***@office:5432/venue?sslmode=require"
        );
        assert_eq!(
            shown_url("postgresql://k1@office/venue"),
            "postgresql://k1@office/venue"
        );
        assert_eq!(
            split_pgpass("office:5432:venue:k1:pa\\:ss"),
            ["office", "5432", "venue", "k1", "pa:ss"]
        );
    }

    #[test]
    fn a_failed_connection_says_why_and_keeps_the_drivers_error() {
        // Nothing listens on port 1: refused at once.
        let e = connect("postgresql://k1@127.0.0.1:1/venue", Duration::from_secs(2))
            .err()
            .expect("nothing listens on port 1");
        let said = e.to_string();
        assert!(
            said.starts_with(
                "cannot reach the office database: postgresql://k1@127.0.0.1:1/venue: "
            ),
            "{said}"
        );
        let source = std::error::Error::source(&e).expect("the driver's error is kept");
        assert!(source.downcast_ref::<postgres::Error>().is_some());
    }
}
