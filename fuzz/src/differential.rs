//! The `differential` target: the fast engine (the default [`MemPool`]) and the reference
//! engine ([`mempool::reference`], the seed's list walks) side by side on the same options and
//! the same operations. After every step:
//!
//! - every result is the same (addresses, failures, `free`'s bool, typed lengths);
//! - `stats()` and `largest_free()` are the same;
//! - the buffers are byte for byte the same below the highest `top` either pool has reached
//!   (neither writes above its top; the whole buffers are compared once at the end);
//! - the fast pool still has its index (a fault would silently switch it to the reference
//!   walks and make the comparison vacuous), and its heap passes `check()`.
//!
//! Unlike the `model` target this one needs no model, so its steps can be long: besides the
//! single operations of [`Op`] a step can allocate a run of blocks or free every k-th live
//! block, which grows the free-block index to hundreds of entries within one input.

use arbitrary::Arbitrary;
use mempool::{AlignedBuf, MemPool, Reference};

use crate::input::{calloc_as_count, Config, Env, Op, Req, Wild, MAX_BUFFER};
use crate::typed::Handle;

/// Steps of one input that run (the rest are ignored).
pub const MAX_STEPS: usize = 1024;
/// Typed block pairs kept for `realloc_array`.
const MAX_HANDLES: usize = 64;
/// Freed addresses kept for double frees.
const FREED_MEMORY: usize = 32;

/// One step of a `differential` input.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// One operation, as the `ops` and `model` targets have them.
    Op(Op),
    /// `malloc` of `1 + count` blocks of the given request size.
    Fill(u8, Req),
    /// `free` of every live block whose position in the used list is `phase` modulo
    /// `2 + k % 7`: leaves holes all over the heap.
    Thin(u8, u8),
}

/// Input of the `differential` target. The engine field of the config is not used: both
/// engines always run.
#[derive(Arbitrary, Debug, Clone)]
pub struct DiffInput {
    /// Pool options.
    pub config: Config,
    /// Steps (at most [`MAX_STEPS`] run).
    pub steps: Vec<Step>,
}

type Ref = MemPool<AlignedBuf, Reference>;

/// The two pools in lockstep.
struct Lockstep {
    fast: MemPool,
    reference: Ref,
    /// Typed blocks as pairs (fast, reference): a typed block belongs to one pool.
    handles: Vec<(Handle, Handle)>,
    freed: Vec<u32>,
    /// Highest `top` seen.
    hwm: u32,
    step: usize,
}

/// Runs one `differential` input.
///
/// # Panics
/// When the engines disagree, the fast pool loses its index, or `check()` fails.
pub fn run(input: &DiffInput) {
    let o = input.config.options(MAX_BUFFER);
    let (fast, reference) = match (MemPool::new(o), mempool::reference::new(o)) {
        (Ok(f), Ok(r)) => (f, r),
        (Err(f), Err(r)) => {
            assert_eq!(
                f.to_string(),
                r.to_string(),
                "options {o:?} refused differently"
            );
            return;
        }
        (f, r) => panic!("options {o:?}: fast {:?}, reference {:?}", f.err(), r.err()),
    };
    let mut l = Lockstep {
        hwm: fast.top(),
        fast,
        reference,
        handles: Vec::new(),
        freed: Vec::new(),
        step: 0,
    };
    l.compare(&"start");
    for step in input.steps.iter().take(MAX_STEPS) {
        l.step += 1;
        l.apply(*step);
        l.compare(step);
    }
    assert!(
        l.fast.bytes() == l.reference.bytes(),
        "engines disagree above the highest top at the end"
    );
}

impl Lockstep {
    fn ctx(&self, what: &dyn std::fmt::Debug) -> String {
        format!("step #{} ({what:?}) on {:?}", self.step, self.reference)
    }

