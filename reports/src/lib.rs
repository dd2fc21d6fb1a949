//! # reports
//!
//! mempool workbench's command line (`workbench`) and the pieces behind it: the report that
//! replays the workload suite over the pool's variants and its peers and writes an HTML page
//! with fragmentation plots ([`report`]), the option sweep that recommends a configuration
//! ([`tune`]), replaying one trace, checking a heap dump ([`check`]) and recording a program's
//! allocations.
//!
//! `cargo run --release -p reports` runs the default report; `--help` lists the rest, and
//! the exit codes ([`exit`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod aggregate;
pub mod check;
pub mod cli;
pub mod commands;
pub mod console;
pub mod exit;
pub mod figures;
pub mod findings;
pub mod html;
pub mod matrix;
pub mod output;
pub mod palette;
pub mod report;
pub mod report_figures;
pub mod report_tables;
pub mod results;
pub mod results_csv;
pub mod run;
pub mod scaling;
pub mod summary;
pub mod table;
pub mod tune;
pub mod tune_text;
pub mod units;

use std::process::ExitCode;

use cli::{Cli, Command};

/// Runs the parsed command line. The exit code ([`exit`]) is 0, or 1 when `check` finds a
/// corrupt heap, 3 when `report` or `tune` skipped traces (after a closing line on stderr
/// saying so), and the recorded program's for `record` (128 + the signal's number when a
/// signal ended it).
///
/// # Errors
/// Whatever the command failed with; the message says what, where and why (exit code 2).
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let finished = match cli.into_command() {
        Command::Report(args) => report::run(&args)?,
        Command::Tune(args) => commands::tune(&args)?,
        Command::Replay(args) => return commands::replay(&args).map(|()| ExitCode::SUCCESS),
        Command::Check(args) => return commands::check(&args),
        Command::Record(args) => return commands::record(&args),
        Command::FuzzExport(args) => {
            return commands::fuzz_export(&args).map(|_| ExitCode::SUCCESS)
        }
    };
    if let Some(note) = finished.skipped_note() {
        console::err(format_args!("warning: {note}"));
    }
    Ok(finished.exit_code())
}

/// `e` and its causes on one line, `: `-separated, leaving out a cause whose text the line
/// already holds (some errors print their source themselves).
#[must_use]
pub fn error_message(e: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if msg.contains(&text) {
            continue;
        }
        if !msg.is_empty() {
            msg.push_str(": ");
        }
        msg.push_str(&text);
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_are_printed_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let e = anyhow::Error::new(io).context("cannot start `x`: gone");
        assert_eq!(error_message(&e), "cannot start `x`: gone");
        let e = anyhow::anyhow!("inner").context("outer");
        assert_eq!(error_message(&e), "outer: inner");
    }
}
