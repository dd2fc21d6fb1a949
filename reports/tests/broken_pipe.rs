//! Output to a reader that went away (`workbench replay trace.rep | head -1`) ends quietly:
//! no panic, the command's own exit code.

mod common;

use std::process::{Command, Stdio};

use common::{command, trace_folder};

/// Runs `workbench args` with stdout a pipe whose reader has already exited, so its first
/// write fails with a broken pipe.
fn into_closed_pipe(args: &[&str]) -> std::process::Output {
    let mut reader = Command::new("true")
        .stdin(Stdio::piped())
        .spawn()
        .expect("`true` runs");
    let pipe = reader.stdin.take().unwrap();
    reader.wait().unwrap();
    command()
        .args(args)
        .stdout(Stdio::from(pipe))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
        .wait_with_output()
        .unwrap()
}

#[test]
fn printing_into_a_closed_pipe_is_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let trace = trace_folder(tmp.path(), "traces", false).join("good.rep");
    let run = into_closed_pipe(&["replay", trace.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");

    // `check` keeps its exit code (1: the heap is corrupt) when nobody reads its report.
    let dump = tmp.path().join("zeros.bin");
    std::fs::write(&dump, [0u8; 256]).unwrap();
    let run = into_closed_pipe(&["check", dump.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
