//! Step 2 of the day: creators exit or enter, post items; hosts open live sessions.

use crate::rng::{Purpose, below, stream, unit_f32};
use crate::scenario::Scenario;
use crate::world::{CreatorKind, NONE, World, build};
use rand::RngExt;
use rand_distr::{Distribution, Poisson};

/// What supply did today.
#[derive(Default)]
pub struct SupplyCounts {
    pub exits: u64,
    pub entries: u64,
    pub live_sessions: u64,
}

/// Runs today's supply step: exits, entries, then posting and live sessions.
pub fn supply(world: &mut World, s: &Scenario, day: u32) -> SupplyCounts {
    let mut counts = SupplyCounts::default();
    let cr = &mut world.creators;
    // Exit: smoothed exposure under motivation for `patience_days` days in a row.
    for c in 0..cr.len() {
        if cr.active[c] && cr.low_days[c] as u64 >= s.creators.patience_days {
            cr.active[c] = false;
            cr.live[c] = false;
            cr.exited_day[c] = day;
            counts.exits += 1;
        }
    }
    // Entry: Poisson(entry_rate) new creators a day.
    if s.creators.entry_rate > 0.0 {
        let mut rng = stream(s.run.seed, Purpose::CreatorEntry, 0, day as u64);
        let n = Poisson::new(s.creators.entry_rate)
            .expect("validated")
            .sample(&mut rng) as u64;
        for _ in 0..n {
            let id = world.creators.len() as u64;
            let mut rng = stream(s.run.seed, Purpose::CreatorEntry, id, day as u64);
            build::push_creator(
                &mut world.creators,
                CreatorKind::Creator,
                day,
                s,
                &world.merchants,
                &mut rng,
            );
        }
        counts.entries = n;
    }
    // Posting and live sessions.
    let cr = &mut world.creators;
    let affiliates = s.creators.affiliates as usize;
    let lineup = s.hosts.lineup as usize;
    let ppm = world.products.per_merchant as usize;
    for c in 0..cr.len() {
        if !cr.active[c] {
            continue;
        }
        let mut rng = stream(s.run.seed, Purpose::Supply, c as u64, day as u64);
        let is_host = cr.kind[c] == CreatorKind::Host;
        cr.live[c] = is_host && unit_f32(&mut rng) < s.hosts.live_prob as f32;
        if cr.live[c] {
            // The session sells one product of the next merchant in the host's lineup.
            let merchant = cr.affiliates[c * affiliates + day as usize % lineup];
            cr.item_product[c] = merchant * ppm as u32 + below(&mut rng, ppm) as u32;
            cr.item_quality[c] = cr.quality[c];
            cr.item_day[c] = day;
            cr.stock_left[c] = s.hosts.session_stock as u32;
            counts.live_sessions += 1;
        } else if cr.item_day[c] == NONE || unit_f32(&mut rng) < s.creators.posting_rate as f32 {
            cr.item_day[c] = day;
            cr.item_quality[c] = (cr.quality[c] + rng.random_range(-0.1f32..0.1)).clamp(0.0, 1.0);
            cr.item_product[c] = if unit_f32(&mut rng) < s.creators.product_link_prob as f32 {
                let merchant = cr.affiliates[c * affiliates + below(&mut rng, affiliates)];
                merchant * ppm as u32 + below(&mut rng, ppm) as u32
            } else {
                NONE
            };
        }
    }
    counts
}
