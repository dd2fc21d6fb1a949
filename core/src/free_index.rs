//! The fast engine's index of free blocks: their addresses and sizes in address order, in
//! short sorted runs ("leaves") with the largest size of every leaf and of every group of
//! leaves kept beside them. It answers the questions the reference engine walks the free
//! list for. Costs, with n free blocks and L = n / 16 to n / 64 leaves:
//!
//! - first fit by address: the first group, then the first leaf in it, then the first block
//!   in that, whose maximum (or size) is large enough: three scans over contiguous `u32`s,
//!   eight at a time, of at most L / [`GROUP`], [`GROUP`] and [`LEAF`] values. L / 64 stays
//!   under 64 up to 65,536 to 262,144 free blocks; beyond that the first scan grows by one
//!   value per 1,024 to 4,096 blocks (linear, with that slope);
//! - predecessor and successor of an address: two binary searches, O(log n);
//! - insert, remove, resize: a shift inside one leaf (at most [`LEAF`] entries) and a
//!   maximum update (at most [`GROUP`] values);
//! - leaves stay at least half full, as in a B+ tree: a leaf that outgrows [`LEAF`] blocks
//!   splits in two halves, and a leaf that falls under [`MIN_FILL`] takes a block from a
//!   neighbour, or merges with it when both fit in one leaf (only a lone leaf may hold fewer).
//!   Splits and merges shift the per-leaf arrays, O(L), and happen at most once per
//!   [`LEAF`] / 2 updates of a leaf, so they add O(n / 1,024) per update in the worst case
//!   (amortised); taking a block is a shift inside two leaves.
//!
//! Memory: every leaf holds its two arrays at a fixed capacity of [`LEAF`] + 1 (they never
//! reallocate), 520 bytes, and at least [`MIN_FILL`] blocks, so the index takes at most about
//! 20 bytes per free block with its per-leaf summaries (measured by the unit tests).
//!
//! Everything is in `Vec`s of `u32`: no pointers, no unsafe, cache lines read front to back.
//! A search hands back a [`Found`] (leaf and position) that the update after it uses without a
//! second search; it is valid until the next insert or removal.

/// Most blocks in one leaf.
pub(crate) const LEAF: usize = 64;
/// Fewest blocks in a leaf, unless it is the only one.
pub(crate) const MIN_FILL: usize = LEAF / 2;
/// Leaves per group.
pub(crate) const GROUP: usize = 64;

/// A free block as the index reports it: `(address, size)`.
pub(crate) type Free = (u32, u32);

/// Where a search found a block: its leaf and its position in the leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    leaf: usize,
    pos: usize,
}

/// A block and where the search found it.
pub(crate) type Located = (Free, Found);

/// Built only by [`Leaf::new`], at its fixed capacity.
#[derive(Debug, Clone)]
struct Leaf {
    addr: Vec<u32>,
    size: Vec<u32>,
}

impl Leaf {
    /// An empty leaf with room for [`LEAF`] + 1 blocks: one more than a leaf keeps, so an
    /// insert into a full leaf fits before it splits, and its arrays never reallocate.
    fn new() -> Self {
        Self {
            addr: Vec::with_capacity(LEAF + 1),
            size: Vec::with_capacity(LEAF + 1),
        }
    }

    fn len(&self) -> usize {
        self.addr.len()
    }

    fn max(&self) -> u32 {
        max_of(&self.size)
    }
}

/// The largest value (0 when empty): eight lanes over fixed-size chunks, which the compiler
/// turns into vector maxima.
fn max_of(v: &[u32]) -> u32 {
    let mut lanes = [0u32; 8];
    let mut chunks = v.chunks_exact(8);
    for chunk in chunks.by_ref() {
        for (m, &x) in lanes.iter_mut().zip(chunk) {
            *m = (*m).max(x);
        }
    }
    let tail = chunks.remainder().iter().copied().fold(0, u32::max);
    lanes.iter().copied().fold(tail, u32::max)
}

