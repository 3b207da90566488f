//! The daily row. Column definitions are in docs/OUTPUTS.md, exactly as computed here.

use serde::Serialize;

/// One row of `daily.csv`: what happened on one day.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct DailyRow {
    pub day: u32,
    pub active_consumers: u64,
    pub impressions: u64,
    pub engagements: u64,
    pub follows: u64,
    pub live_sessions: u64,
    pub orders: u64,
    pub gross_gmv: f64,
    pub cancelled_orders: u64,
    pub cancelled_gmv: f64,
    pub delivered_orders: u64,
    pub returned_orders: u64,
    pub returned_gmv: f64,
    pub insured_orders: u64,
    pub brushed_orders: u64,
    pub brushed_gmv: f64,
    pub brushing_detected: u64,
    pub delivered_live_orders: u64,
    pub returned_live_orders: u64,
    pub net_gmv: f64,
    pub in_transit_orders: u64,
    pub in_transit_gmv: f64,
    pub reviews: u64,
    pub jury_removed: u64,
    pub review_reward_spend: f64,
    pub rating_gap: f64,
    pub shares: u64,
    pub share_reward_spend: f64,
    pub groups_opened: u64,
    pub groups_formed: u64,
    pub groups_failed: u64,
    pub group_invitations: u64,
    pub group_joins: u64,
    pub pending_group_orders: u64,
    pub pending_group_gmv: f64,
    pub coupon_orders: u64,
    pub coupon_spend: f64,
    pub points_earned: f64,
    pub points_redeemed: f64,
    pub unique_buyers: u64,
    pub repeat_buyers: u64,
    pub repeat_purchase_rate: f64,
    pub return_rate: f64,
    pub live_return_rate: f64,
    pub platform_revenue: f64,
    pub revenue_commission: f64,
    pub revenue_insurance: f64,
    pub revenue_ads: f64,
    pub revenue_premium: f64,
    pub ad_impressions: u64,
    pub premium_members: u64,
    pub creator_income: f64,
    pub merchant_profit: f64,
    pub mean_platform_trust: f64,
    pub churned: u64,
    pub churned_total: u64,
    pub active_creators: u64,
    pub scandals: u64,
    pub compensation_spend: f64,
    pub supported_creators: u64,
    pub support_spend: f64,
    pub creator_entries: u64,
    pub creator_exits: u64,
    pub exposure_gini: f64,
    pub exposure_top1_share: f64,
    pub exposure_top10_share: f64,
    pub coverage: f64,
    pub feed_diversity: f64,
    pub mean_engage_prob: f64,
    pub homogenization: f64,
}

impl DailyRow {
    /// A booked order (`orders`, `gross_gmv`): today it was accepted or cancelled.
    pub fn book(&mut self, value: f64) {
        self.orders += 1;
        self.gross_gmv += value;
    }

    /// A cancelled order: its value is refunded (`cancelled_orders`, `cancelled_gmv`).
    pub fn cancel(&mut self, value: f64) {
        self.cancelled_orders += 1;
        self.cancelled_gmv += value;
    }
}
