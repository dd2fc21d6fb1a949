//! Scaling: the cost of a malloc + free pair as the number of live blocks grows.
//!
//! For each N (log-spaced, 100 to 100,000) and each allocator, a heap is prepared once,
//! outside the timed part, with N live blocks of seeded random sizes (16..=256 bytes) and
//! holes among them: after every fourth live block one more block is allocated and freed
//! again once the next live block sits above it, so free blocks are scattered through the
//! heap and later requests land in them by each allocator's own policy. One iteration then
//! frees a seeded-random live block and allocates a block of the same size in its place, so
//! exactly N blocks stay live and the heap stays in a steady state. Ids:
//! `scaling/<allocator>/<N>`; throughput: 2 ops (the free and the malloc) per iteration.
//!
//! Allocators, all through the `workloads` adapters: the default pool (its fast engine), the
//! same pool on its reference engine (`mempool@reference`: the seed's O(n) list walks), compact
//! off, split off, and every peer, named as every tool names them (`AdapterSpec::name`).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod common;

use benches::profile::{seeds, Profile};
use criterion::{BenchmarkId, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use workloads::{suite, AdapterSpec, Allocator, Block, PoolVariant, WorkloadStats};

/// Smallest and largest block size of the live blocks and holes.
const SIZES: std::ops::RangeInclusive<usize> = 16..=256;

/// One free block is made for every this many live blocks.
const LIVE_PER_HOLE: usize = 4;

/// The region for `n` live blocks: the suite's rule (`workloads::suite::capacity_for`) for a
/// peak of `n` blocks of the largest size plus the holes.
fn capacity(n: usize) -> usize {
    let peak = (n + n / LIVE_PER_HOLE + 1) * SIZES.end();
    let stats = WorkloadStats {
        peak_live_bytes: peak as u64,
        ..WorkloadStats::default()
    };
    usize::try_from(suite::capacity_for(&stats)).unwrap_or(usize::MAX)
}

/// A prepared heap and the state of the timed loop.
struct Heap {
    alloc: Box<dyn Allocator>,
    /// The live blocks; `None` only after a failed allocation.
    slots: Vec<Option<Block>>,
    /// Each slot's size (a replacement block gets the same size).
    sizes: Vec<usize>,
    /// xorshift64* state picking the victims: cheap and the same for every allocator.
    victim: u64,
    failures: u64,
}

impl Heap {
    fn prepare(spec: AdapterSpec, name: &str, n: usize) -> Self {
        let alloc = spec
            .build(capacity(n))
            .unwrap_or_else(|e| panic!("benches/scaling: cannot build {name}: {e}"));
        let mut rng = ChaCha8Rng::seed_from_u64(seeds::SCALING ^ n as u64);
        let mut heap = Self {
            alloc,
            slots: Vec::with_capacity(n),
            sizes: Vec::with_capacity(n),
            victim: (seeds::SCALING ^ n as u64) | 1,
            failures: 0,
        };
        let mut pending_hole = None;
        while heap.slots.len() < n {
            let size = rng.random_range(SIZES);
            let block = heap.alloc.allocate(size);
            assert!(
                block.is_some(),
                "benches/scaling: {name} ran out of its region at {} of {n} live blocks",
                heap.slots.len()
            );
            heap.slots.push(block);
            heap.sizes.push(size);
            if let Some(hole) = pending_hole.take() {
                heap.alloc.free(hole);
            }
            if heap.slots.len() % LIVE_PER_HOLE == 0 && heap.slots.len() < n {
                pending_hole = heap.alloc.allocate(rng.random_range(SIZES));
            }
        }
        heap
    }

    fn next_victim(&mut self) -> usize {
        let mut x = self.victim;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.victim = x;
        (x.wrapping_mul(0x2545_f491_4f6c_dd1d) % self.slots.len() as u64) as usize
    }

    /// The timed step: free a random live block, allocate one of the same size.
    #[inline]
    fn pair(&mut self) {
        let j = self.next_victim();
        if let Some(block) = self.slots[j].take() {
            self.alloc.free(block);
        }
        let block = self.alloc.allocate(self.sizes[j]);
        self.failures += u64::from(block.is_none());
        self.slots[j] = block;
    }

    fn report(&self, name: &str, n: usize) {
        if self.failures > 0 {
            eprintln!(
                "benches/scaling: {name} with {n} live blocks failed {} allocations",
                self.failures
            );
        }
    }
}

fn scaling(c: &mut Criterion, points: &[usize], allocators: &[(String, AdapterSpec)]) {
    let mut group = c.benchmark_group("scaling");
    group.throughput(Throughput::Elements(2));
    for (name, spec) in allocators {
        for &n in points {
            let mut heap: Option<Heap> = None;
            group.bench_function(BenchmarkId::new(name.as_str(), n), |b| {
                let heap = heap.get_or_insert_with(|| Heap::prepare(*spec, name, n));
                b.iter(|| heap.pair());
            });
            if let Some(h) = heap {
                h.report(name, n);
            }
        }
    }
    group.finish();
}

fn main() {
    let profile = Profile::from_env();
    common::start("scaling", profile);
    let mut c = common::criterion(profile, profile.scaling());
    let d = PoolVariant::default();
    let mut allocators: Vec<(String, AdapterSpec)> = common::pool_variants()
        .into_iter()
        .filter(|(_, spec)| match spec {
            AdapterSpec::MemPool(v) => {
                *v == d
                    || *v
                        == PoolVariant {
                            compact: false,
                            ..d
                        }
                    || *v == PoolVariant { split: false, ..d }
            }
            AdapterSpec::Reference(v) => *v == d,
            _ => false,
        })
        .collect();
    allocators.extend(common::peers());
    scaling(&mut c, profile.scaling_points(), &allocators);
    c.final_summary();
}
