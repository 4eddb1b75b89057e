#!/usr/bin/env bash
# What the far side of `--host` costs: `swarmtop serve --stdio` on a box with N idle
# processes (scripts/load.sh). Measures, in one run, the protocol's bytes per second
# after the first forest (idle, then with a churner starting and ending ~20 processes a
# second), serve's CPU, and the local TUI's CPU on the same load as its baseline.
# Writes bench/remote-N.md.  Usage: scripts/bench-remote.sh [N] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
SECS=${2:-30}
source scripts/load.sh
command -v tmux >/dev/null || { echo "needs tmux (the TUI baseline)" >&2; exit 1; }
# SWARMTOP_BIN: another build (both serve and the TUI baseline use it).
if [[ -z ${SWARMTOP_BIN:-} ]]; then cargo build --release -q; fi
BIN=${SWARMTOP_BIN:-$PWD/target/release/swarmtop}
TMP=$(mktemp -d)
SERVE=""
CHURN=""
TMUX_SESSION="st-bench-remote-$$"
cleanup() {
  [[ -n $CHURN ]] && pkill -KILL -s "$CHURN" 2>/dev/null || true
  tmux kill-session -t "$TMUX_SESSION" 2>/dev/null || true
  exec 3>&- || true # serve's stdin ends: it exits
  [[ -n $SERVE ]] && kill "$SERVE" 2>/dev/null || true
  stop_load
  rm -rf "$TMP"
}
trap cleanup EXIT

ticks() { # utime + stime of PID, in clock ticks
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"
}
cpu_percent() { # PID: CPU of PID over SECS, in percent of one core
  local t0 t1
  t0=$(ticks "$1"); sleep "$SECS"; t1=$(ticks "$1")
  awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v s="$SECS" 'BEGIN { printf "%.2f", 100 * d / hz / s }'
}
bytes_per_sec() { # over SECS: bytes serve wrote, and its CPU
  local b0 t0 b1 t1
  b0=$(stat -c %s "$TMP/out"); t0=$(ticks "$SERVE")
  sleep "$SECS"
  b1=$(stat -c %s "$TMP/out"); t1=$(ticks "$SERVE")
  awk -v b=$((b1 - b0)) -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v s="$SECS" \
    'BEGIN { printf "%.0f %.2f\n", b / s, 100 * d / hz / s }'
}

start_load "$N"
procs=$(process_count)
mkfifo "$TMP/in"
exec 3<>"$TMP/in" # held open by this script: serve's stdin never ends early
XDG_CONFIG_HOME=/nonexistent "$BIN" serve --stdio --refresh 1000 <"$TMP/in" >"$TMP/out" &
SERVE=$!
deadline=$((SECONDS + 60))
until grep -q '"base":null' "$TMP/out" 2>/dev/null; do
  (( SECONDS < deadline )) || { echo "no first forest" >&2; exit 1; }
  sleep 0.2
done
sleep 5
first=$(head -n 3 "$TMP/out" | grep '"base":null' | wc -c)
read -r idle_bps idle_cpu < <(bytes_per_sec)

setsid bash -c 'while :; do for i in 1 2 3 4 5 6 7 8 9 10; do sleep 0.5 & done; sleep 0.5; done' \
  </dev/null >/dev/null 2>&1 &
CHURN=$!
sleep 3
read -r churn_bps churn_cpu < <(bytes_per_sec)
pkill -KILL -s "$CHURN" 2>/dev/null || true
CHURN=""
sleep 3

tmux new-session -d -s "$TMUX_SESSION" -x 200 -y 50 "XDG_CONFIG_HOME=/nonexistent exec $BIN --refresh 1000"
sleep 5
tui=$(tmux list-panes -t "$TMUX_SESSION" -F '#{pane_pid}')
tui_cpu=$(cpu_percent "$tui")
load=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p bench
cat >"bench/remote-$N.md" <<EOF
# swarmtop serve --stdio on ~$procs processes ($(date -u +%F), 2 cores, load average $load)

\`scripts/bench-remote.sh $N $SECS\`: protocol bytes serve wrote (what ssh carries, before
its own framing), and CPU in percent of one core, each over $SECS s at 1 s refresh.

| | serve: bytes/s | serve: CPU % | TUI on the same load: CPU % |
|---|---|---|---|
| idle (the load's processes sleep) | $idle_bps | $idle_cpu | $tui_cpu |
| churn (~20 processes started and ended a second) | $churn_bps | $churn_cpu | |

The first forest (whole): $first bytes. serve / TUI CPU, idle: $(awk -v a="$idle_cpu" -v b="$tui_cpu" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "n/a" }').
EOF
cat "bench/remote-$N.md"
