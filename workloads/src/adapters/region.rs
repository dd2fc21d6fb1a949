//! A region of raw memory owned by one adapter, and the `sbrk`-style break inside it.

use std::alloc::{self, Layout};
use std::ptr::NonNull;

use crate::error::AdapterError;

/// Alignment of the memory asked of the system allocator (its `calloc` alignment, so a large
/// region is an untouched, lazily zeroed mapping).
const ALLOC_ALIGN: usize = 16;

/// Alignment of a region's start. Allocators round their heap's start to their own granule
/// (talc's chunk unit, for one), so a region that merely starts 16-aligned would give them a
/// start, and with it a placement and a footprint, that depend on where the memory happened
/// to land: the same trace measured differently from run to run. Every region therefore
/// starts on a page boundary, inside an allocation one page longer than asked.
pub(crate) const REGION_ALIGN: usize = 4096;

/// `len` zeroed bytes starting on a [`REGION_ALIGN`] boundary, owned exclusively, freed on
/// drop.
pub(crate) struct Region {
    /// The region's first byte: `alloc` rounded up to [`REGION_ALIGN`].
    base: NonNull<u8>,
    /// What the system allocator returned.
    alloc: NonNull<u8>,
    /// The layout it was asked for (`len + REGION_ALIGN` bytes).
    layout: Layout,
    /// Region size in bytes.
    len: usize,
}

// SAFETY: a Region is the only owner of its memory and holds no thread-bound state; moving
// it to another thread moves that ownership.
unsafe impl Send for Region {}

impl Region {
    pub(crate) fn new(len: usize) -> Result<Self, AdapterError> {
        let unavailable = || AdapterError::RegionUnavailable { size: len };
        let total = len.checked_add(REGION_ALIGN).ok_or_else(unavailable)?;
        let layout = Layout::from_size_align(total, ALLOC_ALIGN).map_err(|_| unavailable())?;
        // SAFETY: the layout's size is at least REGION_ALIGN.
        let ptr = unsafe { alloc::alloc_zeroed(layout) };
        let alloc = NonNull::new(ptr).ok_or_else(unavailable)?;
        let skip = ptr.addr().next_multiple_of(REGION_ALIGN) - ptr.addr();
        // `skip < REGION_ALIGN`, so `skip + len <= total`: the region lies in the allocation.
        let base = NonNull::new(ptr.wrapping_add(skip)).ok_or_else(unavailable)?;
        Ok(Self {
            base,
            alloc,
            layout,
            len,
        })
    }

    /// Region size in bytes.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Pointer to the region's first byte.
    pub(crate) fn base(&self) -> *mut u8 {
        self.base.as_ptr()
    }

    /// Pointer `offset` bytes into the region (not dereferenced here).
    pub(crate) fn at(&self, offset: usize) -> *mut u8 {
        self.base.as_ptr().wrapping_add(offset)
    }

    /// Offset of `ptr` from the region's start.
    pub(crate) fn offset_of(&self, ptr: *const u8) -> usize {
        ptr.addr().wrapping_sub(self.base.as_ptr().addr())
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        // SAFETY: `alloc` was allocated in `new` with exactly this layout and is freed once.
        unsafe { alloc::dealloc(self.alloc.as_ptr(), self.layout) }
    }
}

/// How much of a region has been handed to an allocator, and the most ever.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Brk {
    /// Current end offset.
    pub(crate) end: usize,
    /// Largest end offset so far.
    pub(crate) peak: usize,
}

impl Brk {
    pub(crate) fn set(&mut self, end: usize) {
        self.end = end;
        self.peak = self.peak.max(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_start_on_a_page_boundary_and_are_zeroed() {
        let mut keep = Vec::new();
        for len in [0, 1, 100, 4095, 4096, 70_000, 1 << 20] {
            for spacer in [8, 24, 40] {
                keep.push(vec![0u8; spacer]);
                let r = Region::new(len).unwrap();
                assert_eq!(r.base().addr() % REGION_ALIGN, 0, "len {len}");
                assert_eq!(r.len(), len);
                // SAFETY: the region's `len` bytes are allocated, zeroed and owned by `r`.
                let bytes = unsafe { std::slice::from_raw_parts(r.base(), len) };
                assert!(bytes.iter().all(|&b| b == 0));
            }
        }
    }
}
