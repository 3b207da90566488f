//! Sensitivity designs and `socsim sensitivity`: the estimators through the sweep's own path
//! (expansion, runs.csv, the command) on an analytic function, and on the simulator a key it
//! ignores.

mod common;
use common::{socsim, stderr, temp_dir, write};
use std::collections::HashMap;
use std::f64::consts::PI;
use std::path::Path;

fn ok(args: &[&str]) -> String {
    let o = socsim(args);
    assert!(o.status.success(), "socsim {args:?}: {}", stderr(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// sensitivity.csv as rows of (metric, parameter) → column → cell.
fn read_indices(dir: &Path) -> HashMap<(String, String), HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(dir.join("sensitivity.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let row: HashMap<String, String> = header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect();
            ((row["metric"].clone(), row["parameter"].clone()), row)
        })
        .collect()
}

fn number(row: &HashMap<String, String>, column: &str) -> f64 {
    row[column].parse().unwrap_or(f64::NAN)
}

// Closed form through the sweep's path: a saltelli sweep file over three keys (ranges mapped
// to [−π, π]) is expanded by the sweep parser; each run's output is Ishigami's function (a = 7,
// b = 0.1) of its values, written as a runs.csv with two replicates a point (noise of sd 0.05
// added to the second, so the replicate mean is used), and `socsim sensitivity` reads it.
// Expected S1 = (0.314, 0.442, 0), ST = (0.558, 0.442, 0.244); N = 2048, tolerance 0.04.
#[test]
fn ishigami_through_a_saltelli_sweep() {
    let dir = temp_dir("ishigami");
    let keys = [
        "behaviour.engage_match",
        "behaviour.engage_quality",
        "behaviour.engage_trust",
    ];
    let text = format!(
        "name = \"ishigami\"\nbase = \"baseline\"\ndesign = \"saltelli\"\npoints = 2048\nreplicates = 2\nseed = 9\n[vary]\n{}",
        keys.iter()
            .map(|k| format!("{k} = {{ min = -10.0, max = 10.0 }}\n"))
            .collect::<String>()
    );
    let sweep = socsim::experiment::Sweep::parse("ishigami.toml", &text, &dir).unwrap();
    assert_eq!(sweep.runs.len(), 2048 * 5 * 2);
    let mut runs = format!(
        "run_id,point,replicate,seed,{},status,error,y\n",
        keys.join(",")
    );
    for r in &sweep.runs {
        let x: Vec<f64> = r
            .values
            .iter()
            .map(|v| -PI + 2.0 * PI * (v.as_float().unwrap() + 10.0) / 20.0)
            .collect();
        let noise = if r.replicate == 1 {
            0.05 * ((r.point as f64 * 12.9898).sin() * 43758.5453).fract()
        } else {
            0.0
        };
        let y = x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin() + noise;
        let values: Vec<String> = r.values.iter().map(socsim::experiment::cell).collect();
        runs.push_str(&format!(
            "{},{},{},{},{},ok,,{y}\n",
            r.run_id,
            r.point,
            r.replicate,
            r.seed,
            values.join(",")
        ));
    }
    write(&dir, "runs.csv", &runs);
    write(
        &dir,
        "manifest.json",
        &serde_json::json!({"kind": "sweep", "design": "saltelli", "points": 2048, "replicates": 2, "master_seed": sweep.master_seed}).to_string(),
    );
    let out = ok(&["sensitivity", dir.to_str().unwrap(), "--bootstrap", "200"]);
    assert!(out.contains("2048 of 2048 samples complete"), "{out}");
    let got = read_indices(&dir);
    let s1 = [0.314, 0.442, 0.0];
    let st = [0.558, 0.442, 0.244];
    for (i, key) in keys.iter().enumerate() {
        let row = &got[&("y".to_string(), key.to_string())];
        eprintln!("{key}: {row:?}");
        assert!((number(row, "s1") - s1[i]).abs() < 0.04, "{key} S1 {row:?}");
        assert!((number(row, "st") - st[i]).abs() < 0.04, "{key} ST {row:?}");
        assert!(
            number(row, "s1_low") <= number(row, "s1")
                && number(row, "s1") <= number(row, "s1_high")
        );
        // The noise is tiny beside the function's variance (about 13.8).
        assert!(number(row, "replicate_share") < 0.001, "{row:?}");
    }
}

const SIM_SWEEP: &str = r#"
name = "ignored"
base = "baseline"
design = "DESIGN"
points = POINTS
replicates = 2
[set]
run.days = 8
population.consumers = 800
population.creators = 50
population.hosts = 5
population.merchants = 40
[vary]
graph.p_rewire = { min = 0.0, max = 1.0 }
behaviour.engage_bias = { min = 4.0, max = 6.0 }
returns.window_days = { min = 1, max = 14 }
"#;

// Exact, under common random numbers: the baseline's graph is Barabási–Albert, which ignores
// graph.p_rewire, so moving it alone changes no output: its S1 and ST are 0 for every metric
// (Saltelli), and its elementary effects are 0 (Morris); the engagement bias, which the model
// uses, has a positive total index for net GMV.
#[test]
fn a_key_the_model_ignores_has_no_effect() {
    let dir = temp_dir("ignored");
    for (design, points) in [("saltelli", "8"), ("morris", "4")] {
        let file = write(
            &dir,
            &format!("{design}.toml"),
            &SIM_SWEEP
                .replace("DESIGN", design)
                .replace("POINTS", points),
        );
        let out = dir.join(design);
        let out_s = out.to_str().unwrap();
        ok(&["sweep", &file, "--out", out_s, "-q", "--jobs", "2"]);
        ok(&["sensitivity", out_s, "--bootstrap", "100"]);
        let got = read_indices(&out);
        let mut checked = 0;
        for ((metric, parameter), row) in &got {
            if parameter != "graph.p_rewire" {
                continue;
            }
            let columns: &[&str] = if design == "saltelli" {
                &["s1", "st"]
            } else {
                &["mu_star", "mu", "sigma"]
            };
            for c in columns {
                let x = number(row, c);
                // Empty when the metric does not vary at all.
                assert!(x.is_nan() || x.abs() < 1e-12, "{metric} {c}: {x}");
                checked += x.is_finite() as usize;
            }
        }
        assert!(checked > 50, "{design}: only {checked} finite indices");
        let gmv = &got[&(
            "totals.net_gmv".to_string(),
            "behaviour.engage_bias".to_string(),
        )];
        let key = if design == "saltelli" {
            "st"
        } else {
            "mu_star"
        };
        assert!(number(gmv, key) > 0.05, "{design}: {gmv:?}");
        assert!(number(gmv, "replicate_share").is_finite(), "{gmv:?}");
        // The report shows the indices.
        let page = std::fs::read_to_string(out.join("report.html")).unwrap();
        assert!(page.contains("<h2>Sensitivity</h2>"), "{design}");
    }
}

// A design of explicit points: the CSV's rows run as written (ints, floats and booleans typed
// by the keys), and bad files are refused with the file and line, exit 2.
#[test]
fn points_design_runs_the_rows_of_its_csv() {
    let dir = temp_dir("points");
    write(
        &dir,
        "points.csv",
        "returns.window_days,behaviour.engage_bias,returns.free_returns\n3,5.0,true\n7,4.5,false\n14,5,true\n",
    );
    let file = write(
        &dir,
        "p.toml",
        "base = \"baseline\"\ndesign = \"points\"\npoints_file = \"points.csv\"\n[set]\nrun.days = 3\npopulation.consumers = 300\npopulation.creators = 20\npopulation.hosts = 2\npopulation.merchants = 20\n",
    );
    let out = dir.join("out");
    ok(&["sweep", &file, "--out", out.to_str().unwrap(), "-q"]);
    let manifest = std::fs::read_to_string(out.join("runs_manifest.csv")).unwrap();
    let lines: Vec<&str> = manifest.lines().collect();
    assert_eq!(lines.len(), 4, "{manifest}");
    assert!(lines[0].ends_with("returns.window_days,behaviour.engage_bias,returns.free_returns"));
    assert!(lines[1].ends_with(",3,5.0,true"), "{}", lines[1]);
    assert!(lines[3].ends_with(",14,5.0,true"), "{}", lines[3]);
    // Not a saltelli or morris sweep: no indices.
    let o = socsim(&["sensitivity", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("saltelli"), "{}", stderr(&o));

    for (csv, expected) in [
        ("returns.window_days\n3.5\n", "points.csv line 2"),
        ("no.such_key\n1\n", "points.csv line 1"),
        (
            "returns.window_days,returns.free_returns\n3\n",
            "points.csv line 2",
        ),
        ("returns.free_returns\nmaybe\n", "true or false"),
        ("returns.window_days\n", "holds no point"),
    ] {
        write(&dir, "points.csv", csv);
        let o = socsim(&[
            "sweep",
            &file,
            "--out",
            dir.join("bad").to_str().unwrap(),
            "--dry-run",
        ]);
        assert_eq!(o.status.code(), Some(2), "{csv}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{csv}: {}", stderr(&o));
    }
}
