//! The command line end to end: outputs, determinism across thread counts, identities.

mod common;
use common::*;

fn run_small(dir: &std::path::Path, out: &str, extra: &[&str]) -> std::path::PathBuf {
    let scenario = write(dir, "small.toml", SMALL);
    let out = dir.join(out);
    let mut args = vec!["run", &scenario, "-q", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = socsim(&args);
    assert!(o.status.success(), "run failed: {}", stderr(&o));
    out
}

#[test]
fn run_writes_the_four_files() {
    let dir = temp_dir("four-files");
    let out = run_small(&dir, "r", &[]);
    for f in ["daily.csv", "creators.csv", "summary.json", "manifest.json"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let daily = std::fs::read_to_string(out.join("daily.csv")).unwrap();
    assert_eq!(daily.lines().count(), 41, "a header and one row a day");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["seed"], 11);
    assert!(
        manifest["scenario"]
            .as_str()
            .unwrap()
            .contains("consumers = 3000")
    );
    // No staging folder is left beside the result.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn same_seed_same_bytes_for_one_and_two_threads() {
    let dir = temp_dir("threads");
    let a = run_small(&dir, "t1", &["--threads", "1"]);
    let b = run_small(&dir, "t2", &["--threads", "2"]);
    let c = run_small(&dir, "t3", &["--threads", "3"]);
    for f in ["daily.csv", "creators.csv", "summary.json"] {
        let x = std::fs::read(a.join(f)).unwrap();
        assert_eq!(
            x,
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs between 1 and 2 threads"
        );
        assert_eq!(
            x,
            std::fs::read(c.join(f)).unwrap(),
            "{f} differs between 1 and 3 threads"
        );
    }
}

#[test]
fn a_different_seed_gives_different_results() {
    let dir = temp_dir("seeds");
    let a = run_small(&dir, "s11", &[]);
    let b = run_small(&dir, "s12", &["--seed", "12"]);
    assert_ne!(
        std::fs::read(a.join("daily.csv")).unwrap(),
        std::fs::read(b.join("daily.csv")).unwrap()
    );
}

#[test]
fn every_daily_row_satisfies_its_identities() {
    let dir = temp_dir("identities");
    let out = run_small(&dir, "r", &[]);
    let mut rdr = csv::Reader::from_path(out.join("daily.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let mut rows = 0;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let f = |name: &str| rec[col(name)].parse::<f64>().unwrap();
        for (h, v) in headers.iter().zip(rec.iter()) {
            if h == "run_id" {
                continue;
            }
            let x: f64 = v
                .parse()
                .unwrap_or_else(|_| panic!("{h} = {v:?} is not a number"));
            // Signed by definition: ratings can flatter or not; a deep discount can sell below cost.
            let signed = ["rating_gap", "merchant_profit"].contains(&h);
            assert!(
                x.is_finite() && (signed || x >= 0.0),
                "{h} = {x} on day {}",
                &rec[0]
            );
        }
        let net = f("gross_gmv") - f("returned_gmv") - f("cancelled_gmv");
        assert!((f("net_gmv") - net).abs() <= 1e-9 * f("gross_gmv").max(1.0));
        for rate in [
            "repeat_purchase_rate",
            "return_rate",
            "mean_platform_trust",
            "exposure_gini",
            "exposure_top1_share",
            "exposure_top10_share",
        ] {
            assert!((0.0..=1.0).contains(&f(rate)), "{rate} = {}", f(rate));
        }
        assert!(f("engagements") <= f("impressions"));
        assert!(f("cancelled_orders") <= f("orders"));
        assert!(f("returned_orders") <= f("delivered_orders"));
        assert!(f("repeat_buyers") <= f("unique_buyers"));
        assert!(f("exposure_top1_share") <= f("exposure_top10_share") + 1e-12);
        rows += 1;
    }
    assert_eq!(rows, 40);
    // Something happened: the small world is not dead.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert!(summary["totals"]["orders"].as_u64().unwrap() > 100);
    assert!(summary["totals"]["returned_orders"].as_u64().unwrap() > 0);
    assert!(summary["retention"]["retention_30d"].as_f64().is_some());
}

#[test]
fn validate_prints_the_resolved_scenario_and_list_names_builtins() {
    let dir = temp_dir("validate");
    let scenario = write(&dir, "s.toml", "[run]\ndays = 12\n");
    let o = socsim(&["validate", &scenario]);
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("days = 12") && text.contains("[behaviour]"),
        "{text}"
    );
    let o = socsim(&["list"]);
    let text = String::from_utf8(o.stdout).unwrap();
    for name in [
        "baseline",
        "bench_1m",
        "popularity",
        "hybrid",
        "barabasi_albert",
    ] {
        assert!(text.contains(name), "list lacks {name}");
    }
}

#[test]
fn shipped_scenarios_are_valid_and_the_builtin_baseline_is_the_file() {
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let o = socsim(&["validate", path.to_str().unwrap()]);
            assert!(o.status.success(), "{}: {}", path.display(), stderr(&o));
        }
    }
    // Every shipped scenario is built in (so `socsim list` describes it), with the file's text.
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let name = path.file_stem().unwrap().to_str().unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            assert_eq!(
                Some(text.as_str()),
                socsim::scenario::built_in(name),
                "{name}"
            );
        }
    }
}

