#!/usr/bin/env bash
# Whether an idle swarmtop TUI grows: its RSS every 30 s for MINUTES minutes at a 1 s
# refresh on a load of N idle processes.
# Usage: scripts/bench-idle-rss.sh [MINUTES=10] [PROCESSES=2000] [OUT=bench/idle-rss.md]
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-10}
N=${2:-2000}
OUT=${3:-bench/idle-rss.md}
SOCK="swarmtop-idle-$$"
source scripts/load.sh
cleanup() {
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  stop_load
}
trap cleanup EXIT INT TERM
command -v tmux >/dev/null || { echo "tmux is required" >&2; exit 2; }
cargo build --release --quiet

start_load "$N"
tmux -L "$SOCK" new-session -d -x 200 -y 50 ./target/release/swarmtop --refresh 1000
sleep 0.5
pid=$(tmux -L "$SOCK" list-panes -F '#{pane_pid}')
field() { awk -v k="$1:" '$1 == k {printf "%.2f", $2 / 1024}' "/proc/$pid/status"; }
mkdir -p "$(dirname "$OUT")"
{
  echo "# swarmtop idle for $MINUTES minutes"
  echo
  echo "$(date -u +%Y-%m-%d) on $(nproc) cores, $(process_count) processes ($N of them the load), 1 s refresh, 200x50 tmux pane."
  echo
  echo "| minute | RSS (MiB) | anonymous (MiB) | max RSS so far (MiB) |"
  echo "|---|---|---|---|"
  for ((half = 0; half <= MINUTES * 2; half++)); do
    (( half == 0 )) || sleep 30
    echo "| $(awk -v h="$half" 'BEGIN {printf "%.1f", h / 2}') | $(field VmRSS) | $(field RssAnon) | $(field VmHWM) |"
  done
} | tee "$OUT"
