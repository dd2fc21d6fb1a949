//! glibc mtrace logs converted by live address, including frees of blocks allocated before
//! tracing began, failed requests, cut-off logs and malformed lines.

use workloads::error::TraceError;
use workloads::mtrace::{self, MtraceReport};
use workloads::{Op, Provenance};

/// A log as glibc 2.36 writes it: callers with and without symbols, a realloc pair, a
/// zero-size malloc (`0`), a NULL from a failed malloc (`(nil)`), a failed realloc, and
/// frees of blocks from before tracing began.
const LOG: &str = "= Start
@ /lib/x86_64-linux-gnu/libc.so.6:(setlocale+0x1f0)[0x7f3c2a03a6a0] - 0x55d5c0b1f2a0
@ ./prog:[0x55d5bf2cc1a9] + 0x55d5c0b206b0 0x10
@ ./prog:(main+0x30)[0x55d5bf2cc1b8] + 0x55d5c0b206d0 0x64
@ ./prog:[0x55d5bf2cc1c7] < 0x55d5c0b206b0
@ ./prog:[0x55d5bf2cc1c7] > 0x55d5c0b20740 0x100
@ ./prog:[0x55d5bf2cc1d6] + 0x55d5c0b206b0 0
@ ./prog:[0x55d5bf2cc1e5] + (nil) 0xffffffffffff
@ ./prog:[0x55d5bf2cc1f4] ! 0x55d5c0b20740 0xfffffffffff
@ ./prog:[0x55d5bf2cc203] - 0x55d5c0b206d0
@ ./prog:[0x55d5bf2cc212] < 0x55d5c0b1f000
@ ./prog:[0x55d5bf2cc212] > 0x55d5c0b1f000 0x20
@ [0x7f3c2a0b1234] - 0x55d5c0b20740
= End
";

#[test]
fn records_become_ops_by_live_address() {
    let t = mtrace::parse(LOG.as_bytes(), "prog.mtrace").unwrap();
    assert_eq!(
        t.ops,
        vec![
            Op::Alloc { id: 0, size: 16 },
            Op::Alloc { id: 1, size: 100 },
            Op::Realloc { id: 0, size: 256 },
            // The address freed by the move is reused: a new block.
            Op::Alloc { id: 2, size: 0 },
            Op::Free { id: 1 },
            // A realloc of a block from before tracing began allocates.
            Op::Alloc { id: 3, size: 32 },
            Op::Free { id: 0 },
        ]
    );
    assert_eq!(
        t.report,
        MtraceReport {
            lines: 14,
            allocs: 4,
            frees: 2,
            reallocs: 1,
            pretrace_frees: 1,
            pretrace_reallocs: 1,
            failed_allocs: 1,
            failed_reallocs: 1,
            reused_addresses: 0,
            truncated_tail: false,
            live_at_end: 2,
        }
    );
}

#[test]
fn frees_of_pre_trace_blocks_are_counted_and_skipped() {
    let log = "- 0x1000\n- 0x2000\n+ 0x3000 0x8\n- 0x1000\n- 0x3000\n- 0x3000\n";
    let t = mtrace::parse(log.as_bytes(), "x").unwrap();
    assert_eq!(
        t.ops,
        vec![Op::Alloc { id: 0, size: 8 }, Op::Free { id: 0 }]
    );
    // The second free of 0x3000 is a free of an address no longer live: skipped the same way.
    assert_eq!(t.report.pretrace_frees, 4);
}

#[test]
fn an_allocation_at_a_live_address_frees_the_old_block_first() {
    let log = "+ 0x10 0x8\n+ 0x10 0x18\n< 0x10\n> 0x20 0x30\n+ 0x40 0x8\n< 0x20\n> 0x40 0x40\n";
    let t = mtrace::parse(log.as_bytes(), "x").unwrap();
    assert_eq!(
        t.ops,
        vec![
            Op::Alloc { id: 0, size: 8 },
            Op::Free { id: 0 },
            Op::Alloc { id: 1, size: 24 },
            Op::Realloc { id: 1, size: 48 },
            Op::Alloc { id: 2, size: 8 },
            Op::Free { id: 2 },
            Op::Realloc { id: 1, size: 64 },
        ]
    );
    assert_eq!(t.report.reused_addresses, 2);
}

