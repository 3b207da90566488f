//! `socsim calibrate`: the values of some scenario keys that make the simulator reproduce
//! target moments, by the simulated method of moments.
//!
//! A calibration file names a base scenario, the free keys with their ranges, and the target
//! moments (a summary metric, or a statistic of a daily column over a window of days), each
//! with a target and a standard error. The distance of a candidate θ is
//!
//! ```text
//! D(θ) = rᵀ W r,   r = m̄(θ) − target,   W = Ω⁻¹
//! ```
//!
//! with Ω the targets' sampling covariance: diagonal se², except between the shares of one
//! sample (a moment `group`), which covary as a multinomial's; without groups
//! D = Σ_k ((m̄_k − target_k) / se_k)², and a group's part is Pearson's χ² over all of its
//! categories.
//!
//! where m̄_k(θ) is the mean of moment k over `replicates` runs whose seeds are the same for
//! every candidate (common random numbers), so two candidates differ only by their values.
//! CMA-ES (the `cmaes` crate) searches the unit cube of the ranges, folded at its faces.
//!
//! **A generation is a sweep.** CMA-ES proposes a generation of candidates at a time; they are
//! written as a `points` sweep under `generations/gNNNN/` and run by the sweep runner, so a
//! generation resumes run by run and can be spread across shards. The search holds no state
//! of its own on disk: each start replays CMA-ES from its seed, feeding it the distances of
//! the generations already complete, which brings it to the same next generation. Shards run
//! their share of each generation and wait for the others before going on.
//!
//! **Uncertainty.** At the best candidate θ̂ the Jacobian G of the moments is taken by
//! central differences (one more sweep, `generations/jacobian-<point>/`, on the same seeds),
//! after up to `polish` Gauss–Newton steps from the best candidate of the search, and the
//! covariance of θ̂ is the sandwich V = A⁻¹ Gᵀ W (Ω + Σ/R) W G A⁻¹ with A = Gᵀ W G and Σ the
//! covariance of the moments across the R replicates at θ̂ (the simulation's noise).

use super::runner::{Shard, metric_columns, run_sweep};
use super::sweep::{Sweep, base_scenario, leaves, set_overrides};
use crate::error::{Error, Result};
use crate::output::{InPlace, Kind, now_unix, write_atomic, write_json};
use crate::scenario::{
    self, Override, Scenario, key_path, name_problem, parse_scenario, parse_toml, place_in,
    serde_message,
};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The files `socsim calibrate` writes at the top of its folder.
pub const FILES: [&str; 6] = [
    "calibration.json",
    "parameters.csv",
    "moments.csv",
    "evaluations.csv",
    "scenario.toml",
    "generations",
];

/// The calibration file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalFile {
    name: Option<String>,
    base: String,
    #[serde(default = "three")]
    replicates: u64,
    #[serde(default, deserialize_with = "scenario::seed::deserialize_option")]
    seed: Option<u64>,
    #[serde(default = "twenty")]
    generations: usize,
    population: Option<usize>,
    #[serde(default = "step")]
    step: f64,
    #[serde(default = "jacobian_step")]
    jacobian_step: f64,
    #[serde(default = "polish")]
    polish: usize,
    #[serde(default)]
    set: toml::Table,
    parameters: toml::Table,
    moments: Vec<MomentFile>,
}

