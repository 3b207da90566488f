//! The populations, as struct-of-arrays with `u32` ids.
//!
//! Consumers, creators (content creators and live-stream hosts in one table, told apart by
//! [`CreatorKind`]), merchants and their products, and the consumers' social graph.

pub(crate) mod build;
pub mod footprint;

pub use build::build_world;

use crate::graph::Csr;
use crate::scenario::Behaviour;
use std::ops::Range;

/// No product / no merchant / no creator.
pub const NONE: u32 = u32::MAX;
/// How many distinct merchants a consumer remembers for loyalty and repeat purchase.
pub const LOYALTY_SLOTS: usize = 4;

/// `n` copies of `value`, written now. `vec![0; n]` gets pages that the system maps only at
/// their first write, and first writes from several threads at once contend in the kernel
/// (one day of phase A took twice its time on 2 threads, writing the platform's model for
/// the first time): arrays that the days write are built with this instead.
pub fn filled<T: Clone>(value: T, n: usize) -> Vec<T> {
    let mut v = Vec::with_capacity(n);
    v.resize(n, value);
    v
}

/// Consumers per range of the parallel passes of phase B over consumers' rows (today's
/// visits, [`Consumers::visited`]; today's purchases, [`Consumers::bought`]): a constant,
/// never derived from the thread count.
pub const CONSUMER_RANGE: usize = 1 << 15;

/// The items of `sorted` (ascending by `consumer`) whose consumer is in `range`.
fn of_range<T>(sorted: &[T], consumer: impl Fn(&T) -> u32, range: Range<usize>) -> &[T] {
    let from = sorted.partition_point(|x| (consumer(x) as usize) < range.start);
    let to = sorted.partition_point(|x| (consumer(x) as usize) < range.end);
    &sorted[from..to]
}

/// What an accepted order leaves on its buyer ([`Consumers::bought`]): the merchant, the
/// merchant's topic and the discount bought at (a share of the list price).
#[derive(Clone, Copy, Debug)]
pub struct Purchase {
    pub consumer: u32,
    pub merchant: u32,
    pub topic: u32,
    pub offer: f32,
}

/// The rows of consumers `lo..lo + need_day.len()` that a purchase writes, so that ranges of
/// consumers can be written in parallel.
struct BuyerRows<'a> {
    lo: usize,
    topics: usize,
    loyal_merchant: &'a mut [u32],
    loyalty: &'a mut [f32],
    experience: &'a mut [f32],
    repeat_merchant: &'a mut [bool],
    in_transit: &'a mut [u32],
    reference: &'a mut [f32],
    need_met: &'a mut [f32],
    need_day: &'a mut [u32],
}

impl BuyerRows<'_> {
    /// Records `merchant` in consumer `j`'s memory (`j` counted from `lo`): a merchant already
    /// remembered moves to the end with its loyalty, and marks the consumer as a
    /// same-merchant repeat buyer; a new one takes the place of the least recent, with
    /// loyalty 0.
    fn remember_merchant(&mut self, j: usize, merchant: u32) {
        let range = j * LOYALTY_SLOTS..(j + 1) * LOYALTY_SLOTS;
        let slots = &mut self.loyal_merchant[range.clone()];
        let loyalty = &mut self.loyalty[range.clone()];
        let experience = &mut self.experience[range];
        match slots.iter().position(|&m| m == merchant) {
            Some(k) => {
                self.repeat_merchant[j] = true;
                slots[k..].rotate_left(1);
                loyalty[k..].rotate_left(1);
                experience[k..].rotate_left(1);
            }
            None => {
                slots.rotate_left(1);
                slots[LOYALTY_SLOTS - 1] = merchant;
                loyalty.rotate_left(1);
                loyalty[LOYALTY_SLOTS - 1] = 0.0;
                experience.rotate_left(1);
                experience[LOYALTY_SLOTS - 1] = -1.0;
            }
        }
    }

    /// A purchase by consumer `j` in `topic` at a discount of `offer` on `day`: the need
    /// met rises by one, and the expected discount moves toward the offer by
    /// `behaviour.reference_rate`.
    fn bought_in(&mut self, j: usize, topic: usize, offer: f32, day: u32, b: &Behaviour) {
        let t = self.topics;
        let decay = (-((day - self.need_day[j]) as f32) / b.need_days as f32).exp();
        for met in &mut self.need_met[j * t..(j + 1) * t] {
            *met *= decay;
        }
        self.need_day[j] = day;
        self.need_met[j * t + topic] += 1.0;
        let r = &mut self.reference[j * t + topic];
        *r += b.reference_rate as f32 * (offer - *r);
    }
}

