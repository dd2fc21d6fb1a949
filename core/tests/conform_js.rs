//! Conformance against the seed: random op streams run through the real @thi.ng/malloc
//! MemPool (`tests/js/driver.mjs`, with the port's realloc fixes) and through the port
//! (`examples/conform/runner.rs`) must print identical results, byte for byte: every address,
//! every `stats()` and a hash of the whole buffer after every op. The port's `check()` must
//! also pass after every op.
//!
//! The streams mix the untyped ops (malloc, calloc, free, realloc, freeAll, and frees and
//! reallocs of raw addresses) with the seed's typed views: mallocAs, callocAs (fills of every
//! element type as JavaScript converts them: negative and wrapping integers, fractions, NaN,
//! infinities, -0, floats f32 rounds or overflows, 64-bit integers beyond both ranges),
//! reallocArray and free of a view, for the ten element types both sides have.
//!
//! - `MEMPOOL_CONFORM_STREAMS`: number of streams (default 10000).
//! - `MEMPOOL_CONFORM_SEED`: PRNG seed (default fixed), decimal or 0x-hex.
//!
//! Needs Node.js and npm; runs `npm ci` in `tests/js` when its `node_modules` is missing.
//! Without node the test is skipped, unless `CI` is set, when it fails.
//!
//! On a failure the first failing stream is shrunk (ops removed while it still fails) and
//! printed with both outputs; the original and the shrunk stream are also written next to the
//! test's temporary files, to be replayed with
//! `node tests/js/driver.mjs < FILE` and `cargo run -q -p mempool --example conform < FILE`.

#[allow(dead_code)]
#[path = "../examples/conform/runner.rs"]
mod runner;

mod common;

use common::node::{js_dir, node_ready};
use common::rng::Rng;
use runner::EngineKind;

use std::fmt::Write as _;
use std::fs;
use std::io::Read;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

const DEFAULT_STREAMS: usize = 10_000;
const DEFAULT_SEED: u64 = 0x6d65_6d70_6f6f_6c21; // "mempool!"
/// How long one node run may take while shrinking a failing stream.
const SHRINK_TIMEOUT: Duration = Duration::from_secs(30);

