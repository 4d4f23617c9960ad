//! `quire`: the command-line entry point of Quire.
//!
//! Only parsing lives here; every command is in [`quire_cli::commands`], which the
//! end-to-end tests drive through this binary.
//!
//! Exit codes: 0 ok, 1 usage or validation (nothing sent), 2 a service refused (its
//! machine-readable code is printed), 3 a wait timed out.

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;
use quire_cli::commands::Cli;

fn main() -> ExitCode {
    match Cli::try_parse() {
        Ok(cli) => cli.run(),
        Err(e) => {
            let _ = e.print();
            // Help and version are not errors; every usage error exits 1 (clap's default is 2,
            // which this CLI reserves for refusals by a service).
            match e.kind() {
                ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => ExitCode::SUCCESS,
                _ => ExitCode::from(1),
            }
        }
    }
}
