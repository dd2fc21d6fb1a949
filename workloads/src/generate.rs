//! Seeded, deterministic synthetic workloads.
//!
//! A [`Generator`] is a shape with its parameters; [`Generator::generate`] turns it and a
//! seed into a [`Workload`] with ChaCha8 (`rand_chacha`), so the same generator and seed give
//! the same ops on every machine. Ids are numbered from 0 in allocation order. Every
//! workload is balanced: blocks still live when the shape ends are freed newest first.
//!
//! The shapes: uniform random and power-law sizes with random lifetimes; Wilson et al.'s
//! ramp, peaks and plateau memory profiles; a LIFO stack and a FIFO queue; vectors growing
//! by realloc doubling; the seed's own benchmark (`mallocAs` of 4 x f64, six f64 arrays,
//! 1024 x f32, each followed by `freeAll`); frame churn (allocate many, free all, repeat);
//! and a steady state with N live blocks for scaling curves.

#![forbid(unsafe_code)]

use std::collections::VecDeque;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Pareto};
use serde::{Deserialize, Serialize};

use crate::error::GenerateError;
use crate::op::{Op, Provenance, Workload};

/// The most ops a generator may be asked for (ids must fit `u32`, ops must fit memory).
pub const MAX_OPS: usize = 100_000_000;

/// The three benchmark shapes of the seed (`@thi.ng/malloc`'s `bench/index.js`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeedShape {
    /// `mallocAs(F64, 4)`: one 32-byte block.
    F64x4,
    /// `mallocAs(F64, n)` for n = 8, 16, 1, 32, 2, 4: blocks of 64, 128, 8, 256, 16, 32 bytes.
    SixF64,
    /// `mallocAs(F32, 1024)`: one 4096-byte block.
    F32x1024,
}

impl SeedShape {
    /// The block sizes of one iteration, in allocation order.
    #[must_use]
    pub fn sizes(self) -> &'static [u64] {
        match self {
            Self::F64x4 => &[32],
            Self::SixF64 => &[64, 128, 8, 256, 16, 32],
            Self::F32x1024 => &[4096],
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::F64x4 => "f64x4",
            Self::SixF64 => "6xf64",
            Self::F32x1024 => "f32x1024",
        }
    }
}

