//! The command line's own output, written without `println!`'s panic on a closed stream: a
//! reader that went away (`workbench replay trace.rep | head -1`) is not an error. The rest
//! of stdout is dropped and the command finishes as it would have, with its own exit code.

use std::fmt::Display;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use workloads::suite::Skipped;

/// Set once stdout's reader has gone away.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `text` and a line end to stdout. Nothing once stdout's reader has gone away (a
/// broken pipe).
///
/// # Errors
/// Writing failed for another reason (a full disk behind a redirect, ...).
pub fn out(text: impl Display) -> anyhow::Result<()> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut stdout = io::stdout().lock();
    match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        r => r.context("cannot write to stdout"),
    }
}

/// Writes `text` and a line end to stderr. A failure is dropped: stderr is where it would
/// have been reported.
pub fn err(text: impl Display) {
    let _ = writeln!(io::stderr().lock(), "{text}");
}

/// Lists each skipped trace on stderr as `skipped: FILE:LINE: REASON`.
pub fn skipped(skipped: &[Skipped]) {
    for s in skipped {
        err(format_args!("skipped: {s}"));
    }
}
