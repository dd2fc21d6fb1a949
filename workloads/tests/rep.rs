//! malloc-lab `.rep` traces: both header layouts, every line end, the lenient forms other
//! collections use, `.rep.zst`, and errors that name the file and line.

use workloads::error::TraceError;
use workloads::rep::{self, RepVariant};
use workloads::{replay, AdapterSpec, Op, Provenance, ReplayConfig, Workload};

fn parse(text: &str) -> rep::RepTrace {
    rep::parse(text.as_bytes(), "t.rep").unwrap_or_else(|e| panic!("{e}"))
}

fn error(text: &[u8]) -> (usize, String) {
    match rep::parse(text, "bad.rep") {
        Err(TraceError::Malformed { file, line, reason }) => {
            assert_eq!(file, "bad.rep");
            (line, reason)
        }
        other => panic!("expected a malformed-trace error, got {other:?}"),
    }
}

/// short1-bal.rep of the 2002 set, as shipped (CRLF).
const SHORT1: &str = "1\r\n6\r\n12\r\n1\r\na 0 2040\r\na 1 2040\r\nf 1\r\na 2 48\r\na 3 4072\r\n\
                      f 3\r\na 4 4072\r\nf 0\r\nf 2\r\na 5 4072\r\nf 4\r\nf 5\r\n";

#[test]
fn header_2002_is_recognised() {
    let t = parse(SHORT1);
    assert_eq!(t.header.variant, RepVariant::Lab2002);
    assert_eq!(
        (
            t.header.first,
            t.header.num_ids,
            t.header.num_ops,
            t.header.fourth
        ),
        (1, 6, 12, 1)
    );
    assert_eq!(t.header.weight(), 1);
    assert_eq!(t.header.suggested_heap(), Some(1));
    assert_eq!(t.header.peak_live_bytes(), None);
    assert_eq!(t.ops.len(), 12);
    assert_eq!(t.ops[0], Op::Alloc { id: 0, size: 2040 });
    assert_eq!(t.ops[2], Op::Free { id: 1 });
}

#[test]
fn header_2016_is_recognised_by_its_peak() {
    // ngram-fox1-like: weight 0, 3 ids, 6 ops, peak live payload 40.
    let t = parse("0\n3\n6\n40\na 0 10\na 1 30\nf 0\na 2 5\nf 1\nf 2\n");
    assert_eq!(t.header.variant, RepVariant::Lab2016);
    assert_eq!(t.header.peak_live_bytes(), Some(40));
    assert_eq!(t.header.weight(), 0);
    assert_eq!(t.header.suggested_heap(), None);
    // The same ops with a fourth number that is not the peak: a 2002 weight.
    let t = parse("0\n3\n6\n39\na 0 10\na 1 30\nf 0\na 2 5\nf 1\nf 2\n");
    assert_eq!(t.header.variant, RepVariant::Lab2002);
}

#[test]
fn every_line_end_gives_the_same_trace() {
    let lf = SHORT1.replace("\r\n", "\n");
    let cr = SHORT1.replace("\r\n", "\r");
    let mixed = SHORT1.replacen("\r\n", "\n", 5).replacen("\r\n", "\r", 5);
    let expected = parse(SHORT1);
    for text in [lf, cr, mixed] {
        assert_eq!(parse(&text), expected);
    }
    // No final line end, blank lines and trailing whitespace (as in syn-mix-short.rep).
    let t = parse("1\n\n2\n2\n1\n\na 0 8 \n\nf 0 \t");
    assert_eq!(
        t.ops,
        vec![Op::Alloc { id: 0, size: 8 }, Op::Free { id: 0 }]
    );
}

#[test]
fn bare_cr_errors_count_lines_right() {
    // Line 6 (after five bare CRs) is broken.
    let (line, reason) = error(b"1\r2\r2\r1\ra 0 8\rq 0\r");
    assert_eq!(line, 6);
    assert!(reason.contains("unknown op \"q\""), "{reason}");
}

#[test]
fn free_of_null_is_dropped_and_counted() {
    let t = parse("1\n1\n4\n1\nf -1\na 0 8\nf -1\nf 0\n");
    assert_eq!(t.null_frees, 2);
    assert_eq!(
        t.ops,
        vec![Op::Alloc { id: 0, size: 8 }, Op::Free { id: 0 }]
    );
}