/// A synthetic workload shape and its parameters. Sizes are drawn from `min..=max` bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "generator", rename_all = "snake_case")]
pub enum Generator {
    /// `ops` random ops: with probability `realloc_prob` a random live block is resized, else
    /// with probability `alloc_prob` a block is allocated, else a random live block is freed.
    /// Sizes uniform.
    Uniform {
        /// Ops before the final teardown.
        ops: usize,
        /// Smallest size.
        min: u64,
        /// Largest size.
        max: u64,
        /// Probability of an allocation (among non-realloc ops).
        alloc_prob: f64,
        /// Probability of a realloc.
        realloc_prob: f64,
    },
    /// Like `Uniform` without reallocs, sizes from a Pareto distribution (scale `min`, shape
    /// `alpha`) truncated to `max`: many small blocks, a few huge ones.
    PowerLaw {
        /// Ops before the final teardown.
        ops: usize,
        /// Smallest size (the Pareto scale).
        min: u64,
        /// Largest size.
        max: u64,
        /// Pareto shape: smaller is heavier-tailed.
        alpha: f64,
        /// Probability of an allocation.
        alloc_prob: f64,
    },
    /// Wilson's ramp: live memory grows steadily. `allocs` allocations; a fraction
    /// `temp_fraction` of them are temporaries freed `temp_lifetime` allocations later, the
    /// rest live to the end.
    Ramp {
        /// Allocations.
        allocs: usize,
        /// Smallest size.
        min: u64,
        /// Largest size.
        max: u64,
        /// Share of short-lived allocations.
        temp_fraction: f64,
        /// Lifetime of a temporary, in allocations.
        temp_lifetime: usize,
    },
    /// Wilson's peaks: `peaks` phases, each allocating `per_peak` blocks then freeing all but
    /// a `survivors` fraction of them in random order.
    Peaks {
        /// Phases.
        peaks: usize,
        /// Allocations per phase.
        per_peak: usize,
        /// Share of a phase's blocks that live to the end.
        survivors: f64,
        /// Smallest size.
        min: u64,
        /// Largest size.
        max: u64,
    },
    /// Wilson's plateau: live blocks ramp up to about `live` (allocation probability 0.8),
    /// then stay within 10 % of it (0.5) for the rest of `ops`.
    Plateau {
        /// Target number of live blocks.
        live: usize,
        /// Ops before the final teardown.
        ops: usize,
        /// Smallest size.
        min: u64,
        /// Largest size.
        max: u64,
    },
    /// A stack: push (allocate) or pop (free the newest) with equal probability, at most
    /// `max_depth` deep.
    Lifo {
        /// Ops before the final teardown.
        ops: usize,
        /// Deepest stack.
        max_depth: usize,
        /// Smallest size.
        min: u64,
        /// Largest size.
        max: u64,
    },
    /// A queue: enqueue (allocate) or dequeue (free the oldest) with equal probability, at
    /// most `queue_len` long.
    Fifo {
        /// Ops before the final teardown.
        ops: usize,
        /// Longest queue.
        queue_len: usize,
        /// Smallest size.
        min: u64,
        /// Largest size.
        max: u64,
    },
    /// `vectors` vectors start at `initial` bytes and double by realloc, in random order,
    /// until each reaches `max`; between steps, with probability `noise_prob` each, a small
    /// block (1..=`noise_max` bytes) is allocated and a random small block is freed.
    ReallocGrowth {
        /// Vectors.
        vectors: usize,
        /// Initial vector size.
        initial: u64,
        /// Final vector size.
        max: u64,
        /// Probability of a noise allocation (and of a noise free) per step.
        noise_prob: f64,
        /// Largest noise block.
        noise_max: u64,
    },
    /// The seed's benchmark: `iterations` times, allocate the shape's blocks, then free
    /// them all newest first (what the benchmark's `freeAll()` leaves).
    SeedBench {
        /// Which benchmark.
        shape: SeedShape,
        /// Repetitions.
        iterations: usize,
    },
    /// Frame churn: `frames` times, allocate `per_frame` blocks, then free them all in
    /// allocation order.
    FrameChurn {
        /// Frames.
        frames: usize,
        /// Allocations per frame.
        per_frame: usize,
        /// Smallest size.
        min: u64,
        /// Largest size.
        max: u64,
    },
    /// Steady state: allocate `live` blocks, then `churn` times free a random live block
    /// and allocate a new one, so exactly `live` blocks stay live.
    SteadyState {
        /// Live blocks (100 to 1,000,000 for the scaling curves).
        live: usize,
        /// Free + alloc pairs after the fill.
        churn: usize,
        /// Smallest size.
        min: u64,
        /// Largest size.
        max: u64,
    },
}

/// Builds ops with fresh ids.
struct Builder {
    ops: Vec<Op>,
    next: u32,
    rng: ChaCha8Rng,
    lo: u64,
    hi: u64,
}

impl Builder {
    fn new(seed: u64, lo: u64, hi: u64) -> Self {
        Self {
            ops: Vec::new(),
            next: 0,
            rng: ChaCha8Rng::seed_from_u64(seed),
            lo,
            hi,
        }
    }

    fn alloc(&mut self, size: u64) -> u32 {
        let id = self.next;
        self.next += 1;
        self.ops.push(Op::Alloc { id, size });
        id
    }

    fn alloc_random(&mut self) -> u32 {
        let size = self.size();
        self.alloc(size)
    }

    fn size(&mut self) -> u64 {
        self.rng.random_range(self.lo..=self.hi)
    }

    fn free(&mut self, id: u32) {
        self.ops.push(Op::Free { id });
    }

    /// Removes and frees a random element of `live`.
    fn free_random(&mut self, live: &mut Vec<u32>) {
        if live.is_empty() {
            return;
        }
        let i = self.rng.random_range(0..live.len());
        let id = live.swap_remove(i);
        self.free(id);
    }

    /// Frees every id in `live`, newest first.
    fn teardown(mut self, mut live: Vec<u32>) -> Vec<Op> {
        live.sort_unstable_by(|a, b| b.cmp(a));
        for id in live {
            self.free(id);
        }
        self.ops
    }
}

fn invalid(
    generator: &Generator,
    parameter: &'static str,
    reason: impl Into<String>,
) -> GenerateError {
    GenerateError {
        generator: generator.name(),
        parameter,
        reason: reason.into(),
    }
}

