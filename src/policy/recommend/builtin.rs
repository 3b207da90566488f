//! The built-in algorithms. Each is a named variant of `recommendation.algorithm` whose
//! parameters are keys of `[recommendation]` (docs/SCENARIO.md).

use super::{Candidate, ConsumerView, Pool, PoolMix, Recommender, Scored};
use crate::rng::{StreamRng, unit_f32};
use crate::scenario::{Algorithm, AlgorithmName, Recommendation};
use rand_distr::{Beta, Distribution};

/// The hybrid relevance: `weight_match·match + weight_popularity·ln(1+relative popularity)
/// + weight_followed·followed + weight_engagement_rate·engagement_rate`.
#[derive(Clone, Copy, Debug)]
struct Relevance([f32; 4]);

impl Relevance {
    fn new(r: &Recommendation) -> Relevance {
        Relevance([
            r.weight_match as f32,
            r.weight_popularity as f32,
            r.weight_followed as f32,
            r.weight_engagement_rate as f32,
        ])
    }
    #[inline]
    fn of(&self, c: &Candidate) -> f32 {
        let w = &self.0;
        w[0] * c.match_score
            + w[1] * c.log_popularity
            + w[2] * c.followed as u8 as f32
            + w[3] * c.engagement_rate
    }
}

/// `popularity`: a share `popularity_share` of candidates from the popular pool, the rest
/// split between follows, live and explore; score ln(1 + relative popularity). With
/// `popularity_share = 1` it is the pure rich-get-richer loop: every candidate drawn in
/// proportion to (1 + relative popularity)^`popularity_exponent`, ranked by popularity.
pub struct Popularity {
    share: f64,
}
impl Popularity {
    pub fn new(r: &Recommendation) -> Popularity {
        Popularity {
            share: r.popularity_share,
        }
    }
}
impl Recommender for Popularity {
    fn pool_mix(&self) -> PoolMix {
        let rest = (1.0 - self.share) / 3.0;
        PoolMix {
            followed: rest,
            social: 0.0,
            interest: 0.0,
            popular: self.share,
            live: rest,
            explore: rest,
        }
    }
    fn score(&self, _: &ConsumerView, c: &Candidate, _: &mut StreamRng) -> f32 {
        c.log_popularity
    }
}

/// `interest`: 65 % of candidates from the interest pool, the rest split between follows
/// and exploration; score = match.
pub struct Interest;
impl Recommender for Interest {
    fn pool_mix(&self) -> PoolMix {
        PoolMix {
            followed: 0.175,
            social: 0.0,
            interest: 0.65,
            popular: 0.0,
            live: 0.0,
            explore: 0.175,
        }
    }
    fn score(&self, _: &ConsumerView, c: &Candidate, _: &mut StreamRng) -> f32 {
        c.match_score
    }
}

/// `social`: followed 45 %, friends' latest follows 35 %, live 10 %, explore 10 %;
/// score = followed + 0.5·(came from a friend) + match.
pub struct Social;
impl Recommender for Social {
    fn pool_mix(&self) -> PoolMix {
        PoolMix {
            followed: 0.45,
            social: 0.35,
            interest: 0.0,
            popular: 0.0,
            live: 0.1,
            explore: 0.1,
        }
    }
    fn score(&self, _: &ConsumerView, c: &Candidate, _: &mut StreamRng) -> f32 {
        c.followed as u8 as f32 + 0.5 * (c.pool == Pool::Social) as u8 as f32 + c.match_score
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
    fn score(&self, _: &ConsumerView, _: &Candidate, rng: &mut StreamRng) -> f32 {
        unit_f32(rng)
    }
}

/// `hybrid`: pools weighted by `pool_*`; score = the hybrid relevance.
pub struct Hybrid {
    mix: PoolMix,
    relevance: Relevance,
}
impl Hybrid {
    pub fn new(r: &Recommendation) -> Hybrid {
        Hybrid {
            mix: PoolMix::configured(r),
            relevance: Relevance::new(r),
        }
    }
}
impl Recommender for Hybrid {
    fn pool_mix(&self) -> PoolMix {
        self.mix
    }
    fn score(&self, _: &ConsumerView, c: &Candidate, _: &mut StreamRng) -> f32 {
        self.relevance.of(c)
    }
}

/// `diversity`: hybrid pools and relevance, re-ranked by maximal marginal relevance:
/// each slot takes the candidate maximising `λ·rel − (1−λ)·sim`, where rel is the score
/// rescaled to [0, 1] over the candidates and sim is 1 if an account of the same main topic
/// is already in the feed, else 0 (λ = `mmr_lambda`).
pub struct Diversity {
    hybrid: Hybrid,
    lambda: f32,
}
impl Diversity {
    pub fn new(r: &Recommendation) -> Diversity {
        Diversity {
            hybrid: Hybrid::new(r),
            lambda: r.mmr_lambda as f32,
        }
    }
}
impl Recommender for Diversity {
    fn pool_mix(&self) -> PoolMix {
        self.hybrid.mix
    }
    fn score(&self, v: &ConsumerView, c: &Candidate, rng: &mut StreamRng) -> f32 {
        self.hybrid.score(v, c, rng)
    }
    fn rerank(&self, _: &ConsumerView, ranked: &mut Vec<Scored>, k: usize) {
        let (lo, hi) = ranked
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), s| {
                (lo.min(s.score), hi.max(s.score))
            });
        let span = if hi > lo { hi - lo } else { 1.0 };
        let mut chosen: Vec<Scored> = Vec::with_capacity(k);
        while chosen.len() < k && !ranked.is_empty() {
            let mut best = 0;
            let mut best_value = f32::NEG_INFINITY;
            for (j, s) in ranked.iter().enumerate() {
                let sim = chosen
                    .iter()
                    .any(|c| c.candidate.topic == s.candidate.topic) as u8
                    as f32;
                let value = self.lambda * (s.score - lo) / span - (1.0 - self.lambda) * sim;
                // Strictly greater: ties go to the earlier (better-ranked) candidate.
                if value > best_value {
                    best_value = value;
                    best = j;
                }
            }
            chosen.push(ranked.remove(best));
        }
        *ranked = chosen;
    }
}

