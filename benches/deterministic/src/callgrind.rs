//! The gungraun benchmarks of a [`GateSet`]: the gate's workloads (`benches::selection`:
//! CI-sized) x the set's counted allocators ([`GateSet::counted`]) under callgrind with its
//! cache simulation, one replay each by a `replay_counted` binary, plus the harness once per
//! workload. What is counted is [`counting`]'s.
//!
//! A bench target holds only gungraun's two macros around [`benchmarks`] (the workbench's is
//! `benches/callgrind.rs`; a user's crate writes the same with its own binary and set):
//!
//! ```rust,ignore
//! binary_benchmark_group!(
//!     name = gate;
//!     benchmarks = |group: &mut BinaryBenchmarkGroup| deterministic::callgrind::benchmarks(
//!         group, env!("CARGO_BIN_EXE_replay_counted"), &GateSet::builtin())
//! );
//! main!(binary_benchmark_groups = gate);
//! ```
//!
//! Ids: group `gate`, benchmark `<workload>`, bench `<allocator>`, each name with every
//! character that is not a letter or digit written `_` ([`ident`]; gungraun wants
//! identifiers). The gate (`det_gate`) reads the command line of each run back from the
//! summaries, so it names the benchmarks as every other tool does:
//! `<workload>/<allocator>`. The simulated caches are gungraun's fixed defaults (L1
//! instruction and data 32 KiB, 8-way, 64-byte lines; last level 8 MiB, 16-way), so a count
//! does not depend on the machine's caches.

use std::collections::BTreeSet;

use benches::selection;
use gungraun::{
    Bench, BinaryBenchmark, BinaryBenchmarkConfig, BinaryBenchmarkGroup, Callgrind, Command,
};
use workloads::suite::{shared_traces_dir, AllocatorEntry, SHARED_TRACES_ENV};

use crate::counting;
use crate::set::GateSet;

/// `name` as a gungraun id: letters and digits kept, anything else `_`.
#[must_use]
pub fn ident(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The callgrind options of one benchmark: collection only inside the allocator's calls, and
/// inside the replay too for the harness count.
fn callgrind(harness: bool) -> BinaryBenchmarkConfig {
    let mut args = vec!["--collect-atstart=no".to_owned()];
    if harness {
        args.push(format!("--toggle-collect={}", counting::HARNESS_ENTRY));
    }
    args.extend(
        counting::ALLOCATOR_CALLS
            .iter()
            .map(|p| format!("--toggle-collect={p}")),
    );
    let mut config = BinaryBenchmarkConfig::default();
    config.tool(Callgrind::with_args(args));
    config
}

fn command(binary: &str, workload: &str, allocator_arg: &str) -> Command {
    let mut c = Command::new(binary);
    c.arg(workload).arg(allocator_arg);
    // The benchmark runs with a cleared environment: name the shared traces explicitly.
    if let Some(dir) = shared_traces_dir() {
        c.env(SHARED_TRACES_ENV, dir);
    }
    c.build()
}

/// Adds one benchmark per workload of the gate's set to `group`: the harness count and one
/// bench per allocator of `set.counted()`, each running `binary` (a `replay_counted`
/// program, [`crate::programs::replay_counted`], built with the same set).
///
/// # Panics
/// When the gate's workloads cannot be loaded, or two allocators' names give one gungraun id
/// (gungraun's group builder has no way to return an error; the message names the cause).
pub fn benchmarks(group: &mut BinaryBenchmarkGroup, binary: &str, set: &GateSet) {
    let (items, notes) =
        selection::gate_workloads().unwrap_or_else(|e| panic!("deterministic/callgrind: {e}"));
    for note in notes {
        eprintln!("deterministic/callgrind: {note}");
    }
    let allocators: Vec<String> = set.counted().iter().map(AllocatorEntry::name).collect();
    let mut ids = BTreeSet::new();
    for item in &items {
        let w = &item.workload.name;
        let mut bench = BinaryBenchmark::new(ident(w));
        let mut harness = Bench::new(counting::HARNESS);
        harness
            .command(command(binary, w, &format!("--{}", counting::HARNESS)))
            .config(callgrind(true));
        bench.bench(harness);
        for a in &allocators {
            assert!(
                ids.insert((ident(w), ident(a))),
                "deterministic/callgrind: two benchmarks are called {}/{}",
                ident(w),
                ident(a)
            );
            let mut b = Bench::new(ident(a));
            b.command(command(binary, w, a)).config(callgrind(false));
            bench.bench(b);
        }
        group.binary_benchmark(bench);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_letters_and_digits_only() {
        assert_eq!(ident("mempool(min_split=32)"), "mempool_min_split_32_");
        assert_eq!(ident("synthetic/fifo"), "synthetic_fifo");
    }
}
