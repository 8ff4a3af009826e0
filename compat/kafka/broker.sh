#!/usr/bin/env bash
# Apache Kafka as the reference broker: fetch its jars from Maven Central, format a single-node KRaft store
# and run it on loopback.
#   broker.sh install          jars into .work/libs (once; reruns are no-ops)
#   broker.sh start DIR [K=V..] format DIR, start, wait until it answers; prints "kafka listening on HOST:PORT"
#                              (K=V: extra lines of server.properties; KAFKA_EXTRA_LISTENERS=NAME://HOST:PORT,..
#                              and KAFKA_EXTRA_PROTOCOLS=NAME:PROTOCOL,.. add listeners, as compat/run.ts's SASL ones;
#                              KAFKA_FORMAT_ARGS: more kafka-storage format arguments, one a line, e.g. --add-scram)
#   broker.sh stop DIR         stop the broker started in DIR
#   broker.sh restart DIR      start the broker formatted in DIR again (same ports, same data; after a kill -9)
#   broker.sh java CLASS ARGS  run a class from the same jars (the Java client tools use this)
#   broker.sh tool CLASS ARGS  the same as a short-lived JVM (C1 only, serial GC, a class-data archive of
#                              the admin client made at install): a third of the start-up CPU, for tests
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
libs="$here/.work/libs"
java_opts=(-Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true "-Dlog4j2.configurationFile=$here/log4j2.properties")
# A tool starts, asks, prints and exits: C2 and G1's threads only cost it CPU at start-up.
tool_opts=(-Xms64m -Xmx768m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true "-Dlog4j2.configurationFile=$here/log4j2.properties")
cds="$here/.work/tools.jsa"
# -Xlog:disable: a JVM that cannot map the archive (another JDK) says so on stdout, which tests read.
tool_jvm=(-XX:SharedArchiveFile="$cds" -Xshare:auto -Xlog:disable "${tool_opts[@]}")

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

install() {
  if [ -f "$libs/.complete" ] && [ -f "$cds" ]; then return 0; fi
  command -v mvn >/dev/null || { echo "broker.sh: mvn not found (apt-get install maven)" >&2; exit 1; }
  # Parallel tests may all find the jars missing: one installs, the others wait for it.
  mkdir -p "$here/.work"
  exec 9>"$here/.work/install.lock"
  flock 9
  if [ ! -f "$libs/.complete" ]; then
    rm -rf "$libs"
    # Maven's own output (ANSI resets even with -B) stays out of the tools' output unless it fails.
    if ! mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs" >"$here/.work/install.log" 2>&1; then
      cat "$here/.work/install.log" >&2
      exit 1
    fi
    touch "$libs/.complete"
  fi
  [ -f "$cds" ] || make_cds
  flock -u 9
}

# The class-data archive `tool` maps: the classes an admin-client tool loads, recorded at the exit of
# one that asks a closed port and gives up after 1.5 s. Written aside, then renamed into place.
make_cds() {
  local tmp="$cds.$$"
  printf 'default.api.timeout.ms=1500\nrequest.timeout.ms=1000\n' > "$tmp.properties"
  java -XX:ArchiveClassesAtExit="$tmp" "${tool_opts[@]}" -cp "$libs/*" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server 127.0.0.1:1 --command-config "$tmp.properties" --list >/dev/null 2>&1 || true
  rm -f "$tmp.properties"
  if [ -f "$tmp" ]; then mv "$tmp" "$cds"; else touch "$cds"; fi  # an empty file: no archive, -Xshare:auto goes on
}

run_java() {
  install
  local cls="$1"; shift
  exec java "${java_opts[@]}" -cp "$libs/*" "$cls" "$@"
}

run_tool() {
  install
  local cls="$1"; shift
  exec java "${tool_jvm[@]}" -cp "$libs/*" "$cls" "$@"
}

start() {
  local dir="$1"
  install
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  local port controller cluster_id
  port="$(free_port)"; controller="$(free_port)"
  while [ "$controller" = "$port" ]; do controller="$(free_port)"; done
  # A KRaft cluster id is a base64url Uuid without padding (what `kafka-storage random-uuid` prints),
  # never starting with '-' (Kafka's Uuid.randomUuid rule: the format tool would read it as a flag).
  cluster_id="$(node -e 'const c=require("crypto");let id;do id=c.randomBytes(16).toString("base64url");while(id[0]==="-");console.log(id)')"
  # A static quorum (controller.quorum.voters), so `format` needs no --standalone and kraft.version stays 0;
  # Kafka's quickstart uses a dynamic one instead (controller.quorum.bootstrap.servers + --standalone).
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller${KAFKA_EXTRA_LISTENERS:+,$KAFKA_EXTRA_LISTENERS}
advertised.listeners=PLAINTEXT://127.0.0.1:$port${KAFKA_EXTRA_LISTENERS:+,$KAFKA_EXTRA_LISTENERS}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${KAFKA_EXTRA_PROTOCOLS:+,$KAFKA_EXTRA_PROTOCOLS}
log.dirs=$dir/data
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
PROPS
  shift
  for kv in "$@"; do echo "$kv" >> "$dir/server.properties"; done
  local format_args=()
  [ -n "${KAFKA_FORMAT_ARGS:-}" ] && mapfile -t format_args <<< "$KAFKA_FORMAT_ARGS"
  java "${java_opts[@]}" -cp "$libs/*" kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" "${format_args[@]}" \
    > "$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; exit 1; }
  launch "$dir" "$port"
}

# Runs the node of DIR's server.properties and waits until it answers on PORT.
launch() {
  local dir="$1" port="$2"
  local t0=$SECONDS
  nohup java "${java_opts[@]}" -cp "$libs/*" kafka.Kafka "$dir/server.properties" >> "$dir/kafka.log" 2>&1 &
  echo $! > "$dir/kafka.pid"
  # Ready means the broker has registered and answers ApiVersions/Metadata, not just that the port is open.
  local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-120}))
  until java "${tool_jvm[@]}" -cp "$libs/*" org.apache.kafka.tools.BrokerApiVersionsCommand \
      --bootstrap-server "127.0.0.1:$port" > "$dir/ready.log" 2>&1; do
    if ! kill -0 "$(cat "$dir/kafka.pid")" 2>/dev/null; then
      echo "broker.sh: kafka exited during startup:" >&2; tail -40 "$dir/kafka.log" >&2; exit 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "broker.sh: kafka not answering after ${KAFKA_START_TIMEOUT:-120}s" >&2; stop "$dir"; exit 1
    fi
    sleep 1
  done
  echo "kafka listening on 127.0.0.1:$port (started in $((SECONDS - t0)) s)"
}

stop() {
  local dir="$1" pid
  [ -f "$dir/kafka.pid" ] || return 0
  pid="$(cat "$dir/kafka.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" || true
  fi
  rm -f "$dir/kafka.pid"
}

case "${1:-}" in
  install) install ;;
  start) shift; start "${1:?broker.sh start DIR}" "${@:2}" ;;
  stop) stop "${2:?broker.sh stop DIR}" ;;
  restart)
    d="$(cd "${2:?broker.sh restart DIR}" && pwd)"
    launch "$d" "$(sed -n 's|^advertised.listeners=PLAINTEXT://127.0.0.1:\([0-9]*\).*|\1|p' "$d/server.properties")" ;;
  java) shift; run_java "$@" ;;
  tool) shift; run_tool "$@" ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
