//! [`MemPool`]: the allocator, its constructors, its operations and accessors, and its heap
//! checker [`MemPool::check`]. Every operation dispatches to the fast engine's index
//! (`fast.rs`) when the pool has one, else to the reference engine's list walks
//! (`reference.rs`); both write the same bytes, following the seed's rules as `core/SPEC.md`
//! states them.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::buffer::AlignedBuf;
use crate::check::{check_heap, diagnose_heap, Diagnosis, Violation};
use crate::engine::{Engine, Fast};
use crate::fast::{Index, State};
use crate::heap::{Block, Blocks, Fault, Heap};
use crate::layout::{block_addr, initial_top};
use crate::options::{max_end, resolve_start, valid_align, PoolError, PoolOptions};
use crate::stats::{ListStats, Stats};

static POOL_IDS: AtomicU64 = AtomicU64::new(1);

/// A first-fit, address-ordered free-list allocator whose whole state lives in its buffer,
/// byte-compatible with @thi.ng/malloc's `MemPool`.
///
/// Addresses are `u32` offsets into the buffer; a data address is never 0, so failure is
/// `None` (the seed returns 0). No method panics, whatever its arguments or the buffer's
/// contents.
///
/// `B` is the backing store: the default [`AlignedBuf`] (owned, zeroed, 8-byte aligned), a
/// `Vec<u8>`, a borrowed `&mut [u8]`, or anything `AsRef<[u8]> + AsMut<[u8]>`.
///
/// `E` is the search engine: [`Fast`] (default, binary searches and short scans through a
/// host-side index) or [`crate::engine::Reference`] (the seed's list walks, O(n); see
/// [`crate::reference::MemPool`]). Both leave identical bytes in the buffer.
pub struct MemPool<B = AlignedBuf, E: Engine = Fast> {
    buf: B,
    start: u32,
    id: u64,
    engine: E,
}

impl MemPool<AlignedBuf, Fast> {
    /// A pool over a new zeroed buffer of `options.size` bytes.
    ///
    /// # Errors
    /// [`PoolError`] naming the invalid option.
    pub fn new(options: PoolOptions) -> Result<Self, PoolError> {
        Self::new_in(options)
    }
}

impl<B: AsRef<[u8]> + AsMut<[u8]>> MemPool<B, Fast> {
    /// A pool over the caller's buffer, initialised as the seed's constructor does: only the
    /// seven state words are written. `options.size` is ignored.
    ///
    /// # Errors
    /// [`PoolError`] naming the invalid option.
    pub fn with_buffer(buf: B, options: PoolOptions) -> Result<Self, PoolError> {
        Self::with_buffer_in(buf, options)
    }

    /// Opens a buffer that another pool (Rust or JavaScript) initialised with its state at
    /// `start` (the seed's `skipInitialization`). Nothing is written.
    ///
    /// The state words are validated, then [`MemPool::check`] runs to build the fast index
    /// in O(n log n); a heap that fails the check is served by the reference walks. On any
    /// bytes that pass the state validation, every operation stays memory-safe and
    /// terminates.
    ///
    /// # Errors
    /// [`PoolError::CorruptState`] naming the state word and its value, or
    /// [`PoolError::StartOutOfRange`] / [`PoolError::BufferTooLarge`].
    pub fn attach(buf: B, start: u32) -> Result<Self, PoolError> {
        Self::attach_in(buf, start)
    }
}

impl<E: Engine> MemPool<AlignedBuf, E> {
    /// [`MemPool::new`] for any engine, for code generic over engines:
    /// `MemPool::<AlignedBuf, Reference>::with_engine(options)`.
    ///
    /// # Errors
    /// [`PoolError`] naming the invalid option.
    pub fn with_engine(options: PoolOptions) -> Result<Self, PoolError> {
        Self::new_in(options)
    }

    /// [`MemPool::new`] for any engine.
    pub(crate) fn new_in(options: PoolOptions) -> Result<Self, PoolError> {
        max_end(options.size)?;
        // Validate before allocating, so a bad option never costs a large buffer.
        options.resolve(options.size)?;
        Self::with_buffer_in(AlignedBuf::zeroed(options.size), options)
    }
}

