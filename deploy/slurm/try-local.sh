#!/bin/bash
# Tries deploy/slurm/submit.sh and sweep.sbatch on a real, throw-away, one-node Slurm cluster
# on this machine (localhost), end to end:
#
#   1. installs slurm-wlm and munge with apt-get where missing (Debian/Ubuntu; sudo if not root);
#   2. starts a private munged (own key and socket) and a one-node cluster (slurmctld + slurmd,
#      node = this host with the CPUs and memory `slurmd -C` reports, no accounting), all its
#      state under a temporary folder; waits until `sinfo` shows the node idle;
#   3. writes a small sweep (built-in "baseline", 5 days, 2 points x 2 replicates = 4 runs);
#   4. submits it with submit.sh as a 2-task job array plus the merge job, waits for both and
#      checks their exit codes (sacct if accounting is on, else scontrol and OUT/logs/);
#   5. runs the same sweep unsharded and compares OUT/merged/runs.csv with it (cmp);
#   6. deletes shard 1's results, resubmits task 1 alone (`sbatch --array=1 …`, where Slurm
#      sets SLURM_ARRAY_TASK_COUNT=1), checks that it went back into shard-1-of-2, merges
#      again and compares again;
#   7. stops the daemons it started (unless KEEP_SLURM=1) and prints a summary.
# Prints PASS or FAIL and exits 0 or 1.
#
#   deploy/slurm/try-local.sh                           # from the repository root
#   SOCSIM=target/release/socsim KEEP_SLURM=1 WORK=/tmp/try deploy/slurm/try-local.sh
#
# Needs: Debian or Ubuntu with apt-get (or slurm-wlm and munge already installed), root or
# sudo, the socsim binary ($SOCSIM, default `socsim` on PATH, else target/release/socsim),
# and no other Slurm daemons on this machine (ports SLURMCTLD_PORT=6817, SLURMD_PORT=6818).
# Settings: WORK (work folder, default a new temporary one), TIMEOUT (seconds for each wait,
# default 300), KEEP_SLURM=1 (leave the cluster running; SLURM_CONF is printed).
# It installs packages and starts root daemons, so it is a manual check: it is not run in CI.
set -euo pipefail

T0=$SECONDS
REPO=$(cd "$(dirname "$0")/../.." && pwd)
cd "$REPO"
TIMEOUT=${TIMEOUT:-300}
CTLD_PORT=${SLURMCTLD_PORT:-6817}
SLURMD_PORT=${SLURMD_PORT:-6818}
if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi

say() { printf '== %s\n' "$*"; }
die() { printf 'try-local: error: %s\n' "$*" >&2; exit 1; }

# --- the socsim binary ------------------------------------------------------------------------
if [ -z "${SOCSIM:-}" ]; then
  if command -v socsim >/dev/null 2>&1; then SOCSIM=$(command -v socsim)
  else SOCSIM=$REPO/target/release/socsim; fi
