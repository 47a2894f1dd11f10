#!/usr/bin/env bash
# `npm run stack:stop`: stops exactly the processes recorded by `npm run stack` in
# .cache/stack/pids (the Collector first, so it can flush to the backends).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STACK_DIR="${STACK_DIR:-$ROOT/.cache/stack}"
export STACK_DIR
PID_DIR="$STACK_DIR/pids"
COLLECTOR_BIN="${COLLECTOR_BIN:-$STACK_DIR/otelcol/otelcol-logkit}"
status=0

pid_file="$PID_DIR/collector.pid"
if [[ -s "$pid_file" ]]; then
  pid="$(tr -dc 0-9 <"$pid_file")"
  # Only signal the pid if it is still our Collector (pids are reused).
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$COLLECTOR_BIN"; then
    echo "[collector] stopping pid $pid" >&2
    kill -TERM "$pid"
    for _ in $(seq 1 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  else
    echo "[collector] not running (no live recorded pid)" >&2
  fi
  rm -f "$pid_file"
fi

for c in prometheus jaeger elasticsearch; do
  bash "$HERE/$c.sh" stop || status=1
done
exit $status
