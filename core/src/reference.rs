//! The reference engine: the straightforward port, which walks the seed's lists in the buffer
//! on every operation (O(n)), step by step as `core/SPEC.md` §4 states the seed's rules, with
//! the seed's bugs fixed as its §6 says. It is the oracle the fast engine (`fast.rs`) is tested
//! against: both write the same bytes.
//!
//! Public: [`MemPool`], the pool with the [`Reference`] engine, and its constructors.
//! Crate-internal: the operations themselves, as methods of the heap: `malloc`, `free`,
//! `realloc` and `reset` (the seed's `freeAll`, which the fast engine runs too), and the free
//! list's insertion, compaction and split. [`crate::MemPool`] runs them when it has no fast
//! index. Each returns `Err` only on a corrupt heap.
//!
//! ```
//! let mut slow = mempool::reference::new(mempool::PoolOptions::default())?;
//! let mut fast = mempool::MemPool::new(mempool::PoolOptions::default())?;
//! assert_eq!(slow.malloc(100), fast.malloc(100));
//! assert_eq!(slow.bytes(), fast.bytes());
//! # Ok::<(), mempool::PoolError>(())
//! ```

use crate::heap::{to_u32, Fault, Heap, Steps};
use crate::layout::{block_addr, data_addr, padded};
use crate::{AlignedBuf, PoolError, PoolOptions, Reference};

/// [`crate::MemPool`] with the [`Reference`] engine.
pub type MemPool<B = AlignedBuf> = crate::MemPool<B, Reference>;

/// [`crate::MemPool::new`] with the reference engine.
///
/// # Errors
/// [`PoolError`] naming the invalid option.
pub fn new(options: PoolOptions) -> Result<MemPool, PoolError> {
    MemPool::new_in(options)
}

/// [`crate::MemPool::with_buffer`] with the reference engine.
///
/// # Errors
/// [`PoolError`] naming the invalid option.
pub fn with_buffer<B: AsRef<[u8]> + AsMut<[u8]>>(
    buf: B,
    options: PoolOptions,
) -> Result<MemPool<B>, PoolError> {
    MemPool::with_buffer_in(buf, options)
}

/// [`crate::MemPool::attach`] with the reference engine (nothing is checked beyond the
/// state words, no index is built).
///
/// # Errors
/// As [`crate::MemPool::attach`].
pub fn attach<B: AsRef<[u8]> + AsMut<[u8]>>(buf: B, start: u32) -> Result<MemPool<B>, PoolError> {
    MemPool::attach_in(buf, start)
}

/// The seed's operations on the buffer (list walks).
impl<S: AsRef<[u8]> + AsMut<[u8]>> Heap<S> {
    /// Both lists empty, `top` back to the first block (the seed's `freeAll`, SPEC §4.9).
    pub(crate) fn reset(&mut self) -> Result<(), Fault> {
        let top = self.initial_top()?;
        self.set_free_head(0u32)?;
        self.set_used_head(0u32)?;
        self.set_top(top)
    }

    /// First fit in address order, else a new block at `top` (SPEC §4.1).
    pub(crate) fn malloc(&mut self, bytes: u32) -> Result<Option<u32>, Fault> {
        if bytes == 0 {
            return Ok(None);
        }
        let padded = padded(bytes, self.align()?);
        let end = u64::from(self.end()?);
        let top = u64::from(self.top()?);
        let mut steps = Steps::new(self);
        let mut block = self.free_head()?;
        let mut prev = 0;
        while block != 0 {
            steps.step()?;
            let size = self.size(block)?;
            let is_top = u64::from(block) + u64::from(size) >= top;
            if is_top || u64::from(size) >= padded {
                return self.take_free(block, prev, size, padded, is_top);
            }
            prev = block;
            block = self.next(block)?;
        }
        if top + padded <= end {
            let used = self.used_head()?;
            self.init_block(top, padded, u64::from(used))?;
            self.set_used_head(top)?;
            self.set_top(top + padded)?;
            return Ok(Some(to_u32(data_addr(to_u32(top)?))?));
        }
        Ok(None)
    }

    /// Takes free block `block` (predecessor `prev`) for a `padded`-byte request: the seed's
    /// `mallocTop` (SPEC §4.1, step 3).
    fn take_free(
        &mut self,
        block: u32,
        prev: u32,
        size: u32,
        padded: u64,
        is_top: bool,
    ) -> Result<Option<u32>, Fault> {
        if is_top && u64::from(block) + padded > u64::from(self.end()?) {
            return Ok(None);
        }
        if prev != 0 {
            self.unlink(prev, block)?;
        } else {
            let next = self.next(block)?;
            self.set_free_head(u64::from(next))?;
        }
        let used = self.used_head()?;
        self.set_next(u64::from(block), u64::from(used))?;
        self.set_used_head(u64::from(block))?;
        if is_top {
            self.set_size(u64::from(block), padded)?;
            self.set_top(u64::from(block) + padded)?;
        } else if self.split_on()? {
            let excess = u64::from(size) - padded;
            if excess >= u64::from(self.min_split()?) {
                self.split_block(block, to_u32(padded)?, to_u32(excess)?)?;
            }
        }
        Ok(Some(to_u32(data_addr(block))?))
    }

    /// Finds the used block with data address `ptr`: `(predecessor, block)`.
    fn find_used(&self, ptr: u32) -> Result<Option<(u32, u32)>, Fault> {
        let Some(target) = block_addr(ptr) else {
            return Ok(None);
        };
        let mut steps = Steps::new(self);
        let mut block = self.used_head()?;
        let mut prev = 0;
        while block != 0 {
            steps.step()?;
            if block == target {
                return Ok(Some((prev, block)));
            }
            prev = block;
            block = self.next(block)?;
        }
        Ok(None)
    }

