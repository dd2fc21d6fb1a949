//! The throughput table of `benches/README.md`: every trace of the suite (the built-in ones and
//! every `.rep` under the shared traces folder) replayed on the default pool (fast engine), on
//! each comparison allocator and on `baseline` (the replay loop's own cost), with the pool's
//! speed as a ratio to each of them.
//!
//! ```sh
//! cargo run --release -p benches --example ratios            # all traces, 5 rounds
//! cargo run --release -p benches --example ratios -- 9 gcc   # 9 rounds, names containing "gcc"
//! ```
//!
//! Method: the lean timing loop (`workloads::timing`: ids resolved to slots before the clock
//! starts, the loop compiled per allocator, nothing per op but the allocator's calls), on a
//! fresh heap each time of the suite's region for the trace. For one trace, a round times it
//! once on every allocator, the allocators' order rotating from round to round. A cell is the
//! median over the rounds of `that allocator's ns/op ÷ the pool's ns/op` in the same round
//! (> 1: the pool is faster), with its 95 % bootstrap interval over the rounds when it holds
//! 1 (`~`: not distinguishable). The geometric means over the traces carry a two-level
//! bootstrap interval (traces, then rounds: `workloads::aggregate::geomean_interval`, the
//! statistic the report uses); the row "net of the loop" subtracts `baseline`'s ns/op of the
//! same round from both allocators first. All figures of one table come from one run on one
//! machine: compare ratios, not times across runs.
//!
//! Also measured, on a separate untimed replay of the pool: its index's host memory per block
//! (`MemPool::index_bytes() ÷ (used + free blocks)`), sampled 256 times per trace; the table
//! shows the largest value among samples with at least 1,000 blocks.
//!
//! Writes the Markdown table to stdout and to `benches/results/ratios.md`.

#![forbid(unsafe_code)]

use std::fmt::Write as _;
use std::path::PathBuf;

use benches::info::BuildInfo;
use workloads::adapters::MemPoolAdapter;
use workloads::aggregate::{self, Verdict, BOOTSTRAP_SEED};
use workloads::suite::{self, Item, Select, SuiteSpec};
use workloads::timing::{self, Prepared};
use workloads::{AdapterSpec, Allocator, Block, FreeStats, PoolVariant, ReplayConfig};

/// The default pool, the same on its reference engine, the peers, then `baseline`.
fn allocators() -> Vec<AdapterSpec> {
    let mut all = vec![
        AdapterSpec::default_pool(),
        AdapterSpec::Reference(PoolVariant::default()),
    ];
    all.extend(AdapterSpec::peers());
    all.push(AdapterSpec::Baseline);
    all
}

/// One trace's rounds: `ns[a][r]` is allocator `a`'s ns/op in round `r`, and each
/// allocator's failures.
struct Rounds {
    ns: Vec<Vec<f64>>,
    failures: Vec<u64>,
}

/// `rounds` interleaved rounds of every allocator on `item`.
fn time(item: &Item, rounds: usize) -> Result<Rounds, String> {
    let p = Prepared::new(&item.workload);
    let specs = allocators();
    let mut ns: Vec<Vec<f64>> = vec![Vec::new(); specs.len()];
    let mut failures = vec![0; specs.len()];
    for round in 0..rounds {
        for k in 0..specs.len() {
            let i = (k + round) % specs.len();
            let t = timing::time_spec(&p, &specs[i], item.capacity_bytes())
                .map_err(|e| format!("{} on {}: {e}", item.workload.name, specs[i].name()))?;
            ns[i].push(t.ns_per_op());
            failures[i] = t.failures;
        }
    }
    Ok(Rounds { ns, failures })
}

