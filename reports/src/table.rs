//! A small table type written both as Markdown (`summary.md`, `tune.md`) and as HTML
//! (`index.html`), so the two always show the same numbers.

use std::fmt::Write as _;

/// A table: a header row and body rows of cells; numeric columns are right-aligned.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Column titles.
    pub header: Vec<String>,
    /// Which columns are right-aligned (numbers).
    pub numeric: Vec<bool>,
    /// The rows; each has as many cells as the header.
    pub rows: Vec<Vec<String>>,
}

/// Escapes text for HTML element content and attribute values.
#[must_use]
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

impl Table {
    /// A table with these column titles; `numeric[i]` right-aligns column `i`.
    #[must_use]
    pub fn new(header: &[&str], numeric: &[bool]) -> Self {
        Self {
            header: header.iter().map(|s| (*s).to_owned()).collect(),
            numeric: numeric.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Appends a row.
    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// The table as GitHub-flavoured Markdown.
    #[must_use]
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "| {} |",
            self.header
                .iter()
                .map(|h| md_cell(h))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let align: Vec<&str> = (0..self.header.len())
            .map(|i| {
                if self.numeric.get(i).copied().unwrap_or(false) {
                    "---:"
                } else {
                    "---"
                }
            })
            .collect();
        let _ = writeln!(s, "|{}|", align.join("|"));
        for r in &self.rows {
            let _ = writeln!(
                s,
                "| {} |",
                r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
            );
        }
        s
    }

    /// The table as an HTML `<table>`; `swatch` gives the colour of a row's first cell (a
    /// coloured square is drawn before it).
    #[must_use]
    pub fn html(&self, swatch: impl Fn(&str) -> Option<String>) -> String {
        let mut s = String::from("<table>\n<thead><tr>");
        for (i, h) in self.header.iter().enumerate() {
            let class = if self.numeric.get(i).copied().unwrap_or(false) {
                " class=\"num\""
            } else {
                ""
            };
            let _ = write!(s, "<th{class}>{}</th>", esc(h));
        }
        s.push_str("</tr></thead>\n<tbody>\n");
        for r in &self.rows {
            s.push_str("<tr>");
            for (i, c) in r.iter().enumerate() {
                let num = self.numeric.get(i).copied().unwrap_or(false);
                let class = if num { " class=\"num\"" } else { "" };
                let mark = if i == 0 {
                    swatch(c).map_or_else(String::new, |color| {
                        format!("<span class=\"sw\" style=\"background:{color}\"></span>")
                    })
                } else {
                    String::new()
                };
                let _ = write!(s, "<td{class}>{mark}{}</td>", esc(c));
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</tbody>\n</table>\n");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_renderings_hold_the_cells() {
        let mut t = Table::new(&["allocator", "#4"], &[false, true]);
        t.push(vec!["a|b".into(), "<5 %".into()]);
        let md = t.markdown();
        assert!(
            md.contains("| a\\|b | <5 % |") && md.contains("|---|---:|"),
            "{md}"
        );
        let html = t.html(|name| (name == "a|b").then(|| "#000000".to_owned()));
        assert!(
            html.contains("&lt;5 %") && html.contains("background:#000000"),
            "{html}"
        );
    }
}
