//! The platform's model of each consumer: what it has learned of the consumer's interests
//! from that consumer's logged impressions, engagements and purchases. Built-in algorithms
//! rank by this estimate, never by the true interests (which only the consumer's response
//! reads).
//!
//! Per consumer and topic the platform keeps two counts, credited to the main topic of the
//! account shown: impressions `x_t` and engaged impressions `e_t`; a purchase counts as
//! `recommendation.purchase_evidence` more impressions, all engaged. The topic's engagement
//! rate has a Beta posterior whose prior mean is the platform-wide engagement rate `r̄` and
//! whose prior weighs `a = recommendation.prior_impressions` impressions:
//!
//! ```text
//! r_t = (e_t + a·r̄) / (x_t + a),     estimated interest θ̂_t = r_t / Σ_s r_s
//! ```
//!
//! A consumer with no log (cold start) gets the uniform estimate. Because the estimate is
//! built from rates (engagements per impression) and not from counts, what the feed showed
//! more often does not by that alone look more interesting.
//!
//! The match of an account whose topic profile is `p` (its weights sum to 1) is
//! `Σ_t p_t · θ̂_t / max_s θ̂_s`, in [0, 1]: the share of the account's content that lies in
//! topics the consumer likes, relative to its favourite. For a consumer the platform knows
//! nothing of it is 1 for every account, so a cold start ranks no account above another.

/// Per-consumer evidence: `2 × topics` counts a consumer (impressions, then engaged).
pub struct InterestModel {
    topics: usize,
    counts: Vec<f32>,
}

impl InterestModel {
    /// No evidence yet for any of `consumers`.
    pub fn new(consumers: usize, topics: usize) -> InterestModel {
        InterestModel {
            topics,
            counts: crate::world::filled(0.0, consumers * 2 * topics),
        }
    }

    /// The number of counts a consumer holds (its row's length).
    pub fn row_len(&self) -> usize {
        2 * self.topics
    }

    /// Consumer `i`'s counts.
    pub fn row(&self, i: usize) -> &[f32] {
        let n = self.row_len();
        &self.counts[i * n..(i + 1) * n]
    }

    /// All rows, consumer after consumer (to split among threads).
    pub fn rows_mut(&mut self) -> &mut [f32] {
        &mut self.counts
    }
}

/// What the platform needs to turn counts into an estimate.
#[derive(Clone, Copy, Debug)]
pub struct Prior {
    /// r̄: the platform-wide engagement rate so far.
    pub rate: f32,
    /// a: the prior's weight, in impressions.
    pub impressions: f32,
}

/// Writes the estimated interests θ̂ of a consumer with counts `row` into `out` (`topics`
/// long; they sum to 1) and returns 1 / their largest weight (the scale of [`matched`]).
#[inline]
pub fn estimate(row: &[f32], prior: Prior, out: &mut [f32]) -> f32 {
    let t = out.len();
    let (x, e) = row.split_at(t);
    let pseudo = prior.impressions * prior.rate;
    let mut sum = 0.0;
    for k in 0..t {
        let r = (e[k] + pseudo) / (x[k] + prior.impressions);
        out[k] = r;
        sum += r;
    }
    let mut top = 0.0f32;
    for o in out.iter_mut() {
        *o /= sum;
        top = top.max(*o);
    }
    1.0 / top
}

/// The match of an account with topic profile `profile` for a consumer whose estimate is
/// `interest` and whose [`estimate`] returned `scale`.
#[inline]
pub fn matched(interest: &[f32], scale: f32, profile: &[f32]) -> f32 {
    crate::world::dot(interest, profile) * scale
}

/// Logs one impression of an account of main topic `topic` into a consumer's counts.
#[inline]
pub fn record(row: &mut [f32], topic: usize, engaged: bool, purchased: bool, purchase: f32) {
    let t = row.len() / 2;
    let extra = if purchased { purchase } else { 0.0 };
    row[topic] += 1.0 + extra;
    if engaged {
        row[t + topic] += 1.0 + extra;
    }
}

/// Total-variation distance between the estimate and the true interests: the share of
/// interest mass the platform puts on the wrong topics, in [0, 1].
#[inline]
pub fn error(estimate: &[f32], truth: &[f32]) -> f32 {
    0.5 * estimate
        .iter()
        .zip(truth)
        .map(|(a, b)| (a - b).abs())
        .sum::<f32>()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRIOR: Prior = Prior {
        rate: 0.1,
        impressions: 20.0,
    };

    #[test]
    fn cold_start_is_uniform() {
        let mut out = [0.0; 4];
        let inv = estimate(&[0.0; 8], PRIOR, &mut out);
        assert!(out.iter().all(|&x| (x - 0.25).abs() < 1e-6));
        assert!((inv - 4.0).abs() < 1e-5);
        // Every account matches a stranger equally.
        for p in [[1.0, 0.0, 0.0, 0.0], [0.25; 4], [0.1, 0.2, 0.3, 0.4]] {
            assert!((matched(&out, inv, &p) - 1.0).abs() < 1e-5);
        }
    }

    #[test]
    fn rates_not_counts() {
        // Topic 0 shown 100 times, engaged 10 (rate 0.1); topic 1 shown 10, engaged 5.
        let mut row = [0.0; 4];
        for k in 0..100 {
            record(&mut row, 0, k < 10, false, 5.0);
        }
        for k in 0..10 {
            record(&mut row, 1, k < 5, false, 5.0);
        }
        let mut out = [0.0; 2];
        estimate(&row, PRIOR, &mut out);
        // r0 = (10 + 2) / 120 = 0.1, r1 = (5 + 2) / 30 = 0.2333.
        assert!((out[1] / out[0] - (7.0 / 30.0) / 0.1).abs() < 1e-4);
        assert!((error(&out, &[0.3, 0.7]) - (out[0] - 0.3).abs()).abs() < 1e-6);
    }
}
