#!/usr/bin/env bash
# @platformatic/kafka from the npm registry, installed under .work (not a root dependency): scenarios.mjs.
#   run.sh install | run.sh test      (BOOTSTRAP=host:port)
# 1.35.0 is the newest release whose engines include Node 20 (2.x needs Node >= 22: Promise.withResolvers).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$here/.work"
version=1.35.0
if [ "${1:-test}" = install ]; then
  [ -f "$work/.installed-$version" ] && exit 0
  rm -rf "$work" && mkdir -p "$work" && echo '{"name":"compat-platformatic","private":true}' > "$work/package.json" \
    && (cd "$work" && npm install --no-audit --no-fund --no-save "@platformatic/kafka@$version") \
    && touch "$work/.installed-$version"
  exit $?
fi
: "${BOOTSTRAP:?BOOTSTRAP=host:port}"
PLATFORMATIC_KAFKA="$work/node_modules/@platformatic/kafka/dist/index.js" exec node "$here/scenarios.mjs"
