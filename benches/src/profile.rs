//! The two run profiles and the seeds every harness uses.
//!
//! - **full** (the default): what `cargo bench -p benches` runs; sized so the whole run
//!   stays within about ten minutes on a 2-core machine.
//! - **quick** (`BENCH_QUICK=1`): shorter warm-up and measurement, fewer scaling points;
//!   for CI smoke runs and quick looks. Numbers from it are noisier.
//!
//! Criterion's own `--quick` flag also works with either profile (it stops sampling once the
//! estimate settles); `compare.sh` does not use it, because its two-point estimates give the
//! regression gate too little to go on.

use std::time::Duration;

/// Environment variable that selects the quick profile (`1`, `true` or `yes`).
pub const QUICK_ENV: &str = "BENCH_QUICK";

/// Seeds: every random input of the benchmarks derives from one of these, so two runs (and
/// two revisions in `compare.sh`) measure the same inputs.
pub mod seeds {
    /// Synthetic workloads of the `workloads` harness: `workloads::suite::SEED`, which
    /// generates them (so they are the workloads every tool replays under the same names;
    /// the harness asserts the two are equal: this crate's library does not depend on
    /// `workloads`).
    pub const WORKLOADS: u64 = 1;
    /// Live-block sizes and victim choice of the `scaling` harness.
    pub const SCALING: u64 = 0x5eed_0002;
    /// Pool states of the `api` harness.
    pub const API: u64 = 0x5eed_0003;
}

/// Which profile a run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// The default profile.
    Full,
    /// `BENCH_QUICK=1`.
    Quick,
}

/// Criterion settings for one benchmark group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Warm-up time.
    pub warm_up: Duration,
    /// Measurement time (criterion's target; long routines may exceed it).
    pub measurement: Duration,
    /// Samples per benchmark (criterion's minimum is 10).
    pub samples: usize,
}

impl Profile {
    /// The profile `BENCH_QUICK` selects.
    #[must_use]
    pub fn from_env() -> Self {
        match std::env::var(QUICK_ENV) {
            Ok(v) if matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes") => {
                Self::Quick
            }
            _ => Self::Full,
        }
    }

    /// `full` or `quick`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Quick => "quick",
        }
    }

    /// Whether this is the quick profile.
    #[must_use]
    pub fn is_quick(self) -> bool {
        self == Self::Quick
    }

    /// Bootstrap resamples for criterion's confidence intervals (its default, 100,000, costs
    /// more analysis time than the short measurements here are worth).
    #[must_use]
    pub fn resamples(self) -> usize {
        match self {
            Self::Full => 20_000,
            Self::Quick => 5_000,
        }
    }

    /// Settings for whole-trace replays (milliseconds per iteration).
    #[must_use]
    pub fn replay(self) -> Timing {
        self.timing(10)
    }

    /// Settings for the scaling pairs (nanoseconds to a millisecond per iteration).
    #[must_use]
    pub fn scaling(self) -> Timing {
        self.timing(20)
    }

    /// Settings for single API calls (nanoseconds per iteration, plus an untimed setup).
    #[must_use]
    pub fn api(self) -> Timing {
        self.timing(30)
    }

    /// The full profile's 0.3 s warm-up and 1 s measurement with `full_samples` samples,
    /// or the quick profile's 0.1 s / 0.3 s with 10 samples.
    fn timing(self, full_samples: usize) -> Timing {
        match self {
            Self::Full => Timing {
                warm_up: Duration::from_millis(300),
                measurement: Duration::from_millis(1_000),
                samples: full_samples,
            },
            Self::Quick => Timing {
                warm_up: Duration::from_millis(100),
                measurement: Duration::from_millis(300),
                samples: 10,
            },
        }
    }

    /// Live-block counts of the scaling curves: log-spaced (half decades) from 100 to
    /// 100,000 in the full profile, decades in the quick one.
    #[must_use]
    pub fn scaling_points(self) -> &'static [usize] {
        match self {
            Self::Full => &[100, 316, 1_000, 3_162, 10_000, 31_623, 100_000],
            Self::Quick => &[100, 1_000, 10_000, 100_000],
        }
    }
}
