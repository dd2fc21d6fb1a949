//! Trace files on disk: finding the shared malloc-lab folder, listing a folder of traces,
//! naming a trace by its place in its folder, and reading any supported format.
//!
//! # Where the shared traces folder is found
//!
//! [`shared_traces_dir`] takes the first of [`shared_traces_candidates`] that is a folder:
//!
//! 1. `$WORKLOADS_SHARED_TRACES` ([`SHARED_TRACES_ENV`]) when set and not empty: then it is the
//!    only place looked, so a wrong setting is reported instead of silently replaced;
//! 2. `shared/traces` in the working directory, then in each folder above it, up to and
//!    including the parent of the nearest folder holding `.git` (the enclosing repository's
//!    root: the traces live beside the repository, never in it); outside a repository, up to
//!    the filesystem root;
//! 3. the build-time fallback [`fallback_shared_traces_dir`]: `shared/traces` beside the
//!    repository the crate was compiled in, so `cargo run` and `cargo test` find it from any
//!    working directory while that checkout exists. An installed or copied binary does not
//!    rely on it.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::TraceError;
use crate::op::Workload;
use crate::{mtrace, rep};

/// Environment variable naming the shared traces folder; when set (and not empty), the only
/// place [`shared_traces_dir`] looks.
pub const SHARED_TRACES_ENV: &str = "WORKLOADS_SHARED_TRACES";

/// The last place [`shared_traces_dir`] looks: `shared/traces` beside the repository this
/// crate was built in (`CARGO_MANIFEST_DIR/../../shared/traces`), fixed at compile time.
#[must_use]
pub fn fallback_shared_traces_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("..")
        .join("shared")
        .join("traces")
}

/// The places [`shared_traces_dir`] looks, in order (see the module docs): the environment
/// variable alone when it is set, else `shared/traces` in the working directory and the
/// folders above it, then the build-time fallback.
#[must_use]
pub fn shared_traces_candidates() -> Vec<PathBuf> {
    candidates(
        std::env::var_os(SHARED_TRACES_ENV),
        std::env::current_dir().ok().as_deref(),
        &fallback_shared_traces_dir(),
    )
}

/// [`shared_traces_candidates`] for a given environment value, working directory and fallback.
fn candidates(env: Option<OsString>, cwd: Option<&Path>, fallback: &Path) -> Vec<PathBuf> {
    if let Some(dir) = env.filter(|d| !d.is_empty()) {
        return vec![PathBuf::from(dir)];
    }
    let mut places = Vec::new();
    if let Some(cwd) = cwd {
        let mut last = false;
        for dir in cwd.ancestors() {
            places.push(dir.join("shared").join("traces"));
            if last {
                break;
            }
            // The repository's root: its parent is the last folder searched.
            last = dir.join(".git").exists();
        }
    }
    places.push(fallback.to_path_buf());
    places
}

/// The shared traces folder: the first of [`shared_traces_candidates`] that is a folder.
/// `None` when none is.
#[must_use]
pub fn shared_traces_dir() -> Option<PathBuf> {
    shared_traces_candidates().into_iter().find(|d| d.is_dir())
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
    let (files, unlisted) = list_trace_files(dir);
    match unlisted.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(files),
    }
}

/// Every `.rep` and `.rep.zst` file under `dir` that could be listed, sorted by path, and an
/// error for each folder (or entry) that could not be.
pub(crate) fn list_trace_files(dir: &Path) -> (Vec<PathBuf>, Vec<TraceError>) {
    let mut files = Vec::new();
    let mut unlisted = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let list = |e| TraceError::io(&d.display().to_string(), "list", e);
        let entries = match fs::read_dir(&d) {
            Ok(entries) => entries,
            Err(e) => {
                unlisted.push(list(e));
                continue;
            }
        };
        for entry in entries {
            match entry {
                Ok(entry) => {
                    let path = entry.path();
                    if path.is_dir() {
                        pending.push(path);
                    } else if is_rep_file(&path) {
                        files.push(path);
                    }
                }
                Err(e) => unlisted.push(list(e)),
            }
        }
    }
    files.sort();
    (files, unlisted)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn mkdirs(path: &Path) -> PathBuf {
        fs::create_dir_all(path).unwrap();
        path.to_path_buf()
    }

    #[test]
    fn the_environment_variable_is_the_only_place_when_set() {
        let places = candidates(
            Some("/somewhere/traces".into()),
            Some(Path::new("/a/b")),
            Path::new("/fallback"),
        );
        assert_eq!(places, [PathBuf::from("/somewhere/traces")]);
        // Set but empty counts as unset.
        let places = candidates(Some("".into()), None, Path::new("/fallback"));
        assert_eq!(places, [PathBuf::from("/fallback")]);
    }

    #[test]
    fn the_search_climbs_to_the_parent_of_the_repository_then_falls_back() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let repo = mkdirs(&root.join("repo"));
        mkdirs(&repo.join(".git"));
        let cwd = mkdirs(&repo.join("reports").join("out"));
        let fallback = root.join("fallback");
        let st = |d: &Path| d.join("shared").join("traces");
        let places = candidates(None, Some(&cwd), &fallback);
        assert_eq!(
            places,
            [
                st(&cwd),
                st(&repo.join("reports")),
                st(&repo),
                st(root),
                fallback.clone()
            ]
        );
        let find = |places: Vec<PathBuf>| places.into_iter().find(|d| d.is_dir());
        // Nothing there yet; then the one beside the repository; then a nearer one wins.
        assert_eq!(find(candidates(None, Some(&cwd), &fallback)), None);
        let beside = mkdirs(&st(root));
        assert_eq!(find(candidates(None, Some(&cwd), &fallback)), Some(beside));
        let inside = mkdirs(&st(&cwd));
        assert_eq!(find(candidates(None, Some(&cwd), &fallback)), Some(inside));
        // The fallback is used when the search finds nothing.
        let elsewhere = mkdirs(&root.join("elsewhere"));
        mkdirs(&elsewhere.join(".git"));
        let fb = mkdirs(&fallback);
        let outside = candidates(None, Some(&elsewhere), &fallback);
        assert_eq!(outside.len(), 3, "{outside:?}"); // elsewhere, root, fallback
        fs::remove_dir_all(st(root)).unwrap();
        assert_eq!(find(outside), Some(fb));
    }

    #[test]
    fn outside_a_repository_the_search_goes_up_to_the_root() {
        // (No /a/b/.git or /a/.git on the machines this runs on.)
        let places = candidates(None, Some(Path::new("/a/b")), Path::new("/fallback"));
        assert_eq!(
            places,
            [
                PathBuf::from("/a/b/shared/traces"),
                PathBuf::from("/a/shared/traces"),
                PathBuf::from("/shared/traces"),
                PathBuf::from("/fallback"),
            ]
        );
    }

    #[test]
    fn a_folder_that_cannot_be_listed_is_an_error_not_an_empty_list() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = tmp.path().join("gone");
        let (files, unlisted) = list_trace_files(&missing);
        assert!(files.is_empty());
        assert_eq!(unlisted.len(), 1);
        assert!(
            unlisted[0].to_string().contains("gone: list:"),
            "{}",
            unlisted[0]
        );
        assert!(trace_files(&missing).is_err());
    }
}
