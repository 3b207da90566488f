//! Purchase intents and search beside the feed (docs/MODEL.md, "Intents and search"; Li
//! (China's digital trade platforms and social media), §3, and the live-streaming study's
//! "interest-driven latent demand … distinct from traditional search-based e-commerce").
//!
//! A visiting consumer without an open intent forms one with probability `intent_rate` (times
//! a festival's `intent_surge`), in a topic drawn from its own interests, lasting an
//! exponential number of days (mean `intent_days`: the urgency). On each visit, with
//! probability `share` (the platform's archetype: how much of intent it serves by search
//! rather than by content), the consumer searches: the platform's results for the topic,
//! ranked by price and reputation, are examined top-down with the feed's position bias, each
//! weighed with `intent_bonus` added to its purchase utility, until one is bought. A purchase
//! in the intent's topic, from any channel, closes it; a feed purchase is discovery or
//! impulse (no intent bonus), so an intent the consumer does not search for is left to lapse
//! unless the feed happens to sell it something in the topic.
//!
//! Hooks: the index (after supply), the intent and the search (phase A), new intents and
//! closing them (booking).

use crate::behaviour::{Basket, Origin};
use crate::engine::{DayEvents, DayView};
use crate::rng::{Purpose, stream, unit_f32};
use crate::scenario::Scenario;
use crate::scenario::check::*;
use crate::world::{NONE, World};
use rand_distr::{Distribution, Exp};
use serde::{Deserialize, Serialize};

/// No intent (a basket's `intent`).
pub const NO_INTENT: u8 = u8::MAX;

/// An intent packed in a u32: the topic in the top 6 bits, its last day in the low 26.
const DAY_BITS: u32 = 26;

/// The search's run state.
#[derive(Default)]
pub struct State {
    /// Per consumer: the open intent ([`NONE`]: none); empty when `intent_rate = 0`.
    intent: Vec<u32>,
    /// Today's results per topic, best first: `results[start[t]..start[t + 1]]`.
    results: Vec<u32>,
    start: Vec<u32>,
}

impl State {
    pub fn new(s: &Scenario, consumers: usize) -> State {
        State {
            intent: if s.search.intent_rate > 0.0 {
                vec![NONE; consumers]
            } else {
                Vec::new()
            },
            ..Default::default()
        }
    }

    /// After supply: today's results for every topic, from the products of merchants that
    /// trade and are not delisted, scored `weight_price · (−ln price) + weight_reputation ·
    /// reputation · (1 − damage)`, best `results` kept (ties to the lower product id).
    pub fn index(&mut self, world: &World, s: &Scenario, day: u32) {
        let k = &s.search;
        if k.share == 0.0 || self.intent.is_empty() {
            return;
        }
        let (m, pr) = (&world.merchants, &world.products);
        let ppm = pr.per_merchant as usize;
        self.results.clear();
        self.start.clear();
        let mut scored: Vec<(f32, u32)> = Vec::new();
        for t in 0..world.topics {
            self.start.push(self.results.len() as u32);
            scored.clear();
            for &mi in m.of_topic(t) {
                let mi = mi as usize;
                if !m.active[mi] || (m.delisted_from[mi]..m.delisted_until[mi]).contains(&day) {
                    continue;
                }
                let standing = k.weight_reputation as f32 * m.reputation[mi] * (1.0 - m.damage[mi]);
                for p in mi * ppm..(mi + 1) * ppm {
                    let score = -(k.weight_price as f32) * pr.price[p].ln() + standing;
                    scored.push((score, p as u32));
                }
            }
            scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            self.results
                .extend(scored.iter().take(k.results as usize).map(|&(_, p)| p));
        }
        self.start.push(self.results.len() as u32);
    }

