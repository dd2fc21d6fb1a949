//! segfit's place in the deterministic benchmark gate: the set of allocators the gate counts
//! and measures for this example ([`set`]), used by the crate's two programs (`src/bin/`) and
//! its gungraun benchmarks (`benches/callgrind.rs`). `benches/compare.sh --deterministic
//! --package segfit-gate BASE [HEAD]` gates them.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use deterministic::GateSet;
use workloads::AdapterSpec;

/// segfit beside the default pool (and `baseline`, which every set counts): a set small
/// enough for CI, with the pool as the control that must not move when only segfit changes.
#[must_use]
pub fn set() -> GateSet {
    GateSet::new(vec![
        bring_your_own::entry(),
        AdapterSpec::default_pool().into(),
    ])
    .expect("segfit's name is its own")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_set_has_segfit_and_the_pool() {
        let names: Vec<String> = super::set()
            .counted()
            .iter()
            .map(workloads::suite::AllocatorEntry::name)
            .collect();
        assert_eq!(names, ["segfit", "mempool", "baseline"]);
    }
}
