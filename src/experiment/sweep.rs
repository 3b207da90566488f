//! Sweep files: a base scenario, fixed overrides, the parameters to vary, a design and a
//! number of replicates, expanded into an ordered list of runs.

use super::design;
use crate::error::{Error, Result};
use crate::rng::{mix64, replicate_seed};
use crate::scenario::{
    self, Override, Scenario, key_path, name_problem, parse_scenario, parse_toml, place_in,
    serde_message,
};
use serde::Deserialize;
use std::path::Path;

/// Morris's levels when a sweep file gives none.
pub const MORRIS_LEVELS: u64 = 4;

/// The most runs one sweep may have (its manifest is held in memory, about 200 bytes a run).
pub const MAX_RUNS: u64 = 10_000_000;

/// The sweep file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SweepFile {
    name: Option<String>,
    base: String,
    #[serde(default = "one")]
    replicates: u64,
    #[serde(default, deserialize_with = "scenario::seed::deserialize_option")]
    seed: Option<u64>,
    #[serde(default = "grid")]
    design: Design,
    points: Option<u64>,
    /// Morris: the grid's levels.
    levels: Option<u64>,
    /// Points: the CSV file of points (relative to the sweep file).
    points_file: Option<String>,
    #[serde(default)]
    daily: bool,
    #[serde(default)]
    set: toml::Table,
    #[serde(default)]
    vary: toml::Table,
}

fn one() -> u64 {
    1
}
fn grid() -> Design {
    Design::Grid
}

scenario::choice! {
    /// `design` of a sweep file: how the points of the sweep are chosen.
    pub enum Design("design") {
        /// Every combination of the listed values.
        Grid = "grid",
        /// A Latin hypercube sample of `points` points over the ranges.
        Lhs = "lhs",
        /// An Owen-scrambled Sobol sequence of `points` points over the ranges.
        Sobol = "sobol",
        /// Saltelli's scheme for Sobol indices: `points` = N base samples, N·(d + 2) points.
        Saltelli = "saltelli",
        /// Morris's elementary effects: `points` = r trajectories of d + 1 points each, on a
        /// grid of `levels` levels.
        Morris = "morris",
        /// The points of a CSV file (`points_file`): a header of scenario keys, a row a point.
        Points = "points",
    }
}

/// A varied parameter: a scenario key path and its values (grid) or range (lhs, sobol).
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Values {
        path: String,
        values: Vec<toml::Value>,
    },
    Range {
        path: String,
        min: f64,
        max: f64,
        integer: bool,
    },
}

impl Param {
    pub fn path(&self) -> &str {
        match self {
            Param::Values { path, .. } | Param::Range { path, .. } => path,
        }
    }
}

/// One run of a sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    /// Position in the manifest (0-based).
    pub index: usize,
    /// `p<point>-<6 hex digits of a hash of the point's values>-r<replicate>`.
    pub run_id: String,
    pub point: usize,
    pub replicate: u64,
    /// Derived from the master seed and the replicate only: every point of a replicate shares
    /// common random numbers.
    pub seed: u64,
    /// The varied parameters' values, in the order of [`Sweep::params`].
    pub values: Vec<toml::Value>,
}

/// A sweep, expanded.
pub struct Sweep {
    pub name: String,
    /// Where the base scenario came from, for messages.
    pub base_source: String,
    base_text: String,
    set: Vec<Override>,
    pub params: Vec<Param>,
    pub design: Design,
    /// `points` of the sweep file (lhs, sobol: points; saltelli: N; morris: trajectories).
    pub points: Option<u64>,
    /// Morris's levels (morris only).
    pub levels: Option<u64>,
    pub replicates: u64,
    pub master_seed: u64,
    /// Also write `daily_long.csv`.
    pub daily: bool,
    pub runs: Vec<RunSpec>,
    /// A hash of everything that determines the runs and their results.
    pub id: String,
    /// The base scenario with `[set]` applied, fully resolved (TOML text).
    pub base_resolved: String,
}

