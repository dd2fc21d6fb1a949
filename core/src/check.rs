//! The heap checker behind [`crate::MemPool::check`] and the invariants it enforces. A leaf:
//! it reads the heap through `heap.rs`'s accessors and knows nothing of the pool or its engines.
//!
//! # Invariants
//!
//! On every heap the pool leaves behind (and on every heap @thi.ng/malloc leaves, bar its
//! bugs B2 and B4: `core/SPEC.md` §6), all of these hold; `check` verifies each and names
//! the first one broken:
//!
//! 1. **State**: the state block fits in the buffer; `align` is a power of two >= 8;
//!    `minSplit > 8`; `initialTop < end <= buffer length`; `initialTop <= top <= end`.
//! 2. **Bounds**: every block on either list lies inside `[initialTop, top)`, header and all:
//!    `initialTop <= block` and `block + size <= top`.
//! 3. **Termination**: both lists end (no cycle) within as many blocks as fit in the heap.
//! 4. **Order**: the free list is strictly increasing by address.
//! 5. **Alignment**: every block size is a nonzero multiple of `align` and every block address
//!    is `initialTop` plus a multiple of `align`, so every data address is aligned.
//! 6. **Disjointness**: no two blocks overlap and no block is on both lists.
//! 7. **Accounting**: the blocks of both lists tile the heap: `free.size + used.size ==
//!    top - initialTop` (with 6, no byte below `top` is lost or claimed twice), so the
//!    figures of [`crate::MemPool::stats`] agree with the lists.
//! 8. **Coalescing** (only with `compact` on): no two free blocks are adjacent, and no free
//!    block ends at `top` (it would have been given back to `top`).

use thiserror::Error;

use crate::heap::{Heap, Steps};
use crate::layout::{initial_top, STATE_BYTES};

/// Which list a block was found on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum List {
    /// The free list.
    Free,
    /// The used list.
    Used,
}

impl std::fmt::Display for List {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            List::Free => "free",
            List::Used => "used",
        })
    }
}

/// A broken heap invariant, naming the invariant (numbered as in this module's docs) and the
/// addresses involved.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Violation {
    /// Invariant 1: a state word is out of range.
    #[error("invariant 1 (state): `{word}` = {value:#x} {reason}")]
    State {
        /// The state word's name (`start`, `align`, `minSplit`, `end`, `top`).
        word: &'static str,
        /// Its value.
        value: u64,
        /// What is wrong.
        reason: String,
    },
    /// Invariant 2: a block lies outside `[initialTop, top)` or its header cannot be read.
    #[error("invariant 2 (bounds): {list} block {block:#x} (size {size:#x}) lies outside [{initial_top:#x}, top {top:#x})")]
    OutOfBounds {
        /// The list it is on.
        list: List,
        /// Block address.
        block: u32,
        /// Its size word (0 if unreadable).
        size: u32,
        /// Heap start.
        initial_top: u32,
        /// `top`.
        top: u32,
    },
    /// Invariant 3: a list does not end.
    #[error("invariant 3 (termination): the {list} list has a cycle: still going at block {block:#x} after {steps} blocks")]
    Cycle {
        /// The list.
        list: List,
        /// The block reached when the walk gave up.
        block: u32,
        /// Blocks walked.
        steps: u64,
    },
    /// Invariant 4: the free list is out of address order.
    #[error("invariant 4 (order): free block {block:#x} follows {prev:#x}")]
    Unordered {
        /// The earlier block in list order.
        prev: u32,
        /// The block that should have come first.
        block: u32,
    },
    /// Invariant 5: a block's size or address is not aligned.
    #[error("invariant 5 (alignment): {list} block {block:#x} has size {size:#x}; align is {align}, heap starts at {initial_top:#x}")]
    Misaligned {
        /// The list.
        list: List,
        /// Block address.
        block: u32,
        /// Its size.
        size: u32,
        /// The pool's alignment.
        align: u32,
        /// Heap start.
        initial_top: u32,
    },
    /// Invariant 6: two blocks overlap (or one block is on both lists).
    #[error("invariant 6 (disjointness): {first_list} block {first:#x}..{first_end:#x} overlaps {second_list} block {second:#x}")]
    Overlap {
        /// The lower block.
        first: u32,
        /// Its end.
        first_end: u64,
        /// Its list.
        first_list: List,
        /// The block starting inside it.
        second: u32,
        /// Its list.
        second_list: List,
    },
    /// Invariant 7: the blocks do not tile the heap.
    #[error("invariant 7 (accounting): free {free:#x} + used {used:#x} bytes != top {top:#x} - initialTop {initial_top:#x}")]
    Accounting {
        /// Bytes on the free list.
        free: u64,
        /// Bytes on the used list.
        used: u64,
        /// `top`.
        top: u32,
        /// Heap start.
        initial_top: u32,
    },
    /// Invariant 8: two free blocks touch while `compact` is on.
    #[error("invariant 8 (coalescing): free blocks {first:#x} and {second:#x} are adjacent with compact on")]
    Adjacent {
        /// The lower block.
        first: u32,
        /// The block right after it.
        second: u32,
    },
    /// Invariant 8: a free block ends at `top` while `compact` is on.
    #[error(
        "invariant 8 (coalescing): free block {block:#x} ends at top {top:#x} with compact on"
    )]
    FreeAtTop {
        /// The block.
        block: u32,
        /// `top`.
        top: u32,
    },
}

