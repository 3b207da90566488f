//! The platform's revenue beyond commission: ad slots sold per impression and premium
//! membership's daily fee; and the day's platform revenue by part.

use crate::engine::{DayEvents, DayView, OrderIntent};
use crate::metrics::DailyRow;
use crate::rng::{Purpose, below, stream, unit_f32};
use crate::scenario::Scenario;
use crate::world::{NONE, World};

/// Phase A: a discount plus premium members' discount (capped at 95 %).
#[inline]
pub fn membership_discount(world: &World, s: &Scenario, i: usize, discount: f32) -> f32 {
    if world.consumers.premium[i] {
        (discount + s.platform.premium_discount as f32).min(0.95)
    } else {
        discount
    }
}

/// Phase A: the feed's ad slots. Each shows a uniformly drawn product; an engaged ad is a
/// purchase decision on it (an offer with no endorsement), and an order from an ad belongs
/// to no account.
pub fn show_ads(view: &DayView, i: usize, ev: &mut DayEvents) {
    let pl = &view.s.platform;
    if pl.ad_slots == 0 {
        return;
    }
    let pr = &view.world.products;
    let mut rng = stream(view.seed, Purpose::Ads, i as u64, view.day as u64);
    for _ in 0..pl.ad_slots {
        ev.ad_impressions += 1;
        let product = below(&mut rng, pr.price.len()) as u32;
        if unit_f32(&mut rng) >= pl.ad_engage_prob as f32 {
            continue;
        }
        let Some((utility, value)) = view.offer(i, product, 0.0, 0.0) else {
            continue;
        };
        if view.decide(utility, &mut rng) {
            ev.orders.push(OrderIntent {
                consumer: i as u32,
                creator: NONE,
                product,
                value: value as f64,
                live: false,
                impulse: 0.0,
                expected: pr.advertised[product as usize],
                coupon: 0.0,
                points: 0.0,
                group: NONE,
            });
        }
    }
}

/// Records the day's ad and premium revenue and the platform's total revenue (commission
/// and insurance premiums were booked at delivery).
pub fn record(world: &World, s: &Scenario, ad_impressions: u64, row: &mut DailyRow) {
    row.ad_impressions = ad_impressions;
    row.revenue_ads = s.platform.ad_price * ad_impressions as f64;
    let cons = &world.consumers;
    row.premium_members = (0..cons.len())
        .filter(|&i| cons.premium[i] && !cons.churned[i])
        .count() as u64;
    row.revenue_premium = s.platform.premium_fee * row.premium_members as f64;
    row.platform_revenue =
        row.revenue_commission + row.revenue_insurance + row.revenue_ads + row.revenue_premium;
}
