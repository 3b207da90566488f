//! The day, in order (docs/MODEL.md, "The day, phase by phase"): events → supply → feeds,
//! engagement and purchase (phase A, in parallel) → follows, bookings, fulfilment (phase B, in
//! consumer order) → creators, then merchants' profit → record.
//!
//! Phase A reads a frozen world and writes only per-chunk [`DayEvents`]; phase B applies them
//! sequentially. Integer counters merge exactly and event lists keep consumer order, so the
//! run is byte-identical for any thread count.

mod consumer_day;

mod orders;
mod supply;

pub(crate) use crate::behaviour::OrderIntent;
pub(crate) use consumer_day::{CreatorCard, DayEvents, DayView, bit, draw_topic};

use crate::error::Result;
use crate::metrics::inequality::{gini_sorted, top_share_sorted};
use crate::metrics::{
    DailyRow, Homogenization, PositionRow, RETENTION_WINDOW, Summary, examination, position_rows,
    ratio, summarize,
};
use crate::policy::Policies;
use crate::policy::recommend::estimate::{InterestModel, Prior};
use crate::policy::recommend::{DayFeedback, DayPools, Recommender, built_in};
use crate::scenario::Scenario;
use crate::world::{World, build_world};
pub use consumer_day::FeedScratch;
use consumer_day::creator_cards;
use rayon::prelude::*;

/// Consumers per phase-A chunk: a constant, never derived from the thread count.
pub(crate) const CHUNK: usize = 4096;

/// One simulation run, stepped a day at a time.
pub struct Simulation {
    scenario: Scenario,
    world: World,
    recommender: Box<dyn Recommender>,
    /// The platform's model of each consumer (what it has learned of their interests).
    model: InterestModel,
    day: u32,
    orders: orders::OrderBook,
    /// Per consumer: bit 0 active on day 0, bit 1 active in the retention window.
    retention: Vec<u8>,
    initial_creators: usize,
    daily: Vec<DailyRow>,
    churned_total: u64,
    homogenization: Homogenization,
    sample_stride: usize,
    sample_size: usize,
    /// The platform's policies' run state, called at the phases they act in.
    policies: Policies,
    /// Examination probability of each organic feed position (position bias).
    examination: Vec<f32>,
    /// Engagement by feed position, day by day (`positions.csv`).
    positions: Vec<PositionRow>,
    /// Wall-clock seconds spent in each phase of the day so far.
    times: PhaseTimes,
    /// The habit's decay over a number of days.
    habit_decay: crate::world::HabitDecay,
}

/// Wall-clock seconds spent in each phase of the days simulated (`timings.phases` of
/// manifest.json). Only `consumers_s` (phase A) is spread over the worker threads as a
/// whole; the other phases run on one thread, apart from the parallel passes that
/// `parallel_passes_s` times.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct PhaseTimes {
    /// Scheduled and random shocks (the policies' morning).
    pub events_s: f64,
    /// Creators and merchants exit, enter and post; hosts go live.
    pub supply_s: f64,
    /// Today's candidate pools, creator cards and account bits.
    pub pools_s: f64,
    /// Phase A: every consumer's day, in parallel.
    pub consumers_s: f64,
    /// Group chats, reader after reader.
    pub channels_s: f64,
    /// Phase B: visits, follows, orders booked.
    pub booking_s: f64,
    /// Deliveries, returns, reviews, trust and churn.
    pub fulfilment_s: f64,
    /// Exposure, income and motivation; the recommender's end of day.
    pub creators_s: f64,
    /// Merchants' profit.
    pub merchants_s: f64,
    /// The day's row.
    pub record_s: f64,
    /// Not a phase: the seconds, within the phases other than phase A, spent in passes that
    /// run in parallel (today's visits, the orders' arrival order, what today's purchases
    /// leave on their buyers, the creator cards, the record's sums over the consumers),
    /// already counted in their phases (`timings.parallel_passes_s`).
    #[serde(skip)]
    pub parallel_passes_s: f64,
}

