#!/bin/bash
# Submits a sweep as a Slurm job array of SHARDS tasks (numbered 0 … SHARDS−1), then a merge
# job that runs when the array has ended (whatever its outcome, so that missing runs are
# reported). Logs go to OUT/logs/.
#
#   deploy/slurm/submit.sh SWEEP.toml OUT SHARDS [CPUS [MEM [TIME]]]
#   deploy/slurm/submit.sh scenarios/sweeps/returns_grid.toml outputs/sweeps/returns_grid 8 2 2G 01:00:00
#
# CPUS, MEM and TIME are each shard's request (default 1 CPU, 1G, 1 hour: small, so the
# tasks start on any node); the merge asks for 1 CPU, 512M and 10 minutes. A shard runs
# CPUS runs at once: give it CPUS times the memory estimate `socsim run` prints for one.
# A failed task is resubmitted alone with the same script and arguments, e.g.
#   sbatch --array=2 --output=OUT/logs/socsim-sweep-%A_%a.log deploy/slurm/sweep.sbatch SWEEP.toml OUT
# socsim takes the shard count from the shard folders already in OUT.
set -euo pipefail
usage="usage: submit.sh SWEEP.toml OUT SHARDS [CPUS [MEM [TIME]]]"
SWEEP=${1:?$usage}
OUT=${2:?$usage}
SHARDS=${3:?$usage}
CPUS=${4:-1}
MEM=${5:-1G}
TIME=${6:-01:00:00}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT/logs"

jid=$(sbatch --parsable --array=0-$((SHARDS - 1)) \
  --cpus-per-task="$CPUS" --mem="$MEM" --time="$TIME" \
  --output="$OUT/logs/%x-%A_%a.log" \
  "$HERE/sweep.sbatch" "$SWEEP" "$OUT")
mid=$(sbatch --parsable --dependency=afterany:"$jid" --export=ALL,SOCSIM_STEP=merge \
  --job-name=socsim-merge --cpus-per-task=1 --mem=512M --time=00:10:00 \
  --output="$OUT/logs/%x-%j.log" \
  "$HERE/sweep.sbatch" "$SWEEP" "$OUT")
echo "shards: job $jid (array 0-$((SHARDS - 1))); merge: job $mid -> $OUT/merged/runs.csv; logs: $OUT/logs/"
