//! The [`Allocator`] trait over one region, and its adapters.
//!
//! Every adapter manages one region of `capacity` bytes and reports offsets into it. The
//! region-backed ones grow their heap inside the region the way a heap grows by `sbrk`: the
//! pool moves its `top`; the peers are handed more of the region, in steps of
//! [`GROW_STEP`] bytes, only when an allocation cannot be satisfied from what they already
//! have. So:
//!
//! - **extent**: bytes from the region's start to the current end of the heap (the pool's
//!   `top`; for a peer, how much of the region it has been handed). Metadata counts: the
//!   pool's 28-byte state, talc's bins, dlmalloc's segment record.
//! - **footprint**: the largest extent so far (malloc-lab's "peak heap").
//! - **block bytes**: what one allocation occupies: header, payload, alignment padding and
//!   any unsplit remainder.
//!
//! The system allocator has no region, so it reports none of these.
//!
//! Blocks are handles ([`Block`]) that only the adapter that made them can create, and that
//! are consumed by `free` and `realloc`: safe code cannot free a block twice, forge one, or
//! hand one to another adapter (that is refused), so the adapters that drive allocators
//! through raw pointers stay sound.

mod baseline;
// Only the modules that hand raw memory to an allocator crate may use unsafe code; each
// unsafe block there carries a SAFETY comment.
#[allow(unsafe_code)]
mod dlmalloc;
#[allow(unsafe_code)]
mod linked_list;
mod mempool;
#[allow(unsafe_code)]
mod region;
#[allow(unsafe_code)]
mod region_allocator;
#[allow(unsafe_code)]
mod rlsf;
#[allow(unsafe_code)]
mod system;
#[allow(unsafe_code)]
mod talc;

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

pub use self::baseline::BaselineAdapter;
pub use self::dlmalloc::{DlmallocAdapter, DlmallocRegion};
pub use self::linked_list::{LinkedListAdapter, LinkedListRegion};
pub use self::mempool::MemPoolAdapter;
pub use self::region_allocator::{RegionAdapter, RegionAllocator, Resize};
pub use self::rlsf::{RlsfAdapter, RlsfRegion};
pub use self::system::SystemAdapter;
pub use self::talc::{TalcAdapter, TalcRegion};
use crate::error::AdapterError;

/// How much of its region a peer is handed at least each time its heap grows. Small, so a
/// peer's footprint measures its placement policy rather than a growth granule.
pub const GROW_STEP: usize = 64;

/// The alignment every request is made with (malloc-lab's 8 bytes, the pool's default).
pub const ALIGN: usize = 8;

/// The layout of a `size`-byte request to a peer with `capacity` bytes: `None` for a zero
/// size or one the region can never hold.
pub(crate) fn request_layout(size: usize, capacity: usize) -> Option<std::alloc::Layout> {
    if size == 0 || size > capacity {
        return None;
    }
    std::alloc::Layout::from_size_align(size, ALIGN).ok()
}

/// A live allocation: its offset, its requested size and alignment, and the adapter that
/// made it.
///
/// Only adapters make blocks; `free` and `realloc` consume them.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Block {
    offset: usize,
    size: usize,
    align: usize,
    owner: u64,
}

impl Block {
    pub(crate) fn new(owner: u64, offset: usize, size: usize) -> Self {
        Self::with_align(owner, offset, size, ALIGN)
    }

    pub(crate) fn with_align(owner: u64, offset: usize, size: usize, align: usize) -> Self {
        Self {
            offset,
            size,
            align,
            owner,
        }
    }

    /// The alignment it was requested with ([`ALIGN`] through [`Allocator::allocate`]).
    #[must_use]
    pub fn align(&self) -> usize {
        self.align
    }

    /// Offset of the data in the region (for the system allocator: the address).
    #[must_use]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Requested size in bytes.
    #[must_use]
    pub fn size(&self) -> usize {
        self.size
    }

    pub(crate) fn owner(&self) -> u64 {
        self.owner
    }
}

