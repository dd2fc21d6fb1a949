//! Node.js and the seed's npm package, for the tests that run @thi.ng/malloc.

use std::io;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// `core/tests/js`: the JavaScript drivers and the pinned `@thi.ng/malloc`.
pub fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/js")
}

/// True when node and the drivers' npm packages are there (running `npm ci` in [`js_dir`]
/// when they are missing). False, after saying why, when `test` must be skipped: no node or
/// npm outside CI. Panics under CI (`CI` set and not empty), which requires them, and when
/// `npm ci` fails.
pub fn node_ready(test: &str) -> bool {
    let dir = js_dir();
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    let missing = |what: &str| {
        assert!(!ci, "{what} is required for {test} under CI");
        eprintln!("SKIPPED {test}: {what} not found; install Node.js 20+ and npm to run it");
        false
    };
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        _ => return missing("node"),
    }
    if dir.join("node_modules/@thi.ng/malloc/pool.js").is_file() {
        return true;
    }
    let npm = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .stdin(Stdio::null())
        .output();
    match npm {
        Err(e) if e.kind() == io::ErrorKind::NotFound => missing("npm"),
        Err(e) => panic!("running npm ci in {}: {e}", dir.display()),
        Ok(out) => {
            assert!(
                out.status.success(),
                "npm ci in {} failed:\n{}{}",
                dir.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            true
        }
    }
}
