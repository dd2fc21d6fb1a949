//! Runs conformance op streams against [`mempool::MemPool`] and prints one JSON line per result.
//!
//! The stream format and the output are exactly those of the JavaScript driver
//! `core/tests/js/driver.mjs`, which runs the same streams against the seed (@thi.ng/malloc's
//! MemPool with the port's realloc fixes): for the same input both print identical text, except
//! that `init_error` messages differ.
//!
//! Input, one JSON value per line (blank lines are ignored):
//!
//! - an object starts a new stream: pool options with the seed's names (`size`, `start`, `end`,
//!   `align`, `compact`, `split`, `minSplit`; any subset, `null` = missing). Prints
//!   `{"init":true,"stats":S,"hash":H}`, or `{"init_error":"..."}` after which the stream's ops
//!   are skipped up to the next object line.
//! - an array is one op: `["m",size]` malloc, `["c",size,fill]` calloc, `["f",slot]` free,
//!   `["r",slot,size]` realloc, `["F"]` free all, `["fa",addr]` free of a raw address,
//!   `["ra",addr,size]` realloc of a raw address. Successful `m`/`c` append their address to the
//!   stream's slot list; `f` and `r` use `slots[slot % slots.len()]` (an empty list gives
//!   `false` / `0` without calling the pool); a successful `r` replaces its slot; `F` empties
//!   the list. Prints `{"op":<op>,"res":R,"stats":S,"hash":H}` with `R` the address (0 =
//!   failure), `true`/`false` or `null`.
//! - typed views, with `T` one of the element types both sides have (`"u8"`, `"i8"`, `"u16"`,
//!   `"i16"`, `"u32"`, `"i32"`, `"u64"`, `"i64"`, `"f32"`, `"f64"`; the seed's clamped `"u8c"`
//!   has no port type): `["ma",T,num]` mallocAs, `["ca",T,num,fill]` callocAs, `["rv",view,num]`
//!   reallocArray of `views[view % views.len()]`, `["fv",view]` free of that view. A successful
//!   `ma`/`ca` appends its view to the stream's view list (apart from the slots), a successful
//!   `rv` replaces its view, `F` empties the list, and a freed view stays in it (as a JS view
//!   outlives its block). `R` is the view's data address (0 = `undefined`) or, for `fv`,
//!   `true`/`false`. `fill` is a string holding a number as JavaScript writes it into the
//!   typed array: `Number(fill)` for the 8- to 32-bit and float types (integers wrap modulo
//!   2^bits after truncation, NaN and infinities give 0; floats round to f32), `BigInt(fill)`
//!   modulo 2^64 for the 64-bit types. The generator only writes strings that JavaScript and
//!   Rust's `str::parse::<f64>` read alike (decimal numbers, `NaN`, `Infinity`, `-Infinity`,
//!   `-0`) and, for the 64-bit types, decimal integers.
//!
//! `S` is the seed's `stats()` object (same key order) and `H` the first 16 hex digits of the
//! SHA-1 of the whole buffer. Arguments are integers of at most 2^53 - 1 in magnitude; sizes
//! outside `1..=u32::MAX` and addresses outside `0..=u32::MAX` fail without calling the pool,
//! as they do in the seed. A malformed line is an [`io::ErrorKind::InvalidData`] error naming
//! its line number.

use std::fmt::Write as _;
use std::io::{self, BufRead, Write};

use mempool::{AlignedBuf, Engine, MemPool, PoolError, PoolOptions, TypedBlock};
use serde_json::{Map, Value};
use sha1::{Digest, Sha1};

/// Largest integer a stream may hold (JavaScript's `Number.MAX_SAFE_INTEGER`).
const MAX_SAFE: i64 = (1 << 53) - 1;

/// How [`run_with`] runs a stream file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Config {
    /// Run `MemPool::check` after the construction and after every op; a violation stops the
    /// run with an error naming the line.
    pub check: bool,
    /// The pool's engine.
    pub engine: EngineKind,
}

