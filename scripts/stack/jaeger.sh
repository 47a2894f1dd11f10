#!/usr/bin/env bash
# Jaeger v2 for the local stack, built from its Go module (no Docker).
#
#   scripts/stack/jaeger.sh install|start|stop|status|url
#
# `go install` of github.com/jaegertracing/jaeger/cmd/jaeger is refused by Go (the module's
# go.mod has replace directives), so `install` downloads the module from the Go module proxy
# and builds it as the main module. A cold build takes ~9 minutes on 2 cores; it is cached in
# .cache/stack/jaeger/bin. When the build fails or exceeds JAEGER_BUILD_TIMEOUT, Jaeger is
# skipped (exit 3) and traces can be checked at the Collector's file exporter instead.
#
# Ports (loopback only) are moved off the Collector's: OTLP gRPC $JAEGER_OTLP_GRPC_PORT (14317),
# OTLP HTTP $JAEGER_OTLP_HTTP_PORT (14318), UI/API $JAEGER_UI_PORT (16686), health 13134.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_DIR="${STACK_DIR:-$ROOT/.cache/stack}"
# Jaeger tags its Go module v1.x; v1.76.0 is the release whose binary is Jaeger v2.
JAEGER_MODULE_VERSION="${JAEGER_MODULE_VERSION:-v1.76.0}"
JAEGER_BUILD_TIMEOUT="${JAEGER_BUILD_TIMEOUT:-900}"
JAEGER_OTLP_GRPC_PORT="${JAEGER_OTLP_GRPC_PORT:-14317}"
JAEGER_OTLP_HTTP_PORT="${JAEGER_OTLP_HTTP_PORT:-14318}"
JAEGER_UI_PORT="${JAEGER_UI_PORT:-16686}"
J_DIR="$STACK_DIR/jaeger"
BIN="$J_DIR/bin/jaeger-$JAEGER_MODULE_VERSION"
PID_DIR="$STACK_DIR/pids"
PID_FILE="$PID_DIR/jaeger.pid"
LOG_DIR="$STACK_DIR/logs"
URL="http://127.0.0.1:$JAEGER_UI_PORT"

COMPONENT=jaeger
PID_MATCH="$J_DIR/config.yaml"
# shellcheck source=lib.sh
source "$ROOT/scripts/stack/lib.sh"
install() {
  [[ -x "$BIN" ]] && return
  command -v go >/dev/null 2>&1 || {
    log "go not found: install Go >= 1.24 (https://go.dev/dl) to build Jaeger; skipping"
    exit 3
  }
  mkdir -p "$J_DIR/bin" "$LOG_DIR"
  local src
  src="$(go mod download -json "github.com/jaegertracing/jaeger@$JAEGER_MODULE_VERSION" |
    sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$src" ]] || die "go mod download of jaeger@$JAEGER_MODULE_VERSION failed"
  rm -rf "$J_DIR/src"
  cp -r "$src" "$J_DIR/src"
  chmod -R u+w "$J_DIR/src"
  log "building jaeger $JAEGER_MODULE_VERSION (timeout ${JAEGER_BUILD_TIMEOUT}s, log $LOG_DIR/jaeger-build.log)"
  if ! (cd "$J_DIR/src" && timeout "$JAEGER_BUILD_TIMEOUT" go build -o "$BIN.tmp" ./cmd/jaeger) \
    >"$LOG_DIR/jaeger-build.log" 2>&1; then
    rm -f "$BIN.tmp"
    log "build failed or timed out; skipping Jaeger (see $LOG_DIR/jaeger-build.log)"
    exit 3
  fi
  mv "$BIN.tmp" "$BIN"
}

write_config() {
  cat >"$J_DIR/config.yaml" <<YAML
service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:$JAEGER_UI_PORT
    grpc:
      endpoint: 127.0.0.1:16685
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:13134
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:$JAEGER_OTLP_GRPC_PORT
      http:
        endpoint: 127.0.0.1:$JAEGER_OTLP_HTTP_PORT
processors:
  batch:
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
YAML
}

healthy() { curl -fsS --max-time 3 "$URL/api/services" >/dev/null 2>&1; }

start() {
  install
  if recorded_pid >/dev/null; then
    log "already running (pid $(recorded_pid)) at $URL"
    return
  fi
  healthy && die "something else already answers at $URL; set JAEGER_UI_PORT"
  mkdir -p "$PID_DIR" "$LOG_DIR"
  write_config
  local started=$SECONDS
  setsid "$BIN" --config "file:$J_DIR/config.yaml" >"$LOG_DIR/jaeger.log" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  while ! healthy; do
    if ! recorded_pid >/dev/null; then
      tail -n 20 "$LOG_DIR/jaeger.log" >&2 || true
      die "Jaeger exited during startup; see $LOG_DIR/jaeger.log"
    fi
    ((SECONDS - started < 60)) || die "not ready after 60s; see $LOG_DIR/jaeger.log"
    sleep 0.5
  done
  log "ready after $((SECONDS - started))s: UI $URL, OTLP gRPC 127.0.0.1:$JAEGER_OTLP_GRPC_PORT (pid $(recorded_pid))"
}

dispatch "$@"
