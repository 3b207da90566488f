//! Running a sweep's runs: in parallel, streaming each result to disk as it finishes,
//! skipping runs already done (resume), and assembling `runs.csv` in manifest order.

use super::sweep::{Design, RunSpec, Sweep, cell};
use crate::error::{Error, Result};
use crate::output::{InPlace, now_unix, write_json};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Which share of the manifest this process runs: runs with `index % count == shard`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Parses `i/n` (0 ≤ i < n).
    pub fn parse(text: &str) -> Result<Shard> {
        let err = || {
            Error::input(
                format!("--shard {text}"),
                "expected I/N with 0 ≤ I < N, e.g. --shard 0/4",
            )
        };
        let (i, n) = text.split_once('/').ok_or_else(err)?;
        let (index, count) = (
            i.trim().parse().map_err(|_| err())?,
            n.trim().parse().map_err(|_| err())?,
        );
        Shard::new(index, count).map_err(|_| err())
    }

    pub fn new(index: usize, count: usize) -> Result<Shard> {
        if count == 0 || index >= count {
            return Err(Error::input(
                "shard",
                format!("index {index} is out of range for {count} shards (0 ≤ index < count)"),
            ));
        }
        Ok(Shard { index, count })
    }

    /// The folder of this shard's results inside the sweep folder.
    pub fn folder(&self, out: &Path) -> PathBuf {
        if *self == Shard::ALL {
            out.to_path_buf()
        } else {
            out.join(format!("shard-{}-of-{}", self.index, self.count))
        }
    }
}

/// `manifest.json` of a sweep folder (or shard folder).
#[derive(Serialize, Deserialize)]
pub struct SweepManifest {
    pub tool: String,
    pub version: String,
    /// The git commit of the build (`unknown` outside a git checkout).
    #[serde(default)]
    pub git_commit: String,
    pub kind: String,
    pub sweep_id: String,
    pub name: String,
    pub base: String,
    pub design: Design,
    /// The sweep file's `points` (saltelli: N; morris: trajectories), if it gave them.
    #[serde(default)]
    pub points: Option<u64>,
    /// Morris's levels (morris only).
    #[serde(default)]
    pub levels: Option<u64>,
    pub replicates: u64,
    pub master_seed: u64,
    /// `daily_long.csv` is written too.
    pub daily: bool,
    pub runs_in_sweep: usize,
    pub shard: String,
    pub runs_in_shard: usize,
    pub command: Vec<String>,
    pub started_at: u64,
    pub finished_at: Option<u64>,
    /// The same two times in ISO 8601, UTC.
    #[serde(default)]
    pub started_at_iso: String,
    #[serde(default)]
    pub finished_at_iso: Option<String>,
    /// The sweep file's `[set]`, each `key.path=value`, in order.
    #[serde(default)]
    pub set: Vec<String>,
    /// The base scenario with `[set]` applied, fully resolved (TOML text).
    #[serde(default)]
    pub base_scenario: String,
    /// For a shard of a Slurm job array: the array's first task id (`SLURM_ARRAY_TASK_MIN`
    /// of the submission that made the folder), so that a resubmitted task finds its shard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slurm_array_min: Option<usize>,
    pub done: usize,
    pub failed: usize,
    pub skipped_as_done: usize,
}

/// What a sweep (shard) run did.
#[derive(Debug, Default, PartialEq)]
pub struct SweepReport {
    pub ran: usize,
    pub failed: usize,
    pub skipped_as_done: usize,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(path, e)
}

/// Writes `text` to `path` atomically ([`crate::output::write_atomic`]).
fn write_text(path: &Path, text: &str) -> Result<()> {
    crate::output::write_atomic(path, text.as_bytes())
}

/// The files socsim writes at the top of a sweep (or shard) folder.
const SWEEP_FILES: [&str; 6] = [
    "runs_manifest.csv",
    "manifest.json",
    "runs.csv",
    "daily_long.csv",
    "results",
    crate::report::FILE,
];

