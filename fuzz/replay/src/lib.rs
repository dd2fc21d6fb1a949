//! Replays fuzz inputs with plain `cargo test`: every file under `fuzz/regressions/<target>/`
//! (crashes found by fuzzing, minimised) and every committed seed `fuzz/corpus/<target>/seed-*`
//! runs through [`mempool_fuzz::replay`], the same decoding (`arbitrary_take_rest`) and checks
//! as the fuzz target. See `tests/replay.rs`.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

use mempool_fuzz::Target;

/// The `fuzz/` folder.
#[must_use]
pub fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("fuzz/replay lies in fuzz/")
        .to_path_buf()
}

/// The input files of `target`: its regressions (every file but `*.md` / `*.txt`) and its
/// committed seeds, sorted.
///
/// # Panics
/// When a folder exists but cannot be read.
#[must_use]
pub fn inputs(target: Target) -> Vec<PathBuf> {
    let dir = fuzz_dir();
    let mut files = Vec::new();
    let regressions = dir.join("regressions").join(target.name());
    let corpus = dir.join("corpus").join(target.name());
    for (folder, seeds_only) in [(regressions, false), (corpus, true)] {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("readable folder").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let doc = name.ends_with(".md") || name.ends_with(".txt");
            if path.is_file() && !doc && (!seeds_only || name.starts_with("seed-")) {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Runs every input of `target`; returns how many ran.
///
/// # Panics
/// When an input fails its target's checks (the message names the file).
pub fn replay_all(target: Target) -> usize {
    let files = inputs(target);
    for path in &files {
        let bytes = std::fs::read(path).expect("readable input");
        let run = std::panic::catch_unwind(|| mempool_fuzz::replay(target, &bytes));
        if let Err(e) = run {
            let msg = e
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| e.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            panic!(
                "{} fails the `{}` target: {msg}",
                path.display(),
                target.name()
            );
        }
    }
    files.len()
}
