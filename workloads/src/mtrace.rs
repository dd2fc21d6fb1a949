//! glibc `mtrace()` logs, converted to ops by live address.
//!
//! glibc writes one record per line, each optionally preceded by the caller
//! (`@ file:(symbol+0xoff)[0xaddr] `, or `@ [0xaddr] `):
//!
//! ```text
//! = Start
//! @ ./prog:[0x401136] + 0x4052a0 0x10      malloc / calloc / memalign: address, size
//! @ ./prog:[0x40114d] - 0x4052a0           free (also realloc(p, 0))
//! @ ./prog:[0x401160] < 0x4052a0           realloc: the old address ...
//! @ ./prog:[0x401160] > 0x4056d0 0x20      ... then the new address and size
//! @ ./prog:[0x401170] ! 0x4056d0 0x1000    failed realloc
//! = End
//! ```
//!
//! Sizes are `%#lx` (so a zero size is `0`), addresses `%p` (so NULL is `(nil)`).
//!
//! Every new address becomes a new id. What a log can hold that has no op, counted in
//! [`MtraceReport`] and skipped: frees of blocks allocated before tracing began, and failed
//! allocations. A realloc of a block allocated before tracing began becomes an allocation;
//! an allocation at an address that is still live (its free went unrecorded) first frees
//! the old block.
//!
//! A record cut short: glibc ends every record with a line end, so a last line without one
//! is what was written of a record when its process ended (killed, or an `exec` or `_exit`
//! with output still buffered). It is dropped even when what is left would parse (`0x1` may
//! be the start of `0x1f0`), together with the realloc's `<` line when the cut line is its
//! `>` (a log may also end between the two); the conversion goes on, flags
//! [`MtraceReport::truncated_tail`] and lists a [`TraceWarning::CutRecord`] naming the file,
//! line and number of records dropped. Anything malformed before the last line is an error.

#![forbid(unsafe_code)]

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{TraceError, TraceWarning};
use crate::lines::{text, Lines};
use crate::op::{Op, Provenance, Workload};
use crate::stable_map::StableHashMap;

/// What converting a log counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MtraceReport {
    /// Lines read.
    pub lines: u64,
    /// Alloc ops produced.
    pub allocs: u64,
    /// Free ops produced.
    pub frees: u64,
    /// Realloc ops produced.
    pub reallocs: u64,
    /// Frees of addresses not allocated while tracing (blocks from before tracing began):
    /// skipped.
    pub pretrace_frees: u64,
    /// Reallocs of such addresses: turned into allocations.
    pub pretrace_reallocs: u64,
    /// Allocations that returned NULL: skipped.
    pub failed_allocs: u64,
    /// Reallocs that failed (`!` records): skipped.
    pub failed_reallocs: u64,
    /// Allocations at an address that was still live: the old block is freed first.
    pub reused_addresses: u64,
    /// A record cut short by the end of a log was dropped (see [`MtraceTrace::warnings`]).
    pub truncated_tail: bool,
    /// Blocks still live at the end of the log.
    pub live_at_end: u64,
}

