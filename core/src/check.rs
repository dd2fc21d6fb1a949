//! The heap checker behind [`crate::MemPool::check`] and [`crate::MemPool::check_all`] and the
//! invariants it enforces. A leaf: it reads the heap through `heap.rs`'s accessors and knows
//! nothing of the pool or its engines.
//!
//! # Invariants
//!
//! On every heap the pool leaves behind (and on every heap @thi.ng/malloc leaves, bar its
//! bugs B2 and B4: `core/SPEC.md` §6), all of these hold; `check` verifies each and names
//! the first one broken, `check_all` lists every one it can find ([`Diagnosis`]):
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
//!
//! # Checking a corrupt heap all the way
//!
//! Both run the same checks in the same order (invariant 1, then each list's walk with 2, 3
//! and 5 block by block, then 4, 6, 7 and 8). `check` stops at the first violation;
//! `check_all` goes on wherever the structure still allows it:
//!
//! - invariant 1: every state word is checked; the lists are walked only when `start`,
//!   `align` and `top` are sound (a bad `minSplit` or `end` does not stop the walk; with a bad
//!   `end`, `top` must lie within the buffer instead);
//! - a list walk goes on past a block whose size is wrong (2 or 5: the next pointer in its
//!   header can still be read) and stops, with an [`Unchecked::ListTail`], at a block whose
//!   header lies outside the heap, since its next pointer means nothing (or, on a list with
//!   more distinct blocks than fit, after as many steps as fit);
//! - a cycle (3) ends the walk at the first block met twice: every block of that list has then
//!   been seen, so nothing is left unchecked;
//! - 4, 6 and 8 are checked over the blocks walked, every pair; 7 (accounting) and the block at
//!   `top` (8) only when both lists, resp. the free list, were walked to their end.
//!
//! Every walk is bounded (as many steps as blocks fit in the heap), so both end on any bytes.

use std::collections::HashSet;
use std::fmt;

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

    /// The invariant broken, stated in one line: what a sound heap has that this one lacks.
    #[must_use]
    pub fn rule(&self) -> &'static str {
        match self.invariant() {
            1 => "the state words must describe a heap inside the buffer: align a power of two >= 8, minSplit > 8, initialTop < end <= buffer length, initialTop <= top <= end",
            2 => "every block on a list lies inside the heap, header and all: initialTop <= block and block + size <= top",
            3 => "both lists end: following the next pointers reaches 0",
            4 => "the free list is kept in increasing address order",
            5 => "every block's size is a nonzero multiple of align and its address is initialTop plus a multiple of align",
            6 => "no two blocks overlap and no block is on both lists",
            7 => "the blocks of both lists cover the heap exactly: free + used bytes = top - initialTop",
            _ => "with compact on, free neighbours are merged: no two free blocks touch and none ends at top",
        }
    }

    /// The lowest block address the violation names; `None` for the state words (1) and the
    /// accounting of the whole heap (7). [`Diagnosis::violations`] is sorted by it.
    #[must_use]
    pub fn address(&self) -> Option<u32> {
        match *self {
            Violation::State { .. } | Violation::Accounting { .. } => None,
            Violation::OutOfBounds { block, .. }
            | Violation::Cycle { block, .. }
            | Violation::Misaligned { block, .. }
            | Violation::FreeAtTop { block, .. } => Some(block),
            Violation::Unordered { prev, block } => Some(prev.min(block)),
            Violation::Overlap { first, second, .. } | Violation::Adjacent { first, second } => {
                Some(first.min(second))
            }
        }
    }

    /// Where the violation sorts in a [`Diagnosis`]: the state first, then by address, the
    /// heap-wide accounting last.
    fn order(&self) -> (u8, u32) {
        match (self, self.address()) {
            (Violation::State { .. }, _) => (0, 0),
            (_, Some(addr)) => (1, addr),
            (_, None) => (2, 0),
        }
    }
}

