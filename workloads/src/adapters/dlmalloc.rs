//! dlmalloc fed from a region: its "system allocator" is a bump pointer into the region.

use std::alloc::Layout;
use std::cell::Cell;
use std::ptr::{self, NonNull};

use super::region::Brk;
use super::{RegionAdapter, RegionAllocator, Resize, GROW_STEP};

/// The size word in front of a chunk's payload; its low three bits are flags.
const HEAD: usize = std::mem::size_of::<usize>();
const FLAG_BITS: usize = 0b111;

/// dlmalloc's source of memory: consecutive pieces of the region, never taken back, so
/// dlmalloc merges them into one growing segment as it would `sbrk` memory.
struct RegionSystem {
    base: *mut u8,
    cap: usize,
    brk: Cell<Brk>,
}

// SAFETY: `base` points into the region owned by the same DlmallocAdapter, which moves with
// it; the Cell is only used through `&mut` access to the adapter.
unsafe impl Send for RegionSystem {}

// SAFETY: `alloc` hands out each byte of the region at most once, contiguously and never
// overlapping; nothing is ever released or remapped.
unsafe impl dlmalloc::Allocator for RegionSystem {
    fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
        let mut brk = self.brk.get();
        match brk.end.checked_add(size) {
            Some(end) if end <= self.cap => {
                let ptr = self.base.wrapping_add(brk.end);
                brk.set(end);
                self.brk.set(brk);
                (ptr, size, 0)
            }
            _ => (ptr::null_mut(), 0, 0),
        }
    }

    fn remap(&self, _ptr: *mut u8, _old: usize, _new: usize, _can_move: bool) -> *mut u8 {
        ptr::null_mut()
    }

    fn free_part(&self, _ptr: *mut u8, _old: usize, _new: usize) -> bool {
        false
    }

    fn free(&self, _ptr: *mut u8, _size: usize) -> bool {
        false
    }

    fn can_release_part(&self, _flags: u32) -> bool {
        false
    }

    fn allocates_zeros(&self) -> bool {
        false
    }

    fn page_size(&self) -> usize {
        4096
    }
}

/// dlmalloc 0.2.14 (Doug Lea's malloc, the `dlmalloc` crate) as a [`RegionAllocator`]:
/// [`DlmallocAdapter`], with its segment granularity set to [`GROW_STEP`] so that it takes
/// the region in small steps.
///
/// It reports no free-list statistics, and claims no full coalescing: requests above its
/// mmap threshold (256 KiB) go to its system allocator for fresh memory instead of the freed
/// top chunk, so with everything freed a 1 MiB region served at most 938 KiB in one block
/// (and a 4 MiB one 2.4 MiB), measured.
pub struct DlmallocRegion {
    dl: dlmalloc::Dlmalloc<RegionSystem>,
}

/// dlmalloc over a region.
pub type DlmallocAdapter = RegionAdapter<DlmallocRegion>;

// SAFETY: dlmalloc hands out only memory its system gives it, which is only bytes of the
// region (`RegionSystem::alloc` within `cap`); its blocks are aligned to the layout and
// disjoint.
unsafe impl RegionAllocator for DlmallocRegion {
    const NAME: &'static str = "dlmalloc";
    const MIN_REGION: usize = 4 * GROW_STEP;

    unsafe fn new(base: NonNull<u8>, len: usize) -> Option<Self> {
        let system = RegionSystem {
            base: base.as_ptr(),
            cap: len,
            brk: Cell::new(Brk::default()),
        };
        let mut dl = dlmalloc::Dlmalloc::new_with_allocator(system);
        // GROW_STEP is a power of two above dlmalloc's minimum, so this is accepted.
        let _ = dl.set_granularity(GROW_STEP);
        Some(Self { dl })
    }

    fn allocate(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        // SAFETY: dlmalloc's malloc has no precondition beyond a power-of-two alignment.
        NonNull::new(unsafe { self.dl.malloc(layout.size(), layout.align()) })
    }

    unsafe fn deallocate(&mut self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: the caller's guarantee: a live block with this size and alignment.
        unsafe { self.dl.free(ptr.as_ptr(), layout.size(), layout.align()) }
    }

    unsafe fn resize(&mut self, ptr: NonNull<u8>, layout: Layout, new_size: usize) -> Resize {
        // SAFETY: the block is live with this layout (the caller's guarantee); on failure
        // dlmalloc returns null and leaves it as it was.
        let moved = unsafe {
            self.dl
                .realloc(ptr.as_ptr(), layout.size(), layout.align(), new_size)
        };
        match NonNull::new(moved) {
            Some(p) if p == ptr => Resize::InPlace,
            Some(p) => Resize::Moved(p),
            None => Resize::Failed,
        }
    }

    fn extent(&self) -> Option<usize> {
        Some(self.dl.allocator().brk.get().end)
    }

    unsafe fn block_bytes(&self, ptr: NonNull<u8>, _layout: Layout) -> Option<usize> {
        let base = self.dl.allocator().base;
        if ptr.as_ptr().addr() < base.addr() + HEAD {
            return None;
        }
        // SAFETY: the block is live (the caller's guarantee), so the word in front of its
        // payload is its chunk's size-and-flags word, inside the region; dlmalloc is not
        // running.
        let head = unsafe { ptr.as_ptr().sub(HEAD).cast::<usize>().read_unaligned() };
        Some(head & !FLAG_BITS)
    }
}
