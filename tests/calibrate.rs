//! `socsim calibrate`: recovery of known parameters, resume and shards giving the same bytes,
//! and bad calibration files refused before any run.

mod common;
use common::{socsim, stderr, temp_dir, write};
use std::collections::HashMap;
use std::path::Path;

fn ok(args: &[&str]) -> String {
    let o = socsim(args);
    assert!(o.status.success(), "socsim {args:?}: {}", stderr(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A small world: 2,000 consumers for 30 days (about 0.06 s a run).
const SET: &str = "[set]\n\"population.consumers\" = 2000\n\"population.creators\" = 100\n\"population.hosts\" = 10\n\"population.merchants\" = 100\n\"run.days\" = 30\n";

/// The rows of a CSV file as column → cell maps.
fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

fn number(row: &HashMap<String, String>, column: &str) -> f64 {
    row[column].parse().unwrap_or(f64::NAN)
}

/// The world of the recovery test: 4,000 consumers for 30 days.
fn recovery_set() -> String {
    SET.replace("= 2000", "= 4000")
}

// Recovery. The "observed" moments are the means of eight runs at the defaults θ* =
// (returns.base −2.5, behaviour.purchase_threshold 3.0, behaviour.engage_bias 5.2), on seeds
// (master 1000) that the calibration never uses; their standard errors are the replicate
// standard deviation over √8. The calibration starts away from θ* (purchase_threshold at 2.0),
// searches 15 generations on four replicates of its own seeds (master 1), polishes, and must
// report each θ*_i within 3 of its standard errors (a 95 % interval misses one of three
// parameters about one time in seven by design; 3 se, one time in a hundred), with 95 %
// intervals narrower than a fifth of their ranges, so that the check cannot pass by reporting
// everything uncertain. Seen here: returns.base 0.2 se off, purchase_threshold 0.1 se,
// engage_bias 2.6 se (these two seed sets differ in engagement by more than most).
#[test]
fn recovers_three_known_parameters_within_the_reported_uncertainty() {
    let dir = temp_dir("calibrate-recovery");
    let data = write(
        &dir,
        "data.toml",
        &format!(
            "name = \"data\"\nbase = \"baseline\"\nreplicates = 8\nseed = 1000\n{}[vary]\n\"returns.base\" = [-2.5]\n",
            recovery_set()
        ),
    );
    let data_out = dir.join("data");
    ok(&["sweep", &data, "--out", data_out.to_str().unwrap(), "-q"]);
    let runs = rows(&data_out.join("runs.csv"));
    let moments = [
        "rates.return_rate",
        "rates.conversion_rate",
        "rates.engagement_rate",
    ];
    let mut moment_text = String::new();
    for m in moments {
        let xs: Vec<f64> = runs.iter().map(|r| number(r, m)).collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let sd =
            (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() - 1) as f64).sqrt();
        moment_text.push_str(&format!(
            "[[moments]]\nmetric = \"{m}\"\ntarget = {mean:?}\nse = {:?}\n",
            sd / (xs.len() as f64).sqrt()
        ));
    }
    let truth = [
        ("returns.base", -2.5, -4.0, -1.0),
        ("behaviour.purchase_threshold", 3.0, 1.5, 4.5),
        ("behaviour.engage_bias", 5.2, 4.0, 6.5),
    ];
    let cal = write(
        &dir,
        "cal.toml",
        &format!(
            "name = \"recovery\"\nbase = \"baseline\"\nreplicates = 4\nseed = 1\ngenerations = 15\n{}[parameters]\n\"returns.base\" = {{ min = -4.0, max = -1.0 }}\n\"behaviour.purchase_threshold\" = {{ min = 1.5, max = 4.5, start = 2.0 }}\n\"behaviour.engage_bias\" = {{ min = 4.0, max = 6.5 }}\n{moment_text}",
            recovery_set()
        ),
    );
    let out = dir.join("cal");
    ok(&["calibrate", &cal, "--out", out.to_str().unwrap(), "-q"]);
    let params: HashMap<String, HashMap<String, String>> = rows(&out.join("parameters.csv"))
        .into_iter()
        .map(|r| (r["parameter"].clone(), r))
        .collect();
    for (key, star, min, max) in truth {
        let r = &params[key];
        let (low, high) = (number(r, "low"), number(r, "high"));
        let (estimate, se) = (number(r, "estimate"), number(r, "se"));
        assert!(
            (estimate - star).abs() <= 3.0 * se,
            "{key}: θ* = {star} is more than 3 se from the estimate {estimate} (se {se})"
        );
        assert!(
            high - low < (max - min) / 5.0,
            "{key}: the interval [{low}, {high}] is too wide to say anything"
        );
    }
    // The fit: every moment within 2 of its target's standard errors, and the ready scenario
    // carries the estimates.
    for m in rows(&out.join("moments.csv")) {
        assert!(number(&m, "z").abs() < 2.0, "{m:?}");
    }
    let scenario = std::fs::read_to_string(out.join("scenario.toml")).unwrap();
    let resolved = ok(&["validate", out.join("scenario.toml").to_str().unwrap()]);
    assert!(resolved.contains("name = \"recovery\""), "{resolved}");
    assert!(scenario.contains(&format!("base = {}", params["returns.base"]["estimate"])));
}

/// A short calibration (4 generations of 4 candidates, 2 replicates).
fn short_calibration(dir: &Path) -> String {
    write(
        dir,
        "short.toml",
        &format!(
            "base = \"baseline\"\nname = \"short\"\nreplicates = 2\nseed = 3\ngenerations = 4\npopulation = 4\n{SET}[parameters]\n\"returns.base\" = {{ min = -4.0, max = -1.0 }}\n\"behaviour.engage_bias\" = {{ min = 4.0, max = 6.5 }}\n[[moments]]\nmetric = \"rates.return_rate\"\ntarget = 0.2\nse = 0.01\n[[moments]]\nname = \"late engagements\"\ndaily = \"engagements\"\nstat = \"mean\"\nfrom_day = 20\ntarget = 3000\ntolerance = 100\n"
        ),
    )
}

const RESULTS: [&str; 4] = [
    "parameters.csv",
    "moments.csv",
    "evaluations.csv",
    "scenario.toml",
];

// The same calibration three ways: whole; stopped after two generations and resumed with
// more; and as two shards running at once on one folder. The results are the same bytes.
#[test]
fn resumed_and_sharded_calibrations_write_the_same_bytes() {
    let dir = temp_dir("calibrate-shards");
    let cal = short_calibration(&dir);
    let whole = dir.join("whole");
    ok(&["calibrate", &cal, "--out", whole.to_str().unwrap(), "-q"]);
    let evaluations = rows(&whole.join("evaluations.csv"));
    let searched = |rows: &[HashMap<String, String>]| {
        rows.iter()
            .filter(|r| r["generation"].starts_with('g'))
            .count()
    };
    assert_eq!(searched(&evaluations), 16);
    assert!(
        evaluations
            .iter()
            .all(|r| number(r, "late engagements") > 0.0)
    );

    // Two generations, then the file asks for four: the search goes on where it stopped.
    let two = write(
        &dir,
        "two.toml",
        &std::fs::read_to_string(&cal)
            .unwrap()
            .replace("generations = 4", "generations = 2"),
    );
    let resumed = dir.join("resumed");
    ok(&["calibrate", &two, "--out", resumed.to_str().unwrap(), "-q"]);
    assert_eq!(searched(&rows(&resumed.join("evaluations.csv"))), 8);
    ok(&["calibrate", &cal, "--out", resumed.to_str().unwrap(), "-q"]);

    // Two shards at once; a shard that fails stops the test at once rather than leaving the
    // other waiting for its runs.
    let sharded = dir.join("sharded");
    let mut shards: Vec<std::process::Child> = ["0/2", "1/2"]
        .iter()
        .map(|shard| {
            std::process::Command::new(env!("CARGO_BIN_EXE_socsim"))
                .args(["calibrate", &cal, "--out", sharded.to_str().unwrap()])
                .args(["--shard", shard, "--poll", "0.1", "-q"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut running = 2;
    while running > 0 {
        running = 0;
        for k in 0..2 {
            match shards[k].try_wait().unwrap() {
                None => running += 1,
                Some(status) if status.success() => {}
                Some(status) => {
                    let mut err = String::new();
                    use std::io::Read;
                    shards[k]
                        .stderr
                        .take()
                        .unwrap()
                        .read_to_string(&mut err)
                        .unwrap();
                    let _ = shards[1 - k].kill();
                    panic!("shard {k}/2 failed ({status}): {err}");
                }
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        sharded
            .join("generations/g0003/shard-1-of-2/results")
            .is_dir()
    );
    for f in RESULTS {
        let a = std::fs::read(whole.join(f)).unwrap();
        assert_eq!(a, std::fs::read(resumed.join(f)).unwrap(), "{f}: resumed");
        assert_eq!(a, std::fs::read(sharded.join(f)).unwrap(), "{f}: sharded");
    }
}

// Bad calibration files: one error naming the place, exit code 2, nothing written.
#[test]
fn bad_calibration_files_are_refused_before_any_run() {
    let dir = temp_dir("calibrate-bad");
    let good = std::fs::read_to_string(short_calibration(&dir)).unwrap();
    let cases: [(&str, &str, &str); 12] = [
        (
            "replicates = 2",
            "replicates = 2\nspeed = 3",
            "unknown field `speed`",
        ),
        (
            "\"returns.base\" = {",
            "\"returns.bas\" = {",
            "returns.bas is not a scenario key",
        ),
        (
            "min = -4.0, max = -1.0",
            "min = -1.0, max = -4.0",
            "an empty range",
        ),
        (
            "metric = \"rates.return_rate\"",
            "metric = \"rates.return\"",
            "is not a column of runs.csv",
        ),
        ("se = 0.01", "se = 0.0", "must be above 0"),
        ("se = 0.01", "se = 0.01\nsample = 100", "give one of `se`"),
        ("se = 0.01", "sample = 0.5", "must be at least 1"),
        (
            "target = 3000\ntolerance = 100",
            "target = 3000\nsample = 50",
            "strictly between 0 and 1",
        ),
        (
            "tolerance = 100",
            "tolerance = 100\ngroup = \"g\"",
            "`group` needs `sample`",
        ),
        (
            "stat = \"mean\"",
            "stat = \"median\"",
            "expected mean, sum, min, max or last",
        ),
        (
            "from_day = 20",
            "from_day = 40",
            "the window must lie within days 0 to 29",
        ),
        (
            "min = 4.0, max = 6.5",
            "min = 4.0, max = 6.5, start = 7.0",
            "outside min..max",
        ),
    ];
    for (from, to, message) in cases {
        let text = good.replacen(from, to, 1);
        assert_ne!(text, good, "{from}");
        let cal = write(&dir, "bad.toml", &text);
        let out = dir.join("out");
        let o = socsim(&["calibrate", &cal, "--out", out.to_str().unwrap(), "-q"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{to}: {err}");
        assert!(err.contains(message), "{to}: {err}");
        assert!(
            err.contains("bad.toml"),
            "{to}: the error names the file: {err}"
        );
        assert!(!out.exists(), "{to}: nothing is written");
    }
    // A folder socsim did not write is refused, and left as it was.
    let foreign = dir.join("foreign");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let cal = write(&dir, "good.toml", &good);
    let o = socsim(&["calibrate", &cal, "--out", foreign.to_str().unwrap(), "-q"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(foreign.join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(std::fs::read_dir(&foreign).unwrap().count(), 1);
}

/// A shipped calibration, `scenarios/calibration/NAME.toml`, and the text of the scenario it
/// wrote, `scenarios/calibrated/NAME.toml`, after checking that the scenario's header names
/// the calibration id the file has now. A change to the file, to its base scenario or to the
/// metric columns makes another id, and the scenario must then be written again.
fn shipped(name: &str) -> (socsim::experiment::calibrate::Calibration, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let file = format!("scenarios/calibration/{name}.toml");
    let cal = socsim::experiment::calibrate::Calibration::load(&root.join(&file)).unwrap();
    let text =
        std::fs::read_to_string(root.join(format!("scenarios/calibrated/{name}.toml"))).unwrap();
    assert!(
        text.contains(&format!("(calibration {})", cal.id)),
        "scenarios/calibrated/{name}.toml is out of date: run `socsim calibrate {file}` and \
         copy its scenario.toml there"
    );
    (cal, text)
}

// The shipped calibrated scenario is what `socsim calibrate` wrote from its checked-in file:
// its header names the calibration id that file has now (a change to the file, to the base
// scenario or to the metric columns makes another id, and this test asks for the scenario to
// be written again), the key holds the estimate the header gives, and on three seeds the live
// return rate lands inside the sourced 30–70 %.
#[test]
fn the_shipped_live_return_calibration_is_what_its_file_produces() {
    let (_, text) = shipped("livestream_returns");
    let estimate: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("# Estimates: returns.impulse="))
        .expect("the header gives the estimate")
        .trim_end_matches('.')
        .parse()
        .unwrap();
    for seed in common::SEEDS {
        let s = socsim::scenario::parse_scenario(
            "calibrated",
            &text,
            &[socsim::scenario::Override::seed(seed)],
        )
        .unwrap();
        assert_eq!(s.returns.impulse, estimate);
        let live = common::run(&s).summary.rates.live_return_rate;
        assert!(
            (0.3..=0.7).contains(&live),
            "seed {seed}: live return rate {live}"
        );
    }
}

/// The calibration distance rᵀ W r of a run's summary against `cal`'s metric moments.
fn distance(
    cal: &socsim::experiment::calibrate::Calibration,
    s: &socsim::scenario::Scenario,
) -> f64 {
    use socsim::experiment::calibrate::Source;
    let metrics: HashMap<String, Option<f64>> =
        socsim::experiment::metrics::flatten(&common::run(s).summary)
            .into_iter()
            .collect();
    let r: Vec<f64> = cal
        .moments
        .iter()
        .map(|m| match &m.source {
            Source::Metric(name) => metrics[name].unwrap() - m.target,
            Source::Daily { .. } => unreachable!("the campus moments are metrics"),
        })
        .collect();
    (0..r.len())
        .map(|a| {
            (0..r.len())
                .map(|b| r[a] * cal.weight[a][b] * r[b])
                .sum::<f64>()
        })
        .sum()
}

// The shipped calibrated campus scenario is what `socsim calibrate` wrote from its checked-in
// file (the calibration id in its header, and every estimate the header lists set in its
// body). Out of sample, on seeds 1-5 (the calibration ran on seed 42's replicates), it is
// closer to Table 1 than the hand-tuned built-in `campus_takeaway` by the calibration's own
// distance (Pearson's χ² over the two distributions, plus the reasons' z²): the mean over the
// five seeds is at least 15 % lower (seen: 31.3 against 40.4; one seed of five, 3, goes the
// other way, 37.0 against 35.6: the world drawn moves the distance by more than the keys do
// on one seed). The survey shares pass through the students' purchase, reading and
// satisfaction decisions, so this is the search having found values that move those
// decisions toward the survey.
#[test]
fn the_shipped_campus_calibration_is_what_its_file_produces_and_fits_better_than_by_hand() {
    let (cal, text) = shipped("campus_takeaway");
    let estimates = text
        .lines()
        .find_map(|l| l.strip_prefix("# Estimates: "))
        .expect("the header gives the estimates")
        .trim_end_matches('.');
    let body: toml::Table = toml::from_str(&text).unwrap();
    let mut keys = 0;
    for pair in estimates.split(", ") {
        let (key, value) = pair.split_once('=').unwrap();
        let (section, field) = key.split_once('.').unwrap();
        let set = body[section][field].as_float().unwrap();
        assert_eq!(set, value.parse::<f64>().unwrap(), "{key}");
        keys += 1;
    }
    assert_eq!(keys, cal.params.len());
    let hand = socsim::scenario::built_in("campus_takeaway").unwrap();
    let (mut calibrated, mut by_hand) = (0.0, 0.0);
    for seed in 1..=5 {
        let at = |name: &str, text: &str| {
            socsim::scenario::parse_scenario(name, text, &[socsim::scenario::Override::seed(seed)])
                .unwrap()
        };
        let (c, h) = (
            distance(&cal, &at("calibrated", &text)),
            distance(&cal, &at("campus_takeaway", hand)),
        );
        println!("seed {seed}: distance calibrated {c:.2}, by hand {h:.2}");
        calibrated += c / 5.0;
        by_hand += h / 5.0;
    }
    assert!(
        calibrated < 0.85 * by_hand,
        "mean distance over seeds 1-5: calibrated {calibrated}, by hand {by_hand}"
    );
}