impl Violation {
    /// The number of the broken invariant (1–8, as in the module docs).
    #[must_use]
    pub fn invariant(&self) -> u8 {
        match self {
            Violation::State { .. } => 1,
            Violation::OutOfBounds { .. } => 2,
            Violation::Cycle { .. } => 3,
            Violation::Unordered { .. } => 4,
            Violation::Misaligned { .. } => 5,
            Violation::Overlap { .. } => 6,
            Violation::Accounting { .. } => 7,
            Violation::Adjacent { .. } | Violation::FreeAtTop { .. } => 8,
        }
    }
}

/// The state words, checked (invariant 1).
struct State {
    top: u32,
    initial_top: u32,
    align: u32,
    compact: bool,
}

fn state_word(word: &'static str, value: u64, reason: impl Into<String>) -> Violation {
    Violation::State {
        word,
        value,
        reason: reason.into(),
    }
}

fn check_state<S: AsRef<[u8]>>(heap: &Heap<S>) -> Result<State, Violation> {
    let len = heap.bytes().len() as u64;
    let start = heap.start();
    if u64::from(start) + u64::from(STATE_BYTES) > len || start % 4 != 0 {
        return Err(state_word(
            "start",
            start.into(),
            format!("leaves no room for the aligned 28-byte state in {len} bytes"),
        ));
    }
    // The state block fits, so these reads cannot fault.
    let read = |r: Result<u32, _>| r.unwrap_or(0);
    let align = read(heap.align());
    if !(align >= 8 && align.is_power_of_two()) {
        return Err(state_word(
            "align",
            align.into(),
            "is not a power of two >= 8",
        ));
    }
    let min_split = read(heap.min_split());
    if min_split <= 8 {
        return Err(state_word(
            "minSplit",
            min_split.into(),
            "is not greater than 8",
        ));
    }
    let end = read(heap.end());
    let first = initial_top(start, align);
    if u64::from(end) > len || first >= u64::from(end) {
        return Err(state_word(
            "end",
            end.into(),
            format!("is not in (initialTop {first:#x}, buffer length {len:#x}]"),
        ));
    }
    let top = read(heap.top());
    if u64::from(top) < first || top > end {
        return Err(state_word(
            "top",
            top.into(),
            format!("is not in [initialTop {first:#x}, end {end:#x}]"),
        ));
    }
    Ok(State {
        top,
        // first < end <= u32::MAX
        initial_top: first as u32,
        align,
        compact: heap.compact_on().unwrap_or(false),
    })
}

