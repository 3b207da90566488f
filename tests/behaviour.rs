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

fn run(s: &Scenario) -> RunOutput {
    run_with(s, built_in(&s.recommendation))
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

/// Per consumer, over a 37-day run: whether it visited on day 0 (the cohort), and whether
/// it also visited on a day of the retention window 30–36 (`habit_day` is the day after the
/// last visit, so a last visit on day 30 or later shows as 31 or more).
fn cohort_and_retained(s: &Scenario) -> Vec<(bool, bool)> {
    assert_eq!(s.run.days, 37);
    let mut sim = Simulation::new(s).unwrap();
    sim.step();
    let cohort: Vec<bool> = sim
        .world()
        .consumers
        .habit_day
        .iter()
        .map(|&d| d == 1)
        .collect();
    sim.run(|_| {});
    let retained: Vec<bool> = sim
        .world()
        .consumers
        .habit_day
        .iter()
        .map(|&d| d >= 31)
        .collect();
    let summary = sim.finish().summary;
    let out: Vec<(bool, bool)> = cohort
        .iter()
        .zip(&retained)
        .map(|(&c, &r)| (c, c && r))
        .collect();
    // The summary's 30-day retention is the same quantity.
    let n = out.iter().filter(|x| x.0).count();
    let kept = out.iter().filter(|x| x.1).count();
    assert_eq!(summary.retention.cohort, n as u64);
    assert!((summary.retention.retention_30d.unwrap() - kept as f64 / n as f64).abs() < 1e-12);
    out
}

/// The paired difference in 30-day retention, B − A, over the consumers in both cohorts
/// (the same consumers: a seed draws the same population in both arms), pooled over
/// `SEEDS`, with its 95 % interval (normal approximation for paired proportions:
/// se = √(b + c − (b − c)²/n) / n, b and c the discordant pairs).
fn retention_difference(
    a: impl Fn(u64) -> Scenario,
    b: impl Fn(u64) -> Scenario,
) -> (f64, f64, f64) {
    let (mut n, mut only_b, mut only_a) = (0f64, 0f64, 0f64);
    for seed in SEEDS {
        let (ra, rb) = (cohort_and_retained(&a(seed)), cohort_and_retained(&b(seed)));
        for (x, y) in ra.iter().zip(&rb) {
            if x.0 && y.0 {
                n += 1.0;
                only_b += (y.1 && !x.1) as u8 as f64;
                only_a += (x.1 && !y.1) as u8 as f64;
            }
        }
    }
    let d = (only_b - only_a) / n;
    let se = (only_b + only_a - (only_b - only_a).powi(2) / n).sqrt() / n;
    (d, d - 1.96 * se, d + 1.96 * se)
}

#[test]
fn retention_moves_with_the_quality_of_experience_and_loyalty_points_raise_it() {
    // Poor goods against good goods: through purchases, deliveries, satisfaction, trust,
    // visits and the churn hazard.
    let (d, low, high) = retention_difference(
        |seed| small("baseline", seed, 37, &["merchants.quality_mean=0.2"]),
        |seed| small("baseline", seed, 37, &["merchants.quality_mean=0.8"]),
    );
    println!(
        "good goods minus poor goods: 30-day retention {d:+.4} (95 % CI {low:+.4} … {high:+.4})"
    );
    assert!(low > 0.0);
    // Points: earned on kept deliveries, they draw buyers back (weekly reminders, cheaper
    // repeat purchases, parcels to check on), which builds the habit that keeps them. Only
    // consumers with kept deliveries hold points, so the effect shows where buying is
    // common: in the campus takeaway world (most consumers order meals every few days) 20 %
    // back raises 30-day retention by about 0.024–0.029 (about 15 standard errors). In the
    // baseline world few consumers buy in the first month and the effect is about
    // +0.0003 to +0.0007 against a standard error of about 0.0003 at three seeds of 60,000
    // consumers: a test there passed or failed with the random numbers.
    let (d, low, high) = retention_difference(
        |seed| small("campus_takeaway", seed, 37, &[]),
        |seed| small("campus_takeaway", seed, 37, &["loyalty.points_rate=0.2"]),
    );
    println!("points minus none: 30-day retention {d:+.4} (95 % CI {low:+.4} … {high:+.4})");
    assert!(low > 0.0);
}

#[test]
fn poor_goods_are_returned_more_and_rewarded_reviews_disappoint() {
    for seed in SEEDS {
        let poor = run(&small(
            "baseline",
            seed,
            60,
            &["merchants.quality_mean=0.2"],
        ))
        .summary;
        let good = run(&small(
            "baseline",
            seed,
            60,
            &["merchants.quality_mean=0.8"],
        ))
        .summary;
        println!(
            "seed {seed}: return rate {:.3} with quality 0.2, {:.3} with 0.8",
            poor.rates.return_rate, good.rates.return_rate
        );
        // At least 3 points more returns of poor goods: the expectation set by ratings and
        // advertising misses them, and the level of quality itself disappoints.
        assert!(poor.rates.return_rate > good.rates.return_rate + 0.03);

        // Rewarded reviews inflate ratings; expectations follow the ratings, so buyers are
        // disappointed more often and return more (at least 1.5 points more).
        let honest = run(&small("baseline", seed, 60, &[])).summary;
        let rewarded = run(&small("baseline", seed, 60, &["reviews.reward=1"])).summary;
        println!(
            "seed {seed}: return rate {:.3} with honest reviews, {:.3} with rewarded ones",
            honest.rates.return_rate, rewarded.rates.return_rate
        );
        assert!(rewarded.rates.return_rate > honest.rates.return_rate + 0.015);
    }
}

/// Each consumer's orders (placed and not cancelled) as of the start of `days` (ascending).
fn orders_at(s: &Scenario, days: &[u32]) -> Vec<Vec<u32>> {
    let mut sim = Simulation::new(s).unwrap();
    let mut out = Vec::new();
    for &d in days {
        while sim.day() < d {
            sim.step();
        }
        out.push(sim.world().consumers.orders.clone());
    }
    out
}

#[test]
fn a_coupon_blitz_leaves_false_prosperity_behind() {
    // coupon_blitz (days 30–43) against the same run without coupons. Nothing in the model
    // says "buy less after coupons": the blitz pulls purchases forward (needs met early) and
    // teaches the buyers to expect a discount (their reference moves). So the consumers who
    // bought during the blitz buy less in the four weeks after it (days 44–71) than the same
    // consumers do without the blitz (common random numbers). Each seed: net GMV during the
    // blitz at least 30 % above the counterfactual, and the blitz's buyers' orders in the
    // four weeks after at least 2 % below their counterfactual (measured: 4–11 % below).
    //
    // Platform-wide, the dip is now too small to assert (0.96–1.01 of the counterfactual over
    // these seeds): the blitz also brings consumers in more often, and the learning platform
    // and the buyers' loyalty turn part of that into later sales.
    for seed in SEEDS {
        let net = |extra: &[&str], days: std::ops::Range<usize>| {
            let out = run(&small("coupon_blitz", seed, 72, extra));
            out.daily[days].iter().map(|r| r.net_gmv).sum::<f64>()
        };
        let during = net(&[], 30..44) / net(&["coupons.value=0"], 30..44);
        let at = [30, 44, 72];
        let blitz = orders_at(&small("coupon_blitz", seed, 72, &[]), &at);
        let none = orders_at(&small("coupon_blitz", seed, 72, &["coupons.value=0"]), &at);
        let buyers: Vec<usize> = (0..blitz[0].len())
            .filter(|&i| blitz[1][i] > blitz[0][i])
            .collect();
        let after = |o: &[Vec<u32>]| {
            buyers
                .iter()
                .map(|&i| (o[2][i] - o[1][i]) as f64)
                .sum::<f64>()
        };
        let ratio = after(&blitz) / after(&none);
        println!(
            "seed {seed}: net GMV with the blitz / without during it {during:.3}; the blitz's {} buyers' orders in the four weeks after, with / without: {ratio:.3}",
            buyers.len()
        );
        assert!(during > 1.3);
        assert!(ratio < 0.98);
    }
}

/// Strong word of mouth and little organic buying: every satisfied buyer tells five
/// friends, a friend's endorsement weighs heavily, and the feed alone rarely sells.
const WORD_OF_MOUTH: [&str; 4] = [
    "sharing.share_prob=1",
    "sharing.friends=5",
    "sharing.share_bonus=8",
    "behaviour.purchase_threshold=7",
];

/// First-time buyers per week (`unique_buyers − repeat_buyers`, summed over 7 days).
fn weekly_new_buyers(out: &RunOutput) -> Vec<u64> {
    let daily: Vec<u64> = out
        .daily
        .iter()
        .map(|r| r.unique_buyers - r.repeat_buyers)
        .collect();
    daily.chunks(7).map(|w| w.iter().sum()).collect()
}

#[test]
fn strong_word_of_mouth_gives_an_s_shaped_adoption_curve() {
    // Imitation-driven diffusion: new buyers per week rise (to at least 5 times the first
    // week's) before they fall (the last full week under a third of the peak), because each
    // buyer's shares bring more buyers until the network runs out of them.
    for seed in SEEDS {
        let out = run(&small("baseline", seed, 91, &WORD_OF_MOUTH));
        let weeks = weekly_new_buyers(&out);
        let (peak_week, &peak) = weeks.iter().enumerate().max_by_key(|x| x.1).unwrap();
        println!("seed {seed}: new buyers per week {weeks:?}");
        assert!(peak_week >= 2 && peak > 5 * weeks[0]);
        assert!(3 * weeks[weeks.len() - 1] < peak);
    }
}

#[test]
fn the_social_graph_shapes_adoption_and_ties_within_communities_persuade_more() {
    // With sharing and group buying on, the same population on a scale-free graph and on a
    // block model of isolated small communities: word of mouth spreads through the hubs of
    // the first and stalls in the second. Each seed: at least twice the buyers.
    let mut sets = WORD_OF_MOUTH.to_vec();
    sets.push("group_buying.product_share=0.3");
    for seed in SEEDS {
        let buyers = |kind: &str| {
            let mut sets = sets.clone();
            let kind = format!("graph.kind=\"{kind}\"");
            sets.push(&kind);
            run(&small("baseline", seed, 63, &sets))
                .summary
                .buyers
                .buyers
        };
        let (ba, sbm) = (buyers("barabasi_albert"), buyers("stochastic_block"));
        println!("seed {seed}: buyers in 63 days: Barabási–Albert {ba}, block model {sbm}");
        assert!(ba > 2 * sbm);

        // Communities are read: on a block model whose consumers have more friends outside
        // their block than in it, when endorsements across communities count for nothing,
        // shares sell less (by at least 10 %).
        let share_orders = |weak: &str| {
            let mut sets = sets.clone();
            sets.extend([
                "graph.kind=\"stochastic_block\"",
                "graph.p_out=0.0002",
                weak,
            ]);
            run(&small("baseline", seed, 63, &sets))
                .summary
                .totals
                .share_orders
        };
        let (strong, none) = (
            share_orders("behaviour.weak_tie=1"),
            share_orders("behaviour.weak_tie=0"),
        );
        println!(
            "seed {seed}: share orders with cross-community ties at full weight {strong}, at none {none}"
        );
        assert!((none as f64) < 0.9 * strong as f64);
    }
}

#[test]
fn without_reviews_consumers_find_good_goods_less_often() {
    // One product a merchant, so a merchant's rating speaks of the goods a buyer gets.
    // Reviews move ratings, ratings move expectations and the reputation term, and these
    // steer purchases toward good merchants: with no reviews every merchant shows the
    // prior. Each seed: the mean realised quality of deliveries (days 20–59) at least 0.008
    // lower without reviews (measured 0.014–0.019).
    for seed in SEEDS {
        let quality = |extra: &str| {
            let s = small(
                "baseline",
                seed,
                60,
                &["population.products_per_merchant=1", extra],
            );
            let out = run(&s);
            let days = &out.daily[20..];
            days.iter().map(|r| r.mean_delivered_quality).sum::<f64>() / days.len() as f64
        };
        let (with, without) = (
            quality("behaviour.review_prob=0.3"),
            quality("behaviour.review_prob=0"),
        );
        println!(
            "seed {seed}: mean delivered quality {with:.4} with reviews, {without:.4} without"
        );
        assert!(without < with - 0.008);
    }
}

#[test]
fn new_consumers_arrive_on_their_own_through_friends_and_for_new_user_coupons() {
    // Half the population starts off the platform and joins at 0.2 % a day on its own.
    // Shares reach friends who are not on it yet, and each waiting share may draw one in:
    // the referral passes through the sharers' decisions on delivery. A coupon for new users
    // raises the chance that a prospective consumer opens the app, which for it is joining.
    // Each seed: arrivals at least 1.5 times as many with sharing, and at least 4 % more
    // with a new-user coupon over the first two weeks.
    for seed in SEEDS {
        let arrivals = |extra: &[&str]| {
            let mut sets = vec![
                "consumers.initial_share=0.5",
                "consumers.arrival_rate=0.002",
            ];
            sets.extend_from_slice(extra);
            let out = run(&small("baseline", seed, 60, &sets));
            let joined: u64 = out.daily.iter().map(|r| r.arrivals).sum();
            let last = out.daily.last().unwrap();
            // Members: those on the platform at the start and those who joined, less churn.
            assert!(last.members <= out.daily[0].members + joined);
            joined
        };
        let alone = arrivals(&[]);
        let shared = arrivals(&["sharing.share_prob=0.5", "sharing.friends=3"]);
        let coupon = arrivals(&[
            "coupons.value=10",
            "coupons.threshold=20",
            "coupons.targeting=\"new\"",
        ]);
        println!(
            "seed {seed}: arrivals {alone} on their own, {shared} with sharing, {coupon} with a new-user coupon"
        );
        assert!(alone > 500);
        assert!(shared as f64 > 1.5 * alone as f64);
        assert!(coupon as f64 > 1.04 * alone as f64);
    }
}
