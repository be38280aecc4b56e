//! The `badgegate` binary: parse arguments, run the command, print
//! `error: …` and map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

/// `eprintln!` that never fails: a log that cannot be written (a full
/// disk under the log file, journald gone) must not stop a kiosk from
/// deciding, or from going out of service cleanly.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod cli;
mod cmd;

/// A panic is a bug: one line saying so (a backtrace only when asked for
/// with RUST_BACKTRACE). Panics inside the QR decoders are caught and count
/// as "nothing found", so they stay quiet.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if badgegate::read::decoder_running() {
            return;
        }
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let thread = std::thread::current().name().unwrap_or("main").to_owned();
        say!(
            "error: internal error in badgegate ({thread} thread{at}: {}); decisions already shown are in the journal; please report this",
            badgegate::text::printable(&what)
        );
        if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
            say!("{}", std::backtrace::Backtrace::force_capture());
        }
    }));
}

/// An error and its causes in one line, each cause said once: a message
/// that already quotes its cause (`cannot read X: No such file`, or the
/// database's own words of a driver error `db error: ERROR: WORDS`) is not
/// followed by the cause again.
fn one_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let msg = cause.to_string();
        let last = msg.rsplit(": ").next().unwrap_or(&msg);
        if line.contains(&msg) || (!last.is_empty() && line.contains(last)) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&msg);
    }
    line
}

/// A reader that stops reading (`badgegate verify … | head -1`) ends the
/// command quietly, as it ends `cat` or `grep`: killed by SIGPIPE, status
/// 141 in the shell. Not the kiosk: a controller that goes away must not
/// stop it journalling, so it keeps Rust's default and ignores the error.
fn quiet_on_closed_stdout(command: &cli::Command) {
    if !matches!(command, cli::Command::Kiosk(_)) {
        // SAFETY: restoring the default disposition of one signal, before
        // any other thread exists.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
}

fn main() -> ExitCode {
    install_panic_hook();
    let args = match cmd::config::expand(std::env::args_os().collect()) {
        Ok(a) => a,
        Err(e) => {
            say!("error: {}", badgegate::text::printable(&e));
            return ExitCode::from(2);
        }
    };
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // A flag the gate file gave, refused: name the file and line,
            // not a usage line of every key as if typed.
            if let Some(at) = cmd::config::blame(&e) {
                let first = e.to_string();
                let first = first.lines().next().unwrap_or_default();
                say!("{}; it comes from {at}", first.trim_end_matches('.'));
                return ExitCode::from(2);
            }
            e.exit()
        }
    };
    quiet_on_closed_stdout(&cli.command);
    let code = match cmd::run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            // A message may list several problems, one per line (a CSV's bad
            // rows); each line is escaped on its own.
            let lines: Vec<String> = one_line(&e)
                .split('\n')
                .map(badgegate::text::printable)
                .collect();
            say!("error: {}", lines.join("\n"));
            cmd::Exit::Error.into()
        }
    };
    // Benchmarks ask for the peak memory of the whole run.
    if std::env::var_os("BADGEGATE_REPORT_PEAK_RSS").is_some() {
        if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
            if let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:")) {
                say!("peak-rss: {}", line.trim_start_matches("VmHWM:").trim());
            }
        }
    }
    code
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn an_error_says_each_cause_once() {
        #[derive(Debug)]
        struct Driver;
        impl std::fmt::Display for Driver {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("db error: ERROR: relation \"x\" does not exist")
            }
        }
        impl std::error::Error for Driver {}
        let e =
            anyhow::Error::new(Driver).context("office database: relation \"x\" does not exist");
        assert_eq!(
            one_line(&e),
            "office database: relation \"x\" does not exist"
        );
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let e = anyhow::Error::new(io).context("reading trust/a.pem");
        assert_eq!(one_line(&e), "reading trust/a.pem: No such file");
    }
}
