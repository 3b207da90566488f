//! The platform's policies. `recommend` builds feeds; further policies (incentives,
//! scandals, markets) live beside it.

pub mod recommend;
pub mod scandals;
