#!/usr/bin/env bash
# A cdnsim sweep as a Slurm job array. Each array task runs one slice of the
# sweep's points (`cdnsim sweep --shard K/N`); a second job, which starts
# once every task has succeeded, runs `cdnsim merge` to combine the slices
# into the sweep.csv that one machine running the whole sweep would write.
#
#   bash examples/slurm-sweep.sh        # from the repository: submits both jobs
#
# Settings, as environment variables (sbatch passes them on to the jobs):
#   SWEEP=scenarios/capacity-sweep.toml  the sweep file (or a scenario plus --vary in CDNSIM_ARGS)
#   OUT=results/capacity                 merged results; task K writes $OUT-shard-K
#   SHARDS=8                             array tasks
#   CDNSIM=cdnsim                        the binary, as the compute nodes find it
#   CDNSIM_ARGS=                         more `cdnsim sweep` flags, e.g. "--replicates 5"
#   SUBMIT_ARGS=                         more sbatch flags for both jobs; they override the
#                                        #SBATCH lines below, e.g. "--partition=short --cpus-per-task=2"
#
# Run it with bash from the folder the jobs should work in: Slurm starts
# every job in the folder it was submitted from, so relative SWEEP, OUT and
# CDNSIM paths mean the same inside the jobs, and the logs land there too
# (cdnsim-sweep-ARRAYJOB_K.log for task K, cdnsim-merge-JOB.log).
#
# Every task passes --resume, so a task that Slurm requeues (a node failure,
# preemption) keeps the rows it had finished and runs only the rest. Run
# `cdnsim validate "$SWEEP"` first: it lists any point that would fail.
#
#SBATCH --job-name=cdnsim-sweep
#SBATCH --cpus-per-task=4
#SBATCH --mem=4G
#SBATCH --time=04:00:00
#SBATCH --requeue
#SBATCH --output=cdnsim-sweep-%A_%a.log
set -euo pipefail

SWEEP=${SWEEP:-scenarios/capacity-sweep.toml}
OUT=${OUT:-results/capacity}
SHARDS=${SHARDS:-8}
CDNSIM=${CDNSIM:-cdnsim}
read -r -a EXTRA <<< "${CDNSIM_ARGS:-}"
read -r -a SUBMIT <<< "${SUBMIT_ARGS:-}"

if [[ "${1:-}" == merge ]]; then
    # Exit status 1 here means some points failed: their rows in sweep.csv
    # say why, with the `cdnsim run` command that replays each one.
    exec "$CDNSIM" merge "$OUT"-shard-* --out "$OUT"
fi

if [[ -n "${SLURM_ARRAY_TASK_ID:-}" ]]; then
    K=$SLURM_ARRAY_TASK_ID
    N=${SLURM_ARRAY_TASK_COUNT:-$SHARDS}
    exec "$CDNSIM" sweep "$SWEEP" --shard "$K/$N" --jobs "${SLURM_CPUS_PER_TASK:-1}" \
        --no-progress --resume --out "$OUT-shard-$K" "${EXTRA[@]}"
fi

if [[ -n "${SLURM_JOB_ID:-}" ]]; then
    # `sbatch examples/slurm-sweep.sh` would land here, in a job that is
    # neither a task nor the merge, and submit again from Slurm's copy of
    # this file.
    echo "slurm-sweep.sh: run it with bash, not sbatch: it submits its own jobs" >&2
    exit 2
fi

# Not inside a job: submit the array, then the merge after it. sbatch keeps
# a copy of this file for each job, so "$0" is only read here, never by the
# jobs (in a job it names Slurm's copy in the node's spool folder). The
# merge job is not an array task: it gets a log name of its own, and one CPU
# (the flags after SUBMIT_ARGS win).
array=$(sbatch --parsable "${SUBMIT[@]}" --array="1-$SHARDS" "$0")
merge=$(sbatch --parsable "${SUBMIT[@]}" --dependency="afterok:$array" --job-name=cdnsim-merge \
    --cpus-per-task=1 --output=cdnsim-merge-%j.log "$0" merge)
echo "submitted sweep array $array ($SHARDS tasks) and merge job $merge; results will be in $OUT"
