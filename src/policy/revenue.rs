//! The platform's revenue beyond commission: ad slots sold per impression and premium
//! membership's daily fee; and the day's platform revenue by part.

use crate::behaviour::Origin;
use crate::engine::{DayEvents, DayView};
use crate::metrics::DailyRow;
use crate::rng::{Purpose, below, stream, unit_f32};
use crate::scenario::Scenario;
use crate::scenario::check::*;
use crate::world::{NONE, World};
use serde::{Deserialize, Serialize};

/// Phase A: a discount plus premium members' discount (capped at 95 %).
#[inline]
pub fn membership_discount(world: &World, s: &Scenario, i: usize, discount: f32) -> f32 {
    if world.consumers.premium[i] {
        (discount + s.platform.premium_discount as f32).min(0.95)
    } else {
        discount
    }
}

/// Phase A: the feed's ad slots. Each shows a product drawn uniformly from those of the
/// merchants still trading (an exited merchant buys no ads); an engaged ad is a purchase
/// decision on it (an offer with no endorsement), and an order from an ad belongs to no
/// account.
pub fn show_ads(view: &DayView, i: usize, ev: &mut DayEvents) {
    let pl = &view.s.platform;
    let (pr, m) = (&view.world.products, &view.world.merchants);
    let ppm = pr.per_merchant as usize;
    // While every merchant trades, draw k is product k.
    let on_offer = m.active_ids.len() * ppm;
    if pl.ad_slots == 0 || on_offer == 0 {
        return; // no ad slots, or no merchant left to advertise
    }
    let mut rng = stream(view.seed, Purpose::Ads, i as u64, view.day as u64);
    for _ in 0..pl.ad_slots {
        ev.ad_impressions += 1;
        let k = below(&mut rng, on_offer);
        let product = (m.active_ids[k / ppm] as usize * ppm + k % ppm) as u32;
        if unit_f32(&mut rng) >= pl.ad_engage_prob as f32 {
            continue;
        }
        let Some((utility, value)) = view.offer(i, product, 0.0, 0.0) else {
            continue;
        };
        if view.decide(utility, &mut rng) {
            ev.orders
                .push(view.outside_order(i, NONE, product, value, NONE, Origin::Ad));
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
        .filter(|&i| cons.premium[i] && cons.member(i))
        .count() as u64;
    row.revenue_premium = s.platform.premium_fee * row.premium_members as f64;
    row.platform_revenue =
        row.revenue_commission + row.revenue_insurance + row.revenue_ads + row.revenue_premium;
}

// ---- The scenario section `[platform]` and its validation.

/// `[platform]`: the platform's own take.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Platform {
    pub commission_rate: f64,
    pub ad_slots: u64,
    pub ad_price: f64,
    pub ad_engage_prob: f64,
    pub premium_share: f64,
    pub premium_fee: f64,
    pub premium_discount: f64,
}

impl Default for Platform {
    fn default() -> Self {
        Platform {
            commission_rate: 0.05,
            ad_slots: 0,
            ad_price: 0.02,
            ad_engage_prob: 0.03,
            premium_share: 0.0,
            premium_fee: 0.5,
            premium_discount: 0.05,
        }
    }
}

impl Platform {
    /// Checks the section's values; the first failure names its key.
    pub(crate) fn validate(&self, s: &Scenario) -> Check {
        probability("platform.commission_rate", self.commission_rate)?;
        if self.ad_slots >= s.recommendation.feed_size {
            return fail(
                "platform.ad_slots",
                format!(
                    "{} ad slots leave no room in a feed of recommendation.feed_size = {}",
                    self.ad_slots, s.recommendation.feed_size
                ),
            );
        }
        non_negative("platform.ad_price", self.ad_price)?;
        probability("platform.ad_engage_prob", self.ad_engage_prob)?;
        probability("platform.premium_share", self.premium_share)?;
        non_negative("platform.premium_fee", self.premium_fee)?;
        share_of_price("platform.premium_discount", self.premium_discount)?;
        if self.commission_rate + s.creators.affiliate_commission > 1.0 {
            return fail(
                "platform.commission_rate",
                "platform commission plus creators.affiliate_commission exceeds the whole price",
            );
        }
        Ok(())
    }
}
