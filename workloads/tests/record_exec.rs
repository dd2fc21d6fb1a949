//! The recorder on programs started the way real programs are: through a wrapper script
//! that `exec`s them, through `env`, down a chain of three `exec`s, as a forked child that
//! `exec`s, killed by a signal, and with threads allocating at once. Each gives the traced
//! program its own trace, with every one of its requests, and every process image its own
//! log (`<pid>.<image>.mtrace`, never shared). Also: a program that stops tracing itself
//! and forks, and a log that cannot be converted (it costs only its own trace). Skipped,
//! with the reason printed, without glibc's malloc debug library or a C compiler.

mod record_support;

use std::path::Path;

use record_support::{
    allocs_in, assert_each_allocated_and_freed, record, shim_cache, tracee_or_skip,
};
use workloads::error::RecordWarning;
use workloads::record::{self as recorder, ProgramExit, RecordOptions};

/// Writes an executable script into `dir`.
fn script(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn a_wrapper_script_that_execs_the_program() {
    let Some(tracee) = tracee_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // bash, as in pyenv's shims: it defines its own setenv, which defeated the old shim.
    let wrapper = script(dir.path(), "wrapper", "#!/bin/bash\nexec \"$@\"\n");
    let t = tracee.to_str().unwrap();
    let r = record(&wrapper, &[t, "alloc", "100", "70001"]);
    assert_eq!(r.rec.exit, ProgramExit::Code(0));
    assert_eq!(r.rec.status_code(), 0);
    let pid = r.rec.pid;
    assert_eq!(r.images(pid), ["bash", "tracee"]);
    let (t, w) = r.trace(pid, 1);
    assert_eq!(t.program, "tracee");
    assert_eq!(r.rec.program_trace(), Some(t));
    assert_each_allocated_and_freed(&w.ops, 70001..70101);
    // The wrapper's own trace holds none of the program's requests.
    let (_, bash) = r.trace(pid, 0);
    assert_eq!(allocs_in(&bash.ops, 70001..70101), 0);
    assert!(r.rec.warnings.is_empty(), "{:?}", r.rec.warnings);
}

#[test]
fn env_var_then_the_program() {
    let Some(tracee) = tracee_or_skip() else {
        return;
    };
    let t = tracee.to_str().unwrap();
    let r = record(Path::new("env"), &["VAR=1", t, "alloc", "50", "70201"]);
    assert_eq!(r.rec.exit, ProgramExit::Code(0));
    let pid = r.rec.pid;
    assert_eq!(r.images(pid), ["env", "tracee"]);
    assert_eq!(r.pids(), [pid], "one process");
    let (_, w) = r.trace(pid, 1);
    assert_each_allocated_and_freed(&w.ops, 70201..70251);
    assert!(r.rec.warnings.is_empty(), "{:?}", r.rec.warnings);
}

#[test]
fn a_chain_of_three_execs() {
    let Some(tracee) = tracee_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let second = script(dir.path(), "second.sh", "exec env STAGE=3 \"$@\"\n");
    let first = script(
        dir.path(),
        "first.sh",
        &format!("exec /bin/bash {} \"$@\"\n", second.display()),
    );
    let t = tracee.to_str().unwrap();
    let first = first.to_str().unwrap();
    // sh -> bash -> env -> tracee, all in one pid.
    let r = record(Path::new("/bin/sh"), &[first, t, "alloc", "64", "70301"]);
    assert_eq!(r.rec.exit, ProgramExit::Code(0));
    let pid = r.rec.pid;
    assert_eq!(r.images(pid), ["sh", "bash", "env", "tracee"]);
    let (t, w) = r.trace(pid, 3);
    assert_eq!(r.rec.program_trace(), Some(t));
    assert_each_allocated_and_freed(&w.ops, 70301..70365);
    for image in 0..3 {
        if let Some(t) = r
            .rec
            .traces
            .iter()
            .find(|t| t.pid == pid && t.image == image)
        {
            let (_, other) = r.trace(pid, t.image);
            assert_eq!(allocs_in(&other.ops, 70301..70365), 0, "image {image}");
        }
    }
    assert!(r.rec.warnings.is_empty(), "{:?}", r.rec.warnings);
}

#[test]
fn a_forked_child_that_execs() {
    let Some(tracee) = tracee_or_skip() else {
        return;
    };
    let r = record(tracee, &["fork-exec", "40", "70401"]);
    assert_eq!(r.rec.exit, ProgramExit::Code(0));
    let parent = r.rec.pid;
    let pids = r.pids();
    assert_eq!(pids.len(), 2, "{pids:?}");
    let child = pids.into_iter().find(|&p| p != parent).unwrap();
    assert_eq!(r.images(parent), ["tracee"]);
    // The child: the forked copy of the parent, then the program it exec'd.
    assert_eq!(r.images(child), ["tracee", "tracee"]);

    let (_, p) = r.trace(parent, 0);
    assert_each_allocated_and_freed(&p.ops, 70401..70441);
    assert_eq!(allocs_in(&p.ops, 7777..7778), 0, "the child's blocks");
    assert_eq!(allocs_in(&p.ops, 70441..70481), 0, "the exec'd program's");

    let (_, copy) = r.trace(child, 0);
    assert_eq!(allocs_in(&copy.ops, 7777..7778), 5);
    assert_eq!(allocs_in(&copy.ops, 70401..70481), 0);

    let (_, exec) = r.trace(child, 1);
    assert_each_allocated_and_freed(&exec.ops, 70441..70481);
    assert_eq!(allocs_in(&exec.ops, 7777..7778), 0);
    assert!(r.rec.warnings.is_empty(), "{:?}", r.rec.warnings);
}

#[test]
fn a_program_killed_by_a_signal() {
    let Some(tracee) = tracee_or_skip() else {
        return;
    };
    let r = record(tracee, &["kill", "300", "70501"]);
    // SIGKILL is 9: the recording's exit code is 128 + 9, as a shell reports it.
    assert_eq!(r.rec.exit, ProgramExit::Signal(9));
    assert_eq!(r.rec.status_code(), 137);
    let pid = r.rec.pid;
    assert_eq!(r.images(pid), ["tracee"]);
    // Nothing was flushed at exit, yet every request up to the signal is in the trace.
    let (t, w) = r.trace(pid, 0);
    assert_eq!(allocs_in(&w.ops, 70501..70801), 300);
    assert!(t.report.live_at_end >= 300);
    assert!(!t.report.truncated_tail);
    assert!(r.rec.warnings.is_empty(), "{:?}", r.rec.warnings);
}

#[test]
fn threads_allocating_at_once() {
    let Some(tracee) = tracee_or_skip() else {
        return;
    };
    let r = record(tracee, &["threads", "4", "2000", "80001"]);
    assert_eq!(r.rec.exit, ProgramExit::Code(0));
    let pid = r.rec.pid;
    assert_eq!(r.pids(), [pid]);
    assert_eq!(r.images(pid), ["tracee"]);
    let (_, w) = r.trace(pid, 0);
    // Whole records from every thread: all 8,000 requests, each freed.
    assert_each_allocated_and_freed(&w.ops, 80001..88001);
    assert!(r.rec.warnings.is_empty(), "{:?}", r.rec.warnings);
}

#[test]
fn a_program_that_stops_tracing_itself_then_forks() {
    let Some(tracee) = tracee_or_skip() else {
        return;
    };
    let r = record(tracee, &["untrace", "30", "70701"]);
    assert_eq!(r.rec.exit, ProgramExit::Code(0));
    let pid = r.rec.pid;
    assert_eq!(
        r.pids(),
        [pid],
        "the child forked after muntrace() has no log"
    );
    let (_, w) = r.trace(pid, 0);
    assert_each_allocated_and_freed(&w.ops, 70701..70731);
    assert_eq!(allocs_in(&w.ops, 70731..70761), 0, "traced no more");
}

#[test]
fn a_log_that_cannot_be_converted_costs_only_its_own_trace() {
    let Some(tracee) = tracee_or_skip() else {
        return;
    };
    let out = tempfile::tempdir().unwrap();
    // The shell runs the program in a child (a forked copy of the shell, image 0, that
    // execs it, image 1), then scribbles into the finished log of that copy.
    let line = format!(
        "{} alloc 20 70601 & child=$!; wait $child; \
         echo scribble >> \"$WORKLOADS_MTRACE_DIR/$child.0.mtrace\"",
        tracee.display()
    );
    let opts = RecordOptions {
        shim_cache: Some(shim_cache()),
        ..RecordOptions::new(out.path())
    };
    let rec =
        recorder::record_with("/bin/sh".as_ref(), &["-c".into(), line.into()], &opts).unwrap();
    assert_eq!(rec.exit, ProgramExit::Code(0));
    let [RecordWarning::Unconverted { file, error, kept }] = &rec.warnings[..] else {
        panic!("{:?}", rec.warnings);
    };
    // The program's own trace is written all the same.
    let t = rec.traces.iter().find(|t| t.program == "tracee").unwrap();
    assert_eq!(t.image, 1);
    assert_ne!(t.pid, rec.pid);
    let w = workloads::rep::read(&t.path).unwrap();
    assert_each_allocated_and_freed(&w.ops, 70601..70621);
    // So is the shell's; the temporary raw folder is kept for the bad log, and named.
    assert!(rec.traces.iter().any(|t| (t.pid, t.image) == (rec.pid, 0)));
    let raw = rec.raw_dir.clone().expect("the raw folder is kept");
    assert_eq!(kept, &raw.display().to_string());
    let bad = raw.join(format!("{}.0.mtrace", t.pid));
    assert_eq!(file, &bad.display().to_string());
    assert!(error.contains("\"scribble\""), "{error}");
    assert!(bad.is_file());
    std::fs::remove_dir_all(&raw).unwrap();
}
