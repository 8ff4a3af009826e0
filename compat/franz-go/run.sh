#!/usr/bin/env bash
# franz-go's own pkg/kgo test suite (unit and integration tests) against the broker at BOOTSTRAP.
#   run.sh install   fetch the pinned release from the Go module proxy and compile the test binary
#   run.sh test      run it; one PASS/FAIL/SKIP line per top-level test
# FRANZ_GO_RUN=regex limits the tests (go test -run); KGO_TEST_RECORDS bounds the records per test;
# KGO_TEST_RF is the replication factor of the topics the tests create (default 1, a single node; compat/run.ts sets 3 for --target samsa-cluster).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version=v1.22.3
work="$here/.work"
bin="$work/kgo-$version.test"

if [ "${1:-test}" = install ]; then
  [ -x "$bin" ] && exit 0
  command -v go >/dev/null || { echo "go not found (https://go.dev/dl)" >&2; exit 1; }
  mkdir -p "$work"
  dir="$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "github.com/twmb/franz-go@$version" | sed -n 's/.*"Dir": "\(.*\)",/\1/p')"
  [ -d "$dir" ] || { echo "go mod download failed" >&2; exit 1; }
  # The module cache is read-only; build from a copy inside franz-go's own module (its go.mod pins the test deps).
  rm -rf "$work/src"; cp -r "$dir" "$work/src"; chmod -R u+w "$work/src"
  (cd "$work/src" && go test -c -o "$bin" ./pkg/kgo) || exit 1
  exit 0
fi
: "${BOOTSTRAP:?BOOTSTRAP=host:port}"
log="$work/kgo-${TARGET:-any}.log"
# The records bound keeps each produce/consume test to seconds.
export KGO_SEEDS="$BOOTSTRAP" KGO_TEST_RF="${KGO_TEST_RF:-1}" KGO_TEST_RECORDS="${KGO_TEST_RECORDS:-2000}" KGO_LOG_LEVEL=none
args=(-test.v -test.timeout "${FRANZ_GO_TIMEOUT:-10m}" -test.count 1)
[ -n "${FRANZ_GO_RUN:-}" ] && args+=(-test.run "$FRANZ_GO_RUN")
# Tests that hang (retry forever) rather than fail against samsa would cost the whole timeout: skip them there.
hang=()
if [[ "${TARGET:-}" = samsa* ]] && [ -f "$here/tests.hang" ]; then
  mapfile -t hang < <(sed 's/#.*//; s/[[:space:]]//g; /^$/d' "$here/tests.hang")
  [ ${#hang[@]} -gt 0 ] && args+=(-test.skip "^($(IFS='|'; echo "${hang[*]}"))\$")
fi
(cd "$work/src/pkg/kgo" && "$bin" "${args[@]}") > "$log" 2>&1
# Top-level results only; a test that started but never reported (timeout or panic) is a failure. Parallel
# tests interleave, so a test's last log line (its skip or failure reason) is tracked by the current header.
awk -v logf="compat/franz-go/.work/kgo-${TARGET:-any}.log" '
  /^=== (RUN|NAME|CONT) / { cur = $3; sub(/\/.*/, "", cur); if ($2 == "RUN" && $3 !~ /\//) started[$3] = 1; next }
  /^ +(helpers_test|panic)\.go:[0-9]+: / || /NOT DELETING TOPIC/ { next }  # topic clean-up after t.Skip/t.Fatal, never the reason
  /^ +[a-z0-9_]+\.go:[0-9]+: / { line = $0; gsub(/^ +/, "", line); last[cur] = line; if (!(cur in first)) first[cur] = line; next }
  /^--- (PASS|FAIL|SKIP): [^\/ ]+ / {
    name = $3; res = $2; sub(":", "", res); done[name] = 1
    if (res == "SKIP") print "SKIP " name " " last[name]
    else if (res == "FAIL") print "FAIL " name " " first[name] " (" logf ")"
    else print "PASS " name
  }
  END { for (t in started) if (!(t in done)) print "FAIL " t " did not finish (timeout or panic)" }
' "$log"
for t in "${hang[@]}"; do echo "SKIP $t hangs against samsa, not run (compat/franz-go/tests.hang)"; done
