//! Reading criterion's output.
//!
//! For every benchmark criterion keeps a folder (`<criterion>/<group>/<function>/<value>/`)
//! holding `new/` (the latest run: `estimates.json`, `benchmark.json`, `sample.json`), one
//! folder per saved baseline (`base/` by default, or the name given to `--save-baseline`),
//! and `change/estimates.json`: the relative change of the latest run against the baseline
//! it was compared with. Times are nanoseconds per iteration.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// A confidence interval as criterion writes it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ConfidenceInterval {
    /// Confidence level (criterion's default: 0.95).
    pub confidence_level: f64,
    /// Lower bound.
    pub lower_bound: f64,
    /// Upper bound.
    pub upper_bound: f64,
}

/// One statistic: its point estimate and bootstrap confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The confidence interval.
    pub confidence_interval: ConfidenceInterval,
    /// The point estimate.
    pub point_estimate: f64,
    /// The bootstrap standard error.
    pub standard_error: f64,
}

/// `estimates.json`: statistics of the time per iteration, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimates {
    /// Mean.
    pub mean: Estimate,
    /// Median.
    pub median: Estimate,
    /// Median absolute deviation.
    pub median_abs_dev: Estimate,
    /// Slope of the linear regression (linear sampling mode only).
    pub slope: Option<Estimate>,
    /// Standard deviation.
    pub std_dev: Estimate,
}

/// `change/estimates.json`: relative change against the baseline (0.1 = 10 % slower).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChangeEstimates {
    /// Change of the mean.
    pub mean: Estimate,
    /// Change of the median.
    pub median: Estimate,
}

/// Criterion's throughput declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Throughput {
    /// Bits per iteration.
    Bits(u64),
    /// Bytes per iteration.
    Bytes(u64),
    /// Bytes per iteration, reported in decimal units.
    BytesDecimal(u64),
    /// Elements per iteration.
    Elements(u64),
    /// Elements and bytes per iteration.
    ElementsAndBytes {
        /// Elements.
        elements: u64,
        /// Bytes.
        bytes: u64,
    },
}

impl Throughput {
    /// The unit and count per iteration of the primary throughput.
    #[must_use]
    pub fn per_iteration(&self) -> (&'static str, u64) {
        match *self {
            Self::Bits(n) => ("bits", n),
            Self::Bytes(n) | Self::BytesDecimal(n) => ("bytes", n),
            Self::Elements(n) | Self::ElementsAndBytes { elements: n, .. } => ("elements", n),
        }
    }
}

/// `benchmark.json`: the benchmark's id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkId {
    /// Group name.
    pub group_id: String,
    /// Function name.
    pub function_id: Option<String>,
    /// Parameter.
    pub value_str: Option<String>,
    /// Declared throughput.
    pub throughput: Option<Throughput>,
    /// `group/function/value`.
    pub full_id: String,
    /// Folder, relative to the criterion folder.
    pub directory_name: String,
}

/// One saved result of one benchmark.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    /// The statistics.
    pub estimates: Estimates,
    /// When `estimates.json` was written.
    pub written: SystemTime,
}

/// Everything criterion keeps about one benchmark.
#[derive(Debug, Clone, PartialEq)]
pub struct Bench {
    /// Its id (from the newest `benchmark.json` found).
    pub id: BenchmarkId,
    /// The latest run (`new/`).
    pub new: Option<Saved>,
    /// The named baseline asked for, when it exists.
    pub baseline: Option<Saved>,
    /// `change/estimates.json`, when it was written by the latest run (a change file older
    /// than `new/estimates.json` belongs to an earlier run and is ignored).
    pub change: Option<ChangeEstimates>,
}

/// The folder criterion writes to, found as criterion finds it: `$CRITERION_HOME`, else
/// `$CARGO_TARGET_DIR/criterion`, else the workspace's target folder (from `cargo metadata`)
/// joined with `criterion`, else `target/criterion` of this workspace.
#[must_use]
pub fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    if let Some(target) = metadata_target_dir() {
        return target.join("criterion");
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("target")
        .join("criterion")
}

