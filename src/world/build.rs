//! Drawing the initial world from a scenario. Every entity draws from its own keyed stream,
//! so the world is the same for any thread count.

use super::*;
use crate::error::{Error, Result};
use crate::rng::{Purpose, StreamRng, below, stream, unit_f32};
use crate::scenario::{GraphKind, Scenario};
use rand::RngExt;
use rand_distr::{Beta, Distribution, Gamma, LogNormal, Normal};
use rayon::prelude::*;

/// Beta distribution from its mean and concentration (α + β). Each shape parameter is at
/// least the smallest normal f64, so that a tiny mean times a tiny concentration (both valid)
/// cannot round to an invalid 0.
pub(crate) fn beta(mean: f64, concentration: f64) -> Beta<f64> {
    let shape = |x: f64| x.max(f64::MIN_POSITIVE);
    Beta::new(
        shape(mean * concentration),
        shape((1.0 - mean) * concentration),
    )
    .expect("validated parameters")
}

/// The Dirichlet shapes of `topics` topics with mean shape `concentration`: topic t's shape is
/// `concentration · T · w_t / Σ w` with w_t = (t + 1)^(−skew), so topic 0 is the most
/// popular and the shapes sum to `concentration · T` whatever the skew. Skew 0 gives every
/// topic exactly `concentration` (the symmetric Dirichlet). A shape that rounds to 0 (a huge
/// skew times a tiny concentration) is the smallest normal f64 instead, and one that rounds
/// to infinity the largest f64, so valid parameters always give a valid Gamma.
pub(crate) fn topic_shapes(concentration: f64, skew: f64, topics: usize) -> Vec<Gamma<f64>> {
    let w: Vec<f64> = (0..topics).map(|t| ((t + 1) as f64).powf(-skew)).collect();
    let sum: f64 = w.iter().sum();
    w.iter()
        .map(|&w| {
            // The factor first: at skew 0 it is T / T = 1 exactly.
            let shape = concentration * (w * topics as f64 / sum);
            let shape = if shape > 0.0 {
                shape.min(f64::MAX)
            } else {
                f64::MIN_POSITIVE
            };
            Gamma::new(shape, 1.0).expect("validated concentration")
        })
        .collect()
}

/// Dirichlet weights over topics, one Gamma a topic (`shapes`, from [`topic_shapes`]), written
/// into `out`; returns 1/‖w‖₂.
fn dirichlet(rng: &mut StreamRng, shapes: &[Gamma<f64>], out: &mut [f32]) -> f32 {
    let mut sum = 0.0;
    for (w, g) in out.iter_mut().zip(shapes) {
        let x: f64 = g.sample(rng).max(1e-12);
        *w = x as f32;
        sum += x;
    }
    let mut sq = 0.0f32;
    for w in out.iter_mut() {
        *w /= sum as f32;
        sq += *w * *w;
    }
    1.0 / sq.sqrt()
}

/// Builds the world of a scenario (graph included).
pub fn build_world(s: &Scenario) -> Result<World> {
    let seed = s.run.seed;
    let topics = s.population.topics as usize;
    let social_and_blocks = build_graph(s)?;
    let (social, community) = social_and_blocks;
    let consumers = build_consumers(s, community);
    let (merchants, products) = build_merchants(s);
    let mut creators = Creators::default();
    let n_creators = s.population.creators;
    for id in 0..n_creators + s.population.hosts {
        let kind = if id < n_creators {
            CreatorKind::Creator
        } else {
            CreatorKind::Host
        };
        let mut rng = stream(seed, Purpose::WorldCreator, id, 0);
        push_creator(&mut creators, kind, 0, s, &merchants, &mut rng);
    }
    Ok(World {
        topics,
        consumers,
        creators,
        merchants,
        products,
        social,
    })
}