/// `fair_exposure`: candidates from a broad mix (interest 35 %, explore 35 %, followed 15 %,
/// live 10 %, popular 5 %); score = hybrid relevance − `fair_exposure_strength`·ln(1 +
/// relative exposure); then at least ⌈`long_tail_quota`·k⌉ slots go to long-tail accounts
/// (relative exposure below `long_tail_threshold`) when there are enough of them.
pub struct FairExposure {
    relevance: Relevance,
    strength: f32,
    quota: f64,
    threshold: f32,
}
impl FairExposure {
    pub fn new(r: &Recommendation) -> FairExposure {
        FairExposure {
            relevance: Relevance::new(r),
            strength: r.fair_exposure_strength as f32,
            quota: r.long_tail_quota,
            threshold: r.long_tail_threshold as f32,
        }
    }
}
impl Recommender for FairExposure {
    fn pool_mix(&self) -> PoolMix {
        PoolMix {
            followed: 0.15,
            social: 0.0,
            interest: 0.35,
            popular: 0.05,
            live: 0.1,
            explore: 0.35,
        }
    }
    fn score(&self, _: &ConsumerView, c: &Candidate, _: &mut StreamRng) -> f32 {
        self.relevance.of(c) - self.strength * c.relative_exposure.ln_1p()
    }
    fn rerank(&self, _: &ConsumerView, ranked: &mut Vec<Scored>, k: usize) {
        let quota = (self.quota * k as f64).ceil() as usize;
        let mut take = vec![false; ranked.len()];
        let mut taken = 0;
        for (j, s) in ranked.iter().enumerate() {
            if taken < quota.min(k) && s.candidate.relative_exposure < self.threshold {
                take[j] = true;
                taken += 1;
            }
        }
        for t in take.iter_mut() {
            if taken < k && !*t {
                *t = true;
                taken += 1;
            }
        }
        let mut j = 0;
        ranked.retain(|_| {
            j += 1;
            take[j - 1]
        });
    }
}

/// `timeliness`: hybrid pools; score = hybrid relevance · 0.5^(item age / `freshness_halflife_days`).
pub struct Timeliness {
    hybrid: Hybrid,
    halflife: f32,
}
impl Timeliness {
    pub fn new(r: &Recommendation) -> Timeliness {
        Timeliness {
            hybrid: Hybrid::new(r),
            halflife: r.freshness_halflife_days as f32,
        }
    }
}
impl Recommender for Timeliness {
    fn pool_mix(&self) -> PoolMix {
        self.hybrid.mix
    }
    fn score(&self, _: &ConsumerView, c: &Candidate, _: &mut StreamRng) -> f32 {
        let age = c.item_age_days.min(10_000) as f32;
        self.hybrid.relevance.of(c) * 0.5f32.powf(age / self.halflife)
    }
}

/// `bandit`: Thompson sampling. Each account's engagement rate has a Beta(α₀ + engagements,
/// β₀ + impressions − engagements) posterior (α₀, β₀ = `bandit_prior_alpha`,
/// `bandit_prior_beta`), updated with every day's counts; each candidate's score is one draw
/// from its posterior, so uncertain accounts get explored and proven ones exploited.
/// Candidates: explore 30 %, interest 25 %, popular 20 %, followed 15 %, live 10 %.
pub struct Bandit {
    alpha: f64,
    beta: f64,
}
impl Bandit {
    pub fn new(r: &Recommendation) -> Bandit {
        Bandit {
            alpha: r.bandit_prior_alpha,
            beta: r.bandit_prior_beta,
        }
    }
}
impl Recommender for Bandit {
    fn pool_mix(&self) -> PoolMix {
        PoolMix {
            followed: 0.15,
            social: 0.0,
            interest: 0.25,
            popular: 0.2,
            live: 0.1,
            explore: 0.3,
        }
    }
    fn score(&self, _: &ConsumerView, c: &Candidate, rng: &mut StreamRng) -> f32 {
        let e = c.engagements as f64;
        let misses = c.impressions.saturating_sub(c.engagements) as f64;
        let posterior = Beta::new(self.alpha + e, self.beta + misses).expect("positive parameters");
        posterior.sample(rng) as f32
    }
}

