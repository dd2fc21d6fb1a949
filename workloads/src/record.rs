//! The recorder: runs an unmodified program under glibc's malloc tracing and converts what
//! each of its process images did into a `.rep.zst` trace.
//!
//! How: `LD_PRELOAD=libc_malloc_debug.so.0:<shim>.so` (glibc 2.34 moved the working
//! `mtrace()` into that debug library). The shim ([`SHIM_SOURCE`], a page of C) gives every
//! process image a log of its own, named `<pid>.<image>.mtrace` in a raw folder:
//!
//! 1. *Image*: the program a process starts with is image 0, the program its first `exec`
//!    loads is image 1, and so on. The shim decides the number when it loads, as the first
//!    one whose log does not exist yet, and creates that log with `O_CREAT | O_EXCL`, so a
//!    log is never shared or appended to by two images, whatever environment the program
//!    passes on. The log's first line names the program ([`PROGRAM_HEADER`]).
//! 2. *fork*: the child (a new pid) claims a log of its own the same way and moves the
//!    inherited trace stream onto it; the parent's log goes on. `vfork` and `posix_spawn`
//!    children run no fork handlers: they `exec` (loading the shim again) and allocate
//!    nothing before, or what they do allocate is in the parent's log.
//! 3. *Cut records*: the stream is flushed at every line end, so an image that is killed,
//!    `exec`s or calls `_exit` loses at most the record it was writing; the conversion drops
//!    that record with a warning ([`TraceWarning::CutRecord`]) and keeps the rest. One write
//!    per record costs a system call each, which slows a program that does little but
//!    allocate; it is what makes a killed program's trace complete.
//!
//! After the program exits, each log is converted ([`crate::mtrace`]) and written as
//! `<program>.<pid>.<image>.rep.zst` ([`trace_name`]). A log that cannot be converted costs
//! only its own trace: it is reported ([`RecordWarning::Unconverted`]) and the raw folder is
//! kept for it. The recording's exit code ([`Recording::status_code`]) is the program's, or
//! 128 + the signal number when a signal ended it, as POSIX shells report it.
//!
//! The shim is compiled from source at run time with the system C compiler (`$CC`, else
//! `cc`) into a cache folder, keyed by a hash of the source and compiler, and reused
//! afterwards. Compiling at run time rather than in a build script keeps the C compiler a
//! need of recording alone: the crate builds, and its replay runs, where no compiler or no
//! glibc is present, and a missing compiler is an error value at the moment it matters.
//!
//! [`TraceWarning::CutRecord`]: crate::error::TraceWarning::CutRecord

#![forbid(unsafe_code)]

use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::hash::{Hash, Hasher};
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

use serde::{Deserialize, Serialize};

use crate::error::{RecordError, RecordWarning};
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

/// The start of a log's first line, followed by the program's name
/// (`program_invocation_short_name`, bytes outside `!`..`~` written as `_`). mtrace readers
/// take `=` lines for markers.
pub const PROGRAM_HEADER: &str = "= program ";

/// How to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordOptions {
    /// Where the `.rep.zst` files go (created if missing).
    pub out_dir: PathBuf,
    /// Where the compiled shim is cached (default: [`default_cache_dir`]).
    pub shim_cache: Option<PathBuf>,
    /// Keep the raw mtrace logs in this folder, which should be empty (default: a temporary
    /// folder, removed unless a log could not be converted).
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

/// One process image's converted trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedTrace {
    /// The written `.rep.zst`.
    pub path: PathBuf,
    /// The image's program name (glibc's `program_invocation_short_name`).
    pub program: String,
    /// Its process id.
    pub pid: u32,
    /// Which image of the process it is: 0 for the program the process started with, `n`
    /// for the one its `n`-th `exec` loaded.
    pub image: u32,
    /// Ops in the trace.
    pub ops: u64,
    /// What the conversion counted.
    pub report: MtraceReport,
}

/// How the recorded program ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProgramExit {
    /// It exited with this code.
    Code(i32),
    /// This signal ended it.
    Signal(i32),
}

impl ProgramExit {
    /// From the status `wait` reported.
    #[must_use]
    pub fn from_status(status: ExitStatus) -> Self {
        match (status.code(), status.signal()) {
            (Some(code), _) => Self::Code(code),
            (None, Some(signal)) => Self::Signal(signal),
            // Neither (a stopped child, which `wait` for an ended one never reports).
            (None, None) => Self::Code(status.into_raw()),
        }
    }

    /// The exit code a recording passes on: the program's own, or 128 + the signal's number
    /// when a signal ended it (how POSIX shells report it: 137 for `SIGKILL`).
    #[must_use]
    pub fn status_code(self) -> i32 {
        match self {
            Self::Code(code) => code,
            Self::Signal(signal) => 128 + signal,
        }
    }
}

