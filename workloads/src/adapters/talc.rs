//! talc over a region, grown on demand through talc's own `Source` hook.

use std::alloc::Layout;
use std::ptr::NonNull;

use talc::base::binning::Binning;
use talc::base::{Talc, CHUNK_UNIT};
use talc::source::Source;
use talc::{min_first_heap_size, DefaultBinning};

use super::region::Brk;
use super::{round_up, FreeStats, RegionAdapter, RegionAllocator, Resize, GROW_STEP};

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

// SAFETY: `base` points into the region owned by the same TalcAdapter, which moves with it;
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

/// talc 5.1.1 (`talc` crate, counters on) as a [`RegionAllocator`]: [`TalcAdapter`].
///
/// Free-block count and free bytes come from talc's counters; it cannot report its largest
/// gap.
pub struct TalcRegion {
    talc: Talc<RegionSource, DefaultBinning>,
}

/// talc over a region.
pub type TalcAdapter = RegionAdapter<TalcRegion>;

// SAFETY: talc hands out only memory it was given by `RegionSource::acquire`, which gives
// only bytes of the region (`claim` / `extend` within `cap`); its blocks are aligned to the
// layout asked for and disjoint.
unsafe impl RegionAllocator for TalcRegion {
    const NAME: &'static str = "talc";
    const MIN_REGION: usize = min_first_heap_size::<DefaultBinning>() + 2 * CHUNK_UNIT;

    unsafe fn new(base: NonNull<u8>, len: usize) -> Option<Self> {
        Some(Self {
            talc: Talc::new(RegionSource {
                base: base.as_ptr(),
                cap: len,
                heap_end: None,
                brk: Brk::default(),
            }),
        })
    }

    fn allocate(&mut self, layout: Layout) -> Option<NonNull<u8>> {
        // SAFETY: the layout's size is nonzero (the adapter's guarantee).
        unsafe { self.talc.allocate(layout) }
    }

    unsafe fn deallocate(&mut self, ptr: NonNull<u8>, layout: Layout) {
        // SAFETY: the caller's guarantee: a live block of this talc with this layout.
        unsafe { self.talc.deallocate(ptr.as_ptr(), layout) }
    }

    unsafe fn resize(&mut self, ptr: NonNull<u8>, layout: Layout, new_size: usize) -> Resize {
        // SAFETY: the caller's guarantee (live, this layout, nonzero size). A block that
        // cannot grow in place is moved by the adapter (allocate, copy, free), as talc's own
        // global allocator does.
        if unsafe {
            self.talc
                .try_realloc_in_place(ptr.as_ptr(), layout, new_size)
        } {
            Resize::InPlace
        } else {
            Resize::Unsupported
        }
    }

    fn extent(&self) -> Option<usize> {
        Some(self.talc.source.brk.end)
    }

    unsafe fn block_bytes(&self, _ptr: NonNull<u8>, layout: Layout) -> Option<usize> {
        Some(chunk_bytes(layout.size()))
    }

    /// talc merges free chunks with both neighbours: with everything freed, all but its
    /// metadata (1,544 bytes were measured on 16 KiB to 4 MiB regions) is one chunk.
    fn whole_region_after_free(len: usize) -> Option<usize> {
        len.checked_sub(Self::MIN_REGION + 4 * CHUNK_UNIT)
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
