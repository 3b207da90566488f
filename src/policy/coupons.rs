//! Coupons ("spend X, get Y off"): handed out on the days of the window while the budget
//! lasts. The run state is the value redeemed so far.

use crate::engine::OrderIntent;
use crate::metrics::DailyRow;
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
