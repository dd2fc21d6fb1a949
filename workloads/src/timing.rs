//! Timed replays: the lean loop that measures an allocator's speed, and the per-op latency
//! replay.
//!
//! Both follow [`crate::Op`]'s rules exactly as [`crate::replay()`] does (the same requests
//! reach the allocator, so the same ones fail), but keep only what timing needs:
//!
//! - ids are resolved to dense slots, and the slot table allocated, before the clock starts;
//! - the loop is generic over the allocator, so each adapter gets its own compiled loop with
//!   no virtual call per op ([`AdapterSpec::with_built`] builds the concrete adapter);
//! - no allocation, hashing, tracking or sampling per op: a slot holds the block handle only.
//!
//! What is left of the loop (a match on the op, a table slot, the handle) is measured by the
//! `baseline` allocator ([`crate::adapters::BaselineAdapter`]): its ns/op is the loop's own
//! cost, and every table of ns/op shows it beside the raw figures.
//!
//! The latency replay reads a TSC clock ([`quanta`]) around every allocator call and records
//! the difference in an HDR histogram per kind of call (malloc, free, realloc); the clock's
//! own cost ([`clock_cost_ns`]) is in every sample and is reported beside them.

#![forbid(unsafe_code)]

use std::ops::Range;
use std::sync::OnceLock;
use std::time::Instant;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

use crate::adapters::{AdapterSpec, Allocator, Block, WithAllocator};
use crate::error::AdapterError;
use crate::op::{dense_ids, Op, Workload};

/// A workload ready for timing: ops with dense slot ids, and the number of slots.
#[derive(Debug, Clone)]
pub struct Prepared {
    ops: Vec<Op>,
    slots: usize,
}

impl Prepared {
    /// Resolves `workload`'s ids to dense slots.
    #[must_use]
    pub fn new(workload: &Workload) -> Self {
        let (ops, slots) = dense_ids(&workload.ops);
        Self {
            ops: ops.into_owned(),
            slots,
        }
    }

    /// Number of ops.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether there are no ops.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// One timed replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timed {
    /// Ops replayed.
    pub ops: u64,
    /// Nanoseconds from the first op to the last (the final teardown of live blocks is not
    /// timed).
    pub elapsed_ns: u64,
    /// Requests that failed (as [`crate::ReplayResult::failures`] counts them).
    pub failures: u64,
}

impl Timed {
    /// Nanoseconds per op (0 for an empty workload).
    #[must_use]
    pub fn ns_per_op(&self) -> f64 {
        if self.ops == 0 {
            0.0
        } else {
            self.elapsed_ns as f64 / self.ops as f64
        }
    }
}

/// Which allocator call an op made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    Malloc,
    Free,
    Realloc,
}

/// What the loop does around each allocator call: nothing for timing, read a clock for
/// latency.
trait Probe {
    fn call<R>(&mut self, call: Call, f: impl FnOnce() -> R) -> R;
}

/// The timing loop's probe: the call alone.
struct Bare;

impl Probe for Bare {
    #[inline(always)]
    fn call<R>(&mut self, _: Call, f: impl FnOnce() -> R) -> R {
        f()
    }
}

/// A live slot: `None` for a zero-size block (live, but nothing allocated).
type Slot = Option<Block>;

/// A new block of `size` bytes for a slot: `Some(None)` for a zero size, `None` (counted in
/// `failures`) when the request cannot be met.
#[inline(always)]
fn fresh<A: Allocator + ?Sized, P: Probe>(
    alloc: &mut A,
    probe: &mut P,
    size: u64,
    capacity: u64,
    failures: &mut u64,
) -> Option<Slot> {
    if size == 0 {
        return Some(None);
    }
    if size > capacity {
        *failures += 1;
        return None;
    }
    match probe.call(Call::Malloc, || alloc.allocate(size as usize)) {
        Some(b) => Some(Some(b)),
        None => {
            *failures += 1;
            None
        }
    }
}

