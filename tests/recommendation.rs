//! The recommendation algorithms' feedback loops, checked on small worlds over several seeds
//! (docs/RECOMMENDATION.md reports the same figures).

use rand::SeedableRng;
use socsim::metrics::inequality::gini;
use socsim::scenario::{Override, parse_scenario};
use socsim::{RunOutput, Scenario, Simulation};

const SEEDS: [u64; 3] = [1, 2, 3];

fn scenario(world: &str, algorithm: &str, seed: u64, extra: &[&str]) -> Scenario {
    let mut sets = vec![
        format!("recommendation.algorithm={algorithm}"),
        format!("run.seed={seed}"),
    ];
    sets.extend(extra.iter().map(|s| s.to_string()));
    let sets: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    parse_scenario("test", world, &sets).unwrap()
}

fn run(s: &Scenario) -> RunOutput {
    let mut sim = Simulation::new(s).unwrap();
    sim.run(|_| {});
    sim.finish()
}

/// 4,000 consumers and 400 accounts for 60 days: plenty of impressions per account.
const DENSE: &str = "[run]\ndays = 60\n[population]\nconsumers = 4000\ncreators = 380\nhosts = 20\nmerchants = 200\n";
/// 2,000 consumers and 2,000 accounts that never exit: too few impressions to reach every
/// account every day, so coverage depends on the algorithm.
const SPARSE: &str = "[run]\ndays = 60\n[population]\nconsumers = 2000\ncreators = 1950\nhosts = 50\nmerchants = 300\n[creators]\nmotivation_median = 0.0\nentry_rate = 0.0\n";

/// Gini of `impressions` uniform draws over `bins`: the floor that sampling noise alone gives.
fn noise_floor(impressions: u64, bins: usize, rng: &mut rand_xoshiro::Xoshiro256PlusPlus) -> f64 {
    let mut counts = vec![0f64; bins];
    for _ in 0..impressions {
        counts[socsim::rng::below(rng, bins)] += 1.0;
    }
    gini(&counts)
}

#[test]
fn popularity_concentrates_exposure_and_random_sits_on_the_noise_floor() {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(99);
    for seed in SEEDS {
        let pop = run(&scenario(DENSE, "popularity", seed, &[]));
        let rnd = run(&scenario(DENSE, "random", seed, &[]));
        let (p, r) = (pop.daily.last().unwrap(), rnd.daily.last().unwrap());
        let floor = noise_floor(r.impressions, r.active_creators as usize, &mut rng);
        println!(
            "seed {seed}: last-day exposure Gini popularity {:.3}, random {:.3}, noise floor {:.3}",
            p.exposure_gini, r.exposure_gini, floor
        );
        assert!(p.exposure_gini > r.exposure_gini + 0.3);
        // Feeds never repeat an account, so random can sit a little below the multinomial floor.
        assert!(
            (r.exposure_gini - floor).abs() < 0.03,
            "random {} vs floor {floor}",
            r.exposure_gini
        );
    }
}

#[test]
fn fair_exposure_spreads_exposure_and_reports_its_gmv_cost() {
    for seed in SEEDS {
        let pop = run(&scenario(SPARSE, "popularity", seed, &[]));
        let fair = run(&scenario(SPARSE, "fair_exposure", seed, &[]));
        let hybrid = run(&scenario(SPARSE, "hybrid", seed, &[]));
        let mean = |o: &RunOutput, f: fn(&socsim::metrics::DailyRow) -> f64| {
            o.daily[30..].iter().map(f).sum::<f64>() / (o.daily.len() - 30) as f64
        };
        let (top_p, top_f) = (
            mean(&pop, |r| r.exposure_top1_share),
            mean(&fair, |r| r.exposure_top1_share),
        );
        let (cov_p, cov_f) = (mean(&pop, |r| r.coverage), mean(&fair, |r| r.coverage));
        let (gmv_p, gmv_f) = (pop.summary.totals.net_gmv, fair.summary.totals.net_gmv);
        println!(
            "seed {seed}: days 30-59 top-1% share popularity {top_p:.3} fair {top_f:.3}; coverage {cov_p:.3} vs {cov_f:.3}; net GMV {gmv_p:.0} vs {gmv_f:.0} ({:+.1} %)",
            100.0 * (gmv_f / gmv_p - 1.0)
        );
        let gmv_h = hybrid.summary.totals.net_gmv;
        println!(
            "seed {seed}: against the default hybrid: top-1% share {:.3}, net GMV {gmv_h:.0} (fair_exposure {:+.1} %)",
            mean(&hybrid, |r| r.exposure_top1_share),
            100.0 * (gmv_f / gmv_h - 1.0)
        );
        assert!(top_f < 0.8 * top_p);
        assert!(cov_f > cov_p + 0.05);
    }
}

