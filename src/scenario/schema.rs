//! The scenario schema: every key a scenario file may hold, with its default. The world's
//! sections are defined here; each policy's section is defined, with its validation, in its
//! module under `src/policy/` and re-exported here.
//!
//! Each section is a struct with `deny_unknown_fields` and `default`, so a file names only
//! what it changes and a misspelt key is an error. `docs/SCENARIO.md` documents every key;
//! a test checks that the two agree.

use super::choice;
pub use crate::policy::brushing::Brushing;
pub use crate::policy::calendar::{Calendar, CalendarEvent};
pub use crate::policy::chats::Chats;
pub use crate::policy::coupons::Coupons;
pub use crate::policy::creator_support::CreatorSupport;
pub use crate::policy::forums::Forums;
pub use crate::policy::group_buying::GroupBuying;
pub use crate::policy::loyalty::Loyalty;
pub use crate::policy::markets::{CrossBorder, Market};
pub use crate::policy::returns::Returns;
pub use crate::policy::revenue::Platform;
pub use crate::policy::reviews::Reviews;
pub use crate::policy::scandals::{ScandalEvent, Scandals};
pub use crate::policy::search::Search;
pub use crate::policy::sharing::Sharing;
use serde::{Deserialize, Serialize};

/// A whole scenario: one policy world to simulate.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Scenario {
    /// `[[markets]]`: first, so that a resolved scenario writes `markets = []` before the
    /// sections.
    pub markets: Vec<Market>,
    pub run: Run,
    pub population: Population,
    pub graph: Graph,
    pub consumers: Consumers,
    pub creators: Creators,
    pub hosts: Hosts,
    pub merchants: Merchants,
    pub behaviour: Behaviour,
    pub recommendation: Recommendation,
    pub returns: Returns,
    pub brushing: Brushing,
    pub coupons: Coupons,
    pub loyalty: Loyalty,
    pub reviews: Reviews,
    pub sharing: Sharing,
    pub group_buying: GroupBuying,
    pub creator_support: CreatorSupport,
    pub scandals: Scandals,
    pub platform: Platform,
    pub cross_border: CrossBorder,
    pub calendar: Calendar,
    pub search: Search,
    pub chats: Chats,
    pub forums: Forums,
}

choice! {
    /// `cross_border.shipping`: how a cross-border order without warehouse stock travels.
    pub enum Shipping("shipping") {
        /// Post or express, whichever the consumer prefers (price against days).
        ConsumerChoice = "consumer_choice",
        /// Always by post.
        Postal = "postal",
        /// Always by express.
        Express = "express",
    }
}

choice! {
    /// `scandals.events[].kind`: what a scheduled scandal hits.
    pub enum ScandalKind("scandal kind") {
        /// A host (its account id).
        Host = "host",
        /// A merchant and its products (the merchant id).
        Product = "product",
    }
}

/// Who a scandal hits.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
#[serde(untagged)]
pub enum ScandalTarget {
    Id(u64),
    Name(TargetName),
}

choice! {
    /// A scandal target chosen by rule rather than by id.
    pub enum TargetName("target") {
        /// The host with the most followers, or the merchant with the most ratings.
        Top = "top",
        /// One drawn uniformly (from the active hosts, or from all merchants).
        Random = "random",
    }
}

/// Read by hand rather than derived (untagged), so that a wrong form gets a message in the
/// reference's words instead of serde's "did not match any variant".
impl<'de> Deserialize<'de> for ScandalTarget {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Target;
        impl serde::de::Visitor<'_> for Target {
            type Value = ScandalTarget;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                write!(
                    f,
                    "{}, or an id (a host's account id or a merchant id, a whole number ≥ 0)",
                    quoted()
                )
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ScandalTarget, E> {
                Ok(ScandalTarget::Id(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ScandalTarget, E> {
                u64::try_from(v)
                    .map(ScandalTarget::Id)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &self))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ScandalTarget, E> {
                TargetName::from_name(v)
                    .map(ScandalTarget::Name)
                    .ok_or_else(|| {
                        E::custom(format!("{v:?} is not a target; use {} or an id", quoted()))
                    })
            }
        }
        /// `"top", "random"`: the names, quoted.
        fn quoted() -> String {
            let names: Vec<String> = TargetName::NAMES.iter().map(|n| format!("{n:?}")).collect();
            names.join(", ")
        }
        d.deserialize_any(Target)
    }
}

