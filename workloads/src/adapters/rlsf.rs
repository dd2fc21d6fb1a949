//! TLSF (`rlsf`) over a region: one memory pool, appended to when an allocation fails.

use std::alloc::Layout;
use std::ptr::NonNull;

use rlsf::GRANULARITY;

use super::region::{Brk, Region};
use super::{next_owner, round_up, Allocator, Block, FreeStats, ALIGN, GROW_STEP};
use crate::error::AdapterError;

/// rlsf's general-purpose configuration (the one its global allocator uses): with
/// `FLLEN = 64` a pool has no size limit, so appended memory coalesces with the pool's end.
type Tlsf = rlsf::Tlsf<'static, usize, usize, { usize::BITS as usize }, { usize::BITS as usize }>;

/// A used block's header in front of the payload (for alignments below `GRANULARITY`).
const HEADER: usize = GRANULARITY / 2;

/// rlsf 0.2.3 (TLSF: two-level segregated fit) over a region.
///
/// Free-block count, largest free block and free bytes come from a walk of the pool.
pub struct RlsfAdapter {
    tlsf: Box<Tlsf>,
    region: Region,
    brk: Brk,
    /// Bytes from the region's start that belong to the pool (the sum of rlsf's returns).
    pool_end: usize,
    owner: u64,
}

impl RlsfAdapter {
    /// rlsf over a new region of `capacity` bytes.
    ///
    /// # Errors
    /// [`AdapterError`] when the region is too small for a pool or cannot be reserved.
    pub fn new(capacity: usize) -> Result<Self, AdapterError> {
        let min = 8 * GRANULARITY;
        if capacity < min {
            return Err(AdapterError::RegionTooSmall {
                allocator: "rlsf".into(),
                size: capacity,
                min,
            });
        }
        Ok(Self {
            tlsf: Box::new(Tlsf::new()),
            region: Region::new(capacity)?,
            brk: Brk::default(),
            pool_end: 0,
            owner: next_owner(),
        })
    }

    fn layout(&self, size: usize) -> Option<Layout> {
        super::request_layout(size, self.region.len())
    }

    /// Hands rlsf enough more of the region for a `size`-byte request (header, sentinel and
    /// size-class rounding), in [`GROW_STEP`] steps; `false` when the region is used up.
    fn grow(&mut self, size: usize) -> bool {
        let need = size.saturating_add(4 * GRANULARITY);
        let target = round_up(self.brk.end.saturating_add(need), GROW_STEP).min(self.region.len());
        if target <= self.brk.end {
            return false;
        }
        let start = self.pool_end;
        let Some(base) = NonNull::new(self.region.at(start)) else {
            return false;
        };
        let block = NonNull::slice_from_raw_parts(base, target - start);
        if start == 0 {
            // SAFETY: `block` is the start of the region, which this adapter owns
            // exclusively and which outlives the Tlsf (declared first, dropped first).
            if let Some(len) = unsafe { self.tlsf.insert_free_block_ptr(block) } {
                self.pool_end = len.get();
            }
        } else {
            // SAFETY: as above; `block` starts exactly where the pool ends (the sum of
            // rlsf's returns so far) and lies in the region.
            self.pool_end += unsafe { self.tlsf.append_free_block_ptr(block) };
        }
        self.brk.set(target);
        true
    }

    fn ptr(&self, block: &Block) -> Option<NonNull<u8>> {
        NonNull::new(self.region.at(block.offset()))
    }
}

impl Allocator for RlsfAdapter {
    fn name(&self) -> String {
        "rlsf".into()
    }

    fn capacity(&self) -> usize {
        self.region.len()
    }

    fn allocate(&mut self, size: usize) -> Option<Block> {
        let layout = self.layout(size)?;
        loop {
            if let Some(ptr) = self.tlsf.allocate(layout) {
                return Some(Block::new(
                    self.owner,
                    self.region.offset_of(ptr.as_ptr()),
                    size,
                ));
            }
            if !self.grow(size) {
                return None;
            }
        }
    }

    fn free(&mut self, block: Block) -> bool {
        if block.owner() != self.owner {
            return false;
        }
        let Some(ptr) = self.ptr(&block) else {
            return false;
        };
        // SAFETY: blocks of this owner are made only by this adapter's allocate/realloc
        // (alignment ALIGN) and are consumed when freed, so the block is live.
        unsafe { self.tlsf.deallocate(ptr, ALIGN) };
        true
    }

    fn realloc(&mut self, block: Block, new_size: usize) -> Result<Block, Block> {
        if block.owner() != self.owner {
            return Err(block);
        }
        let (Some(layout), Some(ptr)) = (self.layout(new_size), self.ptr(&block)) else {
            return Err(block);
        };
        loop {
            // SAFETY: the block is live (see `free`) and was allocated with alignment ALIGN,
            // the new layout's. On failure rlsf leaves it as it was.
            if let Some(moved) = unsafe { self.tlsf.reallocate(ptr, layout) } {
                return Ok(Block::new(
                    self.owner,
                    self.region.offset_of(moved.as_ptr()),
                    new_size,
                ));
            }
            if !self.grow(new_size) {
                return Err(block);
            }
        }
    }

    fn extent(&self) -> Option<usize> {
        Some(self.brk.end)
    }

    fn footprint(&self) -> Option<usize> {
        Some(self.brk.peak)
    }

    fn block_bytes(&self, block: &Block) -> Option<usize> {
        if block.owner() != self.owner {
            return None;
        }
        let ptr = self.ptr(block)?;
        // SAFETY: the block is live (see `free`).
        Some(unsafe { Tlsf::allocation_usable_size(ptr) } + HEADER)
    }

    fn free_stats(&self) -> FreeStats {
        let Some(base) = NonNull::new(self.region.base()) else {
            return FreeStats::default();
        };
        if self.pool_end == 0 {
            return FreeStats {
                free_blocks: Some(0),
                largest_free: Some(0),
                free_bytes: Some(0),
            };
        }
        let pool = NonNull::slice_from_raw_parts(base, self.pool_end);
        let (mut count, mut largest, mut bytes) = (0u64, 0u64, 0u64);
        // SAFETY: `pool` starts where the pool was inserted and is as long as the sum of
        // rlsf's returns for it.
        for info in unsafe { self.tlsf.iter_blocks(pool) } {
            if !info.is_occupied() {
                let size = info.size() as u64;
                count += 1;
                largest = largest.max(size);
                bytes += size;
            }
        }
        FreeStats {
            free_blocks: Some(count),
            largest_free: Some(largest),
            free_bytes: Some(bytes),
        }
    }
}
