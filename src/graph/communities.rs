//! Community detection by label propagation, for graphs that come without communities
//! (every generator but the stochastic block model, and edge lists).
//!
//! Each node starts in a community of its own. In each sweep every node takes the label most
//! common among its neighbours' labels of the previous sweep (ties go to the smallest label;
//! a node keeps its label when it is among the most common). Updating all nodes from the
//! previous sweep's labels (synchronously) keeps a label from leaking across a bridge while
//! the communities on both sides are still forming. The sweeps stop when one changes nothing,
//! or after `max_sweeps`. The labels are then renumbered 0, 1, … in order of first appearance. The
//! result depends on the graph alone: no random draw, the same on every thread count.

use super::Csr;
use rayon::prelude::*;

/// The label node `i` takes from its neighbours' `label`s: the most common (ties to the
/// smallest), or its own when its own is among the most common or it has no neighbours.
/// `seen` is scratch.
fn most_common_label(g: &Csr, label: &[u32], i: usize, seen: &mut Vec<u32>) -> u32 {
    let own = label[i];
    seen.clear();
    seen.extend(g.neighbours(i as u32).iter().map(|&f| label[f as usize]));
    seen.sort_unstable();
    let (mut best, mut best_count, mut own_count) = (own, 0usize, 0usize);
    let mut k = 0;
    while k < seen.len() {
        let l = seen[k];
        let run = seen[k..].iter().take_while(|&&x| x == l).count();
        if run > best_count {
            (best, best_count) = (l, run);
        }
        if l == own {
            own_count = run;
        }
        k += run;
    }
    if own_count < best_count && best != own {
        best
    } else {
        own
    }
}

/// Community labels (0, 1, …) of the nodes of `g`.
pub fn label_propagation(g: &Csr, max_sweeps: usize) -> Vec<u32> {
    let n = g.node_count();
    let mut label: Vec<u32> = (0..n as u32).collect();
    let mut next = label.clone();
    for _ in 0..max_sweeps {
        // Each node's next label reads only the previous sweep's labels, so the nodes are
        // updated in parallel, each thread with its own buffer of neighbour labels: the same
        // labels on every thread count. No short-circuit: every node is written.
        let changed = next
            .par_iter_mut()
            .enumerate()
            .with_min_len(4096)
            .map_init(Vec::new, |seen: &mut Vec<u32>, (i, slot)| {
                *slot = most_common_label(g, &label, i, seen);
                *slot != label[i]
            })
            .reduce(|| false, |a, b| a || b);
        std::mem::swap(&mut label, &mut next);
        if !changed {
            break;
        }
    }
    // Renumber in order of first appearance.
    let mut number = vec![u32::MAX; n];
    let mut count = 0u32;
    for l in label.iter_mut() {
        let slot = &mut number[*l as usize];
        if *slot == u32::MAX {
            *slot = count;
            count += 1;
        }
        *l = *slot;
    }
    label
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two 5-cliques joined by one edge split into two communities.
    #[test]
    fn two_cliques_joined_by_a_bridge_are_two_communities() {
        let mut edges = Vec::new();
        for base in [0u32, 5] {
            for a in 0..5 {
                for b in a + 1..5 {
                    edges.push((base + a, base + b));
                }
            }
        }
        edges.push((4, 5));
        let g = Csr::from_edges(10, &edges);
        let c = label_propagation(&g, 20);
        assert!(c[..5].iter().all(|&x| x == c[0]));
        assert!(c[5..].iter().all(|&x| x == c[5]));
        assert_ne!(c[0], c[5]);
    }

    /// The parallel sweeps give the labels of sequential ones (each node updated in turn
    /// from the previous sweep's labels), on 1 thread and on 4, on a scale-free graph of
    /// 50,000 nodes large enough to be split among threads.
    #[test]
    fn parallel_sweeps_give_the_sequential_labels_on_any_thread_count() {
        let mut rng = crate::rng::stream(3, crate::rng::Purpose::Graph, 0, 0);
        let g = crate::graph::barabasi_albert(50_000, 3, &mut rng);
        let sweeps = 5;
        let mut label: Vec<u32> = (0..g.node_count() as u32).collect();
        let mut seen = Vec::new();
        for _ in 0..sweeps {
            label = (0..label.len())
                .map(|i| most_common_label(&g, &label, i, &mut seen))
                .collect();
        }
        let mut number = std::collections::HashMap::new();
        let reference: Vec<u32> = label
            .iter()
            .map(|&l| {
                let next = number.len() as u32;
                *number.entry(l).or_insert(next)
            })
            .collect();
        for threads in [1, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            assert_eq!(
                pool.install(|| label_propagation(&g, sweeps)),
                reference,
                "{threads} threads"
            );
        }
    }
}
