//! Topic forums with in-thread purchase buttons (docs/MODEL.md, "Forums"; the study of
//! commerce in Chinese discussion spaces: members frame conversations around product
//! experiences, vendors take part and answer questions, moderators balance authenticity
//! against promotion, affiliate rewards pay members whose posts sell, and too much commerce
//! alienates the community).
//!
//! One forum per topic keeps on its front page its newest `visible` posts of the last
//! `max_age_days` days. A post names a product and carries a
//! sentiment: an organic post its author's satisfaction with the order, a promotional one
//! praise (1). Every day:
//! - vendors post `vendor_posts` promotional posts in each forum (a keyed active merchant of
//!   the topic and one of its products);
//! - a buyer whose order is delivered posts about it with probability `post` × (1 +
//!   `reward_posting` × `affiliate_reward`); a rewarded post is promotional with probability
//!   1 − e^(−`reward_promotion` × `affiliate_reward`);
//! - the product's vendor answers the post's questions with probability `vendor_answers`;
//! - moderation removes a promotional post with probability `moderation`, an organic one
//!   with `moderation` × `false_removal`;
//! - a visiting consumer reads the forum of a topic drawn from its interests with probability
//!   `read` × e^(−`alienation` × the forum's promotional share this morning), loses
//!   `distrust` × that share of its platform trust, and examines the newest `shown` posts
//!   with the feed's position bias; each examined post is an offer with
//!   `review_weight` × (sentiment − ½) + `answer_bonus` (if answered) added to the purchase
//!   utility. A reader buys at most one product a visit, through the in-thread button;
//! - an order bought from a member's post and kept pays that member `affiliate_reward` × its
//!   value (paid by the platform).

use crate::behaviour::{OrderIntent, Origin};
use crate::engine::{DayEvents, DayView};
use crate::metrics::DailyRow;
use crate::rng::{Purpose, below, stream, unit_f32};
use crate::scenario::Scenario;
use crate::scenario::check::*;
use crate::world::{NONE, World};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// One post on a forum's front page.
#[derive(Clone, Copy, Debug)]
struct Post {
    product: u32,
    /// The member who wrote it ([`NONE`]: a vendor).
    author: u32,
    /// The author's satisfaction with the product; 1 for a promotional post.
    sentiment: f32,
    promotional: bool,
    /// A vendor answered the questions under it.
    answered: bool,
    /// The day it was published.
    day: u32,
}

/// The forums' run state. Empty when `read = 0`.
#[derive(Default)]
pub struct State {
    /// Per topic: the front page, oldest first.
    posts: Vec<VecDeque<Post>>,
    /// Per topic: the share of promotional posts on the front page this morning.
    promotional: Vec<f32>,
}

impl State {
    pub fn new(s: &Scenario, world: &World) -> State {
        if s.forums.read == 0.0 {
            return State::default();
        }
        State {
            posts: vec![VecDeque::new(); world.topics],
            promotional: vec![0.0; world.topics],
        }
    }

    fn on(&self) -> bool {
        !self.posts.is_empty()
    }

    /// Publishes a post unless moderation removes it (`rng`'s next draw decides).
    fn publish(&mut self, s: &Scenario, topic: usize, post: Post, u: f32, row: &mut DailyRow) {
        let k = &s.forums;
        let removal = if post.promotional {
            k.moderation
        } else {
            k.moderation * k.false_removal
        };
        if u < removal as f32 {
            row.forum_removed_posts += 1;
            return;
        }
        row.forum_posts += 1;
        row.forum_promotional_posts += post.promotional as u64;
        let page = &mut self.posts[topic];
        page.push_back(post);
        while page.len() > k.visible as usize {
            page.pop_front();
        }
    }

