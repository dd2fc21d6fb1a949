//! `MemPool::check_all`: every violation of a corrupt heap, in address order, with what could
//! not be checked; and its agreement with `check`, which stops at the first.

mod common;

use common::rng::ModRng;
use mempool::check::{Diagnosis, Unchecked};
use mempool::{List, MemPool, PoolOptions, Violation};

fn put(buf: &mut [u8], addr: u32, v: u32) {
    buf[addr as usize..addr as usize + 4].copy_from_slice(&v.to_le_bytes());
}

/// Eight blocks A..H in address order, A, C, E and G freed: free list A -> C -> E -> G, used
/// list H -> F -> D -> B (newest first); H is the block at top.
fn eight_blocks() -> (Vec<u8>, [u32; 8]) {
    let mut pool = MemPool::with_buffer(vec![0u8; 1024], PoolOptions::default()).unwrap();
    let data: Vec<u32> = [24, 32, 40, 48, 56, 64, 72, 80]
        .iter()
        .map(|&n| pool.malloc(n).unwrap())
        .collect();
    for i in [0, 2, 4, 6] {
        assert!(pool.free(data[i]));
    }
    assert!(pool.check_all().is_sound());
    let blocks: [u32; 8] = std::array::from_fn(|i| data[i] - 8);
    assert_eq!(
        pool.free_blocks().map(|b| b.addr).collect::<Vec<_>>(),
        [blocks[0], blocks[2], blocks[4], blocks[6]]
    );
    (pool.into_inner(), blocks)
}

fn diagnose(buf: Vec<u8>) -> Diagnosis {
    MemPool::attach(buf, 0)
        .unwrap_or_else(|e| panic!("attach refused: {e}"))
        .check_all()
}

#[test]
fn three_independent_corruptions_are_all_listed_in_address_order() {
    let (mut buf, [a, b, c, _d, e, f, g, _h]) = eight_blocks();
    // 1. The free list out of order: A -> E -> C -> G.
    put(&mut buf, a + 4, e);
    put(&mut buf, e + 4, c);
    put(&mut buf, c + 4, g);
    // 2. G (80 bytes) split into two free blocks that touch: G -> G2, with compact on.
    let g2 = g + 32;
    put(&mut buf, g, 32);
    put(&mut buf, g + 4, g2);
    put(&mut buf, g2, 48);
    put(&mut buf, g2 + 4, 0);
    // 3. The used list loops: B, its last block, points back at F.
    put(&mut buf, b + 4, f);

    let first = MemPool::attach(buf.clone(), 0)
        .unwrap()
        .check()
        .unwrap_err();
    assert_eq!(
        first.invariant(),
        3,
        "check stops at the used list's cycle: {first}"
    );

    let d = diagnose(buf);
    assert_eq!(
        d.violations,
        [
            Violation::Unordered { prev: e, block: c },
            Violation::Cycle {
                list: List::Used,
                block: f,
                steps: 4
            },
            Violation::Adjacent {
                first: g,
                second: g2
            },
        ],
        "{d:#?}"
    );
    // The cycle closes on a block already seen: the whole used list was walked, so the
    // accounting (which still adds up) was checked and nothing is left out.
    assert!(d.unchecked.is_empty(), "{:?}", d.unchecked);
    assert!(!d.is_sound(), "three violations found, yet called sound");
    assert_eq!(d.invariants(), [3, 4, 8]);
    for v in &d.violations {
        assert!(v
            .to_string()
            .starts_with(&format!("invariant {} (", v.invariant())));
        assert!(!v.rule().is_empty());
    }
}

#[test]
fn a_list_that_cannot_be_walked_further_is_named_and_the_other_list_still_checked() {
    let (mut buf, [_a, b, c, ..]) = eight_blocks();
    // C's next pointer leaves the heap: the free list cannot be followed past it.
    let top = u32::from_le_bytes(buf[8..12].try_into().unwrap());
    put(&mut buf, c + 4, top + 64);
    // B (a 40-byte used block) shrunk to a size that is not a multiple of 8.
    put(&mut buf, b, 36);
    let d = diagnose(buf);
    let numbers: Vec<u8> = d.violations.iter().map(Violation::invariant).collect();
    // B comes before the block past top in address order.
    assert_eq!(numbers, [5, 2], "{d:#?}");
    assert!(
        matches!(d.violations[1], Violation::OutOfBounds { list: List::Free, block, .. } if block == top + 64)
    );
    // The free list ends in the dark: the accounting is not claimed either way.
    assert_eq!(
        d.unchecked,
        [Unchecked::ListTail {
            list: List::Free,
            block: top + 64,
            walked: 2
        }]
    );
    let text = d.unchecked[0].to_string();
    assert!(
        text.contains("free list") && text.contains("invariant 7") && text.contains("not checked"),
        "{text}"
    );
    // A free list cut short also leaves "no free block at top" unchecked; a used list not.
    assert!(text.contains("ends at top"), "{text}");
    let used = Unchecked::ListTail {
        list: List::Used,
        block: top + 64,
        walked: 2,
    }
    .to_string();
    assert!(
        used.contains("used list") && !used.contains("ends at top"),
        "{used}"
    );
}

