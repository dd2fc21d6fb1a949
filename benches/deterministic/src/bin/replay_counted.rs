//! `replay_counted <workload> <allocator>` / `replay_counted <workload> --harness`
//!
//! The program the deterministic benchmarks (`benches/callgrind.rs`) run under callgrind:
//! loads one workload of the gate's set (`benches::selection`, quick size), builds the
//! allocator over the suite's region for it, evicts what that left in the caches
//! ([`counting::CACHE_FLUSH_BYTES`]), and replays it once with
//! `ReplayConfig::timing()` (no tracking, no sampling) in [`replay`], calling the allocator
//! through `&mut dyn Allocator`. What callgrind counts of that is chosen by its toggles
//! (`deterministic::counting`): the allocator's calls, or with `--harness` the replay around the
//! default pool's calls. Prints one line: ops, failures.
//!
//! Run it by hand under callgrind to look inside one benchmark:
//!
//! ```sh
//! cargo build --release -p deterministic --bin replay_counted
//! valgrind --tool=callgrind --collect-atstart=no \
//!   --toggle-collect='*as workloads::adapters::Allocator>::allocate' \
//!   --toggle-collect='*as workloads::adapters::Allocator>::free' \
//!   --toggle-collect='*as workloads::adapters::Allocator>::realloc' \
//!   target/release/replay_counted synthetic/fifo talc
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::process::ExitCode;

use benches::selection;
use deterministic::counting;
use workloads::{AdapterSpec, Allocator, ReplayConfig, ReplayResult, Workload};

/// The whole replay: [`counting::HARNESS_ENTRY`] names this function, so it must stay a
/// function of its own.
#[inline(never)]
fn replay(workload: &Workload, alloc: &mut dyn Allocator) -> ReplayResult {
    workloads::replay(workload, alloc, &ReplayConfig::timing())
}

/// Writes one byte of every 64-byte line of a buffer of [`counting::CACHE_FLUSH_BYTES`],
/// evicting whatever the setup left in the (simulated) caches.
fn flush_caches() {
    let mut buf = vec![0u8; counting::CACHE_FLUSH_BYTES];
    for line in buf.chunks_mut(64) {
        line[0] = 1;
    }
    std::hint::black_box(&buf);
}

fn run() -> Result<String, String> {
    let usage =
        "usage: replay_counted <workload> <allocator> | replay_counted <workload> --harness";
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [name, alloc] = args.as_slice() else {
        return Err(usage.into());
    };
    let alloc = match alloc.strip_prefix("--") {
        Some(counting::HARNESS) => counting::HARNESS_ALLOCATOR,
        Some(_) => return Err(usage.into()),
        None => alloc.as_str(),
    };
    let spec = AdapterSpec::from_name(alloc).map_err(|e| e.to_string())?;
    let item = selection::gate_workload(name).map_err(|e| e.to_string())?;
    let mut a = spec
        .build(item.capacity_bytes())
        .map_err(|e| format!("{alloc} on {name}: {e}"))?;
    flush_caches();
    let r = replay(&item.workload, a.as_mut());
    Ok(format!(
        "{name} on {alloc}: {} ops, {} failed",
        r.ops, r.failures
    ))
}

fn main() -> ExitCode {
    match run() {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("replay_counted: {e}");
            ExitCode::FAILURE
        }
    }
}
