//! # socsim: an agent-based simulator of social-commerce ecosystems
//!
//! Consumers, content creators, live-stream hosts and merchants live on a social graph; the
//! platform applies recommendation, return and other policies; the simulator records GMV
//! (gross and net of returns), repeat purchases and the distribution of exposure across
//! creators. Runs are parallel (rayon) and deterministic: the same scenario and seed give the
//! same bytes with any number of threads.
//!
//! ```no_run
//! let scenario = socsim::scenario::load(None, &[]).unwrap(); // the built-in baseline
//! let mut sim = socsim::Simulation::new(&scenario).unwrap();
//! sim.run(|_day| {});
//! let out = sim.finish();
//! println!("net GMV {}", out.summary.totals.net_gmv);
//! ```
//!
//! A program of your own can register recommendation algorithms by name and run socsim's
//! whole command line with them: [`cli::main_with`], [`policy::recommend::Registry`].
//!
//! See ARCHITECTURE.md for the code map and the invariants.

pub mod behaviour;
pub mod cli;
pub mod engine;
pub mod error;
pub mod experiment;

pub mod graph;
pub mod metrics;
pub mod output;
pub mod policy;
pub mod progress;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod world;

pub use engine::{RunOutput, Simulation};
pub use error::{Error, Result};
pub use scenario::Scenario;
