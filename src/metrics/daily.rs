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
    pub net_gmv: f64,
    pub in_transit_orders: u64,
    pub in_transit_gmv: f64,
    pub unique_buyers: u64,
    pub repeat_buyers: u64,
    pub repeat_purchase_rate: f64,
    pub return_rate: f64,
    pub platform_revenue: f64,
    pub creator_income: f64,
    pub merchant_profit: f64,
    pub mean_platform_trust: f64,
    pub churned: u64,
    pub churned_total: u64,
    pub active_creators: u64,
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