fn three() -> u64 {
    3
}
fn twenty() -> usize {
    20
}
fn step() -> f64 {
    0.3
}
fn jacobian_step() -> f64 {
    0.05
}
fn polish() -> usize {
    3
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ParamFile {
    min: f64,
    max: f64,
    start: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MomentFile {
    name: Option<String>,
    metric: Option<String>,
    daily: Option<String>,
    stat: Option<String>,
    from_day: Option<u32>,
    to_day: Option<u32>,
    target: f64,
    se: Option<f64>,
    tolerance: Option<f64>,
    sample: Option<f64>,
    group: Option<String>,
}

/// A free key: its range and starting value (natural units).
#[derive(Clone, Debug)]
pub struct Free {
    pub path: String,
    pub min: f64,
    pub max: f64,
    pub start: f64,
    pub integer: bool,
}

impl Free {
    /// The value at unit coordinate `u`, folded into [0, 1] at the faces (a mirror), so
    /// that CMA-ES can search all of ℝ.
    fn value(&self, u: f64) -> f64 {
        let t = u.rem_euclid(2.0);
        let t = if t <= 1.0 { t } else { 2.0 - t };
        let x = self.min + t * (self.max - self.min);
        if self.integer { x.round() } else { x }
    }

    fn unit(&self, x: f64) -> f64 {
        (x - self.min) / (self.max - self.min)
    }

    fn toml(&self, x: f64) -> toml::Value {
        if self.integer {
            toml::Value::Integer(x as i64)
        } else {
            toml::Value::Float(x)
        }
    }
}

/// A statistic of a daily column over a window of days.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stat {
    Mean,
    Sum,
    Min,
    Max,
    Last,
}

/// Where a moment comes from.
#[derive(Clone, Debug)]
pub enum Source {
    /// A column of `runs.csv` (a field of `summary.json`).
    Metric(String),
    /// A statistic of a `daily.csv` column over days `from..=to`.
    Daily {
        column: String,
        stat: Stat,
        from: u32,
        to: u32,
    },
}

impl Source {
    fn describe(&self) -> String {
        match self {
            Source::Metric(m) => m.clone(),
            Source::Daily {
                column,
                stat,
                from,
                to,
            } => format!(
                "{} of daily {column}, days {from}-{to}",
                format!("{stat:?}").to_lowercase()
            ),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Moment {
    pub name: String,
    pub source: Source,
    pub target: f64,
    pub se: f64,
    /// The target is a share of one sample: the sample's name and size (n). Shares of the
    /// same sample covary: −target_a · target_b / n.
    pub group: Option<(String, f64)>,
}

/// A calibration, parsed and checked.
pub struct Calibration {
    pub name: String,
    base_source: String,
    base_text: String,
    /// The folder `base` is read from.
    dir: PathBuf,
    base_arg: String,
    set: Vec<Override>,
    pub params: Vec<Free>,
    pub moments: Vec<Moment>,
    pub replicates: u64,
    pub seed: u64,
    pub generations: usize,
    pub population: usize,
    pub step: f64,
    pub jacobian_step: f64,
    /// Gauss–Newton steps after the search.
    pub polish: usize,
    /// W, the weights of the distance: Ω⁻¹ (see [`target_covariance`]), diagonal 1/se²
    /// outside the groups.
    pub weight: Vec<Vec<f64>>,
    daily: bool,
    /// A hash of everything that determines the search and its results.
    pub id: String,
    /// The file, for messages and the manifest.
    pub source: String,
}

/// The columns of `daily.csv`.
fn daily_columns() -> Vec<String> {
    let v = serde_json::to_value(crate::metrics::DailyRow::default()).expect("a row serializes");
    v.as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "day")
        .cloned()
        .collect()
}

impl Calibration {
    pub fn load(path: &Path) -> Result<Calibration> {
        let text = scenario::read_file(path, "calibration file")?;
        Calibration::parse(
            &path.display().to_string(),
            &text,
            path.parent().unwrap_or(Path::new(".")),
        )
    }

    /// Parses calibration-file text; `dir` resolves a relative `base` path.
    pub fn parse(name: &str, text: &str, dir: &Path) -> Result<Calibration> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let at = |path: &str| {
            place_in(
                name,
                text,
                &path.split('.').map(String::from).collect::<Vec<_>>(),
            )
        };
        let table = parse_toml(name, text)?;
        let file: CalFile =
            serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
                let path = key_path(e.path()).join(".");
                Error::input(at(&path), serde_message(&e.inner().to_string()))
            })?;
        if let Some(problem) = file.name.as_deref().and_then(name_problem) {
            return Err(Error::input(at("name"), problem));
        }
        let (base_source, base_text) = base_scenario(&file.base, dir, &at("base"))?;
        let set = set_overrides(&file.set, at);
        let base: Scenario = parse_scenario(&base_source, &base_text, &set).map_err(|e| {
            let m = e.to_string();
            if m.starts_with(&format!("{name} line ")) {
                e
            } else {
                Error::input(at(if set.is_empty() { "base" } else { "set" }), m)
            }
        })?;
        let resolved: toml::Table = toml::from_str(&base.to_toml()).expect("a scenario serializes");
        let check = |ok: bool, key: &str, m: &str| {
            if ok {
                Ok(())
            } else {
                Err(Error::input(at(key), m.to_string()))
            }
        };
        check(file.replicates >= 1, "replicates", "must be at least 1")?;
        check(file.polish <= 20, "polish", "at most 20 Gauss-Newton steps")?;
        check(
            (1..=10_000).contains(&file.generations),
            "generations",
            "must be from 1 to 10000",
        )?;
        check(
            file.step.is_finite() && file.step > 0.0 && file.step <= 10.0,
            "step",
            "the initial step, as a share of each range, must be above 0 and at most 10",
        )?;
        check(
            file.jacobian_step.is_finite() && file.jacobian_step > 0.0 && file.jacobian_step <= 0.5,
            "jacobian_step",
            "the finite-difference step, as a share of each range, must be above 0 and at most 0.5",
        )?;

        // The free keys.
        let mut params = Vec::new();
        let mut free_leaves = Vec::new();
        leaves("", &file.parameters, &mut free_leaves);
        if free_leaves.is_empty() {
            return Err(Error::input(at("parameters"), "names no key to calibrate"));
        }
        for (path, leaf) in free_leaves {
            let place = at(&format!("parameters.{path}"));
            let default = super::sweep::lookup(&resolved, &path).ok_or_else(|| {
                Error::input(
                    &place,
                    format!("{path} is not a scenario key (see docs/SCENARIO.md)"),
                )
            })?;
            let integer = match default {
                toml::Value::Integer(_) => true,
                toml::Value::Float(_) => false,
                _ => {
                    return Err(Error::input(
                        &place,
                        format!("{path} is not numeric, so it cannot be calibrated"),
                    ));
                }
            };
            if set.iter().any(|o| o.path.join(".") == path) {
                return Err(Error::input(
                    &place,
                    format!("{path} is also fixed in [set]; a key is either fixed or free"),
                ));
            }
            let p: ParamFile = serde_path_to_error::deserialize(leaf).map_err(|e| {
                Error::input(
                    &place,
                    format!(
                        "{} (a free key is {{ min = …, max = …, start = … }}, start optional)",
                        serde_message(&e.inner().to_string())
                    ),
                )
            })?;
            if !(p.min.is_finite() && p.max.is_finite() && p.min < p.max) {
                return Err(Error::input(
                    &place,
                    format!(
                        "an empty range: min = {} must be below max = {}",
                        p.min, p.max
                    ),
                ));
            }
            if integer && p.max - p.min < 2.0 {
                return Err(Error::input(
                    &place,
                    "a whole-number key needs a range of at least 2",
                ));
            }
            let start = p.start.unwrap_or((p.min + p.max) / 2.0);
            if !(p.min..=p.max).contains(&start) {
                return Err(Error::input(
                    &place,
                    format!("start = {start} is outside min..max"),
                ));
            }
            let free = Free {
                path: path.clone(),
                min: p.min,
                max: p.max,
                start,
                integer,
            };
            params.push(free);
        }
        // Every key alone at its min, start and max must make a valid scenario.
        for (i, p) in params.iter().enumerate() {
            for x in [p.min, p.start, p.max] {
                let mut values: Vec<f64> = params.iter().map(|q| q.start).collect();
                values[i] = if p.integer { x.round() } else { x };
                scenario_at(&base_source, &base_text, &set, &params, &values, None).map_err(
                    |e| {
                        Error::input(
                            at(&format!("parameters.{}", p.path)),
                            format!("at {}={x}: {e}", p.path),
                        )
                    },
                )?;
            }
        }

        // The moments.
        if file.moments.is_empty() {
            return Err(Error::input(at("moments"), "names no target moment"));
        }
        let metrics = metric_columns();
        let daily_cols = daily_columns();
        let mut moments = Vec::new();
        for (i, m) in file.moments.iter().enumerate() {
            let place = at(&format!("moments.{i}"));
            let bad = |what: String| Error::input(&place, what);
            let source = match (&m.metric, &m.daily) {
                (Some(metric), None) => {
                    if !metrics.contains(metric) {
                        return Err(bad(format!(
                            "metric {metric:?} is not a column of runs.csv (docs/OUTPUTS.md)"
                        )));
                    }
                    if m.stat.is_some() || m.from_day.is_some() || m.to_day.is_some() {
                        return Err(bad(
                            "stat, from_day and to_day belong to a daily moment".into()
                        ));
                    }
                    Source::Metric(metric.clone())
                }
                (None, Some(column)) => {
                    if !daily_cols.contains(column) {
                        return Err(bad(format!(
                            "daily {column:?} is not a column of daily.csv (docs/OUTPUTS.md)"
                        )));
                    }
                    let stat = match m.stat.as_deref().unwrap_or("mean") {
                        "mean" => Stat::Mean,
                        "sum" => Stat::Sum,
                        "min" => Stat::Min,
                        "max" => Stat::Max,
                        "last" => Stat::Last,
                        other => {
                            return Err(bad(format!(
                                "stat {other:?}: expected mean, sum, min, max or last"
                            )));
                        }
                    };
                    let from = m.from_day.unwrap_or(0);
                    let to = m.to_day.unwrap_or(base.run.days - 1);
                    if from > to || to >= base.run.days {
                        return Err(bad(format!(
                            "days {from} to {to}: the window must lie within days 0 to {}",
                            base.run.days - 1
                        )));
                    }
                    Source::Daily {
                        column: column.clone(),
                        stat,
                        from,
                        to,
                    }
                }
                _ => {
                    return Err(bad(
                        "give either `metric` (a runs.csv column) or `daily` (a daily.csv column)"
                            .into(),
                    ));
                }
            };
            let se = match (m.se, m.tolerance, m.sample) {
                (Some(se), None, None) | (None, Some(se), None) => se,
                (None, None, Some(n)) => {
                    if !(n.is_finite() && n >= 1.0) {
                        return Err(bad(format!("sample = {n}: must be at least 1")));
                    }
                    if !(m.target > 0.0 && m.target < 1.0) {
                        return Err(bad(format!(
                            "target = {}: a share of a sample must lie strictly between 0 and 1",
                            m.target
                        )));
                    }
                    (m.target * (1.0 - m.target) / n).sqrt()
                }
                _ => {
                    return Err(bad(
                        "give one of `se` (the target's standard error), `tolerance`, or `sample` (the size of the sample the target is a share of)"
                            .into(),
                    ));
                }
            };
            let group = match (&m.group, m.sample) {
                (None, _) => None,
                (Some(g), Some(n)) => {
                    let others = moments.iter().filter_map(|o: &Moment| match &o.group {
                        Some((h, k)) if h == g => Some((o.target, *k)),
                        _ => None,
                    });
                    let mut total = m.target;
                    for (t, k) in others {
                        if k != n {
                            return Err(bad(format!(
                                "group {g:?}: every share of one sample has the same `sample` ({k} and {n})"
                            )));
                        }
                        total += t;
                    }
                    if total > 1.0 + 1e-9 {
                        return Err(bad(format!(
                            "group {g:?}: the targets add up to {total}, more than 1"
                        )));
                    }
                    Some((g.clone(), n))
                }
                (Some(_), None) => {
                    return Err(bad(
                        "`group` needs `sample`: the size of the sample the shares come from"
                            .into(),
                    ));
                }
            };
            if !(se.is_finite() && se > 0.0) {
                return Err(bad(format!("se = {se}: must be above 0")));
            }
            if !m.target.is_finite() {
                return Err(bad("target must be a finite number".into()));
            }
            let name = m.name.clone().unwrap_or_else(|| source.describe());
            if moments.iter().any(|o: &Moment| o.name == name) {
                return Err(bad(format!("two moments are named {name:?}")));
            }
            moments.push(Moment {
                name,
                source,
                target: m.target,
                se,
                group,
            });
        }
        // W = Ω⁻¹: Ω is block-diagonal (a block a group), so the distance of a group is
        // Pearson's χ² over all its categories, the one left out included.
        let weight = invert(&target_covariance(&moments)).ok_or_else(|| {
            Error::input(
                at("moments"),
                "the shares of a group cover every answer (they add up to 1), so their covariance is singular: leave one category out",
            )
        })?;
        let d = params.len();
        let population = match file.population {
            Some(p) if p < 2 => {
                return Err(Error::input(at("population"), "must be at least 2"));
            }
            Some(p) => p,
            None => 4 + (3.0 * (d as f64).ln()).floor() as usize,
        };
        let seed = file.seed.unwrap_or(base.run.seed);
        let daily = moments
            .iter()
            .any(|m| matches!(m.source, Source::Daily { .. }));
        // `generations` and `polish` are left out: a calibration may be run again with more
        // of them, and goes on from where it stopped (the replay proposes the same
        // generations before it).
        let fingerprint = format!(
            "{}|{}|{}|{:?}|{:?}|{}|{}|{}|{}|{}",
            env!("CARGO_PKG_VERSION"),
            metrics.join(","),
            base.to_toml(),
            params,
            moments,
            file.replicates,
            seed,
            population,
            file.step,
            file.jacobian_step,
        );
        let mut id = crate::rng::mix64(0xca1b);
        for b in fingerprint.bytes() {
            id = crate::rng::mix64(id ^ b as u64);
        }
        Ok(Calibration {
            name: file.name.unwrap_or_else(|| base.run.name.clone()),
            base_source,
            base_text,
            dir: dir.to_path_buf(),
            base_arg: file.base,
            set,
            params,
            moments,
            replicates: file.replicates,
            seed,
            generations: file.generations,
            population,
            step: file.step,
            jacobian_step: file.jacobian_step,
            polish: file.polish,
            weight,
            daily,
            id: format!("{id:016x}"),
            source: name.to_string(),
        })
    }

    /// The sweep that evaluates `points` (natural values, one row a candidate): a `points`
    /// sweep on the calibration's seeds, its points file written to `csv`.
    fn sweep(&self, label: &str, points: &[Vec<f64>], csv: &Path) -> Result<Sweep> {
        let mut text = self
            .params
            .iter()
            .map(|p| p.path.clone())
            .collect::<Vec<_>>()
            .join(",");
        text.push('\n');
        for row in points {
            let cells: Vec<String> = self
                .params
                .iter()
                .zip(row)
                .map(|(p, &x)| super::sweep::cell(&p.toml(x)))
                .collect();
            text.push_str(&cells.join(","));
            text.push('\n');
        }
        write_atomic(csv, text.as_bytes())?;
        let sweep_text = format!(
            "name = {:?}\nbase = {:?}\ndesign = \"points\"\npoints_file = {:?}\nreplicates = {}\nseed = {}\ndaily = {}\n",
            format!("{}-{label}", self.name),
            self.base_arg,
            csv.display().to_string(),
            self.replicates,
            toml::Value::Integer(self.seed as i64),
            self.daily
        );
        let sweep_text = if i64::try_from(self.seed).is_ok() {
            sweep_text
        } else {
            sweep_text.replace(
                &format!("seed = {}", self.seed as i64),
                &format!("seed = \"{}\"", self.seed),
            )
        };
        Sweep::parse_with(
            &format!("{} ({label})", self.source),
            &sweep_text,
            &self.dir,
            self.set.clone(),
        )
    }

    /// The resolved scenario at natural values `values` (in the order of [`Self::params`]).
    pub fn scenario_at(&self, values: &[f64]) -> Result<Scenario> {
        self.scenario(values, None)
    }

    /// The resolved scenario at natural values `values`, named `name`.
    fn scenario(&self, values: &[f64], name: Option<&str>) -> Result<Scenario> {
        scenario_at(
            &self.base_source,
            &self.base_text,
            &self.set,
            &self.params,
            values,
            name,
        )
    }
}

