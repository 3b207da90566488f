//! Writing a run's results: `daily.csv`, `creators.csv`, `positions.csv`, `summary.json`,
//! `manifest.json`.
//!
//! Everything is written into a hidden sibling folder first and renamed into place at the
//! end, so a killed or failed run never leaves a folder that looks finished; [`folder`]
//! holds the rules that keep the user's own files safe. The first three
//! files are deterministic; timings and the command line live only in the manifest.

use crate::engine::RunOutput;
use crate::error::{Error, Result};
use serde::Serialize;
use std::path::Path;

pub mod datapackage;
pub mod folder;
pub mod graphs;
pub mod parquet;
pub use folder::{Claim, InPlace, Kind, MARKER, Marker, list_in_marker, resolve, write_atomic};

/// `manifest.json`: what produced a run, and how long it took.
#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    pub tool: &'static str,
    pub version: &'static str,
    /// The git commit the binary was built from (`unknown` outside a git checkout).
    pub git_commit: &'static str,
    /// The command line, as typed.
    pub command: Vec<String>,
    /// The scenario file, or `built-in baseline`.
    pub scenario_source: String,
    /// `--set` overrides applied, in order.
    pub overrides: Vec<String>,
    pub seed: u64,
    pub run_id: String,
    pub threads: usize,
    /// Seconds since the Unix epoch.
    pub started_at: u64,
    pub finished_at: u64,
    /// The same two times in ISO 8601, UTC.
    pub started_at_iso: String,
    pub finished_at_iso: String,
    pub timings: Timings,
    pub files: Vec<&'static str>,
    /// The scenario as resolved: every key, defaults included (TOML text).
    pub scenario: String,
}

/// Wall-clock timings of a run, in seconds, and throughput.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Timings {
    pub build_world_s: f64,
    pub simulate_s: f64,
    /// The part of `simulate_s` spent in each phase of the day.
    pub phases: crate::engine::PhaseTimes,
    /// The part of the phases other than phase A spent in passes that run in parallel.
    pub parallel_passes_s: f64,
    pub write_s: f64,
    pub total_s: f64,
    pub consumer_days: u64,
    pub consumer_days_per_s: f64,
    /// Active consumer-days (consumers who opened the app) per second.
    pub active_consumer_days_per_s: f64,
    pub impressions_per_s: f64,
    /// The memory estimated before the run (the figure checked against the machine's).
    pub memory_estimate_bytes: u64,
    /// The process's peak resident memory (`VmHWM`) after the simulation; null where the
    /// platform does not say.
    pub peak_memory_bytes: Option<u64>,
}

/// The files of a run folder; all but `manifest.json` are deterministic.
pub const FILES: [&str; 9] = [
    "daily.csv",
    "creators.csv",
    "positions.csv",
    "markets.csv",
    "survey.csv",
    "summary.json",
    "datapackage.json",
    "report.html",
    "manifest.json",
];

/// A stable id for a resolved scenario run by this version of the simulator:
/// `s<seed>-<8 hex digits of a hash of the version and the resolved scenario>`.
pub fn run_id(resolved_toml: &str, seed: u64) -> String {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in env!("CARGO_PKG_VERSION")
        .bytes()
        .chain(resolved_toml.bytes())
    {
        h = crate::rng::mix64(h ^ b as u64);
    }
    format!("s{seed}-{:08x}", h >> 32)
}

