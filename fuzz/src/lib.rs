//! # mempool-fuzz
//!
//! The fuzz targets' shared code: input decoding ([`input`]), the shadow-checked `ops` target
//! ([`shadow`]), the independent model ([`model`]) and the `model` target that runs the pool
//! against it ([`against_model`]), the `attach` target ([`attach`]), the `trace` target
//! ([`trace`]), the `differential` target (fast engine against reference engine,
//! [`differential`]), and [`replay`], which runs any input
//! file through a target exactly as `libfuzzer-sys` would (`arbitrary_take_rest`). The target
//! binaries in `fuzz_targets/` are one line each; `fuzz/replay` (a member of the root
//! workspace) replays `fuzz/regressions/` and the seed corpora with plain `cargo test`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod against_model;
pub mod attach;
pub mod differential;
pub mod engines;
pub mod input;
pub mod model;
pub mod pattern;
pub mod shadow;
pub mod trace;
pub mod typed;

use arbitrary::{Arbitrary, Unstructured};

/// Decodes a whole input as `libfuzzer-sys` 0.4's `fuzz_target!(|x: T| ...)` does (inputs
/// shorter than `T`'s minimum size hint skipped, then `arbitrary_take_rest`); `None` where it
/// would skip the input.
#[must_use]
pub fn decode<'a, T: Arbitrary<'a>>(bytes: &'a [u8]) -> Option<T> {
    if bytes.len() < T::size_hint(0).0 {
        return None;
    }
    T::arbitrary_take_rest(Unstructured::new(bytes)).ok()
}

/// The fuzz targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// Shadow-checked op sequences ([`shadow`]).
    Ops,
    /// Differential against the independent model ([`against_model`]).
    Model,
    /// Attach arbitrary or corrupted heaps ([`attach`]).
    Attach,
    /// Workload trace text through the `workloads` parsers ([`trace`]).
    Trace,
    /// The fast engine against the reference engine ([`differential`]).
    Differential,
}

impl Target {
    /// Every target.
    pub const ALL: [Target; 5] = [
        Target::Ops,
        Target::Model,
        Target::Attach,
        Target::Trace,
        Target::Differential,
    ];

    /// The target's name (its binary and its corpus folder).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Target::Ops => "ops",
            Target::Model => "model",
            Target::Attach => "attach",
            Target::Trace => "trace",
            Target::Differential => "differential",
        }
    }
}

/// Runs one input file's bytes through `target`, decoded as the fuzz target decodes them.
///
/// # Panics
/// Where the fuzz target would crash.
pub fn replay(target: Target, bytes: &[u8]) {
    match target {
        Target::Ops => {
            if let Some(input) = decode(bytes) {
                shadow::run(&input);
            }
        }
        Target::Model => {
            if let Some(input) = decode(bytes) {
                against_model::run(&input);
            }
        }
        Target::Attach => {
            if let Some(input) = decode(bytes) {
                attach::run(&input);
            }
        }
        Target::Trace => trace::run(bytes),
        Target::Differential => {
            if let Some(input) = decode(bytes) {
                differential::run(&input);
            }
        }
    }
}
