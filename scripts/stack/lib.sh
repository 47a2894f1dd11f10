# Shared by the component scripts (collector.sh, elasticsearch.sh, jaeger.sh, prometheus.sh),
# which set, before sourcing it:
#   COMPONENT  the log prefix;
#   PID_FILE   where the component's pid is recorded;
#   PID_MATCH  text the recorded process's command line must contain, so a
#              recycled pid is never mistaken for ours and never signalled.

# Downloads and builds that depend only on a version (the Elasticsearch zip, the Collector
# built from a given manifest, the Jaeger binary) are kept in a cache shared by every clone on
# this machine, so a fresh clone (as CI uses) does not download or build them again. Runtime
# state (pids, data, logs) stays in the clone's STACK_DIR.
SHARED_CACHE="${LOGKIT_STACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/otel-logkit/stack}"

log() { echo "[$COMPONENT] $*" >&2; }

die() {
  log "ERROR: $*"
  exit 1
}

# Prints the recorded pid when that process is alive and is ours.
recorded_pid() {
  [[ -s "$PID_FILE" ]] || return 1
  local pid
  pid="$(tr -dc 0-9 <"$PID_FILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$PID_MATCH" &&
    echo "$pid"
}

# For start(): true when the recorded process is running and answers at $URL (healthy);
# dies when it runs but answers elsewhere or not at all (e.g. started with other ports).
already_running() {
  local pid
  pid="$(recorded_pid)" || return 1
  healthy || die "pid $pid (recorded in $PID_FILE) is running but $URL does not answer; stop it first ($0 stop)"
  log "already running (pid $pid) at $URL"
}

# Stops exactly the recorded process: SIGTERM, then SIGKILL after $1 seconds.
stop_recorded() {
  local grace="${1:-20}" pid
  if ! pid="$(recorded_pid)"; then
    rm -f "$PID_FILE"
    log "not running (no live recorded pid)"
    return
  fi
  log "stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((grace * 2))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid still alive after ${grace}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
}

# Runs the command in $1 (default start): install (when the script defines
# one), start, stop (SIGKILL after $STOP_GRACE seconds, default 20), status,
# url. The script defines start, healthy and URL.
dispatch() {
  local usage="start|stop|status|url"
  declare -F install >/dev/null && usage="install|$usage"
  case "${1:-start}" in
    install) declare -F install >/dev/null || die "usage: $0 $usage"; install ;;
    start) start ;;
    stop) stop_recorded "${STOP_GRACE:-20}" ;;
    status) recorded_pid >/dev/null && healthy ;;
    url) echo "$URL" ;;
    *) die "usage: $0 $usage" ;;
  esac
}
