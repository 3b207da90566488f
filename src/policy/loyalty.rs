//! Loyalty points (a membership programme): kept orders earn `loyalty.points_rate` of their
//! value in points; a later purchase may pay up to `max_redeem_share` of its price with them.
//! The platform funds the points.
//!
//! Hooks: the balance a purchase may draw on (phase A), redeeming at acceptance, earning on
//! a kept order at delivery. (The consumer's loyalty to a merchant, which satisfaction
//! builds, is behaviour, not this programme: see `world::Consumers::loyalty_to`.)

use crate::behaviour::OrderIntent;
use crate::metrics::DailyRow;
use crate::scenario::Scenario;
use crate::scenario::check::*;
use serde::{Deserialize, Serialize};

/// The programme's run state: every consumer's points balance (currency units).
pub struct State {
    points: Vec<f32>,
}

impl State {
    pub fn new(consumers: usize) -> State {
        State {
            points: vec![0.0; consumers],
        }
    }

    /// Consumer `i`'s balance this morning.
    #[inline]
    pub fn balance(&self, i: usize) -> f32 {
        self.points[i]
    }

    /// Phase A: a weekly reminder of a points balance reaches consumer `i` today (on the
    /// days d with (d + i) mod 7 = 0, when it holds points): a notification.
    #[inline]
    pub fn reminds(&self, i: usize, day: u32) -> bool {
        (day as usize + i).is_multiple_of(7) && self.points.get(i).is_some_and(|&p| p > 0.0)
    }

    /// Points a purchase of `value` may use: up to `max_redeem_share` of the price, from the
    /// morning's balance less what today's earlier purchases used.
    #[inline]
    pub fn redeemable(&self, s: &Scenario, i: usize, used: f32, value: f32) -> f32 {
        (self.balance(i) - used)
            .min(value * s.loyalty.max_redeem_share as f32)
            .max(0.0)
    }

    /// Acceptance of an order that redeems points (at most the balance).
    pub fn on_accept(&mut self, intent: &OrderIntent, row: &mut DailyRow) {
        if intent.points > 0.0 {
            let i = intent.consumer as usize;
            let used = intent.points.min(self.points[i]);
            self.points[i] -= used;
            row.points_redeemed += used as f64;
        }
    }

    /// Delivery of an order the buyer keeps: it earns points.
    pub fn on_kept(&mut self, s: &Scenario, o: &OrderIntent, row: &mut DailyRow) {
        let earned = (s.loyalty.points_rate * o.value) as f32;
        self.points[o.consumer as usize] += earned;
        row.points_earned += earned as f64;
    }
}

// ---- The scenario section `[loyalty]` and its validation.

/// `[loyalty]`: membership points for repeat purchases
/// (Li (China's digital trade platforms and social media), §4.1).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Loyalty {
    pub points_rate: f64,
    pub max_redeem_share: f64,
}

impl Default for Loyalty {
    fn default() -> Self {
        Loyalty {
            points_rate: 0.0,
            max_redeem_share: 0.2,
        }
    }
}

impl Loyalty {
    /// Checks the section's values; the first failure names its key.
    pub(crate) fn validate(&self) -> Check {
        probability("loyalty.points_rate", self.points_rate)?;
        probability("loyalty.max_redeem_share", self.max_redeem_share)?;
        Ok(())
    }
}