    fn compare(&mut self, what: &dyn std::fmt::Debug) {
        assert_eq!(
            self.fast.stats(),
            self.reference.stats(),
            "{}: stats",
            self.ctx(what)
        );
        assert_eq!(
            self.fast.largest_free(),
            self.reference.largest_free(),
            "{}: largest_free",
            self.ctx(what)
        );
        assert!(
            self.fast.is_indexed(),
            "{}: the fast pool lost its index",
            self.ctx(what)
        );
        self.hwm = self.hwm.max(self.fast.top());
        let n = self.hwm as usize;
        let (f, r) = (&self.fast.bytes()[..n], &self.reference.bytes()[..n]);
        if f != r {
            let i = crate::pattern::first_difference(f, r);
            panic!(
                "{}: buffers differ at byte {i:#x} (fast {:#04x}, reference {:#04x})",
                self.ctx(what),
                f[i],
                r[i]
            );
        }
        if let Err(v) = self.fast.check() {
            panic!("{}: check() failed: {v}", self.ctx(what));
        }
    }

    /// Data address of the n-th live block (used-list order), if any.
    fn nth_used(&self, n: usize) -> Option<u32> {
        let count = self.reference.stats().used.count as usize;
        let b = self.reference.used_blocks().nth(n.checked_rem(count)?)?;
        u32::try_from(b.data()).ok()
    }

    fn env_room(&self, base: u64) -> u64 {
        u64::from(self.reference.end()).saturating_sub(base)
    }

    fn resolve(&self, req: Req, base: u64) -> u32 {
        let sizes = || {
            self.reference
                .free_blocks()
                .map(|b| u64::from(b.size))
                .collect()
        };
        req.resolve(&Env {
            room: self.env_room(base),
            free_sizes: &sizes,
        })
    }

    fn remember_freed(&mut self, addr: u32) {
        if self.freed.len() == FREED_MEMORY {
            self.freed.remove(0);
        }
        self.freed.push(addr);
    }

    fn malloc(&mut self, n: u32, what: &dyn std::fmt::Debug) {
        let got = self.fast.malloc(n);
        let want = self.reference.malloc(n);
        assert_eq!(got, want, "{}: malloc({n})", self.ctx(what));
    }

    fn free(&mut self, addr: u32, what: &dyn std::fmt::Debug) {
        let (got, want) = match self.handles.iter().position(|h| h.0.addr() == addr) {
            Some(i) => {
                let (f, r) = self.handles.swap_remove(i);
                (f.free(&mut self.fast), r.free(&mut self.reference))
            }
            None => (self.fast.free(addr), self.reference.free(addr)),
        };
        assert_eq!(got, want, "{}: free({addr:#x})", self.ctx(what));
        if got {
            self.remember_freed(addr);
        }
    }

    fn apply(&mut self, step: Step) {
        match step {
            Step::Op(op) => self.op(op),
            Step::Fill(count, req) => {
                for _ in 0..=count {
                    let n = self.resolve(req, u64::from(self.reference.top()));
                    self.malloc(n, &step);
                }
            }
            Step::Thin(k, phase) => {
                let every = 2 + usize::from(k % 7);
                let victims: Vec<u32> = self
                    .reference
                    .used_blocks()
                    .enumerate()
                    .filter(|(i, _)| i % every == usize::from(phase) % every)
                    .filter_map(|(_, b)| u32::try_from(b.data()).ok())
                    .collect();
                for addr in victims {
                    self.free(addr, &step);
                }
            }
        }
    }

