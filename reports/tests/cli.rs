//! The command line's pieces: argument parsing, `check` on a dumped and deliberately
//! corrupted buffer, a tiny report written into a temporary folder, and the page's
//! self-containment.

mod common;

use std::path::Path;

use common::workbench;

use clap::Parser;
use reports::cli::{Cli, Command as Sub};
use reports::report::{self, Plan};
use reports::report_figures;
use reports::scaling::ScalingPlan;
use workloads::generate::Generator;
use workloads::suite::{Item, Source, Suite};
use workloads::{AdapterSpec, PoolVariant};

fn parse(args: &[&str]) -> Result<Sub, clap::Error> {
    Cli::try_parse_from(args).map(Cli::into_command)
}

#[test]
fn no_subcommand_is_the_default_report() {
    match parse(&["workbench"]).unwrap() {
        Sub::Report(r) => {
            assert!(!r.suite.quick);
            assert!(r.suite.traces.is_empty());
            assert!(r.out.out.is_none() && r.out.name.is_none());
        }
        other => panic!("expected report, got {other:?}"),
    }
    match parse(&[
        "workbench",
        "--quick",
        "--traces",
        "a",
        "--traces",
        "b",
        "--name",
        "ci",
    ])
    .unwrap()
    {
        Sub::Report(r) => {
            assert!(r.suite.quick);
            assert_eq!(r.suite.traces.len(), 2);
            assert_eq!(r.out.name.as_deref(), Some("ci"));
        }
        other => panic!("expected report, got {other:?}"),
    }
    assert!(matches!(
        parse(&["workbench", "report", "--out", "x"]).unwrap(),
        Sub::Report(r) if r.out.out.as_deref() == Some(Path::new("x"))
    ));
}

#[test]
fn subcommands_parse_their_options() {
    assert!(matches!(
        parse(&["workbench", "tune", "--quick", "--traces", "t", "--no-synthetic"]).unwrap(),
        Sub::Tune(t) if t.suite.quick && t.suite.no_synthetic && t.suite.traces.len() == 1
    ));
    match parse(&[
        "workbench",
        "replay",
        "x.rep",
        "--min-split",
        "64",
        "--no-compact",
        "--align",
        "16",
    ])
    .unwrap()
    {
        Sub::Replay(r) => {
            assert_eq!(r.min_split, Some(64));
            assert!(r.no_compact && !r.no_split);
            let spec = reports::commands::replay_spec_of(&r).unwrap();
            assert_eq!(
                spec,
                AdapterSpec::MemPool(PoolVariant {
                    align: 16,
                    compact: false,
                    split: true,
                    min_split: 64
                })
            );
        }
        other => panic!("expected replay, got {other:?}"),
    }
    match parse(&[
        "workbench",
        "replay",
        "x.rep",
        "--reference",
        "--min-split",
        "32",
    ])
    .unwrap()
    {
        Sub::Replay(r) => assert_eq!(
            reports::commands::replay_spec_of(&r).unwrap(),
            AdapterSpec::Reference(PoolVariant {
                min_split: 32,
                ..PoolVariant::default()
            })
        ),
        other => panic!("expected replay, got {other:?}"),
    }
    match parse(&["workbench", "check", "dump.bin", "--start", "16"]).unwrap() {
        Sub::Check(c) => assert_eq!((c.dump.as_path(), c.start), (Path::new("dump.bin"), 16)),
        other => panic!("expected check, got {other:?}"),
    }
    match parse(&["workbench", "record", "--out", "o", "--", "ls", "-l"]).unwrap() {
        Sub::Record(r) => assert_eq!(r.command, ["ls", "-l"]),
        other => panic!("expected record, got {other:?}"),
    }
}