/// The social graph and each consumer's community: those of the `graph.communities` file when
/// one is given; otherwise the block of a stochastic block graph, and for every other graph
/// those found by label propagation (`graph::label_propagation`).
fn build_graph(s: &Scenario) -> Result<(Csr, Vec<u32>)> {
    let g = &s.graph;
    let n = s.population.consumers as usize;
    let mut rng = stream(s.run.seed, Purpose::Graph, 0, 0);
    let (csr, blocks) = match g.kind {
        GraphKind::BarabasiAlbert => (
            crate::graph::barabasi_albert(n, g.m as usize, &mut rng),
            None,
        ),
        GraphKind::WattsStrogatz => (
            crate::graph::watts_strogatz(n, g.k as usize, g.p_rewire, &mut rng),
            None,
        ),
        GraphKind::StochasticBlock => {
            let (csr, blocks) =
                crate::graph::stochastic_block(n, g.blocks as usize, g.p_in, g.p_out, &mut rng);
            (csr, Some(blocks))
        }
        GraphKind::Configuration => (
            crate::graph::configuration_model(n, g.exponent, g.min_degree as usize, &mut rng),
            None,
        ),
        GraphKind::EdgeList => {
            let csr = crate::graph::load_edge_list(std::path::Path::new(&g.path), n)
                .map_err(|e| Error::Input(e.to_string()))?;
            (csr, None)
        }
    };
    let community = if !g.communities.is_empty() {
        crate::graph::load_communities(std::path::Path::new(&g.communities), n)
            .map_err(|e| Error::Input(format!("graph.communities: {}", e.detail())))?
    } else if let Some(blocks) = blocks {
        blocks
    } else {
        crate::graph::label_propagation(&csr, COMMUNITY_SWEEPS)
    };
    Ok((csr, community))
}

/// Sweeps of label propagation at most (it usually settles in fewer).
const COMMUNITY_SWEEPS: usize = 10;

fn build_consumers(s: &Scenario, community: Vec<u32>) -> Consumers {
    let c = &s.consumers;
    let n = s.population.consumers as usize;
    let t = s.population.topics as usize;
    let seed = s.run.seed;
    let activity = beta(c.activity_mean, c.activity_concentration);
    let impulsivity = beta(c.impulsivity_mean, c.impulsivity_concentration);
    let deal_seeking = beta(c.deal_seeking_mean, c.deal_seeking_concentration);
    let price = Normal::new(c.price_sensitivity_mean, c.price_sensitivity_sd).expect("validated");
    // Demand is skewed across topics (`consumers.topic_skew`); supply is not (creators'
    // profiles stay symmetric), so niche topics' creators meet less demand.
    let shapes = topic_shapes(c.interest_concentration, c.topic_skew, t);
    let mut interest = vec![0f32; n * t];
    let scalars: Vec<(f32, f32, f32, f32, f32)> = interest
        .par_chunks_mut(t)
        .enumerate()
        .map(|(i, row)| {
            let mut rng = stream(seed, Purpose::WorldConsumer, i as u64, 0);
            let inv_norm = dirichlet(&mut rng, &shapes, row);
            let a = activity.sample(&mut rng) as f32;
            let b = price.sample(&mut rng).max(0.0) as f32;
            let imp = impulsivity.sample(&mut rng) as f32;
            let deal = deal_seeking.sample(&mut rng) as f32;
            (inv_norm, a, b, imp, deal)
        })
        .collect();
    let slots = s.behaviour.max_follows as usize;
    Consumers {
        interest,
        interest_inv_norm: scalars.iter().map(|x| x.0).collect(),
        activity: scalars.iter().map(|x| x.1).collect(),
        activity_logit: scalars
            .iter()
            .map(|x| (x.1 / (1.0 - x.1)).ln().clamp(-20.0, 20.0))
            .collect(),
        habit: scalars.iter().map(|x| x.1).collect(),
        habit_day: filled(0, n),
        price_sensitivity: scalars.iter().map(|x| x.2).collect(),
        impulsivity: scalars.iter().map(|x| x.3).collect(),
        deal_seeking: scalars.iter().map(|x| x.4).collect(),
        community,
        trust: vec![c.initial_trust as f32; n],
        follows: vec![NONE; n * slots],
        follow_slots: slots,
        follow_count: filled(0, n),
        latest_follow: vec![NONE; n],
        loyal_merchant: vec![NONE; n * LOYALTY_SLOTS],
        loyalty: filled(0.0, n * LOYALTY_SLOTS),
        experience: vec![-1.0; n * LOYALTY_SLOTS],
        orders: filled(0, n),
        in_transit: filled(0, n),
        reference: vec![s.behaviour.deal_reference as f32; n * t],
        need_met: filled(0.0, n * t),
        need_day: filled(0, n),
        last_order_day: vec![NONE; n],
        first_order_day: vec![NONE; n],
        repeat_merchant: filled(false, n),
        coupon_acquired: filled(false, n),
        premium: (0..n as u64)
            .map(|i| {
                unit_f32(&mut stream(seed, Purpose::Ads, i, u64::MAX))
                    < s.platform.premium_share as f32
            })
            .collect(),
        churned: filled(false, n),
        joined_day: (0..n as u64)
            .map(|i| {
                let on = c.initial_share >= 1.0
                    || unit_f32(&mut stream(seed, Purpose::Join, i, 0)) < c.initial_share as f32;
                if on { 0 } else { NONE }
            })
            .collect(),
    }
}

