//! A report is written into a temporary sibling of its output folder and renamed into place
//! when complete: a run killed half-way leaves the earlier report at the output path as it
//! was, and nothing under the output's name that looks finished.

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
    // Wait until the run has written its first file (a figure, after the replays and the
    // scaling measurement), then kill it.
    let started = Instant::now();
    let temp = loop {
        let written = listing(tmp.path())
            .into_iter()
            .filter(|n| n.starts_with(".report.incomplete-"))
            .map(|n| tmp.path().join(n))
            .find(|d| std::fs::read_dir(d).is_ok_and(|mut e| e.next().is_some()));
        if let Some(d) = written {
            break d;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the report ended before writing anything"
        );
        assert!(started.elapsed() < Duration::from_secs(300), "no output");
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("results.json")).unwrap(),
        "earlier"
    );
    assert_eq!(listing(&out), ["results.json"]);
    // What was written is in the sibling whose name says it is incomplete, and only there.
    assert!(!listing(&temp).is_empty());
    let mut names = listing(tmp.path());
    names.retain(|n| !n.starts_with(".report.incomplete-"));
    assert_eq!(names, ["report", "traces"]);
}
