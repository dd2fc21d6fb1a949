//! The pool's two search engines behind one trait, so every target runs on both: the input's
//! [`crate::input::EngineSel`] picks one.

use mempool::{AlignedBuf, Engine, Fast, MemPool, PoolError, PoolOptions, Reference};

/// An engine the targets can make and attach pools with.
pub trait Kind: Engine + Sized {
    /// `MemPool::new` with this engine.
    ///
    /// # Errors
    /// As `MemPool::new`.
    fn create(o: PoolOptions) -> Result<MemPool<AlignedBuf, Self>, PoolError>;

    /// `MemPool::attach` with this engine.
    ///
    /// # Errors
    /// As `MemPool::attach`.
    fn open(buf: AlignedBuf, start: u32) -> Result<MemPool<AlignedBuf, Self>, PoolError>;
}

impl Kind for Fast {
    fn create(o: PoolOptions) -> Result<MemPool<AlignedBuf, Self>, PoolError> {
        MemPool::new(o)
    }

    fn open(buf: AlignedBuf, start: u32) -> Result<MemPool<AlignedBuf, Self>, PoolError> {
        MemPool::attach(buf, start)
    }
}

impl Kind for Reference {
    fn create(o: PoolOptions) -> Result<MemPool<AlignedBuf, Self>, PoolError> {
        mempool::reference::new(o)
    }

    fn open(buf: AlignedBuf, start: u32) -> Result<MemPool<AlignedBuf, Self>, PoolError> {
        mempool::reference::attach(buf, start)
    }
}