impl Generator {
    /// A short name for the workload, for example `fifo` or `steady-state-n10000`.
    #[must_use]
    pub fn name(&self) -> String {
        match self {
            Self::Uniform { .. } => "uniform".into(),
            Self::PowerLaw { .. } => "power-law".into(),
            Self::Ramp { .. } => "ramp".into(),
            Self::Peaks { .. } => "peaks".into(),
            Self::Plateau { .. } => "plateau".into(),
            Self::Lifo { .. } => "lifo".into(),
            Self::Fifo { .. } => "fifo".into(),
            Self::ReallocGrowth { .. } => "realloc-growth".into(),
            Self::SeedBench { shape, .. } => format!("seed-{}", shape.name()),
            Self::FrameChurn { .. } => "frame-churn".into(),
            Self::SteadyState { live, .. } => format!("steady-state-n{live}"),
        }
    }

    /// The same shape with its counts divided by `divisor` (at least 1): fewer ops, phases,
    /// frames or live blocks, the same sizes and probabilities. `--quick` runs every shape of
    /// the standard suite at `scaled(5)`. `ReallocGrowth` is unchanged: its length is set by
    /// its sizes (each vector doubles from `initial` to `max`). A count of at least 1 stays at
    /// least 1, so a scaled generator is valid when the original is.
    #[must_use]
    pub fn scaled(&self, divisor: usize) -> Self {
        let d = divisor.max(1);
        let s = |n: usize| if n == 0 { 0 } else { (n / d).max(1) };
        let mut g = self.clone();
        match &mut g {
            Self::Uniform { ops, .. }
            | Self::PowerLaw { ops, .. }
            | Self::Lifo { ops, .. }
            | Self::Fifo { ops, .. } => *ops = s(*ops),
            Self::Ramp { allocs, .. } => *allocs = s(*allocs),
            Self::Peaks { peaks, .. } => *peaks = s(*peaks),
            Self::Plateau { live, ops, .. } => (*live, *ops) = (s(*live), s(*ops)),
            Self::SeedBench { iterations, .. } => *iterations = s(*iterations),
            Self::FrameChurn { frames, .. } => *frames = s(*frames),
            Self::SteadyState { live, churn, .. } => (*live, *churn) = (s(*live), s(*churn)),
            Self::ReallocGrowth { .. } => {}
        }
        g
    }

