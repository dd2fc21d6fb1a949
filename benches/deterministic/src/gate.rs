//! The deterministic gate: base against head on counts and figures that do not depend on
//! the machine's load, so a threshold of 1 % means 1 %.
//!
//! Each side is a folder with the callgrind counts of the gate's set (`counts.jsonl`,
//! gungraun's JSON output: [`crate::counts`]) and its fragmentation and placement figures
//! (`figures.json`: [`crate::figures`]). One row per benchmark and measure:
//!
//! | measure | rule |
//! |---|---|
//! | instructions, LL misses | **REGRESSED** when head exceeds base by more than the benchmark's threshold ([`Thresholds`], default 1 %; for LL misses also by more than a slack of a few misses, default 16); **improved** when it is lower by as much; **ok** within it; **same** when equal |
//! | L1 misses, estimated cycles | not gated: **changed** or **same** (they follow the two gated counts) |
//! | peak footprint, #4, failures | **REGRESSED** when head is higher at all (they are exact, so any rise is real); **improved** when lower |
//! | placement | **placement changed** when the hash differs: a change of behaviour, listed, never a failure |
//!
//! A benchmark only one side has is **new** or **missing**. The harness rows
//! (`<workload>/harness`) are gated like the allocators' rows: a slower replay engine slows
//! every tool that uses it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use regex::Regex;
use serde::Deserialize;
use thiserror::Error;
use workloads::placement::PlacementHash;

use crate::counts::{self, Counts};
use crate::figures::{Figures, FiguresFile};

/// The counts file of a side's folder.
pub const COUNTS_FILE: &str = "counts.jsonl";

/// The figures file of a side's folder.
pub const FIGURES_FILE: &str = "figures.json";

/// The default threshold of the gated counts, in percent.
pub const DEFAULT_THRESHOLD_PCT: f64 = 1.0;

/// What the gate could not do.
#[derive(Debug, Error)]
pub enum GateError {
    /// A file could not be read.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The thresholds file is not valid.
    #[error("{path}: {reason}")]
    Thresholds {
        /// The file.
        path: String,
        /// What is wrong (with the line, for a syntax error).
        reason: String,
    },
    /// A counts line could not be read.
    #[error(transparent)]
    Counts(#[from] counts::CountsError),
    /// A benchmark counted no instruction: its toggles matched no function.
    #[error(
        "{side}: {benchmark} counted no instruction: callgrind's toggles matched no allocator \
         call (are the adapters still called through `dyn Allocator`?)"
    )]
    NothingCounted {
        /// `base` or `head`.
        side: String,
        /// The benchmark.
        benchmark: String,
    },
    /// A side holds one benchmark twice.
    #[error("{side}: {benchmark} appears twice")]
    Duplicate {
        /// `base` or `head`.
        side: String,
        /// The benchmark.
        benchmark: String,
    },
}

/// The thresholds of one benchmark.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Largest rise of the instruction count that passes, in percent.
    pub instructions: f64,
    /// Largest rise of the LL-miss count that passes, in percent.
    pub ll_misses: f64,
    /// A rise of the LL-miss count by at most this many misses passes whatever its
    /// percentage. The misses of code lines move by a few when unrelated code moves: every
    /// benchmark runs in one binary, so a change to the pool shifts where the peers' code
    /// lies across cache lines (the gate's demonstration in benches/README.md: up to 6 lines;
    /// 29 → 30 misses, +3.4 %, on a peer the change did not touch).
    pub ll_misses_slack: u64,
}

/// A per-benchmark exception.
#[derive(Debug, Clone)]
pub struct Override {
    /// Matched against `<workload>/<allocator>` (a regular expression, not anchored unless
    /// it says so).
    pub benchmarks: Regex,
    /// The limits it sets (`None`: the default's).
    pub instructions: Option<f64>,
    /// As `instructions`, for LL misses.
    pub ll_misses: Option<f64>,
    /// As `instructions`, for the LL-miss slack.
    pub ll_misses_slack: Option<u64>,
    /// Why (required: an exception without a reason is not reviewable).
    pub reason: String,
}

