//! The fast engine: the seed's placement, byte for byte, without walking the lists.
//!
//! The buffer is written exactly as the reference engine writes it (same words, same values,
//! used-list order included); only the *search* changes. A host-side index, never stored in
//! the buffer, answers the questions the reference answers by walking lists:
//!
//! - free blocks by address in a [`FreeIndex`] (sorted runs of addresses and sizes with the
//!   largest size of every run and group of runs): first fit by address in three short scans,
//!   predecessor and successor in two binary searches;
//! - used blocks in a [`UsedTable`] from block to its predecessor in the used list, so `free`
//!   and `realloc` unlink in O(1);
//! - the state words ([`State`]): the four only the constructor writes (`align`, `flags`,
//!   `minSplit`, `end`) are read once, `top` and the used list's head are kept here and
//!   written through to the buffer, so no operation reads a state word from the buffer (the
//!   free list's head is only written: the index knows the lowest free block);
//! - running totals for `stats()`.
//!
//! Compaction looks only at the freed block's neighbours. That equals the seed's whole-list
//! pass whenever the heap passed [`crate::MemPool::check`] before the operation (with compact
//! on, no two free blocks touch and none ends at top), which every operation preserves. A heap
//! that fails `check()` when attached, or an operation that faults, drops the index and the
//! pool carries on with the reference engine's walks, which stay memory-safe on any bytes.
//!
//! Arithmetic is in `u32`: on a heap that passed `check()` every block lies in
//! `[initialTop, top)` and `top <= end <= u32::MAX`, so a block's address plus its size, or
//! plus a smaller size, fits; comparisons against `end` are written as differences
//! (`end - top >= padded`), which cannot overflow. Values read from the buffer (a used
//! block's size and next word) go through checked operations, so bytes that changed behind
//! the pool's back make the operation fault instead of panic.

use crate::check::check_heap;
use crate::free_index::{Found, FreeIndex};
use crate::heap::{Fault, Heap};
use crate::layout::{block_addr, BLOCK_HEADER, FLAG_COMPACT, FLAG_SPLIT};
use crate::stats::ListStats;
use crate::used_table::UsedTable;

/// The pool's state words as the engine keeps them (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct State {
    /// Block alignment.
    pub(crate) align: u32,
    /// The flags word's compact bit.
    pub(crate) compact: bool,
    /// The flags word's split bit.
    pub(crate) split: bool,
    /// Split threshold.
    pub(crate) min_split: u32,
    /// One past the last usable byte.
    pub(crate) end: u32,
    /// First address never handed out.
    pub(crate) top: u32,
    /// First used block (0 = none).
    pub(crate) used: u32,
}

impl State {
    /// The state words of `heap`.
    fn read(heap: &Heap<&[u8]>) -> Result<Self, Fault> {
        let flags = heap.flags()?;
        Ok(Self {
            align: heap.align()?,
            compact: flags & FLAG_COMPACT != 0,
            split: flags & FLAG_SPLIT != 0,
            min_split: heap.min_split()?,
            end: heap.end()?,
            top: heap.top()?,
            used: heap.used_head()?,
        })
    }

    /// The block size for an `n`-byte request (the seed's `paddedSize`), or `None` when it
    /// would not fit a `u32`: no block or heap can be that large, so such a request fails.
    /// (The padded size reaches 2^32 exactly when `n + 8 + align - 1` does: 2^32 is a
    /// multiple of `align`.)
    fn padded(&self, n: u32) -> Option<u32> {
        let mask = self.align - 1;
        Some(n.checked_add(BLOCK_HEADER + mask)? & !mask)
    }
}

/// The index of one pool.
#[derive(Debug, Clone)]
pub struct Index {
    st: State,
    free: FreeIndex,
    /// Used block -> its predecessor in the used list (0 for the head).
    used: UsedTable,
    free_size: u64,
    used_size: u64,
}

type Buf<'a> = Heap<&'a mut [u8]>;

/// A free block picked by `malloc`: where it is, its free-list predecessor, and where the
/// index search found it (none when it came from the top-adjacent rule).
struct FreeBlock {
    block: u32,
    size: u32,
    pred: Option<u32>,
    at: Option<Found>,
}

/// The end of a block (`block + size`); on a heap that passed `check()` it fits a `u32`.
fn end_of(block: u32, size: u32) -> Result<u32, Fault> {
    block.checked_add(size).ok_or(Fault::Overflow)
}

/// `total - part` for the running totals; faults rather than wraps if a size read from the
/// buffer disagrees with them.
fn less(total: u64, part: u32) -> Result<u64, Fault> {
    total.checked_sub(u64::from(part)).ok_or(Fault::Overflow)
}

impl Index {
    /// The index of a freshly initialised heap (both lists empty), sized so that small heaps
    /// never allocate host memory inside an operation.
    pub(crate) fn fresh(heap: &Heap<&[u8]>) -> Option<Self> {
        Some(Self::with_state(State::read(heap).ok()?))
    }

