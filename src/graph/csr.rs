//! Compressed sparse row storage for undirected simple graphs.

/// Undirected simple graph over nodes `0..n` in compressed sparse row form.
///
/// Invariants: symmetric (`u` in `N(v)` iff `v` in `N(u)`), no self-loops, no
/// multi-edges, each neighbour list sorted ascending. The neighbours of `v` are
/// `neighbours[offsets[v]..offsets[v + 1]]`; every undirected edge is stored
/// twice, once in each endpoint's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Csr {
    offsets: Vec<u64>,
    neighbours: Vec<u32>,
}

impl Csr {
    /// Builds a graph on nodes `0..n` from an unordered list of undirected
    /// edges, dropping self-loops and duplicates (including `(u, v)`/`(v, u)`
    /// pairs).
    ///
    /// Runs in O(n + E log d_max): two counting passes place every edge in
    /// both endpoints' lists, then each list is sorted and deduplicated in
    /// place. Memory is the final graph plus nothing per edge.
    ///
    /// # Panics
    /// If an endpoint is `>= n`, or `n` exceeds `2^32` (ids must fit in `u32`).
    pub fn from_edges(n: usize, edges: &[(u32, u32)]) -> Csr {
        Csr::from_edge_iter(n, edges.iter().copied())
    }

    /// As [`Csr::from_edges`], for any edge source that can be walked twice.
    pub fn from_edge_iter<I>(n: usize, edges: I) -> Csr
    where
        I: Iterator<Item = (u32, u32)> + Clone,
    {
        assert!(
            n as u64 <= u64::from(u32::MAX) + 1,
            "Csr: {n} nodes do not fit in u32 ids"
        );
        let mut offsets = count_degrees_as_ends(n, edges.clone());
        let total = offsets[n] as usize;
        let mut neighbours = vec![0u32; total];
        scatter(&mut offsets, &mut neighbours, edges);
        sort_and_dedup(&mut offsets, &mut neighbours);
        Csr {
            offsets,
            neighbours,
        }
    }

