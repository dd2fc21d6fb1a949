//! One trace on one allocator, nothing else: the program to put under a profiler (callgrind,
//! cachegrind, perf) when a ratio in `benches/README.md` needs explaining.
//!
//! ```sh
//! cargo run --release -p benches --example replay_one -- <allocator> <trace> [replays]
//! cargo run --release -p benches --example replay_one -- talc python3-wordfreq
//! ```
//!
//! `<allocator>`: any allocator by the name every tool gives it (`AdapterSpec::name`):
//! `mempool` (the default pool, fast engine), `mempool@reference` (the same options on the
//! reference engine), a variant such as `mempool(min_split=64)`, or a peer: `talc`, `rlsf`,
//! `linked_list_allocator`, `dlmalloc`, `system`. `<trace>`: any workload of the suite by its
//! name (`workloads::suite::find`): a built-in trace, `synthetic/<shape>`, or a shared trace's
//! name relative to the traces folder (`malloclab-2016/bdd-aa4`). `replays` (default 1): how
//! many times to replay, each on a fresh heap of the suite's region for the workload with the
//! lean timing loop (`workloads::timing::time`), as the `ratios` table does but through
//! `Box<dyn Allocator>`, so that the adapter's calls are not inlined into the loop; prints
//! each replay's ns/op.
//!
//! Only the allocator's own calls are the adapters' `allocate`, `free` and `realloc`, so
//! callgrind can count them alone (the command in `benches/README.md`, "Where the time
//! goes"): `--collect-atstart=no` with `--toggle-collect` on those three functions.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use workloads::timing::{self, Prepared};
use workloads::{suite, AdapterSpec};

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
    let spec = AdapterSpec::from_name(alloc).map_err(|e| e.to_string())?;
    let item = suite::find(name).map_err(|e| e.to_string())?;
    let prepared = Prepared::new(&item.workload);
    for _ in 0..replays {
        // Through `Box<dyn Allocator>`: the adapter's calls stay out of line, so a profiler
        // can count them on their own.
        let mut a = spec
            .build(item.capacity_bytes())
            .map_err(|e| format!("{alloc} on {name}: {e}"))?;
        let t = timing::time(&prepared, a.as_mut());
        println!(
            "{name} on {alloc}: {} ops, {:.1} ns/op, {} failed",
            t.ops,
            t.ns_per_op(),
            t.failures
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
