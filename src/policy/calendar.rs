//! The shopping calendar (docs/MODEL.md, "The shopping calendar"; Li (China's digital trade
//! platforms and social media), §3 and §4.1): festival days such as Double 11 and 618. An
//! event can bring a surge of visits and of purchase intents, a platform-wide full-reduction
//! offer ("spend X, get Y off", paid by the platform) and logistics congestion: delivery days
//! grow with the volume beyond the carriers' capacity, and the backlog drains after the
//! festival.
//!
//! Hooks: the festival of the day (morning), the visit surge and the reduction (phase A),
//! congestion at dispatch, the active-consumer bits for `gmv_per_mau` (booking), the backlog
//! (evening), the festivals' GMV per active consumer (summary).

use crate::metrics::DailyRow;
use crate::scenario::Scenario;
use crate::scenario::check::*;
use serde::{Deserialize, Serialize};

/// At most this many events (a consumer's active-before-event bits are one byte).
pub const MAX_EVENTS: usize = 8;

/// The window, in days before an event's first day, in which a consumer counts as active
/// for `gmv_per_mau`.
pub const MAU_DAYS: u32 = 30;

/// The calendar's run state.
#[derive(Default)]
pub struct State {
    /// Per consumer: bit k set when it was active in the [`MAU_DAYS`] days before event k
    /// (empty without events).
    seen: Vec<u8>,
    /// Accepted orders per day so far (the carriers' normal volume).
    accepted: Vec<u64>,
    /// The carriers' capacity in orders a day, set by the first congested event (0: none).
    capacity: f64,
    /// Orders waiting beyond capacity at the start of the day.
    backlog: f64,
    /// Orders accepted today.
    queue: u64,
}

/// What the calendar holds out today (read by phase A).
#[derive(Clone, Copy, Debug)]
pub struct Festival {
    /// The event's index + 1, or 0 on an ordinary day.
    pub event: u8,
    pub visit_surge: f32,
    pub intent_surge: f32,
    pub reduction_threshold: f32,
    pub reduction_value: f32,
}

impl Festival {
    /// An ordinary day.
    pub const NONE: Festival = Festival {
        event: 0,
        visit_surge: 1.0,
        intent_surge: 1.0,
        reduction_threshold: 0.0,
        reduction_value: 0.0,
    };

    /// The full reduction on an order for which the consumer pays `paid`: `reduction_value`
    /// for every full `reduction_threshold` spent (0 without a reduction today).
    #[inline]
    pub fn reduction(&self, paid: f32) -> f32 {
        if self.reduction_threshold <= 0.0 || paid < self.reduction_threshold {
            return 0.0;
        }
        ((paid / self.reduction_threshold).floor() * self.reduction_value).min(paid - 0.01)
    }
}

impl State {
    pub fn new(s: &Scenario, consumers: usize) -> State {
        State {
            seen: if s.calendar.events.is_empty() {
                Vec::new()
            } else {
                vec![0; consumers]
            },
            ..Default::default()
        }
    }

    /// The festival of `day`: the first event that covers it.
    pub fn today(&self, s: &Scenario, day: u32) -> Festival {
        let day = day as u64;
        s.calendar
            .events
            .iter()
            .enumerate()
            .find(|(_, e)| (e.day..e.day + e.days).contains(&day))
            .map(|(k, e)| Festival {
                event: k as u8 + 1,
                visit_surge: e.visit_surge as f32,
                intent_surge: e.intent_surge as f32,
                reduction_threshold: e.reduction_threshold as f32,
                reduction_value: e.reduction_value as f32,
            })
            .unwrap_or(Festival::NONE)
    }

    /// Morning: a congested event starting today sets the carriers' capacity, from the
    /// volume of the days before it.
    pub fn morning(&mut self, s: &Scenario, day: u32) {
        self.queue = 0;
        let c = &s.calendar;
        if self.capacity == 0.0 && c.events.iter().any(|e| e.congestion && e.day == day as u64) {
            let from = self.accepted.len().saturating_sub(c.capacity_days as usize);
            let recent = &self.accepted[from..];
            let mean = recent.iter().sum::<u64>() as f64 / recent.len().max(1) as f64;
            self.capacity = (c.logistics_capacity * mean).max(1.0);
        }
    }

    /// Booking: today's visitors visited on `day`: each is seen for every event whose
    /// MAU window holds `day`.
    pub fn visited(&mut self, s: &Scenario, visitors: &[u32], day: u32) {
        let mut bits = 0u8;
        for (k, e) in s.calendar.events.iter().enumerate() {
            let first = e.day as u32;
            if day < first && day + MAU_DAYS >= first {
                bits |= 1 << k;
            }
        }
        if self.seen.is_empty() || bits == 0 {
            return;
        }
        for &i in visitors {
            self.seen[i as usize] |= bits;
        }
    }

    /// Dispatch: the days an order accepted now waits for the carriers (0 before any
    /// congested event, and while the queue is within capacity).
    #[inline]
    pub fn congestion_delay(&mut self) -> u32 {
        let position = self.queue as f64;
        self.queue += 1;
        if self.capacity == 0.0 {
            return 0;
        }
        ((self.backlog + position) / self.capacity).floor() as u32
    }

