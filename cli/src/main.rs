//! `relais`: the reference front end of Relais. See the README for the command reference.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = relais_cli::Cli::parse();
    match relais_cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("relais: error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
