//! The report's charts: inline SVG drawn with plotters (its SVG backend writes text as `<text>`
//! elements, so no font is read). Each function returns one `<svg>` element; a chart with
//! nothing to draw says so in words instead of drawing empty axes.

use plotters::prelude::*;

/// Chart size in pixels.
const SIZE: (u32, u32) = (640, 300);

/// Series colours, in order (colour-blind safe: Okabe–Ito).
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

/// A named series of y values.
pub struct Series<'a> {
    pub name: &'a str,
    pub y: Vec<f64>,
}

/// Shown in place of a chart with no finite point.
fn nothing(title: &str) -> String {
    format!(
        "<p class=\"empty\">{}: nothing to draw (no finite values).</p>",
        super::html::escape(title)
    )
}

/// The range of finite values, widened when flat; `None` without finite values.
fn range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return None;
    }
    if hi - lo < 1e-12 {
        let pad = if hi.abs() > 0.0 { hi.abs() * 0.1 } else { 1.0 };
        return Some((lo - pad, hi + pad));
    }
    let pad = (hi - lo) * 0.05;
    Some((lo - pad, hi + pad))
}

/// Lines of y against x (days), one per series, with a legend.
pub fn lines(title: &str, x_label: &str, y_label: &str, x: &[f64], series: &[Series]) -> String {
    let points = |s: &Series| -> Vec<(f64, f64)> {
        x.iter()
            .zip(&s.y)
            .filter(|(a, b)| a.is_finite() && b.is_finite())
            .map(|(&a, &b)| (a, b))
            .collect()
    };
    let (Some(xr), Some(yr)) = (
        range(x.iter().copied()),
        range(series.iter().flat_map(|s| s.y.iter().copied())),
    ) else {
        return nothing(title);
    };
    // Counts and money start at zero.
    let nonnegative = series
        .iter()
        .flat_map(|s| &s.y)
        .all(|v| !v.is_finite() || *v >= 0.0);
    let yr = if nonnegative { (0.0, yr.1) } else { yr };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).ok();
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(8)
            .x_label_area_size(36)
            .y_label_area_size(72)
            .build_cartesian_2d(xr.0..xr.1, yr.0..yr.1)
            .expect("finite ranges");
        axes(&mut chart, x_label, y_label);
        for (k, s) in series.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(points(s), colour.stroke_width(2)))
                .expect("drawing to a string")
                .label(s.name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], colour));
        }
        if series.len() > 1 {
            legend(&mut chart, SeriesLabelPosition::UpperLeft);
        }
        root.present().ok();
    }
    svg
}

/// A Lorenz curve (population share, value share) with the line of equality.
pub fn lorenz(title: &str, points: &[[f64; 2]]) -> String {
    if points.is_empty() {
        return nothing(title);
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (420, 320)).into_drawing_area();
        root.fill(&WHITE).ok();
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(8)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(0.0..1.0, 0.0..1.0)
            .expect("unit square");
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_desc("share of creators, poorest first")
            .y_desc("share of exposure")
            .draw()
            .ok();
        chart
            .draw_series(LineSeries::new(
                vec![(0.0, 0.0), (1.0, 1.0)],
                BLACK.mix(0.4).stroke_width(1),
            ))
            .expect("drawing to a string")
            .label("equality")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK.mix(0.4)));
        let curve: Vec<(f64, f64)> = std::iter::once((0.0, 0.0))
            .chain(points.iter().map(|p| (p[0], p[1])))
            .collect();
        chart
            .draw_series(LineSeries::new(curve, PALETTE[0].stroke_width(2)))
            .expect("drawing to a string")
            .label("Lorenz curve")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], PALETTE[0]));
        legend(&mut chart, SeriesLabelPosition::UpperLeft);
        root.present().ok();
    }
    svg
}

/// A fitted power-law tail: P(X ≥ x) = share · (x / xmin)^(1 − alpha) for x ≥ xmin, where
/// `share` is the fraction of all values in the tail.
pub struct TailLine {
    pub alpha: f64,
    pub xmin: f64,
    pub share: f64,
}

