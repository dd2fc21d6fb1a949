//! An independent, high-level model of the seed's allocation policy, following
//! `core/SPEC.md` (not core's code): an ordered map of free ranges, the used blocks in list
//! order, and `top`. It never touches a byte buffer, so the `model` target can compare every
//! result of the real pool against it. Each rule cites the section it follows; the model
//! keeps the port's fixes of the seed's bugs (§6), not the bugs.

use std::collections::BTreeMap;

/// One list entry: block address and size (header included).
pub type Entry = (u64, u64);

/// The seed's `stats()`, as the model computes it (SPEC §4.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelStats {
    /// Free blocks: count and bytes.
    pub free: (u64, u64),
    /// Used blocks: count and bytes.
    pub used: (u64, u64),
    /// `top`.
    pub top: u64,
    /// `end - top + free bytes`.
    pub available: u64,
    /// Buffer length.
    pub total: u64,
}

/// The model's state.
#[derive(Debug, Clone)]
pub struct Model {
    /// Buffer length.
    pub len: u64,
    /// State address.
    pub start: u64,
    /// One past the last usable byte.
    pub end: u64,
    /// Block alignment.
    pub align: u64,
    /// First block address.
    pub initial_top: u64,
    /// First address never handed out.
    pub top: u64,
    /// Coalesce after every free and split.
    pub compact: bool,
    /// Split oversized blocks.
    pub split: bool,
    /// Split threshold.
    pub min_split: u64,
    /// Free blocks by address.
    pub free: BTreeMap<u64, u64>,
    /// Used blocks, newest first.
    pub used: Vec<Entry>,
}

fn align_up(x: u64, align: u64) -> u64 {
    x.div_ceil(align) * align
}

fn word(bytes: &[u8], at: u64) -> Option<u64> {
    let i = usize::try_from(at).ok()?;
    let w = bytes.get(i..i.checked_add(4)?)?;
    Some(u64::from(u32::from_le_bytes([w[0], w[1], w[2], w[3]])))
}

/// Where the first block of a pool with state at `start` and alignment `align` goes
/// (`initialTop`, SPEC §2.4).
#[must_use]
pub fn initial_top(start: u64, align: u64) -> u64 {
    align_up(start + 28 + 8, align) - 8
}

