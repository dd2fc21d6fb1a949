//! The latest results as JSON and CSV, for the reports crate and for spreadsheets.
//!
//! `latest.json`: `{schema, exported_utc, source, info, benchmarks: [Row...]}` where `info` is
//! the run's [`BuildInfo`] (machine, toolchain, crate versions, date). `latest.csv`: one
//! [`Row`] per line, with the main fields of `info` repeated on every line so the file stands
//! on its own.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::info::BuildInfo;
use crate::results::{Bench, Saved};
use crate::timefmt;

/// Schema tag of [`Export`].
pub const SCHEMA: &str = "mempool-workbench/bench-results/1";

/// Throughput of one iteration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowThroughput {
    /// `elements`, `bytes` or `bits`.
    pub unit: String,
    /// How many per iteration (for a replay: its ops).
    pub per_iteration: u64,
}

/// Relative change against the baseline the run was compared with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RowChange {
    /// Point estimate of the change of the mean (0.1 = 10 % slower).
    pub mean: f64,
    /// Lower bound of its confidence interval.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

/// One benchmark's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Full id, `group/function[/value]`.
    pub id: String,
    /// Group.
    pub group: String,
    /// Function.
    pub function: Option<String>,
    /// Parameter.
    pub value: Option<String>,
    /// Declared throughput.
    pub throughput: Option<RowThroughput>,
    /// Mean time per iteration, ns.
    pub mean_ns: f64,
    /// Lower bound of the mean's confidence interval, ns.
    pub mean_lower_ns: f64,
    /// Upper bound, ns.
    pub mean_upper_ns: f64,
    /// Confidence level of those bounds.
    pub confidence_level: f64,
    /// Median time per iteration, ns.
    pub median_ns: f64,
    /// Standard deviation, ns.
    pub std_dev_ns: f64,
    /// Slope of the linear regression, ns (linear sampling only).
    pub slope_ns: Option<f64>,
    /// Throughput units per second at the mean (for a replay: ops per second).
    pub per_second: Option<f64>,
    /// When the result was written, UTC.
    pub measured_utc: String,
    /// Change against the baseline of that run, when it was compared with one.
    pub change: Option<RowChange>,
}

/// The whole export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Export {
    /// [`SCHEMA`].
    pub schema: String,
    /// When the export was made.
    pub exported_utc: String,
    /// Which results: `new` (the latest run) or a baseline's name.
    pub source: String,
    /// The run's machine, toolchain, crate versions and date, when recorded.
    pub info: Option<BuildInfo>,
    /// One row per benchmark, sorted by id.
    pub benchmarks: Vec<Row>,
}

/// The row of `bench`, from its latest run (`baseline == None`) or its baseline.
#[must_use]
pub fn row(bench: &Bench, use_baseline: bool) -> Option<Row> {
    let saved: &Saved = if use_baseline {
        bench.baseline.as_ref()?
    } else {
        bench.new.as_ref()?
    };
    let e = &saved.estimates;
    let throughput = bench.id.throughput.map(|t| {
        let (unit, n) = t.per_iteration();
        RowThroughput {
            unit: unit.to_owned(),
            per_iteration: n,
        }
    });
    let mean = e.mean.point_estimate;
    let per_second = throughput
        .as_ref()
        .filter(|_| mean > 0.0)
        .map(|t| t.per_iteration as f64 * 1e9 / mean);
    let change = if use_baseline {
        None
    } else {
        bench.change.map(|c| RowChange {
            mean: c.mean.point_estimate,
            lower: c.mean.confidence_interval.lower_bound,
            upper: c.mean.confidence_interval.upper_bound,
        })
    };
    Some(Row {
        id: bench.id.full_id.clone(),
        group: bench.id.group_id.clone(),
        function: bench.id.function_id.clone(),
        value: bench.id.value_str.clone(),
        throughput,
        mean_ns: mean,
        mean_lower_ns: e.mean.confidence_interval.lower_bound,
        mean_upper_ns: e.mean.confidence_interval.upper_bound,
        confidence_level: e.mean.confidence_interval.confidence_level,
        median_ns: e.median.point_estimate,
        std_dev_ns: e.std_dev.point_estimate,
        slope_ns: e.slope.map(|s| s.point_estimate),
        per_second,
        measured_utc: timefmt::iso_utc(timefmt::unix_seconds(saved.written)),
        change,
    })
}

/// The export of `benches` (latest run, or the baseline when `use_baseline`).
#[must_use]
pub fn build(
    benches: &[Bench],
    use_baseline: bool,
    source: &str,
    info: Option<BuildInfo>,
) -> Export {
    Export {
        schema: SCHEMA.to_owned(),
        exported_utc: timefmt::now_utc(),
        source: source.to_owned(),
        info,
        benchmarks: benches
            .iter()
            .filter_map(|b| row(b, use_baseline))
            .collect(),
    }
}

