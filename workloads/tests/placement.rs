//! The placement hash is a property of the allocator and the workload alone: the same
//! workload gives the same hash on every region-backed allocator wherever the region's memory
//! lands, and different policies give different hashes.

use std::collections::BTreeSet;

use workloads::generate::{Generator, SeedShape};
use workloads::placement::Placed;
use workloads::{replay, AdapterSpec, PoolVariant, ReplayConfig};

/// The region-backed allocators: pool variants (both engines) and the peers but `system`.
fn region_backed() -> Vec<AdapterSpec> {
    let mut v = vec![
        AdapterSpec::default_pool(),
        AdapterSpec::Reference(PoolVariant::default()),
        AdapterSpec::MemPool(PoolVariant {
            compact: false,
            ..PoolVariant::default()
        }),
        AdapterSpec::MemPool(PoolVariant {
            min_split: 64,
            ..PoolVariant::default()
        }),
        AdapterSpec::MemPool(PoolVariant {
            align: 16,
            ..PoolVariant::default()
        }),
    ];
    v.extend(
        AdapterSpec::peers()
            .into_iter()
            .filter(|s| *s != AdapterSpec::System),
    );
    v
}

#[test]
fn placement_does_not_depend_on_where_the_region_lands() {
    let workloads = [
        Generator::SeedBench {
            shape: SeedShape::SixF64,
            iterations: 200,
        },
        Generator::PowerLaw {
            ops: 2_000,
            min: 8,
            max: 1 << 14,
            alpha: 1.3,
            alloc_prob: 0.55,
        },
    ];
    for g in workloads {
        let w = g.generate(1).unwrap();
        let mut hashes = Vec::new();
        for spec in region_backed() {
            let mut seen = BTreeSet::new();
            // As in tests/adapters.rs: freeing a large mapped block raises glibc's mmap
            // threshold, so the regions come from the heap, after spacers of many sizes.
            drop(std::hint::black_box(vec![1u8; 8 << 20]));
            let mut spacers = Vec::new();
            for i in 0..16 {
                spacers.push(vec![0u8; 24 * i + 8]);
                let mut a = Placed::new(spec.build(1 << 22).unwrap());
                let r = replay(&w, &mut a, &ReplayConfig::default());
                seen.insert((a.hash(), a.placements(), r.metrics.footprint));
            }
            assert_eq!(seen.len(), 1, "{} on {}: {seen:?}", spec.name(), w.name);
            hashes.push((spec, seen.into_iter().next().unwrap().0));
        }
        let of = |s: AdapterSpec| hashes.iter().find(|(x, _)| *x == s).unwrap().1;
        // The pool's two engines place every block alike; each peer places differently.
        let pool = of(AdapterSpec::default_pool());
        assert_eq!(of(AdapterSpec::Reference(PoolVariant::default())), pool);
        for peer in [
            AdapterSpec::Talc,
            AdapterSpec::Rlsf,
            AdapterSpec::LinkedList,
            AdapterSpec::Dlmalloc,
        ] {
            assert_ne!(of(peer), pool, "{} on {}", peer.name(), w.name);
        }
    }
}
