//! Phase A: one consumer's day, read-only over the frozen world. Builds the feed
//! (candidate generation, then ranking), draws engagement, follows and purchases, and
//! writes them into the [`DayEvents`] of its chunk.

use crate::behaviour::{Basket, OrderIntent};
use crate::policy::recommend::estimate::{self, Prior};
use crate::policy::recommend::{
    Candidate, ConsumerView, DayPools, Impression, Pool, PoolMix, Recommender, Scored,
};
use crate::rng::{Purpose, StreamRng, below, key, mix32, stream, unit_f32};
use crate::scenario::Scenario;
use crate::world::{NONE, World, cosine};
use rayon::prelude::*;

/// What a run of consumers did today. Counters are integers, so merging is exact in any
/// order; event lists keep consumer order when merged left to right.
pub struct DayEvents {
    /// Impressions per creator today.
    pub exposure: Vec<u32>,
    /// Engagements per creator today.
    pub engaged: Vec<u32>,
    pub active: u64,
    pub impressions: u64,
    pub engagements: u64,
    /// (consumer, creator) follow decisions, in consumer order.
    pub follows: Vec<(u32, u32)>,
    pub orders: Vec<OrderIntent>,
    /// Consumers who visited today, in consumer order.
    pub visitors: Vec<u32>,
    /// Consumers who churned this morning (the churn hazard), in consumer order.
    pub churned: Vec<u32>,
    /// Prospective consumers who joined today, in consumer order.
    pub arrivals: Vec<u32>,
    /// Feeds built today, and the sum over them of their Gini–Simpson topic diversity in
    /// millionths (integers, so that the sum is exact in any order).
    pub feeds: u64,
    pub diversity_micros: u64,
    /// Sum over impressions of the engagement probability, in millionths.
    pub engage_prob_micros: u64,
    /// (consumer, creator) engagements of the homogenization sample.
    pub sample_engagements: Vec<(u32, u32)>,
    /// Ad impressions shown today.
    pub ad_impressions: u64,
    /// Impressions and engagements at each organic feed position (0 = the top).
    pub by_position: Vec<[u64; 2]>,
    /// Every organic impression, when the recommender asks for the log.
    pub log: Vec<Impression>,
    /// Ranking quality over the feeds of the quality sample: the sum of NDCG@K in
    /// millionths, and the number of feeds.
    pub ndcg_micros: u64,
    pub ndcg_feeds: u64,
    /// Error of the platform's interest estimates over the visitors of the quality sample:
    /// the sum in millionths, and the number of visitors.
    pub error_micros: u64,
    pub error_visitors: u64,
    /// Engagement probability summed (in millionths) over impressions shown to new consumers
    /// (in their first [`NEW_CONSUMER_DAYS`] days), and their number.
    pub new_prob_micros: u64,
    pub new_impressions: u64,
    /// Purchase intents formed today: (consumer, packed intent), in consumer order.
    pub new_intents: Vec<(u32, u32)>,
    pub intents_opened: u64,
    /// Searches made today, and the orders they led to.
    pub searches: u64,
    pub search_orders: u64,
    /// Group chats (filled by the channel phase, after phase A): joins (consumer, chat of
    /// its community), readers, orders placed into solitaire lists, and for each post
    /// weighed (consumer, the index of the term that led the decision, bought).
    pub chat_joins: Vec<(u32, u8)>,
    pub chat_readers: u64,
    pub chat_posts: u64,
    pub chat_orders: u64,
    pub chat_leads: Vec<(u32, u8, bool)>,
    /// Forum visits read today, the orders they led to, and the trust each reader lost to
    /// promotion (consumer, loss), in consumer order.
    pub forum_reads: u64,
    pub forum_orders: u64,
    pub forum_distrust: Vec<(u32, f32)>,
    scratch: FeedScratch,
}

/// Consumers `0, QUALITY_STRIDE, 2·QUALITY_STRIDE, …` form the sample over which ranking
/// quality and estimate error are measured (they cost a true match per candidate).
pub const QUALITY_STRIDE: usize = 8;

/// Rounds of redrawing the candidates that duplicated others (each costs its draws; one
/// round recovers most of the shortfall).
const REFILL_ROUNDS: usize = 1;

/// A consumer counts as new in its first this many days on the platform.
pub const NEW_CONSUMER_DAYS: u32 = 7;

