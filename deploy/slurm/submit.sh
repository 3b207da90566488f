#!/bin/bash
# Submits a sweep as a Slurm job array of SHARDS tasks, then a merge job that runs when the
# array has ended (whatever its outcome, so that missing runs are reported).
#
#   deploy/slurm/submit.sh scenarios/sweeps/returns_grid.toml outputs/sweeps/returns_grid 8
set -euo pipefail
SWEEP=${1:?usage: submit.sh SWEEP.toml OUT SHARDS}
OUT=${2:?usage: submit.sh SWEEP.toml OUT SHARDS}
SHARDS=${3:?usage: submit.sh SWEEP.toml OUT SHARDS}
HERE=$(cd "$(dirname "$0")" && pwd)

jid=$(sbatch --parsable --array=0-$((SHARDS - 1)) "$HERE/sweep.sbatch" "$SWEEP" "$OUT")
mid=$(sbatch --parsable --dependency=afterany:"$jid" --export=ALL,SOCSIM_STEP=merge \
  --job-name=socsim-merge "$HERE/sweep.sbatch" "$SWEEP" "$OUT")
echo "shards: job $jid (array 0-$((SHARDS - 1))); merge: job $mid -> $OUT/merged/runs.csv"
