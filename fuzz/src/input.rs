//! What the fuzz targets decode their bytes into: pool options, operations, request sizes.
//!
//! Every type is decoded with [`arbitrary`]; the targets decode a whole input with
//! `arbitrary_take_rest`, exactly as `libfuzzer-sys` does, so the regression replay
//! ([`crate::replay`]) sees the same values.

use arbitrary::{Arbitrary, Unstructured};
use mempool::layout::align_up;
use mempool::PoolOptions;

/// Most operations one input runs: keeps every input's work bounded (execs/s).
pub const MAX_OPS: usize = 64;

/// Largest buffer the `ops` and `model` targets make (the 1 MiB).
pub const MAX_BUFFER: usize = 1 << 20;

/// `calloc_as` requests above this many bytes are cut down to it: core fills element by
/// element, and in the instrumented fuzz build a 1 MiB fill of bytes costs milliseconds.
/// (`malloc_as`, whose fit logic is the same, takes every size.)
pub const CALLOC_AS_CAP: u32 = 16 << 10;

/// Smallest buffer.
pub const MIN_BUFFER: usize = 64;

/// Buffer size: mostly small buffers (where blocks collide), sometimes up to 1 MiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BufSize {
    /// 64 + x bytes.
    Tiny(u8),
    /// 64 + x % 16 KiB bytes.
    Small(u16),
    /// 64 + x % (1 MiB - 63) bytes.
    Large(u32),
}

impl<'a> Arbitrary<'a> for BufSize {
    /// Tiny 7 in 16, small 7 in 16, large 2 in 16: large buffers cost more per input
    /// (zeroing, bigger blocks to fill and check) and find little that smaller ones don't.
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(match u.arbitrary::<u8>()? & 15 {
            0..=6 => BufSize::Tiny(u.arbitrary()?),
            7..=13 => BufSize::Small(u.arbitrary()?),
            _ => BufSize::Large(u.arbitrary()?),
        })
    }
}

impl BufSize {
    /// The size in bytes, in `[MIN_BUFFER, max]`.
    #[must_use]
    pub fn bytes(self, max: usize) -> usize {
        let span = max - MIN_BUFFER + 1;
        MIN_BUFFER
            + match self {
                BufSize::Tiny(x) => usize::from(x),
                BufSize::Small(x) => usize::from(x) % (16 << 10),
                BufSize::Large(x) => x as usize,
            } % span
    }
}

/// Which engine runs the pool.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineSel {
    /// The default engine, with its host-side index.
    Fast,
    /// The reference engine: the seed's list walks.
    Reference,
    /// The fast engine, and where the target supports it (`model`) a reference twin whose
    /// buffer must end byte for byte the same.
    Both,
}

/// Pool options (every field of [`PoolOptions`]) and the engine.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Buffer size.
    pub size: BufSize,
    /// `start` option (rounded up to 4 by the pool); may leave no room, which must be refused.
    pub start: u8,
    /// `end` option: `None` is the buffer length, `Some(x)` is the length minus `x`
    /// (saturating), which may leave no room and must then be refused.
    pub end_trim: Option<u16>,
    /// `align = 8 << (x % 4)`: 8, 16, 32 or 64.
    pub align_log: u8,
    /// `compact` option.
    pub compact: bool,
    /// `split` option.
    pub split: bool,
    /// `min_split = 9 + x % 1016`: 9..=1024.
    pub min_split: u16,
    /// The engine.
    pub engine: EngineSel,
}

impl Config {
    /// The options, for a buffer of at most `max` bytes.
    #[must_use]
    pub fn options(&self, max: usize) -> PoolOptions {
        let size = self.size.bytes(max);
        PoolOptions {
            size,
            start: u32::from(self.start),
            end: self
                .end_trim
                .map(|t| u32::try_from(size.saturating_sub(usize::from(t))).unwrap_or(0)),
            align: 8 << (self.align_log % 4),
            compact: self.compact,
            split: self.split,
            min_split: 9 + u32::from(self.min_split) % 1016,
        }
    }
}

/// The layout the options must give, computed from `core/SPEC.md` §2.4 and §3.2 (not from
/// core's code): `None`
/// when the pool must refuse them.
#[must_use]
pub fn expected_layout(o: &PoolOptions) -> Option<Layout> {
    let len = o.size as u64;
    let start = align_up(u64::from(o.start), 4);
    if start + 28 > len {
        return None;
    }
    let end = o.end.map_or(len, |e| u64::from(e).min(len));
    let initial_top = align_up(start + 28 + 8, o.align) - 8;
    if initial_top >= end {
        return None;
    }
    Some(Layout {
        len,
        start,
        end,
        initial_top,
    })
}

/// Where a pool's heap lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Buffer length.
    pub len: u64,
    /// State address.
    pub start: u64,
    /// One past the last usable byte.
    pub end: u64,
    /// First block address.
    pub initial_top: u64,
}

/// A request size in bytes, some of them placed at the edges that decide a fit.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Req {
    /// 0..=255 bytes (0 must fail).
    Small(u8),
    /// 0..=65535 bytes.
    Medium(u16),
    /// Any `u32` (mostly too large: exercises the overflow paths).
    Any(u32),
    /// `room - 8 + delta`, where room is `end - top` (malloc) or `end - block` (realloc): the
    /// request whose padded size lands at `end`, give or take.
    Edge(i8),
    /// `size - 8 + delta` of the n-th free block: just fits, or just misses.
    FreeFit(u8, i8),
}

