#!/usr/bin/env bash
# Stops the cluster that start-cluster.sh started: its workers (and their executors), then its
# master, by the pids it recorded in the state directory.
#   deploy/standalone/stop-cluster.sh [--state deploy/target/standalone]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
state="$here/../target/standalone"
if [[ "${1:-}" == "--state" ]]; then state="$2"; fi
[[ -d "$state" ]] || { echo "stop-cluster: no state directory $state" >&2; exit 0; }
stop() {  # stop PIDFILE
  local pid
  pid=$(cat "$1")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$1"
}
for pidfile in "$state"/worker-*.pid; do [[ -f "$pidfile" ]] && stop "$pidfile"; done
[[ -f "$state/master.pid" ]] && stop "$state/master.pid"
echo "stopped the cluster of $state"
