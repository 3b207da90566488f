//! Markets and cross-border trade (docs/MODEL.md, "Markets and cross-border trade"; the two
//! cross-border studies and Li (China's digital trade platforms and social media)).
//!
//! Consumers and merchants each belong to a market. An order whose buyer and merchant are in
//! different markets is cross-border: its purchase utility pays for the delivery delay, the
//! shipping cost and duty, the cultural distance (which live selling and short video relieve)
//! and the payment risk; its payment can fail; its return costs reverse logistics. A merchant
//! with stock in an overseas warehouse of the buyer's market delivers in local days until the
//! stock runs out.
//!
//! Hooks: the cross-border terms of the purchase utility (phase A), payment and dispatch at
//! booking, the return hassle and reverse cost at delivery, restocking and holding cost in
//! the morning and evening, and the per-market tallies of `markets.csv`.

use crate::behaviour::OrderIntent;
use crate::metrics::SUM_CHUNK;
use crate::rng::{Purpose, key, stream, unit_f32};
use crate::scenario::Scenario;
use crate::scenario::Shipping;
use crate::scenario::check::*;
use crate::world::{NONE, World};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// At most this many markets (a market index is a byte, and per-market tallies are arrays).
pub const MAX_MARKETS: usize = 8;

/// How an order travels: within its market, or across the border by post, by express or
/// from an overseas warehouse in the buyer's market.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum Mode {
    #[default]
    Domestic = 0,
    Postal = 1,
    Express = 2,
    Warehouse = 3,
}

impl Mode {
    pub fn from_u8(v: u8) -> Mode {
        match v {
            1 => Mode::Postal,
            2 => Mode::Express,
            3 => Mode::Warehouse,
            _ => Mode::Domestic,
        }
    }

    /// Shipped across the border (by post or express): slow, costly to send back.
    pub fn shipped(self) -> bool {
        matches!(self, Mode::Postal | Mode::Express)
    }
}

/// Entity offsets of the keyed draws of `Purpose::Market`, so that consumers, merchants and
/// warehouses draw from disjoint keys.
const MERCHANT_KEY: u64 = 1 << 40;
const WAREHOUSE_KEY: u64 = 2 << 40;

/// One market's tallies for a day: a row of `markets.csv` (definitions in docs/OUTPUTS.md,
/// which a test keeps equal to [`MARKET_COLUMNS`]).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct MarketRow {
    pub day: u32,
    pub market: String,
    pub active_consumers: u64,
    pub members: u64,
    pub orders: u64,
    pub gross_gmv: f64,
    pub cancelled_orders: u64,
    pub cancelled_gmv: f64,
    pub payment_failures: u64,
    pub accepted_orders: u64,
    pub cross_border_orders: u64,
    pub cross_border_share: f64,
    pub mean_delivery_days: f64,
    pub delivered_orders: u64,
    pub returned_orders: u64,
    pub returned_gmv: f64,
    pub net_gmv: f64,
    pub warehouse_orders: u64,
    pub warehouse_stockouts: u64,
    pub duties: f64,
    pub reverse_logistics: f64,
    pub compliance_cost: f64,
    pub mean_platform_trust: f64,
    #[serde(skip)]
    delivery_days: u64,
}