/// `run.seed`: any unsigned 64-bit integer. TOML integers stop at 9223372036854775807, so a
/// larger seed is written (and read) as a string of digits, `seed = "18446744073709551615"`;
/// a smaller one is written as an integer, as before.
pub mod seed {
    use serde::de::{Error, Unexpected, Visitor};
    use serde::{Deserializer, Serializer};

    /// What a seed may be, in the reference's words.
    pub const EXPECTED: &str = "a whole number from 0 to 18446744073709551615 \
        (one above 9223372036854775807 in double quotes)";

    pub fn serialize<S: Serializer>(seed: &u64, s: S) -> Result<S::Ok, S::Error> {
        match i64::try_from(*seed) {
            Ok(i) => s.serialize_i64(i),
            Err(_) => s.serialize_str(&seed.to_string()),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_any(Seed)
    }

    /// For an optional seed (`seed` of a sweep file).
    pub fn deserialize_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        deserialize(d).map(Some)
    }

    struct Seed;
    impl Visitor<'_> for Seed {
        type Value = u64;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str(EXPECTED)
        }
        fn visit_u64<E: Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_i64<E: Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
        }
        fn visit_str<E: Error>(self, v: &str) -> Result<u64, E> {
            if !v.is_empty()
                && v.bytes().all(|b| b.is_ascii_digit())
                && let Ok(seed) = v.parse()
            {
                return Ok(seed);
            }
            Err(E::invalid_value(Unexpected::Str(v), &self))
        }
    }
}

choice! {
    /// `coupons.targeting`: who gets coupons.
    pub enum Targeting("targeting") {
        /// Every consumer.
        Everyone = "everyone",
        /// Consumers with no accepted order yet.
        New = "new",
        /// Consumers whose last order is `lapsed_days` or more days old.
        Lapsed = "lapsed",
        /// Consumers with at least one accepted order.
        PastBuyers = "past_buyers",
    }
}

/// `[run]`: name, seed, horizon.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Run {
    pub name: String,
    /// Any u64; see [`seed`] for how one above i64::MAX is written.
    #[serde(with = "seed")]
    pub seed: u64,
    pub days: u32,
}

impl Default for Run {
    fn default() -> Self {
        Run {
            name: "baseline".into(),
            seed: 42,
            days: 180,
        }
    }
}

/// `[population]`: how many of each.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Population {
    pub consumers: u64,
    pub creators: u64,
    pub hosts: u64,
    pub merchants: u64,
    pub products_per_merchant: u64,
    pub topics: u64,
}

impl Default for Population {
    fn default() -> Self {
        Population {
            consumers: 100_000,
            creators: 2_000,
            hosts: 100,
            merchants: 2_000,
            products_per_merchant: 5,
            topics: 8,
        }
    }
}

/// `[graph]`: the consumers' social graph.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Graph {
    pub kind: GraphKind,
    pub m: u64,
    pub k: u64,
    pub p_rewire: f64,
    pub blocks: u64,
    pub p_in: f64,
    pub p_out: f64,
    pub exponent: f64,
    pub min_degree: u64,
    pub path: String,
    pub communities: String,
}

impl Default for Graph {
    fn default() -> Self {
        Graph {
            kind: GraphKind::BarabasiAlbert,
            m: 3,
            k: 6,
            p_rewire: 0.1,
            blocks: 100,
            p_in: 0.01,
            p_out: 0.00001,
            exponent: 2.5,
            min_degree: 2,
            path: String::new(),
            communities: String::new(),
        }
    }
}

choice! {
    /// `graph.kind`: the generator of the social graph, or a file.
    pub enum GraphKind("graph kind") {
        /// Preferential attachment (`m`).
        BarabasiAlbert = "barabasi_albert",
        /// A rewired ring lattice (`k`, `p_rewire`).
        WattsStrogatz = "watts_strogatz",
        /// Communities (`blocks`, `p_in`, `p_out`).
        StochasticBlock = "stochastic_block",
        /// A power-law degree sequence (`exponent`, `min_degree`).
        Configuration = "configuration",
        /// A file of consumer-id pairs (`path`).
        EdgeList = "edge_list",
    }
}

/// `[consumers]`: how consumer attributes are drawn.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Consumers {
    pub interest_concentration: f64,
    pub topic_skew: f64,
    pub activity_mean: f64,
    pub activity_concentration: f64,
    pub price_sensitivity_mean: f64,
    pub price_sensitivity_sd: f64,
    pub impulsivity_mean: f64,
    pub impulsivity_concentration: f64,
    pub deal_seeking_mean: f64,
    pub deal_seeking_concentration: f64,
    pub initial_trust: f64,
    pub initial_share: f64,
    pub arrival_rate: f64,
    pub referral_join: f64,
}