/// The whole world at the start of a day.
pub struct World {
    pub topics: usize,
    pub consumers: Consumers,
    pub creators: Creators,
    pub merchants: Merchants,
    pub products: Products,
    /// Friendship among consumers (word of mouth, friends' follows).
    pub social: Csr,
}

/// Consumers: buyers who browse feeds, follow, buy, return and review.
#[derive(Default)]
pub struct Consumers {
    /// Interest over topics, `topics` weights a consumer (they sum to 1).
    pub interest: Vec<f32>,
    /// 1 / Euclidean norm of the interest row (for cosine similarity).
    pub interest_inv_norm: Vec<f32>,
    /// Base propensity a_i to open the app on a given day (drawn once); the day's visit
    /// probability moves around it with habit, trust, notifications and new content.
    pub activity: Vec<f32>,
    /// ln(a_i / (1 − a_i)), the visit logit of a consumer whose circumstances are neutral.
    pub activity_logit: Vec<f32>,
    /// Habit h_i: an exponential moving average of daily visits (1 on a visit day, 0
    /// otherwise), stored as of the consumer's last visit and decayed lazily
    /// ([`Consumers::habit_before`]); a_i before the first visit.
    pub habit: Vec<f32>,
    /// The day after the consumer's last visit (0 before any).
    pub habit_day: Vec<u32>,
    /// β_i, the weight of ln(price) in the purchase utility.
    pub price_sensitivity: Vec<f32>,
    /// In [0, 1]: how strongly live sessions and scarcity move this consumer.
    pub impulsivity: Vec<f32>,
    /// In [0, 1]: how much discounts and coupons move this consumer, and how little it
    /// becomes loyal (deal hunters follow the next deal).
    pub deal_seeking: Vec<f32>,
    /// Community (stochastic block) or 0.
    pub community: Vec<u32>,
    /// Trust in the platform, in [0, 1]; below `behaviour.churn_threshold` the consumer churns.
    pub trust: Vec<f32>,
    /// Followed creators: `follow_slots` slots a consumer, filled as a ring (oldest
    /// replaced). Read and changed through [`Consumers::followed`], [`Consumers::follow`]
    /// and [`Consumers::unfollow`].
    pub follows: Vec<u32>,
    /// Slots of the follow ring (`behaviour.max_follows`).
    pub follow_slots: usize,
    /// The most recent follow ([`NONE`] if none): what friends see as this consumer's
    /// activity in the social pool. Kept apart from `follows` so that a friend's draw costs
    /// one access to a compact array, not two to the large ring.
    pub latest_follow: Vec<u32>,
    /// Follows ever made; slots used = min(count, max_follows), next slot = count % max_follows.
    pub follow_count: Vec<u32>,
    /// Last [`LOYALTY_SLOTS`] distinct merchants bought from ([`NONE`] = empty).
    pub loyal_merchant: Vec<u32>,
    /// Loyalty to each remembered merchant, in [0, 1].
    pub loyalty: Vec<f32>,
    /// The quality the consumer has experienced from each remembered merchant (a moving
    /// average of the realised quality of its deliveries; −1 before the first delivery).
    pub experience: Vec<f32>,
    /// Orders placed and not cancelled.
    pub orders: Vec<u32>,
    /// Accepted orders on their way (booked, not yet delivered).
    pub in_transit: Vec<u32>,
    /// The discount the consumer has come to expect in each topic (`topics` a consumer), a
    /// share of the list price: its reference price is list × (1 − this).
    pub reference: Vec<f32>,
    /// How much of its need in each topic recent purchases have met (`topics` a consumer):
    /// +1 a purchase, decaying by e^(−1/need_days) a day; stored as of `need_day`.
    pub need_met: Vec<f32>,
    /// The day `need_met` was last brought up to date.
    pub need_day: Vec<u32>,
    /// Day of the last non-cancelled order (`NONE` if none).
    pub last_order_day: Vec<u32>,
    /// Day of the first non-cancelled order (`NONE` if none).
    pub first_order_day: Vec<u32>,
    /// A premium member: pays `platform.premium_fee` a day, gets a discount and free returns.
    pub premium: Vec<bool>,
    /// Its first accepted order used a coupon.
    pub coupon_acquired: Vec<bool>,
    /// Placed an order with a merchant already in its loyalty memory.
    pub repeat_merchant: Vec<bool>,
    pub churned: Vec<bool>,
    /// The day the consumer joined the platform: 0 for those on it from the start, [`NONE`]
    /// for a prospective consumer who has not joined (yet).
    pub joined_day: Vec<u32>,
}