impl<B: AsRef<[u8]> + AsMut<[u8]>, E: Engine> MemPool<B, E> {
    /// [`MemPool::with_buffer`] for any engine.
    pub(crate) fn with_buffer_in(mut buf: B, options: PoolOptions) -> Result<Self, PoolError> {
        let r = options.resolve(buf.as_ref().len())?;
        let mut heap = Heap::new(buf.as_mut(), r.start);
        // The seed's constructor writes the words in this order.
        let written = (|| -> Result<(), Fault> {
            heap.set_align(r.align)?;
            heap.set_flags(options.compact, options.split)?;
            heap.set_min_split(options.min_split)?;
            heap.set_end(r.end)?;
            heap.set_top(r.initial_top)?;
            heap.set_free_head(0u32)?;
            heap.set_used_head(0u32)
        })();
        // resolve() checked that the state block fits, so the writes cannot fault.
        debug_assert!(written.is_ok());
        let engine = E::fresh(&Heap::new(buf.as_ref(), r.start));
        Ok(Self::from_parts(buf, r.start, engine))
    }

    /// [`MemPool::attach`] for any engine.
    pub(crate) fn attach_in(buf: B, start: u32) -> Result<Self, PoolError> {
        let len = buf.as_ref().len();
        let max_end = max_end(len)?;
        let start = resolve_start(start, len)?;
        let heap = Heap::new(buf.as_ref(), start);
        let corrupt = |word, value, reason: String| PoolError::CorruptState {
            start,
            word,
            value,
            reason,
        };
        let read = |r: Result<u32, Fault>| r.unwrap_or(0);
        let align = read(heap.align());
        if !valid_align(align) {
            return Err(corrupt("align", align, "is not a power of two >= 8".into()));
        }
        let end = read(heap.end());
        if end > max_end {
            return Err(corrupt(
                "end",
                end,
                format!("lies beyond the buffer ({len} bytes)"),
            ));
        }
        let first = initial_top(start, align);
        if first >= u64::from(end) {
            return Err(corrupt(
                "end",
                end,
                format!("leaves no room for the first block at {first:#x}"),
            ));
        }
        let top = read(heap.top());
        if u64::from(top) < first || top > end {
            return Err(corrupt(
                "top",
                top,
                format!("is outside [{first:#x}, end {end:#x}]"),
            ));
        }
        let min_split = read(heap.min_split());
        if min_split <= 8 {
            return Err(corrupt(
                "minSplit",
                min_split,
                "is not greater than 8".into(),
            ));
        }
        for (word, head) in [("free", heap.free_head()), ("used", heap.used_head())] {
            let head = read(head);
            if head != 0 && (u64::from(head) < first || head >= top) {
                return Err(corrupt(
                    word,
                    head,
                    format!("is neither 0 nor a block in [{first:#x}, top {top:#x})"),
                ));
            }
        }
        let engine = E::attach(&Heap::new(buf.as_ref(), start));
        Ok(Self::from_parts(buf, start, engine))
    }

    fn from_parts(buf: B, start: u32, engine: E) -> Self {
        Self {
            buf,
            start,
            id: POOL_IDS.fetch_add(1, Ordering::Relaxed),
            engine,
        }
    }

    /// Runs `op` on the fast index when there is one, else `reference` on the heap. A fault
    /// (only possible on a corrupt heap) drops the index for good.
    fn dispatch<T>(
        &mut self,
        op: impl FnOnce(&mut Index, &mut Heap<&mut [u8]>) -> Result<T, Fault>,
        reference: impl FnOnce(&mut Heap<&mut [u8]>) -> Result<T, Fault>,
    ) -> Result<T, Fault> {
        let mut heap = Heap::new(self.buf.as_mut(), self.start);
        let Some(index) = self.engine.index_mut() else {
            return reference(&mut heap);
        };
        let result = op(index, &mut heap);
        if result.is_err() {
            self.engine.drop_index();
        }
        result
    }

    /// Whether operations run on the fast engine's index (false for the reference engine, and
    /// for a heap that failed [`MemPool::check`] when attached or faulted since).
    #[must_use]
    pub fn is_indexed(&self) -> bool {
        self.engine.index().is_some()
    }

    /// Bytes of host memory the engine's index holds (0 for the reference engine): what it
    /// has allocated, capacities and not lengths.
    #[must_use]
    pub fn index_bytes(&self) -> usize {
        self.engine.index().map_or(0, Index::heap_bytes)
    }

    /// The size of the largest block on the free list (0 when it is empty). O(1) with the
    /// fast engine; a list walk otherwise.
    #[must_use]
    pub fn largest_free(&self) -> u32 {
        match self.engine.index() {
            Some(index) => index.largest_free(),
            None => self.free_blocks().map(|b| b.size).max().unwrap_or(0),
        }
    }

    pub(crate) fn heap(&self) -> Heap<&[u8]> {
        Heap::new(self.buf.as_ref(), self.start)
    }

    /// `len` bytes of the buffer from `start`, writable (crate-internal: callers reach only
    /// blocks they own).
    pub(crate) fn bytes_mut_range(&mut self, start: usize, len: usize) -> Option<&mut [u8]> {
        self.buf.as_mut().get_mut(start..start.checked_add(len)?)
    }

