//! Records, at build time, what the benchmark binaries were built with: the compiler's
//! version (`rustc -V` of the compiler cargo uses), the profile's optimisation settings, and
//! the versions of the measured crates as the workspace's `Cargo.lock` pins them. The harness
//! writes them next to the results (see `src/info.rs`).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::env;
use std::fs;
use std::path::Path;
use std::process::Command;

/// Crates whose versions go into the results: the measured ones and the harness.
const CRATES: &[&str] = &[
    "mempool",
    "workloads",
    "benches",
    "criterion",
    "talc",
    "rlsf",
    "linked_list_allocator",
    "dlmalloc",
];

fn main() {
    let manifest = env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let lock = Path::new(&manifest).join("..").join("Cargo.lock");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={}", lock.display());

    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = Command::new(&rustc)
        .arg("-V")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| format!("unknown ({rustc} -V failed)"));
    println!("cargo:rustc-env=BENCHES_RUSTC_VERSION={version}");

    let target = env::var("TARGET").unwrap_or_default();
    println!("cargo:rustc-env=BENCHES_TARGET={target}");
    let opt = env::var("OPT_LEVEL").unwrap_or_default();
    println!("cargo:rustc-env=BENCHES_OPT_LEVEL={opt}");
    let debug = env::var("DEBUG").unwrap_or_default();
    println!("cargo:rustc-env=BENCHES_DEBUG={debug}");

    let text = fs::read_to_string(&lock).unwrap_or_default();
    let versions = locked_versions(&text);
    println!("cargo:rustc-env=BENCHES_CRATE_VERSIONS={versions}");
}

/// `name=version` pairs, `;`-separated, for [`CRATES`] as `Cargo.lock` lists them (every
/// version of a crate locked more than once). A crate missing from the lock file is left out.
fn locked_versions(lock: &str) -> String {
    let mut out = Vec::new();
    let mut name: Option<&str> = None;
    for line in lock.lines() {
        let line = line.trim();
        if line == "[[package]]" {
            name = None;
        } else if let Some(v) = line.strip_prefix("name = ") {
            name = Some(v.trim_matches('"'));
        } else if let Some(v) = line.strip_prefix("version = ") {
            if let Some(n) = name.filter(|n| CRATES.contains(n)) {
                out.push(format!("{n}={}", v.trim_matches('"')));
            }
        }
    }
    out.sort();
    out.join(";")
}
