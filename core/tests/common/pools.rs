//! Pools the integration tests start from.

use mempool::{MemPool, PoolOptions};

/// A fresh pool of `size` bytes with the default options (the seed's defaults).
pub fn pool(size: usize) -> MemPool {
    MemPool::new(PoolOptions {
        size,
        ..PoolOptions::default()
    })
    .unwrap()
}
