//! Group buying (Pinduoduo style): a product sold at the group price opens a group when a
//! consumer buys it; the opener invites friends over the social graph; a group that reaches
//! `group_buying.size` members within `window_days` forms and its orders are accepted,
//! otherwise it fails and every member is refunded. Orders wait, pending, until their group
//! settles.
//!
//! Hooks: the group price of an item (phase A), answering invitations (phase A), taking an
//! order of a group product (booking), closing groups (end of fulfilment).

use crate::behaviour::Origin;
use crate::engine::{DayEvents, DayView, OrderIntent};
use crate::metrics::DailyRow;
use crate::rng::{Purpose, stream};
use crate::scenario::Scenario;
use crate::scenario::check::*;
use crate::world::{NONE, World};
use serde::{Deserialize, Serialize};

/// A group: its product, the orders of its members (the opener first), the last day it may
/// form, and whether it is still open.
#[derive(Clone, Debug)]
pub struct Group {
    pub product: u32,
    /// The account whose item the opener bought from (joiners' orders are credited to it).
    pub creator: u32,
    pub opener: u32,
    pub deadline: u32,
    pub members: Vec<OrderIntent>,
    pub open: bool,
}

/// What became of an order a policy took at booking.
#[derive(Debug)]
pub enum Settled {
    /// It waits (in an open group); it is not booked yet.
    Pending,
    /// Booked and cancelled (it reached a group that had closed).
    Cancelled,
    /// Booked and accepted, with these orders (a group formed: all its members).
    Accepted(Vec<OrderIntent>),
}

/// Group buying's run state: every group opened, and the open groups' invitations.
#[derive(Default)]
pub struct State {
    pub groups: Vec<Group>,
    /// (invited consumer, group) for the next day's feeds, sorted by consumer.
    pub invitations: Vec<(u32, u32)>,
    /// The open groups of each product, oldest first: what a stranger may join.
    open_of_product: std::collections::HashMap<u32, Vec<u32>>,
}

impl State {
    /// Phase A: the discount of an item bought from the feed: a group product sells at the
    /// group price, or at the live discount if that is larger.
    #[inline]
    pub fn item_discount(&self, world: &World, s: &Scenario, product: u32, discount: f32) -> f32 {
        if world.products.group_buy[product as usize] {
            discount.max(s.group_buying.discount as f32)
        } else {
            discount
        }
    }

    /// Phase A: whether consumer `i` has an invitation waiting (a notification).
    #[inline]
    pub fn invited(&self, i: usize) -> bool {
        !self.invitations.is_empty() && {
            let k = self.invitations.partition_point(|&(c, _)| (c as usize) < i);
            self.invitations
                .get(k)
                .is_some_and(|&(c, _)| c as usize == i)
        }
    }

    /// Phase A: invitations from friends: each (at most three a day) is a purchase decision
    /// on the group's product at the group price, with the opener's endorsement
    /// (`invitation_bonus`, scaled by the tie's strength) in place of a creator's
    /// credibility. An invitation stays open as long as its group.
    pub fn answer(&self, view: &DayView, i: usize, ev: &mut DayEvents) {
        if self.invitations.is_empty() {
            return;
        }
        let g = &view.s.group_buying;
        let start = self.invitations.partition_point(|&(c, _)| (c as usize) < i);
        let mut rng = stream(view.seed, Purpose::GroupBuy, i as u64, view.day as u64);
        for &(_, gid) in self.invitations[start..]
            .iter()
            .take_while(|&&(c, _)| c as usize == i)
            .take(3)
        {
            let group = &self.groups[gid as usize];
            if !group.open || group.opener as usize == i {
                continue;
            }
            let Some((utility, value)) = view.offer(
                i,
                group.product,
                g.discount as f32,
                g.invitation_bonus as f32 * view.tie(i, group.opener as usize),
            ) else {
                continue;
            };
            if view.decide(utility, &mut rng) {
                ev.orders.push(view.outside_order(
                    i,
                    group.creator,
                    group.product,
                    value,
                    gid,
                    Origin::Invitation,
                ));
            }
        }
    }

