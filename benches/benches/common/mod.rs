//! What the three harnesses share: criterion's configuration per profile, the allocators
//! under test, and the start-of-run record.

use benches::profile::{Profile, Timing};
use criterion::Criterion;
use workloads::AdapterSpec;

/// Records the machine, toolchain, versions and date next to the results and says which
/// profile runs (on stderr, so `--list` output stays clean). Runs that measure nothing
/// (`--test`, `--list`, `--profile-time`) leave the record of the last measuring run alone.
pub fn start(harness: &str, profile: Profile) {
    let measures = !std::env::args()
        .any(|a| a == "--test" || a == "--list" || a.starts_with("--profile-time"));
    if measures {
        benches::info::record(harness);
    }
    eprintln!(
        "benches/{harness}: profile {} (set {}=1 for the quick one)",
        profile.name(),
        benches::profile::QUICK_ENV
    );
}

/// Criterion configured for `timing`; command-line flags (`--sample-size`,
/// `--measurement-time`, `--quick`, `--test`, filters, baselines) still apply on top.
pub fn criterion(profile: Profile, timing: Timing) -> Criterion {
    Criterion::default()
        .without_plots()
        .nresamples(profile.resamples())
        .warm_up_time(timing.warm_up)
        .measurement_time(timing.measurement)
        .sample_size(timing.samples)
        .configure_from_args()
}

/// An allocator with its name in benchmark ids: [`AdapterSpec::name`], as every tool names it.
fn named(spec: AdapterSpec) -> (String, AdapterSpec) {
    (spec.name(), spec)
}

/// The pool variants of the workload benchmarks (`benches::selection::pool_variants`), with
/// their names.
pub fn pool_variants() -> Vec<(String, AdapterSpec)> {
    benches::selection::pool_variants()
        .into_iter()
        .map(named)
        .collect()
}

/// The peers (talc, rlsf, linked_list_allocator, dlmalloc, system).
pub fn peers() -> Vec<(String, AdapterSpec)> {
    AdapterSpec::peers().into_iter().map(named).collect()
}
