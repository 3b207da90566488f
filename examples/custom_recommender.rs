//! An algorithm of your own, run through socsim's whole command line.
//!
//! This program registers a small learner under the name `example_learner` and then *is*
//! socsim: every command works, and every scenario, `--set`, sweep file and compare variant
//! may name `example_learner` in `recommendation.algorithm`:
//!
//! ```sh
//! cargo run --release --example custom_recommender -- list
//! cargo run --release --example custom_recommender -- compare baseline \
//!     --variant mine:recommendation.algorithm=example_learner --replicates 3
//! ```
//!
//! The learner ranks like the built-in hybrid (the `weight_*` and `pool_*` keys of
//! `[recommendation]`), with one change: instead of each account's raw engagement rate
//! (engagements per impression) it uses a rate it learns from the platform's impression log,
//! corrected for position bias. An account the feed keeps at the top collects engagements
//! because the top is where consumers look; counted per impression, that looks like appeal.
//! The learner assumes a position-based model, P(engage) = examined(position) × appeal(account),
//! and learns both factors:
//!
//! - examined(p): the engagement rate at position p over every impression so far, relative to
//!   the top position's (kept non-increasing). Better accounts are ranked higher, so this
//!   overstates the bias somewhat; a platform would measure it with randomised feeds.
//! - appeal(a) = (engagements + purchases + 1) / (Σ examined(p) over the account's
//!   impressions + 20): engagements per *examined* impression, with the prior of
//!   `Candidate::engagement_rate`; a purchase counts as one more engagement.
//!
//! It learns only in `end_of_day`, from `DayFeedback::log`, which it asks for with
//! `wants_impressions`; `score` reads only its arguments and `self`. The log comes in a fixed
//! order (consumer, then feed position) and the learner keeps its state in vectors indexed by
//! id, so a run is the same, bytes and all, with any number of threads.

use socsim::policy::recommend::{
    Candidate, ConsumerView, DayFeedback, PoolMix, Recommender, Registry,
};
use socsim::rng::StreamRng;
use socsim::scenario::{Override, Recommendation, parse_scenario};
use socsim::{RunOutput, Simulation};

/// The prior of an account's appeal: `PRIOR_ENGAGED` engagements in `PRIOR_EXAMINED`
/// examined impressions (that of `Candidate::engagement_rate`).
const PRIOR_ENGAGED: f64 = 1.0;
const PRIOR_EXAMINED: f64 = 20.0;

/// The hybrid's ranking with a position-debiased engagement rate, learned from the log.
pub struct ExampleLearner {
    pools: PoolMix,
    /// weight_match, weight_popularity, weight_followed, weight_engagement_rate.
    weights: [f32; 4],
    /// Per feed position: impressions and engagements so far.
    by_position: Vec<[u64; 2]>,
    /// Per position: the learned probability that an impression there is examined.
    examined: Vec<f64>,
    /// Per account (creator id): engagements plus purchases, and examined impressions.
    engaged: Vec<f64>,
    exposure: Vec<f64>,
    /// Per account: the learned appeal, read by `score`.
    appeal: Vec<f32>,
}

impl ExampleLearner {
    pub fn new(r: &Recommendation) -> ExampleLearner {
        ExampleLearner {
            pools: PoolMix::configured(r),
            weights: [
                r.weight_match as f32,
                r.weight_popularity as f32,
                r.weight_followed as f32,
                r.weight_engagement_rate as f32,
            ],
            by_position: Vec::new(),
            examined: Vec::new(),
            engaged: Vec::new(),
            exposure: Vec::new(),
            appeal: Vec::new(),
        }
    }

    /// The learned appeal of an account (the prior for one never shown).
    pub fn appeal(&self, creator: u32) -> f32 {
        self.appeal
            .get(creator as usize)
            .copied()
            .unwrap_or((PRIOR_ENGAGED / PRIOR_EXAMINED) as f32)
    }

    /// The learned examination probability of each feed position.
    pub fn examined(&self) -> &[f64] {
        &self.examined
    }
}

impl Recommender for ExampleLearner {
    fn pool_mix(&self) -> PoolMix {
        self.pools
    }

    fn score(&self, _consumer: &ConsumerView, c: &Candidate, _rng: &mut StreamRng) -> f32 {
        let w = &self.weights;
        w[0] * c.match_score
            + w[1] * c.log_popularity
            + w[2] * c.followed as u8 as f32
            + w[3] * self.appeal(c.creator)
    }

    fn wants_impressions(&self) -> bool {
        true
    }

    fn end_of_day(&mut self, day: &DayFeedback) {
        // 1. Position bias: engagement rate by position, relative to the top.
        for i in day.log {
            let p = i.position as usize;
            if p >= self.by_position.len() {
                self.by_position.resize(p + 1, [0, 0]);
            }
            self.by_position[p][0] += 1;
            self.by_position[p][1] += i.engaged as u64;
        }
        let rate = |[shown, engaged]: [u64; 2]| (engaged as f64 + 1.0) / (shown as f64 + 20.0);
        let top = self.by_position.first().map_or(1.0, |&c| rate(c));
        let mut last = 1.0f64;
        self.examined = self
            .by_position
            .iter()
            .map(|&c| {
                last = (rate(c) / top).clamp(0.01, last);
                last
            })
            .collect();
        // 2. Each account's engagements per examined impression.
        for i in day.log {
            let a = i.creator as usize;
            if a >= self.engaged.len() {
                self.engaged.resize(a + 1, 0.0);
                self.exposure.resize(a + 1, 0.0);
            }
            self.engaged[a] += i.engaged as u8 as f64 + i.purchased as u8 as f64;
            self.exposure[a] += self.examined[i.position as usize];
        }
        self.appeal = self
            .engaged
            .iter()
            .zip(&self.exposure)
            .map(|(e, x)| ((e + PRIOR_ENGAGED) / (x + PRIOR_EXAMINED)) as f32)
            .collect();
    }
}

/// socsim's algorithms plus this one, as `example_learner`.
pub fn registry() -> socsim::Result<Registry> {
    let mut registry = Registry::default();
    registry.register(
        "example_learner",
        "hybrid ranking with each account's engagement rate learned from the impression log, corrected for position bias (examples/custom_recommender.rs)",
        |r| Box::new(ExampleLearner::new(r)),
    )?;
    Ok(registry)
}

/// Through the library instead of the command line: a small world for 30 days with the
/// learner handed straight to the simulation (no registry needed).
pub fn run_example() -> socsim::Result<RunOutput> {
    let sets: Vec<Override> = [
        "run.days=30",
        "population.consumers=5000",
        "population.creators=300",
        "population.hosts=10",
        "population.merchants=200",
    ]
    .iter()
    .map(|s| Override::parse(s))
    .collect::<socsim::Result<_>>()?;
    let scenario = parse_scenario(
        "example",
        socsim::scenario::built_in("baseline").unwrap(),
        &sets,
    )?;
    let learner = ExampleLearner::new(&scenario.recommendation);
    let mut sim = Simulation::with_recommender(&scenario, Box::new(learner))?;
    sim.run(|_| {});
    Ok(sim.finish())
}

fn main() {
    match registry() {
        Ok(registry) => socsim::cli::main_with(registry),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