#[test]
fn realloc_of_an_unknown_id_allocates() {
    let t = parse("1\n2\n4\n1\nr 0 16\nr 0 32\nr 1 8\nf 0\n");
    assert_eq!(t.unknown_reallocs, 2);
    assert_eq!(
        t.ops,
        vec![
            Op::Alloc { id: 0, size: 16 },
            Op::Realloc { id: 0, size: 32 },
            Op::Alloc { id: 1, size: 8 },
            Op::Free { id: 0 },
        ]
    );
}

#[test]
fn zero_sizes_parse_and_replay_without_failures() {
    let w = rep::from_bytes(
        "zero",
        b"1\n2\n6\n1\na 0 0\na 1 8\nr 1 0\nr 0 16\nf 0\nf 1\n",
        "zero.rep",
    )
    .unwrap();
    assert_eq!(w.ops[0], Op::Alloc { id: 0, size: 0 });
    for spec in AdapterSpec::all() {
        let mut a = spec.build(1 << 20).unwrap();
        let r = replay(&w, a.as_mut(), &ReplayConfig::default());
        assert_eq!(r.failures, 0, "{}", r.allocator);
        assert_eq!(r.zero_size, 2, "{}", r.allocator);
        assert_eq!(r.skipped_frees, 0, "{}", r.allocator);
        assert_eq!(r.live_at_end, 0, "{}", r.allocator);
    }
}

#[test]
fn sizes_beyond_four_gib_parse() {
    let t = parse("0\n1\n2\n36507238400\na 0 36507238400\nf 0\n");
    assert_eq!(
        t.ops[0],
        Op::Alloc {
            id: 0,
            size: 36_507_238_400
        }
    );
    assert_eq!(t.header.variant, RepVariant::Lab2016);
}

#[test]
fn malformed_input_names_the_line_and_reason() {
    let cases: &[(&[u8], usize, &str)] = &[
        (
            b"",
            1,
            "ends inside the 4-line header (line 1 of 4 missing)",
        ),
        (
            b"1\n2\n",
            2,
            "ends inside the 4-line header (line 3 of 4 missing)",
        ),
        (
            b"1\nx\n3\n1\n",
            2,
            "header line 2 of 4: expected an unsigned integer, found \"x\"",
        ),
        (b"1\n1\n1\n-4\n", 4, "header line 4 of 4"),
        (b"1\n1\n1\n1\nz 0 8\n", 5, "unknown op \"z\""),
        (b"1\n1\n1\n1\na 0\n", 5, "`a` needs a size in bytes"),
        (b"1\n1\n1\n1\na\n", 5, "`a` needs an id"),
        (b"1\n1\n1\n1\na 0 -8\n", 5, "expected a size in bytes"),
        (b"1\n1\n1\n1\na x 8\n", 5, "expected an id"),
        (b"1\n1\n1\n1\na -1 8\n", 5, "expected an id"),
        (b"1\n1\n1\n1\na 0 8 9\n", 5, "unexpected extra field \"9\""),
        (b"1\n1\n1\n1\nf 0 1\n", 5, "unexpected extra field"),
        (
            b"1\n1\n2\n1\na 0 8\na 0 8\n",
            6,
            "id 0 is already allocated (by line 5)",
        ),
        (b"1\n1\n1\n1\nf 3\n", 5, "id 3 is not allocated"),
        (b"1\n1\n2\n1\na 0 8\nf 0\nf 0\n", 7, "id 0 is not allocated"),
        (
            b"1\n1\n3\n1\na 0 8\nf 0\n",
            6,
            "announces 3 ops but the file has 2",
        ),
        (
            b"1\n1\n1\n1\na 0 8\nf 0\n",
            6,
            "announces 1 ops but the file has 2",
        ),
        (b"1\n1\n1\n1\na 0 \xff\n", 5, "not valid UTF-8"),
    ];
    for &(text, line, reason) in cases {
        let (got_line, got_reason) = error(text);
        assert_eq!(
            got_line,
            line,
            "{:?}: {got_reason}",
            String::from_utf8_lossy(text)
        );
        assert!(
            got_reason.contains(reason),
            "{:?}: {got_reason:?} lacks {reason:?}",
            String::from_utf8_lossy(text)
        );
    }
    // The message carries file and line.
    let e = rep::parse(b"1\n1\n1\n1\nz\n", "dir/x.rep").unwrap_err();
    assert!(e.to_string().starts_with("dir/x.rep:5: unknown op"), "{e}");
    assert_eq!((e.file(), e.line()), ("dir/x.rep", Some(5)));
}

