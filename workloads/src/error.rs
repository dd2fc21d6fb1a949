//! Errors: every failure is a value naming what went wrong and where; nothing panics on bad
//! input.

#![forbid(unsafe_code)]

use std::io;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Reading, parsing or writing a trace failed.
#[derive(Debug, Error)]
pub enum TraceError {
    /// The file could not be read, decompressed or written.
    #[error("{file}: {action}: {source}")]
    Io {
        /// The file (or the name given to in-memory input).
        file: String,
        /// What was being done: "read", "decompress", "write", ...
        action: &'static str,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The text is not a valid trace.
    #[error("{file}:{line}: {reason}")]
    Malformed {
        /// The file (or the name given to in-memory input).
        file: String,
        /// 1-based line number (line ends: LF, CRLF or a bare CR).
        line: usize,
        /// What is wrong with that line.
        reason: String,
    },
}

impl TraceError {
    /// The file the error is about.
    #[must_use]
    pub fn file(&self) -> &str {
        match self {
            Self::Io { file, .. } | Self::Malformed { file, .. } => file,
        }
    }

    /// The 1-based line number, for a malformed trace.
    #[must_use]
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Io { .. } => None,
            Self::Malformed { line, .. } => Some(*line),
        }
    }

    pub(crate) fn malformed(file: &str, line: usize, reason: impl Into<String>) -> Self {
        Self::Malformed {
            file: file.to_owned(),
            line,
            reason: reason.into(),
        }
    }

    pub(crate) fn io(file: &str, action: &'static str, source: io::Error) -> Self {
        Self::Io {
            file: file.to_owned(),
            action,
            source,
        }
    }
}

/// Something a conversion survived: reported, and the rest of the trace kept.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum TraceWarning {
    /// A log ends in a record cut short: its process ended (killed, or an `exec` or `_exit`
    /// with output still unwritten) while the record was being written. Only that record is
    /// dropped: the last line, which has no line end, and the `<` line before it when the
    /// cut record is a realloc's `>` line (or the log ends between the two).
    #[error(
        "{file}:{line}: the log ends in a record cut short (its process ended while writing \
         it): dropped {dropped} record(s) from line {line} on; the rest of the trace is kept"
    )]
    CutRecord {
        /// The log.
        file: String,
        /// 1-based line of the first record dropped.
        line: usize,
        /// Records (lines) dropped.
        dropped: usize,
    },
}

/// Something a recording survived: reported, and every other trace written.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum RecordWarning {
    /// A log's conversion dropped a record cut short.
    #[error(transparent)]
    Trace(#[from] TraceWarning),
    /// A log could not be converted: no trace for that process image.
    #[error("{error} (no trace written for this process image; the raw logs are kept in {kept})")]
    Unconverted {
        /// The log.
        file: String,
        /// The conversion error, naming the file and line.
        error: String,
        /// The folder holding the raw logs.
        kept: String,
    },
}

/// A generator's parameters are out of range.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("generator `{generator}`: parameter `{parameter}` {reason}")]
pub struct GenerateError {
    /// The generator's name.
    pub generator: String,
    /// The parameter.
    pub parameter: &'static str,
    /// What is wrong with its value.
    pub reason: String,
}

/// A suite could not be loaded ([`crate::suite::load`]).
#[derive(Debug, Error)]
pub enum SuiteError {
    /// A trace path is neither a folder nor a file.
    #[error(
        "{path}: not a folder or a trace file (give a folder holding .rep or .rep.zst files, or one trace file)"
    )]
    NoSuchTraces {
        /// The path as given.
        path: String,
    },
    /// A trace folder holds no `.rep` / `.rep.zst` file.
    #[error("{path}: no .rep or .rep.zst files in it or below it")]
    EmptyFolder {
        /// The folder as given.
        path: String,
    },
    /// A trace could not be read or parsed.
    #[error(transparent)]
    Trace(#[from] TraceError),
    /// A generator's parameters are invalid.
    #[error(transparent)]
    Generate(#[from] GenerateError),
    /// No workload is left to run.
    #[error("the suite is empty: no built-in trace, generator or trace file was selected")]
    Empty,
    /// Two allocators share a name, or a user's allocator takes a built-in one's.
    #[error("allocator name {name:?} {reason}: every allocator needs a name of its own")]
    AllocatorName {
        /// The name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No workload is left to run once the traces that could not be loaded were skipped
    /// ([`crate::suite::BadTraces::Skip`]).
    #[error(
        "the suite is empty: every trace was skipped ({}): {}",
        .skipped.len(),
        .skipped.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    AllSkipped {
        /// The traces skipped, each with its file, line and reason.
        skipped: Vec<crate::suite::Skipped>,
    },
    /// [`crate::suite::find`] found no workload of that name.
    #[error(
        "no workload {name:?}: not a built-in trace, a synthetic workload of the standard set (`synthetic/<shape>`), or a trace of the shared folder ({shared})"
    )]
    Unknown {
        /// The name asked for.
        name: String,
        /// The shared folder looked in, or why there is none.
        shared: String,
    },
}

