//! The op model: a workload is a named sequence of allocator requests by block id, with where
//! it came from.

#![forbid(unsafe_code)]

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::generate::Generator;
use crate::mtrace::MtraceReport;
use crate::rep::RepHeader;
use crate::stable_map::StableHashMap;

/// One allocator request. Ids name blocks the way malloc-lab traces do: an id is allocated,
/// maybe resized, and freed.
///
/// How the replay treats unusual sequences (all counted, none fatal): a zero size allocates
/// nothing (the id is live with a null block, as `malloc(0)` may return NULL); `Realloc` of an
/// id that is not live allocates; `Realloc` to size 0 frees the block (the id stays live with
/// a null block); `Free` of an id that is not live is skipped; `Alloc` of an id that is still
/// live frees the old block first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// Allocate `size` bytes as block `id`.
    Alloc {
        /// Block id.
        id: u32,
        /// Requested bytes.
        size: u64,
    },
    /// Free block `id`.
    Free {
        /// Block id.
        id: u32,
    },
    /// Resize block `id` to `size` bytes.
    Realloc {
        /// Block id.
        id: u32,
        /// New requested size in bytes.
        size: u64,
    },
}

impl Op {
    /// The block id the op is about.
    #[must_use]
    pub fn id(&self) -> u32 {
        match *self {
            Self::Alloc { id, .. } | Self::Free { id } | Self::Realloc { id, .. } => id,
        }
    }

    /// The requested size, for `Alloc` and `Realloc`.
    #[must_use]
    pub fn size(&self) -> Option<u64> {
        match *self {
            Self::Alloc { size, .. } | Self::Realloc { size, .. } => Some(size),
            Self::Free { .. } => None,
        }
    }

    fn with_id(self, id: u32) -> Self {
        match self {
            Self::Alloc { size, .. } => Self::Alloc { id, size },
            Self::Free { .. } => Self::Free { id },
            Self::Realloc { size, .. } => Self::Realloc { id, size },
        }
    }
}

/// Where a workload came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Provenance {
    /// Parsed from a malloc-lab `.rep` / `.rep.zst` file.
    Rep {
        /// The file as given.
        file: String,
        /// Its header.
        header: RepHeader,
        /// `f -1` lines (free of NULL), dropped.
        null_frees: u64,
        /// `r` lines on an id that was not allocated, read as allocations.
        unknown_reallocs: u64,
    },
    /// Converted from a glibc mtrace log.
    Mtrace {
        /// The file as given.
        file: String,
        /// What the conversion counted and skipped.
        report: MtraceReport,
    },
    /// Recorded from a real program with [`crate::record`] and shipped with the crate.
    Recorded {
        /// The exact command line.
        command: String,
        /// The traced process's program.
        program: String,
        /// The program's version.
        version: String,
        /// Recording date (YYYY-MM-DD).
        date: String,
    },
    /// Made by a synthetic generator.
    Generated {
        /// The generator and its parameters.
        generator: Generator,
        /// The seed.
        seed: u64,
    },
    /// Anything else.
    Other {
        /// Free text.
        description: String,
    },
}

/// A named sequence of ops and its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workload {
    /// Short name, unique within a set (for example `malloclab-2016/bdd-aa4`).
    pub name: String,
    /// The requests, in order.
    pub ops: Vec<Op>,
    /// Where they came from.
    pub provenance: Provenance,
}

/// Summary of a workload, computed under the replay's rules (see [`Op`]) with unlimited
/// memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadStats {
    /// Number of ops.
    pub ops: u64,
    /// `Alloc` ops.
    pub allocs: u64,
    /// `Free` ops.
    pub frees: u64,
    /// `Realloc` ops.
    pub reallocs: u64,
    /// Distinct ids.
    pub ids: u64,
    /// Largest sum of live requested bytes at any point (malloc-lab's "peak live payload";
    /// `u64::MAX` if it exceeds that).
    pub peak_live_bytes: u64,
    /// Largest number of live blocks at any point.
    pub peak_live_blocks: u64,
    /// Largest single request.
    pub max_request: u64,
    /// Requests (alloc or realloc) of zero bytes.
    pub zero_size: u64,
    /// Blocks still live after the last op (0 for a balanced trace).
    pub live_at_end: u64,
}

