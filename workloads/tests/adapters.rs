//! Every adapter: blocks are disjoint and inside the heap, footprints grow sbrk-style and
//! never exceed the region, foreign blocks are refused, exhaustion is a `None`, and the
//! statistics add up.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use workloads::adapters::{MemPoolAdapter, GROW_STEP};
use workloads::{AdapterError, AdapterSpec, Allocator, Block, PoolVariant};

const MIB: usize = 1 << 20;

fn region_backed(spec: &AdapterSpec) -> bool {
    *spec != AdapterSpec::System
}

fn variants() -> Vec<AdapterSpec> {
    let mut all = AdapterSpec::all();
    all.push(AdapterSpec::MemPool(PoolVariant {
        align: 16,
        compact: false,
        split: false,
        min_split: 64,
    }));
    all.push(AdapterSpec::MemPool(PoolVariant {
        min_split: 256,
        ..PoolVariant::default()
    }));
    all
}

/// Checks that the live blocks do not overlap and lie inside the heap.
fn check_layout(a: &dyn Allocator, live: &[Block], region: bool) {
    let mut spans: Vec<(usize, usize)> = live.iter().map(|b| (b.offset(), b.size())).collect();
    spans.sort_unstable();
    for w in spans.windows(2) {
        assert!(
            w[0].0 + w[0].1 <= w[1].0,
            "{}: blocks {:?} and {:?} overlap",
            a.name(),
            w[0],
            w[1]
        );
    }
    if region {
        let extent = a.extent().unwrap();
        assert!(extent <= a.footprint().unwrap());
        assert!(a.footprint().unwrap() <= a.capacity());
        for &(offset, size) in &spans {
            assert!(
                offset + size <= extent,
                "{}: block past the extent",
                a.name()
            );
        }
        let bytes: usize = live.iter().map(|b| a.block_bytes(b).unwrap()).sum();
        assert!(
            bytes <= extent,
            "{}: {bytes} block bytes > extent {extent}",
            a.name()
        );
        if let Some(free) = a.free_stats().free_bytes {
            assert!(
                bytes as u64 + free <= extent as u64,
                "{}: {bytes} + {free} > {extent}",
                a.name()
            );
        }
    }
}

#[test]
fn random_ops_keep_blocks_disjoint_on_every_adapter() {
    for spec in variants() {
        let mut a = spec.build(4 * MIB).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut live: Vec<Block> = Vec::new();
        for step in 0..3_000 {
            let r: f64 = rng.random();
            if live.is_empty() || r < 0.45 {
                let size = rng.random_range(1..=2_000);
                let b = a.allocate(size).expect("4 MiB suffices");
                assert_eq!(b.size(), size);
                if region_backed(&spec) {
                    assert!(a.block_bytes(&b).unwrap() >= size, "{}", a.name());
                }
                live.push(b);
            } else if r < 0.6 {
                let i = rng.random_range(0..live.len());
                let b = live.swap_remove(i);
                let size = rng.random_range(1..=4_000);
                let moved = a
                    .realloc(b, size)
                    .unwrap_or_else(|_| panic!("{}", spec.name()));
                assert_eq!(moved.size(), size);
                live.push(moved);
            } else {
                let i = rng.random_range(0..live.len());
                assert!(a.free(live.swap_remove(i)));
            }
            if step % 100 == 0 {
                check_layout(a.as_ref(), &live, region_backed(&spec));
            }
        }
        check_layout(a.as_ref(), &live, region_backed(&spec));
        for b in live {
            assert!(a.free(b));
        }
    }
}

#[test]
fn heaps_grow_in_small_steps() {
    for spec in AdapterSpec::all().into_iter().filter(region_backed) {
        let mut a = spec.build(64 * MIB).unwrap();
        assert!(a.footprint().unwrap() < 64, "{}: empty heap", a.name());
        let b = a.allocate(16).unwrap();
        let first = a.extent().unwrap();
        assert!(first < 4096, "{}: extent {first} after one block", a.name());
        let mut blocks = vec![b];
        for _ in 0..1_000 {
            blocks.push(a.allocate(100).unwrap());
        }
        let extent = a.extent().unwrap();
        let live: usize = blocks.iter().map(|b| a.block_bytes(b).unwrap()).sum();
        // The heap is only as large as what it holds, plus growth slack and metadata.
        assert!(
            extent < live + 4096 + 8 * GROW_STEP,
            "{}: extent {extent} for {live} block bytes",
            a.name()
        );
        for b in blocks {
            a.free(b);
        }
        assert!(a.footprint().unwrap() >= extent);
    }
}