    /// Evening: the day's volume is remembered and the backlog rolls over.
    pub fn evening(&mut self) {
        self.accepted.push(self.queue);
        if self.capacity > 0.0 {
            self.backlog = (self.backlog + self.queue as f64 - self.capacity).max(0.0);
        }
    }

    /// The summary's festivals: each event's GMV, active consumers and their ratio.
    pub fn finish(&self, s: &Scenario, daily: &[DailyRow]) -> Vec<FestivalSummary> {
        s.calendar
            .events
            .iter()
            .enumerate()
            .map(|(k, e)| {
                let days = e.day as usize..(e.day + e.days) as usize;
                let gmv: f64 = daily[days]
                    .iter()
                    .map(|r| r.gross_gmv - r.cancelled_gmv)
                    .sum();
                let mau = self.seen.iter().filter(|&&b| b >> k & 1 == 1).count() as u64;
                FestivalSummary {
                    name: e.name.clone(),
                    day: e.day,
                    days: e.days,
                    gmv,
                    mau,
                    gmv_per_mau: crate::metrics::ratio(gmv, mau as f64),
                }
            })
            .collect()
    }
}

/// One event's totals (`summary.json`'s `calendar`).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FestivalSummary {
    pub name: String,
    pub day: u64,
    pub days: u64,
    /// Σ over the event's days of `gross_gmv − cancelled_gmv`.
    pub gmv: f64,
    /// Consumers active at least once in the 30 days before the event's first day.
    pub mau: u64,
    /// `gmv / mau`.
    pub gmv_per_mau: f64,
}

/// Records the festival in the daily row.
pub fn record(festival: Festival, row: &mut DailyRow) {
    row.festival = festival.event as u64;
}

// ---- The scenario section `[calendar]` and its validation.

/// `[calendar]`: festival days. Every default is an assumption (docs/SOURCES.md).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Calendar {
    pub logistics_capacity: f64,
    pub capacity_days: u64,
    pub events: Vec<CalendarEvent>,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            logistics_capacity: 1.5,
            capacity_days: 14,
            events: Vec::new(),
        }
    }
}

/// One festival (`[[calendar.events]]`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CalendarEvent {
    pub name: String,
    pub day: u64,
    pub days: u64,
    pub visit_surge: f64,
    pub intent_surge: f64,
    pub reduction_threshold: f64,
    pub reduction_value: f64,
    pub congestion: bool,
}

impl Default for CalendarEvent {
    fn default() -> Self {
        CalendarEvent {
            name: "festival".into(),
            day: 0,
            days: 1,
            visit_surge: 1.0,
            intent_surge: 1.0,
            reduction_threshold: 0.0,
            reduction_value: 0.0,
            congestion: false,
        }
    }
}

impl Calendar {
    /// Checks the section and its events; the first failure names its key.
    pub(crate) fn validate(&self, s: &Scenario) -> Check {
        at_most(
            "calendar.events",
            self.events.len() as u64,
            MAX_EVENTS as u64,
        )?;
        positive("calendar.logistics_capacity", self.logistics_capacity)?;
        at_least("calendar.capacity_days", self.capacity_days, 1)?;
        for (k, e) in self.events.iter().enumerate() {
            let key = |f: &str| format!("calendar.events.{k}.{f}");
            if !crate::scenario::is_name(&e.name) {
                return fail(
                    &key("name"),
                    format!(
                        "{:?} must be a non-empty name of letters, digits, '-', '_' or '.'",
                        e.name
                    ),
                );
            }
            at_least(&key("days"), e.days, 1)?;
            if e.congestion && e.day == 0 {
                return fail(
                    &key("congestion"),
                    "a congested festival needs days before it: the carriers' capacity is measured on the days before (move it to day 1 or later)",
                );
            }
            if e.day + e.days > s.run.days as u64 {
                return fail(
                    &key("day"),
                    format!(
                        "days {}..{} run past the horizon (run.days = {})",
                        e.day,
                        e.day + e.days - 1,
                        s.run.days
                    ),
                );
            }
            positive(&key("visit_surge"), e.visit_surge)?;
            at_most_f(&key("visit_surge"), e.visit_surge, 100.0)?;
            non_negative(&key("intent_surge"), e.intent_surge)?;
            at_most_f(&key("intent_surge"), e.intent_surge, 1000.0)?;
            non_negative(&key("reduction_threshold"), e.reduction_threshold)?;
            non_negative(&key("reduction_value"), e.reduction_value)?;
            if e.reduction_value > 0.0 && e.reduction_value >= e.reduction_threshold {
                return fail(
                    &key("reduction_value"),
                    format!(
                        "{} must be below reduction_threshold = {} (\"spend X, get Y off\" with Y < X)",
                        e.reduction_value, e.reduction_threshold
                    ),
                );
            }
        }
        Ok(())
    }
}