/// Which of the port's engines runs the streams.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EngineKind {
    /// [`mempool::MemPool`]: the default, indexed engine.
    #[default]
    Fast,
    /// [`mempool::reference::MemPool`]: the list-walking oracle.
    Reference,
}

/// Runs the streams of `input`, printing the results to `output`.
pub fn run(input: impl BufRead, output: impl Write) -> io::Result<()> {
    run_with(input, output, Config::default())
}

/// [`run`] with a [`Config`].
pub fn run_with(input: impl BufRead, output: impl Write, config: Config) -> io::Result<()> {
    match config.engine {
        EngineKind::Fast => run_engine(input, output, config.check, MemPool::new),
        EngineKind::Reference => run_engine(input, output, config.check, mempool::reference::new),
    }
}

type Pool<E> = MemPool<AlignedBuf, E>;

fn run_engine<E: Engine>(
    input: impl BufRead,
    output: impl Write,
    check_each_op: bool,
    new_pool: fn(PoolOptions) -> Result<Pool<E>, PoolError>,
) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, output);
    let mut state = Stream::<E>::NotStarted;
    let mut slots: Vec<u32> = Vec::new();
    let mut views: Vec<View> = Vec::new();
    let mut line_buf = String::new();
    for (index, line) in input.lines().enumerate() {
        let line_no = index + 1;
        let line = line?;
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(text)
            .map_err(|e| malformed(line_no, format_args!("invalid JSON: {e}")))?;
        match value {
            Value::Object(map) => {
                slots.clear();
                views.clear();
                line_buf.clear();
                state = match parse_options(&map).map_err(|e| malformed(line_no, e))? {
                    Err(message) => {
                        init_error(&mut line_buf, &message);
                        Stream::Failed
                    }
                    Ok(opts) => match new_pool(opts) {
                        Err(e) => {
                            init_error(&mut line_buf, &e.to_string());
                            Stream::Failed
                        }
                        Ok(pool) => {
                            line_buf.push_str("{\"init\":true,\"stats\":");
                            push_stats(&mut line_buf, &pool);
                            push_hash(&mut line_buf, &pool);
                            if check_each_op {
                                check(&pool, line_no)?;
                            }
                            Stream::Running(pool)
                        }
                    },
                };
                line_buf.push('\n');
                out.write_all(line_buf.as_bytes())?;
            }
            Value::Array(items) => {
                let op = parse_op(&items).map_err(|e| malformed(line_no, e))?;
                let pool = match &mut state {
                    Stream::NotStarted => {
                        return Err(malformed(line_no, "op before any options line"))
                    }
                    Stream::Failed => continue,
                    Stream::Running(pool) => pool,
                };
                let res = apply(pool, &mut slots, &mut views, op);
                line_buf.clear();
                line_buf.push_str("{\"op\":");
                line_buf.push_str(&serde_json::to_string(&items).map_err(io::Error::other)?);
                line_buf.push_str(",\"res\":");
                match res {
                    Res::Addr(a) => write!(line_buf, "{a}").unwrap(),
                    Res::Bool(b) => write!(line_buf, "{b}").unwrap(),
                    Res::Null => line_buf.push_str("null"),
                }
                line_buf.push_str(",\"stats\":");
                push_stats(&mut line_buf, pool);
                push_hash(&mut line_buf, pool);
                line_buf.push('\n');
                out.write_all(line_buf.as_bytes())?;
                if check_each_op {
                    check(pool, line_no)?;
                }
            }
            _ => {
                return Err(malformed(
                    line_no,
                    "expected an options object or an op array",
                ))
            }
        }
    }
    out.flush()
}

enum Stream<E: Engine> {
    NotStarted,
    Failed,
    Running(Pool<E>),
}

#[derive(Debug, Clone)]
enum Op {
    Malloc(i64),
    Calloc(i64, i64),
    Free(u64),
    Realloc(u64, i64),
    FreeAll,
    FreeAddr(i64),
    ReallocAddr(i64, i64),
    MallocAs(Elem, i64),
    CallocAs(Elem, i64, String),
    ReallocView(u64, i64),
    FreeView(u64),
}