#[test]
fn a_cut_off_last_record_is_dropped() {
    // A process that ended without flushing: the log stops mid-line.
    let t = mtrace::parse(b"+ 0x10 0x8\n+ 0x20 0x", "x").unwrap();
    assert_eq!(t.ops, vec![Op::Alloc { id: 0, size: 8 }]);
    assert!(t.report.truncated_tail);
    // ... or between a realloc's two records.
    let t = mtrace::parse(b"+ 0x10 0x8\n< 0x10\n", "x").unwrap();
    assert!(t.report.truncated_tail);
    assert_eq!(t.ops.len(), 1);
    // A cut that still parses is kept; a complete log is not flagged.
    let t = mtrace::parse(b"+ 0x10 0x8\n", "x").unwrap();
    assert!(!t.report.truncated_tail);
}

#[test]
fn a_process_s_logs_convert_as_one_trace() {
    let first = b"= Start\n+ 0x10 0x8\n+ 0x20 0x8\n= End\n";
    let second = b"= Start\n- 0x10\n< 0x20\n> 0x30 0x10\n= End\n";
    let t = mtrace::parse_segments(&[("p.1.0.mtrace", first), ("p.1.1.mtrace", second)]).unwrap();
    assert_eq!(
        t.ops,
        vec![
            Op::Alloc { id: 0, size: 8 },
            Op::Alloc { id: 1, size: 8 },
            Op::Free { id: 0 },
            Op::Realloc { id: 1, size: 16 },
        ]
    );
    // Errors name the segment's own file and line.
    let e = mtrace::parse_segments(&[("a", first), ("b", b"+ 0x1 0x1\nnonsense\n")]).unwrap_err();
    assert_eq!((e.file(), e.line()), ("b", Some(2)));
}

#[test]
fn malformed_lines_name_file_line_and_reason() {
    let cases: &[(&[u8], usize, &str)] = &[
        (b"+ 0x10 0x8\nhello world\n", 2, "not an mtrace record"),
        (b"@ x + 0x10 zz\n", 1, "expected a hexadecimal size"),
        (b"- 0xzz\n", 1, "expected a hexadecimal address"),
        (b"- 10\n", 1, "expected a hexadecimal address"),
        (b"caller + 0x10 0x8\n", 1, "must start with `@`"),
        (
            b"+ 0x10 0x8\n< 0x10\n- 0x10\n",
            2,
            "`<` record not followed by its `>` record",
        ),
        (b"> 0x10 0x8\n", 1, "without the `<` record before it"),
        (b"+ 0x10 0x8\n\xfe\n", 2, "not valid UTF-8"),
    ];
    for &(text, line, reason) in cases {
        match mtrace::parse(text, "bad.mtrace") {
            Err(TraceError::Malformed {
                file,
                line: got,
                reason: why,
            }) => {
                assert_eq!(file, "bad.mtrace");
                assert_eq!(got, line, "{:?}: {why}", String::from_utf8_lossy(text));
                assert!(why.contains(reason), "{why:?} lacks {reason:?}");
            }
            other => panic!("{:?}: {other:?}", String::from_utf8_lossy(text)),
        }
    }
}

#[test]
fn line_ends_and_markers_do_not_matter() {
    let t = mtrace::parse(b"= Start\r\n+ 0x10 0x8\r- 0x10\r\n\r\n= End", "x").unwrap();
    assert_eq!(
        t.ops,
        vec![Op::Alloc { id: 0, size: 8 }, Op::Free { id: 0 }]
    );
    assert!(!t.report.truncated_tail);
}

#[test]
fn reading_a_file_names_the_workload_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("prog.1234.0.mtrace");
    std::fs::write(&path, LOG).unwrap();
    let w = mtrace::read(&path).unwrap();
    assert_eq!(w.name, "prog.1234.0");
    assert_eq!(w.ops.len(), 7);
    assert!(
        matches!(w.provenance, Provenance::Mtrace { report, .. } if report.pretrace_frees == 1)
    );
}