    /// Moves a used block to the free list, then compacts (SPEC §4.3).
    pub(crate) fn free(&mut self, ptr: u32) -> Result<bool, Fault> {
        let Some((prev, block)) = self.find_used(ptr)? else {
            return Ok(false);
        };
        if prev != 0 {
            self.unlink(prev, block)?;
        } else {
            let next = self.next(block)?;
            self.set_used_head(u64::from(next))?;
        }
        self.insert_free(block)?;
        if self.compact_on()? {
            self.compact()?;
        }
        Ok(true)
    }

    /// Shrinks or grows in place, else moves (SPEC §4.7, with B1–B3 fixed as §6 says).
    pub(crate) fn realloc(&mut self, ptr: u32, bytes: u32) -> Result<Option<u32>, Fault> {
        if bytes == 0 {
            return Ok(None);
        }
        let Some((_, block)) = self.find_used(ptr)? else {
            return Ok(None);
        };
        let size = self.size(block)?;
        let block_end = u64::from(block) + u64::from(size);
        let is_top = block_end >= u64::from(self.top()?);
        let padded = padded(bytes, self.align()?);
        let at = u64::from(block);
        if padded <= u64::from(size) {
            let excess = u64::from(size) - padded;
            if self.split_on()? && excess >= u64::from(self.min_split()?) {
                self.split_block(block, to_u32(padded)?, to_u32(excess)?)?;
            } else if is_top {
                // B2 fixed: the seed lowers top but leaves the old size word.
                self.set_size(at, padded)?;
                self.set_top(at + padded)?;
            }
            return Ok(Some(ptr));
        }
        if is_top && at + padded < u64::from(self.end()?) {
            self.set_size(at, padded)?;
            self.set_top(at + padded)?;
            return Ok(Some(ptr));
        }
        // B1/B3 fixed: allocate first (the old block stays put), copy, then free the old one.
        let Some(new) = self.malloc(bytes)? else {
            return Ok(None);
        };
        self.copy_payload(block, block_end, new)?;
        self.free(ptr)?;
        Ok(Some(new))
    }

    /// Unlinks `block`, whose predecessor in its list is `prev`, by pointing `prev` past it
    /// (the seed's `unlinkBlock`).
    fn unlink(&mut self, prev: u32, block: u32) -> Result<(), Fault> {
        let next = self.next(block)?;
        self.set_next(u64::from(prev), u64::from(next))
    }

    /// Inserts `block` into the free list before the first block at an address >= its own
    /// (the seed's `insert`, SPEC §4.6).
    fn insert_free(&mut self, block: u32) -> Result<(), Fault> {
        let mut steps = Steps::new(self);
        let mut ptr = self.free_head()?;
        let mut prev = 0;
        while ptr != 0 {
            steps.step()?;
            if block <= ptr {
                break;
            }
            prev = ptr;
            ptr = self.next(ptr)?;
        }
        if prev != 0 {
            self.set_next(u64::from(prev), u64::from(block))?;
        } else {
            self.set_free_head(u64::from(block))?;
        }
        self.set_next(u64::from(block), u64::from(ptr))
    }

    /// Merges every run of address-adjacent free blocks into its first block, then gives a
    /// free block that reaches `top` back to `top` (the seed's `compact`, SPEC §4.4).
    ///
    /// Byte-level detail kept from the seed: the merged blocks after the first get their
    /// next-pointer word zeroed (their size words are left as they were); a block given back
    /// to top keeps its next word, and the walk carries on from it.
    fn compact(&mut self) -> Result<(), Fault> {
        let mut steps = Steps::new(self);
        let mut block = self.free_head()?;
        let mut prev = 0;
        while block != 0 {
            steps.step()?;
            let mut scan_prev = block;
            let mut scan = self.next(block)?;
            while scan != 0 && self.block_end(scan_prev)? == u64::from(scan) {
                steps.step()?;
                scan_prev = scan;
                scan = self.next(scan)?;
            }
            if scan_prev != block {
                let merged =
                    u64::from(scan_prev) - u64::from(block) + u64::from(self.size(scan_prev)?);
                self.set_size(u64::from(block), merged)?;
                let next = self.next(scan_prev)?;
                let mut tmp = self.next(block)?;
                while tmp != 0 && tmp != next {
                    steps.step()?;
                    let tn = self.next(tmp)?;
                    self.set_next(u64::from(tmp), 0u32)?;
                    tmp = tn;
                }
                self.set_next(u64::from(block), u64::from(next))?;
            }
            if self.block_end(block)? >= u64::from(self.top()?) {
                self.set_top(u64::from(block))?;
                if prev != 0 {
                    self.unlink(prev, block)?;
                } else {
                    let next = self.next(block)?;
                    self.set_free_head(u64::from(next))?;
                }
            }
            prev = block;
            block = self.next(block)?;
        }
        Ok(())
    }

    /// Makes `block` `size` bytes long and turns its remaining `excess` bytes into a new free
    /// block, then compacts when the pool does (the seed's `splitBlock`, SPEC §4.5).
    fn split_block(&mut self, block: u32, size: u32, excess: u32) -> Result<(), Fault> {
        self.set_size(u64::from(block), u64::from(size))?;
        let rest = u64::from(block) + u64::from(size);
        self.init_block(rest, u64::from(excess), 0)?;
        self.insert_free(to_u32(rest)?)?;
        if self.compact_on()? {
            self.compact()?;
        }
        Ok(())
    }
}
