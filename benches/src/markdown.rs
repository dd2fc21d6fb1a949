//! Markdown tables that read as plain text too: every column padded to its widest cell,
//! text columns left-aligned and number columns right-aligned (`:--` / `--:` rules).

use std::fmt::Write as _;

/// The table of `header` and `rows` (each as long as `header`); the columns whose indexes
/// are in `left` are left-aligned, the others right-aligned.
#[must_use]
pub fn table(header: &[&str], rows: &[Vec<String>], left: &[usize]) -> String {
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, cell) in width.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut push_row = |cells: &[String]| {
        out.push('|');
        for (i, (cell, &w)) in cells.iter().zip(&width).enumerate() {
            let pad = " ".repeat(w - cell.chars().count());
            if left.contains(&i) {
                let _ = write!(out, " {cell}{pad} |");
            } else {
                let _ = write!(out, " {pad}{cell} |");
            }
        }
        out.push('\n');
    };
    push_row(&header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>());
    let rule: Vec<String> = width
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let dashes = "-".repeat(w.saturating_sub(1));
            if left.contains(&i) {
                format!(":{dashes}")
            } else {
                format!("{dashes}:")
            }
        })
        .collect();
    push_row(&rule);
    for r in rows {
        push_row(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_padded_and_aligned() {
        let t = table(
            &["name", "value"],
            &[
                vec!["a".into(), "1".into()],
                vec!["longer".into(), "12345".into()],
            ],
            &[0],
        );
        let rows: Vec<&str> = t.lines().collect();
        assert_eq!(rows[0], "| name   | value |");
        assert_eq!(rows[1], "| :----- | ----: |");
        assert_eq!(rows[2], "| a      |     1 |");
        assert_eq!(rows[3], "| longer | 12345 |");
    }
}