/// `check` and `check_all` agree on every heap: sound or not, and `check`'s violation is one
/// of `check_all`'s (for a cycle, of the same invariant: `check` gives up after as many steps
/// as blocks fit, `check_all` stops where the loop closes).
fn agree(pool: &MemPool<Vec<u8>>) -> bool {
    let first = pool.check();
    let all = pool.check_all();
    assert_eq!(all.is_sound(), first.is_ok(), "{all:#?}");
    match first {
        Ok(()) => assert!(all.is_sound() && all.unchecked.is_empty(), "{all:#?}"),
        Err(Violation::Cycle { list, .. }) => assert!(
            all.violations
                .iter()
                .any(|v| matches!(v, Violation::Cycle { list: l, .. } if *l == list)),
            "{all:#?}"
        ),
        Err(ref v) => assert!(all.violations.contains(v), "{v} not in {all:#?}"),
    }
    let mut sorted = all.violations.clone();
    sorted.sort_by_key(|v| match v {
        Violation::State { .. } => (0, 0),
        Violation::Accounting { .. } => (2, 0),
        other => (1, other.address().unwrap()),
    });
    assert_eq!(sorted, all.violations, "not in address order");
    first.is_ok()
}

#[test]
fn check_all_agrees_with_check_on_corrupted_heaps() {
    let mut rng = ModRng::new(17);
    let (mut sound, mut corrupt) = (0, 0);
    for round in 0..2000 {
        let mut pool = MemPool::with_buffer(
            vec![0u8; 2048],
            PoolOptions {
                compact: round % 3 != 0,
                ..PoolOptions::default()
            },
        )
        .unwrap();
        let mut live = Vec::new();
        for _ in 0..40 {
            if live.is_empty() || rng.below(3) > 0 {
                if let Some(p) = pool.malloc(1 + rng.below(120) as u32) {
                    live.push(p);
                }
            } else {
                let i = rng.below(live.len() as u64) as usize;
                pool.free(live.swap_remove(i));
            }
        }
        assert!(agree(&pool));
        // Up to three words of the heap (mostly block headers, else any word below top)
        // overwritten with plausible addresses and sizes, or garbage.
        let top = pool.top();
        if top < 64 {
            continue; // (nearly) everything freed: no headers to corrupt
        }
        let headers: Vec<u32> = pool
            .free_blocks()
            .chain(pool.used_blocks())
            .flat_map(|b| [b.addr, b.addr + 4])
            .collect();
        let mut buf = pool.into_inner();
        for _ in 0..1 + rng.below(3) {
            let at = if rng.below(4) > 0 {
                rng.pick(&headers)
            } else {
                32 + 4 * rng.below(u64::from(top - 32) / 4) as u32
            };
            let v = match rng.below(4) {
                0 => 32 + 8 * rng.below(u64::from(top) / 8) as u32,
                1 => 8 * rng.below(40) as u32,
                2 => 0,
                _ => rng.below(1 << 32) as u32,
            };
            put(&mut buf, at, v);
        }
        let pool = MemPool::attach(buf, 0).unwrap();
        if agree(&pool) {
            sound += 1;
        } else {
            corrupt += 1;
        }
    }
    println!("{sound} sound, {corrupt} corrupt");
    // Payload words and some header values change nothing; most header values break
    // something.
    assert!(
        sound > 100 && corrupt > 1000,
        "{sound} sound, {corrupt} corrupt"
    );
}

/// `check` gives up on a cyclic list after as many blocks as fit between initialTop and top
/// (one per `align` bytes), and says how many it walked.
#[test]
fn check_gives_up_on_a_cycle_after_as_many_blocks_as_fit() {
    let (mut buf, [a, b, _c, _d, _e, f, _g, _h]) = eight_blocks();
    put(&mut buf, b + 4, f); // the used list: H -> F -> D -> B -> F -> ...
    let top = u32::from_le_bytes(buf[8..12].try_into().unwrap());
    let fit = u64::from(top - a) / 8; // A is the first block: initialTop
    assert!(fit < buf.len() as u64 / 8, "below the walk's own limit");
    match MemPool::attach(buf, 0).unwrap().check() {
        Err(Violation::Cycle {
            list: List::Used,
            steps,
            ..
        }) => assert_eq!(steps, fit),
        other => panic!("{other:?}"),
    }
}
