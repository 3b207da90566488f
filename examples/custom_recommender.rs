//! A recommender of your own, plugged into the simulator through the library.
//!
//! "Rising stars": candidates come mostly from the consumer's interests and from
//! exploration; the score is the interest match plus a boost for accounts that have had few
//! impressions so far, fading as they are seen. Everything it reads is public: the
//! consumer's follows and the candidates' statistics, never their hidden quality.
//!
//! cargo run --release --example custom_recommender

use socsim::policy::recommend::{Candidate, ConsumerView, PoolMix, Recommender};
use socsim::rng::StreamRng;
use socsim::scenario::{Override, parse_scenario};
use socsim::{RunOutput, Simulation};

/// Interest match, plus `boost` for newcomers, halved every `halving` impressions.
struct RisingStars {
    boost: f32,
    halving: f32,
}

impl Recommender for RisingStars {
    fn pool_mix(&self) -> PoolMix {
        PoolMix {
            followed: 0.2,
            social: 0.05,
            interest: 0.4,
            popular: 0.05,
            live: 0.1,
            explore: 0.2,
        }
    }

    fn score(&self, _consumer: &ConsumerView, c: &Candidate, _rng: &mut StreamRng) -> f32 {
        let newness = 0.5f32.powf(c.impressions as f32 / self.halving);
        c.match_score + 0.3 * c.followed as u8 as f32 + self.boost * newness
    }
}

/// Runs a small world for 30 days with the custom recommender.
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
    let recommender = RisingStars {
        boost: 0.5,
        halving: 200.0,
    };
    let mut sim = Simulation::with_recommender(&scenario, Box::new(recommender))?;
    sim.run(|_| {});
    Ok(sim.finish())
}

fn main() -> socsim::Result<()> {
    let out = run_example()?;
    let s = &out.summary;
    println!("rising stars, 30 days, 5,000 consumers:");
    println!("  net GMV        {:.0}", s.totals.net_gmv);
    println!(
        "  exposure Gini  {:.3} (top 1 % share {:.3})",
        s.exposure.gini, s.exposure.top1_share
    );
    println!(
        "  creators       {} exits, {} active at the end",
        s.creators.exits, s.creators.active_at_end
    );
    Ok(())
}
