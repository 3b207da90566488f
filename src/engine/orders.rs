//! Phase B for purchases: orders are booked against stock in consumer order, then
//! deliveries due today are fulfilled: the policies' delivery hooks (returns, reviews,
//! points, sharing), the buyer's response, churn.

use crate::behaviour::OrderIntent;
use crate::metrics::DailyRow;
use crate::policy::{Policies, Settled};
use crate::rng::{Purpose, stream};
use crate::scenario::Scenario;
use crate::world::{NONE, Purchase, World};
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

/// An order that was not cancelled, waiting for delivery.
#[derive(Clone, Copy, Debug)]
pub struct Order {
    pub id: u64,
    pub intent: OrderIntent,
    /// Days later than the buyer expected (a warehouse stock-out, festival congestion).
    pub late: u8,
}

/// Puts today's order intents in the order they reach the platform: by a hash of
/// (seed, consumer, day), so that scarce live stock favours no consumer id. Intents of one
/// consumer keep their order.
///
/// The keys are computed and sorted in parallel; with the intent's position as the last
/// part of the key no two keys are equal, so the order is the same for any thread count.
pub fn arrival_order(intents: &mut [OrderIntent], seed: u64, day: u32) {
    let mut keys: Vec<(u64, u32, u32)> = intents
        .par_iter()
        .enumerate()
        .map(|(k, o)| {
            let arrival = crate::rng::key(seed, Purpose::Arrival, o.consumer as u64, day as u64);
            (arrival, o.consumer, k as u32)
        })
        .collect();
    keys.par_sort_unstable();
    let arrived: Vec<OrderIntent> = keys.iter().map(|&(_, _, k)| intents[k as usize]).collect();
    intents.copy_from_slice(&arrived);
}

/// Where today's bookings are recorded, and the policies that take part in booking.
pub struct Ledger<'a> {
    pub row: &'a mut DailyRow,
    pub policies: &'a mut Policies,
}

/// Accepted orders waiting for delivery, by delivery day; the next order id.
pub struct OrderBook {
    next_id: u64,
    deliveries: Vec<Vec<Order>>,
    /// Today's accepted orders and the sum of their delivery days.
    accepted: u64,
    delivery_days: u64,
    /// What today's accepted orders leave on their buyers, in the order they were accepted,
    /// applied after booking ([`OrderBook::take_purchases`]).
    purchases: Vec<Purchase>,
}

impl OrderBook {
    pub fn new(days: usize) -> OrderBook {
        OrderBook {
            next_id: 0,
            deliveries: vec![Vec::new(); days],
            accepted: 0,
            delivery_days: 0,
            purchases: Vec::new(),
        }
    }

    /// What today's accepted orders leave on their buyers, in the order they were accepted
    /// (for [`crate::world::Consumers::bought`]).
    pub fn take_purchases(&mut self) -> Vec<Purchase> {
        std::mem::take(&mut self.purchases)
    }

    /// Takes the orders due on `day`, in order-id order.
    pub fn due(&mut self, day: u32) -> Vec<Order> {
        std::mem::take(&mut self.deliveries[day as usize])
    }

    /// Books today's order intents in arrival order. Live orders beyond the session's stock
    /// are booked and cancelled. An order a policy takes ([`Policies::take_order`]) is
    /// settled as the policy says: pending, cancelled, or accepted with others. The rest are
    /// booked and accepted.
    pub fn book(
        &mut self,
        world: &mut World,
        s: &Scenario,
        day: u32,
        intents: &[OrderIntent],
        l: &mut Ledger,
    ) {
        (self.accepted, self.delivery_days) = (0, 0);
        for intent in intents {
            let i = intent.consumer as usize;
            let c = intent.creator as usize;
            let merchant = world.products.merchant(intent.product) as usize;
            if !l.policies.pays(world, s, day, intent, merchant, l.row) {
                churn_if_distrustful(world, s, i, l.row);
                continue;
            }
            if intent.live {
                if world.creators.stock_left[c] == 0 {
                    l.policies.markets.booked(intent, true);
                    l.row.book(intent.value);
                    l.row.cancel(intent.value);
                    let cons = &mut world.consumers;
                    cons.trust[i] =
                        (cons.trust[i] - s.behaviour.stockout_trust_penalty as f32).max(0.0);
                    churn_if_distrustful(world, s, i, l.row);
                    continue;
                }
                world.creators.stock_left[c] -= 1;
            }
            match l.policies.take_order(world, s, day, intent, l.row) {
                None => {
                    l.policies.markets.booked(intent, false);
                    l.row.book(intent.value);
                    self.accept(world, s, day, intent, l);
                }
                Some(Settled::Pending) => {}
                Some(Settled::Cancelled) => {
                    l.policies.markets.booked(intent, true);
                    l.row.book(intent.value);
                    l.row.cancel(intent.value);
                }
                Some(Settled::Accepted(orders)) => {
                    for o in orders {
                        l.policies.markets.booked(&o, false);
                        l.row.book(o.value);
                        self.accept(world, s, day, &o, l);
                    }
                }
            }
        }
        l.row.mean_delivery_days =
            crate::metrics::ratio(self.delivery_days as f64, self.accepted as f64);
    }

