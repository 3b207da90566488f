//! The platform's policies, each a module, and [`Policies`], which calls them at the phases
//! of the day they act in, in a fixed order.
//!
//! `recommend` builds feeds. The engine calls [`Policies`] at named points of the day and
//! names no policy itself; a policy's hooks live in its own module.
//!
//! Policies whose hooks are still inside the engine's phase code (coupons' and points' terms
//! of the purchase, group-buy booking, returns, reviews and sharing at delivery) are listed
//! in ARCHITECTURE.md; they move here one by one.

pub mod brushing;
pub mod calendar;
pub mod chats;
pub mod coupons;
pub mod creator_support;
pub mod forums;
pub mod group_buying;
pub mod loyalty;
pub mod markets;
pub mod recommend;
pub mod returns;
pub mod revenue;
pub mod reviews;
pub mod scandals;
pub mod search;
pub mod sharing;

pub use group_buying::Settled;

use crate::behaviour::Basket;
use crate::engine::{DayEvents, DayView, OrderIntent};
use crate::metrics::DailyRow;
use crate::metrics::event_study::EventStudy;
use crate::scenario::Scenario;
use crate::world::World;

/// What the policies make available on one day, for phase A to read.
#[derive(Clone, Copy, Debug)]
pub struct Today {
    /// Coupons are handed out (inside the window, budget not spent).
    pub coupons: bool,
    /// Today's festival (or an ordinary day).
    pub festival: calendar::Festival,
}

/// What the policies hold out to one consumer for the day, before it opens the app.
#[derive(Clone, Copy, Debug)]
pub struct Perks {
    /// Multiplies the probability of opening the app.
    pub activity_boost: f32,
    /// A coupon held.
    pub coupon: bool,
    /// A notification waits: a friend's group invitation or share, a points reminder.
    pub notified: bool,
}

/// Every policy's run state, called at the day's phases in a fixed order (static dispatch:
/// one concrete field per policy).
pub struct Policies {
    pub scandals: scandals::State,
    pub coupons: coupons::State,
    pub group_buying: group_buying::State,
    pub sharing: sharing::State,
    pub loyalty: loyalty::State,
    pub markets: markets::State,
    pub calendar: calendar::State,
    pub search: search::State,
    pub chats: chats::State,
    pub forums: forums::State,
}

impl Policies {
    pub fn new(s: &Scenario, world: &World) -> Policies {
        Policies {
            scandals: scandals::State::new(s),
            coupons: coupons::State::default(),
            group_buying: group_buying::State::default(),
            sharing: sharing::State::default(),
            loyalty: loyalty::State::new(world.consumers.len()),
            markets: markets::State::new(s, world),
            calendar: calendar::State::new(s, world.consumers.len()),
            search: search::State::new(s, world.consumers.len()),
            chats: chats::State::new(s, world),
            forums: forums::State::new(s, world),
        }
    }

    /// What the policies make available today (read by every consumer in phase A).
    pub fn today(&self, s: &Scenario, day: u32) -> Today {
        Today {
            coupons: self.coupons.open(s, day),
            festival: self.calendar.today(s, day),
        }
    }

    /// Phase A: what consumer `i` is offered for the day before it opens the app.
    #[inline]
    pub fn perks(&self, view: &DayView, i: usize) -> Perks {
        let coupon = self.coupons.holds(view, i);
        Perks {
            activity_boost: self.coupons.activity_boost(view, i, coupon)
                * view.today.festival.visit_surge,
            coupon,
            notified: self.group_buying.invited(i)
                || self.sharing.shared_with(i)
                || self.loyalty.reminds(i, view.day),
        }
    }

    /// Phase A: a price discount with membership's added.
    #[inline]
    pub fn membership_discount(&self, world: &World, s: &Scenario, i: usize, discount: f32) -> f32 {
        revenue::membership_discount(world, s, i, discount)
    }

    /// Phase A: the discount of an item bought from the feed, given the base (live)
    /// discount.
    #[inline]
    pub fn item_discount(&self, world: &World, s: &Scenario, product: u32, discount: f32) -> f32 {
        self.group_buying.item_discount(world, s, product, discount)
    }

    /// Phase A, before the feed: consumer `i`'s open purchase intent (forming one if it has
    /// none), and, if the consumer searches, the search's purchase.
    pub fn intent(&self, view: &DayView, i: usize, basket: &mut Basket, ev: &mut DayEvents) {
        basket.intent = self.search.intent(view, i, ev);
        self.search.serve(view, i, basket.intent, basket, ev);
    }

    /// Phase A: the cross-border terms of the purchase utility of an offer of merchant `mi`
    /// to consumer `i` at price `paid`, with `relief` of the cultural distance removed by
    /// its channel (0 for a domestic offer).
    #[inline]
    pub fn cross_border(&self, view: &DayView, i: usize, mi: usize, paid: f32, relief: f32) -> f32 {
        self.markets
            .utility(view.s, view.world, i, mi, paid, relief)
    }

