// The crate's documentation is the repository's README (its example runs as a doctest, so the
// front door cannot drift), followed by the map of this crate's modules.
#![doc = include_str!("../../README.md")]
//!
//! # The `mempool` crate
//!
//! [`MemPool`] is the pool (`pool.rs`: constructors, operations, accessors, [`MemPool::check`]).
//! It runs on one of two engines ([`engine`]): the default [`Fast`], whose host-side index
//! answers what the list walks ask (private modules `fast`, its operations, and `free_index`,
//! the sorted runs of free blocks), or [`Reference`], the seed's O(n) list walks kept as the
//! oracle ([`mod@reference`]: its operations and its constructors). Beneath them: [`layout`] (the
//! buffer layout and its arithmetic), the private `heap` (the only code that reads or writes
//! the buffer's words, and the [`Block`]s of its lists), [`check`] (the numbered heap
//! invariants), and the options, statistics, typed blocks and [`AlignedBuf`].
//! `core/SPEC.md` states the seed's rules that both engines follow.

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
mod used_table;

pub use buffer::AlignedBuf;
pub use check::{List, Violation};
pub use engine::{Engine, Fast, Reference};
pub use heap::{Block, Blocks};
pub use options::{PoolError, PoolOptions};
pub use pool::MemPool;
pub use stats::{ListStats, Stats};
pub use typed::{AccessError, TypedBlock};
