//! Platform policies move the outputs the way their mechanisms say: paired runs on the same
//! seed, checked over several seeds, with margins well above the seed-to-seed noise.
//!
//! Each test says what kind of check it is:
//! - **downstream**: the effect passes through at least one agent decision that the policy
//!   does not write a term into (a creator's exit, a friend's purchase, a repeat purchase);
//! - **accounting**: identities between outputs.
//!
//! Tests whose effect goes only through the policy's own term or action (a return draw's
//! free-returns term, a fake order blocked, a delisting, a rating's bias) are in
//! `tests/wiring.rs`: they show that a key reaches its place, not that the model responds.

mod common;

use common::{SEEDS, run, shipped};
use socsim::Simulation;

/// Validation against the 30–70 % live return rate of the sources. No study gives a return
/// rate outside live streams, so the baseline's (18–20 % on seeds 1–8 at this size) is not a
/// target: "well below" is at least 5 points under the range's floor.
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
        assert!(base.rates.return_rate < 0.25);
    }
}

/// Share of the consumers `who` selects that ordered again on or after day `after`.
fn came_back(sim: &Simulation, who: impl Fn(usize) -> bool, after: u32) -> (f64, usize) {
    let c = &sim.world().consumers;
    let cohort: Vec<usize> = (0..c.len()).filter(|&i| who(i)).collect();
    let back = cohort
        .iter()
        .filter(|&&i| c.last_order_day[i] >= after)
        .count();
    (back as f64 / cohort.len().max(1) as f64, cohort.len())
}

/// Downstream: the buyers a blitz wins order again less (their later purchase decisions);
/// the lift during the blitz is wiring (the coupon lowers the price paid). The slump after it
/// is in `tests/behaviour.rs`.
#[test]
fn a_coupon_blitz_lifts_gmv_during_the_blitz_and_its_buyers_repeat_less() {
    for seed in SEEDS {
        let finish = |extra: &[&str]| {
            let mut sim = Simulation::new(&shipped("coupon_blitz", seed, extra)).unwrap();
            sim.run(|_| {});
            sim
        };
        let (blitz, none) = (finish(&[]), finish(&["coupons.value=0"]));
        let window = |s: &Simulation| s.daily()[30..44].iter().map(|r| r.gross_gmv).sum::<f64>();
        // Over the same weeks after the blitz (days 44-59): the buyers it won, against the
        // buyers the platform had before it.
        let c = &blitz.world().consumers;
        let (won, won_n) = came_back(&blitz, |i| c.coupon_acquired[i], 44);
        let (regular, regular_n) = came_back(&blitz, |i| c.first_order_day[i] < 30, 44);
        let lift = window(&blitz) / window(&none);
        let b = blitz.finish().summary.buyers;
        println!(
            "seed {seed}: gross GMV days 30-43 {:+.1} % with the blitz; ordered again on days 44-59: coupon-acquired {won:.3} ({won_n}) vs buyers from before the blitz {regular:.3} ({regular_n}); repeat-purchase rate coupon-acquired {:.3} vs other buyers {:.3}",
            100.0 * (lift - 1.0),
            b.coupon_acquired_repeat_rate,
            b.other_repeat_rate,
        );
        assert!(lift > 1.2);
        assert!(won_n > 500);
        // About 3 standard errors of the difference at these cohort sizes.
        assert!(won < regular - 0.02);
        assert!(b.coupon_acquired_repeat_rate < b.other_repeat_rate - 0.05);
    }
}

/// Downstream: support income enters the creators' exit decisions.
#[test]
fn a_long_tail_support_programme_lowers_creator_exits() {
    // Each seed: fewer exits with support; over the three seeds together, at least 15 % fewer.
    let (mut all_with, mut all_without) = (0, 0);
    for seed in SEEDS {
        let exits = |extra: &[&str]| {
            let mut sets = vec![
                "population.creators=400",
                "population.hosts=20",
                "population.merchants=400",
            ];
            sets.extend_from_slice(extra);
            let s = run(&shipped("long_tail_support", seed, &sets)).summary;
            (s.creators.exits, s.totals.support_spend)
        };
        let ((with, spend), (without, _)) = (
            exits(&[]),
            exits(&["creator_support.reward_per_impression=0"]),
        );
        println!(
            "seed {seed}: creator exits with support {with} (spend {spend:.0}), without {without}"
        );
        assert!(with < without);
        assert!(spend > 0.0);
        all_with += with;
        all_without += without;
    }
    assert!((all_with as f64) < 0.85 * all_without as f64);
}

/// Downstream: the scandal's unfollows and damage reach the host's and its merchants' sales
/// through consumers' engagement and purchase decisions. The share of followers lost is the
/// scandal's own action (severity): reported here, checked in `tests/wiring.rs`.
#[test]
fn a_host_scandal_costs_followers_and_spills_over_to_the_hosts_merchants() {
    for seed in SEEDS {
        let study = |extra: &[&str]| {
            let mut sets = vec!["run.days=100"];
            sets.extend_from_slice(extra);
            run(&shipped("host_scandal", seed, &sets)).summary.scandals[0].clone()
        };
        // The same run with a harmless scandal is the counterfactual for the same host and merchants.
        let (hit, calm) = (study(&[]), study(&["scandals.events.0.severity=0"]));
        println!(
            "seed {seed}: host {} lost {:.1} % of {} followers; its GMV {:.0} -> {:.0} (calm: {:.0}); spillover merchants {:.0} -> {:.0} (calm: {:.0}); recovered in {:?} days",
            hit.target,
            100.0 * hit.followers_lost_share.unwrap(),
            hit.followers_before.unwrap(),
            hit.target_gmv_before,
            hit.target_gmv_after,
            calm.target_gmv_after,
            hit.spillover_gmv_before,
            hit.spillover_gmv_after,
            calm.spillover_gmv_after,
            hit.days_to_recover
        );
        assert_eq!(hit.target, calm.target);
        assert!(hit.target_gmv_after < 0.8 * calm.target_gmv_after);
        assert!(hit.spillover_gmv_after < calm.spillover_gmv_after);
    }
}

