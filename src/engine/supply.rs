//! Step 2 of the day: merchants exit or enter; creators exit or enter, post items (in place
//! of an affiliate that exited, a new one first); hosts open live sessions.

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
    pub merchant_exits: u64,
    pub merchant_entries: u64,
}

/// Runs today's supply step: merchants' exits and entries, creators' exits and entries, then
/// posting and live sessions.
pub fn supply(world: &mut World, s: &Scenario, day: u32) -> SupplyCounts {
    let mut counts = SupplyCounts::default();
    merchants(world, s, day, &mut counts);
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
            replace_exited_affiliates(cr, c, &world.merchants, s, day);
            // The session sells one product of the next merchant in the host's lineup.
            let merchant = cr.affiliates[c * affiliates + day as usize % lineup];
            cr.item_product[c] = merchant * ppm as u32 + below(&mut rng, ppm) as u32;
            cr.item_quality[c] = cr.quality[c];
            cr.item_day[c] = day;
            cr.stock_left[c] = s.hosts.session_stock as u32;
            counts.live_sessions += 1;
        } else if cr.item_day[c] == NONE || unit_f32(&mut rng) < s.creators.posting_rate as f32 {
            replace_exited_affiliates(cr, c, &world.merchants, s, day);
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

/// Merchants: those whose smoothed profit stayed under `merchants.exit_profit` for
/// `patience_days` days exit; then Poisson(`merchants.entry_rate`) new ones enter, each with
/// fresh products (appended after the others, so product id = merchant · ppm + k still
/// holds). The indexes of active merchants are rebuilt if anything changed.
fn merchants(world: &mut World, s: &Scenario, day: u32, counts: &mut SupplyCounts) {
    let m = &mut world.merchants;
    for k in 0..m.len() {
        if m.active[k] && m.low_days[k] as u64 >= s.merchants.patience_days {
            m.active[k] = false;
            m.exited_day[k] = day;
            counts.merchant_exits += 1;
        }
    }
    if s.merchants.entry_rate > 0.0 {
        let mut rng = stream(s.run.seed, Purpose::MerchantEntry, 0, day as u64);
        let n = Poisson::new(s.merchants.entry_rate)
            .expect("validated")
            .sample(&mut rng) as u64;
        let ppm = world.products.per_merchant as u64;
        for _ in 0..n {
            let id = world.merchants.len() as u64;
            // Validation keeps the expected count far below this; never wrap product ids.
            if (id + 1) * ppm > (u32::MAX / 2) as u64 {
                break;
            }
            let mut rng = stream(s.run.seed, Purpose::MerchantEntry, id, day as u64);
            build::push_merchant(&mut world.merchants, &mut world.products, day, s, &mut rng);
            counts.merchant_entries += 1;
        }
    }
    if counts.merchant_exits + counts.merchant_entries > 0 {
        world.merchants.index(world.topics);
    }
}

/// Before account `c` posts or goes live: each of its affiliates that has exited is replaced
/// by a new one drawn as at entry (an active merchant of its main topic, or any active
/// merchant), from the account's own stream of the day, so its other draws do not move.
/// Nothing changes, and nothing is drawn, while its affiliates trade or when no merchant is
/// active.
fn replace_exited_affiliates(
    cr: &mut crate::world::Creators,
    c: usize,
    merchants: &crate::world::Merchants,
    s: &Scenario,
    day: u32,
) {
    if merchants.active_ids.is_empty() {
        return;
    }
    let affiliates = s.creators.affiliates as usize;
    let mut rng = None;
    for slot in c * affiliates..(c + 1) * affiliates {
        if !merchants.active[cr.affiliates[slot] as usize] {
            let rng = rng.get_or_insert_with(|| {
                stream(s.run.seed, Purpose::Affiliate, c as u64, day as u64)
            });
            cr.affiliates[slot] = build::draw_affiliate(merchants, cr.topic[c] as usize, rng);
        }
    }
}
