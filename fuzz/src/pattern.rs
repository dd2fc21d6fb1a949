//! The content the `ops` target writes into every block: byte `i` of the block with id `id` is
//! [`byte`]`(id, i)`, a window of one fixed pseudo-random table starting at a phase derived
//! from the id. A block overwritten by another block, by a header, by a shifted copy or by a
//! short copy no longer matches its own pattern (unless two ids share a phase: 1 in
//! [`PERIOD`]).
//!
//! Filling and checking go through the table in chunks (`copy_from_slice`, slice equality:
//! `memcpy` / `memcmp`), never byte by byte: the fuzz build instruments every comparison, and a
//! per-byte loop over large blocks would cost most of a target's time.

use std::sync::OnceLock;

/// The pattern repeats every `PERIOD` bytes.
pub const PERIOD: usize = 2048;

/// `2 * PERIOD` pseudo-random bytes, so any window of up to `PERIOD` bytes at any phase is
/// one contiguous slice.
fn table() -> &'static [u8] {
    static TABLE: OnceLock<Vec<u8>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut x: u32 = 0x2545_F491;
        let mut t: Vec<u8> = (0..PERIOD)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                (x >> 24) as u8
            })
            .collect();
        t.extend_from_within(..);
        t
    })
}

fn phase(id: u32, i: usize) -> usize {
    (id.wrapping_mul(0x9E37_79B9) as usize + i) % PERIOD
}

/// Byte `i` of block `id`'s pattern.
#[must_use]
pub fn byte(id: u32, i: usize) -> u8 {
    table()[phase(id, i)]
}

/// Writes the pattern of block `id` from offset `from` on into `out`.
pub fn fill(out: &mut [u8], id: u32, from: usize) {
    let t = table();
    let mut at = from;
    for chunk in out.chunks_mut(PERIOD) {
        let p = phase(id, at);
        chunk.copy_from_slice(&t[p..p + chunk.len()]);
        at += chunk.len();
    }
}

/// The first index where two slices that are known to differ differ (0 if they do not).
#[must_use]
pub fn first_difference(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(0)
}

/// The first offset (counted from `from`) where `got` differs from block `id`'s pattern.
#[must_use]
pub fn mismatch(got: &[u8], id: u32, from: usize) -> Option<usize> {
    let t = table();
    let mut at = from;
    for chunk in got.chunks(PERIOD) {
        let p = phase(id, at);
        let want = &t[p..p + chunk.len()];
        if chunk != want {
            let k = first_difference(chunk, want);
            return Some(at - from + k);
        }
        at += chunk.len();
    }
    None
}

/// The first offset where `got` is not `unit` repeated (`unit`'s length divides
/// [`PERIOD`]), compared in chunks.
#[must_use]
pub fn mismatch_repeated(got: &[u8], unit: &[u8]) -> Option<usize> {
    let want = unit.repeat((PERIOD / unit.len()).min(got.len().div_ceil(unit.len())));
    let mut at = 0;
    for chunk in got.chunks(want.len().max(1)) {
        let want = &want[..chunk.len()];
        if chunk != want {
            let k = first_difference(chunk, want);
            return Some(at + k);
        }
        at += chunk.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifted_and_foreign_patterns_differ() {
        let mut a = vec![0; 3 * PERIOD + 17];
        fill(&mut a, 7, 0);
        assert_eq!(mismatch(&a, 7, 0), None);
        assert!(mismatch(&a[1..], 7, 0).is_some());
        assert!(mismatch(&a[8..], 7, 0).is_some());
        assert!(mismatch(&a, 8, 0).is_some());
        assert_eq!(mismatch(&a[5..], 7, 5), None);
        assert_eq!(byte(7, 5 + PERIOD), a[5 + PERIOD]);
        let mut b = a.clone();
        b[PERIOD + 3] ^= 1;
        assert_eq!(mismatch(&b, 7, 0), Some(PERIOD + 3));
        let mut c = vec![0; 40];
        fill(&mut c, 7, 100);
        assert_eq!(mismatch(&c, 7, 100), None);
        assert_eq!(&c[..], &a[100..140]);
    }

    #[test]
    fn repeated_units() {
        let v = vec![3u8; 5000];
        assert_eq!(mismatch_repeated(&v, &[3]), None);
        assert_eq!(mismatch_repeated(&v[..1], &[3]), None);
        assert_eq!(mismatch_repeated(&[], &[3]), None);
        let mut w = v.clone();
        w[4097] = 0;
        assert_eq!(mismatch_repeated(&w, &[3]), Some(4097));
        let e: Vec<u8> = [1u8, 2, 3, 4].repeat(1000);
        assert_eq!(mismatch_repeated(&e, &[1, 2, 3, 4]), None);
        assert_eq!(mismatch_repeated(&e[..8], &[1, 2, 3, 4]), None);
        assert_eq!(mismatch_repeated(&e[1..], &[1, 2, 3, 4]), Some(0));
    }
}
