//! The summary of a run as flat `(name, value)` columns, for `runs.csv` and comparisons.

use crate::metrics::Summary;

/// Flattens the summary's numeric fields in a fixed order: `totals.net_gmv`,
/// `rates.return_rate`, …; Lorenz curves are left out; a missing value (no tail fit,
/// retention of a short run) is an empty cell.
pub fn flatten(summary: &Summary) -> Vec<(String, Option<f64>)> {
    let mut v = serde_json::to_value(summary).expect("a summary serializes");
    // Fixed columns whatever the run: a missing tail fit becomes null fields.
    for dist in ["exposure", "followers", "income"] {
        if v[dist]["tail"].is_null() {
            v[dist]["tail"] =
                serde_json::json!({"alpha": null, "xmin": null, "n_tail": null, "ks": null});
        }
        v[dist].as_object_mut().unwrap().remove("lorenz");
    }
    let mut out = Vec::new();
    walk("", &v, &mut out);
    out
}

fn walk(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, Option<f64>)>) {
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
        serde_json::Value::Number(n) => out.push((prefix.to_string(), n.as_f64())),
        serde_json::Value::Null => out.push((prefix.to_string(), None)),
        // Names (scenario) and arrays are not metrics.
        _ => {}
    }
}

/// The metric column names, in `runs.csv` order.
pub fn columns(summary: &Summary) -> Vec<String> {
    flatten(summary).into_iter().map(|(k, _)| k).collect()
}