    /// An accepted order: the policies' acceptance hooks, the buyer's order counts, what it
    /// leaves on the buyer (applied after booking), queued for delivery.
    fn accept(
        &mut self,
        world: &mut World,
        s: &Scenario,
        day: u32,
        intent: &OrderIntent,
        l: &mut Ledger,
    ) {
        let i = intent.consumer as usize;
        let row = &mut *l.row;
        l.policies.on_accept(world, intent, row);
        let cons = &mut world.consumers;
        if cons.orders[i] == 0 {
            cons.first_order_day[i] = day;
        }
        if cons.last_order_day[i] != day {
            row.unique_buyers += 1;
            if cons.orders[i] > 0 {
                row.repeat_buyers += 1;
            }
        }
        cons.orders[i] += 1;
        cons.last_order_day[i] = day;
        let merchant = world.products.merchant(intent.product);
        if intent.creator != NONE {
            l.policies
                .order_log()
                .order(intent.creator, merchant, intent.value);
        }
        self.purchases
            .push(crate::behaviour::purchase(world, intent, merchant));
        let (mode, extra, late) = l
            .policies
            .dispatch(world, s, intent, merchant as usize, row);
        let days = l.policies.lead_time(world, intent, merchant as usize) + extra;
        l.policies.markets.accepted(intent, days);
        self.accepted += 1;
        self.delivery_days += days as u64;
        let due = day as usize + days as usize;
        if due < self.deliveries.len() {
            self.deliveries[due].push(Order {
                id: self.next_id,
                intent: OrderIntent {
                    mode: mode as u8,
                    ..*intent
                },
                late: late.min(255) as u8,
            });
        } else {
            row.in_transit_orders += 1;
            row.in_transit_gmv += intent.value;
        }
        self.next_id += 1;
    }
}

fn churn_if_distrustful(world: &mut World, s: &Scenario, i: usize, row: &mut DailyRow) {
    if world
        .consumers
        .churn_if_below(i, s.behaviour.churn_threshold as f32)
    {
        row.churned += 1;
    }
}

#[inline]
fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Fulfils the orders delivered today, in order-id order; the policies act at each
/// delivery through their hooks.
pub fn fulfil(
    world: &mut World,
    s: &Scenario,
    orders: &[Order],
    row: &mut DailyRow,
    policies: &mut Policies,
) {
    let b = &s.behaviour;
    let r = &s.returns;
    let affiliate = s.creators.affiliate_commission;
    let commission = s.platform.commission_rate;
    let (mut satisfaction_sum, mut quality_sum) = (0.0, 0.0);
    for order in orders {
        let o = &order.intent;
        let (i, c, p) = (o.consumer as usize, o.creator as usize, o.product as usize);
        let merchant = world.products.merchant(o.product) as usize;
        let mut rng = stream(s.run.seed, Purpose::Fulfil, order.id, 0);
        row.delivered_orders += 1;
        world.consumers.in_transit[i] -= 1;
        let z: f64 = StandardNormal.sample(&mut rng);
        let realized = (world.products.quality[p] as f64 + 0.1 * z).clamp(0.0, 1.0);
        let gap = o.expected as f64 - realized;
        let returned = policies.returned(world, s, o, merchant, gap, &mut rng, row);
        if o.live {
            row.delivered_live_orders += 1;
            row.returned_live_orders += returned as u64;
        }
        let refund = returned.then_some(o.value * (1.0 - r.restocking_fee));
        // Sending a cross-border order back costs its buyer reverse logistics.
        let reverse = policies.markets.delivered(s, o, refund);
        if returned {
            // The refund is the price paid less the restocking fee, which the merchant keeps.
            row.returned_orders += 1;
            row.returned_gmv += o.value * (1.0 - r.restocking_fee);
            let fee = o.value * r.restocking_fee;
            row.merchant_profit += fee;
            world.merchants.profit_today[merchant] += fee;
        } else {
            row.revenue_commission += commission * o.value;
            policies.on_kept(s, o, row);
            // The affiliate commission goes to the account that carried the item; an ad
            // order belongs to no account, so nobody earns it and the merchant keeps it.
            let affiliate = if c != NONE as usize {
                world.creators.income[c] += affiliate * o.value;
                row.creator_income += affiliate * o.value;
                affiliate
            } else {
                0.0
            };
            let profit = o.value * (1.0 - commission - affiliate) - world.products.cost[p] as f64;
            row.merchant_profit += profit;
            world.merchants.profit_today[merchant] += profit;
        }
        let mut logit = b.satisfaction_slope
            * (realized - o.expected as f64 + b.satisfaction_tolerance)
            + b.satisfaction_level * (realized - b.quality_reference);
        if order.late > 0 || reverse > 0.0 {
            // Lateness, and the cost of sending a return back across the border.
            let cb = &s.cross_border;
            logit -= cb.late_penalty * order.late as f64 + cb.return_regret * reverse / o.value;
        }
        logit += policies.experience(s, o, order.id);
        let satisfaction = sigmoid(logit) as f32;
        satisfaction_sum += satisfaction as f64;
        quality_sum += realized;
        policies.on_satisfaction(world, s, merchant, realized, &mut rng, row);
        crate::behaviour::respond(world, s, o, merchant as u32, satisfaction, realized as f32);
        policies.after_response(world, s, o, order.id, satisfaction, returned, &mut rng, row);
        churn_if_distrustful(world, s, i, row);
    }
    row.mean_satisfaction = crate::metrics::ratio(satisfaction_sum, orders.len() as f64);
    row.mean_delivered_quality = crate::metrics::ratio(quality_sum, orders.len() as f64);
}
