//! What is replayed: the one place that decides which workloads a tool runs, what each is
//! called, and how large a region every allocator gets for it.
//!
//! The report, `tune`, `replay`, the benchmarks and the examples all build their workloads
//! here, so a workload has the same name, the same region and therefore the same failures in
//! every tool.
//!
//! - Sources ([`Source`]): the built-in recorded traces ([`crate::builtin`]), seeded synthetic
//!   generators ([`crate::generate`]), folders of `.rep` / `.rep.zst` traces (the shared
//!   malloc-lab folder by default, found by [`shared_traces_dir`]), single trace files of any
//!   format ([`read_any`]).
//! - Bad traces ([`BadTraces`]): a trace that cannot be read or parsed stops the load
//!   (the default) or is skipped and listed in [`Suite::skipped`] ([`Skipped`]: file, line,
//!   reason) while the rest loads; a suite left empty by skipping is an error.
//! - Names: [`Source::workload_name`] for workloads; for allocators `AdapterSpec::name`, and
//!   [`AllocatorEntry`], which also registers a user's region allocator under its own name
//!   ([`check_names`] refuses a clash).
//! - Regions: [`capacity_for`] (16 × peak live payload + 1 MiB, at most 4 GiB).
//! - CI size (`quick`): every generator at [`Generator::scaled`]`(`[`QUICK_DIVISOR`]`)`, and
//!   folder traces of more than [`QUICK_MAX_TRACE_OPS`] ops left out.
//!
//! ```
//! use workloads::suite::{self, SuiteSpec};
//!
//! let spec = SuiteSpec { shared: false, quick: true, ..SuiteSpec::default() };
//! let suite = suite::load(&spec)?;
//! assert!(suite.items.iter().any(|i| i.workload.name == "synthetic/fifo"));
//! assert!(suite.items.iter().all(|i| i.capacity == suite::capacity_for(&i.stats)));
//! # Ok::<(), workloads::SuiteError>(())
//! ```

#![forbid(unsafe_code)]

mod allocators;
mod region;
mod skipped;
mod source;
mod trace_files;

use std::path::{Path, PathBuf};

pub use self::allocators::{check_names, AllocatorEntry};
pub use self::region::{capacity_for, MAX_REGION, REGION_FACTOR, REGION_HEADROOM};
pub use self::skipped::{BadTraces, Skipped};
pub use self::source::Source;
use self::trace_files::list_trace_files;
pub use self::trace_files::{
    fallback_shared_traces_dir, is_rep_file, name_in, read_any, shared_traces_candidates,
    shared_traces_dir, trace_files, SHARED_TRACES_ENV,
};
use crate::builtin;
use crate::error::{SuiteError, TraceError};
use crate::generate::{self, Generator};
use crate::op::{Workload, WorkloadStats};
use crate::rep;

/// The seed of every synthetic workload of a suite (the same seed gives the same ops).
pub const SEED: u64 = 1;

/// What `quick` divides the generators' counts by.
pub const QUICK_DIVISOR: usize = 5;

/// Folder traces that `quick` keeps: at most this many ops each.
pub const QUICK_MAX_TRACE_OPS: u64 = 60_000;

/// The label of the shared traces folder in names and tables.
pub const SHARED_LABEL: &str = "shared/traces";

/// One workload of a suite, with what every tool needs to know about it.
#[derive(Debug, Clone)]
pub struct Item {
    /// The ops (named by [`Source::workload_name`]).
    pub workload: Workload,
    /// Where it came from.
    pub source: Source,
    /// Its counts and peaks.
    pub stats: WorkloadStats,
    /// The region every allocator gets for it, in bytes ([`capacity_for`]).
    pub capacity: u64,
}

impl Item {
    /// A suite entry for `workload`, with its stats and region computed.
    #[must_use]
    pub fn new(workload: Workload, source: Source) -> Self {
        let stats = workload.stats();
        Self {
            capacity: capacity_for(&stats),
            workload,
            source,
            stats,
        }
    }

