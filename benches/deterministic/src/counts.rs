//! The deterministic benchmarks' counts, read from gungraun's machine-readable output: one
//! summary per line (`cargo bench -p deterministic --bench callgrind -- --output-format=json`),
//! parsed with `gungraun-summary`.
//!
//! A benchmark is named from the command gungraun ran (`replay_counted <workload>
//! <allocator>`, or `<workload> --harness`): `<workload>/<allocator>`, with `harness` as the
//! allocator of the harness count ([`crate::counting`]). The counts:
//!
//! - **instructions**: callgrind's `Ir`;
//! - **L1 misses**: `I1mr + D1mr + D1mw` (first-level instruction and data misses);
//! - **LL misses**: `ILmr + DLmr + DLmw` (last-level misses: the accesses that reach memory);
//! - **estimated cycles**: gungraun's `EstimatedCycles`, `L1 hits + 5 x LL hits + 35 x RAM
//!   hits`.

use gungraun_summary::v7::{EventKind, Metric, ToolMetricResults};
use thiserror::Error;

use crate::counting;
use benches::selection;

/// The counts of one benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Instructions executed (`Ir`).
    pub instructions: u64,
    /// First-level cache misses (`I1mr + D1mr + D1mw`).
    pub l1_misses: u64,
    /// Last-level cache misses (`ILmr + DLmr + DLmw`).
    pub ll_misses: u64,
    /// gungraun's estimate of the cycles (`EstimatedCycles`).
    pub estimated_cycles: u64,
}

/// A line of gungraun output that is not the summary of one deterministic benchmark.
#[derive(Debug, Error)]
#[error("{source_name}:{line}: {reason}")]
pub struct CountsError {
    /// The file (or other source) read.
    pub source_name: String,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub reason: String,
}

/// `<workload>/<allocator>` of a `replay_counted` command line.
fn benchmark_of(command: &str) -> Option<String> {
    let mut words = command.split_whitespace().skip(1);
    let (workload, allocator, rest) = (words.next()?, words.next()?, words.next());
    if rest.is_some() {
        return None;
    }
    let allocator = match allocator.strip_prefix("--") {
        Some(counting::HARNESS) => counting::HARNESS,
        Some(_) => return None,
        None => allocator,
    };
    Some(selection::benchmark_name(workload, allocator))
}

fn metric(m: &Metric) -> u64 {
    match *m {
        Metric::Int(v) => v,
        // Callgrind's counts are integers; gungraun keeps derived ones as floats only when
        // they are not.
        Metric::Float(v) => v.round() as u64,
    }
}

/// The benchmarks and their counts in `text`, one gungraun summary (JSON) per non-empty
/// line, in order; `source_name` names `text` in errors.
///
/// # Errors
/// [`CountsError`] for a line that is not a summary gungraun-summary reads, has no callgrind
/// counts or no `replay_counted` command, or lacks one of the counts used.
pub fn parse(text: &str, source_name: &str) -> Result<Vec<(String, Counts)>, CountsError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let err = |reason: String| CountsError {
            source_name: source_name.to_owned(),
            line: i + 1,
            reason,
        };
        let summary = gungraun_summary::v7::parse_slice(line.as_bytes())
            .map_err(|e| err(format!("not a gungraun summary: {e}")))?;
        let profile = summary
            .profiles
            .0
            .first()
            .ok_or_else(|| err("no profile (did the benchmark fail?)".into()))?;
        let part = profile
            .data
            .parts
            .first()
            .ok_or_else(|| err("no profile part".into()))?;
        let command = part
            .tool_run
            .as_ref()
            .left()
            .ok_or_else(|| err("no new run in the summary".into()))?
            .command
            .clone();
        let benchmark = benchmark_of(&command)
            .ok_or_else(|| err(format!("`{command}` is not a replay_counted command")))?;
        let ToolMetricResults::Callgrind(metrics) = &profile.data.total.metrics else {
            return Err(err("no callgrind counts".into()));
        };
        let get = |kind: EventKind| -> Result<u64, CountsError> {
            metrics
                .0
                .get(&kind)
                .and_then(|r| r.values.as_ref().left())
                .map(metric)
                .ok_or_else(|| err(format!("no {kind:?} count (is the cache simulation on?)")))
        };
        let counts = Counts {
            instructions: get(EventKind::Ir)?,
            l1_misses: get(EventKind::I1mr)? + get(EventKind::D1mr)? + get(EventKind::D1mw)?,
            ll_misses: get(EventKind::ILmr)? + get(EventKind::DLmr)? + get(EventKind::DLmw)?,
            estimated_cycles: get(EventKind::EstimatedCycles)?,
        };
        out.push((benchmark, counts));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benchmarks_are_named_from_the_command() {
        assert_eq!(
            benchmark_of("/t/release/replay_counted synthetic/fifo mempool(min_split=32)"),
            Some("synthetic/fifo/mempool(min_split=32)".into())
        );
        assert_eq!(
            benchmark_of("/t/replay_counted xz-compress --harness"),
            Some("xz-compress/harness".into())
        );
        assert_eq!(benchmark_of("/t/replay_counted xz-compress"), None);
        assert_eq!(benchmark_of("/t/replay_counted a b c"), None);
        assert_eq!(benchmark_of("/t/replay_counted a --other"), None);
    }

    #[test]
    fn a_recorded_gungraun_summary_is_read() {
        // One line of `--output-format=json` from gungraun 0.20.0 (paths shortened).
        let line = include_str!("../tests/data/gungraun-summary-v7.jsonl");
        let parsed = parse(line, "fixture").unwrap();
        let counts = Counts {
            instructions: 5_484_801,
            l1_misses: 216 + 156 + 3_948,
            ll_misses: 187 + 1 + 872,
            estimated_cycles: 7_827_270,
        };
        assert_eq!(parsed, vec![("synthetic/fifo/mempool".to_owned(), counts)]);
    }

    #[test]
    fn a_bad_line_is_named() {
        let e = parse("\n{\"version\": \"7\"}\n", "counts.jsonl").unwrap_err();
        assert_eq!((e.source_name.as_str(), e.line), ("counts.jsonl", 2));
        assert!(e.to_string().starts_with("counts.jsonl:2: "), "{e}");
    }
}
