//! Group chats of a community: local merchants' takeaway groups (docs/MODEL.md, "Group
//! chats"; the campus takeaway study: merchants set up WeChat groups, promote them offline
//! and through active members, post products at set times with small offers; members order
//! into a "solitaire" list everyone sees, pay by red packet and post feedback).
//!
//! Each community of the social graph (a block model's block; otherwise a community found by
//! label propagation) has `per_community` chats, each run by a merchant. Every day:
//! - **recruitment**: a consumer not in a chat of its community joins it with probability
//!   `offline_join` (QR codes promoted offline) + `invite_join` × the share of its friends
//!   who are members (invitations);
//! - **reading**: a member reads its chats with probability σ(logit(activity) + `read_shift`
//!   + `read_satisfaction` · (its chat satisfaction − `initial_satisfaction`));
//! - **the posts and the solitaire list**: each chat whose merchant trades posts one product
//!   at `discount` off. Readers come in a keyed order through the day; each weighs its chats'
//!   posts in turn with the one purchase decision, the post's terms added: `convenience` −
//!   `slot_weight` × the hours between its preferred meal time and the nearest delivery slot,
//!   plus `social_proof` × ln(1 + orders already on the list), plus `feedback_weight` × the
//!   chat's mood, plus `owner_weight` × the owner's friendliness, less `wariness` × (the poor
//!   service and the hygiene trouble it remembers). A member orders at most one meal a day;
//! - **delivery** (the same day): the order's service is poor with probability 1 − the
//!   chat's service level, a hygiene incident happens with the chat's hygiene risk, and it
//!   arrives at its slot give or take `delivery_sd` hours. Each lowers the buyer's
//!   satisfaction (`service_penalty`, `hygiene_penalty`, `slot_penalty` per hour beyond
//!   `slot_tolerance`) on top of the food's quality. The buyer's chat satisfaction and
//!   memories move toward the outcome, and with probability `feedback` it posts feedback,
//!   which moves the chat's mood.
//!
//! The survey record of each consumer ([`SurveyRow`], `survey.csv`) is derived from this
//! state: see docs/OUTPUTS.md.

use crate::behaviour::{OrderIntent, Origin};
use crate::engine::{DayEvents, DayView};
use crate::rng::{Purpose, StreamRng, key, stream, unit_f32};
use crate::scenario::Scenario;
use crate::scenario::check::*;
use crate::world::{NONE, World};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// Chats per community at most (a consumer's memberships are bits of a byte).
pub const MAX_PER_COMMUNITY: u64 = 8;

/// How fast a chat's mood follows the feedback posted in it (an exponential moving average).
pub const MOOD_RATE: f32 = 0.2;

/// A reason counts in the survey when it was the leading term of at least this share of the
/// consumer's decisions of its kind (purchases for a reason to choose, declined posts for a
/// reason to avoid).
pub const REASON_SHARE: f32 = 0.25;

/// The reasons to choose a chat, in `survey.csv` order.
pub const CHOSEN: [&str; 4] = ["price", "convenience", "food", "owner"];
/// The reasons to avoid one, in `survey.csv` order.
pub const AVOIDED: [&str; 4] = ["delivery_time", "service", "hygiene", "taste"];

/// What one consumer's chat days have left: the survey's raw material.
#[derive(Clone, Copy, Debug, Default)]
struct Record {
    /// Satisfaction with the chats (an exponential moving average of its chat orders').
    satisfaction: f32,
    /// Remembered service and hygiene: 1 = no trouble, moving toward each order's outcome.
    service: f32,
    hygiene: f32,
    /// Days with an order placed into a solitaire list.
    days_used: u32,
    /// Purchases, and how many of them each reason to choose led.
    bought: u32,
    led_purchase: [u32; 4],
    /// Posts read and not bought, and how many of them each reason to avoid led.
    declined: u32,
    led_decline: [u32; 4],
}

/// The outcome of a delivered chat order.
#[derive(Clone, Copy, Debug, Default)]
struct Outcome {
    poor_service: bool,
    hygiene_incident: bool,
}

