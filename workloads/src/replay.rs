//! The replay engine: runs a workload's ops through an [`Allocator`], counts failures, times
//! the run and samples the heap.
//!
//! The rules for unusual op sequences are [`Op`]'s. A request larger than the allocator's
//! capacity is not sent to it: it fails and is counted in `oversized` too. Blocks still live
//! after the last op are freed after the clock stops.
//!
//! Timing covers the ops and the per-op bookkeeping (the block table, and with tracking on,
//! the extent and block-bytes queries); time spent taking samples is measured and left out.
//! For benchmarks, [`ReplayConfig::timing`] turns tracking and sampling off.

#![forbid(unsafe_code)]

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::adapters::{AdapterSpec, Allocator, Block};
use crate::error::AdapterError;
use crate::metrics::{Metrics, Tracker};
use crate::op::{dense_ids, Op, Workload};

/// Most samples [`Sampling::Auto`] takes.
pub const AUTO_SAMPLES: u64 = 1000;

/// When to sample the heap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sampling {
    /// Never.
    Off,
    /// After every k-th op (k >= 1) and after the last.
    Every(u64),
    /// At most [`AUTO_SAMPLES`] samples: every `ceil(ops / AUTO_SAMPLES)` ops, and after
    /// the last.
    Auto,
}

/// How to replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayConfig {
    /// When to sample.
    pub sampling: Sampling,
    /// Track live bytes, extent and block bytes after every op (needed for [`Metrics`]'
    /// heap measures).
    pub track: bool,
}

impl Default for ReplayConfig {
    /// Tracking on, [`Sampling::Auto`].
    fn default() -> Self {
        Self {
            sampling: Sampling::Auto,
            track: true,
        }
    }
}

impl ReplayConfig {
    /// For benchmarks: no tracking, no samples; only failures and time are measured.
    #[must_use]
    pub fn timing() -> Self {
        Self {
            sampling: Sampling::Off,
            track: false,
        }
    }

    /// Tracking on, a sample after every op.
    #[must_use]
    pub fn every_op() -> Self {
        Self {
            sampling: Sampling::Every(1),
            track: true,
        }
    }
}

/// The heap after some op.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Ops done.
    pub op: u64,
    /// Heap extent (bytes from the region's start to the heap's end).
    pub extent: Option<u64>,
    /// Largest extent so far.
    pub footprint: Option<u64>,
    /// Live requested bytes.
    pub live_requested: u64,
    /// Live blocks.
    pub live_blocks: u64,
    /// Bytes the live blocks occupy (headers, padding, remainders included).
    pub live_block_bytes: Option<u64>,
    /// Free blocks below the extent.
    pub free_blocks: Option<u64>,
    /// Free bytes below the extent.
    pub free_bytes: Option<u64>,
    /// Largest free block below the extent.
    pub largest_free_in_heap: Option<u64>,
    /// Largest free block counting the untouched rest of the region above the extent:
    /// `max(largest_free_in_heap, capacity - extent)`.
    pub largest_free: Option<u64>,
}

/// Everything a replay measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayResult {
    /// The workload's name.
    pub workload: String,
    /// The allocator's name.
    pub allocator: String,
    /// The region size.
    pub capacity: u64,
    /// Ops replayed.
    pub ops: u64,
    /// `Alloc` ops.
    pub allocs: u64,
    /// `Free` ops.
    pub frees: u64,
    /// `Realloc` ops.
    pub reallocs: u64,
    /// Requests the allocator could not satisfy (allocations and reallocs).
    pub failures: u64,
    /// Failed allocations (including reallocs of ids that were not live, which allocate).
    pub failed_allocs: u64,
    /// Failed reallocs of live blocks (the block stays as it was).
    pub failed_reallocs: u64,
    /// Failures whose size exceeded the capacity (not sent to the allocator).
    pub oversized: u64,
    /// Frees of ids that were not live (for example after a failed allocation).
    pub skipped_frees: u64,
    /// Zero-byte requests (no block allocated; a realloc to 0 frees).
    pub zero_size: u64,
    /// `Alloc` of an id that was still live (the old block was freed first).
    pub reused_ids: u64,
    /// Blocks live after the last op (freed after timing).
    pub live_at_end: u64,
    /// Timed nanoseconds (sampling excluded).
    pub elapsed_ns: u64,
    /// Nanoseconds spent sampling.
    pub sampling_ns: u64,
    /// The measures.
    pub metrics: Metrics,
    /// The samples, in op order.
    pub samples: Vec<Sample>,
}

