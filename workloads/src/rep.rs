//! CMU malloc-lab `.rep` traces, plain or zstd-compressed (`.rep.zst`).
//!
//! A 4-line header, then one request per line:
//!
//! ```text
//! <2002: suggested heap size | 2016: weight>
//! <number of ids>
//! <number of ops>
//! <2002: weight | 2016: peak live payload bytes>
//! a <id> <bytes>     allocate <bytes> as <id>
//! r <id> <bytes>     resize <id> to <bytes> (an id that is not allocated: allocate)
//! f <id>             free <id> (f -1: free of NULL, dropped)
//! ```
//!
//! Lines end in LF, CRLF or a bare CR; blank lines are skipped; tokens are separated by any
//! ASCII whitespace. The parser checks the ops against each other: allocating an id that is
//! already allocated, freeing one that is not, or an op count other than the header's is an
//! error naming the file and line.

#![forbid(unsafe_code)]

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::TraceError;
use crate::lines::{text, Lines};
use crate::op::{Op, Provenance, Workload};
use crate::stable_map::StableHashMap;

/// The first four bytes of every zstd frame.
pub const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// zstd level used for written `.rep.zst` files.
pub const ZSTD_LEVEL: i32 = 19;

/// Which malloc-lab header layout a trace uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepVariant {
    /// The 2002 lab: suggested heap size, ids, ops, weight.
    Lab2002,
    /// The 2016 lab: weight, ids, ops, peak live payload bytes.
    Lab2016,
}

/// The four header numbers of a `.rep` file, and the layout they were read as.
///
/// The two layouts cannot be told apart by their syntax; a header is taken as
/// [`RepVariant::Lab2016`] when its fourth number is greater than 1 and equals the peak live
/// payload the ops produce (which the 2016 lab stores there), else as
/// [`RepVariant::Lab2002`]. Neither layout's numbers matter for a replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RepHeader {
    /// Line 1: suggested heap size (2002) or weight (2016).
    pub first: u64,
    /// Line 2: number of ids.
    pub num_ids: u64,
    /// Line 3: number of ops (checked against the file).
    pub num_ops: u64,
    /// Line 4: weight (2002) or peak live payload bytes (2016).
    pub fourth: u64,
    /// The layout the header was read as.
    pub variant: RepVariant,
}

impl RepHeader {
    /// The trace's weight in the lab's score.
    #[must_use]
    pub fn weight(&self) -> u64 {
        match self.variant {
            RepVariant::Lab2002 => self.fourth,
            RepVariant::Lab2016 => self.first,
        }
    }

    /// The 2002 layout's suggested heap size.
    #[must_use]
    pub fn suggested_heap(&self) -> Option<u64> {
        (self.variant == RepVariant::Lab2002).then_some(self.first)
    }

    /// The 2016 layout's recorded peak live payload.
    #[must_use]
    pub fn peak_live_bytes(&self) -> Option<u64> {
        (self.variant == RepVariant::Lab2016).then_some(self.fourth)
    }
}

/// A parsed `.rep` file.
#[derive(Debug, Clone, PartialEq)]
pub struct RepTrace {
    /// The header.
    pub header: RepHeader,
    /// The ops (`f -1` dropped, `r` on an unknown id turned into [`Op::Alloc`]).
    pub ops: Vec<Op>,
    /// Number of `f -1` lines.
    pub null_frees: u64,
    /// Number of `r` lines on an id that was not allocated.
    pub unknown_reallocs: u64,
}

