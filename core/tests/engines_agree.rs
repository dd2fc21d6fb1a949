//! The fast engine against the reference engine (the seed's list walks): the same results and
//! the same buffer, byte for byte, after every operation, on random sequences over every kind
//! of option; and attach rebuilding the fast index from any heap.

use mempool::{reference, MemPool, PoolOptions};

mod common;
use common::rng::ModRng;

fn options(rng: &mut ModRng) -> PoolOptions {
    PoolOptions {
        size: rng.pick(&[256, 1024, 4096, 32768]),
        start: rng.pick(&[0, 4, 12, 100]),
        end: if rng.below(4) == 0 {
            Some(rng.pick(&[200, 900, 3000]))
        } else {
            None
        },
        align: rng.pick(&[8, 16, 32, 64]),
        compact: rng.below(3) != 0,
        split: rng.below(3) != 0,
        min_split: rng.pick(&[9, 16, 24, 64, 200]),
    }
}

/// Runs one random sequence; returns how many operations succeeded (0 for options both
/// engines refuse).
fn run(seed: u64, ops: usize) -> usize {
    let mut rng = ModRng::new(seed);
    let opts = options(&mut rng);
    let (Ok(mut fast), Ok(mut slow)) = (MemPool::new(opts), reference::new(opts)) else {
        assert!(MemPool::new(opts).is_err() && reference::new(opts).is_err());
        return 0;
    };
    let mut succeeded = 0;
    let mut live: Vec<u32> = Vec::new();
    let max = opts.size as u64 / 3;
    for step in 0..ops {
        let what = rng.below(100);
        let size = match rng.below(10) {
            0 => 0,
            1 => rng.below(max * 4) as u32,
            _ => 1 + rng.below(max / 4 + 1) as u32,
        };
        let slot = if live.is_empty() {
            0
        } else {
            rng.below(live.len() as u64) as usize
        };
        let (a, b) = match what {
            0..=39 => (fast.malloc(size), slow.malloc(size)),
            40..=44 => (fast.calloc(size, 0x5a), slow.calloc(size, 0x5a)),
            45..=74 if !live.is_empty() => {
                let p = live.swap_remove(slot);
                let r = (fast.free(p), slow.free(p));
                assert_eq!(r.0, r.1, "free({p}) seed {seed} step {step} {opts:?}");
                (None, None)
            }
            75..=94 if !live.is_empty() => {
                let p = live[slot];
                let r = (fast.realloc(p, size), slow.realloc(p, size));
                if let Some(n) = r.0 {
                    live[slot] = n;
                }
                r
            }
            95 => {
                fast.free_all();
                slow.free_all();
                live.clear();
                (None, None)
            }
            _ => {
                let wild = rng.below(opts.size as u64) as u32;
                assert_eq!(fast.free(wild), slow.free(wild), "wild free {wild}");
                live.retain(|&p| p != wild);
                (None, None)
            }
        };
        assert_eq!(
            a, b,
            "seed {seed} step {step} op {what} size {size} {opts:?}"
        );
        succeeded += usize::from(a.is_some());
        if let (Some(p), 0..=44) = (a, what) {
            live.push(p);
        }
        assert!(
            fast.bytes() == slow.bytes(),
            "buffers differ: seed {seed} step {step} op {what} size {size} {opts:?}"
        );
        assert_eq!(fast.stats(), slow.stats(), "seed {seed} step {step}");
        assert_eq!(
            fast.largest_free(),
            slow.largest_free(),
            "seed {seed} step {step}"
        );
        // And both are the largest block on the free list (the walk, not either engine).
        assert_eq!(
            fast.largest_free(),
            fast.free_blocks().map(|b| b.size).max().unwrap_or(0),
            "seed {seed} step {step}"
        );
        if step % 16 == 0 {
            // attach rebuilds the index from the bytes: it must agree too.
            let again = MemPool::attach(fast.bytes().to_vec(), opts.start).unwrap();
            assert_eq!(
                again.stats(),
                slow.stats(),
                "attach: seed {seed} step {step}"
            );
            assert!(
                again.is_indexed(),
                "a checked heap gets an index: {:?}",
                again.check()
            );
        }
    }
    fast.check().unwrap();
    succeeded
}

#[test]
fn fast_and_reference_write_the_same_bytes() {
    let (mut pools, mut ok) = (0, 0);
    for seed in 0..400 {
        let n = run(seed, 300);
        pools += usize::from(n > 0);
        ok += n;
    }
    // The sequences must exercise the pools, not mostly bounce off invalid options.
    assert!(
        pools > 250 && ok > 25_000,
        "{pools} pools, {ok} successful ops"
    );
}

#[test]
fn attached_heaps_get_an_index_and_stay_identical() {
    let mut rng = ModRng::new(99);
    for _ in 0..50 {
        let opts = options(&mut rng);
        let Ok(mut slow) = reference::new(opts) else {
            continue;
        };
        let mut addrs = Vec::new();
        for _ in 0..100 {
            if let Some(a) = slow.malloc(1 + rng.below(200) as u32) {
                addrs.push(a);
            }
        }
        for a in addrs.iter().step_by(2) {
            slow.free(*a);
        }
        let mut fast = MemPool::attach(slow.bytes().to_vec(), opts.start).unwrap();
        assert!(
            fast.is_indexed(),
            "a valid heap gets an index: {:?}",
            fast.check()
        );
        for _ in 0..200 {
            let n = 1 + rng.below(300) as u32;
            assert_eq!(fast.malloc(n), slow.malloc(n));
            if let Some(&a) = addrs.get(rng.below(addrs.len() as u64 + 1) as usize) {
                assert_eq!(fast.free(a), slow.free(a));
            }
            assert_eq!(fast.bytes(), slow.bytes());
        }
    }
}

