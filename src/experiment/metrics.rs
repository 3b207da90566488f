//! The summary of a run as flat `(name, value)` columns, for `runs.csv` and comparisons.

use crate::metrics::Summary;

/// Fields of `summary.json` that say which run it was rather than measure it: left out of
/// the metric columns (`runs.csv` has the exact seed in its own `seed` column).
const NOT_METRICS: [&str; 3] = ["seed", "days", "consumers"];

/// The summary's numeric fields in a fixed order, as JSON numbers (integers stay integers):
/// `totals.net_gmv`, `rates.return_rate`, …; the run's seed, days and consumers and the
/// Lorenz curves are left out; a missing value (no tail fit, retention of a short run) is
/// `None`.
fn numbers(summary: &Summary) -> Vec<(String, Option<serde_json::Number>)> {
    let mut v = serde_json::to_value(summary).expect("a summary serializes");
    // Fixed columns whatever the run: a missing tail fit becomes null fields.
    for dist in ["exposure", "followers", "income"] {
        if v[dist]["tail"].is_null() {
            v[dist]["tail"] =
                serde_json::json!({"alpha": null, "xmin": null, "n_tail": null, "ks": null});
        }
        v[dist].as_object_mut().unwrap().remove("lorenz");
    }
    if v["graph"]["degree_tail"].is_null() {
        v["graph"]["degree_tail"] =
            serde_json::json!({"alpha": null, "xmin": null, "n_tail": null, "ks": null});
    }
    for field in NOT_METRICS {
        v.as_object_mut().unwrap().remove(field);
    }
    let mut out = Vec::new();
    walk("", &v, &mut out);
    out
}

/// The metric columns with their values as numbers.
pub fn flatten(summary: &Summary) -> Vec<(String, Option<f64>)> {
    numbers(summary)
        .into_iter()
        .map(|(k, n)| (k, n.and_then(|n| n.as_f64())))
        .collect()
}

/// The metric cells of a `runs.csv` row, in [`columns`] order: integers as integers, other
/// numbers in the shortest form that reads back to the same value, a missing value empty.
pub fn cells(summary: &Summary) -> Vec<String> {
    numbers(summary)
        .into_iter()
        .map(|(_, n)| n.map(|n| n.to_string()).unwrap_or_default())
        .collect()
}

fn walk(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, Option<serde_json::Number>)>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, x) in map {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                walk(&p, x, out);
            }
        }
        serde_json::Value::Number(n) => out.push((prefix.to_string(), Some(n.clone()))),
        serde_json::Value::Null => out.push((prefix.to_string(), None)),
        // Names (scenario) and arrays are not metrics.
        _ => {}
    }
}

/// The metric column names, in `runs.csv` order.
pub fn columns(summary: &Summary) -> Vec<String> {
    numbers(summary).into_iter().map(|(k, _)| k).collect()
}