/// Buffers reused from feed to feed; after [`DayView::build_feed`], `feed` holds the feed.
#[derive(Default)]
pub struct FeedScratch {
    pub feed: Vec<Candidate>,
    /// The platform's estimate of the consumer's interests the feed was built from.
    pub interest: Vec<f32>,
    /// The candidates' true gains, for NDCG, in candidate (draw) order.
    gains: Vec<f32>,
    /// The same gains, best first (the ideal ranking).
    ideal: Vec<f32>,
    /// NDCG's position discounts, 1 / log2(k + 2) for position k, as far as computed.
    discounts: Vec<f32>,
    ids: Vec<u32>,
    /// Per account: 0, or 1 + the pool index of its first draw into this feed (the lowest
    /// when drawn more than once). Zero again after every feed.
    drawn: Vec<u8>,
    scores: Vec<f32>,
    /// Sort keys and the order that sorts them ([`sort_order`]), and its fallback's keys.
    keys: Vec<u32>,
    order: Vec<u32>,
    wide: Vec<u64>,
    unranked: Vec<Candidate>,
    ranked: Vec<Scored>,
}

impl DayEvents {
    pub fn new(creators: usize, feed_size: usize) -> DayEvents {
        DayEvents {
            exposure: vec![0; creators],
            engaged: vec![0; creators],
            active: 0,
            impressions: 0,
            engagements: 0,
            follows: Vec::new(),
            orders: Vec::new(),
            visitors: Vec::new(),
            churned: Vec::new(),
            arrivals: Vec::new(),
            feeds: 0,
            diversity_micros: 0,
            engage_prob_micros: 0,
            sample_engagements: Vec::new(),
            ad_impressions: 0,
            by_position: vec![[0; 2]; feed_size],
            log: Vec::new(),
            ndcg_micros: 0,
            ndcg_feeds: 0,
            error_micros: 0,
            error_visitors: 0,
            new_prob_micros: 0,
            new_impressions: 0,
            new_intents: Vec::new(),
            intents_opened: 0,
            searches: 0,
            search_orders: 0,
            chat_joins: Vec::new(),
            chat_readers: 0,
            chat_posts: 0,
            chat_orders: 0,
            chat_leads: Vec::new(),
            forum_reads: 0,
            forum_orders: 0,
            forum_distrust: Vec::new(),
            scratch: FeedScratch::default(),
        }
    }

    /// Appends `later` (the consumers after ours) to `self`.
    pub fn merge(mut self, mut later: DayEvents) -> DayEvents {
        for (a, b) in self.exposure.iter_mut().zip(&later.exposure) {
            *a += b;
        }
        for (a, b) in self.engaged.iter_mut().zip(&later.engaged) {
            *a += b;
        }
        self.active += later.active;
        self.impressions += later.impressions;
        self.engagements += later.engagements;
        self.follows.append(&mut later.follows);
        self.orders.append(&mut later.orders);
        self.visitors.append(&mut later.visitors);
        self.churned.append(&mut later.churned);
        self.arrivals.append(&mut later.arrivals);
        self.feeds += later.feeds;
        self.diversity_micros += later.diversity_micros;
        self.engage_prob_micros += later.engage_prob_micros;
        self.sample_engagements
            .append(&mut later.sample_engagements);
        self.ad_impressions += later.ad_impressions;
        for (a, b) in self.by_position.iter_mut().zip(&later.by_position) {
            a[0] += b[0];
            a[1] += b[1];
        }
        self.log.append(&mut later.log);
        self.ndcg_micros += later.ndcg_micros;
        self.ndcg_feeds += later.ndcg_feeds;
        self.error_micros += later.error_micros;
        self.error_visitors += later.error_visitors;
        self.new_prob_micros += later.new_prob_micros;
        self.new_impressions += later.new_impressions;
        self.new_intents.append(&mut later.new_intents);
        self.intents_opened += later.intents_opened;
        self.searches += later.searches;
        self.search_orders += later.search_orders;
        self.chat_joins.append(&mut later.chat_joins);
        self.chat_readers += later.chat_readers;
        self.chat_posts += later.chat_posts;
        self.chat_orders += later.chat_orders;
        self.chat_leads.append(&mut later.chat_leads);
        self.forum_reads += later.forum_reads;
        self.forum_orders += later.forum_orders;
        self.forum_distrust.append(&mut later.forum_distrust);
        self
    }
}