fn scenario_at(
    base_source: &str,
    base_text: &str,
    set: &[Override],
    params: &[Free],
    values: &[f64],
    name: Option<&str>,
) -> Result<Scenario> {
    let mut o = set.to_vec();
    for (p, &x) in params.iter().zip(values) {
        let v = p.toml(x);
        o.push(Override {
            path: p.path.split('.').map(String::from).collect(),
            text: format!("{}={v}", p.path),
            place: format!("{}={v}", p.path),
            value: v,
        });
    }
    if let Some(n) = name {
        o.push(Override {
            path: vec!["run".into(), "name".into()],
            value: toml::Value::String(n.into()),
            text: format!("run.name={n}"),
            place: "the calibration's name".into(),
        });
    }
    parse_scenario(base_source, base_text, &o)
}

/// One evaluated candidate.
#[derive(Clone, Debug)]
pub struct Evaluation {
    pub generation: String,
    pub candidate: usize,
    pub values: Vec<f64>,
    /// The moments of each replicate: `[replicate][moment]`.
    pub replicates: Vec<Vec<f64>>,
    pub means: Vec<f64>,
    pub distance: f64,
}

/// The result of a finished calibration.
pub struct Outcome {
    pub dir: PathBuf,
    pub generations: usize,
    pub evaluations: usize,
    pub best: Evaluation,
    pub se: Option<Vec<f64>>,
    pub stopped: String,
    /// This process wrote the results (shard 0, or the whole calibration).
    pub wrote: bool,
}

