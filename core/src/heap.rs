//! The heap: [`Heap`], a view of a pool's buffer with named, checked accessors for everything
//! the pool keeps in it (the state words and the block headers), and the blocks of its lists
//! ([`Block`], walked by [`Blocks`]). No other module reads or writes the buffer's words.
//!
//! Every access is bounds-checked and every stored value is checked to fit a `u32`; a failed
//! access is a [`Fault`], never a panic. On a heap that passes [`crate::MemPool::check`] no
//! access faults; faults can only come from corrupt or hostile bytes given to
//! [`crate::MemPool::attach`], and then they make the operation fail safely.

use crate::layout::{
    data_addr, BLOCK_HEADER, BLOCK_NEXT, BLOCK_SIZE, FLAG_COMPACT, FLAG_SPLIT, STATE_ALIGN,
    STATE_END, STATE_FLAGS, STATE_FREE, STATE_MIN_SPLIT, STATE_TOP, STATE_USED,
};

/// Why an access to the buffer could not be done. Only corrupt heaps produce faults.
///
/// Every accessor returns `Result<T, Fault>`, spelled out rather than behind an alias so that
/// cargo-mutants (fuzz/mutants.sh) sees a `Result` and mutates it into `Ok(..)` / `Err(..)`.
/// No payload: nothing reads one, and a fieldless error keeps `Result<u32, Fault>` in one
/// register, which the fast engine's hot paths return by the dozen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// A word lies (partly) outside the buffer.
    OutOfBounds,
    /// A value to be stored does not fit a `u32`.
    Overflow,
    /// A list walk took more steps than the buffer can hold blocks: the list has a cycle.
    Unbounded,
}

// `header` and `set_header` read and write a whole header at once: size first, then next.
const _: () = assert!(BLOCK_SIZE == 0 && BLOCK_NEXT == 4 && BLOCK_HEADER == 8);

/// `v` as a `u32`, or [`Fault::Overflow`]: how every address or size computed in `u64` is
/// narrowed back to a buffer word.
pub(crate) fn to_u32(v: u64) -> Result<u32, Fault> {
    u32::try_from(v).map_err(|_| Fault::Overflow)
}

/// A view of a pool's buffer: the state at `start` and the blocks it describes.
///
/// `S` is `&[u8]` for read-only work and `&mut [u8]` for operations.
pub struct Heap<S> {
    buf: S,
    start: u32,
}

impl<S: AsRef<[u8]>> Heap<S> {
    /// Views `buf` with the state words at `start`.
    pub(crate) fn new(buf: S, start: u32) -> Self {
        Self { buf, start }
    }

    /// The whole buffer.
    pub(crate) fn bytes(&self) -> &[u8] {
        self.buf.as_ref()
    }

    /// Address of the state block.
    pub(crate) fn start(&self) -> u32 {
        self.start
    }

    /// The most steps any list walk may take: no list can hold more blocks than the buffer
    /// has 8-byte slots.
    pub(crate) fn walk_limit(&self) -> u64 {
        self.bytes().len() as u64 / u64::from(BLOCK_HEADER) + 1
    }