impl Default for Consumers {
    fn default() -> Self {
        Consumers {
            interest_concentration: 0.3,
            topic_skew: 0.0,
            activity_mean: 0.5,
            activity_concentration: 4.0,
            price_sensitivity_mean: 1.0,
            price_sensitivity_sd: 0.25,
            impulsivity_mean: 0.3,
            impulsivity_concentration: 4.0,
            deal_seeking_mean: 0.3,
            deal_seeking_concentration: 2.0,
            initial_trust: 0.7,
            initial_share: 1.0,
            arrival_rate: 0.0,
            referral_join: 0.3,
        }
    }
}

/// `[creators]`: content creators' attributes, posting and lifecycle.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Creators {
    pub topic_concentration: f64,
    pub quality_mean: f64,
    pub quality_concentration: f64,
    pub posting_rate: f64,
    pub product_link_prob: f64,
    pub affiliates: u64,
    pub affiliate_commission: f64,
    pub motivation_median: f64,
    pub motivation_sigma: f64,
    pub exposure_halflife_days: f64,
    pub patience_days: u64,
    pub entry_rate: f64,
    pub income_weight: f64,
}

impl Default for Creators {
    fn default() -> Self {
        Creators {
            topic_concentration: 0.2,
            quality_mean: 0.5,
            quality_concentration: 5.0,
            posting_rate: 0.5,
            product_link_prob: 0.7,
            affiliates: 3,
            affiliate_commission: 0.05,
            motivation_median: 40.0,
            motivation_sigma: 0.8,
            exposure_halflife_days: 7.0,
            patience_days: 30,
            entry_rate: 2.0,
            income_weight: 10.0,
        }
    }
}

/// `[hosts]`: live-stream hosts (a host is also a creator; these keys add to `[creators]`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Hosts {
    pub live_prob: f64,
    pub charisma_mean: f64,
    pub charisma_concentration: f64,
    pub session_stock: u64,
    pub discount: f64,
    pub lineup: u64,
    pub live_hype: f64,
}

impl Default for Hosts {
    fn default() -> Self {
        Hosts {
            live_prob: 0.4,
            charisma_mean: 0.6,
            charisma_concentration: 5.0,
            session_stock: 100,
            discount: 0.2,
            lineup: 3,
            live_hype: 0.3,
        }
    }
}

/// `[merchants]`: merchants and their products.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Merchants {
    pub price_median: f64,
    pub price_sigma: f64,
    pub margin: f64,
    pub quality_mean: f64,
    pub quality_concentration: f64,
    pub advertised_inflation: f64,
    pub lead_time_min: u64,
    pub lead_time_max: u64,
    pub rating_prior_mean: f64,
    pub rating_prior_weight: f64,
    /// Smoothed daily profit under which a merchant loses heart; −∞ (the default): never.
    pub exit_profit: f64,
    pub patience_days: u64,
    pub profit_halflife_days: f64,
    pub entry_rate: f64,
}

impl Default for Merchants {
    fn default() -> Self {
        Merchants {
            price_median: 60.0,
            price_sigma: 0.8,
            margin: 0.35,
            quality_mean: 0.6,
            quality_concentration: 6.0,
            advertised_inflation: 0.1,
            lead_time_min: 1,
            lead_time_max: 5,
            rating_prior_mean: 3.5,
            rating_prior_weight: 5.0,
            exit_profit: f64::NEG_INFINITY,
            patience_days: 30,
            profit_halflife_days: 14.0,
            entry_rate: 0.0,
        }
    }
}