/// Parses `.rep` text; `file` names it in errors.
///
/// # Errors
/// [`TraceError::Malformed`] naming the line and the reason.
pub fn parse(text_bytes: &[u8], file: &str) -> Result<RepTrace, TraceError> {
    let mut lines = Lines::new(text_bytes);
    let mut header = [0u64; 4];
    for (k, slot) in header.iter_mut().enumerate() {
        let (number, value) = loop {
            let Some((number, line)) = lines.next() else {
                return Err(TraceError::malformed(
                    file,
                    lines.number().max(1),
                    format!(
                        "the file ends inside the 4-line header (line {} of 4 missing)",
                        k + 1
                    ),
                ));
            };
            let value = text(file, number, line)?.trim();
            if !value.is_empty() {
                break (number, value);
            }
        };
        *slot = value.parse().map_err(|_| {
            TraceError::malformed(
                file,
                number,
                format!(
                    "header line {} of 4: expected an unsigned integer, found {value:?}",
                    k + 1
                ),
            )
        })?;
    }
    let [first, num_ids, num_ops, fourth] = header;

    let mut ops = Vec::with_capacity(usize::try_from(num_ops.min(1 << 24)).unwrap_or(0));
    // id -> (live size, line that allocated it)
    let mut live: StableHashMap<u32, (u64, usize)> = StableHashMap::default();
    // Live and peak payload; u128, so that no sizes a file can hold overflow the sums.
    let (mut cur, mut peak) = (0u128, 0u128);
    let (mut op_lines, mut null_frees, mut unknown_reallocs) = (0u64, 0u64, 0u64);
    for (number, line) in lines.by_ref() {
        let line = text(file, number, line)?;
        let mut tokens = line.split_ascii_whitespace();
        let Some(kind) = tokens.next() else { continue };
        op_lines += 1;
        let bad = |reason: String| TraceError::malformed(file, number, reason);
        match kind {
            "a" | "r" => {
                let id = parse_id(tokens.next(), kind).map_err(&bad)?;
                let size = parse_size(tokens.next(), kind).map_err(&bad)?;
                no_more(tokens.next(), kind).map_err(&bad)?;
                if kind == "a" {
                    if let Some((_, at)) = live.get(&id) {
                        return Err(bad(format!(
                            "a {id}: id {id} is already allocated (by line {at})"
                        )));
                    }
                    ops.push(Op::Alloc { id, size });
                } else if let Some((old, _)) = live.get(&id) {
                    cur -= u128::from(*old);
                    ops.push(Op::Realloc { id, size });
                } else {
                    unknown_reallocs += 1;
                    ops.push(Op::Alloc { id, size });
                }
                live.insert(id, (size, number));
                cur += u128::from(size);
                peak = peak.max(cur);
            }
            "f" => {
                let token = tokens.next();
                if token == Some("-1") {
                    no_more(tokens.next(), kind).map_err(&bad)?;
                    null_frees += 1;
                    continue;
                }
                let id = parse_id(token, kind).map_err(&bad)?;
                no_more(tokens.next(), kind).map_err(&bad)?;
                let Some((size, _)) = live.remove(&id) else {
                    return Err(bad(format!("f {id}: id {id} is not allocated")));
                };
                cur -= u128::from(size);
                ops.push(Op::Free { id });
            }
            other => {
                return Err(bad(format!(
                    "unknown op {other:?} (expected `a`, `r` or `f`)"
                )))
            }
        }
    }
    if op_lines != num_ops {
        return Err(TraceError::malformed(
            file,
            lines.number().max(1),
            format!("the header announces {num_ops} ops but the file has {op_lines}"),
        ));
    }
    let variant = if fourth > 1 && u128::from(fourth) == peak {
        RepVariant::Lab2016
    } else {
        RepVariant::Lab2002
    };
    Ok(RepTrace {
        header: RepHeader {
            first,
            num_ids,
            num_ops,
            fourth,
            variant,
        },
        ops,
        null_frees,
        unknown_reallocs,
    })
}

fn parse_id(token: Option<&str>, kind: &str) -> Result<u32, String> {
    let token = token.ok_or_else(|| format!("`{kind}` needs an id"))?;
    token.parse().map_err(|_| {
        format!("`{kind}`: expected an id (an integer from 0 to 4294967295), found {token:?}")
    })
}

fn parse_size(token: Option<&str>, kind: &str) -> Result<u64, String> {
    let token = token.ok_or_else(|| format!("`{kind}` needs a size in bytes"))?;
    token.parse().map_err(|_| {
        format!("`{kind}`: expected a size in bytes (an unsigned integer), found {token:?}")
    })
}

fn no_more(token: Option<&str>, kind: &str) -> Result<(), String> {
    match token {
        None => Ok(()),
        Some(extra) => Err(format!("`{kind}`: unexpected extra field {extra:?}")),
    }
}

