//! The `ops` target: runs an operation sequence on a real pool while a shadow model keeps
//! every live block's id, address, requested size and content, and checks after every
//! operation that:
//!
//! - `check()` accepts the heap;
//! - stats agree with the shadow (used count, used bytes at least the padded requests,
//!   `available`, `total`, the tiling of `[initialTop, top)`);
//! - every live block still holds its pattern: the whole block whenever an op touches it
//!   (freed, reallocated, failed to reallocate) and every live block in a full sweep every
//!   [`SWEEP_EVERY`] ops and at the end; realloc keeps the prefix; calloc / calloc_as fill
//!   exactly;
//! - an allocation fails exactly when the first fit of `core/SPEC.md` §4.1 finds nothing (a
//!   free block that is top-adjacent or big enough, else room at top), and succeeds at the
//!   block it names;
//! - freeing a non-live address (double or wild free) returns false and changes nothing;
//! - after freeing every block the pool is back to its initial state (no leak).

use mempool::{
    AccessError, AlignedBuf, Block, Fast, ListStats, MemPool, PoolOptions, Reference, Stats,
};

use crate::engines::Kind;
use crate::input::{
    calloc_as_count, expected_layout, EngineSel, Env, Layout, Op, OpsInput, Wild, MAX_BUFFER,
    MAX_OPS,
};
use crate::pattern;
use crate::typed::Handle;

/// A full content sweep runs after every this many ops (and at the end).
pub const SWEEP_EVERY: usize = 16;
/// How many freed addresses are remembered for double frees.
const FREED_MEMORY: usize = 32;

/// A live block as the shadow knows it.
#[derive(Debug, Clone, Copy)]
struct Live {
    id: u32,
    addr: u32,
    req: u32,
    typed: Option<Handle>,
}

/// What a new block must hold before the shadow writes its pattern.
enum Content {
    /// Anything (malloc).
    Any,
    /// `n` bytes of this value (calloc).
    Fill(u8),
    /// Every element has these bytes (calloc_as).
    Elems(Vec<u8>),
}

/// Runs one `ops` input.
///
/// # Panics
/// On any broken property, naming it.
pub fn run(input: &OpsInput) {
    match input.config.engine {
        EngineSel::Fast | EngineSel::Both => run_on::<Fast>(input, false),
        EngineSel::Reference => run_on::<Reference>(input, false),
    };
}

/// The requests one `ops` (or `model`) input makes of the pool, as a trace: every malloc,
/// calloc, typed allocation and realloc with the size it resolved to (against the pool's
/// state as it ran), every free of a live block, the frees of `free_all` and of the final
/// teardown. Frees of non-live addresses and another pool's blocks (which the pool refuses)
/// are not requests a trace can hold and are left out; a failed allocation gets an id of its
/// own (from 2^31), freed at the end with the rest, so the trace is balanced.
///
/// # Panics
/// As [`run`].
#[must_use]
pub fn record(input: &OpsInput) -> Vec<workloads::Op> {
    match input.config.engine {
        EngineSel::Fast | EngineSel::Both => run_on::<Fast>(input, true),
        EngineSel::Reference => run_on::<Reference>(input, true),
    }
}

fn run_on<E: Kind>(input: &OpsInput, recording: bool) -> Vec<workloads::Op> {
    let opts = input.config.options(MAX_BUFFER);
    let Some(mut run) = Run::<E>::new(opts) else {
        return Vec::new();
    };
    run.trace = recording.then(Vec::new);
    for (step, op) in input.ops.iter().take(MAX_OPS).enumerate() {
        run.step = step;
        run.apply(*op);
        run.verify(step % SWEEP_EVERY == SWEEP_EVERY - 1);
    }
    run.verify(true);
    run.free_everything();
    run.trace.unwrap_or_default()
}

struct Run<E: Kind> {
    pool: MemPool<AlignedBuf, E>,
    lay: Layout,
    align: u32,
    fresh: Stats,
    live: Vec<Live>,
    freed: Vec<u32>,
    next_id: u32,
    padded_sum: u64,
    step: usize,
    /// The requests made, when recording ([`record`]).
    trace: Option<Vec<workloads::Op>>,
    /// Failed allocations so far (their trace ids count from 2^31).
    failed: u32,
}