/// The chats' run state. Empty when `per_community = 0`.
#[derive(Default)]
pub struct State {
    /// Per chat (community × `per_community` + j): its merchant.
    merchant: Vec<u32>,
    /// Per chat: the share of orders served well, its hygiene risk, its owner's friendliness.
    service: Vec<f32>,
    hygiene: Vec<f32>,
    friendliness: Vec<f32>,
    /// Per chat: the mood of the feedback posted in it (satisfaction − ½, smoothed).
    mood: Vec<f32>,
    /// Per consumer: bit j = member of chat j of its community.
    member: Vec<u8>,
    /// Per consumer: its preferred meal time, in hours into the window.
    preferred: Vec<f32>,
    records: Vec<Record>,
    /// The log of the geometric mean list price (the price pull's reference).
    log_reference_price: f32,
    /// The mean quality of all products (the food term's reference).
    mean_quality: f32,
    /// The outcome of the order being delivered (set by [`State::experience`]).
    pending: Outcome,
}

impl State {
    pub fn new(s: &Scenario, world: &World) -> State {
        let k = &s.chats;
        if k.per_community == 0 {
            return State::default();
        }
        let n = world.consumers.len();
        let per = k.per_community as usize;
        let communities = world.consumers.community.iter().max().map_or(0, |&c| c + 1) as usize;
        let seed = s.run.seed;
        let chats = communities * per;
        let mut st = State {
            merchant: Vec::with_capacity(chats),
            service: Vec::with_capacity(chats),
            hygiene: Vec::with_capacity(chats),
            friendliness: Vec::with_capacity(chats),
            mood: vec![0.0; chats],
            member: vec![0; n],
            preferred: Vec::with_capacity(n),
            records: vec![
                Record {
                    satisfaction: k.initial_satisfaction as f32,
                    service: 1.0,
                    hygiene: 1.0,
                    ..Default::default()
                };
                n
            ],
            log_reference_price: 0.0,
            mean_quality: 0.0,
            pending: Outcome::default(),
        };
        let merchants = world.merchants.len();
        for c in 0..chats {
            let mut rng = stream(seed, Purpose::Chat, c as u64, u64::MAX);
            st.merchant
                .push(crate::rng::below(&mut rng, merchants) as u32);
            let spread = |u: f32, mean: f64, width: f64| {
                (mean as f32 + width as f32 * (u - 0.5)).clamp(0.0, 1.0)
            };
            st.service
                .push(spread(unit_f32(&mut rng), k.service, k.service_spread));
            st.hygiene
                .push(spread(unit_f32(&mut rng), k.hygiene_risk, k.hygiene_risk));
            st.friendliness.push(unit_f32(&mut rng));
        }
        for i in 0..n {
            let mut rng = stream(seed, Purpose::Chat, i as u64 | 1 << 40, u64::MAX);
            st.preferred
                .push(unit_f32(&mut rng) * k.window_hours as f32);
            // The chats' first members.
            for j in 0..per {
                if unit_f32(&mut rng) < k.initial_members as f32 {
                    st.member[i] |= 1 << j;
                }
            }
        }
        let prices = &world.products.price;
        st.log_reference_price =
            (prices.iter().map(|&p| p.ln() as f64).sum::<f64>() / prices.len() as f64) as f32;
        let quality = &world.products.quality;
        st.mean_quality =
            (quality.iter().map(|&q| q as f64).sum::<f64>() / quality.len() as f64) as f32;
        st
    }

    fn on(&self) -> bool {
        !self.merchant.is_empty()
    }

    /// Hours between consumer `i`'s preferred meal time and the nearest of the `slots`
    /// delivery slots, spread evenly over the window (at (k + ½) · window / slots).
    fn mismatch(&self, s: &Scenario, i: usize) -> f32 {
        let k = &s.chats;
        let gap = k.window_hours as f32 / k.slots as f32;
        let h = self.preferred[i];
        let nearest = ((h / gap - 0.5).round().clamp(0.0, k.slots as f32 - 1.0) + 0.5) * gap;
        (h - nearest).abs()
    }

