//! Placement: where an allocator puts each block, condensed into one hash.
//!
//! [`Placed`] wraps any [`Allocator`] and passes every call through unchanged, hashing the
//! sequence of offsets the allocator returns: one entry per `allocate` and per `realloc`, in
//! call order, the block's offset in the region, or a marker for a request that failed (so a
//! request that starts or stops failing changes the hash too). Two replays of the same
//! workload on the same allocator give the same [`PlacementHash`] exactly when the allocator
//! placed every block at the same offset: a changed hash means a changed placement policy,
//! which is a change of behaviour, not necessarily a worse one.
//!
//! Offsets are relative to the region's start, and regions start on a page boundary, so the
//! hash does not depend on where the region's memory landed (for the region-backed
//! allocators; the system allocator's offsets are addresses, so its hash changes from run to
//! run and means nothing).
//!
//! ```
//! use workloads::placement::Placed;
//! use workloads::{generate::Generator, replay, AdapterSpec, ReplayConfig};
//!
//! let w = Generator::Fifo { ops: 500, queue_len: 16, min: 8, max: 256 }.generate(1)?;
//! let hash = |spec: AdapterSpec| -> Result<_, Box<dyn std::error::Error>> {
//!     let mut a = Placed::new(spec.build(1 << 20)?);
//!     replay(&w, &mut a, &ReplayConfig::default());
//!     Ok(a.hash())
//! };
//! assert_eq!(hash(AdapterSpec::default_pool())?, hash(AdapterSpec::default_pool())?);
//! assert_ne!(hash(AdapterSpec::default_pool())?, hash(AdapterSpec::Talc)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]

use std::fmt;

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

use crate::adapters::{Allocator, Block, FreeStats};

/// What a failed request adds to the hash in place of an offset (no region is this large).
const FAILED: u64 = u64::MAX;

/// The hash of a sequence of placements: the first 64 bits of the SHA-1 of the offsets (each
/// as 8 little-endian bytes, [`u64::MAX`] for a failed request), printed as 16 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct PlacementHash(pub u64);

impl fmt::Display for PlacementHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl From<PlacementHash> for String {
    fn from(h: PlacementHash) -> Self {
        h.to_string()
    }
}

impl TryFrom<String> for PlacementHash {
    type Error = String;

    /// Reads the 16 hex digits [`PlacementHash`]'s `Display` writes.
    fn try_from(s: String) -> Result<Self, Self::Error> {
        if s.len() != 16 {
            return Err(format!("a placement hash has 16 hex digits, not {s:?}"));
        }
        u64::from_str_radix(&s, 16)
            .map(Self)
            .map_err(|e| format!("placement hash {s:?}: {e}"))
    }
}

/// An allocator that hashes the offsets it hands out: see the [module docs](self).
pub struct Placed<A> {
    inner: A,
    digest: Sha1,
    placements: u64,
}

impl<A: Allocator> Placed<A> {
    /// `inner`, with an empty placement record.
    pub fn new(inner: A) -> Self {
        Self {
            inner,
            digest: Sha1::new(),
            placements: 0,
        }
    }

    /// The hash of the placements so far.
    #[must_use]
    pub fn hash(&self) -> PlacementHash {
        let digest = self.digest.clone().finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        PlacementHash(u64::from_be_bytes(first))
    }

    /// How many placements (successful or failed requests) the hash covers.
    #[must_use]
    pub fn placements(&self) -> u64 {
        self.placements
    }

    /// The wrapped allocator.
    pub fn into_inner(self) -> A {
        self.inner
    }

    fn record(&mut self, offset: Option<usize>) {
        let value = offset.map_or(FAILED, |o| o as u64);
        self.digest.update(value.to_le_bytes());
        self.placements += 1;
    }
}

impl<A: Allocator> Allocator for Placed<A> {
    fn name(&self) -> String {
        self.inner.name()
    }

    fn capacity(&self) -> usize {
        self.inner.capacity()
    }

    fn allocate(&mut self, size: usize) -> Option<Block> {
        let block = self.inner.allocate(size);
        self.record(block.as_ref().map(Block::offset));
        block
    }

    fn free(&mut self, block: Block) -> bool {
        self.inner.free(block)
    }

    fn realloc(&mut self, block: Block, new_size: usize) -> Result<Block, Block> {
        let result = self.inner.realloc(block, new_size);
        self.record(result.as_ref().ok().map(Block::offset));
        result
    }

    fn extent(&self) -> Option<usize> {
        self.inner.extent()
    }

    fn footprint(&self) -> Option<usize> {
        self.inner.footprint()
    }

    fn block_bytes(&self, block: &Block) -> Option<usize> {
        self.inner.block_bytes(block)
    }

    fn free_stats(&self) -> FreeStats {
        self.inner.free_stats()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AdapterSpec;

    #[test]
    fn the_hash_follows_offsets_and_failures() {
        let run = |sizes: &[usize]| {
            let mut a = Placed::new(AdapterSpec::default_pool().build(4096).unwrap());
            let blocks: Vec<_> = sizes.iter().map(|&s| a.allocate(s)).collect();
            (a.hash(), a.placements(), blocks.iter().flatten().count())
        };
        let (h1, n1, ok1) = run(&[16, 32]);
        assert_eq!((n1, ok1), (2, 2));
        assert_eq!(run(&[16, 32]).0, h1);
        // Same count, other sizes: the second block lands elsewhere.
        assert_ne!(run(&[32, 32]).0, h1);
        // A request too large for the region is recorded as a failure.
        let (h3, n3, ok3) = run(&[16, 1 << 20]);
        assert_eq!((n3, ok3), (2, 1));
        assert_ne!(h3, h1);
        assert_eq!(PlacementHash::try_from(h1.to_string()), Ok(h1));
        assert!(PlacementHash::try_from("xyz".to_owned()).is_err());
    }
}