/// Runs `pass`, which runs in parallel, and adds its seconds to `into`.
fn parallel<R>(into: &mut f64, pass: impl FnOnce() -> R) -> R {
    let start = std::time::Instant::now();
    let out = pass();
    *into += start.elapsed().as_secs_f64();
    out
}

/// Adds the time since `since` to `into` and restarts `since`.
fn lap(since: &mut std::time::Instant, into: &mut f64) {
    let now = std::time::Instant::now();
    *into += (now - *since).as_secs_f64();
    *since = now;
}

impl Simulation {
    /// Builds the world of a validated scenario, with its built-in recommender.
    pub fn new(scenario: &Scenario) -> Result<Simulation> {
        let recommender = built_in(&scenario.recommendation);
        Simulation::with_recommender(scenario, recommender)
    }

    /// Builds the world with a recommender of your own.
    pub fn with_recommender(
        scenario: &Scenario,
        recommender: Box<dyn Recommender>,
    ) -> Result<Simulation> {
        scenario.validate()?;
        let world = build_world(scenario)?;
        let days = scenario.run.days as usize;
        let sample_size =
            (scenario.recommendation.homogenization_sample as usize).min(world.consumers.len());
        let sample_stride = (world.consumers.len() / sample_size.max(1)).max(1);
        Ok(Simulation {
            homogenization: Homogenization::new(sample_stride, sample_size),
            sample_stride,
            sample_size,
            policies: Policies::new(scenario, &world),
            retention: vec![0; world.consumers.len()],
            initial_creators: world.creators.len(),
            scenario: scenario.clone(),
            model: InterestModel::new(world.consumers.len(), world.topics),
            world,
            recommender,
            day: 0,
            orders: orders::OrderBook::new(days),
            daily: Vec::with_capacity(days),
            churned_total: 0,
            examination: examination(
                (scenario.recommendation.feed_size - scenario.platform.ad_slots) as usize,
                scenario.behaviour.position_decay,
            ),
            positions: Vec::new(),
            times: PhaseTimes::default(),
            habit_decay: crate::world::HabitDecay::new(
                scenario.behaviour.habit_rate as f32,
                scenario.run.days,
            ),
        })
    }

    /// The current world (read-only).
    pub fn world(&self) -> &World {
        &self.world
    }

    /// Days simulated so far.
    pub fn day(&self) -> u32 {
        self.day
    }

    /// The rows recorded so far.
    pub fn daily(&self) -> &[DailyRow] {
        &self.daily
    }

    /// Wall-clock seconds spent so far in each phase of the day.
    pub fn phase_times(&self) -> &PhaseTimes {
        &self.times
    }

    /// True when the horizon is reached.
    pub fn is_done(&self) -> bool {
        self.day >= self.scenario.run.days
    }

