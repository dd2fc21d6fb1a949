//! glibc mtrace logs that end in a record cut short (a process killed, or an `exec` or
//! `_exit` with output unwritten): that record is dropped, even when what is left of it
//! would parse, with a warning naming the file, line and number of records dropped, and the
//! rest of the log converts.

use workloads::error::TraceWarning;
use workloads::{mtrace, Op};

const ALLOCS: &str = "= Start\n@ ./prog:[0x401136] + 0x1000 0x10\n\
                      @ ./prog:[0x401136] + 0x2000 0x20\n@ ./prog:[0x40114d] - 0x1000\n";

#[test]
fn a_cut_record_is_dropped_with_a_warning_and_the_rest_kept() {
    // What is left of the cut line would parse (`0x1` of `0x1f0`): it is dropped all the same.
    let cut = format!("{ALLOCS}@ ./prog:[0x401136] + 0x3000 0x1");
    let t = mtrace::parse(cut.as_bytes(), "p.mtrace").unwrap();
    assert_eq!(
        t.ops,
        [
            Op::Alloc { id: 0, size: 16 },
            Op::Alloc { id: 1, size: 32 },
            Op::Free { id: 0 },
        ]
    );
    assert!(t.report.truncated_tail);
    let w = TraceWarning::CutRecord {
        file: "p.mtrace".into(),
        line: 5,
        dropped: 1,
    };
    assert_eq!(t.warnings, std::slice::from_ref(&w));
    let text = w.to_string();
    assert!(text.starts_with("p.mtrace:5: "), "{text}");
    assert!(text.contains("dropped 1 record(s)"), "{text}");

    // A realloc cut in its `>` line loses both of its lines.
    let cut = format!("{ALLOCS}@ x < 0x2000\n@ x > 0x4000 0x4");
    let t = mtrace::parse(cut.as_bytes(), "p.mtrace").unwrap();
    assert_eq!(t.ops.len(), 3);
    assert_eq!(
        t.warnings,
        [TraceWarning::CutRecord {
            file: "p.mtrace".into(),
            line: 5,
            dropped: 2
        }]
    );
    // A log that ends between the two: the `<` alone.
    let cut = format!("{ALLOCS}@ x < 0x2000\n");
    let t = mtrace::parse(cut.as_bytes(), "p.mtrace").unwrap();
    assert!(matches!(
        t.warnings[..],
        [TraceWarning::CutRecord {
            line: 5,
            dropped: 1,
            ..
        }]
    ));
    // A marker without its line end is no record; a complete log warns of nothing.
    for whole in [format!("{ALLOCS}= End"), ALLOCS.to_owned()] {
        let t = mtrace::parse(whole.as_bytes(), "p.mtrace").unwrap();
        assert!(t.warnings.is_empty() && !t.report.truncated_tail);
        assert_eq!(t.ops.len(), 3);
    }
}
