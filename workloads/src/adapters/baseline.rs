//! `baseline`: the cheapest allocator that can serve any trace, so that its time is the
//! replay loop's own cost.

#![forbid(unsafe_code)]

use super::{next_owner, round_up, Allocator, Block, ALIGN};

/// Hands out [`ALIGN`]-aligned offsets from a counter that wraps to the region's start when
/// a request would run past its end, and ignores frees. It touches no memory and keeps no
/// state per block, so a replay on it costs only the loop around the allocator: its ns/op is
/// the harness's, and the other allocators' figures minus it are theirs.
///
/// Its blocks may overlap (a wrapped counter hands out offsets still in use), so it takes part
/// in throughput and latency only: it reports no extent, footprint or block bytes (no
/// fragmentation figure), and nothing may be written through its blocks. A request larger
/// than the region (or of zero bytes) fails, as for every adapter.
pub struct BaselineAdapter {
    capacity: usize,
    next: usize,
    owner: u64,
}

impl BaselineAdapter {
    /// A baseline over a region of `capacity` bytes (nothing is reserved).
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            next: 0,
            owner: next_owner(),
        }
    }

    fn place(&mut self, size: usize) -> Option<usize> {
        if size == 0 || size > self.capacity {
            return None;
        }
        let at = if self.next > self.capacity - size {
            0
        } else {
            self.next
        };
        self.next = round_up(at + size, ALIGN);
        Some(at)
    }
}

impl Allocator for BaselineAdapter {
    fn name(&self) -> String {
        "baseline".into()
    }

    fn capacity(&self) -> usize {
        self.capacity
    }

    #[inline]
    fn allocate(&mut self, size: usize) -> Option<Block> {
        let at = self.place(size)?;
        Some(Block::new(self.owner, at, size))
    }

    #[inline]
    fn free(&mut self, block: Block) -> bool {
        block.owner() == self.owner
    }

    #[inline]
    fn realloc(&mut self, block: Block, new_size: usize) -> Result<Block, Block> {
        if block.owner() != self.owner {
            return Err(block);
        }
        match self.place(new_size) {
            Some(at) => Ok(Block::new(self.owner, at, new_size)),
            None => Err(block),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counter_wraps_and_never_fails_a_request_that_fits() {
        let mut b = BaselineAdapter::new(100);
        let x = b.allocate(60).unwrap();
        assert_eq!(x.offset(), 0);
        let y = b.allocate(30).unwrap();
        assert_eq!(y.offset(), 64);
        // 64 + 30 rounds to 96; 96 + 10 > 100: wraps.
        let z = b.allocate(10).unwrap();
        assert_eq!(z.offset(), 0);
        assert!(b.allocate(101).is_none() && b.allocate(0).is_none());
        let w = b.realloc(z, 100).unwrap();
        assert_eq!((w.offset(), w.size()), (0, 100));
        assert!(b.free(w) && b.free(x) && b.free(y));
        let other = BaselineAdapter::new(100).allocate(8).unwrap();
        assert!(!b.free(other));
    }
}