/// `calibration.json`.
#[derive(Serialize)]
struct Manifest<'a> {
    tool: &'a str,
    version: &'a str,
    git_commit: &'a str,
    kind: &'a str,
    calibration_id: &'a str,
    name: &'a str,
    file: &'a str,
    base: &'a str,
    set: Vec<String>,
    replicates: u64,
    seed: u64,
    population: usize,
    generations_max: usize,
    generations_run: usize,
    evaluations: usize,
    runs: usize,
    stopped: &'a str,
    best_generation: &'a str,
    best_candidate: usize,
    best_distance: f64,
    moments: usize,
    parameters: usize,
    /// Moments minus parameters: the degrees of freedom of the distance at the optimum.
    degrees_of_freedom: i64,
    identified: bool,
    command: Vec<String>,
    finished_at: u64,
    finished_at_iso: String,
}

/// The metric values of a run's row, by column name.
fn row_values(header: &[String], row: &str) -> Result<HashMap<String, String>> {
    let record = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(row.as_bytes())
        .records()
        .next()
        .ok_or_else(|| Error::Run("an empty result row".into()))?
        .map_err(|e| Error::Run(e.to_string()))?;
    Ok(header
        .iter()
        .cloned()
        .zip(record.iter().map(String::from))
        .collect())
}

/// The folders that may hold a generation sweep's results: the folder and its shard folders.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut shards: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("shard-"))
            })
            .collect();
        shards.sort();
        out.extend(shards);
    }
    out
}

/// The evaluations of a generation sweep, or `None` while some run has no result yet. A
/// failed run is an error: the calibration cannot go on around it.
fn read_generation(
    cal: &Calibration,
    sweep: &Sweep,
    dir: &Path,
    label: &str,
) -> Result<Option<Vec<Evaluation>>> {
    let places: Vec<PathBuf> = sources(dir)
        .into_iter()
        .filter(|d| {
            crate::output::Marker::read(d)
                .is_some_and(|m| m.sweep_id.as_deref() == Some(&*sweep.id))
        })
        .collect();
    if places.is_empty() {
        return Ok(None);
    }
    // The header of a result row, from the sweep itself: another shard may be writing its
    // runs_manifest.csv at this moment.
    let mut header: Vec<String> = ["run_id", "point", "replicate", "seed"]
        .map(String::from)
        .to_vec();
    header.extend(sweep.params.iter().map(|p| p.path().to_string()));
    header.push("status".into());
    header.push("error".into());
    header.extend(metric_columns());
    let points = sweep.runs.len() / sweep.replicates as usize;
    let mut per_point: Vec<Vec<Vec<f64>>> = vec![Vec::new(); points];
    for run in &sweep.runs {
        let Some(path) = places
            .iter()
            .map(|p| p.join("results").join(format!("{}.row", run.run_id)))
            .find(|p| p.is_file())
        else {
            return Ok(None);
        };
        let row = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let cells = row_values(&header, &row)?;
        if cells.get("status").map(String::as_str) != Some("ok") {
            return Err(Error::Run(format!(
                "run {} of {label} failed ({}): {}; fix the cause, then run socsim calibrate again to retry it",
                run.run_id,
                path.display(),
                cells.get("error").cloned().unwrap_or_default()
            )));
        }
        let daily = if cal.daily {
            let p = path.with_extension("daily");
            Some(std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?)
        } else {
            None
        };
        let mut values = Vec::new();
        for m in &cal.moments {
            values.push(
                moment_value(m, &cells, daily.as_deref())
                    .map_err(|e| Error::Run(format!("run {} of {label}: {e}", run.run_id)))?,
            );
        }
        per_point[run.point].push(values);
    }
    Ok(Some(
        per_point
            .into_iter()
            .enumerate()
            .map(|(k, replicates)| {
                let means: Vec<f64> = (0..cal.moments.len())
                    .map(|j| replicates.iter().map(|r| r[j]).sum::<f64>() / replicates.len() as f64)
                    .collect();
                let distance = contributions(cal, &means).iter().sum();
                Evaluation {
                    generation: label.to_string(),
                    candidate: k,
                    values: sweep.runs[k * sweep.replicates as usize]
                        .values
                        .iter()
                        .map(|v| {
                            v.as_float()
                                .unwrap_or_else(|| v.as_integer().unwrap_or(0) as f64)
                        })
                        .collect(),
                    replicates,
                    means,
                    distance,
                }
            })
            .collect(),
    ))
}

/// The value of moment `m` in one run: its metric cell, or its statistic over the run's
/// `daily_long` rows (`run_id,day,metric,value`).
fn moment_value(
    m: &Moment,
    cells: &HashMap<String, String>,
    daily: Option<&str>,
) -> std::result::Result<f64, String> {
    match &m.source {
        Source::Metric(name) => {
            let cell = cells.get(name).map(String::as_str).unwrap_or("");
            cell.parse::<f64>().map_err(|_| {
                format!(
                    "moment {:?}: {name} is empty in this run (it is undefined there; see docs/OUTPUTS.md)",
                    m.name
                )
            })
        }
        Source::Daily {
            column,
            stat,
            from,
            to,
        } => {
            let mut xs = Vec::new();
            for line in daily.unwrap_or("").lines() {
                let mut it = line.splitn(4, ',');
                let (_, day, metric, value) = (it.next(), it.next(), it.next(), it.next());
                if metric != Some(column.as_str()) {
                    continue;
                }
                let day: u32 = day.and_then(|d| d.parse().ok()).unwrap_or(u32::MAX);
                if (*from..=*to).contains(&day) {
                    xs.push(value.and_then(|v| v.parse::<f64>().ok()).ok_or_else(|| {
                        format!("moment {:?}: day {day} has no {column}", m.name)
                    })?);
                }
            }
            if xs.is_empty() {
                return Err(format!(
                    "moment {:?}: no day {from}-{to} of {column}",
                    m.name
                ));
            }
            Ok(match stat {
                Stat::Mean => xs.iter().sum::<f64>() / xs.len() as f64,
                Stat::Sum => xs.iter().sum(),
                Stat::Min => xs.iter().cloned().fold(f64::INFINITY, f64::min),
                Stat::Max => xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
                Stat::Last => *xs.last().unwrap(),
            })
        }
    }
}

