#!/usr/bin/env bash
# Elasticsearch for the local stack, without Docker.
#
#   scripts/stack/elasticsearch.sh install   download + unpack (cached)
#   scripts/stack/elasticsearch.sh start     install, start on loopback, wait until healthy
#   scripts/stack/elasticsearch.sh stop      stop the process this script started
#   scripts/stack/elasticsearch.sh status    exit 0 when the recorded process answers
#
# The distribution is Maven Central's `integ-test-zip` (bundles no JDK): it runs on the
# machine's Java (>= 17). Elasticsearch refuses to run as root, so when this script runs as
# root it runs Elasticsearch as the system user $LOGKIT_STACK_USER (created when missing).
# Security is off and it listens on 127.0.0.1 only: a local test backend, nothing more.
#
# Environment: ES_VERSION (8.19.21), ES_PORT (9200), ES_TRANSPORT_PORT (9300),
# ES_HEAP (512m), LOGKIT_STACK_USER (logkit-stack), STACK_DIR (<repo>/.cache/stack; pids, data,
# logs), ES_DIST_DIR (the downloaded zip; default $LOGKIT_STACK_CACHE/elasticsearch, i.e.
# ~/.cache/otel-logkit/stack/elasticsearch, shared by every clone on the machine).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_DIR="${STACK_DIR:-$ROOT/.cache/stack}"
ES_VERSION="${ES_VERSION:-8.19.21}"
ES_PORT="${ES_PORT:-9200}"
ES_TRANSPORT_PORT="${ES_TRANSPORT_PORT:-9300}"
ES_HEAP="${ES_HEAP:-512m}"
STACK_USER="${LOGKIT_STACK_USER:-logkit-stack}"
MAVEN_BASE="${MAVEN_BASE:-https://repo1.maven.org/maven2}"

ES_DIR="$STACK_DIR/elasticsearch"
ES_HOME="$ES_DIR/elasticsearch-$ES_VERSION"
PID_DIR="$STACK_DIR/pids"
PID_FILE="$PID_DIR/elasticsearch.pid"
LOG_DIR="$STACK_DIR/logs"
URL="http://127.0.0.1:$ES_PORT"

COMPONENT=elasticsearch
PID_MATCH="org.elasticsearch"
# shellcheck source=lib.sh
source "$ROOT/scripts/stack/lib.sh"
ES_DIST_DIR="${ES_DIST_DIR:-$SHARED_CACHE/elasticsearch}"
ES_ZIP="$ES_DIST_DIR/elasticsearch-$ES_VERSION.zip"
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required ($2)"; }

java_home() {
  if [[ -n "${ES_JAVA_HOME:-}" ]]; then
    echo "$ES_JAVA_HOME"
    return
  fi
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    echo "$JAVA_HOME"
    return
  fi
  need java "install a JDK >= 17, e.g. apt-get install openjdk-17-jre-headless"
  dirname "$(dirname "$(readlink -f "$(command -v java)")")"
}

check_java() {
  local jh major
  jh="$(java_home)"
  major="$("$jh/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = //p')"
  [[ "${major%%.*}" -ge 17 ]] 2>/dev/null ||
    die "Elasticsearch $ES_VERSION needs Java >= 17, found '${major:-none}' at $jh"
}

install() {
  if [[ -x "$ES_HOME/bin/elasticsearch" ]]; then
    return
  fi
  need curl "apt-get install curl"
  need unzip "apt-get install unzip"
  mkdir -p "$ES_DIST_DIR" "$ES_DIR"
  if [[ ! -s "$ES_ZIP" ]]; then
    local url="$MAVEN_BASE/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
    log "downloading $url"
    curl -fsSL --retry 3 -o "$ES_ZIP.part-$$" "$url" || die "download failed: $url"
    local want got
    want="$(curl -fsSL --retry 3 "$url.sha1" | cut -c1-40)" || die "checksum download failed"
    got="$(sha1sum "$ES_ZIP.part-$$" | cut -c1-40)"
    [[ "$want" == "$got" ]] || die "sha1 mismatch for $url (want $want, got $got)"
    mv "$ES_ZIP.part-$$" "$ES_ZIP"
  fi
  log "unpacking $ES_ZIP"
  rm -rf "$ES_HOME.tmp"
  mkdir -p "$ES_HOME.tmp"
  unzip -q "$ES_ZIP" -d "$ES_HOME.tmp"
  mv "$ES_HOME.tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
  rmdir "$ES_HOME.tmp"
}

# Prefix that runs a command as the non-root stack user when we are root.
as_user() {
  if [[ "$(id -u)" != 0 ]]; then
    "$@"
    return
  fi
  if ! id "$STACK_USER" >/dev/null 2>&1; then
    log "creating system user $STACK_USER"
    useradd --system --no-create-home --shell /usr/sbin/nologin "$STACK_USER" 2>/dev/null ||
      adduser --system --no-create-home "$STACK_USER" >/dev/null ||
      die "cannot create user $STACK_USER"
  fi
  if command -v setpriv >/dev/null 2>&1; then
    setpriv --reuid="$STACK_USER" --regid="$STACK_USER" --init-groups -- "$@"
  else
    runuser -u "$STACK_USER" -- "$@"
  fi
}