impl Consumers {
    pub fn len(&self) -> usize {
        self.activity.len()
    }
    pub fn is_empty(&self) -> bool {
        self.activity.is_empty()
    }

    /// The accounts consumer `i` follows: the used slots of its ring.
    #[inline]
    pub fn followed(&self, i: usize) -> &[u32] {
        let slots = self.follow_slots;
        let used = (self.follow_count[i] as usize).min(slots);
        &self.follows[i * slots..i * slots + used]
    }

    /// Consumer `i` follows account `c`; a full ring drops its oldest follow, which is
    /// returned.
    pub fn follow(&mut self, i: usize, c: u32) -> Option<u32> {
        let slots = self.follow_slots;
        let slot = i * slots + self.follow_count[i] as usize % slots;
        let old = std::mem::replace(&mut self.follows[slot], c);
        self.latest_follow[i] = c;
        self.follow_count[i] += 1;
        (old != NONE).then_some(old)
    }

    /// Consumer `i` stops following account `c`: the ring is rebuilt oldest first without it
    /// (so that the count is its length again). Returns whether `i` followed `c`.
    pub fn unfollow(&mut self, i: usize, c: u32) -> bool {
        let slots = self.follow_slots;
        let count = self.follow_count[i] as usize;
        let used = count.min(slots);
        let row = &mut self.follows[i * slots..(i + 1) * slots];
        if !row[..used].contains(&c) {
            return false;
        }
        let start = if count > slots { count % slots } else { 0 };
        let kept: Vec<u32> = (0..used)
            .map(|k| row[(start + k) % slots])
            .filter(|&x| x != c)
            .collect();
        row.fill(NONE);
        row[..kept.len()].copy_from_slice(&kept);
        self.follow_count[i] = kept.len() as u32;
        if self.latest_follow[i] == c {
            self.latest_follow[i] = kept.last().copied().unwrap_or(NONE);
        }
        true
    }

    /// The merchants consumer `i` remembers (its last [`LOYALTY_SLOTS`] distinct merchants,
    /// most recent last; [`NONE`] for an empty slot).
    #[inline]
    pub fn recent_merchants(&self, i: usize) -> &[u32] {
        &self.loyal_merchant[i * LOYALTY_SLOTS..(i + 1) * LOYALTY_SLOTS]
    }

    /// Consumer `i`'s loyalty to `merchant` (0 if not remembered).
    #[inline]
    pub fn loyalty_to(&self, i: usize, merchant: u32) -> f32 {
        self.recent_merchants(i)
            .iter()
            .position(|&m| m == merchant)
            .map_or(0.0, |k| self.loyalty[i * LOYALTY_SLOTS + k])
    }

    /// The quality consumer `i` has experienced from `merchant`, if it remembers one.
    #[inline]
    pub fn experience_of(&self, i: usize, merchant: u32) -> Option<f32> {
        let k = self
            .recent_merchants(i)
            .iter()
            .position(|&m| m == merchant)?;
        let q = self.experience[i * LOYALTY_SLOTS + k];
        (q >= 0.0).then_some(q)
    }

    /// A delivery from a remembered `merchant` of realised quality `quality`: the
    /// experienced quality moves halfway toward it (is set by the first).
    pub fn experience_delivery(&mut self, i: usize, merchant: u32, quality: f32) {
        let Some(k) = self
            .recent_merchants(i)
            .iter()
            .position(|&m| m == merchant && m != NONE)
        else {
            return;
        };
        let q = &mut self.experience[i * LOYALTY_SLOTS + k];
        *q = if *q < 0.0 {
            quality
        } else {
            0.5 * (*q + quality)
        };
    }

