//! The fast engine's table of used blocks: for every block on the used list, where to find
//! its predecessor in that list (0 for the head), so `free` and `realloc` unlink a block
//! without walking the list.
//!
//! Two parts, because most blocks are freed young (on the recorded traces 75–85 % of frees
//! hit one of the four newest blocks):
//!
//! - **the window**: the [`WINDOW`] or fewer newest used blocks, in list order, in a small
//!   array. A block in the window has its predecessor beside it, so it is pushed and freed
//!   with no hashing at all: a scan of at most [`WINDOW`] addresses (newest first) and a
//!   shift of the newer ones.
//! - **the table**: every older used block, in an open-addressing hash table of
//!   `(block, pred)` pairs (8 bytes each; block 0 marks an empty slot, no block lives at
//!   address 0), with linear probing from the top bits of `block * 0x9E37_79B9` (Fibonacci
//!   hashing spreads addresses in arithmetic progressions evenly) and removal by shifting
//!   the rest of the cluster back (no tombstones). When the window is full, its older half
//!   moves into the table, each block with its predecessor.
//!
//! The oldest window block's successor on the list, the *boundary*, is the first block of the
//! table. Its predecessor is the oldest window block (or none, with an empty window), which
//! changes whenever that block is freed; so the table's entry for the boundary is not kept
//! up to date, and the boundary is remembered instead: its predecessor is read off the window.
//!
//! Costs: push O(1) (amortised: a spill moves [`WINDOW`] / 2 blocks every [`WINDOW`] / 2
//! pushes at the most); free of a window block O([`WINDOW`]); free of a table block: a
//! window scan, a lookup, a removal and an update of its successor's entry, each inspecting
//! the slots from the home slot to the first empty one: at the loads kept here (at most
//! 3/4) about 1.5 slots when the block is there and 8.5 when it is not, on average.
//!
//! Size: the table doubles once more than 3/4 full and halves once less than 3/10 full, with
//! [`MIN_SLOTS`] slots at the least. So it is between 3/10 and 3/4 full (above
//! [`MIN_SLOTS`]): at most 26.7 bytes per block in it. A resize leaves it 3/8 or 3/5 full,
//! so at least a fifth of its entries must come or go before the next one: resizing costs
//! O(1) per call amortised, whatever the sequence of calls (`tests/used_map_resizing.rs`).

/// Most blocks in the window.
pub(crate) const WINDOW: usize = 16;
const _: () = assert!(WINDOW < 32, "the window's hit mask is a u32");

/// Fewest slots (512 bytes): a table this small is never shrunk.
pub(crate) const MIN_SLOTS: usize = 64;

/// One slot: a used block and its predecessor on the used list, `[block, pred]`;
/// `block == 0`: empty. (An array, not a struct, so that a new table is a zeroed
/// allocation: fresh pages from the system, no fill.)
type Slot = [u32; 2];

/// An empty slot.
const EMPTY: Slot = [0, 0];

/// Where [`UsedTable::locate`] found a used block; valid until the table next changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// Position in the window.
    Window(usize),
    /// Slot in the table.
    Table(usize),
}

/// Used block -> used-list predecessor.
#[derive(Debug, Clone)]
pub(crate) struct UsedTable {
    /// The newest used blocks, oldest first: `window[n - 1]` is the head of the used list and
    /// `window[i]`'s predecessor is `window[i + 1]`.
    window: [u32; WINDOW],
    /// Blocks in the window.
    n: usize,
    /// The first block of the table in list order (0 when none): the successor of
    /// `window[0]`, or the head when the window is empty.
    boundary: u32,
    slots: Vec<Slot>,
    /// `32 - log2(slots.len())`: the home slot is the hash's top bits.
    shift: u32,
    /// Blocks in the table.
    len: usize,
}

impl UsedTable {
    /// An empty table of [`MIN_SLOTS`] slots.
    pub(crate) fn new() -> Self {
        Self::with_slots(MIN_SLOTS)
    }

