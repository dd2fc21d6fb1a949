//! The replay engine: its counts, its rules for odd sequences, its samples and metrics, and
//! its results as JSON.

use workloads::generate::Generator;
use workloads::replay::{replay_spec, AUTO_SAMPLES};
use workloads::{
    replay, AdapterSpec, Op, Provenance, ReplayConfig, ReplayResult, Sampling, Workload,
};

const MIB: usize = 1 << 20;

fn workload(ops: Vec<Op>) -> Workload {
    Workload::new(
        "w",
        ops,
        Provenance::Other {
            description: "test".into(),
        },
    )
}

fn on_pool(w: &Workload, capacity: usize, config: &ReplayConfig) -> ReplayResult {
    replay_spec(w, &AdapterSpec::default_pool(), capacity, config).unwrap()
}

#[test]
fn metrics_of_a_small_trace_on_the_pool_are_exact() {
    // Block sizes under the default pool: padded(n) = align8(n + 8); first block at 32.
    let w = workload(vec![
        Op::Alloc { id: 0, size: 12 },  // 24 bytes, top 56
        Op::Alloc { id: 1, size: 100 }, // 112, top 168
        Op::Free { id: 0 },             // hole of 24
        Op::Alloc { id: 2, size: 40 },  // 48, top 216
        Op::Free { id: 1 },
        Op::Free { id: 2 },
    ]);
    let r = on_pool(&w, MIB, &ReplayConfig::every_op());
    assert_eq!(r.failures, 0);
    assert_eq!((r.allocs, r.frees, r.reallocs, r.ops), (3, 3, 0, 6));
    let m = r.metrics;
    assert_eq!(m.peak_live_bytes, 140);
    assert_eq!(m.peak_block_bytes, Some(160));
    assert_eq!(m.footprint, Some(216));
    let close = |a: Option<f64>, b: f64| (a.unwrap() - b).abs() < 1e-12;
    assert!(close(m.utilisation, 140.0 / 216.0));
    // L over time: 12, 112, 100, 140, 40, 0; H: 56, 168, 168, 216, 216, 32.
    assert!(close(
        m.frag1,
        (56.0 + 168.0 + 168.0 + 216.0 + 216.0 + 32.0) / 404.0 - 1.0
    ));
    assert!(close(m.frag2, 216.0 / 140.0 - 1.0));
    assert!(close(m.frag3, 216.0 / 140.0 - 1.0));
    assert!(close(m.frag4, 216.0 / 140.0 - 1.0));
    assert!(close(m.frag4_overhead, 20.0 / 140.0));
    assert!(close(m.frag4_policy, 56.0 / 140.0));
    assert!(m.ops_per_sec.unwrap() > 0.0);
    // One sample per op.
    assert_eq!(r.samples.len(), 6);
    let s = r.samples[2];
    assert_eq!(s.op, 3);
    assert_eq!((s.extent, s.footprint), (Some(168), Some(168)));
    assert_eq!(
        (s.live_requested, s.live_blocks, s.live_block_bytes),
        (100, 1, Some(112))
    );
    assert_eq!(
        (s.free_blocks, s.free_bytes, s.largest_free_in_heap),
        (Some(1), Some(24), Some(24))
    );
    assert_eq!(s.largest_free, Some(MIB as u64 - 168));
    let last = r.samples[5];
    assert_eq!(
        (last.extent, last.footprint, last.live_requested),
        (Some(32), Some(216), 0)
    );
}

