//! `segfit-gate-figures [--out FILE]`: the gate's fragmentation and placement figures
//! (`deterministic::programs::figures` over [`segfit_gate::set`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

fn main() -> std::process::ExitCode {
    deterministic::programs::figures(&segfit_gate::set())
}
