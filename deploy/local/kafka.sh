#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft) for development and tests,
# assembled from Maven Central jars. Idempotent: `start` on a running broker
# only makes sure the topics exist.
#
#   deploy/local/kafka.sh start|stop|status
#   deploy/local/kafka.sh fetch   # only fetch the jars (deploy/local/kafka-cluster.sh uses them)
#
# Settings (environment): KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (port+1),
# FOLLOWTHROUGH_RUN_DIR (/tmp/followthrough-run: data, logs, pid),
# FOLLOWTHROUGH_CACHE (~/.cache/followthrough: the jars, kept between runs),
# FOLLOWTHROUGH_PYTHON (python3: creates the topics with kafka-python),
# KAFKA_START_TIMEOUT (180 s: a broker holding thousands of partitions takes a while to open its port),
# KAFKA_FRESH_DATA (1: a stopped broker starts on empty storage; the tests' session start sets it),
# KAFKA_STOP_TIMEOUT (30 s: then `stop` kills the broker; `followthrough demo` gives it what is left of its 10 s).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
port=${KAFKA_PORT:-9092}
cport=${KAFKA_CONTROLLER_PORT:-$((port + 1))}
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml")
cache=${FOLLOWTHROUGH_CACHE:-$HOME/.cache/followthrough}
libs="$cache/kafka-$version/libs"
run=${FOLLOWTHROUGH_RUN_DIR:-/tmp/followthrough-run}/kafka-$port
pidfile="$run/kafka.pid"
python=${FOLLOWTHROUGH_PYTHON:-python3}

die() { echo "kafka.sh: $*" >&2; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

need_tools() {
  command -v java >/dev/null || die "Java is missing. Install a JDK 17 or newer (Debian: apt-get install openjdk-17-jre-headless)."
  if [ ! -f "$libs/kafka_2.13-$version.jar" ]; then
    command -v mvn >/dev/null || die "Maven is missing and the Kafka $version jars are not cached in $libs. Install Maven (Debian: apt-get install maven)."
  fi
}

fetch_jars() {
  [ -f "$libs/kafka_2.13-$version.jar" ] && return
  echo "kafka.sh: fetching Apache Kafka $version jars into $libs (once)"
  mkdir -p "$libs.partial"
  # The plugin is pinned: Maven 3.8's default copy-dependencies is too old.
  mvn -B -q -f "$here/kafka/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs.partial"
  rm -rf "$libs" && mv "$libs.partial" "$libs"
}

write_config() {
  mkdir -p "$run/data" "$run/logs"
  cat >"$run/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$run/data
num.partitions=6
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  cat >"$run/log4j2.properties" <<PROPS
appender.file.type=File
appender.file.name=file
appender.file.fileName=$run/logs/server.log
appender.file.layout.type=PatternLayout
appender.file.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=INFO
rootLogger.appenderRef.file.ref=file
logger.kafka.name=kafka
logger.kafka.level=WARN
logger.apache.name=org.apache.kafka
logger.apache.level=WARN
PROPS
}

format_storage() {
  [ -f "$run/data/meta.properties" ] && return
  local id
  id=$(java -cp "$libs/*" kafka.tools.StorageTool random-uuid)
  java -cp "$libs/*" kafka.tools.StorageTool format --standalone -t "$id" \
    -c "$run/server.properties" >"$run/logs/format.log" 2>&1 \
    || die "formatting storage failed; see $run/logs/format.log"
}

start() {
  if running; then
    echo "kafka.sh: broker already running on 127.0.0.1:$port (pid $(cat "$pidfile"))"
  else
    port_open "$port" && die "port $port is taken by another process; stop it or set KAFKA_PORT."
    port_open "$cport" && die "controller port $cport is taken by another process; set KAFKA_CONTROLLER_PORT."
    need_tools
    fetch_jars
    # The test stack starts each session on empty storage: topics left by earlier sessions (each test
    # makes its own) would pile up to more partitions than the broker may open files for.
    [ "${KAFKA_FRESH_DATA:-0}" = 1 ] && rm -rf "$run/data"
    write_config
    format_storage
    # One open file per partition segment, and tests make thousands of partitions: lift the limit
    # as far as this shell may.
    ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    local t0=$SECONDS
    nohup java -Xms512m -Xmx1g -XX:+UseG1GC -Dkafka.logs.dir="$run/logs" \
      -Dlog4j2.configurationFile="$run/log4j2.properties" \
      -cp "$libs/*" kafka.Kafka "$run/server.properties" \
      >"$run/logs/stdout.log" 2>&1 &
    echo $! >"$pidfile"
    local timeout=${KAFKA_START_TIMEOUT:-180}
    for _ in $(seq 1 $((timeout * 4))); do
      port_open "$port" && break
      running || die "broker exited during start; see $run/logs/stdout.log and server.log"
      sleep 0.25
    done
    port_open "$port" || die "broker did not open port $port within $timeout s; see $run/logs/ (or raise KAFKA_START_TIMEOUT)"
    echo "kafka.sh: Apache Kafka $version up on 127.0.0.1:$port in $((SECONDS - t0)) s (pid $(cat "$pidfile"))"
  fi
  (cd "$repo" && "$python" -m services.common.topics --bootstrap "127.0.0.1:$port")
}

stop() {
  running || { echo "kafka.sh: not running"; rm -f "$pidfile"; return; }
  local pid; pid=$(cat "$pidfile")
  local timeout=${KAFKA_STOP_TIMEOUT:-30}
  kill -TERM "$pid"
  for _ in $(seq 1 $((timeout * 4))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -0 "$pid" 2>/dev/null && { echo "kafka.sh: broker ignored SIGTERM for $timeout s; killing"; kill -KILL "$pid"; }
  rm -f "$pidfile"
  echo "kafka.sh: stopped"
}

status() {
  if running && port_open "$port"; then
    echo "running on 127.0.0.1:$port (pid $(cat "$pidfile"), Kafka $version)"
  else
    echo "stopped"; return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  fetch) need_tools; fetch_jars ;;
  *) echo "usage: $0 start|stop|status|fetch" >&2; exit 2 ;;
esac
