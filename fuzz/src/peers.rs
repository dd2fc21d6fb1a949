//! The `peers` target: any [`RegionAllocator`] under a shadow model. The built-in peers
//! (talc, rlsf, linked_list_allocator, dlmalloc) are fuzzed by `fuzz_targets/peers.rs`; a
//! user's allocator by a one-line target calling [`run`] (see `examples/bring-your-own/`).
//!
//! Each input picks a region size and up to [`MAX_OPS`] operations with sizes and alignments
//! from 1 to 4096 bytes. After every operation the harness checks, through
//! `workloads::adapters::RegionAdapter` (which refuses a pointer outside the region or
//! misaligned):
//!
//! 1. no two live blocks overlap;
//! 2. every block is aligned to its alignment and lies inside the region;
//! 3. every live block still holds its pattern ([`crate::pattern`]) until it is freed;
//! 4. a realloc keeps the first `min(old, new)` bytes;
//! 5. the allocator's own check ([`RegionAllocator::check`]) passes;
//!
//! and at the end, with every block freed, (6) one allocation of
//! [`RegionAllocator::whole_region_after_free`] bytes succeeds when the allocator claims to
//! coalesce fully.
//!
//! There is no calloc: a region allocator has none (the adapter's would be a `memset`).

use std::alloc::Layout;
use std::collections::BTreeMap;

use arbitrary::Arbitrary;
use workloads::adapters::{RegionAdapter, RegionAllocator};
use workloads::{Allocator, Block, Op};

use crate::pattern;

/// Most operations one input runs.
pub const MAX_OPS: usize = 64;

/// Smallest region (enough for every built-in peer's metadata).
pub const MIN_REGION: usize = 16 << 10;

/// Largest request and alignment.
pub const MAX_REQUEST: usize = 4096;

/// One operation.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeerOp {
    /// Allocate `1 + size % 4096` bytes aligned to `2^(align % 13)`.
    Alloc {
        /// Size selector.
        size: u16,
        /// Alignment selector.
        align: u8,
    },
    /// Free the live block at `index % live`.
    Free {
        /// Which block.
        index: u8,
    },
    /// Resize the live block at `index % live` to `1 + size % 4096` bytes.
    Realloc {
        /// Which block.
        index: u8,
        /// Size selector.
        size: u16,
    },
}

/// One input: a region size and the operations.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub struct PeerInput {
    /// Region size: `MIN_REGION + 64 * region` bytes (16 KiB to about 4 MiB).
    pub region: u16,
    /// The operations (at most [`MAX_OPS`] run).
    pub ops: Vec<PeerOp>,
}

impl PeerInput {
    /// The region size in bytes.
    #[must_use]
    pub fn region_bytes(&self) -> usize {
        MIN_REGION + 64 * usize::from(self.region)
    }
}

fn size_of(sel: u16) -> usize {
    1 + usize::from(sel) % MAX_REQUEST
}

fn align_of(sel: u8) -> usize {
    1 << (sel % 13)
}

/// A live block under the shadow model: its handle, its pattern's id, and its id in the
/// recorded trace.
struct Live {
    block: Block,
    id: u32,
    trace: u32,
}

/// The shadow: live blocks by id, and their extents by offset for the overlap check.
struct Shadow<T: RegionAllocator> {
    heap: RegionAdapter<T>,
    live: Vec<Live>,
    by_offset: BTreeMap<usize, (usize, u32)>,
    next_id: u32,
    /// The requests made, as a trace ([`record`]).
    trace: Option<Vec<Op>>,
    next_trace: u32,
}

impl<T: RegionAllocator> Shadow<T> {
    fn note(&mut self, op: Op) {
        if let Some(t) = self.trace.as_mut() {
            t.push(op);
        }
    }

    /// Checks a new block against the live ones (1, 2) and writes its pattern.
    fn admit(&mut self, block: Block, trace: u32, what: &str) -> u32 {
        let (start, end) = (block.offset(), block.offset() + block.size());
        assert!(
            end <= self.heap.region_len(),
            "{}: {what} returned {start:#x}..{end:#x}, beyond the region",
            T::NAME
        );
        assert_eq!(
            start % block.align(),
            0,
            "{}: {what} returned {start:#x}, not aligned to {}",
            T::NAME,
            block.align()
        );
        if let Some((&s, &(e, id))) = self.by_offset.range(..end).next_back() {
            assert!(
                e <= start,
                "{}: {what} returned {start:#x}..{end:#x}, overlapping block {id} at {s:#x}..{e:#x}",
                T::NAME
            );
        }
        let id = self.next_id;
        self.next_id += 1;
        if let Some(bytes) = self.heap.data_mut(&block) {
            pattern::fill(bytes, id, 0);
        }
        self.by_offset.insert(start, (end, id));
        self.live.push(Live { block, id, trace });
        id
    }