/// A creator as phase A sees it today, packed so that one candidate costs one cache line
/// (plus its topic row).
#[derive(Clone, Copy, Debug, Default)]
#[repr(align(64))]
pub struct CreatorCard {
    pub impressions: u64,
    pub engagements: u64,
    pub relative_exposure: f32,
    pub popularity: f32,
    pub log_popularity: f32,
    pub engagement_rate: f32,
    pub conversion_rate: f32,
    pub followers: u32,
    pub item_day: u32,
    pub item_quality: f32,
    pub item_product: u32,
    /// List price of the item's product (0 for pure content).
    pub item_price: f32,
    pub trust: f32,
    /// The main topic (topics are at most 64).
    pub topic: u8,
    pub active: bool,
    pub live: bool,
    pub is_host: bool,
}

// One candidate, one cache line.
const _: () = assert!(std::mem::size_of::<CreatorCard>() == 64);

/// Today's cards of all creators and hosts.
pub fn creator_cards(
    cr: &crate::world::Creators,
    products: &crate::world::Products,
) -> Vec<CreatorCard> {
    let (sum, active) = (0..cr.len())
        .filter(|&c| cr.active[c])
        .fold((0.0f64, 0usize), |(s, n), c| {
            (s + cr.exposure_ema[c] as f64, n + 1)
        });
    let mean = if sum > 0.0 {
        (sum / active as f64) as f32
    } else {
        1.0
    };
    let mean_popularity = crate::policy::recommend::mean_popularity(cr) as f32;
    // Each card is its creator's alone: built in parallel, collected in creator order.
    (0..cr.len())
        .into_par_iter()
        .map(|c| CreatorCard {
            impressions: cr.exposure_total[c],
            engagements: cr.engagements_total[c],
            relative_exposure: cr.exposure_ema[c] / mean,
            topic: cr.topic[c] as u8,
            popularity: cr.popularity[c],
            log_popularity: (cr.popularity[c] / mean_popularity).ln_1p(),
            engagement_rate: (cr.engagements_total[c] as f32 + 1.0)
                / (cr.exposure_total[c] as f32 + 20.0),
            conversion_rate: (cr.orders_total[c] as f32 + 0.1)
                / (cr.exposure_total[c] as f32 + 20.0),
            followers: cr.followers[c],
            item_day: cr.item_day[c],
            item_quality: cr.item_quality[c],
            item_product: cr.item_product[c],
            item_price: match cr.item_product[c] {
                NONE => 0.0,
                p => products.price[p as usize],
            },
            trust: cr.trust[c] * (1.0 - cr.damage[c]),
            active: cr.active[c],
            live: cr.live[c],
            is_host: cr.kind[c] == crate::world::CreatorKind::Host,
        })
        .collect()
}

/// Everything phase A reads: the frozen world, today's pools and the coefficients.
pub struct DayView<'a> {
    pub s: &'a Scenario,
    pub world: &'a World,
    pub pools: &'a DayPools,
    pub cards: &'a [CreatorCard],
    pub recommender: &'a dyn Recommender,
    pub mix: [f32; 6],
    pub day: u32,
    pub seed: u64,
    /// `hosts.session_stock` as f32.
    pub stock: f32,
    /// Consumers `0, stride, 2·stride, …` below `stride · sample` form the homogenization sample.
    pub sample_stride: usize,
    pub sample_size: usize,
    /// What the policies make available today.
    pub today: crate::policy::Today,
    /// The policies, for their phase-A hooks.
    pub policies: &'a crate::policy::Policies,
    /// The probability that an impression at each feed position is examined
    /// (`(1 + position)^−behaviour.position_decay`).
    pub examination: &'a [f32],
    /// A bit per account: active and with new content today (an item posted today, or live).
    /// Compact, so that checking a consumer's follows costs no card reads.
    pub fresh: &'a [u64],
    /// A bit per account: active today (the cards' `active`, a few KiB that stay in L1), so
    /// that rejecting a drawn candidate costs no card read.
    pub active: &'a [u64],
    /// The prior of the platform's interest estimates today.
    pub prior: Prior,
    /// Log every impression ([`Recommender::wants_impressions`]).
    pub log: bool,
    /// The habit's decay over a number of days.
    pub habit_decay: &'a crate::world::HabitDecay,
}