    /// Phase A: consumer `i`'s open intent today, forming one (into `ev.new_intents`) if it
    /// has none; [`NO_INTENT`] if none.
    pub fn intent(&self, view: &DayView, i: usize, ev: &mut DayEvents) -> u8 {
        if self.intent.is_empty() {
            return NO_INTENT;
        }
        let open = self.intent[i];
        if open != NONE && (open & ((1 << DAY_BITS) - 1)) >= view.day {
            return (open >> DAY_BITS) as u8;
        }
        let k = &view.s.search;
        let mut rng = stream(view.seed, Purpose::Intent, i as u64, view.day as u64);
        if unit_f32(&mut rng) >= k.intent_rate as f32 * view.today.festival.intent_surge {
            return NO_INTENT;
        }
        let t = view.world.topics;
        let topic =
            crate::engine::draw_topic(&mut rng, &view.world.consumers.interest[i * t..(i + 1) * t]);
        let days = Exp::new(1.0 / k.intent_days)
            .expect("validated")
            .sample(&mut rng)
            .floor() as u32;
        let last = (view.day + days).min((1 << DAY_BITS) - 1);
        ev.new_intents
            .push((i as u32, (topic as u32) << DAY_BITS | last));
        ev.intents_opened += 1;
        topic as u8
    }

    /// Phase A: with probability `share`, consumer `i` searches for its intent's topic and
    /// examines the results top-down (position bias as in the feed) until it buys one.
    pub fn serve(
        &self,
        view: &DayView,
        i: usize,
        topic: u8,
        basket: &mut Basket,
        ev: &mut DayEvents,
    ) {
        let k = &view.s.search;
        if topic == NO_INTENT
            || k.share == 0.0
            || basket.orders >= view.s.behaviour.max_orders_per_day
        {
            return;
        }
        let mut rng = stream(view.seed, Purpose::Search, i as u64, view.day as u64);
        if unit_f32(&mut rng) >= k.share as f32 {
            return;
        }
        ev.searches += 1;
        let t = topic as usize;
        let results = &self.results[self.start[t] as usize..self.start[t + 1] as usize];
        let exam = view.examination;
        for (position, &product) in results.iter().enumerate() {
            if exam.is_empty() || unit_f32(&mut rng) >= exam[position.min(exam.len() - 1)] {
                continue;
            }
            let Some((utility, value)) = view.offer(i, product, 0.0, k.intent_bonus as f32) else {
                continue;
            };
            if view.decide(utility, &mut rng) {
                basket.orders += 1;
                ev.search_orders += 1;
                ev.orders
                    .push(view.outside_order(i, NONE, product, value, NONE, Origin::Search));
                return;
            }
        }
    }

    /// Booking: today's new intents.
    pub fn opened(&mut self, new: &[(u32, u32)]) {
        for &(i, packed) in new {
            self.intent[i as usize] = packed;
        }
    }

    /// Booking: consumer `i` bought in `topic`; an intent there is met.
    #[inline]
    pub fn bought(&mut self, i: usize, topic: u32) {
        if let Some(open) = self.intent.get_mut(i)
            && *open != NONE
            && *open >> DAY_BITS == topic
        {
            *open = NONE;
        }
    }
}

// ---- The scenario section `[search]` and its validation.

/// `[search]`: purchase intents and the search channel. Every default is an assumption
/// (docs/SOURCES.md); with `intent_rate = 0` nothing here acts.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Search {
    pub intent_rate: f64,
    pub intent_days: f64,
    pub intent_bonus: f64,
    pub share: f64,
    pub results: u64,
    pub weight_price: f64,
    pub weight_reputation: f64,
}

impl Default for Search {
    fn default() -> Self {
        Search {
            intent_rate: 0.0,
            intent_days: 7.0,
            intent_bonus: 3.0,
            share: 0.0,
            results: 10,
            weight_price: 0.0,
            weight_reputation: 2.0,
        }
    }
}

impl Search {
    /// Checks the section; the first failure names its key.
    pub(crate) fn validate(&self) -> Check {
        probability("search.intent_rate", self.intent_rate)?;
        positive("search.intent_days", self.intent_days)?;
        at_most_f("search.intent_days", self.intent_days, 10_000.0)?;
        finite("search.intent_bonus", self.intent_bonus)?;
        at_most_f("search.intent_bonus", self.intent_bonus.abs(), 100.0)?;
        probability("search.share", self.share)?;
        at_least("search.results", self.results, 1)?;
        at_most("search.results", self.results, 1000)?;
        non_negative("search.weight_price", self.weight_price)?;
        at_most_f("search.weight_price", self.weight_price, 1000.0)?;
        non_negative("search.weight_reputation", self.weight_reputation)?;
        at_most_f("search.weight_reputation", self.weight_reputation, 1000.0)?;
        Ok(())
    }
}