/// A caller's buffer that can be cut short from outside the pool: the only way a heap that
/// passed check() can make an access fault.
struct Cuttable {
    bytes: Vec<u8>,
    len: std::rc::Rc<std::cell::Cell<usize>>,
}

impl AsRef<[u8]> for Cuttable {
    fn as_ref(&self) -> &[u8] {
        &self.bytes[..self.len.get()]
    }
}

impl AsMut<[u8]> for Cuttable {
    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.bytes[..self.len.get()]
    }
}

/// A fault drops the fast index for good: the pool goes on with the reference walks, which
/// fail safely on the bytes as they are (the mutation run found the drop untested).
#[test]
fn a_fault_drops_the_index() {
    let len = std::rc::Rc::new(std::cell::Cell::new(4096));
    let buf = Cuttable {
        bytes: vec![0; 4096],
        len: len.clone(),
    };
    let mut pool = MemPool::with_buffer(buf, PoolOptions::default()).unwrap();
    let a = pool.malloc(100).unwrap();
    assert!(pool.is_indexed());
    // The block's header lies beyond the cut: freeing it faults.
    len.set(a as usize - 8);
    assert!(!pool.free(a));
    assert!(!pool.is_indexed(), "the index is dropped after a fault");
    // The full buffer back: the reference walks find the block the faulted free left.
    len.set(4096);
    assert!(pool.free(a));
    pool.check().unwrap();
}

/// Thousands of small blocks, so that the fast engine's used table goes far past its window
/// of the 16 newest blocks: its hash table grows (past 64 slots) and shrinks again, and frees
/// hit the newest blocks, the oldest and everything between. The same bytes after every
/// operation, on every kind of option.
#[test]
fn many_small_blocks_agree_byte_for_byte() {
    for seed in 0..6u64 {
        let mut rng = ModRng::new(1000 + seed);
        let opts = PoolOptions {
            size: 256 << 10,
            align: [8, 16][seed as usize % 2],
            compact: seed % 3 != 2,
            split: seed % 4 != 3,
            min_split: [16, 24, 64][seed as usize % 3],
            ..PoolOptions::default()
        };
        let mut fast = MemPool::new(opts).unwrap();
        let mut slow = reference::new(opts).unwrap();
        // Oldest first: the used list reversed, as far as this test keeps track.
        let mut live: Vec<u32> = Vec::new();
        let (mut peak, mut low) = (0, usize::MAX);
        for step in 0..12_000usize {
            // Grow to ~1,600 blocks, thin out to a few, twice.
            let phase = (step / 3000) % 2 == 0;
            let what = rng.below(100);
            let range = if rng.below(8) == 0 { 300 } else { 48 };
            let size = 1 + rng.below(range) as u32;
            let grow = if phase { what < 70 } else { what < 15 };
            let (a, b) = if grow || live.is_empty() {
                let r = (fast.malloc(size), slow.malloc(size));
                if let Some(p) = r.0 {
                    live.push(p);
                }
                r
            } else if what < 85 {
                // The newest few, the oldest, or anywhere.
                let i = match rng.below(4) {
                    0 => live.len() - 1 - rng.below(live.len().min(8) as u64) as usize,
                    1 => rng.below(live.len().min(8) as u64) as usize,
                    _ => rng.below(live.len() as u64) as usize,
                };
                let p = live.remove(i);
                let r = (fast.free(p), slow.free(p));
                assert_eq!(r.0, r.1, "free({p}) seed {seed} step {step}");
                assert!(r.0, "seed {seed} step {step}: {p} was live");
                (None, None)
            } else {
                let i = rng.below(live.len() as u64) as usize;
                let r = (fast.realloc(live[i], size), slow.realloc(live[i], size));
                if let Some(n) = r.0 {
                    if n != live[i] {
                        // Moved: a new block, the newest.
                        live.remove(i);
                        live.push(n);
                    }
                }
                r
            };
            assert_eq!(a, b, "seed {seed} step {step} size {size} {opts:?}");
            peak = peak.max(live.len());
            if step >= 3000 {
                low = low.min(live.len());
            }
            assert!(
                fast.bytes() == slow.bytes(),
                "buffers differ: seed {seed} step {step} size {size} {opts:?}"
            );
            assert_eq!(fast.stats(), slow.stats(), "seed {seed} step {step}");
            if step % 1000 == 999 {
                let again = MemPool::attach(fast.bytes().to_vec(), opts.start).unwrap();
                assert!(again.is_indexed());
                assert_eq!(
                    again.stats(),
                    slow.stats(),
                    "attach: seed {seed} step {step}"
                );
            }
        }
        fast.check().unwrap();
        assert!(fast.is_indexed());
        assert!(
            peak > 1000,
            "seed {seed}: only {peak} live blocks at the most"
        );
    }
}
