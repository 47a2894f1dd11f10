#!/usr/bin/env bash
# `npm run stack:stop`: stops exactly the processes recorded by `npm run stack` in
# .cache/stack/pids (the Collector first, so it can flush to the backends), each through its
# component script.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
status=0
for c in otelcol prometheus jaeger elasticsearch; do
  bash "$HERE/$c.sh" stop || status=1
done
exit $status
