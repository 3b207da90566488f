//! Long-tail creator support: active accounts whose smoothed exposure (as of this morning)
//! is below the `creator_support.quantile` of the active accounts' are paid
//! `reward_per_impression` for each of today's impressions. Creators weigh that income with
//! their exposure when they decide whether to stay.
//!
//! Hook: the payment, in the creators phase, before income and motivation are updated.

use crate::metrics::DailyRow;
use crate::scenario::Scenario;
use crate::world::World;

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
