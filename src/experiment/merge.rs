//! `socsim merge`: joins shard folders of one sweep into one `runs.csv`, in manifest order.

use super::runner::{SweepManifest, assemble, listed_runs, runs_header};
use crate::error::{Error, Result};
use crate::output::{Claim, Kind, write_atomic};
use std::path::{Path, PathBuf};

/// The files of a merge folder.
const MERGE_FILES: [&str; 5] = [
    "runs.csv",
    "runs_manifest.csv",
    "manifest.json",
    "daily_long.csv",
    crate::report::FILE,
];

/// What a merge found.
#[derive(Debug)]
pub struct MergeReport {
    pub runs: usize,
    pub failed: usize,
    /// Runs of the manifest with no result in any shard, in manifest order.
    pub missing: Vec<String>,
}

/// The shard folders named by `inputs`: each input is a shard folder (it has a
/// `runs_manifest.csv`) or a sweep folder whose `shard-*` subfolders are shard folders.
fn shard_folders(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        if input.join("runs_manifest.csv").is_file() {
            out.push(input.clone());
            continue;
        }
        let mut subs: Vec<PathBuf> = std::fs::read_dir(input)
            .map_err(|e| Error::input(input.display(), format!("cannot read the folder: {e}")))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("shard-"))
                    && p.join("runs_manifest.csv").is_file()
            })
            .collect();
        if subs.is_empty() {
            return Err(Error::input(
                input.display(),
                "is neither a shard folder (no runs_manifest.csv) nor a sweep folder with shard-* folders",
            ));
        }
        subs.sort();
        out.extend(subs);
    }
    Ok(out)
}

/// Merges the shards named by `inputs` into `out`.
pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<MergeReport> {
    let shards = shard_folders(inputs)?;
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| Error::input(p.display(), e));
    let first = &shards[0];
    let manifest_text = read(&first.join("runs_manifest.csv"))?;
    let first_manifest: SweepManifest = serde_json::from_str(&read(&first.join("manifest.json"))?)
        .map_err(|e| {
            Error::input(
                first.join("manifest.json").display(),
                format!("not a sweep manifest: {e}"),
            )
        })?;
    for s in &shards[1..] {
        let m: SweepManifest =
            serde_json::from_str(&read(&s.join("manifest.json"))?).map_err(|e| {
                Error::input(
                    s.join("manifest.json").display(),
                    format!("not a sweep manifest: {e}"),
                )
            })?;
        if m.sweep_id != first_manifest.sweep_id
            || read(&s.join("runs_manifest.csv"))? != manifest_text
        {
            return Err(Error::input(
                s.display(),
                format!(
                    "belongs to another sweep than {} (sweep id {} vs {}); merge only shards of one sweep",
                    first.display(),
                    m.sweep_id,
                    first_manifest.sweep_id
                ),
            ));
        }
    }
    let (header, ids) = listed_runs(&manifest_text)?;
    let claim = Claim::new(out, Kind::Merge, &MERGE_FILES)?;
    let staging = claim.staging();
    let sources: Vec<&Path> = shards.iter().map(PathBuf::as_path).collect();
    let assembled = assemble(
        staging,
        &runs_header(&header),
        first_manifest.daily,
        ids.clone(),
        &sources,
    )?;
    write_atomic(&staging.join("runs_manifest.csv"), manifest_text.as_bytes())?;
    let report = serde_json::json!({
        "tool": "socsim",
        "version": env!("CARGO_PKG_VERSION"),
        "git_commit": crate::output::GIT_COMMIT,
        "kind": "merge",
        "sweep_id": first_manifest.sweep_id,
        "name": first_manifest.name,
        "design": first_manifest.design,
        "points": first_manifest.points,
        "levels": first_manifest.levels,
        "replicates": first_manifest.replicates,
        "master_seed": first_manifest.master_seed,
        "sources": shards.iter().map(|s| s.display().to_string()).collect::<Vec<_>>(),
        "runs_in_sweep": ids.len(),
        "failed": assembled.failed,
        "missing": assembled.missing,
        "command": std::env::args().collect::<Vec<_>>(),
        "finished_at": crate::output::now_unix(),
        "finished_at_iso": crate::output::iso_utc(crate::output::now_unix()),
    });
    crate::output::write_json(&staging.join("manifest.json"), &report)?;
    let page = crate::report::sweep_report(staging)?;
    write_atomic(&staging.join(crate::report::FILE), page.as_bytes())?;
    claim.commit()?;
    Ok(MergeReport {
        runs: ids.len(),
        failed: assembled.failed,
        missing: assembled.missing,
    })
}