healthy() {
  curl -fsS --max-time 3 "$URL/_cluster/health?wait_for_status=yellow&timeout=2s" >/dev/null 2>&1
}

start() {
  check_java
  install
  already_running && return
  if healthy; then
    die "something else already answers at $URL; set ES_PORT to another port"
  fi
  mkdir -p "$ES_DIR/data" "$ES_DIR/logs" "$ES_DIR/tmp" "$PID_DIR" "$LOG_DIR"
  rm -f "$PID_FILE" "$ES_DIR/es.pid"
  if [[ "$(id -u)" == 0 ]]; then
    as_user true
    # Elasticsearch writes into its home (config, logs), data and tmp folders.
    chown -R "$STACK_USER:" "$ES_HOME" "$ES_DIR/data" "$ES_DIR/logs" "$ES_DIR/tmp"
    chown "$STACK_USER:" "$ES_DIR"
  fi
  log "starting $ES_VERSION on $URL (heap $ES_HEAP)"
  local started=$SECONDS
  # -d daemonizes and -p writes the pid of the server JVM itself, so `stop` signals exactly
  # that process.
  if ! as_user env \
    ES_JAVA_HOME="$(java_home)" \
    ES_JAVA_OPTS="-Xms$ES_HEAP -Xmx$ES_HEAP ${ES_EXTRA_JAVA_OPTS:-}" \
    ES_TMPDIR="$ES_DIR/tmp" \
    HOME="$ES_DIR" \
    "$ES_HOME/bin/elasticsearch" -d -p "$ES_DIR/es.pid" \
    -E cluster.name=otel-logkit \
    -E node.name=otel-logkit-local \
    -E discovery.type=single-node \
    -E network.host=127.0.0.1 \
    -E http.port="$ES_PORT" \
    -E transport.port="$ES_TRANSPORT_PORT" \
    -E xpack.security.enabled=false \
    -E cluster.routing.allocation.disk.threshold_enabled=false \
    -E path.data="$ES_DIR/data" \
    -E path.logs="$ES_DIR/logs" \
    >"$LOG_DIR/elasticsearch.out" 2>&1; then
    tail -n 40 "$LOG_DIR/elasticsearch.out" >&2 || true
    die "Elasticsearch failed to start; see $LOG_DIR/elasticsearch.out and $ES_DIR/logs"
  fi
  for _ in $(seq 1 60); do
    [[ -s "$ES_DIR/es.pid" ]] && break
    sleep 1
  done
  [[ -s "$ES_DIR/es.pid" ]] || die "no pid file from Elasticsearch; see $ES_DIR/logs"
  cp "$ES_DIR/es.pid" "$PID_FILE"
  local timeout="${ES_START_TIMEOUT:-180}"
  while ! healthy; do
    if ! recorded_pid >/dev/null; then
      tail -n 40 "$ES_DIR/logs/otel-logkit.log" >&2 2>/dev/null || true
      die "Elasticsearch exited during startup; see $ES_DIR/logs"
    fi
    ((SECONDS - started < timeout)) || die "not healthy after ${timeout}s; see $ES_DIR/logs"
    sleep 1
  done
  install_templates
  log "healthy after $((SECONDS - started))s: $URL (pid $(recorded_pid))"
}

# The integ-test-zip distribution has none of the default distribution's built-in templates.
# The Collector's elasticsearch exporter (default "otel" mapping mode) writes with
# require_data_stream to logs-<dataset>.otel-<namespace>, so make those data streams, with
# trace_id/span_id and string attributes as keywords (exact term queries by trace id).
install_templates() {
  curl -fsS --max-time 10 -X PUT "$URL/_index_template/otel-logkit-logs-otel" \
    -H 'content-type: application/json' -d '{
      "index_patterns": ["logs-*.otel-*"],
      "data_stream": {},
      "priority": 150,
      "_meta": {"managed_by": "otel-logkit scripts/stack/elasticsearch.sh"},
      "template": {
        "settings": {"index.number_of_replicas": 0},
        "mappings": {
          "dynamic_templates": [
            {"strings_as_keyword": {"match_mapping_type": "string",
              "mapping": {"type": "keyword", "ignore_above": 8191}}}
          ],
          "properties": {
            "@timestamp": {"type": "date_nanos"},
            "observed_timestamp": {"type": "date_nanos"},
            "trace_id": {"type": "keyword"},
            "span_id": {"type": "keyword"},
            "severity_text": {"type": "keyword"},
            "severity_number": {"type": "byte"},
            "body": {"properties": {"text": {"type": "text"}}}
          }
        }
      }
    }' >/dev/null || die "could not install the index template otel-logkit-logs-otel"
}

STOP_GRACE=30
dispatch "$@"
