//! Workloads x allocators: one whole replay of a workload per iteration, for every pool
//! variant and every peer.
//!
//! Workloads: the recorded traces shipped with the `workloads` crate of at most
//! [`MAX_BUILTIN_OPS`] ops (at most [`MAX_BUILTIN`], shortest first), three malloc-lab traces
//! recorded from real programs
//! (`../shared/traces`, skipped with a message when that folder is absent), and four seeded
//! synthetic workloads. Each iteration builds a fresh allocator outside the timed part, then
//! times `workloads::replay` (no tracking, no sampling) from the first op to the last free.
//! Ids: `replay/<workload>/<allocator>`; throughput: the workload's ops.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod common;

use std::path::Path;

use benches::profile::{seeds, Profile};
use criterion::{BatchSize, Criterion, SamplingMode, Throughput};
use workloads::generate::Generator;
use workloads::{builtin, corpus, rep, replay, AdapterSpec, ReplayConfig, Workload};

/// Most recorded traces of the `workloads` crate to replay (the smallest ones).
const MAX_BUILTIN: usize = 3;

/// Recorded traces of the `workloads` crate longer than this many ops are left out, to keep
/// the whole run within its time budget (each trace is timed for 13 allocators).
const MAX_BUILTIN_OPS: usize = 60_000;

/// malloc-lab traces recorded from real programs, relative to the shared traces folder.
const LAB_TRACES: &[&str] = &[
    "malloclab-2002/amptjp-bal.rep",
    "malloclab-2002/cccp-bal.rep",
    "malloclab-2016/cbit-abs.rep",
];

/// Largest region tried for one replay.
const MAX_CAPACITY: usize = 1 << 30;

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

fn real_traces() -> Vec<Workload> {
    let mut out = Vec::new();
    match builtin::traces() {
        Ok(mut traces) => {
            traces.retain(|w| w.ops.len() <= MAX_BUILTIN_OPS);
            traces.sort_by_key(|w| w.ops.len());
            traces.truncate(MAX_BUILTIN);
            if traces.is_empty() {
                eprintln!("benches/workloads: the workloads crate ships no recorded trace of at most {MAX_BUILTIN_OPS} ops");
            }
            out.extend(traces.into_iter().map(|mut w| {
                w.name = format!("recorded/{}", w.name);
                w
            }));
        }
        Err(e) => eprintln!("benches/workloads: recorded traces skipped: {e}"),
    }
    match corpus::shared_traces_dir() {
        Some(dir) => {
            for rel in LAB_TRACES {
                match load_lab(&dir, rel) {
                    Ok(w) => out.push(w),
                    Err(e) => eprintln!("benches/workloads: {rel} skipped: {e}"),
                }
            }
        }
        None => eprintln!(
            "benches/workloads: malloc-lab traces skipped: no ../shared/traces folder beside the \
             repository (set {} to a folder holding {})",
            corpus::SHARED_TRACES_ENV,
            LAB_TRACES.join(", ")
        ),
    }
    out
}

fn load_lab(dir: &Path, rel: &str) -> Result<Workload, workloads::TraceError> {
    let mut w = rep::read(&dir.join(rel))?;
    w.name = rel.trim_end_matches(".rep").to_owned();
    Ok(w)
}

fn all_workloads() -> Vec<Workload> {
    let mut out = real_traces();
    for g in synthetic() {
        match g.generate(seeds::WORKLOADS) {
            Ok(mut w) => {
                w.name = format!("synthetic/{}", g.name());
                out.push(w);
            }
            Err(e) => eprintln!("benches/workloads: synthetic {} skipped: {e}", g.name()),
        }
    }
    out
}

/// The smallest region (a power of two from four times the peak live payload, at least
/// 4 MiB) in which `spec` replays `w` without a failure; the largest tried when none does,
/// with a warning. Regions are reserved lazily, so a generous one costs nothing untouched.
fn capacity_for(w: &Workload, name: &str, spec: AdapterSpec) -> usize {
    let peak = usize::try_from(w.stats().peak_live_bytes).unwrap_or(MAX_CAPACITY);
    let mut capacity = peak
        .saturating_mul(4)
        .next_power_of_two()
        .clamp(4 << 20, MAX_CAPACITY);
    loop {
        let failures = spec
            .build(capacity)
            .map(|mut a| replay(w, a.as_mut(), &ReplayConfig::timing()).failures);
        match failures {
            Ok(0) => return capacity,
            Ok(n) if capacity >= MAX_CAPACITY => {
                eprintln!(
                    "benches/workloads: {name} fails {n} requests of {} even with a {} MiB region; \
                     timing it as it is",
                    w.name,
                    capacity >> 20
                );
                return capacity;
            }
            Ok(_) => capacity *= 2,
            Err(e) => panic!("benches/workloads: cannot build {name} ({capacity} bytes): {e}"),
        }
    }
}

fn bench_workload(c: &mut Criterion, w: &Workload, allocators: &[(String, AdapterSpec)]) {
    let mut group = c.benchmark_group(format!("replay/{}", w.name));
    group.throughput(Throughput::Elements(w.ops.len() as u64));
    // Long iterations (up to tens of milliseconds): equal-size samples, not a linear ramp.
    group.sampling_mode(SamplingMode::Flat);
    let config = ReplayConfig::timing();
    for (name, spec) in allocators {
        let mut capacity = None;
        group.bench_function(name.as_str(), |b| {
            let cap = *capacity.get_or_insert_with(|| capacity_for(w, name, *spec));
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
