# Shared by the bash run scripts: the result lines the harness (compat/run.ts) reads, one per scenario:
#   PASS <scenario>   |   FAIL <scenario> <why>   |   SKIP <scenario> <why>
pass() { echo "PASS $1"; }
fail() { local s="$1"; shift; echo "FAIL $s $*" | tr '\n' ' '; echo; }
skip() { local s="$1"; shift; echo "SKIP $s $*"; }
# Topic names are unique per run so reruns against a long-lived broker never see old records.
RUN_ID="${RUN_ID:-$(date +%s)$RANDOM}"
topic_name() { echo "compat-$1-$RUN_ID"; }
: "${BOOTSTRAP:?BOOTSTRAP=host:port must be set (compat/run.ts sets it)}"
