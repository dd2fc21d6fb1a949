//! Output folders and files: where a run writes, writing it atomically ([`Staged`]), creating
//! it, the font for PNG figures, and writing every rendered file.
//!
//! A run never writes into its output folder directly: it writes into a temporary sibling,
//! `.<name>.incomplete-XXXXXX`, which [`Staged::finish`] renames to `<name>` once every file
//! is written. An interrupted or failed run therefore leaves no folder under the output's
//! name that looks finished (a run killed outright leaves its `.incomplete-` sibling, which may
//! be deleted), and an earlier output at the same path is replaced only at that last step.

use std::ffi::OsStr;
use std::fs;
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

/// The files that mark a folder as an earlier output of `workbench` (a report's, a tune's),
/// which a new run at the same path may replace.
pub const OUTPUT_MARKERS: [&str; 2] = ["results.json", "tune.json"];

/// An output folder being written: the files go into [`Staged::path`], a temporary folder
/// beside the final one, and [`Staged::finish`] puts it in place. Dropped unfinished (the run
/// failed), the temporary folder is deleted and the final path is left as it was.
#[derive(Debug)]
pub struct Staged {
    dir: PathBuf,
    parent: PathBuf,
    name: String,
    temp: tempfile::TempDir,
}

impl Staged {
    /// Prepares to write the output folder `dir`: it must be absent, empty, or an earlier
    /// output (holding one of [`OUTPUT_MARKERS`]). Creates `dir`'s parent and the temporary
    /// sibling `.<name>.incomplete-XXXXXX`.
    ///
    /// # Errors
    /// `dir` has no folder name, is a file or a folder of something else, or the folders
    /// cannot be created; the message names the path.
    pub fn new(dir: &Path) -> anyhow::Result<Self> {
        let Some(name) = dir.file_name().and_then(OsStr::to_str).map(str::to_owned) else {
            bail!(
                "{}: not a folder name to write the output into",
                dir.display()
            );
        };
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        replaceable(dir)?;
        create_out(&parent)?;
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}.incomplete-"))
            .tempdir_in(&parent)
            .with_context(|| format!("cannot create a temporary folder in {}", parent.display()))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            parent,
            name,
            temp,
        })
    }

    /// Where the run writes its files until [`Staged::finish`].
    #[must_use]
    pub fn path(&self) -> &Path {
        self.temp.path()
    }

    /// Puts the finished output in place and returns its path: an earlier output at that path
    /// is moved aside, the temporary folder renamed to the output's name, and the earlier one
    /// deleted.
    ///
    /// # Errors
    /// Something else took the output path meanwhile, or the earlier output cannot be moved
    /// aside, or the new one cannot be renamed; then the earlier one is left (or put back) and
    /// the new one kept in its temporary folder, named in the message.
    pub fn finish(self) -> anyhow::Result<PathBuf> {
        let Staged {
            dir,
            parent,
            name,
            temp,
        } = self;
        // From here on a failure keeps the new output where it is and says so.
        let written = temp.keep();
        let kept =
            |what: String| format!("{what}; the new output is kept in {}", written.display());
        // Deleted (with the earlier output in it) when this function returns.
        let mut previous = None;
        if fs::symlink_metadata(&dir).is_ok() {
            replaceable(&dir).map_err(|e| anyhow::anyhow!(kept(e.to_string())))?;
            let aside = tempfile::Builder::new()
                .prefix(&format!(".{name}.replaced-"))
                .tempdir_in(&parent)
                .with_context(|| {
                    kept(format!(
                        "cannot create a temporary folder in {}",
                        parent.display()
                    ))
                })?;
            let held = aside.path().join(&name);
            fs::rename(&dir, &held).with_context(|| {
                kept(format!(
                    "cannot move the earlier output {} aside to replace it",
                    dir.display()
                ))
            })?;
            previous = Some((aside, held));
        }
        if let Err(e) = fs::rename(&written, &dir) {
            if let Some((_, held)) = &previous {
                let _ = fs::rename(held, &dir);
            }
            return Err(e).with_context(|| {
                kept(format!(
                    "cannot rename the finished output to {}",
                    dir.display()
                ))
            });
        }
        drop(previous);
        Ok(dir)
    }
}

