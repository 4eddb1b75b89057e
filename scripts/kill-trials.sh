#!/usr/bin/env bash
# The kill engine's long adversarial mode: TRIALS churned attempt kills (forking
# children, setsid double-forks, a TERM-ignoring grandchild that outlives its parent,
# a stopped child, a PID hopper) with signal-logging sentinels in a sibling attempt
# and outside every attempt, beside a fork churner. Prints and appends the figures to
# bench/kill-trials.md.
# With LOW_PID_MAX=N (root only) the kernel's pid_max is lowered to N for the run so
# PIDs are reused within seconds; the old value is put back on exit.
# Usage: scripts/kill-trials.sh [TRIALS=30]
set -euo pipefail
cd "$(dirname "$0")/.."
TRIALS=${1:-30}
OUT=bench/kill-trials.md
old_pid_max=""
restore() {
  if [[ -n "$old_pid_max" ]]; then echo "$old_pid_max" >/proc/sys/kernel/pid_max; fi
}
trap restore EXIT INT TERM
cargo build --release --quiet --test kill_trials
if [[ -n "${LOW_PID_MAX:-}" ]]; then
  old_pid_max=$(cat /proc/sys/kernel/pid_max)
  echo "$LOW_PID_MAX" >/proc/sys/kernel/pid_max
fi
log=$(mktemp)
SWARMTOP_TRIALS="$TRIALS" cargo test --release --quiet --test kill_trials -- --ignored --nocapture \
  many_churned_attempt_kills 2>&1 | tee "$log"
mkdir -p bench
{
  echo "- $(date -u +%Y-%m-%d), $(nproc) cores, pid_max $(cat /proc/sys/kernel/pid_max): $(grep '^kill trials:' "$log" | sed 's/^kill trials: //')"
} >>"$OUT"
rm -f "$log"
