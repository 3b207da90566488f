//! Consumers who respond: every effect checked here passes through at least one consumer
//! decision downstream of the setting that causes it (an engagement, a visit, a purchase, a
//! return, a churn). Paired runs on seeds 1–3 (common random numbers); each test states its
//! tolerance.

use socsim::policy::recommend::{
    Candidate, ConsumerView, DayFeedback, PoolMix, Recommender, Scored, built_in,
};
use socsim::rng::StreamRng;
use socsim::scenario::{Override, built_in as scenario_text, parse_scenario};
use socsim::{RunOutput, Scenario, Simulation};

const SEEDS: [u64; 3] = [1, 2, 3];

/// A built-in scenario in a small world (20,000 consumers), with overrides.
fn small(name: &str, seed: u64, days: u32, extra: &[&str]) -> Scenario {
    let mut sets = vec![
        format!("run.days={days}"),
        "population.consumers=20000".into(),
        format!("run.seed={seed}"),
    ];
    sets.extend(extra.iter().map(|s| s.to_string()));
    let o: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    parse_scenario(name, scenario_text(name).unwrap(), &o).unwrap()
}

fn run_with(s: &Scenario, recommender: Box<dyn Recommender>) -> RunOutput {
    let mut sim = Simulation::with_recommender(s, recommender).unwrap();
    sim.run(|_| {});
    sim.finish()
}

/// The scenario's own algorithm with its feed shown in reverse order: the same items, the
/// worst-ranked at the top.
struct Reversed(Box<dyn Recommender>);

impl Recommender for Reversed {
    fn pool_mix(&self) -> PoolMix {
        self.0.pool_mix()
    }
    fn score(&self, consumer: &ConsumerView, candidate: &Candidate, rng: &mut StreamRng) -> f32 {
        self.0.score(consumer, candidate, rng)
    }
    fn rerank(&self, consumer: &ConsumerView, ranked: &mut Vec<Scored>, k: usize) {
        self.0.rerank(consumer, ranked, k);
        ranked.reverse();
    }
    fn end_of_day(&mut self, feedback: &DayFeedback) {
        self.0.end_of_day(feedback)
    }
}

/// Total engagements of a run in its own order and reversed, on one seed.
fn engagements_as_ranked_and_reversed(seed: u64, decay: &str) -> (f64, f64) {
    let s = small("baseline", seed, 30, &[decay]);
    let ranked = run_with(&s, built_in(&s.recommendation))
        .summary
        .totals
        .engagements;
    let reversed = run_with(&s, Box::new(Reversed(built_in(&s.recommendation))))
        .summary
        .totals
        .engagements;
    (ranked as f64, reversed as f64)
}

#[test]
fn engagement_falls_with_position_and_reversing_the_ranking_costs_engagement() {
    for seed in SEEDS {
        // Engagement rate by position over the run, from positions.csv's rows.
        let s = small("baseline", seed, 30, &[]);
        let out = run_with(&s, built_in(&s.recommendation));
        let k = (s.recommendation.feed_size - s.platform.ad_slots) as usize;
        let mut by = vec![[0u64; 2]; k];
        for r in &out.positions {
            by[r.position as usize - 1][0] += r.impressions;
            by[r.position as usize - 1][1] += r.engagements;
        }
        let rate: Vec<f64> = by.iter().map(|[i, e]| *e as f64 / *i as f64).collect();
        println!("seed {seed}: engagement rate by position {rate:.4?}");
        // Falls from the top, to the middle, to the bottom (by more than half each time).
        assert!(rate[0] > 2.0 * rate[k / 2 - 1] && rate[k / 2 - 1] > 2.0 * rate[k - 1]);
        // The positions add up to the day's totals.
        let total: u64 = by.iter().map(|x| x[1]).sum();
        assert_eq!(total, out.summary.totals.engagements);

        // Reversing the order costs engagement: at least 20 % with position bias; with
        // every position examined (decay 0) the same items are engaged with about as
        // often (within 3 %: the draws fall in another order).
        let (ranked, reversed) =
            engagements_as_ranked_and_reversed(seed, "behaviour.position_decay=0.5");
        let cost = 1.0 - reversed / ranked;
        let (ranked0, reversed0) =
            engagements_as_ranked_and_reversed(seed, "behaviour.position_decay=0");
        let cost0 = 1.0 - reversed0 / ranked0;
        println!(
            "seed {seed}: reversing costs {cost:.3} of engagements (decay 0.5), {cost0:.3} (decay 0)"
        );
        assert!(cost > 0.20, "reversing cost only {cost:.3}");
        assert!(
            cost0.abs() < 0.03,
            "without position bias reversing moved engagement by {cost0:.3}"
        );
    }
}