    /// Consumer `i`'s loyalty to a remembered `merchant`, to change it.
    pub fn loyalty_mut(&mut self, i: usize, merchant: u32) -> Option<&mut f32> {
        let k = self
            .recent_merchants(i)
            .iter()
            .position(|&m| m == merchant && m != NONE)?;
        Some(&mut self.loyalty[i * LOYALTY_SLOTS + k])
    }

    /// How much of consumer `i`'s need in `topic` is met on `day` (`topics` topics).
    #[inline]
    pub fn need_met_on(
        &self,
        i: usize,
        topic: usize,
        topics: usize,
        day: u32,
        need_days: f32,
    ) -> f32 {
        let met = self.need_met[i * topics + topic];
        if met == 0.0 {
            return 0.0;
        }
        met * (-((day - self.need_day[i]) as f32) / need_days).exp()
    }

    /// Today's accepted orders (`purchases`, in the order they were accepted) on their
    /// buyers: the merchant remembered ([`Consumers::recent_merchants`]), one more parcel in
    /// transit, the need met in the topic and the expected discount. In parallel over fixed
    /// ranges of [`CONSUMER_RANGE`] consumers, each buyer's purchases in the order they were
    /// accepted (`purchases` is sorted by buyer, stably), so the result is the same for any
    /// thread count.
    pub fn bought(&mut self, purchases: &mut [Purchase], day: u32, topics: usize, b: &Behaviour) {
        use rayon::prelude::*;
        purchases.par_sort_by_key(|p| p.consumer);
        let purchases = &*purchases;
        let n = self.len();
        let (l, t) = (CONSUMER_RANGE * LOYALTY_SLOTS, CONSUMER_RANGE * topics);
        let mut loyal_merchant = self.loyal_merchant.chunks_mut(l);
        let mut loyalty = self.loyalty.chunks_mut(l);
        let mut experience = self.experience.chunks_mut(l);
        let mut repeat_merchant = self.repeat_merchant.chunks_mut(CONSUMER_RANGE);
        let mut in_transit = self.in_transit.chunks_mut(CONSUMER_RANGE);
        let mut reference = self.reference.chunks_mut(t);
        let mut need_met = self.need_met.chunks_mut(t);
        let mut need_day = self.need_day.chunks_mut(CONSUMER_RANGE);
        let rows: Vec<BuyerRows> = (0..n.div_ceil(CONSUMER_RANGE))
            .map(|r| BuyerRows {
                lo: r * CONSUMER_RANGE,
                topics,
                loyal_merchant: loyal_merchant.next().unwrap(),
                loyalty: loyalty.next().unwrap(),
                experience: experience.next().unwrap(),
                repeat_merchant: repeat_merchant.next().unwrap(),
                in_transit: in_transit.next().unwrap(),
                reference: reference.next().unwrap(),
                need_met: need_met.next().unwrap(),
                need_day: need_day.next().unwrap(),
            })
            .collect();
        rows.into_par_iter().for_each(|mut rows| {
            let (lo, hi) = (rows.lo, rows.lo + rows.need_day.len());
            for p in of_range(purchases, |p| p.consumer, lo..hi) {
                let j = p.consumer as usize - lo;
                rows.remember_merchant(j, p.merchant);
                rows.in_transit[j] += 1;
                rows.bought_in(j, p.topic as usize, p.offer, day, b);
            }
        });
    }

    /// Consumer `i` is on the platform: it has joined and not churned.
    #[inline]
    pub fn member(&self, i: usize) -> bool {
        self.joined_day[i] != NONE && !self.churned[i]
    }

    /// Consumer `i` joins on `day`: its habit starts at its propensity.
    pub fn join(&mut self, i: usize, day: u32) {
        self.joined_day[i] = day;
        self.habit[i] = self.activity[i];
        self.habit_day[i] = day;
    }

    /// Consumer `i`'s habit at the end of day `day − 1`: the stored habit decayed by
    /// (1 − rate) for every day since its last visit.
    #[inline]
    pub fn habit_before(&self, i: usize, day: u32, decay: &HabitDecay) -> f32 {
        self.habit[i] * decay.over(day - self.habit_day[i])
    }

