//! `attach` (the seed's `skipInitialization`) and the heap checker: round trips, corrupt
//! buffers, one test per invariant, and the address-space edges (4 GiB buffers, sizes near
//! `u32::MAX`).

use mempool::{MemPool, PoolError, PoolOptions, Violation};

fn sample_heap() -> MemPool<Vec<u8>> {
    let mut pool = MemPool::with_buffer(
        vec![0u8; 1024],
        PoolOptions {
            start: 16,
            ..PoolOptions::default()
        },
    )
    .unwrap();
    let a = pool.malloc(10).unwrap();
    let _b = pool.malloc(20).unwrap();
    let c = pool.malloc(30).unwrap();
    let _d = pool.malloc(40).unwrap();
    pool.free(a);
    pool.free(c);
    pool.check().unwrap();
    pool
}

fn put(buf: &mut [u8], addr: u32, v: u32) {
    buf[addr as usize..addr as usize + 4].copy_from_slice(&v.to_le_bytes());
}

#[test]
fn attach_round_trip_continues_where_it_left() {
    let pool = sample_heap();
    let stats = pool.stats();
    let mut twin = MemPool::with_buffer(pool.bytes().to_vec(), PoolOptions::default()).unwrap();
    let buf = pool.into_inner();
    let mut back = MemPool::attach(buf, 16).unwrap();
    assert_eq!(back.stats(), stats);
    back.check().unwrap();
    // The same op on the attached pool and on a fresh copy of the bytes gives the same result.
    twin.free_all();
    let x = back.malloc(12).unwrap();
    assert_eq!(x, 16 + 28 + 4 + 8, "first fit reuses the first free block");
    assert!(back.check().is_ok());
    // Borrowed buffers work too.
    let mut bytes = back.into_inner();
    let mut borrowed = MemPool::attach(&mut bytes[..], 13).unwrap(); // rounded up to 16
    assert!(borrowed.free(x));
    borrowed.check().unwrap();
}

#[test]
fn attach_rejects_bad_state_words() {
    let good = sample_heap().into_inner();
    let cases: [(u32, u32, &str); 6] = [
        (16, 12, "align"),   // not a power of two
        (12, 5000, "end"),   // beyond the buffer
        (8, 8, "top"),       // below initialTop
        (24, 3, "minSplit"), // <= 8
        (0, 1020, "free"),   // beyond top
        (4, 17, "used"),     // below initialTop
    ];
    for (offset, value, word) in cases {
        let mut buf = good.clone();
        put(&mut buf, 16 + offset, value);
        match MemPool::attach(buf, 16) {
            Err(PoolError::CorruptState {
                word: w, value: v, ..
            }) => {
                assert_eq!((w, v), (word, value));
            }
            other => panic!("{word}: expected CorruptState, got {other:?}"),
        }
    }
    assert!(matches!(
        MemPool::attach(vec![0u8; 20], 0),
        Err(PoolError::StartOutOfRange { .. })
    ));
    let err = MemPool::attach(vec![0u8; 64], 0).unwrap_err().to_string();
    assert!(err.contains("align") && err.contains("0x0"), "{err}");
}

/// Arbitrary bytes: attach either refuses them or gives a pool on which every operation
/// terminates without panicking (a cheap, seeded cousin of the `attach` fuzz target).
#[test]
fn attach_on_hostile_bytes_never_panics_or_hangs() {
    let mut state = 0x1234_5678_9abc_def0u64;
    let mut rnd = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut attached = 0;
    for _ in 0..3000 {
        let len = 64 + (rnd() % 512) as usize;
        let mut buf: Vec<u8> = (0..len).map(|_| (rnd() % 7) as u8 * 8).collect();
        // Plausible state words, so that many buffers get past attach.
        put(&mut buf, 16, 8 << (rnd() % 3));
        put(
            &mut buf,
            12,
            (len as u32).saturating_sub((rnd() % 64) as u32),
        );
        put(&mut buf, 8, 32 + (rnd() % 256) as u32);
        put(&mut buf, 24, 9 + (rnd() % 32) as u32);
        put(&mut buf, 0, [0, 32, 40, 48, 64][(rnd() % 5) as usize]);
        put(&mut buf, 4, [0, 32, 40, 48, 64][(rnd() % 5) as usize]);
        let Ok(mut pool) = MemPool::attach(buf, 0) else {
            continue;
        };
        attached += 1;
        let accepted = pool.check().is_ok();
        for _ in 0..20 {
            let n = (rnd() % 128) as u32;
            match rnd() % 5 {
                0 => {
                    pool.malloc(n);
                }
                1 => {
                    pool.free(n * 8);
                }
                2 => {
                    pool.realloc(40 + n % 8 * 8, n);
                }
                3 => {
                    pool.calloc(n, 1);
                }
                _ => {
                    let _ = pool.stats();
                }
            }
            if accepted {
                pool.check().unwrap();
            }
        }
    }
    assert!(attached > 100, "only {attached} buffers attached");
}