/// The outcome of a recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recording {
    /// The process id of the program started (its images are the traces with this pid).
    pub pid: u32,
    /// That process's last image number, from its logs (`None` without any).
    pub last_image: Option<u32>,
    /// How the program ended.
    pub exit: ProgramExit,
    /// The traces, by pid, then image.
    pub traces: Vec<RecordedTrace>,
    /// Process images whose logs held no allocation (no trace written for them).
    pub empty: usize,
    /// What the conversion survived: records cut short (dropped), logs that could not be
    /// converted (no trace for them; the raw folder is kept).
    pub warnings: Vec<RecordWarning>,
    /// The raw logs' folder, when it is kept: [`RecordOptions::raw_dir`], or the temporary
    /// folder kept for a log that could not be converted.
    pub raw_dir: Option<PathBuf>,
}

impl Recording {
    /// The exit code to pass on ([`ProgramExit::status_code`]).
    #[must_use]
    pub fn status_code(&self) -> i32 {
        self.exit.status_code()
    }

    /// The trace of the last program the started process ran (its last image: the program
    /// that wrapper scripts, `env` and shims in front of it `exec`'d), or `None` when that
    /// image allocated nothing or left no log.
    #[must_use]
    pub fn program_trace(&self) -> Option<&RecordedTrace> {
        let image = self.last_image?;
        self.traces
            .iter()
            .find(|t| t.pid == self.pid && t.image == image)
    }
}

/// Records `cmd args...` into `out_dir` with default options (see [`record_with`]).
///
/// # Errors
/// As [`record_with`].
pub fn record(cmd: &OsStr, args: &[OsString], out_dir: &Path) -> Result<Recording, RecordError> {
    record_with(cmd, args, &RecordOptions::new(out_dir))
}

