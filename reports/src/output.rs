//! Output folders and files: where a run writes, creating it, the font for PNG figures, and
//! writing every rendered file.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::cli::OutArgs;
use crate::figures::{fonts, Figure};
use crate::results::Results;
use crate::summary::summary_markdown;
use crate::{html, results_csv};

/// The folder a run writes to: `--out`, else `<reports crate>/out/<name>`, where the name is
/// `--name` or a UTC timestamp.
///
/// # Errors
/// A `--name` that is not a plain folder name.
pub fn out_dir(args: &OutArgs) -> anyhow::Result<(PathBuf, String)> {
    let name = match &args.name {
        Some(n) => {
            let bad = n.is_empty()
                || n == "."
                || n == ".."
                || n.contains(['/', '\\'])
                || n.chars().any(char::is_control);
            if bad {
                bail!("--name {n:?}: must be a plain folder name (no slashes, not . or ..)");
            }
            n.clone()
        }
        None => chrono::Utc::now().format("%Y-%m-%dT%H-%M-%SZ").to_string(),
    };
    let dir = match &args.out {
        Some(d) => d.clone(),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("out")
            .join(&name),
    };
    Ok((dir, name))
}

/// Creates `dir` (and its parents).
///
/// # Errors
/// The folder cannot be created; the message names it.
pub fn create_out(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the output folder {}", dir.display()))
}

/// Registers a system font for the PNGs; `None` (with the reason printed) when there is none.
#[must_use]
pub fn png_font(notes: &mut Vec<String>) -> Option<PathBuf> {
    match fonts::register_system_font() {
        Ok(p) => Some(p),
        Err(why) => {
            let note = format!("PNG figures skipped: {why} (the SVG figures need no font)");
            eprintln!("note: {note}");
            notes.push(note);
            None
        }
    }
}

/// Writes `contents` to `dir/name`.
///
/// # Errors
/// The file cannot be written; the message names it.
pub fn write_file(dir: &Path, name: &str, contents: &[u8]) -> anyhow::Result<()> {
    let path = dir.join(name);
    std::fs::write(&path, contents).with_context(|| format!("cannot write {}", path.display()))
}

/// Writes `results.json`, `results.csv`, `summary.md` and `index.html` of `r` into `dir`
/// (the figures are already there).
///
/// # Errors
/// A file cannot be written or serialised.
pub fn write_outputs(r: &Results, figures: &[Figure], dir: &Path) -> anyhow::Result<()> {
    let json = serde_json::to_vec_pretty(r).context("serialising results.json")?;
    write_file(dir, "results.json", &json)?;
    results_csv::write(r, dir)?;
    write_file(dir, "summary.md", summary_markdown(r).as_bytes())?;
    write_file(dir, "index.html", html::page(r, figures).as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_plain() {
        for bad in ["", "..", "a/b", "a\\b"] {
            let args = OutArgs {
                out: None,
                name: Some(bad.to_owned()),
            };
            assert!(out_dir(&args).is_err(), "{bad:?} accepted");
        }
        let (dir, name) = out_dir(&OutArgs {
            out: None,
            name: Some("ci".to_owned()),
        })
        .unwrap();
        assert_eq!(name, "ci");
        assert!(dir.ends_with("out/ci"), "{}", dir.display());
    }
}
