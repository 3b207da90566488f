//! Experiments: parameter sweeps with replicates (grid, Latin hypercube, Sobol), shards
//! for clusters, resume, merge, paired comparisons of variants on common random numbers,
//! sensitivity indices and calibration.

pub mod calibrate;
pub mod compare;
pub mod design;
mod merge;
pub mod metrics;
mod runner;
pub mod sensitivity;
pub mod stats;
mod sweep;

pub use merge::{MergeReport, merge};
pub use runner::{Shard, SweepReport, existing_shards, metric_columns, reassemble, run_sweep};
pub use sweep::{Design, Param, RunSpec, Sweep, cell};