/// An adapter could not be set up.
#[derive(Debug, Error)]
pub enum AdapterError {
    /// mempool refused the options.
    #[error("mempool: {0}")]
    Pool(#[from] mempool::PoolError),
    /// The region is larger than the allocator can address.
    #[error("{allocator}: a region of {size} bytes is too large (at most {max} bytes)")]
    RegionTooLarge {
        /// The adapter.
        allocator: String,
        /// Requested region size.
        size: usize,
        /// The largest region it takes.
        max: usize,
    },
    /// The region is too small to hold even the allocator's metadata.
    #[error("{allocator}: a region of {size} bytes is too small (at least {min} bytes)")]
    RegionTooSmall {
        /// The adapter.
        allocator: String,
        /// Requested region size.
        size: usize,
        /// The smallest region it takes.
        min: usize,
    },
    /// No allocator has this name ([`crate::AdapterSpec::from_name`]).
    #[error(
        "unknown allocator {name:?}: expected mempool, a pool variant such as mempool(min_split=64,compact=false) (either with @reference for the reference engine), talc, rlsf, linked_list_allocator, dlmalloc, system or baseline"
    )]
    UnknownName {
        /// The name given.
        name: String,
    },
    /// The process could not reserve the region's memory.
    #[error("cannot reserve a region of {size} bytes")]
    RegionUnavailable {
        /// Requested region size.
        size: usize,
    },
}

/// Recording a program's allocations failed.
#[derive(Debug, Error)]
pub enum RecordError {
    /// glibc's malloc debug library (glibc 2.34 and later) is not installed.
    #[error(
        "glibc's malloc debug library libc_malloc_debug.so.0 was not found (it ships with glibc \
         2.34 and later, in the libc6 package on Debian); searched: {searched}; set \
         WORKLOADS_MALLOC_DEBUG_LIB to its path"
    )]
    DebugLibMissing {
        /// The places looked at, comma-separated.
        searched: String,
    },
    /// No C compiler could be started to build the shim.
    #[error("cannot build the mtrace shim: starting the C compiler `{compiler}` failed: {source}")]
    CompilerMissing {
        /// The compiler command (`$CC` or `cc`).
        compiler: String,
        /// Why it could not be started.
        #[source]
        source: io::Error,
    },
    /// The C compiler ran but failed.
    #[error("building the mtrace shim with `{command}` failed ({status}):\n{stderr}")]
    ShimBuild {
        /// The command line.
        command: String,
        /// Its exit status.
        status: String,
        /// What it printed on stderr.
        stderr: String,
    },
    /// The program to record could not be started.
    #[error("cannot start `{command}`: {source}")]
    Spawn {
        /// The program.
        command: String,
        /// Why it could not be started.
        #[source]
        source: io::Error,
    },
    /// A file or folder of the recording could not be read or written.
    #[error("{path}: {action}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// What was being done.
        action: &'static str,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A raw trace could not be converted.
    #[error(transparent)]
    Trace(#[from] TraceError),
}

impl RecordError {
    pub(crate) fn io(path: &std::path::Path, action: &'static str, source: io::Error) -> Self {
        Self::Io {
            path: path.display().to_string(),
            action,
            source,
        }
    }
}