/// `[behaviour]`: the coefficients of engagement, follow, purchase, review, trust and churn.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Behaviour {
    pub engage_match: f64,
    pub engage_quality: f64,
    pub engage_trust: f64,
    pub engage_bias: f64,
    pub live_engage_boost: f64,
    pub follow_prob: f64,
    pub followed_trust_bonus: f64,
    pub max_follows: u64,
    pub purchase_match: f64,
    pub purchase_quality: f64,
    pub purchase_trust: f64,
    pub purchase_reputation: f64,
    pub purchase_discount: f64,
    pub purchase_loyalty: f64,
    pub deal_amplifier: f64,
    pub deal_reference: f64,
    pub purchase_threshold: f64,
    pub live_impulse: f64,
    pub scarcity_impulse: f64,
    pub max_orders_per_day: u64,
    pub review_prob: f64,
    pub rating_noise: f64,
    pub satisfaction_slope: f64,
    pub satisfaction_tolerance: f64,
    pub loyalty_rate: f64,
    pub trust_rate: f64,
    pub creator_trust_rate: f64,
    pub stockout_trust_penalty: f64,
    pub churn_threshold: f64,
    pub position_decay: f64,
    pub habit_rate: f64,
    pub visit_habit: f64,
    pub visit_trust: f64,
    pub visit_notification: f64,
    pub visit_content: f64,
    pub churn_hazard: f64,
    pub churn_trust: f64,
    pub expect_rating: f64,
    pub expect_experience: f64,
    pub satisfaction_level: f64,
    pub quality_reference: f64,
    pub visit_parcel: f64,
    pub weak_tie: f64,
    pub reference_rate: f64,
    pub satiation: f64,
    pub need_days: f64,
    pub churn_habit: f64,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            engage_match: 3.0,
            engage_quality: 2.0,
            engage_trust: 1.0,
            engage_bias: 5.2,
            live_engage_boost: 0.7,
            follow_prob: 0.1,
            followed_trust_bonus: 0.3,
            max_follows: 16,
            purchase_match: 1.5,
            purchase_quality: 1.0,
            purchase_trust: 1.0,
            purchase_reputation: 1.0,
            purchase_discount: 2.0,
            purchase_loyalty: 1.5,
            deal_amplifier: 3.0,
            deal_reference: 0.1,
            purchase_threshold: 3.0,
            live_impulse: 0.8,
            scarcity_impulse: 0.4,
            max_orders_per_day: 2,
            review_prob: 0.3,
            rating_noise: 0.5,
            satisfaction_slope: 5.0,
            satisfaction_tolerance: 0.25,
            loyalty_rate: 0.5,
            trust_rate: 0.1,
            creator_trust_rate: 0.02,
            stockout_trust_penalty: 0.05,
            churn_threshold: 0.35,
            position_decay: 0.5,
            habit_rate: 0.1,
            visit_habit: 1.0,
            visit_trust: 3.0,
            visit_notification: 1.0,
            visit_content: 0.5,
            churn_hazard: 0.002,
            churn_trust: 10.0,
            expect_rating: 0.5,
            expect_experience: 0.5,
            satisfaction_level: 3.0,
            quality_reference: 0.25,
            visit_parcel: 1.0,
            weak_tie: 0.5,
            reference_rate: 0.5,
            satiation: 2.0,
            need_days: 30.0,
            churn_habit: 3.0,
        }
    }
}

/// `[recommendation]`: the feed algorithm and its candidate pools.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Recommendation {
    pub algorithm: AlgorithmName,
    pub feed_size: u64,
    pub oversample: f64,
    pub pool_followed: f64,
    pub pool_social: f64,
    pub pool_interest: f64,
    pub pool_popular: f64,
    pub pool_live: f64,
    pub pool_explore: f64,
    pub popularity_exponent: f64,
    pub popularity_share: f64,
    pub popularity_halflife_days: f64,
    pub weight_match: f64,
    pub weight_popularity: f64,
    pub weight_followed: f64,
    pub weight_engagement_rate: f64,
    pub mmr_lambda: f64,
    pub fair_exposure_strength: f64,
    pub long_tail_quota: f64,
    pub long_tail_threshold: f64,
    pub freshness_halflife_days: f64,
    pub bandit_prior_alpha: f64,
    pub bandit_prior_beta: f64,
    pub homogenization_sample: u64,
    pub revenue_weight: f64,
    pub prior_impressions: f64,
    pub purchase_evidence: f64,
}

impl Default for Recommendation {
    fn default() -> Self {
        Recommendation {
            algorithm: AlgorithmName::BuiltIn(Algorithm::Hybrid),
            feed_size: 20,
            oversample: 1.5,
            pool_followed: 0.25,
            pool_social: 0.1,
            pool_interest: 0.3,
            pool_popular: 0.15,
            pool_live: 0.1,
            pool_explore: 0.1,
            popularity_exponent: 1.0,
            popularity_share: 0.65,
            popularity_halflife_days: 7.0,
            weight_match: 1.0,
            weight_popularity: 0.3,
            weight_followed: 0.5,
            weight_engagement_rate: 5.0,
            mmr_lambda: 0.7,
            fair_exposure_strength: 1.0,
            long_tail_quota: 0.25,
            long_tail_threshold: 0.5,
            freshness_halflife_days: 2.0,
            bandit_prior_alpha: 1.0,
            bandit_prior_beta: 10.0,
            homogenization_sample: 200,
            revenue_weight: 0.5,
            prior_impressions: 20.0,
            purchase_evidence: 5.0,
        }
    }
}