#[inline]
fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl DayView<'_> {
    /// Simulates consumer `i`'s day into `ev`; `model` is the platform's counts for `i`
    /// ([`estimate`]), which the day's impressions update after the feed is built.
    pub fn consumer_day(&self, i: usize, ev: &mut DayEvents, model: &mut [f32]) {
        let w = self.world;
        let cons = &w.consumers;
        if cons.churned[i] {
            return;
        }
        // A feed's social draws read the latest follow of random friends: start those reads
        // now, so that their misses overlap each other and the visit decision.
        for &f in w.social.neighbours(i as u32).iter().take(PREFETCH_FRIENDS) {
            prefetch(&cons.latest_follow[f as usize]);
        }
        // What the policies hold out to this consumer today (an incentive may draw it in).
        let perks = self.policies.perks(self, i);
        // One key, two draws: its low 24 bits for joining (a prospective consumer) or the
        // churn hazard (a member), its top 24 for the visit.
        let draw = key(self.seed, Purpose::Activity, i as u64, self.day as u64);
        let low = (draw & 0xff_ffff) as f32 * (1.0 / 16_777_216.0);
        let habit = if cons.joined_day[i] == NONE {
            if low >= self.join_probability(perks.notified) * perks.activity_boost {
                return;
            }
            ev.arrivals.push(i as u32);
            cons.activity[i]
        } else {
            let habit = cons.habit_before(i, self.day, self.habit_decay);
            if low < self.churn_hazard(i, habit) {
                ev.churned.push(i as u32);
                return;
            }
            habit
        };
        let u = (draw >> 40) as f32 * (1.0 / 16_777_216.0);
        if u >= self.visit_probability(i, habit, perks.notified) * perks.activity_boost {
            return;
        }
        ev.active += 1;
        ev.visitors.push(i as u32);
        let mut scratch = std::mem::take(&mut ev.scratch);
        self.build_feed(i, &mut scratch, model);
        if i.is_multiple_of(QUALITY_STRIDE) {
            self.ranking_quality(i, &mut scratch, ev);
        }
        let feed = &scratch.feed;
        // Gini–Simpson diversity of the feed's main topics: 1 − Σ_t (n_t / K)².
        if !feed.is_empty() {
            let mut counts = [0u32; 64];
            for c in feed.iter() {
                counts[c.topic as usize] += 1;
            }
            let k = feed.len() as u64;
            let same: u64 = counts[..self.world.topics]
                .iter()
                .map(|&n| n as u64 * n as u64)
                .sum();
            ev.feeds += 1;
            ev.diversity_micros += (k * k - same) * 1_000_000 / (k * k);
        }
        // An open purchase intent, served by search (before the feed) or left to the feed.
        let mut basket = Basket::new(perks);
        self.policies.intent(self, i, &mut basket, ev);
        self.engage(i, feed, basket, ev, model);
        self.policies.offers(self, i, ev);
        ev.scratch = scratch;
    }

    /// Candidate generation from the pools, then ranking, from the platform's counts `model`
    /// for consumer `i`; leaves the ranked feed in `feed`, the candidates in `unranked` and
    /// the interest estimate in `interest`.
    pub fn build_feed(&self, i: usize, scratch: &mut FeedScratch, model: &[f32]) {
        let FeedScratch {
            feed,
            interest,
            gains: _,
            ideal: _,
            discounts: _,
            ids,
            drawn,
            scores,
            keys,
            order,
            wide,
            unranked,
            ranked,
        } = scratch;
        let w = self.world;
        let (cons, cr) = (&w.consumers, &w.creators);
        let rec = &self.s.recommendation;
        let t = w.topics;
        interest.resize(t, 0.0);
        let scale = estimate::estimate(model, self.prior, interest);
        let interest = &interest[..];
        let follows = cons.followed(i);
        let view = ConsumerView {
            id: i as u32,
            day: self.day,
            follows,
            orders: cons.orders[i],
            recent_merchants: cons.recent_merchants(i),
            interest,
        };
        let friends = w.social.neighbours(i as u32);
        let mut rng = stream(self.seed, Purpose::Feed, i as u64, self.day as u64);
        let n_cand = (rec.feed_size as f64 * rec.oversample).ceil() as usize;
        // A creator drawn twice is one candidate, credited to the first of its pools in
        // `PoolMix::POOLS` order: `drawn` marks the creators drawn so far with that pool.
        // Draws that repeat a candidate are drawn again from the mix (`REFILL_ROUNDS` more
        // round), so that duplicates do not hand their slots to other
        // pools: a pool's share of the candidates is its share of the mix.
        if drawn.len() < self.cards.len() {
            drawn.resize(self.cards.len(), 0);
        }
        ids.clear();
        let mut wanted = n_cand;
        let mix = self.mix;
        'rounds: for _ in 0..=REFILL_ROUNDS {
            // How many of the round's draws each pool makes: one uniform per draw against
            // the cumulative mix, counted without a branch (a multinomial over the mix).
            // The draws are then made pool by pool: the same distribution as choosing the
            // pool draw by draw, but each pool's branch is taken once, not mispredicted
            // at every draw (about a tenth of the simulation of bench_1m; BENCHMARKS.md).
            let mut per_pool = [0u32; 6];
            for _ in 0..wanted {
                let u = unit_f32(&mut rng);
                per_pool[mix.iter().map(|&c| (u >= c) as usize).sum::<usize>()] += 1;
            }
            // Takes the draw `pick` of pool `p`: exited accounts (possible among follows) and
            // empty pools fall back to exploration; false when nothing can be drawn at all.
            let mut take = |pick: Option<u32>, p: usize, rng: &mut StreamRng| -> bool {
                let (c, p) = match pick.filter(|&c| bit(self.active, c)) {
                    Some(c) => (c, p),
                    None => match self.pools.explore(rng) {
                        Some(c) => (c, 5),
                        None => return false,
                    },
                };
                let ci = c as usize;
                let mark = &mut drawn[ci];
                if *mark == 0 {
                    // The candidate's card and topic row are read when it is scored: start
                    // the reads now, so that the misses of all draws overlap.
                    prefetch(&self.cards[ci]);
                    prefetch(&cr.profile[ci * t]);
                    prefetch(&cr.profile[ci * t + t - 1]);
                    ids.push(c);
                    *mark = p as u8 + 1;
                } else {
                    *mark = (*mark).min(p as u8 + 1);
                }
                true
            };
            // Then each pool's draws, in `PoolMix::POOLS` order.
            for (p, &n) in per_pool.iter().enumerate() {
                for _ in 0..n {
                    let pick = match PoolMix::POOLS[p] {
                        Pool::Followed => pick(&mut rng, follows),
                        Pool::Social => {
                            if friends.is_empty() {
                                None
                            } else {
                                let f = friends[below(&mut rng, friends.len())] as usize;
                                Some(cons.latest_follow[f]).filter(|&c| c != NONE)
                            }
                        }
                        Pool::Interest => self
                            .pools
                            .of_topic(draw_topic(&mut rng, interest), &mut rng),
                        Pool::Popular => self.pools.popular(&mut rng),
                        Pool::Live => self.pools.live(&mut rng),
                        Pool::Explore => self.pools.explore(&mut rng),
                    };
                    if !take(pick, p, &mut rng) {
                        break 'rounds;
                    }
                }
            }
            wanted = n_cand
                .min(self.pools.active.len())
                .saturating_sub(ids.len());
            if wanted == 0 || ids.is_empty() {
                break;
            }
        }
        // Candidates in the order they were first drawn (pool by pool, in `PoolMix::POOLS`
        // order), unsorted: sorting them into id order cost about 4 % of the run (BENCHMARKS.md).
        feed.clear();
        for &c in ids.iter() {
            let ci = c as usize;
            let pool = PoolMix::POOLS[(std::mem::take(&mut drawn[ci]) - 1) as usize];
            let card = &self.cards[ci];
            let cand = Candidate {
                creator: c,
                pool,
                is_host: card.is_host,
                live: card.live,
                followed: pool == Pool::Followed || follows.contains(&c),
                topic: card.topic as u32,
                match_score: estimate::matched(interest, scale, &cr.profile[ci * t..(ci + 1) * t]),
                popularity: card.popularity,
                log_popularity: card.log_popularity,
                engagement_rate: card.engagement_rate,
                conversion_rate: card.conversion_rate,
                impressions: card.impressions,
                engagements: card.engagements,
                relative_exposure: card.relative_exposure,
                followers: card.followers,
                item_age_days: self.day.saturating_sub(card.item_day),
                item_price: card.item_price,
            };
            feed.push(cand);
        }
        self.recommender.score_all(&view, feed, scores, &mut rng);
        // Score descending, then a random order among equal scores: they are common while
        // the cards hold only priors (the first day or two). The order of the draws would
        // favour the pools drawn first, and the account ids the accounts made first; each
        // feed's own salt scrambles the ids instead (distinct ids, distinct tie-breakers).
        keys.clear();
        keys.extend(scores.iter().map(|&score| !order_bits(score)));
        let salt = key(self.seed, Purpose::TieBreak, i as u64, self.day as u64) as u32;
        sort_order(keys, Some((ids, salt)), order, wide);

        std::mem::swap(feed, unranked);
        // `unranked` now holds the candidates, in draw order.

        ranked.clear();
        ranked.extend(order.iter().map(|&k| Scored {
            score: scores[k as usize],
            candidate: unranked[k as usize],
        }));
        self.recommender.rerank(
            &view,
            ranked,
            (rec.feed_size - self.s.platform.ad_slots) as usize,
        );
        // Ad slots take the last places of the feed.
        let organic = (rec.feed_size - self.s.platform.ad_slots) as usize;
        ranked.truncate(organic);
        feed.clear();
        feed.extend(ranked.iter().map(|s| s.candidate));
    }

    /// How well consumer `i`'s feed is ranked, and how far the platform's estimate of its
    /// interests is from the truth, into `ev` (the quality sample only).
    fn ranking_quality(&self, i: usize, scratch: &mut FeedScratch, ev: &mut DayEvents) {
        let t = self.world.topics;
        let truth = &self.world.consumers.interest[i * t..(i + 1) * t];
        ev.error_micros += (estimate::error(&scratch.interest, truth) * 1e6) as u64;
        ev.error_visitors += 1;
        if scratch.feed.is_empty() {
            return;
        }
        // NDCG@K: the feed's discounted gain against the best K of its candidates, the gain
        // of an item being its true engagement probability when examined.
        let FeedScratch {
            feed,
            unranked,
            gains,
            ideal: best,
            discounts,
            keys,
            order,
            wide,
            ..
        } = scratch;
        while discounts.len() < feed.len() {
            discounts.push(1.0 / ((discounts.len() + 2) as f32).log2());
        }
        let discount = |k: usize| discounts[k];
        gains.clear();
        gains.extend(unranked.iter().map(|c| sigmoid(self.engage_logit(i, c).0)));
        keys.clear();
        keys.extend(gains.iter().map(|&g| !order_bits(g)));
        sort_order(keys, None, order, wide);
        best.clear();
        best.extend(order.iter().map(|&k| gains[k as usize]));
        let ideal: f32 = best
            .iter()
            .take(feed.len())
            .enumerate()
            .map(|(k, g)| g * discount(k))
            .sum();
        // A feed item's gain is its candidate's (found among the ~30 in `unranked`), unless
        // the re-ranking changed what the gain reads.
        let dcg: f32 = feed
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let gain = match unranked.iter().position(|u| u.creator == c.creator) {
                    Some(j) if unranked[j].followed == c.followed && unranked[j].live == c.live => {
                        gains[j]
                    }
                    _ => sigmoid(self.engage_logit(i, c).0),
                };
                gain * discount(k)
            })
            .sum();
        ev.ndcg_micros += (dcg / ideal * 1e6) as u64;
        ev.ndcg_feeds += 1;
    }

    /// The logit of consumer `i`'s engagement with an examined impression of `cand`, from
    /// the consumer's true interests, with its true match and trust term.
    #[inline]
    fn engage_logit(&self, i: usize, cand: &Candidate) -> (f32, f32, f32) {
        let (cons, cr) = (&self.world.consumers, &self.world.creators);
        let b = &self.s.behaviour;
        let (t, c) = (self.world.topics, cand.creator as usize);
        let card = &self.cards[c];
        let matched = cosine(
            &cons.interest[i * t..(i + 1) * t],
            cons.interest_inv_norm[i],
            &cr.profile[c * t..(c + 1) * t],
            cr.profile_inv_norm[c],
        );
        let trust =
            card.trust * cons.trust[i] + b.followed_trust_bonus as f32 * cand.followed as u8 as f32;
        let logit = b.engage_match as f32 * matched
            + b.engage_quality as f32 * card.item_quality
            + b.engage_trust as f32 * trust
            - b.engage_bias as f32
            + b.live_engage_boost as f32 * cand.live as u8 as f32;
        (logit, matched, trust)
    }

    /// Impressions, engagement, follows and purchases for the ranked feed; each impression
    /// goes into the platform's counts `model`.
    fn engage(
        &self,
        i: usize,
        feed: &[Candidate],
        mut basket: Basket,
        ev: &mut DayEvents,
        model: &mut [f32],
    ) {
        let w = self.world;
        let cons = &w.consumers;
        let b = &self.s.behaviour;
        let mut rng = stream(self.seed, Purpose::Engage, i as u64, self.day as u64);
        let mut purchase_rng: Option<StreamRng> = None;
        let joined = cons.joined_day[i];
        let new = joined == NONE || self.day - joined < NEW_CONSUMER_DAYS;
        let evidence = self.s.recommendation.purchase_evidence as f32;
        for (position, cand) in feed.iter().enumerate() {
            let c = cand.creator as usize;
            let card = &self.cards[c];
            ev.exposure[c] += 1;
            ev.impressions += 1;
            let (logit, matched, trust) = self.engage_logit(i, cand);
            // Position bias: an impression is engaged with only if it is examined.
            let p_engage = self.examination[position] * sigmoid(logit);
            // p_engage is in [0, 1]: through u32 the same value as `as u64`, and a
            // cheaper conversion (no saturation at 2^63 to handle).
            let micros = (p_engage * 1e6) as u32 as u64;
            ev.engage_prob_micros += micros;
            if new {
                ev.new_prob_micros += micros;
                ev.new_impressions += 1;
            }
            ev.by_position[position][0] += 1;
            let engaged = unit_f32(&mut rng) < p_engage;
            let orders_before = ev.orders.len();
            if engaged {
                ev.by_position[position][1] += 1;
                ev.engaged[c] += 1;
                ev.engagements += 1;
                if i.is_multiple_of(self.sample_stride) && i / self.sample_stride < self.sample_size
                {
                    ev.sample_engagements.push((i as u32, c as u32));
                }
                if !cand.followed && unit_f32(&mut rng) < b.follow_prob as f32 * matched {
                    ev.follows.push((i as u32, c as u32));
                }
                if card.item_product != NONE && basket.orders < b.max_orders_per_day {
                    let rng = purchase_rng.get_or_insert_with(|| {
                        stream(self.seed, Purpose::Purchase, i as u64, self.day as u64)
                    });
                    self.consider_item(i, cand, card, matched, trust, &mut basket, rng, ev);
                }
            }
            let purchased = ev.orders.len() > orders_before;
            estimate::record(model, card.topic as usize, engaged, purchased, evidence);
            if self.log {
                ev.log.push(Impression {
                    consumer: i as u32,
                    creator: c as u32,
                    position: position as u16,
                    engaged,
                    purchased,
                });
            }
        }
    }
}