/// A fresh identity for a new adapter.
pub(crate) fn next_owner() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Free space inside the heap (below the extent), as far as the allocator can tell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreeStats {
    /// Number of free blocks.
    pub free_blocks: Option<u64>,
    /// Size of the largest free block in bytes (headers included).
    pub largest_free: Option<u64>,
    /// Sum of free bytes.
    pub free_bytes: Option<u64>,
}

/// An allocator managing one region.
///
/// Zero-byte requests fail (the replay never makes them: see [`crate::Op`]).
pub trait Allocator: Send {
    /// Display name, for example `talc` or `mempool(align=16)`.
    fn name(&self) -> String;

    /// Region size in bytes: no request larger than this can succeed.
    fn capacity(&self) -> usize;

    /// Allocates `size` bytes.
    fn allocate(&mut self, size: usize) -> Option<Block>;

    /// Frees `block`; `false` (and nothing done) when it was made by another adapter.
    fn free(&mut self, block: Block) -> bool;

    /// Resizes `block` to `new_size` bytes, moving it when needed; on failure (or for a block
    /// of another adapter, or a zero size) the block comes back unchanged.
    ///
    /// # Errors
    /// The unchanged block.
    fn realloc(&mut self, block: Block, new_size: usize) -> Result<Block, Block>;

    /// Current heap end, as an offset from the region's start (`None`, the default: the
    /// allocator has no heap to measure, and no fragmentation figure).
    fn extent(&self) -> Option<usize> {
        None
    }

    /// Largest extent so far (`None` by default, as [`Allocator::extent`]).
    fn footprint(&self) -> Option<usize> {
        None
    }

    /// Bytes `block` occupies in the heap: header, payload, padding, unsplit remainder
    /// (`None` by default: unknown).
    fn block_bytes(&self, block: &Block) -> Option<usize> {
        let _ = block;
        None
    }

    /// Free space below the extent (may walk the heap: call it now and then, not per op;
    /// nothing known by default).
    fn free_stats(&self) -> FreeStats {
        FreeStats::default()
    }
}

impl<A: Allocator + ?Sized> Allocator for Box<A> {
    fn name(&self) -> String {
        (**self).name()
    }
    fn capacity(&self) -> usize {
        (**self).capacity()
    }
    fn allocate(&mut self, size: usize) -> Option<Block> {
        (**self).allocate(size)
    }
    fn free(&mut self, block: Block) -> bool {
        (**self).free(block)
    }
    fn realloc(&mut self, block: Block, new_size: usize) -> Result<Block, Block> {
        (**self).realloc(block, new_size)
    }
    fn extent(&self) -> Option<usize> {
        (**self).extent()
    }
    fn footprint(&self) -> Option<usize> {
        (**self).footprint()
    }
    fn block_bytes(&self, block: &Block) -> Option<usize> {
        (**self).block_bytes(block)
    }
    fn free_stats(&self) -> FreeStats {
        (**self).free_stats()
    }
}

/// Work to do with a concrete allocator: [`AdapterSpec::with_built`] builds the adapter a
/// spec names and calls [`WithAllocator::run`] with its concrete type, so the work is compiled
/// for each adapter (no virtual call per request, unlike through [`AdapterSpec::build`]'s
/// `Box<dyn Allocator>`).
pub trait WithAllocator {
    /// What the work returns.
    type Output;
    /// Does the work on `alloc`.
    fn run<A: Allocator>(self, alloc: &mut A) -> Self::Output;
}

/// The pool's tunable options (everything of `mempool::PoolOptions` but the buffer's size
/// and range, which the region sets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PoolVariant {
    /// Block alignment (power of two >= 8).
    pub align: u32,
    /// Coalesce free neighbours.
    pub compact: bool,
    /// Split oversized free blocks.
    pub split: bool,
    /// Smallest remainder split off (> 8).
    pub min_split: u32,
}

impl Default for PoolVariant {
    /// The seed's defaults: align 8, compact, split, min_split 16.
    fn default() -> Self {
        let d = ::mempool::PoolOptions::default();
        Self {
            align: d.align,
            compact: d.compact,
            split: d.split,
            min_split: d.min_split,
        }
    }
}

