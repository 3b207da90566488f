//! Long-tail creator support: active accounts whose smoothed exposure (as of this morning)
//! is below the `creator_support.quantile` of the active accounts' are paid
//! `reward_per_impression` for each of today's impressions. Creators weigh that income with
//! their exposure when they decide whether to stay.
//!
//! Hook: the payment, in the creators phase, before income and motivation are updated.

use crate::metrics::DailyRow;
use crate::scenario::Scenario;
use crate::scenario::check::*;
use crate::world::World;
use serde::{Deserialize, Serialize};

/// Pays today's support rewards on `exposure` (impressions per account today).
pub fn pay(world: &mut World, s: &Scenario, exposure: &[u32], row: &mut DailyRow) {
    let support = &s.creator_support;
    if support.reward_per_impression <= 0.0 {
        return;
    }
    let cr = &mut world.creators;
    let mut e: Vec<f32> = (0..cr.len())
        .filter(|&c| cr.active[c])
        .map(|c| cr.exposure_ema[c])
        .collect();
    e.sort_by(f32::total_cmp);
    let Some(cut) = e
        .get(((support.quantile * e.len() as f64) as usize).min(e.len().saturating_sub(1)))
        .copied()
    else {
        return;
    };
    for (c, &x) in exposure.iter().enumerate() {
        if cr.active[c] && cr.exposure_ema[c] < cut {
            let reward = support.reward_per_impression * x as f64;
            cr.income[c] += reward;
            row.support_spend += reward;
            row.supported_creators += 1;
        }
    }
}

// ---- The scenario section `[creator_support]` and its validation.

/// `[creator_support]`: a long-tail support programme
/// (Li (China's digital trade platforms and social media), §4.3).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CreatorSupport {
    pub reward_per_impression: f64,
    pub quantile: f64,
}

impl Default for CreatorSupport {
    fn default() -> Self {
        CreatorSupport {
            reward_per_impression: 0.0,
            quantile: 0.5,
        }
    }
}

impl CreatorSupport {
    /// Checks the section's values; the first failure names its key.
    pub(crate) fn validate(&self) -> Check {
        non_negative(
            "creator_support.reward_per_impression",
            self.reward_per_impression,
        )?;
        probability("creator_support.quantile", self.quantile)?;
        Ok(())
    }
}