    fn op(&mut self, op: Op) {
        let what: &dyn std::fmt::Debug = &op;
        match op {
            Op::Malloc(req) => {
                let n = self.resolve(req, u64::from(self.reference.top()));
                self.malloc(n, what);
            }
            Op::Calloc(req, fill) => {
                let n = self.resolve(req, u64::from(self.reference.top()));
                let got = self.fast.calloc(n, fill);
                let want = self.reference.calloc(n, fill);
                assert_eq!(got, want, "{}: calloc({n}, {fill})", self.ctx(what));
            }
            Op::MallocAs(elem, count) | Op::CallocAs(elem, count, _) => {
                let room = self.env_room(u64::from(self.reference.top()));
                let mut num = count.resolve(elem.size(), room);
                let (got, want) = match op {
                    Op::CallocAs(_, _, fill) => {
                        num = calloc_as_count(num, elem.size());
                        (
                            elem.calloc_as(&mut self.fast, num, fill),
                            elem.calloc_as(&mut self.reference, num, fill),
                        )
                    }
                    _ => (
                        elem.malloc_as(&mut self.fast, num),
                        elem.malloc_as(&mut self.reference, num),
                    ),
                };
                let shape = |h: &Option<Handle>| h.map(|h| (h.addr(), h.len()));
                assert_eq!(
                    shape(&got),
                    shape(&want),
                    "{}: malloc_as({num} x {elem:?})",
                    self.ctx(what)
                );
                if let (Some(f), Some(r)) = (got, want) {
                    if self.handles.len() == MAX_HANDLES {
                        self.handles.remove(0);
                    }
                    self.handles.push((f, r));
                }
            }
            Op::Realloc(slot, req) => {
                let Some(ptr) = self.nth_used(usize::from(slot)) else {
                    assert_eq!(self.fast.realloc(8, 1), self.reference.realloc(8, 1));
                    return;
                };
                let n = self.resolve(req, u64::from(ptr) - 8);
                let got = self.fast.realloc(ptr, n);
                let want = self.reference.realloc(ptr, n);
                assert_eq!(got, want, "{}: realloc({ptr:#x}, {n})", self.ctx(what));
                if got.is_some_and(|a| a != ptr) {
                    // A typed handle of the moved block is stale now.
                    self.handles.retain(|h| h.0.addr() != ptr);
                    self.remember_freed(ptr);
                }
            }
            Op::ReallocArray(slot, count) => {
                if self.handles.is_empty() {
                    return;
                }
                let i = usize::from(slot) % self.handles.len();
                let (f, r) = self.handles[i];
                let num = count.resolve(f.elem().size(), self.env_room(u64::from(f.addr()) - 8));
                let got = f.realloc_array(&mut self.fast, num);
                let want = r.realloc_array(&mut self.reference, num);
                let shape = |h: &Option<Handle>| h.map(|h| (h.addr(), h.len()));
                assert_eq!(
                    shape(&got),
                    shape(&want),
                    "{}: realloc_array({:#x}, {num})",
                    self.ctx(what),
                    f.addr()
                );
                if let (Some(g), Some(w)) = (got, want) {
                    self.handles[i] = (g, w);
                    if g.addr() != f.addr() {
                        self.remember_freed(f.addr());
                    }
                }
            }
            Op::Free(slot) => {
                let addr = self.nth_used(usize::from(slot)).unwrap_or(8);
                self.free(addr, what);
            }
            Op::DoubleFree(k) => {
                if !self.freed.is_empty() {
                    let addr = self.freed[usize::from(k) % self.freed.len()];
                    self.free(addr, what);
                }
            }
            Op::WildFree(w) => {
                let addr = match w {
                    Wild::Near(slot, d) => self
                        .nth_used(usize::from(slot))
                        .unwrap_or(0)
                        .wrapping_add_signed(i32::from(d)),
                    Wild::Any(a) => a,
                };
                self.free(addr, what);
            }
            Op::FreeAll => {
                self.fast.free_all();
                self.reference.free_all();
                self.handles.clear();
            }
            Op::Stats => {}
            Op::Foreign => {
                let (_other, h) = crate::typed::foreign_block::<u16>(3);
                crate::typed::assert_refuses_foreign(&mut self.fast, h, 1);
                crate::typed::assert_refuses_foreign(&mut self.reference, h, 1);
            }
        }
    }
}