#[test]
fn conform_with_seed() {
    let js_dir = js_dir();
    if !node_ready("conform_js") {
        return;
    }
    let count = env_number("MEMPOOL_CONFORM_STREAMS").map_or(DEFAULT_STREAMS, |n| n as usize);
    let seed = env_number("MEMPOOL_CONFORM_SEED").unwrap_or(DEFAULT_SEED);

    let t0 = Instant::now();
    let mut rng = Rng::new(seed);
    let streams: Vec<Stream> = (0..count).map(|_| Stream::generate(&mut rng)).collect();
    let text = render(&streams);
    let ops: usize = streams.iter().map(|s| s.ops.len()).sum();

    let t1 = Instant::now();
    let js_timeout = Duration::from_secs(60) + Duration::from_millis(10) * count as u32;
    let js = run_js(&js_dir, &text, "all", js_timeout);
    let t2 = Instant::now();
    let js_split = split_outputs(&streams, &js);
    let mut all_ok = true;
    for engine in ENGINES {
        let t = Instant::now();
        let rust = run_rust(&text, engine);
        let verdict = match &rust {
            RustRun::Ok(rust) => {
                let rust_split = split_outputs(&streams, rust);
                let same = js_split.len() == streams.len()
                    && rust_split.len() == streams.len()
                    && js_split
                        .iter()
                        .zip(&rust_split)
                        .all(|(j, r)| first_difference(j, r).is_none());
                if same {
                    format!(
                        "all {count} streams identical ({} lines)",
                        rust.lines().count()
                    )
                } else {
                    "DIFFERENT".to_owned()
                }
            }
            other => other.describe(),
        };
        all_ok &= verdict.starts_with("all ");
        eprintln!(
            "conform_js: {engine:?} engine, {:.1?}: {verdict}",
            t.elapsed()
        );
    }
    eprintln!(
        "conform_js: {count} streams, {ops} ops, seed {seed:#x}: generate {:.1?}, node {:.1?}",
        t1 - t0,
        t2 - t1,
    );
    if all_ok {
        return;
    }

    // Something failed: find the first failing stream, one stream at a time.
    let failing = streams.iter().enumerate().find_map(|(i, stream)| {
        let js_lines = js_split.get(i).cloned().unwrap_or_default();
        stream_failure(stream, &js_lines).map(|f| (i, f))
    });
    let Some((index, failure)) = failing else {
        panic!(
            "the streams conform one by one but not in one run (node output: {} lines)",
            js.lines().count(),
        );
    };
    let stream = &streams[index];
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let original = out_dir.join("conform_js_failing_stream.jsonl");
    fs::write(&original, render(std::slice::from_ref(stream))).unwrap();
    eprintln!(
        "conform_js: stream {index} fails ({} ops), written to {}; shrinking...",
        stream.ops.len(),
        original.display()
    );
    let small = shrink(&js_dir, stream.clone(), &failure);
    let failure = failure.report;
    let minimal = out_dir.join("conform_js_minimal_stream.jsonl");
    fs::write(&minimal, render(std::slice::from_ref(&small))).unwrap();
    let js_small = run_js(
        &js_dir,
        &render(std::slice::from_ref(&small)),
        "minimal",
        SHRINK_TIMEOUT,
    );
    let js_small_lines: Vec<String> = js_small.lines().map(str::to_owned).collect();
    let small_failure = stream_failure(&small, &js_small_lines)
        .expect("the shrunk stream fails")
        .report;
    panic!(
        "conformance failure in stream {index} of seed {seed:#x} ({count} streams)\n\
         \n=== first failure in the original stream ({}) ===\n{failure}\n\
         \n=== minimal failing stream ({}) ===\n{}\n{small_failure}",
        original.display(),
        minimal.display(),
        render(std::slice::from_ref(&small)).trim_end(),
    );
}

// ---------------------------------------------------------------------------------------------
// Node set-up and runs

/// The driver to run: `tests/js/driver.mjs`, or `MEMPOOL_CONFORM_DRIVER` (to try a modified
/// copy; it must find `@thi.ng/malloc` from where it is).
fn driver_path(js_dir: &Path) -> PathBuf {
    std::env::var_os("MEMPOOL_CONFORM_DRIVER")
        .map_or_else(|| js_dir.join("driver.mjs"), PathBuf::from)
}

/// Runs the JS driver over `text` and returns its output, or why it failed: a non-zero exit or
/// no answer within `timeout` (the seed loops for ever on some corrupt heaps).
fn try_run_js(js_dir: &Path, text: &str, tag: &str, timeout: Duration) -> Result<String, String> {
    let input = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("conform_js_{tag}.jsonl"));
    fs::write(&input, text).unwrap();
    let driver = driver_path(js_dir);
    let mut child = Command::new("node")
        .arg(&driver)
        .current_dir(js_dir)
        .stdin(fs::File::open(&input).unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("UMBRELLA_ASSERTS", "1")
        .env_remove("NODE_ENV")
        .spawn()
        .expect("running node");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        stdout.read_to_end(&mut buf).map(|_| buf)
    });
    let err_reader = thread::spawn(move || {
        let mut buf = String::new();
        stderr.read_to_string(&mut buf).map(|_| buf)
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for node") {
            break Some(status);
        }
        if Instant::now() >= deadline {
            // Our own child, by its handle.
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(20));
    };
    let stdout = out_reader.join().unwrap().expect("reading node's output");
    let stderr = err_reader.join().unwrap().unwrap_or_default();
    let command = format!("node {} < {}", driver.display(), input.display());
    match status {
        None => Err(format!(
            "{command} gave no answer within {timeout:?} (an endless loop in the seed?)"
        )),
        Some(status) if !status.success() => Err(format!("{command} failed ({status}):\n{stderr}")),
        Some(_) => Ok(String::from_utf8(stdout).expect("driver output is UTF-8")),
    }
}