fi
case $SOCSIM in */*) SOCSIM=$(cd "$(dirname "$SOCSIM")" && pwd)/$(basename "$SOCSIM") ;;
                *) SOCSIM=$(command -v "$SOCSIM" || true) ;; esac
[ -x "$SOCSIM" ] || die "no socsim binary at '${SOCSIM}': build it (cargo build --release) or set SOCSIM"
export SOCSIM
say "socsim: $SOCSIM ($("$SOCSIM" --version))"

# --- 1. packages ------------------------------------------------------------------------------
missing=()
for p in slurm-wlm munge; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} by hand"
  say "installing ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi
PATH=$PATH:/usr/sbin:/sbin
for c in munged slurmctld slurmd sbatch squeue sinfo scontrol; do
  command -v "$c" >/dev/null || die "$c not found after installing slurm-wlm and munge"
done
SLURM_VERSION=$(slurmd -V 2>/dev/null || dpkg-query -W -f='slurm-wlm ${Version}' slurm-wlm)
say "$SLURM_VERSION"

# Refuse to run beside another cluster: our daemons would fight over the ports.
for d in slurmctld slurmd; do
  if pgrep -x "$d" >/dev/null; then
    die "a $d is already running (pid $(pgrep -x "$d" | tr '\n' ' ')): stop it first"
  fi
done

# --- 2. the cluster ---------------------------------------------------------------------------
if [ -z "${WORK:-}" ]; then
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/socsim-try-local.XXXXXX")
  chmod 755 "$WORK"                  # munged wants every folder above its socket searchable
fi
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
ST=$WORK/slurm                       # daemons' state, logs, pid files, munge key and socket
"${SUDO[@]}" mkdir -p "$ST/munge" "$ST/ctld" "$ST/spool"
"${SUDO[@]}" chmod 755 "$ST" "$ST/munge"
"${SUDO[@]}" chmod 700 "$ST/ctld" "$ST/spool"
STARTED=()                           # pid files of the daemons this script started
JOBS=()                              # job ids, to cancel on a failure

stop_all() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ ${#JOBS[@]} -gt 0 ] && command -v scancel >/dev/null; then
    scancel "${JOBS[@]}" 2>/dev/null || true
  fi
  if [ "${KEEP_SLURM:-0}" = 1 ]; then
    [ ${#STARTED[@]} -gt 0 ] && say "KEEP_SLURM=1: cluster left running; export SLURM_CONF=$ST/slurm.conf"
  else
    local i pf pid
    for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do     # slurmd, slurmctld, then munged
      pf=${STARTED[i]}
      pid=$("${SUDO[@]}" cat "$pf" 2>/dev/null || true)
      if [ -n "$pid" ] && "${SUDO[@]}" kill "$pid" 2>/dev/null; then
        for _ in $(seq 50); do "${SUDO[@]}" kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      fi
    done
    [ ${#STARTED[@]} -gt 0 ] && say "daemons stopped (state and logs kept in $ST)"
  fi
  exit "$rc"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# munge: a private key and socket, so that a system munged (if any) is left alone.
MUNGE_SOCKET=$ST/munge/munge.socket
"${SUDO[@]}" sh -c "umask 077; dd if=/dev/urandom bs=1 count=1024 of='$ST/munge/munge.key' 2>/dev/null"
"${SUDO[@]}" chmod 400 "$ST/munge/munge.key"
"${SUDO[@]}" munged --key-file="$ST/munge/munge.key" --socket="$MUNGE_SOCKET" \
  --pid-file="$ST/munge/munged.pid" --log-file="$ST/munge/munged.log" \
  --seed-file="$ST/munge/munged.seed" \
  || die "munged did not start: see $ST/munge/munged.log"
STARTED+=("$ST/munge/munged.pid")
if command -v munge >/dev/null && command -v unmunge >/dev/null; then
  munge -S "$MUNGE_SOCKET" -n | unmunge -S "$MUNGE_SOCKET" >/dev/null \
    || die "munge does not work (munge -n | unmunge): see $ST/munge/munged.log"
fi

HOST=$(hostname -s)
# This machine as slurmd sees it: "NodeName=… CPUs=… Boards=… … RealMemory=…".
NODE_LINE=$(slurmd -C 2>/dev/null | grep -m1 '^NodeName=' || true)
if [ -z "$NODE_LINE" ]; then
  NODE_LINE="NodeName=$HOST CPUs=$(nproc) RealMemory=$(free -m | awk '/^Mem:/ {print $2}')"
fi
NODE_LINE=$(sed -E "s/^NodeName=[^ ]+/NodeName=$HOST/" <<<"$NODE_LINE")
CONF=$ST/slurm.conf
"${SUDO[@]}" tee "$CONF" >/dev/null <<EOF
# Written by deploy/slurm/try-local.sh: a throw-away one-node cluster on localhost.
ClusterName=socsimtry
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
ReturnToService=2
StateSaveLocation=$ST/ctld
SlurmdSpoolDir=$ST/spool
SlurmctldPidFile=$ST/slurmctld.pid
SlurmdPidFile=$ST/slurmd.pid
SlurmctldLogFile=$ST/slurmctld.log
SlurmdLogFile=$ST/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=600
$NODE_LINE NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=try Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$CONF
say "slurm.conf: $CONF (node: $NODE_LINE)"

"${SUDO[@]}" env SLURM_CONF="$CONF" slurmctld -f "$CONF" \
  || die "slurmctld did not start: see $ST/slurmctld.log"
STARTED+=("$ST/slurmctld.pid")
"${SUDO[@]}" env SLURM_CONF="$CONF" slurmd -f "$CONF" \
  || die "slurmd did not start: see $ST/slurmd.log"
STARTED+=("$ST/slurmd.pid")

deadline=$((SECONDS + TIMEOUT))
until [ "$(sinfo -h -n "$HOST" -o %t 2>/dev/null)" = idle ]; do
  if [ $SECONDS -ge $deadline ]; then
    sinfo -N -l >&2 || true
    "${SUDO[@]}" tail -n 20 "$ST/slurmctld.log" "$ST/slurmd.log" >&2 || true
    die "node $HOST not idle after ${TIMEOUT}s (logs: $ST/slurmctld.log, $ST/slurmd.log)"
  fi
  sleep 1
done
say "cluster up: $(sinfo -h -o '%P %D %t %c CPUs %m MB' | head -1)"

# --- 3. the sweep -----------------------------------------------------------------------------
SWEEP=$WORK/try_local.toml
OUT=$WORK/out
OUT_WHOLE=$WORK/whole
rm -rf "$OUT" "$OUT_WHOLE"
cat >"$SWEEP" <<'EOF'
# Written by deploy/slurm/try-local.sh: 2 points x 2 replicates = 4 small runs.
name = "try_local"
base = "baseline"
design = "grid"
replicates = 2

[set]
run.days = 5
population.consumers = 2000
population.creators = 100
population.hosts = 5
population.merchants = 100

[vary]
returns.window_days = [3, 14]
EOF

declare -A RESULT
ORDER=()
check() {                            # check NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then RESULT[$name]=PASS; else RESULT[$name]=FAIL; fi
  ORDER+=("$name")
  say "check $name: ${RESULT[$name]}"
}

# Waits until none of the given job ids (array or not) is in squeue any more.
wait_jobs() {
  local deadline=$((SECONDS + TIMEOUT)) ids pat q
  ids=$(IFS='|'; echo "$*")
  pat="^($ids)(_|\$)"
  while :; do
    q=$(squeue -h -o %i) || die "squeue failed: is slurmctld still up? (see $ST/slurmctld.log)"
    grep -Eq "$pat" <<<"$q" || return 0
    if [ $SECONDS -ge $deadline ]; then
      squeue >&2 || true
      die "jobs $* still queued or running after ${TIMEOUT}s"
    fi
    sleep 2
  done
}

# Prints "JOBID STATE EXITCODE" for every job (and array task) of the given ids.
job_states() {
  local j
  if sacct -n -X -P -j "$(IFS=,; echo "$*")" -o JobID,State,ExitCode 2>/dev/null | tr '|' ' ' | grep .; then
    return 0
  fi
  for j in "$@"; do                  # no accounting: the controller remembers for MinJobAge
    scontrol -o show job "$j" 2>/dev/null |
      awk '{ id = ""; arr = ""; task = ""; st = ""; ec = "";
             for (i = 1; i <= NF; i++) {
               split($i, kv, "=");
               if (kv[1] == "JobId") id = kv[2];
               else if (kv[1] == "ArrayJobId") arr = kv[2];
               else if (kv[1] == "ArrayTaskId") task = kv[2];
               else if (kv[1] == "JobState") st = kv[2];
               else if (kv[1] == "ExitCode") ec = substr($i, 10);
             }
             print (arr != "" ? arr "_" task : id), st, ec }'
  done
}

# All the given jobs COMPLETED with exit code 0:0 (prints their states).
jobs_ok() {
  local states
  states=$(job_states "$@")
  [ -n "$states" ] || { echo "   no state found for jobs $*"; return 1; }
  sed 's/^/   /' <<<"$states"
  ! awk '$2 != "COMPLETED" || $3 != "0:0" { bad = 1 } END { exit !bad }' <<<"$states"
}

# The logs under OUT/logs/: present, and no error in them.
logs_ok() {
  local f ok=0
  for f in "$@"; do
    if [ ! -e "$f" ]; then echo "   missing log $f"; ok=1; continue; fi
    if grep -Eqi 'error|panic|No such file|command not found' "$f"; then
      echo "   $f:"; sed 's/^/     /' "$f"; ok=1
    fi
  done
  return $ok
}

# --- 4. submit.sh: the array and the merge job ------------------------------------------------
say "submitting: deploy/slurm/submit.sh $SWEEP $OUT 2 1 1G"
sub=$(deploy/slurm/submit.sh "$SWEEP" "$OUT" 2 1 1G)
echo "$sub"
ARRAY_JOB=$(sed -nE 's/^shards: job ([0-9]+).*/\1/p' <<<"$sub")
MERGE_JOB=$(sed -nE 's/.*merge: job ([0-9]+).*/\1/p' <<<"$sub")
[ -n "$ARRAY_JOB" ] && [ -n "$MERGE_JOB" ] || die "could not read the job ids from submit.sh's output"
JOBS+=("$ARRAY_JOB" "$MERGE_JOB")
wait_jobs "$ARRAY_JOB" "$MERGE_JOB"
say "array $ARRAY_JOB and merge $MERGE_JOB have left the queue"
check array+merge-jobs jobs_ok "$ARRAY_JOB" "$MERGE_JOB"
check array+merge-logs logs_ok "$OUT/logs/socsim-sweep-${ARRAY_JOB}_0.log" \
  "$OUT/logs/socsim-sweep-${ARRAY_JOB}_1.log" "$OUT/logs/socsim-merge-${MERGE_JOB}.log"
