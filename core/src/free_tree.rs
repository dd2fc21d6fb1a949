//! The fast engine's index of free blocks: a treap keyed by block address in which every
//! node also knows the largest block size in its subtree, so that first fit by address is
//! O(log n): descend left whenever the left subtree holds a block large enough.
//!
//! Nodes live in one `Vec` (indices, no pointers, no unsafe); removed slots are reused.
//! A node costs 24 bytes.

const NIL: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct Node {
    addr: u32,
    size: u32,
    /// Largest `size` in this subtree.
    max: u32,
    prio: u32,
    left: u32,
    right: u32,
}

/// Free blocks by address, with subtree maxima of their sizes.
#[derive(Debug, Clone)]
pub(crate) struct FreeTree {
    nodes: Vec<Node>,
    root: u32,
    vacant: Vec<u32>,
    len: usize,
    rng: u32,
}

impl Default for FreeTree {
    fn default() -> Self {
        Self {
            nodes: Vec::new(),
            root: NIL,
            vacant: Vec::new(),
            len: 0,
            rng: 0x9e37_79b9,
        }
    }
}

impl FreeTree {
    /// Number of blocks.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Bytes of host memory the index holds.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>() + self.vacant.capacity() * 4
    }

    /// Removes every block.
    pub(crate) fn clear(&mut self) {
        self.nodes.clear();
        self.vacant.clear();
        self.root = NIL;
        self.len = 0;
    }

    /// Builds the tree from blocks sorted by strictly increasing address in O(n)
    /// (a Cartesian tree by priority, built with a stack).
    pub(crate) fn from_sorted(blocks: impl IntoIterator<Item = (u32, u32)>) -> Self {
        let mut t = Self::default();
        let mut stack: Vec<u32> = Vec::new();
        for (addr, size) in blocks {
            let n = t.alloc(addr, size);
            let mut last = NIL;
            while let Some(&top) = stack.last() {
                if t.nodes[top as usize].prio >= t.nodes[n as usize].prio {
                    break;
                }
                // A popped node's subtree is complete: fix its maximum (deepest first).
                last = top;
                stack.pop();
                t.pull(top);
            }
            t.nodes[n as usize].left = last;
            if let Some(&top) = stack.last() {
                t.nodes[top as usize].right = n;
            }
            stack.push(n);
        }
        // The right spine is left on the stack, root at the bottom: fix it deepest first.
        t.root = stack.first().copied().unwrap_or(NIL);
        while let Some(n) = stack.pop() {
            t.pull(n);
        }
        t
    }

    fn next_prio(&mut self) -> u32 {
        // xorshift32: priorities only need to be well spread, not secret.
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng = x;
        x
    }

    fn alloc(&mut self, addr: u32, size: u32) -> u32 {
        let node = Node {
            addr,
            size,
            max: size,
            prio: self.next_prio(),
            left: NIL,
            right: NIL,
        };
        self.len += 1;
        if let Some(i) = self.vacant.pop() {
            self.nodes[i as usize] = node;
            i
        } else {
            self.nodes.push(node);
            (self.nodes.len() - 1) as u32
        }
    }

    fn max_of(&self, n: u32) -> u32 {
        if n == NIL {
            0
        } else {
            self.nodes[n as usize].max
        }
    }

    fn pull(&mut self, n: u32) {
        let Node {
            size, left, right, ..
        } = self.nodes[n as usize];
        self.nodes[n as usize].max = size.max(self.max_of(left)).max(self.max_of(right));
    }

    /// Splits `t` into keys `< addr` and keys `>= addr`.
    fn split(&mut self, t: u32, addr: u32) -> (u32, u32) {
        if t == NIL {
            return (NIL, NIL);
        }
        if self.nodes[t as usize].addr < addr {
            let (l, r) = self.split(self.nodes[t as usize].right, addr);
            self.nodes[t as usize].right = l;
            self.pull(t);
            (t, r)
        } else {
            let (l, r) = self.split(self.nodes[t as usize].left, addr);
            self.nodes[t as usize].left = r;
            self.pull(t);
            (l, t)
        }
    }

    /// Joins `a` and `b`, every key of `a` below every key of `b`.
    fn merge(&mut self, a: u32, b: u32) -> u32 {
        if a == NIL {
            return b;
        }
        if b == NIL {
            return a;
        }
        if self.nodes[a as usize].prio > self.nodes[b as usize].prio {
            let r = self.merge(self.nodes[a as usize].right, b);
            self.nodes[a as usize].right = r;
            self.pull(a);
            a
        } else {
            let l = self.merge(a, self.nodes[b as usize].left);
            self.nodes[b as usize].left = l;
            self.pull(b);
            b
        }
    }

    /// Adds a block (its address must not be in the tree).
    pub(crate) fn insert(&mut self, addr: u32, size: u32) {
        let n = self.alloc(addr, size);
        let (l, r) = self.split(self.root, addr);
        let l = self.merge(l, n);
        self.root = self.merge(l, r);
    }

    /// Removes the block at `addr`; returns its size.
    pub(crate) fn remove(&mut self, addr: u32) -> Option<u32> {
        let (l, r) = self.split(self.root, addr);
        let (m, r) = match addr.checked_add(1) {
            Some(next) => self.split(r, next),
            None => (r, NIL),
        };
        self.root = self.merge(l, r);
        if m == NIL {
            return None;
        }
        // Keys are unique, so `m` is one node.
        self.vacant.push(m);
        self.len -= 1;
        Some(self.nodes[m as usize].size)
    }

    /// Changes the size of the block at `addr` (which must be in the tree).
    pub(crate) fn set_size(&mut self, addr: u32, size: u32) {
        self.set_size_in(self.root, addr, size);
    }

    fn set_size_in(&mut self, t: u32, addr: u32, size: u32) {
        if t == NIL {
            return;
        }
        let node = self.nodes[t as usize];
        if addr < node.addr {
            self.set_size_in(node.left, addr, size);
        } else if addr > node.addr {
            self.set_size_in(node.right, addr, size);
        } else {
            self.nodes[t as usize].size = size;
        }
        self.pull(t);
    }

    /// The block with the greatest address `< addr`.
    pub(crate) fn pred(&self, addr: u32) -> Option<(u32, u32)> {
        let mut t = self.root;
        let mut best = None;
        while t != NIL {
            let n = &self.nodes[t as usize];
            if n.addr < addr {
                best = Some((n.addr, n.size));
                t = n.right;
            } else {
                t = n.left;
            }
        }
        best
    }

    /// The block with the least address `>= addr`.
    pub(crate) fn succ(&self, addr: u32) -> Option<(u32, u32)> {
        let mut t = self.root;
        let mut best = None;
        while t != NIL {
            let n = &self.nodes[t as usize];
            if n.addr >= addr {
                best = Some((n.addr, n.size));
                t = n.left;
            } else {
                t = n.right;
            }
        }
        best
    }

    /// The block with the greatest address.
    pub(crate) fn last(&self) -> Option<(u32, u32)> {
        let mut t = self.root;
        let mut best = None;
        while t != NIL {
            let n = &self.nodes[t as usize];
            best = Some((n.addr, n.size));
            t = n.right;
        }
        best
    }

    /// The lowest-addressed block of at least `size` bytes.
    pub(crate) fn first_fit(&self, size: u64) -> Option<(u32, u32)> {
        let mut t = self.root;
        if t == NIL || u64::from(self.max_of(t)) < size {
            return None;
        }
        while t != NIL {
            let n = &self.nodes[t as usize];
            if n.left != NIL && u64::from(self.max_of(n.left)) >= size {
                t = n.left;
            } else if u64::from(n.size) >= size {
                return Some((n.addr, n.size));
            } else {
                t = n.right;
            }
        }
        None
    }

    /// The largest block size (0 when empty).
    pub(crate) fn largest(&self) -> u32 {
        self.max_of(self.root)
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

    /// Recomputes every subtree maximum and compares.
    fn verify(t: &FreeTree, n: u32) -> u32 {
        if n == NIL {
            return 0;
        }
        let node = t.nodes[n as usize];
        let m = node
            .size
            .max(verify(t, node.left))
            .max(verify(t, node.right));
        assert_eq!(node.max, m, "stale max at {}", node.addr);
        m
    }

    #[test]
    fn agrees_with_an_ordered_map() {
        let mut x = 12345u64;
        let mut rnd = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let mut t = FreeTree::default();
        let mut m = BTreeMap::new();
        for step in 0..20_000 {
            let addr = rnd(4000) as u32 * 8;
            match rnd(4) {
                0 | 1 if !m.contains_key(&addr) => {
                    let size = 8 + rnd(512) as u32 * 8;
                    t.insert(addr, size);
                    m.insert(addr, size);
                }
                2 => assert_eq!(t.remove(addr), m.remove(&addr), "step {step}"),
                _ => {
                    if m.contains_key(&addr) {
                        let size = 8 + rnd(512) as u32 * 8;
                        t.set_size(addr, size);
                        m.insert(addr, size);
                    }
                }
            }
            verify(&t, t.root);
            let q = rnd(5000) as u32 * 8;
            let want = rnd(4200);
            assert_eq!(t.first_fit(want), model_first_fit(&m, want), "step {step}");
            assert_eq!(t.pred(q), m.range(..q).next_back().map(|(&a, &s)| (a, s)));
            assert_eq!(t.succ(q), m.range(q..).next().map(|(&a, &s)| (a, s)));
            assert_eq!(t.last(), m.iter().next_back().map(|(&a, &s)| (a, s)));
            assert_eq!(t.len(), m.len());
            assert_eq!(t.largest(), m.values().copied().max().unwrap_or(0));
        }
    }

    #[test]
    fn builds_from_sorted_blocks() {
        let blocks: Vec<(u32, u32)> = (0..5000).map(|i| (i * 64, 8 + (i * 37 % 97) * 8)).collect();
        let t = FreeTree::from_sorted(blocks.iter().copied());
        let m: BTreeMap<u32, u32> = blocks.into_iter().collect();
        assert_eq!(t.len(), m.len());
        for want in [8, 100, 500, 776, 777, 10_000] {
            assert_eq!(t.first_fit(want), model_first_fit(&m, want));
        }
        assert_eq!(t.largest(), m.values().copied().max().unwrap());
        assert_eq!(t.pred(64 * 2500), Some((64 * 2499, m[&(64 * 2499)])));
    }
}