#[test]
fn bad_arguments_are_refused() {
    // A peer takes no pool options.
    assert!(parse(&[
        "workbench",
        "replay",
        "x",
        "--allocator",
        "talc",
        "--min-split",
        "64"
    ])
    .is_err());
    assert!(parse(&[
        "workbench",
        "replay",
        "x",
        "--allocator",
        "talc",
        "--reference"
    ])
    .is_err());
    // record needs a program.
    assert!(parse(&["workbench", "record"]).is_err());
    // Report options do not mix with a subcommand.
    assert!(parse(&["workbench", "--quick", "tune"]).is_err());
    assert!(parse(&["workbench", "check"]).is_err());
    assert!(parse(&["workbench", "replay", "x", "--min-split", "many"]).is_err());
    // Values clap accepts but the pool refuses are refused with the option named.
    for (args, needle) in [
        (
            &["workbench", "replay", "x", "--min-split", "8"][..],
            "--min-split 8",
        ),
        (
            &["workbench", "replay", "x", "--align", "12"][..],
            "--align 12",
        ),
        (
            &["workbench", "replay", "x", "--allocator", "jemalloc"][..],
            "jemalloc",
        ),
    ] {
        let Sub::Replay(r) = parse(args).unwrap() else {
            panic!("expected replay");
        };
        let err = reports::commands::replay_spec_of(&r)
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "{err}");
    }
}

fn sample_heap() -> Vec<u8> {
    let mut pool = common::small_pool();
    let a = pool.malloc(40).unwrap();
    let _b = pool.malloc(24).unwrap();
    let c = pool.malloc(100).unwrap();
    let _d = pool.malloc(16).unwrap();
    assert!(pool.free(a) && pool.free(c));
    pool.check().unwrap();
    pool.into_inner()
}

