//! Range and consistency checks on a typed scenario. Each failure names the key path.

use super::{GraphKind, Scenario};

/// The graph kinds the simulator can build (the names of [`GraphKind`]).
pub const GRAPH_KINDS: &[&str] = GraphKind::NAMES;

use super::check::*;

/// Whether `name` follows the rules of every name in a scenario: letters, digits, '-', '_'
/// or '.', not empty and not starting with '.'.
pub fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && !name.starts_with('.')
}

/// Why `name` cannot name an output folder (`run.name`, a sweep's `name`), if it cannot.
pub fn name_problem(name: &str) -> Option<String> {
    (!is_name(name)).then(|| {
        format!(
            "{name:?} must be a non-empty name of letters, digits, '-', '_' or '.', not starting with '.' (it names the output folder)"
        )
    })
}

/// Checks every key's range and the keys' consistency. `Err((key path, message))`.
pub fn validate(s: &Scenario) -> Result<(), (String, String)> {
    let p = &s.population;
    at_least("run.days", s.run.days as u64, 1)?;
    at_most("run.days", s.run.days as u64, 100_000)?;
    if let Some(problem) = name_problem(&s.run.name) {
        return fail("run.name", problem);
    }
    at_least("population.consumers", p.consumers, 2)?;
    at_most("population.consumers", p.consumers, u32::MAX as u64 / 2)?;
    at_least("population.creators", p.creators, 1)?;
    at_most("population.creators", p.creators, 10_000_000)?;
    at_most("population.hosts", p.hosts, 10_000_000)?;
    at_least("population.merchants", p.merchants, 1)?;
    at_most("population.merchants", p.merchants, 10_000_000)?;
    at_least(
        "population.products_per_merchant",
        p.products_per_merchant,
        1,
    )?;
    at_most(
        "population.products_per_merchant",
        p.products_per_merchant,
        1_000,
    )?;
    at_least("population.topics", p.topics, 1)?;
    at_most("population.topics", p.topics, 64)?;
    if p.merchants * p.products_per_merchant > u32::MAX as u64 / 2 {
        return fail(
            "population.products_per_merchant",
            "merchants × products_per_merchant exceeds 2^31 products",
        );
    }

    validate_graph(s)?;

    let c = &s.consumers;
    positive("consumers.interest_concentration", c.interest_concentration)?;
    non_negative("consumers.topic_skew", c.topic_skew)?;
    at_most_f("consumers.topic_skew", c.topic_skew, 10.0)?;
    open_unit("consumers.activity_mean", c.activity_mean)?;
    positive("consumers.activity_concentration", c.activity_concentration)?;
    non_negative("consumers.price_sensitivity_mean", c.price_sensitivity_mean)?;
    non_negative("consumers.price_sensitivity_sd", c.price_sensitivity_sd)?;
    open_unit("consumers.impulsivity_mean", c.impulsivity_mean)?;
    positive(
        "consumers.impulsivity_concentration",
        c.impulsivity_concentration,
    )?;
    open_unit("consumers.deal_seeking_mean", c.deal_seeking_mean)?;
    positive(
        "consumers.deal_seeking_concentration",
        c.deal_seeking_concentration,
    )?;
    probability("consumers.initial_trust", c.initial_trust)?;
    if !(c.initial_share > 0.0 && c.initial_share <= 1.0) {
        return fail(
            "consumers.initial_share",
            format!(
                "{}: the share of consumers on the platform on day 0 must be above 0 and at most 1",
                c.initial_share
            ),
        );
    }
    probability("consumers.arrival_rate", c.arrival_rate)?;
    probability("consumers.referral_join", c.referral_join)?;

    let k = &s.creators;
    positive("creators.topic_concentration", k.topic_concentration)?;
    open_unit("creators.quality_mean", k.quality_mean)?;
    positive("creators.quality_concentration", k.quality_concentration)?;
    probability("creators.posting_rate", k.posting_rate)?;
    probability("creators.product_link_prob", k.product_link_prob)?;
    at_least("creators.affiliates", k.affiliates, 1)?;
    at_most("creators.affiliates", k.affiliates, 64)?;
    probability("creators.affiliate_commission", k.affiliate_commission)?;
    non_negative("creators.motivation_median", k.motivation_median)?;
    non_negative("creators.motivation_sigma", k.motivation_sigma)?;
    positive("creators.exposure_halflife_days", k.exposure_halflife_days)?;
    at_least("creators.patience_days", k.patience_days, 1)?;
    non_negative("creators.entry_rate", k.entry_rate)?;
    non_negative("creators.income_weight", k.income_weight)?;
    s.creator_support.validate()?;
    crate::policy::markets::validate(s)?;
    s.calendar.validate(s)?;
    s.search.validate()?;
    s.chats.validate()?;
    s.forums.validate()?;
    if k.entry_rate > 100_000.0 {
        return fail(
            "creators.entry_rate",
            format!(
                "{} new creators a day is more than the 100,000 supported",
                k.entry_rate
            ),
        );
    }

    let h = &s.hosts;
    probability("hosts.live_prob", h.live_prob)?;
    open_unit("hosts.charisma_mean", h.charisma_mean)?;
    positive("hosts.charisma_concentration", h.charisma_concentration)?;
    at_least("hosts.session_stock", h.session_stock, 1)?;
    at_most("hosts.session_stock", h.session_stock, u32::MAX as u64)?;
    share_of_price("hosts.discount", h.discount)?;
    at_least("hosts.lineup", h.lineup, 1)?;
    at_most("hosts.lineup", h.lineup, 64)?;
    if h.lineup > k.affiliates {
        return fail(
            "hosts.lineup",
            format!(
                "{} exceeds creators.affiliates = {}: a host's lineup is drawn from its affiliated merchants",
                h.lineup, k.affiliates
            ),
        );
    }
    non_negative("hosts.live_hype", h.live_hype)?;

    let m = &s.merchants;
    positive("merchants.price_median", m.price_median)?;
    non_negative("merchants.price_sigma", m.price_sigma)?;
    share_of_price("merchants.margin", m.margin)?;
    open_unit("merchants.quality_mean", m.quality_mean)?;
    positive("merchants.quality_concentration", m.quality_concentration)?;
    non_negative("merchants.advertised_inflation", m.advertised_inflation)?;
    at_least("merchants.lead_time_min", m.lead_time_min, 1)?;
    at_most("merchants.lead_time_max", m.lead_time_max, 365)?;
    if m.lead_time_max < m.lead_time_min {
        return fail(
            "merchants.lead_time_max",
            format!(
                "{} is below merchants.lead_time_min = {}",
                m.lead_time_max, m.lead_time_min
            ),
        );
    }
    if !(1.0..=5.0).contains(&m.rating_prior_mean) {
        return fail(
            "merchants.rating_prior_mean",
            format!("{} must lie on the 1–5 star scale", m.rating_prior_mean),
        );
    }
    positive("merchants.rating_prior_weight", m.rating_prior_weight)?;
    // −∞ (the default) switches exit off; anything else is a money amount.
    if m.exit_profit != f64::NEG_INFINITY {
        finite("merchants.exit_profit", m.exit_profit)?;
        within(
            "merchants.exit_profit",
            m.exit_profit,
            -MONEY_MAX,
            MONEY_MAX,
            "a money amount a day (or -inf: no merchant exits)",
        )?;
    }
    at_least("merchants.patience_days", m.patience_days, 1)?;
    positive("merchants.profit_halflife_days", m.profit_halflife_days)?;
    non_negative("merchants.entry_rate", m.entry_rate)?;
    if m.entry_rate > 100_000.0 {
        return fail(
            "merchants.entry_rate",
            format!(
                "{} new merchants a day is more than the 100,000 supported",
                m.entry_rate
            ),
        );
    }
    // Product ids stay below 2^31 with the expected entrants and ample room for chance.
    let expected = p.merchants as f64 + m.entry_rate * s.run.days as f64;
    if (1.1 * expected + 1_000.0) * p.products_per_merchant as f64 > (u32::MAX / 2) as f64 {
        return fail(
            "merchants.entry_rate",
            format!(
                "{} new merchants a day for {} days on top of population.merchants = {} \
                 would exceed 2^31 products",
                m.entry_rate, s.run.days, p.merchants
            ),
        );
    }

    let b = &s.behaviour;
    for (key, v) in [
        ("behaviour.engage_match", b.engage_match),
        ("behaviour.engage_quality", b.engage_quality),
        ("behaviour.engage_trust", b.engage_trust),
        ("behaviour.engage_bias", b.engage_bias),
        ("behaviour.live_engage_boost", b.live_engage_boost),
        ("behaviour.purchase_match", b.purchase_match),
        ("behaviour.purchase_quality", b.purchase_quality),
        ("behaviour.purchase_trust", b.purchase_trust),
        ("behaviour.purchase_reputation", b.purchase_reputation),
        ("behaviour.purchase_discount", b.purchase_discount),
        ("behaviour.purchase_loyalty", b.purchase_loyalty),
        ("behaviour.deal_amplifier", b.deal_amplifier),
        ("behaviour.deal_reference", b.deal_reference),
        ("behaviour.purchase_threshold", b.purchase_threshold),
        ("behaviour.live_impulse", b.live_impulse),
        ("behaviour.scarcity_impulse", b.scarcity_impulse),
        ("behaviour.followed_trust_bonus", b.followed_trust_bonus),
    ] {
        finite(key, v)?;
    }
    probability("behaviour.follow_prob", b.follow_prob)?;
    at_least("behaviour.max_follows", b.max_follows, 1)?;
    at_most("behaviour.max_follows", b.max_follows, 1_000)?;
    at_most("behaviour.max_orders_per_day", b.max_orders_per_day, 1_000)?;
    probability("behaviour.review_prob", b.review_prob)?;
    non_negative("behaviour.rating_noise", b.rating_noise)?;
    non_negative("behaviour.satisfaction_slope", b.satisfaction_slope)?;
    finite("behaviour.satisfaction_tolerance", b.satisfaction_tolerance)?;
    probability("behaviour.loyalty_rate", b.loyalty_rate)?;
    probability("behaviour.trust_rate", b.trust_rate)?;
    probability("behaviour.creator_trust_rate", b.creator_trust_rate)?;
    probability("behaviour.stockout_trust_penalty", b.stockout_trust_penalty)?;
    probability("behaviour.churn_threshold", b.churn_threshold)?;
    non_negative("behaviour.position_decay", b.position_decay)?;
    probability("behaviour.habit_rate", b.habit_rate)?;
    for (key, v) in [
        ("behaviour.visit_habit", b.visit_habit),
        ("behaviour.visit_trust", b.visit_trust),
        ("behaviour.visit_notification", b.visit_notification),
        ("behaviour.visit_content", b.visit_content),
        ("behaviour.churn_trust", b.churn_trust),
    ] {
        finite(key, v)?;
    }
    probability("behaviour.churn_hazard", b.churn_hazard)?;
    probability("behaviour.expect_rating", b.expect_rating)?;
    probability("behaviour.expect_experience", b.expect_experience)?;
    non_negative("behaviour.satisfaction_level", b.satisfaction_level)?;
    probability("behaviour.quality_reference", b.quality_reference)?;
    finite("behaviour.visit_parcel", b.visit_parcel)?;
    probability("behaviour.weak_tie", b.weak_tie)?;
    probability("behaviour.reference_rate", b.reference_rate)?;
    non_negative("behaviour.satiation", b.satiation)?;
    at_most_f("behaviour.satiation", b.satiation, 1e3)?;
    positive("behaviour.need_days", b.need_days)?;
    at_most_f("behaviour.need_days", b.need_days, 1e6)?;
    finite("behaviour.churn_habit", b.churn_habit)?;
    at_most_f("behaviour.position_decay", b.position_decay, 10.0)?;
    if s.consumers.initial_trust <= b.churn_threshold {
        return fail(
            "consumers.initial_trust",
            format!(
                "{} must exceed behaviour.churn_threshold = {}, or every consumer starts out churned",
                s.consumers.initial_trust, b.churn_threshold
            ),
        );
    }

    validate_recommendation(s)?;

    s.returns.validate()?;
    s.coupons.validate(s)?;
    s.scandals.validate(s)?;
    s.loyalty.validate()?;
    s.reviews.validate()?;
    s.sharing.validate()?;
    s.group_buying.validate()?;
    s.brushing.validate()?;
    s.platform.validate(s)?;
    validate_magnitudes(s)
}