choice! {
    /// The built-in feed algorithms ([`crate::policy::recommend::built_in`]; one-line
    /// descriptions in [`crate::policy::recommend::ALGORITHMS`]).
    pub enum Algorithm("algorithm") {
        Popularity = "popularity",
        Interest = "interest",
        Social = "social",
        Random = "random",
        Hybrid = "hybrid",
        Diversity = "diversity",
        FairExposure = "fair_exposure",
        Timeliness = "timeliness",
        Bandit = "bandit",
        RevenueAware = "revenue_aware",
    }
}

/// `recommendation.algorithm`: a built-in algorithm, or one a program registered by name
/// ([`crate::policy::recommend::Registry`]). Read and written as its name; reading a name
/// that is neither a built-in nor registered in the installed registry is an error that
/// lists every accepted name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AlgorithmName {
    BuiltIn(Algorithm),
    /// The name of an algorithm of your own. [`AlgorithmName::parse`] and reading a scenario
    /// make this only of a registered name that is not a built-in's; a scenario built in code
    /// with another is refused by [`Scenario::validate`].
    Registered(String),
}

impl AlgorithmName {
    /// The name, as a file writes it.
    pub fn name(&self) -> &str {
        match self {
            AlgorithmName::BuiltIn(a) => a.name(),
            AlgorithmName::Registered(n) => n,
        }
    }

    /// The built-in algorithm, if it is one.
    pub fn built_in(&self) -> Option<Algorithm> {
        match self {
            AlgorithmName::BuiltIn(a) => Some(*a),
            AlgorithmName::Registered(_) => None,
        }
    }

    /// The algorithm of this name: a built-in one, or one registered in `registry`; else
    /// the message that lists every accepted name.
    pub fn parse(
        name: &str,
        registry: &crate::policy::recommend::Registry,
    ) -> Result<AlgorithmName, String> {
        if let Some(a) = Algorithm::from_name(name) {
            Ok(AlgorithmName::BuiltIn(a))
        } else if registry.contains(name) {
            Ok(AlgorithmName::Registered(name.to_string()))
        } else {
            Err(format!(
                "unknown algorithm {name:?}; choose {}",
                choice::one_of(&Self::names(registry))
            ))
        }
    }

    /// Whether `registry` has this algorithm (a built-in one always is); else why not.
    pub fn check(&self, registry: &crate::policy::recommend::Registry) -> Result<(), String> {
        match self {
            AlgorithmName::BuiltIn(_) => Ok(()),
            AlgorithmName::Registered(name) if Algorithm::from_name(name).is_some() => Err(
                format!("{name:?} is a built-in algorithm, not a registered one"),
            ),
            AlgorithmName::Registered(name) => Self::parse(name, registry).map(|_| ()),
        }
    }

    /// Every accepted name: the built-in algorithms, then those registered in `registry`.
    pub fn names(registry: &crate::policy::recommend::Registry) -> Vec<&str> {
        Algorithm::NAMES
            .iter()
            .copied()
            .chain(registry.names())
            .collect()
    }
}

impl From<Algorithm> for AlgorithmName {
    fn from(a: Algorithm) -> AlgorithmName {
        AlgorithmName::BuiltIn(a)
    }
}

impl PartialEq<Algorithm> for AlgorithmName {
    fn eq(&self, other: &Algorithm) -> bool {
        *self == AlgorithmName::BuiltIn(*other)
    }
}

impl std::fmt::Display for AlgorithmName {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for AlgorithmName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for AlgorithmName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use crate::policy::recommend::registry;
        struct Names;
        impl serde::de::Visitor<'_> for Names {
            type Value = AlgorithmName;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(&choice::one_of_quoted(&AlgorithmName::names(
                    registry::installed(),
                )))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<AlgorithmName, E> {
                AlgorithmName::parse(v, registry::installed()).map_err(E::custom)
            }
        }
        d.deserialize_str(Names)
    }
}
