//! Every scenario of the seed's own test suite (`packages/malloc/test/main.test.ts` in
//! thi-ng/umbrella), ported with the same expected addresses and statistics.
//!
//! Where the seed's test reaches into private state (`p._free`, `p.blockSize(...)`), the port
//! reads the same words through the public block iterators and `stats()`.

mod common;

use mempool::{layout::align_up, ListStats, MemPool, PoolError, PoolOptions, Stats};

const POOL_OVERHEAD: u32 = 7 * 4;
const BLOCK_OVERHEAD: u32 = 2 * 4;

fn pool() -> MemPool {
    common::pools::pool(0x100)
}

fn pool_with(f: impl FnOnce(&mut PoolOptions)) -> MemPool {
    let mut o = PoolOptions {
        size: 0x100,
        ..PoolOptions::default()
    };
    f(&mut o);
    MemPool::new(o).unwrap()
}

fn align(x: u32, a: u32) -> u32 {
    align_up(u64::from(x), a) as u32
}

fn list(count: u32, size: u64) -> ListStats {
    ListStats { count, size }
}

fn free_head(p: &MemPool) -> u32 {
    p.free_blocks().next().map_or(0, |b| b.addr)
}

fn used_head(p: &MemPool) -> u32 {
    p.used_blocks().next().map_or(0, |b| b.addr)
}

fn size_of_block(p: &MemPool, addr: u32) -> u32 {
    p.used_blocks()
        .chain(p.free_blocks())
        .find(|b| b.addr == addr)
        .map(|b| b.size)
        .unwrap()
}

#[test]
fn ctor() {
    let p = pool();
    assert_eq!(p.start(), 0);
    assert_eq!(p.top(), align(POOL_OVERHEAD, 8));
    assert!(p.compact());
    assert!(p.split());
    assert_eq!(
        p.end(),
        0x100,
        "without an end option, end is the byte length"
    );
    let p = MemPool::new(PoolOptions {
        size: 0x100,
        start: 0x0c,
        end: Some(0x80),
        ..PoolOptions::default()
    })
    .unwrap();
    assert_eq!(p.start(), 0x0c);
    assert_eq!(p.top(), align(0x0c + POOL_OVERHEAD, 8));
    assert_eq!(p.end(), 0x80);
    let make = |start, end| {
        MemPool::new(PoolOptions {
            size: 0x100,
            start,
            end: Some(end),
            ..PoolOptions::default()
        })
    };
    assert!(matches!(
        make(0, 0),
        Err(PoolError::InsufficientRange { .. })
    ));
    assert!(matches!(
        make(0x100, 0x200),
        Err(PoolError::StartOutOfRange { .. })
    ));
    assert!(matches!(
        make(0x80, 0),
        Err(PoolError::InsufficientRange { .. })
    ));
}

