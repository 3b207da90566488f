//! Returns: whether a delivered order comes back. The decision weighs the gap between the
//! quality expected and received, the impulse of the purchase, and the policy: free returns
//! (or return-shipping insurance, or premium membership), a restocking fee, the return
//! window, and a product scandal's damage to the merchant.
//!
//! Hook: the return decision at delivery (it also sells return-shipping insurance).

use crate::behaviour::OrderIntent;
use crate::metrics::DailyRow;
use crate::rng::{StreamRng, unit_f32};
use crate::scenario::Scenario;
use crate::scenario::check::*;
use crate::world::World;
use rand_distr::{Distribution, Exp};
use serde::{Deserialize, Serialize};

#[inline]
fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Delivery of order `o` from `merchant` with quality gap `gap` (expected − received):
/// whether it is returned. Draws, in this order and whatever the policy (so that variants
/// keep their draws aligned): insurance take-up, the return decision, the day the buyer
/// finds the problem (Exp with mean `discovery_days`; a return needs it within the window).
pub fn decide(
    world: &World,
    s: &Scenario,
    o: &OrderIntent,
    merchant: usize,
    gap: f64,
    rng: &mut StreamRng,
    row: &mut DailyRow,
) -> bool {
    let r = &s.returns;
    let insured = (unit_f32(rng) as f64) < r.insurance_take_up;
    if insured {
        row.insured_orders += 1;
        row.revenue_insurance += r.insurance_premium;
    }
    let member = world.consumers.premium[o.consumer as usize];
    let free = (r.free_returns || insured || member) as u8 as f64;
    let p_return = sigmoid(
        r.base
            + r.expectation_gap * gap
            + r.impulse * o.impulse as f64
            + r.free_returns_effect * free
            - r.restocking_fee_effect * r.restocking_fee
            + s.scandals.return_effect * world.merchants.damage[merchant] as f64
            - r.hassle
            - s.cross_border.return_hassle * cross_border_return(o) as u8 as f64,
    );
    let wants_return = (unit_f32(rng) as f64) < p_return;
    let discovery = Exp::new(1.0 / r.discovery_days).expect("validated");
    let found_in_window = discovery.sample(rng) <= r.window_days as f64;
    wants_return && found_in_window
}

/// Whether returning order `o` means shipping it back across a border (it came by post or
/// express; an overseas warehouse takes returns locally).
#[inline]
pub fn cross_border_return(o: &OrderIntent) -> bool {
    crate::policy::markets::Mode::from_u8(o.mode).shipped()
}

// ---- The scenario section `[returns]` and its validation.

/// `[returns]`: the return policy and the return decision's coefficients.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Returns {
    pub window_days: u64,
    pub free_returns: bool,
    pub discovery_days: f64,
    pub base: f64,
    pub expectation_gap: f64,
    pub impulse: f64,
    pub free_returns_effect: f64,
    pub hassle: f64,
    pub restocking_fee: f64,
    pub restocking_fee_effect: f64,
    pub insurance_take_up: f64,
    pub insurance_premium: f64,
}

impl Default for Returns {
    fn default() -> Self {
        Returns {
            window_days: 7,
            free_returns: false,
            discovery_days: 3.0,
            base: -2.5,
            expectation_gap: 4.0,
            impulse: 1.5,
            free_returns_effect: 0.8,
            hassle: 0.5,
            restocking_fee: 0.0,
            restocking_fee_effect: 4.0,
            insurance_take_up: 0.0,
            insurance_premium: 1.0,
        }
    }
}

impl Returns {
    /// Checks the section's values; the first failure names its key.
    pub(crate) fn validate(&self) -> Check {
        at_most("returns.window_days", self.window_days, 365)?;
        positive("returns.discovery_days", self.discovery_days)?;
        for (key, v) in [
            ("returns.base", self.base),
            ("returns.expectation_gap", self.expectation_gap),
            ("returns.impulse", self.impulse),
            ("returns.free_returns_effect", self.free_returns_effect),
            ("returns.hassle", self.hassle),
        ] {
            finite(key, v)?;
        }
        share_of_price("returns.restocking_fee", self.restocking_fee)?;
        non_negative("returns.restocking_fee_effect", self.restocking_fee_effect)?;
        probability("returns.insurance_take_up", self.insurance_take_up)?;
        non_negative("returns.insurance_premium", self.insurance_premium)?;
        Ok(())
    }
}
