//! Hash maps whose layout is the same in every run.
//!
//! `std`'s default `HashMap` seeds its hasher at random in every process, so where its
//! entries sit, when it reclaims deleted slots and so when it grows differ from run to run,
//! and with them the heap's layout around it. The trace readers and the replay's id table use
//! [`StableHashMap`] instead, so the same input gives the same allocations in every run: the
//! deterministic benchmarks (`benches/deterministic`) count cache misses of the heap the
//! replay runs on, which a random layout made differ by a few from run to run.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// A `HashMap` with `std`'s SipHash under fixed keys (`DefaultHasher::new`, the same in
/// every process of one build).
pub(crate) type StableHashMap<K, V> = HashMap<K, V, BuildHasherDefault<DefaultHasher>>;
