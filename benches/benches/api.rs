//! Micro-benchmarks: one call of each `mempool::MemPool` API function, on two pool states,
//! with each of the pool's two engines.
//!
//! - `empty`: a fresh pool holding only the three blocks the calls act on.
//! - `fragmented`: the same three blocks among 256 live blocks of seeded random sizes
//!   (16..=256 bytes) with a hole after every fourth, so the free list holds about 60
//!   blocks.
//! - Engines: the default (fast, O(log n)) and the reference (the seed's list walks, O(n));
//!   the reference engine's ids end in `-reference`.
//!
//! Every iteration gets its own freshly built pool (built outside the timed part, over a
//! buffer whose pages are already touched), and the call's outcome is checked once before
//! timing: grow-in-place keeps the address, the moving realloc changes it, and so on.
//! Ids: `api/<call>/<state>` and `api/<call>/<state>-reference`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

// The allocator lists of `common` serve the other two harnesses.
#[allow(dead_code)]
mod common;

use benches::profile::{seeds, Profile};
use criterion::{BatchSize, BenchmarkId, Criterion};
use mempool::{AlignedBuf, Engine, MemPool, PoolError, PoolOptions};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Buffer size of every pool (the fragmented state needs about 50 KiB). Small, so a batch
/// of pools stays in the L2 cache.
const POOL_BYTES: usize = 64 * 1024;

/// Pools prepared per timed batch.
const BATCH: u64 = 8;

/// The blocks the calls act on.
#[derive(Debug, Clone, Copy)]
struct Targets {
    /// 64 bytes, neither the newest nor next to `top`.
    mid: u32,
    /// 256 bytes, not next to `top`.
    big: u32,
    /// 64 bytes, the newest block, ending at `top`.
    top: u32,
}

/// A pool constructor of one engine (`MemPool::with_buffer` or
/// `mempool::reference::with_buffer`).
type Make<E> = fn(AlignedBuf, PoolOptions) -> Result<MemPool<AlignedBuf, E>, PoolError>;

/// The pool states.
#[derive(Debug, Clone, Copy)]
enum State {
    Empty,
    Fragmented,
}

impl State {
    fn name(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::Fragmented => "fragmented",
        }
    }

    /// A new pool in this state, made by `make`. The buffer is copied from `touched`, so its
    /// pages are mapped before the timed call.
    fn build<E: Engine>(self, touched: &[u8], make: Make<E>) -> (MemPool<AlignedBuf, E>, Targets) {
        let options = PoolOptions {
            size: POOL_BYTES,
            ..PoolOptions::default()
        };
        let mut pool = make(AlignedBuf::from_bytes(touched), options).expect("valid pool options");
        let mut rng = ChaCha8Rng::seed_from_u64(seeds::API);
        let mut fill = |pool: &mut MemPool<AlignedBuf, E>, count: usize| {
            let mut hole = None;
            for i in 0..count {
                pool.malloc(rng.random_range(16..=256)).expect("fits");
                if let Some(h) = hole.take() {
                    assert!(pool.free(h));
                }
                if i % 4 == 3 {
                    hole = pool.malloc(rng.random_range(16..=256));
                }
            }
            if let Some(h) = hole {
                // Keep the hole below the next block: allocate a spacer first.
                pool.malloc(32).expect("fits");
                assert!(pool.free(h));
            }
        };
        let n = match self {
            Self::Empty => 0,
            Self::Fragmented => 128,
        };
        fill(&mut pool, n);
        let mid = pool.malloc(64).expect("fits");
        fill(&mut pool, n);
        let big = pool.malloc(256).expect("fits");
        // A spacer keeps `big` away from `top`.
        pool.malloc(64).expect("fits");
        let top = pool.malloc(64).expect("fits");
        (pool, Targets { mid, big, top })
    }
}

