#!/usr/bin/env bash
# Jaeger v2 for the local stack, built from its Go module (no Docker).
#
#   scripts/stack/jaeger.sh install|start|stop|status|url
#
# `go install` of github.com/jaegertracing/jaeger/cmd/jaeger is refused by Go (the module's
# go.mod has replace directives), so `install` downloads the module from the Go module proxy
# and builds it as the main module. A cold build takes ~9 minutes on 2 cores; the binary is
# kept in the machine's shared cache ($LOGKIT_STACK_CACHE/jaeger, default
# ~/.cache/otel-logkit/stack/jaeger), so other clones reuse it. When the build fails or exceeds
# JAEGER_BUILD_TIMEOUT (seconds, default 1800), Jaeger is skipped (exit 3) and traces can be
# checked at the Collector's file exporter instead.
#
# Ports (loopback only) are moved off the Collector's: OTLP gRPC $JAEGER_OTLP_GRPC_PORT (14317),
# OTLP HTTP $JAEGER_OTLP_HTTP_PORT (14318), UI/API $JAEGER_UI_PORT (16686), query gRPC
# $JAEGER_QUERY_GRPC_PORT (16685), health $JAEGER_HEALTH_PORT (13134).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_DIR="${STACK_DIR:-$ROOT/.cache/stack}"
# Jaeger tags its Go module v1.x; v1.76.0 is the release whose binary is Jaeger v2.
JAEGER_MODULE_VERSION="${JAEGER_MODULE_VERSION:-v1.76.0}"
JAEGER_BUILD_TIMEOUT="${JAEGER_BUILD_TIMEOUT:-1800}"
JAEGER_OTLP_GRPC_PORT="${JAEGER_OTLP_GRPC_PORT:-14317}"
JAEGER_OTLP_HTTP_PORT="${JAEGER_OTLP_HTTP_PORT:-14318}"
JAEGER_UI_PORT="${JAEGER_UI_PORT:-16686}"
JAEGER_QUERY_GRPC_PORT="${JAEGER_QUERY_GRPC_PORT:-16685}"
JAEGER_HEALTH_PORT="${JAEGER_HEALTH_PORT:-13134}"
J_DIR="$STACK_DIR/jaeger"
PID_DIR="$STACK_DIR/pids"
PID_FILE="$PID_DIR/jaeger.pid"
LOG_DIR="$STACK_DIR/logs"
URL="http://127.0.0.1:$JAEGER_UI_PORT"

COMPONENT=jaeger
PID_MATCH="$J_DIR/config.yaml"
# shellcheck source=lib.sh
source "$ROOT/scripts/stack/lib.sh"
BUILD_DIR="$SHARED_CACHE/jaeger"
BIN="$BUILD_DIR/jaeger-$JAEGER_MODULE_VERSION"

install() {
  [[ -x "$BIN" ]] && return
  command -v go >/dev/null 2>&1 || {
    log "go not found: install Go >= 1.24 (https://go.dev/dl) to build Jaeger; skipping"
    exit 3
  }
  mkdir -p "$BUILD_DIR" "$LOG_DIR"
  local src build="$BUILD_DIR/src-$JAEGER_MODULE_VERSION-$$"
  src="$(go mod download -json "github.com/jaegertracing/jaeger@$JAEGER_MODULE_VERSION" |
    sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [[ -d "$src" ]] || die "go mod download of jaeger@$JAEGER_MODULE_VERSION failed"
  rm -rf "$build"
  cp -r "$src" "$build"
  chmod -R u+w "$build"
  log "building jaeger $JAEGER_MODULE_VERSION (timeout ${JAEGER_BUILD_TIMEOUT}s, log $LOG_DIR/jaeger-build.log)"
  if ! (cd "$build" && timeout "$JAEGER_BUILD_TIMEOUT" go build -o "$BIN.tmp-$$" ./cmd/jaeger) \
    >"$LOG_DIR/jaeger-build.log" 2>&1; then
    rm -rf "$BIN.tmp-$$" "$build"
    log "build failed or timed out; skipping Jaeger (see $LOG_DIR/jaeger-build.log)"
    exit 3
  fi
  mv -f "$BIN.tmp-$$" "$BIN"
  rm -rf "$build"
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
    # Jaeger traces its own queries to OTLP at 127.0.0.1:4317 by default: that is our
    # Collector's port (its self-traces would mix with the app's), and the exporter's retries
    # held up shutdown past the stop grace period.
    enable_tracing: false
    http:
      endpoint: 127.0.0.1:$JAEGER_UI_PORT
    grpc:
      endpoint: 127.0.0.1:$JAEGER_QUERY_GRPC_PORT
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:$JAEGER_HEALTH_PORT
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
  already_running && return
  healthy && die "something else already answers at $URL; set JAEGER_UI_PORT"
  mkdir -p "$PID_DIR" "$LOG_DIR" "$J_DIR"
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
