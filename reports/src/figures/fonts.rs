//! Finding a system TrueType font at run time for the PNG plots (SVG plots need none: their
//! text is written as `<text>` elements the browser renders). No font ships with the project.

use std::path::{Path, PathBuf};

use plotters::style::FontStyle;

/// The font family name the plots use; the PNG backend looks it up in plotters' registry.
pub const FAMILY: &str = "sans-serif";

/// Fonts tried first, in order (file names); any other `.ttf` found is the last resort.
const PREFERRED: &[&str] = &[
    "DejaVuSans.ttf",
    "LiberationSans-Regular.ttf",
    "NotoSans-Regular.ttf",
    "FreeSans.ttf",
    "Arial.ttf",
];

/// Folders searched for fonts, recursively.
const FONT_DIRS: &[&str] = &[
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "C:\\Windows\\Fonts",
];

/// Every `.ttf` file under `dir` (recursively, at most 8 levels deep), sorted.
fn ttf_files(dir: &Path, depth: u32, out: &mut Vec<PathBuf>) {
    if depth > 8 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            ttf_files(&p, depth + 1, out);
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("ttf")) {
            out.push(p);
        }
    }
}

/// The best system font under `dirs`: the first of the preferred names found, else the first
/// regular-looking `.ttf` file.
#[must_use]
pub fn find_font_in(dirs: &[&Path]) -> Option<PathBuf> {
    let mut all = Vec::new();
    for d in dirs {
        ttf_files(d, 0, &mut all);
    }
    let name_of = |p: &PathBuf| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    for want in PREFERRED {
        if let Some(p) = all.iter().find(|p| name_of(p) == *want) {
            return Some(p.clone());
        }
    }
    let plain = |p: &&PathBuf| {
        let n = name_of(p).to_ascii_lowercase();
        ![
            "bold",
            "italic",
            "oblique",
            "mono",
            "light",
            "condensed",
            "serif",
        ]
        .iter()
        .any(|s| n.contains(s))
    };
    all.iter().find(plain).or(all.first()).cloned()
}

/// Finds a system font and registers it with plotters as [`FAMILY`]. Returns the font's path,
/// or why none could be used.
///
/// # Errors
/// A message naming the folders searched, or the font that failed to load.
pub fn register_system_font() -> Result<PathBuf, String> {
    let dirs: Vec<&Path> = FONT_DIRS.iter().map(Path::new).collect();
    let path = find_font_in(&dirs).ok_or_else(|| {
        format!(
            "no TrueType font (.ttf) found under {}",
            FONT_DIRS.join(", ")
        )
    })?;
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    // plotters keeps registered fonts for the life of the process.
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    plotters::style::register_font(FAMILY, FontStyle::Normal, bytes)
        .map_err(|_| format!("{}: not a usable TrueType font", path.display()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferred_fonts_win_and_no_font_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(find_font_in(&[dir.path()]), None);
        let sub = dir.path().join("truetype").join("x");
        std::fs::create_dir_all(&sub).unwrap();
        for name in ["Aaa-Bold.ttf", "Zzz.ttf", "DejaVuSans.ttf", "notes.txt"] {
            std::fs::write(sub.join(name), b"").unwrap();
        }
        assert_eq!(
            find_font_in(&[dir.path()]),
            Some(sub.join("DejaVuSans.ttf"))
        );
        std::fs::remove_file(sub.join("DejaVuSans.ttf")).unwrap();
        // No preferred name: the first regular-looking face.
        assert_eq!(find_font_in(&[dir.path()]), Some(sub.join("Zzz.ttf")));
    }
}
