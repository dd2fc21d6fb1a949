//! The two programs the deterministic gate runs, for any [`GateSet`]: `replay_counted` (one
//! replay, which the callgrind benchmarks count) and `figures` (the fragmentation and
//! placement figures of the whole set). The workbench's binaries (`src/bin/`) call them
//! with [`GateSet::builtin`]; a user's crate calls them with its own set, each in a binary of
//! a few lines.
//!
//! `replay_counted <workload> <allocator>` / `replay_counted <workload> --harness` loads one
//! workload of the gate's set (`benches::selection`, quick size), builds the allocator over
//! the suite's region for it, evicts what that left in the caches
//! ([`counting::CACHE_FLUSH_BYTES`]), and replays it once with `ReplayConfig::timing()` (no
//! tracking, no sampling) in [`replay`], calling the allocator through `&mut dyn Allocator`.
//! What callgrind counts of that is chosen by its toggles ([`counting`]): the allocator's
//! calls, or with `--harness` the replay around the default pool's calls. Prints one line:
//! ops, failures.
//!
//! Run it by hand under callgrind to look inside one benchmark:
//!
//! ```sh
//! cargo build --release -p deterministic --bin replay_counted
//! valgrind --tool=callgrind --collect-atstart=no \
//!   --toggle-collect='*as workloads::adapters::Allocator>::allocate' \
//!   --toggle-collect='*as workloads::adapters::Allocator>::free' \
//!   --toggle-collect='*as workloads::adapters::Allocator>::realloc' \
//!   target/release/replay_counted synthetic/fifo talc
//! ```
//!
//! `figures [--out FILE]` measures every workload of the gate's set on every allocator of
//! [`GateSet::measured`] ([`figures::measure_set`]), twice, to check that the same build gives
//! the same figures. Writes JSON to FILE (default: stdout) and a one-line summary to stderr.
//! Exit 1 when the two measurements differ (the message lists the benchmarks), 2 on a usage
//! error.

use std::path::PathBuf;
use std::process::ExitCode;

use benches::selection;
use workloads::{AdapterSpec, Allocator, ReplayConfig, ReplayResult, Workload};

use crate::set::GateSet;
use crate::{counting, figures};

/// The whole replay: [`counting::HARNESS_ENTRY`] names this function, so it must stay a
/// function of its own.
#[inline(never)]
pub fn replay(workload: &Workload, alloc: &mut dyn Allocator) -> ReplayResult {
    workloads::replay(workload, alloc, &ReplayConfig::timing())
}

/// Writes one byte of every 64-byte line of a buffer of [`counting::CACHE_FLUSH_BYTES`],
/// evicting whatever the setup left in the (simulated) caches.
fn flush_caches() {
    let mut buf = vec![0u8; counting::CACHE_FLUSH_BYTES];
    for line in buf.chunks_mut(64) {
        line[0] = 1;
    }
    std::hint::black_box(&buf);
}

/// `replay_counted` over `args` (without the program's name), for `set`.
fn replay_counted_run(args: &[String], set: &GateSet) -> Result<String, String> {
    let usage =
        "usage: replay_counted <workload> <allocator> | replay_counted <workload> --harness";
    let [name, alloc] = args else {
        return Err(usage.into());
    };
    let entry = match alloc.strip_prefix("--") {
        Some(counting::HARNESS) => AdapterSpec::from_name(counting::HARNESS_ALLOCATOR)
            .map_err(|e| e.to_string())?
            .into(),
        Some(_) => return Err(usage.into()),
        None => set.find(alloc)?,
    };
    let item = selection::gate_workload(name).map_err(|e| e.to_string())?;
    let mut a = entry
        .build(item.capacity_bytes())
        .map_err(|e| format!("{alloc} on {name}: {e}"))?;
    flush_caches();
    let r = replay(&item.workload, a.as_mut());
    Ok(format!(
        "{name} on {}: {} ops, {} failed",
        entry.name(),
        r.ops,
        r.failures
    ))
}

/// The `replay_counted` program for `set`: reads the process's arguments, prints the line or
/// the error, and returns the exit status (1 on any error).
#[must_use]
pub fn replay_counted(set: &GateSet) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match replay_counted_run(&args, set) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("replay_counted: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The `figures` program for `set`: reads the process's arguments (`[--out FILE]`), writes
/// the figures, and returns the exit status.
#[must_use]
pub fn figures(set: &GateSet) -> ExitCode {
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
    let measured = match figures::measure_set(set) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("figures: {e}");
            return ExitCode::FAILURE;
        }
    };
    for note in &measured.notes {
        eprintln!("figures: {note}");
    }
    let written = match &out {
        Some(path) => measured.write(path).map_err(|e| e.to_string()),
        None => serde_json::to_string_pretty(&measured)
            .map(|t| println!("{t}"))
            .map_err(|e| e.to_string()),
    };
    if let Err(e) = written {
        eprintln!("figures: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!(
        "figures: {} benchmarks, each measured twice with the same figures, in {:.1} s",
        measured.figures.len(),
        start.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn replay_counted_resolves_names_in_its_set() {
        let set = GateSet::builtin();
        let line = replay_counted_run(&args(&["synthetic/fifo", "talc"]), &set).unwrap();
        assert!(line.starts_with("synthetic/fifo on talc: "), "{line}");
        assert!(line.ends_with(" 0 failed"), "{line}");
        let harness = replay_counted_run(&args(&["synthetic/fifo", "--harness"]), &set).unwrap();
        assert!(harness.contains(" on mempool: "), "{harness}");
        let only_pool =
            GateSet::new(vec![AdapterSpec::default_pool().into()]).expect("one allocator");
        let e = replay_counted_run(&args(&["synthetic/fifo", "talc"]), &only_pool).unwrap_err();
        assert!(e.contains("\"talc\""), "{e}");
        for bad in [&["synthetic/fifo"][..], &["synthetic/fifo", "--talc"]] {
            let e = replay_counted_run(&args(bad), &set).unwrap_err();
            assert!(e.starts_with("usage:"), "{e}");
        }
    }
}
