//! One trace on one allocator, nothing else: the program to put under a profiler (callgrind,
//! cachegrind, perf) when a ratio in `benches/README.md` needs explaining.
//!
//! ```sh
//! cargo run --release -p benches --example replay_one -- <allocator> <trace> [replays]
//! cargo run --release -p benches --example replay_one -- talc python3-wordfreq
//! ```
//!
//! `<allocator>`: `mempool` (the default pool, fast engine), `mempool@reference` (the same
//! options on the reference engine) or a peer: `talc`, `rlsf`, `linked_list_allocator`,
//! `dlmalloc`, `system`. `<trace>`: a built-in trace name or a shared trace's name relative to
//! the traces folder (`malloclab-2016/bdd-aa4`). `replays` (default 1): how many times to
//! replay, each on a fresh 1 GiB heap with `ReplayConfig::timing()`, as the `ratios` table
//! does; prints each replay's ns/op.
//!
//! Only the allocator's own calls are the adapters' `allocate`, `free` and `realloc`, so
//! callgrind can count them alone (the command in `benches/README.md`, "Where the time
//! goes"): `--collect-atstart=no` with `--toggle-collect` on those three functions.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use workloads::{AdapterSpec, PoolVariant, ReplayConfig, Workload};

/// Region of every heap (as in `ratios`).
const CAPACITY: usize = 1 << 30;

fn allocator(name: &str) -> Result<AdapterSpec, String> {
    let mut specs = AdapterSpec::all();
    specs.push(AdapterSpec::Reference(PoolVariant::default()));
    let names: Vec<String> = specs.iter().map(AdapterSpec::name).collect();
    specs
        .into_iter()
        .find(|s| s.name() == name)
        .ok_or_else(|| format!("unknown allocator {name:?}: expected one of {names:?}"))
}

fn trace(name: &str) -> Result<Workload, String> {
    if let Some(w) = workloads::builtin::get(name) {
        return w.map_err(|e| format!("built-in trace {name:?}: {e}"));
    }
    let dir = workloads::corpus::shared_traces_dir().ok_or_else(|| {
        format!("{name:?} is not a built-in trace, and there is no shared traces folder")
    })?;
    workloads::corpus::load_named(&dir, name)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no trace {name:?} built in or under {}", dir.display()))
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [alloc, name, rest @ ..] = args.as_slice() else {
        return Err("usage: replay_one <allocator> <trace> [replays]".into());
    };
    let replays: usize = match rest {
        [] => 1,
        [n] => n
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("replays must be a positive number, got {n:?}"))?,
        _ => return Err("usage: replay_one <allocator> <trace> [replays]".into()),
    };
    let spec = allocator(alloc)?;
    let w = trace(name)?;
    for _ in 0..replays {
        let r = workloads::replay::replay_spec(&w, &spec, CAPACITY, &ReplayConfig::timing())
            .map_err(|e| format!("{alloc} on {name}: {e}"))?;
        println!(
            "{name} on {alloc}: {} ops, {:.1} ns/op, {} failed",
            r.ops,
            r.elapsed_ns as f64 / r.ops.max(1) as f64,
            r.failures
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("replay_one: {e}");
            ExitCode::FAILURE
        }
    }
}