/// Where the search stands after replaying it over the generations already complete.
enum Next {
    /// Generation `g` needs evaluating: its candidates (natural values).
    Evaluate(usize, Vec<Vec<f64>>),
    /// The search is over: why.
    Done(String),
}

/// Replays CMA-ES from its seed with the distances of the complete generations `known`
/// (λ per generation, in the order it asked), up to the first generation not in it.
fn replay(cal: &Calibration, known: &[Vec<f64>]) -> Next {
    use cmaes::{CMAESOptions, DVector};
    let asked: RefCell<Vec<DVector<f64>>> = RefCell::new(Vec::new());
    let flat: Vec<f64> = known.iter().flatten().copied().collect();
    let objective = |x: &DVector<f64>| {
        let mut a = asked.borrow_mut();
        let i = a.len();
        a.push(x.clone());
        // A generation not yet evaluated is only being looked at: its values do not matter.
        flat.get(i).copied().unwrap_or(0.0)
    };
    let mean: Vec<f64> = cal.params.iter().map(|p| p.unit(p.start)).collect();
    let mut es = CMAESOptions::new(mean, cal.step)
        .population_size(cal.population)
        .max_generations(cal.generations)
        .seed(cal.seed ^ 0xca1b_0000)
        .build(objective)
        .expect("checked options");
    let mut g = 0;
    loop {
        let result = es.next();
        if g == known.len() {
            let a = asked.borrow();
            let points = a[g * cal.population..(g + 1) * cal.population]
                .iter()
                .map(|u| {
                    cal.params
                        .iter()
                        .zip(u.iter())
                        .map(|(p, &x)| p.value(x))
                        .collect()
                })
                .collect();
            return Next::Evaluate(g, points);
        }
        g += 1;
        if let Some(data) = result {
            let reasons: Vec<String> = data.reasons.iter().map(|r| r.to_string()).collect();
            return Next::Done(reasons.join(", "));
        }
    }
}

/// What running one generation sweep needs.
pub struct Runner {
    pub shard: Shard,
    pub jobs: usize,
    pub quiet: bool,
    /// How long a shard waits between looks at the other shards' progress.
    pub poll: Duration,
}

impl Runner {
    /// Evaluates `points` as the sweep `label` under `out/generations/`, waiting for the
    /// other shards when sharded.
    fn evaluate(
        &self,
        cal: &Calibration,
        out: &Path,
        label: &str,
        points: &[Vec<f64>],
    ) -> Result<Vec<Evaluation>> {
        let generations = out.join("generations");
        std::fs::create_dir_all(&generations).map_err(|e| Error::io(&generations, e))?;
        let sweep = cal.sweep(label, points, &generations.join(format!("{label}.csv")))?;
        sweep.check_points()?;
        let dir = generations.join(label);
        if let Some(done) = read_generation(cal, &sweep, &dir, label)? {
            return Ok(done);
        }
        if !self.quiet {
            eprintln!(
                "calibrate {}: {label}, {} candidates × {} replicates{}",
                cal.name,
                points.len(),
                cal.replicates,
                if self.shard == Shard::ALL {
                    String::new()
                } else {
                    format!(", shard {}/{}", self.shard.index, self.shard.count)
                }
            );
        }
        run_sweep(&sweep, &dir, self.shard, None, self.jobs, true)?;
        loop {
            if let Some(done) = read_generation(cal, &sweep, &dir, label)? {
                return Ok(done);
            }
            if self.shard == Shard::ALL {
                return Err(Error::Run(format!(
                    "{}: runs of {label} are missing after it ran",
                    dir.display()
                )));
            }
            std::thread::sleep(self.poll);
        }
    }
}

/// Runs (or resumes) the calibration into `out`.
pub fn calibrate(cal: &Calibration, out: &Path, runner: &Runner) -> Result<Outcome> {
    let patience = if runner.shard == Shard::ALL {
        Duration::ZERO
    } else {
        Duration::from_secs(60)
    };
    let claim = InPlace::claim(out, Kind::Calibration, &cal.id, &FILES, |_| None, patience)?;
    let out = claim.dir.clone();
    // Shards share the folder: each holds its claim only while it checks it.
    let claim = if runner.shard == Shard::ALL {
        Some(claim)
    } else {
        drop(claim);
        None
    };
    let mut known: Vec<Vec<f64>> = Vec::new();
    let mut all: Vec<Evaluation> = Vec::new();
    let stopped = loop {
        match replay(cal, &known) {
            Next::Evaluate(g, points) => {
                let evals = runner.evaluate(cal, &out, &format!("g{g:04}"), &points)?;
                known.push(evals.iter().map(|e| e.distance).collect());
                all.extend(evals);
            }
            Next::Done(why) => break why,
        }
    };
    // The first of the lowest distances.
    let best = all
        .iter()
        .fold(None::<&Evaluation>, |b, e| match b {
            Some(b) if b.distance <= e.distance => Some(b),
            _ => Some(e),
        })
        .expect("at least one generation")
        .clone();

    // Gauss–Newton steps from the best candidate, each checked by a run of its own (halved
    // up to three times until the distance falls), then the Jacobian at the final point.
    let mut best = best;
    let mut g = jacobian(cal, runner, &out, &best)?;
    let mut jacobians = 1;
    for step in 1..=cal.polish {
        let Some(delta) = gauss_newton(cal, &g, &best) else {
            break;
        };
        let mut moved = false;
        for half in 0..4 {
            let alpha = 0.5f64.powi(half);
            let candidate: Vec<f64> = cal
                .params
                .iter()
                .zip(&best.values)
                .zip(&delta)
                .map(|((p, x), d)| {
                    let y = (x + alpha * d).clamp(p.min, p.max);
                    if p.integer { y.round() } else { y }
                })
                .collect();
            if candidate == best.values {
                break;
            }
            let label = format!("polish{step}-{}-a{half}", tag(&best.values));
            let e = runner.evaluate(cal, &out, &label, &[candidate])?.remove(0);
            all.push(e.clone());
            if e.distance < best.distance {
                best = e;
                moved = true;
                break;
            }
        }
        if !moved {
            break;
        }
        g = jacobian(cal, runner, &out, &best)?;
        jacobians += 1;
    }
    let d = cal.params.len();
    let se = covariance(cal, &g, &best).map(|v| (0..d).map(|i| v[i][i].max(0.0).sqrt()).collect());

    let wrote = runner.shard.index == 0;
    if wrote {
        // Shard 0 writes the results, under the folder's lock.
        let claim = match claim {
            Some(c) => c,
            None => InPlace::claim(&out, Kind::Calibration, &cal.id, &FILES, |_| None, patience)?,
        };
        let runs = (all.len() + jacobians * 2 * d) * cal.replicates as usize;
        write_results(
            cal,
            &claim.dir,
            &all,
            &best,
            se.as_deref(),
            &stopped,
            known.len(),
            runs,
        )?;
    }
    Ok(Outcome {
        dir: out,
        generations: known.len(),
        evaluations: all.len(),
        best,
        se,
        stopped,
        wrote,
    })
}