    /// Phase "pools": the vendors' posts of the day, then each front page's promotional
    /// share.
    pub fn morning(&mut self, world: &World, s: &Scenario, day: u32, row: &mut DailyRow) {
        if !self.on() {
            return;
        }
        let k = &s.forums;
        let (m, ppm) = (&world.merchants, world.products.per_merchant as usize);
        // Threads older than `max_age_days` leave the front page.
        for page in &mut self.posts {
            while page
                .front()
                .is_some_and(|p| p.day + k.max_age_days as u32 <= day)
            {
                page.pop_front();
            }
        }
        for t in 0..world.topics {
            let vendors = m.of_topic(t);
            let mut rng = stream(s.run.seed, Purpose::Forum, t as u64 | 1 << 40, day as u64);
            for _ in 0..k.vendor_posts {
                if vendors.is_empty() {
                    break;
                }
                let mi = vendors[below(&mut rng, vendors.len())] as usize;
                let product = (mi * ppm + below(&mut rng, ppm)) as u32;
                let answered = unit_f32(&mut rng) < k.vendor_answers as f32;
                let u = unit_f32(&mut rng);
                if !m.active[mi] {
                    continue;
                }
                let post = Post {
                    product,
                    author: NONE,
                    sentiment: 1.0,
                    promotional: true,
                    answered,
                    day,
                };
                self.publish(s, t, post, u, row);
            }
        }
        let (mut promotional, mut all) = (0usize, 0usize);
        for (t, page) in self.posts.iter().enumerate() {
            let p = page.iter().filter(|p| p.promotional).count();
            self.promotional[t] = p as f32 / page.len().max(1) as f32;
            promotional += p;
            all += page.len();
        }
        row.forum_promotional_share = crate::metrics::ratio(promotional as f64, all as f64);
    }

    /// Phase A, for a visiting consumer: whether it reads a forum today, and what it buys
    /// there.
    pub fn answer(&self, view: &DayView, i: usize, ev: &mut DayEvents) {
        if !self.on() {
            return;
        }
        let k = &view.s.forums;
        let w = view.world;
        let mut rng = stream(view.seed, Purpose::Forum, i as u64, view.day as u64);
        let t = w.topics;
        let topic = crate::engine::draw_topic(&mut rng, &w.consumers.interest[i * t..(i + 1) * t]);
        let promotional = self.promotional[topic];
        if unit_f32(&mut rng) >= k.read as f32 * (-(k.alienation as f32) * promotional).exp() {
            return;
        }
        ev.forum_reads += 1;
        if k.distrust > 0.0 && promotional > 0.0 {
            ev.forum_distrust
                .push((i as u32, k.distrust as f32 * promotional));
        }
        let exam = view.examination;
        for (position, post) in self.posts[topic]
            .iter()
            .rev()
            .take(k.shown as usize)
            .enumerate()
        {
            if exam.is_empty() || unit_f32(&mut rng) >= exam[position.min(exam.len() - 1)] {
                continue;
            }
            let bonus = k.review_weight as f32 * (post.sentiment - 0.5)
                + k.answer_bonus as f32 * post.answered as u8 as f32;
            let Some((utility, value)) = view.offer(i, post.product, 0.0, bonus) else {
                continue;
            };
            if view.decide(utility, &mut rng) {
                let mut o = view.outside_order(i, NONE, post.product, value, NONE, Origin::Forum);
                o.via = post.author;
                ev.orders.push(o);
                ev.forum_orders += 1;
                return;
            }
        }
    }

    /// Booking: readers lose trust to the promotion they read.
    pub fn booked(&self, world: &mut World, ev: &DayEvents) {
        for &(i, loss) in &ev.forum_distrust {
            let t = &mut world.consumers.trust[i as usize];
            *t = (*t - loss).max(0.0);
        }
    }

