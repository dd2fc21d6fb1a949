//! The `model` target: the real pool against the independent [`Model`], op by op. Every
//! result (address, failure, bool) must be the same, and after every op so must the stats,
//! the free list and the used list (addresses, sizes, order). The `attach` target reuses the
//! same runner on attached heaps that `check()` accepts.

use mempool::{AlignedBuf, Engine, Fast, MemPool, Reference};

use crate::engines::Kind;
use crate::input::{calloc_as_count, EngineSel, Env, Op, OpsInput, Wild, MAX_BUFFER, MAX_OPS};
use crate::model::{Entry, Model};
use crate::typed::Handle;

/// Typed handles kept for `realloc_array`.
const MAX_HANDLES: usize = 64;
/// Freed addresses kept for double frees.
const FREED_MEMORY: usize = 32;

/// Runs one `model` input on the engine it names, against the model; with
/// [`EngineSel::Both`] on both engines, and then both buffers must be byte for byte the same.
///
/// # Panics
/// When the pool and the model disagree, or the engines do.
pub fn run(input: &OpsInput) {
    match input.config.engine {
        EngineSel::Fast => {
            run_on::<Fast>(input);
        }
        EngineSel::Reference => {
            run_on::<Reference>(input);
        }
        EngineSel::Both => {
            let fast = run_on::<Fast>(input);
            let reference = run_on::<Reference>(input);
            if let (Some((f, hwm)), Some((r, _))) = (fast, reference) {
                // Neither pool writes at or above the highest top the run reached.
                let (f, r) = (&f.as_ref()[..hwm], &r.as_ref()[..hwm]);
                if f != r {
                    let i = crate::pattern::first_difference(f, r);
                    panic!("engines disagree: fast and reference buffers differ at byte {i:#x}");
                }
            }
        }
    }
}

/// Runs `input` on engine `E` against the model; returns the final buffer and the highest
/// `top` the run reached.
fn run_on<E: Kind>(input: &OpsInput) -> Option<(AlignedBuf, usize)> {
    let o = input.config.options(MAX_BUFFER);
    let model = Model::new(
        o.size as u64,
        u64::from(o.start),
        o.end.map(u64::from),
        u64::from(o.align),
        o.compact,
        o.split,
        u64::from(o.min_split),
    );
    let pool = E::create(o);
    let (pool, model) = match (pool, model) {
        (Ok(p), Some(m)) => (p, m),
        (Err(_), None) => return None,
        (Ok(p), None) => panic!("options {o:?} accepted by the pool, refused by the model: {p:?}"),
        (Err(e), Some(m)) => panic!("options {o:?} refused by the pool ({e}), model: {m:?}"),
    };
    let mut d = Differential::new(pool, model, false);
    let mut hwm = d.model.top;
    for op in input.ops.iter().take(MAX_OPS) {
        d.apply(*op);
        hwm = hwm.max(d.model.top);
    }
    if let Err(v) = d.pool.check() {
        panic!("check() failed at the end: {v}");
    }
    Some((d.pool.into_inner(), hwm as usize))
}

/// A pool and its model, compared after every op.
pub struct Differential<B: AsRef<[u8]> + AsMut<[u8]>, E: Engine> {
    /// The real pool.
    pub pool: MemPool<B, E>,
    /// The model.
    pub model: Model,
    handles: Vec<Handle>,
    freed: Vec<u32>,
    check_each: bool,
    step: usize,
}

impl<B: AsRef<[u8]> + AsMut<[u8]>, E: Engine> Differential<B, E> {
    /// Starts comparing; `check_each` also runs `check()` after every op.
    ///
    /// # Panics
    /// When the pool and the model already disagree.
    pub fn new(pool: MemPool<B, E>, model: Model, check_each: bool) -> Self {
        let d = Differential {
            pool,
            model,
            handles: Vec::new(),
            freed: Vec::new(),
            check_each,
            step: 0,
        };
        d.compare("start");
        d
    }