    /// Booking: an order of a group product opens a group (an order from a feed) or joins
    /// one (an accepted invitation); a group that reaches `group_buying.size` forms. `None`
    /// for an order of any other product.
    pub fn take_order(
        &mut self,
        world: &World,
        s: &Scenario,
        day: u32,
        intent: &OrderIntent,
        row: &mut DailyRow,
    ) -> Option<Settled> {
        if !world.products.group_buy[intent.product as usize] {
            return None;
        }
        let g = &s.group_buying;
        // A buyer of a group product may join a stranger's open group of it (Pinduoduo
        // shows them) instead of opening one.
        let mut intent = *intent;
        if intent.group == NONE && g.stranger_join > 0.0 {
            let mut rng = stream(
                s.run.seed,
                Purpose::GroupBuy,
                intent.consumer as u64 | 1 << 40,
                day as u64,
            );
            let joins = crate::rng::unit_f32(&mut rng) < g.stranger_join as f32;
            let groups = &self.groups;
            let open = self.open_of_product.get(&intent.product).and_then(|open| {
                open.iter().copied().find(|&gid| {
                    let group = &groups[gid as usize];
                    group.opener != intent.consumer
                        && !group.members.iter().any(|m| m.consumer == intent.consumer)
                })
            });
            if let Some(gid) = open.filter(|_| joins) {
                intent.group = gid;
                row.stranger_joins += 1;
            }
        }
        let intent = &intent;
        let gid = if intent.group == NONE {
            let gid = self.groups.len() as u32;
            self.groups.push(Group {
                product: intent.product,
                creator: intent.creator,
                opener: intent.consumer,
                deadline: day + g.window_days as u32,
                members: vec![*intent],
                open: true,
            });
            row.groups_opened += 1;
            self.open_of_product
                .entry(intent.product)
                .or_default()
                .push(gid);
            // Invitations to distinct random friends, seen from tomorrow on.
            let mut friends = world.social.neighbours(intent.consumer).to_vec();
            let mut rng = stream(s.run.seed, Purpose::GroupBuy, gid as u64, day as u64);
            let k = (g.invites as usize).min(friends.len());
            for j in 0..k {
                let pick = j + crate::rng::below(&mut rng, friends.len() - j);
                friends.swap(j, pick);
                self.invitations.push((friends[j], gid));
            }
            row.group_invitations += k as u64;
            gid
        } else {
            let group = &mut self.groups[intent.group as usize];
            if !group.open || group.members.len() >= g.size as usize {
                // The group closed before this order reached it.
                return Some(Settled::Cancelled);
            }
            group.members.push(*intent);
            row.group_joins += 1;
            intent.group
        };
        let group = &mut self.groups[gid as usize];
        if group.members.len() >= g.size as usize {
            group.open = false;
            row.groups_formed += 1;
            if let Some(open) = self.open_of_product.get_mut(&group.product) {
                open.retain(|&x| x != gid);
            }
            return Some(Settled::Accepted(std::mem::take(&mut group.members)));
        }
        Some(Settled::Pending)
    }

    /// End of fulfilment: open groups whose window ends today fail and their orders are
    /// booked and refunded (cancelled); the orders still waiting in open groups are counted
    /// as pending (`pending_group_orders`, `pending_group_gmv`, in group order); invitations
    /// to closed groups, and those already taken, are dropped. Returns the failed groups'
    /// orders.
    pub fn close(&mut self, day: u32, row: &mut DailyRow) -> Vec<OrderIntent> {
        let mut failed = Vec::new();
        for group in self.groups.iter_mut().filter(|g| g.open) {
            if group.deadline <= day {
                group.open = false;
                row.groups_failed += 1;
                for m in std::mem::take(&mut group.members) {
                    row.book(m.value);
                    row.cancel(m.value);
                    failed.push(m);
                }
            } else {
                for m in &group.members {
                    row.pending_group_orders += 1;
                    row.pending_group_gmv += m.value;
                }
            }
        }
        // An invitation stays while its group is open and the invited friend has not joined.
        let groups = &self.groups;
        // Each product's list of open groups keeps the open ones (lists are independent,
        // so the map's order does not matter).
        for open in self.open_of_product.values_mut() {
            open.retain(|&gid| groups[gid as usize].open);
        }
        self.open_of_product.retain(|_, open| !open.is_empty());
        self.invitations.retain(|&(c, g)| {
            let group = &groups[g as usize];
            group.open && !group.members.iter().any(|m| m.consumer == c)
        });
        self.invitations.sort_by_key(|&(c, g)| (c, g));
        failed
    }
}

