//! `socsim sensitivity DIR`: which varied keys drive each output of a finished sweep.
//!
//! - A `saltelli` sweep gives first-order and total-order Sobol indices: Saltelli et al.
//!   (2010)'s estimator of S1 and Jansen's of ST, each with a bootstrap 95 % interval
//!   (percentiles of the indices recomputed on samples drawn with replacement).
//! - A `morris` sweep gives elementary effects: μ* (mean absolute effect), μ and σ.
//!
//! Replicates are handled explicitly: the indices are those of each design point's mean over
//! its successful replicates (the model's expected output at that point), and
//! `replicate_share` says how much of the runs' variance lies between replicates of one point
//! (the mean within-point variance over the variance of all runs): near 0, the indices speak
//! for single runs too; near 1, noise dominates and the point means need more replicates.
//! Every point of a sweep shares its replicates' seeds (common random numbers), which keeps
//! that share small for keys that act through the same random draws.

use super::design::{self, MorrisStep};
use super::stats::mean_sd;
use crate::error::{Error, Result};
use crate::rng::{Purpose, stream};
use std::path::{Path, PathBuf};

/// Bootstrap resamples of the Sobol indices' intervals.
pub const BOOTSTRAP: usize = 1000;

/// First- and total-order Sobol indices of one parameter, with bootstrap 95 % intervals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SobolIndex {
    pub s1: f64,
    pub s1_low: f64,
    pub s1_high: f64,
    pub st: f64,
    pub st_low: f64,
    pub st_high: f64,
}

/// S1 (Saltelli 2010) and ST (Jansen) of each of `d` parameters from outputs `y` in the order
/// of [`design::saltelli`] (a sample's A, AB^(1) … AB^(d), B), over the samples `samples`:
/// with V the variance of the samples' f(A) and f(B) together,
/// S1_i = mean(f(B) · (f(AB^(i)) − f(A))) / V and ST_i = mean((f(A) − f(AB^(i)))²) / (2V).
/// NaN when V is 0.
fn indices_on(y: &[f64], d: usize, samples: &[usize]) -> Vec<(f64, f64)> {
    let row = |j: usize, k: usize| y[j * (d + 2) + k];
    let ab: Vec<f64> = samples
        .iter()
        .flat_map(|&j| [row(j, 0), row(j, d + 1)])
        .collect();
    let mean = ab.iter().sum::<f64>() / ab.len() as f64;
    let v = ab.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / ab.len() as f64;
    let n = samples.len() as f64;
    (0..d)
        .map(|i| {
            let (mut first, mut total) = (0.0, 0.0);
            for &j in samples {
                let (a, b, abi) = (row(j, 0), row(j, d + 1), row(j, 1 + i));
                first += b * (abi - a);
                total += (a - abi) * (a - abi);
            }
            if v > 0.0 {
                (first / n / v, total / n / (2.0 * v))
            } else {
                (f64::NAN, f64::NAN)
            }
        })
        .collect()
}

/// [`indices_on`] the samples `samples`, with percentile intervals from `bootstrap` resamples
/// drawn by a generator seeded with `seed`.
pub fn sobol_indices(
    y: &[f64],
    d: usize,
    samples: &[usize],
    bootstrap: usize,
    seed: u64,
) -> Vec<SobolIndex> {
    let point = indices_on(y, d, samples);
    let mut rng = stream(seed, Purpose::Design, 0, 2);
    let mut draws: Vec<Vec<(f64, f64)>> = Vec::with_capacity(bootstrap);
    let mut resample = vec![0usize; samples.len()];
    for _ in 0..bootstrap {
        for r in resample.iter_mut() {
            *r = samples[crate::rng::below(&mut rng, samples.len())];
        }
        draws.push(indices_on(y, d, &resample));
    }
    let interval = |values: &mut Vec<f64>| -> (f64, f64) {
        values.retain(|v| v.is_finite());
        if values.is_empty() {
            return (f64::NAN, f64::NAN);
        }
        values.sort_by(f64::total_cmp);
        let at = |q: f64| values[((q * values.len() as f64) as usize).min(values.len() - 1)];
        (at(0.025), at(0.975))
    };
    (0..d)
        .map(|i| {
            let (s1_low, s1_high) = interval(&mut draws.iter().map(|b| b[i].0).collect());
            let (st_low, st_high) = interval(&mut draws.iter().map(|b| b[i].1).collect());
            SobolIndex {
                s1: point[i].0,
                s1_low,
                s1_high,
                st: point[i].1,
                st_low,
                st_high,
            }
        })
        .collect()
}