/// A block-table slot: a live id, with its block (none for a zero size).
struct Slot {
    block: Option<Block>,
    size: u64,
    bytes: u64,
}

#[derive(Default)]
struct Counters {
    allocs: u64,
    frees: u64,
    reallocs: u64,
    failed_allocs: u64,
    failed_reallocs: u64,
    oversized: u64,
    skipped_frees: u64,
    zero_size: u64,
    reused_ids: u64,
    live_requested: u64,
    live_bytes: u64,
    live_blocks: u64,
    blocks_known: bool,
}

struct Engine<'a, A: ?Sized> {
    alloc: &'a mut A,
    capacity: u64,
    track: bool,
    c: Counters,
}

impl<A: Allocator + ?Sized> Engine<'_, A> {
    fn fits(&self, size: u64) -> Option<usize> {
        if size > self.capacity {
            return None;
        }
        usize::try_from(size).ok()
    }

    fn bytes_of(&mut self, block: &Block) -> u64 {
        if !self.track {
            return 0;
        }
        match self.alloc.block_bytes(block) {
            Some(b) => b as u64,
            None => {
                self.c.blocks_known = false;
                0
            }
        }
    }

    /// A new block for `size` bytes, or `None` (counted) when the allocator fails.
    fn new_slot(&mut self, size: u64) -> Option<Slot> {
        if size == 0 {
            self.c.zero_size += 1;
            return Some(Slot {
                block: None,
                size: 0,
                bytes: 0,
            });
        }
        let fits = self.fits(size);
        match fits.and_then(|s| self.alloc.allocate(s)) {
            Some(block) => {
                let bytes = self.bytes_of(&block);
                self.c.live_requested += size;
                self.c.live_bytes += bytes;
                self.c.live_blocks += 1;
                Some(Slot {
                    block: Some(block),
                    size,
                    bytes,
                })
            }
            None => {
                self.c.failed_allocs += 1;
                self.c.oversized += u64::from(fits.is_none());
                None
            }
        }
    }

    fn release(&mut self, slot: Slot) {
        if let Some(block) = slot.block {
            self.alloc.free(block);
            self.c.live_requested -= slot.size;
            self.c.live_bytes -= slot.bytes;
            self.c.live_blocks -= 1;
        }
    }

    fn realloc(&mut self, slot: Slot, size: u64) -> Option<Slot> {
        let Some(block) = slot.block else {
            return self.new_slot(size);
        };
        if size == 0 {
            self.c.zero_size += 1;
            self.release(Slot {
                block: Some(block),
                ..slot
            });
            return Some(Slot {
                block: None,
                size: 0,
                bytes: 0,
            });
        }
        let fits = self.fits(size);
        let result = match fits {
            Some(s) => self.alloc.realloc(block, s),
            None => Err(block),
        };
        match result {
            Ok(moved) => {
                let bytes = self.bytes_of(&moved);
                self.c.live_requested = self.c.live_requested - slot.size + size;
                self.c.live_bytes = self.c.live_bytes - slot.bytes + bytes;
                Some(Slot {
                    block: Some(moved),
                    size,
                    bytes,
                })
            }
            Err(block) => {
                self.c.failed_reallocs += 1;
                self.c.oversized += u64::from(fits.is_none());
                Some(Slot {
                    block: Some(block),
                    ..slot
                })
            }
        }
    }

    fn step(&mut self, table: &mut [Option<Slot>], op: Op) {
        let id = op.id() as usize;
        match op {
            Op::Alloc { size, .. } => {
                self.c.allocs += 1;
                if let Some(old) = table[id].take() {
                    self.c.reused_ids += 1;
                    self.release(old);
                }
                table[id] = self.new_slot(size);
            }
            Op::Free { .. } => {
                self.c.frees += 1;
                match table[id].take() {
                    Some(slot) => self.release(slot),
                    None => self.c.skipped_frees += 1,
                }
            }
            Op::Realloc { size, .. } => {
                self.c.reallocs += 1;
                table[id] = match table[id].take() {
                    Some(slot) => self.realloc(slot, size),
                    None => self.new_slot(size),
                };
            }
        }
    }

    fn sample(&self, op: u64) -> Sample {
        let extent = self.alloc.extent().map(|e| e as u64);
        let free = self.alloc.free_stats();
        Sample {
            op,
            extent,
            footprint: self.alloc.footprint().map(|f| f as u64),
            live_requested: self.c.live_requested,
            live_blocks: self.c.live_blocks,
            live_block_bytes: (self.track && self.c.blocks_known).then_some(self.c.live_bytes),
            free_blocks: free.free_blocks,
            free_bytes: free.free_bytes,
            largest_free_in_heap: free.largest_free,
            largest_free: free
                .largest_free
                .zip(extent)
                .map(|(l, e)| l.max(self.capacity.saturating_sub(e))),
        }
    }
}

