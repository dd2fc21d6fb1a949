//! Helpers shared by the tests that run the `workbench` binary: running it, small traces, and
//! listing a folder.

#![allow(dead_code)] // each test binary uses part of it

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A five-op malloc-lab trace.
pub const GOOD_TRACE: &str = "0\n3\n5\n1\na 0 100\na 1 200\nf 0\nr 1 400\na 2 50\n";

/// A trace whose line 6 holds an unknown op.
pub const BAD_TRACE: &str = "0\n1\n2\n1\na 0 100\nx 0\n";

/// The `workbench` binary, ready to run.
pub fn command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_workbench"))
}

/// Runs `workbench args` to the end.
pub fn workbench<S: AsRef<OsStr>>(args: &[S]) -> Output {
    command()
        .args(args)
        .output()
        .expect("the workbench binary runs")
}

/// The options of a small run over the trace folder `traces` alone (`--quick`, no built-in
/// or synthetic workloads), writing to `out`.
pub fn only_traces(traces: &Path, out: &Path) -> Vec<OsString> {
    let mut args: Vec<OsString> = ["--quick", "--no-synthetic", "--no-builtin", "--traces"]
        .map(OsString::from)
        .into();
    args.extend([traces.into(), "--out".into(), out.into()]);
    args
}

/// stdout and stderr, for assertion messages.
pub fn texts(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A folder `name` in `root` holding `good.rep` and, when `bad`, `bad.rep`.
pub fn trace_folder(root: &Path, name: &str, bad: bool) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("good.rep"), GOOD_TRACE).unwrap();
    if bad {
        std::fs::write(dir.join("bad.rep"), BAD_TRACE).unwrap();
    }
    dir
}

/// The names in `dir`, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A pool over a 2 KiB `Vec` with its state words at offset 8: the heaps the `check` tests
/// dump.
pub fn small_pool() -> mempool::MemPool<Vec<u8>> {
    mempool::MemPool::with_buffer(
        vec![0u8; 2048],
        mempool::PoolOptions {
            start: 8,
            ..mempool::PoolOptions::default()
        },
    )
    .expect("a valid pool")
}
