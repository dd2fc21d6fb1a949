//! talc over a region, grown on demand through talc's own `Source` hook.

use std::alloc::Layout;
use std::ptr::{self, NonNull};

use talc::base::binning::Binning;
use talc::base::{Talc, CHUNK_UNIT};
use talc::source::Source;
use talc::{min_first_heap_size, DefaultBinning};

use super::region::{Brk, Region};
use super::{next_owner, round_up, Allocator, Block, FreeStats, GROW_STEP};
use crate::error::AdapterError;

/// talc's per-chunk tag after the payload.
const TAIL: usize = std::mem::size_of::<usize>();

/// Bytes talc 5.1.1 reserves for a `size`-byte allocation (its `required_chunk_size`): the
/// payload plus a trailing tag, rounded up to a chunk unit. Remainders are always whole
/// chunk units and always split off.
fn chunk_bytes(size: usize) -> usize {
    round_up(size.saturating_add(TAIL), CHUNK_UNIT)
}

/// Hands talc more of the region when it runs out: just enough above the last allocated
/// chunk for the failed request, in [`GROW_STEP`] steps.
#[derive(Debug)]
struct RegionSource {
    base: *mut u8,
    cap: usize,
    heap_end: Option<NonNull<u8>>,
    brk: Brk,
}

// SAFETY: `base` points into the Region owned by the same TalcAdapter, which moves with it;
// nothing here is tied to a thread.
unsafe impl Send for RegionSource {}

// SAFETY: `acquire` only calls `claim` / `extend` on the talc it is given, over memory of the
// adapter's own region, and never uses the global allocator.
unsafe impl Source for RegionSource {
    fn acquire<B: Binning>(talc: &mut Talc<Self, B>, layout: Layout) -> Result<(), ()> {
        let need = chunk_bytes(layout.size()).saturating_add(CHUNK_UNIT);
        let (base, cap) = (talc.source.base, talc.source.cap);
        match talc.source.heap_end {
            None => {
                let size =
                    round_up(min_first_heap_size::<B>().saturating_add(need), GROW_STEP).min(cap);
                // SAFETY: `base..base + size` lies in the region (size <= cap), which this
                // adapter owns exclusively and which outlives `talc`.
                let end = unsafe { talc.claim(base, size) }.ok_or(())?;
                talc.source.heap_end = Some(end);
                talc.source.brk.set(size);
            }
            Some(end) => {
                // SAFETY: `end` is the heap end talc returned last.
                let reserved = unsafe { talc.reserved(end) }.up_to.as_ptr().addr() - base.addr();
                let handed = talc.source.brk.end;
                let target = round_up(reserved.saturating_add(need), GROW_STEP)
                    .max(handed.saturating_add(GROW_STEP))
                    .min(cap);
                if target <= handed {
                    return Err(());
                }
                // SAFETY: `end..base + target` lies in the region (target <= cap), owned
                // exclusively by this adapter and unused by anything else.
                let new_end = unsafe { talc.extend(end, base.wrapping_add(target)) };
                talc.source.heap_end = Some(new_end);
                talc.source.brk.set(target);
            }
        }
        Ok(())
    }
}

/// talc 5.1.1 (`talc` crate, counters on) over a region.
///
/// Free-block count and free bytes come from talc's counters; it cannot report its largest
/// gap.
pub struct TalcAdapter {
    talc: Talc<RegionSource, DefaultBinning>,
    region: Region,
    owner: u64,
}

impl TalcAdapter {
    /// talc over a new region of `capacity` bytes.
    ///
    /// # Errors
    /// [`AdapterError`] when the region cannot hold talc's metadata or cannot be reserved.
    pub fn new(capacity: usize) -> Result<Self, AdapterError> {
        let min = min_first_heap_size::<DefaultBinning>() + 2 * CHUNK_UNIT;
        if capacity < min {
            return Err(AdapterError::RegionTooSmall {
                allocator: "talc".into(),
                size: capacity,
                min,
            });
        }
        let region = Region::new(capacity)?;
        let source = RegionSource {
            base: region.base(),
            cap: region.len(),
            heap_end: None,
            brk: Brk::default(),
        };
        Ok(Self {
            talc: Talc::new(source),
            region,
            owner: next_owner(),
        })
    }

    fn layout(&self, size: usize) -> Option<Layout> {
        super::request_layout(size, self.region.len())
    }
}

impl Allocator for TalcAdapter {
    fn name(&self) -> String {
        "talc".into()
    }

    fn capacity(&self) -> usize {
        self.region.len()
    }

    fn allocate(&mut self, size: usize) -> Option<Block> {
        let layout = self.layout(size)?;
        // SAFETY: the layout's size is nonzero.
        let ptr = unsafe { self.talc.allocate(layout) }?;
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
        let Some(layout) = self.layout(block.size()) else {
            return false;
        };
        // SAFETY: blocks of this owner are made only by this adapter's allocate/realloc with
        // this size and are consumed when freed, so the block is live with this layout.
        unsafe { self.talc.deallocate(self.region.at(block.offset()), layout) };
        true
    }

    fn realloc(&mut self, block: Block, new_size: usize) -> Result<Block, Block> {
        if block.owner() != self.owner {
            return Err(block);
        }
        let (Some(old), Some(new)) = (self.layout(block.size()), self.layout(new_size)) else {
            return Err(block);
        };
        let ptr = self.region.at(block.offset());
        // SAFETY: the block is live with layout `old` (see `free`); new_size is nonzero.
        if unsafe { self.talc.try_realloc_in_place(ptr, old, new_size) } {
            return Ok(Block::new(self.owner, block.offset(), new_size));
        }
        // SAFETY: the new layout's size is nonzero.
        let Some(moved) = (unsafe { self.talc.allocate(new) }) else {
            return Err(block);
        };
        // SAFETY: both blocks are live and distinct, each at least `min(old, new)` bytes
        // long; the old one is then freed with its layout.
        unsafe {
            ptr::copy_nonoverlapping(ptr, moved.as_ptr(), block.size().min(new_size));
            self.talc.deallocate(ptr, old);
        }
        Ok(Block::new(
            self.owner,
            self.region.offset_of(moved.as_ptr()),
            new_size,
        ))
    }

    fn extent(&self) -> Option<usize> {
        Some(self.talc.source.brk.end)
    }

    fn footprint(&self) -> Option<usize> {
        Some(self.talc.source.brk.peak)
    }

    fn block_bytes(&self, block: &Block) -> Option<usize> {
        (block.owner() == self.owner).then(|| chunk_bytes(block.size()))
    }

    fn free_stats(&self) -> FreeStats {
        let c = self.talc.counters();
        FreeStats {
            free_blocks: Some(c.fragment_count as u64),
            largest_free: None,
            free_bytes: Some(c.available_bytes as u64),
        }
    }
}
