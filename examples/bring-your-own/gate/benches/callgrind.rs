//! segfit's deterministic benchmarks: the gate's workloads x [`segfit_gate::set`] under
//! callgrind (`deterministic::callgrind`), run by gungraun.

#![forbid(unsafe_code)]
// Not `#![warn(missing_docs)]`: gungraun's macros generate public items without docs.

use gungraun::prelude::*;

binary_benchmark_group!(
    name = gate;
    benchmarks = |group: &mut BinaryBenchmarkGroup| deterministic::callgrind::benchmarks(
        group,
        env!("CARGO_BIN_EXE_segfit-gate-replay-counted"),
        &segfit_gate::set()
    )
);

main!(binary_benchmark_groups = gate);