ls "$OUT"

# --- 5. the same sweep, unsharded -------------------------------------------------------------
say "unsharded: socsim sweep $SWEEP --out $OUT_WHOLE -q"
env -u SLURM_ARRAY_TASK_ID -u SLURM_ARRAY_TASK_COUNT -u SLURM_ARRAY_TASK_MIN \
  -u JOB_COMPLETION_INDEX "$SOCSIM" sweep "$SWEEP" --out "$OUT_WHOLE" -q
check merged=unsharded cmp "$OUT/merged/runs.csv" "$OUT_WHOLE/runs.csv"

# --- 6. one task resubmitted alone ------------------------------------------------------------
say "resubmitting task 1 alone, after deleting shard-1-of-2/results and runs.csv"
rm -rf "$OUT/shard-1-of-2/results" "$OUT/shard-1-of-2/runs.csv"
# --output as submit.sh's, so that the log goes under OUT/logs/ and not into the repository.
RESUB_JOB=$(sbatch --parsable --array=1 --export=ALL,SOCSIM="$SOCSIM" \
  --output="$OUT/logs/%x-%A_%a.log" deploy/slurm/sweep.sbatch "$SWEEP" "$OUT")
RESUB_JOB=${RESUB_JOB%%;*}
echo "task 1 alone: job $RESUB_JOB"
JOBS+=("$RESUB_JOB")
wait_jobs "$RESUB_JOB"
check resubmit-job jobs_ok "$RESUB_JOB"
check resubmit-log logs_ok "$OUT/logs/socsim-sweep-${RESUB_JOB}_1.log"
check resubmit-into-shard-1-of-2 test -s "$OUT/shard-1-of-2/runs.csv"
check resubmit-no-stray-folders \
  bash -c '[ ! -e "$1/runs.csv" ] && ! compgen -G "$1/shard-0-of-1*" >/dev/null && ! compgen -G "$1/shard-*-of-1" >/dev/null' _ "$OUT"
ls "$OUT"
say "merging again: socsim merge $OUT --out $OUT/merged2"
"$SOCSIM" merge "$OUT" --out "$OUT/merged2" || true
check merged2=unsharded cmp "$OUT/merged2/runs.csv" "$OUT_WHOLE/runs.csv"

# --- 7. summary -------------------------------------------------------------------------------
status=PASS
for n in "${ORDER[@]}"; do [ "${RESULT[$n]}" = PASS ] || status=FAIL; done
echo
echo "summary"
echo "  slurm:    $SLURM_VERSION (slurmctld + slurmd on $HOST, ports $CTLD_PORT/$SLURMD_PORT)"
echo "  node:     $NODE_LINE"
echo "  socsim:   $SOCSIM"
echo "  work:     $WORK"
echo "  jobs:     array $ARRAY_JOB (tasks 0-1), merge $MERGE_JOB, task 1 alone $RESUB_JOB"
for n in "${ORDER[@]}"; do printf '  %-28s %s\n' "$n" "${RESULT[$n]}"; done
echo "  elapsed:  $((SECONDS - T0)) s"
echo "$status"
[ "$status" = PASS ]