    /// Identity of this pool, used to refuse typed blocks of other pools.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// Allocates a block for `size` bytes and returns its data address (a multiple of
    /// `align`), or `None` when `size` is 0 or no block fits. The block's bytes are left as
    /// they were.
    pub fn malloc(&mut self, size: u32) -> Option<u32> {
        self.dispatch(|ix, h| ix.malloc(h, size), |h| h.malloc(size))
            .ok()
            .flatten()
    }

    /// [`MemPool::malloc`], then sets the first `size` bytes of the block to `fill`.
    pub fn calloc(&mut self, size: u32, fill: u8) -> Option<u32> {
        let addr = self.malloc(size)?;
        self.bytes_mut_range(addr as usize, size as usize)?
            .fill(fill);
        Some(addr)
    }

    /// Resizes the block at data address `addr` to `size` bytes and returns its (possibly
    /// new) data address.
    ///
    /// Shrinking keeps the address (and splits the tail off when `split` allows); growing
    /// stays in place when the block is the last before `top` and `block + padded < end`;
    /// otherwise the block moves: a new block is taken by the same first fit as
    /// [`MemPool::malloc`], the old block's whole payload is copied over, and the old block is
    /// freed. `None` when `size` is 0, `addr` is not an allocated block, or no block fits; on
    /// failure nothing changes.
    pub fn realloc(&mut self, addr: u32, size: u32) -> Option<u32> {
        self.dispatch(|ix, h| ix.realloc(h, addr, size), |h| h.realloc(addr, size))
            .ok()
            .flatten()
    }

    /// Frees the block at data address `addr`; `false` (and no change) when `addr` is not
    /// currently allocated: never allocated, already freed, or any other address.
    pub fn free(&mut self, addr: u32) -> bool {
        self.dispatch(|ix, h| ix.free(h, addr), |h| h.free(addr))
            .unwrap_or(false)
    }

    /// Frees every block at once: both lists empty, `top` back to its initial value. Data
    /// bytes are left as they are.
    pub fn free_all(&mut self) {
        // The state words were validated, so the reset cannot fault; if it did, the state
        // would stay as it was.
        let _ = self.dispatch(
            |ix, h| {
                h.reset()?;
                ix.clear(h.top()?);
                Ok(())
            },
            |h| h.reset(),
        );
    }