    fn forget(&mut self, i: usize) -> Live {
        let l = self.live.swap_remove(i);
        self.by_offset.remove(&l.block.offset());
        l
    }

    /// Every live block still holds its pattern (3).
    fn verify(&self, after: &str) {
        for l in &self.live {
            let bytes = self.heap.data(&l.block).unwrap_or_default();
            if let Some(i) = pattern::mismatch(bytes, l.id, 0) {
                panic!(
                    "{}: after {after}, block {} at {:#x} ({} bytes) was overwritten at byte {i}",
                    T::NAME,
                    l.id,
                    l.block.offset(),
                    l.block.size()
                );
            }
        }
    }

    fn self_check(&self, after: &str) {
        if let Err(e) = self.heap.check() {
            panic!("{}: its own check fails after {after}: {e}", T::NAME);
        }
    }
}

/// Which built-in peer the `peers` target runs.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// talc.
    Talc,
    /// rlsf.
    Rlsf,
    /// linked_list_allocator.
    LinkedList,
    /// dlmalloc.
    Dlmalloc,
}

/// Environment variable that pins the `peers` target to one peer (`talc`, `rlsf`,
/// `linked_list_allocator` or `dlmalloc`) whatever the input picks: one fuzzing run per
/// peer, `fuzz/README.md`'s table.
pub const PEER_ENV: &str = "MEMPOOL_FUZZ_PEER";

impl Peer {
    /// Every peer.
    pub const ALL: [Peer; 4] = [Peer::Talc, Peer::Rlsf, Peer::LinkedList, Peer::Dlmalloc];

    /// The allocator's name (as every tool names it).
    #[must_use]
    pub fn name(self) -> &'static str {
        use workloads::adapters::{DlmallocRegion, LinkedListRegion, RlsfRegion, TalcRegion};
        match self {
            Peer::Talc => TalcRegion::NAME,
            Peer::Rlsf => RlsfRegion::NAME,
            Peer::LinkedList => LinkedListRegion::NAME,
            Peer::Dlmalloc => DlmallocRegion::NAME,
        }
    }

    /// The peer [`PEER_ENV`] pins, read once; `None` when it is not set.
    ///
    /// # Panics
    /// When it names no peer (the fuzzing run would not be what it says).
    #[must_use]
    pub fn pinned() -> Option<Peer> {
        static PINNED: std::sync::OnceLock<Option<Peer>> = std::sync::OnceLock::new();
        *PINNED.get_or_init(|| {
            let name = std::env::var(PEER_ENV).ok()?;
            let peer = Peer::ALL.into_iter().find(|p| p.name() == name);
            assert!(peer.is_some(), "{PEER_ENV}={name:?} names no peer");
            peer
        })
    }
}

/// Runs `input` on the chosen built-in peer (or on the one [`PEER_ENV`] pins).
///
/// # Panics
/// As [`run`].
pub fn run_peer(peer: Peer, input: &PeerInput) {
    let peer = Peer::pinned().unwrap_or(peer);
    use workloads::adapters::{DlmallocRegion, LinkedListRegion, RlsfRegion, TalcRegion};
    match peer {
        Peer::Talc => run::<TalcRegion>(input),
        Peer::Rlsf => run::<RlsfRegion>(input),
        Peer::LinkedList => run::<LinkedListRegion>(input),
        Peer::Dlmalloc => run::<DlmallocRegion>(input),
    }
}

/// [`record`] on the chosen built-in peer (or on the one [`PEER_ENV`] pins), and its name.
///
/// # Panics
/// As [`run`].
#[must_use]
pub fn record_peer(peer: Peer, input: &PeerInput) -> (&'static str, Vec<Op>) {
    use workloads::adapters::{DlmallocRegion, LinkedListRegion, RlsfRegion, TalcRegion};
    let peer = Peer::pinned().unwrap_or(peer);
    let ops = match peer {
        Peer::Talc => record::<TalcRegion>(input),
        Peer::Rlsf => record::<RlsfRegion>(input),
        Peer::LinkedList => record::<LinkedListRegion>(input),
        Peer::Dlmalloc => record::<DlmallocRegion>(input),
    };
    (peer.name(), ops)
}