    /// Number of nodes `n`.
    pub fn node_count(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of undirected edges.
    pub fn edge_count(&self) -> usize {
        self.neighbours.len() / 2
    }

    /// Neighbours of `v`, sorted ascending.
    ///
    /// # Panics
    /// If `v >= node_count()`.
    pub fn neighbours(&self, v: u32) -> &[u32] {
        let v = v as usize;
        &self.neighbours[self.offsets[v] as usize..self.offsets[v + 1] as usize]
    }

    /// Number of neighbours of `v`.
    pub fn degree(&self, v: u32) -> usize {
        let v = v as usize;
        (self.offsets[v + 1] - self.offsets[v]) as usize
    }

    /// Mean degree `2E / n` (0 for the empty graph).
    pub fn mean_degree(&self) -> f64 {
        if self.node_count() == 0 {
            return 0.0;
        }
        self.neighbours.len() as f64 / self.node_count() as f64
    }

    /// Every undirected edge once, as `(u, v)` with `u < v`, in ascending order.
    pub fn edges(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        (0..self.node_count() as u32).flat_map(move |u| {
            self.neighbours(u)
                .iter()
                .filter(move |&&v| v > u)
                .map(move |&v| (u, v))
        })
    }

    /// Checks the structural invariants (sorted, symmetric, no self-loops, no
    /// duplicates, consistent offsets); returns a description of the first
    /// violation found. Intended for tests and debug assertions.
    pub fn check_invariants(&self) -> Result<(), String> {
        check_offsets(&self.offsets, self.neighbours.len())?;
        let n = self.node_count();
        for v in 0..n as u32 {
            let list = self.neighbours(v);
            for (i, &u) in list.iter().enumerate() {
                if u as usize >= n {
                    return Err(format!("node {v} has neighbour {u} >= n = {n}"));
                }
                if u == v {
                    return Err(format!("node {v} has a self-loop"));
                }
                if i > 0 && list[i - 1] >= u {
                    return Err(format!("neighbours of {v} not strictly ascending at {u}"));
                }
                if self.neighbours(u).binary_search(&v).is_err() {
                    return Err(format!("edge {v}->{u} has no reverse {u}->{v}"));
                }
            }
        }
        Ok(())
    }
}

/// First counting pass: returns `offsets` where `offsets[v]` is the end of
/// `v`'s (not yet deduplicated) list, i.e. the inclusive prefix sum of
/// degrees, and `offsets[n]` is the total number of directed entries.
fn count_degrees_as_ends<I>(n: usize, edges: I) -> Vec<u64>
where
    I: Iterator<Item = (u32, u32)>,
{
    let mut offsets = vec![0u64; n + 1];
    for (u, v) in edges {
        assert!(
            (u as usize) < n && (v as usize) < n,
            "Csr: edge ({u}, {v}) has an endpoint >= n = {n}"
        );
        if u != v {
            offsets[u as usize] += 1;
            offsets[v as usize] += 1;
        }
    }
    let mut running = 0u64;
    for slot in offsets.iter_mut().take(n) {
        running += *slot;
        *slot = running;
    }
    offsets[n] = running;
    offsets
}

/// Second pass: writes each edge into both endpoints' lists, filling each
/// list from its end. Afterwards `offsets[v]` is the start of `v`'s list.
fn scatter<I>(offsets: &mut [u64], neighbours: &mut [u32], edges: I)
where
    I: Iterator<Item = (u32, u32)>,
{
    for (u, v) in edges {
        if u != v {
            offsets[u as usize] -= 1;
            neighbours[offsets[u as usize] as usize] = v;
            offsets[v as usize] -= 1;
            neighbours[offsets[v as usize] as usize] = u;
        }
    }
}

/// Sorts every neighbour list and removes duplicates, compacting the lists
/// towards the front of `neighbours` and rewriting `offsets` to match.
/// Duplicates are always symmetric, so symmetry is preserved.
fn sort_and_dedup(offsets: &mut [u64], neighbours: &mut Vec<u32>) {
    let n = offsets.len() - 1;
    let mut write = 0usize;
    let mut start = 0usize;
    for v in 0..n {
        let end = offsets[v + 1] as usize;
        neighbours[start..end].sort_unstable();
        offsets[v] = write as u64;
        for read in start..end {
            let x = neighbours[read];
            if read == start || x != neighbours[write - 1] {
                neighbours[write] = x;
                write += 1;
            }
        }
        start = end;
    }
    offsets[n] = write as u64;
    if write < neighbours.len() {
        neighbours.truncate(write);
        neighbours.shrink_to_fit();
    }
}

fn check_offsets(offsets: &[u64], len: usize) -> Result<(), String> {
    if offsets.first() != Some(&0) || offsets.last() != Some(&(len as u64)) {
        return Err("offsets do not span the neighbour array".to_string());
    }
    if offsets.windows(2).any(|w| w[0] > w[1]) {
        return Err("offsets are not non-decreasing".to_string());
    }
    if !len.is_multiple_of(2) {
        return Err("odd number of directed entries".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Exact checks: duplicates, reversed pairs and self-loops are dropped.
    #[test]
    fn from_edges_drops_loops_and_duplicates() {
        let edges = [(0, 1), (1, 0), (2, 2), (1, 2), (0, 1), (3, 1), (2, 1)];
        let g = Csr::from_edges(5, &edges);
        assert_eq!(g.node_count(), 5);
        assert_eq!(g.edge_count(), 3);
        assert_eq!(g.neighbours(0), &[1]);
        assert_eq!(g.neighbours(1), &[0, 2, 3]);
        assert_eq!(g.neighbours(2), &[1]);
        assert_eq!(g.neighbours(3), &[1]);
        assert_eq!(g.degree(4), 0);
        assert_eq!(g.mean_degree(), 6.0 / 5.0);
        assert_eq!(g.edges().collect::<Vec<_>>(), vec![(0, 1), (1, 2), (1, 3)]);
        g.check_invariants().unwrap();
    }

    // Exact: the empty graph and a graph with no edges are valid.
    #[test]
    fn empty_graphs() {
        let g = Csr::from_edges(0, &[]);
        assert_eq!(
            (g.node_count(), g.edge_count(), g.mean_degree()),
            (0, 0, 0.0)
        );
        g.check_invariants().unwrap();
        let g = Csr::from_edges(3, &[(1, 1)]);
        assert_eq!((g.node_count(), g.edge_count()), (3, 0));
        g.check_invariants().unwrap();
    }

    #[test]
    #[should_panic(expected = "endpoint >= n")]
    fn from_edges_rejects_out_of_range() {
        Csr::from_edges(3, &[(0, 3)]);
    }

    // The checker itself must catch broken graphs, or the generator tests
    // that rely on it could never fail.
    #[test]
    fn check_invariants_detects_violations() {
        let asymmetric = Csr {
            offsets: vec![0, 1, 1],
            neighbours: vec![1],
        };
        assert!(asymmetric.check_invariants().is_err());
        let unsorted = Csr {
            offsets: vec![0, 2, 3, 4],
            neighbours: vec![2, 1, 0, 0],
        };
        assert!(unsorted.check_invariants().is_err());
        let self_loop = Csr {
            offsets: vec![0, 2],
            neighbours: vec![0, 0],
        };
        assert!(self_loop.check_invariants().is_err());
    }
}
