//! Which allocators the deterministic gate measures: the workbench's own set
//! ([`GateSet::builtin`]) or one a user's crate registers ([`GateSet::new`], with its
//! [`AllocatorEntry`]s), and how a name on `replay_counted`'s command line finds its
//! allocator in it. The workloads are the same for every set (`benches::selection`).
//!
//! A user's crate gates its allocator with three short files (see
//! `examples/bring-your-own/`): a binary calling [`crate::programs::replay_counted`] and one
//! calling [`crate::programs::figures`], each with its set, and a gungraun benchmark calling
//! [`crate::callgrind::benchmarks`] with the same set; `benches/compare.sh --deterministic
//! --package <its package>` then gates it as it gates the workbench.

use benches::selection;
use workloads::suite::{check_names, AllocatorEntry};
use workloads::{AdapterSpec, SuiteError};

/// The allocators of one deterministic gate, each under its one name.
#[derive(Debug, Clone)]
pub struct GateSet {
    entries: Vec<AllocatorEntry>,
}

impl GateSet {
    /// Exactly these allocators (a user's, beside whichever built-in ones it wants to be seen
    /// with).
    ///
    /// # Errors
    /// [`SuiteError::AllocatorName`] when two entries share a name, or a user's allocator
    /// takes a built-in one's ([`check_names`]).
    pub fn new(entries: Vec<AllocatorEntry>) -> Result<Self, SuiteError> {
        check_names(&entries)?;
        Ok(Self { entries })
    }

    /// The workbench's own set: [`selection::gate_allocators`] (the pool variants and the
    /// peers but `system`).
    #[must_use]
    pub fn builtin() -> Self {
        Self {
            entries: selection::gate_allocators()
                .into_iter()
                .map(AllocatorEntry::from)
                .collect(),
        }
    }

    /// The allocators whose fragmentation and placement figures the gate compares: all of
    /// them.
    #[must_use]
    pub fn measured(&self) -> &[AllocatorEntry] {
        &self.entries
    }

    /// The allocators counted under callgrind: all but the pool's reference engine, then
    /// `baseline`.
    ///
    /// The reference engine is the seed's O(n) list walks, kept as the fast engine's oracle:
    /// its speed is nobody's, and its counts would be a sixth of the gate's time. Its
    /// fragmentation and placement figures stay in the gate (its placement must be the fast
    /// engine's). `baseline` (a counter that ignores frees) is the floor of a call through
    /// the adapter interface: what every allocator's count holds besides its own work.
    #[must_use]
    pub fn counted(&self) -> Vec<AllocatorEntry> {
        let mut all: Vec<AllocatorEntry> = self
            .entries
            .iter()
            .filter(|e| !matches!(e.spec(), Some(AdapterSpec::Reference(_))))
            .copied()
            .collect();
        let baseline = AllocatorEntry::from(AdapterSpec::Baseline);
        if !all.contains(&baseline) {
            all.push(baseline);
        }
        all
    }

    /// The allocator a benchmark names: an entry of this set by its name, or `baseline`
    /// (counted in every set).
    ///
    /// # Errors
    /// A message naming `name` and the set's allocators when it is neither.
    pub fn find(&self, name: &str) -> Result<AllocatorEntry, String> {
        self.counted()
            .into_iter()
            .chain(self.entries.iter().copied())
            .find(|e| e.name() == name)
            .ok_or_else(|| {
                let names: Vec<String> = self.entries.iter().map(AllocatorEntry::name).collect();
                format!(
                    "no allocator {name:?} in this gate's set ({} and baseline)",
                    names.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_set_counts_all_but_the_reference_engine_and_adds_baseline() {
        let set = GateSet::builtin();
        let measured: Vec<String> = set.measured().iter().map(AllocatorEntry::name).collect();
        let counted: Vec<String> = set.counted().iter().map(AllocatorEntry::name).collect();
        assert!(measured.iter().any(|n| n == "mempool@reference"));
        assert!(!counted.iter().any(|n| n == "mempool@reference"));
        assert_eq!(counted.len(), measured.len());
        assert_eq!(counted.last().map(String::as_str), Some("baseline"));
        assert_eq!(set.find("talc").unwrap().name(), "talc");
        assert_eq!(set.find("baseline").unwrap().name(), "baseline");
        let e = set.find("segfit").unwrap_err();
        assert!(e.contains("\"segfit\"") && e.contains("talc"), "{e}");
    }

    #[test]
    fn a_set_of_its_own_is_checked_for_names() {
        let pool = AllocatorEntry::from(AdapterSpec::default_pool());
        let set = GateSet::new(vec![pool]).unwrap();
        assert_eq!(set.measured().len(), 1);
        assert_eq!(set.counted().len(), 2);
        assert!(set.find("talc").is_err());
        let twice = GateSet::new(vec![pool, pool]).unwrap_err().to_string();
        assert!(twice.contains("mempool"), "{twice}");
    }
}