    /// Delivery, after the buyer's response: the buyer may post about order `o` (order `id`)
    /// in the forum of the product's topic.
    #[allow(clippy::too_many_arguments)]
    pub fn delivered(
        &mut self,
        world: &World,
        s: &Scenario,
        o: &OrderIntent,
        id: u64,
        day: u32,
        satisfaction: f32,
        row: &mut DailyRow,
    ) {
        if !self.on() {
            return;
        }
        let k = &s.forums;
        let mut rng = stream(s.run.seed, Purpose::Forum, id | 1 << 41, 0);
        let reward = k.affiliate_reward;
        let p = (k.post * (1.0 + k.reward_posting * reward)).min(1.0);
        if unit_f32(&mut rng) >= p as f32 {
            return;
        }
        let promotional = unit_f32(&mut rng) < (1.0 - (-k.reward_promotion * reward).exp()) as f32;
        let post = Post {
            product: o.product,
            author: o.consumer,
            sentiment: if promotional { 1.0 } else { satisfaction },
            promotional,
            answered: unit_f32(&mut rng) < k.vendor_answers as f32,
            day,
        };
        let topic = world.merchants.topic[world.products.merchant(o.product) as usize] as usize;
        let u = unit_f32(&mut rng);
        self.publish(s, topic, post, u, row);
    }

    /// Delivery: a kept order bought from a member's post pays the member.
    pub fn kept(s: &Scenario, o: &OrderIntent, row: &mut DailyRow) {
        if o.origin == Origin::Forum && o.via != NONE {
            row.forum_rewards += s.forums.affiliate_reward * o.value;
        }
    }
}

// ---- The scenario section `[forums]` and its validation.

/// `[forums]`: topic forums with in-thread purchase buttons. With `read = 0` (the default)
/// nothing here acts. Every default is an assumption (docs/SOURCES.md).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Forums {
    pub read: f64,
    pub shown: u64,
    pub visible: u64,
    pub max_age_days: u64,
    pub post: f64,
    pub review_weight: f64,
    pub vendor_posts: u64,
    pub vendor_answers: f64,
    pub answer_bonus: f64,
    pub moderation: f64,
    pub false_removal: f64,
    pub affiliate_reward: f64,
    pub reward_posting: f64,
    pub reward_promotion: f64,
    pub alienation: f64,
    pub distrust: f64,
}

impl Default for Forums {
    fn default() -> Self {
        Forums {
            read: 0.0,
            shown: 5,
            visible: 50,
            max_age_days: 3,
            post: 0.02,
            review_weight: 2.0,
            vendor_posts: 0,
            vendor_answers: 0.5,
            answer_bonus: 0.5,
            moderation: 0.0,
            false_removal: 0.1,
            affiliate_reward: 0.0,
            reward_posting: 20.0,
            reward_promotion: 5.0,
            alienation: 0.5,
            distrust: 0.002,
        }
    }
}

impl Forums {
    /// Checks the section; the first failure names its key.
    pub(crate) fn validate(&self) -> Check {
        probability("forums.read", self.read)?;
        at_least("forums.shown", self.shown, 1)?;
        at_most("forums.shown", self.shown, 1000)?;
        at_least("forums.visible", self.visible, 1)?;
        at_most("forums.visible", self.visible, 100_000)?;
        at_least("forums.max_age_days", self.max_age_days, 1)?;
        at_most("forums.max_age_days", self.max_age_days, 100_000)?;
        probability("forums.post", self.post)?;
        finite("forums.review_weight", self.review_weight)?;
        at_most_f("forums.review_weight", self.review_weight.abs(), 100.0)?;
        at_most("forums.vendor_posts", self.vendor_posts, 10_000)?;
        probability("forums.vendor_answers", self.vendor_answers)?;
        finite("forums.answer_bonus", self.answer_bonus)?;
        at_most_f("forums.answer_bonus", self.answer_bonus.abs(), 100.0)?;
        probability("forums.moderation", self.moderation)?;
        probability("forums.false_removal", self.false_removal)?;
        share_of_price("forums.affiliate_reward", self.affiliate_reward)?;
        for (name, v) in [
            ("forums.reward_posting", self.reward_posting),
            ("forums.reward_promotion", self.reward_promotion),
            ("forums.alienation", self.alienation),
        ] {
            non_negative(name, v)?;
            at_most_f(name, v, 1000.0)?;
        }
        probability("forums.distrust", self.distrust)?;
        Ok(())
    }
}
