#!/usr/bin/env bash
# kcat (librdkafka's CLI, from Debian): produce and consume with every codec, keys and headers; offsets;
# metadata; a balanced consumer group.   run.sh install | run.sh test   (BOOTSTRAP=host:port)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if [ "${1:-test}" = install ]; then
  command -v kcat >/dev/null && exit 0
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat >/dev/null
  exit $?
fi
. "$here/../lib.sh"
N=200
work="$here/.work/$RUN_ID"; mkdir -p "$work"

# N records "k<i>" -> "v<i>-<codec>" with two headers each; kcat -K/-H framing.
make_input() { for i in $(seq 1 $N); do echo "k$i:v$i-$1"; done; }
expected() { for i in $(seq 1 $N); do echo "k$i|v$i-$1|h1=a$1,h2=b"; done; }

for codec in none gzip snappy lz4 zstd; do
  s="produce-consume-$codec"; t="$(topic_name "kcat-$codec")"
  if ! make_input "$codec" | timeout 60 kcat -b "$BOOTSTRAP" -P -t "$t" -p 0 -z "$codec" -K: \
      -H "h1=a$codec" -H h2=b -X request.required.acks=-1 2> "$work/$s.produce.err"; then
    fail "$s" "produce: $(tail -2 "$work/$s.produce.err")"; continue
  fi
  timeout 60 kcat -b "$BOOTSTRAP" -C -t "$t" -p 0 -o beginning -e -q -f '%k|%s|%h\n' \
    > "$work/$s.out" 2> "$work/$s.consume.err"
  if diff -q <(expected "$codec") "$work/$s.out" >/dev/null; then pass "$s"
  else fail "$s" "consumed $(wc -l < "$work/$s.out") of $N records or they differ: $(tail -2 "$work/$s.consume.err")"; fi
done

# Reading from an absolute offset and a relative one from the end.
s=consume-from-offset; t="$(topic_name kcat-offsets)"
seq 0 99 | timeout 60 kcat -b "$BOOTSTRAP" -P -t "$t" -p 0 2> "$work/$s.err"
a="$(timeout 60 kcat -b "$BOOTSTRAP" -C -t "$t" -p 0 -o 40 -c 3 -q -f '%o:%s ' 2>> "$work/$s.err")"
b="$(timeout 60 kcat -b "$BOOTSTRAP" -C -t "$t" -p 0 -o -2 -e -q -f '%o:%s ' 2>> "$work/$s.err")"
if [ "$a" = "40:40 41:41 42:42 " ] && [ "$b" = "98:98 99:99 " ]; then pass "$s"
else fail "$s" "from 40: '$a', last two: '$b' $(tail -1 "$work/$s.err")"; fi

# Metadata as JSON: the topic produced to above, one partition with a leader.
s=metadata; out="$(timeout 30 kcat -b "$BOOTSTRAP" -L -J -t "$t" 2> "$work/$s.err")"
if echo "$out" | grep -q "\"topic\":\"$t\"" && echo "$out" | grep -q '"partition":0,"leader":'; then pass "$s"
else fail "$s" "$(echo "$out" | head -c 300) $(tail -1 "$work/$s.err")"; fi

# Balanced consumer group (JoinGroup/SyncGroup/OffsetCommit/OffsetFetch): consume all, commit on close, rejoin
# and read only what arrived since (-o would override the committed offset, so auto.offset.reset instead).
s=group-consume; t="$(topic_name kcat-group)"; g="compat-kcat-group-$RUN_ID"
seq 1 50 | timeout 60 kcat -b "$BOOTSTRAP" -P -t "$t" 2> "$work/$s.err"
first="$(timeout 45 kcat -b "$BOOTSTRAP" -G "$g" -X auto.offset.reset=earliest -e -q -f '%s\n' "$t" 2>> "$work/$s.err" | wc -l)"
second=""
if [ "$first" = 50 ]; then
  seq 51 60 | timeout 60 kcat -b "$BOOTSTRAP" -P -t "$t" 2>> "$work/$s.err"
  second="$(timeout 45 kcat -b "$BOOTSTRAP" -G "$g" -X auto.offset.reset=earliest -e -q -f '%s\n' "$t" 2>> "$work/$s.err" | tr '\n' ' ')"
