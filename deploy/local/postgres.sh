#!/usr/bin/env bash
# A PostgreSQL cluster of our own on loopback, from Debian's packages.
# Idempotent: installs the server when missing, creates the cluster once,
# starts it, and creates the databases named in PG_DATABASES.
#
#   deploy/local/postgres.sh start|stop|status
#
# Settings (environment): PG_PORT (5433, beside a system cluster on 5432),
# PG_DATABASES ("followthrough"), FOLLOWTHROUGH_RUN_DIR (/tmp/followthrough-run), PG_START_TIMEOUT
# (300 s: after a crash the server first syncs its data directory, which takes long on a slow disk).
# The superuser is "followthrough" with password "followthrough", loopback only:
#   postgresql://followthrough:followthrough@127.0.0.1:$PG_PORT/followthrough
set -euo pipefail

port=${PG_PORT:-5433}
databases=${PG_DATABASES:-followthrough}
timeout=${PG_START_TIMEOUT:-300}
run=${FOLLOWTHROUGH_RUN_DIR:-/tmp/followthrough-run}/postgres-$port
data="$run/data"

# libpq reads these; a PGSSLMODE=require or PGSERVICE from the caller's shell must not steer our own psql.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGSERVICE PGSERVICEFILE PGSSLMODE PGREQUIRESSL PGOPTIONS \
  PGPASSFILE PGTARGETSESSIONATTRS PGCONNECT_TIMEOUT

die() { echo "postgres.sh: $*" >&2; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The newest installed server. A machine may carry only the client (psql, pg_dump) in a version's bin
# directory: such a directory has no pg_ctl and is not a server.
bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && dirname "$d"
}

install_server() {
  [ -n "$(bindir)" ] && return
  command -v apt-get >/dev/null || die "PostgreSQL is not installed and apt-get is missing; install PostgreSQL 15+ yourself."
  [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed; run: sudo apt-get install postgresql"
  echo "postgres.sh: installing PostgreSQL from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  [ -n "$(bindir)" ] || die "apt-get installed no PostgreSQL server (no /usr/lib/postgresql/*/bin/pg_ctl)"
}

# initdb and the server refuse to run as root: use the postgres account then.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

init_cluster() {
  [ -f "$data/PG_VERSION" ] && return
  mkdir -p "$run"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$run" && chmod 700 "$run"
  local pw="$run/.pw"
  echo followthrough >"$pw"
  [ "$(id -u)" = 0 ] && chown postgres "$pw"
  as_owner "$(bindir)/initdb" -D "$data" -U followthrough --pwfile="$pw" \
    --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$run/initdb.log" 2>&1 \
    || die "initdb failed; see $run/initdb.log"
  rm -f "$pw"
  cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$run'
max_connections = 300
fsync = on
# After a crash, one syncfs of the file system rather than an fsync of every file of every database.
recovery_init_sync_method = syncfs
CONF
}

running() { as_owner "$(bindir)/pg_ctl" -D "$data" status >/dev/null 2>&1; }

psql_() { PGPASSWORD=followthrough "$(bindir)/psql" -h 127.0.0.1 -p "$port" -U followthrough -v ON_ERROR_STOP=1 -qAt "$@"; }

# pg_ctl -w has seen the server ready on its socket; a client comes over TCP with the password.
# Wait for that too, and when it never answers say why: psql's own words, the server's log, the disk.
wait_for_clients() {
  local deadline=$((SECONDS + timeout)) err
  until err=$(psql_ -d postgres -c "select 1" 2>&1 >/dev/null); do
    if [ $SECONDS -ge $deadline ]; then
      echo "postgres.sh: the end of $run/server.log:" >&2
      tail -n 20 "$run/server.log" >&2 || true
      df -h "$run" >&2 || true
      die "no client can connect to 127.0.0.1:$port in $timeout s (the log and the disk are above); psql says: ${err//$'\n'/ }"
    fi
    sleep 1
  done
}

create_databases() {
  local db
  for db in $databases; do
    [ "$(psql_ -d postgres -c "select 1 from pg_database where datname='$db'")" = 1 ] \
      || psql_ -d postgres -c "create database \"$db\"" >/dev/null
  done
}

start() {
  install_server
  init_cluster
  if running; then
    echo "postgres.sh: already running on 127.0.0.1:$port"
  else
    port_open "$port" && die "port $port is taken by another process; stop it or set PG_PORT."
    local t0=$SECONDS
    as_owner "$(bindir)/pg_ctl" -D "$data" -l "$run/server.log" -w -t "$timeout" start >/dev/null \
      || die "the server did not start; see $run/server.log"
    echo "postgres.sh: PostgreSQL up on 127.0.0.1:$port in $((SECONDS - t0)) s"
  fi
  wait_for_clients
  create_databases
}

stop() {
  if [ -n "$(bindir)" ] && [ -f "$data/PG_VERSION" ] && running; then
    as_owner "$(bindir)/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    echo "postgres.sh: stopped"
  else
    echo "postgres.sh: not running"
  fi
}

status() {
  if [ -n "$(bindir)" ] && [ -f "$data/PG_VERSION" ] && running; then
    echo "running on 127.0.0.1:$port"
  else
    echo "stopped"; return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
