//! The custom-recommender example: its learner, through the library, and the example as a
//! program of its own that registers `example_learner` and runs socsim's command line.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[allow(dead_code)]
#[path = "../examples/custom_recommender.rs"]
mod custom_recommender;

use custom_recommender::ExampleLearner;
use socsim::policy::recommend::{DayFeedback, Impression, Recommender};

/// The example program, built as the tests were (`cargo test` builds examples too; building
/// here makes a run of this file alone use the current source).
fn example() -> &'static Path {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let mut cargo = Command::new(env!("CARGO"));
        cargo
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["build", "--quiet", "--example", "custom_recommender"])
            .arg("--message-format=json-render-diagnostics");
        if !cfg!(debug_assertions) {
            cargo.arg("--release");
        }
        let out = cargo.output().expect("cargo runs");
        assert!(
            out.status.success(),
            "building the example: {}",
            stderr(&out)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|m| m["target"]["name"] == "custom_recommender")
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo names the example's executable")
    })
}

fn run_example(args: &[&str]) -> Output {
    Command::new(example())
        .args(args)
        .output()
        .expect("the example runs")
}

/// A small world (SMALL's sizes) for `compare baseline`, 20 days.
const SMALL_BASELINE: [&str; 10] = [
    "--set",
    "population.consumers=3000",
    "--set",
    "population.creators=150",
    "--set",
    "population.hosts=10",
    "--set",
    "population.merchants=120",
    "--days",
    "20",
];

fn impression(creator: u32, position: u16, engaged: bool) -> Impression {
    Impression {
        consumer: 0,
        creator,
        position,
        engaged,
        purchased: false,
    }
}

// Two accounts with the same impressions and engagements: the one shown lower down, where
// fewer look, earns more credit for them.
#[test]
fn the_learner_discounts_what_the_top_of_the_feed_collects() {
    let mut log = Vec::new();
    for k in 0..200 {
        log.push(impression(1, 0, k % 5 == 0));
        log.push(impression(2, 4, k % 5 == 0));
        log.push(impression(3, 4, k % 20 == 0));
    }
    let feedback = DayFeedback {
        day: 0,
        impressions: &[],
        engagements: &[],
        log: &log,
    };
    let r = socsim::Scenario::default().recommendation;
    let mut learner = ExampleLearner::new(&r);
    assert!(learner.wants_impressions());
    let prior = learner.appeal(2);
    learner.end_of_day(&feedback);
    let e = learner.examined();
    assert_eq!(e.len(), 5);
    assert_eq!(e[0], 1.0);
    assert!(e.windows(2).all(|w| w[1] <= w[0]), "{e:?}");
    assert!(e[4] < 0.9, "{e:?}");
    assert!(learner.appeal(2) > learner.appeal(1), "debiased");
    assert!(learner.appeal(1) > learner.appeal(3));
    assert_eq!(
        learner.appeal(99),
        prior,
        "an account never shown keeps the prior"
    );
    // The same log gives the same state.
    let mut again = ExampleLearner::new(&r);
    again.end_of_day(&feedback);
    assert_eq!(again.examined(), learner.examined());
    assert_eq!(again.appeal(2), learner.appeal(2));
}

#[test]
fn custom_recommender_example_runs_and_is_deterministic() {
    let a = custom_recommender::run_example().unwrap();
    let b = custom_recommender::run_example().unwrap();
    assert_eq!(a.daily.len(), 30);
    assert!(a.summary.totals.impressions > 0 && a.summary.totals.orders > 0);
    assert_eq!(a.daily, b.daily);
    assert_eq!(a.summary, b.summary);
    assert_eq!(a.creators, b.creators);
}

