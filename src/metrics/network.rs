//! Diagnostics of the consumers' social graph (`summary.json`'s `graph`): size, degree
//! distribution, connected components, clustering and the communities the channels use.
//!
//! Components come from petgraph's union-find over the graph's edges; clustering from the
//! sorted neighbour lists of the CSR (each neighbour's list searched for the node's other
//! neighbours), in parallel over fixed chunks of nodes and added in chunk order, so the
//! figures are the same on any thread count.

use super::inequality::{TailFit, fit_power_law_tail};
use super::ratio;
use crate::graph::Csr;
use petgraph::unionfind::UnionFind;
use rayon::prelude::*;
use serde::Serialize;

/// `summary.json`'s `graph`: the social graph among consumers (it does not change during a
/// run) and its communities. Definitions in docs/OUTPUTS.md.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct GraphSummary {
    /// Consumers.
    pub nodes: u64,
    /// Friendships (undirected edges, each counted once).
    pub edges: u64,
    /// 2 · edges / nodes.
    pub mean_degree: f64,
    pub max_degree: u64,
    /// Consumers without a friend.
    pub isolated: u64,
    /// Connected components, an isolated consumer being one.
    pub components: u64,
    /// The largest component's share of the consumers.
    pub largest_component_share: f64,
    /// Mean over the consumers of the local clustering coefficient (0 below degree 2).
    pub average_clustering: f64,
    /// 3 · triangles / connected triples (the global clustering coefficient).
    pub transitivity: f64,
    /// The consumers both clustering figures are taken over: all of them up to
    /// [`CLUSTERING_NODES`], else every ⌈n / CLUSTERING_NODES⌉-th.
    pub clustering_nodes: u64,
    /// Power-law fit of the degree distribution's upper tail (as for exposure).
    pub degree_tail: Option<TailFit>,
    /// Communities (the stochastic block model's blocks, the `graph.communities` file, or
    /// label propagation's).
    pub communities: u64,
    /// The largest community's share of the consumers.
    pub largest_community_share: f64,
    /// The median community size (the mean of the two middle ones for an even count).
    pub median_community_size: f64,
    /// `[degree, consumers]` for each degree that occurs, ascending.
    pub degree_counts: Vec<[u64; 2]>,
    /// `[size, communities]` for each community size that occurs, ascending.
    pub community_size_counts: Vec<[u64; 2]>,
}

/// The most consumers the clustering figures are computed over; a larger graph gets an evenly
/// spaced sample of them (the cost grows with the squared degrees).
pub const CLUSTERING_NODES: usize = 100_000;

/// `(value, count)` pairs of `values`, ascending by value.
fn counts(values: &mut [u64]) -> Vec<[u64; 2]> {
    values.sort_unstable();
    let mut out: Vec<[u64; 2]> = Vec::new();
    for &v in values.iter() {
        match out.last_mut() {
            Some(last) if last[0] == v => last[1] += 1,
            _ => out.push([v, 1]),
        }
    }
    out
}

/// Links among the neighbours of `v` (each counted once), searching the longer of two sorted
/// lists for each entry of the shorter.
fn links_among_neighbours(g: &Csr, v: u32) -> u64 {
    let list = g.neighbours(v);
    let mut links = 0u64;
    for &u in list {
        let other = g.neighbours(u);
        let (short, long) = if other.len() < list.len() {
            (other, list)
        } else {
            (list, other)
        };
        links += short
            .iter()
            .filter(|w| long.binary_search(w).is_ok())
            .count() as u64;
    }
    links / 2
}

