//! Recommendation: candidate generation from pools, then ranking by an algorithm.
//!
//! A [`Recommender`] says how many candidates to draw from each pool ([`PoolMix`]), how to
//! score a candidate from what the platform can see (a [`ConsumerView`] and a [`Candidate`]:
//! the consumer's follows and history, the account's public statistics; never the hidden
//! true quality), and optionally how to re-rank the scored list ([`Recommender::rerank`]) and
//! what to learn at the end of each day ([`Recommender::end_of_day`]). The engine draws the
//! candidates, drops duplicates and exited accounts, scores the rest, sorts them (score
//! descending, creator id ascending) and hands them to `rerank`, which keeps `feed_size`.
//!
//! To plug in your own algorithm, implement the trait and either pass it to
//! [`crate::Simulation::with_recommender`], or register it by name in a [`Registry`] and run
//! socsim's command line with it ([`crate::cli::main_with`]), so that scenarios name it in
//! `recommendation.algorithm`; `examples/custom_recommender.rs` does the second.

mod builtin;
pub mod estimate;
mod pools;
pub mod registry;

pub use builtin::{
    Bandit, Diversity, FairExposure, Hybrid, Interest, Popularity, Random, RevenueAware, Social,
    Timeliness, built_in, recommender,
};
pub use registry::Registry;

/// A candidate with its score.
#[derive(Clone, Copy, Debug)]
pub struct Scored {
    pub score: f32,
    pub candidate: Candidate,
}
pub use pools::{DayPools, mean_popularity};

use crate::rng::StreamRng;
use crate::scenario::Algorithm;

/// The built-in algorithms: `(name, one-line description)`, in the order of
/// [`Algorithm::ALL`].
pub const ALGORITHMS: &[(&str, &str)] = &{
    let mut out = [("", ""); Algorithm::ALL.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = (Algorithm::ALL[i].name(), Algorithm::ALL[i].about());
        i += 1;
    }
    out
};

impl Algorithm {
    /// What the algorithm does, in one line (`socsim list`).
    pub const fn about(self) -> &'static str {
        match self {
            Algorithm::Popularity => {
                "rank by smoothed engagements (likes): the rich-get-richer loop"
            }
            Algorithm::Interest => {
                "rank by the match of the platform's estimate of the consumer's interests and the account's topics"
            }
            Algorithm::Social => "followed accounts and friends' latest follows first",
            Algorithm::Random => {
                "uniform exploration: candidates drawn uniformly, shown in random order"
            }
            Algorithm::Hybrid => {
                "weighted pools; score mixes match, popularity, follows and engagement rate"
            }
            Algorithm::Diversity => {
                "hybrid score, re-ranked by maximal marginal relevance over topics (mmr_lambda)"
            }
            Algorithm::FairExposure => {
                "hybrid relevance minus a penalty on recent exposure, plus a long-tail quota"
            }
            Algorithm::Timeliness => {
                "match and engagement rate, decayed by the age of the item (freshness_halflife_days)"
            }
            Algorithm::Bandit => {
                "Thompson sampling on each account's engagement rate, Beta(bandit_prior_*) prior"
            }
            Algorithm::RevenueAware => {
                "(1 - revenue_weight) x relevance + revenue_weight x expected commission"
            }
        }
    }
}

/// Where a candidate came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pool {
    /// An account the consumer follows (the social chain).
    Followed,
    /// The account a friend (a random social-graph neighbour) followed most recently.
    Social,
    /// A creator whose main topic the consumer is interested in.
    Interest,
    /// Drawn in proportion to popularity^exponent.
    Popular,
    /// A host live today, drawn in proportion to 1 + followers.
    Live,
    /// Uniform over active creators and hosts.
    Explore,
}

/// The share of candidates each pool supplies (need not sum to 1; they are normalised).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoolMix {
    pub followed: f64,
    pub social: f64,
    pub interest: f64,
    pub popular: f64,
    pub live: f64,
    pub explore: f64,
}

impl PoolMix {
    /// The pools of `[recommendation]` (its `pool_*` keys).
    pub fn configured(r: &crate::scenario::Recommendation) -> PoolMix {
        PoolMix {
            followed: r.pool_followed,
            social: r.pool_social,
            interest: r.pool_interest,
            popular: r.pool_popular,
            live: r.pool_live,
            explore: r.pool_explore,
        }
    }
    /// Cumulative thresholds in [0, 1] in the order of [`PoolMix::POOLS`].
    pub fn cumulative(&self) -> [f32; 6] {
        let w = [
            self.followed,
            self.social,
            self.interest,
            self.popular,
            self.live,
            self.explore,
        ];
        let total: f64 = w.iter().sum();
        let mut acc = 0.0;
        let mut out = [0f32; 6];
        for (o, x) in out.iter_mut().zip(w) {
            acc += x / total;
            *o = acc as f32;
        }
        out[5] = 1.0;
        out
    }
    /// The pools in the order of [`PoolMix::cumulative`].
    pub const POOLS: [Pool; 6] = [
        Pool::Followed,
        Pool::Social,
        Pool::Interest,
        Pool::Popular,
        Pool::Live,
        Pool::Explore,
    ];
}

