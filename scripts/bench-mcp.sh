#!/usr/bin/env bash
# Latency of `swarmtop mcp`'s tools through stdio JSON-RPC, in one run: at the box's own
# process count (the baseline), then with a load of PROCESSES more idle processes.
# list_processes samples twice, 200 ms apart (CPU percentages), who_listens once; also
# the server's CPU time while it sits idle between calls (it should sample nothing).
# The client is a shell in a worktree of a temporary repository, so the server's caller
# is placed in an attempt, like an agent's.
# Usage: scripts/bench-mcp.sh [PROCESSES=2000] [CALLS=10] [OUT=bench/results-mcp.md]
# SWARMTOP_BIN runs another build (default: a release build made here).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
CALLS=${2:-10}
OUT=${3:-bench/results-mcp.md}
IDLE_SECS=5
source scripts/load.sh

command -v python3 >/dev/null || { echo "bench-mcp.sh needs python3" >&2; exit 2; }
if [[ -z ${SWARMTOP_BIN:-} ]]; then
  cargo build --release --quiet
  SWARMTOP_BIN=$PWD/target/release/swarmtop
fi
[[ -x $(dirname "$SWARMTOP_BIN")/swarmtop-mcp ]] || { echo "no swarmtop-mcp beside $SWARMTOP_BIN" >&2; exit 2; }

REPO_DIR=$(mktemp -d)
cleanup() {
  stop_load
  rm -rf "$REPO_DIR"
}
trap cleanup EXIT INT TERM
g="git -c user.name=bench -c user.email=bench@localhost"
$g -C "$REPO_DIR" init -q -b main && $g -C "$REPO_DIR" commit -q --allow-empty -m bench
$g -C "$REPO_DIR" worktree add -q -b bench-mcp "$REPO_DIR/wt"

process_count() {
  local n=0 d
  for d in /proc/[0-9]*; do n=$((n + 1)); done
  echo "$n"
}

# One server, CALLS calls of each tool, then IDLE_SECS without calls: prints a table row.
measure() { # label
  (cd "$REPO_DIR/wt" && python3 - "$SWARMTOP_BIN" "$CALLS" "$IDLE_SECS" "$1" "$(process_count)" <<'PY'
import json, os, statistics, subprocess, sys, time

bin_, calls, idle_secs, label, procs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
env = dict(os.environ, XDG_CONFIG_HOME="/nonexistent-swarmtop-bench")
server = subprocess.Popen([bin_, "mcp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
next_id = 0

def request(method, params=None):
    global next_id
    next_id += 1
    msg = {"jsonrpc": "2.0", "id": next_id, "method": method}
    if params is not None:
        msg["params"] = params
    server.stdin.write(json.dumps(msg) + "\n")
    server.stdin.flush()
    while True:
        reply = json.loads(server.stdout.readline())
        if reply.get("id") == next_id:
            return reply

def timed(tool, args):
    ms = []
    for _ in range(calls):
        t0 = time.monotonic()
        r = request("tools/call", {"name": tool, "arguments": args})
        ms.append((time.monotonic() - t0) * 1000)
        if "error" in r or r["result"].get("isError"):
            sys.exit(f"{tool}: {r}")
    return ms

def cpu_ticks(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])

request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}})
server.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
server.stdin.flush()
listed = timed("list_processes", {})
listens = timed("who_listens", {"port": 22})
before = cpu_ticks(server.pid)
time.sleep(idle_secs)
idle = cpu_ticks(server.pid) - before
server.stdin.close()
server.wait(timeout=30)
med = statistics.median
print(f"| {label} | {procs} | {med(listed):.0f} | {min(listed):.0f}–{max(listed):.0f} | "
      f"{med(listens):.0f} | {min(listens):.0f}–{max(listens):.0f} | {idle} |")
PY
  )
}

{
  echo "# swarmtop mcp: tool latency"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $CALLS calls of each tool per row (median and range, ms);"
  echo "idle: the server's CPU ticks (1/$(getconf CLK_TCK) s) in ${IDLE_SECS} s without calls."
  echo "Load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| run | processes on the box | list_processes | range | who_listens | range | idle ticks |"
  echo "|---|---:|---:|---|---:|---|---:|"
  measure baseline
  start_load "$N"
  measure "+$N idle processes"
  stop_load
  echo
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} | tee "$OUT"
