//! Candidate pools, rebuilt once a day from the frozen world. Every draw is O(1):
//! uniform lists and alias tables, never a scan of all creators.

use crate::rng::{StreamRng, below};
use crate::world::World;
use rand_distr::Distribution;
use rand_distr::weighted::WeightedAliasIndex;
use rayon::prelude::*;

/// The day's candidate pools.
pub struct DayPools {
    /// Active creators and hosts (explore pool).
    pub active: Vec<u32>,
    /// Alias table over `active`, weights (1 + relative popularity)^exponent.
    popular: Option<WeightedAliasIndex<f32>>,
    /// Active creators by main topic.
    by_topic: Vec<Vec<u32>>,
    /// Hosts live today.
    pub live: Vec<u32>,
    /// Alias table over `live`, weights 1 + followers.
    live_weights: Option<WeightedAliasIndex<f32>>,
}

impl DayPools {
    /// Builds the pools from the world as it stands at the start of the day.
    pub fn build(world: &World, popularity_exponent: f64) -> DayPools {
        let c = &world.creators;
        let active: Vec<u32> = (0..c.len() as u32)
            .filter(|&i| c.active[i as usize])
            .collect();
        // Weights (1 + relative popularity)^exponent, relative popularity being smoothed
        // engagements over their mean among active accounts, so that the loop does not
        // change with the size of the world; divided by the top weight, so that no exponent
        // overflows f32.
        let mean = mean_popularity(c);
        let top = active
            .iter()
            .map(|&i| c.popularity[i as usize] as f64 / mean)
            .fold(0.0, f64::max);
        let popular = alias(
            active
                .par_iter()
                .map(|&i| {
                    ((1.0 + c.popularity[i as usize] as f64 / mean) / (1.0 + top))
                        .powf(popularity_exponent) as f32
                })
                .collect(),
        );
        let mut by_topic = vec![Vec::new(); world.topics];
        for &i in &active {
            by_topic[c.topic[i as usize] as usize].push(i);
        }
        let live: Vec<u32> = active
            .iter()
            .copied()
            .filter(|&i| c.live[i as usize])
            .collect();
        let live_weights = alias(
            live.iter()
                .map(|&i| 1.0 + c.followers[i as usize] as f32)
                .collect(),
        );
        DayPools {
            active,
            popular,
            by_topic,
            live,
            live_weights,
        }
    }

    /// A uniform draw from the active creators (`None` if there are none).
    #[inline]
    pub fn explore(&self, rng: &mut StreamRng) -> Option<u32> {
        (!self.active.is_empty()).then(|| self.active[below(rng, self.active.len())])
    }

    /// A draw in proportion to (1 + relative popularity)^exponent.
    #[inline]
    pub fn popular(&self, rng: &mut StreamRng) -> Option<u32> {
        self.popular.as_ref().map(|a| self.active[a.sample(rng)])
    }

    /// A uniform draw among active creators whose main topic is `topic`.
    #[inline]
    pub fn of_topic(&self, topic: usize, rng: &mut StreamRng) -> Option<u32> {
        let list = &self.by_topic[topic];
        (!list.is_empty()).then(|| list[below(rng, list.len())])
    }

    /// A host live today, in proportion to 1 + followers.
    #[inline]
    pub fn live(&self, rng: &mut StreamRng) -> Option<u32> {
        self.live_weights.as_ref().map(|a| self.live[a.sample(rng)])
    }
}

/// The mean smoothed engagements ("likes") over active accounts; 1 when there are none
/// (or none has any), so that relative popularity is always defined.
pub fn mean_popularity(c: &crate::world::Creators) -> f64 {
    let (sum, n) = (0..c.len())
        .filter(|&i| c.active[i])
        .fold((0.0f64, 0usize), |(s, n), i| {
            (s + c.popularity[i] as f64, n + 1)
        });
    if sum > 0.0 { sum / n as f64 } else { 1.0 }
}

fn alias(weights: Vec<f32>) -> Option<WeightedAliasIndex<f32>> {
    if weights.is_empty() {
        None
    } else {
        Some(WeightedAliasIndex::new(weights).expect("weights are finite and positive"))
    }
}