#[test]
fn popularity_homogenizes_consumption_faster_than_interest() {
    for seed in SEEDS {
        let pop = run(&scenario(DENSE, "popularity", seed, &[]));
        let int = run(&scenario(DENSE, "interest", seed, &[]));
        let growth =
            |o: &RunOutput| o.daily.last().unwrap().homogenization - o.daily[4].homogenization;
        println!(
            "seed {seed}: homogenization growth day 4 -> 59: popularity {:.4}, interest {:.4}",
            growth(&pop),
            growth(&int)
        );
        assert!(growth(&pop) > 1.5 * growth(&int));
        assert!(growth(&pop) > 0.0);
    }
}

/// Share of exposure between two snapshots that went to the top-quality decile of accounts.
fn top_decile_share(quality: &[f32], before: &[u64], after: &[u64]) -> f64 {
    let mut q: Vec<f32> = quality.to_vec();
    q.sort_by(f32::total_cmp);
    let cut = q[q.len() * 9 / 10];
    let (mut top, mut all) = (0u64, 0u64);
    for c in 0..after.len() {
        let x = after[c] - before.get(c).copied().unwrap_or(0);
        all += x;
        if quality[c] >= cut {
            top += x;
        }
    }
    top as f64 / all as f64
}

/// (first-half share, second-half share) of exposure going to the top-quality decile.
fn learning_curve(s: &Scenario) -> (f64, f64) {
    let mut sim = Simulation::new(s).unwrap();
    let half = s.run.days / 2;
    while sim.day() < half {
        sim.step();
    }
    let mid = sim.world().creators.exposure_total.clone();
    sim.run(|_| {});
    let c = &sim.world().creators;
    let zero = vec![0; c.len()];
    (
        top_decile_share(&c.quality, &zero, &mid),
        top_decile_share(&c.quality, &mid, &c.exposure_total),
    )
}

#[test]
fn bandit_learns_to_show_the_best_creators() {
    for seed in SEEDS {
        let (b1, b2) = learning_curve(&scenario(DENSE, "bandit", seed, &[]));
        let (r1, r2) = learning_curve(&scenario(DENSE, "random", seed, &[]));
        println!(
            "seed {seed}: top-quality decile's exposure share, first/second half: bandit {b1:.3} -> {b2:.3}, random {r1:.3} -> {r2:.3}"
        );
        assert!(b2 > b1, "the bandit's share must rise");
        assert!(b2 > r2 + 0.03, "and end above random's");
    }
}

#[test]
fn every_algorithm_runs_deterministically() {
    for (name, _) in socsim::policy::recommend::ALGORITHMS {
        let s = scenario(DENSE, name, 5, &["run.days=10"]);
        let a = run(&s);
        let b = run(&s);
        assert_eq!(a.daily, b.daily, "{name}");
        assert!(a.summary.totals.impressions > 0, "{name}");
    }
}