/// The columns of `markets.csv` with their definitions, in order (docs/OUTPUTS.md's table is
/// generated from this list; `UPDATE_DOCS=1 cargo test --release --test docs`).
pub const MARKET_COLUMNS: &[(&str, &str)] = &[
    ("day", "Day index, from 0."),
    (
        "market",
        "The market's `name` (`home` when the scenario has no `[[markets]]`).",
    ),
    (
        "active_consumers",
        "Consumers of the market who opened the app today (their share of daily.csv's `active_consumers`).",
    ),
    (
        "members",
        "Consumers of the market on the platform at the end of the day: joined and not churned.",
    ),
    (
        "orders",
        "Orders of the market's consumers booked today, cancelled ones included; fake (brushed) orders belong to no market and are not counted.",
    ),
    ("gross_gmv", "Sum of the value of `orders`."),
    (
        "cancelled_orders",
        "Of `orders`, those cancelled today: stock-outs, failed groups and failed payments.",
    ),
    ("cancelled_gmv", "Sum of the value of `cancelled_orders`."),
    (
        "payment_failures",
        "Cross-border orders whose payment failed today, a retry included (`markets[].payment_failure`, `cross_border.payment_retry`); each is also in `cancelled_orders`.",
    ),
    (
        "accepted_orders",
        "Orders of the market's consumers accepted today (queued for delivery).",
    ),
    (
        "cross_border_orders",
        "Of `accepted_orders`, those from a merchant of another market (any mode, warehouse included).",
    ),
    (
        "cross_border_share",
        "`cross_border_orders / accepted_orders` (0 without orders).",
    ),
    (
        "mean_delivery_days",
        "Mean over `accepted_orders` of the days from booking to delivery: the merchant's lead time, plus the mode's days when shipped across the border, plus festival congestion (0 without orders).",
    ),
    (
        "delivered_orders",
        "Orders of the market's consumers delivered today.",
    ),
    ("returned_orders", "Of `delivered_orders`, those returned."),
    (
        "returned_gmv",
        "The refunds of `returned_orders` (value less the restocking fee).",
    ),
    (
        "net_gmv",
        "`gross_gmv − cancelled_gmv − returned_gmv`: the market's share of daily.csv's `net_gmv` less brushed orders.",
    ),
    (
        "warehouse_orders",
        "Of `accepted_orders`, those sent from an overseas warehouse in the market.",
    ),
    (
        "warehouse_stockouts",
        "Cross-border orders accepted today that found their merchant's warehouse in the market empty though it had stock this morning, and went by express instead (late by `express_days`).",
    ),
    (
        "duties",
        "Duty on today's accepted cross-border orders of the market's consumers (`markets[].duty` × what they paid): a tally of what the purchase utility charged them, not part of GMV or of any revenue.",
    ),
    (
        "reverse_logistics",
        "What returning today's returned cross-border orders cost their buyers (`cross_border.reverse_cost_factor` × the mode's cost).",
    ),
    (
        "compliance_cost",
        "The platform's compliance cost in the market today: `compliance_fixed` + `compliance_per_order` × `cross_border_orders`.",
    ),
    (
        "mean_platform_trust",
        "Mean platform trust over the market's `members` (0 without members).",
    ),
];

/// The markets' run state.
pub struct State {
    /// Each consumer's market (empty with one market: every consumer is in market 0).
    consumer: Vec<u8>,
    /// Cumulative merchant shares (empty: every merchant is in market 0).
    merchant_cumulative: Vec<f64>,
    /// Distances between markets, `markets × markets`.
    distance: Vec<f32>,
    markets: usize,
    /// Warehouse stock per merchant and market, `merchant × markets` ([`NONE`]: none there);
    /// empty when `cross_border.warehouse_share = 0`.
    stock: Vec<u32>,
    /// The stock this morning (what phase A sees).
    morning: Vec<u32>,
    /// Today's rows, one per market.
    pub rows: Vec<MarketRow>,
    /// Every day's rows, in day then market order.
    pub history: Vec<MarketRow>,
}

/// The day's members and their platform trust ([`State::members`]).
pub struct Members {
    pub count: u64,
    /// The sum of the members' trust over chunks of [`SUM_CHUNK`] consumers, in chunk
    /// order.
    pub trust: f64,
    /// Per market: members, and the sum of their trust.
    pub by_market: Vec<(u64, f64)>,
}

impl State {
    pub fn new(s: &Scenario, world: &World) -> State {
        let list = markets(s);
        let m = list.len();
        let consumer = if m > 1 {
            let cumulative = cumulative(list.iter().map(|k| k.consumer_share));
            (0..world.consumers.len() as u64)
                .map(|i| pick(&cumulative, key(s.run.seed, Purpose::Market, i, 0)))
                .collect()
        } else {
            Vec::new()
        };
        let merchant_cumulative = if m > 1 && list.iter().any(|k| k.merchant_share > 0.0) {
            cumulative(list.iter().map(|k| k.merchant_share))
        } else {
            Vec::new()
        };
        let cb = &s.cross_border;
        let mut distance = vec![0.0f32; m * m];
        for (a, x) in list.iter().enumerate() {
            for (b, y) in list.iter().enumerate() {
                distance[a * m + b] = ((x.culture - y.culture).abs()
                    + cb.language_gap * (x.language != y.language) as u8 as f64)
                    as f32;
            }
        }
        State {
            consumer,
            merchant_cumulative,
            distance,
            markets: m,
            stock: Vec::new(),
            morning: Vec::new(),
            rows: Vec::new(),
            history: Vec::new(),
        }
    }

