//! A region of raw memory owned by one adapter, and the `sbrk`-style break inside it.

use std::alloc::{self, Layout};
use std::ptr::NonNull;

use crate::error::AdapterError;

/// Alignment of a region's start (the system allocator's `calloc` alignment, so a large
/// region is an untouched, lazily zeroed mapping).
const REGION_ALIGN: usize = 16;

/// `len` zeroed bytes, owned exclusively, freed on drop.
pub(crate) struct Region {
    base: NonNull<u8>,
    layout: Layout,
}

// SAFETY: a Region is the only owner of its memory and holds no thread-bound state; moving
// it to another thread moves that ownership.
unsafe impl Send for Region {}

impl Region {
    pub(crate) fn new(len: usize) -> Result<Self, AdapterError> {
        let unavailable = AdapterError::RegionUnavailable { size: len };
        let layout = Layout::from_size_align(len.max(1), REGION_ALIGN).map_err(|_| unavailable)?;
        // SAFETY: the layout's size is at least 1.
        let ptr = unsafe { alloc::alloc_zeroed(layout) };
        let base = NonNull::new(ptr).ok_or(AdapterError::RegionUnavailable { size: len })?;
        Ok(Self { base, layout })
    }

    /// Region size in bytes.
    pub(crate) fn len(&self) -> usize {
        self.layout.size()
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
        // SAFETY: `base` was allocated in `new` with exactly this layout and is freed once.
        unsafe { alloc::dealloc(self.base.as_ptr(), self.layout) }
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
