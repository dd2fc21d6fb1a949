//! mempool (this workspace's port of @thi.ng/malloc's MemPool) with any options.

#![forbid(unsafe_code)]

use mempool::layout::{BLOCK_HEADER, BLOCK_SIZE, MAX_BUFFER};
use mempool::{AlignedBuf, Engine, Fast, MemPool};

use super::{next_owner, Allocator, Block, FreeStats, PoolVariant};
use crate::error::AdapterError;

/// mempool over its own buffer of `capacity` bytes (the region); offsets are the pool's data
/// addresses. Extent is the pool's `top`; free-list statistics walk the free list.
///
/// `E` is the pool's search engine: [`Fast`] (the default) or [`mempool::Reference`] (the
/// seed's O(n) list walks, for measuring the fast engine against).
pub struct MemPoolAdapter<E: Engine = Fast> {
    pool: MemPool<AlignedBuf, E>,
    variant: PoolVariant,
    /// A fresh pool has an index exactly when its engine is the fast one.
    fast: bool,
    peak_top: u32,
    owner: u64,
}

impl MemPoolAdapter<Fast> {
    /// A pool (fast engine) with `variant`'s options over a new zeroed buffer of `capacity`
    /// bytes (at most 4 GiB).
    ///
    /// # Errors
    /// [`AdapterError`] when the options are invalid or the region too large.
    pub fn new(variant: PoolVariant, capacity: usize) -> Result<Self, AdapterError> {
        Self::with_engine(variant, capacity)
    }
}

impl<E: Engine> MemPoolAdapter<E> {
    /// [`MemPoolAdapter::new`] on any engine:
    /// `MemPoolAdapter::<mempool::Reference>::with_engine(variant, capacity)`.
    ///
    /// # Errors
    /// [`AdapterError`] when the options are invalid or the region too large.
    pub fn with_engine(variant: PoolVariant, capacity: usize) -> Result<Self, AdapterError> {
        if capacity > MAX_BUFFER {
            return Err(AdapterError::RegionTooLarge {
                allocator: variant.label(),
                size: capacity,
                max: MAX_BUFFER,
            });
        }
        let pool = MemPool::<AlignedBuf, E>::with_engine(variant.options(capacity))?;
        let peak_top = pool.top();
        Ok(Self {
            fast: pool.is_indexed(),
            pool,
            variant,
            peak_top,
            owner: next_owner(),
        })
    }

    /// The pool, for inspection.
    #[must_use]
    pub fn pool(&self) -> &MemPool<AlignedBuf, E> {
        &self.pool
    }

    fn note_top(&mut self) {
        self.peak_top = self.peak_top.max(self.pool.top());
    }
}

impl<E: Engine + Send> Allocator for MemPoolAdapter<E> {
    fn name(&self) -> String {
        if self.fast {
            self.variant.label()
        } else {
            super::reference_label(&self.variant)
        }
    }

    fn capacity(&self) -> usize {
        self.pool.bytes().len()
    }

    fn allocate(&mut self, size: usize) -> Option<Block> {
        let addr = self.pool.malloc(u32::try_from(size).ok()?)?;
        self.note_top();
        Some(Block::new(self.owner, addr as usize, size))
    }

    fn free(&mut self, block: Block) -> bool {
        block.owner() == self.owner
            && u32::try_from(block.offset()).is_ok_and(|addr| self.pool.free(addr))
    }

    fn realloc(&mut self, block: Block, new_size: usize) -> Result<Block, Block> {
        if block.owner() != self.owner {
            return Err(block);
        }
        let (Ok(addr), Ok(size)) = (u32::try_from(block.offset()), u32::try_from(new_size)) else {
            return Err(block);
        };
        match self.pool.realloc(addr, size) {
            Some(moved) => {
                self.note_top();
                Ok(Block::new(self.owner, moved as usize, new_size))
            }
            None => Err(block),
        }
    }

    fn extent(&self) -> Option<usize> {
        Some(self.pool.top() as usize)
    }

    fn footprint(&self) -> Option<usize> {
        Some(self.peak_top as usize)
    }

    fn block_bytes(&self, block: &Block) -> Option<usize> {
        if block.owner() != self.owner {
            return None;
        }
        // The block's size word sits BLOCK_HEADER bytes before its data address.
        let at = block.offset().checked_sub(BLOCK_HEADER as usize)? + BLOCK_SIZE as usize;
        let word = self.pool.bytes().get(at..at + 4)?;
        Some(u32::from_le_bytes(word.try_into().ok()?) as usize)
    }

    fn free_stats(&self) -> FreeStats {
        let (mut count, mut largest, mut bytes) = (0u64, 0u64, 0u64);
        for b in self.pool.free_blocks() {
            count += 1;
            largest = largest.max(u64::from(b.size));
            bytes += u64::from(b.size);
        }
        FreeStats {
            free_blocks: Some(count),
            largest_free: Some(largest),
            free_bytes: Some(bytes),
        }
    }
}
