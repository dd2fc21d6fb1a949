//! How a pool finds blocks: the [`Fast`] engine (the default) or the [`Reference`] engine.
//!
//! Both write the same bytes; they differ only in how they search. [`Reference`] is the
//! straightforward port of the seed, walking the lists in the buffer on every call (O(n) per
//! operation; its operations live in [`crate::reference`]): it is the oracle the fast engine is
//! tested against. [`Fast`] keeps a host-side index beside the buffer (see the `fast` and
//! `free_index` modules): binary searches and short scans instead of walks.

use crate::fast::Index;
use crate::heap::Heap;

mod sealed {
    /// Implemented by the crate's two engines only.
    pub trait Sealed {
        /// The engine for a freshly initialised heap.
        fn fresh(heap: &crate::heap::Heap<&[u8]>) -> Self;
        /// The engine for an attached heap.
        fn attach(heap: &crate::heap::Heap<&[u8]>) -> Self;
        /// The index, when the engine keeps one and it is valid.
        fn index(&self) -> Option<&crate::fast::Index>;
        /// The index, writable.
        fn index_mut(&mut self) -> Option<&mut crate::fast::Index>;
        /// Forgets the index (after a fault on a corrupt heap).
        fn drop_index(&mut self);
    }
}

/// A pool's search engine: [`Fast`] or [`Reference`]. Sealed.
pub trait Engine: sealed::Sealed {}

/// The default engine: binary searches and short scans per operation through a host-side
/// index (never stored in the buffer, rebuilt by `attach` in O(n)). Its memory, counted as
/// allocated: at most about 20 bytes per free block and 27 per used block (the used table
/// never shrinks below 512 bytes), tested to stay within 32 bytes per block once a heap holds 1,000 blocks
/// (`core/tests/index_memory.rs`).
///
/// A heap attached in a state that fails [`crate::MemPool::check`] gets no index and is
/// served by the reference walks, which stay memory-safe on any bytes.
#[derive(Debug, Clone, Default)]
pub struct Fast {
    index: Option<Index>,
}

/// The straightforward port: walks the buffer's lists on every operation, exactly like the
/// seed (O(n) per operation). The oracle for [`Fast`]; use it through
/// [`crate::reference::MemPool`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Reference;

impl sealed::Sealed for Fast {
    fn fresh(heap: &Heap<&[u8]>) -> Self {
        Self {
            index: Index::fresh(heap),
        }
    }
    fn attach(heap: &Heap<&[u8]>) -> Self {
        Self {
            index: Index::build(heap),
        }
    }
    fn index(&self) -> Option<&Index> {
        self.index.as_ref()
    }
    fn index_mut(&mut self) -> Option<&mut Index> {
        self.index.as_mut()
    }
    fn drop_index(&mut self) {
        self.index = None;
    }
}
impl Engine for Fast {}

impl sealed::Sealed for Reference {
    fn fresh(_: &Heap<&[u8]>) -> Self {
        Self
    }
    fn attach(_: &Heap<&[u8]>) -> Self {
        Self
    }
    fn index(&self) -> Option<&Index> {
        None
    }
    fn index_mut(&mut self) -> Option<&mut Index> {
        None
    }
    fn drop_index(&mut self) {}
}
impl Engine for Reference {}