    /// Reads the little-endian word at `addr`.
    pub(crate) fn word(&self, addr: u64) -> Result<u32, Fault> {
        let i = usize::try_from(addr).map_err(|_| Fault::OutOfBounds)?;
        let bytes = self
            .bytes()
            .get(i..i.checked_add(4).ok_or(Fault::OutOfBounds)?)
            .ok_or(Fault::OutOfBounds)?;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    fn state(&self, offset: u32) -> Result<u32, Fault> {
        self.word(u64::from(self.start) + u64::from(offset))
    }

    /// First free block (0 = none).
    pub(crate) fn free_head(&self) -> Result<u32, Fault> {
        self.state(STATE_FREE)
    }
    /// First used block (0 = none).
    pub(crate) fn used_head(&self) -> Result<u32, Fault> {
        self.state(STATE_USED)
    }
    /// First address never handed out.
    pub(crate) fn top(&self) -> Result<u32, Fault> {
        self.state(STATE_TOP)
    }
    /// One past the last usable byte.
    pub(crate) fn end(&self) -> Result<u32, Fault> {
        self.state(STATE_END)
    }
    /// Block alignment.
    pub(crate) fn align(&self) -> Result<u32, Fault> {
        self.state(STATE_ALIGN)
    }
    /// The raw flags word.
    pub(crate) fn flags(&self) -> Result<u32, Fault> {
        self.state(STATE_FLAGS)
    }
    /// Whether free neighbours are coalesced.
    pub(crate) fn compact_on(&self) -> Result<bool, Fault> {
        Ok(self.flags()? & FLAG_COMPACT != 0)
    }
    /// Whether oversized blocks are split.
    pub(crate) fn split_on(&self) -> Result<bool, Fault> {
        Ok(self.flags()? & FLAG_SPLIT != 0)
    }
    /// Split threshold.
    pub(crate) fn min_split(&self) -> Result<u32, Fault> {
        self.state(STATE_MIN_SPLIT)
    }
    /// The first block address, derived from `start` and `align` as the seed does.
    pub(crate) fn initial_top(&self) -> Result<u64, Fault> {
        Ok(crate::layout::initial_top(self.start, self.align()?))
    }

    /// Size (header included) of the block at `block`.
    pub(crate) fn size(&self, block: u32) -> Result<u32, Fault> {
        self.word(u64::from(block) + u64::from(BLOCK_SIZE))
    }
    /// Next block in the list that holds `block` (0 = end).
    pub(crate) fn next(&self, block: u32) -> Result<u32, Fault> {
        self.word(u64::from(block) + u64::from(BLOCK_NEXT))
    }
    /// The header of the block at `block`, `(size, next)`, read with one bounds check.
    pub(crate) fn header(&self, block: u32) -> Result<(u32, u32), Fault> {
        let i = usize::try_from(block).map_err(|_| Fault::OutOfBounds)?;
        let h: [u8; 8] = self
            .bytes()
            .get(i..i.checked_add(8).ok_or(Fault::OutOfBounds)?)
            .and_then(|h| h.try_into().ok())
            .ok_or(Fault::OutOfBounds)?;
        Ok((
            u32::from_le_bytes([h[0], h[1], h[2], h[3]]),
            u32::from_le_bytes([h[4], h[5], h[6], h[7]]),
        ))
    }
    /// One past the last byte of the block at `block`.
    pub(crate) fn block_end(&self, block: u32) -> Result<u64, Fault> {
        Ok(u64::from(block) + u64::from(self.size(block)?))
    }
}

impl<S: AsRef<[u8]> + AsMut<[u8]>> Heap<S> {
    /// The whole buffer, writable.
    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        self.buf.as_mut()
    }

    /// Writes `value` as the little-endian word at `addr`; the value must fit a `u32`.
    pub(crate) fn set_word(&mut self, addr: u64, value: u64) -> Result<(), Fault> {
        let v = to_u32(value)?;
        let i = usize::try_from(addr).map_err(|_| Fault::OutOfBounds)?;
        let slot = self
            .bytes_mut()
            .get_mut(i..i.checked_add(4).ok_or(Fault::OutOfBounds)?)
            .ok_or(Fault::OutOfBounds)?;
        slot.copy_from_slice(&v.to_le_bytes());
        Ok(())
    }

    fn set_state(&mut self, offset: u32, value: u64) -> Result<(), Fault> {
        self.set_word(u64::from(self.start) + u64::from(offset), value)
    }

    /// Sets the first free block.
    pub(crate) fn set_free_head(&mut self, block: impl Into<u64>) -> Result<(), Fault> {
        self.set_state(STATE_FREE, block.into())
    }
    /// Sets the first used block.
    pub(crate) fn set_used_head(&mut self, block: impl Into<u64>) -> Result<(), Fault> {
        self.set_state(STATE_USED, block.into())
    }
    /// Sets `top`.
    pub(crate) fn set_top(&mut self, top: impl Into<u64>) -> Result<(), Fault> {
        self.set_state(STATE_TOP, top.into())
    }
    /// Sets `end`.
    pub(crate) fn set_end(&mut self, end: impl Into<u64>) -> Result<(), Fault> {
        self.set_state(STATE_END, end.into())
    }
    /// Sets `align`.
    pub(crate) fn set_align(&mut self, align: u32) -> Result<(), Fault> {
        self.set_state(STATE_ALIGN, u64::from(align))
    }
    /// Sets or clears the two flag bits exactly as the seed's setters do (`|=` / `&= ~`),
    /// leaving any other bits of the word as they were.
    pub(crate) fn set_flags(&mut self, compact: bool, split: bool) -> Result<(), Fault> {
        let mut flags = self.flags()?;
        for (on, bit) in [(compact, FLAG_COMPACT), (split, FLAG_SPLIT)] {
            if on {
                flags |= bit;
            } else {
                flags &= !bit;
            }
        }
        self.set_state(STATE_FLAGS, u64::from(flags))
    }
    /// Sets the split threshold.
    pub(crate) fn set_min_split(&mut self, min_split: u32) -> Result<(), Fault> {
        self.set_state(STATE_MIN_SPLIT, u64::from(min_split))
    }

