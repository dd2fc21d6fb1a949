//! `cargo run -q -p mempool --example conform [-- [--check] [--reference]] < streams.jsonl`
//!
//! Runs conformance op streams against the port and prints one JSON line per result; see
//! `runner.rs` for the format and `core/tests/js/driver.mjs` for the same runner on the seed.
//! With `--check`, the pool's invariants are checked after every op; `--reference` runs the
//! reference engine instead of the default one.

mod runner;

use std::io;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut config = runner::Config::default();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--check" => config.check = true,
            "--reference" => config.engine = runner::EngineKind::Reference,
            _ => {
                eprintln!(
                    "conform: unknown argument {arg:?} (usage: conform [--check] [--reference] < streams.jsonl)"
                );
                return ExitCode::from(2);
            }
        }
    }
    let (input, output) = (io::stdin().lock(), io::stdout().lock());
    let result = if config == runner::Config::default() {
        runner::run(input, output)
    } else {
        runner::run_with(input, output, config)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("conform: {e}");
            ExitCode::FAILURE
        }
    }
}