    /// Today's visitors (`visitors`, ascending ids) visited on `day`: each one's habit
    /// h ← (1 − rate) · h + rate. In parallel over fixed ranges of [`CONSUMER_RANGE`]
    /// consumers; a visitor's habit is its own, so the result is the same for any thread
    /// count.
    pub fn visited(&mut self, visitors: &[u32], day: u32, decay: &HabitDecay) {
        use rayon::prelude::*;
        // Each range finds its visitors by binary search: a list out of order would skip some.
        assert!(
            visitors.par_windows(2).all(|w| w[0] < w[1]),
            "today's visitors are listed in consumer order, once each"
        );
        self.habit
            .par_chunks_mut(CONSUMER_RANGE)
            .zip(self.habit_day.par_chunks_mut(CONSUMER_RANGE))
            .enumerate()
            .for_each(|(r, (habit, habit_day))| {
                let lo = r * CONSUMER_RANGE;
                for &i in of_range(visitors, |&i| i, lo..lo + habit.len()) {
                    let j = i as usize - lo;
                    let before = habit[j] * decay.over(day - habit_day[j]);
                    habit[j] = (1.0 - decay.rate) * before + decay.rate;
                    habit_day[j] = day + 1;
                }
            });
    }

    /// Consumer `i` churns if it has not and its trust is below `threshold`; returns whether
    /// it churned now.
    pub fn churn_if_below(&mut self, i: usize, threshold: f32) -> bool {
        let now = !self.churned[i] && self.trust[i] < threshold;
        if now {
            self.churned[i] = true;
        }
        now
    }
}

/// The habit's daily decay (1 − `behaviour.habit_rate`) raised to each number of days a run
/// can skip, computed once: a visit decision reads it instead of calling `powi`, with the same
/// values.
pub struct HabitDecay {
    rate: f32,
    powers: Vec<f32>,
}

impl HabitDecay {
    /// Powers 0 to `days` of (1 − `rate`).
    pub fn new(rate: f32, days: u32) -> HabitDecay {
        HabitDecay {
            rate,
            powers: (0..=days).map(|n| (1.0 - rate).powi(n as i32)).collect(),
        }
    }

    /// (1 − rate)^`days`.
    #[inline]
    pub fn over(&self, days: u32) -> f32 {
        match self.powers.get(days as usize) {
            Some(&p) => p,
            None => (1.0 - self.rate).powi(days as i32),
        }
    }
}

/// A content creator or a live-stream host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreatorKind {
    Creator,
    Host,
}

impl CreatorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CreatorKind::Creator => "creator",
            CreatorKind::Host => "host",
        }
    }
}

/// Creators and hosts: they post items that carry product links; hosts also go live.
#[derive(Default)]
pub struct Creators {
    pub kind: Vec<CreatorKind>,
    /// Topic profile, `topics` weights a creator (sum to 1); public (content tags).
    pub profile: Vec<f32>,
    pub profile_inv_norm: Vec<f32>,
    /// Main topic: the largest weight of the profile (ties to the lower topic).
    pub topic: Vec<u32>,
    /// Content quality in [0, 1].
    pub quality: Vec<f32>,
    /// Credibility in [0, 1] as consumers see it; starts at charisma (hosts) or 0.5.
    pub trust: Vec<f32>,
    /// Affiliated merchants, `creators.affiliates` a creator (hosts: the first `hosts.lineup`).
    pub affiliates: Vec<u32>,
    /// Smoothed daily exposure under which the creator loses motivation.
    pub motivation: Vec<f32>,
    pub followers: Vec<u32>,
    pub exposure_total: Vec<u64>,
    /// Exponentially smoothed daily exposure (half-life `creators.exposure_halflife_days`).
    pub exposure_ema: Vec<f32>,
    pub engagements_total: Vec<u64>,
    /// Orders consumers decided to place through the account's items (from its feed
    /// impressions), over the whole run.
    pub orders_total: Vec<u64>,
    /// Exponentially smoothed daily engagements: the public popularity ("likes").
    pub popularity: Vec<f32>,
    /// Affiliate commission earned on kept orders, plus long-tail support rewards.
    pub income: Vec<f64>,
    /// `income` at the last end of day (today's income is the difference).
    pub income_seen: Vec<f64>,
    /// Exponentially smoothed daily income (half-life `creators.exposure_halflife_days`).
    pub income_ema: Vec<f32>,
    /// Consecutive days with smoothed exposure under motivation.
    pub low_days: Vec<u32>,
    pub active: Vec<bool>,
    pub entered_day: Vec<u32>,
    pub exited_day: Vec<u32>,
    /// The creator's current item: linked product ([`NONE`] for pure content), quality, day posted.
    pub item_product: Vec<u32>,
    pub item_quality: Vec<f32>,
    pub item_day: Vec<u32>,
    /// Hosts: live today, and units left in today's session.
    pub live: Vec<bool>,
    pub stock_left: Vec<u32>,
    /// Places fake orders (`brushing.host_share` of hosts).
    pub brusher: Vec<bool>,
    /// Scandal damage in [0, 1]: consumers see credibility × (1 − damage).
    pub damage: Vec<f32>,
}