/// One API call under test.
#[derive(Debug, Clone, Copy)]
enum Call {
    Malloc,
    Calloc,
    Free,
    ReallocGrowInPlace,
    ReallocShrinkInPlace,
    ReallocMoving,
    MallocAs,
}

impl Call {
    const ALL: [Self; 7] = [
        Self::Malloc,
        Self::Calloc,
        Self::Free,
        Self::ReallocGrowInPlace,
        Self::ReallocShrinkInPlace,
        Self::ReallocMoving,
        Self::MallocAs,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Malloc => "malloc",
            Self::Calloc => "calloc",
            Self::Free => "free",
            Self::ReallocGrowInPlace => "realloc-grow-in-place",
            Self::ReallocShrinkInPlace => "realloc-shrink-in-place",
            Self::ReallocMoving => "realloc-moving",
            Self::MallocAs => "malloc_as",
        }
    }

    /// The call; its result as a data address (0 for none, 1 for `free`'s `true`).
    #[inline]
    fn run<E: Engine>(self, pool: &mut MemPool<AlignedBuf, E>, t: Targets) -> u32 {
        match self {
            Self::Malloc => pool.malloc(64).unwrap_or(0),
            Self::Calloc => pool.calloc(64, 0xa5).unwrap_or(0),
            Self::Free => u32::from(pool.free(t.mid)),
            Self::ReallocGrowInPlace => pool.realloc(t.top, 512).unwrap_or(0),
            Self::ReallocShrinkInPlace => pool.realloc(t.big, 64).unwrap_or(0),
            Self::ReallocMoving => pool.realloc(t.mid, 512).unwrap_or(0),
            Self::MallocAs => pool.malloc_as::<f64>(8).map_or(0, |b| b.addr()),
        }
    }

    /// Checks, on a fresh pool, that the call does what its name says.
    fn validate<E: Engine>(self, state: State, touched: &[u8], make: Make<E>, id: &str) {
        let (mut pool, t) = state.build(touched, make);
        let r = self.run(&mut pool, t);
        let what = format!("api/{}/{id}", self.name());
        match self {
            Self::Free => assert_eq!(r, 1, "{what}: free failed"),
            Self::ReallocGrowInPlace => assert_eq!(r, t.top, "{what}: did not stay in place"),
            Self::ReallocShrinkInPlace => assert_eq!(r, t.big, "{what}: did not stay in place"),
            Self::ReallocMoving => {
                assert!(r != 0 && r != t.mid, "{what}: did not move ({r:#x})");
            }
            Self::Malloc | Self::Calloc | Self::MallocAs => assert_ne!(r, 0, "{what}: failed"),
        }
        if let Err(v) = pool.check() {
            panic!("{what}: heap check failed: {v:?}");
        }
    }
}

fn bench_engine<E: Engine>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    touched: &[u8],
    make: Make<E>,
    suffix: &str,
) {
    for call in Call::ALL {
        for state in [State::Empty, State::Fragmented] {
            let id = format!("{}{suffix}", state.name());
            let mut validated = false;
            group.bench_function(BenchmarkId::new(call.name(), &id), |b| {
                if !validated {
                    call.validate(state, touched, make, &id);
                    validated = true;
                }
                b.iter_batched(
                    || state.build(touched, make),
                    |(mut pool, t)| {
                        let r = call.run(&mut pool, t);
                        (pool, r)
                    },
                    BatchSize::NumIterations(BATCH),
                );
            });
        }
    }
}

fn api(c: &mut Criterion) {
    let touched = vec![0u8; POOL_BYTES];
    let mut group = c.benchmark_group("api");
    bench_engine(&mut group, &touched, MemPool::with_buffer, "");
    bench_engine(
        &mut group,
        &touched,
        mempool::reference::with_buffer,
        "-reference",
    );
    group.finish();
}

fn main() {
    let profile = Profile::from_env();
    common::start("api", profile);
    let mut c = common::criterion(profile, profile.api());
    api(&mut c);
    c.final_summary();
}