fn build_merchants(s: &Scenario) -> (Merchants, Products) {
    let mut merchants = Merchants::default();
    let mut products = Products {
        per_merchant: s.population.products_per_merchant as u32,
        ..Default::default()
    };
    for id in 0..s.population.merchants {
        let mut rng = stream(s.run.seed, Purpose::WorldMerchant, id, 0);
        push_merchant(&mut merchants, &mut products, 0, s, &mut rng);
    }
    merchants.index(s.population.topics as usize);
    (merchants, products)
}

/// Appends one merchant and its `products_per_merchant` products with freshly drawn
/// attributes, entering on `day`: its topic, lead time and products from `rng`; its brushing
/// habit and its products' group-buy flags from their own streams, keyed by the merchant's and
/// the products' ids, so that the other attributes do not depend on them. The caller rebuilds
/// the indexes ([`Merchants::index`]).
pub(crate) fn push_merchant(
    merchants: &mut Merchants,
    products: &mut Products,
    day: u32,
    s: &Scenario,
    rng: &mut StreamRng,
) {
    let m = &s.merchants;
    let ppm = products.per_merchant as usize;
    let topics = s.population.topics as usize;
    let id = merchants.len() as u64;
    let price = LogNormal::new(m.price_median.ln(), m.price_sigma).expect("validated");
    let quality = beta(m.quality_mean, m.quality_concentration);
    merchants.topic.push(below(rng, topics) as u32);
    let span = (m.lead_time_max - m.lead_time_min + 1) as usize;
    merchants
        .lead_time
        .push(m.lead_time_min as u32 + below(rng, span) as u32);
    merchants.rating_sum.push(0.0);
    merchants.rating_count.push(0);
    merchants.reputation.push(reputation(
        m.rating_prior_mean,
        m.rating_prior_weight,
        0.0,
        0,
    ));
    for _ in 0..ppm {
        let p = price.sample(rng).max(0.01) as f32;
        let q = quality.sample(rng) as f32;
        let inflation = (m.advertised_inflation * rng.random::<f64>() * 2.0) as f32;
        let pid = products.price.len() as u64;
        products.price.push(p);
        products.cost.push(p * (1.0 - m.margin as f32));
        products.quality.push(q);
        products.advertised.push((q + inflation).min(1.0));
        products.group_buy.push(
            unit_f32(&mut stream(s.run.seed, Purpose::GroupBuy, pid, u64::MAX))
                < s.group_buying.product_share as f32,
        );
    }
    merchants.brusher.push(
        unit_f32(&mut stream(s.run.seed, Purpose::Brushing, id, u64::MAX))
            < s.brushing.merchant_share as f32,
    );
    merchants.damage.push(0.0);
    merchants.delisted_from.push(0);
    merchants.delisted_until.push(0);
    merchants.active.push(true);
    merchants.entered_day.push(day);
    merchants.exited_day.push(NONE);
    merchants.profit_today.push(0.0);
    merchants.profit_total.push(0.0);
    merchants.profit_ema.push(0.0);
    merchants.low_days.push(0);
    merchants.check_columns();
    products.check_columns(merchants.len());
}

