//! The tuning outcome in words and tables: the recommendation with its margin and held-out
//! regret, the evidence, the cross-validation, the Pareto front and the disagreeing
//! workloads. Read by `tune.md`, the report's summary and its page.

use std::fmt::Write as _;

use workloads::aggregate::SMALL_HEAP_FLOOR;

use crate::table::Table;
use crate::tune::{Outcome, Score, TIE};
use crate::units;

fn pct(v: f64) -> String {
    units::percent(v)
}

fn pct2(v: f64) -> String {
    format!("{:.2} %", v * 100.0)
}

fn pp(v: f64) -> String {
    format!("{:+.2} percentage points", v * 100.0)
}

/// A score's throughput: `1.23× (1.10–1.40), faster` or `n/a`.
fn speed(s: &Score) -> String {
    match (s.throughput, s.verdict) {
        (Some(t), Some(v)) => format!("{}, {}", units::ratio_interval(&t), units::speed_verdict(v)),
        _ => "n/a".to_owned(),
    }
}

impl Outcome {
    /// Configuration `i`'s label, marked when it is the recommendation, today's default or
    /// (with `pareto`) on the Pareto front.
    fn marked_label(&self, i: usize, pareto: bool) -> String {
        let mut label = self.scores[i].label.clone();
        if i == self.recommended {
            label.push_str(" (recommended)");
        }
        if Some(i) == self.default {
            label.push_str(" (today's default)");
        }
        if pareto && self.pareto.contains(&i) {
            label.push_str(" (Pareto)");
        }
        label
    }

    /// What the fragmentation scores are over, in words.
    #[must_use]
    pub fn headline_description(&self) -> String {
        if self.headline_is_large {
            format!(
                "the geometric mean of footprint / peak live (as a #4) over the {} compared workloads with at least {} live",
                self.headline.len(),
                units::bytes(SMALL_HEAP_FLOOR as f64)
            )
        } else {
            format!(
                "the geometric mean of footprint / peak live (as a #4) over all {} compared workloads (none has {} live)",
                self.headline.len(),
                units::bytes(SMALL_HEAP_FLOOR as f64)
            )
        }
    }

    /// The recommendation in one paragraph: its scores, its margin over today's default, and
    /// how it fares on held-out folds.
    #[must_use]
    pub fn recommendation(&self) -> String {
        let r = &self.scores[self.recommended];
        let mut s = format!(
            "Recommended: {} — fragmentation {} (median #4 {}), {}.",
            r.label,
            pct(r.fragmentation.geo_frag4),
            pct(r.fragmentation.median_frag4),
            self.headline_description(),
        );
        if Some(self.recommended) != self.default {
            let _ = write!(
                s,
                " Throughput {} relative to today's default (geometric mean over {} timed workloads, 95 % interval).",
                speed(r),
                self.timed.len()
            );
        }
        match self.default {
            Some(d) if d == self.recommended => {
                s.push_str(" It is today's default (16 / true / true, align 8): no configuration of the grid leaves less fragmentation by more than 0.01 percentage points.");
                let tied: Vec<&str> = self
                    .by_fragmentation
                    .iter()
                    .filter(|&&i| {
                        i != d
                            && self.scores[i].fragmentation.geo_frag4
                                <= r.fragmentation.geo_frag4 + TIE
                    })
                    .map(|&i| self.scores[i].label.as_str())
                    .collect();
                if !tied.is_empty() {
                    let _ = write!(s, " Tied with it: {}.", tied.join("; "));
                }
                if let Some(&next) = self.by_fragmentation.iter().find(|&&i| {
                    self.scores[i].fragmentation.geo_frag4 > r.fragmentation.geo_frag4 + TIE
                }) {
                    let n = &self.scores[next];
                    let _ = write!(
                        s,
                        " Margin: the best configuration that differs, {}, leaves {} ({}).",
                        n.label,
                        pct(n.fragmentation.geo_frag4),
                        pp(n.fragmentation.geo_frag4 - r.fragmentation.geo_frag4)
                    );
                }
            }
            Some(d) => {
                let dd = &self.scores[d];
                let _ = write!(
                    s,
                    " Margin over today's default ({}): {} against {} ({}).",
                    dd.label,
                    pct(r.fragmentation.geo_frag4),
                    pct(dd.fragmentation.geo_frag4),
                    pp(r.fragmentation.geo_frag4 - dd.fragmentation.geo_frag4),
                );
            }
            None => s.push_str(" (Today's default is not in this grid.)"),
        }
        s.push(' ');
        s.push_str(&self.held_out());
        s
    }

