//! Charts as inline SVG for the HTML reports: no script, no external asset, readable without
//! colour (values are in `<title>` tooltips and the tables beside each chart), accessible
//! (`role="img"`, `<title>`, `aria-label`). Text is escaped here and only here ([`escape`]).

use std::fmt::Write;

/// Colours with enough contrast on white, one per series, in order.
const PALETTE: &[&str] = &["#1f5fa8", "#b8422e", "#2e7d32", "#8a5a00", "#6a3d9a", "#555555"];

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 48.0;

/// `text` safe inside HTML/SVG text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
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

/// One named series of values, one per category.
#[derive(Debug)]
pub struct Series<'a> {
    pub name: &'a str,
    pub values: Vec<f64>,
}

/// A reference line (a target) with its label: across the plot, or over one category.
#[derive(Debug)]
pub struct Target<'a> {
    pub label: &'a str,
    pub value: f64,
    /// The category it belongs to; None: across all.
    pub category: Option<usize>,
}

/// Bars per category: stacked (totals) or side by side, with target lines.
pub fn bars(
    title: &str,
    categories: &[String],
    series: &[Series<'_>],
    stacked: bool,
    targets: &[Target<'_>],
) -> String {
    let top = if stacked {
        (0..categories.len())
            .map(|i| series.iter().map(|s| s.values.get(i).copied().unwrap_or(0.0)).sum())
            .fold(0.0, f64::max)
    } else {
        series.iter().flat_map(|s| s.values.iter().copied()).fold(0.0, f64::max)
    };
    let max = nice_max(targets.iter().map(|t| t.value).fold(top, f64::max));
    let mut svg = open(title, max);
    let band = plot_width() / categories.len().max(1) as f64;
    for (i, _) in categories.iter().enumerate() {
        let mut base = 0.0;
        for (k, s) in series.iter().enumerate() {
            let v = s.values.get(i).copied().unwrap_or(0.0);
            let (x, w) = if stacked {
                (LEFT + band * i as f64 + band * 0.15, band * 0.7)
            } else {
                let w = band * 0.8 / series.len().max(1) as f64;
                (LEFT + band * i as f64 + band * 0.1 + w * k as f64, w)
            };
            let (y0, y1) = if stacked { (base, base + v) } else { (0.0, v) };
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{:.1}" width="{w:.1}" height="{:.1}" fill="{}"><title>{}: {}</title></rect>"#,
                y_of(y1, max),
                (y_of(y0, max) - y_of(y1, max)).max(0.0),
                PALETTE[k % PALETTE.len()],
                escape(s.name),
                number(v)
            );
            base += v;
        }
    }
    for t in targets {
        let y = y_of(t.value, max);
        let (x1, x2) = match t.category {
            Some(i) => (LEFT + band * i as f64 + band * 0.05, LEFT + band * (i as f64 + 0.95)),
            None => (LEFT, WIDTH - RIGHT),
        };
        let _ = write!(
            svg,
            r##"<line x1="{x1:.1}" x2="{x2:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#000" stroke-width="1.5" stroke-dasharray="6 4"/><text x="{x2:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"##,
            y - 4.0,
            escape(t.label)
        );
    }
    close(svg, categories, series)
}

/// Lines per series over the categories (a gap where a value is missing: NaN).
pub fn lines(title: &str, categories: &[String], series: &[Series<'_>], max: Option<f64>) -> String {
    let top = series.iter().flat_map(|s| s.values.iter().copied()).filter(|v| v.is_finite()).fold(0.0, f64::max);
    let max = max.unwrap_or_else(|| nice_max(top));
    let mut svg = open(title, max);
    let step = plot_width() / categories.len().max(1) as f64;
    for (k, s) in series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let points: Vec<(f64, f64, f64)> = s
            .values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(i, &v)| (LEFT + step * (i as f64 + 0.5), y_of(v, max), v))
            .collect();
        let path: Vec<String> = points.iter().map(|(x, y, _)| format!("{x:.1},{y:.1}")).collect();
        let _ =
            write!(svg, r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#, path.join(" "));
        for (x, y, v) in points {
            let _ = write!(
                svg,
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="{colour}"><title>{}: {}</title></circle>"#,
                escape(s.name),
                number(v)
            );
        }
    }
    close(svg, categories, series)
}

/// About how wide a legend label is at font size 11: CJK and other wide characters take twice
/// the room of Latin ones.
fn label_width(text: &str) -> f64 {
    text.chars().map(|c| if c >= '\u{2E80}' { 11.5 } else { 6.5 }).sum()
}

fn plot_width() -> f64 {
    WIDTH - LEFT - RIGHT
}

fn y_of(v: f64, max: f64) -> f64 {
    let h = HEIGHT - TOP - BOTTOM;
    TOP + h - (v / max).clamp(0.0, 1.0) * h
}

/// A round upper bound for the axis (1, 2, 5 x 10^n).
fn nice_max(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * magnitude).find(|&m| m >= v).unwrap_or(10.0 * magnitude)
}

/// Up to three decimals, without trailing zeros.
fn number(v: f64) -> String {
    let text = format!("{v:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The frame: title, axis and gridlines with values.
fn open(title: &str, max: f64) -> String {
    let t = escape(title);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{t}" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif"><title>{t}</title><text x="{LEFT}" y="16" font-size="13" font-weight="bold">{t}</text>"#
    );
    for i in 0..=4 {
        let v = max * f64::from(i) / 4.0;
        let y = y_of(v, max);
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            number(v)
        );
    }
    svg
}

/// Category labels, legend, end.
fn close(mut svg: String, categories: &[String], series: &[Series<'_>]) -> String {
    let step = plot_width() / categories.len().max(1) as f64;
    // At most ~12 labels, so that they stay readable.
    let every = categories.len().div_ceil(12).max(1);
    for (i, c) in categories.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{}</text>"#,
            LEFT + step * (i as f64 + 0.5),
            HEIGHT - BOTTOM + 16.0,
            escape(c)
        );
    }
    let mut x = LEFT;
    for (k, s) in series.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<rect x="{x:.1}" y="{:.1}" width="10" height="10" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
            HEIGHT - 18.0,
            PALETTE[k % PALETTE.len()],
            x + 14.0,
            HEIGHT - 9.0,
            escape(s.name)
        );
        x += 24.0 + label_width(s.name);
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_charts_are_labelled() {
        assert_eq!(escape(r#"<script>"a"&'b'"#), "&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;");
        let days = vec!["12-01".to_owned(), "<b>".to_owned()];
        let svg = bars("量 <x>", &days, &[Series { name: "answered", values: vec![3.0, 5.0] }], true, &[]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img""#) && svg.contains("<title>量 &lt;x&gt;</title>"));
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
        let svg = lines("p99", &days, &[Series { name: "p99", values: vec![f64::NAN, 2.5] }], None);
        assert_eq!(svg.matches("<circle").count(), 1, "no point where the value is missing");
    }

    #[test]
    fn axes_round_up() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(130.0), 200.0);
        assert_eq!(nice_max(0.42), 0.5);
        assert_eq!(
            (number(37.5), number(0.75), number(3.0), number(0.0)),
            ("37.5".into(), "0.75".into(), "3".into(), "0".into())
        );
    }
}