/// The element types of typed views: the seed's `Type` names that the port also has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Elem {
    U8,
    I8,
    U16,
    I16,
    U32,
    I32,
    U64,
    I64,
    F32,
    F64,
}

impl Elem {
    fn parse(name: &str) -> Option<Elem> {
        Some(match name {
            "u8" => Elem::U8,
            "i8" => Elem::I8,
            "u16" => Elem::U16,
            "i16" => Elem::I16,
            "u32" => Elem::U32,
            "i32" => Elem::I32,
            "u64" => Elem::U64,
            "i64" => Elem::I64,
            "f32" => Elem::F32,
            "f64" => Elem::F64,
            _ => return None,
        })
    }
}

/// A typed block of one of the [`Elem`] types.
#[derive(Debug, Clone, Copy)]
enum View {
    U8(TypedBlock<u8>),
    I8(TypedBlock<i8>),
    U16(TypedBlock<u16>),
    I16(TypedBlock<i16>),
    U32(TypedBlock<u32>),
    I32(TypedBlock<i32>),
    U64(TypedBlock<u64>),
    I64(TypedBlock<i64>),
    F32(TypedBlock<f32>),
    F64(TypedBlock<f64>),
}

/// `$body` with `$b` bound to the view's block, whatever its element type, and `$wrap` to the
/// view's constructor.
macro_rules! with_view {
    ($view:expr, $b:ident, $wrap:ident => $body:expr) => {
        match $view {
            View::U8($b) => {
                let $wrap = View::U8;
                $body
            }
            View::I8($b) => {
                let $wrap = View::I8;
                $body
            }
            View::U16($b) => {
                let $wrap = View::U16;
                $body
            }
            View::I16($b) => {
                let $wrap = View::I16;
                $body
            }
            View::U32($b) => {
                let $wrap = View::U32;
                $body
            }
            View::I32($b) => {
                let $wrap = View::I32;
                $body
            }
            View::U64($b) => {
                let $wrap = View::U64;
                $body
            }
            View::I64($b) => {
                let $wrap = View::I64;
                $body
            }
            View::F32($b) => {
                let $wrap = View::F32;
                $body
            }
            View::F64($b) => {
                let $wrap = View::F64;
                $body
            }
        }
    };
}

impl View {
    fn addr(self) -> u32 {
        with_view!(self, b, _w => b.addr())
    }
}

/// JavaScript's `Number(s)` for the strings the streams hold (see the module docs).
fn js_number(s: &str) -> Option<f64> {
    s.parse::<f64>().ok()
}

/// ECMAScript's ToIntN / ToUintN: truncate, wrap modulo 2^bits (NaN and infinities give 0);
/// the result's low `bits` bits.
fn js_to_bits(x: f64, bits: u32) -> u64 {
    if !x.is_finite() {
        return 0;
    }
    let modulus = 2f64.powi(bits as i32);
    // Both steps are exact on doubles: trunc, and the remainder of an integer by 2^bits.
    x.trunc().rem_euclid(modulus) as u64
}

/// `BigInt(s)` modulo 2^64, for BigInt64Array / BigUint64Array fills.
fn js_bigint_bits(s: &str) -> Option<u64> {
    s.parse::<i128>().ok().map(|v| v as u64)
}

