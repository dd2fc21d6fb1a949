//! Bad traces: what loading does with a trace it cannot read or parse ([`BadTraces`]), and the
//! record of each one it skipped ([`Skipped`]).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::TraceError;

/// What [`crate::suite::load`] does with a trace file (in a folder, or given alone) that
/// cannot be read, decompressed or parsed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BadTraces {
    /// Stop: loading fails with that trace's error. The default, so no library caller loses
    /// a trace without asking to.
    #[default]
    Stop,
    /// Skip it, record why in [`crate::suite::Suite::skipped`] and load the rest (the
    /// `workbench` command line's choice unless `--strict`).
    Skip,
}

/// A trace left out of a suite because it could not be read or parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The file (or folder, when a folder could not be listed), as found.
    pub path: String,
    /// The 1-based line of a malformed trace; `None` when the file could not be read,
    /// decompressed or listed.
    pub line: Option<usize>,
    /// What is wrong (for an unreadable file: what was being done and the system's error).
    pub reason: String,
}

impl From<&TraceError> for Skipped {
    fn from(e: &TraceError) -> Self {
        let reason = match e {
            TraceError::Io { action, source, .. } => format!("{action}: {source}"),
            TraceError::Malformed { reason, .. } => reason.clone(),
        };
        Self {
            path: e.file().to_owned(),
            line: e.line(),
            reason,
        }
    }
}

/// `path:line: reason`, or `path: reason` without a line: the error's own wording.
impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path, self.reason),
            None => write!(f, "{}: {}", self.path, self.reason),
        }
    }
}
