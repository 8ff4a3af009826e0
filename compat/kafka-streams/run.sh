#!/usr/bin/env bash
# Kafka Streams 4.4.0 (Maven Central, the pom's dependencies) running EosWordCount.java, an exactly_once_v2
# word count through a repartition topic and a changelog, with its output checked exactly.
#   run.sh install | run.sh test      (BOOTSTRAP=host:port)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$here/.work"
if [ "${1:-test}" = install ]; then
  command -v mvn >/dev/null || { echo "mvn not found (apt-get install maven)" >&2; exit 1; }
  # Tests running in parallel may all install at once: one does, the others wait for it (a second
  # copy-dependencies into the same directory fails, and a class half written by javac does not load).
  mkdir -p "$work"
  exec 9>"$work/install.lock"
  flock 9
  if [ ! -f "$work/libs/.complete" ]; then
    rm -rf "$work/libs"
    mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$work/libs" \
      > "$work/install.log" 2>&1 || { cat "$work/install.log" >&2; exit 1; }
    touch "$work/libs/.complete"
  fi
  # Each application recompiled when its source is newer than its class.
  for app in "$here"/src/main/java/samsa/compat/*.java; do
    cls="$work/classes/samsa/compat/$(basename "$app" .java).class"
    if [ ! -f "$cls" ] || [ "$app" -nt "$cls" ]; then
      mkdir -p "$work/classes" && javac -d "$work/classes" -cp "$work/libs/*" "$app" || exit 1
    fi
  done
  exit 0
fi
. "$here/../lib.sh"
state="$work/state-$RUN_ID"
# The JVM prints the result line; its client logs (warnings and errors) go to the harness log on stderr.
timeout "${T:-150}" java -Xms128m -Xmx512m -XX:+UseSerialGC -Djava.awt.headless=true \
  "-Dlog4j2.configurationFile=$here/../kafka/log4j2.properties" -cp "$work/libs/*:$work/classes" \
  samsa.compat.EosWordCount "$BOOTSTRAP" "$RUN_ID" "$state"
rc=$?
rm -rf "$state"
[ $rc = 0 ] || fail exactly-once-v2-word-count "exit $rc (timed out after ${T:-150} s or crashed; see the log)"
