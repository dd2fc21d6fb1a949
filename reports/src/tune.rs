//! Tuning: sweep the pool's options over the suite, rank the configurations by mean
//! fragmentation (J&W #4) and by throughput, and recommend one.
//!
//! **Which workloads count.** Fragmentation means are taken over the workloads on which every
//! configuration ran without a failed request (a failed request leaves less live memory and
//! so distorts #4). Throughput is the geometric mean, over those workloads with at least
//! [`MIN_TIMED_OPS`] ops, of each configuration's ops/s relative to today's default.
//!
//! **The recommendation.** The configuration with the lowest mean #4; among those within
//! [`TIE`] of it (configurations that leave the same heaps, such as `min_split` 9 and 16 at
//! align 8, tie exactly), today's default when it is one of them, else the fastest.
//!
//! **Disagreeing workloads.** A workload disagrees when its own best configuration has a
//! lower #4 on it than the recommendation has (by more than [`TIE`]).

use std::fmt::Write as _;

use serde::Serialize;
use workloads::PoolVariant;

use crate::aggregate::{mean_of, median_of, MIN_TIMED_OPS};
use crate::matrix::describe;
use crate::run::RunRecord;
use crate::table::Table;
use crate::units;

/// Two mean fragmentations closer than this (0.01 percentage points) are a tie.
pub const TIE: f64 = 1e-4;

/// The scores of one configuration.
#[derive(Debug, Clone, Serialize)]
pub struct Score {
    /// The options.
    pub variant: PoolVariant,
    /// `describe(variant)`.
    pub label: String,
    /// Mean J&W #4 over the compared workloads.
    pub mean_frag4: f64,
    /// Mean policy part of #4.
    pub mean_policy: f64,
    /// Mean overhead part of #4.
    pub mean_overhead: f64,
    /// Median #4.
    pub median_frag4: f64,
    /// Geometric mean of ops/s relative to the default (1.0 = as fast).
    pub throughput: Option<f64>,
    /// Failed requests over all workloads.
    pub failures: u64,
    /// Position when ranked by mean #4 (1 = lowest).
    pub frag_rank: usize,
    /// Position when ranked by throughput (1 = fastest).
    pub speed_rank: usize,
}

/// A workload whose own best configuration is not the recommendation.
#[derive(Debug, Clone, Serialize)]
pub struct Disagreement {
    /// The workload.
    pub workload: String,
    /// Its best configuration (first in grid order among ties).
    pub best: String,
    /// How many other configurations tie with it.
    pub tied: usize,
    /// #4 under its best configuration.
    pub best_frag4: f64,
    /// #4 under the recommendation.
    pub recommended_frag4: f64,
}

/// The outcome of a sweep.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// Scores in grid order.
    pub scores: Vec<Score>,
    /// Indices into `scores`, by mean #4 (lowest first).
    pub by_fragmentation: Vec<usize>,
    /// Indices into `scores`, by throughput (fastest first).
    pub by_throughput: Vec<usize>,
    /// Index of the recommendation.
    pub recommended: usize,
    /// Index of today's default (16 / compact / split / align 8), when in the grid.
    pub default: Option<usize>,
    /// The workloads the means are over.
    pub compared: Vec<String>,
    /// The workloads the throughput is over.
    pub timed: Vec<String>,
    /// Workloads left out, and why.
    pub excluded: Vec<(String, String)>,
    /// Workloads whose own best configuration differs.
    pub disagreements: Vec<Disagreement>,
    /// `frag4[workload][config]` for the compared workloads.
    pub frag4: Vec<Vec<f64>>,
    /// The largest throughput ratio between two configurations that leave identical heaps on
    /// every compared workload (for example `min_split` 9 and 16 at align 8): how much of a
    /// throughput difference is timing noise. `None` when no two configurations are identical.
    pub timing_noise: Option<f64>,
}

