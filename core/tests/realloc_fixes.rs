//! Regression tests for the seed's realloc bugs B1–B3 (`core/SPEC.md` §6) and its strict
//! grow-in-place bound (§5.1): each test describes
//! what @thi.ng/malloc 6.1.150 does and shows the port's fix.

mod common;

use mempool::{MemPool, PoolOptions};

fn pool() -> MemPool {
    common::pools::pool(0x100)
}

/// B1. The seed's moving realloc calls `free(block)` with the *block* address where `free`
/// expects the data address; the lookup fails silently, so the old block stays on the used
/// list for ever (a leak) and can even be freed again through its old pointer.
/// The port frees the old block: after the move it is gone from the used list.
#[test]
fn b1_moving_realloc_frees_the_old_block() {
    let mut pool = pool();
    let a = pool.malloc(8).unwrap();
    let b = pool.malloc(8).unwrap(); // keeps `a` away from top, so growing must move
    pool.data_mut(a).unwrap().copy_from_slice(b"payload!");
    let a2 = pool.realloc(a, 40).unwrap();
    assert_ne!(a2, a, "the block moved");
    assert_eq!(&pool.data(a2).unwrap()[..8], b"payload!");
    // Seed: used.count == 3 and free(a) returns true. Port: the old block was freed.
    assert_eq!(pool.stats().used.count, 2);
    assert!(pool.used_blocks().all(|blk| blk.data() != u64::from(a)));
    assert!(!pool.free(a), "the old pointer is no longer allocated");
    assert_eq!(pool.stats().free.count, 1, "its block is on the free list");
    pool.check().unwrap();
    assert!(pool.free(b) && pool.free(a2));
    assert_eq!(pool.top(), pool.initial_top(), "nothing leaked");
}

/// B2. Shrinking the top block when no split happens (split off, or the remainder is below
/// `minSplit`) lowers `top` in the seed but leaves the block's old size word, so the next
/// allocation at top overlaps it and stats report more used bytes than the heap holds.
/// The port also writes the new size.
#[test]
fn b2_shrinking_the_top_block_updates_its_size() {
    for split in [true, false] {
        let mut pool = MemPool::new(PoolOptions {
            size: 0x100,
            split,
            ..PoolOptions::default()
        })
        .unwrap();
        let a = pool.malloc(40).unwrap(); // block of 48 bytes
        assert_eq!(pool.realloc(a, 32), Some(a)); // padded 40: remainder 8 < minSplit 16
        assert_eq!(pool.block(a).unwrap().size, 40, "seed leaves 48 here");
        assert_eq!(pool.top(), a - 8 + 40);
        let b = pool.malloc(8).unwrap();
        // Seed: b's block starts at a's old size word range: a's block still claims 48 bytes.
        assert_eq!(b, a + 40);
        let used = pool.stats().used.size;
        assert_eq!(used, u64::from(pool.top() - pool.initial_top()));
        pool.check().unwrap();
    }
}

/// B3. The fix the seed meant (free the old block, then allocate) is itself wrong: freeing
/// first coalesces the old block with a free neighbour before it, the new allocation takes
/// the merged block, and its split writes a block header into the old payload before the copy
/// reads it. The port allocates first, copies, then frees, so the payload arrives intact.
#[test]
fn b3_moving_realloc_copies_before_freeing() {
    let mut pool = pool();
    let f = pool.malloc(24).unwrap(); // block of 32: becomes the free neighbour
    let a = pool.malloc(40).unwrap(); // block of 48, right after f
    let _guard = pool.malloc(8).unwrap(); // keeps a away from top
    let pattern: Vec<u8> = (1..=40).collect();
    pool.data_mut(a).unwrap().copy_from_slice(&pattern);
    assert!(pool.free(f));
    // Free-first would merge f+a (80 bytes), take 56 of it and write the remainder's header
    // at f+56-8, inside a's payload.
    let a2 = pool.realloc(a, 48).unwrap();
    assert_eq!(&pool.data(a2).unwrap()[..40], &pattern[..]);
    pool.check().unwrap();
}

