//! # workloads
//!
//! Allocation workloads for mempool workbench, and one replay engine that runs them through
//! the pool and its peers.
//!
//! - [`op`]: the op model ([`Op`]: alloc / free / realloc by id) and [`Workload`]
//!   (name + ops + [`Provenance`]).
//! - [`rep`]: CMU malloc-lab `.rep` traces (2002 and 2016 headers, CRLF and bare CR, `f -1`,
//!   `r` on an unknown id, zero sizes), plain or zstd-compressed, read and written.
//! - [`mtrace`]: glibc `mtrace()` logs converted to ops by live address.
//! - [`record`]: runs an unmodified program under glibc's malloc tracing (a tiny preloaded
//!   shim, one log per process image, `exec`s included) and converts each log to `.rep.zst`.
//! - [`builtin`]: the traces recorded that way and shipped with the crate.
//! - [`generate`]: seeded, deterministic synthetic workloads.
//! - [`suite`]: what is replayed: the sources (built-in, synthetic, trace folders and files),
//!   one name per workload, the region rule, the CI size. Every tool builds its workloads
//!   there.
//! - [`adapters`]: the [`Allocator`] trait over one region, with adapters for mempool, talc,
//!   rlsf, linked_list_allocator, dlmalloc and the system allocator.
//! - [`replay`](mod@replay): runs a workload through an adapter, counts failures, times the run and
//!   samples heap state; [`metrics`] turns that into Johnstone & Wilson's fragmentation
//!   measures and malloc-lab utilisation.
//! - [`aggregate`]: statistics across workloads that one tiny workload cannot dominate
//!   (geometric means of ratios with bootstrap intervals, medians, wins, the small-heap floor).
//! - [`timing`]: the lean timing loop (compiled per adapter, nothing but the allocator's calls
//!   per op) and the per-op latency replay (HDR histograms of malloc, free and realloc).
//! - [`placement`]: an [`Allocator`] decorator that hashes the offsets an allocator returns,
//!   so a changed placement shows as a changed hash.
//!
//! ```
//! use workloads::{generate::Generator, replay, AdapterSpec, ReplayConfig};
//!
//! let workload = Generator::Fifo { ops: 2_000, queue_len: 64, min: 8, max: 512 }.generate(7)?;
//! let mut pool = AdapterSpec::default_pool().build(1 << 20)?;
//! let result = replay(&workload, pool.as_mut(), &ReplayConfig::default());
//! assert_eq!(result.failures, 0);
//! assert!(result.metrics.utilisation.unwrap() > 0.5);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Unsafe code lives only in the peer adapters that hand a raw region to an allocator crate
//! (`adapters::{region, talc, rlsf, linked_list, dlmalloc, system}`); every other module
//! forbids it.

#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod adapters;
pub mod aggregate;
pub mod builtin;
pub mod error;
pub mod generate;
mod lines;
pub mod metrics;
pub mod mtrace;
pub mod op;
pub mod placement;
pub mod record;
pub mod rep;
pub mod replay;
mod stable_map;
pub mod suite;
pub mod timing;

pub use adapters::{AdapterSpec, Allocator, Block, FreeStats, PoolVariant, WithAllocator};
pub use error::{AdapterError, GenerateError, RecordError, SuiteError, TraceError};
pub use metrics::Metrics;
pub use op::{Op, Provenance, Workload, WorkloadStats};
pub use replay::{replay, ReplayConfig, ReplayResult, Sample, Sampling};