/// Maps an f32 to a u32 whose unsigned order is the float's total order.
#[inline]
fn order_bits(x: f32) -> u32 {
    let b = x.to_bits();
    if b >> 31 == 1 { !b } else { b | 0x8000_0000 }
}

/// At most this many keys are ordered by counting in [`sort_order`] (a `u64` holds the
/// ranks seen).
const COUNTED: usize = 64;

/// The order that sorts `keys` ascending: `order[r]` is the index of the `r`-th key. Equal
/// keys are in the order of their tie-breakers, or in index order without them: with `ties`
/// = `(ids, salt)`, key `k`'s tie-breaker is `mix32(ids[k] ^ salt)`, distinct for distinct
/// ids and computed only when some keys are equal. `wide` is scratch.
///
/// A feed's 30-odd keys, when distinct, are ordered by counting: each key's rank is the
/// number of keys below it, a branch-free loop that vectorises, where a sort's comparisons
/// are mispredicted about half the time (BENCHMARKS.md); with `ties`, equal keys are
/// ordered by counting too. Equal keys without `ties` (or with equal `ties`), and more than
/// [`COUNTED`] keys, fall back to a sort: of `key << 32 | index`, or of the indices by key
/// and tie. Every path gives the same order.
fn sort_order(
    keys: &[u32],
    ties: Option<(&[u32], u32)>,
    order: &mut Vec<u32>,
    wide: &mut Vec<u64>,
) {
    let n = keys.len();
    order.clear();
    if n <= COUNTED {
        // Padding with the largest key counts below nothing; 8 keys a step, no remainder.
        let mut padded = [u32::MAX; COUNTED];
        padded[..n].copy_from_slice(keys);
        let padded = &padded[..n.div_ceil(8) * 8];
        let mut ranks = [0u8; COUNTED];
        let mut seen = 0u64;
        for (rank, &key) in ranks.iter_mut().zip(keys) {
            let below: u32 = padded.iter().map(|&x| (x < key) as u32).sum();
            *rank = below as u8;
            seen |= 1 << below;
        }
        // Distinct keys have the n ranks 0..n; equal keys share one. Then, with tie-breakers,
        // each rank also counts the equal keys whose tie-breaker is lower.
        if seen.count_ones() as usize != n
            && let Some((ids, salt)) = ties
        {
            let mut tied = [u32::MAX; COUNTED];
            for (t, &id) in tied.iter_mut().zip(ids) {
                *t = mix32(id ^ salt);
            }
            seen = 0;
            for ((rank, &key), &tie) in ranks.iter_mut().zip(keys).zip(&tied[..n]) {
                let equal_below: u32 = padded
                    .iter()
                    .zip(&tied)
                    .map(|(&x, &t)| (x == key && t < tie) as u32)
                    .sum();
                *rank += equal_below as u8;
                seen |= 1 << *rank;
            }
        }
        if seen.count_ones() as usize == n {
            order.resize(n, 0);
            for (k, &rank) in ranks[..n].iter().enumerate() {
                order[rank as usize] = k as u32;
            }
            return;
        }
    }
    if let Some((ids, salt)) = ties {
        order.extend(0..n as u32);
        order.sort_unstable_by_key(|&k| (keys[k as usize], mix32(ids[k as usize] ^ salt)));
        return;
    }
    wide.clear();
    wide.extend(
        keys.iter()
            .enumerate()
            .map(|(k, &key)| (key as u64) << 32 | k as u64),
    );
    wide.sort_unstable();
    order.extend(wide.iter().map(|&w| w as u32));
}