    /// Consumer `i`'s market.
    #[inline]
    pub fn of_consumer(&self, i: usize) -> usize {
        if self.consumer.is_empty() {
            0
        } else {
            self.consumer[i] as usize
        }
    }

    /// Merchant `m`'s home market (a keyed draw on `markets[].merchant_share`, so entrants
    /// have one too).
    #[inline]
    pub fn of_merchant(&self, seed: u64, m: usize) -> usize {
        if self.merchant_cumulative.is_empty() {
            0
        } else {
            pick(
                &self.merchant_cumulative,
                key(seed, Purpose::Market, MERCHANT_KEY + m as u64, 0),
            ) as usize
        }
    }

    /// Morning: the tallies of a new day; warehouses take in new merchants, and restock every
    /// `cross_border.restock_days` days.
    pub fn morning(&mut self, world: &World, s: &Scenario, day: u32) {
        let m = self.markets;
        self.rows = markets(s)
            .iter()
            .map(|k| MarketRow {
                day,
                market: k.name.clone(),
                ..Default::default()
            })
            .collect();
        let cb = &s.cross_border;
        if m < 2 || cb.warehouse_share == 0.0 {
            return;
        }
        let restock = (day as u64).is_multiple_of(cb.restock_days);
        // An exited merchant's warehouses close (no stock, no holding cost).
        for (mi, units) in self.stock.chunks_mut(m).enumerate() {
            if !world.merchants.active[mi] {
                units.fill(NONE);
            }
        }
        let merchants = world.merchants.len();
        let old = self.stock.len() / m;
        self.stock.resize(merchants * m, NONE);
        for mi in 0..merchants {
            let home = self.of_merchant(s.run.seed, mi);
            for market in 0..m {
                let new = mi >= old;
                if market == home || !(new || restock) {
                    continue;
                }
                let has = new && {
                    let draw = key(
                        s.run.seed,
                        Purpose::Market,
                        WAREHOUSE_KEY + (mi * MAX_MARKETS + market) as u64,
                        0,
                    );
                    ((draw >> 40) as f64 / (1u64 << 24) as f64) < cb.warehouse_share
                } || (!new && self.stock[mi * m + market] != NONE);
                if has && world.merchants.active[mi] {
                    self.stock[mi * m + market] = cb.warehouse_stock as u32;
                }
            }
        }
        self.morning.clone_from(&self.stock);
    }

    /// Phase A: how an order from merchant `mi` would reach consumer `i` today, with the
    /// extra days and the cost it adds: a warehouse with stock this morning, else the
    /// cheaper of post and express in the consumer's eyes (`cross_border.shipping`).
    #[inline]
    fn route(&self, s: &Scenario, ps: f32, paid: f32, a: usize, mi: usize) -> (Mode, f32, f32) {
        if self
            .morning
            .get(mi * self.markets + a)
            .is_some_and(|&units| units != NONE && units > 0)
        {
            return (Mode::Warehouse, 0.0, 0.0);
        }
        shipped(s, ps, paid, a)
    }

    /// Phase A: the cross-border terms of the purchase utility of an offer from merchant
    /// `mi` to consumer `i` at price `paid`, with `relief` the share of the cultural distance
    /// its channel removes; 0 for a domestic offer. The price term's change (shipping and
    /// duty on top of the price) is included.
    #[inline]
    pub fn utility(
        &self,
        s: &Scenario,
        world: &World,
        i: usize,
        mi: usize,
        paid: f32,
        relief: f32,
    ) -> f32 {
        if self.markets < 2 {
            return 0.0;
        }
        let (a, b) = (self.of_consumer(i), self.of_merchant(s.run.seed, mi));
        if a == b {
            return 0.0;
        }
        let cb = &s.cross_border;
        let ps = world.consumers.price_sensitivity[i];
        let (_, days, cost) = self.route(s, ps, paid, a, mi);
        let duty = markets(s)[a].duty as f32;
        let landed = paid * (1.0 + duty) + cost;
        -ps * (landed.ln() - paid.ln())
            - cb.delay_weight as f32 * days
            - cb.culture_weight as f32 * self.distance[a * self.markets + b] * (1.0 - relief)
            - cb.payment_risk_weight as f32 * markets(s)[a].payment_failure as f32
    }