    /// The seed's `stats()`. On a corrupt heap the lists are counted up to the first
    /// unreadable header.
    #[must_use]
    pub fn stats(&self) -> Stats {
        let count = |blocks: Blocks<'_>| {
            blocks.fold(ListStats::default(), |s, b| ListStats {
                count: s.count + 1,
                size: s.size + u64::from(b.size),
            })
        };
        let (free, used) = match self.engine.index() {
            Some(index) => index.lists(),
            None => (count(self.free_blocks()), count(self.used_blocks())),
        };
        let top = self.top();
        Stats {
            free,
            used,
            top,
            available: u64::from(self.end()).saturating_sub(u64::from(top)) + free.size,
            total: self.buf.as_ref().len() as u64,
        }
    }

    /// The used list, newest block first.
    #[must_use]
    pub fn used_blocks(&self) -> Blocks<'_> {
        self.list(self.heap().used_head())
    }

    /// The free list, in address order.
    #[must_use]
    pub fn free_blocks(&self) -> Blocks<'_> {
        self.list(self.heap().free_head())
    }

    fn list(&self, head: Result<u32, Fault>) -> Blocks<'_> {
        Blocks::new(self.heap(), head)
    }

    /// Checks every heap invariant (see the [`check`](crate::check) module) with a bounded
    /// walk and reports the first one broken. Works on any buffer, including one written by
    /// JavaScript and opened with [`MemPool::attach`]. O(n log n) in the number of blocks.
    ///
    /// # Errors
    /// The [`Violation`] found, naming the invariant and the addresses.
    pub fn check(&self) -> Result<(), Violation> {
        check_heap(&self.heap())
    }

    /// Checks every heap invariant like [`MemPool::check`], but goes on past a violation
    /// wherever the structure still allows it and reports every one found, in address order,
    /// with the parts it could not examine (see the [`check`](crate::check) module for how
    /// far each walk goes). Never panics; its walks are bounded, so it ends on any bytes.
    /// O(n log n) in the number of blocks.
    ///
    /// ```
    /// use mempool::{MemPool, PoolOptions};
    ///
    /// let mut pool = MemPool::with_buffer(vec![0u8; 256], PoolOptions::default()).unwrap();
    /// let a = pool.malloc(16).unwrap();
    /// pool.malloc(16).unwrap();
    /// assert!(pool.check_all().is_sound());
    /// let mut bytes = pool.into_inner();
    /// let block = (a - 8) as usize;
    /// bytes[block..block + 4].copy_from_slice(&20u32.to_le_bytes()); // not a multiple of 8
    /// let d = MemPool::attach(bytes, 0).unwrap().check_all();
    /// assert_eq!(d.invariants(), [5, 7]); // misaligned, and the heap no longer adds up
    /// ```
    #[must_use]
    pub fn check_all(&self) -> Diagnosis {
        diagnose_heap(&self.heap())
    }

    /// The allocated block whose data address is `addr`, if any.
    #[must_use]
    pub fn block(&self, addr: u32) -> Option<Block> {
        let target = block_addr(addr)?;
        match self.engine.index() {
            Some(index) if index.is_used(target) => Some(Block {
                addr: target,
                size: self.heap().size(target).ok()?,
            }),
            Some(_) => None,
            None => self.used_blocks().find(|b| b.addr == target),
        }
    }

    /// The payload of the allocated block at data address `addr`: all `size - 8` bytes of the
    /// block (at least the requested size). `None` when `addr` is not allocated.
    #[must_use]
    pub fn data(&self, addr: u32) -> Option<&[u8]> {
        let b = self.block(addr)?;
        self.buf
            .as_ref()
            .get(usize::try_from(b.data()).ok()?..usize::try_from(b.end()).ok()?)
    }

    /// The payload of the allocated block at `addr`, writable. `None` when not allocated.
    pub fn data_mut(&mut self, addr: u32) -> Option<&mut [u8]> {
        let b = self.block(addr)?;
        self.buf
            .as_mut()
            .get_mut(usize::try_from(b.data()).ok()?..usize::try_from(b.end()).ok()?)
    }

    /// The whole buffer, state words included (for example to hand it to JavaScript).
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        self.buf.as_ref()
    }

    /// Releases the pool and returns its buffer (the seed's `release`).
    #[must_use]
    pub fn into_inner(self) -> B {
        self.buf
    }

    /// Address of the state words (`start` rounded up to 4).
    #[must_use]
    pub fn start(&self) -> u32 {
        self.start
    }

    /// The state words as the fast engine keeps them, when it runs.
    fn state(&self) -> Option<&State> {
        self.engine.index().map(Index::state)
    }

    /// First address never handed out.
    #[must_use]
    pub fn top(&self) -> u32 {
        match self.state() {
            Some(st) => st.top,
            None => self.heap().top().unwrap_or(0),
        }
    }

    /// One past the last usable byte.
    #[must_use]
    pub fn end(&self) -> u32 {
        match self.state() {
            Some(st) => st.end,
            None => self.heap().end().unwrap_or(0),
        }
    }

    /// Block alignment.
    #[must_use]
    pub fn align(&self) -> u32 {
        match self.state() {
            Some(st) => st.align,
            None => self.heap().align().unwrap_or(0),
        }
    }

    /// Whether free neighbours are coalesced.
    #[must_use]
    pub fn compact(&self) -> bool {
        match self.state() {
            Some(st) => st.compact,
            None => self.heap().compact_on().unwrap_or(false),
        }
    }

    /// Whether oversized blocks are split.
    #[must_use]
    pub fn split(&self) -> bool {
        match self.state() {
            Some(st) => st.split,
            None => self.heap().split_on().unwrap_or(false),
        }
    }

    /// The split threshold.
    #[must_use]
    pub fn min_split(&self) -> u32 {
        match self.state() {
            Some(st) => st.min_split,
            None => self.heap().min_split().unwrap_or(0),
        }
    }

    /// Address of the first block: where `top` starts and returns to after
    /// [`MemPool::free_all`].
    #[must_use]
    pub fn initial_top(&self) -> u32 {
        self.heap()
            .initial_top()
            .ok()
            .and_then(|t| u32::try_from(t).ok())
            .unwrap_or(0)
    }

    /// The options this pool runs with, read back from its state words.
    #[must_use]
    pub fn options(&self) -> PoolOptions {
        PoolOptions {
            size: self.buf.as_ref().len(),
            start: self.start,
            end: Some(self.end()),
            align: self.align(),
            compact: self.compact(),
            split: self.split(),
            min_split: self.min_split(),
        }
    }
}

impl<B, E> std::fmt::Debug for MemPool<B, E>
where
    B: AsRef<[u8]> + AsMut<[u8]>,
    E: Engine,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemPool")
            .field("len", &self.buf.as_ref().len())
            .field("start", &self.start)
            .field("top", &self.top())
            .field("end", &self.end())
            .field("align", &self.align())
            .finish_non_exhaustive()
    }
}
