//! Property test: random valid scenarios, tiny, with every policy section (markets,
//! festivals, search, group chats and forums included), every
//! recommendation algorithm and every generated graph kind, run through the library. Every
//! value written (daily rows, creator rows, the summary) must be finite, and the identities of
//! docs/OUTPUTS.md ("Accounting identities") must hold on every daily row and on the totals.
//!
//! Not visible in the outputs, hence not checked here: the unit costs in `merchant_profit`
//! (identity 4; its sum merchant by merchant is checked through the world, identity 10) and the impressions of each account on each day (identity 6, checked over the
//! run through creators.csv).
//!
//! Cases: 64 by default; `PROPTEST_CASES=N` changes that, as in any proptest test. A failing
//! case is printed as the scenario's TOML: save it and `socsim run` it.
//!
//! Floating-point tolerance: money sums that the code adds in different orders (by booking,
//! by day, by account, in chunks) must agree to `REL` = 1e-9 of the largest magnitude
//! involved (at least 1): a run of this size adds a few thousand terms, which loses less than
//! 1e-12 of their size in f64. Counts are compared exactly.

use proptest::prelude::*;
use socsim::Simulation;
use socsim::metrics::DailyRow;
use socsim::scenario::{Scenario, parse_scenario};
use std::fmt::Write as _;

/// Relative tolerance of money identities (see the module comment).
const REL: f64 = 1e-9;
/// Cases run unless `PROPTEST_CASES` says otherwise.
const CASES: u32 = 64;

// ---------------------------------------------------------------------------------------
// The scenario generator. Each section is drawn on its own; values that depend on another
// section (ad slots below the feed size, the lineup within the affiliates, commission plus
// affiliate commission at most 1, days of scandals and coupons before the horizon) are drawn
// as shares and resolved when the TOML is written, so every case is valid.
// ---------------------------------------------------------------------------------------

/// A value from `typical`; in a stress case, also one of `extremes` (the bounds of validation)
/// a third of the time.
fn edge(
    stress: bool,
    typical: impl Strategy<Value = f64> + 'static,
    extremes: &[f64],
) -> BoxedStrategy<f64> {
    if !stress {
        return typical.boxed();
    }
    let mut choices = vec![(2 * extremes.len() as u32, typical.boxed())];
    choices.extend(extremes.iter().map(|&x| (1, Just(x).boxed())));
    prop::strategy::Union::new_weighted(choices).boxed()
}

/// A coefficient: in `typical`, or in a stress case also at ±1000, the bound of validation.
fn coefficient(stress: bool, typical: std::ops::Range<f64>) -> BoxedStrategy<f64> {
    edge(stress, typical, &[1000.0, -1000.0])
}

/// A money amount: zero (the policy is off) or typical, or in a stress case also 1e9, the
/// bound of validation.
fn money(stress: bool, typical: std::ops::Range<f64>) -> BoxedStrategy<f64> {
    prop_oneof![1 => Just(0.0), 3 => edge(stress, typical, &[1e9])].boxed()
}

/// A probability, sometimes at 0 or 1 exactly.
fn prob() -> impl Strategy<Value = f64> {
    prop_oneof![6 => 0.0..=1.0f64, 1 => Just(0.0), 1 => Just(1.0)]
}