    /// Booking: whether the payment of cross-border order `o` goes through (a failed payment
    /// may be retried once, with `cross_border.payment_retry`). Three draws, always taken.
    pub fn pays(&self, s: &Scenario, day: u32, o: &OrderIntent, mi: usize) -> bool {
        if self.markets < 2 {
            return true;
        }
        let a = self.of_consumer(o.consumer as usize);
        if a == self.of_merchant(s.run.seed, mi) {
            return true;
        }
        let f = markets(s)[a].payment_failure as f32;
        let mut rng = stream(
            s.run.seed,
            Purpose::Payment,
            (o.consumer as u64) << 32 | o.product as u64,
            day as u64,
        );
        let (first, retry, second) = (unit_f32(&mut rng), unit_f32(&mut rng), unit_f32(&mut rng));
        first >= f || (retry < s.cross_border.payment_retry as f32 && second >= f)
    }

    /// Booking: a failed payment of order `o`.
    pub fn payment_failed(&mut self, o: &OrderIntent) {
        let a = self.of_consumer(o.consumer as usize);
        let row = &mut self.rows[a];
        row.payment_failures += 1;
    }

    /// Booking: how accepted order `o` from merchant `mi` travels, taking a unit of warehouse
    /// stock; the mode and the extra days (the mode's, and, after a warehouse stock-out, the
    /// express days it is late by), and whether it was such a stock-out.
    pub fn dispatch(
        &mut self,
        s: &Scenario,
        world: &World,
        o: &OrderIntent,
        mi: usize,
    ) -> (Mode, u32, u32, bool) {
        if self.markets < 2 {
            return (Mode::Domestic, 0, 0, false);
        }
        let i = o.consumer as usize;
        let (a, b) = (self.of_consumer(i), self.of_merchant(s.run.seed, mi));
        if a == b {
            return (Mode::Domestic, 0, 0, false);
        }
        let k = &markets(s)[a];
        let row = &mut self.rows[a];
        row.cross_border_orders += 1;
        row.compliance_cost += k.compliance_per_order;
        let paid = paid_of(o);
        row.duties += k.duty * paid as f64;
        if !self.stock.is_empty() {
            let stock = &mut self.stock[mi * self.markets + a];
            if *stock != NONE && *stock > 0 {
                *stock -= 1;
                row.warehouse_orders += 1;
                return (Mode::Warehouse, 0, 0, false);
            }
            if *stock == 0 && self.morning[mi * self.markets + a] > 0 {
                // Expected from the warehouse, sent by express: late by its days.
                row.warehouse_stockouts += 1;
                let days = k.express_days as u32;
                return (Mode::Express, days, days, true);
            }
        }
        let ps = world.consumers.price_sensitivity[i];
        let (mode, days, _) = shipped(s, ps, paid, a);
        (mode, days as u32, 0, false)
    }

    /// Booking: an order of consumer `i` booked (`cancelled`: and cancelled at once).
    pub fn booked(&mut self, o: &OrderIntent, cancelled: bool) {
        let a = self.of_consumer(o.consumer as usize);
        let row = &mut self.rows[a];
        row.orders += 1;
        row.gross_gmv += o.value;
        if cancelled {
            row.cancelled_orders += 1;
            row.cancelled_gmv += o.value;
        }
    }

    /// Booking: an accepted order, delivered in `days` days.
    pub fn accepted(&mut self, o: &OrderIntent, days: u32) {
        let a = self.of_consumer(o.consumer as usize);
        self.rows[a].accepted_orders += 1;
        self.rows[a].delivery_days += days as u64;
    }