/// Per-round ratios `a / pool` (raw), or `(a - baseline) / (pool - baseline)` (net; rounds
/// where either difference is not positive are left out).
fn ratios(r: &Rounds, a: usize, net: bool) -> Vec<f64> {
    let b = r.ns.len() - 1;
    (0..r.ns[0].len())
        .filter_map(|i| {
            let (x, p, base) = (r.ns[a][i], r.ns[0][i], if net { r.ns[b][i] } else { 0.0 });
            let (x, p) = (x - base, p - base);
            (x > 0.0 && p > 0.0).then(|| x / p)
        })
        .collect()
}

/// The default pool, sampling its index memory every `every` requests while the replay
/// engine drives it (so the replay's own rules decide what each op does).
struct IndexSampler {
    pool: MemPoolAdapter,
    every: u64,
    calls: u64,
    /// Largest index bytes per block among samples with >= 1,000 blocks.
    worst: Option<f64>,
}

impl IndexSampler {
    fn tick(&mut self) {
        self.calls += 1;
        if self.calls % self.every != 0 {
            return;
        }
        let s = self.pool.pool().stats();
        let blocks = u64::from(s.used.count) + u64::from(s.free.count);
        if blocks >= 1000 {
            let per = self.pool.pool().index_bytes() as f64 / blocks as f64;
            self.worst = Some(self.worst.map_or(per, |w| w.max(per)));
        }
    }
}

impl Allocator for IndexSampler {
    fn name(&self) -> String {
        self.pool.name()
    }
    fn capacity(&self) -> usize {
        self.pool.capacity()
    }
    fn allocate(&mut self, size: usize) -> Option<Block> {
        let b = self.pool.allocate(size);
        self.tick();
        b
    }
    fn free(&mut self, block: Block) -> bool {
        let done = self.pool.free(block);
        self.tick();
        done
    }
    fn realloc(&mut self, block: Block, new_size: usize) -> Result<Block, Block> {
        let r = self.pool.realloc(block, new_size);
        self.tick();
        r
    }
    fn extent(&self) -> Option<usize> {
        self.pool.extent()
    }
    fn footprint(&self) -> Option<usize> {
        self.pool.footprint()
    }
    fn block_bytes(&self, block: &Block) -> Option<usize> {
        self.pool.block_bytes(block)
    }
    fn free_stats(&self) -> FreeStats {
        self.pool.free_stats()
    }
}

/// Largest index bytes per block of the fast pool over 256 samples along one untimed replay
/// (only samples with >= 1,000 blocks count).
fn index_bytes_per_block(item: &Item) -> Result<Option<f64>, String> {
    let w = &item.workload;
    let mut sampler = IndexSampler {
        pool: MemPoolAdapter::new(PoolVariant::default(), item.capacity_bytes())
            .map_err(|e| e.to_string())?,
        every: (w.ops.len() as u64 / 256).max(1),
        calls: 0,
        worst: None,
    };
    workloads::replay(w, &mut sampler, &ReplayConfig::timing());
    Ok(sampler.worst)
}

/// Every recorded trace of the suite (built-in and shared), those whose names contain
/// `filter` when given.
fn traces(filter: Option<&str>) -> Result<Vec<Item>, String> {
    let spec = SuiteSpec {
        select: filter.map_or(Select::All, |f| Select::Containing(f.to_owned())),
        ..SuiteSpec::traces_only()
    };
    let loaded = suite::load(&spec).map_err(|e| e.to_string())?;
    for note in &loaded.notes {
        eprintln!("ratios: {note}");
    }
    Ok(loaded.items)
}