/// Runs `input` on `T` over a fresh region.
///
/// # Panics
/// When a check fails: the message names the allocator, the operation and what broke.
pub fn run<T: RegionAllocator>(input: &PeerInput) {
    harness::<T>(input, false);
}

/// The requests `input` makes when it runs on `T`, as a balanced trace (every block freed at
/// the end; alignments are not kept: a `.rep` trace has none). What a free or a realloc
/// picks depends on which allocations succeeded, so the trace is the run on `T`.
///
/// # Panics
/// As [`run`].
#[must_use]
pub fn record<T: RegionAllocator>(input: &PeerInput) -> Vec<Op> {
    harness::<T>(input, true)
}

fn harness<T: RegionAllocator>(input: &PeerInput, recording: bool) -> Vec<Op> {
    let Ok(heap) = RegionAdapter::<T>::new(input.region_bytes()) else {
        return Vec::new();
    };
    let mut s = Shadow {
        heap,
        live: Vec::new(),
        by_offset: BTreeMap::new(),
        next_id: 0,
        trace: recording.then(Vec::new),
        next_trace: 0,
    };
    for (step, op) in input.ops.iter().take(MAX_OPS).enumerate() {
        let what = format!("op {step} ({op:?})");
        match *op {
            PeerOp::Alloc { size, align } => {
                let Ok(layout) = Layout::from_size_align(size_of(size), align_of(align)) else {
                    continue;
                };
                let trace = s.next_trace;
                s.next_trace += 1;
                s.note(Op::Alloc {
                    id: trace,
                    size: layout.size() as u64,
                });
                match s.heap.try_allocate(layout) {
                    Ok(Some(b)) => {
                        s.admit(b, trace, &what);
                    }
                    Ok(None) => {}
                    Err(why) => panic!("{}: {what}: {why}", T::NAME),
                }
            }
            PeerOp::Free { index } => {
                if s.live.is_empty() {
                    continue;
                }
                let l = s.forget(usize::from(index) % s.live.len());
                s.note(Op::Free { id: l.trace });
                assert!(
                    s.heap.free(l.block),
                    "{}: {what}: its own block refused",
                    T::NAME
                );
            }
            PeerOp::Realloc { index, size } => {
                if s.live.is_empty() {
                    continue;
                }
                let l = s.forget(usize::from(index) % s.live.len());
                let (old_size, id, trace) = (l.block.size(), l.id, l.trace);
                let new_size = size_of(size);
                s.note(Op::Realloc {
                    id: trace,
                    size: new_size as u64,
                });
                let done = match s.heap.try_realloc(l.block, new_size) {
                    Ok(done) => done,
                    Err((_, why)) => panic!("{}: {what}: {why}", T::NAME),
                };
                match done {
                    Ok(moved) => {
                        let kept = old_size.min(new_size);
                        let bytes = s.heap.data(&moved).unwrap_or_default();
                        if let Some(i) = pattern::mismatch(&bytes[..kept], id, 0) {
                            panic!(
                                "{}: {what}: resizing block {id} from {old_size} to {new_size} bytes lost byte {i} of the first {kept}",
                                T::NAME
                            );
                        }
                        s.admit(moved, trace, &what);
                    }
                    // A failed realloc leaves the block as it was: still live, still checked.
                    Err(unchanged) => {
                        s.by_offset
                            .insert(unchanged.offset(), (unchanged.offset() + old_size, id));
                        s.live.push(Live {
                            block: unchanged,
                            id,
                            trace,
                        });
                    }
                }
            }
        }
        s.verify(&what);
        s.self_check(&what);
    }
    while let Some(l) = s.live.pop() {
        s.by_offset.remove(&l.block.offset());
        s.note(Op::Free { id: l.trace });
        assert!(
            s.heap.free(l.block),
            "{}: teardown: its own block refused",
            T::NAME
        );
    }
    s.self_check("freeing every block");
    if let Some(n) = T::whole_region_after_free(s.heap.region_len()) {
        let layout = Layout::from_size_align(n, 8).expect("a size within the region");
        assert!(
            s.heap.allocate_layout(layout).is_some(),
            "{}: with every block freed, one allocation of {n} bytes of its {}-byte region fails: it does not coalesce fully",
            T::NAME,
            s.heap.region_len()
        );
    }
    s.trace.unwrap_or_default()
}
