//! # mempool-fuzz
//!
//! The fuzz targets' shared code: input decoding ([`input`]), the shadow-checked `ops` target
//! ([`shadow`]), the independent model ([`model`]) and the `model` target that runs the pool
//! against it ([`against_model`]), the `attach` target ([`attach`]), the `trace` target
//! ([`trace`]), the `differential` target (fast engine against reference engine,
//! [`differential`]), the `peers` target (any region allocator under a shadow model:
//! [`peers`]), and [`replay`], which runs any input
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
pub mod peers;
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
    /// The built-in peers (or any region allocator) under a shadow model ([`peers`]).
    Peers,
}

impl Target {
    /// Every target.
    pub const ALL: [Target; 6] = [
        Target::Ops,
        Target::Model,
        Target::Attach,
        Target::Trace,
        Target::Differential,
        Target::Peers,
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
            Target::Peers => "peers",
        }
    }
}

/// One input file of `target` as a workload, so that the same sequence replays on every
/// allocator and can join a suite (`workbench fuzz-export`): a `peers` input as the requests
/// it makes on the peer it picks (alignments dropped: a trace has none), an `ops` or `model`
/// input as the requests it makes on the pool ([`shadow::record`]), a `trace` input as the
/// trace it parses to.
///
/// # Errors
/// The input does not decode, or `target` is not exported: `attach`'s inputs are heap bytes,
/// not requests; `differential`'s bulk steps are not recorded.
///
/// # Panics
/// When the input fails its target's checks (a crash replays as a crash).
pub fn export(target: Target, bytes: &[u8], name: &str) -> Result<workloads::Workload, String> {
    use workloads::{Provenance, Workload};
    match target {
        Target::Peers => {
            let (peer, input) = decode::<(peers::Peer, peers::PeerInput)>(bytes)
                .ok_or_else(|| "too short to decode as a peers input".to_owned())?;
            let (on, ops) = peers::record_peer(peer, &input);
            Ok(Workload::new(
                name,
                ops,
                Provenance::Other {
                    description: format!("peers fuzz input, as it ran on {on}"),
                },
            ))
        }
        Target::Ops | Target::Model => {
            let input = decode::<input::OpsInput>(bytes)
                .ok_or_else(|| format!("too short to decode as an {} input", target.name()))?;
            Ok(Workload::new(
                name,
                shadow::record(&input),
                Provenance::Other {
                    description: format!(
                        "{} fuzz input, as it ran on the pool with its options",
                        target.name()
                    ),
                },
            ))
        }
        Target::Trace => workloads::rep::from_bytes(name, bytes, name)
            .or_else(|_| workloads::mtrace::from_bytes(name, bytes, name))
            .map_err(|e| format!("neither a .rep nor an mtrace trace: {e}")),
        Target::Differential => Err(
            "the differential target's inputs are not exported: its bulk steps (runs of mallocs, frees of every k-th block) are not recorded; export the same bug's `ops` input instead".to_owned(),
        ),
        Target::Attach => Err(
            "the attach target's inputs are not exported: they are heap bytes to attach, not requests".to_owned(),
        ),
    }
}

/// The target called `name`.
#[must_use]
pub fn target_named(name: &str) -> Option<Target> {
    Target::ALL.into_iter().find(|t| t.name() == name)
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
        Target::Peers => {
            if let Some((peer, input)) = decode::<(peers::Peer, peers::PeerInput)>(bytes) {
                peers::run_peer(peer, &input);
            }
        }
    }
}
