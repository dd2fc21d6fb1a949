//! `segfit`: a segregated-fit allocator written for this example, and its registration with
//! mempool workbench (one line: [`entry`]).
//!
//! Blocks come in power-of-two size classes from 16 bytes up; a free block goes on its
//! class's list (the link lives in the block) and is reused by the next request of that
//! class; otherwise the next block is cut from the region's untouched top, aligned to its
//! class (at most a page). Nothing is split or coalesced: simple and fast, and a good foil
//! for the pool's first fit in the report.

use std::alloc::Layout;
use std::ptr::NonNull;

use workloads::adapters::RegionAllocator;
use workloads::suite::AllocatorEntry;
use workloads::FreeStats;

/// log2 of the smallest class (16 bytes).
const MIN_SHIFT: u32 = 4;

/// Size classes: 16 bytes to 2^63.
const CLASSES: usize = 60;

/// The largest alignment a block gets from its class.
const MAX_ALIGN: usize = 4096;

/// The allocator: the region, its top, and one free list per class (`heads[c]` is the
/// offset of the first free block of class `c` plus one; 0: empty).
pub struct SegFit {
    base: NonNull<u8>,
    len: usize,
    top: usize,
    heads: [usize; CLASSES],
}

// SAFETY: `base` points into the region its adapter owns and moves with it.
unsafe impl Send for SegFit {}

/// A layout's class and the class's block size.
fn class_of(layout: Layout) -> Option<(usize, usize)> {
    let size = layout
        .size()
        .max(layout.align())
        .max(1 << MIN_SHIFT)
        .checked_next_power_of_two()?;
    let class = (size.trailing_zeros() - MIN_SHIFT) as usize;
    (class < CLASSES).then_some((class, size))
}

impl SegFit {
    fn link(&self, off: usize) -> usize {
        // SAFETY: `off` is a free block of at least 16 bytes inside the region.
        unsafe { self.base.as_ptr().add(off).cast::<usize>().read_unaligned() }
    }
}

// SAFETY: blocks are cut from [top, len) of the region, aligned to their class (which is at
// least the layout's alignment, at most a page), never handed out twice while live; free
// blocks are reused only within their class.
unsafe impl RegionAllocator for SegFit {
    const NAME: &'static str = "segfit";
    const MIN_REGION: usize = 64;

    unsafe fn new(base: NonNull<u8>, len: usize) -> Option<Self> {
        Some(Self {
            base,
            len,
            top: 0,
            heads: [0; CLASSES],
        })
    }

    fn allocate(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        let (class, size) = class_of(layout)?;
        let off = if self.heads[class] != 0 {
            let off = self.heads[class] - 1;
            self.heads[class] = self.link(off);
            off
        } else {
            let addr = self.base.as_ptr().addr();
            let start = (addr + self.top).checked_next_multiple_of(size.min(MAX_ALIGN))? - addr;
            let end = start.checked_add(size).filter(|&e| e <= self.len)?;
            self.top = end;
            start
        };
        NonNull::new(self.base.as_ptr().wrapping_add(off))
    }

    unsafe fn deallocate(&mut self, ptr: NonNull<u8>, layout: Layout) {
        let Some((class, _)) = class_of(layout) else {
            return;
        };
        let off = ptr.as_ptr().addr() - self.base.as_ptr().addr();
        // SAFETY: the block is live (the caller's guarantee) and at least 16 bytes long.
        unsafe {
            ptr.as_ptr()
                .cast::<usize>()
                .write_unaligned(self.heads[class])
        };
        self.heads[class] = off + 1;
    }

    fn extent(&self) -> Option<usize> {
        Some(self.top)
    }

    unsafe fn block_bytes(&self, _ptr: NonNull<u8>, layout: Layout) -> Option<usize> {
        class_of(layout).map(|(_, size)| size)
    }

    fn free_stats(&self) -> FreeStats {
        let (mut blocks, mut bytes, mut largest) = (0u64, 0u64, 0u64);
        for (class, &head) in self.heads.iter().enumerate() {
            let size = 1u64 << (class as u32 + MIN_SHIFT);
            let mut at = head;
            while at != 0 && blocks < self.len as u64 {
                (blocks, bytes, largest) = (blocks + 1, bytes + size, largest.max(size));
                at = self.link(at - 1);
            }
        }
        FreeStats {
            free_blocks: Some(blocks),
            largest_free: Some(largest),
            free_bytes: Some(bytes),
        }
    }

    /// Every free list stays below the top, aligned to its class, and ends.
    fn check(&self) -> Result<(), String> {
        for (class, &head) in self.heads.iter().enumerate() {
            let size = 1usize << (class as u32 + MIN_SHIFT);
            let (mut at, mut steps) = (head, 0);
            while at != 0 {
                let off = at - 1;
                let addr = self.base.as_ptr().addr() + off;
                if off + size > self.top
                    || addr % size.min(MAX_ALIGN) != 0
                    || steps > self.top / size
                {
                    return Err(format!(
                        "class {size}: free block at {off:#x} is out of place"
                    ));
                }
                (at, steps) = (self.link(off), steps + 1);
            }
        }
        Ok(())
    }
}

/// segfit's registration: every tool takes this entry.
#[must_use]
pub fn entry() -> AllocatorEntry {
    AllocatorEntry::region::<SegFit>()
}