/// `pool.callocAs(type, num, fill)`: the fill converted as the JavaScript typed array
/// converts it.
fn calloc_as<E: Engine>(pool: &mut Pool<E>, elem: Elem, num: u32, fill: &str) -> Option<View> {
    let number = || js_number(fill);
    Some(match elem {
        Elem::U8 => View::U8(pool.calloc_as(num, js_to_bits(number()?, 8) as u8)?),
        Elem::I8 => View::I8(pool.calloc_as(num, js_to_bits(number()?, 8) as u8 as i8)?),
        Elem::U16 => View::U16(pool.calloc_as(num, js_to_bits(number()?, 16) as u16)?),
        Elem::I16 => View::I16(pool.calloc_as(num, js_to_bits(number()?, 16) as u16 as i16)?),
        Elem::U32 => View::U32(pool.calloc_as(num, js_to_bits(number()?, 32) as u32)?),
        Elem::I32 => View::I32(pool.calloc_as(num, js_to_bits(number()?, 32) as u32 as i32)?),
        Elem::U64 => View::U64(pool.calloc_as(num, js_bigint_bits(fill)?)?),
        Elem::I64 => View::I64(pool.calloc_as(num, js_bigint_bits(fill)? as i64)?),
        // ToFloat32: round to nearest, ties to even, as `as` does.
        Elem::F32 => View::F32(pool.calloc_as(num, number()? as f32)?),
        Elem::F64 => View::F64(pool.calloc_as(num, number()?)?),
    })
}

/// `pool.mallocAs(type, num)`.
fn malloc_as<E: Engine>(pool: &mut Pool<E>, elem: Elem, num: u32) -> Option<View> {
    Some(match elem {
        Elem::U8 => View::U8(pool.malloc_as(num)?),
        Elem::I8 => View::I8(pool.malloc_as(num)?),
        Elem::U16 => View::U16(pool.malloc_as(num)?),
        Elem::I16 => View::I16(pool.malloc_as(num)?),
        Elem::U32 => View::U32(pool.malloc_as(num)?),
        Elem::I32 => View::I32(pool.malloc_as(num)?),
        Elem::U64 => View::U64(pool.malloc_as(num)?),
        Elem::I64 => View::I64(pool.malloc_as(num)?),
        Elem::F32 => View::F32(pool.malloc_as(num)?),
        Elem::F64 => View::F64(pool.malloc_as(num)?),
    })
}

enum Res {
    Addr(u32),
    Bool(bool),
    Null,
}

fn apply<E: Engine>(
    pool: &mut Pool<E>,
    slots: &mut Vec<u32>,
    views: &mut Vec<View>,
    op: Op,
) -> Res {
    match op {
        Op::Malloc(size) => {
            let addr = size_u32(size).and_then(|s| pool.malloc(s));
            slots.extend(addr);
            Res::Addr(addr.unwrap_or(0))
        }
        Op::Calloc(size, fill) => {
            // Uint8Array.prototype.fill: ToUint8, i.e. modulo 256.
            let addr = size_u32(size).and_then(|s| pool.calloc(s, (fill & 0xff) as u8));
            slots.extend(addr);
            Res::Addr(addr.unwrap_or(0))
        }
        Op::Free(slot) => match slot_index(slots, slot) {
            None => Res::Bool(false),
            Some(i) => Res::Bool(pool.free(slots[i])),
        },
        Op::Realloc(slot, size) => match slot_index(slots, slot) {
            None => Res::Addr(0),
            Some(i) => {
                let addr = size_u32(size).and_then(|s| pool.realloc(slots[i], s));
                if let Some(a) = addr {
                    slots[i] = a;
                }
                Res::Addr(addr.unwrap_or(0))
            }
        },
        Op::FreeAll => {
            pool.free_all();
            slots.clear();
            views.clear();
            Res::Null
        }
        Op::FreeAddr(addr) => Res::Bool(u32::try_from(addr).is_ok_and(|a| pool.free(a))),
        Op::ReallocAddr(addr, size) => {
            let res = match (u32::try_from(addr), size_u32(size)) {
                (Ok(a), Some(s)) => pool.realloc(a, s),
                _ => None,
            };
            Res::Addr(res.unwrap_or(0))
        }
        Op::MallocAs(elem, num) => {
            let view = u32::try_from(num)
                .ok()
                .and_then(|n| malloc_as(pool, elem, n));
            views.extend(view);
            Res::Addr(view.map_or(0, View::addr))
        }
        Op::CallocAs(elem, num, fill) => {
            let view = u32::try_from(num)
                .ok()
                .and_then(|n| calloc_as(pool, elem, n, &fill));
            views.extend(view);
            Res::Addr(view.map_or(0, View::addr))
        }
        Op::ReallocView(view, num) => match slot_index(views, view) {
            None => Res::Addr(0),
            Some(i) => {
                // `num * BYTES_PER_ELEMENT <= 0` fails in the seed's realloc, as a num the
                // port cannot take does here.
                let new = u32::try_from(num).ok().and_then(
                    |n| with_view!(views[i], b, wrap => pool.realloc_array(b, n).map(wrap)),
                );
                if let Some(v) = new {
                    views[i] = v;
                }
                Res::Addr(new.map_or(0, View::addr))
            }
        },
        Op::FreeView(view) => match slot_index(views, view) {
            None => Res::Bool(false),
            Some(i) => Res::Bool(with_view!(views[i], b, _w => pool.free_typed(b))),
        },
    }
}