/// The complementary cumulative distribution P(X ≥ x) of the positive values on log-log
/// axes, one point per distinct value, with the fitted tail as a line; `who` names the
/// points in the legend.
pub fn ccdf(
    title: &str,
    x_label: &str,
    who: &str,
    values: &[f64],
    tail: Option<TailLine>,
) -> String {
    let mut v: Vec<f64> = values
        .iter()
        .copied()
        .filter(|x| x.is_finite() && *x > 0.0)
        .collect();
    if v.is_empty() {
        return nothing(title);
    }
    v.sort_by(f64::total_cmp);
    let n = v.len() as f64;
    let mut points = Vec::new();
    for (k, &x) in v.iter().enumerate() {
        if k == 0 || v[k - 1] != x {
            points.push((x, (v.len() - k) as f64 / n));
        }
    }
    // A margin on both sides, so that no point sits on an axis.
    let (x0, x1) = (v[0] / 1.5, v[v.len() - 1] * 1.5);
    let y0 = (1.0 / n) * 0.5;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (420, 320)).into_drawing_area();
        root.fill(&WHITE).ok();
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(8)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d((x0..x1.max(x0 * 2.0)).log_scale(), (y0..1.2).log_scale())
            .expect("positive ranges");
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_desc(x_label)
            .y_desc("P(X ≥ x)")
            .x_labels(6)
            .x_label_formatter(&|v| short(*v))
            .y_label_formatter(&|v| format!("{v:.0e}"))
            .draw()
            .ok();
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, 2, PALETTE[0].mix(0.6).filled())),
            )
            .expect("drawing to a string")
            .label(who)
            .legend(|(x, y)| Circle::new((x + 9, y), 3, PALETTE[0].filled()));
        if let Some(t) = tail.filter(|t| t.alpha > 1.0 && t.xmin > 0.0 && t.share > 0.0) {
            let line: Vec<(f64, f64)> = (0..=40)
                .map(|k| t.xmin * (x1 / t.xmin).powf(k as f64 / 40.0))
                .map(|x| (x, t.share * (x / t.xmin).powf(1.0 - t.alpha)))
                .filter(|&(_, y)| y >= y0)
                .collect();
            let label = format!("tail fit, alpha {:.2} from {}", t.alpha, short(t.xmin));
            chart
                .draw_series(LineSeries::new(line, PALETTE[1].stroke_width(2)))
                .expect("drawing to a string")
                .label(label)
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], PALETTE[1]));
        }
        legend(&mut chart, SeriesLabelPosition::LowerLeft);
        root.present().ok();
    }
    svg
}

/// One row of a forest or interval plot: a label, an estimate and its interval.
pub struct Interval {
    pub label: String,
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

/// A forest plot: one row per interval, estimates as dots, intervals as bars, and a
/// vertical line at `reference` (0 for differences). `width` is the plot's, labels aside.
pub fn forest(title: &str, x_label: &str, rows: &[Interval], reference: f64, width: u32) -> String {
    let finite: Vec<&Interval> = rows
        .iter()
        .filter(|r| r.estimate.is_finite() && r.low.is_finite() && r.high.is_finite())
        .collect();
    let Some(xr) = range(
        finite
            .iter()
            .flat_map(|r| [r.low, r.high])
            .chain([reference]),
    ) else {
        return nothing(title);
    };
    let n = finite.len();
    let height = 60 + 22 * n as u32 + 40;
    let label_width = finite
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(4) as u32
        * 7
        + 12;
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (width + label_width, height)).into_drawing_area();
        root.fill(&WHITE).ok();
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(8)
            .x_label_area_size(36)
            .y_label_area_size(label_width)
            .build_cartesian_2d(xr.0..xr.1, -0.5..(n as f64 - 0.5))
            .expect("finite ranges");
        let labels: Vec<String> = finite.iter().map(|r| r.label.clone()).collect();
        chart
            .configure_mesh()
            .light_line_style(WHITE)
            .x_desc(x_label)
            .x_label_formatter(&|v| short(*v))
            .y_labels(n.max(1))
            .y_label_formatter(&|v| {
                let k = v.round();
                if (v - k).abs() < 1e-6 && k >= 0.0 && (k as usize) < labels.len() {
                    labels[n - 1 - k as usize].clone()
                } else {
                    String::new()
                }
            })
            .disable_y_mesh()
            .draw()
            .ok();
        chart
            .draw_series(LineSeries::new(
                vec![(reference, -0.5), (reference, n as f64 - 0.5)],
                BLACK.mix(0.5).stroke_width(1),
            ))
            .expect("drawing to a string");
        for (k, r) in finite.iter().enumerate() {
            let y = (n - 1 - k) as f64;
            chart
                .draw_series(LineSeries::new(
                    vec![(r.low, y), (r.high, y)],
                    PALETTE[0].stroke_width(2),
                ))
                .expect("drawing to a string");
            chart
                .draw_series(std::iter::once(Circle::new(
                    (r.estimate, y),
                    4,
                    PALETTE[1].filled(),
                )))
                .expect("drawing to a string");
        }
        root.present().ok();
    }
    svg
}

