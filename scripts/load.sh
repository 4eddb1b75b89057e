# Sourced by the bench scripts: a load of N idle processes (sleeps in groups of ten)
# in a session of its own, always removed by its session id, never by name.
LOAD_SID=""

start_load() { # N
  local groups=$(( ($1 + 9) / 10 ))
  # Not a process group leader (no job control here), so setsid does not fork: sid = pid.
  setsid bash -c "for g in \$(seq $groups); do (for i in 1 2 3 4 5 6 7 8 9; do sleep 3600 & done; wait) & done; wait" </dev/null >/dev/null 2>&1 &
  local pid=$! deadline=$((SECONDS + 60))
  disown "$pid" # its end, by stop_load, is expected: no "Killed" line
  until [[ $(ps -o sid= -p "$pid" | tr -d ' ') == "$pid" ]]; do
    (( SECONDS < deadline )) || { echo "the load did not start its session" >&2; exit 1; }
    sleep 0.05
  done
  LOAD_SID=$pid
  while (( $(ps -s "$LOAD_SID" -o pid= | wc -l) < groups * 10 )); do
    (( SECONDS < deadline )) || { echo "the load did not reach $1 processes" >&2; exit 1; }
    sleep 0.2
  done
}

stop_load() { # and waits (up to 30 s) until its processes are gone, so runs can follow each other
  [[ -n $LOAD_SID ]] || return 0
  pkill -KILL -s "$LOAD_SID" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while pgrep -s "$LOAD_SID" >/dev/null && (( SECONDS < deadline )); do sleep 0.1; done
  LOAD_SID=""
}

LISTEN_SID=""
LISTEN_DIR=""

start_listeners() { # WORKTREES: a repository with that many worktrees, each with two
  # processes listening on an ephemeral TCP port, all in one session of their own.
  command -v python3 >/dev/null || { echo "start_listeners needs python3" >&2; exit 2; }
  LISTEN_DIR=$(mktemp -d)
  local repo=$LISTEN_DIR/repo g="git -c user.name=bench -c user.email=bench@localhost"
  mkdir "$repo" && $g -C "$repo" init -q -b main && $g -C "$repo" commit -q --allow-empty -m bench
  for w in $(seq "$1"); do $g -C "$repo" worktree add -q -b "bench-$w" "$LISTEN_DIR/wt-$w"; done
  local listen='import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); time.sleep(3600)'
  setsid bash -c 'for wt in "$0"/wt-*; do for i in 1 2; do (cd "$wt" && exec python3 -c "$1") & done; done; wait' \
    "$LISTEN_DIR" "$listen" </dev/null >/dev/null 2>&1 &
  local pid=$! deadline=$((SECONDS + 60))
  disown "$pid"
  LISTEN_SID=$pid
  while (( $(ps -s "$LISTEN_SID" -o pid= | wc -l) < $1 * 2 + 1 )); do
    (( SECONDS < deadline )) || { echo "the listeners did not start" >&2; exit 1; }
    sleep 0.2
  done
}

stop_listeners() {
  [[ -n $LISTEN_SID ]] && pkill -KILL -s "$LISTEN_SID" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while [[ -n $LISTEN_SID ]] && pgrep -s "$LISTEN_SID" >/dev/null && (( SECONDS < deadline )); do sleep 0.1; done
  [[ -n $LISTEN_DIR ]] && rm -rf "$LISTEN_DIR"
  LISTEN_SID="" LISTEN_DIR=""
}

# A glob, not `ls`: a process that exits while it is listed makes `ls` fail.
process_count() { local p=(/proc/[0-9]*); echo "${#p[@]}"; }
