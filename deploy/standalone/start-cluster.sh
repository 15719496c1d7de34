#!/usr/bin/env bash
# Starts a Spark standalone cluster on this machine's loopback: one master and N workers, each a
# separate JVM started by Spark's own launcher from the project's Maven dependencies. Prints the
# master URL; pids and logs go to the state directory; stop it with stop-cluster.sh.
#
#   deploy/standalone/start-cluster.sh [--workers 2] [--cores 1] [--memory 3g] [--port 7077]
#                                      [--webui-port 8080] [--state deploy/target/standalone]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../bin/spark-home.sh"
workers=2 cores=1 memory=3g port=7077 webui=8080 state="$deploy_home/target/standalone"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --workers) workers="$2"; shift 2 ;;
    --cores) cores="$2"; shift 2 ;;
    --memory) memory="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --webui-port) webui="$2"; shift 2 ;;
    --state) state="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "start-cluster: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ ! "$workers" =~ ^[1-9][0-9]*$ || ! "$cores" =~ ^[1-9][0-9]*$ ]]; then
  echo "start-cluster: --workers and --cores take positive integers (got $workers, $cores)" >&2
  exit 2
fi
mkdir -p "$state"
state="$(cd "$state" && pwd)"
for pidfile in "$state"/*.pid; do
  if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "start-cluster: a cluster from $state is running (pid $(cat "$pidfile")); stop it first:" \
      "deploy/standalone/stop-cluster.sh --state $state" >&2
    exit 2
  fi
done
rm -f "$state"/*.pid
master_url="spark://127.0.0.1:$port"
export SPARK_DAEMON_MEMORY="${SPARK_DAEMON_MEMORY:-512m}"

"$deploy_home/bin/spark-class" org.apache.spark.deploy.master.Master \
  --host 127.0.0.1 --port "$port" --webui-port "$webui" > "$state/master.log" 2>&1 &
echo $! > "$state/master.pid"

wait_for() {  # wait_for FILE PATTERN COUNT WHAT
  local deadline=$((SECONDS + 120))
  while (( $(grep -c -e "$2" "$1" 2>/dev/null || true) < $3 )); do
    if (( SECONDS > deadline )); then
      echo "start-cluster: $4 did not start within 120 s; see $1" >&2
      "$here/stop-cluster.sh" --state "$state" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
}
wait_for "$state/master.log" "I have been elected leader" 1 "the master"

for i in $(seq 1 "$workers"); do
  mkdir -p "$state/worker-$i"
  "$deploy_home/bin/spark-class" org.apache.spark.deploy.worker.Worker \
    --host 127.0.0.1 --cores "$cores" --memory "$memory" --webui-port 0 \
    --work-dir "$state/worker-$i" "$master_url" > "$state/worker-$i.log" 2>&1 &
  echo $! > "$state/worker-$i.pid"
done
wait_for "$state/master.log" "Registering worker" "$workers" "$workers worker(s)"
echo "$master_url"
