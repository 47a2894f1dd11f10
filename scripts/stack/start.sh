#!/usr/bin/env bash
# `npm run stack`: the full local stack without Docker, on loopback only.
#
# Starts Elasticsearch, Jaeger v2 (when it builds), Prometheus and — when it has been built by
# scripts/stack/collector.sh — the OpenTelemetry Collector with collector-config.yaml; waits
# until each is healthy and prints the endpoints. Each component's PID goes to
# .cache/stack/pids/<name>.pid; `npm run stack:stop` (scripts/stack/stop.sh) stops exactly those.
# Each component has its script (elasticsearch.sh, jaeger.sh, prometheus.sh, otelcol.sh).
#
# Environment: STACK_JAEGER=0 skips Jaeger; STACK_BUILD_COLLECTOR=1 builds the Collector when
# its binary is missing (several minutes the first time). Ports: see the component scripts.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STACK_DIR="${STACK_DIR:-$ROOT/.cache/stack}"
export STACK_DIR
PID_DIR="$STACK_DIR/pids"
LOG_DIR="$STACK_DIR/logs"
COLLECTOR_HEALTH="${LOGKIT_HEALTH_ENDPOINT:-127.0.0.1:13133}"
mkdir -p "$PID_DIR" "$LOG_DIR"

log() { echo "[stack] $*" >&2; }

timed() {
  local name="$1" t0=$SECONDS
  shift
  "$@"
  local rc=$?
  log "$name: $((SECONDS - t0))s"
  return $rc
}

COLLECTOR_UP=0
JAEGER_UP=0
fail() {
  log "ERROR: $1 did not start; stopping what was started (scripts/stack/stop.sh)"
  bash "$HERE/stop.sh" || true
  exit 1
}

timed elasticsearch bash "$HERE/elasticsearch.sh" start || fail elasticsearch
if [[ "${STACK_JAEGER:-1}" != 0 ]]; then
  rc=0
  timed jaeger bash "$HERE/jaeger.sh" start || rc=$?
  if [[ $rc == 0 ]]; then
    JAEGER_UP=1
  elif [[ $rc == 3 ]]; then
    log "Jaeger skipped: traces are still written by the Collector's exporters / debug output"
  else
    fail jaeger
  fi
fi
timed prometheus bash "$HERE/prometheus.sh" start || fail prometheus
rc=0
timed collector bash "$HERE/otelcol.sh" start || rc=$?
if [[ $rc == 0 ]]; then
  COLLECTOR_UP=1
elif [[ $rc == 3 ]]; then
  log "starting the backends without the Collector"
else
  fail collector
fi

cat <<TXT

otel-logkit local stack (loopback only; stop with: npm run stack:stop)
  Elasticsearch   $(bash "$HERE/elasticsearch.sh" url)   (logs: logs-*.otel-* data streams)
  Prometheus      $(bash "$HERE/prometheus.sh" url)   (scrapes the Collector at 127.0.0.1:${COLLECTOR_PROMETHEUS_PORT:-8889})
TXT
if [[ $JAEGER_UP == 1 ]]; then
  echo "  Jaeger UI/API   $(bash "$HERE/jaeger.sh" url)  (OTLP gRPC 127.0.0.1:${JAEGER_OTLP_GRPC_PORT:-14317})"
else
  echo "  Jaeger          not running"
fi
if [[ $COLLECTOR_UP == 1 ]]; then
  cat <<TXT
  Collector       OTLP gRPC ${LOGKIT_OTLP_GRPC_ENDPOINT:-127.0.0.1:4317}, OTLP HTTP http://${LOGKIT_OTLP_HTTP_ENDPOINT:-127.0.0.1:4318}
                  health http://$COLLECTOR_HEALTH/, metrics http://${LOGKIT_PROMETHEUS_ENDPOINT:-127.0.0.1:8889}/metrics
                  file exporter ${LOGKIT_COLLECTOR_DATA_DIR:-./.cache/stack/data/collector}/logs.jsonl
  Point the app at it: OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318
TXT
else
  echo "  Collector       not running (build it with: bash scripts/stack/collector.sh)"
fi
echo "  PIDs            $PID_DIR   logs $LOG_DIR"
