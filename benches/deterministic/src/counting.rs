//! What the deterministic benchmarks count, and how: the callgrind toggles that select the
//! allocator's own calls (or the harness around them) inside one replay, and the names of the
//! counts the gate reads.
//!
//! A benchmark runs `replay_counted <workload> <allocator>` (the `replay_counted` binary of
//! this package, or a user crate's: [`crate::programs::replay_counted`]) under callgrind
//! with `--collect-atstart=no` and one `--toggle-collect` per pattern of
//! [`ALLOCATOR_CALLS`]: collection is on exactly while an adapter's `allocate`,
//! `free` or `realloc` runs, so the count is the allocator's work plus its adapter's few
//! instructions (the handle check, the offset arithmetic, a peer's `sbrk`-style growth of its
//! heap), and nothing of the replay loop, the trace's loading or the region's setup. The
//! replay calls the adapter through `&mut dyn Allocator`, so each call is a real call that a
//! toggle sees (an inlined call would be counted nowhere: the gate refuses a count of zero).
//!
//! The harness is counted separately, once per workload: `replay_counted <workload>
//! --harness` replays on the default pool with [`HARNESS_ENTRY`] toggled as well. Toggles
//! nest (each entry and exit flips collection), so collection is on inside the replay and
//! off again inside every allocator call: the count is the replay engine's own work (its loop,
//! its block table, the clock reads) and none of the allocator's.

/// Glob patterns (callgrind `--toggle-collect`) of the adapters' allocator calls, as
/// valgrind demangles them: `<workloads::adapters::talc::TalcAdapter as
/// workloads::adapters::Allocator>::allocate` and so on.
pub const ALLOCATOR_CALLS: [&str; 3] = [
    "*as workloads::adapters::Allocator>::allocate",
    "*as workloads::adapters::Allocator>::free",
    "*as workloads::adapters::Allocator>::realloc",
];

/// The function that holds the whole replay (for the harness count): the library's, so every
/// `replay_counted` binary (the workbench's, a user crate's) has it under this name.
pub const HARNESS_ENTRY: &str = "deterministic::programs::replay";

/// The argument that makes `replay_counted` count the harness instead of an allocator, and
/// the allocator name the gate gives that count.
pub const HARNESS: &str = "harness";

/// The allocator the harness count replays on.
pub const HARNESS_ALLOCATOR: &str = "mempool";

/// Bytes `replay_counted` writes through, one write per 64-byte line, between setting up and
/// replaying: twice the simulated last-level cache (gungraun's default, 8 MiB, 16-way, least
/// recently used first; 8 MiB of consecutive lines already fill every set), so every line the
/// setup left in the simulated caches is evicted and every benchmark starts from the same
/// cache state. Without it the few lines the trace reader's hash maps
/// (seeded at random in every process) left behind made the LL-miss counts of one binary
/// differ by a few from run to run.
pub const CACHE_FLUSH_BYTES: usize = 16 << 20;
