//! Deterministic benchmarks of the workbench's own set: the gate's workloads x the allocators
//! of `GateSet::builtin` (pool variants and peers) under callgrind, run by gungraun through
//! the `replay_counted` binary. What they are and how they count:
//! `deterministic::callgrind` and `deterministic::counting`.
//!
//! ```sh
//! cargo bench -p deterministic --bench callgrind                       # every benchmark
//! cargo bench -p deterministic --bench callgrind -- --parallel=2 '*::synthetic_fifo::*'
//! ```

#![forbid(unsafe_code)]
// Not `#![warn(missing_docs)]`: gungraun's macros generate public items without docs.

use deterministic::GateSet;
use gungraun::prelude::*;

binary_benchmark_group!(
    name = gate;
    benchmarks = |group: &mut BinaryBenchmarkGroup| deterministic::callgrind::benchmarks(
        group,
        env!("CARGO_BIN_EXE_replay_counted"),
        &GateSet::builtin()
    )
);

main!(binary_benchmark_groups = gate);
