//! The `badgegate` binary: parse arguments, run the command, print
//! `error: …` and map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

mod cli;
mod cmd;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cmd::run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", badgegate::text::printable(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}
