//! The shipped real workloads: they load, their provenance is documented, and they replay
//! on every adapter in a 1 GiB region without a failure.

use workloads::builtin::{self, TRACES};
use workloads::{replay, AdapterSpec, Provenance, ReplayConfig, Sampling};

const GIB: usize = 1 << 30;

#[test]
fn builtin_traces_load_with_their_provenance() {
    let readme = include_str!("../traces/README.md");
    let traces = builtin::traces().unwrap();
    assert!(traces.len() >= 4);
    let total: usize = TRACES.iter().map(|t| t.bytes.len()).sum();
    assert!(total <= 5_000_000, "{total} bytes shipped");
    for (t, w) in TRACES.iter().zip(&traces) {
        assert_eq!(w.name, t.name);
        assert!(w.ops.len() > 100, "{}", t.name);
        assert!(w.stats().peak_live_bytes > 0);
        let Provenance::Recorded {
            command,
            program,
            version,
            date,
        } = &w.provenance
        else {
            panic!("{}: {:?}", t.name, w.provenance)
        };
        for field in [command, program, version, date] {
            assert!(!field.is_empty(), "{}", t.name);
        }
        // The README documents each file with its exact command and version.
        for needle in [t.file, t.command, t.version] {
            assert!(readme.contains(needle), "traces/README.md lacks {needle:?}");
        }
        assert!(builtin::get(t.name).unwrap().is_ok());
    }
    assert!(builtin::get("no-such-trace").is_none());
}

#[test]
fn builtin_traces_replay_on_every_adapter() {
    let traces = builtin::traces().unwrap();
    for spec in AdapterSpec::all() {
        for w in &traces {
            let mut a = spec.build(GIB).unwrap();
            let config = ReplayConfig {
                sampling: Sampling::Every((w.ops.len() as u64 / 50).max(1)),
                track: true,
            };
            let r = replay(w, a.as_mut(), &config);
            assert_eq!(r.failures, 0, "{} on {}", w.name, r.allocator);
            assert_eq!(r.metrics.peak_live_bytes, w.stats().peak_live_bytes);
        }
    }
}