    /// What phase A reads today: the frozen world, the pools and cards, the coefficients.
    fn view<'a>(
        &'a self,
        pools: &'a DayPools,
        cards: &'a [CreatorCard],
        bits: &'a AccountBits,
        prior: Prior,
    ) -> DayView<'a> {
        let s = &self.scenario;
        DayView {
            s,
            world: &self.world,
            pools,
            cards,
            recommender: self.recommender.as_ref(),
            mix: self.recommender.pool_mix().cumulative(),
            day: self.day,
            seed: s.run.seed,
            stock: s.hosts.session_stock as f32,
            sample_stride: self.sample_stride,
            sample_size: self.sample_size,
            policies: &self.policies,
            today: self.policies.today(s, self.day),
            examination: &self.examination,
            fresh: &bits.fresh,
            active: &bits.active,
            prior,
            log: self.recommender.wants_impressions(),
            habit_decay: &self.habit_decay,
        }
    }

    /// The prior of the platform's interest estimates: the platform-wide engagement rate so
    /// far, (engagements + 1) / (impressions + 10), weighing `recommendation.prior_impressions`.
    fn prior(&self) -> Prior {
        let cr = &self.world.creators;
        let engagements: u64 = cr.engagements_total.iter().sum();
        let impressions: u64 = cr.exposure_total.iter().sum();
        Prior {
            rate: ((engagements as f64 + 1.0) / (impressions as f64 + 10.0)) as f32,
            impressions: self.scenario.recommendation.prior_impressions as f32,
        }
    }

    /// A feed builder over the world as it stands now (before the next day's supply step):
    /// to inspect what the recommender would show a consumer, or to time candidate
    /// generation. It draws from the same keyed streams as the next day's feeds.
    pub fn feed_builder(&self) -> FeedBuilder<'_> {
        let cards = creator_cards(&self.world.creators, &self.world.products);
        FeedBuilder {
            sim: self,
            pools: DayPools::build(
                &self.world,
                self.scenario.recommendation.popularity_exponent,
            ),
            bits: AccountBits::new(&cards, self.day),
            cards,
            prior: self.prior(),
        }
    }

    /// Simulates one day and returns its row. The day is a fixed sequence of phases
    /// (docs/MODEL.md, "The day"); the policies act inside them through [`Policies`].
    pub fn step(&mut self) -> &DailyRow {
        let mut row = DailyRow {
            day: self.day,
            ..Default::default()
        };
        let mut clock = std::time::Instant::now();
        // Events: scheduled and random shocks.
        self.policies
            .morning(&mut self.world, &self.scenario, self.day, &mut row);
        lap(&mut clock, &mut self.times.events_s);
        // Supply: creators exit, enter and post; hosts go live.
        let supplied = supply::supply(&mut self.world, &self.scenario, self.day);
        row.creator_exits = supplied.exits;
        row.creator_entries = supplied.entries;
        row.live_sessions = supplied.live_sessions;
        row.merchant_exits = supplied.merchant_exits;
        row.merchant_entries = supplied.merchant_entries;
        self.policies
            .pools(&self.world, &self.scenario, self.day, &mut row);
        lap(&mut clock, &mut self.times.supply_s);
        // Pools: today's candidate pools and creator cards.
        let pools = DayPools::build(
            &self.world,
            self.scenario.recommendation.popularity_exponent,
        );
        let cards = parallel(&mut self.times.parallel_passes_s, || {
            creator_cards(&self.world.creators, &self.world.products)
        });
        let bits = AccountBits::new(&cards, self.day);
        lap(&mut clock, &mut self.times.pools_s);
        // Consumers (phase A, in parallel): feeds, engagement, follows, purchase decisions.
        let mut events = self.consumers(&pools, &cards, &bits);
        lap(&mut clock, &mut self.times.consumers_s);
        // Channels: group chats' posts and solitaire lists, reader after reader.
        self.channels(&pools, &cards, &bits, &mut events);
        lap(&mut clock, &mut self.times.channels_s);
        // Booking (phase B, in consumer order from here on): follows and orders.
        self.booking(&mut events, &mut row);
        lap(&mut clock, &mut self.times.booking_s);
        // Fulfilment: deliveries, returns, reviews, trust and churn; groups close.
        self.fulfilment(&mut row);
        lap(&mut clock, &mut self.times.fulfilment_s);
        // Creators: exposure, income and motivation; the recommender learns.
        self.creators(&events, &mut row);
        lap(&mut clock, &mut self.times.creators_s);
        // Merchants: today's profit into their moving averages and low-days counters.
        self.update_merchants();
        lap(&mut clock, &mut self.times.merchants_s);
        // Record.
        self.churned_total += row.churned;
        self.record(&pools, &events, &mut row);
        self.positions
            .extend(position_rows(self.day, &events.by_position));
        lap(&mut clock, &mut self.times.record_s);
        self.daily.push(row);
        self.day += 1;
        self.daily.last().unwrap()
    }

    /// Phase A: every consumer's day, in parallel over fixed chunks, merged in order. Each
    /// chunk also owns its consumers' rows of the platform's model, which their impressions
    /// update.
    fn consumers(
        &mut self,
        pools: &DayPools,
        cards: &[CreatorCard],
        bits: &AccountBits,
    ) -> DayEvents {
        let mut model = std::mem::replace(&mut self.model, InterestModel::new(0, 0));
        let row = model.row_len();
        let view = self.view(pools, cards, bits, self.prior());
        let n_creators = self.world.creators.len();
        let k = self.examination.len();
        let events = model
            .rows_mut()
            .par_chunks_mut(CHUNK * row)
            .enumerate()
            .fold(
                || DayEvents::new(n_creators, k),
                |mut ev, (chunk, rows)| {
                    for (j, model) in rows.chunks_mut(row).enumerate() {
                        view.consumer_day(chunk * CHUNK + j, &mut ev, model);
                    }
                    ev
                },
            )
            .reduce(|| DayEvents::new(n_creators, k), DayEvents::merge);
        self.model = model;
        events
    }

    /// The channel phase: the policies' offers that depend on other consumers' decisions of
    /// the same day, over the same frozen world as phase A.
    fn channels(
        &self,
        pools: &DayPools,
        cards: &[CreatorCard],
        bits: &AccountBits,
        events: &mut DayEvents,
    ) {
        if self.scenario.chats.per_community == 0 {
            return;
        }
        let view = self.view(pools, cards, bits, self.prior());
        self.policies.channels(&view, events);
    }

    /// Booking: today's counts and follows, then the orders in arrival order, then what the
    /// policies add after booking.
    fn booking(&mut self, events: &mut DayEvents, row: &mut DailyRow) {
        let (s, day) = (&self.scenario, self.day);
        row.active_consumers = events.active;
        row.impressions = events.impressions;
        row.engagements = events.engagements;
        for &i in &events.arrivals {
            self.world.consumers.join(i as usize, day);
        }
        row.arrivals = events.arrivals.len() as u64;
        parallel(&mut self.times.parallel_passes_s, || {
            self.world
                .consumers
                .visited(&events.visitors, day, &self.habit_decay)
        });
        self.policies.visited(s, &events.visitors, day);
        if day == 0 || RETENTION_WINDOW.contains(&day) {
            for &i in &events.visitors {
                self.retention[i as usize] |= if day == 0 { 1 } else { 2 };
            }
        }
        for &i in &events.churned {
            self.world.consumers.churned[i as usize] = true;
        }
        row.churned += events.churned.len() as u64;
        apply_follows(&mut self.world, &events.follows, row);
        self.policies.intents(&events.new_intents);
        self.policies.channel_booking(&mut self.world, events);
        let mut intents = std::mem::take(&mut events.orders);
        for o in intents
            .iter()
            .filter(|o| o.origin == crate::behaviour::Origin::Feed)
        {
            self.world.creators.orders_total[o.creator as usize] += 1;
        }
        parallel(&mut self.times.parallel_passes_s, || {
            orders::arrival_order(&mut intents, s.run.seed, day)
        });
        let mut ledger = orders::Ledger {
            row,
            policies: &mut self.policies,
        };
        self.orders
            .book(&mut self.world, s, day, &intents, &mut ledger);
        let mut purchases = self.orders.take_purchases();
        parallel(&mut self.times.parallel_passes_s, || {
            let topics = self.world.topics;
            self.world
                .consumers
                .bought(&mut purchases, day, topics, &s.behaviour)
        });
        self.policies.after_booking(&mut self.world, s, day, row);
    }

    /// Fulfilment: the orders due today are delivered; shares made today reach friends
    /// tomorrow; then the policies' end of fulfilment.
    fn fulfilment(&mut self, row: &mut DailyRow) {
        let due = self.orders.due(self.day);
        orders::fulfil(
            &mut self.world,
            &self.scenario,
            &due,
            row,
            &mut self.policies,
        );
        self.policies.after_fulfilment(self.day, row);
    }

    /// Creators: the homogenization sample and the recommender learn from the day; exposure,
    /// income and motivation are updated; the policies' evening.
    fn creators(&mut self, events: &DayEvents, row: &mut DailyRow) {
        for &(i, c) in &events.sample_engagements {
            self.homogenization.engage(i, c);
        }
        self.recommender.end_of_day(&DayFeedback {
            day: self.day,
            impressions: &events.exposure,
            engagements: &events.engaged,
            log: &events.log,
        });
        self.policies
            .pay_creators(&mut self.world, &self.scenario, &events.exposure, row);
        self.update_creators(events);
        self.policies.evening(&mut self.world, &self.scenario, row);
    }

    /// Folds today's exposure, engagements and income into the creators' totals and moving
    /// averages, and counts the days each active creator's
    /// motivation signal (smoothed exposure + income_weight × smoothed income) stays under
    /// its motivation.
    fn update_creators(&mut self, ev: &DayEvents) {
        let k = &self.scenario.creators;
        let a_exp = 1.0 - 0.5f32.powf(1.0 / k.exposure_halflife_days as f32);
        let a_pop =
            1.0 - 0.5f32.powf(1.0 / self.scenario.recommendation.popularity_halflife_days as f32);
        let cr = &mut self.world.creators;
        for c in 0..ev.exposure.len() {
            let (x, e) = (ev.exposure[c], ev.engaged[c]);
            cr.exposure_total[c] += x as u64;
            cr.engagements_total[c] += e as u64;
            cr.exposure_ema[c] += a_exp * (x as f32 - cr.exposure_ema[c]);
            cr.popularity[c] += a_pop * (e as f32 - cr.popularity[c]);
            let income_today = (cr.income[c] - cr.income_seen[c]) as f32;
            cr.income_seen[c] = cr.income[c];
            cr.income_ema[c] += a_exp * (income_today - cr.income_ema[c]);
            if cr.active[c] {
                let signal = cr.exposure_ema[c] + k.income_weight as f32 * cr.income_ema[c];
                cr.low_days[c] = if signal < cr.motivation[c] {
                    cr.low_days[c] + 1
                } else {
                    0
                };
            }
        }
    }

    /// Folds each merchant's profit of today's deliveries into its total and its moving
    /// average, and counts the days each active merchant's smoothed profit stays under
    /// `merchants.exit_profit` (exits happen in the next day's supply phase).
    fn update_merchants(&mut self) {
        let k = &self.scenario.merchants;
        let a = 1.0 - 0.5f64.powf(1.0 / k.profit_halflife_days);
        let m = &mut self.world.merchants;
        for i in 0..m.len() {
            let today = std::mem::take(&mut m.profit_today[i]);
            m.profit_total[i] += today;
            m.profit_ema[i] += a * (today - m.profit_ema[i]);
            if m.active[i] {
                m.low_days[i] = if m.profit_ema[i] < k.exit_profit {
                    m.low_days[i] + 1
                } else {
                    0
                };
            }
        }
    }

    fn record(&mut self, pools: &DayPools, ev: &DayEvents, row: &mut DailyRow) {
        row.net_gmv = row.gross_gmv - row.returned_gmv - row.cancelled_gmv;
        row.repeat_purchase_rate = ratio(row.repeat_buyers as f64, row.unique_buyers as f64);
        row.return_rate = ratio(row.returned_orders as f64, row.delivered_orders as f64);
        row.live_return_rate = ratio(
            row.returned_live_orders as f64,
            row.delivered_live_orders as f64,
        );
        let members = parallel(&mut self.times.parallel_passes_s, || {
            self.policies.markets.members(&self.world)
        });
        self.policies
            .record(&self.world, &self.scenario, ev, &members, row);
        row.members = members.count;
        row.mean_platform_trust = ratio(members.trust, members.count as f64);
        row.churned_total = self.churned_total;
        row.active_creators = self.world.creators.active.iter().filter(|&&a| a).count() as u64;
        row.active_merchants = self.world.merchants.active_ids.len() as u64;
        let mut exposure: Vec<f64> = pools
            .active
            .iter()
            .map(|&c| ev.exposure[c as usize] as f64)
            .collect();
        exposure.sort_by(f64::total_cmp);
        row.exposure_gini = gini_sorted(&exposure);
        row.exposure_top1_share = top_share_sorted(&exposure, 0.01);
        row.exposure_top10_share = top_share_sorted(&exposure, 0.10);
        let shown = exposure.iter().filter(|&&x| x > 0.0).count();
        row.coverage = ratio(shown as f64, exposure.len() as f64);
        row.feed_diversity = ev.diversity_micros as f64 / 1e6 / (ev.feeds.max(1) as f64);
        row.mean_engage_prob = ev.engage_prob_micros as f64 / 1e6 / (ev.impressions.max(1) as f64);
        row.homogenization = self.homogenization.mean_jaccard();
        row.ndcg = ev.ndcg_micros as f64 / 1e6 / (ev.ndcg_feeds.max(1) as f64);
        row.interest_error = ev.error_micros as f64 / 1e6 / (ev.error_visitors.max(1) as f64);
        row.new_engage_prob = ev.new_prob_micros as f64 / 1e6 / (ev.new_impressions.max(1) as f64);
    }

    /// Runs to the horizon, calling `on_day` after each day.
    pub fn run(&mut self, mut on_day: impl FnMut(&DailyRow)) {
        while !self.is_done() {
            on_day(self.step());
        }
    }

    /// The run's results: daily rows, per-creator rows and the summary.
    pub fn finish(mut self) -> RunOutput {
        let mut summary = summarize(
            &self.scenario,
            &self.world,
            &self.daily,
            &self.retention,
            self.initial_creators,
        );
        let (markets, survey) =
            self.policies
                .finish(&self.world, &self.scenario, &self.daily, &mut summary);
        let creators = crate::metrics::creator_rows(&self.world);
        RunOutput {
            daily: self.daily,
            creators,
            positions: self.positions,
            markets,
            survey,
            summary,
        }
    }
}