/// A converted log.
#[derive(Debug, Clone, PartialEq)]
pub struct MtraceTrace {
    /// The ops, ids numbered from 0 in order of first allocation.
    pub ops: Vec<Op>,
    /// What the conversion counted.
    pub report: MtraceReport,
    /// What it survived: one [`TraceWarning::CutRecord`] per log that ends in a record cut
    /// short.
    pub warnings: Vec<TraceWarning>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Record {
    Alloc(u64, u64),
    Free(u64),
    ReallocFrom(u64),
    ReallocTo(u64, u64),
    FailedRealloc,
}

fn number(token: &str, what: &str) -> Result<u64, String> {
    if token == "0" || (what == "address" && token == "(nil)") {
        return Ok(0);
    }
    token
        .strip_prefix("0x")
        .and_then(|hex| u64::from_str_radix(hex, 16).ok())
        .ok_or_else(|| format!("expected a hexadecimal {what} (0x...), found {token:?}"))
}

/// One line as a record: `Ok(None)` for blank lines and `=` markers.
fn record(line: &str) -> Result<Option<Record>, String> {
    let tokens: Vec<&str> = line.split_ascii_whitespace().collect();
    let n = tokens.len();
    if n == 0 || tokens[0] == "=" {
        return Ok(None);
    }
    let (prefix, rec) = if n >= 3 && matches!(tokens[n - 3], "+" | ">" | "!") {
        let addr = number(tokens[n - 2], "address")?;
        let size = number(tokens[n - 1], "size")?;
        let rec = match tokens[n - 3] {
            "+" => Record::Alloc(addr, size),
            ">" => Record::ReallocTo(addr, size),
            _ => Record::FailedRealloc,
        };
        (&tokens[..n - 3], rec)
    } else if n >= 2 && matches!(tokens[n - 2], "-" | "<") {
        let addr = number(tokens[n - 1], "address")?;
        let rec = if tokens[n - 2] == "-" {
            Record::Free(addr)
        } else {
            Record::ReallocFrom(addr)
        };
        (&tokens[..n - 2], rec)
    } else {
        return Err(format!(
            "not an mtrace record (expected `+ ADDR SIZE`, `- ADDR`, `< ADDR`, `> ADDR SIZE` \
             or `! ADDR SIZE`, optionally after `@ caller`): {line:?}"
        ));
    };
    if !prefix.is_empty() && prefix[0] != "@" {
        return Err(format!(
            "a record's caller must start with `@`, found {:?}",
            prefix[0]
        ));
    }
    Ok(Some(rec))
}

struct Converter {
    ids: StableHashMap<u64, u32>,
    next_id: u32,
    ops: Vec<Op>,
    report: MtraceReport,
    warnings: Vec<TraceWarning>,
}

impl Converter {
    fn new_id(&mut self) -> Result<u32, String> {
        let id = self.next_id;
        self.next_id = id
            .checked_add(1)
            .ok_or_else(|| "more than 2^32 blocks in one log".to_owned())?;
        Ok(id)
    }

    /// Frees a block still recorded live at `addr` (its free was not logged).
    fn evict(&mut self, addr: u64) {
        if let Some(id) = self.ids.remove(&addr) {
            self.report.reused_addresses += 1;
            self.report.frees += 1;
            self.ops.push(Op::Free { id });
        }
    }

    fn alloc_at(&mut self, addr: u64, size: u64) -> Result<(), String> {
        self.evict(addr);
        let id = self.new_id()?;
        self.ids.insert(addr, id);
        self.report.allocs += 1;
        self.ops.push(Op::Alloc { id, size });
        Ok(())
    }

    /// Applies one record; `pending` holds the old address of a realloc between its `<` and
    /// `>` records.
    fn apply(&mut self, rec: Record, pending: &mut Option<u64>) -> Result<(), String> {
        match rec {
            Record::Alloc(0, _) => self.report.failed_allocs += 1,
            Record::Alloc(addr, size) => self.alloc_at(addr, size)?,
            Record::Free(0) => {}
            Record::Free(addr) => match self.ids.remove(&addr) {
                Some(id) => {
                    self.report.frees += 1;
                    self.ops.push(Op::Free { id });
                }
                None => self.report.pretrace_frees += 1,
            },
            Record::ReallocFrom(old) => *pending = Some(old),
            Record::ReallocTo(new, size) => {
                let old = pending
                    .take()
                    .ok_or("a `>` record without the `<` record before it")?;
                match self.ids.remove(&old) {
                    Some(id) => {
                        self.evict(new);
                        self.ids.insert(new, id);
                        self.report.reallocs += 1;
                        self.ops.push(Op::Realloc { id, size });
                    }
                    None => {
                        self.report.pretrace_reallocs += 1;
                        self.alloc_at(new, size)?;
                    }
                }
            }
            Record::FailedRealloc => self.report.failed_reallocs += 1,
        }
        Ok(())
    }
}

/// Converts mtrace text; `file` names it in errors and warnings.
///
/// # Errors
/// [`TraceError::Malformed`] naming the line: a line that is no mtrace record, or a `<`
/// record not followed by its `>` record.
pub fn parse(text_bytes: &[u8], file: &str) -> Result<MtraceTrace, TraceError> {
    parse_segments(&[(file, text_bytes)])
}

/// Converts the consecutive logs of one process (`(file, text)` in order) as one trace:
/// addresses live at the end of a log stay live in the next (for a process whose tracing
/// was split over several files; the recorder writes one log per process image).
///
/// # Errors
/// As [`parse`], naming the segment's file and line.
pub fn parse_segments(segments: &[(&str, &[u8])]) -> Result<MtraceTrace, TraceError> {
    let mut conv = Converter {
        ids: StableHashMap::default(),
        next_id: 0,
        ops: Vec::new(),
        report: MtraceReport::default(),
        warnings: Vec::new(),
    };
    for &(file, text_bytes) in segments {
        conv.segment(file, text_bytes)?;
    }
    conv.report.live_at_end = conv.ids.len() as u64;
    Ok(MtraceTrace {
        ops: conv.ops,
        report: conv.report,
        warnings: conv.warnings,
    })
}

impl Converter {
    /// Drops a record cut short that starts at `line` and spans `dropped` lines.
    fn cut(&mut self, file: &str, line: usize, dropped: usize) {
        self.report.truncated_tail = true;
        self.warnings.push(TraceWarning::CutRecord {
            file: file.to_owned(),
            line,
            dropped,
        });
    }