/// [`try_run_js`] that panics on failure.
fn run_js(js_dir: &Path, text: &str, tag: &str, timeout: Duration) -> String {
    try_run_js(js_dir, text, tag, timeout).unwrap_or_else(|e| panic!("{e}"))
}

enum RustRun {
    Ok(String),
    /// An error of the runner: a malformed line or a failed `check()`.
    Error(String),
    Panic(String),
}

impl RustRun {
    fn describe(&self) -> String {
        match self {
            RustRun::Ok(out) => format!("ok, {} lines", out.lines().count()),
            RustRun::Error(e) => format!("error: {e}"),
            RustRun::Panic(p) => format!("panic: {p}"),
        }
    }
}

/// The port's engines, all compared with the seed.
const ENGINES: [EngineKind; 2] = [EngineKind::Fast, EngineKind::Reference];

/// Runs the port over `text` with `engine`, checking the pool after every op.
fn run_rust(text: &str, engine: EngineKind) -> RustRun {
    let mut out = Vec::new();
    let config = runner::Config {
        check: true,
        engine,
    };
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        runner::run_with(text.as_bytes(), &mut out, config)
    }));
    match result {
        Ok(Ok(())) => RustRun::Ok(String::from_utf8(out).expect("runner output is UTF-8")),
        Ok(Err(e)) => RustRun::Error(e.to_string()),
        Err(payload) => RustRun::Panic(
            payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "(non-string panic payload)".to_owned()),
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// Comparing

/// Splits a runner's output into the lines of each stream (the output says itself whether a
/// stream's ops were run: not after an `init_error`). Stops early on a short output.
fn split_outputs(streams: &[Stream], out: &str) -> Vec<Vec<String>> {
    let mut lines = out.lines();
    let mut split = Vec::with_capacity(streams.len());
    for stream in streams {
        let Some(init) = lines.next() else { break };
        let mut mine = vec![init.to_owned()];
        if !is_init_error(init) {
            mine.extend(lines.by_ref().take(stream.ops.len()).map(str::to_owned));
        }
        split.push(mine);
    }
    split
}

fn is_init_error(line: &str) -> bool {
    line.starts_with("{\"init_error\":")
}

/// Index of the first line where the two outputs of a stream differ (any two `init_error`
/// lines are equal: the messages are the implementations' own).
fn first_difference(js: &[String], rust: &[String]) -> Option<usize> {
    let n = js.len().max(rust.len());
    (0..n).find(|&i| match (js.get(i), rust.get(i)) {
        (Some(a), Some(b)) => a != b && !(is_init_error(a) && is_init_error(b)),
        _ => true,
    })
}

/// How a stream fails.
struct Failure {
    /// Where: 0 is the options line, `k` the `k`-th op (None: unknown, the port panicked).
    line: Option<usize>,
    /// What to show.
    report: String,
}

/// Runs one stream through the port and compares it with the driver's lines for it; returns
/// the first failure, if any.
fn stream_failure(stream: &Stream, js: &[String]) -> Option<Failure> {
    ENGINES
        .into_iter()
        .find_map(|engine| engine_failure(stream, js, engine))
}

/// [`stream_failure`] for one engine.
fn engine_failure(stream: &Stream, js: &[String], engine: EngineKind) -> Option<Failure> {
    let input_line = |i: usize| -> &str {
        if i == 0 {
            &stream.options
        } else {
            stream.ops.get(i - 1).map_or("(no op)", String::as_str)
        }
    };
    let text = render(std::slice::from_ref(stream));
    let rust_lines = match run_rust(&text, engine) {
        RustRun::Ok(out) => out.lines().map(str::to_owned).collect::<Vec<_>>(),
        other => {
            // The runner's errors start with "line N:" (1-based, the options are line 1).
            let line = match &other {
                RustRun::Error(e) => e
                    .strip_prefix("line ")
                    .and_then(|rest| rest.split(':').next())
                    .and_then(|n| n.parse::<usize>().ok())
                    .map(|n| n.saturating_sub(1)),
                _ => None,
            };
            let mut report = String::new();
            writeln!(
                report,
                "the port ({engine:?} engine) fails on this stream: {}",
                other.describe()
            )
            .unwrap();
            writeln!(report, "stream:").unwrap();
            let last = line.unwrap_or(stream.ops.len()).min(stream.ops.len());
            for k in 0..=last {
                writeln!(report, "  {}", input_line(k)).unwrap();
            }
            write!(report, "node output:\n  {}", js.join("\n  ")).unwrap();
            return Some(Failure { line, report });
        }
    };
    let i = first_difference(js, &rust_lines)?;
    let mut report = String::new();
    writeln!(
        report,
        "stream (options and ops up to the first difference):"
    )
    .unwrap();
    for k in 0..=i.min(stream.ops.len()) {
        writeln!(report, "  {}", input_line(k)).unwrap();
    }
    writeln!(
        report,
        "identical results before it: {i} line(s); the last ones:"
    )
    .unwrap();
    for line in &js[i.saturating_sub(3)..i.min(js.len())] {
        writeln!(report, "  both: {line}").unwrap();
    }
    writeln!(report, "first difference, at {}:", input_line(i)).unwrap();
    writeln!(
        report,
        "  node: {}",
        js.get(i).map_or("(no line)", String::as_str)
    )
    .unwrap();
    write!(
        report,
        "  rust ({engine:?} engine): {}",
        rust_lines.get(i).map_or("(no line)", String::as_str)
    )
    .unwrap();
    Some(Failure {
        line: Some(i),
        report,
    })
}

/// Drops the ops after a failure's line: they cannot matter.
fn truncate(stream: &mut Stream, failure: &Failure) {
    if let Some(line) = failure.line {
        stream.ops.truncate(line);
    }
}

/// Removes ops from a failing stream while it still fails: first everything after the
/// failure, then chunks of ops, halving the chunk when no removal keeps the failure (each
/// round runs all removals of one chunk size through node at once).
fn shrink(js_dir: &Path, mut stream: Stream, failure: &Failure) -> Stream {
    truncate(&mut stream, failure);
    let mut chunk = stream.ops.len().div_ceil(2).max(1);
    let mut rounds = 0;
    while !stream.ops.is_empty() && rounds < 1000 {
        rounds += 1;
        let candidates: Vec<Stream> = (0..stream.ops.len())
            .step_by(chunk)
            .map(|at| {
                let mut c = stream.clone();
                c.ops.drain(at..(at + chunk).min(c.ops.len()));
                c
            })
            .collect();
        // A batch the seed loops on is skipped like one where nothing fails.
        let found = try_run_js(js_dir, &render(&candidates), "shrink", SHRINK_TIMEOUT)
            .ok()
            .and_then(|js| {
                let js_split = split_outputs(&candidates, &js);
                candidates.into_iter().enumerate().find_map(|(i, mut c)| {
                    let js_lines = js_split.get(i).cloned().unwrap_or_default();
                    let f = stream_failure(&c, &js_lines)?;
                    truncate(&mut c, &f);
                    Some(c)
                })
            });
        match found {
            Some(smaller) => {
                stream = smaller;
                chunk = chunk.min(stream.ops.len().div_ceil(2)).max(1);
            }
            None if chunk == 1 => break,
            None => chunk = chunk.div_ceil(2),
        }
    }
    stream
}

// ---------------------------------------------------------------------------------------------
// Streams

#[derive(Debug, Clone)]
struct Stream {
    /// The options line (a JSON object).
    options: String,
    /// One JSON array per op.
    ops: Vec<String>,
}

fn render(streams: &[Stream]) -> String {
    let mut text = String::new();
    for s in streams {
        text.push_str(&s.options);
        text.push('\n');
        for op in &s.ops {
            text.push_str(op);
            text.push('\n');
        }
    }
    text
}

/// What the ops of a phase favour.
#[derive(Debug, Clone, Copy)]
enum Phase {
    Alloc,
    Free,
    Realloc,
    Chaos,
}

impl Stream {
    fn generate(rng: &mut Rng) -> Stream {
        let mut fields: Vec<String> = Vec::new();
        let mut field = |k: &str, v: String| fields.push(format!("\"{k}\":{v}"));

        // size: a multiple of 4, 64 B .. 16 KiB (log-uniform), sometimes default or tiny.
        let len: i64 = match rng.below(100) {
            0..=4 => 4096,
            5..=7 => {
                field("size", rng.pick(&["0", "null"]).to_string());
                4096
            }
            8..=11 => {
                let n = rng.pick(&[4, 8, 28, 32, 36, 40, 44, 48, 52, 56, 60]);
                field("size", n.to_string());
                n
            }
            _ => {
                let e = rng.range(6, 13) as u32;
                let n = ((1i64 << e) + rng.range(0, (1 << e) - 1)) & !3;
                field("size", n.to_string());
                n
            }
        };
        // start: mostly 0; small and odd offsets; negative; past the buffer.
        let start = match rng.below(100) {
            0..=64 => 0,
            65..=69 => {
                field("start", "0".into());
                0
            }
            70..=82 => {
                let s = rng.range(1, 64);
                field("start", s.to_string());
                s
            }
            83..=89 => {
                let s = rng.range(0, len / 2);
                field("start", s.to_string());
                s
            }
            90..=93 => {
                field("start", (-rng.range(1, 100)).to_string());
                0
            }
            94..=96 => {
                let s = rng.range((len - 48).max(0), len + 16);
                field("start", s.to_string());
                s
            }
            _ => {
                field("start", "null".into());
                0
            }
        };
        // end: mostly the buffer's; below and above it; below the heap; negative.
        match rng.below(100) {
            0..=64 => {}
            65..=79 => field("end", rng.range(start + 28, len).to_string()),
            80..=86 => field("end", rng.range(len, len + 4096).to_string()),
            87..=89 => field("end", rng.range(0, start + 48).to_string()),
            90..=91 => field("end", (-rng.range(1, 64)).to_string()),
            92..=94 => field("end", len.to_string()),
            _ => field("end", "null".into()),
        }
        // align: powers of two >= 8 (the port also rejects other values, the seed does not:
        // those are not compared); 0/missing = 8; powers of two below 8 fail in both.
        match rng.below(100) {
            0..=59 => field("align", rng.pick(&[8, 16, 32, 64]).to_string()),
            60..=74 => {}
            75..=79 => field("align", "0".into()),
            80..=84 => field("align", rng.pick(&[128, 256, 512, 1024]).to_string()),
            85..=88 => field("align", rng.pick(&[1, 2, 4]).to_string()),
            89..=90 => field("align", (-rng.pick(&[1, 8, 16])).to_string()),
            _ => field("align", "null".into()),
        }
        for flag in ["compact", "split"] {
            match rng.below(8) {
                0..=2 => {}
                3..=4 => field(flag, "true".into()),
                5..=6 => field(flag, "false".into()),
                _ => field(flag, "null".into()),
            }
        }
        // minSplit: > 8 (0 = 16); 1..=8 and negative fail in both.
        match rng.below(100) {
            0..=44 => {}
            45..=49 => field("minSplit", "0".into()),
            50..=74 => field("minSplit", rng.range(9, 40).to_string()),
            75..=89 => field("minSplit", rng.range(9, 512).to_string()),
            90..=93 => field("minSplit", rng.range(1, 8).to_string()),
            94..=95 => field("minSplit", (-rng.range(1, 32)).to_string()),
            _ => field("minSplit", "null".into()),
        }
        rng.shuffle(&mut fields);
        let options = format!("{{{}}}", fields.join(","));

        let cap = rng.pick(&[0, 8, 40, 40, 100, 100, 200]);
        let n_ops = rng.range(0, cap) as usize;
        let mut ops = Vec::with_capacity(n_ops);
        let mut phase = Phase::Alloc;
        for i in 0..n_ops {
            if i % 12 == 0 {
                phase = match rng.below(10) {
                    0..=3 => Phase::Alloc,
                    4..=5 => Phase::Free,
                    6..=8 => Phase::Realloc,
                    _ => Phase::Chaos,
                };
            }
            ops.push(gen_op(rng, phase, len));
        }
        Stream { options, ops }
    }
}

fn gen_op(rng: &mut Rng, phase: Phase, len: i64) -> String {
    // weights: m, c, f, r, F, fa, ra, and the typed views' ma, ca, rv, fv
    let weights: [u64; 11] = match phase {
        Phase::Alloc => [50, 20, 10, 10, 1, 2, 2, 12, 12, 3, 3],
        Phase::Free => [15, 5, 60, 10, 1, 5, 2, 3, 2, 2, 15],
        Phase::Realloc => [10, 5, 10, 70, 0, 1, 6, 3, 2, 20, 2],
        Phase::Chaos => [15, 5, 15, 15, 4, 25, 20, 5, 5, 8, 8],
    };
    let slot = |rng: &mut Rng| -> i64 {
        match rng.below(50) {
            0 => (1 << 53) - 1,
            1..=25 => rng.range(0, 7),
            _ => rng.range(0, 400),
        }
    };
    let realloc_size = |rng: &mut Rng| -> i64 {
        // grow, shrink a little (no split), shrink a lot (split), or anything
        match rng.below(10) {
            0..=2 => rng.range(1, 16),
            3..=5 => rng.range(len / 16, len / 2 + 1),
            _ => gen_size(rng, len),
        }
    };
    match rng.weighted(&weights) {
        0 => format!("[\"m\",{}]", gen_size(rng, len)),
        1 => format!("[\"c\",{},{}]", gen_size(rng, len), gen_fill(rng)),
        2 => format!("[\"f\",{}]", slot(rng)),
        3 => format!("[\"r\",{},{}]", slot(rng), realloc_size(rng)),
        4 => "[\"F\"]".to_string(),
        5 => format!("[\"fa\",{}]", gen_addr(rng, len)),
        6 => format!("[\"ra\",{},{}]", gen_addr(rng, len), realloc_size(rng)),
        7 => {
            let (name, size) = rng.pick(&ELEMS);
            format!("[\"ma\",\"{name}\",{}]", gen_num(rng, len, size))
        }
        8 => {
            let (name, size) = rng.pick(&ELEMS);
            let num = gen_num(rng, len, size);
            format!("[\"ca\",\"{name}\",{num},\"{}\"]", gen_elem_fill(rng, name))
        }
        9 => {
            let size = rng.pick(&[1, 2, 4, 8]);
            format!("[\"rv\",{},{}]", slot(rng), gen_num(rng, len, size))
        }
        _ => format!("[\"fv\",{}]", slot(rng)),
    }
}

/// The typed views' element types (the seed's names) and their sizes in bytes.
const ELEMS: [(&str, i64); 10] = [
    ("u8", 1),
    ("i8", 1),
    ("u16", 2),
    ("i16", 2),
    ("u32", 4),
    ("i32", 4),
    ("u64", 8),
    ("i64", 8),
    ("f32", 4),
    ("f64", 8),
];

/// An element count for a typed op: mostly a request size in elements, sometimes a raw
/// request size (0, negative, or so large that `num * size` leaves 32 bits).
fn gen_num(rng: &mut Rng, len: i64, size: i64) -> i64 {
    let bytes = gen_size(rng, len);
    if rng.below(10) == 0 {
        bytes
    } else {
        bytes / size
    }
}

/// A fill for a typed view of `elem`, as the string the stream holds: values in and out of
/// the type's range (negative integers, wrapping ones, fractions), NaN, infinities, -0, and
/// floats that f32 rounds, flushes to zero or overflows; decimal integers for the 64-bit types.
fn gen_elem_fill(rng: &mut Rng, elem: &str) -> String {
    const SPECIAL: [&str; 10] = [
        "NaN",
        "Infinity",
        "-Infinity",
        "-0",
        "0.1",
        "-1.5",
        "1e-46",
        "1e39",
        "3.4028235677973366e38",
        "16777217",
    ];
    const BIG: [&str; 9] = [
        "0",
        "-1",
        "1",
        "-9223372036854775808",
        "9223372036854775807",
        "-9223372036854775809",
        "18446744073709551615",
        "18446744073709551616",
        "-18446744073709551617",
    ];
    match elem {
        "u64" | "i64" => match rng.below(3) {
            0 => rng.pick(&BIG).to_string(),
            1 => rng.below(u64::MAX).to_string(),
            _ => (rng.below(u64::MAX) as i64).to_string(),
        },
        "f32" | "f64" => match rng.below(4) {
            0 => rng.pick(&SPECIAL).to_string(),
            // Any double, NaN and infinities included, as Rust prints it (digits that read
            // back to the same double, in JavaScript too; no exponent; NaN as "NaN"), the
            // infinities as JavaScript spells them.
            1 => match f64::from_bits(rng.below(u64::MAX)) {
                x if x.is_infinite() => if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned(),
                x => x.to_string(),
            },
            2 => (rng.range(-1_000_000, 1_000_000) as f64 / 1000.0).to_string(),
            _ => rng.range(-300, 300).to_string(),
        },
        _ => match rng.below(4) {
            0 => rng.pick(&SPECIAL).to_string(),
            1 => {
                let any = rng.range(1, 1 << 40);
                (-rng.pick(&[1, 128, 129, 255, 256, 32_768, 32_769, 1 << 31, any])).to_string()
            }
            2 => rng
                .pick(&[
                    255_i64,
                    256,
                    65_535,
                    65_536,
                    1 << 31,
                    (1 << 32) + 5,
                    1 << 53,
                ])
                .to_string(),
            _ => rng.range(-200, 300).to_string(),
        },
    }
}

fn gen_size(rng: &mut Rng, len: i64) -> i64 {
    const U32_MAX: i64 = u32::MAX as i64;
    match rng.below(100) {
        0..=2 => 0,
        3..=4 => {
            let any = rng.range(1, 1000);
            -rng.pick(&[1, 8, any, 1 << 40])
        }
        5..=6 => {
            let above = U32_MAX + rng.range(1, 100);
            rng.pick(&[U32_MAX + 1, above, 1 << 40, (1 << 53) - 1])
        }
        // around 2^31, where the seed's 32-bit align() starts to wrap (bug B4), and u32::MAX
        7..=8 => {
            let (a, b, c) = (rng.range(1, 80), rng.range(0, 16), rng.range(0, 70));
            rng.pick(&[(1 << 31) - a, (1 << 31) + b, U32_MAX - c, U32_MAX])
        }
        9..=11 => rng.range(len, 2 * len + 64),
        12..=51 => rng.range(1, 24),
        52..=81 => rng.range(1, len / 16 + 1),
        82..=96 => rng.range(1, len / 4 + 1),
        _ => rng.range((len - 96).max(1), len),
    }
}

fn gen_fill(rng: &mut Rng) -> i64 {
    match rng.below(40) {
        0 => {
            let any = rng.range(1, 1 << 40);
            -rng.pick(&[1, 128, 255, 256, 257, any])
        }
        1 => {
            let any = rng.range(256, 1 << 40);
            rng.pick(&[256, 257, 511, 65_535, any])
        }
        _ => rng.range(0, 255),
    }
}

fn gen_addr(rng: &mut Rng, len: i64) -> i64 {
    let scale = rng.pick(&[1, 1, 1, 2, 4, 8]);
    let aligned = rng.range(0, (len + 64) / 8) * 8 * scale;
    match rng.below(40) {
        0 => 0,
        1 => -rng.range(1, 1 << 40),
        2 => rng.pick(&[u32::MAX as i64, 1 << 32, (1 << 32) + aligned, (1 << 53) - 1]),
        3..=8 => aligned + rng.pick(&[-8, -4, -1, 1, 2, 4]),
        9..=12 => rng.range(0, len + 64),
        _ => aligned,
    }
}

fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    let parsed = match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => v.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={v:?} is not a number")))
}
