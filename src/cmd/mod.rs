//! One module per subcommand; each wires library calls together and prints.

use std::process::ExitCode;

use crate::cli::Command;

mod audit;
mod decode;
mod demo;
mod issue;
mod keygen;
mod kiosk;
mod revoke;
mod verify;

/// Runs a command. `Err` is printed as one line and exits 2.
pub fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Keygen(a) => keygen::run(a),
        Command::Issue(a) => issue::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Kiosk(a) => kiosk::run(a),
        Command::Audit(a) => audit::run(a),
        Command::Revoke(a) => revoke::run(a),
        Command::Decode(a) => decode::run(a),
        Command::Demo(a) => demo::run(a),
    }
}
