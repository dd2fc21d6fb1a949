//! Workloads x allocators: one whole replay of a workload per iteration, for every pool
//! variant and every peer.
//!
//! Workloads, all from `workloads::suite` (so named, and given regions, as in every other
//! tool; chosen in `benches::selection`, as the deterministic gate's): the recorded traces
//! shipped with the `workloads` crate of at most `selection::MAX_BUILTIN_OPS` ops (at most
//! [`MAX_BUILTIN`], shortest first), three malloc-lab traces recorded from real programs
//! (`selection::LAB_TRACES`, from `../shared/traces`; left out with the suite's note when that folder is absent), and four seeded synthetic workloads. Each
//! iteration builds a fresh allocator over the workload's region outside the timed part, then
//! times `workloads::replay` (no tracking, no sampling) from the first op to the last free.
//! Ids: `replay/<workload>/<allocator>`; throughput: the workload's ops.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod common;

use benches::profile::Profile;
use benches::selection;
use criterion::{BatchSize, Criterion, SamplingMode, Throughput};
use workloads::generate::Generator;
use workloads::suite::{self, Item, Select, Source, SuiteSpec};
use workloads::{replay, AdapterSpec, ReplayConfig};

/// Most recorded traces of the `workloads` crate to replay (the smallest ones).
const MAX_BUILTIN: usize = 3;

/// The synthetic workloads: a queue, a plateau of about a thousand live blocks, heavy-tailed
/// sizes, and vectors growing by realloc among small noise blocks. About 10,000 ops each.
fn synthetic() -> Vec<Generator> {
    vec![
        Generator::Fifo {
            ops: 10_000,
            queue_len: 500,
            min: 8,
            max: 1024,
        },
        Generator::Plateau {
            live: 1_000,
            ops: 10_000,
            min: 8,
            max: 1024,
        },
        Generator::PowerLaw {
            ops: 10_000,
            min: 8,
            max: 64 * 1024,
            alpha: 1.3,
            alloc_prob: 0.55,
        },
        Generator::ReallocGrowth {
            vectors: 64,
            initial: 16,
            max: 16 * 1024,
            noise_prob: 0.5,
            noise_max: 256,
        },
    ]
}

/// The benchmark's workloads: the shortest built-in traces, `selection::LAB_TRACES` and
/// [`synthetic`], loaded by the suite (only the files named are read).
fn all_workloads() -> Vec<Item> {
    let mut names = match selection::short_builtin_names() {
        Ok(mut short) => {
            short.truncate(MAX_BUILTIN);
            short
        }
        Err(e) => {
            eprintln!("benches/workloads: recorded traces skipped: {e}");
            Vec::new()
        }
    };
    names.extend(selection::LAB_TRACES.iter().map(|&n| n.to_owned()));
    let generators = synthetic();
    names.extend(
        generators
            .iter()
            .map(|g| Source::Synthetic.workload_name(&g.name())),
    );
    let spec = SuiteSpec {
        synthetic: generators,
        select: Select::Named(names.clone()),
        ..SuiteSpec::default()
    };
    let loaded = suite::load(&spec).unwrap_or_else(|e| panic!("benches/workloads: {e}"));
    for note in &loaded.notes {
        eprintln!("benches/workloads: {note}");
    }
    for missing in names.iter().filter(|n| loaded.get(n).is_none()) {
        eprintln!("benches/workloads: {missing} skipped: not in the suite");
    }
    loaded.items
}

fn bench_workload(c: &mut Criterion, item: &Item, allocators: &[(String, AdapterSpec)]) {
    let w = &item.workload;
    let cap = item.capacity_bytes();
    let mut group = c.benchmark_group(format!("replay/{}", w.name));
    group.throughput(Throughput::Elements(w.ops.len() as u64));
    // Long iterations (up to tens of milliseconds): equal-size samples, not a linear ramp.
    group.sampling_mode(SamplingMode::Flat);
    let config = ReplayConfig::timing();
    for (name, spec) in allocators {
        group.bench_function(name.as_str(), |b| {
            b.iter_batched(
                || {
                    spec.build(cap)
                        .unwrap_or_else(|e| panic!("cannot build {name}: {e}"))
                },
                |mut alloc| {
                    let result = replay(w, alloc.as_mut(), &config);
                    (alloc, result)
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

fn main() {
    assert_eq!(
        benches::profile::seeds::WORKLOADS,
        suite::SEED,
        "bench-info.json records the suite's seed"
    );
    let profile = Profile::from_env();
    common::start("workloads", profile);
    let mut c = common::criterion(profile, profile.replay());
    let mut allocators = common::pool_variants();
    allocators.extend(common::peers());
    for w in all_workloads() {
        bench_workload(&mut c, &w, &allocators);
    }
    c.final_summary();
}