impl Creators {
    /// Panics unless every column holds one entry per account (`profile` `topics` and
    /// `affiliates` `affiliates` entries per account): a column forgotten by a push would
    /// otherwise shift every later account's data silently.
    pub fn check_columns(&self, topics: usize, affiliates: usize) {
        let n = self.len();
        let lengths = [
            self.kind.len(),
            self.profile_inv_norm.len(),
            self.topic.len(),
            self.quality.len(),
            self.trust.len(),
            self.motivation.len(),
            self.followers.len(),
            self.exposure_total.len(),
            self.exposure_ema.len(),
            self.engagements_total.len(),
            self.orders_total.len(),
            self.popularity.len(),
            self.income.len(),
            self.income_seen.len(),
            self.income_ema.len(),
            self.low_days.len(),
            self.active.len(),
            self.entered_day.len(),
            self.exited_day.len(),
            self.item_product.len(),
            self.item_quality.len(),
            self.item_day.len(),
            self.live.len(),
            self.stock_left.len(),
            self.brusher.len(),
            self.damage.len(),
        ];
        assert!(
            lengths.iter().all(|&l| l == n)
                && self.profile.len() == n * topics
                && self.affiliates.len() == n * affiliates,
            "creator columns of unequal length: {lengths:?} for {n} accounts"
        );
    }

    pub fn len(&self) -> usize {
        self.kind.len()
    }
    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
    }
}

/// Merchants: B2C brands and C2C sellers.
#[derive(Default)]
pub struct Merchants {
    pub topic: Vec<u32>,
    /// Days from order to delivery.
    pub lead_time: Vec<u32>,
    pub rating_sum: Vec<f64>,
    pub rating_count: Vec<u32>,
    /// Bayesian average rating mapped to [0, 1]: ((prior·w + Σ ratings)/(w + n) − 1) / 4.
    pub reputation: Vec<f32>,
    /// Places fake orders (`brushing.merchant_share` of merchants).
    pub brusher: Vec<bool>,
    /// Scandal damage in [0, 1]: consumers see reputation × (1 − damage); returns rise.
    pub damage: Vec<f32>,
    /// Delisted (nothing of it can be bought) on days delisted_from ≤ d < delisted_until.
    pub delisted_from: Vec<u32>,
    pub delisted_until: Vec<u32>,
    /// Still trading: false once the merchant has exited (`merchants.exit_profit`); nothing
    /// of an exited merchant can be bought, and it never returns.
    pub active: Vec<bool>,
    pub entered_day: Vec<u32>,
    /// Day of exit ([`NONE`] while active).
    pub exited_day: Vec<u32>,
    /// Profit of today's deliveries so far (its part of the day's `merchant_profit`); folded
    /// into `profit_total` and `profit_ema` at the end of the day.
    pub profit_today: Vec<f64>,
    /// Profit of every delivery up to the last end of day.
    pub profit_total: Vec<f64>,
    /// Exponentially smoothed daily profit (half-life `merchants.profit_halflife_days`).
    pub profit_ema: Vec<f64>,
    /// Consecutive days with smoothed profit under `merchants.exit_profit`.
    pub low_days: Vec<u32>,
    /// The active merchants grouped by topic:
    /// `by_topic[by_topic_start[t]..by_topic_start[t+1]]`, ids ascending within a topic.
    pub by_topic: Vec<u32>,
    pub by_topic_start: Vec<u32>,
    /// The active merchants, ids ascending (all of them, `0..len`, until one exits).
    pub active_ids: Vec<u32>,
}

