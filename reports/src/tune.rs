//! Tuning: sweep the pool's options over the suite, rank the configurations by fragmentation
//! and by throughput, recommend one, and check that the recommendation holds on workloads it
//! was not chosen on.
//!
//! **Scores** are [`crate::aggregate`]'s: fragmentation is the geometric mean of
//! `footprint / peak live` (as a #4) over the compared workloads of at least
//! `workloads::aggregate::SMALL_HEAP_FLOOR` peak live (the **headline** set; every compared
//! workload when none is that large); throughput is the geometric mean of per-workload speed
//! ratios to today's default over paired timing rounds, with its 95 % interval.
//!
//! **The recommendation** ([`choose`]): the lowest fragmentation; among configurations within
//! [`TIE`] of it (configurations that leave the same heaps, such as `min_split` 9 and 16 at
//! align 8, tie exactly), today's default when it is one of them, else the fastest.
//!
//! **Cross-validation**: the workloads fall into folds by source (`Item::fold`: malloc-lab
//! 2002, malloc-lab 2016, recorded programs, synthetic, each other trace folder). For each
//! fold the same rule chooses on the other folds' headline workloads alone; the chosen
//! configuration's **regret** on the held-out fold is how much more fragmentation it leaves
//! there than that fold's own best (percentage points of the geometric-mean #4). The
//! recommendation is stated with the folds' regrets and how many folds chose it.
//!
//! **Pareto front**: the configurations no other one beats on both fragmentation and
//! throughput estimates.
//!
//! **Disagreeing workloads**: a headline workload whose own best configuration has a lower
//! #4 on it than the recommendation has (by more than [`TIE`]).

use serde::Serialize;
use workloads::aggregate::{Interval, Verdict};
use workloads::suite::Item;
use workloads::PoolVariant;

use crate::aggregate::{fragmentation, speed, Fragmentation, WorkloadSets};
use crate::matrix::describe;
use crate::run::RunRecord;
use crate::units;

/// Two fragmentation scores closer than this (0.01 percentage points) are a tie.
pub const TIE: f64 = 1e-4;

/// The scores of one configuration.
#[derive(Debug, Clone, Serialize)]
pub struct Score {
    /// The options.
    pub variant: PoolVariant,
    /// `describe(variant)`.
    pub label: String,
    /// Over the headline workloads.
    pub fragmentation: Fragmentation,
    /// Speed relative to today's default, with its interval (> 1: faster).
    pub throughput: Option<Interval>,
    /// Where that interval lies against 1.
    pub verdict: Option<Verdict>,
    /// Failed requests over all workloads.
    pub failures: u64,
    /// Position when ranked by fragmentation (1 = lowest).
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

/// One held-out fold.
#[derive(Debug, Clone, Serialize)]
pub struct Fold {
    /// The fold (`Item::fold`).
    pub name: String,
    /// Its headline workloads.
    pub workloads: usize,
    /// The configuration chosen on the other folds (index into the scores).
    pub chosen: Option<usize>,
    /// The fold's own best configuration.
    pub best: Option<usize>,
    /// The chosen configuration's fragmentation on the fold minus the fold's best (a
    /// fraction: 0.01 is one percentage point of #4).
    pub regret: Option<f64>,
}

/// Cross-validation by source.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CrossValidation {
    /// Every fold, in suite order.
    pub folds: Vec<Fold>,
    /// Folds that could be scored (headline workloads in the fold and outside it).
    pub scored: usize,
    /// Scored folds whose choice is the recommendation.
    pub agree: usize,
    /// Mean regret over the scored folds.
    pub mean_regret: Option<f64>,
    /// Largest regret of a scored fold.
    pub max_regret: Option<f64>,
}

/// The outcome of a sweep.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// Scores in grid order.
    pub scores: Vec<Score>,
    /// Indices into `scores`, by fragmentation (lowest first).
    pub by_fragmentation: Vec<usize>,
    /// Indices into `scores`, by throughput (fastest first; untimed last).
    pub by_throughput: Vec<usize>,
    /// Index of the recommendation.
    pub recommended: usize,
    /// Index of today's default (16 / compact / split / align 8), when in the grid.
    pub default: Option<usize>,
    /// The compared workloads (no configuration failed a request on them).
    pub compared: Vec<String>,
    /// The headline workloads the fragmentation scores are over.
    pub headline: Vec<String>,
    /// Whether the headline is the large workloads (else every compared one: none was large).
    pub headline_is_large: bool,
    /// The workloads the throughput is over.
    pub timed: Vec<String>,
    /// Workloads left out, and why.
    pub excluded: Vec<(String, String)>,
    /// Headline workloads whose own best configuration differs.
    pub disagreements: Vec<Disagreement>,
    /// `frag4[workload][config]` for the headline workloads.
    pub frag4: Vec<Vec<f64>>,
    /// The recommendation checked on held-out folds.
    pub cross_validation: CrossValidation,
    /// Indices into `scores` on the Pareto front of fragmentation against throughput, fastest
    /// first.
    pub pareto: Vec<usize>,
}