    /// The channel phase, after phase A: recruitment, then the day's posts and the solitaire
    /// lists. Readers come in keyed order; each sees the lists as the readers before it left
    /// them. Orders go into `ev.orders`, joins into `ev.chat_joins`.
    pub fn serve(&self, view: &DayView, ev: &mut DayEvents) {
        if !self.on() {
            return;
        }
        let (s, w, day) = (view.s, view.world, view.day);
        let k = &s.chats;
        let per = k.per_community as usize;
        let cons = &w.consumers;
        let all = ((1u16 << per) - 1) as u8;
        let mut readers: Vec<(u64, u32)> = Vec::new();
        for i in 0..cons.len() {
            if !cons.member(i) || cons.churned[i] {
                continue;
            }
            let mut rng = stream(view.seed, Purpose::Chat, i as u64, day as u64);
            // Recruitment into the chats it is not in.
            if self.member[i] != all {
                let friends = w.social.neighbours(i as u32);
                for j in 0..per {
                    if self.member[i] >> j & 1 == 1 {
                        continue;
                    }
                    let in_chat = friends
                        .iter()
                        .filter(|&&f| self.member[f as usize] >> j & 1 == 1)
                        .count();
                    let share = in_chat as f64 / friends.len().max(1) as f64;
                    let p = k.offline_join + k.invite_join * share;
                    if (unit_f32(&mut rng) as f64) < p {
                        ev.chat_joins.push((i as u32, j as u8));
                    }
                }
            }
            if self.member[i] == 0 {
                continue;
            }
            let r = &self.records[i];
            let logit = logit(cons.activity[i])
                + k.read_shift as f32
                + k.read_satisfaction as f32 * (r.satisfaction - k.initial_satisfaction as f32);
            if unit_f32(&mut rng) < sigmoid(logit) {
                readers.push((rng.next_u64(), i as u32));
            }
        }
        readers.sort_unstable();
        ev.chat_readers = readers.len() as u64;
        ev.chat_posts = self
            .merchant
            .iter()
            .filter(|&&mi| view.on_sale(mi as usize))
            .count() as u64;
        let mut list = vec![0u32; self.merchant.len()];
        for &(_, i) in &readers {
            let i = i as usize;
            let community = cons.community[i] as usize;
            let mut rng = stream(view.seed, Purpose::ChatOrder, i as u64, day as u64);
            for j in 0..per {
                if self.member[i] >> j & 1 == 0 {
                    continue;
                }
                let chat = community * per + j;
                if let Some(order) = self.weigh(view, i, chat, list[chat], &mut rng, ev) {
                    list[chat] += 1;
                    ev.orders.push(order);
                    ev.chat_orders += 1;
                    break;
                }
            }
        }
    }

    /// Consumer `i` weighs today's post of `chat`, whose solitaire list holds `listed`
    /// orders: the order if it buys. Which term led the decision goes into `ev.chat_leads`.
    fn weigh(
        &self,
        view: &DayView,
        i: usize,
        chat: usize,
        listed: u32,
        rng: &mut StreamRng,
        ev: &mut DayEvents,
    ) -> Option<OrderIntent> {
        let (s, w) = (view.s, view.world);
        let (k, b) = (&s.chats, &s.behaviour);
        let mi = self.merchant[chat] as usize;
        if !view.on_sale(mi) {
            return None;
        }
        let ppm = w.products.per_merchant as usize;
        let product = (mi * ppm
            + (key(view.seed, Purpose::Chat, chat as u64, view.day as u64) % ppm as u64) as usize)
            as u32;
        let r = &self.records[i];
        let mismatch = self.mismatch(s, i);
        let wary_service = k.wariness as f32 * (1.0 - r.service);
        let wary_hygiene = k.wariness as f32 * (1.0 - r.hygiene);
        let owner = k.owner_weight as f32 * self.friendliness[chat];
        let convenience = k.convenience as f32 - k.slot_weight as f32 * mismatch;
        let bonus = convenience
            + k.social_proof as f32 * (listed as f32).ln_1p()
            + k.feedback_weight as f32 * self.mood[chat]
            + owner
            - wary_service
            - wary_hygiene;
        let (utility, value) = view.offer(i, product, k.discount as f32, bonus)?;
        let bought = view.decide(utility, rng);
        // The terms behind the decision, as the survey reads them. Price and food are measured
        // from the typical product's (the geometric mean price, the mean quality), so that a
        // term leads when this post's stands out, not because of where its scale starts.
        let food =
            b.purchase_quality as f32 * (view.expected_quality(i, product) - self.mean_quality);
        if bought {
            let price = b.purchase_discount as f32 * k.discount as f32
                + w.consumers.price_sensitivity[i] * (self.log_reference_price - value.ln());
            let pulls = [price, convenience, food, owner];
            ev.chat_leads.push((i as u32, lead(&pulls), true));
            let mut o = view.outside_order(i, NONE, product, value, NONE, Origin::Chat);
            o.via = chat as u32;
            Some(o)
        } else {
            let drags = [
                k.slot_weight as f32 * mismatch,
                wary_service,
                wary_hygiene,
                -food,
            ];
            ev.chat_leads.push((i as u32, lead(&drags), false));
            None
        }
    }

