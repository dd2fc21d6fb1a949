//! Trace folders: the shared malloc-lab traces beside the repository, or any folder of
//! `.rep` / `.rep.zst` files.

#![forbid(unsafe_code)]

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::TraceError;
use crate::op::Workload;
use crate::rep;

/// Environment variable that overrides where [`shared_traces_dir`] looks.
pub const SHARED_TRACES_ENV: &str = "WORKLOADS_SHARED_TRACES";

/// The shared traces folder: `$WORKLOADS_SHARED_TRACES` when set, else `../shared/traces`
/// relative to the repository root (this crate's parent folder). `None` when it is not a
/// folder.
#[must_use]
pub fn shared_traces_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os(SHARED_TRACES_ENV) {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("..")
            .join("shared")
            .join("traces"),
    };
    dir.is_dir().then_some(dir)
}

/// Every `.rep` and `.rep.zst` file under `dir` (recursively), sorted by path.
///
/// # Errors
/// [`TraceError::Io`] when a folder cannot be listed.
pub fn trace_files(dir: &Path) -> Result<Vec<PathBuf>, TraceError> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries =
            fs::read_dir(&d).map_err(|e| TraceError::io(&d.display().to_string(), "list", e))?;
        for entry in entries {
            let entry = entry.map_err(|e| TraceError::io(&d.display().to_string(), "list", e))?;
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let name = path.to_string_lossy();
                if name.ends_with(".rep") || name.ends_with(".rep.zst") {
                    files.push(path);
                }
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Loads every trace under `dir`, each named by its path relative to `dir` without the
/// extension (for example `malloclab-2016/bdd-aa4`).
///
/// # Errors
/// The first [`TraceError`], naming the file (and line).
pub fn load_dir(dir: &Path) -> Result<Vec<Workload>, TraceError> {
    trace_files(dir)?
        .into_iter()
        .map(|path| {
            let mut w = rep::read(&path)?;
            w.name = name_in(dir, &path);
            Ok(w)
        })
        .collect()
}

/// The trace [`load_dir`] would name `name`, reading only its file; `None` when `dir` has no
/// such trace.
///
/// # Errors
/// [`TraceError`] when `dir` cannot be listed or the file is damaged.
pub fn load_named(dir: &Path, name: &str) -> Result<Option<Workload>, TraceError> {
    let Some(path) = trace_files(dir)?
        .into_iter()
        .find(|p| name_in(dir, p) == name)
    else {
        return Ok(None);
    };
    let mut w = rep::read(&path)?;
    w.name = name.to_owned();
    Ok(Some(w))
}

/// The name of the trace file `path` under `dir`: its path relative to `dir` without the
/// extension.
fn name_in(dir: &Path, path: &Path) -> String {
    let stem = rep::trace_name(path);
    match path
        .parent()
        .and_then(|p| p.strip_prefix(dir).ok())
        .filter(|p| !p.as_os_str().is_empty())
    {
        Some(parent) => format!("{}/{stem}", parent.display()),
        None => stem,
    }
}
