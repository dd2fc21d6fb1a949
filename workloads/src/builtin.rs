//! The built-in real workloads: traces recorded with [`crate::record`] from programs on a
//! stock Debian 12 machine, shipped in `workloads/traces/` (provenance in its README) and
//! compiled into the crate.

#![forbid(unsafe_code)]

use crate::error::TraceError;
use crate::op::{Provenance, Workload};
use crate::rep;

/// One shipped trace and how it was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinTrace {
    /// Workload name.
    pub name: &'static str,
    /// File name in `workloads/traces/`.
    pub file: &'static str,
    /// The exact recorded command line.
    pub command: &'static str,
    /// The traced process's program.
    pub program: &'static str,
    /// The program's version.
    pub version: &'static str,
    /// Recording date.
    pub date: &'static str,
    /// The `.rep.zst` bytes.
    pub bytes: &'static [u8],
}

impl BuiltinTrace {
    /// Decompresses and parses the trace.
    ///
    /// # Errors
    /// [`TraceError`] if the shipped file were damaged (the crate's tests parse them all).
    pub fn load(&self) -> Result<Workload, TraceError> {
        let mut w = rep::from_bytes(self.name, self.bytes, self.file)?;
        w.provenance = Provenance::Recorded {
            command: self.command.to_owned(),
            program: self.program.to_owned(),
            version: self.version.to_owned(),
            date: self.date.to_owned(),
        };
        Ok(w)
    }
}

/// The shipped traces.
pub const TRACES: &[BuiltinTrace] = &[
    BuiltinTrace {
        name: "python3-wordfreq",
        file: "python3-wordfreq.rep.zst",
        command: "PYTHONHASHSEED=0 PYTHONMALLOC=malloc /usr/bin/python3 wordfreq.py",
        program: "python3",
        version: "Python 3.11.2 (Debian python3.11-minimal 3.11.2-6+deb12u6)",
        date: DATE,
        bytes: include_bytes!("../traces/python3-wordfreq.rep.zst"),
    },
    BuiltinTrace {
        name: "sqlite3-items",
        file: "sqlite3-items.rep.zst",
        command: "/usr/bin/sqlite3 -batch :memory: < sqlite.sql",
        program: "sqlite3",
        version: "SQLite 3.40.1 (Debian sqlite3 3.40.1-2+deb12u2)",
        date: DATE,
        bytes: include_bytes!("../traces/sqlite3-items.rep.zst"),
    },
    BuiltinTrace {
        name: "gcc-cc1-heap",
        file: "gcc-cc1-heap.rep.zst",
        command: "/usr/bin/gcc -O2 -c heap.c -o /dev/null",
        program: "cc1",
        version: "GCC 12.2.0 (Debian gcc-12 12.2.0-14+deb12u1)",
        date: DATE,
        bytes: include_bytes!("../traces/gcc-cc1-heap.rep.zst"),
    },
    BuiltinTrace {
        name: "perl-wordfreq",
        file: "perl-wordfreq.rep.zst",
        command: "PERL_HASH_SEED=0 PERL_PERTURB_KEYS=0 /usr/bin/perl wordfreq.pl",
        program: "perl",
        version: "perl 5.36.0 (Debian perl-base 5.36.0-7+deb12u2)",
        date: DATE,
        bytes: include_bytes!("../traces/perl-wordfreq.rep.zst"),
    },
    BuiltinTrace {
        name: "xz-compress",
        file: "xz-compress.rep.zst",
        command: "/usr/bin/xz -6 -T1 -c wordfreq.py > /dev/null",
        program: "xz",
        version: "xz (XZ Utils) 5.4.1 (Debian xz-utils 5.4.1-1)",
        date: DATE,
        bytes: include_bytes!("../traces/xz-compress.rep.zst"),
    },
];

/// When the shipped traces were recorded (glibc 2.36-9+deb12u14, Debian 12.11, x86_64).
const DATE: &str = "2026-11-26";

/// All built-in workloads, in [`TRACES`] order.
///
/// # Errors
/// [`TraceError`] if a shipped file were damaged.
pub fn traces() -> Result<Vec<Workload>, TraceError> {
    TRACES.iter().map(BuiltinTrace::load).collect()
}

/// The built-in workload called `name`.
#[must_use]
pub fn get(name: &str) -> Option<Result<Workload, TraceError>> {
    TRACES
        .iter()
        .find(|t| t.name == name)
        .map(BuiltinTrace::load)
}