impl<E: Kind> Run<E> {
    /// The pool for `opts`, after checking that it is refused exactly when `core/SPEC.md` §3.2
    /// says and otherwise starts as the seed's does (§3.3).
    fn new(opts: PoolOptions) -> Option<Self> {
        let lay = expected_layout(&opts);
        let pool = match (E::create(opts), lay) {
            (Ok(p), Some(_)) => p,
            (Err(_), None) => return None,
            (Ok(p), None) => panic!("options {opts:?} accepted, should be refused: {p:?}"),
            (Err(e), Some(l)) => panic!("options {opts:?} refused ({e}), should give {l:?}"),
        };
        let lay = lay?;
        let got = pool.options();
        assert_eq!(
            (
                u64::from(got.start),
                got.end.map(u64::from),
                got.align,
                got.compact,
                got.split,
                got.min_split
            ),
            (
                lay.start,
                Some(lay.end),
                opts.align,
                opts.compact,
                opts.split,
                opts.min_split
            ),
            "options read back"
        );
        assert_eq!(u64::from(pool.initial_top()), lay.initial_top, "initialTop");
        let fresh = Stats {
            free: ListStats::default(),
            used: ListStats::default(),
            top: lay.initial_top as u32,
            available: lay.end - lay.initial_top,
            total: lay.len,
        };
        assert_eq!(pool.stats(), fresh, "stats of a fresh pool");
        pool.check().expect("a fresh pool passes check()");
        Some(Run {
            pool,
            lay,
            align: opts.align,
            fresh,
            live: Vec::new(),
            freed: Vec::new(),
            next_id: 0,
            trace: None,
            failed: 0,
            padded_sum: 0,
            step: 0,
        })
    }

    fn padded(&self, n: u32) -> u64 {
        (u64::from(n) + 8).div_ceil(u64::from(self.align)) * u64::from(self.align)
    }

    fn top(&self) -> u64 {
        u64::from(self.pool.top())
    }

    fn free_sizes(&self) -> Vec<u64> {
        self.pool.free_blocks().map(|b| u64::from(b.size)).collect()
    }

    /// The first fit of `core/SPEC.md` §4.1 for a block of `p` bytes: the data address malloc
    /// must return.
    fn first_fit(&self, p: u64) -> Option<u32> {
        let (top, end) = (self.top(), self.lay.end);
        for b in self.pool.free_blocks() {
            let top_adjacent = b.end() >= top;
            if top_adjacent || u64::from(b.size) >= p {
                if top_adjacent && u64::from(b.addr) + p > end {
                    return None;
                }
                return u32::try_from(b.data()).ok();
            }
        }
        if top + p <= end {
            u32::try_from(top + 8).ok()
        } else {
            None
        }
    }

    /// What `realloc(l, n)` must return, by the rules of `core/SPEC.md` §4.7.
    fn expect_realloc(&self, block: Block, addr: u32, n: u32) -> Option<u32> {
        if n == 0 {
            return None;
        }
        let p = self.padded(n);
        if p <= u64::from(block.size) {
            return Some(addr);
        }
        if block.end() >= self.top() && u64::from(block.addr) + p < self.lay.end {
            return Some(addr);
        }
        self.first_fit(p)
    }

    fn ctx(&self) -> String {
        format!("op #{} on {:?}", self.step, self.pool)
    }

    fn live_block(&self, addr: u32) -> Block {
        self.pool
            .block(addr)
            .unwrap_or_else(|| panic!("{}: live block {addr:#x} not on the used list", self.ctx()))
    }

    fn bytes(&self, addr: u32, from: usize, len: usize) -> &[u8] {
        let at = addr as usize + from;
        self.pool.bytes().get(at..at + len).unwrap_or_else(|| {
            panic!(
                "{}: block {addr:#x} +{from}..+{} lies outside the buffer",
                self.ctx(),
                from + len
            )
        })
    }

    /// Checks bytes `[from, to)` of a live block against its pattern.
    fn verify_range(&self, l: &Live, from: usize, to: usize) {
        if let Some(k) = pattern::mismatch(self.bytes(l.addr, from, to - from), l.id, from) {
            panic!(
                "{}: block {:#x} (id {}, {} bytes) lost its content at byte {}",
                self.ctx(),
                l.addr,
                l.id,
                l.req,
                from + k
            );
        }
    }

    fn verify_full(&self, l: &Live) {
        self.verify_range(l, 0, l.req as usize);
    }