// The command of the example's documentation, on a small world: runs, writes its files, and
// gives the same bytes again, on another number of threads.
#[test]
fn the_example_compares_its_learner_with_the_baseline_deterministically() {
    let dir = temp_dir("example-compare");
    let compare = |out: &str, threads: &str| {
        let out = dir.join(out);
        let mut args = vec![
            "compare",
            "baseline",
            "--variant",
            "mine:recommendation.algorithm=example_learner",
            "--replicates",
            "2",
            "-q",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(SMALL_BASELINE);
        let o = run_example(&args);
        assert!(o.status.success(), "compare failed: {}", stderr(&o));
        assert!(String::from_utf8_lossy(&o.stdout).contains("totals.net_gmv"));
        out
    };
    let a = compare("a", "1");
    let b = compare("b", "2");
    for f in ["compare.csv", "manifest.json"] {
        assert!(a.join(f).is_file(), "{f} missing");
    }
    let csv = std::fs::read_to_string(a.join("compare.csv")).unwrap();
    assert!(csv.lines().any(|l| l.starts_with("mine,totals.net_gmv,")));
    assert_eq!(
        csv,
        std::fs::read_to_string(b.join("compare.csv")).unwrap(),
        "compare.csv differs between 1 and 2 threads"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// A registered name is read wherever a scenario is: a file, --set, a sweep file; it is
// written back in the resolved scenario of a run and read again; a run with it gives the
// same bytes on any number of threads; shards of a sweep with it merge; `list` names it.
#[test]
fn a_registered_name_is_accepted_wherever_a_scenario_is_read() {
    let dir = temp_dir("example-registered");
    let list = run_example(&["list"]);
    assert!(String::from_utf8_lossy(&list.stdout).contains("\n  example_learner "));

    let o = run_example(&[
        "validate",
        "baseline",
        "--set",
        "recommendation.algorithm=example_learner",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("algorithm = \"example_learner\"\n"));

    let scenario = SMALL.replace(
        "[graph]",
        "[recommendation]\nalgorithm = \"example_learner\"\n\n[graph]",
    );
    let file = write(&dir, "learner.toml", &scenario);
    let run = |out: &str, threads: &str| {
        let out = dir.join(out);
        let o = run_example(&[
            "run",
            &file,
            "-q",
            "--days",
            "15",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "run failed: {}", stderr(&o));
        out
    };
    let (a, b) = (run("r1", "1"), run("r2", "2"));
    for f in ["daily.csv", "positions.csv", "creators.csv", "summary.json"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs between 1 and 2 threads"
        );
    }
    // The manifest's resolved scenario names the algorithm and reads back to itself.
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("manifest.json")).unwrap()).unwrap();
    let resolved = manifest["scenario"].as_str().unwrap();
    assert!(resolved.contains("algorithm = \"example_learner\"\n"));
    let again = write(&dir, "resolved.toml", resolved);
    let o = run_example(&["validate", &again]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), resolved);

    // A sweep varying the algorithm: whole, again (resumed: nothing left to run), and in two
    // shards merged, all to the same runs.csv.
    let sweep = write(
        &dir,
        "sweep.toml",
        "base = \"learner.toml\"\nreplicates = 1\n[set.run]\ndays = 5\n\
         [vary.recommendation]\nalgorithm = [\"hybrid\", \"example_learner\"]\n",
    );
    let sweep_to = |out: &Path, shard: Option<&str>| {
        let mut args = vec!["sweep", &sweep, "-q", "--out", out.to_str().unwrap()];
        if let Some(s) = shard {
            args.extend(["--shard", s]);
        }
        let o = run_example(&args);
        assert!(o.status.success(), "sweep failed: {}", stderr(&o));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let whole = dir.join("sweep");
    assert!(
        sweep_to(&whole, None)
            .starts_with("2 runs done (2 now, 0 from an earlier attempt), 0 failed")
    );
    assert!(
        sweep_to(&whole, None)
            .starts_with("2 runs done (0 now, 2 from an earlier attempt), 0 failed")
    );
    let runs = std::fs::read_to_string(whole.join("runs.csv")).unwrap();
    assert!(runs.contains(",example_learner,ok,"), "{runs}");
    let sharded = dir.join("sharded");
    sweep_to(&sharded, Some("0/2"));
    sweep_to(&sharded, Some("1/2"));
    let merged = dir.join("merged");
    let o = run_example(&[
        "merge",
        sharded.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "merge failed: {}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(merged.join("runs.csv")).unwrap(),
        runs
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The one line of an error, checked to be one line.
fn one_line(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
    let e = stderr(o);
    assert_eq!(e.lines().count(), 1, "{e}");
    e
}

// An unknown name stops every command before any work, with exit code 2 and one line that
// names the key and every accepted name, the registered ones included; the `socsim` binary,
// which registers none, refuses the example's name the same way.
#[test]
fn an_unknown_algorithm_is_refused_before_any_work() {
    let dir = temp_dir("example-unknown");
    let out = dir.join("out");
    let out = out.to_str().unwrap();
    let mut compare = vec![
        "compare",
        "baseline",
        "--variant",
        "mine:recommendation.algorithm=exmaple_learner",
        "--replicates",
        "2",
        "--out",
        out,
    ];
    compare.extend(SMALL_BASELINE);
    let e = one_line(&run_example(&compare));
    assert!(
        e.starts_with(
            "error: --variant mine:recommendation.algorithm=exmaple_learner: unknown algorithm \"exmaple_learner\"; choose one of popularity, interest,"
        ) && e.trim_end().ends_with(", revenue_aware, example_learner"),
        "{e}"
    );
    let e = one_line(&run_example(&[
        "run",
        "--set",
        "recommendation.algorithm=nope",
        "--out",
        out,
    ]));
    assert!(
        e.starts_with("error: --set recommendation.algorithm=nope: unknown algorithm \"nope\"")
            && e.contains("hybrid")
            && e.contains("example_learner"),
        "{e}"
    );
    let file = write(
        &dir,
        "bad.toml",
        "[run]\ndays = 3\n[recommendation]\nalgorithm = \"nope\"\n",
    );
    let e = one_line(&run_example(&["run", &file, "--out", out]));
    assert!(
        e.contains("bad.toml line 4, recommendation.algorithm: unknown algorithm \"nope\""),
        "{e}"
    );
    let e = one_line(&run_example(&[
        "validate",
        "baseline",
        "--set",
        "recommendation.algorithm=3",
    ]));
    assert!(
        e.contains("expected one of \"popularity\",") && e.contains("\"example_learner\", found 3"),
        "{e}"
    );
    let sweep = write(
        &dir,
        "sweep.toml",
        "base = \"baseline\"\n[set.recommendation]\nalgorithm = \"nope\"\n[vary.run]\ndays = [1, 2]\n",
    );
    let e = one_line(&run_example(&["sweep", &sweep, "--out", out]));
    assert!(
        e.contains("recommendation.algorithm: unknown algorithm \"nope\""),
        "{e}"
    );
    let sweep = write(
        &dir,
        "sweep.toml",
        "base = \"baseline\"\n[vary.recommendation]\nalgorithm = [\"example_learner\", \"nope\"]\n",
    );
    let e = one_line(&run_example(&["sweep", &sweep, "--out", out]));
    assert!(
        e.contains("sweep.toml line 3, vary.recommendation.algorithm: unknown algorithm \"nope\"")
            && e.trim_end().ends_with(", example_learner"),
        "{e}"
    );
    assert!(!Path::new(out).exists(), "nothing is written");

    // The socsim binary has only the built-ins.
    let e = one_line(&socsim(&[
        "validate",
        "baseline",
        "--set",
        "recommendation.algorithm=example_learner",
    ]));
    assert!(
        e.contains("recommendation.algorithm=example_learner: unknown algorithm \"example_learner\"; choose one of popularity,")
            && e.trim_end().ends_with(", revenue_aware"),
        "{e}"
    );
    let list = socsim(&["list"]);
    assert!(!String::from_utf8_lossy(&list.stdout).contains("Registered"));
    let _ = std::fs::remove_dir_all(&dir);
}