/// The recommendation rule over per-configuration `frag` scores (lower is better) and
/// `speed` estimates: the lowest score; among those within [`TIE`] of it, `default` when it is
/// one of them, else the fastest (the first in order when none is timed).
#[must_use]
pub fn choose(frag: &[f64], speed: &[Option<f64>], default: Option<usize>) -> usize {
    let best = frag.iter().copied().fold(f64::INFINITY, f64::min);
    let tied: Vec<usize> = (0..frag.len()).filter(|&c| frag[c] <= best + TIE).collect();
    if let Some(d) = default.filter(|d| tied.contains(d)) {
        return d;
    }
    let fast = |c: usize| speed.get(c).copied().flatten().unwrap_or(0.0);
    tied.iter()
        .copied()
        .fold(None, |acc: Option<usize>, c| match acc {
            Some(a) if fast(a) >= fast(c) => Some(a),
            _ => Some(c),
        })
        .unwrap_or(0)
}

/// Scores `grid` from `records` (one per workload x configuration, workload-major as
/// [`crate::run::run_matrix`] returns them, for the workloads `items`), picks the
/// recommendation and cross-validates it.
///
/// # Errors
/// When the grid is empty, the records do not match it, or no workload could be compared.
pub fn analyse(
    items: &[Item],
    grid: &[PoolVariant],
    records: &[RunRecord],
) -> anyhow::Result<Outcome> {
    let nc = grid.len();
    if nc == 0 || records.len() != items.len() * nc {
        anyhow::bail!(
            "tuning: {} records for {} workloads x {} configurations",
            records.len(),
            items.len(),
            nc
        );
    }
    let row = |w: usize| &records[w * nc..(w + 1) * nc];
    let name = |w: usize| items[w].workload.name.clone();
    let default = grid.iter().position(|v| *v == PoolVariant::default());
    let stats: Vec<_> = items.iter().map(|i| i.stats).collect();
    let mut sets = WorkloadSets::new(&stats, records, nc);
    let mut excluded = Vec::new();
    for w in 0..items.len() {
        if let Some(bad) = row(w).iter().find(|x| x.failures > 0) {
            excluded.push((
                name(w),
                format!(
                    "{} failed requests under {} (region of {})",
                    bad.failures,
                    bad.allocator,
                    units::bytes(bad.capacity as f64)
                ),
            ));
        } else if row(w).iter().any(|x| x.metrics.frag4.is_none()) {
            excluded.push((name(w), "no live memory to measure".to_owned()));
        }
    }
    let measurable = |w: &usize| row(*w).iter().all(|x| x.metrics.frag4.is_some());
    sets.compared.retain(measurable);
    sets.large.retain(measurable);
    if sets.compared.is_empty() {
        anyhow::bail!("tuning: no workload ran without failures under every configuration");
    }
    let headline_is_large = !sets.large.is_empty();
    let headline: Vec<usize> = if headline_is_large {
        sets.large.clone()
    } else {
        sets.compared.clone()
    };
    let mut scores = Vec::with_capacity(nc);
    for (c, v) in grid.iter().enumerate() {
        let throughput = default.and_then(|d| speed(records, nc, c, d, &sets.timed));
        let Some(frag) = fragmentation(records, nc, c, &headline) else {
            anyhow::bail!(
                "tuning: {} reports no fragmentation on some workload",
                describe(v)
            );
        };
        scores.push(Score {
            variant: *v,
            label: describe(v),
            fragmentation: frag,
            verdict: throughput.map(|t| t.against(1.0)),
            throughput,
            failures: (0..items.len()).map(|w| row(w)[c].failures).sum(),
            frag_rank: 0,
            speed_rank: 0,
        });
    }
    let frag: Vec<f64> = scores.iter().map(|s| s.fragmentation.geo_frag4).collect();
    let fast: Vec<Option<f64>> = scores
        .iter()
        .map(|s| s.throughput.map(|t| t.estimate))
        .collect();
    let mut by_fragmentation: Vec<usize> = (0..nc).collect();
    by_fragmentation.sort_by(|&a, &b| frag[a].total_cmp(&frag[b]));
    let mut by_throughput: Vec<usize> = (0..nc).collect();
    by_throughput.sort_by(|&a, &b| fast[b].unwrap_or(0.0).total_cmp(&fast[a].unwrap_or(0.0)));
    for (rank, &i) in by_fragmentation.iter().enumerate() {
        scores[i].frag_rank = rank + 1;
    }
    for (rank, &i) in by_throughput.iter().enumerate() {
        scores[i].speed_rank = rank + 1;
    }
    let recommended = choose(&frag, &fast, default);
    let frag4: Vec<Vec<f64>> = headline
        .iter()
        .map(|&w| {
            row(w)
                .iter()
                .map(|x| x.metrics.frag4.unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    let disagreements = headline
        .iter()
        .zip(&frag4)
        .filter_map(|(&w, f)| {
            let own = f.iter().copied().fold(f64::INFINITY, f64::min);
            let rec = f[recommended];
            (own < rec - TIE).then(|| {
                let first = f.iter().position(|&x| x <= own + TIE).unwrap_or(0);
                Disagreement {
                    workload: name(w),
                    best: describe(&grid[first]),
                    tied: f.iter().filter(|&&x| x <= own + TIE).count() - 1,
                    best_frag4: own,
                    recommended_frag4: rec,
                }
            })
        })
        .collect();
    let cross_validation =
        cross_validate(items, records, nc, &headline, &fast, default, recommended);
    Ok(Outcome {
        pareto: pareto_front(&frag, &fast),
        scores,
        by_fragmentation,
        by_throughput,
        recommended,
        default,
        compared: sets.compared.iter().map(|&w| name(w)).collect(),
        headline: headline.iter().map(|&w| name(w)).collect(),
        headline_is_large,
        timed: sets.timed.iter().map(|&w| name(w)).collect(),
        excluded,
        disagreements,
        frag4,
        cross_validation,
    })
}

/// Holds out each fold in turn (see the module docs).
fn cross_validate(
    items: &[Item],
    records: &[RunRecord],
    nc: usize,
    headline: &[usize],
    fast: &[Option<f64>],
    default: Option<usize>,
    recommended: usize,
) -> CrossValidation {
    let mut names: Vec<String> = Vec::new();
    for i in items {
        let f = i.fold();
        if !names.contains(&f) {
            names.push(f);
        }
    }
    let score = |set: &[usize]| -> Option<Vec<f64>> {
        (0..nc)
            .map(|c| fragmentation(records, nc, c, set).map(|f| f.geo_frag4))
            .collect()
    };
    let folds: Vec<Fold> = names
        .into_iter()
        .map(|name| {
            let (test, train): (Vec<usize>, Vec<usize>) =
                headline.iter().partition(|&&w| items[w].fold() == name);
            let (Some(train_scores), Some(test_scores)) = (
                (!train.is_empty()).then(|| score(&train)).flatten(),
                (!test.is_empty()).then(|| score(&test)).flatten(),
            ) else {
                return Fold {
                    workloads: test.len(),
                    name,
                    chosen: None,
                    best: None,
                    regret: None,
                };
            };
            let chosen = choose(&train_scores, fast, default);
            let best = (0..nc)
                .min_by(|&a, &b| test_scores[a].total_cmp(&test_scores[b]))
                .unwrap_or(chosen);
            Fold {
                workloads: test.len(),
                name,
                chosen: Some(chosen),
                best: Some(best),
                regret: Some(test_scores[chosen] - test_scores[best]),
            }
        })
        .collect();
    let regrets: Vec<f64> = folds.iter().filter_map(|f| f.regret).collect();
    CrossValidation {
        scored: regrets.len(),
        agree: folds
            .iter()
            .filter(|f| f.chosen == Some(recommended))
            .count(),
        mean_regret: workloads::aggregate::mean(&regrets),
        max_regret: regrets.iter().copied().reduce(f64::max),
        folds,
    }
}

/// The configurations no other beats on both `frag` (lower) and `speed` (higher), fastest
/// first; untimed configurations take no part.
#[must_use]
pub fn pareto_front(frag: &[f64], speed: &[Option<f64>]) -> Vec<usize> {
    let mut timed: Vec<usize> = (0..frag.len()).filter(|&c| speed[c].is_some()).collect();
    timed.sort_by(|&a, &b| {
        speed[b]
            .unwrap_or(0.0)
            .total_cmp(&speed[a].unwrap_or(0.0))
            .then(frag[a].total_cmp(&frag[b]))
    });
    let mut front = Vec::new();
    let mut lowest = f64::INFINITY;
    for c in timed {
        if frag[c] < lowest - TIE {
            lowest = frag[c];
            front.push(c);
        }
    }
    front
}

#[cfg(test)]
mod tests {
    use super::*;
    use workloads::aggregate::SMALL_HEAP_FLOOR;
    use workloads::suite::Source;
    use workloads::{AdapterSpec, Metrics, Op, Provenance, Workload};

    /// A workload called `name` of `ops` ops whose peak live payload is `peak` bytes.
    fn item(name: &str, source: Source, peak: u64, ops: usize) -> Item {
        let mut v = vec![Op::Alloc { id: 0, size: peak }];
        for i in 1..ops / 2 {
            v.push(Op::Alloc {
                id: i as u32,
                size: 1,
            });
            v.push(Op::Free { id: i as u32 });
        }
        let w = Workload::new(
            name,
            v,
            Provenance::Other {
                description: "test".into(),
            },
        );
        Item::new(w, source)
    }

    fn rec(w: &str, v: PoolVariant, frag4: f64, ns: f64, failures: u64) -> RunRecord {
        RunRecord {
            workload: w.to_owned(),
            allocator: v.label(),
            spec: Some(AdapterSpec::MemPool(v)),
            capacity: 1 << 20,
            ops: 5_000,
            failures,
            metrics: Metrics {
                frag4: Some(frag4),
                frag4_policy: Some(frag4 * 0.75),
                frag4_overhead: Some(frag4 * 0.25),
                utilisation: Some(1.0 / (1.0 + frag4)),
                ..Metrics::default()
            },
            round_ns: vec![ns, ns * 1.01, ns * 0.99, ns, ns],
            ns_per_op: Some(ns),
            ops_per_sec: Some(1e9 / ns),
            latency: None,
            samples: Vec::new(),
        }
    }

    const BIG: u64 = SMALL_HEAP_FLOOR * 2;

    #[test]
    fn ranks_recommends_and_names_disagreements() {
        let d = PoolVariant::default();
        let small = PoolVariant { min_split: 64, ..d };
        let grid = [d, small];
        let items = vec![
            item("a", Source::Synthetic, BIG, 5_000),
            item("b", Source::Synthetic, BIG, 5_000),
            item("c", Source::Synthetic, BIG, 5_000),
        ];
        let records = vec![
            rec("a", d, 0.30, 100.0, 0),
            rec("a", small, 0.20, 100.0, 0),
            rec("b", d, 0.10, 100.0, 0),
            rec("b", small, 0.15, 50.0, 0),
            rec("c", d, 0.50, 100.0, 0),
            rec("c", small, 0.10, 100.0, 3),
        ];
        let o = analyse(&items, &grid, &records).unwrap();
        assert_eq!(o.compared, ["a", "b"]);
        assert_eq!(o.excluded.len(), 1);
        assert!(o.excluded[0].1.contains("3 failed"), "{:?}", o.excluded);
        // geometric means of 1 + #4: default sqrt(1.3 * 1.1) - 1 = 0.1958, small sqrt(1.2 *
        // 1.15) - 1 = 0.1747
        assert_eq!(o.recommended, 1);
        assert_eq!(o.by_fragmentation, [1, 0]);
        let f = o.scores[1].fragmentation.geo_frag4;
        assert!((f - ((1.2f64 * 1.15).sqrt() - 1.0)).abs() < 1e-12, "{f}");
        // Twice as fast on b, as fast on a: sqrt(2).
        let t = o.scores[1].throughput.unwrap();
        assert!((t.estimate - 2f64.sqrt()).abs() < 1e-9, "{t:?}");
        assert_eq!(o.disagreements.len(), 1);
        assert_eq!(o.disagreements[0].workload, "b");
        assert_eq!(o.pareto, [1]);
    }

    #[test]
    fn ties_keep_the_default() {
        let d = PoolVariant::default();
        let nine = PoolVariant { min_split: 9, ..d };
        let items = vec![item("a", Source::Synthetic, BIG, 5_000)];
        let records = vec![rec("a", nine, 0.2, 30.0, 0), rec("a", d, 0.2, 100.0, 0)];
        let o = analyse(&items, &[nine, d], &records).unwrap();
        assert_eq!(o.recommended, 1);
        assert!(o.disagreements.is_empty());
        assert_eq!(choose(&[0.2, 0.2], &[Some(3.0), Some(1.0)], None), 0);
        assert_eq!(choose(&[0.2, 0.2], &[Some(3.0), Some(1.0)], Some(1)), 1);
        assert_eq!(choose(&[0.3, 0.2], &[Some(3.0), Some(1.0)], Some(0)), 1);
    }

    /// One workload with a 32-byte peak does not move the ranking: small heaps are not in the
    /// headline.
    #[test]
    fn a_tiny_workload_does_not_change_the_ranking() {
        let d = PoolVariant::default();
        let other = PoolVariant { min_split: 64, ..d };
        let grid = [d, other];
        let mut items = vec![
            item("a", Source::Synthetic, BIG, 5_000),
            item("b", Source::Synthetic, BIG, 5_000),
        ];
        let mut records = vec![
            rec("a", d, 0.10, 100.0, 0),
            rec("a", other, 0.20, 100.0, 0),
            rec("b", d, 0.10, 100.0, 0),
            rec("b", other, 0.12, 100.0, 0),
        ];
        let before = analyse(&items, &grid, &records).unwrap();
        items.push(item("tiny", Source::Synthetic, 32, 5_000));
        records.push(rec("tiny", d, 50.0, 100.0, 0));
        records.push(rec("tiny", other, 0.5, 100.0, 0));
        let after = analyse(&items, &grid, &records).unwrap();
        assert_eq!(before.by_fragmentation, after.by_fragmentation);
        assert_eq!(before.recommended, after.recommended);
        assert_eq!(after.headline, ["a", "b"]);
        assert_eq!(after.compared.len(), 3);
    }

    #[test]
    fn folds_choose_on_the_others_and_report_their_regret() {
        let d = PoolVariant::default();
        let other = PoolVariant { min_split: 64, ..d };
        let grid = [d, other];
        let lab = |n: &str| item(n, Source::Folder("shared/traces".into()), BIG, 5_000);
        let items = vec![
            lab("malloclab-2002/x"),
            lab("malloclab-2002/y"),
            lab("malloclab-2016/z"),
            item("s", Source::Synthetic, BIG, 5_000),
        ];
        // The 2002 lab prefers the default, the others prefer min_split 64.
        let records = vec![
            rec("malloclab-2002/x", d, 0.10, 100.0, 0),
            rec("malloclab-2002/x", other, 0.30, 100.0, 0),
            rec("malloclab-2002/y", d, 0.10, 100.0, 0),
            rec("malloclab-2002/y", other, 0.30, 100.0, 0),
            rec("malloclab-2016/z", d, 0.20, 100.0, 0),
            rec("malloclab-2016/z", other, 0.15, 100.0, 0),
            rec("s", d, 0.20, 100.0, 0),
            rec("s", other, 0.15, 100.0, 0),
        ];
        let o = analyse(&items, &grid, &records).unwrap();
        let cv = &o.cross_validation;
        let names: Vec<&str> = cv.folds.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["malloclab-2002", "malloclab-2016", "synthetic"]);
        assert_eq!(cv.scored, 3);
        // Held out, the 2002 lab gets min_split 64 (chosen on the other two): regret 0.2.
        let f = &cv.folds[0];
        assert_eq!((f.chosen, f.best), (Some(1), Some(0)));
        assert!((f.regret.unwrap() - 0.2).abs() < 1e-12);
        // The others get the default (the 2002 lab outweighs the remaining fold).
        assert_eq!(cv.folds[1].chosen, Some(0));
        assert_eq!(o.recommended, 0);
        assert_eq!(cv.agree, 2);
    }

    #[test]
    fn mismatched_records_are_an_error() {
        let items = vec![item("a", Source::Synthetic, BIG, 5_000)];
        let err = analyse(&items, &[PoolVariant::default()], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("0 records"), "{err}");
    }

    #[test]
    fn the_front_keeps_only_undominated_configurations() {
        let frag = [0.2, 0.1, 0.3, 0.1];
        let speed = [Some(2.0), Some(1.0), Some(3.0), None];
        assert_eq!(pareto_front(&frag, &speed), [2, 0, 1]);
        assert_eq!(pareto_front(&[0.1, 0.2], &[Some(2.0), Some(1.0)]), [0]);
    }
}
