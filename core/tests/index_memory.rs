//! The fast engine's index costs at most 32 bytes of host memory per block (used + free)
//! whenever the heap holds at least 1,000 blocks: while it grows, while it is being thinned
//! out (many free blocks in many sorted runs), and after a peak (the used table gives memory
//! back). `MemPool::index_bytes()` counts capacities, not lengths.

mod common;

use common::rng::ModRng;
use mempool::{MemPool, PoolOptions};

const BUDGET: f64 = 32.0;

fn blocks(pool: &MemPool) -> u64 {
    let s = pool.stats();
    u64::from(s.used.count) + u64::from(s.free.count)
}

/// Checks the budget; returns the bytes per block when the heap is large enough to count.
fn per_block(pool: &MemPool, phase: &str, seed: u64) -> Option<f64> {
    let n = blocks(pool);
    if n < 1000 {
        return None;
    }
    let per = pool.index_bytes() as f64 / n as f64;
    // And at least what it must hold: every block's address and size (or predecessor).
    assert!(
        per >= 8.0,
        "seed {seed:#x}, {phase}: index {} bytes for {n} blocks is too few to hold them",
        pool.index_bytes()
    );
    assert!(
        per <= BUDGET,
        "seed {seed:#x}, {phase}: index {} bytes for {n} blocks = {per:.1} per block",
        pool.index_bytes()
    );
    Some(per)
}

#[test]
fn index_stays_within_32_bytes_per_block() {
    let mut worst: f64 = 0.0;
    for seed in [1u64, 2, 3] {
        let mut rng = ModRng::new(seed);
        let mut pool = MemPool::new(PoolOptions {
            size: 16 << 20,
            ..PoolOptions::default()
        })
        .expect("a 16 MiB pool");
        assert!(pool.is_indexed());
        let mut live: Vec<u32> = Vec::new();
        let mut check = |pool: &MemPool, phase: &str| {
            if let Some(p) = per_block(pool, phase, seed) {
                worst = worst.max(p);
            }
        };
        // Grow to 40,000 blocks of 8..=512 bytes.
        for i in 0..40_000 {
            let size = 8 + rng.below(505) as u32;
            live.push(pool.malloc(size).expect("room"));
            if i % 97 == 0 {
                check(&pool, "growing");
            }
        }
        // Free three of every four at random: up to ~10,000 scattered free runs.
        for i in 0..30_000 {
            let at = rng.below(live.len() as u64) as usize;
            assert!(pool.free(live.swap_remove(at)));
            if i % 97 == 0 {
                check(&pool, "thinning");
            }
        }
        // Churn: allocate into the holes and free again.
        for i in 0..40_000 {
            if rng.below(2) == 0 {
                live.push(pool.malloc(8 + rng.below(505) as u32).expect("room"));
            } else if !live.is_empty() {
                let at = rng.below(live.len() as u64) as usize;
                assert!(pool.free(live.swap_remove(at)));
            }
            if i % 97 == 0 {
                check(&pool, "churning");
            }
        }
        // After the peak: free all but 1,200 blocks, the rest in address order.
        live.sort_unstable();
        while live.len() > 1_200 {
            let at = rng.below(live.len() as u64) as usize;
            assert!(pool.free(live.remove(at)));
            check(&pool, "after the peak");
        }
        assert!(pool.check().is_ok());
    }
    println!("largest index bytes per block: {worst:.1}");
    assert!(worst > 0.0, "no sample had 1,000 blocks");
}

/// `attach` sizes the used table for the blocks it finds: between 3/8 and 3/4 full, so at
/// most 8 / (3/8) = 21.3 bytes per used block (a table sized by another rule, say for four
/// times the blocks, takes twice that).
#[test]
fn an_attached_heap_gets_a_used_table_sized_for_its_blocks() {
    for n in [1_000u32, 3_000, 6_100] {
        let mut pool = MemPool::new(PoolOptions {
            size: 1 << 20,
            ..PoolOptions::default()
        })
        .unwrap();
        for i in 0..n {
            assert!(pool.malloc(8 + i % 57).is_some(), "malloc {i} of {n}");
        }
        let attached = MemPool::attach(pool.bytes().to_vec(), 0).unwrap();
        assert!(attached.is_indexed());
        assert_eq!(attached.stats().used.count, n);
        let per = attached.index_bytes() as f64 / f64::from(n);
        assert!(
            (8.0..=22.0).contains(&per),
            "{n} used blocks: index {} bytes = {per:.1} per block",
            attached.index_bytes()
        );
    }
}
