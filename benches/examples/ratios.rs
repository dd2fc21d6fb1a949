//! The throughput table of `benches/README.md`: every trace of the suite (the built-in ones and
//! every `.rep` under the shared traces folder) replayed on the default pool (fast engine) and
//! on each comparison allocator, with the pool's speed as a ratio to each of them.
//!
//! ```sh
//! cargo run --release -p benches --example ratios            # all traces, 5 rounds
//! cargo run --release -p benches --example ratios -- 9 gcc   # 9 rounds, names containing "gcc"
//! ```
//!
//! Method: for one trace, a round replays it once on every allocator (a fresh heap each time,
//! of the suite's region for the trace, `ReplayConfig::timing()`: no sampling, no tracking),
//! the allocators' order
//! rotating from round to round; the figure per allocator is its median ns/op over the rounds.
//! `ratio = that allocator's ns/op ÷ the pool's ns/op`, so > 1 means the pool is faster. All
//! figures of one table come from one run on one machine: compare ratios, not times across
//! runs. The replay's own per-op bookkeeping (an id table) is in every allocator's time alike.
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
use workloads::suite::{self, Item, Select, SuiteSpec};
use workloads::{AdapterSpec, Allocator, Block, FreeStats, PoolVariant, ReplayConfig};

/// The default pool, the same on its reference engine, then the peers.
fn allocators() -> Vec<AdapterSpec> {
    let mut all = vec![
        AdapterSpec::default_pool(),
        AdapterSpec::Reference(PoolVariant::default()),
    ];
    all.extend(AdapterSpec::peers());
    all
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Median ns/op of each allocator over `rounds` interleaved rounds, and its failures.
fn time(item: &Item, rounds: usize) -> Result<Vec<(f64, u64)>, String> {
    let (w, capacity) = (&item.workload, item.capacity_bytes());
    let specs = allocators();
    let mut ns: Vec<Vec<f64>> = vec![Vec::new(); specs.len()];
    let mut failures = vec![0; specs.len()];
    for round in 0..rounds {
        for k in 0..specs.len() {
            let i = (k + round) % specs.len();
            let r = workloads::replay::replay_spec(w, &specs[i], capacity, &ReplayConfig::timing())
                .map_err(|e| format!("{} on {}: {e}", w.name, specs[i].name()))?;
            ns[i].push(r.elapsed_ns as f64 / r.ops.max(1) as f64);
            failures[i] = r.failures;
        }
    }
    Ok(ns.into_iter().map(median).zip(failures).collect())
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
        None => 5,
    };
    let filter = args.next();
    let traces = traces(filter.as_deref())?;
    let info = BuildInfo::collect("ratios");
    let names: Vec<String> = allocators().iter().map(AdapterSpec::name).collect();
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", info.summary());
    let _ = writeln!(
        out,
        "`cargo run --release -p benches --example ratios -- {}`: median of {rounds} \
         interleaved rounds; each cell is that allocator's ns/op ÷ the pool's (> 1: the pool \
         is faster). `B/blk`: the pool's index memory per block (largest sample with >= 1,000 \
         blocks).\n",
        argv.join(" ")
    );
    let _ = write!(out, "| trace | ops | peak live | mempool ns/op |");
    for n in &names[1..] {
        let _ = write!(out, " × {n} |");
    }
    let _ = writeln!(out, " B/blk |");
    let _ = writeln!(out, "|{}", "---|".repeat(names.len() + 4));
    let mut logs = vec![0.0; names.len()];
    let mut wins = vec![0usize; names.len()];
    for item in &traces {
        let (w, stats) = (&item.workload, &item.stats);
        eprintln!("ratios: {} ({} ops)", w.name, w.ops.len());
        let t = time(item, rounds)?;
        let pool = t[0].0;
        let _ = write!(
            out,
            "| {} | {} | {} | {:.1} |",
            w.name, stats.ops, stats.peak_live_blocks, pool
        );
        for (i, &(ns, fail)) in t.iter().enumerate().skip(1) {
            let r = ns / pool;
            logs[i] += r.ln();
            wins[i] += usize::from(r >= 1.0);
            let mark = if fail > 0 {
                format!(" ({fail} failed)")
            } else {
                String::new()
            };
            let _ = write!(out, " {r:.2}{mark} |");
        }
        let mem = index_bytes_per_block(item)?;
        let _ = writeln!(
            out,
            " {} |",
            mem.map_or("–".to_owned(), |m| format!("{m:.1}"))
        );
    }
    let n = traces.len().max(1) as f64;
    let _ = write!(
        out,
        "| **geometric mean** ({} traces) | | | |",
        traces.len()
    );
    for l in &logs[1..] {
        let _ = write!(out, " **{:.2}** |", (l / n).exp());
    }
    let _ = writeln!(out, " |");
    let _ = write!(out, "| traces where the pool is at least as fast | | | |");
    for &wcount in &wins[1..] {
        let _ = write!(out, " {wcount} |");
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