    /// Delivery: order `o` sent by `mode` is delivered (`refund`: returned, for this refund).
    /// Returns what sending it back cost the buyer (0 if kept or domestic).
    pub fn delivered(&mut self, s: &Scenario, o: &OrderIntent, refund: Option<f64>) -> f64 {
        let a = self.of_consumer(o.consumer as usize);
        let row = &mut self.rows[a];
        row.delivered_orders += 1;
        let Some(refund) = refund else {
            return 0.0;
        };
        row.returned_orders += 1;
        row.returned_gmv += refund;
        let k = &markets(s)[a];
        let cost = match Mode::from_u8(o.mode) {
            Mode::Postal => k.postal_cost,
            Mode::Express => k.express_cost,
            _ => 0.0,
        } * s.cross_border.reverse_cost_factor;
        row.reverse_logistics += cost;
        cost
    }

    /// Evening: warehouse holding cost into the merchants' profit today, and the markets'
    /// fixed compliance cost. Returns the holding cost and the compliance cost.
    pub fn evening(&mut self, world: &mut World, s: &Scenario) -> (f64, f64) {
        let mut holding = 0.0;
        if !self.stock.is_empty() {
            let per_unit = s.cross_border.warehouse_holding;
            for (mi, units) in self.stock.chunks(self.markets).enumerate() {
                let held: u64 = units
                    .iter()
                    .filter(|&&u| u != NONE)
                    .map(|&u| u as u64)
                    .sum();
                let cost = per_unit * held as f64;
                world.merchants.profit_today[mi] -= cost;
                holding += cost;
            }
        }
        let mut compliance = 0.0;
        for (row, k) in self.rows.iter_mut().zip(markets(s)) {
            row.compliance_cost += k.compliance_fixed;
            compliance += row.compliance_cost;
        }
        (holding, compliance)
    }

    /// Record: the day's visitors and members by market, the rates; the rows join the
    /// history.
    pub fn record(&mut self, visitors: &[u32], members: &Members) {
        if self.consumer.is_empty() {
            self.rows[0].active_consumers += visitors.len() as u64;
        } else {
            for &i in visitors {
                self.rows[self.consumer[i as usize] as usize].active_consumers += 1;
            }
        }
        for (row, &(count, trust)) in self.rows.iter_mut().zip(&members.by_market) {
            row.members = count;
            row.net_gmv = row.gross_gmv - row.cancelled_gmv - row.returned_gmv;
            row.cross_border_share =
                crate::metrics::ratio(row.cross_border_orders as f64, row.accepted_orders as f64);
            row.mean_delivery_days =
                crate::metrics::ratio(row.delivery_days as f64, row.accepted_orders as f64);
            row.mean_platform_trust = crate::metrics::ratio(trust, count as f64);
        }
        self.history.append(&mut self.rows);
    }

    /// The platform's members (joined, not churned) and the sum of their trust, overall and
    /// per market, in one pass over the consumers: fixed chunks of [`SUM_CHUNK`] in
    /// parallel, each summed in consumer order, the chunks' sums added in chunk order, so
    /// that the sums are the same for any number of threads.
    pub fn members(&self, world: &World) -> Members {
        let cons = &world.consumers;
        let n = cons.len();
        let m = self.markets;
        let trust = |i: usize| {
            if cons.member(i) {
                cons.trust[i] as f64
            } else {
                0.0
            }
        };
        let parts: Vec<(f64, Vec<(u64, f64)>)> = (0..n.div_ceil(SUM_CHUNK))
            .into_par_iter()
            .map(|c| {
                let range = c * SUM_CHUNK..((c + 1) * SUM_CHUNK).min(n);
                let overall: f64 = range.clone().map(trust).sum();
                let mut by_market = vec![(0u64, 0.0f64); m];
                if m == 1 {
                    // The same sum: adding 0 for the others changes no partial sum.
                    by_market[0] = (range.filter(|&i| cons.member(i)).count() as u64, overall);
                } else {
                    for i in range.filter(|&i| cons.member(i)) {
                        let tally = &mut by_market[self.of_consumer(i)];
                        tally.0 += 1;
                        tally.1 += cons.trust[i] as f64;
                    }
                }
                (overall, by_market)
            })
            .collect();
        let mut out = Members {
            count: 0,
            trust: parts.iter().map(|p| p.0).sum(),
            by_market: vec![(0, 0.0); m],
        };
        for (_, by_market) in &parts {
            for (total, part) in out.by_market.iter_mut().zip(by_market) {
                total.0 += part.0;
                total.1 += part.1;
            }
        }
        out.count = out.by_market.iter().map(|t| t.0).sum();
        out
    }

