//! `replay_counted <workload> <allocator>` / `replay_counted <workload> --harness`: the
//! program the workbench's deterministic benchmarks (`benches/callgrind.rs`) run under
//! callgrind, over `GateSet::builtin`. What it does: `deterministic::programs`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::process::ExitCode;

use deterministic::{programs, GateSet};

fn main() -> ExitCode {
    programs::replay_counted(&GateSet::builtin())
}
