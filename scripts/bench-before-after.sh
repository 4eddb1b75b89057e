#!/usr/bin/env bash
# The idle cost of two builds in one run: both TUIs side by side at a 1 s refresh on the
# same box (with the benchmark's load), then `swarmtop bench` of each, interleaved.
# Usage: scripts/bench-before-after.sh BEFORE-BINARY AFTER-BINARY [PROCESSES=2000] [SECONDS=60]
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE=$(realpath "$1")
AFTER=$(realpath "$2")
N=${3:-2000}
SECS=${4:-60}
SOCK="swarmtop-before-after-$$"
TCK=$(getconf CLK_TCK)
source scripts/load.sh
cleanup() {
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  stop_load
}
trap cleanup EXIT INT TERM
command -v tmux >/dev/null || { echo "tmux is required" >&2; exit 2; }
start_load "$N"
echo "processes: $(process_count)"
tmux -L "$SOCK" new-session -d -x 200 -y 50 -s bench -n before "$BEFORE --refresh 1000"
tmux -L "$SOCK" new-window -d -n after "$AFTER --refresh 1000"
sleep 5
pid() { tmux -L "$SOCK" list-panes -a -F '#{window_name} #{pane_pid}' | awk -v n="$1" '$1==n {print $2}'; }
PB=$(pid before)
PA=$(pid after)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
B0=$(ticks "$PB")
A0=$(ticks "$PA")
sleep "$SECS"
B1=$(ticks "$PB")
A1=$(ticks "$PA")
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v b="$((B1 - B0))" -v a="$((A1 - A0))" -v t="$TCK" -v s="$SECS" 'BEGIN {
  printf "TUI at 1 s for %d s: before %.2f%% of one core, after %.2f%%: after/before %.2fx\n",
    s, b / t / s * 100, a / t / s * 100, (b > 0 ? a / b : 0) }'
echo "VmHWM: before $(awk '/VmHWM/ {print $2 " kB"}' "/proc/$PB/status"), after $(awk '/VmHWM/ {print $2 " kB"}' "/proc/$PA/status")"
tmux -L "$SOCK" kill-server
for round in 1 2; do
  echo "--- before, round $round"
  "$BEFORE" bench --rounds 20 --tui-processes 10000
  echo "--- after, round $round"
  "$AFTER" bench --rounds 20 --tui-processes 10000
done
