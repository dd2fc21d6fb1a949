//! # deterministic
//!
//! The deterministic benchmarks of mempool workbench and its CI gate: figures that do not
//! depend on the machine's load, so base and head can be compared on any runner with a
//! threshold of 1 %.
//!
//! - [`set`]: which allocators a gate measures: the workbench's ([`GateSet::builtin`]) or a
//!   user crate's ([`GateSet::new`]).
//! - [`counting`]: what callgrind counts inside one replay by a `replay_counted` binary
//!   (the allocator's calls; the harness apart), which the gungraun benchmarks
//!   ([`callgrind`]; the workbench's bench target is `benches/callgrind.rs`) run for a set.
//! - [`programs`]: the two programs a gate runs, `replay_counted` and `figures`, for any
//!   set (the workbench's binaries in `src/bin/`, a user's in its own crate).
//! - [`counts`]: reading gungraun's summaries into instruction, L1-miss, LL-miss and
//!   estimated-cycle counts.
//! - [`figures`]: fragmentation and placement figures (#4, peak footprint, failures, the
//!   placement hash) from tracked replays, checked for reproducibility (the `figures` binary).
//! - [`gate`]: thresholds, verdicts and the table (the `det_gate` binary, which
//!   `benches/compare.sh --deterministic` runs).
//!
//! See `benches/README.md`, "The deterministic gate".

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod callgrind;
pub mod counting;
pub mod counts;
pub mod figures;
pub mod gate;
pub mod programs;
pub mod set;

pub use set::GateSet;