/// The shard folders of sweep `sweep_id` already in `out` (`shard-I-of-N`): their shard
/// count N and the first task id of the Slurm array that made them (0 when not recorded).
/// `None` when there is none.
pub fn existing_shards(out: &Path, sweep_id: &str) -> Option<(usize, usize)> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(out)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for dir in entries {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let Some(count) = name
            .strip_prefix("shard-")
            .and_then(|rest| rest.split_once("-of-"))
            .and_then(|(_, n)| n.parse::<usize>().ok())
        else {
            continue;
        };
        let ours = crate::output::Marker::read(&dir)
            .is_some_and(|m| m.sweep_id.as_deref() == Some(sweep_id));
        if !ours {
            continue;
        }
        let first = std::fs::read_to_string(dir.join("manifest.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<SweepManifest>(&t).ok())
            .and_then(|m| m.slurm_array_min)
            .unwrap_or(0);
        return Some((count, first));
    }
    None
}

/// The header of a `runs_manifest.csv` text and its run ids, in order.
pub fn listed_runs(text: &str) -> Result<(Vec<String>, Vec<String>)> {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| Error::Run(e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    let ids: Vec<String> = rdr
        .records()
        .map(|r| {
            r.map(|r| r[0].to_string())
                .map_err(|e| Error::Run(e.to_string()))
        })
        .collect::<Result<_>>()?;
    Ok((header, ids))
}

/// Assembles `runs.csv` (and `daily_long.csv`) and `report.html` again inside the unsharded
/// sweep folder `dir` from its own `results/`, under the sweep's lock: what `socsim merge
/// DIR` does for a sweep that was not sharded. Returns (runs, failed, missing run ids).
pub fn reassemble(dir: &Path) -> Result<(usize, usize, Vec<String>)> {
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| Error::input(p.display(), e));
    let manifest: SweepManifest = serde_json::from_str(&read(&dir.join("manifest.json"))?)
        .map_err(|e| {
            Error::input(
                dir.join("manifest.json").display(),
                format!("not a sweep manifest: {e}"),
            )
        })?;
    let _claim = InPlace::new(dir, &manifest.sweep_id, &SWEEP_FILES, legacy_sweep_id)?;
    let (header, ids) = listed_runs(&read(&dir.join("runs_manifest.csv"))?)?;
    let runs = ids.len();
    let assembled = assemble(dir, &runs_header(&header), manifest.daily, ids, &[dir])?;
    let page = crate::report::sweep_report(dir)?;
    crate::output::write_atomic(&dir.join(crate::report::FILE), page.as_bytes())?;
    Ok((runs, assembled.failed, assembled.missing))
}

/// The sweep id in a sweep folder written before folders carried a marker.
fn legacy_sweep_id(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
    serde_json::from_str::<SweepManifest>(&text)
        .ok()
        .filter(|m| m.tool == "socsim" && m.kind == "sweep")
        .map(|m| m.sweep_id)
}

/// The `status` cell of a `runs.csv` row.
fn row_status(row: &str, status_col: usize) -> Option<String> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(row.as_bytes())
        .records()
        .next()
        .and_then(|r| r.ok())
        .and_then(|r| r.get(status_col).map(String::from))
}

/// The position of `status` in a `runs.csv` header.
fn status_column(header: &str) -> usize {
    header
        .trim_end()
        .split(',')
        .position(|h| h == "status")
        .expect("runs.csv has a status column")
}

/// The header of `runs.csv` / `runs_manifest.csv` for this sweep.
fn csv_line(fields: &[String]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(fields).expect("writing to memory");
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("utf-8")
}

fn run_prefix(r: &RunSpec) -> Vec<String> {
    let mut row = vec![
        r.run_id.clone(),
        r.point.to_string(),
        r.replicate.to_string(),
        r.seed.to_string(),
    ];
    row.extend(r.values.iter().map(cell));
    row
}

fn param_names(sweep: &Sweep) -> Vec<String> {
    sweep.params.iter().map(|p| p.path().to_string()).collect()
}

/// `runs_manifest.csv`: every run of the sweep, in order.
pub fn manifest_csv(sweep: &Sweep) -> String {
    let mut text = csv_line(&manifest_header(sweep));
    for r in &sweep.runs {
        text.push_str(&csv_line(&run_prefix(r)));
    }
    text
}

/// The metric columns of `runs.csv` (fixed by the summary's type).
pub fn metric_columns() -> Vec<String> {
    static COLUMNS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    COLUMNS
        .get_or_init(|| {
            let s = crate::scenario::parse_scenario(
                "metric columns",
                "[run]\ndays = 1\n[population]\nconsumers = 20\ncreators = 2\nhosts = 1\nmerchants = 2\n",
                &[],
            )
            .expect("a tiny scenario is valid");
            let mut sim = crate::Simulation::new(&s).expect("a tiny world builds");
            sim.step();
            super::metrics::columns(&sim.finish().summary)
        })
        .clone()
}

