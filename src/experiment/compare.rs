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
    /// diff / |base_mean|, and the interval's ends over |base_mean|; empty when the base
    /// mean is 0.
    pub rel_diff: Option<f64>,
    pub rel_ci_low: Option<f64>,
    pub rel_ci_high: Option<f64>,
    /// p_value adjusted by Holm's step-down method over this variant's metrics (the family
    /// controls the chance of any false positive).
    pub p_holm: f64,
    /// p_value adjusted by Benjamini and Hochberg over this variant's metrics (controls the
    /// expected share of false positives among the metrics called different).
    pub q_bh: f64,
}

/// One line of `compare_replicates.csv`: one metric of one run, long form.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ReplicateValue {
    /// `base` or the variant's name.
    pub arm: String,
    pub replicate: u64,
    pub seed: u64,
    pub metric: String,
    /// Empty when the run has no value (a tail fit that does not exist).
    pub value: Option<f64>,
}

/// Holm's step-down adjustment of `p`, in `p`'s order: with the values sorted ascending,
/// p(i) · (m − i + 1) made non-decreasing, at most 1.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut out = vec![0.0; m];
    let mut running = 0.0f64;
    for (i, &k) in order.iter().enumerate() {
        running = running.max(((m - i) as f64 * p[k]).min(1.0));
        out[k] = running;
    }
    out
}

/// Benjamini–Hochberg adjustment of `p`, in `p`'s order: with the values sorted ascending,
/// p(i) · m / i made non-increasing from the largest down, at most 1.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut out = vec![0.0; m];
    let mut running = 1.0f64;
    for (i, &k) in order.iter().enumerate().rev() {
        running = running.min((p[k] * m as f64 / (i + 1) as f64).min(1.0));
        out[k] = running;
    }
    out
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
/// compares every metric of the summary. Returns the comparisons (variant by variant, each
/// metric in `runs.csv` order) and every run's metrics in long form (arm by arm, replicate by
/// replicate).
pub fn compare(
    base: &Scenario,
    variants: &[(String, Scenario)],
    replicates: u64,
    seed: u64,
    jobs: usize,
    mut progress: impl FnMut(usize, usize) + Send,
) -> Result<(Vec<Comparison>, Vec<ReplicateValue>)> {
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
        let first = rows.len();
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
                rel_diff: relative(d, mb),
                rel_ci_low: relative(d - hw, mb),
                rel_ci_high: relative(d + hw, mb),
                p_holm: p_value,
                q_bh: p_value,
            });
        }
        // The family of a variant: its metrics.
        let family = &mut rows[first..];
        let p: Vec<f64> = family.iter().map(|c| c.p_value).collect();
        for ((c, h), q) in family.iter_mut().zip(holm(&p)).zip(benjamini_hochberg(&p)) {
            c.p_holm = h;
            c.q_bh = q;
        }
    }
    let mut long = Vec::new();
    for (arm, name) in std::iter::once("base")
        .chain(variants.iter().map(|(n, _)| n.as_str()))
        .enumerate()
    {
        for rep in 0..r {
            for (metric, value) in &results[arm * r + rep] {
                long.push(ReplicateValue {
                    arm: name.to_string(),
                    replicate: rep as u64,
                    seed: replicate_seed(seed, rep as u64),
                    metric: metric.clone(),
                    value: *value,
                });
            }
        }
    }
    Ok((rows, long))
}

/// `x / |base|`, or `None` when the base is 0.
fn relative(x: f64, base: f64) -> Option<f64> {
    (base != 0.0).then(|| x / base.abs())
}

#[cfg(test)]
mod tests {
    // Exact: the adjustments of R's p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm" / "BH"):
    // 0.03 0.06 0.06 0.02 and 0.02 0.04 0.04 0.02.
    #[test]
    fn holm_and_bh_match_p_adjust() {
        let p = [0.01, 0.04, 0.03, 0.005];
        let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12);
        assert!(close(&super::holm(&p), &[0.03, 0.06, 0.06, 0.02]));
        assert!(close(
            &super::benjamini_hochberg(&p),
            &[0.02, 0.04, 0.04, 0.02]
        ));
        // Never above 1; a single p is unchanged.
        assert_eq!(super::holm(&[0.6, 0.7]), vec![1.0, 1.0]);
        assert_eq!(super::benjamini_hochberg(&[0.3]), vec![0.3]);
    }
}