#[test]
fn odd_sequences_follow_the_rules_without_failing() {
    let w = workload(vec![
        Op::Alloc { id: 0, size: 0 },    // zero size: a null block
        Op::Free { id: 0 },              // free of it: fine
        Op::Free { id: 0 },              // free of a dead id: skipped
        Op::Realloc { id: 1, size: 64 }, // realloc of an unknown id: allocates
        Op::Realloc { id: 1, size: 0 },  // realloc to 0: frees, id stays live
        Op::Realloc { id: 1, size: 32 }, // ... and allocates again
        Op::Alloc { id: 1, size: 16 },   // alloc of a live id: the old block is freed first
        Op::Alloc { id: 2, size: 8 },    // left live at the end
    ]);
    for spec in AdapterSpec::all() {
        let r = replay_spec(&w, &spec, MIB, &ReplayConfig::default()).unwrap();
        assert_eq!(r.failures, 0, "{}", r.allocator);
        assert_eq!(r.zero_size, 2);
        assert_eq!(r.skipped_frees, 1);
        assert_eq!(r.reused_ids, 1);
        assert_eq!(r.live_at_end, 2);
        assert_eq!(r.metrics.peak_live_bytes, 64);
    }
}

#[test]
fn failures_are_counted_and_the_trace_goes_on() {
    let w = workload(vec![
        Op::Alloc { id: 0, size: 3000 },
        Op::Alloc { id: 1, size: 3000 },   // no room in 4 KiB
        Op::Free { id: 1 },                // its free is skipped
        Op::Realloc { id: 0, size: 5000 }, // larger than the region: oversized
        Op::Realloc { id: 0, size: 4090 }, // no room to grow: the block stays
        Op::Alloc { id: 2, size: 500 },
        Op::Free { id: 0 },
        Op::Free { id: 2 },
    ]);
    let r = on_pool(&w, 4096, &ReplayConfig::default());
    assert_eq!(r.failures, 3);
    assert_eq!((r.failed_allocs, r.failed_reallocs, r.oversized), (1, 2, 1));
    assert_eq!(r.skipped_frees, 1);
    assert_eq!(r.live_at_end, 0);
    assert_eq!(r.metrics.failures, 3);
    assert_eq!(r.metrics.peak_live_bytes, 3500);
}

#[test]
fn sampling_follows_the_config() {
    let w = Generator::Fifo {
        ops: 10_000,
        queue_len: 100,
        min: 8,
        max: 256,
    }
    .generate(1)
    .unwrap();
    let n = w.ops.len() as u64;
    let every = |k| ReplayConfig {
        sampling: Sampling::Every(k),
        track: true,
    };
    let r = on_pool(&w, MIB, &every(1000));
    assert_eq!(r.samples.len() as u64, n.div_ceil(1000));
    assert_eq!(r.samples.last().unwrap().op, n);
    assert!(r.samples.windows(2).all(|s| s[0].op < s[1].op));
    let r = on_pool(&w, MIB, &ReplayConfig::default());
    assert!(r.samples.len() as u64 <= AUTO_SAMPLES);
    assert!(r.samples.len() as u64 >= AUTO_SAMPLES / 2);
    let r = on_pool(&w, MIB, &every(0));
    assert_eq!(r.samples.len() as u64, n, "k = 0 counts as 1");
    let r = on_pool(&w, MIB, &ReplayConfig::timing());
    assert!(r.samples.is_empty());
    assert_eq!(r.sampling_ns, 0);
    assert_eq!(r.metrics.footprint, None);
    assert_eq!(r.metrics.failures, 0);
    assert!(r.metrics.ops_per_sec.is_some());
}

