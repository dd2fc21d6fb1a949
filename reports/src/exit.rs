//! `workbench`'s exit codes, in one place, and what decides them for a report or a tune.

use std::path::PathBuf;
use std::process::ExitCode;

use workloads::suite::Skipped;

/// `check` found a corrupt heap.
pub const CORRUPT: u8 = 1;
/// The command failed; the message on stderr says what, where and why.
pub const ERROR: u8 = 2;
/// `report` or `tune` finished, but left out traces it could not read or parse.
pub const SKIPPED: u8 = 3;

/// The exit codes, as `--help` lists them.
pub const HELP: &str = "\
Exit codes:
  0  done
  1  check: the heap breaks invariants (each is listed)
  2  an error: the message says what failed, where and why
  3  report, tune: finished, but unreadable or malformed traces were skipped (each is listed
     with its file, line and reason; --strict stops at the first one instead, with code 2)
  record exits with the recorded program's code (128 + the signal's number when a signal
  ended it)";

/// A report or tune that ran to the end: where its output is and the traces it skipped.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The output folder, in place.
    pub dir: PathBuf,
    /// The traces left out of the suite (`workloads::suite::Suite::skipped`).
    pub skipped: Vec<Skipped>,
}

impl Finished {
    /// 0, or [`SKIPPED`] when any trace was skipped.
    #[must_use]
    pub fn exit_code(&self) -> ExitCode {
        if self.skipped.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(SKIPPED)
        }
    }

    /// The closing line about the skipped traces, when there are any.
    #[must_use]
    pub fn skipped_note(&self) -> Option<String> {
        let n = self.skipped.len();
        (n > 0).then(|| {
            format!(
                "{n} trace{} skipped (each listed above with its reason, and in the output's findings, summary.md and results.json); exit code {SKIPPED}",
                if n == 1 { " was" } else { "s were" }
            )
        })
    }
}
