#!/usr/bin/env bash
# A three-node Apache Kafka cluster (KRaft) on loopback, for fault tests and for
# trying followthrough against replication. Each node is broker and controller;
# the three controllers form one quorum of three voters. Topics get three
# replicas and need two in sync to accept a write (acks=all). The jars are the
# ones deploy/local/kafka.sh fetches.
#
#   deploy/local/kafka-cluster.sh start|stop|status|bootstrap
#   deploy/local/kafka-cluster.sh kill ID      # kill -9 node ID (1-3): no shutdown code runs
#   deploy/local/kafka-cluster.sh restart ID   # start node ID again (after kill), wait for its port
#   deploy/local/kafka-cluster.sh leader       # print the node id of the controller quorum's leader
#
# Settings (environment): KAFKA_CLUSTER_PORT (9192): node N listens on PORT+N-1
# for clients and PORT+N+9 for the controller quorum; FOLLOWTHROUGH_RUN_DIR,
# FOLLOWTHROUGH_CACHE, FOLLOWTHROUGH_PYTHON, KAFKA_START_TIMEOUT as for kafka.sh;
# KAFKA_HEAP (512m per node).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
base=${KAFKA_CLUSTER_PORT:-9192}
version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml")
libs="${FOLLOWTHROUGH_CACHE:-$HOME/.cache/followthrough}/kafka-$version/libs"
run=${FOLLOWTHROUGH_RUN_DIR:-/tmp/followthrough-run}/kafka-cluster-$base
python=${FOLLOWTHROUGH_PYTHON:-python3}
heap=${KAFKA_HEAP:-512m}
nodes="1 2 3"

die() { echo "kafka-cluster.sh: $*" >&2; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
bport() { echo $((base + $1 - 1)); }
cport() { echo $((base + $1 + 9)); }
pidfile() { echo "$run/node-$1/kafka.pid"; }
running() { [ -f "$(pidfile "$1")" ] && kill -0 "$(cat "$(pidfile "$1")")" 2>/dev/null; }
bootstrap() { local s=""; for n in $nodes; do s="$s${s:+,}127.0.0.1:$(bport "$n")"; done; echo "$s"; }
voters() { local s=""; for n in $nodes; do s="$s${s:+,}$n@127.0.0.1:$(cport "$n")"; done; echo "$s"; }
check_id() { case "${1:-}" in 1|2|3) ;; *) die "give a node id: 1, 2 or 3" ;; esac; }