    /// Booking: today's joins, and what today's decisions say about each consumer.
    pub fn booked(&mut self, ev: &DayEvents) {
        for &(i, j) in &ev.chat_joins {
            self.member[i as usize] |= 1 << j;
        }
        for &(i, led, bought) in &ev.chat_leads {
            let r = &mut self.records[i as usize];
            if bought {
                // At most one chat purchase a day: a purchase is a day used.
                r.bought += 1;
                r.days_used += 1;
            } else {
                r.declined += 1;
            }
            if led < 4 {
                let tally = if bought {
                    &mut r.led_purchase
                } else {
                    &mut r.led_decline
                };
                tally[led as usize] += 1;
            }
        }
    }

    /// Delivery: the outcome of chat order `o` (order `id`) and the terms it adds to the
    /// buyer's satisfaction logit (0 for other orders).
    pub fn experience(&mut self, s: &Scenario, o: &OrderIntent, id: u64) -> f64 {
        if o.origin != Origin::Chat {
            return 0.0;
        }
        let k = &s.chats;
        let chat = o.via as usize;
        let mut rng = stream(s.run.seed, Purpose::ChatDelivery, id, 0);
        let outcome = Outcome {
            poor_service: unit_f32(&mut rng) >= self.service[chat],
            hygiene_incident: unit_f32(&mut rng) < self.hygiene[chat],
        };
        let z: f64 = StandardNormal.sample(&mut rng);
        let arrival_gap = (self.mismatch(s, o.consumer as usize) as f64 + k.delivery_sd * z).abs();
        self.pending = outcome;
        -k.service_penalty * outcome.poor_service as u8 as f64
            - k.hygiene_penalty * outcome.hygiene_incident as u8 as f64
            - k.slot_penalty * (arrival_gap - k.slot_tolerance).max(0.0)
    }

    /// Delivery, after the buyer's response: its chat satisfaction and memories move toward
    /// the order's outcome; with probability `feedback` it posts feedback, which moves the
    /// chat's mood. Returns whether it posted.
    pub fn delivered(&mut self, s: &Scenario, o: &OrderIntent, id: u64, satisfaction: f32) -> bool {
        if o.origin != Origin::Chat {
            return false;
        }
        let k = &s.chats;
        let outcome = std::mem::take(&mut self.pending);
        let r = &mut self.records[o.consumer as usize];
        r.satisfaction += k.satisfaction_rate as f32 * (satisfaction - r.satisfaction);
        let m = k.memory_rate as f32;
        r.service += m * (!outcome.poor_service as u8 as f32 - r.service);
        r.hygiene += m * (!outcome.hygiene_incident as u8 as f32 - r.hygiene);
        let mut rng = stream(s.run.seed, Purpose::ChatDelivery, id, 1);
        if unit_f32(&mut rng) < k.feedback as f32 {
            let mood = &mut self.mood[o.via as usize];
            *mood += MOOD_RATE * ((satisfaction - 0.5) - *mood);
            return true;
        }
        false
    }

