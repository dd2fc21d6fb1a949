//! The `attach` target: a buffer, either raw bytes or a real heap with some words corrupted,
//! is opened with [`MemPool::attach`] and operated on. Nothing may panic, hang or reach out of
//! bounds on any bytes; a pool that attaches never fails `check()` on its state words
//! (invariant 1); and from the first moment `check()` accepts the heap, the pool is compared
//! op by op with the independent model read from the same bytes, with `check()` after every
//! op, so it stays accepted.

use arbitrary::Arbitrary;
use mempool::{AlignedBuf, Engine, Fast, MemPool, Reference};

use crate::against_model::Differential;
use crate::engines::Kind;
use crate::input::{calloc_as_count, Config, EngineSel, Env, Op, Wild};
use crate::model::Model;

/// Largest heap the `attach` target builds before corrupting it.
pub const MAX_ATTACH_BUFFER: usize = 64 << 10;
/// Most setup ops (building the heap) and most ops after attaching.
pub const MAX_ATTACH_OPS: usize = 64;

/// A new value for a word.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// This value.
    Set(u32),
    /// The old value plus this delta (wrapping).
    Add(i16),
}

impl Value {
    fn apply(self, old: u32) -> u32 {
        match self {
            Value::Set(v) => v,
            Value::Add(d) => old.wrapping_add_signed(i32::from(d)),
        }
    }
}

/// A corruption of a built heap.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// State word `n % 7` (free, used, top, end, align, flags, minSplit).
    State(u8, Value),
    /// The size (`false`) or next (`true`) word of the n-th block of either list.
    Header(u8, bool, Value),
    /// One byte anywhere.
    Byte(u16, u8),
}

/// Where the attached bytes come from.
#[derive(Arbitrary, Debug, Clone)]
pub enum Source {
    /// A heap built by a real pool, then edited.
    Built {
        /// Options (buffer at most [`MAX_ATTACH_BUFFER`]).
        config: Config,
        /// Ops that build the heap.
        setup: Vec<Op>,
        /// Corruptions applied to the bytes.
        edits: Vec<Edit>,
    },
    /// Raw bytes, attached at `start`.
    Raw {
        /// `start` given to attach.
        start: u8,
        /// The buffer.
        bytes: Vec<u8>,
    },
}

/// Input of the `attach` target.
#[derive(Arbitrary, Debug, Clone)]
pub struct AttachInput {
    /// The engine of the attached pool (the heap is built with the reference engine).
    pub engine: EngineSel,
    /// The buffer.
    pub source: Source,
    /// Ops run on the attached pool.
    pub ops: Vec<Op>,
}

fn set_word(bytes: &mut [u8], at: usize, v: Value) {
    if let Some(w) = bytes.get_mut(at..at + 4) {
        let old = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        w.copy_from_slice(&v.apply(old).to_le_bytes());
    }
}

/// Builds the bytes to attach and the start to attach at; `None` when the options are refused.
fn build(source: &Source) -> Option<(Vec<u8>, u32)> {
    match source {
        Source::Raw { start, bytes } => Some((bytes.clone(), u32::from(*start))),
        Source::Built {
            config,
            setup,
            edits,
        } => {
            let mut pool = mempool::reference::new(config.options(MAX_ATTACH_BUFFER)).ok()?;
            let mut freed = Vec::new();
            for op in setup.iter().take(MAX_ATTACH_OPS) {
                apply_plain(&mut pool, *op, &mut freed);
            }
            let start = pool.start();
            let blocks: Vec<u32> = pool
                .free_blocks()
                .chain(pool.used_blocks())
                .map(|b| b.addr)
                .collect();
            let mut bytes = pool.into_inner().to_vec();
            for e in edits.iter().take(8) {
                match *e {
                    Edit::State(n, v) => {
                        set_word(&mut bytes, start as usize + 4 * usize::from(n % 7), v);
                    }
                    Edit::Header(n, next, v) => {
                        if !blocks.is_empty() {
                            let b = blocks[usize::from(n) % blocks.len()] as usize;
                            set_word(&mut bytes, b + if next { 4 } else { 0 }, v);
                        }
                    }
                    Edit::Byte(at, v) => {
                        let len = bytes.len();
                        bytes[usize::from(at) % len] = v;
                    }
                }
            }
            Some((bytes, start))
        }
    }
}