    /// Phase A: offers besides the feed that consumer `i` weighs today, in this order:
    /// friends' group invitations, friends' shares, the feed's ads, a forum's posts.
    pub fn offers(&self, view: &DayView, i: usize, ev: &mut DayEvents) {
        self.group_buying.answer(view, i, ev);
        self.sharing.answer(view, i, ev);
        revenue::show_ads(view, i, ev);
        self.forums.answer(view, i, ev);
    }

    /// Phase "channels", after phase A: the group chats' recruitment, posts and solitaire
    /// lists (sequential: each reader sees the lists as the readers before it left them).
    pub fn channels(&self, view: &DayView, ev: &mut DayEvents) {
        self.chats.serve(view, ev);
    }

    /// Booking, before the orders: chat joins and the survey's tallies of today's chat
    /// decisions; forum readers' lost trust.
    pub fn channel_booking(&mut self, world: &mut World, ev: &DayEvents) {
        self.chats.booked(ev);
        self.forums.booked(world, ev);
    }

    /// Booking: the days from booking to delivery before the mode's and congestion's: the
    /// merchant's lead time; a chat's takeaway comes the same day.
    #[inline]
    pub fn lead_time(&self, world: &World, o: &OrderIntent, mi: usize) -> u32 {
        if o.origin == crate::behaviour::Origin::Chat {
            0
        } else {
            world.merchants.lead_time[mi]
        }
    }

    /// Delivery: the terms a channel adds to the buyer's satisfaction logit for order `o`
    /// (order `id`): a chat order's service, hygiene and arrival time.
    pub fn experience(&mut self, s: &Scenario, o: &OrderIntent, id: u64) -> f64 {
        self.chats.experience(s, o, id)
    }

    /// Booking: an order a policy settles itself (an order of a group product), or `None`.
    pub fn take_order(
        &mut self,
        world: &World,
        s: &Scenario,
        day: u32,
        intent: &OrderIntent,
        row: &mut DailyRow,
    ) -> Option<Settled> {
        self.group_buying.take_order(world, s, day, intent, row)
    }

    /// End of phase "fulfilment": today's shares go to tomorrow; groups whose window ends
    /// today fail.
    pub fn after_fulfilment(&mut self, day: u32, row: &mut DailyRow) {
        self.sharing.after_fulfilment();
        for o in self.group_buying.close(day, row) {
            self.markets.booked(&o, true);
        }
    }

    /// Phase "events", first thing in the morning: scheduled and random scandals.
    pub fn morning(&mut self, world: &mut World, s: &Scenario, day: u32, row: &mut DailyRow) {
        self.scandals.morning(world, s, day, row);
        self.calendar.morning(s, day);
        calendar::record(self.calendar.today(s, day), row);
    }

    /// Phase "pools", after supply: warehouses restock (and take in entrants); the search
    /// results of the day; vendors' forum posts.
    pub fn pools(&mut self, world: &World, s: &Scenario, day: u32, row: &mut DailyRow) {
        self.markets.morning(world, s, day);
        self.search.index(world, s, day);
        self.forums.morning(world, s, day, row);
    }

    /// Booking: today's visitors (ascending ids) opened the app on `day`.
    pub fn visited(&mut self, s: &Scenario, visitors: &[u32], day: u32) {
        self.calendar.visited(s, visitors, day);
    }

    /// Booking, before the orders: the purchase intents formed today.
    pub fn intents(&mut self, new: &[(u32, u32)]) {
        self.search.opened(new);
    }

    /// Booking: whether order `o` of merchant `mi` is paid (a cross-border payment can
    /// fail); a failure is booked, cancelled and costs the buyer's trust.
    pub fn pays(
        &mut self,
        world: &mut World,
        s: &Scenario,
        day: u32,
        o: &OrderIntent,
        mi: usize,
        row: &mut DailyRow,
    ) -> bool {
        if self.markets.pays(s, day, o, mi) {
            return true;
        }
        self.markets.payment_failed(o);
        self.markets.booked(o, true);
        row.book(o.value);
        row.cancel(o.value);
        row.payment_failures += 1;
        let t = &mut world.consumers.trust[o.consumer as usize];
        *t = (*t - s.cross_border.payment_trust_penalty as f32).max(0.0);
        false
    }

    /// Booking: how accepted order `o` of merchant `mi` travels: its mode and the days it
    /// adds to the merchant's lead time (the mode's and congestion's), and the days it is
    /// late by (a warehouse stock-out).
    pub fn dispatch(
        &mut self,
        world: &World,
        s: &Scenario,
        o: &OrderIntent,
        mi: usize,
        row: &mut DailyRow,
    ) -> (markets::Mode, u32, u32) {
        let (mode, days, late, stockout) = self.markets.dispatch(s, world, o, mi);
        if mode != markets::Mode::Domestic {
            row.cross_border_orders += 1;
        }
        row.warehouse_stockouts += stockout as u64;
        let congestion = self.calendar.congestion_delay();
        (mode, days + congestion, late + congestion)
    }

