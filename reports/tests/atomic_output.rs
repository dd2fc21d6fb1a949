//! A report is written into a temporary sibling of its output folder and renamed into place
//! when complete: a run killed half-way leaves the earlier report at the output path as it
//! was, and nothing under the output's name that looks finished. (`Staged`'s unit tests in
//! `src/output.rs` cover failing runs, replacement and refusals.)

mod common;

use std::time::{Duration, Instant};

use common::{command, listing, only_traces, trace_folder};

#[test]
fn a_report_killed_half_way_leaves_the_earlier_one_in_place() {
    let tmp = tempfile::tempdir().unwrap();
    let traces = trace_folder(tmp.path(), "traces", false);
    let out = tmp.path().join("report");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("results.json"), "earlier").unwrap();
    let mut child = command()
        .args(only_traces(&traces, &out))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the run has made its temporary folder (it does before loading the suite),
    // then kill it mid-run.
    let started = Instant::now();
    let temp = loop {
        let made = listing(tmp.path())
            .into_iter()
            .find(|n| n.starts_with(".report.incomplete-"));
        if let Some(n) = made {
            break tmp.path().join(n);
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the report ended before making its folder"
        );
        assert!(started.elapsed() < Duration::from_secs(120), "no folder");
        std::thread::sleep(Duration::from_millis(5));
    };
    // Well before it could finish (the --quick plan takes minutes in a debug build).
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the report finished before it was killed"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("results.json")).unwrap(),
        "earlier"
    );
    assert_eq!(listing(&out), ["results.json"]);
    // What was left is the sibling whose name says it is incomplete.
    assert!(temp.is_dir());
    let mut names = listing(tmp.path());
    names.retain(|n| !n.starts_with(".report.incomplete-"));
    assert_eq!(names, ["report", "traces"]);
}
