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
# An entry may name a subtest (TestGroupETL/range/848): each '/'-part is anchored, entries are alternatives.
hang=()
if [[ "${TARGET:-}" = samsa* ]] && [ -f "$here/tests.hang" ]; then
  mapfile -t hang < <(sed 's/#.*//; s/[[:space:]]//g; /^$/d' "$here/tests.hang")
  if [ ${#hang[@]} -gt 0 ]; then
    pat=""
    for t in "${hang[@]}"; do pat+="${pat:+|}^$(sed 's|/|$/^|g' <<<"$t")\$"; done
    args+=(-test.skip "$pat")
  fi
fi
(cd "$work/src/pkg/kgo" && "$bin" "${args[@]}") > "$log" 2>&1
# Top-level results only, except KIP-848 subtests (a name part "848": TestGroupSimple/848, TestGroupETL/range/848,
# TestTxnEtl/sticky/848/static), which are scenarios of their own so that they can be allow-listed as the
# consumer protocol lands; their parent then reports the rest of its subtests (it fails if a non-848 subtest or
# the parent itself failed). A test that started but never reported (timeout or panic) is a failure. Parallel
# tests interleave, so a test's last log line (its skip or failure reason) is tracked by the current header.
awk -v logf="compat/franz-go/.work/kgo-${TARGET:-any}.log" '
  function is848(n) { return n ~ /\/848(\/|$)/ }
  function top(n) { sub(/\/.*/, "", n); return n }
  function report(name, res) {
    if (res == "SKIP") print "SKIP " name " " last[name]
    else if (res == "FAIL") print "FAIL " name " " first[name] " (" logf ")"
    else print "PASS " name
  }
  /^=== (RUN|NAME|CONT) / { full = $3; cur = top(full); if ($2 == "RUN" && $3 !~ /\//) started[$3] = 1; next }
  # Clean-up (also after t.Skip/t.Fatal) and timing lines are never the reason.
  /NOT DELETING TOPIC|: deleting (topic|group) [0-9a-f]+$|^ +helpers_test\.go:[0-9]+: [^ ]+ completed in / { next }
  /^ +[a-z0-9_]+\.go:[0-9]+: / && full == cur { own[cur] = 1 }  # the parent itself said something
  /^ +[a-z0-9_]+\.go:[0-9]+: / {
    line = $0; gsub(/^ +/, "", line)
    key = is848(full) ? full : cur; last[key] = line; if (!(key in first)) first[key] = line
    next
  }
  # Go prints a parent result before its subtests results: decide the parents at the end.
  /^ +--- (PASS|FAIL|SKIP): [^ ]+ / {
    name = $3; res = $2; sub(":", "", res)
    if (is848(name)) { sub848[name] = res; if (res == "FAIL") failed848[top(name)] = 1 }
    else if (res == "FAIL") failedOther[top(name)] = 1
    next
  }
  /^--- (PASS|FAIL|SKIP): [^\/ ]+ / { name = $3; res = $2; sub(":", "", res); done[name] = res }
  END {
    for (n in sub848) report(n, sub848[n])
    for (n in done) {
      res = done[n]
      if (res == "FAIL" && (n in failed848) && !(n in failedOther) && !(n in own)) res = "PASS"
      report(n, res)
    }
    for (t in started) if (!(t in done)) print "FAIL " t " did not finish (timeout or panic)"
  }
' "$log"
for t in "${hang[@]}"; do echo "SKIP $t hangs against samsa, not run (compat/franz-go/tests.hang)"; done