/// A request size the pool is asked about: `1..=u32::MAX` (anything else fails in the seed).
fn size_u32(size: i64) -> Option<u32> {
    u32::try_from(size).ok().filter(|&s| s > 0)
}

fn slot_index<T>(slots: &[T], slot: u64) -> Option<usize> {
    if slots.is_empty() {
        None
    } else {
        // slot <= 2^53, slots.len() fits in u64: the remainder is below slots.len().
        Some((slot % slots.len() as u64) as usize)
    }
}

fn parse_op(items: &[Value]) -> Result<Op, String> {
    let kind = items
        .first()
        .and_then(Value::as_str)
        .ok_or_else(|| "an op must start with its name".to_string())?;
    let arity = match kind {
        "F" => 0,
        "m" | "f" | "fa" | "fv" => 1,
        "c" | "r" | "ra" | "ma" | "rv" => 2,
        "ca" => 3,
        _ => return Err(format!("unknown op {}", Value::from(kind))),
    };
    if items.len() != arity + 1 {
        return Err(format!("op {kind} takes {arity} argument(s)"));
    }
    let arg = |i: usize| -> Result<i64, String> {
        int(&items[i]).ok_or_else(|| format!("op {kind}: argument {i} must be an integer"))
    };
    let slot = |i: usize| -> Result<u64, String> {
        u64::try_from(arg(i)?).map_err(|_| format!("op {kind}: slot must not be negative"))
    };
    let elem = |i: usize| -> Result<Elem, String> {
        items[i]
            .as_str()
            .and_then(Elem::parse)
            .ok_or_else(|| format!("op {kind}: argument {i} must be an element type"))
    };
    Ok(match kind {
        "m" => Op::Malloc(arg(1)?),
        "c" => Op::Calloc(arg(1)?, arg(2)?),
        "f" => Op::Free(slot(1)?),
        "r" => {
            let size = arg(2)?;
            Op::Realloc(slot(1)?, size)
        }
        "F" => Op::FreeAll,
        "fa" => Op::FreeAddr(arg(1)?),
        "ra" => Op::ReallocAddr(arg(1)?, arg(2)?),
        "ma" => Op::MallocAs(elem(1)?, arg(2)?),
        "ca" => {
            let fill = items[3]
                .as_str()
                .filter(|s| js_number(s).is_some() || js_bigint_bits(s).is_some())
                .ok_or_else(|| format!("op {kind}: argument 3 must be a number in a string"))?;
            Op::CallocAs(elem(1)?, arg(2)?, fill.to_owned())
        }
        "rv" => Op::ReallocView(slot(1)?, arg(2)?),
        _ => Op::FreeView(slot(1)?),
    })
}

/// A JSON integer of at most 2^53 - 1 in magnitude (what JavaScript holds exactly).
fn int(v: &Value) -> Option<i64> {
    v.as_i64().filter(|n| (-MAX_SAFE..=MAX_SAFE).contains(n))
}

