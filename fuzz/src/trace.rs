//! The `trace` target: arbitrary bytes as workload trace text, through both parsers of the
//! `workloads` crate (malloc-lab `.rep` and glibc mtrace). Each must return a trace or a
//! clear error, never panic:
//!
//! - an error is a `Malformed` error naming the file it was given and a line that exists
//!   (1 ..= the number of lines, line ends LF, CRLF or CR), and its message starts with
//!   `file:line: ` and says something;
//! - a parsed `.rep` trace written back with `rep::to_text` parses again to the same ops;
//! - the first [`MAX_REPLAY`] ops of a parsed trace replay on a pool that stays consistent
//!   (`check()` at the end) and is back to its initial state once every block is freed.

use std::collections::HashMap;

use mempool::{MemPool, PoolOptions};
use workloads::error::TraceError;
use workloads::op::{Op, Provenance, Workload};

/// Ops of a parsed trace replayed on a pool.
pub const MAX_REPLAY: usize = 256;

const REP_FILE: &str = "fuzz.rep";
const MTRACE_FILE: &str = "fuzz.mtrace";

/// Runs one `trace` input.
///
/// # Panics
/// When a parser panics, or a property above breaks.
pub fn run(bytes: &[u8]) {
    match workloads::rep::parse(bytes, REP_FILE) {
        Ok(trace) => {
            let w = Workload::new(
                "fuzz",
                trace.ops.clone(),
                Provenance::Other {
                    description: "fuzz input".into(),
                },
            );
            let text = workloads::rep::to_text(&w, trace.header.variant);
            match workloads::rep::parse(&text, "rewritten.rep") {
                Ok(again) => assert_eq!(again.ops, trace.ops, "a rewritten .rep trace"),
                Err(e) => panic!("a rewritten .rep trace does not parse: {e}"),
            }
            replay(&trace.ops);
        }
        Err(e) => clear_error(&e, REP_FILE, bytes),
    }
    match workloads::mtrace::parse(bytes, MTRACE_FILE) {
        Ok(trace) => replay(&trace.ops),
        Err(e) => clear_error(&e, MTRACE_FILE, bytes),
    }
}

/// Lines as the formats count them: LF, CRLF and a bare CR end a line; a last line without
/// an end counts.
fn line_count(bytes: &[u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                n += 1;
                i += 1;
            }
            b'\r' | b'\n' => n += 1,
            _ => {}
        }
        i += 1;
    }
    if bytes.last().is_some_and(|&b| b != b'\n' && b != b'\r') {
        n += 1;
    }
    n
}

fn clear_error(e: &TraceError, file: &str, bytes: &[u8]) {
    assert_eq!(e.file(), file, "the error names the file: {e}");
    let Some(line) = e.line() else {
        panic!("parsing text can only fail as malformed, not: {e}");
    };
    let lines = line_count(bytes).max(1);
    assert!(
        (1..=lines).contains(&line),
        "the error names line {line} of {lines}: {e}"
    );
    let msg = e.to_string();
    let prefix = format!("{file}:{line}: ");
    assert!(
        msg.starts_with(&prefix) && msg.len() > prefix.len(),
        "the message names the file and line and says what is wrong: {msg:?}"
    );
}

/// Replays ops by id on a 64 KiB pool (ops that do not fit are failures, as in the replay
/// engine), then frees everything and checks the pool is as new.
fn replay(ops: &[Op]) {
    let Ok(mut pool) = MemPool::new(PoolOptions {
        size: 64 << 10,
        ..PoolOptions::default()
    }) else {
        panic!("a default 64 KiB pool");
    };
    let fresh = pool.stats();
    let mut live: HashMap<u32, u32> = HashMap::new();
    let size = |s: u64| u32::try_from(s).unwrap_or(u32::MAX);
    for op in ops.iter().take(MAX_REPLAY) {
        match *op {
            Op::Alloc { id, size: s } => {
                if let Some(old) = live.remove(&id) {
                    assert!(pool.free(old), "free of a live block");
                }
                if let Some(a) = pool.malloc(size(s)) {
                    live.insert(id, a);
                }
            }
            Op::Realloc { id, size: s } => match live.get(&id).copied() {
                Some(a) => {
                    if let Some(b) = pool.realloc(a, size(s)) {
                        live.insert(id, b);
                    }
                }
                None => {
                    if let Some(a) = pool.malloc(size(s)) {
                        live.insert(id, a);
                    }
                }
            },
            Op::Free { id } => {
                if let Some(a) = live.remove(&id) {
                    assert!(pool.free(a), "free of a live block");
                }
            }
        }
    }
    if let Err(v) = pool.check() {
        panic!("check() after a trace replay: {v}");
    }
    for (_, a) in live {
        assert!(pool.free(a), "free of a live block");
    }
    assert_eq!(
        pool.stats(),
        fresh,
        "every block freed after a trace replay"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_as_the_formats_count_them() {
        assert_eq!(line_count(b""), 0);
        assert_eq!(line_count(b"a"), 1);
        assert_eq!(line_count(b"a\n"), 1);
        assert_eq!(line_count(b"a\r\nb"), 2);
        assert_eq!(line_count(b"a\r\rb\n"), 3);
    }

    #[test]
    fn handwritten_seeds_parse() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/trace");
        for (name, rep) in [
            ("seed-rep-2002", true),
            ("seed-rep-2016-crlf", true),
            ("seed-mtrace", false),
            ("seed-mtrace-cut", false),
        ] {
            let bytes = std::fs::read(dir.join(name)).expect("committed seed");
            let ops = if rep {
                workloads::rep::parse(&bytes, name).map(|t| t.ops)
            } else {
                workloads::mtrace::parse(&bytes, name).map(|t| t.ops)
            };
            let ops = ops.unwrap_or_else(|e| panic!("{e}"));
            assert!(ops.len() >= 4, "{name}: {ops:?}");
        }
    }

    #[test]
    fn valid_and_broken_traces() {
        run(b"100\n2\n4\n1\na 0 10\na 1 20\nr 0 40\nf 1\n");
        run(b"= Start\n+ 0x10 0x8\n< 0x10\n> 0x20 0x30\n- 0x20\n= End\n");
        run(b"100\n2\n");
        run(b"\xff\xfe");
        run(b"");
    }
}
