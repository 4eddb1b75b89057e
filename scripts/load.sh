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

process_count() { ls -d /proc/[0-9]* | wc -l; }
