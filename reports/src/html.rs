//! `index.html`: one self-contained page. The figures are inlined as SVG, the style sheet is
//! inline, and there is no script and no reference to anything outside the output folder
//! (links to the SVG/PNG files beside the page are relative).

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::figures::Figure;
use crate::findings::findings;
use crate::palette;
use crate::report_figures::{slug, workload_stems, OVERVIEW_STEMS};
use crate::report_tables::{
    fragmentation_table, latency_table, metrics_table, scaling_table, small_heaps_caption,
    small_heaps_table, throughput_table, workload_table,
};
use crate::results::Results;
use crate::table::{esc, Table};
use crate::units;

const STYLE: &str = "
body { font-family: sans-serif; margin: 0 auto; max-width: 1240px; padding: 0 24px 48px; color: #222; line-height: 1.45; }
header { border-bottom: 2px solid #1f77b4; margin-bottom: 16px; }
h1 { font-size: 1.7em; margin: 20px 0 4px; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: 4px; margin-top: 40px; }
h3 { margin-top: 32px; }
nav ul { columns: 3; font-size: 0.9em; }
table { border-collapse: collapse; margin: 12px 0; font-size: 0.88em; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f3f5f8; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
.wide { overflow-x: auto; }
figure { margin: 16px 0; }
figure svg { max-width: 100%; height: auto; display: block; border: 1px solid #eee; }
figcaption { font-size: 0.85em; color: #555; }
.sw { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; border-radius: 2px; }
.legend span.item { display: inline-block; margin: 2px 14px 2px 0; white-space: nowrap; }
.note { color: #8a4b00; }
code { background: #f3f3f3; padding: 0 3px; }
";

/// `svg` ready to inline in HTML: the XML namespace attribute (which HTML does not need) is
/// dropped, so the page holds no URL at all.
#[must_use]
pub fn inline_svg(svg: &str) -> String {
    let body = svg.find("<svg").map_or(svg, |i| &svg[i..]).replacen(
        " xmlns=\"http://www.w3.org/2000/svg\"",
        "",
        1,
    );
    body.replace("xmlns:xlink=\"http://www.w3.org/1999/xlink\"", "")
}

fn figure(figs: &HashMap<&str, &Figure>, stem: &str) -> String {
    let Some(f) = figs.get(stem) else {
        return String::new();
    };
    let png = if f.png {
        format!(", <a href=\"{0}.png\">{0}.png</a>", esc(stem))
    } else {
        String::new()
    };
    format!(
        "<figure id=\"fig-{0}\">\n{1}\n<figcaption>{2} — <a href=\"{0}.svg\">{0}.svg</a>{png}</figcaption>\n</figure>\n",
        esc(stem),
        inline_svg(&f.svg),
        esc(&f.title)
    )
}

fn swatch(r: &Results) -> impl Fn(&str) -> Option<String> + '_ {
    move |name: &str| {
        r.allocators
            .iter()
            .any(|a| a == name)
            .then(|| palette::css(name))
    }
}

fn table(t: &Table, r: &Results) -> String {
    format!("<div class=\"wide\">{}</div>", t.html(swatch(r)))
}

/// The whole page.
#[must_use]
pub fn page(r: &Results, figures: &[Figure]) -> String {
    let figs: HashMap<&str, &Figure> = figures.iter().map(|f| (f.stem.as_str(), f)).collect();
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>mempool workbench report {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&r.name)
    );
    let _ = write!(
        s,
        "<header>\n<h1>mempool workbench report <code>{}</code></h1>\n<p>{} run, {} UTC, {} threads, {:.0} s: {} workloads × {} allocators, a tuning map of {} pool configurations, {} scaling points.</p>\n</header>\n",
        esc(&r.name),
        esc(&r.mode),
        esc(&r.generated_utc),
        r.threads,
        r.seconds.total,
        r.workloads.len(),
        r.allocators.len(),
        r.tuning_grid.len(),
        r.scaling.len()
    );
    s.push_str("<nav>\n<ul>\n<li><a href=\"#findings\">Findings</a></li>\n<li><a href=\"#fragmentation\">Fragmentation</a></li>\n<li><a href=\"#throughput\">Throughput</a></li>\n<li><a href=\"#latency\">Latency</a></li>\n<li><a href=\"#scaling\">Scaling</a></li>\n<li><a href=\"#tuning\">Tuning map</a></li>\n<li><a href=\"#workloads\">Per workload</a></li>\n<li><a href=\"#definitions\">Definitions</a></li>\n");
    for w in &r.workloads {
        let _ = writeln!(
            s,
            "<li><a href=\"#w-{}\">{}</a></li>",
            esc(&slug(&w.name)),
            esc(&w.name)
        );
    }
    s.push_str("</ul>\n</nav>\n");

    s.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n<ul>\n");
    for f in findings(r) {
        let _ = writeln!(s, "<li>{}</li>", esc(&f));
    }
    s.push_str("</ul>\n<p class=\"legend\">Colours (the same in every plot): ");
    for a in &r.allocators {
        let _ = write!(
            s,
            "<span class=\"item\"><span class=\"sw\" style=\"background:{}\"></span>{}</span>",
            palette::css(a),
            esc(a)
        );
    }
    s.push_str("<span class=\"item\"><span class=\"sw\" style=\"background:#000000\"></span>live requested bytes</span></p>\n");
    if !r.notes.is_empty() {
        s.push_str("<ul class=\"note\">\n");
        for n in &r.notes {
            let _ = writeln!(s, "<li>{}</li>", esc(n));
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</section>\n");

    let _ = write!(
        s,
        "<section id=\"fragmentation\">\n<h2>Fragmentation</h2>\n<p>Over the {} workloads with at least {} live that every allocator ran without a failed request: the geometric mean of footprint / peak live − 1 (as a #4; one tiny heap cannot dominate it), the median #4, and on how many workloads each allocator leaves the least.</p>\n{}{}<h3>Small heaps</h3>\n<p>The {}.</p>\n{}</section>\n",
        r.sets.large.len(),
        units::bytes(workloads::aggregate::SMALL_HEAP_FLOOR as f64),
        table(&fragmentation_table(r), r),
        figure(&figs, OVERVIEW_STEMS[0]),
        esc(&small_heaps_caption(r)),
        table(&small_heaps_table(r), r)
    );
    let _ = write!(
        s,
        "<section id=\"throughput\">\n<h2>Throughput</h2>\n<p>The lean timing loop (compiled per allocator; nothing per op but the allocator's calls), {} interleaved rounds per workload. Speed relative to the default pool: the geometric mean over the {} timed workloads (at least 1,000 ops) of each workload's median ratio over the paired rounds, with a 95 % bootstrap interval (workloads, then rounds, resampled). An allocator is called faster or slower only when its interval excludes 1. <code>baseline</code> is the loop itself; \"− baseline\" is an allocator's time without it.</p>\n{}{}</section>\n",
        r.rounds,
        r.sets.timed.len(),
        table(&throughput_table(r), r),
        figure(&figs, OVERVIEW_STEMS[1])
    );
    let _ = write!(
        s,
        "<section id=\"latency\">\n<h2>Latency per call</h2>\n<p>One replay per (workload, allocator) that times every call with a TSC clock and records it in an HDR histogram per kind of call; reading the clock twice costs {} and is in every figure. p50 and p99 are medians over the compared workloads of each workload's percentile; max is the slowest call of any workload. The per-workload ladders are with each workload below.</p>\n{}</section>\n",
        esc(&units::nanos(r.clock_ns)),
        table(&latency_table(r), r)
    );
    let _ = write!(
        s,
        "<section id=\"scaling\">\n<h2>Scaling</h2>\n<p>Steady state: N live blocks of 16–256 bytes; each timed step frees a random live block and allocates a new one. Only those steps are timed; the figure in brackets is minus <code>baseline</code> at the same size.</p>\n{}{}</section>\n",
        table(&scaling_table(r), r),
        figure(&figs, OVERVIEW_STEMS[2])
    );
    if let Some(t) = &r.tuning {
        let (intro, lines) = t.disagreement_lines();
        let _ = write!(
            s,
            "<section id=\"tuning\">\n<h2>Tuning map</h2>\n<p>{}</p>\n{}{}<h3>Held out by source</h3>\n<p>{}</p>\n{}<h3>Pareto front</h3>\n{}{}<p>{}</p>\n<ul>\n",
            esc(&t.recommendation()),
            figure(&figs, OVERVIEW_STEMS[3]),
            table(&t.evidence(Some(8)), r),
            esc(&t.held_out()),
            table(&t.cross_validation_table(), r),
            figure(&figs, OVERVIEW_STEMS[4]),
            table(&t.pareto_table(), r),
            esc(&intro)
        );
        for l in lines {
            let _ = writeln!(s, "<li>{}</li>", esc(&l));
        }
        s.push_str("</ul>\n<p>The full sweep over alignments too is <code>workbench tune</code>.</p>\n</section>\n");
    }

    let _ = write!(
        s,
        "<section id=\"workloads\">\n<h2>Per workload</h2>\n<p>Fragmentation #4 of every workload under every allocator.</p>\n{}",
        table(&workload_table(r), r)
    );
    for (w, info) in r.workloads.iter().enumerate() {
        let st = &info.stats;
        let _ = write!(
            s,
            "<section id=\"w-{}\">\n<h3>{}</h3>\n<p>{}; {} ops ({} allocs, {} frees, {} reallocs); peak {} live in {} blocks; largest request {}; region {}.</p>\n{}",
            esc(&slug(&info.name)),
            esc(&info.name),
            esc(&info.source.label()),
            units::count(st.ops as f64),
            units::count(st.allocs as f64),
            units::count(st.frees as f64),
            units::count(st.reallocs as f64),
            units::bytes(st.peak_live_bytes as f64),
            units::count(st.peak_live_blocks as f64),
            units::bytes(st.max_request as f64),
            units::bytes(info.capacity as f64),
            table(&metrics_table(r, w), r)
        );
        for stem in workload_stems(&info.name) {
            s.push_str(&figure(&figs, &stem));
        }
        s.push_str("</section>\n");
    }
    s.push_str("</section>\n");

    s.push_str("<section id=\"definitions\">\n<h2>Definitions</h2>\n<p>L = live requested bytes, B = bytes the live blocks occupy (headers, padding and unsplit remainders included), H = heap extent (region start to heap end), all after every op. Johnstone &amp; Wilson's #1 = mean(H) / mean(L) − 1; #2 = H / L − 1 at the point of maximal live memory; #3 = H / L − 1 at the point of maximal heap; #4 = max H / max L − 1, split into overhead (max B − max L) / max L and policy (max H − max B) / max L. Utilisation = max L / max H (malloc-lab). The exact definitions are in <code>workloads/README.md</code>; results.json and results.csv beside this page hold every number.</p>\n</section>\n</body>\n</html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inlined_svg_has_no_namespace_url() {
        let svg = "<svg width=\"10\" height=\"10\" viewBox=\"0 0 10 10\" xmlns=\"http://www.w3.org/2000/svg\">\n</svg>";
        let s = inline_svg(svg);
        assert!(!s.contains("http"), "{s}");
        assert!(s.starts_with("<svg width=\"10\""), "{s}");
    }
}
