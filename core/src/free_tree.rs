//! The fast engine's index of free blocks: a treap keyed by block address in which every
//! node also knows the largest block size in its subtree, so that first fit by address is
//! O(log n): descend left whenever the left subtree holds a block large enough.
//!
//! Nodes live in one `Vec` (indices, no pointers, no unsafe); removed slots are reused.
//! A node costs 24 bytes.
//!
//! A search remembers its way down (`path`): the search that found a block hands back a
//! [`Found`], and the update that follows ([`FreeTree::set_at`], [`FreeTree::remove_at`],
//! [`FreeTree::insert_on_path`]) works from there instead of descending again. A `Found` is
//! valid until the next change of the tree's shape.

const NIL: u32 = u32::MAX;

/// A free block as the tree reports it: `(address, size)`.
pub(crate) type Free = (u32, u32);

/// Where the last search found a block: its node and its depth, so that its ancestors are
/// `path[..depth]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Found {
    node: u32,
    depth: u32,
}

/// A block and where the search found it.
pub(crate) type Located = (Free, Found);

impl Found {
    /// How far below the root the block is.
    pub(crate) fn depth(self) -> u32 {
        self.depth
    }
}

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
    /// Scratch: the nodes above the one an operation works on.
    path: Vec<u32>,
}

impl Default for FreeTree {
    fn default() -> Self {
        Self {
            nodes: Vec::new(),
            root: NIL,
            vacant: Vec::new(),
            len: 0,
            rng: 0x9e37_79b9,
            path: Vec::new(),
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
        self.path.clear();
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

    /// Recomputes the subtree maximum of `n`; whether it changed.
    fn pull(&mut self, n: u32) -> bool {
        let Node {
            size,
            left,
            right,
            max,
            ..
        } = self.nodes[n as usize];
        let new = size.max(self.max_of(left)).max(self.max_of(right));
        self.nodes[n as usize].max = new;
        new != max
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

    /// Descends to the node with key `addr`, leaving the nodes above it in `self.path`
    /// (root first). Returns the node, or `NIL` when `addr` is not in the tree.
    fn find_path(&mut self, addr: u32) -> u32 {
        self.path.clear();
        let mut t = self.root;
        while t != NIL {
            let n = self.nodes[t as usize];
            if addr == n.addr {
                break;
            }
            self.path.push(t);
            t = if addr < n.addr { n.left } else { n.right };
        }
        t
    }

    /// Points the child link of `parent` toward `addr` (or the root) at `node`.
    fn set_child(&mut self, parent: Option<u32>, addr: u32, node: u32) {
        match parent {
            None => self.root = node,
            Some(p) if addr < self.nodes[p as usize].addr => self.nodes[p as usize].left = node,
            Some(p) => self.nodes[p as usize].right = node,
        }
    }

    /// Recomputes the maxima of the nodes `path[..depth]`, deepest first, stopping at the
    /// first node whose maximum stays the same: nothing above it can change then.
    fn pull_above(&mut self, depth: usize) {
        for i in (0..depth).rev() {
            let p = self.path[i];
            if !self.pull(p) {
                break;
            }
        }
    }

    /// Adds a block (its address must not be in the tree). One descent to where the new
    /// node's priority puts it, then a split of the (expected small) subtree below.
    pub(crate) fn insert(&mut self, addr: u32, size: u32) {
        let n = self.alloc(addr, size);
        let prio = self.nodes[n as usize].prio;
        self.path.clear();
        let mut t = self.root;
        while t != NIL && self.nodes[t as usize].prio > prio {
            self.path.push(t);
            let node = self.nodes[t as usize];
            t = if addr < node.addr {
                node.left
            } else {
                node.right
            };
        }
        self.link_new(n, t, self.path.len());
    }

    /// Adds a block right after [`Self::neighbors`] searched for its address: the new node
    /// goes where the first node of that path with a lower priority is, no new descent.
    pub(crate) fn insert_on_path(&mut self, addr: u32, size: u32) {
        let n = self.alloc(addr, size);
        let prio = self.nodes[n as usize].prio;
        let depth = self
            .path
            .iter()
            .position(|&t| self.nodes[t as usize].prio <= prio)
            .unwrap_or(self.path.len());
        let t = self.path.get(depth).copied().unwrap_or(NIL);
        self.link_new(n, t, depth);
    }

    /// Puts new node `n` in the place of subtree `t`, whose ancestors are `path[..depth]`.
    fn link_new(&mut self, n: u32, t: u32, depth: usize) {
        let addr = self.nodes[n as usize].addr;
        let (l, r) = self.split(t, addr);
        self.nodes[n as usize].left = l;
        self.nodes[n as usize].right = r;
        self.pull(n);
        let parent = depth.checked_sub(1).map(|d| self.path[d]);
        self.set_child(parent, addr, n);
        self.pull_above(depth);
    }

    /// Removes the block at `addr`; returns its size. One descent, then the node's two
    /// children are merged in its place.
    pub(crate) fn remove(&mut self, addr: u32) -> Option<u32> {
        let t = self.find_path(addr);
        if t == NIL {
            return None;
        }
        let depth = self.path.len() as u32;
        Some(self.remove_at(Found { node: t, depth }))
    }

    /// Removes the block the last search found; returns its size.
    pub(crate) fn remove_at(&mut self, at: Found) -> u32 {
        let Node {
            addr,
            left,
            right,
            size,
            ..
        } = self.nodes[at.node as usize];
        let depth = at.depth as usize;
        let m = self.merge(left, right);
        let parent = depth.checked_sub(1).map(|d| self.path[d]);
        self.set_child(parent, addr, m);
        self.pull_above(depth);
        self.vacant.push(at.node);
        self.len -= 1;
        size
    }

    /// Gives the block the last search found a new address and size. The caller guarantees
    /// that no other block lies between the old and the new address.
    pub(crate) fn set_at(&mut self, at: Found, addr: u32, size: u32) {
        let node = &mut self.nodes[at.node as usize];
        node.addr = addr;
        node.size = size;
        if self.pull(at.node) {
            self.pull_above(at.depth as usize);
        }
    }

    /// Moves the block at `old` to address `addr` with `size`. The caller guarantees that no
    /// other block lies between `old` and `addr`, so the order is unchanged.
    pub(crate) fn rekey(&mut self, old: u32, addr: u32, size: u32) {
        let t = self.find_path(old);
        if t != NIL {
            let depth = self.path.len() as u32;
            self.set_at(Found { node: t, depth }, addr, size);
        }
    }

    /// The blocks right below and at-or-above `addr`: `(pred, succ)` in one descent, which
    /// is remembered: the `Found`s stay valid until the tree's shape changes, and
    /// [`Self::insert_on_path`] can add `addr` without a second descent.
    pub(crate) fn neighbors(&mut self, addr: u32) -> (Option<Located>, Option<Located>) {
        let (mut pred, mut succ) = (None, None);
        self.path.clear();
        let mut t = self.root;
        while t != NIL {
            let n = self.nodes[t as usize];
            let at = Found {
                node: t,
                depth: self.path.len() as u32,
            };
            self.path.push(t);
            if n.addr < addr {
                pred = Some(((n.addr, n.size), at));
                t = n.right;
            } else {
                succ = Some(((n.addr, n.size), at));
                t = n.left;
            }
        }
        (pred, succ)
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
    #[cfg(test)]
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

    /// The lowest-addressed block of at least `size` bytes, and the block right below it
    /// (its predecessor in the free list), found in the same descent, which is remembered.
    pub(crate) fn first_fit(&mut self, size: u64) -> Option<(Free, Option<Free>, Found)> {
        self.path.clear();
        let mut t = self.root;
        if t == NIL || u64::from(self.max_of(t)) < size {
            return None;
        }
        // The last node passed on the left of the path: the predecessor unless the found
        // node has a left subtree.
        let mut below = None;
        while t != NIL {
            let n = self.nodes[t as usize];
            if n.left != NIL && u64::from(self.max_of(n.left)) >= size {
                self.path.push(t);
                t = n.left;
            } else if u64::from(n.size) >= size {
                let pred = if n.left == NIL {
                    below
                } else {
                    let mut p = n.left;
                    while self.nodes[p as usize].right != NIL {
                        p = self.nodes[p as usize].right;
                    }
                    Some((self.nodes[p as usize].addr, self.nodes[p as usize].size))
                };
                let at = Found {
                    node: t,
                    depth: self.path.len() as u32,
                };
                return Some(((n.addr, n.size), pred, at));
            } else {
                below = Some((n.addr, n.size));
                self.path.push(t);
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
            // Odd steps go through the remembered-path operations, even ones descend anew.
            let by_path = step % 2 == 1;
            match rnd(5) {
                0 | 1 if !m.contains_key(&addr) => {
                    let size = 8 + rnd(512) as u32 * 8;
                    if by_path {
                        t.neighbors(addr);
                        t.insert_on_path(addr, size);
                    } else {
                        t.insert(addr, size);
                    }
                    m.insert(addr, size);
                }
                2 if by_path => {
                    let (_, succ) = t.neighbors(addr);
                    match succ.filter(|s| s.0 .0 == addr) {
                        Some((_, at)) => assert_eq!(Some(t.remove_at(at)), m.remove(&addr)),
                        None => assert!(!m.contains_key(&addr), "step {step}"),
                    }
                }
                2 => assert_eq!(t.remove(addr), m.remove(&addr), "step {step}"),
                3 => {
                    // Take a first fit as malloc does: remove it or shrink it in place.
                    let want = rnd(4200);
                    if let Some(((a, s), _, at)) = t.first_fit(want) {
                        // The new address must stay below the next key (the model's blocks
                        // may overlap; the tree only needs the order kept).
                        let room = m.range(a + 1..).next().map_or(s, |(&n, _)| s.min(n - a));
                        if by_path && room > 8 {
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
                        if by_path {
                            let (_, succ) = t.neighbors(addr);
                            t.set_at(succ.unwrap().1, addr, size);
                        } else {
                            t.rekey(addr, addr, size);
                        }
                        m.insert(addr, size);
                    }
                }
            }
            verify(&t, t.root);
            let q = rnd(5000) as u32 * 8;
            let want = rnd(4200);
            assert_eq!(
                t.first_fit(want).map(|f| f.0),
                model_first_fit(&m, want),
                "step {step}"
            );
            if let Some(((a, _), pred, _)) = t.first_fit(want) {
                assert_eq!(pred, m.range(..a).next_back().map(|(&a, &s)| (a, s)));
            }
            let (p, s) = t.neighbors(q);
            assert_eq!((p.map(|p| p.0), s.map(|s| s.0)), (t.pred(q), t.succ(q)));
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
        let mut t = FreeTree::from_sorted(blocks.iter().copied());
        let m: BTreeMap<u32, u32> = blocks.into_iter().collect();
        assert_eq!(t.len(), m.len());
        for want in [8, 100, 500, 776, 777, 10_000] {
            assert_eq!(t.first_fit(want).map(|f| f.0), model_first_fit(&m, want));
        }
        assert_eq!(t.largest(), m.values().copied().max().unwrap());
        assert_eq!(t.pred(64 * 2500), Some((64 * 2499, m[&(64 * 2499)])));
    }
}
