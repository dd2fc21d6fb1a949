//! Random operation sequences against a shadow model of the live blocks: every block keeps
//! the pattern written into it, realloc keeps the prefix, `check()` passes after every op,
//! and freeing everything returns the pool to its initial state.

use std::collections::BTreeMap;

use mempool::{MemPool, PoolOptions};

mod common;
use common::Rng;

fn pattern(id: u64, len: usize) -> Vec<u8> {
    (0..len).map(|i| (id as usize * 31 + i * 7) as u8).collect()
}

fn run(seed: u64) {
    let mut rng = Rng(seed);
    let opts = PoolOptions {
        size: rng.pick(&[256, 1024, 4096, 16384]),
        start: rng.pick(&[0, 4, 12, 64]),
        align: rng.pick(&[8, 16, 32, 64]),
        compact: rng.below(4) != 0,
        split: rng.below(4) != 0,
        min_split: 9 + rng.below(200) as u32,
        ..PoolOptions::default()
    };
    let mut pool = MemPool::new(opts).unwrap();
    let fresh = pool.stats();
    // data address -> (id, requested size)
    let mut live: BTreeMap<u32, (u64, u32)> = BTreeMap::new();
    let mut next_id = 0u64;
    for step in 0..400 {
        let ctx = || format!("seed {seed}, step {step}, options {opts:?}");
        let max = (opts.size / 4) as u64;
        match rng.below(10) {
            0..=3 => {
                let size = 1 + rng.below(max) as u32;
                if let Some(a) = pool.malloc(size) {
                    assert_eq!(a % opts.align, 0, "{}", ctx());
                    next_id += 1;
                    let p = pattern(next_id, size as usize);
                    pool.data_mut(a).unwrap()[..size as usize].copy_from_slice(&p);
                    assert!(live.insert(a, (next_id, size)).is_none(), "{}", ctx());
                }
            }
            4..=6 if !live.is_empty() => {
                let k = rng.below(live.len() as u64) as usize;
                let a = *live.keys().nth(k).unwrap();
                assert!(pool.free(a), "{}", ctx());
                assert!(!pool.free(a), "double free must fail: {}", ctx());
                live.remove(&a);
            }
            7 | 8 if !live.is_empty() => {
                let k = rng.below(live.len() as u64) as usize;
                let a = *live.keys().nth(k).unwrap();
                let (id, old) = live[&a];
                let size = 1 + rng.below(max) as u32;
                if let Some(b) = pool.realloc(a, size) {
                    let keep = old.min(size) as usize;
                    assert_eq!(
                        &pool.data(b).unwrap()[..keep],
                        &pattern(id, old as usize)[..keep],
                        "realloc lost the prefix: {}",
                        ctx()
                    );
                    live.remove(&a);
                    next_id += 1;
                    let p = pattern(next_id, size as usize);
                    pool.data_mut(b).unwrap()[..size as usize].copy_from_slice(&p);
                    live.insert(b, (next_id, size));
                }
            }
            _ => {
                let wild = rng.below(opts.size as u64 + 64) as u32;
                if !live.contains_key(&wild) {
                    assert!(!pool.free(wild), "wild free {wild}: {}", ctx());
                }
            }
        }
        if let Err(v) = pool.check() {
            panic!("{v}: {}", ctx());
        }
        for (&a, &(id, size)) in &live {
            assert_eq!(
                &pool.data(a).unwrap()[..size as usize],
                &pattern(id, size as usize)[..],
                "block {a:#x} was overwritten: {}",
                ctx()
            );
        }
        assert_eq!(pool.stats().used.count as usize, live.len(), "{}", ctx());
    }
    for a in live.keys() {
        assert!(pool.free(*a));
    }
    let end = pool.stats();
    if opts.compact {
        assert_eq!(end, fresh, "leak after freeing everything: {opts:?}");
    } else {
        assert_eq!(end.used.count, 0);
        assert_eq!(end.available, fresh.available, "leak: {opts:?}");
    }
    pool.free_all();
    assert_eq!(pool.stats(), fresh);
}

#[test]
fn random_sequences_keep_every_block_intact() {
    for seed in 0..300 {
        run(seed);
    }
}