    /// Sets the size word of the block at `block`.
    pub(crate) fn set_size(
        &mut self,
        block: impl Into<u64>,
        size: impl Into<u64>,
    ) -> Result<(), Fault> {
        self.set_word(block.into() + u64::from(BLOCK_SIZE), size.into())
    }
    /// Sets the next-pointer word of the block at `block`.
    pub(crate) fn set_next(
        &mut self,
        block: impl Into<u64>,
        next: impl Into<u64>,
    ) -> Result<(), Fault> {
        self.set_word(block.into() + u64::from(BLOCK_NEXT), next.into())
    }

    /// Writes the whole header of the block at `block` (size, then next) with one bounds
    /// check: the fast engine's `initBlock`.
    pub(crate) fn set_header(&mut self, block: u32, size: u32, next: u32) -> Result<(), Fault> {
        let i = usize::try_from(block).map_err(|_| Fault::OutOfBounds)?;
        let slot = self
            .bytes_mut()
            .get_mut(i..i.checked_add(8).ok_or(Fault::OutOfBounds)?)
            .ok_or(Fault::OutOfBounds)?;
        slot[..4].copy_from_slice(&size.to_le_bytes());
        slot[4..].copy_from_slice(&next.to_le_bytes());
        Ok(())
    }

    /// Copies the payload of the block at `block` (which ends at `block_end`) to data address
    /// `to`: the `size - 8` bytes a moving realloc carries over.
    pub(crate) fn copy_payload(
        &mut self,
        block: u32,
        block_end: u64,
        to: u32,
    ) -> Result<(), Fault> {
        let from = u64::from(block) + u64::from(BLOCK_HEADER);
        let len = block_end.saturating_sub(from);
        let fits = |a: u64| a + len <= self.bytes().len() as u64;
        if block_end < from || !fits(from) || !fits(u64::from(to)) {
            return Err(Fault::OutOfBounds);
        }
        // All three bounds were checked against the buffer length, a usize.
        let (from, len, to) = (from as usize, len as usize, to as usize);
        self.bytes_mut().copy_within(from..from + len, to);
        Ok(())
    }

    /// Writes a whole header (the seed's `initBlock`).
    pub(crate) fn init_block(&mut self, block: u64, size: u64, next: u64) -> Result<(), Fault> {
        self.set_size(block, size)?;
        self.set_next(block, next)
    }
}

/// Counts the steps of one list walk and faults when a walk cannot end.
pub(crate) struct Steps {
    left: u64,
}

impl Steps {
    /// A budget for one walk over `heap`.
    pub(crate) fn new<S: AsRef<[u8]>>(heap: &Heap<S>) -> Self {
        Self {
            left: heap.walk_limit(),
        }
    }

    /// Takes one step; faults once the budget is spent.
    pub(crate) fn step(&mut self) -> Result<(), Fault> {
        self.left = self.left.checked_sub(1).ok_or(Fault::Unbounded)?;
        Ok(())
    }
}

/// One block of a list, as [`crate::MemPool::used_blocks`] and [`crate::MemPool::free_blocks`]
/// yield it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Block {
    /// Block address (the header's address).
    pub addr: u32,
    /// Size in bytes, header included.
    pub size: u32,
}

impl Block {
    /// The data address callers see: `addr + 8`.
    #[must_use]
    pub fn data(&self) -> u64 {
        data_addr(self.addr)
    }

    /// One past the block's last byte.
    #[must_use]
    pub fn end(&self) -> u64 {
        u64::from(self.addr) + u64::from(self.size)
    }
}

/// Iterator over one of the pool's lists, in list order. The walk is bounded: on a corrupt
/// heap it stops at the first unreadable header or after as many steps as the buffer can
/// hold blocks.
pub struct Blocks<'a> {
    heap: Heap<&'a [u8]>,
    next: u32,
    steps: Steps,
}

impl<'a> Blocks<'a> {
    /// The list of `heap` that starts at `head` (an unreadable head gives an empty list).
    pub(crate) fn new(heap: Heap<&'a [u8]>, head: Result<u32, Fault>) -> Self {
        let steps = Steps::new(&heap);
        Blocks {
            heap,
            next: head.unwrap_or(0),
            steps,
        }
    }
}

impl Iterator for Blocks<'_> {
    type Item = Block;

    fn next(&mut self) -> Option<Block> {
        if self.next == 0 || self.steps.step().is_err() {
            return None;
        }
        let addr = self.next;
        let size = self.heap.size(addr).ok()?;
        self.next = self.heap.next(addr).unwrap_or(0);
        Some(Block { addr, size })
    }
}