    fn with_state(st: State) -> Self {
        Self {
            st,
            free: FreeIndex::new(),
            used: UsedTable::new(),
            free_size: 0,
            used_size: 0,
        }
    }

    /// Rebuilds the index from a heap that passes `check()`, in O(n).
    pub(crate) fn build(heap: &Heap<&[u8]>) -> Option<Self> {
        check_heap(heap).ok()?;
        let list = |head: u32| -> Option<Vec<(u32, u32)>> {
            let mut out = Vec::new();
            let mut b = head;
            while b != 0 {
                let (size, next) = heap.header(b).ok()?;
                out.push((b, size));
                b = next;
            }
            Some(out)
        };
        let st = State::read(heap).ok()?;
        let free = list(heap.free_head().ok()?)?;
        let used = list(st.used)?;
        let mut index = Self::with_state(st);
        index.free_size = free.iter().map(|&(_, s)| u64::from(s)).sum();
        index.used_size = used.iter().map(|&(_, s)| u64::from(s)).sum();
        index.free = FreeIndex::from_sorted(free);
        let used: Vec<u32> = used.into_iter().map(|(b, _)| b).collect();
        index.used = UsedTable::from_list(&used);
        Some(index)
    }

    /// The state words as the engine keeps them.
    pub(crate) fn state(&self) -> &State {
        &self.st
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
        self.used.contains(block)
    }

    /// The largest free-list block (0 when none).
    pub(crate) fn largest_free(&self) -> u32 {
        self.free.largest()
    }