/// Morris's statistics of one parameter's elementary effects.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MorrisEffect {
    /// Mean of |EE|.
    pub mu_star: f64,
    /// Mean of EE.
    pub mu: f64,
    /// Standard deviation of EE (n − 1 in the denominator; 0 with one trajectory).
    pub sigma: f64,
}

/// Elementary effects EE = (y after a step − y before) / Δ (Δ on the unit scale, ±) of each
/// of `d` parameters, over the trajectories `kept` of outputs `y` in the order of
/// [`design::morris`] with its `steps`.
pub fn morris_effects(
    y: &[f64],
    steps: &[Vec<MorrisStep>],
    d: usize,
    kept: &[usize],
) -> Vec<MorrisEffect> {
    let mut effects: Vec<Vec<f64>> = vec![Vec::new(); d];
    for &t in kept {
        for (k, step) in steps[t].iter().enumerate() {
            let before = y[t * (d + 1) + k];
            let after = y[t * (d + 1) + k + 1];
            effects[step.dim].push((after - before) / step.delta);
        }
    }
    effects
        .iter()
        .map(|ee| {
            let (mu, sigma) = mean_sd(ee);
            MorrisEffect {
                mu_star: ee.iter().map(|e| e.abs()).sum::<f64>() / ee.len().max(1) as f64,
                mu,
                sigma,
            }
        })
        .collect()
}

/// A cell of sensitivity.csv: the shortest form that reads back, empty for NaN.
fn cell(x: f64) -> String {
    if x.is_finite() {
        format!("{x:?}")
    } else {
        String::new()
    }
}

/// The mean within-point variance of the replicates over the variance of all runs (NaN with
/// one replicate a point, or when the runs do not vary).
fn replicate_share(by_point: &[Vec<f64>]) -> f64 {
    let all: Vec<f64> = by_point.iter().flatten().copied().collect();
    let (_, sd_all) = mean_sd(&all);
    let within: Vec<f64> = by_point
        .iter()
        .filter(|v| v.len() > 1)
        .map(|v| mean_sd(v).1.powi(2))
        .collect();
    if within.is_empty() || sd_all == 0.0 {
        return f64::NAN;
    }
    within.iter().sum::<f64>() / within.len() as f64 / sd_all.powi(2)
}

/// What [`analyze`] wrote.
pub struct Analysis {
    pub path: PathBuf,
    pub design: String,
    pub metrics: usize,
    pub parameters: Vec<String>,
    /// Saltelli samples (or Morris trajectories) with every point present, of those planned.
    pub complete: usize,
    pub planned: usize,
}

