//! `segfit-gate-replay-counted <workload> <allocator>`: one replay, counted under callgrind by
//! `benches/callgrind.rs` (`deterministic::programs::replay_counted` over [`segfit_gate::set`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

fn main() -> std::process::ExitCode {
    deterministic::programs::replay_counted(&segfit_gate::set())
}
