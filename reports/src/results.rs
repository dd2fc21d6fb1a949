//! The results model: everything a report measured, as plain data with no I/O. The renderers
//! (`report_tables`, `findings`, `summary`, `report_figures`, `html`, `results_csv`) read it
//! and never call back; `results.json` is [`Results`] serialised.

use serde::Serialize;
use workloads::suite::{Skipped, Source};
use workloads::{PoolVariant, WorkloadStats};

use crate::aggregate::{Aggregate, Ranking, WorkloadSets};
use crate::run::RunRecord;
use crate::scaling::ScalingPoint;
use crate::tune::Outcome;

/// One workload as `results.json` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct WorkloadInfo {
    /// Name.
    pub name: String,
    /// Where it came from.
    pub source: Source,
    /// Counts and peaks.
    pub stats: WorkloadStats,
    /// Region size every allocator got, in bytes.
    pub capacity: u64,
}

/// Seconds spent per phase.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Timings {
    /// Matrix replays (tracked, timing rounds, latency).
    pub matrix: f64,
    /// Tuning-map replays.
    pub tuning: f64,
    /// Scaling measurement.
    pub scaling: f64,
    /// Drawing and writing.
    pub output: f64,
    /// Everything.
    pub total: f64,
}

/// A figure as `results.json` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct FigureInfo {
    /// File stem (`<stem>.svg`, `<stem>.png`).
    pub stem: String,
    /// Title.
    pub title: String,
    /// Whether a PNG was written.
    pub png: bool,
}

/// Everything the report measured; `results.json` is this.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    /// The run's name (the output folder's name by default).
    pub name: String,
    /// When it ran (UTC, RFC 3339).
    pub generated_utc: String,
    /// `quick` or `full`.
    pub mode: String,
    /// Worker threads.
    pub threads: usize,
    /// Seconds per phase.
    pub seconds: Timings,
    /// Remarks (missing folders, fonts, excluded workloads).
    pub notes: Vec<String>,
    /// Traces left out because they could not be read or parsed (file, line, reason).
    pub skipped: Vec<Skipped>,
    /// The workloads.
    pub workloads: Vec<WorkloadInfo>,
    /// The allocators, in matrix order.
    pub allocators: Vec<String>,
    /// Per-allocator aggregates over the workload sets.
    pub aggregates: Vec<Aggregate>,
    /// The allocators best first, by fragmentation and by throughput (for CI consumers).
    pub ranking: Ranking,
    /// Which workloads each aggregate is over (indices into `workloads`).
    pub sets: WorkloadSets,
    /// The workloads no allocator failed a request on.
    pub compared: Vec<String>,
    /// Interleaved timing rounds per (workload, allocator).
    pub rounds: u32,
    /// What reading the latency clock twice costs, ns (in every latency sample).
    pub clock_ns: f64,
    /// Every (workload, allocator) run, workload-major.
    pub runs: Vec<RunRecord>,
    /// Scaling points.
    pub scaling: Vec<ScalingPoint>,
    /// The tuning map's configurations.
    pub tuning_grid: Vec<PoolVariant>,
    /// The tuning map's scores and recommendation (`None`: no tuning map was asked for).
    pub tuning: Option<Outcome>,
    /// The figures written.
    pub figures: Vec<FigureInfo>,
}

impl Results {
    /// The runs of workload `w` (index into `workloads`).
    #[must_use]
    pub fn runs_of(&self, w: usize) -> &[RunRecord] {
        let n = self.allocators.len();
        &self.runs[w * n..(w + 1) * n]
    }

    /// The aggregate of the default pool (the first allocator).
    #[must_use]
    pub fn default_pool(&self) -> &Aggregate {
        &self.aggregates[0]
    }

    /// The index of the `baseline` allocator (the replay loop's cost), when it ran.
    #[must_use]
    pub fn baseline(&self) -> Option<usize> {
        self.allocators.iter().position(|a| a == "baseline")
    }

    /// The names of the workloads with indices `set`.
    #[must_use]
    pub fn names(&self, set: &[usize]) -> Vec<String> {
        set.iter()
            .map(|&w| self.workloads[w].name.clone())
            .collect()
    }
}