/// The thresholds: a default for every benchmark, and overrides, of which the first whose
/// pattern matches a benchmark applies to it.
///
/// The file (`benches/deterministic/thresholds.toml`):
///
/// ```toml
/// instructions = 1.0     # percent
/// ll_misses = 1.0         # percent
/// ll_misses_slack = 16    # misses (optional, default 0)
///
/// [[override]]
/// benchmarks = '^xz-compress/'   # regular expression over <workload>/<allocator>
/// ll_misses = 5.0                # any of the three, at least one
/// reason = "why this benchmark may move more"
/// ```
#[derive(Debug, Clone)]
pub struct Thresholds {
    /// The limits of every benchmark no override matches.
    pub default: Limits,
    /// The overrides, in file order.
    pub overrides: Vec<Override>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThresholdsFile {
    instructions: f64,
    ll_misses: f64,
    #[serde(default)]
    ll_misses_slack: u64,
    #[serde(default, rename = "override")]
    overrides: Vec<OverrideEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OverrideEntry {
    benchmarks: String,
    instructions: Option<f64>,
    ll_misses: Option<f64>,
    ll_misses_slack: Option<u64>,
    reason: String,
}

fn valid_pct(v: f64) -> bool {
    v.is_finite() && v >= 0.0
}

impl Thresholds {
    /// `pct` for every benchmark, no slack, no overrides.
    #[must_use]
    pub fn uniform(pct: f64) -> Self {
        Self {
            default: Limits {
                instructions: pct,
                ll_misses: pct,
                ll_misses_slack: 0,
            },
            overrides: Vec::new(),
        }
    }

    /// Parses a thresholds file's `text`; `path` names it in errors.
    ///
    /// # Errors
    /// [`GateError::Thresholds`]: TOML syntax (with the line), an unknown key, a negative or
    /// non-finite percentage, an invalid pattern, an override that sets no limit or gives no
    /// reason.
    pub fn parse(text: &str, path: &str) -> Result<Self, GateError> {
        let err = |reason: String| GateError::Thresholds {
            path: path.to_owned(),
            reason,
        };
        let file: ThresholdsFile = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        for (name, v) in [
            ("instructions", file.instructions),
            ("ll_misses", file.ll_misses),
        ] {
            if !valid_pct(v) {
                return Err(err(format!(
                    "{name} = {v}: a threshold is a percentage >= 0"
                )));
            }
        }
        let mut overrides = Vec::new();
        for (i, o) in file.overrides.into_iter().enumerate() {
            let at = format!("override {} (`{}`)", i + 1, o.benchmarks);
            let benchmarks = Regex::new(&o.benchmarks)
                .map_err(|e| err(format!("{at}: not a regular expression: {e}")))?;
            if o.instructions.is_none() && o.ll_misses.is_none() && o.ll_misses_slack.is_none() {
                return Err(err(format!(
                    "{at}: sets none of instructions, ll_misses, ll_misses_slack"
                )));
            }
            if let Some(v) = o
                .instructions
                .into_iter()
                .chain(o.ll_misses)
                .find(|v| !valid_pct(*v))
            {
                return Err(err(format!("{at}: {v}: a threshold is a percentage >= 0")));
            }
            if o.reason.trim().is_empty() {
                return Err(err(format!("{at}: the reason is empty")));
            }
            overrides.push(Override {
                benchmarks,
                instructions: o.instructions,
                ll_misses: o.ll_misses,
                ll_misses_slack: o.ll_misses_slack,
                reason: o.reason,
            });
        }
        Ok(Self {
            default: Limits {
                instructions: file.instructions,
                ll_misses: file.ll_misses,
                ll_misses_slack: file.ll_misses_slack,
            },
            overrides,
        })
    }

    /// Reads and parses the file at `path`.
    ///
    /// # Errors
    /// [`GateError::File`] when it cannot be read, or the errors of [`Thresholds::parse`].
    pub fn read(path: &Path) -> Result<Self, GateError> {
        let text = fs::read_to_string(path).map_err(|e| GateError::File {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// The limits of `benchmark`, and the override that set them.
    #[must_use]
    pub fn for_benchmark(&self, benchmark: &str) -> (Limits, Option<&Override>) {
        match self
            .overrides
            .iter()
            .find(|o| o.benchmarks.is_match(benchmark))
        {
            Some(o) => (
                Limits {
                    instructions: o.instructions.unwrap_or(self.default.instructions),
                    ll_misses: o.ll_misses.unwrap_or(self.default.ll_misses),
                    ll_misses_slack: o.ll_misses_slack.unwrap_or(self.default.ll_misses_slack),
                },
                Some(o),
            ),
            None => (self.default, None),
        }
    }
}

/// One side of the comparison.
#[derive(Debug, Clone, Default)]
pub struct Side {
    /// Counts by benchmark.
    pub counts: BTreeMap<String, Counts>,
    /// Figures by benchmark.
    pub figures: BTreeMap<String, Figures>,
    /// Remarks (the suite's notes).
    pub notes: Vec<String>,
}

impl Side {
    /// A side from its parts; `side` (`base` or `head`) names it in errors.
    ///
    /// # Errors
    /// [`GateError::NothingCounted`] for a benchmark of zero instructions,
    /// [`GateError::Duplicate`] for a benchmark given twice.
    pub fn new(
        side: &str,
        counts: Vec<(String, Counts)>,
        figures: FiguresFile,
    ) -> Result<Self, GateError> {
        let mut s = Self {
            notes: figures.notes,
            ..Self::default()
        };
        for (benchmark, c) in counts {
            if c.instructions == 0 {
                return Err(GateError::NothingCounted {
                    side: side.to_owned(),
                    benchmark,
                });
            }
            if s.counts.insert(benchmark.clone(), c).is_some() {
                return Err(GateError::Duplicate {
                    side: side.to_owned(),
                    benchmark,
                });
            }
        }
        for f in figures.figures {
            let benchmark = f.benchmark.clone();
            if s.figures.insert(benchmark.clone(), f).is_some() {
                return Err(GateError::Duplicate {
                    side: side.to_owned(),
                    benchmark,
                });
            }
        }
        Ok(s)
    }

    /// Reads [`COUNTS_FILE`] and [`FIGURES_FILE`] of the folder `dir`.
    ///
    /// # Errors
    /// [`GateError::File`] for a file that cannot be read, the errors of
    /// [`counts::parse`], [`FiguresFile::read`] and [`Side::new`].
    pub fn read(side: &str, dir: &Path) -> Result<Self, GateError> {
        let path = dir.join(COUNTS_FILE);
        let text = fs::read_to_string(&path).map_err(|e| GateError::File {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let counts = counts::parse(&text, &path.display().to_string())?;
        let path = dir.join(FIGURES_FILE);
        let figures = FiguresFile::read(&path).map_err(|e| GateError::File {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::new(side, counts, figures)
    }
}

/// What a row measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Measure {
    /// Instructions (gated).
    Instructions,
    /// First-level misses (not gated).
    L1Misses,
    /// Last-level misses (gated).
    LlMisses,
    /// Estimated cycles (not gated).
    EstimatedCycles,
    /// Peak footprint (worse when higher).
    Footprint,
    /// J&W #4 (worse when higher).
    Frag4,
    /// Failed requests (worse when higher).
    Failures,
    /// The placement hash (a change is listed, never a failure).
    Placement,
}

impl Measure {
    /// The name in the table.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Instructions => "instructions",
            Self::L1Misses => "L1 misses",
            Self::LlMisses => "LL misses",
            Self::EstimatedCycles => "est. cycles",
            Self::Footprint => "peak footprint",
            Self::Frag4 => "#4",
            Self::Failures => "failures",
            Self::Placement => "placement",
        }
    }
}

/// A measured value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// A count (events, bytes, failures).
    Count(u64),
    /// A ratio (#4).
    Ratio(f64),
    /// A placement hash.
    Hash(PlacementHash),
    /// The allocator cannot report it (no footprint).
    Unknown,
}

impl Value {
    fn number(self) -> Option<f64> {
        match self {
            Self::Count(v) => Some(v as f64),
            Self::Ratio(v) => Some(v),
            Self::Hash(_) | Self::Unknown => None,
        }
    }

    /// As printed: counts with thousands separators, #4 as a percentage, hashes in hex.
    #[must_use]
    pub fn display(self) -> String {
        match self {
            Self::Count(v) => thousands(v),
            Self::Ratio(v) => format!("{:.2}%", v * 100.0),
            Self::Hash(h) => h.to_string(),
            Self::Unknown => "-".to_owned(),
        }
    }
}

/// `1234567` as `1,234,567`.
#[must_use]
pub fn thousands(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The verdict on one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// A gated count rose beyond its threshold, or a figure got worse: fails the gate.
    Regressed,
    /// The placement hash changed (behaviour, not a regression).
    PlacementChanged,
    /// Lower beyond the threshold (counts) or lower at all (figures).
    Improved,
    /// A gated count changed within its threshold.
    Ok,
    /// A measure that is not gated changed.
    Changed,
    /// Only head has this benchmark.
    New,
    /// Only base has this benchmark.
    Missing,
    /// Exactly equal.
    Same,
}

impl Verdict {
    /// The word in the table.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Regressed => "REGRESSED",
            Self::PlacementChanged => "placement changed",
            Self::Improved => "improved",
            Self::Ok => "ok (within threshold)",
            Self::Changed => "changed (not gated)",
            Self::New => "new (no base)",
            Self::Missing => "not in head",
            Self::Same => "same",
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// `<workload>/<allocator>`.
    pub benchmark: String,
    /// What is measured.
    pub measure: Measure,
    /// Base's value (`None`: base has no such benchmark).
    pub base: Option<Value>,
    /// Head's value.
    pub head: Option<Value>,
    /// `head / base - 1`, when both are numbers and base is not zero.
    pub change: Option<f64>,
    /// The limit applied (gated counts only).
    pub threshold: Option<Limit>,
    /// The verdict.
    pub verdict: Verdict,
}

fn change_of(base: Value, head: Value) -> Option<f64> {
    let (b, h) = (base.number()?, head.number()?);
    // (h - b) / b rather than h / b - 1: exact for a change of exactly the threshold.
    (b != 0.0).then(|| (h - b) / b)
}

/// The limit of one gated count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    /// Largest change that passes, in percent.
    pub pct: f64,
    /// A change of at most this many events passes whatever its percentage.
    pub slack: u64,
}

/// The verdict on a count gated by `limit`: regressed when head exceeds base by more than
/// `limit.pct` percent and by more than `limit.slack` events; improved when it is lower by
/// as much.
#[must_use]
pub fn judge_count(base: u64, head: u64, limit: Limit) -> Verdict {
    if head == base {
        return Verdict::Same;
    }
    let beyond_slack = head.abs_diff(base) > limit.slack;
    if base == 0 {
        return if beyond_slack {
            Verdict::Regressed
        } else {
            Verdict::Ok
        };
    }
    let change = (head as f64 - base as f64) / base as f64;
    let pct = limit.pct / 100.0;
    if change > pct && beyond_slack {
        Verdict::Regressed
    } else if change < -pct && beyond_slack {
        Verdict::Improved
    } else {
        Verdict::Ok
    }
}

/// The verdict on a figure where higher is worse: any rise regresses.
fn judge_figure(base: Value, head: Value) -> Verdict {
    match (base.number(), head.number()) {
        _ if base == head => Verdict::Same,
        (Some(b), Some(h)) if h > b => Verdict::Regressed,
        (Some(b), Some(h)) if h < b => Verdict::Improved,
        // The allocator stopped (or started) reporting it: nothing to compare but a change.
        _ => Verdict::Changed,
    }
}

fn row(benchmark: &str, measure: Measure, base: Option<Value>, head: Option<Value>) -> Row {
    let verdict = match (base, head) {
        (None, _) => Verdict::New,
        (_, None) => Verdict::Missing,
        (Some(b), Some(h)) if b == h => Verdict::Same,
        _ => Verdict::Changed,
    };
    Row {
        benchmark: benchmark.to_owned(),
        measure,
        base,
        head,
        change: base.zip(head).and_then(|(b, h)| change_of(b, h)),
        threshold: None,
        verdict,
    }
}

/// The counts' measures, in table order.
const COUNT_MEASURES: [Measure; 4] = [
    Measure::Instructions,
    Measure::L1Misses,
    Measure::LlMisses,
    Measure::EstimatedCycles,
];

/// The figures' measures, in table order.
const FIGURE_MEASURES: [Measure; 4] = [
    Measure::Footprint,
    Measure::Frag4,
    Measure::Failures,
    Measure::Placement,
];

impl Measure {
    /// This measure of `c` (`None` for a measure of the figures).
    fn of_counts(self, c: &Counts) -> Option<u64> {
        match self {
            Self::Instructions => Some(c.instructions),
            Self::L1Misses => Some(c.l1_misses),
            Self::LlMisses => Some(c.ll_misses),
            Self::EstimatedCycles => Some(c.estimated_cycles),
            _ => None,
        }
    }

    /// This measure of `f` (`None` for a measure of the counts).
    fn of_figures(self, f: &Figures) -> Option<Value> {
        let known = |v: Option<u64>| v.map_or(Value::Unknown, Value::Count);
        match self {
            Self::Footprint => Some(known(f.footprint)),
            Self::Frag4 => Some(f.frag4.map_or(Value::Unknown, Value::Ratio)),
            Self::Failures => Some(Value::Count(f.failures)),
            Self::Placement => Some(Value::Hash(f.placement)),
            _ => None,
        }
    }

    /// The limit of a gated count, from `limits` (`None`: not a gated count).
    fn limit(self, limits: Limits) -> Option<Limit> {
        match self {
            Self::Instructions => Some(Limit {
                pct: limits.instructions,
                slack: 0,
            }),
            Self::LlMisses => Some(Limit {
                pct: limits.ll_misses,
                slack: limits.ll_misses_slack,
            }),
            _ => None,
        }
    }
}

fn count_rows(
    benchmark: &str,
    base: Option<&Counts>,
    head: Option<&Counts>,
    limits: Limits,
) -> Vec<Row> {
    COUNT_MEASURES
        .into_iter()
        .map(|measure| {
            let b = base.and_then(|c| measure.of_counts(c));
            let h = head.and_then(|c| measure.of_counts(c));
            let mut r = row(benchmark, measure, b.map(Value::Count), h.map(Value::Count));
            if let (Some(b), Some(h), Some(t)) = (b, h, measure.limit(limits)) {
                r.verdict = judge_count(b, h, t);
                r.threshold = Some(t);
            }
            r
        })
        .collect()
}

fn figure_rows(benchmark: &str, base: Option<&Figures>, head: Option<&Figures>) -> Vec<Row> {
    FIGURE_MEASURES
        .into_iter()
        .map(|measure| {
            let b = base.and_then(|f| measure.of_figures(f));
            let h = head.and_then(|f| measure.of_figures(f));
            let mut r = row(benchmark, measure, b, h);
            if let (Some(b), Some(h)) = (b, h) {
                r.verdict = match measure {
                    _ if b == h => Verdict::Same,
                    Measure::Placement => Verdict::PlacementChanged,
                    _ => judge_figure(b, h),
                };
            }
            r
        })
        .collect()
}

/// Every row, by benchmark (in name order) and then measure.
#[must_use]
pub fn compare(base: &Side, head: &Side, thresholds: &Thresholds) -> Vec<Row> {
    let names: BTreeSet<&String> = base
        .counts
        .keys()
        .chain(head.counts.keys())
        .chain(base.figures.keys())
        .chain(head.figures.keys())
        .collect();
    let mut rows = Vec::new();
    for name in names {
        let (limits, _) = thresholds.for_benchmark(name);
        let (bc, hc) = (base.counts.get(name), head.counts.get(name));
        if bc.is_some() || hc.is_some() {
            rows.extend(count_rows(name, bc, hc, limits));
        }
        let (bf, hf) = (base.figures.get(name), head.figures.get(name));
        if bf.is_some() || hf.is_some() {
            rows.extend(figure_rows(name, bf, hf));
        }
    }
    rows
}

/// A change as a signed percentage, with three decimals under 1 %.
#[must_use]
pub fn change_pct(change: f64) -> String {
    let pct = change * 100.0;
    if pct.abs() < 1.0 {
        format!("{pct:+.3}%")
    } else {
        format!("{pct:+.2}%")
    }
}

/// The table (benchmark, measure, base, head, change, verdict) of `rows`, as Markdown.
#[must_use]
pub fn table(rows: &[&Row]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let value = |v: Option<Value>| v.map_or_else(|| "-".to_owned(), Value::display);
            let mut change = r.change.map_or_else(|| "-".to_owned(), change_pct);
            if let Some(t) = r.threshold {
                change = if t.slack == 0 {
                    format!("{change} (limit +{}%)", t.pct)
                } else {
                    format!("{change} (limit +{}%, {} misses)", t.pct, t.slack)
                };
            }
            vec![
                r.benchmark.clone(),
                r.measure.label().to_owned(),
                value(r.base),
                value(r.head),
                change,
                r.verdict.label().to_owned(),
            ]
        })
        .collect();
    benches::markdown::table(
        &["benchmark", "measure", "base", "head", "change", "verdict"],
        &cells,
        &[0, 1, 5],
    )
}

/// How many rows have each verdict.
#[must_use]
pub fn tally(rows: &[Row]) -> BTreeMap<Verdict, usize> {
    let mut t = BTreeMap::new();
    for r in rows {
        *t.entry(r.verdict).or_insert(0) += 1;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(instructions: u64, ll: u64) -> Counts {
        Counts {
            instructions,
            l1_misses: 10,
            ll_misses: ll,
            estimated_cycles: instructions * 2,
        }
    }

    fn figures(benchmark: &str, footprint: u64, placement: u64) -> Figures {
        Figures {
            benchmark: benchmark.to_owned(),
            ops: 100,
            failures: 0,
            peak_live_bytes: 1000,
            footprint: Some(footprint),
            frag4: Some(footprint as f64 / 1000.0 - 1.0),
            placement: PlacementHash(placement),
            placements: 50,
        }
    }

    fn side(c: &[(&str, Counts)], f: &[Figures]) -> Side {
        Side::new(
            "test",
            c.iter().map(|(n, c)| ((*n).to_owned(), *c)).collect(),
            FiguresFile {
                schema: crate::figures::SCHEMA.to_owned(),
                notes: vec![],
                figures: f.to_vec(),
            },
        )
        .unwrap()
    }

    fn verdict(rows: &[Row], benchmark: &str, m: Measure) -> Verdict {
        rows.iter()
            .find(|r| r.benchmark == benchmark && r.measure == m)
            .map(|r| r.verdict)
            .unwrap()
    }

    #[test]
    fn counts_are_judged_against_the_threshold() {
        let pct = |pct: f64| Limit { pct, slack: 0 };
        assert_eq!(judge_count(1000, 1000, pct(1.0)), Verdict::Same);
        assert_eq!(judge_count(1000, 1010, pct(1.0)), Verdict::Ok);
        assert_eq!(judge_count(1000, 1011, pct(1.0)), Verdict::Regressed);
        assert_eq!(judge_count(1000, 989, pct(1.0)), Verdict::Improved);
        assert_eq!(judge_count(1000, 1020, pct(2.5)), Verdict::Ok);
        assert_eq!(judge_count(0, 1, pct(1.0)), Verdict::Regressed);
        // The slack: a rise of 16 of 30 passes, of 17 fails; percentages still apply above it.
        let slack = Limit {
            pct: 1.0,
            slack: 16,
        };
        assert_eq!(judge_count(30, 46, slack), Verdict::Ok);
        assert_eq!(judge_count(30, 47, slack), Verdict::Regressed);
        assert_eq!(judge_count(30, 13, slack), Verdict::Improved);
        assert_eq!(judge_count(10_000, 10_050, slack), Verdict::Ok);
        assert_eq!(judge_count(10_000, 10_120, slack), Verdict::Regressed);
        assert_eq!(judge_count(0, 16, slack), Verdict::Ok);
    }

    #[test]
    fn a_two_percent_rise_fails_and_a_placement_change_is_listed() {
        let base = side(
            &[("w/a", counts(100_000, 500)), ("w/b", counts(100_000, 500))],
            &[figures("w/a", 2000, 1), figures("w/b", 2000, 1)],
        );
        let head = side(
            &[("w/a", counts(102_000, 500)), ("w/c", counts(1, 1))],
            &[figures("w/a", 2000, 2), figures("w/b", 1900, 1)],
        );
        let rows = compare(&base, &head, &Thresholds::uniform(1.0));
        assert_eq!(
            verdict(&rows, "w/a", Measure::Instructions),
            Verdict::Regressed
        );
        assert_eq!(verdict(&rows, "w/a", Measure::LlMisses), Verdict::Same);
        assert_eq!(
            verdict(&rows, "w/a", Measure::EstimatedCycles),
            Verdict::Changed
        );
        assert_eq!(
            verdict(&rows, "w/a", Measure::Placement),
            Verdict::PlacementChanged
        );
        assert_eq!(verdict(&rows, "w/a", Measure::Footprint), Verdict::Same);
        assert_eq!(
            verdict(&rows, "w/b", Measure::Instructions),
            Verdict::Missing
        );
        assert_eq!(verdict(&rows, "w/b", Measure::Footprint), Verdict::Improved);
        assert_eq!(verdict(&rows, "w/b", Measure::Frag4), Verdict::Improved);
        assert_eq!(verdict(&rows, "w/c", Measure::Instructions), Verdict::New);
        let t = table(
            &rows
                .iter()
                .filter(|r| r.verdict != Verdict::Same)
                .collect::<Vec<_>>(),
        );
        let line = t.lines().find(|l| l.contains("instructions")).unwrap();
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        assert_eq!(
            cells,
            [
                "",
                "w/a",
                "instructions",
                "100,000",
                "102,000",
                "+2.00% (limit +1%)",
                "REGRESSED",
                ""
            ],
            "{t}"
        );
        // A worse footprint fails at any size.
        let worse = side(&[], &[figures("w/b", 2001, 1)]);
        let rows = compare(&base, &worse, &Thresholds::uniform(1.0));
        assert_eq!(
            verdict(&rows, "w/b", Measure::Footprint),
            Verdict::Regressed
        );
        assert_eq!(verdict(&rows, "w/b", Measure::Frag4), Verdict::Regressed);
    }

    #[test]
    fn overrides_apply_to_their_benchmarks_first_match_first() {
        let t = Thresholds::parse(
            "instructions = 1.0\nll_misses = 2.0\nll_misses_slack = 8\n\n[[override]]\nbenchmarks = '^xz-compress/'\nll_misses = 5.0\nreason = 'tiny'\n\n[[override]]\nbenchmarks = 'talc$'\ninstructions = 3\nll_misses_slack = 0\nreason = 'r'\n",
            "t.toml",
        )
        .unwrap();
        assert_eq!(t.for_benchmark("synthetic/fifo/mempool").0, t.default);
        let (l, o) = t.for_benchmark("xz-compress/talc");
        assert_eq!(
            (l.instructions, l.ll_misses, l.ll_misses_slack),
            (1.0, 5.0, 8)
        );
        assert_eq!(o.unwrap().reason, "tiny");
        let gcc = t.for_benchmark("gcc-cc1-heap/talc").0;
        assert_eq!((gcc.instructions, gcc.ll_misses_slack), (3.0, 0));
        let rows = compare(
            &side(&[("xz-compress/talc", counts(100, 100))], &[]),
            &side(&[("xz-compress/talc", counts(100, 104))], &[]),
            &t,
        );
        assert_eq!(
            verdict(&rows, "xz-compress/talc", Measure::LlMisses),
            Verdict::Ok
        );
    }

    #[test]
    fn bad_thresholds_are_named() {
        let bad = [
            ("instructions = 1.0\n", "ll_misses"),
            ("instructions = -1.0\nll_misses = 1.0\n", "percentage"),
            ("instructions = 1\nll_misses = 1\nwhat = 2\n", "what"),
            (
                "instructions = 1\nll_misses = 1\n[[override]]\nbenchmarks = '('\nll_misses = 2\nreason = 'r'\n",
                "not a regular expression",
            ),
            (
                "instructions = 1\nll_misses = 1\n[[override]]\nbenchmarks = 'x'\nreason = 'r'\n",
                "sets none of",
            ),
            (
                "instructions = 1\nll_misses = 1\n[[override]]\nbenchmarks = 'x'\nll_misses = 2\nreason = ' '\n",
                "reason is empty",
            ),
        ];
        for (text, expected) in bad {
            let e = Thresholds::parse(text, "t.toml").unwrap_err().to_string();
            assert!(
                e.starts_with("t.toml: ") && e.contains(expected),
                "{text}: {e}"
            );
        }
    }

    #[test]
    fn a_count_of_zero_is_refused() {
        let e = Side::new(
            "head",
            vec![("w/a".to_owned(), counts(0, 0))],
            FiguresFile {
                schema: crate::figures::SCHEMA.to_owned(),
                notes: vec![],
                figures: vec![],
            },
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("head: w/a counted no instruction"),
            "{e}"
        );
    }

    #[test]
    fn numbers_are_printed_for_reading() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(change_pct(0.000_06), "+0.006%");
        assert_eq!(change_pct(-0.0213), "-2.13%");
        assert_eq!(Value::Ratio(0.2345).display(), "23.45%");
    }
}