/// The Jacobian of the moment means at `at`, by central differences of `jacobian_step` of
/// each range (one-sided at a face), on the calibration's seeds: `[moment][parameter]`.
fn jacobian(
    cal: &Calibration,
    runner: &Runner,
    out: &Path,
    at: &Evaluation,
) -> Result<Vec<Vec<f64>>> {
    let mut points = Vec::new();
    let mut steps = Vec::new();
    for (i, p) in cal.params.iter().enumerate() {
        let mut h = cal.jacobian_step * (p.max - p.min);
        if p.integer {
            h = h.round().max(1.0);
        }
        let up = (at.values[i] + h).min(p.max);
        let down = (at.values[i] - h).max(p.min);
        let mut plus = at.values.clone();
        plus[i] = up;
        let mut minus = at.values.clone();
        minus[i] = down;
        points.push(plus);
        points.push(minus);
        steps.push(up - down);
    }
    // Named by the point: a calibration run again with more generations may find another.
    let label = format!("jacobian-{}", tag(&at.values));
    let jac = runner.evaluate(cal, out, &label, &points)?;
    Ok((0..cal.moments.len())
        .map(|j| {
            (0..cal.params.len())
                .map(|i| (jac[2 * i].means[j] - jac[2 * i + 1].means[j]) / steps[i])
                .collect()
        })
        .collect())
}

/// Six hex digits of a hash of a point's values, to name the sweeps evaluated around it.
fn tag(values: &[f64]) -> String {
    let mut h = 0u64;
    for x in values {
        h = crate::rng::mix64(h ^ x.to_bits());
    }
    format!("{:06x}", h >> 40)
}

/// The Gauss–Newton step δ = −(Gᵀ W G)⁻¹ Gᵀ W (m̄ − target) from `at`, or `None` when the
/// moments do not identify the parameters there.
fn gauss_newton(cal: &Calibration, g: &[Vec<f64>], at: &Evaluation) -> Option<Vec<f64>> {
    let d = cal.params.len();
    let wg = times(&cal.weight, g);
    let a_inv = invert(&gram(g, &wg))?;
    let r = residuals(cal, &at.means);
    let b: Vec<f64> = (0..d)
        .map(|i| (0..r.len()).map(|m| wg[m][i] * r[m]).sum())
        .collect();
    Some(
        (0..d)
            .map(|i| -(0..d).map(|j| a_inv[i][j] * b[j]).sum::<f64>())
            .collect(),
    )
}

/// The sandwich covariance of θ̂ (module docs), or `None` when the moments do not identify
/// the parameters (Gᵀ W G singular).
fn covariance(cal: &Calibration, g: &[Vec<f64>], best: &Evaluation) -> Option<Vec<Vec<f64>>> {
    let k = cal.moments.len();
    let d = cal.params.len();
    // Ω + Σ/R: the targets' variance and the simulated means' variance across replicates.
    let r = best.replicates.len();
    let mut s = target_covariance(&cal.moments);
    for a in 0..k {
        if r >= 2 {
            for b in 0..k {
                let cov = best
                    .replicates
                    .iter()
                    .map(|x| (x[a] - best.means[a]) * (x[b] - best.means[b]))
                    .sum::<f64>()
                    / (r - 1) as f64;
                s[a][b] += cov / r as f64;
            }
        }
    }
    let wg = times(&cal.weight, g);
    let a_inv = invert(&gram(g, &wg))?;
    // B = (WG)ᵀ S (WG).
    let b_mat = gram(&wg, &times(&s, &wg));
    let mul = |x: &[Vec<f64>], y: &[Vec<f64>]| -> Vec<Vec<f64>> {
        (0..d)
            .map(|i| {
                (0..d)
                    .map(|j| (0..d).map(|l| x[i][l] * y[l][j]).sum())
                    .collect()
            })
            .collect()
    };
    Some(mul(&mul(&a_inv, &b_mat), &a_inv))
}

/// m̄ − target.
fn residuals(cal: &Calibration, means: &[f64]) -> Vec<f64> {
    means
        .iter()
        .zip(&cal.moments)
        .map(|(x, m)| x - m.target)
        .collect()
}

/// Each moment's part of the distance rᵀ W r: r_k · (W r)_k, which is z_k² for a moment
/// outside a group; they sum to the distance.
fn contributions(cal: &Calibration, means: &[f64]) -> Vec<f64> {
    let r = residuals(cal, means);
    (0..r.len())
        .map(|a| r[a] * (0..r.len()).map(|b| cal.weight[a][b] * r[b]).sum::<f64>())
        .collect()
}

/// The product of a k × k matrix and a k × d one.
fn times(x: &[Vec<f64>], y: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let d = y.first().map_or(0, Vec::len);
    x.iter()
        .map(|row| {
            (0..d)
                .map(|i| row.iter().zip(y).map(|(a, yr)| a * yr[i]).sum())
                .collect()
        })
        .collect()
}

/// xᵀ y for two k × d matrices: d × d.
fn gram(x: &[Vec<f64>], y: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let d = x.first().map_or(0, Vec::len);
    (0..d)
        .map(|i| {
            (0..d)
                .map(|j| x.iter().zip(y).map(|(xr, yr)| xr[i] * yr[j]).sum())
                .collect()
        })
        .collect()
}

/// Ω, the targets' sampling covariance: se² on the diagonal, −target_a · target_b / n between
/// two shares of one sample of n (a `group`, as in a multinomial), 0 elsewhere.
pub fn target_covariance(moments: &[Moment]) -> Vec<Vec<f64>> {
    let k = moments.len();
    let mut s = vec![vec![0.0; k]; k];
    for a in 0..k {
        s[a][a] = moments[a].se.powi(2);
        for b in 0..k {
            if let (Some((ga, n)), Some((gb, _))) = (&moments[a].group, &moments[b].group)
                && a != b
                && ga == gb
            {
                s[a][b] = -moments[a].target * moments[b].target / n;
            }
        }
    }
    s
}