    /// Consumers in at least one chat.
    pub fn members(&self) -> u64 {
        self.member.iter().filter(|&&m| m != 0).count() as u64
    }

    /// The survey: one row per consumer (none when chats are off).
    pub fn survey(&self, world: &World, s: &Scenario) -> Vec<SurveyRow> {
        if !self.on() {
            return Vec::new();
        }
        let cons = &world.consumers;
        let days = s.run.days;
        (0..cons.len())
            .map(|i| {
                let r = &self.records[i];
                let observed = match cons.joined_day[i] {
                    NONE => days,
                    d => days - d.min(days),
                }
                .max(1);
                let per_week = 7.0 * r.days_used as f64 / observed as f64;
                let chose = |x: usize| {
                    r.bought > 0 && r.led_purchase[x] as f32 >= REASON_SHARE * r.bought as f32
                };
                let avoided = |x: usize| {
                    r.declined > 0 && r.led_decline[x] as f32 >= REASON_SHARE * r.declined as f32
                };
                SurveyRow {
                    consumer: i as u32,
                    community: cons.community[i],
                    chats: self.member[i].count_ones(),
                    days_used: r.days_used,
                    days_observed: observed,
                    orders: r.bought,
                    frequency: frequency(per_week),
                    satisfaction_state: r.satisfaction as f64,
                    satisfaction: satisfaction_category(r.satisfaction as f64),
                    chosen_price: chose(0),
                    chosen_convenience: chose(1),
                    chosen_food: chose(2),
                    chosen_owner: chose(3),
                    avoided_delivery_time: avoided(0),
                    avoided_service: avoided(1),
                    avoided_hygiene: avoided(2),
                    avoided_taste: avoided(3),
                    score: score(r.satisfaction as f64),
                }
            })
            .collect()
    }
}

/// The index of the largest positive term (4 when none is positive; ties to the first).
fn lead(terms: &[f32; 4]) -> u8 {
    let mut best = (4u8, 0.0f32);
    for (x, &v) in terms.iter().enumerate() {
        if v > best.1 {
            best = (x as u8, v);
        }
    }
    best.0
}

#[inline]
fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[inline]
fn logit(p: f32) -> f32 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

/// The frequency category of a consumer who ordered from the chats on `per_week` days a
/// week on average: always ≥ 4, often ≥ 2, generally ≥ 1, occasionally ≥ ¼ (once a month),
/// never below.
pub fn frequency(per_week: f64) -> &'static str {
    match per_week {
        x if x >= 4.0 => "always",
        x if x >= 2.0 => "often",
        x if x >= 1.0 => "generally",
        x if x >= 0.25 => "occasionally",
        _ => "never",
    }
}

/// The satisfaction category of a chat satisfaction state in [0, 1]: fifths, from
/// particularly unsatisfied (below 0.2) to particularly satisfied (0.8 and above).
pub fn satisfaction_category(state: f64) -> &'static str {
    match state {
        x if x >= 0.8 => "particularly_satisfied",
        x if x >= 0.6 => "satisfied",
        x if x >= 0.4 => "fair",
        x if x >= 0.2 => "less_satisfied",
        _ => "particularly_unsatisfied",
    }
}

/// The 1–10 score of a satisfaction state: ⌈10 · state⌉, at least 1.
pub fn score(state: f64) -> u32 {
    ((10.0 * state).ceil() as u32).clamp(1, 10)
}

/// One row of `survey.csv`: a consumer's answers to the campus questionnaire, derived from
/// its chat days (docs/OUTPUTS.md, "survey.csv").
#[derive(Clone, Debug, Serialize)]
pub struct SurveyRow {
    pub consumer: u32,
    pub community: u32,
    pub chats: u32,
    pub days_used: u32,
    pub days_observed: u32,
    pub orders: u32,
    pub frequency: &'static str,
    pub satisfaction_state: f64,
    pub satisfaction: &'static str,
    pub chosen_price: bool,
    pub chosen_convenience: bool,
    pub chosen_food: bool,
    pub chosen_owner: bool,
    pub avoided_delivery_time: bool,
    pub avoided_service: bool,
    pub avoided_hygiene: bool,
    pub avoided_taste: bool,
    pub score: u32,
}