    /// The group of workloads this one belongs to, for cross-validation (`tune` holds out one
    /// group at a time): `recorded programs` for the built-in traces, `synthetic`, the first
    /// folder of a shared trace's name (`malloclab-2002`, `malloclab-2016`), any other trace
    /// folder's label, a single file's path.
    #[must_use]
    pub fn fold(&self) -> String {
        match &self.source {
            Source::Recorded => "recorded programs".to_owned(),
            Source::Synthetic => "synthetic".to_owned(),
            Source::Folder(label) if label == SHARED_LABEL => self
                .workload
                .name
                .split_once('/')
                .map_or_else(|| label.clone(), |(first, _)| first.to_owned()),
            Source::Folder(label) | Source::File(label) => label.clone(),
        }
    }

    /// The region as a `usize` (saturating on 32-bit hosts).
    #[must_use]
    pub fn capacity_bytes(&self) -> usize {
        usize::try_from(self.capacity).unwrap_or(usize::MAX)
    }
}

/// A loaded suite and what was noticed while loading it.
#[derive(Debug, Clone, Default)]
pub struct Suite {
    /// The workloads, in order: built-in, synthetic, then folders and files as given.
    pub items: Vec<Item>,
    /// Remarks for the console and the report (a missing trace folder, traces left out).
    pub notes: Vec<String>,
    /// The trace folders read.
    pub folders: Vec<PathBuf>,
    /// The traces that could not be read or parsed and were left out, in the order met
    /// (only with [`BadTraces::Skip`]; with [`BadTraces::Stop`] the first one fails the load).
    pub skipped: Vec<Skipped>,
}

impl Suite {
    /// The item called `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.workload.name == name)
    }
}

/// Which workloads of the sources to keep. Applied to names before anything is read or
/// generated, so selecting one trace reads one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Select {
    /// Every workload.
    #[default]
    All,
    /// Only the workloads with exactly these names.
    Named(Vec<String>),
    /// Only the workloads whose names contain this text.
    Containing(String),
}

impl Select {
    /// Whether a workload called `name` is kept.
    #[must_use]
    pub fn keeps(&self, name: &str) -> bool {
        match self {
            Select::All => true,
            Select::Named(names) => names.iter().any(|n| n == name),
            Select::Containing(part) => name.contains(part.as_str()),
        }
    }
}

/// What to load.
#[derive(Debug, Clone)]
pub struct SuiteSpec {
    /// The built-in recorded traces.
    pub builtin: bool,
    /// The synthetic generators, at full size (`quick` scales them).
    pub synthetic: Vec<Generator>,
    /// Trace folders (searched recursively for `.rep` / `.rep.zst`) and single trace files of
    /// any format.
    pub traces: Vec<PathBuf>,
    /// With no `traces`, read the shared traces folder ([`shared_traces_dir`]) when there is
    /// one (a note says so when there is none).
    pub shared: bool,
    /// The CI size: generators at [`Generator::scaled`]`(`[`QUICK_DIVISOR`]`)`, folder traces
    /// of more than [`QUICK_MAX_TRACE_OPS`] ops left out.
    pub quick: bool,
    /// Which workloads to keep.
    pub select: Select,
    /// What a trace that cannot be read or parsed does: stop the load (the default) or be
    /// skipped into [`Suite::skipped`].
    pub bad_traces: BadTraces,
}

impl Default for SuiteSpec {
    /// The report's suite: built-in traces, the standard synthetic set
    /// ([`generate::standard_suite`]) and the shared traces folder, full size.
    fn default() -> Self {
        Self {
            builtin: true,
            synthetic: generate::standard_suite(),
            traces: Vec::new(),
            shared: true,
            quick: false,
            select: Select::All,
            bad_traces: BadTraces::Stop,
        }
    }
}

impl SuiteSpec {
    /// Every recorded trace (built-in and the shared folder's), no synthetic workloads: the
    /// suite of the throughput tables.
    #[must_use]
    pub fn traces_only() -> Self {
        Self {
            synthetic: Vec::new(),
            ..Self::default()
        }
    }
}

/// `name`, or `label/name` when `taken` already holds `name`; either way the result is
/// added to `taken`.
fn unique_name(taken: &mut Vec<String>, name: String, label: &str) -> String {
    let name = if taken.contains(&name) {
        format!("{label}/{name}")
    } else {
        name
    };
    taken.push(name.clone());
    name
}