#[test]
fn malloc_free() {
    let mut pool = pool();
    assert_eq!(pool.malloc(256), None);
    assert_eq!(pool.malloc(0), None);

    let base = pool.stats().top;
    let mut a = pool.malloc(12).unwrap();
    let mut b = pool.malloc(31).unwrap();
    let mut c = pool.malloc(24).unwrap();
    assert_eq!(a, base + BLOCK_OVERHEAD);
    assert_eq!(b, a + 16 + BLOCK_OVERHEAD);
    assert_eq!(c, b + 32 + BLOCK_OVERHEAD);

    let stats = pool.stats();
    assert_eq!(stats.top, c + 24);
    assert_eq!(stats.free, list(0, 0));
    assert_eq!(
        stats.used,
        list(3, u64::from(16 + 32 + 24 + 3 * BLOCK_OVERHEAD))
    );

    assert!(pool.free(a));
    assert!(pool.free(c));
    assert!(pool.free(b));
    assert!(!pool.free(b));
    let stats = pool.stats();
    assert_eq!(stats.top, base);
    assert_eq!(stats.free, list(0, 0));
    assert_eq!(stats.used, list(0, 0));

    // alloc & split free block
    a = pool.malloc(32).unwrap();
    assert_eq!(a, base + BLOCK_OVERHEAD);
    let stats = pool.stats();
    assert_eq!(stats.free, list(0, 0));
    assert_eq!(stats.used, list(1, u64::from(32 + BLOCK_OVERHEAD)));
    assert_eq!(stats.top, base + 32 + BLOCK_OVERHEAD);
    // alloc next block & free prev
    b = pool.malloc(12).unwrap();
    assert_eq!(b, base + 32 + BLOCK_OVERHEAD * 2);
    assert!(pool.free(a));

    // re-alloc from free & split
    a = pool.malloc(8).unwrap();
    assert_eq!(a, base + BLOCK_OVERHEAD);
    let stats = pool.stats();
    assert_eq!(stats.free, list(1, 24));
    assert_eq!(stats.used, list(2, u64::from(24 + 2 * BLOCK_OVERHEAD)));
    assert_eq!(stats.top, base + 32 + 16 + 2 * BLOCK_OVERHEAD);

    // join both free blocks
    assert!(pool.free(b));

    // extend free block + top
    b = pool.malloc(64).unwrap();
    assert_eq!(b, base + 8 + 2 * BLOCK_OVERHEAD);
    let stats = pool.stats();
    assert_eq!(stats.free, list(0, 0));
    assert_eq!(stats.used, list(2, u64::from(8 + 64 + 2 * BLOCK_OVERHEAD)));
    assert_eq!(stats.top, base + 8 + 64 + 2 * BLOCK_OVERHEAD);

    // alloc at top, below min size; non-continuous free chain
    c = pool.malloc(1).unwrap();
    assert!(pool.free(c));
    assert_eq!(
        pool.stats().top,
        base + 8 + 64 + 2 * BLOCK_OVERHEAD,
        "top reset to before"
    );
    assert!(pool.free(a));
    let stats = pool.stats();
    assert_eq!(stats.free, list(1, u64::from(8 + BLOCK_OVERHEAD)));
    assert_eq!(stats.used, list(1, u64::from(64 + BLOCK_OVERHEAD)));
    assert_eq!(
        stats.top,
        base + 8 + 64 + 2 * BLOCK_OVERHEAD,
        "top remains unchanged"
    );

    // alloc larger size to force walking free chain and then alloc at top
    a = pool.malloc(27).unwrap();
    assert_eq!(a, base + 8 + 64 + 3 * BLOCK_OVERHEAD);
    let stats = pool.stats();
    assert_eq!(stats.free, list(1, u64::from(8 + BLOCK_OVERHEAD)));
    assert_eq!(stats.used, list(2, u64::from(64 + 32 + 2 * BLOCK_OVERHEAD)));
    assert_eq!(stats.top, base + 8 + 64 + 32 + 3 * BLOCK_OVERHEAD);

    assert!(pool.free(a));
    assert!(pool.free(b));
    let stats = pool.stats();
    assert_eq!(stats.free, list(0, 0));
    assert_eq!(stats.used, list(0, 0));
    assert_eq!(stats.available, u64::from(256 - base));
    assert_eq!(stats.top, base);

    pool.free_all();
    assert_eq!(
        pool.stats(),
        Stats {
            free: list(0, 0),
            used: list(0, 0),
            available: u64::from(256 - base),
            total: 256,
            top: base,
        }
    );
    pool.check().unwrap();
    let _buffer = pool.into_inner();
}