    /// The checks run after every op; `full` adds the content sweep and the used-list match
    /// (the blocks an op touches are checked by the op itself).
    fn verify(&self, full: bool) {
        if let Err(v) = self.pool.check() {
            panic!("{}: check() failed: {v}", self.ctx());
        }
        let s = self.pool.stats();
        let top = u64::from(s.top);
        assert_eq!(
            s.used.count as usize,
            self.live.len(),
            "{}: used count vs live blocks",
            self.ctx()
        );
        assert!(
            s.used.size >= self.padded_sum,
            "{}: used bytes {} below the padded requests {}",
            self.ctx(),
            s.used.size,
            self.padded_sum
        );
        assert_eq!(
            s.available,
            self.lay.end - top + s.free.size,
            "{}: available",
            self.ctx()
        );
        assert_eq!(s.total, self.lay.len, "{}: total", self.ctx());
        assert_eq!(
            s.free.size + s.used.size,
            top - self.lay.initial_top,
            "{}: free + used bytes vs top - initialTop",
            self.ctx()
        );
        if full {
            for l in &self.live {
                self.verify_full(l);
            }
            let mut used: Vec<(u32, u32)> = self
                .pool
                .used_blocks()
                .map(|b| (b.addr + 8, b.size))
                .collect();
            used.sort_unstable();
            let mut live: Vec<(u32, u32)> = self.live.iter().map(|l| (l.addr, l.req)).collect();
            live.sort_unstable();
            assert_eq!(
                used.iter().map(|u| u.0).collect::<Vec<_>>(),
                live.iter().map(|l| l.0).collect::<Vec<_>>(),
                "{}: used list vs live blocks",
                self.ctx()
            );
            for (&(addr, size), &(_, req)) in used.iter().zip(&live) {
                assert!(
                    u64::from(size) >= self.padded(req),
                    "{}: block {addr:#x} of {size} bytes holds a {req}-byte request",
                    self.ctx()
                );
            }
        }
    }

    fn note(&mut self, op: workloads::Op) {
        if let Some(t) = self.trace.as_mut() {
            t.push(op);
        }
    }

    fn remember_freed(&mut self, addr: u32) {
        if self.freed.len() == FREED_MEMORY {
            self.freed.remove(0);
        }
        self.freed.push(addr);
    }

    fn apply(&mut self, op: Op) {
        match op {
            Op::Malloc(req) => {
                let n = self.resolve_malloc(req);
                let expected = self.expect_malloc(n);
                let got = self.pool.malloc(n);
                self.allocated("malloc", n, expected, got, None, Content::Any);
            }
            Op::Calloc(req, fill) => {
                let n = self.resolve_malloc(req);
                let expected = self.expect_malloc(n);
                let got = self.pool.calloc(n, fill);
                self.allocated("calloc", n, expected, got, None, Content::Fill(fill));
            }
            Op::MallocAs(elem, count) | Op::CallocAs(elem, count, _) => {
                let mut num = count.resolve(elem.size(), self.lay.end - self.top());
                if let Op::CallocAs(..) = op {
                    num = calloc_as_count(num, elem.size());
                }
                let bytes = elem.byte_size(num);
                let expected = bytes.and_then(|n| self.expect_malloc(n));
                let (h, content) = match op {
                    Op::CallocAs(_, _, fill) => (
                        elem.calloc_as(&mut self.pool, num, fill),
                        Content::Elems(elem.fill_bytes(fill)),
                    ),
                    _ => (elem.malloc_as(&mut self.pool, num), Content::Any),
                };
                if let Some(h) = h {
                    assert_eq!(
                        (h.len(), h.elem()),
                        (num, elem),
                        "{}: typed block",
                        self.ctx()
                    );
                }
                let n = bytes.unwrap_or(0);
                self.allocated("malloc_as", n, expected, h.map(|h| h.addr()), h, content);
            }
            Op::Realloc(slot, req) => {
                if self.live.is_empty() {
                    assert_eq!(self.pool.realloc(8, 1), None, "realloc of no block");
                    return;
                }
                let i = usize::from(slot) % self.live.len();
                let l = self.live[i];
                let block = self.live_block(l.addr);
                let env = Env {
                    room: self.lay.end - u64::from(block.addr),
                    free_sizes: &|| self.free_sizes(),
                };
                let n = req.resolve(&env);
                let expected = self.expect_realloc(block, l.addr, n);
                let got = self.pool.realloc(l.addr, n);
                self.reallocated(i, n, expected, got, None);
            }
            Op::ReallocArray(slot, count) => {
                let typed: Vec<usize> = (0..self.live.len())
                    .filter(|&i| self.live[i].typed.is_some())
                    .collect();
                if typed.is_empty() {
                    return;
                }
                let i = typed[usize::from(slot) % typed.len()];
                let l = self.live[i];
                let Some(h) = l.typed else { return };
                let block = self.live_block(l.addr);
                let elem = h.elem();
                let num = count.resolve(elem.size(), self.lay.end - u64::from(block.addr));
                let bytes = elem.byte_size(num);
                let expected = bytes.and_then(|n| self.expect_realloc(block, l.addr, n));
                let got = h.realloc_array(&mut self.pool, num);
                if let Some(g) = got {
                    assert_eq!(
                        (g.len(), g.elem()),
                        (num, elem),
                        "{}: realloc_array's block",
                        self.ctx()
                    );
                }
                let n = bytes.unwrap_or(0);
                self.reallocated(i, n, expected, got.map(|g| g.addr()), got);
            }
            Op::Free(slot) => {
                if self.live.is_empty() {
                    assert!(!self.pool.free(8), "free with no live block");
                    return;
                }
                self.free_live(usize::from(slot) % self.live.len());
            }
            Op::DoubleFree(k) => {
                if !self.freed.is_empty() {
                    let addr = self.freed[usize::from(k) % self.freed.len()];
                    self.free_addr(addr);
                }
            }
            Op::WildFree(w) => {
                let addr = match w {
                    Wild::Near(slot, d) => {
                        let base = if self.live.is_empty() {
                            0
                        } else {
                            self.live[usize::from(slot) % self.live.len()].addr
                        };
                        base.wrapping_add_signed(i32::from(d))
                    }
                    Wild::Any(a) => a,
                };
                self.free_addr(addr);
            }
            Op::FreeAll => {
                for i in 0..self.live.len() {
                    let id = self.live[i].id;
                    self.note(workloads::Op::Free { id });
                }
                self.pool.free_all();
                self.live.clear();
                self.padded_sum = 0;
                assert_eq!(self.pool.stats(), self.fresh, "{}: free_all", self.ctx());
            }
            Op::Stats => {
                // verify() checks stats after every op.
            }
            Op::Foreign => self.foreign(),
        }
    }

