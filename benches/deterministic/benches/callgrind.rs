//! Deterministic benchmarks: the gate's workloads (`benches::selection`: CI-sized) x the
//! allocators `deterministic::counting::allocators` names (pool variants and peers) under
//! callgrind with its cache simulation, one replay each, run by gungraun. What is counted is
//! `deterministic::counting`'s: the allocator's own calls inside one replay by
//! `replay_counted`, and once per workload the harness around them.
//!
//! ```sh
//! cargo bench -p deterministic --bench callgrind                       # every benchmark
//! cargo bench -p deterministic --bench callgrind -- --parallel=2 '*::synthetic_fifo::*'
//! ```
//!
//! Ids: group `gate`, benchmark `<workload>`, bench `<allocator>`, each name with every
//! character that is not a letter or digit written `_` ([`ident`]; gungraun wants
//! identifiers). The gate (`det_gate`) reads the command line of each run back from the
//! summaries, so it names the benchmarks as every other tool does:
//! `<workload>/<allocator>`. The simulated caches are gungraun's fixed defaults (L1
//! instruction and data 32 KiB, 8-way, 64-byte lines; last level 8 MiB, 16-way), so a count
//! does not depend on the machine's caches.

#![forbid(unsafe_code)]
// Not `#![warn(missing_docs)]`: gungraun's macros generate public items without docs.

use std::collections::BTreeSet;

use benches::selection;
use deterministic::counting;
use gungraun::prelude::*;
use gungraun::{Bench, BinaryBenchmark, BinaryBenchmarkGroup, Callgrind};
use workloads::suite::{shared_traces_dir, SHARED_TRACES_ENV};
use workloads::AdapterSpec;

/// `name` as a gungraun id: letters and digits kept, anything else `_`.
fn ident(name: &str) -> String {
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

fn command(workload: &str, allocator_arg: &str) -> gungraun::Command {
    let mut c = gungraun::Command::new(env!("CARGO_BIN_EXE_replay_counted"));
    c.arg(workload).arg(allocator_arg);
    // The benchmark runs with a cleared environment: name the shared traces explicitly.
    if let Some(dir) = shared_traces_dir() {
        c.env(SHARED_TRACES_ENV, dir);
    }
    c.build()
}

fn gate_group(group: &mut BinaryBenchmarkGroup) {
    let (items, notes) =
        selection::gate_workloads().unwrap_or_else(|e| panic!("deterministic/callgrind: {e}"));
    for note in notes {
        eprintln!("deterministic/callgrind: {note}");
    }
    let allocators: Vec<String> = counting::allocators()
        .iter()
        .map(AdapterSpec::name)
        .collect();
    let mut ids = BTreeSet::new();
    for item in &items {
        let w = &item.workload.name;
        let mut bench = BinaryBenchmark::new(ident(w));
        let mut harness = Bench::new(counting::HARNESS);
        harness
            .command(command(w, &format!("--{}", counting::HARNESS)))
            .config(callgrind(true));
        bench.bench(harness);
        for a in &allocators {
            assert!(
                ids.insert((ident(w), ident(a))),
                "two benchmarks are called {}/{}",
                ident(w),
                ident(a)
            );
            let mut b = Bench::new(ident(a));
            b.command(command(w, a)).config(callgrind(false));
            bench.bench(b);
        }
        group.binary_benchmark(bench);
    }
}

binary_benchmark_group!(
    name = gate;
    benchmarks = |group: &mut BinaryBenchmarkGroup| gate_group(group)
);

main!(binary_benchmark_groups = gate);
