//! Candidate generation and ranking must be sublinear in the number of creators: this builds
//! the feeds of the same 2,000 consumers in worlds of 10,000 and 100,000 creators (after a
//! 3-day warm-up, so that follows and popularity exist). The per-consumer cost should grow
//! by far less than the 10× growth of the catalogue (the target: under 2×).
//!
//! cargo bench --bench feeds

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use socsim::engine::FeedScratch;
use socsim::scenario::{Override, parse_scenario};

const CONSUMERS: u32 = 2_000;

fn warmed_up(creators: u64) -> socsim::Simulation {
    let sets: Vec<Override> = [
        "population.consumers=20000".to_string(),
        format!("population.creators={creators}"),
        "population.hosts=500".into(),
        "population.merchants=5000".into(),
        "run.days=10".into(),
    ]
    .iter()
    .map(|s| Override::parse(s).unwrap())
    .collect();
    let scenario = parse_scenario("bench", "", &sets).unwrap();
    let mut sim = socsim::Simulation::new(&scenario).unwrap();
    for _ in 0..3 {
        sim.step();
    }
    sim
}

fn feeds(c: &mut Criterion) {
    let mut group = c.benchmark_group("feeds");
    group.throughput(Throughput::Elements(CONSUMERS as u64));
    for creators in [10_000u64, 100_000] {
        let sim = warmed_up(creators);
        let builder = sim.feed_builder();
        let mut scratch = FeedScratch::default();
        group.bench_function(format!("{creators}_creators"), |b| {
            b.iter(|| {
                let mut shown = 0;
                for i in 0..CONSUMERS {
                    builder.feed_into(i, &mut scratch);
                    shown += scratch.feed.len();
                }
                shown
            })
        });
    }
    group.finish();
}

criterion_group!(benches, feeds);
criterion_main!(benches);