/// Most currency units one money amount of a scenario may be (a price, a fee, a reward).
pub const MONEY_MAX: f64 = 1e9;
/// Largest magnitude of a coefficient (a logit or utility weight, an added utility term).
pub const COEFFICIENT_MAX: f64 = 1e3;

/// `v` as a short number: `1e305` rather than 306 digits.
fn short(v: f64) -> String {
    if v != 0.0 && !(1e-4..1e6).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

fn within(path: &str, v: f64, min: f64, max: f64, what: &str) -> Check {
    if (min..=max).contains(&v) {
        Ok(())
    } else if min == 0.0 {
        fail(
            path,
            format!(
                "{} is too large: {what} must be at most {}",
                short(v),
                short(max)
            ),
        )
    } else {
        fail(
            path,
            format!(
                "{} is out of range: {what} must lie in [{}, {}]",
                short(v),
                short(min),
                short(max)
            ),
        )
    }
}

/// Upper bounds on money amounts and multipliers. Within them every quantity the simulator
/// computes stays finite (in 32-bit floats where it computes in them), so valid input never
/// yields an infinite or NaN result. SCENARIO.md states each bound beside its key.
fn validate_magnitudes(s: &Scenario) -> Check {
    for (key, v) in [
        ("merchants.price_median", s.merchants.price_median),
        ("returns.insurance_premium", s.returns.insurance_premium),
        ("coupons.value", s.coupons.value),
        ("coupons.threshold", s.coupons.threshold),
        ("reviews.reward", s.reviews.reward),
        ("sharing.reward", s.sharing.reward),
        ("scandals.compensation", s.scandals.compensation),
        (
            "creator_support.reward_per_impression",
            s.creator_support.reward_per_impression,
        ),
        ("platform.ad_price", s.platform.ad_price),
        ("platform.premium_fee", s.platform.premium_fee),
    ] {
        within(key, v, 0.0, MONEY_MAX, "a money amount")?;
    }
    let (b, r, rec) = (&s.behaviour, &s.returns, &s.recommendation);
    for (key, v) in [
        (
            "consumers.price_sensitivity_mean",
            s.consumers.price_sensitivity_mean,
        ),
        (
            "consumers.price_sensitivity_sd",
            s.consumers.price_sensitivity_sd,
        ),
        ("behaviour.engage_match", b.engage_match),
        ("behaviour.engage_quality", b.engage_quality),
        ("behaviour.engage_trust", b.engage_trust),
        ("behaviour.engage_bias", b.engage_bias),
        ("behaviour.live_engage_boost", b.live_engage_boost),
        ("behaviour.followed_trust_bonus", b.followed_trust_bonus),
        ("behaviour.purchase_match", b.purchase_match),
        ("behaviour.purchase_quality", b.purchase_quality),
        ("behaviour.purchase_trust", b.purchase_trust),
        ("behaviour.purchase_reputation", b.purchase_reputation),
        ("behaviour.purchase_discount", b.purchase_discount),
        ("behaviour.deal_amplifier", b.deal_amplifier),
        ("behaviour.deal_reference", b.deal_reference),
        ("behaviour.purchase_loyalty", b.purchase_loyalty),
        ("behaviour.purchase_threshold", b.purchase_threshold),
        ("behaviour.live_impulse", b.live_impulse),
        ("behaviour.scarcity_impulse", b.scarcity_impulse),
        ("behaviour.rating_noise", b.rating_noise),
        ("behaviour.satisfaction_slope", b.satisfaction_slope),
        ("behaviour.satisfaction_tolerance", b.satisfaction_tolerance),
        ("recommendation.weight_match", rec.weight_match),
        ("recommendation.weight_popularity", rec.weight_popularity),
        ("recommendation.weight_followed", rec.weight_followed),
        (
            "recommendation.weight_engagement_rate",
            rec.weight_engagement_rate,
        ),
        (
            "recommendation.fair_exposure_strength",
            rec.fair_exposure_strength,
        ),
        ("returns.base", r.base),
        ("returns.expectation_gap", r.expectation_gap),
        ("returns.impulse", r.impulse),
        ("returns.free_returns_effect", r.free_returns_effect),
        ("returns.hassle", r.hassle),
        ("returns.restocking_fee_effect", r.restocking_fee_effect),
        ("coupons.activity_boost", s.coupons.activity_boost),
        ("scandals.return_effect", s.scandals.return_effect),
        ("scandals.purchase_aversion", s.scandals.purchase_aversion),
        ("reviews.reward_bias", s.reviews.reward_bias),
        ("sharing.share_bonus", s.sharing.share_bonus),
        (
            "group_buying.invitation_bonus",
            s.group_buying.invitation_bonus,
        ),
    ] {
        within(key, v, -COEFFICIENT_MAX, COEFFICIENT_MAX, "a coefficient")?;
    }
    let h = &s.hosts;
    within("hosts.live_hype", h.live_hype, 0.0, 10.0, "it")?;
    let m = &s.merchants;
    within("merchants.price_sigma", m.price_sigma, 0.0, 5.0, "it")?;
    let w = m.rating_prior_weight;
    within("merchants.rating_prior_weight", w, 0.0, 1e6, "it")?;
    let w = s.creators.income_weight;
    within("creators.income_weight", w, 0.0, 1e6, "it")?;
    let d = s.consumers.deal_seeking_mean;
    if d < 1e-6 {
        return fail(
            "consumers.deal_seeking_mean",
            format!("{} is too small: it must be at least 1e-6", short(d)),
        );
    }
    Ok(())
}

fn validate_graph(s: &Scenario) -> Check {
    let g = &s.graph;
    let n = s.population.consumers;
    match g.kind {
        GraphKind::BarabasiAlbert => {
            at_least("graph.m", g.m, 1)?;
            if g.m >= n {
                return fail(
                    "graph.m",
                    format!(
                        "{} must be below population.consumers = {n}: each new consumer links to m earlier ones",
                        g.m
                    ),
                );
            }
        }
        GraphKind::WattsStrogatz => {
            at_least("graph.k", g.k, 2)?;
            if g.k % 2 == 1 || g.k >= n {
                return fail(
                    "graph.k",
                    format!(
                        "{} must be even and below population.consumers = {n} (each consumer links to k/2 neighbours on each side)",
                        g.k
                    ),
                );
            }
            probability("graph.p_rewire", g.p_rewire)?;
        }
        GraphKind::StochasticBlock => {
            at_least("graph.blocks", g.blocks, 1)?;
            if g.blocks > n {
                return fail(
                    "graph.blocks",
                    format!("{} exceeds population.consumers = {n}", g.blocks),
                );
            }
            probability("graph.p_in", g.p_in)?;
            probability("graph.p_out", g.p_out)?;
            // Expected edges must fit in memory: refuse more than 2^31 edges.
            let size = n as f64 / g.blocks as f64;
            let expected = 0.5 * n as f64 * (size * g.p_in + (n as f64 - size) * g.p_out);
            if expected > 2e9 {
                return fail(
                    "graph.p_in",
                    format!("p_in and p_out give about {expected:.3e} edges; at most 2e9 fit"),
                );
            }
        }
        GraphKind::Configuration => {
            if !(g.exponent > 1.0 && g.exponent.is_finite()) {
                return fail(
                    "graph.exponent",
                    format!(
                        "{} must be above 1 for a power-law degree distribution",
                        g.exponent
                    ),
                );
            }
            at_least("graph.min_degree", g.min_degree, 1)?;
            if g.min_degree >= n {
                return fail(
                    "graph.min_degree",
                    format!("{} must be below population.consumers = {n}", g.min_degree),
                );
            }
        }
        GraphKind::EdgeList => {
            if g.path.is_empty() {
                return fail(
                    "graph.path",
                    format!(
                        "graph.kind = \"{}\" needs graph.path, the file of consumer-id pairs",
                        g.kind
                    ),
                );
            }
        }
    }
    Ok(())
}

fn validate_recommendation(s: &Scenario) -> Check {
    let r = &s.recommendation;
    // A scenario built in code may name an algorithm that no registry of this process
    // holds; reading a file never does.
    r.algorithm
        .check(crate::policy::recommend::registry::installed())
        .map_err(|m| ("recommendation.algorithm".to_string(), m))?;
    at_least("recommendation.feed_size", r.feed_size, 1)?;
    at_most("recommendation.feed_size", r.feed_size, 200)?;
    if !(1.0..=10.0).contains(&r.oversample) {
        return fail(
            "recommendation.oversample",
            format!(
                "{} must lie in [1, 10]: candidates drawn per feed slot",
                r.oversample
            ),
        );
    }
    let pools = [
        ("recommendation.pool_followed", r.pool_followed),
        ("recommendation.pool_social", r.pool_social),
        ("recommendation.pool_interest", r.pool_interest),
        ("recommendation.pool_popular", r.pool_popular),
        ("recommendation.pool_live", r.pool_live),
        ("recommendation.pool_explore", r.pool_explore),
    ];
    for (key, v) in pools {
        non_negative(key, v)?;
    }
    if pools.iter().map(|(_, v)| v).sum::<f64>() <= 0.0 {
        return fail(
            "recommendation.pool_explore",
            "the pool weights are all zero: at least one pool must supply candidates",
        );
    }
    non_negative("recommendation.popularity_exponent", r.popularity_exponent)?;
    probability("recommendation.popularity_share", r.popularity_share)?;
    if r.popularity_exponent > 20.0 {
        return fail(
            "recommendation.popularity_exponent",
            format!("{} must be at most 20", r.popularity_exponent),
        );
    }
    positive(
        "recommendation.popularity_halflife_days",
        r.popularity_halflife_days,
    )?;
    probability("recommendation.mmr_lambda", r.mmr_lambda)?;
    non_negative(
        "recommendation.fair_exposure_strength",
        r.fair_exposure_strength,
    )?;
    probability("recommendation.long_tail_quota", r.long_tail_quota)?;
    positive("recommendation.long_tail_threshold", r.long_tail_threshold)?;
    positive(
        "recommendation.freshness_halflife_days",
        r.freshness_halflife_days,
    )?;
    positive("recommendation.bandit_prior_alpha", r.bandit_prior_alpha)?;
    positive("recommendation.bandit_prior_beta", r.bandit_prior_beta)?;
    probability("recommendation.revenue_weight", r.revenue_weight)?;
    positive("recommendation.prior_impressions", r.prior_impressions)?;
    non_negative("recommendation.purchase_evidence", r.purchase_evidence)?;
    at_most(
        "recommendation.homogenization_sample",
        r.homogenization_sample,
        2_000,
    )?;
    for (key, v) in [
        ("recommendation.weight_match", r.weight_match),
        ("recommendation.weight_popularity", r.weight_popularity),
        ("recommendation.weight_followed", r.weight_followed),
        (
            "recommendation.weight_engagement_rate",
            r.weight_engagement_rate,
        ),
    ] {
        finite(key, v)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of(mut s: Scenario, f: impl FnOnce(&mut Scenario)) -> String {
        f(&mut s);
        validate(&s).expect_err("should fail").0
    }

    #[test]
    fn defaults_are_valid() {
        validate(&Scenario::default()).unwrap();
    }

    #[test]
    fn impossible_values_name_their_key() {
        let d = Scenario::default;
        assert_eq!(
            path_of(d(), |s| s.behaviour.review_prob = 1.2),
            "behaviour.review_prob"
        );
        assert_eq!(
            path_of(d(), |s| {
                s.population.consumers = 5;
                s.graph.m = 5
            }),
            "graph.m"
        );
        assert_eq!(
            path_of(d(), |s| s.graph.kind = GraphKind::EdgeList),
            "graph.path"
        );
        assert_eq!(
            path_of(d(), |s| {
                s.graph.kind = GraphKind::WattsStrogatz;
                s.graph.k = 3
            }),
            "graph.k"
        );
        assert_eq!(
            path_of(d(), |s| s.merchants.lead_time_max = 0),
            "merchants.lead_time_max"
        );
        assert_eq!(path_of(d(), |s| s.run.name = "../x".into()), "run.name");
        assert_eq!(path_of(d(), |s| s.run.days = 0), "run.days");
        for (key, f) in [
            (
                "merchants.exit_profit",
                (|s: &mut Scenario| s.merchants.exit_profit = f64::NAN) as fn(&mut Scenario),
            ),
            ("merchants.exit_profit", |s| s.merchants.exit_profit = 2e9),
            ("merchants.exit_profit", |s| {
                s.merchants.exit_profit = f64::INFINITY
            }),
            ("merchants.patience_days", |s| s.merchants.patience_days = 0),
            ("merchants.profit_halflife_days", |s| {
                s.merchants.profit_halflife_days = 0.0
            }),
            ("merchants.entry_rate", |s| s.merchants.entry_rate = -1.0),
            ("merchants.entry_rate", |s| s.merchants.entry_rate = 1e6),
            ("merchants.entry_rate", |s| {
                s.merchants.entry_rate = 50_000.0;
                s.run.days = 100_000
            }),
        ] {
            assert_eq!(path_of(d(), f), key);
        }
        let mut ok = d();
        ok.merchants.exit_profit = -5.0;
        validate(&ok).unwrap();
        for skew in [-0.5, 10.5, f64::NAN, f64::INFINITY] {
            assert_eq!(
                path_of(d(), |s| s.consumers.topic_skew = skew),
                "consumers.topic_skew"
            );
        }
    }
}
