#!/usr/bin/env bash
# confluent-kafka from PyPI (its wheel bundles a current librdkafka), in a venv under .work: scenarios.py.
#   run.sh install | run.sh test      (BOOTSTRAP=host:port)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.work/venv"
version=2.16.2
if [ "${1:-test}" = install ]; then
  [ -f "$venv/.installed-$version" ] && exit 0
  rm -rf "$venv" && python3 -m venv "$venv" && "$venv/bin/pip" install -q "confluent-kafka==$version" \
    && touch "$venv/.installed-$version"
  exit $?
fi
: "${BOOTSTRAP:?BOOTSTRAP=host:port}"
exec "$venv/bin/python" -u "$here/scenarios.py" 2> "$here/.work/scenarios-${TARGET:-any}.err"