    fn ctx(&self, what: impl std::fmt::Debug) -> String {
        format!("op #{} ({what:?}) on {:?}", self.step, self.pool)
    }

    /// Compares stats, both lists and `largest_free()`; with `check_each` runs `check()`.
    fn compare(&self, what: impl std::fmt::Debug + Copy) {
        let s = self.pool.stats();
        let m = self.model.stats();
        let got = (
            (u64::from(s.free.count), s.free.size),
            (u64::from(s.used.count), s.used.size),
            u64::from(s.top),
            s.available,
            s.total,
        );
        let want = (m.free, m.used, m.top, m.available, m.total);
        assert_eq!(got, want, "{}: stats (pool vs model)", self.ctx(what));
        let entry = |b: mempool::Block| (u64::from(b.addr), u64::from(b.size));
        let free_same = self.pool.free_blocks().map(entry).eq(self
            .model
            .free
            .iter()
            .map(|(&a, &s)| (a, s)));
        if !free_same {
            assert_eq!(
                self.pool.free_blocks().map(entry).collect::<Vec<Entry>>(),
                self.model.free_list(),
                "{}: free list (pool vs model)",
                self.ctx(what)
            );
        }
        let used_same = self
            .pool
            .used_blocks()
            .map(entry)
            .eq(self.model.used.iter().copied());
        if !used_same {
            assert_eq!(
                self.pool.used_blocks().map(entry).collect::<Vec<Entry>>(),
                self.model.used,
                "{}: used list (pool vs model)",
                self.ctx(what)
            );
        }
        assert_eq!(
            u64::from(self.pool.largest_free()),
            self.model.largest_free(),
            "{}: largest_free (pool vs model)",
            self.ctx(what)
        );
        if self.check_each {
            if let Err(v) = self.pool.check() {
                panic!("{}: check() failed: {v}", self.ctx(what));
            }
        }
    }

    fn remember_freed(&mut self, addr: u32) {
        if self.freed.len() == FREED_MEMORY {
            self.freed.remove(0);
        }
        self.freed.push(addr);
    }

    fn keep_handle(&mut self, h: Handle) {
        if self.handles.len() == MAX_HANDLES {
            self.handles.remove(0);
        }
        self.handles.push(h);
    }

    fn env_room(&self, base: u64) -> u64 {
        self.model.end.saturating_sub(base)
    }

    fn free_both(&mut self, addr: u32, what: Op) {
        let got = match self.handles.iter().position(|h| h.addr() == addr) {
            Some(i) => self.handles.swap_remove(i).free(&mut self.pool),
            None => self.pool.free(addr),
        };
        let want = self.model.free(addr);
        assert_eq!(got, want, "{}: free({addr:#x})", self.ctx(what));
        if got {
            self.remember_freed(addr);
        }
    }

