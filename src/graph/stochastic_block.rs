//! Stochastic block model with sparse (geometric-skip) sampling.

use super::Csr;
use rand::RngExt;

/// Stochastic block model: nodes are split into `blocks` contiguous blocks
/// of nearly equal size (the first `n % blocks` blocks get one extra node);
/// each pair in the same block is joined with probability `p_in`, each pair
/// in different blocks with `p_out`. Returns the graph and the block id of
/// every node.
///
/// Pairs are never scanned one by one: the gaps between successive edges
/// are drawn from the geometric distribution (Batagelj & Brandes 2005), so
/// the cost is O(n + blocks + E).
///
/// # Panics
/// Unless `1 <= blocks <= n` and both probabilities lie in `[0, 1]`.
pub fn stochastic_block<R: rand::Rng + ?Sized>(
    n: usize,
    blocks: usize,
    p_in: f64,
    p_out: f64,
    rng: &mut R,
) -> (Csr, Vec<u32>) {
    assert!(
        blocks >= 1 && blocks <= n,
        "stochastic_block: need 1 <= blocks <= n, got n = {n}, blocks = {blocks}"
    );
    for (name, p) in [("p_in", p_in), ("p_out", p_out)] {
        assert!(
            (0.0..=1.0).contains(&p),
            "stochastic_block: {name} must be in [0, 1], got {p}"
        );
    }
    let starts = block_starts(n, blocks);
    let mut edges = Vec::new();
    for b in 0..blocks {
        let (start, end) = (starts[b], starts[b + 1]);
        within_block_edges(start, end, p_in, rng, &mut edges);
        between_block_edges(start, end, n, p_out, rng, &mut edges);
    }
    let mut membership = vec![0u32; n];
    for b in 0..blocks {
        membership[starts[b]..starts[b + 1]].fill(b as u32);
    }
    (Csr::from_edges(n, &edges), membership)
}

/// Start of each block plus `n` at the end (`blocks + 1` entries).
fn block_starts(n: usize, blocks: usize) -> Vec<usize> {
    let (base, extra) = (n / blocks, n % blocks);
    let mut starts = Vec::with_capacity(blocks + 1);
    let mut at = 0;
    for b in 0..blocks {
        starts.push(at);
        at += base + usize::from(b < extra);
    }
    starts.push(at);
    starts
}

/// Edges among nodes `start..end`, each pair with probability `p`. Pair
/// `(i, j)` with `i < j` (relative to `start`) has index `j(j-1)/2 + i`; the
/// row `j` is found by walking forward, which is O(size + edges) overall.
fn within_block_edges<R: rand::Rng + ?Sized>(
    start: usize,
    end: usize,
    p: f64,
    rng: &mut R,
    edges: &mut Vec<(u32, u32)>,
) {
    let size = (end - start) as u64;
    let pairs = size * size.saturating_sub(1) / 2;
    let (mut row, mut row_start) = (1u64, 0u64);
    for_each_success(pairs, p, rng, |index| {
        while index >= row_start + row {
            row_start += row;
            row += 1;
        }
        let i = start as u64 + (index - row_start);
        let j = start as u64 + row;
        edges.push((i as u32, j as u32));
    });
}

/// Edges from block `start..end` to every later node `end..n`, each pair
/// with probability `p`. Because blocks are contiguous, these pairs form one
/// rectangle, so each block needs a single skip sequence.
fn between_block_edges<R: rand::Rng + ?Sized>(
    start: usize,
    end: usize,
    n: usize,
    p: f64,
    rng: &mut R,
    edges: &mut Vec<(u32, u32)>,
) {
    let width = (n - end) as u64;
    let pairs = (end - start) as u64 * width;
    for_each_success(pairs, p, rng, |index| {
        let i = start as u64 + index / width;
        let j = end as u64 + index % width;
        edges.push((i as u32, j as u32));
    });
}