impl SurveyRow {
    /// The columns of `survey.csv`, in order: its header, written even when the run has no
    /// group chats and the file no row.
    pub const HEADER: [&'static str; 18] = [
        "consumer",
        "community",
        "chats",
        "days_used",
        "days_observed",
        "orders",
        "frequency",
        "satisfaction_state",
        "satisfaction",
        "chosen_price",
        "chosen_convenience",
        "chosen_food",
        "chosen_owner",
        "avoided_delivery_time",
        "avoided_service",
        "avoided_hygiene",
        "avoided_taste",
        "score",
    ];
}

/// The survey's tallies (`summary.json` `survey`, also `runs.csv` columns): the share of
/// respondents (every consumer, one row of `survey.csv` each) in each answer, as Table 1 of
/// the campus study reports them. Every share is null when the run has no group chats.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct SurveySummary {
    /// Rows of `survey.csv` (0 without chats).
    pub respondents: u64,
    pub frequency: FrequencyShares,
    pub satisfaction: SatisfactionShares,
    pub chosen: ChosenShares,
    pub avoided: AvoidedShares,
    /// Mean of `score`.
    pub mean_score: Option<f64>,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct FrequencyShares {
    pub always: Option<f64>,
    pub often: Option<f64>,
    pub generally: Option<f64>,
    pub occasionally: Option<f64>,
    pub never: Option<f64>,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct SatisfactionShares {
    pub particularly_satisfied: Option<f64>,
    pub satisfied: Option<f64>,
    pub fair: Option<f64>,
    pub less_satisfied: Option<f64>,
    pub particularly_unsatisfied: Option<f64>,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct ChosenShares {
    pub price: Option<f64>,
    pub convenience: Option<f64>,
    pub food: Option<f64>,
    pub owner: Option<f64>,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct AvoidedShares {
    pub delivery_time: Option<f64>,
    pub service: Option<f64>,
    pub hygiene: Option<f64>,
    pub taste: Option<f64>,
}

impl SurveySummary {
    /// The tallies of `rows`: counts over the rows, each divided by their number once.
    pub fn of(rows: &[SurveyRow]) -> SurveySummary {
        if rows.is_empty() {
            return SurveySummary::default();
        }
        let n = rows.len() as f64;
        let share = |keep: &dyn Fn(&SurveyRow) -> bool| {
            Some(rows.iter().filter(|r| keep(r)).count() as f64 / n)
        };
        let frequency = |c: &str| share(&|r| r.frequency == c);
        let satisfaction = |c: &str| share(&|r| r.satisfaction == c);
        SurveySummary {
            respondents: rows.len() as u64,
            frequency: FrequencyShares {
                always: frequency("always"),
                often: frequency("often"),
                generally: frequency("generally"),
                occasionally: frequency("occasionally"),
                never: frequency("never"),
            },
            satisfaction: SatisfactionShares {
                particularly_satisfied: satisfaction("particularly_satisfied"),
                satisfied: satisfaction("satisfied"),
                fair: satisfaction("fair"),
                less_satisfied: satisfaction("less_satisfied"),
                particularly_unsatisfied: satisfaction("particularly_unsatisfied"),
            },
            chosen: ChosenShares {
                price: share(&|r| r.chosen_price),
                convenience: share(&|r| r.chosen_convenience),
                food: share(&|r| r.chosen_food),
                owner: share(&|r| r.chosen_owner),
            },
            avoided: AvoidedShares {
                delivery_time: share(&|r| r.avoided_delivery_time),
                service: share(&|r| r.avoided_service),
                hygiene: share(&|r| r.avoided_hygiene),
                taste: share(&|r| r.avoided_taste),
            },
            mean_score: Some(rows.iter().map(|r| r.score as u64).sum::<u64>() as f64 / n),
        }
    }
}

// ---- The scenario section `[chats]` and its validation.

/// `[chats]`: merchants' group chats in each community. With `per_community = 0` (the
/// default) there are none. Every default is an assumption (docs/SOURCES.md).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Chats {
    pub per_community: u64,
    pub initial_members: f64,
    pub offline_join: f64,
    pub invite_join: f64,
    pub read_shift: f64,
    pub read_satisfaction: f64,
    pub discount: f64,
    pub convenience: f64,
    pub slots: u64,
    pub window_hours: f64,
    pub slot_weight: f64,
    pub slot_tolerance: f64,
    pub slot_penalty: f64,
    pub delivery_sd: f64,
    pub social_proof: f64,
    pub feedback: f64,
    pub feedback_weight: f64,
    pub owner_weight: f64,
    pub service: f64,
    pub service_spread: f64,
    pub service_penalty: f64,
    pub hygiene_risk: f64,
    pub hygiene_penalty: f64,
    pub wariness: f64,
    pub memory_rate: f64,
    pub satisfaction_rate: f64,
    pub initial_satisfaction: f64,
}

impl Default for Chats {
    fn default() -> Self {
        Chats {
            per_community: 0,
            initial_members: 0.0,
            offline_join: 0.01,
            invite_join: 0.1,
            read_shift: 0.0,
            read_satisfaction: 4.0,
            discount: 0.05,
            convenience: 1.0,
            slots: 1,
            window_hours: 4.0,
            slot_weight: 0.5,
            slot_tolerance: 0.5,
            slot_penalty: 1.0,
            delivery_sd: 0.5,
            social_proof: 0.5,
            feedback: 0.3,
            feedback_weight: 2.0,
            owner_weight: 0.3,
            service: 0.8,
            service_spread: 0.2,
            service_penalty: 2.0,
            hygiene_risk: 0.05,
            hygiene_penalty: 2.0,
            wariness: 2.0,
            memory_rate: 0.3,
            satisfaction_rate: 0.2,
            initial_satisfaction: 0.5,
        }
    }
}

impl Chats {
    /// Checks the section; the first failure names its key.
    pub(crate) fn validate(&self) -> Check {
        at_most("chats.per_community", self.per_community, MAX_PER_COMMUNITY)?;
        probability("chats.initial_members", self.initial_members)?;
        probability("chats.offline_join", self.offline_join)?;
        probability("chats.invite_join", self.invite_join)?;
        for (name, v) in [
            ("chats.read_shift", self.read_shift),
            ("chats.read_satisfaction", self.read_satisfaction),
            ("chats.convenience", self.convenience),
            ("chats.social_proof", self.social_proof),
            ("chats.feedback_weight", self.feedback_weight),
            ("chats.owner_weight", self.owner_weight),
        ] {
            finite(name, v)?;
            at_most_f(name, v.abs(), 100.0)?;
        }
        share_of_price("chats.discount", self.discount)?;
        at_least("chats.slots", self.slots, 1)?;
        at_most("chats.slots", self.slots, 24)?;
        positive("chats.window_hours", self.window_hours)?;
        at_most_f("chats.window_hours", self.window_hours, 24.0)?;
        for (name, v) in [
            ("chats.slot_weight", self.slot_weight),
            ("chats.slot_tolerance", self.slot_tolerance),
            ("chats.slot_penalty", self.slot_penalty),
            ("chats.delivery_sd", self.delivery_sd),
            ("chats.service_penalty", self.service_penalty),
            ("chats.hygiene_penalty", self.hygiene_penalty),
            ("chats.wariness", self.wariness),
        ] {
            non_negative(name, v)?;
            at_most_f(name, v, 100.0)?;
        }
        probability("chats.feedback", self.feedback)?;
        probability("chats.service", self.service)?;
        probability("chats.service_spread", self.service_spread)?;
        probability("chats.hygiene_risk", self.hygiene_risk)?;
        probability("chats.memory_rate", self.memory_rate)?;
        probability("chats.satisfaction_rate", self.satisfaction_rate)?;
        probability("chats.initial_satisfaction", self.initial_satisfaction)?;
        Ok(())
    }
}