/// What a request size is resolved against.
pub struct Env<'a> {
    /// `end - top` for malloc, `end - block` for realloc.
    pub room: u64,
    /// Sizes of the free blocks, in list order (computed only for [`Req::FreeFit`]).
    pub free_sizes: &'a dyn Fn() -> Vec<u64>,
}

fn clamp(x: i64) -> u32 {
    u32::try_from(x.max(0)).unwrap_or(u32::MAX)
}

impl Req {
    /// The request size in bytes.
    #[must_use]
    pub fn resolve(self, env: &Env<'_>) -> u32 {
        let near =
            |base: u64, d: i8| clamp(i64::try_from(base).unwrap_or(i64::MAX) - 8 + i64::from(d));
        match self {
            Req::Small(x) => u32::from(x),
            Req::Medium(x) => u32::from(x),
            Req::Any(x) => x,
            Req::Edge(d) => near(env.room, d),
            Req::FreeFit(i, d) => match (env.free_sizes)().as_slice() {
                [] => near(env.room, d),
                s => near(s[usize::from(i) % s.len()], d),
            },
        }
    }
}

/// The element count `calloc_as` runs with: `num`, unless its byte size is within `u32` but
/// above [`CALLOC_AS_CAP`].
#[must_use]
pub fn calloc_as_count(num: u32, elem_size: u32) -> u32 {
    match num.checked_mul(elem_size) {
        Some(b) if b > CALLOC_AS_CAP => CALLOC_AS_CAP / elem_size,
        _ => num,
    }
}

/// A number of typed elements.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// 0..=255 elements (0 must fail).
    Small(u8),
    /// 0..=65535 elements.
    Medium(u16),
    /// Any `u32`: the byte size may overflow `u32`, which must fail.
    Any(u32),
    /// As many as fit in `room` bytes, plus `delta`.
    Edge(i8),
}

impl Count {
    /// The element count for elements of `elem_size` bytes.
    #[must_use]
    pub fn resolve(self, elem_size: u32, room: u64) -> u32 {
        match self {
            Count::Small(x) => u32::from(x),
            Count::Medium(x) => u32::from(x),
            Count::Any(x) => x,
            Count::Edge(d) => {
                let fit = room.saturating_sub(8) / u64::from(elem_size);
                clamp(i64::try_from(fit).unwrap_or(i64::MAX) + i64::from(d))
            }
        }
    }
}

/// An address to free that is not (or no longer) a live block's, most of the time.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wild {
    /// A live block's data address plus `delta` (0 frees it for real).
    Near(u8, i8),
    /// Any address.
    Any(u32),
}

/// One operation on the pool.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    /// `malloc(n)`.
    Malloc(Req),
    /// `calloc(n, fill)`.
    Calloc(Req, u8),
    /// `malloc_as::<T>(count)`.
    MallocAs(crate::typed::Elem, Count),
    /// `calloc_as::<T>(count, fill)`; `fill` holds the element's bytes (low bytes first).
    CallocAs(crate::typed::Elem, Count, u64),
    /// `realloc` of the n-th live block.
    Realloc(u8, Req),
    /// `realloc_array` of the n-th typed block.
    ReallocArray(u8, Count),
    /// `free` of the n-th live block.
    Free(u8),
    /// `free` of the n-th address freed before (a double free, unless it was reused).
    DoubleFree(u8),
    /// `free` of a wild address.
    WildFree(Wild),
    /// `free_all`.
    FreeAll,
    /// `stats` (checked after every op anyway).
    Stats,
    /// Typed blocks of another pool are refused.
    Foreign,
}

impl<'a> Arbitrary<'a> for Op {
    /// One tag byte picks the operation with fixed weights (frees and allocations common,
    /// `free_all` rare, so heaps grow fragmented), then the operands.
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(match u.arbitrary::<u8>()? {
            0..=47 => Op::Malloc(u.arbitrary()?),
            48..=67 => Op::Calloc(u.arbitrary()?, u.arbitrary()?),
            68..=83 => Op::MallocAs(u.arbitrary()?, u.arbitrary()?),
            84..=95 => Op::CallocAs(u.arbitrary()?, u.arbitrary()?, u.arbitrary()?),
            96..=135 => Op::Realloc(u.arbitrary()?, u.arbitrary()?),
            136..=151 => Op::ReallocArray(u.arbitrary()?, u.arbitrary()?),
            152..=209 => Op::Free(u.arbitrary()?),
            210..=221 => Op::DoubleFree(u.arbitrary()?),
            222..=233 => Op::WildFree(u.arbitrary()?),
            234..=237 => Op::FreeAll,
            238..=251 => Op::Stats,
            _ => Op::Foreign,
        })
    }
}

/// Input of the `ops` and `model` targets.
#[derive(Arbitrary, Debug, Clone)]
pub struct OpsInput {
    /// Pool options.
    pub config: Config,
    /// Operations (at most [`MAX_OPS`] run).
    pub ops: Vec<Op>,
}