    /// The summary's per-market totals.
    pub fn finish(&self, world: &World, s: &Scenario) -> Vec<MarketSummary> {
        let m = self.markets;
        let mut out: Vec<MarketSummary> = markets(s)
            .iter()
            .map(|k| MarketSummary {
                name: k.name.clone(),
                ..Default::default()
            })
            .collect();
        let mut delivery_days = vec![0u64; m];
        for day in self.history.chunks(m) {
            for ((r, t), days) in day.iter().zip(&mut out).zip(&mut delivery_days) {
                *days += r.delivery_days;
                t.active_consumer_days += r.active_consumers;
                t.orders += r.orders;
                t.gross_gmv += r.gross_gmv;
                t.net_gmv += r.net_gmv;
                t.cancelled_orders += r.cancelled_orders;
                t.payment_failures += r.payment_failures;
                t.accepted_orders += r.accepted_orders;
                t.cross_border_orders += r.cross_border_orders;
                t.returned_orders += r.returned_orders;
                t.delivered_orders += r.delivered_orders;
                t.warehouse_orders += r.warehouse_orders;
                t.warehouse_stockouts += r.warehouse_stockouts;
                t.duties += r.duties;
                t.compliance_cost += r.compliance_cost;
                t.members = r.members;
                t.mean_platform_trust = r.mean_platform_trust;
            }
        }
        let cons = &world.consumers;
        let mut buyers = vec![0u64; m];
        let mut repeat = vec![0u64; m];
        for i in 0..cons.len() {
            if cons.orders[i] > 0 {
                let a = self.of_consumer(i);
                buyers[a] += 1;
                repeat[a] += (cons.orders[i] > 1) as u64;
            }
        }
        for (a, t) in out.iter_mut().enumerate() {
            t.buyers = buyers[a];
            t.repeat_purchase_rate = crate::metrics::ratio(repeat[a] as f64, buyers[a] as f64);
            t.conversion =
                crate::metrics::ratio(t.accepted_orders as f64, t.active_consumer_days as f64);
            t.cross_border_share =
                crate::metrics::ratio(t.cross_border_orders as f64, t.accepted_orders as f64);
            t.mean_delivery_days =
                crate::metrics::ratio(delivery_days[a] as f64, t.accepted_orders as f64);
            t.return_rate =
                crate::metrics::ratio(t.returned_orders as f64, t.delivered_orders as f64);
        }
        out
    }
}

/// One market's totals over the run (`summary.json`'s `markets`).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct MarketSummary {
    pub name: String,
    pub orders: u64,
    pub gross_gmv: f64,
    pub net_gmv: f64,
    pub cancelled_orders: u64,
    pub payment_failures: u64,
    pub accepted_orders: u64,
    pub cross_border_orders: u64,
    pub cross_border_share: f64,
    pub delivered_orders: u64,
    pub returned_orders: u64,
    pub return_rate: f64,
    pub warehouse_orders: u64,
    pub warehouse_stockouts: u64,
    pub duties: f64,
    pub compliance_cost: f64,
    pub mean_delivery_days: f64,
    pub active_consumer_days: u64,
    pub conversion: f64,
    pub buyers: u64,
    pub repeat_purchase_rate: f64,
    pub members: u64,
    pub mean_platform_trust: f64,
}

/// What consumer `o.consumer` paid for order `o` (after coupon, points and a festival's
/// reduction).
#[inline]
pub fn paid_of(o: &OrderIntent) -> f32 {
    (o.value as f32 - o.coupon - o.points - o.reduction).max(0.01)
}

