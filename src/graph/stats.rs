//! Graph statistics used to validate the generators.

use super::Csr;

/// Mean local clustering coefficient: for each node, the fraction of pairs
/// of its neighbours that are themselves adjacent, averaged over all nodes
/// (nodes of degree < 2 count as 0). Returns 0 for the empty graph.
///
/// Cost is O(sum of squared degrees): each node's neighbours are marked, then
/// each neighbour's list is scanned for marked nodes.
pub fn average_clustering(g: &Csr) -> f64 {
    let n = g.node_count();
    if n == 0 {
        return 0.0;
    }
    // mark[u] == v + 1 means u is a neighbour of the node v being processed.
    let mut mark = vec![0u64; n];
    let mut total = 0.0;
    for v in 0..n as u32 {
        total += local_clustering(g, v, &mut mark);
    }
    total / n as f64
}

fn local_clustering(g: &Csr, v: u32, mark: &mut [u64]) -> f64 {
    let list = g.neighbours(v);
    let d = list.len();
    if d < 2 {
        return 0.0;
    }
    let stamp = u64::from(v) + 1;
    for &u in list {
        mark[u as usize] = stamp;
    }
    let mut links = 0u64;
    for &u in list {
        links += g
            .neighbours(u)
            .iter()
            .filter(|&&w| mark[w as usize] == stamp)
            .count() as u64;
    }
    // Each link between two neighbours was counted from both ends.
    links as f64 / (d as f64 * (d as f64 - 1.0))
}

/// Maximum-likelihood exponent of a power-law tail for values `>= xmin`,
/// using the discrete approximation of Clauset, Shalizi & Newman (2009):
/// `alpha = 1 + n / sum(ln(x / (xmin - 0.5)))` over the `n` tail values.
///
/// Returns NaN when no value reaches `xmin` or all tail values make the sum
/// zero. `xmin` should be greater than 0.5 (and ideally at least ~6 for the
/// approximation to be accurate).
pub fn power_law_exponent_mle(values: &[f64], xmin: f64) -> f64 {
    let shift = xmin - 0.5;
    let (count, log_sum) = values
        .iter()
        .filter(|&&x| x >= xmin)
        .fold((0usize, 0.0f64), |(c, s), &x| (c + 1, s + (x / shift).ln()));
    if count == 0 || log_sum <= 0.0 {
        return f64::NAN;
    }
    1.0 + count as f64 / log_sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::test_util::rng;
    use rand::RngExt;

    // Exact: triangle plus pendant. Node 0,1 have C = 1, node 2 has 1/3,
    // node 3 has degree 1 -> 0. Mean (1 + 1 + 1/3 + 0) / 4. Tolerance 1e-12.
    #[test]
    fn clustering_small_graph() {
        let g = Csr::from_edges(4, &[(0, 1), (1, 2), (0, 2), (2, 3)]);
        let expected = (1.0 + 1.0 + 1.0 / 3.0) / 4.0;
        assert!((average_clustering(&g) - expected).abs() < 1e-12);
        let complete = Csr::from_edges(4, &[(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]);
        assert!((average_clustering(&complete) - 1.0).abs() < 1e-12);
        assert_eq!(average_clustering(&Csr::from_edges(0, &[])), 0.0);
    }

    // Continuous samples x = xmin * U^(-1/(alpha-1)) rounded to integers
    // follow a discrete power law closely for xmin = 10; with 100,000 samples
    // the MLE's SE is ~(alpha-1)/sqrt(n) ~ 0.005, and the discretisation bias
    // of the approximation is ~0.01-0.02 at xmin = 10. Tolerance 0.05.
    #[test]
    fn mle_recovers_known_exponent() {
        let mut r = rng(21);
        for &alpha in &[2.2, 2.5, 3.0] {
            let values: Vec<f64> = (0..100_000)
                .map(|_| {
                    let u = 1.0 - r.random::<f64>();
                    (9.5 * u.powf(-1.0 / (alpha - 1.0))).round()
                })
                .collect();
            let est = power_law_exponent_mle(&values, 10.0);
            eprintln!("MLE on synthetic alpha {alpha}: {est:.4}");
            assert!((est - alpha).abs() < 0.05, "{est} vs {alpha}");
        }
        assert!(power_law_exponent_mle(&[1.0, 2.0], 10.0).is_nan());
    }
}
