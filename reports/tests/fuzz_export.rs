//! `workbench fuzz-export`: a `peers` corpus entry becomes a `.rep` trace that parses back to
//! the same requests and replays on every allocator; targets whose inputs are not request
//! sequences are refused with the reason.

mod common;

use std::path::Path;

use common::workbench;

use workloads::{rep, replay, AdapterSpec, ReplayConfig};

fn seeds() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/peers");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .expect("the peers seed corpus")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("seed-")
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_peers_input_exports_as_a_trace_every_allocator_replays() {
    let dir = tempfile::tempdir().unwrap();
    // The committed seed that makes the most requests.
    let seed = seeds()
        .into_iter()
        .max_by_key(|p| {
            let bytes = std::fs::read(p).unwrap();
            mempool_fuzz::export(mempool_fuzz::Target::Peers, &bytes, "x")
                .map_or(0, |w| w.ops.len())
        })
        .unwrap();
    let seed = &seed;
    let out = dir.path().join("from-fuzz.rep");
    let o = workbench(&[
        "fuzz-export",
        "--target",
        "peers",
        seed.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(text.contains("ops"), "{text}");
    let bytes = std::fs::read(seed).unwrap();
    let want = mempool_fuzz::export(mempool_fuzz::Target::Peers, &bytes, "x").unwrap();
    let got = rep::read(&out).unwrap();
    assert_eq!(got.ops, want.ops);
    assert!(!got.ops.is_empty());
    assert_eq!(got.stats().live_at_end, 0, "the trace is balanced");
    for spec in AdapterSpec::all() {
        let r = replay::replay_spec(&got, &spec, 16 << 20, &ReplayConfig::default()).unwrap();
        assert_eq!(r.failures, 0, "{}", spec.name());
    }
}

#[test]
fn other_targets_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::write(&input, [0u8; 64]).unwrap();
    for target in ["attach", "differential"] {
        let o = workbench(&["fuzz-export", "--target", target, input.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("not exported"), "{err}");
    }
    let o = workbench(&["fuzz-export", "--target", "nope", input.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no such fuzz target"), "{err}");
}

/// Every committed `ops` seed exports as a balanced trace of the requests the pool saw, which
/// replays on the pool without a failure the pool did not have.
#[test]
fn ops_inputs_export_as_the_requests_the_pool_saw() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/ops");
    let mut exported = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let Ok(w) = mempool_fuzz::export(mempool_fuzz::Target::Ops, &bytes, "x") else {
            continue;
        };
        assert_eq!(w.stats().live_at_end, 0, "{}: balanced", path.display());
        exported += usize::from(!w.ops.is_empty());
    }
    assert!(exported > 10, "{exported} seeds exported requests");
}