    /// Host memory held by the index, in bytes: what its vectors and its table have
    /// allocated (capacities, not lengths).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.free.heap_bytes() + self.used.heap_bytes()
    }

    /// Both lists empty and `top` back to `initial_top` (the heap was reset by `free_all`).
    pub(crate) fn clear(&mut self, initial_top: u32) {
        *self = Self::with_state(State {
            top: initial_top,
            used: 0,
            ..self.st
        });
    }

    fn set_top(&mut self, heap: &mut Buf<'_>, top: u32) -> Result<(), Fault> {
        heap.set_top(top)?;
        self.st.top = top;
        Ok(())
    }

    fn set_free_head(&mut self, heap: &mut Buf<'_>, block: u32) -> Result<(), Fault> {
        heap.set_free_head(block)
    }

    fn set_used_head(&mut self, heap: &mut Buf<'_>, block: u32) -> Result<(), Fault> {
        heap.set_used_head(block)?;
        self.st.used = block;
        Ok(())
    }

    /// Points the free-list predecessor `pred` (the head word when none) at `block`.
    fn link_free(
        &mut self,
        heap: &mut Buf<'_>,
        pred: Option<u32>,
        block: u32,
    ) -> Result<(), Fault> {
        match pred {
            Some(p) => heap.set_next(p, block),
            None => self.set_free_head(heap, block),
        }
    }

    pub(crate) fn malloc(&mut self, heap: &mut Buf<'_>, bytes: u32) -> Result<Option<u32>, Fault> {
        if bytes == 0 {
            return Ok(None);
        }
        let Some(padded) = self.st.padded(bytes) else {
            return Ok(None);
        };
        let top = self.st.top;
        // The reference walk stops at the first block that fits or touches top. Only the
        // highest free block can touch top, and with compact on none does.
        // The search remembers where it found the block, so taking it needs no new descent.
        let fit = self.free.first_fit(u64::from(padded));
        let at_top = if self.st.compact {
            None
        } else {
            self.free
                .last()
                .filter(|&(b, s)| u64::from(b) + u64::from(s) >= u64::from(top))
                .map(|t| (t, self.free.pred(t.0), None))
        };
        let fit = fit.map(|(block, pred, at)| (block, pred, Some(at)));
        let pick = match (fit, at_top) {
            (Some(f), Some(t)) => Some(if t.0 .0 < f.0 .0 { t } else { f }),
            (f, t) => f.or(t),
        };
        if let Some(((block, size), pred, at)) = pick {
            let is_top = u64::from(block) + u64::from(size) >= u64::from(top);
            let free = FreeBlock {
                block,
                size,
                pred: pred.map(|p| p.0),
                at,
            };
            return self.take_free(heap, free, padded, is_top);
        }
        if self.st.end - top >= padded {
            let used = self.st.used;
            heap.set_header(top, padded, used)?;
            self.set_used_head(heap, top)?;
            self.set_top(heap, top + padded)?;
            self.push_used(top, padded);
            return Ok(Some(top + BLOCK_HEADER));
        }
        Ok(None)
    }

    fn push_used(&mut self, block: u32, size: u32) {
        self.used.push(block);
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
        padded: u32,
        is_top: bool,
    ) -> Result<Option<u32>, Fault> {
        let FreeBlock {
            block, size, pred, ..
        } = free;
        if is_top && padded > self.st.end - block {
            return Ok(None);
        }
        let next = heap.next(block)?;
        self.link_free(heap, pred, next)?;
        self.free_size -= u64::from(size);
        let used = self.st.used;
        heap.set_next(block, used)?;
        self.set_used_head(heap, block)?;
        self.push_used(block, size);
        // Not top-adjacent, the block fits: size >= padded. (A top-adjacent one may be smaller.)
        let excess = size.saturating_sub(padded);
        let threshold = self.st.min_split;
        if is_top {
            self.unindex(&free);
            heap.set_size(block, padded)?;
            self.set_top(heap, block + padded)?;
            self.used_size = self.used_size - u64::from(size) + u64::from(padded);
        } else if self.st.split && excess >= threshold {
            // The tail takes the block's place in the free list: between `pred` and `next`.
            // It cannot touch a free neighbour or top (the block did not), so the seed's
            // compaction pass after the split changes nothing.
            heap.set_size(block, padded)?;
            self.used_size -= u64::from(excess);
            let rest = block + padded;
            heap.set_header(rest, excess, 0)?;
            self.link_free(heap, pred, rest)?;
            heap.set_next(rest, next)?;
            match free.at {
                Some(at) => self.free.set_at(at, rest, excess),
                None => self.free.rekey(block, rest, excess),
            }
            self.free_size += u64::from(excess);
        } else {
            self.unindex(&free);
        }
        Ok(Some(block + BLOCK_HEADER))
    }

    /// Shrinks used block `block` to `size` and frees its `excess` tail (`splitBlock`).
    fn split_used(
        &mut self,
        heap: &mut Buf<'_>,
        block: u32,
        size: u32,
        excess: u32,
    ) -> Result<(), Fault> {
        heap.set_size(block, size)?;
        self.used_size = less(self.used_size, excess)?;
        let rest = block + size;
        heap.set_header(rest, excess, 0)?;
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
        self.link_free(heap, pred.map(|p| p.0), block)?;
        heap.set_next(block, succ.map_or(0, |(s, _)| s))?;
        if !self.st.compact {
            self.free.insert_at(slot, block, size);
            return Ok(());
        }
        let block_end = end_of(block, size)?;
        let joins_pred = pred.filter(|&(p, psize)| end_of(p, psize) == Ok(block));
        let joins_succ = succ.filter(|&(s, _)| block_end == s);
        // The run: its head, its end, and the block after it.
        let head = joins_pred.map_or(block, |(p, _)| p);
        let (last, last_size) = joins_succ.unwrap_or((block, size));
        let run_end = end_of(last, last_size)?;
        let merged = run_end - head;
        if head != last {
            // The seed: head takes the run's size, every later header of the run gets
            // next = 0, and head links to the block after the run.
            let after = heap.next(last)?;
            heap.set_size(head, merged)?;
            if head != block {
                heap.set_next(block, 0u32)?;
            }
            if last != block {
                heap.set_next(last, 0u32)?;
            }
            heap.set_next(head, after)?;
        }
        let to_top = run_end >= self.st.top;
        if to_top {
            self.set_top(heap, head)?;
            let next = heap.next(head)?;
            let before = if head == block {
                pred
            } else {
                self.free.pred(head)
            };
            self.link_free(heap, before.map(|p| p.0), next)?;
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

    pub(crate) fn free(&mut self, heap: &mut Buf<'_>, ptr: u32) -> Result<bool, Fault> {
        let Some(block) = block_addr(ptr) else {
            return Ok(false);
        };
        let Some(place) = self.used.locate(block) else {
            return Ok(false);
        };
        let (size, next) = heap.header(block)?;
        let prev = self.used.remove(place, next);
        if prev != 0 {
            heap.set_next(prev, next)?;
        } else {
            self.set_used_head(heap, next)?;
        }
        self.used_size = less(self.used_size, size)?;
        self.insert_free(heap, block, size)?;
        Ok(true)
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
        let Some(block) = block_addr(ptr).filter(|&b| self.used.contains(b)) else {
            return Ok(None);
        };
        let size = heap.size(block)?;
        let block_end = end_of(block, size)?;
        let is_top = block_end >= self.st.top;
        // No block can grow to 2^32 bytes: as for a failed move.
        let Some(padded) = self.st.padded(bytes) else {
            return Ok(None);
        };
        if padded <= size {
            let excess = size - padded;
            if self.st.split && excess >= self.st.min_split {
                self.split_used(heap, block, padded, excess)?;
            } else if is_top {
                // B2 fixed: the seed lowers top but leaves the old size word.
                heap.set_size(block, padded)?;
                self.used_size = less(self.used_size, excess)?;
                self.set_top(heap, block + padded)?;
            }
            return Ok(Some(ptr));
        }
        if is_top && padded < self.st.end - block {
            heap.set_size(block, padded)?;
            self.set_top(heap, block + padded)?;
            self.used_size += u64::from(padded - size);
            return Ok(Some(ptr));
        }
        // B1/B3 fixed: allocate first (the old block stays put), copy, then free the old one.
        let Some(new) = self.malloc(heap, bytes)? else {
            return Ok(None);
        };
        heap.copy_payload(block, u64::from(block_end), new)?;
        self.free(heap, ptr)?;
        Ok(Some(new))
    }
}
