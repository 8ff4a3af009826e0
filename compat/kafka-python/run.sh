#!/usr/bin/env bash
# kafka-python from PyPI (pure Python; codec libraries alongside), in a venv under .work: scenarios.py.
#   run.sh install | run.sh test      (BOOTSTRAP=host:port)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.work/venv"
pins="kafka-python==3.0.12 lz4==4.4.5 python-snappy==0.7.3 cramjam==2.14.0 zstandard==0.25.0"
stamp="$venv/.installed-$(echo "$pins" | cksum | cut -d' ' -f1)"
if [ "${1:-test}" = install ]; then
  [ -f "$stamp" ] && exit 0
  rm -rf "$venv" && python3 -m venv "$venv" && "$venv/bin/pip" install -q $pins && touch "$stamp"
  exit $?
fi
: "${BOOTSTRAP:?BOOTSTRAP=host:port}"
exec "$venv/bin/python" -u "$here/scenarios.py" 2> "$here/.work/scenarios-${TARGET:-any}.err"
