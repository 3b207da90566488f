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

/// Community labels (0, 1, …) of the nodes of `g`.
pub fn label_propagation(g: &Csr, max_sweeps: usize) -> Vec<u32> {
    let n = g.node_count();
    let mut label: Vec<u32> = (0..n as u32).collect();
    let mut next = label.clone();
    let mut seen: Vec<u32> = Vec::new();
    for _ in 0..max_sweeps {
        let mut changed = false;
        for i in 0..n {
            let friends = g.neighbours(i as u32);
            if friends.is_empty() {
                continue;
            }
            seen.clear();
            seen.extend(friends.iter().map(|&f| label[f as usize]));
            seen.sort_unstable();
            let own = label[i];
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
            next[i] = if own_count < best_count && best != own {
                changed = true;
                best
            } else {
                own
            };
        }
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
}