/// The keys of one TOML table, each value in its TOML form.
type Keys = Vec<(&'static str, String)>;

/// `key = v`, for a value whose Debug form is its TOML form (f64, u64, bool, &str).
fn kv(key: &'static str, v: impl std::fmt::Debug) -> (&'static str, String) {
    (key, format!("{v:?}"))
}

#[derive(Clone, Debug)]
struct World {
    days: u32,
    seed: u64,
    population: Keys,
    creators: u64,
    hosts: u64,
    merchants: u64,
    graph: Keys,
}

prop_compose! {
    fn world()(
        days in 5u32..=15,
        seed in 0..=i64::MAX as u64, // TOML integers are signed 64-bit
        consumers in 100u64..=400,
        (creators, hosts, merchants) in (1u64..=8, 0u64..=4, 1u64..=6),
        (products_per_merchant, topics) in (1u64..=3, 1u64..=8),
        kind in 0usize..4,
        (a, p, q) in (1u64..=3, 0.0..=1.0f64, 0.0..=1.0f64),
    ) -> World {
        let kind = socsim::scenario::GRAPH_KINDS[kind];
        assert_ne!(kind, "edge_list", "every generated graph kind, no edge list");
        let mut graph = vec![kv("kind", kind)];
        graph.extend(match kind {
            "barabasi_albert" => vec![kv("m", a)],
            "watts_strogatz" => vec![kv("k", 2 * a), kv("p_rewire", p)],
            "stochastic_block" => vec![kv("blocks", 3 * a), kv("p_in", 0.2 * p), kv("p_out", 0.01 * q)],
            _ => vec![kv("exponent", 1.1 + 2.4 * p), kv("min_degree", a)],
        });
        World {
            days,
            seed,
            population: vec![
                kv("consumers", consumers),
                kv("creators", creators),
                kv("hosts", hosts),
                kv("merchants", merchants),
                kv("products_per_merchant", products_per_merchant),
                kv("topics", topics),
            ],
            creators,
            hosts,
            merchants,
            graph,
        }
    }
}

prop_compose! {
    fn recommendation(stress: bool)(
        algorithm in prop::sample::select(
            socsim::policy::recommend::ALGORITHMS.iter().map(|(n, _)| *n).collect::<Vec<_>>()),
        feed_size in 1u64..=12,
        oversample in 1.0..=3.0f64,
        pools in prop::array::uniform6(prop_oneof![0.0..=1.0f64, Just(0.0)]),
        popularity_exponent in edge(stress, 0.0..=3.0f64, &[20.0]),
        popularity_halflife_days in 0.5..=30.0f64,
        weights in prop::array::uniform4(coefficient(stress, -2.0..5.0)),
        (mmr_lambda, long_tail_quota) in (prob(), prob()),
        fair_exposure_strength in edge(stress, 0.0..=3.0f64, &[1000.0]),
        long_tail_threshold in 0.01..=3.0f64,
        freshness_halflife_days in 0.1..=10.0f64,
        (alpha, beta) in (0.1..=5.0f64, 0.1..=50.0f64),
        homogenization_sample in 0u64..=60,
    ) -> (Keys, u64) {
        let mut pools = pools;
        if pools.iter().all(|&v| v == 0.0) {
            pools[5] = 1.0; // at least one pool must supply candidates
        }
        let keys = vec![
            kv("algorithm", algorithm),
            kv("feed_size", feed_size),
            kv("oversample", oversample),
            kv("pool_followed", pools[0]),
            kv("pool_social", pools[1]),
            kv("pool_interest", pools[2]),
            kv("pool_popular", pools[3]),
            kv("pool_live", pools[4]),
            kv("pool_explore", pools[5]),
            kv("popularity_exponent", popularity_exponent),
            kv("popularity_halflife_days", popularity_halflife_days),
            kv("weight_match", weights[0]),
            kv("weight_popularity", weights[1]),
            kv("weight_followed", weights[2]),
            kv("weight_engagement_rate", weights[3]),
            kv("mmr_lambda", mmr_lambda),
            kv("fair_exposure_strength", fair_exposure_strength),
            kv("long_tail_quota", long_tail_quota),
            kv("long_tail_threshold", long_tail_threshold),
            kv("freshness_halflife_days", freshness_halflife_days),
            kv("bandit_prior_alpha", alpha),
            kv("bandit_prior_beta", beta),
            kv("homogenization_sample", homogenization_sample),
        ];
        (keys, feed_size)
    }
}

/// The tables `[consumers]`, `[creators]`, `[hosts]`, and the churn threshold of
/// `[behaviour]` (drawn with the initial trust, which must exceed it).
#[derive(Clone, Debug)]
struct People {
    consumers: Keys,
    creators: Keys,
    hosts: Keys,
    churn_threshold: f64,
    affiliate_commission: f64,
}

prop_compose! {
    fn people(stress: bool)(
        activity in (0.05..0.95f64, 0.5..=20.0f64),
        price_sensitivity in (edge(stress, 0.0..=2.0f64, &[1000.0]),
            edge(stress, 0.0..=1.0f64, &[1000.0])),
        impulsivity in (0.05..0.95f64, 0.5..=20.0f64),
        deal_seeking in (edge(stress, 0.05..0.95f64, &[1e-6]), 0.5..=20.0f64),
        (interest_concentration, topic_skew) in
            (0.05..=5.0f64, edge(stress, prop_oneof![Just(0.0), 0.0..=3.0f64], &[10.0])),
        (churn_threshold, trust_gap) in (0.0..=0.6f64, 0.01..=1.0f64),
        (topic_concentration, quality) in (0.05..=5.0f64, (0.05..0.95f64, 0.5..=20.0f64)),
        (posting_rate, product_link_prob, affiliates) in (prob(), prob(), 1u64..=4),
        affiliate_commission in prop_oneof![0.0..=0.5f64, Just(0.0), Just(1.0)],
        motivation in (0.0..=100.0f64, 0.0..=2.0f64),
        (exposure_halflife_days, patience_days, entry_rate) in (0.5..=20.0f64, 1u64..=10, 0.0..=3.0f64),
        income_weight in edge(stress, 0.0..=100.0f64, &[1e6]),
        (live_prob, charisma) in (prob(), (0.05..0.95f64, 0.5..=20.0f64)),
        (session_stock, discount, lineup) in (1u64..=50, 0.0..0.95f64, 0u64..4),
        live_hype in edge(stress, 0.0..=1.0f64, &[10.0]),
    ) -> People {
        let initial_trust = churn_threshold + trust_gap * (1.0 - churn_threshold);
        People {
            consumers: vec![
                kv("interest_concentration", interest_concentration),
                kv("topic_skew", topic_skew),
                kv("activity_mean", activity.0),
                kv("activity_concentration", activity.1),
                kv("price_sensitivity_mean", price_sensitivity.0),
                kv("price_sensitivity_sd", price_sensitivity.1),
                kv("impulsivity_mean", impulsivity.0),
                kv("impulsivity_concentration", impulsivity.1),
                kv("deal_seeking_mean", deal_seeking.0),
                kv("deal_seeking_concentration", deal_seeking.1),
                kv("initial_trust", initial_trust.max(churn_threshold + 1e-6).min(1.0)),
            ],
            creators: vec![
                kv("topic_concentration", topic_concentration),
                kv("quality_mean", quality.0),
                kv("quality_concentration", quality.1),
                kv("posting_rate", posting_rate),
                kv("product_link_prob", product_link_prob),
                kv("affiliates", affiliates),
                kv("affiliate_commission", affiliate_commission),
                kv("motivation_median", motivation.0),
                kv("motivation_sigma", motivation.1),
                kv("exposure_halflife_days", exposure_halflife_days),
                kv("patience_days", patience_days),
                kv("entry_rate", entry_rate),
                kv("income_weight", income_weight),
            ],
            hosts: vec![
                kv("live_prob", live_prob),
                kv("charisma_mean", charisma.0),
                kv("charisma_concentration", charisma.1),
                kv("session_stock", session_stock),
                kv("discount", discount),
                kv("lineup", 1 + lineup % affiliates), // at most creators.affiliates
                kv("live_hype", live_hype),
            ],
            churn_threshold,
            affiliate_commission,
        }
    }
}

prop_compose! {
    fn merchants(stress: bool)(
        price_median in edge(stress, 1.0..=200.0f64, &[1e9]),
        price_sigma in edge(stress, 0.0..=1.5f64, &[5.0]),
        margin in 0.0..0.9f64,
        quality in (0.05..0.95f64, 0.5..=20.0f64),
        advertised_inflation in 0.0..=0.5f64,
        (lead_time_min, lead_time_span) in (1u64..=2, 0u64..=3),
        rating_prior in (1.0..=5.0f64, edge(stress, 0.1..=20.0f64, &[1e6])),
        (exit_profit, patience_days, profit_halflife_days, entry_rate) in (
            prop_oneof![Just(f64::NEG_INFINITY), -5.0..=20.0f64, Just(1e9), Just(-1e9)],
            1u64..=6,
            0.5..=20.0f64,
            prop_oneof![Just(0.0), 0.0..=3.0f64],
        ),
    ) -> Keys {
        vec![
            kv("price_median", price_median),
            kv("price_sigma", price_sigma),
            kv("margin", margin),
            kv("quality_mean", quality.0),
            kv("quality_concentration", quality.1),
            kv("advertised_inflation", advertised_inflation),
            kv("lead_time_min", lead_time_min),
            kv("lead_time_max", lead_time_min + lead_time_span),
            kv("rating_prior_mean", rating_prior.0),
            kv("rating_prior_weight", rating_prior.1),
            kv("exit_profit", exit_profit),
            kv("patience_days", patience_days),
            kv("profit_halflife_days", profit_halflife_days),
            kv("entry_rate", entry_rate),
        ]
    }
}

prop_compose! {
    fn behaviour(stress: bool)(
        engage in prop::array::uniform5(coefficient(stress, -1.0..4.0)),
        purchase in prop::array::uniform6(coefficient(stress, -1.0..3.0)),
        deal in (coefficient(stress, 0.0..4.0), coefficient(stress, 0.0..0.3)),
        threshold in coefficient(stress, -1.0..5.0),
        impulse in prop::array::uniform3(coefficient(stress, 0.0..1.0)),
        (follow_prob, max_follows) in (prob(), 1u64..=8),
        max_orders_per_day in prop_oneof![4 => 1u64..=3, 1 => Just(0u64)],
        review in (prob(), edge(stress, 0.0..=1.0f64, &[1000.0])),
        slope in edge(stress, prop_oneof![0.0..=10.0f64, Just(0.0)], &[1000.0]),
        tolerance in coefficient(stress, -0.2..0.3),
        rates in prop::array::uniform4(prob()),
    ) -> Keys {
        vec![
            kv("engage_match", engage[0]),
            kv("engage_quality", engage[1]),
            kv("engage_trust", engage[2]),
            kv("engage_bias", engage[3]),
            kv("live_engage_boost", engage[4]),
            kv("purchase_match", purchase[0]),
            kv("purchase_quality", purchase[1]),
            kv("purchase_trust", purchase[2]),
            kv("purchase_reputation", purchase[3]),
            kv("purchase_discount", purchase[4]),
            kv("purchase_loyalty", purchase[5]),
            kv("deal_amplifier", deal.0),
            kv("deal_reference", deal.1),
            kv("purchase_threshold", threshold),
            kv("live_impulse", impulse[0]),
            kv("scarcity_impulse", impulse[1]),
            kv("followed_trust_bonus", impulse[2]),
            kv("follow_prob", follow_prob),
            kv("max_follows", max_follows),
            kv("max_orders_per_day", max_orders_per_day),
            kv("review_prob", review.0),
            kv("rating_noise", review.1),
            kv("satisfaction_slope", slope),
            kv("satisfaction_tolerance", tolerance),
            kv("loyalty_rate", rates[0]),
            kv("trust_rate", rates[1]),
            kv("creator_trust_rate", rates[2]),
            kv("stockout_trust_penalty", rates[3]),
        ]
    }
}

prop_compose! {
    fn returns(stress: bool)(
        window_days in 0u64..=10,
        free_returns in any::<bool>(),
        discovery_days in 0.1..=10.0f64,
        logit in prop::array::uniform5(coefficient(stress, -3.0..4.0)),
        (restocking_fee, restocking_fee_effect) in (0.0..0.5f64, coefficient(stress, 0.0..5.0)),
        (insurance_take_up, insurance_premium) in (prob(), money(stress, 0.0..3.0)),
    ) -> Keys {
        vec![
            kv("window_days", window_days),
            kv("free_returns", free_returns),
            kv("discovery_days", discovery_days),
            kv("base", logit[0]),
            kv("expectation_gap", logit[1]),
            kv("impulse", logit[2]),
            kv("free_returns_effect", logit[3]),
            kv("hassle", logit[4]),
            kv("restocking_fee", restocking_fee),
            kv("restocking_fee_effect", restocking_fee_effect.abs()),
            kv("insurance_take_up", insurance_take_up),
            kv("insurance_premium", insurance_premium),
        ]
    }
}

/// `[loyalty]`, `[reviews]`, `[sharing]`, `[group_buying]`, `[brushing]`, `[creator_support]`.
#[derive(Clone, Debug)]
struct Incentives {
    tables: Vec<(&'static str, Keys)>,
}

prop_compose! {
    fn incentives(stress: bool)(
        loyalty in (prob(), prob()),
        (review_reward, boost, bias) in (money(stress, 0.0..2.0), prob(), coefficient(stress, 0.0..2.0)),
        (jury, jury_threshold, jury_rate) in (any::<bool>(), 0.1..=2.0f64, prob()),
        (share_prob, share_reward, reward_share_prob) in (prob(), money(stress, 0.0..2.0), prob()),
        (share_bonus, rewarded_trust) in (coefficient(stress, -2.0..3.0), prob()),
        (product_share, group_discount, size) in (prob(), 0.0..0.9f64, 2u64..=4),
        (window_days, invites, invitation_bonus) in (1u64..=3, 0u64..=5, coefficient(stress, -3.0..5.0)),
        (merchant_share, host_share) in (prob(), prob()),
        (orders_per_day, detection_rate, penalty_ratings) in
            (prop_oneof![0.0..=5.0f64, Just(0.0)], prob(), 0u64..=10),
        (reward_per_impression, quantile) in (money(stress, 0.0..1.0), prob()),
    ) -> Incentives {
        Incentives {
            tables: vec![
                ("loyalty", vec![kv("points_rate", loyalty.0), kv("max_redeem_share", loyalty.1)]),
                ("reviews", vec![
                    kv("reward", review_reward),
                    kv("reward_review_boost", boost),
                    kv("reward_bias", bias.abs()),
                    kv("jury", jury),
                    kv("jury_threshold", jury_threshold),
                    kv("jury_rate", jury_rate),
                ]),
                ("sharing", vec![
                    kv("share_prob", share_prob),
                    kv("reward", share_reward),
                    kv("reward_share_prob", reward_share_prob),
                    kv("share_bonus", share_bonus),
                    kv("rewarded_trust", rewarded_trust),
                ]),
                ("group_buying", vec![
                    kv("product_share", product_share),
                    kv("discount", group_discount),
                    kv("size", size),
                    kv("window_days", window_days),
                    kv("invites", invites),
                    kv("invitation_bonus", invitation_bonus),
                ]),
                ("brushing", vec![
                    kv("merchant_share", merchant_share),
                    kv("host_share", host_share),
                    kv("orders_per_day", orders_per_day),
                    kv("detection_rate", detection_rate),
                    kv("penalty_ratings", penalty_ratings),
                ]),
                ("creator_support", vec![
                    kv("reward_per_impression", reward_per_impression),
                    kv("quantile", quantile),
                ]),
            ],
        }
    }
}

/// Policies with keys that depend on other tables: coupons and scandals (days before the
/// horizon, targets that exist), the platform (ad slots below the feed size, commission plus
/// affiliate commission at most 1). Drawn as shares, resolved in [`case`].
#[derive(Clone, Debug)]
struct Dependent {
    coupons: (f64, f64, f64, u64, f64, f64, &'static str, u64, f64),
    scandals: Keys,
    events: Vec<(f64, bool, u8, f64, f64)>,
    platform: (f64, f64, f64, f64, f64, f64, f64),
}

prop_compose! {
    fn dependent(stress: bool)(
        coupons in (money(stress, 1.0..40.0), 0.0..=1.0f64, 0.0..=1.0f64, 1u64..=10, prob(),
            prop_oneof![Just(0.0), 1.0..=500.0f64],
            prop::sample::select(vec!["everyone", "new", "lapsed", "past_buyers"]),
            1u64..=5, coefficient(stress, 0.0..2.0)),
        (rate, random_severity, spillover) in (prop_oneof![Just(0.0), 0.0..=1.0f64], prob(), prob()),
        (return_effect, purchase_aversion, buyer_trust_loss) in
            (coefficient(stress, 0.0..3.0), coefficient(stress, 0.0..4.0), prob()),
        (delist, delisting_delay_days, delist_days) in (any::<bool>(), 0u64..=3, 0u64..=5),
        (apology, halflives, compensation) in
            (any::<bool>(), (0.5..=60.0f64, 0.5..=20.0f64), money(stress, 0.0..100.0)),
        events in prop::collection::vec(
            (0.0..1.0f64, any::<bool>(), 0u8..3, 0.0..1.0f64, prob()), 0..=2),
        platform in (0.0..=1.0f64, 0.0..=1.0f64, money(stress, 0.0..0.2), prob(), prob(),
            money(stress, 0.0..2.0), 0.0..0.95f64),
    ) -> Dependent {
        let scandals = vec![
            kv("rate", rate),
            kv("random_severity", random_severity),
            kv("spillover", spillover),
            kv("return_effect", return_effect.abs()),
            kv("purchase_aversion", purchase_aversion.abs()),
            kv("buyer_trust_loss", buyer_trust_loss),
            kv("delist", delist),
            kv("delisting_delay_days", delisting_delay_days),
            kv("delist_days", delist_days),
            kv("apology", apology),
            kv("recovery_halflife_days", halflives.0),
            kv("apology_halflife_days", halflives.1),
            kv("compensation", compensation),
        ];
        Dependent { coupons, scandals, events, platform }
    }
}

/// One market's draws (see [`Markets`]).
type MarketDraw = (f64, f64, f64, u8, u64, u64, f64, f64, f64, f64, f64);

/// Markets, cross-border trade, festivals and search: drawn as shares where they depend on
/// the horizon, resolved in [`case`].
#[derive(Clone, Debug)]
struct Markets {
    /// Per market: consumer share, merchant share, culture, language, postal and express
    /// days, express cost, payment failure, duty, compliance (fixed, per order).
    markets: Vec<MarketDraw>,
    cross_border: Keys,
    /// Per event: first day (a share of the horizon), days, visit and intent surge,
    /// reduction threshold and value (a share of it), congestion.
    events: Vec<(f64, u64, f64, f64, f64, f64, bool)>,
    search: Keys,
    /// Group chats and forums.
    chats: Keys,
    forums: Keys,
}

prop_compose! {
    fn markets(stress: bool)(
        markets in prop::collection::vec(
            (0.05..1.0f64, prop_oneof![Just(0.0), 0.05..1.0f64], -2.0..2.0f64, 0u8..3,
                0u64..=20, 0u64..=10, money(stress, 0.0..20.0), prob(), 0.0..0.3f64,
                money(stress, 0.0..50.0), money(stress, 0.0..2.0)),
            0..=3),
        (warehouse_share, warehouse_stock, restock_days, holding, shipping) in
            (prob(), 1u64..=20, 1u64..=10, money(stress, 0.0..0.1),
                prop::sample::select(vec!["consumer_choice", "postal", "express"])),
        (delay, culture, relief, payment, returns) in (
            coefficient(stress, 0.0..0.2), coefficient(stress, 0.0..2.0), (prob(), prob()),
            (coefficient(stress, 0.0..10.0), prob(), prob()),
            (coefficient(stress, 0.0..2.0), coefficient(stress, 0.0..2.0),
                coefficient(stress, 0.0..4.0), coefficient(stress, 0.0..1.0))),
        events in prop::collection::vec(
            (0.0..1.0f64, 1u64..=3, 0.5..3.0f64, 0.0..40.0f64, money(stress, 0.0..100.0),
                0.0..1.0f64, any::<bool>()),
            0..=2),
        (rate, intent_days, bonus, share, results, weight_price) in (
            prop_oneof![Just(0.0), prob()], 0.5..20.0f64, coefficient(stress, -1.0..5.0),
            prob(), 1u64..=20, 0.0..1.0f64),
        (per, members, slots, service, proof, delivery_sd) in (
            prop_oneof![Just(0u64), 1u64..=3], prob(), 1u64..=4, prob(),
            coefficient(stress, 0.0..2.0), 0.0..2.0f64),
        (read, reward, moderation, vendors, visible, age) in (
            prop_oneof![Just(0.0), prob()], 0.0..0.5f64, prob(), 0u64..=3, 1u64..=20,
            1u64..=5),
    ) -> Markets {
        let cross_border = vec![
            kv("delay_weight", delay.abs()),
            kv("culture_weight", culture.abs()),
            kv("live_relief", relief.0),
            kv("video_relief", relief.1),
            kv("payment_risk_weight", payment.0.abs()),
            kv("payment_retry", payment.1),
            kv("payment_trust_penalty", payment.2),
            kv("shipping", shipping),
            kv("return_hassle", returns.0.abs()),
            kv("reverse_cost_factor", returns.1.abs()),
            kv("return_regret", returns.2.abs()),
            kv("late_penalty", returns.3.abs()),
            kv("warehouse_share", warehouse_share),
            kv("warehouse_stock", warehouse_stock),
            kv("restock_days", restock_days),
            kv("warehouse_holding", holding.min(1000.0)),
        ];
        let search = vec![
            kv("intent_rate", rate),
            kv("intent_days", intent_days),
            kv("intent_bonus", bonus.clamp(-100.0, 100.0)),
            kv("share", share),
            kv("results", results),
            kv("weight_price", weight_price),
        ];
        let chats = vec![
            kv("per_community", per),
            kv("initial_members", members),
            kv("slots", slots),
            kv("service", service),
            kv("social_proof", proof.clamp(-100.0, 100.0)),
            kv("delivery_sd", delivery_sd),
        ];
        let forums = vec![
            kv("read", read),
            kv("affiliate_reward", reward),
            kv("moderation", moderation),
            kv("vendor_posts", vendors),
            kv("visible", visible),
            kv("max_age_days", age),
        ];
        Markets { markets, cross_border, events, search, chats, forums }
    }
}

/// One generated scenario, printed as its TOML.
#[derive(Clone)]
struct Case {
    toml: String,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\n{}", self.toml)
    }
}

/// Appends `[name]` and its keys.
fn table(t: &mut String, name: &str, keys: &[(&str, String)]) {
    let _ = writeln!(t, "[{name}]");
    for (k, v) in keys {
        let _ = writeln!(t, "{k} = {v}");
    }
}

/// A scenario; one case in four is a stress case.
fn case() -> impl Strategy<Value = Case> {
    let sections = |stress| {
        (
            world(),
            recommendation(stress),
            people(stress),
            merchants(stress),
            behaviour(stress),
            returns(stress),
            incentives(stress),
            dependent(stress),
            markets(stress),
        )
    };
    prop::bool::weighted(0.25)
        .prop_flat_map(move |stress| (Just(stress), sections(stress)))
        .prop_map(|(stress, sections)| {
            let (w, (rec, feed_size), people, merchants, mut behaviour, returns, inc, dep, mk) =
                sections;
            let mut t = String::new();
            if stress {
                t.push_str("# stress case: some values at the bounds of validation\n");
            }
            let days = w.days as f64;
            let run = [kv("name", "prop"), kv("seed", w.seed), kv("days", w.days)];
            table(&mut t, "run", &run);
            table(&mut t, "population", &w.population);
            table(&mut t, "graph", &w.graph);
            table(&mut t, "recommendation", &rec);
            table(&mut t, "consumers", &people.consumers);
            table(&mut t, "creators", &people.creators);
            table(&mut t, "hosts", &people.hosts);
            table(&mut t, "merchants", &merchants);
            behaviour.push(kv("churn_threshold", people.churn_threshold));
            table(&mut t, "behaviour", &behaviour);
            table(&mut t, "returns", &returns);
            for (name, keys) in &inc.tables {
                table(&mut t, name, keys);
            }
            // Coupons: the window starts before the horizon; the threshold is at least the value.
            let (value, over, start, len, frequency, budget, targeting, lapsed, boost) =
                dep.coupons;
            let coupons = [
                kv("value", value),
                kv("threshold", (value * (1.0 + over)).min(1e9)),
                kv("start_day", (start * (days - 1.0)) as u64),
                kv("days", len),
                kv("frequency", frequency),
                kv("budget", budget),
                kv("targeting", targeting),
                kv("lapsed_days", lapsed),
                kv("activity_boost", boost.abs()),
            ];
            table(&mut t, "coupons", &coupons);
            // Platform: ad slots below the feed size; commission + affiliate commission ≤ 1.
            let (commission, slots, ad_price, engage, premium_share, fee, discount) = dep.platform;
            let affiliate = people.affiliate_commission;
            let platform = [
                kv(
                    "commission_rate",
                    commission * (1.0 - affiliate) * (1.0 - 1e-9),
                ),
                kv(
                    "ad_slots",
                    ((slots * feed_size as f64) as u64).min(feed_size - 1),
                ),
                kv("ad_price", ad_price),
                kv("ad_engage_prob", engage),
                kv("premium_share", premium_share),
                kv("premium_fee", fee),
                kv("premium_discount", discount),
            ];
            table(&mut t, "platform", &platform);
            // Scandals: scheduled ones before the horizon, on a host or merchant that exists.
            table(&mut t, "scandals", &dep.scandals);
            for (day, host, target, id, severity) in dep.events {
                let host = host && w.hosts > 0;
                let target = match target {
                    0 => "\"top\"".to_string(),
                    1 => "\"random\"".to_string(),
                    _ if host => (w.creators + (id * w.hosts as f64) as u64).to_string(),
                    _ => ((id * w.merchants as f64) as u64).to_string(),
                };
                let event = [
                    kv("day", (day * days) as u64),
                    kv("kind", if host { "host" } else { "product" }),
                    ("target", target),
                    kv("severity", severity),
                ];
                table(&mut t, "[scandals.events]", &event);
            }
            // Markets: shares normalised to 1 (merchant shares all 0, or normalised too).
            table(&mut t, "cross_border", &mk.cross_border);
            table(&mut t, "search", &mk.search);
            table(&mut t, "chats", &mk.chats);
            table(&mut t, "forums", &mk.forums);
            let consumer_sum: f64 = mk.markets.iter().map(|m| m.0).sum();
            let merchant_sum: f64 = mk.markets.iter().map(|m| m.1).sum();
            for (k, m) in mk.markets.iter().enumerate() {
                let merchant_share = if merchant_sum > 0.0 {
                    m.1 / merchant_sum
                } else {
                    0.0
                };
                let market = [
                    kv("name", format!("m{k}").as_str()),
                    kv("consumer_share", m.0 / consumer_sum),
                    kv("merchant_share", merchant_share),
                    kv("culture", m.2),
                    kv("language", ["zh", "en", "es"][m.3 as usize]),
                    kv("postal_days", m.4),
                    kv("express_days", m.5),
                    kv("express_cost", m.6),
                    kv("payment_failure", m.7),
                    kv("duty", m.8),
                    kv("compliance_fixed", m.9),
                    kv("compliance_per_order", m.10),
                ];
                table(&mut t, "[markets]", &market);
            }
            // Festivals inside the horizon; a congested one from day 1.
            for (k, e) in mk.events.iter().enumerate() {
                let len = e.1.min(w.days as u64);
                let first = (e.0 * (w.days as u64 - len + 1) as f64) as u64;
                let congestion = e.6 && first >= 1;
                let event = [
                    kv("name", format!("f{k}").as_str()),
                    kv("day", first),
                    kv("days", len),
                    kv("visit_surge", e.2),
                    kv("intent_surge", e.3),
                    kv("reduction_threshold", e.4),
                    kv("reduction_value", e.4 * e.5 * 0.99),
                    kv("congestion", congestion),
                ];
                table(&mut t, "[calendar.events]", &event);
            }
            Case { toml: t }
        })
}

// ---------------------------------------------------------------------------------------
// The checks.
// ---------------------------------------------------------------------------------------

/// |a − b| within `REL` of `scale` (at least 1).
fn close(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= REL * scale.abs().max(a.abs()).max(b.abs()).max(1.0)
}

macro_rules! check_close {
    ($a:expr, $b:expr, $scale:expr, $($msg:tt)+) => {{
        let (a, b): (f64, f64) = ($a, $b);
        prop_assert!(close(a, b, $scale), "{}: {} vs {}", format!($($msg)+), a, b);
    }};
}

/// The flows that daily rows and the totals share, so that one function checks the
/// identities of both.
struct Flows {
    impressions: u64,
    engagements: u64,
    orders: u64,
    gross_gmv: f64,
    cancelled_orders: u64,
    cancelled_gmv: f64,
    delivered_orders: u64,
    returned_orders: u64,
    returned_gmv: f64,
    net_gmv: f64,
    in_transit_orders: u64,
    in_transit_gmv: f64,
    delivered_live_orders: u64,
    returned_live_orders: u64,
    insured_orders: u64,
    brushed_orders: u64,
    brushed_gmv: f64,
    coupon_orders: u64,
    platform_revenue: f64,
    revenue_commission: f64,
    revenue_insurance: f64,
    revenue_ads: f64,
    revenue_premium: f64,
    ad_impressions: u64,
    creator_income: f64,
}

macro_rules! flows_from {
    ($r:expr) => {
        Flows {
            impressions: $r.impressions,
            engagements: $r.engagements,
            orders: $r.orders,
            gross_gmv: $r.gross_gmv,
            cancelled_orders: $r.cancelled_orders,
            cancelled_gmv: $r.cancelled_gmv,
            delivered_orders: $r.delivered_orders,
            returned_orders: $r.returned_orders,
            returned_gmv: $r.returned_gmv,
            net_gmv: $r.net_gmv,
            in_transit_orders: $r.in_transit_orders,
            in_transit_gmv: $r.in_transit_gmv,
            delivered_live_orders: $r.delivered_live_orders,
            returned_live_orders: $r.returned_live_orders,
            insured_orders: $r.insured_orders,
            brushed_orders: $r.brushed_orders,
            brushed_gmv: $r.brushed_gmv,
            coupon_orders: $r.coupon_orders,
            platform_revenue: $r.platform_revenue,
            revenue_commission: $r.revenue_commission,
            revenue_insurance: $r.revenue_insurance,
            revenue_ads: $r.revenue_ads,
            revenue_premium: $r.revenue_premium,
            ad_impressions: $r.ad_impressions,
            creator_income: $r.creator_income,
        }
    };
}

/// Identities 1, 2 (the parts on flows), 3 (accepted orders against deliveries and
/// transit, per day as an inequality) and 4 (the parts that outputs show) of OUTPUTS.md, for
/// a daily row or the totals.
fn check_flows(f: &Flows, s: &Scenario, what: &str) -> Result<(), TestCaseError> {
    // 1. Net GMV.
    let scale = f.gross_gmv + f.returned_gmv + f.cancelled_gmv;
    check_close!(
        f.net_gmv,
        f.gross_gmv - f.returned_gmv - f.cancelled_gmv,
        scale,
        "{what}: net_gmv"
    );
    // 2. Counts.
    prop_assert!(f.cancelled_orders <= f.orders, "{what}: cancelled > orders");
    prop_assert!(
        f.returned_orders <= f.delivered_orders,
        "{what}: returned > delivered"
    );
    prop_assert!(
        f.engagements <= f.impressions,
        "{what}: engagements > impressions"
    );
    prop_assert!(
        f.returned_live_orders <= f.delivered_live_orders,
        "{what}: live returns"
    );
    prop_assert!(
        f.delivered_live_orders <= f.delivered_orders,
        "{what}: live deliveries"
    );
    prop_assert!(f.insured_orders <= f.delivered_orders, "{what}: insured");
    prop_assert!(
        f.brushed_orders <= f.cancelled_orders,
        "{what}: brushed orders"
    );
    prop_assert!(
        f.brushed_gmv <= f.cancelled_gmv * (1.0 + REL) + REL,
        "{what}: brushed gmv"
    );
    prop_assert!(
        f.in_transit_gmv <= f.gross_gmv * (1.0 + REL) + REL,
        "{what}: in-transit gmv"
    );
    let accepted = f.orders - f.cancelled_orders;
    prop_assert!(
        f.in_transit_orders <= accepted,
        "{what}: in transit > accepted"
    );
    prop_assert!(
        f.coupon_orders <= accepted,
        "{what}: coupon orders > accepted"
    );
    // 4. Money on deliveries.
    let pl = &s.platform;
    let parts = f.revenue_commission + f.revenue_insurance + f.revenue_ads + f.revenue_premium;
    check_close!(f.platform_revenue, parts, parts, "{what}: platform_revenue");
    let premium = s.returns.insurance_premium * f.insured_orders as f64;
    check_close!(
        f.revenue_insurance,
        premium,
        premium,
        "{what}: revenue_insurance"
    );
    let ads = pl.ad_price * f.ad_impressions as f64;
    check_close!(f.revenue_ads, ads, ads, "{what}: revenue_ads");
    // creator_income = affiliate · K_a ≤ affiliate · K, with revenue_commission = commission · K;
    // without ads and search every kept order was carried by an account, so K_a = K.
    let (a, c) = (s.creators.affiliate_commission, pl.commission_rate);
    let (income_k, commission_k) = (f.creator_income * c, f.revenue_commission * a);
    // Search, chat and forum orders belong to no account either.
    let searched = s.search.intent_rate > 0.0 && s.search.share > 0.0;
    let channels = s.chats.per_community > 0 || s.forums.read > 0.0;
    if pl.ad_slots == 0 && !searched && !channels {
        check_close!(
            income_k,
            commission_k,
            commission_k,
            "{what}: creator_income, no ads"
        );
    } else {
        prop_assert!(
            income_k <= commission_k * (1.0 + REL) + REL,
            "{what}: creator_income > affiliate · K"
        );
    }
    Ok(())
}

/// What only a daily row has: buyers, feed sizes, rates, revenue from members.
fn check_day(r: &DailyRow, s: &Scenario) -> Result<(), TestCaseError> {
    let what = format!("day {}", r.day);
    check_flows(&flows_from!(r), s, &what)?;
    prop_assert!(
        r.repeat_buyers <= r.unique_buyers,
        "{what}: repeat > unique buyers"
    );
    prop_assert!(
        r.unique_buyers <= r.orders - r.cancelled_orders,
        "{what}: buyers > accepted"
    );
    prop_assert!(
        r.impressions <= s.recommendation.feed_size * r.active_consumers,
        "{what}: feed size"
    );
    let premium = s.platform.premium_fee * r.premium_members as f64;
    check_close!(
        r.revenue_premium,
        premium,
        premium,
        "{what}: revenue_premium"
    );
    for (name, rate, num, den) in [
        (
            "repeat_purchase_rate",
            r.repeat_purchase_rate,
            r.repeat_buyers,
            r.unique_buyers,
        ),
        (
            "return_rate",
            r.return_rate,
            r.returned_orders,
            r.delivered_orders,
        ),
        (
            "live_return_rate",
            r.live_return_rate,
            r.returned_live_orders,
            r.delivered_live_orders,
        ),
    ] {
        let expected = if den > 0 {
            num as f64 / den as f64
        } else {
            0.0
        };
        prop_assert!(rate == expected, "{what}: {name}");
    }
    for (name, x) in [
        ("mean_platform_trust", r.mean_platform_trust),
        ("exposure_gini", r.exposure_gini),
        ("exposure_top1_share", r.exposure_top1_share),
        ("exposure_top10_share", r.exposure_top10_share),
        ("coverage", r.coverage),
        ("feed_diversity", r.feed_diversity),
        ("mean_engage_prob", r.mean_engage_prob),
        ("homogenization", r.homogenization),
    ] {
        prop_assert!((0.0..=1.0).contains(&x), "{what}: {name} = {x}");
    }
    prop_assert!(
        r.exposure_top1_share <= r.exposure_top10_share + 1e-12,
        "{what}: top shares"
    );
    prop_assert!(r.churned <= r.churned_total, "{what}: churned");
    Ok(())
}

/// Every number of a serialized output is finite (serde writes NaN and infinities as null);
/// nulls only where `allowed(path)`.
fn check_finite(
    v: &serde_json::Value,
    path: &str,
    allowed: &dyn Fn(&str) -> bool,
) -> Result<(), TestCaseError> {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                check_finite(x, &format!("{path}.{k}"), allowed)?;
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                check_finite(x, &format!("{path}[{i}]"), allowed)?;
            }
        }
        serde_json::Value::Number(n) => {
            prop_assert!(n.as_f64().is_some_and(f64::is_finite), "{path} = {n}");
        }
        serde_json::Value::Null => prop_assert!(allowed(path), "{path} is null (NaN or inf?)"),
        _ => {}
    }
    Ok(())
}

