#!/usr/bin/env bash
# The Java client (the reference client) through Kafka's own tools, from the same Maven Central jars as
# compat/kafka: TopicCommand, ConfigCommand, ConsumerGroupCommand, ProducerPerformance, ConsumerPerformance,
# VerifiableProducer + VerifiableConsumer (with our no-loss checker), TransactionalMessageCopier (with our
# exactly-once checker), ClientCompatibilityTest.
#   run.sh install | run.sh test      (BOOTSTRAP=host:port)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tool() { timeout "${T:-90}" "$here/../kafka/broker.sh" java "$@"; }
if [ "${1:-test}" = install ]; then exec "$here/../kafka/broker.sh" install; fi
. "$here/../lib.sh"
work="$here/.work/$RUN_ID"; mkdir -p "$work"
B=(--bootstrap-server "$BOOTSTRAP")
TC=org.apache.kafka.tools.TopicCommand

# TopicCommand: create (CreateTopics) and list (Metadata); describe also needs DescribeConfigs.
s=topic-command-create-list; t="$(topic_name java-topics)"
if tool $TC "${B[@]}" --create --topic "$t" --partitions 3 --replication-factor 1 > "$work/$s.out" 2>&1 \
   && tool $TC "${B[@]}" --list >> "$work/$s.out" 2>&1 && grep -qx "$t" "$work/$s.out"; then pass "$s"
else fail "$s" "$(grep -m1 -iE 'error|exception' "$work/$s.out" | cut -c1-250)"; fi

s=topic-command-describe
if tool $TC "${B[@]}" --describe --topic "$t" > "$work/$s.out" 2>&1 \
   && [ "$(grep -c "Topic: $t	Partition: " "$work/$s.out")" = 3 ]; then pass "$s"
else fail "$s" "$(grep -m1 -iE 'error|exception' "$work/$s.out" | cut -c1-250)"; fi

s=topic-command-alter-partitions
if tool $TC "${B[@]}" --alter --topic "$t" --partitions 5 > "$work/$s.out" 2>&1 \
   && tool $TC "${B[@]}" --describe --topic "$t" >> "$work/$s.out" 2>&1 \
   && [ "$(grep -c "Topic: $t	Partition: " "$work/$s.out")" = 5 ]; then pass "$s"
else fail "$s" "$(grep -m1 -iE 'error|exception' "$work/$s.out" | cut -c1-250)"; fi

s=topic-command-delete; td="$(topic_name java-delete)"
if tool $TC "${B[@]}" --create --topic "$td" --partitions 1 --replication-factor 1 > "$work/$s.out" 2>&1 \
   && tool $TC "${B[@]}" --delete --topic "$td" >> "$work/$s.out" 2>&1 \
   && for _ in 1 2 3 4 5 6 7 8 9 10; do tool $TC "${B[@]}" --list 2>>"$work/$s.out" | grep -qx "$td" || break; sleep 1; done \
   && ! tool $TC "${B[@]}" --list 2>>"$work/$s.out" | grep -qx "$td"; then pass "$s"
else fail "$s" "$(grep -m1 -iE 'error|exception' "$work/$s.out" | cut -c1-250)"; fi

# ConfigCommand (org.apache.kafka.tools in Kafka 4.4; kafka.admin in 4.0): IncrementalAlterConfigs then
# DescribeConfigs on a topic.
s=config-command-alter-describe; CC=org.apache.kafka.tools.ConfigCommand
if tool $CC "${B[@]}" --entity-type topics --entity-name "$t" --alter --add-config retention.ms=86400000 > "$work/$s.out" 2>&1 \
   && tool $CC "${B[@]}" --entity-type topics --entity-name "$t" --describe >> "$work/$s.out" 2>&1 \
   && grep -q 'retention.ms=86400000' "$work/$s.out"; then pass "$s"
else fail "$s" "$(grep -m1 -iE 'error|exception' "$work/$s.out" | cut -c1-250)"; fi

# ProducerPerformance: 20k acks=all records; every one must be acknowledged.
s=producer-performance; tp="$(topic_name java-perf)"
tool org.apache.kafka.tools.ProducerPerformance --topic "$tp" --num-records 20000 --record-size 200 --throughput -1 \
  --command-property bootstrap.servers="$BOOTSTRAP" acks=all linger.ms=5 > "$work/$s.out" 2>&1
if grep -qE '^20000 records sent' "$work/$s.out"; then pass "$s"
else fail "$s" "$(grep -m1 -iE 'error|exception' "$work/$s.out" | cut -c1-250)"; fi

# ConsumerPerformance: reads the 20k back through a consumer group (it always subscribes).
s=consumer-performance; g="compat-java-perf-$RUN_ID"
tool org.apache.kafka.tools.ConsumerPerformance "${B[@]}" --topic "$tp" --num-records 20000 --timeout 30000 --group "$g" \
  > "$work/$s.out" 2>&1
