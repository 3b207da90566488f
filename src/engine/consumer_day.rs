//! Phase A: one consumer's day, read-only over the frozen world. Builds the feed
//! (candidate generation, then ranking), draws engagement, follows and purchases, and
//! writes them into the [`DayEvents`] of its chunk.

use crate::policy::recommend::{
    Candidate, ConsumerView, DayPools, Pool, PoolMix, Recommender, Scored,
};
use crate::rng::{Purpose, StreamRng, below, key, stream, unit_f32};
use crate::scenario::Scenario;
use crate::world::{NONE, World, cosine};

/// A purchase decided in phase A, to be checked against stock and booked in phase B.
#[derive(Clone, Copy, Debug)]
pub struct OrderIntent {
    pub consumer: u32,
    pub creator: u32,
    pub product: u32,
    /// Price paid, after any discount.
    pub value: f64,
    pub live: bool,
    /// The impulse term of the purchase utility (also raises the return probability).
    pub impulse: f32,
    /// Quality the consumer expects: advertised quality plus live hype.
    pub expected: f32,
    /// Coupon value taken off the price (paid by the platform; 0 without a coupon).
    pub coupon: f32,
    /// Membership points redeemed on this order (paid by the platform).
    pub points: f32,
    /// The group this order joins ([`NONE`]: a group-buy product bought from a feed opens one).
    pub group: u32,
}

/// An offer a consumer weighs in a purchase decision: a creator's item in the feed, a
/// friend's group invitation or share, an ad. Each source fills the terms it knows;
/// [`DayView::utility`] turns them into the one purchase utility.
#[derive(Clone, Copy, Debug)]
pub struct Offer {
    pub product: u32,
    /// Interest match (cosine): with the creator's profile for a feed item, with the
    /// merchant's topic otherwise.
    pub match_score: f32,
    /// The trust term: creator credibility × platform trust (plus the followed bonus) for a
    /// feed item; the consumer's platform trust otherwise.
    pub trust: f32,
    /// Share of the price taken off (discounts, coupon and points), for the deal term.
    pub discount: f32,
    /// What the consumer pays.
    pub paid: f32,
    /// Live impulse, or a friend's endorsement.
    pub bonus: f32,
}

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
    /// Consumers active today, recorded only on the days retention needs.
    pub active_ids: Vec<u32>,
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
    scratch: FeedScratch,
}

/// Buffers reused from feed to feed; after [`DayView::build_feed`], `feed` holds the feed.
#[derive(Default)]
pub struct FeedScratch {
    pub feed: Vec<Candidate>,
    ids: Vec<u32>,
    keys: Vec<u64>,
    unranked: Vec<Candidate>,
    ranked: Vec<Scored>,
}

