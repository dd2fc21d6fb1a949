//! The recorder: runs an unmodified program under glibc's malloc tracing and converts what
//! each of its processes did into a `.rep.zst` trace.
//!
//! How: `LD_PRELOAD=libc_malloc_debug.so.0:<shim>.so` (glibc 2.34 moved the working
//! `mtrace()` into that debug library). The shim ([`SHIM_SOURCE`], a few lines of C) has a
//! constructor that points `MALLOC_TRACE` at a log of the process's own and calls
//! `mtrace()`; exec'd children load it again, and around `fork()` it switches logs (see the
//! source), so processes never overwrite each other. After the program exits, each
//! process's logs are converted ([`crate::mtrace`]) and written as
//! `<program>.<pid>.rep.zst`.
//!
//! The shim is compiled from source at run time with the system C compiler (`$CC`, else
//! `cc`) into a cache folder, keyed by a hash of the source and compiler, and reused
//! afterwards. Compiling at run time rather than in a build script keeps the C compiler a
//! need of recording alone: the crate builds, and its replay runs, where no compiler or no
//! glibc is present, and a missing compiler is an error value at the moment it matters.

#![forbid(unsafe_code)]

use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::hash::{Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::error::RecordError;
use crate::mtrace::{self, MtraceReport};
use crate::op::{Provenance, Workload};
use crate::rep::{self, RepVariant};

/// The shim's C source.
pub const SHIM_SOURCE: &str = include_str!("shim/mtrace_shim.c");

/// glibc's malloc debug library.
pub const DEBUG_LIB: &str = "libc_malloc_debug.so.0";

/// Environment variable naming the debug library's path, overriding the search.
pub const DEBUG_LIB_ENV: &str = "WORKLOADS_MALLOC_DEBUG_LIB";

/// Environment variable the shim reads: the folder for the raw logs.
pub const TRACE_DIR_ENV: &str = "WORKLOADS_MTRACE_DIR";

/// How to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordOptions {
    /// Where the `.rep.zst` files go (created if missing).
    pub out_dir: PathBuf,
    /// Where the compiled shim is cached (default: [`default_cache_dir`]).
    pub shim_cache: Option<PathBuf>,
    /// Keep the raw mtrace logs in this folder (default: a temporary folder, removed).
    pub raw_dir: Option<PathBuf>,
    /// Header layout of the written traces.
    pub variant: RepVariant,
}

impl RecordOptions {
    /// Defaults, writing to `out_dir`.
    #[must_use]
    pub fn new(out_dir: impl Into<PathBuf>) -> Self {
        Self {
            out_dir: out_dir.into(),
            shim_cache: None,
            raw_dir: None,
            variant: RepVariant::Lab2016,
        }
    }
}

/// One process's converted trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedTrace {
    /// The written `.rep.zst`.
    pub path: PathBuf,
    /// The process's program name (glibc's `program_invocation_short_name`).
    pub program: String,
    /// Its process id.
    pub pid: u32,
    /// Logs it wrote (1 + the number of times it forked).
    pub segments: usize,
    /// Ops in the trace.
    pub ops: u64,
    /// What the conversion counted.
    pub report: MtraceReport,
}

/// The outcome of a recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recording {
    /// The program's exit code (`None` when a signal ended it).
    pub exit_code: Option<i32>,
    /// The traces, by program name then pid.
    pub traces: Vec<RecordedTrace>,
    /// Processes whose logs held no allocation (no trace written for them).
    pub empty: usize,
}

/// Records `cmd args...` into `out_dir` with default options (see [`record_with`]).
///
/// # Errors
/// As [`record_with`].
pub fn record(cmd: &OsStr, args: &[OsString], out_dir: &Path) -> Result<Recording, RecordError> {
    record_with(cmd, args, &RecordOptions::new(out_dir))
}