# CSV after its header: start, end, MB, MB/s, records, records/s, ...
if [ "$(awk -F', ' 'h {print $5; exit} /^start\.time/ {h=1}' "$work/$s.out")" = 20000 ]; then pass "$s"
else fail "$s" "$(grep -m1 -iE 'error|exception|timed out' "$work/$s.out" | cut -c1-250)"; fi

# ConsumerGroupCommand: the group ConsumerPerformance left behind, listed and described with no lag.
s=consumer-group-command-list-describe
cg=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand
if tool $cg "${B[@]}" --list > "$work/$s.out" 2>&1 && grep -qx "$g" "$work/$s.out" \
   && tool $cg "${B[@]}" --describe --group "$g" >> "$work/$s.out" 2>&1 \
   && grep -qE "^$g +$tp +0 +20000 +20000 +0 " "$work/$s.out"; then pass "$s"
else fail "$s" "$(grep -m1 -iE 'error|exception' "$work/$s.out" | cut -c1-250)"; fi

# VerifiableProducer (acks=all) then VerifiableConsumer in a group; our checker proves no acked record was lost.
s=verifiable-producer-consumer-no-loss; tv="$(topic_name java-verifiable)"
tool org.apache.kafka.tools.TopicCommand "${B[@]}" --create --topic "$tv" --partitions 3 --replication-factor 1 > "$work/$s.create" 2>&1
tool org.apache.kafka.tools.VerifiableProducer "${B[@]}" --topic "$tv" --max-messages 3000 --acks -1 > "$work/$s.producer" 2> "$work/$s.err"
T=60 tool org.apache.kafka.tools.VerifiableConsumer "${B[@]}" --topic "$tv" --group-id "compat-java-verifiable-$RUN_ID" \
  --max-messages 3000 --reset-policy earliest --verbose > "$work/$s.consumer" 2>> "$work/$s.err"
if why="$(node "$here/verify-no-loss.mjs" "$work/$s.producer" "$work/$s.consumer")"; then pass "$s"
else fail "$s" "$why $(grep -m1 -iE 'exception' "$work/$s.err" | cut -c1-200)"; fi

# VerifiableProducer then the console consumer by assignment (no group): the same no-loss check.
s=verifiable-producer-no-loss-by-assign; ta="$(topic_name java-assign)"
tool org.apache.kafka.tools.TopicCommand "${B[@]}" --create --topic "$ta" --partitions 1 --replication-factor 1 > "$work/$s.create" 2>&1
tool org.apache.kafka.tools.VerifiableProducer "${B[@]}" --topic "$ta" --max-messages 3000 --acks -1 > "$work/$s.producer" 2> "$work/$s.err"
T=60 tool org.apache.kafka.tools.consumer.ConsoleConsumer "${B[@]}" --topic "$ta" --partition 0 --offset earliest \
  --max-messages 3000 --timeout-ms 20000 --formatter-property print.offset=true --formatter-property print.partition=true \
  2>> "$work/$s.err" | awk -F'\t' -v t="$ta" '{ sub("Partition:", "", $1); sub("Offset:", "", $2);
    printf "{\"name\":\"record_data\",\"topic\":\"%s\",\"partition\":%s,\"offset\":%s,\"value\":\"%s\"}\n", t, $1, $2, $3 }' \
  > "$work/$s.consumer"
if why="$(node "$here/verify-no-loss.mjs" "$work/$s.producer" "$work/$s.consumer")"; then pass "$s"
else fail "$s" "$why $(grep -m1 -iE 'exception' "$work/$s.err" | cut -c1-200)"; fi

# TransactionalMessageCopier (read_committed consumer, offsets sent to each transaction, a third of the
# transactions aborted at random) copies a VerifiableProducer's topic; a read_committed console consumer must
# then see every acknowledged value exactly once.
s=transactional-message-copier; tin="$(topic_name java-copier-in)"; tout="$(topic_name java-copier-out)"
tool $TC "${B[@]}" --create --topic "$tin" --partitions 1 --replication-factor 1 > "$work/$s.create-in" 2>&1 &
tool $TC "${B[@]}" --create --topic "$tout" --partitions 3 --replication-factor 1 > "$work/$s.create-out" 2>&1 &
wait
tool org.apache.kafka.tools.VerifiableProducer "${B[@]}" --topic "$tin" --max-messages 2000 --acks -1 > "$work/$s.producer" 2> "$work/$s.err"
T=120 tool org.apache.kafka.tools.TransactionalMessageCopier --broker-list "$BOOTSTRAP" --transactional-id "compat-copier-$RUN_ID" \
  --input-topic "$tin" --input-partition 0 --output-topic "$tout" --consumer-group "compat-copier-$RUN_ID" --transaction-size 100 \
  --enable-random-aborts --use-group-metadata > "$work/$s.copier" 2>> "$work/$s.err"
rc=$?
T=60 tool org.apache.kafka.tools.consumer.ConsoleConsumer "${B[@]}" --topic "$tout" --from-beginning --isolation-level read_committed \
  --timeout-ms 10000 --group "compat-copier-check-$RUN_ID" > "$work/$s.values" 2>> "$work/$s.err"
