//! `figures [--out FILE]`
//!
//! The fragmentation and placement figures of the deterministic gate's set
//! (`deterministic::figures`): every workload and allocator of `benches::selection`, one tracked
//! replay each, measured twice to check that the same build gives the same figures. Writes
//! JSON to FILE (default: stdout) and a one-line summary to stderr. Exit 1 when the two
//! measurements differ (the message lists the benchmarks), 2 on a usage error.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::path::PathBuf;
use std::process::ExitCode;

use deterministic::figures;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = match args.as_slice() {
        [] => None,
        [flag, file] if flag == "--out" => Some(PathBuf::from(file)),
        _ => {
            eprintln!("usage: figures [--out FILE]");
            return ExitCode::from(2);
        }
    };
    let start = std::time::Instant::now();
    let set = match figures::measure_set() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("figures: {e}");
            return ExitCode::FAILURE;
        }
    };
    for note in &set.notes {
        eprintln!("figures: {note}");
    }
    let written = match &out {
        Some(path) => set.write(path).map_err(|e| e.to_string()),
        None => serde_json::to_string_pretty(&set)
            .map(|t| println!("{t}"))
            .map_err(|e| e.to_string()),
    };
    if let Err(e) = written {
        eprintln!("figures: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!(
        "figures: {} benchmarks, each measured twice with the same figures, in {:.1} s",
        set.figures.len(),
        start.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}
