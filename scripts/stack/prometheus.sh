#!/usr/bin/env bash
# Prometheus for the local stack, from Debian's `prometheus` package (no Docker).
#
#   scripts/stack/prometheus.sh start|stop|status|url
#
# Uses prometheus/prometheus.yml with the scrape target rewritten to the local Collector
# (127.0.0.1:$COLLECTOR_PROMETHEUS_PORT); listens on 127.0.0.1:$PROMETHEUS_PORT only; data in
# .cache/stack/prometheus. Environment: PROMETHEUS_PORT (9090), COLLECTOR_PROMETHEUS_PORT (8889),
# PROMETHEUS_BIN (prometheus on PATH), STACK_DIR (<repo>/.cache/stack).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_DIR="${STACK_DIR:-$ROOT/.cache/stack}"
PROMETHEUS_PORT="${PROMETHEUS_PORT:-9090}"
COLLECTOR_PROMETHEUS_PORT="${COLLECTOR_PROMETHEUS_PORT:-8889}"
PROM_DIR="$STACK_DIR/prometheus"
PID_DIR="$STACK_DIR/pids"
PID_FILE="$PID_DIR/prometheus.pid"
LOG_DIR="$STACK_DIR/logs"
URL="http://127.0.0.1:$PROMETHEUS_PORT"

COMPONENT=prometheus
PID_MATCH="$PROM_DIR/prometheus.yml"
# shellcheck source=lib.sh
source "$ROOT/scripts/stack/lib.sh"
prom_bin() {
  local bin="${PROMETHEUS_BIN:-$(command -v prometheus || true)}"
  [[ -n "$bin" && -x "$bin" ]] ||
    die "prometheus not found: on Debian/Ubuntu run 'sudo apt-get install prometheus' (or set PROMETHEUS_BIN)"
  echo "$bin"
}

healthy() { curl -fsS --max-time 3 "$URL/-/ready" >/dev/null 2>&1; }

start() {
  local bin
  bin="$(prom_bin)"
  already_running && return
  healthy && die "something else already answers at $URL; set PROMETHEUS_PORT to another port"
  mkdir -p "$PROM_DIR/data" "$PID_DIR" "$LOG_DIR"
  sed "s/'otel-collector:8889'/'127.0.0.1:$COLLECTOR_PROMETHEUS_PORT'/" \
    "$ROOT/prometheus/prometheus.yml" >"$PROM_DIR/prometheus.yml"
  grep -q "127.0.0.1:$COLLECTOR_PROMETHEUS_PORT" "$PROM_DIR/prometheus.yml" ||
    die "could not rewrite the scrape target in prometheus/prometheus.yml"
  log "starting $("$bin" --version 2>&1 | head -n1 | cut -d' ' -f3) on $URL"
  local started=$SECONDS
  # setsid: its own session, so a Ctrl-C in the calling terminal does not reach it.
  setsid "$bin" \
    --config.file="$PROM_DIR/prometheus.yml" \
    --storage.tsdb.path="$PROM_DIR/data" \
    --storage.tsdb.retention.time=2d \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
    --web.enable-lifecycle \
    --enable-feature=exemplar-storage \
    >"$LOG_DIR/prometheus.log" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  local timeout="${PROMETHEUS_START_TIMEOUT:-60}"
  while ! healthy; do
    if ! recorded_pid >/dev/null; then
      tail -n 20 "$LOG_DIR/prometheus.log" >&2 || true
      die "Prometheus exited during startup; see $LOG_DIR/prometheus.log"
    fi
    ((SECONDS - started < timeout)) || die "not ready after ${timeout}s; see $LOG_DIR/prometheus.log"
    sleep 0.5
  done
  log "ready after $((SECONDS - started))s: $URL (pid $(recorded_pid))"
}

dispatch "$@"
