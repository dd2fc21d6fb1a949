//! `figures [--out FILE]`: the fragmentation and placement figures of the workbench's
//! deterministic gate (`GateSet::builtin`), each measured twice. What it does:
//! `deterministic::programs`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::process::ExitCode;

use deterministic::{programs, GateSet};

fn main() -> ExitCode {
    programs::figures(&GateSet::builtin())
}
