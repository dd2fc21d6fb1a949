//! The workloads a report or a tuning run replays: the built-in recorded traces, the
//! synthetic generators, and trace folders (the repository's sibling `shared/traces` by
//! default, or every `--traces DIR`).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Serialize;
use workloads::generate::{self, Generator};
use workloads::{builtin, corpus, mtrace, rep, Workload, WorkloadStats};

use crate::cli::SuiteArgs;

/// The seed of every synthetic workload (the same seed gives the same ops).
pub const SEED: u64 = 1;

/// The largest region a replay gets: the pool addresses at most 4 GiB.
pub const MAX_REGION: u64 = 1 << 32;

/// Where a workload came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum Source {
    /// A trace recorded from a real program and shipped with the `workloads` crate.
    Recorded,
    /// A synthetic generator.
    Synthetic,
    /// A trace file from a folder.
    Folder(String),
}

impl Source {
    /// A short label for tables.
    #[must_use]
    pub fn label(&self) -> String {
        match self {
            Source::Recorded => "recorded (built-in)".to_owned(),
            Source::Synthetic => "synthetic".to_owned(),
            Source::Folder(dir) => format!("trace in {dir}"),
        }
    }
}

/// One workload of the suite with what the report needs to know about it.
#[derive(Debug, Clone)]
pub struct Item {
    /// The ops.
    pub workload: Workload,
    /// Where it came from.
    pub source: Source,
    /// Its counts and peaks.
    pub stats: WorkloadStats,
    /// The region every allocator gets for it, in bytes.
    pub capacity: u64,
}

/// The loaded suite and what was noticed while loading it.
#[derive(Debug, Clone, Default)]
pub struct Suite {
    /// The workloads, in report order: recorded, synthetic, then folders.
    pub items: Vec<Item>,
    /// Remarks for the console and the report (a missing trace folder, ...).
    pub notes: Vec<String>,
    /// The trace folders used.
    pub folders: Vec<PathBuf>,
}

/// The region for a workload: 16 times its peak live payload plus 1 MiB, at most 4 GiB. Large
/// enough that the report's allocators never run out on the standard suite (a variant that
/// does is counted as failing), small enough that a lost block shows.
#[must_use]
pub fn capacity_for(stats: &WorkloadStats) -> u64 {
    stats
        .peak_live_bytes
        .saturating_mul(16)
        .saturating_add(1 << 20)
        .min(MAX_REGION)
}

/// The repository's sibling trace folder: `$WORKLOADS_SHARED_TRACES` when set, else
/// `<this crate>/../../shared/traces`. `None` when it is not a folder.
#[must_use]
pub fn shared_traces_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os(corpus::SHARED_TRACES_ENV) {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("..")
            .join("shared")
            .join("traces"),
    };
    dir.is_dir().then_some(dir)
}

/// Synthetic workloads of `--quick`: every shape of the standard suite at a fifth of its
/// size, so CI sees every shape.
fn quick_generators() -> Vec<Generator> {
    generate::standard_suite()
        .into_iter()
        .map(|g| match g {
            Generator::Uniform {
                ops,
                min,
                max,
                alloc_prob,
                realloc_prob,
            } => Generator::Uniform {
                ops: ops / 5,
                min,
                max,
                alloc_prob,
                realloc_prob,
            },
            Generator::PowerLaw {
                ops,
                min,
                max,
                alpha,
                alloc_prob,
            } => Generator::PowerLaw {
                ops: ops / 5,
                min,
                max,
                alpha,
                alloc_prob,
            },
            Generator::Ramp {
                allocs,
                min,
                max,
                temp_fraction,
                temp_lifetime,
            } => Generator::Ramp {
                allocs: allocs / 5,
                min,
                max,
                temp_fraction,
                temp_lifetime,
            },
            Generator::Peaks {
                peaks,
                per_peak,
                survivors,
                min,
                max,
            } => Generator::Peaks {
                peaks: peaks / 5,
                per_peak,
                survivors,
                min,
                max,
            },
            Generator::Plateau {
                live,
                ops,
                min,
                max,
            } => Generator::Plateau {
                live: live / 5,
                ops: ops / 5,
                min,
                max,
            },
            Generator::Lifo {
                ops,
                max_depth,
                min,
                max,
            } => Generator::Lifo {
                ops: ops / 5,
                max_depth,
                min,
                max,
            },
            Generator::Fifo {
                ops,
                queue_len,
                min,
                max,
            } => Generator::Fifo {
                ops: ops / 5,
                queue_len,
                min,
                max,
            },
            Generator::SeedBench { shape, iterations } => Generator::SeedBench {
                shape,
                iterations: iterations / 5,
            },
            Generator::FrameChurn {
                frames,
                per_frame,
                min,
                max,
            } => Generator::FrameChurn {
                frames: frames / 5,
                per_frame,
                min,
                max,
            },
            Generator::SteadyState {
                live,
                churn,
                min,
                max,
            } => Generator::SteadyState {
                live: live / 5,
                churn: churn / 5,
                min,
                max,
            },
            other @ Generator::ReallocGrowth { .. } => other,
        })
        .collect()
}

/// Traces of a folder that `--quick` keeps: at most this many ops each.
pub const QUICK_MAX_TRACE_OPS: u64 = 60_000;