/// Nulls that OUTPUTS.md documents in summary.json.
fn documented_null(path: &str) -> bool {
    path == ".retention.retention_30d"
        // Without festivals.
        || path == ".gmv_per_mau"
        || path.ends_with(".tail")
        // A degree distribution with no tail to fit (a ring lattice: every degree 2).
        || path == ".graph.degree_tail"
        || path.starts_with(".scandals[")
            && [
                "followers_before",
                "followers_lost_share",
                "days_to_recover",
                "affected_buyers",
                "compensation_spend",
            ]
            .iter()
            .any(|f| path.ends_with(f))
}

fn run_case(case: &Case) -> Result<(), TestCaseError> {
    let s = parse_scenario("case", &case.toml, &[])
        .map_err(|e| TestCaseError::fail(format!("the generator made an invalid scenario: {e}")))?;
    let mut sim = Simulation::new(&s).map_err(|e| TestCaseError::fail(e.to_string()))?;
    sim.run(|_| {});
    // Identity 8 needs the consumers' follow counts.
    let cons = &sim.world().consumers;
    let slots = s.behaviour.max_follows as u64;
    let follow_slots: u64 = cons
        .follow_count
        .iter()
        .map(|&n| (n as u64).min(slots))
        .sum();
    let ring_overflowed = cons.follow_count.iter().any(|&n| n as u64 > slots);
    // Identity 10 needs the merchants' profits and states.
    let m = &sim.world().merchants;
    let merchant_profit = (0..m.len()).map(|k| m.profit_total[k]).sum::<f64>();
    let merchant_scale = (0..m.len()).map(|k| m.profit_total[k].abs()).sum::<f64>();
    let merchants_trading = m.active.iter().filter(|&&a| a).count() as u64;
    let merchants_exited = m.exited_day.iter().filter(|&&d| d != u32::MAX).count() as u64;
    let merchants_all = m.len() as u64;
    let out = sim.finish();
    let (daily, creators, summary) = (&out.daily, &out.creators, &out.summary);
    prop_assert_eq!(daily.len(), s.run.days as usize);

    // Every value is finite.
    for r in daily {
        check_finite(
            &serde_json::to_value(r).unwrap(),
            &format!("day {}", r.day),
            &|_| false,
        )?;
    }
    for c in creators {
        let allowed = |p: &str| p.ends_with(".exited_day") && c.active;
        check_finite(
            &serde_json::to_value(c).unwrap(),
            &format!("creator {}", c.id),
            &allowed,
        )?;
    }
    // The survey's shares are null exactly when there are no group chats (no respondents).
    let no_survey = summary.survey.respondents == 0;
    prop_assert_eq!(no_survey, s.chats.per_community == 0);
    check_finite(&serde_json::to_value(summary).unwrap(), "", &|p: &str| {
        documented_null(p) || no_survey && p.starts_with(".survey.")
    })?;

    // Every day.
    let t = &summary.totals;
    let mut pending = 0u64;
    let mut churned = 0u64;
    let mut active = summary.creators.initial;
    let mut trading = s.population.merchants;
    let size = s.group_buying.size;
    for r in daily {
        check_day(r, &s)?;
        let what = format!("day {}", r.day);
        // 3. Pending group orders: yesterday's + entered − formed − those of failed groups.
        let entered = pending + r.groups_opened + r.group_joins;
        let settled = entered.checked_sub(size * r.groups_formed + r.pending_group_orders);
        let failed =
            settled.ok_or_else(|| TestCaseError::fail(format!("{what}: pending orders")))?;
        prop_assert!(
            r.groups_failed <= failed && failed <= (size - 1) * r.groups_failed,
            "{what}: {failed} orders in {} failed groups",
            r.groups_failed
        );
        prop_assert!(
            r.pending_group_orders > 0 || r.pending_group_gmv == 0.0,
            "{what}: pending gmv"
        );
        pending = r.pending_group_orders;
        // 5. Creators.
        active = active + r.creator_entries - r.creator_exits;
        prop_assert_eq!(r.active_creators, active, "{}: active creators", what);
        // 10. Merchants.
        trading = trading + r.merchant_entries - r.merchant_exits;
        prop_assert_eq!(r.active_merchants, trading, "{}: active merchants", what);
        // 9. Churn.
        churned += r.churned;
        prop_assert_eq!(r.churned_total, churned, "{}: churned_total", what);
    }
    let last = daily.last().unwrap();

    // 11. Markets: each day's market rows add up to the daily row, fake orders aside.
    let m = s.markets.len().max(1);
    prop_assert_eq!(out.markets.len(), daily.len() * m);
    for (r, rows) in daily.iter().zip(out.markets.chunks(m)) {
        let what = format!("day {} markets", r.day);
        let count =
            |f: fn(&socsim::policy::markets::MarketRow) -> u64| -> u64 { rows.iter().map(f).sum() };
        type Pair = (
            &'static str,
            fn(&socsim::policy::markets::MarketRow) -> u64,
            u64,
        );
        let pairs: [Pair; 9] = [
            ("orders", |x| x.orders, r.orders - r.brushed_orders),
            (
                "cancelled_orders",
                |x| x.cancelled_orders,
                r.cancelled_orders - r.brushed_orders,
            ),
            (
                "active_consumers",
                |x| x.active_consumers,
                r.active_consumers,
            ),
            ("members", |x| x.members, r.members),
            (
                "delivered_orders",
                |x| x.delivered_orders,
                r.delivered_orders,
            ),
            ("returned_orders", |x| x.returned_orders, r.returned_orders),
            (
                "payment_failures",
                |x| x.payment_failures,
                r.payment_failures,
            ),
            (
                "cross_border_orders",
                |x| x.cross_border_orders,
                r.cross_border_orders,
            ),
            (
                "warehouse_stockouts",
                |x| x.warehouse_stockouts,
                r.warehouse_stockouts,
            ),
        ];
        for (name, column, daily) in pairs {
            prop_assert_eq!(count(column), daily, "{}: {}", what, name);
        }
        prop_assert!(
            r.payment_failures <= r.cancelled_orders,
            "{}: failures",
            what
        );
        let gross: f64 = rows.iter().map(|x| x.gross_gmv).sum();
        check_close!(
            gross,
            r.gross_gmv - r.brushed_gmv,
            r.gross_gmv,
            "market gross_gmv"
        );
        let net: f64 = rows.iter().map(|x| x.net_gmv).sum();
        check_close!(net, r.net_gmv, r.gross_gmv, "market net_gmv");
    }
    prop_assert_eq!(summary.gmv_per_mau.is_some(), !s.calendar.events.is_empty());

    // The totals: sums of the daily columns (the two pending levels: the last day's).
    check_flows(&flows_from!(t), &s, "totals")?;
    prop_assert!(
        t.groups_formed + t.groups_failed <= t.groups_opened,
        "groups settled > opened"
    );
    let totals = serde_json::to_value(t).unwrap();
    let rows: Vec<serde_json::Value> = daily
        .iter()
        .map(|r| serde_json::to_value(r).unwrap())
        .collect();
    for (k, v) in totals.as_object().unwrap() {
        let column = |r: &serde_json::Value| r[k].as_f64().unwrap();
        let expected = if k.starts_with("pending_group_") || k == "chat_members" {
            column(rows.last().unwrap())
        } else {
            rows.iter().map(column).sum::<f64>()
        };
        let scale = rows.iter().map(|r| column(r).abs()).sum::<f64>();
        check_close!(v.as_f64().unwrap(), expected, scale, "totals.{k}");
    }
    // 3. Orders: booked − cancelled = accepted = delivered + in transit = per buyer × buyers.
    let accepted = t.orders - t.cancelled_orders;
    prop_assert_eq!(
        accepted,
        t.delivered_orders + t.in_transit_orders,
        "accepted orders"
    );
    let b = &summary.buyers;
    let a = accepted as f64;
    check_close!(
        b.orders_per_buyer * b.buyers as f64,
        a,
        a,
        "orders_per_buyer × buyers"
    );
    prop_assert!(b.buyers <= accepted);
    prop_assert_eq!(t.pending_group_orders, last.pending_group_orders);
    // 5. Creators.
    let c = &summary.creators;
    prop_assert_eq!(
        c.entries,
        daily.iter().map(|r| r.creator_entries).sum::<u64>()
    );
    prop_assert_eq!(c.exits, daily.iter().map(|r| r.creator_exits).sum::<u64>());
    prop_assert_eq!(last.active_creators, c.active_at_end);
    prop_assert_eq!(c.active_at_end, c.initial + c.entries - c.exits);
    prop_assert_eq!(creators.len() as u64, c.initial + c.entries);
    prop_assert_eq!(
        creators.iter().filter(|r| r.active).count() as u64,
        c.active_at_end
    );
    prop_assert_eq!(
        creators.iter().filter(|r| r.exited_day.is_some()).count() as u64,
        c.exits
    );
    // 6. Exposure.
    let exposure: u64 = creators.iter().map(|r| r.exposure).sum();
    prop_assert_eq!(exposure, t.impressions);
    prop_assert_eq!(summary.exposure.total, t.impressions as f64);
    prop_assert_eq!(
        creators.iter().map(|r| r.engagements).sum::<u64>(),
        t.engagements
    );
    // 7. Income.
    let income: f64 = creators.iter().map(|r| r.income).sum();
    let paid = t.creator_income + t.support_spend;
    check_close!(income, paid, paid, "creators.csv income");
    check_close!(summary.income.total, paid, paid, "income.total");
    // 8. Followers.
    let followers: u64 = creators.iter().map(|r| r.followers as u64).sum();
    prop_assert_eq!(summary.followers.total, followers as f64);
    prop_assert_eq!(
        followers,
        follow_slots,
        "followers = Σ min(follow count, max_follows)"
    );
    prop_assert!(followers <= t.follows);
    let unfollowed = summary
        .scandals
        .iter()
        .any(|e| e.followers_lost_share.is_some_and(|x| x > 0.0));
    if !ring_overflowed && !unfollowed {
        prop_assert_eq!(followers, t.follows);
    }
    // 10. Merchants: the trading ones, the exits and entries, and the profit merchant by
    // merchant.
    let entries: u64 = daily.iter().map(|r| r.merchant_entries).sum();
    let exits: u64 = daily.iter().map(|r| r.merchant_exits).sum();
    prop_assert_eq!(merchants_all, s.population.merchants + entries);
    prop_assert_eq!(merchants_exited, exits);
    prop_assert_eq!(merchants_trading, last.active_merchants);
    check_close!(
        merchant_profit,
        // Warehouse holding cost is in the merchants' profit, not in `merchant_profit`.
        t.merchant_profit - t.warehouse_cost,
        merchant_scale,
        "Σ merchants' profit"
    );
    if s.merchants.exit_profit == f64::NEG_INFINITY {
        prop_assert_eq!(exits, 0);
    }
    // 9. Churn.
    prop_assert_eq!(last.churned_total, summary.retention.churned);
    let trust = summary.retention.final_mean_platform_trust;
    check_close!(
        last.mean_platform_trust,
        trust,
        1.0,
        "final mean platform trust"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn every_output_is_finite_and_every_identity_holds(case in case()) {
        run_case(&case)?;
    }
}