fn metadata_target_dir() -> Option<PathBuf> {
    #[derive(Deserialize)]
    struct Metadata {
        target_directory: PathBuf,
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    serde_json::from_slice::<Metadata>(&out.stdout)
        .ok()
        .map(|m| m.target_directory)
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> io::Result<T> {
    let text = fs::read(path)?;
    serde_json::from_slice(&text).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {e}", path.display()),
        )
    })
}

fn saved(dir: &Path) -> Option<Saved> {
    let path = dir.join("estimates.json");
    let estimates = read_json(&path).ok()?;
    let written = fs::metadata(&path).and_then(|m| m.modified()).ok()?;
    Some(Saved { estimates, written })
}

/// Every benchmark under `root` that has a `new/` result or a `baseline` result, sorted by
/// id. `baseline` is a criterion baseline name (`base`, or what `--save-baseline` named);
/// `None` reads `new/` only.
///
/// # Errors
/// When `root` cannot be read.
pub fn load(root: &Path, baseline: Option<&str>) -> io::Result<Vec<Bench>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if dir == root => return Err(e),
            Err(_) => continue,
        };
        let mut subdirs = Vec::new();
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                subdirs.push(entry.path());
            }
        }
        if let Some(bench) = bench_at(&dir, baseline) {
            out.push(bench);
            continue;
        }
        stack.extend(subdirs);
    }
    out.sort_by(|a, b| a.id.full_id.cmp(&b.id.full_id));
    Ok(out)
}

/// The benchmark whose folder is `dir`, when `dir` holds one.
fn bench_at(dir: &Path, baseline: Option<&str>) -> Option<Bench> {
    let new_dir = dir.join("new");
    let base_dir = baseline.map(|b| dir.join(b));
    let id: BenchmarkId = read_json(&new_dir.join("benchmark.json"))
        .or_else(|_| {
            base_dir.as_ref().map_or_else(
                || Err(io::ErrorKind::NotFound.into()),
                |b| read_json(&b.join("benchmark.json")),
            )
        })
        .ok()?;
    let new = saved(&new_dir);
    let baseline = base_dir.as_deref().and_then(saved);
    let change_path = dir.join("change").join("estimates.json");
    let change = match (&new, fs::metadata(&change_path).and_then(|m| m.modified())) {
        (Some(n), Ok(t)) if t >= n.written => read_json(&change_path).ok(),
        _ => None,
    };
    Some(Bench {
        id,
        new,
        baseline,
        change,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_criterion_files() {
        let est = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":3.0},"point_estimate":2.0,"standard_error":0.5},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":3.0},"point_estimate":2.0,"standard_error":0.5},"median_abs_dev":{"confidence_interval":{"confidence_level":0.95,"lower_bound":0.0,"upper_bound":1.0},"point_estimate":0.5,"standard_error":0.1},"slope":null,"std_dev":{"confidence_interval":{"confidence_level":0.95,"lower_bound":0.1,"upper_bound":1.0},"point_estimate":0.5,"standard_error":0.1}}"#;
        let e: Estimates = serde_json::from_str(est).expect("estimates");
        assert_eq!(e.mean.point_estimate, 2.0);
        assert!(e.slope.is_none());
        let id = r#"{"group_id":"replay/fifo","function_id":"talc","value_str":null,"throughput":{"Elements":1000},"full_id":"replay/fifo/talc","directory_name":"replay_fifo/talc","title":"replay/fifo/talc"}"#;
        let id: BenchmarkId = serde_json::from_str(id).expect("id");
        assert_eq!(id.throughput, Some(Throughput::Elements(1000)));
        assert_eq!(id.function_id.as_deref(), Some("talc"));
    }
}
