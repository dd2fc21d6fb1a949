//! What the recorder tests share: the C program they trace (`tracee.c`, compiled once per
//! test binary), a cached shim, one recording into fresh folders, and readers for what it
//! wrote.

#![allow(dead_code)] // each test binary uses its own part

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use workloads::record::{self, RecordOptions, RecordedTrace, Recording};
use workloads::{rep, Op, Workload};

/// The traced program's source.
pub const TRACEE_SOURCE: &str = include_str!("tracee.c");

/// Where the compiled tracee and the shim cache live: inside the target folder, one
/// folder per test binary.
fn build_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    let name = exe
        .file_stem()
        .map_or_else(|| "tests".into(), |s| s.to_string_lossy().into_owned());
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("record-tests")
        .join(name)
}

/// The shim cache the tests share.
pub fn shim_cache() -> PathBuf {
    build_dir().join("shim-cache")
}

/// The compiled tracee, or why the recorder tests cannot run here (printed as the reason
/// for skipping): no glibc malloc debug library, or no working C compiler.
pub fn tracee() -> Result<&'static Path, String> {
    static TRACEE: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    TRACEE
        .get_or_init(|| {
            record::find_debug_lib().map_err(|e| e.to_string())?;
            let dir = build_dir();
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let src = dir.join("tracee.c");
            let exe = dir.join("tracee");
            std::fs::write(&src, TRACEE_SOURCE).map_err(|e| format!("{}: {e}", src.display()))?;
            let out = Command::new("cc")
                .args(["-O0", "-pthread", "-o"])
                .arg(&exe)
                .arg(&src)
                .output()
                .map_err(|e| format!("no working C compiler `cc`: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "`cc` cannot build the tracee: {}",
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
            Ok(exe)
        })
        .as_deref()
        .map_err(Clone::clone)
}

/// The compiled tracee, or `None` after printing why the test is skipped.
pub fn tracee_or_skip() -> Option<&'static Path> {
    match tracee() {
        Ok(path) => Some(path),
        Err(why) => {
            println!("skipped: {why}");
            None
        }
    }
}

/// A recording and the folders it wrote.
pub struct Recorded {
    /// What `record_with` returned.
    pub rec: Recording,
    /// The raw logs (kept for inspection).
    pub raw: PathBuf,
    /// The `.rep.zst` traces.
    pub out: PathBuf,
    _tmp: tempfile::TempDir,
}

/// Records `cmd args` into fresh folders, with the shim cached beside the tracee.
pub fn record(cmd: &Path, args: &[&str]) -> Recorded {
    let tmp = tempfile::tempdir().unwrap();
    let raw = tmp.path().join("raw");
    let out = tmp.path().join("out");
    let opts = RecordOptions {
        shim_cache: Some(shim_cache()),
        raw_dir: Some(raw.clone()),
        ..RecordOptions::new(&out)
    };
    let args: Vec<OsString> = args.iter().map(OsString::from).collect();
    let rec = record::record_with(cmd.as_os_str(), &args, &opts).unwrap();
    Recorded {
        rec,
        raw,
        out,
        _tmp: tmp,
    }
}

impl Recorded {
    /// The programs of one pid's images, in image order (from the raw logs' headers, so
    /// images that allocated nothing count too).
    pub fn images(&self, pid: u32) -> Vec<String> {
        let mut images = BTreeMap::new();
        for (log_pid, image, text) in self.logs() {
            if log_pid == pid {
                let program = text
                    .lines()
                    .next()
                    .and_then(|l| l.strip_prefix(record::PROGRAM_HEADER))
                    .unwrap_or("?")
                    .to_owned();
                images.insert(image, program);
            }
        }
        assert_eq!(
            images.keys().copied().collect::<Vec<_>>(),
            (0..images.len() as u32).collect::<Vec<_>>(),
            "pid {pid}: images numbered 0, 1, ... without gaps"
        );
        images.into_values().collect()
    }

    /// Every raw log: pid, image, text. Also checks that each was written by one image
    /// only: one program line, first, and at most one `= Start`.
    pub fn logs(&self) -> Vec<(u32, u32, String)> {
        let mut logs = Vec::new();
        for entry in std::fs::read_dir(&self.raw).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let stem = name
                .strip_suffix(".mtrace")
                .expect("only logs in the raw folder");
            let (pid, image) = stem.split_once('.').unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                text.starts_with(record::PROGRAM_HEADER),
                "{name}: {text:.200}"
            );
            assert_eq!(text.matches("= program ").count(), 1, "{name}");
            assert!(text.matches("= Start").count() <= 1, "{name}");
            assert!(
                text.is_empty() || text.ends_with('\n'),
                "{name} ends mid-line"
            );
            logs.push((pid.parse().unwrap(), image.parse().unwrap(), text));
        }
        logs
    }

    /// The trace of `pid`'s image `image`, checked against its file's name and contents.
    pub fn trace(&self, pid: u32, image: u32) -> (&RecordedTrace, Workload) {
        let t = self
            .rec
            .traces
            .iter()
            .find(|t| t.pid == pid && t.image == image)
            .unwrap_or_else(|| panic!("no trace for pid {pid} image {image}: {:?}", self.rec));
        let name = record::trace_name(&t.program, pid, image);
        assert_eq!(t.path, self.out.join(format!("{name}.rep.zst")));
        let w = rep::read(&t.path).unwrap();
        assert_eq!(w.name, name);
        assert_eq!(w.ops.len() as u64, t.ops);
        (t, w)
    }

    /// The pids that wrote logs.
    pub fn pids(&self) -> Vec<u32> {
        let mut pids: Vec<u32> = self.logs().into_iter().map(|(p, _, _)| p).collect();
        pids.sort_unstable();
        pids.dedup();
        pids
    }
}

/// How many allocations of each size in `sizes` the ops hold (reallocs not counted).
pub fn allocs_in(ops: &[Op], sizes: std::ops::Range<u64>) -> usize {
    ops.iter()
        .filter(|op| matches!(op, Op::Alloc { size, .. } if sizes.contains(size)))
        .count()
}

/// Checks that `ops` allocate each size of `sizes` exactly once and free every such block.
pub fn assert_each_allocated_and_freed(ops: &[Op], sizes: std::ops::Range<u64>) {
    let mut ids = BTreeMap::new();
    for op in ops {
        if let Op::Alloc { id, size } = op {
            if sizes.contains(size) {
                assert!(ids.insert(*id, *size).is_none());
            }
        }
    }
    let mut got: Vec<u64> = ids.values().copied().collect();
    got.sort_unstable();
    assert_eq!(got, sizes.collect::<Vec<_>>(), "each size allocated once");
    let freed = ops
        .iter()
        .filter(|op| matches!(op, Op::Free { id } if ids.contains_key(id)))
        .count();
    assert_eq!(freed, ids.len(), "every one of them freed");
}
