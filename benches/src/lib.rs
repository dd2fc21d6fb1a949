//! # benches
//!
//! Criterion benchmarks of mempool workbench, and the small tools around them. The
//! benchmarks themselves live in `benches/` (one harness per area: `workloads`, `scaling`,
//! `api`); this library holds what they and the tools share:
//!
//! - [`selection`]: which workloads and allocators the `workloads` harness runs.
//! - [`profile`]: the full and the quick profile (`BENCH_QUICK=1`) and the seeds.
//! - [`info`]: the machine, toolchain, crate versions and date, written next to the results
//!   as `bench-info.json` when a harness starts.
//! - [`results`]: reading criterion's output (`<criterion>/**/{new,base,change}/*.json`).
//! - [`export`]: the latest results as JSON and CSV (the `export` binary).
//! - [`gate`]: the base-versus-head table and the regression verdicts (the `gate` binary,
//!   run by `compare.sh`).
//! - [`markdown`]: the tables' layout.
//!
//! See `README.md` of this package for how to run them.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod export;
pub mod gate;
pub mod info;
pub mod markdown;
pub mod profile;
pub mod results;
pub mod selection;
pub mod timefmt;
