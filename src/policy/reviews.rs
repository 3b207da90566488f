//! Reviews: a buyer rates a delivered order (1 to 5 stars around the quality received, with
//! noise). A review reward makes buyers review more and rate higher; a jury removes
//! disputed reviews (far from the quality received). The displayed rating is a Bayesian
//! average; `rating_gap` measures how far it drifts from what quality deserves.
//!
//! Hooks: the review at delivery; the rating gap at record.

use crate::metrics::{DailyRow, ratio};
use crate::rng::{StreamRng, unit_f32};
use crate::scenario::Scenario;
use crate::scenario::check::*;
use crate::world::World;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// Delivery: the buyer may review `merchant` for a product of quality `realized`. Every draw
/// (review, rating noise, jury) is taken whatever the policy, so that variants keep their
/// draws aligned.
pub fn on_delivery(
    world: &mut World,
    s: &Scenario,
    merchant: usize,
    realized: f64,
    rng: &mut StreamRng,
    row: &mut DailyRow,
) {
    let b = &s.behaviour;
    let rv = &s.reviews;
    let rewarded = rv.reward > 0.0;
    let u_review = unit_f32(rng) as f64;
    let z: f64 = StandardNormal.sample(rng);
    let u_jury = unit_f32(rng) as f64;
    let review_prob = b.review_prob
        + if rewarded {
            rv.reward_review_boost
        } else {
            0.0
        };
    if u_review < review_prob {
        let honest = 1.0 + 4.0 * realized;
        let bias = if rewarded { rv.reward_bias } else { 0.0 };
        let stars = (honest + bias + b.rating_noise * z).clamp(1.0, 5.0);
        if rewarded {
            row.review_reward_spend += rv.reward;
        }
        if rv.jury && (stars - honest).abs() > rv.jury_threshold && u_jury < rv.jury_rate {
            row.jury_removed += 1;
        } else {
            row.reviews += 1;
            world.merchants.add_ratings(merchant, stars, 1, s);
        }
    }
}

/// Mean over merchants still trading with at least one rating of (displayed stars − the
/// stars their true quality deserves): the displayed stars are the Bayesian average shown to consumers, the
/// deserved ones 1 + 4 × the mean true quality of the merchant's products.
pub fn rating_gap(world: &World, s: &Scenario) -> f64 {
    let (m, pr) = (&world.merchants, &world.products);
    let ppm = pr.per_merchant as usize;
    let (w, prior) = (
        s.merchants.rating_prior_weight,
        s.merchants.rating_prior_mean,
    );
    let mut sum = 0.0;
    let mut n = 0u64;
    for k in 0..m.len() {
        if m.rating_count[k] == 0 || !m.active[k] {
            continue;
        }
        let shown = (prior * w + m.rating_sum[k]) / (w + m.rating_count[k] as f64);
        let quality: f64 = pr.quality[k * ppm..(k + 1) * ppm]
            .iter()
            .map(|&q| q as f64)
            .sum::<f64>()
            / ppm as f64;
        sum += shown - (1.0 + 4.0 * quality);
        n += 1;
    }
    ratio(sum, n as f64)
}

// ---- The scenario section `[reviews]` and its validation.

/// `[reviews]`: review rewards and the review jury
/// (Li (China's digital trade platforms and social media), §4.2).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Reviews {
    pub reward: f64,
    pub reward_review_boost: f64,
    pub reward_bias: f64,
    pub jury: bool,
    pub jury_threshold: f64,
    pub jury_rate: f64,
}

impl Default for Reviews {
    fn default() -> Self {
        Reviews {
            reward: 0.0,
            reward_review_boost: 0.3,
            reward_bias: 0.8,
            jury: false,
            jury_threshold: 0.75,
            jury_rate: 0.5,
        }
    }
}

impl Reviews {
    /// Checks the section's values; the first failure names its key.
    pub(crate) fn validate(&self) -> Check {
        non_negative("reviews.reward", self.reward)?;
        probability("reviews.reward_review_boost", self.reward_review_boost)?;
        non_negative("reviews.reward_bias", self.reward_bias)?;
        positive("reviews.jury_threshold", self.jury_threshold)?;
        probability("reviews.jury_rate", self.jury_rate)?;
        Ok(())
    }
}