/// The inverse of a small square matrix by Gauss–Jordan elimination with partial pivoting;
/// `None` when it is singular (a pivot below 1e-12 of the largest diagonal entry).
pub fn invert(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let scale = (0..n).map(|i| a[i][i].abs()).fold(0.0, f64::max);
    if !(scale > 0.0 && scale.is_finite()) {
        return None;
    }
    let mut m: Vec<Vec<f64>> = a
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut r = row.clone();
            r.extend((0..n).map(|j| if i == j { 1.0 } else { 0.0 }));
            r
        })
        .collect();
    for c in 0..n {
        let p = (c..n).max_by(|&x, &y| m[x][c].abs().total_cmp(&m[y][c].abs()))?;
        if m[p][c].abs() < 1e-12 * scale {
            return None;
        }
        m.swap(c, p);
        let pivot = m[c][c];
        for x in m[c].iter_mut() {
            *x /= pivot;
        }
        let pivot_row = m[c].clone();
        for (r, row) in m.iter_mut().enumerate() {
            let f = row[c];
            if r != c && f != 0.0 {
                for (x, y) in row.iter_mut().zip(&pivot_row) {
                    *x -= f * y;
                }
            }
        }
    }
    Some(m.into_iter().map(|r| r[n..].to_vec()).collect())
}

fn csv_text(header: &[String], rows: &[Vec<String>]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(header).expect("writing to memory");
    for r in rows {
        w.write_record(r).expect("writing to memory");
    }
    String::from_utf8(w.into_inner().expect("writing to memory")).expect("utf-8")
}

fn num(x: f64) -> String {
    if x.is_finite() {
        x.to_string()
    } else {
        String::new()
    }
}

