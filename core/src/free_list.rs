//! The free list: address-ordered insertion and compaction (coalescing), exactly as the seed
//! does them, including which header words it writes.

use crate::block::{Access, Heap, Steps};

impl<S: AsRef<[u8]> + AsMut<[u8]>> Heap<S> {
    /// Unlinks `block`, whose predecessor in its list is `prev`, by pointing `prev` past it
    /// (the seed's `unlinkBlock`).
    pub(crate) fn unlink(&mut self, prev: u32, block: u32) -> Access<()> {
        let next = self.next(block)?;
        self.set_next(u64::from(prev), u64::from(next))
    }

    /// Inserts `block` into the free list before the first block at an address >= its own
    /// (the seed's `insert`).
    pub(crate) fn insert_free(&mut self, block: u32) -> Access<()> {
        let mut steps = Steps::new(self);
        let mut ptr = self.free_head()?;
        let mut prev = 0;
        while ptr != 0 {
            steps.step()?;
            // Canary `canary-free-order` (fuzz/canaries.sh): never inserts at the head.
            if block <= ptr && (prev != 0 || !cfg!(feature = "canary-free-order")) {
                break;
            }
            prev = ptr;
            ptr = self.next(ptr)?;
        }
        if prev != 0 {
            self.set_next(u64::from(prev), u64::from(block))?;
        } else {
            self.set_free_head(u64::from(block))?;
        }
        self.set_next(u64::from(block), u64::from(ptr))
    }

    /// Merges every run of address-adjacent free blocks into its first block, then gives a
    /// free block that reaches `top` back to `top` (the seed's `compact`).
    ///
    /// Byte-level detail kept from the seed: the merged blocks after the first get their
    /// next-pointer word zeroed (their size words are left as they were); a block given back
    /// to top keeps its next word, and the walk carries on from it.
    pub(crate) fn compact(&mut self) -> Access<()> {
        let mut steps = Steps::new(self);
        let mut block = self.free_head()?;
        let mut prev = 0;
        while block != 0 {
            steps.step()?;
            let mut scan_prev = block;
            let mut scan = self.next(block)?;
            // Canary `canary-no-coalesce-next` (fuzz/canaries.sh): never merges with the next block.
            while !cfg!(feature = "canary-no-coalesce-next")
                && scan != 0
                && self.block_end(scan_prev)? == u64::from(scan)
            {
                steps.step()?;
                scan_prev = scan;
                scan = self.next(scan)?;
            }
            if scan_prev != block {
                let merged =
                    u64::from(scan_prev) - u64::from(block) + u64::from(self.size(scan_prev)?);
                self.set_size(u64::from(block), merged)?;
                let next = self.next(scan_prev)?;
                let mut tmp = self.next(block)?;
                while tmp != 0 && tmp != next {
                    steps.step()?;
                    let tn = self.next(tmp)?;
                    self.set_next(u64::from(tmp), 0)?;
                    tmp = tn;
                }
                self.set_next(u64::from(block), u64::from(next))?;
            }
            // Canary `canary-top-not-lowered` (fuzz/canaries.sh): keeps a free block at top.
            if !cfg!(feature = "canary-top-not-lowered")
                && self.block_end(block)? >= u64::from(self.top()?)
            {
                self.set_top(u64::from(block))?;
                if prev != 0 {
                    self.unlink(prev, block)?;
                } else {
                    let next = self.next(block)?;
                    self.set_free_head(u64::from(next))?;
                }
            }
            prev = block;
            block = self.next(block)?;
        }
        Ok(())
    }

    /// Makes `block` `size` bytes long and turns its remaining `excess` bytes into a new free
    /// block, then compacts when the pool does (the seed's `splitBlock`).
    pub(crate) fn split_block(&mut self, block: u32, size: u32, excess: u32) -> Access<()> {
        self.set_size(u64::from(block), u64::from(size))?;
        let rest = u64::from(block) + u64::from(size);
        self.init_block(rest, u64::from(excess), 0)?;
        let rest = u32::try_from(rest).map_err(|_| crate::block::Fault::Overflow(rest))?;
        self.insert_free(rest)?;
        if self.compact_on()? {
            self.compact()?;
        }
        Ok(())
    }
}