    /// Checks the parameters: sizes `1 <= min <= max`, probabilities in `0..=1`, `alpha > 0`,
    /// op counts within [`MAX_OPS`].
    ///
    /// # Errors
    /// [`GenerateError`] naming the parameter.
    pub fn validate(&self) -> Result<(), GenerateError> {
        let sizes = |min: u64, max: u64| -> Result<(), GenerateError> {
            if min == 0 {
                return Err(invalid(self, "min", "must be at least 1"));
            }
            if min > max {
                return Err(invalid(
                    self,
                    "max",
                    format!("({max}) is below min ({min})"),
                ));
            }
            Ok(())
        };
        let prob = |name: &'static str, p: f64| -> Result<(), GenerateError> {
            if (0.0..=1.0).contains(&p) {
                Ok(())
            } else {
                Err(invalid(
                    self,
                    name,
                    format!("({p}) must be a probability in 0..=1"),
                ))
            }
        };
        let count = |name: &'static str, n: usize| -> Result<(), GenerateError> {
            if n <= MAX_OPS {
                Ok(())
            } else {
                Err(invalid(self, name, format!("({n}) is above {MAX_OPS}")))
            }
        };
        match *self {
            Self::Uniform {
                ops,
                min,
                max,
                alloc_prob,
                realloc_prob,
            } => {
                sizes(min, max)?;
                prob("alloc_prob", alloc_prob)?;
                prob("realloc_prob", realloc_prob)?;
                count("ops", ops)
            }
            Self::PowerLaw {
                ops,
                min,
                max,
                alpha,
                alloc_prob,
            } => {
                sizes(min, max)?;
                prob("alloc_prob", alloc_prob)?;
                if !(alpha > 0.0 && alpha.is_finite()) {
                    return Err(invalid(
                        self,
                        "alpha",
                        format!("({alpha}) must be positive"),
                    ));
                }
                count("ops", ops)
            }
            Self::Ramp {
                allocs,
                min,
                max,
                temp_fraction,
                ..
            } => {
                sizes(min, max)?;
                prob("temp_fraction", temp_fraction)?;
                count("allocs", allocs)
            }
            Self::Peaks {
                peaks,
                per_peak,
                survivors,
                min,
                max,
            } => {
                sizes(min, max)?;
                prob("survivors", survivors)?;
                count("per_peak", per_peak)?;
                count("peaks * per_peak", peaks.saturating_mul(per_peak))
            }
            Self::Plateau {
                live,
                ops,
                min,
                max,
            } => {
                sizes(min, max)?;
                count("live", live)?;
                count("ops", ops)
            }
            Self::Lifo { ops, min, max, .. } | Self::Fifo { ops, min, max, .. } => {
                sizes(min, max)?;
                count("ops", ops)
            }
            Self::ReallocGrowth {
                vectors,
                initial,
                max,
                noise_prob,
                noise_max,
            } => {
                sizes(initial, max)?;
                prob("noise_prob", noise_prob)?;
                if noise_max == 0 {
                    return Err(invalid(self, "noise_max", "must be at least 1"));
                }
                // Each vector doubles at most 64 times.
                count("vectors * 64", vectors.saturating_mul(64))
            }
            Self::SeedBench { iterations, .. } => count("iterations", iterations),
            Self::FrameChurn {
                frames,
                per_frame,
                min,
                max,
            } => {
                sizes(min, max)?;
                count("frames * per_frame", frames.saturating_mul(per_frame))
            }
            Self::SteadyState {
                live,
                churn,
                min,
                max,
            } => {
                sizes(min, max)?;
                count("live", live)?;
                count("churn", churn)
            }
        }
    }

    /// The workload for `seed`: the same generator and seed always give the same ops.
    ///
    /// # Errors
    /// [`GenerateError`] when [`Generator::validate`] fails.
    pub fn generate(&self, seed: u64) -> Result<Workload, GenerateError> {
        self.validate()?;
        let ops = match *self {
            Self::Uniform {
                ops,
                min,
                max,
                alloc_prob,
                realloc_prob,
            } => uniform(seed, ops, min, max, alloc_prob, realloc_prob),
            Self::PowerLaw {
                ops,
                min,
                max,
                alpha,
                alloc_prob,
            } => power_law(seed, ops, min, max, alpha, alloc_prob),
            Self::Ramp {
                allocs,
                min,
                max,
                temp_fraction,
                temp_lifetime,
            } => ramp(seed, allocs, min, max, temp_fraction, temp_lifetime),
            Self::Peaks {
                peaks,
                per_peak,
                survivors,
                min,
                max,
            } => peaks_shape(seed, peaks, per_peak, survivors, min, max),
            Self::Plateau {
                live,
                ops,
                min,
                max,
            } => plateau(seed, live, ops, min, max),
            Self::Lifo {
                ops,
                max_depth,
                min,
                max,
            } => lifo(seed, ops, max_depth, min, max),
            Self::Fifo {
                ops,
                queue_len,
                min,
                max,
            } => fifo(seed, ops, queue_len, min, max),
            Self::ReallocGrowth {
                vectors,
                initial,
                max,
                noise_prob,
                noise_max,
            } => realloc_growth(seed, vectors, initial, max, noise_prob, noise_max),
            Self::SeedBench { shape, iterations } => seed_bench(shape, iterations),
            Self::FrameChurn {
                frames,
                per_frame,
                min,
                max,
            } => frame_churn(seed, frames, per_frame, min, max),
            Self::SteadyState {
                live,
                churn,
                min,
                max,
            } => steady_state(seed, live, churn, min, max),
        };
        Ok(Workload::new(
            self.name(),
            ops,
            Provenance::Generated {
                generator: self.clone(),
                seed,
            },
        ))
    }
}

fn uniform(seed: u64, ops: usize, min: u64, max: u64, alloc_p: f64, realloc_p: f64) -> Vec<Op> {
    let mut b = Builder::new(seed, min, max);
    let mut live = Vec::new();
    for _ in 0..ops {
        if !live.is_empty() && b.rng.random_bool(realloc_p) {
            let id = live[b.rng.random_range(0..live.len())];
            let size = b.size();
            b.ops.push(Op::Realloc { id, size });
        } else if live.is_empty() || b.rng.random_bool(alloc_p) {
            live.push(b.alloc_random());
        } else {
            b.free_random(&mut live);
        }
    }
    b.teardown(live)
}

/// A Pareto(`min`, `alpha`) size truncated to `max` by rejection (clamped after 64 misses,
/// which only a degenerate range reaches).
fn pareto_size(rng: &mut ChaCha8Rng, dist: &Pareto<f64>, min: u64, max: u64) -> u64 {
    if min == max {
        return min;
    }
    for _ in 0..64 {
        let x = dist.sample(rng).floor();
        if x <= max as f64 {
            return (x as u64).max(min);
        }
    }
    max
}