impl Merchants {
    pub fn len(&self) -> usize {
        self.topic.len()
    }
    pub fn is_empty(&self) -> bool {
        self.topic.is_empty()
    }
    /// Adds `count` ratings totalling `stars` to merchant `m` and recomputes its reputation
    /// from the scenario's prior (`merchants.rating_prior_mean`, `rating_prior_weight`).
    pub fn add_ratings(&mut self, m: usize, stars: f64, count: u32, s: &crate::scenario::Scenario) {
        self.rating_sum[m] += stars;
        self.rating_count[m] += count;
        self.reputation[m] = build::reputation(
            s.merchants.rating_prior_mean,
            s.merchants.rating_prior_weight,
            self.rating_sum[m],
            self.rating_count[m],
        );
    }

    /// The active merchants of topic `t`.
    pub fn of_topic(&self, t: usize) -> &[u32] {
        &self.by_topic[self.by_topic_start[t] as usize..self.by_topic_start[t + 1] as usize]
    }

    /// Rebuilds the indexes of the active merchants (`by_topic`, `by_topic_start`,
    /// `active_ids`) from `active`: after the world is drawn and after a day's exits and
    /// entries.
    pub(crate) fn index(&mut self, topics: usize) {
        self.active_ids = (0..self.len() as u32)
            .filter(|&m| self.active[m as usize])
            .collect();
        let mut order = self.active_ids.clone();
        order.sort_by_key(|&m| (self.topic[m as usize], m));
        let mut start = vec![0u32; topics + 1];
        for &m in &order {
            start[self.topic[m as usize] as usize + 1] += 1;
        }
        for t in 0..topics {
            start[t + 1] += start[t];
        }
        self.by_topic = order;
        self.by_topic_start = start;
    }

    /// Panics unless every column holds one entry per merchant: a column forgotten by a push
    /// would otherwise shift every later merchant's data silently.
    pub fn check_columns(&self) {
        let n = self.len();
        let lengths = [
            self.lead_time.len(),
            self.rating_sum.len(),
            self.rating_count.len(),
            self.reputation.len(),
            self.brusher.len(),
            self.damage.len(),
            self.delisted_from.len(),
            self.delisted_until.len(),
            self.active.len(),
            self.entered_day.len(),
            self.exited_day.len(),
            self.profit_today.len(),
            self.profit_total.len(),
            self.profit_ema.len(),
            self.low_days.len(),
        ];
        assert!(
            lengths.iter().all(|&l| l == n),
            "merchant columns of unequal length: {lengths:?} for {n} merchants"
        );
    }
}

/// Products: `products_per_merchant` a merchant, product id = merchant · ppm + k.
#[derive(Default)]
pub struct Products {
    pub per_merchant: u32,
    pub price: Vec<f32>,
    pub cost: Vec<f32>,
    /// True quality in [0, 1] (hidden from the platform and from consumers before delivery).
    pub quality: Vec<f32>,
    /// Quality as advertised, ≥ true quality.
    pub advertised: Vec<f32>,
    /// Sold by group buying (`group_buying.product_share` of products).
    pub group_buy: Vec<bool>,
}

impl Products {
    pub fn merchant(&self, product: u32) -> u32 {
        product / self.per_merchant
    }

    pub fn len(&self) -> usize {
        self.price.len()
    }
    pub fn is_empty(&self) -> bool {
        self.price.is_empty()
    }

    /// Panics unless every column holds `per_merchant` entries for each of `merchants`
    /// merchants (products are appended with their merchant).
    pub fn check_columns(&self, merchants: usize) {
        let n = merchants * self.per_merchant as usize;
        let lengths = [
            self.price.len(),
            self.cost.len(),
            self.quality.len(),
            self.advertised.len(),
            self.group_buy.len(),
        ];
        assert!(
            lengths.iter().all(|&l| l == n),
            "product columns of unequal length: {lengths:?} for {merchants} merchants × {}",
            self.per_merchant
        );
    }
}