    fn resolve_malloc(&self, req: crate::input::Req) -> u32 {
        req.resolve(&Env {
            room: self.lay.end - self.top(),
            free_sizes: &|| self.free_sizes(),
        })
    }

    fn expect_malloc(&self, n: u32) -> Option<u32> {
        if n == 0 {
            None
        } else {
            self.first_fit(self.padded(n))
        }
    }

    /// Checks a new block, verifies what calloc wrote, writes the block's pattern.
    fn allocated(
        &mut self,
        what: &str,
        n: u32,
        expected: Option<u32>,
        got: Option<u32>,
        typed: Option<Handle>,
        content: Content,
    ) {
        assert_eq!(
            got,
            expected,
            "{}: {what}({n}) vs the first fit of core/SPEC.md §4.1",
            self.ctx()
        );
        let trace_id = if got.is_some() {
            self.next_id
        } else {
            self.failed += 1;
            (1 << 31) + self.failed
        };
        self.note(workloads::Op::Alloc {
            id: trace_id,
            size: u64::from(n),
        });
        let Some(addr) = got else { return };
        assert_eq!(addr % self.align, 0, "{}: {what} misaligned", self.ctx());
        let len = n as usize;
        match content {
            Content::Any => {}
            Content::Fill(fill) => {
                if let Some(k) = pattern::mismatch_repeated(self.bytes(addr, 0, len), &[fill]) {
                    panic!(
                        "{}: calloc({n}, {fill}) at {addr:#x}: byte {k} not filled",
                        self.ctx()
                    );
                }
            }
            Content::Elems(elem) => {
                let h = typed.expect("calloc_as returns a typed block");
                let got = h
                    .bytes(&self.pool)
                    .unwrap_or_else(|e| panic!("{}: calloc_as block {addr:#x}: {e}", self.ctx()));
                assert_eq!(got.len(), len, "{}: calloc_as length", self.ctx());
                if let Some(k) = pattern::mismatch_repeated(got, &elem) {
                    panic!(
                        "{}: calloc_as at {addr:#x}: byte {k} not filled",
                        self.ctx()
                    );
                }
            }
        }
        let id = self.next_id;
        self.next_id += 1;
        self.write_pattern(addr, typed, id, 0, len);
        self.padded_sum += self.padded(n);
        self.live.push(Live {
            id,
            addr,
            req: n,
            typed,
        });
    }

