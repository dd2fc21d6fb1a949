//! The fast engine: the seed's placement, byte for byte, without walking the lists.
//!
//! The buffer is written exactly as the reference engine writes it (same words, same values,
//! used-list order included); only the *search* changes. A host-side index, never stored in
//! the buffer, answers the questions the reference answers by walking lists:
//!
//! - free blocks by address in a [`FreeIndex`] (sorted runs of addresses and sizes with the
//!   largest size of every run and group of runs): first fit by address in three short scans,
//!   predecessor and successor in two binary searches;
//! - used blocks in a hash map from block to its predecessor in the used list, so `free` and
//!   `realloc` unlink in O(1);
//! - running totals for `stats()`.
//!
//! Compaction looks only at the freed block's neighbours. That equals the seed's whole-list
//! pass whenever the heap passed [`crate::MemPool::check`] before the operation (with compact
//! on, no two free blocks touch and none ends at top), which every operation preserves. A heap
//! that fails `check()` when attached, or an operation that faults, drops the index and the
//! pool carries on with the reference engine's walks, which stay memory-safe on any bytes.

use hashbrown::HashMap;
use rustc_hash::FxBuildHasher;

use crate::check::check_heap;
use crate::free_index::{Found, FreeIndex};
use crate::heap::{to_u32, Fault, Heap};
use crate::layout::{block_addr, data_addr, padded};
use crate::stats::ListStats;

/// The index of one pool.
#[derive(Debug, Clone, Default)]
pub struct Index {
    free: FreeIndex,
    /// Used block -> its predecessor in the used list (0 for the head).
    used: HashMap<u32, u32, FxBuildHasher>,
    free_size: u64,
    used_size: u64,
}

fn end_of(block: u32, size: u32) -> u64 {
    u64::from(block) + u64::from(size)
}

type Buf<'a> = Heap<&'a mut [u8]>;

/// Size in bytes up to which the used map is never shrunk (about 450 buckets: at most 4
/// bytes per block in a heap of 1,000 blocks).
const SHRINK_FLOOR: usize = 4 << 10;

/// Bytes of one bucket of the used map: an entry and hashbrown's control byte.
const BUCKET_BYTES: usize = std::mem::size_of::<(u32, u32)>() + 1;

/// A free block picked by `malloc`: where it is, its free-list predecessor, and where the
/// index search found it (none when it came from the top-adjacent rule).
struct FreeBlock {
    block: u32,
    size: u32,
    pred: Option<u32>,
    at: Option<Found>,
}

impl Index {
    /// Rebuilds the index from a heap that passes `check()`, in O(n).
    pub(crate) fn build(heap: &Heap<&[u8]>) -> Option<Self> {
        check_heap(heap).ok()?;
        let list = |head: Result<u32, Fault>| -> Option<Vec<(u32, u32)>> {
            let mut out = Vec::new();
            let mut b = head.ok()?;
            while b != 0 {
                out.push((b, heap.size(b).ok()?));
                b = heap.next(b).ok()?;
            }
            Some(out)
        };
        let free = list(heap.free_head())?;
        let used = list(heap.used_head())?;
        let mut index = Index {
            free_size: free.iter().map(|&(_, s)| u64::from(s)).sum(),
            used_size: used.iter().map(|&(_, s)| u64::from(s)).sum(),
            free: FreeIndex::from_sorted(free),
            used: HashMap::default(),
        };
        index.used.reserve(used.len());
        let mut prev = 0;
        for &(b, _) in &used {
            index.used.insert(b, prev);
            prev = b;
        }
        Some(index)
    }

    /// Free and used list totals, as `stats()` reports them.
    pub(crate) fn lists(&self) -> (ListStats, ListStats) {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        (
            ListStats {
                count: count(self.free.len()),
                size: self.free_size,
            },
            ListStats {
                count: count(self.used.len()),
                size: self.used_size,
            },
        )
    }

    /// Whether `block` is on the used list.
    pub(crate) fn is_used(&self, block: u32) -> bool {
        self.used.contains_key(&block)
    }

    /// The largest free-list block (0 when none).
    pub(crate) fn largest_free(&self) -> u32 {
        self.free.largest()
    }