/// Runs `cmd args...` (stdin, stdout and stderr inherited) under malloc tracing and writes
/// one `.rep.zst` per process that allocated. A failing exit code is reported, not an error:
/// the traces up to the failure are written.
///
/// # Errors
/// [`RecordError::DebugLibMissing`] without glibc's debug library; compiler errors building
/// the shim; [`RecordError::Spawn`] when `cmd` cannot start; I/O and conversion errors.
pub fn record_with(
    cmd: &OsStr,
    args: &[OsString],
    opts: &RecordOptions,
) -> Result<Recording, RecordError> {
    let lib = find_debug_lib()?;
    let shim = build_shim(opts.shim_cache.as_deref())?;
    let temp;
    let raw_dir = match &opts.raw_dir {
        Some(dir) => {
            fs::create_dir_all(dir).map_err(|e| RecordError::io(dir, "create folder", e))?;
            dir.clone()
        }
        None => {
            temp = tempfile::Builder::new()
                .prefix("workloads-mtrace-")
                .tempdir()
                .map_err(|e| {
                    RecordError::io(&std::env::temp_dir(), "create temporary folder", e)
                })?;
            temp.path().to_path_buf()
        }
    };
    let mut preload = OsString::new();
    for path in [&lib, &shim] {
        preload_safe(path)?;
        if !preload.is_empty() {
            preload.push(":");
        }
        preload.push(path.as_os_str());
    }
    if let Some(existing) = std::env::var_os("LD_PRELOAD").filter(|p| !p.is_empty()) {
        preload.push(":");
        preload.push(existing);
    }
    let status = Command::new(cmd)
        .args(args)
        .env("LD_PRELOAD", preload)
        .env(TRACE_DIR_ENV, &raw_dir)
        .env_remove("MALLOC_TRACE")
        .status()
        .map_err(|source| RecordError::Spawn {
            command: cmd.to_string_lossy().into_owned(),
            source,
        })?;
    let (traces, empty) = convert_logs(&raw_dir, &opts.out_dir, opts.variant)?;
    Ok(Recording {
        exit_code: status.code(),
        traces,
        empty,
    })
}

/// A path the dynamic loader can take in `LD_PRELOAD` (which splits on `:` and spaces).
fn preload_safe(path: &Path) -> Result<(), RecordError> {
    let text = path.to_string_lossy();
    if text.contains(':') || text.contains(char::is_whitespace) {
        return Err(RecordError::io(
            path,
            "use in LD_PRELOAD",
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "the path contains ':' or whitespace (set shim_cache to another folder)",
            ),
        ));
    }
    Ok(())
}

/// Where glibc's debug library is: `$WORKLOADS_MALLOC_DEBUG_LIB`, else the first of the
/// usual library folders (`/lib/<arch>-linux-gnu`, `/usr/lib/<arch>-linux-gnu`, `/lib64`,
/// `/usr/lib64`, `/lib`, `/usr/lib`) that has it.
///
/// # Errors
/// [`RecordError::DebugLibMissing`] listing the places searched.
pub fn find_debug_lib() -> Result<PathBuf, RecordError> {
    if let Some(path) = std::env::var_os(DEBUG_LIB_ENV) {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(RecordError::DebugLibMissing {
                searched: format!("{} (from {DEBUG_LIB_ENV})", path.display()),
            })
        };
    }
    let multiarch = format!("{}-linux-gnu", std::env::consts::ARCH);
    let dirs = [
        Path::new("/lib").join(&multiarch),
        Path::new("/usr/lib").join(&multiarch),
        PathBuf::from("/lib64"),
        PathBuf::from("/usr/lib64"),
        PathBuf::from("/lib"),
        PathBuf::from("/usr/lib"),
    ];
    dirs.iter()
        .map(|d| d.join(DEBUG_LIB))
        .find(|p| p.is_file())
        .ok_or_else(|| RecordError::DebugLibMissing {
            searched: dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// The shim cache: `$XDG_CACHE_HOME/mempool-workbench`, else `$HOME/.cache/mempool-workbench`,
/// else `mempool-workbench` in the temporary folder.
#[must_use]
pub fn default_cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|d| !d.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        })
        .unwrap_or_else(std::env::temp_dir);
    base.join("mempool-workbench")
}

