//! Recommendation: candidate generation from pools, then ranking by an algorithm.
//!
//! A [`Recommender`] says how many candidates to draw from each pool ([`PoolMix`]) and how to
//! score a candidate from what the platform can see ([`Candidate`]: public statistics, never
//! the hidden true quality). The engine draws candidates, drops duplicates and exited
//! creators, scores the rest and keeps the best `feed_size` (ties broken by creator id).

mod pools;

pub use pools::DayPools;

use crate::scenario::Recommendation;

/// The built-in algorithms: `(name, one-line description)`.
pub const ALGORITHMS: &[(&str, &str)] = &[
    (
        "popularity",
        "rank by smoothed engagements (likes): the rich-get-richer loop",
    ),
    (
        "interest",
        "rank by cosine similarity of consumer interests and creator topics",
    ),
    (
        "random",
        "uniform exploration: candidates drawn uniformly, shown in random order",
    ),
    (
        "hybrid",
        "weighted pools; score mixes match, popularity, follows and engagement rate",
    ),
];

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

/// What the platform sees of one candidate for one consumer.
#[derive(Clone, Copy, Debug)]
pub struct Candidate {
    pub creator: u32,
    pub pool: Pool,
    pub is_host: bool,
    /// The host is live today.
    pub live: bool,
    /// The consumer follows this account.
    pub followed: bool,
    /// Cosine similarity of the consumer's interests and the creator's topic profile, in [0, 1].
    pub match_score: f32,
    /// Smoothed daily engagements ("likes").
    pub popularity: f32,
    /// ln(1 + popularity), precomputed once a day.
    pub log_popularity: f32,
    /// (engagements + 1) / (exposure + 20), over the whole run so far.
    pub engagement_rate: f32,
    pub followers: u32,
    /// Days since the creator's current item was posted.
    pub item_age_days: u32,
}

/// A recommendation algorithm. Implement this to plug in your own.
pub trait Recommender: Send + Sync {
    /// How candidates are drawn from the pools.
    fn pool_mix(&self) -> PoolMix;
    /// Higher is shown first. `noise` is a uniform draw in [0, 1) from the consumer's feed
    /// stream, for algorithms that randomise.
    fn score(&self, candidate: &Candidate, noise: f32) -> f32;
}

/// A mix with `main` taking `share` and the rest split between follows, live and explore.
fn mix_around(main: Pool, share: f64) -> PoolMix {
    let rest = (1.0 - share) / 3.0;
    let mut m = PoolMix {
        followed: rest,
        social: 0.0,
        interest: 0.0,
        popular: 0.0,
        live: rest,
        explore: rest,
    };
    match main {
        Pool::Popular => m.popular = share,
        Pool::Interest => m.interest = share,
        _ => unreachable!("only popularity and interest use mix_around"),
    }
    m
}

/// `popularity`: 65 % of candidates from the popular pool; score ln(1 + popularity).
pub struct Popularity;
impl Recommender for Popularity {
    fn pool_mix(&self) -> PoolMix {
        mix_around(Pool::Popular, 0.65)
    }
    fn score(&self, c: &Candidate, _noise: f32) -> f32 {
        c.log_popularity
    }
}

/// `interest`: 65 % of candidates from the interest pool; score = match.
pub struct Interest;
impl Recommender for Interest {
    fn pool_mix(&self) -> PoolMix {
        mix_around(Pool::Interest, 0.65)
    }
    fn score(&self, c: &Candidate, _noise: f32) -> f32 {
        c.match_score
    }
}

/// `random`: all candidates from the explore pool, in random order.
pub struct Random;
impl Recommender for Random {
    fn pool_mix(&self) -> PoolMix {
        PoolMix {
            followed: 0.0,
            social: 0.0,
            interest: 0.0,
            popular: 0.0,
            live: 0.0,
            explore: 1.0,
        }
    }
    fn score(&self, _c: &Candidate, noise: f32) -> f32 {
        noise
    }
}

/// `hybrid`: pools weighted by `pool_*`; score =
/// `weight_match·match + weight_popularity·ln(1+popularity) + weight_followed·followed
/// + weight_engagement_rate·engagement_rate`.
pub struct Hybrid {
    mix: PoolMix,
    w: [f32; 4],
}
impl Hybrid {
    pub fn new(r: &Recommendation) -> Hybrid {
        Hybrid {
            mix: PoolMix {
                followed: r.pool_followed,
                social: r.pool_social,
                interest: r.pool_interest,
                popular: r.pool_popular,
                live: r.pool_live,
                explore: r.pool_explore,
            },
            w: [
                r.weight_match as f32,
                r.weight_popularity as f32,
                r.weight_followed as f32,
                r.weight_engagement_rate as f32,
            ],
        }
    }
}
impl Recommender for Hybrid {
    fn pool_mix(&self) -> PoolMix {
        self.mix
    }
    fn score(&self, c: &Candidate, _noise: f32) -> f32 {
        self.w[0] * c.match_score
            + self.w[1] * c.log_popularity
            + self.w[2] * c.followed as u8 as f32
            + self.w[3] * c.engagement_rate
    }
}

/// The built-in algorithm named in the scenario (validated beforehand).
pub fn built_in(r: &Recommendation) -> Box<dyn Recommender> {
    match r.algorithm.as_str() {
        "popularity" => Box::new(Popularity),
        "interest" => Box::new(Interest),
        "random" => Box::new(Random),
        "hybrid" => Box::new(Hybrid::new(r)),
        other => unreachable!("algorithm {other} passed validation"),
    }
}