#[test]
fn summary_totals_agree_with_daily_rows_and_creator_rows() {
    let dir = temp_dir("totals");
    let out = run_small(&dir, "r", &[]);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let t = &summary["totals"];
    let accepted = t["orders"].as_u64().unwrap() - t["cancelled_orders"].as_u64().unwrap();
    assert_eq!(
        accepted,
        t["delivered_orders"].as_u64().unwrap() + t["in_transit_orders"].as_u64().unwrap()
    );
    let mut exposure = 0u64;
    let mut rdr = csv::Reader::from_path(out.join("creators.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = headers.iter().position(|h| h == "exposure").unwrap();
    for rec in rdr.records() {
        exposure += rec.unwrap()[col].parse::<u64>().unwrap();
    }
    assert_eq!(exposure, t["impressions"].as_u64().unwrap());
}

/// Progress written to a log (stderr not a terminal) is plain lines: no carriage return,
/// no terminal escape, for run, sweep and compare alike.
#[test]
fn progress_into_a_log_is_plain_lines() {
    let dir = temp_dir("progress-plain");
    let small = write(&dir, "small.toml", common::SMALL);
    let d = |n: &str| dir.join(n).to_string_lossy().into_owned();
    let (run_out, sweep_out, compare_out) = (d("run"), d("sweep"), d("compare"));
    let sweep = write(
        &dir,
        "sweep.toml",
        &format!(
            "base = {small:?}\nreplicates = 2\n[set]\nrun.days = 3\n[vary]\nreturns.window_days = [3, 7]\n"
        ),
    );
    let runs: [Vec<&str>; 3] = [
        vec!["run", &small, "--days", "61", "--out", &run_out],
        vec!["sweep", &sweep, "--out", &sweep_out],
        vec![
            "compare",
            &small,
            "--days",
            "3",
            "--variant",
            "w:returns.window_days=3",
            "--replicates",
            "2",
            "--out",
            &compare_out,
        ],
    ];
    for args in runs {
        let o = socsim(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(
            !e.contains('\r') && !e.contains('\u{1b}'),
            "{args:?}: {e:?}"
        );
        assert!(
            e.lines().count() >= 2,
            "{args:?} printed no progress: {e:?}"
        );
    }
}

/// Shell completions parse in bash and know the commands; the manual page is roff that
/// names them.
#[test]
fn completions_and_man_page() {
    let o = socsim(&["completions", "bash"]);
    assert!(o.status.success());
    let script = String::from_utf8(o.stdout).unwrap();
    assert!(script.contains("sweep") && script.contains("--dry-run"));
    let dir = temp_dir("completions");
    let file = write(&dir, "socsim.bash", &script);
    let check = std::process::Command::new("bash")
        .args(["-n", &file])
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", stderr(&check));
    let o = socsim(&["man"]);
    assert!(o.status.success());
    let man = String::from_utf8(o.stdout).unwrap();
    assert!(
        man.contains(".TH socsim 1") && man.contains("compare"),
        "{man}"
    );
}

/// scripts/scaling runs a scenario at each thread count, finds the outputs byte-identical and
/// tabulates the timings, phase A's part included, with Amdahl's bound at more threads; a bad
/// thread count is refused with exit 2.
#[test]
fn the_scaling_script_checks_bytes_and_tabulates_the_phases() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/scaling");
    let out = std::process::Command::new(script)
        .args(["baseline", "3", "1", "2"])
        .env("SOCSIM", env!("CARGO_BIN_EXE_socsim"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("| threads | simulate_s | phase A |"),
        "{text}"
    );
    assert!(
        text.contains("byte-identical across 1, 2 threads"),
        "{text}"
    );
    assert!(
        text.contains("Amdahl's bound from that part at 4 threads"),
        "{text}"
    );
    let bad = std::process::Command::new(script)
        .args(["baseline", "3", "0"])
        .env("SOCSIM", env!("CARGO_BIN_EXE_socsim"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("'0' is not a whole number"));

    // The phases' times are parts of simulate_s.
    let dir = temp_dir("phases");
    let run = run_small(&dir, "p", &[]);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("manifest.json")).unwrap()).unwrap();
    let t = &manifest["timings"];
    let phases = t["phases"].as_object().unwrap();
    assert_eq!(phases.len(), 10);
    let sum: f64 = phases.values().map(|v| v.as_f64().unwrap()).sum();
    let (a, s) = (
        phases["consumers_s"].as_f64().unwrap(),
        t["simulate_s"].as_f64().unwrap(),
    );
    assert!(
        0.0 < a && a <= sum && sum <= s,
        "phase A {a}, phases {sum}, simulate_s {s}"
    );
    // The parallel passes are parts of the phases other than phase A.
    let passes = t["parallel_passes_s"].as_f64().unwrap();
    assert!(
        0.0 < passes && passes <= sum - a,
        "parallel passes {passes}, phases other than A {}",
        sum - a
    );
}