/// Computes the indices of every metric column of `dir`'s runs.csv (a finished saltelli or
/// morris sweep, whole or merged) and writes `sensitivity.csv` there.
pub fn analyze(dir: &Path, bootstrap: usize) -> Result<Analysis> {
    let place = dir.display().to_string();
    let manifest: serde_json::Value = std::fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or_else(|| {
            Error::input(
                &place,
                "has no readable manifest.json: give a sweep folder (or a merged one)",
            )
        })?;
    let design = manifest["design"].as_str().unwrap_or("").to_string();
    if design != "saltelli" && design != "morris" {
        return Err(Error::input(
            &place,
            format!(
                "is a sweep of design {:?}; sensitivity needs design = \"saltelli\" (Sobol indices) or \"morris\" (elementary effects)",
                if design.is_empty() { "?" } else { &design }
            ),
        ));
    }
    let n = manifest["points"].as_u64().unwrap_or(0) as usize;
    let seed = manifest["master_seed"].as_u64().unwrap_or(0);
    let mut reader = csv::Reader::from_path(dir.join("runs.csv"))
        .map_err(|e| Error::input(dir.join("runs.csv").display(), e))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::input(dir.join("runs.csv").display(), e))?
        .iter()
        .map(String::from)
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(point_col), Some(seed_col), Some(status_col), Some(error_col)) =
        (col("point"), col("seed"), col("status"), col("error"))
    else {
        return Err(Error::input(
            dir.join("runs.csv").display(),
            "is not a sweep's runs.csv (no point, seed, status or error column)",
        ));
    };
    let parameters: Vec<String> = header[seed_col + 1..status_col].to_vec();
    let metrics: Vec<String> = header[error_col + 1..].to_vec();
    let d = parameters.len();
    let per = if design == "saltelli" { d + 2 } else { d + 1 };
    let points = n * per;
    // Each metric's successful values by point.
    let mut values: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); points]; metrics.len()];
    for record in reader.records() {
        let record = record.map_err(|e| Error::input(dir.join("runs.csv").display(), e))?;
        let point: usize = record[point_col].parse().unwrap_or(usize::MAX);
        if point >= points {
            return Err(Error::input(
                dir.join("runs.csv").display(),
                format!(
                    "point {point} is beyond the {points} points of a {design} design of {n} × {per}"
                ),
            ));
        }
        if &record[status_col] != "ok" {
            continue;
        }
        for (m, v) in values.iter_mut().enumerate() {
            if let Ok(x) = record[error_col + 1 + m].parse::<f64>()
                && x.is_finite()
            {
                v[point].push(x);
            }
        }
    }
    let steps = if design == "morris" {
        let levels = manifest["levels"]
            .as_u64()
            .unwrap_or(super::sweep::MORRIS_LEVELS);
        design::morris(n, d, levels as usize, seed).1
    } else {
        Vec::new()
    };
    let mut text = if design == "saltelli" {
        String::from(
            "metric,parameter,s1,s1_low,s1_high,st,st_low,st_high,samples,replicate_share\n",
        )
    } else {
        String::from("metric,parameter,mu_star,mu,sigma,trajectories,replicate_share\n")
    };
    let mut complete = 0;
    for (m, metric) in metrics.iter().enumerate() {
        let by_point = &values[m];
        let means: Vec<f64> = by_point
            .iter()
            .map(|v| {
                if v.is_empty() {
                    f64::NAN
                } else {
                    v.iter().sum::<f64>() / v.len() as f64
                }
            })
            .collect();
        let kept: Vec<usize> = (0..n)
            .filter(|&j| means[j * per..(j + 1) * per].iter().all(|x| x.is_finite()))
            .collect();
        complete = complete.max(kept.len());
        let share = cell(replicate_share(by_point));
        if design == "saltelli" {
            let rows = if kept.len() >= 2 {
                sobol_indices(
                    &means,
                    d,
                    &kept,
                    bootstrap,
                    crate::rng::mix64(seed ^ m as u64),
                )
            } else {
                Vec::new()
            };
            for (i, p) in parameters.iter().enumerate() {
                let r = rows.get(i);
                let f = |g: fn(&SobolIndex) -> f64| r.map_or(String::new(), |r| cell(g(r)));
                text.push_str(&format!(
                    "{metric},{p},{},{},{},{},{},{},{},{share}\n",
                    f(|r| r.s1),
                    f(|r| r.s1_low),
                    f(|r| r.s1_high),
                    f(|r| r.st),
                    f(|r| r.st_low),
                    f(|r| r.st_high),
                    kept.len()
                ));
            }
        } else {
            let effects = morris_effects(&means, &steps, d, &kept);
            for (i, p) in parameters.iter().enumerate() {
                let e = &effects[i];
                let empty = kept.is_empty();
                let f = |x: f64| if empty { String::new() } else { cell(x) };
                text.push_str(&format!(
                    "{metric},{p},{},{},{},{},{share}\n",
                    f(e.mu_star),
                    f(e.mu),
                    f(e.sigma),
                    kept.len()
                ));
            }
        }
    }
    let path = dir.join(FILE);
    crate::output::write_atomic(&path, text.as_bytes())?;
    if crate::output::Marker::read(dir).is_some() {
        crate::output::list_in_marker(dir, FILE)?;
    }
    Ok(Analysis {
        path,
        design,
        metrics: metrics.len(),
        parameters,
        complete,
        planned: n,
    })
}