/// CSV columns, in order.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "group",
    "function",
    "value",
    "throughput_unit",
    "throughput_per_iteration",
    "mean_ns",
    "mean_lower_ns",
    "mean_upper_ns",
    "confidence_level",
    "median_ns",
    "std_dev_ns",
    "slope_ns",
    "per_second",
    "measured_utc",
    "change_mean",
    "change_lower",
    "change_upper",
    "run_date_utc",
    "profile",
    "cpu_model",
    "nproc",
    "rustc",
    "commit",
];

fn csv_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The export as CSV (RFC 4180 quoting, LF line ends).
#[must_use]
pub fn to_csv(export: &Export) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push('\n');
    let info = export.info.as_ref();
    let run = [
        opt(info.map(|i| i.date_utc.clone())),
        opt(info.map(|i| i.profile.clone())),
        opt(info.and_then(|i| i.machine.cpu_model.clone())),
        opt(info.map(|i| i.machine.nproc)),
        opt(info.map(|i| i.toolchain.rustc.clone())),
        opt(info.and_then(|i| {
            i.revision
                .as_ref()
                .map(|r| format!("{}{}", r.commit, if r.dirty { "+dirty" } else { "" }))
        })),
    ];
    for r in &export.benchmarks {
        let fields = [
            r.id.clone(),
            r.group.clone(),
            opt(r.function.clone()),
            opt(r.value.clone()),
            opt(r.throughput.as_ref().map(|t| t.unit.clone())),
            opt(r.throughput.as_ref().map(|t| t.per_iteration)),
            r.mean_ns.to_string(),
            r.mean_lower_ns.to_string(),
            r.mean_upper_ns.to_string(),
            r.confidence_level.to_string(),
            r.median_ns.to_string(),
            r.std_dev_ns.to_string(),
            opt(r.slope_ns),
            opt(r.per_second),
            r.measured_utc.clone(),
            opt(r.change.map(|c| c.mean)),
            opt(r.change.map(|c| c.lower)),
            opt(r.change.map(|c| c.upper)),
        ];
        for (i, f) in fields.iter().chain(run.iter()).enumerate() {
            if i > 0 {
                out.push(',');
            }
            csv_field(&mut out, f);
        }
        out.push('\n');
    }
    out
}

/// Writes `latest.json` and `latest.csv` into `dir` (created when missing) and returns
/// their paths.
///
/// # Errors
/// When the folder or a file cannot be written.
pub fn write(export: &Export, dir: &Path) -> io::Result<(PathBuf, PathBuf)> {
    fs::create_dir_all(dir)?;
    let json = dir.join("latest.json");
    let csv = dir.join("latest.csv");
    let text = serde_json::to_string_pretty(export).map_err(io::Error::other)?;
    fs::write(&json, text + "\n")?;
    fs::write(&csv, to_csv(export))?;
    Ok((json, csv))
}

/// A one-line summary of an export: how many results, from when.
#[must_use]
pub fn summary(export: &Export) -> String {
    let mut s = format!("{} benchmarks ({})", export.benchmarks.len(), export.source);
    if let Some(info) = &export.info {
        let _ = write!(s, "; {}", info.summary());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it() {
        let mut s = String::new();
        csv_field(&mut s, "a,b");
        s.push('|');
        csv_field(&mut s, "say \"hi\"");
        s.push('|');
        csv_field(&mut s, "plain");
        assert_eq!(s, "\"a,b\"|\"say \"\"hi\"\"\"|plain");
    }

    #[test]
    fn csv_has_one_line_per_row_and_every_column() {
        let export = Export {
            schema: SCHEMA.into(),
            exported_utc: "2026-01-01T00:00:00Z".into(),
            source: "new".into(),
            info: None,
            benchmarks: vec![Row {
                id: "replay/fifo/talc".into(),
                group: "replay/fifo".into(),
                function: Some("talc".into()),
                value: None,
                throughput: Some(RowThroughput {
                    unit: "elements".into(),
                    per_iteration: 100,
                }),
                mean_ns: 1000.0,
                mean_lower_ns: 990.0,
                mean_upper_ns: 1010.0,
                confidence_level: 0.95,
                median_ns: 1000.0,
                std_dev_ns: 5.0,
                slope_ns: None,
                per_second: Some(1e8),
                measured_utc: "2026-01-01T00:00:00Z".into(),
                change: None,
            }],
        };
        let csv = to_csv(&export);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].split(',').count(), CSV_COLUMNS.len());
        assert!(lines[1].starts_with("replay/fifo/talc,replay/fifo,talc,,elements,100,1000,"));
    }
}
