//! Scenarios: the TOML schema, its defaults, `--set` overrides and validation.

mod load;
mod schema;
mod validate;
pub use validate::GRAPH_KINDS;

pub use load::{Override, line_at, parse_scenario, place_in};
pub use schema::*;

use crate::error::{Error, Result};
use std::path::Path;

/// The built-in scenarios, embedded in the binary: `(name, one-line description, text)`.
pub const BUILT_IN: &[(&str, &str, &str)] = &[
    (
        "baseline",
        "100k consumers, 2k creators, 100 hosts, 2k merchants, 180 days; hybrid feed, little live commerce",
        include_str!("../../scenarios/baseline.toml"),
    ),
    (
        "bench_1m",
        "1M consumers, 20k creators, 1k hosts, 50k merchants, 90 days: the performance benchmark",
        include_str!("../../scenarios/bench_1m.toml"),
    ),
    (
        "livestream_returns",
        "most selling in hyped live sessions: how high do returns run, which levers cut them?",
        include_str!("../../scenarios/livestream_returns.toml"),
    ),
    (
        "brushing",
        "one merchant in twenty and a fifth of hosts fake orders: how much GMV is fake, what does detection do?",
        include_str!("../../scenarios/brushing.toml"),
    ),
    (
        "coupon_blitz",
        "a two-week 'spend 60, get 15 off' blitz: the spike, its cost, and whether its buyers return",
        include_str!("../../scenarios/coupon_blitz.toml"),
    ),
    (
        "long_tail_support",
        "a feed ranked by likes plus a reward per impression for the bottom half: do creators stay?",
        include_str!("../../scenarios/long_tail_support.toml"),
    ),
    (
        "host_scandal",
        "the top host offends consumers on day 45: followers lost, spillover to his brands, recovery",
        include_str!("../../scenarios/host_scandal.toml"),
    ),
    (
        "product_scandal",
        "the top merchant's products fail safety standards on day 45: delisting, apology, recovery",
        include_str!("../../scenarios/product_scandal.toml"),
    ),
    (
        "group_buying",
        "a third of products sold Pinduoduo style: groups of 3 within 2 days or refunded",
        include_str!("../../scenarios/group_buying.toml"),
    ),
    (
        "rec_popularity",
        "the baseline ranked purely by likes: how concentrated does exposure get, who exits?",
        include_str!("../../scenarios/rec_popularity.toml"),
    ),
    (
        "rec_fair_exposure",
        "the baseline with a fair-exposure feed: a flatter exposure curve at what GMV cost?",
        include_str!("../../scenarios/rec_fair_exposure.toml"),
    ),
    (
        "rec_bandit",
        "the baseline with a Thompson-sampling feed: does it learn which creators are good?",
        include_str!("../../scenarios/rec_bandit.toml"),
    ),
];

/// The text of a built-in scenario, by name.
pub fn built_in(name: &str) -> Option<&'static str> {
    BUILT_IN
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, _, t)| *t)
}

/// Loads a scenario file (or, with `None`, the built-in baseline) and applies overrides.
pub fn load(path: Option<&Path>, overrides: &[Override]) -> Result<Scenario> {
    match path {
        None => parse_scenario(
            "built-in baseline",
            built_in("baseline").unwrap(),
            overrides,
        ),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| {
                Error::input(p.display(), format!("cannot read the scenario file: {e}"))
            })?;
            parse_scenario(&p.display().to_string(), &text, overrides)
        }
    }
}

impl Scenario {
    /// Checks every key's range and the keys' consistency (what loading a file checks), for
    /// scenarios built in code. The error names the key path.
    pub fn validate(&self) -> Result<()> {
        validate::validate(self).map_err(|(path, message)| Error::input(path, message))
    }

    /// The scenario as fully resolved TOML (every key, defaults included).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a scenario always serializes")
    }
}