/// Invariant 1 reached after attach: a corrupt used list that links a block at `start` (the
/// state block itself) lets `data_mut` overwrite state words, and check() then names the
/// state word, before any block invariant (the mutation run found the state checks untested
/// beyond attach's own validation).
#[test]
fn check_names_a_state_word_overwritten_after_attach() {
    let pool = sample_heap();
    let used: Vec<u32> = pool.used_blocks().map(|b| b.addr).collect();
    // The state block at 16 as a block: its size word is the free head (a's block, so its
    // payload runs from 24 over the state words), its next word the used head.
    let mut linked = pool.bytes().to_vec();
    put(&mut linked, used[1] + 4, 16);
    // (state word, offset from 16, bad value, good value)
    let cases: [(&str, u32, u32); 5] = [
        ("top", 8, 0),       // below initialTop
        ("top", 8, 2000),    // beyond end
        ("end", 12, 5000),   // beyond the buffer
        ("align", 16, 4),    // a power of two, but below 8
        ("minSplit", 24, 8), // not greater than 8
    ];
    for (word, offset, value) in cases {
        let mut pool = MemPool::attach(linked.clone(), 16).unwrap();
        let state = pool
            .data_mut(24)
            .expect("the state block is on the used list");
        let at = (offset - 8) as usize;
        state[at..at + 4].copy_from_slice(&value.to_le_bytes());
        match pool.check() {
            Err(Violation::State {
                word: w, value: v, ..
            }) => {
                assert_eq!((w, v), (word, u64::from(value)), "{word} = {value}");
            }
            other => panic!("{word} = {value}: expected the state word, got {other:?}"),
        }
    }
}

/// A cyclic list is walked at most one step per 8 bytes of buffer (more blocks than that
/// cannot fit), then the walk stops: the iterators end too.
#[test]
fn a_cyclic_list_is_walked_at_most_len_over_8_steps() {
    let pool = sample_heap();
    let used: Vec<u32> = pool.used_blocks().map(|b| b.addr).collect();
    let mut buf = pool.bytes().to_vec();
    put(&mut buf, used[1] + 4, used[0]); // d -> b -> d -> ...
    let len = buf.len();
    let pool = MemPool::attach(buf, 16).unwrap();
    assert!(pool.check().is_err());
    let walked = pool.used_blocks().count();
    assert!(walked > 2 && walked <= len / 8 + 1, "{walked} steps");
    // Exactly the limit: one step per 8-byte slot of the buffer, and one more.
    assert_eq!(walked, len / 8 + 1);
}