#[test]
fn malloc_as() {
    let mut pool = pool();
    assert!(pool.malloc_as::<u8>(257).is_none());
    assert!(pool.malloc_as::<u16>(129).is_none());
    assert!(pool.malloc_as::<u32>(65).is_none());
    assert!(pool.malloc_as::<f64>(33).is_none());

    let base = pool.stats().top;
    let a = pool.malloc_as::<f32>(3).unwrap();
    let b = pool.malloc_as::<f64>(3).unwrap();
    assert_eq!(a.addr(), base + BLOCK_OVERHEAD);
    assert_eq!(b.addr(), a.addr() + 16 + BLOCK_OVERHEAD);
    assert_eq!((a.len(), b.len()), (3, 3));
    assert_eq!((a.byte_len(), b.byte_len()), (12, 24));
    assert!(
        !a.is_empty() && !b.is_empty(),
        "a block the pool returned has elements"
    );
    let debug = format!("{a:?} {pool:?}");
    assert!(
        debug.starts_with("TypedBlock { type: \"f32\", addr: ")
            && debug.contains("len: 3 } MemPool { len: 256, start: 0, top: "),
        "{debug}"
    );
    pool.slice_mut(&a)
        .unwrap()
        .copy_from_slice(&[1.0, 2.0, 3.0]);
    pool.slice_mut(&b)
        .unwrap()
        .copy_from_slice(&[10.0, 20.0, 30.0]);
    let words = |pool: &MemPool, at: u32, n: usize| -> Vec<u32> {
        pool.bytes()[at as usize..at as usize + 4 * n]
            .chunks(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    };
    assert_eq!(
        words(&pool, a.addr(), 4),
        [0x3f800000, 0x40000000, 0x40400000, 0]
    );
    assert_eq!(
        words(&pool, b.addr(), 8),
        [0, 0x40240000, 0, 0x40340000, 0, 0x403e0000, 0, 0]
    );
    assert!(pool.free_typed(a));
    assert!(pool.free_typed(b));
    assert!(!pool.free_typed(a));
    assert!(!pool.free_typed(b));
    // A view of another buffer.
    let mut other = MemPool::new(PoolOptions::default()).unwrap();
    let foreign = other.malloc_as::<u16>(1).unwrap();
    assert!(!pool.free_typed(foreign));
}

#[test]
fn calloc() {
    let mut pool = pool();
    let top = pool.stats().top as usize;
    // The seed fills the free space with 0xff first; through the public API that is a
    // block of 0xff that is then freed.
    let filler = pool.calloc(256 - top as u32 - 8, 0xff).unwrap();
    assert!(pool.free(filler));
    let a = pool.calloc(6, 0).unwrap() as usize;
    assert_eq!(
        &pool.bytes()[a..a + 9],
        &[0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff]
    );
}

#[test]
fn calloc_as() {
    let mut pool = pool();
    let top = pool.stats().top;
    let filler = pool.calloc(256 - top - 8, 0xff).unwrap();
    assert!(pool.free(filler));
    let a = pool.calloc_as::<f32>(3, 0.0).unwrap();
    let b = pool.calloc_as::<f64>(3, 0.0).unwrap();
    assert_eq!(pool.slice(&a).unwrap(), &[0.0; 3]);
    assert_eq!(pool.slice(&b).unwrap(), &[0.0; 3]);
    pool.slice_mut(&a)
        .unwrap()
        .copy_from_slice(&[1.0, 2.0, 3.0]);
    pool.slice_mut(&b)
        .unwrap()
        .copy_from_slice(&[10.0, 20.0, 30.0]);
    assert!(pool.free_typed(a));
    assert!(pool.free_typed(b));
    // returned arrays are filled with the given value
    let a = pool.calloc_as::<u32>(3, 0xaa55aa55).unwrap();
    let b = pool.calloc_as::<u32>(3, 0xaa55aa55).unwrap();
    assert_eq!(pool.slice(&a).unwrap(), &[0xaa55aa55; 3]);
    assert_eq!(pool.slice(&b).unwrap(), &[0xaa55aa55; 3]);
}

#[test]
fn malloc_top() {
    let mut pool = pool();
    let a = pool.malloc(8).unwrap();
    let b = pool.malloc(8).unwrap();
    let c = pool.malloc(8).unwrap();
    let d = pool.malloc(8).unwrap();
    // cause non continuous free chain
    pool.free(a);
    pool.free(b);
    pool.free(d);
    assert_eq!(pool.malloc(256 - d + 1), None);
    assert!(pool.malloc_as::<u8>(256 - d + 1).is_none());
    pool.free(c);
    pool.check().unwrap();
}

#[test]
fn realloc() {
    let mut pool = pool();
    let a = pool.malloc(8).unwrap();
    pool.data_mut(a).unwrap()[..8].fill(0xff);

    let block = used_head(&pool);
    assert_eq!(size_of_block(&pool, block), align(8 + BLOCK_OVERHEAD, 8));
    assert_eq!(pool.realloc(a, 0), None);
    assert_eq!(pool.realloc(a, 65), Some(a));

    assert_eq!(used_head(&pool), block);
    assert_eq!(size_of_block(&pool, block), align(65 + BLOCK_OVERHEAD, 8));

    // shrink & update top
    assert_eq!(pool.realloc(a, 31), Some(a));
    assert_eq!(size_of_block(&pool, block), align(31 + BLOCK_OVERHEAD, 8));
    assert_eq!(free_head(&pool), 0);
    assert_eq!(pool.top(), a + 32);

    // add new top block
    let b = pool.malloc(8).unwrap();
    assert_eq!(b, a + 40);

    // enlarge a again, but need to move after b
    let a2 = pool.realloc(a, 65).unwrap();
    assert_eq!(a2, b + 16);
    assert_eq!(
        &pool.bytes()[a2 as usize..a2 as usize + 9],
        &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0]
    );
    pool.check().unwrap();
}

