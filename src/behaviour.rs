//! The consumers' decision rules that the phases share: the one purchase decision every
//! offer goes through (a feed item, a friend's invitation or share, an ad), and how a
//! delivered order's satisfaction moves loyalty and trust. The policies add their terms
//! through `policy::Policies` (discounts, coupons, points); the engine only calls these.

use crate::engine::{CreatorCard, DayEvents, DayView};
use crate::policy::Perks;
use crate::policy::recommend::Candidate;
use crate::rng::{StreamRng, unit_f32};
use crate::scenario::Scenario;
use crate::world::{NONE, World};

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
    /// Where the offer came from.
    pub origin: Origin,
    /// How it travels ([`crate::policy::markets::Mode`] as a byte; set at dispatch).
    pub mode: u8,
    /// A festival's full reduction taken off what the buyer pays (paid by the platform).
    pub reduction: f32,
    /// The channel it came through: for a chat order the chat, for a forum order the member
    /// whose post sold it ([`NONE`] for a vendor's post); [`NONE`] otherwise.
    pub via: u32,
}

/// The source of an offer that became an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A creator's item or a host's live session in the feed.
    Feed,
    /// A friend's group-buying invitation.
    Invitation,
    /// A product a friend shared.
    Share,
    /// An ad in the feed.
    Ad,
    /// A search result, for a purchase intent.
    Search,
    /// A post in a community's group chat (the solitaire list).
    Chat,
    /// A post in a topic forum (the in-thread purchase button).
    Forum,
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
    /// Live impulse, a friend's endorsement, an open intent in the offer's topic.
    pub bonus: f32,
    /// The share of a cross-border offer's cultural distance its channel removes (live
    /// selling, short video).
    pub relief: f32,
}

/// What a consumer has done today so far, as it shapes its next purchase: orders placed, a
/// coupon still unused, points already drawn on.
#[derive(Clone, Copy, Debug)]
pub struct Basket {
    pub orders: u64,
    /// A coupon held and not used yet.
    pub coupon: bool,
    pub points_used: f32,
    /// The topic of the consumer's open purchase intent
    /// ([`crate::policy::search::NO_INTENT`]: none).
    pub intent: u8,
}

impl Basket {
    pub fn new(perks: Perks) -> Basket {
        Basket {
            orders: 0,
            coupon: perks.coupon,
            points_used: 0.0,
            intent: crate::policy::search::NO_INTENT,
        }
    }
}