write_config() {
  local n=$1 dir="$run/node-$1"
  mkdir -p "$dir/data" "$dir/logs"
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$(voters)
listeners=PLAINTEXT://127.0.0.1:$(bport "$n"),CONTROLLER://127.0.0.1:$(cport "$n")
advertised.listeners=PLAINTEXT://127.0.0.1:$(bport "$n"),CONTROLLER://127.0.0.1:$(cport "$n")
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=6
auto.create.topics.enable=false
default.replication.factor=3
min.insync.replicas=2
unclean.leader.election.enable=false
offsets.topic.replication.factor=3
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
group.initial.rebalance.delay.ms=0
PROPS
  cat >"$dir/log4j2.properties" <<PROPS
appender.file.type=File
appender.file.name=file
appender.file.fileName=$dir/logs/server.log
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

format_all() {
  [ -f "$run/node-1/data/meta.properties" ] && return
  local id; id=$(java -cp "$libs/*" kafka.tools.StorageTool random-uuid)
  for n in $nodes; do
    java -cp "$libs/*" kafka.tools.StorageTool format -t "$id" -c "$run/node-$n/server.properties" \
      >"$run/node-$n/logs/format.log" 2>&1 || die "formatting node $n failed; see $run/node-$n/logs/format.log"
  done
}

launch() {
  local n=$1 dir="$run/node-$1"
  running "$n" && return
  port_open "$(bport "$n")" && die "port $(bport "$n") is taken by another process; set KAFKA_CLUSTER_PORT."
  port_open "$(cport "$n")" && die "port $(cport "$n") is taken by another process; set KAFKA_CLUSTER_PORT."
  nohup java -Xms"$heap" -Xmx"$heap" -XX:+UseG1GC -Dkafka.logs.dir="$dir/logs" \
    -Dlog4j2.configurationFile="$dir/log4j2.properties" \
    -cp "$libs/*" kafka.Kafka "$dir/server.properties" >"$dir/logs/stdout.log" 2>&1 &
  echo $! >"$(pidfile "$n")"
}

wait_port() {
  local n=$1 timeout=${KAFKA_START_TIMEOUT:-180}
  for _ in $(seq 1 $((timeout * 4))); do
    port_open "$(bport "$n")" && return
    running "$n" || die "node $n exited during start; see $run/node-$n/logs/"
    sleep 0.25
  done
  die "node $n did not open port $(bport "$n") within $timeout s; see $run/node-$n/logs/"
}

start() {
  "$here/kafka.sh" fetch
  local t0=$SECONDS
  for n in $nodes; do write_config "$n"; done
  format_all
  for n in $nodes; do launch "$n"; done
  for n in $nodes; do wait_port "$n"; done
  echo "kafka-cluster.sh: Apache Kafka $version, 3 nodes up on $(bootstrap) in $((SECONDS - t0)) s"
  (cd "$repo" && "$python" -m services.common.topics --bootstrap "$(bootstrap)")
}

stop_node() {
  local n=$1 pid
  running "$n" || { rm -f "$(pidfile "$n")"; return; }
  pid=$(cat "$(pidfile "$n")")
  kill -TERM "$pid"
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -0 "$pid" 2>/dev/null && { echo "kafka-cluster.sh: node $n ignored SIGTERM for 30 s; killing"; kill -KILL "$pid"; }
  rm -f "$(pidfile "$n")"
}

stop() {
  # All at once: a node stopped alone waits to hand over leadership to the others.
  for n in $nodes; do running "$n" && kill -TERM "$(cat "$(pidfile "$n")")"; done
  for n in $nodes; do stop_node "$n"; done
  echo "kafka-cluster.sh: stopped"
}

kill_node() {
  check_id "${1:-}"
  running "$1" || die "node $1 is not running"
  kill -KILL "$(cat "$(pidfile "$1")")"
  while running "$1"; do sleep 0.1; done
  rm -f "$(pidfile "$1")"
  echo "kafka-cluster.sh: node $1 killed (-9)"
}

restart_node() {
  check_id "${1:-}"
  [ -f "$run/node-$1/server.properties" ] || die "the cluster was never started here ($run)"
  launch "$1"
  wait_port "$1"
  echo "kafka-cluster.sh: node $1 up on 127.0.0.1:$(bport "$1")"
}

leader() {
  (cd "$repo" && "$python" - "$(bootstrap)" <<'PY'
import sys, time
from kafka.admin import KafkaAdminClient
deadline = time.monotonic() + 60
while True:
    try:
        admin = KafkaAdminClient(bootstrap_servers=sys.argv[1], client_id="followthrough-quorum")
        try:
            leader = admin.describe_metadata_quorum()["topics"][0]["partitions"][0]["leader_id"]
        finally:
            admin.close()
        if leader >= 0:
            print(leader)
            break
    except Exception:
        if time.monotonic() > deadline:
            raise
    time.sleep(0.5)
PY
  )
}

status() {
  local up=0
  for n in $nodes; do
    if running "$n" && port_open "$(bport "$n")"; then
      echo "node $n running on 127.0.0.1:$(bport "$n") (pid $(cat "$(pidfile "$n")"))"; up=$((up + 1))
    else
      echo "node $n stopped"
    fi
  done
  [ "$up" -gt 0 ] || return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  bootstrap) bootstrap ;;
  kill) kill_node "${2:-}" ;;
  restart) restart_node "${2:-}" ;;
  leader) leader ;;
  *) echo "usage: $0 start|stop|status|bootstrap|kill ID|restart ID|leader" >&2; exit 2 ;;
esac
