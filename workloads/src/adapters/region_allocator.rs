//! Bring your own allocator: [`RegionAllocator`], the small trait an allocator that manages
//! one region of memory implements (the shape talc, rlsf, linked_list_allocator and dlmalloc
//! already have), and [`RegionAdapter`], which makes any of them a replay [`Allocator`]: the
//! bookkeeping every peer needs (its region, block handles, layouts, a moving realloc, the
//! footprint) is here once.
//!
//! A user's allocator implemented this way is replayed, timed, reported, fuzzed
//! (`fuzz/fuzz_targets/peers.rs`'s harness is generic over this trait) and gated like the
//! built-in peers; `examples/bring-your-own/` shows the whole path.

use std::alloc::Layout;
use std::ptr::{self, NonNull};

use super::region::Region;
use super::{next_owner, Allocator, Block, FreeStats, ALIGN};
use crate::error::AdapterError;

/// What [`RegionAllocator::resize`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resize {
    /// The block was resized where it is.
    InPlace,
    /// The block moved here, its first `min(old, new)` bytes copied; the old one is freed.
    Moved(NonNull<u8>),
    /// The allocator cannot resize it; the block is unchanged.
    Failed,
    /// The allocator has no resize of its own: the adapter allocates a new block, copies and
    /// frees the old one.
    Unsupported,
}

/// An allocator that manages one region of memory, handed to it whole when it is built.
///
/// How much of the region it uses, and when it takes more (an `sbrk`-like growth, as the
/// built-in peers do, so that their footprint measures their placement), is its own affair;
/// it reports the current end of what it uses as [`RegionAllocator::extent`].
///
/// # Safety
///
/// Implementations must return from `allocate` and `resize` only pointers into their region,
/// aligned to the layout asked for, whose `size` bytes overlap no other live block, and must
/// not access memory outside their region. In return the adapter guarantees that the region
/// is zeroed when handed over, exclusively the allocator's and valid until it is dropped, that
/// every layout has a nonzero size, and that `deallocate`, `resize` and `block_bytes` get only
/// live pointers with the layout they were last allocated or resized with.
pub unsafe trait RegionAllocator: Send + Sized {
    /// The name every tool gives the allocator (`talc`, `segfit`): in tables, plots, CSV and
    /// `AdapterSpec::from_name`. It must differ from every built-in allocator's name.
    const NAME: &'static str;

    /// The smallest region it can be built over, in bytes.
    const MIN_REGION: usize;

    /// Builds the allocator over the `len` bytes at `base`; `None` when it cannot use them.
    ///
    /// # Safety
    /// `base..base + len` is zeroed, valid, exclusively the allocator's, and stays so until
    /// the allocator is dropped.
    unsafe fn new(base: NonNull<u8>, len: usize) -> Option<Self>;

    /// Allocates a block for `layout`; `None` when it cannot.
    fn allocate(&mut self, layout: Layout) -> Option<NonNull<u8>>;

    /// Frees a block.
    ///
    /// # Safety
    /// `ptr` is a live block of this allocator, allocated (or last resized) with `layout`.
    unsafe fn deallocate(&mut self, ptr: NonNull<u8>, layout: Layout);

    /// Resizes a block to `new_size` bytes (same alignment); the default leaves it to the
    /// adapter ([`Resize::Unsupported`]).
    ///
    /// # Safety
    /// As [`RegionAllocator::deallocate`]; `new_size` is nonzero.
    unsafe fn resize(&mut self, ptr: NonNull<u8>, layout: Layout, new_size: usize) -> Resize {
        let _ = (ptr, layout, new_size);
        Resize::Unsupported
    }

    /// Bytes from the region's start to the end of the memory it uses now (its heap's end);
    /// `None` when it cannot tell, and then no fragmentation figure is reported for it.
    fn extent(&self) -> Option<usize> {
        None
    }

    /// Bytes a live block occupies: header, payload, padding, unsplit remainder.
    ///
    /// # Safety
    /// As [`RegionAllocator::deallocate`].
    unsafe fn block_bytes(&self, ptr: NonNull<u8>, layout: Layout) -> Option<usize> {
        let _ = (ptr, layout);
        None
    }

    /// Free space below the extent, as far as the allocator can tell.
    fn free_stats(&self) -> FreeStats {
        FreeStats::default()
    }

    /// Its own consistency check, which the fuzz harness runs after every op: `Err` says what
    /// is wrong. The default checks nothing.
    fn check(&self) -> Result<(), String> {
        Ok(())
    }

    /// When it coalesces fully: the size one allocation must get in a region of `len` bytes
    /// once every block is freed (the whole region less its metadata). The fuzz harness checks
    /// it at the end of every input; `None` (the default) claims nothing.
    fn whole_region_after_free(len: usize) -> Option<usize> {
        let _ = len;
        None
    }
}

