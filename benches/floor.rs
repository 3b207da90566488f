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
//! A second kernel, `floor/model_work_day`, does the least work the model itself asks of a
//! day on the same sizes (see [`Work`]). It is not the floor: it measures how much of
//! bench_1m's distance from the floor is the model's own work and how much is the rest.
//!
//! cargo bench --bench floor                     (RAYON_NUM_THREADS=2 for the 2-core figure)

use criterion::{Criterion, criterion_group, criterion_main};
use rand_distr::Distribution;
use rand_distr::weighted::WeightedAliasIndex;
use rayon::prelude::*;
use socsim::rng::{Purpose, stream, unit_f32};
use std::hint::black_box;

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

/// Candidates drawn per visitor: ⌈feed × oversample⌉ = ⌈20 × 1.5⌉, as in bench_1m.
const DRAWS: usize = 30;
/// Feed slots, as in bench_1m.
const FEED: usize = 20;

/// A 64-byte account card, as the simulator's: the fields the kernel reads, and the rest.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Card {
    popularity: f32,
    quality: f32,
    trust: f32,
    topic: u32,
    _rest: [u32; 12],
}

/// The model's own least work for a day, on bench_1m's sizes. Per consumer-day: one keyed
/// stream and a visit decision through a logistic (about half visit). Per visitor:
/// - the platform's interest estimate from the consumer's counts (8 rates, normalised);
/// - 30 weighted candidate draws, duplicates dropped by a mark per account;
/// - each candidate's 64-byte card read and scored against the estimate, and the ranking
///   sorted by score;
/// - for the best 20, the true match (an 8-topic dot product), an engagement logit with
///   the card's quality and trust, position bias, a logistic and one draw;
/// - each impression counted in the exposure and in the consumer's counts.
///
/// No pools but one, no refill, no purchases, follows, policies, habits or quality sample:
/// everything bench_1m does on top of this is the rest of the model.
struct Work {
    interest: Vec<[f32; TOPICS]>,
    trust: Vec<f32>,
    activity: Vec<f32>,
    profile: Vec<[f32; TOPICS]>,
    cards: Vec<Card>,
    candidates: WeightedAliasIndex<f32>,
    examination: [f32; FEED],
}

/// One worker's scratch and tallies.
struct Tally {
    drawn: Vec<bool>,
    ids: Vec<u32>,
    keys: Vec<u64>,
    exposure: Vec<u32>,
    engagements: u64,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            drawn: vec![false; ACCOUNTS],
            ids: Vec::with_capacity(DRAWS),
            keys: Vec::with_capacity(DRAWS),
            exposure: vec![0; ACCOUNTS],
            engagements: 0,
        }
    }

    fn add(mut self, other: Tally) -> Tally {
        for (a, b) in self.exposure.iter_mut().zip(&other.exposure) {
            *a += b;
        }
        self.engagements += other.engagements;
        self
    }
}

#[inline]
fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[inline]
fn dot(a: &[f32; TOPICS], b: &[f32; TOPICS]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// An f32's total order as an unsigned integer.
#[inline]
fn order_bits(x: f32) -> u32 {
    let b = x.to_bits();
    if b >> 31 == 1 { !b } else { b | 0x8000_0000 }
}

impl Work {
    fn new() -> Work {
        let floor = Floor::new();
        let cards = (0..ACCOUNTS)
            .map(|c| {
                let mut rng = stream(SEED, Purpose::WorldCreator, c as u64, 1);
                Card {
                    popularity: 1.0 / (1.0 + c as f32),
                    quality: unit_f32(&mut rng),
                    trust: unit_f32(&mut rng),
                    topic: (c % TOPICS) as u32,
                    _rest: [0; 12],
                }
            })
            .collect();
        let mut rng = stream(SEED, Purpose::WorldConsumer, 0, 1);
        Work {
            trust: (0..CONSUMERS).map(|_| unit_f32(&mut rng)).collect(),
            activity: (0..CONSUMERS)
                .map(|_| 0.2 * unit_f32(&mut rng) - 0.1)
                .collect(),
            interest: floor.interest,
            profile: floor.profile,
            cards,
            candidates: floor.candidates,
            examination: std::array::from_fn(|k| 1.0 / (1.0 + k as f32).sqrt()),
        }
    }

    /// Consumer `i`'s day, with its counts `row` (impressions, then engagements, by topic).
    fn consumer(&self, i: usize, day: u64, row: &mut [f32; 2 * TOPICS], t: &mut Tally) {
        let mut rng = stream(SEED, Purpose::Feed, i as u64, day);
        if unit_f32(&mut rng) >= sigmoid(self.activity[i]) {
            return;
        }
        let mut estimate = [0f32; TOPICS];
        let mut sum = 0.0;
        for k in 0..TOPICS {
            estimate[k] = (row[TOPICS + k] + 2.0) / (row[k] + 20.0);
            sum += estimate[k];
        }
        for e in &mut estimate {
            *e /= sum;
        }
        t.ids.clear();
        for _ in 0..DRAWS {
            let c = self.candidates.sample(&mut rng);
            if !t.drawn[c] {
                t.drawn[c] = true;
                t.ids.push(c as u32);
            }
        }
        t.keys.clear();
        for (k, &c) in t.ids.iter().enumerate() {
            let c = c as usize;
            t.drawn[c] = false;
            let card = &self.cards[c];
            let score =
                0.6 * dot(&estimate, &self.profile[c]) + 0.2 * card.popularity + 0.2 * card.quality;
            t.keys.push((!order_bits(score) as u64) << 32 | k as u64);
        }
        t.keys.sort_unstable();
        let interest = &self.interest[i];
        for (position, &key) in t.keys.iter().take(FEED).enumerate() {
            let c = t.ids[(key & 0xffff_ffff) as usize] as usize;
            let card = &self.cards[c];
            let logit = 4.0 * dot(interest, &self.profile[c]) + card.quality - 2.0
                + 0.5 * card.trust * self.trust[i];
            let p = self.examination[position] * sigmoid(logit);
            let engaged = unit_f32(&mut rng) < p;
            t.exposure[c] += 1;
            let topic = card.topic as usize;
            row[topic] += 1.0;
            if engaged {
                row[TOPICS + topic] += 1.0;
                t.engagements += 1;
            }
        }
    }

    /// One day over every consumer, their counts in `model`: the engagements and the
    /// impressions (the exposure's total), returned so that no work is optimised away.
    fn day(&self, day: u64, model: &mut [[f32; 2 * TOPICS]]) -> (u64, u64) {
        let tally = model
            .par_chunks_mut(CHUNK)
            .enumerate()
            .fold(Tally::new, |mut t, (chunk, rows)| {
                for (j, row) in rows.iter_mut().enumerate() {
                    self.consumer(chunk * CHUNK + j, day, row, &mut t);
                }
                t
            })
            .reduce(Tally::new, Tally::add);
        let exposure = tally.exposure.iter().map(|&x| x as u64).sum();
        (tally.engagements, exposure)
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
    let work = Work::new();
    let mut model = vec![[0f32; 2 * TOPICS]; CONSUMERS];
    let mut day = 0u64;
    group.bench_function("model_work_day", |b| {
        b.iter(|| {
            day += 1;
            black_box(work.day(day, &mut model))
        })
    });
    group.finish();
}

criterion_group!(benches, floor_day);
criterion_main!(benches);