/// The file [`analyze`] writes.
pub const FILE: &str = "sensitivity.csv";

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn ishigami(x: &[f64]) -> f64 {
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    // Closed form (Ishigami, a = 7, b = 0.1): S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424,
    // 0.2437). At N = 4096 the estimators' spread is about 0.01-0.02; tolerance 0.03, and each
    // true value inside its bootstrap interval widened by 0.01.
    #[test]
    fn ishigami_indices() {
        let n = 4096;
        let unit = design::saltelli(n, 3, 11);
        let y: Vec<f64> = unit
            .iter()
            .map(|u| ishigami(&u.iter().map(|x| -PI + 2.0 * PI * x).collect::<Vec<_>>()))
            .collect();
        let samples: Vec<usize> = (0..n).collect();
        let got = sobol_indices(&y, 3, &samples, 200, 5);
        let s1 = [0.3139, 0.4424, 0.0];
        let st = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            let g = got[i];
            eprintln!(
                "x{}: S1 {:.4} [{:.4}, {:.4}]  ST {:.4} [{:.4}, {:.4}]",
                i + 1,
                g.s1,
                g.s1_low,
                g.s1_high,
                g.st,
                g.st_low,
                g.st_high
            );
            assert!((g.s1 - s1[i]).abs() < 0.03, "S1 x{}: {g:?}", i + 1);
            assert!((g.st - st[i]).abs() < 0.03, "ST x{}: {g:?}", i + 1);
            assert!(
                g.s1_low - 0.01 <= s1[i] && s1[i] <= g.s1_high + 0.01,
                "{g:?}"
            );
            assert!(
                g.st_low - 0.01 <= st[i] && st[i] <= g.st_high + 0.01,
                "{g:?}"
            );
        }
    }

    // Known ranking (Sobol's g-function, a = 0, 1, 4.5, 9, 99, 99): the lower a_i, the more
    // x_i matters, so μ* falls from x1 to x4, and x5, x6 have μ* below a tenth of x1's.
    #[test]
    fn g_function_morris_ranking() {
        let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];
        let g = |x: &[f64]| {
            x.iter()
                .zip(&a)
                .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
                .product::<f64>()
        };
        let (points, steps) = design::morris(100, 6, 4, 3);
        let y: Vec<f64> = points.iter().map(|x| g(x)).collect();
        let kept: Vec<usize> = (0..100).collect();
        let e = morris_effects(&y, &steps, 6, &kept);
        let mu: Vec<f64> = e.iter().map(|e| e.mu_star).collect();
        eprintln!("mu* {mu:?}");
        assert!(mu[0] > mu[1] && mu[1] > mu[2] && mu[2] > mu[3], "{mu:?}");
        assert!(mu[4] < 0.1 * mu[0] && mu[5] < 0.1 * mu[0], "{mu:?}");
    }

    // Exact: a linear function y = 2·x1 − 3·x2 has elementary effects 2 and −3 everywhere
    // (μ = EE, μ* = |EE|, σ = 0), and Sobol indices S1 = ST = 4/13 and 9/13 (up to the
    // sampling error of N = 2048, 0.02).
    #[test]
    fn linear_function() {
        let f = |x: &[f64]| 2.0 * x[0] - 3.0 * x[1];
        let (points, steps) = design::morris(10, 2, 6, 1);
        let y: Vec<f64> = points.iter().map(|x| f(x)).collect();
        let e = morris_effects(&y, &steps, 2, &(0..10).collect::<Vec<_>>());
        assert!((e[0].mu - 2.0).abs() < 1e-9 && (e[0].mu_star - 2.0).abs() < 1e-9);
        assert!((e[1].mu + 3.0).abs() < 1e-9 && (e[1].mu_star - 3.0).abs() < 1e-9);
        assert!(e[0].sigma < 1e-9 && e[1].sigma < 1e-9);
        let unit = design::saltelli(2048, 2, 2);
        let y: Vec<f64> = unit.iter().map(|x| f(x)).collect();
        let s = sobol_indices(&y, 2, &(0..2048).collect::<Vec<_>>(), 50, 1);
        for (i, want) in [4.0 / 13.0, 9.0 / 13.0].into_iter().enumerate() {
            assert!((s[i].s1 - want).abs() < 0.02, "{:?}", s[i]);
            assert!((s[i].st - want).abs() < 0.02, "{:?}", s[i]);
        }
    }
}
