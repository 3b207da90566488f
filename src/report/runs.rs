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
    // Each key's values as numbers (booleans 0/1; other values by their order of appearance),
    // its axis label, and whether it is numeric.
    let axes: Vec<(&String, Vec<f64>, String, bool)> = keys
        .iter()
        .map(|key| {
            let raw = runs.strings(key).unwrap_or_default();
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
            (*key, x, axis, numeric)
        })
        .collect();
    // Each design point's replicate interval of a metric's values.
    let point_intervals = |y: &[f64]| -> Vec<(usize, Interval)> {
        by_point
            .values()
            .filter_map(|rows| {
                let values: Vec<f64> = rows
                    .iter()
                    .map(|&q| y[q])
                    .filter(|v| v.is_finite())
                    .collect();
                (!values.is_empty()).then(|| (rows[0], interval(String::new(), &values)))
            })
            .collect()
    };
    for (key, x, axis, _) in &axes {
        page.section(&format!("Against {key}"), "");
        let mut charts = Vec::new();
        for &(metric, label, _, _) in HEADLINES {
            let Some(y) = runs.column(metric) else {
                continue;
            };
            let points: Vec<(f64, Interval)> = point_intervals(&y)
                .into_iter()
                .map(|(first, i)| (x[first], i))
                .collect();
            charts.push((
                chart::intervals_against(label, axis, metric, &points),
                metric,
            ));
        }
        page.charts(&charts);
    }
    if keys.is_empty() {
        page.text("runs.csv names no varied key.");
    } else {
        every_output(&mut page, &runs, &axes, &point_intervals);
    }
    let sensitivity = dir.join(crate::experiment::sensitivity::FILE);
    if sensitivity.is_file() {
        sensitivity_section(&mut page, &Table::read(&sensitivity)?);
    }
    Ok(page.finish())
}

/// The indices of `socsim sensitivity` (sensitivity.csv) for the headline outputs: Sobol
/// indices S1 and ST with their bootstrap intervals, or Morris's μ* and σ.
fn sensitivity_section(page: &mut Page, table: &Table) {
    let metric = table.strings("metric").unwrap_or_default();
    let parameter = table.strings("parameter").unwrap_or_default();
    let sobol = table.column("st").is_some();
    page.section(
        "Sensitivity",
        if sobol {
            "From sensitivity.csv (socsim sensitivity): each varied key's first-order (S1) and total-order (ST) Sobol index for the headline outputs, with bootstrap 95 % intervals. S1 is the share of the output's variance the key explains alone, ST the share it takes part in; a key with ST near 0 does not matter. Every output's indices are in the file."
        } else {
            "From sensitivity.csv (socsim sensitivity): each varied key's Morris μ* (mean absolute elementary effect, on the unit scale of the key's range) and σ (their spread: interactions or non-linearity) for the headline outputs. Every output's effects are in the file."
        },
    );
    let col = |n: &str| table.column(n).unwrap_or_default();
    let mut charts = Vec::new();
    for &(m, label, _, _) in HEADLINES {
        let rows: Vec<usize> = (0..table.len()).filter(|&r| metric[r] == m).collect();
        if rows.is_empty() {
            continue;
        }
        let mut intervals = Vec::new();
        for &r in &rows {
            if sobol {
                let (s1, s1l, s1h, st, stl, sth) = (
                    col("s1")[r],
                    col("s1_low")[r],
                    col("s1_high")[r],
                    col("st")[r],
                    col("st_low")[r],
                    col("st_high")[r],
                );
                for (what, e, l, h) in [("S1", s1, s1l, s1h), ("ST", st, stl, sth)] {
                    if e.is_finite() {
                        intervals.push(Interval {
                            label: format!("{} {what}", parameter[r]),
                            estimate: e,
                            low: if l.is_finite() { l } else { e },
                            high: if h.is_finite() { h } else { e },
                        });
                    }
                }
            } else {
                let (mu_star, sigma) = (col("mu_star")[r], col("sigma")[r]);
                if mu_star.is_finite() {
                    intervals.push(Interval {
                        label: format!("{} μ* ± σ", parameter[r]),
                        estimate: mu_star,
                        low: mu_star - sigma.max(0.0),
                        high: mu_star + sigma.max(0.0),
                    });
                }
            }
        }
        if intervals.is_empty() {
            continue;
        }
        charts.push((
            chart::forest(
                label,
                if sobol { "index" } else { "μ*" },
                &intervals,
                0.0,
                380,
            ),
            m,
        ));
    }
    if charts.is_empty() {
        page.text("No headline output has indices (none varies across the design).");
    } else {
        page.charts(&charts);
    }
}

