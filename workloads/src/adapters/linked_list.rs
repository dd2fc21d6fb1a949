//! `linked_list_allocator` over a region, extended at its top when an allocation fails.

use std::alloc::Layout;
use std::ptr::NonNull;

use linked_list_allocator::hole::HoleList;
use linked_list_allocator::Heap;

use super::region::Brk;
use super::{round_up, FreeStats, RegionAdapter, RegionAllocator, GROW_STEP};

/// linked_list_allocator 0.10.6 (an address-ordered first-fit hole list with no block
/// headers) as a [`RegionAllocator`]: [`LinkedListAdapter`]. Its heap starts at the region's
/// start and is extended at its top when an allocation fails.
///
/// It has no realloc: a resize allocates, copies and frees. It reports its free bytes but
/// not its holes.
pub struct LinkedListRegion {
    heap: Heap,
    base: NonNull<u8>,
    len: usize,
    brk: Brk,
}

// SAFETY: `base` points into the region owned by the same LinkedListAdapter, which moves
// with it; the heap's state is plain memory, tied to no thread.
unsafe impl Send for LinkedListRegion {}

/// linked_list_allocator over a region.
pub type LinkedListAdapter = RegionAdapter<LinkedListRegion>;

impl LinkedListRegion {
    /// Extends the heap by enough for `layout` plus a hole's worth of slack, in
    /// [`GROW_STEP`] steps; `false` when the region is used up.
    fn grow(&mut self, layout: Layout) -> bool {
        let Ok(aligned) = HoleList::align_layout(layout) else {
            return false;
        };
        let need = aligned.size().saturating_add(2 * HoleList::min_size());
        let target = round_up(self.brk.end.saturating_add(need), GROW_STEP).min(self.len);
        if target <= self.brk.end {
            return false;
        }
        if self.brk.end == 0 {
            // SAFETY: the region's first `target` bytes (at least GROW_STEP, more than the
            // heap's minimum) belong to this allocator alone until it is dropped.
            unsafe { self.heap.init(self.base.as_ptr(), target) };
        } else {
            // SAFETY: the bytes right after the heap's top up to `target` lie in the region
            // and belong to this allocator alone.
            unsafe { self.heap.extend(target - self.brk.end) };
        }
        self.brk.set(target);
        true
    }
}

// SAFETY: the heap hands out only memory it was given (`init` / `extend` within `len`);
// its blocks are aligned to the layout and disjoint.
unsafe impl RegionAllocator for LinkedListRegion {
    const NAME: &'static str = "linked_list_allocator";
    const MIN_REGION: usize = GROW_STEP;

    unsafe fn new(base: NonNull<u8>, len: usize) -> Option<Self> {
        Some(Self {
            heap: Heap::empty(),
            base,
            len,
            brk: Brk::default(),
        })
    }

    fn allocate(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        loop {
            if let Ok(ptr) = self.heap.allocate_first_fit(layout) {
                return Some(ptr);
            }
            if !self.grow(layout) {
                return None;
            }
        }
    }

    unsafe fn deallocate(&mut self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: the caller's guarantee: a live block of this heap with this layout.
        unsafe { self.heap.deallocate(ptr, layout) }
    }

    fn extent(&self) -> Option<usize> {
        Some(self.brk.end)
    }

    unsafe fn block_bytes(&self, _ptr: NonNull<u8>, layout: Layout) -> Option<usize> {
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

    /// Its holes merge with both neighbours and it keeps no metadata in the heap: with
    /// everything freed the heap is one hole, which grows into the rest of the region (16
    /// bytes short of the whole region were measured; two holes' worth plus an alignment
    /// step are allowed).
    fn whole_region_after_free(len: usize) -> Option<usize> {
        len.checked_sub(2 * HoleList::min_size() + 64)
    }
}