/// Whether a run may (later) replace `dir`: absent, an empty folder, or an earlier output.
fn replaceable(dir: &Path) -> anyhow::Result<()> {
    let Ok(meta) = fs::symlink_metadata(dir) else {
        return Ok(());
    };
    if !meta.is_dir() {
        bail!(
            "{}: exists and is not a folder; give another output path",
            dir.display()
        );
    }
    let mut entries =
        fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    let empty = entries.next().is_none();
    if empty || OUTPUT_MARKERS.iter().any(|m| dir.join(m).is_file()) {
        return Ok(());
    }
    bail!(
        "{}: exists and is not an earlier workbench output (it holds no {}); it would be replaced as a whole, so give another output path or remove it",
        dir.display(),
        OUTPUT_MARKERS.join(" or ")
    )
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
            crate::console::err(format_args!("note: {note}"));
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

    /// The names in `dir`, sorted.
    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_finished_output_replaces_the_earlier_one_only_at_the_end() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("ci");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("results.json"), "old").unwrap();
        let staged = Staged::new(&out).unwrap();
        fs::write(staged.path().join("results.json"), "new").unwrap();
        // While the run writes, the earlier output is untouched and the new one is in a
        // sibling whose name says it is not finished.
        assert_eq!(fs::read_to_string(out.join("results.json")).unwrap(), "old");
        let names = listing(tmp.path());
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(names[0].starts_with(".ci.incomplete-"), "{names:?}");
        assert_eq!(staged.finish().unwrap(), out);
        assert_eq!(fs::read_to_string(out.join("results.json")).unwrap(), "new");
        assert_eq!(listing(tmp.path()), ["ci"]);
        assert_eq!(listing(&out), ["results.json"]);
    }

    #[test]
    fn a_failed_run_leaves_the_earlier_output_and_nothing_else() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("ci");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("tune.json"), "old").unwrap();
        {
            let staged = Staged::new(&out).unwrap();
            fs::write(staged.path().join("tune.md"), "half").unwrap();
            // The run fails: the staged output is dropped unfinished.
        }
        assert_eq!(listing(tmp.path()), ["ci"]);
        assert_eq!(listing(&out), ["tune.json"]);
        // A first run that fails leaves no folder at all.
        let fresh = tmp.path().join("deeper").join("first");
        drop(Staged::new(&fresh).unwrap());
        assert!(!fresh.exists());
        assert!(listing(&tmp.path().join("deeper")).is_empty());
    }

    #[test]
    fn a_path_taken_meanwhile_is_not_replaced_and_the_new_output_is_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("ci");
        let staged = Staged::new(&out).unwrap();
        fs::write(staged.path().join("results.json"), "new").unwrap();
        fs::create_dir(&out).unwrap();
        fs::write(out.join("letter.txt"), "someone else's").unwrap();
        let err = staged.finish().unwrap_err().to_string();
        assert!(err.contains("the new output is kept in"), "{err}");
        assert_eq!(listing(&out), ["letter.txt"]);
        let names = listing(tmp.path());
        assert!(names[0].starts_with(".ci.incomplete-"), "{names:?}");
        let kept = tmp.path().join(&names[0]);
        assert!(err.contains(&kept.display().to_string()), "{err}");
        assert_eq!(
            fs::read_to_string(kept.join("results.json")).unwrap(),
            "new"
        );
    }

    #[test]
    fn only_an_earlier_output_or_an_empty_folder_is_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let mine = tmp.path().join("documents");
        fs::create_dir(&mine).unwrap();
        fs::write(mine.join("letter.txt"), "keep me").unwrap();
        let err = Staged::new(&mine).unwrap_err().to_string();
        assert!(
            err.contains("documents") && err.contains("not an earlier workbench output"),
            "{err}"
        );
        let file = tmp.path().join("file");
        fs::write(&file, "x").unwrap();
        assert!(Staged::new(&file)
            .unwrap_err()
            .to_string()
            .contains("not a folder"));
        let empty = tmp.path().join("empty");
        fs::create_dir(&empty).unwrap();
        let staged = Staged::new(&empty).unwrap();
        fs::write(staged.path().join("index.html"), "x").unwrap();
        staged.finish().unwrap();
        assert_eq!(listing(&empty), ["index.html"]);
        assert_eq!(
            fs::read_to_string(mine.join("letter.txt")).unwrap(),
            "keep me"
        );
    }

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