/// An affiliate for an account whose main topic is `topic`: a uniform active merchant of that
/// topic, or, if the topic has none, a uniform active merchant (while every merchant is
/// active, merchant k for the draw k). With no active merchant at all, any merchant: its
/// products cannot be bought.
pub(crate) fn draw_affiliate(merchants: &Merchants, topic: usize, rng: &mut StreamRng) -> u32 {
    let pool = merchants.of_topic(topic);
    let pool = if pool.is_empty() {
        &merchants.active_ids[..]
    } else {
        pool
    };
    if pool.is_empty() {
        below(rng, merchants.len()) as u32
    } else {
        pool[below(rng, pool.len())]
    }
}

/// Reputation in [0, 1] from a Bayesian average of 1–5 star ratings.
pub(crate) fn reputation(prior_mean: f64, prior_weight: f64, sum: f64, count: u32) -> f32 {
    let stars = (prior_mean * prior_weight + sum) / (prior_weight + count as f64);
    ((stars - 1.0) / 4.0) as f32
}

/// Appends one creator or host with freshly drawn attributes, entering on `day`.
pub(crate) fn push_creator(
    c: &mut Creators,
    kind: CreatorKind,
    day: u32,
    s: &Scenario,
    merchants: &Merchants,
    rng: &mut StreamRng,
) {
    let k = &s.creators;
    let topics = s.population.topics as usize;
    let start = c.profile.len();
    c.profile.resize(start + topics, 0.0);
    let shapes = topic_shapes(k.topic_concentration, 0.0, topics);
    let inv_norm = dirichlet(rng, &shapes, &mut c.profile[start..]);
    let row = &c.profile[start..];
    let primary = (0..topics)
        .max_by(|&a, &b| row[a].total_cmp(&row[b]).then(b.cmp(&a)))
        .unwrap();
    c.profile_inv_norm.push(inv_norm);
    c.topic.push(primary as u32);
    c.kind.push(kind);
    c.quality
        .push(beta(k.quality_mean, k.quality_concentration).sample(rng) as f32);
    let trust = match kind {
        CreatorKind::Creator => 0.5,
        CreatorKind::Host => {
            beta(s.hosts.charisma_mean, s.hosts.charisma_concentration).sample(rng) as f32
        }
    };
    c.trust.push(trust);
    // Affiliates: active merchants of the creator's main topic (any active merchant if the
    // topic has none).
    for _ in 0..k.affiliates {
        c.affiliates.push(draw_affiliate(merchants, primary, rng));
    }
    let motivation = LogNormal::new(k.motivation_median.max(1e-9).ln(), k.motivation_sigma)
        .expect("validated")
        .sample(rng);
    c.motivation.push(if k.motivation_median == 0.0 {
        0.0
    } else {
        motivation as f32
    });
    c.followers.push(0);
    c.exposure_total.push(0);
    c.exposure_ema.push(0.0);
    c.engagements_total.push(0);
    c.orders_total.push(0);
    c.popularity.push(0.0);
    c.income.push(0.0);
    c.income_seen.push(0.0);
    c.income_ema.push(0.0);
    c.low_days.push(0);
    c.active.push(true);
    c.entered_day.push(day);
    c.exited_day.push(NONE);
    c.item_product.push(NONE);
    c.item_quality.push(0.0);
    c.item_day.push(NONE);
    c.live.push(false);
    c.stock_left.push(0);
    // Drawn from its own stream so that the other attributes do not depend on it.
    let id = c.brusher.len() as u64;
    let brusher = kind == CreatorKind::Host
        && unit_f32(&mut stream(
            s.run.seed,
            Purpose::Brushing,
            u64::MAX - id,
            u64::MAX,
        )) < s.brushing.host_share as f32;
    c.brusher.push(brusher);
    c.damage.push(0.0);
    c.check_columns(topics, k.affiliates as usize);
}
