//! One bad trace in a `--traces` folder does not sink a report or a tune: it is skipped and
//! named (file, line, reason), the run goes on and exits with code 3; `--strict` stops at it
//! with code 2 and leaves the output path alone; a suite left empty by skipping is an error.

mod common;

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use common::{listing, only_traces, texts, trace_folder, workbench};
use reports::cli::{OutArgs, ReportArgs, SuiteArgs};
use reports::report::{self, Plan};
use reports::scaling::ScalingPlan;
use workloads::AdapterSpec;

/// A plan small enough for a debug build: three allocators, a 2 x 2 tuning map, two scaling
/// points.
fn tiny_plan() -> Plan {
    Plan {
        quick: true,
        allocators: [
            AdapterSpec::default_pool(),
            AdapterSpec::Talc,
            AdapterSpec::Baseline,
        ]
        .map(Into::into)
        .to_vec(),
        rounds: 5,
        latency: false,
        tune_min_splits: vec![16, 64],
        scaling: ScalingPlan {
            sizes: vec![50, 200],
            churn: 200,
            reps: 1,
        },
    }
}

fn report_args(traces: &Path, out: &Path, strict: bool) -> ReportArgs {
    ReportArgs {
        suite: SuiteArgs {
            traces: vec![traces.to_path_buf()],
            strict,
            quick: true,
            no_synthetic: true,
            no_builtin: true,
        },
        out: OutArgs {
            out: Some(out.to_path_buf()),
            name: None,
        },
    }
}

/// The report over `good.rep` + `bad.rep` alone, on a tiny plan (the binary's `--quick` plan
/// takes minutes in a debug build, most of it the scaling measurement; the binary's exit code
/// comes from the same `Finished::exit_code`, run through the binary by the `tune` test below).
#[test]
fn a_report_skips_the_bad_trace_names_it_and_exits_3() {
    let tmp = tempfile::tempdir().unwrap();
    let traces = trace_folder(tmp.path(), "traces", true);
    let out = tmp.path().join("report");
    let (finished, _) = report::run_plan(&report_args(&traces, &out, false), &tiny_plan()).unwrap();
    assert_eq!(finished.exit_code(), ExitCode::from(3));
    assert_eq!(finished.dir, out);
    let [bad] = &finished.skipped[..] else {
        panic!("{:?}", finished.skipped)
    };
    assert_eq!(bad.path, traces.join("bad.rep").display().to_string());
    assert_eq!(bad.line, Some(6));
    assert!(bad.reason.starts_with("unknown op \"x\""), "{bad}");
    let note = finished.skipped_note().unwrap();
    assert!(
        note.contains("1 trace was skipped") && note.contains("exit code 3"),
        "{note}"
    );
    // The report ran on the good trace alone, and is in place: nothing else beside it.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let workloads: Vec<&str> = json["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(workloads, ["good"]);
    assert!(out.join("index.html").is_file());
    // The skipped trace is named in results.json, at the top of the findings and in
    // summary.md.
    assert_eq!(json["skipped"][0]["line"], 6);
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    let findings = summary.split("## Findings").nth(1).unwrap();
    assert!(
        findings
            .trim_start()
            .starts_with("- 1 trace could not be loaded"),
        "{findings}"
    );
    assert!(summary.contains("## Skipped traces"), "{summary}");
    assert_eq!(listing(tmp.path()), ["report", "traces"]);

    // --strict: the bad trace is the error, and the report just written stays as it is.
    let before = std::fs::read(out.join("results.json")).unwrap();
    let err = report::run_plan(&report_args(&traces, &out, true), &tiny_plan()).unwrap_err();
    let msg = reports::error_message(&err);
    assert!(
        msg.contains(&format!(
            "{}:6: unknown op",
            traces.join("bad.rep").display()
        )),
        "{msg}"
    );
    assert_eq!(std::fs::read(out.join("results.json")).unwrap(), before);
    assert_eq!(listing(tmp.path()), ["report", "traces"]);
}

#[test]
fn strict_stops_at_the_bad_trace_with_exit_2_and_leaves_the_output_path_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let traces = trace_folder(tmp.path(), "traces", true);
    // An earlier report at the output path.
    let out = tmp.path().join("report");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("results.json"), "{}").unwrap();
    for sub in ["report", "tune"] {
        let mut args = vec![OsString::from(sub), "--strict".into()];
        args.extend(only_traces(&traces, &out));
        let run = workbench(&args);
        let (stdout, stderr) = texts(&run);
        assert_eq!(run.status.code(), Some(2), "{sub}: {stdout}{stderr}");
        assert!(
            stderr.contains(&format!(
                "error: loading the suite: {}:6: unknown op \"x\"",
                traces.join("bad.rep").display()
            )),
            "{sub}: {stderr}"
        );
        assert!(!stderr.contains("skipped"), "{sub}: {stderr}");
        assert_eq!(listing(tmp.path()), ["report", "traces"], "{sub}");
        assert_eq!(listing(&out), ["results.json"], "{sub}");
    }
}

#[test]
fn tune_skips_too_and_a_folder_of_bad_traces_only_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let traces = trace_folder(tmp.path(), "traces", true);
    let out = tmp.path().join("tune");
    let tune = |traces: &Path| {
        let mut args = vec![OsString::from("tune")];
        args.extend(only_traces(traces, &out));
        workbench(&args)
    };
    let run = tune(&traces);
    let (stdout, stderr) = texts(&run);
    assert_eq!(run.status.code(), Some(3), "{stdout}{stderr}");
    assert!(stderr.contains("bad.rep:6: unknown op"), "{stderr}");
    assert!(out.join("tune.json").is_file());

    let only_bad = tmp.path().join("only-bad");
    std::fs::create_dir(&only_bad).unwrap();
    std::fs::write(only_bad.join("bad.rep"), common::BAD_TRACE).unwrap();
    let run = tune(&only_bad);
    let (stdout, stderr) = texts(&run);
    assert_eq!(run.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains("the suite is empty: every trace was skipped (1): ")
            && stderr.contains("bad.rep:6: unknown op"),
        "{stderr}"
    );
    // The earlier tune is still there.
    assert!(out.join("tune.json").is_file());
}

#[test]
fn help_lists_the_exit_codes() {
    let run = workbench(&["--help"]);
    let (stdout, _) = texts(&run);
    assert!(run.status.success());
    for line in [
        "Exit codes:",
        "  2  an error",
        "  3  report, tune: finished, but",
    ] {
        assert!(stdout.contains(line), "{line:?} not in\n{stdout}");
    }
    assert!(stdout.contains("--strict"), "{stdout}");
}
