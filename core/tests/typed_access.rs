//! A typed view is a handle, not a borrow: it can outlive its block. Reading or writing
//! through a view whose block was freed, or whose address now holds a smaller block, is
//! refused with `NotAllocated`: the view's elements would reach past the block into its
//! neighbours.

mod common;

use mempool::{AccessError, MemPool};

fn pool() -> MemPool {
    common::pools::pool(0x1000)
}

#[test]
fn a_view_of_a_freed_block_is_refused() {
    let mut pool = pool();
    let view = pool.malloc_as::<u32>(16).unwrap();
    let addr = view.addr();
    assert!(pool.free(addr));
    assert_eq!(
        pool.slice(&view).err(),
        Some(AccessError::NotAllocated { addr })
    );
}

#[test]
fn a_view_over_a_smaller_block_at_its_address_is_refused() {
    let mut pool = pool();
    let view = pool.malloc_as::<u32>(64).unwrap();
    // A block after it, so that freeing the view's block leaves it on the free list instead of
    // giving it back to top.
    let after = pool.malloc(8).unwrap();
    let addr = view.addr();
    assert!(pool.free(addr));
    // First fit takes the freed block again and splits it: a 4-byte block at the same address.
    assert_eq!(pool.malloc(4), Some(addr));
    assert!(pool.block(addr).unwrap().end() < u64::from(addr) + 256);
    assert_eq!(
        pool.slice(&view).err(),
        Some(AccessError::NotAllocated { addr })
    );
    assert_eq!(
        pool.slice_mut(&view).err(),
        Some(AccessError::NotAllocated { addr })
    );
    // A view that fits its block is served.
    let small = pool.malloc_as::<u8>(4).unwrap();
    assert_eq!(pool.slice(&small).map(<[u8]>::len), Ok(4));
    assert!(pool.free(after));
}
