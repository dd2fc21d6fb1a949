//! Prints the README's trace table: every built-in and shared trace with its ops, peak live
//! bytes, and utilisation and footprint under the default pool (in the suite's region,
//! `workloads::suite::capacity_for`).
//!
//! ```text
//! cargo run --release -p workloads --example table            # built-in + shared traces
//! cargo run --release -p workloads --example table -- DIR...  # the traces under DIR... instead
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use workloads::suite::{self, Item, Source, SuiteSpec};
use workloads::{replay, AdapterSpec, ReplayConfig, Sampling};

fn row(item: &Item) -> Result<String, workloads::AdapterError> {
    let (w, stats) = (&item.workload, &item.stats);
    let set = match &item.source {
        Source::Recorded => "built-in".to_owned(),
        Source::Folder(label) if label == suite::SHARED_LABEL => "shared".to_owned(),
        Source::Folder(label) | Source::File(label) => label.clone(),
        Source::Synthetic => "synthetic".to_owned(),
    };
    let mut pool = AdapterSpec::default_pool().build(item.capacity_bytes())?;
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
    let spec = SuiteSpec {
        builtin: dirs.is_empty(),
        traces: dirs,
        ..SuiteSpec::traces_only()
    };
    let loaded = match suite::load(&spec) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("table: {e}");
            return ExitCode::FAILURE;
        }
    };
    for note in &loaded.notes {
        eprintln!("table: {note}");
    }
    println!(
        "| set | trace | ops | peak live bytes | peak live blocks | utilisation (default pool) | footprint (bytes) |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    for item in &loaded.items {
        match row(item) {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("table: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
