//! Fragmentation and placement figures of the deterministic gate's set: for every workload
//! of `benches::selection` and allocator of a [`GateSet`], one tracked replay (no valgrind)
//! through
//! `workloads::placement::Placed`, giving Johnstone & Wilson's #4, the peak footprint, the
//! failures and the hash of the sequence of offsets the allocator returned.
//!
//! All of them are properties of the workload and the allocator's code alone, so the same
//! tree gives the same figures on any machine and in any run. [`measure_set`] checks that on
//! every run: it measures every benchmark twice, the second time with every region at
//! another address, and fails with [`FiguresError::NotReproducible`] on any difference.

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use workloads::placement::{Placed, PlacementHash};
use workloads::suite::{AllocatorEntry, Item};
use workloads::{replay, AdapterError, ReplayConfig, Sampling, SuiteError};

use benches::selection;

use crate::set::GateSet;

/// Schema tag of [`FiguresFile`].
pub const SCHEMA: &str = "mempool-workbench/det-figures/1";

/// The figures of one (workload, allocator).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// `<workload>/<allocator>` ([`selection::benchmark_name`]).
    pub benchmark: String,
    /// Ops replayed.
    pub ops: u64,
    /// Requests the allocator could not satisfy.
    pub failures: u64,
    /// Peak live requested bytes (the workload's, the same for every allocator).
    pub peak_live_bytes: u64,
    /// Peak footprint (largest extent) in bytes.
    pub footprint: Option<u64>,
    /// J&W #4: `footprint / peak_live_bytes - 1`.
    pub frag4: Option<f64>,
    /// The hash of the offsets returned ([`workloads::placement`]).
    pub placement: PlacementHash,
    /// How many requests the hash covers.
    pub placements: u64,
}

/// The figures of a whole set, as the `figures` binary writes them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiguresFile {
    /// [`SCHEMA`].
    pub schema: String,
    /// Remarks of the suite (a missing shared traces folder).
    pub notes: Vec<String>,
    /// One per benchmark, in the set's order.
    pub figures: Vec<Figures>,
}

