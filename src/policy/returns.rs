//! Returns: whether a delivered order comes back. The decision weighs the gap between the
//! quality expected and received, the impulse of the purchase, and the policy: free returns
//! (or return-shipping insurance, or premium membership), a restocking fee, the return
//! window, and a product scandal's damage to the merchant.
//!
//! Hook: the return decision at delivery (it also sells return-shipping insurance).

use crate::engine::OrderIntent;
use crate::metrics::DailyRow;
use crate::rng::{StreamRng, unit_f32};
use crate::scenario::Scenario;
use crate::world::World;
use rand_distr::{Distribution, Exp};

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
            - r.hassle,
    );
    let wants_return = (unit_f32(rng) as f64) < p_return;
    let discovery = Exp::new(1.0 / r.discovery_days).expect("validated");
    let found_in_window = discovery.sample(rng) <= r.window_days as f64;
    wants_return && found_in_window
}