    /// Applies `op` to both and compares.
    ///
    /// # Panics
    /// When the pool and the model disagree.
    pub fn apply(&mut self, op: Op) {
        self.step += 1;
        // Formatted only when a message needs it.
        let what = op;
        match op {
            Op::Malloc(req) | Op::Calloc(req, _) => {
                let n = req.resolve(&Env {
                    room: self.model.room(),
                    free_sizes: &|| self.model.free_sizes(),
                });
                let got = match op {
                    Op::Calloc(_, fill) => self.pool.calloc(n, fill),
                    _ => self.pool.malloc(n),
                };
                let want = self.model.malloc(n);
                assert_eq!(got, want, "{}: malloc({n})", self.ctx(what));
                if let (Op::Calloc(_, fill), Some(a)) = (op, got) {
                    let (from, to) = (a as usize, a as usize + n as usize);
                    let bytes = self.pool.bytes().get(from..to).unwrap_or_default();
                    assert!(
                        bytes.len() == n as usize
                            && crate::pattern::mismatch_repeated(bytes, &[fill]).is_none(),
                        "{}: calloc({n}, {fill}) at {a:#x} not filled",
                        self.ctx(what)
                    );
                }
            }
            Op::MallocAs(elem, count) | Op::CallocAs(elem, count, _) => {
                let mut num = count.resolve(elem.size(), self.model.room());
                if let Op::CallocAs(..) = op {
                    num = calloc_as_count(num, elem.size());
                }
                let got = match op {
                    Op::CallocAs(_, _, fill) => elem.calloc_as(&mut self.pool, num, fill),
                    _ => elem.malloc_as(&mut self.pool, num),
                };
                let want = elem.byte_size(num).and_then(|n| self.model.malloc(n));
                assert_eq!(
                    got.map(|h| h.addr()),
                    want,
                    "{}: malloc_as({num} x {elem:?})",
                    self.ctx(what)
                );
                if let Some(h) = got {
                    assert_eq!(h.len(), num, "{}: typed length", self.ctx(what));
                    if let Op::CallocAs(_, _, fill) = op {
                        let one = elem.fill_bytes(fill);
                        let bytes = h.bytes(&self.pool).expect("a new typed block");
                        assert!(
                            crate::pattern::mismatch_repeated(bytes, &one).is_none(),
                            "{}: calloc_as not filled",
                            self.ctx(what)
                        );
                    }
                    self.keep_handle(h);
                }
            }
            Op::Realloc(slot, req) => {
                let Some(ptr) = self.model.nth_used(slot) else {
                    assert_eq!(self.pool.realloc(8, 1), None, "realloc with no block");
                    return self.compare(what);
                };
                let n = req.resolve(&Env {
                    room: self.env_room(u64::from(ptr) - 8),
                    free_sizes: &|| self.model.free_sizes(),
                });
                let got = self.pool.realloc(ptr, n);
                let want = self.model.realloc(ptr, n);
                assert_eq!(got, want, "{}: realloc({ptr:#x}, {n})", self.ctx(what));
                if got.is_some_and(|a| a != ptr) {
                    self.remember_freed(ptr);
                }
            }
            Op::ReallocArray(slot, count) => {
                if self.handles.is_empty() {
                    return self.compare(what);
                }
                let i = usize::from(slot) % self.handles.len();
                let h = self.handles[i];
                let elem = h.elem();
                let num = count.resolve(elem.size(), self.env_room(u64::from(h.addr()) - 8));
                let got = h.realloc_array(&mut self.pool, num);
                let want = elem
                    .byte_size(num)
                    .and_then(|n| self.model.realloc(h.addr(), n));
                assert_eq!(
                    got.map(|g| g.addr()),
                    want,
                    "{}: realloc_array({:#x}, {num})",
                    self.ctx(what),
                    h.addr()
                );
                if let Some(g) = got {
                    assert_eq!(g.len(), num, "{}: typed length", self.ctx(what));
                    self.handles[i] = g;
                    if g.addr() != h.addr() {
                        self.remember_freed(h.addr());
                    }
                }
            }
            Op::Free(slot) => {
                let addr = self.model.nth_used(slot).unwrap_or(8);
                self.free_both(addr, what);
            }
            Op::DoubleFree(k) => {
                if !self.freed.is_empty() {
                    let addr = self.freed[usize::from(k) % self.freed.len()];
                    self.free_both(addr, what);
                }
            }
            Op::WildFree(w) => {
                let addr = match w {
                    Wild::Near(slot, d) => self
                        .model
                        .nth_used(slot)
                        .unwrap_or(0)
                        .wrapping_add_signed(i32::from(d)),
                    Wild::Any(a) => a,
                };
                self.free_both(addr, what);
            }
            Op::FreeAll => {
                self.pool.free_all();
                self.model.free_all();
                self.handles.clear();
            }
            Op::Stats => {}
            Op::Foreign => {
                let (_other, h) = crate::typed::foreign_block::<u16>(3);
                crate::typed::assert_refuses_foreign(&mut self.pool, h, 1);
            }
        }
        self.compare(what);
    }
}