#[test]
fn exhaustion_is_a_none_and_the_heap_recovers() {
    // The system adapter caps single requests, not the total, so it never runs out here.
    for spec in variants().into_iter().filter(region_backed) {
        let mut a = spec.build(64 * 1024).unwrap();
        let mut live = Vec::new();
        while let Some(b) = a.allocate(1_000) {
            live.push(b);
            assert!(live.len() < 100, "{}: never runs out", a.name());
        }
        assert!(live.len() >= 40, "{}: only {} blocks", a.name(), live.len());
        assert!(a.footprint().unwrap() <= 64 * 1024);
        // Growing a block past the end fails and leaves it usable.
        let b = live.pop().unwrap();
        let b = a.realloc(b, 60_000).unwrap_err();
        assert_eq!(b.size(), 1_000);
        live.push(b);
        let n = live.len();
        for b in live.drain(..) {
            assert!(a.free(b));
        }
        for _ in 0..n {
            live.push(a.allocate(1_000).expect("room again after freeing"));
        }
        for b in live {
            assert!(a.free(b));
        }
    }
}

#[test]
fn zero_and_oversized_requests_fail() {
    for spec in variants() {
        let mut a = spec.build(MIB).unwrap();
        assert!(a.allocate(0).is_none(), "{}", spec.name());
        assert!(a.allocate(MIB + 1).is_none(), "{}", spec.name());
        let b = a.allocate(10).unwrap();
        let b = a.realloc(b, 0).unwrap_err();
        let b = a.realloc(b, MIB + 1).unwrap_err();
        assert!(a.free(b));
    }
}

#[test]
fn blocks_of_another_adapter_are_refused() {
    for spec in variants() {
        let mut a = spec.build(MIB).unwrap();
        let mut other = spec.build(MIB).unwrap();
        let b = a.allocate(64).unwrap();
        assert_eq!(other.block_bytes(&b), None);
        let b = other.realloc(b, 128).unwrap_err();
        assert!(!other.free(b), "{}", spec.name());
        // The refused block was consumed by `free`; the owner still has its heap intact.
        let c = a.allocate(64).unwrap();
        assert!(a.free(c));
    }
}

#[test]
fn mempool_reports_its_top_and_block_sizes() {
    let mut a = MemPoolAdapter::new(PoolVariant::default(), MIB).unwrap();
    assert_eq!(a.name(), "mempool");
    assert_eq!((a.extent(), a.footprint()), (Some(32), Some(32)));
    let x = a.allocate(12).unwrap();
    assert_eq!(x.offset(), 40);
    assert_eq!(a.block_bytes(&x), Some(24));
    let y = a.allocate(100).unwrap();
    let z = a.allocate(30).unwrap();
    assert_eq!(a.extent(), Some(32 + 24 + 112 + 40));
    assert!(a.free(y));
    let stats = a.free_stats();
    assert_eq!(
        (stats.free_blocks, stats.largest_free, stats.free_bytes),
        (Some(1), Some(112), Some(112))
    );
    // A 50-byte block takes the 112-byte hole and splits it (64 + 48).
    let w = a.allocate(50).unwrap();
    assert_eq!(w.offset(), 64);
    assert_eq!(a.block_bytes(&w), Some(64));
    assert_eq!(a.free_stats().free_bytes, Some(48));
    for b in [x, z, w] {
        assert!(a.free(b));
    }
    // Compaction gives everything back to top; the footprint remembers the peak.
    assert_eq!(a.extent(), Some(32));
    assert_eq!(a.footprint(), Some(208));
    assert_eq!(a.pool().stats().used.count, 0);
}

#[test]
fn an_unsplit_remainder_counts_in_block_bytes() {
    let v = PoolVariant {
        split: false,
        ..PoolVariant::default()
    };
    let mut a = MemPoolAdapter::new(v, MIB).unwrap();
    assert_eq!(a.name(), "mempool(split=false)");
    let big = a.allocate(200).unwrap();
    let guard = a.allocate(8).unwrap();
    assert!(a.free(big));
    let small = a.allocate(8).unwrap();
    assert_eq!(small.offset(), 40);
    assert_eq!(a.block_bytes(&small), Some(208));
    a.free(small);
    a.free(guard);
}

#[test]
fn bad_regions_and_options_are_errors() {
    assert!(matches!(
        AdapterSpec::default_pool().build(1 << 33),
        Err(AdapterError::RegionTooLarge { .. })
    ));
    let bad_align = AdapterSpec::MemPool(PoolVariant {
        align: 12,
        ..PoolVariant::default()
    });
    let e = bad_align.build(MIB).err().unwrap();
    assert!(matches!(e, AdapterError::Pool(_)), "{e}");
    assert!(e.to_string().contains("align"), "{e}");
    for spec in [
        AdapterSpec::Talc,
        AdapterSpec::Rlsf,
        AdapterSpec::LinkedList,
        AdapterSpec::Dlmalloc,
    ] {
        let e = spec.build(16).err().unwrap();
        assert!(
            matches!(e, AdapterError::RegionTooSmall { .. }),
            "{}: {e}",
            spec.name()
        );
    }
}