impl PoolVariant {
    /// `mempool` for the defaults, else `mempool(...)` listing the options that differ.
    #[must_use]
    pub fn label(&self) -> String {
        let d = Self::default();
        let mut parts = Vec::new();
        if self.align != d.align {
            parts.push(format!("align={}", self.align));
        }
        if self.min_split != d.min_split {
            parts.push(format!("min_split={}", self.min_split));
        }
        if self.compact != d.compact {
            parts.push(format!("compact={}", self.compact));
        }
        if self.split != d.split {
            parts.push(format!("split={}", self.split));
        }
        if parts.is_empty() {
            "mempool".to_owned()
        } else {
            format!("mempool({})", parts.join(","))
        }
    }

    /// The options a [`PoolVariant::label`] names: `mempool` or `mempool(k=v,...)` with keys
    /// `align`, `min_split`, `compact`, `split`; `None` for any other text or an invalid
    /// value (an alignment that is not a power of two >= 8, a threshold <= 8).
    #[must_use]
    pub fn from_label(label: &str) -> Option<Self> {
        let mut v = Self::default();
        if label == "mempool" {
            return Some(v);
        }
        let inner = label.strip_prefix("mempool(")?.strip_suffix(')')?;
        for part in inner.split(',') {
            let (key, value) = part.split_once('=')?;
            match key {
                "align" => v.align = value.parse().ok()?,
                "min_split" => v.min_split = value.parse().ok()?,
                "compact" => v.compact = value.parse().ok()?,
                "split" => v.split = value.parse().ok()?,
                _ => return None,
            }
        }
        let valid = v.align >= 8 && v.align.is_power_of_two() && v.min_split > 8;
        // Only the canonical spelling: the label of what was parsed.
        (valid && v.label() == label).then_some(v)
    }

    /// Pool options for a region of `capacity` bytes starting at offset 0.
    #[must_use]
    pub fn options(&self, capacity: usize) -> ::mempool::PoolOptions {
        ::mempool::PoolOptions {
            size: capacity,
            start: 0,
            end: None,
            align: self.align,
            compact: self.compact,
            split: self.split,
            min_split: self.min_split,
        }
    }
}

/// Which adapter to build: serializable, so result files can say what ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "allocator", rename_all = "snake_case")]
pub enum AdapterSpec {
    /// mempool with these options.
    MemPool(PoolVariant),
    /// mempool with these options on the reference engine: the seed's list walks, O(n) per
    /// operation; same placement and bytes as [`AdapterSpec::MemPool`]. Not in
    /// [`AdapterSpec::all`]: it is for measuring the fast engine against.
    Reference(PoolVariant),
    /// talc (`talc` crate).
    Talc,
    /// TLSF (`rlsf` crate).
    Rlsf,
    /// `linked_list_allocator`'s first-fit hole list.
    LinkedList,
    /// Doug Lea's malloc (`dlmalloc` crate), fed from the region.
    Dlmalloc,
    /// The process's system allocator (no region: no footprint).
    System,
    /// [`BaselineAdapter`]: a counter that ignores frees, the cheapest allocator that can
    /// serve any trace; its time is the replay loop's own cost. Throughput and latency only
    /// (its blocks may overlap: no fragmentation figures). Not in [`AdapterSpec::all`].
    Baseline,
}

/// The name of a pool variant on the reference engine.
pub(crate) fn reference_label(v: &PoolVariant) -> String {
    format!("{}@reference", v.label())
}

impl AdapterSpec {
    /// mempool with the seed's default options.
    #[must_use]
    pub fn default_pool() -> Self {
        Self::MemPool(PoolVariant::default())
    }

    /// The peers: talc, rlsf, linked_list_allocator, dlmalloc, system.
    #[must_use]
    pub fn peers() -> Vec<Self> {
        vec![
            Self::Talc,
            Self::Rlsf,
            Self::LinkedList,
            Self::Dlmalloc,
            Self::System,
        ]
    }

    /// The default pool, then the peers.
    #[must_use]
    pub fn all() -> Vec<Self> {
        let mut all = vec![Self::default_pool()];
        all.extend(Self::peers());
        all
    }