/// Post or express for a consumer of market `a` with price sensitivity `ps` paying `paid`,
/// with its days and cost: as `cross_border.shipping` says, or the one with the better
/// utility (`−ps·ln(landed price) − delay_weight·days`).
#[inline]
fn shipped(s: &Scenario, ps: f32, paid: f32, a: usize) -> (Mode, f32, f32) {
    let k = &markets(s)[a];
    let postal = (Mode::Postal, k.postal_days as f32, k.postal_cost as f32);
    let express = (Mode::Express, k.express_days as f32, k.express_cost as f32);
    match s.cross_border.shipping {
        Shipping::Postal => postal,
        Shipping::Express => express,
        Shipping::ConsumerChoice => {
            let w = s.cross_border.delay_weight as f32;
            let value = |(_, days, cost): (Mode, f32, f32)| -ps * (paid + cost).ln() - w * days;
            if value(express) > value(postal) {
                express
            } else {
                postal
            }
        }
    }
}

/// The scenario's markets: `[[markets]]`, or the one implicit market `home`.
pub fn markets(s: &Scenario) -> &[Market] {
    static HOME: std::sync::OnceLock<[Market; 1]> = std::sync::OnceLock::new();
    if s.markets.is_empty() {
        HOME.get_or_init(|| [Market::default()])
    } else {
        &s.markets
    }
}

fn cumulative(shares: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    shares
        .map(|x| {
            acc += x;
            acc
        })
        .collect()
}

/// The index whose cumulative share first exceeds the key's uniform draw.
#[inline]
fn pick(cumulative: &[f64], draw: u64) -> u8 {
    let u = (draw >> 11) as f64 * (1.0 / (1u64 << 53) as f64) * cumulative[cumulative.len() - 1];
    cumulative
        .iter()
        .position(|&c| u < c)
        .unwrap_or(cumulative.len() - 1) as u8
}

// ---- The scenario's `[[markets]]` entries and `[cross_border]` section, and their validation.

/// One market (`[[markets]]`). Every default is an assumption (docs/SOURCES.md).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Market {
    pub name: String,
    pub consumer_share: f64,
    pub merchant_share: f64,
    pub culture: f64,
    pub language: String,
    pub visit_shift: f64,
    pub postal_days: u64,
    pub postal_cost: f64,
    pub express_days: u64,
    pub express_cost: f64,
    pub payment_failure: f64,
    pub duty: f64,
    pub compliance_fixed: f64,
    pub compliance_per_order: f64,
}

impl Default for Market {
    fn default() -> Self {
        Market {
            name: "home".into(),
            consumer_share: 1.0,
            merchant_share: 0.0,
            culture: 0.0,
            language: String::new(),
            visit_shift: 0.0,
            postal_days: 15,
            postal_cost: 2.0,
            express_days: 6,
            express_cost: 10.0,
            payment_failure: 0.0,
            duty: 0.0,
            compliance_fixed: 0.0,
            compliance_per_order: 0.0,
        }
    }
}

/// `[cross_border]`: how consumers weigh a cross-border offer, payment, returns and overseas
/// warehouses. Every default is an assumption (docs/SOURCES.md).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CrossBorder {
    pub delay_weight: f64,
    pub culture_weight: f64,
    pub language_gap: f64,
    pub live_relief: f64,
    pub video_relief: f64,
    pub payment_risk_weight: f64,
    pub payment_retry: f64,
    pub payment_trust_penalty: f64,
    pub shipping: Shipping,
    pub return_hassle: f64,
    pub reverse_cost_factor: f64,
    pub return_regret: f64,
    pub late_penalty: f64,
    pub warehouse_share: f64,
    pub warehouse_stock: u64,
    pub restock_days: u64,
    pub warehouse_holding: f64,
}

impl Default for CrossBorder {
    fn default() -> Self {
        CrossBorder {
            delay_weight: 0.05,
            culture_weight: 1.0,
            language_gap: 0.5,
            live_relief: 0.5,
            video_relief: 0.3,
            payment_risk_weight: 5.0,
            payment_retry: 0.5,
            payment_trust_penalty: 0.05,
            shipping: Shipping::ConsumerChoice,
            return_hassle: 1.0,
            reverse_cost_factor: 1.0,
            return_regret: 2.0,
            late_penalty: 0.3,
            warehouse_share: 0.0,
            warehouse_stock: 50,
            restock_days: 14,
            warehouse_holding: 0.01,
        }
    }
}