/// The loop itself, shared by timing and latency: returns the failures. Live blocks are
/// left in `table` for the caller to free after the clock stops.
#[inline(always)]
fn run<A: Allocator + ?Sized, P: Probe>(
    ops: &[Op],
    table: &mut [Option<Slot>],
    alloc: &mut A,
    probe: &mut P,
) -> u64 {
    let capacity = alloc.capacity() as u64;
    let mut failures = 0;
    for &op in ops {
        match op {
            Op::Alloc { id, size } => {
                let slot = &mut table[id as usize];
                if let Some(Some(old)) = slot.take() {
                    probe.call(Call::Free, || alloc.free(old));
                }
                *slot = fresh(alloc, probe, size, capacity, &mut failures);
            }
            Op::Free { id } => {
                if let Some(Some(b)) = table[id as usize].take() {
                    probe.call(Call::Free, || alloc.free(b));
                }
            }
            Op::Realloc { id, size } => {
                let slot = &mut table[id as usize];
                *slot = match slot.take() {
                    Some(Some(b)) if size == 0 => {
                        probe.call(Call::Free, || alloc.free(b));
                        Some(None)
                    }
                    Some(Some(b)) if size > capacity => {
                        failures += 1;
                        Some(Some(b))
                    }
                    Some(Some(b)) => {
                        match probe.call(Call::Realloc, || alloc.realloc(b, size as usize)) {
                            Ok(moved) => Some(Some(moved)),
                            Err(b) => {
                                failures += 1;
                                Some(Some(b))
                            }
                        }
                    }
                    _ => fresh(alloc, probe, size, capacity, &mut failures),
                };
            }
        }
    }
    failures
}

/// Frees every block left in `table`, newest slot first (as the tracked replay does).
fn teardown<A: Allocator + ?Sized>(table: &mut [Option<Slot>], alloc: &mut A) {
    for slot in table.iter_mut().rev() {
        if let Some(Some(b)) = slot.take() {
            alloc.free(b);
        }
    }
}

fn empty_table(slots: usize) -> Vec<Option<Slot>> {
    let mut table = Vec::new();
    table.resize_with(slots, || None);
    table
}

/// Replays `prepared` on `alloc` and times it with the lean loop. Use a fresh allocator per
/// replay. With a concrete `A` the loop is compiled for that allocator; through
/// `Box<dyn Allocator>` it pays a virtual call per request.
pub fn time<A: Allocator + ?Sized>(prepared: &Prepared, alloc: &mut A) -> Timed {
    time_window(prepared, alloc, 0..prepared.ops.len())
}

/// Replays `prepared` on `alloc`, timing only the ops of `window` (clamped to the ops): the
/// ones before it run first, untimed, and the ones after it untimed too. `Timed::ops` and
/// `failures` count the window's ops alone. The scaling curves time a steady state's churn
/// this way, after its fill.
pub fn time_window<A: Allocator + ?Sized>(
    prepared: &Prepared,
    alloc: &mut A,
    window: Range<usize>,
) -> Timed {
    let n = prepared.ops.len();
    let (from, to) = (
        window.start.min(n),
        window.end.clamp(window.start.min(n), n),
    );
    let mut table = empty_table(prepared.slots);
    run(&prepared.ops[..from], &mut table, alloc, &mut Bare);
    let start = Instant::now();
    let failures = run(&prepared.ops[from..to], &mut table, alloc, &mut Bare);
    let elapsed = start.elapsed();
    run(&prepared.ops[to..], &mut table, alloc, &mut Bare);
    teardown(&mut table, alloc);
    Timed {
        ops: (to - from) as u64,
        elapsed_ns: u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX),
        failures,
    }
}

/// Builds `spec` over a fresh region of `capacity` bytes and times `prepared` on it with the
/// loop compiled for that adapter.
///
/// # Errors
/// [`AdapterError`] when the adapter cannot be built.
pub fn time_spec(
    prepared: &Prepared,
    spec: &AdapterSpec,
    capacity: usize,
) -> Result<Timed, AdapterError> {
    time_window_spec(prepared, 0..prepared.len(), spec, capacity)
}

/// [`time_window`] on a fresh `spec` of `capacity` bytes, compiled for that adapter.
///
/// # Errors
/// [`AdapterError`] when the adapter cannot be built.
pub fn time_window_spec(
    prepared: &Prepared,
    window: Range<usize>,
    spec: &AdapterSpec,
    capacity: usize,
) -> Result<Timed, AdapterError> {
    struct TimeIt<'a>(&'a Prepared, Range<usize>);
    impl WithAllocator for TimeIt<'_> {
        type Output = Timed;
        fn run<A: Allocator>(self, alloc: &mut A) -> Timed {
            time_window(self.0, alloc, self.1)
        }
    }
    spec.with_built(capacity, TimeIt(prepared, window))
}

/// The shared TSC clock (calibrated once).
fn clock() -> &'static quanta::Clock {
    static CLOCK: OnceLock<quanta::Clock> = OnceLock::new();
    CLOCK.get_or_init(quanta::Clock::new)
}