/// Calls `f(i)` for each `i` in `0..count` independently with probability
/// `p`, in ascending order, drawing one geometric gap per success instead of
/// one Bernoulli per index: P(gap >= s) = (1-p)^s, sampled by inversion as
/// floor(ln(U) / ln(1-p)) with U uniform in (0, 1].
fn for_each_success<R, F>(count: u64, p: f64, rng: &mut R, mut f: F)
where
    R: rand::Rng + ?Sized,
    F: FnMut(u64),
{
    if p <= 0.0 || count == 0 {
        return;
    }
    if p >= 1.0 {
        (0..count).for_each(f);
        return;
    }
    let log_q = (-p).ln_1p();
    let mut next = 0u64;
    loop {
        let u = 1.0 - rng.random::<f64>();
        // `as` saturates, so a huge gap simply ends the loop.
        let gap = (u.ln() / log_q).floor() as u64;
        next = next.saturating_add(gap);
        if next >= count {
            return;
        }
        f(next);
        next += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::test_util::rng;

    /// Counts (within-block edges, within pairs, between edges, between pairs).
    fn block_counts(g: &Csr, membership: &[u32], blocks: usize) -> (f64, f64, f64, f64) {
        let mut sizes = vec![0f64; blocks];
        for &b in membership {
            sizes[b as usize] += 1.0;
        }
        let n = membership.len() as f64;
        let within_pairs: f64 = sizes.iter().map(|s| s * (s - 1.0) / 2.0).sum();
        let between_pairs = n * (n - 1.0) / 2.0 - within_pairs;
        let within = g
            .edges()
            .filter(|&(u, v)| membership[u as usize] == membership[v as usize])
            .count() as f64;
        let between = g.edge_count() as f64 - within;
        (within, within_pairs, between, between_pairs)
    }

    /// |observed density - p| in units of the binomial standard error.
    fn z_score(edges: f64, pairs: f64, p: f64) -> f64 {
        let se = (p * (1.0 - p) / pairs).sqrt();
        (edges / pairs - p).abs() / se
    }

    // Densities: the within-block edge count is Binomial(within_pairs, p_in)
    // and the between-block count Binomial(between_pairs, p_out); each
    // observed density must lie within 4 standard errors of its p. Several
    // parameter sets, including uneven block sizes (n % blocks != 0).
    #[test]
    fn sbm_densities_match_probabilities() {
        for &(n, blocks, p_in, p_out, seed) in &[
            (3000, 5, 0.02, 0.001, 1),
            (2001, 4, 0.1, 0.01, 2),
            (4000, 40, 0.3, 0.0005, 3),
            (500, 1, 0.05, 0.5, 4),
        ] {
            let (g, membership) = stochastic_block(n, blocks, p_in, p_out, &mut rng(seed));
            g.check_invariants().unwrap();
            let (wi, wp, bi, bp) = block_counts(&g, &membership, blocks);
            let z_in = z_score(wi, wp, p_in);
            eprintln!(
                "SBM n={n} B={blocks}: p_in {p_in} -> {:.5} (z {z_in:.2})",
                wi / wp
            );
            assert!(z_in < 4.0, "within density {} vs {p_in}", wi / wp);
            if bp > 0.0 {
                let z_out = z_score(bi, bp, p_out);
                eprintln!("  p_out {p_out} -> {:.6} (z {z_out:.2})", bi / bp);
                assert!(z_out < 4.0, "between density {} vs {p_out}", bi / bp);
            }
        }
    }

    // Exact: block sizes sum to n, differ by at most one, ids are contiguous.
    #[test]
    fn sbm_block_sizes() {
        let (_, membership) = stochastic_block(1003, 10, 0.0, 0.0, &mut rng(0));
        let mut sizes = vec![0usize; 10];
        for &b in &membership {
            sizes[b as usize] += 1;
        }
        assert_eq!(sizes.iter().sum::<usize>(), 1003);
        assert_eq!(
            sizes,
            vec![101, 101, 101, 100, 100, 100, 100, 100, 100, 100]
        );
        assert!(membership.windows(2).all(|w| w[0] <= w[1]));
    }

    // Exact: p = 1 gives complete blocks / complete bipartite links; p = 0 none.
    #[test]
    fn sbm_extreme_probabilities() {
        let (g, _) = stochastic_block(10, 2, 1.0, 0.0, &mut rng(0));
        assert_eq!(g.edge_count(), 2 * 10);
        g.check_invariants().unwrap();
        let (g, _) = stochastic_block(10, 2, 0.0, 1.0, &mut rng(0));
        assert_eq!(g.edge_count(), 25);
        let (g, _) = stochastic_block(10, 2, 1.0, 1.0, &mut rng(0));
        assert_eq!(g.edge_count(), 45);
    }

    // Determinism: same seed, same graph; other seed, other graph.
    #[test]
    fn sbm_is_deterministic() {
        let a = stochastic_block(2000, 4, 0.05, 0.002, &mut rng(1));
        let b = stochastic_block(2000, 4, 0.05, 0.002, &mut rng(1));
        let c = stochastic_block(2000, 4, 0.05, 0.002, &mut rng(2));
        assert_eq!(a, b);
        assert_ne!(a.0, c.0);
    }

    // Large sparse case must not scan all ~5e11 pairs: 1,000,000 nodes with
    // mean degree ~10 finishes in well under a second in release mode.
    #[test]
    fn sbm_is_sparse() {
        let (g, _) = stochastic_block(1_000_000, 100, 5e-4, 5e-6, &mut rng(9));
        let mean = g.mean_degree();
        // Expected mean degree: 9999 * 5e-4 + 990000 * 5e-6 = 9.95; the SE of
        // the mean is ~0.003, tolerance 0.05.
        assert!((mean - 9.95).abs() < 0.05, "mean degree {mean}");
    }
}