#[inline]
fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl DayView<'_> {
    /// The probability that prospective consumer `i` joins the platform today (before a
    /// coupon's boost): on its own (`consumers.arrival_rate`), or drawn in by a friend's
    /// share or group invitation (`consumers.referral_join`).
    #[inline]
    pub(crate) fn join_probability(&self, notified: bool) -> f32 {
        let c = &self.s.consumers;
        let referral = if notified { c.referral_join } else { 0.0 };
        (c.arrival_rate + referral).min(1.0) as f32
    }

    /// The probability that consumer `i` opens the app today (before a coupon's boost),
    /// given its habit as of yesterday:
    /// its base propensity moved by habit (its visits so far against its propensity), its
    /// platform trust (the running verdict of its experiences) against where it started, a
    /// waiting notification (a friend's invitation or share), a parcel on its way (an
    /// accepted order not yet delivered: the consumer checks on it) and new content from the
    /// accounts it follows (an item posted today, or a live session).
    #[inline]
    pub(crate) fn visit_probability(&self, i: usize, habit: f32, notified: bool) -> f32 {
        let cons = &self.world.consumers;
        let b = &self.s.behaviour;
        let content = b.visit_content != 0.0
            && cons
                .followed(i)
                .iter()
                .any(|&c| crate::engine::bit(self.fresh, c));
        let logit = cons.activity_logit[i]
            + b.visit_habit as f32 * (habit - cons.activity[i])
            + b.visit_trust as f32 * (cons.trust[i] - self.s.consumers.initial_trust as f32)
            + b.visit_notification as f32 * notified as u8 as f32
            + b.visit_parcel as f32 * (cons.in_transit[i] > 0) as u8 as f32
            + b.visit_content as f32 * content as u8 as f32;
        if !self.s.markets.is_empty() {
            let market = self.policies.markets.of_consumer(i);
            let shift = crate::policy::markets::markets(self.s)[market].visit_shift as f32;
            return sigmoid(logit + shift);
        }
        sigmoid(logit)
    }

    /// The probability that consumer `i` leaves the platform this morning: a base hazard,
    /// multiplied by e^(churn_trust · (initial trust − trust) − churn_habit · (habit −
    /// propensity)): bad experiences (trust below where it started) and a lapsing habit
    /// make leaving likelier; good experiences and a habit above its propensity, rarer.
    #[inline]
    pub(crate) fn churn_hazard(&self, i: usize, habit: f32) -> f32 {
        let b = &self.s.behaviour;
        if b.churn_hazard == 0.0 {
            return 0.0;
        }
        let cons = &self.world.consumers;
        let distrust = self.s.consumers.initial_trust as f32 - cons.trust[i];
        let habit = habit - cons.activity[i];
        b.churn_hazard as f32
            * (b.churn_trust as f32 * distrust - b.churn_habit as f32 * habit).exp()
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
        let discount = self.policies.membership_discount(w, self.s, i, discount);
        let value = pr.price[p] * (1.0 - discount);
        let reduction = self.today.festival.reduction(value);
        let utility = self.utility(
            i,
            &Offer {
                product,
                // Cosine of the consumer's interests with the merchant's one topic.
                match_score: cons.interest[i * w.topics + m.topic[mi] as usize]
                    * cons.interest_inv_norm[i],
                trust: cons.trust[i],
                discount: discount + reduction / pr.price[p],
                paid: value - reduction,
                bonus,
                relief: 0.0,
            },
        );
        Some((utility, value))
    }

    /// The quality consumer `i` expects of `product`: its advertised quality blended with
    /// the merchant's displayed rating (weight `expect_rating`), then, if the consumer
    /// remembers receiving goods from the merchant, with the quality it experienced (weight
    /// `expect_experience`). Live hype is added by the caller.
    #[inline]
    pub fn expected_quality(&self, i: usize, product: u32) -> f32 {
        let w = self.world;
        let b = &self.s.behaviour;
        let merchant = w.products.merchant(product);
        let rating = b.expect_rating as f32;
        let prior = (1.0 - rating) * w.products.advertised[product as usize]
            + rating * w.merchants.reputation[merchant as usize];
        match w.consumers.experience_of(i, merchant) {
            Some(q) => {
                let own = b.expect_experience as f32;
                (1.0 - own) * prior + own * q
            }
            None => prior,
        }
    }

    /// The strength of the tie from friend `j` to consumer `i`, which scales a friend's
    /// endorsement: 1 within a community, `behaviour.weak_tie` across communities.
    #[inline]
    pub fn tie(&self, i: usize, j: usize) -> f32 {
        let c = &self.world.consumers.community;
        if c[i] == c[j] {
            1.0
        } else {
            self.s.behaviour.weak_tie as f32
        }
    }

    /// The order of consumer `i` on an offer outside the feed (an invitation, a share, an
    /// ad): no live session, impulse, coupon or points; `creator` is the account credited
    /// ([`NONE`] for an ad), `group` the group it joins ([`NONE`] otherwise).
    pub(crate) fn outside_order(
        &self,
        i: usize,
        creator: u32,
        product: u32,
        value: f32,
        group: u32,
        origin: Origin,
    ) -> OrderIntent {
        OrderIntent {
            consumer: i as u32,
            creator,
            product,
            value: value as f64,
            live: false,
            impulse: 0.0,
            expected: self.expected_quality(i, product),
            coupon: 0.0,
            points: 0.0,
            group,
            origin,
            mode: 0,
            reduction: self.today.festival.reduction(value),
            via: NONE,
        }
    }

    /// Whether merchant `mi`'s products can be bought today (still trading, not delisted).
    #[inline]
    pub(crate) fn on_sale(&self, mi: usize) -> bool {
        let m = &self.world.merchants;
        // Market exit (merchants.exit_profit): an exited merchant sells nothing.
        if !m.active[mi] {
            return false;
        }
        !(m.delisted_from[mi]..m.delisted_until[mi]).contains(&self.day)
    }

    /// The purchase utility of an offer to consumer `i`: the one formula every purchase
    /// decision (feed item, invitation, share, ad) goes through. The consumer buys when a
    /// uniform draw falls below `sigmoid(utility − purchase_threshold)` ([`Self::decide`]).
    #[inline]
    pub(crate) fn utility(&self, i: usize, o: &Offer) -> f32 {
        let w = self.world;
        let (cons, pr, m) = (&w.consumers, &w.products, &w.merchants);
        let b = &self.s.behaviour;
        let merchant = pr.merchant(o.product);
        let mi = merchant as usize;
        let (t, topic) = (w.topics, m.topic[mi] as usize);
        b.purchase_match as f32 * o.match_score
            + b.purchase_quality as f32 * self.expected_quality(i, o.product)
            + b.purchase_trust as f32 * o.trust
            + b.purchase_reputation as f32 * m.reputation[mi] * (1.0 - m.damage[mi])
            - self.s.scandals.purchase_aversion as f32 * m.damage[mi]
            + b.purchase_discount as f32
                * deal_term(
                    cons.deal_seeking[i],
                    o.discount,
                    cons.reference[i * t + topic],
                    b,
                )
            - b.satiation as f32 * cons.need_met_on(i, topic, t, self.day, b.need_days as f32)
            + b.purchase_loyalty as f32 * cons.loyalty_to(i, merchant)
            + o.bonus
            - cons.price_sensitivity[i] * o.paid.ln()
            + self.policies.cross_border(self, i, mi, o.paid, o.relief)
    }

    /// The purchase decision on an offer of the given utility: one uniform draw from `rng`.
    #[inline]
    pub(crate) fn decide(&self, utility: f32, rng: &mut StreamRng) -> bool {
        unit_f32(rng) < sigmoid(utility - self.s.behaviour.purchase_threshold as f32)
    }

    /// A purchase decision on the item of `cand` (whose card is `card`, true interest match
    /// `matched`, trust term `trust`), engaged with in consumer `i`'s feed; a purchase goes
    /// into `ev.orders`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn consider_item(
        &self,
        i: usize,
        cand: &Candidate,
        card: &CreatorCard,
        matched: f32,
        trust: f32,
        basket: &mut Basket,
        rng: &mut StreamRng,
        ev: &mut DayEvents,
    ) {
        let w = self.world;
        let (cons, pr) = (&w.consumers, &w.products);
        let b = &self.s.behaviour;
        let (c, product) = (cand.creator as usize, card.item_product);
        let p = product as usize;
        if !self.on_sale(pr.merchant(product) as usize) {
            return; // delisted: nothing of it can be bought
        }
        let live_discount = if cand.live {
            self.s.hosts.discount as f32
        } else {
            0.0
        };
        let discount = self.policies.membership_discount(
            w,
            self.s,
            i,
            self.policies
                .item_discount(w, self.s, product, live_discount),
        );
        let value = pr.price[p] * (1.0 - discount);
        let coupon_value = self
            .policies
            .coupons
            .value_for(self.s, basket.coupon, value);
        let points = self
            .policies
            .loyalty
            .redeemable(self.s, i, basket.points_used, value);
        let reduction = self.today.festival.reduction(value - coupon_value - points);
        let paid = (value - coupon_value - points - reduction).max(0.01);
        // Scarcity: a session watched by many followers for little stock feels scarcer.
        let impulse = if cand.live {
            let scarcity = card.followers as f32 / (card.followers as f32 + self.stock);
            cons.impulsivity[i] * (b.live_impulse as f32 + b.scarcity_impulse as f32 * scarcity)
        } else {
            0.0
        };
        let cb = &self.s.cross_border;
        let utility = self.utility(
            i,
            &Offer {
                product,
                match_score: matched,
                trust,
                discount: discount + (coupon_value + points + reduction) / pr.price[p],
                paid,
                // A feed purchase is discovery or impulse: an open intent is served by search.
                bonus: impulse,
                // Live selling and short video lower the trust cost of buying across cultures.
                relief: if cand.live {
                    cb.live_relief
                } else {
                    cb.video_relief
                } as f32,
            },
        );
        if self.decide(utility, rng) {
            basket.orders += 1;
            basket.coupon &= coupon_value == 0.0;
            basket.points_used += points;
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
                expected: self.expected_quality(i, product) + hype,
                coupon: coupon_value,
                points,
                group: NONE,
                origin: Origin::Feed,
                mode: 0,
                reduction,
                via: NONE,
            });
        }
    }
}