/// Writes the run's files into the claimed folder's staging folder, then moves them into
/// place. The manifest is completed last: `timings.write_s`, `timings.total_s` (from
/// `started`) and `finished_at` include writing the other files.
pub fn write_run(
    claim: Claim,
    out: &RunOutput,
    manifest: &mut Manifest,
    started: std::time::Instant,
) -> Result<()> {
    let t = std::time::Instant::now();
    let tmp = claim.staging();
    write_daily(
        &tmp.join("daily.csv"),
        &out.daily,
        &manifest.run_id,
        manifest.seed,
    )?;
    write_csv(&tmp.join("creators.csv"), &out.creators)?;
    write_csv(&tmp.join("positions.csv"), &out.positions)?;
    write_csv(&tmp.join("markets.csv"), &out.markets)?;
    if out.survey.is_empty() {
        // No chats: the header alone, so that readers see the same columns.
        let header = crate::policy::chats::SurveyRow::HEADER.join(",") + "\n";
        write_atomic(&tmp.join("survey.csv"), header.as_bytes())?;
    } else {
        write_csv(&tmp.join("survey.csv"), &out.survey)?;
    }
    write_json(&tmp.join("summary.json"), &out.summary)?;
    write_json(
        &tmp.join("datapackage.json"),
        &datapackage::run_package(tmp, &manifest.run_id),
    )?;
    let described = serde_json::to_value(&*manifest).map_err(|e| Error::Run(e.to_string()))?;
    let page = crate::report::run_report(tmp, &described)?;
    write_atomic(&tmp.join(crate::report::FILE), page.as_bytes())?;
    manifest.timings.write_s = t.elapsed().as_secs_f64();
    manifest.timings.total_s = started.elapsed().as_secs_f64();
    manifest.finished_at = now_unix();
    manifest.finished_at_iso = iso_utc(manifest.finished_at);
    write_json(&tmp.join("manifest.json"), manifest)?;
    claim.commit()
}

/// The columns `daily.csv` has before the daily columns of [`crate::metrics::COLUMNS`]:
/// (name, definition), the same on every row, so that the rows of many runs can be stacked.
pub const DAILY_ID_COLUMNS: [(&str, &str); 2] = [
    (
        "run_id",
        "The run's id (its folder's name and `manifest.json`'s `run_id`), the same on every row.",
    ),
    ("seed", "`run.seed`, the same on every row."),
];

/// Writes `daily.csv`: the run id and seed ([`DAILY_ID_COLUMNS`]), then the daily columns.
pub fn write_daily(
    path: &Path,
    rows: &[crate::metrics::DailyRow],
    run_id: &str,
    seed: u64,
) -> Result<()> {
    let text = String::from_utf8(csv_bytes(path, rows)?).expect("CSV of numbers is UTF-8");
    let mut out = String::with_capacity(text.len() + rows.len() * (run_id.len() + 24));
    for (k, line) in text.lines().enumerate() {
        if k == 0 {
            out.push_str("run_id,seed,");
        } else {
            out.push_str(&format!("{run_id},{seed},"));
        }
        out.push_str(line);
        out.push('\n');
    }
    write_atomic(path, out.as_bytes())
}

/// Writes rows as a CSV file with a header, atomically ([`write_atomic`]).
pub fn write_csv<T: Serialize>(path: &Path, rows: &[T]) -> Result<()> {
    write_atomic(path, &csv_bytes(path, rows)?)
}

/// Rows as CSV text with a header; `path` names the file in errors.
fn csv_bytes<T: Serialize>(path: &Path, rows: &[T]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)
            .map_err(|e| Error::Run(format!("{}: {e}", path.display())))?;
    }
    w.into_inner()
        .map_err(|e| Error::Run(format!("{}: {e}", path.display())))
}

/// Writes a value as pretty JSON with a final newline, atomically ([`write_atomic`]).
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| Error::Run(e.to_string()))?;
    text.push('\n');
    write_atomic(path, text.as_bytes())
}

/// The git commit this binary was built from, or `unknown` when it was built outside a git
/// checkout.
pub const GIT_COMMIT: &str = env!("SOCSIM_GIT_COMMIT");

/// Seconds since the Unix epoch as an ISO 8601 UTC time, `2026-11-24T23:59:07Z`.
pub fn iso_utc(unix: u64) -> String {
    let (days, secs) = (unix / 86_400, unix % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Seconds since the Unix epoch.
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    // Exact: known instants, a leap day and the end of a century's leap year.
    #[test]
    fn iso_times() {
        assert_eq!(super::iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::iso_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::iso_utc(1_795_563_376), "2026-11-24T23:36:16Z");
        assert_eq!(super::iso_utc(4_107_542_399), "2100-02-28T23:59:59Z");
    }
}