/// `revenue_aware`: hybrid pools and relevance, re-ranked by
/// `(1 − w) · relevance + w · expected commission`, w = `revenue_weight`, each rescaled to
/// [0, 1] over the candidates. The expected commission of an impression is the item's price
/// times the account's engagement rate (the commission rate is the same for every item, so it
/// drops out of the rescaling): what the platform expects to earn by showing it, before the
/// rate. The platform's temptation under a commission model: promote what pays.
pub struct RevenueAware {
    hybrid: Hybrid,
    weight: f32,
}
impl RevenueAware {
    pub fn new(r: &Recommendation) -> RevenueAware {
        RevenueAware {
            hybrid: Hybrid::new(r),
            weight: r.revenue_weight as f32,
        }
    }
}
impl Recommender for RevenueAware {
    fn pool_mix(&self) -> PoolMix {
        self.hybrid.pool_mix()
    }
    fn score(&self, v: &ConsumerView, c: &Candidate, rng: &mut StreamRng) -> f32 {
        self.hybrid.score(v, c, rng)
    }
    fn rerank(&self, _: &ConsumerView, ranked: &mut Vec<Scored>, k: usize) {
        let revenue = |s: &Scored| s.candidate.item_price * s.candidate.engagement_rate;
        let range = |f: &dyn Fn(&Scored) -> f32| {
            let (lo, hi) = ranked
                .iter()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), s| {
                    (lo.min(f(s)), hi.max(f(s)))
                });
            (lo, if hi > lo { hi - lo } else { 1.0 })
        };
        let (rel_lo, rel_span) = range(&|s: &Scored| s.score);
        let (rev_lo, rev_span) = range(&revenue);
        let w = self.weight;
        let value = |s: &Scored| {
            (1.0 - w) * (s.score - rel_lo) / rel_span + w * (revenue(s) - rev_lo) / rev_span
        };
        // A stable sort: ties keep the relevance order.
        ranked.sort_by(|a, b| value(b).total_cmp(&value(a)));
        ranked.truncate(k);
    }
}

/// The algorithm named in the scenario: a built-in one, or one registered in the installed
/// [`super::Registry`]; an error naming the key if it is neither.
pub fn recommender(r: &Recommendation) -> crate::Result<Box<dyn Recommender>> {
    let registry = super::registry::installed();
    let problem = |m| crate::Error::input("recommendation.algorithm", m);
    r.algorithm.check(registry).map_err(problem)?;
    Ok(match &r.algorithm {
        AlgorithmName::BuiltIn(a) => of(*a, r),
        AlgorithmName::Registered(name) => registry
            .build(name, r)
            .expect("a checked name is registered"),
    })
}

/// The algorithm named in the scenario, as [`recommender`]; for a name that is neither
/// built in nor registered, a stand-in that panics when used. [`crate::Simulation::new`]
/// never uses it: it validates the scenario first, which refuses that name.
pub fn built_in(r: &Recommendation) -> Box<dyn Recommender> {
    recommender(r).unwrap_or_else(|e| Box::new(Unregistered(e.to_string())))
}

/// A stand-in for an algorithm that is not registered (see [`built_in`]).
struct Unregistered(String);
impl Recommender for Unregistered {
    fn pool_mix(&self) -> PoolMix {
        panic!("{}", self.0)
    }
    fn score(&self, _: &ConsumerView, _: &Candidate, _: &mut StreamRng) -> f32 {
        panic!("{}", self.0)
    }
}

/// The built-in algorithm `a` with the settings of `[recommendation]`.
fn of(a: Algorithm, r: &Recommendation) -> Box<dyn Recommender> {
    match a {
        Algorithm::Popularity => Box::new(Popularity::new(r)),
        Algorithm::Interest => Box::new(Interest),
        Algorithm::Social => Box::new(Social),
        Algorithm::Random => Box::new(Random),
        Algorithm::Hybrid => Box::new(Hybrid::new(r)),
        Algorithm::Diversity => Box::new(Diversity::new(r)),
        Algorithm::FairExposure => Box::new(FairExposure::new(r)),
        Algorithm::Timeliness => Box::new(Timeliness::new(r)),
        Algorithm::Bandit => Box::new(Bandit::new(r)),
        Algorithm::RevenueAware => Box::new(RevenueAware::new(r)),
    }
}
