//! What a run was measured on and with: the machine, the toolchain, the crate versions, the
//! revision and the date. Each harness writes it as `bench-info.json` in the criterion folder
//! when it starts ([`record`]); the `export` and `gate` binaries copy it into their output.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::profile::{seeds, Profile};
use crate::timefmt;

/// File name of the record, inside the criterion folder.
pub const FILE_NAME: &str = "bench-info.json";

/// Schema tag of [`BuildInfo`].
pub const SCHEMA: &str = "mempool-workbench/bench-info/1";

/// The machine a run was measured on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Machine {
    /// Logical CPUs the process may use.
    pub nproc: usize,
    /// CPU model (`model name` of `/proc/cpuinfo`), when known.
    pub cpu_model: Option<String>,
    /// Installed memory in KiB (`MemTotal` of `/proc/meminfo`), when known.
    pub mem_total_kib: Option<u64>,
    /// Operating system and architecture, for example `linux x86_64`.
    pub os: String,
    /// Kernel release, when known.
    pub kernel: Option<String>,
}

/// The compiler and settings the benchmarks were built with (recorded at build time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Toolchain {
    /// `rustc -V` of the compiler cargo used.
    pub rustc: String,
    /// Target triple.
    pub target: String,
    /// Optimisation level of the profile.
    pub opt_level: String,
    /// Debug-info setting of the profile.
    pub debug: String,
}

/// The revision measured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    /// Commit id of `HEAD` of the checkout the benchmarks were built from.
    pub commit: String,
    /// Whether tracked files differed from that commit.
    pub dirty: bool,
}

/// Everything written next to the results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuildInfo {
    /// [`SCHEMA`].
    pub schema: String,
    /// When the harness started, `YYYY-MM-DDTHH:MM:SSZ`.
    pub date_utc: String,
    /// The harness (`workloads`, `scaling`, `api`) that wrote this record last.
    pub harness: String,
    /// Its command-line arguments (filter, criterion flags).
    pub args: Vec<String>,
    /// `full` or `quick`.
    pub profile: String,
    /// The machine.
    pub machine: Machine,
    /// The toolchain.
    pub toolchain: Toolchain,
    /// Locked versions of the measured crates and the harness's own dependencies.
    pub crates: BTreeMap<String, String>,
    /// The revision, when the benchmarks were built from a git checkout.
    pub revision: Option<Revision>,
    /// The seeds of the random inputs.
    pub seeds: BTreeMap<String, u64>,
}

impl BuildInfo {
    /// Collects the record for `harness` now.
    #[must_use]
    pub fn collect(harness: &str) -> Self {
        let crates = env!("BENCHES_CRATE_VERSIONS")
            .split(';')
            .filter_map(|kv| kv.split_once('='))
            .fold(BTreeMap::new(), |mut m, (k, v)| {
                m.entry(k.to_owned())
                    .and_modify(|old: &mut String| {
                        old.push_str(", ");
                        old.push_str(v);
                    })
                    .or_insert_with(|| v.to_owned());
                m
            });
        let seeds = [
            ("workloads", seeds::WORKLOADS),
            ("scaling", seeds::SCALING),
            ("api", seeds::API),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Self {
            schema: SCHEMA.to_owned(),
            date_utc: timefmt::now_utc(),
            harness: harness.to_owned(),
            args: std::env::args().skip(1).collect(),
            profile: Profile::from_env().name().to_owned(),
            machine: machine(),
            toolchain: Toolchain {
                rustc: env!("BENCHES_RUSTC_VERSION").to_owned(),
                target: env!("BENCHES_TARGET").to_owned(),
                opt_level: env!("BENCHES_OPT_LEVEL").to_owned(),
                debug: env!("BENCHES_DEBUG").to_owned(),
            },
            crates,
            revision: revision(),
            seeds,
        }
    }

    /// One line for a table header: date, CPU, cores, compiler, revision.
    #[must_use]
    pub fn summary(&self) -> String {
        let rev = self.revision.as_ref().map_or_else(
            || "no git revision".to_owned(),
            |r| {
                let short = r.commit.get(..10).unwrap_or(&r.commit);
                format!("{short}{}", if r.dirty { "+dirty" } else { "" })
            },
        );
        format!(
            "{} · {} · {} cores · {} · {} · profile {}",
            self.date_utc,
            self.machine.cpu_model.as_deref().unwrap_or("unknown CPU"),
            self.machine.nproc,
            self.toolchain.rustc,
            rev,
            self.profile
        )
    }
}

fn machine() -> Machine {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu_model = cpuinfo
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k.trim() == "model name").then(|| v.trim().to_owned())
        })
        .filter(|s| !s.is_empty());
    let meminfo = fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_total_kib = meminfo.lines().find_map(|l| {
        let rest = l.strip_prefix("MemTotal:")?;
        rest.split_whitespace().next()?.parse().ok()
    });
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    Machine {
        nproc: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        cpu_model,
        mem_total_kib,
        os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        kernel,
    }
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn revision() -> Option<Revision> {
    let commit = git(&["rev-parse", "HEAD"])?;
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some(Revision { commit, dirty })
}

/// Path of the record in criterion folder `criterion`.
#[must_use]
pub fn path_in(criterion: &Path) -> PathBuf {
    criterion.join(FILE_NAME)
}

/// Writes the record for `harness` into criterion folder `criterion`.
///
/// # Errors
/// When the folder cannot be created or the file written.
pub fn write(criterion: &Path, harness: &str) -> io::Result<PathBuf> {
    fs::create_dir_all(criterion)?;
    let path = path_in(criterion);
    let info = BuildInfo::collect(harness);
    let text = serde_json::to_string_pretty(&info).map_err(io::Error::other)?;
    fs::write(&path, text + "\n")?;
    Ok(path)
}

/// Writes the record into the criterion folder this run uses, and reports a failure on
/// stderr without stopping the run (the measurements matter more than their label).
pub fn record(harness: &str) {
    let dir = crate::results::criterion_dir();
    if let Err(e) = write(&dir, harness) {
        eprintln!("benches: cannot write {}: {e}", path_in(&dir).display());
    }
}

/// Reads the record from criterion folder `criterion`, when there is one.
#[must_use]
pub fn read(criterion: &Path) -> Option<BuildInfo> {
    let text = fs::read(path_in(criterion)).ok()?;
    serde_json::from_slice(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_and_round_trips() {
        let info = BuildInfo::collect("test");
        assert!(info.machine.nproc >= 1);
        assert!(
            info.toolchain.rustc.starts_with("rustc ")
                || info.toolchain.rustc.starts_with("unknown")
        );
        assert!(info.crates.contains_key("benches"));
        let text = serde_json::to_string(&info).expect("serialize");
        let back: BuildInfo = serde_json::from_str(&text).expect("deserialize");
        assert_eq!(back, info);
        assert!(info.summary().contains("cores"));
    }
}