/// Cosine similarity of two topic rows given their inverse norms.
#[inline]
pub fn cosine(a: &[f32], a_inv_norm: f32, b: &[f32], b_inv_norm: f32) -> f32 {
    dot(a, b) * a_inv_norm * b_inv_norm
}

/// The dot product of two topic rows, summed in topic order. Rows of 8 topics (the
/// default) take a loop of known length, which the compiler unrolls: the same sums in the
/// same order, without the loop's counting.
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    if let (Ok(a), Ok(b)) = (<&[f32; 8]>::try_from(a), <&[f32; 8]>::try_from(b)) {
        return a.iter().zip(b).map(|(x, y)| x * y).sum();
    }
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Override, parse_scenario};

    fn consumers(n: usize) -> (Consumers, crate::scenario::Scenario) {
        let sets: Vec<Override> = [
            format!("population.consumers={n}"),
            "population.creators=10".into(),
            "population.merchants=10".into(),
        ]
        .iter()
        .map(|o| Override::parse(o).unwrap())
        .collect();
        let s = parse_scenario("test", "", &sets).unwrap();
        (build_world(&s).unwrap().consumers, s)
    }

    /// A buyer's purchases apply in the order they were accepted, whatever the order of the
    /// other buyers' among them, in every range of consumers.
    #[test]
    fn purchases_apply_in_the_order_each_buyer_made_them() {
        let n = CONSUMER_RANGE + 100;
        let (mut cons, s) = consumers(n);
        let topics = cons.need_met.len() / n;
        let buy = |consumer: usize, merchant: u32| Purchase {
            consumer: consumer as u32,
            merchant,
            topic: 0,
            offer: merchant as f32 / 10.0,
        };
        // Buyers 3 and (in the second range) CONSUMER_RANGE + 7, interleaved: merchants
        // 1, 2, 1 and 4, 3.
        let (a, b) = (3, CONSUMER_RANGE + 7);
        let mut purchases = vec![buy(b, 4), buy(a, 1), buy(a, 2), buy(b, 3), buy(a, 1)];
        cons.bought(&mut purchases, 0, topics, &s.behaviour);
        assert_eq!(&cons.recent_merchants(a)[LOYALTY_SLOTS - 2..], &[2, 1]);
        assert!(cons.repeat_merchant[a], "merchant 1 came back");
        assert_eq!(&cons.recent_merchants(b)[LOYALTY_SLOTS - 2..], &[4, 3]);
        assert!(!cons.repeat_merchant[b]);
        assert_eq!((cons.in_transit[a], cons.in_transit[b]), (3, 2));
        assert_eq!(cons.need_met[a * topics], 3.0);
        // The expected discount moved toward 0.1, 0.2, 0.1 in that order: the last step
        // toward 0.1 (toward 0.4 then 0.3 for b).
        let r = s.behaviour.reference_rate as f32;
        let step = |x: f32, offer: f32| x + r * (offer - x);
        let r0 = s.behaviour.deal_reference as f32;
        assert_eq!(
            cons.reference[a * topics],
            step(step(step(r0, 0.1), 0.2), 0.1)
        );
        assert_eq!(cons.reference[b * topics], step(step(r0, 0.4), 0.3));
        // Nobody else moved.
        assert_eq!(cons.in_transit.iter().map(|&x| x as u64).sum::<u64>(), 5);
    }

    /// The 8-topic path of `dot` gives the bits of the sum in topic order, as every other
    /// length does: outputs do not depend on which path a row takes.
    #[test]
    fn dot_sums_in_topic_order_at_every_length() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 24) as f32 - 0.3
        };
        for len in [0, 1, 7, 8, 9, 16] {
            for _ in 0..1_000 {
                let a: Vec<f32> = (0..len).map(|_| next()).collect();
                let b: Vec<f32> = (0..len).map(|_| next() * 1e3).collect();
                let mut in_order = -0.0f32;
                for (x, y) in a.iter().zip(&b) {
                    in_order += x * y;
                }
                assert_eq!(dot(&a, &b).to_bits(), in_order.to_bits(), "{len} topics");
            }
        }
    }
}
