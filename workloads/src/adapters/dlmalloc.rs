//! dlmalloc fed from a region: its "system allocator" is a bump pointer into the region.

use std::cell::Cell;
use std::ptr;

use super::region::{Brk, Region};
use super::{next_owner, Allocator, Block, FreeStats, ALIGN, GROW_STEP};
use crate::error::AdapterError;

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

// SAFETY: `base` points into the Region owned by the same DlmallocAdapter, which moves with
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

/// dlmalloc 0.2.14 (Doug Lea's malloc, the `dlmalloc` crate) over a region, with its
/// segment granularity set to [`GROW_STEP`] so that it takes the region in small steps.
///
/// It reports no free-list statistics.
pub struct DlmallocAdapter {
    dl: dlmalloc::Dlmalloc<RegionSystem>,
    region: Region,
    owner: u64,
}

impl DlmallocAdapter {
    /// dlmalloc over a new region of `capacity` bytes.
    ///
    /// # Errors
    /// [`AdapterError`] when the region is too small or cannot be reserved.
    pub fn new(capacity: usize) -> Result<Self, AdapterError> {
        let min = 4 * GROW_STEP;
        if capacity < min {
            return Err(AdapterError::RegionTooSmall {
                allocator: "dlmalloc".into(),
                size: capacity,
                min,
            });
        }
        let region = Region::new(capacity)?;
        let system = RegionSystem {
            base: region.base(),
            cap: region.len(),
            brk: Cell::new(Brk::default()),
        };
        let mut dl = dlmalloc::Dlmalloc::new_with_allocator(system);
        // GROW_STEP is a power of two above dlmalloc's minimum, so this is accepted.
        let _ = dl.set_granularity(GROW_STEP);
        Ok(Self {
            dl,
            region,
            owner: next_owner(),
        })
    }

    fn usable(&self, size: usize) -> bool {
        size != 0 && size <= self.region.len()
    }
}

impl Allocator for DlmallocAdapter {
    fn name(&self) -> String {
        "dlmalloc".into()
    }

    fn capacity(&self) -> usize {
        self.region.len()
    }

    fn allocate(&mut self, size: usize) -> Option<Block> {
        if !self.usable(size) {
            return None;
        }
        // SAFETY: dlmalloc's malloc has no precondition beyond a power-of-two alignment.
        let ptr = unsafe { self.dl.malloc(size, ALIGN) };
        (!ptr.is_null()).then(|| Block::new(self.owner, self.region.offset_of(ptr), size))
    }

    fn free(&mut self, block: Block) -> bool {
        if block.owner() != self.owner {
            return false;
        }
        // SAFETY: blocks of this owner are made only by this adapter's allocate/realloc with
        // this size and alignment and are consumed when freed, so the block is live.
        unsafe {
            self.dl
                .free(self.region.at(block.offset()), block.size(), ALIGN)
        };
        true
    }

    fn realloc(&mut self, block: Block, new_size: usize) -> Result<Block, Block> {
        if block.owner() != self.owner || !self.usable(new_size) {
            return Err(block);
        }
        // SAFETY: the block is live with this size and alignment (see `free`); on failure
        // dlmalloc returns null and leaves it as it was.
        let ptr = unsafe {
            self.dl.realloc(
                self.region.at(block.offset()),
                block.size(),
                ALIGN,
                new_size,
            )
        };
        if ptr.is_null() {
            return Err(block);
        }
        Ok(Block::new(self.owner, self.region.offset_of(ptr), new_size))
    }

    fn extent(&self) -> Option<usize> {
        Some(self.dl.allocator().brk.get().end)
    }

    fn footprint(&self) -> Option<usize> {
        Some(self.dl.allocator().brk.get().peak)
    }

    fn block_bytes(&self, block: &Block) -> Option<usize> {
        if block.owner() != self.owner || block.offset() < HEAD {
            return None;
        }
        // SAFETY: the block is live (see `free`), so the word in front of its payload is
        // its chunk's size-and-flags word, inside the region; dlmalloc is not running.
        let head = unsafe {
            self.region
                .at(block.offset() - HEAD)
                .cast::<usize>()
                .read_unaligned()
        };
        Some(head & !FLAG_BITS)
    }

    fn free_stats(&self) -> FreeStats {
        FreeStats::default()
    }
}
