//! The platform's revenue beyond commission: ad slots sold per impression and premium
//! membership's daily fee; and the day's platform revenue by part.

use crate::metrics::DailyRow;
use crate::scenario::Scenario;
use crate::world::World;

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