/// Replays `workload` on `alloc`.
///
/// Use a fresh allocator per replay: footprints and failures depend on its history.
pub fn replay<A: Allocator + ?Sized>(
    workload: &Workload,
    alloc: &mut A,
    config: &ReplayConfig,
) -> ReplayResult {
    let (ops, ids) = dense_ids(&workload.ops);
    let n = ops.len() as u64;
    let every = match config.sampling {
        Sampling::Off => None,
        Sampling::Every(k) => Some(k.max(1)),
        Sampling::Auto => Some(n.div_ceil(AUTO_SAMPLES).max(1)),
    };
    let mut table: Vec<Option<Slot>> = Vec::new();
    table.resize_with(ids, || None);
    let mut samples = Vec::new();
    let extent_known = alloc.extent().is_some();
    let mut tracker = config.track.then(|| Tracker::new(extent_known, true));
    let allocator = alloc.name();
    let capacity = alloc.capacity() as u64;
    let mut engine = Engine {
        alloc,
        capacity,
        track: config.track,
        c: Counters {
            blocks_known: true,
            ..Counters::default()
        },
    };

    let mut sampling = Duration::ZERO;
    let start = Instant::now();
    for (i, &op) in ops.iter().enumerate() {
        engine.step(&mut table, op);
        if let Some(t) = tracker.as_mut() {
            let extent = engine.alloc.extent().unwrap_or(0) as u64;
            t.observe(engine.c.live_requested, engine.c.live_bytes, extent);
        }
        if let Some(k) = every {
            let done = i as u64 + 1;
            if done % k == 0 || done == n {
                let t0 = Instant::now();
                samples.push(engine.sample(done));
                sampling += t0.elapsed();
            }
        }
    }
    let elapsed = start.elapsed().saturating_sub(sampling);

    let live_at_end = engine.c.live_blocks;
    for slot in table.iter_mut().rev() {
        if let Some(slot) = slot.take() {
            engine.release(slot);
        }
    }
    if let Some(t) = tracker.as_mut() {
        if !engine.c.blocks_known {
            t.forget_blocks();
        }
    }
    let c = engine.c;
    let failures = c.failed_allocs + c.failed_reallocs;
    ReplayResult {
        workload: workload.name.clone(),
        allocator,
        capacity,
        ops: n,
        allocs: c.allocs,
        frees: c.frees,
        reallocs: c.reallocs,
        failures,
        failed_allocs: c.failed_allocs,
        failed_reallocs: c.failed_reallocs,
        oversized: c.oversized,
        skipped_frees: c.skipped_frees,
        zero_size: c.zero_size,
        reused_ids: c.reused_ids,
        live_at_end,
        elapsed_ns: u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX),
        sampling_ns: u64::try_from(sampling.as_nanos()).unwrap_or(u64::MAX),
        metrics: Metrics::compute(tracker.as_ref(), failures, n, elapsed),
        samples,
    }
}

/// Builds `spec` over a fresh region of `capacity` bytes and replays `workload` on it.
///
/// # Errors
/// [`AdapterError`] when the adapter cannot be built.
pub fn replay_spec(
    workload: &Workload,
    spec: &AdapterSpec,
    capacity: usize,
    config: &ReplayConfig,
) -> Result<ReplayResult, AdapterError> {
    let mut alloc = spec.build(capacity)?;
    Ok(replay(workload, alloc.as_mut(), config))
}
