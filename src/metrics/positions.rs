//! `positions.csv`: engagement by feed position, one row per day and organic position.

use super::ratio;
use serde::Serialize;

/// One row of `positions.csv`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PositionRow {
    pub day: u32,
    /// Organic feed position, from 1 (the top).
    pub position: u32,
    /// Impressions shown at this position today.
    pub impressions: u64,
    /// Of them, those engaged with.
    pub engagements: u64,
    /// `engagements / impressions` (0 when there was none).
    pub engagement_rate: f64,
}

/// The rows of one day from its (impressions, engagements) per position.
pub fn position_rows(day: u32, by_position: &[[u64; 2]]) -> impl Iterator<Item = PositionRow> {
    by_position
        .iter()
        .enumerate()
        .map(move |(k, &[impressions, engagements])| PositionRow {
            day,
            position: k as u32 + 1,
            impressions,
            engagements,
            engagement_rate: ratio(engagements as f64, impressions as f64),
        })
}

/// The examination probability of each organic position (0 = the top) under the
/// position-based model: `(1 + position)^−decay`.
pub fn examination(positions: usize, decay: f64) -> Vec<f32> {
    (0..positions)
        .map(|k| (1.0 + k as f64).powf(-decay) as f32)
        .collect()
}