// ---- The scenario section `[group_buying]` and its validation.

/// `[group_buying]`: Pinduoduo-style group buying
/// (Li (China's digital trade platforms and social media), §2.1).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct GroupBuying {
    pub product_share: f64,
    pub discount: f64,
    pub size: u64,
    pub window_days: u64,
    pub invites: u64,
    pub invitation_bonus: f64,
    pub stranger_join: f64,
}

impl Default for GroupBuying {
    fn default() -> Self {
        GroupBuying {
            product_share: 0.0,
            discount: 0.3,
            size: 3,
            window_days: 2,
            invites: 5,
            invitation_bonus: 3.0,
            stranger_join: 0.5,
        }
    }
}

impl GroupBuying {
    /// Checks the section's values; the first failure names its key.
    pub(crate) fn validate(&self) -> Check {
        probability("group_buying.product_share", self.product_share)?;
        share_of_price("group_buying.discount", self.discount)?;
        if self.size < 2 {
            return fail(
                "group_buying.size",
                format!(
                    "{}: a group needs at least 2 members (the opener and one friend)",
                    self.size
                ),
            );
        }
        at_most("group_buying.size", self.size, 100)?;
        at_least("group_buying.window_days", self.window_days, 1)?;
        at_most("group_buying.invites", self.invites, 1_000)?;
        finite("group_buying.invitation_bonus", self.invitation_bonus)?;
        probability("group_buying.stranger_join", self.stranger_join)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Override, parse_scenario};

    /// A friend who joined an open group is not invited to it again: with a window of
    /// several days it could otherwise join the same group twice.
    #[test]
    fn a_friend_who_joined_is_not_invited_again() {
        let sets: Vec<Override> = [
            "population.consumers=300",
            "population.creators=10",
            "population.hosts=2",
            "population.merchants=10",
            "group_buying.product_share=1",
            "group_buying.window_days=5",
            "group_buying.size=4",
        ]
        .iter()
        .map(|o| Override::parse(o).unwrap())
        .collect();
        let s = parse_scenario("test", "", &sets).unwrap();
        let world = crate::world::build_world(&s).unwrap();
        let opener = (0..300u32)
            .find(|&i| world.social.neighbours(i).len() >= 2)
            .unwrap();
        let intent = |consumer: u32, group: u32| OrderIntent {
            consumer,
            creator: 0,
            product: 0,
            value: 10.0,
            live: false,
            impulse: 0.0,
            expected: 0.5,
            coupon: 0.0,
            points: 0.0,
            group,
            origin: Origin::Feed,
            mode: 0,
            reduction: 0.0,
            via: NONE,
        };
        let mut gb = State::default();
        let mut row = DailyRow::default();
        assert!(matches!(
            gb.take_order(&world, &s, 0, &intent(opener, NONE), &mut row),
            Some(Settled::Pending)
        ));
        gb.close(0, &mut row);
        let (friend, gid) = gb.invitations[0];
        assert!(matches!(
            gb.take_order(&world, &s, 1, &intent(friend, gid), &mut row),
            Some(Settled::Pending)
        ));
        gb.close(1, &mut row);
        assert!(gb.groups[gid as usize].open);
        assert!(
            !gb.invitations.contains(&(friend, gid)),
            "the friend who joined is still invited"
        );
        assert!(
            gb.invitations.iter().any(|&(_, g)| g == gid),
            "others still are"
        );
    }
}