/// What reading the latency clock twice costs, in nanoseconds: the median of 20,001
/// back-to-back pairs of reads. It is part of every latency sample.
#[must_use]
pub fn clock_cost_ns() -> f64 {
    let c = clock();
    let mut d: Vec<u64> = (0..20_001)
        .map(|_| {
            let a = c.raw();
            let b = c.raw();
            c.delta_as_nanos(a, b)
        })
        .collect();
    d.sort_unstable();
    d[d.len() / 2] as f64
}

/// Largest latency a histogram records exactly (10 s); longer calls count as this.
const MAX_LATENCY_NS: u64 = 10_000_000_000;

/// The latency probe: a histogram per kind of call.
struct Clocked {
    clock: &'static quanta::Clock,
    malloc: Histogram<u64>,
    free: Histogram<u64>,
    realloc: Histogram<u64>,
}

impl Clocked {
    fn new() -> Self {
        let h = || {
            Histogram::new_with_bounds(1, MAX_LATENCY_NS, 3)
                .expect("1..=10 s at 3 significant digits is a valid histogram")
        };
        Self {
            clock: clock(),
            malloc: h(),
            free: h(),
            realloc: h(),
        }
    }
}

impl Probe for Clocked {
    #[inline(always)]
    fn call<R>(&mut self, call: Call, f: impl FnOnce() -> R) -> R {
        let start = self.clock.raw();
        let r = f();
        let end = self.clock.raw();
        let ns = self
            .clock
            .delta_as_nanos(start, end)
            .clamp(1, MAX_LATENCY_NS);
        let h = match call {
            Call::Malloc => &mut self.malloc,
            Call::Free => &mut self.free,
            Call::Realloc => &mut self.realloc,
        };
        h.saturating_record(ns);
        r
    }
}

/// Percentiles of one kind of call, in nanoseconds (clock cost included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    /// Calls recorded.
    pub count: u64,
    /// Median.
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p999: u64,
    /// The slowest call.
    pub max: u64,
    /// Mean.
    pub mean: f64,
}

impl Percentiles {
    fn of(h: &Histogram<u64>) -> Self {
        if h.is_empty() {
            return Self::default();
        }
        Self {
            count: h.len(),
            p50: h.value_at_quantile(0.5),
            p90: h.value_at_quantile(0.9),
            p99: h.value_at_quantile(0.99),
            p999: h.value_at_quantile(0.999),
            max: h.max(),
            mean: h.mean(),
        }
    }

    /// The value at `quantile` (0..=1) of the named percentiles: 0.5, 0.9, 0.99, 0.999 and 1.
    #[must_use]
    pub fn ladder(&self) -> [(f64, u64); 5] {
        [
            (0.5, self.p50),
            (0.9, self.p90),
            (0.99, self.p99),
            (0.999, self.p999),
            (1.0, self.max),
        ]
    }
}

/// Per-op latency of one replay.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Allocations (`Alloc` ops, and `Realloc` of an id that was not live).
    pub malloc: Percentiles,
    /// Frees (`Free` of a live id, the implicit free of an `Alloc` on a live id, `Realloc`
    /// to 0).
    pub free: Percentiles,
    /// Resizes of live blocks.
    pub realloc: Percentiles,
    /// Requests that failed.
    pub failures: u64,
}

/// Replays `prepared` on `alloc`, timing every allocator call on its own.
pub fn latency<A: Allocator + ?Sized>(prepared: &Prepared, alloc: &mut A) -> Latency {
    let mut table = empty_table(prepared.slots);
    let mut probe = Clocked::new();
    let failures = run(&prepared.ops, &mut table, alloc, &mut probe);
    teardown(&mut table, alloc);
    Latency {
        malloc: Percentiles::of(&probe.malloc),
        free: Percentiles::of(&probe.free),
        realloc: Percentiles::of(&probe.realloc),
        failures,
    }
}

/// Builds `spec` over a fresh region of `capacity` bytes and measures `prepared`'s per-op
/// latency on it, with the loop compiled for that adapter.
///
/// # Errors
/// [`AdapterError`] when the adapter cannot be built.
pub fn latency_spec(
    prepared: &Prepared,
    spec: &AdapterSpec,
    capacity: usize,
) -> Result<Latency, AdapterError> {
    struct Measure<'a>(&'a Prepared);
    impl WithAllocator for Measure<'_> {
        type Output = Latency;
        fn run<A: Allocator>(self, alloc: &mut A) -> Latency {
            latency(self.0, alloc)
        }
    }
    spec.with_built(capacity, Measure(prepared))
}
