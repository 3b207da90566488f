//! Order brushing (docs/MODEL.md, "Order brushing"; Li (China's digital trade platforms and
//! social media), §4.1: "hire people to brush orders"): merchants and hosts with a
//! brushing habit place fake orders that inflate gross GMV and ratings, then cancel them. The
//! platform detects a fake order with `brushing.detection_rate`: it is blocked before it is
//! booked, and the merchant gets `brushing.penalty_ratings` one-star ratings.

use crate::metrics::DailyRow;
use crate::rng::{Purpose, below, stream, unit_f32};
use crate::scenario::Scenario;
use crate::world::{NONE, World};
use rand_distr::{Distribution, Poisson};

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
        // A product of the brushing merchant, or the host's current item.
        let (brusher, product) = if source < merchants {
            (world.merchants.brusher[source], NONE)
        } else {
            let c = source - merchants;
            let cr = &world.creators;
            (cr.brusher[c] && cr.active[c], cr.item_product[c])
        };
        if !brusher {
            continue;
        }
        let mut rng = stream(s.run.seed, Purpose::Brushing, source as u64, day as u64);
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