/// Any [`RegionAllocator`] as a replay [`Allocator`], over a region it owns. Requests are
/// [`ALIGN`]-aligned through the [`Allocator`] trait; [`RegionAdapter::allocate_layout`] takes
/// any alignment.
pub struct RegionAdapter<T: RegionAllocator> {
    // Declared before the region: dropped first, while its memory is still there.
    alloc: T,
    region: Region,
    peak: usize,
    owner: u64,
}

impl<T: RegionAllocator> RegionAdapter<T> {
    /// `T` over a new zeroed region of `capacity` bytes.
    ///
    /// # Errors
    /// [`AdapterError`] when the region is smaller than `T::MIN_REGION`, cannot be reserved,
    /// or `T` refuses it.
    pub fn new(capacity: usize) -> Result<Self, AdapterError> {
        let too_small = || AdapterError::RegionTooSmall {
            allocator: T::NAME.into(),
            size: capacity,
            min: T::MIN_REGION,
        };
        if capacity < T::MIN_REGION {
            return Err(too_small());
        }
        let region = Region::new(capacity)?;
        let base = NonNull::new(region.base())
            .ok_or(AdapterError::RegionUnavailable { size: capacity })?;
        // SAFETY: the region is zeroed, valid for `capacity` bytes, owned by this adapter
        // alone, and dropped after `alloc` (field order).
        let alloc = unsafe { T::new(base, region.len()) }.ok_or_else(too_small)?;
        let peak = alloc.extent().unwrap_or(0);
        Ok(Self {
            alloc,
            region,
            peak,
            owner: next_owner(),
        })
    }

    /// The allocator, for inspection.
    #[must_use]
    pub fn inner(&self) -> &T {
        &self.alloc
    }

    /// The allocator's own consistency check ([`RegionAllocator::check`]).
    ///
    /// # Errors
    /// What the allocator says is wrong.
    pub fn check(&self) -> Result<(), String> {
        self.alloc.check()
    }

    fn note_extent(&mut self) {
        if let Some(e) = self.alloc.extent() {
            self.peak = self.peak.max(e);
        }
    }

    fn layout_of(block: &Block) -> Option<Layout> {
        Layout::from_size_align(block.size(), block.align()).ok()
    }

    fn ptr(&self, block: &Block) -> Option<NonNull<u8>> {
        NonNull::new(self.region.at(block.offset()))
    }

    /// Allocates `layout` (any power-of-two alignment); `None` for a zero size, one the
    /// region can never hold, or when the allocator fails. A pointer outside the region, or
    /// misaligned, breaks the trait's contract: it is refused (and leaked to the allocator)
    /// rather than trusted; [`RegionAdapter::try_allocate`] says so.
    pub fn allocate_layout(&mut self, layout: Layout) -> Option<Block> {
        self.try_allocate(layout).ok().flatten()
    }

    /// [`RegionAdapter::allocate_layout`], with a broken contract as an error (the fuzz
    /// harness's check).
    ///
    /// # Errors
    /// The allocator returned a pointer outside its region or not aligned to the layout.
    pub fn try_allocate(&mut self, layout: Layout) -> Result<Option<Block>, String> {
        if layout.size() == 0 || layout.size() > self.region.len() {
            return Ok(None);
        }
        let Some(ptr) = self.alloc.allocate(layout) else {
            return Ok(None);
        };
        self.note_extent();
        self.block_at(ptr, layout).map(Some)
    }

    /// The handle for `ptr` if it is a valid block of `layout` in the region.
    fn block_at(&self, ptr: NonNull<u8>, layout: Layout) -> Result<Block, String> {
        let offset = self.region.offset_of(ptr.as_ptr());
        let inside = offset
            .checked_add(layout.size())
            .is_some_and(|end| end <= self.region.len());
        if !inside {
            return Err(format!(
                "a block of {} bytes at region offset {offset:#x} does not lie in the {}-byte region",
                layout.size(),
                self.region.len()
            ));
        }
        if ptr.as_ptr().addr() % layout.align() != 0 {
            return Err(format!(
                "the block at region offset {offset:#x} is not aligned to {}",
                layout.align()
            ));
        }
        Ok(Block::with_align(
            self.owner,
            offset,
            layout.size(),
            layout.align(),
        ))
    }

    /// The bytes of a live block of this adapter; `None` for another adapter's.
    #[must_use]
    pub fn data(&self, block: &Block) -> Option<&[u8]> {
        if block.owner() != self.owner {
            return None;
        }
        let ptr = self.ptr(block)?;
        // SAFETY: blocks of this owner are live (they are consumed when freed) and lie in
        // the region (`block_at` checked), so these bytes are valid and, while `&self` is
        // borrowed, nothing writes them.
        Some(unsafe { std::slice::from_raw_parts(ptr.as_ptr(), block.size()) })
    }