#[test]
fn every_adapter_reports_what_it_can() {
    let w = Generator::Uniform {
        ops: 3_000,
        min: 1,
        max: 1024,
        alloc_prob: 0.6,
        realloc_prob: 0.1,
    }
    .generate(5)
    .unwrap();
    for spec in AdapterSpec::all() {
        let r = replay_spec(&w, &spec, 16 * MIB, &ReplayConfig::default()).unwrap();
        assert_eq!(r.failures, 0, "{}", r.allocator);
        assert_eq!(r.metrics.peak_live_bytes, w.stats().peak_live_bytes);
        let m = r.metrics;
        let s = r.samples.last().unwrap();
        if spec == AdapterSpec::System {
            assert_eq!(
                (m.footprint, m.utilisation, m.frag1, m.frag4_policy),
                (None, None, None, None)
            );
            assert_eq!(
                (s.extent, s.live_block_bytes, s.free_blocks),
                (None, None, None)
            );
        } else {
            let u = m.utilisation.unwrap();
            assert!(u > 0.3 && u <= 1.0, "{}: {u}", r.allocator);
            let sum = m.frag4_overhead.unwrap() + m.frag4_policy.unwrap();
            assert!((m.frag4.unwrap() - sum).abs() < 1e-9, "{}", r.allocator);
            assert!(m.frag4_overhead.unwrap() >= 0.0 && m.frag4_policy.unwrap() >= 0.0);
            for x in [m.frag1, m.frag2, m.frag3] {
                assert!(x.unwrap() > -1.0, "{}", r.allocator);
            }
            assert!(s.extent.is_some() && s.live_block_bytes.is_some());
            assert_eq!(s.live_requested, 0);
        }
        // Free-list statistics where the allocator has them.
        let first = r.samples[r.samples.len() / 2];
        match spec.name().as_str() {
            "mempool" | "rlsf" => {
                assert!(first.free_blocks.is_some() && first.largest_free_in_heap.is_some());
                assert!(first.largest_free >= first.largest_free_in_heap);
            }
            "talc" => assert!(first.free_blocks.is_some() && first.largest_free.is_none()),
            "linked_list_allocator" => assert!(first.free_bytes.is_some()),
            _ => assert_eq!(first.free_blocks, None),
        }
    }
}

#[test]
fn sparse_ids_replay_like_dense_ones() {
    let sparse = workload(vec![
        Op::Alloc {
            id: u32::MAX,
            size: 10,
        },
        Op::Alloc {
            id: 1 << 30,
            size: 20,
        },
        Op::Free { id: u32::MAX },
        Op::Free { id: 1 << 30 },
    ]);
    let r = on_pool(&sparse, MIB, &ReplayConfig::default());
    assert_eq!((r.failures, r.skipped_frees, r.live_at_end), (0, 0, 0));
    assert_eq!(r.metrics.peak_live_bytes, 30);
}

#[test]
fn results_round_trip_through_json() {
    let w = Generator::Lifo {
        ops: 500,
        max_depth: 20,
        min: 8,
        max: 64,
    }
    .generate(3)
    .unwrap();
    let mut r = on_pool(&w, MIB, &ReplayConfig::default());
    // Timings are arbitrary floats; this one serde_json's default float parser reads back one
    // ulp off (why workloads enables its `float_roundtrip` feature), so the round trip is
    // checked on a known hard value rather than on whatever the clock gave.
    r.metrics.ops_per_sec = Some(44_867_808.076_600_604);
    let json = serde_json::to_string(&r).unwrap();
    assert!(json.contains(r#""allocator":"mempool""#));
    assert!(json.contains(r#""workload":"lifo""#));
    let back: ReplayResult = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);
    let config = serde_json::to_string(&ReplayConfig::default()).unwrap();
    assert_eq!(config, r#"{"sampling":"auto","track":true}"#);
}

#[test]
fn boxed_and_concrete_adapters_replay_alike() {
    let w = Generator::SeedBench {
        shape: workloads::generate::SeedShape::SixF64,
        iterations: 100,
    }
    .generate(0)
    .unwrap();
    let mut concrete = workloads::adapters::TalcAdapter::new(MIB).unwrap();
    let a = replay(&w, &mut concrete, &ReplayConfig::default());
    let mut boxed = AdapterSpec::Talc.build(MIB).unwrap();
    let b = replay(&w, &mut boxed, &ReplayConfig::default());
    assert_eq!(a.metrics.footprint, b.metrics.footprint);
    assert_eq!(a.samples.len(), b.samples.len());
    // The seed's benchmark frees everything each iteration: the pool's heap never grows.
    let r = on_pool(&w, MIB, &ReplayConfig::default());
    assert_eq!(
        r.metrics.footprint,
        Some(32 + 72 + 136 + 16 + 264 + 24 + 40)
    );
}