/// Downstream: points lower the price of later purchases, and the repeat purchases are the
/// consumers' decisions.
#[test]
fn loyalty_points_raise_the_repeat_purchase_rate() {
    for seed in SEEDS {
        let repeat = |extra: &[&str]| {
            let s = run(&shipped("baseline", seed, extra)).summary;
            (s.buyers.repeat_purchase_rate, s.totals.points_redeemed)
        };
        let ((plain, _), (points, redeemed)) = (repeat(&[]), repeat(&["loyalty.points_rate=0.1"]));
        println!(
            "seed {seed}: repeat-purchase rate without points {plain:.3}, with 10 % back in points {points:.3} ({redeemed:.0} redeemed)"
        );
        assert!(points > plain + 0.02);
        assert!(redeemed > 0.0);
    }
}

/// Accounting, and groups that form through friends' and strangers' decisions.
#[test]
fn group_buying_forms_and_fails_groups_and_keeps_the_identities() {
    for seed in SEEDS {
        // Shrunk 5x, keeping communities of 100 consumers (about 5 friends each).
        let out = run(&shipped(
            "group_buying",
            seed,
            &[
                "population.creators=400",
                "population.hosts=20",
                "population.merchants=400",
                "graph.blocks=200",
            ],
        ));
        let t = &out.summary.totals;
        println!(
            "seed {seed}: groups opened {}, formed {}, failed {}; invitations {} -> joins {}",
            t.groups_opened, t.groups_formed, t.groups_failed, t.group_invitations, t.group_joins
        );
        assert!(t.groups_formed > 50 && t.groups_failed > 50);
        assert!(t.groups_formed + t.groups_failed <= t.groups_opened);
        assert!(t.group_joins >= 2 * t.groups_formed);
        for r in &out.daily {
            let net = r.gross_gmv - r.returned_gmv - r.cancelled_gmv;
            assert!((r.net_gmv - net).abs() <= 1e-9 * r.gross_gmv.max(1.0));
            assert!(r.cancelled_orders <= r.orders);
            assert!(r.unique_buyers <= r.orders - r.cancelled_orders);
        }
    }
}

/// Accounting.
#[test]
fn revenue_is_recorded_by_part_and_ads_take_organic_slots() {
    let small = [
        "population.creators=400",
        "population.hosts=20",
        "population.merchants=400",
        "run.days=30",
    ];
    let plain = run(&shipped("baseline", 1, &small)).summary;
    let mut sets = small.to_vec();
    sets.extend([
        "platform.ad_slots=4",
        "platform.premium_share=0.2",
        "returns.insurance_take_up=0.3",
    ]);
    let out = run(&shipped("baseline", 1, &sets));
    let t = &out.summary.totals;
    let parts = t.revenue_commission + t.revenue_insurance + t.revenue_ads + t.revenue_premium;
    assert!((t.platform_revenue - parts).abs() < 1e-6 * t.platform_revenue);
    assert!(t.revenue_ads > 0.0 && t.revenue_premium > 0.0 && t.revenue_insurance > 0.0);
    for r in &out.daily {
        assert!(
            r.impressions <= 16 * r.active_consumers,
            "4 of 20 slots are ads"
        );
        assert_eq!(r.ad_impressions, 4 * r.active_consumers);
    }
    assert!(t.impressions < plain.totals.impressions);
}

#[test]
fn share_rewards_multiply_shares_but_each_share_persuades_less() {
    // Downstream of the reward: the friends' purchase decisions on what was shared. The
    // reward adds shares whatever the sharer thought of the goods, and friends trust a
    // rewarded share less, so each share sells less (by at least a fifth) while shares
    // rise (by at least half).
    for seed in SEEDS {
        let shares = |extra: &[&str]| {
            let mut sets = vec![
                "population.creators=400",
                "population.hosts=20",
                "population.merchants=400",
                "sharing.share_prob=0.3",
            ];
            sets.extend_from_slice(extra);
            let out = run(&shipped("baseline", seed, &sets));
            let shares = out.summary.totals.shares as f64;
            (shares, out.summary.totals.share_orders as f64 / shares)
        };
        let (plain, rewarded) = (shares(&[]), shares(&["sharing.reward=0.5"]));
        println!(
            "seed {seed}: shares {} without reward, {} with; orders per share {:.4} and {:.4}",
            plain.0, rewarded.0, plain.1, rewarded.1
        );
        assert!(plain.0 > 100.0);
        assert!(rewarded.0 > 1.5 * plain.0);
        assert!(rewarded.1 < 0.8 * plain.1);
    }
}
