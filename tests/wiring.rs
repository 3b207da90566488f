//! Wiring: each key reaches the decision or the count it is written into. These tests check
//! the policy's own term or action (free returns and a restocking fee in the return draw,
//! detection blocking fake orders, the platform's delisting and apology, a rewarded review's
//! bias), so they are regression checks, not evidence that the model responds. The evidence,
//! effects that pass through a decision downstream, is in `tests/behaviour.rs` (consumers)
//! and `tests/policies.rs` (policies).

mod common;

use common::{SEEDS, run, shipped};

/// Wiring: free returns and a restocking fee are terms of the return decision itself.
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

/// Wiring: detection blocks fake orders before they are booked.
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

/// Wiring: delisting and apology are the platform's own actions on the merchant.
#[test]
fn a_faster_platform_response_shortens_the_recovery_from_a_product_scandal() {
    for seed in SEEDS {
        let recovery = |extra: &[&str]| {
            // Fewer merchants, so that the top one sells enough for a steady daily series.
            let mut sets = vec!["run.days=140", "population.merchants=100"];
            sets.extend_from_slice(extra);
            let s = run(&shipped("product_scandal", seed, &sets))
                .summary
                .scandals[0]
                .clone();
            (
                s.days_to_recover.unwrap_or(u32::MAX),
                s.target_gmv_before,
                s.target_gmv_after,
            )
        };
        let slow = recovery(&[]);
        let fast = recovery(&["scandals.apology=true", "scandals.delisting_delay_days=0"]);
        println!(
            "seed {seed}: product scandal recovery (days, GMV before, GMV after): slow response {slow:?}, apology and immediate delisting {fast:?}"
        );
        assert!(fast.0 < slow.0);
        assert!(
            slow.2 < 0.5 * slow.1,
            "the scandal must hurt the merchant's sales"
        );
    }
}

/// Wiring: the reward's bias is a term of the rating. The downstream evidence, that inflated
/// ratings disappoint buyers into returns, is in `tests/behaviour.rs`.
#[test]
fn review_rewards_inflate_ratings_and_the_jury_corrects_them() {
    for seed in SEEDS {
        let gap = |extra: &[&str]| {
            let mut sets = vec![
                "population.creators=400",
                "population.hosts=20",
                "population.merchants=400",
            ];
            sets.extend_from_slice(extra);
            let out = run(&shipped("baseline", seed, &sets));
            let last = out.daily.last().unwrap().rating_gap;
            (last, out.daily.iter().map(|r| r.jury_removed).sum::<u64>())
        };
        let (plain, _) = gap(&[]);
        let (rewarded, _) = gap(&["reviews.reward=1"]);
        let (jury, removed) = gap(&[
            "reviews.reward=1",
            "reviews.jury=true",
            "reviews.jury_rate=0.9",
        ]);
        println!(
            "seed {seed}: rating gap (displayed − deserved stars) plain {plain:.3}, rewarded reviews {rewarded:.3}, rewarded + jury {jury:.3} ({removed} removed)"
        );
        assert!(rewarded > plain + 0.2);
        assert!(jury < rewarded - 0.1 && removed > 0);
    }
}

/// Wiring: a host scandal's severity is the share of the host's followers who leave.
#[test]
fn a_host_scandal_takes_its_severity_of_the_hosts_followers() {
    for seed in SEEDS {
        let s = shipped("host_scandal", seed, &["run.days=60"]);
        let study = run(&s).summary.scandals[0].clone();
        let lost = study.followers_lost_share.unwrap();
        println!("seed {seed}: severity 0.6, followers lost {lost:.3}");
        assert!((lost - 0.6).abs() < 0.1);
    }
}