/// Compiles the shim into `cache_dir` (default [`default_cache_dir`]) unless a build of the
/// same source with the same compiler is already there, and returns the `.so`'s path.
///
/// # Errors
/// [`RecordError::CompilerMissing`], [`RecordError::ShimBuild`] with the compiler's output,
/// or [`RecordError::Io`] for the cache folder.
pub fn build_shim(cache_dir: Option<&Path>) -> Result<PathBuf, RecordError> {
    let dir = cache_dir.map_or_else(default_cache_dir, Path::to_path_buf);
    let cc = std::env::var("CC")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| "cc".to_owned());
    let mut hasher = DefaultHasher::new();
    (SHIM_SOURCE, &cc).hash(&mut hasher);
    let stem = format!("mtrace_shim-{:016x}", hasher.finish());
    let so = dir.join(format!("{stem}.so"));
    if so.is_file() {
        return Ok(so);
    }
    fs::create_dir_all(&dir).map_err(|e| RecordError::io(&dir, "create folder", e))?;
    let c_file = dir.join(format!("{stem}.{}.c", std::process::id()));
    fs::write(&c_file, SHIM_SOURCE).map_err(|e| RecordError::io(&c_file, "write", e))?;
    let tmp = dir.join(format!("{stem}.{}.so.tmp", std::process::id()));
    let mut words = cc.split_whitespace();
    let program = words.next().unwrap_or("cc");
    let mut command = Command::new(program);
    command
        .args(words)
        .args(["-shared", "-fPIC", "-O2", "-Wall", "-o"])
        .arg(&tmp)
        .arg(&c_file)
        .arg("-pthread");
    let shown = format!("{command:?}");
    let output = command
        .output()
        .map_err(|source| RecordError::CompilerMissing {
            compiler: cc.clone(),
            source,
        });
    let _ = fs::remove_file(&c_file);
    let output = output?;
    if !output.status.success() {
        let _ = fs::remove_file(&tmp);
        return Err(RecordError::ShimBuild {
            command: shown,
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    fs::rename(&tmp, &so).map_err(|e| RecordError::io(&so, "move into place", e))?;
    Ok(so)
}

/// A raw log's name: `<program>.<pid>.<segment>.mtrace`.
fn log_name(path: &Path) -> Option<(String, u32, u32)> {
    let name = path.file_name()?.to_str()?.strip_suffix(".mtrace")?;
    let mut parts = name.rsplitn(3, '.');
    let segment = parts.next()?.parse().ok()?;
    let pid = parts.next()?.parse().ok()?;
    let program = parts.next()?.to_owned();
    Some((program, pid, segment))
}

/// Converts the raw logs in `raw_dir` (`<program>.<pid>.<segment>.mtrace`, as the shim
/// names them) into `out_dir/<program>.<pid>.rep.zst`, one per process; returns the traces
/// written and the number of processes that allocated nothing.
///
/// # Errors
/// [`RecordError::Io`] for the folders and files, [`RecordError::Trace`] for a bad log.
pub fn convert_logs(
    raw_dir: &Path,
    out_dir: &Path,
    variant: RepVariant,
) -> Result<(Vec<RecordedTrace>, usize), RecordError> {
    let mut processes: BTreeMap<(String, u32), Vec<(u32, PathBuf)>> = BTreeMap::new();
    let entries = fs::read_dir(raw_dir).map_err(|e| RecordError::io(raw_dir, "list", e))?;
    for entry in entries {
        let path = entry
            .map_err(|e| RecordError::io(raw_dir, "list", e))?
            .path();
        if let Some((program, pid, segment)) = log_name(&path) {
            processes
                .entry((program, pid))
                .or_default()
                .push((segment, path));
        }
    }
    fs::create_dir_all(out_dir).map_err(|e| RecordError::io(out_dir, "create folder", e))?;
    let mut traces = Vec::new();
    let mut empty = 0;
    for ((program, pid), mut segments) in processes {
        segments.sort();
        let texts = segments
            .iter()
            .map(|(_, path)| {
                fs::read(path)
                    .map(|t| (path.display().to_string(), t))
                    .map_err(|e| RecordError::io(path, "read", e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let parts: Vec<(&str, &[u8])> = texts.iter().map(|(f, t)| (f.as_str(), &t[..])).collect();
        let trace = mtrace::parse_segments(&parts)?;
        if trace.ops.is_empty() {
            empty += 1;
            continue;
        }
        let name = format!("{program}.{pid}");
        let path = out_dir.join(format!("{name}.rep.zst"));
        let ops = trace.ops.len() as u64;
        let workload = Workload::new(
            name,
            trace.ops,
            Provenance::Mtrace {
                file: parts.first().map_or_else(String::new, |p| p.0.to_owned()),
                report: trace.report,
            },
        );
        rep::write_file(&path, &workload, variant)?;
        traces.push(RecordedTrace {
            path,
            program,
            pid,
            segments: segments.len(),
            ops,
            report: trace.report,
        });
    }
    Ok((traces, empty))
}
