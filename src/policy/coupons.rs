//! Coupons ("spend X, get Y off"): handed out on the days of the window while the budget
//! lasts. The run state is the value redeemed so far.

use crate::engine::{DayView, OrderIntent};
use crate::metrics::DailyRow;
use crate::rng::{Purpose, key};
use crate::scenario::Scenario;
use crate::world::World;

/// The coupon programme's run state.
#[derive(Default)]
pub struct Coupons {
    /// Coupon value redeemed so far (checked against `coupons.budget` each morning).
    spend: f64,
}

impl Coupons {
    /// Whether coupons are handed out on `day`: inside the window, budget not spent.
    pub fn open(&self, s: &Scenario, day: u32) -> bool {
        let c = &s.coupons;
        let day = day as u64;
        c.value > 0.0
            && (c.start_day..c.start_day + c.days).contains(&day)
            && (c.budget == 0.0 || self.spend < c.budget)
    }

    /// Whether consumer `i` holds a coupon today: coupons are out, the consumer is targeted,
    /// and its coupon draw is below `coupons.frequency`.
    pub fn holds(&self, view: &DayView, i: usize) -> bool {
        use crate::scenario::Targeting;
        if !view.today.coupons {
            return false;
        }
        let c = &view.s.coupons;
        let cons = &view.world.consumers;
        let targeted = match c.targeting {
            Targeting::Everyone => true,
            Targeting::New => cons.orders[i] == 0,
            Targeting::PastBuyers => cons.orders[i] > 0,
            Targeting::Lapsed => {
                cons.orders[i] > 0
                    && view.day.saturating_sub(cons.last_order_day[i]) as u64 >= c.lapsed_days
            }
        };
        let u = (key(view.seed, Purpose::Coupon, i as u64, view.day as u64) >> 40) as f32
            * (1.0 / 16_777_216.0);
        targeted && u < c.frequency as f32
    }

    /// How much more likely a coupon holder is to open the app: deal seekers most, the boost
    /// scaling with deal_seeking relative to its population mean (1 without a coupon).
    #[inline]
    pub fn activity_boost(&self, view: &DayView, i: usize, held: bool) -> f32 {
        if held {
            let relative =
                view.world.consumers.deal_seeking[i] / view.s.consumers.deal_seeking_mean as f32;
            1.0 + view.s.coupons.activity_boost as f32 * relative
        } else {
            1.0
        }
    }

    /// The coupon taken off a purchase of `value`: a held coupon applies to the first
    /// purchase that reaches the threshold.
    #[inline]
    pub fn value_for(&self, s: &Scenario, held: bool, value: f32) -> f32 {
        if held && value as f64 >= s.coupons.threshold {
            s.coupons.value as f32
        } else {
            0.0
        }
    }

    /// Acceptance of an order that used a coupon: counted and paid; a first order made with a
    /// coupon marks its buyer as coupon-acquired.
    pub fn on_accept(&mut self, world: &mut World, intent: &OrderIntent, row: &mut DailyRow) {
        if intent.coupon > 0.0 {
            let i = intent.consumer as usize;
            row.coupon_orders += 1;
            row.coupon_spend += intent.coupon as f64;
            if world.consumers.orders[i] == 0 {
                world.consumers.coupon_acquired[i] = true;
            }
        }
    }

    /// Evening: the day's redeemed value counts against the budget.
    pub fn evening(&mut self, row: &DailyRow) {
        self.spend += row.coupon_spend;
    }
}