fn run() -> Result<(), String> {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut args = argv.iter().cloned();
    let rounds: usize = match args.next() {
        Some(a) => a
            .parse()
            .ok()
            .filter(|&r| r > 0)
            .ok_or_else(|| format!("rounds must be a positive number, got {a:?}"))?,
        None => aggregate::MIN_ROUNDS,
    };
    let filter = args.next();
    let traces = traces(filter.as_deref())?;
    let info = BuildInfo::collect("ratios");
    let specs = allocators();
    let names: Vec<String> = specs.iter().map(AdapterSpec::name).collect();
    let peers = 1..names.len() - 1;
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", info.summary());
    let _ = writeln!(
        out,
        "`cargo run --release -p benches --example ratios -- {}`: the lean timing loop, {rounds} \
         interleaved rounds; each cell is the median over the rounds of that allocator's ns/op ÷ \
         the pool's in the same round (> 1: the pool is faster; `~`: its 95 % interval over the \
         rounds holds 1). `baseline`: the loop's own ns/op. `B/blk`: the pool's index memory \
         per block (largest sample with >= 1,000 blocks). Geometric means with 95 % bootstrap \
         intervals (traces, then rounds, resampled).\n",
        argv.join(" ")
    );
    let _ = write!(
        out,
        "| trace | ops | peak live | mempool ns/op | − baseline | baseline ns/op |"
    );
    for n in &names[peers.clone()] {
        let _ = write!(out, " × {n} |");
    }
    let _ = writeln!(out, " B/blk |");
    let _ = writeln!(out, "|{}", "---|".repeat(names.len() + 5));
    let mut raw: Vec<Vec<Vec<f64>>> = vec![Vec::new(); names.len()];
    let mut net: Vec<Vec<Vec<f64>>> = vec![Vec::new(); names.len()];
    let mut wins = vec![0usize; names.len()];
    for item in &traces {
        let (w, stats) = (&item.workload, &item.stats);
        eprintln!("ratios: {} ({} ops)", w.name, w.ops.len());
        let t = time(item, rounds)?;
        let med = |a: usize| aggregate::median(&t.ns[a]).unwrap_or(f64::NAN);
        let (pool, base) = (med(0), med(names.len() - 1));
        let _ = write!(
            out,
            "| {} | {} | {} | {pool:.1} | {:.1} | {base:.1} |",
            w.name,
            stats.ops,
            stats.peak_live_blocks,
            pool - base
        );
        for a in peers.clone() {
            let r = ratios(&t, a, false);
            let cell = match aggregate::ratio_interval(&r, BOOTSTRAP_SEED) {
                Some(i) => {
                    wins[a] += usize::from(i.estimate >= 1.0);
                    let tilde = if i.against(1.0) == Verdict::NotDistinguishable {
                        "~"
                    } else {
                        ""
                    };
                    format!("{tilde}{:.2}", i.estimate)
                }
                None => "n/a".to_owned(),
            };
            let mark = if t.failures[a] > 0 {
                format!(" ({} failed)", t.failures[a])
            } else {
                String::new()
            };
            let _ = write!(out, " {cell}{mark} |");
            raw[a].push(r);
            net[a].push(ratios(&t, a, true));
        }
        let mem = index_bytes_per_block(item)?;
        let _ = writeln!(
            out,
            " {} |",
            mem.map_or("–".to_owned(), |m| format!("{m:.1}"))
        );
    }
    for (label, per) in [
        ("geometric mean", &raw),
        ("geometric mean, net of the loop", &net),
    ] {
        let _ = write!(out, "| **{label}** ({} traces) | | | | | |", traces.len());
        for a in peers.clone() {
            let cell = aggregate::geomean_interval(&per[a], BOOTSTRAP_SEED).map_or_else(
                || "n/a".to_owned(),
                |i| format!("**{:.2}** ({:.2}–{:.2})", i.estimate, i.low, i.high),
            );
            let _ = write!(out, " {cell} |");
        }
        let _ = writeln!(out, " |");
    }
    let _ = write!(
        out,
        "| traces where the pool is at least as fast | | | | | |"
    );
    for a in peers {
        let _ = write!(out, " {} |", wins[a]);
    }
    let _ = writeln!(out, " |");
    print!("{out}");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("results");
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join("ratios.md"), &out))
        .map_err(|e| format!("cannot write {}: {e}", dir.join("ratios.md").display()))?;
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("ratios: {e}");
        std::process::exit(1);
    }
}