/// A part of a corrupt heap that [`crate::MemPool::check_all`] could not examine, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unchecked {
    /// The state words that bound the heap (`start`, `align` or `top`) are out of range, so
    /// neither list was walked and invariants 2–8 were not checked.
    Lists,
    /// A list's walk stopped at a block it could not follow: its header lies outside the heap
    /// (so its next pointer means nothing), or the walk took as many steps as blocks fit in
    /// the heap without meeting a block twice. The blocks after it, and invariant 7 (plus, for
    /// the free list, whether a free block ends at `top`) were not checked.
    ListTail {
        /// The list.
        list: List,
        /// The block the walk stopped at.
        block: u32,
        /// Blocks walked before it.
        walked: u64,
    },
}

impl fmt::Display for Unchecked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Unchecked::Lists => f.write_str(
                "neither list was walked: the state words that bound the heap are out of range, so invariants 2-8 were not checked",
            ),
            Unchecked::ListTail {
                list,
                block,
                walked,
            } => {
                write!(
                    f,
                    "the {list} list was walked for {walked} blocks and could not be followed past block {block:#x}: the blocks after it and invariant 7 (accounting)"
                )?;
                if list == List::Free {
                    f.write_str(" and whether a free block ends at top (8)")?;
                }
                f.write_str(" were not checked")
            }
        }
    }
}

/// Everything [`crate::MemPool::check_all`] found: every violation, in address order (the
/// state words first, the accounting of the whole heap last), and what could not be checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnosis {
    /// Every broken invariant found, sorted by [`Violation::address`].
    pub violations: Vec<Violation>,
    /// The parts of the heap the checker could not examine.
    pub unchecked: Vec<Unchecked>,
}

impl Diagnosis {
    /// Whether every invariant holds (then nothing was left unchecked either).
    #[must_use]
    pub fn is_sound(&self) -> bool {
        self.violations.is_empty()
    }

    /// The numbers of the invariants broken, ascending, each once.
    #[must_use]
    pub fn invariants(&self) -> Vec<u8> {
        let mut n: Vec<u8> = self.violations.iter().map(Violation::invariant).collect();
        n.sort_unstable();
        n.dedup();
        n
    }
}

/// How far one run of the checker goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Stop at the first violation ([`check_heap`]).
    First,
    /// Go on wherever the structure allows ([`diagnose_heap`]).
    All,
}

/// The first-violation run found its violation: the checks end here.
struct Stop;

/// What a run found so far.
struct Found {
    scope: Scope,
    diagnosis: Diagnosis,
}

impl Found {
    /// Records `v`; in [`Scope::First`] that ends the run.
    fn push(&mut self, v: Violation) -> Result<(), Stop> {
        self.diagnosis.violations.push(v);
        match self.scope {
            Scope::First => Err(Stop),
            Scope::All => Ok(()),
        }
    }

