//! One buffer shared between @thi.ng/malloc (under Node) and the port: JavaScript initialises
//! and uses it, Rust attaches, checks and continues, JavaScript attaches again and continues,
//! and every step agrees with the same steps done by the port alone.
//!
//! Needs Node and the npm packages of `core/tests/js` (installed on first use with `npm ci`);
//! without Node the test is skipped with a message, except under CI where it fails
//! (`common::node`).

use std::io::Write;
use std::process::{Command, Stdio};

use mempool::{MemPool, PoolOptions};
use serde_json::{json, Value};

mod common;
use common::node::{js_dir, node_ready};

fn run_js(job: &Value) -> Value {
    let mut child = Command::new("node")
        .arg("interop.mjs")
        .current_dir(js_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(job.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "interop.mjs failed");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn hex(v: &Value) -> Vec<u8> {
    let s = v["hex"].as_str().unwrap();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn stats_json<B: AsRef<[u8]> + AsMut<[u8]>>(p: &MemPool<B>) -> Value {
    let s = p.stats();
    json!({
        "free": {"count": s.free.count, "size": s.free.size},
        "used": {"count": s.used.count, "size": s.used.size},
        "top": s.top, "available": s.available, "total": s.total,
    })
}

#[test]
fn js_and_rust_share_one_buffer() {
    if !node_ready("js_interop") {
        return;
    }
    let start = 8;
    // 1. The port alone: the reference for every step below.
    let mut own = MemPool::with_buffer(
        vec![0u8; 2048],
        PoolOptions {
            start,
            align: 16,
            min_split: 24,
            ..PoolOptions::default()
        },
    )
    .unwrap();
    let addrs: Vec<u32> = [10, 100, 7, 300].map(|n| own.malloc(n).unwrap()).to_vec();
    assert!(own.free(addrs[1]));

    // 2. JavaScript makes the pool and uses it; Rust attaches its buffer: same state, a valid
    //    heap, and the same bytes the port wrote for the same calls.
    let js1 = run_js(&json!({
        "options": {"size": 2048, "start": start, "align": 16, "minSplit": 24},
        "ops": [["m", 10], ["m", 100], ["m", 7], ["m", 300], ["f", addrs[1]]],
    }));
    assert_eq!(
        js1["results"],
        json!([addrs[0], addrs[1], addrs[2], addrs[3], true])
    );
    let mut pool = MemPool::attach(hex(&js1), start).unwrap();
    pool.check().unwrap();
    assert_eq!(stats_json(&pool), js1["stats"]);
    assert_eq!(
        own.bytes(),
        pool.bytes(),
        "port and seed wrote the same bytes"
    );

    // 3. Rust continues on the shared buffer.
    assert!(pool.free(addrs[0]));
    let r1 = pool.malloc(50).unwrap();
    let r2 = pool.calloc(20, 0xaa).unwrap();
    pool.check().unwrap();

    // 4. JavaScript attaches Rust's buffer and continues; Rust does the same on a copy.
    let hex_rust: String = pool.bytes().iter().map(|b| format!("{b:02x}")).collect();
    let js2 = run_js(&json!({
        "start": start, "hex": hex_rust,
        "ops": [["f", r1], ["m", 16], ["f", r2], ["f", addrs[3]], ["m", 500]],
    }));
    let mut copy = MemPool::attach(pool.bytes().to_vec(), start).unwrap();
    let results = json!([
        copy.free(r1),
        copy.malloc(16).unwrap_or(0),
        copy.free(r2),
        copy.free(addrs[3]),
        copy.malloc(500).unwrap_or(0),
    ]);
    assert_eq!(results, js2["results"]);
    assert_eq!(stats_json(&copy), js2["stats"]);
    assert_eq!(
        copy.bytes(),
        &hex(&js2)[..],
        "JavaScript and Rust agree byte for byte"
    );
    copy.check().unwrap();
}