#[test]
fn revenue_aware_ranking_sells_dearer_goods_and_at_weight_zero_is_the_hybrid() {
    // At weight 0 the re-ranking keeps the hybrid's order: the same days, byte for byte.
    // At weight 1 the feed puts first what pays (price × engagement rate); what consumers
    // then choose to buy from it is dearer per order (at least 10 %), through their purchase
    // decisions.
    for seed in SEEDS {
        let rw = |w: &str| {
            let weight = format!("recommendation.revenue_weight={w}");
            run(&scenario(DENSE, "revenue_aware", seed, &[&weight]))
        };
        let hybrid = run(&scenario(DENSE, "hybrid", seed, &[]));
        let (zero, one) = (rw("0"), rw("1"));
        assert_eq!(zero.daily, hybrid.daily);
        let per_order = |o: &RunOutput| o.summary.totals.gross_gmv / o.summary.totals.orders as f64;
        println!(
            "seed {seed}: value per order {:.1} at weight 0, {:.1} at 1; platform revenue {:.0} and {:.0}",
            per_order(&zero),
            per_order(&one),
            zero.summary.totals.platform_revenue,
            one.summary.totals.platform_revenue
        );
        assert!(per_order(&one) > 1.1 * per_order(&zero));
    }
}

/// The baseline world, 20,000 consumers, for `days`.
fn learning_world(algorithm: &str, seed: u64, days: u32) -> RunOutput {
    let world = socsim::scenario::built_in("baseline").unwrap();
    run(&scenario(
        world,
        algorithm,
        seed,
        &["population.consumers=20000", &format!("run.days={days}")],
    ))
}

#[test]
fn the_platform_learns_interests_from_the_log_and_starts_knowing_nothing() {
    // The interest feed ranks by the platform's estimate of each consumer's interests, learned
    // from its log. On day 0 it knows nothing, so its feed is engaged with no more than a
    // random one (within 10 %); by days 50-59 engagement is at least 25 % above day 0's, the
    // estimate's error (total variation against the truth) has fallen by at least 0.1, and
    // the ranking's NDCG against the truth has risen by at least 0.1.
    for seed in SEEDS {
        let int = learning_world("interest", seed, 60);
        let rnd = learning_world("random", seed, 1);
        let mean = |o: &RunOutput, f: fn(&socsim::metrics::DailyRow) -> f64| {
            o.daily[50..60].iter().map(f).sum::<f64>() / 10.0
        };
        let (d0, r0) = (int.daily[0].mean_engage_prob, rnd.daily[0].mean_engage_prob);
        let late = mean(&int, |r| r.mean_engage_prob);
        let (e0, e_late) = (
            int.daily[0].interest_error,
            mean(&int, |r| r.interest_error),
        );
        let (n0, n_late) = (int.daily[0].ndcg, mean(&int, |r| r.ndcg));
        println!(
            "seed {seed}: engagement day 0 interest {d0:.4}, random {r0:.4} ({:+.1} %); days 50-59 {late:.4} ({:+.1} % on day 0); interest error {e0:.3} -> {e_late:.3}; NDCG {n0:.3} -> {n_late:.3}",
            100.0 * (d0 / r0 - 1.0),
            100.0 * (late / d0 - 1.0)
        );
        assert!((d0 / r0 - 1.0).abs() < 0.10);
        assert!(late > 1.25 * d0);
        assert!(e_late < e0 - 0.1);
        assert!(n_late > n0 + 0.1);
    }
}

/// A T-RECS-like world: `consumers` consumers, one creator for every 20 (none exits or
/// enters, no hosts), feeds of 10, 50 days, every candidate from the popular pool.
fn rich_get_richer(consumers: u64, exponent: f64, seed: u64) -> RunOutput {
    let world = format!(
        "[run]\ndays = 50\n[population]\nconsumers = {consumers}\ncreators = {}\nhosts = 0\nmerchants = {}\n[creators]\nmotivation_median = 0.0\nentry_rate = 0.0\n",
        consumers / 20,
        consumers / 20
    );
    run(&scenario(
        &world,
        "popularity",
        seed,
        &[
            "recommendation.popularity_share=1",
            "recommendation.feed_size=10",
            &format!("recommendation.popularity_exponent={exponent}"),
        ],
    ))
}