impl Workload {
    /// A workload from its parts.
    #[must_use]
    pub fn new(name: impl Into<String>, ops: Vec<Op>, provenance: Provenance) -> Self {
        Self {
            name: name.into(),
            ops,
            provenance,
        }
    }

    /// Counts, peaks and extremes of the workload.
    #[must_use]
    pub fn stats(&self) -> WorkloadStats {
        let (ops, ids) = dense_ids(&self.ops);
        let mut live: Vec<Option<u64>> = vec![None; ids];
        let mut seen = vec![false; ids];
        let mut s = WorkloadStats {
            ops: ops.len() as u64,
            ..WorkloadStats::default()
        };
        // u128: no sizes a trace can hold overflow the sum.
        let (mut bytes, mut blocks) = (0u128, 0u64);
        for op in ops.iter() {
            let id = op.id() as usize;
            if !seen[id] {
                seen[id] = true;
                s.ids += 1;
            }
            let old = live[id].take();
            if let Some(old) = old {
                bytes -= u128::from(old);
                blocks -= u64::from(old > 0);
            }
            match *op {
                Op::Alloc { size, .. } | Op::Realloc { size, .. } => {
                    if matches!(op, Op::Alloc { .. }) {
                        s.allocs += 1;
                    } else {
                        s.reallocs += 1;
                    }
                    s.max_request = s.max_request.max(size);
                    s.zero_size += u64::from(size == 0);
                    live[id] = Some(size);
                    bytes += u128::from(size);
                    blocks += u64::from(size > 0);
                }
                Op::Free { .. } => s.frees += 1,
            }
            s.peak_live_bytes = s
                .peak_live_bytes
                .max(u64::try_from(bytes).unwrap_or(u64::MAX));
            s.peak_live_blocks = s.peak_live_blocks.max(blocks);
        }
        s.live_at_end = blocks;
        s
    }
}

/// The ops with ids made dense (`0..n`) when they are not already, and the table size `n`
/// the ids index. Ids already dense (the largest below `2 * len + 1024`) are kept as they are.
pub(crate) fn dense_ids(ops: &[Op]) -> (Cow<'_, [Op]>, usize) {
    let max = ops.iter().map(Op::id).max().map_or(0, |m| m as usize + 1);
    if max <= 2 * ops.len() + 1024 {
        return (Cow::Borrowed(ops), max);
    }
    let mut map: StableHashMap<u32, u32> = StableHashMap::default();
    let remapped: Vec<Op> = ops
        .iter()
        .map(|op| {
            let next = map.len() as u32;
            let id = *map.entry(op.id()).or_insert(next);
            op.with_id(id)
        })
        .collect();
    let n = map.len();
    (Cow::Owned(remapped), n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_ids_are_remapped_densely() {
        let ops = [
            Op::Alloc {
                id: u32::MAX,
                size: 8,
            },
            Op::Alloc { id: 7, size: 8 },
            Op::Free { id: u32::MAX },
        ];
        let (dense, n) = dense_ids(&ops);
        assert_eq!(n, 2);
        assert_eq!(
            dense.as_ref(),
            &[
                Op::Alloc { id: 0, size: 8 },
                Op::Alloc { id: 1, size: 8 },
                Op::Free { id: 0 }
            ]
        );
    }

    #[test]
    fn stats_follow_the_replay_rules() {
        let w = Workload::new(
            "t",
            vec![
                Op::Alloc { id: 0, size: 10 },
                Op::Alloc { id: 1, size: 0 },
                Op::Realloc { id: 0, size: 30 },
                Op::Realloc { id: 2, size: 5 },
                Op::Free { id: 9 },
                Op::Free { id: 0 },
            ],
            Provenance::Other {
                description: String::new(),
            },
        );
        let s = w.stats();
        assert_eq!(s.ops, 6);
        assert_eq!((s.allocs, s.reallocs, s.frees), (2, 2, 2));
        assert_eq!(s.ids, 4);
        assert_eq!(s.peak_live_bytes, 35);
        assert_eq!(s.peak_live_blocks, 2);
        assert_eq!(s.zero_size, 1);
        assert_eq!(s.live_at_end, 1);
        assert_eq!(s.max_request, 30);
    }
}