/// The header of `runs.csv`: the columns of `runs_manifest.csv`, then status, error and the
/// metric columns.
pub fn runs_header(manifest_header: &[String]) -> String {
    let mut head = manifest_header.to_vec();
    head.push("status".into());
    head.push("error".into());
    head.extend(metric_columns());
    csv_line(&head)
}

fn manifest_header(sweep: &Sweep) -> Vec<String> {
    let mut head = vec![
        "run_id".into(),
        "point".into(),
        "replicate".into(),
        "seed".into(),
    ];
    head.extend(param_names(sweep));
    head
}

/// Runs one run and returns its `runs.csv` row, its `daily_long.csv` rows (if asked) and
/// whether it succeeded.
fn execute(sweep: &Sweep, run: &RunSpec) -> (String, String, bool) {
    let mut row = run_prefix(run);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(
        || -> Result<crate::RunOutput> {
            let scenario = sweep.scenario(run)?;
            let mut sim = crate::Simulation::new(&scenario)?;
            // A deliberate panic, for testing how a failed run is recorded (as in `run`).
            let panic_day: Option<u32> = std::env::var("SOCSIM_PANIC_ON_DAY")
                .ok()
                .and_then(|d| d.parse().ok());
            sim.run(|row| {
                if panic_day == Some(row.day) {
                    panic!("SOCSIM_PANIC_ON_DAY: a deliberate panic on day {}", row.day);
                }
            });
            Ok(sim.finish())
        },
    ));
    let outcome = match outcome {
        Ok(r) => r,
        Err(panic) => {
            let m = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
            Err(Error::Run(format!(
                "the run panicked: {}",
                m.unwrap_or_default()
            )))
        }
    };
    match outcome {
        Ok(out) => {
            row.push("ok".into());
            row.push(String::new());
            row.extend(super::metrics::cells(&out.summary));
            let daily = if sweep.daily {
                daily_long(&run.run_id, &out.daily)
            } else {
                String::new()
            };
            (csv_line(&row), daily, true)
        }
        Err(e) => {
            row.push("failed".into());
            row.push(e.to_string());
            row.extend(std::iter::repeat_n(String::new(), metric_columns().len()));
            (csv_line(&row), String::new(), false)
        }
    }
}

/// `daily_long.csv` rows (run_id, day, metric, value) of one run.
fn daily_long(run_id: &str, daily: &[crate::metrics::DailyRow]) -> String {
    let mut text = String::new();
    for r in daily {
        let v = serde_json::to_value(r).expect("a row serializes");
        for (metric, value) in v.as_object().unwrap() {
            if metric != "day" {
                text.push_str(&csv_line(&[
                    run_id.into(),
                    r.day.to_string(),
                    metric.clone(),
                    value.to_string(),
                ]));
            }
        }
    }
    text
}

