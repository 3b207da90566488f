//! Scandals (docs/MODEL.md, "Scandals"; Li (China's digital trade platforms and social media),
//! §3): a host scandal (followers leave, the host's credibility falls,
//! doubt spills over to the merchants he sold for) and a product-safety scandal (the
//! merchant's reputation collapses, its returns rise, the hosts who sold it suffer by
//! association, its recent buyers lose trust in the platform). Damage decays with a
//! half-life the platform's apology shortens; a product scandal's merchant is delisted after a
//! delay; compensation gives recent buyers their trust back.

use crate::rng::{Purpose, below, key, stream, unit_f32};
use crate::scenario::ScandalKind;
use crate::scenario::check::*;
use crate::scenario::{ScandalTarget, Scenario};
use crate::world::{CreatorKind, World};
use rand_distr::{Distribution, Poisson};
use serde::{Deserialize, Serialize};

/// The scandals' run state: the event studies of the scandals so far.
pub struct State {
    pub study: crate::metrics::event_study::EventStudy,
}

impl State {
    pub fn new(s: &Scenario) -> State {
        State {
            study: crate::metrics::event_study::EventStudy::new(
                !s.scandals.events.is_empty() || s.scandals.rate > 0.0,
            ),
        }
    }

    /// Morning: the day's scandals hit the world; their event studies start.
    pub fn morning(
        &mut self,
        world: &mut World,
        s: &Scenario,
        day: u32,
        row: &mut crate::metrics::DailyRow,
    ) {
        self.study
            .begin_day(world.creators.len(), world.merchants.len());
        for scandal in due(world, s, day) {
            let applied = apply(world, s, day, &scandal);
            row.scandals += 1;
            row.churned += applied.churned;
            row.compensation_spend += applied.compensation_spend;
            self.study.start(day, &scandal, &applied);
        }
    }

    /// Evening: damage fades; the event studies close the day.
    pub fn evening(&mut self, world: &mut World, s: &Scenario) {
        decay(world, s);
        self.study.end_day();
    }
}

/// What a scandal hits: a host (account id) or a merchant's products (merchant id). The
/// scenario's own enum, so the names are written once.
pub use crate::scenario::ScandalKind as Kind;

/// A scandal about to happen.
#[derive(Clone, Copy, Debug)]
pub struct Scandal {
    pub kind: Kind,
    pub target: u32,
    pub severity: f64,
}

/// What applying a scandal did.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    pub followers_before: u32,
    pub unfollowed: u32,
    /// Merchants (host scandal) or accounts (product scandal) hit by association.
    pub spillover: Vec<u32>,
    pub affected_buyers: u64,
    pub compensation_spend: f64,
    pub churned: u64,
}

/// The scandals of `day`: scheduled ones, then Poisson(`rate`) random ones.
pub fn due(world: &World, s: &Scenario, day: u32) -> Vec<Scandal> {
    use crate::scenario::TargetName;
    let sc = &s.scandals;
    let mut rng = stream(s.run.seed, Purpose::Scandal, 0, day as u64);
    let hosts: Vec<u32> = (0..world.creators.len() as u32)
        .filter(|&c| {
            world.creators.kind[c as usize] == CreatorKind::Host
                && world.creators.active[c as usize]
        })
        .collect();
    let pick =
        |rng: &mut crate::rng::StreamRng, kind: Kind, target: ScandalTarget| -> Option<u32> {
            match (kind, target) {
                (_, ScandalTarget::Id(id)) => Some(id as u32),
                (Kind::Host, ScandalTarget::Name(TargetName::Top)) => hosts
                    .iter()
                    .copied()
                    .max_by_key(|&h| (world.creators.followers[h as usize], std::cmp::Reverse(h))),
                (Kind::Host, ScandalTarget::Name(TargetName::Random)) => {
                    (!hosts.is_empty()).then(|| hosts[below(rng, hosts.len())])
                }
                (Kind::Product, ScandalTarget::Name(TargetName::Top)) => {
                    // The trading merchant with the most ratings: the best-selling one.
                    let m = &world.merchants;
                    m.active_ids
                        .iter()
                        .copied()
                        .max_by_key(|&k| (m.rating_count[k as usize], std::cmp::Reverse(k)))
                }
                (Kind::Product, ScandalTarget::Name(TargetName::Random)) => {
                    // A uniform trading merchant (merchant k for draw k while all trade).
                    let m = &world.merchants.active_ids;
                    (!m.is_empty()).then(|| m[below(rng, m.len())])
                }
            }
        };
    let mut out = Vec::new();
    for e in sc.events.iter().filter(|e| e.day == day as u64) {
        let kind = e.kind;
        if let Some(target) = pick(&mut rng, kind, e.target) {
            out.push(Scandal {
                kind,
                target,
                severity: e.severity,
            });
        }
    }
    if sc.rate > 0.0 {
        let n = Poisson::new(sc.rate).expect("validated").sample(&mut rng) as u64;
        for _ in 0..n {
            let kind = if unit_f32(&mut rng) < 0.5 {
                Kind::Host
            } else {
                Kind::Product
            };
            if let Some(target) = pick(&mut rng, kind, ScandalTarget::Name(TargetName::Random)) {
                out.push(Scandal {
                    kind,
                    target,
                    severity: sc.random_severity,
                });
            }
        }
    }
    out
}

