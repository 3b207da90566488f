//! Homogenization of consumption (Chaney, Stewart & Engelhardt 2018): the mean Jaccard
//! similarity of the engagement sets of all pairs of a fixed sample of consumers.
//!
//! Intersections and unions of every pair are kept up to date as engagements arrive, so the
//! daily measure costs O(S²) divisions and each new engagement O(S).

/// Engagement sets of the sample and their pairwise overlaps.
pub struct Homogenization {
    /// Sampled consumer ids, ascending.
    members: Vec<u32>,
    /// One bit per creator for each member.
    sets: Vec<Vec<u64>>,
    /// |A ∩ B| and |A ∪ B| for member pairs (a < b), row-major over the upper triangle.
    inter: Vec<u32>,
    union: Vec<u32>,
}

impl Homogenization {
    /// Tracks the consumers `0, stride, 2·stride, …` (`size` of them).
    pub fn new(stride: usize, size: usize) -> Homogenization {
        let pairs = size * size.saturating_sub(1) / 2;
        Homogenization {
            members: (0..size).map(|j| (j * stride) as u32).collect(),
            sets: vec![Vec::new(); size],
            inter: vec![0; pairs],
            union: vec![0; pairs],
        }
    }

    fn has(set: &[u64], c: usize) -> bool {
        set.get(c / 64).is_some_and(|w| w >> (c % 64) & 1 == 1)
    }

    fn pair(&self, a: usize, b: usize) -> usize {
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        let s = self.members.len();
        a * (2 * s - a - 1) / 2 + (b - a - 1)
    }

    /// Records that `consumer` (a member) engaged with `creator`.
    pub fn engage(&mut self, consumer: u32, creator: u32) {
        let Ok(a) = self.members.binary_search(&consumer) else {
            return;
        };
        let c = creator as usize;
        if Self::has(&self.sets[a], c) {
            return;
        }
        for b in 0..self.members.len() {
            if b == a {
                continue;
            }
            let p = self.pair(a, b);
            if Self::has(&self.sets[b], c) {
                self.inter[p] += 1;
            } else {
                self.union[p] += 1;
            }
        }
        let set = &mut self.sets[a];
        if set.len() <= c / 64 {
            set.resize(c / 64 + 1, 0);
        }
        set[c / 64] |= 1 << (c % 64);
    }

    /// Mean Jaccard similarity |A ∩ B| / |A ∪ B| over member pairs whose union is not
    /// empty (0 when there is none).
    pub fn mean_jaccard(&self) -> f64 {
        let mut sum = 0.0;
        let mut n = 0u64;
        for (&i, &u) in self.inter.iter().zip(&self.union) {
            if u > 0 {
                sum += i as f64 / u as f64;
                n += 1;
            }
        }
        if n == 0 { 0.0 } else { sum / n as f64 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incremental_jaccard_matches_the_definition() {
        let mut h = Homogenization::new(10, 3); // members 0, 10, 20
        for (c, k) in [
            (0, 1),
            (0, 2),
            (0, 3),
            (10, 2),
            (10, 3),
            (10, 4),
            (10, 2),
            (20, 100),
            (5, 1),
        ] {
            h.engage(c, k);
        }
        // {1,2,3} vs {2,3,4}: 2/4; {1,2,3} vs {100}: 0/4; {2,3,4} vs {100}: 0/4.
        assert!((h.mean_jaccard() - (0.5 + 0.0 + 0.0) / 3.0).abs() < 1e-12);
        assert_eq!(Homogenization::new(1, 2).mean_jaccard(), 0.0);
    }
}
