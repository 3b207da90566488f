//! Paired comparisons on common random numbers.

mod common;
use common::*;
use socsim::experiment::compare::compare;
use socsim::scenario::{Override, parse_scenario};

fn small(extra: &[&str]) -> socsim::Scenario {
    let mut sets = vec![
        "run.days=40",
        "population.consumers=3000",
        "population.creators=100",
        "population.hosts=10",
        "population.merchants=80",
    ];
    sets.extend_from_slice(extra);
    let o: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    parse_scenario("test", "", &o).unwrap()
}

#[test]
fn identical_variants_differ_by_exactly_zero() {
    let base = small(&[]);
    let same = small(&["behaviour.follow_prob=0.1"]); // the default: the same scenario
    let (rows, _) = compare(&base, &[("same".into(), same)], 4, 7, 2, |_, _| {}).unwrap();
    assert!(rows.len() > 30);
    for r in &rows {
        assert_eq!(r.diff, 0.0, "{}", r.metric);
        assert_eq!((r.ci_low, r.ci_high), (0.0, 0.0), "{}", r.metric);
        assert_eq!(r.p_value, 1.0, "{}", r.metric);
    }
}

#[test]
fn a_real_difference_is_detected_and_pairing_narrows_the_interval() {
    let base = small(&[]);
    let free = small(&["returns.free_returns=true"]);
    let (rows, _) = compare(&base, &[("free_returns".into(), free)], 6, 11, 2, |_, _| {}).unwrap();
    let r = rows
        .iter()
        .find(|r| r.metric == "rates.return_rate")
        .unwrap();
    println!("{r:?}");
    assert!(r.ci_low > 0.0, "the interval must exclude zero: {r:?}");
    assert!(r.p_value < 0.01);
    assert!(
        r.width_ratio.unwrap() < 1.0,
        "pairing must narrow the interval: {r:?}"
    );
    let g = rows.iter().find(|r| r.metric == "totals.net_gmv").unwrap();
    println!("{g:?}");
    assert!(g.ci_halfwidth < g.independent_ci_halfwidth);
}

#[test]
fn compare_command_writes_its_table_and_files() {
    let dir = temp_dir("compare-cli");
    let base = write(
        &dir,
        "base.toml",
        "[run]\ndays = 10\n[population]\nconsumers = 1000\ncreators = 40\nhosts = 4\nmerchants = 30\n",
    );
    let other = write(
        &dir,
        "other.toml",
        "[run]\ndays = 10\n[population]\nconsumers = 1000\ncreators = 40\nhosts = 4\nmerchants = 30\n[returns]\nwindow_days = 0\n",
    );
    let out = dir.join("out");
    let o = socsim(&[
        "compare",
        &base,
        "--variant",
        "popular:recommendation.algorithm=popularity",
        "--variant",
        &format!("no_returns:{other}"),
        "--replicates",
        "3",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(
        table.contains("popular")
            && table.contains("no_returns")
            && table.contains("totals.net_gmv"),
        "{table}"
    );
    let csv = std::fs::read_to_string(out.join("compare.csv")).unwrap();
    assert!(csv.starts_with(
        "variant,metric,replicates,base_mean,variant_mean,diff,ci_low,ci_high,p_value"
    ));
    assert!(out.join("manifest.json").is_file());
    // No run-describing rows: seed, days and consumers are not metrics.
    for line in csv.lines() {
        let metric = line.split(',').nth(1).unwrap();
        assert!(!["seed", "days", "consumers"].contains(&metric), "{line}");
    }
    // The long form: every arm, replicate and metric; the paired differences of its values
    // average to compare.csv's diff.
    let long = std::fs::read_to_string(out.join("compare_replicates.csv")).unwrap();
    let mut lines = long.lines();
    assert_eq!(lines.next(), Some("arm,replicate,seed,metric,value"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let metrics = csv.lines().filter(|l| l.starts_with("popular,")).count();
    assert!(rows.len() >= 3 * 3 * metrics, "{} rows", rows.len());
    let value = |arm: &str, rep: &str| -> f64 {
        rows.iter()
            .find(|r| r[0] == arm && r[1] == rep && r[3] == "totals.net_gmv")
            .unwrap()[4]
            .parse()
            .unwrap()
    };
    let mean_diff: f64 = ["0", "1", "2"]
        .iter()
        .map(|r| value("popular", r) - value("base", r))
        .sum::<f64>()
        / 3.0;
    let diff: f64 = csv
        .lines()
        .find(|l| l.starts_with("popular,totals.net_gmv,"))
        .unwrap()
        .split(',')
        .nth(5)
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (mean_diff - diff).abs() <= 1e-9 * diff.abs().max(1.0),
        "{mean_diff} {diff}"
    );
    let bad = socsim(&[
        "compare",
        &base,
        "--variant",
        "nocolon",
        "--replicates",
        "3",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--variant nocolon"));
}