/// Reads one trace file: `.rep` / `.rep.zst` by extension, anything else sniffed (a glibc
/// mtrace log starts its records with `=`, `@`, `+`, `-`, `<`, `>` or `!`).
///
/// # Errors
/// The file cannot be read or parsed; the message names the file (and line).
pub fn read_trace(path: &Path) -> anyhow::Result<Workload> {
    let name = path.to_string_lossy();
    if name.ends_with(".rep") || name.ends_with(".rep.zst") {
        return rep::read(path).map_err(anyhow::Error::from);
    }
    let bytes =
        std::fs::read(path).with_context(|| format!("cannot read the trace {}", path.display()))?;
    if bytes.starts_with(&rep::ZSTD_MAGIC) {
        return rep::from_bytes(&rep::trace_name(path), &bytes, &name).map_err(Into::into);
    }
    let first = bytes
        .split(|&b| b == b'\n' || b == b'\r')
        .map(|l| l.trim_ascii())
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let is_mtrace = matches!(
        first.first(),
        Some(b'=' | b'@' | b'+' | b'-' | b'<' | b'>' | b'!')
    );
    if is_mtrace {
        mtrace::read(path).map_err(Into::into)
    } else {
        rep::from_bytes(&rep::trace_name(path), &bytes, &name).map_err(Into::into)
    }
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
}

/// Loads the suite `args` asks for.
///
/// # Errors
/// A trace folder given with `--traces` that is missing, empty or holds a bad trace; a
/// damaged built-in trace; an invalid generator.
pub fn load(args: &SuiteArgs) -> anyhow::Result<Suite> {
    let mut suite = Suite::default();
    for w in builtin::traces().context("loading the built-in recorded traces")? {
        suite.items.push(Item::new(w, Source::Recorded));
    }
    if builtin::TRACES.is_empty() {
        suite
            .notes
            .push("the workloads crate ships no built-in recorded traces".to_owned());
    }
    let generators = if args.no_synthetic {
        Vec::new()
    } else if args.quick {
        quick_generators()
    } else {
        generate::standard_suite()
    };
    for g in generators {
        let w = g
            .generate(SEED)
            .with_context(|| format!("generating the synthetic workload {}", g.name()))?;
        let mut w = w;
        w.name = format!("synthetic/{}", w.name);
        suite.items.push(Item::new(w, Source::Synthetic));
    }
    let folders: Vec<PathBuf> = if args.traces.is_empty() {
        match shared_traces_dir() {
            Some(dir) => vec![dir],
            None => {
                suite.notes.push(format!(
                    "no shared trace folder at {} (set {} or pass --traces DIR): only the built-in and synthetic workloads are run",
                    Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("../../shared/traces")
                        .display(),
                    corpus::SHARED_TRACES_ENV
                ));
                Vec::new()
            }
        }
    } else {
        args.traces.clone()
    };
    for dir in &folders {
        if !dir.is_dir() {
            bail!(
                "--traces {}: not a folder (give a folder holding .rep or .rep.zst files)",
                dir.display()
            );
        }
        let files = corpus::trace_files(dir)?;
        if files.is_empty() {
            bail!(
                "--traces {}: no .rep or .rep.zst files in it or below it",
                dir.display()
            );
        }
        let label = if args.traces.is_empty() {
            "shared/traces".to_owned()
        } else {
            dir.display().to_string()
        };
        let mut skipped = 0;
        for w in corpus::load_dir(dir)? {
            let w = Workload {
                name: unique_name(&suite, &w.name, &label),
                ..w
            };
            let it = Item::new(w, Source::Folder(label.clone()));
            if args.quick && it.stats.ops > QUICK_MAX_TRACE_OPS {
                skipped += 1;
                continue;
            }
            suite.items.push(it);
        }
        if skipped > 0 {
            suite.notes.push(format!(
                "--quick: left out {skipped} traces of {} with more than {QUICK_MAX_TRACE_OPS} ops",
                dir.display()
            ));
        }
    }
    suite.folders = folders;
    if suite.items.is_empty() {
        bail!("the suite is empty: no built-in traces, generators or trace files");
    }
    Ok(suite)
}

/// `name`, or `label/name` when the suite already has a workload called `name`.
fn unique_name(suite: &Suite, name: &str, label: &str) -> String {
    if suite.items.iter().any(|i| i.workload.name == name) {
        format!("{label}/{name}")
    } else {
        name.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_is_clamped() {
        let mut s = WorkloadStats {
            peak_live_bytes: 100,
            ..WorkloadStats::default()
        };
        assert_eq!(capacity_for(&s), 1600 + (1 << 20));
        s.peak_live_bytes = 1 << 40;
        assert_eq!(capacity_for(&s), MAX_REGION);
    }

    #[test]
    fn quick_generators_are_valid_and_smaller() {
        let full = generate::standard_suite();
        let quick = quick_generators();
        assert_eq!(full.len(), quick.len());
        for (f, q) in full.iter().zip(&quick) {
            q.validate().unwrap();
            let (nf, nq) = (
                f.generate(SEED).unwrap().ops.len(),
                q.generate(SEED).unwrap().ops.len(),
            );
            assert!(nq <= nf, "{}: {nq} > {nf}", q.name());
        }
    }

    #[test]
    fn a_missing_folder_is_a_clear_error() {
        let args = SuiteArgs {
            traces: vec![PathBuf::from("no/such/folder")],
            quick: true,
            no_synthetic: false,
        };
        let err = load(&args).unwrap_err().to_string();
        assert!(
            err.contains("no/such/folder") && err.contains("not a folder"),
            "{err}"
        );
    }
}