/// Checks `[[markets]]` and `[cross_border]`; the first failure names its key.
pub(crate) fn validate(s: &Scenario) -> Check {
    let list = &s.markets;
    at_most("markets", list.len() as u64, MAX_MARKETS as u64)?;
    for (k, m) in list.iter().enumerate() {
        let key = |f: &str| format!("markets.{k}.{f}");
        if !crate::scenario::is_name(&m.name) {
            return fail(
                &key("name"),
                format!(
                    "{:?} must be a non-empty name of letters, digits, '-', '_' or '.'",
                    m.name
                ),
            );
        }
        if list[..k].iter().any(|o| o.name == m.name) {
            return fail(&key("name"), format!("{:?} names two markets", m.name));
        }
        probability(&key("consumer_share"), m.consumer_share)?;
        probability(&key("merchant_share"), m.merchant_share)?;
        finite(&key("culture"), m.culture)?;
        at_most_f(&key("culture"), m.culture.abs(), 100.0)?;
        finite(&key("visit_shift"), m.visit_shift)?;
        at_most_f(&key("visit_shift"), m.visit_shift.abs(), 20.0)?;
        for (f, v) in [
            ("postal_cost", m.postal_cost),
            ("express_cost", m.express_cost),
            ("compliance_fixed", m.compliance_fixed),
            ("compliance_per_order", m.compliance_per_order),
        ] {
            at_most_f(&key(f), v, 1e9)?;
        }
        at_most(&key("postal_days"), m.postal_days, 365)?;
        at_most(&key("express_days"), m.express_days, 365)?;
        non_negative(&key("postal_cost"), m.postal_cost)?;
        non_negative(&key("express_cost"), m.express_cost)?;
        probability(&key("payment_failure"), m.payment_failure)?;
        non_negative(&key("duty"), m.duty)?;
        at_most_f(&key("duty"), m.duty, 10.0)?;
        non_negative(&key("compliance_fixed"), m.compliance_fixed)?;
        non_negative(&key("compliance_per_order"), m.compliance_per_order)?;
    }
    if !list.is_empty() {
        let rounded = |x: f64| (x * 1e9).round() / 1e9;
        let sum: f64 = rounded(list.iter().map(|m| m.consumer_share).sum());
        if (sum - 1.0).abs() > 1e-6 {
            return fail(
                &format!("markets.{}.consumer_share", list.len() - 1),
                format!("the markets' consumer_share values add up to {sum}, not 1"),
            );
        }
        let sum: f64 = rounded(list.iter().map(|m| m.merchant_share).sum());
        if sum != 0.0 && (sum - 1.0).abs() > 1e-6 {
            return fail(
                &format!("markets.{}.merchant_share", list.len() - 1),
                format!(
                    "the markets' merchant_share values add up to {sum}: make them add up to 1, or all 0 (every merchant in the first market)"
                ),
            );
        }
    }
    let cb = &s.cross_border;
    for (k, v) in [
        ("cross_border.delay_weight", cb.delay_weight),
        ("cross_border.culture_weight", cb.culture_weight),
        ("cross_border.language_gap", cb.language_gap),
        ("cross_border.payment_risk_weight", cb.payment_risk_weight),
        ("cross_border.return_hassle", cb.return_hassle),
        ("cross_border.reverse_cost_factor", cb.reverse_cost_factor),
        ("cross_border.return_regret", cb.return_regret),
        ("cross_border.late_penalty", cb.late_penalty),
        ("cross_border.warehouse_holding", cb.warehouse_holding),
    ] {
        non_negative(k, v)?;
        at_most_f(k, v, 1000.0)?;
    }
    probability("cross_border.live_relief", cb.live_relief)?;
    probability("cross_border.video_relief", cb.video_relief)?;
    probability("cross_border.payment_retry", cb.payment_retry)?;
    probability(
        "cross_border.payment_trust_penalty",
        cb.payment_trust_penalty,
    )?;
    probability("cross_border.warehouse_share", cb.warehouse_share)?;
    at_least("cross_border.warehouse_stock", cb.warehouse_stock, 1)?;
    at_most(
        "cross_border.warehouse_stock",
        cb.warehouse_stock,
        1_000_000,
    )?;
    at_least("cross_border.restock_days", cb.restock_days, 1)?;
    Ok(())
}