/// A failing moving realloc changes nothing: not the old block, its bytes, nor the heap.
#[test]
fn failed_realloc_changes_nothing() {
    let mut pool = pool();
    let a = pool.malloc(100).unwrap();
    let _b = pool.malloc(8).unwrap();
    pool.data_mut(a).unwrap().fill(0xab);
    let before = pool.bytes().to_vec();
    assert_eq!(pool.realloc(a, 150), None);
    assert_eq!(pool.realloc(a, 0), None);
    assert_eq!(pool.realloc(a, u32::MAX), None);
    assert_eq!(pool.realloc(a + 8, 10), None, "not a block");
    assert_eq!(pool.bytes(), &before[..]);
    pool.check().unwrap();
}

/// The seed's quirk kept: growing the top block in place needs `block + padded < end`
/// (strictly), while malloc at top accepts `<=`.
#[test]
fn grow_in_place_keeps_the_strict_bound() {
    let mut pool = pool();
    let a = pool.malloc(8).unwrap(); // block at 32, 16 bytes
                                     // block + padded == end: malloc would accept, realloc-in-place does not, and moving
                                     // cannot fit either.
    assert_eq!(pool.realloc(a, 256 - 32 - 8), None);
    assert_eq!(pool.realloc(a, 256 - 32 - 16), Some(a));
    pool.check().unwrap();
}

/// Writes a block's size word in raw heap bytes (the word at the block's address).
fn set_size_word(bytes: &mut [u8], block: u32, size: u32) {
    let at = block as usize;
    bytes[at..at + 4].copy_from_slice(&size.to_le_bytes());
}

/// A moving realloc of a block that is only a header (size 8: nothing to carry over, a
/// block no pool makes but a buffer may hold) moves it and copies nothing.
#[test]
fn moving_a_header_only_block_copies_nothing() {
    let mut pool = pool();
    let a = pool.malloc(8).unwrap();
    pool.malloc(8).unwrap(); // keeps `a` away from top
    let mut bytes = pool.into_inner();
    set_size_word(bytes.as_mut(), a - 8, 8);
    let mut pool = MemPool::attach(bytes, 0).unwrap();
    let moved = pool
        .realloc(a, 40)
        .expect("a header-only block moves like any other");
    assert_ne!(moved, a);
}

/// A block whose size word runs past the buffer (written there by another program, after
/// the fact) cannot be copied: a moving realloc of it fails cleanly (it never panics).
#[test]
fn moving_a_block_that_runs_past_the_buffer_fails_without_panicking() {
    let mut pool = MemPool::with_buffer(vec![0u8; 512], PoolOptions::default()).unwrap();
    let x = pool.malloc(120).unwrap(); // a 128-byte block, freed below: room for the move
    let top_after_x = x - 8 + 128;
    let filler = pool.malloc(512 - 48 - top_after_x - 8).unwrap();
    let c = pool.malloc(40).unwrap();
    assert_eq!(
        (filler - 8, c - 8),
        (top_after_x, 464),
        "c is the last block"
    );
    assert!(pool.free(x));
    let mut bytes = pool.into_inner();
    set_size_word(&mut bytes, c - 8, 56); // ends at 520, past the 512-byte buffer
    let mut pool = MemPool::attach(bytes, 0).unwrap();
    assert_eq!(pool.realloc(c, 100), None);
}

/// A block whose size word is below its own header (0 here: another program's bytes) has no
/// payload to carry over: a moving realloc of it fails rather than move it.
#[test]
fn moving_a_block_smaller_than_its_header_fails() {
    let mut pool = pool();
    let a = pool.malloc(8).unwrap();
    pool.malloc(8).unwrap(); // keeps `a` away from top
    let mut bytes = pool.into_inner();
    set_size_word(bytes.as_mut(), a - 8, 0);
    let mut pool = MemPool::attach(bytes, 0).unwrap();
    assert_eq!(pool.realloc(a, 40), None);
}
