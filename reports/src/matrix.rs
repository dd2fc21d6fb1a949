//! What runs: the report's variant matrix and peers, and the tuning grid.

use workloads::{AdapterSpec, PoolVariant};

/// The split thresholds swept, log-spaced from the smallest valid value (9) to 1024.
pub const MIN_SPLITS: [u32; 8] = [9, 16, 32, 64, 128, 256, 512, 1024];

/// The thresholds swept by `--quick`.
pub const QUICK_MIN_SPLITS: [u32; 5] = [9, 16, 64, 256, 1024];

/// Alignments swept by `tune`.
pub const ALIGNS: [u32; 3] = [8, 16, 32];

/// Alignments swept by `tune --quick`.
pub const QUICK_ALIGNS: [u32; 2] = [8, 16];

/// The pool with `min_split`, `compact`, `split` and `align` set.
#[must_use]
pub fn variant(min_split: u32, compact: bool, split: bool, align: u32) -> PoolVariant {
    PoolVariant {
        align,
        compact,
        split,
        min_split,
    }
}

/// The report's pool variants: the default, each switch flipped, a larger threshold or two
/// and a wider alignment.
#[must_use]
pub fn report_variants(quick: bool) -> Vec<PoolVariant> {
    let d = PoolVariant::default();
    let mut v = vec![
        d,
        PoolVariant {
            compact: false,
            ..d
        },
        PoolVariant { split: false, ..d },
        PoolVariant { min_split: 64, ..d },
    ];
    if !quick {
        v.push(PoolVariant {
            min_split: 256,
            ..d
        });
    }
    v.push(PoolVariant { align: 16, ..d });
    v
}

/// The report's allocators: the pool variants, the default pool on its reference engine (the
/// seed's list walks: same placement, so only its speed differs), the peers, and `baseline`
/// (the replay loop's own cost; speed and latency only).
#[must_use]
pub fn report_allocators(quick: bool) -> Vec<AdapterSpec> {
    let mut all: Vec<AdapterSpec> = report_variants(quick)
        .into_iter()
        .map(AdapterSpec::MemPool)
        .collect();
    all.push(AdapterSpec::Reference(PoolVariant::default()));
    all.extend(AdapterSpec::peers());
    all.push(AdapterSpec::Baseline);
    all
}

/// The tuning grid: every threshold with `split` on, and one entry with `split` off (where
/// the threshold does nothing), for each `compact` and alignment.
#[must_use]
pub fn grid(min_splits: &[u32], aligns: &[u32]) -> Vec<PoolVariant> {
    let d = PoolVariant::default();
    let mut out = Vec::new();
    for &align in aligns {
        for compact in [true, false] {
            for &m in min_splits {
                out.push(variant(m, compact, true, align));
            }
            out.push(variant(d.min_split, compact, false, align));
        }
    }
    out
}

/// `v` with the threshold made canonical: with `split` off it has no effect, so it is the
/// default's.
#[must_use]
pub fn canonical(v: PoolVariant) -> PoolVariant {
    if v.split {
        v
    } else {
        PoolVariant {
            min_split: PoolVariant::default().min_split,
            ..v
        }
    }
}

/// A short description of the options: `min_split 16, compact on, split on, align 8`
/// (`min_split —` when split is off).
#[must_use]
pub fn describe(v: &PoolVariant) -> String {
    let on = |b: bool| if b { "on" } else { "off" };
    let ms = if v.split {
        v.min_split.to_string()
    } else {
        "—".to_owned()
    };
    format!(
        "min_split {ms}, compact {}, split {}, align {}",
        on(v.compact),
        on(v.split),
        v.align
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_has_no_duplicates_and_holds_the_default() {
        let g = grid(&MIN_SPLITS, &ALIGNS);
        assert_eq!(g.len(), ALIGNS.len() * 2 * (MIN_SPLITS.len() + 1));
        for (i, a) in g.iter().enumerate() {
            assert!(!g[i + 1..].contains(a), "{a:?} twice");
        }
        assert!(g.contains(&PoolVariant::default()));
        assert!(g.iter().all(|v| canonical(*v) == *v));
    }

    #[test]
    fn the_matrix_starts_with_the_default_pool() {
        for quick in [false, true] {
            let m = report_allocators(quick);
            assert_eq!(m[0], AdapterSpec::default_pool());
            assert!(m.contains(&AdapterSpec::System));
            assert!(m.contains(&AdapterSpec::Reference(PoolVariant::default())));
            assert_eq!(m.last(), Some(&AdapterSpec::Baseline));
        }
        assert_eq!(
            describe(&variant(9, false, false, 16)),
            "min_split —, compact off, split off, align 16"
        );
    }
}
