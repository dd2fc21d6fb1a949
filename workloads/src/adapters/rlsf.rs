//! TLSF (`rlsf`) over a region: one memory pool, appended to when an allocation fails.

use std::alloc::Layout;
use std::ptr::NonNull;

use rlsf::GRANULARITY;

use super::region::Brk;
use super::{round_up, FreeStats, RegionAdapter, RegionAllocator, Resize, GROW_STEP};

/// rlsf's general-purpose configuration (the one its global allocator uses): with
/// `FLLEN = 64` a pool has no size limit, so appended memory coalesces with the pool's end.
type Tlsf = rlsf::Tlsf<'static, usize, usize, { usize::BITS as usize }, { usize::BITS as usize }>;

/// A used block's header in front of the payload (for alignments below `GRANULARITY`).
const HEADER: usize = GRANULARITY / 2;

/// rlsf 0.2.3 (TLSF: two-level segregated fit) as a [`RegionAllocator`]: [`RlsfAdapter`].
/// Its one pool starts at the region's start and is appended to when an allocation fails.
///
/// Free-block count, largest free block and free bytes come from a walk of the pool.
pub struct RlsfRegion {
    tlsf: Box<Tlsf>,
    base: NonNull<u8>,
    len: usize,
    brk: Brk,
    /// Bytes from the region's start that belong to the pool (the sum of rlsf's returns).
    pool_end: usize,
}

// SAFETY: `base` points into the region owned by the same RlsfAdapter, which moves with it;
// rlsf's state is plain memory, tied to no thread.
unsafe impl Send for RlsfRegion {}

/// rlsf over a region.
pub type RlsfAdapter = RegionAdapter<RlsfRegion>;

impl RlsfRegion {
    /// Hands rlsf enough more of the region for a `size`-byte request (header, sentinel and
    /// size-class rounding), in [`GROW_STEP`] steps; `false` when the region is used up.
    fn grow(&mut self, size: usize) -> bool {
        let need = size.saturating_add(4 * GRANULARITY);
        let target = round_up(self.brk.end.saturating_add(need), GROW_STEP).min(self.len);
        if target <= self.brk.end {
            return false;
        }
        let start = self.pool_end;
        let Some(at) = NonNull::new(self.base.as_ptr().wrapping_add(start)) else {
            return false;
        };
        let block = NonNull::slice_from_raw_parts(at, target - start);
        if start == 0 {
            // SAFETY: `block` is the start of the region, which this allocator owns
            // exclusively until it is dropped.
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
}

// SAFETY: rlsf hands out only memory of its pool, which holds only bytes of the region
// (`grow` stays within `len`); its blocks are aligned to the layout and disjoint.
unsafe impl RegionAllocator for RlsfRegion {
    const NAME: &'static str = "rlsf";
    const MIN_REGION: usize = 8 * GRANULARITY;

    unsafe fn new(base: NonNull<u8>, len: usize) -> Option<Self> {
        Some(Self {
            tlsf: Box::new(Tlsf::new()),
            base,
            len,
            brk: Brk::default(),
            pool_end: 0,
        })
    }

    fn allocate(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        loop {
            if let Some(ptr) = self.tlsf.allocate(layout) {
                return Some(ptr);
            }
            if !self.grow(layout.size()) {
                return None;
            }
        }
    }

    unsafe fn deallocate(&mut self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: the caller's guarantee: a live block of this pool with this alignment.
        unsafe { self.tlsf.deallocate(ptr, layout.align()) }
    }

    unsafe fn resize(&mut self, ptr: NonNull<u8>, layout: Layout, new_size: usize) -> Resize {
        let Ok(new) = Layout::from_size_align(new_size, layout.align()) else {
            return Resize::Failed;
        };
        loop {
            // SAFETY: the block is live with this alignment (the caller's guarantee); on
            // failure rlsf leaves it as it was.
            if let Some(moved) = unsafe { self.tlsf.reallocate(ptr, new) } {
                return if moved == ptr {
                    Resize::InPlace
                } else {
                    Resize::Moved(moved)
                };
            }
            if !self.grow(new_size) {
                return Resize::Failed;
            }
        }
    }

    fn extent(&self) -> Option<usize> {
        Some(self.brk.end)
    }

    /// rlsf merges free blocks with both neighbours and appended memory with the pool's end,
    /// but a request is served from the size class above its own (good fit), so the one free
    /// block the freed pool becomes serves requests up to its class's lower bound: about
    /// 1/64 less (8,208 bytes of a 1 MiB region and 32,784 of 4 MiB were measured short of
    /// the whole). Twice that, plus the pool's sentinels, is allowed.
    fn whole_region_after_free(len: usize) -> Option<usize> {
        len.checked_sub(len / 32 + 8 * GRANULARITY)
    }

    unsafe fn block_bytes(&self, ptr: NonNull<u8>, _layout: Layout) -> Option<usize> {
        // SAFETY: the block is live (the caller's guarantee).
        Some(unsafe { Tlsf::allocation_usable_size(ptr) } + HEADER)
    }

    fn free_stats(&self) -> FreeStats {
        if self.pool_end == 0 {
            return FreeStats {
                free_blocks: Some(0),
                largest_free: Some(0),
                free_bytes: Some(0),
            };
        }
        let pool = NonNull::slice_from_raw_parts(self.base, self.pool_end);
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