/// `e` fails the load under [`BadTraces::Stop`]; under [`BadTraces::Skip`] it is recorded in
/// `suite.skipped` and loading goes on.
fn bad_trace(suite: &mut Suite, spec: &SuiteSpec, e: TraceError) -> Result<(), SuiteError> {
    match spec.bad_traces {
        BadTraces::Stop => Err(e.into()),
        BadTraces::Skip => {
            suite.skipped.push(Skipped::from(&e));
            Ok(())
        }
    }
}

/// Loads the suite `spec` asks for.
///
/// # Errors
/// [`SuiteError`]: a trace path that is neither a folder nor a file, a folder with no traces,
/// a damaged trace (naming the file and line) unless [`SuiteSpec::bad_traces`] skips it, an
/// invalid generator, or nothing left to run ([`SuiteError::AllSkipped`] when skipping left
/// nothing).
pub fn load(spec: &SuiteSpec) -> Result<Suite, SuiteError> {
    let mut suite = Suite::default();
    // Every name given so far, kept or not, so that a name does not depend on the selection.
    let mut taken = Vec::new();
    if spec.builtin {
        if builtin::TRACES.is_empty() {
            suite
                .notes
                .push("the workloads crate ships no built-in recorded traces".to_owned());
        }
        for t in builtin::TRACES {
            let name = Source::Recorded.workload_name(t.name);
            taken.push(name.clone());
            if spec.select.keeps(&name) {
                let mut w = t.load()?;
                w.name = name;
                suite.items.push(Item::new(w, Source::Recorded));
            }
        }
    }
    for g in &spec.synthetic {
        let g = if spec.quick {
            g.scaled(QUICK_DIVISOR)
        } else {
            g.clone()
        };
        let name = Source::Synthetic.workload_name(&g.name());
        taken.push(name.clone());
        if spec.select.keeps(&name) {
            let mut w = g.generate(SEED)?;
            w.name = name;
            suite.items.push(Item::new(w, Source::Synthetic));
        }
    }
    let (paths, labelled): (Vec<PathBuf>, bool) = if !spec.traces.is_empty() {
        (spec.traces.clone(), false)
    } else if spec.shared {
        match shared_traces_dir() {
            Some(dir) => (vec![dir], true),
            None => {
                suite.notes.push(format!(
                    "no shared traces folder found (looked in {}; set {SHARED_TRACES_ENV} or name trace folders): only the built-in and synthetic workloads are run",
                    looked_in()
                ));
                (Vec::new(), false)
            }
        }
    } else {
        (Vec::new(), false)
    };
    for path in &paths {
        if path.is_dir() {
            let label = if labelled {
                SHARED_LABEL.to_owned()
            } else {
                path.display().to_string()
            };
            load_folder(&mut suite, &mut taken, spec, path, &label)?;
            suite.folders.push(path.clone());
        } else if path.is_file() {
            let source = Source::File(path.display().to_string());
            let mut w = match read_any(path) {
                Ok(w) => w,
                Err(e) => {
                    bad_trace(&mut suite, spec, e)?;
                    continue;
                }
            };
            let label = path.display().to_string();
            w.name = unique_name(&mut taken, source.workload_name(&w.name), &label);
            if spec.select.keeps(&w.name) {
                suite.items.push(Item::new(w, source));
            }
        } else {
            return Err(SuiteError::NoSuchTraces {
                path: path.display().to_string(),
            });
        }
    }
    if suite.items.is_empty() {
        return Err(if suite.skipped.is_empty() {
            SuiteError::Empty
        } else {
            SuiteError::AllSkipped {
                skipped: suite.skipped,
            }
        });
    }
    Ok(suite)
}

