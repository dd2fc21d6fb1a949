//! # mempool
//!
//! A safe Rust port of the `MemPool` of [@thi.ng/malloc] 6.1.150: a first-fit,
//! address-ordered free-list allocator over one byte buffer that keeps all of its state inside
//! that buffer. The same calls leave the same bytes as the seed, so a buffer can be shared
//! with JavaScript: initialise it on one side, [`MemPool::attach`] it on the other.
//!
//! ```
//! use mempool::{MemPool, PoolOptions};
//!
//! let mut pool = MemPool::new(PoolOptions::default())?;
//! let a = pool.malloc(12).expect("fits");          // data address, a multiple of 8
//! assert_eq!(a, 40);                                 // as in JavaScript
//! let v = pool.calloc_as::<f64>(4, 1.5).expect("fits");
//! pool.slice_mut(&v)?[3] = 2.0;
//! assert_eq!(pool.slice(&v)?, &[1.5, 1.5, 1.5, 2.0]);
//! let a = pool.realloc(a, 100).expect("grows");
//! assert!(pool.free(a));
//! assert!(!pool.free(a));                            // double free: false, nothing changes
//! pool.check()?;                                     // every heap invariant holds
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Differences from the seed: its realloc bugs B1 (a moving realloc leaks the old block),
//! B2 (shrinking the top block corrupts the heap) and B3 (freeing before copying lets a split
//! overwrite the payload) are fixed; options are always validated (align must be a power of
//! two); nothing panics. Its quirks are kept: the strict `<` of realloc's grow-in-place test,
//! malloc's top-adjacent first fit, the lists' orders.
//!
//! Modules: [`layout`] (the buffer layout and its arithmetic), the private `heap` (the only
//! code that reads or writes the buffer's words, and the [`Block`]s of its lists), [`check`]
//! (the numbered heap invariants), [`engine`] (the default [`Fast`] engine, whose host-side
//! index answers what the list walks ask: a hash map of used blocks and sorted runs of free
//! blocks, private modules `fast` and `free_index`; and the [`Reference`] engine, the seed's
//! O(n) list walks, kept as the oracle: its operations and constructors in
//! [`mod@reference`]); the pool itself is [`MemPool`] (`pool.rs`, with [`MemPool::check`]).
//!
//! [@thi.ng/malloc]: https://www.npmjs.com/package/@thi.ng/malloc

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod buffer;
pub mod check;
pub mod engine;
mod fast;
mod free_index;
mod heap;
pub mod layout;
mod options;
mod pool;
pub mod reference;
mod stats;
mod typed;

pub use buffer::AlignedBuf;
pub use check::{List, Violation};
pub use engine::{Engine, Fast, Reference};
pub use heap::{Block, Blocks};
pub use options::{PoolError, PoolOptions};
pub use pool::MemPool;
pub use stats::{ListStats, Stats};
pub use typed::{AccessError, TypedBlock};
