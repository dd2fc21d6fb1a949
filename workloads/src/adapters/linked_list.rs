//! `linked_list_allocator` over a region, extended at its top when an allocation fails.

use std::alloc::Layout;
use std::ptr::{self, NonNull};

use linked_list_allocator::hole::HoleList;
use linked_list_allocator::Heap;

use super::region::{Brk, Region};
use super::{next_owner, round_up, Allocator, Block, FreeStats, GROW_STEP};
use crate::error::AdapterError;

/// linked_list_allocator 0.10.6 (an address-ordered first-fit hole list with no block
/// headers) over a region.
///
/// It has no realloc: a resize allocates, copies and frees. It reports its free bytes but
/// not its holes.
pub struct LinkedListAdapter {
    heap: Heap,
    region: Region,
    brk: Brk,
    owner: u64,
}

impl LinkedListAdapter {
    /// linked_list_allocator over a new region of `capacity` bytes.
    ///
    /// # Errors
    /// [`AdapterError`] when the region is smaller than one growth step or cannot be
    /// reserved.
    pub fn new(capacity: usize) -> Result<Self, AdapterError> {
        if capacity < GROW_STEP {
            return Err(AdapterError::RegionTooSmall {
                allocator: "linked_list_allocator".into(),
                size: capacity,
                min: GROW_STEP,
            });
        }
        Ok(Self {
            heap: Heap::empty(),
            region: Region::new(capacity)?,
            brk: Brk::default(),
            owner: next_owner(),
        })
    }

    fn layout(&self, size: usize) -> Option<Layout> {
        super::request_layout(size, self.region.len())
    }

    /// Extends the heap by enough for `layout` plus a hole's worth of slack, in
    /// [`GROW_STEP`] steps; `false` when the region is used up.
    fn grow(&mut self, layout: Layout) -> bool {
        let Ok(aligned) = HoleList::align_layout(layout) else {
            return false;
        };
        let need = aligned.size().saturating_add(2 * HoleList::min_size());
        let target = round_up(self.brk.end.saturating_add(need), GROW_STEP).min(self.region.len());
        if target <= self.brk.end {
            return false;
        }
        if self.brk.end == 0 {
            // SAFETY: the region's first `target` bytes (at least GROW_STEP, more than the
            // heap's minimum) belong to this adapter alone and outlive the heap.
            unsafe { self.heap.init(self.region.base(), target) };
        } else {
            // SAFETY: the bytes right after the heap's top up to `target` lie in the region,
            // belong to this adapter alone and outlive the heap.
            unsafe { self.heap.extend(target - self.brk.end) };
        }
        self.brk.set(target);
        true
    }

    fn alloc_layout(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        loop {
            if let Ok(ptr) = self.heap.allocate_first_fit(layout) {
                return Some(ptr);
            }
            if !self.grow(layout) {
                return None;
            }
        }
    }
}

impl Allocator for LinkedListAdapter {
    fn name(&self) -> String {
        "linked_list_allocator".into()
    }

    fn capacity(&self) -> usize {
        self.region.len()
    }

    fn allocate(&mut self, size: usize) -> Option<Block> {
        let layout = self.layout(size)?;
        let ptr = self.alloc_layout(layout)?;
        Some(Block::new(
            self.owner,
            self.region.offset_of(ptr.as_ptr()),
            size,
        ))
    }

    fn free(&mut self, block: Block) -> bool {
        if block.owner() != self.owner {
            return false;
        }
        let (Some(layout), Some(ptr)) = (
            self.layout(block.size()),
            NonNull::new(self.region.at(block.offset())),
        ) else {
            return false;
        };
        // SAFETY: blocks of this owner are made only by this adapter with this layout and
        // are consumed when freed, so the block is live.
        unsafe { self.heap.deallocate(ptr, layout) };
        true
    }

    fn realloc(&mut self, block: Block, new_size: usize) -> Result<Block, Block> {
        if block.owner() != self.owner {
            return Err(block);
        }
        let (Some(old), Some(new), Some(ptr)) = (
            self.layout(block.size()),
            self.layout(new_size),
            NonNull::new(self.region.at(block.offset())),
        ) else {
            return Err(block);
        };
        let Some(moved) = self.alloc_layout(new) else {
            return Err(block);
        };
        // SAFETY: both blocks are live and distinct, each at least `min(old, new)` bytes
        // long; the old one is then freed with its layout.
        unsafe {
            ptr::copy_nonoverlapping(ptr.as_ptr(), moved.as_ptr(), block.size().min(new_size));
            self.heap.deallocate(ptr, old);
        }
        Ok(Block::new(
            self.owner,
            self.region.offset_of(moved.as_ptr()),
            new_size,
        ))
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
        let layout = self.layout(block.size())?;
        HoleList::align_layout(layout).ok().map(|l| l.size())
    }

    fn free_stats(&self) -> FreeStats {
        let free = if self.brk.end == 0 {
            0
        } else {
            self.heap.free()
        };
        FreeStats {
            free_blocks: None,
            largest_free: None,
            free_bytes: Some(free as u64),
        }
    }
}
