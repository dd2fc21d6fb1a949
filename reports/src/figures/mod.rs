//! The report's chart kinds, drawn with plotters on any backend: SVG (always) and PNG (when a
//! system font is registered, see [`fonts`]). One chart kind per file:
//!
//! - [`LineChart`] (`line_chart.rs`): lines over a shared x axis, linear, log-log or log-y;
//! - [`Panels`] (`panels.rs`): line charts stacked in one figure;
//! - [`StackedBars`] (`stacked_bars.rs`): one horizontal stacked bar per allocator;
//! - [`DotPlot`] (`dot_plot.rs`): one row per workload, one dot per allocator, log axis;
//! - [`Heatmap`] (`heatmap.rs`): a grid of values coloured by magnitude;
//! - [`Scatter`] (`scatter.rs`): points with error bars, a path and marked points.
//!
//! What they share: the [`Chart`] trait and [`render`] (here), value axes ([`Unit`],
//! `unit.rs`), text, legends and ranges (`drawing.rs`), the text-measuring SVG backend
//! (`svg_backend.rs`) and the system font for PNGs ([`fonts`]). Every chart has a title, axis
//! descriptions with units, and a legend beside the plotting area; series are coloured by
//! [`crate::palette`].

use std::path::Path;

use anyhow::{anyhow, Context};
use plotters::coord::Shift;
use plotters::prelude::*;

mod dot_plot;
mod drawing;
pub mod fonts;
mod heatmap;
mod line_chart;
mod panels;
mod scatter;
mod stacked_bars;
mod svg_backend;
mod unit;

pub use self::dot_plot::DotPlot;
pub use self::heatmap::Heatmap;
pub use self::line_chart::{Axes, Line, LineChart};
pub use self::panels::Panels;
pub use self::scatter::{Point, Scatter};
pub use self::stacked_bars::{BarRow, StackedBars};
pub use self::svg_backend::{estimate, TextSafeSvg};
pub use self::unit::{Unit, LADDER};

/// What the drawing functions return.
pub type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A chart that can be drawn on any plotters backend.
pub trait Chart {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// The chart's title.
    fn title(&self) -> &str;
    /// Draws the chart on `root`, which is `size()` pixels large.
    ///
    /// # Errors
    /// Any backend error.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// One rendered figure: its file stem, title and SVG text.
#[derive(Debug, Clone)]
pub struct Figure {
    /// File name without extension (`<stem>.svg`, `<stem>.png`).
    pub stem: String,
    /// The chart's title.
    pub title: String,
    /// The SVG document.
    pub svg: String,
    /// Whether `<stem>.png` was written.
    pub png: bool,
}

/// Draws `chart` as `<dir>/<stem>.svg`, and as `<dir>/<stem>.png` when `png` is set (a font
/// must be registered then).
///
/// # Errors
/// Drawing or writing failed; the message names the file.
pub fn render<C: Chart>(chart: &C, stem: &str, dir: &Path, png: bool) -> anyhow::Result<Figure> {
    let size = chart.size();
    let mut svg = String::new();
    {
        let root = TextSafeSvg::with_string(&mut svg, size).into_drawing_area();
        chart
            .draw(&root)
            .map_err(|e| anyhow!("drawing {stem}.svg: {e}"))?;
        root.present()
            .map_err(|e| anyhow!("drawing {stem}.svg: {e}"))?;
    }
    let svg_path = dir.join(format!("{stem}.svg"));
    std::fs::write(&svg_path, &svg)
        .with_context(|| format!("cannot write {}", svg_path.display()))?;
    if png {
        let png_path = dir.join(format!("{stem}.png"));
        let root = BitMapBackend::new(&png_path, size).into_drawing_area();
        chart
            .draw(&root)
            .map_err(|e| anyhow!("drawing {}: {e}", png_path.display()))?;
        root.present()
            .map_err(|e| anyhow!("writing {}: {e}", png_path.display()))?;
    }
    Ok(Figure {
        stem: stem.to_owned(),
        title: chart.title().to_owned(),
        svg,
        png,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chart_kind_renders_to_svg() {
        let dir = tempfile::tempdir().unwrap();
        let line = LineChart {
            title: "t".into(),
            x_desc: "ops".into(),
            y_desc: "bytes".into(),
            x_unit: Unit::Count,
            y_unit: Unit::Bytes,
            axes: Axes::Linear,
            lines: vec![Line::new("mempool", vec![(0.0, 0.0), (10.0, 4096.0)])],
            size: (600, 300),
        };
        let f = render(&line, "line", dir.path(), false).unwrap();
        assert!(f.svg.contains("4 KiB"), "{}", f.svg);
        let heat = Heatmap {
            title: "h".into(),
            x_desc: "x".into(),
            y_desc: "y".into(),
            columns: vec!["9".into(), "16".into()],
            rows: vec!["r".into()],
            values: vec![vec![Some(0.123), None]],
            unit: Unit::Percent,
            highlight: Some((0, 0)),
            highlight_label: "outlined: best".into(),
            legend: "l".into(),
        };
        let f = render(&heat, "heat", dir.path(), false).unwrap();
        assert!(f.svg.contains("12.3 %") && f.svg.contains("n/a"));
        assert!(f.svg.contains("outlined: best"));
        let dots = DotPlot {
            title: "d".into(),
            x_desc: "x".into(),
            rows: vec!["w".into()],
            series: vec![("talc".into(), vec![Some(2.0)])],
            reference: 1.0,
            width: 700,
        };
        render(&dots, "dots", dir.path(), false).unwrap();
        let bars = StackedBars {
            title: "b".into(),
            x_desc: "x".into(),
            unit: Unit::Percent,
            parts: vec!["policy".into(), "overhead".into()],
            rows: vec![BarRow {
                name: "mempool".into(),
                values: vec![0.1, 0.05],
                note: "#4 15 %".into(),
            }],
            width: 700,
        };
        render(&bars, "bars", dir.path(), false).unwrap();
        for stem in ["line", "heat", "dots", "bars"] {
            let svg = std::fs::read_to_string(dir.path().join(format!("{stem}.svg"))).unwrap();
            assert!(
                svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
                "{stem}"
            );
            assert!(!dir.path().join(format!("{stem}.png")).exists());
        }
    }
}
