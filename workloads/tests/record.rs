//! The recorder on a real program: a C program that allocates, reallocs, forks a child that
//! frees a block it inherited, and waits. Each process gets its own log and trace, the
//! parent's going on across the fork, and the child's free of the inherited block is a
//! pre-trace free. Also: the errors for a missing debug library, a failing compiler and a
//! missing program. Skipped, with the reason printed, without glibc's debug library or a C
//! compiler.
//!
//! One test function: it sets environment variables, which other threads must not see.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

use workloads::record::{self, ProgramExit, RecordOptions, DEBUG_LIB_ENV};
use workloads::{rep, Op, RecordError};

const PROGRAM: &str = r#"
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    void *volatile keep[64];
    int i;
    for (i = 0; i < 64; i++)
        keep[i] = malloc(1000 + i);
    for (i = 0; i < 64; i += 2)
        keep[i] = realloc(keep[i], 5000 + i);
    pid_t pid = fork();
    if (pid == 0) {
        for (i = 0; i < 7; i++) {
            void *volatile p = malloc(777);
            free(p);
        }
        free(keep[1]);
        exit(0);
    }
    waitpid(pid, NULL, 0);
    for (i = 0; i < 64; i++)
        free(keep[i]);
    for (i = 0; i < 5; i++) {
        void *volatile p = malloc(3333);
        free(p);
    }
    return 3;
}
"#;

fn compile(dir: &Path) -> Option<std::path::PathBuf> {
    let src = dir.join("forker.c");
    let exe = dir.join("forker");
    std::fs::write(&src, PROGRAM).unwrap();
    let status = Command::new("cc")
        .args(["-O0", "-o"])
        .arg(&exe)
        .arg(&src)
        .status()
        .ok()?;
    status.success().then_some(exe)
}

fn sizes(ops: &[Op], size: u64) -> usize {
    ops.iter()
        .filter(|op| matches!(op, Op::Alloc { size: s, .. } if *s == size))
        .count()
}

#[test]
fn recorder_traces_each_process_of_a_forking_program() {
    if let Err(e) = record::find_debug_lib() {
        println!("skipped: {e}");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let Some(exe) = compile(tmp.path()) else {
        println!("skipped: no working C compiler `cc`");
        return;
    };
    let cache = tmp.path().join("cache");

    // A missing debug library is a clear error.
    std::env::set_var(DEBUG_LIB_ENV, "/nonexistent/libc_malloc_debug.so.0");
    let e = record::record(exe.as_os_str(), &[], &tmp.path().join("none")).unwrap_err();
    std::env::remove_var(DEBUG_LIB_ENV);
    assert!(matches!(e, RecordError::DebugLibMissing { .. }), "{e}");
    assert!(e.to_string().contains("libc_malloc_debug.so.0"), "{e}");
    assert!(e.to_string().contains("/nonexistent/"), "{e}");

    // A compiler that fails is reported with its command.
    let saved_cc = std::env::var_os("CC");
    std::env::set_var("CC", "false");
    let e = record::build_shim(Some(&tmp.path().join("cache-false"))).unwrap_err();
    std::env::set_var("CC", "/nonexistent/cc");
    let missing = record::build_shim(Some(&tmp.path().join("cache-none"))).unwrap_err();
    match saved_cc {
        Some(cc) => std::env::set_var("CC", cc),
        None => std::env::remove_var("CC"),
    }
    assert!(matches!(e, RecordError::ShimBuild { .. }), "{e}");
    assert!(
        matches!(missing, RecordError::CompilerMissing { .. }),
        "{missing}"
    );

    // A program that does not exist.
    let e = record::record_with(
        "/nonexistent/program".as_ref(),
        &[],
        &RecordOptions {
            shim_cache: Some(cache.clone()),
            ..RecordOptions::new(tmp.path().join("none"))
        },
    )
    .unwrap_err();
    assert!(matches!(e, RecordError::Spawn { .. }), "{e}");

    // The real thing.
    let out = tmp.path().join("out");
    let opts = RecordOptions {
        shim_cache: Some(cache.clone()),
        raw_dir: Some(tmp.path().join("raw")),
        ..RecordOptions::new(&out)
    };
    let args: Vec<OsString> = Vec::new();
    let rec = record::record_with(exe.as_os_str(), &args, &opts).unwrap();
    assert_eq!(rec.exit, ProgramExit::Code(3));
    assert_eq!(rec.status_code(), 3);
    assert!(rec.warnings.is_empty(), "{:?}", rec.warnings);
    assert_eq!(
        rec.raw_dir.as_deref(),
        Some(tmp.path().join("raw").as_path())
    );
    let mine: Vec<_> = rec
        .traces
        .iter()
        .filter(|t| t.program == "forker")
        .collect();
    assert_eq!(mine.len(), 2, "{:?}", rec.traces);
    let (parent, child) = if mine[0].pid == rec.pid {
        (mine[0], mine[1])
    } else {
        (mine[1], mine[0])
    };
    assert_eq!(parent.pid, rec.pid);
    assert_ne!(parent.pid, child.pid);
    assert_eq!((parent.image, child.image), (0, 0));

    let p = rep::read(&parent.path).unwrap();
    assert_eq!(p.name, format!("forker.{}.0", parent.pid));
    assert_eq!(parent.ops, p.ops.len() as u64);
    for i in 0..64 {
        assert_eq!(sizes(&p.ops, 1000 + i), 1, "malloc({})", 1000 + i);
    }
    let reallocs = p
        .ops
        .iter()
        .filter(|op| matches!(op, Op::Realloc { size, .. } if (5000..5064).contains(size)))
        .count();
    assert_eq!(reallocs, 32);
    assert_eq!(sizes(&p.ops, 3333), 5);
    assert_eq!(
        sizes(&p.ops, 777),
        0,
        "the child's blocks are not the parent's"
    );
    // All 64 kept blocks are freed after the fork, in the same log.
    let frees = p
        .ops
        .iter()
        .filter(|op| matches!(op, Op::Free { .. }))
        .count();
    assert!(frees >= 64 + 5, "{frees}");

    let c = rep::read(&child.path).unwrap();
    assert_eq!(sizes(&c.ops, 777), 7);
    assert_eq!(sizes(&c.ops, 1001), 0);
    assert!(
        child.report.pretrace_frees >= 1,
        "the inherited block's free: {:?}",
        child.report
    );

    // The raw logs were kept, one per process image, named by pid and image.
    let mut raw: Vec<String> = std::fs::read_dir(tmp.path().join("raw"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    raw.sort();
    let mut expected = vec![
        format!("{}.0.mtrace", parent.pid),
        format!("{}.0.mtrace", child.pid),
    ];
    expected.sort();
    assert_eq!(raw, expected);

    // The shim is cached: a second build reuses it.
    let shim = record::build_shim(Some(&cache)).unwrap();
    let modified = std::fs::metadata(&shim).unwrap().modified().unwrap();
    let again = record::build_shim(Some(&cache)).unwrap();
    assert_eq!(shim, again);
    assert_eq!(
        std::fs::metadata(&again).unwrap().modified().unwrap(),
        modified
    );
}
