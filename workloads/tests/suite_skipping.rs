//! Bad traces in a suite: with `BadTraces::Skip` an unreadable or malformed trace is left out
//! and listed (file, line, reason) while the rest loads; with `BadTraces::Stop` (the default)
//! the first one fails the load; a suite left empty by skipping is an error.

use std::fs;
use std::path::{Path, PathBuf};

use workloads::suite::{self, BadTraces, Select, Skipped, SuiteSpec};
use workloads::SuiteError;

const GOOD: &str = "0\n3\n5\n1\na 0 100\na 1 200\nf 0\nr 1 400\na 2 50\n";
const BAD_OP: &str = "0\n1\n2\n1\na 0 100\nx 0\n";

/// A folder holding one good trace and three bad ones: an unknown op on line 6, a `.rep.zst`
/// that is not zstd data, and a link to nothing (unreadable even for root).
fn folder() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("traces");
    fs::create_dir_all(dir.join("sub")).unwrap();
    fs::write(dir.join("good.rep"), GOOD).unwrap();
    fs::write(dir.join("badop.rep"), BAD_OP).unwrap();
    fs::write(
        dir.join("sub").join("torn.rep.zst"),
        b"\x28\xb5\x2f\xfd garbage",
    )
    .unwrap();
    std::os::unix::fs::symlink(tmp.path().join("nowhere"), dir.join("gone.rep")).unwrap();
    (tmp, dir)
}

fn spec(traces: Vec<PathBuf>, bad_traces: BadTraces) -> SuiteSpec {
    SuiteSpec {
        builtin: false,
        synthetic: Vec::new(),
        traces,
        bad_traces,
        ..SuiteSpec::default()
    }
}

fn named(skipped: &[Skipped], file: &str) -> Skipped {
    skipped
        .iter()
        .find(|s| Path::new(&s.path).ends_with(file))
        .unwrap_or_else(|| panic!("{file} not in {skipped:#?}"))
        .clone()
}

#[test]
fn skipping_loads_the_rest_and_lists_each_bad_trace_with_file_line_and_reason() {
    let (_tmp, dir) = folder();
    let s = suite::load(&spec(vec![dir.clone()], BadTraces::Skip)).unwrap();
    let names: Vec<&str> = s.items.iter().map(|i| i.workload.name.as_str()).collect();
    assert_eq!(names, ["good"]);
    assert_eq!(s.skipped.len(), 3, "{:#?}", s.skipped);
    let bad = named(&s.skipped, "badop.rep");
    assert_eq!(bad.line, Some(6));
    assert!(bad.reason.contains("unknown op \"x\""), "{bad}");
    assert_eq!(bad.to_string(), format!("{}:6: {}", bad.path, bad.reason));
    let torn = named(&s.skipped, "sub/torn.rep.zst");
    assert_eq!(torn.line, None);
    assert!(torn.reason.starts_with("zstd decompression: "), "{torn}");
    let gone = named(&s.skipped, "gone.rep");
    assert!(gone.reason.starts_with("read: "), "{gone}");
    assert!(s.notes.is_empty(), "skips are not notes: {:?}", s.notes);
}

#[test]
fn stopping_is_the_default_and_fails_at_the_first_bad_trace() {
    let (_tmp, dir) = folder();
    assert_eq!(SuiteSpec::default().bad_traces, BadTraces::Stop);
    let err = suite::load(&spec(vec![dir], BadTraces::Stop)).unwrap_err();
    // Files are read in path order: badop.rep comes first.
    let text = err.to_string();
    assert!(matches!(err, SuiteError::Trace(_)), "{err:?}");
    assert!(
        text.ends_with("badop.rep:6: unknown op \"x\" (expected `a`, `r` or `f`)"),
        "{text}"
    );
}

#[test]
fn a_single_bad_trace_file_is_skipped_too_and_an_empty_result_is_an_error() {
    let (_tmp, dir) = folder();
    let bad = dir.join("badop.rep");
    let s = suite::load(&spec(
        vec![dir.join("good.rep"), bad.clone()],
        BadTraces::Skip,
    ))
    .unwrap();
    assert_eq!(s.items.len(), 1);
    assert_eq!(s.skipped, [named(&s.skipped, "badop.rep")]);

    let err = suite::load(&spec(vec![bad], BadTraces::Skip)).unwrap_err();
    let SuiteError::AllSkipped { ref skipped } = err else {
        panic!("expected AllSkipped, got {err:?}");
    };
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("the suite is empty: every trace was skipped (1): ")
            && text.contains("badop.rep:6: unknown op"),
        "{text}"
    );
}

#[test]
fn only_what_is_selected_is_read_and_a_folder_without_traces_is_still_an_error() {
    let (_tmp, dir) = folder();
    let mut only_good = spec(vec![dir.clone()], BadTraces::Stop);
    only_good.select = Select::Named(vec!["good".to_owned()]);
    let s = suite::load(&only_good).unwrap();
    assert_eq!((s.items.len(), s.skipped.len()), (1, 0));

    let empty = dir.parent().unwrap().join("empty");
    fs::create_dir_all(&empty).unwrap();
    let err = suite::load(&spec(vec![empty], BadTraces::Skip)).unwrap_err();
    assert!(matches!(err, SuiteError::EmptyFolder { .. }), "{err:?}");
}