    /// The display name of the adapter this builds.
    #[must_use]
    pub fn name(&self) -> String {
        match self {
            Self::MemPool(v) => v.label(),
            Self::Reference(v) => reference_label(v),
            Self::Talc => "talc".into(),
            Self::Rlsf => "rlsf".into(),
            Self::LinkedList => "linked_list_allocator".into(),
            Self::Dlmalloc => "dlmalloc".into(),
            Self::System => "system".into(),
            Self::Baseline => "baseline".into(),
        }
    }

    /// The allocator [`AdapterSpec::name`] calls `name`: `mempool`, a pool variant such as
    /// `mempool(min_split=64,compact=false)`, either with `@reference` for the reference
    /// engine, or a peer (`talc`, `rlsf`, `linked_list_allocator`, `dlmalloc`, `system`).
    ///
    /// # Errors
    /// [`AdapterError::UnknownName`] listing the names there are.
    pub fn from_name(name: &str) -> Result<Self, AdapterError> {
        if let Some(peer) = Self::peers()
            .into_iter()
            .chain([Self::Baseline])
            .find(|p| p.name() == name)
        {
            return Ok(peer);
        }
        let parsed = match name.strip_suffix("@reference") {
            Some(pool) => PoolVariant::from_label(pool).map(Self::Reference),
            None => PoolVariant::from_label(name).map(Self::MemPool),
        };
        parsed.ok_or_else(|| AdapterError::UnknownName {
            name: name.to_owned(),
        })
    }

    /// Builds the adapter over a new region of `capacity` bytes, as [`AdapterSpec::build`]
    /// does, and runs `work` on it with its concrete type.
    ///
    /// # Errors
    /// [`AdapterError`] when the region is too small, too large, or cannot be reserved.
    pub fn with_built<W: WithAllocator>(
        &self,
        capacity: usize,
        work: W,
    ) -> Result<W::Output, AdapterError> {
        Ok(match self {
            Self::MemPool(v) => work.run(&mut MemPoolAdapter::new(*v, capacity)?),
            Self::Reference(v) => work.run(
                &mut MemPoolAdapter::<::mempool::Reference>::with_engine(*v, capacity)?,
            ),
            Self::Talc => work.run(&mut TalcAdapter::new(capacity)?),
            Self::Rlsf => work.run(&mut RlsfAdapter::new(capacity)?),
            Self::LinkedList => work.run(&mut LinkedListAdapter::new(capacity)?),
            Self::Dlmalloc => work.run(&mut DlmallocAdapter::new(capacity)?),
            Self::System => work.run(&mut SystemAdapter::new(capacity)),
            Self::Baseline => work.run(&mut BaselineAdapter::new(capacity)),
        })
    }

    /// Builds the adapter over a new region of `capacity` bytes. The region's memory is
    /// reserved lazily by the OS: a 1 GiB region costs only the pages the heap touches.
    ///
    /// # Errors
    /// [`AdapterError`] when the region is too small, too large, or cannot be reserved.
    pub fn build(&self, capacity: usize) -> Result<Box<dyn Allocator>, AdapterError> {
        Ok(match self {
            Self::MemPool(v) => Box::new(MemPoolAdapter::new(*v, capacity)?),
            Self::Reference(v) => Box::new(MemPoolAdapter::<::mempool::Reference>::with_engine(
                *v, capacity,
            )?),
            Self::Talc => Box::new(TalcAdapter::new(capacity)?),
            Self::Rlsf => Box::new(RlsfAdapter::new(capacity)?),
            Self::LinkedList => Box::new(LinkedListAdapter::new(capacity)?),
            Self::Dlmalloc => Box::new(DlmallocAdapter::new(capacity)?),
            Self::System => Box::new(SystemAdapter::new(capacity)),
            Self::Baseline => Box::new(BaselineAdapter::new(capacity)),
        })
    }
}

/// `n` rounded up to a multiple of `step` (a power of two), saturating.
pub(crate) fn round_up(n: usize, step: usize) -> usize {
    n.saturating_add(step - 1) & !(step - 1)
}