/// Walks one list, checking invariants 2, 3 and 5 for each block; returns `(addr, size)` in
/// list order.
fn walk<S: AsRef<[u8]>>(
    heap: &Heap<S>,
    st: &State,
    list: List,
    head: u32,
) -> Result<Vec<(u32, u32)>, Violation> {
    let mut blocks = Vec::new();
    let max = u64::from(st.top - st.initial_top) / u64::from(st.align);
    let mut steps = Steps::new(heap);
    let mut block = head;
    while block != 0 {
        let walked = blocks.len() as u64;
        if walked >= max || steps.step().is_err() {
            return Err(Violation::Cycle {
                list,
                block,
                steps: walked,
            });
        }
        let out = |size| Violation::OutOfBounds {
            list,
            block,
            size,
            initial_top: st.initial_top,
            top: st.top,
        };
        if block < st.initial_top || block >= st.top {
            return Err(out(0));
        }
        // initialTop <= block < top <= end <= len, and blocks are 8-aligned below: header
        // reads only fault past the buffer.
        let size = heap.size(block).map_err(|_| out(0))?;
        let next = heap.next(block).map_err(|_| out(size))?;
        if u64::from(block) + u64::from(size) > u64::from(st.top) {
            return Err(out(size));
        }
        if size == 0 || size % st.align != 0 || (block - st.initial_top) % st.align != 0 {
            return Err(Violation::Misaligned {
                list,
                block,
                size,
                align: st.align,
                initial_top: st.initial_top,
            });
        }
        blocks.push((block, size));
        block = next;
    }
    Ok(blocks)
}

/// Checks every invariant of the heap, in the order of their numbers, and returns the first
/// one broken.
pub(crate) fn check_heap<S: AsRef<[u8]>>(heap: &Heap<S>) -> Result<(), Violation> {
    let st = check_state(heap)?;
    let free_head = heap.free_head().unwrap_or(0);
    let used_head = heap.used_head().unwrap_or(0);
    let free = walk(heap, &st, List::Free, free_head)?;
    let used = walk(heap, &st, List::Used, used_head)?;

    for pair in free.windows(2) {
        let ((prev, _), (block, _)) = (pair[0], pair[1]);
        if block <= prev {
            return Err(Violation::Unordered { prev, block });
        }
    }

    let mut all: Vec<(u32, u32, List)> = free
        .iter()
        .map(|&(a, s)| (a, s, List::Free))
        .chain(used.iter().map(|&(a, s)| (a, s, List::Used)))
        .collect();
    all.sort_unstable_by_key(|&(a, _, _)| a);
    for pair in all.windows(2) {
        let ((a, size, la), (b, _, lb)) = (pair[0], pair[1]);
        let a_end = u64::from(a) + u64::from(size);
        if u64::from(b) < a_end {
            return Err(Violation::Overlap {
                first: a,
                first_end: a_end,
                first_list: la,
                second: b,
                second_list: lb,
            });
        }
    }

    let sum = |v: &[(u32, u32)]| v.iter().map(|&(_, s)| u64::from(s)).sum::<u64>();
    let (free_size, used_size) = (sum(&free), sum(&used));
    if free_size + used_size != u64::from(st.top - st.initial_top) {
        return Err(Violation::Accounting {
            free: free_size,
            used: used_size,
            top: st.top,
            initial_top: st.initial_top,
        });
    }

    if st.compact {
        for pair in free.windows(2) {
            let ((a, size), (b, _)) = (pair[0], pair[1]);
            if u64::from(a) + u64::from(size) == u64::from(b) {
                return Err(Violation::Adjacent {
                    first: a,
                    second: b,
                });
            }
        }
        if let Some(&(block, size)) = free.last() {
            if u64::from(block) + u64::from(size) == u64::from(st.top) {
                return Err(Violation::FreeAtTop { block, top: st.top });
            }
        }
    }
    Ok(())
}
