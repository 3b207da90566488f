//! Sharing: word of mouth. A satisfied buyer shares the product with a friend; a share
//! reward adds shares whatever the satisfaction (they can be untrue), and consumers trust
//! rewarded shares less. A friend weighs a shared product the next day.
//!
//! Hooks: answering yesterday's shares (phase A), the share decision at delivery, and
//! handing today's shares to tomorrow (end of fulfilment).

use crate::behaviour::Origin;
use crate::engine::{DayEvents, DayView, OrderIntent};
use crate::metrics::DailyRow;
use crate::rng::{Purpose, StreamRng, below, stream, unit_f32};
use crate::scenario::Scenario;
use crate::scenario::check::*;
use crate::world::{NONE, World};
use serde::{Deserialize, Serialize};

/// Sharing's run state.
#[derive(Default)]
pub struct State {
    /// (friend, product, account, sharer) shared yesterday, for today's feeds, sorted by
    /// friend.
    pub shares: Vec<(u32, u32, u32, u32)>,
    /// Shares made today, in delivery order.
    made: Vec<(u32, u32, u32, u32)>,
}

impl State {
    /// Phase A: whether a friend shared a product with consumer `i` (a notification).
    #[inline]
    pub fn shared_with(&self, i: usize) -> bool {
        !self.shares.is_empty() && {
            let k = self.shares.partition_point(|&(f, ..)| (f as usize) < i);
            self.shares.get(k).is_some_and(|&(f, ..)| f as usize == i)
        }
    }

    /// Phase A: products friends shared yesterday (at most three): each is a purchase
    /// decision with the friend's endorsement `share_bonus`, scaled by the tie's strength
    /// and by `rewarded_trust` when shares are rewarded (consumers know some are paid for).
    pub fn answer(&self, view: &DayView, i: usize, ev: &mut DayEvents) {
        if self.shares.is_empty() {
            return;
        }
        let sh = &view.s.sharing;
        let bonus = sh.share_bonus as f32
            * if sh.reward > 0.0 {
                sh.rewarded_trust as f32
            } else {
                1.0
            };
        let start = self.shares.partition_point(|&(f, ..)| (f as usize) < i);
        let mut rng = stream(view.seed, Purpose::Share, i as u64, view.day as u64);
        for &(_, product, creator, sharer) in self.shares[start..]
            .iter()
            .take_while(|&&(f, ..)| f as usize == i)
            .take(3)
        {
            let endorsement = bonus * view.tie(i, sharer as usize);
            let Some((utility, value)) = view.offer(i, product, 0.0, endorsement) else {
                continue;
            };
            if view.decide(utility, &mut rng) {
                ev.orders
                    .push(view.outside_order(i, creator, product, value, NONE, Origin::Share));
            }
        }
    }

    /// Delivery of order `o` (kept unless `returned`): the buyer shares it with a random
    /// friend with probability `share_prob × satisfaction` (+ `reward_share_prob` when shares
    /// are rewarded). Both draws are taken whatever the policy, so that variants keep their
    /// draws aligned.
    #[allow(clippy::too_many_arguments)]
    pub fn on_delivery(
        &mut self,
        world: &World,
        s: &Scenario,
        o: &OrderIntent,
        satisfaction: f32,
        returned: bool,
        rng: &mut StreamRng,
        row: &mut DailyRow,
    ) {
        let sh = &s.sharing;
        let u_share = unit_f32(rng) as f64;
        let friends = world.social.neighbours(o.consumer);
        let p_share = sh.share_prob * satisfaction as f64
            + if sh.reward > 0.0 {
                sh.reward_share_prob
            } else {
                0.0
            };
        if friends.is_empty() || u_share >= p_share || returned {
            return;
        }
        // The share reaches `sharing.friends` friends drawn at random without replacement
        // (all of them if fewer): a partial shuffle of a copy of the friend list.
        let k = (sh.friends as usize).min(friends.len());
        let mut pool = friends.to_vec();
        for j in 0..k {
            let pick = j + below(rng, pool.len() - j);
            pool.swap(j, pick);
            self.made.push((pool[j], o.product, o.creator, o.consumer));
        }
        row.shares += 1;
        if sh.reward > 0.0 {
            row.share_reward_spend += sh.reward;
        }
    }

    /// End of fulfilment: today's shares reach friends tomorrow, sorted by friend.
    pub fn after_fulfilment(&mut self) {
        let mut made = std::mem::take(&mut self.made);
        made.sort_unstable();
        self.shares = made;
    }
}

/// Booking: an accepted order that came from a friend's share (`share_orders`).
pub fn on_accept(intent: &OrderIntent, row: &mut DailyRow) {
    row.share_orders += (intent.origin == Origin::Share) as u64;
}

// ---- The scenario section `[sharing]` and its validation.

/// `[sharing]`: word of mouth and share rewards
/// (Li (China's digital trade platforms and social media), §2.1, §4.2).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Sharing {
    pub share_prob: f64,
    pub reward: f64,
    pub reward_share_prob: f64,
    pub share_bonus: f64,
    pub rewarded_trust: f64,
    pub friends: u64,
}

impl Default for Sharing {
    fn default() -> Self {
        Sharing {
            share_prob: 0.0,
            reward: 0.0,
            reward_share_prob: 0.2,
            share_bonus: 1.0,
            rewarded_trust: 0.5,
            friends: 1,
        }
    }
}

impl Sharing {
    /// Checks the section's values; the first failure names its key.
    pub(crate) fn validate(&self) -> Check {
        probability("sharing.share_prob", self.share_prob)?;
        non_negative("sharing.reward", self.reward)?;
        probability("sharing.reward_share_prob", self.reward_share_prob)?;
        finite("sharing.share_bonus", self.share_bonus)?;
        probability("sharing.rewarded_trust", self.rewarded_trust)?;
        at_least("sharing.friends", self.friends, 1)?;
        at_most("sharing.friends", self.friends, 1_000)?;
        Ok(())
    }
}
