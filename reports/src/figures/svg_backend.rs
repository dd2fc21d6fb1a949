//! An SVG backend that lays text out without a font file.
//!
//! plotters' SVG backend writes text as `<text>` elements, which the browser renders with its
//! own fonts, but plotters still measures each label (to place axes, legends and titles) with
//! a registered font. [`TextSafeSvg`] measures with the registered font when there is one and
//! falls back to an estimate from the text's length otherwise, so the SVG plots are drawn on
//! machines without any font installed.

use plotters::prelude::SVGBackend;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

/// [`SVGBackend`] with a font-free fallback for text measurement.
pub struct TextSafeSvg<'a> {
    inner: SVGBackend<'a>,
}

impl<'a> TextSafeSvg<'a> {
    /// A backend that writes an SVG document of `size` pixels into `buf`.
    pub fn with_string(buf: &'a mut String, size: (u32, u32)) -> Self {
        Self {
            inner: SVGBackend::with_string(buf, size),
        }
    }
}

/// Width and height of `text` in a sans-serif face of pixel size `size`, estimated from its
/// length (an average advance of 0.55 em, wide letters a little more).
#[must_use]
pub fn estimate(text: &str, size: f64) -> (u32, u32) {
    let em = size / 1.24;
    let width: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' => 0.32,
            'm' | 'w' | 'M' | 'W' | '%' | '@' => 0.9,
            c if c.is_ascii_uppercase() => 0.68,
            _ => 0.56,
        })
        .sum::<f64>()
        * em;
    (width.ceil() as u32, em.ceil() as u32)
}

impl DrawingBackend for TextSafeSvg<'_> {
    type ErrorType = <SVGBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_text(text, style, pos)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        Ok(match style.layout_box(text) {
            Ok(((x0, y0), (x1, y1))) => ((x1 - x0).max(0) as u32, (y1 - y0).max(0) as u32),
            Err(_) => estimate(text, style.size()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::prelude::*;

    #[test]
    fn text_is_written_without_a_font() {
        let mut buf = String::new();
        {
            let root = TextSafeSvg::with_string(&mut buf, (300, 200)).into_drawing_area();
            root.fill(&WHITE).unwrap();
            let mut chart = ChartBuilder::on(&root)
                .caption("Title <&>", ("sans-serif", 20))
                .x_label_area_size(30)
                .y_label_area_size(30)
                .build_cartesian_2d(0f64..1f64, 0f64..1f64)
                .unwrap();
            chart.configure_mesh().x_desc("ops").draw().unwrap();
            root.present().unwrap();
        }
        assert!(buf.contains("Title &lt;&amp;&gt;"), "{buf}");
        assert!(buf.contains("\nops\n</text>"), "{buf}");
    }

    #[test]
    fn estimates_grow_with_text() {
        assert!(estimate("mmmm", 20.0).0 > estimate("iiii", 20.0).0);
        assert_eq!(estimate("", 20.0).0, 0);
    }
}
