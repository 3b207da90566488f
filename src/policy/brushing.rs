//! Order brushing (docs/MODEL.md, "Order brushing"; Li (China's digital trade platforms and
//! social media), §4.1: "hire people to brush orders"): merchants and hosts with a
//! brushing habit place fake orders that inflate gross GMV and ratings, then cancel them. The
//! platform detects a fake order with `brushing.detection_rate`: it is blocked before it is
//! booked, and the merchant gets `brushing.penalty_ratings` one-star ratings.

use crate::metrics::DailyRow;
use crate::rng::{Purpose, below, stream, unit_f32};
use crate::scenario::Scenario;
use crate::scenario::check::*;
use crate::world::{NONE, World};
use rand_distr::{Distribution, Poisson};
use serde::{Deserialize, Serialize};

/// Today's fake orders of every brushing merchant, then every brushing host.
pub fn brush(world: &mut World, s: &Scenario, day: u32, row: &mut DailyRow) {
    let b = &s.brushing;
    if b.orders_per_day <= 0.0 || (b.merchant_share == 0.0 && b.host_share == 0.0) {
        return;
    }
    let poisson = Poisson::new(b.orders_per_day).expect("validated");
    let ppm = world.products.per_merchant as usize;
    let merchants = world.merchants.len();
    for source in 0..merchants + world.creators.len() {
        // A product of the brushing merchant, or the host's current item; nothing of a
        // merchant that has exited.
        let m = &world.merchants;
        let (brusher, product) = if source < merchants {
            (m.brusher[source] && m.active[source], NONE)
        } else {
            let c = source - merchants;
            let cr = &world.creators;
            let p = cr.item_product[c];
            let trading = p == NONE || m.active[world.products.merchant(p) as usize];
            (cr.brusher[c] && cr.active[c] && trading, p)
        };
        if !brusher {
            continue;
        }
        // Merchants' and accounts' streams are keyed apart, so that an account's draws do
        // not shift when merchants enter.
        let entity = if source < merchants {
            source as u64
        } else {
            1 << 40 | (source - merchants) as u64
        };
        let mut rng = stream(s.run.seed, Purpose::Brushing, entity, day as u64);
        let n = poisson.sample(&mut rng) as u64;
        for _ in 0..n {
            let product = if source < merchants {
                (source * ppm + below(&mut rng, ppm)) as u32
            } else if product != NONE {
                product
            } else {
                continue;
            };
            let merchant = world.products.merchant(product) as usize;
            let value = world.products.price[product as usize] as f64;
            if (unit_f32(&mut rng) as f64) < b.detection_rate {
                row.brushing_detected += 1;
                let n = b.penalty_ratings as u32;
                world.merchants.add_ratings(merchant, n as f64, n, s);
            } else {
                row.orders += 1;
                row.gross_gmv += value;
                row.brushed_orders += 1;
                row.brushed_gmv += value;
                row.cancelled_orders += 1;
                row.cancelled_gmv += value;
                world.merchants.add_ratings(merchant, 5.0, 1, s);
            }
        }
    }
}

// ---- The scenario section `[brushing]` and its validation.

/// `[brushing]`: fake orders by merchants and hosts, and the platform's detection.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Brushing {
    pub merchant_share: f64,
    pub host_share: f64,
    pub orders_per_day: f64,
    pub detection_rate: f64,
    pub penalty_ratings: u64,
}

impl Default for Brushing {
    fn default() -> Self {
        Brushing {
            merchant_share: 0.0,
            host_share: 0.0,
            orders_per_day: 3.0,
            detection_rate: 0.0,
            penalty_ratings: 5,
        }
    }
}

impl Brushing {
    /// Checks the section's values; the first failure names its key.
    pub(crate) fn validate(&self) -> Check {
        probability("brushing.merchant_share", self.merchant_share)?;
        probability("brushing.host_share", self.host_share)?;
        non_negative("brushing.orders_per_day", self.orders_per_day)?;
        if self.orders_per_day > 10_000.0 {
            return fail(
                "brushing.orders_per_day",
                format!(
                    "{} fake orders a day per brusher is more than the 10,000 supported",
                    self.orders_per_day
                ),
            );
        }
        probability("brushing.detection_rate", self.detection_rate)?;
        at_most("brushing.penalty_ratings", self.penalty_ratings, 1_000)?;
        Ok(())
    }
}