    /// End of phase "booking": fake orders of brushing merchants and hosts.
    pub fn after_booking(&self, world: &mut World, s: &Scenario, day: u32, row: &mut DailyRow) {
        brushing::brush(world, s, day, row);
    }

    /// Phase "creators", before income and motivation are updated: rewards to creators.
    pub fn pay_creators(
        &self,
        world: &mut World,
        s: &Scenario,
        exposure: &[u32],
        row: &mut DailyRow,
    ) {
        creator_support::pay(world, s, exposure, row);
    }

    /// Phase "creators", after the day's income is counted: damage fades.
    pub fn evening(&mut self, world: &mut World, s: &Scenario, row: &mut DailyRow) {
        self.scandals.evening(world, s);
        self.coupons.evening(row);
        self.calendar.evening();
        let (holding, compliance) = self.markets.evening(world, s);
        row.warehouse_cost = holding;
        row.compliance_cost = compliance;
    }

    /// Booking: an order is accepted (before the buyer's counts change).
    pub fn on_accept(&mut self, world: &mut World, intent: &OrderIntent, row: &mut DailyRow) {
        let merchant = world.products.merchant(intent.product) as usize;
        self.search
            .bought(intent.consumer as usize, world.merchants.topic[merchant]);
        row.festival_discount_spend += intent.reduction as f64;
        self.coupons.on_accept(world, intent, row);
        self.loyalty.on_accept(intent, row);
        sharing::on_accept(intent, row);
    }

    /// Delivery: whether order `o` (quality gap `gap`) is returned.
    #[allow(clippy::too_many_arguments)]
    pub fn returned(
        &self,
        world: &World,
        s: &Scenario,
        o: &OrderIntent,
        merchant: usize,
        gap: f64,
        rng: &mut crate::rng::StreamRng,
        row: &mut DailyRow,
    ) -> bool {
        returns::decide(world, s, o, merchant, gap, rng, row)
    }

    /// Delivery: the buyer keeps order `o`.
    pub fn on_kept(&mut self, s: &Scenario, o: &OrderIntent, row: &mut DailyRow) {
        self.loyalty.on_kept(s, o, row);
        forums::State::kept(s, o, row);
    }

    /// Delivery: after the buyer's satisfaction is known, the review (its draws come next
    /// in the order's stream).
    pub fn on_satisfaction(
        &mut self,
        world: &mut World,
        s: &Scenario,
        merchant: usize,
        realized: f64,
        rng: &mut crate::rng::StreamRng,
        row: &mut DailyRow,
    ) {
        reviews::on_delivery(world, s, merchant, realized, rng, row);
    }

    /// Delivery, after the buyer's response to order `o` (order `id`): word of mouth (its
    /// draws come last in the order's stream); feedback in a chat; a post in a forum (both
    /// from streams of their own).
    #[allow(clippy::too_many_arguments)]
    pub fn after_response(
        &mut self,
        world: &World,
        s: &Scenario,
        o: &OrderIntent,
        id: u64,
        satisfaction: f32,
        returned: bool,
        rng: &mut crate::rng::StreamRng,
        row: &mut DailyRow,
    ) {
        self.sharing
            .on_delivery(world, s, o, satisfaction, returned, rng, row);
        row.chat_feedback += self.chats.delivered(s, o, id, satisfaction) as u64;
        self.forums
            .delivered(world, s, o, id, row.day, satisfaction, row);
    }

    /// Phase "record": the policies' own columns of the daily row.
    pub fn record(
        &mut self,
        world: &World,
        s: &Scenario,
        ev: &DayEvents,
        members: &markets::Members,
        row: &mut DailyRow,
    ) {
        row.rating_gap = reviews::rating_gap(world, s);
        revenue::record(world, s, ev.ad_impressions, row);
        row.intents_opened = ev.intents_opened;
        row.searches = ev.searches;
        row.search_orders = ev.search_orders;
        row.chat_members = self.chats.members();
        row.chat_readers = ev.chat_readers;
        row.chat_posts = ev.chat_posts;
        row.chat_orders = ev.chat_orders;
        row.forum_reads = ev.forum_reads;
        row.forum_orders = ev.forum_orders;
        self.markets.record(&ev.visitors, members);
    }

    /// Where accepted orders are logged for the event studies.
    pub fn order_log(&mut self) -> &mut EventStudy {
        &mut self.scandals.study
    }

    /// Adds the policies' parts of the summary.
    pub fn finish(
        &mut self,
        world: &World,
        s: &Scenario,
        daily: &[DailyRow],
        summary: &mut crate::metrics::Summary,
    ) -> (Vec<markets::MarketRow>, Vec<chats::SurveyRow>) {
        summary.scandals = self.scandals.study.finish();
        summary.markets = self.markets.finish(world, s);
        summary.calendar = self.calendar.finish(s, daily);
        summary.gmv_per_mau = summary.calendar.first().map(|f| f.gmv_per_mau);
        let survey = self.chats.survey(world, s);
        summary.survey = chats::SurveySummary::of(&survey);
        (std::mem::take(&mut self.markets.history), survey)
    }
}