/// The bytes of a `.rep` or `.rep.zst`, decompressed when they start with the zstd magic.
///
/// # Errors
/// [`TraceError::Io`] when zstd decompression fails.
pub fn decompress<'a>(
    bytes: &'a [u8],
    file: &str,
) -> Result<std::borrow::Cow<'a, [u8]>, TraceError> {
    if bytes.starts_with(&ZSTD_MAGIC) {
        zstd::stream::decode_all(bytes)
            .map(std::borrow::Cow::Owned)
            .map_err(|e| TraceError::io(file, "zstd decompression", e))
    } else {
        Ok(std::borrow::Cow::Borrowed(bytes))
    }
}

/// A workload named `name` from the bytes of a `.rep` or `.rep.zst` (detected by content).
///
/// # Errors
/// [`TraceError`] naming `file`.
pub fn from_bytes(name: &str, bytes: &[u8], file: &str) -> Result<Workload, TraceError> {
    let text_bytes = decompress(bytes, file)?;
    let trace = parse(&text_bytes, file)?;
    Ok(Workload::new(
        name,
        trace.ops,
        Provenance::Rep {
            file: file.to_owned(),
            header: trace.header,
            null_frees: trace.null_frees,
            unknown_reallocs: trace.unknown_reallocs,
        },
    ))
}

/// Reads a `.rep` or `.rep.zst` file; the workload is named after the file without its
/// `.rep` / `.rep.zst` extension.
///
/// # Errors
/// [`TraceError`] naming the file.
pub fn read(path: &Path) -> Result<Workload, TraceError> {
    let file = path.display().to_string();
    let bytes = fs::read(path).map_err(|e| TraceError::io(&file, "read", e))?;
    from_bytes(&trace_name(path), &bytes, &file)
}

/// The file name of `path` without `.zst` and `.rep`.
#[must_use]
pub fn trace_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = name.strip_suffix(".zst").unwrap_or(&name);
    name.strip_suffix(".rep").unwrap_or(name).to_owned()
}

/// Writes `workload` as `.rep` text with the `variant` header: the 2002 header gets the peak
/// live payload as its suggested heap size and weight 1; the 2016 header weight 1 and the
/// peak live payload. Ids are written as they are; the header's id count is the largest id
/// plus one.
///
/// # Errors
/// Any error of `out`.
pub fn write<W: Write>(workload: &Workload, variant: RepVariant, out: W) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    let stats = workload.stats();
    let num_ids = workload
        .ops
        .iter()
        .map(|op| u64::from(op.id()) + 1)
        .max()
        .unwrap_or(0);
    let (first, fourth) = match variant {
        RepVariant::Lab2002 => (stats.peak_live_bytes, 1),
        RepVariant::Lab2016 => (1, stats.peak_live_bytes),
    };
    writeln!(out, "{first}\n{num_ids}\n{}\n{fourth}", workload.ops.len())?;
    for op in &workload.ops {
        match *op {
            Op::Alloc { id, size } => writeln!(out, "a {id} {size}")?,
            Op::Free { id } => writeln!(out, "f {id}")?,
            Op::Realloc { id, size } => writeln!(out, "r {id} {size}")?,
        }
    }
    out.flush()
}

/// `workload` as `.rep` text (see [`write`](fn@write)).
#[must_use]
pub fn to_text(workload: &Workload, variant: RepVariant) -> Vec<u8> {
    let mut text_bytes = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write(workload, variant, &mut text_bytes);
    text_bytes
}

/// `workload` as `.rep.zst` bytes (see [`write`](fn@write)).
///
/// # Errors
/// An error of the zstd encoder.
pub fn to_zst(workload: &Workload, variant: RepVariant) -> io::Result<Vec<u8>> {
    zstd::stream::encode_all(&to_text(workload, variant)[..], ZSTD_LEVEL)
}

/// Writes `workload` to `path`, zstd-compressed when the name ends in `.zst`.
///
/// # Errors
/// [`TraceError::Io`] naming the file.
pub fn write_file(path: &Path, workload: &Workload, variant: RepVariant) -> Result<(), TraceError> {
    let file = path.display().to_string();
    let bytes = if file.ends_with(".zst") {
        to_zst(workload, variant).map_err(|e| TraceError::io(&file, "zstd compression", e))?
    } else {
        to_text(workload, variant)
    };
    fs::write(path, bytes).map_err(|e| TraceError::io(&file, "write", e))
}