/// Measuring, reading or writing figures failed.
#[derive(Debug, Error)]
pub enum FiguresError {
    /// The set could not be loaded.
    #[error(transparent)]
    Suite(#[from] SuiteError),
    /// An allocator could not be built.
    #[error("{benchmark}: {source}")]
    Adapter {
        /// The benchmark.
        benchmark: String,
        /// Why.
        #[source]
        source: AdapterError,
    },
    /// Two measurements of the same tree differed.
    #[error("figures differ between two replays of the same build (they must not):\n{}", .0.join("\n"))]
    NotReproducible(Vec<String>),
    /// A figures file could not be read or written.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

/// The replay's settings: tracking on (for the footprint), no samples.
fn tracked() -> ReplayConfig {
    ReplayConfig {
        sampling: Sampling::Off,
        track: true,
    }
}

/// The figures of `item` on `allocator`, from one tracked replay on a fresh region.
///
/// # Errors
/// [`FiguresError::Adapter`] when the allocator cannot be built.
pub fn measure(item: &Item, allocator: &AllocatorEntry) -> Result<Figures, FiguresError> {
    let benchmark = selection::benchmark_name(&item.workload.name, &allocator.name());
    let alloc = allocator
        .build(item.capacity_bytes())
        .map_err(|source| FiguresError::Adapter {
            benchmark: benchmark.clone(),
            source,
        })?;
    let mut placed = Placed::new(alloc);
    let r = replay(&item.workload, &mut placed, &tracked());
    Ok(Figures {
        benchmark,
        ops: r.ops,
        failures: r.failures,
        peak_live_bytes: r.metrics.peak_live_bytes,
        footprint: r.metrics.footprint,
        frag4: r.metrics.frag4,
        placement: placed.hash(),
        placements: placed.placements(),
    })
}

/// The figures of every benchmark of `items` x `allocators`, each measured twice: the second
/// pass holds a spacer allocation, so every region lands at another address.
///
/// # Errors
/// [`FiguresError::NotReproducible`] listing every benchmark whose two measurements differ,
/// or the errors of [`measure`].
pub fn measure_all(
    items: &[Item],
    allocators: &[AllocatorEntry],
) -> Result<Vec<Figures>, FiguresError> {
    let pass = || -> Result<Vec<Figures>, FiguresError> {
        let mut out = Vec::new();
        for item in items {
            for allocator in allocators {
                out.push(measure(item, allocator)?);
            }
        }
        Ok(out)
    };
    let first = pass()?;
    // Frees of large blocks raise glibc's mmap threshold, so later regions come from the heap,
    // after this spacer: other addresses than the first pass's.
    drop(std::hint::black_box(vec![1u8; 64 << 20]));
    let spacer = std::hint::black_box(vec![0u8; 4096 + 24]);
    let second = pass()?;
    drop(spacer);
    let differ: Vec<String> = first
        .iter()
        .zip(&second)
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("  {}: {a:?} then {b:?}", a.benchmark))
        .collect();
    if differ.is_empty() {
        Ok(first)
    } else {
        Err(FiguresError::NotReproducible(differ))
    }
}

/// The figures of a gate's whole set ([`selection::gate_workloads`] x
/// [`GateSet::measured`]), checked for reproducibility ([`measure_all`]).
///
/// # Errors
/// As [`measure_all`], and [`FiguresError::Suite`] when the workloads cannot be loaded.
pub fn measure_set(set: &GateSet) -> Result<FiguresFile, FiguresError> {
    let (items, notes) = selection::gate_workloads()?;
    let figures = measure_all(&items, set.measured())?;
    Ok(FiguresFile {
        schema: SCHEMA.to_owned(),
        notes,
        figures,
    })
}

impl FiguresFile {
    /// Writes the file as JSON.
    ///
    /// # Errors
    /// [`FiguresError::File`].
    pub fn write(&self, path: &Path) -> Result<(), FiguresError> {
        let err = |reason: String| FiguresError::File {
            path: path.display().to_string(),
            reason,
        };
        let text = serde_json::to_string_pretty(self).map_err(|e| err(e.to_string()))?;
        fs::write(path, text + "\n").map_err(|e| err(e.to_string()))
    }

    /// Reads a file [`FiguresFile::write`] wrote.
    ///
    /// # Errors
    /// [`FiguresError::File`] when it cannot be read, is not valid JSON of this shape
    /// (naming the line), or has another schema.
    pub fn read(path: &Path) -> Result<Self, FiguresError> {
        let err = |reason: String| FiguresError::File {
            path: path.display().to_string(),
            reason,
        };
        let text = fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let file: Self =
            serde_json::from_str(&text).map_err(|e| err(format!("line {}: {e}", e.line())))?;
        if file.schema != SCHEMA {
            return Err(err(format!(
                "schema {:?}, expected {SCHEMA:?}",
                file.schema
            )));
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use workloads::generate::Generator;
    use workloads::suite::Source;

    #[test]
    fn figures_are_reproducible_and_round_trip() {
        let w = Generator::Fifo {
            ops: 1_000,
            queue_len: 32,
            min: 8,
            max: 512,
        }
        .generate(1)
        .unwrap();
        let item = Item::new(w, Source::Synthetic);
        let set = GateSet::builtin();
        let all = measure_all(std::slice::from_ref(&item), set.measured()).unwrap();
        assert_eq!(all.len(), selection::gate_allocators().len());
        assert!(all.iter().all(|f| f.failures == 0 && f.footprint.is_some()));
        let pool = &all[0];
        assert_eq!(pool.benchmark, "fifo/mempool");
        assert!(pool.frag4.unwrap() > 0.0);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("figures.json");
        let file = FiguresFile {
            schema: SCHEMA.to_owned(),
            notes: vec![],
            figures: all,
        };
        file.write(&path).unwrap();
        assert_eq!(FiguresFile::read(&path).unwrap(), file);
        fs::write(&path, "{\"schema\": 1}").unwrap();
        let e = FiguresFile::read(&path).unwrap_err().to_string();
        assert!(e.contains("figures.json") && e.contains("line 1"), "{e}");
    }
}
