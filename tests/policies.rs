//! Platform policies move the outputs the way their mechanisms say: paired runs on the same
//! seed, checked over several seeds, with margins well above the seed-to-seed noise.

use socsim::scenario::{Override, built_in, parse_scenario};
use socsim::{RunOutput, Scenario, Simulation};

const SEEDS: [u64; 3] = [1, 2, 3];

/// A shipped scenario, shortened and shrunk for the test (rates barely depend on size).
fn shipped(name: &str, seed: u64, extra: &[&str]) -> Scenario {
    let mut sets = vec![
        "run.days=60".to_string(),
        "population.consumers=20000".into(),
        format!("run.seed={seed}"),
    ];
    sets.extend(extra.iter().map(|s| s.to_string()));
    let o: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    parse_scenario(name, built_in(name).unwrap(), &o).unwrap()
}

fn run(s: &Scenario) -> RunOutput {
    let mut sim = Simulation::new(s).unwrap();
    sim.run(|_| {});
    sim.finish()
}

#[test]
fn livestream_returns_land_in_the_reported_range_and_the_baseline_well_below() {
    for seed in SEEDS {
        let live = run(&shipped("livestream_returns", seed, &[])).summary;
        let base = run(&shipped("baseline", seed, &[])).summary;
        println!(
            "seed {seed}: livestream_returns live return rate {:.3} (overall {:.3}); baseline overall {:.3}",
            live.rates.live_return_rate, live.rates.return_rate, base.rates.return_rate
        );
        assert!((0.30..=0.70).contains(&live.rates.live_return_rate));
        assert!(base.rates.return_rate < 0.20);
    }
}

#[test]
fn free_returns_raise_and_a_restocking_fee_lowers_the_return_rate() {
    for seed in SEEDS {
        let rate = |extra: &[&str]| {
            run(&shipped("baseline", seed, extra))
                .summary
                .rates
                .return_rate
        };
        let (plain, free, fee) = (
            rate(&[]),
            rate(&["returns.free_returns=true"]),
            rate(&["returns.restocking_fee=0.15"]),
        );
        println!(
            "seed {seed}: return rate {plain:.3}; free returns {free:.3}; 15 % restocking fee {fee:.3}"
        );
        assert!(free > plain + 0.03);
        assert!(fee < plain - 0.02);
    }
}

#[test]
fn detection_lowers_the_brushed_share_of_gross_gmv() {
    for seed in SEEDS {
        // Every population shrunk by 5, so that brushers and buyers keep their proportions.
        let share = |extra: &[&str]| {
            let mut sets = vec![
                "population.creators=400",
                "population.hosts=20",
                "population.merchants=400",
            ];
            sets.extend_from_slice(extra);
            let s = run(&shipped("brushing", seed, &sets)).summary;
            (s.rates.brushed_share, s.totals.brushing_detected)
        };
        let ((none, d0), (most, d1)) = (share(&[]), share(&["brushing.detection_rate=0.8"]));
        println!(
            "seed {seed}: brushed share of gross GMV without detection {none:.3} ({d0} detected), with 80 % detection {most:.3} ({d1} detected)"
        );
        assert!(none > 0.05, "brushing must be visible");
        assert!(most < 0.5 * none);
        assert!(d0 == 0 && d1 > 0);
    }
}