    /// The bytes of a live block of this adapter, to write; `None` for another adapter's.
    pub fn data_mut(&mut self, block: &Block) -> Option<&mut [u8]> {
        if block.owner() != self.owner {
            return None;
        }
        let ptr = self.ptr(block)?;
        // SAFETY: as in `data`; `&mut self` excludes every other access, and live blocks do
        // not overlap, so this slice aliases nothing.
        Some(unsafe { std::slice::from_raw_parts_mut(ptr.as_ptr(), block.size()) })
    }

    /// The region's size in bytes.
    #[must_use]
    pub fn region_len(&self) -> usize {
        self.region.len()
    }
}

impl<T: RegionAllocator> Allocator for RegionAdapter<T> {
    fn name(&self) -> String {
        T::NAME.into()
    }

    fn capacity(&self) -> usize {
        self.region.len()
    }

    #[inline]
    fn allocate(&mut self, size: usize) -> Option<Block> {
        self.allocate_layout(Layout::from_size_align(size, ALIGN).ok()?)
    }

    #[inline]
    fn free(&mut self, block: Block) -> bool {
        if block.owner() != self.owner {
            return false;
        }
        let (Some(layout), Some(ptr)) = (Self::layout_of(&block), self.ptr(&block)) else {
            return false;
        };
        // SAFETY: blocks of this owner are made only by this adapter, with this layout, and
        // are consumed when freed: the block is live.
        unsafe { self.alloc.deallocate(ptr, layout) };
        true
    }

    fn realloc(&mut self, block: Block, new_size: usize) -> Result<Block, Block> {
        match self.try_realloc(block, new_size) {
            Ok(r) => r,
            // The block is gone (the allocator moved or freed it) but its replacement breaks
            // the contract: the block counts as lost, and the failure as the realloc's.
            Err((old, _)) => Err(old),
        }
    }

    fn extent(&self) -> Option<usize> {
        self.alloc.extent()
    }

    fn footprint(&self) -> Option<usize> {
        self.alloc.extent().map(|e| e.max(self.peak))
    }

    fn block_bytes(&self, block: &Block) -> Option<usize> {
        if block.owner() != self.owner {
            return None;
        }
        let (layout, ptr) = (Self::layout_of(block)?, self.ptr(block)?);
        // SAFETY: the block is live with this layout (see `free`).
        unsafe { self.alloc.block_bytes(ptr, layout) }
    }

    fn free_stats(&self) -> FreeStats {
        self.alloc.free_stats()
    }
}

impl<T: RegionAllocator> RegionAdapter<T> {
    /// [`Allocator::realloc`], with a broken contract as an error (the fuzz harness's
    /// check): `Ok(Ok(moved))`, `Ok(Err(unchanged))` when it fails, or `Err` with a handle
    /// that must not be used again (the block was resized or moved to where no valid block
    /// can be) and the reason.
    ///
    /// # Errors
    /// The allocator returned a pointer outside its region or not aligned to the layout.
    #[allow(clippy::type_complexity)]
    pub fn try_realloc(
        &mut self,
        block: Block,
        new_size: usize,
    ) -> Result<Result<Block, Block>, (Block, String)> {
        if block.owner() != self.owner || new_size == 0 || new_size > self.region.len() {
            return Ok(Err(block));
        }
        let (Some(old), Some(ptr)) = (Self::layout_of(&block), self.ptr(&block)) else {
            return Ok(Err(block));
        };
        let Ok(new) = Layout::from_size_align(new_size, old.align()) else {
            return Ok(Err(block));
        };
        // SAFETY: the block is live with layout `old` (see `free`); new_size is nonzero.
        let done = unsafe { self.alloc.resize(ptr, old, new_size) };
        self.note_extent();
        let moved = match done {
            Resize::InPlace => ptr,
            Resize::Moved(p) => p,
            Resize::Failed => return Ok(Err(block)),
            Resize::Unsupported => {
                let Some(p) = self.alloc.allocate(new) else {
                    return Ok(Err(block));
                };
                self.note_extent();
                // SAFETY: both blocks are live and distinct (the allocator's contract), each
                // at least min(old, new) bytes long; then the old one is freed with its
                // layout.
                unsafe {
                    ptr::copy_nonoverlapping(ptr.as_ptr(), p.as_ptr(), old.size().min(new_size));
                    self.alloc.deallocate(ptr, old);
                }
                p
            }
        };
        match self.block_at(moved, new) {
            Ok(b) => Ok(Ok(b)),
            Err(why) => Err((block, why)),
        }
    }
}
