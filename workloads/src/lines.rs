//! Line splitting shared by the text formats: LF, CRLF and a bare CR all end a line.

#![forbid(unsafe_code)]

use crate::error::TraceError;

/// Lines of a byte buffer with their 1-based numbers. A final line without a line end is
/// yielded too; nothing is yielded after a final line end.
pub(crate) struct Lines<'a> {
    rest: &'a [u8],
    number: usize,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a [u8]) -> Self {
        Self {
            rest: text,
            number: 0,
        }
    }

    /// Number of the last line yielded (0 before the first).
    pub(crate) fn number(&self) -> usize {
        self.number
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = (usize, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        self.number += 1;
        let end = self
            .rest
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .unwrap_or(self.rest.len());
        let line = &self.rest[..end];
        let skip = match self.rest.get(end..end + 2) {
            Some(b"\r\n") => 2,
            _ if end < self.rest.len() => 1,
            _ => 0,
        };
        self.rest = &self.rest[end + skip..];
        Some((self.number, line))
    }
}

/// The line as text, or an error naming it.
pub(crate) fn text<'a>(file: &str, number: usize, line: &'a [u8]) -> Result<&'a str, TraceError> {
    std::str::from_utf8(line)
        .map_err(|e| TraceError::malformed(file, number, format!("not valid UTF-8 text ({e})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_end_counts() {
        let lines: Vec<_> = Lines::new(b"a\r\nb\rc\nd").collect();
        assert_eq!(
            lines,
            vec![
                (1, &b"a"[..]),
                (2, &b"b"[..]),
                (3, &b"c"[..]),
                (4, &b"d"[..])
            ]
        );
        let lines: Vec<_> = Lines::new(b"x\n\n\r\r\n").collect();
        assert_eq!(
            lines,
            vec![(1, &b"x"[..]), (2, &b""[..]), (3, &b""[..]), (4, &b""[..])]
        );
        assert_eq!(Lines::new(b"").count(), 0);
    }
}