    fn segment(&mut self, file: &str, text_bytes: &[u8]) -> Result<(), TraceError> {
        let ends_cleanly = text_bytes.last().is_none_or(|&b| b == b'\n' || b == b'\r');
        let total_lines = Lines::new(text_bytes).count();
        // The `<` record waiting for its `>`: its line and old address.
        let mut pending_line = 0;
        let mut pending: Option<u64> = None;
        for (number, line) in Lines::new(text_bytes) {
            self.report.lines += 1;
            if !ends_cleanly && number == total_lines {
                // No line end: a record cut short, unless it is a marker or blank.
                let start = line.iter().find(|b| !b.is_ascii_whitespace());
                if start.is_some_and(|&b| b != b'=') {
                    match pending.take() {
                        Some(_) => self.cut(file, pending_line, 2),
                        None => self.cut(file, number, 1),
                    }
                }
                break;
            }
            let rec = match text(file, number, line)
                .map_err(|e| e.to_string())
                .and_then(record)
            {
                Ok(Some(rec)) => rec,
                Ok(None) => continue,
                Err(reason) => return Err(TraceError::malformed(file, number, reason)),
            };
            if pending.is_some() && !matches!(rec, Record::ReallocTo(..)) {
                return Err(TraceError::malformed(
                    file,
                    pending_line,
                    format!(
                        "a `<` record not followed by its `>` record (line {number} is not one)"
                    ),
                ));
            }
            if matches!(rec, Record::ReallocFrom(_)) {
                pending_line = number;
            }
            self.apply(rec, &mut pending)
                .map_err(|reason| TraceError::malformed(file, number, reason))?;
        }
        if pending.is_some() {
            // The log ends between a realloc's two records: the process ended mid-record.
            self.cut(file, pending_line, 1);
        }
        Ok(())
    }
}

/// A workload named `name` from mtrace text.
///
/// # Errors
/// [`TraceError::Malformed`] naming `file` and the line.
pub fn from_bytes(name: &str, text_bytes: &[u8], file: &str) -> Result<Workload, TraceError> {
    let trace = parse(text_bytes, file)?;
    Ok(Workload::new(
        name,
        trace.ops,
        Provenance::Mtrace {
            file: file.to_owned(),
            report: trace.report,
        },
    ))
}

/// Reads an mtrace log; the workload is named after the file without its extension.
///
/// # Errors
/// [`TraceError`] naming the file.
pub fn read(path: &Path) -> Result<Workload, TraceError> {
    let file = path.display().to_string();
    let bytes = fs::read(path).map_err(|e| TraceError::io(&file, "read", e))?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    from_bytes(&name, &bytes, &file)
}
