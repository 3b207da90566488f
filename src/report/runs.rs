//! The reports of many runs: a sweep (each output against each varied key, every design point
//! with its replicate interval) and a comparison (forest plots of the paired differences).

use super::chart::{self, Interval};
use super::html::Page;
use super::table::Table;
use super::{HEADLINES, read_json};
use crate::error::Result;
use crate::experiment::stats::{mean_sd, t_quantile};
use std::path::Path;

/// Mean and 95 % Student t interval of a sample (the interval is the mean alone with one
/// value).
fn interval(label: String, values: &[f64]) -> Interval {
    let (mean, sd) = mean_sd(values);
    let n = values.len();
    let half = if n > 1 {
        t_quantile(0.975, (n - 1) as f64) * sd / (n as f64).sqrt()
    } else {
        0.0
    };
    Interval {
        label,
        estimate: mean,
        low: mean - half,
        high: mean + half,
    }
}

/// The page of a sweep folder (whole, one shard, or merged): for each headline output and
/// each varied key, every design point's mean over its replicates with a 95 % t interval.
pub fn sweep_report(dir: &Path) -> Result<String> {
    let manifest = read_json(&dir.join("manifest.json"))?;
    let runs = Table::read(&dir.join("runs.csv"))?;
    let names = runs.names();
    // The varied keys stand between `seed` and `status`.
    let keys: Vec<&String> = match (
        names.iter().position(|n| n == "seed"),
        names.iter().position(|n| n == "status"),
    ) {
        (Some(a), Some(b)) if a < b => names[a + 1..b].iter().collect(),
        _ => Vec::new(),
    };
    let status = runs.strings("status").unwrap_or_default();
    let point = runs.column("point").unwrap_or_default();
    let ok: Vec<usize> = (0..runs.len()).filter(|&r| status[r] == "ok").collect();
    // The successful runs of each design point, in point order.
    let mut by_point: std::collections::BTreeMap<u64, Vec<usize>> = Default::default();
    for &r in &ok {
        by_point.entry(point[r] as u64).or_default().push(r);
    }
    let mut page = Page::new(
        &format!("socsim sweep: {}", manifest["name"].as_str().unwrap_or("?")),
        &format!(
            "{} design over {} of {}, {} replicates a point, master seed {}; {} runs here, {} ok, {} failed.",
            manifest["design"].as_str().unwrap_or("?"),
            if keys.is_empty() {
                "no key".to_string()
            } else {
                keys.iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            manifest["base"].as_str().unwrap_or("?"),
            manifest["replicates"],
            manifest["master_seed"],
            runs.len(),
            ok.len(),
            runs.len() - ok.len()
        ),
    );
    page.section(
        "Outputs against the varied keys",
        "Each dot is one design point: the mean of the output over the point's replicates, with its 95 % Student t interval (none with one replicate). The other keys vary across the dots at one value.",
    );
    for key in &keys {
        let raw = runs.strings(key).unwrap_or_default();
        // Numbers (and booleans as 0/1) stand on a numeric axis; other values by their order
        // of appearance.
        let mut categories: Vec<String> = Vec::new();
        let numeric = raw
            .iter()
            .all(|v| v.parse::<f64>().is_ok() || v == "true" || v == "false");
        let x: Vec<f64> = raw
            .iter()
            .map(|v| match v.as_str() {
                "true" => 1.0,
                "false" => 0.0,
                _ if numeric => v.parse().unwrap_or(f64::NAN),
                _ => {
                    if !categories.contains(v) {
                        categories.push(v.clone());
                    }
                    categories.iter().position(|c| c == v).unwrap_or(0) as f64
                }
            })
            .collect();
        let axis = if categories.is_empty() {
            key.to_string()
        } else {
            format!(
                "{key} ({})",
                categories
                    .iter()
                    .enumerate()
                    .map(|(k, c)| format!("{k} = {c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        page.section(&format!("Against {key}"), "");
        let mut charts = Vec::new();
        for &(metric, label, _, _) in HEADLINES {
            let Some(y) = runs.column(metric) else {
                continue;
            };
            let points: Vec<(f64, Interval)> = by_point
                .values()
                .filter_map(|rows| {
                    let values: Vec<f64> = rows
                        .iter()
                        .map(|&q| y[q])
                        .filter(|v| v.is_finite())
                        .collect();
                    (!values.is_empty()).then(|| (x[rows[0]], interval(String::new(), &values)))
                })
                .collect();
            charts.push((
                chart::intervals_against(label, &axis, metric, &points),
                metric,
            ));
        }
        page.charts(&charts);
    }
    if keys.is_empty() {
        page.text("runs.csv names no varied key.");
    }
    Ok(page.finish())
}

/// The page of a comparison folder: per variant, a forest plot of the relative paired
/// differences of the headline outputs; per output, a forest plot of the absolute
/// differences of every variant; and the table of both.
pub fn compare_report(dir: &Path) -> Result<String> {
    let manifest = read_json(&dir.join("manifest.json"))?;
    let table = Table::read(&dir.join("compare.csv"))?;
    let variant = table.strings("variant").unwrap_or_default();
    let metric = table.strings("metric").unwrap_or_default();
    let col = |n: &str| table.column(n).unwrap_or_default();
    let holm = col("p_holm");
    let (base, diff, low, high, p, reps) = (
        col("base_mean"),
        col("diff"),
        col("ci_low"),
        col("ci_high"),
        col("p_value"),
        col("replicates"),
    );
    let mut variants: Vec<String> = Vec::new();
    for v in &variant {
        if !variants.contains(v) {
            variants.push(v.clone());
        }
    }
    let mut page = Page::new(
        "socsim compare",
        &format!(
            "{} variant(s) against the base {}, {} paired replicates (common random numbers).",
            variants.len(),
            manifest["base"]
                .as_str()
                .or(manifest["scenario_source"].as_str())
                .unwrap_or("scenario"),
            reps.first().copied().unwrap_or(0.0)
        ),
    );
    let row_of = |v: &str, m: &str| (0..table.len()).find(|&r| variant[r] == v && metric[r] == m);
    let relative = |r: usize| -> Option<Interval> {
        (base[r] != 0.0 && base[r].is_finite()).then(|| Interval {
            label: String::new(),
            estimate: 100.0 * diff[r] / base[r].abs(),
            low: 100.0 * low[r] / base[r].abs(),
            high: 100.0 * high[r] / base[r].abs(),
        })
    };
    page.section(
        "Relative differences",
        "Paired difference (variant − base) over the base mean, in percent, with its 95 % Student t interval; the line marks no change. Outputs whose base mean is 0 have no relative difference and are left out.",
    );
    let mut charts = Vec::new();
    for v in &variants {
        let rows: Vec<Interval> = HEADLINES
            .iter()
            .filter_map(|&(m, label, _, _)| {
                let r = row_of(v, m)?;
                let mut i = relative(r)?;
                i.label = label.to_string();
                Some(i)
            })
            .collect();
        charts.push((
            chart::forest(
                &format!("{v} against the base"),
                "change, %",
                &rows,
                0.0,
                520,
            ),
            "Headline outputs; every output is in compare.csv.",
        ));
    }
    page.charts(&charts);
    page.section(
        "Absolute differences",
        "Per output, each variant's paired difference in the output's own unit, with its 95 % interval.",
    );
    let mut charts = Vec::new();
    for &(m, label, _, _) in HEADLINES {
        let rows: Vec<Interval> = variants
            .iter()
            .filter_map(|v| {
                let r = row_of(v, m)?;
                Some(Interval {
                    label: v.clone(),
                    estimate: diff[r],
                    low: low[r],
                    high: high[r],
                })
            })
            .collect();
        if !rows.is_empty() {
            charts.push((chart::forest(label, m, &rows, 0.0, 300), m));
        }
    }
    page.charts(&charts);
    page.section("Table", "");
    let mut rows = Vec::new();
    for v in &variants {
        for &(m, label, _, _) in HEADLINES {
            let Some(r) = row_of(v, m) else { continue };
            let rel = relative(r)
                .map(|i| format!("{:+.2}% [{:+.2}, {:+.2}]", i.estimate, i.low, i.high))
                .unwrap_or_else(|| "n/a".into());
            rows.push(vec![
                v.clone(),
                label.to_string(),
                format!("{:.4}", base[r]),
                format!("{:+.4} [{:+.4}, {:+.4}]", diff[r], low[r], high[r]),
                rel,
                p_text(p[r]),
                p_text(holm[r]),
            ]);
        }
    }
    page.table(
        &[
            "variant",
            "output",
            "base mean",
            "difference [95 % interval]",
            "relative",
            "p",
            "p (Holm, over the variant's outputs)",
        ],
        &rows,
    );
    Ok(page.finish())
}

/// A p-value as the tables show it: `<1e-4` below 10⁻⁴.
fn p_text(p: f64) -> String {
    if p < 1e-4 {
        "<1e-4".into()
    } else {
        format!("{p:.4}")
    }
}
