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

/// Saltelli's scheme on the Sobol sequence: `n` points of an Owen-scrambled Sobol sequence in
/// 2·`dims` dimensions give two matrices, A (the first `dims` coordinates) and B (the rest);
/// each sample j yields `dims` + 2 points in the order A_j, AB_j^(1), …, AB_j^(dims), B_j,
/// where AB^(i) is A with its column i taken from B (SALib's order without second-order
/// terms). `dims` ≤ 128.
pub fn saltelli(n: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    let base = sobol(n, 2 * dims, seed);
    let mut points = Vec::with_capacity(n * (dims + 2));
    for row in &base {
        let (a, b) = row.split_at(dims);
        points.push(a.to_vec());
        for i in 0..dims {
            let mut ab = a.to_vec();
            ab[i] = b[i];
            points.push(ab);
        }
        points.push(b.to_vec());
    }
    points
}

/// One step of a Morris trajectory: the coordinate that moved, and by how much (±Δ).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MorrisStep {
    pub dim: usize,
    pub delta: f64,
}

/// Morris's elementary-effects design: `r` trajectories of `dims` + 1 points on the grid
/// {0, 1/(p − 1), …, 1} of `levels` = p (even) levels, with the step Δ = p / (2(p − 1)). A
/// trajectory starts at a random grid point x* with every coordinate at most 1 − Δ; each
/// coordinate, in a random order, then moves once by +Δ, or, for a random half of them
/// (drawn per trajectory and coordinate), starts at x* + Δ and moves by −Δ. Returns the points
/// (trajectory by trajectory) and each trajectory's steps.
pub fn morris(
    r: usize,
    dims: usize,
    levels: usize,
    seed: u64,
) -> (Vec<Vec<f64>>, Vec<Vec<MorrisStep>>) {
    let p = levels as f64;
    let delta = p / (2.0 * (p - 1.0));
    let starts = levels / 2; // grid levels k with k/(p − 1) ≤ 1 − Δ
    let mut points = Vec::with_capacity(r * (dims + 1));
    let mut steps = Vec::with_capacity(r);
    for t in 0..r {
        let mut rng = stream(seed, Purpose::Design, t as u64, 1);
        let mut x: Vec<f64> = (0..dims)
            .map(|_| crate::rng::below(&mut rng, starts) as f64 / (p - 1.0))
            .collect();
        let up: Vec<bool> = (0..dims)
            .map(|_| crate::rng::below(&mut rng, 2) == 0)
            .collect();
        for (xi, &u) in x.iter_mut().zip(&up) {
            if !u {
                *xi += delta;
            }
        }
        let mut order: Vec<usize> = (0..dims).collect();
        for i in (1..dims).rev() {
            let j = crate::rng::below(&mut rng, i + 1);
            order.swap(i, j);
        }
        points.push(x.clone());
        let mut trajectory = Vec::with_capacity(dims);
        for &dim in &order {
            let step = if up[dim] { delta } else { -delta };
            x[dim] += step;
            points.push(x.clone());
            trajectory.push(MorrisStep { dim, delta: step });
        }
        steps.push(trajectory);
    }
    (points, steps)
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

    // Exact: each sample gives A, the AB^(i) (A with column i from B), then B.
    #[test]
    fn saltelli_rows_follow_salib_order() {
        let base = sobol(8, 6, 4);
        let points = saltelli(8, 3, 4);
        assert_eq!(points.len(), 8 * 5);
        for (j, row) in base.iter().enumerate() {
            let block = &points[j * 5..j * 5 + 5];
            assert_eq!(block[0], row[..3].to_vec());
            assert_eq!(block[4], row[3..].to_vec());
            for i in 0..3 {
                for k in 0..3 {
                    let expected = if k == i { row[3 + k] } else { row[k] };
                    assert_eq!(block[1 + i][k], expected);
                }
            }
        }
    }

    // Exact: every point lies on the grid of p levels in [0, 1], and each step moves exactly
    // its one coordinate by ±Δ, every coordinate once per trajectory.
    #[test]
    fn morris_trajectories_move_one_coordinate_a_step() {
        let (points, steps) = morris(20, 5, 4, 7);
        let delta = 4.0 / 6.0;
        assert_eq!(points.len(), 20 * 6);
        for (t, trajectory) in steps.iter().enumerate() {
            let mut dims: Vec<usize> = trajectory.iter().map(|s| s.dim).collect();
            dims.sort_unstable();
            assert_eq!(dims, vec![0, 1, 2, 3, 4]);
            for (k, step) in trajectory.iter().enumerate() {
                let (a, b) = (&points[t * 6 + k], &points[t * 6 + k + 1]);
                for d in 0..5 {
                    let moved = b[d] - a[d];
                    if d == step.dim {
                        assert!(
                            (moved - step.delta).abs() < 1e-12
                                && (step.delta.abs() - delta).abs() < 1e-12
                        );
                    } else {
                        assert_eq!(moved, 0.0);
                    }
                }
                for &x in b {
                    assert!((0.0..=1.0 + 1e-12).contains(&x));
                    assert!(
                        (x * 3.0 - (x * 3.0).round()).abs() < 1e-9,
                        "{x} is off the grid"
                    );
                }
            }
        }
    }
}