/// Applies a scandal to the world.
pub fn apply(world: &mut World, s: &Scenario, day: u32, sc: &Scandal) -> Applied {
    let p = &s.scandals;
    let mut out = Applied::default();
    let affiliates = s.creators.affiliates as usize;
    let lineup = s.hosts.lineup as usize;
    match sc.kind {
        Kind::Host => {
            let h = sc.target;
            out.followers_before = world.creators.followers[h as usize];
            out.unfollowed = unfollow(world, s, day, h, sc.severity);
            let d = &mut world.creators.damage[h as usize];
            *d = d.max(sc.severity as f32);
            let mut merchants: Vec<u32> =
                world.creators.affiliates[h as usize * affiliates..][..lineup].to_vec();
            merchants.sort_unstable();
            merchants.dedup();
            for &m in &merchants {
                let d = &mut world.merchants.damage[m as usize];
                *d = d.max((p.spillover * sc.severity) as f32);
            }
            out.spillover = merchants;
        }
        Kind::Product => {
            let m = sc.target;
            let d = &mut world.merchants.damage[m as usize];
            *d = d.max(sc.severity as f32);
            if p.delist {
                world.merchants.delisted_from[m as usize] = day + p.delisting_delay_days as u32;
                world.merchants.delisted_until[m as usize] =
                    day + (p.delisting_delay_days + p.delist_days) as u32;
            }
            let cr = &mut world.creators;
            for c in 0..cr.len() {
                if cr.kind[c] == CreatorKind::Host
                    && cr.affiliates[c * affiliates..][..lineup].contains(&m)
                {
                    cr.damage[c] = cr.damage[c].max((p.spillover * sc.severity) as f32);
                    out.spillover.push(c as u32);
                }
            }
            // Recent buyers (the merchant is in their memory) doubt the platform; compensation
            // of a typical order's price gives that trust back.
            let loss = (p.buyer_trust_loss * sc.severity) as f32;
            let back = loss * (p.compensation / s.merchants.price_median).min(1.0) as f32;
            let cons = &mut world.consumers;
            for i in 0..cons.len() {
                if cons.churned[i] || !cons.recent_merchants(i).contains(&m) {
                    continue;
                }
                out.affected_buyers += 1;
                out.compensation_spend += p.compensation;
                cons.trust[i] = (cons.trust[i] - loss + back).clamp(0.0, 1.0);
                if cons.churn_if_below(i, s.behaviour.churn_threshold as f32) {
                    out.churned += 1;
                }
            }
        }
    }
    out
}

/// Each follower of host `h` unfollows with probability `severity`; returns how many did.
fn unfollow(world: &mut World, s: &Scenario, day: u32, h: u32, severity: f64) -> u32 {
    let cons = &mut world.consumers;
    let mut lost = 0;
    for i in 0..cons.len() {
        if !cons.followed(i).contains(&h) {
            continue;
        }
        let u =
            (key(s.run.seed, Purpose::Scandal, i as u64, day as u64) >> 40) as f64 / 16_777_216.0;
        if u < severity && cons.unfollow(i, h) {
            lost += 1;
        }
    }
    world.creators.followers[h as usize] -= lost;
    lost
}

