//! Every shared malloc-lab trace (../shared/traces beside the repository) parses and replays
//! on every adapter in a 1 GiB region with zero failures: the only failures allowed are
//! requests larger than the region itself (syn-largemem-short asks for up to 36 GB), which
//! no allocator could satisfy. Skipped, with the reason printed, when the folder is absent.

use std::sync::OnceLock;
use std::time::Instant;

use workloads::rep::RepVariant;
use workloads::suite::{self, shared_traces_dir, trace_files, SuiteSpec};
use workloads::{
    replay, AdapterSpec, Op, Provenance, ReplayConfig, Sampling, SuiteError, Workload,
};

const GIB: usize = 1 << 30;

fn shared() -> Option<&'static [Workload]> {
    static TRACES: OnceLock<Option<Vec<Workload>>> = OnceLock::new();
    TRACES
        .get_or_init(|| {
            let Some(dir) = shared_traces_dir() else {
                println!(
                    "skipped: no shared traces folder (../shared/traces beside the repository, \
                     or $WORKLOADS_SHARED_TRACES)"
                );
                return None;
            };
            let spec = SuiteSpec {
                builtin: false,
                synthetic: Vec::new(),
                ..SuiteSpec::default()
            };
            let loaded = suite::load(&spec).unwrap_or_else(|e| panic!("{e}"));
            let traces: Vec<Workload> = loaded.items.into_iter().map(|i| i.workload).collect();
            assert_eq!(traces.len(), trace_files(&dir).unwrap().len());
            Some(traces)
        })
        .as_deref()
}

/// Requests no region of `capacity` bytes can hold.
fn impossible(w: &Workload, capacity: usize) -> u64 {
    w.ops
        .iter()
        .filter_map(Op::size)
        .filter(|&s| s > capacity as u64)
        .count() as u64
}

/// `suite::find` reads the one trace the whole suite gives that name, and nothing for a name
/// it does not give.
#[test]
fn a_trace_loads_by_its_name() {
    let Some(traces) = shared() else {
        return;
    };
    for w in [&traces[0], &traces[traces.len() - 1]] {
        let one = suite::find(&w.name)
            .unwrap_or_else(|e| panic!("{} not found by name: {e}", w.name))
            .workload;
        assert_eq!((&one.name, &one.ops), (&w.name, &w.ops));
    }
    let missing = suite::find("malloclab-2016/no-such-trace");
    assert!(
        matches!(missing, Err(SuiteError::Unknown { .. })),
        "{missing:?}"
    );
}

#[test]
fn every_shared_trace_parses_with_a_recognised_header() {
    let Some(traces) = shared() else { return };
    assert!(traces.len() >= 36, "{} traces", traces.len());
    for w in traces {
        let Provenance::Rep { header, .. } = &w.provenance else {
            panic!("{}: provenance {:?}", w.name, w.provenance)
        };
        let stats = w.stats();
        assert_eq!(header.num_ops, w.ops.len() as u64, "{}", w.name);
        assert_eq!(stats.live_at_end, 0, "{} is balanced", w.name);
        // The 2016 lab stores the peak live payload in the header; the parser recognises it.
        let expected = if w.name.starts_with("malloclab-2016/") {
            RepVariant::Lab2016
        } else {
            RepVariant::Lab2002
        };
        assert_eq!(header.variant, expected, "{}", w.name);
        if expected == RepVariant::Lab2016 {
            assert_eq!(header.peak_live_bytes(), Some(stats.peak_live_bytes));
        }
    }
}

fn replay_all(spec: AdapterSpec) {
    let Some(traces) = shared() else { return };
    let started = Instant::now();
    for w in traces {
        let mut alloc = spec.build(GIB).unwrap();
        // About 100 samples per trace: enough to exercise every adapter's statistics.
        let config = ReplayConfig {
            sampling: Sampling::Every((w.ops.len() as u64 / 100).max(1)),
            track: true,
        };
        let r = replay(w, alloc.as_mut(), &config);
        let impossible = impossible(w, GIB);
        assert_eq!(
            r.failures, impossible,
            "{} on {}: {} failures ({} allocs, {} reallocs), {} larger than the region",
            w.name, r.allocator, r.failures, r.failed_allocs, r.failed_reallocs, impossible
        );
        assert_eq!(r.oversized, impossible);
        assert_eq!(r.ops, w.ops.len() as u64);
        if impossible == 0 {
            assert_eq!(r.metrics.peak_live_bytes, w.stats().peak_live_bytes);
        }
        if let Some(u) = r.metrics.utilisation {
            assert!(
                u > 0.0 && u <= 1.0,
                "{} on {}: utilisation {u}",
                w.name,
                r.allocator
            );
        }
    }
    println!(
        "{}: {} traces replayed in {:.2?}",
        spec.name(),
        traces.len(),
        started.elapsed()
    );
}

#[test]
fn shared_traces_replay_on_mempool() {
    replay_all(AdapterSpec::default_pool());
}

#[test]
fn shared_traces_replay_on_talc() {
    replay_all(AdapterSpec::Talc);
}

#[test]
fn shared_traces_replay_on_rlsf() {
    replay_all(AdapterSpec::Rlsf);
}

#[test]
fn shared_traces_replay_on_linked_list_allocator() {
    replay_all(AdapterSpec::LinkedList);
}

#[test]
fn shared_traces_replay_on_dlmalloc() {
    replay_all(AdapterSpec::Dlmalloc);
}

#[test]
fn shared_traces_replay_on_system() {
    replay_all(AdapterSpec::System);
}
