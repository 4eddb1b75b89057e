#!/usr/bin/env bash
# Side-by-side overhead of idle process viewers at a 1 s refresh, in one run:
# swarmtop's TUI next to whichever of htop, btop and bottom are installed (htop and
# btop are installed with apt-get when possible), plus the raw /proc/*/stat read.
# swarmtop runs twice: in rss mode (the default) and in pss mode (`--memory pss`).
# Usage: scripts/bench-overhead.sh [PROCESSES=2000] [SECONDS=30] [OUT=bench/results-PROCESSES.md]
# WORKTREES=20 (the default) adds that many git worktrees with two listening processes each.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
SECS=${2:-30}
OUT=${3:-bench/results-$N.md}
WORKTREES=${WORKTREES:-20}
WARMUP=5
SOCK="swarmtop-bench-$$"
TCK=$(getconf CLK_TCK)
source scripts/load.sh

cleanup() {
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  stop_load
  stop_listeners
  if [[ -n ${BTOP_HOME:-} ]]; then rm -rf "$BTOP_HOME"; fi
}
trap cleanup EXIT INT TERM

for tool in htop btop; do
  command -v "$tool" >/dev/null || { command -v apt-get >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >/dev/null 2>&1; } || true
done
command -v tmux >/dev/null || { echo "tmux is required" >&2; exit 2; }
cargo build --release --quiet

start_load "$N"
(( WORKTREES > 0 )) && start_listeners "$WORKTREES"
total=$(process_count)

declare -A PIDS
start_tool() { # name, command...
  local name=$1; shift
  tmux -L "$SOCK" new-window -d -n "$name" "$@" 2>/dev/null || tmux -L "$SOCK" new-session -d -x 200 -y 50 -s bench -n "$name" "$@"
  sleep 0.5
  PIDS[$name]=$(tmux -L "$SOCK" list-panes -a -F '#{window_name} #{pane_pid}' | awk -v n="$name" '$1==n {print $2}')
}
start_tool swarmtop ./target/release/swarmtop --refresh 1000
# pss mode beside it: the load runs in this checkout (an attempt), so every one of its
# processes is measured from smaps_rollup, each about every 4 s: the worst case.
start_tool swarmtop-pss ./target/release/swarmtop --refresh 1000 --memory pss
command -v htop >/dev/null && start_tool htop htop -d 10
if command -v btop >/dev/null; then
  # btop reads its interval from its config file only (default 2000 ms).
  BTOP_HOME=$(mktemp -d)
  mkdir -p "$BTOP_HOME/btop"
  echo "update_ms = 1000" > "$BTOP_HOME/btop/btop.conf"
  start_tool btop env XDG_CONFIG_HOME="$BTOP_HOME" btop --utf-force
fi
command -v btm >/dev/null && start_tool bottom btm --rate 1000
sleep "$WARMUP"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
declare -A T0
for n in "${!PIDS[@]}"; do T0[$n]=$(ticks "${PIDS[$n]}"); done
sleep "$SECS"
# After the window, so it does not disturb it; same load, same run.
sampling=$(./target/release/swarmtop bench --rounds 10 --tui-processes 0)
raw_ms=$(awk '/raw read of every \/proc/ {gsub("ms", "", $(NF-1)); print $(NF-1); exit}' <<<"$sampling")

mkdir -p "$(dirname "$OUT")"
{
  echo "# Overhead at a 1 s refresh, idle, one run"
  echo
  echo "$(date -u +%Y-%m-%d) on $(nproc) cores, $total processes ($N of them the benchmark's load, $((WORKTREES * 2)) listening in $WORKTREES worktrees), ${SECS} s after a ${WARMUP} s warm-up; load average before: $LOAD_BEFORE."
  echo
  echo "| tool | processes | CPU % of one core | max RSS (VmHWM) | CPU ratio to swarmtop |"
  echo "|---|---|---|---|---|"
  sw_cpu=""
  for n in swarmtop swarmtop-pss htop btop bottom; do
    [[ -n ${PIDS[$n]:-} ]] || continue
    pid=${PIDS[$n]}
    t1=$(ticks "$pid")
    cpu=$(awk -v a="${T0[$n]}" -v b="$t1" -v t="$TCK" -v s="$SECS" 'BEGIN {printf "%.2f", (b - a) / t / s * 100}')
    rss=$(awk '/VmHWM/ {printf "%.2f MiB", $2 / 1024}' "/proc/$pid/status")
    [[ -n $sw_cpu ]] || sw_cpu=$cpu
    ratio=$(awk -v c="$cpu" -v s="$sw_cpu" 'BEGIN {if (s > 0) printf "%.2fx", c / s; else print "-"}')
    echo "| $n | $total | $cpu | $rss | $ratio |"
  done
  echo "| raw read of every /proc/PID/stat, once a second | $total | $(awk -v m="$raw_ms" 'BEGIN {printf "%.2f", m / 10}') | - | - |"
  echo
  echo "One refresh of swarmtop's sampler (\`swarmtop bench --rounds 10\`, right after, same load):"
  echo
  echo '```'
  echo "$sampling"
  echo '```'
} | tee "$OUT"