/// Estimates with intervals against a numeric x (a swept key's values): dots and bars, one
/// colour per series.
pub fn intervals_against(
    title: &str,
    x_label: &str,
    y_label: &str,
    points: &[(f64, Interval)],
) -> String {
    let finite: Vec<&(f64, Interval)> = points
        .iter()
        .filter(|(x, r)| x.is_finite() && r.low.is_finite() && r.high.is_finite())
        .collect();
    let (Some(xr), Some(yr)) = (
        range(finite.iter().map(|(x, _)| *x)),
        range(finite.iter().flat_map(|(_, r)| [r.low, r.high])),
    ) else {
        return nothing(title);
    };
    let xr = (xr.0 - 0.05 * (xr.1 - xr.0), xr.1 + 0.05 * (xr.1 - xr.0));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (420, 300)).into_drawing_area();
        root.fill(&WHITE).ok();
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(8)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(xr.0..xr.1, yr.0..yr.1)
            .expect("finite ranges");
        axes(&mut chart, x_label, y_label);
        // Points that share an x stand side by side, 2 % of the axis apart, in their order.
        let step = 0.02 * (xr.1 - xr.0);
        let mut sharing: std::collections::HashMap<u64, usize> = Default::default();
        for (x, _) in &finite {
            *sharing.entry(x.to_bits()).or_default() += 1;
        }
        let mut placed: std::collections::HashMap<u64, usize> = Default::default();
        for (x, r) in &finite {
            let rank = placed.entry(x.to_bits()).or_default();
            let offset = *rank as f64 - (sharing[&x.to_bits()] as f64 - 1.0) / 2.0;
            *rank += 1;
            let x = x + step * offset;
            chart
                .draw_series(LineSeries::new(
                    vec![(x, r.low), (x, r.high)],
                    PALETTE[0].stroke_width(2),
                ))
                .expect("drawing to a string");
            chart
                .draw_series(std::iter::once(Circle::new(
                    (x, r.estimate),
                    3,
                    PALETTE[1].filled(),
                )))
                .expect("drawing to a string");
        }
        root.present().ok();
    }
    svg
}

type Linear<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    plotters::coord::cartesian::Cartesian2d<
        plotters::coord::types::RangedCoordf64,
        plotters::coord::types::RangedCoordf64,
    >,
>;

/// The axes of a chart on two linear ranges: no light grid, numbers in a few characters.
fn axes(chart: &mut Linear, x_label: &str, y_label: &str) {
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .x_desc(x_label)
        .y_desc(y_label)
        .x_label_formatter(&|v| short(*v))
        .y_label_formatter(&|v| short(*v))
        .draw()
        .ok();
}

/// The legend box of the labelled series, at `position`.
fn legend<'a, 'b: 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, CT>,
    position: SeriesLabelPosition,
) {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .position(position)
        .draw()
        .ok();
}

/// A number in a few characters: 1.2k, 3.4M, 0.012.
pub fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.3}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.3}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 100.0 || a == 0.0 || (a >= 1.0 && v.fract() == 0.0) {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
    .replace(".000", "")
}
