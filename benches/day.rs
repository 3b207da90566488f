//! Criterion benchmarks of the day's hot path. Whole-run figures for `bench_1m` are timed
//! commands, recorded in BENCHMARKS.md; these measure one day of a mid-sized world.
//!
//! cargo bench --bench day

use criterion::{Criterion, criterion_group, criterion_main};
use socsim::scenario::{Override, parse_scenario};

fn world(consumers: u64, creators: u64) -> socsim::Scenario {
    let sets: Vec<Override> = [
        format!("population.consumers={consumers}"),
        format!("population.creators={creators}"),
        "population.hosts=50".into(),
        "population.merchants=2000".into(),
        "run.days=5000".into(),
    ]
    .iter()
    .map(|s| Override::parse(s).unwrap())
    .collect();
    parse_scenario("bench", "", &sets).unwrap()
}

fn simulate_day(c: &mut Criterion) {
    let scenario = world(50_000, 2_000);
    let mut sim = socsim::Simulation::new(&scenario).unwrap();
    // Warm the world up so that follows, popularity and loyalty are not all empty.
    for _ in 0..10 {
        sim.step();
    }
    let mut group = c.benchmark_group("day");
    group.sample_size(20);
    group.bench_function("50k_consumers_2k_creators", |b| {
        b.iter(|| {
            if sim.is_done() {
                panic!("horizon reached; raise run.days");
            }
            sim.step().impressions
        })
    });
    group.finish();
}

criterion_group!(benches, simulate_day);
criterion_main!(benches);