/// Mean exposure Gini over the last 10 days.
fn late_gini(o: &RunOutput) -> f64 {
    o.daily[40..].iter().map(|r| r.exposure_gini).sum::<f64>() / 10.0
}

#[test]
fn pure_popularity_concentrates_more_with_its_exponent_and_not_with_scale() {
    // The pure loop: exposure Gini rises with the exponent over 0.5, 1 and 2 (each step by at
    // least 0.02, on every seed). At a fixed ratio of consumers to creators, ten times the
    // consumers moves it far less than the exponent does: the change from 10,000 to 100,000
    // consumers at exponent 1, averaged over the seeds, is under half the smaller of the two
    // exponent steps averaged over the same seeds. Measured: about +0.05 (+0.03 to +0.07 by
    // seed) against steps of about 0.22 and 0.24. One seed's change is no test of it: the
    // path-dependent loop spreads the Gini over 0.70–0.74 between seeds at 10,000 consumers.
    let mut steps = [0.0; 2];
    let mut scale = 0.0;
    for seed in SEEDS {
        let g: Vec<f64> = [0.5, 1.0, 2.0]
            .iter()
            .map(|&x| late_gini(&rich_get_richer(10_000, x, seed)))
            .collect();
        let large = late_gini(&rich_get_richer(100_000, 1.0, seed));
        println!(
            "seed {seed}: exposure Gini at exponents 0.5, 1, 2: {g:.3?}; at exponent 1 with 100,000 consumers {large:.3}"
        );
        assert!(g[1] > g[0] + 0.02 && g[2] > g[1] + 0.02);
        steps[0] += (g[1] - g[0]) / SEEDS.len() as f64;
        steps[1] += (g[2] - g[1]) / SEEDS.len() as f64;
        scale += (large - g[1]) / SEEDS.len() as f64;
    }
    println!("mean exponent steps {steps:.3?}, mean change with scale {scale:+.3}");
    assert!(scale.abs() < 0.5 * steps[0].min(steps[1]));
}

/// 20,000 consumers and 2,000 creators for one day: the day on which every card holds only
/// its priors and the platform knows nothing of anyone, so that nearly every feed's scores tie.
const FIRST_DAY: &str = "[run]\ndays = 1\n[population]\nconsumers = 20000\ncreators = 2000\nhosts = 50\nmerchants = 500\n";

#[test]
fn equal_scores_are_ranked_without_favouring_low_account_ids() {
    // On the first day the hybrid's scores tie in nearly every feed, so the order among equal
    // scores decides who is shown. Creators' attributes do not depend on their ids, so their
    // first-day impressions must not either: Spearman's correlation of id and impressions,
    // over the 2,000 creators, within ±0.1 on every seed (its standard error with no relation
    // is about 1/√2000 ≈ 0.022; ties broken by the lower id gave −0.69 on seed 1).
    for seed in SEEDS {
        let mut sim = Simulation::new(&scenario(FIRST_DAY, "hybrid", seed, &[])).unwrap();
        sim.run(|_| {});
        let c = &sim.world().creators;
        let creators: Vec<usize> = (0..c.len())
            .filter(|&k| c.kind[k] == socsim::world::CreatorKind::Creator)
            .collect();
        let ids: Vec<f64> = creators.iter().map(|&k| k as f64).collect();
        let shown: Vec<f64> = creators
            .iter()
            .map(|&k| c.exposure_total[k] as f64)
            .collect();
        let rho = socsim::report::spearman(&ids, &shown).unwrap();
        println!(
            "seed {seed}: {} impressions over {} creators, rank correlation of id and impressions {rho:.3}",
            shown.iter().sum::<f64>(),
            creators.len()
        );
        assert!(rho.abs() < 0.1, "seed {seed}: rank correlation {rho:.3}");
    }
}
