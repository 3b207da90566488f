//! Experimental designs: points in the unit cube, mapped onto parameter ranges.

use crate::rng::{Purpose, stream, unit_f32};

/// `n` points of a Latin hypercube in `dims` dimensions: in every dimension each of the `n`
/// strata [k/n, (k+1)/n) holds exactly one point, at a uniform position inside it; the
/// strata are matched across dimensions by independent random permutations.
pub fn latin_hypercube(n: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut points = vec![vec![0.0; dims]; n];
    for d in 0..dims {
        let mut rng = stream(seed, Purpose::Design, d as u64, 0);
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = crate::rng::below(&mut rng, i + 1);
            strata.swap(i, j);
        }
        for (i, p) in points.iter_mut().enumerate() {
            p[d] = (strata[i] as f64 + unit_f32(&mut rng) as f64) / n as f64;
        }
    }
    points
}

/// The first `n` points (n ≤ 65,536) of an Owen-scrambled Sobol sequence in `dims` ≤ 256
/// dimensions (Burley 2020, via `sobol_burley`), scrambled by `seed`. For n a power of two,
/// every dimension holds exactly one point in each of the n strata.
pub fn sobol(n: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    let seed = (crate::rng::mix64(seed) >> 32) as u32;
    (0..n as u32)
        .map(|i| {
            (0..dims as u32)
                .map(|d| sobol_burley::sample(i, d, seed) as f64)
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many points fall in each of `bins` equal strata of [0, 1), in dimension `d`.
    fn strata(points: &[Vec<f64>], d: usize, bins: usize) -> Vec<usize> {
        let mut counts = vec![0; bins];
        for p in points {
            assert!((0.0..1.0).contains(&p[d]));
            counts[(p[d] * bins as f64) as usize] += 1;
        }
        counts
    }

    #[test]
    fn latin_hypercube_has_one_point_per_stratum_in_every_dimension() {
        for n in [1, 7, 50, 100] {
            let points = latin_hypercube(n, 4, 9);
            for d in 0..4 {
                assert!(
                    strata(&points, d, n).iter().all(|&c| c == 1),
                    "n {n} dim {d}"
                );
            }
        }
        assert_eq!(latin_hypercube(20, 3, 1), latin_hypercube(20, 3, 1));
        assert_ne!(latin_hypercube(20, 3, 1), latin_hypercube(20, 3, 2));
    }

    #[test]
    fn sobol_marginals_are_stratified() {
        // 64 points: each dimension has one point in each of 64 strata.
        let points = sobol(64, 5, 3);
        for d in 0..5 {
            assert!(strata(&points, d, 64).iter().all(|&c| c == 1), "dim {d}");
        }
        // 100 points (not a power of two): each of 10 strata holds 10 ± 2.
        let points = sobol(100, 3, 3);
        for d in 0..3 {
            assert!(
                strata(&points, d, 10)
                    .iter()
                    .all(|&c| (8..=12).contains(&c)),
                "dim {d}"
            );
        }
        assert_ne!(sobol(8, 2, 1), sobol(8, 2, 2));
    }
}
