//! The `badgegate` binary: parse arguments, run the command, print
//! `error: …` and map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

mod cli;
mod cmd;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let code = match cmd::run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", badgegate::text::printable(&format!("{e:#}")));
            ExitCode::from(2)
        }
    };
    // Benchmarks ask for the peak memory of the whole run.
    if std::env::var_os("BADGEGATE_REPORT_PEAK_RSS").is_some() {
        if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
            if let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:")) {
                eprintln!("peak-rss: {}", line.trim_start_matches("VmHWM:").trim());
            }
        }
    }
    code
}