/// Scores `grid` from `records` (one per workload x configuration, workload-major as
/// [`crate::run::run_matrix`] returns them) and picks the recommendation.
///
/// # Errors
/// When the grid is empty, the records do not match it, or no workload could be compared.
pub fn analyse(
    workloads: &[String],
    grid: &[PoolVariant],
    records: &[RunRecord],
) -> anyhow::Result<Outcome> {
    let nc = grid.len();
    if nc == 0 || records.len() != workloads.len() * nc {
        anyhow::bail!(
            "tuning: {} records for {} workloads x {} configurations",
            records.len(),
            workloads.len(),
            nc
        );
    }
    let row = |w: usize| &records[w * nc..(w + 1) * nc];
    let default = grid.iter().position(|v| *v == PoolVariant::default());
    let mut excluded = Vec::new();
    let mut compared = Vec::new();
    for (w, name) in workloads.iter().enumerate() {
        let r = row(w);
        if let Some(bad) = r.iter().find(|x| x.failures > 0) {
            excluded.push((
                name.clone(),
                format!(
                    "{} failed requests under {} (region of {})",
                    bad.failures,
                    bad.allocator,
                    units::bytes(bad.capacity as f64)
                ),
            ));
        } else if r.iter().any(|x| x.metrics.frag4.is_none()) {
            excluded.push((name.clone(), "no live memory to measure".to_owned()));
        } else {
            compared.push(w);
        }
    }
    if compared.is_empty() {
        anyhow::bail!("tuning: no workload ran without failures under every configuration");
    }
    let frag4: Vec<Vec<f64>> = compared
        .iter()
        .map(|&w| {
            row(w)
                .iter()
                .map(|x| x.metrics.frag4.unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    let timed: Vec<usize> = compared
        .iter()
        .copied()
        .filter(|&w| {
            let r = row(w);
            r[0].ops >= MIN_TIMED_OPS && r.iter().all(|x| x.ops_per_sec.is_some_and(|s| s > 0.0))
        })
        .collect();
    let mut scores: Vec<Score> = grid
        .iter()
        .enumerate()
        .map(|(c, v)| {
            let part = |f: fn(&RunRecord) -> Option<f64>| {
                let v: Vec<f64> = compared
                    .iter()
                    .map(|&w| f(&row(w)[c]).unwrap_or(f64::NAN))
                    .collect();
                mean_of(&v).unwrap_or(f64::NAN)
            };
            let throughput = default.filter(|_| !timed.is_empty()).map(|d| {
                let logs: Vec<f64> = timed
                    .iter()
                    .map(|&w| {
                        let r = row(w);
                        (r[c].ops_per_sec.unwrap_or(1.0) / r[d].ops_per_sec.unwrap_or(1.0)).ln()
                    })
                    .collect();
                mean_of(&logs).unwrap_or(f64::NAN).exp()
            });
            Score {
                variant: *v,
                label: describe(v),
                mean_frag4: part(|r| r.metrics.frag4),
                mean_policy: part(|r| r.metrics.frag4_policy),
                mean_overhead: part(|r| r.metrics.frag4_overhead),
                median_frag4: median_of(frag4.iter().map(|f| f[c]).collect()).unwrap_or(f64::NAN),
                throughput,
                failures: (0..workloads.len()).map(|w| row(w)[c].failures).sum(),
                frag_rank: 0,
                speed_rank: 0,
            }
        })
        .collect();
    let mut by_fragmentation: Vec<usize> = (0..nc).collect();
    by_fragmentation.sort_by(|&a, &b| scores[a].mean_frag4.total_cmp(&scores[b].mean_frag4));
    let mut by_throughput: Vec<usize> = (0..nc).collect();
    by_throughput.sort_by(|&a, &b| {
        let t = |i: usize| scores[i].throughput.unwrap_or(0.0);
        t(b).total_cmp(&t(a))
    });
    for (rank, &i) in by_fragmentation.iter().enumerate() {
        scores[i].frag_rank = rank + 1;
    }
    for (rank, &i) in by_throughput.iter().enumerate() {
        scores[i].speed_rank = rank + 1;
    }
    let best = scores[by_fragmentation[0]].mean_frag4;
    let tied: Vec<usize> = by_fragmentation
        .iter()
        .copied()
        .filter(|&i| scores[i].mean_frag4 <= best + TIE)
        .collect();
    let recommended = match default.filter(|d| tied.contains(d)) {
        Some(d) => d,
        None => tied
            .iter()
            .copied()
            .max_by(|&a, &b| {
                let t = |i: usize| scores[i].throughput.unwrap_or(0.0);
                t(a).total_cmp(&t(b))
            })
            .unwrap_or(by_fragmentation[0]),
    };
    let disagreements = compared
        .iter()
        .zip(&frag4)
        .filter_map(|(&w, f)| {
            let own = f.iter().copied().fold(f64::INFINITY, f64::min);
            let rec = f[recommended];
            (own < rec - TIE).then(|| {
                let first = f.iter().position(|&x| x <= own + TIE).unwrap_or(0);
                Disagreement {
                    workload: workloads[w].clone(),
                    best: describe(&grid[first]),
                    tied: f.iter().filter(|&&x| x <= own + TIE).count() - 1,
                    best_frag4: own,
                    recommended_frag4: rec,
                }
            })
        })
        .collect();
    let timing_noise = identical_pairs(&frag4, nc)
        .filter_map(|(a, b)| {
            let (ta, tb) = (scores[a].throughput?, scores[b].throughput?);
            Some(if ta > tb { ta / tb } else { tb / ta })
        })
        .max_by(f64::total_cmp);
    Ok(Outcome {
        timing_noise,
        scores,
        by_fragmentation,
        by_throughput,
        recommended,
        default,
        compared: compared.iter().map(|&w| workloads[w].clone()).collect(),
        timed: timed.iter().map(|&w| workloads[w].clone()).collect(),
        excluded,
        disagreements,
        frag4,
    })
}

/// Pairs of configurations whose #4 is the same on every workload.
fn identical_pairs(frag4: &[Vec<f64>], nc: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    (0..nc).flat_map(move |a| {
        (a + 1..nc)
            .filter(move |&b| frag4.iter().all(|f| (f[a] - f[b]).abs() < 1e-12))
            .map(move |b| (a, b))
    })
}

fn pct2(v: f64) -> String {
    format!("{:.2} %", v * 100.0)
}

fn pct(v: f64) -> String {
    units::percent(v)
}

fn speed(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_owned(), units::ratio)
}

impl Outcome {
    /// The recommendation in one paragraph, with its margin over today's default.
    #[must_use]
    pub fn recommendation(&self) -> String {
        let r = &self.scores[self.recommended];
        let mut s = format!(
            "Recommended: {} — mean fragmentation #4 {} (policy {}, overhead {}) over {} workloads, throughput {} of today's default.",
            r.label,
            pct(r.mean_frag4),
            pct(r.mean_policy),
            pct(r.mean_overhead),
            self.compared.len(),
            speed(r.throughput)
        );
        match self.default {
            Some(d) if d == self.recommended => {
                s.push_str(" It is today's default (16 / true / true, align 8): no configuration of the grid has a lower mean #4 by more than 0.01 percentage points.");
                let tied: Vec<&str> = self
                    .by_fragmentation
                    .iter()
                    .filter(|&&i| i != d && self.scores[i].mean_frag4 <= r.mean_frag4 + TIE)
                    .map(|&i| self.scores[i].label.as_str())
                    .collect();
                if !tied.is_empty() {
                    let _ = write!(s, " Tied with it: {}.", tied.join("; "));
                }
                if let Some(&next) = self
                    .by_fragmentation
                    .iter()
                    .find(|&&i| self.scores[i].mean_frag4 > r.mean_frag4 + TIE)
                {
                    let n = &self.scores[next];
                    let _ = write!(
                        s,
                        " Margin: the best configuration that differs, {}, has a mean #4 of {} ({:+.2} percentage points).",
                        n.label,
                        pct(n.mean_frag4),
                        (n.mean_frag4 - r.mean_frag4) * 100.0
                    );
                }
            }
            Some(d) => {
                let dd = &self.scores[d];
                let _ = write!(
                    s,
                    " Margin over today's default ({}): {} vs {} mean #4, {:+.2} percentage points ({:+.1} % relative); throughput {} vs {}.",
                    dd.label,
                    pct(r.mean_frag4),
                    pct(dd.mean_frag4),
                    (r.mean_frag4 - dd.mean_frag4) * 100.0,
                    if dd.mean_frag4 > 0.0 {
                        (r.mean_frag4 / dd.mean_frag4 - 1.0) * 100.0
                    } else {
                        0.0
                    },
                    speed(r.throughput),
                    speed(dd.throughput)
                );
            }
            None => s.push_str(" (Today's default is not in this grid.)"),
        }
        if let Some(noise) = self.timing_noise {
            let _ = write!(
                s,
                " Timing noise: configurations that leave identical heaps measured up to {:.0} % apart in throughput, so smaller throughput differences mean nothing.",
                (noise - 1.0) * 100.0
            );
        }
        s
    }

    /// The evidence table: the `top` best configurations by mean #4 (all when `None`), plus
    /// today's default and the fastest when they are not among them.
    #[must_use]
    pub fn evidence(&self, top: Option<usize>) -> Table {
        let mut rows: Vec<usize> = self
            .by_fragmentation
            .iter()
            .copied()
            .take(top.unwrap_or(usize::MAX))
            .collect();
        for extra in [self.default, self.by_throughput.first().copied()]
            .into_iter()
            .flatten()
        {
            if !rows.contains(&extra) {
                rows.push(extra);
            }
        }
        let mut t = Table::new(
            &[
                "rank by #4",
                "configuration",
                "mean #4",
                "policy",
                "overhead",
                "median #4",
                "throughput vs default",
                "rank by speed",
                "failed requests (all workloads)",
            ],
            &[true, false, true, true, true, true, true, true, true],
        );
        for i in rows {
            let s = &self.scores[i];
            let mut label = s.label.clone();
            if i == self.recommended {
                label.push_str(" (recommended)");
            }
            if Some(i) == self.default {
                label.push_str(" (today's default)");
            }
            t.push(vec![
                s.frag_rank.to_string(),
                label,
                pct(s.mean_frag4),
                pct(s.mean_policy),
                pct(s.mean_overhead),
                pct(s.median_frag4),
                speed(s.throughput),
                s.speed_rank.to_string(),
                s.failures.to_string(),
            ]);
        }
        t
    }

    /// A sentence about the disagreeing workloads, and one line per such workload.
    #[must_use]
    pub fn disagreement_lines(&self) -> (String, Vec<String>) {
        if self.disagreements.is_empty() {
            return (
                "No workload disagrees: every compared workload has its lowest #4 under the recommendation (or ties with it).".to_owned(),
                Vec::new(),
            );
        }
        let intro = format!(
            "{} of {} workloads disagree (their own best configuration has a lower #4 on them):",
            self.disagreements.len(),
            self.compared.len()
        );
        let lines = self
            .disagreements
            .iter()
            .map(|d| {
                let tied = if d.tied > 0 {
                    format!(" (and {} tied with it)", d.tied)
                } else {
                    String::new()
                };
                format!(
                    "{}: best {}{tied}, #4 {} there vs {} under the recommendation",
                    d.workload,
                    d.best,
                    pct2(d.best_frag4),
                    pct2(d.recommended_frag4)
                )
            })
            .collect();
        (intro, lines)
    }

    /// The disagreeing workloads as Markdown.
    #[must_use]
    pub fn disagreement_markdown(&self) -> String {
        let (intro, lines) = self.disagreement_lines();
        let mut s = intro;
        s.push('\n');
        if !lines.is_empty() {
            s.push('\n');
        }
        for l in lines {
            let _ = writeln!(s, "- {l}");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use workloads::{AdapterSpec, Metrics};

    fn rec(w: &str, v: PoolVariant, frag4: f64, speed: f64, failures: u64) -> RunRecord {
        RunRecord {
            workload: w.to_owned(),
            allocator: v.label(),
            spec: AdapterSpec::MemPool(v),
            capacity: 1 << 20,
            ops: 5_000,
            failures,
            metrics: Metrics {
                frag4: Some(frag4),
                frag4_policy: Some(frag4 * 0.75),
                frag4_overhead: Some(frag4 * 0.25),
                ..Metrics::default()
            },
            ops_per_sec: Some(speed),
            samples: Vec::new(),
        }
    }

    #[test]
    fn ranks_recommends_and_names_disagreements() {
        let d = PoolVariant::default();
        let small = PoolVariant { min_split: 64, ..d };
        let grid = [d, small];
        let names: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let records = vec![
            rec("a", d, 0.30, 100.0, 0),
            rec("a", small, 0.20, 100.0, 0),
            rec("b", d, 0.10, 100.0, 0),
            rec("b", small, 0.15, 200.0, 0),
            rec("c", d, 0.50, 100.0, 0),
            rec("c", small, 0.10, 100.0, 3),
        ];
        let o = analyse(&names, &grid, &records).unwrap();
        assert_eq!(o.compared, ["a", "b"]);
        assert_eq!(o.excluded.len(), 1);
        assert!(o.excluded[0].1.contains("3 failed"), "{:?}", o.excluded);
        // means: default 0.20, small 0.175
        assert_eq!(o.recommended, 1);
        assert_eq!(o.by_fragmentation, [1, 0]);
        assert!((o.scores[1].throughput.unwrap() - 2f64.sqrt()).abs() < 1e-9);
        assert_eq!(o.disagreements.len(), 1);
        assert_eq!(o.disagreements[0].workload, "b");
        let text = o.recommendation();
        assert!(text.contains("Margin over today's default"), "{text}");
        assert!(o.evidence(None).markdown().contains("(recommended)"));
        assert!(o.disagreement_markdown().contains("b: best"));
    }

    #[test]
    fn ties_keep_the_default() {
        let d = PoolVariant::default();
        let nine = PoolVariant { min_split: 9, ..d };
        let names = vec!["a".to_owned()];
        let records = vec![rec("a", nine, 0.2, 300.0, 0), rec("a", d, 0.2, 100.0, 0)];
        let o = analyse(&names, &[nine, d], &records).unwrap();
        assert_eq!(o.recommended, 1);
        assert!(o.disagreements.is_empty());
        assert!(o.recommendation().contains("It is today's default"));
        assert!(o.recommendation().contains("Tied with it: min_split 9"));
        // Identical heaps, 3x apart in speed: that is the noise.
        assert!((o.timing_noise.unwrap() - 3.0).abs() < 1e-9);
        assert!(
            o.recommendation().contains("200 % apart"),
            "{}",
            o.recommendation()
        );
    }

    #[test]
    fn mismatched_records_are_an_error() {
        let err = analyse(&["a".to_owned()], &[PoolVariant::default()], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("0 records"), "{err}");
    }
}