/// The first position whose value is at least `want`: whole chunks of 8 are skipped on a
/// branch-free maximum (fixed-size arrays, so the compiler vectorises it), the chunk that has
/// one is scanned.
fn first_at_least(v: &[u32], want: u64) -> Option<usize> {
    let want = match u32::try_from(want) {
        Ok(w) => w,
        Err(_) => return None,
    };
    let mut chunks = v.chunks_exact(8);
    let mut base = 0;
    for chunk in chunks.by_ref() {
        let c: &[u32; 8] = chunk.try_into().unwrap_or(&[0; 8]);
        let m = c.iter().copied().fold(0, u32::max);
        if m >= want {
            return c.iter().position(|&x| x >= want).map(|i| base + i);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&x| x >= want)
        .map(|i| base + i)
}

/// Free blocks by address, with leaf and group maxima of their sizes. There is always at
/// least one leaf: the last one is kept when it empties, so a heap whose free list empties
/// and fills again (every other call, on some traces) allocates nothing.
#[derive(Debug, Clone)]
pub(crate) struct FreeIndex {
    leaves: Vec<Leaf>,
    /// `first[k]`: the lowest address in leaf `k`.
    first: Vec<u32>,
    /// `lmax[k]`: the largest size in leaf `k`.
    lmax: Vec<u32>,
    /// `gmax[g]`: the largest of `lmax[g * GROUP..(g + 1) * GROUP]`.
    gmax: Vec<u32>,
    len: usize,
}

impl FreeIndex {
    /// An empty index: one empty leaf.
    pub(crate) fn new() -> Self {
        let mut t = Self {
            leaves: vec![Leaf::new()],
            first: Vec::new(),
            lmax: Vec::new(),
            gmax: Vec::new(),
            len: 0,
        };
        t.rebuild_from(0);
        t
    }

    /// Number of blocks.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Bytes of host memory the index holds (capacities, not lengths).
    pub(crate) fn heap_bytes(&self) -> usize {
        let leaves: usize = self
            .leaves
            .iter()
            .map(|l| (l.addr.capacity() + l.size.capacity()) * 4)
            .sum();
        leaves
            + self.leaves.capacity() * std::mem::size_of::<Leaf>()
            + (self.first.capacity() + self.lmax.capacity() + self.gmax.capacity()) * 4
    }

    /// Builds the index from blocks sorted by strictly increasing address, in O(n): as few
    /// leaves as hold them, filled evenly (so each holds at least [`MIN_FILL`] when there are
    /// several).
    pub(crate) fn from_sorted(blocks: impl IntoIterator<Item = Free>) -> Self {
        let blocks: Vec<Free> = blocks.into_iter().collect();
        if blocks.is_empty() {
            return Self::new();
        }
        let mut t = Self {
            leaves: Vec::new(),
            first: Vec::new(),
            lmax: Vec::new(),
            gmax: Vec::new(),
            len: 0,
        };
        let leaves = blocks.len().div_ceil(LEAF);
        let mut rest = blocks.as_slice();
        for k in 0..leaves {
            // The remaining blocks spread over the remaining leaves.
            let (these, later) = rest.split_at(rest.len().div_ceil(leaves - k));
            let mut leaf = Leaf::new();
            leaf.addr.extend(these.iter().map(|b| b.0));
            leaf.size.extend(these.iter().map(|b| b.1));
            t.leaves.push(leaf);
            rest = later;
        }
        t.len = blocks.len();
        t.rebuild_from(0);
        t
    }

    /// Recomputes `first`, `lmax` and `gmax` for leaves `k..` (after leaves moved).
    fn rebuild_from(&mut self, k: usize) {
        let n = self.leaves.len();
        // The per-leaf arrays give memory back once a quarter full, to half: a heap that had
        // many free blocks keeps no trace of them (O(1) amortised: this needs n / 2
        // merges or removals of leaves since the arrays last grew or shrank).
        if self.leaves.capacity() > 4 * n.max(4) {
            let keep = 2 * n.max(4);
            self.leaves.shrink_to(keep);
            self.first.shrink_to(keep);
            self.lmax.shrink_to(keep);
            self.gmax.shrink_to(keep.div_ceil(GROUP));
        }
        self.first.truncate(k);
        self.lmax.truncate(k);
        for leaf in &self.leaves[k..] {
            // Only a lone leaf may be empty; its first address is never compared.
            self.first.push(leaf.addr.first().copied().unwrap_or(0));
            self.lmax.push(leaf.max());
        }
        self.gmax.truncate(k / GROUP);
        for g in k / GROUP..n.div_ceil(GROUP) {
            self.gmax
                .push(max_of(&self.lmax[g * GROUP..n.min((g + 1) * GROUP)]));
        }
    }

    /// Recomputes the maximum of leaf `k`, and of its group when the leaf held the group's
    /// maximum and it went down.
    fn refresh_max(&mut self, k: usize) {
        let old = self.lmax[k];
        let new = self.leaves[k].max();
        self.lmax[k] = new;
        let g = k / GROUP;
        if new < old && old == self.gmax[g] {
            let end = self.lmax.len().min((g + 1) * GROUP);
            self.gmax[g] = max_of(&self.lmax[g * GROUP..end]);
        }
    }

    /// Leaf `k` holds a size of at least `size` now.
    fn raise_max(&mut self, k: usize, size: u32) {
        if size > self.lmax[k] {
            self.lmax[k] = size;
            let g = &mut self.gmax[k / GROUP];
            *g = (*g).max(size);
        }
    }

    fn at(&self, f: Found) -> Free {
        let l = &self.leaves[f.leaf];
        (l.addr[f.pos], l.size[f.pos])
    }

    /// The leaf where `addr` is or would go, and its position there (the first address
    /// `>= addr` in that leaf, possibly one past the end).
    fn seek(&self, addr: u32) -> Found {
        let leaf = self.first.partition_point(|&f| f <= addr).saturating_sub(1);
        let pos = self
            .leaves
            .get(leaf)
            .map_or(0, |l| l.addr.partition_point(|&a| a < addr));
        Found { leaf, pos }
    }

    /// The block before `f` in address order.
    fn before(&self, f: Found) -> Option<Found> {
        if f.pos > 0 {
            Some(Found {
                leaf: f.leaf,
                pos: f.pos - 1,
            })
        } else {
            let leaf = f.leaf.checked_sub(1)?;
            let pos = self.leaves[leaf].len() - 1;
            Some(Found { leaf, pos })
        }
    }

    /// `f` if it points at a block, else the first block of the next leaf.
    fn at_or_after(&self, f: Found) -> Option<Found> {
        let l = self.leaves.get(f.leaf)?;
        if f.pos < l.len() {
            Some(f)
        } else if f.leaf + 1 < self.leaves.len() {
            Some(Found {
                leaf: f.leaf + 1,
                pos: 0,
            })
        } else {
            None
        }
    }

    /// Adds a block (its address must not be in the index). The pool inserts through
    /// [`Self::insert_at`]; the tests build indexes with this.
    #[cfg(test)]
    pub(crate) fn insert(&mut self, addr: u32, size: u32) {
        self.insert_at(self.seek(addr), addr, size);
    }

    /// Adds a block where [`Self::neighbors`] said it goes (its `slot`), without a search.
    #[cfg_attr(feature = "profile-components", inline(never))]
    pub(crate) fn insert_at(&mut self, slot: Found, addr: u32, size: u32) {
        self.len += 1;
        let Found { leaf: k, pos } = slot;
        let l = &mut self.leaves[k];
        l.addr.insert(pos, addr);
        l.size.insert(pos, size);
        if pos == 0 {
            self.first[k] = addr;
        }
        if l.len() > LEAF {
            let half = l.len() / 2;
            let mut right = Leaf::new();
            right.addr.extend_from_slice(&l.addr[half..]);
            right.size.extend_from_slice(&l.size[half..]);
            l.addr.truncate(half);
            l.size.truncate(half);
            self.leaves.insert(k + 1, right);
            self.rebuild_from(k);
        } else {
            self.raise_max(k, size);
        }
    }

    /// Removes the block a search found; returns its size.
    #[cfg_attr(feature = "profile-components", inline(never))]
    pub(crate) fn remove_at(&mut self, f: Found) -> u32 {
        self.len -= 1;
        let k = f.leaf;
        let l = &mut self.leaves[k];
        l.addr.remove(f.pos);
        let size = l.size.remove(f.pos);
        // Only a lone leaf can empty (any other is refilled at MIN_FILL); it stays.
        let short = l.len() < MIN_FILL;
        if f.pos == 0 {
            self.first[k] = l.addr.first().copied().unwrap_or(0);
        }
        if size == self.lmax[k] {
            self.refresh_max(k);
        }
        if short && self.leaves.len() > 1 {
            self.refill(k);
        }
        size
    }

    /// Leaf `k` fell under [`MIN_FILL`]: it merges with a neighbour when both fit in one leaf,
    /// else it takes the neighbour's nearest block (the neighbour has more than
    /// [`LEAF`] − [`MIN_FILL`], so it keeps at least [`MIN_FILL`]).
    fn refill(&mut self, k: usize) {
        let (a, b) = if k + 1 < self.leaves.len() {
            (k, k + 1)
        } else {
            (k - 1, k)
        };
        if self.leaves[a].len() + self.leaves[b].len() <= LEAF {
            let right = self.leaves.remove(b);
            let left = &mut self.leaves[a];
            left.addr.extend_from_slice(&right.addr);
            left.size.extend_from_slice(&right.size);
            self.rebuild_from(a);
        } else if a == k {
            self.move_across(b, a);
        } else {
            self.move_across(a, b);
        }
    }

    /// Moves the block next to the boundary between neighbouring leaves `from` and `to`
    /// across it: the right leaf's first block, or the left leaf's last.
    fn move_across(&mut self, from: usize, to: usize) {
        let (take, put) = if from > to {
            (0, self.leaves[to].len())
        } else {
            (self.leaves[from].len() - 1, 0)
        };
        let donor = &mut self.leaves[from];
        let (addr, size) = (donor.addr.remove(take), donor.size.remove(take));
        let taker = &mut self.leaves[to];
        taker.addr.insert(put, addr);
        taker.size.insert(put, size);
        let right = from.max(to);
        self.first[right] = self.leaves[right].addr[0];
        self.raise_max(to, size);
        if size == self.lmax[from] {
            self.refresh_max(from);
        }
    }

    /// Removes the block at `addr`; returns its size.
    #[cfg_attr(feature = "profile-components", inline(never))]
    pub(crate) fn remove(&mut self, addr: u32) -> Option<u32> {
        let f = self.seek(addr);
        (self.at_or_after(f).filter(|&f| self.at(f).0 == addr)).map(|f| self.remove_at(f))
    }

    /// Gives the block a search found a new address and size. The caller guarantees that no
    /// other block lies between the old and the new address.
    #[cfg_attr(feature = "profile-components", inline(never))]
    pub(crate) fn set_at(&mut self, f: Found, addr: u32, size: u32) {
        let l = &mut self.leaves[f.leaf];
        l.addr[f.pos] = addr;
        let old = std::mem::replace(&mut l.size[f.pos], size);
        if f.pos == 0 {
            self.first[f.leaf] = addr;
        }
        if size > old {
            self.raise_max(f.leaf, size);
        } else if size < old && old == self.lmax[f.leaf] {
            self.refresh_max(f.leaf);
        }
    }

    /// Moves the block at `old` to address `addr` with `size` (see [`Self::set_at`]).
    #[cfg_attr(feature = "profile-components", inline(never))]
    pub(crate) fn rekey(&mut self, old: u32, addr: u32, size: u32) {
        let f = self.seek(old);
        if let Some(f) = self.at_or_after(f).filter(|&f| self.at(f).0 == old) {
            self.set_at(f, addr, size);
        }
    }

    /// The blocks right below and at-or-above `addr`: `(pred, succ)`, with where they are,
    /// and the slot where `addr` would be inserted ([`Self::insert_at`]).
    #[cfg_attr(feature = "profile-components", inline(never))]
    pub(crate) fn neighbors(&self, addr: u32) -> (Option<Located>, Option<Located>, Found) {
        let f = self.seek(addr);
        let pred = self.before(f).map(|p| (self.at(p), p));
        let succ = self.at_or_after(f).map(|s| (self.at(s), s));
        (pred, succ, f)
    }

    /// The block with the greatest address `< addr`.
    #[cfg_attr(feature = "profile-components", inline(never))]
    pub(crate) fn pred(&self, addr: u32) -> Option<Free> {
        self.neighbors(addr).0.map(|p| p.0)
    }

    /// The block with the least address `>= addr`.
    #[cfg(test)]
    pub(crate) fn succ(&self, addr: u32) -> Option<Free> {
        self.neighbors(addr).1.map(|s| s.0)
    }

    /// The block with the greatest address.
    #[cfg_attr(feature = "profile-components", inline(never))]
    pub(crate) fn last(&self) -> Option<Free> {
        let l = self.leaves.last()?;
        Some((*l.addr.last()?, *l.size.last()?))
    }

    /// The lowest-addressed block of at least `size` bytes, the block right below it (its
    /// predecessor in the free list), and where it is.
    #[cfg_attr(feature = "profile-components", inline(never))]
    pub(crate) fn first_fit(&self, size: u64) -> Option<(Free, Option<Free>, Found)> {
        let g = first_at_least(&self.gmax, size)?;
        let end = self.lmax.len().min((g + 1) * GROUP);
        let leaf = g * GROUP + first_at_least(&self.lmax[g * GROUP..end], size)?;
        let pos = first_at_least(&self.leaves[leaf].size, size)?;
        let f = Found { leaf, pos };
        Some((self.at(f), self.before(f).map(|p| self.at(p)), f))
    }

    /// The largest block size (0 when empty).
    pub(crate) fn largest(&self) -> u32 {
        max_of(&self.gmax)
    }

    /// Checks every summary against the leaves (tests only).
    #[cfg(test)]
    fn verify(&self) {
        assert_eq!(self.first.len(), self.leaves.len());
        assert_eq!(self.lmax.len(), self.leaves.len());
        assert_eq!(self.gmax.len(), self.leaves.len().div_ceil(GROUP));
        let mut prev = None;
        let mut n = 0;
        for (k, l) in self.leaves.iter().enumerate() {
            assert!(
                (l.len() > 0 || self.leaves.len() == 1) && l.len() <= LEAF,
                "leaf {k} size"
            );
            assert!(
                self.leaves.len() == 1 || l.len() >= MIN_FILL,
                "leaf {k} of {} holds {}",
                self.leaves.len(),
                l.len()
            );
            assert_eq!(l.addr.len(), l.size.len());
            assert_eq!(
                (l.addr.capacity(), l.size.capacity()),
                (LEAF + 1, LEAF + 1),
                "leaf {k} reallocated"
            );
            assert_eq!(
                self.first[k],
                l.addr.first().copied().unwrap_or(0),
                "first of leaf {k}"
            );
            assert_eq!(self.lmax[k], l.max(), "max of leaf {k}");
            for &a in &l.addr {
                assert!(prev < Some(a), "order at {a}");
                prev = Some(a);
            }
            n += l.len();
        }
        for (g, &m) in self.gmax.iter().enumerate() {
            let end = self.lmax.len().min((g + 1) * GROUP);
            assert_eq!(m, max_of(&self.lmax[g * GROUP..end]), "max of group {g}");
        }
        assert_eq!(n, self.len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn model_first_fit(m: &BTreeMap<u32, u32>, size: u64) -> Option<(u32, u32)> {
        m.iter()
            .find(|(_, &s)| u64::from(s) >= size)
            .map(|(&a, &s)| (a, s))
    }

    /// Random inserts, removals and resizes, through searches and by address, against an
    /// ordered map; every summary and leaf fill re-checked after every step, and the memory
    /// at most 20 bytes per block once there are 1,000. Address ranges of 4,000 and 40,000
    /// keys grow the index to a few and to hundreds of leaves (several groups).
    #[test]
    fn agrees_with_an_ordered_map() {
        let mut worst: f64 = 0.0;
        for (keys, steps) in [(4000u64, 20_000), (40_000, 60_000)] {
            let mut x = 12345u64 + keys;
            let mut rnd = |n: u64| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x % n
            };
            let mut t = FreeIndex::new();
            let mut m = BTreeMap::new();
            for step in 0..steps {
                let addr = rnd(keys) as u32 * 8;
                let by_search = step % 2 == 1;
                // Grow first, then hover.
                match rnd(if step < steps / 2 { 4 } else { 5 }) {
                    0 | 1 if !m.contains_key(&addr) => {
                        let size = 8 + rnd(512) as u32 * 8;
                        if by_search {
                            let (_, _, slot) = t.neighbors(addr);
                            t.insert_at(slot, addr, size);
                        } else {
                            t.insert(addr, size);
                        }
                        m.insert(addr, size);
                    }
                    2 | 4 if by_search => {
                        let (_, succ, _) = t.neighbors(addr);
                        match succ.filter(|s| s.0 .0 == addr) {
                            Some((_, at)) => assert_eq!(Some(t.remove_at(at)), m.remove(&addr)),
                            None => assert!(!m.contains_key(&addr), "step {step}"),
                        }
                    }
                    2 | 4 => assert_eq!(t.remove(addr), m.remove(&addr), "step {step}"),
                    3 => {
                        // Take a first fit as malloc does: remove it or move its start up.
                        let want = rnd(4200);
                        if let Some(((a, s), _, at)) = t.first_fit(want) {
                            let room = m.range(a + 1..).next().map_or(s, |(&n, _)| s.min(n - a));
                            if by_search && room > 8 {
                                let cut = 8 * (1 + rnd(u64::from(room / 8 - 1)) as u32);
                                t.set_at(at, a + cut, s - cut);
                                m.remove(&a);
                                m.insert(a + cut, s - cut);
                            } else {
                                assert_eq!(t.remove_at(at), s);
                                m.remove(&a);
                            }
                        }
                    }
                    _ => {
                        if m.contains_key(&addr) {
                            let size = 8 + rnd(512) as u32 * 8;
                            if by_search {
                                let (_, succ, _) = t.neighbors(addr);
                                t.set_at(succ.unwrap().1, addr, size);
                            } else {
                                t.rekey(addr, addr, size);
                            }
                            m.insert(addr, size);
                        }
                    }
                }
                t.verify();
                if t.len() >= 1000 {
                    let per = t.heap_bytes() as f64 / t.len() as f64;
                    worst = worst.max(per);
                    assert!(per <= 20.0, "step {step}: {per:.1} bytes per block");
                }
                let q = rnd(keys + 1000) as u32 * 8;
                let want = rnd(4200);
                assert_eq!(
                    t.first_fit(want).map(|f| f.0),
                    model_first_fit(&m, want),
                    "step {step}"
                );
                if let Some(((a, _), pred, _)) = t.first_fit(want) {
                    assert_eq!(pred, m.range(..a).next_back().map(|(&a, &s)| (a, s)));
                }
                assert_eq!(t.pred(q), m.range(..q).next_back().map(|(&a, &s)| (a, s)));
                assert_eq!(t.succ(q), m.range(q..).next().map(|(&a, &s)| (a, s)));
                assert_eq!(t.last(), m.iter().next_back().map(|(&a, &s)| (a, s)));
                assert_eq!(t.len(), m.len());
                assert_eq!(t.largest(), m.values().copied().max().unwrap_or(0));
            }
            assert!(
                t.leaves.len() > GROUP || keys < 10_000,
                "several groups reached"
            );
        }
        println!("largest index bytes per free block (>= 1,000 blocks): {worst:.1}");
    }

    #[test]
    fn builds_from_sorted_blocks() {
        let blocks: Vec<(u32, u32)> = (0..50_000)
            .map(|i| (i * 64, 8 + (i * 37 % 97) * 8))
            .collect();
        let t = FreeIndex::from_sorted(blocks.iter().copied());
        t.verify();
        let m: BTreeMap<u32, u32> = blocks.into_iter().collect();
        assert_eq!(t.len(), m.len());
        for want in [8, 100, 500, 776, 777, 10_000] {
            assert_eq!(t.first_fit(want).map(|f| f.0), model_first_fit(&m, want));
        }
        assert_eq!(t.largest(), m.values().copied().max().unwrap());
        assert_eq!(t.pred(64 * 2500), Some((64 * 2499, m[&(64 * 2499)])));
        assert!(FreeIndex::from_sorted([]).first_fit(1).is_none());
    }
    /// The leaves' sizes: a leaf splits only when over [`LEAF`] blocks, and refills from a
    /// neighbour only when under [`MIN_FILL`] (the mutation run found both edges untested).
    #[test]
    fn leaves_split_over_leaf_and_refill_under_min_fill() {
        let mut t = FreeIndex::new();
        for i in 0..LEAF as u32 {
            t.insert(i * 16, 8);
        }
        assert_eq!(t.leaves.len(), 1, "{LEAF} blocks fit in one leaf");
        t.insert(LEAF as u32 * 16, 8);
        assert_eq!(t.leaves.len(), 2, "one more splits it");
        // Two leaves of MIN_FILL + 1 and MIN_FILL blocks: taking one from the first leaves it
        // at MIN_FILL, which is full enough.
        let mut t = FreeIndex::from_sorted((0..2 * MIN_FILL as u32 + 1).map(|i| (i * 16, 8)));
        assert_eq!(t.leaves.iter().map(Leaf::len).collect::<Vec<_>>(), [33, 32]);
        t.remove(0);
        assert_eq!(t.leaves.len(), 2, "a leaf at MIN_FILL is not refilled");
        t.remove(16);
        assert_eq!(
            t.leaves.len(),
            1,
            "one under MIN_FILL merges with its neighbour"
        );
        t.verify();
    }

    /// The leaf arrays give memory back only when under a quarter full (to half), and the
    /// memory the index reports covers at least every block's address and size.
    #[test]
    fn leaf_arrays_shrink_under_a_quarter_and_memory_is_counted() {
        let n = 17 * LEAF as u32;
        let mut t = FreeIndex::from_sorted((0..n).map(|i| (i * 16, 8)));
        assert_eq!((t.leaves.len(), t.leaves.capacity()), (17, 32));
        assert!(t.heap_bytes() >= n as usize * 8, "{} bytes", t.heap_bytes());
        // Every array is counted at its capacity: the leaves' own, the leaf vector, and the
        // per-leaf summaries (`first`, `lmax`: 4 bytes a leaf each).
        let leaf_arrays: usize = t.leaves.iter().map(|l| 8 * l.addr.capacity()).sum();
        let summaries = 4 * (t.first.capacity() + t.lmax.capacity());
        assert!(
            t.heap_bytes()
                >= leaf_arrays + t.leaves.capacity() * std::mem::size_of::<Leaf>() + summaries,
            "{} bytes",
            t.heap_bytes()
        );
        // Exactly: each array at its capacity, 4 bytes an element (`gmax` too).
        let exact = |t: &FreeIndex| {
            let leaf_arrays: usize = t
                .leaves
                .iter()
                .map(|l| 4 * (l.addr.capacity() + l.size.capacity()))
                .sum();
            leaf_arrays
                + t.leaves.capacity() * std::mem::size_of::<Leaf>()
                + 4 * t.first.capacity()
                + 4 * t.lmax.capacity()
                + 4 * t.gmax.capacity()
        };
        assert!(t.gmax.capacity() > 0);
        assert_eq!(t.heap_bytes(), exact(&t));
        let mut addr = 0;
        while t.leaves.len() > 8 {
            t.remove(addr);
            addr += 16;
            assert_eq!(t.leaves.capacity(), 32, "{} leaves", t.leaves.len());
        }
        while t.leaves.len() > 7 {
            t.remove(addr);
            addr += 16;
        }
        assert_eq!(t.leaves.capacity(), 14, "under a quarter full: to half");
        assert!(t.heap_bytes() >= t.len() * 8);
        t.verify();
    }
}
