//! The gate's two programs, built for segfit's set, run as the gate runs them (without
//! valgrind): a replay of one workload per allocator, and the figures of the whole set.

use std::process::Command;

use deterministic::figures::FiguresFile;

#[test]
fn replay_counted_replays_segfit_and_refuses_what_the_set_lacks() {
    let exe = env!("CARGO_BIN_EXE_segfit-gate-replay-counted");
    for (alloc, shown) in [
        ("segfit", "segfit"),
        ("mempool", "mempool"),
        ("--harness", "mempool"),
    ] {
        let out = Command::new(exe)
            .args(["synthetic/fifo", alloc])
            .output()
            .unwrap();
        let line = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{alloc}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            line.starts_with(&format!("synthetic/fifo on {shown}: ")),
            "{line}"
        );
        assert!(line.trim_end().ends_with(" 0 failed"), "{line}");
    }
    let out = Command::new(exe)
        .args(["synthetic/fifo", "talc"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"talc\"") && err.contains("segfit"), "{err}");
}

#[test]
fn figures_cover_every_workload_on_segfit_and_the_pool() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("figures.json");
    let out = Command::new(env!("CARGO_BIN_EXE_segfit-gate-figures"))
        .arg("--out")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = FiguresFile::read(&path).unwrap();
    let on = |alloc: &str| {
        file.figures
            .iter()
            .filter(|f| f.benchmark.ends_with(&format!("/{alloc}")))
            .count()
    };
    assert!(on("segfit") >= 10, "{} benchmarks", file.figures.len());
    assert_eq!(on("segfit"), on("mempool"));
    assert_eq!(file.figures.len(), 2 * on("segfit"));
    assert!(file.figures.iter().all(|f| f.failures == 0));
}