/// Each design point's first run and the replicate interval of a metric's values there.
type PointIntervals<'a> = dyn Fn(&[f64]) -> Vec<(usize, Interval)> + 'a;

/// Ranks of `v` from 1, ties given the mean of their ranks.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut k = 0;
    while k < order.len() {
        let tied = order[k..]
            .iter()
            .take_while(|&&i| v[i] == v[order[k]])
            .count();
        let mid = k as f64 + (tied as f64 + 1.0) / 2.0;
        for &i in &order[k..k + tied] {
            r[i] = mid;
        }
        k += tied;
    }
    r
}

/// Spearman's rank correlation of two samples: Pearson's on their mid-ranks; `None` when
/// either does not vary.
pub fn spearman(a: &[f64], b: &[f64]) -> Option<f64> {
    let (ra, rb) = (ranks(a), ranks(b));
    let (ma, _) = mean_sd(&ra);
    let (mb, _) = mean_sd(&rb);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in ra.iter().zip(&rb) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    (saa > 0.0 && sbb > 0.0).then(|| sab / (saa * sbb).sqrt())
}

/// The table of every metric column of runs.csv against every varied key: the range of the
/// point means, the widest replicate interval, and Spearman's correlation with each key.
fn every_output(
    page: &mut Page,
    runs: &Table,
    axes: &[(&String, Vec<f64>, String, bool)],
    point_intervals: &PointIntervals,
) {
    let names = runs.names();
    let first_metric = names
        .iter()
        .position(|n| n == "error")
        .map_or(names.len(), |e| e + 1);
    page.section(
        "Every output",
        "Each metric column of runs.csv (docs/OUTPUTS.md defines them) over the design points: the lowest and highest point mean, the widest 95 % replicate interval (its half-width), and, for each varied key, Spearman's rank correlation between the key's value and the point mean (mid-ranks for ties; n/a where the key is not numeric or either does not vary). The charts above show the headline outputs in full.",
    );
    let mut headers = vec![
        "output".to_string(),
        "lowest point mean".to_string(),
        "highest point mean".to_string(),
        "widest ± (95 %)".to_string(),
    ];
    headers.extend(axes.iter().map(|(key, ..)| format!("ρ with {key}")));
    let mut rows = Vec::new();
    for name in &names[first_metric..] {
        let Some(y) = runs.column(name) else {
            continue;
        };
        let points = point_intervals(&y);
        if points.is_empty() {
            continue;
        }
        let means: Vec<f64> = points.iter().map(|(_, i)| i.estimate).collect();
        let lowest = means.iter().copied().fold(f64::INFINITY, f64::min);
        let highest = means.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let widest = points
            .iter()
            .map(|(_, i)| (i.high - i.low) / 2.0)
            .fold(0.0, f64::max);
        let mut row = vec![
            name.clone(),
            chart::short(lowest),
            chart::short(highest),
            chart::short(widest),
        ];
        for (_, x, _, numeric) in axes {
            let xs: Vec<f64> = points.iter().map(|(first, _)| x[*first]).collect();
            row.push(
                numeric
                    .then(|| spearman(&xs, &means))
                    .flatten()
                    .map_or("n/a".to_string(), |r| format!("{r:+.2}")),
            );
        }
        rows.push(row);
    }
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    page.table(&headers, &rows);
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

#[cfg(test)]
mod tests {
    // Exact: Spearman's ρ of a monotone pair is 1, of a reversed one −1; with ties, mid-ranks
    // give scipy.stats.spearmanr([1, 2, 2, 3], [1, 3, 2, 4]) = 0.9486832980505138.
    #[test]
    fn spearman_known_values() {
        let r = |a: &[f64], b: &[f64]| super::spearman(a, b).unwrap();
        assert!((r(&[1.0, 2.0, 3.0], &[10.0, 20.0, 90.0]) - 1.0).abs() < 1e-12);
        assert!((r(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        assert!(
            (r(&[1.0, 2.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 4.0]) - 0.9486832980505138).abs() < 1e-12
        );
        assert!(super::spearman(&[1.0, 1.0], &[1.0, 2.0]).is_none());
    }
}