impl Sweep {
    /// The `[set]` overrides, each as `key.path=value`.
    pub fn set_lines(&self) -> Vec<String> {
        self.set.iter().map(|o| o.text.clone()).collect()
    }
}

/// A TOML value as a CSV cell: strings bare, numbers and booleans as TOML writes them.
pub fn cell(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The base scenario a sweep or calibration file names: a scenario file (relative to `dir`)
/// or a built-in name. Returns where it came from (for messages) and its text; an error names
/// `place`.
pub(super) fn base_scenario(base: &str, dir: &Path, place: &str) -> Result<(String, String)> {
    let base_path = dir.join(base);
    if base_path.exists() && !base_path.is_dir() {
        let t =
            scenario::read_file(&base_path, "scenario file").map_err(|e| Error::input(place, e))?;
        Ok((base_path.display().to_string(), t))
    } else if let Some(t) = scenario::built_in(base) {
        Ok((format!("built-in {base}"), t.to_string()))
    } else {
        Err(Error::input(
            place,
            format!(
                "{base:?} (looked for {}) is {}",
                base_path.display(),
                scenario::not_found(base, base_path.is_dir())
            ),
        ))
    }
}

/// A file's `[set]` table as overrides, each placed by `at("set.<key>")`.
pub(super) fn set_overrides(table: &toml::Table, at: impl Fn(&str) -> String) -> Vec<Override> {
    let mut set_leaves = Vec::new();
    leaves("", table, &mut set_leaves);
    set_leaves
        .iter()
        .map(|(p, v)| Override {
            path: p.split('.').map(String::from).collect(),
            value: v.clone(),
            text: format!("{p}={v}"),
            place: at(&format!("set.{p}")),
        })
        .collect()
}

/// Flattens nested tables (`[vary.returns] window_days = …`) and dotted keys
/// (`"returns.window_days" = …`) into (path, leaf) pairs; a leaf is a value, a list or a
/// `{ min, max }` table.
pub(super) fn leaves(prefix: &str, table: &toml::Table, out: &mut Vec<(String, toml::Value)>) {
    for (k, v) in table {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) if !(t.contains_key("min") || t.contains_key("max")) => {
                leaves(&path, t, out)
            }
            other => out.push((path, other.clone())),
        }
    }
}

impl Sweep {
    /// Reads and expands a sweep file (at most [`scenario::MAX_FILE_BYTES`]).
    pub fn load(path: &Path) -> Result<Sweep> {
        Sweep::load_with(path, Vec::new())
    }

    /// [`Sweep::load`], with `extra` overrides (the command line's `--set` and `--days`)
    /// applied to every run after the file's `[set]`.
    pub fn load_with(path: &Path, extra: Vec<Override>) -> Result<Sweep> {
        let text = scenario::read_file(path, "sweep file")?;
        Sweep::parse_with(
            &path.display().to_string(),
            &text,
            path.parent().unwrap_or(Path::new(".")),
            extra,
        )
    }

    /// Parses and expands sweep-file text; `dir` resolves a relative `base` path.
    pub fn parse(name: &str, text: &str, dir: &Path) -> Result<Sweep> {
        Sweep::parse_with(name, text, dir, Vec::new())
    }