#[test]
fn check_names_the_broken_invariant() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.bin");
    std::fs::write(&good, sample_heap()).unwrap();
    let out = workbench(&["check", good.to_str().unwrap(), "--start", "8"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("OK: all 8 heap invariants hold"), "{text}");

    // Grow the first free block so that it runs into the used block after it.
    let mut bytes = sample_heap();
    let free_head = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
    let size = u32::from_le_bytes(bytes[free_head..free_head + 4].try_into().unwrap());
    bytes[free_head..free_head + 4].copy_from_slice(&(size + 32).to_le_bytes());
    let bad = dir.path().join("bad.bin");
    std::fs::write(&bad, &bytes).unwrap();
    let out = workbench(&["check", bad.to_str().unwrap(), "--start", "8"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("invariant 6 (disjointness)"), "{text}");

    // The wrong start: the state words are garbage, and attach says which.
    let out = workbench(&["check", good.to_str().unwrap(), "--start", "0"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("cannot attach"), "{text}");

    let missing = dir.path().join("missing.bin");
    let out = workbench(&["check", missing.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("missing.bin") && err.contains("cannot read"),
        "{err}"
    );
}

#[test]
fn replay_prints_the_metrics_and_reports_bad_traces() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("tiny.rep");
    std::fs::write(
        &trace,
        "0\n3\n5\n1\na 0 100\na 1 200\nf 0\nr 1 400\na 2 50\n",
    )
    .unwrap();
    let out = workbench(&["replay", trace.to_str().unwrap(), "--min-split", "32"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("mempool(min_split=32)"), "{text}");
    assert!(text.contains("J&W #4"), "{text}");

    let broken = dir.path().join("broken.rep");
    std::fs::write(&broken, "0\n1\n2\n1\na 0 100\nx 0\n").unwrap();
    let out = workbench(&["replay", broken.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("broken.rep:6"), "{err}");
}

#[test]
fn a_missing_trace_folder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = workbench(&[
        "--quick",
        "--traces",
        "no/such/folder",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no/such/folder") && err.contains("not a folder"),
        "{err}"
    );
}

/// A tiny report: two small workloads, four allocators and the baseline, a 2 x 2 x 2 tuning
/// map, two scaling points.
fn tiny_report(dir: &Path) -> reports::results::Results {
    let gen = |g: Generator, name: &str| {
        let mut w = g.generate(3).unwrap();
        w.name = name.to_owned();
        Item::new(w, Source::Synthetic)
    };
    let suite = Suite {
        items: vec![
            gen(
                Generator::Fifo {
                    ops: 1_500,
                    queue_len: 40,
                    min: 8,
                    max: 300,
                },
                "synthetic/fifo",
            ),
            gen(
                Generator::Uniform {
                    ops: 600,
                    min: 1,
                    max: 2000,
                    alloc_prob: 0.6,
                    realloc_prob: 0.1,
                },
                "synthetic/uniform",
            ),
        ],
        notes: Vec::new(),
        folders: Vec::new(),
        skipped: Vec::new(),
    };
    let d = PoolVariant::default();
    let plan = Plan {
        quick: true,
        allocators: [
            AdapterSpec::default_pool(),
            AdapterSpec::MemPool(PoolVariant {
                compact: false,
                ..d
            }),
            AdapterSpec::Talc,
            AdapterSpec::System,
            AdapterSpec::Baseline,
        ]
        .map(Into::into)
        .to_vec(),
        rounds: 5,
        latency: true,
        tune_min_splits: vec![16, 64],
        scaling: ScalingPlan {
            sizes: vec![50, 200],
            churn: 200,
            reps: 1,
        },
    };
    report::generate(&suite, &plan, dir, "tiny").unwrap()
}

#[test]
fn a_tiny_report_writes_every_file_and_a_self_contained_page() {
    let dir = tempfile::tempdir().unwrap();
    let r = tiny_report(dir.path());
    for f in ["index.html", "summary.md", "results.json", "results.csv"] {
        let p = dir.path().join(f);
        assert!(p.is_file() && p.metadata().unwrap().len() > 100, "{f}");
    }
    // The overview figures + those of each workload.
    assert_eq!(
        r.figures.len(),
        report_figures::OVERVIEW_STEMS.len() + report_figures::workload_stems("x").len() * 2
    );
    for f in &r.figures {
        let svg = std::fs::read_to_string(dir.path().join(format!("{}.svg", f.stem))).unwrap();
        assert!(svg.contains("<text"), "{}: no text", f.stem);
        assert_eq!(dir.path().join(format!("{}.png", f.stem)).is_file(), f.png);
    }
    let html = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    let lower = html.to_ascii_lowercase();
    for banned in [
        "http://", "https://", "<script", "<link", "src=", "@import", "url(",
    ] {
        assert!(!lower.contains(banned), "index.html contains {banned}");
    }
    assert_eq!(html.matches("<svg").count(), r.figures.len());
    for f in &r.figures {
        assert!(
            html.contains(&format!("id=\"fig-{}\"", f.stem)),
            "{} not inlined",
            f.stem
        );
    }

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("results.json")).unwrap())
            .unwrap();
    assert_eq!(json["allocators"].as_array().unwrap().len(), 5);
    assert_eq!(json["runs"].as_array().unwrap().len(), 10);
    assert_eq!(json["scaling"].as_array().unwrap().len(), 10);
    let mut csv = csv::Reader::from_path(dir.path().join("results.csv")).unwrap();
    let headers = csv.headers().unwrap().clone();
    assert!(headers.iter().any(|h| h == "frag4_policy"));
    assert_eq!(csv.records().count(), 10);

    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(summary.contains("| mempool |"), "{summary}");
    assert!(summary.contains("Recommended:"), "{summary}");
    // The default pool never fails on these small workloads and has a measured #4: the FIFO
    // is a small heap (under 64 KiB live), the uniform one is not.
    let d = r.default_pool();
    assert_eq!(d.failures, 0);
    assert_eq!(
        (r.sets.small.as_slice(), r.sets.large.as_slice()),
        (&[0][..], &[1][..])
    );
    assert!(d.small_heaps.is_some_and(|f| f.geo_frag4 >= 0.0));
    assert!(d.fragmentation.is_some_and(|f| f.geo_frag4 >= 0.0));
    // The system allocator and the baseline have no heap to measure.
    assert!(r.aggregates[3].small_heaps.is_none());
    assert!(r.aggregates[4].small_heaps.is_none());
    // Speed: five rounds each, the interval around its estimate, the baseline fastest.
    for run in &r.runs {
        assert_eq!(run.round_ns.len(), 5, "{}", run.allocator);
        assert!(
            run.latency.is_some_and(|l| l.malloc.count > 0),
            "{}",
            run.allocator
        );
    }
    for a in &r.aggregates[1..] {
        let t = a.throughput.unwrap();
        assert!(
            t.low <= t.estimate && t.estimate <= t.high,
            "{}",
            a.allocator
        );
    }
    // Ranked: the three allocators with a heap; all four but the baseline by speed.
    assert_eq!(
        json["ranking"]["fragmentation"].as_array().unwrap().len(),
        3
    );
    assert_eq!(json["ranking"]["throughput"].as_array().unwrap().len(), 4);
    assert!(summary.contains("Latency per call"), "{summary}");
}