/// Two bits per account, one table each, compact so that phase A checks them without reading
/// cards: `active` (the card's `active`) and `fresh` (active with new content on the day: an
/// item posted that day, or live).
pub(crate) struct AccountBits {
    active: Vec<u64>,
    fresh: Vec<u64>,
}

impl AccountBits {
    fn new(cards: &[CreatorCard], day: u32) -> AccountBits {
        let mut active = vec![0u64; cards.len().div_ceil(64)];
        let mut fresh = active.clone();
        for (c, card) in cards.iter().enumerate() {
            if card.active {
                active[c / 64] |= 1 << (c % 64);
                if card.live || card.item_day == day {
                    fresh[c / 64] |= 1 << (c % 64);
                }
            }
        }
        AccountBits { active, fresh }
    }
}

/// Applies follow decisions; a consumer whose follow ring is full drops its oldest follow.
fn apply_follows(world: &mut World, follows: &[(u32, u32)], row: &mut DailyRow) {
    let (cons, cr) = (&mut world.consumers, &mut world.creators);
    for &(i, c) in follows {
        if let Some(old) = cons.follow(i as usize, c) {
            cr.followers[old as usize] -= 1;
        }
        cr.followers[c as usize] += 1;
        row.follows += 1;
    }
}

/// Builds feeds without simulating; see [`Simulation::feed_builder`].
pub struct FeedBuilder<'a> {
    sim: &'a Simulation,
    pools: DayPools,
    cards: Vec<CreatorCard>,
    bits: AccountBits,
    /// The prior of the interest estimates, computed once (it sums over all accounts).
    prior: Prior,
}

impl FeedBuilder<'_> {
    /// Builds consumer `i`'s feed into `scratch.feed` (reusing its buffers).
    pub fn feed_into(&self, consumer: u32, scratch: &mut FeedScratch) {
        self.sim
            .view(&self.pools, &self.cards, &self.bits, self.prior)
            .build_feed(
                consumer as usize,
                scratch,
                self.sim.model.row(consumer as usize),
            );
    }

    /// Consumer `i`'s feed, best first.
    pub fn feed(&self, consumer: u32) -> Vec<crate::policy::recommend::Candidate> {
        let mut scratch = FeedScratch::default();
        self.feed_into(consumer, &mut scratch);
        scratch.feed
    }
}

/// What a finished run produced.
pub struct RunOutput {
    pub daily: Vec<DailyRow>,
    pub creators: Vec<crate::metrics::CreatorRow>,
    /// Engagement by feed position, one row per day and organic position.
    pub positions: Vec<PositionRow>,
    /// One row per day and market (`markets.csv`).
    pub markets: Vec<crate::policy::markets::MarketRow>,
    /// One row per consumer when there are group chats (`survey.csv`).
    pub survey: Vec<crate::policy::chats::SurveyRow>,
    pub summary: Summary,
}