/// Damage fades: halved every `recovery_halflife_days`, or `apology_halflife_days` after a
/// quick public apology.
pub fn decay(world: &mut World, s: &Scenario) {
    let p = &s.scandals;
    let h = if p.apology {
        p.apology_halflife_days
    } else {
        p.recovery_halflife_days
    };
    let f = 0.5f32.powf(1.0 / h as f32);
    for d in world
        .creators
        .damage
        .iter_mut()
        .chain(world.merchants.damage.iter_mut())
    {
        *d *= f;
    }
}

// ---- The scenario section `[scandals]` and its validation.

/// `[scandals]`: host and product-safety scandals, scheduled or random, and the platform's
/// response (Li (China's digital trade platforms and social media), §3).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Scandals {
    pub rate: f64,
    pub random_severity: f64,
    pub spillover: f64,
    pub return_effect: f64,
    pub purchase_aversion: f64,
    pub buyer_trust_loss: f64,
    pub delist: bool,
    pub delisting_delay_days: u64,
    pub delist_days: u64,
    pub apology: bool,
    pub recovery_halflife_days: f64,
    pub apology_halflife_days: f64,
    pub compensation: f64,
    pub events: Vec<ScandalEvent>,
}

impl Default for Scandals {
    fn default() -> Self {
        Scandals {
            rate: 0.0,
            random_severity: 0.5,
            spillover: 0.5,
            return_effect: 2.0,
            purchase_aversion: 3.0,
            buyer_trust_loss: 0.3,
            delist: true,
            delisting_delay_days: 3,
            delist_days: 14,
            apology: false,
            recovery_halflife_days: 30.0,
            apology_halflife_days: 7.0,
            compensation: 0.0,
            events: Vec::new(),
        }
    }
}

/// One scheduled scandal (`[[scandals.events]]`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScandalEvent {
    pub day: u64,
    pub kind: ScandalKind,
    /// `"top"`, `"random"`, or an id (a host's account id, or a merchant id).
    pub target: ScandalTarget,
    pub severity: f64,
}

impl Scandals {
    /// Checks the section's values and its scheduled events; the first failure names its key.
    pub(crate) fn validate(&self, s: &Scenario) -> Check {
        let p = &s.population;
        non_negative("scandals.rate", self.rate)?;
        at_most_f("scandals.rate", self.rate, 10.0)?;
        probability("scandals.random_severity", self.random_severity)?;
        probability("scandals.spillover", self.spillover)?;
        non_negative("scandals.return_effect", self.return_effect)?;
        non_negative("scandals.purchase_aversion", self.purchase_aversion)?;
        probability("scandals.buyer_trust_loss", self.buyer_trust_loss)?;
        positive(
            "scandals.recovery_halflife_days",
            self.recovery_halflife_days,
        )?;
        positive("scandals.apology_halflife_days", self.apology_halflife_days)?;
        non_negative("scandals.compensation", self.compensation)?;
        for (k, e) in self.events.iter().enumerate() {
            let key = |f: &str| format!("scandals.events.{k}.{f}");
            if e.day >= s.run.days as u64 {
                return fail(
                    &key("day"),
                    format!(
                        "day {} is past the horizon (run.days = {})",
                        e.day, s.run.days
                    ),
                );
            }
            probability(&key("severity"), e.severity)?;
            let (what, one, first, count) = match e.kind {
                ScandalKind::Host => ("host account ids", "host", p.creators, p.hosts),
                ScandalKind::Product => ("merchant ids", "merchant", 0, p.merchants),
            };
            if count == 0 {
                return fail(
                    &key("kind"),
                    format!("a {} scandal needs at least one {one}", e.kind),
                );
            }
            match e.target {
                ScandalTarget::Name(_) => {}
                ScandalTarget::Id(id) if id < first || id >= first + count => {
                    return fail(
                        &key("target"),
                        format!(
                            "{id} does not exist: {what} run from {first} to {}",
                            first + count - 1
                        ),
                    );
                }
                ScandalTarget::Id(_) => {}
            }
        }
        Ok(())
    }
}
