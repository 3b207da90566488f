//! Event studies of scandals: GMV of the target and of the spillover set before and after,
//! followers lost, and days to recover to 90 % of the pre-event level.

use crate::policy::scandals::{Applied, Kind, Scandal};
use serde::Serialize;
use std::collections::VecDeque;

/// Days of history for the pre-event level (and of the post-event mean).
pub const WINDOW: usize = 14;
/// Days of the trailing mean that must reach 90 % of the pre-event level.
pub const RECOVERY_MEAN_DAYS: usize = 7;

/// One scandal's event study, as written to `summary.json`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ScandalStudy {
    pub day: u32,
    pub kind: &'static str,
    /// The host's account id or the merchant's id.
    pub target: u32,
    pub severity: f64,
    /// Host scandals: followers at the event and the share that unfollowed.
    pub followers_before: Option<u32>,
    pub followers_lost_share: Option<f64>,
    /// Mean daily GMV (orders booked, not cancelled) over the 14 days before the event and
    /// the (up to) 14 days from the event on: through the host (host scandal), or of the
    /// merchant (product scandal).
    pub target_gmv_before: f64,
    pub target_gmv_after: f64,
    /// The same for the spillover set: the merchants the host sold for, or the hosts that
    /// sold the merchant.
    pub spillover_size: usize,
    pub spillover_gmv_before: f64,
    pub spillover_gmv_after: f64,
    /// Days from the event until the 7-day trailing mean of the target's daily GMV first
    /// reaches 90 % of `target_gmv_before` (at least 7); null if it never does within the run
    /// or the pre-event level is 0.
    pub days_to_recover: Option<u32>,
    /// Product scandals: recent buyers who lost trust, and the compensation paid to them.
    pub affected_buyers: u64,
    pub compensation_spend: f64,
}

struct Open {
    study: ScandalStudy,
    kind: Kind,
    spill: Vec<u32>,
    target_series: Vec<f64>,
    spill_series: Vec<f64>,
}

/// Per-day GMV of every account and merchant (kept only when scandals can happen).
pub struct EventStudy {
    enabled: bool,
    by_creator: Vec<f64>,
    by_merchant: Vec<f64>,
    history: VecDeque<(Vec<f64>, Vec<f64>)>,
    open: Vec<Open>,
}

fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        0.0
    } else {
        x.iter().sum::<f64>() / x.len() as f64
    }
}

impl EventStudy {
    pub fn new(enabled: bool) -> EventStudy {
        EventStudy {
            enabled,
            by_creator: Vec::new(),
            by_merchant: Vec::new(),
            history: VecDeque::new(),
            open: Vec::new(),
        }
    }

    /// Starts a day: today's GMV is zero for `creators` accounts and `merchants` merchants.
    pub fn begin_day(&mut self, creators: usize, merchants: usize) {
        if self.enabled {
            self.by_creator.clear();
            self.by_creator.resize(creators, 0.0);
            self.by_merchant.clear();
            self.by_merchant.resize(merchants, 0.0);
        }
    }

    /// An accepted order.
    #[inline]
    pub fn order(&mut self, creator: u32, merchant: u32, value: f64) {
        if self.enabled {
            // Accounts and merchants that entered today come after the morning's count.
            if creator as usize >= self.by_creator.len() {
                self.by_creator.resize(creator as usize + 1, 0.0);
            }
            if merchant as usize >= self.by_merchant.len() {
                self.by_merchant.resize(merchant as usize + 1, 0.0);
            }
            self.by_creator[creator as usize] += value;
            self.by_merchant[merchant as usize] += value;
        }
    }

    fn level(
        &self,
        kind: Kind,
        target: u32,
        spill: &[u32],
        day: &(Vec<f64>, Vec<f64>),
    ) -> (f64, f64) {
        let get = |v: &Vec<f64>, i: u32| v.get(i as usize).copied().unwrap_or(0.0);
        match kind {
            Kind::Host => (
                get(&day.0, target),
                spill.iter().map(|&m| get(&day.1, m)).sum(),
            ),
            Kind::Product => (
                get(&day.1, target),
                spill.iter().map(|&c| get(&day.0, c)).sum(),
            ),
        }
    }

    /// A scandal happened this morning.
    pub fn start(&mut self, day: u32, sc: &Scandal, applied: &Applied) {
        if !self.enabled {
            return;
        }
        let before: Vec<(f64, f64)> = self
            .history
            .iter()
            .map(|d| self.level(sc.kind, sc.target, &applied.spillover, d))
            .collect();
        let host = sc.kind == Kind::Host;
        let study = ScandalStudy {
            day,
            kind: sc.kind.name(),
            target: sc.target,
            severity: sc.severity,
            followers_before: host.then_some(applied.followers_before),
            followers_lost_share: host
                .then(|| applied.unfollowed as f64 / applied.followers_before.max(1) as f64),
            target_gmv_before: mean(&before.iter().map(|b| b.0).collect::<Vec<_>>()),
            target_gmv_after: 0.0,
            spillover_size: applied.spillover.len(),
            spillover_gmv_before: mean(&before.iter().map(|b| b.1).collect::<Vec<_>>()),
            spillover_gmv_after: 0.0,
            days_to_recover: None,
            affected_buyers: applied.affected_buyers,
            compensation_spend: applied.compensation_spend,
        };
        self.open.push(Open {
            study,
            kind: sc.kind,
            spill: applied.spillover.clone(),
            target_series: Vec::new(),
            spill_series: Vec::new(),
        });
    }

    /// Ends a day: today's GMV joins every open study's series and the history.
    pub fn end_day(&mut self) {
        if !self.enabled {
            return;
        }
        let today = (
            std::mem::take(&mut self.by_creator),
            std::mem::take(&mut self.by_merchant),
        );
        for k in 0..self.open.len() {
            let o = &self.open[k];
            let (t, s) = self.level(o.kind, o.study.target, &o.spill, &today);
            let o = &mut self.open[k];
            o.target_series.push(t);
            o.spill_series.push(s);
        }
        self.history.push_back(today);
        if self.history.len() > WINDOW {
            self.history.pop_front();
        }
    }

    /// The studies, in the order the scandals happened.
    pub fn finish(&self) -> Vec<ScandalStudy> {
        self.open
            .iter()
            .map(|o| {
                let mut s = o.study.clone();
                let n = o.target_series.len().min(WINDOW);
                s.target_gmv_after = mean(&o.target_series[..n]);
                s.spillover_gmv_after = mean(&o.spill_series[..n]);
                let goal = 0.9 * s.target_gmv_before;
                s.days_to_recover = (s.target_gmv_before > 0.0)
                    .then(|| {
                        (RECOVERY_MEAN_DAYS..=o.target_series.len())
                            .find(|&k| mean(&o.target_series[k - RECOVERY_MEAN_DAYS..k]) >= goal)
                            .map(|k| k as u32)
                    })
                    .flatten();
                s
            })
            .collect()
    }
}
