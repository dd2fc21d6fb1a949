//! The process's system allocator (glibc malloc here): a baseline for speed, with no region
//! and so no footprint.

use std::alloc::{GlobalAlloc, Layout, System};

use super::{next_owner, Allocator, Block};

/// `std::alloc::System` behind the [`Allocator`] trait. A block's offset is its address.
///
/// `capacity` only caps single requests (so results stay comparable with the region-backed
/// adapters); the live total is not limited. Extent, footprint, block bytes and free-list
/// statistics are unknown.
pub struct SystemAdapter {
    capacity: usize,
    owner: u64,
}

impl SystemAdapter {
    /// The system allocator, taking requests of at most `capacity` bytes.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            owner: next_owner(),
        }
    }

    fn layout(&self, size: usize) -> Option<Layout> {
        super::request_layout(size, self.capacity)
    }
}

/// The address of a block this adapter made, with its provenance.
fn pointer(block: &Block) -> *mut u8 {
    std::ptr::with_exposed_provenance_mut(block.offset())
}

impl Allocator for SystemAdapter {
    fn name(&self) -> String {
        "system".into()
    }

    fn capacity(&self) -> usize {
        self.capacity
    }

    fn allocate(&mut self, size: usize) -> Option<Block> {
        let layout = self.layout(size)?;
        // SAFETY: the layout's size is nonzero.
        let ptr = unsafe { System.alloc(layout) };
        (!ptr.is_null()).then(|| Block::new(self.owner, ptr.expose_provenance(), size))
    }

    fn free(&mut self, block: Block) -> bool {
        if block.owner() != self.owner {
            return false;
        }
        let Some(layout) = self.layout(block.size()) else {
            return false;
        };
        // SAFETY: blocks of this owner are made only by this adapter from System with this
        // layout, their address exposed, and are consumed when freed, so the block is live.
        unsafe { System.dealloc(pointer(&block), layout) };
        true
    }

    fn realloc(&mut self, block: Block, new_size: usize) -> Result<Block, Block> {
        if block.owner() != self.owner {
            return Err(block);
        }
        let (Some(layout), Some(_)) = (self.layout(block.size()), self.layout(new_size)) else {
            return Err(block);
        };
        // SAFETY: the block is live with `layout` (see `free`); new_size is nonzero and
        // within isize::MAX once rounded (Layout accepted it). On failure System leaves the
        // block as it was.
        let ptr = unsafe { System.realloc(pointer(&block), layout, new_size) };
        if ptr.is_null() {
            return Err(block);
        }
        Ok(Block::new(self.owner, ptr.expose_provenance(), new_size))
    }
}