fn power_law(seed: u64, ops: usize, min: u64, max: u64, alpha: f64, alloc_p: f64) -> Vec<Op> {
    let mut b = Builder::new(seed, min, max);
    let mut live = Vec::new();
    // validate() checked min >= 1 and alpha > 0, which is all Pareto::new asks.
    let dist = Pareto::new(min as f64, alpha).ok();
    for _ in 0..ops {
        if live.is_empty() || b.rng.random_bool(alloc_p) {
            let size = match &dist {
                Some(dist) => pareto_size(&mut b.rng, dist, min, max),
                None => min,
            };
            live.push(b.alloc(size));
        } else {
            b.free_random(&mut live);
        }
    }
    b.teardown(live)
}

fn ramp(seed: u64, allocs: usize, min: u64, max: u64, temp_p: f64, lifetime: usize) -> Vec<Op> {
    let mut b = Builder::new(seed, min, max);
    let mut long = Vec::new();
    let mut temps: VecDeque<(u32, usize)> = VecDeque::new();
    for i in 0..allocs {
        while temps.front().is_some_and(|&(_, due)| due <= i) {
            if let Some((id, _)) = temps.pop_front() {
                b.free(id);
            }
        }
        let id = b.alloc_random();
        if b.rng.random_bool(temp_p) {
            temps.push_back((id, i.saturating_add(lifetime.max(1))));
        } else {
            long.push(id);
        }
    }
    long.extend(temps.into_iter().map(|(id, _)| id));
    b.teardown(long)
}

fn peaks_shape(
    seed: u64,
    peaks: usize,
    per_peak: usize,
    survive: f64,
    min: u64,
    max: u64,
) -> Vec<Op> {
    let mut b = Builder::new(seed, min, max);
    let mut long = Vec::new();
    let keep = ((per_peak as f64) * survive).round() as usize;
    for _ in 0..peaks {
        let mut batch: Vec<u32> = (0..per_peak).map(|_| b.alloc_random()).collect();
        batch.shuffle(&mut b.rng);
        let keep = keep.min(batch.len());
        long.extend_from_slice(&batch[..keep]);
        for &id in &batch[keep..] {
            b.free(id);
        }
    }
    b.teardown(long)
}

fn plateau(seed: u64, target: usize, ops: usize, min: u64, max: u64) -> Vec<Op> {
    let mut b = Builder::new(seed, min, max);
    let mut live = Vec::new();
    let mut ramping = true;
    let (low, high) = (target - target / 10, target + target / 10);
    for _ in 0..ops {
        if live.len() >= target {
            ramping = false;
        }
        let alloc = if ramping {
            live.is_empty() || b.rng.random_bool(0.8)
        } else if live.len() <= low || live.is_empty() {
            true
        } else if live.len() >= high {
            false
        } else {
            b.rng.random_bool(0.5)
        };
        if alloc {
            live.push(b.alloc_random());
        } else {
            b.free_random(&mut live);
        }
    }
    b.teardown(live)
}

fn lifo(seed: u64, ops: usize, max_depth: usize, min: u64, max: u64) -> Vec<Op> {
    let mut b = Builder::new(seed, min, max);
    let mut stack = Vec::new();
    let max_depth = max_depth.max(1);
    for _ in 0..ops {
        let push = stack.is_empty() || (stack.len() < max_depth && b.rng.random_bool(0.5));
        if push {
            stack.push(b.alloc_random());
        } else if let Some(id) = stack.pop() {
            b.free(id);
        }
    }
    b.teardown(stack)
}

fn fifo(seed: u64, ops: usize, queue_len: usize, min: u64, max: u64) -> Vec<Op> {
    let mut b = Builder::new(seed, min, max);
    let mut queue = VecDeque::new();
    let queue_len = queue_len.max(1);
    for _ in 0..ops {
        let enqueue = queue.is_empty() || (queue.len() < queue_len && b.rng.random_bool(0.5));
        if enqueue {
            queue.push_back(b.alloc_random());
        } else if let Some(id) = queue.pop_front() {
            b.free(id);
        }
    }
    b.teardown(queue.into())
}