#[test]
fn check_names_each_invariant() {
    let pool = sample_heap();
    // used list: [d, b] (newest first); free list: [a, c] (address order).
    let free: Vec<u32> = pool.free_blocks().map(|b| b.addr).collect();
    let used: Vec<u32> = pool.used_blocks().map(|b| b.addr).collect();
    let (fa, fc) = (free[0], free[1]);
    let corrupt = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut buf = pool.bytes().to_vec();
        f(&mut buf);
        MemPool::attach(buf, 16)
            .map(|p| p.check())
            .unwrap_or_else(|e| panic!("attach refused: {e}"))
            .unwrap_err()
    };
    let expect = |v: Violation, n: u8| {
        assert_eq!(v.invariant(), n, "{v}");
        assert!(v.to_string().starts_with(&format!("invariant {n} ")), "{v}");
    };
    // 1: state words out of range never get past attach (it validates the same ranges), so
    // through the public API check() sees invariant 1 only as a defence in depth.
    let mut buf = pool.bytes().to_vec();
    put(&mut buf, 16 + 12, pool.top() - 8);
    assert!(MemPool::attach(buf, 16).is_err());
    // 2: a block running past top.
    expect(corrupt(&|b| put(b, used[0], 0x400)), 2);
    // 3: a cycle in the used list.
    expect(corrupt(&|b| put(b, used[1] + 4, used[0])), 3);
    // 4: free list out of address order.
    expect(
        corrupt(&|b| {
            put(b, 16, fc);
            put(b, fc + 4, fa);
            put(b, fa + 4, 0);
        }),
        4,
    );
    // 5: a size that is not a multiple of align.
    expect(corrupt(&|b| put(b, used[1], 12)), 5);
    // 6: the same block on both lists.
    expect(corrupt(&|b| put(b, 16 + 4, fa)), 6);
    // 7: a block missing from both lists.
    expect(corrupt(&|b| put(b, used[0] + 4, 0)), 7);
    // 8: free blocks left adjacent with compact on: split c's 40-byte block in two.
    expect(
        corrupt(&|b| {
            put(b, fc, 16);
            put(b, fc + 4, fc + 16);
            put(b, fc + 16, 24);
            put(b, fc + 20, 0);
        }),
        8,
    );
    // 8: d (the block at top, right after c) moved from the used to the free list.
    expect(
        corrupt(&|b| {
            put(b, 16 + 4, used[1]); // drop d, the block at top, from the used list
            put(b, fc + 4, used[0]); // and put it on the free list after c
            put(b, used[0] + 4, 0);
        }),
        8,
    );
}

#[test]
fn options_are_validated_with_named_errors() {
    let make = |f: &dyn Fn(&mut PoolOptions)| {
        let mut o = PoolOptions::default();
        f(&mut o);
        MemPool::new(o).unwrap_err()
    };
    assert_eq!(make(&|o| o.align = 24), PoolError::InvalidAlign(24));
    assert_eq!(make(&|o| o.align = 4), PoolError::InvalidAlign(4));
    assert_eq!(make(&|o| o.min_split = 8), PoolError::InvalidMinSplit(8));
    assert!(make(&|o| o.align = 24).to_string().contains("`align`: 24"));
    assert!(matches!(
        make(&|o| o.size = (1 << 32) + 1),
        PoolError::BufferTooLarge(_)
    ));
    assert!(matches!(
        make(&|o| o.size = 16),
        PoolError::StartOutOfRange { .. }
    ));
    assert!(matches!(
        make(&|o| o.start = u32::MAX),
        PoolError::StartOutOfRange { .. }
    ));
}

#[test]
fn sizes_near_u32_max_fail_cleanly() {
    let mut pool = MemPool::new(PoolOptions::default()).unwrap();
    for size in [u32::MAX, u32::MAX - 7, u32::MAX - 8, 1 << 31] {
        assert_eq!(pool.malloc(size), None);
        assert_eq!(pool.calloc(size, 1), None);
        assert!(pool.malloc_as::<f64>(size).is_none());
    }
    let a = pool.malloc(8).unwrap();
    assert_eq!(pool.realloc(a, u32::MAX), None);
    pool.check().unwrap();
}

/// A whole 4 GiB buffer: `end` is clamped to `u32::MAX`, and blocks can reach it. Only the
/// touched pages are ever committed.
#[test]
fn four_gib_buffer() {
    let mut pool = MemPool::new(PoolOptions {
        size: 1 << 32,
        ..PoolOptions::default()
    })
    .unwrap();
    assert_eq!(pool.end(), u32::MAX);
    assert_eq!(pool.stats().total, 1 << 32);
    let big = pool.malloc(0xffff_0000).unwrap();
    assert_eq!(pool.top(), 32 + 0xffff_0008);
    assert_eq!(pool.malloc(0xffd0), None, "one byte past end");
    let last = pool.malloc(0xffc0).unwrap();
    assert_eq!(pool.top(), 0xffff_fff0);
    pool.data_mut(last).unwrap().fill(7);
    pool.check().unwrap();
    assert!(pool.free(big));
    assert_eq!(pool.realloc(last, 0xffff_ff00), None);
    pool.check().unwrap();
    assert!(pool.free(last));
    assert_eq!(pool.top(), pool.initial_top());
}
