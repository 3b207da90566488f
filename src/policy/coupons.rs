//! Coupons ("spend X, get Y off"): handed out on the days of the window while the budget
//! lasts. The run state is the value redeemed so far.

use crate::engine::{DayView, OrderIntent};
use crate::metrics::DailyRow;
use crate::rng::{Purpose, key};
use crate::scenario::check::*;
use crate::scenario::{Scenario, Targeting};
use crate::world::World;
use serde::{Deserialize, Serialize};

/// The coupon programme's run state.
#[derive(Default)]
pub struct State {
    /// Coupon value redeemed so far (checked against `coupons.budget` each morning).
    spend: f64,
}

impl State {
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

// ---- The scenario section `[coupons]` and its validation.

/// `[coupons]`: coupons, red packets and full-reduction offers ("spend X, get Y off").
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Coupons {
    pub value: f64,
    pub threshold: f64,
    pub start_day: u64,
    pub days: u64,
    pub frequency: f64,
    pub budget: f64,
    pub targeting: Targeting,
    pub lapsed_days: u64,
    pub activity_boost: f64,
}

impl Default for Coupons {
    fn default() -> Self {
        Coupons {
            value: 0.0,
            threshold: 0.0,
            start_day: 0,
            days: 14,
            frequency: 1.0,
            budget: 0.0,
            targeting: Targeting::Everyone,
            lapsed_days: 30,
            activity_boost: 0.5,
        }
    }
}

impl Coupons {
    /// Checks the section's values; the first failure names its key.
    pub(crate) fn validate(&self, s: &Scenario) -> Check {
        non_negative("coupons.value", self.value)?;
        non_negative("coupons.threshold", self.threshold)?;
        if self.value > 0.0 && self.threshold < self.value {
            return fail(
                "coupons.threshold",
                format!(
                    "{} is below coupons.value = {}: a \"spend X, get Y off\" offer needs X ≥ Y",
                    self.threshold, self.value
                ),
            );
        }
        if self.value > 0.0 && self.start_day >= s.run.days as u64 {
            return fail(
                "coupons.start_day",
                format!(
                    "day {} is past the horizon (run.days = {})",
                    self.start_day, s.run.days
                ),
            );
        }
        at_least("coupons.days", self.days, 1)?;
        probability("coupons.frequency", self.frequency)?;
        non_negative("coupons.budget", self.budget)?;
        at_least("coupons.lapsed_days", self.lapsed_days, 1)?;
        non_negative("coupons.activity_boost", self.activity_boost)?;
        Ok(())
    }
}
