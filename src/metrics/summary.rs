//! The run's summary (`summary.json`) and per-creator rows (`creators.csv`).
//! Definitions are in docs/OUTPUTS.md, exactly as computed here.

use super::inequality::{
    TailFit, fit_power_law_tail, gini_sorted, lorenz_sorted, top_share_sorted,
};
use super::ratio;
use super::{DailyRow, Totals};
use crate::scenario::Scenario;
use crate::world::{NONE, World};
use serde::Serialize;

/// Points of the Lorenz curves in the summary (population shares 0, 0.05, …, 1).
pub const LORENZ_POINTS: usize = 20;

/// `summary.json`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Summary {
    pub scenario: String,
    pub seed: u64,
    pub days: u32,
    pub consumers: u64,
    pub totals: Totals,
    pub rates: Rates,
    pub buyers: Buyers,
    pub retention: Retention,
    pub creators: CreatorCounts,
    pub feeds: Feeds,
    /// Distribution of cumulative exposure over every creator and host that ever existed.
    pub exposure: Distribution,
    /// Distribution of followers at the end over every creator and host that ever existed.
    pub followers: Distribution,
    /// Distribution of affiliate income over every creator and host that ever existed.
    pub income: Distribution,
    /// One event study per scandal, in the order they happened.
    pub scandals: Vec<super::event_study::ScandalStudy>,
    /// Each market's totals, in `[[markets]]` order.
    pub markets: Vec<crate::policy::markets::MarketSummary>,
    /// Each festival's GMV and active consumers, in `[[calendar.events]]` order.
    pub calendar: Vec<crate::policy::calendar::FestivalSummary>,
    /// The first festival's `gmv_per_mau` (null without festivals).
    pub gmv_per_mau: Option<f64>,
    /// The consumers' social graph and its communities.
    pub graph: super::network::GraphSummary,
    /// The campus questionnaire's tallies over `survey.csv` (null shares without chats).
    pub survey: crate::policy::chats::SurveySummary,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Rates {
    /// engagements / impressions.
    pub engagement_rate: f64,
    /// orders / engagements.
    pub conversion_rate: f64,
    /// returned_orders / delivered_orders.
    pub return_rate: f64,
    /// returned_live_orders / delivered_live_orders: returns of orders placed in live sessions.
    pub live_return_rate: f64,
    /// cancelled_orders / orders.
    pub cancel_rate: f64,
    /// net_gmv / gross_gmv.
    pub net_to_gross: f64,
    /// brushed_gmv / gross_gmv: the share of gross GMV that was fake.
    pub brushed_share: f64,
    /// net_gmv / (consumers · days): net GMV per consumer-day.
    pub net_gmv_per_consumer_day: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Buyers {
    /// Consumers with at least one order that was not cancelled.
    pub buyers: u64,
    /// Share of buyers with two or more such orders.
    pub repeat_purchase_rate: f64,
    /// Share of buyers who ordered again from a merchant still in their loyalty memory
    /// (the last 4 distinct merchants they bought from).
    pub same_merchant_repeat_rate: f64,
    /// Non-cancelled orders per buyer.
    pub orders_per_buyer: f64,
    /// Buyers whose first accepted order used a coupon.
    pub coupon_acquired: u64,
    /// Share of coupon-acquired buyers with two or more accepted orders.
    pub coupon_acquired_repeat_rate: f64,
    /// The same share among the other buyers.
    pub other_repeat_rate: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Retention {
    /// Consumers active on day 0.
    pub cohort: u64,
    /// Share of the cohort active on at least one of days 30–36; null when the run is
    /// shorter than 37 days.
    pub retention_30d: Option<f64>,
    /// Consumers churned by the end.
    pub churned: u64,
    /// Mean platform trust of the consumers not churned, at the end.
    pub final_mean_platform_trust: f64,
}

/// What the feeds showed, over the run.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Feeds {
    /// Mean of the daily `coverage`.
    pub mean_coverage: f64,
    /// Mean of the daily `feed_diversity`.
    pub mean_feed_diversity: f64,
    /// engagement probability summed over all impressions / impressions (the daily
    /// `mean_engage_prob` weighted by impressions).
    pub mean_engage_prob: f64,
    /// `homogenization` on the last day.
    pub final_homogenization: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CreatorCounts {
    /// Creators and hosts at the start.
    pub initial: u64,
    pub entries: u64,
    pub exits: u64,
    pub active_at_end: u64,
}

/// Inequality of a per-creator quantity.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Distribution {
    pub total: f64,
    pub gini: f64,
    pub top1_share: f64,
    pub top10_share: f64,
    /// `[population share, value share]` pairs, poorest first.
    pub lorenz: Vec<[f64; 2]>,
    /// Power-law fit of the upper tail (null with fewer than 10 positive values).
    pub tail: Option<TailFit>,
}

impl Distribution {
    pub fn of(values: &[f64]) -> Distribution {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        Distribution {
            total: v.iter().sum(),
            gini: gini_sorted(&v),
            top1_share: top_share_sorted(&v, 0.01),
            top10_share: top_share_sorted(&v, 0.10),
            lorenz: lorenz_sorted(&v, LORENZ_POINTS)
                .into_iter()
                .map(|(p, l)| [p, l])
                .collect(),
            tail: fit_power_law_tail(&v),
        }
    }
}

/// Builds the summary at the end of a run.
pub fn summarize(
    s: &Scenario,
    world: &World,
    daily: &[DailyRow],
    retention: &[u8],
    initial_creators: usize,
) -> Summary {
    let mut t = Totals::default();
    for r in daily {
        t.add(r);
    }
    let impressions = t.impressions;
    let cons = &world.consumers;
    let n = cons.len() as f64;
    let rates = Rates {
        engagement_rate: ratio(t.engagements as f64, t.impressions as f64),
        conversion_rate: ratio(t.orders as f64, t.engagements as f64),
        return_rate: ratio(t.returned_orders as f64, t.delivered_orders as f64),
        live_return_rate: ratio(
            t.returned_live_orders as f64,
            t.delivered_live_orders as f64,
        ),
        cancel_rate: ratio(t.cancelled_orders as f64, t.orders as f64),
        net_to_gross: ratio(t.net_gmv, t.gross_gmv),
        brushed_share: ratio(t.brushed_gmv, t.gross_gmv),
        net_gmv_per_consumer_day: ratio(t.net_gmv, n * daily.len() as f64),
    };
    let buyers = cons.orders.iter().filter(|&&o| o >= 1).count() as u64;
    let repeaters = cons.orders.iter().filter(|&&o| o >= 2).count() as u64;
    let same = cons.repeat_merchant.iter().filter(|&&r| r).count() as u64;
    let coupon_acquired = cons.coupon_acquired.iter().filter(|&&c| c).count() as u64;
    let coupon_repeaters = (0..cons.len())
        .filter(|&i| cons.coupon_acquired[i] && cons.orders[i] >= 2)
        .count() as u64;
    let orders: u64 = cons.orders.iter().map(|&o| o as u64).sum();
    let cohort = retention.iter().filter(|&&r| r & 1 == 1).count() as u64;
    let retained = retention.iter().filter(|&&r| r == 3).count() as u64;
    let remaining: Vec<f64> = (0..cons.len())
        .filter(|&i| cons.member(i))
        .map(|i| cons.trust[i] as f64)
        .collect();
    let cr = &world.creators;
    let exposure: Vec<f64> = cr.exposure_total.iter().map(|&x| x as f64).collect();
    let followers: Vec<f64> = cr.followers.iter().map(|&x| x as f64).collect();
    Summary {
        scenario: s.run.name.clone(),
        seed: s.run.seed,
        days: daily.len() as u32,
        consumers: cons.len() as u64,
        totals: t,
        rates,
        buyers: Buyers {
            buyers,
            repeat_purchase_rate: ratio(repeaters as f64, buyers as f64),
            same_merchant_repeat_rate: ratio(same as f64, buyers as f64),
            orders_per_buyer: ratio(orders as f64, buyers as f64),
            coupon_acquired,
            coupon_acquired_repeat_rate: ratio(coupon_repeaters as f64, coupon_acquired as f64),
            other_repeat_rate: ratio(
                (repeaters - coupon_repeaters) as f64,
                (buyers - coupon_acquired) as f64,
            ),
        },
        retention: Retention {
            cohort,
            retention_30d: (daily.len() as u32 >= crate::metrics::RETENTION_WINDOW.end)
                .then(|| ratio(retained as f64, cohort as f64)),
            churned: cons.churned.iter().filter(|&&c| c).count() as u64,
            final_mean_platform_trust: ratio(remaining.iter().sum(), remaining.len() as f64),
        },
        feeds: Feeds {
            mean_coverage: ratio(daily.iter().map(|r| r.coverage).sum(), daily.len() as f64),
            mean_feed_diversity: ratio(
                daily.iter().map(|r| r.feed_diversity).sum(),
                daily.len() as f64,
            ),
            mean_engage_prob: ratio(
                daily
                    .iter()
                    .map(|r| r.mean_engage_prob * r.impressions as f64)
                    .sum(),
                impressions as f64,
            ),
            final_homogenization: daily.last().map_or(0.0, |r| r.homogenization),
        },
        creators: CreatorCounts {
            initial: initial_creators as u64,
            entries: (cr.len() - initial_creators) as u64,
            exits: cr.exited_day.iter().filter(|&&d| d != NONE).count() as u64,
            active_at_end: cr.active.iter().filter(|&&a| a).count() as u64,
        },
        exposure: Distribution::of(&exposure),
        followers: Distribution::of(&followers),
        income: Distribution::of(&cr.income),
        scandals: Vec::new(),
        markets: Vec::new(),
        calendar: Vec::new(),
        gmv_per_mau: None,
        graph: super::network::graph_summary(&world.social, &cons.community),
        survey: Default::default(),
    }
}

/// One row of `creators.csv`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CreatorRow {
    pub id: u32,
    pub kind: &'static str,
    pub topic: u32,
    pub quality: f32,
    pub active: bool,
    pub entered_day: u32,
    pub exited_day: Option<u32>,
    pub exposure: u64,
    pub engagements: u64,
    pub followers: u32,
    pub income: f64,
}

/// One row a creator or host, in id order.
pub fn creator_rows(world: &World) -> Vec<CreatorRow> {
    let c = &world.creators;
    (0..c.len())
        .map(|i| CreatorRow {
            id: i as u32,
            kind: c.kind[i].as_str(),
            topic: c.topic[i],
            quality: c.quality[i],
            active: c.active[i],
            entered_day: c.entered_day[i],
            exited_day: (c.exited_day[i] != NONE).then_some(c.exited_day[i]),
            exposure: c.exposure_total[i],
            engagements: c.engagements_total[i],
            followers: c.followers[i],
            income: c.income[i],
        })
        .collect()
}
