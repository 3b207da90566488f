//! What the simulator records: one [`DailyRow`] a day, and the run's [`Summary`].

mod daily;
pub mod event_study;

mod homogenization;
pub mod inequality;
pub mod network;
mod positions;
mod summary;

pub use daily::{COLUMNS, Column, DailyRow, Totals};

/// 30-day retention: the cohort is day 0's active consumers; retained if active on any day
/// of `RETENTION_WINDOW`.
pub const RETENTION_WINDOW: std::ops::Range<u32> = 30..37;
pub use homogenization::Homogenization;
pub use positions::{PositionRow, examination, position_rows};
pub use summary::{CreatorRow, Summary, creator_rows, summarize};

use rayon::prelude::*;

/// The fixed chunk of [`ordered_sum`] and of the other sums over consumers made in parallel.
pub const SUM_CHUNK: usize = 8192;

/// Sum of `f(i)` for i in 0..n, computed in parallel over fixed chunks and added in chunk
/// order, so the rounding is the same for any thread count.
pub fn ordered_sum(n: usize, f: impl Fn(usize) -> f64 + Sync) -> f64 {
    let parts: Vec<f64> = (0..n.div_ceil(SUM_CHUNK))
        .into_par_iter()
        .map(|c| (c * SUM_CHUNK..((c + 1) * SUM_CHUNK).min(n)).map(&f).sum())
        .collect();
    parts.iter().sum()
}

/// `a / b`, or 0 when `b` is 0.
pub fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}