impl Model {
    /// A fresh pool over `len` bytes; `None` where the seed's constructor refuses the options
    /// (SPEC §3.2, items 2 and 3). `align` must be a power of two >= 8 and `min_split > 8` (the
    /// inputs guarantee it).
    #[must_use]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        len: u64,
        start: u64,
        end: Option<u64>,
        align: u64,
        compact: bool,
        split: bool,
        min_split: u64,
    ) -> Option<Model> {
        let start = align_up(start, 4);
        if start + 28 > len {
            return None;
        }
        let end = end.map_or(len, |e| e.min(len));
        let initial_top = initial_top(start, align);
        if initial_top >= end {
            return None;
        }
        Some(Model {
            len,
            start,
            end,
            align,
            initial_top,
            top: initial_top,
            compact,
            split,
            min_split,
            free: BTreeMap::new(),
            used: Vec::new(),
        })
    }

    /// The model of a heap a pool left in `bytes` with its state at `start`: the state words
    /// and both lists (SPEC §2.2, §2.3), read straight from the buffer. `None` when a word or a
    /// list cannot be read or a list does not end; call it only on heaps the checker accepts.
    #[must_use]
    pub fn from_bytes(bytes: &[u8], start: u64) -> Option<Model> {
        let w = |off: u64| word(bytes, start + off);
        let (free_head, used_head, top, end, align, flags, min_split) =
            (w(0)?, w(4)?, w(8)?, w(12)?, w(16)?, w(20)?, w(24)?);
        if align < 8 || !align.is_power_of_two() {
            return None;
        }
        let walk = |mut block: u64| -> Option<Vec<Entry>> {
            let mut out = Vec::new();
            while block != 0 {
                if out.len() > bytes.len() / 8 {
                    return None;
                }
                out.push((block, word(bytes, block)?));
                block = word(bytes, block + 4)?;
            }
            Some(out)
        };
        let free = walk(free_head)?.into_iter().collect();
        let used = walk(used_head)?;
        Some(Model {
            len: bytes.len() as u64,
            start,
            end,
            align,
            initial_top: initial_top(start, align),
            top,
            compact: flags & 1 != 0,
            split: flags & 2 != 0,
            min_split,
            free,
            used,
        })
    }

    /// `alignUp(n + 8, align)` (SPEC §2.4), without the seed's 32-bit wrap (§6, B4).
    #[must_use]
    pub fn padded(&self, n: u32) -> u64 {
        align_up(u64::from(n) + 8, self.align)
    }

    /// Room for a request: `end - top`.
    #[must_use]
    pub fn room(&self) -> u64 {
        self.end.saturating_sub(self.top)
    }

    /// Free block sizes in address order.
    #[must_use]
    pub fn free_sizes(&self) -> Vec<u64> {
        self.free.values().copied().collect()
    }

    /// Free blocks in address order.
    #[must_use]
    pub fn free_list(&self) -> Vec<Entry> {
        self.free.iter().map(|(&a, &s)| (a, s)).collect()
    }

    /// Data address of the n-th used block (list order), if any.
    #[must_use]
    pub fn nth_used(&self, n: u8) -> Option<u32> {
        if self.used.is_empty() {
            return None;
        }
        let (block, _) = self.used[usize::from(n) % self.used.len()];
        u32::try_from(block + 8).ok()
    }

    /// The size of the largest free range (0 when none): what `MemPool::largest_free` must say.
    #[must_use]
    pub fn largest_free(&self) -> u64 {
        self.free.values().copied().max().unwrap_or(0)
    }

    /// The seed's `stats()` (SPEC §4.10).
    #[must_use]
    pub fn stats(&self) -> ModelStats {
        let free_size: u64 = self.free.values().sum();
        let used_size: u64 = self.used.iter().map(|&(_, s)| s).sum();
        ModelStats {
            free: (self.free.len() as u64, free_size),
            used: (self.used.len() as u64, used_size),
            top: self.top,
            available: self.end.saturating_sub(self.top) + free_size,
            total: self.len,
        }
    }

    /// `malloc(n)`: the data address, or `None` (SPEC §4.1; the split of §4.5).
    pub fn malloc(&mut self, n: u32) -> Option<u32> {
        if n == 0 {
            return None;
        }
        let p = self.padded(n);
        // First fit in address order: the first block that is top-adjacent or big enough
        // (§4.1, step 2).
        let fit = self
            .free
            .iter()
            .map(|(&b, &s)| (b, s))
            .find(|&(b, s)| b + s >= self.top || s >= p);
        let block = match fit {
            Some((b, s)) => {
                let top_adjacent = b + s >= self.top;
                if top_adjacent && b + p > self.end {
                    return None;
                }
                self.free.remove(&b);
                if top_adjacent {
                    self.used.insert(0, (b, p));
                    self.top = b + p;
                } else if self.split && s - p >= self.min_split {
                    self.used.insert(0, (b, p));
                    self.free.insert(b + p, s - p);
                    if self.compact {
                        self.compact();
                    }
                } else {
                    self.used.insert(0, (b, s));
                }
                b
            }
            None => {
                if self.top + p > self.end {
                    return None;
                }
                let b = self.top;
                self.used.insert(0, (b, p));
                self.top += p;
                b
            }
        };
        u32::try_from(block + 8).ok()
    }

    fn find_used(&self, ptr: u32) -> Option<usize> {
        let block = u64::from(ptr).checked_sub(8)?;
        self.used.iter().position(|&(b, _)| b == block)
    }

    /// `free(ptr)`: whether `ptr` was a used block's data address (SPEC §4.3).
    pub fn free(&mut self, ptr: u32) -> bool {
        let Some(i) = self.find_used(ptr) else {
            return false;
        };
        let (b, s) = self.used.remove(i);
        self.free.insert(b, s);
        if self.compact {
            self.compact();
        }
        true
    }

    /// Merges runs of adjacent free blocks, then gives a free block that reaches `top` back to
    /// `top` (SPEC §4.4).
    fn compact(&mut self) {
        let mut merged: BTreeMap<u64, u64> = BTreeMap::new();
        let mut last: Option<(u64, u64)> = None;
        for (&b, &s) in &self.free {
            match last {
                Some((lb, ls)) if lb + ls == b => last = Some((lb, ls + s)),
                Some(run) => {
                    merged.insert(run.0, run.1);
                    last = Some((b, s));
                }
                None => last = Some((b, s)),
            }
        }
        if let Some((b, s)) = last {
            if b + s >= self.top {
                self.top = b;
            } else {
                merged.insert(b, s);
            }
        }
        self.free = merged;
    }

    /// `realloc(ptr, n)`: the (possibly new) data address, or `None` (nothing changes): SPEC
    /// §4.7, with B1-B3 fixed (§6): the move allocates first, then frees the old block.
    pub fn realloc(&mut self, ptr: u32, n: u32) -> Option<u32> {
        if n == 0 {
            return None;
        }
        let i = self.find_used(ptr)?;
        let (b, s) = self.used[i];
        let p = self.padded(n);
        let top_adjacent = b + s >= self.top;
        if p <= s {
            if self.split && s - p >= self.min_split {
                self.used[i].1 = p;
                self.free.insert(b + p, s - p);
                if self.compact {
                    self.compact();
                }
            } else if top_adjacent {
                self.used[i].1 = p;
                self.top = b + p;
            }
            return Some(ptr);
        }
        if top_adjacent && b + p < self.end {
            self.used[i].1 = p;
            self.top = b + p;
            return Some(ptr);
        }
        let new = self.malloc(n)?;
        self.free(ptr);
        Some(new)
    }

    /// `free_all()` (SPEC §4.9).
    pub fn free_all(&mut self) {
        self.free.clear();
        self.used.clear();
        self.top = self.initial_top;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> Model {
        Model::new(0x100, 0, None, 8, true, true, 16).unwrap()
    }

    #[test]
    fn first_fit_split_and_compaction() {
        let mut m = pool();
        assert_eq!(m.initial_top, 32);
        let a = m.malloc(12).unwrap();
        assert_eq!(a, 40);
        let b = m.malloc(40).unwrap();
        assert_eq!(b, 64);
        assert!(m.free(a));
        assert!(!m.free(a));
        assert_eq!(m.free_list(), vec![(32, 24)]);
        assert!(m.free(b));
        assert!(m.free.is_empty());
        assert_eq!(m.top, 32);
    }

    #[test]
    fn realloc_moves_and_grows_in_place() {
        let mut m = pool();
        let a = m.malloc(8).unwrap();
        let b = m.malloc(8).unwrap();
        assert_eq!(m.realloc(b, 32), Some(b));
        let a2 = m.realloc(a, 64).unwrap();
        assert_ne!(a2, a);
        assert_eq!(m.stats().used.0, 2);
        assert_eq!(m.realloc(a2, 0), None);
    }
}
