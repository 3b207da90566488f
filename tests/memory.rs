//! Memory: scenarios and sweeps too large for the machine are refused before anything is
//! allocated, with the estimate; the estimate holds the measured peak of real runs.

mod common;
use common::*;

/// Runs a scenario and returns (estimated, measured peak) memory from its manifest.
fn estimate_and_peak(name: &str, sets: &[&str]) -> (f64, f64) {
    let dir = temp_dir(name);
    let out = dir.join("r");
    let mut args = vec![
        "run",
        "-q",
        "--threads",
        "2",
        "--out",
        out.to_str().unwrap(),
    ];
    for s in sets {
        args.extend_from_slice(&["--set", s]);
    }
    let o = socsim(&args);
    assert!(o.status.success(), "{name}: {}", stderr(&o));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let t = &m["timings"];
    (
        t["memory_estimate_bytes"].as_f64().unwrap(),
        t["peak_memory_bytes"]
            .as_f64()
            .expect("Linux reports VmHWM"),
    )
}

/// The estimate lies between the measured peak and 2.5 times it, for worlds where each
/// size in turn dominates: consumers, graph edges of each kind, accounts, merchants,
/// topics, follow slots, and group buying (whose groups are kept for the whole run).
#[test]
fn the_estimate_bounds_the_measured_peak() {
    let cases: &[(&str, &[&str])] = &[
        ("consumers", &["population.consumers=300000", "run.days=3"]),
        (
            "ba-edges",
            &["population.consumers=100000", "graph.m=30", "run.days=2"],
        ),
        (
            "ws-edges",
            &[
                "population.consumers=100000",
                "graph.kind=\"watts_strogatz\"",
                "graph.k=40",
                "run.days=2",
            ],
        ),
        (
            "accounts",
            &[
                "population.consumers=10000",
                "population.creators=100000",
                "run.days=2",
            ],
        ),
        (
            "merchants",
            &[
                "population.consumers=10000",
                "population.merchants=100000",
                "run.days=2",
            ],
        ),
        (
            "follows",
            &[
                "population.consumers=100000",
                "behaviour.max_follows=200",
                "run.days=2",
            ],
        ),
        (
            "groups",
            &[
                "population.consumers=30000",
                "group_buying.product_share=0.5",
                "run.days=120",
            ],
        ),
    ];
    for (name, sets) in cases {
        let (estimate, peak) = estimate_and_peak(name, sets);
        let ratio = estimate / peak;
        assert!(
            (1.0..=2.5).contains(&ratio),
            "{name}: estimate {estimate:.0} B, peak {peak:.0} B, ratio {ratio:.2}"
        );
    }
}

fn refused(o: &std::process::Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
}

#[test]
fn too_large_scenarios_are_refused_with_the_estimate() {
    let dir = temp_dir("mem-huge");
    let out = dir.join("r");
    let o = socsim(&[
        "run",
        "--set",
        "population.consumers=1000000000",
        "--out",
        out.to_str().unwrap(),
    ]);
    refused(&o, "needs about");
    assert!(stderr(&o).contains("GiB"), "{}", stderr(&o));
    let o = socsim(&[
        "run",
        "--set",
        "population.consumers=100000",
        "--set",
        "graph.m=99999",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // A limit of the user's own.
    let o = socsim(&["run", "--max-memory", "10M", "--out", out.to_str().unwrap()]);
    refused(&o, "--max-memory");
    let o = socsim(&[
        "run",
        "--max-memory",
        "lots",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!out.exists());
    // compare: the runs in flight and every replicate's kept metrics.
    let o = socsim(&[
        "compare",
        "baseline",
        "--variant",
        "a:returns.free_returns=true",
        "--replicates",
        "1000000000000",
        "--out",
        out.to_str().unwrap(),
    ]);
    refused(&o, "needs about");
    assert!(!out.exists());
}

#[test]
fn too_large_sweeps_are_refused_before_they_are_listed() {
    let dir = temp_dir("mem-sweep");
    let out = dir.join("sw");
    let replicates = write(
        &dir,
        "r.toml",
        "base = \"baseline\"\nreplicates = 1_000_000_000_000\n[vary]\nreturns.window_days = [3, 7]\n",
    );
    let o = socsim(&["sweep", &replicates, "-q", "--out", out.to_str().unwrap()]);
    refused(&o, "at most 10000000");
    let values: Vec<String> = (0..30).map(|v| v.to_string()).collect();
    let list = format!("[{}]", values.join(", "));
    let mut grid = "base = \"baseline\"\n[vary]\n".to_string();
    for key in [
        "returns.window_days",
        "returns.restocking_fee",
        "behaviour.max_follows",
        "recommendation.feed_size",
        "population.topics",
        "graph.m",
        "run.days",
        "loyalty.points_rate",
    ] {
        grid.push_str(&format!("\"{key}\" = {list}\n"));
    }
    let grid = write(&dir, "g.toml", &grid);
    let o = socsim(&["sweep", &grid, "-q", "--out", out.to_str().unwrap()]);
    refused(&o, "656100000000 runs");
    // A sampled design without `points` is told so, not that it is too large.
    let no_points = write(
        &dir,
        "p.toml",
        "base = \"baseline\"\ndesign = \"lhs\"\n[vary]\nreturns.window_days = { min = 3, max = 9 }\n",
    );
    let o = socsim(&["sweep", &no_points, "-q", "--out", out.to_str().unwrap()]);
    refused(&o, "needs `points`");
    // A sweep of runs each too large for the machine.
    let big = write(
        &dir,
        "b.toml",
        "base = \"baseline\"\n[set]\npopulation.consumers = 1_000_000_000\n[vary]\nreturns.window_days = [3, 7]\n",
    );
    let o = socsim(&["sweep", &big, "-q", "--out", out.to_str().unwrap()]);
    refused(&o, "needs about");
    assert!(!out.exists());
}