#[allow(clippy::too_many_arguments)]
fn write_results(
    cal: &Calibration,
    out: &Path,
    all: &[Evaluation],
    best: &Evaluation,
    se: Option<&[f64]>,
    stopped: &str,
    generations: usize,
    runs: usize,
) -> Result<()> {
    // parameters.csv
    let header: Vec<String> = [
        "parameter",
        "estimate",
        "se",
        "low",
        "high",
        "min",
        "max",
        "start",
    ]
    .map(String::from)
    .to_vec();
    let rows: Vec<Vec<String>> = cal
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let s = se.map(|s| s[i]);
            vec![
                p.path.clone(),
                num(best.values[i]),
                s.map(num).unwrap_or_default(),
                s.map(|s| num(best.values[i] - 1.96 * s))
                    .unwrap_or_default(),
                s.map(|s| num(best.values[i] + 1.96 * s))
                    .unwrap_or_default(),
                num(p.min),
                num(p.max),
                num(p.start),
            ]
        })
        .collect();
    write_atomic(
        &out.join("parameters.csv"),
        csv_text(&header, &rows).as_bytes(),
    )?;

    // moments.csv
    let header: Vec<String> = [
        "moment",
        "source",
        "target",
        "se",
        "simulated",
        "simulated_se",
        "z",
        "contribution",
    ]
    .map(String::from)
    .to_vec();
    let r = best.replicates.len();
    let parts = contributions(cal, &best.means);
    let rows: Vec<Vec<String>> = cal
        .moments
        .iter()
        .enumerate()
        .map(|(j, m)| {
            let mean = best.means[j];
            let sim_se = if r >= 2 {
                let var = best
                    .replicates
                    .iter()
                    .map(|x| (x[j] - mean).powi(2))
                    .sum::<f64>()
                    / (r - 1) as f64;
                num((var / r as f64).sqrt())
            } else {
                String::new()
            };
            let z = (mean - m.target) / m.se;
            vec![
                m.name.clone(),
                m.source.describe(),
                num(m.target),
                num(m.se),
                num(mean),
                sim_se,
                num(z),
                num(parts[j]),
            ]
        })
        .collect();
    write_atomic(
        &out.join("moments.csv"),
        csv_text(&header, &rows).as_bytes(),
    )?;

    // evaluations.csv
    let mut header: Vec<String> = vec!["generation".into(), "candidate".into()];
    header.extend(cal.params.iter().map(|p| p.path.clone()));
    header.push("distance".into());
    header.extend(cal.moments.iter().map(|m| m.name.clone()));
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|e| {
            let mut row = vec![e.generation.clone(), e.candidate.to_string()];
            row.extend(e.values.iter().map(|&x| num(x)));
            row.push(num(e.distance));
            row.extend(e.means.iter().map(|&x| num(x)));
            row
        })
        .collect();
    write_atomic(
        &out.join("evaluations.csv"),
        csv_text(&header, &rows).as_bytes(),
    )?;

    // scenario.toml: the base with [set] and the estimates, resolved.
    let scenario = cal.scenario(&best.values, Some(&cal.name))?;
    let mut text = format!(
        "# Written by socsim calibrate from {} (calibration {}).\n# Estimates: {}.\n# Distance {:.3e} over {} moment(s); docs/EXPERIMENTS.md, \"Calibration\".\n",
        cal.source,
        cal.id,
        cal.params
            .iter()
            .zip(&best.values)
            .map(|(p, x)| format!("{}={}", p.path, num(*x)))
            .collect::<Vec<_>>()
            .join(", "),
        best.distance,
        cal.moments.len()
    );
    text.push_str(&scenario.to_toml());
    write_atomic(&out.join("scenario.toml"), text.as_bytes())?;

    let finished_at = now_unix();
    let manifest = Manifest {
        tool: "socsim",
        version: env!("CARGO_PKG_VERSION"),
        git_commit: crate::output::GIT_COMMIT,
        kind: "calibration",
        calibration_id: &cal.id,
        name: &cal.name,
        file: &cal.source,
        base: &cal.base_source,
        set: cal.set.iter().map(|o| o.text.clone()).collect(),
        replicates: cal.replicates,
        seed: cal.seed,
        population: cal.population,
        generations_max: cal.generations,
        generations_run: generations,
        evaluations: all.len(),
        runs,
        stopped,
        best_generation: &best.generation,
        best_candidate: best.candidate,
        best_distance: best.distance,
        moments: cal.moments.len(),
        parameters: cal.params.len(),
        degrees_of_freedom: cal.moments.len() as i64 - cal.params.len() as i64,
        identified: se.is_some(),
        command: std::env::args().collect(),
        finished_at,
        finished_at_iso: crate::output::iso_utc(finished_at),
    };
    write_json(&out.join("calibration.json"), &manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invert_a_known_matrix() {
        let a = vec![vec![4.0, 7.0], vec![2.0, 6.0]];
        let inv = invert(&a).unwrap();
        let expect = [[0.6, -0.7], [-0.2, 0.4]];
        for i in 0..2 {
            for j in 0..2 {
                assert!((inv[i][j] - expect[i][j]).abs() < 1e-12);
            }
        }
        assert!(invert(&[vec![1.0, 2.0], vec![2.0, 4.0]]).is_none());
    }

    /// Shares of one sample: Ω against the empirical covariance of 40,000 multinomial samples
    /// of 123 draws (a known result: Var = p(1 − p)/n, Cov = −p_a·p_b/n), within 5 % of
    /// each variance and 0.1 of each correlation's size; the standard errors come from the
    /// targets and `sample`, and two groups do not covary.
    #[test]
    fn shares_of_one_sample_covary_as_a_multinomial() {
        let text = "base = \"baseline\"\n[parameters]\n\"returns.base\" = { min = -4.0, max = -1.0 }\n\
            [[moments]]\nmetric = \"rates.return_rate\"\ntarget = 0.2\nsample = 123\ngroup = \"f\"\n\
            [[moments]]\nmetric = \"rates.cancel_rate\"\ntarget = 0.3\nsample = 123\ngroup = \"f\"\n\
            [[moments]]\nmetric = \"rates.engagement_rate\"\ntarget = 0.4\nsample = 123\ngroup = \"f\"\n\
            [[moments]]\nmetric = \"rates.conversion_rate\"\ntarget = 0.5\nsample = 50\ngroup = \"g\"\n";
        let cal = Calibration::parse("t.toml", text, Path::new(".")).unwrap();
        let omega = target_covariance(&cal.moments);
        let p = [0.2, 0.3, 0.4];
        let n = 123;
        let draws = 40_000;
        let mut rng = crate::rng::stream(5, crate::rng::Purpose::Engage, 0, 0);
        let mut x = vec![[0.0f64; 3]; draws];
        for row in x.iter_mut() {
            for _ in 0..n {
                let u = rand::RngExt::random::<f64>(&mut rng);
                let c = if u < 0.2 {
                    0
                } else if u < 0.5 {
                    1
                } else if u < 0.9 {
                    2
                } else {
                    3
                };
                if c < 3 {
                    row[c] += 1.0 / n as f64;
                }
            }
        }
        let mean: Vec<f64> = (0..3)
            .map(|a| x.iter().map(|r| r[a]).sum::<f64>() / draws as f64)
            .collect();
        for a in 0..3 {
            assert!((cal.moments[a].se - (p[a] * (1.0 - p[a]) / n as f64).sqrt()).abs() < 1e-15);
            for b in 0..3 {
                let cov = x
                    .iter()
                    .map(|r| (r[a] - mean[a]) * (r[b] - mean[b]))
                    .sum::<f64>()
                    / (draws - 1) as f64;
                if a == b {
                    assert!(
                        (cov / omega[a][a] - 1.0).abs() < 0.05,
                        "{a}: {cov} {}",
                        omega[a][a]
                    );
                } else {
                    let scale = (omega[a][a] * omega[b][b]).sqrt();
                    assert!(((cov - omega[a][b]) / scale).abs() < 0.1, "{a},{b}");
                    assert!(omega[a][b] < 0.0);
                }
            }
            assert_eq!(omega[a][3], 0.0);
        }
        assert!((omega[3][3] - 0.25 / 50.0).abs() < 1e-15);
        // With W = Ω⁻¹ a group's distance is Pearson's χ² over all its categories, the one
        // left out (0.1, the rest of the sample) included: n Σ_j (m_j − p_j)² / p_j.
        let means = [0.25, 0.2, 0.4, 0.5];
        let parts = contributions(&cal, &means);
        let (m, q): ([f64; 4], [f64; 4]) = ([0.25, 0.2, 0.4, 0.15], [0.2, 0.3, 0.4, 0.1]);
        let pearson = n as f64 * (0..4).map(|j| (m[j] - q[j]).powi(2) / q[j]).sum::<f64>();
        assert!((parts[..3].iter().sum::<f64>() - pearson).abs() < 1e-9 * pearson);
        assert_eq!(parts[3], 0.0);
        // A group whose shares add up to more than 1, or mix sample sizes, is refused.
        for (from, to, message) in [
            ("target = 0.4", "target = 0.6", "add up to"),
            ("target = 0.4", "target = 0.5", "leave one category out"),
            (
                "target = 0.4\nsample = 123",
                "target = 0.4\nsample = 124",
                "the same `sample`",
            ),
        ] {
            let bad = text.replacen(from, to, 1);
            let e = Calibration::parse("t.toml", &bad, Path::new("."))
                .err()
                .unwrap();
            assert!(e.to_string().contains(message), "{e}");
        }
    }

    #[test]
    fn the_fold_maps_every_real_into_the_range() {
        let p = Free {
            path: "x".into(),
            min: 2.0,
            max: 4.0,
            start: 3.0,
            integer: false,
        };
        assert_eq!(p.value(0.25), 2.5);
        assert_eq!(p.value(1.25), 3.5); // mirrored at the top face
        assert_eq!(p.value(-0.25), 2.5); // and at the bottom one
        assert_eq!(p.value(2.25), 2.5);
        for u in [-7.3, -1.0, 0.0, 0.999, 5.5, 1e6] {
            let x = p.value(u);
            assert!((2.0..=4.0).contains(&x), "{u} → {x}");
        }
    }

    // The search itself, on a known function: CMA-ES through the replay finds the minimum of a
    // quadratic bowl in the unit cube, and replaying with the same distances gives the same
    // generations (what a resumed calibration relies on).
    #[test]
    fn the_replay_finds_a_quadratic_minimum_and_is_repeatable() {
        let text = "base = \"baseline\"\ngenerations = 60\n[parameters]\n\"behaviour.engage_bias\" = { min = 0.0, max = 10.0 }\n\"behaviour.purchase_threshold\" = { min = 0.0, max = 10.0 }\n[[moments]]\nmetric = \"rates.return_rate\"\ntarget = 0.1\nse = 0.01\n";
        let cal = Calibration::parse("t.toml", text, Path::new(".")).unwrap();
        let f = |x: &[f64]| (x[0] - 6.5).powi(2) + 3.0 * (x[1] - 2.25).powi(2);
        let mut known: Vec<Vec<f64>> = Vec::new();
        let mut asked = Vec::new();
        let mut best = (f64::INFINITY, vec![]);
        while let Next::Evaluate(g, points) = replay(&cal, &known) {
            assert_eq!(g, known.len());
            let values: Vec<f64> = points.iter().map(|p| f(p)).collect();
            for (p, v) in points.iter().zip(&values) {
                if *v < best.0 {
                    best = (*v, p.clone());
                }
            }
            asked.push(points);
            known.push(values);
        }
        assert!(
            (best.1[0] - 6.5).abs() < 1e-3 && (best.1[1] - 2.25).abs() < 1e-3,
            "{best:?}"
        );
        // Replaying any prefix proposes the same next generation.
        for g in [0, 3, 10] {
            match replay(&cal, &known[..g]) {
                Next::Evaluate(h, points) => {
                    assert_eq!(h, g);
                    assert_eq!(points, asked[g]);
                }
                Next::Done(_) => panic!("stopped early"),
            }
        }
    }
}