    /// [`Sweep::parse`] with `extra` overrides after the file's `[set]`.
    pub fn parse_with(name: &str, text: &str, dir: &Path, extra: Vec<Override>) -> Result<Sweep> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let at = |path: &str| {
            place_in(
                name,
                text,
                &path.split('.').map(String::from).collect::<Vec<_>>(),
            )
        };
        let table = parse_toml(name, text)?;
        let file: SweepFile =
            serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|e| {
                let path = key_path(e.path()).join(".");
                Error::input(at(&path), serde_message(&e.inner().to_string()))
            })?;
        if let Some(problem) = file.name.as_deref().and_then(name_problem) {
            return Err(Error::input(at("name"), problem));
        }

        // The base scenario: a file (relative to the sweep file) or a built-in name.
        let (base_source, base_text) = base_scenario(&file.base, dir, &at("base"))?;

        let mut set = set_overrides(&file.set, at);
        let mut varied = Vec::new();
        leaves("", &file.vary, &mut varied);
        for o in &extra {
            let path = o.path.join(".");
            if varied.iter().any(|(p, _)| *p == path) {
                return Err(Error::input(
                    &o.place,
                    format!("{path} is varied by the sweep; a fixed value would undo that"),
                ));
            }
        }
        set.extend(extra);
        // An error at a [set] key names that line; any other names the base scenario's line,
        // after the sweep line that brought the base (and the [set] keys) in.
        let base: Scenario = parse_scenario(&base_source, &base_text, &set).map_err(|e| {
            let m = e.to_string();
            if m.starts_with(&format!("{name} line ")) || m.starts_with(&format!("{name}, ")) {
                e
            } else {
                Error::input(at(if set.is_empty() { "base" } else { "set" }), m)
            }
        })?;
        let resolved: toml::Table = toml::from_str(&base.to_toml()).expect("a scenario serializes");

        if file.replicates == 0 {
            return Err(Error::input(at("replicates"), "must be at least 1"));
        }
        let design = file.design;
        let mut vary = Vec::new();
        leaves("", &file.vary, &mut vary);
        if design == Design::Points {
            if !vary.is_empty() {
                return Err(Error::input(
                    at("vary"),
                    "design \"points\" takes its keys from the header of `points_file`; leave out [vary]",
                ));
            }
        } else if vary.is_empty() {
            return Err(Error::input(at("vary"), "names no parameter to vary"));
        }
        if file.levels.is_some() && design != Design::Morris {
            return Err(Error::input(
                at("levels"),
                "only design = \"morris\" takes `levels`",
            ));
        }
        if file.points_file.is_some() && design != Design::Points {
            return Err(Error::input(
                at("points_file"),
                "only design = \"points\" takes `points_file`",
            ));
        }
        let table_points = match (&file.points_file, design) {
            (Some(f), Design::Points) => {
                if file.points.is_some() {
                    return Err(Error::input(
                        at("points"),
                        "design \"points\" has as many points as `points_file` has rows; leave out `points`",
                    ));
                }
                Some(read_points(&dir.join(f), &resolved)?)
            }
            (None, Design::Points) => {
                return Err(Error::input(
                    at("design"),
                    "design \"points\" needs `points_file`, a CSV file of points",
                ));
            }
            _ => None,
        };
        let mut params = Vec::new();
        if let Some((keys, _)) = &table_points {
            for (path, values) in keys {
                params.push(Param::Values {
                    path: path.clone(),
                    values: values.clone(),
                });
            }
        }
        for (path, leaf) in vary {
            let place = at(&format!("vary.{path}"));
            let default = lookup(&resolved, &path).ok_or_else(|| {
                Error::input(
                    &place,
                    format!("{path} is not a scenario key (see docs/SCENARIO.md)"),
                )
            })?;
            let p = param(&place, &path, default, leaf, design)?;
            // Each listed value must be readable on its own (of the key's type, one of its
            // names: an algorithm that is neither built in nor registered, say); whether a
            // combination of values is valid is each run's own check.
            if let Param::Values { values, .. } = &p {
                for v in values {
                    let mut o = set.clone();
                    o.push(Override {
                        path: path.split('.').map(String::from).collect(),
                        value: v.clone(),
                        text: format!("{path}={v}"),
                        place: place.clone(),
                    });
                    scenario::type_scenario(&base_source, &base_text, &o)?;
                }
            }
            params.push(p);
        }
        // Count the runs before making them: a sweep too large to list is refused here.
        let point_count = match design {
            Design::Grid => params.iter().try_fold(1u64, |n, p| match p {
                Param::Values { values, .. } => n.checked_mul(values.len() as u64),
                Param::Range { .. } => Some(n),
            }),
            // A missing `points` is reported below, in its own words.
            Design::Lhs | Design::Sobol => Some(file.points.unwrap_or(0)),
            Design::Saltelli => file
                .points
                .unwrap_or(0)
                .checked_mul(params.len() as u64 + 2),
            Design::Morris => file
                .points
                .unwrap_or(0)
                .checked_mul(params.len() as u64 + 1),
            Design::Points => table_points.as_ref().map(|(_, rows)| rows.len() as u64),
        };
        let run_count = point_count.and_then(|p| p.checked_mul(file.replicates));
        if run_count.is_none_or(|n| n > MAX_RUNS) {
            return Err(Error::input(
                at(if design == Design::Grid {
                    "vary"
                } else {
                    "points"
                }),
                format!(
                    "the sweep has {} runs (points × replicates); one sweep holds at most {MAX_RUNS}: split it into several, or sample with design = \"lhs\" or \"sobol\"",
                    run_count.map_or("more than 2^64".to_string(), |n| n.to_string())
                ),
            ));
        }
        let points = match design {
            Design::Grid => grid_points(&params),
            Design::Points => table_points.map(|(_, rows)| rows).unwrap_or_default(),
            Design::Lhs | Design::Sobol | Design::Saltelli | Design::Morris => {
                let n = file.points.ok_or_else(|| {
                    Error::input(
                        at("points"),
                        format!(
                            "design \"{design}\" needs `points`, the number of points to sample"
                        ),
                    )
                })? as usize;
                let sobol_based = matches!(design, Design::Sobol | Design::Saltelli);
                if n == 0 || (sobol_based && n > 65_536) || n > 1_000_000 {
                    return Err(Error::input(
                        at("points"),
                        format!(
                            "{n} points: it must be at least 1 (and at most 65,536 for sobol and saltelli)"
                        ),
                    ));
                }
                let dims = if design == Design::Saltelli { 2 } else { 1 } * params.len();
                if sobol_based && dims > 256 {
                    return Err(Error::input(
                        at("vary"),
                        "sobol supports at most 256 parameters, saltelli 128",
                    ));
                }
                let levels = file.levels.unwrap_or(MORRIS_LEVELS);
                if design == Design::Morris && (levels < 2 || levels % 2 == 1 || levels > 1000) {
                    return Err(Error::input(
                        at("levels"),
                        format!("{levels} levels: Morris needs an even number from 2 to 1000"),
                    ));
                }
                let seed = file.seed.unwrap_or(base.run.seed);
                let unit = match design {
                    Design::Lhs => design::latin_hypercube(n, params.len(), seed),
                    Design::Saltelli => design::saltelli(n, params.len(), seed),
                    Design::Morris => design::morris(n, params.len(), levels as usize, seed).0,
                    _ => design::sobol(n, params.len(), seed),
                };
                unit.iter()
                    .map(|u| params.iter().zip(u).map(|(p, &x)| scale(p, x)).collect())
                    .collect()
            }
        };

        let master_seed = file.seed.unwrap_or(base.run.seed);
        let mut runs = Vec::new();
        for (point, values) in points.iter().enumerate() {
            let mut h = 0u64;
            for (p, v) in params.iter().zip(values) {
                for b in format!("{}={};", p.path(), cell(v)).bytes() {
                    h = mix64(h ^ b as u64);
                }
            }
            for replicate in 0..file.replicates {
                runs.push(RunSpec {
                    index: runs.len(),
                    run_id: format!("p{point:04}-{:06x}-r{replicate}", h >> 40),
                    point,
                    replicate,
                    seed: replicate_seed(master_seed, replicate),
                    values: values.clone(),
                });
            }
        }
        let mut id = mix64(0x5eed);
        // The metric columns too: a build that writes other columns makes another sweep, so
        // a resume never mixes rows of two layouts.
        let fingerprint = format!(
            "{}|{}|{}|{}|{}|{:?}",
            env!("CARGO_PKG_VERSION"),
            super::runner::metric_columns().join(","),
            base.to_toml(),
            file.daily,
            design,
            runs.iter()
                .map(|r| (
                    &r.run_id,
                    r.seed,
                    r.values.iter().map(cell).collect::<Vec<_>>()
                ))
                .collect::<Vec<_>>()
        );
        for b in fingerprint.bytes() {
            id = mix64(id ^ b as u64);
        }
        Ok(Sweep {
            name: file.name.unwrap_or_else(|| base.run.name.clone()),
            base_source,
            base_text,
            base_resolved: base.to_toml(),
            set,
            params,
            design,
            points: file.points,
            levels: (design == Design::Morris).then(|| file.levels.unwrap_or(MORRIS_LEVELS)),
            replicates: file.replicates,
            master_seed,
            daily: file.daily,
            runs,
            id: format!("{id:016x}"),
        })
    }

    /// The resolved scenario of one run (the base, the fixed overrides, the run's values
    /// and seed). Invalid values are an error of that run, not of the sweep.
    /// Checks every point of the design as its runs will see it (each point's first
    /// replicate; the replicates differ only by seed): an impossible combination of values
    /// is an error naming the point, before any run starts.
    pub fn check_points(&self) -> Result<()> {
        for run in self.runs.iter().filter(|r| r.replicate == 0) {
            self.scenario(run).map_err(|e| match e {
                Error::Input(m) => Error::Input(format!(
                    "point {} ({}): {m}",
                    run.point,
                    self.params
                        .iter()
                        .zip(&run.values)
                        .map(|(p, v)| format!("{}={}", p.path(), cell(v)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
                other => other,
            })?;
        }
        Ok(())
    }

    pub fn scenario(&self, run: &RunSpec) -> Result<Scenario> {
        let mut o = self.set.clone();
        for (p, v) in self.params.iter().zip(&run.values) {
            o.push(Override {
                path: p.path().split('.').map(String::from).collect(),
                value: v.clone(),
                text: format!("{}={}", p.path(), v),
                place: format!("vary {}={}", p.path(), v),
            });
        }
        let mut seed = Override::seed(run.seed);
        seed.place = format!("the seed of run {}", run.run_id);
        o.push(seed);
        parse_scenario(&self.base_source, &self.base_text, &o)
    }
}

/// The points of a `points_file`: each header key with its column's values (typed as the key's
/// default), and the rows. Errors name the file and line.
#[allow(clippy::type_complexity)]
fn read_points(
    path: &Path,
    resolved: &toml::Table,
) -> Result<(Vec<(String, Vec<toml::Value>)>, Vec<Vec<toml::Value>>)> {
    let place = path.display().to_string();
    let text = scenario::read_file(path, "points file")?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::input(format!("{place} line 1"), e))?
        .iter()
        .map(String::from)
        .collect();
    let mut defaults = Vec::new();
    for (k, key) in header.iter().enumerate() {
        let default = lookup(resolved, key).ok_or_else(|| {
            Error::input(
                format!("{place} line 1"),
                format!(
                    "column {} ({key:?}) is not a scenario key (see docs/SCENARIO.md)",
                    k + 1
                ),
            )
        })?;
        if header[..k].contains(key) {
            return Err(Error::input(
                format!("{place} line 1"),
                format!("{key} is named twice"),
            ));
        }
        defaults.push(default.clone());
    }
    let mut rows = Vec::new();
    for (r, record) in reader.records().enumerate() {
        let line = format!("{place} line {}", r + 2);
        let record = record.map_err(|e| Error::input(&line, e))?;
        if record.len() != header.len() {
            return Err(Error::input(
                &line,
                format!("{} cells; the header names {}", record.len(), header.len()),
            ));
        }
        let row = record
            .iter()
            .zip(&header)
            .zip(&defaults)
            .map(|((cell, key), default)| {
                let bad =
                    |what: &str| Error::input(&line, format!("{key}: {cell:?} is not {what}"));
                Ok(match default {
                    toml::Value::Integer(_) => {
                        toml::Value::Integer(cell.parse().map_err(|_| bad("a whole number"))?)
                    }
                    toml::Value::Float(_) => {
                        let x: f64 = cell.parse().map_err(|_| bad("a number"))?;
                        if !x.is_finite() {
                            return Err(bad("a finite number"));
                        }
                        toml::Value::Float(x)
                    }
                    toml::Value::Boolean(_) => match cell {
                        "true" => toml::Value::Boolean(true),
                        "false" => toml::Value::Boolean(false),
                        _ => return Err(bad("true or false")),
                    },
                    _ => toml::Value::String(cell.to_string()),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(Error::input(
            &place,
            "holds no point: a header line, then a row a point",
        ));
    }
    let columns = header
        .into_iter()
        .enumerate()
        .map(|(k, key)| (key, rows.iter().map(|r| r[k].clone()).collect()))
        .collect();
    Ok((columns, rows))
}

pub(super) fn lookup<'a>(table: &'a toml::Table, path: &str) -> Option<&'a toml::Value> {
    let mut parts = path.split('.');
    let mut v = table.get(parts.next()?)?;
    for p in parts {
        v = v.as_table()?.get(p)?;
    }
    (!v.is_table()).then_some(v)
}

fn param(
    place: &str,
    path: &str,
    default: &toml::Value,
    leaf: toml::Value,
    design: Design,
) -> Result<Param> {
    match (design, leaf) {
        (Design::Grid, toml::Value::Array(values)) => {
            if values.is_empty() {
                return Err(Error::input(
                    place,
                    "an empty list: give at least one value",
                ));
            }
            Ok(Param::Values {
                path: path.into(),
                values,
            })
        }
        (Design::Grid, _) => Err(Error::input(
            place,
            format!("design \"{design}\" needs a list of values, e.g. [0.1, 0.2]"),
        )),
        (_, toml::Value::Table(t)) => {
            let num = |k: &str| {
                t.get(k)
                    .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
            };
            let (Some(min), Some(max)) = (num("min"), num("max")) else {
                return Err(Error::input(place, "a range needs numeric `min` and `max`"));
            };
            if t.keys().any(|k| k != "min" && k != "max") {
                return Err(Error::input(place, "a range has only `min` and `max`"));
            }
            if min.partial_cmp(&max) != Some(std::cmp::Ordering::Less) {
                return Err(Error::input(
                    place,
                    format!("an empty range: min = {min} must be below max = {max}"),
                ));
            }
            let integer = match default {
                toml::Value::Integer(_) => true,
                toml::Value::Float(_) => false,
                _ => {
                    return Err(Error::input(
                        place,
                        format!(
                            "{path} is not numeric, so it cannot take a range; use design = \"grid\""
                        ),
                    ));
                }
            };
            Ok(Param::Range {
                path: path.into(),
                min,
                max,
                integer,
            })
        }
        (d, _) => Err(Error::input(
            place,
            format!("design \"{d}\" needs a range, e.g. {{ min = 0.1, max = 0.5 }}"),
        )),
    }
}

/// Maps a unit coordinate onto a parameter's range (integers: equal-width bins of min..=max).
fn scale(p: &Param, u: f64) -> toml::Value {
    match *p {
        Param::Range {
            min,
            max,
            integer: false,
            ..
        } => toml::Value::Float(min + u * (max - min)),
        Param::Range {
            min,
            max,
            integer: true,
            ..
        } => {
            let (lo, hi) = (min.ceil() as i64, max.floor() as i64);
            toml::Value::Integer((lo + (u * (hi - lo + 1) as f64).floor() as i64).min(hi))
        }
        Param::Values { .. } => unreachable!("grids are not sampled"),
    }
}

/// The full grid, first parameter slowest.
fn grid_points(params: &[Param]) -> Vec<Vec<toml::Value>> {
    let mut points = vec![Vec::new()];
    for p in params {
        let Param::Values { values, .. } = p else {
            unreachable!("checked")
        };
        points = points
            .into_iter()
            .flat_map(|prefix| {
                values.iter().map(move |v| {
                    let mut next = prefix.clone();
                    next.push(v.clone());
                    next
                })
            })
            .collect();
    }
    points
}