/// Whether bit `c` of `bits` is set.
#[inline]
pub(crate) fn bit(bits: &[u64], c: u32) -> bool {
    bits[c as usize / 64] >> (c % 64) & 1 == 1
}

/// At most this many friends' latest follows are prefetched per feed (a hub's friends are
/// many, its social draws few).
const PREFETCH_FRIENDS: usize = 16;

/// A hint to bring `x`'s cache line towards the core; it changes no value.
#[inline(always)]
fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `x` is a valid reference; a prefetch reads nothing into the program and
    // cannot fault.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            x as *const T as *const i8,
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

#[inline]
fn pick(rng: &mut StreamRng, list: &[u32]) -> Option<u32> {
    (!list.is_empty()).then(|| list[below(rng, list.len())])
}

/// A topic drawn in proportion to the consumer's interest weights.
#[inline]
pub(crate) fn draw_topic(rng: &mut StreamRng, interest: &[f32]) -> usize {
    let mut u = unit_f32(rng);
    for (t, &w) in interest.iter().enumerate() {
        if u < w {
            return t;
        }
        u -= w;
    }
    interest.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `sort_order` against a stable sort of the same keys, and of the keys with tie-breakers:
    /// distinct keys (the counting path), ties (the fallbacks), every length either side of
    /// `COUNTED`, and keys at the ends of the range.
    #[test]
    fn sort_order_is_a_stable_sort() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut order, mut wide) = (Vec::new(), Vec::new());
        for n in 0..=COUNTED + 3 {
            for range in [u64::from(u32::MAX) + 1, 40, 3] {
                let mut keys: Vec<u32> = (0..n).map(|_| (next() % range) as u32).collect();
                if n > 1 {
                    keys[0] = u32::MAX;
                    keys[n - 1] = 0;
                }
                let mut expected: Vec<u32> = (0..n as u32).collect();
                expected.sort_by_key(|&k| keys[k as usize]);
                sort_order(&keys, None, &mut order, &mut wide);
                assert_eq!(order, expected, "keys {keys:?}");
                // With distinct ids, equal keys go in the order of the ids' scramble.
                let ids: Vec<u32> = (0..n as u32).map(|k| 1000 - 7 * k).collect();
                let salt = next() as u32;
                let mut expected: Vec<u32> = (0..n as u32).collect();
                expected.sort_by_key(|&k| (keys[k as usize], mix32(ids[k as usize] ^ salt)));
                sort_order(&keys, Some((&ids, salt)), &mut order, &mut wide);
                assert_eq!(order, expected, "keys {keys:?}, ids {ids:?}, salt {salt}");
            }
        }
    }

    /// `order_bits` orders floats as `total_cmp` does.
    #[test]
    fn order_bits_follows_the_total_order() {
        let xs = [
            f32::NEG_INFINITY,
            -1.5,
            -0.0,
            0.0,
            1e-30,
            0.5,
            1.0,
            f32::INFINITY,
        ];
        for a in xs {
            for b in xs {
                assert_eq!(
                    order_bits(a).cmp(&order_bits(b)),
                    a.total_cmp(&b),
                    "{a} {b}"
                );
            }
        }
    }
}
