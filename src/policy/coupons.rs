//! Coupons ("spend X, get Y off"): handed out on the days of the window while the budget
//! lasts. The run state is the value redeemed so far.

use crate::metrics::DailyRow;
use crate::scenario::Scenario;

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

    /// Evening: the day's redeemed value counts against the budget.
    pub fn evening(&mut self, row: &DailyRow) {
        self.spend += row.coupon_spend;
    }
}