    /// The cross-validation in one sentence.
    #[must_use]
    pub fn held_out(&self) -> String {
        let cv = &self.cross_validation;
        match (cv.mean_regret, cv.max_regret) {
            (Some(mean), Some(max)) => format!(
                "Held out by source ({} folds scored): choosing on the other folds alone gives a regret on the held-out fold of {} on average and {} at most, and {} of {} folds choose the recommendation.",
                cv.scored,
                pp(mean),
                pp(max),
                cv.agree,
                cv.scored
            ),
            _ => "Held out by source: no fold could be scored (the headline workloads come from one source), so nothing says whether the recommendation holds on other workloads.".to_owned(),
        }
    }

    /// The evidence table: the `top` configurations by fragmentation (all when `None`), plus
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
                "rank",
                "configuration",
                "fragmentation (geo. mean #4)",
                "median #4",
                "mean policy",
                "mean overhead",
                "wins",
                "throughput vs default (95 % interval)",
                "rank by speed",
                "failed requests (all workloads)",
            ],
            &[true, false, true, true, true, true, true, true, true, true],
        );
        for i in rows {
            let s = &self.scores[i];
            let label = self.marked_label(i, true);
            let f = &s.fragmentation;
            t.push(vec![
                s.frag_rank.to_string(),
                label,
                pct(f.geo_frag4),
                pct(f.median_frag4),
                pct(f.mean_policy),
                pct(f.mean_overhead),
                f.wins.to_string(),
                speed(s),
                s.speed_rank.to_string(),
                s.failures.to_string(),
            ]);
        }
        t
    }

    /// One row per fold: the configuration chosen on the others, the fold's own best, and
    /// the regret.
    #[must_use]
    pub fn cross_validation_table(&self) -> Table {
        let mut t = Table::new(
            &[
                "held-out fold",
                "headline workloads",
                "chosen on the other folds",
                "the fold's own best",
                "regret on the fold",
            ],
            &[false, true, false, false, true],
        );
        let label =
            |i: Option<usize>| i.map_or_else(|| "—".to_owned(), |i| self.scores[i].label.clone());
        for f in &self.cross_validation.folds {
            t.push(vec![
                f.name.clone(),
                f.workloads.to_string(),
                label(f.chosen),
                label(f.best),
                f.regret.map_or_else(
                    || "not scored (no headline workload in it, or none outside)".to_owned(),
                    |r| format!("{:.2} pp", r * 100.0),
                ),
            ]);
        }
        t
    }

    /// The Pareto front, fastest first.
    #[must_use]
    pub fn pareto_table(&self) -> Table {
        let mut t = Table::new(
            &[
                "configuration",
                "fragmentation",
                "throughput vs default (95 % interval)",
            ],
            &[false, true, true],
        );
        for &i in &self.pareto {
            let s = &self.scores[i];
            t.push(vec![
                self.marked_label(i, false),
                pct(s.fragmentation.geo_frag4),
                speed(s),
            ]);
        }
        t
    }

    /// A sentence about the disagreeing workloads, and one line per such workload.
    #[must_use]
    pub fn disagreement_lines(&self) -> (String, Vec<String>) {
        if self.disagreements.is_empty() {
            return (
                "No headline workload disagrees: every one has its lowest #4 under the recommendation (or ties with it).".to_owned(),
                Vec::new(),
            );
        }
        let intro = format!(
            "{} of {} headline workloads disagree (their own best configuration has a lower #4 on them):",
            self.disagreements.len(),
            self.headline.len()
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
