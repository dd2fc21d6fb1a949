//! One colour per variant and peer, the same in every plot of the report.

use plotters::style::RGBColor;

/// Colour of the live-bytes line (the program's own demand, the same for every allocator).
pub const LIVE: RGBColor = RGBColor(0, 0, 0);

/// The fixed colours of the report's allocators, keyed by name.
const FIXED: &[(&str, RGBColor)] = &[
    ("mempool", RGBColor(0x1f, 0x77, 0xb4)),
    ("mempool(compact=false)", RGBColor(0xff, 0x7f, 0x0e)),
    ("mempool(split=false)", RGBColor(0x2c, 0xa0, 0x2c)),
    ("mempool(min_split=64)", RGBColor(0x94, 0x67, 0xbd)),
    ("mempool(min_split=256)", RGBColor(0x8c, 0x56, 0x4b)),
    ("mempool(align=16)", RGBColor(0xe3, 0x77, 0xc2)),
    ("mempool@reference", RGBColor(0x6b, 0xae, 0xd6)),
    ("talc", RGBColor(0x17, 0xbe, 0xcf)),
    ("rlsf", RGBColor(0xbc, 0xbd, 0x22)),
    ("linked_list_allocator", RGBColor(0xd6, 0x27, 0x28)),
    ("dlmalloc", RGBColor(0x7f, 0x7f, 0x7f)),
    ("system", RGBColor(0x39, 0x3b, 0x79)),
    ("baseline", RGBColor(0xbd, 0xbd, 0xbd)),
];

/// Colours for names outside the fixed table, picked by a stable hash of the name.
const EXTRA: &[RGBColor] = &[
    RGBColor(0xaa, 0x40, 0xfc),
    RGBColor(0x4c, 0xaf, 0x50),
    RGBColor(0xff, 0x98, 0x00),
    RGBColor(0x00, 0x96, 0x88),
    RGBColor(0x79, 0x55, 0x48),
    RGBColor(0x60, 0x7d, 0x8b),
    RGBColor(0xe9, 0x1e, 0x63),
    RGBColor(0x3f, 0x51, 0xb5),
];

/// The colour of the allocator called `name`: fixed for the report's matrix, stable for any
/// other name.
#[must_use]
pub fn color(name: &str) -> RGBColor {
    if let Some((_, c)) = FIXED.iter().find(|(n, _)| *n == name) {
        return *c;
    }
    // FNV-1a: stable across runs and platforms.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    EXTRA[(hash % EXTRA.len() as u64) as usize]
}

/// `color(name)` as a CSS hex colour.
#[must_use]
pub fn css(name: &str) -> String {
    let RGBColor(r, g, b) = color(name);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// A lighter shade of `c` (mixed with white by `t` in 0..=1), for stacked parts.
#[must_use]
pub fn lighten(c: RGBColor, t: f64) -> RGBColor {
    let mix = |v: u8| (f64::from(v) + (255.0 - f64::from(v)) * t).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_names_have_distinct_colours() {
        for (i, (a, ca)) in FIXED.iter().enumerate() {
            assert_eq!(color(a), *ca);
            for (b, cb) in &FIXED[i + 1..] {
                assert_ne!(ca, cb, "{a} and {b} share a colour");
            }
        }
    }

    #[test]
    fn other_names_are_stable() {
        assert_eq!(color("mempool(min_split=9)"), color("mempool(min_split=9)"));
        assert_eq!(css("mempool"), "#1f77b4");
        assert_eq!(lighten(RGBColor(0, 0, 0), 0.5), RGBColor(128, 128, 128));
    }
}