/// Maps the seed's options onto [`PoolOptions`], mirroring the seed's constructor: the outer
/// error is a malformed line, the inner one an option the seed's constructor rejects before
/// the port could see it (an `init_error`).
fn parse_options(map: &Map<String, Value>) -> Result<Result<PoolOptions, String>, String> {
    // Check every entry first, so a malformed line is reported whatever the key order.
    for (key, value) in map {
        let ok = match key.as_str() {
            "compact" | "split" => value.is_null() || value.is_boolean(),
            "size" | "start" | "end" | "align" | "minSplit" => {
                value.is_null() || int(value).is_some()
            }
            _ => return Err(format!("unknown option {}", Value::from(key.as_str()))),
        };
        if !ok {
            return Err(format!("option {key} has an invalid value {value}"));
        }
    }
    // null is missing, as in the seed (`opts.x != null`, `opts.x || default`, `!== false`).
    let get = |key: &str| map.get(key).and_then(int);
    let flag = |key: &str| map.get(key).and_then(Value::as_bool);
    let mut opts = PoolOptions::default();
    // `new ArrayBuffer(opts.size || 4096)`: a negative length throws.
    match get("size") {
        None | Some(0) => {}
        Some(n) => match usize::try_from(n) {
            Ok(size) => opts.size = size,
            Err(_) => return Ok(Err(format!("invalid buffer size {n}"))),
        },
    }
    // `align(Math.max(opts.start, 0), 4)` (the port rounds up to 4 itself).
    if let Some(n) = get("start") {
        opts.start = u32::try_from(n.max(0)).unwrap_or(u32::MAX);
    }
    // `Math.min(opts.end, buf.byteLength)`: a negative end is below any initial top.
    if let Some(n) = get("end") {
        opts.end = Some(u32::try_from(n.max(0)).unwrap_or(u32::MAX));
    }
    // `opts.align || 8`, asserted `>= 8`.
    match get("align") {
        None | Some(0) => {}
        Some(n) => match u32::try_from(n) {
            Ok(a) => opts.align = a,
            Err(_) => return Ok(Err(format!("invalid alignment: {n}"))),
        },
    }
    // `opts.minSplit || 16`, asserted `> 8`.
    match get("minSplit") {
        None | Some(0) => {}
        Some(n) if n < 0 => return Ok(Err(format!("illegal min split threshold: {n}"))),
        Some(n) => opts.min_split = u32::try_from(n).unwrap_or(u32::MAX),
    }
    // `opts.compact !== false`, `opts.split !== false`.
    opts.compact = flag("compact") != Some(false);
    opts.split = flag("split") != Some(false);
    Ok(Ok(opts))
}

fn init_error(buf: &mut String, message: &str) {
    buf.push_str("{\"init_error\":");
    buf.push_str(&Value::from(message).to_string());
    buf.push('}');
}

fn push_stats<E: Engine>(buf: &mut String, pool: &Pool<E>) {
    let s = pool.stats();
    write!(
        buf,
        "{{\"free\":{{\"count\":{},\"size\":{}}},\"used\":{{\"count\":{},\"size\":{}}},\
         \"top\":{},\"available\":{},\"total\":{}}}",
        s.free.count, s.free.size, s.used.count, s.used.size, s.top, s.available, s.total
    )
    .unwrap();
}

fn push_hash<E: Engine>(buf: &mut String, pool: &Pool<E>) {
    let digest = Sha1::digest(pool.bytes());
    buf.push_str(",\"hash\":\"");
    for byte in &digest[..8] {
        write!(buf, "{byte:02x}").unwrap();
    }
    buf.push_str("\"}");
}

fn check<E: Engine>(pool: &Pool<E>, line_no: usize) -> io::Result<()> {
    pool.check().map_err(|v| {
        io::Error::other(format!(
            "line {line_no}: pool check failed after this line: {v}"
        ))
    })
}

fn malformed(line_no: usize, message: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("line {line_no}: {message}"),
    )
}