#[test]
fn realloc_array() {
    let mut pool = pool();
    let a = pool.calloc_as::<f32>(4, 1.0).unwrap();
    let b = pool.realloc_array(a, 8).unwrap();
    assert_eq!(
        pool.slice(&b).unwrap(),
        &[1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    );
    assert!(pool.realloc_array(b, 10000).is_none());
    let mut other = MemPool::new(PoolOptions::default()).unwrap();
    let foreign = other.malloc_as::<f32>(4).unwrap();
    assert!(pool.realloc_array(foreign, 8).is_none());
}

#[test]
fn no_compact() {
    let mut pool = pool_with(|o| o.compact = false);
    let a = pool.malloc(8).unwrap();
    let a1 = pool.malloc(8).unwrap();
    let a2 = pool.malloc(8).unwrap();
    pool.free(a);
    pool.free(a1);
    pool.free(a2);
    let free: Vec<u32> = pool
        .free_blocks()
        .map(|b| b.addr + BLOCK_OVERHEAD)
        .collect();
    assert_eq!(free, [a, a1, a2]);
    pool.check().unwrap();
}

#[test]
fn no_split() {
    let mut pool = pool_with(|o| o.split = true);
    let base = pool.stats().top;
    let a = pool.malloc(32).unwrap();
    pool.malloc(8).unwrap();
    pool.free(a);
    pool.malloc(8).unwrap();
    assert_eq!(used_head(&pool), base);
    assert_eq!(size_of_block(&pool, base), 8 + BLOCK_OVERHEAD);
    assert_eq!(free_head(&pool), base + 8 + BLOCK_OVERHEAD);
    assert_eq!(size_of_block(&pool, free_head(&pool)), 24);

    let mut pool = pool_with(|o| o.split = false);
    let a = pool.malloc(32).unwrap();
    pool.malloc(8).unwrap();
    pool.free(a);
    pool.malloc(8).unwrap();
    assert_eq!(used_head(&pool), base);
    assert_eq!(size_of_block(&pool, base), 32 + BLOCK_OVERHEAD);
    assert_eq!(free_head(&pool), 0);
    pool.check().unwrap();
}

#[test]
fn malloc_align_16() {
    let mut pool = pool_with(|o| o.align = 16);
    let base = pool.stats().top;
    let a = pool.calloc_as::<u8>(15, 0).unwrap().addr();
    let b = pool.calloc_as::<u8>(11, 0).unwrap().addr();
    let c = pool.calloc_as::<u8>(7, 0).unwrap().addr();
    let d = pool.calloc_as::<u8>(3, 0).unwrap().addr();
    let e = pool.calloc_as::<u8>(1, 0).unwrap().addr();
    assert_eq!(a, base + BLOCK_OVERHEAD);
    assert_eq!(b, align(a + BLOCK_OVERHEAD + 15, 16));
    assert_eq!(c, align(b + BLOCK_OVERHEAD + 11, 16));
    assert_eq!(d, align(c + BLOCK_OVERHEAD + 7, 16));
    assert_eq!(e, align(d + BLOCK_OVERHEAD + 3, 16));
    assert_eq!(pool.stats().top, align(e + 1, 16) - BLOCK_OVERHEAD);

    pool.free(d);
    assert_eq!(free_head(&pool), d - BLOCK_OVERHEAD);
    pool.free(b);
    assert_eq!(free_head(&pool), b - BLOCK_OVERHEAD);
    assert_eq!(pool.free_blocks().nth(1).unwrap().addr, d - BLOCK_OVERHEAD);
    pool.free(c);
    assert_eq!(free_head(&pool), b - BLOCK_OVERHEAD);
    assert_eq!(size_of_block(&pool, free_head(&pool)), e - b);
    pool.free(a);
    assert_eq!(free_head(&pool), a - BLOCK_OVERHEAD);
    assert_eq!(size_of_block(&pool, free_head(&pool)), e - a);
    pool.free(e);
    assert_eq!(free_head(&pool), 0);
    assert_eq!(used_head(&pool), 0);
    assert_eq!(pool.top(), base);
    pool.check().unwrap();
}

#[test]
fn free_all_align_16() {
    let mut pool = pool_with(|o| o.align = 16);
    let base = pool.stats().top;
    pool.calloc_as::<u8>(15, 0).unwrap();
    pool.calloc_as::<u8>(11, 0).unwrap();
    pool.free_all();
    assert_eq!(pool.stats().top, base);
}
