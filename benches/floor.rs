//! The floor kernel: the least work a feed-based day can do, on bench_1m's sizes.
//!
//! Per consumer-day: one keyed stream; an activity draw (active with probability 0.5, as
//! bench_1m's consumers are on about half of the days); for an active consumer, K = 20
//! weighted candidate draws from an alias table over 21,000 accounts, each scored against
//! the consumer's 8-topic interest vector, and one engagement draw per candidate. Chunks of
//! 4096 consumers run in parallel on the rayon pool, integer counts reduced exactly — the
//! same shape as the simulator's phase A, with nothing else.
//!
//! BENCHMARKS.md quotes bench_1m's simulation time as a ratio to 90 of these days.
//!
//! cargo bench --bench floor                     (RAYON_NUM_THREADS=2 for the 2-core figure)

use criterion::{Criterion, criterion_group, criterion_main};
use rand_distr::Distribution;
use rand_distr::weighted::WeightedAliasIndex;
use rayon::prelude::*;
use socsim::rng::{Purpose, stream, unit_f32};

const CONSUMERS: usize = 1_000_000;
const ACCOUNTS: usize = 21_000;
const TOPICS: usize = 8;
const K: usize = 20;
const CHUNK: usize = 4096;
const SEED: u64 = 42;

struct Floor {
    interest: Vec<[f32; TOPICS]>,
    profile: Vec<[f32; TOPICS]>,
    candidates: WeightedAliasIndex<f32>,
}

/// A normalised random vector of `TOPICS` weights from `rng`.
fn simplex(rng: &mut impl rand::Rng) -> [f32; TOPICS] {
    let mut v = [0f32; TOPICS];
    for x in &mut v {
        *x = unit_f32(rng) + 1e-3;
    }
    let s: f32 = v.iter().sum();
    v.map(|x| x / s)
}

impl Floor {
    fn new() -> Floor {
        let interest = (0..CONSUMERS)
            .map(|i| simplex(&mut stream(SEED, Purpose::WorldConsumer, i as u64, 0)))
            .collect();
        let profile = (0..ACCOUNTS)
            .map(|c| simplex(&mut stream(SEED, Purpose::WorldCreator, c as u64, 0)))
            .collect();
        // Heavy-tailed popularity weights, as a popularity pool has.
        let weights: Vec<f32> = (0..ACCOUNTS).map(|c| 1.0 / (1.0 + c as f32)).collect();
        Floor {
            interest,
            profile,
            candidates: WeightedAliasIndex::new(weights).unwrap(),
        }
    }

    /// One day: the number of engagements.
    fn day(&self, day: u64) -> u64 {
        (0..CONSUMERS.div_ceil(CHUNK))
            .into_par_iter()
            .map(|chunk| {
                let mut engagements = 0u64;
                for i in chunk * CHUNK..((chunk + 1) * CHUNK).min(CONSUMERS) {
                    let mut rng = stream(SEED, Purpose::Feed, i as u64, day);
                    if unit_f32(&mut rng) >= 0.5 {
                        continue;
                    }
                    let interest = &self.interest[i];
                    for _ in 0..K {
                        let c = self.candidates.sample(&mut rng);
                        let p = &self.profile[c];
                        let score: f32 = (0..TOPICS).map(|t| interest[t] * p[t]).sum();
                        if unit_f32(&mut rng) < score {
                            engagements += 1;
                        }
                    }
                }
                engagements
            })
            .sum()
    }
}

fn floor_day(c: &mut Criterion) {
    let floor = Floor::new();
    let mut day = 0u64;
    let mut group = c.benchmark_group("floor");
    group.sample_size(20);
    group.bench_function("bench_1m_day", |b| {
        b.iter(|| {
            day += 1;
            floor.day(day)
        })
    });
    group.finish();
}

criterion_group!(benches, floor_day);
criterion_main!(benches);