#[test]
fn specs_name_and_serialize_what_they_build() {
    let names: Vec<String> = AdapterSpec::all().iter().map(AdapterSpec::name).collect();
    assert_eq!(
        names,
        [
            "mempool",
            "talc",
            "rlsf",
            "linked_list_allocator",
            "dlmalloc",
            "system"
        ]
    );
    for spec in variants() {
        let a = spec.build(MIB).unwrap();
        assert_eq!(a.name(), spec.name());
        assert_eq!(a.capacity(), MIB);
        let json = serde_json::to_string(&spec).unwrap();
        let back: AdapterSpec = serde_json::from_str(&json).unwrap();
        assert_eq!(back, spec);
    }
    let v = PoolVariant {
        align: 16,
        compact: false,
        split: true,
        min_split: 32,
    };
    assert_eq!(v.label(), "mempool(align=16,min_split=32,compact=false)");
    assert_eq!(
        serde_json::to_string(&AdapterSpec::MemPool(v)).unwrap(),
        r#"{"allocator":"mem_pool","align":16,"compact":false,"split":true,"min_split":32}"#
    );
    let o = v.options(MIB);
    assert_eq!(
        (o.size, o.align, o.min_split, o.compact),
        (MIB, 16, 32, false)
    );
}

/// The reference engine places every block where the fast engine does: replaying the same
/// workload gives the same footprint, failures and samples, under a new name.
#[test]
fn reference_engine_replays_identically() {
    use workloads::generate::Generator;
    use workloads::{replay::replay_spec, ReplayConfig};
    let workload = Generator::Fifo {
        ops: 3_000,
        queue_len: 100,
        min: 1,
        max: 700,
    }
    .generate(11)
    .unwrap();
    for variant in [
        PoolVariant::default(),
        PoolVariant {
            compact: false,
            ..PoolVariant::default()
        },
        PoolVariant {
            split: false,
            min_split: 64,
            ..PoolVariant::default()
        },
    ] {
        let cfg = ReplayConfig::every_op();
        let fast = replay_spec(&workload, &AdapterSpec::MemPool(variant), 1 << 20, &cfg).unwrap();
        let slow = replay_spec(&workload, &AdapterSpec::Reference(variant), 1 << 20, &cfg).unwrap();
        assert_eq!(fast.failures, slow.failures);
        assert_eq!(fast.metrics.footprint, slow.metrics.footprint);
        assert_eq!(fast.samples, slow.samples);
        assert_ne!(fast.allocator, slow.allocator);
        assert!(slow.allocator.ends_with("@reference"), "{}", slow.allocator);
    }
}

#[test]
fn every_allocator_name_parses_back_to_its_allocator() {
    let d = PoolVariant::default();
    let mut specs = AdapterSpec::all();
    for v in [
        d,
        PoolVariant {
            compact: false,
            ..d
        },
        PoolVariant { split: false, ..d },
        PoolVariant {
            min_split: 64,
            align: 32,
            compact: false,
            split: false,
        },
    ] {
        specs.push(AdapterSpec::MemPool(v));
        specs.push(AdapterSpec::Reference(v));
    }
    for spec in specs {
        assert_eq!(
            AdapterSpec::from_name(&spec.name()).unwrap(),
            spec,
            "{}",
            spec.name()
        );
    }
    for bad in [
        "jemalloc",
        "mempool()",
        "mempool(min_split=16)",
        "mempool(align=12)",
        "mempool(compact=false,align=16)",
        "talc@reference",
        "linked_list",
    ] {
        let err = AdapterSpec::from_name(bad).unwrap_err().to_string();
        assert!(
            err.contains(bad) && err.contains("linked_list_allocator"),
            "{err}"
        );
    }
}

/// The same trace on the same allocator gives the same footprint wherever the region's
/// memory lands: regions start on a page boundary. (Regions that merely started 16-aligned
/// gave talc, which rounds its heap's start to its chunk unit, footprints that changed from
/// run to run on small workloads.)
#[test]
fn footprints_do_not_depend_on_where_the_region_lands() {
    let w = workloads::generate::Generator::SeedBench {
        shape: workloads::generate::SeedShape::SixF64,
        iterations: 200,
    }
    .generate(1)
    .unwrap();
    for spec in AdapterSpec::peers()
        .into_iter()
        .filter(|s| *s != AdapterSpec::System)
    {
        let mut seen = std::collections::BTreeSet::new();
        // Freeing a large mapped block raises glibc's mmap threshold above the regions' size,
        // so they come from the heap, after differently sized spacers kept alive in between:
        // at many addresses modulo every small power of two.
        drop(std::hint::black_box(vec![1u8; 8 << 20]));
        let mut spacers = Vec::new();
        for i in 0..24 {
            spacers.push(vec![0u8; 16 * i + 8]);
            let mut a = spec.build(1 << 20).unwrap();
            let r = workloads::replay(&w, a.as_mut(), &workloads::ReplayConfig::default());
            seen.insert((r.metrics.footprint, r.metrics.peak_block_bytes));
        }
        assert_eq!(seen.len(), 1, "{}: {seen:?}", spec.name());
    }
}