/// Runs `cmd args...` (stdin, stdout and stderr inherited) under malloc tracing and writes
/// one `.rep.zst` per process image that allocated. A failing exit code or a signal is
/// reported, not an error: the traces up to then are written.
///
/// # Errors
/// [`RecordError::DebugLibMissing`] without glibc's debug library; compiler errors building
/// the shim; [`RecordError::Spawn`] when `cmd` cannot start; I/O errors on the folders and
/// files. A log that cannot be converted is a warning, not an error.
pub fn record_with(
    cmd: &OsStr,
    args: &[OsString],
    opts: &RecordOptions,
) -> Result<Recording, RecordError> {
    let lib = find_debug_lib()?;
    let shim = build_shim(opts.shim_cache.as_deref())?;
    let (temp, raw_dir) = match &opts.raw_dir {
        Some(dir) => {
            fs::create_dir_all(dir).map_err(|e| RecordError::io(dir, "create folder", e))?;
            (None, dir.clone())
        }
        None => {
            let temp = tempfile::Builder::new()
                .prefix("workloads-mtrace-")
                .tempdir()
                .map_err(|e| {
                    RecordError::io(&std::env::temp_dir(), "create temporary folder", e)
                })?;
            let path = temp.path().to_path_buf();
            (Some(temp), path)
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
    let mut child = Command::new(cmd)
        .args(args)
        .env("LD_PRELOAD", preload)
        .env(TRACE_DIR_ENV, &raw_dir)
        .env_remove("MALLOC_TRACE")
        .spawn()
        .map_err(|source| RecordError::Spawn {
            command: cmd.to_string_lossy().into_owned(),
            source,
        })?;
    let status = child
        .wait()
        .map_err(|e| RecordError::io(Path::new(cmd), "wait for", e))?;
    let converted = convert_logs(&raw_dir, &opts.out_dir, opts.variant)?;
    let unconverted = converted
        .warnings
        .iter()
        .any(|w| matches!(w, RecordWarning::Unconverted { .. }));
    let kept = match temp {
        Some(t) if unconverted => Some(t.keep()),
        Some(_) => None,
        None => Some(raw_dir),
    };
    Ok(Recording {
        pid: child.id(),
        last_image: converted.last_images.get(&child.id()).copied(),
        exit: ProgramExit::from_status(status),
        traces: converted.traces,
        empty: converted.empty,
        warnings: converted.warnings,
        raw_dir: kept,
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
/// Concurrent builds do not disturb each other (each compiles into a file of its own, moved
/// into place when complete).
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
    let temp_in_cache = |suffix: &str| {
        tempfile::Builder::new()
            .prefix(&format!("{stem}."))
            .suffix(suffix)
            .tempfile_in(&dir)
            .map_err(|e| RecordError::io(&dir, "create a temporary file in", e))
    };
    let c_file = temp_in_cache(".c")?;
    fs::write(c_file.path(), SHIM_SOURCE)
        .map_err(|e| RecordError::io(c_file.path(), "write", e))?;
    let built = temp_in_cache(".so.tmp")?;
    let mut words = cc.split_whitespace();
    let program = words.next().unwrap_or("cc");
    let mut command = Command::new(program);
    command
        .args(words)
        .args(["-shared", "-fPIC", "-O2", "-Wall", "-o"])
        .arg(built.path())
        .arg(c_file.path())
        .arg("-pthread");
    let shown = format!("{command:?}");
    let output = command
        .output()
        .map_err(|source| RecordError::CompilerMissing {
            compiler: cc.clone(),
            source,
        })?;
    if !output.status.success() {
        return Err(RecordError::ShimBuild {
            command: shown,
            status: output.status.to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    built
        .persist(&so)
        .map_err(|e| RecordError::io(&so, "move into place", e.error))?;
    Ok(so)
}

/// The name of one process image's trace, its file stem and workload name:
/// `<program>.<pid>.<image>`.
#[must_use]
pub fn trace_name(program: &str, pid: u32, image: u32) -> String {
    format!("{program}.{pid}.{image}")
}

/// A raw log's pid and image, from its name `<pid>.<image>.mtrace`.
fn log_name(path: &Path) -> Option<(u32, u32)> {
    let name = path.file_name()?.to_str()?.strip_suffix(".mtrace")?;
    let (pid, image) = name.split_once('.')?;
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(pid) || !all_digits(image) {
        return None;
    }
    Some((pid.parse().ok()?, image.parse().ok()?))
}

/// The program a log names in its first line ([`PROGRAM_HEADER`]), with any byte that
/// does not belong in a file name written as `_`; `unknown` without the line.
fn program_of(log: &[u8]) -> String {
    let first = log.split(|&b| b == b'\n').next().unwrap_or_default();
    let name = first
        .strip_prefix(PROGRAM_HEADER.as_bytes())
        .map(<[u8]>::trim_ascii)
        .unwrap_or_default();
    if name.is_empty() {
        return "unknown".to_owned();
    }
    name.iter()
        .map(|&b| {
            if b.is_ascii_graphic() && b != b'/' {
                char::from(b)
            } else {
                '_'
            }
        })
        .collect()
}

/// What [`convert_logs`] wrote and survived.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Converted {
    /// The traces written, by pid, then image.
    pub traces: Vec<RecordedTrace>,
    /// Logs that held no allocation (no trace written for them).
    pub empty: usize,
    /// Records cut short and dropped; logs that could not be converted.
    pub warnings: Vec<RecordWarning>,
    /// Each pid's last image: the highest image number among its logs.
    pub last_images: BTreeMap<u32, u32>,
}

/// Converts the raw logs in `raw_dir` (`<pid>.<image>.mtrace`, as the shim names them) into
/// `out_dir/<program>.<pid>.<image>.rep.zst` ([`trace_name`]), one per process image. A log
/// that ends in a record cut short loses that record ([`TraceWarning::CutRecord`]); a log
/// that cannot be converted loses its own trace and nothing else
/// ([`RecordWarning::Unconverted`]).
///
/// [`TraceWarning::CutRecord`]: crate::error::TraceWarning::CutRecord
///
/// # Errors
/// [`RecordError::Io`] for the folders and files, [`RecordError::Trace`] when a trace cannot
/// be written.
pub fn convert_logs(
    raw_dir: &Path,
    out_dir: &Path,
    variant: RepVariant,
) -> Result<Converted, RecordError> {
    let mut logs: BTreeMap<(u32, u32), PathBuf> = BTreeMap::new();
    let entries = fs::read_dir(raw_dir).map_err(|e| RecordError::io(raw_dir, "list", e))?;
    for entry in entries {
        let path = entry
            .map_err(|e| RecordError::io(raw_dir, "list", e))?
            .path();
        if let Some(key) = log_name(&path) {
            logs.insert(key, path);
        }
    }
    fs::create_dir_all(out_dir).map_err(|e| RecordError::io(out_dir, "create folder", e))?;
    let mut done = Converted::default();
    for ((pid, image), log) in logs {
        done.last_images.insert(pid, image);
        let text = fs::read(&log).map_err(|e| RecordError::io(&log, "read", e))?;
        let file = log.display().to_string();
        let trace = match mtrace::parse(&text, &file) {
            Ok(trace) => trace,
            Err(e) => {
                done.warnings.push(RecordWarning::Unconverted {
                    file,
                    error: e.to_string(),
                    kept: raw_dir.display().to_string(),
                });
                continue;
            }
        };
        done.warnings
            .extend(trace.warnings.into_iter().map(RecordWarning::Trace));
        if trace.ops.is_empty() {
            done.empty += 1;
            continue;
        }
        let program = program_of(&text);
        let name = trace_name(&program, pid, image);
        let path = out_dir.join(format!("{name}.rep.zst"));
        let ops = trace.ops.len() as u64;
        let workload = Workload::new(
            name,
            trace.ops,
            Provenance::Mtrace {
                file,
                report: trace.report,
            },
        );
        rep::write_file(&path, &workload, variant)?;
        done.traces.push(RecordedTrace {
            path,
            program,
            pid,
            image,
            ops,
            report: trace.report,
        });
    }
    Ok(done)
}
