//! The fast engine's table of used blocks resizes O(1) times per O(n) calls, at every
//! number of used blocks: a program whose used-block count hovers anywhere (two mallocs, two
//! frees, again and again) never makes the table resize back and forth.
//!
//! An earlier `HashMap`, shrunk to fit once under half full, failed this: after a peak of
//! 4,000 blocks, hovering at 1,790 or 1,791 used blocks made it shrink and grow again on
//! every cycle (4.3 µs per call instead of 24 ns). The table is seen through
//! `MemPool::index_bytes()`, which changes exactly when the table resizes: the heap here has
//! no free blocks (frees go back to top), so the free-block index stays as it is.
//!
//! The table keeps the 16 newest used blocks in a window and only the older ones in its hash
//! table, so hovering by two blocks would never reach the hash table; each cycle here is a
//! burst of [`BURST`] mallocs and as many frees (newest first), which moves blocks into the
//! hash table (a spill of the window) and out of it again (frees past the window). The table's
//! own unit test hovers with frees of the oldest blocks.

use mempool::{MemPool, PoolOptions};

/// Cycles run at each level.
const CYCLES: usize = 3;

/// Blocks allocated and freed by one cycle: more than the window's 16.
const BURST: usize = 20;

/// Counts the calls after which `index_bytes()` changed.
struct Probe {
    bytes: usize,
}

impl Probe {
    fn changed(&mut self, pool: &MemPool) -> usize {
        let b = pool.index_bytes();
        let changed = usize::from(b != self.bytes);
        self.bytes = b;
        changed
    }
}

/// At each used-block count from `from` to `to` (one step at a time), `CYCLES` times:
/// [`BURST`] mallocs, then as many frees. Returns the most resizes seen while hovering at one
/// level, and the resizes in all (the steps' included).
fn hover_at_every_level(
    pool: &mut MemPool,
    live: &mut Vec<u32>,
    from: usize,
    to: usize,
) -> (usize, usize) {
    let (mut most, mut total) = (0, 0);
    let mut level = from;
    let mut probe = Probe {
        bytes: pool.index_bytes(),
    };
    while level != to {
        if level < to {
            live.push(pool.malloc(16).expect("room for every block"));
            level += 1;
        } else {
            assert!(pool.free(live.pop().expect("a live block")));
            level -= 1;
        }
        total += probe.changed(pool);
        let mut changes = 0;
        for _ in 0..CYCLES {
            for _ in 0..BURST {
                live.push(pool.malloc(16).expect("room"));
                changes += probe.changed(pool);
            }
            for _ in 0..BURST {
                assert!(pool.free(live.pop().expect("live")));
                changes += probe.changed(pool);
            }
        }
        assert_eq!(pool.stats().free.count, 0, "frees go back to top");
        assert_eq!(live.len(), level);
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
    // The probe sees the table resize at all: 4,000 blocks need 8,192 slots, 64 at the
    // start (six doublings on the way up, as many halvings on the way down).
    assert!(up.1 >= 6, "up: only {} resizes seen", up.1);
    assert!(down.1 >= 6, "down: only {} resizes seen", down.1);
}