/// Runs one `attach` input.
///
/// # Panics
/// On a broken property (a panic inside the pool is one too).
pub fn run(input: &AttachInput) {
    let Some((bytes, start)) = build(&input.source) else {
        return;
    };
    match input.engine {
        EngineSel::Fast | EngineSel::Both => run_on::<Fast>(input, &bytes, start),
        EngineSel::Reference => run_on::<Reference>(input, &bytes, start),
    }
}

fn run_on<E: Kind>(input: &AttachInput, bytes: &[u8], start: u32) {
    let Ok(mut pool) = E::open(AlignedBuf::from_bytes(bytes), start) else {
        return;
    };
    if let Err(v) = pool.check() {
        assert_ne!(
            v.invariant(),
            1,
            "attach accepted state words that check() refuses: {v}"
        );
    }
    let mut ops = input.ops.iter().take(MAX_ATTACH_OPS);
    let mut freed = Vec::new();
    // A heap check() refuses: anything may happen but a panic, a hang or an OOB access,
    // until (if ever) the heap is accepted.
    while pool.check().is_err() {
        let Some(op) = ops.next() else {
            return;
        };
        apply_plain(&mut pool, *op, &mut freed);
        read_everything(&pool);
    }
    let model = Model::from_bytes(pool.bytes(), u64::from(pool.start()))
        .expect("a heap check() accepts can be read");
    let mut d = Differential::new(pool, model, true);
    for op in ops {
        d.apply(*op);
    }
}

/// Calls every read-only accessor (on any heap they must terminate without panicking).
fn read_everything<E: Engine>(pool: &MemPool<AlignedBuf, E>) {
    let _ = pool.stats();
    let _ = pool.options();
    let _ = format!("{pool:?}");
    for b in pool.used_blocks().take(4) {
        let _ = pool.data(b.data() as u32);
        let _ = pool.block(b.data() as u32);
    }
    let _ = pool.free_blocks().count();
}

/// Applies `op` with no expectations but no panics: the blocks are picked from the pool's own
/// used list, whatever it holds.
pub fn apply_plain<B: AsRef<[u8]> + AsMut<[u8]>, E: Engine>(
    pool: &mut MemPool<B, E>,
    op: Op,
    freed: &mut Vec<u32>,
) {
    let nth_used = |pool: &MemPool<B, E>, n: u8| -> u32 {
        let count = pool.used_blocks().count();
        if count == 0 {
            return 8;
        }
        pool.used_blocks()
            .nth(usize::from(n) % count)
            .map_or(8, |b| b.addr.wrapping_add(8))
    };
    let room = u64::from(pool.end().saturating_sub(pool.top()));
    let free_sizes: Vec<u64> = pool.free_blocks().map(|b| u64::from(b.size)).collect();
    let env = Env {
        room,
        free_sizes: &|| free_sizes.clone(),
    };
    match op {
        Op::Malloc(req) => {
            pool.malloc(req.resolve(&env));
        }
        Op::Calloc(req, fill) => {
            pool.calloc(req.resolve(&env), fill);
        }
        Op::MallocAs(elem, count) => {
            elem.malloc_as(pool, count.resolve(elem.size(), room));
        }
        Op::CallocAs(elem, count, fill) => {
            let num = calloc_as_count(count.resolve(elem.size(), room), elem.size());
            if let Some(h) = elem.calloc_as(pool, num, fill) {
                let _ = h.bytes(pool);
                h.realloc_array(pool, 1);
            }
        }
        Op::Realloc(slot, req) => {
            let ptr = nth_used(pool, slot);
            if let Some(new) = pool.realloc(ptr, req.resolve(&env)) {
                if new != ptr {
                    freed.push(ptr);
                }
            }
        }
        Op::ReallocArray(slot, count) => {
            let ptr = nth_used(pool, slot);
            pool.realloc(ptr, count.resolve(8, room).saturating_mul(8));
        }
        Op::Free(slot) => {
            let ptr = nth_used(pool, slot);
            if pool.free(ptr) {
                freed.push(ptr);
            }
        }
        Op::DoubleFree(k) => {
            if !freed.is_empty() {
                pool.free(freed[usize::from(k) % freed.len()]);
            }
        }
        Op::WildFree(w) => {
            let addr = match w {
                Wild::Near(slot, d) => nth_used(pool, slot).wrapping_add_signed(i32::from(d)),
                Wild::Any(a) => a,
            };
            pool.free(addr);
        }
        Op::FreeAll => pool.free_all(),
        Op::Stats => {
            let _ = pool.stats();
        }
        Op::Foreign => {
            let _ = pool.check();
        }
    }
    if freed.len() > 64 {
        freed.remove(0);
    }
}