/// The places searched for the shared traces folder, for messages.
fn looked_in() -> String {
    shared_traces_candidates()
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Adds the traces of `dir` to `suite`.
fn load_folder(
    suite: &mut Suite,
    taken: &mut Vec<String>,
    spec: &SuiteSpec,
    dir: &Path,
    label: &str,
) -> Result<(), SuiteError> {
    let (files, unlisted) = list_trace_files(dir);
    let listed = unlisted.is_empty();
    for e in unlisted {
        bad_trace(suite, spec, e)?;
    }
    if files.is_empty() && listed {
        return Err(SuiteError::EmptyFolder {
            path: dir.display().to_string(),
        });
    }
    let source = Source::Folder(label.to_owned());
    let mut left_out = 0;
    for path in files {
        let name = unique_name(taken, source.workload_name(&name_in(dir, &path)), label);
        if !spec.select.keeps(&name) {
            continue;
        }
        let mut w = match rep::read(&path) {
            Ok(w) => w,
            Err(e) => {
                bad_trace(suite, spec, e)?;
                continue;
            }
        };
        w.name = name;
        let item = Item::new(w, source.clone());
        if spec.quick && item.stats.ops > QUICK_MAX_TRACE_OPS {
            left_out += 1;
            continue;
        }
        suite.items.push(item);
    }
    if left_out > 0 {
        suite.notes.push(format!(
            "quick: left out {left_out} traces of {} with more than {QUICK_MAX_TRACE_OPS} ops",
            dir.display()
        ));
    }
    Ok(())
}

/// The workload called `name` among the default sources (built-in traces, the standard
/// synthetic set, the shared traces folder), reading or generating only that one.
///
/// # Errors
/// [`SuiteError::Unknown`] when no source has it (the message lists where it looked), or the
/// errors of [`load`].
pub fn find(name: &str) -> Result<Item, SuiteError> {
    find_in(&SuiteSpec::default(), name)
}

/// The workload called `name` among the sources of `spec` (its selection is replaced by
/// that name), reading or generating only that one: [`find`] for another suite, such as a
/// quick one.
///
/// # Errors
/// As [`find`].
pub fn find_in(spec: &SuiteSpec, name: &str) -> Result<Item, SuiteError> {
    let spec = SuiteSpec {
        select: Select::Named(vec![name.to_owned()]),
        ..spec.clone()
    };
    match load(&spec) {
        Ok(mut s) if !s.items.is_empty() => Ok(s.items.swap_remove(0)),
        Ok(_) | Err(SuiteError::Empty) => Err(SuiteError::Unknown {
            name: name.to_owned(),
            shared: shared_traces_dir().map_or_else(
                || format!("none found; looked in {}", looked_in()),
                |d| d.display().to_string(),
            ),
        }),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_generators_are_valid_and_smaller() {
        for g in generate::standard_suite() {
            let q = g.scaled(QUICK_DIVISOR);
            q.validate().unwrap();
            let (nf, nq) = (
                g.generate(SEED).unwrap().ops.len(),
                q.generate(SEED).unwrap().ops.len(),
            );
            assert!(nq <= nf, "{}: {nq} > {nf}", q.name());
        }
    }

    #[test]
    fn a_missing_folder_is_a_clear_error() {
        let spec = SuiteSpec {
            traces: vec![PathBuf::from("no/such/folder")],
            quick: true,
            ..SuiteSpec::default()
        };
        let err = load(&spec).unwrap_err().to_string();
        assert!(
            err.contains("no/such/folder") && err.contains("not a folder"),
            "{err}"
        );
    }

    #[test]
    fn selection_reads_only_what_it_keeps() {
        let spec = SuiteSpec {
            shared: false,
            select: Select::Named(vec!["synthetic/lifo".to_owned(), "xz-compress".to_owned()]),
            ..SuiteSpec::default()
        };
        let s = load(&spec).unwrap();
        let names: Vec<&str> = s.items.iter().map(|i| i.workload.name.as_str()).collect();
        assert_eq!(names, ["xz-compress", "synthetic/lifo"]);
        assert_eq!(s.items[0].source, Source::Recorded);
        let nothing = SuiteSpec {
            shared: false,
            select: Select::Containing("no such workload".to_owned()),
            ..SuiteSpec::default()
        };
        assert!(matches!(load(&nothing), Err(SuiteError::Empty)));
        let err = find("synthetic/no-such-shape").unwrap_err().to_string();
        assert!(err.contains("synthetic/no-such-shape"), "{err}");
        assert_eq!(
            find("synthetic/fifo").unwrap().workload.name,
            "synthetic/fifo"
        );
    }
}