impl DayEvents {
    pub fn new(creators: usize) -> DayEvents {
        DayEvents {
            exposure: vec![0; creators],
            engaged: vec![0; creators],
            active: 0,
            impressions: 0,
            engagements: 0,
            follows: Vec::new(),
            orders: Vec::new(),
            active_ids: Vec::new(),
            feeds: 0,
            diversity_micros: 0,
            engage_prob_micros: 0,
            sample_engagements: Vec::new(),
            ad_impressions: 0,
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
        self.active_ids.append(&mut later.active_ids);
        self.feeds += later.feeds;
        self.diversity_micros += later.diversity_micros;
        self.engage_prob_micros += later.engage_prob_micros;
        self.sample_engagements
            .append(&mut later.sample_engagements);
        self.ad_impressions += later.ad_impressions;
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
    pub topic: u32,
    pub popularity: f32,
    pub log_popularity: f32,
    pub engagement_rate: f32,
    pub followers: u32,
    pub item_day: u32,
    pub item_quality: f32,
    pub item_product: u32,
    pub trust: f32,
    pub active: bool,
    pub live: bool,
    pub is_host: bool,
}

/// Today's cards of all creators and hosts.
pub fn creator_cards(cr: &crate::world::Creators) -> Vec<CreatorCard> {
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
    (0..cr.len())
        .map(|c| CreatorCard {
            impressions: cr.exposure_total[c],
            engagements: cr.engagements_total[c],
            relative_exposure: cr.exposure_ema[c] / mean,
            topic: cr.topic[c],
            popularity: cr.popularity[c],
            log_popularity: cr.popularity[c].ln_1p(),
            engagement_rate: (cr.engagements_total[c] as f32 + 1.0)
                / (cr.exposure_total[c] as f32 + 20.0),
            followers: cr.followers[c],
            item_day: cr.item_day[c],
            item_quality: cr.item_quality[c],
            item_product: cr.item_product[c],
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
    pub record_active: bool,
    /// `hosts.session_stock` as f32.
    pub stock: f32,
    /// Consumers `0, stride, 2·stride, …` below `stride · sample` form the homogenization sample.
    pub sample_stride: usize,
    pub sample_size: usize,
    /// What the policies make available today.
    pub today: crate::policy::Today,
    /// The policies, for their phase-A hooks.
    pub policies: &'a crate::policy::Policies,
}

#[inline]
fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl DayView<'_> {
    /// Simulates consumer `i`'s day into `ev`.
    pub fn consumer_day(&self, i: usize, ev: &mut DayEvents) {
        let w = self.world;
        let cons = &w.consumers;
        if cons.churned[i] {
            return;
        }
        let coupon = self.holds_coupon(i);
        // A coupon draws deal seekers in most: the boost scales with deal_seeking relative to
        // its population mean.
        let boost = if coupon {
            let relative = cons.deal_seeking[i] / self.s.consumers.deal_seeking_mean as f32;
            1.0 + self.s.coupons.activity_boost as f32 * relative
        } else {
            1.0
        };
        let u = (key(self.seed, Purpose::Activity, i as u64, self.day as u64) >> 40) as f32
            * (1.0 / 16_777_216.0);
        if u >= cons.activity[i] * boost {
            return;
        }
        ev.active += 1;
        if self.record_active {
            ev.active_ids.push(i as u32);
        }
        let mut scratch = std::mem::take(&mut ev.scratch);
        self.build_feed(i, &mut scratch);
        let feed = &scratch.feed;
        // Gini–Simpson diversity of the feed's main topics: 1 − Σ_t (n_t / K)².
        if !feed.is_empty() {
            let mut counts = [0u32; 64];
            for c in feed.iter() {
                counts[c.topic as usize] += 1;
            }
            let k = feed.len() as u64;
            let same: u64 = counts.iter().map(|&n| n as u64 * n as u64).sum();
            ev.feeds += 1;
            ev.diversity_micros += (k * k - same) * 1_000_000 / (k * k);
        }
        self.engage(i, feed, coupon, ev);
        self.policies.offers(self, i, ev);
        ev.scratch = scratch;
    }

    /// Candidate generation from the pools, then ranking; leaves the ranked feed in `feed`.
    pub fn build_feed(&self, i: usize, scratch: &mut FeedScratch) {
        let FeedScratch {
            feed,
            ids,
            keys,
            unranked,
            ranked,
        } = scratch;
        let w = self.world;
        let (cons, cr) = (&w.consumers, &w.creators);
        let rec = &self.s.recommendation;
        let t = w.topics;
        let interest = &cons.interest[i * t..(i + 1) * t];
        let follows = cons.followed(i);
        let view = ConsumerView {
            id: i as u32,
            day: self.day,
            follows,
            orders: cons.orders[i],
            recent_merchants: cons.recent_merchants(i),
        };
        let mut rng = stream(self.seed, Purpose::Feed, i as u64, self.day as u64);
        let n_cand = (rec.feed_size as f64 * rec.oversample).ceil() as usize;
        // Candidates as `creator << 3 | pool index`, so that sorting groups duplicates and
        // keeps, for each creator, the first pool in `PoolMix::POOLS` order.

        ids.clear();
        for _ in 0..n_cand {
            let u = unit_f32(&mut rng);
            let pool_index = self.mix.iter().position(|&c| u < c).unwrap_or(5);
            let pick = match PoolMix::POOLS[pool_index] {
                Pool::Followed => pick(&mut rng, follows),
                Pool::Social => {
                    let friends = w.social.neighbours(i as u32);
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
            // Exited accounts (possible among follows) and empty pools fall back to exploration.
            let pick = match pick.filter(|&c| self.cards[c as usize].active) {
                Some(c) => Some((c, pool_index)),
                None => self.pools.explore(&mut rng).map(|c| (c, 5)),
            };
            match pick {
                Some((c, p)) => ids.push(c << 3 | p as u32),
                None => break,
            }
        }
        ids.sort_unstable();
        ids.dedup_by_key(|x| *x >> 3);
        feed.clear();

        keys.clear();
        for &id in ids.iter() {
            let c = id >> 3;
            let ci = c as usize;
            let card = &self.cards[ci];
            let cand = Candidate {
                creator: c,
                pool: PoolMix::POOLS[(id & 7) as usize],
                is_host: card.is_host,
                live: card.live,
                followed: follows.contains(&c),
                topic: card.topic,
                match_score: cosine(
                    interest,
                    cons.interest_inv_norm[i],
                    &cr.profile[ci * t..(ci + 1) * t],
                    cr.profile_inv_norm[ci],
                ),
                popularity: card.popularity,
                log_popularity: card.log_popularity,
                engagement_rate: card.engagement_rate,
                impressions: card.impressions,
                engagements: card.engagements,
                relative_exposure: card.relative_exposure,
                followers: card.followers,
                item_age_days: self.day.saturating_sub(card.item_day),
            };
            let score = self.recommender.score(&view, &cand, &mut rng);
            // Sort key: score descending, then creator id ascending (candidates are in id order).
            keys.push((!order_bits(score) as u64) << 32 | feed.len() as u64);
            feed.push(cand);
        }
        keys.sort_unstable();

        std::mem::swap(feed, unranked);

        ranked.clear();
        ranked.extend(keys.iter().map(|&key| {
            let candidate = unranked[(key & 0xffff_ffff) as usize];
            Scored {
                score: order_value(!(key >> 32) as u32),
                candidate,
            }
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

    /// The purchase utility and price of product `product` offered to consumer `i` outside a
    /// creator's item (a friend's invitation or share, an ad): the match is the consumer's
    /// interest in the merchant's topic, the trust term its platform trust, `bonus` the
    /// endorsement. `None` if the merchant is delisted.
    pub(crate) fn offer(
        &self,
        i: usize,
        product: u32,
        discount: f32,
        bonus: f32,
    ) -> Option<(f32, f32)> {
        let w = self.world;
        let (cons, pr, m) = (&w.consumers, &w.products, &w.merchants);
        let (p, mi) = (product as usize, pr.merchant(product) as usize);
        if !self.on_sale(mi) {
            return None;
        }
        let discount = self.with_membership(i, discount);
        let value = pr.price[p] * (1.0 - discount);
        let utility = self.utility(
            i,
            &Offer {
                product,
                // Cosine of the consumer's interests with the merchant's one topic.
                match_score: cons.interest[i * w.topics + m.topic[mi] as usize]
                    * cons.interest_inv_norm[i],
                trust: cons.trust[i],
                discount,
                paid: value,
                bonus,
            },
        );
        Some((utility, value))
    }

    /// Whether merchant `mi`'s products can be bought today (not delisted after a scandal).
    #[inline]
    fn on_sale(&self, mi: usize) -> bool {
        let m = &self.world.merchants;
        !(m.delisted_from[mi]..m.delisted_until[mi]).contains(&self.day)
    }

    /// The purchase utility of an offer to consumer `i`: the one formula every purchase
    /// decision (feed item, invitation, share, ad) goes through. The consumer buys when a
    /// uniform draw falls below `sigmoid(utility − purchase_threshold)` ([`Self::decide`]).
    #[inline]
    fn utility(&self, i: usize, o: &Offer) -> f32 {
        let w = self.world;
        let (cons, pr, m) = (&w.consumers, &w.products, &w.merchants);
        let b = &self.s.behaviour;
        let merchant = pr.merchant(o.product);
        let mi = merchant as usize;
        b.purchase_match as f32 * o.match_score
            + b.purchase_quality as f32 * pr.advertised[o.product as usize]
            + b.purchase_trust as f32 * o.trust
            + b.purchase_reputation as f32 * m.reputation[mi] * (1.0 - m.damage[mi])
            - self.s.scandals.purchase_aversion as f32 * m.damage[mi]
            + b.purchase_discount as f32 * deal_term(cons.deal_seeking[i], o.discount, b)
            + b.purchase_loyalty as f32 * cons.loyalty_to(i, merchant)
            + o.bonus
            - cons.price_sensitivity[i] * o.paid.ln()
    }

    /// The purchase decision on an offer of the given utility: one uniform draw from `rng`.
    #[inline]
    pub(crate) fn decide(&self, utility: f32, rng: &mut StreamRng) -> bool {
        unit_f32(rng) < sigmoid(utility - self.s.behaviour.purchase_threshold as f32)
    }

    /// A discount plus the premium members' discount (capped at 95 %).
    #[inline]
    fn with_membership(&self, i: usize, discount: f32) -> f32 {
        if self.world.consumers.premium[i] {
            (discount + self.s.platform.premium_discount as f32).min(0.95)
        } else {
            discount
        }
    }

    /// Whether consumer `i` holds a coupon today: coupons are out, the consumer is targeted,
    /// and its coupon draw is below `coupons.frequency`.
    fn holds_coupon(&self, i: usize) -> bool {
        use crate::scenario::Targeting;
        if !self.today.coupons {
            return false;
        }
        let c = &self.s.coupons;
        let cons = &self.world.consumers;
        let targeted = match c.targeting {
            Targeting::Everyone => true,
            Targeting::New => cons.orders[i] == 0,
            Targeting::PastBuyers => cons.orders[i] > 0,
            Targeting::Lapsed => {
                cons.orders[i] > 0
                    && self.day.saturating_sub(cons.last_order_day[i]) as u64 >= c.lapsed_days
            }
        };
        let u = (key(self.seed, Purpose::Coupon, i as u64, self.day as u64) >> 40) as f32
            * (1.0 / 16_777_216.0);
        targeted && u < c.frequency as f32
    }

    /// Impressions, engagement, follows and purchases for the ranked feed.
    fn engage(&self, i: usize, feed: &[Candidate], mut coupon: bool, ev: &mut DayEvents) {
        let w = self.world;
        let (cons, pr) = (&w.consumers, &w.products);
        let b = &self.s.behaviour;
        let mut rng = stream(self.seed, Purpose::Engage, i as u64, self.day as u64);
        let mut purchase_rng: Option<StreamRng> = None;
        let mut orders_today = 0u64;
        let mut points_used = 0.0f32;
        for cand in feed {
            let c = cand.creator as usize;
            let card = &self.cards[c];
            ev.exposure[c] += 1;
            ev.impressions += 1;
            let trust = card.trust * cons.trust[i]
                + b.followed_trust_bonus as f32 * cand.followed as u8 as f32;
            let logit = b.engage_match as f32 * cand.match_score
                + b.engage_quality as f32 * card.item_quality
                + b.engage_trust as f32 * trust
                - b.engage_bias as f32
                + b.live_engage_boost as f32 * cand.live as u8 as f32;
            let p_engage = sigmoid(logit);
            ev.engage_prob_micros += (p_engage * 1e6) as u64;
            if unit_f32(&mut rng) >= p_engage {
                continue;
            }
            ev.engaged[c] += 1;
            ev.engagements += 1;
            if i.is_multiple_of(self.sample_stride) && i / self.sample_stride < self.sample_size {
                ev.sample_engagements.push((i as u32, c as u32));
            }
            if !cand.followed && unit_f32(&mut rng) < b.follow_prob as f32 * cand.match_score {
                ev.follows.push((i as u32, c as u32));
            }
            let product = card.item_product;
            if product == NONE || orders_today >= b.max_orders_per_day {
                continue;
            }
            let rng = purchase_rng.get_or_insert_with(|| {
                stream(self.seed, Purpose::Purchase, i as u64, self.day as u64)
            });
            let p = product as usize;
            if !self.on_sale(pr.merchant(product) as usize) {
                continue; // delisted after a scandal: nothing of it can be bought
            }
            let live_discount = if cand.live {
                self.s.hosts.discount as f32
            } else {
                0.0
            };
            let discount = self.with_membership(
                i,
                self.policies
                    .item_discount(w, self.s, product, live_discount),
            );
            let value = pr.price[p] * (1.0 - discount);
            // A coupon applies to the first purchase that reaches the threshold.
            let coupon_value = if coupon && value as f64 >= self.s.coupons.threshold {
                self.s.coupons.value as f32
            } else {
                0.0
            };
            // Points: up to max_redeem_share of the price, from the morning's balance.
            let points = (self.policies.loyalty.balance(i) - points_used)
                .min(value * self.s.loyalty.max_redeem_share as f32)
                .max(0.0);
            let paid = (value - coupon_value - points).max(0.01);
            // Scarcity: a session watched by many followers for little stock feels scarcer.
            let impulse = if cand.live {
                let scarcity = card.followers as f32 / (card.followers as f32 + self.stock);
                cons.impulsivity[i] * (b.live_impulse as f32 + b.scarcity_impulse as f32 * scarcity)
            } else {
                0.0
            };
            let utility = self.utility(
                i,
                &Offer {
                    product,
                    match_score: cand.match_score,
                    trust,
                    discount: discount + (coupon_value + points) / pr.price[p],
                    paid,
                    bonus: impulse,
                },
            );
            if self.decide(utility, rng) {
                orders_today += 1;
                coupon &= coupon_value == 0.0;
                points_used += points;
                let hype = if cand.live {
                    self.s.hosts.live_hype as f32
                } else {
                    0.0
                };
                ev.orders.push(OrderIntent {
                    consumer: i as u32,
                    creator: c as u32,
                    product,
                    value: value as f64,
                    live: cand.live,
                    impulse,
                    expected: pr.advertised[p] + hype,
                    coupon: coupon_value,
                    points,
                    group: NONE,
                });
            }
        }
    }
}

/// The discount's weight in the purchase utility, before `purchase_discount`: the discount
/// itself plus, for deal seekers, how far it beats the discount they have come to expect:
/// `d + deal_amplifier · deal_seeking · (d − deal_reference)`. Without an offer a deal
/// seeker holds back; with a good one it jumps.
#[inline]
fn deal_term(deal_seeking: f32, d: f32, b: &crate::scenario::Behaviour) -> f32 {
    d + b.deal_amplifier as f32 * deal_seeking * (d - b.deal_reference as f32)
}

/// Maps an f32 to a u32 whose unsigned order is the float's total order.
#[inline]
fn order_bits(x: f32) -> u32 {
    let b = x.to_bits();
    if b >> 31 == 1 { !b } else { b | 0x8000_0000 }
}

/// The inverse of [`order_bits`].
#[inline]
fn order_value(bits: u32) -> f32 {
    f32::from_bits(if bits >> 31 == 1 {
        bits & 0x7fff_ffff
    } else {
        !bits
    })
}

#[inline]
fn pick(rng: &mut StreamRng, list: &[u32]) -> Option<u32> {
    (!list.is_empty()).then(|| list[below(rng, list.len())])
}

/// A topic drawn in proportion to the consumer's interest weights.
#[inline]
fn draw_topic(rng: &mut StreamRng, interest: &[f32]) -> usize {
    let mut u = unit_f32(rng);
    for (t, &w) in interest.iter().enumerate() {
        if u < w {
            return t;
        }
        u -= w;
    }
    interest.len() - 1
}
