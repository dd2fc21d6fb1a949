//! Converting a recording's raw logs (no program run, so no glibc debug library needed):
//! one trace per log, named from the log; a record cut short loses only itself, with a
//! warning naming the file, line and count; a log that cannot be converted loses only its
//! own trace.

use workloads::error::{RecordWarning, TraceWarning};
use workloads::record::{self, convert_logs};
use workloads::rep::{self, RepVariant};

const ALLOCS: &str = "= program prog\n= Start\n@ ./prog:[0x401136] + 0x1000 0x10\n\
                      @ ./prog:[0x401136] + 0x2000 0x20\n@ ./prog:[0x40114d] - 0x1000\n";

#[test]
fn each_log_becomes_one_trace_and_a_bad_one_costs_only_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let out = tmp.path().join("out");
    std::fs::create_dir(&raw).unwrap();
    let write = |name: &str, text: &str| std::fs::write(raw.join(name), text).unwrap();
    // pid 100: a wrapper (image 0) that exec'd the program (image 1), killed mid-record.
    write("100.0.mtrace", "= program sh\n= Start\n+ 0x10 0x8\n");
    write(
        "100.1.mtrace",
        &format!("{ALLOCS}@ ./prog:[0x401136] + 0x30"),
    );
    // pid 101: a line in the middle that is no record.
    write(
        "101.0.mtrace",
        "= program bad\n+ 0x10 0x8\nhello\n+ 0x20 0x8\n",
    );
    // pid 102: nothing allocated; pid 103: no program line.
    write("102.0.mtrace", "= program idle\n= Start\n");
    write("103.0.mtrace", "+ 0x10 0x8\n");
    // Not logs.
    write("notes.txt", "+ 0x10 0x8\n");
    write("7.mtrace", "+ 0x10 0x8\n");

    let done = convert_logs(&raw, &out, RepVariant::Lab2016).unwrap();
    let names: Vec<(String, u32, u32, u64)> = done
        .traces
        .iter()
        .map(|t| (t.program.clone(), t.pid, t.image, t.ops))
        .collect();
    assert_eq!(
        names,
        [
            ("sh".into(), 100, 0, 1),
            ("prog".into(), 100, 1, 3),
            ("unknown".into(), 103, 0, 1),
        ]
    );
    assert_eq!(done.empty, 1);
    let last: Vec<(u32, u32)> = done.last_images.iter().map(|(&p, &i)| (p, i)).collect();
    assert_eq!(last, [(100, 1), (101, 0), (102, 0), (103, 0)]);
    for t in &done.traces {
        let name = record::trace_name(&t.program, t.pid, t.image);
        assert_eq!(t.path, out.join(format!("{name}.rep.zst")));
        assert_eq!(rep::read(&t.path).unwrap().name, name);
    }
    let cut_file = raw.join("100.1.mtrace").display().to_string();
    let bad_file = raw.join("101.0.mtrace").display().to_string();
    assert_eq!(done.warnings.len(), 2, "{:?}", done.warnings);
    assert_eq!(
        done.warnings[0],
        RecordWarning::Trace(TraceWarning::CutRecord {
            file: cut_file,
            line: 6,
            dropped: 1
        })
    );
    match &done.warnings[1] {
        RecordWarning::Unconverted { file, error, kept } => {
            assert_eq!(file, &bad_file);
            assert!(error.starts_with(&format!("{bad_file}:3: ")), "{error}");
            assert_eq!(kept, &raw.display().to_string());
        }
        other => panic!("{other:?}"),
    }
    let text = done.warnings[1].to_string();
    assert!(text.contains("no trace written"), "{text}");
}