if [ $rc = 0 ] && why="$(node "$here/verify-exactly-once.mjs" "$work/$s.producer" "$work/$s.values")"; then pass "$s"
else fail "$s" "copier exit $rc; ${why:-} $(grep -m1 -iE 'exception' "$work/$s.err" | cut -c1-200)"; fi

# ClientCompatibilityTest with the expectations of a current Kafka broker.
s=client-compatibility-test
T=120 tool org.apache.kafka.tools.ClientCompatibilityTest "${B[@]}" --topic "$(topic_name java-cct)" \
  --offsets-for-times-supported true --cluster-id-supported true --expect-record-too-large-exception false \
  --num-cluster-nodes "$(echo "$BOOTSTRAP" | tr "," "\n" | wc -l)" --create-topics-supported true --describe-acls-supported true \
  --describe-configs-supported true --idempotent-producer-supported true > "$work/$s.out" 2>&1
rc=$?
if [ $rc = 0 ]; then pass "$s"
else fail "$s" "exit $rc: $(grep -m1 -E 'Exception|Error|FAIL' "$work/$s.out" | cut -c1-250)"; fi

# Over the SASL_SSL listener compat/run.ts sets up (compat/security.ts), as its SCRAM user with the run's test CA
# as a PEM trust store: TopicCommand creates a topic (SCRAM-SHA-256), VerifiableProducer writes to it (acks=all,
# SCRAM-SHA-256), the console consumer reads it in a group (SCRAM-SHA-512); the no-loss checker compares them.
sasl_props() { # file mechanism password
  cat > "$1" <<PROPS
security.protocol=SASL_SSL
ssl.truststore.type=PEM
ssl.truststore.location=$SSL_CA
sasl.mechanism=$2
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$SCRAM_USER" password="$3";
PROPS
}
if [ -z "${SASL_SSL_BOOTSTRAP:-}" ] || [ -z "${SSL_CA:-}" ] || [ -z "${SCRAM_USER:-}" ]; then
  for s in sasl-ssl-scram-produce-consume sasl-ssl-scram-bad-password; do skip "$s" "no SASL_SSL listener (SASL_SSL_BOOTSTRAP, SSL_CA, SCRAM_USER unset)"; done
else
  SB=(--bootstrap-server "$SASL_SSL_BOOTSTRAP")
  sasl_props "$work/scram-256.properties" SCRAM-SHA-256 "$SCRAM_PASSWORD"
  sasl_props "$work/scram-512.properties" SCRAM-SHA-512 "$SCRAM_PASSWORD"
  sasl_props "$work/scram-wrong.properties" SCRAM-SHA-512 not-the-password
  s=sasl-ssl-scram-produce-consume; ts="$(topic_name java-sasl-ssl)"
  tool $TC "${SB[@]}" --command-config "$work/scram-256.properties" --create --topic "$ts" --partitions 2 --replication-factor 1 \
    > "$work/$s.create" 2>&1
  tool org.apache.kafka.tools.VerifiableProducer "${SB[@]}" --command-config "$work/scram-256.properties" --topic "$ts" \
    --max-messages 1000 --acks -1 > "$work/$s.producer" 2> "$work/$s.err"
  T=60 tool org.apache.kafka.tools.consumer.ConsoleConsumer "${SB[@]}" --command-config "$work/scram-512.properties" --topic "$ts" \
    --from-beginning --group "compat-java-sasl-$RUN_ID" --max-messages 1000 --timeout-ms 20000 \
    --formatter-property print.offset=true --formatter-property print.partition=true 2>> "$work/$s.err" \
    | awk -F'\t' -v t="$ts" '{ sub("Partition:", "", $1); sub("Offset:", "", $2);
      printf "{\"name\":\"record_data\",\"topic\":\"%s\",\"partition\":%s,\"offset\":%s,\"value\":\"%s\"}\n", t, $1, $2, $3 }' \
    > "$work/$s.consumer"
  acked="$(grep -c '"name":"producer_send_success"' "$work/$s.producer")"
  if grep -q "Created topic $ts" "$work/$s.create" && [ "$acked" = 1000 ] \
     && why="$(node "$here/verify-no-loss.mjs" "$work/$s.producer" "$work/$s.consumer")"; then pass "$s"
  else fail "$s" "${why:-} $(grep -m1 -iE 'exception' "$work/$s.create" "$work/$s.err" | cut -c1-200)"; fi

  # A wrong password: the tool fails with the broker's SASL_AUTHENTICATION_FAILED message.
  s=sasl-ssl-scram-bad-password
  T=60 tool $TC "${SB[@]}" --command-config "$work/scram-wrong.properties" --list > "$work/$s.out" 2>&1
  rc=$?
  if [ $rc != 0 ] && grep -q 'SaslAuthenticationException: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512' "$work/$s.out"; then pass "$s"
  else fail "$s" "exit $rc: $(grep -m1 -iE 'exception' "$work/$s.out" | cut -c1-250)"; fi
fi