    /// Host memory held by the index, in bytes: what its vectors and its hash table have
    /// allocated (capacities, not lengths; the table's whole allocation, control bytes
    /// included).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.free.heap_bytes() + self.used.allocation_size()
    }

    /// Forgets every block (the heap was reset by `free_all`).
    pub(crate) fn clear(&mut self) {
        self.free.clear();
        // A new map, not `clear()`, which would keep the peak's allocation.
        self.used = HashMap::default();
        self.free_size = 0;
        self.used_size = 0;
    }

    pub(crate) fn malloc(&mut self, heap: &mut Buf<'_>, bytes: u32) -> Result<Option<u32>, Fault> {
        if bytes == 0 {
            return Ok(None);
        }
        let padded = padded(bytes, heap.align()?);
        let top = u64::from(heap.top()?);
        // The reference walk stops at the first block that fits or touches top. Only the
        // highest free block can touch top, and with compact on none does.
        // The search remembers where it found the block, so taking it needs no new descent.
        let fit = self.free.first_fit(padded);
        let at_top = if heap.compact_on()? {
            None
        } else {
            self.free
                .last()
                .filter(|&(b, s)| end_of(b, s) >= top)
                .map(|t| (t, self.free.pred(t.0), None))
        };
        let fit = fit.map(|(block, pred, at)| (block, pred, Some(at)));
        let pick = match (fit, at_top) {
            (Some(f), Some(t)) => Some(if t.0 .0 < f.0 .0 { t } else { f }),
            (f, t) => f.or(t),
        };
        if let Some(((block, size), pred, at)) = pick {
            let is_top = end_of(block, size) >= top;
            let free = FreeBlock {
                block,
                size,
                pred: pred.map(|p| p.0),
                at,
            };
            return self.take_free(heap, free, padded, is_top);
        }
        let end = u64::from(heap.end()?);
        if top + padded <= end {
            let used = heap.used_head()?;
            heap.init_block(top, padded, u64::from(used))?;
            heap.set_used_head(top)?;
            heap.set_top(top + padded)?;
            let block = to_u32(top)?;
            self.push_used(block, used, to_u32(padded)?);
            return Ok(Some(to_u32(data_addr(block))?));
        }
        Ok(None)
    }

    fn push_used(&mut self, block: u32, old_head: u32, size: u32) {
        self.used.insert(block, 0);
        if let Some(pred) = self.used.get_mut(&old_head) {
            *pred = block;
        }
        self.used_size += u64::from(size);
    }

    /// Removes free block `free` from the index, from where the search found it if it did.
    fn unindex(&mut self, free: &FreeBlock) {
        match free.at {
            Some(at) => {
                self.free.remove_at(at);
            }
            None => {
                self.free.remove(free.block);
            }
        }
    }

    /// Takes free block `block` (whose free-list predecessor is `pred`) for a `padded`-byte
    /// request: the seed's `mallocTop`.
    fn take_free(
        &mut self,
        heap: &mut Buf<'_>,
        free: FreeBlock,
        padded: u64,
        is_top: bool,
    ) -> Result<Option<u32>, Fault> {
        let FreeBlock {
            block, size, pred, ..
        } = free;
        if is_top && u64::from(block) + padded > u64::from(heap.end()?) {
            return Ok(None);
        }
        let next = heap.next(block)?;
        match pred {
            Some(prev) => heap.set_next(u64::from(prev), u64::from(next))?,
            None => heap.set_free_head(u64::from(next))?,
        }
        self.free_size -= u64::from(size);
        let used = heap.used_head()?;
        heap.set_next(u64::from(block), u64::from(used))?;
        heap.set_used_head(u64::from(block))?;
        self.push_used(block, used, size);
        // Not top-adjacent, the block fits: size >= padded. (A top-adjacent one may be smaller.)
        let excess = u64::from(size).saturating_sub(padded);
        let threshold = u64::from(heap.min_split()?);
        if is_top {
            self.unindex(&free);
            heap.set_size(u64::from(block), padded)?;
            heap.set_top(u64::from(block) + padded)?;
            self.used_size = self.used_size - u64::from(size) + padded;
        } else if heap.split_on()? && excess >= threshold {
            // The tail takes the block's place in the free list: between `pred` and `next`.
            // It cannot touch a free neighbour or top (the block did not), so the seed's
            // compaction pass after the split changes nothing.
            heap.set_size(u64::from(block), padded)?;
            self.used_size -= excess;
            let rest = end_of(block, to_u32(padded)?);
            heap.init_block(rest, excess, 0)?;
            match pred {
                Some(prev) => heap.set_next(u64::from(prev), rest)?,
                None => heap.set_free_head(rest)?,
            }
            heap.set_next(rest, u64::from(next))?;
            let (rest, excess) = (to_u32(rest)?, to_u32(excess)?);
            match free.at {
                Some(at) => self.free.set_at(at, rest, excess),
                None => self.free.rekey(block, rest, excess),
            }
            self.free_size += u64::from(excess);
        } else {
            self.unindex(&free);
        }
        Ok(Some(to_u32(data_addr(block))?))
    }

    /// Shrinks used block `block` to `size` and frees its `excess` tail (`splitBlock`).
    fn split_used(
        &mut self,
        heap: &mut Buf<'_>,
        block: u32,
        size: u32,
        excess: u32,
    ) -> Result<(), Fault> {
        heap.set_size(u64::from(block), u64::from(size))?;
        self.used_size -= u64::from(excess);
        let rest = to_u32(end_of(block, size))?;
        heap.init_block(u64::from(rest), u64::from(excess), 0)?;
        self.insert_free(heap, rest, excess)
    }

    /// Links `block` (size word already written) into the free list and, with compact on,
    /// runs the seed's compaction pass restricted to the only run that can have changed: the
    /// one holding `block`. The buffer gets exactly the seed's writes; the index gets the
    /// fewest updates that reach the same state.
    fn insert_free(&mut self, heap: &mut Buf<'_>, block: u32, size: u32) -> Result<(), Fault> {
        // One descent finds both neighbours; the index update below starts from there.
        let (pred_at, succ_at, slot) = self.free.neighbors(block);
        let (pred, succ) = (pred_at.map(|p| p.0), succ_at.map(|s| s.0));
        self.free_size += u64::from(size);
        match pred {
            Some((p, _)) => heap.set_next(u64::from(p), u64::from(block))?,
            None => heap.set_free_head(u64::from(block))?,
        }
        heap.set_next(u64::from(block), u64::from(succ.map_or(0, |(s, _)| s)))?;
        if !heap.compact_on()? {
            self.free.insert_at(slot, block, size);
            return Ok(());
        }
        let joins_pred = pred.filter(|&(p, psize)| end_of(p, psize) == u64::from(block));
        let joins_succ = succ.filter(|&(s, _)| end_of(block, size) == u64::from(s));
        // The run: its head, its end, and the block after it.
        let head = joins_pred.map_or(block, |(p, _)| p);
        let (last, last_size) = joins_succ.unwrap_or((block, size));
        let merged = to_u32(end_of(last, last_size) - u64::from(head))?;
        if head != last {
            // The seed: head takes the run's size, every later header of the run gets
            // next = 0, and head links to the block after the run.
            let after = heap.next(last)?;
            heap.set_size(u64::from(head), u64::from(merged))?;
            if head != block {
                heap.set_next(u64::from(block), 0)?;
            }
            if last != block {
                heap.set_next(u64::from(last), 0)?;
            }
            heap.set_next(u64::from(head), u64::from(after))?;
        }
        let to_top = end_of(head, merged) >= u64::from(heap.top()?);
        if to_top {
            heap.set_top(u64::from(head))?;
            let next = heap.next(head)?;
            let before = if head == block {
                pred
            } else {
                self.free.pred(head)
            };
            match before {
                Some((p, _)) => heap.set_next(u64::from(p), u64::from(next))?,
                None => heap.set_free_head(u64::from(next))?,
            }
            self.free_size -= u64::from(merged);
        }
        // Index: the run becomes one entry at `head`, or none when it went back to top. A
        // resize leaves every `Found` valid, a removal does not: resize first, remove last.
        match (
            pred_at.filter(|_| joins_pred.is_some()),
            succ_at.filter(|_| joins_succ.is_some()),
            to_top,
        ) {
            (Some((_, p)), Some((_, s)), false) => {
                self.free.set_at(p, head, merged);
                self.free.remove_at(s);
            }
            (Some(_), Some(((s, _), _)), true) => {
                // Rare (the whole run went back to top): two removals by address.
                self.free.remove(s);
                self.free.remove(head);
            }
            (Some((_, p)), None, false) => self.free.set_at(p, head, merged),
            (Some((_, p)), None, true) | (None, Some((_, p)), true) => {
                self.free.remove_at(p);
            }
            (None, Some((_, s)), false) => self.free.set_at(s, block, merged),
            (None, None, false) => self.free.insert_at(slot, block, size),
            (None, None, true) => {}
        }
        Ok(())
    }

    /// Unlinks used block `block` (already out of the map; its used-list predecessor was
    /// `prev`) and frees it.
    fn free_block(&mut self, heap: &mut Buf<'_>, block: u32, prev: u32) -> Result<(), Fault> {
        let next = heap.next(block)?;
        if prev != 0 {
            heap.set_next(u64::from(prev), u64::from(next))?;
        } else {
            heap.set_used_head(u64::from(next))?;
        }
        if let Some(pred) = self.used.get_mut(&next) {
            *pred = prev;
        }
        let size = heap.size(block)?;
        self.used_size -= u64::from(size);
        self.insert_free(heap, block, size)
    }

    pub(crate) fn free(&mut self, heap: &mut Buf<'_>, ptr: u32) -> Result<bool, Fault> {
        let Some(block) = block_addr(ptr) else {
            return Ok(false);
        };
        let Some(prev) = self.used.remove(&block) else {
            return Ok(false);
        };
        self.shrink_used();
        self.free_block(heap, block, prev)?;
        Ok(true)
    }

    /// A hash map never gives memory back by itself, so the used map is shrunk once it fills
    /// under 0.35 of its buckets ([`BUCKET_BYTES`], 9, each: at most about 26 bytes per used
    /// block), to
    /// the fewest buckets that leave it at most 0.7 full: halved, as a rule. hashbrown doubles
    /// it when it is 7/8 full, which leaves it 7/16 full. Either way at least a fifth of the
    /// entries must come or go before the next resize, so resizing costs O(1) per call
    /// amortised, for any sequence of calls (`tests/used_map_resizing.rs`). Shrinking to fit
    /// instead, as this did before, leaves a full table that the next insert doubles again:
    /// a program hovering at such a count resized on every other call (4.3 µs per call
    /// instead of 24 ns). Small maps (up to [`SHRINK_FLOOR`] bytes) stay as they are.
    fn shrink_used(&mut self) {
        let (len, bytes) = (self.used.len(), self.used.allocation_size());
        // len < 0.35 buckets (the allocation is the buckets plus a few control bytes).
        if bytes > SHRINK_FLOOR && len * BUCKET_BYTES * 20 < bytes * 7 {
            self.used.shrink_to(len + len / 4);
        }
    }

    pub(crate) fn realloc(
        &mut self,
        heap: &mut Buf<'_>,
        ptr: u32,
        bytes: u32,
    ) -> Result<Option<u32>, Fault> {
        if bytes == 0 {
            return Ok(None);
        }
        let Some(block) = block_addr(ptr).filter(|b| self.used.contains_key(b)) else {
            return Ok(None);
        };
        let size = heap.size(block)?;
        let block_end = end_of(block, size);
        let is_top = block_end >= u64::from(heap.top()?);
        let padded = padded(bytes, heap.align()?);
        let at = u64::from(block);
        if padded <= u64::from(size) {
            let excess = u64::from(size) - padded;
            if heap.split_on()? && excess >= u64::from(heap.min_split()?) {
                self.split_used(heap, block, to_u32(padded)?, to_u32(excess)?)?;
            } else if is_top {
                // B2 fixed: the seed lowers top but leaves the old size word.
                heap.set_size(at, padded)?;
                self.used_size -= excess;
                heap.set_top(at + padded)?;
            }
            return Ok(Some(ptr));
        }
        if is_top && at + padded < u64::from(heap.end()?) {
            heap.set_size(at, padded)?;
            heap.set_top(at + padded)?;
            self.used_size += padded - u64::from(size);
            return Ok(Some(ptr));
        }
        // B1/B3 fixed: allocate first (the old block stays put), copy, then free the old one.
        let Some(new) = self.malloc(heap, bytes)? else {
            return Ok(None);
        };
        heap.copy_payload(block, block_end, new)?;
        self.free(heap, ptr)?;
        Ok(Some(new))
    }
}