fn realloc_growth(
    seed: u64,
    vectors: usize,
    initial: u64,
    max: u64,
    noise_p: f64,
    noise_max: u64,
) -> Vec<Op> {
    let mut b = Builder::new(seed, 1, noise_max);
    let mut growing: Vec<(u32, u64)> = (0..vectors).map(|_| (b.alloc(initial), initial)).collect();
    let mut done = Vec::new();
    let mut noise = Vec::new();
    while !growing.is_empty() {
        let i = b.rng.random_range(0..growing.len());
        let (id, size) = growing[i];
        let next = size.saturating_mul(2).min(max);
        b.ops.push(Op::Realloc { id, size: next });
        if next >= max {
            growing.swap_remove(i);
            done.push(id);
        } else {
            growing[i].1 = next;
        }
        if b.rng.random_bool(noise_p) {
            noise.push(b.alloc_random());
        }
        if b.rng.random_bool(noise_p) {
            b.free_random(&mut noise);
        }
    }
    done.extend(noise);
    b.teardown(done)
}

fn seed_bench(shape: SeedShape, iterations: usize) -> Vec<Op> {
    let mut b = Builder::new(0, 1, 1);
    for _ in 0..iterations {
        let ids: Vec<u32> = shape.sizes().iter().map(|&s| b.alloc(s)).collect();
        for &id in ids.iter().rev() {
            b.free(id);
        }
    }
    b.ops
}

fn frame_churn(seed: u64, frames: usize, per_frame: usize, min: u64, max: u64) -> Vec<Op> {
    let mut b = Builder::new(seed, min, max);
    for _ in 0..frames {
        let ids: Vec<u32> = (0..per_frame).map(|_| b.alloc_random()).collect();
        for id in ids {
            b.free(id);
        }
    }
    b.ops
}

fn steady_state(seed: u64, live_n: usize, churn: usize, min: u64, max: u64) -> Vec<Op> {
    let mut b = Builder::new(seed, min, max);
    let mut live: Vec<u32> = (0..live_n).map(|_| b.alloc_random()).collect();
    if !live.is_empty() {
        for _ in 0..churn {
            b.free_random(&mut live);
            live.push(b.alloc_random());
        }
    }
    b.teardown(live)
}

/// The synthetic set of the report: every shape once, each at most about 100,000 ops.
#[must_use]
pub fn standard_suite() -> Vec<Generator> {
    vec![
        Generator::Uniform {
            ops: 50_000,
            min: 1,
            max: 4096,
            alloc_prob: 0.55,
            realloc_prob: 0.05,
        },
        Generator::PowerLaw {
            ops: 50_000,
            min: 8,
            max: 1 << 20,
            alpha: 1.3,
            alloc_prob: 0.55,
        },
        Generator::Ramp {
            allocs: 30_000,
            min: 8,
            max: 512,
            temp_fraction: 0.5,
            temp_lifetime: 16,
        },
        Generator::Peaks {
            peaks: 20,
            per_peak: 1_000,
            survivors: 0.1,
            min: 8,
            max: 2048,
        },
        Generator::Plateau {
            live: 5_000,
            ops: 50_000,
            min: 8,
            max: 1024,
        },
        Generator::Lifo {
            ops: 50_000,
            max_depth: 1_000,
            min: 8,
            max: 1024,
        },
        Generator::Fifo {
            ops: 50_000,
            queue_len: 1_000,
            min: 8,
            max: 1024,
        },
        Generator::ReallocGrowth {
            vectors: 64,
            initial: 16,
            max: 65_536,
            noise_prob: 0.5,
            noise_max: 256,
        },
        Generator::SeedBench {
            shape: SeedShape::F64x4,
            iterations: 10_000,
        },
        Generator::SeedBench {
            shape: SeedShape::SixF64,
            iterations: 2_000,
        },
        Generator::SeedBench {
            shape: SeedShape::F32x1024,
            iterations: 10_000,
        },
        Generator::FrameChurn {
            frames: 50,
            per_frame: 1_000,
            min: 8,
            max: 512,
        },
        Generator::SteadyState {
            live: 10_000,
            churn: 20_000,
            min: 8,
            max: 256,
        },
    ]
}

/// Steady states with 100, 1,000, 10,000, 100,000 and 1,000,000 live blocks of 16..=256
/// bytes and 10,000 churn steps each, for scaling curves.
#[must_use]
pub fn scaling_suite() -> Vec<Generator> {
    [100, 1_000, 10_000, 100_000, 1_000_000]
        .into_iter()
        .map(|live| Generator::SteadyState {
            live,
            churn: 10_000,
            min: 16,
            max: 256,
        })
        .collect()
}
