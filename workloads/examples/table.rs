//! Prints the README's trace table: every built-in and shared trace with its ops, peak live
//! bytes, and utilisation and footprint under the default pool (1 GiB region).
//!
//! ```text
//! cargo run --release -p workloads --example table            # built-in + shared traces
//! cargo run --release -p workloads --example table -- DIR...  # the traces under DIR... instead
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use workloads::corpus::{load_dir, shared_traces_dir};
use workloads::{builtin, replay, AdapterSpec, ReplayConfig, Sampling, Workload};

const GIB: usize = 1 << 30;

fn row(set: &str, w: &Workload) -> Result<String, workloads::AdapterError> {
    let stats = w.stats();
    let mut pool = AdapterSpec::default_pool().build(GIB)?;
    let config = ReplayConfig {
        sampling: Sampling::Off,
        track: true,
    };
    let r = replay(w, pool.as_mut(), &config);
    let utilisation = r
        .metrics
        .utilisation
        .map_or_else(|| "-".to_owned(), |u| format!("{:.1} %", u * 100.0));
    let footprint = r
        .metrics
        .footprint
        .map_or_else(|| "-".to_owned(), |f| f.to_string());
    let failures = if r.failures == 0 {
        String::new()
    } else {
        format!(" ({} failed: larger than the region)", r.failures)
    };
    Ok(format!(
        "| {set} | {} | {} | {} | {} | {utilisation}{failures} | {footprint} |",
        w.name, stats.ops, stats.peak_live_bytes, stats.peak_live_blocks
    ))
}

fn main() -> ExitCode {
    let dirs: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let mut sets: Vec<(String, Vec<Workload>)> = Vec::new();
    if dirs.is_empty() {
        match builtin::traces() {
            Ok(t) => sets.push(("built-in".into(), t)),
            Err(e) => {
                eprintln!("table: {e}");
                return ExitCode::FAILURE;
            }
        }
        match shared_traces_dir() {
            Some(dir) => match load_dir(&dir) {
                Ok(t) => sets.push(("shared".into(), t)),
                Err(e) => {
                    eprintln!("table: {e}");
                    return ExitCode::FAILURE;
                }
            },
            None => eprintln!("table: no shared traces folder; built-in traces only"),
        }
    } else {
        for dir in dirs {
            match load_dir(&dir) {
                Ok(t) => sets.push((dir.display().to_string(), t)),
                Err(e) => {
                    eprintln!("table: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    println!(
        "| set | trace | ops | peak live bytes | peak live blocks | utilisation (default pool) | footprint (bytes) |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    for (set, traces) in &sets {
        for w in traces {
            match row(set, w) {
                Ok(line) => println!("{line}"),
                Err(e) => {
                    eprintln!("table: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    ExitCode::SUCCESS
}