fi
if [ "$first" = 50 ] && [ "$second" = "51 52 53 54 55 56 57 58 59 60 " ]; then pass "$s"
else fail "$s" "first pass read $first of 50, after commit read '$second' (want 51..60): $(tail -1 "$work/$s.err")"; fi

# Over the SASL_SSL listener compat/run.ts sets up (compat/security.ts): TLS trusting the run's test CA, SCRAM as its
# user; produce with SCRAM-SHA-256, consume in a group with SCRAM-SHA-512 (librdkafka 2.6.1 or later).
if [ -z "${SASL_SSL_BOOTSTRAP:-}" ] || [ -z "${SSL_CA:-}" ] || [ -z "${SCRAM_USER:-}" ]; then
  for s in sasl-ssl-scram-produce-consume sasl-ssl-scram-old-nonce-refused sasl-ssl-scram-bad-password; do skip "$s" "no SASL_SSL listener (SASL_SSL_BOOTSTRAP, SSL_CA, SCRAM_USER unset)"; done
else
  sasl() { echo -b "$SASL_SSL_BOOTSTRAP" -X security.protocol=SASL_SSL -X ssl.ca.location="$SSL_CA" -X sasl.mechanisms="$1" \
    -X sasl.username="$SCRAM_USER" -X sasl.password="$2"; }
  # librdkafka before 2.6.1 puts its client nonce twice into the SCRAM client-final message; Kafka 4.x compares the
  # whole nonce and refuses it (confluentinc/librdkafka#4895), so Debian's kcat (librdkafka 2.0.2) cannot log in.
  rdk="$(kcat -V 2>&1 | sed -n 's/.*librdkafka \([0-9.]*\).*/\1/p')"
  if [ "$(printf '%s\n2.6.1\n' "$rdk" | sort -V | head -1)" != 2.6.1 ]; then
    skip sasl-ssl-scram-produce-consume "librdkafka $rdk (< 2.6.1) sends a SCRAM nonce Kafka 4.x refuses (confluentinc/librdkafka#4895)"
    s=sasl-ssl-scram-old-nonce-refused
    out="$(timeout 30 kcat $(sasl SCRAM-SHA-256 "$SCRAM_PASSWORD") -L -m 10 2>&1)"
    if echo "$out" | grep -q 'invalid credentials with SASL mechanism SCRAM-SHA-256'; then pass "$s"
    else fail "$s" "librdkafka $rdk logged in or failed otherwise: $(echo "$out" | tail -1)"; fi
  else
    s=sasl-ssl-scram-produce-consume; t="$(topic_name kcat-sasl-ssl)"; g="compat-kcat-sasl-$RUN_ID"
    seq 1 100 | timeout 60 kcat $(sasl SCRAM-SHA-256 "$SCRAM_PASSWORD") -P -t "$t" -X request.required.acks=-1 2> "$work/$s.err"
    got="$(timeout 45 kcat $(sasl SCRAM-SHA-512 "$SCRAM_PASSWORD") -G "$g" -X auto.offset.reset=earliest -e -q -f '%s\n' "$t" \
      2>> "$work/$s.err" | sort -n | tr '\n' ' ')"
    if [ "$got" = "$(seq 1 100 | tr '\n' ' ')" ]; then pass "$s"
    else fail "$s" "consumed '$(echo "$got" | cut -c1-60)' (want 1..100): $(tail -1 "$work/$s.err")"; fi
  fi

  s=sasl-ssl-scram-bad-password
  out="$(timeout 30 kcat $(sasl SCRAM-SHA-512 not-the-password) -L -m 10 2>&1)"
  if echo "$out" | grep -q 'invalid credentials with SASL mechanism SCRAM-SHA-512'; then pass "$s"
  else fail "$s" "$(echo "$out" | tail -2)"; fi
fi
