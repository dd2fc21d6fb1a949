//! `workbench`: mempool workbench's command line. With no subcommand it writes the default
//! report (`cargo run --release -p reports`).

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use reports::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match reports::run(cli) {
        Ok(code) => code,
        Err(e) => {
            reports::console::err(format_args!("error: {}", reports::error_message(&e)));
            ExitCode::from(reports::exit::ERROR)
        }
    }
}