    /// Writes bytes `[from, to)` of block `id`'s pattern at `addr`: through the typed view
    /// when there is one (exercising `slice_mut`), else through `data_mut`.
    fn write_pattern(&mut self, addr: u32, typed: Option<Handle>, id: u32, from: usize, to: usize) {
        let out = match typed {
            Some(h) => h.bytes_mut(&mut self.pool).map_err(|e| e.to_string()),
            None => self
                .pool
                .data_mut(addr)
                .ok_or_else(|| "not allocated".to_string()),
        };
        let problem = match out {
            Ok(out) => match out.get_mut(from..to) {
                Some(out) => {
                    pattern::fill(out, id, from);
                    return;
                }
                None => format!("{} payload bytes for a {to}-byte request", out.len()),
            },
            Err(e) => e,
        };
        panic!("{}: block {addr:#x}: {problem}", self.ctx());
    }

    /// Checks a realloc of live block `i` to `n` bytes: the result, the kept prefix, the new
    /// tail's pattern.
    fn reallocated(
        &mut self,
        i: usize,
        n: u32,
        expected: Option<u32>,
        got: Option<u32>,
        typed: Option<Handle>,
    ) {
        let old = self.live[i];
        self.note(workloads::Op::Realloc {
            id: old.id,
            size: u64::from(n),
        });
        assert_eq!(
            got,
            expected,
            "{}: realloc({:#x}, {n}) of a {}-byte block vs core/SPEC.md §4.7",
            self.ctx(),
            old.addr,
            old.req
        );
        let Some(addr) = got else {
            // Nothing changes on failure.
            self.verify_full(&old);
            return;
        };
        let keep = old.req.min(n) as usize;
        let new = Live {
            id: old.id,
            addr,
            req: n,
            typed,
        };
        self.verify_range(&new, 0, keep);
        self.write_pattern(addr, typed, old.id, keep, n as usize);
        self.padded_sum = self.padded_sum - self.padded(old.req) + self.padded(n);
        self.live[i] = new;
        if addr != old.addr {
            self.remember_freed(old.addr);
        }
    }

    fn free_live(&mut self, i: usize) {
        let l = self.live.swap_remove(i);
        self.note(workloads::Op::Free { id: l.id });
        self.verify_full(&l);
        self.padded_sum -= self.padded(l.req);
        let freed = match l.typed {
            Some(h) => h.free(&mut self.pool),
            None => self.pool.free(l.addr),
        };
        assert!(freed, "{}: free of live block {:#x}", self.ctx(), l.addr);
        if let Some(h) = l.typed {
            assert_eq!(
                h.bytes(&self.pool).err(),
                Some(AccessError::NotAllocated { addr: l.addr }),
                "{}: a freed typed block is not accessible",
                self.ctx()
            );
        }
        self.remember_freed(l.addr);
    }

    /// Frees an address that may or may not be live.
    fn free_addr(&mut self, addr: u32) {
        match self.live.iter().position(|l| l.addr == addr) {
            Some(i) => self.free_live(i),
            None => assert!(
                !self.pool.free(addr),
                "{}: free({addr:#x}) of a block that is not live",
                self.ctx()
            ),
        }
    }

    /// Typed blocks of another pool are refused, and ours are refused by it.
    fn foreign(&mut self) {
        let (mut other, h) = crate::typed::foreign_block::<u32>(4);
        let addr = h.addr();
        crate::typed::assert_refuses_foreign(&mut self.pool, h, 8);
        assert_eq!(
            self.pool.slice(&h).err(),
            Some(AccessError::OtherPool { addr }),
            "slice of another pool's block"
        );
        if let Some(mine) = self.live.iter().find_map(|l| l.typed) {
            assert!(
                !mine.free(&mut other),
                "another pool freed one of our blocks"
            );
        }
    }

    /// Frees every live block, then checks that the pool is as it started.
    fn free_everything(&mut self) {
        for k in 1..=self.failed {
            self.note(workloads::Op::Free { id: (1 << 31) + k });
        }
        while let Some(l) = self.live.last().copied() {
            self.step += 1;
            self.free_live(self.live.len() - 1);
            if let Err(v) = self.pool.check() {
                panic!("{}: check() after freeing {:#x}: {v}", self.ctx(), l.addr);
            }
        }
        let s = self.pool.stats();
        assert_eq!(
            (s.used, s.available),
            (ListStats::default(), self.fresh.available),
            "{}: leak: every block freed",
            self.ctx()
        );
        if self.pool.compact() {
            assert_eq!(
                s,
                self.fresh,
                "{}: every block freed with compact on",
                self.ctx()
            );
        }
        self.pool.free_all();
        assert_eq!(self.pool.stats(), self.fresh, "{}: free_all", self.ctx());
        self.pool.check().expect("check() after free_all");
    }
}