/// The diagnostics of graph `g` with communities `community` (one label a node).
pub fn graph_summary(g: &Csr, community: &[u32]) -> GraphSummary {
    let n = g.node_count();
    let mut degrees: Vec<u64> = (0..n as u32).map(|v| g.degree(v) as u64).collect();
    let degree_values: Vec<f64> = degrees.iter().map(|&d| d as f64).collect();

    let mut sets = UnionFind::<u32>::new(n);
    for (u, v) in g.edges() {
        sets.union(u, v);
    }
    let mut sizes = vec![0u64; n];
    for v in 0..n as u32 {
        sizes[sets.find_mut(v) as usize] += 1;
    }
    let components = sizes.iter().filter(|&&s| s > 0).count() as u64;
    let largest = sizes.iter().copied().max().unwrap_or(0);

    // Per node: its local clustering coefficient, and its triangles and triples.
    let local = |v: usize| -> (f64, u64, u64) {
        let d = g.degree(v as u32) as u64;
        if d < 2 {
            return (0.0, 0, 0);
        }
        let links = links_among_neighbours(g, v as u32);
        let pairs = d * (d - 1) / 2;
        (links as f64 / pairs as f64, links, pairs)
    };
    let stride = n.div_ceil(CLUSTERING_NODES).max(1);
    let sampled: Vec<usize> = (0..n).step_by(stride).collect();
    let per_node: Vec<(f64, u64, u64)> = sampled.par_iter().map(|&v| local(v)).collect();
    let average_clustering = ratio(
        super::ordered_sum(per_node.len(), |k| per_node[k].0),
        per_node.len() as f64,
    );
    // Each triangle is closed at each of its three corners.
    let closed: u64 = per_node.iter().map(|p| p.1).sum();
    let triples: u64 = per_node.iter().map(|p| p.2).sum();

    let mut community_sizes: Vec<u64> = {
        let labels = community
            .iter()
            .copied()
            .max()
            .map_or(0, |m| m as usize + 1);
        let mut s = vec![0u64; labels];
        for &c in community {
            s[c as usize] += 1;
        }
        s.into_iter().filter(|&x| x > 0).collect()
    };
    community_sizes.sort_unstable();
    let k = community_sizes.len();
    let median = match k {
        0 => 0.0,
        _ if k % 2 == 1 => community_sizes[k / 2] as f64,
        _ => (community_sizes[k / 2 - 1] + community_sizes[k / 2]) as f64 / 2.0,
    };

    GraphSummary {
        nodes: n as u64,
        edges: g.edge_count() as u64,
        mean_degree: g.mean_degree(),
        max_degree: degrees.iter().copied().max().unwrap_or(0),
        isolated: degrees.iter().filter(|&&d| d == 0).count() as u64,
        components,
        largest_component_share: ratio(largest as f64, n as f64),
        average_clustering,
        transitivity: ratio(closed as f64, triples as f64),
        clustering_nodes: per_node.len() as u64,
        degree_tail: fit_power_law_tail(&degree_values),
        communities: k as u64,
        largest_community_share: ratio(
            community_sizes.last().copied().unwrap_or(0) as f64,
            n as f64,
        ),
        median_community_size: median,
        degree_counts: counts(&mut degrees),
        community_size_counts: counts(&mut community_sizes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Exact: a triangle with a pendant (0-1-2 a triangle, 2-3), a separate edge 4-5 and an
    // isolated node 6. Local clustering 1, 1, 1/3, 0, 0, 0, 0 (mean 7/21 = 1/3); one triangle
    // (3 closed triples) among 1 + 1 + 3 = 5 triples: transitivity 3/5. Components {0..3},
    // {4, 5}, {6}: 3, the largest 4/7.
    #[test]
    fn small_graph_by_hand() {
        let g = Csr::from_edges(7, &[(0, 1), (1, 2), (0, 2), (2, 3), (4, 5)]);
        let s = graph_summary(&g, &[0, 0, 0, 0, 1, 1, 2]);
        assert_eq!((s.nodes, s.edges, s.max_degree, s.isolated), (7, 5, 3, 1));
        assert_eq!(s.components, 3);
        assert!((s.largest_component_share - 4.0 / 7.0).abs() < 1e-12);
        assert!((s.average_clustering - 1.0 / 3.0).abs() < 1e-12);
        assert!((s.transitivity - 0.6).abs() < 1e-12);
        assert_eq!(s.degree_counts, vec![[0, 1], [1, 3], [2, 2], [3, 1]]);
        assert_eq!(s.communities, 3);
        assert_eq!(s.community_size_counts, vec![[1, 1], [2, 1], [4, 1]]);
        assert_eq!(s.median_community_size, 2.0);
        assert!((s.largest_community_share - 4.0 / 7.0).abs() < 1e-12);
        // The clustering agrees with the graph module's own (sequential, marking) estimator.
        assert!((s.average_clustering - crate::graph::average_clustering(&g)).abs() < 1e-12);
    }

    // Known results, tolerances from the sampling spread at this size:
    // - Erdős–Rényi-like graphs (a stochastic block model of one block, p = 8 / n) have
    //   clustering ≈ p = 0.0016 (within 0.001) and a giant component of share 1 − e^(−c·s)
    //   solved for c = 8: 0.99966 (within 0.002);
    // - a ring lattice of k = 10 neighbours (Watts–Strogatz, p_rewire = 0) has clustering
    //   3(k − 2) / (4(k − 1)) = 2/3 exactly, and one component.
    #[test]
    fn known_graphs() {
        use rand::SeedableRng;
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(5);
        let n = 5000;
        let (g, blocks) = crate::graph::stochastic_block(n, 1, 8.0 / n as f64, 0.0, &mut rng);
        let s = graph_summary(&g, &blocks);
        assert!((s.average_clustering - 0.0016).abs() < 0.001, "{s:?}");
        assert!((s.largest_component_share - 0.99966).abs() < 0.002, "{s:?}");
        assert_eq!(s.communities, 1);
        let ring = crate::graph::watts_strogatz(n, 10, 0.0, &mut rng);
        let s = graph_summary(&ring, &vec![0; n]);
        assert!((s.average_clustering - 2.0 / 3.0).abs() < 1e-12, "{s:?}");
        assert!((s.transitivity - 2.0 / 3.0).abs() < 1e-12, "{s:?}");
        assert_eq!(s.components, 1);
        assert_eq!(s.clustering_nodes, n as u64);
    }

    // A ring lattice larger than the clustering sample: every node has clustering 2/3, so the
    // sample's mean is exactly that, over every ⌈n / CLUSTERING_NODES⌉-th node.
    #[test]
    fn clustering_of_a_large_graph_is_sampled() {
        use rand::SeedableRng;
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1);
        let n = 250_000;
        let ring = crate::graph::watts_strogatz(n, 4, 0.0, &mut rng);
        let s = graph_summary(&ring, &vec![0; n]);
        assert_eq!(s.clustering_nodes, n.div_ceil(3) as u64);
        // k = 4: 3(k − 2) / (4(k − 1)) = 1/2.
        assert!((s.average_clustering - 0.5).abs() < 1e-12, "{s:?}");
    }
}