fn sample_workload() -> Workload {
    Workload::new(
        "sample",
        vec![
            Op::Alloc { id: 0, size: 100 },
            Op::Alloc { id: 1, size: 0 },
            Op::Realloc { id: 0, size: 300 },
            Op::Alloc { id: 2, size: 7 },
            Op::Free { id: 1 },
            Op::Realloc { id: 2, size: 5 },
            Op::Free { id: 0 },
            Op::Free { id: 2 },
        ],
        Provenance::Other {
            description: "test".into(),
        },
    )
}

#[test]
fn rep_and_rep_zst_round_trip_in_both_layouts() {
    let w = sample_workload();
    let dir = tempfile::tempdir().unwrap();
    for variant in [RepVariant::Lab2002, RepVariant::Lab2016] {
        for name in ["sample.rep", "sample.rep.zst"] {
            let path = dir.path().join(name);
            rep::write_file(&path, &w, variant).unwrap();
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(bytes.starts_with(&rep::ZSTD_MAGIC), name.ends_with(".zst"));
            let back = rep::read(&path).unwrap();
            assert_eq!(back.name, "sample");
            assert_eq!(back.ops, w.ops, "{name} {variant:?}");
            let Provenance::Rep { header, file, .. } = back.provenance else {
                panic!("provenance")
            };
            assert_eq!(header.variant, variant);
            assert_eq!(header.num_ids, 3);
            assert_eq!(header.num_ops, 8);
            assert_eq!(file, path.display().to_string());
        }
    }
    let text = String::from_utf8(rep::to_text(&w, RepVariant::Lab2016)).unwrap();
    assert!(
        text.starts_with("1\n3\n8\n307\na 0 100\na 1 0\nr 0 300\n"),
        "{text}"
    );
}

#[test]
fn damaged_zstd_is_an_io_error_naming_the_file() {
    let mut bytes = rep::to_zst(&sample_workload(), RepVariant::Lab2016).unwrap();
    bytes.truncate(bytes.len() / 2);
    match rep::from_bytes("x", &bytes, "cut.rep.zst") {
        Err(TraceError::Io { file, action, .. }) => {
            assert_eq!(file, "cut.rep.zst");
            assert_eq!(action, "zstd decompression");
        }
        other => panic!("{other:?}"),
    }
    match rep::read(std::path::Path::new("/nonexistent/x.rep")) {
        Err(TraceError::Io { action, .. }) => assert_eq!(action, "read"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn trace_names_drop_the_extensions() {
    use std::path::Path;
    assert_eq!(
        rep::trace_name(Path::new("a/b/amptjp-bal.rep")),
        "amptjp-bal"
    );
    assert_eq!(rep::trace_name(Path::new("x.rep.zst")), "x");
    assert_eq!(rep::trace_name(Path::new("x.txt")), "x.txt");
}

#[test]
fn workloads_serialize_with_tagged_ops() {
    let w = sample_workload();
    let json = serde_json::to_string(&w).unwrap();
    assert!(
        json.contains(r#"{"op":"alloc","id":0,"size":100}"#),
        "{json}"
    );
    assert!(json.contains(r#""source":"other""#), "{json}");
    let back: Workload = serde_json::from_str(&json).unwrap();
    assert_eq!(back, w);
}

#[test]
fn sizes_whose_sum_overflows_do_not_panic() {
    let text = b"0\n2\n4\n1\na 0 18446744073709551615\na 1 18446744073709551615\nf 0\nf 1\n";
    let w = rep::from_bytes("huge", text, "huge.rep").unwrap();
    assert_eq!(w.stats().peak_live_bytes, u64::MAX);
    let mut a = AdapterSpec::default_pool().build(1 << 20).unwrap();
    let r = replay(&w, a.as_mut(), &ReplayConfig::default());
    assert_eq!((r.failures, r.oversized, r.skipped_frees), (2, 2, 2));
}

#[test]
fn random_bytes_are_errors_not_panics() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(99);
    let alphabet = b"arf -0123456789\r\n\t x+<>!@=()nil\xff";
    for _ in 0..2_000 {
        let len = rng.random_range(0..80);
        let text: Vec<u8> = (0..len)
            .map(|_| alphabet[rng.random_range(0..alphabet.len())])
            .collect();
        let _ = rep::parse(&text, "random.rep");
        let _ = workloads::mtrace::parse(&text, "random.mtrace");
        let mut framed = b"1\n4\n3\n1\n".to_vec();
        framed.extend_from_slice(&text);
        let _ = rep::parse(&framed, "random.rep");
        let _ = rep::from_bytes("z", &[&rep::ZSTD_MAGIC[..], &text].concat(), "random.zst");
    }
}
