//! [`Stats`]: the seed's `stats()` object.

/// Count and total size of the blocks of one list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ListStats {
    /// Number of blocks.
    pub count: u32,
    /// Sum of their sizes in bytes, headers included.
    pub size: u64,
}

/// The pool's state as the seed's `stats()` reports it (sizes include block headers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Stats {
    /// Blocks on the free list.
    pub free: ListStats,
    /// Blocks on the used list.
    pub used: ListStats,
    /// First address never handed out.
    pub top: u32,
    /// `end - top + free.size`: bytes that could still be handed out, headers included.
    pub available: u64,
    /// Buffer length in bytes.
    pub total: u64,
}