    fn with_slots(slots: usize) -> Self {
        Self {
            window: [0; WINDOW],
            n: 0,
            boundary: 0,
            slots: vec![EMPTY; slots],
            shift: 32 - slots.trailing_zeros(),
            len: 0,
        }
    }

    /// The table of a used list given from its head, in O(n): every block in the table.
    pub(crate) fn from_list(list: &[u32]) -> Self {
        let mut slots = MIN_SLOTS;
        while list.len() * 4 > slots * 3 {
            slots *= 2;
        }
        let mut t = Self::with_slots(slots);
        let mut pred = 0;
        for &b in list {
            t.insert(b, pred);
            pred = b;
        }
        t.boundary = list.first().copied().unwrap_or(0);
        t
    }

    /// Number of used blocks.
    pub(crate) fn len(&self) -> usize {
        self.len + self.n
    }

    /// Bytes of host memory the table holds (its capacity; the window is part of the
    /// struct).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
    }

    fn mask(&self) -> usize {
        self.slots.len() - 1
    }

    /// The home slot of `block`.
    fn home(&self, block: u32) -> usize {
        // `shift` is at least 1: a table never has 2^32 slots.
        (block.wrapping_mul(0x9E37_79B9) >> self.shift) as usize
    }

    /// The slot holding `block`, or `Err` with the empty slot where it would go.
    fn find(&self, block: u32) -> Result<usize, usize> {
        let mask = self.mask();
        let mut i = self.home(block);
        loop {
            match self.slots[i][0] {
                b if b == block => return Ok(i),
                0 => return Err(i),
                _ => i = (i + 1) & mask,
            }
        }
    }

    /// Where used block `block` is, or `None` when it is not a used block.
    #[cfg_attr(feature = "profile-components", inline(never))]
    pub(crate) fn locate(&self, block: u32) -> Option<Place> {
        if block == 0 {
            return None;
        }
        // First whether it is there at all: all sixteen compared at once (the compiler
        // vectorises the fold; the slots past `n` hold leftovers, which the search below
        // skips), then where, newest first: frees mostly hit the newest blocks.
        if self.window.iter().fold(false, |hit, &b| hit | (b == block)) {
            if let Some(i) = self.window[..self.n].iter().rposition(|&b| b == block) {
                return Some(Place::Window(i));
            }
        }
        self.find(block).ok().map(Place::Table)
    }

    /// Whether `block` is a used block.
    pub(crate) fn contains(&self, block: u32) -> bool {
        self.locate(block).is_some()
    }

    /// `block` became the head of the used list (its next word points at the old head).
    #[cfg_attr(feature = "profile-components", inline(never))]
    pub(crate) fn push(&mut self, block: u32) {
        if self.n == WINDOW {
            self.spill();
        }
        self.window[self.n] = block;
        self.n += 1;
    }

    /// Moves the older half of the full window into the table.
    fn spill(&mut self) {
        let half = WINDOW / 2;
        if self.boundary != 0 {
            // Its predecessor, window[0], is leaving the window: now it is kept exactly.
            let old = self.window[0];
            self.set_pred(self.boundary, old);
        }
        for i in 0..half {
            self.insert(self.window[i], self.window[i + 1]);
        }
        self.boundary = self.window[half - 1];
        self.window.copy_within(half.., 0);
        self.n -= half;
    }

    /// Removes the block at `place` (as [`Self::locate`] found it; its successor on the used
    /// list is `next`) and returns its predecessor (0 when it was the head).
    #[cfg_attr(feature = "profile-components", inline(never))]
    pub(crate) fn remove(&mut self, place: Place, next: u32) -> u32 {
        match place {
            Place::Window(i) => {
                let pred = if i + 1 < self.n {
                    self.window[i + 1]
                } else {
                    0
                };
                // Newer blocks move down one (usually none or a few: a loop, not a memmove).
                for j in i..self.n - 1 {
                    self.window[j] = self.window[j + 1];
                }
                self.n -= 1;
                pred
            }
            Place::Table(at) => {
                let block = self.slots[at][0];
                let pred = if block == self.boundary {
                    // `next` becomes the boundary: its entry may go stale from now on.
                    self.boundary = next;
                    if self.n > 0 {
                        self.window[0]
                    } else {
                        0
                    }
                } else {
                    self.set_pred(next, self.slots[at][1]);
                    self.slots[at][1]
                };
                self.delete(at);
                pred
            }
        }
    }

    /// Sets the predecessor of table block `block` (nothing when it is 0).
    fn set_pred(&mut self, block: u32, pred: u32) {
        if block == 0 {
            return;
        }
        if let Ok(at) = self.find(block) {
            self.slots[at][1] = pred;
        }
    }

    /// Adds `block` (not in the table) with predecessor `pred`.
    fn insert(&mut self, block: u32, pred: u32) {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.resize(self.slots.len() * 2);
        }
        if let Err(at) = self.find(block) {
            self.slots[at] = [block, pred];
            self.len += 1;
        }
    }

    /// Empties slot `at`. Backward shift: every later entry of the cluster whose home is not
    /// in `(hole, j]` cyclically moves into the hole.
    fn delete(&mut self, at: usize) {
        let mask = self.mask();
        let mut hole = at;
        let mut j = (hole + 1) & mask;
        loop {
            let s = self.slots[j];
            if s[0] == 0 {
                break;
            }
            let home = self.home(s[0]);
            if (j.wrapping_sub(home) & mask) >= (j.wrapping_sub(hole) & mask) {
                self.slots[hole] = s;
                hole = j;
            }
            j = (j + 1) & mask;
        }
        self.slots[hole] = EMPTY;
        self.len -= 1;
        if self.slots.len() > MIN_SLOTS && self.len * 10 < self.slots.len() * 3 {
            self.resize(self.slots.len() / 2);
        }
    }

    /// Moves every entry into a table of `slots` slots.
    fn resize(&mut self, slots: usize) {
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; slots]);
        self.shift = 32 - slots.trailing_zeros();
        for s in old.into_iter().filter(|s| s[0] != 0) {
            if let Err(at) = self.find(s[0]) {
                self.slots[at] = s;
            }
        }
    }

    /// Checks the table against the used list, given from its head (tests only).
    #[cfg(test)]
    pub(crate) fn verify(&self, list: &[u32]) {
        assert_eq!(self.len(), list.len());
        let n = self.n;
        let newest: Vec<u32> = self.window[..n].iter().rev().copied().collect();
        assert_eq!(newest, list[..n], "the window is the newest blocks");
        assert_eq!(self.boundary, list.get(n).copied().unwrap_or(0), "boundary");
        for (i, &b) in list.iter().enumerate().skip(n) {
            let at = self.find(b).expect("an older block is in the table");
            if i > n {
                assert_eq!(self.slots[at][1], list[i - 1], "pred of {b}");
            }
        }
        assert_eq!(self.slots.iter().filter(|s| s[0] != 0).count(), self.len);
        let load = self.len as f64 / self.slots.len() as f64;
        assert!(load <= 0.75, "load {load}");
        assert!(self.slots.len() == MIN_SLOTS || load >= 0.3, "load {load}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random pushes and frees against a used list kept as a vector (head first), every
    /// part of the table re-checked along the way: the list grows to 20,000 blocks and
    /// shrinks to 100, twice, with frees that hit the newest blocks most of the time.
    #[test]
    fn agrees_with_a_list() {
        let mut x = 0x1234_5678_9abc_def0u64;
        let mut rnd = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let mut t = UsedTable::new();
        let mut list: Vec<u32> = Vec::new();
        let mut next_block = 8u32;
        let (mut grow, mut turns) = (true, 0);
        for step in 0..300_000u64 {
            if grow && list.len() >= 20_000 || !grow && list.len() <= 100 {
                grow = !grow;
                turns += 1;
            }
            if rnd(8) < if grow { 6 } else { 2 } {
                let b = next_block;
                next_block += 8;
                assert!(t.locate(b).is_none());
                list.insert(0, b);
                t.push(b);
            } else if !list.is_empty() {
                // Mostly one of the newest, else anywhere.
                let i = if rnd(4) != 0 {
                    rnd(list.len().min(6) as u64) as usize
                } else {
                    rnd(list.len() as u64) as usize
                };
                let b = list.remove(i);
                let next = list.get(i).copied().unwrap_or(0);
                let pred = if i > 0 { list[i - 1] } else { 0 };
                let place = t.locate(b).expect("a used block");
                assert_eq!(t.remove(place, next), pred, "step {step}");
            }
            // A block that is not used.
            assert!(t.locate(next_block).is_none());
            assert!(t.locate(4).is_none());
            if step % 997 == 0 {
                t.verify(&list);
            }
        }
        t.verify(&list);
        assert!(turns >= 4, "{turns} turns");
        assert!(t.locate(0).is_none());
    }

    /// At every count from 0 to 4,000 and back (one step at a time), three cycles of two
    /// pushes and two frees of the oldest blocks (which live in the table): the table
    /// resizes at most once per level and a few dozen times in all, never back and forth.
    #[test]
    fn hovering_never_resizes_back_and_forth() {
        let mut t = UsedTable::new();
        // The used list, oldest first (the reverse of list order).
        let mut live: std::collections::VecDeque<u32> = std::collections::VecDeque::new();
        let mut next = 8u32;
        let mut push = |t: &mut UsedTable, live: &mut std::collections::VecDeque<u32>| {
            t.push(next);
            live.push_back(next);
            next += 8;
        };
        let pop_oldest = |t: &mut UsedTable, live: &mut std::collections::VecDeque<u32>| {
            let b = live.pop_front().expect("a used block");
            let place = t.locate(b).expect("used");
            // The oldest block is the list's last: no successor, predecessor the next oldest.
            assert_eq!(t.remove(place, 0), live.front().copied().unwrap_or(0));
        };
        let (mut most, mut total) = (0, 0);
        let levels: Vec<usize> = (0..4000).chain((0..4000).rev()).collect();
        for &level in &levels {
            while live.len() < level {
                push(&mut t, &mut live);
            }
            while live.len() > level {
                pop_oldest(&mut t, &mut live);
            }
            let mut slots = t.slots.len();
            let mut changes = 0;
            for _ in 0..3 {
                push(&mut t, &mut live);
                push(&mut t, &mut live);
                pop_oldest(&mut t, &mut live);
                pop_oldest(&mut t, &mut live);
                changes += usize::from(t.slots.len() != slots);
                slots = t.slots.len();
            }
            most = most.max(changes);
            total += changes;
        }
        assert!(most <= 1, "{most} resizes while hovering at one level");
        assert!(total <= 40, "{total} resizes over the levels");
    }

    /// Every occupied slot is reachable from its home slot: no empty slot between them.
    /// (What removal by backward shift must keep; a lookup stops at the first empty slot.)
    fn assert_probe_chains(t: &UsedTable) {
        let mask = t.mask();
        for (j, s) in t.slots.iter().enumerate() {
            if s[0] == 0 {
                continue;
            }
            let mut i = t.home(s[0]);
            while i != j {
                assert_ne!(t.slots[i][0], 0, "slot {i} empty between home and {j}");
                i = (i + 1) & mask;
            }
            assert_eq!(t.find(s[0]), Ok(j));
        }
    }

    /// Blocks (multiples of 8) whose home slot in a table of `t`'s size is `home`.
    fn blocks_at_home(t: &UsedTable, home: usize, count: usize) -> Vec<u32> {
        (1..u32::MAX / 8)
            .map(|k| k * 8)
            .filter(|&b| t.home(b) == home)
            .take(count)
            .collect()
    }

    /// The used list of blocks `8, 16, ..` pushed in that order, head first.
    fn pushed(t: &mut UsedTable, count: u32) -> Vec<u32> {
        let list: Vec<u32> = (1..=count).map(|i| i * 8).collect();
        for &b in &list {
            t.push(b);
        }
        list.into_iter().rev().collect()
    }

    /// Frees `b` from `list` (head first) and checks the predecessor the table returns.
    fn free_from(t: &mut UsedTable, list: &mut Vec<u32>, b: u32) {
        let i = list.iter().position(|&x| x == b).expect("on the list");
        let pred = if i > 0 { list[i - 1] } else { 0 };
        list.remove(i);
        let next = list.get(i).copied().unwrap_or(0);
        let place = t.locate(b).expect("a used block");
        assert_eq!(t.remove(place, next), pred, "pred of {b}");
        assert!(t.locate(b).is_none(), "{b} is gone");
    }

    #[test]
    fn the_window_fills_then_spills_its_older_half() {
        let mut t = UsedTable::new();
        let list = pushed(&mut t, WINDOW as u32);
        assert_eq!(
            (t.n, t.len, t.boundary),
            (WINDOW, 0, 0),
            "all in the window"
        );
        t.verify(&list);
        // One more: the eight oldest move into the table, the ninth oldest is the boundary.
        let mut list = list;
        t.push(8 * (WINDOW as u32 + 1));
        list.insert(0, 8 * (WINDOW as u32 + 1));
        assert_eq!((t.n, t.len), (WINDOW / 2 + 1, WINDOW / 2));
        assert_eq!(t.boundary, 8 * (WINDOW / 2) as u32);
        t.verify(&list);
        for (i, &b) in list.iter().enumerate() {
            let in_window = i < t.n;
            assert_eq!(
                matches!(t.locate(b), Some(Place::Window(_))),
                in_window,
                "block {b} at {i}"
            );
        }
        // The oldest block's predecessor was a window block when it spilled: kept exactly.
        let oldest = *list.last().expect("blocks");
        let at = t.find(oldest).expect("in the table");
        assert_eq!(t.slots[at][1], list[list.len() - 2]);
        // Its predecessor, the oldest window block, is freed: the boundary's entry goes
        // stale (its predecessor is read off the window), until a second spill writes the
        // exact one.
        free_from(&mut t, &mut list, 8 * (WINDOW / 2 + 1) as u32);
        t.verify(&list);
        let mut next = 8 * (WINDOW as u32 + 2);
        while t.len < WINDOW / 2 + 1 {
            t.push(next);
            list.insert(0, next);
            next += 8;
        }
        assert_eq!(t.len, WINDOW);
        t.verify(&list);
        let old_boundary = 8 * (WINDOW / 2) as u32;
        let at = t.find(old_boundary).expect("in the table");
        let i = list.iter().position(|&b| b == old_boundary).expect("used");
        assert_eq!(t.slots[at][1], list[i - 1]);
    }

    #[test]
    fn leftovers_past_the_window_are_not_used_blocks() {
        let mut t = UsedTable::new();
        let mut list = pushed(&mut t, 3);
        // Freeing the newest leaves its address in window[2], past `n`.
        free_from(&mut t, &mut list, 24);
        assert_eq!(t.window[2], 24, "the leftover this test is about");
        assert!(t.locate(24).is_none());
        assert!(!t.contains(24));
        // Freeing the oldest shifts the others down and leaves a copy behind.
        free_from(&mut t, &mut list, 8);
        assert_eq!(t.window[..2], [16, 16]);
        assert_eq!(t.locate(16), Some(Place::Window(0)));
        free_from(&mut t, &mut list, 16);
        assert_eq!(t.len(), 0);
        assert!(t.locate(16).is_none());
        t.verify(&list);
    }

    #[test]
    fn the_boundary_takes_its_predecessor_from_the_window() {
        let mut t = UsedTable::new();
        // 17 pushes: blocks 8..=64 in the table (boundary 64), 72..=136 in the window.
        let mut list = pushed(&mut t, WINDOW as u32 + 1);
        assert_eq!(t.boundary, 64);
        // Its predecessor is the oldest window block, whichever that is now.
        free_from(&mut t, &mut list, 72);
        t.verify(&list);
        free_from(&mut t, &mut list, 136);
        t.verify(&list);
        // Freeing the boundary: its successor becomes the boundary.
        free_from(&mut t, &mut list, 64);
        assert_eq!(t.boundary, 56);
        t.verify(&list);
        // Empty the window: the boundary is the head, its predecessor none.
        for b in (80..=128).step_by(8) {
            free_from(&mut t, &mut list, b);
        }
        assert_eq!(t.n, 0);
        assert_eq!(list[0], 56);
        free_from(&mut t, &mut list, 56);
        assert_eq!(t.boundary, 48);
        t.verify(&list);
        // A table block that is not the boundary: its successor's entry is updated.
        free_from(&mut t, &mut list, 32);
        t.verify(&list);
        let at = t.find(24).expect("in the table");
        assert_eq!(t.slots[at][1], 40);
        // New blocks go into the window above a boundary that is the head.
        t.push(1000);
        list.insert(0, 1000);
        t.verify(&list);
        free_from(&mut t, &mut list, 48);
        t.verify(&list);
        // Down to nothing, oldest first (no successor), the window's block last.
        for b in [8, 16, 24, 40, 1000] {
            free_from(&mut t, &mut list, b);
            t.verify(&list);
        }
        assert_eq!((t.len(), t.boundary), (0, 0));
    }

    #[test]
    fn the_table_grows_past_three_quarters_and_shrinks_under_three_tenths() {
        // All in the table, the window empty: from_list, then frees of the oldest.
        let list: Vec<u32> = (1..=200).map(|i| i * 8).collect();
        let mut t = UsedTable::from_list(&list[..48]);
        assert_eq!(t.slots.len(), MIN_SLOTS);
        let mut list48 = list[..48].to_vec();
        // Pushes fill the window first; a spill moves eight into the table, and the ninth
        // entry past 48 doubles it.
        for &b in &list[48..64] {
            t.push(b);
            list48.insert(0, b);
        }
        assert_eq!((t.len, t.slots.len()), (48, MIN_SLOTS));
        t.push(list[64]);
        list48.insert(0, list[64]);
        assert_eq!((t.len, t.slots.len()), (56, 2 * MIN_SLOTS));
        t.verify(&list48);
        let mut list = list48;
        // Frees of the oldest (table blocks): 128 slots hold 39 or more, 38 shrink it.
        while t.len > 39 {
            let oldest = *list.last().expect("blocks");
            free_from(&mut t, &mut list, oldest);
            assert_eq!(t.slots.len(), 2 * MIN_SLOTS, "{} in the table", t.len);
        }
        let oldest = *list.last().expect("blocks");
        free_from(&mut t, &mut list, oldest);
        assert_eq!((t.len, t.slots.len()), (38, MIN_SLOTS));
        t.verify(&list);
        assert_probe_chains(&t);
        // Never below MIN_SLOTS.
        while t.len > 0 {
            let oldest = *list.last().expect("blocks");
            free_from(&mut t, &mut list, oldest);
            assert_eq!(t.slots.len(), MIN_SLOTS);
        }
        assert_eq!(t.heap_bytes(), MIN_SLOTS * 8);
    }

    #[test]
    fn backward_shift_keeps_every_cluster_reachable() {
        let t0 = UsedTable::new();
        let last = t0.mask();
        // A cluster that wraps round the end: five blocks at home `last`, three at home 0,
        // two at home 1 (pushed out past the wrap), and one at home 5.
        let mut blocks = blocks_at_home(&t0, last, 5);
        blocks.extend(blocks_at_home(&t0, 0, 3));
        blocks.extend(blocks_at_home(&t0, 1, 2));
        blocks.extend(blocks_at_home(&t0, 5, 1));
        assert_eq!(blocks.len(), 11);
        // Every removal order of a few shapes (rotations and reversals), removing all.
        for rot in 0..blocks.len() {
            for rev in [false, true] {
                let mut order = blocks.clone();
                order.rotate_left(rot);
                if rev {
                    order.reverse();
                }
                let mut t = UsedTable::from_list(&blocks);
                assert_eq!(t.slots.len(), MIN_SLOTS);
                assert_probe_chains(&t);
                assert_eq!(t.slots[last][0], blocks[0]);
                assert_ne!(t.slots[0][0], 0, "the cluster wraps");
                let mut left = blocks.clone();
                for &b in &order {
                    let at = t.find(b).expect("present");
                    t.delete(at);
                    left.retain(|&x| x != b);
                    assert_probe_chains(&t);
                    for &x in &left {
                        assert!(t.find(x).is_ok(), "{x} lost after removing {b}");
                    }
                    assert!(t.find(b).is_err());
                    assert_eq!(t.slots.iter().filter(|s| s[0] != 0).count(), left.len());
                }
                assert!(t.slots.iter().all(|s| *s == EMPTY));
            }
        }
    }

    #[test]
    fn a_single_block_and_the_head() {
        let mut t = UsedTable::new();
        assert!(t.locate(8).is_none());
        t.push(8);
        assert_eq!(t.remove(t.locate(8).expect("used"), 0), 0);
        assert_eq!(t.len(), 0);
        // The head of a table-only list has no predecessor.
        let mut t = UsedTable::from_list(&[16, 8]);
        assert_eq!(t.boundary, 16);
        assert_eq!(t.remove(t.locate(16).expect("used"), 8), 0);
        assert_eq!(t.boundary, 8);
        assert_eq!(t.remove(t.locate(8).expect("used"), 0), 0);
        assert_eq!((t.len(), t.boundary), (0, 0));
    }

    #[test]
    fn builds_from_a_list() {
        let list: Vec<u32> = (1..=3000).map(|i| i * 16).collect();
        let t = UsedTable::from_list(&list);
        t.verify(&list);
        assert_eq!(t.slots.len(), 4096);
        assert_eq!(UsedTable::from_list(&[]).slots.len(), MIN_SLOTS);
        assert_eq!(UsedTable::from_list(&list[..48]).slots.len(), MIN_SLOTS);
        assert_eq!(UsedTable::from_list(&list[..49]).slots.len(), 2 * MIN_SLOTS);
    }

    /// The table is never more than 3/4 full: it doubles on the insert that would pass it
    /// (48 of 64 slots, then the 49th block goes into 128).
    #[test]
    fn grows_before_passing_three_quarters() {
        let mut t = UsedTable::new();
        for i in 1..=200u32 {
            t.insert(i * 16, 0);
            assert!(
                t.len * 4 <= t.slots.len() * 3,
                "{} in {}",
                t.len,
                t.slots.len()
            );
            if i == 48 {
                assert_eq!(t.slots.len(), MIN_SLOTS);
            }
            if i == 49 {
                assert_eq!(t.slots.len(), 2 * MIN_SLOTS);
            }
        }
    }

    /// A window block is found even when every slot of the window holds it: the slots past
    /// `n` keep the blocks they held last, so the prefilter over all sixteen must find a
    /// match, not a mismatch. Each slot `k` gets block 100 by pushing `k` others first, then
    /// 100, then freeing from the newest down (which moves nothing); last 100 alone.
    #[test]
    fn a_window_of_leftovers_equal_to_the_block() {
        let mut t = UsedTable::new();
        for k in (1..WINDOW).rev() {
            let others: Vec<u32> = (1..=k as u32).map(|j| 1000 + 16 * j).collect();
            for &b in &others {
                t.push(b);
            }
            t.push(100);
            // Newest first: each is the head (no predecessor) when it goes.
            for &b in std::iter::once(&100).chain(others.iter().rev()) {
                assert_eq!(t.remove(t.locate(b).expect("used"), 0), 0);
            }
        }
        t.push(100);
        assert!(t.window.iter().all(|&b| b == 100));
        assert_eq!(t.locate(100), Some(Place::Window(0)));
        assert!(t.contains(100));
    }
}