/// Runs this shard's runs of `sweep` into `out` (its shard folder), resuming where a
/// previous attempt stopped. `jobs` runs are in flight at most.
pub fn run_sweep(
    sweep: &Sweep,
    out: &Path,
    shard: Shard,
    slurm_array_min: Option<usize>,
    jobs: usize,
    quiet: bool,
) -> Result<SweepReport> {
    let claim = InPlace::new(&shard.folder(out), &sweep.id, &SWEEP_FILES, legacy_sweep_id)?;
    let dir = claim.dir.clone();
    let results = dir.join("results");
    let manifest_path = dir.join("manifest.json");
    std::fs::create_dir_all(&results).map_err(io(&results))?;
    write_text(&dir.join("runs_manifest.csv"), &manifest_csv(sweep))?;
    let header = runs_header(&manifest_header(sweep));
    let status_col = status_column(&header);

    let mine: Vec<&RunSpec> = sweep
        .runs
        .iter()
        .filter(|r| r.index % shard.count == shard.index)
        .collect();
    // A run is done when its row says ok; a failed run is tried again.
    let done = |r: &RunSpec| {
        std::fs::read_to_string(results.join(format!("{}.row", r.run_id)))
            .is_ok_and(|row| row_status(&row, status_col).as_deref() == Some("ok"))
    };
    let pending: Vec<&RunSpec> = mine.iter().copied().filter(|r| !done(r)).collect();
    let mut manifest = SweepManifest {
        tool: "socsim".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        git_commit: crate::output::GIT_COMMIT.into(),
        kind: "sweep".into(),
        sweep_id: sweep.id.clone(),
        name: sweep.name.clone(),
        base: sweep.base_source.clone(),
        design: sweep.design,
        points: sweep.points,
        levels: sweep.levels,
        replicates: sweep.replicates,
        master_seed: sweep.master_seed,
        daily: sweep.daily,
        runs_in_sweep: sweep.runs.len(),
        shard: format!("{}/{}", shard.index, shard.count),
        runs_in_shard: mine.len(),
        command: std::env::args().collect(),
        started_at: now_unix(),
        finished_at: None,
        started_at_iso: String::new(),
        finished_at_iso: None,
        set: sweep.set_lines(),
        base_scenario: sweep.base_resolved.clone(),
        slurm_array_min,
        done: mine.len() - pending.len(),
        failed: 0,
        skipped_as_done: mine.len() - pending.len(),
    };
    manifest.started_at_iso = crate::output::iso_utc(manifest.started_at);
    write_json(&manifest_path, &manifest)?;

    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let first_error: Mutex<Option<Error>> = Mutex::new(None);
    let progress = crate::progress::Progress::new(pending.len() as u64, "runs", quiet);
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1).min(pending.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    let Some(run) = pending.get(k) else { break };
                    let t = std::time::Instant::now();
                    let (row, daily, ok) = execute(sweep, run);
                    let write = || -> Result<()> {
                        if sweep.daily {
                            write_text(&results.join(format!("{}.daily", run.run_id)), &daily)?;
                        }
                        write_text(&results.join(format!("{}.row", run.run_id)), &row)
                    };
                    if let Err(e) = write() {
                        first_error.lock().unwrap().get_or_insert(e);
                        break;
                    }
                    if !ok {
                        failed.fetch_add(1, Ordering::SeqCst);
                    }
                    let n = finished.fetch_add(1, Ordering::SeqCst) + 1;
                    let line = format!(
                        "  [{n}/{}] {} {} in {:.1} s",
                        pending.len(),
                        run.run_id,
                        if ok { "done" } else { "FAILED" },
                        t.elapsed().as_secs_f64()
                    );
                    progress.step(n as u64, || line.trim().to_string(), Some(line.clone()));
                }
            });
        }
    });
    progress.finish();
    if let Some(e) = first_error.into_inner().unwrap() {
        return Err(e);
    }
    // Failed runs recorded by earlier attempts count too.
    let ids: Vec<String> = mine.iter().map(|r| r.run_id.clone()).collect();
    let rows = assemble(&dir, &header, sweep.daily, ids, &[&dir])?;
    manifest.finished_at = Some(now_unix());
    manifest.finished_at_iso = manifest.finished_at.map(crate::output::iso_utc);
    manifest.done = mine.len();
    manifest.failed = rows.failed;
    write_json(&manifest_path, &manifest)?;
    let page = crate::report::sweep_report(&dir)?;
    crate::output::write_atomic(&dir.join(crate::report::FILE), page.as_bytes())?;
    Ok(SweepReport {
        ran: pending.len(),
        failed: rows.failed,
        skipped_as_done: mine.len() - pending.len(),
    })
}

/// What assembling found.
pub struct Assembled {
    pub failed: usize,
    pub missing: Vec<String>,
}

/// Writes `runs.csv` (and `daily_long.csv`) into `dest` from the results of `run_ids` found
/// in any of `sources`' `results/` folders, in the given (manifest) order.
pub fn assemble(
    dest: &Path,
    header: &str,
    daily: bool,
    run_ids: Vec<String>,
    sources: &[&Path],
) -> Result<Assembled> {
    let status_col = status_column(header);
    let mut runs_csv = header.to_string();
    let mut daily_csv = "run_id,day,metric,value\n".to_string();
    let mut failed = 0;
    let mut missing = Vec::new();
    for id in run_ids {
        let found = sources
            .iter()
            .map(|s| s.join("results").join(format!("{id}.row")))
            .find(|p| p.is_file());
        let Some(path) = found else {
            missing.push(id);
            continue;
        };
        let row = std::fs::read_to_string(&path).map_err(io(&path))?;
        if row_status(&row, status_col).as_deref() != Some("ok") {
            failed += 1;
        }
        runs_csv.push_str(&row);
        if daily {
            let d = path.with_extension("daily");
            if let Ok(text) = std::fs::read_to_string(&d) {
                daily_csv.push_str(&text);
            }
        }
    }
    // A Parquet copy of the table written before would no longer match it.
    crate::output::parquet::remove_stale(dest, &["runs.csv", "daily_long.csv"])?;
    write_text(&dest.join("runs.csv"), &runs_csv)?;
    if daily {
        write_text(&dest.join("daily_long.csv"), &daily_csv)?;
    }
    Ok(Assembled { failed, missing })
}
