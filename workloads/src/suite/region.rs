//! The region rule: how large a region every allocator gets for a workload. One rule, used
//! by the report, `tune`, `replay`, the benchmarks and the examples, so that a workload fails
//! (or not) the same way in every tool.

use crate::op::WorkloadStats;

/// The largest region a replay gets: the pool addresses at most 4 GiB.
pub const MAX_REGION: u64 = 1 << 32;

/// Headroom added to every region, in bytes (1 MiB): room for the allocators' own metadata
/// and growth granules on tiny workloads.
pub const REGION_HEADROOM: u64 = 1 << 20;

/// How many times the peak live payload a region holds.
pub const REGION_FACTOR: u64 = 16;

/// The region for a workload: [`REGION_FACTOR`] times its peak live payload plus
/// [`REGION_HEADROOM`], at most [`MAX_REGION`]. Large enough that no allocator of the report
/// runs out on the standard suite (one that does is counted as failing on that workload),
/// small enough that a lost block shows. Regions are reserved lazily, so an untouched part
/// costs nothing.
#[must_use]
pub fn capacity_for(stats: &WorkloadStats) -> u64 {
    stats
        .peak_live_bytes
        .saturating_mul(REGION_FACTOR)
        .saturating_add(REGION_HEADROOM)
        .min(MAX_REGION)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_sixteen_peaks_plus_a_mebibyte_at_most_four_gibibytes() {
        let mut s = WorkloadStats {
            peak_live_bytes: 100,
            ..WorkloadStats::default()
        };
        assert_eq!(capacity_for(&s), 1600 + (1 << 20));
        s.peak_live_bytes = 1 << 40;
        assert_eq!(capacity_for(&s), MAX_REGION);
        s.peak_live_bytes = u64::MAX;
        assert_eq!(capacity_for(&s), MAX_REGION);
    }
}
