//! Trace files on disk: the shared malloc-lab folder beside the repository, listing a folder
//! of traces, naming a trace by its place in its folder, and reading any supported format.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::TraceError;
use crate::op::Workload;
use crate::{mtrace, rep};

/// Environment variable that overrides where [`shared_traces_dir`] looks.
pub const SHARED_TRACES_ENV: &str = "WORKLOADS_SHARED_TRACES";

/// Where [`shared_traces_dir`] looks when [`SHARED_TRACES_ENV`] is not set: `shared/traces`
/// beside the repository this crate was built in.
#[must_use]
pub fn default_shared_traces_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("..")
        .join("shared")
        .join("traces")
}

/// The shared traces folder: `$WORKLOADS_SHARED_TRACES` when set, else
/// [`default_shared_traces_dir`]. `None` when it is not a folder.
#[must_use]
pub fn shared_traces_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os(SHARED_TRACES_ENV) {
        Some(dir) => PathBuf::from(dir),
        None => default_shared_traces_dir(),
    };
    dir.is_dir().then_some(dir)
}

/// Whether `path` names a malloc-lab trace by its extension (`.rep` or `.rep.zst`).
#[must_use]
pub fn is_rep_file(path: &Path) -> bool {
    let name = path.to_string_lossy();
    name.ends_with(".rep") || name.ends_with(".rep.zst")
}

/// Every `.rep` and `.rep.zst` file under `dir` (recursively), sorted by path.
///
/// # Errors
/// [`TraceError::Io`] when a folder cannot be listed.
pub fn trace_files(dir: &Path) -> Result<Vec<PathBuf>, TraceError> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let list = |e| TraceError::io(&d.display().to_string(), "list", e);
        for entry in fs::read_dir(&d).map_err(list)? {
            let path = entry.map_err(list)?.path();
            if path.is_dir() {
                pending.push(path);
            } else if is_rep_file(&path) {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The name of the trace file `path` under `dir`: its path relative to `dir` without the
/// extension (for example `malloclab-2016/bdd-aa4`).
#[must_use]
pub fn name_in(dir: &Path, path: &Path) -> String {
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

/// Reads one trace file of any supported format: `.rep` / `.rep.zst` by extension, anything
/// else by its contents (zstd's magic number: a compressed `.rep`; a first record starting
/// with `=`, `@`, `+`, `-`, `<`, `>` or `!`: a glibc mtrace log; else `.rep` text). The
/// workload is named after the file without its extension.
///
/// # Errors
/// [`TraceError`] naming the file (and the line, for a malformed trace).
pub fn read_any(path: &Path) -> Result<Workload, TraceError> {
    if is_rep_file(path) {
        return rep::read(path);
    }
    let file = path.display().to_string();
    let bytes = fs::read(path).map_err(|e| TraceError::io(&file, "read", e))?;
    if bytes.starts_with(&rep::ZSTD_MAGIC) {
        return rep::from_bytes(&rep::trace_name(path), &bytes, &file);
    }
    let first = bytes
        .split(|&b| b == b'\n' || b == b'\r')
        .map(<[u8]>::trim_ascii)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let is_mtrace = matches!(
        first.first(),
        Some(b'=' | b'@' | b'+' | b'-' | b'<' | b'>' | b'!')
    );
    if is_mtrace {
        mtrace::read(path)
    } else {
        rep::from_bytes(&rep::trace_name(path), &bytes, &file)
    }
}