/// What the platform knows of the consumer whose feed it builds.
#[derive(Clone, Copy, Debug)]
pub struct ConsumerView<'a> {
    pub id: u32,
    pub day: u32,
    /// Accounts the consumer follows (at most `behaviour.max_follows`).
    pub follows: &'a [u32],
    /// Orders placed so far and not cancelled.
    pub orders: u32,
    /// The last distinct merchants the consumer bought from, most recent last (`u32::MAX` = empty).
    pub recent_merchants: &'a [u32],
    /// The platform's estimate of the consumer's interests over topics (they sum to 1;
    /// uniform for a consumer it knows nothing of): [`estimate`]. The true interests are not
    /// in the view.
    pub interest: &'a [f32],
}

/// What the platform sees of one candidate for one consumer: public statistics only.
#[derive(Clone, Copy, Debug)]
pub struct Candidate {
    pub creator: u32,
    pub pool: Pool,
    pub is_host: bool,
    /// The host is live today.
    pub live: bool,
    /// The consumer follows this account.
    pub followed: bool,
    /// The account's main topic.
    pub topic: u32,
    /// How well the account matches the platform's estimate θ̂ of the consumer's interests
    /// ([`ConsumerView::interest`]): `Σ_t p_t · θ̂_t / max_s θ̂_s` over the account's topic
    /// profile p, in [0, 1] ([`estimate::matched`]); 1 for every account while the platform
    /// knows nothing of the consumer.
    pub match_score: f32,
    /// Smoothed daily engagements ("likes").
    pub popularity: f32,
    /// ln(1 + relative popularity), relative popularity being `popularity` over its mean
    /// among active accounts ([`mean_popularity`]; 1 = average): a score that does not
    /// change with the size of the world. Precomputed once a day.
    pub log_popularity: f32,
    /// (engagements + 1) / (impressions + 20), over the whole run so far.
    pub engagement_rate: f32,
    /// (orders placed through the account's items + 0.1) / (impressions + 20), over the whole
    /// run so far: the platform's estimate of the account's conversion rate.
    pub conversion_rate: f32,
    /// Impressions and engagements over the whole run so far.
    pub impressions: u64,
    pub engagements: u64,
    /// Smoothed daily exposure relative to the mean over active accounts (1 = average).
    pub relative_exposure: f32,
    pub followers: u32,
    /// Days since the account's current item was posted.
    pub item_age_days: u32,
    /// List price of the product the item links (0 for pure content): what a sale through it
    /// would earn the platform in commission, before the rate.
    pub item_price: f32,
}

/// One impression of an organic feed slot, as the platform logs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Impression {
    pub consumer: u32,
    pub creator: u32,
    /// The feed position, 0 = the top.
    pub position: u16,
    /// The consumer engaged with it (examined it and liked, commented or clicked).
    pub engaged: bool,
    /// The consumer decided to buy the item it linked (the order may still fail at booking,
    /// for want of stock).
    pub purchased: bool,
}

/// What happened today, handed to [`Recommender::end_of_day`].
#[derive(Clone, Copy, Debug)]
pub struct DayFeedback<'a> {
    pub day: u32,
    /// Impressions per account today (indexed by creator id).
    pub impressions: &'a [u32],
    /// Engagements per account today (indexed by creator id).
    pub engagements: &'a [u32],
    /// Every organic impression of the day, in consumer order and, for each consumer, in feed
    /// order; empty unless [`Recommender::wants_impressions`] says true (the log costs memory
    /// and time in proportion to the impressions).
    pub log: &'a [Impression],
}

/// A recommendation algorithm. Implement this to plug in your own.
///
/// `score` and `rerank` run in parallel for many consumers at once (hence `Sync`) and must
/// depend only on their arguments and on `self` as it was at the start of the day; draw any
/// randomness from `rng`, which is keyed by (seed, consumer, day), so results stay
/// deterministic.
pub trait Recommender: Send + Sync {
    /// How candidates are drawn from the pools.
    fn pool_mix(&self) -> PoolMix;
    /// Higher is shown first.
    fn score(&self, consumer: &ConsumerView, candidate: &Candidate, rng: &mut StreamRng) -> f32;
    /// Scores every candidate of a feed into `scores` (cleared first), in order: what the
    /// simulator calls, once a feed. The default calls [`Recommender::score`] for each, a
    /// static call inside the implementation, so a feed costs one dynamic call, not one a
    /// candidate. Override it only to score the batch some other way, with the same scores
    /// and the same draws from `rng` in the same order.
    fn score_all(
        &self,
        consumer: &ConsumerView,
        candidates: &[Candidate],
        scores: &mut Vec<f32>,
        rng: &mut StreamRng,
    ) {
        scores.clear();
        scores.extend(candidates.iter().map(|c| self.score(consumer, c, rng)));
    }
    /// Chooses the feed from `ranked` (sorted by score, best first) and leaves it, in display
    /// order, in `ranked`, at most `k` long. The default keeps the first `k`.
    fn rerank(&self, _consumer: &ConsumerView, ranked: &mut Vec<Scored>, k: usize) {
        ranked.truncate(k);
    }
    /// Whether [`Recommender::end_of_day`] needs the day's per-impression log
    /// ([`DayFeedback::log`]). The default, false, leaves it empty.
    fn wants_impressions(&self) -> bool {
        false
    }
    /// Called once after each day, before the next day's feeds are built.
    fn end_of_day(&mut self, _feedback: &DayFeedback) {}
}
