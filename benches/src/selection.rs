//! Which workloads and allocators the benchmarks run: the criterion `workloads` harness and
//! the deterministic gate choose from here, and load through `workloads::suite`, so a
//! workload and an allocator have the same names (and regions) as in every other tool.
//!
//! The deterministic gate's set ([`gate_workload_names`] x [`gate_allocators`]) is CI-sized:
//!
//! - the recorded traces shipped with `workloads` of at most [`MAX_BUILTIN_OPS`] ops;
//! - the malloc-lab traces [`LAB_TRACES`] (from the shared traces folder; left out, with the
//!   suite's note, where there is none, as on a fresh CI runner);
//! - every synthetic shape of `workloads::generate::standard_suite`, at the suite's quick size;
//! - on every pool variant of [`pool_variants`] and every peer but `system` (see
//!   [`gate_allocators`]).

use std::collections::BTreeSet;

use workloads::generate;
use workloads::suite::{self, Item, Select, Source, SuiteSpec};
use workloads::{AdapterSpec, PoolVariant, SuiteError};

/// Recorded traces of the `workloads` crate longer than this many ops are left out: the
/// criterion harness times each for 14 allocators, the gate counts each under callgrind.
pub const MAX_BUILTIN_OPS: u64 = 60_000;

/// malloc-lab traces recorded from real programs, by their suite names.
pub const LAB_TRACES: &[&str] = &[
    "malloclab-2002/amptjp-bal",
    "malloclab-2002/cccp-bal",
    "malloclab-2016/cbit-abs",
];

/// The names of the recorded traces shipped with `workloads` of at most [`MAX_BUILTIN_OPS`]
/// ops, shortest first.
///
/// # Errors
/// [`SuiteError`] when a shipped trace cannot be read.
pub fn short_builtin_names() -> Result<Vec<String>, SuiteError> {
    let all = suite::load(&SuiteSpec {
        synthetic: Vec::new(),
        shared: false,
        ..SuiteSpec::default()
    })?;
    let mut short: Vec<Item> = all
        .items
        .into_iter()
        .filter(|i| i.stats.ops <= MAX_BUILTIN_OPS)
        .collect();
    short.sort_by_key(|i| i.stats.ops);
    Ok(short.into_iter().map(|i| i.workload.name).collect())
}

/// A pool variant with one option changed from the seed's defaults.
fn pool(change: impl FnOnce(&mut PoolVariant)) -> AdapterSpec {
    let mut v = PoolVariant::default();
    change(&mut v);
    AdapterSpec::MemPool(v)
}

/// The pool variants: the default (`mempool`: fast engine; align 8, compact, split,
/// min_split 16), the default options on the reference engine (`mempool@reference`: the
/// seed's O(n) list walks), compact off, split off, min_split 32 to 256, align 16. A variant
/// that comes out equal to the default (should the default change, to min_split 32 say) is
/// left out: one name, one allocator.
#[must_use]
pub fn pool_variants() -> Vec<AdapterSpec> {
    let mut all = vec![
        AdapterSpec::default_pool(),
        AdapterSpec::Reference(PoolVariant::default()),
        pool(|v| v.compact = false),
        pool(|v| v.split = false),
        pool(|v| v.min_split = 32),
        pool(|v| v.min_split = 64),
        pool(|v| v.min_split = 128),
        pool(|v| v.min_split = 256),
        pool(|v| v.align = 16),
    ];
    let mut names = BTreeSet::new();
    all.retain(|spec| names.insert(spec.name()));
    all
}

/// The gate's allocators: [`pool_variants`], then the peers but `system`.
///
/// The system allocator is left out of the gate: it is the machine's (glibc's version comes
/// with the runner's image, not with this repository), it has no region, so no footprint and
/// no placement that means anything (its offsets are addresses), and its instruction counts
/// depend on everything else the process allocated before the replay (the trace reader, the
/// suite), so a change to the harness would move them while no allocator changed. The
/// pinned peers stay: their code changes only with their adapters and the compiler, so they
/// are the gate's control group.
#[must_use]
pub fn gate_allocators() -> Vec<AdapterSpec> {
    let mut all = pool_variants();
    all.extend(
        AdapterSpec::peers()
            .into_iter()
            .filter(|p| *p != AdapterSpec::System),
    );
    all
}

/// The suite the gate loads from, keeping `select`: the built-in traces, the standard
/// synthetic shapes and the shared traces folder, at the quick (CI) size.
#[must_use]
pub fn gate_spec(select: Select) -> SuiteSpec {
    SuiteSpec {
        quick: true,
        select,
        ..SuiteSpec::default()
    }
}

/// The names of the gate's workloads: [`short_builtin_names`], [`LAB_TRACES`], then the
/// synthetic shapes (`synthetic/<shape>`).
///
/// # Errors
/// [`SuiteError`] when a shipped trace cannot be read.
pub fn gate_workload_names() -> Result<Vec<String>, SuiteError> {
    let mut names = short_builtin_names()?;
    names.extend(LAB_TRACES.iter().map(|&n| n.to_owned()));
    // A generator's name may hold its size (`steady-state-n2000`): the quick one's.
    names.extend(
        generate::standard_suite()
            .iter()
            .map(|g| Source::Synthetic.workload_name(&g.scaled(suite::QUICK_DIVISOR).name())),
    );
    Ok(names)
}

/// The gate's workloads, loaded, with the suite's notes (a missing shared folder) and one
/// note per named workload the suite does not have.
///
/// # Errors
/// [`SuiteError`] when a trace cannot be read or a generator fails.
pub fn gate_workloads() -> Result<(Vec<Item>, Vec<String>), SuiteError> {
    let names = gate_workload_names()?;
    let mut loaded = suite::load(&gate_spec(Select::Named(names.clone())))?;
    let missing: Vec<String> = names
        .iter()
        .filter(|n| loaded.get(n).is_none())
        .map(|n| format!("{n}: not in the suite, left out"))
        .collect();
    loaded.notes.extend(missing);
    Ok((loaded.items, loaded.notes))
}

/// One workload of the gate's set, by name, reading or generating only that one.
///
/// # Errors
/// As [`suite::find_in`]: [`SuiteError::Unknown`] when the gate's suite has no such workload.
pub fn gate_workload(name: &str) -> Result<Item, SuiteError> {
    suite::find_in(&gate_spec(Select::All), name)
}

/// The name of one benchmark of the gate: `<workload>/<allocator>`.
#[must_use]
pub fn benchmark_name(workload: &str, allocator: &str) -> String {
    format!("{workload}/{allocator}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gate_set_loads_and_names_its_allocators_uniquely() {
        let names = gate_workload_names().unwrap();
        assert!(names.iter().any(|n| n == "xz-compress"), "{names:?}");
        let (items, _) = gate_workloads().unwrap();
        // Every synthetic shape is there, under its quick name.
        let synthetic = items
            .iter()
            .filter(|i| i.source == Source::Synthetic)
            .count();
        assert_eq!(synthetic, generate::standard_suite().len());
        assert!(items.iter().all(|i| names.contains(&i.workload.name)));
        let fifo = gate_workload("synthetic/fifo").unwrap();
        let full = suite::find("synthetic/fifo").unwrap();
        assert!(fifo.stats.ops < full.stats.ops, "quick size");
        let allocators: Vec<String> = gate_allocators().iter().map(AdapterSpec::name).collect();
        let mut unique = allocators.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), allocators.len());
        assert!(!allocators.iter().any(|a| a == "system"));
        assert!(gate_workload("no/such/workload")
            .unwrap_err()
            .to_string()
            .contains("no/such/workload"));
    }
}
