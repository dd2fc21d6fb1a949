//! Fragmentation and utilisation: Johnstone & Wilson's measures #1–#4 (with #4 split into
//! header/alignment overhead and policy fragmentation), malloc-lab utilisation, failures and
//! ops per second. `workloads/README.md` states the formulas.
//!
//! Time is counted in ops: after every op the replay feeds the [`Tracker`] three numbers,
//! `L` (live requested bytes), `B` (live block bytes: what the live blocks occupy, headers,
//! padding and unsplit remainders included) and `H` (the heap's extent).

#![forbid(unsafe_code)]

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Running sums and peaks of `L`, `B` and `H` over a replay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tracker {
    ops: u64,
    sum_live: u128,
    sum_extent: u128,
    peak_live: u64,
    extent_at_peak_live: u64,
    peak_extent: u64,
    live_at_peak_extent: u64,
    peak_block: u64,
    extent_known: bool,
    block_known: bool,
}

impl Tracker {
    /// A tracker; `extent_known` / `block_known` say whether the allocator reports `H` / `B`.
    #[must_use]
    pub fn new(extent_known: bool, block_known: bool) -> Self {
        Self {
            extent_known,
            block_known,
            ..Self::default()
        }
    }

    /// Records the state after one op.
    pub fn observe(&mut self, live: u64, block: u64, extent: u64) {
        self.ops += 1;
        self.sum_live += u128::from(live);
        self.sum_extent += u128::from(extent);
        // #2 looks at the first point of maximal live memory.
        if live > self.peak_live {
            self.peak_live = live;
            self.extent_at_peak_live = extent;
        }
        // #3 looks at the point of maximal heap; among ties, the one with the most live
        // memory (a heap that never shrinks stays at its peak while it fills up).
        if extent > self.peak_extent
            || (extent == self.peak_extent && live > self.live_at_peak_extent)
        {
            self.peak_extent = extent;
            self.live_at_peak_extent = live;
        }
        self.peak_block = self.peak_block.max(block);
    }

    /// Marks block bytes as unknown (an allocator could not report them).
    pub fn forget_blocks(&mut self) {
        self.block_known = false;
    }

    /// Largest live requested bytes so far.
    #[must_use]
    pub fn peak_live(&self) -> u64 {
        self.peak_live
    }

    /// Largest extent so far, when known.
    #[must_use]
    pub fn peak_extent(&self) -> Option<u64> {
        self.extent_known.then_some(self.peak_extent)
    }

    /// Largest live block bytes so far, when known.
    #[must_use]
    pub fn peak_block(&self) -> Option<u64> {
        self.block_known.then_some(self.peak_block)
    }
}

/// The measures of one replay. A measure is `None` when the allocator cannot report what it
/// needs (the system allocator has no extent) or the workload never has live memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// malloc-lab utilisation: peak live payload / footprint (`max L / max H`).
    pub utilisation: Option<f64>,
    /// J&W #1: memory used relative to memory requested, averaged over time:
    /// `mean(H) / mean(L) - 1`.
    pub frag1: Option<f64>,
    /// J&W #2: at the point of maximal live memory: `H / L - 1`.
    pub frag2: Option<f64>,
    /// J&W #3: at the point of maximal heap: `H / L - 1`.
    pub frag3: Option<f64>,
    /// J&W #4: peak heap relative to peak live memory: `max H / max L - 1`.
    pub frag4: Option<f64>,
    /// The part of #4 due to headers, alignment and unsplit remainders:
    /// `(max B - max L) / max L`.
    pub frag4_overhead: Option<f64>,
    /// The part of #4 due to the placement policy (free space in the heap):
    /// `(max H - max B) / max L`.
    pub frag4_policy: Option<f64>,
    /// `max L`: peak live requested bytes.
    pub peak_live_bytes: u64,
    /// `max B`: peak live block bytes.
    pub peak_block_bytes: Option<u64>,
    /// `max H`: the footprint.
    pub footprint: Option<u64>,
    /// Requests the allocator could not satisfy.
    pub failures: u64,
    /// Ops per second of the timed run.
    pub ops_per_sec: Option<f64>,
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

impl Metrics {
    /// The measures from a tracker (`None` when the replay tracked nothing), the failure
    /// count, and the timed ops.
    #[must_use]
    pub fn compute(tracker: Option<&Tracker>, failures: u64, ops: u64, elapsed: Duration) -> Self {
        let secs = elapsed.as_secs_f64();
        let mut m = Self {
            failures,
            ops_per_sec: ratio(ops as f64, secs),
            ..Self::default()
        };
        let Some(t) = tracker else { return m };
        m.peak_live_bytes = t.peak_live;
        m.peak_block_bytes = t.peak_block();
        m.footprint = t.peak_extent();
        let live = t.peak_live as f64;
        if let Some(h) = m.footprint {
            let h = h as f64;
            m.utilisation = ratio(live, h);
            m.frag1 = ratio(t.sum_extent as f64, t.sum_live as f64).map(|r| r - 1.0);
            m.frag2 = ratio(t.extent_at_peak_live as f64, live).map(|r| r - 1.0);
            m.frag3 = ratio(h, t.live_at_peak_extent as f64).map(|r| r - 1.0);
            m.frag4 = ratio(h, live).map(|r| r - 1.0);
            if let Some(b) = m.peak_block_bytes {
                m.frag4_policy = ratio(h - b as f64, live);
            }
        }
        if let Some(b) = m.peak_block_bytes {
            m.frag4_overhead = ratio(b as f64 - live, live);
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_follow_their_formulas() {
        let mut t = Tracker::new(true, true);
        // (L, B, H) after each op.
        for (l, b, h) in [
            (10, 16, 40),
            (30, 48, 80),
            (20, 32, 80),
            (25, 40, 80),
            (0, 0, 64),
        ] {
            t.observe(l, b, h);
        }
        let m = Metrics::compute(Some(&t), 2, 5, Duration::from_millis(10));
        let close = |a: Option<f64>, b: f64| (a.unwrap() - b).abs() < 1e-12;
        assert!(close(m.utilisation, 30.0 / 80.0));
        assert!(close(m.frag1, 344.0 / 85.0 - 1.0));
        assert!(close(m.frag2, 80.0 / 30.0 - 1.0));
        assert!(close(m.frag3, 80.0 / 30.0 - 1.0));
        assert!(close(m.frag4, 80.0 / 30.0 - 1.0));
        assert!(close(m.frag4_overhead, 18.0 / 30.0));
        assert!(close(m.frag4_policy, 32.0 / 30.0));
        assert!(close(
            m.frag4,
            m.frag4_overhead.unwrap() + m.frag4_policy.unwrap()
        ));
        assert!(close(m.ops_per_sec, 500.0));
        assert_eq!(m.failures, 2);
        assert_eq!(m.footprint, Some(80));
    }

    #[test]
    fn unknown_extent_leaves_heap_measures_empty() {
        let mut t = Tracker::new(false, false);
        t.observe(10, 0, 0);
        let m = Metrics::compute(Some(&t), 0, 1, Duration::ZERO);
        assert_eq!(m.peak_live_bytes, 10);
        assert_eq!(
            (m.utilisation, m.frag1, m.frag4_overhead),
            (None, None, None)
        );
        assert_eq!(m.ops_per_sec, None);
    }
}
