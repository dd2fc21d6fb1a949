//! The lean timing loop and the latency replay follow the replay's rules: on every adapter and
//! on workloads with zero sizes, reused ids, frees of dead ids, oversized and failing requests,
//! they make the same requests fail as `replay()` does, and record one latency sample per
//! allocator call.

use workloads::generate::Generator;
use workloads::timing::{self, Prepared};
use workloads::{replay, AdapterSpec, Op, Provenance, ReplayConfig, Workload};

fn odd_workload() -> Workload {
    let ops = vec![
        Op::Alloc { id: 0, size: 0 },
        Op::Alloc { id: 1, size: 100 },
        Op::Alloc { id: 1, size: 200 }, // reused id: the old block is freed first
        Op::Free { id: 7 },             // never live
        Op::Realloc { id: 0, size: 50 }, // zero-size live id: allocates
        Op::Realloc { id: 2, size: 30 }, // not live: allocates
        Op::Realloc { id: 1, size: 0 }, // frees, id stays live with nothing
        Op::Alloc {
            id: 3,
            size: 1 << 40,
        }, // larger than any region: fails
        Op::Realloc {
            id: 2,
            size: 1 << 40,
        }, // fails, the block stays
        Op::Alloc {
            id: 4,
            size: 60_000,
        },
        Op::Alloc {
            id: 5,
            size: 60_000,
        }, // fails in a 100 KiB region
        Op::Free { id: 3 }, // dead after its failure
        Op::Realloc {
            id: 4,
            size: 90_000,
        },
        Op::Free { id: 0 },
    ];
    Workload::new(
        "odd",
        ops,
        Provenance::Other {
            description: "edge cases".into(),
        },
    )
}

fn all_specs() -> Vec<AdapterSpec> {
    let mut v = AdapterSpec::all();
    v.push(AdapterSpec::Reference(workloads::PoolVariant::default()));
    v.push(AdapterSpec::Baseline);
    v
}

#[test]
fn lean_timing_fails_the_same_requests_as_the_replay() {
    let fifo = Generator::Fifo {
        ops: 3_000,
        queue_len: 200,
        min: 1,
        max: 3000,
    }
    .generate(5)
    .unwrap();
    for (w, capacity) in [
        (odd_workload(), 100 << 10),
        (fifo.clone(), 64 << 10),
        (fifo, 4 << 20),
    ] {
        let p = Prepared::new(&w);
        for spec in all_specs() {
            let r = replay::replay_spec(&w, &spec, capacity, &ReplayConfig::timing()).unwrap();
            let t = timing::time_spec(&p, &spec, capacity).unwrap();
            let l = timing::latency_spec(&p, &spec, capacity).unwrap();
            let who = format!("{} on {} ({capacity} B)", spec.name(), w.name);
            assert_eq!(t.ops, r.ops, "{who}");
            assert_eq!(t.failures, r.failures, "{who}");
            assert_eq!(l.failures, r.failures, "{who}");
            // Every successful or failed call to the allocator is one sample.
            assert!(l.malloc.count > 0 && l.malloc.p50 <= l.malloc.max, "{who}");
            assert!(
                l.malloc.p50 <= l.malloc.p99 && l.malloc.p99 <= l.malloc.max,
                "{who}"
            );
        }
    }
}

#[test]
fn latency_counts_one_sample_per_call() {
    let w = odd_workload();
    let p = Prepared::new(&w);
    let l = timing::latency_spec(&p, &AdapterSpec::default_pool(), 100 << 10).unwrap();
    // Calls: mallocs for ids 1, 1, 0, 2, 4, 5 (id 3's request never reaches the pool);
    // frees of the old id 1, of id 1 by realloc to 0, and of id 0; one realloc that reaches
    // the pool (id 4; id 2's oversized one is refused before it).
    assert_eq!((l.malloc.count, l.free.count, l.realloc.count), (6, 3, 1));
    assert!(timing::clock_cost_ns() >= 0.0);
}
