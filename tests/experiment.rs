//! Sweeps, shards, resume, merge and paired comparisons.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

/// A sweep of 12 small, fast runs: 3 × 2 points, 2 replicates.
fn sweep_file(dir: &Path, days: u32) -> String {
    write(
        dir,
        "sweep.toml",
        &format!(
            r#"
name = "t"
base = "baseline"
replicates = 2
[set]
run.days = {days}
population.consumers = 1500
population.creators = 60
population.hosts = 5
population.merchants = 50
[vary]
returns.window_days = [0, 7, 14]
returns.free_returns = [false, true]
"#
        ),
    )
}

fn sweep(args: &[&str], envs: &[(&str, &str)]) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_socsim"));
    c.arg("sweep").args(args).arg("-q");
    for k in [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_COUNT",
        "SLURM_ARRAY_TASK_MIN",
        "JOB_COMPLETION_INDEX",
    ] {
        c.env_remove(k);
    }
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().unwrap()
}

#[test]
fn sharding_through_slurm_is_invisible_in_the_results() {
    let dir = temp_dir("shards");
    let file = sweep_file(&dir, 6);
    let whole = dir.join("whole");
    let o = sweep(&[&file, "--out", whole.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sharded = dir.join("sharded");
    for id in ["0", "1", "2"] {
        let o = sweep(
            &[&file, "--out", sharded.to_str().unwrap()],
            &[("SLURM_ARRAY_TASK_ID", id), ("SLURM_ARRAY_TASK_COUNT", "3")],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(sharded.join(format!("shard-{id}-of-3/runs.csv")).is_file());
    }
    let merged = dir.join("merged");
    let o = socsim(&[
        "merge",
        sharded.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let a = std::fs::read(whole.join("runs.csv")).unwrap();
    assert_eq!(
        a,
        std::fs::read(merged.join("runs.csv")).unwrap(),
        "merged shards differ from one run"
    );
    assert_eq!(String::from_utf8(a).unwrap().lines().count(), 13);
    // The runs manifest was written first and lists all 12 runs with their seeds.
    let manifest = std::fs::read_to_string(whole.join("runs_manifest.csv")).unwrap();
    assert_eq!(manifest.lines().count(), 13);
    assert!(
        manifest
            .starts_with("run_id,point,replicate,seed,returns.free_returns,returns.window_days\n")
    );
}

#[test]
fn kubernetes_index_needs_a_shard_count_and_a_merge_reports_missing_shards() {
    let dir = temp_dir("k8s");
    let file = sweep_file(&dir, 3);
    let out = dir.join("out");
    let o = sweep(
        &[&file, "--out", out.to_str().unwrap()],
        &[("JOB_COMPLETION_INDEX", "1")],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--shard-count"));
    let o = sweep(
        &[&file, "--out", out.to_str().unwrap(), "--shard-count", "2"],
        &[("JOB_COMPLETION_INDEX", "1")],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Only shard 1 of 2 exists: the merge names the 6 runs of shard 0 as missing.
    let o = socsim(&[
        "merge",
        out.to_str().unwrap(),
        "--out",
        dir.join("m").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o).matches("missing: ").count(), 6);
}

#[test]
fn a_killed_sweep_resumes_without_losing_or_repeating_runs() {
    let dir = temp_dir("resume");
    let file = sweep_file(&dir, 40);
    let reference = dir.join("reference");
    let o = sweep(&[&file, "--out", reference.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));

    let out = dir.join("killed");
    let results = out.join("results");
    let mut child = Command::new(env!("CARGO_BIN_EXE_socsim"))
        .args([
            "sweep",
            &file,
            "-q",
            "--jobs",
            "1",
            "--threads",
            "1",
            "--out",
            out.to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    let done = |d: &Path| {
        std::fs::read_dir(d).map_or(0, |r| {
            r.filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "row")
            })
            .count()
        })
    };
    let start = std::time::Instant::now();
    while done(&results) < 3 {
        assert!(
            start.elapsed().as_secs() < 120,
            "the sweep made no progress"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let before = done(&results);
    assert!(before < 12, "the sweep finished before it could be killed");
    assert!(!out.join("runs.csv").exists());

    let o = sweep(&[&file, "--out", out.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let last = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        last.contains(&format!("{before} from an earlier attempt")),
        "{last}"
    );
    assert_eq!(
        std::fs::read(reference.join("runs.csv")).unwrap(),
        std::fs::read(out.join("runs.csv")).unwrap()
    );
}

/// A run that fails while running (here a deliberate panic on day 3, which only the 5-day
/// runs reach) is recorded as failed, and the others finish.
#[test]
fn a_failing_run_is_recorded_and_the_sweep_goes_on() {
    let dir = temp_dir("failing");
    let file = write(
        &dir,
        "sweep.toml",
        "base = \"baseline\"\n[set]\npopulation.consumers = 500\npopulation.creators = 20\npopulation.hosts = 2\npopulation.merchants = 20\n[vary]\nrun.days = [2, 5]\n",
    );
    let out = dir.join("out");
    let mut c = Command::new(env!("CARGO_BIN_EXE_socsim"));
    c.args(["sweep", &file, "-q", "--out", out.to_str().unwrap()])
        .env("SOCSIM_PANIC_ON_DAY", "3");
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(1), "some runs failed: exit 1");
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), 3);
    assert!(runs.contains(",ok,"));
    assert!(
        runs.contains(",failed,") && runs.contains("deliberate panic on day 3"),
        "{runs}"
    );
}

/// An impossible point (a lineup larger than the hosts) stops the sweep before any run,
/// exit 2, naming the point; `--dry-run` checks and prints the plan without writing;
/// `--set` and `--days` fix keys for every run, but not a varied one.
#[test]
fn sweep_points_are_checked_first_and_the_command_line_can_fix_keys() {
    let dir = temp_dir("sweep-check");
    let text = "base = \"baseline\"\n[set]\nrun.days = 3\npopulation.consumers = 500\npopulation.creators = 20\npopulation.hosts = 2\npopulation.merchants = 20\n[vary]\nhosts.lineup = [1, 9]\n";
    let file = write(&dir, "sweep.toml", text);
    let out = dir.join("out");
    let o = sweep(&[&file, "--out", out.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("point 1 (hosts.lineup=9)") && e.contains("hosts.lineup"),
        "{e}"
    );
    assert!(!out.exists(), "nothing is written before the check");
    // Fixed from the command line: a valid sweep, planned only.
    let good = write(&dir, "good.toml", &text.replace("[1, 9]", "[1, 2]"));
    let o = sweep(
        &[
            &good,
            "--out",
            out.to_str().unwrap(),
            "--dry-run",
            "--days",
            "4",
            "--set",
            "population.consumers=600",
        ],
        &[],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let plan = String::from_utf8(o.stdout).unwrap();
    assert!(plan.contains("2 points × 1 replicates = 2 runs"), "{plan}");
    assert!(
        plan.contains("set population.consumers=600") && plan.contains("set run.days=4"),
        "{plan}"
    );
    assert!(!out.exists(), "a dry run writes nothing");
    // The command line's keys reach the runs (and the manifest).
    let o = sweep(&[&good, "--out", out.to_str().unwrap(), "--days", "4"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"run.days=4\""), "{manifest}");
    // The resolved base scenario, JSON-escaped: its `days = 4` line.
    assert!(manifest.contains("\\ndays = 4\\n"), "{manifest}");
    let o = sweep(&[&good, "--set", "hosts.lineup=1"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("hosts.lineup is varied by the sweep"),
        "{}",
        stderr(&o)
    );
}

fn sweep_error(name: &str, text: &str, extra: &[&str]) -> String {
    let dir = temp_dir(name);
    let file = write(&dir, "sweep.toml", text);
    let out = dir.join("out");
    let mut args = vec![file.as_str(), "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = sweep(&args, &[]);
    assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
    assert!(!out.join("runs.csv").exists());
    stderr(&o)
}

#[test]
fn bad_sweep_files_are_clear_errors() {
    let e = sweep_error(
        "unknown-key",
        "base = \"baseline\"\n[vary]\nreturns.windo_days = [1, 2]\n",
        &[],
    );
    assert!(
        e.contains("line 3")
            && e.contains("returns.windo_days")
            && e.contains("not a scenario key"),
        "{e}"
    );
    // A listed value that cannot be read on its own is the file's error, not a run's.
    let e = sweep_error(
        "unknown-algorithm",
        "base = \"baseline\"\n[vary.recommendation]\nalgorithm = [\"hybrid\", \"magic\"]\n",
        &[],
    );
    assert!(
        e.contains("sweep.toml line 3, vary.recommendation.algorithm: unknown algorithm \"magic\"; choose one of popularity,"),
        "{e}"
    );
    let e = sweep_error(
        "wrong-type",
        "base = \"baseline\"\n[vary]\nrun.days = [1, \"x\"]\n",
        &[],
    );
    assert!(
        e.contains("line 3, vary.run.days: expected a whole number"),
        "{e}"
    );
    let e = sweep_error(
        "empty-list",
        "base = \"baseline\"\n[vary]\nreturns.window_days = []\n",
        &[],
    );
    assert!(
        e.contains("returns.window_days") && e.contains("empty"),
        "{e}"
    );
    let e = sweep_error(
        "empty-range",
        "base = \"baseline\"\ndesign = \"lhs\"\npoints = 4\n[vary]\nhosts.discount = { min = 0.3, max = 0.3 }\n",
        &[],
    );
    assert!(
        e.contains("hosts.discount") && e.contains("empty range"),
        "{e}"
    );
    let e = sweep_error(
        "zero-replicates",
        "base = \"baseline\"\nreplicates = 0\n[vary]\nrun.days = [1]\n",
        &[],
    );
    assert!(e.contains("line 2") && e.contains("replicates"), "{e}");
    let e = sweep_error(
        "unknown-design",
        "base = \"baseline\"\ndesign = \"factorial\"\n[vary]\nrun.days = [1]\n",
        &[],
    );
    assert!(
        e.contains(
            "line 2, design: unknown design \"factorial\"; choose one of grid, lhs, sobol, saltelli, morris, points"
        ),
        "{e}"
    );
    let e = sweep_error(
        "levels-without-morris",
        "base = \"baseline\"\ndesign = \"sobol\"\npoints = 4\nlevels = 4\n[vary]\nhosts.discount = { min = 0.1, max = 0.3 }\n",
        &[],
    );
    assert!(
        e.contains("line 4") && e.contains("only design = \"morris\" takes `levels`"),
        "{e}"
    );
    let e = sweep_error(
        "odd-levels",
        "base = \"baseline\"\ndesign = \"morris\"\npoints = 4\nlevels = 3\n[vary]\nhosts.discount = { min = 0.1, max = 0.3 }\n",
        &[],
    );
    assert!(e.contains("line 4") && e.contains("an even number"), "{e}");
    let e = sweep_error(
        "saltelli-list",
        "base = \"baseline\"\ndesign = \"saltelli\"\npoints = 4\n[vary]\nhosts.discount = [0.1, 0.3]\n",
        &[],
    );
    assert!(
        e.contains("hosts.discount") && e.contains("needs a range"),
        "{e}"
    );
    let e = sweep_error(
        "points-without-file",
        "base = \"baseline\"\ndesign = \"points\"\n",
        &[],
    );
    assert!(
        e.contains("line 2") && e.contains("needs `points_file`"),
        "{e}"
    );
    let e = sweep_error(
        "design-type",
        "base = \"baseline\"\ndesign = 3\n[vary]\nrun.days = [1]\n",
        &[],
    );
    assert!(
        e.contains(
            "line 2, design: expected one of \"grid\", \"lhs\", \"sobol\", \"saltelli\", \"morris\", \"points\", found 3"
        ),
        "{e}"
    );
    let e = sweep_error(
        "bad-base",
        "base = \"nowhere.toml\"\n[vary]\nrun.days = [1]\n",
        &[],
    );
    assert!(e.contains("base") && e.contains("nowhere.toml"), "{e}");
    let e = sweep_error(
        "shard",
        "base = \"baseline\"\n[vary]\nrun.days = [1]\n",
        &["--shard", "3/3"],
    );
    assert!(e.contains("--shard 3/3"), "{e}");
}

#[test]
fn merging_shards_of_different_sweeps_is_refused() {
    let dir = temp_dir("mixed");
    let a = sweep_file(&dir, 2);
    let b = write(
        &dir,
        "other.toml",
        &std::fs::read_to_string(&a)
            .unwrap()
            .replace("run.days = 2", "run.days = 3"),
    );
    let out = dir.join("out");
    let o = sweep(&[&a, "--out", out.to_str().unwrap(), "--shard", "0/2"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = sweep(&[&b, "--out", out.to_str().unwrap(), "--shard", "1/2"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = socsim(&[
        "merge",
        out.to_str().unwrap(),
        "--out",
        dir.join("m").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("another sweep"), "{}", stderr(&o));
    // And a sweep folder is not reused by another sweep.
    let o = sweep(&[&b, "--out", out.to_str().unwrap(), "--shard", "0/2"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("different sweep"), "{}", stderr(&o));
}

#[test]
fn latin_hypercube_sweep_covers_each_range_with_one_point_per_stratum() {
    let dir = temp_dir("lhs");
    let file = write(
        &dir,
        "lhs.toml",
        "base = \"baseline\"\ndesign = \"lhs\"\npoints = 10\n[vary]\nhosts.discount = { min = 0.0, max = 0.5 }\ncreators.affiliates = { min = 1, max = 10 }\n",
    );
    let s = socsim::experiment::Sweep::load(Path::new(&file)).unwrap();
    assert_eq!(s.runs.len(), 10);
    let mut discount = vec![0; 10];
    let mut affiliates = vec![0; 10];
    for r in &s.runs {
        discount[(r.values[1].as_float().unwrap() / 0.05) as usize] += 1;
        affiliates[r.values[0].as_integer().unwrap() as usize - 1] += 1;
    }
    assert!(discount.iter().all(|&c| c == 1), "{discount:?}");
    assert!(
        affiliates.iter().all(|&c| c == 1),
        "integers 1..=10, one each: {affiliates:?}"
    );
}

#[test]
fn shipped_sweeps_expand() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/sweeps"));
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let s = socsim::experiment::Sweep::load(&path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(!s.runs.is_empty());
        s.scenario(&s.runs[0]).unwrap();
    }
}

#[test]
fn daily_long_holds_one_row_per_run_day_and_metric() {
    let dir = temp_dir("daily-long");
    let text = std::fs::read_to_string(sweep_file(&dir, 4))
        .unwrap()
        .replace("replicates = 2", "replicates = 1\ndaily = true");
    let file = write(&dir, "daily.toml", &text);
    let out = dir.join("out");
    let o = sweep(&[&file, "--out", out.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let long = std::fs::read_to_string(out.join("daily_long.csv")).unwrap();
    let columns = socsim::metrics::DailyRow::default();
    let metrics = serde_json::to_value(&columns)
        .unwrap()
        .as_object()
        .unwrap()
        .len()
        - 1; // all but `day`
    assert!(long.starts_with("run_id,day,metric,value\n"));
    assert_eq!(long.lines().count(), 1 + 6 * 4 * metrics);
    assert!(long.contains(",3,net_gmv,"));
}

/// runs.csv has one seed column, an exact integer that reproduces the run; counts are
/// integers; the run's days and consumers are not metric columns.
#[test]
fn runs_csv_has_one_exact_seed_and_integer_counts() {
    let dir = temp_dir("runs-seed");
    let file = sweep_file(&dir, 5);
    let out = dir.join("out");
    let o = sweep(&[&file, "--out", out.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    for name in ["seed", "days", "consumers"] {
        let n = header.iter().filter(|h| **h == name).count();
        assert_eq!(
            n,
            usize::from(name == "seed"),
            "{name} columns in {header:?}"
        );
    }
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let row: Vec<&str> = lines.nth(1).unwrap().split(',').collect(); // replicate 1: a big seed
    let seed: u64 = row[col("seed")].parse().expect("an exact integer seed");
    assert!(
        seed > 1 << 53,
        "replicate 1's seed {seed} is beyond f64's exact integers"
    );
    for counts in ["buyers.buyers", "totals.orders", "creators.entries"] {
        let cell = row[col(counts)];
        assert!(cell.parse::<u64>().is_ok(), "{counts} = {cell:?}");
    }
    // The seed reproduces the run: a plain run with it gives the same buyers.
    let run = dir.join("run");
    let o = socsim(&[
        "run",
        "baseline",
        "-q",
        "--seed",
        &seed.to_string(),
        "--set",
        "run.days=5",
        "--set",
        "population.consumers=1500",
        "--set",
        "population.creators=60",
        "--set",
        "population.hosts=5",
        "--set",
        "population.merchants=50",
        "--set",
        &format!("returns.window_days={}", row[col("returns.window_days")]),
        "--set",
        &format!("returns.free_returns={}", row[col("returns.free_returns")]),
        "--out",
        run.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        summary["buyers"]["buyers"].to_string(),
        row[col("buyers.buyers")]
    );
    assert_eq!(
        summary["totals"]["net_gmv"].to_string(),
        row[col("totals.net_gmv")]
    );
}

/// A Slurm array numbered from 1 (`--array=1-3`) whose task 2 is resubmitted alone
/// (`sbatch --array=2`: SLURM_ARRAY_TASK_COUNT=1, SLURM_ARRAY_TASK_MIN=2) runs into its own
/// shard folder, found from the shard folders already there, and the merge equals one run.
#[test]
fn a_resubmitted_slurm_task_finds_its_shard() {
    let dir = temp_dir("resubmit");
    let file = sweep_file(&dir, 6);
    let whole = dir.join("whole");
    let o = sweep(&[&file, "--out", whole.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sharded = dir.join("sharded");
    let out = sharded.to_str().unwrap();
    for id in ["1", "2", "3"] {
        let env = [
            ("SLURM_ARRAY_TASK_ID", id),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
        ];
        assert!(sweep(&[&file, "--out", out], &env).status.success());
    }
    // Task 2 (shard 1) lost its results: as if it had failed.
    let shard = sharded.join("shard-1-of-3");
    std::fs::remove_dir_all(shard.join("results")).unwrap();
    std::fs::remove_file(shard.join("runs.csv")).unwrap();
    let env = [
        ("SLURM_ARRAY_TASK_ID", "2"),
        ("SLURM_ARRAY_TASK_COUNT", "1"),
        ("SLURM_ARRAY_TASK_MIN", "2"),
    ];
    let o = sweep(&[&file, "--out", out], &env);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(shard.join("runs.csv").is_file());
    assert!(!sharded.join("shard-0-of-1").exists() && !sharded.join("runs.csv").exists());
    let merged = dir.join("merged");
    let o = socsim(&["merge", out, "--out", merged.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(whole.join("runs.csv")).unwrap(),
        std::fs::read(merged.join("runs.csv")).unwrap()
    );
}

/// `merge DIR` on a sweep that was not sharded assembles runs.csv again in that folder
/// (from its results/), the same bytes, and writes nothing beside it.
#[test]
fn merging_an_unsharded_sweep_writes_into_its_own_folder() {
    let dir = temp_dir("merge-unsharded");
    let file = sweep_file(&dir, 3);
    let out = dir.join("out");
    let o = sweep(&[&file, "--out", out.to_str().unwrap()], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = std::fs::read(out.join("runs.csv")).unwrap();
    std::fs::remove_file(out.join("runs.csv")).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_socsim"))
        .current_dir(&dir)
        .args(["merge", "out"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(out.join("runs.csv")).unwrap(), before);
    assert!(!dir.join("merged").exists() && !out.join("merged").exists());
}
