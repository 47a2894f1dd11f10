#!/usr/bin/env bash
# The OpenTelemetry Collector of the local stack: runs the binary that scripts/stack/collector.sh
# builds, with collector-config.yaml, on loopback.
#
#   scripts/stack/otelcol.sh start|stop|status|url
#
# `start` exits 3 when the binary has not been built (STACK_BUILD_COLLECTOR=1 builds it first,
# several minutes the first time). Environment: COLLECTOR_BIN, LOGKIT_HEALTH_ENDPOINT
# (127.0.0.1:13133) and the other LOGKIT_* variables of collector-config.yaml, STACK_DIR.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_DIR="${STACK_DIR:-$ROOT/.cache/stack}"
COLLECTOR_BIN="${COLLECTOR_BIN:-$STACK_DIR/otelcol/otelcol-logkit}"
PID_DIR="$STACK_DIR/pids"
PID_FILE="$PID_DIR/collector.pid"
LOG_DIR="$STACK_DIR/logs"
URL="http://${LOGKIT_HEALTH_ENDPOINT:-127.0.0.1:13133}/"

COMPONENT=collector
PID_MATCH="$COLLECTOR_BIN"
# shellcheck source=lib.sh
source "$ROOT/scripts/stack/lib.sh"

healthy() { curl -fsS --max-time 2 "$URL" >/dev/null 2>&1; }

start() {
  if [[ ! -x "$COLLECTOR_BIN" && "${STACK_BUILD_COLLECTOR:-0}" == 1 ]]; then
    bash "$ROOT/scripts/stack/collector.sh" >&2
  fi
  if [[ ! -x "$COLLECTOR_BIN" ]]; then
    log "not built ($COLLECTOR_BIN): run 'bash scripts/stack/collector.sh' (or STACK_BUILD_COLLECTOR=1)"
    exit 3
  fi
  already_running && return
  mkdir -p "$PID_DIR" "$LOG_DIR"
  # The config's default paths are relative to the repository root.
  # (`cd` first, on its own: `cd && prog &` would background a subshell, and $! be its pid.)
  (
    cd "$ROOT" || exit 1
    setsid "$COLLECTOR_BIN" --config "$ROOT/collector-config.yaml" \
      >"$LOG_DIR/collector.log" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
  )
  local started=$SECONDS
  while ! healthy; do
    if ! recorded_pid >/dev/null; then
      tail -n 30 "$LOG_DIR/collector.log" >&2 || true
      rm -f "$PID_FILE"
      die "the Collector exited during startup; see $LOG_DIR/collector.log"
    fi
    ((SECONDS - started < 60)) || die "not healthy after 60s; see $LOG_DIR/collector.log"
    sleep 0.5
  done
  log "healthy after $((SECONDS - started))s: $URL (pid $(recorded_pid))"
}

dispatch "$@"