/// The discount's weight in the purchase utility, before `purchase_discount`: the discount
/// itself plus, for deal seekers, how far it beats the discount they have come to expect in
/// the topic (`reference`, which adapts to the discounts they bought at):
/// `d + deal_amplifier · deal_seeking · (d − reference)`. Without an offer a deal seeker
/// holds back, the more so after a season of deals; with a good one it jumps.
#[inline]
fn deal_term(deal_seeking: f32, d: f32, reference: f32, b: &crate::scenario::Behaviour) -> f32 {
    d + b.deal_amplifier as f32 * deal_seeking * (d - reference)
}

/// Booking: what accepted order `o` of `merchant` leaves on its buyer. It remembers the
/// merchant, and its expected discount in the merchant's topic moves toward the discount it
/// bought at (a share of the list price, coupon and points included), and its need there is
/// met ([`crate::world::Consumers::bought`], after the day's orders are booked).
pub fn purchase(world: &World, o: &OrderIntent, merchant: u32) -> crate::world::Purchase {
    let list = world.products.price[o.product as usize] as f64;
    let paid = (o.value - o.coupon as f64 - o.points as f64 - o.reduction as f64).max(0.01);
    crate::world::Purchase {
        consumer: o.consumer,
        merchant,
        topic: world.merchants.topic[merchant as usize],
        offer: (1.0 - paid / list) as f32,
    }
}

/// Delivery: the buyer's satisfaction with order `o` moves its loyalty to the merchant
/// (deal seekers hardly become loyal: they follow the next deal), its trust in the platform,
/// and the trust in the account that carried the item.
pub fn respond(
    world: &mut World,
    s: &Scenario,
    o: &OrderIntent,
    merchant: u32,
    satisfaction: f32,
    realized: f32,
) {
    let b = &s.behaviour;
    let i = o.consumer as usize;
    let cons = &mut world.consumers;
    let rate = b.loyalty_rate as f32 * (1.0 - cons.deal_seeking[i]);
    if let Some(l) = cons.loyalty_mut(i, merchant) {
        *l += rate * (satisfaction - *l);
    }
    cons.experience_delivery(i, merchant, realized);
    cons.trust[i] += b.trust_rate as f32 * (satisfaction - cons.trust[i]);
    if o.creator != NONE {
        let ct = &mut world.creators.trust[o.creator as usize];
        *ct += b.creator_trust_rate as f32 * (satisfaction - *ct);
    }
}