    fn unchecked(&mut self, u: Unchecked) {
        self.diagnosis.unchecked.push(u);
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

/// Checks the state words; `None` when the lists cannot be walked (`start`, `align` or `top`
/// is out of range).
fn check_state<S: AsRef<[u8]>>(heap: &Heap<S>, found: &mut Found) -> Result<Option<State>, Stop> {
    let len = heap.bytes().len() as u64;
    let start = heap.start();
    if u64::from(start) + u64::from(STATE_BYTES) > len || start % 4 != 0 {
        found.push(state_word(
            "start",
            start.into(),
            format!("leaves no room for the aligned 28-byte state in {len} bytes"),
        ))?;
        found.unchecked(Unchecked::Lists);
        return Ok(None);
    }
    // The state block fits, so these reads cannot fault.
    let read = |r: Result<u32, _>| r.unwrap_or(0);
    let align = read(heap.align());
    let align_ok = align >= 8 && align.is_power_of_two();
    if !align_ok {
        found.push(state_word(
            "align",
            align.into(),
            "is not a power of two >= 8",
        ))?;
    }
    let min_split = read(heap.min_split());
    if min_split <= 8 {
        found.push(state_word(
            "minSplit",
            min_split.into(),
            "is not greater than 8",
        ))?;
    }
    if !align_ok {
        // initialTop, and with it every block address, depends on align.
        found.unchecked(Unchecked::Lists);
        return Ok(None);
    }
    let end = read(heap.end());
    let first = initial_top(start, align);
    let end_ok = u64::from(end) <= len && first < u64::from(end);
    if !end_ok {
        found.push(state_word(
            "end",
            end.into(),
            format!("is not in (initialTop {first:#x}, buffer length {len:#x}]"),
        ))?;
    }
    let top = read(heap.top());
    let (limit, bound) = if end_ok {
        (u64::from(end), format!("end {end:#x}"))
    } else {
        (len, format!("buffer length {len:#x}"))
    };
    if u64::from(top) < first || u64::from(top) > limit {
        found.push(state_word(
            "top",
            top.into(),
            format!("is not in [initialTop {first:#x}, {bound}]"),
        ))?;
        found.unchecked(Unchecked::Lists);
        return Ok(None);
    }
    Ok(Some(State {
        top,
        // first <= top <= u32::MAX
        initial_top: first as u32,
        align,
        compact: heap.compact_on().unwrap_or(false),
    }))
}

/// One list as walked.
struct Walked {
    /// `(addr, size)` of each block, in list order, each block once.
    blocks: Vec<(u32, u32)>,
    /// Whether the walk saw the whole list: it reached 0 or a block it had seen before.
    complete: bool,
}

/// Walks one list, checking invariants 2, 3 and 5 for each block.
fn walk<S: AsRef<[u8]>>(
    heap: &Heap<S>,
    st: &State,
    list: List,
    head: u32,
    found: &mut Found,
) -> Result<Walked, Stop> {
    let mut blocks = Vec::new();
    let max = u64::from(st.top - st.initial_top) / u64::from(st.align);
    let mut steps = Steps::new(heap);
    // Going on past a cycle needs to know where it closes; the first violation needs not.
    let mut seen = (found.scope == Scope::All).then(HashSet::new);
    let mut block = head;
    let cut = |found: &mut Found, blocks: Vec<(u32, u32)>, block| -> Result<Walked, Stop> {
        found.unchecked(Unchecked::ListTail {
            list,
            block,
            walked: blocks.len() as u64,
        });
        Ok(Walked {
            blocks,
            complete: false,
        })
    };
    while block != 0 {
        let walked = blocks.len() as u64;
        let again = seen.as_mut().is_some_and(|s| !s.insert(block));
        if again || walked >= max || steps.step().is_err() {
            found.push(Violation::Cycle {
                list,
                block,
                steps: walked,
            })?;
            // Met again: every block of the list has been walked. Out of steps: more blocks
            // than fit, and where the list goes on is unknown.
            return if again {
                Ok(Walked {
                    blocks,
                    complete: true,
                })
            } else {
                cut(found, blocks, block)
            };
        }
        let out = |size| Violation::OutOfBounds {
            list,
            block,
            size,
            initial_top: st.initial_top,
            top: st.top,
        };
        if block < st.initial_top || block >= st.top {
            found.push(out(0))?;
            return cut(found, blocks, block);
        }
        // initialTop <= block < top <= buffer length: header reads only fault past the
        // buffer's end.
        let Ok(size) = heap.size(block) else {
            found.push(out(0))?;
            return cut(found, blocks, block);
        };
        let Ok(next) = heap.next(block) else {
            found.push(out(size))?;
            return cut(found, blocks, block);
        };
        if u64::from(block) + u64::from(size) > u64::from(st.top) {
            found.push(out(size))?;
        }
        if size == 0 || size % st.align != 0 || (block - st.initial_top) % st.align != 0 {
            found.push(Violation::Misaligned {
                list,
                block,
                size,
                align: st.align,
                initial_top: st.initial_top,
            })?;
        }
        blocks.push((block, size));
        block = next;
    }
    Ok(Walked {
        blocks,
        complete: true,
    })
}

/// Runs every check in the order of the invariants' numbers, recording into `found`.
fn run<S: AsRef<[u8]>>(heap: &Heap<S>, found: &mut Found) -> Result<(), Stop> {
    let Some(st) = check_state(heap, found)? else {
        return Ok(());
    };
    let free_head = heap.free_head().unwrap_or(0);
    let used_head = heap.used_head().unwrap_or(0);
    let free = walk(heap, &st, List::Free, free_head, found)?;
    let used = walk(heap, &st, List::Used, used_head, found)?;

    for pair in free.blocks.windows(2) {
        let ((prev, _), (block, _)) = (pair[0], pair[1]);
        if block <= prev {
            found.push(Violation::Unordered { prev, block })?;
        }
    }

    let mut all: Vec<(u32, u32, List)> = free
        .blocks
        .iter()
        .map(|&(a, s)| (a, s, List::Free))
        .chain(used.blocks.iter().map(|&(a, s)| (a, s, List::Used)))
        .collect();
    all.sort_unstable_by_key(|&(a, _, _)| a);
    // Each block is compared with the one reaching furthest before it, so a block that
    // covers several others overlaps each of them. Up to the first overlap that is the
    // block right before it.
    let mut reach: Option<(u32, u64, List)> = None;
    for &(b, size, lb) in &all {
        if let Some((a, a_end, la)) = reach {
            if u64::from(b) < a_end {
                found.push(Violation::Overlap {
                    first: a,
                    first_end: a_end,
                    first_list: la,
                    second: b,
                    second_list: lb,
                })?;
            }
        }
        let b_end = u64::from(b) + u64::from(size);
        if reach.is_none_or(|(_, end, _)| b_end > end) {
            reach = Some((b, b_end, lb));
        }
    }

    if free.complete && used.complete {
        let sum = |v: &[(u32, u32)]| v.iter().map(|&(_, s)| u64::from(s)).sum::<u64>();
        let (free_size, used_size) = (sum(&free.blocks), sum(&used.blocks));
        if free_size + used_size != u64::from(st.top - st.initial_top) {
            found.push(Violation::Accounting {
                free: free_size,
                used: used_size,
                top: st.top,
                initial_top: st.initial_top,
            })?;
        }
    }

    if st.compact {
        for pair in free.blocks.windows(2) {
            let ((a, size), (b, _)) = (pair[0], pair[1]);
            if u64::from(a) + u64::from(size) == u64::from(b) {
                found.push(Violation::Adjacent {
                    first: a,
                    second: b,
                })?;
            }
        }
        if let (true, Some(&(block, size))) = (free.complete, free.blocks.last()) {
            if u64::from(block) + u64::from(size) == u64::from(st.top) {
                found.push(Violation::FreeAtTop { block, top: st.top })?;
            }
        }
    }
    Ok(())
}

/// Checks every invariant of the heap, in the order of their numbers, and returns the first
/// one broken.
pub(crate) fn check_heap<S: AsRef<[u8]>>(heap: &Heap<S>) -> Result<(), Violation> {
    let mut found = Found {
        scope: Scope::First,
        diagnosis: Diagnosis::default(),
    };
    let _ = run(heap, &mut found);
    match found.diagnosis.violations.into_iter().next() {
        Some(v) => Err(v),
        None => Ok(()),
    }
}

/// Checks every invariant of the heap as far as its structure allows and returns every
/// violation found, in address order, with what could not be checked.
pub(crate) fn diagnose_heap<S: AsRef<[u8]>>(heap: &Heap<S>) -> Diagnosis {
    let mut found = Found {
        scope: Scope::All,
        diagnosis: Diagnosis::default(),
    };
    // Scope::All never stops.
    let _ = run(heap, &mut found);
    let mut d = found.diagnosis;
    d.violations.sort_by_key(Violation::order);
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MemPool, PoolOptions};

    /// A sound heap of two used blocks, as raw bytes (state at 0).
    fn heap_bytes() -> Vec<u8> {
        let mut pool = MemPool::with_buffer(vec![0u8; 512], PoolOptions::default()).unwrap();
        pool.malloc(16).unwrap();
        pool.malloc(40).unwrap();
        pool.into_inner()
    }

    fn put(buf: &mut [u8], addr: usize, v: u32) {
        buf[addr..addr + 4].copy_from_slice(&v.to_le_bytes());
    }

    // The state words cannot get past `MemPool::attach`, so they are checked on the raw heap.
    #[test]
    fn every_bad_state_word_is_listed_and_says_why_the_lists_were_not_walked() {
        let mut buf = heap_bytes();
        put(&mut buf, 16, 12); // align
        put(&mut buf, 24, 3); // minSplit
        let heap = Heap::new(&buf[..], 0);
        let d = diagnose_heap(&heap);
        let words: Vec<&str> = d
            .violations
            .iter()
            .map(|v| match v {
                Violation::State { word, .. } => *word,
                other => panic!("{other}"),
            })
            .collect();
        assert_eq!(words, ["align", "minSplit"]);
        assert_eq!(d.unchecked, [Unchecked::Lists]);
        // check stops at the first, as it always did.
        assert!(matches!(
            check_heap(&heap),
            Err(Violation::State { word: "align", .. })
        ));
    }

    #[test]
    fn a_bad_end_does_not_stop_the_walk() {
        let mut buf = heap_bytes();
        put(&mut buf, 12, 4096); // end past the buffer
        let used = u32::from_le_bytes(buf[4..8].try_into().unwrap()) as usize;
        put(&mut buf, used, 44); // the newest block's size: not a multiple of 8
        let d = diagnose_heap(&Heap::new(&buf[..], 0));
        assert_eq!(d.invariants(), [1, 5, 7], "{d:#?}");
        assert!(d.unchecked.is_empty());
    }

    /// Each of the eight invariants states its own rule (one-line texts a user reads beside
    /// the violation), and each variant reports its number.
    #[test]
    fn every_invariant_has_its_own_rule() {
        let all = [
            Violation::State {
                word: "align",
                value: 3,
                reason: "is not a power of two".into(),
            },
            Violation::OutOfBounds {
                list: List::Used,
                block: 8,
                size: 8,
                initial_top: 32,
                top: 64,
            },
            Violation::Cycle {
                list: List::Free,
                block: 40,
                steps: 9,
            },
            Violation::Unordered {
                prev: 48,
                block: 40,
            },
            Violation::Misaligned {
                list: List::Used,
                block: 36,
                size: 8,
                align: 8,
                initial_top: 32,
            },
            Violation::Overlap {
                first: 32,
                first_end: 48,
                first_list: List::Used,
                second: 40,
                second_list: List::Free,
            },
            Violation::Accounting {
                free: 8,
                used: 16,
                top: 64,
                initial_top: 32,
            },
            Violation::Adjacent {
                first: 32,
                second: 40,
            },
        ];
        let numbers: Vec<u8> = all.iter().map(Violation::invariant).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5, 6, 7, 8]);
        let rules: Vec<&str> = all.iter().map(Violation::rule).collect();
        for (i, r) in rules.iter().enumerate() {
            assert!(
                !rules[..i].contains(r),
                "invariants {} and {} share a rule",
                i,
                i + 1
            );
        }
        assert!(rules[2].contains("reaches 0"), "{}", rules[2]);
        assert!(rules[6].contains("free + used bytes"), "{}", rules[6]);
        let at_top = Violation::FreeAtTop { block: 32, top: 40 };
        assert_eq!(at_top.rule(), rules[7]);
    }

    /// A heap whose state words start at an address that is not a multiple of 4 (though the
    /// 28 bytes fit), or too close to the buffer's end, is refused there.
    #[test]
    fn a_start_off_a_word_boundary_is_named() {
        let buf = heap_bytes();
        // Off a word boundary; and on one, but too close to the end for the 28 bytes.
        for start in [2, buf.len() as u32 - 8] {
            let d = diagnose_heap(&Heap::new(&buf[..], start));
            assert!(
                matches!(
                    d.violations.first(),
                    Some(Violation::State { word: "start", .. })
                ),
                "start {start}: {d:#?}"
            );
            assert_eq!(d.unchecked, [Unchecked::Lists]);
        }
    }

    /// The overlaps `check` names on a fresh 512-byte heap whose used list is `blocks`
    /// (address, size), in that order, with top at 128: (first, second) for each.
    fn overlaps_of(blocks: &[(u32, u32)]) -> Vec<(u32, u32)> {
        let mut buf = MemPool::with_buffer(vec![0u8; 512], PoolOptions::default())
            .unwrap()
            .into_inner();
        for (i, &(addr, size)) in blocks.iter().enumerate() {
            let next = blocks.get(i + 1).map_or(0, |&(n, _)| n);
            put(&mut buf, addr as usize, size);
            put(&mut buf, addr as usize + 4, next);
        }
        put(&mut buf, 4, blocks[0].0); // the used list's head
        put(&mut buf, 8, 128); // top
        let d = diagnose_heap(&Heap::new(&buf[..], 0));
        d.violations
            .iter()
            .filter_map(|v| match *v {
                Violation::Overlap { first, second, .. } => Some((first, second)),
                _ => None,
            })
            .collect()
    }

    /// Overlaps are reported against the block that reaches furthest so far, the lowest one
    /// when two end together: A = [a, a+32), B = [a+16, a+32) and C = [a+24, a+40) give
    /// "B overlaps A" and "C overlaps A", not "C overlaps B".
    #[test]
    fn an_overlap_names_the_lowest_of_the_blocks_reaching_furthest() {
        let a = 64u32;
        let (b, c) = (a + 16, a + 24);
        assert_eq!(overlaps_of(&[(a, 32), (b, 16), (c, 16)]), [(a, b), (a, c)]);
    }

    /// `end` must lie past initialTop: a heap with no room at all is named by its `end`.
    #[test]
    fn an_end_at_initial_top_is_named() {
        let mut buf = heap_bytes();
        put(&mut buf, 12, 32); // end = initialTop (state at 0, align 8)
        let d = diagnose_heap(&Heap::new(&buf[..], 0));
        assert!(
            d.violations
                .iter()
                .any(|v| matches!(v, Violation::State { word: "end", .. })),
            "{d:#?}"
        );
    }

    /// A state that ends exactly at the buffer's end has room: `start` is not named (the
    /// other words, which point past the buffer, are).
    #[test]
    fn a_state_ending_at_the_buffers_end_does_not_name_start() {
        let buf = heap_bytes();
        let start = buf.len() as u32 - STATE_BYTES;
        let d = diagnose_heap(&Heap::new(&buf[..], start));
        assert!(!d.violations.is_empty(), "{d:#?}");
        assert!(
            !d.violations
                .iter()
                .any(|v| matches!(v, Violation::State { word: "start", .. })),
            "start {start} leaves exactly the 28 bytes: {d:#?}"
        );
    }

    /// A block nested inside another does not hide the overlaps after it: A = [a, a+48)
    /// holds B = [a+8, a+16) and C = [a+24, a+32), and both are named against A.
    #[test]
    fn a_nested_block_does_not_hide_the_next_overlap() {
        let a = 64u32;
        let (b, c) = (a + 8, a + 24);
        assert_eq!(overlaps_of(&[(a, 48), (b, 8), (c, 8)]), [(a, b), (a, c)]);
    }
}
