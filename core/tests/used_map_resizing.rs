//! The fast engine's table of used blocks resizes O(1) times per O(n) calls, at every
//! number of used blocks: a program whose used-block count hovers anywhere (two mallocs, two
//! frees, again and again) never makes the table resize back and forth.
//!
//! The engine's earlier `HashMap`, shrunk to fit once under half full, failed this: after a
//! peak of 4,000 blocks, hovering at 1,790 or 1,791 used blocks made it shrink and grow again
//! on every cycle (4.3 µs per call instead of 24 ns). The table is seen through
//! `MemPool::index_bytes()`, which changes exactly when a table resizes: the heap here has
//! no free blocks (frees go back to top), so the free-block index stays empty.

use mempool::{MemPool, PoolOptions};

/// Cycles run at each level.
const CYCLES: usize = 3;

/// At each used-block count from `from` to `to` (one step at a time), `CYCLES` times:
/// malloc, malloc, free, free. Returns the most resizes seen at one level and in all.
fn hover_at_every_level(
    pool: &mut MemPool,
    live: &mut Vec<u32>,
    from: usize,
    to: usize,
) -> (usize, usize) {
    let (mut most, mut total) = (0, 0);
    let mut level = from;
    while level != to {
        if level < to {
            live.push(pool.malloc(16).expect("room for every block"));
            level += 1;
        } else {
            assert!(pool.free(live.pop().expect("a live block")));
            level -= 1;
        }
        let mut bytes = pool.index_bytes();
        let mut changes = 0;
        for _ in 0..CYCLES {
            live.push(pool.malloc(16).expect("room"));
            live.push(pool.malloc(16).expect("room"));
            for _ in 0..2 {
                let b = pool.index_bytes();
                changes += usize::from(b != bytes);
                bytes = b;
            }
            assert!(pool.free(live.pop().expect("live")));
            assert!(pool.free(live.pop().expect("live")));
            let b = pool.index_bytes();
            changes += usize::from(b != bytes);
            bytes = b;
        }
        assert_eq!(pool.stats().free.count, 0, "frees go back to top");
        most = most.max(changes);
        total += changes;
    }
    (most, total)
}

#[test]
fn hovering_never_resizes_back_and_forth() {
    let mut pool = MemPool::new(PoolOptions {
        size: 4 << 20,
        ..PoolOptions::default()
    })
    .expect("valid options");
    let mut live = Vec::new();
    // Up to a peak, down to nothing, up again: every level in both directions.
    let up = hover_at_every_level(&mut pool, &mut live, 0, 4000);
    let down = hover_at_every_level(&mut pool, &mut live, 4000, 0);
    let again = hover_at_every_level(&mut pool, &mut live, 0, 2500);
    for (phase, (most, total)) in [("up", up), ("down", down), ("up again", again)] {
        // A level may cross one resize threshold (one change); crossing back within the
        // same few calls would be the thrashing this test is about.
        assert!(
            most <= 1,
            "{phase}: {most} resizes while hovering at one level"
        );
        // Resizes grow or shrink the table by a constant factor: a few dozen over 4,000
        // levels, not one per level.
        assert!(total <= 40, "{phase}: {total} resizes over the levels");
    }
}
