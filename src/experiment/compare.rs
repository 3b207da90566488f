//! Paired comparisons of policy variants on common random numbers.
//!
//! The base and every variant run on the same R seeds (replicate r uses
//! `replicate_seed(seed, r)`), so each replicate is a pair that differs only by the policy.
//! For each metric and variant: the means, the mean paired difference with a 95 % Student t
//! interval and a two-sided p-value, and the half-width the interval would have had with
//! independent seeds (estimated from the same runs' variances), so the gain from pairing
//! shows.

use super::stats::{mean_sd, t_cdf, t_quantile};
use crate::error::{Error, Result};
use crate::rng::replicate_seed;
use crate::scenario::Scenario;
use serde::Serialize;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One line of `compare.csv`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Comparison {
    pub variant: String,
    pub metric: String,
    pub replicates: u64,
    pub base_mean: f64,
    pub variant_mean: f64,
    /// Mean of (variant − base) over replicates.
    pub diff: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// Two-sided p-value of the paired t test (1 when every difference is 0).
    pub p_value: f64,
    /// Half-width of the paired 95 % interval: t(0.975, R−1) · sd(diff) / √R.
    pub ci_halfwidth: f64,
    /// Half-width with independent seeds: t(0.975, 2R−2) · √((sd(base)² + sd(variant)²) / R).
    pub independent_ci_halfwidth: f64,
    /// ci_halfwidth / independent_ci_halfwidth (below 1: pairing narrowed the interval);
    /// empty when the independent width is 0.
    pub width_ratio: Option<f64>,
}

/// Runs `f(i)` for i in 0..n on `jobs` threads (each may use the rayon pool inside).
pub(crate) fn parallel<T: Send>(n: usize, jobs: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<Option<T>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, n.max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= n {
                        break;
                    }
                    let v = f(i);
                    out.lock().unwrap()[i] = Some(v);
                }
            });
        }
    });
    out.into_inner()
        .unwrap()
        .into_iter()
        .map(|v| v.expect("every index ran"))
        .collect()
}

/// Runs the base and each variant on `replicates` common seeds derived from `seed`, and
/// compares every metric of the summary.
pub fn compare(
    base: &Scenario,
    variants: &[(String, Scenario)],
    replicates: u64,
    seed: u64,
    jobs: usize,
    mut progress: impl FnMut(usize, usize) + Send,
) -> Result<Vec<Comparison>> {
    if replicates < 2 {
        return Err(Error::input(
            "--replicates",
            "a paired comparison needs at least 2 replicates",
        ));
    }
    let arms: Vec<&Scenario> = std::iter::once(base)
        .chain(variants.iter().map(|(_, s)| s))
        .collect();
    let r = replicates as usize;
    let total = arms.len() * r;
    let done = Mutex::new((0usize, &mut progress));
    let results = parallel(total, jobs, |k| {
        let (arm, rep) = (k / r, k % r);
        let mut s = arms[arm].clone();
        s.run.seed = replicate_seed(seed, rep as u64);
        let out = crate::Simulation::new(&s).map(|mut sim| {
            sim.run(|_| {});
            super::metrics::flatten(&sim.finish().summary)
        });
        let mut d = done.lock().unwrap();
        d.0 += 1;
        let n = d.0;
        (d.1)(n, total);
        out
    });
    let results: Vec<Vec<(String, Option<f64>)>> = results.into_iter().collect::<Result<_>>()?;
    let t_paired = t_quantile(0.975, (r - 1) as f64);
    let t_indep = t_quantile(0.975, (2 * r - 2) as f64);
    let mut rows = Vec::new();
    for (v, (name, _)) in variants.iter().enumerate() {
        for (m, (metric, _)) in results[0].iter().enumerate() {
            let values = |arm: usize| -> Option<Vec<f64>> {
                (0..r).map(|rep| results[arm * r + rep][m].1).collect()
            };
            let (Some(b), Some(x)) = (values(0), values(v + 1)) else {
                continue;
            };
            let diffs: Vec<f64> = x.iter().zip(&b).map(|(x, b)| x - b).collect();
            let (d, sd) = mean_sd(&diffs);
            let ((mb, sb), (mx, sx)) = (mean_sd(&b), mean_sd(&x));
            let se = sd / (r as f64).sqrt();
            let hw = t_paired * se;
            let p_value = if se > 0.0 {
                2.0 * (1.0 - t_cdf((d / se).abs(), (r - 1) as f64))
            } else if d == 0.0 {
                1.0
            } else {
                0.0
            };
            let hw_indep = t_indep * ((sb * sb + sx * sx) / r as f64).sqrt();
            rows.push(Comparison {
                variant: name.clone(),
                metric: metric.clone(),
                replicates,
                base_mean: mb,
                variant_mean: mx,
                diff: d,
                ci_low: d - hw,
                ci_high: d + hw,
                p_value,
                ci_halfwidth: hw,
                independent_ci_halfwidth: hw_indep,
                width_ratio: (hw_indep > 0.0).then(|| hw / hw_indep),
            });
        }
    }
    Ok(rows)
}
